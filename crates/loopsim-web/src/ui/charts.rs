//! The charts on the page: what each plots comes from `loopsim-view`'s chart definitions
//! (`loopsim_web::charts`); this module puts them in figures, feeds them new rows, keeps the
//! services in load order behind the `#service-select` selector, and draws the health lane. The
//! uPlot plumbing is in `web/charts.js`.

use js_sys::{Array, Float64Array};
use loopsim_core::series::Series;
use loopsim_core::Report;
use loopsim_web::charts::{self as defs, ChartDef, Place, ServiceLoad, Source};
use loopsim_web::panels::{self, Panels, STATUSES};
use loopsim_web::replications::{band_caption, Band, BAND_COLUMNS};
use loopsim_web::{decimate, format};
use wasm_bindgen::JsValue;
use web_sys::{Element, HtmlSelectElement};

use super::dom;
use super::glue;

/// Up to this many rows, charts get every row (appended as they come); past that, they are
/// redrawn from min/max buckets, one per pixel column of the plot (two points each).
const DIRECT_ROWS: usize = 4000;
/// Services are re-ranked by load at most this often while a run goes on (milliseconds).
const RANK_EVERY_MS: f64 = 1000.0;

struct Chart {
    handle: JsValue,
    lines: Vec<Source>,
}

/// The charts of the page, built for one scenario's series columns and panels: the standard
/// charts (the overview ones over the most loaded services), one per pool, queue, cache and
/// autoscaled service, a lane per guarded caller and per service with an ingress limit, the
/// selected service's own charts, and the health status lane.
#[derive(Default)]
pub struct Charts {
    charts: Vec<Chart>,
    /// The selected service's own charts.
    service: Vec<Chart>,
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
    names: Vec<String>,
    panels: Panels,
    /// Services, most loaded first (scenario order before any row).
    order: Vec<ServiceLoad>,
    /// The service the reader chose in the selector; `None` follows the most loaded.
    chosen: Option<String>,
    last_rank_ms: f64,
    /// Where an early stop happened (marked on charts made later too).
    stop: Option<f64>,
    /// The end of the warm-up in seconds (greyed on every chart, charts made later too).
    warmup_s: f64,
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
        let text = format!("{} on {}, {}", f.kind, f.target, f.when());
        let _ = item.append_child(&dom::document().create_text_node(&text));
        let _ = root.append_child(&item);
    }
}

/// Makes the figure of `d` and its uPlot chart; `k == 0` labels the fault bands.
fn create(d: ChartDef, k: usize, bands: &JsValue, x_max: f64, added: &mut Vec<Element>) -> Chart {
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
            // Declared pools' charts keep their own class (tests and styles find them by it).
            let class = if d.id.starts_with("chart-pool-") {
                "chart pool-chart"
            } else {
                "chart main-chart"
            };
            let fig = new_figure(class, &dom::by_id("main-charts"));
            added.push(fig.clone());
            fig
        }
        Place::Lane => new_figure("chart lane-chart", &dom::by_id("guard-charts")),
        Place::Service => {
            let fig = new_figure("chart service-chart", &dom::by_id("service-detail"));
            added.push(fig.clone());
            fig
        }
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
            ("span", JsValue::from_bool(l.span)),
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
        ("xMax", dom::n(x_max)),
        ("bands", bands.clone()),
        ("bandLabels", JsValue::from_bool(k == 0)),
        ("series", dom::arr(series)),
    ]);
    let handle = glue::create_chart(&parent, &spec);
    Chart {
        handle,
        lines: d.lines.into_iter().map(|l| l.source).collect(),
    }
}

/// The first `len` rows of `series` (or per-pixel min/max buckets past [`DIRECT_ROWS`]) into
/// `charts`, which then hold what the others do (`len` = the rows fed so far); returns the
/// milliseconds spent drawing.
fn draw_all(charts: &[Chart], series: &Series, time: usize, len: usize) -> f64 {
    if len > DIRECT_ROWS {
        return draw_decimated(charts, series, time, len);
    }
    let x = Float64Array::from(&series.column(time)[..len]);
    let mut ms = 0.0;
    for chart in charts {
        let cols = Array::new();
        cols.push(&x);
        for src in &chart.lines {
            let mut v = src.values(series, 0);
            v.truncate(len);
            cols.push(&Float64Array::from(v.as_slice()));
        }
        ms += glue::set_chart_data(&chart.handle, &cols);
    }
    ms
}

/// Per-pixel-column min/max decimation: one bucket per pixel of the widest plot, each drawn
/// as its smallest and largest value, so no spike is lost however long the run.
fn draw_decimated(charts: &[Chart], series: &Series, time: usize, len: usize) -> f64 {
    let px = charts
        .iter()
        .map(|c| glue::plot_width(&c.handle))
        .fold(0.0, f64::max);
    let buckets = (px as usize).clamp(200, 4000);
    let t = series.column(time);
    let ranges: Vec<(usize, usize)> = decimate::ranges(len, buckets).collect();
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
    for chart in charts {
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

impl Charts {
    /// Replaces every chart with empty ones for a scenario with these series columns and
    /// panels.
    pub fn rebuild(&mut self, names: &[String], panels: &Panels) {
        self.destroy();
        self.time = defs::col(names, "t_s").unwrap_or(0);
        self.fed = 0;
        self.decimated = false;
        self.lane_drawn.clear();
        self.names = names.to_vec();
        self.panels = panels.clone();
        self.order = panels
            .services
            .iter()
            .map(|s| ServiceLoad {
                name: s.name.clone(),
                busy: f64::NAN,
                lag_max_s: f64::NAN,
            })
            .collect();
        // A service chosen before stays chosen across runs while the scenario still has it.
        self.last_rank_ms = 0.0;
        self.stop = None;
        fault_legend(panels);
        self.build_page();
        self.build_selector();
        self.build_service();
        self.lane = Some(health_lane(panels, &bands(panels)));
    }

    fn order_names(&self) -> Vec<String> {
        self.order.iter().map(|l| l.name.clone()).collect()
    }

    /// The standard, overview, resource and lane charts (not the selected service's).
    fn build_page(&mut self) {
        for c in self.charts.drain(..) {
            glue::destroy_chart(&c.handle);
        }
        self.added.retain(|fig| {
            let service = fig.class_name().contains("service-chart");
            if !service {
                fig.remove();
            }
            service
        });
        let panels = &self.panels;
        let bands = bands(panels);
        let lanes: Element = dom::by_id("guard-charts");
        dom::clear(&lanes);
        let defs = defs::page_charts(&self.names, panels, &self.order_names());
        // The thread-pool chart's fixed figure is hidden, not left an empty box, when no
        // endpoint offloads.
        let pool_figure: Element = dom::by_id("chart-pool");
        let pool_shown = defs.iter().any(|d| d.id == "chart-pool");
        if !pool_shown {
            dom::clear(&pool_figure);
        }
        dom::hide(&pool_figure, !pool_shown);
        dom::hide(&lanes, !defs.iter().any(|d| d.place == Place::Lane));
        let x_max = panels.duration_s;
        for (k, d) in defs.into_iter().enumerate() {
            let chart = create(d, k, &bands, x_max, &mut self.added);
            glue::set_warmup(&chart.handle, self.warmup_s);
            self.charts.push(chart);
        }
        dom::set_text(
            "services-hidden",
            &defs::hidden_note(panels, &self.order_names()),
        );
    }

    /// The selector's options: every service, most loaded first, with its load when known.
    /// Options in the same order are only relabelled (an open list stays open).
    fn build_selector(&self) {
        let select: HtmlSelectElement = dom::by_id("service-select");
        let label = |l: &ServiceLoad| {
            if l.busy.is_finite() {
                format!("{} — {} busy", l.name, format::percent(l.busy))
            } else {
                l.name.clone()
            }
        };
        let same = select.length() as usize == self.order.len()
            && self.order.iter().enumerate().all(|(k, l)| {
                select
                    .item(k as u32)
                    .and_then(|o| o.get_attribute("value"))
                    .is_some_and(|v| v == l.name)
            });
        if same {
            for (k, l) in self.order.iter().enumerate() {
                if let Some(o) = select.item(k as u32) {
                    o.set_text_content(Some(&label(l)));
                }
            }
            return;
        }
        dom::clear(&select);
        for l in &self.order {
            let option = dom::el_text("option", "", &label(l));
            let _ = option.set_attribute("value", &l.name);
            let _ = select.append_child(&option);
        }
        select.set_value(&self.selected().unwrap_or_default());
        dom::set_hidden("service-charts", self.order.is_empty());
    }

    /// The service whose own charts are shown: the chosen one, else the most loaded.
    pub fn selected(&self) -> Option<String> {
        self.chosen
            .clone()
            .filter(|c| self.order.iter().any(|l| &l.name == c))
            .or_else(|| self.order.first().map(|l| l.name.clone()))
    }

    /// The selected service's own charts, empty (fed by [`Charts::feed`] or drawn at once by
    /// [`Charts::select`]).
    fn build_service(&mut self) {
        for c in self.service.drain(..) {
            glue::destroy_chart(&c.handle);
        }
        self.added.retain(|fig| {
            let service = fig.class_name().contains("service-chart");
            if service {
                fig.remove();
            }
            !service
        });
        let Some(name) = self.selected() else { return };
        let Some(panel) = self.panels.services.iter().find(|s| s.name == name) else {
            return;
        };
        let bands = bands(&self.panels);
        for d in defs::service_charts(&self.names, panel) {
            let chart = create(d, 1, &bands, self.panels.duration_s, &mut self.added);
            glue::set_warmup(&chart.handle, self.warmup_s);
            self.service.push(chart);
        }
        let _ = dom::by_id::<Element>("service-detail").set_attribute("data-service", &name);
    }

    /// The reader chose `name` in the selector (or a topology node did): that service's own
    /// charts, drawn at once from `series` when there is a run.
    pub fn select(&mut self, name: &str, series: Option<&Series>) {
        self.chosen = Some(name.to_string());
        self.build_service();
        if let Some(series) = series.filter(|s| !s.is_empty()) {
            draw_all(&self.service, series, self.time, self.fed.min(series.len()));
        }
        self.mark_stop(true);
    }

    /// Orders the services by load over `series` (at most every [`RANK_EVERY_MS`] unless
    /// `now`): the selector follows, and the overview charts and the shown service are rebuilt
    /// when the most loaded ones change.
    pub fn rank(&mut self, series: &Series, now: bool) {
        let t = dom::now_ms();
        if self.fed == 0 || (!now && t - self.last_rank_ms < RANK_EVERY_MS) {
            return;
        }
        self.last_rank_ms = t;
        let order = defs::rank_services(&self.names, series, &self.panels.services);
        let before = defs::overview_services(&self.panels, &self.order_names())
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>();
        let shown_before = self.selected();
        self.order = order;
        let after = defs::overview_services(&self.panels, &self.order_names())
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>();
        self.build_selector();
        if before != after {
            self.build_page();
            draw_all(&self.charts, series, self.time, self.fed);
            self.mark_stop(false);
        }
        if self.selected() != shown_before {
            self.build_service();
            draw_all(&self.service, series, self.time, self.fed);
            self.mark_stop(true);
        }
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
    pub fn set_stop(&mut self, at_s: f64) {
        self.stop = Some(at_s);
        self.mark_stop(false);
        self.mark_stop(true);
        if let Some(lane) = &self.lane {
            glue::set_stop(lane, at_s, &stop_label(at_s));
        }
    }

    /// Greys the warm-up `[0, at_s]` on every chart (the scenario's `warmup`, or the cut a run
    /// chose with `warmup: auto`).
    pub fn set_warmup(&mut self, at_s: f64) {
        self.warmup_s = at_s;
        for c in self.charts.iter().chain(&self.service) {
            glue::set_warmup(&c.handle, at_s);
        }
    }

    /// Draws the replications' confidence bands over `n` replications (an empty slice clears
    /// them).
    pub fn set_bands(&self, bands: &[Band], n: u32) {
        for (column, chart) in BAND_COLUMNS {
            let band = bands.iter().find(|b| b.column == column);
            let line = self.line_of(chart, column);
            let spec = match (band, line) {
                (Some(b), Some((label, color, axis))) => dom::obj(&[
                    ("t", Float64Array::from(b.t.as_slice()).into()),
                    ("lo", Float64Array::from(b.lo.as_slice()).into()),
                    ("hi", Float64Array::from(b.hi.as_slice()).into()),
                    ("color", dom::s(color)),
                    ("axis", dom::n(axis)),
                    ("caption", dom::s(&band_caption(&label, n, b.bucket_s()))),
                ]),
                _ => JsValue::NULL,
            };
            glue::set_ci_band(chart, &spec);
        }
    }

    /// The label, colour and axis of the line that plots series column `column` on `chart`.
    fn line_of(&self, chart: &str, column: &str) -> Option<(String, &'static str, u8)> {
        let col = defs::col(&self.names, column)?;
        defs::page_charts(&self.names, &self.panels, &self.order_names())
            .into_iter()
            .find(|d| d.id == chart)?
            .lines
            .into_iter()
            .find(|l| matches!(l.source, Source::Col(i, _) if i == col))
            .map(|l| (l.label, l.color, l.axis))
    }

    fn mark_stop(&self, service: bool) {
        let Some(at_s) = self.stop else { return };
        let label = stop_label(at_s);
        let charts = if service { &self.service } else { &self.charts };
        for c in charts {
            glue::set_stop(&c.handle, at_s, &label);
        }
    }

    /// Plots the rows of `series` not plotted yet: appended one by one up to [`DIRECT_ROWS`]
    /// rows, then redrawn from per-pixel min/max buckets so drawing stays cheap. Re-ranks the
    /// services now and then. Returns the milliseconds spent drawing.
    pub fn feed(&mut self, series: &Series) -> f64 {
        let len = series.len();
        if len <= self.fed {
            return 0.0;
        }
        if len > DIRECT_ROWS || self.decimated {
            self.decimated = true;
            self.fed = len;
            let ms = draw_decimated(&self.charts, series, self.time, len)
                + draw_decimated(&self.service, series, self.time, len);
            self.rank(series, false);
            return ms;
        }
        let mut ms = 0.0;
        let from = self.fed;
        let x = Float64Array::from(&series.column(self.time)[from..]);
        for chart in self.charts.iter().chain(&self.service) {
            let cols = Array::new();
            cols.push(&x);
            for src in &chart.lines {
                cols.push(&Float64Array::from(src.values(series, from).as_slice()));
            }
            ms += glue::append_chart_data(&chart.handle, &cols);
        }
        self.fed = len;
        // After the rows are in: a rebuilt chart is drawn with the rows fed so far.
        self.rank(series, false);
        ms
    }

    fn destroy(&mut self) {
        for c in self.charts.drain(..).chain(self.service.drain(..)) {
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

fn stop_label(at_s: f64) -> String {
    format!(
        "not simulated: the run stopped early at {}",
        format::secs(Some(at_s))
    )
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
