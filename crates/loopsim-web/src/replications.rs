//! Independent replications in the page: which replications the Web Workers run, their results
//! kept by index (so the numbers do not depend on which worker finished first or how many
//! there were), the progress line, and the confidence bands drawn on the charts.
//!
//! Replication 0 is the live run on the page's own thread (the scenario's own seed, so the
//! charts still animate); replications `1..n` run in workers, each with
//! `loopsim_core::replication::seed(seed, i)` — the same seeds as the CLI's `--replications`,
//! so the page and the CLI give the same intervals. Every interval is a Student t interval
//! over the replications (Law, *Simulation Modeling and Analysis*, §9.4.1).

use loopsim_core::replication::{Interval, CONFIDENCE};
use loopsim_core::series::Series;
use loopsim_core::warmup::{self, Cut};
use loopsim_view::decimate;

/// Most workers, whatever the machine reports: each holds its own copy of the simulator's
/// memory, and past a handful the page's own thread (drawing the live run) starves.
pub const MAX_WORKERS: usize = 8;
/// Most rows of a band series a worker sends back: bucket means of aligned rows (the same
/// ranges in every replication, so comparable) — a band over the per-interval noise of one run
/// would be as jagged as the lines; over ~120 buckets it shows the trend and how sure it is.
pub const BAND_ROWS: usize = 120;
/// The series columns that get a confidence band, with the chart they are drawn on.
pub const BAND_COLUMNS: [(&str, &str); 2] = [
    ("latency_p99_s", "chart-latency"),
    ("ok_rps", "chart-throughput"),
];
/// The note under the results once the intervals are in; `cut` is the warm-up `warmup: auto`
/// chose for every replication (in seconds), when it did.
pub fn note(n: u32, cut: Option<f64>) -> String {
    let mut out = format!(
        "Figures are mean ± 95% half-width over {n} replications (Student t, {} degrees of freedom): \
         {n} runs with independent random streams. With 95% confidence the long-run mean lies \
         within the ± of the value shown; more replications narrow it. The shaded bands on the \
         latency and throughput charts are the same interval at each moment of the run.",
        n.saturating_sub(1)
    );
    if let Some(cut) = cut {
        out.push_str(&format!(
            " warmup: auto — every replication is measured from {}, the cut MSER-5 chose on the \
             average of their first passes (as the CLI's --replications does); the charts grey \
             the live run's own cut.",
            loopsim_view::format::secs(Some(cut))
        ));
    }
    out
}

/// Most replications the page's Replications box accepts (the sweep's cap on runs).
pub const MAX_REPLICATIONS: u32 = 10_000;

/// The Replications box: empty → the scenario's own count; else a whole number from 1 to
/// [`MAX_REPLICATIONS`].
pub fn parse_count(text: &str) -> Result<Option<u32>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<u32>() {
        Ok(n) if (1..=MAX_REPLICATIONS).contains(&n) => Ok(Some(n)),
        _ => Err(format!(
            "Replications must be a whole number from 1 to {MAX_REPLICATIONS}; leave it empty to use the scenario's."
        )),
    }
}

/// The words under a chart with a band: what is shaded, over how many runs and buckets.
pub fn band_caption(line: &str, n: u32, bucket_s: f64) -> String {
    let bucket = if bucket_s.is_finite() && bucket_s > 0.0 {
        format!(", in {} steps", loopsim_view::format::secs(Some(bucket_s)))
    } else {
        String::new()
    };
    format!(
        "Shaded band: {line}, mean ± 95% half-width over {n} replications{bucket}. \
         The lines are the live run (replication 1) alone."
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
    /// `warmup: auto`: the first passes that choose the one cut every replication uses.
    first: Option<FirstPasses>,
}

/// `warmup: auto` over replications, as the CLI does it: every replication's first pass
/// (`loopsim_core::warmup::pilot`), then one cut chosen on all of them
/// (`warmup::choose`: MSER-5 on their average), then every replication measured from it —
/// replication 0 too, in a worker, since the live run chose a cut on its own pass alone.
#[derive(Clone, Debug)]
struct FirstPasses {
    series: Vec<Option<Vec<f64>>>,
    next: u32,
    cut: Option<Cut>,
}

/// What a worker runs next.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Job {
    /// Replication `i`'s first pass (its response-time series).
    FirstPass(u32),
    /// Replication `i`, measured from the common cut when there is one.
    Run(u32, Option<Cut>),
}

impl Replications {
    /// `n` replications (at least 2: one replication needs no interval).
    pub fn new(n: u32) -> Replications {
        Replications {
            results: vec![None; n.max(2) as usize],
            next: 1,
            first: None,
        }
    }

    /// `n` replications of a `warmup: auto` scenario: first passes, one cut, then the runs
    /// (all `n` of them in workers).
    pub fn with_auto_warmup(n: u32) -> Replications {
        let n = n.max(2);
        Replications {
            results: vec![None; n as usize],
            next: 0,
            first: Some(FirstPasses {
                series: vec![None; n as usize],
                next: 0,
                cut: None,
            }),
        }
    }

    /// Whether the page's live run is replication 0 (not with `warmup: auto`, whose live run
    /// chose its own cut).
    pub fn live_is_first(&self) -> bool {
        self.first.is_none()
    }

    /// The next job for a worker; `None` when everything is handed out, or while the first
    /// passes are still coming in.
    pub fn next_job(&mut self) -> Option<Job> {
        match &mut self.first {
            None => self.next_index().map(|i| Job::Run(i, None)),
            Some(f) if (f.next as usize) < f.series.len() => {
                f.next += 1;
                Some(Job::FirstPass(f.next - 1))
            }
            Some(f) => {
                let cut = f.cut?;
                self.next_index().map(|i| Job::Run(i, Some(cut)))
            }
        }
    }

    /// Stores replication `index`'s first pass; `true` when it was the last one, and the cut
    /// has just been chosen (every worker can then be given a run).
    pub fn record_first_pass(&mut self, index: u32, series: Vec<f64>) -> bool {
        let Some(f) = &mut self.first else {
            return false;
        };
        if let Some(slot) = f.series.get_mut(index as usize) {
            slot.get_or_insert(series);
        }
        if f.cut.is_some() {
            return false;
        }
        let all: Option<Vec<Vec<f64>>> = f.series.iter().cloned().collect();
        f.cut = all.map(|all| warmup::choose(&all));
        f.cut.is_some()
    }

    /// The common cut, once chosen.
    pub fn cut(&self) -> Option<Cut> {
        self.first.as_ref().and_then(|f| f.cut)
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

    /// "replications 7 / 20", or while the first passes run, "first passes (warmup: auto)
    /// 3 / 20".
    pub fn progress_text(&self) -> String {
        match &self.first {
            Some(f) if f.cut.is_none() => format!(
                "first passes (warmup: auto) {} / {}",
                f.series.iter().filter(|s| s.is_some()).count(),
                self.n()
            ),
            _ => format!("replications {} / {}", self.done(), self.n()),
        }
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

impl Band {
    /// The time between two band points (the bucket width; NaN with fewer than two).
    pub fn bucket_s(&self) -> f64 {
        match self.t.as_slice() {
            [a, b, ..] => b - a,
            _ => f64::NAN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(p99: f64, rows: &[(f64, f64, f64)]) -> Outcome {
        Outcome {
            leaves: vec![(String::from("latency_s.p99"), p99)],
            bands: vec![
                rows.iter().map(|r| r.0).collect(),
                rows.iter().map(|r| r.1).collect(),
                rows.iter().map(|r| r.2).collect(),
            ],
        }
    }

    #[test]
    fn progress_counts_results_and_hands_out_each_index_once() {
        let mut r = Replications::new(4);
        assert_eq!(r.progress_text(), "replications 0 / 4");
        let handed: Vec<u32> = core::iter::from_fn(|| r.next_index()).collect();
        // Replication 0 is the page's live run: workers get the others, each once.
        assert_eq!(handed, [1, 2, 3]);
        r.record(2, outcome(1.0, &[]));
        r.record(2, outcome(9.0, &[])); // a repeat keeps the first
        r.record(7, outcome(1.0, &[])); // out of range: ignored
        assert_eq!(r.progress_text(), "replications 1 / 4");
        assert!(!r.is_complete());
        assert_eq!(r.leaves(), None);
        for i in [3, 0, 1] {
            r.record(i, outcome(f64::from(i), &[]));
        }
        assert!(r.is_complete());
        assert_eq!(r.progress_text(), "replications 4 / 4");
        // By index, whatever the order of arrival.
        let p99: Vec<f64> = r.leaves().unwrap().iter().map(|l| l[0].1).collect();
        assert_eq!(p99, [0.0, 1.0, 1.0, 3.0]);
    }

    #[test]
    fn fewer_than_two_replications_still_make_an_interval() {
        assert_eq!(Replications::new(0).n(), 2);
        assert_eq!(Replications::new(1).n(), 2);
    }

    #[test]
    fn the_replications_box_takes_a_count_or_nothing() {
        assert_eq!(parse_count(""), Ok(None));
        assert_eq!(parse_count(" 20 "), Ok(Some(20)));
        assert_eq!(parse_count("1"), Ok(Some(1)));
        for bad in ["0", "-3", "2.5", "ten", "10001", "99999999999"] {
            assert!(parse_count(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn worker_count_is_capped_by_cores_and_replications() {
        assert_eq!(worker_count(2.0, 20), 2);
        assert_eq!(worker_count(64.0, 200), MAX_WORKERS);
        assert_eq!(worker_count(0.0, 20), 1);
        assert_eq!(worker_count(f64::NAN, 20), 1);
        // Replication 0 runs on the page: 3 replications leave 2 for workers.
        assert_eq!(worker_count(16.0, 3), 2);
    }

    #[test]
    fn bands_are_student_t_intervals_row_by_row() {
        // Two rows, three replications: p99 1, 2, 3 at row 0 → mean 2, s = 1,
        // half-width t(0.975, 2) · 1/√3 = 4.302653 / 1.732051 = 2.484138.
        let mut r = Replications::new(3);
        r.record(0, outcome(0.0, &[(1.0, 1.0, 10.0), (2.0, 5.0, 10.0)]));
        r.record(1, outcome(0.0, &[(1.0, 2.0, 10.0), (2.0, 5.0, 10.0)]));
        // A shorter run (stopped early): the bands cover the rows every replication has.
        r.record(2, outcome(0.0, &[(1.0, 3.0, 10.0)]));
        let bands = r.bands();
        assert_eq!(bands.len(), BAND_COLUMNS.len());
        let p99 = &bands[0];
        assert_eq!(p99.column, "latency_p99_s");
        assert_eq!(p99.t, [1.0]);
        let hw = 4.302_652_729_911_275 / 3f64.sqrt();
        assert!((p99.lo[0] - (2.0 - hw)).abs() < 1e-9, "{:?}", p99.lo);
        assert!((p99.hi[0] - (2.0 + hw)).abs() < 1e-9, "{:?}", p99.hi);
        // No spread: a zero-width band at the mean.
        assert_eq!((bands[1].lo[0], bands[1].hi[0]), (10.0, 10.0));
    }

    #[test]
    fn bands_wait_for_every_replication_and_gap_on_missing_values() {
        let mut r = Replications::new(2);
        r.record(0, outcome(0.0, &[(1.0, f64::NAN, 1.0)]));
        assert!(r.bands().is_empty());
        r.record(1, outcome(0.0, &[(1.0, 4.0, 1.0)]));
        let b = &r.bands()[0];
        assert!(b.lo[0].is_nan() && b.hi[0].is_nan());
    }

    #[test]
    fn band_columns_are_bucket_means_over_the_same_ranges() {
        let mut s = Series::new(vec!["t_s".into(), "latency_p99_s".into()]);
        for i in 0..10 {
            s.push_row(&[
                f64::from(i),
                if i == 3 { f64::NAN } else { 1.0 + f64::from(i) },
            ]);
        }
        let cols = band_columns(&s, 2);
        assert_eq!(cols.len(), 1 + BAND_COLUMNS.len());
        assert_eq!(cols[0], [2.0, 7.0]);
        // Rows 0..5 without the NaN at row 3: (1 + 2 + 3 + 5) / 4.
        assert_eq!(cols[1], [2.75, 8.0]);
        // A column the scenario does not have: gaps.
        assert!(cols[2].iter().all(|v| v.is_nan()));
        // Short series are not bucketed.
        assert_eq!(band_columns(&s, 100)[0].len(), 10);
    }

    #[test]
    fn captions_and_the_note_say_what_the_shading_means() {
        assert_eq!(
            band_caption("p99 (ok)", 20, 5.0),
            "Shaded band: p99 (ok), mean ± 95% half-width over 20 replications, in 5.00 s steps. \
             The lines are the live run (replication 1) alone."
        );
        assert!(note(20, None).starts_with(
            "Figures are mean ± 95% half-width over 20 replications (Student t, 19 degrees of freedom)"
        ));
        assert!(!note(2, None).contains("MSER-5"));
        assert!(note(2, Some(30.0)).contains("measured from 30.0 s, the cut MSER-5 chose"));
    }

    /// `warmup: auto`: every first pass, then one cut, then all the runs (0 included); a
    /// worker asking while first passes are still out gets nothing.
    #[test]
    fn automatic_warmup_runs_first_passes_then_one_cut_for_all() {
        let mut r = Replications::with_auto_warmup(3);
        assert!(!r.live_is_first());
        assert_eq!(r.next_job(), Some(Job::FirstPass(0)));
        assert_eq!(r.next_job(), Some(Job::FirstPass(1)));
        assert_eq!(r.next_job(), Some(Job::FirstPass(2)));
        assert_eq!(r.next_job(), None, "waiting for the first passes");
        assert_eq!(r.progress_text(), "first passes (warmup: auto) 0 / 3");
        // A transient of 50 samples then a level: the cut lands past it.
        let series = |k: f64| -> Vec<f64> {
            (0..400)
                .map(|i| {
                    if i < 50 {
                        0.0
                    } else {
                        1.0 + 0.01 * ((i as f64 + k) % 3.0)
                    }
                })
                .collect()
        };
        assert!(!r.record_first_pass(0, series(0.0)));
        assert!(!r.record_first_pass(2, series(1.0)));
        assert!(
            r.record_first_pass(1, series(2.0)),
            "the last one chooses the cut"
        );
        let cut = r.cut().unwrap();
        assert!(cut.dropped_samples >= 50 && cut.settled, "{cut:?}");
        assert_eq!(r.next_job(), Some(Job::Run(0, Some(cut))));
        assert_eq!(r.next_job(), Some(Job::Run(1, Some(cut))));
        assert_eq!(r.next_job(), Some(Job::Run(2, Some(cut))));
        assert_eq!(r.next_job(), None);
        assert_eq!(r.progress_text(), "replications 0 / 3");
        let plain = Replications::new(3);
        assert!(plain.live_is_first());
    }
}
