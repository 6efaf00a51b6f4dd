//! `loopsim run FILE --report auditor`: the run's health in async-runtime-auditor's JSON
//! report shape, whose top level agrees with loopsim's own verdict.

use std::path::PathBuf;
use std::process::{Command, Output};

fn loopsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loopsim"))
        .args(args)
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .output()
        .expect("the loopsim binary runs")
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("stdout is one JSON object")
}

const STARVATION: &str = "scenarios/failure-modes/event-loop-starvation.yaml";

/// The auditor's keys, in its order.
const KEYS: [&str; 11] = [
    "status",
    "score",
    "p99_latency_ms",
    "max_event_loop_lag_ms",
    "blocking_events",
    "avg_blocking_duration_s",
    "peak_active_requests",
    "threadpool_queue_wait_s",
    "threadpool_backlog",
    "failure_modes",
    "findings",
];

fn has_the_auditors_keys(o: &serde_json::Value) {
    for k in KEYS {
        assert!(o.get(k).is_some(), "no `{k}` in {o}");
    }
    assert!(o["status"].is_string() && o["score"].is_f64());
    assert!(o["blocking_events"].is_u64());
    for m in o["failure_modes"].as_array().unwrap() {
        assert!(m["type"].is_string() && m["severity"].is_string());
        assert!(m["description"].is_string());
    }
    assert!(o["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f.is_string()));
}

#[test]
fn report_auditor_prints_the_auditors_shape_for_the_worst_window() {
    let a = json(&loopsim(&["run", STARVATION, "--report", "auditor"]));
    has_the_auditors_keys(&a);
    let ours = json(&loopsim(&["run", STARVATION, "--json"]));
    // The top level is the run's verdict: the same status and score as loopsim's own report.
    assert_eq!(a["status"], ours["health"]["status"]);
    assert_eq!(a["score"], ours["health"]["score"]);
    assert_eq!(a["status"], "COLLAPSE_RISK");
    assert_eq!(a["service"], "api");
    let (start, end) = (
        a["window_start_s"].as_f64().unwrap(),
        a["window_end_s"].as_f64().unwrap(),
    );
    assert_eq!(end - start, 10.0);
    // 1.2 s exports block the loop: the auditor's starvation failure mode and findings.
    assert_eq!(a["avg_blocking_duration_s"], 1.2);
    assert!(a["max_event_loop_lag_ms"].as_f64().unwrap() > 1200.0);
    assert_eq!(a["failure_modes"][0]["type"], "EVENT_LOOP_STARVATION");
    assert_eq!(a["failure_modes"][0]["severity"], "HIGH");
    assert_eq!(a["findings"][0], "Event-loop starvation detected.");
    assert_eq!(a["findings"][1], "Long synchronous blocking detected.");
    // One object per service, and the whole run with every service merged.
    let services = a["services"].as_array().unwrap();
    assert_eq!(services.len(), 1);
    has_the_auditors_keys(&services[0]);
    assert_eq!(services[0]["score"], a["score"]);
    has_the_auditors_keys(&a["whole_run"]);
    assert!(a["whole_run"].get("service").is_none());
    assert_eq!(
        a["whole_run"]["score"],
        ours["health"]["whole_run"]["score"]
    );
}

#[test]
fn report_auditor_and_json_do_not_go_together() {
    let o = loopsim(&["run", STARVATION, "--report", "auditor", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let o = loopsim(&["run", STARVATION, "--report", "prometheus"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("auditor"));
}

/// A scenario whose `health:` is the auditor's `metrics.yaml` pasted unchanged runs, says on
/// stderr that `target` and `queries` are not used, and gates CI as the auditor would.
#[test]
fn a_pasted_metrics_yaml_runs_and_gates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pasted.yaml");
    let scenario = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../".to_string() + STARVATION),
    )
    .unwrap();
    let pasted = format!(
        "{scenario}health:\n  target: \"http://localhost:9090\"\n  queries:\n    event_loop_lag: \
         \"max_over_time(asyncio_event_loop_lag_seconds[15m])\"\n  thresholds:\n    \
         health_score_collapse: 2500\n    health_score_critical: 1200\n    \
         health_score_degraded: 400\n    max_event_loop_lag_s: 0.5\n    max_active_requests: 150\n"
    );
    std::fs::write(&path, pasted).unwrap();
    let p = path.to_str().unwrap();
    let o = loopsim(&["run", p, "--report", "auditor", "--fail-on", "critical"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warning: `target` is not used by a simulation"),
        "{err}"
    );
    assert!(
        err.contains("warning: `queries` is not used by a simulation"),
        "{err}"
    );
    let a: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(a["status"], "COLLAPSE_RISK");
}
