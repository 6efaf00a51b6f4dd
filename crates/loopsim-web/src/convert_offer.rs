//! The offer the page makes when the editor holds another tool's file (an agent-chaos profile,
//! an AsyncFlow YAML…): what it says, and the conversion's result in the reader's words —
//! the native YAML and each warning located in the pasted text.
//!
//! Recognising and converting are the core's (`loopsim_core::convert::{detect, convert}`); a
//! format added there is offered here without a change (its wording falls back to its name).

use loopsim_core::convert::{self, Format};
use loopsim_core::diag::{Diagnostic, LineIndex};

/// Texts larger than this are not examined (detection parses the whole text).
pub const MAX_BYTES: usize = 1 << 20;

/// The conversion the page offers for the editor's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offer {
    pub format: Format,
}

impl Offer {
    /// "This looks like an agent-chaos experiment profile."
    pub fn headline(self) -> String {
        format!("This looks like {}.", describe(self.format))
    }

    /// The button's label.
    pub fn action(self) -> &'static str {
        "Convert it to a loopsim scenario"
    }
}

/// What a format's files are called, with their article.
fn describe(format: Format) -> String {
    match format.name() {
        "agent-chaos" => String::from("an agent-chaos experiment profile"),
        "asyncflow" => String::from("an AsyncFlow scenario"),
        other => format!("a {other} file"),
    }
}

/// The offer for `text`, when it is another tool's file.
pub fn offer(text: &str) -> Option<Offer> {
    if text.len() > MAX_BYTES {
        return None;
    }
    convert::detect(text).map(|format| Offer { format })
}

/// A conversion as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The native scenario (`None`: the file has errors, listed in `notes`).
    pub yaml: Option<String>,
    /// The converter's warnings and errors, each "line L, column C: message (hint)" — once
    /// converted, "line L, column C of the original file: …", since the editor then holds
    /// the scenario.
    pub notes: Vec<String>,
    /// The same, located in the pasted text (the editor underlines them while it holds it,
    /// instead of the native format's errors).
    pub diagnostics: Vec<Diagnostic>,
}

/// Converts `text` from `format`.
pub fn run(format: Format, text: &str) -> Outcome {
    let converted = convert::convert(format, text);
    let index = LineIndex::new(text);
    let original = converted.yaml.is_some();
    let notes = converted
        .diagnostics
        .iter()
        .map(|d| note(&index, d, original))
        .collect();
    Outcome {
        yaml: converted.yaml,
        notes,
        diagnostics: converted.diagnostics,
    }
}

fn note(index: &LineIndex, d: &Diagnostic, original: bool) -> String {
    let at = index.line_col(d.span.start);
    let of = if original {
        " of the original file"
    } else {
        ""
    };
    let mut s = format!("line {}, column {}{of}: {}", at.line, at.column, d.message);
    if let Some(h) = &d.hint {
        s.push_str(&format!(" ({h})"));
    }
    s
}

/// The sentence shown after a conversion.
pub fn summary(format: Format, outcome: &Outcome) -> String {
    let what = describe(format);
    match (&outcome.yaml, outcome.notes.len()) {
        (Some(_), 0) => format!(
            "Converted {what} into the scenario below; every field was mapped. Ctrl+Z brings the original back."
        ),
        (Some(_), n) => format!(
            "Converted {what} into the scenario below. {n} thing{} could not be mapped exactly; Ctrl+Z brings the original back:",
            if n == 1 { "" } else { "s" }
        ),
        (None, _) => format!("This {} cannot be converted:", &what[what.find(' ').map_or(0, |i| i + 1)..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROFILE: &str = "{\"agents\": 40, \"workers\": 4, \"buffer\": 8, \"drop_rate\": 0.1}";

    #[test]
    fn a_profile_is_offered_and_converts_to_a_valid_scenario() {
        let o = offer(PROFILE).expect("recognised");
        assert_eq!(o.format, Format::AgentChaos);
        assert_eq!(
            o.headline(),
            "This looks like an agent-chaos experiment profile."
        );
        let out = run(o.format, PROFILE);
        let yaml = out.yaml.as_deref().expect("converted");
        assert!(!loopsim_core::check(yaml).has_errors());
        assert!(summary(o.format, &out).starts_with("Converted an agent-chaos"));
    }

    #[test]
    fn native_scenarios_and_plain_text_get_no_offer() {
        for e in crate::gallery::entries() {
            assert_eq!(offer(e.yaml), None, "{}", e.file);
        }
        assert_eq!(offer(""), None);
        assert_eq!(offer("hello"), None);
        let huge = format!(
            "{{\"agents\": 1, \"workers\": 1, \"pad\": \"{}\"}}",
            "x".repeat(MAX_BYTES)
        );
        assert_eq!(offer(&huge), None);
    }

    #[test]
    fn warnings_and_errors_are_located_in_the_pasted_text() {
        let extra =
            "{\"agents\": 40, \"workers\": 4, \"buffer\": 8,\n \"drop_rate\": 0.1, \"colour\": 1}";
        let out = run(Format::AgentChaos, extra);
        assert!(out.yaml.is_some());
        assert!(
            out.notes.iter().any(|n| n.starts_with("line 2, column")
                && n.contains("of the original file: ")
                && n.contains("colour")),
            "{:?}",
            out.notes
        );
        assert!(summary(Format::AgentChaos, &out).contains("could not be mapped"));
        let bad = "{\"agents\": -4, \"workers\": 4}";
        let out = run(Format::AgentChaos, bad);
        assert_eq!(out.yaml, None);
        assert!(
            out.notes[0].starts_with("line 1, column") && !out.notes[0].contains("original"),
            "{:?}",
            out.notes
        );
        assert!(out.diagnostics.iter().any(Diagnostic::is_error));
        assert_eq!(
            summary(Format::AgentChaos, &out),
            "This agent-chaos experiment profile cannot be converted:"
        );
    }
}
