//! Concurrency limits: fixed (the bulkhead) and Netflix concurrency-limits' AIMD, Gradient2 and
//! Vegas adaptive limits.
//!
//! A call is admitted while `inflight < limit` ([`ConcurrencyLimit::try_acquire`]); when it
//! completes, [`ConcurrencyLimit::release`] frees its slot and feeds its round-trip time and
//! whether it was *dropped* (timed out, rejected downstream, lost) to the algorithm. Netflix
//! passes the algorithm the number of calls in flight when the call *started*;
//! [`ConcurrencyLimit::release`] uses the number in flight at release, counting the
//! releasing call, and [`ConcurrencyLimit::release_with_inflight`] takes the exact value from
//! a caller that recorded it.
//!
//! - **Fixed(n)** — at most `n` concurrent calls, no waiting: resilience4j's semaphore
//!   bulkhead with `maxWaitDuration = 0` (the right setting on an event loop; default
//!   `maxConcurrentCalls` 25). This is our bulkhead: see [`ConcurrencyLimit::bulkhead`].
//! - **AIMD** (Netflix `AIMDLimit`) — on a drop or `rtt > timeout`:
//!   `L ← max(min, min(L − 1, ⌊backoff_ratio · L⌋))`; otherwise, if `inflight · 2 ≥ L`,
//!   `L ← min(max, L + 1)`; else unchanged. `⌊0.9 L⌋` is computed in integers.
//! - **Gradient2** (Netflix `Gradient2Limit`) — `shortRTT` is the latest sample; `longRTT` an
//!   exponential average over `long_window` samples (factor `2/(long_window + 1)`, the first
//!   10 samples averaged plainly as a warm-up). When `longRTT / shortRTT > 2`, `longRTT` is cut
//!   ×0.9 (recovery after a long overload). If `inflight < L/2` the limit does not move
//!   (application-limited). Else `gradient = clamp(rtt_tolerance · longRTT / shortRTT, 0.5, 1)`,
//!   `new = L · gradient + queue_size`, `L ← clamp((1 − smoothing) · L + smoothing · new, min,
//!   max)`. Drops are ignored, as in Netflix's implementation. Recent Netflix releases dropped
//!   the tolerance factor (it is `rtt_tolerance = 1`).
//! - **Vegas** (Netflix `VegasLimit`, after TCP Vegas) — `rtt_noload` is the lowest RTT seen; a
//!   sample that lowers it only updates it. Else `queue = ⌈L · (1 − rtt_noload / rtt)⌉` and,
//!   with `lg = max(1, ⌊log10 ⌊L⌋⌋)` (Netflix's integer log10), `α = 3·lg`, `β = 6·lg`: a drop
//!   gives `L − lg`; otherwise if `inflight · 2 < L` nothing changes; else `queue ≤ lg` gives
//!   `L + β` (no queueing: grow fast), `queue < α` gives `L + lg`, `queue > β` gives `L − lg`,
//!   anything else leaves `L`; then `L` is clamped to `[min, max]`. Netflix also re-probes
//!   `rtt_noload` at random intervals; we keep the minimum ever seen (no randomness).
//!
//! The adaptive limits keep a fractional estimate; [`ConcurrencyLimit::limit`] is its floor.

use crate::time::{Nanos, NANOS_PER_SEC};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LimitKind {
    Fixed(u32),
    Aimd {
        initial: u32,
        min: u32,
        max: u32,
        backoff_ratio: f64,
        timeout: Nanos,
    },
    Gradient2 {
        initial: u32,
        min: u32,
        max: u32,
        smoothing: f64,
        long_window: u32,
        rtt_tolerance: f64,
        queue_size: u32,
    },
    Vegas {
        initial: u32,
        min: u32,
        max: u32,
    },
}

impl LimitKind {
    /// Netflix defaults: initial 20, min 20, max 200, backoff 0.9, timeout 5 s.
    pub fn aimd_default() -> Self {
        LimitKind::Aimd {
            initial: 20,
            min: 20,
            max: 200,
            backoff_ratio: 0.9,
            timeout: 5 * NANOS_PER_SEC,
        }
    }

    /// Netflix defaults: initial 20, min 20, max 200, smoothing 0.2, long window 600, queue 4;
    /// tolerance 1.5.
    pub fn gradient2_default() -> Self {
        LimitKind::Gradient2 {
            initial: 20,
            min: 20,
            max: 200,
            smoothing: 0.2,
            long_window: 600,
            rtt_tolerance: 1.5,
            queue_size: 4,
        }
    }

    /// Netflix defaults: initial 20, max 1000 (min 1).
    pub fn vegas_default() -> Self {
        LimitKind::Vegas {
            initial: 20,
            min: 1,
            max: 1000,
        }
    }

    pub fn validate(&self) -> Result<(), &'static str> {
        let bounds = |initial: u32, min: u32, max: u32| {
            if min >= 1 && min <= initial && initial <= max {
                Ok(())
            } else {
                Err("concurrency limit: need 1 <= min <= initial <= max")
            }
        };
        match *self {
            LimitKind::Fixed(0) => Err("concurrency limit: fixed limit must be at least 1"),
            LimitKind::Fixed(_) => Ok(()),
            LimitKind::Aimd {
                initial,
                min,
                max,
                backoff_ratio,
                ..
            } => {
                bounds(initial, min, max)?;
                if (0.5..1.0).contains(&backoff_ratio) {
                    Ok(())
                } else {
                    Err("concurrency limit: aimd backoff_ratio must be in [0.5, 1)")
                }
            }
            LimitKind::Gradient2 {
                initial,
                min,
                max,
                smoothing,
                long_window,
                rtt_tolerance,
                ..
            } => {
                bounds(initial, min, max)?;
                if !(smoothing > 0.0 && smoothing <= 1.0) {
                    Err("concurrency limit: gradient2 smoothing must be in (0, 1]")
                } else if long_window == 0 {
                    Err("concurrency limit: gradient2 long_window must be at least 1")
                } else if !(rtt_tolerance >= 1.0 && rtt_tolerance.is_finite()) {
                    Err("concurrency limit: gradient2 rtt_tolerance must be >= 1")
                } else {
                    Ok(())
                }
            }
            LimitKind::Vegas { initial, min, max } => bounds(initial, min, max),
        }
    }
}

/// Netflix's `ExpAvgMeasurement`: plain mean over a warm-up, then an exponential average.
#[derive(Clone, Debug)]
struct ExpAvg {
    value: f64,
    sum: f64,
    count: u32,
    factor: f64,
}

const WARMUP: u32 = 10;

impl ExpAvg {
    fn new(window: u32) -> Self {
        ExpAvg {
            value: 0.0,
            sum: 0.0,
            count: 0,
            factor: 2.0 / (window as f64 + 1.0),
        }
    }

    fn add(&mut self, x: f64) -> f64 {
        if self.count < WARMUP {
            self.count += 1;
            self.sum += x;
            self.value = self.sum / self.count as f64;
        } else {
            self.value = self.value * (1.0 - self.factor) + x * self.factor;
        }
        self.value
    }
}

#[derive(Clone, Debug)]
struct Gradient2 {
    estimate: f64,
    min: f64,
    max: f64,
    smoothing: f64,
    tolerance: f64,
    queue: f64,
    long: ExpAvg,
}

impl Gradient2 {
    fn update(&mut self, rtt: Nanos, inflight: u32) {
        let short = rtt.max(1) as f64;
        let long = self.long.add(short);
        if long / short > 2.0 {
            self.long.value *= 0.9;
        }
        if (inflight as f64) < self.estimate / 2.0 {
            return;
        }
        let gradient = (self.tolerance * long / short).clamp(0.5, 1.0);
        let target = self.estimate * gradient + self.queue;
        let next = self.estimate * (1.0 - self.smoothing) + target * self.smoothing;
        self.estimate = next.clamp(self.min, self.max);
    }
}

#[derive(Clone, Debug)]
struct Vegas {
    estimate: f64,
    min: f64,
    max: f64,
    rtt_noload: Nanos,
}

impl Vegas {
    fn update(&mut self, rtt: Nanos, inflight: u32, dropped: bool) {
        let rtt = rtt.max(1);
        if self.rtt_noload == 0 || rtt < self.rtt_noload {
            self.rtt_noload = rtt;
            return;
        }
        let l = self.estimate;
        let lg = ((l as u32).max(1).ilog10().max(1)) as f64;
        let next = if dropped {
            l - lg
        } else if (inflight as f64) * 2.0 < l {
            return;
        } else {
            let queue = libm::ceil(l * (1.0 - self.rtt_noload as f64 / rtt as f64));
            if queue <= lg {
                l + 6.0 * lg
            } else if queue < 3.0 * lg {
                l + lg
            } else if queue > 6.0 * lg {
                l - lg
            } else {
                return;
            }
        };
        self.estimate = next.clamp(self.min, self.max);
    }
}

#[derive(Clone, Debug)]
enum Algo {
    Fixed,
    Aimd {
        min: u32,
        max: u32,
        backoff_ppm: u64,
        timeout: Nanos,
    },
    Gradient2(Gradient2),
    Vegas(Vegas),
}

/// A concurrency limit; see the [module documentation](self).
#[derive(Clone, Debug)]
pub struct ConcurrencyLimit {
    algo: Algo,
    limit: u32,
    inflight: u32,
    rejected: u64,
}

impl ConcurrencyLimit {
    pub fn new(kind: LimitKind) -> Result<Self, &'static str> {
        kind.validate()?;
        let (algo, limit) = match kind {
            LimitKind::Fixed(n) => (Algo::Fixed, n),
            LimitKind::Aimd {
                initial,
                min,
                max,
                backoff_ratio,
                timeout,
            } => {
                let backoff_ppm = super::to_ppm(backoff_ratio);
                (
                    Algo::Aimd {
                        min,
                        max,
                        backoff_ppm,
                        timeout,
                    },
                    initial,
                )
            }
            LimitKind::Gradient2 {
                initial,
                min,
                max,
                smoothing,
                long_window,
                rtt_tolerance,
                queue_size,
            } => {
                let g = Gradient2 {
                    estimate: initial as f64,
                    min: min as f64,
                    max: max as f64,
                    smoothing,
                    tolerance: rtt_tolerance,
                    queue: queue_size as f64,
                    long: ExpAvg::new(long_window),
                };
                (Algo::Gradient2(g), initial)
            }
            LimitKind::Vegas { initial, min, max } => {
                let v = Vegas {
                    estimate: initial as f64,
                    min: min as f64,
                    max: max as f64,
                    rtt_noload: 0,
                };
                (Algo::Vegas(v), initial)
            }
        };
        Ok(ConcurrencyLimit {
            algo,
            limit,
            inflight: 0,
            rejected: 0,
        })
    }

    /// A bulkhead: at most `max_concurrent` calls, rejecting at once when full.
    pub fn bulkhead(max_concurrent: u32) -> Result<Self, &'static str> {
        Self::new(LimitKind::Fixed(max_concurrent))
    }

    /// Admits a call if `inflight < limit`; `false` (counted) otherwise.
    pub fn try_acquire(&mut self) -> bool {
        let ok = self.inflight < self.limit;
        self.inflight += ok as u32;
        self.rejected += !ok as u64;
        ok
    }

    /// Releases an admitted call that completed at `now` after `rtt`, feeding the algorithm
    /// with the calls in flight at release (this one included).
    pub fn release(&mut self, now: Nanos, rtt: Nanos, dropped: bool) {
        let inflight = self.inflight;
        self.release_with_inflight(now, rtt, inflight, dropped);
    }

    /// Like [`release`](Self::release), with the calls in flight when the call started (this
    /// one included), as Netflix's limiters use.
    pub fn release_with_inflight(&mut self, _now: Nanos, rtt: Nanos, inflight: u32, dropped: bool) {
        self.inflight = self.inflight.saturating_sub(1);
        self.update(rtt, inflight, dropped);
    }

    /// Releases an admitted call without feeding the algorithm (cancelled, not measured).
    pub fn release_ignored(&mut self) {
        self.inflight = self.inflight.saturating_sub(1);
    }

    fn update(&mut self, rtt: Nanos, inflight: u32, dropped: bool) {
        let l = self.limit;
        self.limit = match &mut self.algo {
            Algo::Fixed => l,
            &mut Algo::Aimd {
                min,
                max,
                backoff_ppm,
                timeout,
            } => {
                if dropped || rtt > timeout {
                    let backed_off = (l as u64 * backoff_ppm / super::PPM) as u32;
                    backed_off.min(l.saturating_sub(1)).max(min)
                } else if inflight as u64 * 2 >= l as u64 {
                    l.saturating_add(1).min(max)
                } else {
                    l
                }
            }
            Algo::Gradient2(g) => {
                g.update(rtt, inflight);
                g.estimate as u32
            }
            Algo::Vegas(v) => {
                v.update(rtt, inflight, dropped);
                v.estimate as u32
            }
        };
    }

    /// The current limit.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// The fractional estimate of an adaptive limit (the limit itself for Fixed and AIMD).
    pub fn estimate(&self) -> f64 {
        match &self.algo {
            Algo::Gradient2(g) => g.estimate,
            Algo::Vegas(v) => v.estimate,
            _ => self.limit as f64,
        }
    }

    /// Gradient2's long-term RTT average in ns (`None` for other kinds or before a sample).
    pub fn long_rtt(&self) -> Option<f64> {
        match &self.algo {
            Algo::Gradient2(g) if g.long.count > 0 => Some(g.long.value),
            _ => None,
        }
    }

    /// Vegas's no-load RTT (`None` for other kinds or before a sample).
    pub fn rtt_noload(&self) -> Option<Nanos> {
        match &self.algo {
            Algo::Vegas(v) if v.rtt_noload > 0 => Some(v.rtt_noload),
            _ => None,
        }
    }

    pub fn inflight(&self) -> u32 {
        self.inflight
    }

    /// Calls rejected since construction.
    pub fn rejected(&self) -> u64 {
        self.rejected
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Nanos = 1_000_000;

    fn limiter(kind: LimitKind) -> ConcurrencyLimit {
        ConcurrencyLimit::new(kind).unwrap()
    }

    /// Acquires until `inflight == n`.
    fn fill(c: &mut ConcurrencyLimit, n: u32) {
        while c.inflight() < n {
            assert!(
                c.try_acquire(),
                "cannot reach {n} in flight under limit {}",
                c.limit()
            );
        }
    }

    #[test]
    fn fixed_limit_is_a_bulkhead() {
        let mut c = ConcurrencyLimit::bulkhead(2).unwrap();
        assert!(c.try_acquire() && c.try_acquire());
        assert!(!c.try_acquire());
        assert_eq!((c.inflight(), c.rejected()), (2, 1));
        c.release(0, 10 * MS, true);
        assert_eq!(c.limit(), 2);
        assert!(c.try_acquire());
        assert!(ConcurrencyLimit::bulkhead(0).is_err());
    }

    #[test]
    fn aimd_backs_off_to_floor_0_9_l_and_grows_only_when_half_full() {
        let kind = LimitKind::Aimd {
            initial: 20,
            min: 10,
            max: 22,
            backoff_ratio: 0.9,
            timeout: 100 * MS,
        };
        let mut c = limiter(kind);
        fill(&mut c, 10);
        c.release(0, MS, true); // drop: ⌊0.9 · 20⌋ = 18
        assert_eq!(c.limit(), 18);
        fill(&mut c, 10);
        c.release(0, 101 * MS, false); // rtt > timeout: ⌊16.2⌋ = 16
        assert_eq!(c.limit(), 16);
        c.release_ignored(); // 8 in flight
        c.release(0, MS, false); // 8 · 2 ≥ 16: grow
        assert_eq!(c.limit(), 17);
        c.release(0, MS, false); // 7 · 2 < 17: unchanged
        assert_eq!(c.limit(), 17);
        fill(&mut c, 17);
        for _ in 0..10 {
            c.release(0, MS, false);
            fill(&mut c, 17);
        }
        assert_eq!(c.limit(), 22); // max
        for _ in 0..20 {
            c.release_with_inflight(0, MS, 1, true);
        }
        assert_eq!(c.limit(), 10); // min
    }

    #[test]
    fn aimd_backs_off_at_small_limits() {
        let kind = LimitKind::Aimd {
            initial: 5,
            min: 1,
            max: 10,
            backoff_ratio: 0.9,
            timeout: MS,
        };
        let mut c = limiter(kind);
        fill(&mut c, 1);
        c.release(0, 0, true); // ⌊4.5⌋ = 4
        assert_eq!(c.limit(), 4);
        fill(&mut c, 1);
        c.release(0, 0, true); // ⌊3.6⌋ = 3
        assert_eq!(c.limit(), 3);
    }

    fn gradient2() -> ConcurrencyLimit {
        limiter(LimitKind::Gradient2 {
            initial: 20,
            min: 1,
            max: 200,
            smoothing: 0.2,
            long_window: 600,
            rtt_tolerance: 1.5,
            queue_size: 4,
        })
    }

    #[test]
    fn gradient2_grows_by_smoothing_times_queue_at_steady_rtt() {
        let mut c = gradient2();
        fill(&mut c, 20);
        c.release(0, 10 * MS, false); // gradient 1: 0.8 · 20 + 0.2 · 24
        assert!((c.estimate() - 20.8).abs() < 1e-12);
        for _ in 0..9 {
            fill(&mut c, 20);
            c.release(0, 10 * MS, false);
        }
        assert!((c.estimate() - 28.0).abs() < 1e-9);
        assert_eq!(c.long_rtt(), Some(10e6));
    }

    #[test]
    fn gradient2_moves_lower_when_short_rtt_rises() {
        let mut c = gradient2();
        for _ in 0..10 {
            fill(&mut c, 20);
            c.release(0, 10 * MS, false);
        }
        let before = c.estimate();
        fill(&mut c, 20);
        c.release(0, 100 * MS, false);
        // long = 10 + (100 − 10) · 2/601 ms; gradient = 1.5 · long / 100 → clamped to 0.5.
        let long = 10e6 + 90e6 * 2.0 / 601.0;
        assert!((c.long_rtt().unwrap() - long).abs() < 1e-3);
        let expected = 0.8 * before + 0.2 * (0.5 * before + 4.0);
        assert!((c.estimate() - expected).abs() < 1e-9);
        assert!(c.estimate() < before);
        for _ in 0..50 {
            let limit = c.limit();
            fill(&mut c, limit);
            c.release(0, 100 * MS, false);
        }
        assert!(c.estimate() < 12.0, "{}", c.estimate());
    }

    #[test]
    fn gradient2_holds_when_application_limited_and_cuts_a_stale_long_rtt() {
        let mut c = gradient2();
        fill(&mut c, 1);
        c.release(0, 100 * MS, false); // 1 < 20 / 2: app-limited
        assert_eq!(c.estimate(), 20.0);
        fill(&mut c, 1);
        c.release(0, 10 * MS, false); // long = mean(100, 10) = 55 ms > 2 · 10 ms: × 0.9
        assert!((c.long_rtt().unwrap() - 49.5e6).abs() < 1e-6);
    }

    fn vegas() -> ConcurrencyLimit {
        limiter(LimitKind::Vegas {
            initial: 20,
            min: 1,
            max: 1000,
        })
    }

    #[test]
    fn vegas_grows_at_low_queueing_and_shrinks_at_high() {
        let mut c = vegas();
        fill(&mut c, 20);
        c.release(0, 100 * MS, false); // first sample: rtt_noload only
        assert_eq!((c.estimate(), c.rtt_noload()), (20.0, Some(100 * MS)));
        fill(&mut c, 20);
        c.release(0, 100 * MS, false); // queue 0 ≤ lg = 1: + β = 6
        assert_eq!(c.estimate(), 26.0);
        fill(&mut c, 20);
        c.release(0, 200 * MS, false); // queue ⌈26 · 0.5⌉ = 13 > 6: − 1
        assert_eq!(c.estimate(), 25.0);
        fill(&mut c, 20);
        c.release(0, 110 * MS, false); // queue ⌈2.27⌉ = 3: α ≤ 3 ≤ β, unchanged
        assert_eq!(c.estimate(), 25.0);
        fill(&mut c, 20);
        c.release(0, 105 * MS, false); // queue ⌈1.19⌉ = 2 < α = 3: + 1
        assert_eq!(c.estimate(), 26.0);
        fill(&mut c, 20);
        c.release(0, 105 * MS, true); // drop: − 1
        assert_eq!(c.estimate(), 25.0);
        c.release_with_inflight(0, 100 * MS, 1, false); // 1 · 2 < 25: app-limited
        assert_eq!((c.estimate(), c.limit()), (25.0, 25));
    }

    #[test]
    fn vegas_uses_integer_log10_above_one_hundred() {
        let mut c = limiter(LimitKind::Vegas {
            initial: 150,
            min: 1,
            max: 1000,
        });
        fill(&mut c, 100);
        c.release(0, 100 * MS, false);
        fill(&mut c, 100);
        c.release(0, 100 * MS, false); // lg = 2: + β = 12
        assert_eq!(c.estimate(), 162.0);
        fill(&mut c, 100);
        c.release(0, 50 * MS, false); // new minimum: only rtt_noload moves
        assert_eq!((c.estimate(), c.rtt_noload()), (162.0, Some(50 * MS)));
    }

    #[test]
    fn invalid_kinds_are_rejected() {
        let bad = [
            LimitKind::Aimd {
                initial: 5,
                min: 10,
                max: 20,
                backoff_ratio: 0.9,
                timeout: MS,
            },
            LimitKind::Aimd {
                initial: 10,
                min: 10,
                max: 20,
                backoff_ratio: 1.0,
                timeout: MS,
            },
            LimitKind::Vegas {
                initial: 0,
                min: 0,
                max: 10,
            },
        ];
        for kind in bad {
            assert!(ConcurrencyLimit::new(kind).is_err(), "{kind:?}");
        }
        for kind in [
            LimitKind::aimd_default(),
            LimitKind::gradient2_default(),
            LimitKind::vegas_default(),
        ] {
            assert!(kind.validate().is_ok());
        }
    }
}
