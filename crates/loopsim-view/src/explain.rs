//! How the page lists the diagnosis (`report.diagnosis`): one line per statement, marked by
//! severity, and the auditor's status scale in words. Pure text, tested natively; the page
//! (`ui::diagnosis`) puts it in the DOM as text nodes (the statements quote scenario names,
//! which are untrusted).

use loopsim_core::diagnosis::{Diagnosis, Kind, Severity};

/// One line of the "What happened" list.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// `diag-critical`, `diag-warning` or `diag-info` (the colour of its marker).
    pub class: &'static str,
    /// Read before the sentence by screen readers, and shown as the marker's tooltip.
    pub label: &'static str,
    pub text: String,
}

/// The statements in the core's order, without the early stop (the page's stop box above the
/// results already says it first, in the same words).
pub fn items(d: &Diagnosis) -> Vec<Item> {
    d.statements
        .iter()
        .filter(|s| s.kind != Kind::StoppedEarly)
        .map(|s| {
            let (class, label) = match s.severity {
                Severity::Critical => ("diag-critical", "Critical"),
                Severity::Warning => ("diag-warning", "Warning"),
                Severity::Info => ("diag-info", "Note"),
            };
            Item {
                class,
                label,
                text: s.text.clone(),
            }
        })
        .collect()
}

/// `HEALTHY < 400 ≤ DEGRADED < 1200 ≤ CRITICAL < 2500 ≤ COLLAPSE_RISK`: what the auditor's
/// score means, beside its badge.
pub fn scale(d: &Diagnosis) -> String {
    let s = &d.scale;
    format!(
        "HEALTHY < {} ≤ DEGRADED < {} ≤ CRITICAL < {} ≤ COLLAPSE_RISK",
        s.degraded, s.critical, s.collapse_risk
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(file: &str) -> loopsim_core::report::Report {
        let yaml = crate::gallery::entries()
            .into_iter()
            .find(|e| e.file == file)
            .unwrap()
            .yaml;
        let mut sim = loopsim_core::Simulation::new(loopsim_core::check(yaml).scenario.unwrap());
        sim.run();
        sim.report()
    }

    #[test]
    fn the_retry_storm_lists_the_storm_and_its_aftermath_as_critical() {
        let d = run("retry-storm.yaml").diagnosis;
        let list = items(&d);
        let critical: Vec<&str> = list
            .iter()
            .filter(|i| i.class == "diag-critical")
            .map(|i| i.text.as_str())
            .collect();
        assert!(
            critical.iter().any(|t| t.contains("attempts per request")),
            "{list:#?}"
        );
        assert!(
            critical.iter().any(|t| t.contains("outlived its trigger")),
            "{list:#?}"
        );
        assert_eq!(
            scale(&d),
            "HEALTHY < 400 ≤ DEGRADED < 1200 ≤ CRITICAL < 2500 ≤ COLLAPSE_RISK"
        );
    }

    #[test]
    fn an_early_stop_is_left_to_the_stop_box() {
        let mut d = run("one-event-loop.yaml").diagnosis;
        let n = items(&d).len();
        d.statements.insert(
            0,
            loopsim_core::diagnosis::Statement {
                kind: Kind::StoppedEarly,
                severity: Severity::Critical,
                text: String::from("The run stopped early."),
                subject: None,
                figures: loopsim_core::report::Named(Vec::new()),
            },
        );
        assert_eq!(items(&d).len(), n);
    }
}
