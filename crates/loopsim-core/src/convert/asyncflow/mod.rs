//! AsyncFlow 0.1.1 payloads (YAML: `rqs_input`, `topology_graph`, `sim_settings`, `events`) →
//! native scenario YAML.
//!
//! The payload is read with the core's spanned YAML reader, so every error points at its line
//! and column; what cannot be mapped is a warning naming it. Random variables mean what
//! AsyncFlow 0.1.1's sampler draws (`dist.rs`), so the converted scenario is the same system:
//! on AsyncFlow's published examples its mean and p99 latency agree with AsyncFlow's own
//! (`tests/asyncflow.rs`). The mapping and the intended differences: `docs/asyncflow.md`.

mod dist;
pub mod model;
mod payload;
mod read;
mod render;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::Converted;
use crate::diag::Diagnostic;
use crate::yaml::{self, YamlLimits};

pub use model::Payload;

const HINT: &str = "an AsyncFlow payload is a YAML mapping with `rqs_input`, `topology_graph` \
                    and optionally `sim_settings` and `events`";

/// Whether `source` looks like an AsyncFlow payload: a YAML mapping with `rqs_input` and
/// `topology_graph`. A malformed one (it does not parse) counts when both keys start a line,
/// so that it gets the converter's located error rather than "unknown format".
pub fn looks_like(source: &str) -> bool {
    super::has_top_keys(source, &["rqs_input", "topology_graph"]).unwrap_or_else(|| {
        let starts = |k: &str| source.lines().any(|l| l.starts_with(k));
        starts("rqs_input:") && starts("topology_graph:")
    })
}

/// Reads and checks a payload, pushing every problem found.
pub fn read(source: &str, out: &mut Vec<Diagnostic>) -> Option<Payload> {
    let root = match yaml::parse(source, &YamlLimits::default()) {
        Ok(root) => root,
        Err(d) if d.hint.is_some() => {
            out.push(d);
            return None;
        }
        Err(d) => {
            out.push(d.with_hint(HINT));
            return None;
        }
    };
    let mut r = read::Reader { out };
    payload::payload(&mut r, &root)
}

/// Converts a payload's text to native scenario YAML.
pub fn convert(source: &str) -> Converted {
    let mut diagnostics = Vec::new();
    let payload = read(source, &mut diagnostics);
    let yaml = match payload {
        Some(p) if !diagnostics.iter().any(Diagnostic::is_error) => {
            render::render(&p, &mut diagnostics)
        }
        _ => None,
    };
    let yaml = yaml
        .filter(|_| !diagnostics.iter().any(Diagnostic::is_error))
        .map(|y| with_unmapped_note(y, &diagnostics));
    Converted { yaml, diagnostics }
}

/// The YAML with a comment after its header listing what was not mapped (the warnings say
/// where and why), so the note travels with the file.
fn with_unmapped_note(yaml: String, diagnostics: &[Diagnostic]) -> String {
    let unmapped: Vec<&str> = diagnostics
        .iter()
        .filter_map(|d| d.message.strip_prefix("not mapped: "))
        .collect();
    if unmapped.is_empty() {
        return yaml;
    }
    let mut note = String::from("# not mapped (see the warnings):\n");
    for u in unmapped {
        note.push_str(&format!("#   - {}\n", read::one_line(u)));
    }
    match yaml.find("version: 1\n") {
        Some(at) => format!("{}{note}{}", &yaml[..at], &yaml[at..]),
        None => format!("{note}{yaml}"),
    }
}
