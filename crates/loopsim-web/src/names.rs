//! The names a scenario declares (services and their endpoints and pools, caches, queues), read
//! from the text being edited, for completion after `to:`, `call:`, `with:`, `cache:`,
//! `publish:` and the like.
//!
//! Like [`crate::schema_help`] this reads lines and indentation rather than parsing: the text is
//! usually half-typed. Block mappings and one-line flow mappings (`caches: { urls: {...} }`)
//! are understood; anything else is skipped, never an error.

/// A service and what it declares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    /// Paths as written (`/charge` or `charge`).
    pub endpoints: Vec<String>,
    pub pools: Vec<String>,
}

/// Everything a reference can name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    pub services: Vec<Service>,
    pub caches: Vec<String>,
    pub queues: Vec<String>,
}

/// One `key:` line: its indentation, key and the text after the colon.
#[derive(Debug)]
struct Entry<'a> {
    indent: usize,
    /// `None` for a sequence item (`- ...`), which only bounds mappings.
    key: Option<&'a str>,
    value: &'a str,
}

/// Scans `text` for the declared names. Bounded by the text: one pass over its lines, then
/// one over each section's lines.
pub fn scan(text: &str) -> Names {
    let entries = entries(text);
    let mut names = Names::default();
    for (i, e) in entries.iter().enumerate() {
        if e.indent != 0 {
            continue;
        }
        match e.key {
            Some("services") => {
                for s in children(&entries, i) {
                    let mut service = Service {
                        name: unquote(entries[s].key.unwrap_or_default()).to_string(),
                        ..Service::default()
                    };
                    for c in children(&entries, s) {
                        match entries[c].key {
                            Some("endpoints") => service.endpoints = keys_of(&entries, c),
                            Some("pools") => service.pools = keys_of(&entries, c),
                            _ => {}
                        }
                    }
                    names.services.push(service);
                }
            }
            Some("caches") => names.caches = keys_of(&entries, i),
            Some("queues") => names.queues = keys_of(&entries, i),
            _ => {}
        }
    }
    names
}

impl Names {
    /// `service/endpoint` for every endpoint (without the path's leading `/`, as `call:`
    /// examples write it), with the service's name as detail.
    pub fn call_targets(&self) -> Vec<(String, &str)> {
        self.services
            .iter()
            .flat_map(|s| {
                s.endpoints.iter().map(move |e| {
                    (
                        format!("{}/{}", s.name, e.trim_start_matches('/')),
                        s.name.as_str(),
                    )
                })
            })
            .collect()
    }

    /// The pools of `service`, or of every service when it is not known.
    pub fn pools(&self, service: Option<&str>) -> Vec<&str> {
        self.services
            .iter()
            .filter(|s| service.is_none_or(|n| s.name == n))
            .flat_map(|s| s.pools.iter().map(String::as_str))
            .collect()
    }
}

fn entries(text: &str) -> Vec<Entry<'_>> {
    let mut out = Vec::new();
    let mut block: Option<usize> = None; // the indentation a block scalar's lines exceed
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let indent = line.bytes().take_while(|&b| b == b' ').count();
        let rest = &line[indent..];
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        if let Some(b) = block {
            if indent > b {
                continue;
            }
            block = None;
        }
        if rest.starts_with("- ") || rest == "-" {
            out.push(Entry {
                indent,
                key: None,
                value: "",
            });
            continue;
        }
        let Some((key, value)) = split_key(rest) else {
            continue;
        };
        if value.starts_with(['>', '|']) {
            block = Some(indent);
        }
        out.push(Entry {
            indent,
            key: Some(key),
            value,
        });
    }
    out
}

/// `key: value` → (key, value without a trailing comment).
fn split_key(content: &str) -> Option<(&str, &str)> {
    if content.starts_with(['{', '[', '#', '&', '*', '!', '|', '>']) {
        return None;
    }
    let b = content.as_bytes();
    let colon = (0..b.len()).find(|&i| b[i] == b':' && (i + 1 == b.len() || b[i + 1] == b' '))?;
    let key = content[..colon].trim_end();
    let value = content[colon + 1..].trim();
    let value = match value.find(" #") {
        Some(p) => value[..p].trim_end(),
        None if value.starts_with('#') => "",
        None => value,
    };
    (!key.is_empty()).then_some((key, value))
}

/// Indices of the direct child keys of entry `i` (block style).
fn children(entries: &[Entry], i: usize) -> Vec<usize> {
    let parent = entries[i].indent;
    let mut out = Vec::new();
    let mut child_indent = None;
    for (j, e) in entries.iter().enumerate().skip(i + 1) {
        if e.indent <= parent {
            break;
        }
        let want = *child_indent.get_or_insert(e.indent);
        if e.indent == want && e.key.is_some() {
            out.push(j);
        }
    }
    out
}

/// The keys of the mapping under entry `i`: block children, or a one-line flow mapping.
fn keys_of(entries: &[Entry], i: usize) -> Vec<String> {
    let value = entries[i].value;
    if value.starts_with('{') {
        return flow_keys(value);
    }
    children(entries, i)
        .into_iter()
        .filter_map(|j| entries[j].key)
        .map(|k| unquote(k).to_string())
        .collect()
}

/// The top-level keys of a flow mapping `{ a: {...}, b: 1 }`.
fn flow_keys(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 1usize);
    for (i, c) in value.char_indices() {
        match c {
            '{' | '[' => {
                depth += 1;
                if depth == 1 {
                    start = i + 1;
                }
            }
            '}' | ']' | ',' if depth == 1 => {
                if let Some((k, _)) = value[start..i].split_once(':') {
                    let k = unquote(k.trim());
                    if !k.is_empty() {
                        out.push(k.to_string());
                    }
                }
                start = i + 1;
                if c != ',' {
                    depth -= 1;
                }
            }
            '}' | ']' => depth -= 1,
            _ => {}
        }
    }
    out
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHOP: &str = "\
version: 1
description: >
  services: not a key here
caches: { urls: { capacity: 10 }, 'sessions': { capacity: 5 } }
queues:
  orders: { consumer: worker/handle }
workload:
  - to: api
    rate: 10/s
services:
  api:
    pools:
      db: { size: 4 }
    endpoints:
      /checkout:
        - with: db
          steps:
            - io: 1ms
        - call: payments/charge
      /health:
        - cpu: 1ms
  \"payments\":
    endpoints:
      charge:   # no leading slash
        - io: 5ms
";

    #[test]
    fn finds_services_endpoints_pools_caches_and_queues() {
        let n = scan(SHOP);
        let services: Vec<&str> = n.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(services, ["api", "payments"]);
        assert_eq!(n.services[0].endpoints, ["/checkout", "/health"]);
        assert_eq!(n.services[0].pools, ["db"]);
        assert_eq!(n.services[1].endpoints, ["charge"]);
        assert_eq!(n.caches, ["urls", "sessions"]);
        assert_eq!(n.queues, ["orders"]);
        let calls: Vec<String> = n.call_targets().into_iter().map(|c| c.0).collect();
        assert_eq!(calls, ["api/checkout", "api/health", "payments/charge"]);
        assert_eq!(n.pools(Some("api")), ["db"]);
        assert!(n.pools(Some("payments")).is_empty());
    }

    #[test]
    fn half_typed_and_odd_text_never_fails() {
        for text in [
            "",
            "services:",
            "services:\n  a",
            "services:\n  a:\n    endpoints: {",
            "caches: {a: {b",
            ":\n:\n- -\n",
            "services:\n\tx:",
        ] {
            let _ = scan(text);
        }
        assert_eq!(scan("services:\n  a:\n").services.len(), 1);
    }
}
