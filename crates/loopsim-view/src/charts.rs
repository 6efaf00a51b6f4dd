//! Which charts a run gets and what each plots: the series columns, their units, colours and
//! axes. The page draws them with uPlot (`loopsim-web`'s `ui/charts.rs` and `web/charts.js`),
//! and any other host can draw the same definitions. Pure data, so the choices (every service
//! reachable, the most loaded first, distinct colours, no empty chart) are tested natively.
//!
//! Values in seconds carry the unit `s`: hosts pick s, ms or µs by magnitude when they draw
//! (a lag of 40 s reads `40 s`, not `40.0k ms`).

use loopsim_core::series::Series;

use crate::panels::{Panels, ServicePanel};

/// Services drawn together on the overview charts (lag, busy share, thread pools): the most
/// loaded ones. Every service, these and the rest, has its own charts behind the selector.
pub const OVERVIEW_SERVICES: usize = 8;

/// Colours of the lines of one chart that stand for different things (services, endpoints,
/// workloads), far enough apart to tell, in the order they are given out.
pub const PALETTE: [&str; 10] = [
    "#2158d6", "#d9480f", "#2b8a3e", "#7048e8", "#c2255c", "#0b7285", "#e67700", "#5c940d",
    "#862e9c", "#495057",
];

/// Where a plotted value comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// `column × scale`.
    Col(usize, f64),
    /// A fixed level (a pool's size).
    Const(f64),
}

impl Source {
    pub fn at(&self, series: &Series, i: usize) -> f64 {
        match *self {
            Source::Col(c, k) => series.column(c)[i] * k,
            Source::Const(v) => v,
        }
    }

    pub fn values(&self, series: &Series, from: usize) -> Vec<f64> {
        match *self {
            Source::Col(i, k) => series.column(i)[from..].iter().map(|v| v * k).collect(),
            Source::Const(v) => vec![v; series.len().saturating_sub(from)],
        }
    }
}

/// One plotted line.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub label: String,
    pub color: &'static str,
    /// `s` for durations in seconds (drawn in s, ms or µs by magnitude), else as shown.
    pub unit: &'static str,
    /// 0: left axis, 1: right axis.
    pub axis: u8,
    pub dash: bool,
    pub fill: bool,
    pub step: bool,
    /// Joins the values across intervals without one (a sparse workload's or endpoint's p99),
    /// which would otherwise be isolated dots too small to see.
    pub span: bool,
    pub source: Source,
}

impl Line {
    pub fn new(
        label: impl Into<String>,
        color: &'static str,
        unit: &'static str,
        source: Source,
    ) -> Line {
        Line {
            label: label.into(),
            color,
            unit,
            axis: 0,
            dash: false,
            fill: false,
            step: false,
            span: false,
            source,
        }
    }

    pub fn right(mut self) -> Line {
        self.axis = 1;
        self
    }

    pub fn dashed(mut self) -> Line {
        self.dash = true;
        self
    }

    pub fn filled(mut self) -> Line {
        self.fill = true;
        self
    }

    pub fn stepped(mut self) -> Line {
        self.step = true;
        self
    }

    pub fn spanning(mut self) -> Line {
        self.span = true;
        self
    }
}

/// Where a chart goes on the page.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Place {
    /// Its own figure in `index.html` (the five standard charts).
    Fixed,
    /// A new figure at the end of the main grid (pools, queues, caches, workloads, links).
    Main,
    /// A new figure in the lanes under the main grid (guards, ingress).
    Lane,
    /// The selected service's own charts.
    Service,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ChartDef {
    pub id: String,
    pub place: Place,
    pub title: String,
    pub y_label: &'static str,
    pub y2_label: Option<&'static str>,
    pub y_max: Option<f64>,
    pub y2_max: Option<f64>,
    /// Named ticks on the left axis (breaker states) instead of numbers.
    pub state_ticks: bool,
    pub height: Option<f64>,
    pub lines: Vec<Line>,
}

impl ChartDef {
    pub fn new(
        id: impl Into<String>,
        title: impl Into<String>,
        y_label: &'static str,
        lines: Vec<Line>,
    ) -> ChartDef {
        ChartDef {
            id: id.into(),
            place: Place::Fixed,
            title: title.into(),
            y_label,
            y2_label: None,
            y_max: None,
            y2_max: None,
            state_ticks: false,
            height: None,
            lines,
        }
    }
}

/// How loaded a service was over the rows so far: what orders the services.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceLoad {
    pub name: String,
    /// Mean busy share of its loops (0–1; NaN before any measured row).
    pub busy: f64,
    /// Largest loop lag of any interval, in seconds.
    pub lag_max_s: f64,
}

/// Every service, the most loaded first: by mean busy share, then by the largest loop lag
/// (a starved loop can show little work but a huge lag), then in scenario order. Without any
/// row yet, scenario order.
pub fn rank_services(
    names: &[String],
    series: &Series,
    services: &[ServicePanel],
) -> Vec<ServiceLoad> {
    let mut out: Vec<ServiceLoad> = services
        .iter()
        .map(|s| {
            let busy = col(names, &s.column("utilization"))
                .map(|i| mean(series.column(i)))
                .unwrap_or(f64::NAN);
            let lag = col(names, &s.column("loop_lag_max_s"))
                .map(|i| max(series.column(i)))
                .unwrap_or(f64::NAN);
            ServiceLoad {
                name: s.name.clone(),
                busy,
                lag_max_s: lag,
            }
        })
        .collect();
    let key = |v: f64| if v.is_nan() { -1.0 } else { v };
    // Busy shares within half a point are a tie: the lag decides.
    let bucket = |v: f64| (key(v) * 200.0).floor();
    out.sort_by(|a, b| {
        bucket(b.busy)
            .total_cmp(&bucket(a.busy))
            .then(key(b.lag_max_s).total_cmp(&key(a.lag_max_s)))
    });
    out
}

fn mean(xs: &[f64]) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for v in xs.iter().filter(|v| v.is_finite()) {
        sum += v;
        n += 1;
    }
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

fn max(xs: &[f64]) -> f64 {
    xs.iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::NAN, f64::max)
}

pub fn col(names: &[String], name: &str) -> Option<usize> {
    names.iter().position(|n| n == name)
}

const RPS: &str = "req/s";

/// The latency chart: percentiles of the successful requests, the p99 of every request with
/// failures at their time to failure, and the share that failed (right axis). While every
/// request times out, the ok-only lines have nothing to show; the other two keep going.
fn latency_chart(c: &dyn Fn(&str) -> Option<usize>) -> ChartDef {
    let mut lines = Vec::new();
    // First, so drawn under the others: without failures it equals the p99 of the successes.
    if let Some(i) = c("latency_all_p99_s") {
        lines.push(Line::new("p99 incl. failures", "#862e9c", "s", Source::Col(i, 1.0)).dashed());
    }
    for (name, label, color) in [
        ("latency_p50_s", "p50 (ok)", "#2b8a3e"),
        ("latency_p95_s", "p95 (ok)", "#e67700"),
        ("latency_p99_s", "p99 (ok)", "#2158d6"),
    ] {
        if let Some(i) = c(name) {
            lines.push(Line::new(label, color, "s", Source::Col(i, 1.0)));
        }
    }
    if let Some(i) = c("failed_ratio") {
        lines.push(
            Line::new("failed", "#c92a2a", "%", Source::Col(i, 100.0))
                .right()
                .filled(),
        );
    }
    ChartDef {
        y2_label: Some("failed (%)"),
        y2_max: Some(100.0),
        ..ChartDef::new(
            "chart-latency",
            "Latency per interval, and the share of requests that failed",
            "latency",
            lines,
        )
    }
}

/// Outcomes are disjoint (ok, error, timeout, rejected); attempts count retries too, so a
/// retry storm shows as attempts far above sent.
fn throughput_chart(c: &dyn Fn(&str) -> Option<usize>) -> ChartDef {
    let mut lines = Vec::new();
    for (name, label, color) in [
        ("ok_rps", "ok (goodput)", "#2b8a3e"),
        ("error_rps", "error", "#c92a2a"),
        ("timeout_rps", "timeout", "#e67700"),
        ("rejected_rps", "rejected", "#7048e8"),
    ] {
        if let Some(i) = c(name) {
            lines.push(Line::new(label, color, RPS, Source::Col(i, 1.0)));
        }
    }
    for (name, label, color) in [
        ("sent_rps", "sent", "#868e96"),
        ("attempts_rps", "attempts", "#1c7ed6"),
        ("retries_rps", "retries", "#e64980"),
    ] {
        if let Some(i) = c(name) {
            lines.push(Line::new(label, color, RPS, Source::Col(i, 1.0)).dashed());
        }
    }
    ChartDef::new(
        "chart-throughput",
        "Throughput by outcome, attempts and retries",
        "requests / s",
        lines,
    )
}

/// The overview charts of the most loaded services (`shown`, at most [`OVERVIEW_SERVICES`],
/// most loaded first): loop lag, busy share and, when some endpoint offloads, thread pools.
fn overview_charts(
    c: &dyn Fn(&str) -> Option<usize>,
    shown: &[&ServicePanel],
    thread_pools: bool,
) -> Vec<ChartDef> {
    let per_service = |metric: &str, unit: &'static str, scale: f64, filter: bool| -> Vec<Line> {
        shown
            .iter()
            .enumerate()
            .filter(|(_, s)| !filter || s.offloads)
            .filter_map(|(k, s)| {
                c(&s.column(metric))
                    .map(|i| Line::new(s.name.clone(), PALETTE[k], unit, Source::Col(i, scale)))
            })
            .collect()
    };
    let lag = per_service("loop_lag_max_s", "s", 1.0, false);
    let util = per_service("utilization", "%", 100.0, false);
    let mut pool: Vec<Line> = per_service("pool_queue", "jobs", 1.0, true)
        .into_iter()
        .map(|mut l| {
            l.label.push_str(" queued");
            l
        })
        .collect();
    // Busy threads take the next colours: a service's two lines never share one.
    let queued = pool.len();
    pool.extend(
        per_service("pool_busy", "threads", 1.0, true)
            .into_iter()
            .enumerate()
            .map(|(k, mut l)| {
                l.label.push_str(" busy");
                l.color = PALETTE[(queued + k) % PALETTE.len()];
                l.right().dashed()
            }),
    );
    let mut out = vec![
        ChartDef::new(
            "chart-lag",
            "Event-loop lag (max per interval), most loaded services first",
            "lag",
            lag,
        ),
        ChartDef {
            y_max: Some(100.0),
            ..ChartDef::new(
                "chart-util",
                "Event-loop utilisation, most loaded services first",
                "busy (%)",
                util,
            )
        },
    ];
    if thread_pools {
        out.push(ChartDef {
            y2_label: Some("busy threads"),
            ..ChartDef::new(
                "chart-pool",
                "Thread pool: queued jobs and busy threads",
                "queued jobs",
                pool,
            )
        });
    }
    out
}

/// The services drawn on the overview charts: the first [`OVERVIEW_SERVICES`] of `order`
/// (names, most loaded first; services missing from it follow in scenario order).
pub fn overview_services<'a>(panels: &'a Panels, order: &[String]) -> Vec<&'a ServicePanel> {
    let mut out: Vec<&ServicePanel> = order
        .iter()
        .filter_map(|n| panels.services.iter().find(|s| &s.name == n))
        .collect();
    for s in &panels.services {
        if !out.iter().any(|o| o.name == s.name) {
            out.push(s);
        }
    }
    out.truncate(OVERVIEW_SERVICES);
    out
}

/// Every chart of the page but the selected service's own, for a scenario with these series
/// columns and panels; `order` ranks the services (most loaded first) for the overview charts.
pub fn page_charts(names: &[String], panels: &Panels, order: &[String]) -> Vec<ChartDef> {
    let c = |n: &str| col(names, n);
    let shown = overview_services(panels, order);
    let mut out = vec![latency_chart(&c), throughput_chart(&c)];
    out.extend(overview_charts(&c, &shown, panels.thread_pools));
    out.extend(pool_charts(&c, panels));
    out.extend(scaling_charts(&c, panels));
    out.extend(queue_charts(&c, panels));
    out.extend(cache_charts(&c, panels));
    out.extend(workload_chart(&c, panels));
    out.extend(links_chart(names));
    out.extend(guard_lanes(&c, panels));
    out.extend(ingress_lanes(&c, panels));
    out
}

/// Per workload (with two or more: one is the latency chart already): the p99 its users
/// waited, failures included, and its failures per second on the right.
fn workload_chart(c: &dyn Fn(&str) -> Option<usize>, panels: &Panels) -> Option<ChartDef> {
    if panels.workloads.len() < 2 {
        return None;
    }
    let mut lines = Vec::new();
    for (k, w) in panels.workloads.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        if let Some(i) = c(&format!("workload.{w}.latency_all_p99_s")) {
            let l = Line::new(format!("{w} p99"), color, "s", Source::Col(i, 1.0));
            lines.push(l.spanning());
        }
        if let Some(i) = c(&format!("workload.{w}.failed_rps")) {
            let l = Line::new(format!("{w} failed"), color, RPS, Source::Col(i, 1.0));
            lines.push(l.right().dashed());
        }
    }
    Some(ChartDef {
        place: Place::Main,
        y2_label: Some("failed / s"),
        ..ChartDef::new(
            "chart-workloads",
            "Per workload: p99 incl. failures and failures per second",
            "p99",
            lines,
        )
    })
}

/// One service's own charts: its loop (lag max and mean, ready queue), its busy share and
/// requests in service, its endpoints (answered and failed per second; p99 in service), and
/// its thread pool when it offloads.
pub fn service_charts(names: &[String], s: &ServicePanel) -> Vec<ChartDef> {
    let c = |n: &str| col(names, n);
    let name = &s.name;
    let mut lag = Vec::new();
    if let Some(i) = c(&s.column("loop_lag_max_s")) {
        lag.push(Line::new("lag max", "#c92a2a", "s", Source::Col(i, 1.0)));
    }
    if let Some(i) = c(&s.column("loop_lag_mean_s")) {
        lag.push(Line::new("lag mean", "#e67700", "s", Source::Col(i, 1.0)));
    }
    if let Some(i) = c(&s.column("ready_queue")) {
        lag.push(Line::new("ready queue", "#2158d6", "tasks", Source::Col(i, 1.0)).right());
    }
    let mut busy = Vec::new();
    if let Some(i) = c(&s.column("utilization")) {
        busy.push(Line::new("busy", "#2b8a3e", "%", Source::Col(i, 100.0)).filled());
    }
    if let Some(i) = c(&s.column("active")) {
        busy.push(Line::new("in service", "#7048e8", "requests", Source::Col(i, 1.0)).right());
    }
    let mut out = vec![
        ChartDef {
            place: Place::Service,
            y2_label: Some("ready queue (tasks)"),
            ..ChartDef::new(
                "chart-svc-lag",
                format!("{name}: event-loop lag and ready queue"),
                "lag",
                lag,
            )
        },
        ChartDef {
            place: Place::Service,
            y_max: Some(100.0),
            y2_label: Some("requests in service"),
            ..ChartDef::new(
                "chart-svc-busy",
                format!("{name}: loop busy and requests in service"),
                "busy (%)",
                busy,
            )
        },
    ];
    if !s.endpoints.is_empty() {
        let mut rate = Vec::new();
        let mut p99 = Vec::new();
        for (k, path) in s.endpoints.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            if let Some(i) = c(&s.endpoint_column(path, "rate_rps")) {
                rate.push(Line::new(path.clone(), color, RPS, Source::Col(i, 1.0)));
            }
            if let Some(i) = c(&s.endpoint_column(path, "failed_rps")) {
                let l = Line::new(format!("{path} failed"), color, RPS, Source::Col(i, 1.0));
                rate.push(l.dashed());
            }
            if let Some(i) = c(&s.endpoint_column(path, "p99_s")) {
                let l = Line::new(path.clone(), color, "s", Source::Col(i, 1.0));
                p99.push(l.spanning());
            }
        }
        out.push(ChartDef {
            place: Place::Service,
            ..ChartDef::new(
                "chart-svc-endpoints",
                format!("{name}: requests answered per endpoint (dashed: failed)"),
                "requests / s",
                rate,
            )
        });
        out.push(ChartDef {
            place: Place::Service,
            ..ChartDef::new(
                "chart-svc-endpoint-p99",
                format!("{name}: p99 time in service per endpoint (failures included)"),
                "p99",
                p99,
            )
        });
    }
    if s.offloads {
        let mut pool = Vec::new();
        if let Some(i) = c(&s.column("pool_queue")) {
            pool.push(Line::new("queued", "#c92a2a", "jobs", Source::Col(i, 1.0)));
        }
        if let Some(i) = c(&s.column("pool_busy")) {
            pool.push(Line::new("busy", "#2158d6", "threads", Source::Col(i, 1.0)).right());
        }
        out.push(ChartDef {
            place: Place::Service,
            y2_label: Some("busy threads"),
            ..ChartDef::new(
                "chart-svc-pool",
                format!("{name}: thread pool, queued jobs and busy threads"),
                "queued jobs",
                pool,
            )
        });
    }
    out
}

/// One chart per declared pool: permits in use against its size, and its waiters.
fn pool_charts(c: &dyn Fn(&str) -> Option<usize>, panels: &Panels) -> Vec<ChartDef> {
    let mut out = Vec::new();
    for (k, p) in panels.pools.iter().enumerate() {
        let mut lines = Vec::new();
        if let Some(i) = c(&p.column("in_use")) {
            lines.push(
                Line::new("in use", "#2158d6", "permits", Source::Col(i, 1.0))
                    .filled()
                    .stepped(),
            );
        }
        let size = Line::new(
            format!("size ({})", p.capacity()),
            "#343a40",
            "permits",
            Source::Const(p.permits()),
        );
        lines.push(size.dashed().stepped());
        if let Some(i) = c(&p.column("waiting")) {
            lines.push(Line::new("waiting", "#c92a2a", "requests", Source::Col(i, 1.0)).right());
        }
        out.push(ChartDef {
            place: Place::Main,
            y2_label: Some("waiting requests"),
            ..ChartDef::new(
                format!("chart-pool-{k}"),
                format!(
                    "Pool {} ({}): permits in use and waiting requests",
                    p.pool, p.service
                ),
                "permits in use",
                lines,
            )
        });
    }
    out
}

/// One chart per autoscaled service: desired and ready replicas (steps) between its bounds.
/// Ready lags desired by the provisioning delay.
fn scaling_charts(c: &dyn Fn(&str) -> Option<usize>, panels: &Panels) -> Vec<ChartDef> {
    let mut out = Vec::new();
    for (k, a) in panels.scaling.iter().enumerate() {
        let mut lines = Vec::new();
        if let Some(i) = c(&a.column("replicas_ready")) {
            lines.push(
                Line::new("ready", "#2158d6", "replicas", Source::Col(i, 1.0))
                    .filled()
                    .stepped(),
            );
        }
        if let Some(i) = c(&a.column("replicas_desired")) {
            lines.push(Line::new("desired", "#e67700", "replicas", Source::Col(i, 1.0)).stepped());
        }
        let bound = |label: String, v: u32| {
            Line::new(label, "#343a40", "replicas", Source::Const(f64::from(v)))
                .stepped()
                .dashed()
        };
        lines.push(bound(format!("max ({})", a.max), a.max));
        lines.push(bound(format!("min ({})", a.min), a.min));
        out.push(ChartDef {
            place: Place::Main,
            ..ChartDef::new(
                format!("chart-scaling-{k}"),
                format!("Autoscaling of {}: desired and ready replicas", a.service),
                "replicas",
                lines,
            )
        });
    }
    out
}

/// Per queue: its depth (consumer lag) filled, the messages in process, and the age of the
/// oldest message held on the right axis.
fn queue_charts(c: &dyn Fn(&str) -> Option<usize>, panels: &Panels) -> Vec<ChartDef> {
    let mut out = Vec::new();
    for (k, q) in panels.queues.iter().enumerate() {
        let mut lines = Vec::new();
        if let Some(i) = c(&q.column("depth")) {
            lines.push(
                Line::new("depth (lag)", "#2158d6", "messages", Source::Col(i, 1.0)).filled(),
            );
        }
        if let Some(i) = c(&q.column("in_process")) {
            lines
                .push(Line::new("in process", "#2b8a3e", "messages", Source::Col(i, 1.0)).dashed());
        }
        if let Some(i) = c(&q.column("oldest_age_s")) {
            lines.push(Line::new("oldest message", "#c92a2a", "s", Source::Col(i, 1.0)).right());
        }
        out.push(ChartDef {
            place: Place::Main,
            y2_label: Some("oldest message age"),
            ..ChartDef::new(
                format!("chart-queue-{k}"),
                format!("Queue {}: depth (consumer lag) and oldest message", q.queue),
                "messages",
                lines,
            )
        });
    }
    out
}

/// Per cache: the hit ratio over each interval (the warm-up, a flush's stampede) and the
/// entries held on the right axis.
fn cache_charts(c: &dyn Fn(&str) -> Option<usize>, panels: &Panels) -> Vec<ChartDef> {
    let mut out = Vec::new();
    for (k, cache) in panels.caches.iter().enumerate() {
        let mut lines = Vec::new();
        if let Some(i) = c(&cache.column("hit_ratio")) {
            lines.push(Line::new(
                "hit ratio",
                "#2158d6",
                "%",
                Source::Col(i, 100.0),
            ));
        }
        if let Some(i) = c(&cache.column("entries")) {
            let label = format!("entries (of {})", cache.capacity);
            lines.push(Line::new(label, "#e8590c", "entries", Source::Col(i, 1.0)).right());
        }
        out.push(ChartDef {
            place: Place::Main,
            y2_label: Some("entries"),
            ..ChartDef::new(
                format!("chart-cache-{k}"),
                format!("Cache {}: hit ratio and entries", cache.cache),
                "hit ratio (%)",
                lines,
            )
        });
    }
    out
}

/// One lane per guarded caller: its breaker state and/or its risk score.
fn guard_lanes(c: &dyn Fn(&str) -> Option<usize>, panels: &Panels) -> Vec<ChartDef> {
    let mut out = Vec::new();
    for (k, g) in panels.guards.iter().enumerate() {
        let mut lines = Vec::new();
        if let Some(i) = c(&format!("guard.{}.breaker_open", g.caller)).filter(|_| g.breaker) {
            let label = if g.replicas > 1 {
                format!("breaker (share of {} open)", g.replicas)
            } else {
                String::from("breaker")
            };
            let scale = 1.0 / f64::from(g.replicas.max(1));
            lines.push(
                Line::new(label, "#c92a2a", "", Source::Col(i, scale))
                    .filled()
                    .stepped(),
            );
        }
        if let Some(i) = c(&format!("guard.{}.risk", g.caller)).filter(|_| g.risk) {
            let l = Line::new("risk score", "#7048e8", "", Source::Col(i, 1.0));
            lines.push(if g.breaker { l.right() } else { l });
        }
        out.push(ChartDef {
            place: Place::Lane,
            y_max: Some(1.0),
            y2_max: Some(1.0),
            y2_label: g.breaker.then_some("risk score (0–1)"),
            state_ticks: g.breaker,
            height: Some(150.0),
            ..ChartDef::new(
                format!("chart-guard-{k}"),
                format!("Guard: {}", g.caller),
                if g.breaker {
                    "breaker state"
                } else {
                    "risk score (0–1)"
                },
                lines,
            )
        });
    }
    out
}

/// One lane per service with an ingress limit: refused per second, requests in service and
/// the concurrency limit.
fn ingress_lanes(c: &dyn Fn(&str) -> Option<usize>, panels: &Panels) -> Vec<ChartDef> {
    let mut out = Vec::new();
    for (k, lane) in panels.ingress.iter().enumerate() {
        let s = &lane.service;
        let mut lines = Vec::new();
        if let Some(i) = c(&format!("{s}.refused_rps")) {
            lines.push(Line::new("refused", "#c92a2a", RPS, Source::Col(i, 1.0)));
        }
        if let Some(i) = c(&format!("{s}.active")) {
            lines.push(Line::new("in service", "#2158d6", "requests", Source::Col(i, 1.0)).right());
        }
        if lane.concurrency {
            if let Some(i) = c(&format!("{s}.concurrency_limit")) {
                let l = Line::new(
                    "concurrency limit",
                    "#2b8a3e",
                    "requests",
                    Source::Col(i, 1.0),
                );
                lines.push(l.right().stepped());
            }
        }
        out.push(ChartDef {
            place: Place::Lane,
            y2_label: Some("requests"),
            height: Some(150.0),
            ..ChartDef::new(
                format!("chart-ingress-{k}"),
                format!("Ingress: {s}"),
                "refused / s",
                lines,
            )
        });
    }
    out
}

/// One chart of the bandwidth channels of the hops (`link.<from>-<to>.busy` and `.in_flight`
/// columns): busy share on the left, transfers in flight (dashed) on the right. None without.
fn links_chart(names: &[String]) -> Option<ChartDef> {
    let mut lines = Vec::new();
    let links = names
        .iter()
        .filter_map(|n| n.strip_prefix("link.")?.strip_suffix(".busy"));
    for (k, link) in links.take(PALETTE.len()).enumerate() {
        let color = PALETTE[k];
        if let Some(i) = col(names, &format!("link.{link}.busy")) {
            lines.push(Line::new(
                format!("{link} busy"),
                color,
                "%",
                Source::Col(i, 100.0),
            ));
        }
        if let Some(i) = col(names, &format!("link.{link}.in_flight")) {
            let l = Line::new(
                format!("{link} in flight"),
                color,
                "transfers",
                Source::Col(i, 1.0),
            );
            lines.push(l.right().dashed());
        }
    }
    if lines.is_empty() {
        return None;
    }
    Some(ChartDef {
        place: Place::Main,
        y2_label: Some("transfers in flight"),
        y_max: Some(100.0),
        ..ChartDef::new(
            "chart-links",
            "Links: busy share and transfers in flight",
            "busy (%)",
            lines,
        )
    })
}

/// The note under the service selector: which services the overview charts leave out, so none
/// is dropped silently.
pub fn hidden_note(panels: &Panels, order: &[String]) -> String {
    let hidden = hidden_services(panels, order);
    if hidden.is_empty() {
        return String::new();
    }
    format!(
        "The overview charts show the {} most loaded of {} services; not shown there: {}. Choose any service above for its own charts.",
        overview_services(panels, order).len(),
        panels.services.len(),
        hidden.join(", ")
    )
}

/// The services the overview charts leave out, most loaded first (`order`).
pub fn hidden_services<'a>(panels: &Panels, order: &'a [String]) -> Vec<&'a str> {
    let shown = overview_services(panels, order);
    order
        .iter()
        .map(String::as_str)
        .filter(|n| !shown.iter().any(|s| s.name == *n))
        .collect()
}

#[cfg(test)]
mod tests;
