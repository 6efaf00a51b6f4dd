//! The horizontal autoscaler's policy: Kubernetes' HorizontalPodAutoscaler algorithm as a
//! pure state machine (no engine state; the engine feeds it counts and a measured metric).
//!
//! Per decision (the controller's sync period, `interval`), from the Kubernetes docs
//! ("Algorithm details") and `pkg/controller/podautoscaler/replica_calculator.go`:
//!
//! 1. `ratio = metric / target`, the metric averaged over the ready replicas. Within
//!    `1 ± tolerance` (10% by default) nothing changes.
//! 2. Otherwise the recommendation is `ceil(ready × ratio)`. Replicas that are counted but not
//!    ready (provisioning, or down in an outage) have no metric: when scaling up they count
//!    as using 0% of the target, when scaling down as using 100% (the controller's
//!    conservative rule for unready and missing pods), and if counting them flips the
//!    direction or brings the ratio into the tolerance band, nothing changes.
//! 3. Scale-up is limited by the default `behavior.scaleUp` policies: per decision at most
//!    double, or four more, whichever is more.
//! 4. Scale-down stabilisation (`behavior.scaleDown.stabilizationWindowSeconds`, the
//!    `cooldown`): the count falls only to the highest recommendation of the last `cooldown`
//!    (this one included), so a brief dip does not shed capacity that is needed again soon.
//! 5. The result is clamped to `[min, max]`.

use alloc::collections::VecDeque;

use crate::time::Nanos;

/// Scale-up policy of `behavior.scaleUp` by default: +100% or +4 pods per period.
const UP_FACTOR: u32 = 2;
const UP_PODS: u32 = 4;

/// The settings the policy needs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HpaConfig {
    pub min: u32,
    pub max: u32,
    pub tolerance: f64,
    pub cooldown: Nanos,
}

/// The replica counts one decision starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    /// The scale's replicas: ready (up or down) plus provisioning; draining ones are gone.
    pub current: u32,
    /// Ready replicas with a metric (up, in the live set).
    pub ready: u32,
}

/// The policy's memory: recent recommendations for scale-down stabilisation.
#[derive(Clone, Debug)]
pub struct Hpa {
    cfg: HpaConfig,
    /// `(time, recommendation)`, oldest first, none older than `cooldown`.
    recent: VecDeque<(Nanos, u32)>,
}

impl Hpa {
    /// `interval` bounds how many recommendations a `cooldown` holds (storage reserved now).
    pub fn new(cfg: HpaConfig, interval: Nanos) -> Self {
        let n = (cfg.cooldown / interval.max(1)).min(100_000) as usize + 2;
        Hpa {
            cfg,
            recent: VecDeque::with_capacity(n),
        }
    }

    /// Decides the desired replica count at `now` from `counts` and the averaged metric
    /// (`None`: no ready replica had a metric over the window — the count stays).
    pub fn decide(&mut self, now: Nanos, counts: Counts, metric: Option<f64>, target: f64) -> u32 {
        let rec = match metric {
            Some(m) => recommend(counts, m / target, self.cfg.tolerance),
            None => counts.current,
        };
        let rec = rec.clamp(self.cfg.min, self.cfg.max);
        while self
            .recent
            .front()
            .is_some_and(|&(t, _)| t + self.cfg.cooldown < now)
        {
            self.recent.pop_front();
        }
        if self.recent.len() == self.recent.capacity() {
            self.recent.pop_front();
        }
        self.recent.push_back((now, rec));
        let current = counts.current.clamp(self.cfg.min, self.cfg.max);
        if rec > current {
            let limit = (current * UP_FACTOR).max(current + UP_PODS);
            return rec.min(limit).min(self.cfg.max);
        }
        // Scale down only to the highest recommendation of the stabilisation window.
        let highest = self.recent.iter().map(|r| r.1).max().unwrap_or(rec);
        highest.min(current).max(self.cfg.min)
    }
}

/// The raw recommendation for a usage `ratio` (metric / target over the ready replicas),
/// before limits and stabilisation.
pub fn recommend(counts: Counts, ratio: f64, tolerance: f64) -> u32 {
    let Counts { current, ready } = counts;
    if ready == 0 || !ratio.is_finite() || within(ratio, tolerance) {
        return current;
    }
    let unready = current.saturating_sub(ready);
    if unready == 0 {
        return ceil_u32(ready as f64 * ratio);
    }
    // The unready count at 0% of the target when scaling up, at 100% when scaling down.
    let total = (ready + unready) as f64;
    let new_ratio = if ratio > 1.0 {
        ratio * ready as f64 / total
    } else {
        (ratio * ready as f64 + unready as f64) / total
    };
    if within(new_ratio, tolerance) || (ratio > 1.0) != (new_ratio > 1.0) {
        return current;
    }
    let n = ceil_u32(new_ratio * total);
    if (new_ratio < 1.0 && n > current) || (new_ratio > 1.0 && n < current) {
        return current;
    }
    n
}

/// `ratio` within `1 ± tolerance`, bounds included (with slack for rounding: 1.1 − 1 is a
/// hair above 0.1 in binary).
fn within(ratio: f64, tolerance: f64) -> bool {
    (ratio - 1.0).abs() <= tolerance + 1e-9
}

fn ceil_u32(x: f64) -> u32 {
    // A hair of slack so that 3 × (200/100) is 6, not 7, after rounding error.
    let c = libm::ceil(x - 1e-9);
    if c <= 0.0 {
        0
    } else if c >= u32::MAX as f64 {
        u32::MAX
    } else {
        c as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Nanos = 1_000_000_000;

    fn hpa(min: u32, max: u32, cooldown: Nanos) -> Hpa {
        let cfg = HpaConfig {
            min,
            max,
            tolerance: 0.1,
            cooldown,
        };
        Hpa::new(cfg, 15 * S)
    }

    fn all_ready(n: u32) -> Counts {
        Counts {
            current: n,
            ready: n,
        }
    }

    #[test]
    fn the_formula_is_ceil_of_current_times_ratio() {
        // The Kubernetes docs' example: 200m used against 100m → double.
        assert_eq!(recommend(all_ready(3), 2.0, 0.1), 6);
        // 50% of target → half, rounded up.
        assert_eq!(recommend(all_ready(5), 0.5, 0.1), 3);
        // 4 × 0.9 / 0.6 = 6 exactly.
        assert_eq!(recommend(all_ready(4), 0.9 / 0.6, 0.1), 6);
        // 4 × 1.26 = 5.04 → 6.
        assert_eq!(recommend(all_ready(4), 1.26, 0.1), 6);
    }

    #[test]
    fn no_change_inside_the_tolerance_band() {
        assert_eq!(recommend(all_ready(10), 1.1, 0.1), 10);
        assert_eq!(recommend(all_ready(10), 0.9, 0.1), 10);
        assert_eq!(recommend(all_ready(10), 1.11, 0.1), 12);
        assert_eq!(recommend(all_ready(10), 0.89, 0.1), 9);
    }

    #[test]
    fn unready_replicas_count_conservatively() {
        // 2 ready at 3× the target, 2 provisioning: (2 × 3 + 2 × 0) / 4 = 1.5 → 6.
        let c = Counts {
            current: 4,
            ready: 2,
        };
        assert_eq!(recommend(c, 3.0, 0.1), 6);
        // 2 ready at 1.5×, 2 provisioning: 0.75 < 1 flips the direction → keep 4.
        assert_eq!(recommend(c, 1.5, 0.1), 4);
        // Scaling down: 2 ready at 20%, 2 unready at 100%: 0.6 × 4 = 2.4 → 3.
        assert_eq!(recommend(c, 0.2, 0.1), 3);
        // No ready replica: no metric, no change.
        let none = Counts {
            current: 3,
            ready: 0,
        };
        assert_eq!(recommend(none, 5.0, 0.1), 3);
    }

    #[test]
    fn scale_up_is_immediate_but_limited_and_clamped_to_max() {
        let mut h = hpa(2, 20, 300 * S);
        // 2 replicas at 5× → 10, but at most max(2 × 2, 2 + 4) = 6 in one decision.
        assert_eq!(h.decide(15 * S, all_ready(2), Some(3.0), 0.6), 6);
        // 6 at 4× → 24, limited to 12.
        assert_eq!(h.decide(30 * S, all_ready(6), Some(2.4), 0.6), 12);
        // 12 at 2× → 24, clamped to 20.
        assert_eq!(h.decide(45 * S, all_ready(12), Some(1.2), 0.6), 20);
    }

    #[test]
    fn scale_down_waits_for_the_cooldown() {
        let mut h = hpa(1, 20, 60 * S);
        assert_eq!(h.decide(0, all_ready(10), Some(0.6), 0.6), 10);
        // The load halves: the recommendation is 5, but 10 was recommended within 60 s.
        for k in 1..=4 {
            assert_eq!(h.decide(k * 15 * S, all_ready(10), Some(0.3), 0.6), 10);
        }
        // 75 s after the last 10: every recommendation in the window is 5.
        assert_eq!(h.decide(75 * S, all_ready(10), Some(0.3), 0.6), 5);
        // The min holds.
        assert_eq!(h.decide(500 * S, all_ready(5), Some(0.01), 0.6), 1);
        let mut h = hpa(3, 20, 0);
        assert_eq!(h.decide(15 * S, all_ready(10), Some(0.01), 0.6), 3);
    }

    #[test]
    fn no_metric_keeps_the_count() {
        let mut h = hpa(1, 20, 0);
        assert_eq!(h.decide(15 * S, all_ready(7), None, 0.6), 7);
    }
}
