//! `loopsim run --replications N`: independent replications on every core, and their reports
//! combined into one with a Student t interval beside every number.
//!
//! Replication `i` runs with `loopsim_core::replication::seed(seed, i)` (0 is the scenario's own
//! seed); threads take the next index from a shared counter and results are stored by index, so
//! the output does not depend on how many threads ran them. The combined JSON is the report's
//! own shape with each number replaced by its mean over the replications and, beside it, a
//! `<key>_ci` object (`half_width`, `confidence`, `n`): the interval is `mean ± half_width`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use loopsim_core::replication::{self, Interval, Summary, CONFIDENCE};
use loopsim_core::report::Named;
use loopsim_core::scenario::model::WarmupRule;
use loopsim_core::{warmup, Report, Scenario, Simulation};
use loopsim_view::figure::At;
use loopsim_view::tables::{self, Cell, Row};
use serde_json::{Map, Value};

/// The reports of `n` replications of `sc`, in replication order, run on `threads` threads;
/// `done` is called as each run finishes (for a progress bar: [`runs`] of them). With
/// `warmup: auto`, every replication's first pass runs first and one cut is chosen on all of
/// them (`loopsim_core::warmup::choose`).
pub fn run_all(sc: &Scenario, n: u32, threads: usize, done: &(dyn Fn() + Sync)) -> Vec<Report> {
    let sc = &settle_all(sc, n, threads, done);
    parallel(n, threads, done, |i| {
        let mut sim = Simulation::new(with_seed(sc, i));
        sim.run();
        sim.report()
    })
}

/// The runs [`run_all`] makes: two per replication with `warmup: auto`.
pub fn runs(sc: &Scenario, n: u32) -> u64 {
    let passes = if sc.warmup_rule == WarmupRule::Auto {
        2
    } else {
        1
    };
    u64::from(n) * passes
}

/// Replication `i` of `sc`: its seed derived from the scenario's.
pub fn with_seed(sc: &Scenario, i: u32) -> Scenario {
    let mut one = sc.clone();
    one.seed = replication::seed(sc.seed, i);
    one
}

/// `sc` with `warmup: auto` chosen on the first passes of its `n` replications.
fn settle_all(sc: &Scenario, n: u32, threads: usize, done: &(dyn Fn() + Sync)) -> Scenario {
    if sc.warmup_rule != WarmupRule::Auto {
        return sc.clone();
    }
    let series = parallel(n, threads, done, |i| warmup::pilot(&with_seed(sc, i)));
    warmup::apply(sc, warmup::choose(&series))
}

/// `work(0..n)` on `threads` threads, results in index order: threads take the next index
/// from a shared counter, so the results do not depend on how many threads there are.
pub fn parallel<T: Send>(
    n: u32,
    threads: usize,
    done: &(dyn Fn() + Sync),
    work: impl Fn(u32) -> T + Sync,
) -> Vec<T> {
    let next = AtomicU32::new(0);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads.clamp(1, n.max(1) as usize) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let r = work(i);
                results.lock().expect("no thread panics holding it")[i as usize] = Some(r);
                done();
            });
        }
    });
    results
        .into_inner()
        .expect("no thread panicked")
        .into_iter()
        .map(|r| r.expect("every index ran"))
        .collect()
}

/// The replications' JSON reports combined: means, with a `<key>_ci` beside each number that
/// is finite in every replication; everything else (text, verdicts, lists of different
/// lengths) as replication 0 has it. A `replications` object says how it was made.
pub fn combine(reports: &[Value], seeds: &[u64]) -> Value {
    let mut out = merge(reports);
    if let Value::Object(map) = &mut out {
        let mut about = Map::new();
        about.insert("n".into(), Value::from(reports.len()));
        about.insert("confidence".into(), Value::from(CONFIDENCE));
        about.insert(
            "method".into(),
            Value::from("mean across independent replications ± Student t half-width (n − 1 degrees of freedom)"),
        );
        about.insert("seeds".into(), Value::from(seeds.to_vec()));
        map.insert("replications".into(), Value::Object(about));
    }
    out
}

/// Numbers that are identities, not measurements: kept as replication 0 has them.
const IDENTITIES: [&str; 1] = ["seed"];

fn merge(values: &[Value]) -> Value {
    match &values[0] {
        Value::Object(first) => {
            let mut out = Map::new();
            for (key, v) in first {
                if IDENTITIES.contains(&key.as_str()) {
                    out.insert(key.clone(), v.clone());
                    continue;
                }
                let same: Vec<Value> = values.iter().filter_map(|r| r.get(key).cloned()).collect();
                if same.len() != values.len() {
                    out.insert(key.clone(), v.clone());
                    continue;
                }
                if let Some(i) = interval(&same) {
                    out.insert(key.clone(), number(i.mean));
                    out.insert(format!("{key}_ci"), ci(&i));
                } else {
                    out.insert(key.clone(), merge(&same));
                }
            }
            Value::Object(out)
        }
        Value::Array(first) => {
            let lengths_agree = values
                .iter()
                .all(|v| v.as_array().is_some_and(|a| a.len() == first.len()));
            if !lengths_agree {
                return values[0].clone();
            }
            let items = (0..first.len())
                .map(|k| {
                    let column: Vec<Value> = values.iter().map(|v| v[k].clone()).collect();
                    match interval(&column) {
                        // A list of plain numbers (no key to put an interval beside): the means.
                        Some(i) => number(i.mean),
                        None => merge(&column),
                    }
                })
                .collect();
            Value::Array(items)
        }
        other => other.clone(),
    }
}

/// The interval of a set of JSON numbers (`None` when any is not a number; integers that
/// never vary still get a zero-width interval).
fn interval(values: &[Value]) -> Option<Interval> {
    let xs: Option<Vec<f64>> = values.iter().map(Value::as_f64).collect();
    Interval::of(&xs?, CONFIDENCE)
}

fn number(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

fn ci(i: &Interval) -> Value {
    let mut m = Map::new();
    m.insert("half_width".into(), number(i.half_width));
    m.insert("confidence".into(), Value::from(i.confidence));
    m.insert("n".into(), Value::from(i.n));
    Value::Object(m)
}

/// The report as text with every figure `mean ± half-width`: the page's summary and tables
/// (`loopsim_view::tables`, read through the replications' [`Summary`]), then each endpoint's
/// figures. Rows and names come from replication 0.
pub fn text(reports: &[Report], name: &str) -> String {
    let n = reports.len();
    let summary = Summary::of(reports);
    let first = &reports[0];
    let mut out = format!(
        "{name}: {n} replications — every figure is the mean ± the half-width of its 95% \
         confidence interval (Student t, {} degrees of freedom)\n\n",
        n - 1
    );
    if first.warmup_auto.is_some() {
        out.push_str(&warmup_text(reports, &summary));
    }
    let [left, right] = tables::summary(first, Some(&summary));
    for (label, cell) in left.iter().chain(&right) {
        out.push_str(&format!("  {label:<30} {}\n", cell.text));
    }
    for t in tables::all(first, Some(&summary)) {
        if !t.rows.is_empty() {
            table_text(&mut out, t.title, t.headers, &t.rows);
        }
    }
    let endpoints = endpoint_rows(first, &summary);
    if !endpoints.is_empty() {
        table_text(&mut out, "Endpoints", ENDPOINT_HEADERS, &endpoints);
    }
    let calls = call_rows(first, &summary);
    if !calls.is_empty() {
        table_text(&mut out, "Calls", CALL_HEADERS, &calls);
    }
    out.push_str(&health_text(reports, &summary));
    let seeds: Vec<String> = reports.iter().take(3).map(|r| r.seed.to_string()).collect();
    out.push_str(&format!(
        "\n  seeds: {}{} (replication i runs with seed(scenario seed, i), 0 being the \
         scenario's own; --json lists them all)\n",
        seeds.join(", "),
        if n > 3 { ", …" } else { "" }
    ));
    out
}

/// `warmup: auto`: the cuts MSER-5 chose, and in how many replications the run settled.
fn warmup_text(reports: &[Report], summary: &Summary) -> String {
    let settled = reports
        .iter()
        .filter(|r| r.warmup_auto.is_some_and(|c| c.settled))
        .count();
    let cuts: Vec<String> = reports
        .iter()
        .map(|r| format!("{:.1}", r.warmup_s))
        .collect();
    format!(
        "  warm-up (auto, MSER-5 on each replication's response time): {} s; settled in {settled} \
         of {}{}\n  cuts (s): {}\n\n",
        At::top(Some(summary)).real("warmup_s", Some(reports[0].warmup_s)),
        reports.len(),
        if settled < reports.len() {
            " — where it did not, the response time was still drifting at mid-run: run longer"
        } else {
            ""
        },
        cuts.join(", ")
    )
}

/// The health score's interval, and how many replications ended in each status.
fn health_text(reports: &[Report], summary: &Summary) -> String {
    let at = At::top(Some(summary)).under(&["health"]);
    let mut statuses: Vec<(&str, usize)> = Vec::new();
    for r in reports {
        let s = r.health.status.as_str();
        match statuses.iter_mut().find(|(k, _)| *k == s) {
            Some((_, c)) => *c += 1,
            None => statuses.push((s, 1)),
        }
    }
    let counted: Vec<String> = statuses
        .iter()
        .map(|(s, c)| format!("{s} in {c}"))
        .collect();
    format!(
        "\nHealth\n  worst-window score {} (runtime auditor); status: {} of {} replications\n",
        at.real("score", Some(reports[0].health.score)),
        counted.join(", "),
        reports.len()
    )
}

const CALL_HEADERS: &[&str] = &["Call", "Ok", "Failed", "Mean", "p99", "Hedges", "Fallbacks"];

/// Each `call` step's outcomes and latency.
fn call_rows(r: &Report, summary: &Summary) -> Vec<Row> {
    named_rows(&r.call_sites, "call_sites", summary, |at, c| {
        let lat = at.under(&["latency_s"]);
        vec![
            at.count("ok", c.ok),
            at.count("failed", c.failed),
            lat.secs("mean", c.latency_s.mean),
            lat.secs("p99", c.latency_s.p99),
            at.count("hedges", c.hedges),
            at.count("fallbacks", c.fallbacks),
        ]
    })
}

const ENDPOINT_HEADERS: &[&str] = &["Endpoint", "Ok", "Failed", "Mean", "p50", "p99", "max"];

/// Each endpoint's requests and time in service.
fn endpoint_rows(r: &Report, summary: &Summary) -> Vec<Row> {
    named_rows(&r.endpoints, "endpoints", summary, |at, e| {
        let lat = at.under(&["latency_s"]);
        vec![
            at.count("ok", e.ok),
            at.count("failed", e.failed),
            lat.secs("mean", e.latency_s.mean),
            lat.secs("p50", e.latency_s.p50),
            lat.secs("p99", e.latency_s.p99),
            lat.secs("max", e.latency_s.max),
        ]
    })
}

/// One row per entry of the report's `section`: its name, then `cells` read under
/// `section.<name>`.
fn named_rows<T>(
    items: &Named<T>,
    section: &str,
    summary: &Summary,
    cells: impl Fn(&At, &T) -> Vec<String>,
) -> Vec<Row> {
    items
        .0
        .iter()
        .map(|(name, item)| {
            let at = At::top(Some(summary)).under(&[section, name]);
            let mut row = vec![name.clone()];
            row.extend(cells(&at, item));
            Row::of(row.into_iter().map(Cell::plain).collect())
        })
        .collect()
}

/// A titled table as text: the name column left-aligned, the figures right-aligned.
fn table_text(out: &mut String, title: &str, headers: &[&str], rows: &[Row]) {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.cells.iter().map(|c| c.text.clone()).collect())
        .collect();
    out.push_str(&format!("\n{title}\n"));
    crate::text::table(out, headers, &cells, 1);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_become_means_with_intervals_and_the_rest_is_kept() {
        let a = json!({ "name": "x", "p99": 1.0, "list": [1.0, 2.0], "odd": [1], "nested": { "n": 2 } });
        let b = json!({ "name": "x", "p99": 3.0, "list": [3.0, 4.0], "odd": [1, 2], "nested": { "n": 2 } });
        let m = combine(&[a, b], &[7, 8]);
        assert_eq!(m["p99"], json!(2.0));
        assert_eq!(m["p99_ci"]["n"], json!(2));
        // t(0.975, 1) × sd/√n = 12.706 × √2/√2.
        let h = m["p99_ci"]["half_width"].as_f64().unwrap();
        assert!((h - 12.706).abs() < 1e-3, "{h}");
        assert_eq!(m["list"], json!([2.0, 3.0]));
        assert_eq!(m["odd"], json!([1]));
        assert_eq!(m["nested"]["n"], json!(2.0));
        assert_eq!(m["nested"]["n_ci"]["half_width"], json!(0.0));
        assert_eq!(m["name"], json!("x"));
        assert_eq!(m["replications"]["seeds"], json!([7, 8]));
        let seeds = combine(&[json!({ "seed": 7 }), json!({ "seed": 9 })], &[7, 9]);
        assert_eq!(seeds["seed"], json!(7));
        assert!(seeds.get("seed_ci").is_none());
    }

    /// The replications' reports do not depend on how many threads ran them.
    #[test]
    fn the_thread_count_changes_nothing() {
        let yaml = "version: 1\nseed: 3\nduration: 20s\nworkload:\n  - { to: api, rate: 50/s }\n\
                    services:\n  api:\n    endpoints:\n      /: [ { cpu: { dist: exponential, mean: 10ms } } ]\n";
        let sc = loopsim_core::check(yaml).scenario.expect("valid");
        let count = std::sync::atomic::AtomicU32::new(0);
        let tick = || {
            count.fetch_add(1, Ordering::Relaxed);
        };
        let one = run_all(&sc, 5, 1, &tick);
        let three = run_all(&sc, 5, 3, &tick);
        assert_eq!(count.load(Ordering::Relaxed), 10);
        assert_eq!(one, three);
        assert_eq!(one[0].seed, 3);
        assert_ne!(one[0].latency_s.mean, one[1].latency_s.mean);
    }
}
