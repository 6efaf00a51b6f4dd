//! The engine's per-tick records: the plain data the health models read.
//!
//! The engine closes one record per service, one client record and one cost record at the end
//! of every health tick `[start, end)` (1 s by default) and hands them over; nothing here
//! depends on the engine. Counters count what happened *in* the tick; `*_end` fields are the
//! value at `end`; `*_max` / `*_peak` fields are the maximum over the tick.

use alloc::string::String;
use alloc::vec::Vec;

use crate::time::Nanos;

/// One service over one tick `[start, end)`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceTick {
    pub start: Nanos,
    pub end: Nanos,
    /// Event loops of the service (replicas × workers).
    pub loops: u32,
    /// Event-loop lag of the continuations that ran in the tick: maximum, sum and count.
    pub lag_max: Nanos,
    pub lag_sum: u128,
    pub lag_n: u64,
    /// Loop-held time in the tick (cpu + blocking), summed over the loops.
    pub busy_ns: u128,
    /// `blocking` steps that started in the tick: their total length and their number.
    pub blocking_ns: u128,
    pub blocking_steps: u64,
    /// Loop runs (time between awaits) longer than the slow-callback threshold that ended in
    /// the tick, *excluding* runs that contain a `blocking` step (those are counted above).
    pub slow_callbacks: u64,
    pub slow_callback_ns: u128,
    pub slow_callback_max: Nanos,
    /// Thread-pool queue wait of the jobs that left the queue in the tick.
    pub pool_wait_sum: u128,
    pub pool_wait_n: u64,
    pub pool_wait_max: Nanos,
    /// Thread-pool jobs started / completed in the tick.
    pub pool_started: u64,
    pub pool_completed: u64,
    /// Thread-pool jobs waiting for a thread on the service's most backlogged instance, at
    /// `end` and at most during the tick.
    pub backlog_end: u64,
    pub backlog_max: u64,
    /// Requests in the service, at `end` and at most.
    pub active_end: u64,
    pub active_peak: u64,
    /// Requests accepted and not started, at `end`; the ingress `max_queue` if bounded.
    pub accept_queue_end: u64,
    pub accept_queue_capacity: Option<u32>,
    pub served_ok: u64,
    pub served_failed: u64,
    pub refused: u64,
    /// Time in service of the requests that finished here in the tick.
    pub latency_p95: Option<Nanos>,
    pub latency_p99: Option<Nanos>,
}

/// The client side (all workloads) over one tick `[start, end)`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClientTick {
    pub start: Nanos,
    pub end: Nanos,
    pub sent: u64,
    pub ok: u64,
    pub failed: u64,
    pub latency_p50: Option<Nanos>,
    pub latency_p95: Option<Nanos>,
    pub latency_p99: Option<Nanos>,
    /// Per SLO objective, in the order of the scenario's `slo:` list: the events of the tick
    /// that met it ([`SloObjective::is_good`](super::slo::SloObjective::is_good)) and all the
    /// events it counts.
    pub slo_good: Vec<u64>,
    pub slo_total: Vec<u64>,
}

/// Spend accrued in one tick `[start, end)`, by category (see
/// [`CostModel::tick`](super::cost::CostModel::tick)).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CostTick {
    pub start: Nanos,
    pub end: Nanos,
    pub requests: f64,
    pub cpu: f64,
    pub instances: f64,
    pub llm: f64,
    /// Requests priced in the tick: the count behind the spend's sampling noise.
    pub events: u64,
}

impl CostTick {
    /// All categories, summed in a fixed order.
    pub fn total(&self) -> f64 {
        self.requests + self.cpu + self.instances + self.llm
    }
}

/// Where a service's loop-holding time went over the whole run, per endpoint: the time in
/// `blocking` steps and in slow callbacks (the same runs as [`ServiceTick`] counts).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BlockingCause {
    pub endpoint: String,
    pub blocking_ns: u128,
    pub slow_callback_ns: u128,
}

impl BlockingCause {
    pub fn total_ns(&self) -> u128 {
        self.blocking_ns + self.slow_callback_ns
    }
}

/// One service's history, as the health models read it: its name, its ticks in time order,
/// and its blocking causes over the run.
#[derive(Clone, Copy, Debug)]
pub struct ServiceHistory<'a> {
    pub name: &'a str,
    pub ticks: &'a [ServiceTick],
    pub causes: &'a [BlockingCause],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_tick_total_sums_all_categories() {
        let t = CostTick {
            start: 0,
            end: 1,
            requests: 0.5,
            cpu: 0.25,
            instances: 1.0,
            llm: 2.0,
            events: 3,
        };
        assert_eq!(t.total(), 3.75);
        assert_eq!(CostTick::default().total(), 0.0);
    }

    #[test]
    fn blocking_cause_total() {
        let c = BlockingCause {
            endpoint: "/report".into(),
            blocking_ns: 7,
            slow_callback_ns: 5,
        };
        assert_eq!(c.total_ns(), 12);
    }
}
