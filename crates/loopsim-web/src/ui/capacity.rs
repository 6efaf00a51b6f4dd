//! The sweep's capacity chart: p99 and goodput against the swept parameter, and each service's
//! utilisation, with their intervals shaded and the knee marked; redrawn as workers finish
//! points. The curves come from `loopsim_web::sweeps` (the core's capacity curves); labels that
//! come from the scenario (paths, values, service names) reach the page as canvas or text only.

use js_sys::{Array, Float64Array};
use loopsim_core::sweep::Capacity;
use loopsim_web::sweeps::{self, CurveLine};
use wasm_bindgen::JsValue;
use web_sys::Element;

use super::{dom, glue};

const COLORS: [&str; 6] = [
    "#2158d6", "#c92a2a", "#2b8a3e", "#e67700", "#7048e8", "#1098ad",
];
const LATENCY: &str = "chart-capacity";
const UTILISATION: &str = "chart-capacity-util";

/// The two capacity charts while a sweep runs.
#[derive(Default)]
pub struct CapacityCharts {
    handles: Vec<JsValue>,
}

/// A line of a chart spec: `(line, unit, axis, dashed, colour index)`.
type Spec<'a> = (&'a CurveLine, &'static str, u8, bool, usize);

fn color(c: usize) -> &'static str {
    COLORS[c % COLORS.len()]
}

impl CapacityCharts {
    /// Removes the charts and hides the section.
    pub fn clear(&mut self) {
        for h in self.handles.drain(..) {
            glue::destroy_chart(&h);
        }
        // The figures too: the page's time charts are found as `figure.chart:not([hidden])`.
        for id in ["capacity", LATENCY, UTILISATION] {
            dom::set_hidden(id, true);
        }
    }

    /// Draws `cap` (the points done so far; `complete` once all are in).
    pub fn show(&mut self, cap: &Capacity, complete: bool) {
        self.clear();
        for id in ["capacity", LATENCY, UTILISATION] {
            dom::set_hidden(id, false);
        }
        dom::set_text("capacity-note", &sweeps::caption(cap, complete));
        let xs = sweeps::xs(cap);
        let p99 = sweeps::lines(cap, &xs, "p99", 1.0, |p| Some(p.p99_s));
        let goodput = sweeps::lines(cap, &xs, "goodput", 1.0, |p| Some(p.goodput_rps));
        // One curve: p99 blue, goodput green. Several: each curve its colour, goodput dashed
        // on the right axis.
        let single = cap.curves.len() == 1;
        let mut first: Vec<Spec> = p99.iter().map(|l| (l, "s", 0, false, l.curve)).collect();
        first.extend(
            goodput
                .iter()
                .map(|l| (l, "req/s", 1, true, if single { 2 } else { l.curve })),
        );
        let title = format!("p99 and goodput against {}", cap.x);
        self.chart(
            LATENCY,
            &title,
            &cap.x,
            &xs,
            &first,
            ("p99", Some("goodput (req/s)")),
        );
        let util = sweeps::utilisation_lines(cap, &xs);
        let second: Vec<Spec> = util
            .iter()
            .enumerate()
            .map(|(k, l)| (l, "%", 0, false, k))
            .collect();
        let title = format!("Utilisation against {}", cap.x);
        self.chart(
            UTILISATION,
            &title,
            &cap.x,
            &xs,
            &second,
            ("busy (%)", None),
        );
        let mark = sweeps::knee_mark(cap).map_or(JsValue::NULL, |(at, label)| {
            dom::obj(&[("at", dom::n(at)), ("label", dom::s(&label))])
        });
        glue::set_marker(LATENCY, &mark);
        glue::set_marker(UTILISATION, &mark);
    }

    /// One chart in figure `id`: `lines` at `xs` (the swept values, `x_label` the path), with
    /// their intervals shaded.
    fn chart(
        &mut self,
        id: &str,
        title: &str,
        x_label: &str,
        xs: &[f64],
        lines: &[Spec],
        (y_label, y2_label): (&str, Option<&str>),
    ) {
        let parent: Element = dom::by_id(id);
        dom::clear(&parent);
        let series = lines.iter().map(|(l, unit, axis, dash, c)| {
            dom::obj(&[
                ("label", dom::s(&l.label)),
                ("color", dom::s(color(*c))),
                ("unit", dom::s(unit)),
                ("axis", dom::n(*axis)),
                ("dash", JsValue::from_bool(*dash)),
                ("span", JsValue::from_bool(true)),
                ("points", JsValue::from_bool(true)),
            ])
        });
        let spec = dom::obj(&[
            ("title", dom::s(title)),
            ("xLabel", dom::s(x_label)),
            ("xLegend", dom::s(x_label)),
            ("yLabel", dom::s(y_label)),
            ("y2Label", y2_label.map_or(JsValue::NULL, dom::s)),
            ("yMin", dom::n(0)),
            (
                "yMax",
                if y_label.starts_with("busy") {
                    dom::n(100)
                } else {
                    JsValue::NULL
                },
            ),
            ("xMax", dom::n(xs.last().copied().unwrap_or(1.0))),
            ("height", dom::n(220)),
            ("series", dom::arr(series)),
        ]);
        let handle = glue::create_chart(&parent, &spec);
        let cols = Array::new();
        cols.push(&Float64Array::from(xs));
        for (l, ..) in lines {
            cols.push(&Float64Array::from(l.mean.as_slice()));
        }
        glue::set_chart_data(&handle, &cols);
        let bands = lines
            .iter()
            .filter(|(l, ..)| l.lo.iter().any(|v| v.is_finite()));
        let bands = dom::arr(bands.map(|(l, _, axis, _, c)| {
            dom::obj(&[
                ("t", Float64Array::from(xs).into()),
                ("lo", Float64Array::from(l.lo.as_slice()).into()),
                ("hi", Float64Array::from(l.hi.as_slice()).into()),
                ("color", dom::s(color(*c))),
                ("edge", dom::s(color(*c))),
                ("axis", dom::n(*axis)),
            ])
        }));
        glue::set_ci_band(id, &bands);
        self.handles.push(handle);
    }
}
