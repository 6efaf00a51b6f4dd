//! Cost: what a run spends, tick by tick, and cloudcircuit's budget guards watching it.
//!
//! **Accrual.** A [`CostModel`] prices what a tick used ([`Usage`]): requests served, loop
//! and thread-pool CPU time, instance time (replicas alive × time) and LLM tokens, into a
//! [`CostTick`] by category. The engine's time series already hold the spend per tick; the
//! [`CostReport`] holds the totals.
//!
//! **Budget.** A [`BudgetMonitor`] is fed each tick's spend online and evaluates, with the
//! pure functions of [`crate::guards::budget`] (not re-implemented here):
//! `check_budget` on the cumulative spend (warning at `warning_ratio` of the limit, breach at
//! the limit), a spike test of the latest spend rate against the previous ones (`spike_mean`,
//! or `spike_robust`; over the last `history` points, 30 by default), cloudcircuit's burn
//! rate (latest / mean of the previous ones, alerting at ≥ 1.4 — a spend *trend*, not the
//! SLO burn rate), a linear forecast of the spend over the budget `period` (default: the
//! run's duration) and cloudcircuit's decision: breached → BLOCK, warning or spike →
//! THROTTLE, else ALLOW (there is no breaker here: `breaker_open` is false).
//!
//! **Spikes above the noise.** Spend is a count of priced requests, and a count of n has a
//! Poisson spread of √n: at ~10 requests a tick, one tick in twenty is 1.5× the mean by
//! chance, so comparing ticks would "detect" spikes in a steady load — more of them the
//! shorter the ticks, i.e. the shorter the run. The spike and burn tests therefore compare
//! *points* of at least [`MIN_SPIKE_EVENTS`] requests: consecutive ticks are pooled until the
//! pool holds that many, and a point is the pool's spend rate (spend per second). At 100
//! requests the spread is 10%, so ×1.5 is a 5σ excess: a steady rate stays quiet at any run
//! length, while a real 3× step shows within two points. A spike holds until the next point.
//!
//! The configured [`BudgetAction`] says what the engine does with the decision: `alert` only
//! reports it (enforces ALLOW), `throttle` enforces at most THROTTLE, `block` enforces the
//! decision as is (throttle on a warning or spike, block once breached, optionally only one
//! endpoint). The monitor records the first warning, the first breach, every spike, the first
//! forecast breach and when the action was first taken (for `alert`, the first decision other
//! than ALLOW), at the end of the tick that showed it.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use super::format::ser_secs;
use super::ticks::CostTick;
use crate::guards::budget::{
    burn_rate, check_budget, decide, forecast_breach, spike_mean, spike_robust, BudgetDecision,
    DEFAULT_BURN_THRESHOLD, DEFAULT_ROBUST_Z, DEFAULT_SPIKE_MULTIPLIER, DEFAULT_WARNING_RATIO,
};
use crate::time::{to_secs_f64, Nanos};

const NANOS_PER_HOUR: f64 = 3.6e12;

/// The largest price or budget amount a scenario may give (in its currency): far above any
/// real price, and small enough that a run's totals stay finite.
pub const MAX_AMOUNT: f64 = 1e12;

/// `x` as a finite amount ≥ 0: an overflow saturates at `f64::MAX` instead of becoming
/// infinite (which JSON cannot carry and which no budget comparison handles), and a NaN (never
/// produced from valid prices) counts as nothing.
pub fn saturate(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(0.0, f64::MAX)
    }
}

/// The sum of amounts, saturating.
fn sum(amounts: &[f64]) -> f64 {
    amounts.iter().fold(0.0, |total, &a| saturate(total + a))
}

/// A tick's total spend, saturating (the categories in a fixed order).
fn tick_total(t: &CostTick) -> f64 {
    sum(&[t.requests, t.cpu, t.instances, t.llm])
}

/// Prices, in the scenario's currency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct CostModel {
    pub per_request: f64,
    pub per_cpu_second: f64,
    pub per_instance_hour: f64,
    pub llm_per_1k_in: f64,
    pub llm_per_1k_out: f64,
}

/// What one tick used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub requests: u64,
    /// CPU time: loop-held time and thread-pool job time.
    pub cpu_ns: u128,
    /// Instance time: instances alive × time.
    pub instance_ns: u128,
    pub tokens_in: u64,
    pub tokens_out: u64,
}

impl CostModel {
    pub fn validate(&self) -> Result<(), &'static str> {
        let prices = [
            self.per_request,
            self.per_cpu_second,
            self.per_instance_hour,
            self.llm_per_1k_in,
            self.llm_per_1k_out,
        ];
        if prices.iter().all(|p| (0.0..=MAX_AMOUNT).contains(p)) {
            Ok(())
        } else {
            Err("cost: prices must be numbers >= 0 and at most 1e12")
        }
    }

    /// The spend of `usage` over the tick `[start, end)`.
    pub fn tick(&self, start: Nanos, end: Nanos, usage: &Usage) -> CostTick {
        // Each amount saturates rather than overflowing to infinity.
        let price = |per: f64, used: f64| saturate(per * used);
        CostTick {
            start,
            end,
            requests: price(self.per_request, usage.requests as f64),
            cpu: price(self.per_cpu_second, usage.cpu_ns as f64 / 1e9),
            instances: price(
                self.per_instance_hour,
                usage.instance_ns as f64 / NANOS_PER_HOUR,
            ),
            llm: sum(&[
                price(self.llm_per_1k_in, usage.tokens_in as f64 / 1000.0),
                price(self.llm_per_1k_out, usage.tokens_out as f64 / 1000.0),
            ]),
            events: usage.requests,
        }
    }
}

/// The spike test of the budget monitor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SpikeRule {
    /// cloudcircuit's `check_anomaly_spike`: latest > max(mean, min_baseline) × multiplier.
    Mean { multiplier: f64, min_baseline: f64 },
    /// Latest > median + z · MAD / 0.6745.
    Robust { z: f64 },
}

impl Default for SpikeRule {
    fn default() -> Self {
        SpikeRule::Mean {
            multiplier: DEFAULT_SPIKE_MULTIPLIER,
            min_baseline: 0.0,
        }
    }
}

/// What the engine does with the monitor's decision.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BudgetAction {
    /// Report only.
    #[default]
    Alert,
    /// Throttle on a warning, spike or breach.
    Throttle,
    /// Throttle on a warning or spike, block once breached (one endpoint, or everything).
    Block { endpoint: Option<String> },
}

impl BudgetAction {
    /// The decision the engine enforces.
    pub fn enforce(&self, decision: BudgetDecision) -> BudgetDecision {
        match self {
            BudgetAction::Alert => BudgetDecision::Allow,
            BudgetAction::Throttle => decision.min(BudgetDecision::Throttle),
            BudgetAction::Block { .. } => decision,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct BudgetConfig {
    pub limit: f64,
    /// The budget's period for the forecast; `None` = the run's duration.
    pub period: Option<Nanos>,
    pub warning_ratio: f64,
    pub spike: SpikeRule,
    pub burn_threshold: f64,
    /// Points (pools of at least [`MIN_SPIKE_EVENTS`] requests) the spike and burn tests
    /// look at, the latest included (at least 2).
    pub history: usize,
    pub action: BudgetAction,
}

impl BudgetConfig {
    /// cloudcircuit's defaults: warning at 90%, mean spike ×1.5, burn alert at 1.4; 30 ticks
    /// of history; alert only.
    pub fn with_limit(limit: f64) -> Self {
        BudgetConfig {
            limit,
            period: None,
            warning_ratio: DEFAULT_WARNING_RATIO,
            spike: SpikeRule::default(),
            burn_threshold: DEFAULT_BURN_THRESHOLD,
            history: 30,
            action: BudgetAction::Alert,
        }
    }

    /// Checks every parameter with the guards' own validation.
    pub fn validate(&self) -> Result<(), &'static str> {
        check_budget(0.0, self.limit, self.warning_ratio)?;
        if self.limit > MAX_AMOUNT {
            return Err("budget: limit must be at most 1e12");
        }
        let flat = [0.0, 0.0];
        match self.spike {
            SpikeRule::Mean {
                multiplier,
                min_baseline,
            } => spike_mean(&flat, multiplier, min_baseline).map(|_| ())?,
            SpikeRule::Robust { z } => spike_robust(&flat, z).map(|_| ())?,
        }
        burn_rate(&flat, self.burn_threshold)?;
        if self.history < 2 {
            return Err("budget: history must be at least 2 ticks");
        }
        if self.period == Some(0) {
            return Err("budget: period must be > 0");
        }
        Ok(())
    }
}

impl SpikeRule {
    /// The robust test with cloudcircuit's z = 3.5.
    pub fn robust() -> Self {
        SpikeRule::Robust {
            z: DEFAULT_ROBUST_Z,
        }
    }

    fn test(&self, series: &[f64]) -> Result<bool, &'static str> {
        let spike = match *self {
            SpikeRule::Mean {
                multiplier,
                min_baseline,
            } => spike_mean(series, multiplier, min_baseline)?,
            SpikeRule::Robust { z } => spike_robust(series, z)?,
        };
        Ok(spike.spike)
    }
}

/// One tick's evaluation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    /// End of the tick.
    pub at: Nanos,
    /// Cumulative spend.
    pub spent: f64,
    pub usage_ratio: f64,
    pub warning: bool,
    pub breached: bool,
    /// The latest tick is a spike (false until two ticks are in).
    pub spike: bool,
    /// cloudcircuit's burn rate, latest / mean of the previous ticks (`None` until two ticks
    /// are in), and whether it reaches the threshold.
    pub burn_rate: Option<f64>,
    pub burn_alert: bool,
    /// Spend projected over the period, and whether it reaches the limit.
    pub projected: Option<f64>,
    pub forecast_breach: bool,
    /// cloudcircuit's decision, and what the configured action enforces.
    pub decision: BudgetDecision,
    pub enforce: BudgetDecision,
}

/// The budget's story over a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BudgetReport {
    pub limit: f64,
    pub spent: f64,
    pub usage_ratio: f64,
    #[serde(rename = "period_s", serialize_with = "ser_secs")]
    pub period: Nanos,
    pub warning_at_s: Option<f64>,
    pub breached_at_s: Option<f64>,
    /// Points of the spike test that were spikes.
    pub spikes: u64,
    /// The ticks at which a spike stood (the first 1000).
    pub spikes_at_s: Vec<f64>,
    /// The last forecast, and when a forecast first reached the limit.
    pub projected: Option<f64>,
    pub forecast_breach: bool,
    pub forecast_breach_at_s: Option<f64>,
    pub action: BudgetAction,
    pub action_taken_at_s: Option<f64>,
}

/// Requests a point of the spike and burn tests holds at least (see the module doc).
pub const MIN_SPIKE_EVENTS: u64 = 100;

/// Spike times kept in the report (the count goes on).
const MAX_SPIKES_LOGGED: usize = 1000;

/// A burn-rate result: the rate and whether it alerts.
type Burn = (f64, bool);

/// Ticks being pooled into the next point of the spike and burn tests.
#[derive(Clone, Copy, Debug, Default)]
struct Pool {
    start: Option<Nanos>,
    spend: f64,
    events: u64,
}

/// Watches the spend tick by tick (see the module doc).
#[derive(Clone, Debug)]
pub struct BudgetMonitor {
    cfg: BudgetConfig,
    period: Nanos,
    start: Option<Nanos>,
    spent: f64,
    recent: VecDeque<f64>,
    pool: Pool,
    /// The last point's spike and burn results (they hold until the next point).
    spiking: bool,
    burn: Option<Burn>,
    spikes: u64,
    last: Option<Evaluation>,
    warning_at: Option<Nanos>,
    breached_at: Option<Nanos>,
    spikes_at: Vec<Nanos>,
    forecast_breach_at: Option<Nanos>,
    action_taken_at: Option<Nanos>,
}

impl BudgetMonitor {
    /// `duration` is the run's, the budget period unless the config sets one.
    pub fn new(cfg: BudgetConfig, duration: Nanos) -> Result<Self, &'static str> {
        cfg.validate()?;
        let period = cfg.period.unwrap_or(duration);
        if period == 0 {
            return Err("budget: period must be > 0");
        }
        Ok(BudgetMonitor {
            recent: VecDeque::with_capacity(cfg.history),
            pool: Pool::default(),
            spiking: false,
            burn: None,
            spikes: 0,
            cfg,
            period,
            start: None,
            spent: 0.0,
            last: None,
            warning_at: None,
            breached_at: None,
            spikes_at: Vec::new(),
            forecast_breach_at: None,
            action_taken_at: None,
        })
    }

    pub fn config(&self) -> &BudgetConfig {
        &self.cfg
    }

    pub fn last(&self) -> Option<&Evaluation> {
        self.last.as_ref()
    }

    /// What the engine should enforce now (ALLOW before the first tick).
    pub fn enforce(&self) -> BudgetDecision {
        self.last.map_or(BudgetDecision::Allow, |e| e.enforce)
    }

    fn push(&mut self, spend: f64) -> &[f64] {
        if self.recent.len() == self.cfg.history {
            self.recent.pop_front();
        }
        self.recent.push_back(spend);
        self.recent.make_contiguous()
    }

    /// Pools the tick; when the pool holds enough requests, its spend rate becomes the next
    /// point and the spike and burn tests run on the points. Returns the tests' standing
    /// results.
    fn pool_tick(
        &mut self,
        tick: &CostTick,
        spend: f64,
    ) -> Result<(bool, Option<Burn>), &'static str> {
        let start = *self.pool.start.get_or_insert(tick.start);
        self.pool.spend = sum(&[self.pool.spend, spend]);
        self.pool.events += tick.events;
        let span = tick.end.saturating_sub(start);
        if self.pool.events < MIN_SPIKE_EVENTS || span == 0 {
            return Ok((self.spiking, self.burn));
        }
        let rate = saturate(self.pool.spend / to_secs_f64(span));
        self.pool = Pool::default();
        let (spike_rule, burn_threshold) = (self.cfg.spike, self.cfg.burn_threshold);
        let series = self.push(rate);
        if series.len() >= 2 {
            let spiking = spike_rule.test(series)?;
            let b = burn_rate(series, burn_threshold)?;
            self.spiking = spiking;
            self.burn = Some((b.rate, b.alert));
            self.spikes += u64::from(spiking);
        }
        Ok((self.spiking, self.burn))
    }

    fn forecast(&self, now: Nanos) -> Result<Option<(f64, bool)>, &'static str> {
        let elapsed = now
            .saturating_sub(self.start.unwrap_or(now))
            .min(self.period);
        if elapsed == 0 {
            return Ok(None);
        }
        let f = forecast_breach(
            self.spent,
            to_secs_f64(elapsed),
            to_secs_f64(self.period),
            self.cfg.limit,
        )?;
        Ok(Some((f.projected, f.breach)))
    }

    /// Adds one tick's spend and evaluates.
    pub fn observe(&mut self, tick: &CostTick) -> Result<Evaluation, &'static str> {
        let amounts = [tick.requests, tick.cpu, tick.instances, tick.llm];
        if amounts.iter().any(|a| a.is_nan() || *a < 0.0) {
            return Err("budget: tick spend must be a number >= 0");
        }
        // An infinite amount (never produced by `CostModel::tick`) saturates like the sum.
        let spend = tick_total(tick);
        self.start.get_or_insert(tick.start);
        self.spent = sum(&[self.spent, spend]);
        let (spike, burn) = self.pool_tick(tick, spend)?;
        let status = check_budget(self.spent, self.cfg.limit, self.cfg.warning_ratio)?;
        let forecast = self.forecast(tick.end)?;
        let decision = decide(status.breached, false, status.warning, spike);
        let e = Evaluation {
            at: tick.end,
            spent: self.spent,
            usage_ratio: saturate(status.usage_ratio),
            warning: status.warning,
            breached: status.breached,
            spike,
            burn_rate: burn.map(|b| b.0),
            burn_alert: burn.is_some_and(|b| b.1),
            projected: forecast.map(|f| saturate(f.0)),
            forecast_breach: forecast.is_some_and(|f| f.1),
            decision,
            enforce: self.cfg.action.enforce(decision),
        };
        self.record(&e);
        Ok(e)
    }

    fn record(&mut self, e: &Evaluation) {
        let first = |slot: &mut Option<Nanos>, hit: bool| {
            if hit && slot.is_none() {
                *slot = Some(e.at);
            }
        };
        first(&mut self.warning_at, e.warning);
        first(&mut self.breached_at, e.breached);
        first(&mut self.forecast_breach_at, e.forecast_breach);
        let acted = match self.cfg.action {
            BudgetAction::Alert => e.decision != BudgetDecision::Allow,
            _ => e.enforce != BudgetDecision::Allow,
        };
        first(&mut self.action_taken_at, acted);
        if e.spike
            && self.spikes_at.len() < MAX_SPIKES_LOGGED
            && self.spikes_at.last() != Some(&e.at)
        {
            self.spikes_at.push(e.at);
        }
        self.last = Some(*e);
    }

    pub fn report(&self) -> BudgetReport {
        let secs = |t: Option<Nanos>| t.map(to_secs_f64);
        BudgetReport {
            limit: self.cfg.limit,
            spent: self.spent,
            usage_ratio: saturate(self.spent / self.cfg.limit),
            period: self.period,
            warning_at_s: secs(self.warning_at),
            breached_at_s: secs(self.breached_at),
            spikes: self.spikes,
            spikes_at_s: self.spikes_at.iter().map(|&t| to_secs_f64(t)).collect(),
            projected: self.last.and_then(|e| e.projected),
            forecast_breach: self.last.is_some_and(|e| e.forecast_breach),
            forecast_breach_at_s: secs(self.forecast_breach_at),
            action: self.cfg.action.clone(),
            action_taken_at_s: secs(self.action_taken_at),
        }
    }
}

/// Spend by category.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct CostBreakdown {
    pub requests: f64,
    pub cpu: f64,
    pub instances: f64,
    pub llm: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostReport {
    pub total: f64,
    pub by_category: CostBreakdown,
    pub budget: Option<BudgetReport>,
}

/// Totals of the ticks (summed in tick order) and the budget monitor's report, if any.
pub fn cost_report(ticks: &[CostTick], budget: Option<&BudgetMonitor>) -> CostReport {
    let mut by = CostBreakdown::default();
    let mut total = 0.0;
    for t in ticks {
        by.requests = sum(&[by.requests, t.requests]);
        by.cpu = sum(&[by.cpu, t.cpu]);
        by.instances = sum(&[by.instances, t.instances]);
        by.llm = sum(&[by.llm, t.llm]);
        total = sum(&[total, tick_total(t)]);
    }
    CostReport {
        total,
        by_category: by,
        budget: budget.map(BudgetMonitor::report),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::NANOS_PER_SEC as S;
    use BudgetDecision::*;

    /// Absurd prices (beyond what validation lets through) saturate instead of making the
    /// totals infinite, and the budget still breaches.
    #[test]
    fn spend_saturates_and_never_becomes_infinite() {
        let m = CostModel {
            per_request: f64::MAX,
            per_cpu_second: f64::MAX,
            per_instance_hour: 1e308,
            llm_per_1k_in: f64::MAX,
            llm_per_1k_out: f64::MAX,
        };
        assert!(m.validate().is_err());
        let u = Usage {
            requests: 10,
            cpu_ns: 5 * S as u128,
            instance_ns: 3600 * S as u128,
            tokens_in: 5000,
            tokens_out: 5000,
        };
        let t = m.tick(0, S, &u);
        for amount in [t.requests, t.cpu, t.instances, t.llm, tick_total(&t)] {
            assert!(amount.is_finite() && amount > 0.0, "{amount}");
        }
        let mut b = BudgetMonitor::new(BudgetConfig::with_limit(5.0), 10 * S).unwrap();
        let e = b.observe(&t).expect("a saturated spend is still evaluated");
        assert!(e.breached && e.spent.is_finite() && e.usage_ratio.is_finite());
        let e = b.observe(&m.tick(S, 2 * S, &u)).unwrap();
        assert!(e.spent.is_finite() && e.projected.is_some_and(f64::is_finite));
        let r = cost_report(&[t.clone(), t.clone(), t], Some(&b));
        assert!(r.total.is_finite() && r.by_category.requests.is_finite());
        assert!(r.budget.unwrap().usage_ratio.is_finite());
        assert_eq!(saturate(f64::NAN), 0.0);
        assert_eq!(saturate(f64::INFINITY), f64::MAX);
        let over = BudgetConfig::with_limit(2e12);
        assert!(over.validate().is_err());
    }

    #[test]
    fn accrual_prices_each_category() {
        let m = CostModel {
            per_request: 0.5,
            per_cpu_second: 0.25,
            per_instance_hour: 36.0,
            llm_per_1k_in: 0.5,
            llm_per_1k_out: 1.5,
        };
        let u = Usage {
            requests: 4,
            cpu_ns: 2 * S as u128,
            instance_ns: 100 * S as u128,
            tokens_in: 2000,
            tokens_out: 1000,
        };
        let t = m.tick(S, 2 * S, &u);
        assert_eq!((t.start, t.end), (S, 2 * S));
        assert_eq!(
            (t.requests, t.cpu, t.instances, t.llm),
            (2.0, 0.5, 1.0, 2.5)
        );
        assert_eq!(t.total(), 6.0);
        assert!(m.validate().is_ok());
        let bad = CostModel {
            per_request: -1.0,
            ..m
        };
        assert!(bad.validate().is_err());
        let r = cost_report(&[t.clone(), t], None);
        assert_eq!(r.total, 12.0);
        assert_eq!(r.by_category.llm, 5.0);
        assert!(r.budget.is_none());
    }

    /// A one-second tick of `x` spend over enough requests to be a point of its own.
    fn spend(i: u64, x: f64) -> CostTick {
        CostTick {
            start: i * S,
            end: (i + 1) * S,
            requests: x,
            events: MIN_SPIKE_EVENTS,
            ..CostTick::default()
        }
    }

    /// Limit 10 over a 10 s run; a spike at 5 s, another at 6 s, 90% at 8 s, 100% at 9 s.
    const SPENDS: [f64; 10] = [0.5, 0.5, 0.5, 0.5, 2.0, 3.0, 1.5, 0.5, 1.0, 0.5];

    fn run(action: BudgetAction) -> (BudgetMonitor, Vec<Evaluation>) {
        let cfg = BudgetConfig {
            action,
            ..BudgetConfig::with_limit(10.0)
        };
        let mut m = BudgetMonitor::new(cfg, 10 * S).unwrap();
        let evals = SPENDS
            .iter()
            .enumerate()
            .map(|(i, &x)| m.observe(&spend(i as u64, x)).unwrap())
            .collect();
        (m, evals)
    }

    #[test]
    fn monitor_records_warning_breach_and_spikes() {
        let (m, e) = run(BudgetAction::Block { endpoint: None });
        let spent: Vec<f64> = e.iter().map(|e| e.spent).collect();
        assert_eq!(spent, [0.5, 1.0, 1.5, 2.0, 4.0, 7.0, 8.5, 9.0, 10.0, 10.5]);
        // Tick 5: 2 against a mean of 0.5 (threshold 0.75): a spike; burn rate 4.
        assert!(e[4].spike && !e[3].spike);
        assert_eq!(e[4].burn_rate, Some(4.0));
        assert!(e[4].burn_alert);
        assert_eq!(e[0].burn_rate, None);
        // Tick 6: 7 spent after 6 s projects to 11.67 over 10 s.
        assert!(!e[4].forecast_breach && e[5].forecast_breach);
        let decisions: Vec<_> = e.iter().map(|e| e.decision).collect();
        assert_eq!(
            decisions,
            [Allow, Allow, Allow, Allow, Throttle, Throttle, Allow, Throttle, Block, Block]
        );
        let r = m.report();
        assert_eq!(r.warning_at_s, Some(8.0));
        assert_eq!(r.breached_at_s, Some(9.0));
        assert_eq!(r.spikes_at_s, [5.0, 6.0]);
        assert_eq!(r.forecast_breach_at_s, Some(6.0));
        assert_eq!(r.action_taken_at_s, Some(5.0));
        assert_eq!((r.spent, r.usage_ratio, r.period), (10.5, 1.05, 10 * S));
        assert_eq!(r.projected, Some(10.5));
        assert_eq!(m.enforce(), Block);
    }

    #[test]
    fn the_action_decides_what_is_enforced() {
        let (m, e) = run(BudgetAction::Alert);
        assert!(e.iter().all(|e| e.enforce == Allow));
        assert_eq!(
            m.report().action_taken_at_s,
            Some(5.0),
            "the alert is raised"
        );
        let (m, e) = run(BudgetAction::Throttle);
        assert_eq!(e[8].decision, Block);
        assert_eq!(e[8].enforce, Throttle);
        assert_eq!(m.enforce(), Throttle);
    }

    #[test]
    fn robust_spike_rule_and_history_window() {
        let cfg = BudgetConfig {
            spike: SpikeRule::robust(),
            history: 3,
            ..BudgetConfig::with_limit(100.0)
        };
        let mut m = BudgetMonitor::new(cfg, 100 * S).unwrap();
        let e: Vec<bool> = [5.0, 1.0, 1.0, 1.5, 1.0]
            .iter()
            .enumerate()
            .map(|(i, &x)| m.observe(&spend(i as u64, x)).unwrap().spike)
            .collect();
        // With 3 ticks of history the early 5 is forgotten by the fourth tick: against a flat
        // 1, 1 (MAD 0) the 1.5 is a spike.
        assert_eq!(e, [false, false, false, true, false]);
    }

    #[test]
    fn invalid_configs_are_rejected() {
        let bad = |f: fn(&mut BudgetConfig)| {
            let mut c = BudgetConfig::with_limit(10.0);
            f(&mut c);
            BudgetMonitor::new(c, S).is_err()
        };
        assert!(bad(|c| c.limit = 0.0));
        assert!(bad(|c| c.warning_ratio = 1.5));
        assert!(bad(|c| c.spike = SpikeRule::Mean {
            multiplier: 1.0,
            min_baseline: 0.0
        }));
        assert!(bad(|c| c.spike = SpikeRule::Robust { z: 0.0 }));
        assert!(bad(|c| c.burn_threshold = -1.0));
        assert!(bad(|c| c.history = 1));
        assert!(bad(|c| c.period = Some(0)));
        assert!(BudgetMonitor::new(BudgetConfig::with_limit(10.0), 0).is_err());
        let mut m = BudgetMonitor::new(BudgetConfig::with_limit(10.0), S).unwrap();
        assert!(m.observe(&spend(0, f64::NAN)).is_err());
    }

    #[test]
    fn action_serialises_with_a_kind() {
        let j = |a: &BudgetAction| serde_json::to_string(a).unwrap();
        assert_eq!(j(&BudgetAction::Alert), r#"{"kind":"alert"}"#);
        assert_eq!(
            j(&BudgetAction::Block {
                endpoint: Some("/llm".into())
            }),
            r#"{"kind":"block","endpoint":"/llm"}"#
        );
    }
}
