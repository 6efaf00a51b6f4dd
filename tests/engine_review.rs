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

