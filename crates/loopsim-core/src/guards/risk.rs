//! A risk-scored guard with quarantine: the evoSentinel model, with a latency term.
//!
//! **Signals (evoSentinel).** EWMAs `v ← a·x + (1 − a)·v`, the first sample initialising `v`:
//! the failure rate (`x` = 1 for a failure, 0 for a success; `a = 0.05`) and the latency of
//! every completed call (`a = 0.1`). Failure *momentum* `V(t) = V₀ · decay^(elapsed s)` with
//! `decay = 0.92`, plus 1 per failure. evoSentinel's self-healing: while momentum is below
//! 0.1 the failure baseline decays ×0.98; evoSentinel applies it per risk evaluation, we apply
//! it per second of simulated time spent below 0.1 (computed exactly from the momentum's
//! decay), so the result does not depend on how often anyone looks.
//!
//! **Our fix: latency in the risk.** The published code tracks latency but never uses it. We
//! add a latency-deviation term against a *baseline*: a slow EWMA (`a = 0.01`) of the
//! latencies of successful calls observed while the guard is HEALTHY:
//!
//! ```text
//! latency_risk = clamp((latency_ewma / baseline − 1) / (deviation_factor − 1), 0, 1)
//! ```
//!
//! with `deviation_factor = 3`: 0 at the baseline, 0.5 at twice it (THROTTLE), 1 at three
//! times it. Why this form: it is scale-free (a ratio, so the same setting fits a 2 ms cache
//! and a 2 s batch call), it lies in [0, 1] like the other two terms so it composes with them
//! by `max` (evoSentinel's own extension point combines risk factors with `max`), and its one
//! parameter reads directly as "how many times slower is fully risky". The baseline learns
//! only while HEALTHY, so it follows slow drifts but does not chase an incident and hide the
//! very slow-down the term is for; a permanent slow-down beyond DEGRADED is therefore treated
//! as an incident until the operator changes the baseline. Self-healing also shrinks the
//! latency excess (`latency_ewma − baseline`) by the same factor as the failure baseline, so
//! a guard blocked by latency alone (no calls, no new samples) recovers.
//!
//! **Risk and decisions.**
//! `risk = min(1, max(failure_ewma, min(1, momentum / 5), latency_risk))`. Decisions: ALLOW
//! below 0.5, THROTTLE from 0.5, BLOCK from 0.8 (evoSentinel's `max_risk`), with hysteresis
//! 0.05 on the way down: leaving BLOCK needs `risk ≤ 0.75`, leaving THROTTLE `risk ≤ 0.45`. A
//! THROTTLE decision carries a delay drawn from [`RiskGuard::backoff`]; the engine delays the
//! call by it (evoSentinel's adaptive backoff). States: HEALTHY below 0.4, DEGRADED from 0.4,
//! CRITICAL from 0.8, QUARANTINED from 0.95.
//!
//! **Quarantine.** Reaching 0.95 quarantines the guard: everything is blocked for a cooldown
//! of 2 s, ×1.3 per re-quarantine, capped at 10 s (2, 2.6, 3.38, 4.394, ... s). When the
//! cooldown ends the risk is re-evaluated at that instant: still ≥ 0.95 starts the next, longer
//! quarantine; otherwise the state follows the risk. The growth resets once the guard is
//! HEALTHY again. Quarantine ends are computed at the instant they happen, whenever the guard
//! is next consulted, so the transitions log does not depend on the engine's cadence.
//!
//! **Consequences of the published model, kept on purpose.** The first outcome initialises the
//! failure EWMA, so a first call that fails sets the risk to 1 and quarantines the guard.
//! Momentum counts failures, not a rate: about 5 failures within the last ~12 s saturate it,
//! whatever the request rate; raise `momentum_scale` for a high-rate caller.

use super::{TransitionLog, TRANSITION_LOG_CAPACITY};
use crate::rng::Rng;
use crate::time::{from_secs_f64, Nanos, NANOS_PER_SEC};

/// Parameters of a [`RiskGuard`]; [`Default`] gives evoSentinel's values and ours.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RiskConfig {
    /// EWMA weight of the failure rate (0.05).
    pub failure_alpha: f64,
    /// EWMA weight of the latency (0.1).
    pub latency_alpha: f64,
    /// EWMA weight of the healthy-latency baseline (0.01).
    pub baseline_alpha: f64,
    /// Latency (as a multiple of the baseline) at which the latency risk reaches 1 (3).
    pub deviation_factor: f64,
    /// Momentum decay per second (0.92).
    pub momentum_decay: f64,
    /// Momentum giving a risk of 1 (5).
    pub momentum_scale: f64,
    /// Momentum below which self-healing runs (0.1).
    pub heal_below: f64,
    /// Self-healing factor per second (0.98; 1 disables healing).
    pub heal_decay: f64,
    pub throttle_at: f64,
    pub block_at: f64,
    pub hysteresis: f64,
    pub degraded_at: f64,
    pub critical_at: f64,
    pub quarantine_at: f64,
    pub quarantine_base: Nanos,
    pub quarantine_growth: f64,
    pub quarantine_cap: Nanos,
    /// Base of the adaptive backoff (0.5 s).
    pub base_backoff: Nanos,
}

impl Default for RiskConfig {
    fn default() -> Self {
        RiskConfig {
            failure_alpha: 0.05,
            latency_alpha: 0.1,
            baseline_alpha: 0.01,
            deviation_factor: 3.0,
            momentum_decay: 0.92,
            momentum_scale: 5.0,
            heal_below: 0.1,
            heal_decay: 0.98,
            throttle_at: 0.5,
            block_at: 0.8,
            hysteresis: 0.05,
            degraded_at: 0.4,
            critical_at: 0.8,
            quarantine_at: 0.95,
            quarantine_base: 2 * NANOS_PER_SEC,
            quarantine_growth: 1.3,
            quarantine_cap: 10 * NANOS_PER_SEC,
            base_backoff: NANOS_PER_SEC / 2,
        }
    }
}

fn unit(x: f64) -> bool {
    x > 0.0 && x <= 1.0
}

impl RiskConfig {
    pub fn validate(&self) -> Result<(), &'static str> {
        let c = self;
        let checks = [
            (
                unit(c.failure_alpha),
                "risk: failure_alpha must be in (0, 1]",
            ),
            (
                unit(c.latency_alpha),
                "risk: latency_alpha must be in (0, 1]",
            ),
            (
                unit(c.baseline_alpha),
                "risk: baseline_alpha must be in (0, 1]",
            ),
            (
                c.deviation_factor > 1.0 && c.deviation_factor.is_finite(),
                "risk: deviation_factor must be > 1",
            ),
            (
                c.momentum_decay > 0.0 && c.momentum_decay < 1.0,
                "risk: momentum_decay must be in (0, 1)",
            ),
            (
                c.momentum_scale > 0.0 && c.momentum_scale.is_finite(),
                "risk: momentum_scale must be > 0",
            ),
            (
                c.heal_below >= 0.0 && c.heal_below.is_finite(),
                "risk: heal_below must be >= 0",
            ),
            (unit(c.heal_decay), "risk: heal_decay must be in (0, 1]"),
            (
                unit(c.throttle_at) && c.throttle_at <= c.block_at && c.block_at <= 1.0,
                "risk: need 0 < throttle_at <= block_at <= 1",
            ),
            (
                (0.0..=1.0).contains(&c.hysteresis),
                "risk: hysteresis must be in [0, 1]",
            ),
            (
                unit(c.degraded_at)
                    && c.degraded_at <= c.critical_at
                    && c.critical_at <= c.quarantine_at
                    && c.quarantine_at <= 1.0,
                "risk: need 0 < degraded_at <= critical_at <= quarantine_at <= 1",
            ),
            (c.quarantine_base > 0, "risk: quarantine_base must be > 0"),
            (
                c.quarantine_growth >= 1.0 && c.quarantine_growth.is_finite(),
                "risk: quarantine_growth must be >= 1",
            ),
            (
                c.quarantine_cap >= c.quarantine_base,
                "risk: quarantine_cap must be >= quarantine_base",
            ),
        ];
        match checks.iter().find(|(ok, _)| !ok) {
            Some((_, msg)) => Err(msg),
            None => Ok(()),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RiskState {
    Healthy,
    Degraded,
    Critical,
    Quarantined,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RiskDecision {
    Allow,
    /// Proceed after `delay` (the adaptive backoff).
    Throttle {
        delay: Nanos,
    },
    Block,
}

/// Quarantine ends renewed one by one in [`RiskGuard::poll`] before the closed form.
const STEPWISE_ENDS: u32 = 64;

/// Decayed signals at some future instant.
struct Projection {
    momentum: f64,
    failure_ewma: Option<f64>,
    latency_ewma: Option<f64>,
}

/// A chain of back-to-back quarantines from `first_end` (end 0): the quarantine renewed at
/// end k lasts cooldown c_k = min(c_0 g^k, cap), so end j = end 0 + Σ_{k<j} c_k.
struct QuarantineChain {
    first_end: Nanos,
    cooldown: f64,
    growth: f64,
    cap: f64,
}

impl QuarantineChain {
    /// How many cooldowns grow before the cap is reached.
    fn growing(&self) -> u64 {
        if self.growth <= 1.0 || self.cooldown >= self.cap {
            return 0;
        }
        let n = libm::ceil(libm::log(self.cap / self.cooldown) / libm::log(self.growth));
        if n >= u64::MAX as f64 {
            u64::MAX
        } else {
            n as u64
        }
    }

    /// The cooldown of the quarantine renewed at end k.
    fn cooldown_at(&self, k: u64) -> f64 {
        if k < self.growing() {
            (self.cooldown * libm::pow(self.growth, k as f64)).min(self.cap)
        } else if self.growth > 1.0 {
            self.cap
        } else {
            self.cooldown.min(self.cap)
        }
    }

    /// End j, saturating at `Nanos::MAX`.
    fn end(&self, j: u64) -> Nanos {
        let n1 = self.growing().min(j);
        let grown = if n1 == 0 {
            0.0
        } else {
            self.cooldown * (libm::pow(self.growth, n1 as f64) - 1.0) / (self.growth - 1.0)
        };
        let steady = self.cooldown_at(self.growing());
        let total = grown + (j - n1) as f64 * libm::round(steady);
        let end = self.first_end as f64 + total;
        if end >= Nanos::MAX as f64 {
            Nanos::MAX
        } else {
            libm::round(end) as Nanos
        }
    }
}

/// The largest `j` with `holds(j)`, for a predicate true at 0 and monotone (true then false).
fn last_index(holds: impl Fn(u64) -> bool) -> u64 {
    let (mut lo, mut hi) = (0u64, u64::MAX);
    if holds(hi) {
        return hi;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if holds(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

fn ewma(prev: Option<f64>, x: f64, a: f64) -> f64 {
    match prev {
        None => x,
        Some(v) => a * x + (1.0 - a) * v,
    }
}

/// Healthy samples the latency baseline needs before the latency term counts. Without this
/// warm-up one fast first call sets a tiny baseline, the next ordinary calls look like a
/// latency incident, and since the baseline only learns while HEALTHY it never recovers.
pub const BASELINE_WARMUP: u32 = 20;

/// The evoSentinel-style guard; see the [module documentation](self).
#[derive(Clone, Debug)]
pub struct RiskGuard {
    cfg: RiskConfig,
    failure_ewma: Option<f64>,
    /// Latency EWMA and baseline, in ns.
    latency_ewma: Option<f64>,
    baseline: Option<f64>,
    /// Healthy samples the baseline has learned from (see [`BASELINE_WARMUP`]).
    baseline_samples: u32,
    /// Momentum as of `at`.
    momentum: f64,
    at: Nanos,
    risk: f64,
    /// Level of the last decision: 0 allow, 1 throttle, 2 block.
    level: u8,
    state: RiskState,
    quarantine_until: Nanos,
    /// Cooldown of the next quarantine, in ns.
    next_cooldown: f64,
    quarantines: u64,
    throttled: u64,
    blocked: u64,
    log: TransitionLog<RiskState>,
}

impl RiskGuard {
    pub fn new(cfg: RiskConfig) -> Result<Self, &'static str> {
        cfg.validate()?;
        Ok(RiskGuard {
            cfg,
            failure_ewma: None,
            latency_ewma: None,
            baseline: None,
            baseline_samples: 0,
            momentum: 0.0,
            at: 0,
            risk: 0.0,
            level: 0,
            state: RiskState::Healthy,
            quarantine_until: 0,
            next_cooldown: cfg.quarantine_base as f64,
            quarantines: 0,
            throttled: 0,
            blocked: 0,
            log: TransitionLog::with_capacity(TRANSITION_LOG_CAPACITY),
        })
    }

    /// Decides on a call at `now`. Draws from `rng` only for a THROTTLE delay.
    pub fn decide(&mut self, now: Nanos, rng: &mut Rng) -> RiskDecision {
        self.poll(now);
        let level = if self.state == RiskState::Quarantined {
            2
        } else {
            self.level_for(self.risk)
        };
        self.level = level;
        match level {
            0 => RiskDecision::Allow,
            1 => {
                self.throttled += 1;
                RiskDecision::Throttle {
                    delay: self.backoff(rng),
                }
            }
            _ => {
                self.blocked += 1;
                RiskDecision::Block
            }
        }
    }

    /// Records the outcome of a call completed at `now` after `latency`.
    pub fn on_result(&mut self, now: Nanos, ok: bool, latency: Nanos) {
        self.poll(now);
        let c = self.cfg;
        let lat = latency as f64;
        self.failure_ewma = Some(ewma(
            self.failure_ewma,
            if ok { 0.0 } else { 1.0 },
            c.failure_alpha,
        ));
        self.latency_ewma = Some(ewma(self.latency_ewma, lat, c.latency_alpha));
        if ok && self.state == RiskState::Healthy {
            // During the warm-up the baseline is the plain mean of the samples so far.
            let n = self.baseline_samples;
            self.baseline = Some(match (self.baseline, n < BASELINE_WARMUP) {
                (Some(b), true) => b + (lat - b) / (n + 1) as f64,
                (b, _) => ewma(b, lat, c.baseline_alpha),
            });
            self.baseline_samples = n.saturating_add(1);
        }
        if !ok {
            self.momentum += 1.0;
        }
        self.evaluate(now);
    }

    /// Brings the guard to `now`: decays momentum, heals, ends or renews quarantines.
    ///
    /// Back-to-back quarantines are renewed one by one for the first [`STEPWISE_ENDS`] ends;
    /// a longer chain (a tiny cooldown, or a guard consulted after a long idle gap) is
    /// jumped over in closed form, so the cost of a call stays bounded whatever the
    /// configuration.
    pub fn poll(&mut self, now: Nanos) {
        let mut stepped = 0;
        while self.state == RiskState::Quarantined && self.quarantine_until <= now {
            if stepped == STEPWISE_ENDS {
                self.skip_quarantines(now);
            }
            stepped += 1;
            let end = self.quarantine_until;
            self.advance(end);
            self.evaluate(end);
        }
        self.advance(now);
        self.evaluate(now);
    }

    /// Applies momentum decay and self-healing from `self.at` to `now`.
    fn advance(&mut self, now: Nanos) {
        if now <= self.at {
            return;
        }
        let p = self.projected(now);
        self.momentum = p.momentum;
        self.failure_ewma = p.failure_ewma;
        self.latency_ewma = p.latency_ewma;
        self.at = now;
    }

    /// The signals as they will be at `now` (≥ `self.at`) if no outcome arrives before:
    /// momentum decays; once it is below `heal_below`, self-healing shrinks the failure EWMA
    /// and the latency excess. Both are exponential, so projecting in one jump equals
    /// projecting in steps.
    fn projected(&self, now: Nanos) -> Projection {
        let c = self.cfg;
        let mut p = Projection {
            momentum: self.momentum,
            failure_ewma: self.failure_ewma,
            latency_ewma: self.latency_ewma,
        };
        if now <= self.at {
            return p;
        }
        let dt = (now - self.at) as f64 / NANOS_PER_SEC as f64;
        let ln_decay = libm::log(c.momentum_decay);
        // Seconds until momentum falls below heal_below (0 if already below).
        let until_low = if self.momentum > c.heal_below && c.heal_below > 0.0 {
            libm::log(c.heal_below / self.momentum) / ln_decay
        } else if self.momentum > c.heal_below {
            f64::INFINITY
        } else {
            0.0
        };
        let heal_s = dt - until_low;
        if heal_s > 0.0 {
            let f = libm::pow(c.heal_decay, heal_s);
            if let Some(v) = &mut p.failure_ewma {
                *v *= f;
            }
            if let (Some(l), Some(b)) = (&mut p.latency_ewma, self.baseline) {
                if *l > b {
                    *l = b + (*l - b) * f;
                }
            }
        }
        p.momentum *= libm::exp(ln_decay * dt);
        p
    }

    /// The risk at `now` (≥ `self.at`) if no outcome arrives before; it never rises.
    fn projected_risk(&self, now: Nanos) -> f64 {
        let p = self.projected(now);
        let failure = p.failure_ewma.unwrap_or(0.0);
        let momentum = (p.momentum / self.cfg.momentum_scale).min(1.0);
        let latency = self.latency_risk_of(p.latency_ewma);
        failure.max(momentum).max(latency).min(1.0)
    }

    /// Jumps over a chain of renewed quarantines: to the first quarantine end at which the
    /// risk has fallen below `quarantine_at`, or to the last end at or before `now` if it
    /// stays above. Exact: the risk cannot rise between ends (no outcome arrives while
    /// quarantined), so the renewals in between each add one quarantine and nothing else.
    fn skip_quarantines(&mut self, now: Nanos) {
        let chain = QuarantineChain {
            first_end: self.quarantine_until,
            cooldown: self.next_cooldown,
            growth: self.cfg.quarantine_growth,
            cap: self.cfg.quarantine_cap as f64,
        };
        // The last end at or before `now` (end 0 is `quarantine_until` ≤ now).
        let last = last_index(|j| chain.end(j) <= now);
        // The first end whose projected risk is below the quarantine threshold, if ≤ last.
        let q = self.cfg.quarantine_at;
        let renews = |j: u64| j <= last && self.projected_risk(chain.end(j)) >= q;
        if !renews(0) {
            return;
        }
        // Ends 0..=above renew the quarantine; end above + 1 (if ≤ last) releases it.
        let above = last_index(renews);
        let target = if above == last { last } else { above + 1 };
        self.quarantines += target;
        self.quarantine_until = chain.end(target);
        self.next_cooldown = chain.cooldown_at(target);
    }

    fn latency_risk(&self) -> f64 {
        self.latency_risk_of(self.latency_ewma)
    }

    fn latency_risk_of(&self, latency_ewma: Option<f64>) -> f64 {
        if self.baseline_samples < BASELINE_WARMUP {
            return 0.0;
        }
        match (latency_ewma, self.baseline) {
            (Some(l), Some(b)) if b > 0.0 => {
                let r = (l / b - 1.0) / (self.cfg.deviation_factor - 1.0);
                r.clamp(0.0, 1.0)
            }
            _ => 0.0,
        }
    }

    fn compute_risk(&self) -> f64 {
        let failure = self.failure_ewma.unwrap_or(0.0);
        let momentum = (self.momentum / self.cfg.momentum_scale).min(1.0);
        failure.max(momentum).max(self.latency_risk()).min(1.0)
    }

    fn state_for(&self, risk: f64) -> RiskState {
        let c = &self.cfg;
        if risk >= c.quarantine_at {
            RiskState::Quarantined
        } else if risk >= c.critical_at {
            RiskState::Critical
        } else if risk >= c.degraded_at {
            RiskState::Degraded
        } else {
            RiskState::Healthy
        }
    }

    /// Decision level with hysteresis: stepping down past a threshold needs
    /// `risk ≤ threshold − hysteresis`.
    fn level_for(&self, risk: f64) -> u8 {
        let c = &self.cfg;
        let raw = if risk >= c.block_at {
            2
        } else if risk >= c.throttle_at {
            1
        } else {
            0
        };
        let mut level = self.level.max(raw);
        while level > raw {
            let threshold = if level == 2 {
                c.block_at
            } else {
                c.throttle_at
            };
            if risk > threshold - c.hysteresis {
                break;
            }
            level -= 1;
        }
        level
    }

    /// Recomputes the risk at `now` (already advanced) and moves the state.
    fn evaluate(&mut self, now: Nanos) {
        self.risk = self.compute_risk();
        if self.state == RiskState::Quarantined && now < self.quarantine_until {
            return;
        }
        let next = self.state_for(self.risk);
        if next == RiskState::Quarantined {
            self.quarantine(now);
        }
        if next == RiskState::Healthy {
            self.next_cooldown = self.cfg.quarantine_base as f64;
        }
        if next != self.state {
            self.state = next;
            self.log.push(now, next);
        }
    }

    fn quarantine(&mut self, now: Nanos) {
        let c = &self.cfg;
        self.quarantine_until = now.saturating_add(libm::round(self.next_cooldown) as Nanos);
        self.next_cooldown =
            (self.next_cooldown * c.quarantine_growth).min(c.quarantine_cap as f64);
        self.quarantines += 1;
    }

    /// The risk as of the last update (see [`poll`](Self::poll)).
    pub fn risk(&self) -> f64 {
        self.risk
    }

    pub fn state(&self) -> RiskState {
        self.state
    }

    /// Failure EWMA, latency EWMA (ns), healthy-latency baseline (ns), momentum — as of the
    /// last update.
    pub fn signals(&self) -> (Option<f64>, Option<f64>, Option<f64>, f64) {
        (
            self.failure_ewma,
            self.latency_ewma,
            self.baseline,
            self.momentum,
        )
    }

    /// When the current quarantine ends (`None` unless quarantined).
    pub fn quarantine_until(&self) -> Option<Nanos> {
        (self.state == RiskState::Quarantined).then_some(self.quarantine_until)
    }

    /// Quarantines started since construction (renewals included).
    pub fn quarantines(&self) -> u64 {
        self.quarantines
    }

    /// evoSentinel's probabilistic retry: `(1 − risk)²`.
    pub fn retry_probability(&self) -> f64 {
        let s = 1.0 - self.risk;
        s * s
    }

    /// evoSentinel's adaptive backoff: `0.5 s / max(0.01, 1 − risk) × U(0.8, 1.2)`.
    pub fn backoff(&self, rng: &mut Rng) -> Nanos {
        let base = self.cfg.base_backoff as f64 / NANOS_PER_SEC as f64;
        let jitter = 0.8 + 0.4 * rng.f64();
        from_secs_f64(base / (1.0 - self.risk).max(0.01) * jitter)
    }

    /// Decisions that were THROTTLE / BLOCK since construction.
    pub fn throttled(&self) -> u64 {
        self.throttled
    }

    pub fn blocked(&self) -> u64 {
        self.blocked
    }

    /// Moves the pending state transitions `(time, new state)`, oldest first, to `out`.
    pub fn drain_transitions(&mut self, out: &mut alloc::vec::Vec<(Nanos, RiskState)>) {
        self.log.drain_into(out);
    }

    pub fn transitions(&self) -> u64 {
        self.log.total()
    }

    pub fn last_transition(&self) -> Option<(Nanos, RiskState)> {
        self.log.last()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use RiskState::*;

    /// A guard quarantined by one failure at t = 0 whose cooldown never grows: the failure
    /// EWMA (1) stays ≥ 0.95 until momentum has decayed below 0.1 (≈ 27.6 s) and healing
    /// has brought it down (≈ 2.5 s more): thousands of back-to-back quarantines.
    fn chained(cooldown: Nanos) -> RiskGuard {
        let cfg = RiskConfig {
            quarantine_base: cooldown,
            quarantine_growth: 1.0,
            quarantine_cap: cooldown,
            ..RiskConfig::default()
        };
        let mut g = RiskGuard::new(cfg).unwrap();
        g.on_result(0, false, 1_000_000);
        assert_eq!(g.state(), Quarantined);
        g
    }

    #[test]
    fn a_long_quarantine_chain_in_one_poll_equals_polling_through_it() {
        let mut stepwise = chained(10_000_000);
        let mut t = 0;
        while t < 40 * NANOS_PER_SEC {
            t += 5_000_000;
            stepwise.poll(t);
        }
        let mut jumped = chained(10_000_000);
        jumped.poll(40 * NANOS_PER_SEC);
        assert_eq!(stepwise.state(), jumped.state());
        assert_ne!(jumped.state(), Quarantined, "the chain ended by 40 s");
        let (a, b) = (stepwise.quarantines(), jumped.quarantines());
        assert!(a > 2_500 && a.abs_diff(b) <= 1, "quarantines {a} vs {b}");
        assert!((stepwise.risk() - jumped.risk()).abs() < 1e-9);
        // Part-way through the chain too: still quarantined, same count.
        let mut mid = chained(10_000_000);
        mid.poll(20 * NANOS_PER_SEC + 3);
        let mut mid_steps = chained(10_000_000);
        let mut t = 0;
        while t < 20 * NANOS_PER_SEC {
            t = (t + 5_000_000).min(20 * NANOS_PER_SEC + 3);
            mid_steps.poll(t);
            if t == 20 * NANOS_PER_SEC + 3 {
                break;
            }
        }
        assert_eq!(mid.state(), Quarantined);
        assert_eq!(mid.quarantines(), mid_steps.quarantines());
        assert_eq!(mid.quarantine_until(), mid_steps.quarantine_until());
    }

    #[test]
    fn a_one_nanosecond_quarantine_costs_no_more_than_a_long_one() {
        // 2 s of 1 ns quarantines would be 2e9 renewals one by one.
        let mut g = chained(1);
        g.poll(2 * NANOS_PER_SEC);
        assert_eq!(g.state(), Quarantined);
        assert_eq!(g.quarantines(), 2 * NANOS_PER_SEC + 1);
        g.poll(60 * NANOS_PER_SEC);
        assert_ne!(g.state(), Quarantined);
    }

    #[test]
    fn growing_cooldowns_jump_like_they_step() {
        let cfg = RiskConfig {
            quarantine_base: 1_000_000,
            quarantine_growth: 1.001,
            quarantine_cap: 50_000_000,
            ..RiskConfig::default()
        };
        let mut jumped = RiskGuard::new(cfg).unwrap();
        jumped.on_result(0, false, 1_000_000);
        let mut stepwise = RiskGuard::new(cfg).unwrap();
        stepwise.on_result(0, false, 1_000_000);
        let end = 15 * NANOS_PER_SEC;
        jumped.poll(end);
        let mut t = 0;
        while t < end {
            t = (t + 500_000).min(end);
            stepwise.poll(t);
        }
        assert_eq!(jumped.state(), Quarantined);
        let (a, b) = (stepwise.quarantines(), jumped.quarantines());
        // The closed form sums the cooldowns before rounding each to a nanosecond.
        assert!(a > 1_000 && a.abs_diff(b) <= 1, "quarantines {a} vs {b}");
        let (ua, ub) = (
            stepwise.quarantine_until().unwrap(),
            jumped.quarantine_until().unwrap(),
        );
        assert!(ua.abs_diff(ub) <= 2_000, "ends {ua} vs {ub}");
    }

    const MS: Nanos = 1_000_000;
    const S: Nanos = NANOS_PER_SEC;

    fn guard() -> RiskGuard {
        RiskGuard::new(RiskConfig::default()).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn ewmas_start_at_the_first_sample_then_weight() {
        let mut g = guard();
        g.on_result(0, true, 10 * MS);
        g.on_result(0, true, 20 * MS);
        let (f, l, b, _) = g.signals();
        assert_eq!(f, Some(0.0));
        assert!(close(l.unwrap(), 11e6)); // 0.1·20 + 0.9·10 ms
        assert!(close(b.unwrap(), 15e6)); // warm-up: the plain mean of 10 and 20 ms
        g.on_result(0, false, 10 * MS);
        assert!(close(g.signals().0.unwrap(), 0.05));
        g.on_result(0, false, 10 * MS);
        assert!(close(g.signals().0.unwrap(), 0.0975)); // 0.05 + 0.95·0.05
    }

    #[test]
    fn a_first_failure_initialises_the_rate_at_one_and_quarantines() {
        let mut g = guard();
        g.on_result(5, false, MS);
        assert_eq!((g.risk(), g.state()), (1.0, Quarantined));
        assert_eq!(g.quarantine_until(), Some(5 + 2 * S));
    }

    #[test]
    fn momentum_decays_per_second_and_adds_one_per_failure() {
        let mut g = guard();
        g.on_result(0, true, MS);
        g.on_result(0, false, MS);
        g.on_result(0, false, MS);
        assert!(close(g.signals().3, 2.0));
        assert!(close(g.risk(), 0.4)); // momentum 2 / 5 > failure EWMA 0.0975
        g.poll(2 * S);
        assert!(close(g.signals().3, 2.0 * 0.92 * 0.92));
        assert!(close(g.risk(), 2.0 * 0.8464 / 5.0));
        g.poll(2 * S + S / 2);
        assert!(close(g.signals().3, 2.0 * libm::pow(0.92, 2.5)));
    }

    #[test]
    fn latency_risk_measures_the_ewma_against_the_healthy_baseline() {
        let mut g = guard();
        for _ in 0..BASELINE_WARMUP {
            g.on_result(0, true, 10 * MS);
        }
        assert_eq!(g.risk(), 0.0);
        g.on_result(0, true, 30 * MS);
        // latency 12 ms, baseline 10.2 ms: (12/10.2 − 1) / (3 − 1).
        assert!(close(g.risk(), (12.0 / 10.2 - 1.0) / 2.0));
        // Sustained 50 ms: the baseline stops learning once DEGRADED; risk reaches 1.
        for _ in 0..100 {
            g.on_result(0, true, 50 * MS);
        }
        let baseline = g.signals().2.unwrap();
        assert!(baseline > 11e6 && baseline < 12e6, "{baseline}");
        assert_eq!(g.risk(), 1.0);
        assert_eq!(g.state(), Quarantined);
    }

    #[test]
    fn latency_incident_blocks_then_heals_without_new_samples() {
        let mut g = guard();
        let mut rng = Rng::new(1);
        for _ in 0..50 {
            g.on_result(0, true, 10 * MS);
        }
        for _ in 0..50 {
            g.on_result(S, true, 40 * MS);
        }
        assert_eq!(g.decide(S, &mut rng), RiskDecision::Block);
        // No calls get through; the latency excess heals ×0.98 per second.
        let mut t = S;
        while g.decide(t, &mut rng) == RiskDecision::Block {
            t += S;
            assert!(t < 200 * S, "never recovered");
        }
        assert!(t > 10 * S);
        assert!(g.risk() <= 0.75);
    }

    #[test]
    fn decisions_step_down_with_hysteresis() {
        let mut g = guard();
        let mut rng = Rng::new(2);
        g.on_result(0, true, MS);
        for _ in 0..3 {
            g.on_result(0, false, MS);
        }
        assert!(matches!(
            g.decide(0, &mut rng),
            RiskDecision::Throttle { .. }
        )); // 0.6
        g.on_result(0, false, MS); // momentum 4: risk 0.8
        assert_eq!(
            (g.decide(0, &mut rng), g.state()),
            (RiskDecision::Block, Critical)
        );
        // risk = 0.8 · 0.92^t: 0.767 at 0.5 s stays BLOCK (> 0.75) ...
        assert_eq!(g.decide(S / 2, &mut rng), RiskDecision::Block);
        // (a fresh guard at that risk only throttles: see below). 0.736 at 1 s: THROTTLE; 0.485 at 6 s stays THROTTLE (> 0.45); 0.446 at 7 s: ALLOW.
        assert!(matches!(
            g.decide(S, &mut rng),
            RiskDecision::Throttle { .. }
        ));
        assert!(matches!(
            g.decide(6 * S, &mut rng),
            RiskDecision::Throttle { .. }
        ));
        assert_eq!(g.decide(7 * S, &mut rng), RiskDecision::Allow);
        assert_eq!((g.throttled(), g.blocked()), (3, 2));
        let mut fresh = guard();
        fresh.on_result(0, true, MS);
        for _ in 0..4 {
            fresh.on_result(0, false, MS);
        }
        assert!(matches!(
            fresh.decide(S / 2, &mut rng),
            RiskDecision::Throttle { .. }
        ));
    }

    /// A guard stuck at risk 1 (healing disabled), quarantined at t = 0.
    fn stuck() -> RiskGuard {
        let cfg = RiskConfig {
            heal_decay: 1.0,
            ..RiskConfig::default()
        };
        let mut g = RiskGuard::new(cfg).unwrap();
        g.on_result(0, false, MS);
        g
    }

    #[test]
    fn quarantine_cooldown_grows_by_1_3_up_to_10_s() {
        let mut g = stuck();
        let mut ends = Vec::new();
        let mut t = 0;
        for _ in 0..9 {
            t = g.quarantine_until().unwrap();
            ends.push(t);
            g.poll(t); // cooldown over, risk still 1: quarantined again
        }
        let mut cooldowns = Vec::new();
        let mut prev = 0;
        for end in ends {
            cooldowns.push(end - prev);
            prev = end;
        }
        let ms = |x: u64| x * MS;
        assert_eq!(
            cooldowns,
            [
                ms(2000),
                ms(2600),
                ms(3380),
                ms(4394),
                5_712_200_000,
                7_425_860_000,
                9_653_618_000,
                ms(10_000),
                ms(10_000)
            ]
        );
        assert_eq!(g.quarantines(), 10);
        assert_eq!(g.transitions(), 1, "renewals are not transitions: {t}");
        let mut rng = Rng::new(3);
        assert_eq!(g.decide(t + 1, &mut rng), RiskDecision::Block);
    }

    #[test]
    fn late_polls_replay_quarantine_renewals_at_their_own_times() {
        let mut g = stuck();
        g.poll(10 * S); // 2, 4.6, 7.98 renewed; the next ends at 12.374 s
        assert_eq!(g.quarantine_until(), Some(12_374_000_000));
        assert_eq!(g.quarantines(), 4);
    }

    #[test]
    fn quarantine_ends_into_the_state_the_risk_says_and_heals() {
        let mut g = guard();
        g.on_result(0, false, MS); // risk 1: quarantined until 2 s, then renewed
        g.poll(100 * S);
        assert_ne!(g.state(), Quarantined);
        // Momentum 1 falls below 0.1 after ln 0.1 / ln 0.92 s; from then on the failure
        // EWMA heals ×0.98 per second; the first quarantine end below 0.95 releases it.
        let mut out = Vec::new();
        g.drain_transitions(&mut out);
        let (released_at, state) = out[1];
        let secs = released_at as f64 / 1e9;
        let healed = libm::pow(0.98, secs - libm::log(0.1) / libm::log(0.92));
        assert_eq!(released_at, 35_165_678_000); // 2 + 2.6 + ... + 9.653618
        assert_eq!(state, Critical);
        assert!((0.8..0.95).contains(&healed), "{healed}");
        assert_eq!(out[0], (0, Quarantined));
    }

    #[test]
    fn recovery_to_healthy_resets_the_cooldown_growth() {
        let mut g = guard();
        g.on_result(0, false, MS);
        g.poll(3 * S); // renewed once: next cooldown would be 3.38 s
        for _ in 0..200 {
            g.on_result(200 * S, true, MS);
        }
        assert_eq!(g.state(), Healthy);
        for _ in 0..200 {
            g.on_result(201 * S, false, MS);
        }
        assert_eq!(g.quarantine_until(), Some(201 * S + 2 * S));
    }

    #[test]
    fn retry_probability_and_backoff_follow_the_risk() {
        let mut g = guard();
        let mut rng = Rng::new(4);
        g.on_result(0, true, MS);
        assert_eq!(g.retry_probability(), 1.0);
        let d = g.backoff(&mut rng);
        assert!((400 * MS..=600 * MS).contains(&d), "{d}");
        for _ in 0..2 {
            g.on_result(0, false, MS);
        }
        g.on_result(0, false, MS);
        g.on_result(0, true, MS); // risk 0.6 (momentum 3)
        assert!(close(g.risk(), 0.6));
        assert!(close(g.retry_probability(), 0.16));
        for _ in 0..100 {
            let d = g.backoff(&mut rng) as f64 / 1e9;
            assert!((1.0 - 1e-9..=1.5 + 1e-9).contains(&d), "{d}"); // 1.25 s × [0.8, 1.2]
        }
    }

    #[test]
    fn invalid_configurations_are_rejected() {
        let bad = RiskConfig {
            deviation_factor: 1.0,
            ..RiskConfig::default()
        };
        assert_eq!(
            RiskGuard::new(bad).err(),
            Some("risk: deviation_factor must be > 1")
        );
        let bad = RiskConfig {
            block_at: 0.4,
            ..RiskConfig::default()
        };
        assert!(bad.validate().is_err());
    }
}
