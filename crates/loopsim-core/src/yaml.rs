//! A small spanned YAML tree built on the `granit-parser` event stream.
//!
//! The scenario front end needs byte spans on every node (for located diagnostics) and must run
//! without `std` (in the browser), which rules out the usual serde loaders. This module turns
//! parser events into a [`Node`] tree and enforces the resource limits that make untrusted input
//! safe: source size, nesting depth and a node budget that also bounds alias expansion, so an
//! "alias bomb" (billion laughs) fails fast instead of exhausting memory.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use granit_parser::{ErrorKind, Event, Parser, ScalarStyle, ScanError, StructureStyle, Tag};

use crate::diag::{Diagnostic, LineIndex, Span};

/// One YAML node with the byte range it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// An empty value, `~` or `null` (unquoted).
    Null,
    /// Any scalar; `plain` is false when it was quoted or a block scalar.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Entries in source order (keys are unique: duplicates are rejected while parsing).
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The scalar text, if this node is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// A short name of the node's shape, for "expected X, found Y" messages.
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            NodeKind::Null => "an empty value",
            NodeKind::Scalar { .. } => "a scalar",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }
}

/// Resource limits applied while reading YAML.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YamlLimits {
    pub max_source_bytes: usize,
    /// Nodes in the tree after alias expansion.
    pub max_nodes: usize,
    /// Collections nested inside each other.
    pub max_depth: usize,
}

impl Default for YamlLimits {
    fn default() -> Self {
        YamlLimits {
            max_source_bytes: 1 << 20,
            max_nodes: 100_000,
            max_depth: 64,
        }
    }
}

/// Parses exactly one YAML document into a spanned tree. An empty stream gives a `Null` node.
pub fn parse(source: &str, limits: &YamlLimits) -> Result<Node, Diagnostic> {
    if source.len() > limits.max_source_bytes {
        return Err(Diagnostic::error(
            Span::new(0, 0),
            format!(
                "scenario is too large: {} bytes (the limit is {} bytes)",
                source.len(),
                limits.max_source_bytes
            ),
        )
        .with_hint("split the scenario or remove unused parts"));
    }
    let mut builder = Builder::new(source, limits);
    for next in Parser::new_from_str(source) {
        let (event, span) = next.map_err(|e| syntax_error(source, &e))?;
        let start = span.start.byte_offset().unwrap_or(0);
        let end = span.end.byte_offset().unwrap_or(start);
        let node = to_span(start, end);
        // Where a node's tag is written (the node's span leaves it out).
        let tag = span
            .tag_span()
            .and_then(|t| Some(to_span(t.start.byte_offset()?, t.end.byte_offset()?)))
            .unwrap_or(node);
        if builder.event(event, node, tag)? == Flow::Stop {
            break;
        }
    }
    Ok(builder.root.unwrap_or(Node {
        kind: NodeKind::Null,
        span: Span::new(0, 0),
    }))
}

fn to_span(start: usize, end: usize) -> Span {
    let clamp = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
    Span::new(clamp(start), clamp(end.max(start)))
}

#[derive(PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

/// A collection still being read.
struct Frame {
    items: Items,
    start: u32,
    /// End of the closing bracket for flow collections; block collections end at their last
    /// child (their end event sits at the start of the next token).
    flow: bool,
    anchor: usize,
    /// Node count when the collection started, to size it for alias expansion.
    nodes_before: usize,
}

enum Items {
    Seq(Vec<Node>),
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

/// Anchored node and its size in nodes (the cost of one expansion).
struct Anchored {
    node: Node,
    size: usize,
}

struct Builder<'a> {
    source: &'a str,
    limits: &'a YamlLimits,
    stack: Vec<Frame>,
    anchors: BTreeMap<usize, Anchored>,
    nodes: usize,
    root: Option<Node>,
    documents: usize,
}

impl<'a> Builder<'a> {
    fn new(source: &'a str, limits: &'a YamlLimits) -> Self {
        Builder {
            source,
            limits,
            stack: Vec::new(),
            anchors: BTreeMap::new(),
            nodes: 0,
            root: None,
            documents: 0,
        }
    }

    fn event(&mut self, event: Event<'_>, span: Span, tag_at: Span) -> Result<Flow, Diagnostic> {
        match event {
            Event::DocumentStart(..) => return self.document_start(span),
            Event::Scalar(text, style, anchor, tag) => {
                self.count(span)?;
                let kind = match tag {
                    None => scalar_kind(text.into_owned(), style),
                    Some(tag) => tagged_scalar(&tag, text.into_owned(), tag_at)?,
                };
                self.complete(Node { kind, span }, anchor, 1)?;
            }
            Event::SequenceStart(style, anchor, tag) => {
                if let Some(tag) = tag {
                    check_collection_tag(&tag, "seq", tag_at)?;
                }
                self.open(Items::Seq(Vec::new()), style, anchor, span)?
            }
            Event::MappingStart(style, anchor, tag) => {
                if let Some(tag) = tag {
                    check_collection_tag(&tag, "map", tag_at)?;
                }
                self.open(
                    Items::Map {
                        entries: Vec::new(),
                        key: None,
                    },
                    style,
                    anchor,
                    span,
                )?
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span)?,
            Event::Alias(id) => self.alias(id, span)?,
            _ => {}
        }
        Ok(Flow::Continue)
    }

    /// Counts the documents: a scenario is exactly one.
    fn document_start(&mut self, span: Span) -> Result<Flow, Diagnostic> {
        self.documents += 1;
        if self.documents > 1 {
            return Err(Diagnostic::error(span, "a scenario file holds exactly one YAML document")
                .with_hint("remove the `---` and everything after it, or put the second document in its own file"));
        }
        Ok(Flow::Continue)
    }

    /// Charges `n` nodes against the budget.
    fn charge(&mut self, n: usize, span: Span, why: &str) -> Result<(), Diagnostic> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.limits.max_nodes {
            return Err(Diagnostic::error(
                span,
                format!(
                    "{why}: the scenario has more than {} YAML nodes",
                    self.limits.max_nodes
                ),
            )
            .with_hint(if why.contains("alias") {
                "aliases are expanded by copying; nested aliases multiply (an \"alias bomb\")"
            } else {
                "scenarios this large are not supported; simplify it"
            }));
        }
        Ok(())
    }

    fn count(&mut self, span: Span) -> Result<(), Diagnostic> {
        self.charge(1, span, "document too large")
    }

    fn open(
        &mut self,
        items: Items,
        style: StructureStyle,
        anchor: usize,
        span: Span,
    ) -> Result<(), Diagnostic> {
        self.count(span)?;
        if self.stack.len() >= self.limits.max_depth {
            return Err(Diagnostic::error(
                span,
                format!("nesting is deeper than {} levels", self.limits.max_depth),
            ));
        }
        self.stack.push(Frame {
            items,
            start: span.start,
            flow: style == StructureStyle::Flow,
            anchor,
            nodes_before: self.nodes - 1,
        });
        Ok(())
    }

    fn close(&mut self, span: Span) -> Result<(), Diagnostic> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let (kind, last_end) = match frame.items {
            Items::Seq(items) => {
                let end = items.last().map(|n| n.span.end);
                (NodeKind::Seq(items), end)
            }
            Items::Map { entries, .. } => {
                check_duplicate_keys(self.source, &entries)?;
                let end = entries.last().map(|(_, v)| v.span.end.max(v.span.start));
                (NodeKind::Map(entries), end)
            }
        };
        let end = if frame.flow {
            span.end
        } else {
            last_end.unwrap_or(frame.start)
        };
        let node = Node {
            kind,
            span: Span::new(frame.start, end.max(frame.start)),
        };
        let size = self.nodes - frame.nodes_before;
        self.complete(node, frame.anchor, size)
    }

    /// Expands an alias by copying its anchored node, within the node budget.
    fn alias(&mut self, id: usize, span: Span) -> Result<(), Diagnostic> {
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(Diagnostic::error(
                span,
                "an alias cannot refer to a node that contains it",
            ));
        };
        let size = anchored.size;
        self.charge(size, span, "alias expansion is too large")?;
        let mut node = self.anchors[&id].node.clone();
        node.span = span;
        self.complete(node, 0, size)
    }

    /// Attaches a finished node to its parent (or makes it the root), recording its anchor.
    fn complete(&mut self, node: Node, anchor: usize, size: usize) -> Result<(), Diagnostic> {
        if anchor != 0 {
            self.anchors.insert(
                anchor,
                Anchored {
                    node: node.clone(),
                    size,
                },
            );
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame {
                items: Items::Seq(items),
                ..
            }) => items.push(node),
            Some(Frame {
                items: Items::Map { entries, key },
                ..
            }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
        Ok(())
    }
}

fn scalar_kind(text: String, style: ScalarStyle) -> NodeKind {
    let plain = style == ScalarStyle::Plain;
    if plain && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL") {
        NodeKind::Null
    } else {
        NodeKind::Scalar { text, plain }
    }
}

// ----- tags ---------------------------------------------------------------------------------
//
// The standard tags of the YAML 1.2 core schema are honoured: `!!str` (and the non-specific
// `!`) make a scalar a string, as quoting does; `!!int`, `!!float`, `!!bool` and `!!null` require
// the scalar to be of that type under the core schema (it is then read as if written plainly);
// `!!map` and `!!seq` must match the node. Any other tag (`!foo`, `!!binary`, `!<tag:...>`) has
// no meaning in a scenario and is an error rather than silently ignored.

/// The core tags, as written, for hints.
const CORE_TAGS: &str = "`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map` and `!!seq`";

/// What a tag asks for: `Some(core suffix)`, `Some("")` for the non-specific `!`, or `None`
/// when loopsim does not know it.
fn tag_meaning(tag: &Tag) -> Option<&str> {
    if tag.parts() == ("", "!") {
        return Some("");
    }
    tag.core_suffix()
}

/// `span` is where the tag is written.
fn unsupported_tag(tag: &Tag, span: Span) -> Diagnostic {
    let written = tag.original();
    Diagnostic::error(
        span,
        format!("unsupported YAML tag `{written}`"),
    )
    .with_hint(format!(
        "scenario values need no tags: remove `{written}` (the standard tags {CORE_TAGS} are understood)"
    ))
}

/// A tagged scalar: the tag must be a core tag that the value satisfies.
fn tagged_scalar(tag: &Tag, text: String, span: Span) -> Result<NodeKind, Diagnostic> {
    let Some(meaning) = tag_meaning(tag) else {
        return Err(unsupported_tag(tag, span));
    };
    let fits = match meaning {
        "" | "str" => return Ok(NodeKind::Scalar { text, plain: false }),
        "null" => {
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL") {
                return Ok(NodeKind::Null);
            }
            false
        }
        "bool" => matches!(
            text.as_str(),
            "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
        ),
        "int" => is_core_int(&text),
        "float" => is_core_float(&text),
        // `!!map` or `!!seq` on a scalar.
        _ => {
            let written = tag.original();
            return Err(Diagnostic::error(
                span,
                format!(
                    "the `{written}` tag is on a scalar, not a {}",
                    kind_name(meaning)
                ),
            )
            .with_hint(format!(
                "remove `{written}`, or write a {} after it",
                kind_name(meaning)
            )));
        }
    };
    if fits {
        // Read as if written plainly (a quoted `!!int "5"` is the number 5).
        return Ok(NodeKind::Scalar { text, plain: true });
    }
    let written = tag.original();
    let (wanted, example) = match meaning {
        "null" => ("an empty value, `~` or `null`", "~"),
        "bool" => ("`true` or `false`", "true"),
        "int" => ("an integer", "5"),
        _ => ("a number", "0.5"),
    };
    Err(Diagnostic::error(
        span,
        format!("the `{written}` tag needs {wanted}, found `{text}`"),
    )
    .with_hint(format!(
        "remove `{written}`, or give a value of that type (e.g. `{written} {example}`)"
    )))
}

fn kind_name(core: &str) -> &'static str {
    match core {
        "map" => "mapping",
        "seq" => "list",
        _ => "scalar",
    }
}

/// A tag on a collection (`want` is `map` or `seq`): `!`, or the core tag of that kind.
fn check_collection_tag(tag: &Tag, want: &str, span: Span) -> Result<(), Diagnostic> {
    let Some(meaning) = tag_meaning(tag) else {
        return Err(unsupported_tag(tag, span));
    };
    if meaning.is_empty() || meaning == want {
        return Ok(());
    }
    let written = tag.original();
    Err(Diagnostic::error(
        span,
        format!(
            "the `{written}` tag is on a {}, not a {}",
            kind_name(want),
            kind_name(meaning)
        ),
    )
    .with_hint(format!("remove `{written}`")))
}

/// An integer of the YAML 1.2 core schema: `[-+]?[0-9]+`, `0o[0-7]+` or `0x[0-9a-fA-F]+`.
fn is_core_int(text: &str) -> bool {
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    if let Some(octal) = text.strip_prefix("0o") {
        return digits(octal, 8);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return digits(hex, 16);
    }
    digits(text.strip_prefix(['-', '+']).unwrap_or(text), 10)
}

/// A float of the YAML 1.2 core schema:
/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?\.inf` or `.nan` (any case
/// as the schema spells them).
fn is_core_float(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => !frac.is_empty() && all_digits(frac),
        Some((int, frac)) => !int.is_empty() && all_digits(int) && all_digits(frac),
        None => !mantissa.is_empty() && all_digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok
}

/// Rejects a mapping that repeats a key: YAML forbids it and silently keeping one would hide a
/// mistake. Reports the earliest second occurrence.
fn check_duplicate_keys(source: &str, entries: &[(Node, Node)]) -> Result<(), Diagnostic> {
    let mut keyed: Vec<(&str, Span)> = entries
        .iter()
        .filter_map(|(k, _)| k.as_str().map(|t| (t, k.span)))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(b.0).then(a.1.start.cmp(&b.1.start)));
    let duplicate = keyed
        .windows(2)
        .filter(|w| w[0].0 == w[1].0)
        .min_by_key(|w| w[1].1.start)
        .map(|w| (w[0], w[1]));
    match duplicate {
        None => Ok(()),
        Some(((text, first), (_, second))) => {
            let line = LineIndex::new(source).line_col(first.start).line;
            Err(
                Diagnostic::error(second, format!("duplicate key `{text}`")).with_hint(format!(
                    "`{text}` is already set on line {line}; keep only one"
                )),
            )
        }
    }
}

/// Converts a scanner error into a diagnostic at its marker, with a hint for common mistakes.
fn syntax_error(source: &str, error: &ScanError) -> Diagnostic {
    let offset = error_offset(source, error);
    let info = error.info();
    let message = if info.is_empty() {
        "invalid YAML".to_string()
    } else if is_eof_kind(error.kind()) && offset < content_end(source) {
        // The parser names these after the end of input, but it also reports them for an
        // unexpected token in the middle: say what was found there.
        let found = source[offset..].chars().next().unwrap_or(' ');
        format!(
            "invalid YAML: {}",
            info.replacen("unexpected EOF", &format!("unexpected `{found}`"), 1)
        )
    } else {
        format!("invalid YAML: {info}")
    };
    if let Some(tab) = tab_indentation(source, offset, error.kind()) {
        return Diagnostic::error(to_span(tab, tab + 1), "tab character in indentation")
            .with_hint("YAML indentation must use spaces, not tabs");
    }
    let diagnostic = Diagnostic::error(to_span(offset, offset), message);
    if let Some((bracket, at)) = unclosed_bracket(&source[..offset]) {
        let line = LineIndex::new(source).line_col(at as u32).line;
        return diagnostic.with_hint(format!(
            "the `{bracket}` opened on line {line} is never closed"
        ));
    }
    match error.kind() {
        ErrorKind::MappingValueNotAllowed => diagnostic.with_hint(
            "check the indentation, and quote values that contain `: ` (e.g. `name: \"a: b\"`)",
        ),
        ErrorKind::UnknownAnchor => {
            diagnostic.with_hint("define the anchor with `&name` before using `*name`")
        }
        ErrorKind::ExpectedBlockMappingKey
        | ErrorKind::ExpectedBlockSequenceEntry
        | ErrorKind::InvalidIndentation => diagnostic
            .with_hint("check the indentation: entries of one mapping or list must line up"),
        _ => diagnostic,
    }
}

fn is_eof_kind(kind: &ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::UnexpectedEof
            | ErrorKind::UnexpectedEofFlowSequence
            | ErrorKind::UnexpectedEofFlowMapping
            | ErrorKind::UnexpectedEofImplicitFlowMapping
            | ErrorKind::UnexpectedEofBlockSequence
            | ErrorKind::UnexpectedEofBlockMapping
    )
}

/// The end of the input's content: its length without trailing whitespace and line breaks.
fn content_end(source: &str) -> usize {
    source.trim_end().len()
}

/// Where to report a scanner error, as a byte offset on a character boundary. A marker without
/// a byte offset is placed by its line and column (an end-of-input error without either, at
/// the end). An error at or past the end of the content (an unexpected end of input) points
/// at the last character, so that it shows on the last line rather than past it.
fn error_offset(source: &str, error: &ScanError) -> usize {
    let marker = error.marker();
    let offset = match marker.byte_offset() {
        Some(offset) => offset,
        None if marker.line() > 0 => {
            let index = LineIndex::new(source);
            match index.line_starts().get(marker.line() - 1) {
                Some(&start) => {
                    let line = &source[start as usize..];
                    let column = line
                        .char_indices()
                        .nth(marker.col())
                        .map_or(line.len(), |c| c.0);
                    start as usize + column
                }
                None => source.len(),
            }
        }
        None if is_eof_kind(error.kind()) => source.len(),
        None => 0,
    };
    at_content(source, offset)
}

/// `offset` clamped to the text and moved back to a character boundary; at or past the end of
/// the content, the start of the last character of the content.
fn at_content(source: &str, offset: usize) -> usize {
    let end = content_end(source);
    if offset >= end {
        return source[..end].char_indices().last().map_or(0, |(i, _)| i);
    }
    let mut offset = offset;
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The innermost `[` or `{` still open at the end of `text`, with its offset: flow collections
/// may span lines, so a forgotten bracket makes the parser fail much later. A heuristic (it
/// skips comments and quoted text, and only counts brackets that start a token), used only
/// for hints.
fn unclosed_bracket(text: &str) -> Option<(char, usize)> {
    let mut open: Vec<(char, usize)> = Vec::new();
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut previous = '\n';
    for (i, c) in text.char_indices() {
        let token_start = previous.is_whitespace() || matches!(previous, '[' | '{' | ',');
        match (quote, c) {
            _ if comment => comment = !matches!(c, '\n' | '\r'),
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '#') if previous.is_whitespace() => comment = true,
            (None, '\'' | '"') if token_start || previous == ':' => quote = Some(c),
            (None, '[' | '{') if token_start || previous == ':' => open.push((c, i)),
            (None, ']' | '}') if !open.is_empty() => {
                open.pop();
            }
            _ => {}
        }
        previous = c;
    }
    open.pop()
}

/// Finds a tab in the leading whitespace of a line up to the line after the error, when the
/// error is plausibly caused by it: YAML forbids tabs for indentation, and the scanner often
/// reports the problem somewhere less helpful.
fn tab_indentation(source: &str, offset: usize, kind: &ErrorKind) -> Option<usize> {
    let tab_kind = matches!(
        kind,
        ErrorKind::TabInPlainScalar
            | ErrorKind::TabInBlockIndentation
            | ErrorKind::TabInIndentation
            | ErrorKind::TabNotAllowed
            | ErrorKind::TabAtBlockScalarStart
    );
    let index = LineIndex::new(source);
    let error_line = index
        .line_col(u32::try_from(offset).unwrap_or(u32::MAX))
        .line as usize
        - 1;
    let starts = index.line_starts();
    for (line, &start) in starts.iter().enumerate().take(error_line + 2) {
        let end = starts.get(line + 1).map_or(source.len(), |&e| e as usize);
        let text = &source[start as usize..end];
        let indent = text.len() - text.trim_start_matches([' ', '\t']).len();
        if let Some(tab) = text[..indent].find('\t') {
            if tab_kind || line + 1 >= error_line {
                return Some(start as usize + tab);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(src: &str) -> Node {
        parse(src, &YamlLimits::default()).unwrap()
    }

    fn err(src: &str) -> Diagnostic {
        parse(src, &YamlLimits::default()).unwrap_err()
    }

    #[test]
    fn spans_and_nulls() {
        let n = ok("a: 1\nb:\nc: [x, 'y']\n");
        let NodeKind::Map(entries) = &n.kind else {
            panic!()
        };
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].1.span, Span::new(3, 4));
        assert_eq!(entries[1].1.kind, NodeKind::Null);
        let NodeKind::Seq(items) = &entries[2].1.kind else {
            panic!()
        };
        assert_eq!(
            items[1].kind,
            NodeKind::Scalar {
                text: "y".into(),
                plain: false
            }
        );
        assert_eq!(entries[2].1.span, Span::new(11, 19));
    }

    #[test]
    fn aliases_expand() {
        let n = ok("a: &x [1, 2]\nb: *x\n");
        let NodeKind::Map(entries) = &n.kind else {
            panic!()
        };
        assert_eq!(entries[0].1.kind, entries[1].1.kind);
    }

    #[test]
    fn alias_bomb_fails_fast() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            src.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let d = err(&src);
        assert!(d.message.contains("alias expansion"), "{}", d.message);
    }

    #[test]
    fn recursive_alias_is_an_error() {
        assert!(err("a: &a [*a]\n").message.contains("contains it"));
    }

    #[test]
    fn duplicate_keys_and_documents() {
        let d = err("a: 1\nb: 2\na: 3\n");
        assert_eq!(d.span, Span::new(10, 11));
        assert!(d.hint.unwrap().contains("line 1"));
        assert!(err("a: 1\n---\nb: 2\n").message.contains("exactly one"));
    }

    #[test]
    fn depth_limit() {
        let src = "[".repeat(100) + &"]".repeat(100);
        assert!(err(&src).message.contains("deeper"));
    }

    #[test]
    fn tabs_get_a_hint() {
        let d = err("a:\n\t- 1\n");
        assert_eq!(d.span.start, 3);
        assert!(d.hint.unwrap().contains("spaces"));
    }

    #[test]
    fn unclosed_brackets_get_a_hint() {
        let d = err("a: [1, 2\nb: 3\n");
        assert!(d.hint.unwrap().contains("`[` opened on line 1"));
        assert_eq!(unclosed_bracket("a: '[' # [\nb: [x]"), None);
        assert_eq!(unclosed_bracket("a: {b: [1], c: \"}\""), Some(('{', 3)));
    }

    #[test]
    fn core_schema_numbers() {
        for yes in ["0", "-12", "+3", "0o17", "0x1F"] {
            assert!(is_core_int(yes), "{yes}");
        }
        for no in ["", "-", "1.5", "0o8", "0x", "1_000", "1e3", "five"] {
            assert!(!is_core_int(no), "{no}");
        }
        for yes in [
            "1", "1.", "1.5", ".5", "-2.5e-3", "+1E9", ".inf", "-.Inf", ".NaN",
        ] {
            assert!(is_core_float(yes), "{yes}");
        }
        for no in ["", ".", "e3", "1e", "1.5.2", "-.nan", "10/s", "1ms"] {
            assert!(!is_core_float(no), "{no}");
        }
    }

    #[test]
    fn tags_resolve_to_node_kinds() {
        let n = ok("a: !!str ~\nb: !!null\nc: !!int '5'\nd: !!bool \"true\"\ne: ! 1\n");
        let NodeKind::Map(entries) = &n.kind else {
            panic!()
        };
        let kinds: Vec<&NodeKind> = entries.iter().map(|(_, v)| &v.kind).collect();
        let scalar = |text: &str, plain| NodeKind::Scalar {
            text: text.into(),
            plain,
        };
        assert_eq!(kinds[0], &scalar("~", false));
        assert_eq!(kinds[1], &NodeKind::Null);
        assert_eq!(kinds[2], &scalar("5", true));
        assert_eq!(kinds[3], &scalar("true", true));
        assert_eq!(kinds[4], &scalar("1", false));
        let d = err("a:\n  b: !!seq\n    c: 1\n");
        assert_eq!(d.span, Span::new(8, 13));
        assert!(
            d.message.contains("on a mapping, not a list"),
            "{}",
            d.message
        );
    }

    #[test]
    fn errors_point_into_the_content() {
        use granit_parser::Marker;
        let src = "a: 1\rbé: [x\n\n";
        // A marker without a byte offset is placed by its line and column (0-based).
        let e = ScanError::new(Marker::new(0, 2, 2), "x");
        assert_eq!(error_offset(src, &e), 8);
        // Past the end of the content: the last character (`x`), not the empty line after it.
        let e = ScanError::new(Marker::new(0, 9, 0), "x");
        assert_eq!(error_offset(src, &e), 11);
        assert_eq!(at_content(src, 13), 11);
        assert_eq!(at_content(src, 9), 9);
        assert_eq!(at_content(src, 7), 6); // inside `é`
        assert_eq!(at_content("", 3), 0);
        // A stray token gets the parser's "unexpected EOF" kinds: name the token instead.
        let d = err(",:");
        assert_eq!(d.span.start, 0);
        assert!(
            d.message.contains("unexpected `,` while parsing"),
            "{}",
            d.message
        );
    }

    #[test]
    fn no_panic_on_prefixes_and_garbage() {
        let src =
            "version: 1\nname: \"x\"\nw: &w\n  - {a: [1, 2], b: 'q'}\n  - *w\n  - |\n    text\n";
        for end in 0..=src.len() {
            let _ = parse(&src[..end], &YamlLimits::default());
        }
        for garbage in [
            "{",
            "]",
            ": :",
            "&",
            "*",
            "!",
            "%",
            "- - -\n\t-",
            "'",
            "\"\\q\"",
            "? ? ?",
            "a: b: c",
            "\u{feff}\u{0}",
        ] {
            let _ = parse(garbage, &YamlLimits::default());
        }
    }
}
