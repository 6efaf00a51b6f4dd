//! Cost safeguards (cloudcircuit): budget checks, spend-spike detection, burn rate, breach
//! forecast and the combined decision, as pure functions, plus a small stateful
//! [`SpendMonitor`].
//!
//! Semantics, as cloudcircuit defines them:
//! - [`check_budget`]: `usage_ratio = spend / limit`, `remaining = limit − spend`,
//!   `warning = usage_ratio ≥ warning_ratio` (0.9), `breached = spend ≥ limit`.
//! - [`spike_mean`]: baseline = mean of all points but the latest; spike when
//!   `latest > max(baseline, min_baseline) × multiplier` (1.5).
//! - [`spike_robust`] (later releases): baseline = median of all points but the latest; spike
//!   when `latest > median + z · MAD / 0.6745` (z = 3.5, the modified z-score of Iglewicz and
//!   Hoaglin). With a flat history (MAD = 0) any rise above the median is a spike.
//! - [`burn_rate`]: `latest / mean`, alerting at ≥ 1.4. We take the mean of the points before
//!   the latest, like the spike baselines, so that the latest point does not dilute its own
//!   comparison; a zero mean gives an infinite rate when the latest point is positive.
//! - [`forecast_breach`]: `projected = spend / elapsed × period`, breach when `projected ≥
//!   limit`.
//! - [`decide`]: breached or breaker open → BLOCK; warning or spike → THROTTLE; else ALLOW.
//!
//! Invalid input (negative or non-finite values, empty or too short series, out-of-range
//! parameters) is rejected with an `Err` naming the problem, like cloudcircuit's `ValueError`.

use alloc::vec;
use alloc::vec::Vec;

pub const DEFAULT_WARNING_RATIO: f64 = 0.9;
pub const DEFAULT_SPIKE_MULTIPLIER: f64 = 1.5;
pub const DEFAULT_ROBUST_Z: f64 = 3.5;
pub const DEFAULT_BURN_THRESHOLD: f64 = 1.4;

/// `MAD / 0.6745` estimates the standard deviation of normal data.
const MAD_TO_SIGMA: f64 = 0.6745;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BudgetStatus {
    pub usage_ratio: f64,
    pub remaining: f64,
    pub warning: bool,
    pub breached: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spike {
    pub latest: f64,
    /// Mean (or median, for the robust test) of the points before the latest.
    pub baseline: f64,
    pub threshold: f64,
    pub spike: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BurnRate {
    pub rate: f64,
    pub alert: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Forecast {
    pub projected: f64,
    pub breach: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BudgetDecision {
    Allow,
    Throttle,
    Block,
}

fn non_negative(x: f64, msg: &'static str) -> Result<f64, &'static str> {
    if x.is_finite() && x >= 0.0 {
        Ok(x)
    } else {
        Err(msg)
    }
}

fn positive(x: f64, msg: &'static str) -> Result<f64, &'static str> {
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(msg)
    }
}

/// Splits a series into (history, latest), checking it has at least two finite, non-negative
/// points.
fn split(series: &[f64]) -> Result<(&[f64], f64), &'static str> {
    if series.len() < 2 {
        return Err("series must contain at least 2 points");
    }
    for &x in series {
        non_negative(x, "series values must be finite numbers >= 0")?;
    }
    let (latest, history) = series.split_last().expect("len >= 2");
    Ok((history, *latest))
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

pub fn check_budget(
    spend: f64,
    limit: f64,
    warning_ratio: f64,
) -> Result<BudgetStatus, &'static str> {
    positive(limit, "budget limit must be a finite number > 0")?;
    if !(warning_ratio > 0.0 && warning_ratio <= 1.0) {
        return Err("warning_ratio must be in (0, 1]");
    }
    non_negative(spend, "spend must be a finite number >= 0")?;
    let usage_ratio = spend / limit;
    Ok(BudgetStatus {
        usage_ratio,
        remaining: limit - spend,
        warning: usage_ratio >= warning_ratio,
        breached: spend >= limit,
    })
}

fn mean_spike(latest: f64, baseline: f64, multiplier: f64, min_baseline: f64) -> Spike {
    let threshold = baseline.max(min_baseline) * multiplier;
    Spike {
        latest,
        baseline,
        threshold,
        spike: latest > threshold,
    }
}

fn check_spike_params(multiplier: f64, min_baseline: f64) -> Result<(), &'static str> {
    if !(multiplier.is_finite() && multiplier > 1.0) {
        return Err("spike multiplier must be a finite number > 1");
    }
    non_negative(min_baseline, "min_baseline must be a finite number >= 0")?;
    Ok(())
}

/// The latest point against the mean of the others.
pub fn spike_mean(
    series: &[f64],
    multiplier: f64,
    min_baseline: f64,
) -> Result<Spike, &'static str> {
    check_spike_params(multiplier, min_baseline)?;
    let (history, latest) = split(series)?;
    Ok(mean_spike(latest, mean(history), multiplier, min_baseline))
}

/// The latest point against `median + z · MAD / 0.6745` of the others. Allocates a copy of
/// the history (not for hot paths).
pub fn spike_robust(series: &[f64], z: f64) -> Result<Spike, &'static str> {
    positive(z, "z must be a finite number > 0")?;
    let (history, latest) = split(series)?;
    let mut xs: Vec<f64> = history.to_vec();
    let med = median(&mut xs);
    for x in &mut xs {
        *x = libm::fabs(*x - med);
    }
    let mad = median(&mut xs);
    let threshold = med + z * mad / MAD_TO_SIGMA;
    Ok(Spike {
        latest,
        baseline: med,
        threshold,
        spike: latest > threshold,
    })
}

/// `latest / mean(points before it)`, alerting at `≥ threshold` (1.4).
pub fn burn_rate(series: &[f64], threshold: f64) -> Result<BurnRate, &'static str> {
    positive(threshold, "burn-rate threshold must be a finite number > 0")?;
    let (history, latest) = split(series)?;
    let m = mean(history);
    let rate = if m > 0.0 {
        latest / m
    } else if latest > 0.0 {
        f64::INFINITY
    } else {
        0.0
    };
    Ok(BurnRate {
        rate,
        alert: rate >= threshold,
    })
}

/// Projects `spend` after `elapsed` of a `period` (same unit, `0 < elapsed ≤ period`) linearly
/// to the whole period.
pub fn forecast_breach(
    spend: f64,
    elapsed: f64,
    period: f64,
    limit: f64,
) -> Result<Forecast, &'static str> {
    non_negative(spend, "spend must be a finite number >= 0")?;
    positive(period, "period must be a finite number > 0")?;
    if !(elapsed > 0.0 && elapsed <= period) {
        return Err("elapsed must be in (0, period]");
    }
    positive(limit, "budget limit must be a finite number > 0")?;
    let projected = spend / elapsed * period;
    Ok(Forecast {
        projected,
        breach: projected >= limit,
    })
}

/// cloudcircuit's combined policy.
pub fn decide(breached: bool, breaker_open: bool, warning: bool, spike: bool) -> BudgetDecision {
    if breached || breaker_open {
        BudgetDecision::Block
    } else if warning || spike {
        BudgetDecision::Throttle
    } else {
        BudgetDecision::Allow
    }
}

/// Parameters of a [`SpendMonitor`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MonitorConfig {
    pub limit: f64,
    pub warning_ratio: f64,
    pub spike_multiplier: f64,
    pub min_baseline: f64,
    /// Points kept for the spike test (at least 2, the latest included).
    pub history: usize,
    /// Consecutive failures that open the breaker (cloudcircuit: 3).
    pub breaker_threshold: u32,
    /// Steps the breaker stays open once tripped.
    pub breaker_cooldown: u32,
}

impl MonitorConfig {
    /// cloudcircuit's defaults with `limit`: warning 0.9, spike ×1.5, 30 points, breaker 3
    /// failures, cooldown 5 steps.
    pub fn with_limit(limit: f64) -> Self {
        MonitorConfig {
            limit,
            warning_ratio: DEFAULT_WARNING_RATIO,
            spike_multiplier: DEFAULT_SPIKE_MULTIPLIER,
            min_baseline: 0.0,
            history: 30,
            breaker_threshold: 3,
            breaker_cooldown: 5,
        }
    }

    pub fn validate(&self) -> Result<(), &'static str> {
        check_budget(0.0, self.limit, self.warning_ratio)?;
        check_spike_params(self.spike_multiplier, self.min_baseline)?;
        if self.history < 2 {
            return Err("monitor history must be at least 2 points");
        }
        if self.breaker_threshold == 0 {
            return Err("breaker threshold must be at least 1");
        }
        Ok(())
    }
}

/// One step's evaluation by a [`SpendMonitor`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    pub budget: BudgetStatus,
    /// `None` until two points are in.
    pub spike: Option<Spike>,
    pub breaker_open: bool,
    pub decision: BudgetDecision,
}

/// Accumulates spend step by step (one call per interval: an hour, a simulated second) and
/// evaluates the budget, the spike test over the last `history` points and a cloudcircuit
/// breaker fed by [`on_failure`](Self::on_failure) / [`on_success`](Self::on_success): open while
/// `consecutive failures ≥ threshold`, and for `breaker_cooldown` steps after it trips. Steps
/// never allocate.
#[derive(Clone, Debug)]
pub struct SpendMonitor {
    cfg: MonitorConfig,
    total: f64,
    ring: Vec<f64>,
    len: usize,
    next: usize,
    streak: u32,
    cooldown_left: u32,
}

impl SpendMonitor {
    pub fn new(cfg: MonitorConfig) -> Result<Self, &'static str> {
        cfg.validate()?;
        Ok(SpendMonitor {
            cfg,
            total: 0.0,
            ring: vec![0.0; cfg.history],
            len: 0,
            next: 0,
            streak: 0,
            cooldown_left: 0,
        })
    }

    pub fn on_failure(&mut self) {
        self.streak = self.streak.saturating_add(1);
        if self.streak == self.cfg.breaker_threshold {
            self.cooldown_left = self.cfg.breaker_cooldown;
        }
    }

    pub fn on_success(&mut self) {
        self.streak = 0;
    }

    /// Adds one interval's `spend` and evaluates.
    pub fn step(&mut self, spend: f64) -> Result<Evaluation, &'static str> {
        non_negative(spend, "spend must be a finite number >= 0")?;
        self.total += spend;
        self.push(spend);
        let budget = check_budget(self.total, self.cfg.limit, self.cfg.warning_ratio)?;
        let spike = self.spike();
        let breaker_open = self.streak >= self.cfg.breaker_threshold || self.cooldown_left > 0;
        self.cooldown_left = self.cooldown_left.saturating_sub(1);
        let spiking = spike.is_some_and(|s| s.spike);
        let decision = decide(budget.breached, breaker_open, budget.warning, spiking);
        Ok(Evaluation {
            budget,
            spike,
            breaker_open,
            decision,
        })
    }

    fn push(&mut self, x: f64) {
        self.ring[self.next] = x;
        self.next = (self.next + 1) % self.ring.len();
        self.len = (self.len + 1).min(self.ring.len());
    }

    /// Spike test of the newest point against the others, summed oldest first (the same
    /// arithmetic as [`spike_mean`] on the same points).
    fn spike(&self) -> Option<Spike> {
        if self.len < 2 {
            return None;
        }
        let cap = self.ring.len();
        let oldest = (self.next + cap - self.len) % cap;
        let history = (0..self.len - 1).map(|i| self.ring[(oldest + i) % cap]);
        let baseline = history.sum::<f64>() / (self.len - 1) as f64;
        let latest = self.ring[(self.next + cap - 1) % cap];
        Some(mean_spike(
            latest,
            baseline,
            self.cfg.spike_multiplier,
            self.cfg.min_baseline,
        ))
    }

    /// Spend accumulated so far.
    pub fn total(&self) -> f64 {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_checks_match_cloudcircuit() {
        let ok = check_budget(40.0, 100.0, 0.8).unwrap();
        assert_eq!(
            ok,
            BudgetStatus {
                usage_ratio: 0.4,
                remaining: 60.0,
                warning: false,
                breached: false
            }
        );
        let full = check_budget(100.0, 100.0, 0.8).unwrap();
        assert!(full.warning && full.breached && full.remaining == 0.0);
        let readme = check_budget(920.0, 1000.0, DEFAULT_WARNING_RATIO).unwrap();
        assert!(readme.warning && !readme.breached);
        assert_eq!(readme.usage_ratio, 0.92);
    }

    #[test]
    fn budget_rejects_invalid_input() {
        assert_eq!(
            check_budget(-1.0, 100.0, 0.9),
            Err("spend must be a finite number >= 0")
        );
        assert_eq!(
            check_budget(10.0, 0.0, 0.9),
            Err("budget limit must be a finite number > 0")
        );
        assert_eq!(
            check_budget(10.0, 100.0, 0.0),
            Err("warning_ratio must be in (0, 1]")
        );
        assert!(check_budget(f64::NAN, 100.0, 0.9).is_err());
        assert!(check_budget(10.0, f64::INFINITY, 0.9).is_err());
        assert!(check_budget(10.0, 100.0, f64::NAN).is_err());
    }

    #[test]
    fn mean_spike_matches_cloudcircuit() {
        let s = spike_mean(&[10.0, 10.0, 10.0, 20.0], 1.5, 0.0).unwrap();
        assert_eq!((s.baseline, s.threshold, s.spike), (10.0, 15.0, true));
        let s = spike_mean(&[0.0, 0.0, 0.0, 0.4], 2.0, 0.5).unwrap();
        assert_eq!((s.baseline, s.threshold, s.spike), (0.0, 1.0, false));
        let s = spike_mean(&[120.0, 125.0, 118.0, 260.0], DEFAULT_SPIKE_MULTIPLIER, 0.0).unwrap();
        assert_eq!((s.baseline, s.threshold, s.spike), (121.0, 181.5, true));
        let s = spike_mean(&[10.0, 15.0], 1.5, 0.0).unwrap();
        assert!(!s.spike, "equal to the threshold is not a spike");
    }

    #[test]
    fn spike_tests_reject_invalid_input() {
        assert_eq!(
            spike_mean(&[1.0], 1.5, 0.0),
            Err("series must contain at least 2 points")
        );
        assert!(spike_mean(&[], 1.5, 0.0).is_err());
        assert!(spike_mean(&[1.0, 2.0], 1.0, 0.0).is_err());
        assert!(spike_mean(&[1.0, -1.0], 2.0, 0.0).is_err());
        assert!(spike_mean(&[1.0, f64::NAN], 2.0, 0.0).is_err());
        assert!(spike_mean(&[1.0, 2.0], 2.0, -1.0).is_err());
        assert!(spike_robust(&[1.0], 3.5).is_err());
        assert!(spike_robust(&[1.0, 2.0], 0.0).is_err());
    }

    #[test]
    fn robust_spike_uses_median_and_mad() {
        // History 10, 12, 11, 13, 10: median 11, deviations 1, 1, 0, 2, 1: MAD 1.
        let threshold = 11.0 + 3.5 / 0.6745;
        let s = spike_robust(&[10.0, 12.0, 11.0, 13.0, 10.0, 17.0], DEFAULT_ROBUST_Z).unwrap();
        assert_eq!((s.baseline, s.threshold, s.spike), (11.0, threshold, true));
        assert!(
            !spike_robust(&[10.0, 12.0, 11.0, 13.0, 10.0, 16.0], 3.5)
                .unwrap()
                .spike
        );
        // Even history: median of the middle two; one outlier does not move it.
        let s = spike_robust(&[10.0, 1000.0, 12.0, 11.0, 12.5], 3.5).unwrap();
        assert_eq!(s.baseline, 11.5);
        // Flat history: MAD 0, any rise is a spike.
        assert!(spike_robust(&[5.0, 5.0, 5.0, 5.1], 3.5).unwrap().spike);
    }

    #[test]
    fn burn_rate_compares_the_latest_with_the_mean_before_it() {
        let b = burn_rate(&[10.0, 10.0, 10.0, 14.0], DEFAULT_BURN_THRESHOLD).unwrap();
        assert_eq!(
            b,
            BurnRate {
                rate: 1.4,
                alert: true
            }
        );
        assert!(!burn_rate(&[10.0, 10.0, 10.0, 13.0], 1.4).unwrap().alert);
        assert_eq!(
            burn_rate(&[0.0, 0.0, 1.0], 1.4).unwrap().rate,
            f64::INFINITY
        );
        assert_eq!(
            burn_rate(&[0.0, 0.0], 1.4).unwrap(),
            BurnRate {
                rate: 0.0,
                alert: false
            }
        );
        assert!(burn_rate(&[1.0, 2.0], 0.0).is_err());
    }

    #[test]
    fn forecast_projects_linearly_over_the_period() {
        assert_eq!(
            forecast_breach(400.0, 10.0, 30.0, 1000.0),
            Ok(Forecast {
                projected: 1200.0,
                breach: true
            })
        );
        assert_eq!(
            forecast_breach(300.0, 10.0, 30.0, 1000.0),
            Ok(Forecast {
                projected: 900.0,
                breach: false
            })
        );
        assert!(forecast_breach(100.0, 0.0, 30.0, 1000.0).is_err());
        assert!(forecast_breach(100.0, 31.0, 30.0, 1000.0).is_err());
        assert!(forecast_breach(-1.0, 1.0, 30.0, 1000.0).is_err());
    }

    #[test]
    fn combined_decision_table() {
        use BudgetDecision::*;
        assert_eq!(decide(false, false, false, false), Allow);
        assert_eq!(decide(false, false, true, false), Throttle);
        assert_eq!(decide(false, false, false, true), Throttle);
        assert_eq!(decide(true, false, true, true), Block);
        assert_eq!(decide(false, true, false, false), Block);
    }

    #[test]
    fn monitor_escalates_from_spike_to_warning_to_breach() {
        use BudgetDecision::*;
        let mut m = SpendMonitor::new(MonitorConfig {
            history: 4,
            ..MonitorConfig::with_limit(100.0)
        })
        .unwrap();
        let first = m.step(10.0).unwrap();
        assert_eq!((first.spike, first.decision), (None, Allow));
        assert_eq!(m.step(10.0).unwrap().decision, Allow);
        assert_eq!(m.step(10.0).unwrap().decision, Allow);
        let spike = m.step(40.0).unwrap(); // 40 > 1.5 · 10
        assert_eq!(
            (spike.spike.unwrap().threshold, spike.decision),
            (15.0, Throttle)
        );
        let warn = m.step(25.0).unwrap(); // total 95: warning; history 10 10 40 | 25: no spike
        assert!(warn.budget.warning && !warn.spike.unwrap().spike);
        assert_eq!(warn.decision, Throttle);
        let breach = m.step(5.0).unwrap();
        assert_eq!((breach.budget.breached, breach.decision), (true, Block));
        assert_eq!(m.total(), 100.0);
        assert!(m.step(-1.0).is_err());
    }

    #[test]
    fn monitor_breaker_opens_at_the_threshold_and_cools_down() {
        let cfg = MonitorConfig {
            breaker_threshold: 3,
            breaker_cooldown: 2,
            ..MonitorConfig::with_limit(1e9)
        };
        let mut m = SpendMonitor::new(cfg).unwrap();
        m.on_failure();
        m.on_failure();
        assert!(!m.step(1.0).unwrap().breaker_open);
        m.on_failure();
        m.on_success();
        let open: Vec<bool> = (0..3).map(|_| m.step(1.0).unwrap().breaker_open).collect();
        assert_eq!(open, [true, true, false]);
        for _ in 0..3 {
            m.on_failure();
        }
        let open: Vec<_> = (0..3).map(|_| m.step(1.0).unwrap().decision).collect();
        assert_eq!(
            open,
            [BudgetDecision::Block; 3],
            "open while the streak lasts"
        );
        assert!(SpendMonitor::new(MonitorConfig { history: 1, ..cfg }).is_err());
    }
}
