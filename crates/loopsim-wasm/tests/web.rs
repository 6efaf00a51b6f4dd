//! Browser tests of the JS API, in headless Chromium:
//!
//! ```sh
//! CHROMEDRIVER=/usr/bin/chromedriver cargo test -p loopsim-wasm --target wasm32-unknown-unknown
//! ```
//!
//! (`.cargo/config.toml` makes `wasm-bindgen-test-runner` the runner; it starts Chrome headless
//! and without sandbox itself, and `webdriver.json` in this crate adds `--disable-gpu`.)
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::{Array, Float64Array, Reflect, JSON};
use loopsim_wasm::js::{schema, validate, Simulation};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SMALL: &str = "\
version: 1
name: Small ☕
duration: 20s
warmup: 2s
sample_every: 1s
workload:
  - to: api
    arrivals: poisson
    rate: 200/s
services:
  api:
    endpoints:
      /:
        - cpu: { dist: exponential, mean: 2ms }
";

fn get(v: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(v.clone(), |o, k| {
        Reflect::get(&o, &JsValue::from_str(k)).expect("get")
    })
}

fn num(v: &JsValue, path: &str) -> f64 {
    get(v, path)
        .as_f64()
        .unwrap_or_else(|| panic!("{path} is not a number"))
}

#[wasm_bindgen_test]
fn a_run_to_the_end_reports_requests() {
    let mut sim = Simulation::new(SMALL, JsValue::UNDEFINED).expect("valid");
    assert_eq!(sim.scenario_name(), "Small ☕");
    let p = sim.run_to_end();
    assert_eq!(get(&p, "finished"), JsValue::TRUE);
    let report = sim.report();
    assert!(num(&report, "requests.sent") > 0.0);
    assert_eq!(
        get(&report, "scenario").as_string().as_deref(),
        Some("Small ☕")
    );
    // Plain objects (not `Map`s), `null` for missing values: the CLI JSON's shape.
    assert!(get(&report, "services.api").is_object());
    assert!(get(&report, "stopped").is_null());
    let again = JSON::stringify(&report)
        .expect("stringify")
        .as_string()
        .expect("string");
    let reparsed = JSON::parse(&sim.report_json()).expect("parse");
    assert_eq!(
        again,
        JSON::stringify(&reparsed)
            .expect("stringify")
            .as_string()
            .expect("string")
    );
    let snap = sim.snapshot();
    assert_eq!(num(&snap, "progress"), 1.0);
    assert_eq!(num(&snap, "now_s"), 20.0);
    assert_eq!(num(&snap, "series_len"), 20.0);
}

#[wasm_bindgen_test]
fn stepping_and_series_since_return_only_new_rows() {
    let mut sim = Simulation::new(SMALL, JsValue::from_f64(3.0)).expect("valid");
    let names = sim.series_names();
    assert_eq!(names[0], "t_s");
    let mut next = 0.0;
    let mut last_now = 0.0;
    let mut t = Vec::new();
    loop {
        let p = sim.step_time(1.5);
        assert!(num(&p, "now_s") >= last_now);
        last_now = num(&p, "now_s");
        let chunk = sim.series_since(next);
        assert_eq!(num(&chunk, "start"), next);
        let columns: Array = get(&chunk, "columns").dyn_into().expect("array");
        assert_eq!(columns.length() as usize, names.len());
        let first: Float64Array = columns.get(0).dyn_into().expect("Float64Array");
        assert!(first.length() <= 2, "only new rows");
        t.extend(first.to_vec());
        next += f64::from(first.length());
        if get(&p, "finished") == JsValue::TRUE {
            break;
        }
    }
    assert_eq!(t, (1..=20).map(f64::from).collect::<Vec<_>>());
    let past = sim.series_since(1e9);
    assert_eq!(num(&past, "start"), 20.0);
    assert_eq!(sim.report_json(), {
        let mut s = loopsim_wasm::Session::new(SMALL, Some(3)).expect("valid");
        s.run_to_end();
        s.report_js_json()
    });
    assert!(sim.series_csv().starts_with("t_s,"));
}

#[wasm_bindgen_test]
fn hostile_arguments_do_not_throw() {
    let mut sim = Simulation::new(SMALL, JsValue::UNDEFINED).expect("valid");
    for dt in [f64::NAN, -1.0, f64::NEG_INFINITY] {
        assert_eq!(num(&sim.step_time(dt), "stepped"), 0.0);
    }
    assert_eq!(num(&sim.step_events(f64::NAN), "stepped"), 0.0);
    assert_eq!(num(&sim.step_events(-5.0), "stepped"), 0.0);
    assert_eq!(num(&sim.step_events(10.0), "stepped"), 10.0);
    let _ = sim.series_since(f64::NAN);
    let _ = sim.series_since(-1.0);
    assert_eq!(
        get(&sim.step_time(f64::INFINITY), "finished"),
        JsValue::TRUE
    );
}

#[wasm_bindgen_test]
fn invalid_scenarios_throw_an_error_carrying_diagnostics() {
    let bad = "version: 1\nname: Café ☕😀\nduration: 10s\nworkload:\n  - to: nowhere\n    \
               arrivals: poisson\n    rate: 10/s\nservices:\n  api:\n    endpoints:\n      /:\n        \
               - cpu: 1ms\n";
    let err = match Simulation::new(bad, JsValue::UNDEFINED) {
        Ok(_) => panic!("accepted an invalid scenario"),
        Err(e) => e,
    };
    let err: js_sys::Error = err.dyn_into().expect("a JS Error");
    let message = err.message().as_string().expect("message");
    assert!(message.starts_with("5:9: "), "{message}");
    assert!(message.contains("nowhere"), "{message}");
    let diags: Array = get(&err, "diagnostics").dyn_into().expect("array");
    assert!(diags.length() >= 1);
    let d = diags.get(0);
    assert_eq!(get(&d, "severity").as_string().as_deref(), Some("error"));
    assert_eq!((num(&d, "line"), num(&d, "column")), (5.0, 9.0));
    // UTF-16 offsets, as JS strings count: slicing the source with them gives the token.
    let js_source = js_sys::JsString::from(bad);
    let token = js_source.slice(num(&d, "from") as u32, num(&d, "to") as u32);
    assert_eq!(String::from(token), "nowhere");
    assert!(get(&d, "hint").is_null() || get(&d, "hint").is_string());
    // validate() returns the same objects.
    let v: Array = validate(bad).dyn_into().expect("array");
    assert_eq!(
        JSON::stringify(&v).expect("json").as_string(),
        JSON::stringify(&diags).expect("json").as_string()
    );
    assert_eq!(Array::from(&validate(SMALL)).length(), 0);
}

#[wasm_bindgen_test]
fn hostile_input_gives_diagnostics() {
    let huge = "[".repeat(100_000);
    let v: Array = validate(&huge).dyn_into().expect("array");
    assert!(v.length() >= 1);
    assert!(Simulation::new(&huge, JsValue::UNDEFINED).is_err());
    assert!(Simulation::new(&"a".repeat(4 << 20), JsValue::UNDEFINED).is_err());
    for seed in [-1.0, 0.5, f64::NAN, f64::INFINITY, 1e300] {
        let e = Simulation::new(SMALL, JsValue::from_f64(seed))
            .err()
            .expect("bad seed rejected");
        assert!(e.is_instance_of::<js_sys::Error>());
    }
}

fn error_message(e: JsValue) -> String {
    e.dyn_into::<js_sys::Error>()
        .expect("a JS Error")
        .message()
        .as_string()
        .expect("message")
}

/// Seeds past 2^53 cross the boundary exactly: in as a BigInt or a decimal string, out as a
/// decimal string in `report()` and `reportJson()`.
#[wasm_bindgen_test]
fn seeds_above_2_pow_53_survive_js() {
    const SEED: u64 = 9_007_199_254_740_993; // 2^53 + 1: the number 9007199254740993 is 2^53
    let expected = loopsim_wasm::Session::new(SMALL, Some(SEED))
        .map(|mut s| {
            s.step_time(3.0);
            s.report_js_json()
        })
        .expect("valid");
    for given in [
        JsValue::from(js_sys::BigInt::from(SEED)),
        JsValue::from_str("9007199254740993"),
        JsValue::from_str(" 9007199254740993 "),
    ] {
        let mut sim = Simulation::new(SMALL, given.clone()).expect("accepted");
        sim.step_time(3.0);
        let report = sim.report();
        assert_eq!(
            get(&report, "seed").as_string().as_deref(),
            Some("9007199254740993"),
            "{given:?}"
        );
        assert!(sim
            .report_json()
            .contains("\n  \"seed\": \"9007199254740993\",\n"));
        assert_eq!(sim.report_json(), expected);
        let reparsed = JSON::parse(&sim.report_json()).expect("parse");
        assert_eq!(
            get(&reparsed, "seed").as_string().as_deref(),
            Some("9007199254740993")
        );
    }
    // The largest u64, as a BigInt and as text.
    let max = Simulation::new(SMALL, JsValue::from(js_sys::BigInt::from(u64::MAX))).expect("ok");
    assert_eq!(
        get(&max.report(), "seed").as_string(),
        Some(u64::MAX.to_string())
    );
    assert!(Simulation::new(SMALL, JsValue::from_str("18446744073709551615")).is_ok());
    // Small seeds are strings too (one type for every seed); numbers up to 2^53-1 are taken.
    let sim = Simulation::new(SMALL, JsValue::from_f64(9_007_199_254_740_991.0)).expect("safe");
    assert_eq!(
        get(&sim.report(), "seed").as_string().as_deref(),
        Some("9007199254740991")
    );
    let sim = Simulation::new(SMALL, JsValue::NULL).expect("null = the scenario's seed");
    assert_eq!(get(&sim.report(), "seed").as_string().as_deref(), Some("1"));
    // An unsafe integer number was already rounded by JS: refused, saying what to pass.
    let e = Simulation::new(SMALL, JsValue::from_f64(9_007_199_254_740_992.0))
        .err()
        .expect("unsafe integer refused");
    let m = error_message(e);
    assert!(
        m.contains("2^53-1") && m.contains("BigInt") && m.contains("string"),
        "{m}"
    );
    // Out of range or not decimal.
    for bad in [
        JsValue::from(js_sys::BigInt::from(-1i64)),
        JsValue::from(js_sys::BigInt::from(u128::from(u64::MAX) + 1)),
        JsValue::from_str("18446744073709551616"),
        JsValue::from_str("-1"),
        JsValue::from_str("1e3"),
        JsValue::from_str(""),
        JsValue::TRUE,
        js_sys::Object::new().into(),
    ] {
        let e = Simulation::new(SMALL, bad.clone())
            .err()
            .unwrap_or_else(|| panic!("{bad:?} accepted"));
        assert!(error_message(e).contains("seed"));
    }
}

/// A run that hits `max_in_flight` says so in its progress, snapshot and report, and its
/// progress is where it stopped.
#[wasm_bindgen_test]
fn an_early_stop_is_reported_and_progress_is_not_full() {
    let yaml = "version: 1\nname: Stops early\nduration: 2h\nmax_in_flight: 200\nworkload:\n  \
                - to: api\n    arrivals: poisson\n    rate: 140/s\nservices:\n  api:\n    \
                endpoints:\n      /:\n        - cpu: 10ms\n";
    let mut sim = Simulation::new(yaml, JsValue::UNDEFINED).expect("valid");
    assert!(get(&sim.snapshot(), "stopped").is_null());
    let p = sim.step_time(f64::INFINITY);
    assert_eq!(get(&p, "finished"), JsValue::TRUE);
    assert_eq!(
        get(&p, "stopped").as_string().as_deref(),
        Some("max_in_flight")
    );
    let snap = sim.snapshot();
    assert_eq!(
        get(&snap, "stopped").as_string().as_deref(),
        Some("max_in_flight")
    );
    let report = sim.report();
    let at = num(&report, "stopped.at_s");
    assert!(at > 0.0 && at < 60.0, "stopped at {at}");
    assert_eq!(
        get(&report, "stopped.cause").as_string().as_deref(),
        Some("max_in_flight")
    );
    assert!(get(&report, "stopped.message")
        .as_string()
        .is_some_and(|m| m.contains("max_in_flight = 200")));
    assert_eq!(num(&snap, "now_s"), at);
    assert!((num(&snap, "progress") - at / 7200.0).abs() < 1e-12);
    assert!(num(&snap, "progress") < 0.01);
}

#[wasm_bindgen_test]
fn schema_is_json() {
    let parsed = JSON::parse(&schema()).expect("schema parses");
    assert!(get(&parsed, "properties").is_object());
}

/// wasm32 computes the same bits as x86_64: the report (and series) of a gallery scenario
/// equal the golden files written by the native test `golden.rs`.
#[wasm_bindgen_test]
fn report_is_bit_identical_to_the_native_golden_file() {
    let mut sim = Simulation::new(&one_event_loop_60s(), JsValue::from_f64(GOLDEN_SEED as f64))
        .expect("valid");
    let mut steps = 0;
    while get(&sim.step_time(0.25), "finished") != JsValue::TRUE {
        steps += 1;
    }
    assert!(steps > 100);
    // The JS report is the CLI's JSON with the seed as a string; the plain layer's is the
    // CLI's JSON itself.
    assert_same_text(
        &(sim.session().report_json() + "\n"),
        GOLDEN_REPORT,
        "the wasm32 report",
    );
    assert_eq!(
        sim.report_json() + "\n",
        GOLDEN_REPORT.replacen("\n  \"seed\": 1,\n", "\n  \"seed\": \"1\",\n", 1)
    );
    assert_eq!(
        fnv1a64(sim.series_csv().as_bytes()),
        GOLDEN_SERIES_FNV,
        "the series CSV hash"
    );
}
