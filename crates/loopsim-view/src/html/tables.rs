//! The report's tables as HTML: the summary, services, workloads, and the pools, queues and
//! caches when there are any. Every cell is escaped (names come from the scenario) and every
//! header carries the glossary's hover help.

use crate::escape;
use crate::format::{count, percent, rate, real, secs};
use crate::glossary;
use loopsim_core::report::QueueLen;
use loopsim_core::Report;
use std::fmt::Write;

/// A cell's text and whether it shows a problem (drawn in the warning colour).
type Cell = (String, bool);

fn plain(s: String) -> Cell {
    (s, false)
}

fn dash() -> String {
    "—".into()
}

fn pair(q: &Option<QueueLen>) -> String {
    q.as_ref()
        .map_or_else(dash, |q| format!("{} / {}", real(q.mean), count(q.max)))
}

/// `<th>` with the glossary's help as its `title` when the glossary knows the label.
fn header(o: &mut String, label: &str, scope: &str) {
    match glossary::help(label) {
        Some(help) => {
            let _ = write!(
                o,
                r#"<th scope="{scope}" title="{}"><span class="help">{}</span></th>"#,
                escape::text(help),
                escape::text(label)
            );
        }
        None => {
            let _ = write!(o, r#"<th scope="{scope}">{}</th>"#, escape::text(label));
        }
    }
}

fn td(o: &mut String, (text, bad): &Cell) {
    let class = if *bad { r#" class="warn""# } else { "" };
    let _ = write!(o, "<td{class}>{}</td>", escape::text(text));
}

/// A titled table in a horizontally scrolling wrapper (wide tables never widen the page).
pub fn table(o: &mut String, id: &str, caption: &str, head: &[&str], rows: &[Vec<Cell>]) {
    let _ = write!(
        o,
        r#"<div class="table-wrap" role="region" tabindex="0" aria-labelledby="{id}-caption"><table id="{id}"><caption id="{id}-caption">{}</caption><thead><tr>"#,
        escape::text(caption)
    );
    for h in head {
        header(o, h, "col");
    }
    o.push_str("</tr></thead><tbody>");
    for r in rows {
        o.push_str("<tr>");
        for (k, cell) in r.iter().enumerate() {
            if k == 0 {
                let _ = write!(o, r#"<th scope="row">{}</th>"#, escape::text(&cell.0));
            } else {
                td(o, cell);
            }
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table></div>");
}

/// Label/value pairs in a two-column grid.
pub fn summary(o: &mut String, r: &Report) {
    let q = &r.requests;
    let l = &r.latency_s;
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
    let rows: [(&str, Cell); 16] = [
        ("Requests sent", plain(count(q.sent))),
        ("Completed", plain(count(q.completed))),
        ("Failed", (failed, q.failed > 0)),
        ("In flight at the end", plain(count(q.in_flight))),
        ("Goodput (ok / s)", plain(rate(r.goodput_rps))),
        ("Answered (ok + failed) / s", plain(rate(r.answered_rps))),
        ("Error rate", (percent(r.error_rate), q.failed > 0)),
        (
            "Attempts per request",
            (real(r.attempts_per_request), r.attempts_per_request > 1.5),
        ),
        ("Latency mean", plain(secs(l.mean))),
        ("p50", plain(secs(l.p50))),
        ("p95", plain(secs(l.p95))),
        ("p99", plain(secs(l.p99))),
        ("max", plain(secs(l.max))),
        (
            "Measured window",
            plain(format!(
                "{} of {}",
                secs(Some(r.measured_s)),
                secs(Some(r.duration_s))
            )),
        ),
        ("Simulated time", (simulated, r.stopped.is_some())),
        ("Seed", plain(r.seed.to_string())),
    ];
    o.push_str(r#"<dl class="summary">"#);
    for (label, (value, bad)) in &rows {
        let help = glossary::help(label)
            .map(|h| format!(r#" title="{}""#, escape::text(h)))
            .unwrap_or_default();
        let class = if *bad { r#" class="warn""# } else { "" };
        let _ = write!(
            o,
            "<div><dt{help}>{}</dt><dd{class}>{}</dd></div>",
            escape::text(label),
            escape::text(value)
        );
    }
    o.push_str("</dl>");
}

pub fn services(o: &mut String, r: &Report) {
    let rows: Vec<Vec<Cell>> = r
        .services
        .0
        .iter()
        .map(|(name, s)| {
            let util = s.utilization.unwrap_or(0.0);
            vec![
                plain(name.clone()),
                plain(format!("{} × {}", s.replicas, s.workers)),
                (s.utilization.map_or_else(dash, percent), util >= 0.9),
                plain(secs(s.loop_lag_s.mean)),
                plain(secs(s.loop_lag_s.p99)),
                plain(secs(s.loop_lag_s.max)),
                plain(pair(&s.ready_queue)),
                plain(s.threadpool.utilization.map_or_else(dash, percent)),
                plain(secs(s.threadpool.queue_wait_s.p99)),
                plain(count(s.served_ok)),
                (count(s.served_failed), s.served_failed > 0),
            ]
        })
        .collect();
    table(
        o,
        "services",
        "Services",
        &[
            "Service",
            "Replicas × workers",
            "Loop busy",
            "Lag mean",
            "Lag p99",
            "Lag max",
            "Ready queue mean / max",
            "Threads busy",
            "Thread wait p99",
            "Served ok",
            "Failed",
        ],
        &rows,
    );
}

pub fn workloads(o: &mut String, r: &Report) {
    let rows: Vec<Vec<Cell>> = r
        .workloads
        .0
        .iter()
        .map(|(name, w)| {
            vec![
                plain(name.clone()),
                plain(count(w.requests.sent)),
                plain(count(w.requests.completed)),
                (count(w.requests.failed), w.requests.failed > 0),
                plain(rate(w.throughput_rps)),
                plain(secs(w.latency_s.mean)),
                plain(secs(w.latency_s.p50)),
                plain(secs(w.latency_s.p99)),
                plain(secs(w.latency_s.max)),
            ]
        })
        .collect();
    table(
        o,
        "workloads",
        "Workloads",
        &[
            "Workload",
            "Sent",
            "Completed",
            "Failed",
            "Throughput",
            "Latency mean",
            "p50",
            "p99",
            "max",
        ],
        &rows,
    );
}

/// One row per guarded caller and replica (the page's Guards table), when there are any.
pub fn guards(o: &mut String, r: &Report) {
    let rows: Vec<Vec<Cell>> = r
        .guards
        .iter()
        .map(|g| {
            let breaker = g.breaker.as_ref().map_or_else(dash, |b| {
                format!(
                    "{} · opened {}× · {} rejected",
                    b.state,
                    b.opens,
                    count(b.rejected)
                )
            });
            let caller = if g.replica > 0 {
                format!("{} (replica {})", g.caller, g.replica)
            } else {
                g.caller.clone()
            };
            vec![
                plain(caller),
                plain(count(g.requests)),
                plain(count(g.attempts)),
                (
                    format!("{} ({} denied)", count(g.retries), count(g.retries_denied)),
                    g.retries_denied > 0,
                ),
                (breaker, g.breaker.as_ref().is_some_and(|b| b.opens > 0)),
            ]
        })
        .collect();
    if !rows.is_empty() {
        table(
            o,
            "guards",
            "Guards",
            &["Caller", "Requests", "Attempts", "Retries", "Breaker"],
            &rows,
        );
    }
}

/// Pools, queues and caches, each only when the scenario has some.
pub fn resources(o: &mut String, r: &Report) {
    let pools: Vec<Vec<Cell>> = r
        .services
        .0
        .iter()
        .flat_map(|(svc, s)| s.pools.0.iter().map(move |(name, p)| (svc, name, p)))
        .map(|(svc, name, p)| {
            vec![
                plain(format!("{svc} / {name}")),
                plain(format!("{} × {} ({})", p.size, p.instances, p.scope)),
                (
                    p.utilization.map_or_else(dash, percent),
                    p.utilization.is_some_and(|u| u >= 0.9),
                ),
                plain(secs(p.wait_s.mean)),
                plain(secs(p.wait_s.p99)),
                plain(pair(&p.queue)),
                (count(p.timeouts), p.timeouts > 0),
                (count(p.rejected), p.rejected > 0),
            ]
        })
        .collect();
    if !pools.is_empty() {
        table(
            o,
            "pools",
            "Pools",
            &[
                "Pool",
                "Size × instances",
                "Busy",
                "Wait mean",
                "Wait p99",
                "Queue mean / max",
                "Timeouts",
                "Full",
            ],
            &pools,
        );
    }
    let queues: Vec<Vec<Cell>> = r
        .queues
        .0
        .iter()
        .map(|(name, q)| {
            vec![
                plain(name.clone()),
                plain(count(q.published)),
                plain(count(q.processed)),
                (count(q.failed), q.failed > 0),
                (count(q.dead_lettered), q.dead_lettered > 0),
                plain(format!(
                    "{} / {}",
                    q.depth_mean.map_or_else(dash, real),
                    count(q.depth_max)
                )),
                plain(secs(Some(q.oldest_age_max_s))),
            ]
        })
        .collect();
    if !queues.is_empty() {
        table(
            o,
            "queues",
            "Queues",
            &[
                "Queue",
                "Published",
                "Processed",
                "Failed",
                "Dead letters",
                "Depth mean / max",
                "Oldest max",
            ],
            &queues,
        );
    }
    let caches: Vec<Vec<Cell>> = r
        .caches
        .0
        .iter()
        .map(|(name, c)| {
            vec![
                plain(name.clone()),
                plain(c.hit_ratio.map_or_else(dash, percent)),
                plain(count(c.hits)),
                plain(count(c.misses)),
                plain(count(c.evictions)),
                plain(count(c.coalesced)),
            ]
        })
        .collect();
    if !caches.is_empty() {
        table(
            o,
            "caches",
            "Caches",
            &[
                "Cache",
                "Hit ratio",
                "Hits",
                "Misses",
                "Evicted",
                "Coalesced",
            ],
            &caches,
        );
    }
}
