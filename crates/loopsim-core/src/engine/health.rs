//! Health records: every `health.tick` the engine closes one record per service, one for the
//! client side and one for spend, feeds the online watchers (collapse detectors, the budget
//! monitor) and lets them act (throttle feedback, budget enforcement). At the end the records
//! go to the pure models in `crate::health` (auditor score and timeline, SLOs, cost).

use alloc::vec::Vec;

use crate::engine::queue::{Event, Outcome};
use crate::engine::Simulation;
use crate::guards::budget::BudgetDecision;
use crate::health::{
    BlockingCause, BudgetAction, BudgetMonitor, ClientTick, CollapseDetector, CostTick,
    ServiceHistory, ServiceTick, Usage,
};
use crate::metrics::QuantileSketch;
use crate::scenario::{Arrivals, Scenario};
use crate::time::Nanos;

/// What one service accumulates during the current tick.
#[derive(Clone, Debug)]
pub struct ServiceTickAcc {
    pub tick: ServiceTick,
    /// Loop-busy integral at the start of the tick.
    pub busy_base: u128,
    /// Time in service of requests that finished in the tick.
    pub latency: QuantileSketch,
}

impl ServiceTickAcc {
    pub fn new() -> Self {
        ServiceTickAcc {
            tick: ServiceTick::default(),
            busy_base: 0,
            latency: QuantileSketch::new_interval(),
        }
    }
}

/// The client side's current tick.
#[derive(Clone, Debug)]
pub struct ClientTickAcc {
    pub tick: ClientTick,
    pub latency: QuantileSketch,
}

/// Everything the engine keeps for health, SLOs and cost.
#[derive(Debug)]
pub struct HealthState {
    pub services: Vec<ServiceTickAcc>,
    pub client: ClientTickAcc,
    pub usage: Usage,
    pub tick_start: Nanos,
    pub service_ticks: Vec<Vec<ServiceTick>>,
    pub client_ticks: Vec<ClientTick>,
    pub cost_ticks: Vec<CostTick>,
    /// Per endpoint: `blocking` step time, and slow-callback time of runs without one.
    pub endpoint_blocking: Vec<u128>,
    pub endpoint_slow: Vec<u128>,
    /// One detector per service with a bounded accept queue.
    pub collapse: Vec<Option<CollapseDetector>>,
    pub budget: Option<BudgetMonitor>,
    /// What the budget monitor currently enforces.
    pub enforce: BudgetDecision,
    /// The endpoint a `block` budget action names (`None`: every endpoint).
    pub blocked_endpoint: Option<u32>,
}

impl HealthState {
    pub fn new(sc: &Scenario) -> Self {
        let slos = sc.slos.len();
        let client = ClientTickAcc {
            tick: ClientTick {
                slo_good: alloc::vec![0; slos],
                slo_total: alloc::vec![0; slos],
                ..ClientTick::default()
            },
            latency: QuantileSketch::new_interval(),
        };
        let collapse = sc
            .services
            .iter()
            .map(|s| {
                s.ingress
                    .max_queue
                    .map(|_| CollapseDetector::new(sc.health.collapse))
            })
            .collect();
        let budget = sc
            .budget
            .clone()
            .and_then(|b| BudgetMonitor::new(b, sc.duration).ok());
        let blocked_endpoint = match &sc.budget.as_ref().map(|b| &b.action) {
            Some(BudgetAction::Block {
                endpoint: Some(name),
            }) => resolve_endpoint(sc, name),
            _ => None,
        };
        HealthState {
            services: sc.services.iter().map(|_| ServiceTickAcc::new()).collect(),
            client,
            usage: Usage::default(),
            tick_start: 0,
            service_ticks: sc.services.iter().map(|_| Vec::new()).collect(),
            client_ticks: Vec::new(),
            cost_ticks: Vec::new(),
            endpoint_blocking: alloc::vec![0; sc.endpoints.len()],
            endpoint_slow: alloc::vec![0; sc.endpoints.len()],
            collapse,
            budget,
            enforce: BudgetDecision::Allow,
            blocked_endpoint,
        }
    }

    /// Blocking causes of one service, for findings.
    pub fn causes(&self, sc: &Scenario, service: usize) -> Vec<BlockingCause> {
        sc.services[service]
            .endpoints
            .iter()
            .map(|&e| BlockingCause {
                endpoint: sc.endpoints[e as usize].path.clone(),
                blocking_ns: self.endpoint_blocking[e as usize],
                slow_callback_ns: self.endpoint_slow[e as usize],
            })
            .collect()
    }
}

/// `service/path`, or a bare `path` if only one service has it.
fn resolve_endpoint(sc: &Scenario, name: &str) -> Option<u32> {
    let (svc, path) = match name.split_once('/') {
        Some((s, p)) if !s.is_empty() => (Some(s), alloc::format!("/{p}")),
        _ => (None, alloc::string::String::from(name)),
    };
    sc.endpoints
        .iter()
        .position(|e| {
            e.path == path && svc.is_none_or(|s| sc.services[e.service as usize].name == s)
        })
        .map(|i| i as u32)
}

impl Simulation {
    /// Closes the current health tick at `now`.
    pub(super) fn on_health_tick(&mut self) {
        self.close_tick();
        let next = self.now + self.sc.health.tick;
        if next <= self.sc.duration {
            self.queue.push(next, Event::HealthTick);
        }
    }

    /// Closes the last, partial tick when the run ends between two ticks.
    pub(super) fn flush_health(&mut self) {
        if self.now > self.health.tick_start {
            self.close_tick();
        }
    }

    fn close_tick(&mut self) {
        let (start, end) = (self.health.tick_start, self.now);
        for s in 0..self.services.len() {
            let tick = self.service_tick(s, start, end);
            self.health.service_ticks[s].push(tick);
        }
        let client = self.client_tick(start, end);
        self.health.client_ticks.push(client);
        self.cost_tick(start, end);
        self.health.tick_start = end;
        self.watch_collapse(end);
    }

    fn service_tick(&mut self, s: usize, start: Nanos, end: Nanos) -> ServiceTick {
        let svc = &self.sc.services[s];
        let rt = &mut self.services[s];
        let first = rt.first_instance as usize;
        let instances = &self.instances[first..first + svc.replicas as usize];
        let acc = &mut self.health.services[s];
        let busy = rt.stats.busy_loops.integral_total(end);
        let mut tick = core::mem::take(&mut acc.tick);
        tick.start = start;
        tick.end = end;
        tick.loops = svc.replicas * svc.workers;
        tick.busy_ns = busy - acc.busy_base.min(busy);
        tick.backlog_end = instances
            .iter()
            .map(|i| u64::from(i.pool_queued))
            .max()
            .unwrap_or(0);
        tick.active_end = rt.stats.active.value();
        tick.accept_queue_end = instances.iter().map(|i| i.waiting as u64).sum();
        tick.accept_queue_capacity = svc.ingress.max_queue.map(|m| m * svc.replicas);
        if let Some(m) = &rt.stats.serving {
            // An autoscaled service: its serving replicas' loops, rounded up over the tick.
            let total = m.integral_total(end);
            let ns = total - rt.stats.tick_serving_base.min(total);
            rt.stats.tick_serving_base = total;
            let mean = (ns.div_ceil(u128::from((end - start).max(1))) as u32).max(1);
            tick.loops = mean * svc.workers;
            tick.accept_queue_capacity = svc.ingress.max_queue.map(|m| m * mean);
        }
        [tick.latency_p95, tick.latency_p99] = acc.latency.quantiles([0.95, 0.99]);
        acc.latency.clear();
        acc.busy_base = busy;
        // Levels carry over into the next tick as its starting peaks.
        acc.tick.backlog_max = tick.backlog_end;
        acc.tick.active_peak = tick.active_end;
        tick
    }

    fn client_tick(&mut self, start: Nanos, end: Nanos) -> ClientTick {
        let acc = &mut self.health.client;
        let n = acc.tick.slo_good.len();
        let mut tick = core::mem::replace(
            &mut acc.tick,
            ClientTick {
                slo_good: alloc::vec![0; n],
                slo_total: alloc::vec![0; n],
                ..ClientTick::default()
            },
        );
        tick.start = start;
        tick.end = end;
        [tick.latency_p50, tick.latency_p95, tick.latency_p99] =
            acc.latency.quantiles([0.5, 0.95, 0.99]);
        acc.latency.clear();
        tick
    }

    fn cost_tick(&mut self, start: Nanos, end: Nanos) {
        if self.sc.cost.is_none() {
            return;
        }
        let instance_ns = self.instance_time(start, end);
        let Some(model) = &self.sc.cost else { return };
        let mut usage = core::mem::take(&mut self.health.usage);
        usage.instance_ns = instance_ns;
        let tick = model.tick(start, end, &usage);
        if let Some(b) = &mut self.health.budget {
            if b.observe(&tick).is_ok() {
                self.health.enforce = b.enforce();
            }
        }
        self.health.cost_ticks.push(tick);
    }

    /// Feeds each bounded queue to its collapse detector; with `collapse_throttle`, closed-loop
    /// users of a degraded service slow down by the detector's delay.
    fn watch_collapse(&mut self, now: Nanos) {
        for (s, det) in self.health.collapse.iter_mut().enumerate() {
            let Some(det) = det else { continue };
            let tick = self.health.service_ticks[s].last().expect("just closed");
            det.observe(
                now,
                tick.accept_queue_end,
                tick.accept_queue_capacity,
                tick.latency_p95,
            );
        }
        if !self.sc.health.collapse_throttle {
            return;
        }
        // Read after every detector has observed this tick (no per-tick scratch list).
        for (w, wl) in self.sc.workloads.iter().enumerate() {
            if matches!(wl.arrivals, Arrivals::Closed { .. }) {
                self.workloads[w].throttle_delay = self.health.collapse[wl.target as usize]
                    .as_ref()
                    .map_or(0, |det| det.throttle_delay());
            }
        }
    }

    /// The budget monitor's verdict on a new client request for `endpoint`, if it refuses it.
    pub(super) fn budget_refuses(&mut self, endpoint: u32, rng_draw: f64) -> Option<Outcome> {
        let hit = self.health.blocked_endpoint.is_none_or(|e| e == endpoint);
        match self.health.enforce {
            BudgetDecision::Allow => None,
            // Throttling sheds half of the requests it applies to.
            BudgetDecision::Throttle if hit && rng_draw < 0.5 => Some(Outcome::RejectedBudget),
            BudgetDecision::Throttle => None,
            BudgetDecision::Block if hit => Some(Outcome::RejectedBudget),
            BudgetDecision::Block => None,
        }
    }

    /// A loop run ended (the task awaited or finished): count it if it was a slow callback.
    pub(super) fn end_run(&mut self, worker: u32) {
        let l = &self.workers[worker as usize].event_loop;
        let length = self.now - l.run_started;
        if length <= self.sc.health.slow_callback || l.run_blocking {
            return;
        }
        let (service, endpoint) = (self.workers[worker as usize].service, l.run_endpoint);
        let t = &mut self.health.services[service as usize].tick;
        t.slow_callbacks += 1;
        t.slow_callback_ns += length as u128;
        t.slow_callback_max = t.slow_callback_max.max(length);
        self.health.endpoint_slow[endpoint as usize] += length as u128;
    }
}

/// The health, SLO, collapse and cost parts of the report.
pub struct Assessment {
    pub health: crate::health::HealthReport,
    pub slo: Vec<crate::health::SloResult>,
    pub collapse: Vec<(alloc::string::String, crate::health::CollapseReport)>,
    pub cost: Option<crate::health::CostReport>,
}

impl Simulation {
    /// Runs the pure models over the records of the measured window (ticks that start at or
    /// after warm-up; spend counts every tick, warm-up included, since it was paid for).
    pub(super) fn assess(&self) -> Assessment {
        let sc = &self.sc;
        let h = &self.health;
        let from = |ticks: &[ServiceTick]| ticks.partition_point(|t| t.start < sc.warmup);
        let measured: Vec<&[ServiceTick]> = h.service_ticks.iter().map(|t| &t[from(t)..]).collect();
        let causes: Vec<Vec<BlockingCause>> =
            (0..sc.services.len()).map(|s| h.causes(sc, s)).collect();
        let histories: Vec<ServiceHistory<'_>> = sc
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| ServiceHistory {
                name: &s.name,
                ticks: measured[i],
                causes: &causes[i],
            })
            .collect();
        let c0 = h.client_ticks.partition_point(|t| t.start < sc.warmup);
        let client = &h.client_ticks[c0..];
        let health =
            crate::health::assess_run(&histories, client, sc.health.window, &sc.health.thresholds);
        let slo = crate::health::evaluate(&sc.slos, client, sc.slo_period);
        let collapse = h
            .collapse
            .iter()
            .enumerate()
            .filter_map(|(s, d)| {
                d.as_ref()
                    .map(|d| (sc.services[s].name.clone(), d.report()))
            })
            .collect();
        let cost = sc
            .cost
            .as_ref()
            .map(|_| crate::health::cost_report(&h.cost_ticks, h.budget.as_ref()));
        Assessment {
            health,
            slo,
            collapse,
            cost,
        }
    }
}
