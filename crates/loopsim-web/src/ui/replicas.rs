//! Replications and sweeps in Web Workers: the worker side (`loopsimReplicate` and
//! `loopsimSweepRun`, exported from this same wasm module, which `web/replication-worker.js`
//! loads in each worker — no second download) and the page side (a pool of module workers
//! handed one run at a time, cancelled by terminating them). The scenario text goes to the workers as a string in a message: data,
//! parsed by the same checker as on the page, never evaluated.

use std::cell::Cell;

use js_sys::{Array, Float64Array, Object, Reflect};
use loopsim_core::sweep::{RunFigures, Sweep};
use loopsim_core::{replication, warmup};
use loopsim_wasm::Session;
use loopsim_web::replications::{self, Job, Outcome, Replications, BAND_ROWS};
use loopsim_web::sweeps::SweepRuns;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use super::dom;

/// The worker script (copied to `dist/` by Trunk, next to `index.html`).
const WORKER_URL: &str = "replication-worker.js";

// ----- worker side ---------------------------------------------------------------------------

/// The scenario of `yaml` as written (a `warmup: auto` not settled yet), seeded from `seed`
/// (the page's seed box) when given. Throws a message when the text does not check (the page
/// validated it, so only a changed checker could get here).
fn base_scenario(yaml: &str, seed: Option<String>) -> Result<loopsim_core::Scenario, JsValue> {
    let checked = loopsim_core::check(yaml);
    let mut sc = checked.scenario.ok_or_else(|| {
        let first = checked
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .map(|d| d.message.clone())
            .unwrap_or_default();
        JsValue::from_str(&format!("the scenario does not check: {first}"))
    })?;
    if let Some(text) = seed.as_deref() {
        sc.seed = loopsim_wasm::parse_seed(text).map_err(|e| JsValue::from_str(&e))?;
    }
    Ok(sc)
}

/// Replication `index` of `sc`: its seed derived as the CLI's `--replications` derives it.
fn with_seed(sc: &loopsim_core::Scenario, index: u32) -> loopsim_core::Scenario {
    let mut one = sc.clone();
    one.seed = replication::seed(sc.seed, index);
    one
}

/// `warmup: auto`: replication `index`'s first pass — its response-time series, from which
/// the page chooses one cut for all (`loopsim_core::warmup::choose`).
#[wasm_bindgen(js_name = loopsimFirstPass)]
pub fn first_pass(yaml: &str, seed: Option<String>, index: u32) -> Result<JsValue, JsValue> {
    let sc = base_scenario(yaml, seed)?;
    let series = warmup::pilot(&with_seed(&sc, index));
    Ok(dom::obj(&[
        ("index", dom::n(index)),
        ("series", Float64Array::from(series.as_slice()).into()),
    ]))
}

/// Runs replication `index` of `yaml` to its end — measured from the common `warmup: auto`
/// cut (`cut_samples`, `cut_settled`) when the page chose one — and returns
/// `{ index, paths, values, bands }`: every figure by dotted path and the band columns (time
/// first).
#[wasm_bindgen(js_name = loopsimReplicate)]
pub fn replicate(
    yaml: &str,
    seed: Option<String>,
    index: u32,
    cut_samples: Option<u32>,
    cut_settled: Option<bool>,
) -> Result<JsValue, JsValue> {
    let mut sc = with_seed(&base_scenario(yaml, seed)?, index);
    if let Some(dropped_samples) = cut_samples {
        let cut = warmup::Cut {
            dropped_samples,
            settled: cut_settled.unwrap_or(true),
        };
        sc = warmup::apply(&sc, cut);
    }
    let mut session = Session::from_scenario(sc);
    session.run_to_end();
    let outcome = Outcome {
        leaves: replication::leaves(&session.report()),
        bands: replications::band_columns(session.series(), BAND_ROWS),
    };
    Ok(outcome_to_js(index, &outcome))
}

/// Runs replication `rep` of sweep point `point` of `yaml` (the point's scenario, seeded like
/// the CLI's sweep: `replication::seed(seed, rep)` at every point); returns
/// `{ point, replication, figures }` with the figures a capacity curve shows.
#[wasm_bindgen(js_name = loopsimSweepRun)]
pub fn sweep_run(
    yaml: &str,
    seed: Option<String>,
    point: u32,
    rep: u32,
) -> Result<JsValue, JsValue> {
    let seed_box = seed.is_some();
    let base = base_scenario(yaml, seed)?;
    let sweep = base
        .sweep
        .as_ref()
        .ok_or_else(|| JsValue::from_str("the scenario has no valid sweep"))?;
    let mut sc = sweep
        .scenario_at(yaml, point as usize)
        .map_err(|d| JsValue::from_str(&d.message))?;
    // The page's seed box (read into `base`) applies at every point; without it each point
    // keeps its own (a sweep may vary `seed` itself).
    if seed_box {
        sc.seed = base.seed;
    }
    let mut session = Session::from_scenario(with_seed(&sc, rep));
    session.run_to_end();
    let f = RunFigures::of(&session.report());
    Ok(dom::obj(&[
        ("point", dom::n(point)),
        ("replication", dom::n(rep)),
        ("figures", figures_to_js(&f)),
    ]))
}

/// `RunFigures` as a plain object (`NaN` for an absent p99 or utilisation).
fn figures_to_js(f: &RunFigures) -> JsValue {
    let opt = |v: Option<f64>| v.unwrap_or(f64::NAN);
    let names = |it: &mut dyn Iterator<Item = &String>| {
        let a = Array::new();
        for n in it {
            a.push(&JsValue::from_str(n));
        }
        JsValue::from(a)
    };
    let floats = |v: Vec<f64>| JsValue::from(Float64Array::from(v.as_slice()));
    dom::obj(&[
        ("p99", dom::n(opt(f.p99_s))),
        ("goodput", dom::n(f.goodput_rps)),
        ("throughput", dom::n(f.throughput_rps)),
        ("errorRate", dom::n(f.error_rate)),
        ("utilNames", names(&mut f.utilisation.iter().map(|u| &u.0))),
        (
            "util",
            floats(f.utilisation.iter().map(|u| opt(u.1)).collect()),
        ),
        ("sloNames", names(&mut f.slos.iter().map(|s| &s.0))),
        ("sli", floats(f.slos.iter().map(|s| s.1).collect())),
        ("objective", floats(f.slos.iter().map(|s| s.2).collect())),
    ])
}

fn figures_from_js(v: &JsValue) -> Option<RunFigures> {
    let get = |k: &str| Reflect::get(v, &JsValue::from_str(k)).ok();
    let num = |k: &str| get(k).and_then(|x| x.as_f64());
    let opt = |x: f64| x.is_finite().then_some(x);
    let strings = |k: &str| -> Option<Vec<String>> {
        let a: Array = get(k)?.dyn_into().ok()?;
        a.iter().map(|s| s.as_string()).collect()
    };
    let floats = |k: &str| get(k).map(|a| Float64Array::new(&a).to_vec());
    let util = floats("util")?;
    let (sli, objective) = (floats("sli")?, floats("objective")?);
    Some(RunFigures {
        p99_s: opt(num("p99")?),
        goodput_rps: num("goodput")?,
        throughput_rps: num("throughput")?,
        error_rate: num("errorRate")?,
        utilisation: strings("utilNames")?
            .into_iter()
            .zip(util)
            .map(|(n, u)| (n, opt(u)))
            .collect(),
        slos: strings("sloNames")?
            .into_iter()
            .zip(sli.into_iter().zip(objective))
            .map(|(n, (s, o))| (n, s, o))
            .collect(),
    })
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
    /// A first pass done (`warmup: auto`): replication `index`'s response-time series.
    FirstPassDone {
        worker: usize,
        index: u32,
        series: Vec<f64>,
    },
    /// A sweep run done.
    SweepDone {
        worker: usize,
        point: usize,
        replication: u32,
        figures: RunFigures,
    },
    Failed(String),
}

/// What the workers run: the replications of one scenario, or the runs of a sweep.
pub enum Work {
    Replications(Replications),
    Sweep { sweep: Sweep, runs: SweepRuns },
}

/// A worker's message → [`Message`] (`k`: the worker's number).
fn read_message(k: usize, data: &JsValue) -> Message {
    let field = |name: &str| Reflect::get(data, &JsValue::from_str(name)).ok();
    let kind = field("kind").and_then(|k| k.as_string());
    let out = field("out").unwrap_or(JsValue::NULL);
    let malformed = || Message::Failed(String::from("a worker sent a malformed result"));
    match kind.as_deref() {
        Some("done") => match outcome_from_js(&out) {
            Some((index, outcome)) => Message::Done {
                worker: k,
                index,
                outcome,
            },
            None => malformed(),
        },
        Some("first-done") => {
            let index = Reflect::get(&out, &"index".into())
                .ok()
                .and_then(|v| v.as_f64());
            let series = Reflect::get(&out, &"series".into()).ok();
            match (index, series) {
                (Some(i), Some(s)) => Message::FirstPassDone {
                    worker: k,
                    index: i as u32,
                    series: Float64Array::new(&s).to_vec(),
                },
                _ => malformed(),
            }
        }
        Some("sweep-done") => {
            let num = |n: &str| Reflect::get(&out, &JsValue::from_str(n)).ok()?.as_f64();
            let figures = Reflect::get(&out, &"figures".into())
                .ok()
                .as_ref()
                .and_then(figures_from_js);
            match (num("point"), num("replication"), figures) {
                (Some(p), Some(r), Some(figures)) => Message::SweepDone {
                    worker: k,
                    point: p as usize,
                    replication: r as u32,
                    figures,
                },
                _ => malformed(),
            }
        }
        _ => Message::Failed(
            field("message")
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| String::from("a worker failed")),
        ),
    }
}

type Handler = Closure<dyn FnMut(MessageEvent)>;
type ErrorHandler = Closure<dyn FnMut(web_sys::Event)>;

/// The workers of one replicated run or sweep, and the results so far.
pub struct Pool {
    workers: Vec<Worker>,
    _handlers: Vec<(Handler, ErrorHandler)>,
    pub work: Work,
    yaml: String,
    seed: Option<String>,
    generation: u32,
    /// Replication 0's outcome has been recorded (the page's live run finished).
    live_recorded: bool,
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

/// A module worker that loads the page's wasm module and answers with `on_message`.
fn spawn(
    k: usize,
    generation: u32,
    glue: &str,
    wasm: &str,
    on_message: impl Fn(u32, Message) + Clone + 'static,
) -> Result<(Worker, (Handler, ErrorHandler)), String> {
    let opts = WorkerOptions::new();
    opts.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(WORKER_URL, &opts)
        .map_err(|_| String::from("this browser cannot start a Web Worker"))?;
    let f = on_message.clone();
    let on_msg = Handler::new(move |e: MessageEvent| f(generation, read_message(k, &e.data())));
    let on_err = ErrorHandler::new(move |_e: web_sys::Event| {
        on_message(
            generation,
            Message::Failed(String::from("a worker could not start")),
        );
    });
    worker.set_onmessage(Some(on_msg.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_err.as_ref().unchecked_ref()));
    let init = dom::obj(&[
        ("kind", dom::s("init")),
        ("glue", dom::s(glue)),
        ("wasm", dom::s(wasm)),
    ]);
    worker
        .post_message(&init)
        .map_err(|_| String::from("could not reach a Web Worker"))?;
    Ok((worker, (on_msg, on_err)))
}

impl Pool {
    /// Starts workers for `work` on `yaml` (the page's seed box text as `seed`); `on_message`
    /// receives their answers tagged with this pool's generation.
    pub fn start(
        yaml: &str,
        seed: Option<String>,
        work: Work,
        on_message: impl Fn(u32, Message) + Clone + 'static,
    ) -> Result<Pool, String> {
        let (glue, wasm) =
            module_urls().ok_or("workers need the page's wasm module, whose link is missing")?;
        let generation = GENERATION.with(|g| {
            g.set(g.get() + 1);
            g.get()
        });
        // One more than the runs to hand out for a sweep: `worker_count` leaves replication 0
        // to the page, which runs none of a sweep's.
        let runs = match &work {
            // With `warmup: auto` the workers run all `n` (replication 0 included).
            Work::Replications(r) if !r.live_is_first() => r.n().saturating_add(1),
            Work::Replications(r) => r.n(),
            Work::Sweep { runs, .. } => (runs.points() as u32)
                .saturating_mul(runs.replications())
                .saturating_add(1),
        };
        let hardware = dom::window().navigator().hardware_concurrency();
        let mut pool = Pool {
            workers: Vec::new(),
            _handlers: Vec::new(),
            work,
            yaml: yaml.to_owned(),
            seed,
            generation,
            live_recorded: false,
        };
        for k in 0..replications::worker_count(hardware, runs) {
            let (worker, handlers) = spawn(k, generation, &glue, &wasm, on_message.clone())?;
            pool.workers.push(worker);
            pool._handlers.push(handlers);
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

    /// Hands worker `k` the next run, if any is left.
    fn dispatch(&mut self, k: usize) {
        let job = match &mut self.work {
            Work::Replications(r) => r.next_job().map(|job| match job {
                Job::FirstPass(i) => vec![("kind", dom::s("first")), ("index", dom::n(i))],
                Job::Run(i, cut) => {
                    let mut fields = vec![("kind", dom::s("run")), ("index", dom::n(i))];
                    if let Some(c) = cut {
                        fields.push(("cutSamples", dom::n(c.dropped_samples)));
                        fields.push(("cutSettled", JsValue::from_bool(c.settled)));
                    }
                    fields
                }
            }),
            Work::Sweep { runs, .. } => runs.next_run().map(|(p, r)| {
                vec![
                    ("kind", dom::s("sweep")),
                    ("point", dom::n(p as f64)),
                    ("replication", dom::n(r)),
                ]
            }),
        };
        let Some(mut fields) = job else { return };
        fields.push(("yaml", dom::s(&self.yaml)));
        fields.push(("seed", self.seed.as_deref().map_or(JsValue::NULL, dom::s)));
        if let Some(w) = self.workers.get(k) {
            let _ = w.post_message(&dom::obj(&fields));
        }
    }

    /// Records a worker's answer and gives it the next run; the workers go once all are in.
    pub fn record(&mut self, msg: Message) {
        let worker = match msg {
            Message::Done {
                worker,
                index,
                outcome,
            } => {
                if let Work::Replications(r) = &mut self.work {
                    r.record(index, outcome);
                }
                worker
            }
            Message::SweepDone {
                worker,
                point,
                replication,
                figures,
            } => {
                if let Work::Sweep { runs, .. } = &mut self.work {
                    runs.record(point, replication, figures);
                }
                worker
            }
            Message::FirstPassDone {
                worker,
                index,
                series,
            } => {
                let chosen = match &mut self.work {
                    Work::Replications(r) => r.record_first_pass(index, series),
                    Work::Sweep { .. } => false,
                };
                if chosen {
                    // Every worker has been idle since the first passes ran out.
                    for k in 0..self.workers.len() {
                        self.dispatch(k);
                    }
                    return;
                }
                worker
            }
            Message::Failed(_) => return,
        };
        self.dispatch(worker);
        let workers_done = match &self.work {
            // Replication 0 is the page's (unless `warmup: auto`): the workers are then done
            // one short of all.
            Work::Replications(r) => {
                let live = r.live_is_first() && !self.live_recorded;
                r.done() + u32::from(live) >= r.n()
            }
            Work::Sweep { runs, .. } => runs.is_complete(),
        };
        if workers_done {
            for w in self.workers.drain(..) {
                w.terminate();
            }
        }
    }

    /// `(done, total)`: replications, or sweep points.
    pub fn progress(&self) -> (u32, u32) {
        match &self.work {
            Work::Replications(r) => (r.done(), r.n()),
            Work::Sweep { runs, .. } => (runs.points_done() as u32, runs.points() as u32),
        }
    }

    pub fn progress_text(&self) -> String {
        match &self.work {
            Work::Replications(r) => r.progress_text(),
            Work::Sweep { runs, .. } => runs.progress_text(),
        }
    }

    /// Every run is in (for replications, the page's live one too).
    pub fn is_complete(&self) -> bool {
        match &self.work {
            Work::Replications(r) => r.is_complete() && self.live_recorded,
            Work::Sweep { runs, .. } => runs.is_complete(),
        }
    }

    /// Replication 0 — the page's live run — from its report and series (a sweep's live run
    /// is the scenario as written: not one of its runs).
    pub fn record_live(
        &mut self,
        report: &loopsim_core::Report,
        series: &loopsim_core::series::Series,
    ) {
        self.live_recorded = true;
        if let Work::Replications(r) = &mut self.work {
            if !r.live_is_first() {
                return;
            }
            r.record(
                0,
                Outcome {
                    leaves: replication::leaves(report),
                    bands: replications::band_columns(series, BAND_ROWS),
                },
            );
        }
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
