//! The agent-chaos-framework collapse detector, online.
//!
//! At every observation the detector reads a bounded queue's length and capacity and the
//! current p95 latency, and derives
//!
//! - `fill = len / capacity` (0 for an unbounded queue, or a capacity of 0);
//! - `dQ/dt = (len − previous len) / (now − previous now)` in jobs per second (0 at the first
//!   observation);
//! - `p95 growth = (p95 − previous p95) / previous p95` (not measured without both values or
//!   with a previous p95 of 0; an observation without a p95 keeps the last one as reference).
//!
//! and classifies, as the seed does:
//!
//! ```text
//! COLLAPSED  when p95 growth > 100%, or fill ≥ 0.85, or (dQ/dt > 15/s and fill > 0.60)
//! DEGRADED   when fill ≥ 0.40
//! STABLE     otherwise
//! ```
//!
//! with a throttle delay for the producers of 0 / 20 ms / 100 ms (STABLE / DEGRADED /
//! COLLAPSED). Every change of state is logged with the observation that caused it.
//!
//! **Cadence.** The seed ticks every 50 ms against a p95 over its last 50 events; we observe
//! once per health tick (1 s by default) with the p95 of the requests that finished in the
//! tick. dQ/dt keeps its unit (per second) but is measured over the longer tick, which smooths
//! it; the p95 growth compares consecutive ticks rather than overlapping 50-event windows, so
//! at low traffic a single slow request can move it more than in the seed.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use super::format::{number, percent, ser_opt_secs, ser_secs};
use crate::time::{Nanos, NANOS_PER_SEC};

const MS: Nanos = 1_000_000;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum CollapseState {
    #[default]
    Stable,
    Degraded,
    Collapsed,
}

impl CollapseState {
    pub fn as_str(self) -> &'static str {
        match self {
            CollapseState::Stable => "STABLE",
            CollapseState::Degraded => "DEGRADED",
            CollapseState::Collapsed => "COLLAPSED",
        }
    }
}

/// The detector's cut-offs; [`Default`] is the seed's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CollapseConfig {
    /// DEGRADED at `fill ≥ 0.40`.
    pub degraded_fill: f64,
    /// COLLAPSED at `fill ≥ 0.85`.
    pub collapsed_fill: f64,
    /// COLLAPSED when `dQ/dt > 15` per second while `fill > 0.60`.
    pub dqdt_rate: f64,
    pub dqdt_fill: f64,
    /// COLLAPSED when the p95 grows by more than this fraction between observations (1.0 =
    /// 100%).
    pub p95_growth: f64,
    #[serde(serialize_with = "ser_secs")]
    pub throttle_degraded: Nanos,
    #[serde(serialize_with = "ser_secs")]
    pub throttle_collapsed: Nanos,
}

impl Default for CollapseConfig {
    fn default() -> Self {
        CollapseConfig {
            degraded_fill: 0.40,
            collapsed_fill: 0.85,
            dqdt_rate: 15.0,
            dqdt_fill: 0.60,
            p95_growth: 1.0,
            throttle_degraded: 20 * MS,
            throttle_collapsed: 100 * MS,
        }
    }
}

/// What one observation measured.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Observation {
    #[serde(rename = "at_s", serialize_with = "ser_secs")]
    pub at: Nanos,
    pub queue_len: u64,
    pub fill: f64,
    /// Jobs per second.
    pub dqdt: f64,
    /// `None` when not measurable.
    pub p95_growth: Option<f64>,
    #[serde(rename = "p95_s", serialize_with = "ser_opt_secs")]
    pub p95: Option<Nanos>,
    pub state: CollapseState,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CollapseTransition {
    #[serde(rename = "at_s", serialize_with = "ser_secs")]
    pub at: Nanos,
    pub from: CollapseState,
    pub to: CollapseState,
    /// The rule that decided the new state, with its numbers.
    pub reason: String,
}

/// The detector's story over a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CollapseReport {
    pub state: CollapseState,
    pub worst: CollapseState,
    pub observations: u64,
    pub transitions: Vec<CollapseTransition>,
}

#[derive(Clone, Debug)]
pub struct CollapseDetector {
    cfg: CollapseConfig,
    last: Option<Observation>,
    reference_p95: Option<Nanos>,
    worst: CollapseState,
    observations: u64,
    transitions: Vec<CollapseTransition>,
}

impl CollapseDetector {
    pub fn new(cfg: CollapseConfig) -> Self {
        CollapseDetector {
            cfg,
            last: None,
            reference_p95: None,
            worst: CollapseState::Stable,
            observations: 0,
            transitions: Vec::new(),
        }
    }

    pub fn config(&self) -> &CollapseConfig {
        &self.cfg
    }

    pub fn state(&self) -> CollapseState {
        self.last.map_or(CollapseState::Stable, |o| o.state)
    }

    pub fn last_observation(&self) -> Option<&Observation> {
        self.last.as_ref()
    }

    pub fn transitions(&self) -> &[CollapseTransition] {
        &self.transitions
    }

    /// The delay the producers should add now.
    pub fn throttle_delay(&self) -> Nanos {
        match self.state() {
            CollapseState::Stable => 0,
            CollapseState::Degraded => self.cfg.throttle_degraded,
            CollapseState::Collapsed => self.cfg.throttle_collapsed,
        }
    }

    fn dqdt(&self, now: Nanos, len: u64) -> f64 {
        match self.last {
            Some(o) if now > o.at => {
                let dt = (now - o.at) as f64 / NANOS_PER_SEC as f64;
                (len as f64 - o.queue_len as f64) / dt
            }
            _ => 0.0,
        }
    }

    fn growth(&self, p95: Option<Nanos>) -> Option<f64> {
        match (self.reference_p95, p95) {
            (Some(prev), Some(cur)) if prev > 0 => Some((cur as f64 - prev as f64) / prev as f64),
            _ => None,
        }
    }

    /// The state of the measurements, and the rule that decided it.
    fn classify(&self, fill: f64, dqdt: f64, growth: Option<f64>) -> (CollapseState, String) {
        let c = &self.cfg;
        if let Some(g) = growth.filter(|&g| g > c.p95_growth) {
            let why = format!("p95 grew {} > {}", percent(g), percent(c.p95_growth));
            (CollapseState::Collapsed, why)
        } else if fill >= c.collapsed_fill {
            let why = format!(
                "queue {} full ≥ {}",
                percent(fill),
                percent(c.collapsed_fill)
            );
            (CollapseState::Collapsed, why)
        } else if dqdt > c.dqdt_rate && fill > c.dqdt_fill {
            let why = format!(
                "queue growing {}/s > {}/s while {} full > {}",
                number(dqdt),
                number(c.dqdt_rate),
                percent(fill),
                percent(c.dqdt_fill)
            );
            (CollapseState::Collapsed, why)
        } else if fill >= c.degraded_fill {
            let why = format!(
                "queue {} full ≥ {}",
                percent(fill),
                percent(c.degraded_fill)
            );
            (CollapseState::Degraded, why)
        } else {
            (
                CollapseState::Stable,
                format!("queue {} full", percent(fill)),
            )
        }
    }

    /// Observes the queue at `now` (`capacity` `None` = unbounded) and the current p95, and
    /// returns the new state.
    pub fn observe(
        &mut self,
        now: Nanos,
        queue_len: u64,
        capacity: Option<u32>,
        p95: Option<Nanos>,
    ) -> CollapseState {
        let fill = match capacity {
            Some(c) if c > 0 => queue_len as f64 / c as f64,
            _ => 0.0,
        };
        let dqdt = self.dqdt(now, queue_len);
        let p95_growth = self.growth(p95);
        let (state, reason) = self.classify(fill, dqdt, p95_growth);
        let from = self.state();
        if state != from {
            self.transitions.push(CollapseTransition {
                at: now,
                from,
                to: state,
                reason,
            });
        }
        self.reference_p95 = p95.or(self.reference_p95);
        self.worst = self.worst.max(state);
        self.observations += 1;
        self.last = Some(Observation {
            at: now,
            queue_len,
            fill,
            dqdt,
            p95_growth,
            p95,
            state,
        });
        state
    }

    pub fn report(&self) -> CollapseReport {
        CollapseReport {
            state: self.state(),
            worst: self.worst,
            observations: self.observations,
            transitions: self.transitions.clone(),
        }
    }
}

impl Default for CollapseDetector {
    fn default() -> Self {
        CollapseDetector::new(CollapseConfig::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CollapseState::*;

    const S: Nanos = NANOS_PER_SEC;

    #[test]
    fn constructed_queue_series() {
        let mut d = CollapseDetector::default();
        let cap = Some(100);
        let p95 = Some(50 * MS);
        // (second, queue length, p95, expected state)
        let series = [
            (1, 10, p95, Stable),               // fill 0.10
            (2, 45, p95, Degraded),             // fill 0.45; dQ/dt 35/s but fill ≤ 0.60
            (3, 62, p95, Collapsed),            // dQ/dt 17/s > 15 and fill 0.62 > 0.60
            (4, 70, p95, Degraded),             // dQ/dt 8/s
            (5, 85, p95, Collapsed),            // fill 0.85 ≥ 0.85
            (6, 30, Some(100 * MS), Stable),    // p95 doubled: growth 100%, not > 100%
            (7, 30, Some(250 * MS), Collapsed), // growth 150%
            (8, 0, None, Stable),               // no p95: growth not measured
            (9, 0, Some(400 * MS), Stable),     // growth against 250 ms: 60%
        ];
        for (s, len, p95, want) in series {
            assert_eq!(d.observe(s * S, len, cap, p95), want, "at {s} s");
        }
        let log: Vec<(Nanos, CollapseState)> =
            d.transitions().iter().map(|t| (t.at / S, t.to)).collect();
        assert_eq!(
            log,
            [
                (2, Degraded),
                (3, Collapsed),
                (4, Degraded),
                (5, Collapsed),
                (6, Stable),
                (7, Collapsed),
                (8, Stable)
            ]
        );
        let t = &d.transitions()[1];
        assert_eq!(t.reason, "queue growing 17/s > 15/s while 62% full > 60%");
        assert_eq!(d.transitions()[5].reason, "p95 grew 150% > 100%");
        let r = d.report();
        assert_eq!((r.state, r.worst, r.observations), (Stable, Collapsed, 9));
    }

    #[test]
    fn boundaries_follow_the_seed() {
        let at = |len, prev: Option<u64>| {
            let mut d = CollapseDetector::default();
            if let Some(p) = prev {
                d.observe(0, p, Some(100), None);
            }
            d.observe(S, len, Some(100), None)
        };
        assert_eq!(at(39, None), Stable);
        assert_eq!(at(40, None), Degraded);
        assert_eq!(at(84, None), Degraded);
        assert_eq!(at(85, None), Collapsed);
        // dQ/dt exactly 15/s is not above the rate; 16/s is, but only above 60% full.
        assert_eq!(at(61, Some(46)), Degraded);
        assert_eq!(at(61, Some(45)), Collapsed);
        assert_eq!(at(60, Some(40)), Degraded);
    }

    #[test]
    fn dqdt_is_per_second_whatever_the_tick() {
        let mut d = CollapseDetector::default();
        d.observe(0, 0, Some(100), None);
        d.observe(S / 2, 10, Some(100), None);
        assert_eq!(d.last_observation().unwrap().dqdt, 20.0);
    }

    #[test]
    fn unbounded_queue_has_no_fill() {
        let mut d = CollapseDetector::default();
        assert_eq!(d.observe(S, 10_000, None, None), Stable);
        assert_eq!(d.observe(2 * S, 20_000, Some(0), None), Stable);
        assert_eq!(d.last_observation().unwrap().fill, 0.0);
    }

    #[test]
    fn throttle_follows_the_state() {
        let mut d = CollapseDetector::default();
        assert_eq!(d.throttle_delay(), 0);
        d.observe(S, 50, Some(100), None);
        assert_eq!(d.throttle_delay(), 20 * MS);
        d.observe(2 * S, 90, Some(100), None);
        assert_eq!(d.throttle_delay(), 100 * MS);
        d.observe(3 * S, 0, Some(100), None);
        assert_eq!(d.throttle_delay(), 0);
        assert_eq!(Collapsed.as_str(), "COLLAPSED");
    }
}
