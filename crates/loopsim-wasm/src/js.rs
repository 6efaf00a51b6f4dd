//! The JS API: `#[wasm_bindgen]` wrappers over the plain layer.
//!
//! ```js
//! import init, { validate, schema, Simulation } from "./loopsim_wasm.js";
//! await init();
//! const diags = validate(yaml);            // [{severity, message, hint, line, column, ...}]
//! let sim;
//! try { sim = new Simulation(yaml, 42); }  // seed optional: a number ≤ 2^53-1, a BigInt
//! catch (e) { console.log(e.message, e.diagnostics); } // (42n) or a decimal string ("42")
//! let next = 0;
//! while (!sim.stepTime(0.5).finished) {
//!   const { start, columns } = sim.seriesSince(next); // Float64Array per column, NaN = missing
//!   next = start + columns[0].length;
//! }
//! const report = sim.report();             // the shape of `loopsim run --json`, seed a string
//! sim.free();
//! ```
//!
//! Object keys are snake_case (as in the Rust structs and the CLI JSON); method names are
//! camelCase. No function here panics on any input: errors become JS exceptions.
//!
//! Seeds are `u64`: past 2^53 a JS number cannot hold one exactly, so the report carries the
//! seed as a decimal string (`"seed": "9007199254740993"`) and the constructor takes a BigInt
//! or a decimal string as well as a safe-integer number (an unsafe integer number is refused
//! rather than silently rounded).

use js_sys::{Array, BigInt, Error, Float64Array, Object, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::{DiagnosticOut, ProgressOut, Session, SnapshotOut};

/// Largest integer a JS number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

fn install_panic_hook() {
    // Last-resort diagnostics only: a panic would be a bug, and it still aborts the instance.
    console_error_panic_hook::set_once();
}

/// Serialises with plain objects for maps and `null` for `None`, like `JSON.parse` would give.
fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

fn diagnostics_to_js(diagnostics: &[DiagnosticOut]) -> JsValue {
    let array = Array::new();
    for d in diagnostics {
        array.push(&to_js(d));
    }
    array.into()
}

fn set(object: &Object, key: &str, value: impl Into<JsValue>) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(key), &value.into());
}

/// Counts are `u64` in Rust; JS gets numbers (exact below 2^53, which no run reaches).
fn num(n: u64) -> JsValue {
    JsValue::from_f64(n as f64)
}

fn progress_to_js(p: ProgressOut) -> JsValue {
    let o = Object::new();
    set(&o, "now_s", p.now_s);
    set(&o, "progress", p.progress);
    set(&o, "events", num(p.events));
    set(&o, "stepped", num(p.stepped));
    set(&o, "finished", p.finished);
    set(&o, "stopped", stop_cause(p.stopped));
    o.into()
}

/// `"max_in_flight"`, `"stalled_clock"` or `null`.
fn stop_cause(cause: Option<loopsim_core::report::StopCause>) -> JsValue {
    cause.map_or(JsValue::NULL, |c| JsValue::from_str(c.name()))
}

/// A seed from JS: `undefined`/`null` (the scenario's own), a number that is an integer in
/// `0..=2^53-1`, a BigInt in `0..=2^64-1`, or a string of decimal digits in that range.
fn seed_from_js(seed: &JsValue) -> Result<Option<u64>, String> {
    if seed.is_undefined() || seed.is_null() {
        return Ok(None);
    }
    if let Some(s) = seed.as_f64() {
        let shown = js_sys::Number::from(s)
            .to_string_with_radix(10)
            .map_or_else(|_| s.to_string(), String::from);
        return if s.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER).contains(&s) {
            Ok(Some(s as u64))
        } else if s.fract() == 0.0 && s > MAX_SAFE_INTEGER && s.is_finite() {
            Err(format!(
                "seed {shown} is above 2^53-1 (Number.MAX_SAFE_INTEGER), where JS numbers are \
                 not exact; pass it as a BigInt (123n) or a decimal string (\"123\")"
            ))
        } else {
            Err(format!(
                "seed must be a whole number from 0 to 2^53-1 (or a BigInt or decimal string \
                 up to 2^64-1), got {shown}"
            ))
        };
    }
    if seed.is_bigint() {
        let digits = BigInt::from(seed.clone())
            .to_string(10)
            .map(String::from)
            .unwrap_or_default();
        return crate::parse_seed(&digits).map(Some).map_err(|_| {
            format!(
                "seed must be a BigInt from 0n to {}n, got {digits}n",
                u64::MAX
            )
        });
    }
    if let Some(text) = seed.as_string() {
        return crate::parse_seed(&text).map(Some);
    }
    Err(String::from(
        "seed must be a number, a BigInt or a decimal string",
    ))
}

fn snapshot_to_js(s: SnapshotOut) -> JsValue {
    let o = Object::new();
    set(&o, "now_s", s.now_s);
    set(&o, "duration_s", s.duration_s);
    set(&o, "progress", s.progress);
    set(&o, "events", num(s.events));
    set(&o, "sent", num(s.sent));
    set(&o, "completed", num(s.completed));
    set(&o, "failed", num(s.failed));
    set(&o, "in_flight", num(s.in_flight));
    set(&o, "finished", s.finished);
    set(&o, "stopped", stop_cause(s.stopped));
    set(&o, "series_len", num(s.series_len as u64));
    o.into()
}

/// A JS `Error` whose `message` is the first error as `line:col: message` and whose
/// `diagnostics` property holds every diagnostic object.
fn diagnostics_error(diagnostics: &[DiagnosticOut]) -> JsValue {
    let message = diagnostics
        .iter()
        .find(|d| d.is_error())
        .map_or_else(|| String::from("invalid scenario"), DiagnosticOut::render);
    let error = Error::new(&message);
    let _ = Reflect::set(
        &error,
        &JsValue::from_str("diagnostics"),
        &diagnostics_to_js(diagnostics),
    );
    error.into()
}

/// Checks a scenario: an array of diagnostic objects `{severity, message, hint, fix, line,
/// column, end_line, end_column, from, to}` (`from`/`to` in UTF-16 code units; `fix` is
/// `{from, to, text, replaces}` or `null`), empty when valid.
#[wasm_bindgen]
pub fn validate(yaml: &str) -> JsValue {
    install_panic_hook();
    diagnostics_to_js(&crate::validate(yaml))
}

/// The scenario JSON Schema, as JSON text.
#[wasm_bindgen]
pub fn schema() -> String {
    crate::schema().to_owned()
}

/// Most events one `stepTime`/`stepEvents` call processes.
#[wasm_bindgen(js_name = maxEventsPerCall)]
pub fn max_events_per_call() -> f64 {
    crate::MAX_EVENTS_PER_CALL as f64
}

/// One simulation run. Call `free()` when done with it.
#[wasm_bindgen]
pub struct Simulation {
    session: Session,
}

#[wasm_bindgen]
impl Simulation {
    /// `seed` (optional) overrides the scenario's: a number that is an integer in
    /// `0..=2^53-1`, or — for any `u64` — a BigInt (`9007199254740993n`) or a decimal string
    /// (`"9007199254740993"`). Throws an `Error` with a `diagnostics` array when the scenario
    /// is invalid, or a plain `Error` when the seed is not one of those (an integer number
    /// above 2^53-1 is refused: JS has already rounded it).
    #[wasm_bindgen(constructor)]
    pub fn new(
        yaml: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "number | bigint | string | null")]
        seed: JsValue,
    ) -> Result<Simulation, JsValue> {
        install_panic_hook();
        let seed = seed_from_js(&seed).map_err(|m| JsValue::from(Error::new(&m)))?;
        Session::new(yaml, seed)
            .map(|session| Simulation { session })
            .map_err(|d| diagnostics_error(&d))
    }

    /// Warnings found in a valid scenario (same objects as `validate` returns).
    pub fn warnings(&self) -> JsValue {
        diagnostics_to_js(self.session.warnings())
    }

    #[wasm_bindgen(getter, js_name = scenarioName)]
    pub fn scenario_name(&self) -> String {
        self.session.scenario_name().to_owned()
    }

    #[wasm_bindgen(getter, js_name = scenarioDescription)]
    pub fn scenario_description(&self) -> String {
        self.session.scenario_description().to_owned()
    }

    /// Advances simulated time by `dt` seconds (at most `maxEventsPerCall()` events). Returns
    /// `{now_s, progress, events, stepped, finished}`.
    #[wasm_bindgen(js_name = stepTime)]
    pub fn step_time(&mut self, dt: f64) -> JsValue {
        progress_to_js(self.session.step_time(dt))
    }

    /// Processes up to `n` events (at most `maxEventsPerCall()`); NaN or negative means 0.
    #[wasm_bindgen(js_name = stepEvents)]
    pub fn step_events(&mut self, n: f64) -> JsValue {
        // `as` saturates and maps NaN to 0.
        progress_to_js(self.session.step_events(n as u64))
    }

    /// Runs to the end in one call (blocks the page until done).
    #[wasm_bindgen(js_name = runToEnd)]
    pub fn run_to_end(&mut self) -> JsValue {
        progress_to_js(self.session.run_to_end())
    }

    /// `{now_s, duration_s, progress, events, sent, completed, failed, in_flight, finished,
    /// series_len}`.
    pub fn snapshot(&self) -> JsValue {
        snapshot_to_js(self.session.snapshot())
    }

    #[wasm_bindgen(js_name = seriesNames)]
    pub fn series_names(&self) -> Vec<String> {
        self.session.series_names()
    }

    /// `{start, columns}`: rows `start..` of every column as one `Float64Array` each (NaN for
    /// missing values), in `seriesNames()` order. Copies only the new rows.
    #[wasm_bindgen(js_name = seriesSince)]
    pub fn series_since(&self, index: f64) -> JsValue {
        let index = index as usize; // saturating; NaN and negatives give 0
        let series = self.session.series();
        let columns = Array::new();
        for (_, rows) in series.rows_since(index) {
            columns.push(&Float64Array::from(rows).into());
        }
        let o = Object::new();
        set(&o, "start", num(index.min(series.len()) as u64));
        set(&o, "columns", columns);
        o.into()
    }

    /// The report as a JS object: `JSON.parse(reportJson())`, the CLI's `--json` shape with
    /// `seed` a decimal string (exact past 2^53).
    pub fn report(&self) -> JsValue {
        js_sys::JSON::parse(&self.session.report_js_json()).unwrap_or(JsValue::NULL)
    }

    /// The report as pretty JSON text: `loopsim run --json` (less its final newline), byte for
    /// byte but for `seed`, which is a decimal string here (`"seed": "42"`) so that
    /// `JSON.parse` keeps it exact.
    #[wasm_bindgen(js_name = reportJson)]
    pub fn report_json(&self) -> String {
        self.session.report_js_json()
    }

    /// The whole series as CSV, as `loopsim run --series FILE` writes it.
    #[wasm_bindgen(js_name = seriesCsv)]
    pub fn series_csv(&self) -> String {
        self.session.series_csv()
    }
}

impl Simulation {
    /// The plain-Rust session inside (for Rust code and tests).
    pub fn session(&self) -> &Session {
        &self.session
    }
}
