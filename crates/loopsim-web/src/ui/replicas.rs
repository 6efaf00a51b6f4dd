//! Replications in Web Workers: the worker side (`loopsimReplicate`, exported from this same
//! wasm module, which `web/replication-worker.js` loads in each worker — no second download) and
//! the page side (a pool of module workers handed replication indices one at a time, cancelled
//! by terminating them). The scenario text goes to the workers as a string in a message: data,
//! parsed by the same checker as on the page, never evaluated.

use std::cell::Cell;

use js_sys::{Array, Float64Array, Object, Reflect};
use loopsim_core::replication;
use loopsim_wasm::Session;
use loopsim_web::replications::{self, Outcome, Replications, BAND_ROWS};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use super::dom;

/// The worker script (copied to `dist/` by Trunk, next to `index.html`).
const WORKER_URL: &str = "replication-worker.js";

// ----- worker side ---------------------------------------------------------------------------

/// Runs replication `index` of `yaml` (seeded from `seed`, the page's seed box, or the
/// scenario's own) to its end; returns `{ index, paths, values, bands }`: every figure by
/// dotted path and the band columns (time first). Throws a message when the text does not
/// check (the page validated it, so only a changed checker could get here).
#[wasm_bindgen(js_name = loopsimReplicate)]
pub fn replicate(yaml: &str, seed: Option<String>, index: u32) -> Result<JsValue, JsValue> {
    let seed = match seed.as_deref() {
        Some(text) => Some(loopsim_wasm::parse_seed(text).map_err(|e| JsValue::from_str(&e))?),
        None => None,
    };
    let base = Session::new(yaml, seed).map_err(|diags| {
        let first = diags.first().map(|d| d.render()).unwrap_or_default();
        JsValue::from_str(&format!("the scenario does not check: {first}"))
    })?;
    let mut sc = base.scenario().clone();
    sc.seed = replication::seed(sc.seed, index);
    let mut session = Session::from_scenario(sc);
    session.run_to_end();
    let outcome = Outcome {
        leaves: replication::leaves(&session.report()),
        bands: replications::band_columns(session.series(), BAND_ROWS),
    };
    Ok(outcome_to_js(index, &outcome))
}

fn outcome_to_js(index: u32, o: &Outcome) -> JsValue {
    let paths = Array::new();
    let values: Vec<f64> = o.leaves.iter().map(|(_, v)| *v).collect();
    for (p, _) in &o.leaves {
        paths.push(&JsValue::from_str(p));
    }
    let bands = Array::new();
    for c in &o.bands {
        bands.push(&Float64Array::from(c.as_slice()));
    }
    dom::obj(&[
        ("index", dom::n(index)),
        ("paths", paths.into()),
        ("values", Float64Array::from(values.as_slice()).into()),
        ("bands", bands.into()),
    ])
}

/// A worker's answer read back on the page: `(index, outcome)`, `None` when malformed.
fn outcome_from_js(v: &JsValue) -> Option<(u32, Outcome)> {
    let get = |k: &str| Reflect::get(v, &JsValue::from_str(k)).ok();
    let index = get("index")?.as_f64()? as u32;
    let paths: Array = get("paths")?.dyn_into().ok()?;
    let values = Float64Array::new(&get("values")?).to_vec();
    let leaves = paths
        .iter()
        .zip(values)
        .filter_map(|(p, v)| Some((p.as_string()?, v)))
        .collect();
    let bands: Array = get("bands")?.dyn_into().ok()?;
    let bands = bands
        .iter()
        .map(|c| Float64Array::new(&c).to_vec())
        .collect();
    Some((index, Outcome { leaves, bands }))
}

// ----- page side -----------------------------------------------------------------------------

thread_local! {
    /// Bumped by every new pool: messages from a terminated pool's workers are ignored.
    static GENERATION: Cell<u32> = const { Cell::new(0) };
}

/// What a worker said, for the app to act on.
pub enum Message {
    /// Replication done: the worker `worker` is free for the next one.
    Done {
        worker: usize,
        index: u32,
        outcome: Outcome,
    },
    Failed(String),
}

type Handler = Closure<dyn FnMut(MessageEvent)>;
type ErrorHandler = Closure<dyn FnMut(web_sys::Event)>;

/// The workers of one replicated run and the replications' results.
pub struct Pool {
    workers: Vec<Worker>,
    _handlers: Vec<(Handler, ErrorHandler)>,
    pub state: Replications,
    yaml: String,
    seed: Option<String>,
    generation: u32,
    /// Replication 0's outcome has been recorded (the page's live run finished).
    pub live_recorded: bool,
}

impl Drop for Pool {
    fn drop(&mut self) {
        for w in &self.workers {
            w.terminate();
        }
    }
}

/// The URLs of this page's wasm-bindgen glue and wasm file, from the preload links Trunk puts in
/// `index.html` (their names carry a content hash).
fn module_urls() -> Option<(String, String)> {
    let doc = dom::document();
    let href = |sel: &str| {
        doc.query_selector(sel)
            .ok()
            .flatten()
            .and_then(|e| Reflect::get(&e, &JsValue::from_str("href")).ok())
            .and_then(|h| h.as_string())
    };
    Some((
        href("link[rel=modulepreload][href*=loopsim-web]")?,
        href("link[rel=preload][href$='.wasm']")?,
    ))
}

impl Pool {
    /// Starts workers for replications `1..n` of `yaml` (the page's seed box text as `seed`);
    /// `on_message` receives their answers tagged with this pool's generation.
    pub fn start(
        yaml: &str,
        seed: Option<String>,
        n: u32,
        on_message: impl Fn(u32, Message) + Clone + 'static,
    ) -> Result<Pool, String> {
        let (glue, wasm) = module_urls()
            .ok_or("replications need the page's wasm module, whose link is missing")?;
        let generation = GENERATION.with(|g| {
            g.set(g.get() + 1);
            g.get()
        });
        let count = replications::worker_count(dom::window().navigator().hardware_concurrency(), n);
        let mut pool = Pool {
            workers: Vec::new(),
            _handlers: Vec::new(),
            state: Replications::new(n),
            yaml: yaml.to_owned(),
            seed,
            generation,
            live_recorded: false,
        };
        for k in 0..count {
            let opts = WorkerOptions::new();
            opts.set_type(WorkerType::Module);
            let worker = Worker::new_with_options(WORKER_URL, &opts)
                .map_err(|_| String::from("this browser cannot start a Web Worker"))?;
            let f = on_message.clone();
            let on_msg = Handler::new(move |e: MessageEvent| {
                let data = e.data();
                let kind = Reflect::get(&data, &"kind".into())
                    .ok()
                    .and_then(|k| k.as_string());
                let msg = match kind.as_deref() {
                    Some("done") => match Reflect::get(&data, &"out".into())
                        .ok()
                        .as_ref()
                        .and_then(outcome_from_js)
                    {
                        Some((index, outcome)) => Message::Done {
                            worker: k,
                            index,
                            outcome,
                        },
                        None => Message::Failed(String::from("a worker sent a malformed result")),
                    },
                    _ => Message::Failed(
                        Reflect::get(&data, &"message".into())
                            .ok()
                            .and_then(|m| m.as_string())
                            .unwrap_or_else(|| String::from("a worker failed")),
                    ),
                };
                f(generation, msg);
            });
            let f = on_message.clone();
            let on_err = ErrorHandler::new(move |_e: web_sys::Event| {
                f(
                    generation,
                    Message::Failed(String::from("a replication worker could not start")),
                );
            });
            worker.set_onmessage(Some(on_msg.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_err.as_ref().unchecked_ref()));
            let init = dom::obj(&[
                ("kind", dom::s("init")),
                ("glue", dom::s(&glue)),
                ("wasm", dom::s(&wasm)),
            ]);
            worker
                .post_message(&init)
                .map_err(|_| String::from("could not reach a Web Worker"))?;
            pool.workers.push(worker);
            pool._handlers.push((on_msg, on_err));
        }
        for k in 0..pool.workers.len() {
            pool.dispatch(k);
        }
        Ok(pool)
    }

    pub fn generation(&self) -> u32 {
        self.generation
    }

    pub fn yaml(&self) -> &str {
        &self.yaml
    }

    /// Hands worker `k` the next replication, if any is left.
    pub fn dispatch(&mut self, k: usize) {
        let Some(index) = self.state.next_index() else {
            return;
        };
        let seed = self.seed.as_deref().map_or(JsValue::NULL, dom::s);
        let msg = dom::obj(&[
            ("kind", dom::s("run")),
            ("yaml", dom::s(&self.yaml)),
            ("seed", seed),
            ("index", dom::n(index)),
        ]);
        if let Some(w) = self.workers.get(k) {
            let _ = w.post_message(&msg);
        }
    }

    /// Records a worker's replication and gives it the next one.
    pub fn on_done(&mut self, worker: usize, index: u32, outcome: Outcome) {
        self.state.record(index, outcome);
        self.dispatch(worker);
        if self.state.is_complete() {
            for w in self.workers.drain(..) {
                w.terminate();
            }
        }
    }

    /// Replication 0 — the page's live run — from its report and series.
    pub fn record_live(
        &mut self,
        report: &loopsim_core::Report,
        series: &loopsim_core::series::Series,
    ) {
        self.state.record(
            0,
            Outcome {
                leaves: replication::leaves(report),
                bands: replications::band_columns(series, BAND_ROWS),
            },
        );
        self.live_recorded = true;
    }
}

/// `{ path: { mean, half_width, n } }` of every figure with an interval, for scripts and tests.
pub fn figures_js(summary: Option<&replication::Summary>) -> JsValue {
    let out = Object::new();
    for (path, i) in summary.into_iter().flat_map(replication::Summary::iter) {
        let v = dom::obj(&[
            ("mean", dom::n(i.mean)),
            ("half_width", dom::n(i.half_width)),
            ("n", dom::n(i.n as f64)),
        ]);
        let _ = Reflect::set(&out, &JsValue::from_str(path), &v);
    }
    out.into()
}
