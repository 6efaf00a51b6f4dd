//! Independent replications in the page: which replications the Web Workers run, their results
//! kept by index (so the numbers do not depend on which worker finished first or how many
//! there were), the progress line, and the confidence bands drawn on the charts.
//!
//! Replication 0 is the live run on the page's own thread (the scenario's own seed, so the
//! charts still animate); replications `1..n` run in workers, each with
//! `loopsim_core::replication::seed(seed, i)` — the same seeds as the CLI's `--replications`,
//! so the page and the CLI give the same intervals. Every interval is a Student t interval
//! over the replications (Law, *Simulation Modeling and Analysis*, §9.4.1).

use loopsim_core::replication::Interval;
use loopsim_core::series::Series;
use loopsim_view::decimate;

/// The confidence of every interval on the page (the CLI's too).
pub const CONFIDENCE: f64 = 0.95;
/// Most workers, whatever the machine reports: each holds its own copy of the simulator's
/// memory, and past a handful the page's own thread (drawing the live run) starves.
pub const MAX_WORKERS: usize = 8;
/// Most rows of a band series a worker sends back: the charts have at most a few thousand
/// pixel columns, and bucket means of aligned rows keep the bands comparable across
/// replications.
pub const BAND_ROWS: usize = 1000;
/// The series columns that get a confidence band, with the chart they are drawn on.
pub const BAND_COLUMNS: [(&str, &str); 2] = [
    ("latency_p99_s", "chart-latency"),
    ("ok_rps", "chart-throughput"),
];
/// The note under the results once the intervals are in.
pub fn note(n: u32) -> String {
    format!(
        "Figures are mean ± 95% half-width over {n} replications (Student t, {} degrees of freedom): \
         {n} runs with independent random streams; the true mean lies within ± of the shown mean \
         with 95% confidence. The shaded bands on the latency and throughput charts are the same \
         interval at each moment of the run.",
        n.saturating_sub(1)
    )
}

/// How many workers to start for `n` replications on a machine reporting
/// `hardware_concurrency` logical processors: one per processor, at most [`MAX_WORKERS`], at
/// least one, never more than the replications they have to run (replication 0 is the page's).
pub fn worker_count(hardware_concurrency: f64, n: u32) -> usize {
    let cores = if hardware_concurrency.is_finite() && hardware_concurrency >= 1.0 {
        hardware_concurrency as usize
    } else {
        1
    };
    cores
        .clamp(1, MAX_WORKERS)
        .min(n.saturating_sub(1) as usize)
}

/// What one replication sends back: every figure of its report by dotted path, and the band
/// columns bucketed to at most [`BAND_ROWS`] rows (time first, then [`BAND_COLUMNS`] in order).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub leaves: Vec<(String, f64)>,
    pub bands: Vec<Vec<f64>>,
}

/// The band columns of `series`: time and [`BAND_COLUMNS`], each bucketed into at most
/// `rows` bucket means over the same row ranges (rows beyond the shortest run are dropped later).
pub fn band_columns(series: &Series, rows: usize) -> Vec<Vec<f64>> {
    let len = series.len();
    let ranges: Vec<(usize, usize)> = decimate::ranges(len, rows).collect();
    let mut names = vec!["t_s"];
    names.extend(BAND_COLUMNS.iter().map(|(c, _)| *c));
    names
        .iter()
        .map(|name| match series.column_by_name(name) {
            Some(col) => ranges.iter().map(|&(a, b)| mean(&col[a..b])).collect(),
            None => vec![f64::NAN; ranges.len()],
        })
        .collect()
}

/// The mean of the finite values (NaN when there is none: a gap on the chart).
fn mean(xs: &[f64]) -> f64 {
    let (sum, n) = xs
        .iter()
        .filter(|v| v.is_finite())
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

/// A confidence band: at each time, the mean over the replications ± its half-width (NaN where
/// some replication had no value).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Band {
    pub column: &'static str,
    pub chart: &'static str,
    pub t: Vec<f64>,
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
}

/// The replications of one run: `n` in all, results stored by index as they arrive.
#[derive(Clone, Debug)]
pub struct Replications {
    results: Vec<Option<Outcome>>,
    /// The next index to hand to a worker.
    next: u32,
}

impl Replications {
    /// `n` replications (at least 2: one replication needs no interval).
    pub fn new(n: u32) -> Replications {
        Replications {
            results: vec![None; n.max(2) as usize],
            next: 1,
        }
    }

    pub fn n(&self) -> u32 {
        self.results.len() as u32
    }

    /// The next replication for a worker (1, 2, …; 0 is the page's live run); `None` when all
    /// have been handed out.
    pub fn next_index(&mut self) -> Option<u32> {
        (self.next < self.n()).then(|| {
            self.next += 1;
            self.next - 1
        })
    }

    /// Stores replication `index`'s outcome (a repeat or an index out of range is ignored).
    pub fn record(&mut self, index: u32, outcome: Outcome) {
        if let Some(slot) = self.results.get_mut(index as usize) {
            slot.get_or_insert(outcome);
        }
    }

    pub fn done(&self) -> u32 {
        self.results.iter().filter(|r| r.is_some()).count() as u32
    }

    pub fn is_complete(&self) -> bool {
        self.results.iter().all(Option::is_some)
    }

    /// "replications 7 / 20".
    pub fn progress_text(&self) -> String {
        format!("replications {} / {}", self.done(), self.n())
    }

    /// Every replication's figures in replication order (once complete).
    pub fn leaves(&self) -> Option<Vec<Vec<(String, f64)>>> {
        self.results
            .iter()
            .map(|r| r.as_ref().map(|o| o.leaves.clone()))
            .collect()
    }

    /// The confidence bands of [`BAND_COLUMNS`] over every replication (once complete), on the
    /// rows all of them have (a run stopped early has fewer), at replication 0's times.
    pub fn bands(&self) -> Vec<Band> {
        let Some(all) = self
            .results
            .iter()
            .map(Option::as_ref)
            .collect::<Option<Vec<&Outcome>>>()
        else {
            return Vec::new();
        };
        let rows = all
            .iter()
            .map(|o| o.bands.first().map_or(0, Vec::len))
            .min()
            .unwrap_or(0);
        let t: Vec<f64> = all[0]
            .bands
            .first()
            .map_or_else(Vec::new, |c| c[..rows].to_vec());
        BAND_COLUMNS
            .iter()
            .enumerate()
            .map(|(k, &(column, chart))| {
                let (lo, hi) = (0..rows)
                    .map(|row| {
                        let xs: Vec<f64> = all
                            .iter()
                            .map(|o| o.bands.get(k + 1).map_or(f64::NAN, |c| c[row]))
                            .collect();
                        match Interval::of(&xs, CONFIDENCE) {
                            Some(i) => (i.mean - i.half_width, i.mean + i.half_width),
                            None => (f64::NAN, f64::NAN),
                        }
                    })
                    .unzip();
                Band {
                    column,
                    chart,
                    t: t.clone(),
                    lo,
                    hi,
                }
            })
            .collect()
    }
}

/// The headline figures of `report` by dotted path — a stand-in until
/// `loopsim_core::replication::leaves` lands on main (then every figure).
pub fn leaves(report: &loopsim_core::Report) -> Vec<(String, f64)> {
    let mut out = vec![
        (String::from("throughput_rps"), report.throughput_rps),
        (String::from("goodput_rps"), report.goodput_rps),
        (String::from("error_rate"), report.error_rate),
    ];
    let l = &report.latency_s;
    for (k, v) in [
        ("mean", l.mean),
        ("p50", l.p50),
        ("p95", l.p95),
        ("p99", l.p99),
    ] {
        if let Some(v) = v {
            out.push((format!("latency_s.{k}"), v));
        }
    }
    out
}

/// The interval of every figure of replication 0 that every replication has (by path, in
/// replication 0's order), e.g. `latency_s.p99 → 41.2 ms ± 1.3 ms`.
pub fn intervals(all: &[Vec<(String, f64)>]) -> Vec<(String, Interval)> {
    let Some(first) = all.first() else {
        return Vec::new();
    };
    first
        .iter()
        .filter_map(|(path, _)| {
            let xs: Option<Vec<f64>> = all
                .iter()
                .map(|r| r.iter().find(|(p, _)| p == path).map(|(_, v)| *v))
                .collect();
            Some((path.clone(), Interval::of(&xs?, CONFIDENCE)?))
        })
        .collect()
}
