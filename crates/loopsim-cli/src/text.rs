//! Human-readable renderings: the text report and the CSV of the time series.

use std::fmt::Write;

use loopsim_core::report::{Latency, Report, Stopped};
use loopsim_core::series::Series;

/// Seconds as a short human unit (`850 µs`, `12.3 ms`, `1.20 s`).
fn dur(s: Option<f64>) -> String {
    match s {
        None => "—".into(),
        Some(s) if s < 1e-3 => format!("{:.0} µs", s * 1e6),
        Some(s) if s < 1.0 => format!("{:.1} ms", s * 1e3),
        Some(s) => format!("{s:.2} s"),
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
        "simulated {simulated}, warm-up {} s, {} events",
        secs(r.warmup_s),
        r.events
    );
    let _ = writeln!(o, "{}\n", r.note);
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
    if r.workloads.0.len() > 1 {
        let _ = writeln!(o, "\nworkloads");
        for (name, w) in &r.workloads.0 {
            let _ = writeln!(
                o,
                "  {name:<14} {:>8.1} req/s  failed {:<6} {}",
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
        "pool wait",
        "pool p99",
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
    render_guards_and_faults(&mut o, r);
    render_health(&mut o, r);
    let _ = writeln!(
        o,
        "\n  util = share of time the event loops were held; lag = wait of a ready continuation in\n  \
         the loop's ready queue; ready q = mean total ready-queue length; pool wait = wait for an\n  \
         executor thread; backlog = peak offload jobs queued or running; active = peak requests in service."
    );
    o
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
        let _ = writeln!(
            o,
            "fault       {} on {} from {} s to {} s",
            f.kind, f.target, f.at_s, f.until_s
        );
    }
}

fn render_health(o: &mut String, r: &Report) {
    let h = &r.health;
    let _ = writeln!(
        o,
        "\nhealth      {} (score {:.0} in the worst {} s window)",
        h.status.as_str(),
        h.score,
        secs(h.window as f64 / 1e9)
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
        let _ = writeln!(
            o,
            "collapse    {name}: {}",
            serde_json::to_string(c).unwrap_or_default()
        );
    }
    if let Some(c) = &r.cost {
        let _ = writeln!(o, "cost        total {:.4}", c.total);
        if let Some(b) = &c.budget {
            let _ = writeln!(
                o,
                "  budget {}",
                serde_json::to_string(b).unwrap_or_default()
            );
        }
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
    fn csv_leaves_missing_values_empty() {
        let mut s = Series::new(vec!["t_s".into(), "p99".into()]);
        s.push_row(&[1.0, f64::NAN]);
        s.push_row(&[2.0, 0.5]);
        assert_eq!(series_csv(&s), "t_s,p99\n1,\n2,0.5\n");
    }
}
