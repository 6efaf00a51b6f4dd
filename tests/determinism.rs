//! Determinism and conservation of request outcomes.
//!
//! A run is a pure function of (scenario, seed): the same input must give byte-identical JSON
//! for the report and for every time-series column, however the host slices the run; a
//! different seed must give different numbers. And every measured request ends in exactly one
//! state: `sent = completed + failed + in_flight`, with `failed` split into its kinds.

use loopsim_core::Simulation;
use loopsim_tests::{run_yaml_full, scenario, with_seed};

/// One scenario that exercises most of the engine: two workloads (open with a ramped rate and
/// an endpoint mix, closed with think time), replicas behind a balancer, several workers with
/// random accept, every step kind, a downstream call, memory limits, a client timeout and a
/// lossy, jittery network. It is sized so that every failure kind occurs: with ~2–4 requests
/// in flight on each 50 MB `front` instance and 10 MB held per request, bursts hit the memory
/// limit; the 60 ms timeout cuts the tail of the 20 ms-mean I/O in `back`; and 1% loss per hop
/// drops a few percent of requests.
const EVERYTHING: &str = r#"version: 1
name: everything
seed: {seed}
duration: 60s
warmup: 5s
sample_every: 500ms
workload:
  - name: shoppers
    to: front
    arrivals: poisson
    rate: [ {at: 0s, rate: 150/s}, {at: 20s, rate: 300/s, ramp: 10s}, {at: 45s, rate: 150/s} ]
    mix: { /buy: 0.3, /look: 0.7 }
    timeout: 60ms
  - name: admins
    to: front
    arrivals: closed
    users: 3
    think: { dist: exponential, mean: 1s }
    mix: { /report: 1 }
services:
  front:
    replicas: 2
    balance: power_of_two
    workers: 2
    accept: random
    threads: 2
    ram: 50MB
    endpoints:
      /buy:
        - ram: 10MB
        - cpu: { dist: lognormal, mean: 1ms, sd: 1ms }
        - call: back/work
        - offload: { dist: exponential, mean: 3ms }
      /look:
        - ram: 10MB
        - cpu: { dist: exponential, mean: 0.5ms }
        - call: back/work
      /report:
        - blocking: 20ms
  back:
    replicas: 2
    balance: least_connections
    endpoints:
      /work:
        - cpu: 0.2ms
        - io: { dist: exponential, mean: 20ms }
network:
  latency: { dist: exponential, mean: 0.5ms }
  loss: 0.01
"#;

/// Serialises a run's report and each of its series columns to JSON.
fn fingerprint(yaml: &str) -> (String, Vec<(String, String)>) {
    let (report, series) = run_yaml_full(yaml);
    let columns = series
        .names()
        .iter()
        .enumerate()
        .map(|(i, name)| {
            (
                name.clone(),
                serde_json::to_string(series.column(i)).expect("column serialises"),
            )
        })
        .collect();
    (
        serde_json::to_string(&report).expect("report serialises"),
        columns,
    )
}

#[test]
fn same_scenario_and_seed_give_identical_json() {
    let yaml = with_seed(EVERYTHING, 7);
    let (report_a, series_a) = fingerprint(&yaml);
    let (report_b, series_b) = fingerprint(&yaml);
    assert_eq!(
        report_a, report_b,
        "report JSON differs between two identical runs"
    );
    assert!(
        series_a.len() > 10 && series_a[0].1.len() > 2,
        "the run has a time series"
    );
    assert_eq!(series_a.len(), series_b.len());
    for ((name_a, col_a), (name_b, col_b)) in series_a.iter().zip(&series_b) {
        assert_eq!(name_a, name_b);
        assert_eq!(
            col_a, col_b,
            "series column {name_a} differs between two identical runs"
        );
    }
}

#[test]
fn slicing_the_run_does_not_change_it() {
    // A host (CLI progress bar, browser frame loop) drives the engine in slices of simulated
    // time and event budgets; the result must not depend on how it slices.
    let yaml = with_seed(EVERYTHING, 11);
    let (whole, whole_series) = run_yaml_full(&yaml);
    let mut sim = Simulation::new(scenario(&yaml));
    let mut until = 0u64;
    let mut rounds = 0u32;
    while !sim.step(until, 977).finished {
        until += 37_000_000; // 37 ms of simulated time or 977 events, whichever ends first
        rounds += 1;
    }
    assert!(
        rounds > 1000,
        "the run was actually sliced ({rounds} slices)"
    );
    let sliced = sim.report();
    assert_eq!(
        serde_json::to_string(&whole).unwrap(),
        serde_json::to_string(&sliced).unwrap(),
        "report differs when the run is driven in slices"
    );
    for (i, name) in whole_series.names().iter().enumerate() {
        assert_eq!(
            serde_json::to_string(whole_series.column(i)).unwrap(),
            serde_json::to_string(sim.series().column(i)).unwrap(),
            "series column {name} differs when the run is driven in slices"
        );
    }
}

#[test]
fn a_different_seed_gives_different_numbers() {
    let (a, sa) = run_yaml_full(&with_seed(EVERYTHING, 7));
    let (b, sb) = run_yaml_full(&with_seed(EVERYTHING, 8));
    assert_eq!((a.seed, b.seed), (7, 8));
    assert_ne!(
        a.requests.sent, b.requests.sent,
        "arrivals do not depend on the seed"
    );
    assert_ne!(
        a.latency_s.mean, b.latency_s.mean,
        "latencies do not depend on the seed"
    );
    assert_ne!(a.events, b.events);
    for service in ["front", "back"] {
        let (x, y) = (
            a.services.get(service).unwrap(),
            b.services.get(service).unwrap(),
        );
        assert_ne!(
            x.utilization, y.utilization,
            "{service} utilisation ignores the seed"
        );
    }
    let column = |s: &loopsim_core::series::Series, name: &str| {
        serde_json::to_string(s.column_by_name(name).expect("series column")).unwrap()
    };
    for name in ["sent_rps", "latency_mean_s", "front.active"] {
        assert_ne!(
            column(&sa, name),
            column(&sb, name),
            "series {name} ignores the seed"
        );
    }
    // Same structure, though: the seed changes draws, not the shape of the output.
    assert_eq!(sa.names(), sb.names());
    assert_eq!(sa.len(), sb.len());
}

#[test]
fn every_request_is_accounted_for() {
    for seed in 1..=4 {
        let (r, _) = run_yaml_full(&with_seed(EVERYTHING, seed));
        assert_eq!(r.stopped, None);
        let q = &r.requests;
        let ctx = format!("seed {seed}: {q:?}");
        assert!(q.sent > 10_000, "{ctx}");
        // Every failure kind happens, so the identity below is not vacuous.
        assert!(q.timed_out > 0, "no timeout: {ctx}");
        assert!(q.dropped > 0, "no network loss: {ctx}");
        assert!(q.out_of_memory > 0, "no out-of-memory: {ctx}");
        assert!(q.completed > 0, "{ctx}");
        assert_eq!(q.failed, q.timed_out + q.dropped + q.out_of_memory, "{ctx}");
        assert_eq!(
            q.sent,
            q.completed + q.failed + q.in_flight,
            "conservation: {ctx}"
        );
        assert_eq!(
            (
                r.errors.get("timeout").copied(),
                r.errors.get("loss").copied(),
                r.errors.get("out_of_memory").copied()
            ),
            (Some(q.timed_out), Some(q.dropped), Some(q.out_of_memory)),
            "{ctx}"
        );
        assert_eq!(r.latency_s.count, q.completed, "{ctx}");
        // Per workload: the same identity, and the workloads add up to the total.
        let mut total = [0u64; 6];
        for (name, w) in &r.workloads.0 {
            let wq = &w.requests;
            assert_eq!(
                wq.sent,
                wq.completed + wq.failed + wq.in_flight,
                "{name}, {ctx}"
            );
            assert_eq!(
                wq.failed,
                wq.timed_out + wq.dropped + wq.out_of_memory,
                "{name}"
            );
            for (t, v) in total.iter_mut().zip([
                wq.sent,
                wq.completed,
                wq.timed_out,
                wq.dropped,
                wq.out_of_memory,
                wq.in_flight,
            ]) {
                *t += v;
            }
        }
        assert_eq!(
            total,
            [
                q.sent,
                q.completed,
                q.timed_out,
                q.dropped,
                q.out_of_memory,
                q.in_flight
            ],
            "workloads do not add up to the total: {ctx}"
        );
    }
}
