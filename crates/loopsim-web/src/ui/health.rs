//! The Health card of the results: the run's status and score, failure modes and findings,
//! SLOs, collapse detectors, cost and budget. Every text is set with
//! `textContent` (findings name services and endpoints from the scenario).

use loopsim_core::health::{BudgetAction, CostReport, Severity, Status};
use loopsim_core::replication::Summary;
use loopsim_core::Report;
use loopsim_web::format::{count, num, percent, secs};
use loopsim_web::panels;
use loopsim_web::tables::{Cell, Row, Table};
use web_sys::Element;

use super::{dom, tables};

fn append(parent: &Element, child: &Element) {
    let _ = parent.append_child(child);
}

/// A titled block of the card.
fn block(body: &Element, title: &str) -> Element {
    let div = dom::el("div");
    div.set_class_name("health-block");
    append(&div, &dom::el_text("h4", "", title));
    append(body, &div);
    div
}

/// `- [SEVERITY] text` items.
fn items<'a>(parent: &Element, rows: impl IntoIterator<Item = (Severity, &'a str, String)>) {
    let ul = dom::el("ul");
    ul.set_class_name("health-list");
    for (sev, tag, text) in rows {
        let li = dom::el("li");
        let badge = dom::el_text("span", "sev", sev.as_str());
        badge.set_class_name(if sev == Severity::High {
            "sev sev-high"
        } else {
            "sev sev-medium"
        });
        append(&li, &badge);
        if !tag.is_empty() {
            append(&li, &dom::el_text("span", "mode", tag));
        }
        append(&li, &dom::el_text("span", "text", &text));
        append(&ul, &li);
    }
    append(parent, &ul);
}

/// A table of the card only (`bad` cells marked), drawn as the results tables are.
fn table(
    parent: &Element,
    id: &'static str,
    headers: &'static [&'static str],
    rows: Vec<Vec<(String, bool)>>,
) {
    let rows = rows
        .into_iter()
        .map(|r| Row::of(r.into_iter().map(|(t, bad)| Cell::marked(t, bad)).collect()))
        .collect();
    append(
        parent,
        &tables::wrapped(&Table::unkeyed(id, "", headers, rows)),
    );
}

fn at(v: Option<f64>) -> String {
    v.map_or_else(|| String::from("–"), |t| format!("{} s", num(t)))
}

fn cost(body: &Element, c: &CostReport) {
    let b = block(body, "Cost");
    let k = &c.by_category;
    let money = |v: f64| format!("{v:.4}");
    let mut rows = vec![vec![
        (String::from("total"), false),
        (money(c.total), false),
        (
            format!(
                "requests {} · cpu {} · instances {} · llm {}",
                money(k.requests),
                money(k.cpu),
                money(k.instances),
                money(k.llm)
            ),
            false,
        ),
    ]];
    if let Some(bu) = &c.budget {
        let breached = bu.breached_at_s.is_some();
        rows.push(vec![
            (String::from("budget"), false),
            (
                format!("{} of {}", money(bu.spent), money(bu.limit)),
                breached,
            ),
            (format!("{} used", percent(bu.usage_ratio)), breached),
        ]);
        let mut events: Vec<(&str, String, String)> = Vec::new();
        if let Some(t) = bu.warning_at_s {
            events.push(("warning", at(Some(t)), String::new()));
        }
        if let Some(t) = bu.breached_at_s {
            events.push(("breached", at(Some(t)), String::new()));
        }
        if !bu.spikes_at_s.is_empty() {
            let ts: Vec<String> = bu
                .spikes_at_s
                .iter()
                .take(6)
                .map(|t| at(Some(*t)))
                .collect();
            let more = bu.spikes_at_s.len().saturating_sub(6);
            let detail = if more > 0 {
                format!("+{more} more")
            } else {
                String::new()
            };
            events.push(("spikes", ts.join(", "), detail));
        }
        if bu.forecast_breach {
            let detail = String::from("projected to run out");
            events.push(("forecast breach", at(bu.forecast_breach_at_s), detail));
        }
        if let Some(t) = bu.action_taken_at_s {
            let what = match &bu.action {
                BudgetAction::Alert => String::from("alert"),
                BudgetAction::Throttle => String::from("throttle"),
                BudgetAction::Block { endpoint: Some(e) } => format!("block {e}"),
                BudgetAction::Block { endpoint: None } => String::from("block everything"),
            };
            events.push(("action", format!("from {}", at(Some(t))), what));
        }
        for (name, when, detail) in events {
            rows.push(vec![
                (format!("budget {name}"), name != "warning"),
                (when, false),
                (detail, false),
            ]);
        }
    }
    table(&b, "cost", &["", "Amount or time", "Detail"], rows);
}

pub fn clear() {
    dom::set_text("health-status", "–");
    let badge: Element = dom::by_id("health-status");
    badge.set_class_name("status-badge");
    dom::set_text("health-score", "");
    dom::clear(&dom::by_id::<Element>("health-body"));
}

pub fn render(r: &Report, ci: Option<&Summary>) {
    let h = &r.health;
    let badge: Element = dom::by_id("health-status");
    badge.set_text_content(Some(h.status.as_str()));
    badge.set_class_name(&format!(
        "status-badge status-{}",
        h.status.as_str().to_ascii_lowercase()
    ));
    let _ = badge.set_attribute(
        "style",
        &format!("background:{}", panels::status_color(h.status)),
    );
    dom::set_text(
        "health-score",
        &format!(
            "score {} in the worst {} window (of {}) · {}",
            num(h.score),
            secs(Some(h.window as f64 / 1e9)),
            h.timeline.len(),
            loopsim_web::explain::scale(&r.diagnosis)
        ),
    );
    let body: Element = dom::by_id("health-body");
    dom::clear(&body);
    if h.failure_modes.is_empty() && h.findings.is_empty() {
        append(
            &body,
            &dom::el_text(
                "p",
                "note",
                if h.status == Status::Healthy {
                    "No failure mode and no finding: the runtime (event loops, thread pools, active requests) stayed healthy. The auditor does not judge failed requests: What happened above does."
                } else {
                    "No failure mode and no finding named a cause: the status lane shows when the score rose."
                },
            ),
        );
    }
    if !h.failure_modes.is_empty() {
        let b = block(&body, "Failure modes");
        items(
            &b,
            h.failure_modes
                .iter()
                .map(|m| (m.severity, m.type_, m.description.clone())),
        );
    }
    if !h.findings.is_empty() {
        let b = block(&body, "Findings");
        items(
            &b,
            h.findings.iter().map(|f| (f.severity, "", f.text.clone())),
        );
    }
    if !r.slo.is_empty() {
        let b = block(&body, "Service-level objectives");
        append(&b, &tables::wrapped(&loopsim_web::tables::slos(r, ci)));
    }
    if !r.collapse.0.is_empty() {
        let b = block(&body, "Collapse detectors (bounded accept queues)");
        let rows = r
            .collapse
            .0
            .iter()
            .map(|(name, c)| {
                let bad = c.worst.as_str() != "STABLE";
                vec![
                    (name.clone(), false),
                    (String::from(c.state.as_str()), bad),
                    (String::from(c.worst.as_str()), bad),
                    (count(c.transitions.len() as u64), false),
                ]
            })
            .collect();
        table(
            &b,
            "collapse",
            &["Service", "At the end", "Worst", "Transitions"],
            rows,
        );
    }
    if let Some(c) = &r.cost {
        cost(&body, c);
    }
}
