//! Engine review: regression tests for engine bugs found in review.

use loopsim_tests::run_yaml;

/// A breaker's HALF_OPEN trial permit must not be used up by a call that another guard then
/// refuses (the adaptive throttle here): the breaker would wait forever for a trial result
/// that never comes and reject every call until the end of the run.
#[test]
fn half_open_permit_is_returned_when_a_later_guard_refuses() {
    let report = run_yaml(
        r#"version: 1
name: breaker-and-throttle
seed: 5
duration: 30s
workload:
  - to: api
    arrivals: poisson
    rate: 50/s
    breaker: { kind: consecutive, threshold: 3, open_for: 200ms }
    throttle: { k: 1, window: 5s }
services:
  api:
    endpoints:
      /:
        - cpu: 1ms
faults:
  - { at: 2s, for: 3s, kind: errors, target: api, rate: 100% }
"#,
    );
    let g = &report.guards[0];
    let b = g.breaker.as_ref().expect("a breaker");
    assert_eq!(
        b.state, "closed",
        "the breaker recovers after the fault: {g:#?}"
    );
    assert!(
        report.requests.completed > 500,
        "requests succeed again after the fault: {:?}",
        report.requests
    );
}


/// A risk-guard THROTTLE decision delays a call, then the call goes ("wait, then go"). It must
/// not be asked again after its delay, or a call with no deadline is throttled over and over
/// (each time counted) while no result comes in to lower the risk, for as long as it stays
/// high.
#[test]
fn risk_throttle_delays_a_call_once() {
    let report = run_yaml(
        r#"version: 1
name: risk-throttle-once
seed: 3
duration: 60s
workload:
  - to: api
    arrivals: poisson
    rate: 20/s
    risk: { throttle_at: 0.3, block_at: 1, quarantine_at: 1, critical_at: 1, base_backoff: 100ms }
services:
  api:
    endpoints:
      /:
        - cpu: 1ms
faults:
  - { at: 5s, for: 10s, kind: errors, target: api, rate: 60% }
"#,
    );
    let g = &report.guards[0];
    let risk = g.risk.as_ref().expect("a risk guard");
    assert!(risk.throttled > 0, "the scenario throttles: {g:#?}");
    assert!(
        risk.throttled <= g.attempts,
        "each attempt is throttled at most once: {g:#?}"
    );
}


/// A constant-rate workload whose schedule ramps up from 0 must start sending once the ramp
/// begins; it must not stop for good at the ramp's start, where the rate is still 0.
#[test]
fn constant_arrivals_ramp_up_from_zero() {
    let report = run_yaml(
        r#"version: 1
name: ramp-from-zero
seed: 1
duration: 10s
workload:
  - to: api
    arrivals: constant
    rate: [ {at: 0s, rate: 0/s}, {at: 2s, rate: 100/s, ramp: 1s} ]
services:
  api:
    endpoints:
      /:
        - cpu: 1ms
"#,
    );
    // 50 requests during the ramp, then 100/s for 7 s.
    let sent = report.requests.sent;
    assert!((700..=760).contains(&sent), "sent {sent}");
}
