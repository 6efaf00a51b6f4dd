//! Batch means: how sure one long run's steady-state means are.
//!
//! The measured window is cut into `n` consecutive batches of equal length; each batch's mean
//! is one observation, and a Student t interval over them estimates the steady-state mean
//! (Law, *Simulation Modeling and Analysis*, §9.5.3). The observations within a run are
//! correlated, so batches must be long enough for their means to be nearly independent: the
//! lag-1 autocorrelation of the batch means is reported beside each interval (above about 0.2,
//! fewer, longer batches or a longer run are needed). Batches are read from the time series,
//! so this covers the figures the series holds per interval — means and rates, not
//! percentiles.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::replication::{Interval, CONFIDENCE};
use crate::series::Series;
use crate::time::Nanos;

/// One figure's batch-means interval.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct BatchFigure {
    /// The series column (`latency_mean_s`, `api.utilization`).
    pub name: String,
    pub mean: f64,
    pub half_width: f64,
    /// Lag-1 autocorrelation of the batch means: near 0 when the batches are independent.
    pub lag1: f64,
}

/// The batch means of a run.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct BatchMeans {
    pub batches: u32,
    pub batch_s: f64,
    pub confidence: f64,
    pub figures: Vec<BatchFigure>,
}

/// Fewest batches for an interval; at least this many sample intervals in each batch.
pub const MIN_BATCHES: u32 = 2;
pub const MIN_ROWS_PER_BATCH: usize = 2;

/// The batch means of `series` over its rows at or after `warmup` (row `i` covers
/// `(i·every, (i+1)·every]`), in `n` batches (rows that do not fill the last batch are left
/// out). `Err` says why there cannot be `n` batches. The mean response time is weighted by the
/// requests completed in each interval; rates and utilisations by time.
pub fn of(series: &Series, every: Nanos, warmup: Nanos, n: u32) -> Result<BatchMeans, String> {
    let first = usize::try_from(warmup.div_ceil(every.max(1))).unwrap_or(usize::MAX);
    let rows = series.len().saturating_sub(first);
    let per = rows / n.max(1) as usize;
    if n < MIN_BATCHES || per < MIN_ROWS_PER_BATCH {
        return Err(alloc::format!(
            "{n} batches need at least {} sample intervals after the warm-up, and the run has {rows}",
            n as usize * MIN_ROWS_PER_BATCH
        ));
    }
    let span =
        |c: &[f64], b: usize| -> Vec<f64> { c[first + b * per..first + (b + 1) * per].to_vec() };
    let batches =
        |f: &dyn Fn(usize) -> Option<f64>| -> Option<Vec<f64>> { (0..n as usize).map(f).collect() };
    let mut figures = Vec::new();
    let mut push = |name: &str, means: Option<Vec<f64>>| {
        if let Some(fig) = means.and_then(|m| figure(name, &m)) {
            figures.push(fig);
        }
    };
    if let (Some(lat), Some(ok)) = (
        series.column_by_name("latency_mean_s"),
        series.column_by_name("ok_rps"),
    ) {
        push(
            "latency_mean_s",
            batches(&|b| weighted_mean(&span(lat, b), &span(ok, b))),
        );
    }
    for name in series.names() {
        let time_weighted = matches!(name.as_str(), "ok_rps" | "error_rps" | "in_flight")
            || name.ends_with(".utilization")
            || name.ends_with(".loop_lag_mean_s")
            || name.ends_with(".ready_queue");
        if time_weighted {
            let column = series.column_by_name(name).unwrap_or(&[]);
            push(name, batches(&|b| plain_mean(&span(column, b))));
        }
    }
    Ok(BatchMeans {
        batches: n,
        batch_s: per as f64 * every as f64 / 1e9,
        confidence: CONFIDENCE,
        figures,
    })
}

fn figure(name: &str, means: &[f64]) -> Option<BatchFigure> {
    let i = Interval::of(means, CONFIDENCE)?;
    Some(BatchFigure {
        name: name.to_string(),
        mean: i.mean,
        half_width: i.half_width,
        lag1: lag1(means),
    })
}

/// The mean of the finite values (`None` when there are none).
fn plain_mean(xs: &[f64]) -> Option<f64> {
    let finite: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    (!finite.is_empty()).then(|| finite.iter().sum::<f64>() / finite.len() as f64)
}

/// `Σ x·w / Σ w` over the intervals where `x` exists (an interval's mean latency weighted by
/// the requests completed in it).
fn weighted_mean(xs: &[f64], ws: &[f64]) -> Option<f64> {
    let (mut sum, mut weight) = (0.0, 0.0);
    for (x, w) in xs.iter().zip(ws) {
        if x.is_finite() && w.is_finite() && *w > 0.0 {
            sum += x * w;
            weight += w;
        }
    }
    (weight > 0.0).then(|| sum / weight)
}

/// The lag-1 autocorrelation of `xs` (0 for a constant series).
fn lag1(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
    if var == 0.0 {
        return 0.0;
    }
    let cov: f64 = xs.windows(2).map(|w| (w[0] - mean) * (w[1] - mean)).sum();
    cov / var
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn series(lat: &[f64], ok: &[f64]) -> Series {
        let mut s = Series::new(vec!["ok_rps".into(), "latency_mean_s".into()]);
        for (l, o) in lat.iter().zip(ok) {
            s.push_row(&[*o, *l]);
        }
        s
    }

    #[test]
    fn batches_are_weighted_and_skip_the_warmup() {
        // 2 warm-up rows, then 4 batches of 2 rows; latency weighted by completions.
        let lat = [9.0, 9.0, 1.0, 3.0, 2.0, 2.0, 1.0, 3.0, 2.0, 2.0];
        let ok = [1.0, 1.0, 1.0, 3.0, 2.0, 2.0, 3.0, 1.0, 2.0, 2.0];
        let b = of(&series(&lat, &ok), 10, 20, 4).unwrap();
        assert_eq!((b.batches, b.batch_s), (4, 20.0 / 1e9));
        let l = b
            .figures
            .iter()
            .find(|f| f.name == "latency_mean_s")
            .unwrap();
        // Batches: (1·1 + 3·3)/4 = 2.5, 2, (1·3 + 3·1)/4 = 1.5, 2 → mean 2.
        assert!((l.mean - 2.0).abs() < 1e-12, "{l:?}");
        let ok_fig = b.figures.iter().find(|f| f.name == "ok_rps").unwrap();
        assert!((ok_fig.mean - 2.0).abs() < 1e-12);
    }

    #[test]
    fn too_few_rows_is_an_error_not_a_guess() {
        let s = series(&[1.0; 5], &[1.0; 5]);
        assert!(of(&s, 10, 0, 3).is_err());
        assert!(of(&s, 10, 0, 1).is_err());
        assert!(of(&s, 10, 0, 2).is_ok());
    }

    #[test]
    fn lag1_of_alternating_and_trending_means() {
        assert!(lag1(&[1.0, -1.0, 1.0, -1.0]) < -0.5);
        assert!(lag1(&[1.0, 2.0, 3.0, 4.0, 5.0]) > 0.3);
        assert_eq!(lag1(&[2.0, 2.0]), 0.0);
    }
}
