//! Property test over random scenarios with extreme-but-legal values: every feature at once,
//! tiny and huge durations, rates and prices at their limits, links that lose everything,
//! infinite-mean service times, 100% error faults, tiny caps, pools of one permit and of a
//! million, pool timeouts from 1ns to 1h, nested `with` blocks, `branch`, `parallel` with
//! every join and fan-outs up to 50, workload priorities. Each run is capped by events
//! (a scenario may be valid and still be far too long to finish here). For every scenario the
//! checker accepts, the run must keep conservation, produce no NaN or infinity anywhere in the
//! report, keep every mean at most its maximum, percentiles in order and utilisations at most
//! 1 (pools included, whose permits in use never exceed size × instances), count no more
//! `pool_timeout` and `pool_full` failures than the pools' timeouts and rejections, and the
//! clock must advance (or the run must say it stalled). Scenarios the checker
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

/// A step as one flow-style line: a plain step, a call, or a block (`with` of a pool not held
/// yet, `branch`, `parallel`) of such steps, at most 3 deep.
fn flow_step(
    g: &mut Gen,
    depth: u32,
    next: Option<usize>,
    pools: &[String],
    held: &mut Vec<usize>,
) -> String {
    if depth < 3 && g.one_in(6) {
        return cache_step(g, depth, next, pools, held);
    }
    let kinds = if depth >= 3 { 6 } else { 12 };
    match g.below(kinds) {
        0 => format!("{{ cpu: {} }}", duration(g)),
        1 => format!("{{ io: {} }}", duration(g)),
        2 => match g.below(3) {
            0 => format!(
                "{{ offload: {{ cpu: {}, io: {} }} }}",
                duration(g),
                duration(g)
            ),
            _ => format!("{{ offload: {} }}", duration(g)),
        },
        3 => format!(
            "{{ {} }}",
            g.pick(&[
                "blocking: 1us",
                "ram: 1KB",
                "io: 0s",
                "llm: { tokens_out: 10, per_token: 1ms }"
            ])
        ),
        4 | 5 => match next {
            Some(s) => format!(
                "{{ call: s{s}{} }}",
                g.pick(&[
                    "",
                    ", timeout: 1ms",
                    ", timeout: 50ms, retry: 3",
                    ", retry: { attempts: 2, backoff: none }",
                    ", hedge: { after: 1ms, max: 2 }",
                    ", timeout: 20ms, hedge: { after: 5ms }, fallback: [ { io: 1ms } ]",
                    ", fallback: [ { cpu: 1ms }, { io: 1ms } ]"
                ])
            ),
            None => format!("{{ io: {} }}", duration(g)),
        },
        6 | 9 => {
            let free: Vec<usize> = (0..pools.len()).filter(|p| !held.contains(p)).collect();
            if free.is_empty() || held.len() >= 3 {
                return "{ cpu: 1us }".to_string();
            }
            let p = free[g.below(free.len() as u64) as usize];
            held.push(p);
            let steps = flow_steps(g, depth + 1, next, pools, held);
            held.pop();
            format!("{{ with: {}, steps: {steps} }}", pools[p])
        }
        7 | 8 => {
            let n = 1 + g.below(3);
            let branches: Vec<String> = (0..n)
                .map(|_| {
                    if g.coin() {
                        flow_step(g, depth + 1, next, pools, held)
                    } else {
                        flow_steps(g, depth + 1, next, pools, held)
                    }
                })
                .collect();
            // Wide fan-outs only at the top, so that nesting cannot multiply them.
            let fanout = match (depth, g.below(4)) {
                (0, 0) => g.pick(&["10", "50"]).parse().unwrap(),
                (_, 1) => 1 + g.below(4),
                _ => 1,
            };
            let total = n * fanout;
            let mut extra = String::new();
            match g.below(5) {
                0 => extra += ", wait: any",
                1 => extra += &format!(", wait: {}", 1 + g.below(total)),
                2 => extra += ", wait: all, on_error: ignore",
                3 => extra += ", on_error: fail",
                _ => {}
            }
            if fanout > 1 {
                extra += &format!(", fanout: {fanout}");
            }
            format!("{{ parallel: [ {} ]{extra} }}", branches.join(", "))
        }
        // A message to a queue (declared at the end, see `queues`), or a background task.
        10 => format!("{{ publish: {} }}", g.pick(&["q0", "q1"])),
        11 => format!(
            "{{ spawn: {} }}",
            flow_steps(g, depth + 1, next, pools, held)
        ),
        _ => {
            let arms: Vec<String> = (0..1 + g.below(4))
                .map(|_| {
                    let w = g.pick(&["1", "0.001", "1e6", "3"]);
                    format!(
                        "{{ weight: {w}, steps: {} }}",
                        flow_steps(g, depth + 1, next, pools, held)
                    )
                })
                .collect();
            format!("{{ branch: [ {} ] }}", arms.join(", "))
        }
    }
}

/// A `cache:` block (hit and miss steps, single flight or not, extreme keyspaces) or an
/// `invalidate:` step, on the caches `c0` (shared) and `c1` (replica) that every scenario
/// declares. The miss steps hold no other cache block (depth 3: plain steps and calls).
fn cache_step(
    g: &mut Gen,
    depth: u32,
    next: Option<usize>,
    pools: &[String],
    held: &mut Vec<usize>,
) -> String {
    let cache = g.pick(&["c0", "c1"]);
    let keys = format!(
        "{{ count: {}, zipf: {} }}",
        g.pick(&["1", "50", "1000000000000"]),
        g.pick(&["0", "0.99", "10"])
    );
    if g.one_in(4) {
        return format!("{{ invalidate: {cache}, keys: {keys} }}");
    }
    let mut out = format!("{{ cache: {cache}, keys: {keys}");
    if g.coin() {
        out += ", coalesce: true";
    }
    if g.coin() {
        out += &format!(", hit: {}", flow_steps(g, depth + 1, next, pools, held));
    }
    match g.below(3) {
        0 => {}
        1 => out += ", miss: []",
        _ => out += &format!(", miss: {}", flow_steps(g, 3, next, pools, held)),
    }
    out + " }"
}

/// `caches:` with `c0` (shared) and `c1` (replica): capacities from one entry to the limit,
/// every policy, TTLs from 1ns.
fn caches(g: &mut Gen) -> String {
    let mut y = String::from("caches:\n");
    for (name, scope) in [("c0", "shared"), ("c1", "replica")] {
        let ttl = g.pick(&["", ", ttl: 1ns", ", ttl: 100ms"]);
        y += &format!(
            "  {name}: {{ capacity: {}, policy: {}, scope: {scope}{ttl} }}\n",
            g.pick(&["1", "100", "10000000"]),
            g.pick(&["lru", "lfu", "fifo", "random"]),
        );
    }
    y
}

fn flow_steps(
    g: &mut Gen,
    depth: u32,
    next: Option<usize>,
    pools: &[String],
    held: &mut Vec<usize>,
) -> String {
    let steps: Vec<String> = (0..1 + g.below(3))
        .map(|_| flow_step(g, depth, next, pools, held))
        .collect();
    format!("[ {} ]", steps.join(", "))
}

/// A service's `pools:`, from one permit to a million, every discipline and scope, timeouts
/// from 1ns to 1h, `max_waiting` from 0 to the limit; and their names.
fn pools(g: &mut Gen) -> (String, Vec<String>) {
    let n = if g.one_in(4) {
        0
    } else {
        1 + g.below(3) as usize
    };
    if n == 0 {
        return (String::new(), Vec::new());
    }
    let mut y = String::from("    pools:\n");
    let names: Vec<String> = (0..n).map(|i| format!("p{i}")).collect();
    for name in &names {
        let mut parts = vec![format!(
            "size: {}",
            g.pick(&["1", "1", "2", "16", "1000000"])
        )];
        if g.coin() {
            parts.push(format!(
                "queue: {}",
                g.pick(&["fifo", "lifo", "priority", "codel", "adaptive_lifo"])
            ));
        }
        if g.coin() {
            parts.push(format!(
                "scope: {}",
                g.pick(&["worker", "replica", "service"])
            ));
        }
        if g.coin() {
            parts.push(format!(
                "timeout: {}",
                g.pick(&["1ns", "1us", "5ms", "1s", "1h"])
            ));
        }
        if g.coin() {
            parts.push(format!(
                "max_waiting: {}",
                g.pick(&["0", "1", "100", "10000000"])
            ));
        }
        y += &format!("      {name}: {{ {} }}\n", parts.join(", "));
    }
    (y, names)
}

fn step(g: &mut Gen, next_service: Option<usize>) -> String {
    match g.below(9) {
        0 => format!("cpu: {}", duration(g)),
        1 => format!("blocking: {}", duration(g)),
        2 => format!("io: {}", duration(g)),
        3 => match g.below(3) {
            0 => format!("offload: {{ cpu: {}, io: {} }}", duration(g), duration(g)),
            _ => format!("offload: {}", duration(g)),
        },
        4 => format!("ram: {}", g.pick(&["1B", "1KB", "64MB", "2GB"])),
        5 => format!(
            "llm: {{ tokens_in: {}, tokens_out: {}, first_token: {}, per_token: {} }}",
            g.pick(&["0", "1", "800", "100000"]),
            g.pick(&["0", "1", "{ dist: uniform, min: 1, max: 4000 }"]),
            duration(g),
            g.pick(&["0s", "1ns", "15ms"]),
        ),
        _ => match next_service {
            Some(s) => {
                let mut call = format!("call: s{s}\n{}", client_guards(g, "          "));
                if g.one_in(3) {
                    call += &format!(
                        "          hedge: {{ after: {}, max: {} }}\n",
                        g.pick(&["1ms", "20ms", "1h"]),
                        1 + g.below(3)
                    );
                }
                if g.one_in(3) {
                    call += "          fallback: [ { io: 1ms } ]\n";
                }
                // Drawn from a generator of its own, so the rest of the scenario is unchanged.
                if let Some(size) = payload_size(&mut Gen(g.0 ^ PAYLOAD_SALT)) {
                    call += &format!("          request_size: {size}\n");
                }
                call
            }
            None => format!("io: {}", duration(g)),
        },
    }
}

/// Payload sizes and bandwidths come from a generator of their own (seeded from the scenario
/// generator's state with this salt), so adding them left every other draw as it was.
const PAYLOAD_SALT: u64 = 0x0BAD_CAFE_F00D_D00D;

/// A request or response size, one time in two.
fn payload_size(p: &mut Gen) -> Option<&'static str> {
    p.coin().then(|| {
        p.pick(&[
            "0",
            "1B",
            "1KB",
            "5MB",
            "{ dist: exponential, mean: 100KB }",
            "{ dist: uniform, min: 1B, max: 2MB }",
            "{ dist: lognormal, mean: 200KB, sd: 1MB }",
            "{ dist: pareto, scale: 1KB, shape: 1.2 }",
        ])
    })
}

fn bandwidth(p: &mut Gen) -> &'static str {
    p.pick(&["1bps", "1Mbps", "100Mbps", "1Gbps", "100Gbps", "10MB/s"])
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
            // The smallest legal base (1ns, below it, is refused: see the next one).
            "{ kind: constant, base: 1ms }",
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
    loopsim_tests::admission_queue(g, &mut parts);
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
    let mut p = Gen(seed ^ PAYLOAD_SALT);
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
            let arrivals = g.pick(&["poisson", "constant"]);
            y += &format!(
                "  - name: w{w}\n    to: s{to}\n    arrivals: {arrivals}\n    rate: {rate}\n"
            );
            // Drawn from the second stream, so the first stream's scenarios stay as they were.
            if arrivals == "poisson" && p.one_in(4) {
                y += &format!(
                    "    active_users: {{ mean: {}, dist: {}, every: {} }}\n",
                    p.pick(&["0.001", "1", "1000"]),
                    p.pick(&["poisson", "normal"]),
                    p.pick(&["1ns", "100ms", "1h"]),
                );
            }
        }
        if g.coin() {
            y += &format!("    priority: {}\n", g.pick(&["0", "1", "7", "255"]));
        }
        y += &client_guards(&mut g, "    ");
        if let Some(size) = payload_size(&mut p) {
            y += &format!("    request_size: {size}\n");
        }
    }
    y += "services:\n";
    let mut scaled: Vec<(usize, u64)> = Vec::new();
    for s in 0..services {
        let replicas = 1 + g.below(5);
        y += &format!(
            "  s{s}:\n    replicas: {replicas}\n    workers: {}\n    threads: {}\n    balance: {}\n    accept: {}\n",
            1 + g.below(4),
            g.pick(&["1", "8", "100"]),
            g.pick(&["round_robin", "least_connections", "random", "power_of_two"]),
            g.pick(&["idle_first", "round_robin", "random"]),
        );
        if g.one_in(3) {
            y += &format!("    ram: {}\n", g.pick(&["1KB", "100MB", "16GB"]));
        }
        if g.one_in(3) {
            y += &format!("    cores: {}\n", g.pick(&["1", "2", "64"]));
        }
        if g.one_in(3) {
            y += "    gil: true\n";
        }
        if g.one_in(3) {
            let (yaml, max) = autoscale(&mut g, replicas, duration_s);
            y += &yaml;
            scaled.push((s, max));
        }
        if p.one_in(4) {
            y += &format!("    nic: {}\n", bandwidth(&mut p));
        }
        y += &ingress(&mut g);
        let (pools_yaml, pool_names) = pools(&mut g);
        y += &pools_yaml;
        y += "    endpoints:\n      /:\n";
        // The mapping form, its steps at the same indentation as `steps:`.
        if let Some(size) = payload_size(&mut p) {
            y += &format!("        response_size: {size}\n        steps:\n");
        }
        // A call goes to a later service only: no call cycles.
        let callee = (s + 1 < services).then_some(s + 1);
        for _ in 0..1 + g.below(4) {
            if g.coin() {
                let block = flow_step(&mut g, 0, callee, &pool_names, &mut Vec::new());
                y += &format!("        - {block}\n");
            } else {
                y += &format!("        - {}\n", step(&mut g, callee));
            }
        }
    }
    y += &format!(
        "network:\n  latency: {}\n  loss: {}\n",
        g.pick(&["0s", "1ns", "{ dist: exponential, mean: 1ms }"]),
        g.pick(&["0", "0.001", "0.5"]),
    );
    if p.coin() {
        y += &format!("  bandwidth: {}\n", bandwidth(&mut p));
    }
    if services > 1 && g.one_in(3) {
        if p.coin() {
            // Each direction on a one-way link of its own: requests lost, answers delayed.
            y += &format!(
                "  links:\n    - {{ between: [s0, s1], loss: 1, one_way: true }}\n\
                 \x20   - {{ between: [s1, s0], one_way: true, latency: {} }}\n",
                p.pick(&["1ns", "{ dist: exponential, mean: 1ms }", "1h"])
            );
        } else {
            y += "  links:\n    - { between: [s0, s1], loss: 1 }\n";
        }
    } else if p.one_in(3) {
        y += &format!(
            "  links:\n    - {{ between: [client, s0], bandwidth: {} }}\n",
            bandwidth(&mut p)
        );
    }
    y += &caches(&mut g);
    let faults = g.below(4);
    if faults > 0 {
        y += "faults:\n";
    }
    for _ in 0..faults {
        let target = format!("s{}", g.below(services as u64));
        let at = g.pick(&["0s", "1ns", "100ms", "900ms"]);
        let span = g.pick(&["", ", for: 1ns", ", for: 500ms", ", for: 1h"]);
        let kind = match g.below(8) {
            7 => format!("kind: flush, target: {}", g.pick(&["c0", "c1"])),
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
        } else if kind.starts_with("kind: flush") {
            ""
        } else {
            span
        };
        y += &format!("  - {{ at: {at}{pause_span}, {kind} }}\n");
    }
    // Crashes of replicas an autoscaler may be provisioning, running or draining.
    for &(s, max) in &scaled {
        if g.coin() {
            if faults == 0 {
                y += "faults:\n";
            }
            let (at, span) = (
                g.pick(&["0s", "100ms", "900ms"]),
                g.pick(&["1ns", "500ms", "1h"]),
            );
            let replica = g.below(max);
            let target = if g.one_in(4) {
                format!("s{s}")
            } else {
                format!("s{s}#{replica}")
            };
            y += &format!("  - {{ at: {at}, for: {span}, kind: outage, target: {target} }}\n");
        }
    }
    if y.contains("publish:") || g.one_in(4) {
        y += &queues(&mut g, services);
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

/// Two queues, `q0` and `q1`, with extreme settings: a consumer or none (possibly the
/// publisher itself, a message cycle the caps must bound), one to a thousand in process,
/// partitions, tiny lengths, immediate redelivery, `q0` dead-lettering into `q1`.
fn queues(g: &mut Gen, services: usize) -> String {
    let mut y = String::from("queues:\n");
    for q in 0..2 {
        let mut keys: Vec<String> = Vec::new();
        if g.below(4) > 0 {
            keys.push(format!("consumer: s{}", g.below(services as u64)));
        }
        if g.coin() {
            keys.push(format!("concurrency: {}", g.pick(&["1", "4", "1000"])));
        }
        if g.one_in(3) {
            keys.push(format!("partitions: {}", g.pick(&["1", "3", "100"])));
        }
        if g.one_in(3) {
            keys.push(format!("max_length: {}", g.pick(&["1", "100", "100000"])));
        }
        if g.coin() {
            keys.push(format!("max_deliveries: {}", g.pick(&["1", "3"])));
        }
        if g.coin() {
            keys.push(format!(
                "redelivery_delay: {}",
                g.pick(&["0s", "1ms", "30s"])
            ));
        }
        if q == 0 && g.coin() {
            keys.push("dead_letter: q1".to_string());
        }
        y += &format!("  q{q}: {{ {} }}\n", keys.join(", "));
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

/// Queues keep their books: what was processed or failed was delivered, dead letters come
/// from failures, drops from dead letters, a bounded queue never holds more than its bound,
/// and depth means stay under their maxima.
fn check_queues(r: &Report, what: &str) {
    for (name, q) in &r.queues.0 {
        assert!(
            q.acknowledged + q.rejected_queue_full <= q.published,
            "{what}: {name} publishes"
        );
        assert!(q.dropped <= q.dead_lettered, "{what}: {name} drops");
        if let Some(mean) = q.depth_mean {
            assert!(
                mean <= q.depth_max as f64 + 1e-9,
                "{what}: {name} depth {mean} > max"
            );
        }
        for p in &q.partitions {
            if let Some(mean) = p.depth_mean {
                assert!(
                    mean <= p.depth_max as f64 + 1e-9,
                    "{what}: {name} partition depth"
                );
            }
        }
        let l = &q.publish_to_processed_s;
        if let (Some(mean), Some(max)) = (l.mean, l.max) {
            assert!(
                mean <= max * (1.0 + 1e-12),
                "{what}: {name} sojourn mean > max"
            );
        }
        assert!(q.oldest_age_max_s >= 0.0, "{what}: {name} oldest age");
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
    check_queues(r, what);
    for (name, s) in &r.services.0 {
        if let Some(a) = &s.autoscale {
            check_autoscale(a, r.duration_s, &format!("{what}: {name}"));
        }
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
        for (pool, p) in &s.pools.0 {
            let permits = u64::from(p.size) * u64::from(p.instances);
            if let Some(u) = p.utilization {
                assert!(
                    (0.0..=1.0 + 1e-9).contains(&u),
                    "{what}: {name}.{pool} utilisation {u}"
                );
            }
            if let Some(q) = &p.in_use {
                assert!(
                    q.max <= permits,
                    "{what}: {name}.{pool} {} permits in use of {permits}",
                    q.max
                );
            }
            for q in [&p.in_use, &p.queue].into_iter().flatten() {
                assert!(
                    q.mean <= q.max as f64 + 1e-9,
                    "{what}: {name}.{pool} mean > max: {q:?}"
                );
            }
            if let (Some(mean), Some(p99)) = (p.wait_s.mean, p.wait_s.p99) {
                assert!(mean >= 0.0 && p99 >= 0.0, "{what}: {name}.{pool} wait");
            }
        }
    }
    // Every request that failed for want of a permit was counted by its pool (one pool event
    // may fail at most one request; retries, ignored branches and client timeouts hide some).
    if r.warmup_s == 0.0 {
        let error = |kind: &str| {
            r.errors
                .0
                .iter()
                .find(|(k, _)| *k == kind)
                .map_or(0, |(_, n)| *n)
        };
        let pools = r.services.0.iter().flat_map(|(_, s)| s.pools.0.iter());
        let (timeouts, rejected) =
            pools.fold((0, 0), |(t, j), (_, p)| (t + p.timeouts, j + p.rejected));
        assert!(
            error("pool_timeout") <= timeouts,
            "{what}: {} requests failed as pool_timeout, the pools timed out {timeouts} waiters",
            error("pool_timeout")
        );
        assert!(
            error("pool_full") <= rejected,
            "{what}: {} requests failed as pool_full, the pools rejected {rejected}",
            error("pool_full")
        );
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

/// An autoscaler's figures stay within its bounds and its run.
fn check_autoscale(a: &loopsim_core::report::AutoscaleReport, duration_s: f64, what: &str) {
    assert!(
        (a.min..=a.max).contains(&a.desired_final),
        "{what}: desired {a:?}"
    );
    if let (Some(lo), Some(mean), Some(hi)) = (a.ready_min, a.ready_mean, a.ready_max) {
        assert!(lo <= hi && hi <= a.max, "{what}: ready {a:?}");
        assert!(
            f64::from(lo) <= mean + 1e-9 && mean <= f64::from(hi) + 1e-9,
            "{what}: ready mean {a:?}"
        );
    }
    assert!(a.scale_ups + a.scale_downs <= a.decisions, "{what}: {a:?}");
    assert!(
        a.drained <= a.provisioned + u64::from(a.initial),
        "{what}: {a:?}"
    );
    assert!(a.log.len() <= 200 && a.log.len() as u64 + a.log_truncated == a.decisions);
    let most = f64::from(a.max) * duration_s * (1.0 + 1e-9);
    assert!(
        (0.0..=most).contains(&a.replica_seconds),
        "{what}: paid {a:?}"
    );
}

const SCENARIOS: u64 = 400;

#[test]
fn random_extreme_scenarios_keep_every_property() {
    let (mut valid, mut stopped, mut with_links) = (0u64, 0, 0u64);
    // `PROPERTIES_SEEDS=FROM..TO` runs a longer search.
    let seeds = match std::env::var("PROPERTIES_SEEDS") {
        Ok(v) => {
            let (a, b) = v.split_once("..").expect("PROPERTIES_SEEDS=FROM..TO");
            a.parse().expect("FROM")..b.parse().expect("TO")
        }
        Err(_) => 0..SCENARIOS,
    };
    let count = seeds.end - seeds.start;
    for seed in seeds {
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
        with_links += u64::from(!r.links.is_empty());
        if std::env::var_os("PROPERTIES_VERBOSE").is_some() {
            let pools = r.services.0.iter().flat_map(|(_, s)| s.pools.0.iter());
            let (t, j) = pools.fold((0, 0), |(t, j), (_, p)| (t + p.timeouts, j + p.rejected));
            let blocks = [
                "with:",
                "branch:",
                "parallel:",
                "fanout: 50",
                "publish:",
                "spawn:",
            ]
            .map(|k| yaml.contains(k) as u8);
            let processed: u64 = r.queues.0.iter().map(|(_, q)| q.processed).sum();
            eprintln!(
                "seed {seed}: blocks {blocks:?}, pool timeouts {t}, rejected {j}, messages \
                 processed {processed}, events {}",
                r.events
            );
        }
        check_report(&r, sim.is_finished(), &what);
    }
    eprintln!(
        "{valid} of {count} scenarios valid, {stopped} stopped early by a cap, {with_links} \
         moved payloads over a limited bandwidth"
    );
    assert!(
        count < 100 || with_links * 10 > valid,
        "the generator should often move payloads over a bandwidth: {with_links} of {valid}"
    );
    assert!(
        valid * 2 > count,
        "the generator should mostly make valid scenarios: {valid} of {count}"
    );
}

/// An `autoscale:` block for a service of `replicas` initial replicas, with random bounds,
/// metric and timing (short intervals and provisioning so the scaler acts within a short run),
/// and the most replicas it may run.
fn autoscale(g: &mut Gen, replicas: u64, duration: &str) -> (String, u64) {
    let min = 1 + g.below(replicas);
    let max = replicas + 1 + g.below(4);
    let (metric, target) = match g.below(4) {
        0 => ("utilization", g.pick(&["1%", "60%", "100%"])),
        1 => ("loop_lag", g.pick(&["1ns", "10ms"])),
        2 => ("in_flight", g.pick(&["0.5", "4", "1000"])),
        _ => ("rps", g.pick(&["1/s", "100/s", "100000/s"])),
    };
    let yaml = format!(
        "    autoscale: {{ min: {min}, max: {max}, metric: {metric}, target: {target}, interval: {}, window: {}, provision: {}, cooldown: {}, tolerance: {} }}\n",
        // At most a million decisions per run (the front end's limit).
        match duration {
            "30d" => g.pick(&["1h", "6h"]),
            "1h" => g.pick(&["10ms", "1s", "1m"]),
            _ => g.pick(&["1ms", "10ms", "100ms", "1s"]),
        },
        g.pick(&["1ms", "50ms", "1s"]),
        g.pick(&["0s", "1ns", "100ms", "2s"]),
        g.pick(&["0s", "100ms", "1h"]),
        g.pick(&["0", "10%", "90%"]),
    );
    (yaml, max)
}
