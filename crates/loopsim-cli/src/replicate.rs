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

use loopsim_core::replication::{self, Interval};
use loopsim_core::{Report, Scenario, Simulation};
use serde_json::{Map, Value};

/// The confidence of every interval.
pub const CONFIDENCE: f64 = 0.95;

/// The reports of `n` replications of `sc`, in replication order, run on `threads` threads;
/// `done` is called as each one finishes (for a progress bar).
pub fn run_all(sc: &Scenario, n: u32, threads: usize, done: &(dyn Fn() + Sync)) -> Vec<Report> {
    let next = AtomicU32::new(0);
    let results: Mutex<Vec<Option<Report>>> = Mutex::new(vec![None; n as usize]);
    std::thread::scope(|s| {
        for _ in 0..threads.clamp(1, n.max(1) as usize) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let mut one = sc.clone();
                one.seed = replication::seed(sc.seed, i);
                let mut sim = Simulation::new(one);
                sim.run();
                let report = sim.report();
                results.lock().expect("no thread panics holding it")[i as usize] = Some(report);
                done();
            });
        }
    });
    results
        .into_inner()
        .expect("no thread panicked")
        .into_iter()
        .map(|r| r.expect("every replication ran"))
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

/// The headline figures as text, each `mean ± half-width`.
pub fn text(reports: &[Report], name: &str) -> String {
    let n = reports.len();
    let mut out = format!(
        "{name}: {n} replications, mean ± 95% confidence half-width (Student t, {} degrees of freedom)\n\n",
        n - 1
    );
    let mut line = |label: &str, f: &dyn Fn(&Report) -> Option<f64>, unit: Unit| {
        let xs: Option<Vec<f64>> = reports.iter().map(f).collect();
        if let Some(i) = xs.and_then(|xs| Interval::of(&xs, CONFIDENCE)) {
            out.push_str(&format!("  {label:<34} {}\n", unit.show(&i)));
        }
    };
    line("throughput", &|r| Some(r.throughput_rps), Unit::Rate);
    line("goodput", &|r| Some(r.goodput_rps), Unit::Rate);
    line("error rate", &|r| Some(r.error_rate), Unit::Share);
    line("latency mean", &|r| r.latency_s.mean, Unit::Seconds);
    line("latency p50", &|r| r.latency_s.p50, Unit::Seconds);
    line("latency p95", &|r| r.latency_s.p95, Unit::Seconds);
    line("latency p99", &|r| r.latency_s.p99, Unit::Seconds);
    for (svc, _) in &reports[0].services.0 {
        let get = |r: &Report| r.services.get(svc).cloned();
        line(
            &format!("{svc} utilisation"),
            &|r| get(r).and_then(|s| s.utilization),
            Unit::Share,
        );
        line(
            &format!("{svc} loop lag p99"),
            &|r| get(r).and_then(|s| s.loop_lag_s.p99),
            Unit::Seconds,
        );
    }
    for (svc, s) in &reports[0].services.0 {
        for (pool, _) in &s.pools.0 {
            let get = |r: &Report| r.services.get(svc).and_then(|s| s.pools.get(pool).cloned());
            line(
                &format!("{svc}/{pool} pool utilisation"),
                &|r| get(r).and_then(|p| p.utilization),
                Unit::Share,
            );
            line(
                &format!("{svc}/{pool} pool wait p99"),
                &|r| get(r).and_then(|p| p.wait_s.p99),
                Unit::Seconds,
            );
        }
    }
    for (e, _) in &reports[0].endpoints.0 {
        line(
            &format!("endpoint {e} p99"),
            &|r| r.endpoints.get(e).and_then(|x| x.latency_s.p99),
            Unit::Seconds,
        );
    }
    for (w, _) in &reports[0].workloads.0 {
        line(
            &format!("workload {w} p99"),
            &|r| r.workloads.get(w).and_then(|x| x.latency_s.p99),
            Unit::Seconds,
        );
    }
    for slo in &reports[0].slo {
        let name = &slo.name;
        line(
            &format!("slo {name} SLI"),
            &|r| r.slo.iter().find(|o| &o.name == name).map(|o| o.sli),
            Unit::Share,
        );
    }
    out.push_str("\n  every figure with its interval: --json (a `<key>_ci` beside each number)\n");
    out
}

#[derive(Clone, Copy)]
enum Unit {
    Rate,
    Share,
    Seconds,
}

impl Unit {
    fn show(self, i: &Interval) -> String {
        match self {
            Unit::Rate => format!("{:.2} ± {:.2} req/s", i.mean, i.half_width),
            Unit::Share => format!("{:.3}% ± {:.3}%", 100.0 * i.mean, 100.0 * i.half_width),
            Unit::Seconds => format!("{:.3} ms ± {:.3} ms", 1e3 * i.mean, 1e3 * i.half_width),
        }
    }
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
