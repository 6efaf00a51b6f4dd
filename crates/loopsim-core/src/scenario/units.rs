//! Literals with units: durations, rates, sizes and probabilities.
//!
//! Scenario authors write `10ms`, `80/s` or `2GB`; these functions turn such text into numbers
//! and, when the text is wrong, explain what is accepted and how to fix it (`10 ms` → "write
//! 10ms", `10sec` → "did you mean 10s?"). They work on the scalar's text, so a bare YAML number
//! is simply a literal without a unit.

use alloc::format;
use alloc::string::String;

use crate::time::Nanos;

/// Why a literal was rejected: what was expected, and how to fix it when we can tell.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitError {
    pub message: String,
    pub hint: Option<String>,
    /// The corrected text of the whole value, when the hint proposes one (`10sec` → `10s`).
    pub fix: Option<String>,
}

impl UnitError {
    fn new(message: String) -> Self {
        UnitError {
            message,
            hint: None,
            fix: None,
        }
    }

    fn hint(mut self, hint: String) -> Self {
        self.hint = Some(hint);
        self
    }

    fn fix(mut self, text: String) -> Self {
        self.fix = Some(text);
        self
    }
}

const DURATION_UNITS: &str = "ns, us (or µs), ms, s, m (or min), h or d";
const RATE_UNITS: &str = "/s (or /sec), /m (or /min) or /h";
const SIZE_UNITS: &str =
    "B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024)";

/// Splits `text` into its leading decimal number and the rest. The number accepts a sign,
/// `_` separators, a fraction and an exponent; `None` when the text does not start with one.
pub fn split_number(text: &str) -> Option<(f64, &str)> {
    let bytes = text.as_bytes();
    let mut i = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    let digits_start = i;
    let mut digits = 0;
    while i < bytes.len() && (bytes[i].is_ascii_digit() || (bytes[i] == b'_' && digits > 0)) {
        digits += usize::from(bytes[i].is_ascii_digit());
        i += 1;
    }
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            digits += 1;
            i += 1;
        }
    }
    if digits == 0 || i == digits_start {
        return None;
    }
    i = exponent_end(bytes, i);
    let number: String = text[..i].chars().filter(|&c| c != '_').collect();
    let value = number.parse::<f64>().ok().filter(|v| v.is_finite())?;
    Some((value, &text[i..]))
}

/// End of an optional exponent (`e-3`) starting at `i`; `i` itself when there is none.
fn exponent_end(bytes: &[u8], i: usize) -> usize {
    if !matches!(bytes.get(i), Some(b'e' | b'E')) {
        return i;
    }
    let mut j = i + 1;
    if matches!(bytes.get(j), Some(b'+' | b'-')) {
        j += 1;
    }
    let digits_start = j;
    while j < bytes.len() && bytes[j].is_ascii_digit() {
        j += 1;
    }
    if j == digits_start {
        i
    } else {
        j
    }
}

/// A plain number with nothing after it.
pub fn number(text: &str) -> Option<f64> {
    match split_number(text.trim()) {
        Some((v, "")) => Some(v),
        _ => None,
    }
}

/// Nanoseconds per duration unit, `None` for an unknown unit. An empty unit means seconds.
fn duration_unit(unit: &str) -> Option<f64> {
    Some(match unit {
        "ns" => 1.0,
        "us" | "µs" | "μs" => 1e3,
        "ms" => 1e6,
        "" | "s" => 1e9,
        "m" | "min" => 60e9,
        "h" => 3600e9,
        "d" => 86400e9,
        _ => return None,
    })
}

/// The accepted spelling of a common but unsupported duration unit.
fn duration_alias(unit: &str) -> Option<&'static str> {
    let lower = unit.to_ascii_lowercase();
    Some(match lower.as_str() {
        "sec" | "secs" | "second" | "seconds" => "s",
        "msec" | "msecs" | "milli" | "millis" | "millisecond" | "milliseconds" => "ms",
        "usec" | "usecs" | "micro" | "micros" | "microsecond" | "microseconds" => "us",
        "nsec" | "nsecs" | "nano" | "nanos" | "nanosecond" | "nanoseconds" => "ns",
        "mins" | "minute" | "minutes" => "min",
        "hr" | "hrs" | "hour" | "hours" => "h",
        "day" | "days" => "d",
        "s" | "ms" | "us" | "ns" | "m" | "min" | "h" | "d" => return duration_unit_static(&lower),
        _ => return None,
    })
}

fn duration_unit_static(unit: &str) -> Option<&'static str> {
    ["s", "ms", "us", "ns", "m", "min", "h", "d"]
        .into_iter()
        .find(|u| *u == unit)
}

/// A duration such as `2ms`, `1.5s`, `250us`, `5m`, `30d` or a bare number of seconds.
pub fn duration(text: &str) -> Result<Nanos, UnitError> {
    let Some((value, unit)) = split_number(text) else {
        return Err(expected("a duration", "`10ms`, `1.5s` or `2m`", text));
    };
    let Some(scale) = duration_unit(unit) else {
        return Err(unknown_unit(
            "duration",
            DURATION_UNITS,
            text,
            value,
            unit,
            duration_alias,
        ));
    };
    if value < 0.0 {
        return Err(UnitError::new(format!(
            "durations cannot be negative: `{text}`"
        )));
    }
    let ns = value * scale;
    if ns >= u64::MAX as f64 {
        return Err(UnitError::new(format!("duration `{text}` is too long")));
    }
    Ok(libm::round(ns) as Nanos)
}

/// Requests per second for each rate unit. An empty unit means per second.
fn rate_unit(unit: &str) -> Option<f64> {
    Some(match unit {
        "" | "/s" | "/sec" => 1.0,
        "/m" | "/min" => 1.0 / 60.0,
        "/h" => 1.0 / 3600.0,
        _ => return None,
    })
}

fn rate_alias(unit: &str) -> Option<&'static str> {
    let lower = unit.to_ascii_lowercase();
    Some(match lower.trim_start_matches('/') {
        "rps" | "qps" | "s" | "sec" | "secs" | "second" | "seconds" => "/s",
        "rpm" | "m" | "min" | "mins" | "minute" | "minutes" => "/min",
        "h" | "hr" | "hour" | "hours" => "/h",
        _ => return None,
    })
}

/// An arrival rate such as `80/s`, `300/min`, `2/h` or a bare number per second.
pub fn rate(text: &str) -> Result<f64, UnitError> {
    let Some((value, unit)) = split_number(text) else {
        return Err(expected("a rate", "`80/s`, `300/min` or `2/h`", text));
    };
    let Some(scale) = rate_unit(unit) else {
        return Err(unknown_unit(
            "rate", RATE_UNITS, text, value, unit, rate_alias,
        ));
    };
    if value < 0.0 {
        return Err(UnitError::new(format!(
            "rates cannot be negative: `{text}`"
        )));
    }
    Ok(value * scale)
}

fn size_unit(unit: &str) -> Option<f64> {
    Some(match unit {
        "" | "B" => 1.0,
        "KB" | "kB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        "KiB" => 1024.0,
        "MiB" => 1048576.0,
        "GiB" => 1073741824.0,
        "TiB" => 1099511627776.0,
        _ => return None,
    })
}

fn size_alias(unit: &str) -> Option<&'static str> {
    let lower = unit.to_ascii_lowercase();
    Some(match lower.as_str() {
        "b" | "byte" | "bytes" => "B",
        "k" | "kb" => "KB",
        "m" | "mb" => "MB",
        "g" | "gb" => "GB",
        "t" | "tb" => "TB",
        "kib" | "ki" => "KiB",
        "mib" | "mi" => "MiB",
        "gib" | "gi" => "GiB",
        "tib" | "ti" => "TiB",
        _ => return None,
    })
}

/// A size in bytes such as `50MB`, `2GiB` or a bare number of bytes.
pub fn size(text: &str) -> Result<u64, UnitError> {
    let Some((value, unit)) = split_number(text) else {
        return Err(expected("a size", "`512MB`, `2GiB` or `4096`", text));
    };
    let Some(scale) = size_unit(unit) else {
        return Err(unknown_unit(
            "size", SIZE_UNITS, text, value, unit, size_alias,
        ));
    };
    if value < 0.0 {
        return Err(UnitError::new(format!(
            "sizes cannot be negative: `{text}`"
        )));
    }
    let bytes = value * scale;
    if bytes >= u64::MAX as f64 {
        return Err(UnitError::new(format!("size `{text}` is too large")));
    }
    Ok(libm::round(bytes) as u64)
}

const BANDWIDTH_UNITS: &str = "bps, Kbps, Mbps, Gbps, Tbps (bits per second, powers of 1000) or B/s, KB/s, MB/s, GB/s, TB/s, KiB/s, MiB/s, GiB/s (bytes per second)";

/// Bytes per second for each bandwidth unit. Units ending in `bps` count bits (a network
/// card's `1Gbps` is 125 MB/s); units ending in `/s` count bytes, with the size units' prefixes.
fn bandwidth_unit(unit: &str) -> Option<f64> {
    if let Some(size) = unit.strip_suffix("/s") {
        return (!size.is_empty()).then(|| size_unit(size)).flatten();
    }
    Some(match unit {
        "bps" => 1.0 / 8.0,
        "Kbps" | "kbps" => 1e3 / 8.0,
        "Mbps" => 1e6 / 8.0,
        "Gbps" => 1e9 / 8.0,
        "Tbps" => 1e12 / 8.0,
        _ => return None,
    })
}

fn bandwidth_alias(unit: &str) -> Option<&'static str> {
    let lower = unit.to_ascii_lowercase();
    Some(match lower.as_str() {
        "" | "b" => "B/s",
        "bps" | "bit/s" | "b/s" => "bps",
        "kbps" | "kbit/s" | "kb/s" | "kbit" => "Kbps",
        "mbps" | "mbit/s" | "mbit" => "Mbps",
        "gbps" | "gbit/s" | "gbit" => "Gbps",
        "tbps" | "tbit/s" | "tbit" => "Tbps",
        "mb/s" | "mbyte/s" | "mbps/s" => "MB/s",
        "gb/s" | "gbyte/s" => "GB/s",
        "kbyte/s" => "KB/s",
        _ => return None,
    })
}

/// A bandwidth in bytes per second: `100Mbps`, `1Gbps` (bits) or `10MB/s`, `1GiB/s` (bytes).
/// A unit is required: a bare number would leave bits and bytes ambiguous.
pub fn bandwidth(text: &str) -> Result<f64, UnitError> {
    let Some((value, unit)) = split_number(text) else {
        return Err(expected(
            "a bandwidth",
            "`100Mbps`, `1Gbps` or `10MB/s`",
            text,
        ));
    };
    let Some(scale) = bandwidth_unit(unit) else {
        if unit.is_empty() {
            return Err(UnitError::new(format!(
                "a bandwidth needs a unit, found `{text}`: expected {BANDWIDTH_UNITS}"
            ))
            .hint(format!("write {value}Mbps (bits) or {value}MB/s (bytes)")));
        }
        return Err(unknown_unit(
            "bandwidth",
            BANDWIDTH_UNITS,
            text,
            value,
            unit,
            bandwidth_alias,
        ));
    };
    let bytes = value * scale;
    if bytes <= 0.0 {
        return Err(UnitError::new(format!(
            "a bandwidth must be greater than zero, found `{text}`"
        )));
    }
    if bytes > 1e15 {
        return Err(UnitError::new(format!(
            "bandwidth `{text}` is too large (at most 8Pbps)"
        )));
    }
    Ok(bytes)
}

/// A probability: a number in [0, 1] or a percentage such as `0.1%`.
pub fn probability(text: &str) -> Result<f64, UnitError> {
    let Some((value, unit)) = split_number(text) else {
        return Err(expected("a probability", "`0.001` or `0.1%`", text));
    };
    let p = match unit {
        "" => value,
        "%" => value / 100.0,
        " %" => {
            return Err(UnitError::new(format!("unexpected space in `{text}`"))
                .hint(format!("write {value}%")))
        }
        _ => return Err(expected("a probability", "`0.001` or `0.1%`", text)),
    };
    if !(0.0..=1.0).contains(&p) {
        let err = UnitError::new(format!(
            "a probability must be between 0 and 1 (0% and 100%), found `{text}`"
        ));
        return Err(if unit.is_empty() && value > 1.0 && value <= 100.0 {
            err.hint(format!("for a percentage write {value}%"))
        } else {
            err
        });
    }
    Ok(p)
}

fn expected(what: &str, examples: &str, text: &str) -> UnitError {
    UnitError::new(format!(
        "expected {what} such as {examples}, found `{text}`"
    ))
}

/// Explains an unknown unit: a stray space, a familiar alias, or the full list of units.
fn unknown_unit(
    what: &str,
    accepted: &str,
    text: &str,
    value: f64,
    unit: &str,
    alias: fn(&str) -> Option<&'static str>,
) -> UnitError {
    let trimmed = unit.trim();
    let number = &text[..text.len() - unit.len()];
    let fix = alias(trimmed).map(|u| format!("{number}{u}"));
    if trimmed.len() != unit.len() {
        let message =
            format!("unexpected space in {what} `{text}`: write the unit right after the number");
        if let Some(fix) = fix {
            return UnitError::new(message)
                .hint(format!("write {fix}"))
                .fix(fix);
        }
        return UnitError::new(format!(
            "unknown {what} unit `{trimmed}` in `{text}`: expected {accepted}"
        ))
        .hint(format!(
            "write the unit right after the number, e.g. {}",
            example(what, value)
        ));
    }
    let error = UnitError::new(format!(
        "unknown {what} unit `{trimmed}` in `{text}`: expected {accepted}"
    ));
    match fix {
        Some(fix) => error.hint(format!("did you mean {fix}?")).fix(fix),
        None => error,
    }
}

fn example(what: &str, value: f64) -> String {
    let unit = match what {
        "duration" => "ms",
        "rate" => "/s",
        "bandwidth" => "Mbps",
        _ => "MB",
    };
    format!("{value}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("2ms"), Ok(2_000_000));
        assert_eq!(duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(duration("250us"), Ok(250_000));
        assert_eq!(duration("250µs"), Ok(250_000));
        assert_eq!(duration("10ns"), Ok(10));
        assert_eq!(duration("5m"), Ok(300_000_000_000));
        assert_eq!(duration("5min"), Ok(300_000_000_000));
        assert_eq!(duration("1h"), Ok(3_600_000_000_000));
        assert_eq!(duration("30d"), Ok(30 * 86_400_000_000_000));
        assert_eq!(duration("600"), Ok(600_000_000_000));
        assert_eq!(duration("0.1"), Ok(100_000_000));
        assert_eq!(duration("1e-3s"), Ok(1_000_000));
    }

    #[test]
    fn duration_errors_have_hints() {
        let e = duration("10 ms").unwrap_err();
        assert_eq!(e.hint.as_deref(), Some("write 10ms"));
        let e = duration("10sec").unwrap_err();
        assert_eq!(e.hint.as_deref(), Some("did you mean 10s?"));
        let e = duration("10 parsecs").unwrap_err();
        assert!(
            e.message.contains("unknown duration unit `parsecs`"),
            "{}",
            e.message
        );
        assert!(duration("-5s").unwrap_err().message.contains("negative"));
        assert!(duration("fast")
            .unwrap_err()
            .message
            .contains("expected a duration"));
        assert!(duration("inf").is_err());
        assert_eq!(
            duration("10MS").unwrap_err().hint.as_deref(),
            Some("did you mean 10ms?")
        );
        assert_eq!(
            duration("2days").unwrap_err().hint.as_deref(),
            Some("did you mean 2d?")
        );
    }

    #[test]
    fn rates_sizes_probabilities() {
        assert_eq!(rate("80/s"), Ok(80.0));
        assert_eq!(rate("80/sec"), Ok(80.0));
        assert_eq!(rate("300/min"), Ok(5.0));
        assert_eq!(rate("2/h"), Ok(2.0 / 3600.0));
        assert_eq!(rate("12.5"), Ok(12.5));
        assert_eq!(
            rate("80rps").unwrap_err().hint.as_deref(),
            Some("did you mean 80/s?")
        );
        assert_eq!(size("2GB"), Ok(2_000_000_000));
        assert_eq!(size("1KiB"), Ok(1024));
        assert_eq!(size("4096"), Ok(4096));
        assert_eq!(
            size("2gb").unwrap_err().hint.as_deref(),
            Some("did you mean 2GB?")
        );
        assert_eq!(probability("0.001"), Ok(0.001));
        assert_eq!(probability("0.1%"), Ok(0.001));
        assert_eq!(
            probability("5").unwrap_err().hint.as_deref(),
            Some("for a percentage write 5%")
        );
    }

    #[test]
    fn bandwidths_in_bits_and_bytes() {
        assert_eq!(bandwidth("100Mbps"), Ok(12_500_000.0));
        assert_eq!(bandwidth("1Gbps"), Ok(125_000_000.0));
        assert_eq!(bandwidth("8bps"), Ok(1.0));
        assert_eq!(bandwidth("10MB/s"), Ok(10_000_000.0));
        assert_eq!(bandwidth("1GiB/s"), Ok(1073741824.0));
        assert_eq!(bandwidth("2.5KB/s"), Ok(2500.0));
        assert_eq!(bandwidth("1.5Gbps"), Ok(187_500_000.0));
        let e = bandwidth("100").unwrap_err();
        assert!(e.message.contains("needs a unit"), "{}", e.message);
        assert_eq!(
            e.hint.as_deref(),
            Some("write 100Mbps (bits) or 100MB/s (bytes)")
        );
        assert_eq!(
            bandwidth("100mbps").unwrap_err().hint.as_deref(),
            Some("did you mean 100Mbps?")
        );
        assert_eq!(
            bandwidth("10mb/s").unwrap_err().hint.as_deref(),
            Some("did you mean 10MB/s?")
        );
        assert_eq!(
            bandwidth("1 Gbps").unwrap_err().hint.as_deref(),
            Some("write 1Gbps")
        );
        assert!(bandwidth("0Mbps").is_err());
        assert!(bandwidth("-1Mbps").is_err());
        assert!(bandwidth("fast").is_err());
    }

    #[test]
    fn numbers() {
        assert_eq!(number("1_000_000"), Some(1e6));
        assert_eq!(number("-2.5e3"), Some(-2500.0));
        assert_eq!(number("nan"), None);
        assert_eq!(number("1x"), None);
        assert_eq!(split_number("3e"), Some((3.0, "e")));
    }
}
