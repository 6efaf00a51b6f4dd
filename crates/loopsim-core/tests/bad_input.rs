//! Broken scenarios and where their diagnostics point.
//!
//! Each case is a small scenario with one mistake; the test asserts that an error is reported at
//! the exact line and column (1-based) with a message (and hint) that says what to fix. The two
//! reference examples of the format must parse without errors into the expected model.

use loopsim_core::diag::{Diagnostic, LineIndex, Severity};
use loopsim_core::dist::Dist;
use loopsim_core::scenario::{check, check_with, Accept, Arrivals, Balance, Limits, Step};
use loopsim_core::time::NANOS_PER_SEC;

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
    for end in 0..=SHOP.len() {
        if SHOP.is_char_boundary(end) {
            let _ = check(&SHOP[..end]);
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
    let lines: Vec<&str> = SHOP.lines().collect();
    for skip in 0..lines.len() {
        let edited: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, l)| *l)
            .collect();
        let _ = check(&edited.join("\n"));
    }
    for (i, _) in SHOP.char_indices().step_by(3) {
        for replacement in [":", "[", "-", "\t", "*", "0"] {
            let mut edited = String::from(&SHOP[..i]);
            edited.push_str(replacement);
            edited.push_str(&SHOP[i + 1..]);
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
            policy: 0
        }
    );
    assert_eq!(steps[3], Step::Offload(Dist::Exponential { mean: 0.02 }));
    assert_eq!(
        s.endpoints[browse as usize].steps[1],
        Step::Call {
            endpoint: items,
            policy: 0
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
