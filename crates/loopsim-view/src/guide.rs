//! How a guided walkthrough (`guide:`) is shown: a step's text split into plain words and
//! `code`, the page element a step's `chart` points at and whether the scenario has it, the
//! topology boxes a step's `node` points at, and the text a link opens at step N with.
//!
//! The core crate owns what a guide *is* and how a change applies
//! (`loopsim_core::scenario::guide`); this module only decides what the page shows.

use loopsim_core::scenario::guide::{self, ApplyError, GuideStep};

use crate::charts::ChartDef;
use crate::panels::Panels;
use crate::topology::graph::NodeKind;
use crate::topology::Graph;

/// A piece of a step's text: plain words or `code` (written in backticks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Plain(&'a str),
    Code(&'a str),
}

/// `text` split at its backticks: odd stretches are code. An unmatched backtick is kept as
/// plain text (the reader sees what was written, nothing is lost).
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let Some(len) = rest[open + 1..].find('`') else {
            break;
        };
        if open > 0 {
            out.push(Piece::Plain(&rest[..open]));
        }
        out.push(Piece::Code(&rest[open + 1..open + 1 + len]));
        rest = &rest[open + 2 + len..];
    }
    if !rest.is_empty() {
        out.push(Piece::Plain(rest));
    }
    out
}

/// The id of the page element a step's `chart` points at: the standard charts by their
/// figure, `workloads` by its added figure, `service` by the per-service section (the page
/// selects the step's `node` there first).
pub fn chart_element(chart: &str) -> Option<&'static str> {
    Some(match chart {
        "latency" => "chart-latency",
        "throughput" => "chart-throughput",
        "lag" => "chart-lag",
        "util" => "chart-util",
        "pool" => "chart-pool",
        "workloads" => "chart-workloads",
        "service" => "service-charts",
        _ => return None,
    })
}

/// A short name of the chart for a "Show the … chart" button.
pub fn chart_title(chart: &str) -> &'static str {
    match chart {
        "latency" => "latency chart",
        "throughput" => "throughput chart",
        "lag" => "event-loop lag chart",
        "util" => "utilisation chart",
        "pool" => "thread-pool chart",
        "workloads" => "per-workload chart",
        "service" => "service's charts",
        _ => "chart",
    }
}

/// The page elements a step's `chart` points at, among the ids of the charts the page shows
/// (`shown`): its figure; for `pool`, the thread-pool chart, else every declared pool's chart
/// (`chart-pool-K`: a connection pool is "the pool" of a scenario without thread pools).
pub fn chart_targets(chart: &str, shown: &[&str]) -> Vec<String> {
    let Some(id) = chart_element(chart) else {
        return Vec::new();
    };
    if chart == "service" {
        return vec![id.to_string()];
    }
    if shown.contains(&id) {
        return vec![id.to_string()];
    }
    if chart == "pool" {
        return shown
            .iter()
            .filter(|s| s.starts_with("chart-pool-"))
            .map(|s| s.to_string())
            .collect();
    }
    Vec::new()
}

/// Whether the page, for a scenario with these chart definitions ([`crate::charts::page_charts`])
/// and panels, shows the chart `step` points at (`pool` needs an offloading endpoint or a
/// declared pool, `workloads` two workloads, `service` a step `node` that is a service). A
/// step without a chart is fine.
pub fn chart_shown(step: &GuideStep, defs: &[ChartDef], panels: &Panels) -> bool {
    let Some(chart) = step.chart.as_deref() else {
        return true;
    };
    match chart {
        "service" => step
            .node
            .as_deref()
            .is_some_and(|n| panels.services.iter().any(|s| s.name == n)),
        _ => {
            let ids: Vec<&str> = defs.iter().map(|d| d.id.as_str()).collect();
            !chart_targets(chart, &ids).is_empty()
        }
    }
}

/// The topology boxes (indexes into `graph.nodes`) a step's `node` names: the service, queue
/// or cache of that name, or every workload for `client`.
pub fn node_boxes(graph: &Graph, node: &str) -> Vec<usize> {
    graph
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| match n.kind {
            NodeKind::Workload => node == "client",
            NodeKind::Service | NodeKind::Queue | NodeKind::Cache => n.name == node,
            NodeKind::Pool => false,
        })
        .map(|(i, _)| i)
        .collect()
}

/// The scenario text to show at step `step` (0-based) of `steps`, from `source`: the changes
/// of the steps before it applied in order. A change whose text is gone but whose
/// replacement is there was applied already (a link shared from that step carries the edited
/// text) and is skipped; any other change that does not apply is returned with its step's
/// index, so the page can say which step it could not prepare.
pub fn text_at_step(
    source: &str,
    steps: &[GuideStep],
    step: usize,
) -> Result<String, (usize, ApplyError)> {
    let mut text = source.to_string();
    for (i, s) in steps.iter().enumerate().take(step) {
        let Some(change) = &s.change else { continue };
        match guide::apply(&text, change) {
            Ok(t) => text = t,
            // The replacement stands alone outside the guide block (which quotes it).
            Err(ApplyError::NotFound) if already_applied(&text, &change.with) => {}
            Err(e) => return Err((i, e)),
        }
    }
    Ok(text)
}

/// Where a step's change stands in the editor's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeState {
    /// It applies.
    Ready,
    /// Its text is gone and its replacement is there: applied already.
    Applied,
    /// It does not apply, for this reason.
    Fails(ApplyError),
}

/// The state of `change` in `text`.
pub fn change_state(text: &str, change: &guide::Change) -> ChangeState {
    match guide::apply(text, change) {
        Ok(_) => ChangeState::Ready,
        Err(ApplyError::NotFound) if already_applied(text, &change.with) => ChangeState::Applied,
        Err(e) => ChangeState::Fails(e),
    }
}

/// Whether `with` occurs exactly once outside the `guide:` block of `text`.
fn already_applied(text: &str, with: &str) -> bool {
    guide::apply_text(text, with, with).is_ok()
}

/// "Step 2 of 5".
pub fn position(step: usize, len: usize) -> String {
    format!("Step {} of {len}", step + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery;
    use loopsim_wasm::Session;

    #[test]
    fn backticks_make_code() {
        assert_eq!(
            pieces("Move `/export` to `offload`."),
            vec![
                Piece::Plain("Move "),
                Piece::Code("/export"),
                Piece::Plain(" to "),
                Piece::Code("offload"),
                Piece::Plain("."),
            ]
        );
        assert_eq!(pieces("`a`"), vec![Piece::Code("a")]);
        assert_eq!(pieces("no code"), vec![Piece::Plain("no code")]);
        // An unmatched backtick stays as written.
        assert_eq!(
            pieces("`a` and ` b"),
            vec![Piece::Code("a"), Piece::Plain(" and ` b")]
        );
        assert_eq!(pieces(""), Vec::<Piece>::new());
    }

    const GUIDED: &str = "version: 1
name: Guided
duration: 5s
workload:
  - name: users
    to: api
    arrivals: poisson
    rate: 20/s
    mix: { /x: 1 }
services:
  api:
    workers: 1
    endpoints:
      /x:
        - blocking: 5ms
guide:
  - text: Press Run and watch `lag`.
    chart: lag
  - text: Offload it.
    change: { replace: \"blocking: 5ms\", with: \"offload: 5ms\" }
    node: api
  - text: Run again; the thread pool works now.
    chart: pool
";

    fn steps(yaml: &str) -> Vec<GuideStep> {
        loopsim_core::check(yaml).scenario.unwrap().guide.steps
    }

    #[test]
    fn a_step_opens_with_the_earlier_changes_applied_once() {
        let s = steps(GUIDED);
        assert_eq!(text_at_step(GUIDED, &s, 0).unwrap(), GUIDED);
        assert_eq!(text_at_step(GUIDED, &s, 1).unwrap(), GUIDED);
        let at2 = text_at_step(GUIDED, &s, 2).unwrap();
        assert!(at2.contains("        - offload: 5ms\n"));
        // A link made at step 3 carries the changed text: opening it changes nothing more.
        assert_eq!(text_at_step(&at2, &s, 2).unwrap(), at2);
        // Past the end: every change.
        assert_eq!(text_at_step(GUIDED, &s, 99).unwrap(), at2);
        // A text the change cannot find (edited away): the step is named.
        let edited = GUIDED.replace("        - blocking: 5ms", "        - cpu: 5ms");
        assert_eq!(text_at_step(&edited, &s, 2), Err((1, ApplyError::NotFound)));
    }

    #[test]
    fn a_change_is_ready_applied_or_failing() {
        let s = steps(GUIDED);
        let change = s[1].change.as_ref().unwrap();
        assert_eq!(change_state(GUIDED, change), ChangeState::Ready);
        let after = guide::apply(GUIDED, change).unwrap();
        assert_eq!(change_state(&after, change), ChangeState::Applied);
        let edited = GUIDED.replace("        - blocking: 5ms", "        - cpu: 5ms");
        assert_eq!(
            change_state(&edited, change),
            ChangeState::Fails(ApplyError::NotFound)
        );
    }

    #[test]
    fn charts_exist_only_when_the_scenario_has_them() {
        let s = steps(GUIDED);
        let (defs, panels) = page(GUIDED);
        assert!(chart_shown(&s[0], &defs, &panels));
        assert!(chart_shown(&s[1], &defs, &panels), "no chart: fine");
        // `pool` needs an offloading endpoint: not before the change, yes after it.
        assert!(!chart_shown(&s[2], &defs, &panels));
        let (defs, panels) = page(&text_at_step(GUIDED, &s, 2).unwrap());
        assert!(chart_shown(&s[2], &defs, &panels));
        // `service` needs its node to be a service.
        let mut svc = s[1].clone();
        svc.chart = Some("service".into());
        assert!(chart_shown(&svc, &defs, &panels));
        svc.node = None;
        assert!(!chart_shown(&svc, &defs, &panels));
    }

    #[test]
    fn pool_means_the_thread_pool_else_the_declared_pools() {
        assert_eq!(
            chart_targets("pool", &["chart-lag", "chart-pool"]),
            ["chart-pool"]
        );
        assert_eq!(
            chart_targets("pool", &["chart-lag", "chart-pool-0", "chart-pool-1"]),
            ["chart-pool-0", "chart-pool-1"]
        );
        assert!(chart_targets("pool", &["chart-lag"]).is_empty());
        assert_eq!(chart_targets("lag", &["chart-lag"]), ["chart-lag"]);
        assert!(chart_targets("workloads", &["chart-lag"]).is_empty());
        assert!(chart_targets("nonsense", &["chart-lag"]).is_empty());
    }

    #[test]
    fn nodes_point_at_their_boxes() {
        let sc = loopsim_core::check(GUIDED).scenario.unwrap();
        let graph = crate::topology::build(&sc);
        let api = node_boxes(&graph, "api");
        assert_eq!(api.len(), 1);
        assert_eq!(graph.nodes[api[0]].kind, NodeKind::Service);
        let client = node_boxes(&graph, "client");
        assert!(!client.is_empty());
        assert!(client
            .iter()
            .all(|&i| graph.nodes[i].kind == NodeKind::Workload));
        assert!(node_boxes(&graph, "nope").is_empty());
    }

    /// The chart definitions and panels the page builds for `yaml` (before a run).
    fn page(yaml: &str) -> (Vec<ChartDef>, Panels) {
        let session = Session::new(yaml, None).expect("valid");
        let names = session.series_names();
        let panels = crate::panels::panels(session.scenario(), &session.report());
        (crate::charts::page_charts(&names, &panels, &[]), panels)
    }

    /// Every gallery guide points at charts its scenario shows, at the step it points at them
    /// (the earlier steps' changes applied: a `pool` step after an offload change), and at
    /// topology nodes its scenario draws.
    #[test]
    fn every_gallery_guide_points_at_charts_and_nodes_that_exist() {
        let mut checked = 0;
        for e in gallery::entries() {
            for (i, step) in e.guide.iter().enumerate() {
                let text = text_at_step(e.yaml, &e.guide, i + 1)
                    .unwrap_or_else(|(k, err)| panic!("{} step {}: {err:?}", e.file, k + 1));
                if let Some(chart) = &step.chart {
                    assert!(chart_element(chart).is_some(), "{}: {chart}", e.file);
                    let (defs, panels) = page(&text);
                    assert!(
                        chart_shown(step, &defs, &panels),
                        "{} step {}: the page shows no `{chart}` chart there",
                        e.file,
                        i + 1
                    );
                    checked += 1;
                }
                if let Some(node) = &step.node {
                    let sc = loopsim_core::check(&text).scenario.expect("valid");
                    let graph = crate::topology::build(&sc);
                    assert!(
                        !node_boxes(&graph, node).is_empty(),
                        "{} step {}: no `{node}` box in the topology",
                        e.file,
                        i + 1
                    );
                }
            }
        }
        // Reported by `cargo test -- --nocapture`: how many chart pointers were checked.
        println!("gallery guide chart pointers checked: {checked}");
    }
}
