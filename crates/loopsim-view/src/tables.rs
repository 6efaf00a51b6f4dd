//! What each results table says: the summary, SLOs, guards, services, pools, queues, caches, links
//! and workloads of a [`Report`] as rows of text cells with their marks. The page
//! (`loopsim-web`'s `ui/tables.rs`, DOM text nodes) and the CLI's HTML report (`html/tables.rs`,
//! escaped strings) only draw these, so both hosts show the same columns with the same words;
//! the glossary's test reads the headers from here. Cell texts from the scenario (names) are
//! plain text here: each host escapes or sets them as text.

use crate::figure::At;
use crate::format::{bytes, count, num, real, secs};
use loopsim_core::replication::Summary;
use loopsim_core::report::ServiceReport;
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

/// A share of time busy (the figure `utilization` under `at`), marked from 90%: nearly
/// always full.
fn busy(at: &At, utilization: Option<f64>) -> Cell {
    Cell::marked(
        at.percent("utilization", utilization),
        utilization.is_some_and(|u| u >= 0.9),
    )
}

/// The summary: label/value pairs in two columns, the requests' fate on the left, their
/// latency and the run on the right (the page sets them side by side, the report one after
/// the other).
pub fn summary(r: &Report, ci: Option<&Summary>) -> [Vec<(&'static str, Cell)>; 2] {
    let q = &r.requests;
    let at = At::top(ci);
    let rq = at.under(&["requests"]);
    let lat = at.under(&["latency_s"]);
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
        rq.count("failed", q.failed)
    } else {
        format!("{} ({})", rq.count("failed", q.failed), kinds.join(" · "))
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
        ("Requests sent", text(rq.count("sent", q.sent))),
        ("Completed", text(rq.count("completed", q.completed))),
        ("Failed", Cell::marked(failed, q.failed > 0)),
        (
            "In flight at the end",
            text(rq.count("in_flight", q.in_flight)),
        ),
        (
            "Goodput (ok / s)",
            text(at.rate("goodput_rps", r.goodput_rps)),
        ),
        (
            "Answered (ok + failed) / s",
            text(at.rate("answered_rps", r.answered_rps)),
        ),
        (
            "Error rate",
            Cell::marked(at.percent("error_rate", Some(r.error_rate)), q.failed > 0),
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
        ("Latency of successes: mean", text(lat.secs("mean", l.mean))),
        ("p50", text(lat.secs("p50", l.p50))),
        ("p90", text(lat.secs("p90", l.p90))),
        ("p95", text(lat.secs("p95", l.p95))),
        ("p99", text(lat.secs("p99", l.p99))),
        (
            "Attempts per request",
            Cell::marked(
                at.real("attempts_per_request", Some(r.attempts_per_request)),
                r.attempts_per_request > 1.5,
            ),
        ),
        ("max", text(lat.secs("max", l.max))),
        ("Events simulated", text(at.count("events", r.events))),
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
pub fn guards(r: &Report, ci: Option<&Summary>) -> Table {
    let none = || String::from("–");
    let rows = r
        .guards
        .iter()
        .enumerate()
        .map(|(k, g)| {
            let at = At::top(ci).under(&["guards", &k.to_string()]);
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
                Cell::plain(at.count("requests", g.requests)),
                Cell::plain(at.count("attempts", g.attempts)),
                Cell::marked(
                    format!(
                        "{} ({} denied)",
                        at.count("retries", g.retries),
                        at.count("retries_denied", g.retries_denied)
                    ),
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
pub fn slos(r: &Report, ci: Option<&Summary>) -> Table {
    let rows = r
        .slo
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let at = At::top(ci).under(&["slo", &k.to_string()]);
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
                Cell::marked(at.percent("sli", Some(s.sli)), !s.met),
                Cell::marked(String::from(if s.met { "met" } else { "missed" }), !s.met),
                Cell::marked(
                    at.percent("error_budget_consumed", Some(s.error_budget_consumed)),
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
pub fn services(r: &Report, ci: Option<&Summary>) -> Table {
    let rows = r
        .services
        .0
        .iter()
        .map(|(name, s)| service_row(&At::top(ci).under(&["services", name]), name, s))
        .collect();
    Table {
        id: "services",
        title: "Services",
        headers: SERVICE_HEADERS,
        key_attribute: Some("data-service"),
        rows,
    }
}

fn service_row(at: &At, name: &str, s: &ServiceReport) -> Row {
    let lag = at.under(&["loop_lag_s"]);
    let threads = at.under(&["threadpool"]);
    let wait = threads.under(&["queue_wait_s"]);
    Row {
        key: Some(name.to_string()),
        cells: vec![
            Cell::plain(name.to_string()),
            Cell::plain(replicas(s)),
            busy(at, s.utilization),
            Cell::plain(lag.secs("mean", s.loop_lag_s.mean)),
            Cell::plain(lag.secs("p99", s.loop_lag_s.p99)),
            Cell::plain(lag.secs("max", s.loop_lag_s.max)),
            Cell::plain(at.pair("ready_queue", &s.ready_queue)),
            Cell::plain(threads.percent("utilization", s.threadpool.utilization)),
            Cell::plain(wait.secs("mean", s.threadpool.queue_wait_s.mean)),
            Cell::plain(wait.secs("p99", s.threadpool.queue_wait_s.p99)),
            Cell::plain(
                s.threadpool
                    .queue
                    .as_ref()
                    .map_or_else(dash, |q| threads.under(&["queue"]).count("max", q.max)),
            ),
            Cell::plain(match (s.active_requests_mean, s.active_requests_peak) {
                (Some(m), Some(p)) => format!(
                    "{} / {}",
                    at.real("active_requests_mean", Some(m)),
                    at.count("active_requests_peak", p)
                ),
                _ => dash(),
            }),
            Cell::plain(at.count("served_ok", s.served_ok)),
            {
                let refused: u64 = s.refused.0.iter().map(|(_, n)| n).sum();
                Cell::marked(
                    format!(
                        "{} / {}",
                        at.count("served_failed", s.served_failed),
                        count(refused)
                    ),
                    s.served_failed + refused > 0,
                )
            },
        ],
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
pub fn pools(r: &Report, ci: Option<&Summary>) -> Table {
    let rows = r
        .services
        .0
        .iter()
        .flat_map(|(service, s)| s.pools.0.iter().map(move |(name, p)| (service, name, p)))
        .map(|(service, name, p)| {
            let at = At::top(ci).under(&["services", service, "pools", name]);
            let wait = at.under(&["wait_s"]);
            Row::of(vec![
                Cell::plain(service.clone()),
                Cell::plain(name.clone()),
                Cell::plain(format!("{} × {} ({})", p.size, p.instances, p.scope)),
                busy(&at, p.utilization),
                Cell::plain(wait.secs("mean", p.wait_s.mean)),
                Cell::plain(wait.secs("p99", p.wait_s.p99)),
                Cell::plain(at.pair("queue", &p.queue)),
                Cell::marked(at.count("timeouts", p.timeouts), p.timeouts > 0),
                Cell::marked(at.count("rejected", p.rejected), p.rejected > 0),
                Cell::plain(at.pair("in_use", &p.in_use)),
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
pub fn queues(r: &Report, ci: Option<&Summary>) -> Table {
    let rows = r
        .queues
        .0
        .iter()
        .map(|(name, q)| {
            let at = At::top(ci).under(&["queues", name]);
            let dead = if q.dropped > 0 {
                format!(
                    "{} ({} dropped)",
                    at.count("dead_lettered", q.dead_lettered),
                    at.count("dropped", q.dropped)
                )
            } else {
                at.count("dead_lettered", q.dead_lettered)
            };
            let trip = at.under(&["publish_to_processed_s"]);
            Row::of(vec![
                Cell::plain(name.clone()),
                Cell::plain(q.consumer.clone().unwrap_or_else(dash)),
                Cell::plain(at.count("published", q.published)),
                Cell::marked(
                    at.count("rejected_queue_full", q.rejected_queue_full),
                    q.rejected_queue_full > 0,
                ),
                Cell::plain(at.count("processed", q.processed)),
                Cell::marked(at.count("failed", q.failed), q.failed > 0),
                Cell::plain(at.count("redeliveries", q.redeliveries)),
                Cell::marked(dead, q.dead_lettered > 0),
                Cell::plain(format!(
                    "{} / {}",
                    at.real("depth_mean", q.depth_mean),
                    at.count("depth_max", q.depth_max)
                )),
                Cell::plain(at.secs("oldest_age_max_s", Some(q.oldest_age_max_s))),
                Cell::plain(trip.secs("mean", q.publish_to_processed_s.mean)),
                Cell::plain(trip.secs("p99", q.publish_to_processed_s.p99)),
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
pub fn caches(r: &Report, ci: Option<&Summary>) -> Table {
    let rows = r
        .caches
        .0
        .iter()
        .map(|(name, c)| {
            let at = At::top(ci).under(&["caches", name]);
            Row::of(vec![
                Cell::plain(name.clone()),
                Cell::plain(format!(
                    "{} × {} ({}, {})",
                    c.capacity, c.instances, c.policy, c.scope
                )),
                Cell::plain(at.percent("hit_ratio", c.hit_ratio)),
                Cell::plain(at.count("hits", c.hits)),
                Cell::plain(at.count("misses", c.misses)),
                Cell::plain(at.count("expirations", c.expirations)),
                Cell::plain(at.count("evictions", c.evictions)),
                Cell::plain(at.count("invalidations", c.invalidations)),
                Cell::plain(at.count("coalesced", c.coalesced)),
                Cell::plain(at.pair("entries", &c.entries)),
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
pub fn links(r: &Report, ci: Option<&Summary>) -> Table {
    let rows = r
        .links
        .0
        .iter()
        .map(|(name, l)| {
            let at = At::top(ci).under(&["links", name]);
            let transfer = at.under(&["transfer_s"]);
            Row::of(vec![
                Cell::plain(name.clone()),
                Cell::plain(format!("{} Mbps", real(l.bandwidth_bps / 1e6))),
                Cell::plain(at.count("transfers", l.transfers)),
                Cell::plain(at.fig("bytes", Some(l.bytes), bytes)),
                Cell::plain(format!(
                    "{}/s",
                    at.fig(
                        "throughput_bytes_per_s",
                        Some(l.throughput_bytes_per_s),
                        bytes
                    )
                )),
                busy(&at, l.utilization),
                Cell::plain(at.pair("in_flight", &l.in_flight)),
                Cell::plain(transfer.secs("mean", l.transfer_s.mean)),
                Cell::plain(transfer.secs("p99", l.transfer_s.p99)),
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
pub fn workloads(r: &Report, ci: Option<&Summary>) -> Table {
    let rows = r
        .workloads
        .0
        .iter()
        .map(|(name, w)| {
            let at = At::top(ci).under(&["workloads", name]);
            let rq = at.under(&["requests"]);
            let lat = at.under(&["latency_s"]);
            Row::of(vec![
                Cell::plain(name.clone()),
                Cell::plain(rq.count("sent", w.requests.sent)),
                Cell::plain(rq.count("completed", w.requests.completed)),
                Cell::marked(rq.count("failed", w.requests.failed), w.requests.failed > 0),
                Cell::plain(at.rate("throughput_rps", w.throughput_rps)),
                Cell::plain(lat.secs("mean", w.latency_s.mean)),
                Cell::plain(lat.secs("p50", w.latency_s.p50)),
                Cell::plain(lat.secs("p99", w.latency_s.p99)),
                Cell::plain(lat.secs("max", w.latency_s.max)),
            ])
        })
        .collect();
    Table::unkeyed("workloads", "Workloads", WORKLOAD_HEADERS, rows)
}

/// Every table, in the page's order (the order of [`HEADERS`]).
pub fn all(r: &Report, ci: Option<&Summary>) -> [Table; 8] {
    [
        slos(r, ci),
        guards(r, ci),
        services(r, ci),
        pools(r, ci),
        queues(r, ci),
        caches(r, ci),
        links(r, ci),
        workloads(r, ci),
    ]
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
