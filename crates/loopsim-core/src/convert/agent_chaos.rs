//! agent-chaos-framework experiment profiles → native scenario YAML.
//!
//! A profile is a JSON object `{"agents": 400, "workers": 4, "buffer": 80, "drop_rate": 0.20}`,
//! optionally with `"name"` or `"id"` (such as `"EXP-002"`). JSON is YAML, so it is read with
//! the core's spanned YAML reader and every error points at its line and column.
//!
//! The mapping (the gallery's `scenarios/seeds/agent-chaos-exp-00{1,2,3}.yaml` are the three
//! published profiles converted, with their own name, description and try list):
//! `agents` closed-loop users thinking U(500 ms, 10 s); a `workers` service with `workers`
//! single-job workers behind an ingress queue of `buffer` slots (full → shed with a 503); a job
//! of 20 ms, or 200 ms three times in ten, as a blocking step; an `errors` fault at `drop_rate`
//! from 0 s; the collapse detector every 5 s with its throttle fed back to the agents.
//!
//! **Why the agents think 0.5–10 s.** The seed's agents send one request each, after U(5 ms,
//! 100 ms); a sustained swarm needs a cycle, and an agent's step between two calls (reasoning,
//! a model call) takes seconds. With the seed's 5–100 ms as a cycle, EXP-002 (400 agents on
//! 4 workers that serve about 54 jobs/s) is a hundred times overloaded and collapses at once, as
//! the seed's own code would, where its README says DEGRADED. With 0.5–10 s (mean 5.25 s) the
//! three profiles offer about 0.1×, 1.1× and 4× their workers' capacity (EXP-002 and EXP-003
//! net of the jobs the errors fault fails at once), which reproduces the README's ladder STABLE,
//! DEGRADED, COLLAPSED. The health tick is 5 s rather than the seed's 50 ms: the p95 of one
//! tick's requests needs enough of them (about 75 at EXP-001's 15 jobs/s), or the detector's
//! "p95 doubled" rule fires on noise (a 20 ms tick after a 200 ms one).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::{wrap, Converted};
use crate::diag::{Diagnostic, Span};
use crate::yaml::{self, Node, NodeKind, YamlLimits};

/// A profile's values, once read and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub label: Option<String>,
    pub agents: u64,
    pub workers: u64,
    pub buffer: u64,
    pub drop_rate: f64,
    /// Keys that were not mapped, in source order.
    pub unmapped: Vec<String>,
}

const KNOWN: &[&str] = &["agents", "workers", "buffer", "drop_rate", "name", "id"];
const MAX_AGENTS: u64 = 1_000_000;
const MAX_WORKERS: u64 = 10_000;
const MAX_BUFFER: u64 = 10_000_000;

/// Whether `source` looks like a profile: a JSON object (it starts with `{`) with `agents` and
/// `workers` keys. A malformed one (it does not parse) counts when either quoted key appears in
/// its text, so that it gets the converter's located error rather than "unknown format".
pub fn looks_like(source: &str) -> bool {
    if !source.trim_start().starts_with('{') {
        return false;
    }
    super::has_top_keys(source, &["agents", "workers"])
        .unwrap_or_else(|| source.contains("\"agents\"") || source.contains("\"workers\""))
}

/// Converts a profile's text to native scenario YAML.
pub fn convert(source: &str) -> Converted {
    let mut diagnostics = Vec::new();
    let profile = read(source, &mut diagnostics);
    let yaml = match profile {
        Some(p) if !diagnostics.iter().any(Diagnostic::is_error) => Some(render(&p)),
        _ => None,
    };
    Converted { yaml, diagnostics }
}

/// Reads and checks a profile, pushing every problem found (not only the first).
pub fn read(source: &str, out: &mut Vec<Diagnostic>) -> Option<Profile> {
    let root = match yaml::parse(source, &YamlLimits::default()) {
        Ok(root) => root,
        Err(d) if d.hint.is_some() => {
            out.push(d);
            return None;
        }
        Err(d) => {
            out.push(d.with_hint(
                "an agent-chaos profile is one JSON object such as \
                 {\"agents\": 400, \"workers\": 4, \"buffer\": 80, \"drop_rate\": 0.20}",
            ));
            return None;
        }
    };
    let NodeKind::Map(entries) = &root.kind else {
        out.push(
            Diagnostic::error(
                root.span,
                format!(
                    "an agent-chaos profile must be a JSON object, found {}",
                    root.describe()
                ),
            )
            .with_hint(
                "write {\"agents\": 400, \"workers\": 4, \"buffer\": 80, \"drop_rate\": 0.20}",
            ),
        );
        return None;
    };
    let get = |k: &str| {
        entries
            .iter()
            .find(|(key, _)| key.as_str() == Some(k))
            .map(|(_, v)| v)
    };
    let mut unmapped = Vec::new();
    for (key, value) in entries {
        let name = key.as_str().unwrap_or("");
        if !KNOWN.contains(&name) {
            let shown = one_line(name);
            out.push(
                Diagnostic::warning(
                    key.span,
                    format!("not mapped: `{shown}` (the converter ignores it)"),
                )
                .with_hint(format!(
                    "profile keys are {}; edit the generated scenario to model `{shown}` \
                     ({} given)",
                    KNOWN.join(", "),
                    value.describe()
                )),
            );
            unmapped.push(shown);
        }
    }
    let start = Span {
        start: root.span.start,
        end: root.span.start.saturating_add(1).min(root.span.end),
    };
    let agents = whole(out, start, get("agents"), "agents", 1, MAX_AGENTS, "400");
    let workers = whole(out, start, get("workers"), "workers", 1, MAX_WORKERS, "4");
    let buffer = whole(out, start, get("buffer"), "buffer", 1, MAX_BUFFER, "80");
    let drop_rate = rate(out, start, get("drop_rate"));
    let mut label = None;
    for k in ["name", "id"] {
        if let Some(n) = get(k) {
            match &n.kind {
                NodeKind::Scalar { text, .. } if !text.trim().is_empty() => {
                    if label.is_none() {
                        label = Some(one_line(text.trim()));
                    }
                }
                _ => out.push(
                    Diagnostic::error(
                        n.span,
                        format!(
                            "`{k}` must be a non-empty string, found {}",
                            if n.as_str().is_some() {
                                "an empty one"
                            } else {
                                n.describe()
                            }
                        ),
                    )
                    .with_hint(format!("write \"{k}\": \"EXP-002\"")),
                ),
            }
        }
    }
    Some(Profile {
        label,
        agents: agents?,
        workers: workers?,
        buffer: buffer?,
        drop_rate: drop_rate?,
        unmapped,
    })
}

/// A required whole number in `min..=max`.
#[allow(clippy::too_many_arguments)]
fn whole(
    out: &mut Vec<Diagnostic>,
    missing_at: Span,
    node: Option<&Node>,
    key: &str,
    min: u64,
    max: u64,
    example: &str,
) -> Option<u64> {
    let Some(node) = node else {
        out.push(
            Diagnostic::error(missing_at, format!("the profile has no `{key}`"))
                .with_hint(format!("add \"{key}\": {example}")),
        );
        return None;
    };
    let text = number_text(out, node, key, example)?;
    let bad = |msg: String| {
        Diagnostic::error(node.span, msg).with_hint(format!(
            "`{key}` is a whole number from {min} to {max}, such as \"{key}\": {example}"
        ))
    };
    // JSON writes whole numbers as `400`, but also `400.0` or `4e2`.
    let value = text.parse::<u64>().ok().or_else(|| {
        let v = text.parse::<f64>().ok()?;
        // `as` saturates: a number beyond u64 becomes u64::MAX, then out of range.
        (v.is_finite() && v >= 0.0 && libm::trunc(v) == v).then_some(v as u64)
    });
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    match value {
        Some(v) if (min..=max).contains(&v) => Some(v),
        Some(_) => {
            out.push(bad(format!(
                "`{key}` must be from {min} to {max}, found {text}"
            )));
            None
        }
        None if digits => {
            out.push(bad(format!(
                "`{key}` must be from {min} to {max}, found {text}"
            )));
            None
        }
        None => {
            let msg = if text.starts_with('-') {
                format!("`{key}` must not be negative, found {text}")
            } else {
                format!("`{key}` must be a whole number, found {text}")
            };
            out.push(bad(msg));
            None
        }
    }
}

/// `drop_rate`: a required number in [0, 1].
fn rate(out: &mut Vec<Diagnostic>, missing_at: Span, node: Option<&Node>) -> Option<f64> {
    let hint = "`drop_rate` is a probability from 0 to 1, such as \"drop_rate\": 0.20 (20%)";
    let Some(node) = node else {
        out.push(
            Diagnostic::error(missing_at, "the profile has no `drop_rate`")
                .with_hint("add \"drop_rate\": 0.20"),
        );
        return None;
    };
    let text = number_text(out, node, "drop_rate", "0.20")?;
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=1.0).contains(&v) => Some(v),
        Ok(_) => {
            out.push(
                Diagnostic::error(
                    node.span,
                    format!("`drop_rate` must be between 0 and 1, found {text}"),
                )
                .with_hint(hint),
            );
            None
        }
        Err(_) => {
            out.push(
                Diagnostic::error(
                    node.span,
                    format!("`drop_rate` must be a number, found {text}"),
                )
                .with_hint(hint),
            );
            None
        }
    }
}

/// The text of an unquoted scalar, or an error saying a number was expected.
fn number_text<'a>(
    out: &mut Vec<Diagnostic>,
    node: &'a Node,
    key: &str,
    example: &str,
) -> Option<&'a str> {
    let mut hint = format!("give a number: \"{key}\": {example}");
    let found = match &node.kind {
        NodeKind::Scalar { text, plain: true } => {
            if matches!(text.as_str(), "true" | "false") {
                "a boolean"
            } else {
                return Some(text);
            }
        }
        NodeKind::Scalar { .. } => {
            hint = format!("write it without quotes: \"{key}\": {example}");
            "a string"
        }
        NodeKind::Null => "null",
        _ => node.describe(),
    };
    out.push(
        Diagnostic::error(
            node.span,
            format!("`{key}` must be a number, found {found}"),
        )
        .with_hint(hint),
    );
    None
}

/// `text` on one line, control characters replaced by spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A number as a percentage, without trailing zeros (`0.2` → `20`, `0.125` → `12.5`).
fn percent(p: f64) -> String {
    let s = format!("{:.4}", p * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// The native scenario YAML for a checked profile.
pub fn render(p: &Profile) -> String {
    let label = p.label.clone().unwrap_or_else(|| "profile".to_string());
    let mut y = String::new();
    y.push_str(
        "# Converted by `loopsim convert` from an agent-chaos-framework experiment profile.\n",
    );
    if !p.unmapped.is_empty() {
        y.push_str(&format!(
            "# not mapped (ignored): {}\n",
            p.unmapped.join(", ")
        ));
    }
    y.push_str("version: 1\n");
    y.push_str(&format!(
        "name: {}\n",
        quoted(&format!("agent-chaos {label}"))
    ));
    let rate = percent(p.drop_rate);
    let fault_sentence = if p.drop_rate > 0.0 {
        format!(
            "An `errors` fault fails {rate}% of the requests reaching the workers from 0 s (the \
             profile's drop_rate): they fail at once, where the seed fails a job with a 500 \
             after running it."
        )
    } else {
        "drop_rate is 0, so no jobs are failed on purpose (no fault).".to_string()
    };
    y.push_str("description: >\n");
    let description = format!(
        "Converted from the agent-chaos-framework experiment profile {label}: {agents} agents \
         / {workers} workers / buffer {buffer} / drop_rate {dr}. {agents} agents each send a \
         request, wait for its answer and think 0.5-10 s before the next (a closed loop); \
         {workers} workers each run one job at a time, behind a {buffer}-slot queue that sheds \
         what does not fit with a 503; a job takes 20 ms, or 200 ms three times in ten. \
         {fault_sentence} The collapse detector watches the queue every 5 s and slows the \
         agents by its throttle. How this differs from the seed tool: its agents send one \
         request each after 5-100 ms, ours keep working with a longer think time, so the load \
         is sustained (with the seed's 5-100 ms every profile above a few agents per worker \
         collapses at once); its congestion drop, probability drop_rate + (depth/capacity)^2 \
         on admission, is not reproduced (a full queue sheds; nothing is dropped while there is \
         room); its 5 ms x weight extra on success is left out; its detector ticks every \
         50 ms, ours every 5 s. Its README numbers come from wall-clock sleeps, not from its \
         model: treat them as the qualitative outcome (STABLE / DEGRADED / COLLAPSED).",
        agents = p.agents,
        workers = p.workers,
        buffer = p.buffer,
        dr = p.drop_rate,
    );
    for line in wrap(&description, 94) {
        y.push_str("  ");
        y.push_str(&line);
        y.push('\n');
    }
    // The seed: the number ending the profile's name (EXP-002 → 2), else 1.
    let digits: String = {
        let rev: String = label
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect();
        rev.chars().rev().collect()
    };
    let seed = digits.parse::<u64>().ok().filter(|&s| s > 0).unwrap_or(1);
    y.push_str(&format!("seed: {seed}\nduration: 300s\nwarmup: 10s\n"));
    y.push_str("workload:\n  - name: agents\n    to: workers\n    arrivals: closed\n");
    y.push_str(&format!("    users: {}\n", p.agents));
    y.push_str("    think: { dist: uniform, min: 500ms, max: 10s }\n");
    y.push_str("services:\n  workers:\n");
    y.push_str(&format!("    workers: {}\n", p.workers));
    y.push_str(&format!("    ingress: {{ max_queue: {} }}\n", p.buffer));
    y.push_str(
        "    endpoints:\n      /job:\n        - blocking: { dist: empirical, values: \
         [20ms, 20ms, 20ms, 20ms, 20ms, 20ms, 20ms, 200ms, 200ms, 200ms] }\n",
    );
    if p.drop_rate > 0.0 {
        y.push_str(&format!(
            "faults:\n  - {{ at: 0s, kind: errors, target: workers, rate: {rate}% }}\n"
        ));
    }
    y.push_str("health:\n  tick: 5s\n  collapse: { feedback: true }\n");
    y
}

/// A YAML double-quoted string.
fn quoted(s: &str) -> String {
    let mut q = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            c if c.is_control() => q.push(' '),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::LineIndex;

    fn profile(agents: &str, workers: &str, buffer: &str, drop: &str) -> String {
        format!(
            "{{\n  \"id\": \"EXP\",\n  \"agents\": {agents},\n  \"workers\": {workers},\n  \
             \"buffer\": {buffer},\n  \"drop_rate\": {drop}\n}}\n"
        )
    }

    fn converts_clean(src: &str) -> String {
        let c = convert(src);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let yaml = c.yaml.expect("yaml");
        let checked = crate::check(&yaml);
        let errors: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .collect();
        assert!(errors.is_empty(), "{errors:?}\n{yaml}");
        assert!(checked.scenario.is_some());
        yaml
    }

    /// The single error's message and 1-based line and column.
    fn error_at(src: &str) -> (String, u32, u32) {
        let c = convert(src);
        assert!(c.yaml.is_none());
        let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].hint.is_some());
        let lc = LineIndex::new(src).line_col(errors[0].span.start);
        (errors[0].message.clone(), lc.line, lc.column)
    }

    #[test]
    fn the_three_published_profiles_convert_and_check_clean() {
        let y1 = converts_clean(&profile("80", "12", "200", "0.00"));
        assert!(y1.contains("users: 80\n") && y1.contains("workers: 12\n"));
        assert!(y1.contains("max_queue: 200 }") && !y1.contains("faults:"));
        let y2 = converts_clean(
            r#"{"id": "EXP-002", "agents": 400, "workers": 4, "buffer": 80, "drop_rate": 0.20}"#,
        );
        assert!(y2.contains("name: \"agent-chaos EXP-002\""));
        assert!(y2.contains("\nseed: 2\n"));
        // JSON may write a whole number as 4e2 or 400.0.
        let y = converts_clean(&profile("4e2", "4.0", "80", "1"));
        assert!(y.contains("users: 400\n") && y.contains("workers: 4\n"));
        assert!(y.contains("rate: 100% }"));
        assert!(y2.contains("rate: 20% }") && y2.contains("feedback: true"));
        assert!(y2.contains("duration: 300s\nwarmup: 10s"));
        let y3 = converts_clean(&profile("1000", "2", "50", "0.40"));
        assert!(y3.contains("users: 1000\n") && y3.contains("rate: 40% }"));
        assert!(y3.contains("max_queue: 50 }"));
    }

    /// The text without what is only for the reader: the `name` line and the `description`
    /// and `try` blocks (each with its indented lines).
    fn model_text(yaml: &str) -> String {
        let mut out = String::new();
        let mut skipping = false;
        for line in yaml.lines() {
            if skipping && line.starts_with(' ') {
                continue;
            }
            skipping = line.starts_with("description:") || line.starts_with("try:");
            if skipping || line.starts_with("name:") {
                continue;
            }
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// The gallery's three seed experiments are the published profiles converted: the same
    /// scenario up to name, description and try list.
    #[test]
    fn the_gallery_experiments_are_the_converted_profiles() {
        let gallery = [
            (
                r#"{"id": "EXP-001", "agents": 80, "workers": 12, "buffer": 200, "drop_rate": 0.00}"#,
                include_str!("../../../../scenarios/seeds/agent-chaos-exp-001.yaml"),
            ),
            (
                r#"{"id": "EXP-002", "agents": 400, "workers": 4, "buffer": 80, "drop_rate": 0.20}"#,
                include_str!("../../../../scenarios/seeds/agent-chaos-exp-002.yaml"),
            ),
            (
                r#"{"id": "EXP-003", "agents": 1000, "workers": 2, "buffer": 50, "drop_rate": 0.40}"#,
                include_str!("../../../../scenarios/seeds/agent-chaos-exp-003.yaml"),
            ),
        ];
        for (profile, native) in gallery {
            let converted = converts_clean(profile);
            assert!(crate::check(native).scenario.is_some());
            assert_eq!(model_text(&converted), model_text(native), "{profile}");
        }
    }

    #[test]
    fn malformed_json_is_located() {
        let src = "{\n  \"agents\": 400,\n  \"workers\": 4,,\n}\n";
        let c = convert(src);
        assert!(c.yaml.is_none());
        let d = c.diagnostics.iter().find(|d| d.is_error()).unwrap();
        assert!(d.hint.is_some());
        assert_eq!(LineIndex::new(src).line_col(d.span.start).line, 3);
        // Not an object at all.
        let (msg, line, col) = error_at("[1, 2]");
        assert!(msg.contains("JSON object"), "{msg}");
        assert_eq!((line, col), (1, 1));
    }

    #[test]
    fn each_bad_value_is_located() {
        let (m, l, c) = error_at(&profile("-5", "4", "80", "0.2"));
        assert!(m.contains("negative"), "{m}");
        assert_eq!((l, c), (3, 13));
        let (m, l, c) = error_at(&profile("400", "\"four\"", "80", "0.2"));
        assert!(m.contains("found a string"), "{m}");
        assert_eq!((l, c), (4, 14));
        let (m, l, c) = error_at(&profile("400", "4", "8.5", "0.2"));
        assert!(m.contains("whole number"), "{m}");
        assert_eq!((l, c), (5, 13));
        let (m, l, c) = error_at(&profile("400", "4", "80", "1.5"));
        assert!(m.contains("between 0 and 1"), "{m}");
        assert_eq!((l, c), (6, 16));
        let (m, _, _) = error_at(&profile("400", "4", "80", "-0.1"));
        assert!(m.contains("between 0 and 1"), "{m}");
        let (m, l, c) = error_at(&profile("400", "0", "80", "0.2"));
        assert!(m.contains("from 1"), "{m}");
        assert_eq!((l, c), (4, 14));
        let (m, _, _) = error_at(&profile("400", "99999999999999999999999", "80", "0.2"));
        assert!(m.contains("from 1 to"), "{m}");
        let (m, _, _) = error_at(&profile("400", "4", "null", "0.2"));
        assert!(m.contains("found null"), "{m}");
        let (m, l, c) = error_at(&format!(
            "{{\"name\": \"\",{}",
            &profile("1", "1", "1", "0")[1..]
        ));
        assert!(m.contains("found an empty one"), "{m}");
        assert_eq!((l, c), (1, 10));
        let (m, _, _) = error_at(&profile("400", "true", "80", "0.2"));
        assert!(m.contains("boolean"), "{m}");
        let (m, l, c) = error_at("{\"agents\": 4, \"workers\": 1, \"buffer\": 3}");
        assert!(m.contains("no `drop_rate`"), "{m}");
        assert_eq!((l, c), (1, 1));
    }

    #[test]
    fn unknown_keys_are_reported_and_noted_in_the_yaml() {
        let src =
            "{\"agents\": 10, \"workers\": 2, \"buffer\": 5, \"drop_rate\": 0.1,\n \"retries\": 3}";
        let c = convert(src);
        assert_eq!(c.diagnostics.len(), 1);
        let d = &c.diagnostics[0];
        assert!(!d.is_error() && d.message.contains("not mapped: `retries`"));
        let lc = LineIndex::new(src).line_col(d.span.start);
        assert_eq!((lc.line, lc.column), (2, 2));
        let yaml = c.yaml.unwrap();
        assert!(yaml.contains("# not mapped (ignored): retries\n"));
        assert!(crate::check(&yaml).scenario.is_some());
    }

    #[test]
    fn detection_needs_an_object_with_agents_and_workers() {
        assert!(looks_like(&profile("1", "1", "1", "0")));
        assert!(!looks_like("{\"agents\": 1}"));
        assert!(!looks_like("version: 1\nagents: 1\nworkers: 1\n"));
        assert!(!looks_like("{not json"));
        assert!(looks_like("{\"agents\": 1, \"workers\": [1,\n}"));
        assert!(looks_like("{\"agents\": 1, \"agents\": 2}"));
    }
}
