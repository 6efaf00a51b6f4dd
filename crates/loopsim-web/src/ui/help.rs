//! Help on the page: the glossary (`<details id="glossary">` in the top bar, filled from
//! `loopsim_view::glossary`, the one list of terms the CLI's HTML report shows too) and hover
//! help — a `title` from the glossary on every element that names a term: static cards marked
//! `data-help="term"` in `index.html`, the KPI cards, and the results' table headers (after
//! each report, whatever code drew them). Texts are set as text nodes and attributes.

use loopsim_web::glossary;
use wasm_bindgen::JsCast;
use web_sys::Element;

use super::dom;

/// Fills the glossary and labels what exists at start-up.
pub fn install() {
    let list: Element = dom::by_id("glossary-list");
    dom::clear(&list);
    for t in glossary::TERMS {
        let _ = list.append_child(&dom::el_text("dt", "", t.name));
        let _ = list.append_child(&dom::el_text("dd", "", &t.text.replace('`', "")));
    }
    annotate("[data-help]");
    annotate(".kpi");
    reachable_scrollers();
    close_on_escape();
}

/// Esc closes the open glossary and gives focus back to its summary.
fn close_on_escape() {
    let details: Element = dom::by_id("glossary");
    let target: web_sys::EventTarget = details.clone().into();
    dom::on(&target, "keydown", move |e| {
        let key = e
            .dyn_ref::<web_sys::KeyboardEvent>()
            .map(|k| k.key())
            .unwrap_or_default();
        if key == "Escape" && details.has_attribute("open") {
            let _ = details.remove_attribute("open");
            if let Ok(Some(summary)) = details.query_selector("summary") {
                if let Ok(s) = summary.dyn_into::<web_sys::HtmlElement>() {
                    let _ = s.focus();
                }
            }
        }
    });
}

/// Sets hover help on the results' table headers and cards (call after a report is drawn).
pub fn annotate_results() {
    annotate(
        ".results th[scope=\"col\"], .results th[scope=\"row\"], .results h3, .chart .u-title",
    );
    reachable_scrollers();
}

/// Boxes that scroll (wide tables, the scenario's description) take keyboard focus, so
/// their hidden part can be scrolled without a mouse; each is a region named by the heading
/// before it.
fn reachable_scrollers() {
    let Ok(nodes) = dom::document().query_selector_all(".table-wrap, #scenario-description") else {
        return;
    };
    for k in 0..nodes.length() {
        let Some(el) = nodes.item(k).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        if el.has_attribute("tabindex") {
            continue;
        }
        let _ = el.set_attribute("tabindex", "0");
        if el.id() == "scenario-description" {
            continue;
        }
        let name = el
            .previous_element_sibling()
            .and_then(|h| h.text_content())
            .filter(|t| !t.trim().is_empty() && t.len() < 80)
            .unwrap_or_else(|| String::from("Table"));
        let _ = el.set_attribute("role", "region");
        let _ = el.set_attribute("aria-label", &name);
    }
}

/// `title` from the glossary on each match without one: the term is the element's
/// `data-help`, else its label's text (a KPI card's `.label`), else its own text.
fn annotate(selector: &str) {
    let Ok(nodes) = dom::document().query_selector_all(selector) else {
        return;
    };
    for k in 0..nodes.length() {
        let Some(el) = nodes.item(k).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        if el.has_attribute("title") {
            continue;
        }
        let label = el
            .get_attribute("data-help")
            .or_else(|| {
                el.query_selector(".label")
                    .ok()
                    .flatten()
                    .and_then(|l| l.text_content())
            })
            .or_else(|| el.text_content())
            .unwrap_or_default();
        if let Some(text) = glossary::help(&label) {
            let _ = el.set_attribute("title", &text.replace('`', ""));
        }
    }
}
