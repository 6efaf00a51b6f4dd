//! Autoscaling (`autoscale:`, Kubernetes HPA semantics): the policy on constructed inputs, a
//! ramp the replicas follow with their provisioning delay until utilisation settles in the
//! tolerance band, scale-in that drains without losing a request, outages on an autoscaled
//! service, a cold start slow enough to burn the SLO against a faster one, and the
//! validation of the keys.

use loopsim_core::diag::LineIndex;
use loopsim_core::engine::hpa::{recommend, Counts, Hpa, HpaConfig};
use loopsim_core::report::{AutoscaleReport, Report, ScaleDecisionReport};
use loopsim_core::scenario::check;
use loopsim_tests::{run_yaml, run_yaml_full};

const S: u64 = 1_000_000_000;

fn scaling(r: &Report) -> &AutoscaleReport {
    r.services.get("api").unwrap().autoscale.as_ref().unwrap()
}

fn conserved(r: &Report) {
    let q = &r.requests;
    assert_eq!(q.sent, q.completed + q.failed + q.in_flight, "conservation");
}

#[test]
fn hpa_formula_on_constructed_inputs() {
    let all = |n| Counts {
        current: n,
        ready: n,
    };
    // desired = ceil(current × metric / target): 4 replicas at 90% against 60% → 6.
    assert_eq!(recommend(all(4), 0.9 / 0.6, 0.1), 6);
    // 10 replicas at 20% against 50% → 4.
    assert_eq!(recommend(all(10), 0.2 / 0.5, 0.1), 4);
    // Inside 1 ± 10%: no change, either way.
    assert_eq!(recommend(all(7), 0.65 / 0.6, 0.1), 7);
    assert_eq!(recommend(all(7), 0.55 / 0.6, 0.1), 7);
    // Scale-down stabilisation: a 5-minute cooldown keeps the highest recent recommendation.
    let cfg = HpaConfig {
        min: 1,
        max: 50,
        tolerance: 0.1,
        cooldown: 300 * S,
    };
    let mut h = Hpa::new(cfg, 15 * S);
    assert_eq!(h.decide(15 * S, all(8), Some(0.6), 0.6), 8);
    assert_eq!(h.decide(30 * S, all(8), Some(0.15), 0.6), 8);
    assert_eq!(h.decide(330 * S, all(8), Some(0.15), 0.6), 2);
}

/// A ramp 100 → 1000 requests/s over 4 minutes, then 5 minutes steady. Each request holds its
/// replica's loop for 8 ms (exponential), so N replicas run at utilisation 8 / N at 1000/s;
/// the 50% target with 10% tolerance accepts N in {15, 16, 17} (8/15 = 0.533, 8/17 = 0.471).
const RAMP: &str = "
version: 1
name: ramp
seed: 11
duration: 600s
sample_every: 5s
workload:
  - to: api
    arrivals: poisson
    rate: [ {at: 0s, rate: 100/s}, {at: 60s, rate: 1000/s, ramp: 240s} ]
services:
  api:
    replicas: 2
    balance: least_connections
    autoscale: { min: 2, max: 24, target: 50%, interval: 15s, window: 30s, provision: 20s, cooldown: 60s }
    endpoints:
      /:
        - cpu: { dist: exponential, mean: 8ms }
";

#[test]
fn replicas_follow_a_ramp_with_the_provisioning_delay_and_settle_in_the_band() {
    let (r, series) = run_yaml_full(RAMP);
    conserved(&r);
    let a = scaling(&r);
    assert!(a.scale_ups >= 4, "{} scale-ups", a.scale_ups);
    let log = &a.log;
    for (i, d) in log.iter().enumerate() {
        if d.desired <= d.current || i + 2 >= log.len() {
            continue;
        }
        // 15 s later the new replicas are still provisioning (20 s): not ready yet.
        assert!(
            log[i + 1].ready <= d.current,
            "ready too early after the decision at {} s",
            d.t_s
        );
        // 30 s later they are (no scale-down happens during a ramp).
        assert!(
            log[i + 2].ready >= d.desired.min(log[i + 1].desired),
            "not ready by {} s",
            log[i + 2].t_s
        );
    }
    // Steady state: the last decisions keep one count, inside the band.
    let tail = &log[log.len() - 12..];
    let n = tail[0].desired;
    assert!(
        tail.iter().all(|d| d.desired == n && d.ready == n),
        "{tail:?}"
    );
    assert!((15..=17).contains(&n), "settled at {n} replicas");
    // Utilisation over the last 200 s from the series. Theory 8/n; the sample holds ~200,000
    // exponential service times and Poisson arrivals: the relative standard deviation of the
    // busy time is about √2/√200000 = 0.3%, i.e. 0.0016 at 0.5 — 0.01 is over 6σ.
    let t = series.column_by_name("t_s").unwrap();
    let u = series.column_by_name("api.utilization").unwrap();
    let tail_u: Vec<f64> = t
        .iter()
        .zip(u)
        .filter(|(t, _)| **t > 400.0)
        .map(|(_, u)| *u)
        .collect();
    let mean = tail_u.iter().sum::<f64>() / tail_u.len() as f64;
    assert!(
        (mean - 8.0 / n as f64).abs() < 0.01,
        "utilisation {mean} with {n} replicas"
    );
    assert!(
        (0.45..=0.55).contains(&mean),
        "utilisation {mean} outside 50% ± 10%"
    );
    let ready = series.column_by_name("api.replicas_ready").unwrap();
    let desired = series.column_by_name("api.replicas_desired").unwrap();
    assert_eq!(*ready.last().unwrap(), n as f64);
    assert_eq!(*desired.last().unwrap(), n as f64);
    assert_eq!(ready[0], 2.0);
}

/// 800 requests/s for two minutes, then 100/s: the autoscaler scales in after its cooldown,
/// draining replicas with requests in progress (each request takes 40 ms of `io`, so a
/// draining replica always has some). Nothing is lost and every request is accounted for.
#[test]
fn scale_in_drains_without_losing_a_request() {
    let r = run_yaml(
        "
version: 1
name: scale-in
seed: 5
duration: 300s
workload:
  - to: api
    arrivals: poisson
    rate: [ {at: 0s, rate: 800/s}, {at: 120s, rate: 100/s} ]
services:
  api:
    replicas: 10
    autoscale: { min: 1, max: 12, metric: in_flight, target: 4, interval: 10s, window: 20s, provision: 5s, cooldown: 30s }
    endpoints:
      /:
        - cpu: 1ms
        - io: 40ms
",
    );
    conserved(&r);
    let a = scaling(&r);
    assert!(a.scale_downs >= 1 && a.drained >= 4, "{a:?}");
    assert_eq!(r.requests.failed, 0, "{:?}", r.errors);
    assert_eq!(r.requests.completed + r.requests.in_flight, r.requests.sent);
    // In flight per replica at 100/s: 100 × 0.041 = 4.1 requests in all → 1–2 replicas.
    assert!(a.desired_final <= 2, "{a:?}");
    let svc = r.services.get("api").unwrap();
    let served: u64 = svc.served_by_replica.iter().sum();
    assert_eq!(served, svc.served_ok + svc.served_failed);
}

/// Outages on an autoscaled service: a crashed replica stops counting as ready, its requests
/// are lost (and counted), and the service recovers; every request is still accounted for.
#[test]
fn outages_compose_with_autoscaling() {
    let r = run_yaml(
        "
version: 1
name: outage
seed: 3
duration: 240s
workload:
  - to: api
    arrivals: poisson
    rate: [ {at: 0s, rate: 100/s}, {at: 30s, rate: 600/s, ramp: 60s} ]
services:
  api:
    replicas: 2
    autoscale: { min: 2, max: 10, target: 50%, interval: 10s, window: 20s, provision: 5s, cooldown: 30s }
    endpoints:
      /:
        - cpu: { dist: exponential, mean: 5ms }
        - io: 20ms
faults:
  - { at: 60s, for: 20s, kind: outage, target: api#0 }
  - { at: 100s, for: 30s, kind: outage, target: api#3 }
  - { at: 150s, for: 5s, kind: outage, target: api }
",
    );
    conserved(&r);
    let a = scaling(&r);
    assert!(a.scale_ups >= 1);
    assert!(r.errors.get("lost").copied().unwrap_or(0) > 0);
    // The whole-service outage leaves no replica ready for 5 s.
    assert_eq!(a.ready_min, Some(0));
    assert!(r.requests.completed > r.requests.failed * 5);
}

/// Crashes while replicas drain and provision: 8 replicas holding requests of 2 s scale in to
/// 2 at t = 40 s and to 1 at 50 s; replica 7 crashes while draining (41 s), replica 1 too
/// (50.5 s): their requests are lost (counted), and they are gone. A surge at 80 s scales back
/// out; replica 2, provisioning, crashes at 92 s: it becomes ready at 95 s but is down, so at
/// the 100 s decision it counts in the scale and not among the ready.
const DRAIN_CRASH: &str = "
version: 1
name: drain-crash
seed: 9
duration: 120s
workload:
  - to: api
    arrivals: poisson
    rate: [ {at: 0s, rate: 400/s}, {at: 30s, rate: 50/s}, {at: 80s, rate: 300/s} ]
services:
  api:
    replicas: 8
    autoscale: { min: 1, max: 8, metric: in_flight, target: 100, interval: 10s, window: 10s, provision: 5s, cooldown: 0s }
    endpoints:
      /:
        - io: 2s
faults:
  - { at: 41s, for: 5s, kind: outage, target: api#7 }
  - { at: 50500ms, for: 5s, kind: outage, target: api#1 }
  - { at: 92s, for: 10s, kind: outage, target: api#2 }
";

#[test]
fn crashes_of_draining_and_provisioning_replicas_behave() {
    let r = run_yaml(DRAIN_CRASH);
    conserved(&r);
    let a = scaling(&r);
    let lost = r.errors.get("lost").copied().unwrap_or(0);
    assert!(lost > 0 && lost < 500, "lost {lost}");
    assert_eq!(r.requests.failed, lost);
    assert!(a.drained >= 7, "{a:?}");
    let at = |t: f64| a.log.iter().find(|d| d.t_s == t).unwrap();
    assert_eq!((at(40.0).desired, at(50.0).desired), (2, 1));
    let d = at(100.0);
    assert_eq!(d.ready + 1, d.current, "{d:?}");
    assert_eq!(at(110.0).ready, 8);
    assert!(r.requests.completed as f64 > 0.9 * r.requests.sent as f64);
}

/// Instance time is paid from the decision on: 100 requests/s (constant) against a target of
/// 10/s per replica. At 10 s the 2 replicas see 50/s each (ratio 5): +4 (the per-decision
/// limit: double or +4); at 20 s, 2 ready and 4 provisioning count as 5 × 2 / 6 → 10: +4 more,
/// the max. Paid: 2 × 60 s + 4 × 50 s + 4 × 40 s = 480 replica-seconds, priced per hour.
#[test]
fn replicas_are_paid_from_the_decision_on() {
    let r = run_yaml(
        "
version: 1
name: paid
duration: 60s
workload:
  - { to: api, arrivals: constant, rate: 100/s }
services:
  api:
    replicas: 2
    autoscale: { min: 2, max: 10, metric: rps, target: 10/s, interval: 10s, window: 10s, provision: 20s }
    endpoints:
      /: [cpu: 1ms]
cost:
  per_instance_hour: 3.6
",
    );
    let a = scaling(&r);
    assert_eq!((a.log[0].desired, a.log[1].desired), (6, 10), "{:?}", a.log);
    assert!(
        (a.replica_seconds - 480.0).abs() < 1e-6,
        "{}",
        a.replica_seconds
    );
    let cost = r.cost.as_ref().unwrap().by_category.instances;
    assert!((cost - 480.0 * 3.6 / 3600.0).abs() < 1e-9, "{cost}");
    assert_eq!(a.ready_max, Some(10));
    assert_eq!(a.ready_min, Some(2));
}

/// The averaging window, shorter or longer than the interval: constant arrivals of 100/s, then
/// 200/s from 17 s, over 2 replicas (a target too high to scale). Requests per replica per
/// second over the window, counted exactly up to a request at each edge (± 2 requests):
/// - `window: 5s`, decision at 20 s: [15, 20] s holds 200 + 600 requests → 80/s per replica;
/// - `window: 30s`, decision at 20 s: the run's first 20 s, 1700 + 600 → 57.5/s;
///   at 40 s: [10, 40] s, 700 + 4600 → 88.33/s.
#[test]
fn the_metric_is_averaged_over_its_window() {
    let run = |window: &str| {
        let yaml = format!(
            "
version: 1
name: window
duration: 40s
workload:
  - {{ to: api, arrivals: constant, rate: [ {{at: 0s, rate: 100/s}}, {{at: 17s, rate: 200/s}} ] }}
services:
  api:
    replicas: 2
    autoscale: {{ min: 2, max: 4, metric: rps, target: 1000/s, interval: 10s, window: {window} }}
    endpoints:
      /: [cpu: 1ms]
"
        );
        scaling(&run_yaml(&yaml)).log.clone()
    };
    let metric = |log: &[loopsim_core::report::ScaleDecisionReport], t: f64| {
        log.iter().find(|d| d.t_s == t).unwrap().metric.unwrap()
    };
    let short = run("5s");
    assert!(
        (metric(&short, 20.0) - 80.0).abs() <= 2.0 / 10.0,
        "{short:?}"
    );
    let long = run("30s");
    assert!((metric(&long, 20.0) - 57.5).abs() <= 2.0 / 40.0, "{long:?}");
    assert!(
        (metric(&long, 40.0) - 5300.0 / 60.0).abs() <= 2.0 / 60.0,
        "{long:?}"
    );
}

/// Scaling on event-loop lag: one replica at utilisation 0.8 (100/s of exponential 8 ms) is
/// an M/M/1 queue whose mean wait — the lag of each request's first continuation — is
/// ρ / (μ − λ) = 0.8 / 25 = 32 ms, far above the 5 ms target. The first decision's 15 s
/// window holds ~1,500 strongly correlated waits (relaxation time ~ 1 / (μ(1 − √ρ)²) ≈ 0.7 s),
/// so it is checked within a factor of two only; the autoscaler then adds replicas until the
/// lag is under the target. Lag is not proportional to load per replica (it falls much faster),
/// so the HPA formula overshoots on the way down and would flap: the cooldown outlasts the run.
#[test]
fn loop_lag_scales_an_mm1_replica_out() {
    let r = run_yaml(
        "
version: 1
name: lag
seed: 4
duration: 300s
workload:
  - { to: api, arrivals: poisson, rate: 100/s }
services:
  api:
    replicas: 1
    autoscale: { min: 1, max: 6, metric: loop_lag, target: 5ms, window: 15s, provision: 5s, cooldown: 1h }
    endpoints:
      /:
        - cpu: { dist: exponential, mean: 8ms }
",
    );
    let a = scaling(&r);
    assert_eq!(a.target, 0.005);
    let first = a.log[0].metric.unwrap();
    assert!((0.016..0.064).contains(&first), "lag {first} s");
    assert!(a.scale_ups >= 1 && a.scale_downs == 0, "{a:?}");
    assert!((2..=6).contains(&a.desired_final), "{a:?}");
    let last = a.log.last().unwrap().metric.unwrap();
    assert!(last < 0.012, "lag {last} s at the end");
}

fn gallery_ramp() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/capacity/autoscaling-ramp.yaml"
    );
    std::fs::read_to_string(path).unwrap()
}

/// The gallery's ramp: with a 60 s cold start the latency objective is missed (tests/gallery.rs
/// asserts that); the fix its description gives — `provision: 10s` — keeps it.
#[test]
fn a_faster_provision_keeps_the_slo_the_slow_one_burns() {
    let slow = gallery_ramp();
    assert!(slow.contains("provision: 60s"));
    let fast = slow.replace("provision: 60s", "provision: 10s");
    let r = run_yaml(&fast);
    conserved(&r);
    let slo = &r.slo[0];
    assert!(slo.met, "fast provision: SLI {}", slo.sli);
    assert!(slo.error_budget_consumed < 1.0);
    let a = scaling(&r);
    assert!(a.ready_max.unwrap() >= 16, "{a:?}");
}

fn error_at(yaml: &str) -> (u32, u32, String, Option<String>) {
    let checked = check(yaml);
    assert!(checked.scenario.is_none(), "accepted:\n{yaml}");
    let d = &checked.diagnostics[0];
    let index = LineIndex::new(yaml);
    let at = index.line_col(d.span.start);
    (at.line, at.column, d.message.clone(), d.hint.clone())
}

fn with_autoscale(replicas: u32, autoscale: &str) -> String {
    format!(
        "version: 1
name: bad
duration: 10s
workload:
  - {{ to: api, rate: 10/s }}
services:
  api:
    replicas: {replicas}
    autoscale: {autoscale}
    endpoints:
      /: [cpu: 1ms]
"
    )
}

#[test]
fn bad_autoscale_keys_are_located_with_a_hint() {
    let cases: &[(u32, &str, (u32, u32), &str)] = &[
        (
            1,
            "{ min: 2, max: 5, target: 60% }",
            (8, 15),
            "`replicas` (1) must be within",
        ),
        (
            3,
            "{ min: 2, max: 1, target: 60% }",
            (9, 31),
            "`autoscale.max` (1) is below",
        ),
        (
            3,
            "{ min: 0, max: 5, target: 60% }",
            (9, 23),
            "`autoscale.min` must be at least 1",
        ),
        (
            3,
            "{ max: 5, target: 20ms }",
            (9, 34),
            "for metric `utilization` must be a percentage",
        ),
        (
            3,
            "{ max: 5, metric: loop_lag, target: 60% }",
            (9, 52),
            "must be a duration",
        ),
        (
            3,
            "{ max: 5, metric: rps, target: fast }",
            (9, 47),
            "must be a rate",
        ),
        (
            3,
            "{ max: 5, metric: in_flight, target: 0 }",
            (9, 53),
            "must be a count above zero",
        ),
        (
            3,
            "{ max: 5, target: 60%, interval: 0s }",
            (9, 49),
            "must be greater than zero",
        ),
        (
            3,
            "{ max: 5, target: 60%, tolerance: 100% }",
            (9, 50),
            "below 100%",
        ),
        (
            3,
            "{ max: 5, metric: queue_depth, target: 5 }",
            (9, 34),
            "needs a queue that it consumes",
        ),
        (
            3,
            "{ max: 5, target: 60%, windw: 30s }",
            (9, 39),
            "unknown key",
        ),
        (3, "{ min: 2, target: 60% }", (9, 16), "needs `max`"),
        (
            3,
            "{ max: 5, target: 60%, interval: 1us, window: 1us }",
            (9, 49),
            "decisions over the run",
        ),
    ];
    for (replicas, a, at, message) in cases {
        let yaml = with_autoscale(*replicas, a);
        let (line, col, got, hint) = error_at(&yaml);
        assert!(
            got.contains(message),
            "{a}: message {got:?}, expected {message:?}"
        );
        assert_eq!((line, col), *at, "{a}: {got}");
        let unknown = got.contains("unknown key");
        assert!(
            hint.is_some() || unknown || got.contains("must be"),
            "{a}: no hint for {got}"
        );
    }
}

/// `metric: queue_depth` on a queue's consumer service (KEDA-style: messages held, in process
/// included, per ready replica). 200 messages/s, each processed by 50 ms of `io` (10 Erlangs),
/// 4 at a time per replica, target 4 per replica: with n replicas the messages held are the
/// M/M/4n number in system L (Erlang C). n = 2 cannot keep up (8 < 10); n = 3 holds
/// L = 12.25, 4.08 per replica, inside 4 ± 10%; n = 4 holds L = 10.10, 2.5 per replica, which
/// scales back to ceil(4 × 2.5 / 4) = 3; n ≥ 5 holds about 10, which also goes to 3. So the
/// autoscaler keeps coming back to 3 replicas, and since 4.08 sits near the band's edge
/// (4.4), a noisy 30 s window at 83% load adds a replica or two for a cooldown now and then.
/// Where a whole window ran on n replicas, the depth it read is L(M/M/4n): each window
/// averages ~6,000 messages (sd of one window's ratio ≈ 6%, overlapping windows), and the
/// pooled ratio over 20+ windows stays within 4% on 20 seeds; 5% is about 2.5 sd.
#[test]
fn queue_depth_scales_consumers_to_the_erlang_c_fixed_point() {
    let yaml = "
version: 1
name: consumers
seed: 5
duration: 600s
workload:
  - { to: api, arrivals: poisson, rate: 200/s }
queues:
  jobs: { consumer: worker/run, concurrency: 4 }
services:
  api:
    endpoints:
      /: [publish: jobs]
  worker:
    replicas: 2
    autoscale: { min: 2, max: 30, metric: queue_depth, target: 4, interval: 15s, window: 30s, provision: 10s, cooldown: 60s }
    endpoints:
      /run:
        - io: { dist: exponential, mean: 50ms }
";
    let r = run_yaml(yaml);
    conserved(&r);
    let a = r
        .services
        .get("worker")
        .unwrap()
        .autoscale
        .as_ref()
        .unwrap();
    assert!(a.scale_ups >= 1, "{a:?}");
    let tail = &a.log[a.log.len() - 20..];
    let ready = |d: &ScaleDecisionReport| d.ready;
    assert_eq!(tail.iter().map(ready).min(), Some(3), "{tail:?}");
    assert!(tail.iter().map(ready).max() <= Some(5), "{tail:?}");
    let log = &a.log;
    let ratios: Vec<f64> = (2..log.len())
        .filter(|&i| {
            let n = log[i].ready;
            n >= 3
                && log[i - 2..=i]
                    .iter()
                    .all(|d| d.ready == n && d.current == n)
        })
        .map(|i| {
            log[i].metric.unwrap() * log[i].ready as f64
                / erlang_c_in_system(4 * log[i].ready, 10.0)
        })
        .collect();
    assert!(ratios.len() >= 10, "{log:?}");
    let ratio = ratios.iter().sum::<f64>() / ratios.len() as f64;
    assert!(
        (ratio - 1.0).abs() < 0.05,
        "messages held / Erlang C L(M/M/4n, a = 10): {ratio}"
    );
    let q = r.queues.get("jobs").unwrap();
    assert!(q.depth_end < 60, "the backlog drained: {}", q.depth_end);
}

/// Mean number in system of M/M/c with offered load `a` Erlangs (a < c): Erlang C.
fn erlang_c_in_system(c: u32, a: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / (k + 1) as f64;
    }
    let tail = term * c as f64 / (c as f64 - a);
    let waiting = tail / (sum + tail);
    waiting * a / (c as f64 - a) + a
}
