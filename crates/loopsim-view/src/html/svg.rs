//! A chart as a static SVG string: time on x, one or two value axes, lines decimated to two
//! points (min and max) per pixel column so every spike survives however long the run, fault
//! bands shaded behind. Inline attributes only (no CSS classes, no script), so the SVG works
//! inside the self-contained report and in any viewer. Labels are escaped.

use super::charts::{Chart, Source};
use super::escape;
use crate::decimate;
use crate::format;
use crate::panels::{fault_color, FaultBand};
use loopsim_core::series::Series;
use std::fmt::Write;

/// Drawing size in SVG units (the SVG scales to its container through its `viewBox`).
pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 240.0;
const LEFT: f64 = 62.0;
const RIGHT_AXIS: f64 = 62.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 34.0;
/// Muted ink for axes and ticks: 7:1 on white.
const INK: &str = "#4a5262";

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

/// The x position and value of each point drawn for `source`: every row when they fit, else
/// the min and max of each pixel column's rows, in time order. `NaN` values break the line.
fn points(src: &Source, series: &Series, time: &[f64], columns: usize) -> Vec<(f64, f64)> {
    let value = |i: usize| src.at(series, i);
    let n = time.len();
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

/// `M x y L x y …` with a new `M` after each gap.
fn path(frame: &Frame, axis: usize, pts: &[(f64, f64)], step: bool) -> String {
    let mut d = String::new();
    let mut pen_down = false;
    for &(t, v) in pts {
        if !v.is_finite() {
            pen_down = false;
            continue;
        }
        let (x, y) = (frame.x(t), frame.y(axis, v));
        if !pen_down {
            let _ = write!(d, "M{x:.1} {y:.1}");
            pen_down = true;
        } else if step {
            let _ = write!(d, "H{x:.1}V{y:.1}");
        } else {
            let _ = write!(d, "L{x:.1} {y:.1}");
        }
    }
    d
}

fn axis_ticks(o: &mut String, frame: &Frame, axis: usize) {
    let x = if axis == 0 { frame.x0 } else { frame.x1 };
    let (anchor, dx) = if axis == 0 {
        ("end", -6.0)
    } else {
        ("start", 6.0)
    };
    for k in 0..=4 {
        let v = frame.max[axis] * f64::from(k) / 4.0;
        let y = frame.y(axis, v);
        if axis == 0 {
            let _ = write!(
                o,
                r##"<line x1="{:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#e3e6ec" stroke-width="1"/>"##,
                frame.x0, frame.x1
            );
        }
        let _ = write!(
            o,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="{anchor}" font-size="14" fill="{INK}">{}</text>"#,
            x + dx,
            y + 4.0,
            format::num(v)
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
fn maxima(chart: &Chart, drawn: &[Vec<(f64, f64)>]) -> [f64; 2] {
    let mut max = [0.0f64; 2];
    for (line, pts) in chart.lines.iter().zip(drawn) {
        let a = usize::from(line.right);
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

/// The chart as one `<svg>` element; `id` names its title for `aria-labelledby`.
pub fn render(
    chart: &Chart,
    series: &Series,
    time: &[f64],
    t_max: f64,
    faults: &[FaultBand],
) -> String {
    let has_right = chart.lines.iter().any(|l| l.right);
    let mut frame = Frame {
        x0: LEFT,
        x1: WIDTH - if has_right { RIGHT_AXIS } else { 16.0 },
        y0: TOP,
        y1: HEIGHT - BOTTOM,
        t_max: if t_max > 0.0 { t_max } else { 1.0 },
        max: [1.0, 1.0],
    };
    let drawn: Vec<Vec<(f64, f64)>> = chart
        .lines
        .iter()
        .map(|l| points(&l.source, series, time, frame.columns()))
        .collect();
    frame.max = maxima(chart, &drawn);
    let id = escape::text(&chart.id);
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-labelledby="{id}-title" font-family="system-ui, sans-serif"><title id="{id}-title">{}</title>"#,
        escape::text(&chart.title)
    );
    bands(&mut o, &frame, faults);
    axis_ticks(&mut o, &frame, 0);
    if has_right {
        axis_ticks(&mut o, &frame, 1);
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
        let d = path(&frame, usize::from(line.right), pts, line.step);
        if d.is_empty() {
            continue;
        }
        let dash = if line.dashed {
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
        x1: width - 16.0,
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
}
