//! Horizontal autoscaling of services (`autoscale:`), around the pure policy of `hpa.rs`.
//!
//! An autoscaled service is built with `max` replicas (instances, workers, pools) so nothing is
//! allocated at run time; each replica is in one [`ReplicaState`]:
//!
//! - **absent**: not running, not paid;
//! - **provisioning**: decided, paid, not taking traffic until `provision` has passed;
//! - **ready**: in the live set (unless an outage has it down: a crashed replica stays
//!   counted by the scale but has no metric, as a pod that is not ready);
//! - **draining**: out of the live set at once (no new requests), finishing what it was sent;
//!   absent — and no longer paid — when its last request has been answered.
//!
//! The metric is averaged over `window` before each decision (every `interval`), over the
//! replicas that are ready and up: time-weighted sums over those replicas (busy loops,
//! requests in flight, ready replicas), request and lag counters, read at the window's start
//! from a ring of snapshots taken by `ScaleWindow` events at `tick − window` and at the tick.
//! Dividing sums by the ready-replica time weighs a replica that joined mid-window by its
//! time in service.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use crate::engine::hpa::{Counts, Hpa, HpaConfig};
use crate::engine::queue::Event;
use crate::engine::Simulation;
use crate::metrics::TimeWeighted;
use crate::report::{AutoscaleReport, ScaleDecisionReport};
use crate::scenario::{Autoscale, ScaleMetric, Scenario};
use crate::time::{to_secs_f64, Nanos};

/// Decisions kept in a scaler's log (the counts cover all of them).
pub const MAX_LOG: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaState {
    Absent,
    Provisioning,
    Ready,
    Draining,
}

/// One decision, as the report lists it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decision {
    pub at: Nanos,
    /// The averaged metric (`None`: no ready replica over the window).
    pub metric: Option<f64>,
    pub ready: u32,
    pub current: u32,
    pub desired: u32,
}

/// Cumulative sums at one instant: a window's average is the difference of two.
#[derive(Clone, Copy, Debug, Default)]
struct Snapshot {
    /// When it was taken (the windows of the first ticks start at 0).
    at: Nanos,
    ready_ns: u128,
    busy_ns: u128,
    in_flight_ns: u128,
    routed: u64,
    lag_sum: u128,
    lag_n: u64,
    /// Messages held by the queues the service consumes, integrated over time.
    depth_ns: u128,
}

#[derive(Debug)]
pub struct Scaler {
    pub service: u32,
    first_instance: u32,
    workers: u32,
    pub cfg: Autoscale,
    hpa: Hpa,
    pub state: Vec<ReplicaState>,
    /// Bumped when a provisioning replica is cancelled, so its pending ready event is stale.
    epoch: Vec<u32>,
    /// Busy event loops per replica.
    busy: Vec<u32>,
    /// Ready and up: the replica's figures count in the metric.
    metered: Vec<bool>,
    ready: TimeWeighted,
    busy_sum: TimeWeighted,
    in_flight: TimeWeighted,
    routed: u64,
    lag_sum: u128,
    lag_n: u64,
    /// Snapshots at the start of each pending decision's window, oldest first.
    windows: VecDeque<Snapshot>,
    /// Ticks whose window start is scheduled (the next `ScaleWindow` is for tick `opened + 1`).
    opened: u64,
    pub desired: u32,
    /// Replicas not absent (paid), and the share of it the cost ticks have counted.
    pub paid: TimeWeighted,
    paid_base: u128,
    /// Fewest ready replicas over the measured window.
    ready_min: u32,
    pub decisions: u64,
    pub scale_ups: u64,
    pub scale_downs: u64,
    pub provisioned: u64,
    pub drained: u64,
    pub log: Vec<Decision>,
}

/// Every autoscaled service's scaler, and which scaler owns each instance.
#[derive(Debug, Default)]
pub struct Scaling {
    /// `u32::MAX` for an instance of a fixed-size service; empty when nothing autoscales.
    by_instance: Vec<u32>,
    pub scalers: Vec<Scaler>,
}

impl Scaling {
    pub fn new(sc: &Scenario) -> Self {
        let mut s = Scaling::default();
        if sc.services.iter().all(|svc| svc.autoscale.is_none()) {
            return s;
        }
        for (i, svc) in sc.services.iter().enumerate() {
            let id = match &svc.autoscale {
                Some(a) => {
                    s.scalers.push(Scaler::new(
                        i as u32,
                        s.by_instance.len(),
                        svc.workers,
                        a,
                        sc,
                    ));
                    s.scalers.len() as u32 - 1
                }
                None => u32::MAX,
            };
            s.by_instance
                .extend(core::iter::repeat_n(id, svc.replicas as usize));
        }
        s
    }

    /// The scaler and replica of an autoscaled instance.
    #[inline]
    fn slot(&self, instance: u32) -> Option<(usize, usize)> {
        let id = *self.by_instance.get(instance as usize)?;
        if id == u32::MAX {
            return None;
        }
        let sc = &self.scalers[id as usize];
        Some((id as usize, (instance - sc.first_instance) as usize))
    }

    /// Whether the balancer may send new requests to this instance (a fixed service's
    /// always may; an autoscaled one's only when ready).
    #[inline]
    pub fn takes_traffic(&self, instance: u32) -> bool {
        self.slot(instance)
            .is_none_or(|(s, r)| self.scalers[s].state[r] == ReplicaState::Ready)
    }

    /// Whether the instance is paid as a fixed one (up) — autoscaled ones are paid by state.
    pub fn is_scaled(&self, instance: u32) -> bool {
        self.slot(instance).is_some()
    }
}

impl Scaler {
    fn new(service: u32, first: usize, workers: u32, a: &Autoscale, sc: &Scenario) -> Self {
        let n = a.max as usize;
        let tw = || TimeWeighted::new(sc.warmup);
        let cfg = HpaConfig {
            min: a.min,
            max: a.max,
            tolerance: a.tolerance,
            cooldown: a.cooldown,
        };
        let mut state = alloc::vec![ReplicaState::Absent; n];
        state[..a.initial as usize].fill(ReplicaState::Ready);
        Scaler {
            service,
            first_instance: first as u32,
            workers,
            cfg: a.clone(),
            hpa: Hpa::new(cfg, a.interval),
            state,
            epoch: alloc::vec![0; n],
            busy: alloc::vec![0; n],
            metered: alloc::vec![false; n],
            ready: tw(),
            busy_sum: tw(),
            in_flight: tw(),
            routed: 0,
            lag_sum: 0,
            lag_n: 0,
            windows: VecDeque::with_capacity(a.window.div_ceil(a.interval) as usize + 2),
            opened: 0,
            desired: a.initial,
            paid: tw(),
            paid_base: 0,
            ready_min: u32::MAX,
            decisions: 0,
            scale_ups: 0,
            scale_downs: 0,
            provisioned: 0,
            drained: 0,
            log: Vec::with_capacity(MAX_LOG),
        }
    }

    fn snapshot(&self, now: Nanos, depth_ns: u128) -> Snapshot {
        Snapshot {
            at: now,
            depth_ns,
            ready_ns: self.ready.integral_total(now),
            busy_ns: self.busy_sum.integral_total(now),
            in_flight_ns: self.in_flight.integral_total(now),
            routed: self.routed,
            lag_sum: self.lag_sum,
            lag_n: self.lag_n,
        }
    }

    /// The metric averaged per ready replica since `from`; `None` without ready time.
    /// `queue_depth` is an external metric instead: the messages held, averaged over the
    /// window, per replica the scale counts (`current`), whatever their readiness.
    fn metric(&self, to: Snapshot, from: &Snapshot, current: u32) -> Option<f64> {
        if self.cfg.metric == ScaleMetric::QueueDepth {
            let window = to.at - from.at;
            return (window > 0 && current > 0).then(|| {
                (to.depth_ns - from.depth_ns) as f64 / window as f64 / f64::from(current)
            });
        }
        let ready_ns = to.ready_ns - from.ready_ns;
        if ready_ns == 0 {
            return None;
        }
        let ready_ns = ready_ns as f64;
        Some(match self.cfg.metric {
            ScaleMetric::Utilization => {
                (to.busy_ns - from.busy_ns) as f64 / (ready_ns * self.workers as f64)
            }
            ScaleMetric::InFlight => (to.in_flight_ns - from.in_flight_ns) as f64 / ready_ns,
            ScaleMetric::Rps => (to.routed - from.routed) as f64 / (ready_ns / 1e9),
            ScaleMetric::LoopLag => {
                let n = to.lag_n - from.lag_n;
                if n == 0 {
                    0.0
                } else {
                    (to.lag_sum - from.lag_sum) as f64 / n as f64
                }
            }
            ScaleMetric::QueueDepth => unreachable!("an external metric"),
        })
    }

    fn count(&self, s: ReplicaState) -> u32 {
        self.state.iter().filter(|&&x| x == s).count() as u32
    }

    /// Ready replicas that are up (the live set's size).
    pub fn ready_now(&self) -> u32 {
        self.ready.value() as u32
    }

    /// Fewest, mean and most ready replicas over the measured window `[warmup, end]`.
    pub fn ready_stats(&self, end: Nanos, warmup: Nanos) -> Option<(u32, f64, u32)> {
        (end > warmup).then(|| {
            let min = self.ready_min.min(self.ready.value() as u32);
            (min, self.ready.mean(end), self.ready.max(end) as u32)
        })
    }

    fn set_ready(&mut self, now: Nanos, warmup: Nanos, value: u64) {
        if now > warmup {
            self.ready_min = self.ready_min.min(self.ready.value() as u32);
        }
        self.ready.set(now, value);
    }
}

impl Simulation {
    /// Sets the initial states and schedules every scaler's decisions and window starts.
    pub(super) fn start_scaling(&mut self) {
        let warmup = self.sc.warmup;
        for k in 0..self.scaling.scalers.len() {
            let sc = &mut self.scaling.scalers[k];
            let (interval, window, service) = (sc.cfg.interval, sc.cfg.window, sc.service);
            // Windows of the first ticks start at 0: their snapshots are all zeros.
            while (sc.opened + 1) * interval <= window {
                sc.windows.push_back(Snapshot::default());
                sc.opened += 1;
            }
            let open = (sc.opened + 1) * interval - window;
            self.services[service as usize].stats.serving = Some(TimeWeighted::new(warmup));
            self.refresh_scaled(k);
            if open <= self.sc.duration {
                let ev = Event::ScaleWindow { scaler: k as u32 };
                self.queue.push(open, ev);
            }
            if interval <= self.sc.duration {
                self.queue
                    .push(interval, Event::ScaleTick { scaler: k as u32 });
            }
        }
    }

    /// A decision's window starts: remember where the sums stand.
    pub(super) fn on_scale_window(&mut self, k: u32) {
        let now = self.now;
        let depth = self
            .brokers
            .depth_integral(self.scaling.scalers[k as usize].service, now);
        let sc = &mut self.scaling.scalers[k as usize];
        let snap = sc.snapshot(now, depth);
        if sc.windows.len() == sc.windows.capacity() {
            sc.windows.pop_front();
        }
        sc.windows.push_back(snap);
        sc.opened += 1;
        let next = (sc.opened + 1) * sc.cfg.interval - sc.cfg.window;
        if next <= self.sc.duration {
            self.queue.push(next, Event::ScaleWindow { scaler: k });
        }
    }

    /// The policy decides: read the window's metric, ask the HPA, start or stop replicas.
    pub(super) fn on_scale_tick(&mut self, k: u32) {
        let now = self.now;
        let depth = self
            .brokers
            .depth_integral(self.scaling.scalers[k as usize].service, now);
        let sc = &mut self.scaling.scalers[k as usize];
        let from = sc.windows.pop_front().unwrap_or_default();
        let current = sc.count(ReplicaState::Ready) + sc.count(ReplicaState::Provisioning);
        let metric = sc.metric(sc.snapshot(now, depth), &from, current);
        let counts = Counts {
            current,
            ready: sc.ready_now(),
        };
        // K8s' `AverageValue` of an external metric (KEDA): desired = ceil(total / target),
        // with the tolerance on total / (target × current); readiness plays no part.
        let policy_counts = match sc.cfg.metric {
            ScaleMetric::QueueDepth => Counts {
                current,
                ready: current,
            },
            _ => counts,
        };
        let desired = sc.hpa.decide(now, policy_counts, metric, sc.cfg.target);
        sc.decisions += 1;
        sc.desired = desired;
        if sc.log.len() < MAX_LOG {
            sc.log.push(Decision {
                at: now,
                metric,
                ready: counts.ready,
                current,
                desired,
            });
        }
        if desired > current {
            sc.scale_ups += 1;
            self.provision(k as usize, desired - current);
        } else if desired < current {
            sc.scale_downs += 1;
            self.retire(k as usize, current - desired);
        }
        let next = now + self.scaling.scalers[k as usize].cfg.interval;
        if next <= self.sc.duration {
            self.queue.push(next, Event::ScaleTick { scaler: k });
        }
    }

    /// Starts up to `n` absent replicas (lowest first); each takes traffic after `provision`.
    fn provision(&mut self, k: usize, n: u32) {
        let now = self.now;
        let sc = &mut self.scaling.scalers[k];
        let mut left = n;
        for r in 0..sc.state.len() {
            if left == 0 {
                break;
            }
            if sc.state[r] == ReplicaState::Absent {
                sc.state[r] = ReplicaState::Provisioning;
                sc.epoch[r] = sc.epoch[r].wrapping_add(1);
                sc.provisioned += 1;
                left -= 1;
                let ev = Event::ReplicaReady {
                    scaler: k as u32,
                    replica: r as u32,
                    epoch: sc.epoch[r],
                };
                self.queue.push(now + sc.cfg.provision, ev);
            }
        }
        self.refresh_scaled(k);
    }

    /// Removes `n` replicas: provisioning ones first, then ready ones that are down, then
    /// ready ones, highest index first; a ready one drains.
    fn retire(&mut self, k: usize, n: u32) {
        let mut left = n;
        let first = self.scaling.scalers[k].first_instance as usize;
        for pass in 0..3 {
            let sc = &mut self.scaling.scalers[k];
            for r in (0..sc.state.len()).rev() {
                if left == 0 {
                    break;
                }
                let down = self.instances[first + r].down;
                match (pass, sc.state[r]) {
                    (0, ReplicaState::Provisioning) => {
                        sc.state[r] = ReplicaState::Absent;
                        sc.epoch[r] = sc.epoch[r].wrapping_add(1);
                    }
                    (1, ReplicaState::Ready) if down => sc.state[r] = ReplicaState::Draining,
                    (2, ReplicaState::Ready) => sc.state[r] = ReplicaState::Draining,
                    _ => continue,
                }
                left -= 1;
            }
        }
        for r in 0..self.scaling.scalers[k].state.len() {
            let sc = &mut self.scaling.scalers[k];
            if sc.state[r] == ReplicaState::Draining && self.instances[first + r].is_idle() {
                sc.state[r] = ReplicaState::Absent;
                sc.drained += 1;
                self.clear_replica_caches((first + r) as u32);
            }
        }
        self.refresh_scaled(k);
    }

    pub(super) fn on_replica_ready(&mut self, k: u32, replica: u32, epoch: u32) {
        let sc = &mut self.scaling.scalers[k as usize];
        let r = replica as usize;
        if sc.epoch[r] != epoch || sc.state[r] != ReplicaState::Provisioning {
            return; // cancelled by a scale-down before it was ready
        }
        sc.state[r] = ReplicaState::Ready;
        self.refresh_scaled(k as usize);
    }

    fn refresh_scaled(&mut self, k: usize) {
        let service = self.scaling.scalers[k].service;
        self.refresh_live(service);
    }

    /// After the states or outages of an autoscaled service changed: which replicas count in
    /// the metric, and the ready, serving and paid counts over time.
    pub(super) fn sync_scaler(&mut self, service: u32) {
        let Some(k) = self
            .scaling
            .scalers
            .iter()
            .position(|s| s.service == service)
        else {
            return;
        };
        let (now, warmup) = (self.now, self.sc.warmup);
        let sc = &mut self.scaling.scalers[k];
        let first = sc.first_instance as usize;
        let (mut ready, mut serving, mut paid) = (0u64, 0u64, 0u64);
        for r in 0..sc.state.len() {
            let inst = &self.instances[first + r];
            let metered = sc.state[r] == ReplicaState::Ready && !inst.down;
            if metered != sc.metered[r] {
                let sign = if metered { 1 } else { -1 };
                sc.busy_sum.add(now, sign * i64::from(sc.busy[r]));
                sc.in_flight.add(now, sign * i64::from(inst.outstanding));
                sc.metered[r] = metered;
            }
            ready += u64::from(metered);
            serving += u64::from(matches!(
                sc.state[r],
                ReplicaState::Ready | ReplicaState::Draining
            ));
            paid += u64::from(sc.state[r] != ReplicaState::Absent);
        }
        sc.set_ready(now, warmup, ready);
        sc.paid.set(now, paid);
        if let Some(m) = &mut self.services[service as usize].stats.serving {
            m.set(now, serving);
        }
    }

    // ----- hooks on the per-event path (nothing to do unless a service autoscales) ----------

    /// A loop of `worker` became busy (`+1`) or free (`-1`).
    #[inline]
    pub(super) fn scale_busy(&mut self, worker: u32, delta: i64) {
        let instance = self.workers[worker as usize].instance;
        let Some((k, r)) = self.scaling.slot(instance) else {
            return;
        };
        let sc = &mut self.scaling.scalers[k];
        sc.busy[r] = (i64::from(sc.busy[r]) + delta).max(0) as u32;
        if sc.metered[r] {
            sc.busy_sum.add(self.now, delta);
        }
    }

    /// A request was routed to `instance` (`+1`) or answered (`-1`): in-flight and request
    /// counts, and the end of a drain.
    #[inline]
    pub(super) fn scale_outstanding(&mut self, instance: u32, delta: i64) {
        let Some((k, r)) = self.scaling.slot(instance) else {
            return;
        };
        let sc = &mut self.scaling.scalers[k];
        if sc.metered[r] {
            sc.in_flight.add(self.now, delta);
            if delta > 0 {
                sc.routed += 1;
            }
        }
        self.end_drain_if_idle(instance);
    }

    /// A draining replica is gone once it has answered every request sent to it and its
    /// background (`spawn`ed) tasks have ended: a graceful shutdown waits for both.
    pub(super) fn end_drain_if_idle(&mut self, instance: u32) {
        let Some((k, r)) = self.scaling.slot(instance) else {
            return;
        };
        let sc = &mut self.scaling.scalers[k];
        if sc.state[r] == ReplicaState::Draining && self.instances[instance as usize].is_idle() {
            sc.state[r] = ReplicaState::Absent;
            sc.drained += 1;
            let service = sc.service;
            self.clear_replica_caches(instance);
            self.sync_scaler(service);
        }
    }

    /// A continuation of `worker` waited `lag` in its ready queue.
    #[inline]
    pub(super) fn scale_lag(&mut self, worker: u32, lag: Nanos) {
        let instance = self.workers[worker as usize].instance;
        let Some((k, r)) = self.scaling.slot(instance) else {
            return;
        };
        let sc = &mut self.scaling.scalers[k];
        if sc.metered[r] {
            sc.lag_sum += u128::from(lag);
            sc.lag_n += 1;
        }
    }

    /// Instance time of a cost tick `[start, end]`: fixed replicas while up, autoscaled ones
    /// while they exist (provisioning, ready — down or not — or draining).
    pub(super) fn instance_time(&mut self, start: Nanos, end: Nanos) -> u128 {
        let scaling = &mut self.scaling;
        let fixed = self
            .instances
            .iter()
            .enumerate()
            .filter(|(i, inst)| !inst.down && !scaling.is_scaled(*i as u32))
            .count() as u128;
        let mut t = fixed * (end - start) as u128;
        for sc in &mut scaling.scalers {
            let paid = sc.paid.integral_total(end);
            t += paid - sc.paid_base.min(paid);
            sc.paid_base = paid;
        }
        t
    }

    /// Series columns: per autoscaled service, desired and ready replicas.
    pub(super) fn scaling_columns(&self, row: &mut Vec<f64>) {
        for sc in &self.scaling.scalers {
            row.extend_from_slice(&[sc.desired as f64, sc.ready_now() as f64]);
        }
    }
}

impl Simulation {
    /// Per service, its autoscaler's report (`None` for fixed services).
    pub(super) fn scaling_reports(&self) -> Vec<Option<AutoscaleReport>> {
        let mut out: Vec<Option<AutoscaleReport>> = alloc::vec![None; self.sc.services.len()];
        let (end, warmup) = (self.now, self.sc.warmup);
        for sc in &self.scaling.scalers {
            let a = &sc.cfg;
            let stats = sc.ready_stats(end, warmup);
            let target = match a.metric {
                ScaleMetric::LoopLag => a.target / 1e9,
                _ => a.target,
            };
            let unit = |m: f64| match a.metric {
                ScaleMetric::LoopLag => m / 1e9,
                _ => m,
            };
            out[sc.service as usize] = Some(AutoscaleReport {
                metric: a.metric.name(),
                target,
                min: a.min,
                max: a.max,
                initial: a.initial,
                decisions: sc.decisions,
                scale_ups: sc.scale_ups,
                scale_downs: sc.scale_downs,
                provisioned: sc.provisioned,
                drained: sc.drained,
                ready_min: stats.map(|s| s.0),
                ready_mean: stats.map(|s| s.1),
                ready_max: stats.map(|s| s.2),
                desired_final: sc.desired,
                replica_seconds: sc.paid.integral_total(end) as f64 / 1e9,
                log: sc
                    .log
                    .iter()
                    .map(|d| ScaleDecisionReport {
                        t_s: to_secs_f64(d.at),
                        metric: d.metric.map(unit),
                        ready: d.ready,
                        current: d.current,
                        desired: d.desired,
                    })
                    .collect(),
                log_truncated: sc.decisions - sc.log.len() as u64,
            });
        }
        out
    }
}
