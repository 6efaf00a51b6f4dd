use super::*;

fn run(yaml: &str) -> (Scenario, Report, Series) {
    let scenario = loopsim_core::check(yaml).scenario.expect("valid scenario");
    let mut sim = loopsim_core::Simulation::new(scenario.clone());
    sim.run();
    let report = sim.report();
    (scenario, report, sim.series().clone())
}

fn gallery(file: &str) -> &'static str {
    crate::gallery::entries()
        .into_iter()
        .find(|e| e.file == file)
        .unwrap_or_else(|| panic!("{file} in the gallery"))
        .yaml
}

fn html_of(yaml: &str) -> String {
    let (scenario, report, series) = run(yaml);
    render(&Input {
        scenario: &scenario,
        report: &report,
        series: &series,
        topology_svg: None,
    })
}

/// Void elements never closed in HTML.
const VOID: [&str; 6] = ["meta", "br", "hr", "img", "input", "link"];

/// Checks that every element opened is closed in order (a small stand-in for a parser: the
/// report is written as strict, well-nested markup). Returns the first problem.
pub fn check_nesting(html: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').ok_or("unclosed tag")?;
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let self_closing = tag.ends_with('/');
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .ok_or_else(|| format!("</{name}> closes nothing"))?;
            if open != name {
                return Err(format!("<{open}> closed by </{name}>"));
            }
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            return Err(format!("bad tag <{tag}>"));
        }
        if name == "style" {
            let close = rest.find("</style>").ok_or("unclosed <style>")?;
            rest = &rest[close + "</style>".len()..];
            continue;
        }
        if !self_closing && !VOID.contains(&name.as_str()) {
            stack.push(name);
        }
    }
    match stack.last() {
        None => Ok(()),
        Some(open) => Err(format!("<{open}> never closed")),
    }
}

/// `name="value"` pairs of a tag's attribute text (quoted values may hold spaces).
fn attributes(mut rest: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return out;
        }
        let end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let key = rest[..end].to_string();
        rest = &rest[end..];
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'');
            match quote {
                Some(q) => {
                    let body = &after[1..];
                    let close = body.find(q).unwrap_or(body.len());
                    value = body[..close].to_string();
                    rest = body.get(close + 1..).unwrap_or("");
                }
                None => {
                    let close = after.find(char::is_whitespace).unwrap_or(after.len());
                    value = after[..close].to_string();
                    rest = &after[close..];
                }
            }
        }
        out.push((key, value));
    }
}

/// What would make a browser fetch something or run code: looked for inside tags and the
/// style sheet only (escaped text such as `&lt;img src=x&gt;` is harmless words).
fn network_or_code(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    let style = lower
        .split("<style>")
        .nth(1)
        .and_then(|s| s.split("</style>").next())
        .unwrap_or("");
    for p in ["url(", "@import", "http"] {
        if style.contains(p) {
            found.push(format!("style: {p}"));
        }
    }
    for tag in lower.split('<').skip(1).filter_map(|t| t.split('>').next()) {
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if ["script", "link", "iframe", "object", "embed", "img", "base"].contains(&name.as_str()) {
            found.push(format!("<{name}>"));
        }
        for (key, value) in attributes(&tag[name.len()..]) {
            let remote = ["http:", "https:", "//"]
                .iter()
                .any(|p| value.trim_start().starts_with(p));
            if key == "src" || key == "href" || key.starts_with("on") || remote {
                found.push(format!("<{name} {key}={value}>"));
            }
        }
    }
    found
}

#[test]
fn the_retry_storm_report_is_self_contained_and_says_what_happened() {
    let (scenario, report, series) = run(gallery("retry-storm.yaml"));
    let html = render(&Input {
        scenario: &scenario,
        report: &report,
        series: &series,
        topology_svg: None,
    });
    check_nesting(&html).unwrap();
    assert_eq!(network_or_code(&html), Vec::<String>::new());
    for item in explain::items(&report.diagnosis) {
        assert!(html.contains(&super::rich(&item.text)), "{}", item.text);
    }
    let what = &html[html.find("What happened").unwrap()..];
    let what = &what[..what.find("</section>").unwrap()];
    assert!(!what.contains('`'), "no raw backticks: {what}");
    assert!(html.contains("attempts per request"));
    assert!(
        html.contains("p99 incl. failures") && html.contains("failed (%)"),
        "failures on the latency chart"
    );
    assert!(
        html.contains("HEALTHY &lt; 400 ≤ DEGRADED"),
        "the auditor's scale"
    );
    assert!(html.contains(report.health.status.as_str()));
    for id in [
        "chart-latency",
        "chart-throughput",
        "chart-lag",
        "chart-util",
    ] {
        assert!(
            html.contains(&format!(r#"aria-labelledby="{id}-title""#)),
            "{id}"
        );
    }
    assert!(html.contains(r#"<table id="services""#));
    assert!(html.contains(r#"<dl class="glossary">"#));
    assert!(
        html.contains(r#"aria-labelledby="chart-health-title""#),
        "the health lane"
    );
    assert!(
        html.contains("Values (largest per slice)"),
        "a values table behind the charts"
    );
    // Lines are decimated per pixel column: no chart carries more points than 2 per column.
    let longest: usize = html
        .split(r#"<path d=""#)
        .skip(1)
        .map(|p| p.split('"').next().unwrap().matches(['L', 'H']).count())
        .max()
        .unwrap();
    assert!(longest <= 2 * 640, "{longest}");
}

#[test]
fn hostile_text_from_the_scenario_stays_text() {
    let yaml = "version: 1\nname: \"<script>alert('name')</script>\"\n\
        description: \"<img src=x onerror=alert(1)> & <b>bold</b>\"\nduration: 5s\n\
        workload:\n  - to: api\n    rate: 20/s\nservices:\n  api:\n    endpoints:\n      /:\n\
        \x20       - cpu: 1ms\n";
    let html = html_of(yaml);
    check_nesting(&html).unwrap();
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>bold"));
    assert!(html.contains("&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;"));
    assert_eq!(network_or_code(&html), Vec::<String>::new());
}

#[test]
fn hostile_service_endpoint_and_workload_names_in_charts_stay_text() {
    let yaml = r#"version: 1
name: names
duration: 5s
workload:
  - name: "<i>w1</i>"
    to: "<svg\"onload='x'>"
    rate: 20/s
  - name: "w2\" onmouseover=\"x"
    to: "<svg\"onload='x'>"
    rate: 20/s
services:
  "<svg\"onload='x'>":
    endpoints:
      "/<u>e</u>":
        - cpu: 1ms
"#;
    let html = html_of(yaml);
    check_nesting(&html).unwrap();
    assert_eq!(network_or_code(&html), Vec::<String>::new());
    for raw in ["<svg\"", "<u>e", "<i>w1", "\" onmouseover"] {
        assert!(!html.contains(raw), "{raw}");
    }
    let titles = captions(&html);
    assert!(
        titles.contains(&"&lt;svg&quot;onload=&#39;x&#39;&gt;: event-loop lag and ready queue"),
        "{titles:?}"
    );
    assert!(
        html.contains("&lt;i&gt;w1&lt;/i&gt; p99"),
        "a workload line label"
    );
    assert!(
        html.contains("/&lt;u&gt;e&lt;/u&gt; failed"),
        "an endpoint line label"
    );
    assert!(
        html.contains(r#"<tr data-service="&lt;svg&quot;onload=&#39;x&#39;&gt;">"#),
        "the services row's key"
    );
}

#[test]
fn the_topology_slot_takes_the_diagram_as_given() {
    let (scenario, report, series) = run(gallery("shop.yaml"));
    let svg = String::from(r#"<svg viewBox="0 0 10 10" role="img"><title>topology</title></svg>"#);
    let html = render(&Input {
        scenario: &scenario,
        report: &report,
        series: &series,
        topology_svg: Some(svg.clone()),
    });
    assert!(html.contains(&svg));
    assert!(html.find("What happened").unwrap() < html.find(&svg).unwrap());
}

#[test]
fn every_gallery_report_is_well_nested_and_offline() {
    for e in crate::gallery::entries() {
        let html = html_of(e.yaml);
        check_nesting(&html).unwrap_or_else(|err| panic!("{}: {err}", e.file));
        assert_eq!(network_or_code(&html), Vec::<String>::new(), "{}", e.file);
        for bad in ["NaN", ">inf", "\"inf"] {
            assert!(!html.contains(bad), "{}: {bad}", e.file);
        }
    }
}

#[test]
fn fault_bands_and_resources_get_their_charts() {
    let html = html_of(gallery("circuit-breaker.yaml"));
    assert!(html.contains("Faults (shaded on every chart)"));
    assert!(html.contains("chart-guard-0"));
    assert!(html.contains(r#"<table id="guards""#));
    let html = html_of(gallery("order-pipeline.yaml"));
    assert!(html.contains("chart-queue-0") && html.contains(r#"<table id="queues""#));
}

#[test]
fn the_results_are_the_page_tables() {
    let html = html_of(gallery("thin-link-downloads.yaml"));
    check_nesting(&html).unwrap();
    assert!(html.contains(r#"<table id="links""#), "the links table");
    assert!(!html.contains(r#"<table id="pools""#), "no empty table");
    for label in [
        "Latency of successes: mean",
        "Events simulated",
        "Thread wait mean",
    ] {
        assert!(html.contains(label), "{label}");
    }
    let html = html_of(gallery("pool-exhaustion.yaml"));
    assert!(html.contains(r#"<table id="pools""#));
    assert!(
        html.contains(r#"<th scope="col" title="#),
        "headers carry help"
    );
    assert!(html.contains(r#"<td class="warn">"#), "problems marked");
}

/// The texts of the report's `<figcaption>`s, in order (the health lane's last).
fn captions(html: &str) -> Vec<&str> {
    html.split("<figcaption>")
        .skip(1)
        .map(|c| c.split("</figcaption>").next().unwrap())
        .collect()
}

#[test]
fn the_most_loaded_services_come_first_and_the_rest_are_named() {
    let mut yaml = String::from(
        "version: 1\nname: Many\nduration: 5s\nworkload:\n  - to: s0\n    rate: 50/s\nservices:\n",
    );
    for k in 0..10 {
        let next = if k < 9 {
            format!("\n        - call: s{}", k + 1)
        } else {
            String::new()
        };
        let cpu = if k == 9 { "15ms" } else { "1ms" };
        yaml.push_str(&format!(
            "  s{k}:\n    endpoints:\n      /:\n        - cpu: {cpu}{next}\n"
        ));
    }
    let html = html_of(&yaml);
    check_nesting(&html).unwrap();
    let services: Vec<&str> = html
        .split(r#"<details class="service""#)
        .skip(1)
        .map(|d| d.split('>').next().unwrap())
        .collect();
    assert_eq!(services.len(), 10, "every service has its own charts");
    assert_eq!(
        services[0], r#" open data-service="s9""#,
        "the bottleneck first, open"
    );
    assert!(services[1..].iter().all(|d| !d.contains("open")));
    assert!(
        html.contains(
            "The overview charts show the 8 most loaded of 10 services; not shown there:"
        ),
        "hidden services named"
    );
    let first_own = html.find("s9: event-loop lag").unwrap();
    assert!(first_own < html.find("s0: event-loop lag").unwrap());
}

#[test]
fn the_report_draws_the_page_chart_definitions() {
    for file in ["shop.yaml", "circuit-breaker.yaml", "order-pipeline.yaml"] {
        let (scenario, report, series) = run(gallery(file));
        let html = render(&Input {
            scenario: &scenario,
            report: &report,
            series: &series,
            topology_svg: None,
        });
        let panels = crate::panels::panels(&scenario, &report);
        let names = series.names();
        let ranked = crate::charts::rank_services(names, &series, &panels.services);
        let order: Vec<String> = ranked.iter().map(|l| l.name.clone()).collect();
        let page = crate::charts::page_charts(names, &panels, &order);
        let mut expected: Vec<String> = page
            .iter()
            .filter(|d| d.place != crate::charts::Place::Lane)
            .map(|d| d.title.clone())
            .collect();
        for name in &order {
            let panel = panels.services.iter().find(|s| &s.name == name).unwrap();
            let own = crate::charts::service_charts(names, panel);
            expected.extend(own.into_iter().map(|d| d.title));
        }
        expected.extend(
            page.iter()
                .filter(|d| d.place == crate::charts::Place::Lane)
                .map(|d| d.title.clone()),
        );
        expected.push(String::from("Health status over time"));
        let expected: Vec<String> = expected.iter().map(|t| escape::text(t)).collect();
        assert_eq!(captions(&html), expected, "{file}");
    }
}

#[test]
fn an_early_stop_is_said_first_and_the_charts_end_where_it_stopped() {
    let yaml = "version: 1\nname: early\nseed: 1\nduration: 60s\nwarmup: 30s\nmax_in_flight: 500\n\
         workload:\n  - to: api\n    rate: 2000/s\n\
         services:\n  api:\n    endpoints:\n      /:\n        - cpu: 1ms\n";
    let (scenario, report, series) = run(yaml);
    let st = report.stopped.as_ref().expect("stops early");
    let html = render(&Input {
        scenario: &scenario,
        report: &report,
        series: &series,
        topology_svg: None,
    });
    check_nesting(&html).unwrap();
    let headline = escape::text(&stop::headline(st.at_s, report.duration_s));
    let at = html.find(&headline).expect("the stop's headline");
    assert!(at < html.find("What happened").unwrap());
    // Empty measured window: dashes, never NaN.
    assert!(!html.contains("NaN"));
}

#[test]
fn rich_text_is_escaped_with_code_pieces() {
    assert_eq!(
        super::rich("the `api <event> loop` & <b>x</b>"),
        "the <code>api &lt;event&gt; loop</code> &amp; &lt;b&gt;x&lt;/b&gt;"
    );
    assert_eq!(super::rich("no code"), "no code");
}
