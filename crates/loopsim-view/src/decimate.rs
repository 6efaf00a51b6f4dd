//! Min/max decimation for charts: a series with more rows than a chart has pixels is drawn
//! from two points per bucket (its smallest and largest value), which keeps every spike visible
//! and bounds the drawing cost however long the run.

/// Splits `0..len` into at most `buckets` contiguous, non-empty ranges of near-equal size.
pub fn ranges(len: usize, buckets: usize) -> impl Iterator<Item = (usize, usize)> {
    let buckets = buckets.clamp(1, len.max(1));
    (0..buckets)
        .map(move |k| (k * len / buckets, (k + 1) * len / buckets))
        .filter(|(a, b)| a < b)
}

/// Smallest and largest non-NaN value of `value(i)` for `i` in `a..b`; both NaN when there is
/// none.
pub fn min_max(a: usize, b: usize, value: impl Fn(usize) -> f64) -> (f64, f64) {
    let mut lo = f64::NAN;
    let mut hi = f64::NAN;
    for i in a..b {
        let v = value(i);
        if v.is_nan() {
            continue;
        }
        if lo.is_nan() || v < lo {
            lo = v;
        }
        if hi.is_nan() || v > hi {
            hi = v;
        }
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_everything_once() {
        for (len, n) in [(10, 3), (100_000, 1500), (5, 10), (1, 1), (0, 4), (7, 7)] {
            let r: Vec<_> = ranges(len, n).collect();
            assert!(r.len() <= n.max(1));
            let mut next = 0;
            for (a, b) in &r {
                assert_eq!(*a, next);
                assert!(a < b);
                next = *b;
            }
            assert_eq!(next, len, "{len}/{n}");
        }
    }

    #[test]
    fn min_max_skips_gaps_and_keeps_spikes() {
        let v = [1.0, f64::NAN, 9.0, -2.0, 3.0];
        assert_eq!(min_max(0, 5, |i| v[i]), (-2.0, 9.0));
        let (lo, hi) = min_max(1, 2, |i| v[i]);
        assert!(lo.is_nan() && hi.is_nan());
        assert_eq!(min_max(2, 3, |i| v[i]), (9.0, 9.0));
    }
}
