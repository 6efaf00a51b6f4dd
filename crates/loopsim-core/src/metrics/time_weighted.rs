//! Time-weighted statistics of a piecewise-constant quantity (queue length, busy threads,
//! requests in service) over the measured window `[warmup, end]`.

use crate::time::Nanos;

#[derive(Clone, Debug)]
pub struct TimeWeighted {
    value: u64,
    since: Nanos,
    /// Σ value·dt over the measured window, in value·ns.
    integral: u128,
    max: u64,
    window_start: Nanos,
    /// Σ value·dt since time 0, warm-up included.
    total: u128,
}

impl TimeWeighted {
    pub fn new(window_start: Nanos) -> Self {
        TimeWeighted {
            value: 0,
            since: 0,
            integral: 0,
            max: 0,
            window_start,
            total: 0,
        }
    }

    #[inline]
    pub fn value(&self) -> u64 {
        self.value
    }

    /// The quantity changes to `value` at time `now` (non-decreasing across calls).
    #[inline]
    pub fn set(&mut self, now: Nanos, value: u64) {
        self.total += self.value as u128 * (now - self.since) as u128;
        if now > self.window_start {
            let from = self.since.max(self.window_start);
            self.integral += self.value as u128 * (now - from) as u128;
            self.max = self.max.max(self.value);
        }
        self.value = value;
        self.since = now;
    }

    #[inline]
    pub fn add(&mut self, now: Nanos, delta: i64) {
        // A count going below zero means an engine bug (a double release): catch it in tests.
        debug_assert!(self.value as i64 + delta >= 0, "count below zero");
        let v = (self.value as i64 + delta).max(0) as u64;
        self.set(now, v);
    }

    /// Time average over `[window_start, now]`.
    pub fn mean(&self, now: Nanos) -> f64 {
        if now <= self.window_start {
            return self.value as f64;
        }
        let from = self.since.max(self.window_start);
        let total = self.integral + self.value as u128 * (now - from) as u128;
        total as f64 / (now - self.window_start) as f64
    }

    /// Maximum over the measured window up to `now`.
    pub fn max(&self, now: Nanos) -> u64 {
        if now >= self.window_start {
            self.max.max(self.value)
        } else {
            self.max
        }
    }

    /// Σ value·dt since time 0 (warm-up included), up to `now` (value·ns).
    pub fn integral_total(&self, now: Nanos) -> u128 {
        self.total + self.value as u128 * (now - self.since) as u128
    }

    /// Σ value·dt since the start of the window, up to `now` (value·ns).
    pub fn integral(&self, now: Nanos) -> u128 {
        if now <= self.window_start {
            return 0;
        }
        let from = self.since.max(self.window_start);
        self.integral + self.value as u128 * (now - from) as u128
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_max_only_count_the_window() {
        let mut t = TimeWeighted::new(10);
        t.set(0, 100); // before the window
        t.set(10, 2);
        t.set(20, 4);
        // window [10, 30]: 2 for 10 ns, 4 for 10 ns.
        assert_eq!(t.mean(30), 3.0);
        assert_eq!(t.max(30), 4);
        assert_eq!(t.integral(30), 60);
    }

    #[test]
    fn value_in_effect_at_window_start_counts() {
        let mut t = TimeWeighted::new(10);
        t.set(0, 7);
        t.set(15, 1);
        assert_eq!(t.max(20), 7);
        assert_eq!(t.mean(20), 4.0);
    }
}
