//! The async-runtime-auditor health model, exactly.
//!
//! The auditor reads eight runtime signals (in its world, Prometheus queries over a window),
//! counts a missing or NaN value as 0, and computes
//!
//! ```text
//! backlog = max(0, started − completed)
//! score   = lag_s·1500 + blocking_s·400 + queue_wait_s·300 + backlog·8 + peak_active·1
//! ```
//!
//! where `lag_s` is the maximum event-loop lag, `blocking_s` the *average* blocking duration
//! and `queue_wait_s` the (mean) thread-pool queue wait. The status is `COLLAPSE_RISK` at a
//! score ≥ 2500, `CRITICAL` ≥ 1200, `DEGRADED` ≥ 400, else `HEALTHY`. Failure modes and
//! findings use strict comparisons (`>`):
//!
//! | failure mode | severity | when |
//! |---|---|---|
//! | `EVENT_LOOP_STARVATION` | HIGH | lag > 0.5 s and blocking > 1.0 s |
//! | `THREADPOOL_SATURATION` | HIGH | queue wait > 1.0 s and backlog > 3 |
//! | `LOAD_SATURATION` | MEDIUM | peak active > 150 |
//!
//! Findings, in this order: event-loop starvation (lag > 0.5 s), long synchronous blocking
//! (blocking > 1 s), customer-visible latency hides runtime instability (lag > 1.0 s while
//! p99 < 0.15 s), concurrent load saturation (active > 100), thread-pool backlog accumulation
//! (backlog > 3), executor queue amplification (queue wait > 1 s).
//!
//! Every weight and cut-off is a field of [`HealthThresholds`], whose [`Default`] is the
//! auditor's. How the engine's ticks become [`AuditInputs`] is [`super::inputs`]'s business.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use super::format::{duration, number};

/// The auditor's health status, ordered from best to worst.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    #[default]
    Healthy,
    Degraded,
    Critical,
    CollapseRisk,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Healthy,
        Status::Degraded,
        Status::Critical,
        Status::CollapseRisk,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Healthy => "HEALTHY",
            Status::Degraded => "DEGRADED",
            Status::Critical => "CRITICAL",
            Status::CollapseRisk => "COLLAPSE_RISK",
        }
    }
}

/// Severity of a failure mode or finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
        }
    }
}

/// Weights and cut-offs of the model; [`Default`] is the auditor's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct HealthThresholds {
    /// Score per second of maximum event-loop lag (1500).
    pub lag_weight: f64,
    /// Score per second of average blocking duration (400).
    pub blocking_weight: f64,
    /// Score per second of thread-pool queue wait (300).
    pub queue_wait_weight: f64,
    /// Score per thread-pool job of backlog (8).
    pub backlog_weight: f64,
    /// Score per peak active request (1).
    pub active_weight: f64,
    /// Status cut-offs (score ≥): 2500, 1200, 400.
    pub collapse_score: f64,
    pub critical_score: f64,
    pub degraded_score: f64,
    /// Event-loop starvation: lag > 0.5 s.
    pub max_event_loop_lag_s: f64,
    /// Long synchronous blocking: average blocking duration > 1.0 s.
    pub max_blocking_duration_s: f64,
    /// Executor queue amplification: queue wait > 1.0 s.
    pub max_queue_wait_s: f64,
    /// Thread-pool backlog accumulation: backlog > 3.
    pub max_threadpool_backlog: f64,
    /// `LOAD_SATURATION` failure mode: peak active > 150.
    pub max_active_requests: f64,
    /// Concurrent load saturation finding: peak active > 100.
    pub busy_active_requests: f64,
    /// Latency hides runtime instability: lag > 1.0 s while p99 < 0.15 s.
    pub hidden_lag_s: f64,
    pub hidden_p99_s: f64,
}

impl Default for HealthThresholds {
    fn default() -> Self {
        HealthThresholds {
            lag_weight: 1500.0,
            blocking_weight: 400.0,
            queue_wait_weight: 300.0,
            backlog_weight: 8.0,
            active_weight: 1.0,
            collapse_score: 2500.0,
            critical_score: 1200.0,
            degraded_score: 400.0,
            max_event_loop_lag_s: 0.5,
            max_blocking_duration_s: 1.0,
            max_queue_wait_s: 1.0,
            max_threadpool_backlog: 3.0,
            max_active_requests: 150.0,
            busy_active_requests: 100.0,
            hidden_lag_s: 1.0,
            hidden_p99_s: 0.15,
        }
    }
}

impl HealthThresholds {
    /// The status of a score: the highest cut-off it reaches (`≥`).
    pub fn status(&self, score: f64) -> Status {
        if score >= self.collapse_score {
            Status::CollapseRisk
        } else if score >= self.critical_score {
            Status::Critical
        } else if score >= self.degraded_score {
            Status::Degraded
        } else {
            Status::Healthy
        }
    }
}

/// The auditor's eight signals. Counters are `f64` as Prometheus returns them; NaN counts as 0
/// (see [`AuditInputs::sanitized`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct AuditInputs {
    pub p99_latency_s: f64,
    pub max_event_loop_lag_s: f64,
    pub blocking_events: u64,
    pub avg_blocking_duration_s: f64,
    pub peak_active_requests: f64,
    pub threadpool_queue_wait_s: f64,
    pub threadpool_started: f64,
    pub threadpool_completed: f64,
}

fn nan_to_zero(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x
    }
}

impl AuditInputs {
    /// Every NaN replaced by 0, as the auditor treats missing values.
    pub fn sanitized(&self) -> Self {
        AuditInputs {
            p99_latency_s: nan_to_zero(self.p99_latency_s),
            max_event_loop_lag_s: nan_to_zero(self.max_event_loop_lag_s),
            blocking_events: self.blocking_events,
            avg_blocking_duration_s: nan_to_zero(self.avg_blocking_duration_s),
            peak_active_requests: nan_to_zero(self.peak_active_requests),
            threadpool_queue_wait_s: nan_to_zero(self.threadpool_queue_wait_s),
            threadpool_started: nan_to_zero(self.threadpool_started),
            threadpool_completed: nan_to_zero(self.threadpool_completed),
        }
    }

    /// `max(0, started − completed)`.
    pub fn backlog(&self) -> f64 {
        let b = nan_to_zero(self.threadpool_started) - nan_to_zero(self.threadpool_completed);
        b.max(0.0)
    }
}

/// A failure mode, as the auditor reports it: `{type, severity, description}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailureMode {
    #[serde(rename = "type")]
    pub type_: &'static str,
    pub severity: Severity,
    pub description: String,
}

pub const EVENT_LOOP_STARVATION: &str = "EVENT_LOOP_STARVATION";
pub const THREADPOOL_SATURATION: &str = "THREADPOOL_SATURATION";
pub const LOAD_SATURATION: &str = "LOAD_SATURATION";

/// The auditor's six findings, in its order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    EventLoopStarvation,
    LongBlocking,
    HiddenInstability,
    LoadSaturation,
    ThreadpoolBacklog,
    QueueAmplification,
    /// Ours, beyond the auditor's: a declared pool (connections, a semaphore) that ran out of
    /// permits — saturated, or failing requests that waited for one.
    PoolExhaustion,
}

impl FindingKind {
    /// The auditor's one-line statement of the finding.
    pub fn text(self) -> &'static str {
        match self {
            FindingKind::EventLoopStarvation => "Event-loop starvation detected.",
            FindingKind::LongBlocking => "Long synchronous blocking detected.",
            FindingKind::HiddenInstability => "Customer-visible latency hides runtime instability.",
            FindingKind::LoadSaturation => "Concurrent load saturation detected.",
            FindingKind::ThreadpoolBacklog => "Thread-pool backlog accumulation detected.",
            FindingKind::QueueAmplification => "Executor queue amplification detected.",
            FindingKind::PoolExhaustion => "Resource pool exhaustion detected.",
        }
    }

    /// Ours (the auditor's findings carry none): HIGH for the signals that make up the HIGH
    /// failure modes' runtime stalls (starvation, blocking, queue amplification), MEDIUM for
    /// the rest.
    pub fn severity(self) -> Severity {
        match self {
            FindingKind::EventLoopStarvation
            | FindingKind::LongBlocking
            | FindingKind::QueueAmplification
            | FindingKind::PoolExhaustion => Severity::High,
            FindingKind::HiddenInstability
            | FindingKind::LoadSaturation
            | FindingKind::ThreadpoolBacklog => Severity::Medium,
        }
    }
}

/// The auditor's verdict on one set of inputs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Audit {
    pub status: Status,
    pub score: f64,
    /// The inputs as scored (NaN replaced by 0).
    pub inputs: AuditInputs,
    pub threadpool_backlog: f64,
    pub failure_modes: Vec<FailureMode>,
    pub findings: Vec<FindingKind>,
}

/// The weighted score of (sanitized) inputs.
pub fn score(x: &AuditInputs, t: &HealthThresholds) -> f64 {
    x.max_event_loop_lag_s * t.lag_weight
        + x.avg_blocking_duration_s * t.blocking_weight
        + x.threadpool_queue_wait_s * t.queue_wait_weight
        + x.backlog() * t.backlog_weight
        + x.peak_active_requests * t.active_weight
}

/// The failure modes of (sanitized) inputs, in the auditor's order, with the numbers that
/// triggered them.
pub fn failure_modes(x: &AuditInputs, t: &HealthThresholds) -> Vec<FailureMode> {
    let mut out = Vec::new();
    let (lag, blocking) = (x.max_event_loop_lag_s, x.avg_blocking_duration_s);
    if lag > t.max_event_loop_lag_s && blocking > t.max_blocking_duration_s {
        out.push(FailureMode {
            type_: EVENT_LOOP_STARVATION,
            severity: Severity::High,
            description: format!(
                "event-loop lag {} > {} with average blocking {} > {}",
                duration(lag),
                duration(t.max_event_loop_lag_s),
                duration(blocking),
                duration(t.max_blocking_duration_s)
            ),
        });
    }
    let (wait, backlog) = (x.threadpool_queue_wait_s, x.backlog());
    if wait > t.max_queue_wait_s && backlog > t.max_threadpool_backlog {
        out.push(FailureMode {
            type_: THREADPOOL_SATURATION,
            severity: Severity::High,
            description: format!(
                "thread-pool queue wait {} > {} with a backlog of {} jobs > {}",
                duration(wait),
                duration(t.max_queue_wait_s),
                number(backlog),
                number(t.max_threadpool_backlog)
            ),
        });
    }
    if x.peak_active_requests > t.max_active_requests {
        out.push(FailureMode {
            type_: LOAD_SATURATION,
            severity: Severity::Medium,
            description: format!(
                "{} active requests at peak > {}",
                number(x.peak_active_requests),
                number(t.max_active_requests)
            ),
        });
    }
    out
}

/// The findings of (sanitized) inputs, in the auditor's order.
pub fn findings(x: &AuditInputs, t: &HealthThresholds) -> Vec<FindingKind> {
    let lag = x.max_event_loop_lag_s;
    let checks = [
        (
            lag > t.max_event_loop_lag_s,
            FindingKind::EventLoopStarvation,
        ),
        (
            x.avg_blocking_duration_s > t.max_blocking_duration_s,
            FindingKind::LongBlocking,
        ),
        (
            lag > t.hidden_lag_s && x.p99_latency_s < t.hidden_p99_s,
            FindingKind::HiddenInstability,
        ),
        (
            x.peak_active_requests > t.busy_active_requests,
            FindingKind::LoadSaturation,
        ),
        (
            x.backlog() > t.max_threadpool_backlog,
            FindingKind::ThreadpoolBacklog,
        ),
        (
            x.threadpool_queue_wait_s > t.max_queue_wait_s,
            FindingKind::QueueAmplification,
        ),
    ];
    checks
        .into_iter()
        .filter(|(hit, _)| *hit)
        .map(|(_, kind)| kind)
        .collect()
}

/// Scores `inputs` (NaN counted as 0) and names the failure modes and findings.
pub fn audit(inputs: &AuditInputs, t: &HealthThresholds) -> Audit {
    let x = inputs.sanitized();
    let score = score(&x, t);
    Audit {
        status: t.status(score),
        score,
        threadpool_backlog: x.backlog(),
        failure_modes: failure_modes(&x, t),
        findings: findings(&x, t),
        inputs: x,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> AuditInputs {
        AuditInputs::default()
    }

    fn status_of(peak_active: f64) -> Status {
        let x = AuditInputs {
            peak_active_requests: peak_active,
            ..inputs()
        };
        audit(&x, &HealthThresholds::default()).status
    }

    #[test]
    fn score_is_the_weighted_sum() {
        // 0.5·1500 + 1.25·400 + 0.5·300 + (10 − 4)·8 + 20 = 750 + 500 + 150 + 48 + 20.
        let x = AuditInputs {
            p99_latency_s: 0.2,
            max_event_loop_lag_s: 0.5,
            blocking_events: 3,
            avg_blocking_duration_s: 1.25,
            peak_active_requests: 20.0,
            threadpool_queue_wait_s: 0.5,
            threadpool_started: 10.0,
            threadpool_completed: 4.0,
        };
        let a = audit(&x, &HealthThresholds::default());
        assert_eq!(a.score, 1468.0);
        assert_eq!(a.threadpool_backlog, 6.0);
        assert_eq!(a.status, Status::Critical);
    }

    #[test]
    fn backlog_never_goes_negative() {
        let x = AuditInputs {
            threadpool_started: 4.0,
            threadpool_completed: 10.0,
            ..inputs()
        };
        assert_eq!(x.backlog(), 0.0);
        assert_eq!(audit(&x, &HealthThresholds::default()).score, 0.0);
    }

    #[test]
    fn nan_counts_as_zero() {
        let x = AuditInputs {
            p99_latency_s: f64::NAN,
            max_event_loop_lag_s: f64::NAN,
            avg_blocking_duration_s: f64::NAN,
            peak_active_requests: 7.0,
            threadpool_queue_wait_s: f64::NAN,
            threadpool_started: f64::NAN,
            threadpool_completed: f64::NAN,
            blocking_events: 0,
        };
        let a = audit(&x, &HealthThresholds::default());
        assert_eq!(a.score, 7.0);
        assert_eq!(a.inputs.max_event_loop_lag_s, 0.0);
        assert_eq!(a.threadpool_backlog, 0.0);
    }

    #[test]
    fn status_cut_offs_are_inclusive() {
        assert_eq!(status_of(0.0), Status::Healthy);
        assert_eq!(status_of(399.999), Status::Healthy);
        assert_eq!(status_of(400.0), Status::Degraded);
        assert_eq!(status_of(1199.999), Status::Degraded);
        assert_eq!(status_of(1200.0), Status::Critical);
        assert_eq!(status_of(2499.999), Status::Critical);
        assert_eq!(status_of(2500.0), Status::CollapseRisk);
    }

    #[test]
    fn statuses_are_ordered_and_named() {
        assert!(Status::Healthy < Status::Degraded);
        assert!(Status::Critical < Status::CollapseRisk);
        let names: Vec<_> = Status::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["HEALTHY", "DEGRADED", "CRITICAL", "COLLAPSE_RISK"]);
        assert_eq!(
            serde_json::to_string(&Status::CollapseRisk).unwrap(),
            "\"COLLAPSE_RISK\""
        );
    }

    #[test]
    fn starvation_needs_both_lag_and_blocking_strictly_above() {
        let t = HealthThresholds::default();
        let at = |lag, blocking| AuditInputs {
            max_event_loop_lag_s: lag,
            avg_blocking_duration_s: blocking,
            ..inputs()
        };
        let types = |x: AuditInputs| -> Vec<&str> {
            failure_modes(&x, &t).iter().map(|m| m.type_).collect()
        };
        assert_eq!(types(at(0.5, 2.0)), Vec::<&str>::new());
        assert_eq!(types(at(0.75, 1.0)), Vec::<&str>::new());
        assert_eq!(types(at(0.75, 1.5)), [EVENT_LOOP_STARVATION]);
        let m = &failure_modes(&at(0.75, 1.5), &t)[0];
        assert_eq!(m.severity, Severity::High);
        assert_eq!(
            m.description,
            "event-loop lag 750 ms > 500 ms with average blocking 1.5 s > 1 s"
        );
    }

    #[test]
    fn threadpool_saturation_needs_wait_and_backlog_strictly_above() {
        let t = HealthThresholds::default();
        let at = |wait, started| AuditInputs {
            threadpool_queue_wait_s: wait,
            threadpool_started: started,
            threadpool_completed: 10.0,
            ..inputs()
        };
        assert!(failure_modes(&at(1.5, 13.0), &t).is_empty(), "backlog 3");
        assert!(failure_modes(&at(1.0, 14.0), &t).is_empty(), "wait 1 s");
        let m = failure_modes(&at(1.5, 14.0), &t);
        assert_eq!(m.len(), 1);
        assert_eq!(
            (m[0].type_, m[0].severity),
            (THREADPOOL_SATURATION, Severity::High)
        );
    }

    #[test]
    fn load_saturation_above_150() {
        let t = HealthThresholds::default();
        let at = |active| AuditInputs {
            peak_active_requests: active,
            ..inputs()
        };
        assert!(failure_modes(&at(150.0), &t).is_empty());
        let m = failure_modes(&at(151.0), &t);
        assert_eq!(
            (m[0].type_, m[0].severity),
            (LOAD_SATURATION, Severity::Medium)
        );
        assert_eq!(Severity::Medium.as_str(), "MEDIUM");
    }

    #[test]
    fn findings_each_cut_off_is_strict() {
        let t = HealthThresholds::default();
        let f = |x: AuditInputs| findings(&x, &t);
        use FindingKind as K;
        let lag = |s| AuditInputs {
            max_event_loop_lag_s: s,
            p99_latency_s: 0.2,
            ..inputs()
        };
        assert!(f(lag(0.5)).is_empty());
        assert_eq!(f(lag(0.5001)), [K::EventLoopStarvation]);
        let blocking = |s| AuditInputs {
            avg_blocking_duration_s: s,
            ..inputs()
        };
        assert!(f(blocking(1.0)).is_empty());
        assert_eq!(f(blocking(1.001)), [K::LongBlocking]);
        let active = |n| AuditInputs {
            peak_active_requests: n,
            ..inputs()
        };
        assert!(f(active(100.0)).is_empty());
        assert_eq!(f(active(101.0)), [K::LoadSaturation]);
        let backlog = |n| AuditInputs {
            threadpool_started: n,
            ..inputs()
        };
        assert!(f(backlog(3.0)).is_empty());
        assert_eq!(f(backlog(4.0)), [K::ThreadpoolBacklog]);
        let wait = |s| AuditInputs {
            threadpool_queue_wait_s: s,
            ..inputs()
        };
        assert!(f(wait(1.0)).is_empty());
        assert_eq!(f(wait(1.25)), [K::QueueAmplification]);
    }

    #[test]
    fn hidden_instability_needs_lag_above_1s_and_p99_below_150ms() {
        let t = HealthThresholds::default();
        let at = |lag, p99| AuditInputs {
            max_event_loop_lag_s: lag,
            p99_latency_s: p99,
            ..inputs()
        };
        use FindingKind as K;
        assert_eq!(findings(&at(1.0, 0.1), &t), [K::EventLoopStarvation]);
        assert_eq!(findings(&at(1.25, 0.15), &t), [K::EventLoopStarvation]);
        assert_eq!(
            findings(&at(1.25, 0.125), &t),
            [K::EventLoopStarvation, K::HiddenInstability]
        );
        assert_eq!(K::HiddenInstability.severity(), Severity::Medium);
    }

    #[test]
    fn thresholds_are_overridable() {
        let t = HealthThresholds {
            active_weight: 2.0,
            degraded_score: 100.0,
            ..HealthThresholds::default()
        };
        let x = AuditInputs {
            peak_active_requests: 50.0,
            ..inputs()
        };
        let a = audit(&x, &t);
        assert_eq!((a.score, a.status), (100.0, Status::Degraded));
    }
}
