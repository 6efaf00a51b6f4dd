//! `loopsim run` of a scenario with a `sweep:` section, and the work plan that sharding and
//! `loopsim merge` share with it.
//!
//! A run is a list of *units*: unit `u` is replication `u % R` of sweep point `u / R` (a
//! scenario without a sweep is one point). Every unit's report is kept as JSON; the output is
//! made from the reports in unit order by [`finish`], whether they were run here, in one
//! process, or in several shards and merged, so all three print the same bytes.

use std::io::IsTerminal;

use loopsim_core::diag::{Diagnostic, Span};
use loopsim_core::replication::{self, CONFIDENCE};
use loopsim_core::scenario::model::WarmupRule;
use loopsim_core::sweep::{self, Axis, Capacity, Curve, Estimate, RunFigures, Sweep};
use loopsim_core::{warmup, Scenario, Simulation};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::replicate;

/// What a run is made of, enough to finish it from the units' reports alone (a shard file
/// carries it, so `loopsim merge` needs no scenario file).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The scenario's name.
    pub scenario: String,
    /// FNV-1a of the scenario text, seed and replications: shards of different runs are not
    /// merged.
    pub fingerprint: String,
    /// The seed of replication 0 at every point.
    pub seed: u64,
    pub replications: u32,
    /// The swept parameters; empty without a sweep.
    pub axes: Vec<PlanAxis>,
}

/// One swept parameter as the output shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanAxis {
    pub path: String,
    pub values: Vec<String>,
    pub numbers: Vec<Option<f64>>,
}

impl Plan {
    pub fn points(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }

    pub fn units(&self) -> usize {
        self.points() * self.replications as usize
    }

    /// Whether a plan read from a file (untrusted) describes a run this program could have
    /// made: one or two axes of matching values and numbers, 1 to `MAX_RUNS` runs.
    pub fn check(&self) -> Result<(), String> {
        let axes_ok = self.axes.len() <= 2
            && self
                .axes
                .iter()
                .all(|a| !a.values.is_empty() && a.values.len() == a.numbers.len());
        let runs = self.axes.iter().fold(u64::from(self.replications), |n, a| {
            n.saturating_mul(a.values.len() as u64)
        });
        if axes_ok && (1..=sweep::MAX_RUNS).contains(&runs) {
            Ok(())
        } else {
            Err(String::from(
                "its plan is not one loopsim makes (axes, values or run count)",
            ))
        }
    }

    /// The seed of replication `r` (the same at every point: common random numbers).
    pub fn seed_of(&self, r: u32) -> u64 {
        replication::seed(self.seed, r)
    }

    /// The sweep as the curves need it (values and paths; no source positions).
    fn sweep(&self) -> Option<Sweep> {
        (!self.axes.is_empty()).then(|| Sweep {
            key: Span::default(),
            section: Span::default(),
            axes: self
                .axes
                .iter()
                .map(|a| Axis {
                    path: a.path.clone(),
                    path_span: Span::default(),
                    target: Span::default(),
                    values: a
                        .values
                        .iter()
                        .zip(&a.numbers)
                        .map(|(v, n)| sweep::Value {
                            text: v.clone(),
                            label: v.clone(),
                            number: *n,
                            span: Span::default(),
                        })
                        .collect(),
                })
                .collect(),
        })
    }
}

/// A run ready to go: its plan and each point's scenario.
pub struct Study {
    pub plan: Plan,
    pub points: Vec<Scenario>,
}

impl Study {
    /// The study of `sc` (checked from `source`) with `replications` per point; `seed`
    /// overrides every point's seed. A sweep that asks for too many runs, or a point that is
    /// not a valid scenario, is refused with a diagnostic located in `source`.
    pub fn new(
        sc: &Scenario,
        source: &str,
        replications: u32,
        seed: Option<u64>,
    ) -> Result<Study, Diagnostic> {
        let base_seed = seed.unwrap_or(sc.seed);
        let (axes, points) = match &sc.sweep {
            None => (Vec::new(), vec![sc.clone()]),
            Some(sw) => {
                sw.check_runs(replications)?;
                let mut points = Vec::with_capacity(sw.points());
                for k in 0..sw.points() {
                    let mut p = sw.scenario_at(source, k)?;
                    p.seed = seed.unwrap_or(p.seed);
                    points.push(p);
                }
                let axes = sw
                    .axes
                    .iter()
                    .map(|a| PlanAxis {
                        path: a.path.clone(),
                        values: a.values.iter().map(|v| v.label.clone()).collect(),
                        numbers: a.values.iter().map(|v| v.number).collect(),
                    })
                    .collect();
                (axes, points)
            }
        };
        Ok(Study {
            plan: Plan {
                scenario: sc.name.clone(),
                fingerprint: fingerprint(source, base_seed, replications),
                seed: base_seed,
                replications,
                axes,
            },
            points,
        })
    }

    /// Refuses to run `units` here when their estimated work passes the sweep's limit.
    pub fn check_work(&self, sc: &Scenario, units: &[usize]) -> Result<(), Diagnostic> {
        let Some(sw) = &sc.sweep else {
            return Ok(());
        };
        let per_point: Vec<f64> = self
            .points
            .iter()
            .map(|p| loopsim_core::estimate::estimate(p).events)
            .collect();
        let r = self.plan.replications as usize;
        sw.check_events(units.iter().map(|&u| per_point[u / r]).sum())
    }

    /// The reports of `units`, in that order, as JSON, on `threads` threads.
    ///
    /// With `warmup: auto`, each point touched first has its cut chosen on the first passes of
    /// all its replications (as `run --replications` does), whichever of them this process
    /// runs: a shard settles a point exactly as the unsharded run does.
    pub fn run(&self, units: &[usize], threads: usize) -> Vec<Value> {
        let r = self.plan.replications as usize;
        let mut touched: Vec<usize> = units.iter().map(|&u| u / r).collect();
        touched.dedup();
        let auto = self
            .points
            .iter()
            .any(|p| p.warmup_rule == WarmupRule::Auto);
        let pilots = if auto { touched.len() * r } else { 0 };
        let progress = progress_bar((units.len() + pilots) as u64, &self.plan.scenario, threads);
        let tick = || progress.inc(1);
        let mut settled: Vec<Option<Scenario>> = vec![None; self.points.len()];
        if auto {
            let pilot_jobs: Vec<(usize, u32)> = touched
                .iter()
                .flat_map(|&k| (0..r as u32).map(move |i| (k, i)))
                .collect();
            let series = replicate::parallel(pilot_jobs.len() as u32, threads, &tick, |j| {
                let (k, i) = pilot_jobs[j as usize];
                warmup::pilot(&replicate::with_seed(&self.points[k], i))
            });
            for (n, &k) in touched.iter().enumerate() {
                let cut = warmup::choose(&series[n * r..(n + 1) * r]);
                settled[k] = Some(warmup::apply(&self.points[k], cut));
            }
        }
        let reports = replicate::parallel(units.len() as u32, threads, &tick, |j| {
            let u = units[j as usize];
            let sc = settled[u / r].as_ref().unwrap_or(&self.points[u / r]);
            let mut sim = Simulation::new(replicate::with_seed(sc, (u % r) as u32));
            sim.run();
            sim.report()
        });
        progress.finish_and_clear();
        for (u, rep) in units.iter().zip(&reports) {
            if let Some(s) = &rep.stopped {
                eprintln!(
                    "loopsim: warning: point {} replication {} stopped early: {}",
                    u / r,
                    u % r,
                    s.message
                );
            }
        }
        reports
            .iter()
            .map(|rep| serde_json::to_value(rep).expect("reports always serialise"))
            .collect()
    }
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
fn progress_bar(len: u64, name: &str, threads: usize) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len).with_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} runs, {eta} left")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_message(format!("{name} on {threads} threads"));
    bar
}

/// FNV-1a (64 bits) of the scenario text, the seed and the replications.
fn fingerprint(source: &str, seed: u64, replications: u32) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let tail = format!("\0{seed}\0{replications}");
    for b in source.bytes().chain(tail.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The finished output of a run in each shape.
pub struct Output {
    pub json: String,
    pub text: String,
    pub csv: Option<String>,
}

/// The output of the run `plan` from every unit's report, in unit order.
pub fn finish(plan: &Plan, reports: &[Value]) -> Output {
    let r = plan.replications as usize;
    let seeds: Vec<u64> = (0..plan.replications).map(|i| plan.seed_of(i)).collect();
    let Some(sw) = plan.sweep() else {
        // Replications without a sweep: what `run --replications N --json` prints.
        let json = pretty(&replicate::combine(reports, &seeds));
        return Output {
            text: json.clone(),
            json,
            csv: None,
        };
    };
    let figures: Vec<Vec<RunFigures>> = reports
        .chunks(r)
        .map(|c| c.iter().map(figures).collect())
        .collect();
    let capacity = Capacity::of(&sw, &figures, CONFIDENCE);
    let points: Vec<Value> = reports
        .chunks(r)
        .enumerate()
        .map(|(k, c)| {
            let mut values = Map::new();
            for (path, label) in sw.values_at(k) {
                values.insert(path.to_string(), Value::from(label));
            }
            let report = if r > 1 {
                replicate::combine(c, &seeds)
            } else {
                c[0].clone()
            };
            let mut p = Map::new();
            p.insert("values".into(), Value::Object(values));
            p.insert("report".into(), report);
            Value::Object(p)
        })
        .collect();
    let mut about = Map::new();
    about.insert(
        "axes".into(),
        serde_json::to_value(&plan.axes).expect("plain data"),
    );
    about.insert("points".into(), Value::from(plan.points()));
    about.insert("replications".into(), Value::from(plan.replications));
    about.insert("seeds".into(), Value::from(seeds));
    about.insert("confidence".into(), Value::from(CONFIDENCE));
    let mut out = Map::new();
    out.insert("scenario".into(), Value::from(plan.scenario.clone()));
    out.insert("sweep".into(), Value::Object(about));
    out.insert(
        "capacity".into(),
        serde_json::to_value(&capacity).expect("plain data"),
    );
    out.insert("points".into(), Value::Array(points));
    Output {
        json: pretty(&Value::Object(out)),
        text: text(plan, &capacity),
        csv: Some(csv(&capacity)),
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("JSON values always serialise") + "\n"
}

/// A run's curve figures from its JSON report (the same fields as `RunFigures::of`).
fn figures(v: &Value) -> RunFigures {
    let num = |v: &Value| v.as_f64();
    RunFigures {
        p99_s: num(&v["latency_s"]["p99"]),
        goodput_rps: num(&v["goodput_rps"]).unwrap_or(0.0),
        throughput_rps: num(&v["throughput_rps"]).unwrap_or(0.0),
        error_rate: num(&v["error_rate"]).unwrap_or(0.0),
        utilisation: v["services"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, s)| (k.clone(), num(&s["utilization"])))
                    .collect()
            })
            .unwrap_or_default(),
        slos: v["slo"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|s| {
                        (
                            s["name"].as_str().unwrap_or("").to_string(),
                            num(&s["sli"]).unwrap_or(0.0),
                            num(&s["target"]).unwrap_or(1.0),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// The services shown in the text table: the three busiest at a curve's last point.
fn busiest(curve: &Curve) -> Vec<String> {
    let Some(last) = curve.points.iter().rev().find(|p| p.runs > 0) else {
        return Vec::new();
    };
    let mut by_load: Vec<(&String, f64)> = last
        .utilisation
        .iter()
        .map(|(n, e)| (n, e.mean.unwrap_or(0.0)))
        .collect();
    by_load.sort_by(|a, b| b.1.total_cmp(&a.1));
    by_load
        .into_iter()
        .take(3)
        .map(|(n, _)| n.clone())
        .collect()
}

/// `mean ± half-width` in `unit`, scaled by `scale`.
fn show(e: &Estimate, scale: f64, decimals: usize) -> String {
    match (e.mean, e.half_width) {
        (Some(m), Some(h)) => format!("{:.*} ± {:.*}", decimals, m * scale, decimals, h * scale),
        (Some(m), None) => format!("{:.*}", decimals, m * scale),
        _ => "—".to_string(),
    }
}

/// The curves as text tables, each with its knee.
fn text(plan: &Plan, cap: &Capacity) -> String {
    let rule = match cap.rule {
        sweep::KneeRule::Slo => {
            "the largest value before the first that misses an SLO (mean SLI below its objective)"
                .to_string()
        }
        sweep::KneeRule::P99Factor { factor } => format!(
            "no SLOs, so the last value before p99 exceeds {factor} × its value at the first point"
        ),
    };
    let mut out = format!(
        "{}: sweep of {} — {} points × {} replication{}",
        plan.scenario,
        plan.axes
            .iter()
            .map(|a| a.path.as_str())
            .collect::<Vec<_>>()
            .join(" × "),
        plan.points(),
        plan.replications,
        if plan.replications == 1 { "" } else { "s" }
    );
    if plan.replications > 1 {
        out.push_str(", mean ± 95% confidence half-width (Student t)");
    }
    out.push_str(&format!("\nknee rule: {rule}\n"));
    for curve in &cap.curves {
        out.push('\n');
        if let Some((path, value)) = &curve.series {
            out.push_str(&format!("{path} = {value}\n"));
        }
        let services = busiest(curve);
        let mut rows: Vec<Vec<String>> = vec![{
            let mut h = vec![
                cap.x.clone(),
                "p99 (ms)".into(),
                "goodput (req/s)".into(),
                "error rate (%)".into(),
            ];
            h.extend(services.iter().map(|s| format!("{s} util (%)")));
            if cap.rule == sweep::KneeRule::Slo {
                h.push("SLOs".into());
            }
            h
        }];
        for (i, p) in curve.points.iter().enumerate() {
            let mut row = vec![
                if curve.knee.index == Some(i) {
                    format!("{} ◀ knee", p.label)
                } else {
                    p.label.clone()
                },
                show(&p.p99_s, 1e3, 1),
                show(&p.goodput_rps, 1.0, 1),
                show(&p.error_rate, 100.0, 2),
            ];
            for s in &services {
                let e = p.utilisation.iter().find(|(n, _)| n == s).map(|(_, e)| *e);
                row.push(e.map_or("—".into(), |e| show(&e, 100.0, 1)));
            }
            if cap.rule == sweep::KneeRule::Slo {
                row.push(match p.slo_met {
                    Some(true) => "met".into(),
                    Some(false) => "missed".into(),
                    None => "—".into(),
                });
            }
            rows.push(row);
        }
        let widths: Vec<usize> = (0..rows[0].len())
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        for row in &rows {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
                .collect();
            out.push_str(&format!("  {}\n", cells.join("  ").trim_end()));
        }
        out.push_str(&format!("  {}\n", curve.knee.says));
    }
    out.push_str("\n  every figure of every point: --json; one row per point: --csv\n");
    out
}

/// One CSV row per point: the parameters, then each figure and its half-width.
fn csv(cap: &Capacity) -> String {
    let services: Vec<String> = cap
        .curves
        .first()
        .and_then(|c| c.points.first())
        .map(|p| p.utilisation.iter().map(|(n, _)| n.clone()).collect())
        .unwrap_or_default();
    let mut header = vec!["curve".to_string(), cap.x.clone(), "x".into()];
    for f in ["p99_s", "goodput_rps", "throughput_rps", "error_rate"] {
        header.push(f.into());
        header.push(format!("{f}_ci"));
    }
    for s in &services {
        header.push(format!("utilization.{s}"));
        header.push(format!("utilization.{s}_ci"));
    }
    header.extend(["slo_met".into(), "knee".into()]);
    let mut out = csv_line(&header);
    let num = |x: Option<f64>| x.map_or(String::new(), |x| x.to_string());
    for curve in &cap.curves {
        let name = curve
            .series
            .as_ref()
            .map_or(String::new(), |(p, v)| format!("{p} = {v}"));
        for (i, p) in curve.points.iter().enumerate() {
            let mut row = vec![name.clone(), p.label.clone(), p.x.to_string()];
            for e in [&p.p99_s, &p.goodput_rps, &p.throughput_rps, &p.error_rate] {
                row.push(num(e.mean));
                row.push(num(e.half_width));
            }
            for s in &services {
                let e = p.utilisation.iter().find(|(n, _)| n == s).map(|(_, e)| *e);
                row.push(num(e.and_then(|e| e.mean)));
                row.push(num(e.and_then(|e| e.half_width)));
            }
            row.push(p.slo_met.map_or(String::new(), |m| m.to_string()));
            row.push((curve.knee.index == Some(i)).to_string());
            out.push_str(&csv_line(&row));
        }
    }
    out
}

/// One CSV line (RFC 4180): fields with a comma, quote or line break are quoted.
fn csv_line(fields: &[String]) -> String {
    let cells: Vec<String> = fields
        .iter()
        .map(|f| {
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect();
    cells.join(",") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sweep's output does not depend on how many threads ran its units.
    #[test]
    fn the_thread_count_changes_nothing() {
        let yaml = "version: 1\nseed: 3\nduration: 20s\nworkload:\n  - { to: api, rate: 50/s }\n\
                    services:\n  api:\n    endpoints:\n      /: [ { cpu: { dist: exponential, mean: 10ms } } ]\n\
                    sweep:\n  workload[0].rate: [20/s, 50/s, 80/s]\n";
        let sc = loopsim_core::check(yaml).scenario.expect("valid");
        let study = Study::new(&sc, yaml, 3, None).unwrap_or_else(|d| panic!("{d:?}"));
        let units: Vec<usize> = (0..study.plan.units()).collect();
        let one = finish(&study.plan, &study.run(&units, 1));
        let three = finish(&study.plan, &study.run(&units, 3));
        assert_eq!(one.json, three.json);
        assert_eq!(one.text, three.text);
        assert_eq!(one.csv, three.csv);
        // A point's replication 0 is the point's own seed; the points share their seeds.
        let v: Value = serde_json::from_str(&one.json).unwrap();
        assert_eq!(v["sweep"]["seeds"][0], 3);
        assert_eq!(
            v["points"][2]["report"]["replications"]["seeds"],
            v["sweep"]["seeds"]
        );
    }
}
