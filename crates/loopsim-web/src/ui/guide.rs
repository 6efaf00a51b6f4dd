//! The guide panel (a scenario's `guide:`, one step at a time) and the "Try this" list under
//! the description. What a step says and points at is decided in `loopsim_view::guide`; this
//! module puts it in the page: text with `code`, Back/Next, "Apply this change", and the
//! highlight on the chart or topology box the step points at.

use loopsim_core::scenario::guide::GuideStep;
use loopsim_view::guide::{self, ChangeState, Piece};
use web_sys::{Element, HtmlElement};

use super::dom;

/// A walkthrough shown in the page and the step the reader is on.
#[derive(Clone, Debug, PartialEq)]
pub struct Walkthrough {
    pub steps: Vec<GuideStep>,
    /// 0-based.
    pub at: usize,
}

impl Walkthrough {
    pub fn step(&self) -> Option<&GuideStep> {
        self.steps.get(self.at)
    }
}

/// Appends `text` to `parent` with its backticked stretches as `<code>` (all as text nodes).
pub fn append_rich(parent: &Element, text: &str) {
    for piece in guide::pieces(text) {
        match piece {
            Piece::Plain(t) => {
                let _ = parent.append_child(&dom::document().create_text_node(t));
            }
            Piece::Code(t) => {
                let _ = parent.append_child(&dom::el_text("code", "", t));
            }
        }
    }
}

/// The scenario's description under its title, `code` as code.
pub fn show_description(text: &str) {
    let p: Element = dom::by_id("scenario-description");
    dom::clear(&p);
    append_rich(&p, text);
}

/// The "Try this" list (hidden when empty).
pub fn show_try(items: &[String]) {
    let list: Element = dom::by_id("scenario-try-list");
    dom::clear(&list);
    for item in items {
        let li = dom::el("li");
        append_rich(&li, item);
        let _ = list.append_child(&li);
    }
    dom::set_hidden("scenario-try", items.is_empty());
}

/// Shows the panel at `w`'s step for the editor's `text`, or hides it.
pub fn render(w: Option<&Walkthrough>, text: &str) {
    let Some((w, step)) = w.and_then(|w| w.step().map(|s| (w, s))) else {
        dom::set_hidden("guide", true);
        return;
    };
    dom::set_hidden("guide", false);
    dom::set_text("guide-position", &guide::position(w.at, w.steps.len()));
    let body: Element = dom::by_id("guide-text");
    dom::clear(&body);
    append_rich(&body, &step.text);
    dom::set_disabled("guide-back", w.at == 0);
    dom::set_disabled("guide-next", w.at + 1 >= w.steps.len());
    let apply: Element = dom::by_id("guide-apply");
    match &step.change {
        None => dom::hide(&apply, true),
        Some(change) => {
            dom::hide(&apply, false);
            let applied = guide::change_state(text, change) == ChangeState::Applied;
            apply.set_text_content(Some(if applied {
                "✓ Change applied"
            } else {
                "Apply this change"
            }));
            dom::set_disabled("guide-apply", applied);
        }
    }
    let show: Element = dom::by_id("guide-show");
    let label = match (&step.chart, &step.node) {
        (Some(chart), _) => Some(format!("Show the {}", guide::chart_title(chart))),
        (None, Some(node)) => Some(format!("Show {node} in the topology")),
        (None, None) => None,
    };
    dom::hide(&show, label.is_none());
    show.set_text_content(label.as_deref());
}

/// A sentence under the step's buttons (empty clears it).
pub fn status(text: &str) {
    dom::set_text("guide-status", text);
}

/// Marks the chart `step` points at (class `guide-target`), clearing earlier marks; returns
/// it (the figure or the per-service section) to scroll to.
pub fn mark_chart(step: Option<&GuideStep>) -> Option<Element> {
    let doc = dom::document();
    if let Ok(list) = doc.query_selector_all(".guide-target, .guide-pulse") {
        for k in 0..list.length() {
            if let Some(e) = list.item(k) {
                let e: Element = wasm_bindgen::JsCast::unchecked_into(e);
                let _ = e.class_list().remove_2("guide-target", "guide-pulse");
            }
        }
    }
    let chart = step?.chart.as_deref()?;
    // The charts on the page now (a hidden figure is not shown).
    let mut shown: Vec<String> = Vec::new();
    if let Ok(list) = doc.query_selector_all(".charts figure[id]:not([hidden])") {
        for k in 0..list.length() {
            if let Some(e) = list.item(k) {
                let e: Element = wasm_bindgen::JsCast::unchecked_into(e);
                shown.push(e.id());
            }
        }
    }
    let ids: Vec<&str> = shown.iter().map(String::as_str).collect();
    let mut first = None;
    for id in guide::chart_targets(chart, &ids) {
        if let Some(e) = doc.get_element_by_id(&id) {
            let _ = e.class_list().add_1("guide-target");
            first.get_or_insert(e);
        }
    }
    first
}

/// Scrolls `target` into view and makes its highlight pulse once.
pub fn reveal(target: &Element) {
    let opts = web_sys::ScrollIntoViewOptions::new();
    opts.set_block(web_sys::ScrollLogicalPosition::Center);
    target.scroll_into_view_with_scroll_into_view_options(&opts);
    let _ = target.class_list().remove_1("guide-pulse");
    // Reading the layout restarts the animation when the class comes back.
    if let Some(h) = wasm_bindgen::JsCast::dyn_ref::<HtmlElement>(target) {
        let _ = h.offset_width();
    }
    let _ = target.class_list().add_1("guide-pulse");
}
