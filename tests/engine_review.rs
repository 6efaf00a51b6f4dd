//! Engine review: invariants over many small randomised scenarios that switch every feature on
//! (replicas, workers, threads, calls, retries with timeouts, breakers, risk, throttle,
//! ingress limits, every fault kind), and regression tests for engine bugs found in review.

use loopsim_core::{Report, Simulation};
use loopsim_tests::{run_yaml, run_yaml_full, scenario, Gen};

/// A small scenario with every feature on. With `quiet_tail`, the load stops at 3 s of a 12 s
/// run (and every fault ends by 4 s), so nothing is in flight at the end; otherwise closed
/// users run to the end as well.
fn random_scenario(seed: u64, quiet_tail: bool) -> String {
    let mut g = Gen(seed);
    let mut y = String::new();
    let warmup = g.pick(&["0s", "500ms", "1s"]);
    y += &format!(
        "version: 1\nname: review-{seed}\nseed: {seed}\nduration: 12s\nwarmup: {warmup}\nsample_every: 100ms\n"
    );
    let tick = g.pick(&["1s", "700ms", "250ms"]);
    y += &format!("health: {{ tick: {tick}, window: 2s, slow_callback: 2ms }}\n");
    y += "workload:\n";
    let rate = 50 + g.below(250);
    y += &format!(
        "  - name: open\n    to: front\n    arrivals: {}\n    rate: [ {{at: 0s, rate: {rate}/s}}, {{at: 1s, rate: {}/s, ramp: 500ms}}, {{at: 3s, rate: 0/s}} ]\n    mix: {{ /a: 0.6, /b: 0.4 }}\n",
        g.pick(&["poisson", "constant"]),
        rate * 2
    );
    y += &client_guards(&mut g, "    ");
    if !quiet_tail {
        y += &format!(
            "  - name: users\n    to: front\n    arrivals: closed\n    users: {}\n    think: {{ dist: exponential, mean: 20ms }}\n    mix: {{ /a: 1 }}\n",
            1 + g.below(8)
        );
        y += &client_guards(&mut g, "    ");
    }
    y += "services:\n  front:\n";
    y += &format!(
        "    replicas: {}\n    workers: {}\n    threads: {}\n    balance: {}\n    accept: {}\n    ram: {}MB\n",
        1 + g.below(3),
        1 + g.below(3),
        1 + g.below(3),
        g.pick(&["round_robin", "least_connections", "random", "power_of_two"]),
        g.pick(&["idle_first", "round_robin", "random"]),
        5 + g.below(30),
    );
    y += &ingress(&mut g);
    y += "    endpoints:\n      /a:\n        - ram: 1MB\n        - cpu: { dist: exponential, mean: 1ms }\n";
    y += "        - call: back/x\n";
    y += &client_guards(&mut g, "          ");
    y += "        - offload: { dist: exponential, mean: 2ms }\n        - cpu: 0.3ms\n";
    y += "      /b:\n        - blocking: { dist: exponential, mean: 1ms }\n        - io: { dist: exponential, mean: 5ms }\n        - call: back/y\n";
    y += &client_guards(&mut g, "          ");
    y += "  back:\n";
    y += &format!(
        "    replicas: {}\n    workers: {}\n    threads: {}\n    balance: {}\n",
        1 + g.below(3),
        1 + g.below(2),
        1 + g.below(4),
        g.pick(&["round_robin", "least_connections", "random", "power_of_two"]),
    );
    y += &ingress(&mut g);
    y += "    endpoints:\n      /x:\n        - cpu: { dist: exponential, mean: 0.5ms }\n        - io: { dist: exponential, mean: 3ms }\n        - offload: 1ms\n";
    y += "      /y:\n        - offload: { dist: exponential, mean: 2ms }\n        - cpu: 0.2ms\n";
    y += "network:\n  latency: { dist: exponential, mean: 0.2ms }\n  loss: 0.002\n";
    y += "faults:\n";
    let n = 2 + g.below(6);
    for _ in 0..n {
        let at = 200 + g.below(3000);
        let len = 50 + g.below(800);
        let len = len.min(3900 - at);
        let head = format!("  - {{ at: {at}ms, for: {len}ms, ");
        let tgt = |g: &mut Gen| -> String {
            let s = g.pick(&["front", "back"]);
            if g.coin() {
                s.to_string()
            } else {
                format!("{s}#0")
            }
        };
        let f = match g.below(7) {
            0 => format!("kind: outage, target: {} }}", tgt(&mut g)),
            1 => {
                let w = if g.coin() { ", worker: 0" } else { "" };
                format!("kind: pause, target: {}{w} }}", tgt(&mut g))
            }
            2 => format!("kind: slowdown, target: {}, factor: 3 }}", tgt(&mut g)),
            3 => format!(
                "kind: errors, target: {}, rate: 30% }}",
                g.pick(&["back", "back/x", "front/b"])
            ),
            4 => format!(
                "kind: latency, target: {}, add: 5ms }}",
                g.pick(&["front->back", "client<->front"])
            ),
            5 => format!(
                "kind: loss, target: {}, rate: 20% }}",
                g.pick(&["front<->back", "client->front"])
            ),
            _ => "kind: surge, target: open, factor: 2 }".to_string(),
        };
        y += &head;
        y += &f;
        y += "\n";
    }
    y
}

fn client_guards(g: &mut Gen, indent: &str) -> String {
    let mut s = String::new();
    if g.below(4) > 0 {
        s += &format!("{indent}timeout: {}ms\n", 5 + g.below(60));
    }
    if g.coin() {
        s += &format!("{indent}deadline: {}ms\n", 20 + g.below(150));
    }
    if g.below(4) > 0 {
        let backoff = g.pick(&[
            "none",
            "{ kind: exponential, base: 2ms, jitter: full }",
            "{ kind: decorrelated, base: 1ms, cap: 20ms }",
        ]);
        let budget = g.pick(&[
            "",
            ", budget: 20%",
            ", budget: { kind: grpc, max_tokens: 5 }",
        ]);
        s += &format!(
            "{indent}retry: {{ attempts: {}, backoff: {backoff}{budget} }}\n",
            2 + g.below(3)
        );
    }
    if g.coin() {
        s += &format!(
            "{indent}breaker: {}\n",
            g.pick(&[
                "{ kind: consecutive, threshold: 3, open_for: 100ms }",
                "{ kind: sliding_window, window: 20, min_calls: 5, open_for: 200ms, half_open_calls: 2 }",
                "{ kind: sliding_window, window: 1s, min_calls: 5, slow_call: 10ms, open_for: 50ms, half_open_calls: 1 }",
            ])
        );
    }
    if g.coin() {
        s += &format!(
            "{indent}risk: {}\n",
            g.pick(&[
                "{}",
                "{ throttle_at: 0.2, block_at: 0.6, base_backoff: 5ms, quarantine_base: 100ms, quarantine_cap: 500ms }"
            ])
        );
    }
    if g.coin() {
        s += &format!("{indent}throttle: {{ k: 1.5, window: 1s }}\n");
    }
    s
}

fn ingress(g: &mut Gen) -> String {
    let mut parts = Vec::new();
    if g.coin() {
        parts.push(format!("max_queue: {}", 1 + g.below(20)));
    }
    if g.coin() {
        parts.push(format!("rate_limit: {}/s", 50 + g.below(400)));
    }
    match g.below(4) {
        0 => parts.push(format!("bulkhead: {}", 1 + g.below(10))),
        1 => parts.push(
            g.pick(&[
                "concurrency: aimd",
                "concurrency: gradient2",
                "concurrency: vegas",
                "concurrency: { kind: aimd, initial: 3, min: 1, max: 10 }",
            ])
            .to_string(),
        ),
        _ => {}
    }
    if g.coin() {
        parts.push("deadline: drop_expired".to_string());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("    ingress: {{ {} }}\n", parts.join(", "))
    }
}

fn check_conservation(r: &Report, what: &str) {
    let q = &r.requests;
    assert_eq!(
        q.sent,
        q.completed + q.failed + q.in_flight,
        "{what}: sent = completed + failed + in_flight"
    );
    let errors: u64 = r.errors.0.iter().map(|(_, n)| n).sum();
    assert_eq!(q.failed, errors, "{what}: failed = sum of errors");
    for (name, w) in &r.workloads.0 {
        let q = &w.requests;
        assert_eq!(
            q.sent,
            q.completed + q.failed + q.in_flight,
            "{what}: workload {name} conservation"
        );
    }
}

fn last(series: &loopsim_core::series::Series, name: &str) -> f64 {
    let col = series
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"));
    *col.last().expect("a row")
}

#[test]
fn random_scenarios_keep_the_invariants() {
    for seed in 0..SEEDS {
        for quiet_tail in [true, false] {
            let yaml = random_scenario(seed, quiet_tail);
            let what = format!("seed {seed} quiet_tail {quiet_tail}\n{yaml}");
            let (report, series) = run_yaml_full(&yaml);
            assert!(report.stopped.is_none(), "{what}: stopped early");
            check_conservation(&report, &what);
            if quiet_tail {
                assert_eq!(report.requests.in_flight, 0, "{what}: in flight at the end");
                assert_eq!(last(&series, "in_flight"), 0.0, "{what}: in_flight column");
                for svc in ["front", "back"] {
                    for col in ["active", "ready_queue", "pool_queue", "pool_busy"] {
                        assert_eq!(
                            last(&series, &format!("{svc}.{col}")),
                            0.0,
                            "{what}: {svc}.{col} at the end"
                        );
                    }
                }
            }
        }
    }
}

#[cfg(debug_assertions)]
const SEEDS: u64 = 400;
#[cfg(not(debug_assertions))]
const SEEDS: u64 = 2000;

#[test]
fn random_scenarios_are_deterministic() {
    for seed in [3, 17, 42] {
        let yaml = random_scenario(seed, false);
        let a = serde_json::to_string(&run_yaml(&yaml)).unwrap();
        let mut sim = Simulation::new(scenario(&yaml));
        let mut until = 0;
        while !sim.step(until, 101).finished {
            until += 13_000_000;
        }
        let b = serde_json::to_string(&sim.report()).unwrap();
        assert_eq!(a, b, "seed {seed}: same seed, same JSON");
    }
}

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
