//! Number formatting for findings and descriptions, and the `serde` helpers that write
//! [`Nanos`] as seconds.
//!
//! Formatting goes through `core::fmt` with a fixed precision, which prints the same digits
//! on every platform, so the texts in a report are as deterministic as its numbers.

use alloc::format;
use alloc::string::String;

use serde::Serializer;

use crate::time::{to_secs_f64, Nanos};

/// Drops trailing zeros (and a trailing point) of a fixed-point number.
fn trim(mut s: String) -> String {
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

/// A duration in seconds for humans: `"1.25 s"`, `"310 ms"`, `"12.5 ms"`, `"50 µs"`, `"0 s"`.
///
/// At most 3 significant figures below one second (2 decimals of a second above), trailing
/// zeros trimmed; the unit is chosen after rounding (999.96 ms prints as `"1 s"`).
pub fn duration(secs: f64) -> String {
    if secs.is_nan() {
        return String::from("n/a");
    }
    if secs <= 0.0 {
        return String::from("0 s");
    }
    if secs >= 0.9995 {
        format!("{} s", trim(format!("{secs:.2}")))
    } else if secs >= 0.000_999_5 {
        let digits = if secs >= 0.0995 { 0 } else { 1 };
        format!("{} ms", trim(format!("{:.*}", digits, secs * 1e3)))
    } else {
        format!("{:.0} µs", secs * 1e6)
    }
}

/// A duration in nanoseconds for humans (see [`duration`]).
pub fn nanos(t: Nanos) -> String {
    duration(to_secs_f64(t))
}

/// A ratio as a whole percentage: `0.923` → `"92%"`.
pub fn percent(ratio: f64) -> String {
    format!("{:.0}%", ratio * 100.0)
}

/// A ratio as a percentage with up to two decimals: `0.9925` → `"99.25%"`, `0.99` → `"99%"`.
pub fn percent_fine(ratio: f64) -> String {
    format!("{}%", trim(format!("{:.2}", ratio * 100.0)))
}

/// A plain number with up to 2 decimals: `1468.0` → `"1468"`, `0.125` → `"0.13"`.
pub fn number(x: f64) -> String {
    trim(format!("{x:.2}"))
}

/// A time window `"20–30 s"` (seconds since the start of the run).
pub fn span(start: Nanos, end: Nanos) -> String {
    format!(
        "{}–{} s",
        number(to_secs_f64(start)),
        number(to_secs_f64(end))
    )
}

/// `serde`: a [`Nanos`] point or duration as seconds.
pub fn ser_secs<S: Serializer>(t: &Nanos, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(to_secs_f64(*t))
}

/// `serde`: an optional [`Nanos`] as seconds or `null`.
pub fn ser_opt_secs<S: Serializer>(t: &Option<Nanos>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_some(&to_secs_f64(*t)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pick_the_unit_after_rounding() {
        assert_eq!(duration(1.2), "1.2 s");
        assert_eq!(duration(1.25), "1.25 s");
        assert_eq!(duration(12.0), "12 s");
        assert_eq!(duration(0.31), "310 ms");
        assert_eq!(duration(0.120), "120 ms");
        assert_eq!(duration(0.0125), "12.5 ms");
        assert_eq!(duration(0.99996), "1 s");
        assert_eq!(duration(0.000_05), "50 µs");
        assert_eq!(duration(0.000_999_9), "1 ms");
        assert_eq!(duration(0.0), "0 s");
        assert_eq!(duration(f64::NAN), "n/a");
        assert_eq!(nanos(1_800_000_000), "1.8 s");
    }

    #[test]
    fn percentages_numbers_and_spans() {
        assert_eq!(percent(0.923), "92%");
        assert_eq!(percent_fine(0.9925), "99.25%");
        assert_eq!(percent_fine(0.99), "99%");
        assert_eq!(number(1468.0), "1468");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(span(20_000_000_000, 30_000_000_000), "20–30 s");
        assert_eq!(span(2_500_000_000, 3_000_000_000), "2.5–3 s");
    }
}
