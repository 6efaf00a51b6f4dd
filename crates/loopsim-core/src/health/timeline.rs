//! Health over time: the auditor's score on consecutive windows, and the run's verdict.
//!
//! The auditor scores one window (its Prometheus queries look back 5–15 minutes). A simulated
//! run changes over time — a burst, a fault, a recovery — so we score it window by window:
//! consecutive windows of `window` (default 10 s) from the first tick to the last, each tick
//! in the window containing its start. The last, partial window is kept when it is at least
//! half a window long (a run shorter than one window is one window); which ticks to pass
//! (from the start, or from the warmup on) is the caller's choice. In each window every
//! service is audited on its own ticks ([`super::inputs`]); the window's score and status
//! are its **worst service**'s: a system is as healthy as its unhealthiest service, and
//! merging services would dilute a starving one with idle ones.
//!
//! **The run's verdict** ([`assess_run`]) is the verdict of its **worst window** (highest
//! score, the earliest on ties): a run that was DEGRADED for one window is DEGRADED, and the
//! timeline shows when. Averaging over the run would let a long healthy tail hide a collapse,
//! which is exactly what a CI gate must not miss. The report also lists, per service, its
//! worst window's status and score; every failure mode seen in any window (first occurrence,
//! how many windows); the findings of each service on its own worst window
//! ([`super::findings`]); and, for reference, the auditor's single-shot view of the whole
//! run (all services merged, the client's p99, one window spanning the run).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use super::auditor::{audit, Audit, FailureMode, HealthThresholds, Status};
use super::findings::{explain, Finding, Subject};
use super::format::{ser_secs, span};
use super::inputs::{extent, system_inputs, WindowStats};
use super::ticks::{ClientTick, ServiceHistory};
use crate::time::{Nanos, NANOS_PER_SEC};

/// The default window: 10 s.
pub const DEFAULT_WINDOW: Nanos = 10 * NANOS_PER_SEC;

/// One window of the timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WindowHealth {
    #[serde(rename = "start_s", serialize_with = "ser_secs")]
    pub start: Nanos,
    #[serde(rename = "end_s", serialize_with = "ser_secs")]
    pub end: Nanos,
    /// The worst service's score and status.
    pub score: f64,
    pub status: Status,
    /// The service with the highest score (the first listed on ties); `None` without services.
    pub worst_service: Option<String>,
    /// Every service's score, in the order of the services.
    pub service_scores: Vec<f64>,
    /// Every service's failure modes, service by service; descriptions start with the service.
    pub failure_modes: Vec<FailureMode>,
}

/// A service's verdict: its worst window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceHealth {
    pub name: String,
    pub status: Status,
    pub score: f64,
    pub worst_window: Option<usize>,
    /// The auditor's verdict on that window, with its inputs (for `--report auditor`,
    /// [`super::auditor_report`]); not in the report's JSON, which has it per window.
    #[serde(skip)]
    pub audit: Option<Audit>,
}

/// The health part of a run's report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HealthReport {
    /// The worst window's status and score (HEALTHY and 0 without windows).
    pub status: Status,
    pub score: f64,
    #[serde(rename = "window_s", serialize_with = "ser_secs")]
    pub window: Nanos,
    /// Index into `timeline` of the worst window.
    pub worst_window: Option<usize>,
    /// Distinct (failure mode, service) pairs over all windows, by first occurrence.
    pub failure_modes: Vec<FailureMode>,
    /// Each service's findings on its own worst window, services in order.
    pub findings: Vec<Finding>,
    pub timeline: Vec<WindowHealth>,
    pub per_service: Vec<ServiceHealth>,
    /// The auditor's single-shot view: one window over the whole run, all services merged.
    pub whole_run: Audit,
}

/// Consecutive windows `[start + k·window, …)` covering `[start, end)`; the last partial
/// window is kept when at least half a window long, or when it is the only one.
pub fn windows(start: Nanos, end: Nanos, window: Nanos) -> Vec<(Nanos, Nanos)> {
    let window = window.max(1);
    let mut out = Vec::new();
    let mut from = start;
    while from < end {
        let to = from.saturating_add(window).min(end);
        if to - from == window || out.is_empty() || 2 * (to - from) >= window {
            out.push((from, to));
        }
        from = to;
    }
    out
}

/// One window: every service's stats and audit.
struct Cell {
    stats: WindowStats,
    audit: Audit,
}

/// Audits every service on every window: `grid[service][window]`.
fn grid(
    services: &[ServiceHistory<'_>],
    bounds: &[(Nanos, Nanos)],
    t: &HealthThresholds,
) -> Vec<Vec<Cell>> {
    services
        .iter()
        .map(|s| {
            WindowStats::per_window(s.ticks, bounds)
                .into_iter()
                .map(|stats| Cell {
                    audit: audit(&stats.audit_inputs(), t),
                    stats,
                })
                .collect()
        })
        .collect()
}

/// The index of the largest value, the first on ties.
fn argmax(xs: impl IntoIterator<Item = f64>) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, x) in xs.into_iter().enumerate() {
        if best.is_none_or(|(_, b)| x > b) {
            best = Some((i, x));
        }
    }
    best.map(|(i, _)| i)
}

fn prefixed(service: &str, m: &FailureMode) -> FailureMode {
    FailureMode {
        type_: m.type_,
        severity: m.severity,
        description: format!("{service}: {}", m.description),
    }
}

fn window_health(
    services: &[ServiceHistory<'_>],
    cells: &[Vec<Cell>],
    w: usize,
    (start, end): (Nanos, Nanos),
    t: &HealthThresholds,
) -> WindowHealth {
    let service_scores: Vec<f64> = cells.iter().map(|c| c[w].audit.score).collect();
    let worst = argmax(service_scores.iter().copied());
    let score = worst.map_or(0.0, |i| service_scores[i]);
    let failure_modes = services
        .iter()
        .zip(cells)
        .flat_map(|(s, c)| c[w].audit.failure_modes.iter().map(|m| prefixed(s.name, m)))
        .collect();
    WindowHealth {
        start,
        end,
        score,
        status: t.status(score),
        worst_service: worst.map(|i| String::from(services[i].name)),
        service_scores,
        failure_modes,
    }
}

fn bounds_of(services: &[ServiceHistory<'_>], window: Nanos) -> Vec<(Nanos, Nanos)> {
    match extent(services.iter().map(|s| s.ticks)) {
        Some((start, end)) => windows(start, end, window),
        None => Vec::new(),
    }
}

/// The health of every window (see the module doc).
pub fn timeline(
    services: &[ServiceHistory<'_>],
    window: Nanos,
    t: &HealthThresholds,
) -> Vec<WindowHealth> {
    let bounds = bounds_of(services, window);
    let cells = grid(services, &bounds, t);
    timeline_of(services, &cells, &bounds, t)
}

fn timeline_of(
    services: &[ServiceHistory<'_>],
    cells: &[Vec<Cell>],
    bounds: &[(Nanos, Nanos)],
    t: &HealthThresholds,
) -> Vec<WindowHealth> {
    bounds
        .iter()
        .enumerate()
        .map(|(w, &b)| window_health(services, cells, w, b, t))
        .collect()
}

/// Distinct (type, service) failure modes over the windows, by first occurrence, described
/// by their first occurrence.
fn run_failure_modes(
    services: &[ServiceHistory<'_>],
    cells: &[Vec<Cell>],
    bounds: &[(Nanos, Nanos)],
) -> Vec<FailureMode> {
    // (type, service, first window, windows seen, first description)
    let mut seen: Vec<(&'static str, usize, usize, usize, &FailureMode)> = Vec::new();
    for w in 0..bounds.len() {
        for (si, c) in cells.iter().enumerate() {
            for m in &c[w].audit.failure_modes {
                match seen.iter_mut().find(|e| e.0 == m.type_ && e.1 == si) {
                    Some(e) => e.3 += 1,
                    None => seen.push((m.type_, si, w, 1, m)),
                }
            }
        }
    }
    seen.into_iter()
        .map(|(type_, si, w, n, m)| FailureMode {
            type_,
            severity: m.severity,
            description: format!(
                "{}: {} (first in {}; {} of {} windows)",
                services[si].name,
                m.description,
                span(bounds[w].0, bounds[w].1),
                n,
                bounds.len()
            ),
        })
        .collect()
}

fn service_health(s: &ServiceHistory<'_>, cells: &[Cell]) -> ServiceHealth {
    let worst = argmax(cells.iter().map(|c| c.audit.score));
    let (status, score) = worst.map_or((Status::Healthy, 0.0), |w| {
        (cells[w].audit.status, cells[w].audit.score)
    });
    ServiceHealth {
        name: String::from(s.name),
        status,
        score,
        worst_window: worst,
        audit: worst.map(|w| cells[w].audit.clone()),
    }
}

fn service_findings(
    s: &ServiceHistory<'_>,
    cells: &[Cell],
    bounds: &[(Nanos, Nanos)],
    worst: Option<usize>,
    t: &HealthThresholds,
) -> Vec<Finding> {
    let Some(w) = worst else {
        return Vec::new();
    };
    let subject = Subject {
        service: s.name,
        start: bounds[w].0,
        end: bounds[w].1,
        stats: &cells[w].stats,
        audit: &cells[w].audit,
        causes: s.causes,
        run_busy_ns: s.ticks.iter().map(|t| t.busy_ns).sum(),
    };
    explain(&subject, t)
}

/// The run's health: the timeline, the worst window's verdict, failure modes, findings, each
/// service's verdict and the auditor's whole-run view (see the module doc). `client` feeds
/// only the whole-run view's p99.
pub fn assess_run(
    services: &[ServiceHistory<'_>],
    client: &[ClientTick],
    window: Nanos,
    t: &HealthThresholds,
) -> HealthReport {
    let bounds = bounds_of(services, window);
    let cells = grid(services, &bounds, t);
    let timeline = timeline_of(services, &cells, &bounds, t);
    let worst_window = argmax(timeline.iter().map(|w| w.score));
    let per_service: Vec<ServiceHealth> = services
        .iter()
        .zip(&cells)
        .map(|(s, c)| service_health(s, c))
        .collect();
    let findings = services
        .iter()
        .zip(&cells)
        .zip(&per_service)
        .flat_map(|((s, c), h)| service_findings(s, c, &bounds, h.worst_window, t))
        .collect();
    let ticks: Vec<_> = services.iter().map(|s| s.ticks).collect();
    let (start, end) = extent(ticks.iter().copied()).unwrap_or((0, 0));
    let worst = worst_window.map(|w| &timeline[w]);
    HealthReport {
        status: worst.map_or(Status::Healthy, |w| w.status),
        score: worst.map_or(0.0, |w| w.score),
        window,
        worst_window,
        failure_modes: run_failure_modes(services, &cells, &bounds),
        findings,
        per_service,
        whole_run: audit(&system_inputs(&ticks, client, start, end), t),
        timeline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::auditor::EVENT_LOOP_STARVATION;
    use crate::health::findings::Finding;
    use crate::health::ticks::{BlockingCause, ServiceTick};
    use crate::time::NANOS_PER_SEC as S;
    use alloc::vec;

    const MS: Nanos = 1_000_000;

    fn quiet(i: u64, active: u64) -> ServiceTick {
        ServiceTick {
            start: i * S,
            end: (i + 1) * S,
            loops: 1,
            busy_ns: (500 * MS) as u128,
            active_peak: active,
            latency_p99: Some(120 * MS),
            ..ServiceTick::default()
        }
    }

    /// 30 one-second ticks; the gateway starves from 10 s to 20 s.
    fn gateway() -> Vec<ServiceTick> {
        (0..30)
            .map(|i| {
                let mut t = quiet(i, 5);
                if (10..20).contains(&i) {
                    t.lag_max = 1_200 * MS;
                    t.lag_sum = (310 * MS) as u128;
                    t.lag_n = 1;
                    t.blocking_ns = (1_500 * MS) as u128;
                    t.blocking_steps = 1;
                }
                t
            })
            .collect()
    }

    fn api() -> Vec<ServiceTick> {
        (0..30).map(|i| quiet(i, 20)).collect()
    }

    fn causes() -> Vec<BlockingCause> {
        vec![
            BlockingCause {
                endpoint: "/health".into(),
                ..BlockingCause::default()
            },
            BlockingCause {
                endpoint: "/report".into(),
                blocking_ns: (13_800 * MS) as u128,
                slow_callback_ns: 0,
            },
        ]
    }

    #[test]
    fn windows_keep_a_last_partial_window_of_at_least_half() {
        let w = 10 * S;
        assert_eq!(windows(0, 25 * S, w), [(0, w), (w, 2 * w), (2 * w, 25 * S)]);
        assert_eq!(windows(0, 24 * S, w), [(0, w), (w, 2 * w)]);
        assert_eq!(windows(3 * S, 13 * S, w), [(3 * S, 13 * S)]);
        assert_eq!(
            windows(0, 3 * S, w),
            [(0, 3 * S)],
            "a short run is one window"
        );
        assert!(windows(5, 5, w).is_empty());
    }

    #[test]
    fn timeline_scores_each_window_by_its_worst_service() {
        let (g, a, c) = (gateway(), api(), causes());
        let services = [
            ServiceHistory {
                name: "api",
                ticks: &a,
                causes: &[],
            },
            ServiceHistory {
                name: "gateway",
                ticks: &g,
                causes: &c,
            },
        ];
        let t = timeline(&services, DEFAULT_WINDOW, &HealthThresholds::default());
        let summary: Vec<_> = t
            .iter()
            .map(|w| (w.start / S, w.score, w.status, w.worst_service.as_deref()))
            .collect();
        // Gateway in 10–20 s: 1.2 s lag · 1500 + 1.5 s blocking · 400 + 5 active.
        assert_eq!(
            summary,
            [
                (0, 20.0, Status::Healthy, Some("api")),
                (10, 2405.0, Status::Critical, Some("gateway")),
                (20, 20.0, Status::Healthy, Some("api")),
            ]
        );
        assert_eq!(t[1].service_scores, [20.0, 2405.0]);
        assert_eq!(t[1].failure_modes.len(), 1);
        assert_eq!(
            t[1].failure_modes[0].description,
            "gateway: event-loop lag 1.2 s > 500 ms with average blocking 1.5 s > 1 s"
        );
    }

    #[test]
    fn the_run_is_as_bad_as_its_worst_window() {
        let (g, a, c) = (gateway(), api(), causes());
        let services = [
            ServiceHistory {
                name: "api",
                ticks: &a,
                causes: &[],
            },
            ServiceHistory {
                name: "gateway",
                ticks: &g,
                causes: &c,
            },
        ];
        let r = assess_run(&services, &[], DEFAULT_WINDOW, &HealthThresholds::default());
        assert_eq!(
            (r.status, r.score, r.worst_window),
            (Status::Critical, 2405.0, Some(1))
        );
        assert_eq!(r.failure_modes.len(), 1);
        assert_eq!(r.failure_modes[0].type_, EVENT_LOOP_STARVATION);
        assert_eq!(
            r.failure_modes[0].description,
            "gateway: event-loop lag 1.2 s > 500 ms with average blocking 1.5 s > 1 s (first \
             in 10–20 s; 1 of 3 windows)"
        );
        let per: Vec<_> = r
            .per_service
            .iter()
            .map(|s| (s.name.as_str(), s.status, s.score, s.worst_window))
            .collect();
        assert_eq!(
            per,
            [
                ("api", Status::Healthy, 20.0, Some(0)),
                ("gateway", Status::Critical, 2405.0, Some(1))
            ]
        );
        let texts: Vec<&str> = r
            .findings
            .iter()
            .map(|f: &Finding| f.text.as_str())
            .collect();
        assert_eq!(
            texts,
            [
                "Event-loop starvation on gateway (10–20 s): lag max 1.2 s, mean 310 ms; 92% \
                 of the loop's busy time over the run was in `blocking` steps of /report",
                "Long synchronous blocking on gateway (10–20 s): 10 blocking events averaging \
                 1.5 s; 92% of the loop's busy time over the run was in `blocking` steps of /report",
                "Latency hides runtime instability on gateway (10–20 s): lag 1.2 s while p99 \
                 is 120 ms",
            ]
        );
        // The auditor's single look at the whole run, all services merged: 1800 + 600 + 20.
        assert_eq!(
            (r.whole_run.score, r.whole_run.status),
            (2420.0, Status::Critical)
        );
    }

    #[test]
    fn one_degraded_window_makes_a_degraded_run() {
        let ticks: Vec<ServiceTick> = (0..60)
            .map(|i| quiet(i, if i == 42 { 450 } else { 10 }))
            .collect();
        let services = [ServiceHistory {
            name: "api",
            ticks: &ticks,
            causes: &[],
        }];
        let r = assess_run(&services, &[], DEFAULT_WINDOW, &HealthThresholds::default());
        assert_eq!(r.timeline.len(), 6);
        assert_eq!((r.status, r.worst_window), (Status::Degraded, Some(4)));
        assert_eq!(r.timeline[3].status, Status::Healthy);
        assert_eq!(r.failure_modes[0].type_, "LOAD_SATURATION");
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["status"], "DEGRADED");
        assert_eq!(json["window_s"], 10.0);
        assert_eq!(json["timeline"][4]["start_s"], 40.0);
        assert_eq!(json["timeline"][4]["end_s"], 50.0);
        assert_eq!(json["failure_modes"][0]["type"], "LOAD_SATURATION");
        assert_eq!(json["failure_modes"][0]["severity"], "MEDIUM");
        assert_eq!(json["findings"][0]["kind"], "load_saturation");
    }

    #[test]
    fn no_services_is_healthy_and_empty() {
        let r = assess_run(&[], &[], DEFAULT_WINDOW, &HealthThresholds::default());
        assert_eq!(
            (r.status, r.score, r.worst_window),
            (Status::Healthy, 0.0, None)
        );
        assert!(r.timeline.is_empty() && r.findings.is_empty());
    }
}
