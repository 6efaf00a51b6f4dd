//! A scenario's teaching material: the "try this" suggestions and the guided walkthrough
//! (`try:` and `guide:`). The engine never reads them; the playground shows them beside the
//! description, and a guide step can carry a change the page applies to the scenario text.
//!
//! A change is a plain text replacement, so that it applies to the text the reader sees (with
//! its comments and layout) and to a scenario they have already edited. It replaces exactly one
//! occurrence of `replace` outside the `guide:` block itself (which quotes the text it
//! replaces); none or several is an error, never a guess.

use alloc::string::String;
use alloc::vec::Vec;

use crate::diag::Span;
use crate::yaml::{self, NodeKind, YamlLimits};

/// `try:` and `guide:`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Guide {
    /// "Try this": what to change and what will happen, one suggestion each.
    pub try_this: Vec<String>,
    /// The walkthrough, in order.
    pub steps: Vec<GuideStep>,
}

/// One step of a walkthrough.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuideStep {
    /// What to do and what to look at.
    pub text: String,
    /// An edit the page applies when the reader asks for it.
    pub change: Option<Change>,
    /// The chart to point at, by the page's chart name (`lag`, `latency`…).
    pub chart: Option<String>,
    /// The topology node to point at: a service, workload, queue or cache name.
    pub node: Option<String>,
}

/// A text replacement in the scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub replace: String,
    pub with: String,
    /// Where the change is written (its `replace` value), for diagnostics.
    pub span: Span,
}

/// Why a change does not apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplyError {
    /// The text to replace is not in the scenario (outside `guide:`).
    NotFound,
    /// It occurs this many times; a change must name one place.
    Ambiguous(usize),
}

impl ApplyError {
    /// A sentence for the reader.
    pub fn message(self, replace: &str) -> String {
        let shown = first_line(replace);
        match self {
            ApplyError::NotFound => alloc::format!(
                "the text this step changes (`{shown}`) is not in the scenario: it was edited or the change was already applied"
            ),
            ApplyError::Ambiguous(n) => alloc::format!(
                "the text this step changes (`{shown}`) occurs {n} times in the scenario; a change must name one place"
            ),
        }
    }
}

fn first_line(s: &str) -> &str {
    let line = s.lines().next().unwrap_or("");
    match line.char_indices().nth(60) {
        Some((i, _)) => &line[..i],
        None => line,
    }
}

/// `source` with `change` applied: its one occurrence outside the `guide:` block replaced.
pub fn apply(source: &str, change: &Change) -> Result<String, ApplyError> {
    apply_text(source, &change.replace, &change.with)
}

/// [`apply`] on plain strings.
pub fn apply_text(source: &str, replace: &str, with: &str) -> Result<String, ApplyError> {
    if replace.is_empty() {
        return Err(ApplyError::NotFound);
    }
    let guide = guide_range(source);
    let outside = |at: &usize| {
        guide
            .as_ref()
            .is_none_or(|(s, e)| *at + replace.len() <= *s || *at >= *e)
    };
    let found: Vec<usize> = source
        .match_indices(replace)
        .map(|(i, _)| i)
        .filter(outside)
        .collect();
    match found.as_slice() {
        [] => Err(ApplyError::NotFound),
        [at] => {
            let mut out = String::with_capacity(source.len() + with.len());
            out.push_str(&source[..*at]);
            out.push_str(with);
            out.push_str(&source[at + replace.len()..]);
            Ok(out)
        }
        many => Err(ApplyError::Ambiguous(many.len())),
    }
}

/// The texts after each step of `steps`, from `source`: element `i` is the scenario as step
/// `i` leaves it (steps without a change leave it as it was). The first change that does not
/// apply ends the replay with its step's index and why.
pub fn replay(source: &str, steps: &[GuideStep]) -> Result<Vec<String>, (usize, ApplyError)> {
    let mut text = String::from(source);
    let mut out = Vec::with_capacity(steps.len());
    for (i, step) in steps.iter().enumerate() {
        if let Some(change) = &step.change {
            text = apply(&text, change).map_err(|e| (i, e))?;
        }
        out.push(text.clone());
    }
    Ok(out)
}

/// The byte range of the top-level `guide:` entry (key and value), if the text parses.
fn guide_range(source: &str) -> Option<(usize, usize)> {
    let root = yaml::parse(source, &YamlLimits::default()).ok()?;
    let NodeKind::Map(entries) = &root.kind else {
        return None;
    };
    let (key, value) = entries.iter().find(|(k, _)| k.as_str() == Some("guide"))?;
    Some((key.span.start as usize, value.span.end as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "version: 1\nservices:\n  api:\n    endpoints:\n      /x:\n        - blocking: 5ms\nguide:\n  - text: go\n    change: { replace: \"blocking: 5ms\", with: \"offload: 5ms\" }\n";

    #[test]
    fn replaces_the_one_occurrence_outside_the_guide() {
        let out = apply_text(SRC, "blocking: 5ms", "offload: 5ms").unwrap();
        assert!(out.contains("        - offload: 5ms\n"));
        // The guide's own quote is untouched.
        assert!(out.contains("replace: \"blocking: 5ms\""));
        // Applied twice: the text is gone.
        assert_eq!(
            apply_text(&out, "blocking: 5ms", "offload: 5ms"),
            Err(ApplyError::NotFound)
        );
    }

    #[test]
    fn several_occurrences_are_an_error_not_a_guess() {
        let src = "a: 1ms\nb: 1ms\n";
        assert_eq!(apply_text(src, "1ms", "2ms"), Err(ApplyError::Ambiguous(2)));
        assert_eq!(apply_text(src, "", "2ms"), Err(ApplyError::NotFound));
        assert!(ApplyError::Ambiguous(2).message("1ms").contains("2 times"));
    }

    #[test]
    fn unparsable_text_is_searched_whole() {
        let src = "a: [1ms\n";
        assert_eq!(apply_text(src, "1ms", "2ms").unwrap(), "a: [2ms\n");
    }
}
