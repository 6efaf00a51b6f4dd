//! Interactions between caches, queues and background tasks, autoscaling and payloads: each
//! test is a small scenario that switches on two or more of them, and a regression test for a
//! bug found where they meet.

use loopsim_core::Report;
use loopsim_tests::run_yaml;

/// Conservation, and nothing left in flight after a quiet tail.
fn settled(r: &Report) {
    let q = &r.requests;
    assert_eq!(q.sent, q.completed + q.failed + q.in_flight, "conservation");
    assert_eq!(q.in_flight, 0, "nothing in flight after the quiet tail");
    assert!(r.stopped.is_none(), "{:?}", r.stopped);
}

fn autoscale(r: &Report, service: &str) -> loopsim_core::report::AutoscaleReport {
    let svc = r.services.get(service).expect("the service");
    svc.autoscale.clone().expect("autoscaled")
}

/// A draining replica whose requests are answered but whose background (`spawn`ed) tasks still
/// run is not gone yet: it stays paid until they end, as a graceful shutdown waits for them.
/// (It used to become absent at once, its background tasks running on as ghosts on a replica
/// nobody paid for, that could even be started again under them.)
#[test]
fn a_draining_replica_waits_for_its_background_tasks() {
    let r = run_yaml(
        r#"
version: 1
name: drain with background tasks
seed: 1
duration: 40s
workload:
  - to: w
    arrivals: constant
    rate: [ { at: 0s, rate: 4/s }, { at: 600ms, rate: 0/s } ]
services:
  w:
    replicas: 2
    balance: round_robin
    autoscale: { min: 1, max: 2, metric: rps, target: 100/s, interval: 1s, window: 1s, cooldown: 0s }
    endpoints:
      /:
        - cpu: 1ms
        - spawn: [ { io: 20s } ]
"#,
    );
    settled(&r);
    let spawned = r.spawned.get("w").expect("spawned tasks");
    assert_eq!(spawned.started, 2);
    assert_eq!(spawned.completed, 2);
    let a = autoscale(&r, "w");
    assert_eq!(a.drained, 1);
    // Replica 0 for 40 s, replica 1 until its background task (spawned at 0.5 s) ends at 20.5 s.
    assert!(
        (a.replica_seconds - 60.5).abs() < 0.01,
        "replica-seconds {}",
        a.replica_seconds
    );
}
