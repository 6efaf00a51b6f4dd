//! The run's health in async-runtime-auditor's own JSON report shape (`loopsim run FILE
//! --report auditor`), so that what reads the auditor's `audit_results.json` in a pipeline can
//! read a simulated run.
//!
//! The auditor's report is one object: `status`, `score`, `p99_latency_ms`,
//! `max_event_loop_lag_ms`, `blocking_events`, `avg_blocking_duration_s`,
//! `peak_active_requests`, `threadpool_queue_wait_s`, `threadpool_backlog`,
//! `failure_modes[{type, severity, description}]` and `findings[]` (sentences). It scores one
//! service over one look-back window. A run has several services and many windows
//! ([`super::timeline`](mod@super::timeline)), so we decide which object stands for the run:
//!
//! - **the top level is the worst window of the worst service** — the service with the highest
//!   worst-window score (the first listed on ties), on that window. Its status and score are the
//!   run's ([`HealthReport::status`]: a system is as healthy as its unhealthiest service in its
//!   worst window). Extra keys name it: `service`, `window_start_s`, `window_end_s`;
//! - `services`: the same object for every service, each on its own worst window, in the order
//!   of the scenario;
//! - `whole_run`: the auditor's single-shot view, one window over the whole run with every
//!   service merged and the client's p99 ([`HealthReport::whole_run`]); no `service` key.
//!
//! The auditor's keys come first, in its order, then ours. Times keep the auditor's units (ms
//! for the p99 and the lag, seconds for blocking and queue wait), findings are its sentences
//! ([`super::FindingKind::text`]); failure mode descriptions are ours, with the numbers.

use alloc::string::String;
use alloc::vec::Vec;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::auditor::{Audit, FailureMode, Status};
use super::timeline::HealthReport;
use crate::time::to_secs_f64;

/// Seconds as milliseconds to the microsecond (`3.7449014979999997` → `3744.901`): the engine
/// measures in nanoseconds, and binary fractions of a second print with noise digits otherwise.
fn millis(secs: f64) -> f64 {
    libm::round(secs * 1e6) / 1e3
}

/// One auditor report object: the auditor's keys, and what it is about.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditorObject {
    pub status: Status,
    pub score: f64,
    pub p99_latency_ms: f64,
    pub max_event_loop_lag_ms: f64,
    pub blocking_events: u64,
    pub avg_blocking_duration_s: f64,
    pub peak_active_requests: f64,
    pub threadpool_queue_wait_s: f64,
    pub threadpool_backlog: f64,
    pub failure_modes: Vec<FailureMode>,
    pub findings: Vec<&'static str>,
    /// The service it is about (`None` for the whole run's merged view).
    pub service: Option<String>,
    /// The window it covers, in seconds (`None` without windows).
    pub window: Option<(f64, f64)>,
}

impl AuditorObject {
    /// The object of one audit, about `service` over `window`.
    pub fn of(audit: &Audit, service: Option<String>, window: Option<(f64, f64)>) -> Self {
        let x = &audit.inputs;
        AuditorObject {
            status: audit.status,
            score: audit.score,
            p99_latency_ms: millis(x.p99_latency_s),
            max_event_loop_lag_ms: millis(x.max_event_loop_lag_s),
            blocking_events: x.blocking_events,
            avg_blocking_duration_s: x.avg_blocking_duration_s,
            peak_active_requests: x.peak_active_requests,
            threadpool_queue_wait_s: x.threadpool_queue_wait_s,
            threadpool_backlog: audit.threadpool_backlog,
            failure_modes: audit.failure_modes.clone(),
            findings: audit.findings.iter().map(|k| k.text()).collect(),
            service,
            window,
        }
    }

    /// Writes the auditor's keys, then `service` and the window when known.
    fn entries<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
        m.serialize_entry("status", &self.status)?;
        m.serialize_entry("score", &self.score)?;
        m.serialize_entry("p99_latency_ms", &self.p99_latency_ms)?;
        m.serialize_entry("max_event_loop_lag_ms", &self.max_event_loop_lag_ms)?;
        m.serialize_entry("blocking_events", &self.blocking_events)?;
        m.serialize_entry("avg_blocking_duration_s", &self.avg_blocking_duration_s)?;
        m.serialize_entry("peak_active_requests", &self.peak_active_requests)?;
        m.serialize_entry("threadpool_queue_wait_s", &self.threadpool_queue_wait_s)?;
        m.serialize_entry("threadpool_backlog", &self.threadpool_backlog)?;
        m.serialize_entry("failure_modes", &self.failure_modes)?;
        m.serialize_entry("findings", &self.findings)?;
        if let Some(s) = &self.service {
            m.serialize_entry("service", s)?;
        }
        if let Some((start, end)) = self.window {
            m.serialize_entry("window_start_s", &start)?;
            m.serialize_entry("window_end_s", &end)?;
        }
        Ok(())
    }
}

impl Serialize for AuditorObject {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        self.entries(&mut m)?;
        m.end()
    }
}

/// The run in the auditor's report shape (see the module doc).
#[derive(Clone, Debug, PartialEq)]
pub struct AuditorReport {
    /// The worst window of the worst service: the run's verdict.
    pub worst: AuditorObject,
    pub services: Vec<AuditorObject>,
    pub whole_run: AuditorObject,
}

impl Serialize for AuditorReport {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        self.worst.entries(&mut m)?;
        m.serialize_entry("services", &self.services)?;
        m.serialize_entry("whole_run", &self.whole_run)?;
        m.end()
    }
}

/// Each service on its own worst window; services without windows are left out.
fn per_service(h: &HealthReport) -> Vec<AuditorObject> {
    h.per_service
        .iter()
        .filter_map(|s| {
            let (audit, w) = (s.audit.as_ref()?, s.worst_window?);
            let t = h.timeline.get(w)?;
            let window = (to_secs_f64(t.start), to_secs_f64(t.end));
            Some(AuditorObject::of(audit, Some(s.name.clone()), Some(window)))
        })
        .collect()
}

/// The run's health as the auditor's report. Without any window (no health ticks), the top
/// level is the whole-run view.
pub fn auditor_report(h: &HealthReport) -> AuditorReport {
    let services = per_service(h);
    let whole_run = AuditorObject::of(&h.whole_run, None, None);
    let mut worst: Option<&AuditorObject> = None;
    for s in &services {
        if worst.is_none_or(|w| s.score > w.score) {
            worst = Some(s);
        }
    }
    AuditorReport {
        worst: worst.cloned().unwrap_or_else(|| whole_run.clone()),
        services,
        whole_run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::auditor::{audit, AuditInputs, HealthThresholds};
    use crate::health::ticks::{ServiceHistory, ServiceTick};
    use crate::health::timeline::assess_run;
    use crate::time::{Nanos, NANOS_PER_SEC as S};
    use alloc::vec;

    const MS: Nanos = 1_000_000;

    fn tick(i: u64, lag_ms: u64, active: u64) -> ServiceTick {
        ServiceTick {
            start: i * S,
            end: (i + 1) * S,
            loops: 1,
            busy_ns: (100 * MS) as u128,
            lag_max: lag_ms * MS,
            active_peak: active,
            ..ServiceTick::default()
        }
    }

    #[test]
    fn an_audit_becomes_the_auditors_object_in_its_units() {
        let x = AuditInputs {
            p99_latency_s: 0.125,
            max_event_loop_lag_s: 0.75,
            blocking_events: 4,
            avg_blocking_duration_s: 1.5,
            peak_active_requests: 160.0,
            threadpool_queue_wait_s: 0.25,
            threadpool_started: 10.0,
            threadpool_completed: 6.0,
        };
        let a = audit(&x, &HealthThresholds::default());
        let o = AuditorObject::of(&a, Some("api".into()), Some((10.0, 20.0)));
        let json = serde_json::to_value(&o).unwrap();
        // 0.75·1500 + 1.5·400 + 0.25·300 + 4·8 + 160 = 1125 + 600 + 75 + 32 + 160 = 1992.
        assert_eq!(json["status"], "CRITICAL");
        assert_eq!(json["score"], 1992.0);
        assert_eq!(json["p99_latency_ms"], 125.0);
        assert_eq!(json["max_event_loop_lag_ms"], 750.0);
        assert_eq!(json["blocking_events"], 4);
        assert_eq!(json["avg_blocking_duration_s"], 1.5);
        assert_eq!(json["peak_active_requests"], 160.0);
        assert_eq!(json["threadpool_queue_wait_s"], 0.25);
        assert_eq!(json["threadpool_backlog"], 4.0);
        assert_eq!(json["failure_modes"][0]["type"], "EVENT_LOOP_STARVATION");
        assert_eq!(json["failure_modes"][0]["severity"], "HIGH");
        assert_eq!(json["failure_modes"][1]["type"], "LOAD_SATURATION");
        assert_eq!(
            json["findings"],
            serde_json::json!([
                "Event-loop starvation detected.",
                "Long synchronous blocking detected.",
                "Concurrent load saturation detected.",
                "Thread-pool backlog accumulation detected."
            ])
        );
        assert_eq!(json["service"], "api");
        assert_eq!(json["window_start_s"], 10.0);
        // The auditor's keys first, in its order.
        let keys: Vec<String> = json.as_object().unwrap().keys().cloned().collect();
        let text = serde_json::to_string(&o).unwrap();
        let at = |k: &str| text.find(&alloc::format!("\"{k}\"")).unwrap();
        assert!(at("status") < at("score") && at("score") < at("p99_latency_ms"));
        assert!(at("findings") < at("service"), "{keys:?}");
    }

    #[test]
    fn the_top_level_is_the_worst_window_of_the_worst_service() {
        // `quiet` is idle; `busy` has a 700 ms lag in its second window (10–20 s).
        let quiet: Vec<ServiceTick> = (0..30).map(|i| tick(i, 1, 2)).collect();
        let busy: Vec<ServiceTick> = (0..30)
            .map(|i| tick(i, if i == 12 { 700 } else { 2 }, 5))
            .collect();
        let services = [
            ServiceHistory {
                name: "quiet",
                ticks: &quiet,
                causes: &[],
            },
            ServiceHistory {
                name: "busy",
                ticks: &busy,
                causes: &[],
            },
        ];
        let h = assess_run(&services, &[], 10 * S, &HealthThresholds::default());
        let r = auditor_report(&h);
        assert_eq!(r.worst.service.as_deref(), Some("busy"));
        assert_eq!(r.worst.window, Some((10.0, 20.0)));
        // 0.7·1500 + 5 = 1055: DEGRADED, the run's verdict.
        assert_eq!(r.worst.score, 1055.0);
        assert_eq!(
            (r.worst.status, h.status),
            (Status::Degraded, Status::Degraded)
        );
        assert_eq!(r.worst.findings, vec!["Event-loop starvation detected."]);
        assert_eq!(r.services.len(), 2);
        assert_eq!(r.services[0].service.as_deref(), Some("quiet"));
        assert_eq!(r.services[0].status, Status::Healthy);
        assert_eq!(r.whole_run.service, None);
        assert_eq!(r.whole_run.score, h.whole_run.score);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["service"], "busy");
        assert_eq!(json["services"][1]["max_event_loop_lag_ms"], 700.0);
        assert!(json["whole_run"].get("service").is_none());
    }

    #[test]
    fn without_windows_the_top_level_is_the_whole_run() {
        let h = assess_run(&[], &[], 10 * S, &HealthThresholds::default());
        let r = auditor_report(&h);
        assert!(r.services.is_empty());
        assert_eq!(r.worst, r.whole_run);
        assert_eq!(r.worst.status, Status::Healthy);
    }
}
