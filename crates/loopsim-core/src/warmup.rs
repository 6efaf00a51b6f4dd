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
    let batches: alloc::vec::Vec<f64> = series
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use alloc::vec::Vec;

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
