//! The `loopsim` binary as a user and a CI job meet it: output shapes and exit codes.

use std::path::PathBuf;
use std::process::{Command, Output};

fn loopsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loopsim"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("the loopsim binary runs")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).expect("stdout is one JSON object")
}

#[test]
fn run_json_has_the_documented_shape() {
    let o = loopsim(&["run", "scenarios/basics/one-event-loop.yaml", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = json(&o);
    for key in [
        "sent",
        "completed",
        "failed",
        "timed_out",
        "dropped",
        "in_flight",
    ] {
        assert!(r["requests"][key].is_u64(), "requests.{key}");
    }
    for key in ["mean", "p50", "p90", "p95", "p99", "max"] {
        assert!(r["latency_s"][key].is_f64(), "latency_s.{key}");
    }
    assert!(r["throughput_rps"].as_f64().unwrap() > 70.0);
    assert!(r["error_rate"].is_f64());
    let api = &r["services"]["api"];
    assert!(api["utilization"].is_f64());
    for key in ["mean", "p99", "max"] {
        assert!(api["loop_lag_s"][key].is_f64(), "loop_lag_s.{key}");
    }
    assert!(api["ready_queue"]["mean"].is_f64() && api["ready_queue"]["max"].is_u64());
    assert!(api["threadpool"]["queue_wait_s"]["mean"].is_null()); // no offload jobs here
    assert!(api["threadpool"]["backlog_max"].is_u64());
    assert!(api["active_requests_peak"].as_u64().unwrap() >= 1);
    assert!(r["note"].as_str().unwrap().contains("at or after warmup"));
}

#[test]
fn the_seed_flag_changes_the_numbers_and_the_same_seed_repeats_them() {
    let a = stdout(&loopsim(&[
        "run",
        "scenarios/basics/closed-users.yaml",
        "--json",
        "--seed",
        "5",
    ]));
    let b = stdout(&loopsim(&[
        "run",
        "scenarios/basics/closed-users.yaml",
        "--json",
        "--seed",
        "5",
    ]));
    let c = stdout(&loopsim(&[
        "run",
        "scenarios/basics/closed-users.yaml",
        "--json",
        "--seed",
        "6",
    ]));
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn text_report_is_readable() {
    let o = loopsim(&["run", "scenarios/basics/shop.yaml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for needle in [
        "Shop (seed 1)",
        "throughput",
        "latency",
        "gateway",
        "payments",
        "shoppers",
    ] {
        assert!(out.contains(needle), "missing `{needle}` in:\n{out}");
    }
}

/// The diagnosis comes before the tables, one line per statement, critical ones marked `!!`;
/// the auditor's verdict states its scale; `--json` carries the same sentences.
#[test]
fn the_diagnosis_tops_the_text_report_and_is_in_the_json() {
    let o = loopsim(&["run", "scenarios/guards/circuit-breaker.yaml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let diagnosis = out.find("\ndiagnosis\n").expect("a diagnosis block");
    let requests = out.find("\nrequests ").expect("the requests line");
    assert!(diagnosis < requests, "{out}");
    assert!(
        out.contains("  !! 36.51% of requests failed: 35.35% rejected by a circuit breaker"),
        "{out}"
    );
    assert!(out.contains("was open"), "{out}");
    assert!(
        out.contains("HEALTHY < 400 ≤ DEGRADED < 1200 ≤ CRITICAL < 2500 ≤ COLLAPSE_RISK"),
        "{out}"
    );
    let j = json(&loopsim(&[
        "run",
        "scenarios/guards/circuit-breaker.yaml",
        "--json",
    ]));
    let texts: Vec<&str> = j["diagnosis"]["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .map(|s| s["text"].as_str().expect("text"))
        .collect();
    for t in &texts {
        assert!(out.contains(t), "`{t}` not in the text report");
    }
}

/// A service offered four times what it can serve, with a low `max_in_flight`: the run stops
/// within a second of its two hours.
const OVERLOADED: &str = "version: 1\nname: Overloaded\nduration: 2h\nmax_in_flight: 100\n\
    workload:\n  - to: api\n    rate: 200/s\nservices:\n  api:\n    endpoints:\n      /:\n        - cpu: 20ms\n";

#[test]
fn an_early_stop_is_stated_first_and_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("overloaded.yaml");
    std::fs::write(&f, OVERLOADED).unwrap();
    let path = f.to_str().unwrap();

    let o = loopsim(&["run", path]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("STOPPED EARLY at ")
            && lines[0].ends_with(" s of 7200 s (max_in_flight)"),
        "the stop is the first line:\n{out}"
    );
    assert!(lines[1].contains("max_in_flight = 100"), "{out}");
    assert!(lines[2].contains("covers only the simulated part"), "{out}");
    let header = lines
        .iter()
        .position(|l| l.starts_with("Overloaded (seed 1)"));
    assert!(header.is_some_and(|h| h > 2), "{out}");
    assert!(!out.contains("WARNING:"), "{out}");
    assert!(
        stderr(&o).contains("the run stopped early at "),
        "{}",
        stderr(&o)
    );

    // With --json the report is on stdout, the line on stderr; a gate that passes keeps 0.
    let o = loopsim(&["run", path, "--json", "--fail-on", "collapse_risk"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = json(&o);
    assert_eq!(r["stopped"]["cause"], "max_in_flight");
    assert!(r["stopped"]["at_s"].as_f64().unwrap() < 7200.0);
    assert!(stderr(&o).contains("stopped early"), "{}", stderr(&o));

    // A complete run says nothing of the kind.
    let o = loopsim(&["run", "scenarios/basics/one-event-loop.yaml"]);
    assert!(!stdout(&o).contains("STOPPED") && !stderr(&o).contains("stopped early"));
    let o = loopsim(&["run", "scenarios/basics/one-event-loop.yaml", "--json"]);
    assert!(json(&o)["stopped"].is_null());
}

#[test]
fn figures_over_an_empty_measured_window_show_as_a_dash() {
    // Stopped before the warm-up ended: no time-weighted figure exists (null in JSON).
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("overloaded.yaml");
    std::fs::write(
        &f,
        OVERLOADED.replace("duration: 2h\n", "duration: 2h\nwarmup: 10s\n"),
    )
    .unwrap();
    let o = loopsim(&["run", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let api = out
        .lines()
        .find(|l| l.starts_with("  api "))
        .expect("the api row");
    assert_eq!(
        api.split_whitespace().skip(1).collect::<Vec<_>>(),
        ["—"; 9],
        "{out}"
    );
    let o = loopsim(&["run", f.to_str().unwrap(), "--json"]);
    let r = json(&o);
    assert!(r["services"]["api"]["utilization"].is_null());
}

#[test]
fn the_budget_is_summarised_in_readable_lines() {
    let o = loopsim(&["run", "scenarios/guards/llm-budget.yaml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let from = out.find("\ncost ").expect("a cost section") + 1;
    let section: Vec<&str> = out[from..].lines().take_while(|l| !l.is_empty()).collect();
    // The figures are the engine's; the shape is the CLI's: five lines, no list of times.
    assert_eq!(section.len(), 5, "{out}");
    let expected = [
        ("cost        total ", "llm "),
        (
            "budget      limit 1.2 over 10 min: spent ",
            "% used), OVER BUDGET",
        ),
        (
            "  forecast  ",
            "by the end of the period: reaches the limit",
        ),
        ("  events    warning at ", ", no spike"),
        ("  action    block assistant/summarize: first taken at ", ""),
    ];
    for (line, (start, part)) in section.iter().zip(expected) {
        assert!(
            line.starts_with(start) && line.contains(part),
            "`{line}` should start with `{start}` and contain `{part}`:\n{out}"
        );
    }
    assert!(section[3].contains(", breach at "), "{out}");
    assert!(
        !out.contains("_at_s") && !out.contains("{\""),
        "no raw JSON:\n{out}"
    );
}

#[test]
fn invalid_input_exits_2_with_a_located_message() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.yaml");
    std::fs::write(
        &f,
        "version: 1\nduration: 10s\nworkload:\n  - to: paymnts\n    arrivals: poisson\n    rate: 5/s\nservices:\n  payments:\n    endpoints:\n      /charge:\n        - cpu: 1ms\n",
    )
    .unwrap();
    let path = f.to_str().unwrap();
    for cmd in ["run", "validate"] {
        let o = loopsim(&[cmd, path]);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        let err = stderr(&o);
        assert!(err.contains("bad.yaml:4:"), "{err}");
        assert!(err.contains("payments"), "did-you-mean hint missing: {err}");
    }
}

#[test]
fn a_file_that_is_not_utf8_gets_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("latin1.yaml");
    // Latin-1 `é` (0xE9) on line 3 after CRLF line ends: `name: Caf` is 9 characters.
    std::fs::write(
        &f,
        b"version: 1\r\nduration: 10s\r\nname: Caf\xE9\r\nservices: {}\r\n",
    )
    .unwrap();
    for cmd in ["run", "validate"] {
        let o = loopsim(&[cmd, f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        let err = stderr(&o);
        let expected = format!(
            "{}:3:10: error: the file is not UTF-8: invalid byte 0xE9 at byte offset 36\n  hint: save the file as UTF-8",
            f.display()
        );
        assert!(err.starts_with(&expected), "{cmd}: {err}");
        assert!(stdout(&o).is_empty(), "{cmd}");
    }
}

#[test]
fn usage_errors_and_missing_files_exit_2() {
    assert_eq!(loopsim(&[]).status.code(), Some(2));
    assert_eq!(loopsim(&["bogus"]).status.code(), Some(2));
    for args in [
        &["run"][..],
        &["run", "a.yaml", "--jsn"],
        &["run", "a.yaml", "--seed", "x"],
        &["run", "a.yaml", "--fail-on", "sometimes"],
        &["validate"],
        &["schema", "extra"],
    ] {
        let o = loopsim(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&o).starts_with("error: "),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(stdout(&o).is_empty(), "{args:?}");
    }
    let o = loopsim(&["run", "a.yaml", "--fail-on", "degraded,sometimes"]);
    assert!(
        stderr(&o).contains("degraded, critical, collapse_risk, slo"),
        "the accepted levels are named: {}",
        stderr(&o)
    );
    let o = loopsim(&["run", "no/such/file.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read"));
}

#[test]
fn help_and_version_print_to_stdout_and_exit_0() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["help"],
        &["help", "run"],
        &["run", "--help"],
        &["run", "-h"],
        &["validate", "--help"],
        &["schema", "--help"],
    ] {
        let o = loopsim(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        let out = stdout(&o);
        assert!(out.contains("Usage: loopsim"), "{args:?}: {out}");
    }
    let top = stdout(&loopsim(&["--help"]));
    for needle in ["run", "validate", "schema", "Exit codes"] {
        assert!(top.contains(needle), "missing `{needle}` in:\n{top}");
    }
    let run = stdout(&loopsim(&["run", "--help"]));
    for needle in [
        "--seed",
        "--json",
        "--series",
        "--html",
        "--fail-on",
        "collapse_risk",
    ] {
        assert!(run.contains(needle), "missing `{needle}` in:\n{run}");
    }
    let version = format!("loopsim {}\n", env!("CARGO_PKG_VERSION"));
    for args in [&["--version"][..], &["-V"], &["version"]] {
        let o = loopsim(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        assert_eq!(stdout(&o), version, "{args:?}");
    }
}

#[test]
fn validate_accepts_every_gallery_scenario() {
    // scenarios/<section>/<file>.yaml: one directory per gallery section.
    let mut checked = 0;
    for section in std::fs::read_dir(repo().join("scenarios")).unwrap() {
        let section = section.unwrap().path();
        assert!(section.is_dir(), "{}: not a section", section.display());
        for entry in std::fs::read_dir(&section).unwrap() {
            let path = entry.unwrap().path();
            let o = loopsim(&["validate", path.to_str().unwrap()]);
            assert!(o.status.success(), "{}: {}", path.display(), stderr(&o));
            checked += 1;
        }
    }
    assert!(checked > 30, "only {checked} gallery files found");
}

#[test]
fn schema_is_json() {
    let o = loopsim(&["schema"]);
    assert!(o.status.success());
    let s = json(&o);
    assert!(s["properties"]["services"].is_object());
}

#[test]
fn series_csv_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.csv");
    let o = loopsim(&[
        "run",
        "scenarios/basics/one-event-loop.yaml",
        "--series",
        f.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let csv = std::fs::read_to_string(f).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with("t_s,sent_rps,ok_rps"));
    assert!(header.contains("api.loop_lag_max_s"));
    assert_eq!(csv.lines().count(), 1 + 600); // sample_every defaults to 1 s for 600 s
}

#[test]
fn fail_on_gates_ci_by_health() {
    // Starvation: CRITICAL or worse, so `degraded` and `critical` fail, exit 1 with a reason.
    for level in ["degraded", "critical"] {
        let o = loopsim(&[
            "run",
            "scenarios/failure-modes/event-loop-starvation.yaml",
            "--fail-on",
            level,
        ]);
        assert_eq!(o.status.code(), Some(1), "--fail-on {level}");
        assert!(stderr(&o).contains("gate failed"), "{}", stderr(&o));
    }
    // A healthy run passes the strictest gate; SLO gating with no SLO passes.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("ok.yaml");
    std::fs::write(
        &f,
        "version: 1\nduration: 60s\nworkload:\n  - to: api\n    rate: 50/s\nservices:\n  api:\n    endpoints:\n      /:\n        - cpu: 2ms\n",
    )
    .unwrap();
    let o = loopsim(&["run", f.to_str().unwrap(), "--fail-on", "degraded,slo"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Invalid input stays exit 2 even with a gate.
    let o = loopsim(&["run", "no/such.yaml", "--fail-on", "degraded"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn json_includes_health_slo_and_guards() {
    let o = loopsim(&[
        "run",
        "scenarios/failure-modes/event-loop-starvation.yaml",
        "--json",
    ]);
    let r = json(&o);
    let h = &r["health"];
    assert!(h["status"].is_string() && h["score"].is_f64());
    assert!(h["failure_modes"].is_array() && h["findings"].is_array());
    assert!(h["timeline"].as_array().unwrap().len() > 10);
    assert!(r["slo"].is_array());
    assert!(r["guards"].is_array() && r["faults"].is_array());
    assert!(r["goodput_rps"].is_f64());
}

/// Two pools of one service: `db` (2 connections for the whole service, a 40 ms timeout)
/// around a 20 ms query at 80% of what it can serve, so requests queue and some time out; and
/// a roomy `upstream_http` pool per worker.
const POOLED: &str = "version: 1\nname: Pooled\nduration: 30s\nwarmup: 2s\n\
    workload:\n  - to: api\n    rate: 80/s\n\
    services:\n  api:\n    workers: 2\n    pools:\n\
    \x20     db: { size: 2, timeout: 40ms, scope: service }\n\
    \x20     upstream_http: { size: 50, scope: worker }\n\
    \x20   endpoints:\n      /:\n\
    \x20       - with: upstream_http\n          steps: [ { io: 1ms } ]\n\
    \x20       - with: db\n          steps: [ { io: 20ms } ]\n";

/// A table's cells: runs of text separated by two spaces or more, with the character column
/// each ends at.
fn cells(line: &str) -> Vec<(String, usize)> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == ' ' {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !(chars[i] == ' ' && chars.get(i + 1).is_none_or(|c| *c == ' ')) {
            i += 1;
        }
        out.push((chars[start..i].iter().collect(), i));
    }
    out
}

#[test]
fn pools_get_an_aligned_table_and_only_when_declared() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("pooled.yaml");
    std::fs::write(&f, POOLED).unwrap();
    let o = loopsim(&["run", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == "pools")
        .expect("a pools table");
    assert!(
        lines.iter().position(|l| *l == "services").unwrap() < at,
        "after the services:\n{out}"
    );
    let header = cells(lines[at + 1]);
    let names: Vec<&str> = header.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        names,
        [
            "service",
            "pool",
            "size",
            "util",
            "wait mean",
            "wait p99",
            "queue mean",
            "queue max",
            "timeouts",
            "full"
        ],
        "{out}"
    );
    let rows: Vec<Vec<(String, usize)>> = lines[at + 2..at + 4].iter().map(|l| cells(l)).collect();
    let (db, http) = (&rows[0], &rows[1]);
    assert_eq!(db[0].0, "api");
    assert_eq!(db[1].0, "db");
    assert_eq!(db[2].0, "2 × 1 (service)");
    assert_eq!(http[1].0, "upstream_http");
    assert_eq!(http[2].0, "50 × 2 (worker)");
    for row in &rows {
        assert_eq!(row.len(), header.len(), "{out}");
        // Names start under their header, figures end under theirs.
        for (i, ((_, end), (_, head_end))) in row.iter().zip(&header).enumerate().skip(3) {
            assert_eq!(end, head_end, "column {i} is aligned:\n{out}");
        }
    }
    let start = |line: &str, cell: &str| line[..line.find(cell).unwrap()].chars().count();
    assert_eq!(
        start(lines[at + 3], "upstream_http"),
        start(lines[at + 1], "pool")
    );
    assert_eq!(start(lines[at + 3], "50 × 2"), start(lines[at + 1], "size"));
    // The db pool queues and times out; the roomy one never makes anyone wait long.
    let util: f64 = db[3].0.trim_end_matches('%').parse().unwrap();
    assert!(util > 60.0, "{out}");
    let timeouts: u64 = db[8].0.parse().unwrap();
    assert!(timeouts > 0, "{out}");
    assert_eq!(http[8].0, "0");
    assert!(
        out.contains("pool_timeout "),
        "the failures name the kind:\n{out}"
    );

    // The JSON has the same figures.
    let r = json(&loopsim(&["run", f.to_str().unwrap(), "--json"]));
    let p = &r["services"]["api"]["pools"]["db"];
    assert_eq!(p["timeouts"].as_u64(), Some(timeouts));
    assert!(r["errors"]["pool_timeout"].as_u64().unwrap() > 0);

    // Without pools there is no such table.
    let out = stdout(&loopsim(&["run", "scenarios/basics/one-event-loop.yaml"]));
    assert!(
        !out.lines().any(|l| l == "pools" || l.contains("pools:")),
        "{out}"
    );
}

/// Workloads of several priorities get a table per priority class; one class gets none.
#[test]
fn priority_classes_are_listed_when_there_are_several() {
    let o = loopsim(&["run", "scenarios/guards/priority-pool.yaml"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.contains("\npriorities\n"), "{text}");
    assert!(
        text.contains("  priority 0 ") && text.contains("  priority 1 "),
        "{text}"
    );
    let single = stdout(&loopsim(&["run", "scenarios/basics/one-event-loop.yaml"]));
    assert!(!single.contains("priorities"), "{single}");
}

#[test]
fn html_writes_one_self_contained_report_with_the_diagnosis() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("report.html");
    let o = loopsim(&[
        "run",
        "scenarios/failure-modes/retry-storm.yaml",
        "--json",
        "--html",
        f.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = json(&o);
    let html = std::fs::read_to_string(&f).unwrap();
    assert!(html.starts_with("<!doctype html>") && html.trim_end().ends_with("</html>"));
    // Nothing is fetched and nothing runs: no scripts, links, images or remote URLs.
    let lower = html.to_ascii_lowercase();
    for banned in [
        "<script", "<link", "<img", "<iframe", "src=", "href=", "@import",
    ] {
        assert!(!lower.contains(banned), "{banned}");
    }
    // `url(` only for references inside the file (the diagram's arrowheads).
    assert!(lower
        .match_indices("url(")
        .all(|(i, _)| lower[i..].starts_with("url(#")));
    // The diagnosis's statements, in the report's words.
    let first = report["diagnosis"]["statements"][0]["text"]
        .as_str()
        .unwrap();
    // Escaped, its `code` as <code>.
    let escaped = first
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .split('`')
        .enumerate()
        .map(|(k, piece)| {
            if k % 2 == 1 {
                format!("<code>{piece}</code>")
            } else {
                piece.to_string()
            }
        })
        .collect::<String>();
    assert!(html.contains(&escaped), "{first}");
    assert!(html.contains("What happened") && html.contains("<svg"));
}

#[test]
fn html_escapes_names_from_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("x.yaml");
    std::fs::write(
        &scenario,
        "version: 1\nname: \"</title><script>alert(1)</script>\"\nduration: 5s\nworkload:\n\
         \x20 - to: api\n    rate: 10/s\nservices:\n  api:\n    endpoints:\n      /:\n\
         \x20       - cpu: 1ms\n",
    )
    .unwrap();
    let f = dir.path().join("r.html");
    let o = loopsim(&[
        "run",
        scenario.to_str().unwrap(),
        "--html",
        f.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(&f).unwrap();
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[test]
fn html_to_an_unwritable_place_exits_1() {
    let o = loopsim(&[
        "run",
        "scenarios/basics/one-event-loop.yaml",
        "--html",
        "/nonexistent-dir/r.html",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cannot write /nonexistent-dir/r.html"));
}

#[test]
fn convert_prints_a_scenario_that_validate_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("exp-002.json");
    std::fs::write(
        &profile,
        "{\"id\": \"EXP-002\", \"agents\": 400, \"workers\": 4, \"buffer\": 80, \"drop_rate\": 0.20,\n \"notes\": \"x\"}\n",
    )
    .unwrap();
    for args in [
        vec!["convert", profile.to_str().unwrap()],
        vec![
            "convert",
            profile.to_str().unwrap(),
            "--from",
            "agent-chaos",
        ],
    ] {
        let o = loopsim(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let yaml = stdout(&o);
        assert!(
            yaml.contains("users: 400") && yaml.contains("max_queue: 80"),
            "{yaml}"
        );
        // The unknown key is a located warning and a comment in the YAML.
        let err = stderr(&o);
        assert!(
            err.contains("exp-002.json:2:2: warning: not mapped: `notes`"),
            "{err}"
        );
        assert!(yaml.contains("# not mapped (ignored): notes"), "{yaml}");
        let native = dir.path().join("exp-002.yaml");
        std::fs::write(&native, &yaml).unwrap();
        let v = loopsim(&["validate", native.to_str().unwrap()]);
        assert_eq!(v.status.code(), Some(0), "{}", stderr(&v));
        assert!(stdout(&v).contains(": ok (1 services, 1 workloads)"));
    }
}

#[test]
fn convert_rejects_bad_input_with_a_located_message() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\n  \"agents\": -400,\n  \"workers\": 4,\n  \"buffer\": 80,\n  \"drop_rate\": 0.2\n}\n",
    )
    .unwrap();
    let o = loopsim(&["convert", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty());
    let err = stderr(&o);
    assert!(err.contains("bad.json:2:13: error:"), "{err}");
    assert!(err.contains("hint:"), "{err}");

    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\n  \"agents\": 400,\n  \"workers\": [4,\n}\n").unwrap();
    for from in [&[][..], &["--from", "agent-chaos"][..]] {
        let mut args = vec!["convert", broken.to_str().unwrap()];
        args.extend_from_slice(from);
        let o = loopsim(&args);
        assert_eq!(o.status.code(), Some(2));
        let err = stderr(&o);
        assert!(
            err.contains("broken.json:") && err.contains(": error:"),
            "{err}"
        );
    }

    // Unknown formats: named, or not recognisable from the content.
    let o = loopsim(&["convert", bad.to_str().unwrap(), "--from", "locust"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown format `locust`"),
        "{}",
        stderr(&o)
    );
    let o = loopsim(&["convert", "scenarios/seeds/agent-chaos-exp-002.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot tell which format"),
        "{}",
        stderr(&o)
    );
}

// --- asyncflow ---

/// `loopsim run` converts an AsyncFlow payload recognised from its content (or named with
/// `--from asyncflow`) and runs it; a conversion error stops it with the located message.
#[test]
fn run_converts_and_runs_an_asyncflow_payload() {
    let payload = "tests/asyncflow/examples/single_server.yml";
    for args in [
        vec!["run", payload, "--json"],
        vec!["run", payload, "--json", "--from", "asyncflow"],
    ] {
        let o = loopsim(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("converted from asyncflow"), "{err}");
        assert!(
            err.contains("single_server.yml:50:3: warning: not mapped: `sample_period_s`"),
            "{err}"
        );
        let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let mean = report["latency_s"]["mean"].as_f64().unwrap();
        // 9 ms of edges + 1 ms CPU + 100 ms I/O (AsyncFlow 0.1.1: 110.0 ms).
        assert!((mean - 0.110).abs() < 0.001, "{mean}");
    }
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yml");
    std::fs::write(&bad, "rqs_input: { id: g }\ntopology_graph: {}\n").unwrap();
    let o = loopsim(&["run", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("bad.yml:1:12: error: `rqs_input` has no `avg_active_users`"),
        "{err}"
    );
}

/// `--replications 20`: every figure with its interval. One event loop is M/M/1 at ρ = 0.8,
/// W = 1/(100 − 80) = 50 ms; the 95% half-width is about 0.7 ms, and 3 half-widths (a 99.99%
/// interval at 19 degrees of freedom) must reach the analytic value.
#[test]
fn replications_print_means_with_intervals() {
    let file = repo().join("scenarios/basics/one-event-loop.yaml");
    let o = loopsim(&[
        "run",
        file.to_str().unwrap(),
        "--replications",
        "20",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mean = v["latency_s"]["mean"].as_f64().unwrap();
    let half = v["latency_s"]["mean_ci"]["half_width"].as_f64().unwrap();
    assert_eq!(v["latency_s"]["mean_ci"]["n"], 20);
    assert!(half > 0.0 && half < 0.002, "half-width {half}");
    assert!((mean - 0.05).abs() < 3.0 * half, "{mean} ± {half}");
    assert_eq!(v["replications"]["seeds"].as_array().unwrap().len(), 20);
    assert_eq!(v["replications"]["seeds"][0], v["seed"]);
    // No progress bar when stderr is not a terminal.
    assert_eq!(stderr(&o), "");
    let text = loopsim(&["run", file.to_str().unwrap(), "--replications", "20"]);
    let out = String::from_utf8(text.stdout).unwrap();
    assert!(out.contains("20 replications"), "{out}");
    // Every figure with its interval: the summary, the service, workload and endpoint rows.
    let line = |start: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("no `{start}` line in\n{out}"))
            .to_string()
    };
    for start in [
        "Latency of successes: mean",
        "p99",
        "Goodput",
        "Error rate",
        "api ",
    ] {
        assert!(line(start).contains(" ± "), "{}", line(start));
    }
    assert!(
        out.contains("Endpoints") && line("api/").contains(" ± "),
        "{out}"
    );
    // The text's mean is the JSON's (49.4 ms: three significant digits).
    let shown = format!("{:.1} ms ±", mean * 1e3);
    assert!(
        line("Latency of successes: mean").contains(&shown),
        "{shown}"
    );
}

/// `--batches N`: one run's steady-state means with batch-means intervals. The M/M/1 loop of
/// `one-event-loop.yaml` (W = 1/(μ − λ) = 50 ms, U = 0.8) — its 95% intervals contain both.
#[test]
fn batch_means_give_steady_state_intervals() {
    let file = repo().join("scenarios/basics/one-event-loop.yaml");
    let o = loopsim(&["run", file.to_str().unwrap(), "--batches", "20", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let b = &v["batch_means"];
    assert_eq!(b["batches"], 20);
    let fig = |name: &str| {
        let f = b["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {b}"))
            .clone();
        (
            f["mean"].as_f64().unwrap(),
            f["half_width"].as_f64().unwrap(),
        )
    };
    let (w, hw) = fig("latency_mean_s");
    assert!((w - 0.050).abs() <= hw && hw < 0.01, "{w} ± {hw}");
    let (u, hu) = fig("api.utilization");
    assert!((u - 0.8).abs() <= hu, "{u} ± {hu}");
    let text = loopsim(&["run", file.to_str().unwrap(), "--batches", "20"]);
    let out = String::from_utf8(text.stdout).unwrap();
    assert!(out.contains("batch means (20 batches"), "{out}");
    // More batches than the run has sample intervals: refused with a hint, not guessed.
    let bad = loopsim(&["run", file.to_str().unwrap(), "--batches", "1000"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("hint: use fewer batches"),
        "{}",
        stderr(&bad)
    );
}

/// `replications:` in the scenario replicates without the flag; `--replications 1` runs it
/// once; a single-run output asked of a replicated scenario is refused with the way out.
#[test]
fn the_scenario_can_ask_for_replications() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.yaml");
    std::fs::write(
        &file,
        "version: 1\nreplications: 3\nwarmup: auto\nduration: 60s\nsample_every: 1s\n\
         workload:\n  - { to: api, rate: 50/s }\n\
         services:\n  api:\n    endpoints:\n      /: [ { cpu: 10ms } ]\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let o = loopsim(&["run", f, "--threads", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains(": 3 replications"), "{out}");
    assert!(out.contains("warm-up (auto, MSER-5"), "{out}");
    let once = loopsim(&["run", f, "--replications", "1"]);
    let out = String::from_utf8(once.stdout).unwrap();
    assert!(out.contains("warm-up") && out.contains("(auto: "), "{out}");
    let bad = loopsim(&["run", f, "--series", "x.csv"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("add `--replications 1`"),
        "{}",
        stderr(&bad)
    );
}

/// `--json` writes the report's keys in the report's order — `stopped` first, so that no
/// reader misses an early stop — with or without `--batches` (whose object comes last).
#[test]
fn json_keeps_the_reports_key_order() {
    let file = repo().join("scenarios/basics/one-event-loop.yaml");
    for extra in [&[][..], &["--batches", "5"][..]] {
        let mut args = vec!["run", file.to_str().unwrap(), "--json"];
        args.extend_from_slice(extra);
        let o = loopsim(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = String::from_utf8(o.stdout).unwrap();
        let at = |key: &str| out.find(&format!("\n  \"{key}\"")).unwrap_or(usize::MAX);
        assert!(
            at("scenario") < at("stopped") && at("stopped") < at("requests"),
            "{out}"
        );
        if !extra.is_empty() {
            assert!(at("health") < at("batch_means") && at("batch_means") < usize::MAX);
        }
    }
}
