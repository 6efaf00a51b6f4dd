//! The CI gate: pass or fail a run, with the reasons.
//!
//! async-runtime-auditor's `--fail-on-critical` exits 1 on CRITICAL or COLLAPSE_RISK. We
//! generalise it: `fail_on` lists any of `degraded`, `critical`, `collapse_risk` (fail when
//! the run's status — its worst window, see [`timeline`](mod@super::timeline) — is at or
//! above that level: `degraded` fails DEGRADED, CRITICAL and COLLAPSE_RISK) and `slo` (fail
//! when any SLO was missed). Several levels may be listed; the lowest decides and gives one
//! reason. An empty list always passes.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use super::auditor::Status;
use super::format::{number, percent_fine, span};
use super::slo::SloResult;
use super::timeline::HealthReport;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailOn {
    Degraded,
    Critical,
    CollapseRisk,
    Slo,
}

impl FailOn {
    pub const NAMES: [&'static str; 4] = ["degraded", "critical", "collapse_risk", "slo"];

    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Degraded => "degraded",
            FailOn::Critical => "critical",
            FailOn::CollapseRisk => "collapse_risk",
            FailOn::Slo => "slo",
        }
    }

    /// The status this level fails at (and above); `None` for `slo`.
    pub fn status(self) -> Option<Status> {
        match self {
            FailOn::Degraded => Some(Status::Degraded),
            FailOn::Critical => Some(Status::Critical),
            FailOn::CollapseRisk => Some(Status::CollapseRisk),
            FailOn::Slo => None,
        }
    }
}

impl core::str::FromStr for FailOn {
    type Err = &'static str;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "degraded" => Ok(FailOn::Degraded),
            "critical" => Ok(FailOn::Critical),
            "collapse_risk" => Ok(FailOn::CollapseRisk),
            "slo" => Ok(FailOn::Slo),
            _ => Err("expected one of degraded, critical, collapse_risk, slo"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GateOutcome {
    pub pass: bool,
    pub reasons: Vec<String>,
}

fn status_reason(level: FailOn, at: Status, health: &HealthReport) -> String {
    let mut r = format!(
        "status {} (score {}) is at or above `{}` ({})",
        health.status.as_str(),
        number(health.score),
        level.as_str(),
        at.as_str()
    );
    if let Some(w) = health.worst_window.and_then(|i| health.timeline.get(i)) {
        r.push_str(&format!(", worst window {}", span(w.start, w.end)));
        if let Some(s) = &w.worst_service {
            r.push_str(&format!(" on {s}"));
        }
    }
    r
}

fn slo_reason(s: &SloResult) -> String {
    format!(
        "SLO `{}` ({}) missed: {} good, target {}, {} of the error budget consumed",
        s.name,
        s.objective,
        percent_fine(s.sli),
        percent_fine(s.target),
        percent_fine(s.error_budget_consumed)
    )
}

/// Passes or fails the run (see the module doc).
pub fn gate(fail_on: &[FailOn], health: &HealthReport, slos: &[SloResult]) -> GateOutcome {
    let mut reasons = Vec::new();
    let lowest = fail_on
        .iter()
        .filter_map(|&f| f.status().map(|s| (s, f)))
        .min();
    if let Some((at, level)) = lowest.filter(|(at, _)| health.status >= *at) {
        reasons.push(status_reason(level, at, health));
    }
    if fail_on.contains(&FailOn::Slo) {
        reasons.extend(slos.iter().filter(|s| !s.met).map(slo_reason));
    }
    GateOutcome {
        pass: reasons.is_empty(),
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::auditor::{audit, AuditInputs, HealthThresholds};
    use crate::health::timeline::WindowHealth;
    use crate::time::NANOS_PER_SEC as S;
    use alloc::vec;

    fn health(status: Status, score: f64) -> HealthReport {
        HealthReport {
            status,
            score,
            window: 10 * S,
            worst_window: Some(0),
            failure_modes: Vec::new(),
            findings: Vec::new(),
            timeline: vec![WindowHealth {
                start: 20 * S,
                end: 30 * S,
                score,
                status,
                worst_service: Some("api".into()),
                service_scores: vec![score],
                failure_modes: Vec::new(),
            }],
            per_service: Vec::new(),
            whole_run: audit(&AuditInputs::default(), &HealthThresholds::default()),
        }
    }

    fn slo(met: bool) -> SloResult {
        SloResult {
            name: "fast".into(),
            objective: "p99 ≤ 300 ms".into(),
            target: 0.99,
            good: 975,
            total: 1000,
            sli: if met { 0.995 } else { 0.975 },
            met,
            error_budget_consumed: if met { 0.5 } else { 2.5 },
            alerts: Vec::new(),
        }
    }

    fn parse(list: &[&str]) -> Vec<FailOn> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn parses_the_four_names() {
        for name in FailOn::NAMES {
            assert_eq!(name.parse::<FailOn>().unwrap().as_str(), name);
        }
        assert!("CRITICAL".parse::<FailOn>().is_err());
        assert!("healthy".parse::<FailOn>().is_err());
    }

    #[test]
    fn status_levels_fail_at_or_above() {
        let pass = |list: &[&str], st| gate(&parse(list), &health(st, 500.0), &[]).pass;
        assert!(pass(&["degraded"], Status::Healthy));
        assert!(!pass(&["degraded"], Status::Degraded));
        assert!(!pass(&["degraded"], Status::CollapseRisk));
        assert!(pass(&["critical"], Status::Degraded));
        assert!(!pass(&["critical"], Status::Critical));
        assert!(!pass(&["critical"], Status::CollapseRisk));
        assert!(pass(&["collapse_risk"], Status::Critical));
        assert!(!pass(&["collapse_risk"], Status::CollapseRisk));
        assert!(pass(&[], Status::CollapseRisk));
        assert!(pass(&["slo"], Status::CollapseRisk));
    }

    #[test]
    fn reasons_name_the_level_the_window_and_the_slo() {
        let g = gate(
            &parse(&["critical", "degraded", "slo"]),
            &health(Status::Critical, 1468.0),
            &[slo(true), slo(false)],
        );
        assert!(!g.pass);
        assert_eq!(
            g.reasons,
            [
                "status CRITICAL (score 1468) is at or above `degraded` (DEGRADED), worst \
                 window 20–30 s on api",
                "SLO `fast` (p99 ≤ 300 ms) missed: 97.5% good, target 99%, 250% of the error \
                 budget consumed",
            ]
        );
        let g = gate(
            &parse(&["slo"]),
            &health(Status::Healthy, 0.0),
            &[slo(true)],
        );
        assert!(g.pass && g.reasons.is_empty());
    }
}
