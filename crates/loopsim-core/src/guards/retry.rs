//! Retries: backoff with jitter, the retry policy, and two retry budgets.
//!
//! **Backoff (AWS architecture blog, "Exponential Backoff And Jitter").** For the `n`-th retry
//! (`n = 1` is the first retry) the un-jittered delay is `d = min(cap, base)` (constant) or
//! `d = min(cap, base · 2^(n−1))` (exponential), in integer nanoseconds (saturating, never
//! overflowing). Jitter: none → `d`; full → `U[0, d]`; equal → `d − ⌊d/2⌋ + U[0, ⌊d/2⌋]`
//! (that is `d/2 + U(0, d/2)`, in `[⌈d/2⌉, d]`). Decorrelated jitter is its own kind:
//! `min(cap, U[base, 3 · prev])` where `prev` is the previous delay (`base` before the first
//! retry); it is already random, so the `jitter` field is ignored. Uniform draws are integers
//! drawn from the caller's [`Rng`] by multiply-shift: no floating point.
//!
//! **Ratio budget (Google SRE "retry budget"; Finagle's `RetryBudget(ttl, minRetriesPerSec,
//! percentCanRetry)`).** Over a sliding window (default the last 10 s in 1 s buckets) a retry
//! is allowed only if, counting it, `retries ≤ ratio × requests + min_retries_per_s × window`,
//! where `requests` counts original requests (not retries). The floor is a reserve *added* to
//! the ratio allowance, as in Finagle, so that a client that has just started (or sends
//! little) can still retry. Envoy's budget is the same idea over *active* requests with a
//! floor that is a maximum (`max(ratio × active, 3)` concurrent retries), not an addition.
//!
//! **gRPC retry throttling (gRFC A6).** A token bucket per client: it starts full at
//! `max_tokens`; every failed attempt takes 1 token, every successful one gives back
//! `token_ratio` (up to `max_tokens`); retries are allowed only while `tokens > max_tokens / 2`.
//! Tokens are kept in thousandths (gRPC allows three decimals in `token_ratio`), so the
//! arithmetic is exact.

use super::window::BucketWindow;
use super::{to_ppm, uniform_inclusive, PPM};
use crate::rng::Rng;
use crate::time::{Nanos, NANOS_PER_SEC};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackoffKind {
    /// Retry at once.
    None,
    Constant,
    Exponential,
    Decorrelated,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Jitter {
    None,
    Full,
    Equal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub kind: BackoffKind,
    pub base: Nanos,
    pub cap: Nanos,
    pub jitter: Jitter,
}

impl Backoff {
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.kind != BackoffKind::None && self.cap < self.base {
            return Err("backoff: cap must be at least base");
        }
        Ok(())
    }

    /// The un-jittered delay before retry `attempt` (1 = first retry): `min(cap, base)` or
    /// `min(cap, base · 2^(attempt−1))`; for decorrelated backoff, its largest value
    /// `min(cap, 3 · prev)` with `prev = base`.
    pub fn ceiling(&self, attempt: u32) -> Nanos {
        let n = attempt.max(1) - 1;
        let d = match self.kind {
            BackoffKind::None => return 0,
            BackoffKind::Constant => self.base,
            BackoffKind::Exponential if n >= 64 => u64::MAX,
            BackoffKind::Exponential => self.base.saturating_mul(1 << n),
            BackoffKind::Decorrelated => self.base.saturating_mul(3),
        };
        d.min(self.cap)
    }

    /// The delay before retry `attempt` (1 = first retry); `prev` is the previous delay (0
    /// before the first retry), used by decorrelated backoff only.
    pub fn delay(&self, attempt: u32, prev: Nanos, rng: &mut Rng) -> Nanos {
        match self.kind {
            BackoffKind::None => 0,
            BackoffKind::Decorrelated => {
                let hi = prev.max(self.base).saturating_mul(3);
                uniform_inclusive(rng, self.base, hi).min(self.cap)
            }
            BackoffKind::Constant | BackoffKind::Exponential => {
                self.jittered(self.ceiling(attempt), rng)
            }
        }
    }

    fn jittered(&self, d: Nanos, rng: &mut Rng) -> Nanos {
        match self.jitter {
            Jitter::None => d,
            Jitter::Full => uniform_inclusive(rng, 0, d),
            Jitter::Equal => {
                let half = d / 2;
                d - half + uniform_inclusive(rng, 0, half)
            }
        }
    }
}

/// The ratio retry budget; see the [module documentation](self).
#[derive(Clone, Debug)]
pub struct RetryBudget {
    ratio_ppm: u64,
    /// The floor's reserve over the whole window, in millionths of a retry.
    reserve_ppm: u128,
    /// Counters: original requests, retries.
    counts: BucketWindow<2>,
    denied: u64,
}

impl RetryBudget {
    /// `ratio` retries per original request (0.2 = 20%), plus `min_retries_per_s` per second
    /// of `window` (whole seconds, at least 1 s; one-second buckets).
    pub fn new(ratio: f64, min_retries_per_s: u32, window: Nanos) -> Result<Self, &'static str> {
        if !(ratio.is_finite() && ratio >= 0.0) {
            return Err("retry budget: ratio must be a finite number >= 0");
        }
        if window < NANOS_PER_SEC || window % NANOS_PER_SEC != 0 {
            return Err("retry budget: window must be a whole number of seconds, at least 1 s");
        }
        let secs = window / NANOS_PER_SEC;
        Ok(RetryBudget {
            ratio_ppm: to_ppm(ratio),
            reserve_ppm: min_retries_per_s as u128 * secs as u128 * PPM as u128,
            counts: BucketWindow::seconds(window),
            denied: 0,
        })
    }

    /// Finagle's and Envoy's 20%, a floor of 3 retries per second, over 10 s.
    pub fn default_budget() -> Self {
        RetryBudget::new(0.2, 3, 10 * NANOS_PER_SEC).expect("valid default")
    }

    /// Counts one original request (not a retry).
    pub fn on_request(&mut self, now: Nanos) {
        self.counts.add(now, 0, 1);
    }

    /// Whether one more retry fits the budget at `now`; if so it is recorded, else the
    /// denial is counted.
    pub fn try_retry(&mut self, now: Nanos) -> bool {
        let [requests, retries] = self.counts.totals_at(now);
        let allowance = self.ratio_ppm as u128 * requests as u128 + self.reserve_ppm;
        let ok = (retries as u128 + 1) * PPM as u128 <= allowance;
        if ok {
            self.counts.add(now, 1, 1);
        } else {
            self.denied += 1;
        }
        ok
    }

    /// `(original requests, retries)` in the window at `now`.
    pub fn window(&mut self, now: Nanos) -> (u64, u64) {
        let [requests, retries] = self.counts.totals_at(now);
        (requests, retries)
    }

    pub fn denied(&self) -> u64 {
        self.denied
    }
}

/// gRPC's retry throttling token bucket; see the [module documentation](self).
#[derive(Clone, Debug)]
pub struct GrpcRetryThrottle {
    max_milli: u64,
    ratio_milli: u64,
    tokens_milli: u64,
    denied: u64,
}

impl GrpcRetryThrottle {
    /// gRPC bounds: `0 < max_tokens ≤ 1000`, `token_ratio > 0` (rounded to thousandths).
    pub fn new(max_tokens: u32, token_ratio: f64) -> Result<Self, &'static str> {
        if !(1..=1000).contains(&max_tokens) {
            return Err("grpc retry throttle: max_tokens must be in 1..=1000");
        }
        let ratio_milli = libm::round(token_ratio * 1000.0);
        if !(token_ratio.is_finite() && ratio_milli >= 1.0) {
            return Err("grpc retry throttle: token_ratio must be at least 0.001");
        }
        let max_milli = max_tokens as u64 * 1000;
        Ok(GrpcRetryThrottle {
            max_milli,
            ratio_milli: ratio_milli.min(max_milli as f64) as u64,
            tokens_milli: max_milli,
            denied: 0,
        })
    }

    /// Feeds the outcome of an attempt: failure −1 token, success +`token_ratio`.
    pub fn on_result(&mut self, ok: bool) {
        self.tokens_milli = if ok {
            (self.tokens_milli + self.ratio_milli).min(self.max_milli)
        } else {
            self.tokens_milli.saturating_sub(1000)
        };
    }

    /// Whether retries are allowed now (`tokens > max_tokens / 2`).
    pub fn allows_retry(&self) -> bool {
        self.tokens_milli * 2 > self.max_milli
    }

    /// Like [`allows_retry`](Self::allows_retry), counting a denial.
    pub fn try_retry(&mut self) -> bool {
        let ok = self.allows_retry();
        self.denied += !ok as u64;
        ok
    }

    pub fn tokens(&self) -> f64 {
        self.tokens_milli as f64 / 1000.0
    }

    pub fn denied(&self) -> u64 {
        self.denied
    }
}

/// Which budget, if any, limits a [`RetryPolicy`]'s retries.
#[derive(Clone, Debug)]
pub enum RetryBudgetKind {
    Ratio(RetryBudget),
    Grpc(GrpcRetryThrottle),
}

impl RetryBudgetKind {
    pub fn on_request(&mut self, now: Nanos) {
        if let RetryBudgetKind::Ratio(b) = self {
            b.on_request(now);
        }
    }

    pub fn on_result(&mut self, ok: bool) {
        if let RetryBudgetKind::Grpc(t) = self {
            t.on_result(ok);
        }
    }

    pub fn try_retry(&mut self, now: Nanos) -> bool {
        match self {
            RetryBudgetKind::Ratio(b) => b.try_retry(now),
            RetryBudgetKind::Grpc(t) => t.try_retry(),
        }
    }

    pub fn denied(&self) -> u64 {
        match self {
            RetryBudgetKind::Ratio(b) => b.denied(),
            RetryBudgetKind::Grpc(t) => t.denied(),
        }
    }
}

/// How a client retries: at most `attempts` attempts in all (the first included), spaced by
/// `backoff`, each retry subject to the `budget` if any.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub backoff: Backoff,
    pub budget: Option<RetryBudgetKind>,
}

impl RetryPolicy {
    pub fn new(
        attempts: u32,
        backoff: Backoff,
        budget: Option<RetryBudgetKind>,
    ) -> Result<Self, &'static str> {
        if attempts == 0 {
            return Err("retry: attempts must be at least 1 (the first attempt counts)");
        }
        backoff.validate()?;
        Ok(RetryPolicy {
            attempts,
            backoff,
            budget,
        })
    }

    /// Call once per original request.
    pub fn on_request(&mut self, now: Nanos) {
        if let Some(b) = &mut self.budget {
            b.on_request(now);
        }
    }

    /// Call with the outcome of every attempt.
    pub fn on_result(&mut self, ok: bool) {
        if let Some(b) = &mut self.budget {
            b.on_result(ok);
        }
    }

    /// Whether a request that has made `attempts_made` attempts may retry at `now`: attempts
    /// remain and the budget allows it (the retry is then recorded in the budget).
    pub fn try_retry(&mut self, now: Nanos, attempts_made: u32) -> bool {
        if attempts_made >= self.attempts {
            return false;
        }
        self.budget.as_mut().is_none_or(|b| b.try_retry(now))
    }

    /// The delay before retry `retry` (1 = first retry); see [`Backoff::delay`].
    pub fn delay(&self, retry: u32, prev: Nanos, rng: &mut Rng) -> Nanos {
        self.backoff.delay(retry, prev, rng)
    }

    /// Retries the budget denied.
    pub fn denied(&self) -> u64 {
        self.budget.as_ref().map_or(0, RetryBudgetKind::denied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Nanos = 1_000_000;
    const S: Nanos = NANOS_PER_SEC;

    fn backoff(kind: BackoffKind, jitter: Jitter) -> Backoff {
        Backoff {
            kind,
            base: 100 * MS,
            cap: S,
            jitter,
        }
    }

    #[test]
    fn exponential_sequence_doubles_up_to_the_cap() {
        let b = backoff(BackoffKind::Exponential, Jitter::None);
        let mut rng = Rng::new(1);
        let seq: [Nanos; 6] = core::array::from_fn(|i| b.delay(i as u32 + 1, 0, &mut rng));
        assert_eq!(seq, [100 * MS, 200 * MS, 400 * MS, 800 * MS, S, S]);
        assert_eq!(b.delay(200, 0, &mut rng), S); // no overflow
        let huge = Backoff { cap: u64::MAX, ..b };
        assert_eq!(huge.delay(64, 0, &mut rng), u64::MAX);
    }

    #[test]
    fn none_and_constant_backoff() {
        let mut rng = Rng::new(1);
        assert_eq!(
            backoff(BackoffKind::None, Jitter::Full).delay(3, 0, &mut rng),
            0
        );
        let c = backoff(BackoffKind::Constant, Jitter::None);
        assert_eq!(
            [c.delay(1, 0, &mut rng), c.delay(5, 0, &mut rng)],
            [100 * MS; 2]
        );
    }

    #[test]
    fn full_jitter_stays_in_zero_to_d() {
        let b = backoff(BackoffKind::Exponential, Jitter::Full);
        let mut rng = Rng::new(2);
        let n = 20_000;
        let mut sum = 0u64;
        for _ in 0..n {
            let d = b.delay(3, 0, &mut rng);
            assert!(d <= 400 * MS);
            sum += d;
        }
        let mean = sum / n;
        assert!(mean > 190 * MS && mean < 210 * MS, "{mean}");
    }

    #[test]
    fn equal_jitter_stays_in_half_d_to_d() {
        let b = backoff(BackoffKind::Exponential, Jitter::Equal);
        let mut rng = Rng::new(3);
        let (mut lo, mut hi) = (u64::MAX, 0);
        for _ in 0..10_000 {
            let d = b.delay(2, 0, &mut rng);
            lo = lo.min(d);
            hi = hi.max(d);
        }
        assert!(lo >= 100 * MS && hi <= 200 * MS, "{lo} {hi}");
        assert!(
            lo < 101 * MS && hi > 199 * MS,
            "covers the range: {lo} {hi}"
        );
        // Odd d: [⌈d/2⌉, d].
        let odd = Backoff {
            base: 3,
            cap: 3,
            ..b
        };
        for _ in 0..100 {
            assert!((2..=3).contains(&odd.delay(1, 0, &mut rng)));
        }
    }

    #[test]
    fn decorrelated_stays_between_base_and_three_times_prev_capped() {
        let b = backoff(BackoffKind::Decorrelated, Jitter::None);
        let mut rng = Rng::new(4);
        let mut prev = 0;
        for retry in 1..200 {
            let d = b.delay(retry, prev, &mut rng);
            let hi = (prev.max(100 * MS) * 3).min(S);
            assert!(d >= 100 * MS && d <= hi, "{d} not in [100 ms, {hi}]");
            prev = d;
        }
        assert_eq!(b.ceiling(1), 300 * MS);
        // Same seed, same delays.
        let mut a = Rng::new(5);
        let mut c = Rng::new(5);
        assert_eq!(b.delay(1, 0, &mut a), b.delay(1, 0, &mut c));
    }

    #[test]
    fn ratio_budget_allows_exactly_ratio_times_requests() {
        let mut b = RetryBudget::new(0.2, 0, 10 * S).unwrap();
        for _ in 0..50 {
            b.on_request(0);
        }
        for i in 0..10 {
            assert!(b.try_retry(S), "retry {i}");
        }
        assert!(!b.try_retry(S));
        assert_eq!((b.window(S), b.denied()), ((50, 10), 1));
        // One more request allows 0.2 of a retry: not enough; five more allow one.
        b.on_request(S);
        assert!(!b.try_retry(S));
        for _ in 0..4 {
            b.on_request(S);
        }
        assert!(b.try_retry(S));
    }

    #[test]
    fn ratio_budget_floor_adds_a_reserve_per_second_of_window() {
        let mut b = RetryBudget::new(0.2, 1, 10 * S).unwrap();
        assert_eq!((0..30).filter(|_| b.try_retry(0)).count(), 10); // no requests: reserve only
        let mut b = RetryBudget::new(0.2, 1, 10 * S).unwrap();
        for _ in 0..50 {
            b.on_request(0);
        }
        assert_eq!((0..30).filter(|_| b.try_retry(0)).count(), 20);
    }

    #[test]
    fn ratio_budget_window_slides() {
        let mut b = RetryBudget::new(0.5, 0, 10 * S).unwrap();
        for _ in 0..4 {
            b.on_request(0);
        }
        assert!(b.try_retry(0) && b.try_retry(0) && !b.try_retry(0));
        // At 10 s the first bucket (requests and retries) has left the window.
        assert_eq!(b.window(10 * S), (0, 0));
        assert!(!b.try_retry(10 * S));
        b.on_request(10 * S);
        b.on_request(10 * S);
        assert!(b.try_retry(10 * S));
    }

    #[test]
    fn grpc_throttle_stops_retries_at_half_the_tokens() {
        let mut t = GrpcRetryThrottle::new(10, 0.1).unwrap();
        for _ in 0..4 {
            t.on_result(false);
        }
        assert!(t.allows_retry()); // 6 > 5
        t.on_result(false);
        assert_eq!(t.tokens(), 5.0);
        assert!(!t.try_retry()); // 5 ≤ 5
        t.on_result(true);
        assert_eq!(t.tokens(), 5.1);
        assert!(t.try_retry());
        for _ in 0..100 {
            t.on_result(true);
        }
        assert_eq!(t.tokens(), 10.0);
        for _ in 0..20 {
            t.on_result(false);
        }
        assert_eq!((t.tokens(), t.denied()), (0.0, 1));
        assert!(GrpcRetryThrottle::new(0, 0.1).is_err());
        assert!(GrpcRetryThrottle::new(10, 0.0).is_err());
    }

    #[test]
    fn policy_counts_attempts_and_consults_the_budget() {
        let backoff = backoff(BackoffKind::Constant, Jitter::None);
        let mut p = RetryPolicy::new(3, backoff, None).unwrap();
        assert!(p.try_retry(0, 1) && p.try_retry(0, 2));
        assert!(!p.try_retry(0, 3));
        let grpc = RetryBudgetKind::Grpc(GrpcRetryThrottle::new(2, 1.0).unwrap());
        let mut p = RetryPolicy::new(5, backoff, Some(grpc)).unwrap();
        p.on_request(0);
        p.on_result(false); // 1 token of 2: no retries
        assert!(!p.try_retry(0, 1));
        assert_eq!(p.denied(), 1);
        assert!(RetryPolicy::new(0, backoff, None).is_err());
        let bad = Backoff { cap: MS, ..backoff };
        assert!(RetryPolicy::new(2, bad, None).is_err());
    }
}
