//! Property test over random scenarios with extreme-but-legal values: every feature at once,
//! tiny and huge durations, rates and prices at their limits, links that lose everything,
//! infinite-mean service times, 100% error faults, tiny caps. Each run is capped by events
//! (a scenario may be valid and still be far too long to finish here). For every scenario the
//! checker accepts, the run must keep conservation, produce no NaN or infinity anywhere in the
//! report, keep every mean at most its maximum, percentiles in order and utilisations at most
//! 1, and the clock must advance (or the run must say it stalled). Scenarios the checker
//! refuses must be refused with located diagnostics, never a panic.

use loopsim_core::report::StopCause;
use loopsim_core::{check, Report, Simulation};
use loopsim_tests::finite::non_finite_paths;
use loopsim_tests::Gen;

/// A duration or distribution, from the extremes to the ordinary.
fn duration(g: &mut Gen) -> &'static str {
    g.pick(&[
        "0s",
        "1ns",
        "1us",
        "2ms",
        "{ dist: exponential, mean: 1ms }",
        "{ dist: exponential, mean: 50ms }",
        "{ dist: lognormal, mean: 5ms, sd: 20ms }",
        "{ dist: uniform, min: 0s, max: 3ms }",
        "{ dist: normal, mean: 1ms, sd: 5ms }",
        "{ dist: pareto, scale: 1ms, shape: 0.7 }",
        "{ dist: pareto, mean: 2ms, shape: 1.1 }",
        "{ dist: empirical, values: [1ns, 1ms, 1s] }",
        "30s",
    ])
}

fn step(g: &mut Gen, next_service: Option<usize>) -> String {
    match g.below(9) {
        0 => format!("cpu: {}", duration(g)),
        1 => format!("blocking: {}", duration(g)),
        2 => format!("io: {}", duration(g)),
        3 => format!("offload: {}", duration(g)),
        4 => format!("ram: {}", g.pick(&["1B", "1KB", "64MB", "2GB"])),
        5 => format!(
            "llm: {{ tokens_in: {}, tokens_out: {}, first_token: {}, per_token: {} }}",
            g.pick(&["0", "1", "800", "100000"]),
            g.pick(&["0", "1", "{ dist: uniform, min: 1, max: 4000 }"]),
            duration(g),
            g.pick(&["0s", "1ns", "15ms"]),
        ),
        _ => match next_service {
            Some(s) => format!("call: s{s}\n{}", client_guards(g, "          ")),
            None => format!("io: {}", duration(g)),
        },
    }
}

fn client_guards(g: &mut Gen, indent: &str) -> String {
    let mut s = String::new();
    if g.coin() {
        s += &format!(
            "{indent}timeout: {}\n",
            g.pick(&["1ns", "1ms", "200ms", "30d"])
        );
    }
    if g.one_in(3) {
        s += &format!("{indent}deadline: {}\n", g.pick(&["1us", "50ms", "1h"]));
    }
    if g.coin() {
        let backoff = g.pick(&[
            "none",
            "{ kind: constant, base: 30d }",
            "{ kind: constant, base: 1ns }",
            "{ kind: exponential, base: 1ns, cap: 1h, jitter: equal }",
            "{ kind: decorrelated, base: 1ms, cap: 30d }",
        ]);
        let budget = g.pick(&[
            "",
            ", budget: 1%",
            ", budget: 100%",
            ", budget: { kind: grpc, max_tokens: 1 }",
        ]);
        s += &format!(
            "{indent}retry: {{ attempts: {}, backoff: {backoff}{budget} }}\n",
            1 + g.below(10)
        );
    }
    if g.one_in(3) {
        s += &format!(
            "{indent}breaker: {}\n",
            g.pick(&[
                "{ kind: consecutive, threshold: 1, open_for: 1ms }",
                "{ kind: consecutive, threshold: 1000, open_for: 30d }",
                "{ kind: sliding_window, window: 1, min_calls: 1, open_for: 1ms, half_open_calls: 1 }",
                "{ kind: sliding_window, window: 1s, min_calls: 1, slow_call: 1ns, open_for: 5s, half_open_calls: 100 }",
            ])
        );
    }
    if g.one_in(3) {
        s += &format!(
            "{indent}risk: {}\n",
            g.pick(&[
                "{}",
                "{ quarantine_base: 1ms, quarantine_growth: 1, quarantine_cap: 1ms }",
                "{ throttle_at: 0.01, block_at: 0.02, base_backoff: 1ms }",
            ])
        );
    }
    if g.one_in(3) {
        s += &format!(
            "{indent}throttle: {}\n",
            g.pick(&["{ k: 1, window: 1s }", "{ k: 100, window: 1h }"])
        );
    }
    s
}

fn ingress(g: &mut Gen) -> String {
    let mut parts = Vec::new();
    if g.one_in(3) {
        parts.push(format!("max_queue: {}", g.pick(&["1", "10", "100000"])));
    }
    if g.one_in(3) {
        parts.push(format!(
            "rate_limit: {}",
            g.pick(&["1/s", "100/s", "1000000/s"])
        ));
    }
    match g.below(5) {
        0 => parts.push(format!("bulkhead: {}", g.pick(&["1", "1000"]))),
        1 => parts.push(
            g.pick(&[
                "concurrency: aimd",
                "concurrency: gradient2",
                "concurrency: vegas",
            ])
            .to_string(),
        ),
        _ => {}
    }
    if g.one_in(3) {
        parts.push("deadline: drop_expired".to_string());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("    ingress: {{ {} }}\n", parts.join(", "))
    }
}

/// Durations and the open-loop rates that keep the expected request count legal.
const RUNS: [(&str, &[&str]); 4] = [
    ("1s", &["0.001/s", "100/s", "100000/s"]),
    ("20s", &["1/s", "500/s", "20000/s"]),
    ("1h", &["0.01/s", "50/s"]),
    ("30d", &["0.001/s", "10/s"]),
];

fn random_scenario(seed: u64) -> String {
    let mut g = Gen(seed);
    let (duration_s, rates) = RUNS[g.below(RUNS.len() as u64) as usize];
    let mut y = format!("version: 1\nname: prop-{seed}\nseed: {seed}\nduration: {duration_s}\n");
    if g.coin() {
        y += &format!("warmup: {}\n", g.pick(&["1ns", "500ms"]));
    }
    if g.one_in(3) {
        y += &format!("max_in_flight: {}\n", g.pick(&["1", "50", "5000"]));
    }
    let short = duration_s == "1s" || duration_s == "20s";
    if short && g.one_in(3) {
        y += &format!("sample_every: {}\n", g.pick(&["1ms", "1s"]));
    }
    let services = 1 + g.below(3) as usize;
    y += "workload:\n";
    for w in 0..1 + g.below(3) {
        let to = g.below(services as u64);
        // w0 is open-loop: surges target it.
        if w > 0 && g.one_in(2) {
            y += &format!(
                "  - name: w{w}\n    to: s{to}\n    arrivals: closed\n    users: {}\n    think: {}\n",
                g.pick(&["1", "50", "2000"]),
                g.pick(&["1ns", "1ms", "{ dist: exponential, mean: 10ms }", "1s"]),
            );
        } else {
            let rate = rates[g.below(rates.len() as u64) as usize];
            y += &format!(
                "  - name: w{w}\n    to: s{to}\n    arrivals: {}\n    rate: {rate}\n",
                g.pick(&["poisson", "constant"])
            );
        }
        y += &client_guards(&mut g, "    ");
    }
    y += "services:\n";
    for s in 0..services {
        y += &format!(
            "  s{s}:\n    replicas: {}\n    workers: {}\n    threads: {}\n    balance: {}\n    accept: {}\n",
            1 + g.below(5),
            1 + g.below(4),
            g.pick(&["1", "8", "100"]),
            g.pick(&["round_robin", "least_connections", "random", "power_of_two"]),
            g.pick(&["idle_first", "round_robin", "random"]),
        );
        if g.one_in(3) {
            y += &format!("    ram: {}\n", g.pick(&["1KB", "100MB", "16GB"]));
        }
        y += &ingress(&mut g);
        y += "    endpoints:\n      /:\n";
        // A call goes to a later service only: no call cycles.
        let callee = (s + 1 < services).then_some(s + 1);
        for _ in 0..1 + g.below(4) {
            y += &format!("        - {}\n", step(&mut g, callee));
        }
    }
    y += &format!(
        "network:\n  latency: {}\n  loss: {}\n",
        g.pick(&["0s", "1ns", "{ dist: exponential, mean: 1ms }"]),
        g.pick(&["0", "0.001", "0.5"]),
    );
    if services > 1 && g.one_in(3) {
        y += "  links:\n    - { between: [s0, s1], loss: 1 }\n";
    }
    let faults = g.below(4);
    if faults > 0 {
        y += "faults:\n";
    }
    for _ in 0..faults {
        let target = format!("s{}", g.below(services as u64));
        let at = g.pick(&["0s", "1ns", "100ms", "900ms"]);
        let span = g.pick(&["", ", for: 1ns", ", for: 500ms", ", for: 1h"]);
        let kind = match g.below(7) {
            0 => format!("kind: outage, target: {target}#0"),
            1 => format!("kind: pause, target: {target}"),
            2 => format!(
                "kind: slowdown, target: {target}, factor: {}",
                g.pick(&["0.001", "1000"])
            ),
            3 => format!(
                "kind: errors, target: {target}, rate: {}",
                g.pick(&["100%", "1%"])
            ),
            4 => format!(
                "kind: latency, target: client->{target}, add: {}",
                g.pick(&["1ns", "10s"])
            ),
            5 => format!("kind: loss, target: client<->{target}, rate: 100%"),
            _ => format!("kind: surge, target: w0, factor: {}", g.pick(&["2", "0.5"])),
        };
        let pause_span = if kind.starts_with("kind: pause") && span.is_empty() {
            ", for: 1s"
        } else {
            span
        };
        y += &format!("  - {{ at: {at}{pause_span}, {kind} }}\n");
    }
    if short && g.coin() {
        y += &format!(
            "health: {{ tick: {}, window: {} }}\n",
            g.pick(&["100ms", "1s"]),
            g.pick(&["1s", "10s"])
        );
    }
    if g.coin() {
        y += "slo:\n  - { name: fast, latency: p99.9 < 1ns }\n  - { name: ok, error_rate: < 0.001% }\n";
    }
    if g.coin() {
        y += &format!(
            "cost:\n  per_request: {}\n  per_cpu_second: {}\n  per_instance_hour: {}\n  llm: {{ per_1k_in: 0.003, per_1k_out: 1000 }}\n",
            g.pick(&["0", "0.000001", "1000"]),
            g.pick(&["0", "1"]),
            g.pick(&["0", "0.1", "1000000"]),
        );
        if g.coin() {
            y += &format!(
                "budget:\n  limit: {}\n  action: {}\n  spike: {}\n",
                g.pick(&["0.000001", "1", "1000000000"]),
                g.pick(&["alert", "throttle", "block"]),
                g.pick(&["mean", "robust"]),
            );
        }
    }
    y
}

/// Events one run may take here: enough for most scenarios to end, small enough for CI.
const EVENT_CAP: u64 = 300_000;

/// Runs until the end, an early stop, or the event cap; a run that reached the cap with the
/// clock still at 0 goes on until the stalled-clock detector must have stopped it.
fn run_capped(sim: &mut Simulation) {
    let p = sim.step(u64::MAX, EVENT_CAP);
    if !p.finished && p.now == 0 {
        let p = sim.step(u64::MAX, 50_000_000);
        assert!(
            p.finished || p.now > 0,
            "the clock is stuck at 0 and the run did not stop"
        );
    }
}

fn check_report(r: &Report, finished: bool, what: &str) {
    let bad = non_finite_paths(r);
    assert!(bad.is_empty(), "{what}: non-finite numbers at {bad:?}");
    let q = &r.requests;
    assert_eq!(
        q.sent,
        q.completed + q.failed + q.in_flight,
        "{what}: sent = completed + failed + in_flight"
    );
    let errors: u64 = r.errors.0.iter().map(|(_, n)| n).sum();
    assert_eq!(q.failed, errors, "{what}: failed = Σ errors");
    let mut latencies = vec![("all", &r.latency_s)];
    for (name, w) in &r.workloads.0 {
        let wq = &w.requests;
        assert_eq!(
            wq.sent,
            wq.completed + wq.failed + wq.in_flight,
            "{what}: {name}"
        );
        latencies.push((name, &w.latency_s));
    }
    for (name, l) in latencies {
        let chain = [l.p50, l.p90, l.p95, l.p99, l.max];
        if let Some(max) = l.max {
            assert!(
                l.mean.unwrap() <= max * (1.0 + 1e-12),
                "{what}: {name} mean > max"
            );
            assert!(
                chain.windows(2).all(|w| w[0].unwrap() <= w[1].unwrap()),
                "{what}: {name} percentiles out of order: {chain:?}"
            );
        }
    }
    for (name, s) in &r.services.0 {
        for u in [s.utilization, s.threadpool.utilization]
            .into_iter()
            .flatten()
        {
            assert!(
                (0.0..=1.0 + 1e-9).contains(&u),
                "{what}: {name} utilisation {u}"
            );
        }
        if let (Some(mean), Some(max)) = (s.loop_lag_s.mean, s.loop_lag_s.max) {
            assert!(mean <= max * (1.0 + 1e-12), "{what}: {name} lag mean > max");
        }
        for q in [&s.ready_queue, &s.threadpool.queue].into_iter().flatten() {
            assert!(
                q.mean <= q.max as f64 + 1e-9,
                "{what}: {name} queue mean {q:?}"
            );
        }
        if let (Some(mean), Some(peak)) = (s.active_requests_mean, s.active_requests_peak) {
            assert!(
                mean <= peak as f64 + 1e-9,
                "{what}: {name} active {mean} > {peak}"
            );
        }
    }
    if finished && r.stopped.is_none() {
        assert_eq!(
            r.measured_s,
            r.duration_s - r.warmup_s,
            "{what}: measured window"
        );
    }
    if let Some(stop) = &r.stopped {
        assert!(!stop.message.is_empty());
        if stop.cause == StopCause::StalledClock {
            assert!(stop.message.contains("did not advance"), "{what}");
        }
    }
}

const SCENARIOS: u64 = 400;

#[test]
fn random_extreme_scenarios_keep_every_property() {
    let (mut valid, mut stopped) = (0, 0);
    for seed in 0..SCENARIOS {
        let yaml = random_scenario(seed);
        let checked = check(&yaml);
        let Some(sc) = checked.scenario else {
            if std::env::var_os("PROPERTIES_VERBOSE").is_some() {
                let first = checked.diagnostics.iter().find(|d| d.is_error()).unwrap();
                eprintln!("seed {seed} refused: {}", first.message);
            }
            assert!(
                checked.diagnostics.iter().any(|d| d.is_error()),
                "seed {seed}: refused without an error"
            );
            continue;
        };
        valid += 1;
        let what = format!("seed {seed}\n{yaml}");
        let mut sim = Simulation::new(sc);
        run_capped(&mut sim);
        let r = sim.report();
        stopped += r.stopped.is_some() as u32;
        check_report(&r, sim.is_finished(), &what);
    }
    eprintln!("{valid} of {SCENARIOS} scenarios valid, {stopped} stopped early by a cap");
    assert!(
        valid * 2 > SCENARIOS,
        "the generator should mostly make valid scenarios: {valid} of {SCENARIOS}"
    );
}
