//! Which charts the report draws, from the series columns and the panels (the same choice as
//! the page: latency, throughput by outcome, loop lag and ready queue, utilisation, the thread
//! pool when something offloads, then one chart per declared pool, autoscaled service,
//! message queue and cache, a lane per guarded caller and per service with an ingress limit).
//! Per-service lines go to the most loaded services first, at most [`PALETTE`] of them; the
//! rest are named in a note, never dropped silently.

use crate::panels::Panels;
use loopsim_core::series::Series;
use loopsim_core::Report;

/// Service colours, most loaded first: distinct hues, each ≥ 3:1 on white.
pub const PALETTE: [&str; 8] = [
    "#2158d6", "#d9480f", "#2b8a3e", "#7048e8", "#c2255c", "#0b7285", "#a05a00", "#5c940d",
];

/// Where a plotted value comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// `column × scale`.
    Col(usize, f64),
    /// A fixed level (a pool's size, an autoscaling bound).
    Const(f64),
    /// `sum(part) / sum(whole) × scale` (NaN when `whole` is 0): the share of answers that
    /// failed, so the latency chart shows failures where successful latencies stop.
    Share {
        part: Vec<usize>,
        whole: Vec<usize>,
        scale: f64,
    },
}

impl Source {
    pub fn at(&self, series: &Series, i: usize) -> f64 {
        match *self {
            Source::Col(c, k) => series.column(c).get(i).map_or(f64::NAN, |v| v * k),
            Source::Const(v) => v,
            Source::Share {
                ref part,
                ref whole,
                scale,
            } => {
                let sum = |cols: &[usize]| -> f64 {
                    cols.iter()
                        .map(|&c| series.column(c).get(i).copied().unwrap_or(0.0))
                        .filter(|v| v.is_finite())
                        .sum()
                };
                let w = sum(whole);
                if w > 0.0 {
                    sum(part) / w * scale
                } else {
                    f64::NAN
                }
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub label: String,
    pub color: &'static str,
    pub source: Source,
    /// On the right axis.
    pub right: bool,
    pub dashed: bool,
    pub step: bool,
}

impl Line {
    fn new(label: impl Into<String>, color: &'static str, source: Source) -> Line {
        Line {
            label: label.into(),
            color,
            source,
            right: false,
            dashed: false,
            step: false,
        }
    }

    fn right(mut self) -> Line {
        self.right = true;
        self
    }

    fn dashed(mut self) -> Line {
        self.dashed = true;
        self
    }

    fn step(mut self) -> Line {
        self.step = true;
        self
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// Unique in the report (an HTML id: made from indices, never from names).
    pub id: String,
    pub title: String,
    pub y_label: String,
    pub y2_label: Option<String>,
    pub y_max: Option<f64>,
    pub y2_max: Option<f64>,
    pub lines: Vec<Line>,
}

impl Chart {
    fn new(
        id: impl Into<String>,
        title: impl Into<String>,
        y_label: &str,
        lines: Vec<Line>,
    ) -> Chart {
        Chart {
            id: id.into(),
            title: title.into(),
            y_label: y_label.into(),
            y2_label: None,
            y_max: None,
            y2_max: None,
            lines,
        }
    }

    fn with_right(mut self, label: &str) -> Chart {
        self.y2_label = Some(label.into());
        self
    }
}

/// The charts to draw, and a note naming the services left out of the per-service charts.
pub struct Plan {
    pub charts: Vec<Chart>,
    pub hidden_services: Vec<String>,
}

/// Services by how loaded they were: utilisation, then the worst loop lag, highest first
/// (ties keep scenario order).
pub fn services_by_load(report: &Report) -> Vec<String> {
    let mut svcs: Vec<(usize, f64, f64, &str)> = report
        .services
        .0
        .iter()
        .enumerate()
        .map(|(k, (name, s))| {
            (
                k,
                s.utilization.unwrap_or(0.0),
                s.loop_lag_s.max.unwrap_or(0.0),
                name.as_str(),
            )
        })
        .collect();
    svcs.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then(b.2.total_cmp(&a.2))
            .then(a.0.cmp(&b.0))
    });
    svcs.into_iter().map(|(.., n)| n.to_string()).collect()
}

fn lines_from(
    c: &dyn Fn(&str) -> Option<usize>,
    specs: &[(&str, &str, &'static str)],
    scale: f64,
) -> Vec<Line> {
    specs
        .iter()
        .filter_map(|(col, label, color)| {
            c(col).map(|i| Line::new(*label, color, Source::Col(i, scale)))
        })
        .collect()
}

fn standard(c: &dyn Fn(&str) -> Option<usize>, shown: &[String], panels: &Panels) -> Vec<Chart> {
    let latency = lines_from(
        c,
        &[
            ("latency_p50_s", "p50", "#2b8a3e"),
            ("latency_p95_s", "p95", "#a05a00"),
            ("latency_p99_s", "p99", "#c92a2a"),
        ],
        1e3,
    );
    let failed: Vec<usize> = ["error_rps", "timeout_rps", "rejected_rps"]
        .iter()
        .filter_map(|n| c(n))
        .collect();
    let mut latency = latency;
    let mut latency_right = None;
    if let (false, Some(ok)) = (failed.is_empty(), c("ok_rps")) {
        let mut whole = failed.clone();
        whole.push(ok);
        let share = Source::Share {
            part: failed,
            whole,
            scale: 100.0,
        };
        latency.push(
            Line::new("failed (% of answers)", "#5f3dc4", share)
                .right()
                .dashed(),
        );
        latency_right = Some("failed (% of answers)");
    }
    let mut throughput = lines_from(
        c,
        &[
            ("ok_rps", "ok (goodput)", "#2b8a3e"),
            ("error_rps", "error", "#c92a2a"),
            ("timeout_rps", "timeout", "#a05a00"),
            ("rejected_rps", "rejected", "#7048e8"),
        ],
        1.0,
    );
    throughput.extend(
        lines_from(
            c,
            &[
                ("sent_rps", "sent", "#5d6679"),
                ("attempts_rps", "attempts", "#1c7ed6"),
                ("retries_rps", "retries", "#c2255c"),
            ],
            1.0,
        )
        .into_iter()
        .map(Line::dashed),
    );
    let per_service = |metric: &str, suffix: &str, scale: f64| -> Vec<Line> {
        shown
            .iter()
            .enumerate()
            .filter_map(|(k, s)| {
                c(&format!("{s}.{metric}")).map(|i| {
                    let label = if suffix.is_empty() {
                        s.clone()
                    } else {
                        format!("{s} {suffix}")
                    };
                    Line::new(label, PALETTE[k % PALETTE.len()], Source::Col(i, scale))
                })
            })
            .collect()
    };
    let right = |lines: Vec<Line>| lines.into_iter().map(|l| l.right().dashed());
    let mut lag = per_service("loop_lag_max_s", "lag", 1e3);
    lag.extend(right(per_service("ready_queue", "ready", 1.0)));
    let mut util = Chart::new(
        "chart-util",
        "Event-loop utilisation",
        "busy (%)",
        per_service("utilization", "", 100.0),
    );
    util.y_max = Some(100.0);
    let mut out = vec![
        {
            let mut chart = Chart::new(
                "chart-latency",
                "Latency per interval and failed answers",
                "latency of successes (ms)",
                latency,
            );
            if let Some(label) = latency_right {
                chart = chart.with_right(label);
                chart.y2_max = Some(100.0);
            }
            chart
        },
        Chart::new(
            "chart-throughput",
            "Throughput by outcome, attempts and retries",
            "requests / s",
            throughput,
        ),
        Chart::new(
            "chart-lag",
            "Event-loop lag (max per interval) and ready queue",
            "lag (ms)",
            lag,
        )
        .with_right("ready queue (tasks)"),
        util,
    ];
    if panels.thread_pools {
        let mut pool = per_service("pool_queue", "queued", 1.0);
        pool.extend(right(per_service("pool_busy", "busy", 1.0)));
        out.push(
            Chart::new(
                "chart-pool",
                "Thread pool: queued jobs and busy threads",
                "queued jobs",
                pool,
            )
            .with_right("busy threads"),
        );
    }
    out
}

fn resources(c: &dyn Fn(&str) -> Option<usize>, panels: &Panels) -> Vec<Chart> {
    let mut out = Vec::new();
    for (k, p) in panels.pools.iter().enumerate() {
        let mut lines = Vec::new();
        if let Some(i) = c(&p.column("in_use")) {
            lines.push(Line::new("in use", "#2158d6", Source::Col(i, 1.0)).step());
        }
        lines.push(
            Line::new(
                format!("size ({})", p.capacity()),
                "#343a40",
                Source::Const(p.permits()),
            )
            .dashed(),
        );
        if let Some(i) = c(&p.column("waiting")) {
            lines.push(Line::new("waiting", "#c92a2a", Source::Col(i, 1.0)).right());
        }
        let title = format!(
            "Pool {} ({}): permits in use and waiting requests",
            p.pool, p.service
        );
        out.push(
            Chart::new(format!("chart-pool-{k}"), title, "permits in use", lines)
                .with_right("waiting requests"),
        );
    }
    for (k, a) in panels.scaling.iter().enumerate() {
        let mut lines = Vec::new();
        if let Some(i) = c(&a.column("replicas_ready")) {
            lines.push(Line::new("ready", "#2158d6", Source::Col(i, 1.0)).step());
        }
        if let Some(i) = c(&a.column("replicas_desired")) {
            lines.push(Line::new("desired", "#a05a00", Source::Col(i, 1.0)).step());
        }
        lines.push(
            Line::new(
                format!("max ({})", a.max),
                "#343a40",
                Source::Const(f64::from(a.max)),
            )
            .dashed(),
        );
        lines.push(
            Line::new(
                format!("min ({})", a.min),
                "#343a40",
                Source::Const(f64::from(a.min)),
            )
            .dashed(),
        );
        let title = format!("Autoscaling of {}: desired and ready replicas", a.service);
        out.push(Chart::new(
            format!("chart-scaling-{k}"),
            title,
            "replicas",
            lines,
        ));
    }
    for (k, q) in panels.queues.iter().enumerate() {
        let mut lines = Vec::new();
        if let Some(i) = c(&q.column("depth")) {
            lines.push(Line::new("depth (lag)", "#2158d6", Source::Col(i, 1.0)));
        }
        if let Some(i) = c(&q.column("in_process")) {
            lines.push(Line::new("in process", "#2b8a3e", Source::Col(i, 1.0)).dashed());
        }
        if let Some(i) = c(&q.column("oldest_age_s")) {
            lines.push(Line::new("oldest message", "#c92a2a", Source::Col(i, 1.0)).right());
        }
        let title = format!("Queue {}: depth (consumer lag) and oldest message", q.queue);
        out.push(
            Chart::new(format!("chart-queue-{k}"), title, "messages", lines)
                .with_right("oldest message age (s)"),
        );
    }
    for (k, cache) in panels.caches.iter().enumerate() {
        let mut lines = Vec::new();
        if let Some(i) = c(&cache.column("hit_ratio")) {
            lines.push(Line::new("hit ratio", "#2158d6", Source::Col(i, 100.0)));
        }
        if let Some(i) = c(&cache.column("entries")) {
            lines.push(
                Line::new(
                    format!("entries (of {})", cache.capacity),
                    "#d9480f",
                    Source::Col(i, 1.0),
                )
                .right(),
            );
        }
        let title = format!("Cache {}: hit ratio and entries", cache.cache);
        out.push(
            Chart::new(format!("chart-cache-{k}"), title, "hit ratio (%)", lines)
                .with_right("entries"),
        );
    }
    out
}

fn lanes(c: &dyn Fn(&str) -> Option<usize>, panels: &Panels) -> Vec<Chart> {
    let mut out = Vec::new();
    for (k, g) in panels.guards.iter().enumerate() {
        let mut lines = Vec::new();
        if let Some(i) = c(&format!("guard.{}.breaker_open", g.caller)).filter(|_| g.breaker) {
            let label = if g.replicas > 1 {
                format!("breaker open (share of {})", g.replicas)
            } else {
                String::from("breaker open")
            };
            lines.push(
                Line::new(
                    label,
                    "#c92a2a",
                    Source::Col(i, 1.0 / f64::from(g.replicas.max(1))),
                )
                .step(),
            );
        }
        if let Some(i) = c(&format!("guard.{}.risk", g.caller)).filter(|_| g.risk) {
            let l = Line::new("risk score", "#7048e8", Source::Col(i, 1.0));
            lines.push(if g.breaker { l.right() } else { l });
        }
        let mut chart = Chart::new(
            format!("chart-guard-{k}"),
            format!("Guard: {}", g.caller),
            "open (1) / closed (0)",
            lines,
        );
        chart.y_max = Some(1.0);
        chart.y2_max = Some(1.0);
        if g.breaker && g.risk {
            chart = chart.with_right("risk score (0–1)");
        }
        out.push(chart);
    }
    for (k, lane) in panels.ingress.iter().enumerate() {
        let s = &lane.service;
        let mut lines = Vec::new();
        if let Some(i) = c(&format!("{s}.refused_rps")) {
            lines.push(Line::new("refused", "#c92a2a", Source::Col(i, 1.0)));
        }
        if let Some(i) = c(&format!("{s}.active")) {
            lines.push(Line::new("in service", "#2158d6", Source::Col(i, 1.0)).right());
        }
        if lane.concurrency {
            if let Some(i) = c(&format!("{s}.concurrency_limit")) {
                lines.push(
                    Line::new("concurrency limit", "#2b8a3e", Source::Col(i, 1.0))
                        .right()
                        .step(),
                );
            }
        }
        out.push(
            Chart::new(
                format!("chart-ingress-{k}"),
                format!("Ingress: {s}"),
                "refused / s",
                lines,
            )
            .with_right("requests"),
        );
    }
    out
}

/// Every chart of the run, in the page's order; charts with no line are left out.
pub fn plan(series: &Series, panels: &Panels, report: &Report) -> Plan {
    let names = series.names();
    let c = |n: &str| names.iter().position(|x| x == n);
    let by_load = services_by_load(report);
    let cut = by_load.len().min(PALETTE.len());
    let (shown, hidden) = by_load.split_at(cut);
    let mut charts = standard(&c, shown, panels);
    charts.extend(resources(&c, panels));
    charts.extend(lanes(&c, panels));
    charts.retain(|ch| ch.lines.iter().any(|l| matches!(l.source, Source::Col(..))));
    Plan {
        charts,
        hidden_services: hidden.to_vec(),
    }
}
