//! A streaming quantile sketch with bounded relative error.
//!
//! Log-linear buckets over integer nanoseconds (the HdrHistogram idea): values below 128 are
//! exact; above, each power of two is split into 128 equal buckets, so a bucket's midpoint is
//! within 1/256 ≈ 0.39% of any value in it. Memory is at most 7,424 counters whatever the
//! number of samples, grown lazily up to the largest bucket touched. Recording is a few integer
//! operations: no floating point, no allocation once the range is covered.

use alloc::vec::Vec;

const SUB_BITS: u32 = 7;
const SUB: u64 = 1 << SUB_BITS;

#[derive(Clone, Debug, Default)]
pub struct QuantileSketch {
    counts: Vec<u64>,
    /// Buckets touched since the last [`QuantileSketch::clear`], so clearing a sparse interval
    /// sketch costs O(touched), not O(buckets).
    touched: Vec<u32>,
    track_touched: bool,
    n: u64,
    sum: u128,
    min: u64,
    max: u64,
}

#[inline]
fn bucket_of(v: u64) -> usize {
    if v < SUB {
        v as usize
    } else {
        let msb = 63 - v.leading_zeros();
        let shift = msb - SUB_BITS;
        ((msb - SUB_BITS + 1) as u64 * SUB + ((v >> shift) - SUB)) as usize
    }
}

/// Midpoint of bucket `i` (exact for the unit-width buckets below 128).
fn bucket_mid(i: usize) -> u64 {
    let i = i as u64;
    if i < SUB {
        i
    } else {
        let octave = i / SUB - 1; // = msb - SUB_BITS
        let mantissa = SUB + i % SUB;
        let lower = mantissa << octave;
        let width = 1u64 << octave;
        lower + (width - 1) / 2
    }
}

/// The nearest rank of quantile `q` among `n` samples: ⌈q·n⌉, at least 1.
#[inline]
fn rank_of(q: f64, n: u64) -> u64 {
    libm::ceil(q * n as f64).clamp(1.0, n as f64) as u64
}

/// The bucket of the `rank`-th smallest of `n` samples (1 ≤ rank ≤ n): the first bucket whose
/// running count from below reaches `rank`, found within `span` (the buckets that can be
/// non-zero). Scanned from whichever end is nearer in samples: from above it is the last
/// bucket whose running count from above reaches n − rank + 1, the same bucket, so a p99
/// visits only the tail.
#[inline]
fn rank_bucket(n: u64, rank: u64, span: (usize, usize), count: impl Fn(usize) -> u64) -> usize {
    let (lo, hi) = span;
    if rank <= n / 2 {
        let mut seen = 0u64;
        for i in lo..=hi {
            seen += count(i);
            if seen >= rank {
                return i;
            }
        }
        hi
    } else {
        let need = n - rank + 1;
        let mut seen = 0u64;
        for i in (lo..=hi).rev() {
            seen += count(i);
            if seen >= need {
                return i;
            }
        }
        lo
    }
}

impl QuantileSketch {
    pub fn new() -> Self {
        QuantileSketch {
            min: u64::MAX,
            ..Default::default()
        }
    }

    /// A sketch meant to be cleared every interval (time-series percentiles).
    pub fn new_interval() -> Self {
        QuantileSketch {
            track_touched: true,
            ..Self::new()
        }
    }

    #[inline]
    pub fn record(&mut self, v: u64) {
        let b = bucket_of(v);
        if b >= self.counts.len() {
            self.counts.resize(b + 1, 0);
        }
        if self.track_touched && self.counts[b] == 0 {
            self.touched.push(b as u32);
        }
        self.counts[b] += 1;
        self.n += 1;
        self.sum += v as u128;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    pub fn count(&self) -> u64 {
        self.n
    }

    pub fn max(&self) -> Option<u64> {
        (self.n > 0).then_some(self.max)
    }

    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum as f64 / self.n as f64)
    }

    /// Nearest-rank quantile (`q` in [0, 1]): the smallest recorded value with at least
    /// ⌈q·n⌉ values ≤ it, approximated by its bucket midpoint and clamped to [min, max].
    pub fn quantile(&self, q: f64) -> Option<u64> {
        if self.n == 0 {
            return None;
        }
        let rank = rank_of(q, self.n);
        let i = rank_bucket(self.n, rank, self.span(), |i| self.counts[i]);
        Some(bucket_mid(i).clamp(self.min, self.max))
    }

    /// The buckets that can hold samples: those of `min` to `max` (every other count is 0).
    /// Scans stay inside it, so reading a percentile costs the spread of the recorded values,
    /// not the range ever touched (a sketch's buckets are kept when it is cleared).
    #[inline]
    fn span(&self) -> (usize, usize) {
        (bucket_of(self.min), bucket_of(self.max))
    }

    /// The nearest-rank quantile of `self` and `other` together, as [`Self::quantile`] of their
    /// [`Self::merge`] would give, without building the merged sketch: lets a hot path record a
    /// sample in one sketch only (successes here, failures there) and still read the union.
    pub fn quantile_with(&self, other: &QuantileSketch, q: f64) -> Option<u64> {
        let n = self.n + other.n;
        if other.n == 0 {
            return self.quantile(q);
        }
        if self.n == 0 {
            return other.quantile(q);
        }
        let (lo, hi) = (self.min.min(other.min), self.max.max(other.max));
        let count = |s: &QuantileSketch, i: usize| s.counts.get(i).copied().unwrap_or(0);
        let i = rank_bucket(n, rank_of(q, n), (bucket_of(lo), bucket_of(hi)), |i| {
            count(self, i) + count(other, i)
        });
        Some(bucket_mid(i).clamp(lo, hi))
    }

    /// Several quantiles (`qs` ascending): the same values as [`Self::quantile`] for each —
    /// what the per-tick and per-sample percentiles need (p50, p95, p99).
    pub fn quantiles<const N: usize>(&self, qs: [f64; N]) -> [Option<u64>; N] {
        qs.map(|q| self.quantile(q))
    }
    /// Adds every sample of `other` (the same buckets, so quantiles stay within the same
    /// relative error).
    pub fn merge(&mut self, other: &QuantileSketch) {
        if other.n == 0 {
            return;
        }
        if self.counts.len() < other.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (b, &c) in other.counts.iter().enumerate() {
            if c > 0 {
                if self.track_touched && self.counts[b] == 0 {
                    self.touched.push(b as u32);
                }
                self.counts[b] += c;
            }
        }
        self.n += other.n;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Forgets all samples (cheap for interval sketches).
    pub fn clear(&mut self) {
        if self.track_touched {
            for &b in &self.touched {
                self.counts[b as usize] = 0;
            }
            self.touched.clear();
        } else {
            self.counts.iter_mut().for_each(|c| *c = 0);
        }
        self.n = 0;
        self.sum = 0;
        self.min = u64::MAX;
        self.max = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, scanned over every bucket from the bottom: what `quantile` must return
    /// whichever end it scans from.
    fn quantile_by_definition(s: &QuantileSketch, q: f64) -> Option<u64> {
        let rank = rank_of(q, s.n);
        let mut seen = 0;
        for (i, &c) in s.counts.iter().enumerate() {
            seen += c;
            if s.n > 0 && seen >= rank {
                return Some(bucket_mid(i).clamp(s.min, s.max));
            }
        }
        None
    }

    #[test]
    fn scanning_from_either_end_finds_the_nearest_rank() {
        let mut s = QuantileSketch::new_interval();
        let qs = [0.0, 0.001, 0.25, 0.5, 0.5001, 0.9, 0.95, 0.99, 0.999, 1.0];
        for round in 0..3u64 {
            // A wide range first (so the buckets outlive the clear), then narrower ones.
            for v in
                (1..2_000u64).map(|i| (i * 7919 + round) % (50_021 >> round) * (1 << (20 - round)))
            {
                s.record(v);
                if v % 97 == 0 {
                    for q in qs {
                        assert_eq!(s.quantile(q), quantile_by_definition(&s, q), "q = {q}");
                    }
                }
            }
            assert_eq!(s.quantiles([0.5, 0.95, 0.99]), qs_by_definition(&s));
            s.clear();
        }
        s.record(1_000_000);
        assert_eq!(s.quantiles([0.0, 0.5, 1.0]), [Some(1_000_000); 3]);
    }

    fn qs_by_definition(s: &QuantileSketch) -> [Option<u64>; 3] {
        [0.5, 0.95, 0.99].map(|q| quantile_by_definition(s, q))
    }

    #[test]
    fn a_quantile_of_two_equals_the_quantile_of_their_merge() {
        let (mut a, mut b) = (
            QuantileSketch::new_interval(),
            QuantileSketch::new_interval(),
        );
        for v in (1..3_000u64).map(|i| i * 7919 % 50_021) {
            if v % 5 == 0 {
                b.record(v * 40); // the rarer, slower part (failures at their timeout)
            } else {
                a.record(v);
            }
        }
        let mut merged = a.clone();
        merged.merge(&b);
        for q in [0.0, 0.01, 0.5, 0.9, 0.99, 0.999, 1.0] {
            assert_eq!(a.quantile_with(&b, q), merged.quantile(q), "q = {q}");
            assert_eq!(b.quantile_with(&a, q), merged.quantile(q), "q = {q}");
        }
        let empty = QuantileSketch::new_interval();
        assert_eq!(a.quantile_with(&empty, 0.99), a.quantile(0.99));
        assert_eq!(empty.quantile_with(&b, 0.99), b.quantile(0.99));
        assert_eq!(empty.quantile_with(&empty, 0.99), None);
    }

    #[test]
    fn merging_equals_recording_everything_in_one() {
        let (mut a, mut b, mut all) = (
            QuantileSketch::new(),
            QuantileSketch::new(),
            QuantileSketch::new(),
        );
        for v in (1..5_000u64).map(|i| i * i % 100_003) {
            if v % 3 == 0 {
                a.record(v);
            } else {
                b.record(v);
            }
            all.record(v);
        }
        a.merge(&b);
        for q in [0.0, 0.5, 0.9, 0.99, 1.0] {
            assert_eq!(a.quantile(q), all.quantile(q), "q = {q}");
        }
        assert_eq!(
            (a.count(), a.max(), a.mean()),
            (all.count(), all.max(), all.mean())
        );
        a.merge(&QuantileSketch::new());
        assert_eq!(a.count(), all.count());
    }
    use crate::rng::Rng;

    #[test]
    fn buckets_are_monotone_and_midpoints_within_bound() {
        let mut prev = 0;
        // Increasing values: small ones densely, then one per power of two up to 2^59.
        for v in (0..200_000u64).chain((18..60).map(|k| (1u64 << k) + 12345)) {
            let b = bucket_of(v);
            assert!(b >= prev, "bucket order broken at {v}");
            prev = b;
            let mid = bucket_mid(b) as f64;
            let err = (mid - v as f64).abs() / (v as f64).max(1.0);
            assert!(err <= 1.0 / 256.0 + 1e-12, "v={v} mid={mid} err={err}");
        }
    }

    #[test]
    fn quantiles_in_one_pass_equal_quantile_one_by_one() {
        let mut r = Rng::new(3);
        for len in [0usize, 1, 2, 7, 1000] {
            let mut s = QuantileSketch::new();
            for _ in 0..len {
                s.record((-1e6 * libm::log(r.f64_open0())) as u64);
            }
            let qs = [0.0, 0.001, 0.5, 0.95, 0.99, 1.0];
            let each = qs.map(|q| s.quantile(q));
            assert_eq!(s.quantiles(qs), each, "{len} samples");
        }
    }

    #[test]
    fn quantiles_match_exact_order_statistics_within_one_percent() {
        let mut r = Rng::new(9);
        let mut s = QuantileSketch::new();
        let mut xs: Vec<u64> = (0..100_000)
            .map(|_| (-1e7 * libm::log(r.f64_open0())) as u64)
            .collect();
        for &x in &xs {
            s.record(x);
        }
        xs.sort_unstable();
        for q in [0.5, 0.9, 0.95, 0.99, 0.999] {
            let exact = xs[(libm::ceil(q * xs.len() as f64) as usize) - 1] as f64;
            let est = s.quantile(q).unwrap() as f64;
            assert!(
                (est / exact - 1.0).abs() <= 0.01,
                "q={q} est={est} exact={exact}"
            );
        }
        assert_eq!(s.max(), Some(*xs.last().unwrap()));
    }

    #[test]
    fn interval_clear_resets() {
        let mut s = QuantileSketch::new_interval();
        s.record(5_000);
        s.record(7_000_000);
        s.clear();
        assert_eq!(s.count(), 0);
        assert_eq!(s.quantile(0.5), None);
        s.record(42);
        assert_eq!(s.quantile(0.99), Some(42));
    }
}
