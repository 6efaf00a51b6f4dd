//! What the charts show: which series columns, in which units, on which axis. The uPlot
//! plumbing is in `web/charts.js`; this module only builds specs and feeds new rows.

use js_sys::{Array, Float64Array};
use loopsim_core::series::Series;
use loopsim_web::decimate;
use wasm_bindgen::JsValue;

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
    /// `(a − b) × scale`, NaN-preserving.
    Diff(usize, usize, f64),
}

impl Source {
    fn at(&self, series: &Series, i: usize) -> f64 {
        match *self {
            Source::Col(c, k) => series.column(c)[i] * k,
            Source::Diff(a, b, k) => (series.column(a)[i] - series.column(b)[i]).max(0.0) * k,
        }
    }

    fn values(&self, series: &Series, from: usize) -> Vec<f64> {
        match *self {
            Source::Col(i, k) => series.column(i)[from..].iter().map(|v| v * k).collect(),
            Source::Diff(a, b, k) => series.column(a)[from..]
                .iter()
                .zip(&series.column(b)[from..])
                .map(|(x, y)| (x - y).max(0.0) * k)
                .collect(),
        }
    }
}

struct Line {
    label: String,
    color: &'static str,
    unit: &'static str,
    axis: u8,
    dash: bool,
    source: Source,
}

struct ChartDef {
    id: &'static str,
    title: &'static str,
    y_label: &'static str,
    y2_label: Option<&'static str>,
    y_max: Option<f64>,
    lines: Vec<Line>,
}

struct Chart {
    handle: JsValue,
    lines: Vec<Source>,
}

/// The five charts of the page, built for one scenario's series columns.
#[derive(Default)]
pub struct Charts {
    charts: Vec<Chart>,
    time: usize,
    fed: usize,
    /// Showing min/max buckets rather than every row.
    decimated: bool,
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

fn defs(names: &[String]) -> Vec<ChartDef> {
    let c = |n: &str| col(names, n);
    let mut latency = Vec::new();
    for (name, label, color) in [
        ("latency_p50_s", "p50", "#2b8a3e"),
        ("latency_p95_s", "p95", "#e67700"),
        ("latency_p99_s", "p99", "#c92a2a"),
    ] {
        if let Some(i) = c(name) {
            latency.push(Line {
                label: label.into(),
                color,
                unit: "ms",
                axis: 0,
                dash: false,
                source: Source::Col(i, 1e3),
            });
        }
    }
    let mut throughput = Vec::new();
    if let Some(i) = c("ok_rps") {
        throughput.push(Line {
            label: "ok".into(),
            color: "#2b8a3e",
            unit: "req/s",
            axis: 0,
            dash: false,
            source: Source::Col(i, 1.0),
        });
    }
    if let (Some(e), Some(t)) = (c("error_rps"), c("timeout_rps")) {
        // `error_rps` counts every failure; timeouts get their own line.
        throughput.push(Line {
            label: "error".into(),
            color: "#c92a2a",
            unit: "req/s",
            axis: 0,
            dash: false,
            source: Source::Diff(e, t, 1.0),
        });
        throughput.push(Line {
            label: "timeout".into(),
            color: "#e67700",
            unit: "req/s",
            axis: 0,
            dash: false,
            source: Source::Col(t, 1.0),
        });
    }
    if let Some(i) = c("sent_rps") {
        throughput.push(Line {
            label: "sent".into(),
            color: "#868e96",
            unit: "req/s",
            axis: 0,
            dash: true,
            source: Source::Col(i, 1.0),
        });
    }
    let svcs = services(names);
    let shown = &svcs[..svcs.len().min(PALETTE.len())];
    let per_service = |metric: &str,
                       suffix: &str,
                       unit: &'static str,
                       axis: u8,
                       dash: bool,
                       scale: f64|
     -> Vec<Line> {
        shown
            .iter()
            .enumerate()
            .filter_map(|(k, s)| {
                c(&format!("{s}.{metric}")).map(|i| Line {
                    label: if suffix.is_empty() {
                        s.clone()
                    } else {
                        format!("{s} {suffix}")
                    },
                    color: PALETTE[k],
                    unit,
                    axis,
                    dash,
                    source: Source::Col(i, scale),
                })
            })
            .collect()
    };
    let mut lag = per_service("loop_lag_max_s", "lag", "ms", 0, false, 1e3);
    lag.extend(per_service("ready_queue", "ready", "tasks", 1, true, 1.0));
    let util = per_service("utilization", "", "%", 0, false, 100.0);
    let mut pool = per_service("pool_queue", "queued", "jobs", 0, false, 1.0);
    pool.extend(per_service("pool_busy", "busy", "threads", 1, true, 1.0));
    vec![
        ChartDef {
            id: "chart-latency",
            title: "Latency per interval",
            y_label: "latency (ms)",
            y2_label: None,
            y_max: None,
            lines: latency,
        },
        ChartDef {
            id: "chart-throughput",
            title: "Throughput by outcome",
            y_label: "requests / s",
            y2_label: None,
            y_max: None,
            lines: throughput,
        },
        ChartDef {
            id: "chart-lag",
            title: "Event-loop lag (max per interval) and ready queue",
            y_label: "lag (ms)",
            y2_label: Some("ready queue (tasks)"),
            y_max: None,
            lines: lag,
        },
        ChartDef {
            id: "chart-util",
            title: "Event-loop utilisation",
            y_label: "busy (%)",
            y2_label: None,
            y_max: Some(100.0),
            lines: util,
        },
        ChartDef {
            id: "chart-pool",
            title: "Thread pool: queued jobs and busy threads",
            y_label: "queued jobs",
            y2_label: Some("busy threads"),
            y_max: None,
            lines: pool,
        },
    ]
}

impl Charts {
    /// Replaces every chart with empty ones for a scenario with these series columns.
    pub fn rebuild(&mut self, names: &[String]) {
        self.destroy();
        self.time = col(names, "t_s").unwrap_or(0);
        self.fed = 0;
        self.decimated = false;
        for d in defs(names) {
            let parent: web_sys::Element = dom::by_id(d.id);
            dom::clear(&parent);
            let series = d.lines.iter().map(|l| {
                dom::obj(&[
                    ("label", dom::s(&l.label)),
                    ("color", dom::s(l.color)),
                    ("unit", dom::s(l.unit)),
                    ("axis", dom::n(l.axis)),
                    ("dash", JsValue::from_bool(l.dash)),
                ])
            });
            let opt = |v: Option<&str>| v.map_or(JsValue::NULL, dom::s);
            let spec = dom::obj(&[
                ("title", dom::s(d.title)),
                ("xLabel", dom::s("simulated time (s)")),
                ("yLabel", dom::s(d.y_label)),
                ("y2Label", opt(d.y2_label)),
                ("yMin", dom::n(0)),
                ("yMax", d.y_max.map_or(JsValue::NULL, dom::n)),
                ("series", dom::arr(series)),
            ]);
            let handle = glue::create_chart(&parent, &spec);
            self.charts.push(Chart {
                handle,
                lines: d.lines.into_iter().map(|l| l.source).collect(),
            });
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
    }
}
