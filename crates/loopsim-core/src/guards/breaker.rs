//! Circuit breakers: cloudcircuit's consecutive-failure breaker and resilience4j's
//! sliding-window breaker.
//!
//! **States.** `CLOSED` admits every call and records outcomes; `OPEN` rejects every call for
//! a wait; `HALF_OPEN` admits a fixed number of trial calls and decides from their outcomes.
//!
//! **Consecutive (cloudcircuit semantics).** `threshold` consecutive failures (a success resets
//! the streak) open the breaker for `open_for`; cloudcircuit's
//! `evaluate_circuit_breaker(consecutive_failures, threshold = 3, cooldown)` is open exactly
//! when `consecutive_failures ≥ threshold` or a cooldown remains. cloudcircuit is stateless and
//! has no half-open state; ours then admits one trial call (the classic breaker): a success
//! closes the breaker, a failure opens it again.
//!
//! **Sliding window (resilience4j semantics).** Outcomes go into a window of the last `n` calls
//! ([`Window::Count`]) or of the last `n` one-second buckets ([`Window::Time`]; the current
//! bucket is partial, see [`BucketWindow`]). A call is *slow* when its latency is strictly
//! greater than `slow_call`; a slow call may also be a failure. After recording an outcome,
//! if the window holds at least `min_calls` calls (for a count window, `min(min_calls, n)`, as
//! resilience4j does), the breaker opens when `failed / calls ≥ failure_rate` or
//! `slow / calls ≥ slow_rate`. There is no decision before `min_calls`. OPEN rejects for
//! `open_for × open_growth^(k−1)` on the k-th consecutive opening without an intervening
//! CLOSED (resilience4j's exponential wait interval; `open_growth = 1` keeps it constant). Then
//! HALF_OPEN permits exactly `half_open_calls` trial calls and rejects the rest; their outcomes
//! are evaluated in a fresh window once all of them are in: CLOSED (with a fresh window) if
//! both rates are below their thresholds, else OPEN again. So one failure among N trials
//! reopens the breaker only when `1/N ≥ failure_rate`.
//!
//! **Time.** OPEN → HALF_OPEN happens lazily, on the next [`CircuitBreaker::try_acquire`] (or
//! [`CircuitBreaker::poll`]) at or after the end of the wait, like resilience4j without
//! automatic transition; the transition is logged at the moment the wait ended, so the log
//! does not depend on when the engine happens to look. Rates are compared in exact integer
//! arithmetic (thresholds in parts per million).
//!
//! **Outcomes that arrive late.** An outcome recorded while OPEN (a call admitted before the
//! breaker opened) is ignored. An outcome recorded while HALF_OPEN counts as a trial outcome
//! even if the call was admitted earlier, as in resilience4j. The engine must report the
//! outcome of every admitted call (a timeout is a failure), or HALF_OPEN waits forever.

use alloc::vec;
use alloc::vec::Vec;

use super::window::BucketWindow;
use super::{reaches_ppm, to_ppm, TransitionLog, TRANSITION_LOG_CAPACITY};
use crate::time::{Nanos, NANOS_PER_SEC};

/// The sliding window of a [`BreakerConfig::SlidingWindow`] breaker.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Window {
    /// The last `n` calls (resilience4j `COUNT_BASED`).
    Count(u32),
    /// The last `span` of time in one-second buckets (resilience4j `TIME_BASED`); whole
    /// seconds, at least one.
    Time(Nanos),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BreakerConfig {
    /// cloudcircuit: `threshold` consecutive failures open the breaker for `open_for`.
    Consecutive { threshold: u32, open_for: Nanos },
    /// resilience4j: failure and slow-call rates over a sliding window.
    SlidingWindow {
        window: Window,
        /// No decision before this many calls are in the window.
        min_calls: u32,
        /// Failure-rate threshold in (0, 1] (0.5 = 50%).
        failure_rate: f64,
        /// A call is slow when its latency is strictly greater than this.
        slow_call: Nanos,
        /// Slow-call-rate threshold in (0, 1].
        slow_rate: f64,
        /// Wait in OPEN before HALF_OPEN.
        open_for: Nanos,
        /// Trial calls permitted in HALF_OPEN (at least 1).
        half_open_calls: u32,
        /// Growth factor of the wait per consecutive opening (≥ 1; 1 = constant).
        open_growth: f64,
    },
}

impl BreakerConfig {
    /// resilience4j's defaults: count window of 100 calls, 100 minimum calls, 50% failures,
    /// slow calls above 60 s at 100%, 60 s open, 10 half-open calls, constant wait.
    pub fn resilience4j_default() -> Self {
        BreakerConfig::SlidingWindow {
            window: Window::Count(100),
            min_calls: 100,
            failure_rate: 0.5,
            slow_call: 60 * NANOS_PER_SEC,
            slow_rate: 1.0,
            open_for: 60 * NANOS_PER_SEC,
            half_open_calls: 10,
            open_growth: 1.0,
        }
    }

    /// Checks the parameters; the message names the offending one.
    pub fn validate(&self) -> Result<(), &'static str> {
        match *self {
            BreakerConfig::Consecutive { threshold, .. } => {
                check(threshold >= 1, "breaker: threshold must be at least 1")
            }
            BreakerConfig::SlidingWindow {
                window,
                min_calls,
                failure_rate,
                slow_rate,
                half_open_calls,
                open_growth,
                ..
            } => {
                match window {
                    Window::Count(n) => check(n >= 1, "breaker: count window must be at least 1")?,
                    Window::Time(span) => check(
                        span >= NANOS_PER_SEC && span % NANOS_PER_SEC == 0,
                        "breaker: time window must be a whole number of seconds, at least 1 s",
                    )?,
                }
                check(min_calls >= 1, "breaker: min_calls must be at least 1")?;
                check(
                    is_rate(failure_rate),
                    "breaker: failure_rate must be in (0, 1]",
                )?;
                check(is_rate(slow_rate), "breaker: slow_rate must be in (0, 1]")?;
                check(
                    half_open_calls >= 1,
                    "breaker: half_open_calls must be at least 1",
                )?;
                check(
                    open_growth.is_finite() && open_growth >= 1.0,
                    "breaker: open_growth must be a finite number >= 1",
                )
            }
        }
    }
}

fn check(ok: bool, msg: &'static str) -> Result<(), &'static str> {
    if ok {
        Ok(())
    } else {
        Err(msg)
    }
}

fn is_rate(x: f64) -> bool {
    x > 0.0 && x <= 1.0
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

/// Calls, failures and slow calls in a window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WindowCounts {
    pub calls: u64,
    pub failed: u64,
    pub slow: u64,
}

impl WindowCounts {
    fn record(&mut self, failed: bool, slow: bool) {
        self.calls += 1;
        self.failed += failed as u64;
        self.slow += slow as u64;
    }
}

const FAILED: u8 = 1;
const SLOW: u8 = 2;

/// The last `n` outcomes in a ring, with running counts.
#[derive(Clone, Debug)]
struct CountWindow {
    outcomes: Vec<u8>,
    next: usize,
    counts: WindowCounts,
}

impl CountWindow {
    fn new(n: u32) -> Self {
        CountWindow {
            outcomes: vec![0; n as usize],
            next: 0,
            counts: WindowCounts::default(),
        }
    }

    fn record(&mut self, failed: bool, slow: bool) {
        if self.counts.calls == self.outcomes.len() as u64 {
            let old = self.outcomes[self.next];
            self.counts.calls -= 1;
            self.counts.failed -= (old & FAILED != 0) as u64;
            self.counts.slow -= (old & SLOW != 0) as u64;
        }
        self.outcomes[self.next] = (failed as u8 * FAILED) | (slow as u8 * SLOW);
        self.next = (self.next + 1) % self.outcomes.len();
        self.counts.record(failed, slow);
    }

    fn clear(&mut self) {
        self.next = 0;
        self.counts = WindowCounts::default();
    }
}

#[derive(Clone, Debug)]
enum Outcomes {
    Count(CountWindow),
    /// Counters: calls, failed, slow.
    Time(BucketWindow<3>),
}

#[derive(Clone, Debug)]
struct Sliding {
    window: Outcomes,
    min_calls: u64,
    failure_ppm: u64,
    slow_call: Nanos,
    slow_ppm: u64,
}

impl Sliding {
    fn exceeded(&self, c: WindowCounts, min_calls: u64) -> bool {
        c.calls >= min_calls
            && (reaches_ppm(c.failed, c.calls, self.failure_ppm)
                || reaches_ppm(c.slow, c.calls, self.slow_ppm))
    }

    fn record(&mut self, now: Nanos, failed: bool, slow: bool) -> WindowCounts {
        match &mut self.window {
            Outcomes::Count(w) => {
                w.record(failed, slow);
                w.counts
            }
            Outcomes::Time(w) => {
                w.add(now, 0, 1);
                w.add(now, 1, failed as u64);
                w.add(now, 2, slow as u64);
                counts_of(w.totals())
            }
        }
    }

    fn counts(&mut self, now: Nanos) -> WindowCounts {
        match &mut self.window {
            Outcomes::Count(w) => w.counts,
            Outcomes::Time(w) => counts_of(w.totals_at(now)),
        }
    }

    fn clear(&mut self) {
        match &mut self.window {
            Outcomes::Count(w) => w.clear(),
            Outcomes::Time(w) => w.clear(),
        }
    }
}

fn counts_of(t: [u64; 3]) -> WindowCounts {
    WindowCounts {
        calls: t[0],
        failed: t[1],
        slow: t[2],
    }
}

#[derive(Clone, Debug)]
enum Rule {
    Consecutive { threshold: u32, streak: u32 },
    Sliding(Sliding),
}

/// A circuit breaker; see the [module documentation](self) for the exact semantics.
#[derive(Clone, Debug)]
pub struct CircuitBreaker {
    rule: Rule,
    open_for: Nanos,
    open_growth: f64,
    half_open_calls: u32,
    state: BreakerState,
    open_until: Nanos,
    /// Openings since the breaker was last CLOSED.
    opens_in_row: u32,
    permits_left: u32,
    trial: WindowCounts,
    rejected: u64,
    log: TransitionLog<BreakerState>,
}

impl CircuitBreaker {
    pub fn new(config: BreakerConfig) -> Result<Self, &'static str> {
        config.validate()?;
        let (rule, open_for, open_growth, half_open_calls) = match config {
            BreakerConfig::Consecutive {
                threshold,
                open_for,
            } => (
                Rule::Consecutive {
                    threshold,
                    streak: 0,
                },
                open_for,
                1.0,
                1,
            ),
            BreakerConfig::SlidingWindow {
                window,
                min_calls,
                failure_rate,
                slow_call,
                slow_rate,
                open_for,
                half_open_calls,
                open_growth,
            } => {
                let (window, min_calls) = match window {
                    Window::Count(n) => (Outcomes::Count(CountWindow::new(n)), min_calls.min(n)),
                    Window::Time(span) => (Outcomes::Time(BucketWindow::seconds(span)), min_calls),
                };
                let sliding = Sliding {
                    window,
                    min_calls: min_calls as u64,
                    failure_ppm: to_ppm(failure_rate),
                    slow_call,
                    slow_ppm: to_ppm(slow_rate),
                };
                (
                    Rule::Sliding(sliding),
                    open_for,
                    open_growth,
                    half_open_calls,
                )
            }
        };
        Ok(CircuitBreaker {
            rule,
            open_for,
            open_growth,
            half_open_calls,
            state: BreakerState::Closed,
            open_until: 0,
            opens_in_row: 0,
            permits_left: 0,
            trial: WindowCounts::default(),
            rejected: 0,
            log: TransitionLog::with_capacity(TRANSITION_LOG_CAPACITY),
        })
    }

    /// Asks to admit a call at `now`: `false` means rejected (counted). Moves OPEN to
    /// HALF_OPEN when the wait has ended; in HALF_OPEN takes one of the trial permits.
    pub fn try_acquire(&mut self, now: Nanos) -> bool {
        self.poll(now);
        let admitted = match self.state {
            BreakerState::Closed => true,
            BreakerState::Open => false,
            BreakerState::HalfOpen => {
                let ok = self.permits_left > 0;
                self.permits_left -= ok as u32;
                ok
            }
        };
        self.rejected += !admitted as u64;
        admitted
    }

    /// Gives back the HALF_OPEN trial permit that [`try_acquire`](Self::try_acquire) has just
    /// granted to a call that is not made after all (another guard refused or delayed it):
    /// otherwise HALF_OPEN would wait forever for a trial result that never comes.
    pub fn release(&mut self) {
        if self.state == BreakerState::HalfOpen && self.permits_left < self.half_open_calls {
            self.permits_left += 1;
        }
    }

    /// Applies the time-driven transition (OPEN → HALF_OPEN once the wait has ended) without
    /// admitting anything.
    pub fn poll(&mut self, now: Nanos) {
        if self.state == BreakerState::Open && now >= self.open_until {
            self.enter_half_open(self.open_until);
        }
    }

    /// Records the outcome of an admitted call that completed at `now` after `latency`.
    pub fn on_result(&mut self, now: Nanos, ok: bool, latency: Nanos) {
        match self.state {
            BreakerState::Open => {}
            BreakerState::Closed => self.record_closed(now, ok, latency),
            BreakerState::HalfOpen => self.record_trial(now, ok, latency),
        }
    }

    fn is_slow(&self, latency: Nanos) -> bool {
        match &self.rule {
            Rule::Consecutive { .. } => false,
            Rule::Sliding(s) => latency > s.slow_call,
        }
    }

    fn record_closed(&mut self, now: Nanos, ok: bool, latency: Nanos) {
        let slow = self.is_slow(latency);
        let trip = match &mut self.rule {
            Rule::Consecutive { threshold, streak } => {
                *streak = if ok { 0 } else { *streak + 1 };
                *streak >= *threshold
            }
            Rule::Sliding(s) => {
                let counts = s.record(now, !ok, slow);
                s.exceeded(counts, s.min_calls)
            }
        };
        if trip {
            self.open(now);
        }
    }

    fn record_trial(&mut self, now: Nanos, ok: bool, latency: Nanos) {
        let slow = self.is_slow(latency);
        self.trial.record(!ok, slow);
        let n = self.half_open_calls as u64;
        if self.trial.calls < n {
            return;
        }
        let reopen = match &self.rule {
            Rule::Consecutive { .. } => self.trial.failed > 0,
            Rule::Sliding(s) => s.exceeded(self.trial, n),
        };
        if reopen {
            self.open(now);
        } else {
            self.close(now);
        }
    }

    /// The wait of the current opening: `open_for × open_growth^(opens_in_row − 1)`.
    fn wait(&self) -> Nanos {
        if self.opens_in_row <= 1 || self.open_growth == 1.0 {
            return self.open_for;
        }
        let factor = libm::pow(self.open_growth, (self.opens_in_row - 1) as f64);
        let ns = libm::round(self.open_for as f64 * factor);
        if ns >= u64::MAX as f64 {
            u64::MAX
        } else {
            ns as u64
        }
    }

    fn open(&mut self, now: Nanos) {
        self.opens_in_row = self.opens_in_row.saturating_add(1);
        self.open_until = now.saturating_add(self.wait());
        self.transition(now, BreakerState::Open);
    }

    fn enter_half_open(&mut self, at: Nanos) {
        self.permits_left = self.half_open_calls;
        self.trial = WindowCounts::default();
        self.transition(at, BreakerState::HalfOpen);
    }

    fn close(&mut self, now: Nanos) {
        self.opens_in_row = 0;
        match &mut self.rule {
            Rule::Consecutive { streak, .. } => *streak = 0,
            Rule::Sliding(s) => s.clear(),
        }
        self.transition(now, BreakerState::Closed);
    }

    fn transition(&mut self, at: Nanos, to: BreakerState) {
        self.state = to;
        self.log.push(at, to);
    }

    /// The state as of the last call (OPEN → HALF_OPEN is applied lazily; see
    /// [`poll`](Self::poll)).
    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// When the current OPEN wait ends (`None` unless OPEN).
    pub fn open_until(&self) -> Option<Nanos> {
        (self.state == BreakerState::Open).then_some(self.open_until)
    }

    /// Calls rejected since construction (OPEN, or HALF_OPEN without a permit).
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Outcomes in the CLOSED window at `now` (empty for a consecutive breaker).
    pub fn window_counts(&mut self, now: Nanos) -> WindowCounts {
        match &mut self.rule {
            Rule::Consecutive { .. } => WindowCounts::default(),
            Rule::Sliding(s) => s.counts(now),
        }
    }

    /// Current streak of consecutive failures (0 for a sliding-window breaker).
    pub fn consecutive_failures(&self) -> u32 {
        match self.rule {
            Rule::Consecutive { streak, .. } => streak,
            Rule::Sliding(_) => 0,
        }
    }

    /// Moves the pending transitions `(time, new state)`, oldest first, to `out`.
    pub fn drain_transitions(&mut self, out: &mut Vec<(Nanos, BreakerState)>) {
        self.log.drain_into(out);
    }

    /// Transitions since construction.
    pub fn transitions(&self) -> u64 {
        self.log.total()
    }

    pub fn last_transition(&self) -> Option<(Nanos, BreakerState)> {
        self.log.last()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BreakerState::*;

    const MS: Nanos = 1_000_000;
    const S: Nanos = NANOS_PER_SEC;

    fn sliding(window: Window, min_calls: u32, half_open_calls: u32) -> CircuitBreaker {
        CircuitBreaker::new(BreakerConfig::SlidingWindow {
            window,
            min_calls,
            failure_rate: 0.5,
            slow_call: 100 * MS,
            slow_rate: 1.0,
            open_for: 10 * S,
            half_open_calls,
            open_growth: 1.0,
        })
        .unwrap()
    }

    /// Runs one admitted call completing at `t`.
    fn call(b: &mut CircuitBreaker, t: Nanos, ok: bool) {
        assert!(b.try_acquire(t), "call at {t} rejected in {:?}", b.state());
        b.on_result(t, ok, MS);
    }

    /// Count window 10, min 5 calls, 50%: opened at t = 5 by F F F S S.
    fn tripped(half_open_calls: u32) -> CircuitBreaker {
        let mut b = sliding(Window::Count(10), 5, half_open_calls);
        for (t, ok) in [(1, false), (2, false), (3, false), (4, true), (5, true)] {
            call(&mut b, t, ok);
        }
        assert_eq!(b.state(), Open);
        b
    }

    #[test]
    fn count_window_opens_at_the_fifth_call_not_the_fourth() {
        let mut b = sliding(Window::Count(10), 5, 2);
        for (i, ok) in [false, false, false, true].into_iter().enumerate() {
            call(&mut b, i as Nanos, ok);
            assert_eq!(b.state(), Closed, "3 of 4 failed but only 4 calls");
        }
        assert_eq!(
            b.window_counts(3),
            WindowCounts {
                calls: 4,
                failed: 3,
                slow: 0
            }
        );
        call(&mut b, 4, true); // 3 of 5 = 60% ≥ 50%
        assert_eq!(b.state(), Open);
        assert_eq!(b.last_transition(), Some((4, Open)));
    }

    #[test]
    fn two_of_five_failures_stay_closed_and_old_calls_leave_the_window() {
        let mut b = sliding(Window::Count(10), 5, 2);
        for ok in [false, false, true, true, true] {
            call(&mut b, 1, ok);
        }
        assert_eq!(b.state(), Closed);
        for _ in 0..10 {
            call(&mut b, 2, true);
        }
        assert_eq!(
            b.window_counts(2),
            WindowCounts {
                calls: 10,
                failed: 0,
                slow: 0
            }
        );
        for _ in 0..4 {
            call(&mut b, 3, false);
        }
        assert_eq!(b.state(), Closed); // 4 of 10
        call(&mut b, 3, false); // 5 of 10 = 50%
        assert_eq!(b.state(), Open);
    }

    #[test]
    fn min_calls_above_a_count_window_is_capped_at_the_window() {
        let mut b = sliding(Window::Count(4), 100, 1);
        for _ in 0..3 {
            call(&mut b, 0, false);
        }
        assert_eq!(b.state(), Closed);
        call(&mut b, 0, false);
        assert_eq!(b.state(), Open);
    }

    #[test]
    fn stays_open_for_exactly_open_for_and_counts_rejections() {
        let mut b = tripped(2);
        assert_eq!(b.open_until(), Some(5 + 10 * S));
        assert!(!b.try_acquire(5));
        assert!(!b.try_acquire(5 + 10 * S - 1));
        assert_eq!(b.rejected(), 2);
        assert_eq!(b.state(), Open);
        assert!(b.try_acquire(5 + 10 * S));
        assert_eq!(b.state(), HalfOpen);
    }

    #[test]
    fn half_open_admits_exactly_n_then_rejects() {
        let mut b = tripped(3);
        let t = 20 * S;
        assert!(b.try_acquire(t));
        assert!(b.try_acquire(t));
        assert!(b.try_acquire(t));
        assert!(!b.try_acquire(t));
        assert!(!b.try_acquire(t + S));
        assert_eq!(b.rejected(), 2);
        assert_eq!(b.state(), HalfOpen);
    }

    #[test]
    fn n_trial_successes_close_with_a_fresh_window() {
        let mut b = tripped(2);
        let t = 20 * S;
        assert!(b.try_acquire(t) && b.try_acquire(t));
        b.on_result(t, true, MS);
        assert_eq!(b.state(), HalfOpen); // waits for all N outcomes
        b.on_result(t, true, MS);
        assert_eq!(b.state(), Closed);
        assert_eq!(b.window_counts(t), WindowCounts::default());
        // Fresh window: needs min_calls again before deciding.
        for _ in 0..4 {
            call(&mut b, t, false);
        }
        assert_eq!(b.state(), Closed);
    }

    #[test]
    fn one_failure_among_n_trials_reopens_when_it_reaches_the_rate() {
        let mut b = tripped(2);
        let t = 20 * S;
        assert!(b.try_acquire(t) && b.try_acquire(t));
        b.on_result(t, false, MS);
        b.on_result(t + 1, true, MS); // 1 of 2 = 50% ≥ 50%
        assert_eq!(b.state(), Open);
        assert_eq!(b.open_until(), Some(t + 1 + 10 * S));
    }

    #[test]
    fn one_failure_among_four_trials_closes_below_the_rate() {
        let mut b = tripped(4);
        let t = 20 * S;
        for ok in [false, true, true, true] {
            call(&mut b, t, ok); // 1 of 4 = 25% < 50%
        }
        assert_eq!(b.state(), Closed);
    }

    #[test]
    fn outcomes_while_open_are_ignored() {
        let mut b = tripped(2);
        for _ in 0..10 {
            b.on_result(6, true, MS);
        }
        assert_eq!(b.state(), Open);
        assert_eq!(b.transitions(), 1);
    }

    #[test]
    fn wait_grows_per_consecutive_opening_and_resets_on_close() {
        let mut b = CircuitBreaker::new(BreakerConfig::SlidingWindow {
            window: Window::Count(2),
            min_calls: 2,
            failure_rate: 0.5,
            slow_call: S,
            slow_rate: 1.0,
            open_for: S,
            half_open_calls: 1,
            open_growth: 2.0,
        })
        .unwrap();
        call(&mut b, 0, false);
        call(&mut b, 0, false);
        assert_eq!(b.open_until(), Some(S));
        call(&mut b, S, false); // trial fails: second opening waits 2 s
        assert_eq!(b.open_until(), Some(3 * S));
        call(&mut b, 3 * S, false); // third: 4 s
        assert_eq!(b.open_until(), Some(7 * S));
        call(&mut b, 7 * S, true);
        assert_eq!(b.state(), Closed);
        call(&mut b, 8 * S, false);
        call(&mut b, 8 * S, false);
        assert_eq!(b.open_until(), Some(9 * S)); // back to 1 s
    }

    #[test]
    fn slow_calls_trip_on_the_slow_rate_and_the_threshold_itself_is_not_slow() {
        let mut b = CircuitBreaker::new(BreakerConfig::SlidingWindow {
            window: Window::Count(4),
            min_calls: 4,
            failure_rate: 1.0,
            slow_call: 100 * MS,
            slow_rate: 0.75,
            open_for: S,
            half_open_calls: 1,
            open_growth: 1.0,
        })
        .unwrap();
        for latency in [101 * MS, 100 * MS, 200 * MS, 300 * MS] {
            assert!(b.try_acquire(0));
            b.on_result(0, true, latency);
        }
        assert_eq!(
            b.window_counts(0),
            WindowCounts {
                calls: 4,
                failed: 0,
                slow: 3
            }
        );
        assert_eq!(b.state(), Open); // 3 of 4 = 75%
    }

    #[test]
    fn time_window_forgets_calls_older_than_the_window() {
        let mut b = sliding(Window::Time(10 * S), 4, 1);
        call(&mut b, 0, false);
        call(&mut b, S, false);
        call(&mut b, 2 * S, true);
        assert_eq!(
            b.window_counts(9 * S),
            WindowCounts {
                calls: 3,
                failed: 2,
                slow: 0
            }
        );
        // At 11 s the buckets of 0 s and 1 s have left: 1 call, 0 failed.
        assert_eq!(
            b.window_counts(11 * S),
            WindowCounts {
                calls: 1,
                failed: 0,
                slow: 0
            }
        );
        call(&mut b, 11 * S, false);
        call(&mut b, 11 * S, true);
        assert_eq!(b.state(), Closed); // 3 calls < 4
        call(&mut b, 11 * S, false); // 2 of 4 = 50%
        assert_eq!(b.state(), Open);
    }

    #[test]
    fn consecutive_breaker_opens_at_exactly_the_threshold() {
        let mut b = CircuitBreaker::new(BreakerConfig::Consecutive {
            threshold: 3,
            open_for: 5 * S,
        })
        .unwrap();
        call(&mut b, 0, false);
        call(&mut b, 1, false);
        call(&mut b, 2, true); // resets the streak
        call(&mut b, 3, false);
        call(&mut b, 4, false);
        assert_eq!((b.state(), b.consecutive_failures()), (Closed, 2));
        call(&mut b, 5, false);
        assert_eq!(b.state(), Open);
        assert!(!b.try_acquire(5 + 5 * S - 1));
        // One trial: a failure reopens, a success closes.
        assert!(b.try_acquire(5 + 5 * S));
        assert!(!b.try_acquire(5 + 5 * S));
        b.on_result(6 * S, false, MS);
        assert_eq!(b.open_until(), Some(11 * S));
        call(&mut b, 11 * S, true);
        assert_eq!((b.state(), b.consecutive_failures()), (Closed, 0));
    }

    #[test]
    fn transitions_are_logged_at_the_moment_they_happen() {
        let mut b = tripped(1);
        assert!(!b.try_acquire(6));
        b.poll(30 * S); // the wait ended at 5 + 10 s
        call(&mut b, 30 * S, true);
        let mut out = Vec::new();
        b.drain_transitions(&mut out);
        assert_eq!(out, [(5, Open), (5 + 10 * S, HalfOpen), (30 * S, Closed)]);
        assert_eq!(b.transitions(), 3);
        out.clear();
        b.drain_transitions(&mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn invalid_configurations_are_rejected_with_a_reason() {
        let bad = [
            BreakerConfig::Consecutive {
                threshold: 0,
                open_for: S,
            },
            BreakerConfig::SlidingWindow {
                window: Window::Time(1_500 * MS),
                min_calls: 1,
                failure_rate: 0.5,
                slow_call: S,
                slow_rate: 1.0,
                open_for: S,
                half_open_calls: 1,
                open_growth: 1.0,
            },
        ];
        for config in bad {
            assert!(CircuitBreaker::new(config).is_err());
        }
        let mut c = BreakerConfig::resilience4j_default();
        assert!(c.validate().is_ok());
        if let BreakerConfig::SlidingWindow { failure_rate, .. } = &mut c {
            *failure_rate = 1.5;
        }
        assert_eq!(c.validate(), Err("breaker: failure_rate must be in (0, 1]"));
    }
}
