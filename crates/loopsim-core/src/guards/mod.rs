//! Guard models: circuit breakers, retries and retry budgets, adaptive throttling, a risk
//! guard, rate limiting, concurrency limits and cost safeguards.
//!
//! Each guard is a pure state machine, independent of the engine: the engine asks it for
//! admission (`try_acquire(now)`, `decide(now, rng)`, ...), feeds it outcomes
//! (`on_result(now, ok, latency)`, `release(now, rtt, dropped)`, ...) and reads its state for
//! time series. Time is the caller's simulated time in integer nanoseconds; randomness comes
//! only from the caller's [`Rng`]. The hot calls (admission and feedback) never allocate:
//! windows are preallocated ring buffers, and transition logs have a fixed capacity.
//!
//! Every module names the published algorithm it follows and where we deliberately differ.
//! Where integers are exact they are used: threshold ratios (breaker rates, the retry-budget
//! ratio, AIMD's backoff) are converted once to parts per million and compared in integers,
//! token buckets count in fixed point, jitter is drawn as integers. Continuous controllers
//! (EWMAs, momentum, Gradient2, Vegas, throttling probabilities) use `f64` through `libm`,
//! which is bit-identical on every target.
//!
//! | module | model | origin |
//! |---|---|---|
//! | [`breaker`] | consecutive-failure and sliding-window circuit breakers | cloudcircuit; resilience4j |
//! | [`retry`] | backoff with jitter, retry policy, retry budgets | AWS architecture blog; Google SRE, Finagle/Envoy; gRPC |
//! | [`throttle`] | client-side adaptive throttling | Google SRE book |
//! | [`risk`] | risk-scored guard with quarantine | evoSentinel, with a latency term |
//! | [`rate_limit`] | token bucket | classic token bucket |
//! | [`concurrency`] | fixed (bulkhead), AIMD, Gradient2, Vegas limits | Netflix concurrency-limits; resilience4j bulkhead |
//! | [`budget`] | spend checks, spike detection, burn rate, forecast | cloudcircuit |
//! | [`window`] | sliding time window of bucketed counters (shared) | resilience4j, Hystrix, Finagle windows |
//!
//! There is no separate bulkhead module: a bulkhead with a maximum wait of 0 (the only sensible
//! setting on an event loop) is exactly [`concurrency::LimitKind::Fixed`]; see
//! [`concurrency::ConcurrencyLimit::bulkhead`].

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use crate::rng::Rng;
use crate::time::Nanos;

pub mod breaker;
pub mod budget;
pub mod concurrency;
pub mod rate_limit;
pub mod retry;
pub mod risk;
pub mod throttle;
pub mod window;

/// Parts per million: the fixed-point unit of every configured rate or ratio.
pub const PPM: u64 = 1_000_000;

/// Converts a ratio (0.5 = 50%) to parts per million, rounded to nearest. The caller
/// validates the range first.
pub(crate) fn to_ppm(ratio: f64) -> u64 {
    libm::round(ratio * PPM as f64) as u64
}

/// True when `part / whole ≥ ppm / 10⁶`, in exact integer arithmetic (`whole > 0`).
pub(crate) fn reaches_ppm(part: u64, whole: u64, ppm: u64) -> bool {
    part as u128 * PPM as u128 >= ppm as u128 * whole as u128
}

/// Uniform integer in `[0, n)` (`0` when `n == 0`), by 128-bit multiply-shift: exact integer
/// arithmetic, bias below `n / 2⁶⁴`.
pub(crate) fn uniform_below(rng: &mut Rng, n: u64) -> u64 {
    ((rng.next_u64() as u128 * n as u128) >> 64) as u64
}

/// Uniform integer in `[lo, hi]` (both included); `lo` when `hi <= lo`.
pub(crate) fn uniform_inclusive(rng: &mut Rng, lo: u64, hi: u64) -> u64 {
    lo + uniform_below(rng, hi.saturating_sub(lo).saturating_add(1))
}

/// Default capacity of a [`TransitionLog`].
pub const TRANSITION_LOG_CAPACITY: usize = 64;

/// A bounded log of state transitions `(time, new state)`, drained by the engine.
///
/// It holds at most its capacity (fixed at construction, so pushing never allocates); when
/// full, the oldest entry is dropped and counted in [`TransitionLog::overflowed`]. The total
/// number of transitions and the last one stay exact whatever was drained or dropped.
#[derive(Clone, Debug)]
pub struct TransitionLog<S: Copy> {
    pending: VecDeque<(Nanos, S)>,
    capacity: usize,
    total: u64,
    overflowed: u64,
    last: Option<(Nanos, S)>,
}

impl<S: Copy> TransitionLog<S> {
    pub fn with_capacity(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        TransitionLog {
            pending: VecDeque::with_capacity(capacity),
            capacity,
            total: 0,
            overflowed: 0,
            last: None,
        }
    }

    pub fn push(&mut self, at: Nanos, state: S) {
        if self.pending.len() == self.capacity {
            self.pending.pop_front();
            self.overflowed += 1;
        }
        self.pending.push_back((at, state));
        self.total += 1;
        self.last = Some((at, state));
    }

    /// Moves the pending transitions, oldest first, to the end of `out`.
    pub fn drain_into(&mut self, out: &mut Vec<(Nanos, S)>) {
        out.extend(self.pending.drain(..));
    }

    /// Transitions since construction.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Transitions dropped, undrained, because the log was full.
    pub fn overflowed(&self) -> u64 {
        self.overflowed
    }

    pub fn last(&self) -> Option<(Nanos, S)> {
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ppm_comparisons_are_exact() {
        assert_eq!(to_ppm(0.5), 500_000);
        assert_eq!(to_ppm(0.1), 100_000);
        assert!(reaches_ppm(1, 10, to_ppm(0.1)));
        assert!(!reaches_ppm(2, 5, to_ppm(0.5)));
        assert!(reaches_ppm(3, 5, to_ppm(0.5)));
        assert!(reaches_ppm(5, 10, to_ppm(0.5)));
    }

    #[test]
    fn uniform_inclusive_stays_in_range_and_reaches_both_ends() {
        let mut rng = Rng::new(9);
        let mut seen = [false; 3];
        for _ in 0..1000 {
            let x = uniform_inclusive(&mut rng, 10, 12);
            assert!((10..=12).contains(&x));
            seen[(x - 10) as usize] = true;
        }
        assert_eq!(seen, [true; 3]);
        assert_eq!(uniform_inclusive(&mut rng, 7, 7), 7);
        assert_eq!(uniform_inclusive(&mut rng, 7, 3), 7);
    }

    #[test]
    fn transition_log_is_bounded_and_drains_in_order() {
        let mut log = TransitionLog::with_capacity(2);
        log.push(1, 'a');
        log.push(2, 'b');
        log.push(3, 'c');
        assert_eq!(log.total(), 3);
        assert_eq!(log.overflowed(), 1);
        assert_eq!(log.last(), Some((3, 'c')));
        let mut out = Vec::new();
        log.drain_into(&mut out);
        assert_eq!(out, [(2, 'b'), (3, 'c')]);
        log.drain_into(&mut out);
        assert_eq!(out.len(), 2);
    }
}
