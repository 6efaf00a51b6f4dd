//! Client-side adaptive throttling (Google SRE book, "Handling Overload").
//!
//! The client counts, over a sliding window (the last 2 minutes by default, in 1 s buckets),
//! `requests` (every request the application attempted, including those rejected locally)
//! and `accepts` (requests the backend accepted). Each new request is rejected locally with
//! probability
//!
//! ```text
//! p = max(0, (requests − K · accepts) / (requests + 1))
//! ```
//!
//! computed from the counts *before* the new request (the `+ 1` in the denominator stands
//! for it), then the request is counted. `K = 2` by default: the client may send up to twice
//! what the backend accepts before it starts shedding locally. While `p = 0` no random number
//! is drawn, so a healthy client consumes nothing of the caller's stream.

use super::window::BucketWindow;
use crate::rng::Rng;
use crate::time::{Nanos, NANOS_PER_SEC};

#[derive(Clone, Debug)]
pub struct AdaptiveThrottle {
    k: f64,
    /// Counters: requests, accepts.
    counts: BucketWindow<2>,
    rejected: u64,
}

impl AdaptiveThrottle {
    /// `k ≥ 1`, a window of whole seconds (at least 1 s) in 1 s buckets.
    pub fn new(k: f64, window: Nanos) -> Result<Self, &'static str> {
        if !(k.is_finite() && k >= 1.0) {
            return Err("adaptive throttle: k must be a finite number >= 1");
        }
        if window < NANOS_PER_SEC || window % NANOS_PER_SEC != 0 {
            return Err(
                "adaptive throttle: window must be a whole number of seconds, at least 1 s",
            );
        }
        Ok(AdaptiveThrottle {
            k,
            counts: BucketWindow::seconds(window),
            rejected: 0,
        })
    }

    /// The SRE book's settings: K = 2 over the last 2 minutes.
    pub fn sre_default() -> Self {
        AdaptiveThrottle::new(2.0, 120 * NANOS_PER_SEC).expect("valid default")
    }

    /// Decides whether to reject a new request locally at `now` (counting the request).
    pub fn should_reject(&mut self, now: Nanos, rng: &mut Rng) -> bool {
        let p = self.reject_probability(now);
        self.counts.add(now, 0, 1);
        let reject = rng.chance(p);
        self.rejected += reject as u64;
        reject
    }

    /// Counts a request the backend accepted, at `now`.
    pub fn on_accept(&mut self, now: Nanos) {
        self.counts.add(now, 1, 1);
    }

    /// The probability with which a request arriving at `now` would be rejected.
    pub fn reject_probability(&mut self, now: Nanos) -> f64 {
        let [requests, accepts] = self.counts.totals_at(now);
        let excess = requests as f64 - self.k * accepts as f64;
        if excess <= 0.0 {
            0.0
        } else {
            excess / (requests as f64 + 1.0)
        }
    }

    /// `(requests, accepts)` in the window at `now`.
    pub fn window(&mut self, now: Nanos) -> (u64, u64) {
        let [requests, accepts] = self.counts.totals_at(now);
        (requests, accepts)
    }

    /// Requests rejected locally since construction.
    pub fn rejected(&self) -> u64 {
        self.rejected
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Nanos = NANOS_PER_SEC;

    #[test]
    fn no_rejection_while_accepts_keep_up_and_no_draws() {
        let mut t = AdaptiveThrottle::sre_default();
        let mut rng = Rng::new(1);
        let untouched = rng.clone().next_u64();
        for _ in 0..100 {
            assert!(!t.should_reject(0, &mut rng));
            t.on_accept(0);
        }
        assert_eq!(t.reject_probability(0), 0.0);
        assert_eq!(rng.next_u64(), untouched, "p = 0 draws nothing");
    }

    #[test]
    fn probability_matches_the_formula() {
        let mut t = AdaptiveThrottle::new(2.0, 120 * S).unwrap();
        let mut rng = Rng::new(2);
        // 10 requests, 2 accepted: p = (10 − 4) / 11.
        for i in 0..10 {
            t.should_reject(0, &mut rng);
            if i < 2 {
                t.on_accept(0);
            }
        }
        assert_eq!(t.window(0), (10, 2));
        assert_eq!(t.reject_probability(0), 6.0 / 11.0);
        // With K = 1.5: (10 − 3) / 11.
        let mut t = AdaptiveThrottle::new(1.5, 120 * S).unwrap();
        for i in 0..10 {
            t.should_reject(0, &mut rng);
            if i < 2 {
                t.on_accept(0);
            }
        }
        assert_eq!(t.reject_probability(0), 7.0 / 11.0);
    }

    #[test]
    fn dead_backend_sheds_most_requests_and_the_window_forgets() {
        let mut t = AdaptiveThrottle::sre_default();
        let mut rng = Rng::new(3);
        let rejected = (0..10_000).filter(|_| t.should_reject(0, &mut rng)).count();
        // p climbs to ≈ 1 within a few requests: nearly all are shed.
        assert!(rejected > 9_900, "{rejected}");
        assert_eq!(t.rejected(), rejected as u64);
        // Two minutes later the window is empty.
        assert_eq!(t.reject_probability(120 * S), 0.0);
    }

    #[test]
    fn client_settles_at_k_times_the_backend_capacity() {
        // 200 requests per second against a backend that accepts at most 50 per second: at
        // equilibrium the client sends K · accepts = 100 per second.
        let mut t = AdaptiveThrottle::sre_default();
        let mut rng = Rng::new(4);
        let (mut sent_late, mut accepted_this_second) = (0u64, 0u64);
        for i in 0..200 * 400u64 {
            let now = i * S / 200;
            if i % 200 == 0 {
                accepted_this_second = 0;
            }
            if !t.should_reject(now, &mut rng) {
                sent_late += (now >= 300 * S) as u64;
                if accepted_this_second < 50 {
                    accepted_this_second += 1;
                    t.on_accept(now);
                }
            }
        }
        let per_second = sent_late as f64 / 100.0;
        assert!((per_second - 100.0).abs() < 5.0, "{per_second}");
    }

    #[test]
    fn invalid_parameters_are_rejected() {
        assert!(AdaptiveThrottle::new(0.5, 120 * S).is_err());
        assert!(AdaptiveThrottle::new(2.0, S / 2).is_err());
        assert!(AdaptiveThrottle::new(f64::NAN, S).is_err());
    }
}
