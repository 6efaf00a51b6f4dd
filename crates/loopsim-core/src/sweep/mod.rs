//! Sweeps: one scenario run over a grid of values of one or two of its parameters, to draw
//! capacity curves (p99, goodput, utilisation against the parameter) and find the knee.
//!
//! A `sweep:` section names each parameter by its path in the YAML (`workload[0].rate`,
//! `services.api.workers`) and gives its values (`100/s..1000/s by 100/s`, `[1, 2, 4, 8]`).
//! A point's scenario is the scenario's own text with the swept values written in place of the
//! ones at those paths and the `sweep:` section emptied, then checked again like any scenario:
//! the sweep works with whatever the format holds, and a value that makes the scenario invalid
//! is reported at the sweep value with the checker's own message.
//!
//! Points are numbered curve by curve: point `k` has first-axis index `k % n₀` and
//! second-axis index `k / n₀`, so each curve (one value of the second axis) is a contiguous
//! run of points along the first axis, the x axis of the capacity curve. Every point runs with
//! the same seeds (the replication seeds of the scenario's seed), i.e. common random numbers:
//! neighbouring points differ by the parameter, not by luck.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::diag::{Diagnostic, Span};
use crate::scenario::{check_with, Limits, Scenario};

pub mod curve;
pub mod path;
pub mod values;

pub use curve::{Capacity, Curve, CurvePoint, Estimate, Knee, KneeRule, RunFigures, KNEE_FACTOR};

/// The most runs (points × replications) one sweep may ask for. A run of the shop takes tens
/// of milliseconds to seconds; 10 000 of them is already hours on one core. Larger studies are
/// split into several sweeps (or several scenarios), never run by accident.
pub const MAX_RUNS: u64 = 10_000;

/// The most engine events one process may be asked to run for a sweep (its runs' estimates
/// summed, [`crate::estimate`]): about two hours of one core at 14 M events/s. Past it, the
/// work is to be split with `--shard i/n` over several machines.
pub const MAX_EVENTS: f64 = 1e11;

/// A validated `sweep:` section.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// The `sweep` key's span, where whole-sweep problems (too many runs) are reported.
    pub key: Span,
    /// The section's value, emptied (`~`) in every point's text.
    pub section: Span,
    /// One or two swept parameters; the first is the capacity curve's x axis.
    pub axes: Vec<Axis>,
}

/// One swept parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// The path as written (`workload[0].rate`).
    pub path: String,
    /// Where the path is written (the key in `sweep:`).
    pub path_span: Span,
    /// The value in the scenario that each point replaces.
    pub target: Span,
    /// The values, in the order written (a range: ascending).
    pub values: Vec<Value>,
}

/// One value of a swept parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// The YAML text written in place of the target (quoted when it was written quoted).
    pub text: String,
    /// What the reader sees (`250/s`).
    pub label: String,
    /// The value's leading number (`250` of `250/s`): the curve's x coordinate.
    pub number: Option<f64>,
    /// Where it is written: the list item, or the whole range.
    pub span: Span,
}

impl Sweep {
    /// The number of points (the product of the axes' lengths).
    pub fn points(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }

    /// The value index on each axis of point `k`.
    pub fn coords(&self, k: usize) -> Vec<usize> {
        let mut rest = k;
        self.axes
            .iter()
            .map(|a| {
                let i = rest % a.values.len();
                rest /= a.values.len();
                i
            })
            .collect()
    }

    /// The values of point `k`, one per axis: `(path, value label)`.
    pub fn values_at(&self, k: usize) -> Vec<(&str, &str)> {
        self.axes
            .iter()
            .zip(self.coords(k))
            .map(|(a, i)| (a.path.as_str(), a.values[i].label.as_str()))
            .collect()
    }

    /// `workload[0].rate = 250/s, services.api.workers = 2`.
    pub fn describe(&self, k: usize) -> String {
        let parts: Vec<String> = self
            .values_at(k)
            .into_iter()
            .map(|(p, v)| format!("{p} = {v}"))
            .collect();
        parts.join(", ")
    }

    /// Refuses a sweep whose points × replications exceed [`MAX_RUNS`], located at the
    /// `sweep` key.
    pub fn check_runs(&self, replications: u32) -> Result<(), Diagnostic> {
        let runs = (self.points() as u64).saturating_mul(u64::from(replications.max(1)));
        if runs <= MAX_RUNS {
            return Ok(());
        }
        Err(Diagnostic::error(
            self.key,
            format!(
                "this sweep asks for {runs} runs ({} points × {} replications); at most {MAX_RUNS}",
                self.points(),
                replications.max(1)
            ),
        )
        .with_hint("use a larger step, fewer values or fewer replications, or split the study into several sweeps"))
    }

    /// Refuses work of `events` estimated engine events (the runs one process would run) past
    /// [`MAX_EVENTS`], located at the `sweep` key.
    pub fn check_events(&self, events: f64) -> Result<(), Diagnostic> {
        if events <= MAX_EVENTS {
            return Ok(());
        }
        Err(Diagnostic::error(
            self.key,
            format!(
                "this sweep would process about {:.1e} engine events; one process runs at most {MAX_EVENTS:.0e}",
                events
            ),
        )
        .with_hint("split it over machines with --shard i/n, or use a shorter duration, fewer values or fewer replications"))
    }

    /// The scenario text of point `k`: `source` with each axis's value written at its target
    /// and the `sweep:` section emptied.
    pub fn source_at(&self, source: &str, k: usize) -> String {
        let mut edits: Vec<(Span, &str)> = self
            .axes
            .iter()
            .zip(self.coords(k))
            .map(|(a, i)| (a.target, a.values[i].text.as_str()))
            .collect();
        edits.push((self.section, "~"));
        edits.sort_by_key(|(s, _)| s.start);
        let mut out = String::with_capacity(source.len() + 16);
        let mut at = 0usize;
        for (span, text) in edits {
            out.push_str(&source[at..span.start as usize]);
            out.push_str(text);
            at = span.end as usize;
        }
        out.push_str(&source[at..]);
        out
    }

    /// The validated scenario of point `k`, or why it is not valid, located at the sweep value
    /// that makes it so: the value written where the checker found the problem, or the first
    /// axis's value when the problem shows elsewhere (a work cap reported at `duration`).
    pub fn scenario_at(&self, source: &str, k: usize) -> Result<Scenario, Diagnostic> {
        self.scenario_at_with(source, k, &Limits::default())
    }

    /// [`Sweep::scenario_at`] with the given limits.
    pub fn scenario_at_with(
        &self,
        source: &str,
        k: usize,
        limits: &Limits,
    ) -> Result<Scenario, Diagnostic> {
        let text = self.source_at(source, k);
        let checked = check_with(&text, limits);
        if let Some(sc) = checked.scenario {
            return Ok(sc);
        }
        let first = checked.diagnostics.iter().find(|d| d.is_error());
        let (message, hint) = first.map_or_else(
            || (String::from("the scenario is not valid"), None),
            |d| (d.message.clone(), d.hint.clone()),
        );
        let coords = self.coords(k);
        let axis = first
            .and_then(|d| self.axis_at(k, d.span.start))
            .unwrap_or(0);
        let value = &self.axes[axis].values[coords[axis]];
        let d = Diagnostic::error(
            value.span,
            format!("at the sweep point {}: {message}", self.describe(k)),
        );
        Err(d.with_hint(hint.unwrap_or_else(|| {
            String::from(
                "this sweep value makes the scenario invalid; change the values or their range",
            )
        })))
    }

    /// Which axis's replaced text (in point `k`'s text) holds byte `at` of that text.
    fn axis_at(&self, k: usize, at: u32) -> Option<usize> {
        let coords = self.coords(k);
        // (axis, or None for the emptied section; span in the source; length written)
        let mut edits: Vec<(Option<usize>, Span, usize)> = self
            .axes
            .iter()
            .enumerate()
            .map(|(n, a)| (Some(n), a.target, a.values[coords[n]].text.len()))
            .collect();
        edits.push((None, self.section, 1));
        edits.sort_by_key(|e| e.1.start);
        let mut shift: i64 = 0;
        for (axis, target, len) in edits {
            let start = i64::from(target.start) + shift;
            if axis.is_some() && (start..=start + len as i64).contains(&i64::from(at)) {
                return axis;
            }
            shift += len as i64 - i64::from(target.end - target.start);
        }
        None
    }
}
