//! `sweep:` — the parameters to sweep, by path, and their values (see [`crate::sweep`]).
//!
//! Each path is resolved against the scenario's YAML tree here, so a path that names nothing
//! is reported at the path with the keys that are there; the values are read (a range counted
//! before it is made) and the number of points capped. Once the rest of the scenario is valid,
//! the corner points (each axis's first and last value) are checked as whole scenarios, so a
//! value the format refuses is reported at the value while editing, not halfway through a run.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::text::{list, suggest};
use super::Reader;
use crate::diag::Span;
use crate::sweep::path::{self, Segment};
use crate::sweep::values::{split_number, Range};
use crate::sweep::{Axis, Sweep, Value, MAX_RUNS};
use crate::yaml::{Node, NodeKind};

/// At most this many swept parameters: a capacity curve has one x axis and one curve per value
/// of a second parameter.
const MAX_AXES: usize = 2;

impl Reader<'_> {
    /// Reads `sweep:` (the key's span, its value) against the scenario's `root`.
    pub(super) fn sweep(&mut self, key: Span, node: &Node, root: &Node) -> Option<Sweep> {
        let entries = match &node.kind {
            // `sweep: ~` (as every point's own text has it): no sweep.
            NodeKind::Null => return None,
            NodeKind::Map(entries) if !entries.is_empty() => entries,
            _ => {
                self.error_hint(
                    node.span,
                    format!(
                        "`sweep` must be a mapping of paths to values, found {}",
                        node.describe()
                    ),
                    "e.g. `sweep:` then, indented, `workload[0].rate: 100/s..1000/s by 100/s`",
                );
                return None;
            }
        };
        if entries.len() > MAX_AXES {
            self.error_hint(
                entries[MAX_AXES].0.span,
                format!("a sweep has at most {MAX_AXES} parameters, this one has {}", entries.len()),
                "sweep one or two parameters: the first is the curve's x axis, the second gives one curve per value",
            );
            return None;
        }
        let mut axes = Vec::new();
        for (k, v) in entries {
            axes.push(self.sweep_axis(k, v, root)?);
        }
        if axes.len() == 2 && axes[0].target == axes[1].target {
            self.error(
                axes[1].path_span,
                "both parameters of the sweep name the same value",
            );
            return None;
        }
        let points = axes
            .iter()
            .fold(1u64, |n, a| n.saturating_mul(a.values.len() as u64));
        if points > MAX_RUNS {
            self.error_hint(
                key,
                format!("this sweep has {points} points; at most {MAX_RUNS} runs (points × replications)"),
                "use a larger step or fewer values, or split the study into several sweeps",
            );
            return None;
        }
        Some(Sweep {
            key,
            section: node.span,
            axes,
        })
    }

    fn sweep_axis(&mut self, key: &Node, values: &Node, root: &Node) -> Option<Axis> {
        let Some(text) = key.as_str() else {
            self.error(
                key.span,
                "a sweep parameter must be a path such as `workload[0].rate`",
            );
            return None;
        };
        let segments = match path::parse(text) {
            Ok(s) => s,
            Err(why) => {
                self.error_hint(
                    key.span,
                    why,
                    "write a path like the YAML reads: `workload[0].rate`, `services.api.workers`",
                );
                return None;
            }
        };
        if segments.first() == Some(&Segment::Key("sweep".into())) {
            self.error(key.span, "a sweep cannot sweep its own values");
            return None;
        }
        let target = match resolve(root, &segments) {
            Ok(n) => n,
            Err((message, hint)) => {
                self.error_hint(key.span, message, hint);
                return None;
            }
        };
        if !matches!(target.kind, NodeKind::Scalar { .. }) {
            self.error_hint(
                key.span,
                format!(
                    "`{text}` is {}: a sweep replaces one value",
                    target.describe()
                ),
                "name a single value inside it, e.g. `…rate` or `…workers`",
            );
            return None;
        }
        let values = self.sweep_values(values)?;
        Some(Axis {
            path: text.to_string(),
            path_span: key.span,
            target: target.span,
            values,
        })
    }

    /// A list of scalars or a range.
    fn sweep_values(&mut self, node: &Node) -> Option<Vec<Value>> {
        match &node.kind {
            NodeKind::Seq(items) if !items.is_empty() => {
                if items.len() as u64 > MAX_RUNS {
                    self.error(
                        node.span,
                        format!("{} values; at most {MAX_RUNS}", items.len()),
                    );
                    return None;
                }
                items.iter().map(|item| self.sweep_item(item)).collect()
            }
            NodeKind::Scalar { text, .. } => match Range::parse(text) {
                Ok(Some(range)) => {
                    let n = range.count();
                    if n > MAX_RUNS {
                        self.error_hint(
                            node.span,
                            format!("this range has {n} values; a sweep runs at most {MAX_RUNS}"),
                            "use a larger step",
                        );
                        return None;
                    }
                    Some(
                        (0..n)
                            .map(|i| {
                                let (text, x) = range.value(i);
                                Value {
                                    label: text.clone(),
                                    text,
                                    number: Some(x),
                                    span: node.span,
                                }
                            })
                            .collect(),
                    )
                }
                Ok(None) => {
                    self.error_hint(
                        node.span,
                        format!("`{text}` is neither a range nor a list of values"),
                        "write `FROM..TO by STEP` (e.g. `100/s..1000/s by 100/s`) or a list (e.g. `[1, 2, 4, 8]`)",
                    );
                    None
                }
                Err((message, hint)) => {
                    self.error_hint(node.span, message, hint);
                    None
                }
            },
            _ => {
                self.error_hint(
                    node.span,
                    format!("the values to sweep must be a range or a list, found {}", node.describe()),
                    "write `FROM..TO by STEP` (e.g. `100/s..1000/s by 100/s`) or a list (e.g. `[1, 2, 4, 8]`)",
                );
                None
            }
        }
    }

    fn sweep_item(&mut self, item: &Node) -> Option<Value> {
        match &item.kind {
            NodeKind::Scalar { text, plain } => Some(Value {
                text: if *plain { text.clone() } else { quoted(text) },
                label: text.clone(),
                number: split_number(text).map(|(x, _, _)| x),
                span: item.span,
            }),
            _ => {
                self.error_hint(
                    item.span,
                    format!(
                        "a swept value must be a single value, found {}",
                        item.describe()
                    ),
                    "sweep one value inside it by its path instead (e.g. `…cpu.mean`)",
                );
                None
            }
        }
    }

    /// Checks the corner points of `sweep` (each axis's first and last value, the others at
    /// their first) as whole scenarios, reporting the first problem at its sweep value.
    pub(super) fn sweep_corners(&mut self, sweep: &Sweep) {
        let mut points: Vec<usize> = Vec::new();
        let mut stride = 1;
        for a in &sweep.axes {
            points.push(0);
            points.push((a.values.len() - 1) * stride);
            stride *= a.values.len();
        }
        points.sort_unstable();
        points.dedup();
        for k in points {
            if let Err(d) = sweep.scenario_at_with(self.source, k, self.limits) {
                self.report(d);
                return;
            }
        }
    }
}

/// The node at `segments` under `root`, or what is wrong and a hint.
fn resolve<'n>(root: &'n Node, segments: &[Segment]) -> Result<&'n Node, (String, String)> {
    let mut node = root;
    for (n, seg) in segments.iter().enumerate() {
        let here = path::prefix(segments, n);
        let at = if here.is_empty() {
            String::from("the top level")
        } else {
            format!("`{here}`")
        };
        node = match (seg, &node.kind) {
            (Segment::Key(k), NodeKind::Map(entries)) => {
                let found = entries.iter().find(|(key, _)| key.as_str() == Some(k));
                match found {
                    Some((_, v)) => v,
                    None => {
                        let names: Vec<&str> =
                            entries.iter().filter_map(|(key, _)| key.as_str()).collect();
                        let hint = match suggest(k, &names) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None if names.is_empty() => String::from("a sweep replaces a value written in the scenario"),
                            None => format!(
                                "{at} has: {}; to sweep a default, write the key with any value first",
                                list(&names)
                            ),
                        };
                        return Err((format!("no `{k}` under {at}"), hint));
                    }
                }
            }
            (Segment::Index(i), NodeKind::Seq(items)) => match items.get(*i) {
                Some(v) => v,
                None => {
                    return Err((
                        format!(
                            "{at} has {} item{}, so `[{i}]` is past its end",
                            items.len(),
                            if items.len() == 1 { "" } else { "s" }
                        ),
                        String::from("items are numbered from 0"),
                    ))
                }
            },
            (Segment::Key(k), _) => {
                return Err((
                    format!("{at} is {}, not a mapping with `{k}`", node.describe()),
                    String::from("use `[0]`, `[1]`… for the items of a list"),
                ))
            }
            (Segment::Index(i), _) => {
                return Err((
                    format!(
                        "{at} is {}, not a list with an item `[{i}]`",
                        node.describe()
                    ),
                    String::from("use `.name` for the keys of a mapping"),
                ))
            }
        };
    }
    Ok(node)
}

/// `text` as a double-quoted YAML scalar.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
