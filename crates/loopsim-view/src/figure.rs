//! A figure as the tables write it: the report's value, or — when the run was replicated — the
//! mean over the replications ± the half-width of its 95% Student t interval, looked up in the
//! [`Summary`] by the figure's path in the report (`services.api.utilization`, the path
//! [`loopsim_core::replication::leaves`] gives it).

use loopsim_core::replication::Summary;
use loopsim_core::report::QueueLen;

use crate::format::{count, percent, rate, real, secs};

/// The figures under one part of a report (`services.api`, or the report itself).
#[derive(Clone, Debug)]
pub struct At<'a> {
    summary: Option<&'a Summary>,
    prefix: String,
}

impl<'a> At<'a> {
    /// The report's top level; `summary` is `None` for a single run.
    pub fn top(summary: Option<&'a Summary>) -> At<'a> {
        At {
            summary,
            prefix: String::new(),
        }
    }

    /// The figures under `segments` (e.g. `["services", name]`) below this one.
    pub fn under(&self, segments: &[&str]) -> At<'a> {
        let mut prefix = self.prefix.clone();
        for s in segments {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(s);
        }
        At {
            summary: self.summary,
            prefix,
        }
    }

    fn path(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_string()
        } else {
            format!("{}.{field}", self.prefix)
        }
    }

    /// `value` written by `write`, or `mean ± half-width` when there is an interval at
    /// `field`; a dash for a figure that does not exist.
    pub fn fig(&self, field: &str, value: Option<f64>, write: fn(f64) -> String) -> String {
        let interval = self.summary.and_then(|s| s.get(&self.path(field)));
        match (interval, value) {
            (Some(i), _) => format!("{} ± {}", write(i.mean), write(i.half_width)),
            (None, Some(v)) => write(v),
            (None, None) => "—".into(),
        }
    }

    pub fn secs(&self, field: &str, value: Option<f64>) -> String {
        self.fig(field, value, |v| secs(Some(v)))
    }

    pub fn count(&self, field: &str, value: u64) -> String {
        self.fig(field, Some(value as f64), tally)
    }

    pub fn percent(&self, field: &str, value: Option<f64>) -> String {
        self.fig(field, value, percent)
    }

    pub fn rate(&self, field: &str, value: f64) -> String {
        self.fig(field, Some(value), rate)
    }

    pub fn real(&self, field: &str, value: Option<f64>) -> String {
        self.fig(field, value, real)
    }

    /// A queue length's `mean / max`, or a dash.
    pub fn pair(&self, field: &str, q: &Option<QueueLen>) -> String {
        match q {
            None => "—".into(),
            Some(q) => {
                let at = self.under(&[field]);
                format!(
                    "{} / {}",
                    at.real("mean", Some(q.mean)),
                    at.count("max", q.max)
                )
            }
        }
    }
}

/// A count, or a mean of counts: whole numbers with separators, small fractions as reals.
fn tally(v: f64) -> String {
    if v.fract() == 0.0 && (0.0..1e18).contains(&v) {
        count(v as u64)
    } else if v.abs() >= 100.0 {
        count(v.abs().round() as u64)
    } else {
        real(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loopsim_core::replication::Summary;

    #[test]
    fn a_single_run_writes_the_value_and_replications_the_interval() {
        let one = At::top(None).under(&["services", "api"]);
        assert_eq!(one.secs("p99", Some(0.0123)), "12.3 ms");
        assert_eq!(one.count("served", 1234), "1\u{202f}234");
        let sets: Vec<Vec<(String, f64)>> = [0.010, 0.012, 0.014]
            .iter()
            .map(|v| vec![("services.api.p99".to_string(), *v)])
            .collect();
        let summary = Summary::from_leaves(&sets);
        let many = At::top(Some(&summary)).under(&["services", "api"]);
        // mean 12 ms; sd 2 ms, t(0.975, 2) = 4.303: half-width 4.303 × 2 / √3 = 4.97 ms.
        assert_eq!(many.secs("p99", Some(0.5)), "12.0 ms ± 4.97 ms");
        assert_eq!(many.count("served", 7), "7", "no interval: the value");
        assert_eq!(many.secs("missing", None), "—");
    }
}
