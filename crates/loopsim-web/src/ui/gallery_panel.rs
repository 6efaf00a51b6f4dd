//! The examples panel: every gallery scenario under its section's heading, with a search box.
//! Built once from `loopsim_view::gallery` (titles and summaries set as text, never as HTML);
//! a search only hides what does not match (`gallery::search`), so focus and order stay put.
//! The `#gallery` select in the top bar stays the quick way to pick a file.

use loopsim_web::gallery::{self, Entry};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement};

use super::dom;

/// Fills `#gallery-list` with one section per gallery section and one button per entry
/// (`data-file`), and the top bar's select with an option per entry, grouped the same way.
pub fn build(entries: &[Entry]) {
    let list: Element = dom::by_id("gallery-list");
    dom::clear(&list);
    let select: Element = dom::by_id("gallery");
    for (section, found) in gallery::search(entries, "") {
        let group = dom::el("optgroup");
        let _ = group.set_attribute("label", section.title());
        let block = dom::el("section");
        block.set_class_name("gallery-section");
        let _ = block.set_attribute("data-section", section.dir());
        let heading_id = format!("gallery-section-{}", section.dir());
        let heading = dom::el_text("h3", "", section.title());
        let _ = heading.set_attribute("id", &heading_id);
        let _ = block.append_child(&heading);
        let ul = dom::el("ul");
        let _ = ul.set_attribute("aria-labelledby", &heading_id);
        for e in found {
            let _ = ul.append_child(&item(e));
            let opt = dom::el_text("option", "", &e.name);
            let _ = opt.set_attribute("value", e.file);
            let _ = opt.set_attribute("title", &e.description);
            let _ = group.append_child(&opt);
        }
        let _ = block.append_child(&ul);
        let _ = list.append_child(&block);
        let _ = select.append_child(&group);
    }
    let empty = dom::el_text("p", "note gallery-empty", "");
    let _ = empty.set_attribute("id", "gallery-empty");
    empty.set_attribute("hidden", "").ok();
    let _ = list.append_child(&empty);
    filter(entries, "");
}

/// One entry: a button with the title, the first sentence of the description and what it
/// offers beyond the text (a guide, try suggestions).
fn item(e: &Entry) -> Element {
    let li = dom::el("li");
    let _ = li.set_attribute("data-file", e.file);
    let button = dom::el("button");
    let _ = button.set_attribute("type", "button");
    button.set_class_name("gallery-entry");
    let _ = button.set_attribute("data-file", e.file);
    let _ = button.append_child(&dom::el_text("span", "gallery-entry-title", &e.name));
    let summary = dom::el("span");
    summary.set_class_name("gallery-entry-summary");
    super::guide::append_rich(&summary, &e.summary());
    let _ = button.append_child(&summary);
    let mut extras = Vec::new();
    if !e.guide.is_empty() {
        extras.push(format!("Guided · {} steps", e.guide.len()));
    }
    if !e.try_this.is_empty() {
        extras.push(format!("{} things to try", e.try_this.len()));
    }
    if !extras.is_empty() {
        let _ = button.append_child(&dom::el_text(
            "span",
            "gallery-entry-extras",
            &extras.join(" · "),
        ));
    }
    let _ = li.append_child(&button);
    li
}

/// Shows the entries matching `query` (and their sections), says how many when searching.
pub fn filter(entries: &[Entry], query: &str) {
    let found = gallery::search(entries, query);
    let shown: Vec<&str> = found
        .iter()
        .flat_map(|(_, es)| es.iter().map(|e| e.file))
        .collect();
    let list: Element = dom::by_id("gallery-list");
    each(&list, "li[data-file]", |li| {
        let file = li.get_attribute("data-file").unwrap_or_default();
        dom::hide(li, !shown.contains(&file.as_str()));
    });
    each(&list, "section[data-section]", |block| {
        let dir = block.get_attribute("data-section").unwrap_or_default();
        dom::hide(block, !found.iter().any(|(s, _)| s.dir() == dir));
    });
    let query = query.trim();
    let empty: Element = dom::by_id("gallery-empty");
    empty.set_text_content(Some(&format!(
        "No example matches “{query}”. Try fewer words."
    )));
    dom::hide(&empty, !shown.is_empty());
    let count = if query.is_empty() {
        format!("{} examples", entries.len())
    } else {
        format!("{} of {} match", shown.len(), entries.len())
    };
    dom::set_text("gallery-count", &count);
}

/// Opens or closes the panel; opening focuses the search box, closing returns focus to the
/// button that opens it (when `refocus`).
pub fn set_open(open: bool, refocus: bool) {
    dom::set_hidden("gallery-panel", !open);
    let toggle: Element = dom::by_id("gallery-open");
    let _ = toggle.set_attribute("aria-expanded", if open { "true" } else { "false" });
    if open {
        let input: HtmlInputElement = dom::by_id("gallery-search");
        let _ = input.focus();
        input.select();
    } else if refocus {
        let _ = toggle.unchecked_into::<HtmlElement>().focus();
    }
}

/// Moves the focus `delta` entries down (or up) among the shown ones; from the search box,
/// down goes to the first, and up from the first goes back to the search box.
pub fn move_focus(delta: i32) {
    let list: Element = dom::by_id("gallery-list");
    let mut shown: Vec<Element> = Vec::new();
    each(&list, "li:not([hidden]) button[data-file]", |b| {
        if b.closest("section[hidden]").ok().flatten().is_none() {
            shown.push(b.clone());
        }
    });
    let active = dom::document().active_element();
    let at = active
        .as_ref()
        .and_then(|a| shown.iter().position(|b| b == a));
    let next = match at {
        None if delta > 0 => Some(0),
        None => None,
        Some(i) => {
            let j = i as i32 + delta;
            (j >= 0).then_some(j as usize)
        }
    };
    match next {
        Some(j) => {
            if let Some(b) = shown.get(j.min(shown.len().saturating_sub(1))) {
                let _ = b.clone().unchecked_into::<HtmlElement>().focus();
            }
        }
        None => {
            let _ = dom::by_id::<HtmlElement>("gallery-search").focus();
        }
    }
}

pub fn is_open() -> bool {
    !dom::by_id::<HtmlElement>("gallery-panel").hidden()
}

/// Marks the entry of `file` as the one in the editor.
pub fn mark_current(file: Option<&str>) {
    let list: Element = dom::by_id("gallery-list");
    each(&list, "button[data-file]", |b| {
        let hit = file.is_some() && b.get_attribute("data-file").as_deref() == file;
        if hit {
            let _ = b.set_attribute("aria-current", "true");
        } else {
            let _ = b.remove_attribute("aria-current");
        }
    });
}

fn each(root: &Element, selector: &str, mut f: impl FnMut(&Element)) {
    if let Ok(nodes) = root.query_selector_all(selector) {
        for i in 0..nodes.length() {
            if let Some(e) = nodes.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                f(&e);
            }
        }
    }
}
