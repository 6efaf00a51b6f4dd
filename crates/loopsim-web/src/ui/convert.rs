//! The conversion offer above the editor: when the editor holds another tool's file, a line
//! saying so with a Convert button; after converting, what happened and the converter's
//! notes (until dismissed). Wording and notes come from `loopsim_web::convert_offer`.

use loopsim_web::convert_offer::{self, Offer, Outcome};
use web_sys::Element;

use super::dom;

/// Shows `offer` (or hides the box if it shows an offer that no longer applies; a
/// conversion's result stays until dismissed).
pub fn show_offer(offer: Option<Offer>) {
    let root: Element = dom::by_id("convert-offer");
    match offer {
        Some(o) => {
            let _ = root.set_attribute("data-mode", "offer");
            let _ = root.set_attribute("data-format", o.format.name());
            dom::set_text("convert-text", &o.headline());
            dom::set_text("convert-apply", o.action());
            dom::set_hidden("convert-apply", false);
            notes(&[]);
            dom::hide(&root, false);
        }
        None if root.get_attribute("data-mode").as_deref() == Some("offer") => {
            let _ = root.remove_attribute("data-mode");
            dom::hide(&root, true);
        }
        None => {}
    }
}

/// Shows a conversion's outcome: its summary and every note.
pub fn show_outcome(offer: Offer, outcome: &Outcome) {
    let root: Element = dom::by_id("convert-offer");
    let _ = root.set_attribute(
        "data-mode",
        if outcome.yaml.is_some() {
            "converted"
        } else {
            "failed"
        },
    );
    dom::set_text(
        "convert-text",
        &convert_offer::summary(offer.format, outcome),
    );
    // A file that failed keeps its button: fix the text, convert again.
    dom::set_hidden("convert-apply", outcome.yaml.is_some());
    notes(&outcome.notes);
    dom::hide(&root, false);
}

/// Hides the box.
pub fn dismiss() {
    let root: Element = dom::by_id("convert-offer");
    let _ = root.remove_attribute("data-mode");
    dom::hide(&root, true);
}

fn notes(items: &[String]) {
    let list: Element = dom::by_id("convert-notes");
    dom::clear(&list);
    for n in items {
        let li = dom::el("li");
        super::guide::append_rich(&li, n);
        let _ = list.append_child(&li);
    }
    dom::hide(&list, items.is_empty());
}
