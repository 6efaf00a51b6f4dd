//! # loopsim-wasm
//!
//! The WebAssembly facade of [`loopsim_core`], modelled on Ruff's `ruff_wasm`: one small crate,
//! two layers.
//!
//! 1. **The plain-Rust layer** (this module): [`validate`], [`schema`] and [`Session`]. No
//!    `JsValue` anywhere, so other Rust crates (the web UI) call it directly and native tests
//!    exercise it. Depend with `default-features = false` to get only this layer.
//! 2. **The JS API** (module `js`, cargo feature `js`, on by default): `#[wasm_bindgen]` wrappers
//!    over the plain layer — `validate`, `schema` and the `Simulation` class. It compiles on every
//!    target (so clippy checks it natively) but is only meaningful on `wasm32-unknown-unknown`.
//!
//! ## Conventions
//! - Field names of every serialised object (diagnostics, snapshots, progress, the report) are
//!   **snake_case**, exactly as in the Rust structs and the CLI's `--json` output.
//! - Diagnostics carry `line`/`column` (1-based, columns counted in Unicode characters, as the
//!   CLI prints them) and `from`/`to`: offsets in **UTF-16 code units** from the start of the
//!   source, which is what CodeMirror (and every JS string API) uses.
//! - Times are seconds (`f64`).
//! - The seed is a `u64`, which a JS number cannot hold exactly past 2^53. Everything that
//!   reaches JS carries it as a **decimal string**: [`report_to_js_json`] (what the JS API's
//!   `report()`/`reportJson()` return) writes `"seed": "9007199254740993"`, and [`parse_seed`]
//!   reads one back. [`Session::report_json`] stays byte for byte the CLI's `--json` (a number).
//!
//! ## Totality
//! `catch_unwind` is not available on `wasm32-unknown-unknown` (panics abort and poison the
//! instance), so nothing here unwraps user-influenced data: every input — NaN or negative step
//! sizes, out-of-range indices, hostile YAML — has a defined result.

#![forbid(unsafe_code)]

use loopsim_core::diag::{Diagnostic, LineIndex, Severity};
use loopsim_core::report::{StopCause, Stopped};
use loopsim_core::series::Series;
use loopsim_core::time::{to_secs_f64, Nanos, NANOS_PER_SEC};
use loopsim_core::{Report, Scenario, Simulation};
use serde::Serialize;

#[cfg(feature = "js")]
pub mod js;

/// Most events that one [`Session::step_time`] or [`Session::step_events`] call processes, so
/// that a browser page regains control (to paint, to handle input) at least this often. About
/// 0.1–1 s of work in a browser, depending on the scenario; call again to continue.
pub const MAX_EVENTS_PER_CALL: u64 = 5_000_000;

// ----- diagnostics ---------------------------------------------------------------------------

/// A diagnostic ready for an editor: positions both as line/column and as UTF-16 offsets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiagnosticOut {
    /// `"error"` or `"warning"`.
    pub severity: &'static str,
    pub message: String,
    /// How to fix it, when the checker knows; `null` in JSON otherwise.
    pub hint: Option<String>,
    /// The replacement a did-you-mean hint suggests, for a one-click fix; `null` otherwise.
    pub fix: Option<FixOut>,
    /// 1-based line of the start of the span.
    pub line: u32,
    /// 1-based column of the start, in Unicode characters (as the CLI prints it).
    pub column: u32,
    /// 1-based line of the end of the span (exclusive end position).
    pub end_line: u32,
    /// 1-based column of the end (exclusive), in Unicode characters.
    pub end_column: u32,
    /// Start offset in UTF-16 code units (CodeMirror's `from`).
    pub from: u32,
    /// End offset in UTF-16 code units (CodeMirror's `to`), `>= from`.
    pub to: u32,
}

/// A one-click repair: put `text` in place of `from..to` (UTF-16 offsets), which held
/// `replaces` when the text was checked (an editor applies it only if it still does).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FixOut {
    pub from: u32,
    pub to: u32,
    pub text: String,
    pub replaces: String,
}

impl DiagnosticOut {
    pub fn is_error(&self) -> bool {
        self.severity == "error"
    }

    /// `line:column: message`, the form used for the JS exception message.
    pub fn render(&self) -> String {
        format!("{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Converts byte offsets of one source text to UTF-16 offsets in `O(line length)` per query.
struct Utf16Index<'a> {
    source: &'a str,
    /// Byte offset of each line start.
    line_starts: Vec<usize>,
    /// UTF-16 offset of each line start.
    line_starts_utf16: Vec<u32>,
}

impl<'a> Utf16Index<'a> {
    fn new(source: &'a str) -> Self {
        let mut line_starts = vec![0];
        let mut line_starts_utf16 = vec![0];
        let mut units: u32 = 0;
        for (i, c) in source.char_indices() {
            units = units.saturating_add(c.len_utf16() as u32);
            if c == '\n' {
                line_starts.push(i + 1);
                line_starts_utf16.push(units);
            }
        }
        Utf16Index {
            source,
            line_starts,
            line_starts_utf16,
        }
    }

    /// UTF-16 offset of byte `offset` (clamped to the text, rounded down to a char boundary).
    fn utf16(&self, offset: u32) -> u32 {
        let mut end = (offset as usize).min(self.source.len());
        while !self.source.is_char_boundary(end) {
            end -= 1;
        }
        let line = match self.line_starts.binary_search(&end) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0).min(end);
        let base = self.line_starts_utf16.get(line).copied().unwrap_or(0);
        let within = self
            .source
            .get(start..end)
            .map_or(0, |s| s.encode_utf16().count());
        base.saturating_add(within as u32)
    }
}

/// Converts core diagnostics (byte spans) to [`DiagnosticOut`]s for `source`.
pub fn convert_diagnostics(source: &str, diagnostics: &[Diagnostic]) -> Vec<DiagnosticOut> {
    if diagnostics.is_empty() {
        return Vec::new();
    }
    let lines = LineIndex::new(source);
    let utf16 = Utf16Index::new(source);
    diagnostics
        .iter()
        .map(|d| {
            let start = d.span.start;
            let end = d.span.end.max(start);
            let a = lines.line_col(start);
            let b = lines.line_col(end);
            let from = utf16.utf16(start);
            let to = utf16.utf16(end).max(from);
            DiagnosticOut {
                severity: match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                },
                message: d.message.clone(),
                hint: d.hint.clone(),
                fix: d.fix.as_ref().and_then(|f| {
                    let replaces = source.get(f.span.start as usize..f.span.end as usize)?;
                    Some(FixOut {
                        from: utf16.utf16(f.span.start),
                        to: utf16.utf16(f.span.end),
                        text: f.text.clone(),
                        replaces: replaces.to_string(),
                    })
                }),
                line: a.line,
                column: a.column,
                end_line: b.line,
                end_column: b.column,
                from,
                to,
            }
        })
        .collect()
}

/// Checks a scenario and returns every diagnostic (errors and warnings) in source order; empty
/// when the scenario is valid and clean.
pub fn validate(yaml: &str) -> Vec<DiagnosticOut> {
    let checked = loopsim_core::check(yaml);
    convert_diagnostics(yaml, &checked.diagnostics)
}

/// The JSON Schema (draft 2020-12) of scenario files, for editor completion and hover.
pub fn schema() -> &'static str {
    loopsim_core::schema::SCENARIO_SCHEMA
}

// ----- session -------------------------------------------------------------------------------

/// What one step call did.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ProgressOut {
    /// Simulated time now, seconds.
    pub now_s: f64,
    /// Fraction of the scenario's duration simulated, `0..=1` (below 1 after an early stop).
    pub progress: f64,
    /// Events processed since the start of the run.
    pub events: u64,
    /// Events processed by this call.
    pub stepped: u64,
    pub finished: bool,
    /// Why the run ended before its duration (`"max_in_flight"`, `"stalled_clock"`), `null`
    /// while it goes on and after a complete run. [`Session::stopped`] has the details.
    pub stopped: Option<StopCause>,
}

/// Live numbers of a running session.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SnapshotOut {
    pub now_s: f64,
    pub duration_s: f64,
    /// `now / duration`, `0..=1`: 1 once finished, unless the run stopped early (then where it
    /// stopped).
    pub progress: f64,
    pub events: u64,
    /// Client requests sent so far (warm-up included).
    pub sent: u64,
    pub completed: u64,
    pub failed: u64,
    pub in_flight: u64,
    pub finished: bool,
    /// Why the run ended before its duration, as in [`ProgressOut::stopped`].
    pub stopped: Option<StopCause>,
    /// Rows in the time series so far.
    pub series_len: usize,
}

/// Rows `start..` of every series column, in [`Session::series_names`] order. A missing value
/// (no request finished in that interval) is `NaN`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeriesChunk {
    /// Index of the first row in `columns` (the requested index, clamped to the row count).
    pub start: usize,
    pub columns: Vec<Vec<f64>>,
}

/// One simulation run, driven in slices by its host.
pub struct Session {
    sim: Simulation,
    warnings: Vec<DiagnosticOut>,
}

impl Session {
    /// Checks `yaml` and builds the simulated world; `seed` overrides the scenario's seed (like
    /// the CLI's `--seed`). On error, every diagnostic (warnings too) is returned.
    pub fn new(yaml: &str, seed: Option<u64>) -> Result<Session, Vec<DiagnosticOut>> {
        let checked = loopsim_core::check(yaml);
        let diagnostics = convert_diagnostics(yaml, &checked.diagnostics);
        match checked.scenario {
            Some(mut sc) if !checked.diagnostics.iter().any(Diagnostic::is_error) => {
                if let Some(seed) = seed {
                    sc.seed = seed;
                }
                let warnings = diagnostics.into_iter().filter(|d| !d.is_error()).collect();
                Ok(Session {
                    sim: Simulation::new(sc),
                    warnings,
                })
            }
            _ => Err(diagnostics),
        }
    }

    /// A session for an already validated scenario (no diagnostics to report).
    pub fn from_scenario(scenario: Scenario) -> Session {
        Session {
            sim: Simulation::new(scenario),
            warnings: Vec::new(),
        }
    }

    /// Warnings found while checking the scenario (a valid scenario may still have some).
    pub fn warnings(&self) -> &[DiagnosticOut] {
        &self.warnings
    }

    /// The underlying engine, for Rust hosts that need more than this facade offers.
    pub fn simulation(&self) -> &Simulation {
        &self.sim
    }

    pub fn scenario(&self) -> &Scenario {
        self.sim.scenario()
    }

    pub fn scenario_name(&self) -> &str {
        &self.sim.scenario().name
    }

    pub fn scenario_description(&self) -> &str {
        &self.sim.scenario().description
    }

    fn progress_of(&self, before: u64) -> ProgressOut {
        let snap = self.snapshot();
        ProgressOut {
            now_s: snap.now_s,
            progress: snap.progress,
            events: snap.events,
            stepped: snap.events.saturating_sub(before),
            finished: snap.finished,
            stopped: snap.stopped,
        }
    }

    /// Advances simulated time by `dt_seconds` (capped at the scenario's end), processing at
    /// most [`MAX_EVENTS_PER_CALL`] events; when the cap is hit, time stops at the last event
    /// processed. `dt_seconds` that is NaN, zero or negative processes nothing; `+inf` means
    /// "to the end" (still capped).
    pub fn step_time(&mut self, dt_seconds: f64) -> ProgressOut {
        let before = self.sim.snapshot().events;
        if dt_seconds > 0.0 {
            // `as` saturates (and maps NaN to 0), so this is total.
            let dt: Nanos = (dt_seconds * NANOS_PER_SEC as f64) as Nanos;
            let until = self.sim.now().saturating_add(dt);
            self.sim.step(until, MAX_EVENTS_PER_CALL);
        }
        self.progress_of(before)
    }

    /// Processes up to `max_events` events (at most [`MAX_EVENTS_PER_CALL`]), however much
    /// simulated time they span.
    pub fn step_events(&mut self, max_events: u64) -> ProgressOut {
        let before = self.sim.snapshot().events;
        let budget = max_events.min(MAX_EVENTS_PER_CALL);
        if budget > 0 {
            self.sim.step(Nanos::MAX, budget);
        }
        self.progress_of(before)
    }

    /// Runs to the end of the scenario in one call, without a cap (in a browser this blocks
    /// the page until done; prefer repeated [`Session::step_time`] calls there).
    pub fn run_to_end(&mut self) -> ProgressOut {
        let before = self.sim.snapshot().events;
        self.sim.run();
        self.progress_of(before)
    }

    pub fn is_finished(&self) -> bool {
        self.sim.is_finished()
    }

    /// Why the run ended before the scenario's duration (cause, simulated time, message), if
    /// it did; `None` while it goes on and after a complete run.
    pub fn stopped(&self) -> Option<&Stopped> {
        self.sim.stopped()
    }

    pub fn snapshot(&self) -> SnapshotOut {
        let s = self.sim.snapshot();
        let stopped = self.sim.stopped().map(|st| st.cause);
        // An early stop is not the end of the scenario: progress says where it stopped.
        let progress = if (s.finished && stopped.is_none()) || s.duration == 0 {
            1.0
        } else {
            (s.now as f64 / s.duration as f64).clamp(0.0, 1.0)
        };
        SnapshotOut {
            now_s: to_secs_f64(s.now),
            duration_s: to_secs_f64(s.duration),
            progress,
            events: s.events,
            sent: s.sent,
            completed: s.completed,
            failed: s.failed,
            in_flight: s.in_flight,
            finished: s.finished,
            stopped,
            series_len: s.series_len,
        }
    }

    /// The core series, for Rust hosts that want to borrow instead of copy.
    pub fn series(&self) -> &Series {
        self.sim.series()
    }

    /// Names of the series columns (`t_s` first).
    pub fn series_names(&self) -> Vec<String> {
        self.sim.series().names().to_vec()
    }

    /// Rows in the series so far.
    pub fn series_len(&self) -> usize {
        self.sim.series().len()
    }

    /// Only the rows from `index` on (pass the previous `start + rows`, or `series_len`, to get
    /// what is new since the last call). An index past the end gives empty columns.
    pub fn series_since(&self, index: usize) -> SeriesChunk {
        let series = self.sim.series();
        SeriesChunk {
            start: index.min(series.len()),
            columns: series.rows_since(index).map(|(_, c)| c.to_vec()).collect(),
        }
    }

    /// The report over what has been simulated so far (normally called once finished).
    pub fn report(&self) -> Report {
        self.sim.report()
    }

    /// The report as `serde_json::to_string_pretty` renders it: byte for byte what
    /// `loopsim run --json` prints, less the CLI's trailing newline.
    pub fn report_json(&self) -> String {
        report_to_json(&self.sim.report())
    }

    /// The report for JS: [`Session::report_json`] with the seed as a decimal string, exact
    /// whatever its size (see [`report_to_js_json`]).
    pub fn report_js_json(&self) -> String {
        report_to_js_json(&self.sim.report())
    }

    /// The whole series as CSV (header row of names, then one line per row; a missing value is
    /// an empty field), as `loopsim run --series FILE` writes it.
    pub fn series_csv(&self) -> String {
        series_csv(self.sim.series())
    }
}

/// `serde_json::to_string_pretty` of a report. Reports have string keys only, so this cannot
/// fail; should it ever, the result is still valid JSON describing the error.
pub fn report_to_json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        let msg = serde_json::Value::String(format!("report serialisation failed: {e}"));
        format!("{{\n  \"error\": {msg}\n}}")
    })
}

/// [`report_to_json`] with the top-level `seed` as a decimal string (`"seed": "42"`): a JS
/// number rounds seeds above 2^53 (9007199254740993 becomes 9007199254740992), so the report
/// that JS parses carries the seed as text, always (one type, whatever the value). Every other
/// field is unchanged.
pub fn report_to_js_json(report: &Report) -> String {
    let json = report_to_json(report);
    // Pretty JSON puts each top-level key on its own line indented by exactly two spaces, and a
    // string never holds a raw newline: this is the top-level `seed` and nothing else.
    let number = format!("\n  \"seed\": {},\n", report.seed);
    let text = format!("\n  \"seed\": \"{}\",\n", report.seed);
    json.replacen(&number, &text, 1)
}

/// Reads a seed written as decimal digits (surrounding whitespace allowed): `0..=2^64-1`,
/// exactly. The message of the error says what is accepted.
pub fn parse_seed(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(v) = t.parse::<u64>() {
            return Ok(v);
        }
    }
    Err(format!(
        "seed must be a whole number from 0 to {} written in decimal digits, got {:?}",
        u64::MAX,
        text
    ))
}

/// Series as CSV; same format as the CLI's `--series` file.
pub fn series_csv(s: &Series) -> String {
    use std::fmt::Write;
    let names = s.names();
    let columns: Vec<&[f64]> = s.rows_since(0).map(|(_, c)| c).collect();
    let mut out = names.join(",");
    out.push('\n');
    for row in 0..s.len() {
        for (i, col) in columns.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if let Some(v) = col.get(row).filter(|v| v.is_finite()) {
                let _ = write!(out, "{v}");
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
