//! The results on the page: the early stop, the summary and the tables, drawn from
//! `loopsim_view::tables` (the cells the CLI's HTML report draws too). Every cell is set with
//! `textContent` (service and workload names come from the scenario text).

use loopsim_core::replication::Summary;
use loopsim_core::Report;
use loopsim_web::stop;
use loopsim_web::tables::{self, Cell, Table};
use web_sys::Element;

use super::dom;

/// Replaces `table`'s content by a header row and `t`'s rows, each row's key in its
/// `data-*` attribute (`tr[data-service="api"]`, found by the topology view to focus a row).
fn draw(table: &Element, t: &Table) {
    dom::clear(table);
    let thead = dom::el("thead");
    let tr = dom::el("tr");
    for h in t.headers {
        let th = dom::el_text("th", "", h);
        let _ = th.set_attribute("scope", "col");
        let _ = tr.append_child(&th);
    }
    let _ = thead.append_child(&tr);
    let _ = table.append_child(&thead);
    let tbody = dom::el("tbody");
    for row in &t.rows {
        let tr = dom::el("tr");
        if let (Some(attribute), Some(key)) = (t.key_attribute, &row.key) {
            let _ = tr.set_attribute(attribute, key);
        }
        for Cell { text, class } in &row.cells {
            let _ = tr.append_child(&dom::el_text("td", class, text));
        }
        let _ = tbody.append_child(&tr);
    }
    let _ = table.append_child(&tbody);
}

/// Draws `t` into the page's `<table id=…>`; a table in `section` shows only with rows.
fn fill(t: &Table, section: Option<&str>) {
    let table: Element = dom::by_id(t.id);
    if let Some(section) = section {
        dom::set_hidden(section, t.rows.is_empty());
        if t.rows.is_empty() {
            return dom::clear(&table);
        }
    }
    draw(&table, t);
}

pub fn clear() {
    super::health::clear();
    super::diagnosis::clear();
    for id in [
        "summary",
        "guards",
        "services",
        "pools",
        "queues",
        "caches",
        "links",
        "workloads",
    ] {
        dom::clear(&dom::by_id::<Element>(id));
    }
    for id in [
        "guards-section",
        "pools-section",
        "queues-section",
        "caches-section",
        "links-section",
    ] {
        dom::set_hidden(id, true);
    }
    dom::set_text("results-note", "Run the scenario to see its report.");
    dom::set_hidden("stopped-box", true);
}

/// The warning that opens the results of a run that stopped early: when, why, and that every
/// figure covers only the part that was simulated.
fn render_stopped(r: &Report) {
    let Some(st) = &r.stopped else {
        dom::set_hidden("stopped-box", true);
        return;
    };
    let box_: web_sys::Element = dom::by_id("stopped-box");
    let _ = box_.set_attribute("data-cause", st.cause.name());
    dom::set_text("stopped-title", &stop::headline(st.at_s, r.duration_s));
    dom::set_text(
        "stopped-reason",
        &stop::reason(st.cause.name(), &st.message),
    );
    dom::set_text("stopped-scope", &stop::scope(st.at_s, r.warmup_s));
    dom::set_hidden("stopped-box", false);
}

/// With `ci` (a replicated run), every figure it has an interval for reads `mean ± half-width`.
pub fn render(r: &Report, ci: Option<&Summary>) {
    render_stopped(r);
    dom::set_text("results-note", &r.note);
    render_summary(r, ci);
    render_guards(r, ci);
    fill(&tables::services(r, ci), None);
    fill(&tables::pools(r, ci), Some("pools-section"));
    render_queues(r, ci);
    fill(&tables::caches(r, ci), Some("caches-section"));
    fill(&tables::links(r, ci), Some("links-section"));
    fill(&tables::workloads(r, ci), None);
}

/// The summary's two columns of label/value pairs side by side: `<th scope=row>` labels.
fn render_summary(r: &Report, ci: Option<&Summary>) {
    let summary: Element = dom::by_id("summary");
    dom::clear(&summary);
    let body = dom::el("tbody");
    let [left, right] = tables::summary(r, ci);
    for pairs in left.iter().zip(&right) {
        let tr = dom::el("tr");
        for (label, value) in [pairs.0, pairs.1] {
            let th = dom::el_text("th", "", label);
            let _ = th.set_attribute("scope", "row");
            let _ = tr.append_child(&th);
            let _ = tr.append_child(&dom::el_text("td", value.class, &value.text));
        }
        let _ = body.append_child(&tr);
    }
    let _ = summary.append_child(&body);
}

/// The guards table, made inside `#guards` (a section shown only when a caller has guards).
fn render_guards(r: &Report, ci: Option<&Summary>) {
    let t = tables::guards(r, ci);
    dom::set_hidden("guards-section", t.rows.is_empty());
    let root: Element = dom::by_id("guards");
    dom::clear(&root);
    if !t.rows.is_empty() {
        let _ = root.append_child(&wrapped(&t));
    }
}

/// A new small table (`table health-table`) drawn from `t`, in a scrolling wrapper: the
/// Health card's tables and the guards.
pub fn wrapped(t: &Table) -> Element {
    let table = dom::el("table");
    table.set_class_name("table health-table");
    draw(&table, t);
    let wrap = dom::el("div");
    wrap.set_class_name("table-wrap");
    let _ = wrap.append_child(&table);
    wrap
}

/// The queues, and the background tasks spawned in the note under them: the section shows
/// when there is either.
fn render_queues(r: &Report, ci: Option<&Summary>) {
    let t = tables::queues(r, ci);
    let spawned = tables::spawned(r);
    dom::set_text("queues-spawned", &spawned);
    dom::set_hidden("queues-section", t.rows.is_empty() && spawned.is_empty());
    let table: Element = dom::by_id(t.id);
    if t.rows.is_empty() {
        return dom::clear(&table);
    }
    draw(&table, &t);
}
