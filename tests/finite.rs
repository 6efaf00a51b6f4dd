//! Every NaN or infinite number of a report, by path: `serde_json` writes NaN and ±∞ as
//! `null`, which hides them; `loopsim_core::replication::numbers` walks the serialised form
//! and keeps them.

use serde::Serialize;

/// The paths (`services.api.utilization`) of every NaN or infinite float in `value`.
pub fn non_finite_paths<T: Serialize>(value: &T) -> Vec<String> {
    loopsim_core::replication::numbers(value)
        .into_iter()
        .filter(|(_, v)| !v.is_finite())
        .map(|(path, _)| path)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Sample {
        ok: f64,
        bad: Option<f64>,
        list: Vec<(String, f64)>,
    }

    #[test]
    fn finds_every_non_finite_float_by_path() {
        let s = Sample {
            ok: 1.0,
            bad: Some(f64::NAN),
            list: vec![("a".into(), 2.0), ("b".into(), f64::INFINITY)],
        };
        assert_eq!(non_finite_paths(&s), ["bad", "list.1.1"]);
    }
}
