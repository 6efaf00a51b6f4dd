//! What the engine measures while it runs: per service, per workload, and per series interval.
//! Request statistics count requests *sent* at or after warmup; time-weighted statistics cover
//! the window `[warmup, end]`.

use crate::engine::queue::Outcome;
use alloc::vec::Vec;

use crate::metrics::{QuantileSketch, TimeWeighted};
use crate::time::Nanos;

/// Outcome counts of a set of client requests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcomes {
    pub sent: u64,
    /// Requests by final outcome, indexed by `Outcome as usize`.
    pub by_kind: [u64; Outcome::ALL.len()],
    /// Attempts made (first attempts and retries).
    pub attempts: u64,
    pub retries: u64,
}

impl Outcomes {
    #[inline]
    pub fn get(&self, o: Outcome) -> u64 {
        self.by_kind[o as usize]
    }

    pub fn ok(&self) -> u64 {
        self.get(Outcome::Ok)
    }

    pub fn failed(&self) -> u64 {
        self.by_kind.iter().sum::<u64>() - self.ok()
    }

    pub fn rejected(&self) -> u64 {
        Outcome::ALL
            .iter()
            .filter(|o| o.is_rejection())
            .map(|&o| self.get(o))
            .sum()
    }

    #[inline]
    pub fn count(&mut self, outcome: Outcome) {
        self.by_kind[outcome as usize] += 1;
    }
}

/// A workload's (or the whole client side's) measured requests.
#[derive(Clone, Debug)]
pub struct ClientStats {
    pub outcomes: Outcomes,
    pub latency: QuantileSketch,
}

impl ClientStats {
    /// Adds another set of requests' counts and latencies (a priority class's workloads).
    pub fn add(&mut self, o: &ClientStats) {
        let (a, b) = (&mut self.outcomes, &o.outcomes);
        a.sent += b.sent;
        a.attempts += b.attempts;
        a.retries += b.retries;
        for (x, y) in a.by_kind.iter_mut().zip(&b.by_kind) {
            *x += y;
        }
        self.latency.merge(&o.latency);
    }
}

impl Default for ClientStats {
    fn default() -> Self {
        ClientStats {
            outcomes: Outcomes::default(),
            latency: QuantileSketch::new(),
        }
    }
}

/// One service's runtime measurements, summed over its replicas and workers.
#[derive(Clone, Debug)]
pub struct ServiceStats {
    /// Number of busy event loops (integral = loop busy time).
    pub busy_loops: TimeWeighted,
    /// Total ready-queue length over the service's loops.
    pub ready: TimeWeighted,
    /// Requests arrived and not yet answered.
    pub active: TimeWeighted,
    /// Offload jobs submitted and not completed (queued + running): the auditor's backlog.
    pub pool_backlog: TimeWeighted,
    pub lag: QuantileSketch,
    /// Loop time spent in `cpu` / `blocking` steps within the window (ns).
    pub cpu_ns: u128,
    pub blocking_ns: u128,
    /// Requests that arrived within the window and finished, by outcome.
    pub served_ok: u64,
    pub served_failed: u64,
    /// The same requests (ok or failed), per replica: how the balancer shared the load.
    pub served_by_replica: Vec<u64>,
    /// Requests refused at ingress (or lost to an outage) in the window, by outcome.
    pub refused: [u64; Outcome::ALL.len()],
    pub interval_refused: u64,
    // Interval accumulators for the time series, reset at every sample.
    pub interval_lag_max: u64,
    pub interval_lag_sum: u128,
    pub interval_lag_n: u64,
    pub interval_busy_base: u128,
    /// An autoscaled service's replicas running loops (ready or draining): the denominator of
    /// its utilisation instead of a fixed replica count.
    pub serving: Option<TimeWeighted>,
    pub interval_serving_base: u128,
    pub tick_serving_base: u128,
}

impl ServiceStats {
    pub fn new(window_start: Nanos, replicas: u32) -> Self {
        let tw = || TimeWeighted::new(window_start);
        ServiceStats {
            busy_loops: tw(),
            ready: tw(),
            active: tw(),
            pool_backlog: tw(),
            lag: QuantileSketch::new(),
            cpu_ns: 0,
            blocking_ns: 0,
            served_ok: 0,
            served_failed: 0,
            served_by_replica: alloc::vec![0; replicas as usize],
            refused: [0; Outcome::ALL.len()],
            interval_refused: 0,
            interval_lag_max: 0,
            interval_lag_sum: 0,
            interval_lag_n: 0,
            interval_busy_base: 0,
            serving: None,
            interval_serving_base: 0,
            tick_serving_base: 0,
        }
    }

    #[inline]
    pub fn record_lag(&mut self, lag: Nanos, measured: bool) {
        if measured {
            self.lag.record(lag);
        }
        self.interval_lag_max = self.interval_lag_max.max(lag);
        self.interval_lag_sum += lag as u128;
        self.interval_lag_n += 1;
    }
}

/// Client-side counts for the current series interval (all requests, warm-up included).
#[derive(Clone, Debug)]
pub struct IntervalStats {
    pub sent: u64,
    pub ok: u64,
    pub failed: u64,
    pub timeout: u64,
    pub rejected: u64,
    pub attempts: u64,
    pub retries: u64,
    /// Successful requests only.
    pub latency: QuantileSketch,
    /// Failed requests at their time to failure (a timeout at its timeout): with `latency`,
    /// every request that ended (`latency.quantile_with(&latency_failed, q)`); successes are
    /// recorded once, in `latency`.
    pub latency_failed: QuantileSketch,
}

impl Default for IntervalStats {
    fn default() -> Self {
        IntervalStats {
            sent: 0,
            ok: 0,
            failed: 0,
            timeout: 0,
            rejected: 0,
            attempts: 0,
            retries: 0,
            latency: QuantileSketch::new_interval(),
            latency_failed: QuantileSketch::new_interval(),
        }
    }
}

impl IntervalStats {
    pub fn reset(&mut self) {
        self.sent = 0;
        self.ok = 0;
        self.failed = 0;
        self.timeout = 0;
        self.rejected = 0;
        self.attempts = 0;
        self.retries = 0;
        self.latency.clear();
        self.latency_failed.clear();
    }
}

/// Requests of one endpoint served in the measured window: outcomes and time in service
/// (arrival at the instance → response sent), the server's view of that endpoint.
#[derive(Clone, Debug, Default)]
pub struct EndpointStats {
    pub ok: u64,
    pub failed: u64,
    pub latency: QuantileSketch,
}

/// The requests one `call` step sent (measured window): outcomes and the caller's latency,
/// retries included. A fan-out's tail shows here, per call site.
#[derive(Clone, Debug, Default)]
pub struct CallSiteStats {
    pub endpoint: u32,
    pub step: u32,
    pub target: u32,
    pub ok: u64,
    pub failed: u64,
    pub latency: QuantileSketch,
    /// Hedged copies sent, copies that answered first with a success, fallbacks run.
    pub hedges: u64,
    pub hedges_won: u64,
    pub fallbacks: u64,
}
