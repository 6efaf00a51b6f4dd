//! A sliding time window of counters in fixed-width buckets (a ring buffer).
//!
//! Bucket `e` covers simulated time `[e·width, (e+1)·width)`. A window of `n` buckets at time
//! `t` holds the current (partial) bucket `⌊t / width⌋` and the `n − 1` before it, so it spans
//! between `(n − 1)·width` and `n·width` of history: the "N partial aggregations" of
//! resilience4j's time-based window, Hystrix's rolling buckets and Finagle's windowed counters.
//! Each bucket holds `K` counters; totals are kept incrementally, so reading is O(1) and
//! advancing costs one step per elapsed bucket (at most `n`). Nothing allocates after
//! construction.

use alloc::vec;
use alloc::vec::Vec;

use crate::time::{Nanos, NANOS_PER_SEC};

#[derive(Clone, Debug)]
pub struct BucketWindow<const K: usize> {
    width: Nanos,
    buckets: Vec<[u64; K]>,
    totals: [u64; K],
    /// Index of the newest bucket (time / width).
    epoch: u64,
}

impl<const K: usize> BucketWindow<K> {
    /// A window of `buckets` buckets of `width` ns each (both at least 1).
    pub fn new(buckets: usize, width: Nanos) -> Self {
        BucketWindow {
            width: width.max(1),
            buckets: vec![[0; K]; buckets.max(1)],
            totals: [0; K],
            epoch: 0,
        }
    }

    /// A window spanning `span` in one-second buckets: `⌈span / 1 s⌉` buckets, at least one.
    pub fn seconds(span: Nanos) -> Self {
        Self::new(span.div_ceil(NANOS_PER_SEC).max(1) as usize, NANOS_PER_SEC)
    }

    /// Number of buckets.
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.totals.iter().all(|&t| t == 0)
    }

    /// Expires the buckets that left the window by `now`. Time never goes back: an earlier
    /// `now` counts in the newest bucket.
    pub fn advance(&mut self, now: Nanos) {
        let epoch = now / self.width;
        if epoch <= self.epoch {
            return;
        }
        let n = self.buckets.len() as u64;
        let steps = (epoch - self.epoch).min(n);
        for i in 1..=steps {
            let idx = ((self.epoch + i) % n) as usize;
            let bucket = &mut self.buckets[idx];
            for (total, count) in self.totals.iter_mut().zip(bucket.iter_mut()) {
                *total -= *count;
                *count = 0;
            }
        }
        self.epoch = epoch;
    }

    /// Adds `v` to counter `k` at time `now`.
    pub fn add(&mut self, now: Nanos, k: usize, v: u64) {
        self.advance(now);
        let idx = (self.epoch % self.buckets.len() as u64) as usize;
        self.buckets[idx][k] += v;
        self.totals[k] += v;
    }

    /// Totals over the window as of the last [`advance`](Self::advance) or
    /// [`add`](Self::add).
    pub fn totals(&self) -> [u64; K] {
        self.totals
    }

    /// Totals over the window at `now`.
    pub fn totals_at(&mut self, now: Nanos) -> [u64; K] {
        self.advance(now);
        self.totals
    }

    /// Empties the window (keeps its position in time).
    pub fn clear(&mut self) {
        for bucket in &mut self.buckets {
            *bucket = [0; K];
        }
        self.totals = [0; K];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Nanos = NANOS_PER_SEC;

    #[test]
    fn counts_expire_bucket_by_bucket() {
        let mut w = BucketWindow::<2>::new(3, S);
        w.add(0, 0, 1); // bucket 0
        w.add(S + 5, 0, 2); // bucket 1
        w.add(2 * S, 1, 4); // bucket 2
        assert_eq!(w.totals_at(3 * S - 1), [3, 4]);
        // At 3 s bucket 0 leaves the window.
        assert_eq!(w.totals_at(3 * S), [2, 4]);
        assert_eq!(w.totals_at(4 * S), [0, 4]);
        assert_eq!(w.totals_at(5 * S), [0, 0]);
        assert!(w.is_empty());
    }

    #[test]
    fn long_gaps_clear_everything_and_reuse_buckets() {
        let mut w = BucketWindow::<1>::new(10, S);
        for t in 0..10 {
            w.add(t * S, 0, 1);
        }
        assert_eq!(w.totals(), [10]);
        assert_eq!(w.totals_at(1_000 * S), [0]);
        w.add(1_000 * S, 0, 7);
        assert_eq!(w.totals(), [7]);
    }

    #[test]
    fn seconds_rounds_up_and_earlier_times_count_now() {
        let mut w = BucketWindow::<1>::seconds(2_500_000_000);
        assert_eq!(w.len(), 3);
        w.add(5 * S, 0, 1);
        w.add(S, 0, 1); // earlier than the newest bucket: counted in it
        assert_eq!(w.totals_at(5 * S), [2]);
        w.clear();
        assert_eq!(w.totals(), [0]);
    }
}
