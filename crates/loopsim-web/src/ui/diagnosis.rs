//! The "What happened" list at the top of the results: the diagnosis's statements as
//! `loopsim_web::explain` words them, each as text nodes, `code` in `<code>` (never markup: they quote scenario
//! names).

use loopsim_core::report::Report;
use web_sys::Element;

use super::dom;

pub fn clear() {
    dom::clear(&dom::by_id::<Element>("diagnosis-list"));
    dom::set_hidden("diagnosis", true);
}

pub fn render(r: &Report) {
    let list: Element = dom::by_id("diagnosis-list");
    dom::clear(&list);
    let items = loopsim_web::explain::items(&r.diagnosis);
    for item in &items {
        let li = dom::el_text("li", item.class, "");
        let label = dom::el_text("span", "diag-label", item.label);
        let _ = li.append_child(&label);
        let text = dom::el_text("span", "diag-text", "");
        super::guide::append_rich(&text, &item.text);
        let _ = li.append_child(&text);
        let _ = list.append_child(&li);
    }
    dom::set_hidden("diagnosis", items.is_empty());
}
