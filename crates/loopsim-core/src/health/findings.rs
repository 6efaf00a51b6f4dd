//! Findings that explain themselves: the auditor's six findings ([`FindingKind`]) turned
//! into sentences with the numbers behind them and, for stalls of the event loop, the endpoint
//! whose `blocking` steps or slow callbacks held the loop.
//!
//! A finding describes one service over one window (in a [`HealthReport`], the service's worst
//! window), e.g.
//!
//! ```text
//! Event-loop starvation on gateway (20–30 s): lag max 1.2 s, mean 310 ms; 92% of loop time
//! over the run was in `blocking` steps of /report
//! ```
//!
//! The cause is the [`BlockingCause`] with the most blocking plus slow-callback time (the
//! first one listed on ties); its share is that time over the service's loop-held time
//! (`busy_ns`) over the whole run. Numbers go through [`super::format`], so texts are
//! identical on every platform.
//!
//! [`HealthReport`]: super::timeline::HealthReport

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use super::auditor::{Audit, FindingKind, HealthThresholds, Severity};
use super::format::{duration, nanos, number, percent, span};
use super::inputs::WindowStats;
use super::ticks::BlockingCause;
use crate::time::Nanos;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub service: String,
    pub kind: FindingKind,
    pub severity: Severity,
    pub text: String,
    /// What held the loop most, for starvation and blocking findings (`33% of the loop's busy
    /// time over the run was in `blocking` steps of /export`), also the end of `text`: hosts
    /// and the diagnosis read it here rather than from the sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

/// What a finding is about: one service over one window.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub service: &'a str,
    pub start: Nanos,
    pub end: Nanos,
    /// The service's window and its audit.
    pub stats: &'a WindowStats,
    pub audit: &'a Audit,
    /// The service's blocking causes over the run, and its loop-held time over the run.
    pub causes: &'a [BlockingCause],
    pub run_busy_ns: u128,
}

/// The cause holding the loop most, as `92% of the loop's busy time over the run was in
/// `blocking` steps of /report`, or `None` when nothing is known.
pub fn blocking_cause(causes: &[BlockingCause], run_busy_ns: u128) -> Option<String> {
    let top = causes
        .iter()
        .fold(None::<&BlockingCause>, |best, c| match best {
            Some(b) if b.total_ns() >= c.total_ns() => Some(b),
            _ => Some(c),
        })
        .filter(|c| c.total_ns() > 0 && run_busy_ns > 0)?;
    let share = (top.total_ns() as f64 / run_busy_ns as f64).min(1.0);
    let what = match (top.blocking_ns > 0, top.slow_callback_ns > 0) {
        (true, true) => "`blocking` steps and slow callbacks",
        (true, false) => "`blocking` steps",
        _ => "slow callbacks",
    };
    Some(format!(
        "{} of the loop's busy time over the run was in {what} of {}",
        percent(share),
        top.endpoint
    ))
}

/// The cause a finding of `kind` names: the blocking one for starvation and long blocking.
fn cause(kind: FindingKind, s: &Subject<'_>) -> Option<String> {
    match kind {
        FindingKind::EventLoopStarvation | FindingKind::LongBlocking => {
            blocking_cause(s.causes, s.run_busy_ns)
        }
        _ => None,
    }
}

/// The cause as the end of a finding's sentence (`; …`), or nothing.
fn clause(kind: FindingKind, s: &Subject<'_>) -> String {
    cause(kind, s).map_or_else(String::new, |c| format!("; {c}"))
}

fn sentence(kind: FindingKind, s: &Subject<'_>, t: &HealthThresholds) -> String {
    let w = s.stats;
    let x = &s.audit.inputs;
    let head = |what: &str| format!("{what} on {} ({})", s.service, span(s.start, s.end));
    match kind {
        FindingKind::EventLoopStarvation => format!(
            "{}: lag max {}, mean {}{}",
            head("Event-loop starvation"),
            nanos(w.lag_max),
            duration(w.lag_mean_s()),
            clause(kind, s)
        ),
        FindingKind::LongBlocking => format!(
            "{}: {} blocking events averaging {}{}",
            head("Long synchronous blocking"),
            w.blocking_events(),
            duration(w.avg_blocking_s()),
            clause(kind, s)
        ),
        FindingKind::HiddenInstability => format!(
            "{}: lag {} while p99 is {}",
            head("Latency hides runtime instability"),
            nanos(w.lag_max),
            match w.latency_p99 {
                Some(p) => nanos(p),
                None => String::from("unknown (no request finished; counted as 0)"),
            }
        ),
        FindingKind::LoadSaturation => format!(
            "{}: {} active requests at peak (> {})",
            head("Concurrent load saturation"),
            w.active_peak,
            number(t.busy_active_requests)
        ),
        FindingKind::ThreadpoolBacklog => format!(
            "{}: {} jobs waiting for a thread on one replica at the end of the window (peak {})",
            head("Thread-pool backlog"),
            number(s.audit.threadpool_backlog),
            w.backlog_max
        ),
        FindingKind::QueueAmplification => format!(
            "{}: mean queue wait {} (max {}), backlog {} jobs",
            head("Executor queue amplification"),
            duration(x.threadpool_queue_wait_s),
            nanos(w.pool_wait_max),
            number(s.audit.threadpool_backlog)
        ),
        // Not from the auditor's window signals: the report states pool findings itself.
        FindingKind::PoolExhaustion => head("Resource pool exhaustion"),
    }
}

/// The subject's findings, in the auditor's order.
pub fn explain(s: &Subject<'_>, t: &HealthThresholds) -> Vec<Finding> {
    s.audit
        .findings
        .iter()
        .map(|&kind| Finding {
            service: String::from(s.service),
            kind,
            severity: kind.severity(),
            text: sentence(kind, s, t),
            cause: cause(kind, s),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::auditor::audit;
    use crate::health::ticks::ServiceTick;
    use crate::time::NANOS_PER_SEC as S;

    const MS: u64 = 1_000_000;

    fn cause(endpoint: &str, blocking_ms: u64, slow_ms: u64) -> BlockingCause {
        BlockingCause {
            endpoint: endpoint.into(),
            blocking_ns: (blocking_ms * MS) as u128,
            slow_callback_ns: (slow_ms * MS) as u128,
        }
    }

    #[test]
    fn blocking_cause_names_the_top_endpoint_and_its_share() {
        let causes = [cause("/health", 0, 10), cause("/report", 920, 0)];
        assert_eq!(
            blocking_cause(&causes, (1000 * MS) as u128).as_deref(),
            Some("92% of the loop's busy time over the run was in `blocking` steps of /report")
        );
        let causes = [cause("/a", 100, 100), cause("/b", 200, 0)];
        assert_eq!(
            blocking_cause(&causes, (400 * MS) as u128).as_deref(),
            Some("50% of the loop's busy time over the run was in `blocking` steps and slow callbacks of /a"),
            "ties go to the first listed"
        );
        assert_eq!(
            blocking_cause(&[cause("/c", 0, 30)], (40 * MS) as u128).as_deref(),
            Some("75% of the loop's busy time over the run was in slow callbacks of /c")
        );
        assert_eq!(blocking_cause(&[], 1), None);
        assert_eq!(blocking_cause(&[cause("/z", 0, 0)], 1), None);
        assert_eq!(blocking_cause(&[cause("/z", 5, 0)], 0), None);
    }

    fn stats() -> WindowStats {
        let t = ServiceTick {
            start: 20 * S,
            end: 21 * S,
            lag_max: 1_200 * MS,
            lag_sum: (930 * MS) as u128,
            lag_n: 3,
            blocking_ns: (3_000 * MS) as u128,
            blocking_steps: 2,
            pool_wait_sum: (3_600 * MS) as u128,
            pool_wait_n: 2,
            pool_wait_max: 2_500 * MS,
            backlog_end: 240,
            backlog_max: 260,
            active_peak: 120,
            latency_p99: Some(120 * MS),
            ..ServiceTick::default()
        };
        WindowStats::of(&[t], 20 * S, 30 * S)
    }

    #[test]
    fn every_finding_explains_itself_with_numbers() {
        let t = HealthThresholds::default();
        let w = stats();
        let a = audit(&w.audit_inputs(), &t);
        let causes = [cause("/report", 2_760, 0)];
        let s = Subject {
            service: "gateway",
            start: 20 * S,
            end: 30 * S,
            stats: &w,
            audit: &a,
            causes: &causes,
            run_busy_ns: (3_000 * MS) as u128,
        };
        let texts: Vec<String> = explain(&s, &t).into_iter().map(|f| f.text).collect();
        assert_eq!(
            texts,
            [
                "Event-loop starvation on gateway (20–30 s): lag max 1.2 s, mean 310 ms; 92% \
                 of the loop's busy time over the run was in `blocking` steps of /report",
                "Long synchronous blocking on gateway (20–30 s): 2 blocking events averaging \
                 1.5 s; 92% of the loop's busy time over the run was in `blocking` steps of /report",
                "Latency hides runtime instability on gateway (20–30 s): lag 1.2 s while p99 \
                 is 120 ms",
                "Concurrent load saturation on gateway (20–30 s): 120 active requests at peak \
                 (> 100)",
                "Thread-pool backlog on gateway (20–30 s): 240 jobs waiting for a thread on \
                 one replica at the end of the window (peak 260)",
                "Executor queue amplification on gateway (20–30 s): mean queue wait 1.8 s \
                 (max 2.5 s), backlog 240 jobs",
            ]
        );
        let f = &explain(&s, &t)[0];
        assert_eq!(
            (f.service.as_str(), f.severity),
            ("gateway", Severity::High)
        );
    }

    #[test]
    fn unknown_p99_is_said_so() {
        let t = HealthThresholds::default();
        let mut w = stats();
        w.latency_p99 = None;
        let a = audit(&w.audit_inputs(), &t);
        let s = Subject {
            service: "api",
            start: 0,
            end: 10 * S,
            stats: &w,
            audit: &a,
            causes: &[],
            run_busy_ns: 0,
        };
        let f = explain(&s, &t);
        let hidden = f
            .iter()
            .find(|f| f.kind == FindingKind::HiddenInstability)
            .unwrap();
        assert_eq!(
            hidden.text,
            "Latency hides runtime instability on api (0–10 s): lag 1.2 s while p99 is \
             unknown (no request finished; counted as 0)"
        );
        assert_eq!(
            f[0].text,
            "Event-loop starvation on api (0–10 s): lag max 1.2 s, mean 310 ms"
        );
    }
}
