//! Human-readable renderings: the text report and the CSV of the time series.

use std::fmt::Write;

use loopsim_core::report::{Latency, Report};
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
    let _ = writeln!(o, "{} (seed {})", r.scenario, r.seed);
    let _ = writeln!(
        o,
        "simulated {} s, warm-up {} s, {} events",
        r.duration_s, r.warmup_s, r.events
    );
    if let Some(t) = &r.truncated {
        let _ = writeln!(o, "WARNING: {t}");
    }
    let _ = writeln!(o, "{}\n", r.note);
    let _ = writeln!(
        o,
        "requests    sent {}  completed {}  failed {} (timed out {}, dropped {}, out of memory {})  in flight {}",
        q.sent, q.completed, q.failed, q.timed_out, q.dropped, q.out_of_memory, q.in_flight
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
            "  {name:<14} {:>5.1}% {:>10} {:>10} {:>10} {:>9.2} {:>11} {:>10} {:>8} {:>7}",
            s.utilization * 100.0,
            dur(s.loop_lag_s.mean),
            dur(s.loop_lag_s.p99),
            dur(s.loop_lag_s.max),
            s.ready_queue.mean,
            dur(s.threadpool.queue_wait_s.mean),
            dur(s.threadpool.queue_wait_s.p99),
            s.threadpool.backlog_max,
            s.active_requests_peak,
        );
    }
    let _ = writeln!(
        o,
        "\n  util = share of time the event loops were held; lag = wait of a ready continuation in\n  \
         the loop's ready queue; ready q = mean total ready-queue length; pool wait = wait for an\n  \
         executor thread; backlog = peak offload jobs queued or running; active = peak requests in service."
    );
    o
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
    fn csv_leaves_missing_values_empty() {
        let mut s = Series::new(vec!["t_s".into(), "p99".into()]);
        s.push_row(&[1.0, f64::NAN]);
        s.push_row(&[2.0, 0.5]);
        assert_eq!(series_csv(&s), "t_s,p99\n1,\n2,0.5\n");
    }
}
