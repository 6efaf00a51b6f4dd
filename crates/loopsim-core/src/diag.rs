//! Diagnostics with source locations, shared by the CLI, the wasm facade and the editor.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// A byte range in the scenario source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Span { start, end }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A machine-applicable repair: write `text` in place of the bytes of `span`. Carried by a
/// diagnostic whose hint names the likely intended word ("did you mean `payments`?"), so an
/// editor can offer the change as one click instead of retyping it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub span: Span,
    pub text: String,
}

/// One problem found in a scenario: where, what, and how to fix it.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub span: Span,
    pub message: String,
    pub hint: Option<String>,
    /// The replacement the hint suggests, when it is a single word written in the source.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            span,
            message: message.into(),
            hint: None,
            fix: None,
        }
    }

    pub fn warning(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            span,
            message: message.into(),
            hint: None,
            fix: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Attaches the repair a did-you-mean hint suggests (nothing when `fix` is `None`).
    pub fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// 1-based line and column (column counted in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// Maps byte offsets to line/column for one source text.
///
/// Line breaks are those of YAML (and of the parser): `\n`, `\r\n` (one break) and a bare `\r`.
pub struct LineIndex<'a> {
    source: &'a str,
    line_starts: Vec<u32>,
}

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a str) -> Self {
        let mut line_starts = alloc::vec![0u32];
        let bytes = source.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            let ends_line = match b {
                b'\n' => true,
                // `\r\n` is one break: the line ends after the `\n`.
                b'\r' => bytes.get(i + 1) != Some(&b'\n'),
                _ => false,
            };
            if ends_line {
                line_starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
        }
        LineIndex {
            source,
            line_starts,
        }
    }

    /// Byte offset of the start of each line, in order (the first is 0).
    pub fn line_starts(&self) -> &[u32] {
        &self.line_starts
    }

    pub fn line_col(&self, offset: u32) -> LineCol {
        let offset = offset.min(self.source.len() as u32);
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let mut end = offset as usize;
        while !self.source.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.source[start..end].chars().count() as u32 + 1;
        LineCol {
            line: line as u32 + 1,
            column,
        }
    }
}

/// Renders `file:line:col: severity: message` plus the hint, as compilers do.
pub struct Rendered<'a> {
    pub file: &'a str,
    pub index: &'a LineIndex<'a>,
    pub diagnostic: &'a Diagnostic,
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diagnostic;
        let lc = self.index.line_col(d.span.start);
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file,
            lc.line,
            lc.column,
            d.severity.as_str(),
            d.message
        )?;
        if let Some(h) = &d.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

/// The repair that puts `replacement` in place of `word` where it is written inside `span` of
/// `source` (its first occurrence, or its last with `last`: the endpoint of `service/endpoint`).
/// `None` when the word is not written there as is (an escaped or folded scalar): a fix must
/// never edit the wrong bytes.
pub fn replace_word(
    source: &str,
    span: Span,
    word: &str,
    replacement: &str,
    last: bool,
) -> Option<Fix> {
    let (start, end) = (span.start as usize, span.end as usize);
    let written = source.get(start..end)?;
    if word.is_empty() || word == replacement {
        return None;
    }
    let at = if last {
        written.rfind(word)?
    } else {
        written.find(word)?
    };
    let from = (start + at) as u32;
    Some(Fix {
        span: Span::new(from, from + word.len() as u32),
        text: replacement.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fix_replaces_the_word_where_it_is_written() {
        let src = "call: paymnts/paymnts";
        let span = Span::new(6, 21);
        let first = replace_word(src, span, "paymnts", "payments", false).unwrap();
        assert_eq!(first.span, Span::new(6, 13));
        let last = replace_word(src, span, "paymnts", "pay", true).unwrap();
        assert_eq!(last.span, Span::new(14, 21));
        assert_eq!(last.text, "pay");
        // Not written there as is, out of range, or nothing to change: no fix.
        assert_eq!(replace_word(src, span, "zzz", "a", false), None);
        assert_eq!(
            replace_word(src, Span::new(6, 99), "paymnts", "a", false),
            None
        );
        assert_eq!(replace_word(src, span, "paymnts", "paymnts", false), None);
    }

    fn at(index: &LineIndex, offset: u32) -> (u32, u32) {
        let lc = index.line_col(offset);
        (lc.line, lc.column)
    }

    #[test]
    fn every_yaml_line_break_counts_once() {
        // LF, CRLF and a bare CR each end a line; columns count characters.
        let src = "a\nb\r\nc\rdé\r\rx";
        let index = LineIndex::new(src);
        assert_eq!(index.line_starts(), &[0, 2, 5, 7, 11, 12]);
        assert_eq!(at(&index, 0), (1, 1));
        assert_eq!(at(&index, 2), (2, 1));
        assert_eq!(at(&index, 3), (2, 2)); // the `\r` of `\r\n`
        assert_eq!(at(&index, 4), (2, 3)); // its `\n`: still line 2
        assert_eq!(at(&index, 5), (3, 1));
        assert_eq!(at(&index, 7), (4, 1));
        assert_eq!(at(&index, 10), (4, 3)); // after `dé`
        assert_eq!(at(&index, 11), (5, 1)); // an empty line between two CRs
        assert_eq!(at(&index, 12), (6, 1));
        assert_eq!(at(&index, 99), (6, 2)); // clamped to the end
    }
}
