//! A sweep in the page: its runs (points × replications) handed to Web Workers point by point,
//! their figures kept by (point, replication), and the capacity curves of the points done so
//! far — the chart fills in as workers finish points. The curves and the knee come from
//! `loopsim_core::sweep` (the CLI's), so the page draws what `loopsim run` prints.

use loopsim_core::replication::CONFIDENCE;
use loopsim_core::sweep::curve::{self, Curve};
use loopsim_core::sweep::{Capacity, CurvePoint, Estimate, RunFigures, Sweep};

/// The runs of one sweep: `points × replications`, results stored by (point, replication).
#[derive(Clone, Debug)]
pub struct SweepRuns {
    runs: Vec<Vec<Option<RunFigures>>>,
    /// The next run to hand out, point-major (a point's replications together, so points
    /// complete in order and the curve grows from its light end).
    next: usize,
}

impl SweepRuns {
    pub fn new(points: usize, replications: u32) -> SweepRuns {
        SweepRuns {
            runs: vec![vec![None; replications.max(1) as usize]; points],
            next: 0,
        }
    }

    pub fn points(&self) -> usize {
        self.runs.len()
    }

    pub fn replications(&self) -> u32 {
        self.runs.first().map_or(1, |r| r.len() as u32)
    }

    /// The next `(point, replication)` for a worker; `None` once all are handed out.
    pub fn next_run(&mut self) -> Option<(usize, u32)> {
        let reps = self.replications() as usize;
        let k = self.next;
        (k < self.points() * reps).then(|| {
            self.next += 1;
            (k / reps, (k % reps) as u32)
        })
    }

    /// Stores a run's figures (a repeat or an unknown run is ignored).
    pub fn record(&mut self, point: usize, replication: u32, figures: RunFigures) {
        if let Some(slot) = self
            .runs
            .get_mut(point)
            .and_then(|p| p.get_mut(replication as usize))
        {
            slot.get_or_insert(figures);
        }
    }

    /// Whether every replication of point `k` is in.
    pub fn point_done(&self, k: usize) -> bool {
        self.runs
            .get(k)
            .is_some_and(|p| p.iter().all(Option::is_some))
    }

    pub fn points_done(&self) -> usize {
        (0..self.points()).filter(|&k| self.point_done(k)).count()
    }

    pub fn is_complete(&self) -> bool {
        self.points_done() == self.points()
    }

    /// "sweep points 3 / 10" (with "× 5 replications" when there are several).
    pub fn progress_text(&self) -> String {
        let reps = self.replications();
        let each = if reps > 1 {
            format!(" × {reps} replications")
        } else {
            String::new()
        };
        format!(
            "sweep points {} / {}{each}",
            self.points_done(),
            self.points()
        )
    }

    /// The capacity curves over the points done so far (each curve keeps only its done points,
    /// its knee read along them); `None` before the first point is done.
    pub fn capacity(&self, sweep: &Sweep) -> Option<Capacity> {
        let done: Vec<usize> = (0..self.points()).filter(|&k| self.point_done(k)).collect();
        let any: Vec<RunFigures> = self.figures_of(*done.first()?);
        // The points not done yet get a done point's figures as a stand-in, so the core's
        // curve builder (which wants every point) runs; they are dropped from the curves below.
        // A point's estimates depend only on its own runs, so the done points are unaffected.
        let runs: Vec<Vec<RunFigures>> = (0..self.points())
            .map(|k| {
                if self.point_done(k) {
                    self.figures_of(k)
                } else {
                    any.clone()
                }
            })
            .collect();
        let mut cap = Capacity::of(sweep, &runs, CONFIDENCE);
        let rule = cap.rule;
        for c in &mut cap.curves {
            c.points.retain(|p| done.contains(&p.point));
            c.knee = curve::knee(&cap.x, &c.points, rule);
        }
        cap.curves.retain(|c: &Curve| !c.points.is_empty());
        Some(cap)
    }

    fn figures_of(&self, k: usize) -> Vec<RunFigures> {
        self.runs[k].iter().flatten().cloned().collect()
    }
}

/// What the capacity chart's caption says: the knee of each curve, by which rule, and what
/// the bands are.
pub fn caption(cap: &Capacity, complete: bool) -> String {
    let mut out = String::new();
    for c in &cap.curves {
        if !out.is_empty() {
            out.push(' ');
        }
        if let Some((path, value)) = &c.series {
            out.push_str(&format!("{path} = {value}: "));
        }
        out.push_str(&c.knee.says);
        if !out.ends_with('.') {
            out.push('.');
        }
    }
    if cap.replications > 1 {
        out.push_str(&format!(
            " Shaded: mean ± 95% half-width over {} replications per point (Student t).",
            cap.replications
        ));
    }
    if !complete {
        out.push_str(" More points come in as the workers finish them; the knee may still move.");
    }
    out
}

/// Most utilisation lines on the capacity chart (the busiest services first).
pub const MAX_UTIL_LINES: usize = 6;

/// One line of a capacity chart: a figure of one curve at each x (NaN where the curve has no
/// point there yet), with its interval (NaN without one).
#[derive(Clone, Debug, PartialEq)]
pub struct CurveLine {
    pub label: String,
    /// The curve it belongs to (its colour).
    pub curve: usize,
    pub mean: Vec<f64>,
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
}

/// The x values of every point of every curve, ascending, once each.
pub fn xs(cap: &Capacity) -> Vec<f64> {
    let mut xs: Vec<f64> = cap
        .curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.x))
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    xs
}

/// The curve's name in a label: ` (services.api.workers = 2)` for a second axis, else nothing.
fn curve_suffix(cap: &Capacity, c: usize) -> String {
    cap.curves[c]
        .series
        .as_ref()
        .map_or_else(String::new, |(path, v)| format!(" ({path} = {v})"))
}

/// One line per curve of the figure `f` picks from a point, at `xs`, scaled by `k`.
pub fn lines(
    cap: &Capacity,
    xs: &[f64],
    name: &str,
    k: f64,
    f: impl Fn(&CurvePoint) -> Option<Estimate>,
) -> Vec<CurveLine> {
    (0..cap.curves.len())
        .map(|c| {
            let at = |x: f64| cap.curves[c].points.iter().find(|p| p.x == x).and_then(&f);
            let pick = |g: &dyn Fn(&Estimate) -> Option<f64>| -> Vec<f64> {
                xs.iter()
                    .map(|&x| at(x).and_then(|e| g(&e)).map_or(f64::NAN, |v| v * k))
                    .collect()
            };
            CurveLine {
                label: format!("{name}{}", curve_suffix(cap, c)),
                curve: c,
                mean: pick(&|e| e.mean),
                lo: pick(&|e| Some(e.mean? - e.half_width?)),
                hi: pick(&|e| Some(e.mean? + e.half_width?)),
            }
        })
        .collect()
}

/// The utilisation lines (in %): each service of each curve, the busiest (at the curve's last
/// point) first, at most [`MAX_UTIL_LINES`].
pub fn utilisation_lines(cap: &Capacity, xs: &[f64]) -> Vec<CurveLine> {
    let mut out: Vec<(f64, CurveLine)> = Vec::new();
    for (c, curve) in cap.curves.iter().enumerate() {
        let services: Vec<&str> = curve
            .points
            .first()
            .map(|p| p.utilisation.iter().map(|(s, _)| s.as_str()).collect())
            .unwrap_or_default();
        for service in services {
            let util = |p: &CurvePoint| {
                p.utilisation
                    .iter()
                    .find(|(s, _)| s == service)
                    .map(|(_, e)| *e)
            };
            let last = curve
                .points
                .last()
                .and_then(|p| util(p)?.mean)
                .unwrap_or(0.0);
            let mut line = lines(cap, xs, service, 100.0, util).swap_remove(c);
            line.label = format!("{service} busy{}", curve_suffix(cap, c));
            out.push((last, line));
        }
    }
    out.sort_by(|a, b| b.0.total_cmp(&a.0));
    out.into_iter()
        .take(MAX_UTIL_LINES)
        .map(|(_, l)| l)
        .collect()
}

/// The knee to mark on the chart: the first curve's, as `(x, "knee: 600/s")`.
pub fn knee_mark(cap: &Capacity) -> Option<(f64, String)> {
    let c = cap.curves.first()?;
    let i = c.knee.index?;
    let p = c.points.get(i)?;
    let beyond = if c.knee.beyond { " or beyond" } else { "" };
    Some((p.x, format!("knee: {}{beyond}", p.label)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(p99: f64) -> RunFigures {
        RunFigures {
            p99_s: Some(p99),
            goodput_rps: 10.0,
            throughput_rps: 10.0,
            error_rate: 0.0,
            utilisation: vec![(String::from("api"), Some(0.5))],
            slos: Vec::new(),
        }
    }

    const SHOP: &str = "version: 1\nname: S\nduration: 10s\nworkload:\n  - to: api\n    rate: 10/s\nservices:\n  api:\n    endpoints:\n      /:\n        - cpu: 1ms\nsweep:\n  workload[0].rate: [10/s, 20/s, 30/s]\n";

    fn sweep() -> Sweep {
        let checked = loopsim_core::check(SHOP);
        checked
            .scenario
            .and_then(|s| s.sweep)
            .unwrap_or_else(|| panic!("{:?}", checked.diagnostics))
    }

    #[test]
    fn runs_are_handed_out_point_by_point() {
        let mut s = SweepRuns::new(2, 3);
        let all: Vec<(usize, u32)> = core::iter::from_fn(|| s.next_run()).collect();
        assert_eq!(all, [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]);
        assert_eq!(s.progress_text(), "sweep points 0 / 2 × 3 replications");
        assert_eq!(SweepRuns::new(4, 1).progress_text(), "sweep points 0 / 4");
    }

    #[test]
    fn a_point_counts_once_all_its_replications_are_in() {
        let mut s = SweepRuns::new(2, 2);
        s.record(1, 0, figures(1.0));
        assert_eq!(s.points_done(), 0);
        s.record(1, 1, figures(1.0));
        s.record(1, 1, figures(9.0)); // a repeat keeps the first
        s.record(5, 0, figures(1.0)); // unknown: ignored
        assert_eq!(s.points_done(), 1);
        assert!(s.point_done(1) && !s.point_done(0));
        assert!(!s.is_complete());
    }

    #[test]
    fn the_curve_fills_in_with_the_points_done_and_equals_the_core_s_when_complete() {
        let sw = sweep();
        let mut s = SweepRuns::new(sw.points(), 2);
        assert!(s.capacity(&sw).is_none());
        // Point 2 first (workers finish out of order): a curve of one point.
        s.record(2, 1, figures(0.030));
        s.record(2, 0, figures(0.010));
        let cap = s.capacity(&sw).unwrap();
        assert_eq!(cap.curves[0].points.len(), 1);
        assert_eq!(cap.curves[0].points[0].label, "30/s");
        assert!((cap.curves[0].points[0].p99_s.mean.unwrap() - 0.020).abs() < 1e-12);
        for (k, p99) in [(0, 0.001), (1, 0.002)] {
            s.record(k, 0, figures(p99));
            s.record(k, 1, figures(p99));
        }
        let cap = s.capacity(&sw).unwrap();
        let runs: Vec<Vec<RunFigures>> = (0..3).map(|k| s.figures_of(k)).collect();
        assert_eq!(cap, Capacity::of(&sw, &runs, CONFIDENCE));
        // p99 20 ms > 5 × 1 ms at 30/s: the knee is 20/s, by the p99 rule.
        assert_eq!(cap.curves[0].knee.value.as_deref(), Some("20/s"));
        let text = caption(&cap, true);
        assert!(text.contains("20/s"), "{text}");
        assert!(text.contains("2 replications per point"), "{text}");
        assert!(!text.contains("may still move"));
        assert!(caption(&cap, false).contains("may still move"));
        // The chart's columns: x ascending, p99 in its unit, utilisation in %.
        let x = xs(&cap);
        assert_eq!(x, [10.0, 20.0, 30.0]);
        let p99 = lines(&cap, &x, "p99", 1.0, |p| Some(p.p99_s));
        assert_eq!(p99.len(), 1);
        assert!((p99[0].mean[2] - 0.020).abs() < 1e-12);
        // Two replications 10 ms and 30 ms: half-width t(0.975, 1) · 10 ms = 127.06 ms.
        assert!(
            (p99[0].hi[2] - 0.020 - 0.127_062_047_361_747).abs() < 1e-9,
            "{:?}",
            p99[0].hi
        );
        // No spread at the first point: a zero-width interval.
        assert_eq!((p99[0].lo[0], p99[0].hi[0]), (0.001, 0.001));
        let util = utilisation_lines(&cap, &x);
        assert_eq!(util[0].label, "api busy");
        assert_eq!(util[0].mean, [50.0, 50.0, 50.0]);
        assert_eq!(knee_mark(&cap), Some((20.0, String::from("knee: 20/s"))));
    }
}
