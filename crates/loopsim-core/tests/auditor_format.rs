//! async-runtime-auditor's `metrics.yaml` as a scenario's `health:` section, unchanged: its
//! `target` and `queries` are accepted (a warning each: a simulation does not use them), its
//! threshold names are read beside ours, and the same threshold given both ways is an error.

use loopsim_core::diag::{Diagnostic, LineIndex};
use loopsim_core::scenario::check;

const BASE: &str = "\
version: 1
duration: 30s
workload:
  - to: api
    rate: 10/s
services:
  api:
    endpoints:
      /:
        - cpu: 1ms
health:
";

/// The auditor's `metrics.yaml` as its README shows it (`async-auditor --init`), indented by
/// two spaces to sit under `health:`.
const METRICS_YAML: &str = r#"target: "http://localhost:9090"

queries:
  p99_latency: "histogram_quantile(0.99, rate(http_request_duration_seconds_bucket[5m]))"

  event_loop_lag: "max_over_time(asyncio_event_loop_lag_seconds[15m])"

  blocking_events_total: "blocking_events_total"

  blocking_duration_avg: "rate(blocking_duration_seconds_sum[15m]) / rate(blocking_duration_seconds_count[15m])"

  peak_active_requests: "max_over_time(active_requests[15m])"

  threadpool_queue_wait: "rate(threadpool_queue_wait_seconds_sum[15m]) / rate(threadpool_queue_wait_seconds_count[15m])"

  threadpool_tasks_started: "threadpool_tasks_started_total"

  threadpool_tasks_completed: "threadpool_tasks_completed_total"

thresholds:
  health_score_collapse: 2500
  health_score_critical: 1200
  health_score_degraded: 400

  max_event_loop_lag_s: 0.5
  max_blocking_duration_s: 1.0

  max_queue_wait_s: 1.0
  max_threadpool_backlog: 3

  max_active_requests: 150
"#;

fn indented(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::from("\n")
            } else {
                format!("  {l}\n")
            }
        })
        .collect()
}

fn with_health(section: &str) -> String {
    format!("{BASE}{}", indented(section))
}

/// (line, column, message, hint) of each diagnostic.
fn located(src: &str, ds: &[Diagnostic]) -> Vec<(u32, u32, String, String)> {
    let index = LineIndex::new(src);
    ds.iter()
        .map(|d| {
            let lc = index.line_col(d.span.start);
            (
                lc.line,
                lc.column,
                d.message.clone(),
                d.hint.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn single_error(section: &str) -> (u32, u32, String, String) {
    let src = with_health(section);
    let c = check(&src);
    assert!(c.scenario.is_none(), "{src}");
    let errors: Vec<_> = c.diagnostics.into_iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    located(&src, &errors).remove(0)
}

#[test]
fn the_auditors_metrics_yaml_pasted_under_health_runs_with_two_warnings() {
    let src = with_health(METRICS_YAML);
    let c = check(&src);
    let sc = c.scenario.as_ref().expect("valid");
    let ds = located(&src, &c.diagnostics);
    assert_eq!(ds.len(), 2, "{ds:?}");
    assert_eq!((ds[0].0, ds[0].1), (12, 3));
    assert!(
        ds[0].2.contains("`target` is not used by a simulation"),
        "{ds:?}"
    );
    assert_eq!((ds[1].0, ds[1].1), (14, 3));
    assert!(
        ds[1].2.contains("`queries` is not used by a simulation"),
        "{ds:?}"
    );
    assert!(ds[1].3.contains("`thresholds`"));
    assert!(c.diagnostics.iter().all(|d| !d.is_error()));
    // The auditor's defaults are ours: the pasted file changes nothing.
    let t = &sc.health.thresholds;
    assert_eq!(*t, loopsim_core::health::HealthThresholds::default());
    // And it runs.
    let mut sim = loopsim_core::Simulation::new(sc.clone());
    sim.run();
    assert_eq!(sim.report().health.status.as_str(), "HEALTHY");
}

#[test]
fn auditor_threshold_names_set_the_same_fields_as_ours() {
    let theirs = check(&with_health(
        "thresholds:\n  health_score_degraded: 300\n  health_score_critical: 900\n  \
         health_score_collapse: 2000\n  max_event_loop_lag_s: 0.25\n  max_blocking_duration_s: 2\n  \
         max_queue_wait_s: 0.5\n  max_threadpool_backlog: 5\n  max_active_requests: 80\n",
    ));
    let ours = check(&with_health(
        "thresholds:\n  degraded: 300\n  critical: 900\n  collapse_risk: 2000\n  \
         max_event_loop_lag: 250ms\n  max_blocking: 2s\n  max_queue_wait: 500ms\n  \
         max_backlog: 5\n  max_active: 80\n",
    ));
    assert!(theirs.diagnostics.is_empty(), "{:?}", theirs.diagnostics);
    let (a, b) = (theirs.scenario.unwrap(), ours.scenario.unwrap());
    assert_eq!(a.health.thresholds, b.health.thresholds);
    assert_eq!(a.health.thresholds.max_event_loop_lag_s, 0.25);
    assert_eq!(a.health.thresholds.max_active_requests, 80.0);
    // Both kinds of names side by side, each threshold once, is fine.
    let mixed = check(&with_health(
        "thresholds: { health_score_degraded: 300, critical: 900, lag_weight: 1000 }\n",
    ));
    assert!(mixed.diagnostics.is_empty(), "{:?}", mixed.diagnostics);
}

#[test]
fn a_threshold_given_both_ways_is_an_error_at_the_second() {
    let (l, c, m, h) = single_error("thresholds:\n  max_active: 100\n  max_active_requests: 150\n");
    assert_eq!((l, c), (14, 5));
    assert_eq!(
        m,
        "`max_active` and `max_active_requests` set the same threshold: give it once"
    );
    assert!(
        h.contains("async-runtime-auditor's name for `max_active`"),
        "{h}"
    );
    let (l, c, m, _) =
        single_error("thresholds: { max_event_loop_lag_s: 0.5, max_event_loop_lag: 1s }\n");
    assert_eq!((l, c), (12, 44));
    assert!(
        m.starts_with("`max_event_loop_lag` and `max_event_loop_lag_s`"),
        "{m}"
    );
}

#[test]
fn auditor_seconds_are_bare_numbers() {
    let (l, c, m, h) = single_error("thresholds: { max_queue_wait_s: 500ms }\n");
    assert_eq!((l, c), (12, 35));
    assert_eq!(
        m,
        "`max_queue_wait_s` is in seconds as a bare number, found `500ms`"
    );
    assert!(
        h.contains("`max_queue_wait`, which takes a duration"),
        "{h}"
    );
    let (_, _, m, _) = single_error("thresholds: { max_blocking_duration_s: 0 }\n");
    assert_eq!(
        m,
        "`max_blocking_duration_s` must be greater than 0, found `0`"
    );
    let (_, _, m, _) = single_error("thresholds: { max_threadpool_backlog: -1 }\n");
    assert!(m.contains("greater than 0"), "{m}");
}

#[test]
fn cut_offs_out_of_order_are_named_as_written() {
    let (l, c, m, _) = single_error("thresholds: { health_score_critical: 300 }\n");
    assert_eq!((l, c), (12, 40));
    assert_eq!(
        m,
        "`health_score_critical` (300) must be at least `degraded` (400, the default)"
    );
    let (_, _, m, _) =
        single_error("thresholds: { health_score_degraded: 500, health_score_critical: 450 }\n");
    assert_eq!(
        m,
        "`health_score_critical` (450) must be at least `health_score_degraded` (500)"
    );
}

#[test]
fn queries_must_be_a_mapping_of_text() {
    let (l, c, m, _) = single_error("queries: [up]\n");
    assert_eq!((l, c), (12, 12));
    assert!(m.starts_with("`queries` must be a mapping"), "{m}");
    let (l, c, m, _) = single_error("queries:\n  lag: { q: 1 }\n");
    assert_eq!((l, c), (13, 10));
    assert!(m.contains("query `lag`"), "{m}");
    let (_, _, m, _) = single_error("target:\n  - a\n");
    assert!(m.starts_with("`target` must be text"), "{m}");
}

#[test]
fn unknown_auditor_like_keys_get_a_did_you_mean() {
    let (_, _, m, h) = single_error("thresholds: { max_active_request: 150 }\n");
    assert!(m.contains("unknown key `max_active_request`"), "{m}");
    assert!(h.contains("max_active_requests"), "{h}");
}
