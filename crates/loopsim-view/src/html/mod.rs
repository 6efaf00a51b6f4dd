//! The CLI's self-contained HTML report (`loopsim run FILE --html report.html`): one file that
//! opens anywhere, offline, with no script, font, image or stylesheet fetched — CSS inline, the
//! charts as static SVG drawn here from the page's own chart definitions and the series. It
//! says what went wrong first (the early stop, the diagnosis, the health verdict on the
//! auditor's scale), then shows the topology, the charts, the tables and the glossary.
//!
//! Every string from the scenario is escaped ([`escape::text`]); nothing in the file runs.

mod charts;
mod svg;
mod tables;

use std::fmt::Write;

use crate::escape;
use crate::format::num;
use crate::panels;
use crate::{explain, glossary, stop};
use loopsim_core::health::Status;
use loopsim_core::series::Series;
use loopsim_core::{Report, Scenario};

/// What the report is made from.
pub struct Input<'a> {
    pub scenario: &'a Scenario,
    /// The finished run's report and series.
    pub report: &'a Report,
    pub series: &'a Series,
    /// The topology diagram, a complete `<svg>` whose texts are already escaped (from
    /// `loopsim_view::topology::svg`); `None` leaves the section out.
    pub topology_svg: Option<String>,
}

const STYLE: &str = include_str!("report.css");

/// Badge colours with white text at ≥ 4.5:1 (the lane's orange is too light for text).
fn badge_color(s: Status) -> &'static str {
    match s {
        Status::Healthy => "#1b7f3b",
        Status::Degraded => "#9a4a00",
        Status::Critical => "#b3261e",
        Status::CollapseRisk => "#8f1a43",
    }
}

/// The whole report as one HTML document.
pub fn render(input: &Input) -> String {
    let r = input.report;
    let mut o = String::with_capacity(256 * 1024);
    let title = escape::text(&r.scenario);
    let _ = write!(
        o,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
         <title>{title} — loopsim report</title><style>{STYLE}</style></head><body><main>"
    );
    header(&mut o, input);
    stopped(&mut o, r);
    diagnosis(&mut o, r);
    health(&mut o, r);
    if let Some(svg) = &input.topology_svg {
        o.push_str(r#"<section aria-labelledby="topology-title"><h2 id="topology-title">Topology</h2><div class="topology">"#);
        o.push_str(svg);
        o.push_str("</div></section>");
    }
    let panels = panels::panels(input.scenario, r);
    charts::section(&mut o, input.series, &panels, r);
    o.push_str(r#"<section aria-labelledby="results-title"><h2 id="results-title">Results</h2>"#);
    tables::results(&mut o, r);
    o.push_str("</section>");
    glossary_section(&mut o);
    let _ = writeln!(
        o,
        "<footer>Made by loopsim {} from the scenario and seed {}: the same scenario and seed \
         give the same report.</footer></main></body></html>",
        env!("CARGO_PKG_VERSION"),
        r.seed
    );
    o
}

fn header(o: &mut String, input: &Input) {
    let r = input.report;
    let _ = write!(o, "<header><h1>{}</h1>", escape::text(&r.scenario));
    if !input.scenario.description.trim().is_empty() {
        let _ = write!(
            o,
            "<p>{}</p>",
            escape::text(input.scenario.description.trim())
        );
    }
    let _ = write!(
        o,
        r#"<p class="muted">Seed {} · {} s simulated, warm-up {} s · {}</p></header>"#,
        r.seed,
        num(r.duration_s),
        num(r.warmup_s),
        escape::text(&r.note)
    );
}

fn stopped(o: &mut String, r: &Report) {
    if let Some(st) = &r.stopped {
        let _ = write!(
            o,
            r#"<section class="stopped" role="note"><h2>{}</h2><p><strong>{}</strong></p><p>{}</p></section>"#,
            escape::text(&stop::headline(st.at_s, r.duration_s)),
            escape::text(&stop::reason(st.cause.name(), &st.message)),
            escape::text(&stop::scope(st.at_s, r.warmup_s))
        );
    }
}

fn diagnosis(o: &mut String, r: &Report) {
    let items = explain::items(&r.diagnosis);
    o.push_str(
        r#"<section aria-labelledby="diagnosis-title"><h2 id="diagnosis-title">What happened</h2>"#,
    );
    if items.is_empty() {
        o.push_str("<p>Nothing worth a remark: every request was served in time.</p>");
    } else {
        o.push_str(r#"<ul class="diagnosis">"#);
        for i in items {
            let _ = write!(
                o,
                r#"<li class="{}"><span class="diag-label">{}:</span>{}</li>"#,
                i.class,
                i.label,
                rich(&i.text)
            );
        }
        o.push_str("</ul>");
    }
    o.push_str("</section>");
}

/// `text` escaped, its backticked stretches as `<code>` (as the page shows them).
pub(crate) fn rich(text: &str) -> String {
    let mut o = String::new();
    for piece in crate::guide::pieces(text) {
        match piece {
            crate::guide::Piece::Plain(t) => o.push_str(&escape::text(t)),
            crate::guide::Piece::Code(t) => {
                let _ = write!(o, "<code>{}</code>", escape::text(t));
            }
        }
    }
    o
}

fn health(o: &mut String, r: &Report) {
    let h = &r.health;
    let help = |t: &str| escape::text(glossary::help(t).unwrap_or_default());
    let _ = write!(
        o,
        r#"<section aria-labelledby="health-title"><h2 id="health-title" title="{}">Health</h2><div class="verdict"><span class="badge" style="background:{}">{}</span><span title="{}">score {} (worst window)</span><span class="scale">{}</span></div>"#,
        help("health"),
        badge_color(h.status),
        h.status.as_str(),
        help("score"),
        num(h.score),
        escape::text(&explain::scale(&r.diagnosis))
    );
    if !h.failure_modes.is_empty() {
        o.push_str(r#"<h3>Failure modes</h3><ul class="health-list">"#);
        for m in &h.failure_modes {
            let _ = write!(
                o,
                r#"<li><span class="sev-{0}">{0}</span> {1}: {2}</li>"#,
                m.severity.as_str(),
                escape::text(m.type_),
                escape::text(&m.description)
            );
        }
        o.push_str("</ul>");
    }
    if !h.findings.is_empty() {
        o.push_str(r#"<h3>Findings</h3><ul class="health-list">"#);
        for f in &h.findings {
            let _ = write!(
                o,
                r#"<li><span class="sev-{0}">{0}</span> {1}</li>"#,
                f.severity.as_str(),
                escape::text(&f.text)
            );
        }
        o.push_str("</ul>");
    }
    tables::table(o, &crate::tables::slos(r, None));
    o.push_str("</section>");
}

/// Escaped text with its `backtick` spans as `<code>` (the glossary quotes format keys).
fn code_spans(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    for (k, part) in escaped.split('`').enumerate() {
        if k % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

fn glossary_section(o: &mut String) {
    o.push_str(r#"<section aria-labelledby="glossary-title"><h2 id="glossary-title">Glossary</h2><dl class="glossary">"#);
    for t in glossary::TERMS {
        let _ = write!(
            o,
            "<dt>{}</dt><dd>{}</dd>",
            escape::text(t.name),
            code_spans(&escape::text(t.text))
        );
    }
    o.push_str("</dl></section>");
}

#[cfg(test)]
mod tests;
