//! Broken `queues:` sections, `publish` and `spawn` steps, and where their diagnostics point
//! (line and column, 1-based), with the message and hint that say what to fix.

use loopsim_core::diag::{LineIndex, Severity};
use loopsim_core::scenario::{check, Step};

/// A valid pipeline the cases below break one way or another.
const PIPELINE: &str = "\
version: 1
duration: 60s
workload:
  - to: api
    rate: 10/s
services:
  api:
    endpoints:
      /order:
        - publish: orders
        - spawn: [ { io: 1ms } ]
  fulfil:
    endpoints:
      /process:
        - io: 5ms
queues:
  orders: { consumer: fulfil/process, concurrency: 4, dead_letter: dlq }
  dlq: {}
network:
  links:
    - { between: [api, orders], latency: 1ms }
";

fn broken(from: &str, to: &str) -> String {
    assert!(PIPELINE.contains(from), "{from}");
    PIPELINE.replacen(from, to, 1)
}

/// Asserts an error at `(line, column)` whose message contains `message` and hint `hint`.
fn assert_error(yaml: &str, at: (u32, u32), message: &str, hint: Option<&str>) {
    let checked = check(yaml);
    assert!(checked.scenario.is_none(), "expected an error:\n{yaml}");
    let index = LineIndex::new(yaml);
    let found = checked.diagnostics.iter().any(|d| {
        let lc = index.line_col(d.span.start);
        d.severity == Severity::Error
            && (lc.line, lc.column) == at
            && d.message.contains(message)
            && hint.is_none_or(|h| d.hint.as_deref().is_some_and(|dh| dh.contains(h)))
    });
    let got: Vec<String> = checked
        .diagnostics
        .iter()
        .map(|d| {
            let lc = index.line_col(d.span.start);
            format!(
                "{}:{}: {} (hint: {:?})",
                lc.line, lc.column, d.message, d.hint
            )
        })
        .collect();
    assert!(
        found,
        "no error at {at:?} containing {message:?}; got:\n{}\n{yaml}",
        got.join("\n")
    );
}

#[test]
fn the_pipeline_parses_into_publish_and_spawn_steps() {
    let checked = check(PIPELINE);
    let sc = checked.scenario.expect("valid");
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    assert_eq!(sc.queues.len(), 2);
    let q = &sc.queues[0];
    assert_eq!(
        (q.concurrency, q.max_deliveries, q.dead_letter),
        (4, 3, Some(1))
    );
    assert_eq!(q.redelivery_delay, 30_000_000_000);
    assert_eq!(sc.queues[1].consumer, None);
    // publish, spawn (next = 4), the spawned io, its end.
    assert_eq!(sc.endpoints[0].steps[0], Step::Publish(0));
    assert_eq!(sc.endpoints[0].steps[1], Step::Spawn { next: 4 });
    assert!(matches!(sc.endpoints[0].steps[2], Step::Io(_)));
    assert_eq!(sc.endpoints[0].steps[3], Step::BranchEnd);
    // The queue is network node 1 + services + 0 = 3.
    assert_eq!(sc.network.links[0].between, [1, 3]);
}

#[test]
fn broken_queues_point_at_the_mistake() {
    assert_error(
        &broken("- publish: orders", "- publish: ordres"),
        (10, 20),
        "unknown queue `ordres` in `publish`",
        Some("did you mean `orders`?"),
    );
    assert_error(
        &broken("consumer: fulfil/process", "consumer: fulfil/proces"),
        (17, 23),
        "service `fulfil` has no endpoint `/proces`",
        Some("did you mean `/process`?"),
    );
    assert_error(
        &broken("consumer: fulfil/process", "consumer: fulfill/process"),
        (17, 23),
        "unknown service `fulfill` in `consumer`",
        Some("did you mean `fulfil`?"),
    );
    assert_error(
        &broken("dead_letter: dlq", "dead_letter: orders"),
        (17, 68),
        "cannot be its own dead-letter queue",
        None,
    );
    assert_error(
        &broken("dead_letter: dlq", "dead_letter: dql"),
        (17, 68),
        "unknown queue `dql` in `dead_letter`",
        Some("did you mean `dlq`?"),
    );
    assert_error(
        &broken("  dlq: {}", "  fulfil: {}"),
        (18, 3),
        "has the name of a network node already",
        None,
    );
    assert_error(
        &broken("concurrency: 4", "concurency: 4"),
        (17, 39),
        "unknown key `concurency`",
        Some("did you mean `concurrency`?"),
    );
    assert_error(
        &broken("concurrency: 4", "concurrency: 0"),
        (17, 52),
        "`concurrency`",
        None,
    );
    assert_error(
        &broken("- spawn: [ { io: 1ms } ]", "- spawn: { io: 1ms }"),
        (11, 18),
        "`spawn` must be a list of steps",
        None,
    );
    assert_error(
        &broken("between: [api, orders]", "between: [api, ordrs]"),
        (21, 24),
        "unknown service or queue `ordrs` in `between`",
        Some("did you mean `orders`?"),
    );
}

/// A consumer that cannot keep up with the peak publish rate is a warning at the queue:
/// 10/s × 2 publishes against 1 in process × 200 ms = 5/s.
#[test]
fn a_consumer_that_cannot_keep_up_is_a_warning() {
    let yaml = broken(
        "        - publish: orders\n",
        "        - publish: orders\n        - publish: orders\n",
    )
    .replace("        - io: 5ms", "        - io: 200ms")
    .replace("concurrency: 4", "concurrency: 1");
    let checked = check(&yaml);
    assert!(checked.scenario.is_some());
    let index = LineIndex::new(&yaml);
    let w: Vec<(u32, &str)> = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| (index.line_col(d.span.start).line, d.message.as_str()))
        .collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].0, 18);
    assert!(
        w[0].1
            .contains("queue `orders` falls behind: messages arrive at 20.0/s")
            && w[0].1.contains("at most 5.0/s"),
        "{w:?}"
    );
    // With room enough (5 in process: 25/s), no warning.
    let fine = check(&yaml.replace("concurrency: 1", "concurrency: 5"));
    assert!(fine.diagnostics.is_empty(), "{:?}", fine.diagnostics);
}

#[test]
fn partitions_are_bounded_over_all_queues() {
    let queues: String = (0..11)
        .map(|i| format!("  q{i}: {{ partitions: 10000 }}\n"))
        .collect();
    let yaml = broken("  dlq: {}\n", &format!("  dlq: {{}}\n{queues}"));
    assert_error(&yaml, (29, 3), "too many partitions", None);
}
