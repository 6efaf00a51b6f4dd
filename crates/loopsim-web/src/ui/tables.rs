//! The results: summary, per-service and per-workload tables from the report. Every cell is set
//! with `textContent` (service and workload names come from the scenario text).

use loopsim_core::report::QueueLen;
use loopsim_core::Report;
use loopsim_web::format::{count, percent, rate, real, secs};
use loopsim_web::stop;
use web_sys::Element;

use super::dom;

fn row(cells: &[(&str, &str)], header_first: bool) -> Element {
    let tr = dom::el("tr");
    for (k, (text, class)) in cells.iter().map(|(t, c)| (*t, *c)).enumerate() {
        let tag = if header_first && k % 2 == 0 {
            "th"
        } else {
            "td"
        };
        let cell = dom::el_text(tag, class, text);
        if tag == "th" {
            let _ = cell.set_attribute("scope", "row");
        }
        let _ = tr.append_child(&cell);
    }
    tr
}

/// A table with a header row and body rows of plain text.
fn fill(table_id: &str, head: &[&str], rows: &[Vec<String>]) {
    let rows: Vec<Vec<(String, &str)>> = rows
        .iter()
        .map(|r| r.iter().map(|c| (c.clone(), "")).collect())
        .collect();
    fill_classed(table_id, head, &rows);
}

/// A table with a header row and body rows of `(text, class)` cells.
fn fill_classed(table_id: &str, head: &[&str], rows: &[Vec<(String, &str)>]) {
    fill_keyed(table_id, head, rows, None);
}

/// [`fill_classed`], with each row's first cell also set as its `data-<key>` attribute when
/// `key` is given (`tr[data-service="api"]`, found by the topology view to focus a row).
fn fill_keyed(table_id: &str, head: &[&str], rows: &[Vec<(String, &str)>], key: Option<&str>) {
    let table: Element = dom::by_id(table_id);
    dom::clear(&table);
    let thead = dom::el("thead");
    let tr = dom::el("tr");
    for h in head {
        let th = dom::el_text("th", "", h);
        let _ = th.set_attribute("scope", "col");
        let _ = tr.append_child(&th);
    }
    let _ = thead.append_child(&tr);
    let _ = table.append_child(&thead);
    let tbody = dom::el("tbody");
    for r in rows {
        let tr = dom::el("tr");
        if let (Some(key), Some((first, _))) = (key, r.first()) {
            let _ = tr.set_attribute(&format!("data-{key}"), first);
        }
        for (text, class) in r {
            let _ = tr.append_child(&dom::el_text("td", class, text));
        }
        let _ = tbody.append_child(&tr);
    }
    let _ = table.append_child(&tbody);
}

pub fn clear() {
    super::health::clear();
    super::diagnosis::clear();
    for id in [
        "summary",
        "services",
        "pools",
        "workloads",
        "queues",
        "caches",
    ] {
        dom::clear(&dom::by_id::<Element>(id));
    }
    dom::set_hidden("pools-section", true);
    dom::set_hidden("queues-section", true);
    dom::set_hidden("caches-section", true);
    clear_links();
    dom::set_text("results-note", "Run the scenario to see its report.");
    dom::set_hidden("stopped-box", true);
}

/// The warning that opens the results of a run that stopped early: when, why, and that every
/// figure covers only the part that was simulated.
fn render_stopped(r: &Report) {
    let Some(st) = &r.stopped else {
        dom::set_hidden("stopped-box", true);
        return;
    };
    let box_: web_sys::Element = dom::by_id("stopped-box");
    let _ = box_.set_attribute("data-cause", st.cause.name());
    dom::set_text("stopped-title", &stop::headline(st.at_s, r.duration_s));
    dom::set_text(
        "stopped-reason",
        &stop::reason(st.cause.name(), &st.message),
    );
    dom::set_text("stopped-scope", &stop::scope(st.at_s, r.warmup_s));
    dom::set_hidden("stopped-box", false);
}

/// A figure that does not exist (an empty measured window).
fn dash() -> String {
    "—".to_string()
}

pub fn render(r: &Report) {
    let q = &r.requests;
    let l = &r.latency_s;
    render_stopped(r);
    dom::set_text("results-note", &r.note);

    // Failures by kind (the non-zero ones), e.g. `6 314 (rejected_breaker 6 114 · error 200)`.
    let kinds: Vec<String> = r
        .errors
        .0
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{} {}", k.replace('_', " "), count(*n)))
        .collect();
    let failed_detail = if kinds.is_empty() {
        count(q.failed)
    } else {
        format!("{} ({})", count(q.failed), kinds.join(" · "))
    };
    let err_class = if q.failed > 0 { "warn" } else { "" };
    let summary: Element = dom::by_id("summary");
    dom::clear(&summary);
    let body = dom::el("tbody");
    let rows: Vec<Vec<(String, &str)>> = vec![
        vec![
            ("Requests sent".into(), ""),
            (count(q.sent), ""),
            // The report's latencies are of successful requests: said so, beside the error
            // rate, since failures are not in them.
            ("Latency of successes: mean".into(), ""),
            (secs(l.mean), ""),
        ],
        vec![
            ("Completed".into(), ""),
            (count(q.completed), ""),
            ("p50".into(), ""),
            (secs(l.p50), ""),
        ],
        vec![
            ("Failed".into(), ""),
            (failed_detail, err_class),
            ("p90".into(), ""),
            (secs(l.p90), ""),
        ],
        vec![
            ("In flight at the end".into(), ""),
            (count(q.in_flight), ""),
            ("p95".into(), ""),
            (secs(l.p95), ""),
        ],
        vec![
            ("Goodput (ok / s)".into(), ""),
            (rate(r.goodput_rps), ""),
            ("p99".into(), ""),
            (secs(l.p99), ""),
        ],
        vec![
            ("Answered (ok + failed) / s".into(), ""),
            (rate(r.answered_rps), ""),
            ("Attempts per request".into(), ""),
            (
                real(r.attempts_per_request),
                if r.attempts_per_request > 1.5 {
                    "warn"
                } else {
                    ""
                },
            ),
        ],
        vec![
            ("Error rate".into(), ""),
            (percent(r.error_rate), err_class),
            ("max".into(), ""),
            (secs(l.max), ""),
        ],
        vec![
            ("Measured window".into(), ""),
            (
                format!(
                    "{} of {}",
                    secs(Some(r.measured_s)),
                    secs(Some(r.duration_s))
                ),
                "",
            ),
            ("Events simulated".into(), ""),
            (count(r.events), ""),
        ],
        vec![
            ("Simulated time".into(), ""),
            match &r.stopped {
                Some(st) => (
                    format!(
                        "{} of {} (stopped early)",
                        secs(Some(st.at_s)),
                        secs(Some(r.duration_s))
                    ),
                    "warn",
                ),
                None => (secs(Some(r.duration_s)), ""),
            },
            // The seed exactly (a u64; see `to_js::report_to_js`).
            ("Seed".into(), ""),
            (r.seed.to_string(), ""),
        ],
    ];
    for cells in &rows {
        let refs: Vec<(&str, &str)> = cells.iter().map(|(t, c)| (t.as_str(), *c)).collect();
        let _ = body.append_child(&row(&refs, true));
    }
    let _ = summary.append_child(&body);

    let services: Vec<Vec<String>> = r
        .services
        .0
        .iter()
        .map(|(name, s)| {
            vec![
                name.clone(),
                replicas_cell(s),
                s.utilization.map_or_else(dash, percent),
                secs(s.loop_lag_s.mean),
                secs(s.loop_lag_s.p99),
                secs(s.loop_lag_s.max),
                s.ready_queue
                    .as_ref()
                    .map_or_else(dash, |q| format!("{} / {}", real(q.mean), count(q.max))),
                s.threadpool.utilization.map_or_else(dash, percent),
                secs(s.threadpool.queue_wait_s.mean),
                secs(s.threadpool.queue_wait_s.p99),
                s.threadpool
                    .queue
                    .as_ref()
                    .map_or_else(dash, |q| count(q.max)),
                match (s.active_requests_mean, s.active_requests_peak) {
                    (Some(m), Some(p)) => format!("{} / {}", real(m), count(p)),
                    _ => dash(),
                },
                count(s.served_ok),
                count(s.served_failed),
            ]
        })
        .collect();
    let services: Vec<Vec<(String, &str)>> = services
        .into_iter()
        .map(|r| r.into_iter().map(|c| (c.clone(), pair_class(&c))).collect())
        .collect();
    fill_keyed(
        "services",
        &[
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
            "Failed",
        ],
        &services,
        Some("service"),
    );

    render_pools(r);
    render_queues(r);
    render_caches(r);
    render_links(r);

    let workloads: Vec<Vec<String>> = r
        .workloads
        .0
        .iter()
        .map(|(name, w)| {
            vec![
                name.clone(),
                count(w.requests.sent),
                count(w.requests.completed),
                count(w.requests.failed),
                rate(w.throughput_rps),
                secs(w.latency_s.mean),
                secs(w.latency_s.p50),
                secs(w.latency_s.p99),
                secs(w.latency_s.max),
            ]
        })
        .collect();
    fill(
        "workloads",
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
        &workloads,
    );
}

/// `0.846 / 23` (a mean and a maximum, numbers without units) may wrap: the services table
/// fits the results pane rather than scroll its right columns out of view.
fn pair_class(cell: &str) -> &'static str {
    if cell.contains(" / ") {
        "pair"
    } else {
        ""
    }
}

/// The message queues, one row each (the CLI's figures), shown only when there are any. A
/// queue that refused publishes or dead-lettered messages is marked; spawned background tasks
/// follow in the note.
fn render_queues(r: &Report) {
    let warn = |bad: bool| if bad { "warn" } else { "" };
    let rows: Vec<Vec<(String, &str)>> = r
        .queues
        .0
        .iter()
        .map(|(name, q)| {
            let dead = if q.dropped > 0 {
                format!("{} ({} dropped)", count(q.dead_lettered), count(q.dropped))
            } else {
                count(q.dead_lettered)
            };
            vec![
                (name.clone(), ""),
                (q.consumer.clone().unwrap_or_else(dash), ""),
                (count(q.published), ""),
                (
                    count(q.rejected_queue_full),
                    warn(q.rejected_queue_full > 0),
                ),
                (count(q.processed), ""),
                (count(q.failed), warn(q.failed > 0)),
                (count(q.redeliveries), ""),
                (dead, warn(q.dead_lettered > 0)),
                (
                    format!(
                        "{} / {}",
                        q.depth_mean.map_or_else(dash, real),
                        count(q.depth_max)
                    ),
                    "",
                ),
                (secs(Some(q.oldest_age_max_s)), ""),
                (secs(q.publish_to_processed_s.mean), ""),
                (secs(q.publish_to_processed_s.p99), ""),
            ]
        })
        .collect();
    let spawned = spawned_text(r);
    dom::set_text("queues-spawned", &spawned);
    dom::set_hidden("queues-section", rows.is_empty() && spawned.is_empty());
    if rows.is_empty() {
        dom::clear(&dom::by_id::<Element>("queues"));
        return;
    }
    fill_classed(
        "queues",
        &[
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
        ],
        &rows,
    );
}

/// `api: 120 background tasks started, 118 completed, 0 failed.` per service that spawns.
fn spawned_text(r: &Report) -> String {
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

/// The declared pools, one row each (the CLI's figures, then permits in use), shown only when
/// there are any. A pool that is nearly always full, or that turned requests away, is marked.
fn render_pools(r: &Report) {
    let warn = |bad: bool| if bad { "warn" } else { "" };
    let rows: Vec<Vec<(String, &str)>> = r
        .services
        .0
        .iter()
        .flat_map(|(service, s)| s.pools.0.iter().map(move |(name, p)| (service, name, p)))
        .map(|(service, name, p)| {
            let pair = |q: &Option<QueueLen>| {
                q.as_ref()
                    .map_or_else(dash, |q| format!("{} / {}", real(q.mean), count(q.max)))
            };
            vec![
                (service.clone(), ""),
                (name.clone(), ""),
                (format!("{} × {} ({})", p.size, p.instances, p.scope), ""),
                (
                    p.utilization.map_or_else(dash, percent),
                    warn(p.utilization.is_some_and(|u| u >= 0.9)),
                ),
                (secs(p.wait_s.mean), ""),
                (secs(p.wait_s.p99), ""),
                (pair(&p.queue), ""),
                (count(p.timeouts), warn(p.timeouts > 0)),
                (count(p.rejected), warn(p.rejected > 0)),
                (pair(&p.in_use), ""),
            ]
        })
        .collect();
    dom::set_hidden("pools-section", rows.is_empty());
    if rows.is_empty() {
        dom::clear(&dom::by_id::<Element>("pools"));
        return;
    }
    fill_classed(
        "pools",
        &[
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
        ],
        &rows,
    );
}

/// `2 × 1`, or for an autoscaled service its ready range over the run: `2–18 (auto) × 1`.
fn replicas_cell(s: &loopsim_core::report::ServiceReport) -> String {
    match s
        .autoscale
        .as_ref()
        .and_then(|a| a.ready_min.zip(a.ready_max))
    {
        Some((lo, hi)) => format!("{lo}–{hi} (auto) × {}", s.workers),
        None => format!("{} × {}", s.replicas, s.workers),
    }
}

/// The caches, one row each (the CLI's figures), shown only when there are any. Names are set
/// as text (they come from the scenario).
fn render_caches(r: &Report) {
    let rows: Vec<Vec<String>> = r
        .caches
        .0
        .iter()
        .map(|(name, c)| {
            vec![
                name.clone(),
                format!(
                    "{} × {} ({}, {})",
                    c.capacity, c.instances, c.policy, c.scope
                ),
                c.hit_ratio.map_or_else(dash, percent),
                count(c.hits),
                count(c.misses),
                count(c.expirations),
                count(c.evictions),
                count(c.invalidations),
                count(c.coalesced),
                c.entries
                    .as_ref()
                    .map_or_else(dash, |e| format!("{} / {}", real(e.mean), count(e.max))),
            ]
        })
        .collect();
    dom::set_hidden("caches-section", rows.is_empty());
    if rows.is_empty() {
        dom::clear(&dom::by_id::<Element>("caches"));
        return;
    }
    fill(
        "caches",
        &[
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
        ],
        &rows,
    );
}

fn clear_links() {
    dom::clear(&dom::by_id::<Element>("links"));
    dom::set_hidden("links-section", true);
}

/// Bytes as a short human unit (`512 B`, `12.5 MB`).
fn bytes(b: f64) -> String {
    match b {
        b if b >= 1e9 => format!("{:.2} GB", b / 1e9),
        b if b >= 1e6 => format!("{:.1} MB", b / 1e6),
        b if b >= 1e3 => format!("{:.1} KB", b / 1e3),
        b => format!("{b:.0} B"),
    }
}

/// The bandwidth channels that carried payloads (hop directions, replica NICs), one row each,
/// shown only when there are any. A link busy 90% of the time or more is marked.
fn render_links(r: &Report) {
    if r.links.is_empty() {
        return clear_links();
    }
    let warn = |bad: bool| if bad { "warn" } else { "" };
    let rows: Vec<Vec<(String, &str)>> = r
        .links
        .0
        .iter()
        .map(|(name, l)| {
            let flight = l
                .in_flight
                .as_ref()
                .map_or_else(dash, |q| format!("{} / {}", real(q.mean), count(q.max)));
            vec![
                (name.clone(), ""),
                (format!("{} Mbps", real(l.bandwidth_bps / 1e6)), ""),
                (count(l.transfers), ""),
                (bytes(l.bytes), ""),
                (format!("{}/s", bytes(l.throughput_bytes_per_s)), ""),
                (
                    l.utilization.map_or_else(dash, percent),
                    warn(l.utilization.is_some_and(|u| u >= 0.9)),
                ),
                (flight, ""),
                (secs(l.transfer_s.mean), ""),
                (secs(l.transfer_s.p99), ""),
            ]
        })
        .collect();
    dom::set_hidden("links-section", false);
    fill_classed(
        "links",
        &[
            "Link",
            "Bandwidth",
            "Transfers",
            "Bytes",
            "Throughput",
            "Busy",
            "In flight mean / max",
            "Transfer mean",
            "Transfer p99",
        ],
        &rows,
    );
}
