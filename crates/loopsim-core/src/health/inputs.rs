//! From ticks to the auditor's eight signals ([`AuditInputs`]) over a window of time.
//!
//! A tick belongs to the window `[from, to)` that contains its `start`. [`WindowStats`] sums
//! and maxes a service's ticks of the window in exact integers; [`WindowStats::audit_inputs`]
//! then reads the auditor's signals from it:
//!
//! - **p99 latency**: the largest per-tick p99 of the time in service (a conservative stand-in
//!   for the window's p99: per-tick sketches do not merge). For the whole system, the largest
//!   per-tick p99 of the client's latency instead ([`system_stats`]).
//! - **max event-loop lag**: the largest `lag_max`.
//! - **blocking events and their average duration**: a blocking event is a `blocking` step
//!   or a slow callback (a loop run, time between awaits, longer than the engine's
//!   slow-callback threshold). The engine reports slow callbacks *excluding* runs that
//!   contain a `blocking` step, so the two never count the same time twice and add up:
//!   `events = blocking_steps + slow_callbacks`,
//!   `average = (blocking_ns + slow_callback_ns) / events` (0 without events), the mean the
//!   auditor's `rate(sum) / rate(count)` query computes.
//! - **thread-pool queue wait**: the mean wait, `pool_wait_sum / pool_wait_n` (0 without
//!   jobs), as the auditor's `rate(sum) / rate(count)` query.
//! - **thread-pool started / completed**: the auditor reads *cumulative* counters at the end
//!   of its window, so `started − completed` is the jobs outstanding at that moment. We give
//!   it `completed` = jobs completed from the start of the run to the end of the window, and
//!   `started` = `completed + backlog_end` of the window's last tick: the backlog it computes
//!   is then exactly `backlog_end`, the jobs *queued* for a thread (not running) on the most
//!   backlogged instance at the end of the window. Queued, because running jobs are work the
//!   pool is doing, not a backlog (a pool 7% busy that never queued has none); per instance,
//!   because each replica's pools are their own (summing replicas would report a backlog no
//!   pool has). `backlog_max` is kept for the findings.
//! - **peak active requests**: the largest `active_peak`.

use alloc::vec;
use alloc::vec::Vec;

use super::auditor::AuditInputs;
use super::ticks::{ClientTick, ServiceTick};
use crate::time::{to_secs_f64, Nanos};

/// One service's (or the merged system's) ticks over a window, in exact integers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WindowStats {
    /// Ticks in the window.
    pub ticks: usize,
    /// Length of the ticks in the window, summed.
    pub span_ns: u128,
    /// Event loops (the largest `loops` seen; summed when services are merged).
    pub loops: u64,
    pub lag_max: Nanos,
    pub lag_sum: u128,
    pub lag_n: u64,
    pub busy_ns: u128,
    pub blocking_ns: u128,
    pub blocking_steps: u64,
    pub slow_callbacks: u64,
    pub slow_callback_ns: u128,
    pub slow_callback_max: Nanos,
    pub pool_wait_sum: u128,
    pub pool_wait_n: u64,
    pub pool_wait_max: Nanos,
    /// Jobs completed from the start of the run to the end of the window.
    pub pool_completed_total: u64,
    /// Jobs waiting for a thread on the most backlogged instance at the end of the window,
    /// and at most in it (queued jobs only: running ones are work, not backlog).
    pub backlog_end: u64,
    pub backlog_max: u64,
    pub active_peak: u64,
    pub served_ok: u64,
    pub served_failed: u64,
    pub refused: u64,
    /// The largest per-tick p99 latency (time in service; the client's for the system).
    pub latency_p99: Option<Nanos>,
}

fn max_opt(a: Option<Nanos>, b: Option<Nanos>) -> Option<Nanos> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn mean_secs(sum: u128, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else {
        sum as f64 / n as f64 / 1e9
    }
}

impl WindowStats {
    /// The ticks of `ticks` (in time order) whose start lies in `[from, to)`; the cumulative
    /// thread-pool count runs from the first tick.
    pub fn of(ticks: &[ServiceTick], from: Nanos, to: Nanos) -> Self {
        Self::per_window(ticks, &[(from, to)]).remove(0)
    }

    /// One [`WindowStats`] per window of `bounds` (sorted, non-overlapping), in one pass over
    /// `ticks` (in time order).
    pub fn per_window(ticks: &[ServiceTick], bounds: &[(Nanos, Nanos)]) -> Vec<Self> {
        let mut out = vec![WindowStats::default(); bounds.len()];
        let (mut next, mut completed) = (0, 0);
        for (w, &(from, to)) in out.iter_mut().zip(bounds) {
            while let Some(t) = ticks.get(next).filter(|t| t.start < to) {
                completed += t.pool_completed;
                if t.start >= from {
                    w.add(t);
                }
                next += 1;
            }
            w.pool_completed_total = completed;
        }
        out
    }

    fn add(&mut self, t: &ServiceTick) {
        self.ticks += 1;
        self.span_ns += t.end.saturating_sub(t.start) as u128;
        self.loops = self.loops.max(t.loops as u64);
        self.lag_max = self.lag_max.max(t.lag_max);
        self.lag_sum += t.lag_sum;
        self.lag_n += t.lag_n;
        self.busy_ns += t.busy_ns;
        self.blocking_ns += t.blocking_ns;
        self.blocking_steps += t.blocking_steps;
        self.slow_callbacks += t.slow_callbacks;
        self.slow_callback_ns += t.slow_callback_ns;
        self.slow_callback_max = self.slow_callback_max.max(t.slow_callback_max);
        self.pool_wait_sum += t.pool_wait_sum;
        self.pool_wait_n += t.pool_wait_n;
        self.pool_wait_max = self.pool_wait_max.max(t.pool_wait_max);
        self.backlog_end = t.backlog_end;
        self.backlog_max = self.backlog_max.max(t.backlog_max);
        self.active_peak = self.active_peak.max(t.active_peak);
        self.served_ok += t.served_ok;
        self.served_failed += t.served_failed;
        self.refused += t.refused;
        self.latency_p99 = max_opt(self.latency_p99, t.latency_p99);
    }

    /// Merges another service's window into this one, for the system view: sums of counts
    /// and times, maxima of lag, waits and backlogs (a backlog is one instance's queue, so
    /// the system's is the most backlogged instance's), and the
    /// *largest* peak of active requests (a request that calls another service is active in
    /// both, so summing peaks would count it twice).
    pub fn merge(&mut self, o: &WindowStats) {
        self.ticks = self.ticks.max(o.ticks);
        self.span_ns = self.span_ns.max(o.span_ns);
        self.loops += o.loops;
        self.lag_max = self.lag_max.max(o.lag_max);
        self.lag_sum += o.lag_sum;
        self.lag_n += o.lag_n;
        self.busy_ns += o.busy_ns;
        self.blocking_ns += o.blocking_ns;
        self.blocking_steps += o.blocking_steps;
        self.slow_callbacks += o.slow_callbacks;
        self.slow_callback_ns += o.slow_callback_ns;
        self.slow_callback_max = self.slow_callback_max.max(o.slow_callback_max);
        self.pool_wait_sum += o.pool_wait_sum;
        self.pool_wait_n += o.pool_wait_n;
        self.pool_wait_max = self.pool_wait_max.max(o.pool_wait_max);
        self.pool_completed_total += o.pool_completed_total;
        self.backlog_end = self.backlog_end.max(o.backlog_end);
        self.backlog_max = self.backlog_max.max(o.backlog_max);
        self.active_peak = self.active_peak.max(o.active_peak);
        self.served_ok += o.served_ok;
        self.served_failed += o.served_failed;
        self.refused += o.refused;
        self.latency_p99 = max_opt(self.latency_p99, o.latency_p99);
    }

    /// Blocking events: `blocking` steps plus slow callbacks (disjoint, see the module doc).
    pub fn blocking_events(&self) -> u64 {
        self.blocking_steps + self.slow_callbacks
    }

    /// Mean length of a blocking event, in seconds (0 without events).
    pub fn avg_blocking_s(&self) -> f64 {
        mean_secs(
            self.blocking_ns + self.slow_callback_ns,
            self.blocking_events(),
        )
    }

    /// Mean event-loop lag, in seconds (0 without samples).
    pub fn lag_mean_s(&self) -> f64 {
        mean_secs(self.lag_sum, self.lag_n)
    }

    /// Mean thread-pool queue wait, in seconds (0 without jobs).
    pub fn pool_wait_mean_s(&self) -> f64 {
        mean_secs(self.pool_wait_sum, self.pool_wait_n)
    }

    /// The auditor's signals.
    pub fn audit_inputs(&self) -> AuditInputs {
        AuditInputs {
            p99_latency_s: self.latency_p99.map_or(0.0, to_secs_f64),
            max_event_loop_lag_s: to_secs_f64(self.lag_max),
            blocking_events: self.blocking_events(),
            avg_blocking_duration_s: self.avg_blocking_s(),
            peak_active_requests: self.active_peak as f64,
            threadpool_queue_wait_s: self.pool_wait_mean_s(),
            threadpool_started: (self.pool_completed_total + self.backlog_end) as f64,
            threadpool_completed: self.pool_completed_total as f64,
        }
    }
}

/// One service's signals over `[from, to)`.
pub fn service_inputs(ticks: &[ServiceTick], from: Nanos, to: Nanos) -> AuditInputs {
    WindowStats::of(ticks, from, to).audit_inputs()
}

/// The whole system over `[from, to)`: every service's window merged
/// ([`WindowStats::merge`]), with the client's p99 latency (the largest per-tick p99 of the
/// client ticks starting in the window) when there are client ticks with latencies.
pub fn system_stats(
    services: &[&[ServiceTick]],
    client: &[ClientTick],
    from: Nanos,
    to: Nanos,
) -> WindowStats {
    let mut all = WindowStats::default();
    for ticks in services {
        all.merge(&WindowStats::of(ticks, from, to));
    }
    let client_p99 = client
        .iter()
        .filter(|t| t.start >= from && t.start < to)
        .fold(None, |m, t| max_opt(m, t.latency_p99));
    if client_p99.is_some() {
        all.latency_p99 = client_p99;
    }
    all
}

/// The system's signals over `[from, to)` (see [`system_stats`]).
pub fn system_inputs(
    services: &[&[ServiceTick]],
    client: &[ClientTick],
    from: Nanos,
    to: Nanos,
) -> AuditInputs {
    system_stats(services, client, from, to).audit_inputs()
}

/// The time covered by a set of tick series: the earliest start and the latest end.
pub fn extent<'a>(series: impl IntoIterator<Item = &'a [ServiceTick]>) -> Option<(Nanos, Nanos)> {
    let mut out: Option<(Nanos, Nanos)> = None;
    for ticks in series {
        if let (Some(first), Some(last)) = (ticks.first(), ticks.last()) {
            out = Some(match out {
                None => (first.start, last.end),
                Some((a, b)) => (a.min(first.start), b.max(last.end)),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::NANOS_PER_SEC as S;

    const MS: u64 = 1_000_000;

    fn tick(i: u64) -> ServiceTick {
        ServiceTick {
            start: i * S,
            end: (i + 1) * S,
            loops: 2,
            ..ServiceTick::default()
        }
    }

    /// Three ticks: a quiet one, a bad one, a recovering one.
    fn series() -> Vec<ServiceTick> {
        let mut a = tick(0);
        a.lag_max = 2 * MS;
        a.pool_completed = 5;
        a.pool_started = 5;
        a.active_peak = 3;
        a.latency_p99 = Some(40 * MS);
        let mut b = tick(1);
        b.lag_max = 800 * MS;
        b.lag_sum = 900 * MS as u128;
        b.lag_n = 3;
        b.blocking_ns = 3_000 * MS as u128;
        b.blocking_steps = 2;
        b.slow_callbacks = 2;
        b.slow_callback_ns = 1_000 * MS as u128;
        b.pool_wait_sum = 3_000 * MS as u128;
        b.pool_wait_n = 4;
        b.pool_completed = 2;
        b.backlog_end = 9;
        b.backlog_max = 10;
        b.active_peak = 40;
        b.latency_p99 = Some(120 * MS);
        let mut c = tick(2);
        c.lag_max = 100 * MS;
        c.pool_completed = 6;
        c.backlog_end = 3;
        c.active_peak = 12;
        c.latency_p99 = None;
        vec![a, b, c]
    }

    #[test]
    fn one_tick_window() {
        let x = service_inputs(&series(), S, 2 * S);
        assert_eq!(x.max_event_loop_lag_s, 0.8);
        assert_eq!(x.blocking_events, 4);
        // (3 s + 1 s) / 4 events.
        assert_eq!(x.avg_blocking_duration_s, 1.0);
        assert_eq!(x.threadpool_queue_wait_s, 0.75);
        // Completed from the start: 5 + 2; outstanding at the end of the window: 9.
        assert_eq!(x.threadpool_completed, 7.0);
        assert_eq!(x.threadpool_started, 16.0);
        assert_eq!(x.backlog(), 9.0);
        assert_eq!(x.peak_active_requests, 40.0);
        assert_eq!(x.p99_latency_s, 0.12);
    }

    #[test]
    fn whole_run_window_takes_maxima_and_the_last_backlog() {
        let w = WindowStats::of(&series(), 0, 3 * S);
        assert_eq!(w.ticks, 3);
        assert_eq!(w.span_ns, 3 * S as u128);
        assert_eq!(w.backlog_end, 3);
        assert_eq!(w.backlog_max, 10);
        assert_eq!(w.pool_completed_total, 13);
        assert_eq!(w.lag_mean_s(), 0.3);
        let x = w.audit_inputs();
        assert_eq!(x.max_event_loop_lag_s, 0.8);
        assert_eq!(x.backlog(), 3.0);
        assert_eq!(x.p99_latency_s, 0.12);
        assert_eq!(x.peak_active_requests, 40.0);
    }

    #[test]
    fn empty_window_is_all_zero() {
        let x = service_inputs(&series(), 10 * S, 20 * S);
        assert_eq!(x.max_event_loop_lag_s, 0.0);
        assert_eq!(x.avg_blocking_duration_s, 0.0);
        assert_eq!(x.threadpool_queue_wait_s, 0.0);
        assert_eq!(x.p99_latency_s, 0.0);
        // Completed over the whole run; no tick in the window, so no backlog reading.
        assert_eq!(x.backlog(), 0.0);
    }

    #[test]
    fn system_merges_services_and_prefers_the_client_p99() {
        let a = series();
        let mut b = series();
        b[1].lag_max = 1_200 * MS;
        b[1].active_peak = 30;
        let client = [
            ClientTick {
                start: S,
                end: 2 * S,
                latency_p99: Some(250 * MS),
                ..ClientTick::default()
            },
            ClientTick {
                start: 2 * S,
                end: 3 * S,
                latency_p99: Some(900 * MS),
                ..ClientTick::default()
            },
        ];
        let x = system_inputs(&[&a, &b], &client, S, 2 * S);
        assert_eq!(x.max_event_loop_lag_s, 1.2);
        assert_eq!(x.blocking_events, 8);
        assert_eq!(x.avg_blocking_duration_s, 1.0);
        assert_eq!(
            x.backlog(),
            9.0,
            "the most backlogged instance, not the sum"
        );
        assert_eq!(x.peak_active_requests, 40.0, "largest peak, not the sum");
        assert_eq!(x.p99_latency_s, 0.25);
        // Without client latencies, the services' p99.
        assert_eq!(system_inputs(&[&a, &b], &[], S, 2 * S).p99_latency_s, 0.12);
        assert_eq!(extent([&a[..], &b[..1]]), Some((0, 3 * S)));
        assert_eq!(extent([]), None);
    }
}
