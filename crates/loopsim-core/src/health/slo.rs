//! Service-level objectives: SLIs, error budgets and the Google SRE workbook's multiwindow,
//! multi-burn-rate alerts, computed from the client's ticks.
//!
//! **Objectives and events.** Every request with an outcome (success or failure, as the client
//! sees it) is an event of every objective; [`SloObjective::is_good`] says whether it met it:
//!
//! - a **latency** objective `p99 ≤ 300 ms` is good when the request *succeeded* within the
//!   threshold (`latency ≤ threshold`, like a Prometheus `le` bucket); its target is the
//!   percentile: "p99 ≤ 300 ms" ⇔ "99% of requests succeed within 300 ms", target 0.99. The
//!   percentile is kept for display; the target decides.
//! - an **error-rate** objective `error rate ≤ 1%` is good when the request succeeded; its
//!   target is `1 − max` (0.99).
//!
//! The engine counts good and total events per objective and tick ([`ClientTick::slo_good`],
//! [`ClientTick::slo_total`]). Over the run: `SLI = good / total` (1 without events: nothing
//! went wrong), met when `SLI ≥ target`, and `error budget consumed = (1 − SLI) / (1 −
//! target)`, a fraction of the budget the run's events allowed (above 1 when overspent).
//!
//! **Burn-rate alerts.** The burn rate over a window is `error rate / (1 − target)`: 1 spends
//! the budget exactly over the SLO period, 2 twice as fast (a 2% error rate against a 99%
//! target). The SRE workbook's alerts for a 30-day SLO, each firing when the burn rate over
//! *both* its long and its short window exceeds (`>`) its threshold:
//!
//! | severity | long window | short window | burn rate |
//! |---|---|---|---|
//! | page | 1 h | 5 min | 14.4 |
//! | page | 6 h | 30 min | 6 |
//! | ticket | 1 d | 2 h | 3 |
//! | ticket | 3 d | 6 h | 1 |
//!
//! A simulated run lasts minutes, not a month: we treat the run as the SLO period and scale
//! every window by `period / 30 days`, where `period` defaults to the time the client's ticks
//! cover (a 2 h run turns the 1 h / 5 min page into 10 s / 0.83 s). No window is shorter than
//! one tick. The alerts are evaluated at the end of every tick over the windows ending there;
//! a window holds the ticks entirely inside it, and at least the current tick. An alert's
//! `fired_at` lists the runs of consecutive ticks at whose end it held, as `(start_s, end_s)`
//! of the first and last tick of each run.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use super::format::{nanos, number, percent_fine, ser_secs};
use super::ticks::ClientTick;
use crate::time::{to_secs_f64, Nanos, NANOS_PER_SEC};

/// The SRE workbook's SLO period: 30 days.
pub const SLO_PERIOD: Nanos = 30 * DAY;

const MIN: Nanos = 60 * NANOS_PER_SEC;
const HOUR: Nanos = 60 * MIN;
const DAY: Nanos = 24 * HOUR;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SloKind {
    /// `percentile` (e.g. 0.99) of requests succeed within `threshold`.
    Latency { percentile: f64, threshold: Nanos },
    /// At most `max` (e.g. 0.01) of requests fail.
    ErrorRate { max: f64 },
}

#[derive(Clone, Debug, PartialEq)]
pub struct SloObjective {
    pub name: String,
    pub kind: SloKind,
    /// Fraction of events that must be good, in (0, 1).
    pub target: f64,
}

fn fraction(x: f64, msg: &'static str) -> Result<f64, &'static str> {
    if x > 0.0 && x < 1.0 {
        Ok(x)
    } else {
        Err(msg)
    }
}

impl SloObjective {
    /// "`percentile` of requests succeed within `threshold`", target = `percentile`.
    pub fn latency(name: &str, percentile: f64, threshold: Nanos) -> Result<Self, &'static str> {
        fraction(percentile, "slo: latency percentile must be in (0, 1)")?;
        Ok(SloObjective {
            name: String::from(name),
            kind: SloKind::Latency {
                percentile,
                threshold,
            },
            target: percentile,
        })
    }

    /// "at most `max` of requests fail", target = `1 − max`.
    pub fn error_rate(name: &str, max: f64) -> Result<Self, &'static str> {
        fraction(max, "slo: max error rate must be in (0, 1)")?;
        Ok(SloObjective {
            name: String::from(name),
            kind: SloKind::ErrorRate { max },
            target: 1.0 - max,
        })
    }

    pub fn validate(&self) -> Result<(), &'static str> {
        fraction(self.target, "slo: target must be in (0, 1)").map(|_| ())
    }

    /// Whether a request with an outcome met the objective.
    pub fn is_good(&self, ok: bool, latency: Nanos) -> bool {
        match self.kind {
            SloKind::Latency { threshold, .. } => ok && latency <= threshold,
            SloKind::ErrorRate { .. } => ok,
        }
    }

    /// `"p99 ≤ 300 ms"`, `"error rate ≤ 1%"`.
    pub fn describe(&self) -> String {
        match self.kind {
            SloKind::Latency {
                percentile,
                threshold,
            } => format!("p{} ≤ {}", number(percentile * 100.0), nanos(threshold)),
            SloKind::ErrorRate { max } => format!("error rate ≤ {}", percent_fine(max)),
        }
    }

    /// The budget of bad events, as a fraction: `1 − target`.
    pub fn error_budget(&self) -> f64 {
        1.0 - self.target
    }
}

/// One multiwindow burn-rate alert, with its windows for a 30-day SLO.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AlertSpec {
    pub severity: &'static str,
    pub long: Nanos,
    pub short: Nanos,
    pub burn_rate: f64,
}

/// The SRE workbook's four alerts.
pub const SRE_ALERTS: [AlertSpec; 4] = [
    AlertSpec {
        severity: "page",
        long: HOUR,
        short: 5 * MIN,
        burn_rate: 14.4,
    },
    AlertSpec {
        severity: "page",
        long: 6 * HOUR,
        short: 30 * MIN,
        burn_rate: 6.0,
    },
    AlertSpec {
        severity: "ticket",
        long: DAY,
        short: 2 * HOUR,
        burn_rate: 3.0,
    },
    AlertSpec {
        severity: "ticket",
        long: 3 * DAY,
        short: 6 * HOUR,
        burn_rate: 1.0,
    },
];

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BurnAlert {
    /// `"page"` or `"ticket"`.
    pub severity: &'static str,
    /// The windows as scaled to the run.
    #[serde(rename = "long_window_s", serialize_with = "ser_secs")]
    pub long_window: Nanos,
    #[serde(rename = "short_window_s", serialize_with = "ser_secs")]
    pub short_window: Nanos,
    pub burn_rate_threshold: f64,
    /// Runs of firing ticks, `(start_s, end_s)`.
    pub fired_at: Vec<(f64, f64)>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SloResult {
    pub name: String,
    /// `"p99 ≤ 300 ms"`, `"error rate ≤ 1%"`.
    pub objective: String,
    pub target: f64,
    pub good: u64,
    pub total: u64,
    pub sli: f64,
    pub met: bool,
    /// Fraction of the error budget spent (above 1 when overspent).
    pub error_budget_consumed: f64,
    pub alerts: Vec<BurnAlert>,
}

/// A 30-day window scaled to `period`, rounded to the nanosecond, at least `tick`.
pub fn scale_window(window: Nanos, period: Nanos, tick: Nanos) -> Nanos {
    let d = SLO_PERIOD as u128;
    let scaled = (window as u128 * period as u128 + d / 2) / d;
    (scaled.min(Nanos::MAX as u128) as Nanos).max(tick)
}

/// `error rate / budget`; 0 without events; infinite when events are bad and the budget is 0.
pub fn burn_rate(good: u64, total: u64, budget: f64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    let bad = total.saturating_sub(good) as f64 / total as f64;
    if budget > 0.0 {
        bad / budget
    } else if bad > 0.0 {
        f64::INFINITY
    } else {
        0.0
    }
}

/// Good and total events of one objective, as prefix sums over the ticks.
struct Prefix {
    good: Vec<u64>,
    total: Vec<u64>,
}

impl Prefix {
    fn new(ticks: &[ClientTick], i: usize) -> Self {
        let mut p = Prefix {
            good: Vec::with_capacity(ticks.len() + 1),
            total: Vec::with_capacity(ticks.len() + 1),
        };
        let (mut g, mut t) = (0u64, 0u64);
        p.good.push(0);
        p.total.push(0);
        for tick in ticks {
            g += tick.slo_good.get(i).copied().unwrap_or(0);
            t += tick.slo_total.get(i).copied().unwrap_or(0);
            p.good.push(g);
            p.total.push(t);
        }
        p
    }

    /// Good and total over ticks `from..=to`.
    fn range(&self, from: usize, to: usize) -> (u64, u64) {
        (
            self.good[to + 1] - self.good[from],
            self.total[to + 1] - self.total[from],
        )
    }
}

/// The first tick of the window of length `w` ending with tick `i`: the ticks entirely
/// inside it, at least tick `i`.
fn window_start(ticks: &[ClientTick], i: usize, w: Nanos) -> usize {
    let from = ticks[i].end.saturating_sub(w);
    ticks[..=i].partition_point(|t| t.start < from).min(i)
}

/// Merges consecutive firing ticks into `(start_s, end_s)` runs.
fn runs(ticks: &[ClientTick], firing: &[bool]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    let mut open: Option<usize> = None;
    for (i, &f) in firing.iter().enumerate() {
        match (f, open) {
            (true, None) => open = Some(i),
            (false, Some(a)) => {
                out.push((to_secs_f64(ticks[a].start), to_secs_f64(ticks[i - 1].end)));
                open = None;
            }
            _ => {}
        }
    }
    if let (Some(a), Some(last)) = (open, ticks.last()) {
        out.push((to_secs_f64(ticks[a].start), to_secs_f64(last.end)));
    }
    out
}

fn alert(
    spec: &AlertSpec,
    ticks: &[ClientTick],
    p: &Prefix,
    budget: f64,
    period: Nanos,
) -> BurnAlert {
    let tick = ticks
        .first()
        .map_or(1, |t| t.end.saturating_sub(t.start).max(1));
    let long = scale_window(spec.long, period, tick);
    let short = scale_window(spec.short, period, tick);
    let burns = |i: usize, w: Nanos| {
        let (g, t) = p.range(window_start(ticks, i, w), i);
        burn_rate(g, t, budget)
    };
    let firing: Vec<bool> = (0..ticks.len())
        .map(|i| burns(i, long) > spec.burn_rate && burns(i, short) > spec.burn_rate)
        .collect();
    BurnAlert {
        severity: spec.severity,
        long_window: long,
        short_window: short,
        burn_rate_threshold: spec.burn_rate,
        fired_at: runs(ticks, &firing),
    }
}

fn result(o: &SloObjective, i: usize, ticks: &[ClientTick], period: Nanos) -> SloResult {
    let p = Prefix::new(ticks, i);
    let (good, total) = (p.good[ticks.len()], p.total[ticks.len()]);
    let sli = if total == 0 {
        1.0
    } else {
        good as f64 / total as f64
    };
    let budget = o.error_budget();
    SloResult {
        name: o.name.clone(),
        objective: o.describe(),
        target: o.target,
        good,
        total,
        sli,
        met: sli >= o.target,
        error_budget_consumed: burn_rate(good, total, budget),
        alerts: SRE_ALERTS
            .iter()
            .map(|spec| alert(spec, ticks, &p, budget, period))
            .collect(),
    }
}

/// Evaluates every objective (in order; objective `i` reads `slo_good[i]` / `slo_total[i]`)
/// over the client's ticks (in time order). `period` is the SLO period the 30-day alert
/// windows are scaled to; `None` takes the time the ticks cover.
pub fn evaluate(
    objectives: &[SloObjective],
    ticks: &[ClientTick],
    period: Option<Nanos>,
) -> Vec<SloResult> {
    let covered = match (ticks.first(), ticks.last()) {
        (Some(a), Some(b)) => b.end.saturating_sub(a.start),
        _ => 0,
    };
    let period = period.unwrap_or(covered).max(1);
    objectives
        .iter()
        .enumerate()
        .map(|(i, o)| result(o, i, ticks, period))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    const S: Nanos = NANOS_PER_SEC;
    const MS: Nanos = 1_000_000;

    /// One-second ticks of 100 events, `bad(i)` of them bad, for one objective.
    fn ticks(n: u64, bad: impl Fn(u64) -> u64) -> Vec<ClientTick> {
        (0..n)
            .map(|i| ClientTick {
                start: i * S,
                end: (i + 1) * S,
                slo_good: vec![100 - bad(i)],
                slo_total: vec![100],
                ..ClientTick::default()
            })
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        libm::fabs(a - b) < 1e-9
    }

    #[test]
    fn objectives_map_to_targets_and_good_events() {
        let lat = SloObjective::latency("fast", 0.99, 300 * MS).unwrap();
        assert_eq!(lat.target, 0.99);
        assert_eq!(lat.describe(), "p99 ≤ 300 ms");
        assert!(lat.is_good(true, 300 * MS));
        assert!(!lat.is_good(true, 300 * MS + 1));
        assert!(!lat.is_good(false, MS), "a failed request is never good");
        let err = SloObjective::error_rate("avail", 0.01).unwrap();
        assert_eq!(err.target, 0.99);
        assert_eq!(err.describe(), "error rate ≤ 1%");
        assert!(err.is_good(true, 10 * S) && !err.is_good(false, 0));
        assert_eq!(
            SloObjective::latency("x", 0.999, S).unwrap().describe(),
            "p99.9 ≤ 1 s"
        );
        assert!(SloObjective::latency("x", 1.0, S).is_err());
        assert!(SloObjective::error_rate("x", 0.0).is_err());
        let bad = SloObjective {
            target: 1.0,
            ..err.clone()
        };
        assert!(bad.validate().is_err() && err.validate().is_ok());
    }

    #[test]
    fn burn_rate_math() {
        // 2% errors against a 99% target burn the budget twice as fast.
        assert!(close(burn_rate(98, 100, 1.0 - 0.99), 2.0));
        assert!(close(burn_rate(999, 1000, 0.001), 1.0));
        assert_eq!(burn_rate(0, 0, 0.01), 0.0);
        assert_eq!(burn_rate(5, 10, 0.0), f64::INFINITY);
        assert_eq!(burn_rate(10, 10, 0.0), 0.0);
    }

    #[test]
    fn sli_and_budget_over_the_run() {
        // 1000 events, 15 bad: SLI 98.5% against 99%: missed, 150% of the budget.
        let t = ticks(10, |i| if i < 5 { 3 } else { 0 });
        let o = [SloObjective::error_rate("avail", 0.01).unwrap()];
        let r = &evaluate(&o, &t, None)[0];
        assert_eq!((r.good, r.total), (985, 1000));
        assert_eq!(r.sli, 0.985);
        assert!(!r.met);
        assert!(close(r.error_budget_consumed, 1.5));
        // 5 bad: SLI 99.5%, met, half the budget.
        let t = ticks(10, |i| (i == 0) as u64 * 5);
        let r = &evaluate(&o, &t, None)[0];
        assert!(r.met && close(r.error_budget_consumed, 0.5));
        // No events: SLI 1, met, nothing consumed.
        let r = &evaluate(&o, &[], None)[0];
        assert_eq!((r.sli, r.met, r.error_budget_consumed), (1.0, true, 0.0));
        assert!(r.alerts.iter().all(|a| a.fired_at.is_empty()));
    }

    #[test]
    fn windows_scale_with_the_period_but_not_below_a_tick() {
        let period = 7200 * S; // 30 days / 360
        assert_eq!(scale_window(HOUR, period, S), 10 * S);
        assert_eq!(scale_window(5 * MIN, period, S), S, "0.83 s, clamped");
        assert_eq!(scale_window(5 * MIN, period, MS), 833_333_333);
        assert_eq!(scale_window(3 * DAY, period, S), 720 * S);
        assert_eq!(scale_window(SLO_PERIOD, period, S), period);
    }

    #[test]
    fn spike_fires_the_page_and_the_slow_ticket_then_clears() {
        // 200 one-second ticks of 100 events; ticks 100..=104 fail half their requests.
        // Period 7200 s: page 10 s / 1 s at 14.4, page 60 s / 5 s at 6,
        // ticket 240 s / 20 s at 3, ticket 720 s / 60 s at 1.
        let t = ticks(200, |i| if (100..105).contains(&i) { 50 } else { 0 });
        let o = SloObjective::error_rate("avail", 0.01).unwrap();
        let r = &evaluate(&[o], &t, Some(7200 * S))[0];
        let a: Vec<_> = r
            .alerts
            .iter()
            .map(|a| (a.severity, a.long_window / S, a.short_window / S))
            .collect();
        assert_eq!(
            a,
            [
                ("page", 10, 1),
                ("page", 60, 5),
                ("ticket", 240, 20),
                ("ticket", 720, 60)
            ]
        );
        // Fast page: the 10 s window burns 5, 10, 15 at ticks 100, 101, 102 (50 bad per
        // tick over 1000 events, against a budget of 1%): fires at tick 102; stops at tick
        // 105, when the 1 s window is clean again.
        assert_eq!(r.alerts[0].fired_at, [(102.0, 105.0)]);
        // 250 bad events in 60 s (6000 events) burn 4.2 < 6; in 240 s, 1.04 < 3.
        assert!(r.alerts[1].fired_at.is_empty());
        assert!(r.alerts[2].fired_at.is_empty());
        // Slow ticket: the run so far is the 720 s window; it burns 150 / 10300 / 1% = 1.46
        // at tick 102 and stays above 1 while the 60 s window holds at least two bad
        // ticks (100 bad / 6000 = 1.67): until tick 162 (ticks 103..=162).
        assert_eq!(r.alerts[3].fired_at, [(102.0, 163.0)]);
    }

    #[test]
    fn alert_still_firing_at_the_end_runs_to_the_last_tick() {
        let t = ticks(20, |i| if i >= 15 { 100 } else { 0 });
        let o = SloObjective::latency("fast", 0.9, 100 * MS).unwrap();
        // Period 20 s: every window clamps to the 1 s tick but the 3-day one (2 s). From
        // tick 15 on, a bad tick burns 100% / 10% = 10: not above 14.4, above 6, 3 and (half
        // the 2 s window at tick 15: 5) 1.
        let r = &evaluate(&[o], &t, None)[0];
        assert_eq!(r.alerts[0].long_window, S);
        assert_eq!(r.alerts[3].long_window, 2 * S);
        assert!(r.alerts[0].fired_at.is_empty());
        for a in &r.alerts[1..] {
            assert_eq!(a.fired_at, [(15.0, 20.0)]);
        }
        assert_eq!(r.total, 2000);
        assert_eq!(r.good, 1500);
    }
}
