//! Simulated time: integer nanoseconds since the start of the run.
//!
//! Integer time keeps event ordering exact and identical on every platform; floating point is
//! used only to sample durations, which are then rounded once to whole nanoseconds.

/// A point in simulated time or a duration, in nanoseconds.
pub type Nanos = u64;

pub const NANOS_PER_SEC: u64 = 1_000_000_000;

/// The longest duration a sample can take: 2⁶² ns (about 146 years). Capping samples here
/// (a heavy-tailed distribution can draw anything) keeps `now + a + b` far from overflow,
/// since a run lasts at most 30 days.
pub const MAX_SPAN: Nanos = 1 << 62;

/// Seconds (as sampled from a distribution) to nanoseconds, rounded to nearest, capped at
/// [`MAX_SPAN`].
#[inline]
pub fn from_secs_f64(s: f64) -> Nanos {
    if s <= 0.0 || s.is_nan() {
        0
    } else {
        let ns = s * NANOS_PER_SEC as f64 + 0.5;
        if ns >= MAX_SPAN as f64 {
            MAX_SPAN
        } else {
            ns as u64
        }
    }
}

#[inline]
pub fn to_secs_f64(t: Nanos) -> f64 {
    t as f64 / NANOS_PER_SEC as f64
}
