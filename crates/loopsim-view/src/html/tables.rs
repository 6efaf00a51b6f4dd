//! The report's results as HTML: [`crate::tables`]' summary and tables (the page's own cells),
//! each table only when it has rows. Every cell and key is escaped (names come from the
//! scenario) and every header carries the glossary's hover help.

use crate::escape;
use crate::glossary;
use crate::tables::{self, Cell, Table};
use loopsim_core::Report;
use std::fmt::Write;

/// The summary, then every table with rows, in the page's order.
pub fn results(o: &mut String, r: &Report) {
    summary(o, r);
    for t in [
        tables::guards(r, None),
        tables::services(r, None),
        tables::pools(r, None),
        tables::queues(r, None),
    ] {
        table(o, &t);
    }
    let spawned = tables::spawned(r);
    if !spawned.is_empty() {
        let _ = write!(o, r#"<p class="note">{}</p>"#, escape::text(&spawned));
    }
    for t in [
        tables::caches(r, None),
        tables::links(r, None),
        tables::workloads(r, None),
    ] {
        table(o, &t);
    }
}

/// ` title="…"` with the glossary's help for `label`, or nothing.
fn help(label: &str) -> String {
    glossary::help(label)
        .map(|h| format!(r#" title="{}""#, escape::text(h)))
        .unwrap_or_default()
}

/// ` class="…"` for a marked cell, or nothing.
fn class(c: &Cell) -> String {
    if c.class.is_empty() {
        String::new()
    } else {
        format!(r#" class="{}""#, c.class)
    }
}

/// `<th>` with the glossary's help as its `title` when the glossary knows the label.
fn header(o: &mut String, label: &str) {
    let text = escape::text(label);
    let _ = match glossary::help(label) {
        Some(h) => write!(
            o,
            r#"<th scope="col" title="{}"><span class="help">{text}</span></th>"#,
            escape::text(h)
        ),
        None => write!(o, r#"<th scope="col">{text}</th>"#),
    };
}

/// A titled table in a horizontally scrolling wrapper (wide tables never widen the page); the
/// first cell of each row is its header. Nothing when `t` has no rows.
pub fn table(o: &mut String, t: &Table) {
    if t.rows.is_empty() {
        return;
    }
    let _ = write!(
        o,
        r#"<div class="table-wrap" role="region" tabindex="0" aria-labelledby="{id}-caption"><table id="{id}"><caption id="{id}-caption">{}</caption><thead><tr>"#,
        escape::text(t.title),
        id = t.id
    );
    for h in t.headers {
        header(o, h);
    }
    o.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        match (t.key_attribute, &row.key) {
            (Some(attribute), Some(key)) => {
                let _ = write!(o, r#"<tr {attribute}="{}">"#, escape::text(key));
            }
            _ => o.push_str("<tr>"),
        }
        for (k, c) in row.cells.iter().enumerate() {
            let tag = if k == 0 { r#"th scope="row""# } else { "td" };
            let end = if k == 0 { "th" } else { "td" };
            let _ = write!(o, "<{tag}{}>{}</{end}>", class(c), escape::text(&c.text));
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table></div>");
}

/// The summary's label/value pairs in a grid, its first column then its second.
fn summary(o: &mut String, r: &Report) {
    o.push_str(r#"<dl class="summary">"#);
    let [left, right] = tables::summary(r, None);
    for (label, value) in left.iter().chain(&right) {
        let _ = write!(
            o,
            "<div><dt{}>{}</dt><dd{}>{}</dd></div>",
            help(label),
            escape::text(label),
            class(value),
            escape::text(&value.text)
        );
    }
    o.push_str("</dl>");
}
