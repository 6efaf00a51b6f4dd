//! Small DOM helpers. Text that comes from a scenario is only ever set with `textContent`
//! (never `innerHTML`), so it cannot inject markup.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement, Window};

pub fn window() -> Window {
    web_sys::window().expect("a window")
}

pub fn document() -> Document {
    window().document().expect("a document")
}

/// The element with `id`, as `T`. The ids are the page's own (index.html), so a missing one is
/// a bug in the page, reported loudly.
pub fn by_id<T: JsCast>(id: &str) -> T {
    document()
        .get_element_by_id(id)
        .unwrap_or_else(|| panic!("index.html has no #{id}"))
        .dyn_into::<T>()
        .unwrap_or_else(|_| panic!("#{id} has an unexpected element type"))
}

pub fn el(tag: &str) -> Element {
    // `unwrap_or_else` rather than `expect`: formatting the JS error would pull JS value
    // debugging into the page's download.
    document()
        .create_element(tag)
        .unwrap_or_else(|_| panic!("create_element"))
}

/// A new element with a class and text.
pub fn el_text(tag: &str, class: &str, text: &str) -> Element {
    let e = el(tag);
    if !class.is_empty() {
        e.set_class_name(class);
    }
    e.set_text_content(Some(text));
    e
}

pub fn set_text(id: &str, text: &str) {
    by_id::<Element>(id).set_text_content(Some(text));
}

pub fn set_hidden(id: &str, hidden: bool) {
    by_id::<HtmlElement>(id).set_hidden(hidden);
}

/// Sets or removes the `hidden` attribute of any element.
pub fn hide(e: &Element, hidden: bool) {
    let _ = e.toggle_attribute_with_force("hidden", hidden);
}

pub fn set_disabled(id: &str, disabled: bool) {
    let e: Element = by_id(id);
    if disabled {
        let _ = e.set_attribute("disabled", "");
    } else {
        let _ = e.remove_attribute("disabled");
    }
}

/// Removes every child of `e`.
pub fn clear(e: &Element) {
    e.set_text_content(None);
}

/// Adds a listener that lives as long as the page.
pub fn on(target: &web_sys::EventTarget, event: &str, f: impl FnMut(web_sys::Event) + 'static) {
    let cb = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    target
        .add_event_listener_with_callback(event, cb.as_ref().unchecked_ref())
        .unwrap_or_else(|_| panic!("add_event_listener"));
    cb.forget();
}

pub fn on_id(id: &str, event: &str, f: impl FnMut(web_sys::Event) + 'static) {
    let e: web_sys::EventTarget = by_id(id);
    on(&e, event, f);
}

/// Milliseconds from `performance.now()`.
pub fn now_ms() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}

/// Runs `f` once after `ms` milliseconds; returns the timer id.
pub fn set_timeout(ms: i32, f: impl FnOnce() + 'static) -> i32 {
    let cb = Closure::once_into_js(f);
    window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), ms)
        .unwrap_or(0)
}

pub fn clear_timeout(id: i32) {
    window().clear_timeout_with_handle(id);
}

/// A plain JS object from `(key, value)` pairs.
pub fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

/// A JS array.
pub fn arr(items: impl IntoIterator<Item = JsValue>) -> JsValue {
    items.into_iter().collect::<js_sys::Array>().into()
}

pub fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

pub fn n(v: impl Into<f64>) -> JsValue {
    JsValue::from_f64(v.into())
}

/// Parses JSON text produced by this crate into a JS value (`null` if it somehow fails).
pub fn json_to_js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap_or(JsValue::NULL)
}

pub fn console_error(msg: &str) {
    web_sys::console::error_1(&JsValue::from_str(msg));
}

/// Offers `content` as a file download (a local blob: URL; nothing leaves the page).
pub fn download(filename: &str, mime: &str, content: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(content));
    let bag = web_sys::BlobPropertyBag::new();
    bag.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &bag) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let a: web_sys::HtmlAnchorElement = el("a").unchecked_into();
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    set_timeout(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
}
