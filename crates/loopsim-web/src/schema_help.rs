//! Editor help from the scenario JSON Schema: key and value completion, and hover docs.
//!
//! The editor asks with the whole text and a cursor offset; this module works out the YAML path
//! at the cursor from indentation (it must work on half-typed, invalid YAML, so it does not use
//! the parser), walks the schema along that path (following `$ref`, `anyOf` and `oneOf`) and
//! answers with the keys or enum values allowed there and their descriptions.
//!
//! Offsets here are byte offsets into `text`; [`crate::text`] converts from and to the UTF-16
//! offsets the editor uses.

use crate::json::{self, Json as Value};
use crate::names;

/// One step of a YAML path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Item,
}

/// What completion offers.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    pub label: String,
    /// `property` for keys, `enum` for values.
    pub kind: &'static str,
    /// Short type, e.g. `duration`.
    pub detail: String,
    /// The description from the schema.
    pub info: String,
    /// Text inserted when chosen.
    pub apply: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Completions {
    /// Byte offset where the word being completed starts.
    pub from: usize,
    pub options: Vec<Completion>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Hover {
    pub from: usize,
    pub to: usize,
    pub text: String,
}

/// The schema, parsed once.
pub struct SchemaHelp {
    root: Value,
}

/// The shape of one line: indentation, sequence dashes, and a `key:` if there is one.
#[derive(Debug, Default)]
struct Line<'a> {
    blank: bool,
    /// Columns of the leading `- ` indicators.
    dashes: Vec<usize>,
    /// Column where the content after indentation and dashes starts.
    content_col: usize,
    key: Option<&'a str>,
    /// Text after `key:` (comment stripped, trimmed).
    value: &'a str,
}

impl Line<'_> {
    /// Leftmost column with something on it.
    fn first_col(&self) -> usize {
        self.dashes.first().copied().unwrap_or(self.content_col)
    }
}

fn parse_line(line: &str) -> Line<'_> {
    let bytes = line.as_bytes();
    let mut col = bytes.iter().take_while(|&&b| b == b' ').count();
    let rest = &line[col..];
    if rest.is_empty() || rest.starts_with('#') {
        return Line {
            blank: true,
            ..Line::default()
        };
    }
    let mut dashes = Vec::new();
    while col < bytes.len()
        && bytes[col] == b'-'
        && (col + 1 == bytes.len() || bytes[col + 1] == b' ')
    {
        dashes.push(col);
        col += 1;
        col += bytes[col..].iter().take_while(|&&b| b == b' ').count();
    }
    let content = &line[col..];
    let (key, value) = split_key(content);
    Line {
        blank: false,
        dashes,
        content_col: col,
        key,
        value,
    }
}

/// `key: value` → (Some(key), value); a key is plain text up to `:` followed by a space or the end.
fn split_key(content: &str) -> (Option<&str>, &str) {
    if content.starts_with(['{', '[', '"', '\'', '#', '&', '*', '!', '|', '>']) {
        return (None, "");
    }
    let b = content.as_bytes();
    for i in 0..b.len() {
        if b[i] == b':' && (i + 1 == b.len() || b[i + 1] == b' ' || b[i + 1] == b'\t') {
            let key = content[..i].trim_end();
            if key.is_empty() || key.contains(" #") {
                return (None, "");
            }
            let mut value = content[i + 1..].trim();
            if value.starts_with('#') {
                value = "";
            } else if let Some(p) = value.find(" #") {
                value = value[..p].trim_end();
            }
            return (Some(key), value);
        }
        if b[i] == b'#' && i > 0 && b[i - 1] == b' ' {
            break;
        }
    }
    (None, "")
}

/// The path of the mapping that holds a key at column `col` on line `line_idx`, where the key
/// is preceded on its own line by `dashes` (it is then the first key of a sequence item).
fn path_to(lines: &[&str], line_idx: usize, col: usize, dashes: &[usize]) -> Vec<Seg> {
    let mut rev: Vec<Seg> = Vec::new();
    let mut col = col;
    let mut seeking_item = false;
    if let Some(&first) = dashes.first() {
        rev.extend(dashes.iter().map(|_| Seg::Item));
        col = first;
        seeking_item = true;
    }
    for raw in lines[..line_idx].iter().rev() {
        if !seeking_item && col == 0 {
            break;
        }
        let l = parse_line(raw);
        if l.blank {
            continue;
        }
        let first = l.first_col();
        if seeking_item {
            // Looking for the key whose value is the sequence with items at `col`.
            if first > col || (first == col && !l.dashes.is_empty()) {
                continue;
            }
            match l.key {
                Some(k) if l.content_col <= col => {
                    rev.push(Seg::Key(k.to_string()));
                    (col, seeking_item) = enter(&mut rev, &l);
                }
                _ => break,
            }
        } else {
            if first >= col {
                continue;
            }
            if !l.dashes.is_empty() && l.content_col == col {
                // Our key sits in the same mapping as this item's first key.
                rev.extend(l.dashes.iter().map(|_| Seg::Item));
                col = l.dashes[0];
                seeking_item = true;
                continue;
            }
            match l.key {
                Some(k) if l.content_col < col => {
                    rev.push(Seg::Key(k.to_string()));
                    (col, seeking_item) = enter(&mut rev, &l);
                }
                _ => break,
            }
        }
    }
    rev.reverse();
    rev
}

/// After taking `l`'s key as a parent: its dashes make it an item of a sequence.
fn enter(rev: &mut Vec<Seg>, l: &Line<'_>) -> (usize, bool) {
    if l.dashes.is_empty() {
        (l.content_col, false)
    } else {
        rev.extend(l.dashes.iter().map(|_| Seg::Item));
        (l.dashes[0], true)
    }
}

/// The keys already present in the mapping of a key at `col` on `line_idx` (block style).
fn sibling_keys<'a>(
    lines: &[&'a str],
    line_idx: usize,
    col: usize,
    own_dashes: bool,
) -> Vec<(&'a str, &'a str)> {
    let mut out = Vec::new();
    // Upwards, until the start of the mapping.
    if !own_dashes {
        for raw in lines[..line_idx].iter().rev() {
            let l = parse_line(raw);
            if l.blank || l.first_col() > col {
                continue;
            }
            if l.content_col == col {
                if let Some(k) = l.key {
                    out.push((k, l.value));
                }
                if !l.dashes.is_empty() {
                    break;
                }
                continue;
            }
            break;
        }
    }
    // Downwards, until the end of the mapping.
    for raw in lines.iter().skip(line_idx + 1) {
        let l = parse_line(raw);
        if l.blank || l.first_col() > col {
            continue;
        }
        if l.content_col == col && l.dashes.is_empty() {
            if let Some(k) = l.key {
                out.push((k, l.value));
            }
            continue;
        }
        break;
    }
    out
}

/// Splits `text` into lines and finds the line holding byte offset `pos`: (lines, index,
/// byte offset where that line starts).
fn locate(text: &str, pos: usize) -> (Vec<&str>, usize, usize) {
    let pos = pos.min(text.len());
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let idx = text[..pos].matches('\n').count();
    let start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    (lines, idx, start)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'/' || b == b'-' || b == b'.'
}

/// A flow mapping (`{ ... }`) open at the end of `before`: (column of `{`, owner key and its
/// column, text inside the braces up to the cursor).
fn open_flow(before: &str) -> Option<(usize, &str, usize, &str)> {
    let mut depth = 0i32;
    let mut open = None;
    for (i, b) in before.bytes().enumerate().rev() {
        match b {
            b'}' => depth += 1,
            b'{' if depth == 0 => {
                open = Some(i);
                break;
            }
            b'{' => depth -= 1,
            _ => {}
        }
    }
    let open = open?;
    let head = before[..open].trim_end();
    let head = head.strip_suffix(':')?;
    let key_start = head.rfind([' ', '{', ',']).map_or(0, |i| i + 1);
    let key = &head[key_start..];
    if key.is_empty() || key == "-" {
        return None;
    }
    Some((open, key, key_start, &before[open + 1..]))
}

/// `k: v` pairs of a one-line flow mapping body.
fn flow_pairs(body: &str) -> Vec<(&str, &str)> {
    body.split(',')
        .filter_map(|p| p.split_once(':'))
        .map(|(k, v)| (k.trim(), v.trim().trim_end_matches('}').trim()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

impl SchemaHelp {
    pub fn new(schema_json: &str) -> Option<Self> {
        json::parse(schema_json).map(|root| SchemaHelp { root })
    }

    fn deref<'a>(&'a self, v: &'a Value) -> &'a Value {
        let mut v = v;
        for _ in 0..16 {
            let Some(r) = v.get("$ref").and_then(|v| v.as_str()) else {
                break;
            };
            let Some(target) = r.strip_prefix("#/").and_then(|p| {
                p.split('/')
                    .try_fold(&self.root, |node, part| node.get(part))
            }) else {
                break;
            };
            v = target;
        }
        v
    }

    /// `v` and every alternative reachable through `anyOf` / `oneOf`, `$ref`s followed.
    fn alternatives<'a>(&'a self, v: &'a Value, out: &mut Vec<&'a Value>) {
        let v = self.deref(v);
        if out.len() > 64 || out.iter().any(|o| std::ptr::eq(*o, v)) {
            return;
        }
        out.push(v);
        for k in ["anyOf", "oneOf"] {
            if let Some(list) = v.get(k).and_then(|v| v.as_array()) {
                for alt in list {
                    self.alternatives(alt, out);
                }
            }
        }
    }

    /// The schema nodes at `path` (several when alternatives allow).
    fn nodes_at(&self, path: &[Seg]) -> Vec<&Value> {
        let mut cur = vec![&self.root];
        for seg in path {
            let mut alts = Vec::new();
            for n in &cur {
                self.alternatives(n, &mut alts);
            }
            let mut next: Vec<&Value> = Vec::new();
            for a in alts {
                let child = match seg {
                    Seg::Key(k) => a
                        .get("properties")
                        .and_then(|p| p.get(k.as_str()))
                        .or_else(|| a.get("additionalProperties").filter(|v| v.is_object())),
                    Seg::Item => a.get("items").filter(|v| v.is_object()),
                };
                if let Some(c) = child {
                    if !next.iter().any(|n| std::ptr::eq(*n, c)) {
                        next.push(c);
                    }
                }
            }
            if next.is_empty() {
                return next;
            }
            cur = next;
        }
        cur
    }

    /// Properties allowed at `nodes`, in schema order, each with its schema. `dist` narrows
    /// `oneOf` branches to the one whose `dist` constant matches.
    fn properties<'a>(
        &'a self,
        nodes: &[&'a Value],
        dist: Option<&str>,
    ) -> Vec<(&'a str, &'a Value)> {
        let mut alts = Vec::new();
        for n in nodes {
            self.alternatives(n, &mut alts);
        }
        let mut out: Vec<(&str, &Value)> = Vec::new();
        for a in alts {
            let Some(props_node) = a.get("properties") else {
                continue;
            };
            let Some(props) = props_node.as_object() else {
                continue;
            };
            if let (Some(want), Some(c)) = (
                dist,
                props_node
                    .get("dist")
                    .and_then(|d| d.get("const"))
                    .and_then(|v| v.as_str()),
            ) {
                if c != want {
                    continue;
                }
            }
            for (k, v) in props {
                match out.iter_mut().find(|(n, _)| *n == k.as_str()) {
                    // A branch's own description is more precise than the generic one.
                    Some(slot) if dist.is_some() && k != "dist" => slot.1 = v,
                    Some(_) => {}
                    None => out.push((k.as_str(), v)),
                }
            }
        }
        out
    }

    fn type_label(&self, v: &Value) -> String {
        if let Some(r) = v.get("$ref").and_then(|v| v.as_str()) {
            let name = r.rsplit('/').next().unwrap_or("");
            return match name {
                "durationOrDist" => "duration or distribution".into(),
                "dist" => "distribution".into(),
                "ratePoint" => "rate point".into(),
                other => other.into(),
            };
        }
        if let Some(e) = v.get("enum").and_then(|v| v.as_array()) {
            let vals: Vec<&str> = e.iter().filter_map(Value::as_str).collect();
            return vals.join(" | ");
        }
        if let Some(alts) = v.get("anyOf").and_then(|v| v.as_array()) {
            let labels: Vec<String> = alts.iter().map(|a| self.type_label(a)).collect();
            return labels.join(" or ");
        }
        match v.get("type").and_then(|v| v.as_str()) {
            Some("object") => "mapping".into(),
            Some("array") => "list".into(),
            Some(t) => t.into(),
            None => String::new(),
        }
    }

    fn description(&self, v: &Value) -> String {
        v.get("description")
            .or_else(|| self.deref(v).get("description"))
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    }

    fn enum_values<'a>(&'a self, nodes: &[&'a Value]) -> Vec<(&'a str, String)> {
        let mut alts = Vec::new();
        for n in nodes {
            self.alternatives(n, &mut alts);
        }
        let mut out: Vec<(&str, String)> = Vec::new();
        for a in alts {
            if let Some(e) = a.get("enum").and_then(|v| v.as_array()) {
                for v in e.iter().filter_map(Value::as_str) {
                    if !out.iter().any(|(x, _)| *x == v) {
                        out.push((v, String::new()));
                    }
                }
            }
            if let Some(c) = a.get("const").and_then(|v| v.as_str()) {
                let d = a
                    .get("description")
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string();
                match out.iter_mut().find(|(x, _)| *x == c) {
                    Some(slot) if slot.1.is_empty() => slot.1 = d,
                    Some(_) => {}
                    None => out.push((c, d)),
                }
            }
        }
        out
    }

    /// Schema nodes and the `dist` narrowing for the value of a key on a line, given the path of
    /// the mapping holding it.
    fn key_completions(&self, path: &[Seg], present: &[(&str, &str)]) -> Vec<Completion> {
        let nodes = self.nodes_at(path);
        let dist = present
            .iter()
            .find(|(k, _)| *k == "dist")
            .map(|(_, v)| *v)
            .filter(|v| !v.is_empty());
        self.properties(&nodes, dist)
            .into_iter()
            .filter(|(k, _)| !present.iter().any(|(p, _)| p == k))
            .map(|(k, v)| Completion {
                label: k.to_string(),
                kind: "property",
                detail: self.type_label(v),
                info: self.description(v),
                apply: format!("{k}: "),
            })
            .collect()
    }

    fn value_completions(&self, text: &str, path: &[Seg], key: &str) -> Vec<Completion> {
        let named = name_completions(text, path, key);
        if !named.is_empty() {
            return named;
        }
        let mut p = path.to_vec();
        p.push(Seg::Key(key.to_string()));
        let nodes = self.nodes_at(&p);
        self.enum_values(&nodes)
            .into_iter()
            .map(|(v, d)| Completion {
                label: v.to_string(),
                kind: "enum",
                detail: String::new(),
                info: d,
                apply: v.to_string(),
            })
            .collect()
    }

    /// Completions at byte offset `pos` of `text`.
    pub fn complete(&self, text: &str, pos: usize) -> Option<Completions> {
        let (lines, idx, line_start) = locate(text, pos);
        let pos = pos.min(text.len());
        let before = &text[line_start..pos];
        let word_start = before
            .bytes()
            .rposition(|b| !is_word_byte(b))
            .map_or(0, |i| i + 1);
        let word = &before[word_start..];
        let from = line_start + word_start;

        if let Some((open, owner, owner_col, body)) = open_flow(before) {
            // Inside `key: { ... }` on this line (one level of flow mapping).
            let line = lines[idx];
            let cur = parse_line(line);
            if owner_col != cur.content_col {
                return None;
            }
            let mut path = path_to(&lines, idx, owner_col, &cur.dashes);
            path.push(Seg::Key(owner.to_string()));
            let seg_start = body.rfind([',', '{']).map_or(0, |i| i + 1);
            let seg = body[seg_start..].trim_start();
            let close = line[before.len()..]
                .find('}')
                .map_or(line.len(), |c| before.len() + c);
            let present: Vec<(&str, &str)> = flow_pairs(&line[open + 1..close])
                .into_iter()
                .filter(|(k, _)| *k != word)
                .collect();
            let options = match seg.split_once(':') {
                Some((k, _)) => self.value_completions(text, &path, k.trim()),
                None => self.key_completions(&path, &present),
            };
            return Some(Completions { from, options }).filter(|c| !c.options.is_empty());
        }

        let l = parse_line(before);
        if let Some(c) = self.complete_in_item_flow(text, &lines, idx, before, &l, word) {
            return Some(Completions { from, options: c }).filter(|c| !c.options.is_empty());
        }
        let cur = parse_line(lines[idx]);
        if l.blank || (l.key.is_none() && !before[l.content_col.min(before.len())..].contains(':'))
        {
            // Typing a key (possibly nothing yet).
            let col = if l.blank { before.len() } else { l.content_col };
            if word_start != col.min(before.len()) && !(l.blank && word.is_empty()) {
                return None;
            }
            let path = path_to(&lines, idx, col, &l.dashes);
            let mut present = sibling_keys(&lines, idx, col, !l.dashes.is_empty());
            if let Some(k) = cur.key {
                present.retain(|(p, _)| *p != k);
            }
            let options = self.key_completions(&path, &present);
            return Some(Completions { from, options }).filter(|c| !c.options.is_empty());
        }
        // Typing a value after `key: `.
        let key = l.key?;
        if word_start < l.content_col + key.len() + 1 {
            return None;
        }
        let path = path_to(&lines, idx, l.content_col, &l.dashes);
        let options = self.value_completions(text, &path, key);
        Some(Completions { from, options }).filter(|c| !c.options.is_empty())
    }

    /// Inside a sequence item written as a one-line flow mapping (`- { call: pay, timeout: 1s }`,
    /// the common form of steps and workloads): the item's keys, or a key's values (declared
    /// names after `call:`, `to:`…). `None` when the cursor is not in such an item.
    fn complete_in_item_flow(
        &self,
        text: &str,
        lines: &[&str],
        idx: usize,
        before: &str,
        l: &Line,
        word: &str,
    ) -> Option<Vec<Completion>> {
        if l.blank || l.dashes.is_empty() {
            return None;
        }
        let body = before.get(l.content_col..)?.strip_prefix('{')?;
        if body.contains(['{', '}', '[', ']']) {
            return None;
        }
        let path = path_to(lines, idx, l.content_col, &l.dashes);
        let seg = body[body.rfind(',').map_or(0, |i| i + 1)..].trim_start();
        Some(match seg.split_once(':') {
            Some((k, _)) => self.value_completions(text, &path, k.trim()),
            None => {
                let line = lines[idx];
                let close = line[before.len()..]
                    .find('}')
                    .map_or(line.len(), |c| before.len() + c);
                let present: Vec<(&str, &str)> = flow_pairs(&line[l.content_col + 1..close])
                    .into_iter()
                    .filter(|(k, _)| *k != word)
                    .collect();
                self.key_completions(&path, &present)
            }
        })
    }

    /// Documentation of the key (or enum value) at byte offset `pos`.
    pub fn hover(&self, text: &str, pos: usize) -> Option<Hover> {
        let (lines, idx, line_start) = locate(text, pos);
        let line = lines[idx];
        let at = pos.min(text.len()) - line_start;
        let b = line.as_bytes();
        if at > b.len() {
            return None;
        }
        let mut s = at;
        while s > 0 && is_word_byte(b[s - 1]) {
            s -= 1;
        }
        let mut e = at;
        while e < b.len() && is_word_byte(b[e]) {
            e += 1;
        }
        if s == e {
            return None;
        }
        let word = &line[s..e];
        let is_key = line[e..].starts_with(':');
        let before = &line[..s];
        let mut text_out = None;
        if let Some((open, owner, owner_col, body)) = open_flow(before) {
            let cur = parse_line(line);
            if owner_col != cur.content_col {
                return None;
            }
            let mut path = path_to(&lines, idx, owner_col, &cur.dashes);
            path.push(Seg::Key(owner.to_string()));
            let close = line[open..].find('}').map_or(line.len(), |c| open + c);
            let present = flow_pairs(&line[open + 1..close]);
            let dist = present.iter().find(|(k, _)| *k == "dist").map(|(_, v)| *v);
            let seg_start = body.rfind([',', '{']).map_or(0, |i| i + 1);
            let seg = body[seg_start..].trim_start();
            if is_key {
                text_out = self.describe_key(&path, word, dist);
            } else if let Some((k, _)) = seg.split_once(':') {
                text_out = self.describe_value(&path, k.trim(), word, dist);
            }
        } else {
            let l = parse_line(line);
            if is_key && s == l.content_col {
                let path = path_to(&lines, idx, l.content_col, &l.dashes);
                let present = sibling_keys(&lines, idx, l.content_col, !l.dashes.is_empty());
                let dist = present
                    .iter()
                    .find(|(k, _)| *k == "dist")
                    .map(|(_, v)| *v)
                    .or(if l.key == Some("dist") {
                        Some(l.value)
                    } else {
                        None
                    });
                text_out = self.describe_key(&path, word, dist);
            } else if let Some(k) = l.key {
                if s > l.content_col + k.len() {
                    let path = path_to(&lines, idx, l.content_col, &l.dashes);
                    text_out = self.describe_value(&path, k, word, None);
                }
            }
        }
        text_out.map(|text| Hover {
            from: line_start + s,
            to: line_start + e,
            text,
        })
    }

    fn describe_key(&self, path: &[Seg], key: &str, dist: Option<&str>) -> Option<String> {
        let nodes = self.nodes_at(path);
        let (_, v) = self
            .properties(&nodes, dist)
            .into_iter()
            .find(|(k, _)| *k == key)?;
        let ty = self.type_label(v);
        let desc = self.description(v);
        Some(if ty.is_empty() {
            format!("{key}\n{desc}")
        } else {
            format!("{key}: {ty}\n{desc}")
        })
    }

    fn describe_value(
        &self,
        path: &[Seg],
        key: &str,
        value: &str,
        _dist: Option<&str>,
    ) -> Option<String> {
        let mut p = path.to_vec();
        p.push(Seg::Key(key.to_string()));
        let nodes = self.nodes_at(&p);
        let values = self.enum_values(&nodes);
        let (_, d) = values.iter().find(|(v, _)| *v == value)?;
        let key_doc = self.describe_key(path, key, None).unwrap_or_default();
        Some(if d.is_empty() {
            format!("{value}\n\n{key_doc}")
        } else {
            format!("{value}: {d}\n\n{key_doc}")
        })
    }
}

/// The names the scenario declares that fit a value of `key` at `path`: services after `to:`,
/// `service/endpoint` after `call:` and `consumer:`, the enclosing service's pools after
/// `with:`, caches after `cache:` and `invalidate:`, queues after `publish:` and
/// `dead_letter:`. Empty for other keys (their values come from the schema).
fn name_completions(text: &str, path: &[Seg], key: &str) -> Vec<Completion> {
    const KEYS: [&str; 8] = [
        "to",
        "call",
        "consumer",
        "with",
        "cache",
        "invalidate",
        "publish",
        "dead_letter",
    ];
    if !KEYS.contains(&key) {
        return Vec::new();
    }
    let n = names::scan(text);
    let option = |label: &str, detail: &str, info: String| Completion {
        label: label.to_string(),
        kind: "variable",
        detail: detail.to_string(),
        info,
        apply: label.to_string(),
    };
    match key {
        "to" => n
            .services
            .iter()
            .map(|s| option(&s.name, "service", format!("Service `{}`", s.name)))
            .collect(),
        "call" | "consumer" => n
            .call_targets()
            .iter()
            .map(|(t, s)| option(t, "endpoint", format!("An endpoint of service `{s}`")))
            .collect(),
        "with" => {
            let service = match path {
                [Seg::Key(top), Seg::Key(s), ..] if top == "services" => Some(s.as_str()),
                _ => None,
            };
            n.pools(service)
                .into_iter()
                .map(|p| option(p, "pool", format!("Pool `{p}`")))
                .collect()
        }
        "cache" | "invalidate" => n
            .caches
            .iter()
            .map(|c| option(c, "cache", format!("Cache `{c}`")))
            .collect(),
        _ => n
            .queues
            .iter()
            .map(|q| option(q, "queue", format!("Queue `{q}`")))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn help() -> SchemaHelp {
        SchemaHelp::new(loopsim_core::schema::SCENARIO_SCHEMA).expect("schema parses")
    }

    /// Completes at the `|` marker.
    fn complete(text: &str) -> Vec<String> {
        let pos = text.find('|').unwrap();
        let t = text.replace('|', "");
        help()
            .complete(&t, pos)
            .map(|c| c.options.into_iter().map(|o| o.label).collect())
            .unwrap_or_default()
    }

    fn path(text: &str) -> Vec<Seg> {
        let pos = text.find('|').unwrap();
        let t = text.replace('|', "");
        let (lines, idx, start) = locate(&t, pos);
        let l = parse_line(&t[start..pos]);
        path_to(
            &lines,
            idx,
            if l.blank { pos - start } else { l.content_col },
            &l.dashes,
        )
    }

    fn k(s: &str) -> Seg {
        Seg::Key(s.into())
    }

    #[test]
    fn paths_from_indentation() {
        assert_eq!(path("version: 1\nna|"), vec![]);
        assert_eq!(
            path("workload:\n  - to: api\n    ar|"),
            vec![k("workload"), Seg::Item]
        );
        assert_eq!(
            path("workload:\n- to: api\n  ar|"),
            vec![k("workload"), Seg::Item]
        );
        assert_eq!(path("workload:\n  - |"), vec![k("workload"), Seg::Item]);
        assert_eq!(
            path("services:\n  api:\n    endpoints:\n      /:\n        - cpu: 1ms\n        - |"),
            vec![k("services"), k("api"), k("endpoints"), k("/"), Seg::Item]
        );
        assert_eq!(
            path("services:\n  api:\n    replicas: 2\n\n    # c\n    wo|"),
            vec![k("services"), k("api")]
        );
        assert_eq!(
            path("network:\n  links:\n    - between: [a, b]\n      lat|"),
            vec![k("network"), k("links"), Seg::Item]
        );
        assert_eq!(
            path("services:\n  api:\n    endpoints:\n      /:\n        - cpu:\n            dist: exponential\n            me|"),
            vec![k("services"), k("api"), k("endpoints"), k("/"), Seg::Item, k("cpu")]
        );
    }

    #[test]
    fn completes_top_level_keys() {
        let got = complete("version: 1\n|");
        assert!(got.contains(&"duration".to_string()), "{got:?}");
        assert!(got.contains(&"workload".to_string()));
        assert!(
            !got.contains(&"version".to_string()),
            "present keys are not offered again"
        );
        let got = complete("version: 1\ndu|");
        assert!(got.contains(&"duration".to_string()));
    }

    #[test]
    fn completes_workload_service_step_keys() {
        let got = complete("workload:\n  - to: api\n    |");
        for key in ["arrivals", "rate", "users", "think", "mix", "timeout"] {
            assert!(got.contains(&key.to_string()), "{key} in {got:?}");
        }
        assert!(!got.contains(&"to".to_string()));
        let got = complete("services:\n  api:\n    |");
        for key in ["replicas", "balance", "workers", "threads", "endpoints"] {
            assert!(got.contains(&key.to_string()), "{key} in {got:?}");
        }
        let got = complete("services:\n  api:\n    endpoints:\n      /:\n        - |");
        for key in ["cpu", "blocking", "io", "offload", "call", "ram"] {
            assert!(got.contains(&key.to_string()), "{key} in {got:?}");
        }
    }

    #[test]
    fn completes_distribution_keys_in_flow_and_block() {
        let has = |got: &[String], k: &str| got.iter().any(|g| g == k);
        let got = complete(
            "services:\n  a:\n    endpoints:\n      /:\n        - cpu: { dist: exponential, |",
        );
        assert!(
            has(&got, "mean") && !has(&got, "sd") && !has(&got, "min"),
            "narrowed to exponential: {got:?}"
        );
        let got = complete("services:\n  a:\n    endpoints:\n      /:\n        - cpu: { |");
        assert!(has(&got, "dist") && has(&got, "sd"), "{got:?}");
        let got = complete(
            "services:\n  a:\n    endpoints:\n      /:\n        - io:\n            dist: uniform\n            |",
        );
        let min = got.iter().position(|g| g == "min").expect("min");
        let max = got.iter().position(|g| g == "max").expect("max");
        assert!(min < max, "schema order: {got:?}");
        assert!(!has(&got, "mean") && !has(&got, "dist"), "{got:?}");
    }

    #[test]
    fn completes_declared_names_after_to_call_and_with() {
        let yaml = "version: 1\nworkload:\n  - to: a|\nservices:\n  api:\n    pools: { db: { size: 2 } }\n    endpoints:\n      /pay:\n        - with: d\n          steps: [{ io: 1ms }]\n        - call: pa\n  payments:\n    endpoints:\n      /charge:\n        - io: 1ms\n";
        assert_eq!(complete(yaml), ["api", "payments"]);
        let call = yaml
            .replace("to: a|", "to: api")
            .replace("call: pa", "call: pa|");
        assert_eq!(complete(&call), ["api/pay", "payments/charge"]);
        let with = yaml
            .replace("to: a|", "to: api")
            .replace("with: d", "with: d|");
        assert_eq!(complete(&with), ["db"]);
    }

    #[test]
    fn completes_names_and_keys_in_one_line_items() {
        let yaml = "version: 1\nworkload:\n  - { to: a|, rate: 1/s }\nservices:\n  api:\n    endpoints:\n      /pay:\n        - { call: pa }\n  payments:\n    endpoints:\n      /charge:\n        - io: 1ms\n";
        assert_eq!(complete(yaml), ["api", "payments"]);
        let call = yaml
            .replace("to: a|", "to: api")
            .replace("call: pa", "call: pa|");
        assert_eq!(complete(&call), ["api/pay", "payments/charge"]);
        let key = yaml
            .replace("to: a|", "to: api")
            .replace("{ call: pa }", "{ call: payments/charge, ti| }");
        assert!(
            complete(&key).iter().any(|k| k == "timeout"),
            "{:?}",
            complete(&key)
        );
    }

    #[test]
    fn completes_enum_values() {
        let got = complete("workload:\n  - to: api\n    arrivals: |");
        for v in ["poisson", "constant", "closed"] {
            assert!(got.iter().any(|g| g == v), "{v} in {got:?}");
        }
        let got = complete("services:\n  api:\n    balance: le|");
        assert!(got.contains(&"least_connections".to_string()));
        let got = complete("services:\n  a:\n    endpoints:\n      /:\n        - cpu: { dist: |");
        assert!(got.contains(&"lognormal".to_string()), "{got:?}");
    }

    #[test]
    fn completion_offsets_point_at_the_word() {
        let t = "version: 1\ndur";
        let c = help().complete(t, t.len()).unwrap();
        assert_eq!(c.from, 11);
        assert_eq!(
            c.options
                .iter()
                .find(|o| o.label == "duration")
                .unwrap()
                .apply,
            "duration: "
        );
        assert!(
            c.options.iter().all(|o| !o.info.is_empty()),
            "every key has a description"
        );
    }

    #[test]
    fn hover_describes_keys() {
        let t = "version: 1\nduration: 5m\nworkload:\n  - to: api\n    arrivals: poisson\n    rate: 5/s\n";
        let h = help().hover(t, t.find("rate").unwrap() + 1).unwrap();
        assert!(h.text.starts_with("rate:"), "{}", h.text);
        assert!(h.text.contains("Open loops only"), "{}", h.text);
        assert_eq!(&t[h.from..h.to], "rate");
        let h = help().hover(t, t.find("duration").unwrap()).unwrap();
        assert!(h.text.contains("Simulated time to run"));
        let h = help().hover(t, t.find("poisson").unwrap() + 2).unwrap();
        assert!(h.text.starts_with("poisson"), "{}", h.text);
        assert!(help().hover(t, t.find("api").unwrap()).is_none());
        let t = "services:\n  a:\n    endpoints:\n      /:\n        - cpu: { dist: lognormal, mean: 3ms, sd: 1ms }\n";
        let h = help().hover(t, t.find("sd").unwrap()).unwrap();
        assert!(h.text.contains("Standard deviation"), "{}", h.text);
        let h = help().hover(t, t.find("cpu").unwrap()).unwrap();
        assert!(
            h.text.contains("Computation on the event loop"),
            "{}",
            h.text
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        let h = help();
        let texts = [
            "",
            ":",
            "- - -",
            "a: {",
            "a: { b: {",
            "}}}",
            "  \n\n  - x: [ {",
            "é: ü\n  ß|",
            "\r\n\r\n",
        ];
        for t in texts {
            for p in 0..=t.len() {
                if t.is_char_boundary(p) {
                    let _ = h.complete(t, p);
                    let _ = h.hover(t, p);
                }
            }
        }
    }
}
