//! Human-readable renderings: the text report and the CSV of the time series.

use std::fmt::Write;

use loopsim_core::diagnosis::Severity;
use loopsim_core::health::collapse::CollapseTransition;
use loopsim_core::health::{BudgetAction, CollapseReport, CostReport};
use loopsim_core::report::{Latency, Report, Stopped};
use loopsim_core::series::Series;
use loopsim_view::format::bytes;

/// Seconds as a short human unit (`850 µs`, `12.3 ms`, `1.20 s`).
fn dur(s: Option<f64>) -> String {
    match s {
        None => "—".into(),
        Some(s) if s < 1e-3 => format!("{:.0} µs", s * 1e6),
        Some(s) if s < 1.0 => format!("{:.1} ms", s * 1e3),
        Some(s) => format!("{s:.2} s"),
    }
}

/// `--batches N`: each steady-state mean ± its batch-means half-width, and the lag-1
/// autocorrelation that says whether the batches were long enough.
pub fn batch_means(b: &loopsim_core::batch_means::BatchMeans) -> String {
    let mut o = format!(
        "\nbatch means ({} batches of {} s; mean ± 95% half-width, Student t with {} degrees \
         of freedom)\n",
        b.batches,
        secs(b.batch_s),
        b.batches - 1
    );
    let rows: Vec<Vec<String>> = b
        .figures
        .iter()
        .map(|f| {
            let show = |v: f64| {
                if f.name.ends_with("_s") {
                    dur(Some(v))
                } else {
                    format!("{v:.4}")
                }
            };
            vec![
                f.name.clone(),
                format!("{} ± {}", show(f.mean), show(f.half_width)),
                format!("{:+.2}", f.lag1),
            ]
        })
        .collect();
    table(&mut o, &["figure", "mean ± half-width", "lag-1"], &rows, 1);
    if b.figures.iter().any(|f| f.lag1 > 0.2) {
        o.push_str(
            "  a lag-1 autocorrelation above 0.2: the batches are not independent — use fewer \
             batches or a longer run\n",
        );
    }
    o
}

/// How `warmup: auto` chose the cut.
pub fn auto_warmup(cut: &loopsim_core::warmup::Cut) -> String {
    if cut.settled {
        format!(
            " (auto: MSER-5 left out the first {} samples of the response time)",
            cut.dropped_samples
        )
    } else {
        " (auto: the response time was still drifting at mid-run, so the cut is uncertain — \
         run longer)"
            .into()
    }
}

fn latency_line(l: &Latency) -> String {
    format!(
        "mean {}  p50 {}  p90 {}  p95 {}  p99 {}  max {}",
        dur(l.mean),
        dur(l.p50),
        dur(l.p90),
        dur(l.p95),
        dur(l.p99),
        dur(l.max)
    )
}

pub fn render(r: &Report) -> String {
    let mut o = String::new();
    let q = &r.requests;
    if let Some(t) = &r.stopped {
        let _ = writeln!(o, "STOPPED EARLY {}", stopped_at(t, r.duration_s));
        let _ = writeln!(o, "  {}", t.message);
        let _ = writeln!(
            o,
            "  Every figure below covers only the simulated part, 0–{} s, not the whole run.\n",
            secs(t.at_s)
        );
    }
    let _ = writeln!(o, "{} (seed {})", r.scenario, r.seed);
    let simulated = match &r.stopped {
        Some(t) => format!("{} s of {} s", secs(t.at_s), secs(r.duration_s)),
        None => format!("{} s", secs(r.duration_s)),
    };
    let _ = writeln!(
        o,
        "simulated {simulated}, warm-up {} s{}, {} events",
        secs(r.warmup_s),
        r.warmup_auto.map_or_else(String::new, |c| auto_warmup(&c)),
        r.events
    );
    let _ = writeln!(o, "{}\n", r.note);
    render_diagnosis(&mut o, r);
    let _ = writeln!(
        o,
        "requests    sent {}  completed {}  failed {}  in flight {}",
        q.sent, q.completed, q.failed, q.in_flight
    );
    let _ = writeln!(
        o,
        "throughput  {:.1} req/s   error rate {:.2}%",
        r.throughput_rps,
        r.error_rate * 100.0
    );
    let _ = writeln!(o, "latency     {}", latency_line(&r.latency_s));
    let classes = [
        ("workloads", "", &r.workloads, r.workloads.0.len() > 1),
        (
            "priorities",
            "priority ",
            &r.priorities,
            !r.priorities.0.is_empty(),
        ),
    ];
    for (title, prefix, rows, shown) in classes {
        if !shown {
            continue;
        }
        let _ = writeln!(o, "\n{title}");
        for (name, w) in &rows.0 {
            let label = format!("{prefix}{name}");
            let _ = writeln!(
                o,
                "  {label:<14} {:>8.1} req/s  failed {:<6} {}",
                w.throughput_rps,
                w.requests.failed,
                latency_line(&w.latency_s)
            );
        }
    }
    let _ = writeln!(o, "\nservices");
    let _ = writeln!(
        o,
        "  {:<14} {:>6} {:>10} {:>10} {:>10} {:>9} {:>11} {:>10} {:>8} {:>7}",
        "",
        "util",
        "lag mean",
        "lag p99",
        "lag max",
        "ready q",
        "exec wait",
        "exec p99",
        "backlog",
        "active"
    );
    for (name, s) in &r.services.0 {
        let _ = writeln!(
            o,
            "  {name:<14} {:>6} {:>10} {:>10} {:>10} {:>9} {:>11} {:>10} {:>8} {:>7}",
            opt(s.utilization.map(|u| format!("{:.1}%", u * 100.0))),
            dur(s.loop_lag_s.mean),
            dur(s.loop_lag_s.p99),
            dur(s.loop_lag_s.max),
            opt(s.ready_queue.as_ref().map(|q| format!("{:.2}", q.mean))),
            dur(s.threadpool.queue_wait_s.mean),
            dur(s.threadpool.queue_wait_s.p99),
            opt(s.threadpool.backlog_max),
            opt(s.active_requests_peak),
        );
    }
    render_replica_shares(&mut o, r);
    render_pools(&mut o, r);
    render_autoscale(&mut o, r);
    render_queues(&mut o, r);
    render_spawned(&mut o, r);
    render_caches(&mut o, r);
    render_links(&mut o, r);
    render_guards_and_faults(&mut o, r);
    render_health(&mut o, r);
    let _ = writeln!(
        o,
        "\n  util = share of time the event loops were held; lag = wait of a ready continuation in\n  \
         the loop's ready queue; ready q = mean total ready-queue length; exec wait = wait for an\n  \
         executor thread; backlog = peak offload jobs queued or running; active = peak requests in service."
    );
    if has_pools(r) {
        let _ = writeln!(
            o,
            "  pools: size = permits × instances (scope); util = share of the permits in use; wait = time\n  \
             to get a permit; queue = requests waiting for one; timeouts = pool_timeout; full = pool_full."
        );
    }
    if !r.caches.0.is_empty() {
        let _ = writeln!(
            o,
            "  caches: hit ratio = hits / lookups; misses include expired entries and coalesced waits\n  \
             (misses that waited for another request's miss steps); entries = stored, time-weighted."
        );
    }
    if !r.links.is_empty() {
        let _ = writeln!(
            o,
            "  links: each direction of a hop (and each replica NIC) shares its bandwidth fairly among\n  \
             its transfers; util = share of time busy; in flight = transfers at once; transfer = start\n  \
             to last byte (the hop's latency comes on top)."
        );
    }
    o
}

/// The caches, one row each; nothing without any.
fn render_caches(o: &mut String, r: &Report) {
    if r.caches.0.is_empty() {
        return;
    }
    let header = [
        "cache",
        "capacity",
        "hit ratio",
        "hits",
        "misses",
        "expired",
        "evicted",
        "invalidated",
        "coalesced",
        "entries mean",
        "max",
        "end",
    ];
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
                opt(c.hit_ratio.map(|h| format!("{:.1}%", h * 100.0))),
                c.hits.to_string(),
                c.misses.to_string(),
                c.expirations.to_string(),
                c.evictions.to_string(),
                c.invalidations.to_string(),
                c.coalesced.to_string(),
                opt(c.entries.as_ref().map(|e| format!("{:.0}", e.mean))),
                opt(c.entries.as_ref().map(|e| e.max)),
                c.entries_end.to_string(),
            ]
        })
        .collect();
    let _ = writeln!(o, "\ncaches");
    table(o, &header, &rows, 1);
}

/// Bits per second as a person writes them: `100 Mbps`, `1.5 Gbps`.
fn bits_per_s(bps: f64) -> String {
    match bps {
        b if b >= 1e9 => format!("{} Gbps", b / 1e9),
        b if b >= 1e6 => format!("{} Mbps", b / 1e6),
        b if b >= 1e3 => format!("{} Kbps", b / 1e3),
        b => format!("{b} bps"),
    }
}

/// The bandwidth channels that carried payloads, one row each; nothing without any.
fn render_links(o: &mut String, r: &Report) {
    if r.links.is_empty() {
        return;
    }
    let header = [
        "link",
        "bandwidth",
        "transfers",
        "bytes",
        "throughput",
        "util",
        "in flight",
        "max",
        "transfer mean",
        "transfer p99",
    ];
    let rows: Vec<Vec<String>> = r
        .links
        .0
        .iter()
        .map(|(name, l)| {
            vec![
                name.clone(),
                bits_per_s(l.bandwidth_bps),
                l.transfers.to_string(),
                bytes(l.bytes),
                format!("{}/s", bytes(l.throughput_bytes_per_s)),
                opt(l.utilization.map(|u| format!("{:.1}%", u * 100.0))),
                opt(l.in_flight.as_ref().map(|q| format!("{:.2}", q.mean))),
                opt(l.in_flight.as_ref().map(|q| q.max)),
                dur(l.transfer_s.mean),
                dur(l.transfer_s.p99),
            ]
        })
        .collect();
    let _ = writeln!(o, "\nlinks");
    table(o, &header, &rows, 1);
}

/// When a run stopped early, against its duration, and why: `at 5.03 s of 7200 s
/// (max_in_flight)`.
pub fn stopped_at(t: &Stopped, duration_s: f64) -> String {
    format!(
        "at {} s of {} s ({})",
        secs(t.at_s),
        secs(duration_s),
        t.cause.name()
    )
}

/// Seconds, readable: two decimals at most from 1 s up, three significant digits below
/// (`7200`, `5.03`, `0.96`, `0.00125`); trailing zeros dropped.
fn secs(s: f64) -> String {
    let decimals = if s == 0.0 || s.abs() >= 1.0 || !s.is_finite() {
        2
    } else {
        (2.0 - s.abs().log10().floor()).min(9.0) as usize
    };
    let t = format!("{s:.decimals$}");
    if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        t
    }
}

/// How each replicated service's balancer shared its requests (an outage shows here).
fn render_replica_shares(o: &mut String, r: &Report) {
    for (name, s) in &r.services.0 {
        if s.served_by_replica.len() < 2 {
            continue;
        }
        let counts: Vec<String> = s.served_by_replica.iter().map(u64::to_string).collect();
        let _ = writeln!(o, "  {name:<14} served by replica: {}", counts.join(" / "));
    }
}

/// Autoscaled services: the policy, how the replicas moved, what they cost in instance time,
/// and the last few decisions; nothing without any.
fn render_autoscale(o: &mut String, r: &Report) {
    let scaled: Vec<_> = r
        .services
        .0
        .iter()
        .filter_map(|(n, s)| s.autoscale.as_ref().map(|a| (n, a)))
        .collect();
    if scaled.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "
autoscale"
    );
    for (name, a) in scaled {
        let target = match a.metric {
            "utilization" => format!("{:.0}%", a.target * 100.0),
            "loop_lag" => dur(Some(a.target)),
            "rps" => format!("{}/s", a.target),
            _ => format!("{}", a.target),
        };
        let ready = match (a.ready_min, a.ready_mean, a.ready_max) {
            (Some(lo), Some(mean), Some(hi)) => format!("ready min {lo} mean {mean:.1} max {hi}"),
            _ => String::from("ready —"),
        };
        let _ = writeln!(
            o,
            "  {name:<14} {} → {target}, {}–{} replicas (from {}): {} decisions, {} up, {} down",
            a.metric, a.min, a.max, a.initial, a.decisions, a.scale_ups, a.scale_downs
        );
        let _ = writeln!(
            o,
            "  {:<14} {ready}; desired at the end {}; {:.0} replica-seconds paid",
            "", a.desired_final, a.replica_seconds
        );
        let changes: Vec<String> = a
            .log
            .iter()
            .filter(|d| d.desired != d.current)
            .map(|d| format!("{}→{} at {} s", d.current, d.desired, secs(d.t_s)))
            .collect();
        if !changes.is_empty() {
            let shown = changes.len().min(12);
            let more = if changes.len() > shown { " …" } else { "" };
            let _ = writeln!(
                o,
                "  {:<14} changes: {}{more}",
                "",
                changes[..shown].join(", ")
            );
        }
    }
}

fn has_pools(r: &Report) -> bool {
    r.services.0.iter().any(|(_, s)| !s.pools.0.is_empty())
}

/// The declared pools (`with:` blocks hold their permits), one row each; nothing without any.
fn render_pools(o: &mut String, r: &Report) {
    if !has_pools(r) {
        return;
    }
    let header = [
        "service",
        "pool",
        "size",
        "util",
        "wait mean",
        "wait p99",
        "queue mean",
        "queue max",
        "timeouts",
        "full",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (service, s) in &r.services.0 {
        for (name, p) in &s.pools.0 {
            rows.push(vec![
                service.clone(),
                name.clone(),
                format!("{} × {} ({})", p.size, p.instances, p.scope),
                opt(p.utilization.map(|u| format!("{:.1}%", u * 100.0))),
                dur(p.wait_s.mean),
                dur(p.wait_s.p99),
                opt(p.queue.as_ref().map(|q| format!("{:.2}", q.mean))),
                opt(p.queue.as_ref().map(|q| q.max)),
                p.timeouts.to_string(),
                p.rejected.to_string(),
            ]);
        }
    }
    let _ = writeln!(o, "\npools");
    table(o, &header, &rows, 3);
}

/// The message queues: traffic, consumer lag and publish → processed time, one row each.
fn render_queues(o: &mut String, r: &Report) {
    if r.queues.0.is_empty() {
        return;
    }
    let header = [
        "queue",
        "consumer",
        "published",
        "full",
        "processed",
        "failed",
        "redelivered",
        "dead",
        "depth mean",
        "depth max",
        "oldest max",
        "p→p mean",
        "p→p p99",
    ];
    let rows: Vec<Vec<String>> = r
        .queues
        .0
        .iter()
        .map(|(name, q)| {
            vec![
                name.clone(),
                q.consumer.clone().unwrap_or_else(|| "—".into()),
                q.published.to_string(),
                q.rejected_queue_full.to_string(),
                q.processed.to_string(),
                q.failed.to_string(),
                q.redeliveries.to_string(),
                if q.dropped > 0 {
                    format!("{} ({} dropped)", q.dead_lettered, q.dropped)
                } else {
                    q.dead_lettered.to_string()
                },
                opt(q.depth_mean.map(|d| format!("{d:.1}"))),
                q.depth_max.to_string(),
                dur(Some(q.oldest_age_max_s)),
                dur(q.publish_to_processed_s.mean),
                dur(q.publish_to_processed_s.p99),
            ]
        })
        .collect();
    let _ = writeln!(o, "\nqueues");
    table(o, &header, &rows, 2);
    for (name, q) in &r.queues.0 {
        if q.partitions.is_empty() {
            continue;
        }
        let depths: Vec<String> = q
            .partitions
            .iter()
            .map(|p| opt(p.depth_mean.map(|d| format!("{d:.1}"))))
            .collect();
        let _ = writeln!(o, "  {name:<14} depth by partition: {}", depths.join(" / "));
    }
    let _ = writeln!(
        o,
        "  full = publishes refused (queue_full); dead = deliveries exhausted (to dead_letter);\n  \
         depth = messages held (consumer lag); oldest = age of the oldest message held; p→p =\n  \
         publish → processed time."
    );
}

/// Background tasks (`spawn`) per service: started, completed, failed by cause.
fn render_spawned(o: &mut String, r: &Report) {
    for (name, s) in &r.spawned.0 {
        let failed: Vec<String> = s.failed.0.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let _ = writeln!(
            o,
            "spawned     {name}: {} started, {} completed, {} failed{}",
            s.started,
            s.completed,
            s.failed.0.iter().map(|(_, n)| n).sum::<u64>(),
            if failed.is_empty() {
                String::new()
            } else {
                format!(" ({})", failed.join(", "))
            }
        );
    }
}

/// Rows under a header, two spaces in, columns two spaces apart: the first `left` columns
/// left-aligned, the others right-aligned, each as wide as its widest cell (in characters).
pub fn table(o: &mut String, header: &[&str], rows: &[Vec<String>], left: usize) {
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([header[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let line = |o: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        let mut l = String::from(" ");
        for (i, c) in cells.enumerate() {
            let pad = " ".repeat(widths[i] - c.chars().count());
            if i < left {
                let _ = write!(l, " {c}{pad}");
            } else {
                let _ = write!(l, " {pad}{c}");
            }
            if i + 1 < widths.len() {
                l.push(' ');
            }
        }
        let _ = writeln!(o, "{}", l.trim_end());
    };
    line(o, &mut header.iter().copied());
    for r in rows {
        line(o, &mut r.iter().map(String::as_str));
    }
}

/// A figure that may not exist (an empty measured window): `—` then.
fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "—".to_string(), |v| v.to_string())
}

fn render_guards_and_faults(o: &mut String, r: &Report) {
    let q = &r.requests;
    if q.retries > 0 || q.rejected > 0 || !r.guards.is_empty() {
        let _ = writeln!(
            o,
            "\nguards      goodput {:.1} req/s of {:.1} answered   attempts/request {:.2}   retries {}   rejected {}",
            r.goodput_rps, r.answered_rps, r.attempts_per_request, q.retries, q.rejected
        );
        for g in &r.guards {
            let mut line = format!("  {} (replica {})", g.caller, g.replica);
            if let Some(b) = &g.breaker {
                let _ = write!(
                    line,
                    "  breaker {} (opened {}×, rejected {})",
                    b.state, b.opens, b.rejected
                );
            }
            if let Some(k) = &g.risk {
                let _ = write!(
                    line,
                    "  risk {:.2} {} (blocked {})",
                    k.risk, k.state, k.blocked
                );
            }
            if let Some(t) = g.throttle_rejected {
                let _ = write!(line, "  throttled {t}");
            }
            let _ = writeln!(o, "{line}");
        }
    }
    let failures: Vec<String> = r
        .errors
        .0
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(o, "failures    {}", failures.join(", "));
    }
    for f in &r.faults {
        if f.at_s == f.until_s {
            // An instant (a cache `flush`).
            let _ = writeln!(o, "fault       {} on {} at {} s", f.kind, f.target, f.at_s);
            continue;
        }
        let _ = writeln!(
            o,
            "fault       {} on {} from {} s to {} s",
            f.kind, f.target, f.at_s, f.until_s
        );
    }
}

/// The diagnosis, one line per statement, marked by severity (`!!` critical, `!` warning).
fn render_diagnosis(o: &mut String, r: &Report) {
    let d = &r.diagnosis;
    if d.statements.is_empty() {
        return;
    }
    let _ = writeln!(o, "diagnosis");
    for s in &d.statements {
        let mark = match s.severity {
            Severity::Critical => "!!",
            Severity::Warning => "! ",
            Severity::Info => "  ",
        };
        let _ = writeln!(o, "  {mark} {}", s.text);
    }
    let _ = writeln!(o);
}

fn render_health(o: &mut String, r: &Report) {
    let h = &r.health;
    let sc = &r.diagnosis.scale;
    let _ = writeln!(
        o,
        "\nhealth      {} (runtime auditor: score {:.0} in the worst {} s window; \
         HEALTHY < {:.0} ≤ DEGRADED < {:.0} ≤ CRITICAL < {:.0} ≤ COLLAPSE_RISK)",
        h.status.as_str(),
        h.score,
        secs(h.window as f64 / 1e9),
        sc.degraded,
        sc.critical,
        sc.collapse_risk
    );
    if let Some(w) = h.worst_window.and_then(|i| h.timeline.get(i)) {
        let _ = writeln!(
            o,
            "  worst window {}–{} s: {}{}",
            secs(w.start as f64 / 1e9),
            secs(w.end as f64 / 1e9),
            w.status.as_str(),
            w.worst_service
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default()
        );
    }
    for m in &h.failure_modes {
        let _ = writeln!(o, "  {:?} {}: {}", m.severity, m.type_, m.description);
    }
    for f in &h.findings {
        let _ = writeln!(o, "  finding: {}", f.text);
    }
    for s in &r.slo {
        let _ = writeln!(
            o,
            "slo         {}: {} (SLI {:.4} vs target {:.4}, error budget {:.0}% used)",
            s.name,
            if s.met { "met" } else { "MISSED" },
            s.sli,
            s.target,
            s.error_budget_consumed * 100.0
        );
        for a in s.alerts.iter().filter(|a| !a.fired_at.is_empty()) {
            let (from, to) = a.fired_at[0];
            let _ = writeln!(
                o,
                "  {} alert ({}× burn) fired {} time(s), first {from:.0}–{to:.0} s",
                a.severity,
                a.burn_rate_threshold,
                a.fired_at.len()
            );
        }
    }
    for (name, c) in &r.collapse.0 {
        let _ = writeln!(o, "collapse    {name}: {}", collapse_line(c));
    }
    if let Some(c) = &r.cost {
        render_cost(o, c);
    }
}

/// A collapse detector's story in one line: its state, the worst, and the first and last
/// transitions (a count for the others).
fn collapse_line(c: &CollapseReport) -> String {
    let mut line = format!("{} at the end", c.state.as_str());
    if c.worst != c.state {
        let _ = write!(line, ", worst {}", c.worst.as_str());
    }
    let step = |t: &CollapseTransition| {
        format!(
            "{} → {} at {} ({})",
            t.from.as_str(),
            t.to.as_str(),
            clock(t.at as f64 / 1e9),
            t.reason
        )
    };
    match c.transitions.as_slice() {
        [] => line.push_str("; no transition"),
        [t] => {
            let _ = write!(line, "; {}", step(t));
        }
        [first, middle @ .., last] => {
            let _ = write!(
                line,
                "; {} transitions: first {}",
                c.transitions.len(),
                step(first)
            );
            if !middle.is_empty() {
                let _ = write!(line, ", {} more", middle.len());
            }
            let _ = write!(line, ", last {}", step(last));
        }
    }
    line
}

/// Spend by category, then the budget in a few lines: limit and period, spend and share used,
/// forecast, the first warning, breach and spike, and the action (counts, not every time).
fn render_cost(o: &mut String, c: &CostReport) {
    let by = &c.by_category;
    let parts: Vec<String> = [
        ("requests", by.requests),
        ("cpu", by.cpu),
        ("instances", by.instances),
        ("llm", by.llm),
    ]
    .iter()
    .filter(|(_, v)| *v != 0.0)
    .map(|(k, v)| format!("{k} {}", amount(*v)))
    .collect();
    let _ = write!(o, "cost        total {}", amount(c.total));
    if !parts.is_empty() {
        let _ = write!(o, " ({})", parts.join(", "));
    }
    o.push('\n');
    let Some(b) = &c.budget else { return };
    let state = if b.breached_at_s.is_some() {
        "OVER BUDGET"
    } else if b.warning_at_s.is_some() {
        "warning"
    } else {
        "within budget"
    };
    let _ = writeln!(
        o,
        "budget      limit {} over {}: spent {} ({:.1}% used), {state}",
        amount(b.limit),
        clock(b.period as f64 / 1e9),
        amount(b.spent),
        b.usage_ratio * 100.0
    );
    if let Some(p) = b.projected {
        let verdict = match b.forecast_breach_at_s {
            Some(t) => format!("reaches the limit (first predicted at {})", clock(t)),
            None => "within the limit".to_string(),
        };
        let _ = writeln!(
            o,
            "  forecast  {} by the end of the period: {verdict}",
            amount(p)
        );
    }
    let first = |what: &str, at: Option<f64>| match at {
        Some(t) => format!("{what} at {}", clock(t)),
        None => format!("no {what}"),
    };
    let spikes = match (b.spikes, b.spikes_at_s.first()) {
        (0, _) | (_, None) => "no spike".to_string(),
        (1, Some(t)) => format!("1 spike at {}", clock(*t)),
        (n, Some(t)) => format!("{n} spikes, first at {} ({} more)", clock(*t), n - 1),
    };
    let _ = writeln!(
        o,
        "  events    {}, {}, {spikes}",
        first("warning", b.warning_at_s),
        first("breach", b.breached_at_s)
    );
    let (action, verb) = match &b.action {
        BudgetAction::Alert => ("alert only".to_string(), "first alert"),
        BudgetAction::Throttle => ("throttle".to_string(), "first taken"),
        BudgetAction::Block { endpoint: Some(e) } => (format!("block {e}"), "first taken"),
        BudgetAction::Block { endpoint: None } => ("block all requests".to_string(), "first taken"),
    };
    let taken = match b.action_taken_at_s {
        Some(t) => format!("{verb} at {}", clock(t)),
        None => "never needed".to_string(),
    };
    let _ = writeln!(o, "  action    {action}: {taken}");
}

/// An amount of money (any currency): four significant digits, trailing zeros dropped.
fn amount(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let decimals = (3.0 - x.abs().log10().floor()).clamp(0.0, 12.0) as usize;
    let t = format!("{x:.decimals$}");
    if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        t
    }
}

/// A point or span of simulated time for people: `45 s`, `7 min 20 s`, `2 h 5 min`.
fn clock(s: f64) -> String {
    if s < 60.0 {
        return format!("{} s", secs(s));
    }
    let (big, small, unit, sub) = if s < 3600.0 {
        let m = (s / 60.0).floor();
        (m, (s - m * 60.0).round(), "min", "s")
    } else {
        let h = (s / 3600.0).floor();
        (h, ((s - h * 3600.0) / 60.0).round(), "h", "min")
    };
    // Rounding the remainder up to a whole unit carries over (59.6 s → the next minute).
    let (big, small) = if small >= 60.0 {
        (big + 1.0, 0.0)
    } else {
        (big, small)
    };
    if small == 0.0 {
        format!("{big} {unit}")
    } else {
        format!("{big} {unit} {small} {sub}")
    }
}

/// The time series as CSV, one column per series, `NaN` as an empty cell.
pub fn series_csv(s: &Series) -> String {
    let mut o = s.names().join(",");
    o.push('\n');
    for row in 0..s.len() {
        for (i, _) in s.names().iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            let v = s.column(i)[row];
            if v.is_finite() {
                let _ = write!(o, "{v}");
            }
        }
        o.push('\n');
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use loopsim_core::health::cost::CostBreakdown;
    use loopsim_core::health::BudgetReport;

    #[test]
    fn durations_pick_a_readable_unit() {
        assert_eq!(dur(Some(0.000_85)), "850 µs");
        assert_eq!(dur(Some(0.0123)), "12.3 ms");
        assert_eq!(dur(Some(1.2)), "1.20 s");
        assert_eq!(dur(None), "—");
    }

    #[test]
    fn seconds_are_short_but_never_rounded_to_zero() {
        assert_eq!(secs(0.956_292_514), "0.956");
        assert_eq!(secs(7200.0), "7200");
        assert_eq!(secs(0.5), "0.5");
        assert_eq!(secs(0.0), "0");
        assert_eq!(secs(0.001_254), "0.00125");
        assert_eq!(secs(5.0312), "5.03");
    }

    #[test]
    fn times_and_amounts_read_like_a_person_writes_them() {
        assert_eq!(clock(45.0), "45 s");
        assert_eq!(clock(0.25), "0.25 s");
        assert_eq!(clock(300.0), "5 min");
        assert_eq!(clock(440.0), "7 min 20 s");
        assert_eq!(clock(599.7), "10 min");
        assert_eq!(clock(7200.0), "2 h");
        assert_eq!(clock(7500.0), "2 h 5 min");
        assert_eq!(amount(1.252_757_766), "1.253");
        assert_eq!(amount(1.2), "1.2");
        assert_eq!(amount(0.000_012_34), "0.00001234");
        assert_eq!(amount(12_345.678), "12346");
        assert_eq!(amount(0.0), "0");
    }

    fn budget(spikes: Vec<f64>, action: BudgetAction) -> CostReport {
        CostReport {
            total: 15.5,
            by_category: CostBreakdown {
                requests: 0.5,
                cpu: 0.0,
                instances: 15.0,
                llm: 0.0,
            },
            budget: Some(BudgetReport {
                limit: 10.0,
                spent: 15.5,
                usage_ratio: 1.55,
                period: 86_400 * 1_000_000_000,
                warning_at_s: Some(1800.0),
                breached_at_s: Some(5430.0),
                spikes: spikes.len() as u64,
                spikes_at_s: spikes,
                projected: Some(16.25),
                forecast_breach: true,
                forecast_breach_at_s: Some(90.0),
                action,
                action_taken_at_s: None,
            }),
        }
    }

    #[test]
    fn a_budget_is_a_few_readable_lines_whatever_its_events() {
        let spikes: Vec<f64> = (1..=300).map(|i| i as f64 * 20.0).collect();
        let mut o = String::new();
        render_cost(&mut o, &budget(spikes, BudgetAction::Alert));
        assert_eq!(
            o,
            "cost        total 15.5 (requests 0.5, instances 15)\n\
             budget      limit 10 over 24 h: spent 15.5 (155.0% used), OVER BUDGET\n  \
             forecast  16.25 by the end of the period: reaches the limit (first predicted at 1 min 30 s)\n  \
             events    warning at 30 min, breach at 1 h 31 min, 300 spikes, first at 20 s (299 more)\n  \
             action    alert only: never needed\n"
        );
        let mut o = String::new();
        let block = BudgetAction::Block { endpoint: None };
        render_cost(&mut o, &budget(vec![61.0], block));
        assert!(o.contains("1 spike at 1 min 1 s"), "{o}");
        assert!(
            o.contains("action    block all requests: never needed"),
            "{o}"
        );
    }

    #[test]
    fn a_collapse_story_is_one_line() {
        use loopsim_core::health::CollapseState::*;
        let t = |at_s: u64, from, to| CollapseTransition {
            at: at_s * 1_000_000_000,
            from,
            to,
            reason: "queue 90% full ≥ 85%".into(),
        };
        let mut c = CollapseReport {
            state: Stable,
            worst: Stable,
            observations: 10,
            transitions: vec![],
        };
        assert_eq!(collapse_line(&c), "STABLE at the end; no transition");
        c.state = Collapsed;
        c.worst = Collapsed;
        c.transitions = vec![t(30, Stable, Collapsed)];
        assert_eq!(
            collapse_line(&c),
            "COLLAPSED at the end; STABLE → COLLAPSED at 30 s (queue 90% full ≥ 85%)"
        );
        c.state = Stable;
        c.transitions = (0..50)
            .map(|i| match i % 2 {
                0 => t(60 * (i + 1), Stable, Collapsed),
                _ => t(60 * (i + 1), Collapsed, Stable),
            })
            .collect();
        let line = collapse_line(&c);
        assert_eq!(
            line,
            "STABLE at the end, worst COLLAPSED; 50 transitions: first STABLE → COLLAPSED at \
             1 min (queue 90% full ≥ 85%), 48 more, last COLLAPSED → STABLE at 50 min (queue 90% \
             full ≥ 85%)"
        );
    }

    #[test]
    fn csv_leaves_missing_values_empty() {
        let mut s = Series::new(vec!["t_s".into(), "p99".into()]);
        s.push_row(&[1.0, f64::NAN]);
        s.push_row(&[2.0, 0.5]);
        assert_eq!(series_csv(&s), "t_s,p99\n1,\n2,0.5\n");
    }
}
