//! The topology diagram in the page: drawn from the scenario as typed (each time its shape
//! changes), repainted in place while a run goes on, and a way into the charts and tables —
//! a click (or Enter) on a service focuses it.
//!
//! The SVG comes whole from `loopsim_view::topology` (every scenario text escaped there) and
//! is inserted once per shape; a repaint only sets attributes and `textContent` on the
//! elements kept from that insertion, so a frame never rebuilds the diagram.

use loopsim_core::report::Report;
use loopsim_core::scenario::Scenario;
use loopsim_core::series::Series;
use loopsim_view::topology::{
    self, graph::Node, render, Changes, Graph, Layout, Look, Paint, Painter,
};
use loopsim_wasm::Session;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlOptionElement, HtmlSelectElement};

use super::dom;

/// The diagram shown and what repainting it needs.
#[derive(Default)]
pub struct Topology {
    shown: Option<Shown>,
    wired: bool,
}

struct Shown {
    graph: Graph,
    layout: Layout,
    nodes: Vec<NodeEls>,
    /// Each edge's group and path.
    edges: Vec<(Element, Element)>,
    /// Set while a run of this scenario paints it (`None`: idle look).
    painter: Option<Painter>,
}

/// The elements of one box that a repaint touches.
struct NodeEls {
    group: Element,
    rect: Element,
    live: Vec<Element>,
    tag: Element,
    fault: Element,
    title: Element,
}

impl Topology {
    /// Draws the scenario in `text` if it is valid and its shape differs from the one shown.
    pub fn show_text(&mut self, text: &str) {
        if let Some(sc) = loopsim_core::check(text).scenario {
            self.show(&sc);
        }
    }

    /// Draws `sc` unless the same diagram is already shown (its paint is then kept).
    pub fn show(&mut self, sc: &Scenario) {
        self.wire();
        let graph = topology::build(sc);
        if self.shown.as_ref().is_some_and(|s| s.graph == graph) {
            return;
        }
        let layout = topology::layout::layout(&graph);
        let svg = render::svg(&graph, &layout, &Look::idle(&graph), &topology::title(sc));
        let root: Element = dom::by_id("topology-diagram");
        // The markup is our own: every scenario text in it was escaped by `render`.
        root.set_inner_html(&svg);
        let _ = root.set_attribute("data-nodes", &graph.nodes.len().to_string());
        // Full size where it fits; on a narrow screen it shrinks a little (text stays
        // readable), then its box scrolls sideways.
        if let Ok(Some(svg)) = root.query_selector("svg") {
            let w = svg
                .get_attribute("width")
                .and_then(|w| w.parse::<f64>().ok());
            if let Some(w) = w {
                let style = format!(
                    "width:100%;height:auto;max-width:{w:.0}px;min-width:{:.0}px",
                    w * 0.8
                );
                let _ = svg.set_attribute("style", &style);
            }
        }
        // Say so when part of the diagram is out of view (a phone, a long chain).
        let hint: web_sys::HtmlElement = dom::by_id("topology-scroll");
        hint.set_hidden(root.scroll_width() <= root.client_width() + 1);
        let nodes = collect(&root, graph.nodes.len());
        let edges = collect_edges(&root, graph.edges.len());
        self.shown = Some(Shown {
            graph,
            layout,
            nodes,
            edges,
            painter: None,
        });
    }

    /// A run of `sc` starts: draw it (if the text's diagram differs) and paint from now on.
    pub fn start_run(&mut self, sc: &Scenario, series: &Series) {
        self.reset();
        self.show(sc);
        if let Some(s) = &mut self.shown {
            s.painter = Some(Painter::new(sc, &s.graph, series.names()));
        }
    }

    /// Repaints the boxes whose look changed: the latest interval's figures while the run goes
    /// on, the whole run's once `finished`.
    pub fn paint(&mut self, session: &Session, report: &Report, finished: bool) {
        let (series, now_s) = (session.series(), session.snapshot().now_s);
        let Some(s) = &mut self.shown else { return };
        if s.painter.is_none() {
            // The diagram was redrawn during the run (its text edited, then put back): paint
            // again once it shows the run's scenario.
            if topology::build(session.scenario()) != s.graph {
                return;
            }
            s.painter = Some(Painter::new(session.scenario(), &s.graph, series.names()));
        }
        let Some(painter) = &mut s.painter else {
            return;
        };
        let sc = session.scenario();
        let changes = painter.update(sc, &s.graph, report, series, now_s, finished);
        apply(s, &changes);
        let root: Element = dom::by_id("topology-diagram");
        let state = if finished { "finished" } else { "running" };
        let _ = root.set_attribute("data-paint", state);
    }

    /// Back to the idle look (the run was reset or another scenario loaded).
    pub fn reset(&mut self) {
        let Some(s) = &mut self.shown else { return };
        if let Some(mut painter) = s.painter.take() {
            let changes = painter.reset();
            apply(s, &changes);
        }
        let root: Element = dom::by_id("topology-diagram");
        let _ = root.remove_attribute("data-paint");
    }

    /// Click and Enter on a box focus its service (once, on the diagram's container).
    fn wire(&mut self) {
        if self.wired {
            return;
        }
        self.wired = true;
        let root: web_sys::EventTarget = dom::by_id::<Element>("topology-diagram").into();
        dom::on(&root, "click", |e| {
            if let Some(name) = service_of(&e) {
                focus_service(&name);
            }
        });
        dom::on(&root, "keydown", |e| {
            let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                return;
            };
            if k.key() == "Enter" || k.key() == " " {
                if let Some(name) = service_of(&e) {
                    e.prevent_default();
                    focus_service(&name);
                }
            }
        });
    }
}

fn collect(root: &Element, n: usize) -> Vec<NodeEls> {
    (0..n)
        .map(|i| {
            let group = root
                .query_selector(&format!("[data-node=\"{i}\"]"))
                .ok()
                .flatten()
                .unwrap_or_else(|| panic!("topology node {i} missing"));
            let part = |class: &str| {
                group
                    .query_selector(&format!(".{class}"))
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| dom::el("span"))
            };
            NodeEls {
                rect: part("topo-box"),
                live: vec![part("topo-live-0"), part("topo-live-1")],
                tag: part("topo-tag"),
                fault: part("topo-fault"),
                title: group
                    .query_selector("title")
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| dom::el("span")),
                group,
            }
        })
        .collect()
}

fn collect_edges(root: &Element, n: usize) -> Vec<(Element, Element)> {
    (0..n)
        .map(|e| {
            let group = root
                .query_selector(&format!("[data-edge=\"{e}\"]"))
                .ok()
                .flatten()
                .unwrap_or_else(|| dom::el("span"));
            let path = group
                .query_selector("path")
                .ok()
                .flatten()
                .unwrap_or_else(|| dom::el("span"));
            (group, path)
        })
        .collect()
}

fn apply(s: &Shown, changes: &Changes) {
    for (e, level) in &changes.edges {
        let (Some((group, path)), Some(edge)) = (s.edges.get(*e), s.graph.edges.get(*e)) else {
            continue;
        };
        let (color, width) = render::edge_stroke(edge.kind, *level);
        let _ = path.set_attribute("stroke", color);
        let _ = path.set_attribute("stroke-width", &format!("{width:.1}"));
        let _ = group.set_attribute("data-level", level.name());
    }
    for (i, p) in &changes.nodes {
        let (Some(els), Some(node), Some(r)) = (
            s.nodes.get(*i),
            s.graph.nodes.get(*i),
            s.layout.nodes.get(*i),
        ) else {
            continue;
        };
        paint_node(els, node, r, p);
    }
}

fn paint_node(els: &NodeEls, node: &Node, r: &topology::layout::Rect, p: &Paint) {
    let (fill, stroke) = p.level.colors(node.kind);
    let _ = els.rect.set_attribute("fill", fill);
    let _ = els.rect.set_attribute("stroke", stroke);
    let _ = els
        .rect
        .set_attribute("stroke-width", &format!("{:.1}", render::stroke_width(p)));
    let _ = els.group.set_attribute("data-level", p.level.name());
    let _ = els
        .group
        .class_list()
        .toggle_with_force("bottleneck", p.tag.is_some());
    for (k, el) in els.live.iter().enumerate() {
        el.set_text_content(Some(&render::live_text(p, k, r)));
    }
    let tag = p.tag.map(str::to_uppercase).unwrap_or_default();
    els.tag.set_text_content(Some(&tag));
    let _ = els.tag.set_attribute("fill", render::tag_color(p));
    els.fault.set_text_content(Some(&render::fault_text(p, r)));
    els.title.set_text_content(Some(&render::tooltip(node, p)));
}

impl Topology {
    /// Marks the boxes a guide step points at (class `guide-target`; none for `None`) and
    /// returns the first, to scroll to.
    pub fn point_at(&self, node: Option<&str>) -> Option<Element> {
        let root: Element = dom::by_id("topology-diagram");
        each(&root, ".guide-target", |g| {
            let _ = g.class_list().remove_1("guide-target");
            false
        });
        let (shown, node) = (self.shown.as_ref()?, node?);
        let mut first = None;
        for i in loopsim_view::guide::node_boxes(&shown.graph, node) {
            if let Ok(Some(g)) = root.query_selector(&format!("[data-node=\"{i}\"]")) {
                let _ = g.class_list().add_1("guide-target");
                first.get_or_insert(g);
            }
        }
        first
    }
}

/// The service of the box an event happened in.
fn service_of(e: &web_sys::Event) -> Option<String> {
    e.target()?
        .dyn_into::<Element>()
        .ok()?
        .closest("[data-service]")
        .ok()??
        .get_attribute("data-service")
}

/// Shows `name`'s charts (the charts' service selector, when the page has one) and its row
/// in the services table. Names are compared as values, never put into a selector.
fn focus_service(name: &str) {
    let doc = dom::document();
    if let Some(select) = doc
        .get_element_by_id("service-select")
        .and_then(|e| e.dyn_into::<HtmlSelectElement>().ok())
    {
        let has = each(&select, "option", |o| {
            o.dyn_ref::<HtmlOptionElement>()
                .is_some_and(|o| o.value() == name)
        });
        if has {
            select.set_value(name);
            let init = web_sys::EventInit::new();
            init.set_bubbles(true);
            if let Ok(ev) = web_sys::Event::new_with_event_init_dict("change", &init) {
                let _ = select.dispatch_event(&ev);
            }
        }
    }
    let mut row: Option<Element> = None;
    if let Some(body) = doc.body() {
        each(&body, "tr[data-service]", |tr| {
            let hit = tr.get_attribute("data-service").as_deref() == Some(name);
            let _ = tr.class_list().toggle_with_force("focused", hit);
            if hit && row.is_none() {
                row = Some(tr.clone());
            }
            false
        });
    }
    if let Some(root) = doc.get_element_by_id("topology-diagram") {
        each(&root, "[data-service]", |g| {
            let hit = g.get_attribute("data-service").as_deref() == Some(name);
            let _ = g.class_list().toggle_with_force("selected", hit);
            false
        });
    }
    if let Some(tr) = row {
        let opts = web_sys::ScrollIntoViewOptions::new();
        opts.set_block(web_sys::ScrollLogicalPosition::Center);
        tr.scroll_into_view_with_scroll_into_view_options(&opts);
    }
}

/// Calls `f` on every element under `root` matching `selector`; true if `f` ever was.
fn each(root: &Element, selector: &str, mut f: impl FnMut(&Element) -> bool) -> bool {
    let Ok(list) = root.query_selector_all(selector) else {
        return false;
    };
    let mut any = false;
    for k in 0..list.length() {
        if let Some(e) = list.item(k).and_then(|n| n.dyn_into::<Element>().ok()) {
            any |= f(&e);
        }
    }
    any
}
