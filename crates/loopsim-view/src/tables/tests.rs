use super::*;

fn report_of(yaml: &str) -> Report {
    let scenario = loopsim_core::check(yaml).scenario.expect("valid scenario");
    let mut sim = loopsim_core::Simulation::new(scenario);
    sim.run();
    sim.report()
}

fn gallery(file: &str) -> Report {
    let entry = crate::gallery::entries()
        .into_iter()
        .find(|e| e.file == file)
        .unwrap_or_else(|| panic!("{file} in the gallery"));
    report_of(entry.yaml)
}

fn all(r: &Report) -> [Table; 8] {
    super::all(r, None)
}

fn column<'a>(t: &'a Table, header: &str) -> Vec<&'a Cell> {
    let k = t.headers.iter().position(|h| *h == header).expect(header);
    t.rows.iter().map(|r| &r.cells[k]).collect()
}

#[test]
fn every_row_has_a_cell_per_header_and_the_headers_are_listed() {
    for file in [
        "retry-storm.yaml",
        "pool-exhaustion.yaml",
        "order-pipeline.yaml",
        "url-shortener.yaml",
        "thin-link-downloads.yaml",
        "slo-burn.yaml",
    ] {
        let r = gallery(file);
        let tables = all(&r);
        assert!(tables
            .iter()
            .any(|t| !t.rows.is_empty() && t.id != "services"));
        for t in &tables {
            assert!(HEADERS.contains(&t.headers), "{file}: {}", t.id);
            for row in &t.rows {
                assert_eq!(row.cells.len(), t.headers.len(), "{file}: {}", t.id);
                assert!(
                    row.cells
                        .iter()
                        .all(|c| ["", WARN, PAIR].contains(&c.class)),
                    "{file}: {}",
                    t.id
                );
            }
        }
        let [left, right] = summary(&r, None);
        assert_eq!(
            left.len(),
            right.len(),
            "{file}: the summary's rows pair up"
        );
    }
}

#[test]
fn services_are_keyed_by_name_and_names_stay_plain_text() {
    let yaml = "version: 1\nname: n\nduration: 5s\nworkload:\n  - name: \"<b>w</b>\"\n    \
        to: \"<u>api\"\n    rate: 20/s\nservices:\n  \"<u>api\":\n    endpoints:\n      /:\n\
        \x20       - cpu: 1ms\n";
    let r = report_of(yaml);
    let s = services(&r, None);
    assert_eq!(s.key_attribute, Some("data-service"));
    assert_eq!(s.rows[0].key.as_deref(), Some("<u>api"));
    assert_eq!(s.rows[0].cells[0].text, "<u>api");
    assert_eq!(column(&s, "Replicas × workers")[0].text, "1 × 1");
    assert_eq!(workloads(&r, None).rows[0].cells[0].text, "<b>w</b>");
    assert!(guards(&r, None).rows.is_empty() && pools(&r, None).rows.is_empty());
}

#[test]
fn problems_are_marked_and_pairs_may_wrap() {
    let r = gallery("circuit-breaker.yaml");
    let g = guards(&r, None);
    assert!(column(&g, "Breaker")
        .iter()
        .any(|c| c.class == WARN && c.text.contains("opened")));
    let [left, right] = summary(&r, None);
    let failed = &left.iter().find(|(l, _)| *l == "Failed").unwrap().1;
    assert_eq!(failed.class, WARN);
    assert!(failed.text.contains(" ("), "{}", failed.text);
    assert!(right.iter().any(|(l, _)| *l == "Seed"));
    let s = services(&r, None);
    assert!(column(&s, "Ready queue mean / max")
        .iter()
        .all(|c| c.class == PAIR || c.text == "—"));

    let p = pools(&gallery("pool-exhaustion.yaml"), None);
    assert!(column(&p, "Busy").iter().any(|c| c.class == WARN));
    assert!(column(&p, "Timeouts").iter().any(|c| c.class == WARN));
}

#[test]
fn spawned_tasks_are_said_per_service() {
    let text = spawned(&gallery("background-tasks.yaml"));
    assert!(text.contains("background tasks started"), "{text}");
    assert_eq!(spawned(&gallery("shop.yaml")), "");
}

#[test]
fn a_missed_slo_says_its_alerts() {
    let t = slos(&gallery("slo-burn.yaml"), None);
    assert!(!t.rows.is_empty());
    let missed = column(&t, "Result");
    assert!(missed.iter().any(|c| c.text == "missed" && c.class == WARN));
    assert!(column(&t, "Alerts fired")
        .iter()
        .any(|c| c.text.contains("(burn ≥ ")));
    assert!(slos(&gallery("shop.yaml"), None).rows.is_empty());
}
