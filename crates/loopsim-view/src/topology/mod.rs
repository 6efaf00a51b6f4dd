//! The topology diagram: the scenario's workloads, services, queues, pools and caches as boxes,
//! its calls, publishes, deliveries and links as arrows, coloured by load as a run goes on,
//! with the faults where they hit and the bottleneck marked — where a student looks first to
//! see *where* something went wrong before reading *why* in the diagnosis.
//!
//! [`graph`] reads the scenario, [`layout`] places it, [`paint`] decides each box's look from a
//! report (live or final), [`render`] writes the standalone SVG. The page draws the SVG once
//! per scenario and repaints the boxes in place; the CLI's HTML report embeds [`svg`].

pub mod graph;
pub mod layout;
pub mod paint;
pub mod render;

use loopsim_core::report::Report;
use loopsim_core::scenario::Scenario;

pub use graph::{build, Graph};
pub use layout::Layout;
pub use paint::{Changes, Level, Look, Paint, Painter};

/// The diagram of `scenario` as one standalone `<svg>…</svg>` (inline attributes only),
/// painted with the finished `report`'s figures, faults and bottleneck when given.
pub fn svg(scenario: &Scenario, report: Option<&Report>) -> String {
    let g = graph::build(scenario);
    let l = layout::layout(&g);
    let look = match report {
        Some(r) => paint::final_look(scenario, &g, r),
        None => paint::Look::idle(&g),
    };
    render::svg(&g, &l, &look, &title(scenario))
}

/// The diagram's accessible name.
pub fn title(scenario: &Scenario) -> String {
    format!(
        "Topology of {}: {} workload{}, {} service{}",
        if scenario.name.is_empty() {
            "the scenario"
        } else {
            &scenario.name
        },
        scenario.workloads.len(),
        if scenario.workloads.len() == 1 {
            ""
        } else {
            "s"
        },
        scenario.services.len(),
        if scenario.services.len() == 1 {
            ""
        } else {
            "s"
        },
    )
}

#[cfg(test)]
mod tests;
