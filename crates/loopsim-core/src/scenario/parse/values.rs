//! Typed values: mappings with known keys, scalars, numbers, unit literals, enumerations and
//! distributions. Each reader reports its own errors at the node and returns `None`.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::text::list;
use super::Reader;
use crate::diag::{Diagnostic, Span};
use crate::dist::Dist;
use crate::scenario::keys::{self, Section};
use crate::scenario::units::{self, UnitError};
use crate::time::{to_secs_f64, Nanos, NANOS_PER_SEC};
use crate::yaml::{Node, NodeKind};

/// Entries of a mapping whose keys are all scalars.
pub(super) struct Fields<'n> {
    pub node: &'n Node,
    pub entries: Vec<(&'n str, &'n Node, &'n Node)>,
}

impl<'n> Fields<'n> {
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries.iter().find(|e| e.0 == key).map(|e| e.2)
    }

    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.entries.iter().find(|e| e.0 == key).map(|e| e.1.span)
    }
}

/// `true` or `false` when the node is a plain YAML boolean.
/// The top-level keys of an async-runtime-auditor `metrics.yaml`: pasted at the top level
/// instead of under `health:`, they get a hint saying where they go rather than a
/// did-you-mean (`queries` is close to `queues`).
const AUDITOR_CONFIG_KEYS: [&str; 3] = ["target", "queries", "thresholds"];

pub(super) fn switch(node: &Node) -> Option<bool> {
    match &node.kind {
        NodeKind::Scalar { text, plain: true } => match text.as_str() {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Where to report that something is missing from a node: its first line rather than the
/// whole (possibly huge) node.
pub(super) fn opening(node: &Node) -> Span {
    match &node.kind {
        NodeKind::Map(entries) if !entries.is_empty() => {
            Span::new(node.span.start, entries[0].0.span.end.max(node.span.start))
        }
        _ => node.span,
    }
}

/// The span of `len` bytes at `offset` in a plain scalar written on one line (its span is
/// exactly its text), else the whole node: lets a diagnostic point into `gateway#3`.
pub(super) fn sub_span(node: &Node, offset: usize, len: usize) -> Span {
    let verbatim = matches!(&node.kind, NodeKind::Scalar { text, plain: true }
        if (node.span.end - node.span.start) as usize == text.len());
    if !verbatim {
        return node.span;
    }
    let start = node.span.start + offset as u32;
    Span::new(start, start + len as u32)
}

/// What the values of a distribution are: durations (`10ms`), or plain counts (tokens).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    Duration,
    Count,
    /// Sizes in bytes (`request_size`, `response_size`): parameters are size literals.
    Size,
}

/// Most tokens one `llm` step may count (a constant, or a distribution's parameter).
pub(super) const MAX_COUNT: u64 = 1_000_000_000;

impl Reader<'_> {
    /// A mapping with scalar keys; reports anything else.
    pub(super) fn map<'n>(&mut self, node: &'n Node, what: &str) -> Option<Fields<'n>> {
        let f = self.map_quiet(node);
        if f.is_none() && !matches!(node.kind, NodeKind::Map(_)) {
            self.error(
                node.span,
                format!(
                    "{what} must be a mapping (`key: value` lines), found {}",
                    node.describe()
                ),
            );
        }
        f
    }

    pub(super) fn map_quiet<'n>(&mut self, node: &'n Node) -> Option<Fields<'n>> {
        let NodeKind::Map(entries) = &node.kind else {
            return None;
        };
        let mut fields = Fields {
            node,
            entries: Vec::with_capacity(entries.len()),
        };
        for (k, v) in entries {
            match k.as_str() {
                Some(text) => fields.entries.push((text, k, v)),
                None => self.error(
                    k.span,
                    format!("keys must be plain text, found {}", k.describe()),
                ),
            }
        }
        Some(fields)
    }

    /// A mapping whose keys must be keys of `section` (its own and those it includes).
    pub(super) fn fields<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        section: &Section,
    ) -> Option<Fields<'n>> {
        self.fields_in(node, what, &section.names())
    }

    /// A mapping whose keys must be among `allowed`.
    pub(super) fn fields_in<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        allowed: &[&str],
    ) -> Option<Fields<'n>> {
        let f = self.map(node, what)?;
        for &(key, key_node, _) in &f.entries {
            if !allowed.contains(&key) {
                if what == "the scenario" && AUDITOR_CONFIG_KEYS.contains(&key) {
                    self.error_hint(
                        key_node.span,
                        format!("unknown key `{key}` in the scenario: it belongs to an async-runtime-auditor metrics.yaml"),
                        "put the metrics.yaml under `health:` (indented), where it is read unchanged",
                    );
                    continue;
                }
                let suggestion = self.did_you_mean(key, allowed);
                let fix = self.fix(key_node.span, key, suggestion);
                let hint = match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("expected one of: {}", list(allowed)),
                };
                let message = format!("unknown key `{key}` in {what}");
                self.error_fix(key_node.span, message, hint, fix);
            }
        }
        Some(f)
    }

    pub(super) fn required<'n>(
        &mut self,
        f: &Fields<'n>,
        key: &str,
        what: &str,
    ) -> Option<&'n Node> {
        let node = f.get(key);
        if node.is_none() {
            self.error(opening(f.node), format!("{what} is missing `{key}`"));
        }
        node
    }

    pub(super) fn scalar<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        expected: &str,
    ) -> Option<&'n str> {
        match &node.kind {
            NodeKind::Scalar { text, .. } => Some(text),
            NodeKind::Null => {
                self.error(
                    node.span,
                    format!("{what} has no value: expected {expected}"),
                );
                None
            }
            _ => {
                self.error(
                    node.span,
                    format!("{what} must be {expected}, found {}", node.describe()),
                );
                None
            }
        }
    }

    pub(super) fn text<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n str> {
        self.scalar(node, what, "text")
    }

    pub(super) fn unit<T>(
        &mut self,
        node: &Node,
        what: &str,
        expected: &str,
        parse: fn(&str) -> Result<T, UnitError>,
    ) -> Option<T> {
        let text = self.scalar(node, what, expected)?;
        match parse(text) {
            Ok(v) => Some(v),
            Err(e) => {
                let fix = self.fix(node.span, text, e.fix.as_deref());
                self.report(Diagnostic {
                    hint: e.hint,
                    fix,
                    ..Diagnostic::error(node.span, format!("{what}: {}", e.message))
                });
                None
            }
        }
    }

    pub(super) fn duration(&mut self, node: &Node, what: &str) -> Option<Nanos> {
        self.unit(node, what, "a duration such as `10ms`", units::duration)
    }

    pub(super) fn positive_duration(&mut self, node: &Node, what: &str) -> Option<Nanos> {
        let d = self.duration(node, what)?;
        if d == 0 {
            self.error(node.span, format!("{what} must be greater than zero"));
            return None;
        }
        Some(d)
    }

    pub(super) fn positive_size(&mut self, node: &Node, what: &str) -> Option<u64> {
        let s = self.unit(node, what, "a size such as `512MB`", units::size)?;
        if s == 0 {
            self.error(node.span, format!("{what} must be greater than zero"));
            return None;
        }
        Some(s)
    }

    pub(super) fn probability(&mut self, node: &Node, what: &str) -> Option<f64> {
        self.unit(
            node,
            what,
            "a probability such as `0.001` or `0.1%`",
            units::probability,
        )
    }

    /// A whole number in `[min, max]`.
    pub(super) fn integer(&mut self, node: &Node, what: &str, min: u64, max: u64) -> Option<u64> {
        let text = self.scalar(node, what, "a whole number")?;
        let digits: String = text.chars().filter(|&c| c != '_').collect();
        let Ok(v) = digits.parse::<u64>() else {
            let found = match units::number(text) {
                Some(n) if n < 0.0 => "a negative number",
                Some(_) => "a fraction",
                None => "text",
            };
            self.error(
                node.span,
                format!("{what} must be a whole number, found {found} `{text}`"),
            );
            return None;
        };
        if v < min {
            self.error(
                node.span,
                format!("{what} must be at least {min}, found {v}"),
            );
            return None;
        }
        if v > max {
            self.error_hint(
                node.span,
                format!("{what} must be at most {max}, found {v}"),
                "this limit keeps simulations tractable",
            );
            return None;
        }
        Some(v)
    }

    /// One of a fixed set of words.
    pub(super) fn choice<T: Copy>(
        &mut self,
        node: &Node,
        what: &str,
        options: &[(&str, T)],
    ) -> Option<T> {
        let names: Vec<&str> = options.iter().map(|o| o.0).collect();
        let text = self.scalar(node, what, &format!("one of {}", list(&names)))?;
        if let Some(o) = options.iter().find(|o| o.0 == text) {
            return Some(o.1);
        }
        // "unknown distribution `x`" reads well for a noun, "unknown value `x` for `key`" for a key.
        let message = if what.starts_with('`') {
            format!(
                "unknown value `{text}` for {what}: expected {}",
                list(&names)
            )
        } else {
            format!("unknown {what} `{text}`: expected {}", list(&names))
        };
        match self.did_you_mean(text, &names) {
            Some(s) => {
                let fix = self.fix(node.span, text, Some(s));
                self.error_fix(node.span, message, format!("did you mean `{s}`?"), fix)
            }
            None => self.error(node.span, message),
        }
        None
    }

    /// `true` or `false`.
    pub(super) fn boolean(&mut self, node: &Node, what: &str) -> Option<bool> {
        if let Some(b) = switch(node) {
            return Some(b);
        }
        let found = match node.as_str() {
            Some(text) => format!("`{text}`"),
            None => node.describe().into(),
        };
        self.error(
            node.span,
            format!("{what} must be `true` or `false`, found {found}"),
        );
        None
    }

    // ---- numbers, ratios and windows (guards and faults) -----------------------------------

    /// A plain number (no unit).
    pub(super) fn real(&mut self, node: &Node, what: &str) -> Option<f64> {
        let text = self.scalar(node, what, "a number")?;
        let value = units::number(text);
        if value.is_none() {
            self.error(
                node.span,
                format!("{what} must be a number, found `{text}`"),
            );
        }
        value
    }

    /// `value` read from `node` when `ok`; otherwise reports that it must be `expected`
    /// (e.g. "at least 1").
    pub(super) fn check_value<T>(
        &mut self,
        node: &Node,
        what: &str,
        value: T,
        ok: bool,
        expected: &str,
    ) -> Option<T> {
        if ok {
            return Some(value);
        }
        let found = node.as_str().unwrap_or_default();
        self.error(
            node.span,
            format!("{what} must be {expected}, found `{found}`"),
        );
        None
    }

    /// A ratio, not negative: a plain number (`0.1`) or a percentage (`10%`).
    pub(super) fn ratio(&mut self, node: &Node, what: &str) -> Option<f64> {
        let expected = "a percentage such as `10%` or a ratio such as `0.1`";
        let text = self.scalar(node, what, expected)?;
        let value = match units::split_number(text.trim()) {
            Some((v, "")) => Some(v),
            Some((v, "%")) => Some(v / 100.0),
            Some((v, " %")) => {
                self.error_hint(
                    node.span,
                    format!("unexpected space in {what} `{text}`"),
                    format!("write {v}%"),
                );
                return None;
            }
            _ => None,
        };
        match value {
            Some(v) if v >= 0.0 => Some(v),
            Some(_) => {
                self.error(
                    node.span,
                    format!("{what} cannot be negative, found `{text}`"),
                );
                None
            }
            None => {
                self.error(
                    node.span,
                    format!("{what} must be {expected}, found `{text}`"),
                );
                None
            }
        }
    }

    /// A share of calls: a ratio in [0, 1], or in (0, 1] when `zero` is false.
    pub(super) fn share(&mut self, node: &Node, what: &str, zero: bool) -> Option<f64> {
        let v = self.ratio(node, what)?;
        if v <= 1.0 && (zero || v > 0.0) {
            return Some(v);
        }
        let text = node.as_str().unwrap_or_default();
        let range = if zero {
            "between 0% and 100%"
        } else {
            "greater than 0% and at most 100%"
        };
        let message = format!("{what} must be {range}, found `{text}`");
        if !text.ends_with('%') && v > 1.0 && v <= 100.0 {
            self.error_hint(node.span, message, format!("for a percentage write {v}%"));
        } else {
            self.error(node.span, message);
        }
        None
    }

    /// A window of whole seconds, at least one (sliding windows count in one-second buckets).
    pub(super) fn whole_seconds(&mut self, node: &Node, what: &str) -> Option<Nanos> {
        let d = self.duration(node, what)?;
        if d >= NANOS_PER_SEC && d % NANOS_PER_SEC == 0 {
            return Some(d);
        }
        let text = node.as_str().unwrap_or_default();
        self.error_hint(
            node.span,
            format!("{what} must be a whole number of seconds, at least 1s, found `{text}`"),
            format!(
                "windows count in one-second buckets: write e.g. `{}s`",
                d.div_ceil(NANOS_PER_SEC).max(1)
            ),
        );
        None
    }

    /// Reports the keys of `f` that exist (they are in `known`) but do not apply to this kind
    /// of thing (they are not in `allowed`). Keys outside `known` were reported as unknown.
    /// `None` when it reported any.
    pub(super) fn inapplicable(
        &mut self,
        f: &Fields,
        known: &Section,
        allowed: &[&str],
        what: &str,
    ) -> Option<()> {
        let mut ok = true;
        for &(key, key_node, _) in &f.entries {
            if known.has(key) && !allowed.contains(&key) {
                self.error_hint(
                    key_node.span,
                    format!("`{key}` does not apply to {what}"),
                    format!("{what} takes: {}", list(allowed)),
                );
                ok = false;
            }
        }
        ok.then_some(())
    }

    /// Turns the error of a guard's own `validate()` into a diagnostic at the value of the
    /// first key of `f` the message names (the mapping's first line when it names none).
    pub(super) fn validated(
        &mut self,
        result: Result<(), &'static str>,
        what: &str,
        f: Option<&Fields>,
        fallback: Span,
    ) -> Option<()> {
        let Err(message) = result else {
            return Some(());
        };
        let span = f
            .and_then(|f| {
                message
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .find_map(|word| f.get(word))
                    .map(|n| n.span)
                    .or(Some(opening(f.node)))
            })
            .unwrap_or(fallback);
        let detail = message.split_once(": ").map_or(message, |(_, m)| m);
        self.error(span, format!("{what}: {detail}"));
        None
    }

    // ---- distributions -------------------------------------------------------------------

    /// A duration literal (a constant) or `{dist: ..., params}`.
    pub(super) fn dist(&mut self, node: &Node, what: &str) -> Option<Dist> {
        self.dist_of(node, what, Unit::Duration)
    }

    /// A size literal in bytes (`2MB`, `512KiB`, a bare number of bytes), as an `f64`.
    pub(super) fn size_literal(&mut self, node: &Node, what: &str) -> Option<f64> {
        self.unit(node, what, "a size such as `2MB`", units::size)
            .map(|b| b as f64)
    }

    /// A payload size: a size literal or `{dist: ..., params}` whose parameters are sizes.
    pub(super) fn size_dist(&mut self, node: &Node, what: &str) -> Option<Dist> {
        self.dist_of(node, what, Unit::Size)
    }

    /// A bandwidth (`100Mbps`, `10MB/s`) in bytes per second.
    pub(super) fn bandwidth(&mut self, node: &Node, what: &str) -> Option<f64> {
        self.unit(
            node,
            what,
            "a bandwidth such as `100Mbps`",
            units::bandwidth,
        )
    }

    /// A count: a whole number in `[0, MAX_COUNT]`.
    pub(super) fn count(&mut self, node: &Node, what: &str) -> Option<u64> {
        self.integer(node, what, 0, MAX_COUNT)
    }

    /// A constant (a duration literal, or a whole number for counts) or
    /// `{dist: ..., params}` whose parameters are in `unit`.
    pub(super) fn dist_of(&mut self, node: &Node, what: &str, unit: Unit) -> Option<Dist> {
        if !matches!(node.kind, NodeKind::Map(_)) {
            return match unit {
                Unit::Duration => self
                    .duration(node, what)
                    .map(|ns| Dist::Constant(to_secs_f64(ns))),
                Unit::Count => self.count(node, what).map(|n| Dist::Constant(n as f64)),
                Unit::Size => self.size_literal(node, what).map(Dist::Constant),
            };
        }
        let f = self.map(node, what)?;
        let Some(kind_node) = f.get("dist") else {
            self.error_hint(
                opening(node),
                format!("{what}: a distribution needs `dist`"),
                format!(
                    "e.g. `{}`; kinds: {}",
                    DistKind::Exponential.example(unit),
                    list(&keys::DIST.variant_names())
                ),
            );
            return None;
        };
        let kind = self.choice(kind_node, "distribution", DISTS)?;
        let mut allowed = vec!["dist"];
        allowed.extend(kind.params().names());
        let f = self.fields_in(node, &format!("a {} distribution", kind.name()), &allowed)?;
        let d = DistReader { f: &f, kind, unit };
        match kind {
            DistKind::Constant => d.param(self, "value").map(Dist::Constant),
            DistKind::Exponential => d
                .positive(self, "mean")
                .map(|mean| Dist::Exponential { mean }),
            DistKind::Uniform => self.uniform(&d),
            DistKind::Normal => Some(Dist::Normal {
                mean: d.positive(self, "mean")?,
                sd: d.param(self, "sd")?,
            }),
            DistKind::LogNormal => {
                let mean = d.positive(self, "mean");
                let sd = d.param(self, "sd");
                Some(Dist::lognormal(mean?, sd?))
            }
            DistKind::Pareto => self.pareto(&d),
            DistKind::Empirical => self.empirical(&d),
        }
    }

    fn uniform(&mut self, d: &DistReader) -> Option<Dist> {
        let min = d.param(self, "min");
        let max = d.param(self, "max");
        let (min, max) = (min?, max?);
        if min > max {
            let span = d.f.get("min").map_or(d.f.node.span, |n| n.span);
            self.error(span, "a uniform distribution needs `min` ≤ `max`");
            return None;
        }
        Some(Dist::Uniform { min, max })
    }

    /// `{scale|min, shape}` or `{mean, shape > 1}` with scale = mean (α − 1) / α.
    fn pareto(&mut self, d: &DistReader) -> Option<Dist> {
        let given: Vec<&str> = ["scale", "min", "mean"]
            .into_iter()
            .filter(|k| d.f.get(k).is_some())
            .collect();
        if given.len() != 1 {
            let example = match d.unit {
                Unit::Duration => "e.g. `{ dist: pareto, scale: 1ms, shape: 2.5 }` or `{ dist: pareto, mean: 5ms, shape: 2.5 }`",
                Unit::Count => "e.g. `{ dist: pareto, scale: 50, shape: 2.5 }` or `{ dist: pareto, mean: 200, shape: 2.5 }`",
                Unit::Size => "e.g. `{ dist: pareto, scale: 10KB, shape: 1.5 }` or `{ dist: pareto, mean: 1MB, shape: 2.5 }`",
            };
            self.error_hint(
                opening(d.f.node),
                "a pareto distribution needs exactly one of `scale` (or `min`) and `mean`",
                example,
            );
        }
        let shape = d.shape(self);
        let first = given.first()?;
        let value = d.positive(self, first)?;
        let shape = shape?;
        if *first != "mean" {
            return Some(Dist::Pareto {
                scale: value,
                shape,
            });
        }
        if shape <= 1.0 {
            let span = d.f.get("shape")?.span;
            self.error_hint(
                span,
                "a pareto distribution has a finite mean only when `shape` > 1",
                "give `scale` instead of `mean`",
            );
            return None;
        }
        Some(Dist::Pareto {
            scale: value * (shape - 1.0) / shape,
            shape,
        })
    }

    fn empirical(&mut self, d: &DistReader) -> Option<Dist> {
        let node = d.f.get("values").or_else(|| {
            d.missing(self, "values");
            None
        })?;
        let (of, example) = match d.unit {
            Unit::Duration => (
                "durations",
                "list observed durations, e.g. `values: [3ms, 5ms, 40ms]`",
            ),
            Unit::Count => (
                "counts",
                "list observed counts, e.g. `values: [120, 300, 800]`",
            ),
            Unit::Size => (
                "sizes",
                "list observed sizes, e.g. `values: [2KB, 40KB, 1MB]`",
            ),
        };
        let NodeKind::Seq(items) = &node.kind else {
            self.error(
                node.span,
                format!("`values` must be a list of {of}, found {}", node.describe()),
            );
            return None;
        };
        if items.is_empty() {
            self.error_hint(node.span, "`values` is empty", example);
            return None;
        }
        let values: Vec<Option<f64>> = items.iter().map(|n| d.value(self, n)).collect();
        values
            .into_iter()
            .collect::<Option<Vec<f64>>>()
            .map(Dist::Empirical)
    }

    /// A parameter of a count distribution: a plain number in `[0, MAX_COUNT]`.
    fn count_param(&mut self, node: &Node, what: &str) -> Option<f64> {
        let text = self.scalar(node, what, "a number")?;
        match units::number(text) {
            Some(v) if (0.0..=MAX_COUNT as f64).contains(&v) => Some(v),
            Some(v) if v < 0.0 => {
                self.error(
                    node.span,
                    format!("{what} cannot be negative, found `{text}`"),
                );
                None
            }
            Some(_) => {
                self.error_hint(
                    node.span,
                    format!("{what} must be at most {MAX_COUNT}, found `{text}`"),
                    "this limit keeps simulations tractable",
                );
                None
            }
            None => {
                self.error_hint(
                    node.span,
                    format!("{what} must be a number, found `{text}`"),
                    "token counts are plain numbers, without a unit",
                );
                None
            }
        }
    }
}

/// Reads the parameters of one distribution mapping.
struct DistReader<'f, 'n> {
    f: &'f Fields<'n>,
    kind: DistKind,
    unit: Unit,
}

impl DistReader<'_, '_> {
    fn missing(&self, r: &mut Reader, key: &str) {
        r.error_hint(
            opening(self.f.node),
            format!("a {} distribution needs `{key}`", self.kind.name()),
            format!("e.g. `{}`", self.kind.example(self.unit)),
        );
    }

    /// One value in the distribution's unit: seconds, or a count.
    fn value(&self, r: &mut Reader, node: &Node) -> Option<f64> {
        match self.unit {
            Unit::Duration => r.duration(node, "a value").map(to_secs_f64),
            Unit::Count => r.count_param(node, "a value"),
            Unit::Size => r.size_literal(node, "a value"),
        }
    }

    /// A parameter in seconds (durations) or as a plain number (counts).
    fn param(&self, r: &mut Reader, key: &str) -> Option<f64> {
        let Some(node) = self.f.get(key) else {
            self.missing(r, key);
            return None;
        };
        match self.unit {
            Unit::Duration => r.duration(node, &format!("`{key}`")).map(to_secs_f64),
            Unit::Count => r.count_param(node, &format!("`{key}`")),
            Unit::Size => r.size_literal(node, &format!("`{key}`")),
        }
    }

    fn positive(&self, r: &mut Reader, key: &str) -> Option<f64> {
        let v = self.param(r, key)?;
        if v <= 0.0 {
            r.error(
                self.f.get(key)?.span,
                format!(
                    "`{key}` of a {} distribution must be greater than zero",
                    self.kind.name()
                ),
            );
            return None;
        }
        Some(v)
    }

    /// The Pareto tail index: a plain positive number.
    fn shape(&self, r: &mut Reader) -> Option<f64> {
        let Some(node) = self.f.get("shape") else {
            self.missing(r, "shape");
            return None;
        };
        let text = r.scalar(node, "`shape`", "a number")?;
        match units::number(text) {
            Some(s) if s > 0.0 => Some(s),
            _ => {
                r.error(
                    node.span,
                    format!("`shape` must be a number greater than zero, found `{text}`"),
                );
                None
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DistKind {
    Constant,
    Exponential,
    Uniform,
    Normal,
    LogNormal,
    Pareto,
    Empirical,
}

const DISTS: &[(&str, DistKind)] = &[
    ("constant", DistKind::Constant),
    ("exponential", DistKind::Exponential),
    ("uniform", DistKind::Uniform),
    ("normal", DistKind::Normal),
    ("lognormal", DistKind::LogNormal),
    ("pareto", DistKind::Pareto),
    ("empirical", DistKind::Empirical),
];

impl DistKind {
    fn name(self) -> &'static str {
        DISTS.iter().find(|d| d.1 == self).map_or("", |d| d.0)
    }

    /// The parameters of this kind: its variant of the `dist` key table.
    fn params(self) -> &'static Section {
        keys::DIST
            .variant(self.name())
            .expect("every distribution kind has a key table")
    }

    fn example(self, unit: Unit) -> &'static str {
        match (self, unit) {
            (DistKind::Constant, Unit::Duration) => "{ dist: constant, value: 5ms }",
            (DistKind::Exponential, Unit::Duration) => "{ dist: exponential, mean: 10ms }",
            (DistKind::Uniform, Unit::Duration) => "{ dist: uniform, min: 1ms, max: 5ms }",
            (DistKind::Normal, Unit::Duration) => "{ dist: normal, mean: 10ms, sd: 2ms }",
            (DistKind::LogNormal, Unit::Duration) => "{ dist: lognormal, mean: 10ms, sd: 5ms }",
            (DistKind::Pareto, Unit::Duration) => "{ dist: pareto, scale: 1ms, shape: 2.5 }",
            (DistKind::Empirical, Unit::Duration) => {
                "{ dist: empirical, values: [3ms, 5ms, 40ms] }"
            }
            (DistKind::Constant, Unit::Count) => "{ dist: constant, value: 500 }",
            (DistKind::Exponential, Unit::Count) => "{ dist: exponential, mean: 200 }",
            (DistKind::Uniform, Unit::Count) => "{ dist: uniform, min: 100, max: 400 }",
            (DistKind::Normal, Unit::Count) => "{ dist: normal, mean: 300, sd: 50 }",
            (DistKind::LogNormal, Unit::Count) => "{ dist: lognormal, mean: 300, sd: 100 }",
            (DistKind::Pareto, Unit::Count) => "{ dist: pareto, scale: 50, shape: 2.5 }",
            (DistKind::Empirical, Unit::Count) => "{ dist: empirical, values: [120, 300, 800] }",
            (DistKind::Constant, Unit::Size) => "{ dist: constant, value: 2MB }",
            (DistKind::Exponential, Unit::Size) => "{ dist: exponential, mean: 2MB }",
            (DistKind::Uniform, Unit::Size) => "{ dist: uniform, min: 1KB, max: 4MB }",
            (DistKind::Normal, Unit::Size) => "{ dist: normal, mean: 2MB, sd: 500KB }",
            (DistKind::LogNormal, Unit::Size) => "{ dist: lognormal, mean: 2MB, sd: 1MB }",
            (DistKind::Pareto, Unit::Size) => "{ dist: pareto, scale: 10KB, shape: 1.5 }",
            (DistKind::Empirical, Unit::Size) => "{ dist: empirical, values: [2KB, 40KB, 1MB] }",
        }
    }
}
