//! The key tables of `docs/scenario-format.md`, generated from [`crate::scenario::keys`].
//!
//! The docs mark each generated table with comments: `<!-- keys:NAME -->` (NAME a section of
//! [`keys::ALL`]) before it and `<!-- /keys -->` after it. [`update`] rewrites what lies
//! between; everything else in the docs is prose written by hand.

use super::number;
use crate::scenario::keys::{self, Absent, Bound, Section, Shape, Type};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

const OPEN: &str = "<!-- keys:";
const CLOSE: &str = "<!-- /keys -->";

/// The Markdown table of a section's keys (`None` for a value type, which has none).
pub fn table(s: &Section) -> Option<String> {
    let mut out = String::new();
    match s.shape {
        Shape::Value(_) => return None,
        Shape::Tagged { tag, variants, .. } => {
            out.push_str(&format!(
                "| `{tag}` | Parameters | Meaning |\n|---|---|---|\n"
            ));
            for v in variants {
                let params: Vec<String> = v
                    .all_keys()
                    .map(|k| format!("`{}`: {}", k.name, cell(k.doc)))
                    .collect();
                out.push_str(&format!(
                    "| `{}` | {} | {} |\n",
                    v.name,
                    params.join("<br>"),
                    cell(v.doc)
                ));
            }
            return Some(out);
        }
        Shape::Map | Shape::Or(_) | Shape::OneKey { .. } => {}
    }
    let defaults = s.all_keys().any(|k| k.default != Absent::Nothing);
    if defaults {
        out.push_str("| Key | Value | Default | Meaning |\n|---|---|---|---|\n");
    } else {
        out.push_str("| Key | Value | Meaning |\n|---|---|---|\n");
    }
    for k in s.keys {
        let default = match k.default {
            Absent::Required => "required",
            Absent::RequiredIf(text) | Absent::Default(text) => text,
            Absent::Nothing => "",
        };
        if defaults {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                k.name,
                cell(&label(&k.ty)),
                cell(default),
                cell(k.doc)
            ));
        } else {
            out.push_str(&format!(
                "| `{}` | {} | {} |\n",
                k.name,
                cell(&label(&k.ty)),
                cell(k.doc)
            ));
        }
    }
    let mut extra: Vec<(String, &Section)> =
        s.include.iter().map(|inc| (String::new(), *inc)).collect();
    if let Shape::OneKey { with } = s.shape {
        extra.extend(
            with.iter()
                .map(|(key, sec)| (format!(" Only beside `{key}`."), *sec)),
        );
    }
    for (suffix, inc) in extra {
        let names: Vec<String> = inc.keys.iter().map(|k| format!("`{}`", k.name)).collect();
        let empty = if defaults { "| | |" } else { "| |" };
        out.push_str(&format!(
            "| {} {empty} {}{suffix} |\n",
            names.join(", "),
            cell(inc.doc)
        ));
    }
    if let Shape::Or(short) = s.shape {
        out.push_str(&format!("\nInstead of the mapping: {}.\n", label(&short)));
    }
    Some(out)
}

/// A table cell: no line breaks, `|` escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The type of a value, in words.
pub fn label(ty: &Type) -> String {
    match *ty {
        Type::Ref(s) => match s.shape {
            Shape::Value(_) => s
                .name
                .replace("_or_", " or ")
                .replace("dist", "distribution"),
            Shape::Or(short) => format!("{} or `{}` mapping", label(&short), s.name),
            _ => format!("`{}` mapping", s.name),
        },
        Type::Named(def) => format!("`{def}` mapping"),
        Type::Const(n) => format!("`{n}`"),
        Type::Enum(values) => {
            let v: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
            v.join(", ")
        }
        Type::AnyOf(types) => {
            let v: Vec<String> = types.iter().map(label).collect();
            v.join(" or ")
        }
        Type::Int { min, max } => match max {
            Some(max) => format!("integer, {min} to {max}"),
            None => format!("integer ≥ {min}"),
        },
        Type::Number { min, max } => {
            let lo = match min {
                Bound::Incl(v) => Some(format!("≥ {}", number(v))),
                Bound::Excl(v) => Some(format!("> {}", number(v))),
                Bound::No => None,
            };
            let hi = match max {
                Bound::Incl(v) => Some(format!("≤ {}", number(v))),
                Bound::Excl(v) => Some(format!("< {}", number(v))),
                Bound::No => None,
            };
            let bounds: Vec<String> = lo.into_iter().chain(hi).collect();
            if bounds.is_empty() {
                "number".to_string()
            } else {
                format!("number {}", bounds.join(", "))
            }
        }
        Type::Text { .. } => "text".to_string(),
        Type::Bool => "`true` or `false`".to_string(),
        Type::List { of, .. } => format!("list of {}", label(of)),
        Type::Map { of, .. } => format!("names → {}", label(of)),
    }
}

/// `md` with every marked table regenerated. An unknown section name, a marker left open or a
/// section with no table is an error.
pub fn update(md: &str) -> Result<String, String> {
    let mut out = String::with_capacity(md.len());
    let mut rest = md;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + OPEN.len()..];
        let end = after
            .find("-->")
            .ok_or_else(|| "an unterminated `<!-- keys:` marker".to_string())?;
        let name = after[..end].trim();
        let section = keys::section(name).ok_or_else(|| format!("no key table named `{name}`"))?;
        let table =
            table(section).ok_or_else(|| format!("`{name}` is a value type: it has no keys"))?;
        let body = &after[end + 3..];
        let close = body
            .find(CLOSE)
            .ok_or_else(|| format!("`<!-- keys:{name} -->` has no `{CLOSE}`"))?;
        out.push_str(&rest[..start]);
        out.push_str(&format!("{OPEN}{name} -->\n"));
        out.push_str(&table);
        out.push_str(CLOSE);
        rest = &body[close + CLOSE.len()..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The section names marked in `md`, in order.
pub fn marked(md: &str) -> Vec<&str> {
    md.split(OPEN)
        .skip(1)
        .filter_map(|s| s.split_once("-->").map(|(name, _)| name.trim()))
        .collect()
}
