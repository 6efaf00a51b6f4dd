//! Local storage: the editor's draft (text and seed) and the measured run speed, and the
//! `beforeunload` guard. The decisions are `loopsim_web::draft`'s; this module only talks to
//! `window.localStorage`, which may be missing or refuse writes (private mode, quota, a
//! sandboxed frame): every call degrades to "nothing stored".

use std::cell::RefCell;

use loopsim_web::draft::{self, Draft, Leave};
use loopsim_web::run_estimate::SPEED_KEY;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::dom;

thread_local! {
    /// What this page last wrote under [`draft::STORAGE_KEY`] (to tell another tab's write).
    static LAST_WRITTEN: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn storage() -> Option<web_sys::Storage> {
    dom::window().local_storage().ok().flatten()
}

fn read(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn write(key: &str, value: &str) -> bool {
    storage().is_some_and(|s| s.set_item(key, value).is_ok())
}

/// The draft saved by an earlier visit, if any.
pub fn load_draft() -> Option<Draft> {
    let stored = read(draft::STORAGE_KEY)?;
    LAST_WRITTEN.with(|w| *w.borrow_mut() = Some(stored.clone()));
    Draft::decode(&stored)
}

/// Saves `d` unless storage already holds it; returns whether storage holds it now.
pub fn save_draft(d: &Draft) -> bool {
    let encoded = d.encode();
    if read(draft::STORAGE_KEY).as_deref() == Some(encoded.as_str()) {
        return true;
    }
    let ok = write(draft::STORAGE_KEY, &encoded);
    if ok {
        LAST_WRITTEN.with(|w| *w.borrow_mut() = Some(encoded));
    }
    ok
}

/// The events per second measured on earlier runs in this browser.
pub fn load_speed() -> Option<f64> {
    read(SPEED_KEY)
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v > 0.0)
}

pub fn save_speed(events_per_sec: f64) {
    write(SPEED_KEY, &format!("{events_per_sec:.0}"));
}

/// Installs the `beforeunload` guard: `current()` gives the page's draft and whether it can be
/// had back without storage (an unchanged example or link), `None` when the page is busy.
pub fn guard_leaving(current: impl Fn() -> Option<(Draft, bool)> + 'static) {
    let handler = Closure::<dyn FnMut(web_sys::BeforeUnloadEvent)>::new(
        move |e: web_sys::BeforeUnloadEvent| {
            let Some((d, recoverable)) = current() else {
                return;
            };
            let stored = read(draft::STORAGE_KEY);
            let last = LAST_WRITTEN.with(|w| w.borrow().clone());
            let ask = match draft::on_leave(&d, stored.as_deref(), last.as_deref(), recoverable) {
                Leave::Go => false,
                Leave::SaveAndGo => !save_draft(&d),
                Leave::Ask => true,
            };
            if ask {
                // Both, for every browser: the standard call and the legacy return value.
                e.prevent_default();
                e.set_return_value("");
            }
        },
    );
    let _ = dom::window()
        .add_event_listener_with_callback("beforeunload", handler.as_ref().unchecked_ref());
    handler.forget();
}
