use loopsim_core::scenario::Scenario;
use loopsim_wasm::Session;

use super::graph::{EdgeKind, NodeKind};
use super::layout::{layout, text_width, Rect, NAME_PX, PAD, TAG_PX};
use super::*;
use crate::gallery;

fn scenario(yaml: &str) -> Scenario {
    let checked = loopsim_core::check(yaml);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    checked.scenario.expect("a valid scenario")
}

/// A box with the rows drawn above (tag) and below (fault) it.
fn with_rows(r: &Rect) -> Rect {
    Rect {
        x: r.x,
        y: r.y - TAG_PX - 3.0,
        w: r.w,
        h: r.h + 2.0 * (TAG_PX + 3.0),
    }
}

/// No two boxes (with their tag and fault rows) overlap, no edge label sits on a box or on
/// another label, and every name fits its box.
fn assert_readable(g: &Graph, l: &Layout, what: &str) {
    for (i, a) in l.nodes.iter().enumerate() {
        let name = layout::clip(&g.nodes[i].name, layout::MAX_NAME_CHARS);
        assert!(
            text_width(&name, NAME_PX, true) + 2.0 * PAD <= a.w + 0.01,
            "{what}: {name} overflows its box"
        );
        for (j, b) in l.nodes.iter().enumerate().skip(i + 1) {
            assert!(
                !with_rows(a).overlaps(&with_rows(b)),
                "{what}: boxes {} and {} overlap: {a:?} {b:?}",
                g.nodes[i].name,
                g.nodes[j].name
            );
        }
    }
    let labels: Vec<Rect> = l.routes.iter().filter_map(|r| r.label).collect();
    for (i, a) in labels.iter().enumerate() {
        for b in &l.nodes {
            assert!(
                !a.overlaps(b),
                "{what}: an edge label {a:?} sits on box {b:?}"
            );
        }
        for b in &labels[i + 1..] {
            assert!(!a.overlaps(b), "{what}: edge labels overlap: {a:?} {b:?}");
        }
    }
    for r in &l.nodes {
        assert!(r.x >= 0.0 && r.y >= 0.0 && r.x + r.w <= l.width && r.y + r.h <= l.height);
    }
}

#[test]
fn every_gallery_scenario_is_drawn_without_overlaps() {
    for e in gallery::entries() {
        let sc = scenario(e.yaml);
        let g = build(&sc);
        assert_eq!(
            g.nodes.len(),
            sc.workloads.len()
                + sc.services.len()
                + sc.queues.len()
                + sc.pools.len()
                + sc.caches.len(),
            "{}",
            e.file
        );
        let l = layout(&g);
        assert_readable(&g, &l, e.file);
        let svg = svg(&sc, None);
        assert!(
            svg.starts_with("<svg") && svg.ends_with("</svg>"),
            "{}",
            e.file
        );
        for s in &sc.services {
            assert!(svg.contains(&format!(
                "data-service=\"{}\"",
                crate::escape::text(&s.name)
            )));
        }
    }
}

#[test]
fn shop_flows_left_to_right() {
    let sc = scenario(
        gallery::entries()
            .iter()
            .find(|e| e.file == "shop.yaml")
            .unwrap()
            .yaml,
    );
    let g = build(&sc);
    let l = layout(&g);
    let x = |name: &str| l.nodes[g.nodes.iter().position(|n| n.name == name).unwrap()].x;
    assert!(x("shoppers") < x("gateway") && x("gateway") < x("payments"));
    assert_eq!(x("catalog"), x("payments"));
    // The gateway → payments link's latency and loss are on the call edge.
    let call = g
        .edges
        .iter()
        .find(|e| e.kind == EdgeKind::Call && g.nodes[e.to].name == "payments")
        .unwrap();
    assert!(
        call.label
            .iter()
            .any(|l| l.contains("8 ms") && l.contains("0.1% loss")),
        "{:?}",
        call.label
    );
    // The shoppers' timeout is on their requests.
    let req = g
        .edges
        .iter()
        .find(|e| e.kind == EdgeKind::Request)
        .unwrap();
    assert_eq!(req.label, vec![String::from("timeout 2 s")]);
}

#[test]
fn queues_pools_and_caches_are_nodes_with_their_edges() {
    let sc = scenario(
        gallery::entries()
            .iter()
            .find(|e| e.file == "order-pipeline.yaml")
            .unwrap()
            .yaml,
    );
    let g = build(&sc);
    let kinds: Vec<EdgeKind> = g.edges.iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&EdgeKind::Publish));
    assert!(kinds.contains(&EdgeKind::Consume));
    assert!(kinds.contains(&EdgeKind::DeadLetter));
    assert_eq!(
        g.nodes.iter().filter(|n| n.kind == NodeKind::Queue).count(),
        2
    );
}

#[test]
fn a_cycle_through_a_queue_is_laid_out() {
    let sc = scenario(
        r#"
version: 1
duration: 10s
workload: [ { name: w, to: a, rate: 10/s } ]
services:
  a: { endpoints: { /x: [ { cpu: 1ms }, { publish: q } ] } }
  b: { endpoints: { /y: [ { cpu: 1ms }, { publish: r } ] } }
queues:
  q: { consumer: b/y }
  r: { consumer: a/x }
"#,
    );
    let g = build(&sc);
    let l = layout(&g);
    assert_readable(&g, &l, "cycle");
    assert!(l.routes.iter().any(|r| r.backward));
}

fn chain(n: usize) -> String {
    let mut y = String::from(
        "version: 1\nduration: 10s\nworkload: [ { name: users, to: s0, rate: 50/s } ]\nservices:\n",
    );
    for i in 0..n {
        y.push_str(&format!(
            "  s{i}:\n    endpoints:\n      /x:\n        - cpu: 1ms\n"
        ));
        // A tree: each service calls the next one and one further on.
        for j in [i + 1, i + 3] {
            if j < n {
                y.push_str(&format!("        - call: s{j}/x\n"));
            }
        }
    }
    y
}

#[test]
fn fifty_services_are_laid_out_fast_and_readably() {
    let sc = scenario(&chain(50));
    let g = build(&sc);
    let t = std::time::Instant::now();
    let runs = 20;
    let mut l = layout(&g);
    for _ in 1..runs {
        l = layout(&g);
    }
    let per = t.elapsed().as_secs_f64() * 1e3 / runs as f64;
    // Reported, not asserted (timing depends on the machine).
    println!(
        "layout of 50 services, {} edges: {per:.2} ms",
        g.edges.len()
    );
    assert_readable(&g, &l, "50 services");
}

#[test]
fn hostile_names_are_escaped() {
    let mut sc = scenario(&chain(2));
    sc.name = String::from("<script>alert(1)</script>");
    sc.services[0].name = String::from("a\"><img src=x onerror=alert(1)>");
    sc.workloads[0].name = String::from("w&'<");
    let out = svg(&sc, None);
    assert!(!out.contains("<script"), "{out}");
    assert!(!out.contains("<img"), "{out}");
    assert!(out.contains("&lt;script&gt;"));
    assert!(out.contains("data-service=\"a&quot;&gt;&lt;img"));
    assert!(out.contains("w&amp;&#39;&lt;"));
}

fn finished(file: &str) -> (Scenario, loopsim_core::Report) {
    let yaml = gallery::entries()
        .into_iter()
        .find(|e| e.file == file)
        .unwrap()
        .yaml;
    let mut s = Session::new(yaml, None).unwrap();
    s.run_to_end();
    (s.scenario().clone(), s.report())
}

#[test]
fn the_retry_storm_paints_the_api_critical_and_marks_it() {
    let (sc, report) = finished("retry-storm.yaml");
    let g = build(&sc);
    let paints = paint::final_look(&sc, &g, &report).nodes;
    let api = g.service_named("api").unwrap();
    assert_eq!(paints[api].level, Level::Critical, "{:?}", paints[api]);
    assert_eq!(paints[api].tag, Some("bottleneck"));
    assert!(
        paints[api].fault.starts_with("slowdown ×2"),
        "{}",
        paints[api].fault
    );
    let out = svg(&sc, Some(&report));
    assert!(out.contains("BOTTLENECK") && out.contains("data-level=\"critical\""));
}

#[test]
fn live_paints_change_only_what_changed() {
    let yaml = gallery::entries()
        .into_iter()
        .find(|e| e.file == "retry-storm.yaml")
        .unwrap()
        .yaml;
    let mut s = Session::new(yaml, None).unwrap();
    let sc = s.scenario().clone();
    let g = build(&sc);
    let mut painter = Painter::new(&sc, &g, s.series().names());
    s.step_time(31.0);
    let now = s.snapshot().now_s;
    let changes = painter
        .update(&sc, &g, &s.report(), s.series(), now, false)
        .nodes;
    let api = g.service_named("api").unwrap();
    let p = &changes
        .iter()
        .find(|(i, _)| *i == api)
        .expect("api repainted")
        .1;
    assert!(p.live[0].contains("busy"), "{p:?}");
    assert!(
        p.fault.starts_with("slowdown"),
        "the slowdown is active at 31 s: {p:?}"
    );
    let again = painter
        .update(&sc, &g, &s.report(), s.series(), now, false)
        .nodes;
    assert!(
        again.iter().all(|(i, _)| *i != api),
        "nothing new for the api: {again:?}"
    );
    s.step_time(30.0);
    let later = painter
        .update(&sc, &g, &s.report(), s.series(), s.snapshot().now_s, false)
        .nodes;
    let p = &later
        .iter()
        .find(|(i, _)| *i == api)
        .expect("api repainted")
        .1;
    assert!(p.fault.is_empty(), "the slowdown is over: {p:?}");
    assert!(!painter.reset().nodes.is_empty());
}

#[test]
fn diagnosis_subjects_map_to_boxes() {
    let (sc, report) = finished("pool-exhaustion.yaml");
    let g = build(&sc);
    let paints = paint::final_look(&sc, &g, &report).nodes;
    let tagged: Vec<&str> = paints
        .iter()
        .enumerate()
        .filter(|(_, p)| p.tag.is_some())
        .map(|(i, _)| g.nodes[i].name.as_str())
        .collect();
    assert_eq!(tagged.len(), 1, "{tagged:?}");
    println!("pool-exhaustion bottleneck: {tagged:?}");
}

#[test]
fn failing_calls_colour_their_edge() {
    let (sc, report) = finished("circuit-breaker.yaml");
    let g = build(&sc);
    let look = paint::final_look(&sc, &g, &report);
    let call = g
        .edges
        .iter()
        .position(|e| e.kind == EdgeKind::Call)
        .expect("a call edge");
    assert!(look.edges[call] >= Level::Busy, "{:?}", look.edges);
    let payments = g.service_named("payments").unwrap();
    assert!(
        look.nodes[payments].live[1].contains("failed"),
        "{:?}",
        look.nodes[payments]
    );
}

#[test]
fn a_service_that_offloads_shows_its_threads() {
    let (sc, report) = finished("fastapi-def-vs-async.yaml");
    let g = build(&sc);
    let look = paint::final_look(&sc, &g, &report);
    let sync = g.service_named("sync-def").unwrap();
    assert!(
        look.nodes[sync].live[1].contains("threads"),
        "{:?}",
        look.nodes[sync]
    );
    let blocking = g.service_named("async-blocking").unwrap();
    assert!(
        !look.nodes[blocking].live[1].contains("threads"),
        "{:?}",
        look.nodes[blocking]
    );
}

#[test]
fn the_diagram_is_deterministic() {
    for e in gallery::entries().iter().take(6) {
        let sc = scenario(e.yaml);
        assert_eq!(svg(&sc, None), svg(&sc, None), "{}", e.file);
    }
}

#[test]
fn texts_are_cut_to_fit_and_escaped() {
    assert_eq!(
        crate::escape::text("a<b>&\"'"),
        "a&lt;b&gt;&amp;&quot;&#39;"
    );
    assert_eq!(crate::escape::text("x\u{1}y"), "x y");
    assert_eq!(layout::clip("abcdef", 4), "abc…");
    assert_eq!(layout::clip("abc", 4), "abc");
    let cut = render::fit("a rather long line of live figures", 60.0, 11.0);
    assert!(
        cut.ends_with('…') && text_width(&cut, 11.0, false) <= 60.0,
        "{cut}"
    );
    assert_eq!(render::fit("", 10.0, 11.0), "");
}
