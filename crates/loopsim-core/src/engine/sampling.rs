//! Time-series rows: one every `sample_every`, summarising the interval that just ended.
//!
//! Columns: client-side rates and latency percentiles, then per workload (prefixed
//! `workload.<name>.`) and per endpoint (prefixed `endpoint.<service><path>.`), then per service
//! (prefixed `<service>.`), then per declared pool (prefixed `pool.<service>.<pool>.`), then per
//! guarded caller (prefixed `guard.<caller>.`).
//!
//! Failures count in the `latency_all_*` percentiles at their time to failure (a timeout at its
//! timeout): when every request fails, the ok-only percentiles have nothing to say and stop,
//! while these go on showing what the users waited.

use alloc::string::String;
use alloc::vec::Vec;

use crate::engine::client::GuardSet;
use crate::engine::queue::Event;
use crate::engine::Simulation;
use crate::guards::breaker::BreakerState;
use crate::metrics::QuantileSketch;
use crate::scenario::Scenario;
use crate::time::to_secs_f64;

/// Client-side columns, in row order.
pub const CLIENT_COLUMNS: [&str; 16] = [
    "t_s",
    "sent_rps",
    "ok_rps",
    "error_rps",
    "timeout_rps",
    "rejected_rps",
    "attempts_rps",
    "retries_rps",
    "latency_mean_s",
    "latency_p50_s",
    "latency_p95_s",
    "latency_p99_s",
    "in_flight",
    "faults_active",
    "failed_ratio",
    "latency_all_p99_s",
];

/// Per workload (prefixed with `workload.<name>.`): its users' view. Three columns, so that a
/// scenario's column count stays bounded by its workloads and endpoints.
pub const WORKLOAD_COLUMNS: [&str; 3] = ["ok_rps", "failed_rps", "latency_all_p99_s"];

/// Per endpoint (prefixed with `endpoint.<service><path>.`): the server's view — requests
/// answered per second (ok or failed), failed per second, and the p99 of the time in service
/// of every answered request.
pub const ENDPOINT_COLUMNS: [&str; 3] = ["rate_rps", "failed_rps", "p99_s"];

/// Requests of one workload or one endpoint that ended in the current series interval.
#[derive(Clone, Debug)]
pub struct FlowInterval {
    pub ok: u64,
    pub failed: u64,
    /// Time to the outcome, failures included.
    pub latency: QuantileSketch,
}

impl Default for FlowInterval {
    fn default() -> Self {
        FlowInterval {
            ok: 0,
            failed: 0,
            latency: QuantileSketch::new_interval(),
        }
    }
}

impl FlowInterval {
    pub fn record(&mut self, ok: bool, latency: u64) {
        if ok {
            self.ok += 1;
        } else {
            self.failed += 1;
        }
        self.latency.record(latency);
    }

    /// Its three columns (ok or answered per second, failed per second, p99), then cleared.
    fn take(&mut self, dt: f64, answered: bool) -> [f64; 3] {
        let first = if answered {
            self.ok + self.failed
        } else {
            self.ok
        };
        let p99 = self.latency.quantile(0.99).map_or(f64::NAN, to_secs_f64);
        let out = [first as f64 / dt, self.failed as f64 / dt, p99];
        self.ok = 0;
        self.failed = 0;
        self.latency.clear();
        out
    }
}

/// Per workload and per endpoint, the interval's requests (`workload.*` and `endpoint.*`
/// columns). A lone workload's requests are the client's: its columns are the client-side
/// ones and nothing is recorded twice on the per-request path.
#[derive(Clone, Debug, Default)]
pub struct Flows {
    /// Empty with a single workload.
    workloads: Vec<FlowInterval>,
    /// Exactly one workload: its columns are the client's.
    lone: bool,
    pub endpoints: Vec<FlowInterval>,
}

impl Flows {
    pub fn new(sc: &Scenario) -> Self {
        let own = if sc.workloads.len() > 1 {
            sc.workloads.len()
        } else {
            0
        };
        Flows {
            workloads: alloc::vec![FlowInterval::default(); own],
            lone: sc.workloads.len() == 1,
            endpoints: alloc::vec![FlowInterval::default(); sc.endpoints.len()],
        }
    }

    /// A request of `workload` ended.
    pub fn record_workload(&mut self, workload: u32, ok: bool, latency: u64) {
        if let Some(w) = self.workloads.get_mut(workload as usize) {
            w.record(ok, latency);
        }
    }

    /// The rows' workload and endpoint columns; `client` is the client-side triple (ok per
    /// second, failed per second, p99 with failures) that a lone workload's columns are.
    fn columns(&mut self, dt: f64, client: [f64; 3], row: &mut Vec<f64>) {
        if self.lone {
            row.extend_from_slice(&client);
        }
        for w in &mut self.workloads {
            row.extend_from_slice(&w.take(dt, false));
        }
        for e in &mut self.endpoints {
            row.extend_from_slice(&e.take(dt, true));
        }
    }
}

/// Per-service columns (prefixed with `<service>.`).
pub const SERVICE_COLUMNS: [&str; 9] = [
    "utilization",
    "loop_lag_max_s",
    "loop_lag_mean_s",
    "ready_queue",
    "active",
    "pool_queue",
    "pool_busy",
    "refused_rps",
    "concurrency_limit",
];

/// Per declared pool (prefixed with `pool.<service>.<pool>.`): permits in use and waiters,
/// summed over the pool's instances.
pub const POOL_COLUMNS: [&str; 2] = ["in_use", "waiting"];

/// Per guarded caller (prefixed with `guard.<caller>.`): replicas whose breaker is open (half
/// open counts ½), and the highest risk score.
pub const GUARD_COLUMNS: [&str; 2] = ["breaker_open", "risk"];

/// Per autoscaled service (prefixed with `<service>.`), after the guard columns: the
/// autoscaler's last decision and the replicas ready and up (taking traffic).
pub const SCALING_COLUMNS: [&str; 2] = ["replicas_desired", "replicas_ready"];

/// Column names of the time series, in row order; `guards` are the engine's guard sets (their
/// callers, in order, name the guard columns).
pub fn series_names(sc: &Scenario, guards: &[GuardSet]) -> Vec<String> {
    let mut names: Vec<String> = CLIENT_COLUMNS.iter().map(|s| String::from(*s)).collect();
    for w in &sc.workloads {
        for col in WORKLOAD_COLUMNS {
            names.push(alloc::format!("workload.{}.{col}", w.name));
        }
    }
    for e in &sc.endpoints {
        let svc = &sc.services[e.service as usize].name;
        for col in ENDPOINT_COLUMNS {
            names.push(alloc::format!("endpoint.{svc}{}.{col}", e.path));
        }
    }
    for svc in &sc.services {
        for col in SERVICE_COLUMNS {
            names.push(alloc::format!("{}.{}", svc.name, col));
        }
    }
    // In the engine's resource order: declared pools, then each service's cores and GIL.
    let declared = sc.pools.iter().map(|p| (p.service, p.name.as_str()));
    let cpu = sc.services.iter().enumerate().flat_map(|(s, svc)| {
        let cores = svc.cores.map(|_| (s as u32, "cores"));
        let gil = svc.gil.then_some((s as u32, "gil"));
        cores.into_iter().chain(gil)
    });
    for (service, pool) in declared.chain(cpu) {
        let svc = &sc.services[service as usize].name;
        for col in POOL_COLUMNS {
            names.push(alloc::format!("pool.{svc}.{pool}.{col}"));
        }
    }
    for label in guard_labels(guards) {
        for col in GUARD_COLUMNS {
            names.push(alloc::format!("guard.{label}.{col}"));
        }
    }
    for svc in sc.services.iter().filter(|s| s.autoscale.is_some()) {
        for col in SCALING_COLUMNS {
            names.push(alloc::format!("{}.{}", svc.name, col));
        }
    }
    for q in &sc.queues {
        for col in crate::engine::broker::QUEUE_COLUMNS {
            names.push(alloc::format!("queue.{}.{col}", q.name));
        }
    }
    names
}

/// One label per guarded caller: consecutive guard sets of one caller (its replicas) share it.
fn guard_labels(guards: &[GuardSet]) -> Vec<&str> {
    let mut labels: Vec<&str> = Vec::new();
    for g in guards {
        if labels.last() != Some(&g.label.as_str()) {
            labels.push(&g.label);
        }
    }
    labels
}

impl Simulation {
    pub(super) fn on_sample(&mut self) {
        let now = self.now;
        let dt = to_secs_f64(self.sc.sample_every);
        let mut row: Vec<f64> = Vec::with_capacity(self.series.names().len());
        let iv = &self.interval;
        let [p50, p95, p99] = iv
            .latency
            .quantiles([0.5, 0.95, 0.99])
            .map(|q| q.map_or(f64::NAN, to_secs_f64));
        let done = self.live.ok() + self.live.failed();
        let ended = iv.ok + iv.failed + iv.timeout + iv.rejected;
        let failed_ratio = if ended > 0 {
            (ended - iv.ok) as f64 / ended as f64
        } else {
            f64::NAN
        };
        let all_p99 = iv
            .latency
            .quantile_with(&iv.latency_failed, 0.99)
            .map_or(f64::NAN, to_secs_f64);
        row.extend_from_slice(&[
            to_secs_f64(now),
            iv.sent as f64 / dt,
            iv.ok as f64 / dt,
            iv.failed as f64 / dt,
            iv.timeout as f64 / dt,
            iv.rejected as f64 / dt,
            iv.attempts as f64 / dt,
            iv.retries as f64 / dt,
            iv.latency.mean().map_or(f64::NAN, |m| m / 1e9),
            p50,
            p95,
            p99,
            (self.live.sent - done) as f64,
            self.fault_active.iter().filter(|a| **a).count() as f64,
            failed_ratio,
            all_p99,
        ]);
        let client = [iv.ok as f64 / dt, (ended - iv.ok) as f64 / dt, all_p99];
        self.flows.columns(dt, client, &mut row);
        self.service_columns(&mut row);
        self.pool_columns(&mut row);
        self.guard_columns(&mut row);
        self.scaling_columns(&mut row);
        self.queue_columns(&mut row);
        for (ratio, entries) in self.caches.take_interval() {
            row.extend_from_slice(&[ratio, entries]);
        }
        self.channels
            .series_columns(now, self.sc.sample_every, &mut row);
        self.series.push_row(&row);
        self.interval.reset();
        self.drain_guard_logs();
        let next = now + self.sc.sample_every;
        if next <= self.sc.duration {
            self.queue.push(next, Event::Sample);
        }
    }

    fn service_columns(&mut self, row: &mut Vec<f64>) {
        let now = self.now;
        let dt = to_secs_f64(self.sc.sample_every);
        for (s, rt) in self.services.iter_mut().enumerate() {
            let svc = &self.sc.services[s];
            let loops = (svc.replicas * svc.workers) as f64;
            let st = &mut rt.stats;
            let busy = st.busy_loops.integral(now);
            let window_busy = busy - st.interval_busy_base.min(busy);
            let interval_ns = self
                .sc
                .sample_every
                .min(now.saturating_sub(self.sc.warmup))
                .max(1);
            // An autoscaled service: over the loops of its serving replicas in the interval.
            let loop_ns = match &st.serving {
                Some(m) => {
                    let total = m.integral(now);
                    let ns = total - st.interval_serving_base.min(total);
                    st.interval_serving_base = total;
                    ns as f64 * svc.workers as f64
                }
                None => interval_ns as f64 * loops,
            };
            let util = if now > self.sc.warmup && loop_ns > 0.0 {
                window_busy as f64 / loop_ns
            } else {
                f64::NAN
            };
            st.interval_busy_base = busy;
            let lag_mean = if st.interval_lag_n > 0 {
                st.interval_lag_sum as f64 / st.interval_lag_n as f64 / 1e9
            } else {
                f64::NAN
            };
            let first = rt.first_instance as usize;
            let limit: Option<u32> = self.instances[first..first + svc.replicas as usize]
                .iter()
                .map(|i| i.limit.as_ref().map(|l| l.limit()))
                .sum();
            row.extend_from_slice(&[
                util,
                to_secs_f64(st.interval_lag_max),
                lag_mean,
                st.ready.value() as f64,
                st.active.value() as f64,
                self.resources.meters[s].queued.value() as f64,
                self.resources.meters[s].busy.value() as f64,
                st.interval_refused as f64 / dt,
                limit.map_or(f64::NAN, |l| l as f64),
            ]);
            st.interval_lag_max = 0;
            st.interval_lag_sum = 0;
            st.interval_lag_n = 0;
            st.interval_refused = 0;
        }
    }

    fn pool_columns(&self, row: &mut Vec<f64>) {
        let r = &self.resources;
        for (k, m) in r.kinds.iter().zip(&r.meters) {
            if k.role != crate::engine::resource::Role::Threads {
                row.extend_from_slice(&[m.busy.value() as f64, m.queued.value() as f64]);
            }
        }
    }

    fn guard_columns(&mut self, row: &mut Vec<f64>) {
        let now = self.now;
        self.guards.iter_mut().for_each(|g| g.poll(now));
        let sets = &self.guards;
        let mut i = 0;
        while i < sets.len() {
            let label = &sets[i].label;
            let (mut open, mut risk) = (f64::NAN, f64::NAN);
            while i < sets.len() && &sets[i].label == label {
                if let Some(state) = sets[i].breaker_state() {
                    let v = match state {
                        BreakerState::Closed => 0.0,
                        BreakerState::HalfOpen => 0.5,
                        BreakerState::Open => 1.0,
                    };
                    open = if open.is_nan() { v } else { open + v };
                }
                if let Some(r) = sets[i].risk() {
                    risk = if risk.is_nan() { r } else { risk.max(r) };
                }
                i += 1;
            }
            row.extend_from_slice(&[open, risk]);
        }
    }
}
