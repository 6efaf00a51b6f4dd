//! How much work a run will be, before it starts: the requests the workloads will send and the
//! engine events they will cost, from the scenario alone.
//!
//! A page can turn the events into seconds at the speed it measured on earlier runs and ask
//! before starting a run that would take minutes (found out, otherwise, by waiting). It is a
//! rough figure by design: mean arrival rates × duration × the events one request costs along
//! its calls, ignoring retries, timeouts and queueing (which can multiply the work of an
//! overloaded system, never make it much smaller).

use crate::scenario::check::{expected_visits, step_weights};
use crate::scenario::{Scenario, Step};
use crate::time::to_secs_f64;

/// Events one endpoint visit costs beyond its steps: the request's delivery and its response.
const EVENTS_PER_VISIT: f64 = 2.0;
/// Events per request beyond its visits: its arrival (the client side's send).
const EVENTS_PER_REQUEST: f64 = 1.0;

/// The expected size of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunEstimate {
    /// Requests the workloads send (surges included, retries not).
    pub requests: f64,
    /// Engine events the run will process, roughly.
    pub events: f64,
    /// Simulated seconds.
    pub duration_s: f64,
}

impl RunEstimate {
    /// Wall-clock seconds at `events_per_sec` (a measured speed; 0 or less gives 0).
    pub fn seconds_at(&self, events_per_sec: f64) -> f64 {
        if events_per_sec > 0.0 && self.events.is_finite() {
            self.events / events_per_sec
        } else {
            0.0
        }
    }
}

/// The run estimate of a valid scenario.
pub fn estimate(s: &Scenario) -> RunEstimate {
    let per_visit: alloc::vec::Vec<f64> =
        s.endpoints.iter().map(|e| visit_events(&e.steps)).collect();
    let (mut requests, mut events) = (0.0, 0.0);
    for (sent, visits) in expected_visits(s) {
        let per_request: f64 = EVENTS_PER_REQUEST
            + visits
                .iter()
                .zip(&per_visit)
                .map(|(v, e)| if *v > 0.0 { v * e } else { 0.0 })
                .sum::<f64>();
        if sent.is_finite() && sent > 0.0 {
            requests += sent;
            events += sent * per_request;
        }
    }
    RunEstimate {
        requests,
        events,
        duration_s: to_secs_f64(s.duration),
    }
}

/// Events of one visit of an endpoint with `steps`: every step that waits for something
/// (a computation's end, an I/O, a thread, a permit, a broker's acknowledgement) is one or two
/// events, weighted by how often it runs (branch weights, parallel fan-outs).
fn visit_events(steps: &[Step]) -> f64 {
    let weights = step_weights(steps);
    EVENTS_PER_VISIT
        + steps
            .iter()
            .zip(weights)
            .map(|(step, w)| w * step_events(step))
            .sum::<f64>()
}

fn step_events(step: &Step) -> f64 {
    match step {
        Step::Cpu(_) | Step::Blocking(_) | Step::Io(_) | Step::Offload(_) | Step::Llm(_) => 1.0,
        Step::OffloadSplit { .. } | Step::Publish(_) => 2.0,
        Step::Acquire(_) | Step::Fork(_) => 1.0,
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate_of(yaml: &str) -> RunEstimate {
        let checked = crate::check(yaml);
        estimate(&checked.scenario.expect("valid"))
    }

    #[test]
    fn requests_are_rate_times_duration_and_events_follow_the_calls() {
        let e = estimate_of(
            "version: 1\nduration: 100s\nworkload:\n  - to: api\n    rate: 50/s\nservices:\n  api:\n    endpoints:\n      /:\n        - cpu: 1ms\n        - call: db/q\n  db:\n    endpoints:\n      /q:\n        - io: 2ms\n",
        );
        assert!((e.requests - 5000.0).abs() < 1e-6, "{e:?}");
        // 1 arrival + api (2 + cpu) + db (2 + io) = 7 events per request.
        assert!((e.events - 35_000.0).abs() < 1e-6, "{e:?}");
        assert_eq!(e.duration_s, 100.0);
        assert!((e.seconds_at(7000.0) - 5.0).abs() < 1e-9);
        assert_eq!(e.seconds_at(0.0), 0.0);
    }
}
