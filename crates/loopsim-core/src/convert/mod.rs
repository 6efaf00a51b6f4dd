//! Converters from other tools' files to native scenario YAML. Pure text → text: the host reads
//! the file and prints the result. Every converter reports what it could not map (a warning
//! naming it), never drops it silently, and locates malformed input like [`crate::check`].

pub mod agent_chaos;
pub mod asyncflow;

use alloc::string::String;
use alloc::vec::Vec;

use crate::diag::Diagnostic;

/// A foreign file format that can be converted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// agent-chaos-framework experiment profiles: `{agents, workers, buffer, drop_rate}` JSON.
    AgentChaos,
    /// AsyncFlow 0.1.1 payloads: YAML with `rqs_input`, `topology_graph`, `sim_settings`,
    /// `events`.
    AsyncFlow,
}

impl Format {
    /// Every format, for listing in messages.
    pub const ALL: &'static [Format] = &[Format::AgentChaos, Format::AsyncFlow];

    /// The name used on the command line (`--from`).
    pub fn name(self) -> &'static str {
        match self {
            Format::AgentChaos => "agent-chaos",
            Format::AsyncFlow => "asyncflow",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.name() == name)
    }
}

/// The format of `source`, recognised from its content, if any.
pub fn detect(source: &str) -> Option<Format> {
    if agent_chaos::looks_like(source) {
        return Some(Format::AgentChaos);
    }
    if asyncflow::looks_like(source) {
        return Some(Format::AsyncFlow);
    }
    None
}

/// The result of a conversion: the native YAML (absent when there are errors) and every
/// diagnostic (warnings too), located in the *input*.
#[derive(Clone, Debug, PartialEq)]
pub struct Converted {
    pub yaml: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Converts `source`, written in `format`, to native scenario YAML.
pub fn convert(format: Format, source: &str) -> Converted {
    match format {
        Format::AgentChaos => agent_chaos::convert(source),
        Format::AsyncFlow => asyncflow::convert(source),
    }
}

/// Words of `text` in lines of at most `width` characters (a longer word has its own line), for
/// the descriptions and notes the converters write.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(core::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Whether `source` parses as a YAML (or JSON) mapping holding every key of `keys` at its top
/// level: `Some(true)`/`Some(false)`, or `None` when it does not parse (each converter then
/// decides from the raw text whether a malformed file is still its own).
pub(crate) fn has_top_keys(source: &str, keys: &[&str]) -> Option<bool> {
    use crate::yaml::{self, NodeKind, YamlLimits};
    let root = yaml::parse(source, &YamlLimits::default()).ok()?;
    Some(match &root.kind {
        NodeKind::Map(entries) => keys
            .iter()
            .all(|k| entries.iter().any(|(key, _)| key.as_str() == Some(k))),
        _ => false,
    })
}
