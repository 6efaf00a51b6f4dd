//! Token-bucket rate limiter, in exact fixed point.
//!
//! The classic token bucket: it holds at most `burst` tokens and starts full; tokens accrue
//! continuously at `rate` per second; a request takes one token or is rejected (no waiting:
//! resilience4j's limiter with a timeout of 0; [`TokenBucket::wait_time`] tells a caller that
//! wants to wait how long). Hammered from time 0 (asked often enough that it never sits full:
//! a full bucket discards what it cannot hold), it admits exactly `⌊rate · t + burst⌋`
//! requests over `[0, t]`.
//!
//! Tokens are counted in units of 10⁻¹² token and the rate in thousandths of a token per
//! second (`rate` is rounded to 0.001/s), so a nanosecond brings exactly `rate × 1000` units:
//! refills are integer multiplications, with no drift however the calls are spaced.

use crate::time::Nanos;

/// Units per token.
const UNIT: u128 = 1_000_000_000_000;

#[derive(Clone, Debug)]
pub struct TokenBucket {
    /// Units added per nanosecond (= tokens per 1000 s).
    rate_milli: u64,
    capacity: u128,
    tokens: u128,
    at: Nanos,
    rejected: u64,
}

impl TokenBucket {
    /// `rate_per_s ≥ 0.001` (rounded to thousandths), `burst ≥ 1` tokens. Starts full.
    pub fn new(rate_per_s: f64, burst: u64) -> Result<Self, &'static str> {
        let rate_milli = libm::round(rate_per_s * 1000.0);
        if !(rate_per_s.is_finite() && rate_milli >= 1.0) {
            return Err("token bucket: rate must be at least 0.001 per second");
        }
        if rate_milli > u64::MAX as f64 {
            return Err("token bucket: rate is too large");
        }
        if burst == 0 {
            return Err("token bucket: burst must be at least 1");
        }
        let capacity = burst as u128 * UNIT;
        Ok(TokenBucket {
            rate_milli: rate_milli as u64,
            capacity,
            tokens: capacity,
            at: 0,
            rejected: 0,
        })
    }

    fn refill(&mut self, now: Nanos) {
        if now > self.at {
            let added = (now - self.at) as u128 * self.rate_milli as u128;
            self.tokens = (self.tokens + added).min(self.capacity);
            self.at = now;
        }
    }

    /// Takes one token at `now`; `false` (counted) when none is available.
    pub fn try_acquire(&mut self, now: Nanos) -> bool {
        self.try_acquire_n(now, 1)
    }

    /// Takes `n` tokens at once, or none.
    pub fn try_acquire_n(&mut self, now: Nanos, n: u64) -> bool {
        self.refill(now);
        let need = n as u128 * UNIT;
        let ok = self.tokens >= need;
        if ok {
            self.tokens -= need;
        } else {
            self.rejected += 1;
        }
        ok
    }

    /// How long from `now` until a token is available (0 if one is).
    pub fn wait_time(&mut self, now: Nanos) -> Nanos {
        self.refill(now);
        let missing = UNIT.saturating_sub(self.tokens);
        let ns = missing.div_ceil(self.rate_milli as u128);
        ns.min(Nanos::MAX as u128) as Nanos
    }

    /// Tokens available at `now` (fractional).
    pub fn tokens(&mut self, now: Nanos) -> f64 {
        self.refill(now);
        self.tokens as f64 / UNIT as f64
    }

    /// Requests rejected since construction.
    pub fn rejected(&self) -> u64 {
        self.rejected
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::NANOS_PER_SEC;

    const MS: Nanos = 1_000_000;

    /// Takes every available token at `now`; returns how many.
    fn drain(b: &mut TokenBucket, now: Nanos) -> u64 {
        let mut n = 0;
        while b.try_acquire(now) {
            n += 1;
        }
        n
    }

    /// `⌊rate · t + burst⌋` with `rate` in thousandths per second, in integers.
    fn expected(rate_milli: u128, burst: u128, t: Nanos) -> u64 {
        ((burst * UNIT + rate_milli * t as u128) / UNIT) as u64
    }

    #[test]
    fn hammered_bucket_admits_rate_times_t_plus_burst() {
        for (rate, rate_milli, burst, step) in [
            (10.0, 10_000, 5, MS),
            (2.5, 2_500, 2, 7 * MS),
            (0.3, 300, 3, 333_333),
            (1000.0, 1_000_000, 50, MS / 2),
        ] {
            let mut b = TokenBucket::new(rate, burst).unwrap();
            let mut admitted = 0;
            let mut t = 0;
            while t <= 5 * NANOS_PER_SEC {
                admitted += drain(&mut b, t);
                assert_eq!(
                    admitted,
                    expected(rate_milli, burst as u128, t),
                    "rate {rate} at {t}"
                );
                t += step;
            }
        }
    }

    #[test]
    fn a_token_completes_at_the_exact_nanosecond() {
        // 3 per second: one token every 333_333_333.3 ns.
        let mut b = TokenBucket::new(3.0, 2).unwrap();
        assert!(b.try_acquire(0) && b.try_acquire(0));
        assert_eq!(b.wait_time(0), 333_333_334);
        assert!(!b.try_acquire(333_333_333));
        assert!(b.try_acquire(333_333_334));
        // The fraction left over is kept: the next token at 666_666_667, not 2 × 333_333_334.
        assert!(!b.try_acquire(666_666_666));
        assert!(b.try_acquire(666_666_667));
        assert_eq!(b.rejected(), 2);
    }

    #[test]
    fn a_full_bucket_discards_what_it_cannot_hold() {
        let mut b = TokenBucket::new(3.0, 1).unwrap();
        assert!(b.try_acquire(0));
        // Full at 333_333_333.3 ns; asked at 400 ms, the extra 66.7 ms of tokens are lost.
        assert!(b.try_acquire(400_000_000));
        assert_eq!(b.wait_time(400_000_000), 333_333_334);
    }

    #[test]
    fn idle_bucket_fills_up_to_burst_only() {
        let mut b = TokenBucket::new(100.0, 4).unwrap();
        assert_eq!(drain(&mut b, 0), 4);
        assert_eq!(b.tokens(3_600 * NANOS_PER_SEC), 4.0);
        assert_eq!(b.wait_time(3_600 * NANOS_PER_SEC), 0);
        assert!(b.try_acquire_n(3_600 * NANOS_PER_SEC, 3));
        assert!(!b.try_acquire_n(3_600 * NANOS_PER_SEC, 2));
        assert_eq!(b.tokens(3_600 * NANOS_PER_SEC), 1.0);
    }

    #[test]
    fn invalid_parameters_are_rejected() {
        assert!(TokenBucket::new(0.0, 1).is_err());
        assert!(TokenBucket::new(0.0004, 1).is_err());
        assert!(TokenBucket::new(f64::NAN, 1).is_err());
        assert!(TokenBucket::new(1.0, 0).is_err());
    }
}
