//! Capacity curves and their knee.
//!
//! Each point of a sweep gives, per replication, a few headline figures ([`RunFigures`]): the
//! p99 response time, goodput, throughput, error rate, each service's utilisation and each SLO's
//! SLI. A curve is these figures along the first axis (one curve per value of the second), each
//! as the mean over the replications ± the half-width of a Student t interval (Law, §9.4.1, as
//! in [`crate::replication`]).
//!
//! The knee is read along the curve in the order the values are written, by one of two rules,
//! always named in the output:
//! - with SLOs, [`KneeRule::Slo`]: the last point before the first one that misses an SLO (a
//!   point meets an SLO when its mean SLI reaches the objective): the largest load that still
//!   meets the SLOs. For a resource sweep, write the values from the most to the least
//!   (`[8, 4, 2, 1]`) and the knee is the least that still meets them.
//! - without, [`KneeRule::P99Factor`]: the last point before p99 first exceeds
//!   [`KNEE_FACTOR`] × its value at the curve's first (lightest) point. For an M/M/1 queue
//!   p99 = ln(100)/(μ − λ), so from a light first point this is where ρ ≈ 1 − 1/5 = 0.8, the
//!   usual ceiling of capacity planning.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::Sweep;
use crate::replication::Interval;
use crate::Report;

/// How many times its light-load value p99 may grow before the knee, without SLOs.
pub const KNEE_FACTOR: f64 = 5.0;

/// The figures of one run that a capacity curve shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunFigures {
    /// p99 response time of successful requests (none when nothing succeeded).
    pub p99_s: Option<f64>,
    pub goodput_rps: f64,
    pub throughput_rps: f64,
    pub error_rate: f64,
    /// Each service's event-loop utilisation, in declaration order.
    pub utilisation: Vec<(String, Option<f64>)>,
    /// Each SLO: `(name, SLI, objective)`.
    pub slos: Vec<(String, f64, f64)>,
}

impl RunFigures {
    pub fn of(r: &Report) -> RunFigures {
        RunFigures {
            p99_s: r.latency_s.p99,
            goodput_rps: r.goodput_rps,
            throughput_rps: r.throughput_rps,
            error_rate: r.error_rate,
            utilisation: r
                .services
                .0
                .iter()
                .map(|(name, s)| (name.clone(), s.utilization))
                .collect(),
            slos: r
                .slo
                .iter()
                .map(|s| (s.name.clone(), s.sli, s.target))
                .collect(),
        }
    }
}

/// A mean over replications, with its interval's half-width when there are two or more.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// `None` when a replication has no value (e.g. no successful request for a p99).
    pub mean: Option<f64>,
    pub half_width: Option<f64>,
}

impl Estimate {
    /// The estimate from one value per replication, at `confidence`.
    pub fn of(values: &[Option<f64>], confidence: f64) -> Estimate {
        let xs: Option<Vec<f64>> = values.iter().copied().collect();
        let Some(xs) = xs.filter(|xs| !xs.is_empty() && xs.iter().all(|x| x.is_finite())) else {
            return Estimate {
                mean: None,
                half_width: None,
            };
        };
        match Interval::of(&xs, confidence) {
            Some(i) => Estimate {
                mean: Some(i.mean),
                half_width: Some(i.half_width),
            },
            None => Estimate {
                mean: Some(xs.iter().sum::<f64>() / xs.len() as f64),
                half_width: None,
            },
        }
    }
}

/// One point of a capacity curve.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// The sweep point's number ([`Sweep::coords`]).
    pub point: usize,
    /// The first axis's value as written (`300/s`).
    pub label: String,
    /// Its number (the value's index when it has none).
    pub x: f64,
    /// The replications behind it; 0 for a point not run yet (a curve being filled in), which
    /// the knee skips.
    pub runs: usize,
    pub p99_s: Estimate,
    pub goodput_rps: Estimate,
    pub throughput_rps: Estimate,
    pub error_rate: Estimate,
    /// Each service's utilisation.
    pub utilisation: Vec<(String, Estimate)>,
    /// Whether the mean SLI of every SLO reaches its objective (`None` without SLOs).
    pub slo_met: Option<bool>,
}

/// Which rule found the knee.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum KneeRule {
    /// The largest load that still meets every SLO.
    Slo,
    /// The last point before p99 exceeds `factor` × its value at the first point.
    P99Factor { factor: f64 },
}

/// Where a curve's knee is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Knee {
    /// Index into the curve's points; `None` when the first point already fails the rule.
    pub index: Option<usize>,
    /// The knee's value as written.
    pub value: Option<String>,
    /// Every point passed: the knee lies at or beyond the last value swept.
    pub beyond: bool,
    /// The sentence that says where the knee is and by which rule.
    pub says: String,
}

/// One curve: the figures along the first axis at one value of the second.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Curve {
    /// The second axis's `(path, value)` of this curve; `None` with one axis.
    pub series: Option<(String, String)>,
    pub points: Vec<CurvePoint>,
    pub knee: Knee,
}

/// The capacity curves of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Capacity {
    /// The first axis's path: the curves' x.
    pub x: String,
    pub rule: KneeRule,
    /// Replications behind each point.
    pub replications: usize,
    pub confidence: f64,
    pub curves: Vec<Curve>,
}

impl Capacity {
    /// The curves of `sweep` from `runs[k]`, the figures of point `k`'s replications (the same
    /// number at every point; none yet for a point still running), with intervals at
    /// `confidence`.
    pub fn of(sweep: &Sweep, runs: &[Vec<RunFigures>], confidence: f64) -> Capacity {
        let has_slos = runs
            .iter()
            .flatten()
            .next()
            .is_some_and(|f| !f.slos.is_empty());
        let rule = if has_slos {
            KneeRule::Slo
        } else {
            KneeRule::P99Factor {
                factor: KNEE_FACTOR,
            }
        };
        let along = sweep.axes[0].values.len();
        let curves = (0..sweep.points() / along.max(1))
            .map(|c| {
                let points: Vec<CurvePoint> = (0..along)
                    .map(|i| point(sweep, c * along + i, &runs[c * along + i], confidence))
                    .collect();
                let knee = knee(&sweep.axes[0].path, &points, rule);
                let series = sweep.axes.get(1).map(|a| {
                    let v = &a.values[c];
                    (a.path.clone(), v.label.clone())
                });
                Curve {
                    series,
                    points,
                    knee,
                }
            })
            .collect();
        Capacity {
            x: sweep.axes[0].path.clone(),
            rule,
            replications: runs.iter().map(Vec::len).max().unwrap_or(0),
            confidence,
            curves,
        }
    }
}

fn point(sweep: &Sweep, k: usize, runs: &[RunFigures], confidence: f64) -> CurvePoint {
    let i = sweep.coords(k)[0];
    let value = &sweep.axes[0].values[i];
    let est = |f: &dyn Fn(&RunFigures) -> Option<f64>| {
        Estimate::of(&runs.iter().map(f).collect::<Vec<_>>(), confidence)
    };
    let first = runs.first();
    let utilisation = first
        .map(|f| f.utilisation.as_slice())
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(s, (name, _))| {
            let e = est(&|f| f.utilisation.get(s).and_then(|u| u.1));
            (name.clone(), e)
        })
        .collect();
    let slos = first.map_or(0, |f| f.slos.len());
    let slo_met = (slos > 0).then(|| {
        (0..slos).all(|s| {
            let sli = est(&|f| f.slos.get(s).map(|x| x.1)).mean;
            let target = first.map_or(1.0, |f| f.slos[s].2);
            sli.is_some_and(|sli| sli >= target)
        })
    });
    CurvePoint {
        point: k,
        label: value.label.clone(),
        x: value.number.unwrap_or(i as f64),
        runs: runs.len(),
        p99_s: est(&|f| f.p99_s),
        goodput_rps: est(&|f| Some(f.goodput_rps)),
        throughput_rps: est(&|f| Some(f.throughput_rps)),
        error_rate: est(&|f| Some(f.error_rate)),
        utilisation,
        slo_met,
    }
}

/// The knee of one curve by `rule`, over the points run so far.
pub fn knee(path: &str, all: &[CurvePoint], rule: KneeRule) -> Knee {
    let run: Vec<CurvePoint> = all.iter().filter(|p| p.runs > 0).cloned().collect();
    let points = run.as_slice();
    let baseline = points.first().and_then(|p| p.p99_s.mean);
    let passes = |p: &CurvePoint| match rule {
        KneeRule::Slo => p.slo_met == Some(true),
        KneeRule::P99Factor { factor } => match (p.p99_s.mean, baseline) {
            (Some(v), Some(b)) => v <= factor * b,
            _ => false,
        },
    };
    let first_miss = points.iter().position(|p| !passes(p));
    let index = match first_miss {
        Some(0) => None,
        Some(m) => Some(m - 1),
        None => points.len().checked_sub(1),
    };
    let criterion = match rule {
        KneeRule::Slo => String::from("the largest value before the first that misses an SLO"),
        KneeRule::P99Factor { factor } => format!(
            "the last value before p99 exceeds {factor} × its value at the first point ({})",
            baseline.map_or_else(
                || "none".to_string(),
                |b| format!("{factor} × {} = {}", ms(b), ms(factor * b))
            )
        ),
    };
    let says = match (index, first_miss) {
        (Some(i), Some(m)) => format!(
            "knee at {path} = {}: {criterion}; {} {}",
            points[i].label,
            points[m].label,
            miss(&points[m], rule)
        ),
        (Some(i), None) => format!(
            "knee at or beyond {path} = {} (every value passes): {criterion}",
            points[i].label
        ),
        (None, _) if points.is_empty() => String::from("no points"),
        (None, _) => format!(
            "no knee: the first value, {path} = {}, already fails ({criterion})",
            points[0].label
        ),
    };
    Knee {
        // Back to an index among every point of the curve.
        index: index.and_then(|i| all.iter().position(|p| p.point == points[i].point)),
        value: index.map(|i| points[i].label.clone()),
        beyond: index.is_some() && first_miss.is_none(),
        says,
    }
}

fn miss(p: &CurvePoint, rule: KneeRule) -> String {
    match (rule, p.p99_s.mean) {
        (KneeRule::Slo, _) => String::from("misses"),
        (KneeRule::P99Factor { .. }, Some(v)) => format!("has p99 {}", ms(v)),
        (KneeRule::P99Factor { .. }, None) => String::from("has no successful request"),
    }
}

fn ms(s: f64) -> String {
    format!("{:.1} ms", s * 1e3)
}
