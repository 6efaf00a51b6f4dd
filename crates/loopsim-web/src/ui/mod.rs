//! The page: state, wiring of the controls, the time-budgeted run loop, share links and the
//! `window.loopsim` automation hook.
//!
//! The simulation runs on the page's own thread in slices: each animation frame does at most
//! [`FRAME_BUDGET_MS`] of simulation work (measured with `performance.now()`), then plots the
//! new rows and yields, so the page never freezes and Pause takes effect at the next frame.
//!
//! State lives in one `App` behind a thread-local `RefCell`. JS callbacks that can fire while
//! the app is borrowed (the editor's change hook fires synchronously when we replace its text)
//! touch only their own cells, never the app.

mod capacity;
mod charts;
mod convert;
mod diagnosis;
mod dom;
mod gallery_panel;
mod glue;
mod guide;
mod health;
mod help;
mod persist;
mod replicas;
mod tables;
mod to_js;
mod topology;

use std::cell::{Cell, RefCell};

use js_sys::{Function, Object, Promise, Reflect};
use loopsim_core::estimate::{estimate, RunEstimate};
use loopsim_core::scenario::guide::GuideStep;
use loopsim_wasm::{DiagnosticOut, Session, SnapshotOut};
use loopsim_web::convert_offer;
use loopsim_web::draft::{self, Draft, Label};
use loopsim_web::panels::{self, Panels};
use loopsim_web::run_estimate;
use loopsim_web::schema_help::SchemaHelp;
use loopsim_web::{format, gallery, share, stop, text};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlProgressElement, HtmlSelectElement};

/// Most simulation work per animation frame, in milliseconds (a frame is ~16.7 ms at 60 Hz).
const FRAME_BUDGET_MS: f64 = 12.0;
/// Validation runs this long after the last keystroke.
const VALIDATE_DEBOUNCE_MS: i32 = 300;
/// Target duration of one engine call, so the budget check runs often enough.
const TARGET_CALL_MS: f64 = 2.0;
/// Charts redraw at most this often while a run goes on (redrawing five canvases every frame
/// would cost more than the simulation itself), and less often when drawing is slow (software
/// rendering, huge series): drawing gets at most a tenth of the wall time. They always redraw
/// when a run stops.
const CHART_REFRESH_MS: f64 = 100.0;
const CHART_REFRESH_MAX_MS: f64 = 1000.0;
/// The value of the Example box's option shown once the text matches no example.
const CUSTOM_OPTION: &str = "(custom)";

/// Who asks for a run: the Run button (which asks before a long run), its "Run anyway"
/// confirmation, or `window.loopsim.run()` (never asks: scripts must not block).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Start {
    Ui,
    Confirmed,
    Automation,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// No run, or the run was reset.
    Idle,
    Running,
    Paused,
    Finished,
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Mode::Idle => "idle",
            Mode::Running => "running",
            Mode::Paused => "paused",
            Mode::Finished => "finished",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Speed {
    /// Simulated seconds per wall-clock second.
    Times(f64),
    /// As fast as the frame budget allows.
    Max,
}

struct RunState {
    session: Session,
    /// The text and seed the run was built from (Run resumes only if they are unchanged).
    yaml: String,
    seed: Option<u64>,
    sample_every_s: f64,
    /// Wall-clock time spent simulating.
    busy_ms: f64,
    /// Wall-clock time between the frames that ran as fast as possible, and the events they
    /// processed: this browser's real speed, drawing and frame gaps included (the run
    /// estimate's unit).
    max_wall_ms: f64,
    max_events: u64,
}

struct App {
    editor: JsValue,
    gallery: Vec<gallery::Entry>,
    charts: charts::Charts,
    run: Option<RunState>,
    mode: Mode,
    /// Started by `window.loopsim.run()`: full speed whatever the speed control says.
    automation: bool,
    last_frame: Option<f64>,
    /// Simulated seconds still to do at a real-time speed.
    owed_sim_s: f64,
    /// Events per engine call, adapted to take about [`TARGET_CALL_MS`].
    chunk: u64,
    /// `window.loopsim.run()` promises waiting for the end of the run: (resolve, reject).
    waiters: Vec<(Function, Function)>,
    last_report_json: Option<String>,
    /// Columns and panels the charts were built for.
    chart_key: Option<ChartKey>,
    /// When the charts were last given new rows (`performance.now()`).
    last_chart_feed: f64,
    /// Current interval between chart redraws during a run.
    chart_refresh_ms: f64,
    topology: topology::Topology,
    /// The text of the share link the page opened (the Example box says "Shared" while the
    /// editor holds it unchanged).
    shared: Option<String>,
    /// The run estimate of the last valid text checked.
    estimate: Option<RunEstimate>,
    /// Engine events per second measured on earlier runs in this browser.
    events_per_sec: Option<f64>,
    /// The scenario's guided walkthrough and the step shown (`None`: it has none).
    walkthrough: Option<guide::Walkthrough>,
    /// Replications `1..n` of the current run in Web Workers (`None`: a single replication).
    replicas: Option<replicas::Pool>,
    /// What became of the last replicated run, for the page and `window.loopsim`.
    replicated: Replicated,
    /// The sweep's capacity charts.
    capacity: capacity::CapacityCharts,
}

/// The outcome of the last replicated run.
#[derive(Default)]
struct Replicated {
    /// `none`, `running`, `done`, `cancelled` or `failed`.
    state: &'static str,
    n: u32,
    done: u32,
    /// Every figure's interval once all replications are in.
    summary: Option<loopsim_core::replication::Summary>,
    message: String,
    /// A sweep (`n`, `done`: points) rather than replications.
    sweep: bool,
    /// The sweep points drawn on the capacity chart, and its curves as drawn.
    drawn_points: usize,
    capacity: Option<loopsim_core::sweep::Capacity>,
}

/// What the charts were built for: the series columns and the extra panels.
type ChartKey = (Vec<String>, Panels);

/// The animation-frame callback, created once.
type FrameCallback = Closure<dyn FnMut(f64)>;

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
    static HELP: RefCell<Option<SchemaHelp>> = const { RefCell::new(None) };
    static VALIDATE_TIMER: Cell<Option<i32>> = const { Cell::new(None) };
    static FRAME_PENDING: Cell<bool> = const { Cell::new(false) };
    static FRAME_CB: RefCell<Option<FrameCallback>> = const { RefCell::new(None) };
    static MESSAGE_SEQ: Cell<u32> = const { Cell::new(0) };
    /// The share-link payload of the last validated text: `(text, payload)`.
    static SHARE_CACHE: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

/// Runs `f` on the app; `None` (and a console error) on a re-entrant call.
fn with_app<R>(f: impl FnOnce(&mut App) -> R) -> Option<R> {
    APP.with(|a| match a.try_borrow_mut() {
        Ok(mut guard) => guard.as_mut().map(f),
        Err(_) => {
            dom::console_error("loopsim: re-entrant UI call ignored");
            None
        }
    })
}

// ----- start-up ------------------------------------------------------------------------------

pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let msg = format!("loopsim crashed: {info}");
        dom::console_error(&msg);
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if let Some(e) = doc.get_element_by_id("message-text") {
                e.set_text_content(Some(
                    "Something went wrong inside the playground. Reload the page to continue.",
                ));
            }
            if let Some(e) = doc.get_element_by_id("message") {
                let _ = e.remove_attribute("hidden");
            }
        }
    }));

    let entries = gallery::entries();
    gallery_panel::build(&entries);
    // A share link in the URL wins over the default example; its payload is inflated by the
    // browser (asynchronously, a few milliseconds), so the page is set up once it is known.
    let hash = dom::window().location().hash().unwrap_or_default();
    if share::is_share_fragment(&hash) {
        match share::link(&hash).map(|l| (l.payload.to_string(), l.seed, l.step)) {
            Ok((payload, seed, step)) => wasm_bindgen_futures::spawn_local(async move {
                let opened = decode_link(&payload).await.map(|yaml| (yaml, seed, step));
                init(entries, Some(opened));
            }),
            Err(e) => init(entries, Some(Err(e))),
        }
    } else {
        init(entries, None);
    }
}

/// A share link as opened: the scenario's text, the seed to run it with and the guide step
/// to open.
type Opened = Result<(String, Option<u64>, Option<u32>), share::ShareError>;

/// Sets the page up with the shared scenario of `link` (run at once), else the draft kept from
/// the last visit, else the default example (with a message when the link could not be opened).
fn init(entries: Vec<gallery::Entry>, link: Option<Opened>) {
    let default = Draft {
        text: entries[gallery::default_index()].yaml.to_string(),
        seed: String::new(),
    };
    let step = match &link {
        Some(Ok((_, _, step))) => *step,
        _ => None,
    };
    let First {
        draft: initial,
        shared,
        link_error,
        restored,
    } = first_draft(default, link);
    let autorun = shared.is_some();
    dom::by_id::<HtmlInputElement>("seed").set_value(&initial.seed);
    let initial = initial.text;

    HELP.with(|h| *h.borrow_mut() = SchemaHelp::new(loopsim_wasm::schema()));
    let editor = glue::create_editor(&dom::by_id("editor"), &initial, &editor_hooks());
    build_kpis();
    help::install();

    APP.with(|a| {
        *a.borrow_mut() = Some(App {
            editor,
            gallery: entries,
            charts: charts::Charts::default(),
            run: None,
            mode: Mode::Idle,
            automation: false,
            last_frame: None,
            owed_sim_s: 0.0,
            chunk: 1_000,
            waiters: Vec::new(),
            last_report_json: None,
            chart_key: None,
            last_chart_feed: 0.0,
            chart_refresh_ms: CHART_REFRESH_MS,
            topology: topology::Topology::default(),
            shared,
            estimate: None,
            events_per_sec: persist::load_speed(),
            walkthrough: None,
            replicas: None,
            replicated: Replicated::default(),
            capacity: capacity::CapacityCharts::default(),
        })
    });
    with_app(|app| {
        if let Some(step) = step {
            app.open_at_step(step);
        }
        app.validate();
        app.preview_charts();
        app.sync_controls();
    });
    wire_controls();
    install_automation_hook();
    persist::guard_leaving(|| with_app(|app| (app.draft(), app.recoverable())));

    if restored {
        show_message(
            "Your scenario from your last visit is back. Pick an example to start afresh.",
            true,
        );
    }
    if let Some(e) = link_error {
        show_message(
            &format!("{e} The default example is loaded instead."),
            false,
        );
    }
    if autorun {
        start_from_ui();
    }
}

/// What the page opens with.
struct First {
    draft: Draft,
    /// The text of the share link opened, if one was.
    shared: Option<String>,
    link_error: Option<share::ShareError>,
    /// The draft of an earlier visit came back.
    restored: bool,
}

/// The link wins; without one, the draft kept from the last visit; else the default example.
fn first_draft(default: Draft, link: Option<Opened>) -> First {
    let first = |draft, shared, link_error, restored| First {
        draft,
        shared,
        link_error,
        restored,
    };
    match link {
        Some(Ok((text, seed, _))) => {
            let seed = seed.map(|s| s.to_string()).unwrap_or_default();
            let shared = Some(text.clone());
            first(Draft { text, seed }, shared, None, false)
        }
        Some(Err(e)) => first(default, None, Some(e), false),
        None => match persist::load_draft() {
            Some(d) => {
                let restored = d != default;
                first(d, None, None, restored)
            }
            None => first(default, None, None, false),
        },
    }
}

/// Inflates a share-link payload (checked by [`share::payload`]) in the browser.
async fn decode_link(payload: &str) -> Result<String, share::ShareError> {
    let limit = share::MAX_SCENARIO_BYTES as f64;
    match wasm_bindgen_futures::JsFuture::from(glue::share_decode(payload, limit)).await {
        Ok(text) => text.as_string().ok_or(share::ShareError::Corrupt),
        Err(kind) => Err(share::ShareError::from_kind(
            &kind.as_string().unwrap_or_default(),
        )),
    }
}

/// The share-link payload of `text`, compressed by the browser (`None` if it cannot).
async fn encode_link(text: &str) -> Option<String> {
    wasm_bindgen_futures::JsFuture::from(glue::share_encode(text))
        .await
        .ok()
        .and_then(|p| p.as_string())
}

/// Compresses `text` for the Share button ahead of time (after each validation), so that a
/// click can copy the link at once, within the click (some browsers allow clipboard writes
/// only there).
fn prepare_share_link(text: String) {
    if SHARE_CACHE.with(|c| matches!(&*c.borrow(), Some((t, _)) if *t == text)) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(payload) = encode_link(&text).await {
            SHARE_CACHE.with(|c| *c.borrow_mut() = Some((text, payload)));
        }
    });
}

/// Shows `label` in the Example box: the example's own option, or an extra first option
/// ("Shared scenario", "Custom") that exists only while it applies, so the list otherwise
/// holds exactly the examples.
fn show_example_label(label: Label) {
    let select: HtmlSelectElement = dom::by_id("gallery");
    let extra = |value: &str, text: &str| {
        let found = select
            .query_selector(&format!("option[value='{value}']"))
            .ok()
            .flatten();
        if found.is_none() {
            let opt = dom::el_text("option", "", text);
            let _ = opt.set_attribute("value", value);
            let _ = select.insert_before(&opt, select.first_child().as_ref());
        }
    };
    let drop = |value: &str| {
        if let Ok(Some(o)) = select.query_selector(&format!("option[value='{value}']")) {
            o.remove();
        }
    };
    let value = match label {
        Label::Example(file) => {
            drop(CUSTOM_OPTION);
            drop("");
            file
        }
        Label::Shared => {
            drop(CUSTOM_OPTION);
            extra("", "Shared scenario (from the link)");
            ""
        }
        Label::Custom => {
            drop("");
            extra(CUSTOM_OPTION, "Custom");
            CUSTOM_OPTION
        }
    };
    if select.value() != value {
        select.set_value(value);
    }
}

fn editor_hooks() -> JsValue {
    let hooks = Object::new();
    let on_change = Closure::<dyn FnMut()>::new(schedule_validate);
    let complete = Closure::<dyn FnMut(String, u32, bool) -> JsValue>::new(
        |doc: String, pos: u32, explicit: bool| {
            HELP.with(|h| {
                let h = h.borrow();
                let Some(help) = h.as_ref() else {
                    return JsValue::NULL;
                };
                let byte = text::utf16_to_byte(&doc, pos as usize);
                match help.complete(&doc, byte) {
                    // While typing, a list opens only once a word is started (Ctrl+Space: always).
                    Some(c) if !explicit && c.from == byte => JsValue::NULL,
                    Some(c) => {
                        let options = c.options.iter().map(|o| {
                            dom::obj(&[
                                ("label", dom::s(&o.label)),
                                ("type", dom::s(o.kind)),
                                ("detail", dom::s(&o.detail)),
                                ("info", dom::s(&o.info)),
                                ("apply", dom::s(&o.apply)),
                            ])
                        });
                        dom::obj(&[
                            ("from", dom::n(text::byte_to_utf16(&doc, c.from) as f64)),
                            ("options", dom::arr(options)),
                        ])
                    }
                    None => JsValue::NULL,
                }
            })
        },
    );
    let hover = Closure::<dyn FnMut(String, u32) -> JsValue>::new(|doc: String, pos: u32| {
        HELP.with(|h| {
            let h = h.borrow();
            let Some(help) = h.as_ref() else {
                return JsValue::NULL;
            };
            let byte = text::utf16_to_byte(&doc, pos as usize);
            match help.hover(&doc, byte) {
                Some(hv) => dom::obj(&[
                    ("from", dom::n(text::byte_to_utf16(&doc, hv.from) as f64)),
                    ("to", dom::n(text::byte_to_utf16(&doc, hv.to) as f64)),
                    ("text", dom::s(&hv.text)),
                ]),
                None => JsValue::NULL,
            }
        })
    });
    let _ = Reflect::set(&hooks, &"onChange".into(), on_change.as_ref());
    let _ = Reflect::set(&hooks, &"complete".into(), complete.as_ref());
    let _ = Reflect::set(&hooks, &"hover".into(), hover.as_ref());
    on_change.forget();
    complete.forget();
    hover.forget();
    hooks.into()
}

const KPIS: [(&str, &str); 7] = [
    ("kpi-time", "Simulated"),
    ("kpi-events", "Events"),
    ("kpi-sent", "Sent"),
    ("kpi-ok", "Completed"),
    ("kpi-failed", "Failed"),
    ("kpi-inflight", "In flight"),
    ("kpi-p99", "p99 now"),
];

fn build_kpis() {
    let root: Element = dom::by_id("kpis");
    for (id, label) in KPIS {
        let card = dom::el("div");
        card.set_class_name("kpi");
        let _ = card.set_attribute("id", id);
        let help = match id {
            "kpi-p99" => Some(String::from("p99 latency of the last interval, failed requests included at their time to failure (a timeout at its timeout)")),
            // The live counters start at time 0; the results count after the warm-up.
            "kpi-sent" | "kpi-ok" | "kpi-failed" => Some(format!(
                "{} Counted from time 0, warm-up included; the results below count the requests sent after the warm-up.",
                loopsim_web::glossary::help(label).unwrap_or("").replace('`', "")
            ).trim_start().to_string()),
            _ => None,
        };
        if let Some(help) = help {
            let _ = card.set_attribute("title", &help);
        }
        let _ = card.append_child(&dom::el_text("div", "label", label));
        let _ = card.append_child(&dom::el_text("div", "value", "–"));
        let _ = root.append_child(&card);
    }
}

/// The caption under the live counters of a scenario with a warm-up.
fn warmup_note(warmup_s: f64) -> String {
    let warmup = if warmup_s.fract() == 0.0 && warmup_s < 600.0 {
        format!("{warmup_s:.0} s")
    } else {
        format::secs(Some(warmup_s))
    };
    format!(
        "Live counters: the whole run, the first {warmup} of warm-up included. The results below leave the warm-up out."
    )
}

fn set_kpi(id: &str, value: &str, bad: bool) {
    let card: Element = dom::by_id(id);
    if let Ok(Some(v)) = card.query_selector(".value") {
        v.set_text_content(Some(value));
    }
    let _ = card.class_list().toggle_with_force("bad", bad);
}

// ----- controls ------------------------------------------------------------------------------

fn wire_controls() {
    dom::on_id("run", "click", |_| start_from_ui());
    dom::on_id("run-confirm-yes", "click", |_| {
        dom::set_hidden("run-confirm", true);
        if let Some(Err(msg)) = with_app(|app| app.run(Start::Confirmed)) {
            show_message(&msg, false);
        }
    });
    dom::on_id("run-confirm-no", "click", |_| {
        dom::set_hidden("run-confirm", true);
        dom::by_id::<web_sys::HtmlElement>("run").focus().ok();
    });
    dom::on_id("seed", "input", |_| {
        with_app(App::keep_draft);
    });
    dom::on_id("pause", "click", |_| {
        with_app(App::pause);
    });
    dom::on_id("step", "click", |_| {
        let done = with_app(App::step).flatten();
        if let Some(w) = done {
            settle(w);
        }
    });
    dom::on_id("replications-cancel", "click", |_| {
        with_app(|app| app.cancel_replicas("cancelled"));
    });
    dom::on_id("reset", "click", |_| {
        if let Some(w) = with_app(App::reset) {
            reject_all(w, "the run was reset");
        }
    });
    dom::on_id("speed", "change", |_| {
        with_app(|app| {
            app.last_frame = None;
            app.owed_sim_s = 0.0;
            app.show_estimate();
        });
    });
    dom::on_id("gallery", "change", |_| {
        let select: HtmlSelectElement = dom::by_id("gallery");
        let file = select.value();
        if let Some(w) = with_app(|app| app.load_gallery(&file)).flatten() {
            reject_all(w, "another scenario was loaded");
        }
    });
    dom::on_id("share", "click", |_| share_link());
    wire_gallery_panel();
    wire_guide();
    dom::on_id("convert-apply", "click", |_| {
        with_app(App::convert_foreign);
    });
    dom::on_id("convert-close", "click", |_| convert::dismiss());
    dom::on_id("service-select", "change", |_| {
        with_app(App::select_service);
    });
    dom::on_id("share-link", "focus", |e| {
        if let Some(input) = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        {
            input.select();
        }
    });
    dom::on_id("message-close", "click", |_| {
        dom::set_hidden("message", true)
    });
    dom::on_id("export-json", "click", |_| {
        with_app(|app| {
            if let Some(json) = &app.last_report_json {
                dom::download(
                    &format!("{}-report.json", app.slug()),
                    "application/json",
                    json,
                );
            }
        });
    });
    dom::on_id("export-csv", "click", |_| {
        with_app(|app| {
            if let Some(run) = &app.run {
                dom::download(
                    &format!("{}-series.csv", app.slug()),
                    "text/csv",
                    &run.session.series_csv(),
                );
            }
        });
    });
    dom::on_id("problems", "click", |e| {
        let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
        if let Some(button) = target
            .as_ref()
            .and_then(|el| el.closest("button[data-fix-text]").ok().flatten())
        {
            let attr = |name: &str| button.get_attribute(name).unwrap_or_default();
            let offset = |name: &str| attr(name).parse::<u32>().unwrap_or(0);
            let fix = fix_js(&loopsim_wasm::FixOut {
                from: offset("data-fix-from"),
                to: offset("data-fix-to"),
                text: attr("data-fix-text"),
                replaces: attr("data-fix-replaces"),
            });
            let applied = with_app(|app| glue::apply_fix(&app.editor, &fix)).unwrap_or(false);
            if !applied {
                show_message("The text there has changed since it was checked.", true);
            }
            return;
        }
        let li = target.and_then(|el| el.closest("li[data-from]").ok().flatten());
        if let Some(pos) = li
            .and_then(|li| li.get_attribute("data-from"))
            .and_then(|s| s.parse::<u32>().ok())
        {
            with_app(|app| glue::reveal_pos(&app.editor, pos));
        }
    });
    // Ctrl/Cmd+Enter runs from anywhere, the editor included (capture phase, before CodeMirror).
    let keydown = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(|e: web_sys::KeyboardEvent| {
        if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
            e.prevent_default();
            e.stop_propagation();
            start_from_ui();
        }
    });
    let _ = dom::document().add_event_listener_with_callback_and_bool(
        "keydown",
        keydown.as_ref().unchecked_ref(),
        true,
    );
    keydown.forget();
    let window: web_sys::EventTarget = dom::window().into();
    dom::on(&window, "hashchange", |_| open_link_from_hash());
}

/// The examples panel: open/close, search, pick.
fn wire_gallery_panel() {
    let search = || {
        let q = dom::by_id::<HtmlInputElement>("gallery-search").value();
        with_app(|app| gallery_panel::filter(&app.gallery, &q));
    };
    dom::on_id("gallery-open", "click", move |_| {
        // The box may have been cleared without an input event (Escape in a search field).
        search();
        gallery_panel::set_open(!gallery_panel::is_open(), false);
    });
    dom::on_id("gallery-close", "click", |_| {
        gallery_panel::set_open(false, true)
    });
    dom::on_id("gallery-search", "input", move |_| search());
    dom::on_id("gallery-search", "search", move |_| search());
    dom::on_id("gallery-search", "keydown", |e| {
        let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
            return;
        };
        if k.key() == "Enter" {
            // Enter picks the first match.
            if let Ok(Some(b)) =
                dom::document().query_selector("#gallery-list li:not([hidden]) button[data-file]")
            {
                if let Some(file) = b.get_attribute("data-file") {
                    e.prevent_default();
                    pick_example(&file);
                }
            }
        }
    });
    dom::on_id("gallery-panel", "keydown", |e| {
        let key = e
            .dyn_ref::<web_sys::KeyboardEvent>()
            .map(|k| k.key())
            .unwrap_or_default();
        match key.as_str() {
            "Escape" => gallery_panel::set_open(false, true),
            "ArrowDown" | "ArrowUp" => {
                e.prevent_default();
                gallery_panel::move_focus(if key == "ArrowDown" { 1 } else { -1 });
            }
            _ => {}
        }
    });
    dom::on_id("gallery-list", "click", |e| {
        let button = e
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|el| el.closest("button[data-file]").ok().flatten());
        if let Some(file) = button.and_then(|b| b.get_attribute("data-file")) {
            pick_example(&file);
        }
    });
    // A click elsewhere closes the panel (it floats over the page).
    let doc: web_sys::EventTarget = dom::document().into();
    dom::on(&doc, "click", |e| {
        if !gallery_panel::is_open() {
            return;
        }
        let inside = e
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|el| el.closest("#gallery-panel, #gallery-open").ok().flatten())
            .is_some();
        if !inside {
            gallery_panel::set_open(false, false);
        }
    });
}

/// Loads the example `file` from the panel and closes it.
fn pick_example(file: &str) {
    gallery_panel::set_open(false, true);
    if let Some(w) = with_app(|app| app.load_gallery(file)).flatten() {
        reject_all(w, "another scenario was loaded");
    }
}

/// The guide panel's buttons.
fn wire_guide() {
    dom::on_id("guide-back", "click", |_| {
        with_app(|app| app.guide_move(-1));
    });
    dom::on_id("guide-next", "click", |_| {
        with_app(|app| app.guide_move(1));
    });
    dom::on_id("guide-apply", "click", |_| {
        with_app(App::guide_apply);
    });
    dom::on_id("guide-show", "click", |_| {
        let step =
            with_app(|app| app.walkthrough.as_ref().and_then(|w| w.step().cloned())).flatten();
        // The service's charts: select it first (outside the app: the selector's change
        // handler uses it).
        if let Some(step) = &step {
            if step.chart.as_deref() == Some("service") {
                if let Some(node) = &step.node {
                    let select: HtmlSelectElement = dom::by_id("service-select");
                    select.set_value(node);
                    with_app(App::select_service);
                }
            }
        }
        if let Some(target) = with_app(|app| app.point_guide()).flatten() {
            guide::reveal(&target);
        }
    });
}

/// Whether two walkthroughs say the same (their changes' source spans aside).
fn same_steps(a: &[GuideStep], b: &[GuideStep]) -> bool {
    let key = |s: &GuideStep| {
        (
            s.text.clone(),
            s.change
                .as_ref()
                .map(|c| (c.replace.clone(), c.with.clone())),
            s.chart.clone(),
            s.node.clone(),
        )
    };
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| key(x) == key(y))
}

/// The Run button (and Ctrl+Enter): resume a paused run of the same text, else start anew.
fn start_from_ui() {
    let result = with_app(|app| app.run(Start::Ui));
    if let Some(Err(msg)) = result {
        show_message(&msg, false);
    }
}

fn open_link_from_hash() {
    let hash = dom::window().location().hash().unwrap_or_default();
    if !share::is_share_fragment(&hash) {
        return;
    }
    let (payload, seed, step) = match share::link(&hash) {
        Ok(l) => (l.payload.to_string(), l.seed, l.step),
        Err(e) => {
            show_message(&format!("{e} The scenario in the editor was kept."), false);
            return;
        }
    };
    wasm_bindgen_futures::spawn_local(async move {
        match decode_link(&payload).await {
            Ok(yaml) => {
                let waiters = with_app(|app| {
                    let w = app.reset();
                    let seed = seed.map(|s| s.to_string()).unwrap_or_default();
                    dom::by_id::<HtmlInputElement>("seed").set_value(&seed);
                    app.shared = Some(yaml.clone());
                    glue::set_text(&app.editor, &yaml);
                    app.walkthrough = None;
                    guide::status("");
                    if let Some(step) = step {
                        app.open_at_step(step);
                    }
                    app.validate();
                    app.preview_charts();
                    w
                });
                if let Some(w) = waiters {
                    reject_all(w, "a shared scenario was opened");
                }
                dom::set_hidden("message", true);
                start_from_ui();
            }
            Err(e) => show_message(&format!("{e} The scenario in the editor was kept."), false),
        }
    });
}

fn share_link() {
    let Some(yaml) = with_app(|app| glue::get_text(&app.editor)) else {
        return;
    };
    let cached = SHARE_CACHE.with(|c| match &*c.borrow() {
        Some((text, payload)) if *text == yaml => Some(payload.clone()),
        _ => None,
    });
    match cached {
        Some(payload) => publish_link(&payload),
        // Clicked within moments of an edit: compress now.
        None => wasm_bindgen_futures::spawn_local(async move {
            match encode_link(&yaml).await {
                Some(payload) => publish_link(&payload),
                None => show_message(
                    "This browser cannot make share links (it lacks CompressionStream).",
                    false,
                ),
            }
        }),
    }
}

/// Shows the link with `payload` (and the Seed field's seed) beside the Share button and copies
/// it to the clipboard.
fn publish_link(payload: &str) {
    let seed = read_seed().ok().flatten();
    let step = with_app(|app| app.walkthrough.as_ref().map(|w| w.at as u32 + 1)).flatten();
    let fragment = share::fragment_with(payload, seed, step);
    let href = dom::window().location().href().unwrap_or_default();
    let base = href.split('#').next().unwrap_or("");
    let url = format!("{base}#{fragment}");
    let input: HtmlInputElement = dom::by_id("share-link");
    input.set_value(&url);
    input.set_hidden(false);
    input.select();
    // navigator.clipboard only exists in secure contexts (https, localhost).
    let navigator = dom::window().navigator();
    let promise = Reflect::get(&navigator, &"clipboard".into())
        .ok()
        .filter(|c| !c.is_undefined() && !c.is_null())
        .map(|_| navigator.clipboard().write_text(&url));
    let long = url.len() > 32_000;
    wasm_bindgen_futures::spawn_local(async move {
        let copied = match promise {
            Some(p) => wasm_bindgen_futures::JsFuture::from(p).await.is_ok(),
            None => false,
        };
        let mut msg = if copied {
            String::from("Link copied to the clipboard. Anyone who opens it sees this scenario and its results.")
        } else {
            String::from("Copy the link from the field next to the Share button.")
        };
        if long {
            msg.push_str(" It is long: some chat tools cut long links.");
        }
        if let Some(seed) = seed {
            msg.push_str(&format!(" It runs with seed {seed}, as here."));
        }
        if let Some(step) = step {
            msg.push_str(&format!(" It opens at step {step} of the guide."));
        }
        show_message(&msg, true);
    });
}

/// Shows a message banner; `info` ones hide themselves after a few seconds.
fn show_message(text: &str, info: bool) {
    let seq = MESSAGE_SEQ.with(|s| {
        s.set(s.get().wrapping_add(1));
        s.get()
    });
    dom::set_text("message-text", text);
    let banner: Element = dom::by_id("message");
    let _ = banner.class_list().toggle_with_force("info", info);
    dom::set_hidden("message", false);
    if info {
        dom::set_timeout(6000, move || {
            if MESSAGE_SEQ.with(Cell::get) == seq {
                dom::set_hidden("message", true);
            }
        });
    }
}

// ----- validation ----------------------------------------------------------------------------

/// Called by the editor on every change: validates once typing pauses.
fn schedule_validate() {
    if let Some(t) = VALIDATE_TIMER.with(|c| c.take()) {
        dom::clear_timeout(t);
    }
    let id = dom::set_timeout(VALIDATE_DEBOUNCE_MS, || {
        VALIDATE_TIMER.with(|c| c.set(None));
        with_app(App::validate);
    });
    VALIDATE_TIMER.with(|c| c.set(Some(id)));
}

/// Marks the topology and charts as not the editor's scenario (`data-stale` on the page).
/// `why`: the note above the diagram (`None`: up to date).
fn show_stale(why: Option<&str>) {
    let root = dom::document().document_element().expect("html");
    match why {
        Some(why) => {
            let _ = root.set_attribute("data-stale", "");
            dom::set_text("topology-stale", why);
        }
        None => {
            let _ = root.remove_attribute("data-stale");
        }
    }
    dom::set_hidden("topology-stale", why.is_none());
}

fn render_problems(diags: &[DiagnosticOut]) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let summary: Element = dom::by_id("problems-summary");
    let text = match (errors, warnings) {
        (0, 0) => String::from("✓ No problems"),
        (e, w) => {
            let mut parts = Vec::new();
            if e > 0 {
                parts.push(format!("{e} error{}", if e == 1 { "" } else { "s" }));
            }
            if w > 0 {
                parts.push(format!("{w} warning{}", if w == 1 { "" } else { "s" }));
            }
            parts.join(", ")
        }
    };
    summary.set_text_content(Some(&text));
    summary.set_class_name(if errors > 0 {
        "problems-summary has-errors"
    } else if warnings == 0 {
        "problems-summary ok"
    } else {
        "problems-summary"
    });
    let list: Element = dom::by_id("problems");
    dom::clear(&list);
    for d in diags.iter().take(50) {
        let li = dom::el("li");
        li.set_class_name(d.severity);
        let _ = li.set_attribute("data-from", &d.from.to_string());
        let _ = li.set_attribute("title", "Show in the editor");
        let _ = li.append_child(&dom::el_text(
            "span",
            "loc",
            &format!("{}:{}", d.line, d.column),
        ));
        let _ = li.append_child(&dom::document().create_text_node(&d.message));
        if let Some(h) = &d.hint {
            let hint = dom::el_text("span", "hint", h);
            if let Some(fix) = &d.fix {
                let _ = hint.append_child(&fix_button(fix));
            }
            let _ = li.append_child(&hint);
        }
        let _ = list.append_child(&li);
    }
}

/// "Change to payments": applies a did-you-mean's fix (its data in `data-fix-*`).
fn fix_button(fix: &loopsim_wasm::FixOut) -> Element {
    let button = dom::el_text("button", "fix-button", &format!("Change to {}", fix.text));
    let _ = button.set_attribute("type", "button");
    let _ = button.set_attribute(
        "title",
        &format!("Replace “{}” with “{}”", fix.replaces, fix.text),
    );
    for (name, value) in [
        ("data-fix-from", fix.from.to_string()),
        ("data-fix-to", fix.to.to_string()),
        ("data-fix-text", fix.text.clone()),
        ("data-fix-replaces", fix.replaces.clone()),
    ] {
        let _ = button.set_attribute(name, &value);
    }
    button
}

fn fix_js(fix: &loopsim_wasm::FixOut) -> JsValue {
    dom::obj(&[
        ("from", dom::n(fix.from)),
        ("to", dom::n(fix.to)),
        ("text", dom::s(&fix.text)),
        ("replaces", dom::s(&fix.replaces)),
    ])
}

// ----- the run loop --------------------------------------------------------------------------

fn schedule_frame() {
    if FRAME_PENDING.with(Cell::get) {
        return;
    }
    FRAME_PENDING.with(|c| c.set(true));
    FRAME_CB.with(|cb| {
        let mut cb = cb.borrow_mut();
        let f = cb.get_or_insert_with(|| Closure::new(on_frame));
        let func: &Function = f.as_ref().unchecked_ref();
        let window = dom::window();
        // Hidden tabs get no animation frames: keep going on timers there.
        let scheduled = if dom::document().hidden() {
            window
                .set_timeout_with_callback_and_timeout_and_arguments_1(
                    func,
                    0,
                    &JsValue::from(dom::now_ms()),
                )
                .is_ok()
        } else {
            window.request_animation_frame(func).is_ok()
        };
        if !scheduled {
            FRAME_PENDING.with(|c| c.set(false));
        }
    });
}

fn on_frame(ts: f64) {
    FRAME_PENDING.with(|c| c.set(false));
    let Some(out) = with_app(|app| app.tick(ts)) else {
        return;
    };
    if out.again {
        schedule_frame();
    }
    if let Some(w) = out.finished {
        settle(w);
    }
}

/// Waiters to resolve with a report (JSON text).
struct Finished {
    waiters: Vec<(Function, Function)>,
    report_json: String,
}

fn settle(f: Finished) {
    for (resolve, _) in f.waiters {
        let _ = resolve.call1(&JsValue::NULL, &dom::json_to_js(&f.report_json));
    }
}

fn reject_all(waiters: Vec<(Function, Function)>, why: &str) {
    for (_, reject) in waiters {
        let _ = reject.call1(
            &JsValue::NULL,
            &js_sys::Error::new(&format!("loopsim: {why}")),
        );
    }
}

#[derive(Default)]
struct TickOut {
    again: bool,
    finished: Option<Finished>,
}

fn read_speed() -> Speed {
    let select: HtmlSelectElement = dom::by_id("speed");
    match select.value().parse::<f64>() {
        Ok(k) if k > 0.0 => Speed::Times(k),
        _ => Speed::Max,
    }
}

fn read_seed() -> Result<Option<u64>, String> {
    let input: HtmlInputElement = dom::by_id("seed");
    let v = input.value();
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<u64>().map(Some).map_err(|_| format!("The seed must be a whole number from 0 to {}; leave it empty to use the scenario's own seed.", u64::MAX))
}

/// The Replications box (`None`: empty, the scenario's count).
fn read_replications() -> Result<Option<u32>, String> {
    let input: HtmlInputElement = dom::by_id("replications-count");
    loopsim_web::replications::parse_count(&input.value())
}

/// Doubles or halves the chunk so one engine call takes about [`TARGET_CALL_MS`].
fn adapt(chunk: u64, took_ms: f64) -> u64 {
    if took_ms < TARGET_CALL_MS / 2.0 {
        (chunk * 2).min(loopsim_wasm::MAX_EVENTS_PER_CALL)
    } else if took_ms > TARGET_CALL_MS * 2.0 {
        (chunk / 2).max(500)
    } else {
        chunk
    }
}

impl App {
    fn text(&self) -> String {
        glue::get_text(&self.editor)
    }

    fn slug(&self) -> String {
        let name = self
            .run
            .as_ref()
            .map(|r| r.session.scenario_name().to_string())
            .unwrap_or_else(|| String::from("scenario"));
        let mut s: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        while s.contains("--") {
            s = s.replace("--", "-");
        }
        let s = s.trim_matches('-');
        if s.is_empty() {
            String::from("scenario")
        } else {
            s.chars().take(60).collect()
        }
    }

    /// Converts the editor's foreign file (the format the offer names) and replaces the text
    /// with the scenario (one undoable edit), showing the converter's notes.
    fn convert_foreign(&mut self) {
        // Check the text as it is now (a pending check would bring the offer back over the
        // outcome).
        if let Some(t) = VALIDATE_TIMER.with(|c| c.take()) {
            dom::clear_timeout(t);
        }
        self.validate();
        let text = self.text();
        let Some(offer) = convert_offer::offer(&text) else {
            convert::dismiss();
            return;
        };
        let outcome = convert_offer::run(offer.format, &text);
        if let Some(yaml) = &outcome.yaml {
            glue::set_text(&self.editor, yaml);
            self.validate();
        }
        convert::show_outcome(offer, &outcome);
    }

    /// Checks the editor text now: inline diagnostics, the problems list and the heading.
    fn validate(&mut self) {
        let text = self.text();
        if self.replicas.as_ref().is_some_and(|p| p.yaml() != text) {
            self.cancel_replicas("cancelled: the scenario changed");
        }
        prepare_share_link(text.clone());
        let checked = loopsim_core::check(&text);
        // Another tool's file: the converter's diagnostics, not the native format's.
        let conversion =
            convert_offer::offer(&text).map(|o| (o, convert_offer::run(o.format, &text)));
        let diags = match &conversion {
            Some((_, out)) => loopsim_wasm::convert_diagnostics(&text, &out.diagnostics),
            None => loopsim_wasm::convert_diagnostics(&text, &checked.diagnostics),
        };
        let valid = conversion.is_none() && checked.scenario.is_some();
        self.estimate = checked.scenario.as_ref().map(estimate);
        self.show_estimate();
        dom::set_hidden("run-confirm", true);
        let label = self.label(&text);
        gallery_panel::mark_current(match label {
            Label::Example(file) => Some(file),
            _ => None,
        });
        show_example_label(label);
        self.keep_draft();
        self.show_diagnostics(&diags);
        let (name, description) = gallery::name_and_description(&text);
        dom::set_text(
            "scenario-name",
            name.as_deref().unwrap_or("Untitled scenario"),
        );
        guide::show_description(&description);
        if self.mode == Mode::Idle && valid {
            self.preview_charts();
        }
        if valid {
            self.topology.show_text(&text);
        }
        // While the text is not a scenario, what the page shows of the last one is marked
        // stale and its try list and guide are put away (the guide keeps its step for when
        // the text is valid again).
        show_stale(match (&conversion, valid) {
            (_, true) => None,
            (Some(_), _) => Some(
                "Out of date: the editor holds another tool's file, so the diagram and charts below show the last scenario. Convert it (or undo) to bring them up to date.",
            ),
            (None, _) => Some(
                "Out of date: the editor's text is not a valid scenario, so the diagram and charts below show the last one that was. Fix the errors (or undo) to bring them up to date.",
            ),
        });
        match &checked.scenario {
            Some(sc) if valid => {
                guide::show_try(&sc.guide.try_this);
                self.follow_guide(&sc.guide.steps);
                guide::render(self.walkthrough.as_ref(), &text);
                self.point_guide();
            }
            _ => {
                guide::show_try(&[]);
                guide::render(None, &text);
                guide::mark_chart(None);
                self.topology.point_at(None);
            }
        }
        convert::show_check(conversion.as_ref().map(|(o, out)| (*o, out)));
    }

    /// Keeps the step shown while the guide stays the same (its changes move text around it,
    /// so steps are compared without their source spans); a new guide starts at step 1.
    fn follow_guide(&mut self, steps: &[GuideStep]) {
        let same = self
            .walkthrough
            .as_ref()
            .is_some_and(|w| same_steps(&w.steps, steps));
        if steps.is_empty() {
            self.walkthrough = None;
        } else if !same {
            self.walkthrough = Some(guide::Walkthrough {
                steps: steps.to_vec(),
                at: 0,
            });
        }
    }

    /// Marks the chart and topology box the current step points at; returns the element to
    /// scroll to for "Show" (the chart, else the box).
    fn point_guide(&self) -> Option<Element> {
        let step = self.walkthrough.as_ref().and_then(guide::Walkthrough::step);
        let chart = guide::mark_chart(step);
        let node = self.topology.point_at(step.and_then(|s| s.node.as_deref()));
        chart.or(node)
    }

    /// Moves to the step `delta` away (clamped).
    fn guide_move(&mut self, delta: isize) {
        let text = self.text();
        if let Some(w) = &mut self.walkthrough {
            w.at = w.at.saturating_add_signed(delta).min(w.steps.len() - 1);
        }
        guide::status("");
        guide::render(self.walkthrough.as_ref(), &text);
        self.point_guide();
    }

    /// Applies the current step's change through the editor (one undoable edit) or says why
    /// it cannot.
    fn guide_apply(&mut self) {
        let Some(change) = self
            .walkthrough
            .as_ref()
            .and_then(guide::Walkthrough::step)
            .and_then(|s| s.change.clone())
        else {
            return;
        };
        let before = self.text();
        match loopsim_core::scenario::guide::apply(&before, &change) {
            Ok(after) => {
                if let Some(e) = text::edit(&before, &after) {
                    let fix = fix_js(&loopsim_wasm::FixOut {
                        from: e.from as u32,
                        to: e.to as u32,
                        text: e.insert,
                        replaces: e.replaces,
                    });
                    glue::apply_fix(&self.editor, &fix);
                }
                guide::status(
                    "Changed. Press Run to see the difference; Ctrl+Z in the editor undoes it.",
                );
            }
            Err(e) => guide::status(&format!(
                "This change cannot be applied: {}.",
                e.message(&change.replace)
            )),
        }
        guide::render(self.walkthrough.as_ref(), &self.text());
    }

    /// Opens the scenario in the editor at guide step `step` (from 1), the earlier steps'
    /// changes applied (a link's `&step=N`).
    fn open_at_step(&mut self, step: u32) {
        let text = self.text();
        let steps = loopsim_core::check(&text)
            .scenario
            .map(|s| s.guide.steps)
            .unwrap_or_default();
        if steps.is_empty() {
            show_message(
                &format!(
                    "This link points at step {step} of a guide, but its scenario has no guide."
                ),
                true,
            );
            return;
        }
        let wanted = (step as usize).saturating_sub(1);
        let mut at = wanted.min(steps.len() - 1);
        if wanted >= steps.len() {
            show_message(
                &format!(
                    "This link points at step {step}, but the guide has {} steps: here is the last.",
                    steps.len()
                ),
                true,
            );
        }
        let opened = match loopsim_view::guide::text_at_step(&text, &steps, at) {
            Ok(t) => t,
            Err((k, e)) => {
                let replace = steps[k].change.as_ref().map_or("", |c| c.replace.as_str());
                show_message(
                    &format!(
                        "The guide opens at step {} instead of {step}: {}.",
                        k + 1,
                        e.message(replace)
                    ),
                    false,
                );
                at = k;
                loopsim_view::guide::text_at_step(&text, &steps, k).unwrap_or(text.clone())
            }
        };
        if opened != text {
            glue::set_text(&self.editor, &opened);
            if self.shared.is_some() {
                self.shared = Some(opened);
            }
        }
        self.walkthrough = Some(guide::Walkthrough { steps, at });
    }

    fn show_diagnostics(&self, diags: &[DiagnosticOut]) {
        let list = diags.iter().map(|d| {
            let mut message = d.message.clone();
            if let Some(h) = &d.hint {
                message.push_str("\nhint: ");
                message.push_str(h);
            }
            dom::obj(&[
                ("from", dom::n(d.from)),
                ("to", dom::n(d.to)),
                ("severity", dom::s(d.severity)),
                ("message", dom::s(&message)),
                ("fix", d.fix.as_ref().map_or(JsValue::NULL, fix_js)),
            ])
        });
        glue::set_diagnostics(&self.editor, &dom::arr(list));
        render_problems(diags);
    }

    /// What the Example box says for `text`.
    fn label<'a>(&'a self, text: &str) -> Label<'a> {
        let examples = self.gallery.iter().map(|e| (e.file, e.yaml));
        draft::label(text, examples, self.shared.as_deref())
    }

    /// The editor's text and the Seed field, as stored.
    fn draft(&self) -> Draft {
        Draft {
            text: self.text(),
            seed: dom::by_id::<HtmlInputElement>("seed")
                .value()
                .trim()
                .to_string(),
        }
    }

    /// Whether the page's work can be had back without storage: an unchanged example or
    /// shared link, with no seed of its own.
    fn recoverable(&self) -> bool {
        let d = self.draft();
        d.seed.is_empty() && self.label(&d.text) != Label::Custom
    }

    /// Saves the draft when it is the user's own work (an example or a link opened unchanged
    /// is not saved: it would replace the draft of a previous visit with nothing of value).
    fn keep_draft(&mut self) {
        if !self.recoverable() {
            persist::save_draft(&self.draft());
        }
    }

    /// The estimate line beside the Run button (empty while the text has errors).
    fn show_estimate(&self) {
        let line = match &self.estimate {
            Some(e) => {
                let times = match read_speed() {
                    Speed::Times(k) => Some(k),
                    Speed::Max => None,
                };
                run_estimate::summary(e, run_estimate::wall_seconds(e, self.speed(), times))
            }
            None => String::new(),
        };
        dom::set_text("run-estimate", &line);
    }

    /// Engine events per second in this browser (measured, or the default before any run).
    fn speed(&self) -> f64 {
        self.events_per_sec
            .unwrap_or(run_estimate::DEFAULT_EVENTS_PER_SEC)
    }

    /// The question to ask before running `yaml` at full speed, if it would take long.
    fn confirm_question(&self, yaml: &str) -> Option<String> {
        let scenario = loopsim_core::check(yaml).scenario?;
        let e = estimate(&scenario);
        run_estimate::confirm_question(e.seconds_at(self.speed()))
    }

    /// Folds a finished run's speed into the measured one (and stores it).
    fn measure_speed(&mut self) {
        let Some(run) = &self.run else {
            return;
        };
        let blended =
            run_estimate::blend_speed(self.events_per_sec, run.max_events, run.max_wall_ms);
        if blended != self.events_per_sec {
            if let Some(v) = blended {
                persist::save_speed(v);
            }
            self.events_per_sec = blended;
            self.show_estimate();
        }
    }

    /// Shows the charts of the service chosen in `#service-select`.
    fn select_service(&mut self) {
        let select: web_sys::HtmlSelectElement = dom::by_id("service-select");
        let series = self.run.as_ref().map(|r| r.session.series());
        self.charts.select(&select.value(), series);
    }

    /// Empty charts with the right legends for the scenario in the editor (when it is valid
    /// and its columns changed).
    fn preview_charts(&mut self) {
        if let Ok(s) = Session::new(&self.text(), None) {
            self.rebuild_charts(&s);
        }
    }

    /// Rebuilds the charts for `session`'s scenario when its columns or panels differ from the
    /// ones shown (the report at time 0 already lists the faults and the guarded callers).
    fn rebuild_charts(&mut self, session: &Session) {
        let key = (
            session.series_names(),
            panels::panels(session.scenario(), &session.report()),
        );
        if self.chart_key.as_ref() != Some(&key) {
            self.charts.rebuild(&key.0, &key.1);
            self.chart_key = Some(key);
            self.point_guide();
        }
    }

    /// Builds a fresh run of the editor text (paused at time 0).
    fn new_run(&mut self, yaml: String, seed: Option<u64>) -> Result<(), String> {
        match Session::new(&yaml, seed) {
            Err(_) if convert_offer::offer(&yaml).is_some() => {
                // Another tool's file: its problems are the converter's, already shown.
                Err(String::from(
                    "This is another tool's file: convert it to a loopsim scenario first (the button above the editor).",
                ))
            }
            Err(diags) => {
                self.show_diagnostics(&diags);
                let errors: Vec<&DiagnosticOut> = diags.iter().filter(|d| d.is_error()).collect();
                let first = errors.first().map(|d| d.render()).unwrap_or_default();
                Err(format!(
                    "The scenario has {} error{} to fix before it can run (first: {first}).",
                    errors.len(),
                    if errors.len() == 1 { "" } else { "s" }
                ))
            }
            Ok(session) => {
                dom::set_text("scenario-name", session.scenario_name());
                guide::show_description(session.scenario_description());
                self.chart_key = None;
                self.rebuild_charts(&session);
                self.charts
                    .set_warmup(loopsim_core::time::to_secs_f64(session.scenario().warmup));
                self.topology
                    .start_run(session.scenario(), session.series());
                self.point_guide();
                tables::clear();
                let sample_every_s =
                    loopsim_core::time::to_secs_f64(session.scenario().sample_every);
                self.run = Some(RunState {
                    session,
                    yaml,
                    seed,
                    sample_every_s,
                    busy_ms: 0.0,
                    max_wall_ms: 0.0,
                    max_events: 0,
                });
                self.mode = Mode::Paused;
                self.automation = false;
                self.last_frame = None;
                self.owed_sim_s = 0.0;
                self.chunk = 1_000;
                self.chart_refresh_ms = CHART_REFRESH_MS;
                self.start_replicas();
                self.update_live();
                Ok(())
            }
        }
    }

    /// Run (resume when paused on the same text and seed), or restart from the beginning for
    /// automation. A new run from the Run button that would take long asks first (an inline
    /// bar; its "Run anyway" comes back here as [`Start::Confirmed`]).
    fn run(&mut self, start: Start) -> Result<(), String> {
        let automation = start == Start::Automation;
        let yaml = self.text();
        let seed = read_seed()?;
        let resumable = matches!(&self.run, Some(r) if r.yaml == yaml && r.seed == seed);
        if !automation && resumable && self.mode == Mode::Running {
            return Ok(());
        }
        let fresh = automation || !(resumable && self.mode == Mode::Paused);
        dom::set_hidden("run-confirm", true);
        if fresh && start == Start::Ui {
            if let Some(question) = self.confirm_question(&yaml) {
                dom::set_text("run-confirm-text", &question);
                dom::set_hidden("run-confirm", false);
                dom::by_id::<web_sys::HtmlElement>("run-confirm-yes")
                    .focus()
                    .ok();
                return Ok(());
            }
        }
        if fresh {
            self.new_run(yaml, seed)?;
        }
        dom::set_hidden("message", true);
        self.mode = Mode::Running;
        self.automation = automation;
        self.last_frame = None;
        self.owed_sim_s = 0.0;
        self.sync_controls();
        schedule_frame();
        Ok(())
    }

    fn pause(&mut self) {
        if self.mode == Mode::Running {
            self.mode = Mode::Paused;
            if let Some(run) = &self.run {
                self.charts.feed(run.session.series());
                let report = run.session.report();
                self.charts.set_health(&report);
                self.topology.paint(&run.session, &report, false);
            }
            self.update_live();
        }
    }

    /// Advances one chart interval, pausing a running run first.
    fn step(&mut self) -> Option<Finished> {
        let yaml = self.text();
        let seed = match read_seed() {
            Ok(s) => s,
            Err(msg) => {
                show_message(&msg, false);
                return None;
            }
        };
        let fresh = match &self.run {
            Some(r) => self.mode == Mode::Finished || r.yaml != yaml || r.seed != seed,
            None => true,
        };
        if fresh {
            if let Err(msg) = self.new_run(yaml, seed) {
                show_message(&msg, false);
                return None;
            }
        }
        self.mode = Mode::Paused;
        let run = self.run.as_mut()?;
        let t0 = dom::now_ms();
        run.session.step_time(run.sample_every_s.max(1e-9));
        run.busy_ms += dom::now_ms() - t0;
        self.charts.feed(run.session.series());
        if run.session.is_finished() {
            return Some(self.finish());
        }
        let report = run.session.report();
        self.charts.set_health(&report);
        self.topology.paint(&run.session, &report, false);
        self.update_live();
        None
    }

    /// Drops the run; returns the `run()` promises to reject.
    fn reset(&mut self) -> Vec<(Function, Function)> {
        self.cancel_replicas("cancelled: the run was reset");
        self.run = None;
        self.mode = Mode::Idle;
        self.automation = false;
        tables::clear();
        self.topology.reset();
        self.chart_key = None;
        self.preview_charts();
        self.update_live();
        std::mem::take(&mut self.waiters)
    }

    fn load_gallery(&mut self, file: &str) -> Option<Vec<(Function, Function)>> {
        let entry = self.gallery.iter().find(|e| e.file == file)?.clone();
        let previous = self.text();
        let edited = !self.gallery.iter().any(|e| e.yaml == previous);
        let waiters = self.reset();
        self.walkthrough = None;
        guide::status("");
        convert::dismiss();
        glue::set_text(&self.editor, entry.yaml);
        self.validate();
        self.preview_charts();
        if edited {
            show_message(
                &format!(
                    "Loaded “{}”. Your previous text is one undo (Ctrl+Z) away.",
                    entry.name
                ),
                true,
            );
        } else {
            dom::set_hidden("message", true);
        }
        Some(waiters)
    }

    fn tick(&mut self, ts: f64) -> TickOut {
        let mut out = TickOut::default();
        if self.mode != Mode::Running {
            self.last_frame = None;
            return out;
        }
        let speed = if self.automation {
            Speed::Max
        } else {
            read_speed()
        };
        let wall = self
            .last_frame
            .map_or(1000.0 / 60.0, |last| (ts - last).clamp(0.0, 100.0));
        self.last_frame = Some(ts);
        let Some(run) = self.run.as_mut() else {
            self.mode = Mode::Idle;
            return out;
        };
        let t0 = dom::now_ms();
        let deadline = t0 + FRAME_BUDGET_MS;
        match speed {
            Speed::Max => {
                let before = run.session.snapshot().events;
                loop {
                    let t = dom::now_ms();
                    let p = run.session.step_events(self.chunk);
                    let took = dom::now_ms() - t;
                    self.chunk = adapt(self.chunk, took);
                    if p.finished || dom::now_ms() + took.min(TARGET_CALL_MS * 2.0) > deadline {
                        run.max_events += p.events.saturating_sub(before);
                        break;
                    }
                }
                run.max_wall_ms += wall;
            }
            Speed::Times(k) => {
                // Owe the simulated time this frame's wall time is worth; never build up more
                // than a fifth of a second of wall time worth of backlog.
                self.owed_sim_s = (self.owed_sim_s + wall / 1000.0 * k).min(k * 0.2);
                while self.owed_sim_s > 0.0 {
                    let snap = run.session.snapshot();
                    let rate = if snap.now_s > 0.0 {
                        snap.events as f64 / snap.now_s
                    } else {
                        0.0
                    };
                    let dt = if rate > 0.0 {
                        (self.chunk as f64 / rate).min(self.owed_sim_s)
                    } else {
                        self.owed_sim_s.min(0.01)
                    };
                    let t = dom::now_ms();
                    let p = run.session.step_time(dt);
                    let took = dom::now_ms() - t;
                    self.chunk = adapt(self.chunk, took);
                    let advanced = p.now_s - snap.now_s;
                    if advanced <= 0.0 {
                        self.owed_sim_s = 0.0;
                    } else {
                        self.owed_sim_s -= advanced;
                    }
                    if p.finished || dom::now_ms() + took.min(TARGET_CALL_MS * 2.0) > deadline {
                        break;
                    }
                }
            }
        }
        let now = dom::now_ms();
        run.busy_ms += now - t0;
        let finished = run.session.is_finished();
        if finished || now - self.last_chart_feed >= self.chart_refresh_ms {
            let mut cost = self.charts.feed(run.session.series());
            if !finished {
                let t = dom::now_ms();
                let report = run.session.report();
                self.charts.set_health(&report);
                self.topology.paint(&run.session, &report, false);
                cost += dom::now_ms() - t;
            }
            self.chart_refresh_ms = (cost * 10.0).clamp(CHART_REFRESH_MS, CHART_REFRESH_MAX_MS);
            self.last_chart_feed = dom::now_ms();
        }
        if finished {
            out.finished = Some(self.finish());
        } else {
            self.update_live();
            out.again = true;
        }
        out
    }

    /// The run reached its end: report, tables, exports; returns the waiting promises.
    fn finish(&mut self) -> Finished {
        self.mode = Mode::Finished;
        self.automation = false;
        self.measure_speed();
        let (report, report_json) = match &self.run {
            Some(run) => {
                let report = run.session.report();
                let json = to_js::report_json(&report);
                (Some(report), json)
            }
            None => (None, String::from("null")),
        };
        if let Some(run) = &self.run {
            self.charts.rank(run.session.series(), true);
        }
        if let Some(r) = &report {
            self.charts.set_health(r);
            if let Some(st) = &r.stopped {
                self.charts.set_stop(st.at_s);
            }
            self.charts.set_warmup(r.warmup_s);
            tables::render(r, None);
            health::render(r, None);
            diagnosis::render(r);
            if let Some(run) = &self.run {
                self.topology.paint(&run.session, r, true);
            }
            help::annotate_results();
        }
        self.last_report_json = Some(report_json.clone());
        if let (Some(pool), Some(run), Some(r)) = (&mut self.replicas, &self.run, &report) {
            pool.record_live(r, run.session.series());
        }
        self.complete_replicas();
        self.update_live();
        Finished {
            waiters: std::mem::take(&mut self.waiters),
            report_json,
        }
    }

    /// Progress bar, status line, KPIs and buttons.
    fn update_live(&self) {
        let progress: HtmlProgressElement = dom::by_id("progress");
        let Some(run) = &self.run else {
            progress.set_value(0.0);
            dom::set_text("status", "Ready: press Run (Ctrl+Enter)");
            for (id, _) in KPIS {
                set_kpi(id, "–", false);
            }
            dom::set_hidden("kpis-note", true);
            self.sync_controls();
            return;
        };
        let s: SnapshotOut = run.session.snapshot();
        progress.set_value(s.progress);
        // An early stop: the bar stays where the run stopped, in the warning colour, over a
        // hatched rest (the part of the scenario that was never simulated).
        let stopped = run.session.stopped();
        let _ = progress
            .class_list()
            .toggle_with_force("stopped", stopped.is_some());
        let _ = dom::by_id::<Element>("status")
            .class_list()
            .toggle_with_force("stopped", stopped.is_some());
        match stopped {
            Some(st) => {
                let _ = progress.set_attribute("title", &stop::headline(st.at_s, s.duration_s));
            }
            None => {
                let _ = progress.remove_attribute("title");
            }
        }
        let when = format!(
            "{} of {}",
            format::secs(Some(s.now_s)),
            format::secs(Some(s.duration_s))
        );
        let status = match self.mode {
            Mode::Running => {
                let speed = if self.automation {
                    String::from("as fast as possible")
                } else {
                    match read_speed() {
                        Speed::Max => String::from("as fast as possible"),
                        Speed::Times(k) => format!("×{k}"),
                    }
                };
                format!(
                    "Running {speed} · {when} · {} events",
                    format::count(s.events)
                )
            }
            Mode::Paused => format!("Paused at {when} · {} events", format::count(s.events)),
            Mode::Finished => match stopped {
                Some(st) => stop::status_line(st.cause.name(), &st.message, st.at_s, s.duration_s),
                None => format!(
                    "Finished · {} simulated · {} events in {}",
                    format::secs(Some(s.duration_s)),
                    format::count(s.events),
                    format::secs(Some(run.busy_ms / 1000.0))
                ),
            },
            Mode::Idle => String::from("Ready"),
        };
        dom::set_text("status", &status);
        set_kpi("kpi-time", &format::secs(Some(s.now_s)), stopped.is_some());
        set_kpi("kpi-events", &format::count(s.events), false);
        set_kpi("kpi-sent", &format::count(s.sent), false);
        set_kpi("kpi-ok", &format::count(s.completed), false);
        set_kpi("kpi-failed", &format::count(s.failed), s.failed > 0);
        set_kpi("kpi-inflight", &format::count(s.in_flight), false);
        // The counters are the whole run; the results leave the warm-up out: say so.
        let warmup = loopsim_core::time::to_secs_f64(run.session.scenario().warmup);
        if warmup > 0.0 {
            dom::set_text("kpis-note", &warmup_note(warmup));
        }
        dom::set_hidden("kpis-note", warmup <= 0.0);
        let series = run.session.series();
        // Failures count at their time to failure: the figure never freezes on the last
        // success while every request times out.
        let p99 = series
            .column_by_name("latency_all_p99_s")
            .and_then(|c| c.iter().rev().find(|v| v.is_finite()).copied());
        set_kpi("kpi-p99", &format::secs(p99), false);
        self.sync_controls();
    }

    fn sync_controls(&self) {
        let running = self.mode == Mode::Running;
        dom::set_disabled("run", running);
        dom::set_disabled("pause", !running);
        dom::set_disabled("reset", self.run.is_none());
        dom::set_disabled("export-json", self.last_report_json.is_none());
        dom::set_disabled(
            "export-csv",
            !(self.mode == Mode::Finished && self.run.is_some()),
        );
        let label = match self.mode {
            Mode::Paused => "▶ Resume",
            Mode::Finished => "↻ Run again",
            _ => "▶ Run",
        };
        dom::set_text("run", label);
        let root = dom::document().document_element();
        if let Some(root) = root {
            let _ = root.set_attribute("data-run-state", self.mode.as_str());
        }
    }

    /// Starts the workers for the run just built: a sweep's runs when the scenario has a
    /// `sweep:`, else replications `1..n` when it has `replications: n` (or
    /// `window.loopsim.setReplications(n)` asked for them).
    fn start_replicas(&mut self) {
        self.cancel_replicas("cancelled: a new run started");
        self.capacity.clear();
        self.replicated = Replicated::default();
        let Some(run) = &self.run else { return };
        // The Replications box, else the scenario's own `replications:`.
        let n = match read_replications() {
            Ok(n) => n.unwrap_or(run.session.scenario().replications.max(1)),
            Err(msg) => {
                self.replicated.state = "failed";
                self.replicated.message = msg;
                return self.show_replicas();
            }
        };
        let work = match &run.session.scenario().sweep {
            Some(sweep) => {
                if let Err(d) = sweep.check_runs(n) {
                    self.replicated.state = "failed";
                    self.replicated.message = d.message;
                    self.show_replicas();
                    return;
                }
                self.replicated.sweep = true;
                replicas::Work::Sweep {
                    sweep: sweep.clone(),
                    runs: loopsim_web::sweeps::SweepRuns::new(sweep.points(), n),
                }
            }
            None if n >= 2 => {
                use loopsim_core::scenario::WarmupRule;
                use loopsim_web::replications::Replications;
                // The live run has settled its own cut (`Chosen`); the scenario asked `Auto`.
                let auto = matches!(run.session.scenario().warmup_rule, WarmupRule::Chosen(_));
                replicas::Work::Replications(if auto {
                    Replications::with_auto_warmup(n)
                } else {
                    Replications::new(n)
                })
            }
            None => return self.show_replicas(),
        };
        let seed = run.seed.map(|s| s.to_string());
        match replicas::Pool::start(&run.yaml, seed, work, on_replica) {
            Ok(pool) => {
                self.replicated.state = "running";
                (self.replicated.done, self.replicated.n) = pool.progress();
                self.replicas = Some(pool);
            }
            Err(msg) => {
                self.replicated.state = "failed";
                self.replicated.message = msg;
            }
        }
        self.show_replicas();
    }

    /// Terminates the workers (a no-op without any); `why` goes on the progress line.
    fn cancel_replicas(&mut self, why: &str) {
        if let Some(pool) = self.replicas.take() {
            (self.replicated.done, self.replicated.n) = pool.progress();
            drop(pool);
            self.replicated.state = "cancelled";
            self.replicated.message = why.to_owned();
            self.show_replicas();
        }
    }

    /// A worker's message (ignored when it comes from a pool cancelled since).
    fn replica_message(&mut self, generation: u32, msg: replicas::Message) {
        let Some(pool) = self.replicas.as_mut() else {
            return;
        };
        if pool.generation() != generation {
            return;
        }
        if let replicas::Message::Failed(why) = msg {
            self.cancel_replicas("failed");
            self.replicated.state = "failed";
            self.replicated.message = why;
            return self.show_replicas();
        }
        pool.record(msg);
        (self.replicated.done, self.replicated.n) = pool.progress();
        self.draw_capacity();
        self.complete_replicas();
        self.show_replicas();
    }

    /// Redraws the capacity chart when a sweep point more is done.
    fn draw_capacity(&mut self) {
        let Some(pool) = &self.replicas else { return };
        let replicas::Work::Sweep { sweep, runs } = &pool.work else {
            return;
        };
        let done = runs.points_done();
        if done == self.replicated.drawn_points {
            return;
        }
        self.replicated.drawn_points = done;
        if let Some(cap) = runs.capacity(sweep) {
            self.capacity.show(&cap, runs.is_complete());
            self.replicated.capacity = Some(cap);
        }
    }

    /// Once every run is in (a replicated run's live one included): for replications, the
    /// intervals in the tables, the bands on the charts and the note saying what they mean.
    fn complete_replicas(&mut self) {
        if !self
            .replicas
            .as_ref()
            .is_some_and(replicas::Pool::is_complete)
        {
            return;
        }
        let Some(pool) = self.replicas.take() else {
            return;
        };
        (self.replicated.done, self.replicated.n) = pool.progress();
        self.replicated.state = "done";
        let replicas::Work::Replications(reps) = &pool.work else {
            return self.show_replicas();
        };
        let leaves = reps.leaves().unwrap_or_default();
        let cut_s = reps.cut().and_then(|_| {
            leaves
                .first()?
                .iter()
                .find(|(p, _)| p == "warmup_s")
                .map(|(_, v)| *v)
        });
        let summary = loopsim_core::replication::Summary::from_leaves(&leaves);
        if let Some(run) = &self.run {
            let report = run.session.report();
            tables::render(&report, Some(&summary));
            health::render(&report, Some(&summary));
            help::annotate_results();
        }
        self.charts.set_bands(&reps.bands(), reps.n());
        dom::set_text(
            "replications-note",
            &loopsim_web::replications::note(reps.n(), cut_s),
        );
        dom::set_hidden("replications-note", false);
        self.replicated.summary = Some(summary);
        self.show_replicas();
    }

    /// The progress bar, line and Cancel button of the replications or the sweep.
    fn show_replicas(&self) {
        let r = &self.replicated;
        dom::set_hidden("replications", r.state.is_empty());
        if r.state != "done" || r.sweep {
            dom::set_hidden("replications-note", true);
        }
        let progress: HtmlProgressElement = dom::by_id("replications-progress");
        progress.set_max(f64::from(r.n.max(1)));
        progress.set_value(f64::from(r.done));
        let what = if r.sweep {
            "sweep points"
        } else {
            "replications"
        };
        let line = match (r.state, &self.replicas) {
            ("running", Some(pool)) => {
                let live = if r.sweep || self.mode == Mode::Finished {
                    ""
                } else {
                    " · the run above is one of them"
                };
                format!("{}{live}", pool.progress_text())
            }
            ("done", _) if r.sweep => format!("{what} {0} / {0} · capacity curves above", r.n),
            ("done", _) => format!("{what} {0} / {0} · intervals below", r.n),
            // Refused before it started (too many runs): only why.
            _ if r.n == 0 => r.message.clone(),
            _ => format!("{what} {} / {} · {}", r.done, r.n, r.message),
        };
        dom::set_text("replications-status", &line);
        dom::set_hidden("replications-cancel", r.state != "running");
    }

    fn replications_js(&self) -> JsValue {
        let r = &self.replicated;
        let capacity = r.capacity.as_ref().map_or(JsValue::NULL, to_js::to_js);
        dom::obj(&[
            (
                "state",
                dom::s(if r.state.is_empty() { "none" } else { r.state }),
            ),
            (
                "kind",
                dom::s(if r.sweep { "sweep" } else { "replications" }),
            ),
            ("done", dom::n(r.done)),
            ("n", dom::n(r.n)),
            ("message", dom::s(&r.message)),
            ("figures", replicas::figures_js(r.summary.as_ref())),
            ("capacity", capacity),
        ])
    }

    fn snapshot_js(&self) -> JsValue {
        let v = match &self.run {
            Some(run) => to_js::to_js(&run.session.snapshot()),
            None => Object::new().into(),
        };
        let _ = Reflect::set(&v, &"state".into(), &dom::s(self.mode.as_str()));
        v
    }
}

/// A replication worker's message, from its `onmessage`.
fn on_replica(generation: u32, msg: replicas::Message) {
    with_app(|app| app.replica_message(generation, msg));
}

// ----- automation hook -----------------------------------------------------------------------

/// `window.loopsim` for tests and scripts:
/// - `run()`: runs the editor's scenario from the start to the end as fast as possible (whatever
///   the speed control says); resolves with the report object, rejects if it cannot run.
/// - `report()`: the last finished run's report object (`null` before the first).
/// - `snapshot()`: live numbers of the current run plus `state` (idle/running/paused/finished).
/// - `text()`: the editor's text.
/// - `replications()`, `setReplications(n)`: the replications or sweep in Web Workers.
fn install_automation_hook() {
    let api = Object::new();
    let run = Closure::<dyn FnMut() -> Promise>::new(|| {
        Promise::new(&mut |resolve: Function, reject: Function| {
            let result = with_app(|app| {
                app.waiters.push((resolve.clone(), reject.clone()));
                let r = app.run(Start::Automation);
                if r.is_err() {
                    app.waiters.pop();
                }
                r
            });
            match result {
                Some(Ok(())) => {}
                Some(Err(msg)) => {
                    show_message(&msg, false);
                    let _ = reject.call1(&JsValue::NULL, &js_sys::Error::new(&msg));
                }
                None => {
                    let _ = reject.call1(&JsValue::NULL, &js_sys::Error::new("loopsim: busy"));
                }
            }
        })
    });
    let report = Closure::<dyn FnMut() -> JsValue>::new(|| {
        with_app(|app| app.last_report_json.as_deref().map(dom::json_to_js))
            .flatten()
            .unwrap_or(JsValue::NULL)
    });
    let snapshot = Closure::<dyn FnMut() -> JsValue>::new(|| {
        with_app(|app| app.snapshot_js()).unwrap_or(JsValue::NULL)
    });
    let _ = Reflect::set(&api, &"run".into(), run.as_ref());
    let _ = Reflect::set(&api, &"report".into(), report.as_ref());
    let text = Closure::<dyn FnMut() -> JsValue>::new(|| {
        with_app(|app| JsValue::from_str(&app.text())).unwrap_or(JsValue::NULL)
    });
    let _ = Reflect::set(&api, &"snapshot".into(), snapshot.as_ref());
    // `replications()`: `{ state, kind, done, n, message, figures: { path: { mean, half_width,
    // n } }, capacity }` of the last replicated run or sweep; `setReplications(n)` fills the
    // Replications box (0: empty, the scenario's count).
    let replications = Closure::<dyn FnMut() -> JsValue>::new(|| {
        with_app(|app| app.replications_js()).unwrap_or(JsValue::NULL)
    });
    let set_replications = Closure::<dyn FnMut(f64)>::new(|n: f64| {
        let input: HtmlInputElement = dom::by_id("replications-count");
        input.set_value(&if n >= 1.0 {
            n.to_string()
        } else {
            String::new()
        });
    });
    let _ = Reflect::set(&api, &"replications".into(), replications.as_ref());
    let _ = Reflect::set(&api, &"setReplications".into(), set_replications.as_ref());
    replications.forget();
    set_replications.forget();
    let _ = Reflect::set(&api, &"text".into(), text.as_ref());
    text.forget();
    run.forget();
    report.forget();
    snapshot.forget();
    let _ = Reflect::set(&dom::window(), &"loopsim".into(), &api);
}
