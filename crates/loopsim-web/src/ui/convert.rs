//! The conversion offer above the editor: when the editor holds another tool's file, a line
//! saying so with a Convert button; after converting, what happened and the converter's
//! notes (until dismissed). Wording and notes come from `loopsim_web::convert_offer`.

use loopsim_web::convert_offer::{self, Offer, Outcome};
use web_sys::Element;

use super::dom;

/// Shows what the editor's text is, checked on every change: the offer for a convertible
/// file, why it cannot be converted (no button until the text changes), or nothing (hiding an
/// offer or a failure that no longer applies; a conversion's result stays until dismissed).
pub fn show_check(check: Option<(Offer, &Outcome)>) {
    let root: Element = dom::by_id("convert-offer");
    match check {
        Some((o, out)) if out.yaml.is_none() => show_outcome(o, out),
        Some((o, _)) => {
            let _ = root.set_attribute("data-mode", "offer");
            let _ = root.set_attribute("data-format", o.format.name());
            dom::set_text("convert-text", &o.headline());
            dom::set_text("convert-apply", o.action());
            dom::set_hidden("convert-apply", false);
            notes(&[]);
            dom::hide(&root, false);
        }
        None if matches!(
            root.get_attribute("data-mode").as_deref(),
            Some("offer" | "failed")
        ) =>
        {
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
    // A file that cannot be converted has no button: the box follows the text, and offers
    // it again once the converter accepts it.
    dom::set_hidden("convert-apply", true);
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
