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

fn cache(r: &Report, name: &str) -> loopsim_core::report::CacheReport {
    r.caches.get(name).expect("the cache").clone()
}

/// An in-process (`scope: replica`) cache lives and dies with its replica: a drained replica
/// is gone, and its cache with it; a replica started again starts cold.
#[test]
fn a_drained_replica_takes_its_in_process_cache_with_it() {
    let r = run_yaml(
        r#"
version: 1
name: drained replica cache
seed: 1
duration: 20s
workload:
  - to: w
    arrivals: constant
    rate: [ { at: 0s, rate: 10/s }, { at: 500ms, rate: 0/s } ]
caches:
  local: { capacity: 10, scope: replica }
services:
  w:
    replicas: 2
    balance: round_robin
    autoscale: { min: 1, max: 2, metric: rps, target: 100/s, interval: 1s, window: 1s, cooldown: 0s }
    endpoints:
      /:
        - cache: local
          keys: { count: 1 }
          miss: [ { io: 1ms } ]
"#,
    );
    settled(&r);
    assert_eq!(autoscale(&r, "w").drained, 1);
    let c = cache(&r, "local");
    assert_eq!(c.instances, 2);
    assert_eq!(c.misses, 2, "one cold miss per replica");
    // Only the replica still running holds its entry.
    assert_eq!(c.entries_end, 1);
}

/// A crashed replica's in-process cache is lost with the process: it restarts cold.
#[test]
fn a_crash_empties_the_replicas_in_process_cache() {
    let r = run_yaml(
        r#"
version: 1
name: crashed replica cache
seed: 1
duration: 20s
workload:
  - to: w
    arrivals: constant
    rate: [ { at: 0s, rate: 10/s }, { at: 500ms, rate: 0/s }, { at: 10s, rate: 10/s }, { at: 10500ms, rate: 0/s } ]
caches:
  local: { capacity: 10, scope: replica }
  remote: { capacity: 10 }
services:
  w:
    replicas: 2
    balance: round_robin
    endpoints:
      /:
        - cache: local
          keys: { count: 1 }
          miss: [ { io: 1ms } ]
        - cache: remote
          keys: { count: 1 }
          miss: [ { io: 1ms } ]
faults:
  - { at: 5s, for: 1s, kind: outage, target: w#1 }
"#,
    );
    settled(&r);
    let local = cache(&r, "local");
    // Each replica misses once cold; replica 1 once more after its restart.
    assert_eq!(local.misses, 3);
    assert_eq!(local.entries_end, 2);
    // A shared cache (a Redis) is not the replica's: it keeps its entry.
    assert_eq!(cache(&r, "remote").misses, 1);
}
