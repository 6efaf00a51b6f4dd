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

/// Two replicas scaled in to one at 1 s; each request spawns a 20 s background task.
const DRAIN_WITH_BACKGROUND_TASKS: &str = r#"
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
"#;

/// A draining replica whose requests are answered but whose background (`spawn`ed) tasks still
/// run is not gone yet: it stays paid until they end, as a graceful shutdown waits for them.
/// (It used to become absent at once, its background tasks running on as ghosts on a replica
/// nobody paid for, that could even be started again under them.)
#[test]
fn a_draining_replica_waits_for_its_background_tasks() {
    let r = run_yaml(DRAIN_WITH_BACKGROUND_TASKS);
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

/// An autoscaled queue consumer (`metric: queue_depth`) with a NIC, payloads on the hops to and
/// from the broker, an in-process cache, background tasks and a crash of one of its replicas:
/// every message is processed, nothing is left in flight, every replica that was started has
/// drained, every NIC a replica may use exists, and the run is deterministic, however sliced.
const CONSUMER: &str = r#"
version: 1
name: autoscaled consumer with everything
seed: 3
duration: 200s
sample_every: 1s
network:
  latency: 1ms
  bandwidth: 100Mbps
  links:
    - { between: [fulfil, orders], bandwidth: 80Mbps, latency: 2ms }
workload:
  - name: shoppers
    to: api
    rate: [ { at: 0s, rate: 50/s }, { at: 20s, rate: 400/s }, { at: 60s, rate: 0/s } ]
    request_size: 2KB
caches:
  local: { capacity: 100, scope: replica }
services:
  api:
    endpoints:
      /order:
        steps:
          - cpu: 1ms
          - publish: orders
        response_size: 1KB
  fulfil:
    replicas: 1
    nic: 50Mbps
    autoscale: { min: 1, max: 6, metric: queue_depth, target: 4, interval: 5s, window: 10s, provision: 3s, cooldown: 20s }
    endpoints:
      /process:
        steps:
          - cache: local
            keys: { count: 1000, zipf: 1 }
            coalesce: true
            miss: [ { io: 5ms } ]
          - cpu: 5ms
          - spawn: [ { io: 5s } ]
        response_size: { dist: exponential, mean: 10KB }
queues:
  orders:
    consumer: fulfil/process
    concurrency: 4
    redelivery_delay: 1s
faults:
  - { at: 32s, for: 2s, kind: outage, target: fulfil#1 }
"#;

#[test]
fn an_autoscaled_consumer_with_payloads_caches_and_background_tasks_settles() {
    let r = run_yaml(CONSUMER);
    settled(&r);
    let q = r.queues.get("orders").expect("the queue");
    assert_eq!(q.published, r.requests.sent);
    assert_eq!(q.depth_end, 0, "the queue drained");
    assert_eq!(
        q.processed, q.published,
        "nothing lost on scale-in or in the crash"
    );
    assert!(q.failed > 0, "the crash failed deliveries in process");
    let a = autoscale(&r, "fulfil");
    assert_eq!(a.ready_max, Some(6), "it scaled out");
    assert_eq!(
        a.provisioned, a.drained,
        "every replica started has drained"
    );
    let s = r.spawned.get("fulfil").expect("background tasks");
    let failed: u64 = s.failed.0.iter().map(|(_, n)| n).sum();
    assert_eq!(s.started, s.completed + failed);
    // Every replica up to `max` has its NIC, and the answers crossed them.
    for k in 0..6 {
        let nic = r.links.get(&format!("fulfil#{k} nic out"));
        assert!(nic.is_some_and(|l| l.transfers > 0), "fulfil#{k} nic out");
    }
    // Only the one replica left holds its in-process cache.
    assert!(cache(&r, "local").entries_end <= 100);
}

#[test]
fn interacting_features_are_deterministic_however_sliced() {
    let whole = serde_json::to_string(&run_yaml(CONSUMER)).unwrap();
    assert_eq!(whole, serde_json::to_string(&run_yaml(CONSUMER)).unwrap());
    let mut sim = loopsim_core::Simulation::new(loopsim_tests::scenario(CONSUMER));
    let mut until = 0u64;
    while !sim.step(until, 501).finished {
        until += 13_000_000;
    }
    assert_eq!(whole, serde_json::to_string(&sim.report()).unwrap());
}

/// Crashes while publish acknowledgements, payload transfers, single flights and deliveries are
/// pending, `parallel` losers waiting on a publish and a cache flight, a flush, link loss to the
/// broker: conservation, no stuck task, every message processed.
#[test]
fn crashes_with_publishes_transfers_flights_and_deliveries_pending() {
    let r = run_yaml(
        r#"
version: 1
name: crashes with everything pending
seed: 5
duration: 120s
network:
  latency: { dist: exponential, mean: 2ms }
  bandwidth: 20Mbps
  links:
    - { between: [fulfil, orders], bandwidth: 50Mbps, latency: 3ms }
workload:
  - name: shoppers
    to: api
    rate: [ { at: 0s, rate: 200/s }, { at: 30s, rate: 0/s } ]
    request_size: { dist: exponential, mean: 2KB }
caches:
  shared: { capacity: 50 }
services:
  api:
    replicas: 2
    endpoints:
      /order:
        steps:
          - parallel:
              - [ { publish: orders } ]
              - [ { io: 1ms } ]
              - [ { cache: shared, keys: { count: 20 }, coalesce: true, miss: [ { io: 3ms } ] } ]
            wait: any
          - cache: shared
            keys: { count: 200, zipf: 1 }
            coalesce: true
            miss: [ { publish: orders }, { spawn: [ { call: fulfil/process } ] }, { call: fulfil/process } ]
        response_size: 1KB
  fulfil:
    replicas: 3
    nic: 10Mbps
    endpoints:
      /process:
        steps:
          - cpu: 1ms
          - io: { dist: exponential, mean: 20ms }
        response_size: { dist: exponential, mean: 10KB }
queues:
  orders:
    consumer: fulfil/process
    concurrency: 4
    redelivery_delay: 1s
    max_deliveries: 100
faults:
  - { at: 5s, for: 3s, kind: outage, target: fulfil#1 }
  - { at: 10s, for: 2s, kind: outage, target: api#0 }
  - { at: 12s, for: 2s, kind: outage, target: fulfil }
  - { at: 15s, kind: flush, target: shared }
  - { at: 16s, for: 2s, kind: loss, target: fulfil<->orders, rate: 20% }
"#,
    );
    settled(&r);
    assert!(r.errors.get("lost").copied().unwrap_or(0) > 0);
    let q = r.queues.get("orders").expect("the queue");
    assert_eq!(q.depth_end, 0, "the queue drained");
    assert_eq!(q.processed, q.acknowledged);
    assert!(q.failed > 0);
    let s = r.spawned.get("api").expect("background tasks");
    let failed: u64 = s.failed.0.iter().map(|(_, n)| n).sum();
    assert_eq!(s.started, s.completed + failed);
    for (name, l) in &r.links.0 {
        let in_flight = l.in_flight.as_ref().expect("a measured window");
        assert!(in_flight.mean > 0.0, "{name}");
    }
}

/// A draining replica that crashes loses its background tasks, and is then gone at once.
#[test]
fn a_crash_ends_a_drain_held_by_background_tasks() {
    let r = run_yaml(&format!(
        "{DRAIN_WITH_BACKGROUND_TASKS}faults:\n  - {{ at: 5s, for: 1s, kind: outage, target: w#1 }}\n"
    ));
    settled(&r);
    let spawned = r.spawned.get("w").expect("spawned tasks");
    assert_eq!(spawned.completed, 1);
    assert_eq!(spawned.failed.get("lost").copied(), Some(1));
    let a = autoscale(&r, "w");
    assert_eq!(a.drained, 1);
    assert!(
        (a.replica_seconds - 45.0).abs() < 0.01,
        "replica-seconds {}",
        a.replica_seconds
    );
}

/// The run caps bound a message cycle through an autoscaled consumer that publishes and spawns
/// with payloads on every hop, and transfers piling up on a thin link: the run stops, says
/// why, and the report still adds up.
#[test]
fn run_caps_bound_message_cycles_and_piling_transfers() {
    let cycle = run_yaml(
        r#"
version: 1
name: caps
seed: 2
duration: 60s
max_in_flight: 2000
network:
  latency: 1ms
  bandwidth: 10Mbps
workload:
  - to: api
    rate: 100/s
    request_size: 1KB
services:
  api:
    endpoints:
      /:
        steps:
          - publish: loop
          - spawn: [ { publish: loop }, { io: 1s } ]
        response_size: 1KB
  c:
    replicas: 2
    autoscale: { min: 1, max: 4, metric: queue_depth, target: 5, interval: 2s, window: 2s, provision: 1s }
    nic: 1Mbps
    endpoints:
      /:
        steps:
          - cpu: 1ms
          - publish: loop
          - spawn: [ { publish: loop } ]
        response_size: 5KB
queues:
  loop: { consumer: c, concurrency: 10 }
"#,
    );
    let stopped = cycle.stopped.as_ref().expect("the cycle is stopped");
    assert!(
        stopped.message.contains("queue `loop`"),
        "{}",
        stopped.message
    );
    let q = &cycle.requests;
    assert_eq!(q.sent, q.completed + q.failed + q.in_flight);

    let thin = run_yaml(
        r#"
version: 1
name: thin link
seed: 2
duration: 600s
max_in_flight: 1000
network:
  latency: 1ms
  links:
    - { between: [c, jobs], bandwidth: 1Mbps }
workload:
  - to: api
    rate: 100/s
services:
  api:
    endpoints:
      /:
        - publish: jobs
  c:
    replicas: 2
    autoscale: { min: 1, max: 3, metric: in_flight, target: 2, interval: 5s, window: 5s, provision: 1s }
    endpoints:
      /:
        steps: [ { cpu: 1ms } ]
        response_size: 100KB
queues:
  jobs: { consumer: c, concurrency: 1000 }
"#,
    );
    let stopped = thin.stopped.as_ref().expect("the transfers are stopped");
    assert!(
        stopped.message.contains("max_in_flight"),
        "{}",
        stopped.message
    );
    let q = &thin.requests;
    assert_eq!(q.sent, q.completed + q.failed + q.in_flight);
}

/// `metric: queue_depth` is an external metric with an `AverageValue` target: K8s wants
/// ceil(messages held / target) replicas whatever the consumers' readiness. A consumer whose
/// only replica is down (a crash that lasts) still gets new replicas while its queue grows
/// (it used to have no metric without a ready replica, and never scaled).
#[test]
fn queue_depth_scales_a_consumer_whose_replicas_are_all_down() {
    let r = run_yaml(
        r#"
version: 1
name: consumer down
seed: 1
duration: 120s
workload:
  - to: api
    rate: [ { at: 0s, rate: 50/s }, { at: 60s, rate: 0/s } ]
services:
  api:
    endpoints:
      /:
        - publish: jobs
  c:
    replicas: 1
    autoscale: { min: 1, max: 3, metric: queue_depth, target: 4, interval: 5s, window: 5s, provision: 2s, cooldown: 10s }
    endpoints:
      /:
        - io: 10ms
queues:
  jobs: { consumer: c, concurrency: 4 }
faults:
  - { at: 1s, kind: outage, target: c#0 }
"#,
    );
    settled(&r);
    let a = autoscale(&r, "c");
    assert!(a.provisioned >= 2, "{a:?}");
    let q = r.queues.get("jobs").expect("the queue");
    assert_eq!(q.depth_end, 0, "the new replicas drained the queue");
    assert_eq!(q.processed, q.acknowledged);
}
