//! JSON Schema (draft 2020-12) of scenario format v1, generated from the key tables.
//!
//! Editors use it for completion and hover documentation, so every property carries a
//! `description`. It is written by [`generate`] from [`crate::scenario::keys`] (the tables the
//! parser checks keys against) and committed as `schema/scenario.schema.json`, which
//! [`SCENARIO_SCHEMA`] includes; a test fails when the file is stale (`scripts/bless.sh`
//! rewrites it). The parser's own diagnostics stay authoritative: units, cross-references and
//! limits cannot all be expressed here.

pub mod docs;

use crate::scenario::keys::{self, Absent, Bound, Key, Rule, Section, Shape, Type};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

/// The scenario JSON Schema, as JSON text (the committed output of [`generate`]).
pub const SCENARIO_SCHEMA: &str = include_str!("../schema/scenario.schema.json");

/// The JSON Schema of the format, from the key tables: deterministic, pretty-printed JSON.
pub fn generate() -> String {
    let top = &keys::TOP;
    let mut root = vec![
        (
            "$schema",
            Json::str("https://json-schema.org/draft/2020-12/schema"),
        ),
        (
            "$id",
            Json::str("https://loopsim.invalid/schema/scenario-v1.json"),
        ),
        ("title", Json::str("loopsim scenario (format v1)")),
    ];
    root.extend(section_body(top));
    let defs = keys::ALL
        .iter()
        .filter_map(|s| s.def.map(|d| (d, Json::Obj(section_body(s)))))
        .collect();
    root.push(("$defs", Json::Obj(defs)));
    let mut out = String::new();
    Json::Obj(root).write(&mut out, 0);
    out.push('\n');
    out
}

/// A JSON value whose objects keep their keys in order.
enum Json {
    Str(String),
    Num(f64),
    Bool(bool),
    Arr(Vec<Json>),
    Obj(Vec<(&'static str, Json)>),
    /// An object with computed keys (properties).
    Map(Vec<(String, Json)>),
}

impl Json {
    fn str(s: &str) -> Json {
        Json::Str(s.to_string())
    }

    fn strs(items: &[&str]) -> Json {
        Json::Arr(items.iter().map(|s| Json::str(s)).collect())
    }

    fn is_scalar(&self) -> bool {
        matches!(self, Json::Str(_) | Json::Num(_) | Json::Bool(_))
    }

    fn write(&self, out: &mut String, indent: usize) {
        match self {
            Json::Str(s) => write_str(out, s),
            Json::Num(n) => out.push_str(&number(*n)),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Arr(items) if items.iter().all(Json::is_scalar) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out, indent);
                }
                out.push(']');
            }
            Json::Arr(items) => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    push_indent(out, indent + 1);
                    item.write(out, indent + 1);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                push_indent(out, indent);
                out.push(']');
            }
            Json::Obj(entries) => write_obj(out, indent, entries.iter().map(|(k, v)| (*k, v))),
            Json::Map(entries) => {
                write_obj(out, indent, entries.iter().map(|(k, v)| (k.as_str(), v)))
            }
        }
    }
}

fn write_obj<'a>(
    out: &mut String,
    indent: usize,
    entries: impl ExactSizeIterator<Item = (&'a str, &'a Json)>,
) {
    let n = entries.len();
    if n == 0 {
        out.push_str("{}");
        return;
    }
    out.push_str("{\n");
    for (i, (k, v)) in entries.enumerate() {
        push_indent(out, indent + 1);
        write_str(out, k);
        out.push_str(": ");
        v.write(out, indent + 1);
        out.push_str(if i + 1 < n { ",\n" } else { "\n" });
    }
    push_indent(out, indent);
    out.push('}');
}

/// A number as JSON writes it: whole numbers without a fraction.
pub(crate) fn number(v: f64) -> String {
    if libm::trunc(v) == v && libm::fabs(v) < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn push_indent(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push_str("  ");
    }
}

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `[text](#anchor)` → `text`: the schema's descriptions are read outside the docs.
pub(crate) fn plain(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    let mut rest = doc;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let link = after.find("](#").and_then(|close| {
            let end = after[close..].find(')')?;
            Some((close, close + end + 1))
        });
        match link {
            Some((close, end)) if !after[..close].contains(['[', ']']) => {
                out.push_str(&rest[..open]);
                out.push_str(&after[..close]);
                rest = &after[end..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A key's description: its doc, then its default.
fn key_description(key: &Key) -> String {
    let mut d = plain(key.doc);
    if let Absent::Default(v) = key.default {
        if !d.is_empty() && !d.ends_with('.') {
            d.push('.');
        }
        if !d.is_empty() {
            d.push(' ');
        }
        d.push_str(&format!("Default: {}.", plain(v)));
    }
    d
}

/// The schema of a value of type `ty` (without a description).
fn type_entries(ty: &Type) -> Vec<(&'static str, Json)> {
    match *ty {
        Type::Ref(s) => {
            let def = s.def.expect("a referenced section has a definition");
            vec![("$ref", Json::Str(format!("#/$defs/{def}")))]
        }
        Type::Named(def) => vec![("$ref", Json::Str(format!("#/$defs/{def}")))],
        Type::Const(n) => vec![("const", Json::Num(n as f64))],
        Type::Enum(values) => vec![("enum", Json::strs(values))],
        Type::AnyOf(types) => vec![(
            "anyOf",
            Json::Arr(types.iter().map(|t| Json::Obj(type_entries(t))).collect()),
        )],
        Type::Int { min, max } => {
            let mut e = vec![
                ("type", Json::str("integer")),
                ("minimum", Json::Num(min as f64)),
            ];
            if let Some(max) = max {
                e.push(("maximum", Json::Num(max as f64)));
            }
            e
        }
        Type::Number { min, max } => {
            let mut e = vec![("type", Json::str("number"))];
            match min {
                Bound::Incl(v) => e.push(("minimum", Json::Num(v))),
                Bound::Excl(v) => e.push(("exclusiveMinimum", Json::Num(v))),
                Bound::No => {}
            }
            match max {
                Bound::Incl(v) => e.push(("maximum", Json::Num(v))),
                Bound::Excl(v) => e.push(("exclusiveMaximum", Json::Num(v))),
                Bound::No => {}
            }
            e
        }
        Type::Text { pattern, min_len } => {
            let mut e = vec![("type", Json::str("string"))];
            if min_len > 0 {
                e.push(("minLength", Json::Num(min_len as f64)));
            }
            if let Some(p) = pattern {
                e.push(("pattern", Json::str(p)));
            }
            e
        }
        Type::Bool => vec![("type", Json::str("boolean"))],
        Type::List { of, min, max } => {
            let mut e = vec![("type", Json::str("array"))];
            if min > 0 {
                e.push(("minItems", Json::Num(min as f64)));
            }
            if let Some(max) = max {
                e.push(("maxItems", Json::Num(max as f64)));
            }
            e.push(("items", Json::Obj(type_entries(of))));
            e
        }
        Type::Map {
            names,
            not_name,
            of,
            min,
        } => {
            let mut e = vec![("type", Json::str("object"))];
            if min > 0 {
                e.push(("minProperties", Json::Num(min as f64)));
            }
            let mut pn = Vec::new();
            if let Some(p) = names {
                pn.push(("pattern", Json::str(p)));
            }
            if let Some(n) = not_name {
                pn.push(("not", Json::Obj(vec![("const", Json::str(n))])));
            }
            if !pn.is_empty() {
                e.push(("propertyNames", Json::Obj(pn)));
            }
            e.push(("additionalProperties", Json::Obj(type_entries(of))));
            e
        }
    }
}

fn property(key: &Key) -> (String, Json) {
    let mut e = vec![("description", Json::Str(key_description(key)))];
    e.extend(type_entries(&key.ty));
    (key.name.to_string(), Json::Obj(e))
}

fn required_of(s: &Section) -> Vec<&'static str> {
    s.keys
        .iter()
        .filter(|k| k.default == Absent::Required)
        .map(|k| k.name)
        .collect()
}

fn rule_entries(rules: &[Rule]) -> Vec<(&'static str, Json)> {
    rules
        .iter()
        .map(|r| match *r {
            Rule::MinKeys(n) => ("minProperties", Json::Num(n as f64)),
            Rule::NotBoth(a, b) => ("not", Json::Obj(vec![("required", Json::strs(&[a, b]))])),
            Rule::OneOf(keys) => (
                "oneOf",
                Json::Arr(
                    keys.iter()
                        .map(|k| Json::Obj(vec![("required", Json::strs(&[k]))]))
                        .collect(),
                ),
            ),
        })
        .collect()
}

/// A mapping of the section's keys (without a description).
fn object(s: &Section) -> Vec<(&'static str, Json)> {
    let mut e = vec![("type", Json::str("object"))];
    let required = required_of(s);
    if !required.is_empty() {
        e.push(("required", Json::strs(&required)));
    }
    e.push(("additionalProperties", Json::Bool(false)));
    e.extend(rule_entries(s.rules));
    e.push((
        "properties",
        Json::Map(s.all_keys().map(property).collect()),
    ));
    e
}

/// The schema of a section, description first.
fn section_body(s: &Section) -> Vec<(&'static str, Json)> {
    let mut e = vec![("description", Json::Str(plain(s.doc)))];
    match s.shape {
        Shape::Map => e.extend(object(s)),
        Shape::Or(short) => e.push((
            "anyOf",
            Json::Arr(vec![Json::Obj(type_entries(&short)), Json::Obj(object(s))]),
        )),
        Shape::Value(ty) => e.extend(type_entries(&ty)),
        Shape::OneKey { with } => {
            e.push(("type", Json::str("object")));
            e.push(("additionalProperties", Json::Bool(false)));
            e.extend(rule_entries(s.rules));
            let one_of = s
                .keys
                .iter()
                .map(|k| {
                    let mut alt = vec![("required", Json::strs(&[k.name]))];
                    match with.iter().find(|(name, _)| *name == k.name) {
                        Some((_, extra)) => {
                            let mut names = vec![k.name];
                            names.extend(extra.names());
                            let names = Json::Obj(vec![("enum", Json::strs(&names))]);
                            alt.push(("propertyNames", names));
                        }
                        None => alt.push(("maxProperties", Json::Num(1.0))),
                    }
                    Json::Obj(alt)
                })
                .collect();
            e.push(("oneOf", Json::Arr(one_of)));
            let mut props: Vec<(String, Json)> = s.keys.iter().map(property).collect();
            for (_, extra) in with {
                for key in extra.all_keys() {
                    if !props.iter().any(|(n, _)| n == key.name) {
                        props.push(property(key));
                    }
                }
            }
            e.push(("properties", Json::Map(props)));
        }
        Shape::Tagged { tag, doc, variants } => {
            let names: Vec<&str> = variants.iter().map(|v| v.name).collect();
            e.push(("type", Json::str("object")));
            e.push(("required", Json::strs(&[tag])));
            let tag_prop = Json::Obj(vec![
                ("description", Json::Str(plain(doc))),
                ("enum", Json::strs(&names)),
            ]);
            e.push(("properties", Json::Map(vec![(tag.to_string(), tag_prop)])));
            let one_of = variants
                .iter()
                .map(|v| {
                    let tag_const = Json::Obj(vec![
                        ("const", Json::str(v.name)),
                        ("description", Json::Str(plain(v.doc))),
                    ]);
                    let mut props = vec![(tag.to_string(), tag_const)];
                    props.extend(v.all_keys().map(property));
                    let mut alt = vec![
                        ("description", Json::Str(plain(v.doc))),
                        ("properties", Json::Map(props)),
                    ];
                    let required = required_of(v);
                    if !required.is_empty() {
                        alt.push(("required", Json::strs(&required)));
                    }
                    alt.extend(rule_entries(v.rules));
                    alt.push(("additionalProperties", Json::Bool(false)));
                    Json::Obj(alt)
                })
                .collect();
            e.push(("oneOf", Json::Arr(one_of)));
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::{generate, plain, SCENARIO_SCHEMA};
    use alloc::format;

    #[test]
    fn the_committed_schema_is_generated() {
        // `tests/generated.rs` rewrites it with `LOOPSIM_BLESS=1` (`scripts/bless.sh`).
        assert!(
            SCENARIO_SCHEMA == generate(),
            "crates/loopsim-core/schema/scenario.schema.json is stale: run scripts/bless.sh"
        );
    }

    #[test]
    fn links_are_reduced_to_their_text() {
        assert_eq!(plain("see [Network](#network)."), "see Network.");
        assert_eq!(plain("in [0, 1] or [a](b)"), "in [0, 1] or [a](b)");
        assert_eq!(plain("[x](#y) and [z](#w)"), "x and z");
    }

    #[test]
    fn schema_is_json_with_descriptions() {
        let v: serde_json::Value = serde_json::from_str(SCENARIO_SCHEMA).expect("valid JSON");
        assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
        fn walk(v: &serde_json::Value, path: &str) {
            if let Some(props) = v.get("properties").and_then(|p| p.as_object()) {
                for (k, p) in props {
                    assert!(
                        p.get("description").is_some(),
                        "{path}/properties/{k} lacks a description"
                    );
                    walk(p, &format!("{path}/{k}"));
                }
            }
            for key in ["oneOf", "anyOf"] {
                for (i, item) in v
                    .get(key)
                    .and_then(|a| a.as_array())
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    walk(item, &format!("{path}/{key}/{i}"));
                }
            }
        }
        walk(&v, "");
        for (name, def) in v["$defs"].as_object().unwrap() {
            walk(def, &format!("/$defs/{name}"));
        }
    }
}
