//! The diagram as one standalone `<svg>` string: inline attributes only (no stylesheet, no
//! script, no external reference), so it works in the page and in a self-contained HTML file.
//! Every text from the scenario is escaped. Elements carry classes and `data-` attributes the
//! page uses to repaint them in place (`topo-node`, `data-node`, `topo-box`, `topo-live-0`…).

use std::fmt::Write;

use crate::escape;

use super::graph::{EdgeKind, Graph, Node, NodeKind};
use super::layout::{self, Layout, Rect, LINE, NAME_PX, PAD, SMALL_PX, TAG_PX};
use super::paint::{Level, Look, Paint};

/// Font stack of every text in the diagram.
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const TEXT: &str = "#212529";
const MUTED: &str = "#495057";
/// Height of the colour legend under the diagram.
const LEGEND_H: f64 = 26.0;
const LEGEND: [(Level, &str); 4] = [
    (Level::Ok, "ok (< 60% busy)"),
    (Level::Busy, "busy (≥ 60%) or ≥ 1% failed"),
    (Level::Hot, "hot (≥ 85%) or lag ≥ 100 ms"),
    (Level::Critical, "saturated (≥ 97%) or ≥ 10% failed"),
];

/// `text` cut so that it fits `width` px at `px` (estimated, as the layout does).
pub fn fit(text: &str, width: f64, px: f64) -> String {
    if layout::text_width(text, px, false) <= width {
        return text.to_string();
    }
    let mut n = text.chars().count();
    while n > 1 {
        n -= 1;
        let s = layout::clip(text, n);
        if layout::text_width(&s, px, false) <= width {
            return s;
        }
    }
    String::from("…")
}

/// Live line `k` of a box, cut to fit inside it.
pub fn live_text(p: &Paint, k: usize, r: &Rect) -> String {
    fit(
        p.live.get(k).map_or("", String::as_str),
        r.w - 2.0 * PAD,
        SMALL_PX,
    )
}

/// A box's tooltip: everything it shows, uncut (its lines may be cut to fit).
pub fn tooltip(n: &Node, p: &Paint) -> String {
    let mut t = format!("{} {}\n{}", n.kind.name(), n.name, n.detail);
    for line in p.live.iter().filter(|l| !l.is_empty()) {
        t.push('\n');
        t.push_str(line);
    }
    if !p.fault.is_empty() {
        t.push_str("\nfault: ");
        t.push_str(&p.fault);
    }
    if let Some(tag) = p.tag {
        t.push('\n');
        t.push_str(tag);
    }
    t
}

/// What the fault line under a box may show.
pub fn fault_text(p: &Paint, r: &Rect) -> String {
    if p.fault.is_empty() {
        String::new()
    } else {
        fit(&format!("⚡ {}", p.fault), r.w, TAG_PX)
    }
}

/// The whole diagram. `title` names it for screen readers.
pub fn svg(g: &Graph, l: &Layout, look: &Look, title: &str) -> String {
    let legend_w = legend_width();
    let width = l.width.max((legend_w + 32.0).ceil());
    let height = l.height + LEGEND_H;
    let mut s = String::with_capacity(2048 + 1024 * g.nodes.len());
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"topology-svg\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" font-family=\"{FONT}\" role=\"group\" aria-label=\"{}\">",
        escape::text(title)
    );
    let _ = write!(s, "<title>{}</title>", escape::text(title));
    s.push_str("<defs><marker id=\"loopsim-topo-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"10\" markerHeight=\"10\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#868e96\"/></marker></defs>");
    s.push_str("<g class=\"topo-edges\">");
    for (e, edge) in g.edges.iter().enumerate() {
        let level = look.edges.get(e).copied().unwrap_or(Level::Idle);
        edge_svg(&mut s, e, edge, &l.routes[e], level);
    }
    s.push_str("</g><g class=\"topo-nodes\">");
    for (i, n) in g.nodes.iter().enumerate() {
        let idle = Paint::idle();
        node_svg(
            &mut s,
            i,
            n,
            &l.nodes[i],
            look.nodes.get(i).unwrap_or(&idle),
        );
    }
    s.push_str("</g>");
    legend_svg(&mut s, l.height);
    s.push_str("</svg>");
    s
}

fn edge_style(kind: EdgeKind) -> (&'static str, &'static str) {
    match kind {
        EdgeKind::Request | EdgeKind::Call => ("#868e96", ""),
        EdgeKind::Publish | EdgeKind::Consume => ("#7950f2", ""),
        EdgeKind::DeadLetter => ("#c92a2a", "6 4"),
        EdgeKind::Holds => ("#adb5bd", "2 3"),
        EdgeKind::Cache => ("#adb5bd", "5 3"),
        EdgeKind::Link => ("#adb5bd", "5 3"),
    }
}

/// An edge's colour and width: its kind's grey or violet, orange or red while its requests
/// fail.
pub fn edge_stroke(kind: EdgeKind, level: Level) -> (&'static str, f64) {
    match level {
        Level::Busy | Level::Hot | Level::Critical => (level.colors(NodeKind::Service).1, 2.5),
        Level::Idle | Level::Ok => (edge_style(kind).0, 1.5),
    }
}

fn edge_svg(s: &mut String, e: usize, edge: &super::graph::Edge, r: &layout::Route, level: Level) {
    let dash = edge_style(edge.kind).1;
    let (color, width) = edge_stroke(edge.kind, level);
    let _ = write!(
        s,
        "<g class=\"topo-edge topo-{}\" data-edge=\"{e}\" data-level=\"{}\">",
        edge.kind.name(),
        level.name()
    );
    if !edge.tip.is_empty() {
        let _ = write!(s, "<title>{}</title>", escape::text(&edge.tip.join("\n")));
    }
    let _ = write!(
        s,
        "<path d=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{width:.1}\"",
        path(&r.points)
    );
    if !dash.is_empty() {
        let _ = write!(s, " stroke-dasharray=\"{dash}\"");
    }
    if edge.kind != EdgeKind::Link {
        s.push_str(" marker-end=\"url(#loopsim-topo-arrow)\"");
    }
    s.push_str("/>");
    if let Some(b) = &r.label {
        let _ = write!(
            s,
            "<text class=\"topo-edge-label\" font-size=\"{SMALL_PX:.0}\" fill=\"{MUTED}\">"
        );
        for (k, line) in edge.label.iter().enumerate() {
            let _ = write!(
                s,
                "<tspan x=\"{:.1}\" y=\"{:.1}\">{}</tspan>",
                b.x + 2.0,
                b.y + 11.0 + 13.0 * k as f64,
                escape::text(&layout::clip(line, layout::MAX_DETAIL_CHARS))
            );
        }
        s.push_str("</text>");
    }
    s.push_str("</g>");
}

/// Horizontal-tangent curves through the points; a loop below when the edge goes back.
fn path(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    let Some(&(x0, y0)) = points.first() else {
        return d;
    };
    let _ = write!(d, "M{x0:.1},{y0:.1}");
    let last = points[points.len() - 1];
    if points.len() == 2 && last.0 < x0 + 20.0 {
        let (x1, y1) = last;
        let bottom = y0.max(y1) + 36.0;
        let mid = (x0 + x1) / 2.0;
        let _ = write!(
            d,
            "C{:.1},{y0:.1} {:.1},{bottom:.1} {mid:.1},{bottom:.1}C{:.1},{bottom:.1} {:.1},{y1:.1} {x1:.1},{y1:.1}",
            x0 + 50.0,
            x0 + 50.0,
            x1 - 50.0,
            x1 - 50.0
        );
        return d;
    }
    for w in points.windows(2) {
        let ((ax, ay), (bx, by)) = (w[0], w[1]);
        if (ay - by).abs() < 0.01 {
            let _ = write!(d, "L{bx:.1},{by:.1}");
        } else {
            let dx = ((bx - ax) / 2.0).max(20.0);
            let _ = write!(
                d,
                "C{:.1},{ay:.1} {:.1},{by:.1} {bx:.1},{by:.1}",
                ax + dx,
                bx - dx
            );
        }
    }
    d
}

fn node_svg(s: &mut String, i: usize, n: &Node, r: &Rect, p: &Paint) {
    let (fill, stroke) = p.level.colors(n.kind);
    let _ = write!(
        s,
        "<g class=\"topo-node topo-{}{}\" data-node=\"{i}\" data-level=\"{}\" transform=\"translate({:.1},{:.1})\"",
        n.kind.name(),
        if p.tag.is_some() { " bottleneck" } else { "" },
        p.level.name(),
        r.x,
        r.y
    );
    if let Some(svc) = &n.service {
        // No aria-label: the accessible name is the box's `<title>` (SVG-AAM), which holds
        // everything the box shows and is kept in step by the live repaint (a fixed label
        // would not contain the visible text, WCAG 2.5.3 label in name).
        let _ = write!(
            s,
            " data-service=\"{}\" tabindex=\"0\" role=\"button\"",
            escape::text(svc)
        );
    }
    s.push('>');
    let _ = write!(s, "<title>{}</title>", escape::text(&tooltip(n, p)));
    let _ = write!(
        s,
        "<rect class=\"topo-box\" width=\"{:.1}\" height=\"{:.1}\" rx=\"{}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{:.1}\"/>",
        r.w,
        r.h,
        if n.kind == NodeKind::Queue { 2 } else { 7 },
        stroke_width(p)
    );
    let name = layout::clip(&n.name, layout::MAX_NAME_CHARS);
    let detail = layout::clip(&n.detail, layout::MAX_DETAIL_CHARS);
    let _ = write!(
        s,
        "<text class=\"topo-name\" x=\"{PAD:.0}\" y=\"{:.1}\" font-size=\"{NAME_PX:.0}\" font-weight=\"600\" fill=\"{TEXT}\">{}</text>",
        PAD + 11.0,
        escape::text(&name)
    );
    let _ = write!(
        s,
        "<text class=\"topo-detail\" x=\"{PAD:.0}\" y=\"{:.1}\" font-size=\"{SMALL_PX:.0}\" fill=\"{MUTED}\">{}</text>",
        PAD + 11.0 + LINE,
        escape::text(&detail)
    );
    for k in 0..layout::lines(n.kind) - 2 {
        let _ = write!(
            s,
            "<text class=\"topo-live-{k}\" x=\"{PAD:.0}\" y=\"{:.1}\" font-size=\"{SMALL_PX:.0}\" fill=\"{TEXT}\">{}</text>",
            PAD + 11.0 + LINE * (2 + k) as f64,
            escape::text(&live_text(p, k, r))
        );
    }
    let _ = write!(
        s,
        "<text class=\"topo-tag\" x=\"0\" y=\"-5\" font-size=\"{TAG_PX:.0}\" font-weight=\"700\" fill=\"{}\" letter-spacing=\"0.04em\">{}</text>",
        tag_color(p),
        p.tag.map(str::to_uppercase).unwrap_or_default()
    );
    let _ = write!(
        s,
        "<text class=\"topo-fault\" x=\"0\" y=\"{:.1}\" font-size=\"{TAG_PX:.0}\" font-weight=\"600\" fill=\"#862e9c\">{}</text>",
        r.h + 12.0,
        escape::text(&fault_text(p, r))
    );
    s.push_str("</g>");
}

/// The tag's colour: red for a saturated bottleneck, grey for the merely busiest.
pub fn tag_color(p: &Paint) -> &'static str {
    if p.tag == Some("bottleneck") {
        "#c92a2a"
    } else {
        MUTED
    }
}

/// Box outline width: thick on the bottleneck.
pub fn stroke_width(p: &Paint) -> f64 {
    if p.tag.is_some() {
        3.0
    } else {
        1.5
    }
}

fn legend_width() -> f64 {
    LEGEND
        .iter()
        .map(|(_, t)| layout::text_width(t, SMALL_PX, false) + 30.0)
        .sum()
}

fn legend_svg(s: &mut String, top: f64) {
    let _ = write!(
        s,
        "<g class=\"topo-legend\" transform=\"translate(16,{:.1})\" font-size=\"{SMALL_PX:.0}\" fill=\"{MUTED}\">",
        top + 4.0
    );
    let mut x = 0.0;
    for (level, text) in LEGEND {
        let (fill, stroke) = level.colors(NodeKind::Service);
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"0\" width=\"14\" height=\"12\" rx=\"3\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.5\"/><text x=\"{:.1}\" y=\"10\">{}</text>",
            x + 19.0,
            escape::text(text)
        );
        x += layout::text_width(text, SMALL_PX, false) + 30.0;
    }
    s.push_str("</g>");
}
