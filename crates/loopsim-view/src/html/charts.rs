//! The report's charts: exactly the page's chart definitions ([`crate::charts`]), so the two
//! never drift. The page's charts in its order and places (the main grid, then the lanes of
//! guards and ingress limits), every service's own charts in a `<details>` (the most loaded
//! first, open; the rest closed, none dropped), and the health status lane. Each chart is a
//! figure: its title, axes, static SVG ([`super::svg`]), legend and a values table.

use std::fmt::Write;

use super::svg;
use crate::charts::{self, ChartDef, Place, ServiceLoad, Source};
use crate::escape;
use crate::format::{self, num};
use crate::panels::{self, Panels};
use loopsim_core::series::Series;
use loopsim_core::Report;

/// The charts of a run, laid out as on the page.
pub struct Layout {
    /// The main grid: the standard charts, then pools, autoscaling, queues, caches, workloads
    /// and links.
    pub main: Vec<ChartDef>,
    /// The lanes under it: guarded callers and ingress limits.
    pub lanes: Vec<ChartDef>,
    /// Every service with its own charts, the most loaded first.
    pub services: Vec<(ServiceLoad, Vec<ChartDef>)>,
    /// The services the overview charts leave out (they still have their own charts).
    pub hidden: Vec<String>,
}

/// The page's definitions for this run, the services ranked by load over the whole series.
pub fn layout(series: &Series, panels: &Panels) -> Layout {
    let names = series.names();
    let ranked = charts::rank_services(names, series, &panels.services);
    let order: Vec<String> = ranked.iter().map(|l| l.name.clone()).collect();
    let (lanes, main) = charts::page_charts(names, panels, &order)
        .into_iter()
        .partition(|d| d.place == Place::Lane);
    let services = ranked
        .into_iter()
        .filter_map(|load| {
            let panel = panels.services.iter().find(|s| s.name == load.name)?;
            Some((load, charts::service_charts(names, panel)))
        })
        .collect();
    let hidden = charts::hidden_services(panels, &order)
        .into_iter()
        .map(String::from)
        .collect();
    Layout {
        main,
        lanes,
        services,
        hidden,
    }
}

/// What every figure draws against: the time column, the time axis and the fault bands.
struct Canvas<'a> {
    series: &'a Series,
    time: Vec<f64>,
    t_max: f64,
    faults: &'a [panels::FaultBand],
}

/// The "Charts" section of the report.
pub fn section(o: &mut String, series: &Series, panels: &Panels, r: &Report) {
    let layout = layout(series, panels);
    let canvas = Canvas {
        series,
        time: series
            .column_by_name("t_s")
            .map(<[f64]>::to_vec)
            .unwrap_or_default(),
        t_max: r
            .stopped
            .as_ref()
            .map_or(r.duration_s, |s| s.at_s.max(1e-9)),
        faults: &panels.faults,
    };
    o.push_str(r#"<section aria-labelledby="charts-title"><h2 id="charts-title">Charts</h2>"#);
    fault_legend(o, panels);
    o.push_str(r#"<div class="charts">"#);
    for d in &layout.main {
        figure(o, d, &d.id, &canvas);
    }
    o.push_str("</div>");
    services(o, &layout, &canvas);
    if !layout.lanes.is_empty() {
        o.push_str(
            r#"<div class="charts lanes" role="group" aria-label="Guards and ingress limits">"#,
        );
        for d in &layout.lanes {
            figure(o, d, &d.id, &canvas);
        }
        o.push_str("</div>");
    }
    health_lane(o, r, canvas.t_max);
    o.push_str("</section>");
}

/// Every service's own charts, the most loaded first and open.
fn services(o: &mut String, layout: &Layout, canvas: &Canvas) {
    if layout.services.is_empty() {
        return;
    }
    o.push_str(
        r#"<section class="service-charts" aria-labelledby="service-charts-title"><h3 id="service-charts-title">Per service</h3><p class="note">Every service, the most loaded first (by event-loop busy share, then lag).</p>"#,
    );
    if !layout.hidden.is_empty() {
        let names: Vec<String> = layout.hidden.iter().map(|s| escape::text(s)).collect();
        let _ = write!(
            o,
            r#"<p class="note">The overview charts show the {} most loaded of {} services; not shown there: {}. Each has its own charts here.</p>"#,
            layout.services.len() - names.len(),
            layout.services.len(),
            names.join(", ")
        );
    }
    for (k, (load, defs)) in layout.services.iter().enumerate() {
        let busy = if load.busy.is_finite() {
            format!(" — {} busy", format::percent(load.busy))
        } else {
            String::new()
        };
        let _ = write!(
            o,
            r#"<details class="service"{} data-service="{}"><summary>{}{busy}</summary><div class="charts">"#,
            if k == 0 { " open" } else { "" },
            escape::text(&load.name),
            escape::text(&load.name)
        );
        for d in defs {
            figure(o, d, &format!("svc{k}-{}", d.id), canvas);
        }
        o.push_str("</div></details>");
    }
    o.push_str("</section>");
}

fn fault_legend(o: &mut String, panels: &Panels) {
    if panels.faults.is_empty() {
        return;
    }
    o.push_str(r#"<p class="faults"><strong>Faults (shaded on every chart):</strong>"#);
    for f in &panels.faults {
        let _ = write!(
            o,
            r#"<span><span class="fault-swatch" style="background:{}"></span>{} on {}, {}</span>"#,
            panels::fault_color(f.kind),
            escape::text(f.kind),
            escape::text(&f.target),
            f.when()
        );
    }
    o.push_str("</p>");
}

/// One chart as a figure; `id` is unique in the report (made from indices, never names).
fn figure(o: &mut String, d: &ChartDef, id: &str, canvas: &Canvas) {
    let mut axes = format!("left: {}", escape::text(d.y_label));
    if d.lines.iter().any(|l| l.axis == 1) {
        let _ = write!(
            axes,
            " · right: {}",
            escape::text(d.y2_label.unwrap_or("second scale"))
        );
    }
    let id = escape::text(id);
    let _ = write!(
        o,
        r#"<figure id="{id}"><figcaption>{}</figcaption><p class="axes">{axes}</p>"#,
        escape::text(&d.title)
    );
    o.push_str(&svg::render(
        d,
        &id,
        canvas.series,
        &canvas.time,
        canvas.t_max,
        canvas.faults,
    ));
    o.push_str(r#"<ul class="legend">"#);
    for l in &d.lines {
        let _ = write!(
            o,
            r#"<li><span class="swatch{}" style="border-color:{}"></span>{}</li>"#,
            if l.dash { " dashed" } else { "" },
            l.color,
            escape::text(&l.label)
        );
    }
    o.push_str("</ul>");
    values_table(o, d, canvas);
    o.push_str("</figure>");
}

/// Rows of the values table behind each chart: enough to read the shape without a mouse.
const VALUE_ROWS: usize = 24;

/// The chart's values as a table in a closed `<details>`: per time slice, each line's
/// largest value (so a spike is never averaged away); durations in s, ms or µs.
fn values_table(o: &mut String, d: &ChartDef, canvas: &Canvas) {
    let lines: Vec<&charts::Line> = d
        .lines
        .iter()
        .filter(|l| !matches!(l.source, Source::Const(_)))
        .collect();
    let time = &canvas.time;
    if lines.is_empty() || time.is_empty() {
        return;
    }
    let _ = write!(
        o,
        r#"<details class="values"><summary>Values (largest per slice)</summary><div class="table-wrap" role="region" tabindex="0" aria-label="Values of {0}"><table><caption>{0}</caption><thead><tr><th scope="col">from (s)</th>"#,
        escape::text(&d.title)
    );
    for l in &lines {
        let head = match l.unit {
            "" | "s" => l.label.clone(),
            unit => format!("{} ({unit})", l.label),
        };
        let _ = write!(o, r#"<th scope="col">{}</th>"#, escape::text(&head));
    }
    o.push_str("</tr></thead><tbody>");
    let rows = time.len().min(canvas.series.len());
    for (a, b) in crate::decimate::ranges(rows, VALUE_ROWS) {
        let _ = write!(o, r#"<tr><th scope="row">{}</th>"#, num(time[a]));
        for l in &lines {
            let (_, hi) = crate::decimate::min_max(a, b, |i| l.source.at(canvas.series, i));
            let cell = match l.unit {
                "s" => format::secs(Some(hi)),
                _ => format::sig3(hi),
            };
            let _ = write!(o, "<td>{cell}</td>");
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table></div></details>");
}

/// The health status lane under the charts, with what its colours mean.
fn health_lane(o: &mut String, r: &Report, t_max: f64) {
    if r.health.timeline.is_empty() {
        return;
    }
    o.push_str(r#"<figure class="lane"><figcaption>Health status over time</figcaption>"#);
    o.push_str(&svg::lane(r, t_max));
    o.push_str(r#"<ul class="legend">"#);
    for (_, color, name) in panels::STATUSES {
        let _ = write!(
            o,
            r#"<li><span class="fault-swatch" style="background:{color};opacity:1"></span>{name}</li>"#
        );
    }
    o.push_str("</ul></figure>");
}
