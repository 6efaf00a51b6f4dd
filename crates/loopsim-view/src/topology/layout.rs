//! Where everything goes: a layered (Sugiyama-style) layout, left to right in the direction
//! requests flow.
//!
//! 1. Layers: the longest path from the sources over the flow edges, after dropping the edges
//!    that close a cycle (queues can loop back) — workloads first, a pool right of its service.
//! 2. An edge spanning several layers gets a waypoint in each layer it crosses, ordered and
//!    spaced like a node, so it never runs through one.
//! 3. Order within a layer: a few barycentre sweeps (fewer crossings).
//! 4. Heights: each node wants the mean height of its neighbours; packing it forward and
//!    backward under the spacing constraints and averaging the two keeps chains straight.
//!
//! Text widths are estimated (no font metrics here) on the generous side, and boxes are sized
//! to them, so labels never overlap: the page's browser test checks the real widths.

use super::graph::{Graph, NodeKind};

/// Font sizes (px) of the diagram's texts.
pub const NAME_PX: f64 = 13.0;
pub const SMALL_PX: f64 = 11.0;
pub const TAG_PX: f64 = 10.0;
/// Line height inside a box and padding around its text.
pub const LINE: f64 = 15.0;
pub const PAD: f64 = 10.0;
/// Longest name and detail shown in a box (longer ones end with an ellipsis; the tooltip
/// has the whole text).
pub const MAX_NAME_CHARS: usize = 28;
pub const MAX_DETAIL_CHARS: usize = 34;
/// Space between boxes in a column (room for the tag above a box).
const V_GAP: f64 = 30.0;
const DUMMY_GAP: f64 = 8.0;
const MIN_H_GAP: f64 = 64.0;
const MARGIN: f64 = 16.0;
const TOP: f64 = 28.0;
const SWEEPS: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
}

/// An edge's route: points joined by horizontal-tangent curves; its label's box (top-left,
/// lines drawn from there) when it has one.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub points: Vec<(f64, f64)>,
    /// The edge goes against the flow (closes a cycle) or joins a column to itself.
    pub backward: bool,
    pub label: Option<Rect>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub nodes: Vec<Rect>,
    pub routes: Vec<Route>,
}

/// Estimated width of `text` at `px` (bold when `bold`): wide for capitals and non-ASCII.
pub fn text_width(text: &str, px: f64, bold: bool) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | '\'' | '|' | '!' | ':' | ';' | ' ' => 0.36,
            'm' | 'w' | 'M' | 'W' | '@' | '%' => 0.95,
            'A'..='Z' => 0.74,
            c if c.is_ascii() => 0.62,
            _ => 1.05,
        })
        .sum();
    em * px * if bold { 1.08 } else { 1.0 }
}

/// `text` cut to `max` characters with an ellipsis.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

/// Lines of text in a node's box: name, detail, the live figures (two lines for a service:
/// load, then failures).
pub fn lines(kind: NodeKind) -> usize {
    if kind == NodeKind::Service {
        4
    } else {
        3
    }
}

fn node_size(g: &Graph, i: usize) -> (f64, f64) {
    let n = &g.nodes[i];
    let name = text_width(&clip(&n.name, MAX_NAME_CHARS), NAME_PX, true);
    let detail = text_width(&clip(&n.detail, MAX_DETAIL_CHARS), SMALL_PX, false);
    let live = text_width(n.live_template, SMALL_PX, false);
    let w = name.max(detail).max(live) + 2.0 * PAD;
    let h = lines(n.kind) as f64 * LINE + PAD;
    (w.ceil(), h)
}

/// Width and height of an edge label's lines.
pub fn label_size(lines: &[String]) -> (f64, f64) {
    let w = lines
        .iter()
        .map(|l| text_width(&clip(l, MAX_DETAIL_CHARS), SMALL_PX, false))
        .fold(0.0, f64::max);
    (w.ceil() + 4.0, lines.len() as f64 * 13.0 + 2.0)
}

/// One slot in a layer: a node, or a waypoint of a long edge.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Slot {
    Node(usize),
    Waypoint,
}

struct Work {
    slots: Vec<Slot>,
    layer: Vec<usize>,
    /// Per slot: its neighbours in the previous and next layer.
    up: Vec<Vec<usize>>,
    down: Vec<Vec<usize>>,
    layers: Vec<Vec<usize>>,
    /// Per edge: its slots from source to target (backward edges: just the two ends).
    chains: Vec<Vec<usize>>,
    backward: Vec<bool>,
}

/// Lays `g` out.
pub fn layout(g: &Graph) -> Layout {
    let n = g.nodes.len();
    let sizes: Vec<(f64, f64)> = (0..n).map(|i| node_size(g, i)).collect();
    let (layer, backward) = layers(g);
    let mut w = build_slots(g, layer, backward);
    order(&mut w);
    let slot_h = |s: usize| match w.slots[s] {
        Slot::Node(i) => sizes[i].1,
        Slot::Waypoint => 0.0,
    };
    let slot_w = |s: usize| match w.slots[s] {
        Slot::Node(i) => sizes[i].0,
        Slot::Waypoint => 0.0,
    };
    // Column widths and the gaps after them (wide enough for the labels starting there).
    let cols = w.layers.len();
    let col_w: Vec<f64> = w
        .layers
        .iter()
        .map(|l| l.iter().map(|&s| slot_w(s)).fold(0.0, f64::max))
        .collect();
    let mut gap = vec![MIN_H_GAP; cols];
    for (e, edge) in g.edges.iter().enumerate() {
        if !edge.label.is_empty() && !w.backward[e] {
            let l = w.layer[w.chains[e][0]];
            gap[l] = gap[l].max(label_size(&edge.label).0 + 28.0);
        }
    }
    let mut col_x = vec![MARGIN; cols];
    for c in 1..cols {
        col_x[c] = col_x[c - 1] + col_w[c - 1] + gap[c - 1];
    }
    let ys = heights(&w, &slot_h);
    let mut nodes = vec![
        Rect {
            x: 0.0,
            y: 0.0,
            w: 0.0,
            h: 0.0
        };
        n
    ];
    for (s, slot) in w.slots.iter().enumerate() {
        if let Slot::Node(i) = *slot {
            let c = w.layer[s];
            nodes[i] = Rect {
                x: col_x[c] + (col_w[c] - sizes[i].0) / 2.0,
                y: ys[s],
                w: sizes[i].0,
                h: sizes[i].1,
            };
        }
    }
    let mut routes = routes(g, &w, &nodes, &ys, &col_x, &col_w);
    separate_labels(&mut routes, &nodes);
    let mut width = col_x[cols.saturating_sub(1)] + col_w.last().copied().unwrap_or(0.0) + MARGIN;
    let mut height = TOP;
    for r in &nodes {
        height = height.max(r.y + r.h + MARGIN);
    }
    for r in &routes {
        for &(x, y) in &r.points {
            width = width.max(x + MARGIN);
            height = height.max(y + MARGIN);
        }
        if let Some(l) = &r.label {
            width = width.max(l.x + l.w + MARGIN);
            height = height.max(l.y + l.h + MARGIN);
        }
    }
    Layout {
        width: width.ceil(),
        height: height.ceil(),
        nodes,
        routes,
    }
}

/// Layer of every node, and which edges close a cycle (or are links, which do not order).
fn layers(g: &Graph) -> (Vec<usize>, Vec<bool>) {
    let n = g.nodes.len();
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for (e, edge) in g.edges.iter().enumerate() {
        if edge.kind.is_flow() {
            out[edge.from].push((edge.to, e));
        }
    }
    // Iterative DFS from every node in declaration order (workloads first): an edge to a node
    // still on the stack closes a cycle.
    let mut backward = vec![false; g.edges.len()];
    for (e, edge) in g.edges.iter().enumerate() {
        backward[e] = !edge.kind.is_flow() || edge.from == edge.to;
    }
    let mut state = vec![0u8; n]; // 0 new, 1 on the stack, 2 done
    let mut post = Vec::with_capacity(n);
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some(&mut (v, ref mut k)) = stack.last_mut() {
            if let Some(&(t, e)) = out[v].get(*k) {
                *k += 1;
                match state[t] {
                    0 => {
                        state[t] = 1;
                        stack.push((t, 0));
                    }
                    1 => backward[e] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                post.push(v);
                stack.pop();
            }
        }
    }
    // Longest path in reverse post-order (a topological order of the forward edges).
    let has_workloads = g.nodes.iter().any(|x| x.kind == NodeKind::Workload);
    let mut layer: Vec<usize> = g
        .nodes
        .iter()
        .map(|x| usize::from(has_workloads && x.kind != NodeKind::Workload))
        .collect();
    for &v in post.iter().rev() {
        for &(t, e) in &out[v] {
            if !backward[e] {
                layer[t] = layer[t].max(layer[v] + 1);
            }
        }
    }
    (layer, backward)
}

fn build_slots(g: &Graph, layer: Vec<usize>, backward: Vec<bool>) -> Work {
    let n = g.nodes.len();
    let mut w = Work {
        slots: (0..n).map(Slot::Node).collect(),
        layer,
        up: vec![Vec::new(); n],
        down: vec![Vec::new(); n],
        layers: Vec::new(),
        chains: Vec::new(),
        backward,
    };
    for (e, edge) in g.edges.iter().enumerate() {
        let (a, b) = (edge.from, edge.to);
        if w.backward[e] {
            w.chains.push(vec![a, b]);
            continue;
        }
        let mut chain = vec![a];
        let mut prev = a;
        for l in w.layer[a] + 1..w.layer[b] {
            let s = w.slots.len();
            w.slots.push(Slot::Waypoint);
            w.layer.push(l);
            w.up.push(vec![prev]);
            w.down.push(Vec::new());
            w.down[prev].push(s);
            chain.push(s);
            prev = s;
        }
        w.down[prev].push(b);
        w.up[b].push(prev);
        chain.push(b);
        w.chains.push(chain);
    }
    let cols = w.layer.iter().copied().max().map_or(0, |m| m + 1);
    w.layers = vec![Vec::new(); cols];
    for s in 0..w.slots.len() {
        w.layers[w.layer[s]].push(s);
    }
    w
}

/// Barycentre sweeps, down then up, keeping the order with the fewest crossings seen.
fn order(w: &mut Work) {
    let mut pos = vec![0.0; w.slots.len()];
    for l in &w.layers {
        for (k, &s) in l.iter().enumerate() {
            pos[s] = k as f64;
        }
    }
    let mut best = (crossings(w, &pos), w.layers.clone());
    for sweep in 0..SWEEPS {
        let down = sweep % 2 == 0;
        let range: Vec<usize> = if down {
            (1..w.layers.len()).collect()
        } else {
            (0..w.layers.len().saturating_sub(1)).rev().collect()
        };
        for l in range {
            let mut keyed: Vec<(f64, usize)> = w.layers[l]
                .iter()
                .map(|&s| {
                    let nb = if down { &w.up[s] } else { &w.down[s] };
                    let key = if nb.is_empty() {
                        pos[s]
                    } else {
                        nb.iter().map(|&t| pos[t]).sum::<f64>() / nb.len() as f64
                    };
                    (key, s)
                })
                .collect();
            sort_by_key(&mut keyed);
            w.layers[l] = keyed.into_iter().map(|(_, s)| s).collect();
            for (k, &s) in w.layers[l].iter().enumerate() {
                pos[s] = k as f64;
            }
        }
        let c = crossings(w, &pos);
        if c < best.0 {
            best = (c, w.layers.clone());
        }
    }
    w.layers = best.1;
}

/// Edge crossings between adjacent layers (quadratic per layer pair; layers are small).
fn crossings(w: &Work, pos: &[f64]) -> usize {
    let mut total = 0;
    for l in 0..w.layers.len().saturating_sub(1) {
        let pairs: Vec<(f64, f64)> = w.layers[l]
            .iter()
            .flat_map(|&s| w.down[s].iter().map(move |&t| (pos[s], pos[t])))
            .collect();
        for (i, a) in pairs.iter().enumerate() {
            for b in &pairs[i + 1..] {
                if (a.0 - b.0) * (a.1 - b.1) < 0.0 {
                    total += 1;
                }
            }
        }
    }
    total
}

/// Top of every slot: stacked, then pulled toward its neighbours' centres.
fn heights(w: &Work, slot_h: &dyn Fn(usize) -> f64) -> Vec<f64> {
    let gap = |s: usize| match w.slots[s] {
        Slot::Node(_) => V_GAP,
        Slot::Waypoint => DUMMY_GAP,
    };
    let mut y = vec![TOP; w.slots.len()];
    for l in &w.layers {
        let mut at = TOP;
        for &s in l {
            y[s] = at;
            at += slot_h(s) + gap(s);
        }
    }
    for sweep in 0..SWEEPS {
        let down = sweep % 2 == 0;
        let order: Vec<usize> = if down {
            (0..w.layers.len()).collect()
        } else {
            (0..w.layers.len()).rev().collect()
        };
        for l in order {
            let layer = &w.layers[l];
            let want: Vec<f64> = layer
                .iter()
                .map(|&s| {
                    let nb: Vec<usize> = w.up[s].iter().chain(&w.down[s]).copied().collect();
                    let centre = if nb.is_empty() {
                        y[s] + slot_h(s) / 2.0
                    } else {
                        nb.iter().map(|&t| y[t] + slot_h(t) / 2.0).sum::<f64>() / nb.len() as f64
                    };
                    centre - slot_h(s) / 2.0
                })
                .collect();
            let k = layer.len();
            let mut fwd = want.clone();
            for i in 1..k {
                let min = fwd[i - 1] + slot_h(layer[i - 1]) + gap(layer[i - 1]);
                fwd[i] = fwd[i].max(min);
            }
            let mut back = want;
            for i in (0..k.saturating_sub(1)).rev() {
                let max = back[i + 1] - slot_h(layer[i]) - gap(layer[i]);
                back[i] = back[i].min(max);
            }
            for i in 0..k {
                y[layer[i]] = (fwd[i] + back[i]) / 2.0;
            }
        }
    }
    let top = y.iter().copied().fold(f64::INFINITY, f64::min);
    if top.is_finite() {
        for v in &mut y {
            *v += TOP - top;
        }
    }
    y
}

/// Routes with ports spread along each box's side (in the order of the other ends' heights),
/// and each label just after its edge leaves the source.
fn routes(
    g: &Graph,
    w: &Work,
    nodes: &[Rect],
    ys: &[f64],
    col_x: &[f64],
    col_w: &[f64],
) -> Vec<Route> {
    let centre_y = |s: usize| match w.slots[s] {
        Slot::Node(i) => nodes[i].y + nodes[i].h / 2.0,
        Slot::Waypoint => ys[s],
    };
    let m = g.edges.len();
    // Ports: out on the right side, in on the left.
    let mut out_port = vec![0.0; m];
    let mut in_port = vec![0.0; m];
    for (i, r) in nodes.iter().enumerate() {
        let mut outs: Vec<(f64, usize)> = Vec::new();
        let mut ins: Vec<(f64, usize)> = Vec::new();
        for (e, chain) in w.chains.iter().enumerate() {
            if g.edges[e].from == i {
                outs.push((centre_y(chain[1.min(chain.len() - 1)]), e));
            }
            if g.edges[e].to == i {
                ins.push((centre_y(chain[chain.len().saturating_sub(2)]), e));
            }
        }
        for (list, port) in [(&mut outs, &mut out_port), (&mut ins, &mut in_port)] {
            sort_by_key(list);
            let k = list.len() as f64;
            for (j, &(_, e)) in list.iter().enumerate() {
                port[e] = r.y + r.h * (j as f64 + 1.0) / (k + 1.0);
            }
        }
    }
    let mut routes = Vec::with_capacity(m);
    for (e, chain) in w.chains.iter().enumerate() {
        let edge = &g.edges[e];
        let (a, b) = (nodes[edge.from], nodes[edge.to]);
        let mut points = vec![(a.x + a.w, out_port[e])];
        for &s in &chain[1..chain.len() - 1] {
            let c = w.layer[s];
            points.push((col_x[c], ys[s]));
            points.push((col_x[c] + col_w[c], ys[s]));
        }
        points.push((b.x, in_port[e]));
        let backward = w.backward[e];
        let label = (!edge.label.is_empty()).then(|| {
            let (lw, lh) = label_size(&edge.label);
            let (x0, y0) = points[0];
            let (x1, y1) = points[1];
            // Centred over the edge's first stretch, above both its ends (so the curve never
            // crosses it), or under the loop of an edge going back.
            let (x, y) = if backward {
                let (x1, y1) = points[points.len() - 1];
                ((x0 + x1) / 2.0 - lw / 2.0, (y0.max(y1)) + 40.0)
            } else {
                ((x0 + x1) / 2.0 - lw / 2.0, y0.min(y1) - lh - 1.0)
            };
            Rect { x, y, w: lw, h: lh }
        });
        routes.push(Route {
            points,
            backward,
            label,
        });
    }
    routes
}

/// A stable insertion sort by key: the lists sorted here are a layer or a box's edges, short,
/// and one small function keeps the page's download smaller than the standard sort's
/// instances would.
fn sort_by_key(v: &mut [(f64, usize)]) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && v[j - 1].0.total_cmp(&v[j].0).is_gt() {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Pushes labels that start in the same gap apart, downward, and off any box.
fn separate_labels(routes: &mut [Route], nodes: &[Rect]) {
    let idx: Vec<usize> = (0..routes.len())
        .filter(|&i| routes[i].label.is_some())
        .collect();
    // Left to right, then top to bottom (x first: a label's x is its gap's).
    let mut keyed: Vec<(f64, usize)> = idx
        .iter()
        .map(|&i| {
            let l = routes[i].label.expect("filtered");
            (l.x * 1e6 + l.y, i)
        })
        .collect();
    sort_by_key(&mut keyed);
    let mut placed: Vec<Rect> = Vec::new();
    for (_, i) in keyed {
        let mut r = routes[i].label.expect("filtered");
        r.y = r.y.max(2.0);
        // Bounded: each move clears one obstacle for good, going down.
        for _ in 0..(placed.len() + nodes.len() + 1) {
            let hit = placed
                .iter()
                .chain(nodes.iter())
                .filter(|o| o.overlaps(&r))
                .map(|o| o.y + o.h)
                .fold(f64::NEG_INFINITY, f64::max);
            if hit.is_finite() {
                r.y = hit + 2.0;
            } else {
                break;
            }
        }
        routes[i].label = Some(r);
        placed.push(r);
    }
}
