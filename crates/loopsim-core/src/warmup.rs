//! Where a run's initial transient ends: the MSER-5 truncation rule.
//!
//! A simulation starts empty, so its first observations are biased low (or high); statistics
//! should leave them out. MSER (White, 1997; Franklin & White, 2008) picks the truncation
//! point `d` that minimises the squared standard error of the mean of what is left,
//! `Σ_{i>d} (Z_i − Z̄_d)² / (n − d)²`, balancing the bias removed against the precision lost.
//! MSER-5 applies it to the means of consecutive batches of 5 observations, which smooths the
//! noise that would otherwise pull `d` around. Only the first half of the series is searched:
//! a minimum beyond it means the run is too short to have a steady state, which is reported
//! rather than hidden.

use alloc::vec::Vec;

use crate::scenario::model::WarmupRule;
use crate::series::Series;
use crate::{Scenario, Simulation};

/// The outcome of MSER-5 on one series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Truncation {
    /// Observations to drop from the start (a multiple of 5).
    pub drop: usize,
    /// Whether the minimum lay in the first half of the batches (otherwise the run did not
    /// reach a steady state and `drop` is half the series, the most MSER may cut).
    pub settled: bool,
}

/// Observations per batch.
pub const BATCH: usize = 5;

/// MSER-5 on `series` (observations in time order; non-finite ones are not allowed). `None`
/// when there are fewer than 4 batches (20 observations): too few to tell a transient apart.
pub fn mser5(series: &[f64]) -> Option<Truncation> {
    let batches: Vec<f64> = series
        .chunks_exact(BATCH)
        .map(|c| c.iter().sum::<f64>() / BATCH as f64)
        .collect();
    let n = batches.len();
    if n < 4 || batches.iter().any(|b| !b.is_finite()) {
        return None;
    }
    // Suffix sums give every candidate's mean and sum of squares in one backward pass.
    let mut best = (f64::INFINITY, 0usize);
    let (mut sum, mut sum_sq) = (0.0, 0.0);
    let mut stat = alloc::vec![0.0; n];
    for d in (0..n).rev() {
        sum += batches[d];
        sum_sq += batches[d] * batches[d];
        let m = (n - d) as f64;
        let ss = (sum_sq - sum * sum / m).max(0.0);
        stat[d] = ss / (m * m);
    }
    let half = n / 2;
    for (d, &s) in stat.iter().enumerate().take(half + 1) {
        if s < best.0 {
            best = (s, d);
        }
    }
    // The statistic of the last few batches is noise over a handful of points (two close
    // batches make it near 0): the whole-range minimum leaves out the last tenth (at least 5).
    let tail = n.saturating_sub((n / 10).max(5)).max(half + 1);
    let overall_min =
        stat[..tail]
            .iter()
            .enumerate()
            .fold(
                (f64::INFINITY, 0usize),
                |b, (d, &s)| if s < b.0 { (s, d) } else { b },
            );
    Some(Truncation {
        drop: best.1 * BATCH,
        settled: overall_min.1 <= half,
    })
}

/// The warm-up `warmup: auto` chose for one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Cut {
    /// Samples of the response-time series left out (a multiple of [`BATCH`]).
    pub dropped_samples: u32,
    /// Whether the series settled in its first half (see [`Truncation::settled`]); if not, the
    /// run is too short for a steady state and the cut is half the run.
    pub settled: bool,
}

/// The response-time series MSER-5 reads: the mean latency of the requests that completed in
/// each sample interval. An interval where none completed repeats the last value (the level
/// did not change as far as anyone could see); leading empty intervals take the first value.
pub fn response_times(series: &Series) -> Vec<f64> {
    let column = series.column_by_name("latency_mean_s").unwrap_or(&[]);
    let first = column
        .iter()
        .copied()
        .find(|v| v.is_finite())
        .unwrap_or(0.0);
    let mut last = first;
    column
        .iter()
        .map(|&v| {
            if v.is_finite() {
                last = v;
            }
            last
        })
        .collect()
}

/// The response-time series of a first pass of `sc` from an empty system, with no warm-up.
pub fn pilot(sc: &Scenario) -> Vec<f64> {
    let mut pilot = sc.clone();
    pilot.warmup = 0;
    pilot.warmup_rule = WarmupRule::Fixed;
    let mut sim = Simulation::new(pilot);
    sim.run();
    response_times(sim.series())
}

/// The cut MSER-5 chooses on the average of one or more runs' response-time series (their
/// common length). Averaging independent replications first is Welch's procedure (Law,
/// *Simulation Modeling and Analysis*, §9.5.1): it keeps the transient, which every
/// replication shares, and divides the noise by √n. Choosing on each replication's own noisy
/// series instead correlates the cut with that replication's excursions — MSER cuts just after
/// a burst of high response times — and biases the mean low (on M/M/1 at ρ = 0.9 from empty,
/// 60 s runs: 88.5 ms per-replication cuts against 95.8 ms with no cut and 100 ms in theory).
pub fn choose(series: &[Vec<f64>]) -> Cut {
    let len = series.iter().map(Vec::len).min().unwrap_or(0);
    let mean: Vec<f64> = (0..len)
        .map(|k| series.iter().map(|s| s[k]).sum::<f64>() / series.len() as f64)
        .collect();
    match mser5(&mean) {
        Some(t) => Cut {
            dropped_samples: t.drop as u32,
            settled: t.settled,
        },
        None => Cut {
            dropped_samples: 0,
            settled: false,
        },
    }
}

/// `sc` measured from `cut` (whole sample intervals; never more than half the run).
pub fn apply(sc: &Scenario, cut: Cut) -> Scenario {
    let mut out = sc.clone();
    let at = u64::from(cut.dropped_samples).saturating_mul(sc.sample_every);
    out.warmup = at.min(sc.duration / 2);
    out.warmup_rule = WarmupRule::Chosen(cut);
    out
}

/// `sc` with its warm-up chosen when it asks for `warmup: auto` and it has not been chosen:
/// a [`pilot`] pass, MSER-5 on its response times ([`choose`]), and the second pass measured
/// from the cut ([`apply`]) — it replays the same random streams, so it is the first pass
/// measured from the cut. Replicated runs choose one cut on all their pilots instead.
pub fn settle(sc: &Scenario) -> Scenario {
    if sc.warmup_rule != WarmupRule::Auto {
        return sc.clone();
    }
    apply(sc, choose(&[pilot(sc)]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// Noise around 1 after a transient that starts at `start` and decays linearly over `len`.
    fn series(len: usize, n: usize, start: f64, seed: u64) -> Vec<f64> {
        let mut rng = Rng::new(seed);
        (0..n)
            .map(|i| {
                let bias = if i < len {
                    start * (1.0 - i as f64 / len as f64)
                } else {
                    0.0
                };
                1.0 + bias + 0.2 * (rng.f64() - 0.5)
            })
            .collect()
    }

    #[test]
    fn a_steady_series_keeps_nearly_everything() {
        let t = mser5(&series(0, 2000, 0.0, 1)).unwrap();
        assert!(t.settled);
        assert!(t.drop < 200, "dropped {}", t.drop);
    }

    #[test]
    fn a_known_transient_is_cut_near_its_end() {
        // A transient of 300 observations starting 3 above the steady level: MSER must cut at
        // least most of it and not far beyond it.
        for seed in 1..20 {
            let t = mser5(&series(300, 3000, 3.0, seed)).unwrap();
            assert!(t.settled);
            assert!(
                (200..=450).contains(&t.drop),
                "seed {seed}: dropped {}",
                t.drop
            );
            assert_eq!(t.drop % BATCH, 0);
        }
    }

    #[test]
    fn a_series_that_never_settles_says_so() {
        // A steady climb: no steady state to find.
        let climb: Vec<f64> = (0..1000).map(|i| i as f64).collect();
        let t = mser5(&climb).unwrap();
        assert!(!t.settled);
        assert!(t.drop <= 500);
    }

    #[test]
    fn too_short_or_broken_series_have_no_answer() {
        assert_eq!(mser5(&[1.0; 19]), None);
        let mut s = [1.0; 40];
        s[3] = f64::NAN;
        assert_eq!(mser5(&s), None);
    }
}
