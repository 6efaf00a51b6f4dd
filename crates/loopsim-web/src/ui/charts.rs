//! What the charts show: which series columns, in which units, on which axis. The uPlot
//! plumbing is in `web/charts.js`; this module only builds specs and feeds new rows.

use js_sys::{Array, Float64Array};
use loopsim_core::series::Series;
use loopsim_core::Report;
use loopsim_web::panels::{self, Panels, STATUSES};
use loopsim_web::{decimate, format};
use wasm_bindgen::JsValue;
use web_sys::Element;

use super::dom;
use super::glue;

/// Up to this many rows, charts get every row (appended as they come).
const DIRECT_ROWS: usize = 4000;
/// Past that, charts are redrawn from this many min/max buckets (two points each).
const BUCKETS: usize = 1500;

/// Colours of services, in scenario order (charts show at most this many services).
const PALETTE: [&str; 8] = [
    "#2158d6", "#d9480f", "#2b8a3e", "#7048e8", "#c2255c", "#0b7285", "#e67700", "#5c940d",
];

/// Where a plotted value comes from.
#[derive(Clone, Debug)]
enum Source {
    /// `column × scale`.
    Col(usize, f64),
    /// A fixed level (a pool's size).
    Const(f64),
}

impl Source {
    fn at(&self, series: &Series, i: usize) -> f64 {
        match *self {
            Source::Col(c, k) => series.column(c)[i] * k,
            Source::Const(v) => v,
        }
    }

    fn values(&self, series: &Series, from: usize) -> Vec<f64> {
        match *self {
            Source::Col(i, k) => series.column(i)[from..].iter().map(|v| v * k).collect(),
            Source::Const(v) => vec![v; series.len().saturating_sub(from)],
        }
    }
}

struct Line {
    label: String,
    color: &'static str,
    unit: &'static str,
    axis: u8,
    dash: bool,
    fill: bool,
    step: bool,
    source: Source,
}

impl Line {
    fn new(
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
            source,
        }
    }

    fn right(mut self) -> Line {
        self.axis = 1;
        self
    }

    fn dashed(mut self) -> Line {
        self.dash = true;
        self
    }
}

/// Where a chart goes on the page.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    /// Its own figure in `index.html` (the five standard charts).
    Fixed,
    /// A new figure at the end of the main grid, after the thread-pool chart (pools).
    Main,
    /// A new figure in the lanes under the main grid (guards, ingress).
    Lane,
}

struct ChartDef {
    id: String,
    place: Place,
    title: String,
    y_label: &'static str,
    y2_label: Option<&'static str>,
    y_max: Option<f64>,
    y2_max: Option<f64>,
    /// Named ticks on the left axis (breaker states) instead of numbers.
    state_ticks: bool,
    height: Option<f64>,
    lines: Vec<Line>,
}

impl ChartDef {
    fn new(
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

struct Chart {
    handle: JsValue,
    lines: Vec<Source>,
}

/// The charts of the page, built for one scenario's series columns and panels: the five
/// standard charts, one per declared pool beside them, a lane per guarded caller and per service with an ingress limit, and the
/// health status lane.
#[derive(Default)]
pub struct Charts {
    charts: Vec<Chart>,
    /// The health lane (fed from the report, not from the series).
    lane: Option<JsValue>,
    /// The lane's columns as drawn (bit patterns, so `NaN` gaps compare): redrawn when they
    /// change — a new window, or the last one settled by the final report.
    lane_drawn: Vec<u64>,
    time: usize,
    fed: usize,
    /// Showing min/max buckets rather than every row.
    decimated: bool,
    /// Figures added to the main grid (pool charts), removed on rebuild.
    added: Vec<Element>,
}

/// Per queue: its depth (consumer lag) filled, the messages in process, and the age of the
/// oldest message held on the right axis.
fn queue_charts(c: &dyn Fn(&str) -> Option<usize>, panels: &Panels) -> Vec<ChartDef> {
    let mut out = Vec::new();
    for (k, q) in panels.queues.iter().enumerate() {
        let mut lines = Vec::new();
        if let Some(i) = c(&q.column("depth")) {
            let mut l = Line::new("depth (lag)", "#2158d6", "messages", Source::Col(i, 1.0));
            l.fill = true;
            lines.push(l);
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
            y2_label: Some("oldest message age (s)"),
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

fn col(names: &[String], name: &str) -> Option<usize> {
    names.iter().position(|n| n == name)
}

/// Service names in column order (columns are `<service>.<metric>`).
fn services(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if let Some(svc) = n.strip_suffix(".utilization") {
            out.push(svc.to_string());
        }
    }
    out
}

const RPS: &str = "req/s";

/// One chart per autoscaled service: desired and ready replicas (steps) between its bounds,
/// following the pool charts' pattern. Ready lags desired by the provisioning delay.
fn scaling_defs(names: &[String], panels: &Panels) -> Vec<ChartDef> {
    let c = |n: &str| col(names, n);
    let mut out = Vec::new();
    for (k, a) in panels.scaling.iter().enumerate() {
        let mut lines = Vec::new();
        if let Some(i) = c(&a.column("replicas_ready")) {
            let mut l = Line::new("ready", "#2158d6", "replicas", Source::Col(i, 1.0));
            l.fill = true;
            l.step = true;
            lines.push(l);
        }
        if let Some(i) = c(&a.column("replicas_desired")) {
            let mut l = Line::new("desired", "#e67700", "replicas", Source::Col(i, 1.0));
            l.step = true;
            lines.push(l);
        }
        let bound = |label: String, v: u32| {
            let mut l = Line::new(label, "#343a40", "replicas", Source::Const(f64::from(v)));
            l.step = true;
            l.dashed()
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

fn defs(names: &[String], panels: &Panels) -> Vec<ChartDef> {
    let c = |n: &str| col(names, n);
    let mut latency = Vec::new();
    for (name, label, color) in [
        ("latency_p50_s", "p50", "#2b8a3e"),
        ("latency_p95_s", "p95", "#e67700"),
        ("latency_p99_s", "p99", "#c92a2a"),
    ] {
        if let Some(i) = c(name) {
            latency.push(Line::new(label, color, "ms", Source::Col(i, 1e3)));
        }
    }
    // Outcomes are disjoint (ok, error, timeout, rejected); attempts count retries too, so a
    // retry storm shows as attempts far above sent.
    let mut throughput = Vec::new();
    for (name, label, color) in [
        ("ok_rps", "ok (goodput)", "#2b8a3e"),
        ("error_rps", "error", "#c92a2a"),
        ("timeout_rps", "timeout", "#e67700"),
        ("rejected_rps", "rejected", "#7048e8"),
    ] {
        if let Some(i) = c(name) {
            throughput.push(Line::new(label, color, RPS, Source::Col(i, 1.0)));
        }
    }
    for (name, label, color) in [
        ("sent_rps", "sent", "#868e96"),
        ("attempts_rps", "attempts", "#1c7ed6"),
        ("retries_rps", "retries", "#e64980"),
    ] {
        if let Some(i) = c(name) {
            throughput.push(Line::new(label, color, RPS, Source::Col(i, 1.0)).dashed());
        }
    }
    let svcs = services(names);
    let shown = &svcs[..svcs.len().min(PALETTE.len())];
    let per_service = |metric: &str, suffix: &str, unit: &'static str, scale: f64| -> Vec<Line> {
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
                    Line::new(label, PALETTE[k], unit, Source::Col(i, scale))
                })
            })
            .collect()
    };
    let right = |lines: Vec<Line>| lines.into_iter().map(|l| l.right().dashed());
    let mut lag = per_service("loop_lag_max_s", "lag", "ms", 1e3);
    lag.extend(right(per_service("ready_queue", "ready", "tasks", 1.0)));
    let util = per_service("utilization", "", "%", 100.0);
    let mut pool = per_service("pool_queue", "queued", "jobs", 1.0);
    pool.extend(right(per_service("pool_busy", "busy", "threads", 1.0)));
    let mut out = vec![
        ChartDef::new(
            "chart-latency",
            "Latency per interval",
            "latency (ms)",
            latency,
        ),
        ChartDef::new(
            "chart-throughput",
            "Throughput by outcome, attempts and retries",
            "requests / s",
            throughput,
        ),
        ChartDef {
            y2_label: Some("ready queue (tasks)"),
            ..ChartDef::new(
                "chart-lag",
                "Event-loop lag (max per interval) and ready queue",
                "lag (ms)",
                lag,
            )
        },
        ChartDef {
            y_max: Some(100.0),
            ..ChartDef::new("chart-util", "Event-loop utilisation", "busy (%)", util)
        },
        ChartDef {
            y2_label: Some("busy threads"),
            ..ChartDef::new(
                "chart-pool",
                "Thread pool: queued jobs and busy threads",
                "queued jobs",
                pool,
            )
        },
    ];
    if !panels.thread_pools {
        // No endpoint offloads: the thread-pool chart would be flat at zero.
        out.retain(|d| d.id != "chart-pool");
    }
    for (k, p) in panels.pools.iter().enumerate() {
        let mut lines = Vec::new();
        if let Some(i) = c(&p.column("in_use")) {
            let mut l = Line::new("in use", "#2158d6", "permits", Source::Col(i, 1.0));
            l.fill = true;
            l.step = true;
            lines.push(l);
        }
        let mut size = Line::new(
            format!("size ({})", p.capacity()),
            "#343a40",
            "permits",
            Source::Const(p.permits()),
        )
        .dashed();
        size.step = true;
        lines.push(size);
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
    out.extend(scaling_defs(names, panels));
    out.extend(queue_charts(&c, panels));
    out.extend(cache_charts(&c, panels));
    if let Some(links) = links_chart(names) {
        out.push(links);
    }
    for (k, g) in panels.guards.iter().enumerate() {
        let mut lines = Vec::new();
        if let Some(i) = c(&format!("guard.{}.breaker_open", g.caller)).filter(|_| g.breaker) {
            let label = if g.replicas > 1 {
                format!("breaker (share of {} open)", g.replicas)
            } else {
                String::from("breaker")
            };
            let mut l = Line::new(
                label,
                "#c92a2a",
                "",
                Source::Col(i, 1.0 / f64::from(g.replicas.max(1))),
            );
            l.fill = true;
            l.step = true;
            lines.push(l);
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
                let mut l = Line::new(
                    "concurrency limit",
                    "#2b8a3e",
                    "requests",
                    Source::Col(i, 1.0),
                )
                .right();
                l.step = true;
                lines.push(l);
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

/// Fault bands as the chart specs take them.
fn bands(panels: &Panels) -> JsValue {
    dom::arr(panels.faults.iter().map(|f| {
        dom::obj(&[
            ("from", dom::n(f.from_s)),
            ("to", dom::n(f.to_s)),
            ("label", dom::s(f.kind)),
            ("target", dom::s(&f.target)),
            ("color", dom::s(panels::fault_color(f.kind))),
        ])
    }))
}

/// The legend of the fault bands above the charts (hidden without faults).
fn fault_legend(panels: &Panels) {
    let root: Element = dom::by_id("faults-legend");
    dom::clear(&root);
    dom::hide(&root, panels.faults.is_empty());
    if panels.faults.is_empty() {
        return;
    }
    let _ = root.append_child(&dom::el_text("span", "faults-title", "Faults:"));
    for f in &panels.faults {
        let item = dom::el("span");
        item.set_class_name("fault-item");
        let swatch = dom::el("span");
        swatch.set_class_name("swatch");
        let _ = swatch.set_attribute(
            "style",
            &format!("background:{}", panels::fault_color(f.kind)),
        );
        let _ = item.append_child(&swatch);
        let text = format!(
            "{} on {}, {}–{} s",
            f.kind,
            f.target,
            format::num(f.from_s),
            format::num(f.to_s)
        );
        let _ = item.append_child(&dom::document().create_text_node(&text));
        let _ = root.append_child(&item);
    }
}

impl Charts {
    /// Replaces every chart with empty ones for a scenario with these series columns and
    /// panels.
    pub fn rebuild(&mut self, names: &[String], panels: &Panels) {
        self.destroy();
        self.time = col(names, "t_s").unwrap_or(0);
        self.fed = 0;
        self.decimated = false;
        self.lane_drawn.clear();
        fault_legend(panels);
        let bands = bands(panels);
        let lanes: Element = dom::by_id("guard-charts");
        dom::clear(&lanes);
        let main: Element = dom::by_id("main-charts");
        let defs = defs(names, panels);
        // The thread-pool chart's fixed figure is hidden, not left an empty box, when no
        // endpoint offloads.
        let pool_figure: Element = dom::by_id("chart-pool");
        let pool_shown = defs.iter().any(|d| d.id == "chart-pool");
        if !pool_shown {
            dom::clear(&pool_figure);
        }
        dom::hide(&pool_figure, !pool_shown);
        dom::hide(&lanes, !defs.iter().any(|d| d.place == Place::Lane));
        for (k, d) in defs.into_iter().enumerate() {
            let new_figure = |class: &str, into: &Element| {
                let fig = dom::el("figure");
                fig.set_class_name(class);
                let _ = fig.set_attribute("id", &d.id);
                let _ = into.append_child(&fig);
                fig
            };
            let parent: Element = match d.place {
                Place::Fixed => dom::by_id(&d.id),
                Place::Main => {
                    let fig = new_figure("chart pool-chart", &main);
                    self.added.push(fig.clone());
                    fig
                }
                Place::Lane => new_figure("chart lane-chart", &lanes),
            };
            dom::clear(&parent);
            let series = d.lines.iter().map(|l| {
                dom::obj(&[
                    ("label", dom::s(&l.label)),
                    ("color", dom::s(l.color)),
                    ("unit", dom::s(l.unit)),
                    ("axis", dom::n(l.axis)),
                    ("dash", JsValue::from_bool(l.dash)),
                    ("fill", JsValue::from_bool(l.fill)),
                    ("step", JsValue::from_bool(l.step)),
                ])
            });
            let opt = |v: Option<f64>| v.map_or(JsValue::NULL, dom::n);
            let ticks = if d.state_ticks {
                dom::arr(
                    [(0.0, "closed"), (0.5, "half-open"), (1.0, "open")]
                        .into_iter()
                        .map(|(v, l)| dom::arr([dom::n(v), dom::s(l)])),
                )
            } else {
                JsValue::NULL
            };
            let spec = dom::obj(&[
                ("title", dom::s(&d.title)),
                ("xLabel", dom::s("simulated time (s)")),
                ("yLabel", dom::s(d.y_label)),
                ("y2Label", d.y2_label.map_or(JsValue::NULL, dom::s)),
                ("yMin", dom::n(0)),
                ("yMax", opt(d.y_max)),
                ("y2Max", opt(d.y2_max)),
                ("yTicks", ticks),
                ("height", opt(d.height)),
                ("xMax", dom::n(panels.duration_s)),
                ("bands", bands.clone()),
                ("bandLabels", JsValue::from_bool(k == 0)),
                ("series", dom::arr(series)),
            ]);
            let handle = glue::create_chart(&parent, &spec);
            self.charts.push(Chart {
                handle,
                lines: d.lines.into_iter().map(|l| l.source).collect(),
            });
        }
        self.lane = Some(health_lane(panels, &bands));
    }

    /// Shows the health windows of `report` on the status lane (when there are new ones).
    pub fn set_health(&mut self, report: &Report) {
        let Some(lane) = &self.lane else { return };
        let (x, y) = panels::lane_columns(report);
        let drawn: Vec<u64> = x.iter().chain(&y).map(|v| v.to_bits()).collect();
        if drawn == self.lane_drawn {
            return;
        }
        self.lane_drawn = drawn;
        let cols = Array::new();
        cols.push(&Float64Array::from(x.as_slice()));
        cols.push(&Float64Array::from(y.as_slice()));
        glue::set_chart_data(lane, &cols);
        let figure: Element = dom::by_id("chart-health");
        let worst = report
            .health
            .timeline
            .iter()
            .map(|w| w.status)
            .max()
            .unwrap_or_default();
        let _ = figure.set_attribute("data-worst", worst.as_str());
    }

    /// Marks an early stop at `at_s` on every chart and lane: the rest of the time axis is
    /// hatched as never simulated.
    pub fn set_stop(&self, at_s: f64) {
        let label = format!(
            "not simulated: the run stopped early at {}",
            loopsim_web::format::secs(Some(at_s))
        );
        for c in &self.charts {
            glue::set_stop(&c.handle, at_s, &label);
        }
        if let Some(lane) = &self.lane {
            glue::set_stop(lane, at_s, &label);
        }
    }

    /// Plots the rows of `series` not plotted yet: appended one by one up to [`DIRECT_ROWS`]
    /// rows, then redrawn from [`BUCKETS`] min/max buckets so drawing stays cheap. Returns the
    /// milliseconds spent drawing.
    pub fn feed(&mut self, series: &Series) -> f64 {
        let len = series.len();
        if len <= self.fed {
            return 0.0;
        }
        if len > DIRECT_ROWS || self.decimated {
            self.decimated = true;
            self.fed = len;
            return self.redraw_decimated(series);
        }
        let mut ms = 0.0;
        let from = self.fed;
        let x = Float64Array::from(&series.column(self.time)[from..]);
        for chart in &self.charts {
            let cols = Array::new();
            cols.push(&x);
            for src in &chart.lines {
                cols.push(&Float64Array::from(src.values(series, from).as_slice()));
            }
            ms += glue::append_chart_data(&chart.handle, &cols);
        }
        self.fed = len;
        ms
    }

    fn redraw_decimated(&self, series: &Series) -> f64 {
        let t = series.column(self.time);
        let ranges: Vec<(usize, usize)> = decimate::ranges(series.len(), BUCKETS).collect();
        let mut xs = Vec::with_capacity(2 * ranges.len());
        for &(a, b) in &ranges {
            xs.push(t[a]);
            if b - a > 1 {
                xs.push(t[b - 1]);
            }
        }
        let x = Float64Array::from(xs.as_slice());
        let mut v = Vec::with_capacity(xs.len());
        let mut ms = 0.0;
        for chart in &self.charts {
            let cols = Array::new();
            cols.push(&x);
            for src in &chart.lines {
                v.clear();
                for &(a, b) in &ranges {
                    if b - a == 1 {
                        v.push(src.at(series, a));
                    } else {
                        let (lo, hi) = decimate::min_max(a, b, |i| src.at(series, i));
                        v.push(lo);
                        v.push(hi);
                    }
                }
                cols.push(&Float64Array::from(v.as_slice()));
            }
            ms += glue::set_chart_data(&chart.handle, &cols);
        }
        ms
    }

    fn destroy(&mut self) {
        for c in self.charts.drain(..) {
            glue::destroy_chart(&c.handle);
        }
        for fig in self.added.drain(..) {
            fig.remove();
        }
        if let Some(lane) = self.lane.take() {
            glue::destroy_chart(&lane);
        }
    }
}

/// The health status lane under the charts: one coloured block per health window.
fn health_lane(panels: &Panels, bands: &JsValue) -> JsValue {
    let parent: Element = dom::by_id("chart-health");
    dom::clear(&parent);
    let _ = parent.remove_attribute("data-worst");
    let lane = dom::obj(&[
        (
            "names",
            dom::arr(STATUSES.iter().map(|(s, ..)| dom::s(s.as_str()))),
        ),
        (
            "short",
            dom::arr(STATUSES.iter().map(|(_, _, n)| dom::s(n))),
        ),
        (
            "colors",
            dom::arr(STATUSES.iter().map(|(_, c, _)| dom::s(c))),
        ),
    ]);
    let spec = dom::obj(&[
        ("title", dom::s("Health (runtime auditor, per window)")),
        ("xLabel", dom::s("simulated time (s)")),
        ("yLabel", dom::s("status")),
        ("height", dom::n(96)),
        ("xMax", dom::n(panels.duration_s)),
        ("bands", bands.clone()),
        ("lane", lane),
        (
            "series",
            dom::arr([dom::obj(&[
                ("label", dom::s("status")),
                ("color", dom::s("#5d6679")),
                ("unit", dom::s("")),
                ("axis", dom::n(0)),
            ])]),
        ),
    ]);
    let handle = glue::create_chart(&parent, &spec);
    // What the colours mean (the lane itself names a block only when it is wide enough).
    let legend = dom::el("div");
    legend.set_class_name("lane-legend");
    for (status, color, _) in STATUSES {
        let item = dom::el("span");
        let swatch = dom::el("span");
        swatch.set_class_name("swatch");
        let _ = swatch.set_attribute("style", &format!("background:{color}"));
        let _ = item.append_child(&swatch);
        let _ = item.append_child(&dom::document().create_text_node(status.as_str()));
        let _ = legend.append_child(&item);
    }
    let _ = parent.append_child(&legend);
    handle
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
