use super::*;
use crate::panels::panels;

/// `n` services in a chain, `s1` → `s2` → … → `sn`; the last does 9 ms of CPU per request at
/// 100 requests/s (busy about 90 %), the others 1 ms.
pub(crate) fn chain(n: usize) -> String {
    let mut y = String::from(
        "version: 1\nname: Chain\nduration: 20s\nworkload:\n  - to: s1\n    rate: 100/s\nservices:\n",
    );
    for k in 1..=n {
        let cpu = if k == n { "9ms" } else { "1ms" };
        y.push_str(&format!(
            "  s{k}:\n    endpoints:\n      /:\n        - cpu: {cpu}\n"
        ));
        if k < n {
            y.push_str(&format!("        - call: s{}/\n", k + 1));
        }
    }
    y
}

fn shop() -> &'static str {
    crate::gallery::entries()
        .into_iter()
        .find(|e| e.file == "shop.yaml")
        .expect("shop in the gallery")
        .yaml
}

fn run(yaml: &str) -> loopsim_wasm::Session {
    let mut s = loopsim_wasm::Session::new(yaml, None).expect("valid scenario");
    s.run_to_end();
    s
}

fn ranked(s: &loopsim_wasm::Session) -> (Panels, Vec<String>) {
    let p = panels(s.scenario(), &s.report());
    let names = s.series_names();
    let order = rank_services(&names, s.series(), &p.services)
        .into_iter()
        .map(|l| l.name)
        .collect();
    (p, order)
}

#[test]
fn the_bottleneck_at_the_end_of_a_ten_service_chain_comes_first() {
    let s = run(&chain(10));
    let (p, order) = ranked(&s);
    assert_eq!(order.len(), 10, "every service is ranked");
    assert_eq!(order[0], "s10", "{order:?}");
    let names = s.series_names();
    let charts = page_charts(&names, &p, &order);
    let lag = charts.iter().find(|c| c.id == "chart-lag").unwrap();
    assert_eq!(lag.lines[0].label, "s10");
    assert_eq!(lag.lines.len(), OVERVIEW_SERVICES);
    // The two left out are named, never dropped silently.
    let note = hidden_note(&p, &order);
    assert!(note.contains("8 most loaded of 10"), "{note}");
    for left_out in &order[OVERVIEW_SERVICES..] {
        assert!(note.contains(left_out.as_str()), "{note}");
    }
    // Every service has its own charts.
    for svc in &p.services {
        let own = service_charts(&names, svc);
        assert!(own.len() >= 3, "{}", svc.name);
        assert!(own.iter().all(|c| !c.lines.is_empty()));
    }
}

#[test]
fn before_any_row_services_keep_scenario_order() {
    let s = loopsim_wasm::Session::new(&chain(3), None).expect("valid");
    let (_, order) = ranked(&s);
    assert_eq!(order, ["s1", "s2", "s3"]);
}

#[test]
fn lag_and_ready_queue_of_a_service_never_share_a_colour() {
    let s = loopsim_wasm::Session::new(shop(), None).expect("valid");
    let p = panels(s.scenario(), &s.report());
    let names = s.series_names();
    for svc in &p.services {
        for chart in service_charts(&names, svc) {
            // Lines of one chart differ in colour, except an endpoint's failed (dashed) line,
            // which follows its endpoint's.
            let mut solid: Vec<&str> = chart
                .lines
                .iter()
                .filter(|l| !l.dash)
                .map(|l| l.color)
                .collect();
            let n = solid.len();
            solid.sort();
            solid.dedup();
            assert_eq!(solid.len(), n, "{}: {:?}", chart.title, chart.lines);
        }
    }
    for chart in page_charts(&names, &p, &[]) {
        if chart.id == "chart-latency" || chart.id == "chart-pool" {
            let mut colors: Vec<&str> = chart.lines.iter().map(|l| l.color).collect();
            colors.sort();
            colors.dedup();
            assert_eq!(colors.len(), chart.lines.len());
        }
    }
}

#[test]
fn the_latency_chart_shows_failures_while_every_request_times_out() {
    let yaml = "version: 1\nname: Down\nduration: 10s\nworkload:\n  - to: api\n    rate: 50/s\n    timeout: 200ms\n\
        services:\n  api:\n    endpoints:\n      /:\n        - io: 2s\n";
    let s = run(yaml);
    let p = panels(s.scenario(), &s.report());
    let names = s.series_names();
    let charts = page_charts(&names, &p, &[]);
    let latency = charts.iter().find(|c| c.id == "chart-latency").unwrap();
    let value = |label: &str, row: usize| {
        let l = latency
            .lines
            .iter()
            .find(|l| l.label == label)
            .expect(label);
        l.source.at(s.series(), row)
    };
    let last = s.series().len() - 1;
    assert!(value("p99 (ok)", last).is_nan(), "no request succeeds");
    let all = value("p99 incl. failures", last);
    assert!((all - 0.2).abs() < 0.01, "timeouts at their timeout: {all}");
    assert_eq!(value("failed", last), 100.0);
}

#[test]
fn units_of_durations_are_seconds_for_the_host_to_scale() {
    let s = loopsim_wasm::Session::new(&chain(2), None).expect("valid");
    let p = panels(s.scenario(), &s.report());
    let names = s.series_names();
    let all: Vec<ChartDef> = page_charts(&names, &p, &[])
        .into_iter()
        .chain(
            p.services
                .iter()
                .flat_map(|svc| service_charts(&names, svc)),
        )
        .collect();
    for c in &all {
        for l in &c.lines {
            assert_ne!(l.unit, "ms", "{}: {}", c.title, l.label);
        }
    }
}

#[test]
fn columns_stay_bounded_for_fifty_services() {
    let s = loopsim_wasm::Session::new(&chain(50), None).expect("valid");
    let names = s.series_names();
    // 16 client columns, 9 per service, 3 per endpoint, 3 per workload.
    assert_eq!(names.len(), 16 + 50 * 9 + 50 * 3 + 3, "{}", names.len());
    let p = panels(s.scenario(), &s.report());
    let charts = page_charts(&names, &p, &[]);
    for c in &charts {
        assert!(c.lines.len() <= 2 * OVERVIEW_SERVICES + 8, "{}", c.title);
    }
}

#[test]
fn per_workload_and_per_endpoint_series_are_charted() {
    let s = loopsim_wasm::Session::new(shop(), None).expect("valid");
    let p = panels(s.scenario(), &s.report());
    let names = s.series_names();
    let charts = page_charts(&names, &p, &[]);
    let w = charts
        .iter()
        .find(|c| c.id == "chart-workloads")
        .expect("two workloads");
    let labels: Vec<&str> = w.lines.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "shoppers p99",
            "shoppers failed",
            "admins p99",
            "admins failed"
        ]
    );
    // Five admins send a report every few seconds: most intervals have none, so their p99
    // is joined across the gaps (else isolated dots, too small to see).
    assert!(w.lines.iter().filter(|l| l.unit == "s").all(|l| l.span));
    let gateway = p.services.iter().find(|s| s.name == "gateway").unwrap();
    assert!(gateway.offloads);
    let own = service_charts(&names, gateway);
    let eps = own.iter().find(|c| c.id == "chart-svc-endpoints").unwrap();
    let labels: Vec<&str> = eps.lines.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "/browse",
            "/browse failed",
            "/checkout",
            "/checkout failed",
            "/report",
            "/report failed"
        ]
    );
    assert!(own.iter().any(|c| c.id == "chart-svc-pool"));
    let catalog = p.services.iter().find(|s| s.name == "catalog").unwrap();
    assert!(
        !service_charts(&names, catalog)
            .iter()
            .any(|c| c.id == "chart-svc-pool"),
        "no empty pool chart"
    );
}

/// Whether some line of `chart` has a finite value in `series`.
fn has_values(chart: &ChartDef, series: &Series) -> bool {
    chart
        .lines
        .iter()
        .any(|l| (0..series.len()).any(|i| l.source.at(series, i).is_finite()))
}

#[test]
fn no_gallery_scenario_gets_an_empty_chart() {
    let mut empty = Vec::new();
    for entry in crate::gallery::entries() {
        let s = run(entry.yaml);
        let (p, order) = ranked(&s);
        let names = s.series_names();
        let own = p
            .services
            .iter()
            .flat_map(|svc| service_charts(&names, svc));
        for chart in page_charts(&names, &p, &order).into_iter().chain(own) {
            if chart.lines.is_empty() || !has_values(&chart, s.series()) {
                empty.push(format!("{}: {}", entry.file, chart.title));
            }
        }
        assert_eq!(
            order.len(),
            p.services.len(),
            "{}: every service ranked",
            entry.file
        );
    }
    assert!(empty.is_empty(), "empty charts: {empty:#?}");
}
