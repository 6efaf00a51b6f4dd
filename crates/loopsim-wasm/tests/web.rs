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
    let mut sim = Simulation::new(SMALL, None).expect("valid");
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
    let mut sim = Simulation::new(SMALL, Some(3.0)).expect("valid");
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
        s.report_json()
    });
    assert!(sim.series_csv().starts_with("t_s,"));
}

#[wasm_bindgen_test]
fn hostile_arguments_do_not_throw() {
    let mut sim = Simulation::new(SMALL, None).expect("valid");
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
    let err = match Simulation::new(bad, None) {
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
    assert!(Simulation::new(&huge, None).is_err());
    assert!(Simulation::new(&"a".repeat(4 << 20), None).is_err());
    for seed in [-1.0, 0.5, f64::NAN, f64::INFINITY, 1e300] {
        let e = Simulation::new(SMALL, Some(seed))
            .err()
            .expect("bad seed rejected");
        assert!(e.is_instance_of::<js_sys::Error>());
    }
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
    let mut sim = Simulation::new(&one_event_loop_60s(), Some(GOLDEN_SEED as f64)).expect("valid");
    let mut steps = 0;
    while get(&sim.step_time(0.25), "finished") != JsValue::TRUE {
        steps += 1;
    }
    assert!(steps > 100);
    assert_same_text(
        &(sim.report_json() + "\n"),
        GOLDEN_REPORT,
        "the wasm32 report",
    );
    assert_eq!(
        fnv1a64(sim.series_csv().as_bytes()),
        GOLDEN_SERIES_FNV,
        "the series CSV hash"
    );
}
