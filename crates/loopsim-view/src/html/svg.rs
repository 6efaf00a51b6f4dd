//! A chart definition ([`ChartDef`], shared with the page) as a static SVG string: time on x,
//! one or two value axes, lines decimated to two points (min and max) per pixel column so
//! every spike survives however long the run, fault bands shaded behind. Durations (unit `s`)
//! are labelled in s, ms or µs by the axis's magnitude; breaker lanes name their states.
//! Inline attributes only (no CSS classes, no script), so the SVG works inside the
//! self-contained report and in any viewer. Labels are escaped.

use crate::charts::{ChartDef, Line, Source};
use crate::decimate;
use crate::escape;
use crate::format;
use crate::panels::{fault_color, FaultBand};
use loopsim_core::series::Series;
use std::fmt::Write;

/// Drawing size in SVG units (the SVG scales to its container through its `viewBox`).
pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 240.0;
/// The page's chart height, which [`ChartDef::height`] is relative to.
const PAGE_HEIGHT: f64 = 190.0;
/// Both axes keep their width on every chart (an empty right one without a second scale), so
/// the plot areas of all charts span the same x range and line up, as on the page.
const LEFT: f64 = 62.0;
const RIGHT_AXIS: f64 = 62.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 34.0;
/// Muted ink for axes and ticks: 7:1 on white.
const INK: &str = "#4a5262";
/// The breaker lanes' named ticks (the page's `yTicks`).
const STATES: [(f64, &str); 3] = [(0.0, "closed"), (0.5, "half-open"), (1.0, "open")];

/// Where the plot area lies and how values map onto it.
struct Frame {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
    t_max: f64,
    /// Upper bound of the left and right axes.
    max: [f64; 2],
}

impl Frame {
    fn x(&self, t: f64) -> f64 {
        self.x0 + (t / self.t_max).clamp(0.0, 1.0) * (self.x1 - self.x0)
    }

    fn y(&self, axis: usize, v: f64) -> f64 {
        self.y1 - (v / self.max[axis]).clamp(0.0, 1.05) * (self.y1 - self.y0)
    }

    fn columns(&self) -> usize {
        (self.x1 - self.x0) as usize
    }
}

/// A round axis maximum ≥ `v` (1, 2, 2.5, 5 × 10ⁿ), and 1 for an empty or flat series.
pub fn nice_max(v: f64) -> f64 {
    if !v.is_finite() || v <= 0.0 {
        return 1.0;
    }
    let mag = 10f64.powf(v.log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if step * mag >= v * (1.0 - 1e-12) {
            return step * mag;
        }
    }
    10.0 * mag
}

/// Tick intervals for an axis up to `max`: round steps (2.5 and 5 split in five, 1 and 2 in
/// four).
fn divisions(max: f64) -> u32 {
    let mantissa = max / 10f64.powf(max.log10().floor());
    if (mantissa - 2.5).abs() < 1e-9 || (mantissa - 5.0).abs() < 1e-9 {
        5
    } else {
        4
    }
}

/// The scale and unit for durations up to `a` seconds (the page's `timeUnit`).
fn time_unit(a: f64) -> (f64, &'static str) {
    if a >= 1.0 {
        (1.0, "s")
    } else if a >= 1e-3 {
        (1e3, "ms")
    } else {
        (1e6, "µs")
    }
}

/// Whether every line on `axis` is a duration in seconds (its ticks then carry s/ms/µs).
fn is_time(chart: &ChartDef, axis: u8) -> bool {
    let mut on = chart.lines.iter().filter(|l| l.axis == axis).peekable();
    on.peek().is_some() && on.all(|l| l.unit == "s")
}

/// The x position and value of each point drawn for `source`: every row when they fit, else
/// the min and max of each pixel column's rows, in time order. `NaN` values break the line.
fn points(src: &Source, series: &Series, time: &[f64], columns: usize) -> Vec<(f64, f64)> {
    let value = |i: usize| src.at(series, i);
    let n = time.len().min(series.len());
    if n <= 2 * columns {
        return (0..n).map(|i| (time[i], value(i))).collect();
    }
    let mut out = Vec::with_capacity(2 * columns);
    for (a, b) in decimate::ranges(n, columns) {
        let (lo, hi) = decimate::min_max(a, b, value);
        let (ta, tb) = (time[a], time[b - 1]);
        out.push((ta, lo));
        if hi != lo {
            out.push((tb, hi));
        }
    }
    out
}

/// The drawn runs of a line in plot coordinates: a `NaN` starts a new run, unless the line
/// spans gaps (a sparse p99 joined across intervals without requests).
fn runs(frame: &Frame, line: &Line, pts: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    let axis = usize::from(line.axis.min(1));
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for &(t, v) in pts {
        if !v.is_finite() {
            if !line.span && out.last().is_some_and(|r| !r.is_empty()) {
                out.push(Vec::new());
            }
            continue;
        }
        if let Some(run) = out.last_mut() {
            run.push((frame.x(t), frame.y(axis, v)));
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// `M x y L x y …` (or `H x V y` steps: a value holds until the next point) of one run.
fn run_path(d: &mut String, run: &[(f64, f64)], step: bool) {
    for (k, &(x, y)) in run.iter().enumerate() {
        if k == 0 {
            let _ = write!(d, "M{x:.1} {y:.1}");
        } else if step {
            let _ = write!(d, "H{x:.1}V{y:.1}");
        } else {
            let _ = write!(d, "L{x:.1} {y:.1}");
        }
    }
}

/// A numeric tick: durations in the axis's one unit (`0`, `250 ms`, `500 ms`), large counts
/// shortened as on the page (`150k`, `1.5M`) so they fit the axis.
fn tick_label(v: f64, time: Option<(f64, &str)>) -> String {
    match time {
        Some(_) if v == 0.0 => String::from("0"),
        Some((k, unit)) => format!("{} {unit}", format::num(v * k)),
        None if v.abs() >= 1e6 => format!("{}M", format::num(v / 1e6)),
        None if v.abs() >= 1e4 => format!("{}k", format::num(v / 1e3)),
        None => format::num(v),
    }
}

fn axis_ticks(o: &mut String, chart: &ChartDef, frame: &Frame, axis: usize) {
    let x = if axis == 0 { frame.x0 } else { frame.x1 };
    let (anchor, dx) = if axis == 0 {
        ("end", -6.0)
    } else {
        ("start", 6.0)
    };
    let max = frame.max[axis];
    let time = is_time(chart, axis as u8).then(|| time_unit(max));
    let n = divisions(max);
    let named = axis == 0 && chart.state_ticks;
    let ticks: Vec<(f64, String)> = if named {
        STATES.iter().map(|&(v, l)| (v, l.to_string())).collect()
    } else {
        (0..=n)
            .map(|k| {
                let v = max * f64::from(k) / f64::from(n);
                (v, tick_label(v, time))
            })
            .collect()
    };
    for (v, label) in ticks {
        let y = frame.y(axis, v);
        if axis == 0 {
            let _ = write!(
                o,
                r##"<line x1="{:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#e3e6ec" stroke-width="1"/>"##,
                frame.x0, frame.x1
            );
        }
        let size = if named { 12 } else { 14 };
        let _ = write!(
            o,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="{anchor}" font-size="{size}" fill="{INK}">{label}</text>"#,
            x + dx,
            y + 4.0,
        );
    }
}

fn time_ticks(o: &mut String, frame: &Frame) {
    let step = nice_max(frame.t_max / 6.0);
    let mut t = 0.0;
    while t <= frame.t_max * (1.0 + 1e-9) {
        let x = frame.x(t);
        let _ = write!(
            o,
            r#"<line x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}" stroke="{INK}" stroke-width="1"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="14" fill="{INK}">{} s</text>"#,
            frame.y1,
            frame.y1 + 4.0,
            frame.y1 + 20.0,
            format::num(t)
        );
        t += step;
    }
}

fn bands(o: &mut String, frame: &Frame, faults: &[FaultBand]) {
    for f in faults {
        let (a, b) = (frame.x(f.from_s), frame.x(f.to_s));
        let _ = write!(
            o,
            r#"<rect x="{a:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}" fill-opacity="0.13"><title>{} on {}</title></rect>"#,
            frame.y0,
            (b - a).max(1.0),
            frame.y1 - frame.y0,
            fault_color(f.kind),
            escape::text(f.kind),
            escape::text(&f.target)
        );
    }
}

/// The largest drawn value on each axis (and the chart's fixed maxima).
fn maxima(chart: &ChartDef, drawn: &[Vec<(f64, f64)>]) -> [f64; 2] {
    let mut max = [0.0f64; 2];
    for (line, pts) in chart.lines.iter().zip(drawn) {
        let a = usize::from(line.axis.min(1));
        for &(_, v) in pts {
            if v.is_finite() {
                max[a] = max[a].max(v);
            }
        }
    }
    [
        chart.y_max.unwrap_or_else(|| nice_max(max[0])),
        chart.y2_max.unwrap_or_else(|| nice_max(max[1])),
    ]
}

/// One line: its translucent area down to zero when filled, then its stroke.
fn line_paths(o: &mut String, frame: &Frame, line: &Line, pts: &[(f64, f64)]) {
    let runs = runs(frame, line, pts);
    if runs.is_empty() {
        return;
    }
    if line.fill {
        let mut d = String::new();
        for run in &runs {
            run_path(&mut d, run, line.step);
            let _ = write!(d, "V{:.1}H{:.1}Z", frame.y1, run[0].0);
        }
        let _ = write!(
            o,
            r#"<path d="{d}" fill="{}" fill-opacity="0.16" stroke="none"/>"#,
            line.color
        );
    }
    let mut d = String::new();
    for run in &runs {
        run_path(&mut d, run, line.step);
    }
    let dash = if line.dash {
        r#" stroke-dasharray="6 4""#
    } else {
        ""
    };
    let _ = write!(
        o,
        r#"<path d="{d}" fill="none" stroke="{}" stroke-width="1.6"{dash}><title>{}</title></path>"#,
        line.color,
        escape::text(&line.label)
    );
}

/// The chart as one `<svg>` element; `id` (unique in the report, made from indices) names its
/// title for `aria-labelledby`.
pub fn render(
    chart: &ChartDef,
    id: &str,
    series: &Series,
    time: &[f64],
    t_max: f64,
    faults: &[FaultBand],
) -> String {
    let has_right = chart.lines.iter().any(|l| l.axis == 1);
    let height = chart
        .height
        .map_or(HEIGHT, |h| (h / PAGE_HEIGHT * HEIGHT).round());
    let mut frame = Frame {
        x0: LEFT,
        x1: WIDTH - RIGHT_AXIS,
        y0: TOP,
        y1: height - BOTTOM,
        t_max: if t_max > 0.0 { t_max } else { 1.0 },
        max: [1.0, 1.0],
    };
    let drawn: Vec<Vec<(f64, f64)>> = chart
        .lines
        .iter()
        .map(|l| points(&l.source, series, time, frame.columns()))
        .collect();
    frame.max = maxima(chart, &drawn);
    let id = escape::text(id);
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="{id}-title" font-family="system-ui, sans-serif"><title id="{id}-title">{}</title>"#,
        escape::text(&chart.title)
    );
    bands(&mut o, &frame, faults);
    axis_ticks(&mut o, chart, &frame, 0);
    if has_right {
        axis_ticks(&mut o, chart, &frame, 1);
    }
    time_ticks(&mut o, &frame);
    let _ = write!(
        o,
        r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="{INK}" stroke-width="1"/>"#,
        frame.x0,
        frame.y0,
        frame.x1 - frame.x0,
        frame.y1 - frame.y0
    );
    for (line, pts) in chart.lines.iter().zip(&drawn) {
        line_paths(&mut o, &frame, line, pts);
    }
    o.push_str("</svg>");
    o
}
/// The health status lane: one block per auditor window in its status colour (the page's
/// lane colours), a gap where windows do not touch, and each block's status as its tooltip.
pub fn lane(report: &loopsim_core::Report, t_max: f64) -> String {
    use crate::panels::{lane_columns, STATUSES};
    let (x, y) = lane_columns(report);
    // Wider than a chart: the lane spans the page under the grid of charts.
    let (width, height) = (960.0, 50.0);
    let frame = Frame {
        x0: LEFT,
        x1: width - 28.0,
        y0: 4.0,
        y1: height - 24.0,
        t_max: if t_max > 0.0 { t_max } else { 1.0 },
        max: [1.0, 1.0],
    };
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="chart-health-title" font-family="system-ui, sans-serif"><title id="chart-health-title">Health status over time</title>"#
    );
    for i in 0..x.len().saturating_sub(1) {
        let Some((_, color, name)) = STATUSES.get(y[i] as usize).filter(|_| y[i].is_finite())
        else {
            continue;
        };
        let (a, b) = (frame.x(x[i]), frame.x(x[i + 1]));
        let _ = write!(
            o,
            r#"<rect x="{a:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{color}"><title>{name}, {}–{} s</title></rect>"#,
            frame.y0,
            (b - a).max(0.5),
            frame.y1 - frame.y0,
            format::num(x[i]),
            format::num(x[i + 1])
        );
    }
    time_ticks(&mut o, &frame);
    o.push_str("</svg>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(f64::NAN), 1.0);
        assert_eq!(nice_max(0.7), 1.0);
        assert_eq!(nice_max(1.3), 2.0);
        assert_eq!(nice_max(2.2), 2.5);
        assert_eq!(nice_max(420.0), 500.0);
        assert_eq!(nice_max(100.0), 100.0);
    }

    #[test]
    fn long_series_are_drawn_per_pixel_column_and_keep_their_spike() {
        let mut s = Series::new(vec!["t_s".into(), "v".into()]);
        for i in 0..100_000 {
            s.push_row(&[i as f64 * 0.01, if i == 55_555 { 99.0 } else { 1.0 }]);
        }
        let time = s.column(0).to_vec();
        let pts = points(&Source::Col(1, 1.0), &s, &time, 700);
        assert!(pts.len() <= 1400, "{}", pts.len());
        assert!(pts.iter().any(|&(_, v)| v == 99.0));
        assert!(pts.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    fn series(values: &[f64]) -> Series {
        let mut s = Series::new(vec!["t_s".into(), "v".into()]);
        for (i, v) in values.iter().enumerate() {
            s.push_row(&[i as f64 + 1.0, *v]);
        }
        s
    }

    fn draw(chart: &ChartDef, s: &Series) -> String {
        let time = s.column(0).to_vec();
        render(chart, "c", s, &time, s.len() as f64, &[])
    }

    #[test]
    fn durations_are_labelled_by_their_magnitude() {
        let s = series(&[0.004, 0.012, 0.009]);
        let line = Line::new("p99", "#2158d6", "s", Source::Col(1, 1.0));
        let svg = draw(&ChartDef::new("c", "t", "p99", vec![line]), &s);
        assert!(svg.contains(">10 ms<") && svg.contains(">20 ms<"), "{svg}");
        assert!(!svg.contains("0.02<"));
        assert_eq!(tick_label(150_000.0, None), "150k");
        assert_eq!(tick_label(2_500_000.0, None), "2.5M");
        assert_eq!(tick_label(0.25, Some(time_unit(1.0))), "0.25 s");
    }

    #[test]
    fn breaker_lanes_name_their_states_and_fill_their_steps() {
        let s = series(&[0.0, 1.0, 1.0, 0.0]);
        let line = Line::new("breaker", "#c92a2a", "", Source::Col(1, 1.0))
            .filled()
            .stepped();
        let chart = ChartDef {
            state_ticks: true,
            y_max: Some(1.0),
            ..ChartDef::new("c", "Guard: api", "breaker state", vec![line])
        };
        let svg = draw(&chart, &s);
        for state in [">closed<", ">half-open<", ">open<"] {
            assert!(svg.contains(state), "{state}");
        }
        assert!(svg.contains(r#"fill-opacity="0.16""#), "filled");
        assert!(svg.contains('H') && svg.contains('V'), "stepped");
    }

    #[test]
    fn a_spanning_line_joins_its_gaps_and_others_break() {
        let s = series(&[1.0, f64::NAN, 2.0]);
        let line = Line::new("p99", "#2158d6", "s", Source::Col(1, 1.0));
        let moves = |l: Line| {
            let svg = draw(&ChartDef::new("c", "t", "p99", vec![l]), &s);
            svg.split(r#"<path d=""#)
                .nth(1)
                .unwrap()
                .matches('M')
                .count()
        };
        assert_eq!(moves(line.clone()), 2);
        assert_eq!(moves(line.spanning()), 1);
    }
}
