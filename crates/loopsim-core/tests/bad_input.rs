//! Broken scenarios and where their diagnostics point.
//!
//! Each case is a small scenario with one mistake; the test asserts that an error is reported at
//! the exact line and column (1-based) with a message (and hint) that says what to fix. The two
//! reference examples of the format must parse without errors into the expected model.

use loopsim_core::diag::{Diagnostic, LineIndex, Severity};
use loopsim_core::dist::Dist;
use loopsim_core::guards::breaker::{BreakerConfig, Window};
use loopsim_core::guards::concurrency::LimitKind;
use loopsim_core::guards::retry::{Backoff, BackoffKind, Jitter};
use loopsim_core::guards::risk::RiskConfig;
use loopsim_core::scenario::{
    check, check_with, Accept, Arrivals, Balance, CallPolicy, FaultKind, Ingress, Limits,
    RateLimitSpec, ReplicaTarget, RetryBudgetSpec, RetrySpec, Step, ThrottleSpec, NO_FALLBACK,
};
use loopsim_core::time::NANOS_PER_SEC;

const MS: u64 = 1_000_000;
const S: u64 = NANOS_PER_SEC;

struct Case {
    name: &'static str,
    yaml: String,
    line: u32,
    column: u32,
    message: &'static str,
    hint: Option<&'static str>,
}

fn case(
    name: &'static str,
    yaml: &str,
    at: (u32, u32),
    message: &'static str,
    hint: Option<&'static str>,
) -> Case {
    Case {
        name,
        yaml: yaml.to_string(),
        line: at.0,
        column: at.1,
        message,
        hint,
    }
}

/// A valid scenario the cases below break one way or another.
const BASE: &str = "\
version: 1
duration: 60s
workload:
  - to: api
    rate: 10/s
services:
  api:
    endpoints:
      /:
        - cpu: 1ms
";

const TWO_SERVICES: &str = "\
version: 1
duration: 60s
workload:
  - to: api
    rate: 10/s
services:
  api:
    endpoints:
      /pay:
        - call: payments/charge
  payments:
    endpoints:
      /charge:
        - io: 5ms
";

fn render(source: &str, diagnostics: &[Diagnostic]) -> String {
    let index = LineIndex::new(source);
    diagnostics
        .iter()
        .map(|d| {
            let lc = index.line_col(d.span.start);
            format!(
                "{}:{}: {:?}: {} (hint: {:?})",
                lc.line, lc.column, d.severity, d.message, d.hint
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_case(c: &Case, limits: &Limits) {
    let checked = check_with(&c.yaml, limits);
    assert!(
        checked.scenario.is_none(),
        "{}: expected an error, got a scenario",
        c.name
    );
    let index = LineIndex::new(&c.yaml);
    let found = checked.diagnostics.iter().any(|d| {
        let lc = index.line_col(d.span.start);
        d.severity == Severity::Error
            && (lc.line, lc.column) == (c.line, c.column)
            && d.message.contains(c.message)
            && c.hint
                .is_none_or(|h| d.hint.as_deref().is_some_and(|dh| dh.contains(h)))
    });
    assert!(
        found,
        "{}: no error at {}:{} containing {:?} (hint {:?}); got:\n{}\n--- yaml ---\n{}",
        c.name,
        c.line,
        c.column,
        c.message,
        c.hint,
        render(&c.yaml, &checked.diagnostics),
        c.yaml
    );
    if c.hint.is_some_and(|h| h.starts_with("did you mean")) {
        assert_fix_applies(c, &checked.diagnostics, limits);
    }
}

/// Every case reports its error where it should; all the misses are listed together.
fn assert_every_case(cases: &[Case]) {
    let mut failures = Vec::new();
    for c in cases {
        if let Err(e) = std::panic::catch_unwind(|| assert_case(c, &Limits::default())) {
            failures.push(e.downcast_ref::<String>().cloned().unwrap_or_default());
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// A did-you-mean error carries a fix, and applying it makes that error go away.
fn assert_fix_applies(c: &Case, diagnostics: &[Diagnostic], limits: &Limits) {
    let d = diagnostics
        .iter()
        .find(|d| d.message.contains(c.message))
        .expect("the case's diagnostic");
    let fix = d
        .fix
        .as_ref()
        .unwrap_or_else(|| panic!("{}: a did-you-mean error without a fix", c.name));
    let mut fixed = c.yaml.clone();
    fixed.replace_range(fix.span.start as usize..fix.span.end as usize, &fix.text);
    let again = check_with(&fixed, limits);
    assert!(
        !again.diagnostics.iter().any(|e| e.message == d.message),
        "{}: the fix `{}` did not repair it:\n{}",
        c.name,
        fix.text,
        render(&fixed, &again.diagnostics)
    );
}

fn cases() -> Vec<Case> {
    let base = |from: &str, to: &str| {
        assert!(BASE.contains(from), "{from}");
        BASE.replacen(from, to, 1)
    };
    let two = |from: &str, to: &str| {
        assert!(TWO_SERVICES.contains(from), "{from}");
        TWO_SERVICES.replacen(from, to, 1)
    };
    let mut bomb = String::from("version: 1\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n");
    for i in 1..9 {
        let p = i - 1;
        let refs = vec![format!("*x{p}"); 10].join(", ");
        bomb.push_str(&format!("x{i}: &x{i} [{refs}]\n"));
    }
    vec![
        case("syntax error", &base("rate: 10/s", "rate: [10/s"), (6, 9), "invalid YAML", Some("the `[` opened on line 5 is never closed")),
        case("users drawn every nanosecond", &base("rate: 10/s", "rate: 10/s\n    active_users: { mean: 5, every: 1ns }"), (4, 5), "draws the users 60000000000 times", Some("`every: 6us` or more")),
        case("tab indentation", &base("    rate: 10/s", "\trate: 10/s"), (5, 1), "tab", Some("spaces")),
        case("unknown top-level key", &base("workload:", "workloads:"), (3, 1), "unknown key `workloads`", Some("did you mean `workload`?")),
        case("unknown service in to", &base("to: api", "to: apj"), (4, 9), "unknown service `apj`", Some("did you mean `api`?")),
        case("unknown service in call", &two("call: payments/charge", "call: paymnts/charge"), (10, 17), "unknown service `paymnts`", Some("did you mean `payments`?")),
        case("unknown endpoint in call", &two("call: payments/charge", "call: payments/charg"), (10, 17), "service `payments` has no endpoint `/charg`", Some("did you mean `/charge`?")),
        case("wrong unit", &base("duration: 60s", "duration: 10 parsecs"), (2, 11), "unknown duration unit `parsecs`", None),
        case("space before unit", &base("cpu: 1ms", "cpu: 1 ms"), (10, 16), "unexpected space", Some("write 1ms")),
        case("negative duration", &base("cpu: 1ms", "cpu: -1ms"), (10, 16), "cannot be negative", None),
        case("zero workers", &base("  api:\n", "  api:\n    workers: 0\n"), (8, 14), "`workers` must be at least 1", None),
        case("mix weights all zero", &two("    rate: 10/s\n", "    rate: 10/s\n    mix: { /pay: 0 }\n"), (6, 10), "must not all be zero", None),
        case("mix endpoint missing", &two("    rate: 10/s\n", "    rate: 10/s\n    mix: { /pya: 1 }\n"), (6, 12), "has no endpoint `/pya`", Some("did you mean `/pay`?")),
        case("missing mix with several endpoints", &base("      /:\n", "      /a:\n        - cpu: 1ms\n      /:\n"), (4, 5), "needs a `mix`", Some("mix: { /a: 1, /: 1 }")),
        case(
            "call cycle",
            &two("        - io: 5ms\n", "        - io: 5ms\n        - call: api/pay\n"),
            (15, 17),
            "call cycle: api/pay → payments/charge → api/pay",
            None,
        ),
        case(
            "schedule not increasing",
            &base("rate: 10/s", "rate: [{at: 0s, rate: 1/s}, {at: 20s, rate: 2/s}, {at: 10s, rate: 3/s}]"),
            (5, 60),
            "must be in time order",
            None,
        ),
        case(
            "ramp past next point",
            &base("rate: 10/s", "rate: [{at: 0s, rate: 1/s}, {at: 20s, rate: 2/s, ramp: 30s}, {at: 30s, rate: 3/s}]"),
            (5, 60),
            "runs past the next point at 30s",
            Some("at most 10s"),
        ),
        case("schedule point past the end", &base("rate: 10/s", "rate: [{at: 0s, rate: 1/s}, {at: 60s, rate: 2/s}]"), (5, 38), "not before the end of the run", None),
        case("warmup >= duration", &base("duration: 60s\n", "duration: 60s\nwarmup: 1m\n"), (3, 9), "must be shorter than `duration`", None),
        case("missing version", &base("version: 1\n", ""), (1, 1), "missing `version`", Some("version: 1")),
        case("version 2", &base("version: 1", "version: 2"), (1, 10), "unsupported scenario format version 2", None),
        case("unknown dist", &base("cpu: 1ms", "cpu: { dist: gaussian, mean: 1ms }"), (10, 24), "unknown distribution `gaussian`", None),
        case("lognormal missing sd", &base("cpu: 1ms", "cpu: { dist: lognormal, mean: 1ms }"), (10, 16), "needs `sd`", None),
        case("extra dist parameter", &base("cpu: 1ms", "cpu: { dist: exponential, mean: 1ms, sd: 1ms }"), (10, 48), "unknown key `sd`", None),
        case("unknown step kind", &base("cpu: 1ms", "cpus: 1ms"), (10, 11), "unknown step kind `cpus`", Some("did you mean `cpu`?")),
        case("two kinds in one step", &base("- cpu: 1ms\n", "- cpu: 1ms\n          io: 1ms\n"), (11, 11), "a step does one thing", None),
        case("closed workload with rate", &base("    rate: 10/s\n", "    arrivals: closed\n    users: 3\n    rate: 10/s\n"), (7, 5), "closed workloads take `users`", None),
        case("unknown balance", &base("  api:\n", "  api:\n    balance: least_conections\n"), (8, 14), "unknown value `least_conections` for `balance`", Some("did you mean `least_connections`?")),
        case("wrong size unit", &base("  api:\n", "  api:\n    ram: 2gb\n"), (8, 10), "unknown size unit", Some("did you mean 2GB?")),
        case("unknown link end", &base("services:", "network:\n  links:\n    - between: [client, apu]\n      latency: 1ms\nservices:"), (8, 25), "unknown service `apu`", Some("did you mean `api`?")),
        case("alias bomb", &bomb, (6, 45), "alias expansion is too large", Some("alias bomb")),
        case("duplicate key", &base("services:", "duration: 30s\nservices:"), (6, 1), "duplicate key `duration`", Some("line 2")),
        case("absurd rate", &base("rate: 10/s", "rate: 1e9/s"), (5, 11), "above the limit", None),
        case("huge expected request count", &base("duration: 60s", "duration: 30d").replace("30d", "720h").replace("10/s", "100000/s"), (2, 11), "requests (the limit is", Some("shorten `duration`")),
        case("second document", &format!("{BASE}---\nversion: 1\n"), (11, 1), "exactly one YAML document", None),
        case("too many series points", &base("duration: 60s\n", "duration: 60s\nsample_every: 100us\n"), (3, 15), "points per time series", Some("sample_every: ")),
        case("closed workload that never advances time", &base("    rate: 10/s\n", "    arrivals: closed\n    users: 3\n").replace("cpu: 1ms", "cpu: 0s"), (4, 5), "never advance time", None),
    ]
}

/// A valid scenario with a guarded workload and call, two replicas and a fault, for the guard,
/// ingress and fault cases.
const GUARDED: &str = "\
version: 1
duration: 60s
workload:
  - name: shoppers
    to: gateway
    rate: 10/s
    timeout: 1s
  - name: admins
    to: gateway
    arrivals: closed
    users: 2
    think: 1s
services:
  gateway:
    replicas: 2
    workers: 2
    endpoints:
      /:
        - cpu: 1ms
        - call: payments/charge
          timeout: 500ms
  payments:
    endpoints:
      /charge:
        - io: 5ms
faults:
  - { at: 10s, for: 5s, kind: outage, target: gateway#1 }
";

fn guard_cases() -> Vec<Case> {
    let g = |from: &str, to: &str| {
        assert!(GUARDED.contains(from), "{from}");
        GUARDED.replacen(from, to, 1)
    };
    let call_guard = |to: &str| g("          timeout: 500ms", to);
    let workload_guard = |to: &str| g("    timeout: 1s\n", &format!("    timeout: 1s\n{to}\n"));
    let ingress = |to: &str| {
        g(
            "  payments:\n",
            &format!("  payments:\n    ingress: {to}\n"),
        )
    };
    let fault = |to: &str| {
        g(
            "  - { at: 10s, for: 5s, kind: outage, target: gateway#1 }",
            to,
        )
    };
    vec![
        // Client-side guards.
        case("unknown guard key", &call_guard("          retyr: 3"), (21, 11), "unknown key `retyr` in a step", Some("did you mean `retry`?")),
        case("guard on a non-call step", &g("        - cpu: 1ms\n", "        - cpu: 1ms\n          timeout: 1s\n"), (20, 11), "`timeout` only applies to a `call` step", Some("go beside `call:`")),
        case("unknown workload guard key", &workload_guard("    breker: true"), (8, 5), "unknown key `breker` in a workload", Some("did you mean `breaker`?")),
        case("retry attempts 0", &workload_guard("    retry: { attempts: 0 }"), (8, 24), "`attempts` must be at least 1, found 0", Some("`attempts: 1` sends once")),
        case("retry attempts too many", &call_guard("          retry: 101"), (21, 18), "`retry` must be at most 100, found 101", None),
        case("bad backoff kind", &call_guard("          retry: { attempts: 2, backoff: { kind: exponentail, base: 10ms } }"), (21, 50), "unknown backoff kind `exponentail`", Some("did you mean `exponential`?")),
        case("backoff cap below base", &call_guard("          retry: { attempts: 2, backoff: { base: 1s, cap: 10ms } }"), (21, 59), "`backoff`: cap must be at least base", None),
        case("backoff without base", &call_guard("          retry: { attempts: 2, backoff: exponential }"), (21, 42), "an exponential backoff needs a `base` delay", Some("backoff: { kind: exponential, base: 50ms }")),
        case("jitter on decorrelated backoff", &call_guard("          retry: { attempts: 2, backoff: { kind: decorrelated, base: 10ms, jitter: full } }"), (21, 76), "`jitter` does not apply to decorrelated backoff", None),
        case("budget key of the other kind", &call_guard("          retry: { attempts: 2, budget: { kind: grpc, ratio: 10% } }"), (21, 55), "`ratio` does not apply to a grpc budget", Some("`max_tokens`, `token_ratio`")),
        case("breaker failure_rate 150%", &workload_guard("    breaker: { failure_rate: 150% }"), (8, 30), "`failure_rate` must be greater than 0% and at most 100%, found `150%`", None),
        case("breaker rate as a bare percentage", &workload_guard("    breaker: { slow_rate: 80 }"), (8, 27), "`slow_rate` must be greater than 0% and at most 100%", Some("for a percentage write 80%")),
        case("breaker window not whole seconds", &workload_guard("    breaker: { window: 1500ms }"), (8, 24), "`window` must be a whole number of seconds", Some("`2s`")),
        case("sliding key on a consecutive breaker", &workload_guard("    breaker: { kind: consecutive, min_calls: 5 }"), (8, 35), "`min_calls` does not apply to a consecutive breaker", None),
        case("unknown breaker kind", &workload_guard("    breaker: { kind: consecutiv }"), (8, 22), "unknown breaker kind `consecutiv`", Some("did you mean `consecutive`?")),
        case("breaker neither true nor a mapping", &workload_guard("    breaker: on"), (8, 14), "`breaker` must be `true` (the defaults) or a mapping", None),
        case("risk thresholds out of order", &call_guard("          risk: { throttle_at: 0.9, block_at: 0.7 }"), (21, 32), "`risk`: need 0 < throttle_at <= block_at <= 1", None),
        case("unknown risk key", &call_guard("          risk: { block: 0.9 }"), (21, 19), "unknown key `block` in `risk`", None),
        case("tiny quarantine", &call_guard("          risk: { quarantine_base: 1ns, quarantine_cap: 1ns, quarantine_growth: 1 }"), (21, 36), "`quarantine_base` must be at least 1ms, found `1ns`", Some("a guard's waits shorter than 1ms")),
        case("tiny quarantine cap", &call_guard("          risk: { quarantine_cap: 500us }"), (21, 35), "`quarantine_cap` must be at least 1ms", None),
        case("zero risk backoff", &call_guard("          risk: { base_backoff: 0s }"), (21, 33), "`base_backoff` must be at least 1ms, found `0s`", None),
        case("tiny breaker open_for", &workload_guard("    breaker: { open_for: 100us }"), (8, 26), "`open_for` must be at least 1ms, found `100us`", None),
        case("tiny consecutive open_for", &workload_guard("    breaker: { kind: consecutive, open_for: 1ns }"), (8, 45), "`open_for` must be at least 1ms", None),
        case("tiny backoff base", &call_guard("          retry: { attempts: 2, backoff: { base: 10us } }"), (21, 50), "`base` must be at least 1ms, found `10us`", None),
        case("throttle k below 1", &call_guard("          throttle: { k: 0.5 }"), (21, 26), "`k` must be at least 1, found `0.5`", None),
        // Ingress.
        case("unknown ingress key", &ingress("{ max_qeue: 10 }"), (23, 16), "unknown key `max_qeue` in `ingress`", Some("did you mean `max_queue`?")),
        case("bulkhead and concurrency", &ingress("{ bulkhead: 5, concurrency: { kind: fixed, limit: 5 } }"), (23, 29), "`bulkhead` and `concurrency` both limit", Some("short for `concurrency: { kind: fixed, limit: 25 }`")),
        case("concurrency bounds", &ingress("{ concurrency: { kind: aimd, min: 50, initial: 10 } }"), (23, 48), "`concurrency`: need 1 <= min <= initial <= max", None),
        case("fixed limit without limit", &ingress("{ concurrency: fixed }"), (23, 29), "a fixed concurrency limit needs `limit`", Some("bulkhead: 50")),
        case("key of another concurrency kind", &ingress("{ concurrency: { kind: vegas, smoothing: 0.5 } }"), (23, 44), "`smoothing` does not apply to a vegas concurrency limit", None),
        case("zero rate limit", &ingress("{ rate_limit: 0/s }"), (23, 28), "`rate_limit`: rate must be at least 0.001 per second", None),
        case("unknown ingress deadline", &ingress("{ deadline: drop }"), (23, 26), "unknown value `drop` for `deadline`: expected `none`, `drop_expired`", None),
        case("zero max_queue", &ingress("{ max_queue: 0 }"), (23, 27), "`max_queue` must be at least 1", None),
        // Faults.
        case("unknown fault kind", &g("kind: outage", "kind: outgae"), (27, 31), "unknown fault kind `outgae`", Some("did you mean `outage`?")),
        case("fault target unknown service", &g("target: gateway#1", "target: gatewya#1"), (27, 47), "unknown service `gatewya` in `target`", Some("did you mean `gateway`?")),
        case("replica index out of range", &g("gateway#1", "gateway#2"), (27, 54), "service `gateway` has 2 replicas: `gateway#2` does not exist", Some("`gateway#0` to `gateway#1`")),
        case("link with an unknown node", &fault("  - { at: 10s, kind: latency, target: gateway->paymnts, add: 5ms }"), (27, 48), "unknown service `paymnts` in `target`", Some("did you mean `payments`?")),
        case("link fault on a service", &fault("  - { at: 10s, kind: loss, target: payments, rate: 1% }"), (27, 36), "a `loss` fault targets a network link", Some("`a<->b`")),
        case("pause without for", &fault("  - { at: 10s, kind: pause, target: gateway }"), (27, 5), "a `pause` fault needs `for`", None),
        case("pause worker out of range", &fault("  - { at: 10s, for: 1s, kind: pause, target: gateway, worker: 2 }"), (27, 63), "service `gateway` has 2 workers per instance: `worker: 2` does not exist", Some("`worker: 0` to `worker: 1`")),
        case("surge on a closed workload", &fault("  - { at: 10s, for: 5s, kind: surge, target: admins, factor: 2 }"), (27, 46), "workload `admins` is closed", None),
        case("surge on an unknown workload", &fault("  - { at: 10s, for: 5s, kind: surge, target: shopers, factor: 2 }"), (27, 46), "unknown workload `shopers` in `target`", Some("did you mean `shoppers`?")),
        case("surge without factor or rate", &fault("  - { at: 10s, kind: surge, target: shoppers }"), (27, 5), "a `surge` fault needs `factor`, `rate` or both", None),
        case("fault at beyond duration", &g("at: 10s", "at: 90s"), (27, 11), "fault `at: 90s` is not before the end of the run (1m)", None),
        case("fault key of another kind", &fault("  - { at: 10s, kind: outage, target: gateway, factor: 2 }"), (27, 47), "`factor` does not apply to an `outage` fault", Some("an `outage` fault takes: `at`, `for`, `kind`, `target`")),
        case("errors rate above 100%", &fault("  - { at: 10s, kind: errors, target: payments/charge, rate: 120% }"), (27, 61), "`rate` must be between 0% and 100%, found `120%`", None),
        case("errors on an unknown endpoint", &fault("  - { at: 10s, kind: errors, target: payments/chrage, rate: 5% }"), (27, 47), "service `payments` has no endpoint `/chrage`", Some("did you mean `/charge`?")),
        case("fault missing target", &fault("  - { at: 10s, kind: outage }"), (27, 5), "a fault is missing `target`", None),
    ]
}

#[test]
fn broken_guards_ingress_and_faults_point_at_the_mistake() {
    let checked = check(GUARDED);
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        render(GUARDED, &checked.diagnostics)
    );
    let cases = guard_cases();
    assert!(cases.len() >= 12);
    for c in &cases {
        assert_case(c, &Limits::default());
    }
}

/// A valid scenario with pools, `with` blocks, `branch` and `parallel`, for the flow cases.
const POOLED: &str = "\
version: 1
duration: 60s
workload:
  - to: api
    rate: 10/s
    priority: 3
services:
  api:
    pools:
      db: { size: 4, timeout: 100ms, max_waiting: 10 }
      cache: { size: 2, queue: lifo, scope: worker }
    endpoints:
      /:
        - with: db
          steps:
            - io: 1ms
        - parallel:
            - io: 1ms
            - [ { cpu: 1ms }, { with: cache, steps: [ { io: 1ms } ] } ]
          wait: all
        - branch:
            - { weight: 0.9, steps: [ { io: 1ms } ] }
            - { weight: 0.1, steps: [ { cpu: 1ms } ] }
";

/// `depth` `with` blocks nested in each other, each of its own pool `p0`, `p1`, …
fn nested_withs(depth: usize) -> String {
    let mut y = String::from(
        "version: 1\nduration: 60s\nworkload:\n  - to: api\n    rate: 10/s\nservices:\n  api:\n    pools:\n",
    );
    for i in 0..depth {
        y += &format!("      p{i}: {{ size: 1 }}\n");
    }
    y += "    endpoints:\n      /:\n";
    let mut indent = String::from("        ");
    for i in 0..depth {
        y += &format!("{indent}- with: p{i}\n{indent}  steps:\n");
        indent += "    ";
    }
    y += &format!("{indent}- io: 1ms\n");
    y
}

/// `depth` `parallel` blocks nested in each other on one line (line 10), and the column of the
/// innermost one.
fn nested_parallels(depth: usize) -> (String, u32) {
    let mut y = String::from(
        "version: 1\nduration: 60s\nworkload:\n  - to: api\n    rate: 10/s\nservices:\n  api:\n    endpoints:\n      /:\n        - ",
    );
    let line_start = y.rfind('\n').unwrap() + 1;
    let mut column = 0;
    for i in 0..depth {
        if i > 0 {
            column = (y.len() - line_start + 1) as u32;
            y += "{ ";
        }
        y += "parallel: [ ";
    }
    y += "{ io: 1ms }";
    for i in 0..depth {
        y += if i + 1 < depth { " ] }" } else { " ]\n" };
    }
    (y, column)
}

fn pool_cases() -> Vec<Case> {
    let p = |from: &str, to: &str| {
        assert!(POOLED.contains(from), "{from}");
        POOLED.replacen(from, to, 1)
    };
    let pool = |to: &str| {
        p(
            "      db: { size: 4, timeout: 100ms, max_waiting: 10 }",
            &format!("      db: {to}"),
        )
    };
    let join = |to: &str| p("          wait: all", to);
    let deepest_with = nested_withs(4);
    let (deepest_parallel, column) = nested_parallels(17);
    vec![
        // `with` blocks.
        case("with an unknown pool, close to one", &p("with: db", "with: bd"), (14, 17), "no pool `bd` in this service", Some("did you mean `db`?")),
        case("with an unknown pool", &p("with: db", "with: connections"), (14, 17), "no pool `connections` in this service", Some("this service's pools: `db`, `cache`")),
        case("with in a service without pools", &p("    pools:\n      db: { size: 4, timeout: 100ms, max_waiting: 10 }\n      cache: { size: 2, queue: lifo, scope: worker }\n", "").replace("{ with: cache, steps: [ { io: 1ms } ] }", "{ io: 1ms }"), (11, 17), "no pool `db` in this service", Some("declare it under the service: `pools: { db: { size: 20 } }`")),
        case("with a list", &p("with: db", "with: [db]"), (14, 17), "`with` must be text, found a list", Some("the name of one of the service's pools")),
        case("with without steps", &p("          steps:\n            - io: 1ms\n", ""), (14, 11), "a `with` step is missing `steps`", Some("steps: [")),
        case("with steps not a list", &p("          steps:\n            - io: 1ms\n", "          steps: { io: 1ms }\n"), (15, 18), "expected a list of steps, found a mapping", Some("steps: [ { io: 5ms } ]")),
        case("steps beside a non-with step", &p("        - with: db\n", "        - io: 2ms\n"), (15, 11), "`steps` only applies to a `with` step", Some("`steps` goes beside `with: POOL`")),
        case("with of the same pool inside itself", &p("            - io: 1ms\n", "            - with: db\n              steps: [ { io: 1ms } ]\n"), (16, 21), "this `with` is inside a `with` of the same pool: it would wait for itself", Some("take the permit once")),
        case("with of the same pool inside a parallel branch inside itself", &p("            - io: 1ms\n", "            - parallel: [ { with: db, steps: [ { io: 1ms } ] } ]\n"), (16, 35), "inside a `with` of the same pool", Some("take the permit once")),
        case("with nested deeper than allowed", &deepest_with, (21, 23), "`with` blocks nest at most 3 deep", Some("a request holds at most that many permits at once")),
        case("blocks nested deeper than allowed", &deepest_parallel, (10, column), "blocks nest at most 16 deep", Some("flatten the blocks")),
        // `branch`.
        case("branch arm of weight 0", &p("{ weight: 0.1, steps", "{ weight: 0, steps"), (23, 25), "`weight` must be a finite number > 0", Some("leave out an arm that never runs")),
        case("branch arm without steps", &p("{ weight: 0.1, steps: [ { cpu: 1ms } ] }", "{ weight: 0.1 }"), (23, 15), "a `branch` arm is missing `steps`", Some("e.g. `branch: [ { weight: 0.9, steps: [")),
        case("branch arm without weight", &p("{ weight: 0.1, steps: [ { cpu: 1ms } ] }", "{ steps: [ { cpu: 1ms } ] }"), (23, 15), "a `branch` arm is missing `weight`", Some("a relative weight, a number > 0")),
        case("branch arm with an unknown key", &p("{ weight: 0.1, steps", "{ wieght: 0.1, steps"), (23, 17), "unknown key `wieght` in a `branch` arm", Some("did you mean `weight`?")),
        case("branch not a list", &p("        - branch:\n            - { weight: 0.9, steps: [ { io: 1ms } ] }\n            - { weight: 0.1, steps: [ { cpu: 1ms } ] }\n", "        - branch: { weight: 1, steps: [ { io: 1ms } ] }\n"), (21, 19), "`branch` must be a list of arms, found a mapping", Some("e.g. `branch: [")),
        case("empty branch", &p("        - branch:\n            - { weight: 0.9, steps: [ { io: 1ms } ] }\n            - { weight: 0.1, steps: [ { cpu: 1ms } ] }\n", "        - branch: []\n"), (21, 19), "`branch` needs at least one arm", Some("e.g. `branch: [")),
        // `parallel`.
        case("wait for more branches than there are", &join("          wait: 5"), (20, 17), "`wait: 5` but the step has 2 branches", Some("wait for 1 to 2 of them, or write `all` or `any`")),
        case("wait for more branches than fanout makes", &join("          wait: 7\n          fanout: 3"), (20, 17), "`wait: 7` but the step has 6 branches (with `fanout`)", Some("wait for 1 to 6 of them")),
        case("wait: 0", &join("          wait: 0"), (20, 17), "`wait: 0` but the step has 2 branches", Some("wait for 1 to 2")),
        case("wait: often", &join("          wait: often"), (20, 17), "`wait` must be `all`, `any` or a number of branches, found `often`", Some("`wait: any`")),
        case("on_error: ignore with wait: any", &join("          wait: any\n          on_error: ignore"), (21, 21), "`on_error: ignore` applies to `wait: all`", Some("already succeeds despite failed branches")),
        case("on_error: ignore with wait: 1 of 2", &join("          wait: 1\n          on_error: ignore"), (21, 21), "`on_error: ignore` applies to `wait: all`", Some("with `any` or a count")),
        case("on_error: skip", &join("          on_error: skip"), (20, 21), "unknown value `skip` for `on_error`: expected `fail`, `ignore`", Some("`fail` (the default")),
        case("fanout: 0", &join("          fanout: 0"), (20, 19), "`fanout` must be at least 1, found 0", Some("how many times every listed branch runs")),
        case("fanout too large", &join("          fanout: 10001"), (20, 19), "`fanout` must be at most 10000, found 10001", Some("tractable")),
        case("parallel as a mapping", &p("        - parallel:\n            - io: 1ms\n            - [ { cpu: 1ms }, { with: cache, steps: [ { io: 1ms } ] } ]\n", "        - parallel: {}\n"), (17, 21), "`parallel` must be a list of branches, found a mapping", Some("each branch is a step or a list of steps")),
        case("parallel with no branch", &p("        - parallel:\n            - io: 1ms\n            - [ { cpu: 1ms }, { with: cache, steps: [ { io: 1ms } ] } ]\n", "        - parallel: []\n"), (17, 21), "`parallel` needs at least one branch", Some("each branch is a step or a list of steps")),
        case("wait beside a non-parallel step", &p("          steps:\n            - io: 1ms\n", "          steps:\n            - io: 1ms\n          wait: any\n"), (17, 11), "`wait` only applies to a `parallel` step", Some("go beside `parallel: [...]`")),
        // Pools.
        case("pool of size 0", &pool("{ size: 0 }"), (10, 19), "`size` must be at least 1, found 0", Some("the permits of each instance of the pool, 1 to 1000000")),
        case("pool without size", &pool("{ timeout: 1s }"), (10, 11), "pool `db` is missing `size`", Some("e.g. `size: 20`")),
        case("pool too large", &pool("{ size: 1000001 }"), (10, 19), "`size` must be at most 1000000, found 1000001", Some("tractable")),
        case("queue: stack", &pool("{ size: 4, queue: stack }"), (10, 29), "unknown value `stack` for `queue`: expected `fifo`, `lifo`, `priority`", Some("did you mean `lifo`?")),
        case("queue: ffo", &pool("{ size: 4, queue: ffo }"), (10, 29), "unknown value `ffo` for `queue`", Some("did you mean `fifo`?")),
        case("scope: global", &pool("{ size: 4, scope: global }"), (10, 29), "unknown value `global` for `scope`: expected `worker`, `replica`, `service`", Some("did you mean `service`?")),
        case("pool timeout of 0", &pool("{ size: 4, timeout: 0s }"), (10, 31), "`timeout` must be greater than zero", Some("leave it out to wait without a limit")),
        case("negative max_waiting", &pool("{ size: 4, max_waiting: -1 }"), (10, 35), "`max_waiting` must be a whole number, found a negative number `-1`", Some("0: never wait")),
        case("unknown key in a pool", &pool("{ size: 4, tiemout: 100ms }"), (10, 22), "unknown key `tiemout` in pool `db`", Some("did you mean `timeout`?")),
        case("pool not a mapping", &pool("20"), (10, 11), "pool `db` must be a mapping", Some("e.g. `db: { size: 20")),
        case("pools not a mapping", &p("      db: { size: 4, timeout: 100ms, max_waiting: 10 }\n      cache: { size: 2, queue: lifo, scope: worker }\n", "      - db\n").replace("{ with: cache, steps: [ { io: 1ms } ] }", "{ io: 1ms }"), (10, 7), "`pools` must be a mapping", Some("pools by name, e.g. `pools: { db: { size: 20")),
        // Workload priority.
        case("priority above 255", &p("priority: 3", "priority: 300"), (6, 15), "`priority` must be at most 255, found 300", Some("")),
        // The workload reader's own messages (not this file's business to word): no hint here.
        case("negative priority", &p("priority: 3", "priority: -1"), (6, 15), "`priority` must be a whole number, found a negative number `-1`", None),
    ]
}

#[test]
fn broken_pools_and_blocks_point_at_the_mistake() {
    let checked = check(POOLED);
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        render(POOLED, &checked.diagnostics)
    );
    for depth in [1, 3] {
        let yaml = nested_withs(depth);
        let checked = check(&yaml);
        assert!(
            checked.scenario.is_some(),
            "{}",
            render(&yaml, &checked.diagnostics)
        );
    }
    let (yaml, _) = nested_parallels(16);
    let checked = check(&yaml);
    assert!(
        checked.scenario.is_some(),
        "{}",
        render(&yaml, &checked.diagnostics)
    );
    // A pool declared with a mistake still exists: its `with` blocks are not reported too.
    for broken in [
        "{ size: 0 }",
        "{ timeout: 1s }",
        "{ size: 4, queue: stack }",
        "20",
    ] {
        let yaml = POOLED.replacen("{ size: 4, timeout: 100ms, max_waiting: 10 }", broken, 1);
        let checked = check(&yaml);
        let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
        assert_eq!(
            errors,
            1,
            "{broken}: {}",
            render(&yaml, &checked.diagnostics)
        );
    }
    assert_every_case(&pool_cases());
}

#[test]
fn broken_scenarios_point_at_the_mistake() {
    let cases = cases();
    assert!(cases.len() >= 20);
    for c in &cases {
        assert_case(c, &Limits::default());
    }
}

#[test]
fn oversize_input_is_rejected_before_parsing() {
    let big = format!("{BASE}description: \"{}\"\n", "x".repeat(2 << 20));
    let c = Case {
        name: "oversize input",
        yaml: big,
        line: 1,
        column: 1,
        message: "too large",
        hint: None,
    };
    assert_case(&c, &Limits::default());
    let small = Limits {
        max_source_bytes: 64,
        ..Limits::default()
    };
    assert_case(
        &case(
            "oversize input (small limit)",
            BASE,
            (1, 1),
            "too large",
            None,
        ),
        &small,
    );
}

#[test]
fn many_mistakes_are_reported_in_one_pass() {
    let yaml = "\
version: 1
duration: 60s
workload:
  - to: apj
    rate: 10 /s
services:
  api:
    workers: 0
    endpoints:
      /:
        - cpu: 1 parsec
";
    let checked = check(yaml);
    assert!(
        checked.diagnostics.len() >= 4,
        "{}",
        render(yaml, &checked.diagnostics)
    );
    let lines: Vec<u32> = checked
        .diagnostics
        .iter()
        .map(|d| LineIndex::new(yaml).line_col(d.span.start).line)
        .collect();
    assert_eq!(
        lines,
        [4, 5, 8, 11],
        "{}",
        render(yaml, &checked.diagnostics)
    );
}

#[test]
fn overload_is_a_warning_not_an_error() {
    let yaml = BASE.replace("10/s", "1300/s");
    let checked = check(&yaml);
    assert!(
        checked.scenario.is_some(),
        "{}",
        render(&yaml, &checked.diagnostics)
    );
    let d = &checked.diagnostics[0];
    assert_eq!(d.severity, Severity::Warning);
    assert!(
        d.message
            .contains("service `api` is overloaded: offered load ρ = 1.30 on its event loops"),
        "{}",
        d.message
    );
    assert_eq!(LineIndex::new(&yaml).line_col(d.span.start).line, 7);
}

fn warnings(yaml: &str) -> Vec<Diagnostic> {
    let checked = check(yaml);
    assert!(
        checked.scenario.is_some(),
        "{}",
        render(yaml, &checked.diagnostics)
    );
    checked.diagnostics
}

/// The overload estimate counts what the ingress rate limits admit, here and upstream.
#[test]
fn overload_warnings_respect_rate_limits() {
    let limited = |rate: &str, limit: &str| {
        BASE.replace("10/s", rate).replace(
            "  api:\n",
            &format!("  api:\n    ingress: {{ rate_limit: {limit} }}\n"),
        )
    };
    // 1250/s × 1 ms would be ρ = 1.25; 925/s admitted is ρ = 0.925.
    let yaml = limited("1250/s", "925/s");
    assert_eq!(warnings(&yaml), [], "{yaml}");
    // Per instance: two replicas admit twice the rate (2 × 1200/s of 3000/s on 2 loops).
    let two = limited("3000/s", "1200/s").replace("  api:\n", "  api:\n    replicas: 2\n");
    let d = warnings(&two);
    assert_eq!(d.len(), 1, "{}", render(&two, &d));
    assert!(
        d[0].message.contains("ρ = 1.20 on its event loops"),
        "{}",
        d[0].message
    );
    // Not enough: still a warning, which says so.
    let d = warnings(&limited("1300/s", "1100/s"));
    assert_eq!(d.len(), 1);
    assert!(
        d[0].message.contains("ρ = 1.10 on its event loops (≥ 1)")
            && d[0]
                .message
                .contains("even with the ingress rate limits, which bring it down from ρ = 1.30"),
        "{}",
        d[0].message
    );
    // An upstream limit bounds what reaches the service it calls.
    let chain = TWO_SERVICES
        .replace("10/s", "1250/s")
        .replace("        - io: 5ms", "        - cpu: 1ms")
        .replace("  api:\n", "  api:\n    ingress: { rate_limit: 925/s }\n");
    assert_eq!(warnings(&chain), [], "{chain}");
    let d = warnings(&chain.replace("rate_limit: 925/s", "rate_limit: 2000/s"));
    assert_eq!(d.len(), 1);
    assert!(
        d[0].message
            .contains("service `payments` is overloaded: offered load ρ = 1.25"),
        "{}",
        d[0].message
    );
}

/// The hint names what helps the saturated resource: threads only help the pool.
#[test]
fn overload_hints_fit_the_saturated_resource() {
    let d = warnings(&BASE.replace("10/s", "1300/s"));
    let hint = d[0].hint.as_deref().unwrap();
    assert!(
        hint.contains("more threads cannot help") && hint.contains("`offload`"),
        "{hint}"
    );
    assert!(
        hint.contains("1 replica(s) × 1 worker(s)") && !hint.contains("thread(s)"),
        "{hint}"
    );
    let d = warnings(
        &BASE
            .replace("10/s", "1300/s")
            .replace("cpu: 1ms", "offload: 50ms"),
    );
    assert_eq!(d.len(), 1);
    assert!(
        d[0].message.contains("on its thread pools"),
        "{}",
        d[0].message
    );
    let hint = d[0].hint.as_deref().unwrap();
    assert!(
        hint.contains("add threads") && hint.contains("thread(s)"),
        "{hint}"
    );
}

#[test]
fn memory_that_can_never_fit_is_a_warning() {
    let yaml = BASE
        .replace("  api:\n", "  api:\n    ram: 1GB\n")
        .replace("- cpu: 1ms", "- ram: 1.5GB");
    let checked = check(&yaml);
    assert!(
        checked.scenario.is_some(),
        "{}",
        render(&yaml, &checked.diagnostics)
    );
    let d = &checked.diagnostics[0];
    assert_eq!(d.severity, Severity::Warning);
    assert!(
        d.message
            .contains("holds 1.5 GB of memory, more than an instance of `api` has (1 GB)"),
        "{}",
        d.message
    );
    assert_eq!(LineIndex::new(&yaml).line_col(d.span.start).line, 10);
}

#[test]
fn errors_stop_after_a_hundred() {
    let mut yaml = String::from(BASE);
    for i in 0..150 {
        yaml.push_str(&format!("unknown{i}: 1\n"));
    }
    let checked = check(&yaml);
    assert_eq!(checked.diagnostics.len(), 101);
    let last = checked.diagnostics.last().unwrap();
    assert!(
        last.message
            .contains("too many errors: stopped after 100 (of 150)"),
        "{}",
        last.message
    );
    assert_eq!(LineIndex::new(&yaml).line_col(last.span.start).line, 111);
}

#[test]
fn garbage_and_truncated_input_never_panic() {
    for source in [SHOP, FULL, EVERY_HEALTH_KEY, POOLED] {
        for end in 0..=source.len() {
            if source.is_char_boundary(end) {
                let _ = check(&source[..end]);
            }
        }
    }
    for junk in [
        "",
        "~",
        "[]",
        "{}",
        "42",
        "version: 1",
        "services: ~",
        "workload: {}",
        ": : :",
        "- - -",
        "version: [1]\nservices: 3\n",
    ] {
        let checked = check(junk);
        assert!(checked.scenario.is_none(), "{junk:?}");
        assert!(checked.has_errors(), "{junk:?}");
    }
}

/// Deleting any one line, or replacing any character by a YAML indicator, never panics.
#[test]
fn single_edits_never_panic() {
    single_edits(SHOP);
    single_edits(FULL);
    single_edits(EVERY_HEALTH_KEY);
    single_edits(POOLED);
    single_edits(&nested_withs(8));
}

fn single_edits(source: &str) {
    let lines: Vec<&str> = source.lines().collect();
    for skip in 0..lines.len() {
        let edited: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, l)| *l)
            .collect();
        let _ = check(&edited.join("\n"));
    }
    for (i, c) in source.char_indices().step_by(3) {
        for replacement in [":", "[", "-", "\t", "*", "0"] {
            let mut edited = String::from(&source[..i]);
            edited.push_str(replacement);
            edited.push_str(&source[i + c.len_utf8()..]);
            let _ = check(&edited);
        }
    }
}

#[test]
fn windows_line_endings_parse_the_same() {
    let crlf = SHOP.replace('\n', "\r\n");
    let checked = check(&crlf);
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        render(&crlf, &checked.diagnostics)
    );
    let (a, b) = (checked.scenario.unwrap(), check(SHOP).scenario.unwrap());
    assert_eq!(
        (a.workloads.len(), a.services.len(), a.endpoints.len()),
        (b.workloads.len(), b.services.len(), b.endpoints.len())
    );
    assert_eq!(a.workloads[0].mix, b.workloads[0].mix);
    let bad = BASE.replace("to: api", "to: apj").replace('\n', "\r\n");
    let d = &check(&bad).diagnostics[0];
    assert_eq!(
        LineIndex::new(&bad).line_col(d.span.start),
        loopsim_core::diag::LineCol { line: 4, column: 9 }
    );
}

/// Classic Mac line endings (a bare `\r`): the parser breaks lines there, and so must every
/// line/column shown to the user.
#[test]
fn cr_only_line_endings_point_at_the_right_line() {
    let crlf = SHOP.replace('\n', "\r");
    let checked = check(&crlf);
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        render(&crlf, &checked.diagnostics)
    );
    let cases = [
        case(
            "unknown key (CR)",
            &BASE.replace("cpu: 1ms", "cpus: 1ms"),
            (10, 11),
            "unknown step kind `cpus`",
            None,
        ),
        case(
            "unknown service (CR)",
            &BASE.replace("to: api", "to: apj"),
            (4, 9),
            "unknown service `apj`",
            None,
        ),
        case(
            "syntax error (CR)",
            &BASE.replace("rate: 10/s", "rate: [10/s"),
            (6, 9),
            "invalid YAML",
            Some("the `[` opened on line 5 is never closed"),
        ),
        case(
            "tab indentation (CR)",
            &BASE.replace("    rate: 10/s", "\trate: 10/s"),
            (5, 1),
            "tab",
            Some("spaces"),
        ),
        case(
            "duplicate key (CR)",
            &BASE.replace("services:", "duration: 30s\nservices:"),
            (6, 1),
            "duplicate key `duration`",
            Some("line 2"),
        ),
    ];
    for c in cases {
        for breaks in ["\r", "\r\n", "\n"] {
            let broken = Case {
                yaml: c.yaml.replace('\n', breaks),
                ..c
            };
            assert_case(&broken, &Limits::default());
        }
    }
    // A comment ended by a bare CR does not hide the brackets of the next line.
    let bad = BASE
        .replace("to: api", "to: api # [note")
        .replace("rate: 10/s", "rate: [10/s")
        .replace('\n', "\r");
    let d = &check(&bad).diagnostics[0];
    assert!(
        d.hint
            .as_deref()
            .is_some_and(|h| h.contains("opened on line 5")),
        "{}",
        render(&bad, &check(&bad).diagnostics)
    );
}

/// The YAML 1.2 core tags are honoured; any other tag is an error at the tag, never ignored.
#[test]
fn yaml_tags_are_honoured_or_rejected() {
    let base = |from: &str, to: &str| {
        assert!(BASE.contains(from), "{from}");
        BASE.replacen(from, to, 1)
    };
    let honoured = base(
        "version: 1\n",
        "version: !!int 1\nname: !!str null\ndescription: ! 42\nseed: !!int \"7\"\n",
    )
    .replace("workload:", "workload: !!seq")
    .replace("services:", "services: !!map")
    .replace("to: api", "to: !<tag:yaml.org,2002:str> api")
    .replace("10/s", "!!str 10/s");
    let checked = check(&honoured);
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        render(&honoured, &checked.diagnostics)
    );
    let s = checked.scenario.unwrap();
    assert_eq!(
        (s.name.as_str(), s.description.as_str(), s.seed),
        ("null", "42", 7)
    );
    let cases = [
        case(
            "!!int on text",
            &base("version: 1", "version: !!int one"),
            (1, 10),
            "the `!!int` tag needs an integer, found `one`",
            Some("remove `!!int`"),
        ),
        case(
            "!!int on a fraction",
            &BASE.replace("duration: 60s\n", "duration: 60s\nseed: !!int 1.5\n"),
            (3, 7),
            "needs an integer, found `1.5`",
            None,
        ),
        case(
            "!!float on a rate",
            &base("rate: 10/s", "rate: !!float 10/s"),
            (5, 11),
            "the `!!float` tag needs a number, found `10/s`",
            None,
        ),
        case(
            "!!bool on yes",
            &base(
                "  api:\n",
                "  api:\n    ingress: { deadline: !!bool yes }\n",
            ),
            (8, 26),
            "the `!!bool` tag needs `true` or `false`, found `yes`",
            None,
        ),
        case(
            "!!null on a value",
            &BASE.replace("duration: 60s\n", "duration: 60s\nname: !!null x\n"),
            (3, 7),
            "the `!!null` tag needs an empty value",
            None,
        ),
        case(
            "custom tag",
            &base("to: api", "to: !service api"),
            (4, 9),
            "unsupported YAML tag `!service`",
            Some("scenario values need no tags: remove `!service`"),
        ),
        case(
            "non-core standard tag",
            &base("cpu: 1ms", "cpu: !!binary 1ms"),
            (10, 16),
            "unsupported YAML tag `!!binary`",
            Some("`!!str`, `!!int`"),
        ),
        case(
            "custom tag on a mapping",
            &base("services:\n", "services: !local\n"),
            (6, 11),
            "unsupported YAML tag `!local`",
            None,
        ),
        case(
            "%TAG handle",
            &format!(
                "%TAG !e! tag:example.com,2000:\n---\n{}",
                base("to: api", "to: !e!svc api")
            ),
            (6, 9),
            "unsupported YAML tag `!e!svc`",
            None,
        ),
        case(
            "!!seq on a mapping",
            &base("services:\n", "services: !!seq\n"),
            (6, 11),
            "the `!!seq` tag is on a mapping, not a list",
            Some("remove `!!seq`"),
        ),
        case(
            "!!map on a list",
            &base("workload:\n", "workload: !!map\n"),
            (3, 11),
            "the `!!map` tag is on a list, not a mapping",
            None,
        ),
        case(
            "!!map on a scalar",
            &base("cpu: 1ms", "cpu: !!map 1ms"),
            (10, 16),
            "the `!!map` tag is on a scalar, not a mapping",
            None,
        ),
        case(
            "!!int on a mapping",
            &base("cpu: 1ms", "cpu: !!int { dist: constant, mean: 1ms }"),
            (10, 16),
            "the `!!int` tag is on a mapping",
            None,
        ),
    ];
    for c in &cases {
        assert_case(c, &Limits::default());
    }
}

/// A heavy tail with an infinite mean (Pareto, shape ≤ 1) on one endpoint must not poison the
/// estimates of workloads that never visit it, nor count as zero time on the path that does.
#[test]
fn infinite_mean_steps_do_not_poison_closed_workload_estimates() {
    let yaml = "\
version: 1
duration: 60s
workload:
  - to: api
    arrivals: closed
    users: 3
    think: 1s
    mix: { /a: 1 }
  - to: api
    rate: 1/s
    mix: { /b: 1 }
services:
  api:
    endpoints:
      /a:
        - cpu: 1ms
      /b:
        - io: { dist: pareto, scale: 1ms, shape: 0.9 }
";
    let checked = check(yaml);
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        render(yaml, &checked.diagnostics)
    );
    // On the path, with no think time: requests still take at least the Pareto minimum.
    let heavy = yaml
        .replace("think: 1s", "think: 0s")
        .replace("/a: 1", "/b: 1");
    let checked = check(&heavy);
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        render(&heavy, &checked.diagnostics)
    );
    // ... and the bound on the request count uses that minimum, not "no requests at all".
    let many = heavy
        .replace("users: 3", "users: 100000")
        .replace("duration: 60s", "duration: 1h");
    assert_case(
        &case(
            "closed workload with a heavy tail and many users",
            &many,
            (2, 11),
            "this run would simulate about",
            Some("shorten `duration`"),
        ),
        &Limits::default(),
    );
}

/// Closed users with no think time whose requests are all lost at once would spin at time 0.
#[test]
fn closed_users_retrying_in_zero_time_are_refused() {
    let closed = BASE.replace("    rate: 10/s\n", "    arrivals: closed\n    users: 3\n");
    let with =
        |network: &str| closed.replace("services:", &format!("network:\n{network}\nservices:"));
    let link = |extra: &str| {
        with(&format!(
            "  links:\n    - between: [client, api]\n      loss: 1\n{extra}"
        ))
    };
    let spin = "would retry in zero time forever";
    let hint =
        Some("add `think:` time to the workload, or fix the link between `client` and `api`");
    for c in [
        case("lossy link", &link(""), (4, 5), spin, hint),
        case(
            "lossy link, reversed",
            &link("").replace("[client, api]", "[api, client]"),
            (4, 5),
            spin,
            hint,
        ),
        case("lossy network", &with("  loss: 100%"), (4, 5), spin, hint),
        case(
            "retries without backoff",
            &link("").replace("users: 3\n", "users: 3\n    retry: 3\n"),
            (4, 5),
            spin,
            hint,
        ),
    ] {
        assert_case(&c, &Limits::default());
    }
    // Time advances: some latency, some think time, a backoff, loss below 1, an open workload,
    // or a lossy link elsewhere.
    for ok in [
        link("      latency: 1ms"),
        with("  loss: 1\n  latency: { dist: exponential, mean: 1ms }"),
        link("").replace("users: 3\n", "users: 3\n    think: 1ms\n"),
        link("").replace(
            "users: 3\n",
            "users: 3\n    retry: { attempts: 3, backoff: { kind: constant, base: 10ms } }\n",
        ),
        link("").replace("loss: 1", "loss: 0.99"),
        BASE.replace("services:", "network:\n  loss: 1\nservices:"),
        with("  links:\n    - between: [api, api]\n      loss: 1"),
    ] {
        let checked = check(&ok);
        assert!(
            checked.scenario.is_some() && !checked.has_errors(),
            "{}\n--- yaml ---\n{ok}",
            render(&ok, &checked.diagnostics)
        );
    }
}

const ONE_LOOP: &str = "\
version: 1
name: One event loop
seed: 1
duration: 600s
warmup: 30s
workload:
  - to: api
    arrivals: poisson
    rate: 80/s
services:
  api:
    endpoints:
      /:
        - cpu: { dist: exponential, mean: 10ms }
";

const SHOP: &str = "\
version: 1
name: Shop
duration: 5m
sample_every: 100ms
workload:
  - name: shoppers
    to: gateway
    arrivals: poisson
    rate: [ {at: 0s, rate: 100/s}, {at: 2m, rate: 300/s, ramp: 30s}, {at: 4m, rate: 100/s} ]
    mix: { /checkout: 0.2, /browse: 0.8 }
    timeout: 2s
  - name: admins
    to: gateway
    arrivals: closed
    users: 5
    think: { dist: exponential, mean: 3s }
    mix: { /report: 1 }
services:
  gateway:
    replicas: 2
    balance: least_connections
    workers: 2
    threads: 8
    ram: 2GB
    endpoints:
      /browse:
        - cpu: 2ms
        - call: catalog/items
      /checkout:
        - cpu: { dist: lognormal, mean: 3ms, sd: 1ms }
        - ram: 50MB
        - call: payments/charge
        - offload: { dist: exponential, mean: 20ms }
      /report:
        - blocking: 300ms
  catalog:
    endpoints:
      /items:
        - cpu: 1ms
        - io: { dist: exponential, mean: 5ms }
  payments:
    endpoints:
      /charge:
        - io: { dist: lognormal, mean: 80ms, sd: 40ms }
network:
  latency: { dist: exponential, mean: 1ms }
  links:
    - between: [gateway, payments]
      latency: 8ms
      loss: 0.001
";

#[test]
fn example_one_event_loop() {
    let checked = check(ONE_LOOP);
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        render(ONE_LOOP, &checked.diagnostics)
    );
    let s = checked.scenario.unwrap();
    assert_eq!(s.name, "One event loop");
    assert_eq!(
        (s.seed, s.duration, s.warmup),
        (1, 600 * NANOS_PER_SEC, 30 * NANOS_PER_SEC)
    );
    assert_eq!(s.sample_every, NANOS_PER_SEC);
    assert_eq!(s.max_in_flight, 1_000_000);
    let api = &s.services[0];
    assert_eq!(
        (api.replicas, api.workers, api.threads, api.ram),
        (1, 1, 40, None)
    );
    assert_eq!(
        (api.balance, api.accept),
        (Balance::RoundRobin, Accept::IdleFirst)
    );
    assert_eq!(s.endpoints[0].path, "/");
    assert_eq!(
        s.endpoints[0].steps,
        [Step::Cpu(Dist::Exponential { mean: 0.01 })]
    );
    let w = &s.workloads[0];
    assert_eq!((w.name.as_str(), w.target, w.policy), ("api", 0, 0));
    assert_eq!(w.mix, [(0, 1.0)]);
    match &w.arrivals {
        Arrivals::Poisson(r) => assert_eq!(r.rate_at(0), 80.0),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.network.latency, Dist::zero());
    assert_eq!(LineIndex::new(ONE_LOOP).line_col(w.span.start).line, 7);
}

#[test]
fn example_shop() {
    let checked = check(SHOP);
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        render(SHOP, &checked.diagnostics)
    );
    let s = checked.scenario.unwrap();
    let names: Vec<&str> = s.services.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["gateway", "catalog", "payments"]);
    assert_eq!(s.sample_every, NANOS_PER_SEC / 10);
    assert_eq!(s.seed, 1);
    let gw = &s.services[0];
    assert_eq!(
        (gw.replicas, gw.workers, gw.threads, gw.ram),
        (2, 2, 8, Some(2_000_000_000))
    );
    assert_eq!(gw.balance, Balance::LeastConnections);
    let browse = s.endpoint_by_path(0, "/browse").unwrap();
    let checkout = s.endpoint_by_path(0, "/checkout").unwrap();
    let report = s.endpoint_by_path(0, "/report").unwrap();
    let charge = s.endpoint_by_path(2, "/charge").unwrap();
    let items = s.endpoint_by_path(1, "/items").unwrap();
    let steps = &s.endpoints[checkout as usize].steps;
    assert_eq!(steps[0], Step::Cpu(Dist::lognormal(0.003, 0.001)));
    assert_eq!(steps[1], Step::Ram(50_000_000));
    assert_eq!(
        steps[2],
        Step::Call {
            endpoint: charge,
            policy: 0,
            fallback: NO_FALLBACK
        }
    );
    assert_eq!(steps[3], Step::Offload(Dist::Exponential { mean: 0.02 }));
    assert_eq!(
        s.endpoints[browse as usize].steps[1],
        Step::Call {
            endpoint: items,
            policy: 0,
            fallback: NO_FALLBACK
        }
    );

    let shoppers = &s.workloads[0];
    assert_eq!(shoppers.name, "shoppers");
    assert_eq!(shoppers.mix, [(checkout, 0.2), (browse, 1.0)]);
    assert_eq!(
        s.policies[shoppers.policy as usize].timeout,
        Some(2 * NANOS_PER_SEC)
    );
    let Arrivals::Poisson(schedule) = &shoppers.arrivals else {
        panic!("{:?}", shoppers.arrivals)
    };
    assert_eq!(schedule.points.len(), 3);
    assert_eq!(
        (
            schedule.points[1].at,
            schedule.points[1].rate,
            schedule.points[1].ramp
        ),
        (120 * NANOS_PER_SEC, 300.0, 30 * NANOS_PER_SEC)
    );
    assert_eq!(schedule.rate_at(135 * NANOS_PER_SEC), 200.0);

    let admins = &s.workloads[1];
    assert_eq!(admins.mix, [(report, 1.0)]);
    assert_eq!(
        admins.arrivals,
        Arrivals::Closed {
            users: 5,
            think: Dist::Exponential { mean: 3.0 }
        }
    );

    assert_eq!(s.network.latency, Dist::Exponential { mean: 0.001 });
    let link = &s.network.links[0];
    assert_eq!(link.between, [1, 3]);
    assert_eq!(link.latency, Some(Dist::Constant(0.008)));
    assert_eq!(link.loss, Some(0.001));
}

/// Every guard, ingress option and fault kind, with explicit values and defaults.
const FULL: &str = "\
version: 1
duration: 300s
workload:
  - name: shoppers
    to: gateway
    rate: 100/s
    mix: { /checkout: 1, /browse: 1 }
    timeout: 2s
    deadline: 5s
    retry: { attempts: 3, backoff: { kind: exponential, base: 50ms, cap: 2s, jitter: full }, budget: 10% }
    breaker: { kind: sliding_window, window: 100, min_calls: 20, failure_rate: 50%, slow_call: 1s, slow_rate: 0.8, open_for: 5s, half_open_calls: 3, open_growth: 1.5 }
    risk: { throttle_at: 60%, block_at: 0.9, quarantine_base: 1s, momentum_scale: 8 }
    throttle: { k: 1.5, window: 1m }
  - name: bots
    to: gateway
    arrivals: constant
    rate: 20/s
    mix: { /browse: 1 }
    retry: 2
    breaker: true
    risk: true
    throttle: true
  - name: admins
    to: gateway
    arrivals: closed
    users: 3
    think: 1s
    mix: { /browse: 1 }
services:
  gateway:
    replicas: 2
    workers: 2
    ingress: { max_queue: 200, rate_limit: 500/s, concurrency: { kind: gradient2, max: 100 }, deadline: drop_expired }
    endpoints:
      /checkout:
        - cpu: 1ms
        - call: payments/charge
          timeout: 1s
          deadline: 3s
          retry: { attempts: 4, backoff: { kind: decorrelated, base: 10ms }, budget: { kind: grpc } }
          breaker: { kind: consecutive, threshold: 5 }
        - call: catalog
          retry: { attempts: 2, backoff: none, budget: { ratio: 20%, min_per_s: 1, window: 5s } }
          breaker: { window: 10s }
      /browse:
        - cpu: 1ms
        - call: catalog
  catalog:
    ingress: { bulkhead: 25, rate_limit: { rate: 50/s, burst: 5 } }
    endpoints:
      /items:
        - io: 2ms
  payments:
    ingress: { concurrency: { kind: aimd, initial: 10, max: 50, backoff_ratio: 80%, timeout: 1s } }
    endpoints:
      /charge:
        - io: 20ms
  ledger:
    ingress: { concurrency: vegas, rate_limit: 2.5/s }
    endpoints:
      /:
        - io: 1ms
faults:
  - { at: 60s, for: 10s, kind: slowdown, target: gateway, factor: 2.5 }
  - { at: 30s, for: 5s, kind: latency, target: gateway->payments, add: { dist: exponential, mean: 200ms } }
  - { at: 30s, for: 5s, kind: loss, target: client<->gateway, rate: 20% }
  - { at: 10s, for: 30s, kind: errors, target: payments/charge, rate: 50% }
  - { at: 5s, kind: errors, target: catalog, rate: 0.01 }
  - { at: 100s, for: 20s, kind: outage, target: gateway#1 }
  - { at: 50s, for: 300ms, kind: pause, target: gateway#0, worker: 1 }
  - { at: 290s, for: 30s, kind: pause, target: catalog }
  - { at: 120s, for: 30s, kind: surge, target: shoppers, factor: 3 }
  - { at: 200s, kind: surge, target: bots, rate: 200/s }
";

#[test]
fn example_with_every_guard_ingress_and_fault() {
    let checked = check(FULL);
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        render(FULL, &checked.diagnostics)
    );
    let s = checked.scenario.unwrap();
    let (gateway, catalog, payments, ledger) = (0, 1, 2, 3);
    let checkout = s.endpoint_by_path(gateway, "/checkout").unwrap();
    let browse = s.endpoint_by_path(gateway, "/browse").unwrap();
    let items = s.endpoint_by_path(catalog, "/items").unwrap();
    let charge = s.endpoint_by_path(payments, "/charge").unwrap();

    // Policies: the guarded calls (in file order), then the guarded workloads; unguarded ones
    // share the empty policy 0.
    assert_eq!(s.policies.len(), 5);
    assert_eq!(s.policies[0], CallPolicy::default());
    let steps = &s.endpoints[checkout as usize].steps;
    assert_eq!(
        steps[1],
        Step::Call {
            endpoint: charge,
            policy: 1,
            fallback: NO_FALLBACK
        }
    );
    assert_eq!(
        steps[2],
        Step::Call {
            endpoint: items,
            policy: 2,
            fallback: NO_FALLBACK
        }
    );
    assert_eq!(
        s.endpoints[browse as usize].steps[1],
        Step::Call {
            endpoint: items,
            policy: 0,
            fallback: NO_FALLBACK
        }
    );
    let policies: Vec<u32> = s.workloads.iter().map(|w| w.policy).collect();
    assert_eq!(policies, [3, 4, 0]);

    let r4j = BreakerConfig::resilience4j_default();
    assert_eq!(
        s.policies[3],
        CallPolicy {
            hedge: None,
            request_size: None,
            timeout: Some(2 * S),
            deadline: Some(5 * S),
            retry: Some(RetrySpec {
                attempts: 3,
                backoff: Backoff {
                    kind: BackoffKind::Exponential,
                    base: 50 * MS,
                    cap: 2 * S,
                    jitter: Jitter::Full
                },
                budget: Some(RetryBudgetSpec::Ratio {
                    ratio: 0.1,
                    min_per_s: 3,
                    window: 10 * S
                }),
            }),
            breaker: Some(BreakerConfig::SlidingWindow {
                window: Window::Count(100),
                min_calls: 20,
                failure_rate: 0.5,
                slow_call: S,
                slow_rate: 0.8,
                open_for: 5 * S,
                half_open_calls: 3,
                open_growth: 1.5,
            }),
            risk: Some(RiskConfig {
                throttle_at: 0.6,
                block_at: 0.9,
                quarantine_base: S,
                momentum_scale: 8.0,
                ..RiskConfig::default()
            }),
            throttle: Some(ThrottleSpec {
                k: 1.5,
                window: 60 * S
            }),
        }
    );
    let immediate = Backoff {
        kind: BackoffKind::None,
        base: 0,
        cap: 0,
        jitter: Jitter::None,
    };
    assert_eq!(
        s.policies[4],
        CallPolicy {
            hedge: None,
            retry: Some(RetrySpec {
                attempts: 2,
                backoff: immediate,
                budget: None
            }),
            breaker: Some(r4j),
            risk: Some(RiskConfig::default()),
            throttle: Some(ThrottleSpec {
                k: 2.0,
                window: 120 * S
            }),
            ..CallPolicy::default()
        }
    );
    assert_eq!(
        s.policies[1],
        CallPolicy {
            hedge: None,
            timeout: Some(S),
            deadline: Some(3 * S),
            retry: Some(RetrySpec {
                attempts: 4,
                backoff: Backoff {
                    kind: BackoffKind::Decorrelated,
                    base: 10 * MS,
                    cap: 30 * S,
                    jitter: Jitter::None
                },
                budget: Some(RetryBudgetSpec::Grpc {
                    max_tokens: 10,
                    token_ratio: 0.1
                }),
            }),
            breaker: Some(BreakerConfig::Consecutive {
                threshold: 5,
                open_for: 5 * S
            }),
            ..CallPolicy::default()
        }
    );
    let BreakerConfig::SlidingWindow {
        min_calls,
        failure_rate,
        slow_call,
        slow_rate,
        open_for,
        half_open_calls,
        open_growth,
        ..
    } = r4j
    else {
        panic!("{r4j:?}")
    };
    assert_eq!(
        s.policies[2],
        CallPolicy {
            hedge: None,
            retry: Some(RetrySpec {
                attempts: 2,
                backoff: immediate,
                budget: Some(RetryBudgetSpec::Ratio {
                    ratio: 0.2,
                    min_per_s: 1,
                    window: 5 * S
                }),
            }),
            breaker: Some(BreakerConfig::SlidingWindow {
                window: Window::Time(10 * S),
                min_calls,
                failure_rate,
                slow_call,
                slow_rate,
                open_for,
                half_open_calls,
                open_growth,
            }),
            ..CallPolicy::default()
        }
    );

    // Ingress.
    assert_eq!(
        s.services[gateway as usize].ingress,
        Ingress {
            queue: None,
            max_queue: Some(200),
            rate_limit: Some(RateLimitSpec {
                rate: 500.0,
                burst: 500
            }),
            concurrency: Some(LimitKind::Gradient2 {
                initial: 20,
                min: 20,
                max: 100,
                smoothing: 0.2,
                long_window: 600,
                rtt_tolerance: 1.5,
                queue_size: 4,
            }),
            drop_expired: true,
        }
    );
    assert_eq!(
        s.services[catalog as usize].ingress,
        Ingress {
            queue: None,
            max_queue: None,
            rate_limit: Some(RateLimitSpec {
                rate: 50.0,
                burst: 5
            }),
            concurrency: Some(LimitKind::Fixed(25)),
            drop_expired: false,
        }
    );
    assert_eq!(
        s.services[payments as usize].ingress.concurrency,
        Some(LimitKind::Aimd {
            initial: 10,
            min: 10, // the default 20 moves down to the given initial
            max: 50,
            backoff_ratio: 0.8,
            timeout: S,
        })
    );
    assert_eq!(
        s.services[ledger as usize].ingress,
        Ingress {
            queue: None,
            rate_limit: Some(RateLimitSpec {
                rate: 2.5,
                burst: 3
            }),
            concurrency: Some(LimitKind::vegas_default()),
            ..Ingress::default()
        }
    );

    // Faults, in file order; `until` is cut at the end of the run.
    let timeline: Vec<(u64, u64)> = s.faults.iter().map(|f| (f.at, f.until)).collect();
    assert_eq!(
        timeline,
        [
            (60 * S, 70 * S),
            (30 * S, 35 * S),
            (30 * S, 35 * S),
            (10 * S, 40 * S),
            (5 * S, 300 * S),
            (100 * S, 120 * S),
            (50 * S, 50 * S + 300 * MS),
            (290 * S, 300 * S),
            (120 * S, 150 * S),
            (200 * S, 300 * S),
        ]
    );
    let every = |service| ReplicaTarget {
        service,
        replica: None,
    };
    let one = |service, replica| ReplicaTarget {
        service,
        replica: Some(replica),
    };
    let kinds: Vec<&FaultKind> = s.faults.iter().map(|f| &f.kind).collect();
    assert_eq!(
        kinds,
        [
            &FaultKind::Slowdown {
                target: every(gateway),
                factor: 2.5
            },
            &FaultKind::Latency {
                from: 1 + gateway,
                to: 1 + payments,
                both: false,
                add: Dist::Exponential { mean: 0.2 }
            },
            &FaultKind::Loss {
                from: 0,
                to: 1 + gateway,
                both: true,
                rate: 0.2
            },
            &FaultKind::Errors {
                service: payments,
                endpoint: Some(charge),
                rate: 0.5
            },
            &FaultKind::Errors {
                service: catalog,
                endpoint: None,
                rate: 0.01
            },
            &FaultKind::Outage {
                target: one(gateway, 1)
            },
            &FaultKind::Pause {
                target: one(gateway, 0),
                worker: Some(1)
            },
            &FaultKind::Pause {
                target: every(catalog),
                worker: None
            },
            &FaultKind::Surge {
                workload: 0,
                factor: 3.0,
                add: 0.0
            },
            &FaultKind::Surge {
                workload: 1,
                factor: 1.0,
                add: 200.0
            },
        ]
    );
    let index = LineIndex::new(FULL);
    let first = index.line_col(s.faults[0].span.start);
    assert_eq!((first.line, first.column), (64, 5));

    // The engine accepts every one of them.
    let mut sim = loopsim_core::Simulation::new(s);
    sim.run();
    assert!(sim.is_finished());
}

/// Shorthands and defaults: omitted keys take the documented values.
#[test]
fn guard_defaults() {
    let policy = |guards: &str| {
        let yaml = GUARDED.replacen("          timeout: 500ms", guards, 1);
        let checked = check(&yaml);
        let s = checked
            .scenario
            .unwrap_or_else(|| panic!("{}", render(&yaml, &checked.diagnostics)));
        let Step::Call { policy, .. } = s.endpoints[0].steps[1] else {
            panic!("{:?}", s.endpoints[0].steps)
        };
        s.policies[policy as usize].clone()
    };
    let backoff = |p: CallPolicy| p.retry.unwrap().backoff;
    assert_eq!(
        backoff(policy(
            "          retry: { attempts: 2, backoff: { base: 50ms } }"
        )),
        Backoff {
            kind: BackoffKind::Exponential,
            base: 50 * MS,
            cap: 30 * S,
            jitter: Jitter::None
        }
    );
    assert_eq!(
        backoff(policy(
            "          retry: { attempts: 2, backoff: { kind: constant, base: 1m, jitter: equal } }"
        )),
        Backoff {
            kind: BackoffKind::Constant,
            base: 60 * S,
            cap: 60 * S,
            jitter: Jitter::Equal
        }
    );
    assert_eq!(
        policy("          breaker: { kind: consecutive }").breaker,
        Some(BreakerConfig::Consecutive {
            threshold: 3,
            open_for: 5 * S
        })
    );
    assert_eq!(
        policy("          breaker: {}").breaker,
        Some(BreakerConfig::resilience4j_default())
    );
    assert_eq!(
        policy("          risk: {}\n          throttle: {}"),
        CallPolicy {
            hedge: None,
            risk: Some(RiskConfig::default()),
            throttle: Some(ThrottleSpec {
                k: 2.0,
                window: 120 * S
            }),
            ..CallPolicy::default()
        }
    );
    assert_eq!(
        policy("          breaker: false\n          risk: false\n          throttle: false"),
        CallPolicy::default()
    );
    assert_eq!(
        policy("          retry: { attempts: 5, budget: 0.25 }").retry,
        Some(RetrySpec {
            attempts: 5,
            backoff: Backoff {
                kind: BackoffKind::None,
                base: 0,
                cap: 0,
                jitter: Jitter::None
            },
            budget: Some(RetryBudgetSpec::Ratio {
                ratio: 0.25,
                min_per_s: 3,
                window: 10 * S
            }),
        })
    );
    let ingress = |text: &str| {
        let yaml = GUARDED.replacen(
            "  payments:\n",
            &format!("  payments:\n    ingress: {text}\n"),
            1,
        );
        let checked = check(&yaml);
        let s = checked
            .scenario
            .unwrap_or_else(|| panic!("{}", render(&yaml, &checked.diagnostics)));
        s.services[1].ingress.clone()
    };
    assert_eq!(ingress("{}"), Ingress::default());
    assert_eq!(
        ingress("{ concurrency: { kind: aimd, max: 10 } }").concurrency,
        Some(LimitKind::Aimd {
            initial: 10,
            min: 10,
            max: 10,
            backoff_ratio: 0.9,
            timeout: 5 * S
        })
    );
    assert_eq!(
        ingress("{ concurrency: { kind: vegas, min: 2000 } }").concurrency,
        Some(LimitKind::Vegas {
            initial: 2000,
            min: 2000,
            max: 2000
        })
    );
    assert_eq!(
        ingress("{ rate_limit: 0.5/s, deadline: none }").rate_limit,
        Some(RateLimitSpec {
            rate: 0.5,
            burst: 1
        })
    );
}

#[test]
fn deadline_shorter_than_timeout_is_a_warning() {
    let yaml = GUARDED.replacen(
        "          timeout: 500ms",
        "          timeout: 500ms\n          deadline: 200ms",
        1,
    );
    let checked = check(&yaml);
    assert!(
        checked.scenario.is_some(),
        "{}",
        render(&yaml, &checked.diagnostics)
    );
    let d = &checked.diagnostics[0];
    assert_eq!(d.severity, Severity::Warning);
    assert!(
        d.message
            .contains("`deadline` (200ms) is shorter than `timeout` (500ms)"),
        "{}",
        d.message
    );
    let lc = LineIndex::new(&yaml).line_col(d.span.start);
    assert_eq!((lc.line, lc.column), (22, 21));
}

#[test]
fn guards_and_faults_have_resource_limits() {
    // Guard state: a long count window on a call made by every replica.
    let yaml = GUARDED.replacen(
        "          timeout: 500ms",
        "          breaker: { window: 100000 }",
        1,
    );
    let tight = Limits {
        max_guard_bytes: 150_000,
        ..Limits::default()
    };
    assert_case(
        &case(
            "guard state",
            &yaml,
            (20, 11),
            "the client-side guards would hold about 201.54 KB of state (the limit is 150 KB)",
            Some("shorten the longest windows"),
        ),
        &tight,
    );
    assert!(check(&yaml).scenario.is_some());
    // Fault count.
    let few = Limits {
        max_faults: 0,
        ..Limits::default()
    };
    assert_case(
        &case(
            "too many faults",
            GUARDED,
            (27, 3),
            "too many faults: 1 (the limit is 0)",
            None,
        ),
        &few,
    );
    // A surge's peak rate, and its requests in the work estimate.
    let fault = |to: &str| {
        GUARDED.replacen(
            "  - { at: 10s, for: 5s, kind: outage, target: gateway#1 }",
            to,
            1,
        )
    };
    assert_case(
        &case(
            "surge peak",
            &fault("  - { at: 10s, for: 5s, kind: surge, target: shoppers, factor: 1e7 }"),
            (27, 5),
            "with its surges, workload `shoppers` would reach 1.000e8 requests/s",
            None,
        ),
        &Limits::default(),
    );
    let budget = Limits {
        max_expected_requests: 1500.0,
        ..Limits::default()
    };
    let surged = fault("  - { at: 10s, for: 10s, kind: surge, target: shoppers, factor: 100 }");
    assert!(
        check_with(&GUARDED.replace("gateway#1", "gateway"), &budget)
            .scenario
            .is_some()
    );
    assert_case(
        &case(
            "surge requests",
            &surged,
            (2, 11),
            "this run would simulate about",
            None,
        ),
        &budget,
    );
}

// ----- health, SLOs, cost, budget and `llm` steps ------------------------------------------

/// A valid scenario with an `llm` step and every run-wide section, for the cases below.
const PRICED: &str = "\
version: 1
duration: 60s
workload:
  - to: checkout
    rate: 10/s
    mix: { /pay: 1, /ask: 1 }
services:
  checkout:
    endpoints:
      /pay:
        - cpu: 1ms
      /ask:
        - llm: { tokens_in: 800, tokens_out: 200, per_token: 20ms }
health:
  tick: 1s
slo:
  - { name: fast, latency: p99 < 300ms }
cost:
  per_request: 0.000002
  llm: { per_1k_in: 0.003, per_1k_out: 0.015 }
budget:
  limit: 5
  action: alert
";

fn health_cases() -> Vec<Case> {
    let p = |from: &str, to: &str| {
        assert!(PRICED.contains(from), "{from}");
        PRICED.replacen(from, to, 1)
    };
    let tick = |to: &str| p("  tick: 1s\n", &format!("{to}\n"));
    let slo = |to: &str| p("  - { name: fast, latency: p99 < 300ms }", to);
    let action = |to: &str| p("  action: alert", &format!("  action: {to}"));
    vec![
        // health
        case("unknown health key", &tick("  tik: 1s"), (15, 3), "unknown key `tik` in `health`", Some("did you mean `tick`?")),
        case("window shorter than tick", &tick("  tick: 10s\n  window: 5s"), (16, 11), "`window` (5s) must be at least `tick` (10s)", Some("lengthen `window`")),
        case("window shorter than the default tick", &p("duration: 60s", "duration: 12h").replace("  tick: 1s\n", "  window: 1s\n"), (15, 11), "`window` (1s) must be at least `tick` (3s, the default)", None),
        case("too many ticks", &tick("  tick: 100us"), (15, 9), "`tick: 100us` gives 600000 health records per service (the limit is 100000 for 1 service(s))", Some("use `tick: 100ms` or more")),
        case("tick longer than the run", &tick("  tick: 2m"), (15, 9), "`tick` (2m) is longer than the run (1m)", None),
        case("thresholds out of order", &tick("  tick: 1s\n  thresholds: { critical: 300 }"), (16, 27), "`critical` (300) must be at least `degraded` (400, the default)", Some("degraded ≤ critical ≤ collapse_risk")),
        case("zero threshold", &tick("  tick: 1s\n  thresholds: { max_backlog: 0 }"), (16, 30), "`max_backlog` must be greater than 0, found `0`", None),
        case("threshold duration without a unit it knows", &tick("  tick: 1s\n  thresholds: { hidden_p99: 150 msec }"), (16, 29), "unexpected space", Some("write 150ms")),
        case("collapse fills out of order", &tick("  tick: 1s\n  collapse: { collapsed_fill: 30% }"), (16, 31), "`collapsed_fill` (30%) must be at least `degraded_fill` (40%, the default)", None),
        case("collapse feedback not a boolean", &tick("  tick: 1s\n  collapse: { feedback: yes }"), (16, 25), "`feedback` must be `true` or `false`, found `yes`", None),
        // slo
        case("latency objective with >", &slo("  - { name: fast, latency: p99 > 300ms }"), (17, 32), "a latency objective is an upper bound: `>` is not allowed", Some("write `p99 < 300ms`")),
        case("percentile above 100", &slo("  - { name: fast, latency: p101 < 300ms }"), (17, 28), "the percentile must be greater than 0 and less than 100, found `p101`", None),
        case("percentile of 100", &slo("  - { name: fast, latency: p100 < 300ms }"), (17, 28), "found `p100`", Some("use e.g. `p99.9`")),
        case("latency objective without a percentile", &slo("  - { name: fast, latency: 300ms }"), (17, 28), "`latency` must be an objective such as `p99 < 300ms`, found `300ms`", Some("a percentile (`p50` to `p99.99`)")),
        case("latency threshold with a bad unit", &slo("  - { name: fast, latency: p99 < 300sec }"), (17, 34), "`latency`: unknown duration unit `sec`", Some("did you mean 300s?")),
        case("duplicate objective name", &slo("  - { name: fast, latency: p99 < 300ms }\n  - { name: fast, error_rate: < 1% }"), (18, 13), "duplicate objective name `fast`", None),
        case("error rate above 100%", &slo("  - { name: available, error_rate: 150% }"), (17, 36), "`error_rate` must be greater than 0% and less than 100%, found `150%`", None),
        case("error rate as a bare percentage", &slo("  - { name: available, error_rate: < 5 }"), (17, 36), "`error_rate` must be greater than 0% and less than 100%", Some("for a percentage write 5%")),
        case("error rate bounded from below", &slo("  - { name: available, error_rate: ≥ 1% }"), (17, 36), "an error-rate objective is an upper bound: `≥` is not allowed", Some("write `< 1%`")),
        case("objective without a kind", &slo("  - { name: fast }"), (17, 5), "an objective needs `latency` or `error_rate`", None),
        case("objective with both kinds", &slo("  - { name: fast, latency: p99 < 1s, error_rate: 1% }"), (17, 38), "an objective is on `latency` or on `error_rate`, not both", None),
        case("objective without a name", &slo("  - { latency: p99 < 1s }"), (17, 5), "an objective is missing `name`", None),
        case("slo not a list", &slo("  fast: p99 < 300ms"), (17, 3), "`slo` must be a list, found a mapping", None),
        // cost and budget
        case("negative price", &p("  per_request: 0.000002", "  per_request: -1"), (19, 16), "`per_request` cannot be negative, found `-1`", None),
        case("absurd price", &p("  per_request: 0.000002", "  per_request: 1e308"), (19, 16), "`per_request` must be at most 1e12, found `1e308`", Some("capped at 1e12")),
        case("absurd llm price", &p("per_1k_out: 0.015", "per_1k_out: 2e12"), (20, 40), "`per_1k_out` must be at most 1e12", None),
        case("absurd budget limit", &p("  limit: 5", "  limit: 1e13"), (22, 10), "`limit` must be at most 1e12, found `1e13`", None),
        case("absurd spike baseline", &p("  limit: 5", "  limit: 5\n  spike: { min_baseline: 1e200 }"), (23, 26), "`min_baseline` must be at most 1e12", None),
        case("overflowing price", &p("  per_request: 0.000002", "  per_request: 1e400"), (19, 16), "`per_request` must be a number, found `1e400`", None),
        case("price with a currency symbol", &p("  per_request: 0.000002", "  per_request: $0.01"), (19, 16), "`per_request` must be a plain number, found `$0.01`", Some("without a currency symbol: `0.01`")),
        case("unknown llm price key", &p("per_1k_out", "per_1k_output"), (20, 28), "unknown key `per_1k_output` in `llm`", Some("did you mean `per_1k_out`?")),
        case("budget without cost", &p("cost:\n  per_request: 0.000002\n  llm: { per_1k_in: 0.003, per_1k_out: 0.015 }\n", ""), (18, 1), "`budget` needs a `cost` section", Some("add the prices")),
        case("zero budget limit", &p("  limit: 5", "  limit: 0"), (22, 10), "`limit` must be greater than 0, found `0`", None),
        case("budget warning of 0%", &p("  limit: 5", "  limit: 5\n  warning: 0%"), (23, 12), "`warning` must be greater than 0% and at most 100%, found `0%`", None),
        case("budget history of 1", &p("  limit: 5", "  limit: 5\n  history: 1"), (23, 12), "`history` must be at least 2, found 1", None),
        case("spike key of the other method", &p("  limit: 5", "  limit: 5\n  spike: { method: robust, multiplier: 2 }"), (23, 28), "`multiplier` does not apply to a robust spike test", Some("`method`, `z`")),
        case("spike multiplier of 1", &p("  limit: 5", "  limit: 5\n  spike: { multiplier: 1 }"), (23, 24), "`multiplier` must be greater than 1, found `1`", None),
        case("unknown budget action", &action("blok"), (23, 11), "unknown value `blok` for `action`: expected `alert`, `throttle`, `block`", Some("did you mean `block`?")),
        case("block an unknown endpoint", &action("{ block: checkout/pya }"), (23, 29), "service `checkout` has no endpoint `/pya`", Some("did you mean `/pay`?")),
        case("block an unknown service", &action("{ block: chekout/pay }"), (23, 20), "unknown service `chekout` in `block`", Some("did you mean `checkout`?")),
        case("block a service of several endpoints", &action("{ block: checkout }"), (23, 20), "`block` must name an endpoint: service `checkout` has 2", Some("`/pay`, `/ask`")),
        case("budget action mapping without block", &action("{ blok: checkout/pay }"), (23, 13), "unknown key `blok` in `action`", Some("did you mean `block`?")),
        // llm steps
        case("llm step without fields", &p("- llm: { tokens_in: 800, tokens_out: 200, per_token: 20ms }", "- llm: {}"), (13, 16), "an `llm` step needs at least one of `tokens_in`, `tokens_out`, `first_token`, `per_token`", Some("tokens_in: 800")),
        case("llm step with nothing", &p("- llm: { tokens_in: 800, tokens_out: 200, per_token: 20ms }", "- llm:"), (13, 11), "an `llm` step needs at least one of", None),
        case("unknown llm key", &p("tokens_in: 800", "tokens_inn: 800"), (13, 18), "unknown key `tokens_inn` in an `llm` step", Some("did you mean `tokens_in`?")),
        case("token count with a unit", &p("tokens_in: 800", "tokens_in: 800ms"), (13, 29), "`tokens_in` must be a whole number, found text `800ms`", None),
        case("negative token count", &p("tokens_out: 200", "tokens_out: -5"), (13, 46), "`tokens_out` must be a whole number, found a negative number `-5`", None),
        case("token distribution in durations", &p("tokens_out: 200", "tokens_out: { dist: uniform, min: 10ms, max: 1s }"), (13, 68), "`min` must be a number, found `10ms`", Some("token counts are plain numbers")),
        case("token distribution without dist", &p("tokens_out: 200", "tokens_out: { mean: 200 }"), (13, 46), "`tokens_out`: a distribution needs `dist`", Some("{ dist: exponential, mean: 200 }")),
        case("llm as a step kind typo", &p("- llm: {", "- lm: {"), (13, 11), "unknown step kind `lm`", Some("did you mean `llm`?")),
    ]
}

#[test]
fn broken_health_slo_cost_and_llm_point_at_the_mistake() {
    let checked = check(PRICED);
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        render(PRICED, &checked.diagnostics)
    );
    let cases = health_cases();
    assert!(cases.len() >= 10);
    for c in &cases {
        assert_case(c, &Limits::default());
    }
    // SLO count and the default tick against the limits.
    let few = Limits {
        max_slos: 0,
        ..Limits::default()
    };
    assert_case(
        &case(
            "too many objectives",
            PRICED,
            (17, 3),
            "too many objectives: 1 (the limit is 0)",
            None,
        ),
        &few,
    );
    let points = Limits {
        max_series_points: 50,
        ..Limits::default()
    };
    let default_tick = PRICED.replacen("health:\n  tick: 1s\n", "", 1);
    assert_case(
        &case(
            "default tick over the limit",
            &default_tick,
            (2, 11),
            "the run has 60 health ticks of 1s (the limit is 50)",
            Some("set `health: { tick: 2s }` or more"),
        ),
        &points,
    );
}

/// Warnings: the scenario still runs.
#[test]
fn health_and_cost_warnings() {
    let warning = |yaml: &str, at: (u32, u32), message: &str| {
        let checked = check(yaml);
        assert!(
            checked.scenario.is_some(),
            "{}",
            render(yaml, &checked.diagnostics)
        );
        let index = LineIndex::new(yaml);
        assert!(
            checked.diagnostics.iter().any(|d| {
                let lc = index.line_col(d.span.start);
                d.severity == Severity::Warning
                    && (lc.line, lc.column) == at
                    && d.message.contains(message)
            }),
            "no warning at {at:?} containing {message:?}; got:\n{}",
            render(yaml, &checked.diagnostics)
        );
    };
    warning(
        &PRICED.replacen("  llm: { per_1k_in: 0.003, per_1k_out: 0.015 }\n", "", 1),
        (19, 3),
        "the `llm` steps cost nothing: `cost` has no `llm` prices",
    );
    warning(
        &PRICED.replacen("tokens_out: 200, ", "", 1),
        (13, 34),
        "`per_token` has no effect: the step generates no output tokens",
    );
    warning(
        &PRICED
            .replacen("  action: alert", "  action: { block: helper }", 1)
            .replacen(
                "services:\n",
                "services:\n  helper:\n    endpoints:\n      /:\n        - io: 1ms\n",
                1,
            ),
        (27, 20),
        "no workload sends requests to `helper/`: blocking it has no effect",
    );
    warning(
        &PRICED.replacen("  tick: 1s\n", "  collapse: { feedback: true }\n", 1),
        (15, 25),
        "`feedback` has no effect: no service has a bounded accept queue",
    );
}

const EVERY_HEALTH_KEY: &str = "\
version: 1
name: Priced shop
duration: 120s
warmup: 10s
workload:
  - name: shoppers
    to: checkout
    rate: 20/s
    mix: { /pay: 3, /ask: 1 }
  - name: chatters
    to: checkout
    arrivals: closed
    users: 4
    think: 1s
    mix: { /ask: 1 }
services:
  checkout:
    ingress: { max_queue: 50 }
    endpoints:
      /pay:
        - cpu: 1ms
        - io: 20ms
      /ask:
        - cpu: 1ms
        - llm: { tokens_in: 800, tokens_out: { dist: uniform, min: 100, max: 400 }, first_token: 300ms, per_token: 20ms }
        - llm: { tokens_in: { dist: empirical, values: [10, 20, 60] }, first_token: { dist: exponential, mean: 50ms } }
health:
  tick: 2s
  window: 20s
  slow_callback: 50ms
  thresholds: { degraded: 300, critical: 1000, collapse_risk: 2000, lag_weight: 1000, blocking_weight: 500, queue_wait_weight: 200, backlog_weight: 10, active_weight: 0.5, max_event_loop_lag: 250ms, max_blocking: 2s, max_queue_wait: 500ms, max_backlog: 5, max_active: 200, busy_active: 120, hidden_lag: 2s, hidden_p99: 100ms }
  collapse: { degraded_fill: 30%, collapsed_fill: 90%, dqdt: 10/s, dqdt_fill: 50%, p95_growth: 150%, throttle_degraded: 10ms, throttle_collapsed: 200ms, feedback: true }
slo:
  - { name: fast, latency: p99 < 300ms }
  - { name: tail, latency: p99.9 <= 1s }
  - { name: median, latency: P50 ≤ 25ms }
  - { name: available, error_rate: < 0.1% }
  - { name: mostly, error_rate: 0.01 }
slo_period: 30d
cost:
  per_request: 0.000002
  per_cpu_second: 0.00005
  per_instance_hour: 0.12
  llm: { per_1k_in: 0.003, per_1k_out: 0.015 }
budget:
  limit: 5.0
  period: 1h
  warning: 80%
  spike: { method: robust, z: 3 }
  burn_threshold: 2
  history: 20
  action: { block: checkout/ask }
";

#[test]
fn example_with_every_health_slo_and_cost_key() {
    use loopsim_core::health::{
        BudgetAction, BudgetConfig, CollapseConfig, CostModel, HealthThresholds, SloKind,
        SloObjective, SpikeRule,
    };
    use loopsim_core::scenario::{HealthSpec, LlmSpec};
    let checked = check(EVERY_HEALTH_KEY);
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        render(EVERY_HEALTH_KEY, &checked.diagnostics)
    );
    let s = checked.scenario.unwrap();
    assert_eq!(
        s.health,
        HealthSpec {
            tick: 2 * S,
            window: 20 * S,
            slow_callback: 50 * MS,
            thresholds: HealthThresholds {
                lag_weight: 1000.0,
                blocking_weight: 500.0,
                queue_wait_weight: 200.0,
                backlog_weight: 10.0,
                active_weight: 0.5,
                collapse_score: 2000.0,
                critical_score: 1000.0,
                degraded_score: 300.0,
                max_event_loop_lag_s: 0.25,
                max_blocking_duration_s: 2.0,
                max_queue_wait_s: 0.5,
                max_threadpool_backlog: 5.0,
                max_active_requests: 200.0,
                busy_active_requests: 120.0,
                hidden_lag_s: 2.0,
                hidden_p99_s: 0.1,
            },
            collapse: CollapseConfig {
                degraded_fill: 0.3,
                collapsed_fill: 0.9,
                dqdt_rate: 10.0,
                dqdt_fill: 0.5,
                p95_growth: 1.5,
                throttle_degraded: 10 * MS,
                throttle_collapsed: 200 * MS,
            },
            collapse_throttle: true,
        }
    );
    let slos = [
        SloObjective::latency("fast", 0.99, 300 * MS).unwrap(),
        SloObjective::latency("tail", 0.999, S).unwrap(),
        SloObjective::latency("median", 0.5, 25 * MS).unwrap(),
        SloObjective::error_rate("available", 0.001).unwrap(),
        SloObjective::error_rate("mostly", 0.01).unwrap(),
    ];
    assert_eq!(s.slos, slos);
    assert_eq!(
        s.slos[1].kind,
        SloKind::Latency {
            percentile: 0.999,
            threshold: S
        }
    );
    assert_eq!(s.slo_period, Some(30 * 86_400 * S));
    assert_eq!(
        s.cost,
        Some(CostModel {
            per_request: 0.000002,
            per_cpu_second: 0.00005,
            per_instance_hour: 0.12,
            llm_per_1k_in: 0.003,
            llm_per_1k_out: 0.015,
        })
    );
    assert_eq!(
        s.budget,
        Some(BudgetConfig {
            limit: 5.0,
            period: Some(3600 * S),
            warning_ratio: 0.8,
            spike: SpikeRule::Robust { z: 3.0 },
            burn_threshold: 2.0,
            history: 20,
            action: BudgetAction::Block {
                endpoint: Some("checkout/ask".into())
            },
        })
    );
    let ask = s.endpoint_by_path(0, "/ask").unwrap();
    let steps = &s.endpoints[ask as usize].steps;
    assert_eq!(
        steps[1],
        Step::Llm(LlmSpec {
            tokens_in: Dist::Constant(800.0),
            tokens_out: Dist::Uniform {
                min: 100.0,
                max: 400.0
            },
            first_token: Dist::Constant(0.3),
            per_token: Dist::Constant(0.02),
        })
    );
    assert_eq!(
        steps[2],
        Step::Llm(LlmSpec {
            tokens_in: Dist::Empirical(vec![10.0, 20.0, 60.0]),
            tokens_out: Dist::zero(),
            first_token: Dist::Exponential { mean: 0.05 },
            per_token: Dist::zero(),
        })
    );

    // The engine accepts all of it, and blocks the endpoint the budget names.
    let mut sim = loopsim_core::Simulation::new(s);
    sim.run();
    assert!(sim.is_finished());
}

/// Omitted sections and keys take the documented defaults.
#[test]
fn health_slo_and_budget_defaults() {
    use loopsim_core::health::{BudgetAction, BudgetConfig, CostModel, SpikeRule};
    use loopsim_core::scenario::HealthSpec;
    let parse = |yaml: &str| {
        let checked = check(yaml);
        checked
            .scenario
            .unwrap_or_else(|| panic!("{}", render(yaml, &checked.diagnostics)))
    };
    let s = parse(BASE);
    assert_eq!(s.health, HealthSpec::default_for(60 * S, s.services.len()));
    assert_eq!(s.health.tick, S);
    assert_eq!(s.health.window, 10 * S);
    assert_eq!(s.health.slow_callback, 100 * MS);
    assert!(!s.health.collapse_throttle);
    assert!(s.slos.is_empty());
    assert_eq!((s.slo_period, s.cost, s.budget), (None, None, None));
    // A long run gets a coarser default tick.
    let long = parse(&BASE.replace("duration: 60s", "duration: 12h"));
    assert_eq!(
        long.health,
        HealthSpec::default_for(12 * 3600 * S, long.services.len())
    );
    assert_eq!((long.health.tick, long.health.window), (3 * S, 10 * S));
    // A tick alone moves the default window up to it.
    let h = parse(&BASE.replace("services:", "health: { tick: 15s }\nservices:")).health;
    assert_eq!((h.tick, h.window), (15 * S, 15 * S));
    // Budget defaults: cloudcircuit's.
    let with = |budget: &str| {
        let yaml = BASE.replace(
            "services:",
            &format!("cost: {{}}\nbudget: {budget}\nservices:"),
        );
        parse(&yaml).budget.unwrap()
    };
    assert_eq!(with("{ limit: 10 }"), BudgetConfig::with_limit(10.0));
    assert_eq!(
        parse(&BASE.replace("services:", "cost: {}\nservices:")).cost,
        Some(CostModel::default())
    );
    let b = with("{ limit: 10, spike: robust, action: throttle }");
    assert_eq!(
        (b.spike, b.action),
        (SpikeRule::robust(), BudgetAction::Throttle)
    );
    let b = with("{ limit: 10, spike: { multiplier: 3 }, action: block }");
    assert_eq!(
        (b.spike, b.action),
        (
            SpikeRule::Mean {
                multiplier: 3.0,
                min_baseline: 0.0
            },
            BudgetAction::Block { endpoint: None }
        )
    );
    // `block: service` when it has a single endpoint; a bare error-rate maximum.
    let b = with("{ limit: 10, action: { block: api } }");
    assert_eq!(
        b.action,
        BudgetAction::Block {
            endpoint: Some("api/".into())
        }
    );
    // An `llm` step with one key: the others are 0.
    let s = parse(&BASE.replace("- cpu: 1ms", "- llm: { first_token: 1s }"));
    assert_eq!(
        s.endpoints[0].steps[0],
        Step::Llm(loopsim_core::scenario::LlmSpec {
            tokens_in: Dist::zero(),
            tokens_out: Dist::zero(),
            first_token: Dist::Constant(1.0),
            per_token: Dist::zero(),
        })
    );
}

/// An error found at the end of the input points at its last character, not past it.
#[test]
fn end_of_input_errors_point_at_the_end() {
    let cases = [
        case(
            "unterminated quoted scalar at the end",
            &format!("{BASE}x: \"a\n"),
            (11, 5),
            "invalid YAML",
            None,
        ),
        case(
            "dangling list entry at the end",
            &format!("{BASE}  -"),
            (11, 3),
            "invalid YAML",
            Some("indentation"),
        ),
        case(
            "directive without a document",
            "%YAML 1.2\n\n",
            (1, 9),
            "invalid YAML",
            None,
        ),
        case(
            "stray comma",
            ",: x\n",
            (1, 1),
            "unexpected `,` while parsing",
            None,
        ),
    ];
    for c in &cases {
        assert_case(c, &Limits::default());
    }
}

// ---- caches ------------------------------------------------------------------------------

const CACHED: &str = "\
version: 1
duration: 60s
caches:
  urls: { capacity: 100, policy: lru, ttl: 1m }
workload:
  - to: api
    rate: 10/s
services:
  api:
    endpoints:
      /:
        - cache: urls
          keys: { count: 1000, zipf: 0.99 }
          hit: [ { io: 1ms } ]
          miss: [ { io: 5ms } ]
faults:
  - { at: 5s, kind: flush, target: urls }
";

fn cache_cases() -> Vec<Case> {
    let c = |from: &str, to: &str| {
        assert!(CACHED.contains(from), "{from}");
        CACHED.replacen(from, to, 1)
    };
    vec![
        case(
            "a cache without capacity",
            &c("capacity: 100, ", ""),
            (4, 9),
            "cache `urls` is missing `capacity`",
            Some("capacity: 100000"),
        ),
        case(
            "an unknown policy",
            &c("policy: lru", "policy: lru2"),
            (4, 34),
            "unknown value `lru2` for `policy`",
            Some("did you mean `lru`?"),
        ),
        case(
            "a misspelt ttl",
            &c("ttl: 1m", "tll: 1m"),
            (4, 39),
            "unknown key `tll` in cache `urls`",
            Some("did you mean `ttl`?"),
        ),
        case(
            "an unknown cache, close to one",
            &c("cache: urls", "cache: url"),
            (12, 18),
            "no cache `url`",
            Some("did you mean `urls`?"),
        ),
        case(
            "a cache step without keys",
            &c("          keys: { count: 1000, zipf: 0.99 }\n", ""),
            (12, 11),
            "a `cache` step is missing `keys`",
            Some("keys: { count:"),
        ),
        case(
            "no keys",
            &c("count: 1000", "count: 0"),
            (13, 26),
            "`count` must be at least 1",
            Some("distinct keys"),
        ),
        case(
            "a negative zipf",
            &c("zipf: 0.99", "zipf: -1"),
            (13, 38),
            "`zipf` must be 0 to 10",
            Some("uniform"),
        ),
        case(
            "hit steps not in a list",
            &c("hit: [ { io: 1ms } ]", "hit: { io: 1ms }"),
            (14, 16),
            "`hit` must be a list of steps",
            Some("`[]` for none"),
        ),
        case(
            "a cache inside a miss",
            &c(
                "miss: [ { io: 5ms } ]",
                "miss: [ { cache: urls, keys: { count: 5 } } ]",
            ),
            (15, 28),
            "inside the `miss` steps of another `cache` step",
            Some("`call` it"),
        ),
        case(
            "coalesce on another step",
            &c(
                "        - cache: urls\n",
                "        - io: 1ms\n          coalesce: true\n        - cache: urls\n",
            ),
            (13, 11),
            "`coalesce` only applies to a `cache` step",
            Some("beside `cache: NAME`"),
        ),
        case(
            "an invalidate without keys",
            &c(
                "        - cache: urls\n",
                "        - invalidate: urls\n        - cache: urls\n",
            ),
            (12, 11),
            "an `invalidate` step is missing `keys`",
            Some("keys: { count:"),
        ),
        case(
            "a flush of an unknown cache",
            &c("target: urls }", "target: nope }"),
            (17, 36),
            "no cache `nope`",
            Some("the caches: `urls`"),
        ),
        case(
            "a flush with for",
            &c("kind: flush,", "for: 1s, kind: flush,"),
            (17, 15),
            "`for` does not apply to a `flush` fault",
            Some("takes: `at`, `kind`, `target`"),
        ),
        case(
            "too many cache entries",
            &c("capacity: 100,", "capacity: 10000000,")
                .replace("  api:\n", "  api:\n    replicas: 6\n")
                .replace("ttl: 1m", "ttl: 1m, scope: replica"),
            (4, 3),
            "the caches hold up to 60000000 entries",
            Some("scope: shared"),
        ),
    ]
}

#[test]
fn broken_caches_point_at_the_mistake() {
    assert_every_case(&cache_cases());
    let checked = check(CACHED);
    assert!(checked.scenario.is_some(), "{:?}", checked.diagnostics);
}

fn guide_cases() -> Vec<Case> {
    let g = |tail: &str| format!("{BASE}{tail}");
    vec![
        case(
            "a guide that is not a list",
            &g("guide: Press Run\n"),
            (11, 8),
            "`guide` must be a list",
            Some("- text:"),
        ),
        case(
            "a guide step without text",
            &g("guide:\n  - chart: lag\n"),
            (12, 5),
            "a guide step is missing `text`",
            None,
        ),
        case(
            "a misspelt key of a guide step",
            &g("guide:\n  - text: Run\n    chrt: lag\n"),
            (13, 5),
            "unknown key `chrt`",
            Some("did you mean `chart`?"),
        ),
        case(
            "an unknown chart",
            &g("guide:\n  - text: Run\n    chart: lags\n"),
            (13, 12),
            "unknown value `lags` for `chart`",
            Some("did you mean `lag`?"),
        ),
        case(
            "a node that is not in the topology",
            &g("guide:\n  - text: Run\n    node: apo\n"),
            (13, 11),
            "`node: apo` is not a node of the topology",
            Some("did you mean `api`?"),
        ),
        case(
            "a service chart without a service",
            &g("guide:\n  - text: Run\n    chart: service\n"),
            (13, 12),
            "`chart: service` shows the charts of the step's `node`",
            Some("node: NAME"),
        ),
        case(
            "a change without `with`",
            &g("guide:\n  - text: Run\n    change: { replace: 1ms }\n"),
            (13, 13),
            "a change is missing `with`",
            None,
        ),
        case(
            "an empty try item",
            &g("try:\n  - ''\n"),
            (12, 5),
            "a `try` item is empty",
            None,
        ),
        case(
            "too many try items",
            &g(&format!("try: [{}]\n", vec!["x"; 21].join(", "))),
            (11, 6),
            "`try` has 21 items (the limit is 20)",
            None,
        ),
    ]
}

#[test]
fn broken_guides_point_at_the_mistake() {
    assert_every_case(&guide_cases());
    // A guide whose change no longer finds its text is still a valid scenario: the reader may
    // have applied it or edited the text (the page says so when asked to apply it).
    let yaml = format!(
        "{BASE}try: [Double the rate]\nguide:\n  - text: Run\n    change: {{ replace: 'cpu: 9ms', with: 'cpu: 2ms' }}\n    node: api\n    chart: service\n"
    );
    let sc = check(&yaml).scenario.expect("valid");
    assert_eq!(sc.guide.try_this, ["Double the rate"]);
    assert_eq!(sc.guide.steps[0].node.as_deref(), Some("api"));
}

/// An auditor's metrics.yaml pasted at the top level says where it goes.
#[test]
fn a_metrics_yaml_at_the_top_level_is_told_to_go_under_health() {
    let c = case(
        "metrics.yaml at the top level",
        &format!("{BASE}queries:\n  p99_latency: \"x\"\n"),
        (11, 1),
        "it belongs to an async-runtime-auditor metrics.yaml",
        Some("under `health:`"),
    );
    assert_case(&c, &Limits::default());
}
