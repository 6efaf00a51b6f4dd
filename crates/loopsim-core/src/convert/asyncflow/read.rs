//! Reading an AsyncFlow payload (YAML, through the core's spanned reader) into [`Payload`],
//! with AsyncFlow 0.1.1's defaults and bounds. Every problem is located; keys the converter
//! does not map are warnings naming them.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::model::*;
use crate::diag::{Diagnostic, Span};
use crate::yaml::{Node, NodeKind};

/// Keys of a mapping, looked up by name; the unknown ones were reported when it was read.
pub struct Fields<'a> {
    entries: &'a [(Node, Node)],
    pub span: Span,
}

impl<'a> Fields<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }
}

/// What AsyncFlow 0.1.1 reads but does not use (or loopsim measures its own way): a warning
/// each, with why.
const IGNORED: &[(&str, &str)] = &[
    ("type", "it only restates the node's kind"),
    (
        "probability",
        "AsyncFlow 0.1.1 picks a server's endpoint uniformly at random and ignores it",
    ),
    (
        "db_connection_pool",
        "AsyncFlow 0.1.1 does not use it (no step waits for a connection)",
    ),
    (
        "sample_period_s",
        "loopsim samples its time series every `sample_every` (chosen from the duration)",
    ),
    (
        "enabled_sample_metrics",
        "loopsim always records its series (ready queue, memory, links, ...)",
    ),
    (
        "enabled_event_metrics",
        "loopsim always records every request's latency",
    ),
    (
        "edge_type",
        "every AsyncFlow 0.1.1 edge is a network connection",
    ),
];

pub struct Reader<'o> {
    pub out: &'o mut Vec<Diagnostic>,
}

impl Reader<'_> {
    pub fn error(&mut self, span: Span, message: String, hint: &str) {
        self.out
            .push(Diagnostic::error(span, message).with_hint(hint.to_string()));
    }

    pub fn warn(&mut self, span: Span, message: String, hint: String) {
        self.out
            .push(Diagnostic::warning(span, message).with_hint(hint));
    }

    /// A mapping with keys from `known` (others: a warning each, or the reason they are ignored).
    pub fn fields<'n>(&mut self, node: &'n Node, what: &str, known: &[&str]) -> Option<Fields<'n>> {
        let NodeKind::Map(entries) = &node.kind else {
            self.error(
                node.span,
                format!("{what} must be a mapping, found {}", node.describe()),
                "write `key: value` lines indented under it",
            );
            return None;
        };
        for (k, _) in entries {
            let name = k.as_str().unwrap_or("");
            if known.contains(&name) {
                continue;
            }
            let shown = one_line(name);
            match IGNORED.iter().find(|(n, _)| *n == name) {
                Some((_, why)) => self.warn(
                    k.span,
                    format!("not mapped: `{shown}` in {what}"),
                    format!("{why}; see docs/asyncflow.md"),
                ),
                None => self.warn(
                    k.span,
                    format!(
                        "not mapped: unknown key `{shown}` in {what} (the converter ignores it)"
                    ),
                    format!("AsyncFlow 0.1.1 keys here are {}", known.join(", ")),
                ),
            }
        }
        Some(Fields {
            entries,
            span: node.span,
        })
    }

    pub fn required<'n>(
        &mut self,
        f: &Fields<'n>,
        key: &str,
        what: &str,
        example: &str,
    ) -> Option<&'n Node> {
        let n = f.get(key);
        if n.is_none() {
            self.error(
                head(f.span),
                format!("{what} has no `{key}`"),
                &format!("add `{key}: {example}`"),
            );
        }
        n
    }

    pub fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.kind {
            NodeKind::Scalar { text, .. } if !text.trim().is_empty() => Some(one_line(text.trim())),
            _ => {
                self.error(
                    node.span,
                    format!("{what} must be a non-empty name, found {}", node.describe()),
                    "write a name such as `srv-1`",
                );
                None
            }
        }
    }

    /// A number within `[min, max]` (`min_open`: strictly above `min`).
    pub fn number(
        &mut self,
        node: &Node,
        what: &str,
        min: f64,
        min_open: bool,
        max: f64,
    ) -> Option<f64> {
        let value = match &node.kind {
            NodeKind::Scalar { text, plain: true } => text.trim().parse::<f64>().ok(),
            _ => None,
        };
        let Some(v) = value.filter(|v| v.is_finite()) else {
            self.error(
                node.span,
                format!("{what} must be a number, found {}", show(node)),
                "write a plain number without quotes or units (AsyncFlow times are seconds)",
            );
            return None;
        };
        let low = if min_open { v <= min } else { v < min };
        if low || v > max {
            let range = match (min_open, max.is_finite()) {
                (true, true) => format!("above {min} and at most {max}"),
                (true, false) => format!("above {min}"),
                (false, true) => format!("from {min} to {max}"),
                (false, false) => format!("at least {min}"),
            };
            self.error(
                node.span,
                format!("{what} must be {range}, found {v}"),
                "AsyncFlow 0.1.1 rejects this value too",
            );
            return None;
        }
        Some(v)
    }

    pub fn whole(&mut self, node: &Node, what: &str, min: u64, max: u64) -> Option<u64> {
        let v = self.number(node, what, min as f64, false, max as f64)?;
        if libm::trunc(v) != v {
            self.error(
                node.span,
                format!("{what} must be a whole number, found {v}"),
                "drop the fraction",
            );
            return None;
        }
        Some(v as u64)
    }

    /// A random variable `{mean, distribution, variance}`.
    pub fn random_variable(&mut self, node: &Node, what: &str) -> Option<RandomVariable> {
        let f = self.fields(node, what, &["mean", "distribution", "variance"])?;
        let mean = self.required(&f, "mean", what, "0.003")?;
        let mean = self.number(
            mean,
            &format!("the `mean` of {what}"),
            0.0,
            false,
            f64::INFINITY,
        );
        let distribution = match f.get("distribution") {
            None => Some(Distribution::Poisson),
            Some(n) => {
                let name = n.as_str().unwrap_or("");
                let found = Distribution::NAMES
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, d)| *d);
                if found.is_none() {
                    self.error(
                        n.span,
                        format!("unknown distribution `{}` in {what}", one_line(name)),
                        "AsyncFlow 0.1.1 has poisson (the default), normal, log_normal, exponential and uniform",
                    );
                }
                found
            }
        };
        let variance = match f.get("variance") {
            None => None,
            Some(n) => Some(self.number(
                n,
                &format!("the `variance` of {what}"),
                0.0,
                false,
                f64::INFINITY,
            )?),
        };
        let (mean, distribution) = (mean?, distribution?);
        let variance = match distribution {
            Distribution::Normal | Distribution::LogNormal => Some(variance.unwrap_or(mean)),
            _ => {
                if let Some(n) = f.get("variance") {
                    self.error(
                        n.span,
                        format!("{what}: a `variance` is only allowed with normal and log_normal"),
                        "AsyncFlow 0.1.1 fails on it (an assertion in its sampler): remove it",
                    );
                    return None;
                }
                None
            }
        };
        Some(RandomVariable {
            mean,
            distribution,
            variance,
            span: node.span,
        })
    }

    pub fn list<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Node]> {
        match &node.kind {
            NodeKind::Seq(items) => Some(items),
            _ => {
                self.error(
                    node.span,
                    format!("{what} must be a list, found {}", node.describe()),
                    "write one `- ` item per line",
                );
                None
            }
        }
    }
}

/// The first byte of a span, to point at a mapping that lacks a key.
pub fn head(span: Span) -> Span {
    Span {
        start: span.start,
        end: span.start.saturating_add(1).min(span.end),
    }
}

fn show(node: &Node) -> String {
    match &node.kind {
        NodeKind::Scalar { text, .. } => format!("`{}`", one_line(text)),
        _ => node.describe().to_string(),
    }
}

/// `text` on one line, control characters replaced by spaces.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
