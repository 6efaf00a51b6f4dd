//! Number formatting for tables and the status line.

/// A duration in seconds with a unit that keeps 3 significant digits: `12.3 ms`, `1.50 s`.
pub fn secs(v: Option<f64>) -> String {
    match v {
        None => "–".into(),
        Some(v) if !v.is_finite() => "–".into(),
        Some(v) => {
            let a = v.abs();
            if a == 0.0 {
                "0".into()
            } else if a < 1e-3 {
                format!("{} µs", sig3(v * 1e6))
            } else if a < 1.0 {
                format!("{} ms", sig3(v * 1e3))
            } else if a < 600.0 {
                format!("{} s", sig3(v))
            } else if a < 2.0 * 3600.0 {
                format!("{} min", sig3(v / 60.0))
            } else {
                format!("{} h", sig3(v / 3600.0))
            }
        }
    }
}

/// Three significant digits, no exponent.
pub fn sig3(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let a = v.abs();
    if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else if a == 0.0 {
        "0".into()
    } else {
        format!("{v:.3}")
    }
}

/// An integer with thin-space thousands separators: `1 234 567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(ch);
    }
    out
}

/// A fraction as a percentage: `0.734` → `73.4 %`.
pub fn percent(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let p = v * 100.0;
    if p == 0.0 {
        "0 %".into()
    } else if p.abs() < 0.1 {
        format!("{p:.3} %")
    } else {
        format!("{p:.1} %")
    }
}

/// A rate per second: `1 234 req/s` style with 3 significant digits below 100.
pub fn rate(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    if v >= 1000.0 {
        format!("{}/s", count(v.round() as u64))
    } else {
        format!("{}/s", sig3(v))
    }
}

/// A plain number with at most 3 decimals and no trailing zeros: `60`, `20.4`, `0.125`.
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// A mean queue length or similar small real number.
pub fn real(v: f64) -> String {
    sig3(v)
}

/// Bytes as a short human unit (`512 B`, `12.5 MB`).
pub fn bytes(b: f64) -> String {
    match b {
        b if b >= 1e9 => format!("{:.2} GB", b / 1e9),
        b if b >= 1e6 => format!("{:.1} MB", b / 1e6),
        b if b >= 1e3 => format!("{:.1} KB", b / 1e3),
        b => format!("{b:.0} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(secs(Some(0.0123)), "12.3 ms");
        assert_eq!(secs(Some(1.5)), "1.50 s");
        assert_eq!(secs(Some(0.0000042)), "4.20 µs");
        assert_eq!(secs(Some(900.0)), "15.0 min");
        assert_eq!(secs(None), "–");
        assert_eq!(count(1234567), "1\u{202f}234\u{202f}567");
        assert_eq!(count(12), "12");
        assert_eq!(percent(0.734), "73.4 %");
        assert_eq!(rate(79.87), "79.9/s");
        assert_eq!(rate(12345.4), "12\u{202f}345/s");
        assert_eq!(num(60.0), "60");
        assert_eq!(num(20.4), "20.4");
        assert_eq!(num(0.125), "0.125");
        assert_eq!(num(100.0), "100");
        assert_eq!(num(-0.0001), "0");
    }

    #[test]
    fn bytes_take_a_short_unit() {
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(12_500.0), "12.5 KB");
        assert_eq!(bytes(12.5e6), "12.5 MB");
        assert_eq!(bytes(3e9), "3.00 GB");
    }
}
