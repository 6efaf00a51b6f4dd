//! The values of a swept parameter: a range `FROM..TO by STEP` (`100/s..1000/s by 100/s`,
//! `1..8 by 1`) or a list (`[1, 2, 4, 8]`, `[10ms, 20ms]`).
//!
//! A range's values are counted before any is made, so a range of 10⁹ values is refused at
//! the cost of one division. Its values are `FROM + i × STEP` rounded to the decimals written
//! in FROM and STEP (so `0.1..0.3 by 0.1` gives `0.1, 0.2, 0.3`, not `0.30000000000000004`),
//! with the unit of FROM; TO is included when it falls on the grid.

use alloc::format;
use alloc::string::{String, ToString};

/// A range as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    pub from: f64,
    pub to: f64,
    pub step: f64,
    /// The unit after the numbers (`/s`, `ms`, empty).
    pub unit: String,
    /// Decimals to write the values with.
    pub decimals: usize,
}

impl Range {
    /// Reads `FROM..TO by STEP`. `Ok(None)`: not written as a range at all.
    pub fn parse(text: &str) -> Result<Option<Range>, (String, String)> {
        let Some((from, rest)) = text.split_once("..") else {
            return Ok(None);
        };
        let Some((to, step)) = rest.split_once(" by ") else {
            return Err((
                format!("the range `{text}` has no step"),
                format!(
                    "write the step after `by`, e.g. `{}..{} by …`",
                    from.trim(),
                    rest.trim()
                ),
            ));
        };
        let (from, unit, d_from) = read_end(from, "start")?;
        let (to, to_unit, _) = read_end(to, "end")?;
        let (step, step_unit, d_step) = read_end(step, "step")?;
        for (u, what) in [(to_unit, "end"), (step_unit, "step")] {
            if !u.is_empty() && u != unit {
                return Err((
                    format!("the range's {what} is in `{u}` but its start in `{unit}`"),
                    String::from("write the start, the end and the step in the same unit"),
                ));
            }
        }
        if step <= 0.0 {
            return Err((
                String::from("the range's step must be more than 0"),
                String::from("e.g. `by 100/s`"),
            ));
        }
        if to < from {
            return Err((
                format!("the range ends ({to}) below its start ({from})"),
                String::from("write the smaller value first; list the values (`[8, 4, 2, 1]`) for another order"),
            ));
        }
        Ok(Some(Range {
            from,
            to,
            step,
            unit: unit.to_string(),
            decimals: d_from.max(d_step).min(9),
        }))
    }

    /// How many values the range has (saturating: a huge count stays huge).
    pub fn count(&self) -> u64 {
        // The tolerance keeps `0.1..0.3 by 0.1` at three values despite binary fractions.
        let n = libm::floor((self.to - self.from) / self.step + 1e-9) + 1.0;
        if n >= u64::MAX as f64 {
            u64::MAX
        } else {
            n as u64
        }
    }

    /// Value `i` as text and number.
    pub fn value(&self, i: u64) -> (String, f64) {
        let scale = libm::pow(10.0, self.decimals as f64);
        let x = libm::round((self.from + i as f64 * self.step) * scale) / scale;
        (format!("{x:.*}{}", self.decimals, self.unit), x)
    }
}

/// One of a range's three numbers, or why it is not one.
fn read_end<'t>(part: &'t str, what: &str) -> Result<(f64, &'t str, usize), (String, String)> {
    split_number(part.trim()).ok_or_else(|| {
        (
            format!(
                "the range's {what} `{}` is not a number with a unit",
                part.trim()
            ),
            String::from("write a range as `FROM..TO by STEP`, e.g. `100/s..1000/s by 100/s`"),
        )
    })
}

/// `250/s` → (250, "/s", 0 decimals); `1.5ms` → (1.5, "ms", 1). `None` without a leading
/// number.
pub fn split_number(text: &str) -> Option<(f64, &str, usize)> {
    let bytes = text.as_bytes();
    let mut end = 0;
    while end < bytes.len()
        && (bytes[end].is_ascii_digit() || bytes[end] == b'.' || bytes[end] == b'_')
    {
        end += 1;
    }
    // An exponent only when digits follow (`1e3`), not the `e` of a unit.
    if end < bytes.len() && (bytes[end] == b'e' || bytes[end] == b'E') {
        let mut e = end + 1;
        if e < bytes.len() && (bytes[e] == b'+' || bytes[e] == b'-') {
            e += 1;
        }
        if e < bytes.len() && bytes[e].is_ascii_digit() {
            while e < bytes.len() && bytes[e].is_ascii_digit() {
                e += 1;
            }
            end = e;
        }
    }
    let number: String = text[..end].chars().filter(|&c| c != '_').collect();
    let x = number.parse::<f64>().ok().filter(|x| x.is_finite())?;
    let decimals = number.split_once('.').map_or(0, |(_, d)| {
        d.chars().take_while(char::is_ascii_digit).count()
    });
    Some((x, text[end..].trim(), decimals))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn values(text: &str) -> Vec<String> {
        let r = Range::parse(text).unwrap().unwrap();
        (0..r.count()).map(|i| r.value(i).0).collect()
    }

    #[test]
    fn ranges_give_round_values_in_the_start_unit() {
        assert_eq!(
            values("100/s..500/s by 100/s"),
            ["100/s", "200/s", "300/s", "400/s", "500/s"]
        );
        assert_eq!(values("0.1..0.3 by 0.1"), ["0.1", "0.2", "0.3"]);
        assert_eq!(
            values("1ms..2ms by 0.25"),
            ["1.00ms", "1.25ms", "1.50ms", "1.75ms", "2.00ms"]
        );
        assert_eq!(values("1..10 by 4"), ["1", "5", "9"]);
        assert_eq!(values("5..5 by 1"), ["5"]);
        // Counted, never made: 10⁹ values cost nothing to refuse.
        let huge = Range::parse("1..1000000000 by 1").unwrap().unwrap();
        assert_eq!(huge.count(), 1_000_000_000);
    }

    #[test]
    fn bad_ranges_say_why() {
        assert_eq!(Range::parse("[1, 2]").unwrap(), None);
        for bad in [
            "1..5",
            "1/s..5ms by 1/s",
            "5..1 by 1",
            "1..5 by 0",
            "a..b by 1",
        ] {
            assert!(Range::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_are_split_from_their_units() {
        assert_eq!(split_number("250/s"), Some((250.0, "/s", 0)));
        assert_eq!(split_number("1.5ms"), Some((1.5, "ms", 1)));
        assert_eq!(split_number("1e3"), Some((1000.0, "", 0)));
        assert_eq!(split_number("2ms"), Some((2.0, "ms", 0)));
        assert_eq!(split_number("1_000"), Some((1000.0, "", 0)));
        assert_eq!(split_number("fast"), None);
    }
}
