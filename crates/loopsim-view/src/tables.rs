//! What each results table says: the summary, SLOs, guards, services, pools, queues, caches, links
//! and workloads of a [`Report`] as rows of text cells with their marks. The page
//! (`loopsim-web`'s `ui/tables.rs`, DOM text nodes) and the CLI's HTML report (`html/tables.rs`,
//! escaped strings) only draw these, so both hosts show the same columns with the same words;
//! the glossary's test reads the headers from here. Cell texts from the scenario (names) are
//! plain text here: each host escapes or sets them as text.

use crate::format::{bytes, count, num, percent, rate, real, secs};
use loopsim_core::report::{QueueLen, ServiceReport};
use loopsim_core::Report;

/// One cell: its text and a class the hosts style (`""`, [`WARN`] or [`PAIR`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub text: String,
    pub class: &'static str,
}

/// A figure that shows a problem, drawn in the warning colour.
pub const WARN: &str = "warn";
/// `0.846 / 23` (a mean and a maximum): may wrap, so a wide table fits its pane rather than
/// scroll its right columns out of view.
pub const PAIR: &str = "pair";

impl Cell {
    pub fn plain(text: String) -> Cell {
        let class = if text.contains(" / ") { PAIR } else { "" };
        Cell { text, class }
    }

    /// A cell marked [`WARN`] when `bad`.
    pub fn marked(text: String, bad: bool) -> Cell {
        if bad {
            Cell { text, class: WARN }
        } else {
            Cell::plain(text)
        }
    }
}

/// One row; `key` names the thing the row is about (a service's name for `data-service`, so
/// the topology view can find its row).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub key: Option<String>,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn of(cells: Vec<Cell>) -> Row {
        Row { key: None, cells }
    }
}

/// A results table: the id both hosts give it, its title, column headers and rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub id: &'static str,
    pub title: &'static str,
    pub headers: &'static [&'static str],
    /// The attribute each row's `key` goes in (`data-service`), if rows have keys.
    pub key_attribute: Option<&'static str>,
    pub rows: Vec<Row>,
}

impl Table {
    /// A table whose rows have no key.
    pub fn unkeyed(
        id: &'static str,
        title: &'static str,
        headers: &'static [&'static str],
        rows: Vec<Row>,
    ) -> Table {
        Table {
            id,
            title,
            headers,
            key_attribute: None,
            rows,
        }
    }
}

/// A figure that does not exist (an empty measured window).
fn dash() -> String {
    "—".into()
}

/// A share of time busy, marked from 90%: nearly always full.
fn busy(utilization: Option<f64>) -> Cell {
    Cell::marked(
        utilization.map_or_else(dash, percent),
        utilization.is_some_and(|u| u >= 0.9),
    )
}

/// `mean / max` of a queue length, or a dash.
fn pair(q: &Option<QueueLen>) -> String {
    q.as_ref()
        .map_or_else(dash, |q| format!("{} / {}", real(q.mean), count(q.max)))
}

/// The summary: label/value pairs in two columns, the requests' fate on the left, their
/// latency and the run on the right (the page sets them side by side, the report one after
/// the other).
pub fn summary(r: &Report) -> [Vec<(&'static str, Cell)>; 2] {
    let q = &r.requests;
    let l = &r.latency_s;
    // Failures by kind (the non-zero ones), e.g. `6 314 (rejected breaker 6 114 · error 200)`.
    let kinds: Vec<String> = r
        .errors
        .0
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{} {}", k.replace('_', " "), count(*n)))
        .collect();
    let failed = if kinds.is_empty() {
        count(q.failed)
    } else {
        format!("{} ({})", count(q.failed), kinds.join(" · "))
    };
    let simulated = match &r.stopped {
        Some(st) => format!(
            "{} of {} (stopped early)",
            secs(Some(st.at_s)),
            secs(Some(r.duration_s))
        ),
        None => secs(Some(r.duration_s)),
    };
    let text = |s: String| Cell { text: s, class: "" };
    let left = vec![
        ("Requests sent", text(count(q.sent))),
        ("Completed", text(count(q.completed))),
        ("Failed", Cell::marked(failed, q.failed > 0)),
        ("In flight at the end", text(count(q.in_flight))),
        ("Goodput (ok / s)", text(rate(r.goodput_rps))),
        ("Answered (ok + failed) / s", text(rate(r.answered_rps))),
        (
            "Error rate",
            Cell::marked(percent(r.error_rate), q.failed > 0),
        ),
        (
            "Measured window",
            text(format!(
                "{} of {}",
                secs(Some(r.measured_s)),
                secs(Some(r.duration_s))
            )),
        ),
        (
            "Simulated time",
            Cell::marked(simulated, r.stopped.is_some()),
        ),
    ];
    // The report's latencies are of successful requests: said so, beside the error rate,
    // since failures are not in them.
    let right = vec![
        ("Latency of successes: mean", text(secs(l.mean))),
        ("p50", text(secs(l.p50))),
        ("p90", text(secs(l.p90))),
        ("p95", text(secs(l.p95))),
        ("p99", text(secs(l.p99))),
        (
            "Attempts per request",
            Cell::marked(real(r.attempts_per_request), r.attempts_per_request > 1.5),
        ),
        ("max", text(secs(l.max))),
        ("Events simulated", text(count(r.events))),
        // The seed exactly (a u64).
        ("Seed", text(r.seed.to_string())),
    ];
    [left, right]
}

pub const GUARD_HEADERS: &[&str] = &[
    "Caller",
    "Requests",
    "Attempts",
    "Retries",
    "Breaker",
    "Risk guard",
    "Throttled",
];

/// One row per guarded caller and replica.
pub fn guards(r: &Report) -> Table {
    let none = || String::from("–");
    let rows = r
        .guards
        .iter()
        .map(|g| {
            let breaker = g.breaker.as_ref().map_or_else(none, |b| {
                format!(
                    "{} · opened {}× · {} rejected",
                    b.state,
                    b.opens,
                    count(b.rejected)
                )
            });
            let risk = g.risk.as_ref().map_or_else(none, |k| {
                format!(
                    "{} · {} · {} blocked · {} throttled",
                    k.state,
                    num(k.risk),
                    count(k.blocked),
                    count(k.throttled)
                )
            });
            let caller = if g.replica > 0 {
                format!("{} (replica {})", g.caller, g.replica)
            } else {
                g.caller.clone()
            };
            Row::of(vec![
                Cell::plain(caller),
                Cell::plain(count(g.requests)),
                Cell::plain(count(g.attempts)),
                Cell::marked(
                    format!("{} ({} denied)", count(g.retries), count(g.retries_denied)),
                    g.retries_denied > 0,
                ),
                Cell::marked(breaker, g.breaker.as_ref().is_some_and(|b| b.opens > 0)),
                Cell::plain(risk),
                Cell::marked(
                    g.throttle_rejected.map_or_else(none, count),
                    g.throttle_rejected.is_some_and(|n| n > 0),
                ),
            ])
        })
        .collect();
    Table::unkeyed("guards", "Guards", GUARD_HEADERS, rows)
}

pub const SLO_HEADERS: &[&str] = &[
    "SLO",
    "Objective",
    "SLI",
    "Result",
    "Error budget used",
    "Alerts fired",
];

/// One row per SLO: met or missed, its error budget used and the burn-rate alerts that fired.
pub fn slos(r: &Report) -> Table {
    let rows = r
        .slo
        .iter()
        .map(|s| {
            let fired: Vec<String> = s
                .alerts
                .iter()
                .filter(|a| !a.fired_at.is_empty())
                .map(|a| {
                    format!(
                        "{} ×{} (burn ≥ {}): {}",
                        a.severity,
                        a.fired_at.len(),
                        num(a.burn_rate_threshold),
                        ranges(&a.fired_at)
                    )
                })
                .collect();
            let alerts = if fired.is_empty() {
                String::from("none")
            } else {
                fired.join("; ")
            };
            Row::of(vec![
                Cell::plain(s.name.clone()),
                Cell::plain(s.objective.clone()),
                Cell::marked(percent(s.sli), !s.met),
                Cell::marked(String::from(if s.met { "met" } else { "missed" }), !s.met),
                Cell::marked(
                    percent(s.error_budget_consumed),
                    s.error_budget_consumed > 1.0,
                ),
                Cell::marked(alerts, !fired.is_empty()),
            ])
        })
        .collect();
    Table::unkeyed("slos", "Service-level objectives", SLO_HEADERS, rows)
}

/// `[a, b]` second ranges as `a–b s, c–d s` (the first few, then how many more).
fn ranges(spans: &[(f64, f64)]) -> String {
    let mut parts: Vec<String> = spans
        .iter()
        .take(4)
        .map(|(a, b)| format!("{}–{} s", num(*a), num(*b)))
        .collect();
    if spans.len() > 4 {
        parts.push(format!("+{} more", spans.len() - 4));
    }
    parts.join(", ")
}

pub const SERVICE_HEADERS: &[&str] = &[
    "Service",
    "Replicas × workers",
    "Loop busy",
    "Lag mean",
    "Lag p99",
    "Lag max",
    "Ready queue mean / max",
    "Threads busy",
    "Thread wait mean",
    "Thread wait p99",
    "Thread queue max",
    "Active mean / peak",
    "Served ok",
    "Failed / refused",
];

/// One row per service, keyed by its name. A loop busy 90% of the time or more, failed
/// requests and refusals are marked. Refused counts what the service turned away at ingress
/// or lost to an outage (an injected `errors` fault answers at ingress; lost and expired
/// requests are in both figures), so the failures the diagnosis places at a service show in
/// its row.
pub fn services(r: &Report) -> Table {
    let rows = r
        .services
        .0
        .iter()
        .map(|(name, s)| Row {
            key: Some(name.clone()),
            cells: vec![
                Cell::plain(name.clone()),
                Cell::plain(replicas(s)),
                busy(s.utilization),
                Cell::plain(secs(s.loop_lag_s.mean)),
                Cell::plain(secs(s.loop_lag_s.p99)),
                Cell::plain(secs(s.loop_lag_s.max)),
                Cell::plain(pair(&s.ready_queue)),
                Cell::plain(s.threadpool.utilization.map_or_else(dash, percent)),
                Cell::plain(secs(s.threadpool.queue_wait_s.mean)),
                Cell::plain(secs(s.threadpool.queue_wait_s.p99)),
                Cell::plain(
                    s.threadpool
                        .queue
                        .as_ref()
                        .map_or_else(dash, |q| count(q.max)),
                ),
                Cell::plain(match (s.active_requests_mean, s.active_requests_peak) {
                    (Some(m), Some(p)) => format!("{} / {}", real(m), count(p)),
                    _ => dash(),
                }),
                Cell::plain(count(s.served_ok)),
                {
                    let refused: u64 = s.refused.0.iter().map(|(_, n)| n).sum();
                    Cell::marked(
                        format!("{} / {}", count(s.served_failed), count(refused)),
                        s.served_failed + refused > 0,
                    )
                },
            ],
        })
        .collect();
    Table {
        id: "services",
        title: "Services",
        headers: SERVICE_HEADERS,
        key_attribute: Some("data-service"),
        rows,
    }
}

/// `2 × 1`, or for an autoscaled service its ready range over the run: `2–18 (auto) × 1`.
fn replicas(s: &ServiceReport) -> String {
    match s
        .autoscale
        .as_ref()
        .and_then(|a| a.ready_min.zip(a.ready_max))
    {
        Some((lo, hi)) => format!("{lo}–{hi} (auto) × {}", s.workers),
        None => format!("{} × {}", s.replicas, s.workers),
    }
}

pub const POOL_HEADERS: &[&str] = &[
    "Service",
    "Pool",
    "Size × instances",
    "Busy",
    "Wait mean",
    "Wait p99",
    "Queue mean / max",
    "Timeouts",
    "Full",
    "In use mean / max",
];

/// The declared pools, one row each. A pool that is nearly always full, or that turned
/// requests away, is marked.
pub fn pools(r: &Report) -> Table {
    let rows = r
        .services
        .0
        .iter()
        .flat_map(|(service, s)| s.pools.0.iter().map(move |(name, p)| (service, name, p)))
        .map(|(service, name, p)| {
            Row::of(vec![
                Cell::plain(service.clone()),
                Cell::plain(name.clone()),
                Cell::plain(format!("{} × {} ({})", p.size, p.instances, p.scope)),
                busy(p.utilization),
                Cell::plain(secs(p.wait_s.mean)),
                Cell::plain(secs(p.wait_s.p99)),
                Cell::plain(pair(&p.queue)),
                Cell::marked(count(p.timeouts), p.timeouts > 0),
                Cell::marked(count(p.rejected), p.rejected > 0),
                Cell::plain(pair(&p.in_use)),
            ])
        })
        .collect();
    Table::unkeyed("pools", "Pools", POOL_HEADERS, rows)
}

pub const QUEUE_HEADERS: &[&str] = &[
    "Queue",
    "Consumer",
    "Published",
    "Full",
    "Processed",
    "Failed",
    "Redelivered",
    "Dead letters",
    "Depth mean / max",
    "Oldest max",
    "Publish → processed mean",
    "p99",
];

/// The message queues, one row each. A queue that refused publishes, failed deliveries or
/// dead-lettered messages is marked.
pub fn queues(r: &Report) -> Table {
    let rows = r
        .queues
        .0
        .iter()
        .map(|(name, q)| {
            let dead = if q.dropped > 0 {
                format!("{} ({} dropped)", count(q.dead_lettered), count(q.dropped))
            } else {
                count(q.dead_lettered)
            };
            Row::of(vec![
                Cell::plain(name.clone()),
                Cell::plain(q.consumer.clone().unwrap_or_else(dash)),
                Cell::plain(count(q.published)),
                Cell::marked(count(q.rejected_queue_full), q.rejected_queue_full > 0),
                Cell::plain(count(q.processed)),
                Cell::marked(count(q.failed), q.failed > 0),
                Cell::plain(count(q.redeliveries)),
                Cell::marked(dead, q.dead_lettered > 0),
                Cell::plain(format!(
                    "{} / {}",
                    q.depth_mean.map_or_else(dash, real),
                    count(q.depth_max)
                )),
                Cell::plain(secs(Some(q.oldest_age_max_s))),
                Cell::plain(secs(q.publish_to_processed_s.mean)),
                Cell::plain(secs(q.publish_to_processed_s.p99)),
            ])
        })
        .collect();
    Table::unkeyed("queues", "Queues", QUEUE_HEADERS, rows)
}

/// `api: 120 background tasks started, 118 completed, 0 failed.` per service that spawns
/// (the note under the queues).
pub fn spawned(r: &Report) -> String {
    let spawned: Vec<String> = r
        .spawned
        .0
        .iter()
        .map(|(svc, s)| {
            let failed: u64 = s.failed.0.iter().map(|(_, n)| n).sum();
            format!(
                "{svc}: {} background tasks started, {} completed, {} failed.",
                count(s.started),
                count(s.completed),
                count(failed)
            )
        })
        .collect();
    spawned.join(" ")
}

pub const CACHE_HEADERS: &[&str] = &[
    "Cache",
    "Capacity × instances",
    "Hit ratio",
    "Hits",
    "Misses",
    "Expired",
    "Evicted",
    "Invalidated",
    "Coalesced",
    "Entries mean / max",
];

/// The caches, one row each.
pub fn caches(r: &Report) -> Table {
    let rows = r
        .caches
        .0
        .iter()
        .map(|(name, c)| {
            Row::of(vec![
                Cell::plain(name.clone()),
                Cell::plain(format!(
                    "{} × {} ({}, {})",
                    c.capacity, c.instances, c.policy, c.scope
                )),
                Cell::plain(c.hit_ratio.map_or_else(dash, percent)),
                Cell::plain(count(c.hits)),
                Cell::plain(count(c.misses)),
                Cell::plain(count(c.expirations)),
                Cell::plain(count(c.evictions)),
                Cell::plain(count(c.invalidations)),
                Cell::plain(count(c.coalesced)),
                Cell::plain(pair(&c.entries)),
            ])
        })
        .collect();
    Table::unkeyed("caches", "Caches", CACHE_HEADERS, rows)
}

pub const LINK_HEADERS: &[&str] = &[
    "Link",
    "Bandwidth",
    "Transfers",
    "Bytes",
    "Throughput",
    "Busy",
    "In flight mean / max",
    "Transfer mean",
    "Transfer p99",
];

/// The bandwidth channels that carried payloads (hop directions, replica NICs), one row each.
/// A link busy 90% of the time or more is marked.
pub fn links(r: &Report) -> Table {
    let rows = r
        .links
        .0
        .iter()
        .map(|(name, l)| {
            Row::of(vec![
                Cell::plain(name.clone()),
                Cell::plain(format!("{} Mbps", real(l.bandwidth_bps / 1e6))),
                Cell::plain(count(l.transfers)),
                Cell::plain(bytes(l.bytes)),
                Cell::plain(format!("{}/s", bytes(l.throughput_bytes_per_s))),
                busy(l.utilization),
                Cell::plain(pair(&l.in_flight)),
                Cell::plain(secs(l.transfer_s.mean)),
                Cell::plain(secs(l.transfer_s.p99)),
            ])
        })
        .collect();
    Table::unkeyed("links", "Links", LINK_HEADERS, rows)
}

pub const WORKLOAD_HEADERS: &[&str] = &[
    "Workload",
    "Sent",
    "Completed",
    "Failed",
    "Throughput",
    "Latency mean",
    "p50",
    "p99",
    "max",
];

/// One row per workload: its requests and their latency. Failed requests are marked.
pub fn workloads(r: &Report) -> Table {
    let rows = r
        .workloads
        .0
        .iter()
        .map(|(name, w)| {
            Row::of(vec![
                Cell::plain(name.clone()),
                Cell::plain(count(w.requests.sent)),
                Cell::plain(count(w.requests.completed)),
                Cell::marked(count(w.requests.failed), w.requests.failed > 0),
                Cell::plain(rate(w.throughput_rps)),
                Cell::plain(secs(w.latency_s.mean)),
                Cell::plain(secs(w.latency_s.p50)),
                Cell::plain(secs(w.latency_s.p99)),
                Cell::plain(secs(w.latency_s.max)),
            ])
        })
        .collect();
    Table::unkeyed("workloads", "Workloads", WORKLOAD_HEADERS, rows)
}

/// Every table's headers, in the page's order (the glossary's test checks they have help).
pub const HEADERS: &[&[&str]] = &[
    SLO_HEADERS,
    GUARD_HEADERS,
    SERVICE_HEADERS,
    POOL_HEADERS,
    QUEUE_HEADERS,
    CACHE_HEADERS,
    LINK_HEADERS,
    WORKLOAD_HEADERS,
];

#[cfg(test)]
mod tests;
