//! How the page words an early stop (a run-time cap ended the run before its duration): the
//! status line, the warning at the top of the results and what the figures cover. Pure text,
//! tested natively; the page (`ui`) puts it in the DOM.

use crate::format::secs;

/// The reason of a stop, without the core message's `stopped at t = … s: ` lead-in (the page
/// says when separately): `more than max_in_flight = 200 requests alive (sent, …)`. Falls back
/// to a sentence for `cause` when the message is empty.
pub fn reason<'a>(cause: &str, message: &'a str) -> std::borrow::Cow<'a, str> {
    let m = message.trim();
    let m = match m.strip_prefix("stopped at") {
        Some(rest) => rest.split_once(": ").map_or(m, |(_, r)| r),
        None => m,
    };
    if m.is_empty() {
        return std::borrow::Cow::Owned(match cause {
            "max_in_flight" => String::from("more requests alive than max_in_flight allows"),
            "stalled_clock" => String::from("simulated time stopped advancing"),
            other => format!("the run-time limit `{other}` was hit"),
        });
    }
    std::borrow::Cow::Borrowed(m)
}

/// The first clause of [`reason`] (up to ` (` or `;`), for the one-line status.
pub fn short_reason(cause: &str, message: &str) -> String {
    let r = reason(cause, message);
    let cut = [" (", "; "]
        .iter()
        .filter_map(|sep| r.find(sep))
        .min()
        .unwrap_or(r.len());
    r[..cut].trim_end_matches(['.', ',']).to_string()
}

/// `Stopped early at 5.03 s of 2.00 h — more than max_in_flight = 200 requests alive`.
pub fn status_line(cause: &str, message: &str, at_s: f64, duration_s: f64) -> String {
    format!(
        "Stopped early at {} of {} — {}",
        secs(Some(at_s)),
        secs(Some(duration_s)),
        short_reason(cause, message)
    )
}

/// The warning box's heading: `This run stopped early, at 5.03 s of 2.00 h (0.07 %)`.
pub fn headline(at_s: f64, duration_s: f64) -> String {
    format!(
        "This run stopped early, at {} of {} ({} of the scenario)",
        secs(Some(at_s)),
        secs(Some(duration_s)),
        share(at_s, duration_s)
    )
}

/// What the figures cover after a stop at `at_s`.
pub fn scope(at_s: f64, warmup_s: f64) -> String {
    if at_s <= warmup_s {
        format!(
            "Every figure on this page covers only the {} that were simulated, all of it \
             warm-up ({}): the measured window is empty.",
            secs(Some(at_s)),
            secs(Some(warmup_s))
        )
    } else {
        format!(
            "Every figure on this page (charts, tables, health) covers only the {} that were \
             simulated, not the whole scenario: they describe the run up to the stop.",
            secs(Some(at_s))
        )
    }
}

/// `0.07 %` of the duration, with enough digits not to read 0 for a real stop.
fn share(at_s: f64, duration_s: f64) -> String {
    if duration_s.is_nan() || duration_s <= 0.0 || !at_s.is_finite() {
        return "–".into();
    }
    let p = at_s / duration_s * 100.0;
    if p >= 10.0 {
        format!("{p:.0} %")
    } else if p >= 0.1 {
        format!("{p:.1} %")
    } else if p > 0.0 {
        format!("{p:.2} %").replace("0.00 %", "< 0.01 %")
    } else {
        "0 %".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &str = "stopped at t = 5.030 s: more than max_in_flight = 200 requests alive \
                       (sent, retrying or being served; the system is overloaded — raise \
                       max_in_flight or lower the load)";

    #[test]
    fn the_status_line_says_when_of_what_and_why() {
        assert_eq!(
            status_line("max_in_flight", MSG, 5.03, 7200.0),
            "Stopped early at 5.03 s of 2.00 h — more than max_in_flight = 200 requests alive"
        );
        assert!(reason("max_in_flight", MSG).starts_with("more than max_in_flight = 200"));
        assert!(reason("max_in_flight", MSG).ends_with("lower the load)"));
        // Another wording or no message at all still gives a reason.
        assert_eq!(
            short_reason(
                "stalled_clock",
                "simulated time did not advance; check think times"
            ),
            "simulated time did not advance"
        );
        assert_eq!(
            short_reason("stalled_clock", ""),
            "simulated time stopped advancing"
        );
        assert_eq!(
            short_reason("new_cap", " "),
            "the run-time limit `new_cap` was hit"
        );
    }

    #[test]
    fn the_headline_and_scope_say_how_much_was_simulated() {
        assert_eq!(
            headline(5.03, 7200.0),
            "This run stopped early, at 5.03 s of 2.00 h (0.07 % of the scenario)"
        );
        assert_eq!(share(30.0, 60.0), "50 %");
        assert_eq!(share(1.0, 600.0), "0.2 %");
        assert_eq!(share(0.001, 86400.0), "< 0.01 %");
        assert!(scope(5.03, 0.0).contains("only the 5.03 s that were simulated"));
        assert!(scope(5.03, 30.0).contains("measured window is empty"));
    }
}
