//! The caller's side of a request: an *exchange* makes attempts, each guarded by a timeout and
//! the client-side guards of its policy, and retries failed attempts with backoff while its
//! retry policy and budget allow. Workload requests and `call` steps use the same machinery, so
//! every guard option means the same thing on both.
//!
//! Guard state lives with the caller: one [`GuardSet`] per workload, or per calling replica for
//! a `call` step (each replica is a separate process with its own breaker, as with resilience4j
//! or Polly). A late response to an abandoned attempt (timed out, then retried) is ignored, as a
//! client library would; its work on the server was still done.

use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use crate::engine::queue::{Event, Outcome};
use crate::engine::runtime::{Caller, Exchange, Origin};
use crate::engine::Simulation;
use crate::guards::breaker::{BreakerState, CircuitBreaker};
use crate::guards::retry::{GrpcRetryThrottle, RetryBudget, RetryBudgetKind, RetryPolicy};
use crate::guards::risk::{RiskDecision, RiskGuard, RiskState};
use crate::guards::throttle::AdaptiveThrottle;
use crate::rng::Rng;
use crate::scenario::{CallPolicy, RetryBudgetSpec, Scenario, Step};
use crate::time::{to_secs_f64, Nanos};

/// State transitions kept per guard for the report; later ones are only counted.
const MAX_LOGGED_TRANSITIONS: usize = 1000;

/// A hedged copy's index rides in the high bits of its attempt number (attempts are few).
const COPY_SHIFT: u32 = 24;
const ATTEMPT_MASK: u32 = (1 << COPY_SHIFT) - 1;

/// The client-side guards of one caller (a workload, or one replica of a calling service).
#[derive(Debug)]
pub struct GuardSet {
    /// `workload shoppers` or `gateway → payments/charge`.
    pub label: String,
    pub replica: u32,
    breaker: Option<CircuitBreaker>,
    risk: Option<RiskGuard>,
    throttle: Option<AdaptiveThrottle>,
    retry: Option<RetryPolicy>,
    rng: Rng,
    requests: u64,
    attempts: u64,
    retries: u64,
    /// Retries of requests sent at or after warmup.
    measured_retries: u64,
    breaker_log: Vec<(Nanos, BreakerState)>,
    risk_log: Vec<(Nanos, RiskState)>,
}

/// What the report says about one guard set.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct GuardReport {
    pub caller: String,
    pub replica: u32,
    pub requests: u64,
    pub attempts: u64,
    pub retries: u64,
    /// Retries of requests sent at or after warmup (what the report's `requests.retries`
    /// adds up over every caller).
    pub measured_retries: u64,
    pub retries_denied: u64,
    pub breaker: Option<BreakerReport>,
    pub risk: Option<RiskReport>,
    pub throttle_rejected: Option<u64>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct BreakerReport {
    pub state: &'static str,
    pub opens: u64,
    pub rejected: u64,
    /// `[time_s, state]` for every transition (the first 1000).
    pub transitions: Vec<(f64, &'static str)>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RiskReport {
    pub risk: f64,
    pub state: &'static str,
    pub blocked: u64,
    pub throttled: u64,
    pub quarantines: u64,
    pub transitions: Vec<(f64, &'static str)>,
}

pub fn breaker_state_name(s: BreakerState) -> &'static str {
    match s {
        BreakerState::Closed => "closed",
        BreakerState::Open => "open",
        BreakerState::HalfOpen => "half_open",
    }
}

pub fn risk_state_name(s: RiskState) -> &'static str {
    match s {
        RiskState::Healthy => "healthy",
        RiskState::Degraded => "degraded",
        RiskState::Critical => "critical",
        RiskState::Quarantined => "quarantined",
    }
}

impl GuardSet {
    fn new(policy: &CallPolicy, label: String, replica: u32, rng: Rng) -> Self {
        // The front end validated every configuration, so construction cannot fail here.
        let breaker = policy.breaker.and_then(|c| CircuitBreaker::new(c).ok());
        let risk = policy.risk.and_then(|c| RiskGuard::new(c).ok());
        let throttle = policy
            .throttle
            .as_ref()
            .and_then(|t| AdaptiveThrottle::new(t.k, t.window).ok());
        let retry = policy.retry.as_ref().and_then(|r| {
            let budget = r.budget.as_ref().and_then(|b| match b {
                RetryBudgetSpec::Ratio {
                    ratio,
                    min_per_s,
                    window,
                } => RetryBudget::new(*ratio, *min_per_s, *window)
                    .ok()
                    .map(RetryBudgetKind::Ratio),
                RetryBudgetSpec::Grpc {
                    max_tokens,
                    token_ratio,
                } => GrpcRetryThrottle::new(*max_tokens, *token_ratio)
                    .ok()
                    .map(RetryBudgetKind::Grpc),
            });
            RetryPolicy::new(r.attempts, r.backoff, budget).ok()
        });
        GuardSet {
            label,
            replica,
            breaker,
            risk,
            throttle,
            retry,
            rng,
            requests: 0,
            attempts: 0,
            retries: 0,
            measured_retries: 0,
            breaker_log: Vec::new(),
            risk_log: Vec::new(),
        }
    }

    /// Client-side admission of one attempt: `Err` with the rejection, or `Ok(delay)` where a
    /// non-zero delay is the risk guard's THROTTLE decision (wait, then go). `delayed`: the
    /// attempt has waited out such a delay and goes now, without asking the risk guard again.
    fn admit(&mut self, now: Nanos, delayed: bool) -> Result<Nanos, Outcome> {
        if let Some(b) = &mut self.breaker {
            if !b.try_acquire(now) {
                return Err(Outcome::RejectedBreaker);
            }
        }
        let mut delay = 0;
        if let Some(r) = self.risk.as_mut().filter(|_| !delayed) {
            match r.decide(now, &mut self.rng) {
                RiskDecision::Allow => {}
                RiskDecision::Throttle { delay: d } => delay = d,
                RiskDecision::Block => {
                    self.release_breaker();
                    return Err(Outcome::RejectedRisk);
                }
            }
        }
        if delay > 0 {
            // The call waits; it asks the breaker and the throttle when it goes (so the
            // throttle counts it once).
            self.release_breaker();
            return Ok(delay);
        }
        if let Some(t) = &mut self.throttle {
            if t.should_reject(now, &mut self.rng) {
                self.release_breaker();
                return Err(Outcome::RejectedThrottle);
            }
        }
        Ok(0)
    }

    /// A call the breaker admitted is not made now: give back its HALF_OPEN trial permit.
    fn release_breaker(&mut self) {
        if let Some(b) = &mut self.breaker {
            b.release();
        }
    }

    /// Feeds the outcome of one attempt to every guard.
    fn observe(&mut self, now: Nanos, outcome: Outcome, latency: Nanos) {
        let ok = outcome == Outcome::Ok;
        if let Some(b) = &mut self.breaker {
            b.on_result(now, ok, latency);
        }
        if let Some(r) = &mut self.risk {
            r.on_result(now, ok, latency);
        }
        if let Some(t) = &mut self.throttle {
            // SRE throttling compares requests with those the backend *accepted*. A client
            // cannot tell an overloaded backend's timeout from a rejection, so only successful
            // responses count as accepted (timeouts and errors both signal trouble).
            if ok {
                t.on_accept(now);
            }
        }
        if let Some(p) = &mut self.retry {
            p.on_result(ok);
        }
    }

    /// Moves the guards' transition logs into the report's bounded lists.
    fn drain_logs(&mut self) {
        if let Some(b) = &mut self.breaker {
            drain_bounded(&mut self.breaker_log, |v| b.drain_transitions(v));
        }
        if let Some(r) = &mut self.risk {
            drain_bounded(&mut self.risk_log, |v| r.drain_transitions(v));
        }
    }

    /// Lets time-driven transitions (OPEN → HALF_OPEN, quarantine release) happen.
    pub fn poll(&mut self, now: Nanos) {
        if let Some(b) = &mut self.breaker {
            b.poll(now);
        }
        if let Some(r) = &mut self.risk {
            r.poll(now);
        }
    }

    pub fn breaker_state(&self) -> Option<BreakerState> {
        self.breaker.as_ref().map(CircuitBreaker::state)
    }

    pub fn risk(&self) -> Option<f64> {
        self.risk.as_ref().map(RiskGuard::risk)
    }

    fn report(&self) -> GuardReport {
        let log = |v: &[(Nanos, &'static str)]| -> Vec<(f64, &'static str)> {
            v.iter().map(|(t, s)| (to_secs_f64(*t), *s)).collect()
        };
        let breaker = self.breaker.as_ref().map(|b| {
            let named: Vec<_> = self
                .breaker_log
                .iter()
                .map(|(t, s)| (*t, breaker_state_name(*s)))
                .collect();
            BreakerReport {
                state: breaker_state_name(b.state()),
                opens: self
                    .breaker_log
                    .iter()
                    .filter(|(_, s)| *s == BreakerState::Open)
                    .count() as u64,
                rejected: b.rejected(),
                transitions: log(&named),
            }
        });
        let risk = self.risk.as_ref().map(|r| {
            let named: Vec<_> = self
                .risk_log
                .iter()
                .map(|(t, s)| (*t, risk_state_name(*s)))
                .collect();
            RiskReport {
                risk: r.risk(),
                state: risk_state_name(r.state()),
                blocked: r.blocked(),
                throttled: r.throttled(),
                quarantines: r.quarantines(),
                transitions: log(&named),
            }
        });
        GuardReport {
            caller: self.label.clone(),
            replica: self.replica,
            requests: self.requests,
            attempts: self.attempts,
            retries: self.retries,
            measured_retries: self.measured_retries,
            retries_denied: self.retry.as_ref().map_or(0, RetryPolicy::denied),
            breaker,
            risk,
            throttle_rejected: self.throttle.as_ref().map(AdaptiveThrottle::rejected),
        }
    }
}

fn drain_bounded<S>(log: &mut Vec<(Nanos, S)>, drain: impl FnOnce(&mut Vec<(Nanos, S)>)) {
    drain(log);
    log.truncate(MAX_LOGGED_TRANSITIONS);
}

/// One guard set per (policy, calling replica); returns them and each policy's first index.
pub fn build_guards(sc: &Scenario) -> (Vec<GuardSet>, Vec<u32>) {
    let mut owners: Vec<Option<(String, u32)>> = alloc::vec![None; sc.policies.len()];
    for w in &sc.workloads {
        owners[w.policy as usize] = Some((alloc::format!("workload {}", w.name), 1));
    }
    for e in &sc.endpoints {
        let svc = &sc.services[e.service as usize];
        for step in &e.steps {
            if let Step::Call {
                endpoint, policy, ..
            } = step
            {
                let target = &sc.endpoints[*endpoint as usize];
                let label = alloc::format!(
                    "{} → {}{}",
                    svc.name,
                    sc.services[target.service as usize].name,
                    target.path
                );
                owners[*policy as usize] = Some((label, svc.replicas));
            }
        }
    }
    let mut sets = Vec::new();
    let mut base = Vec::with_capacity(sc.policies.len());
    for (p, owner) in owners.into_iter().enumerate() {
        base.push(sets.len() as u32);
        let (Some((label, replicas)), true) = (owner, p > 0) else {
            continue;
        };
        for r in 0..replicas {
            let rng = Rng::stream(sc.seed, 3_000_000 + sets.len() as u64);
            sets.push(GuardSet::new(&sc.policies[p], label.clone(), r, rng));
        }
    }
    (sets, base)
}

/// Outcomes worth another attempt: the server or the network failed, not the caller itself.
fn retryable(o: Outcome) -> bool {
    o != Outcome::Ok && !o.is_local()
}

impl Simulation {
    /// A workload sends one request (an exchange with origin `Client`).
    pub(super) fn send_client_request(&mut self, workload: u32, user: u32) {
        let now = self.now;
        let wl = &mut self.workloads[workload as usize];
        let endpoint = wl.choose_endpoint(&self.sc.workloads[workload as usize]);
        if now >= self.sc.warmup {
            self.client.outcomes.sent += 1;
            wl.stats.outcomes.sent += 1;
        }
        self.live.sent += 1;
        self.interval.sent += 1;
        self.health.client.tick.sent += 1;
        self.health.usage.requests += 1;
        let policy = self.sc.workloads[workload as usize].policy;
        if self.sc.budget.is_some() {
            let draw = self.workloads[workload as usize].rng.f64();
            if let Some(refusal) = self.budget_refuses(endpoint, draw) {
                self.record_outcome(workload, now, 0, refusal);
                return self.user_done(workload, user);
            }
        }
        let priority = self.sc.workloads[workload as usize].priority;
        self.start_exchange(
            Origin::Client { workload, user },
            0,
            endpoint,
            policy,
            0,
            priority,
        );
    }

    /// Starts an exchange from network node `from`; `replica` selects the caller's guard set.
    pub(super) fn start_exchange(
        &mut self,
        origin: Origin,
        from: u32,
        endpoint: u32,
        policy: u32,
        replica: u32,
        priority: u8,
    ) {
        let now = self.now;
        let deadline = self.sc.policies[policy as usize]
            .deadline
            .map_or(Nanos::MAX, |d| now + d);
        let guards = self.guard_base[policy as usize] + replica;
        let (id, generation) = self.exchanges.insert(Exchange {
            origin,
            endpoint,
            policy,
            guards,
            from,
            started: now,
            deadline,
            attempt: 0,
            attempt_started: now,
            backing_off: false,
            delayed: false,
            last_backoff: 0,
            priority,
            copies_sent: 0,
            copies_pending: 0,
            hedges_left: 0,
        });
        // Every request alive on the client side (sent, waiting for a retry, delayed by a
        // guard) holds memory: it counts against the cap like a task on a server.
        if self.exchanges.len() > self.sc.max_in_flight {
            self.truncate_overload();
        }
        if policy != 0 {
            let g = &mut self.guards[guards as usize];
            g.requests += 1;
            if let Some(r) = &mut g.retry {
                r.on_request(now);
            }
        }
        self.attempt(id, generation, false);
    }

    /// Makes the exchange's next attempt, unless a client-side guard refuses it. `delayed`: it
    /// has waited out a risk-guard THROTTLE delay.
    fn attempt(&mut self, id: u32, generation: u32, delayed: bool) {
        let now = self.now;
        let x = self.exchanges.get(id).expect("live exchange");
        let (policy, guards) = (x.policy, x.guards);
        if policy != 0 {
            match self.guards[guards as usize].admit(now, delayed) {
                Err(rejection) => return self.finish_exchange(id, rejection),
                Ok(0) => {}
                Ok(delay) => {
                    let x = self.exchanges.get_mut(id).expect("live exchange");
                    if now + delay >= x.deadline {
                        return self.finish_exchange(id, Outcome::RejectedRisk);
                    }
                    x.backing_off = true;
                    x.delayed = true;
                    self.queue.push(
                        now + delay,
                        Event::Retry {
                            exchange: id,
                            generation,
                        },
                    );
                    return;
                }
            }
            self.guards[guards as usize].attempts += 1;
        }
        let p = &self.sc.policies[policy as usize];
        let x = self.exchanges.get_mut(id).expect("live exchange");
        x.attempt += 1;
        x.attempt_started = now;
        x.copies_sent = 1;
        x.copies_pending = 1;
        x.hedges_left = p.hedge.map_or(0, |h| h.max as u8);
        if let Some(h) = p.hedge {
            let ev = Event::Hedge {
                exchange: id,
                generation,
                attempt: x.attempt,
            };
            self.queue.push(now + h.after, ev);
        }
        let attempt_deadline = p.timeout.map_or(x.deadline, |t| (now + t).min(x.deadline));
        let caller = Caller {
            exchange: id,
            generation,
            attempt: x.attempt,
        };
        let (from, endpoint, priority) = (x.from, x.endpoint, x.priority);
        if matches!(x.origin, Origin::Client { .. }) {
            self.interval.attempts += 1;
        }
        if attempt_deadline != Nanos::MAX {
            let ev = Event::AttemptTimeout {
                exchange: id,
                generation,
                attempt: caller.attempt,
            };
            self.queue.push(attempt_deadline, ev);
        }
        self.route_request(caller, from, endpoint, attempt_deadline, priority);
    }

    pub(super) fn on_attempt_response(
        &mut self,
        id: u32,
        generation: u32,
        attempt: u32,
        outcome: Outcome,
    ) {
        let Some(x) = self.exchanges.get_mut_checked(id, generation) else {
            return;
        };
        let (attempt, copy) = (attempt & ATTEMPT_MASK, attempt >> COPY_SHIFT);
        if x.attempt != attempt || x.backing_off {
            return; // a late response to an abandoned attempt
        }
        if outcome != Outcome::Ok && x.copies_pending > 1 {
            x.copies_pending -= 1; // another copy may still succeed
            return;
        }
        let latency = self.now - x.attempt_started;
        if outcome == Outcome::Ok && copy > 0 {
            if let Some(site) = self.site_of_exchange(id) {
                self.call_sites[site].hedges_won += 1;
            }
        }
        self.attempt_done(id, generation, outcome, latency);
    }

    /// The attempt has had no answer for the hedge delay: another copy goes out (to a
    /// replica the balancer picks), and the next hedge is scheduled.
    pub(super) fn on_hedge(&mut self, id: u32, generation: u32, attempt: u32) {
        let now = self.now;
        let Some(x) = self.exchanges.get_mut_checked(id, generation) else {
            return;
        };
        if x.attempt != attempt || x.backing_off || x.hedges_left == 0 {
            return;
        }
        if self.caller_gone(id) {
            return; // an abandoned call sends no more copies
        }
        let x = self.exchanges.get_mut(id).expect("live exchange");
        let copy = u32::from(x.copies_sent);
        x.copies_sent += 1;
        x.copies_pending += 1;
        x.hedges_left -= 1;
        let caller = Caller {
            exchange: id,
            generation,
            attempt: attempt | (copy << COPY_SHIFT),
        };
        let (from, endpoint, priority, policy) = (x.from, x.endpoint, x.priority, x.policy);
        let deadline = self.sc.policies[policy as usize]
            .timeout
            .map_or(x.deadline, |t| (x.attempt_started + t).min(x.deadline));
        if x.hedges_left > 0 {
            let after = self.sc.policies[policy as usize]
                .hedge
                .map_or(0, |h| h.after);
            self.queue.push(
                now + after,
                Event::Hedge {
                    exchange: id,
                    generation,
                    attempt,
                },
            );
        }
        if let Some(site) = self.site_of_exchange(id) {
            self.call_sites[site].hedges += 1;
        }
        self.route_request(caller, from, endpoint, deadline, priority);
    }

    /// Whether the task that made this call was cancelled (a decided `parallel`) or lost (a
    /// crash): its call is abandoned, with no more retries or hedges.
    fn caller_gone(&self, id: u32) -> bool {
        let Some(x) = self.exchanges.get(id) else {
            return true;
        };
        match x.origin {
            Origin::Task(p) => self.tasks.get(p).is_none_or(|t| t.cancelled || t.zombie),
            Origin::Client { .. } | Origin::Broker { .. } => false,
        }
    }

    /// The call site of a `call` step's exchange (measured window only).
    fn site_of_exchange(&self, id: u32) -> Option<usize> {
        let x = self.exchanges.get(id)?;
        let Origin::Task(parent) = x.origin else {
            return None;
        };
        if x.started < self.sc.warmup {
            return None;
        }
        let task = self.tasks.get(parent)?;
        let at = self.site_base[task.endpoint as usize] + task.step - 1;
        let site = *self.site_of.get(at as usize)?;
        (site != u32::MAX).then_some(site as usize)
    }

    pub(super) fn on_attempt_timeout(&mut self, id: u32, generation: u32, attempt: u32) {
        let Some(x) = self.exchanges.get_mut_checked(id, generation) else {
            return;
        };
        if x.attempt != attempt || x.backing_off {
            return;
        }
        let latency = self.now - x.attempt_started;
        self.attempt_done(id, generation, Outcome::Timeout, latency);
    }

    pub(super) fn on_retry(&mut self, id: u32, generation: u32) {
        let Some(x) = self.exchanges.get_mut_checked(id, generation) else {
            return;
        };
        x.backing_off = false;
        let delayed = core::mem::take(&mut x.delayed);
        if self.caller_gone(id) {
            // Abandoned while waiting to retry: it ends as a timed-out attempt would.
            return self.finish_exchange(id, Outcome::Timeout);
        }
        self.attempt(id, generation, delayed);
    }

    /// The current attempt ended: feed the guards, then finish or retry.
    fn attempt_done(&mut self, id: u32, generation: u32, outcome: Outcome, latency: Nanos) {
        let now = self.now;
        let x = self.exchanges.get(id).expect("live exchange");
        let (policy, guards, attempts, deadline) = (x.policy, x.guards, x.attempt, x.deadline);
        if policy == 0 {
            return self.finish_exchange(id, outcome);
        }
        let gone = self.caller_gone(id);
        let g = &mut self.guards[guards as usize];
        g.observe(now, outcome, latency);
        if !retryable(outcome) || gone {
            return self.finish_exchange(id, outcome);
        }
        let Some(retry) = &mut g.retry else {
            return self.finish_exchange(id, outcome);
        };
        // evoSentinel: under risk r, retry only with probability (1 − r)².
        let risk_allows = g
            .risk
            .as_ref()
            .is_none_or(|r| g.rng.chance(r.retry_probability()));
        if !risk_allows || !retry.try_retry(now, attempts) {
            return self.finish_exchange(id, outcome);
        }
        let x = self.exchanges.get_mut(id).expect("live exchange");
        let delay = retry.delay(attempts, x.last_backoff, &mut g.rng);
        if now + delay >= deadline {
            return self.finish_exchange(id, outcome);
        }
        g.retries += 1;
        if x.started >= self.sc.warmup {
            g.measured_retries += 1;
        }
        x.last_backoff = delay;
        x.backing_off = true;
        if matches!(x.origin, Origin::Client { .. }) {
            self.interval.retries += 1;
        }
        self.queue.push(
            now + delay,
            Event::Retry {
                exchange: id,
                generation,
            },
        );
    }

    /// The exchange is over: tell its origin.
    fn finish_exchange(&mut self, id: u32, outcome: Outcome) {
        let x = self.exchanges.remove(id).expect("live exchange");
        match x.origin {
            Origin::Client { workload, user } => {
                self.record_outcome(workload, x.started, x.attempt, outcome);
                self.user_done(workload, user);
            }
            Origin::Task(parent) => {
                if x.started >= self.sc.warmup {
                    self.record_call(parent, x.started, outcome);
                }
                if outcome != Outcome::Ok && self.take_fallback(parent, x.started) {
                    return self.resume(parent);
                }
                self.call_returned(parent, outcome)
            }
            Origin::Broker { queue, message } => self.delivery_done(queue, message, outcome),
        }
    }

    /// A failed call with a `fallback`: the task goes on at the fallback's steps. Returns
    /// whether it had one.
    fn take_fallback(&mut self, parent: u32, sent: Nanos) -> bool {
        let task = self.tasks.get_mut(parent).expect("the caller waits");
        let at = (task.step - 1) as usize;
        let steps = &self.sc.endpoints[task.endpoint as usize].steps;
        let Some(Step::Call { fallback, .. }) = steps.get(at) else {
            return false;
        };
        if *fallback == crate::scenario::NO_FALLBACK {
            return false;
        }
        task.step = *fallback;
        let site = self.site_base[task.endpoint as usize] as usize + at;
        if sent >= self.sc.warmup {
            if let Some(&s) = self.site_of.get(site) {
                self.call_sites[s as usize].fallbacks += 1;
            }
        }
        true
    }

    /// A `call` step's request ended: the caller's view, per call site.
    fn record_call(&mut self, parent: u32, sent: Nanos, outcome: Outcome) {
        let task = self.tasks.get(parent).expect("the caller waits");
        let at = self.site_base[task.endpoint as usize] + task.step - 1;
        let Some(site) = self.site_of.get(at as usize).copied() else {
            return;
        };
        if let Some(s) = self.call_sites.get_mut(site as usize) {
            if outcome == Outcome::Ok {
                s.ok += 1;
                s.latency.record(self.now - sent);
            } else {
                s.failed += 1;
            }
        }
    }

    fn record_outcome(&mut self, workload: u32, sent: Nanos, attempts: u32, outcome: Outcome) {
        let measured = sent >= self.sc.warmup;
        let wl = &mut self.workloads[workload as usize];
        self.live.count(outcome);
        let latency = self.now - sent;
        let ok = outcome == Outcome::Ok;
        let tick = &mut self.health.client.tick;
        if ok {
            tick.ok += 1;
            self.health.client.latency.record(latency);
        } else {
            tick.failed += 1;
            self.interval.latency_failed.record(latency);
        }
        self.flows.record_workload(workload, ok, latency);
        for (i, slo) in self.sc.slos.iter().enumerate() {
            tick.slo_total[i] += 1;
            tick.slo_good[i] += slo.is_good(ok, latency) as u64;
        }
        match outcome {
            Outcome::Ok => {
                self.interval.ok += 1;
                self.interval.latency.record(latency);
                if measured {
                    self.client.latency.record(latency);
                    wl.stats.latency.record(latency);
                }
            }
            Outcome::Timeout => self.interval.timeout += 1,
            o if o.is_rejection() => self.interval.rejected += 1,
            _ => self.interval.failed += 1,
        }
        if measured {
            for o in [&mut self.client.outcomes, &mut wl.stats.outcomes] {
                o.count(outcome);
                o.attempts += attempts as u64;
                o.retries += attempts.saturating_sub(1) as u64;
            }
        }
    }

    /// Drains the guards' transition logs (called at every sample, so they never overflow).
    pub(super) fn drain_guard_logs(&mut self) {
        self.guards.iter_mut().for_each(GuardSet::drain_logs);
    }

    pub(super) fn guard_reports(&self) -> Vec<GuardReport> {
        self.guards.iter().map(GuardSet::report).collect()
    }
}
