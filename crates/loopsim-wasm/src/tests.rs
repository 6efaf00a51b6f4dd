//! Native tests of the plain-Rust layer.

use super::*;

const ONE_LOOP: &str = include_str!("../../../scenarios/basics/one-event-loop.yaml");
const SHOP: &str = include_str!("../../../scenarios/basics/shop.yaml");

/// A short, fast valid scenario.
const SMALL: &str = "\
version: 1
name: Small
description: Two services.
duration: 20s
warmup: 2s
sample_every: 1s
workload:
  - to: api
    arrivals: poisson
    rate: 200/s
    timeout: 1s
services:
  api:
    endpoints:
      /:
        - cpu: { dist: exponential, mean: 2ms }
        - call: db/q
  db:
    endpoints:
      /q:
        - io: { dist: exponential, mean: 5ms }
";

/// The text between two UTF-16 offsets, decoded as a JS/CodeMirror host would do it.
fn utf16_slice(source: &str, from: u32, to: u32) -> String {
    let units: Vec<u16> = source.encode_utf16().collect();
    String::from_utf16(&units[from as usize..to as usize]).expect("valid slice")
}

#[test]
fn positions_after_non_ascii_lines_are_utf16_offsets() {
    // é: 2 bytes / 1 unit, ☕: 3 bytes / 1 unit, 😀: 4 bytes / 2 units.
    let src = "version: 1\nname: Café ☕ 😀\nduration: 10s\nworkload:\n  - to: api\n    \
               arrivals: poisson\n    rate: 10/s\nservices:\n  api:\n    endpoints:\n      /:\n        \
               - cpu: { dist: exponential, mean: 10ms }\n        - frobnicate: 1\n";
    let diags = validate(src);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    assert_eq!(d.severity, "error");
    assert!(d.message.contains("frobnicate"), "{}", d.message);
    assert!(d.hint.is_some());
    assert_eq!(
        (d.line, d.column, d.end_line, d.end_column),
        (13, 11, 13, 21)
    );
    let byte = src.find("frobnicate").expect("present") as u32;
    assert_eq!(byte, 205);
    assert_eq!(
        (d.from, d.to),
        (200, 210),
        "5 bytes more than UTF-16 units before the error"
    );
    assert_eq!(utf16_slice(src, d.from, d.to), "frobnicate");
    assert_eq!(d.render(), format!("13:11: {}", d.message));
}

#[test]
fn positions_on_a_line_with_non_ascii_text_count_characters_and_utf16_units() {
    let src = "version: 1\nduration: 10s\nworkload:\n  \
               - { name: Café☕😀, to: nowhere, arrivals: poisson, rate: 10/s }\n\
               services:\n  api:\n    endpoints:\n      /:\n        - cpu: 1ms\n";
    let diags = validate(src);
    let d = diags.iter().find(|d| d.is_error()).expect("an error");
    assert!(d.message.contains("nowhere"), "{diags:#?}");
    assert_eq!(utf16_slice(src, d.from, d.to), "nowhere");
    let line = src.lines().nth(3).expect("line 4");
    let col_chars = line[..line.find("nowhere").expect("present")]
        .chars()
        .count() as u32
        + 1;
    assert_eq!((d.line, d.column), (4, col_chars));
    // Characters and UTF-16 units differ by one here (the emoji is a surrogate pair).
    let line_start_utf16 = src[..src.find("  - {").expect("present")]
        .encode_utf16()
        .count() as u32;
    assert_eq!(d.from, line_start_utf16 + col_chars - 1 + 1);
}

#[test]
fn valid_scenarios_have_no_errors() {
    for src in [ONE_LOOP, SHOP, SMALL] {
        let diags = validate(src);
        assert!(diags.iter().all(|d| !d.is_error()), "{diags:#?}");
    }
}

#[test]
fn schema_is_the_core_schema_and_json() {
    assert_eq!(schema(), loopsim_core::schema::SCENARIO_SCHEMA);
    let v: serde_json::Value = serde_json::from_str(schema()).expect("schema is JSON");
    assert!(v.get("properties").is_some());
}

#[test]
fn invalid_scenario_gives_diagnostics_not_a_session() {
    let src = "version: 1\nduration: -5s\nworkload: []\nservices: {}\n";
    let diags = Session::new(src, None).err().expect("invalid");
    assert!(!diags.is_empty());
    assert!(diags.iter().any(DiagnosticOut::is_error));
    for d in &diags {
        assert!(d.line >= 1 && d.column >= 1 && d.from <= d.to, "{d:?}");
        assert!((d.line, d.column) <= (d.end_line, d.end_column), "{d:?}");
    }
    assert_eq!(diags, validate(src));
}

#[test]
fn a_did_you_mean_carries_its_fix_in_utf16_offsets() {
    let src = "version: 1\nname: ☕ 😀\nduration: 10s\nworkload:\n  - to: apj\n    rate: 10/s\n\
               services:\n  api:\n    endpoints:\n      /:\n        - cpu: 1ms\n";
    let diags = validate(src);
    let d = diags
        .iter()
        .find(|d| d.message.contains("apj"))
        .expect("an error");
    let fix = d.fix.as_ref().expect("a fix");
    assert_eq!((fix.text.as_str(), fix.replaces.as_str()), ("api", "apj"));
    let utf16: Vec<u16> = src.encode_utf16().collect();
    let at = String::from_utf16(&utf16[fix.from as usize..fix.to as usize]).expect("utf16");
    assert_eq!(at, "apj");
    assert_eq!((fix.from, fix.to), (d.from, d.to));
}

#[test]
fn diagnostics_serialise_with_snake_case_keys_and_null_hint() {
    let d = DiagnosticOut {
        severity: "warning",
        message: "m".into(),
        hint: None,
        fix: None,
        line: 1,
        column: 2,
        end_line: 3,
        end_column: 4,
        from: 5,
        to: 6,
    };
    assert_eq!(
        serde_json::to_string(&d).expect("serialises"),
        r#"{"severity":"warning","message":"m","hint":null,"fix":null,"line":1,"column":2,"end_line":3,"end_column":4,"from":5,"to":6}"#
    );
}

#[test]
fn session_steps_monotonically_to_the_end() {
    let mut s = Session::new(SMALL, None).expect("valid");
    assert_eq!(s.scenario_name(), "Small");
    assert_eq!(s.scenario_description(), "Two services.");
    let start = s.snapshot();
    assert_eq!((start.now_s, start.events, start.finished), (0.0, 0, false));
    assert_eq!(start.duration_s, 20.0);
    let mut last = start;
    let mut calls = 0;
    while !s.is_finished() {
        let p = s.step_time(0.7);
        let snap = s.snapshot();
        assert!(snap.now_s >= last.now_s && snap.events >= last.events);
        assert!(snap.sent >= last.sent && snap.completed >= last.completed);
        assert!(snap.series_len >= last.series_len);
        assert!((0.0..=1.0).contains(&snap.progress));
        assert_eq!(snap.sent, snap.completed + snap.failed + snap.in_flight);
        assert_eq!(p.events, snap.events);
        assert_eq!(p.stepped, snap.events - last.events);
        assert_eq!(p.now_s, snap.now_s);
        // Time advances by dt (or to the end) when the event cap is not hit.
        assert!(
            (snap.now_s - (last.now_s + 0.7).min(20.0)).abs() < 1e-6,
            "{snap:?}"
        );
        last = snap;
        calls += 1;
        assert!(calls < 100);
    }
    assert_eq!(
        (last.now_s, last.progress, last.finished),
        (20.0, 1.0, true)
    );
    assert_eq!(last.series_len, 20);
    assert!(last.sent > 3000);
    // Stepping a finished session does nothing.
    let p = s.step_time(5.0);
    assert_eq!((p.stepped, p.finished), (0, true));
    assert_eq!(s.step_events(1000).stepped, 0);
    assert_eq!(s.run_to_end().stepped, 0);
}

#[test]
fn stepping_is_deterministic_whatever_the_slicing() {
    let mut a = Session::new(SMALL, None).expect("valid");
    a.run_to_end();
    let mut b = Session::new(SMALL, None).expect("valid");
    while !b.step_events(777).finished {}
    let mut c = Session::new(SMALL, None).expect("valid");
    while !c.step_time(0.013).finished {}
    assert_eq!(a.report_json(), b.report_json());
    assert_eq!(a.report_json(), c.report_json());
    assert_eq!(a.series_csv(), c.series_csv());
}

#[test]
fn hostile_step_arguments_are_harmless() {
    let mut s = Session::new(SMALL, None).expect("valid");
    for dt in [f64::NAN, -1.0, 0.0, -f64::INFINITY, f64::MIN_POSITIVE] {
        let p = s.step_time(dt);
        assert_eq!((p.stepped, p.now_s), (0, 0.0), "dt = {dt}");
    }
    assert_eq!(s.step_events(0).stepped, 0);
    let p = s.step_events(10);
    assert_eq!(p.stepped, 10);
    // Infinity and huge budgets run to the end here, as the run is below the cap.
    let p = s.step_time(f64::INFINITY);
    assert!(p.finished && p.stepped <= MAX_EVENTS_PER_CALL);
    assert!(s.series_since(usize::MAX).columns.iter().all(Vec::is_empty));
}

#[test]
fn work_per_call_is_capped() {
    let mut s = Session::new(SMALL, None).expect("valid");
    // SMALL has ~4000 requests × a few events each: well below the cap, so compare counts.
    let p = s.step_events(u64::MAX);
    assert!(p.finished);
    assert!(p.stepped <= MAX_EVENTS_PER_CALL);
    // A run with more events than the cap needs several calls.
    let big = SMALL
        .replace("duration: 20s", "duration: 20000s")
        .replace("sample_every: 1s\n", "");
    let mut s = Session::new(&big, None).expect("valid");
    let p = s.step_time(f64::INFINITY);
    assert_eq!(p.stepped, MAX_EVENTS_PER_CALL);
    assert!(!p.finished && p.now_s < 20000.0);
    let p = s.step_events(u64::MAX);
    assert_eq!(p.stepped, MAX_EVENTS_PER_CALL);
}

#[test]
fn series_since_returns_only_new_rows() {
    let mut s = Session::new(SMALL, None).expect("valid");
    let names = s.series_names();
    assert_eq!(names[0], "t_s");
    let mut collected: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let mut next = 0;
    while !s.is_finished() {
        s.step_time(2.5);
        let chunk = s.series_since(next);
        assert_eq!(chunk.start, next);
        assert_eq!(chunk.columns.len(), names.len());
        let rows = chunk.columns[0].len();
        assert!(chunk.columns.iter().all(|c| c.len() == rows));
        assert_eq!(next + rows, s.series_len());
        assert!(rows <= 3, "only the rows of the last 2.5 s, got {rows}");
        for (all, new) in collected.iter_mut().zip(chunk.columns) {
            all.extend(new);
        }
        next += rows;
    }
    let whole = s.series_since(0);
    assert_eq!(whole.start, 0);
    // NaN stays NaN: compare bit patterns.
    let bits = |cols: &[Vec<f64>]| -> Vec<Vec<u64>> {
        cols.iter()
            .map(|c| c.iter().map(|v| v.to_bits()).collect())
            .collect()
    };
    assert_eq!(bits(&collected), bits(&whole.columns));
    assert_eq!(
        whole.columns[0],
        (1..=20).map(f64::from).collect::<Vec<_>>()
    );
    let past = s.series_since(999);
    assert_eq!(past.start, 20);
    assert!(past.columns.iter().all(Vec::is_empty));
}

#[test]
fn report_json_is_serde_json_of_the_report() {
    let mut s = Session::new(SHOP, Some(7)).expect("valid");
    s.run_to_end();
    let report = s.report();
    assert_eq!(report.seed, 7);
    assert_eq!(
        s.report_json(),
        serde_json::to_string_pretty(&report).expect("serialises")
    );
    let v: serde_json::Value = serde_json::from_str(&s.report_json()).expect("JSON");
    assert!(v["requests"]["sent"].as_u64().expect("a count") > 0);
    assert!(v["services"]["gateway"].is_object());
}

#[test]
fn series_csv_matches_the_cli_format() {
    let mut s = Session::new(SMALL, None).expect("valid");
    s.run_to_end();
    let csv = s.series_csv();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some(s.series_names().join(",").as_str()));
    assert_eq!(lines.count(), 20);
    assert!(csv.ends_with('\n'));
    let mut series = Series::new(vec!["t_s".into(), "p99".into()]);
    series.push_row(&[1.0, f64::NAN]);
    series.push_row(&[2.0, 0.5]);
    assert_eq!(series_csv(&series), "t_s,p99\n1,\n2,0.5\n");
}

#[test]
fn seed_override_changes_the_run() {
    let run = |seed| {
        let mut s = Session::new(SMALL, seed).expect("valid");
        s.run_to_end();
        s.report()
    };
    assert_eq!(run(None).seed, 1);
    assert_eq!(run(Some(1)), run(None));
    assert_ne!(run(Some(2)).requests, run(Some(1)).requests);
}

/// An overloaded service (about 140 requests/s offered, 100/s served) behind a low
/// `max_in_flight`: the run stops a few seconds into its two hours.
pub(crate) const STOPS_EARLY: &str = "\
version: 1
name: Stops early
duration: 2h
max_in_flight: 200
workload:
  - to: api
    arrivals: poisson
    rate: 140/s
services:
  api:
    endpoints:
      /:
        - cpu: 10ms
";

#[test]
fn an_early_stop_is_in_the_snapshot_and_progress_stays_where_it_stopped() {
    let mut s = Session::new(STOPS_EARLY, None).expect("valid");
    assert_eq!(s.snapshot().stopped, None);
    let p = s.step_time(60.0);
    assert!(p.finished, "{p:?}");
    assert_eq!(p.stopped, Some(StopCause::MaxInFlight));
    let stop = s.stopped().expect("stopped").clone();
    assert_eq!(stop.cause, StopCause::MaxInFlight);
    assert!(stop.at_s > 0.5 && stop.at_s < 30.0, "{stop:?}");
    assert!(
        stop.message.contains("max_in_flight = 200"),
        "{}",
        stop.message
    );
    let snap = s.snapshot();
    assert!(snap.finished);
    assert_eq!(snap.stopped, Some(StopCause::MaxInFlight));
    assert_eq!(snap.now_s, stop.at_s);
    assert_eq!(snap.duration_s, 7200.0);
    // Not a full bar: the fraction of the scenario that was simulated.
    assert!(
        (snap.progress - stop.at_s / 7200.0).abs() < 1e-12,
        "{snap:?}"
    );
    assert_eq!(s.report().stopped, Some(stop));
    let v: serde_json::Value = serde_json::from_str(&s.report_js_json()).expect("JSON");
    assert_eq!(v["stopped"]["cause"], "max_in_flight");
    assert_eq!(
        serde_json::to_value(snap).expect("JSON")["stopped"],
        "max_in_flight"
    );
    // A complete run has a full bar and no stop.
    let mut full = Session::new(SMALL, None).expect("valid");
    full.run_to_end();
    let snap = full.snapshot();
    assert_eq!((snap.progress, snap.stopped), (1.0, None));
    assert!(full.stopped().is_none());
}

#[test]
fn the_js_report_carries_the_seed_as_an_exact_decimal_string() {
    for seed in [0, 1, 9_007_199_254_740_993, u64::MAX] {
        let mut s = Session::new(SMALL, Some(seed)).expect("valid");
        s.step_time(1.0);
        let js = s.report_js_json();
        let v: serde_json::Value = serde_json::from_str(&js).expect("JSON");
        assert_eq!(v["seed"], serde_json::Value::String(seed.to_string()));
        // Nothing else differs from the CLI's JSON.
        let mut cli: serde_json::Value = serde_json::from_str(&s.report_json()).expect("JSON");
        assert_eq!(cli["seed"].as_u64(), Some(seed));
        cli["seed"] = serde_json::Value::String(seed.to_string());
        assert_eq!(v, cli);
        assert_eq!(
            js.lines().nth(2),
            Some(format!("  \"seed\": \"{seed}\",").as_str())
        );
    }
    // A scenario name that looks like a seed line does not fool it.
    let tricky = SMALL.replace("name: Small", "name: \"x\\n  \\\"seed\\\": 5,\"");
    let mut s = Session::new(&tricky, Some(5)).expect("valid");
    s.step_time(1.0);
    let v: serde_json::Value = serde_json::from_str(&s.report_js_json()).expect("JSON");
    assert_eq!(v["seed"], "5");
    assert_eq!(v["scenario"], "x\n  \"seed\": 5,");
}

#[test]
fn seeds_parse_from_decimal_text_exactly() {
    assert_eq!(parse_seed("0"), Ok(0));
    assert_eq!(parse_seed(" 9007199254740993 "), Ok(9_007_199_254_740_993));
    assert_eq!(parse_seed("18446744073709551615"), Ok(u64::MAX));
    for bad in [
        "",
        " ",
        "-1",
        "+1",
        "1.5",
        "1e3",
        "0x10",
        "18446744073709551616",
        "１",
    ] {
        let e = parse_seed(bad).expect_err(bad);
        assert!(e.contains("whole number"), "{e}");
    }
}

fn assert_rejected(src: &str, what: &str) {
    let diags = validate(src);
    assert!(
        diags.iter().any(DiagnosticOut::is_error),
        "{what}: no error"
    );
    for d in &diags {
        assert!(
            d.from <= d.to && d.line >= 1 && d.column >= 1,
            "{what}: {d:?}"
        );
        assert!(d.to as usize <= src.encode_utf16().count(), "{what}: {d:?}");
    }
    assert!(Session::new(src, None).is_err(), "{what}: accepted");
}

#[test]
fn hostile_inputs_give_diagnostics_not_panics() {
    assert_rejected("", "empty");
    assert_rejected("---\n", "empty document");
    assert_rejected("\0\0\0", "NUL bytes");
    assert_rejected("\u{feff}version: 1\n\t- :\n", "BOM and tab");
    assert_rejected(&"a".repeat(8 << 20), "8 MiB of text");
    assert_rejected(
        &format!("x: {}\n", "é".repeat(1 << 20)),
        "2 MiB of non-ASCII",
    );
    assert_rejected(&"[".repeat(100_000), "deep flow nesting");
    assert_rejected(&"- ".repeat(10_000), "deep block nesting");
    let mut laughs = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..20 {
        laughs.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = if i == 1 {
                String::new()
            } else {
                (i - 1).to_string()
            }
        ));
    }
    assert_rejected(&laughs, "billion laughs");
    assert_rejected(
        &SMALL
            .replace("rate: 200/s", "rate: 1e15/s")
            .replace("duration: 20s", "duration: 30d"),
        "absurd load",
    );
    assert_rejected(
        &SMALL.replace("duration: 20s", "duration: 99999999999999999999999s"),
        "huge duration",
    );
    assert_rejected(
        &SMALL.replace("sample_every: 1s", "sample_every: 1ns"),
        "too many series points",
    );
    assert_rejected(
        &SMALL.replace("    rate: 200/s", "    rate: NaN/s"),
        "NaN rate",
    );
}

#[test]
fn every_prefix_of_a_gallery_scenario_is_handled() {
    // Truncated and half-typed documents are what an editor sends on every keystroke.
    for src in [ONE_LOOP, SHOP] {
        for (i, _) in src.char_indices().step_by(3) {
            let prefix = &src[..i];
            let diags = validate(prefix);
            for d in &diags {
                assert!(d.from <= d.to && d.to as usize <= prefix.encode_utf16().count());
            }
            if let Ok(mut s) = Session::new(prefix, None) {
                s.step_events(1000);
            }
        }
    }
}
