//! The run estimate as the page shows it: wall-clock time from the core's expected events
//! ([`loopsim_core::estimate`]) at the speed this browser measured on earlier runs, and when
//! to ask before starting.

use loopsim_core::estimate::RunEstimate;

/// The local-storage key of the measured speed (events per second).
pub const SPEED_KEY: &str = "loopsim.speed.v1";
/// The speed assumed before any run was measured: a modest laptop's, on the low side, so that
/// the first estimate errs towards asking.
pub const DEFAULT_EVENTS_PER_SEC: f64 = 1.0e6;
/// A run expected to take longer than this (wall clock) asks before it starts.
pub const CONFIRM_ABOVE_S: f64 = 5.0;
/// Runs shorter than this (busy milliseconds) say little about the speed: set-up dominates.
const MIN_MEASURED_MS: f64 = 200.0;

/// The speed to use after a run of `events` that kept the engine busy `busy_ms`: a blend of
/// the previous figure and this run's (`previous` unchanged when the run was too short).
pub fn blend_speed(previous: Option<f64>, events: u64, busy_ms: f64) -> Option<f64> {
    if busy_ms < MIN_MEASURED_MS || events == 0 {
        return previous;
    }
    let measured = events as f64 / (busy_ms / 1000.0);
    if !measured.is_finite() || measured <= 0.0 {
        return previous;
    }
    Some(match previous {
        Some(p) if p.is_finite() && p > 0.0 => 0.5 * p + 0.5 * measured,
        _ => measured,
    })
}

/// Expected wall-clock seconds of a run: the engine's time at `events_per_sec`, or at a
/// real-time speed (`times`: simulated seconds per second) the simulated time's, if longer.
pub fn wall_seconds(e: &RunEstimate, events_per_sec: f64, times: Option<f64>) -> f64 {
    let engine = e.seconds_at(events_per_sec);
    match times {
        Some(k) if k > 0.0 => engine.max(e.duration_s / k),
        _ => engine,
    }
}

/// "about 3 min": a rough duration, in the unit a person would say.
pub fn about(seconds: f64) -> String {
    let s = seconds.max(0.0);
    if s < 1.0 {
        String::from("under a second")
    } else if s < 90.0 {
        format!("about {} s", round_to(s, if s < 10.0 { 1.0 } else { 5.0 }))
    } else if s < 90.0 * 60.0 {
        format!("about {} min", round_to(s / 60.0, 1.0))
    } else {
        format!("about {} h", round_to(s / 3600.0, 1.0))
    }
}

fn round_to(x: f64, step: f64) -> u64 {
    ((x / step).round() * step).max(step) as u64
}

/// The line shown beside the Run button: expected events and time.
pub fn summary(e: &RunEstimate, seconds: f64) -> String {
    format!("≈ {} events · {}", compact(e.events), about(seconds))
}

/// `950`, `12 k`, `3.4 M`: two or three significant digits are all an estimate has.
fn compact(n: f64) -> String {
    let n = n.max(0.0);
    let (value, unit) = if n < 1e3 {
        (n, "")
    } else if n < 1e6 {
        (n / 1e3, " k")
    } else if n < 1e9 {
        (n / 1e6, " M")
    } else {
        (n / 1e9, " G")
    };
    if value < 10.0 && !unit.is_empty() {
        format!("{value:.1}{unit}")
    } else {
        format!("{value:.0}{unit}")
    }
}

/// The question asked before a long run, or `None` when it starts without asking.
pub fn confirm_question(seconds: f64) -> Option<String> {
    (seconds > CONFIRM_ABOVE_S)
        .then(|| format!("This run will take {}. Run anyway?", about(seconds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(events: f64, duration_s: f64) -> RunEstimate {
        RunEstimate {
            requests: events / 5.0,
            events,
            duration_s,
        }
    }

    #[test]
    fn the_speed_blends_runs_long_enough_to_measure() {
        assert_eq!(blend_speed(None, 1_000, 10.0), None, "too short to say");
        assert_eq!(blend_speed(Some(3.0), 0, 1000.0), Some(3.0));
        assert_eq!(blend_speed(None, 4_000_000, 1000.0), Some(4.0e6));
        assert_eq!(blend_speed(Some(2.0e6), 4_000_000, 1000.0), Some(3.0e6));
    }

    #[test]
    fn long_runs_ask_first_with_a_rough_duration() {
        let e = est(360.0e6, 60.0);
        let s = wall_seconds(&e, 2.0e6, None);
        assert_eq!(s, 180.0);
        assert_eq!(
            confirm_question(s).as_deref(),
            Some("This run will take about 3 min. Run anyway?")
        );
        assert_eq!(
            confirm_question(wall_seconds(&est(1.0e6, 60.0), 2.0e6, None)),
            None
        );
        // At real time, a minute of simulated time takes a minute.
        assert_eq!(wall_seconds(&est(1.0e6, 60.0), 2.0e6, Some(1.0)), 60.0);
        assert_eq!(about(0.2), "under a second");
        assert_eq!(about(3.4), "about 3 s");
        assert_eq!(about(42.0), "about 40 s");
        assert_eq!(about(7200.0), "about 2 h");
        assert_eq!(summary(&e, s), "≈ 360 M events · about 3 min");
        assert_eq!(compact(950.0), "950");
        assert_eq!(compact(3_400_000.0), "3.4 M");
    }
}
