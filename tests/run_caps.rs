//! Run-time caps: valid scenarios that the static estimate cannot bound still stop, quickly,
//! with a report that says which cap stopped them.

use loopsim_core::report::StopCause;
use loopsim_tests::run_yaml;

/// Closed users without think time whose requests fail at once (a 100% `errors` fault from
/// t = 1 s): every user resends at the same instant forever. The clock stalls at 1 s and the
/// run stops there instead of spinning.
#[test]
fn closed_users_failing_instantly_stop_on_a_stalled_clock() {
    let r = run_yaml(
        "version: 1\nname: spin\nseed: 1\nduration: 60s\n\
         workload:\n  - to: api\n    arrivals: closed\n    users: 10\n\
         services:\n  api:\n    endpoints:\n      /:\n        - cpu: 1ms\n\
         faults:\n  - { at: 1s, kind: errors, target: api, rate: 100% }\n",
    );
    let stop = r.stopped.as_ref().expect("the run must stop early");
    assert_eq!(stop.cause, StopCause::StalledClock);
    assert!((stop.at_s - 1.0).abs() < 0.01, "stopped at {}", stop.at_s);
    assert!(stop.message.contains("did not advance"), "{}", stop.message);
    assert!(r.requests.completed > 0, "the first second ran normally");
}

/// Failing requests waiting 30 days for their retry are alive on the client side: they count
/// against `max_in_flight` (before the fix they were not counted and memory grew without
/// bound until the allocator aborted).
#[test]
fn requests_waiting_for_a_retry_count_against_max_in_flight() {
    let r = run_yaml(
        "version: 1\nname: retry hoard\nseed: 1\nduration: 60s\nmax_in_flight: 20000\n\
         workload:\n  - to: api\n    rate: 10000/s\n\
         \x20   retry: { attempts: 2, backoff: { kind: constant, base: 30d } }\n\
         services:\n  api:\n    endpoints:\n      /:\n        - io: 1ms\n\
         faults:\n  - { at: 0s, kind: errors, target: api, rate: 100% }\n",
    );
    let stop = r.stopped.as_ref().expect("the run must stop early");
    assert_eq!(stop.cause, StopCause::MaxInFlight);
    // 20,000 requests alive after ≈ 2 s at 10,000/s (each waits 30 days to retry).
    assert!(
        (1.8..2.2).contains(&stop.at_s),
        "stopped at {} s: {}",
        stop.at_s,
        stop.message
    );
    assert!(stop.message.contains("max_in_flight = 20000"));
}

/// A run stopped before `warmup` ends has an empty measured window: no time-weighted service
/// figure (before the fix: `ready_queue {mean: 999, max: 0}` and a mean above its peak), and
/// no infinite rate.
#[test]
fn a_run_stopped_during_warmup_reports_no_time_weighted_figures() {
    let r = run_yaml(
        "version: 1\nname: early\nseed: 1\nduration: 60s\nwarmup: 30s\nmax_in_flight: 500\n\
         workload:\n  - to: api\n    rate: 2000/s\n\
         services:\n  api:\n    endpoints:\n      /:\n        - cpu: 1ms\n",
    );
    let stop = r.stopped.as_ref().expect("overloaded 2×: stops early");
    assert_eq!(stop.cause, StopCause::MaxInFlight);
    assert!(stop.at_s < 30.0);
    assert_eq!(r.measured_s, 0.0);
    assert!(r.note.contains("measured window is empty"), "{}", r.note);
    let api = r.services.get("api").unwrap();
    assert_eq!(api.utilization, None);
    assert_eq!(api.ready_queue, None);
    assert_eq!(api.active_requests_mean, None);
    assert_eq!(api.active_requests_peak, None);
    assert_eq!(api.threadpool.utilization, None);
    for rate in [r.throughput_rps, r.goodput_rps, r.answered_rps] {
        assert!(rate.is_finite() && rate == 0.0, "rate {rate}");
    }
    let json = serde_json::to_string(&r).unwrap();
    assert!(
        json.contains("\"stopped\":{\"cause\":\"max_in_flight\""),
        "{json}"
    );
}
