//! Engine review: invariants over many small randomised scenarios that switch every feature on
//! (replicas, workers, threads, calls, retries with timeouts, breakers, risk, throttle,
//! ingress limits, every fault kind, pools of every discipline and scope held by nested `with`
//! blocks, `branch`, `parallel` with every join, workload priorities), and regression tests for
//! engine bugs found in review.

use loopsim_core::{Report, Simulation};
use loopsim_tests::{run_yaml, run_yaml_full, scenario, Gen};

/// A small scenario with every feature on. With `quiet_tail`, the load stops at 3 s of a 40 s
/// run (and every fault ends by 4 s), so nothing is in flight at the end; otherwise closed
/// users run to the end as well.
fn random_scenario(seed: u64, quiet_tail: bool) -> String {
    let mut g = Gen(seed);
    // Payloads and bandwidth from a generator of their own: every other draw is unchanged.
    let mut p = Gen(seed ^ 0x0BAD_CAFE_F00D_D00D);
    let payloads = p.coin();
    let front_pools = pools(&mut g, &["db", "http"], quiet_tail, false);
    let back_pools = pools(&mut g, &["conn"], quiet_tail, false);
    let mut y = String::new();
    // With a quiet tail the run lasts long enough for the heaviest backlog (a fork of dozens of
    // offloads on one thread) to drain after the load stops at 3 s.
    let duration = if quiet_tail { "40s" } else { "12s" };
    let warmup = g.pick(&["0s", "500ms", "1s"]);
    y += &format!(
        "version: 1\nname: review-{seed}\nseed: {seed}\nduration: {duration}\nwarmup: {warmup}\nsample_every: 100ms\n"
    );
    let tick = g.pick(&["1s", "700ms", "250ms"]);
    y += &format!("health: {{ tick: {tick}, window: 2s, slow_callback: 2ms }}\n");
    y += "workload:\n";
    let rate = 50 + g.below(250);
    y += &format!(
        "  - name: open\n    to: front\n    arrivals: {}\n    rate: [ {{at: 0s, rate: {rate}/s}}, {{at: 1s, rate: {}/s, ramp: 500ms}}, {{at: 3s, rate: 0/s}} ]\n    mix: {{ /a: 0.4, /b: 0.3, /c: 0.3 }}\n    priority: {}\n",
        g.pick(&["poisson", "constant"]),
        rate * 2,
        g.below(3),
    );
    y += &client_guards(&mut g, "    ");
    if payloads {
        y += &format!(
            "    request_size: {}\n",
            p.pick(&["2KB", "{ dist: exponential, mean: 4KB }"])
        );
    }
    if !quiet_tail {
        y += &format!(
            "  - name: users\n    to: front\n    arrivals: closed\n    users: {}\n    think: {{ dist: exponential, mean: 20ms }}\n    mix: {{ /a: 1, /c: 1 }}\n    priority: {}\n",
            1 + g.below(8),
            g.pick(&["0", "1", "255"]),
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
    y += &front_pools;
    y += "    endpoints:\n      /a:\n        - ram: 1MB\n        - cpu: { dist: exponential, mean: 1ms }\n";
    if g.coin() {
        // The call holds a permit of `http` while it waits.
        y += "        - with: http\n          steps:\n            - call: back/x\n";
        y += &client_guards(&mut g, "              ");
    } else {
        y += "        - call: back/x\n";
        y += &client_guards(&mut g, "          ");
    }
    y += "        - offload: { dist: exponential, mean: 2ms }\n        - cpu: 0.3ms\n";
    y += "      /b:\n        - blocking: { dist: exponential, mean: 1ms }\n        - io: { dist: exponential, mean: 5ms }\n        - call: back/y\n";
    y += &client_guards(&mut g, "          ");
    // Pools, nested `with` blocks, `branch` and `parallel` (branches with calls, cpu, io,
    // offloads and `with` blocks).
    y += "      /c:\n";
    let mut pools_held = Vec::new();
    for _ in 0..1 + g.below(3) {
        let step = flow_step(&mut g, 0, &["db", "http"], &mut pools_held, true);
        y += &format!("        - {step}\n");
    }
    y += "  back:\n";
    y += &format!(
        "    replicas: {}\n    workers: {}\n    threads: {}\n    balance: {}\n",
        1 + g.below(3),
        1 + g.below(2),
        1 + g.below(4),
        g.pick(&["round_robin", "least_connections", "random", "power_of_two"]),
    );
    y += &ingress(&mut g);
    y += &back_pools;
    if payloads && p.coin() {
        y += "    nic: 1Gbps\n";
    }
    y += "    endpoints:\n      /x:\n";
    if payloads {
        // The mapping form: the back end's answers carry a body to `front`.
        let size = p.pick(&[
            "10KB",
            "{ dist: exponential, mean: 10KB }",
            "{ dist: pareto, scale: 2KB, shape: 1.5 }",
        ]);
        y += &format!("        response_size: {size}\n        steps:\n");
    }
    if g.coin() {
        y += "        - cpu: { dist: exponential, mean: 0.5ms }\n        - with: conn\n          steps: [ { io: { dist: exponential, mean: 3ms } }, { offload: 1ms } ]\n";
    } else {
        y += "        - cpu: { dist: exponential, mean: 0.5ms }\n        - io: { dist: exponential, mean: 3ms }\n        - offload: 1ms\n";
    }
    y += "      /y:\n";
    let mut pools_held = Vec::new();
    for _ in 0..1 + g.below(2) {
        let step = flow_step(&mut g, 1, &["conn"], &mut pools_held, false);
        y += &format!("        - {step}\n");
    }
    y += &jobs_queue(&mut g);
    y += "network:\n  latency: { dist: exponential, mean: 0.2ms }\n  loss: 0.002\n";
    if payloads {
        y += &format!("  bandwidth: {}\n", p.pick(&["100Mbps", "1Gbps"]));
    }
    y += "faults:\n";
    let n = 2 + g.below(6);
    for _ in 0..n {
        let at = 200 + g.below(3000);
        let len = 50 + g.below(800);
        let len = len.min(3900 - at);

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
            6 if g.coin() => "kind: surge, target: open, factor: 2 }".to_string(),
            _ => format!("kind: flush, target: {} }}", g.pick(&["kc", "kr"])),
        };
        // A flush is an instant: no `for`.
        let head = if f.starts_with("kind: flush") {
            format!("  - {{ at: {at}ms, ")
        } else {
            format!("  - {{ at: {at}ms, for: {len}ms, ")
        };
        y += &head;
        y += &f;
        y += "\n";
    }
    y += &caches(&mut g);
    y
}

/// The queue `publish` steps send to: consumed by `back/x` (whose failures — errors, outages,
/// losses — are redelivered after 50 ms, at most twice), dead letters kept in `dead`. The
/// consumers have room for thousands of messages a second, so that a wide fan-out of
/// publishes drains in the quiet tail.
fn jobs_queue(g: &mut Gen) -> String {
    format!(
        "queues:\n  jobs: {{ consumer: back/x, concurrency: {}, max_deliveries: 2, redelivery_delay: 50ms, dead_letter: dead{} }}\n  dead: {{}}\n",
        g.pick(&["8", "32"]),
        g.pick(&["", ", partitions: 64", ", max_length: 20"]),
    )
}

/// The caches `flow_step` uses: `kc` shared (every policy, a short TTL), `kr` per replica.
fn caches(g: &mut Gen) -> String {
    let policy = g.pick(&["lru", "lfu", "fifo", "random"]);
    format!(
        "caches:\n  kc: {{ capacity: {}, policy: {policy}, ttl: 50ms }}\n  kr: {{ capacity: 10, scope: replica }}\n",
        g.pick(&["1", "20"])
    )
}

/// The `pools:` of a service, one of each name. With `drains`, a pool without a `timeout` has
/// at least 4 permits, so that its queue drains in the quiet tail; with `timeouts`, every
/// pool has a timeout (of at most 2 s).
fn pools(g: &mut Gen, names: &[&str], drains: bool, timeouts: bool) -> String {
    let mut y = String::from("    pools:\n");
    for name in names {
        let timeout = timeouts || g.coin();
        let sizes: &[&str] = if drains && !timeout {
            &["4", "50"]
        } else {
            &["1", "2", "4", "50"]
        };
        let mut parts = vec![format!("size: {}", g.pick(sizes))];
        if g.coin() {
            parts.push(format!("queue: {}", g.pick(&["fifo", "lifo", "priority"])));
        }
        if g.coin() {
            let scope = g.pick(&["worker", "replica", "service"]);
            parts.push(format!("scope: {scope}"));
        }
        if timeout {
            let timeout = g.pick(&["1ms", "20ms", "300ms", "2s"]);
            parts.push(format!("timeout: {timeout}"));
        }
        if g.coin() {
            parts.push(format!("max_waiting: {}", g.pick(&["0", "1", "5", "100"])));
        }
        y += &format!("      {name}: {{ {} }}\n", parts.join(", "));
    }
    y
}

/// One step in flow style: a plain step, a `call` to `back` (from `front`), or a block
/// (`with` of a pool not held yet, `branch`, `parallel`) of such steps, at most 3 deep.
/// Pools are taken in the order of `pools` only, so that two requests never wait for each
/// other's permits (which would be a real deadlock, not an engine bug).
fn flow_step(
    g: &mut Gen,
    depth: u32,
    pools: &[&str],
    held: &mut Vec<usize>,
    calls: bool,
) -> String {
    if depth < 3 && g.one_in(5) {
        // A cache block on a small hot keyspace: `parallel` branches and concurrent requests
        // wait on each other's flights, and get cancelled or lost while they wait.
        let hit = flow_steps(g, depth + 1, pools, held, calls);
        let miss = flow_steps(g, 3, pools, held, calls);
        // `back` (no calls) uses its own per-replica `kr` only: a miss of `front` that calls
        // `back` while `back` waits on that miss's flight (one shared cache, one key) would
        // deadlock, as it would in real life.
        let cache = if calls { g.pick(&["kc", "kr"]) } else { "kr" };
        return format!(
            "{{ cache: {cache}, keys: {{ count: {}, zipf: 1 }}, coalesce: {}, hit: {hit}, miss: {miss} }}",
            g.pick(&["3", "40"]),
            g.pick(&["true", "true", "false"]),
        );
    }
    let kinds = if depth >= 3 { 5 } else { 10 };
    match g.below(kinds) {
        0 => format!(
            "{{ cpu: {} }}",
            g.pick(&["0.2ms", "{ dist: exponential, mean: 0.5ms }"])
        ),
        1 => format!(
            "{{ io: {} }}",
            g.pick(&["1ms", "{ dist: exponential, mean: 3ms }"])
        ),
        2 => format!(
            "{{ offload: {} }}",
            g.pick(&["0.5ms", "{ dist: exponential, mean: 1ms }"])
        ),
        3 if calls => {
            let guards = g.pick(&[
                "",
                ", timeout: 10ms",
                ", timeout: 5ms, retry: { attempts: 3, backoff: { kind: exponential, base: 1ms } }",
                ", retry: 2",
            ]);
            format!("{{ call: back/{}{guards} }}", g.pick(&["x", "y"]))
        }
        3 | 4 => format!(
            "{{ {} }}",
            g.pick(&["blocking: 0.1ms", "ram: 100KB", "io: 0s"])
        ),
        5 => {
            let lowest = held.last().map_or(0, |&p| p + 1);
            if lowest >= pools.len() {
                return "{ io: 1ms }".to_string();
            }
            let p = lowest + g.below((pools.len() - lowest) as u64) as usize;
            held.push(p);
            let steps = flow_steps(g, depth + 1, pools, held, calls);
            held.pop();
            format!("{{ with: {}, steps: {steps} }}", pools[p])
        }
        6 => {
            let arms: Vec<String> = (0..1 + g.below(3))
                .map(|_| {
                    let w = g.pick(&["1", "0.1", "5"]);
                    format!(
                        "{{ weight: {w}, steps: {} }}",
                        flow_steps(g, depth + 1, pools, held, calls)
                    )
                })
                .collect();
            format!("{{ branch: [ {} ] }}", arms.join(", "))
        }
        // A message to `jobs` (consumed by `back/x`, see `jobs_queue`), or a background
        // task (which holds none of the request's permits).
        8 => "{ publish: jobs }".to_string(),
        9 => format!(
            "{{ spawn: {} }}",
            flow_steps(g, depth + 1, pools, &mut Vec::new(), calls)
        ),
        _ => {
            let n = 1 + g.below(3);
            let branches: Vec<String> = (0..n)
                .map(|_| {
                    if g.coin() {
                        flow_step(g, depth + 1, pools, held, calls)
                    } else {
                        flow_steps(g, depth + 1, pools, held, calls)
                    }
                })
                .collect();
            let fanout = if g.one_in(4) { 1 + g.below(8) } else { 1 };
            let total = n * fanout;
            let mut extra = String::new();
            match g.below(4) {
                0 => extra += ", wait: any",
                1 => extra += &format!(", wait: {}", 1 + g.below(total)),
                2 => extra += ", wait: all, on_error: ignore",
                _ => {}
            }
            if fanout > 1 {
                extra += &format!(", fanout: {fanout}");
            }
            format!("{{ parallel: [ {} ]{extra} }}", branches.join(", "))
        }
    }
}

fn flow_steps(
    g: &mut Gen,
    depth: u32,
    pools: &[&str],
    held: &mut Vec<usize>,
    calls: bool,
) -> String {
    let steps: Vec<String> = (0..1 + g.below(3))
        .map(|_| flow_step(g, depth, pools, held, calls))
        .collect();
    format!("[ {} ]", steps.join(", "))
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
    loopsim_tests::admission_queue(g, &mut parts);
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

/// Every pool's figures are within its permits.
fn check_pools(r: &Report, what: &str) {
    for (svc, s) in &r.services.0 {
        for (name, p) in &s.pools.0 {
            let permits = u64::from(p.size) * u64::from(p.instances);
            if let Some(u) = p.utilization {
                assert!(
                    (0.0..=1.0 + 1e-9).contains(&u),
                    "{what}: {svc}.{name} utilisation {u}"
                );
            }
            for q in [&p.in_use, &p.queue].into_iter().flatten() {
                assert!(
                    q.mean <= q.max as f64 + 1e-9,
                    "{what}: {svc}.{name} mean > max: {q:?}"
                );
            }
            if let Some(q) = &p.in_use {
                assert!(
                    q.max <= permits,
                    "{what}: {svc}.{name} {} in use of {permits}",
                    q.max
                );
            }
        }
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
    for seed in seeds(SEEDS) {
        for quiet_tail in [true, false] {
            let yaml = random_scenario(seed, quiet_tail);
            let what = format!("seed {seed} quiet_tail {quiet_tail}\n{yaml}");
            let (report, series) = run_yaml_full(&yaml);
            assert!(report.stopped.is_none(), "{what}: stopped early");
            check_conservation(&report, &what);
            check_pools(&report, &what);
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
                // No permit leaks and no waiter is forgotten in a queue.
                // Every message was processed or dead-lettered.
                for col in ["queue.jobs.depth", "queue.jobs.in_process"] {
                    assert_eq!(last(&series, col), 0.0, "{what}: {col} at the end");
                }
                for col in [
                    "pool.front.db.in_use",
                    "pool.front.db.waiting",
                    "pool.front.http.in_use",
                    "pool.front.http.waiting",
                    "pool.back.conn.in_use",
                    "pool.back.conn.waiting",
                ] {
                    assert_eq!(last(&series, col), 0.0, "{what}: {col} at the end");
                }
                // Every transfer has ended.
                for col in series.names().iter().filter(|n| n.ends_with(".in_flight")) {
                    assert_eq!(last(&series, col), 0.0, "{what}: {col} at the end");
                }
            }
        }
    }
}

/// A scenario made to crash replicas while their requests hold permits and run `parallel`
/// branches: pools of every scope on several replicas and workers, an endpoint that forks
/// branches holding permits (with calls, cpu, io, offloads inside), and outages of `front`
/// replicas (and sometimes of `back`, whose answers the branches await) during the load.
/// The load stops at 3 s of 10 s and every fault ends by 3.5 s.
fn crash_scenario(seed: u64) -> String {
    let mut g = Gen(seed);
    let replicas = 2 + g.below(3);
    let mut y = format!(
        "version: 1\nname: crash-{seed}\nseed: {seed}\nduration: 10s\nwarmup: 0s\nsample_every: 100ms\n"
    );
    y += &format!(
        "workload:\n  - name: open\n    to: front\n    rate: [ {{at: 0s, rate: {}/s}}, {{at: 3s, rate: 0/s}} ]\n    priority: {}\n",
        30 + g.below(170),
        g.below(4),
    );
    if g.coin() {
        y += &format!("    timeout: {}ms\n", 5 + g.below(100));
    }
    if g.coin() {
        y += "    retry: { attempts: 2, backoff: { kind: exponential, base: 2ms } }\n";
    }
    y += &format!(
        "services:\n  front:\n    replicas: {replicas}\n    workers: {}\n    threads: {}\n    balance: {}\n",
        1 + g.below(3),
        4 + g.below(5),
        g.pick(&["round_robin", "least_connections", "random", "power_of_two"]),
    );
    // Timeouts bound how long the fan-out can queue on small pools; a waiter forgotten in a
    // queue or a queue holding a dead task would still show (stuck or a panic).
    y += &pools(&mut g, &["db", "http"], true, true);
    y += "    endpoints:\n      /:\n";
    let fanout = 1 + g.below(3);
    let join = g.pick(&[
        "",
        ", wait: any",
        ", wait: 2",
        ", wait: all, on_error: ignore",
    ]);
    let mut held = Vec::new();
    let third = flow_step(&mut g, 2, &["db", "http"], &mut held, true);
    y += &format!(
        "        - {{ parallel: [ {{ with: db, steps: [ {{ io: {{ dist: exponential, mean: 5ms }} }}, {{ call: back/x }} ] }}, [ {{ cpu: 0.2ms }}, {{ with: http, steps: [ {{ offload: 1ms }}, {{ io: 2ms }} ] }} ], {third} ]{join}, fanout: {fanout} }}\n"
    );
    for _ in 0..g.below(3) {
        let step = flow_step(&mut g, 0, &["db", "http"], &mut held, true);
        y += &format!("        - {step}\n");
    }
    y += &format!(
        "  back:\n    replicas: {}\n    workers: {}\n",
        2 + g.below(2),
        1 + g.below(2)
    );
    // Enough back-end capacity that the fan-out and retry amplification drains in the tail.
    y += &format!(
        "    pools:\n      conn: {{ size: 50, queue: {}, scope: {}, timeout: 300ms }}\n",
        g.pick(&["fifo", "lifo", "priority"]),
        g.pick(&["worker", "replica", "service"]),
    );
    y += "    endpoints:\n      /x:\n        - with: conn\n          steps: [ { io: { dist: exponential, mean: 4ms } }, { cpu: 0.1ms } ]\n";
    y += "      /y:\n        - io: 3ms\n";
    y += &jobs_queue(&mut g);
    y += "faults:\n";
    for _ in 0..3 + g.below(6) {
        let at = 100 + g.below(2800);
        let len = (20 + g.below(500)).min(3500 - at);
        let target = match g.below(6) {
            0 => "back#0".to_string(),
            1 => "front".to_string(),
            _ => format!("front#{}", g.below(replicas)),
        };
        let kind = if g.one_in(6) { "pause" } else { "outage" };
        y += &format!("  - {{ at: {at}ms, for: {len}ms, kind: {kind}, target: {target} }}\n");
    }
    y += &caches(&mut g);
    y
}

/// Crashes while requests hold permits, wait for them, and run `parallel` branches: every
/// permit comes back, every waiter leaves its queue, every request is answered.
#[test]
fn crashes_free_every_permit_and_answer_every_request() {
    let mut lost = 0;
    for seed in seeds(CRASH_SEEDS) {
        let yaml = crash_scenario(seed);
        let what = format!("seed {seed}\n{yaml}");
        let (report, series) = run_yaml_full(&yaml);
        assert!(report.stopped.is_none(), "{what}: stopped early");
        check_conservation(&report, &what);
        check_pools(&report, &what);
        assert_eq!(report.requests.in_flight, 0, "{what}: in flight at the end");
        for col in [
            "in_flight",
            "front.active",
            "front.ready_queue",
            "front.pool_queue",
            "front.pool_busy",
            "back.active",
            "pool.front.db.in_use",
            "pool.front.db.waiting",
            "pool.front.http.in_use",
            "pool.front.http.waiting",
            "pool.back.conn.in_use",
            "pool.back.conn.waiting",
        ] {
            assert_eq!(last(&series, col), 0.0, "{what}: {col} at the end");
        }
        lost += report
            .errors
            .0
            .iter()
            .find(|(k, _)| *k == "lost")
            .map_or(0, |(_, n)| *n);
    }
    assert!(lost > 0, "the outages must catch requests being served");
}

/// `0..default`, or the seeds `LOOPSIM_REVIEW_SEEDS=FROM..TO` asks for (a longer search).
fn seeds(default: u64) -> std::ops::Range<u64> {
    match std::env::var("LOOPSIM_REVIEW_SEEDS") {
        Ok(v) => {
            let (a, b) = v.split_once("..").expect("LOOPSIM_REVIEW_SEEDS=FROM..TO");
            a.parse().expect("FROM")..b.parse().expect("TO")
        }
        Err(_) => 0..default,
    }
}

#[cfg(debug_assertions)]
const CRASH_SEEDS: u64 = 300;
#[cfg(not(debug_assertions))]
const CRASH_SEEDS: u64 = 1500;

#[cfg(debug_assertions)]
const SEEDS: u64 = 400;
#[cfg(not(debug_assertions))]
const SEEDS: u64 = 2000;

#[test]
fn random_scenarios_are_deterministic() {
    let yamls = [3, 17, 42]
        .map(|seed| (seed, random_scenario(seed, false)))
        .into_iter()
        .chain([5, 11].map(|seed| (seed, crash_scenario(seed))));
    for (seed, yaml) in yamls {
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

/// The value of column `name` in the last row sampled at or before `t` seconds.
fn at(series: &loopsim_core::series::Series, name: &str, t: f64) -> f64 {
    let times = series.column_by_name("t_s").expect("a time column");
    let row = times.iter().rposition(|&x| x <= t + 1e-9).expect("a row");
    series
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"))[row]
}

/// A `parallel` step decided while one of its branches awaits a `call` inside a `with`: the
/// format says the pending call is abandoned like a timed-out attempt and the permit goes
/// back. One request at 0.5 s; its `io` branch wins at 0.55 s; the `slow` call returns at
/// 1.5 s. The permit must be free at 0.8 s.
#[test]
fn a_cancelled_branch_gives_back_its_permit_while_its_call_is_pending() {
    let (report, series) = run_yaml_full(
        r#"version: 1
name: cancelled-call-keeps-its-permit
seed: 1
duration: 1s
sample_every: 10ms
workload:
  - to: api
    arrivals: closed
    users: 1
    think: 500ms
services:
  api:
    pools:
      db: { size: 1 }
    endpoints:
      /:
        - parallel:
            - io: 50ms
            - with: db
              steps: [ { call: slow } ]
          wait: any
  slow:
    endpoints:
      /:
        - io: 1s
"#,
    );
    assert_eq!(report.requests.completed, 1, "{:?}", report.requests);
    assert_eq!(
        at(&series, "pool.api.db.in_use", 0.53),
        1.0,
        "the branch took the permit"
    );
    assert_eq!(
        at(&series, "pool.api.db.in_use", 0.8),
        0.0,
        "the step was decided at 0.55 s: the cancelled branch's permit goes back"
    );
}

/// Cancelling a branch that is itself a `parallel` step must cancel its branches too (a task
/// group cancels its nested groups): here the inner branch holds `db` and would stop after
/// its first `io` (its next await point, 0.8 s) instead of running its second one to 1.1 s.
#[test]
fn cancelling_a_branch_cancels_its_nested_branches() {
    let (report, series) = run_yaml_full(
        r#"version: 1
name: nested-branches-not-cancelled
seed: 1
duration: 1s
sample_every: 10ms
workload:
  - to: api
    arrivals: closed
    users: 1
    think: 500ms
services:
  api:
    pools:
      db: { size: 1 }
    endpoints:
      /:
        - parallel:
            - io: 50ms
            - parallel: [ { with: db, steps: [ { io: 300ms }, { io: 300ms } ] } ]
          wait: any
"#,
    );
    assert_eq!(report.requests.completed, 1, "{:?}", report.requests);
    assert_eq!(
        at(&series, "pool.api.db.in_use", 0.53),
        1.0,
        "the inner branch took the permit"
    );
    assert_eq!(
        at(&series, "pool.api.db.in_use", 0.95),
        0.0,
        "the inner branch was cancelled at 0.55 s and stops when its first io ends at 0.8 s"
    );
}

/// One request of a valid scenario forks 150 × 1000 branches. `max_in_flight: 1000` stops
/// the run at once, before the children exist (the engine used to allocate all 150 000 child
/// tasks first, run them inside one event and remove each from its join with a linear
/// `retain`: quadratic, ~10 s here). Work is measured in events, not wall time.
#[test]
fn a_wide_fork_is_bounded_by_max_in_flight() {
    let branches = vec!["[]"; 150].join(", ");
    let yaml = format!(
        "version: 1\nname: wide-fork\nduration: 1s\nmax_in_flight: 1000\nworkload:\n  - to: api\n    arrivals: closed\n    users: 1\n    think: 100ms\nservices:\n  api:\n    endpoints:\n      /:\n        - io: 1ms\n        - parallel: [ {branches} ]\n          fanout: 1000\n"
    );
    let report = run_yaml(&yaml);
    let stop = report.stopped.as_ref().expect("the cap stops the run");
    assert_eq!(stop.cause, loopsim_core::report::StopCause::MaxInFlight);
    assert!(report.events < 100, "{} events", report.events);
}

/// Calls refused at once by a guard inside a wide `parallel` resume their tasks as events, not
/// by running the loop again inside the step that made the call: before the fix each child
/// nested one loop run deeper, and 10,000 of them overflowed the stack.
#[test]
fn calls_refused_at_once_in_a_wide_fork_do_not_nest_loop_runs() {
    let report = run_yaml(
        "version: 1\nname: deep\nduration: 5s\nworkload: [ { to: front, rate: 5/s } ]\n\
         services:\n  front:\n    endpoints:\n      /:\n        - parallel:\n\
         \x20           - { call: back, breaker: { kind: consecutive, threshold: 1, open_for: 100s } }\n\
         \x20           - { call: back, breaker: { kind: consecutive, threshold: 1, open_for: 100s } }\n\
         \x20           - { call: back, breaker: { kind: consecutive, threshold: 1, open_for: 100s } }\n\
         \x20         fanout: 10000\n          on_error: ignore\n\
         \x20 back: { endpoints: { /: [ { io: 1ms } ] } }\n\
         faults:\n  - { at: 0s, for: 2s, kind: errors, target: back, rate: 100% }\n",
    );
    assert!(report.requests.completed > 0);
    assert!(report.errors.get("rejected_breaker").is_some());
}

/// A call abandoned by its cancelled branch sends no more hedges or retries (the server's
/// work already sent goes on): one request to `slow` per request, not 15.
#[test]
fn an_abandoned_call_stops_hedging_and_retrying() {
    let report = run_yaml(
        "version: 1\nname: abandoned\nduration: 10s\nworkload: [ { to: front, rate: 10/s } ]\n\
         services:\n  front:\n    endpoints:\n      /:\n        - parallel:\n\
         \x20           - io: 1ms\n            - call: slow\n              hedge: { after: 10ms, max: 3 }\n\
         \x20             retry: 5\n              timeout: 100ms\n          wait: any\n\
         \x20 slow: { endpoints: { /: [ { io: 1s } ] } }\n",
    );
    let site = report.call_sites.get("front/ → slow/").unwrap();
    assert_eq!(site.hedges, 0, "{site:?}");
    let slow = report.services.get("slow").unwrap();
    assert!(
        slow.served_ok <= report.requests.sent,
        "{} served",
        slow.served_ok
    );
}
