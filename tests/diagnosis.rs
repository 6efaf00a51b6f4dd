//! The diagnosis (`report.diagnosis`) of gallery scenarios says what happened, in plain words:
//! the failures and their causes, the missed SLOs, the amplifiers, whether the failure outlived
//! its trigger, the blocking endpoint, a healthy run as healthy, the auditor's verdict with a
//! matching severity, and an early stop first.

use loopsim_core::diagnosis::{Kind, Severity, Statement};
use loopsim_core::health::Status;
use loopsim_core::report::Report;
use loopsim_tests::{gallery_path, run_yaml};

fn run_file(name: &str) -> Report {
    run_yaml(&std::fs::read_to_string(gallery_path(name)).expect("gallery file"))
}

fn find(r: &Report, kind: Kind) -> &Statement {
    let d = &r.diagnosis;
    d.statements
        .iter()
        .find(|s| s.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} statement in {:#?}", d.statements))
}

fn figure(s: &Statement, name: &str) -> f64 {
    *s.figures
        .get(name)
        .unwrap_or_else(|| panic!("no figure {name} in {s:#?}"))
}

fn has(r: &Report, kind: Kind) -> bool {
    r.diagnosis.statements.iter().any(|s| s.kind == kind)
}

/// The breaker example fails about a third of its requests while the loops idle: the
/// diagnosis names the failures, the breaker's rejections and the time it stayed open.
#[test]
fn circuit_breaker_names_the_failures_and_the_open_breaker() {
    let r = run_file("circuit-breaker.yaml");
    let exp = find(&r, Kind::Experience);
    assert_eq!(exp.severity, Severity::Critical, "{}", exp.text);
    assert!(exp.text.contains("failed"), "{}", exp.text);
    assert!(exp.text.contains("not in these latencies"), "{}", exp.text);
    let f = find(&r, Kind::Failures);
    assert!(
        f.text.contains("rejected by a circuit breaker"),
        "{}",
        f.text
    );
    assert!(f.text.contains("errors"), "{}", f.text);
    assert!(figure(f, "rejected_breaker") > 0.2, "{}", f.text);
    let open = r
        .diagnosis
        .statements
        .iter()
        .find(|s| s.kind == Kind::Amplification && s.text.contains("breaker"))
        .expect("the open breaker is an amplifier");
    assert!(open.text.contains("was open"), "{}", open.text);
    let fraction = figure(open, "open_fraction");
    assert!(fraction > 0.1 && fraction < 1.0, "{}", open.text);
    assert!(!has(&r, Kind::Healthy));
}

/// The retry storm: three attempts per request, and still failing long after the 2-second
/// slowdown that started it.
#[test]
fn retry_storm_names_the_storm_and_that_it_outlived_its_trigger() {
    let r = run_file("retry-storm.yaml");
    let retries = find(&r, Kind::Amplification);
    assert!(
        retries.text.starts_with("Retries: 3 attempts per request"),
        "{}",
        retries.text
    );
    assert!((figure(retries, "attempts_per_request") - 3.0).abs() < 0.1);
    let m = find(&r, Kind::Metastable);
    assert_eq!(m.severity, Severity::Critical);
    assert!(m.text.contains("outlived its trigger"), "{}", m.text);
    assert!(figure(m, "error_rate_after") > 0.9, "{}", m.text);
    assert!(figure(m, "error_rate_before") < 0.01, "{}", m.text);
    assert_eq!(figure(m, "trigger_end_s"), 32.0);
    let f = find(&r, Kind::Failures);
    assert!(f.text.contains("timed out"), "{}", f.text);
    let b = find(&r, Kind::Bottleneck);
    assert_eq!(b.subject.as_deref(), Some("api event loop"));
    // The auditor's COLLAPSE_RISK reads as critical, like the collapse it names.
    assert_eq!(r.health.status, Status::CollapseRisk);
    let rt = find(&r, Kind::Runtime);
    assert!(rt.text.contains("COLLAPSE_RISK"), "{}", rt.text);
    assert_eq!(rt.severity, Severity::Critical, "{}", rt.text);
}

/// Blocking `/export` calls starve the API's event loop: the diagnosis names the loop and the
/// endpoint.
#[test]
fn starvation_names_the_blocking_endpoint_and_its_loop() {
    let r = run_file("event-loop-starvation.yaml");
    let b = find(&r, Kind::Blocking);
    assert_eq!(b.subject.as_deref(), Some("api"));
    assert!(b.text.contains("event loop of `api`"), "{}", b.text);
    assert!(b.text.contains("/export"), "{}", b.text);
    assert!(figure(b, "loop_lag_p99_s") > 0.5, "{}", b.text);
    // The auditor's finding carries the cause as data, and the diagnosis states that one.
    let finding = r
        .health
        .findings
        .iter()
        .find(|f| f.service == "api" && f.cause.is_some())
        .expect("a finding with its cause");
    let cause = finding.cause.as_deref().unwrap();
    assert!(cause.contains("`blocking` steps of /export"), "{cause}");
    assert!(b.text.contains(cause), "{}", b.text);
    assert!(finding.text.ends_with(cause), "{}", finding.text);
}

/// M/M/1 at ρ = 0.8 serves every request: healthy, with its utilisation; the auditor's
/// verdict is stated separately, on its scale.
#[test]
fn a_healthy_mm1_is_healthy_with_its_utilisation() {
    let r = run_file("one-event-loop.yaml");
    let h = find(&r, Kind::Healthy);
    assert!(h.text.starts_with("Healthy"), "{}", h.text);
    assert!(h.text.contains("`api event loop`"), "{}", h.text);
    let u = figure(h, "utilization");
    assert!((u - 0.8).abs() < 0.03, "utilisation {u}");
    assert!(!has(&r, Kind::Failures));
    assert_eq!(r.diagnosis.scale.degraded, 400.0);
    assert_eq!(r.diagnosis.scale.critical, 1200.0);
    assert_eq!(r.diagnosis.scale.collapse_risk, 2500.0);
    // The auditor rates it DEGRADED from its loop lag: a warning, stated after the healthy
    // line, which it does not withdraw (the users were served).
    assert_eq!(r.health.status, Status::Degraded);
    let rt = find(&r, Kind::Runtime);
    assert_eq!(rt.severity, Severity::Warning, "{}", rt.text);
    let last = r.diagnosis.statements.last().unwrap();
    assert_eq!(last.kind, Kind::Runtime);
}

/// The news feed serves every request, but its reads wait for the slowest of 20 calls: the
/// `fast-feed` SLO (p99 < 25 ms) is missed, about 8% of reads over 25 ms against a 1% budget.
/// The diagnosis names the SLO with its SLI, target and budget, as a warning, and never calls
/// the run healthy.
#[test]
fn a_missed_slo_is_stated_and_the_run_is_not_healthy() {
    let r = run_file("news-feed.yaml");
    assert_eq!(r.error_rate, 0.0);
    let slo = r.slo.iter().find(|s| s.name == "fast-feed").unwrap();
    assert!(!slo.met);
    let s = find(&r, Kind::SloMissed);
    assert_eq!(s.severity, Severity::Warning, "{}", s.text);
    assert_eq!(s.subject.as_deref(), Some("slo fast-feed"));
    assert!(
        s.text
            .starts_with("The SLO `fast-feed` (p99 ≤ 25 ms) was missed"),
        "{}",
        s.text
    );
    assert_eq!(figure(s, "sli"), slo.sli);
    assert_eq!(figure(s, "target"), 0.99);
    assert_eq!(
        figure(s, "error_budget_consumed"),
        slo.error_budget_consumed
    );
    let spent = figure(s, "error_budget_consumed");
    assert!((5.0..10.0).contains(&spent), "{}", s.text);
    assert!(s.text.contains("against a target of 99%"), "{}", s.text);
    assert!(
        s.text
            .contains(&format!("{:.0}% of the budget spent", spent * 100.0)),
        "{}",
        s.text
    );
    // Right after the users' experience, and no healthy line anywhere.
    assert_eq!(r.diagnosis.statements[1].kind, Kind::SloMissed);
    assert!(!has(&r, Kind::Healthy), "{:#?}", r.diagnosis.statements);
    assert!(
        r.diagnosis
            .statements
            .iter()
            .all(|s| !s.text.contains("Healthy")),
        "{:#?}",
        r.diagnosis.statements
    );
}

/// The API gateway's rate limit rejects ~29% of requests: both its SLOs are missed by far more
/// than ten times their error budget, each a critical statement of its own; the met ones of
/// other scenarios say nothing.
#[test]
fn an_slo_missed_by_far_is_critical_and_a_met_one_is_silent() {
    let r = run_file("api-gateway.yaml");
    let missed: Vec<&Statement> = r
        .diagnosis
        .statements
        .iter()
        .filter(|s| s.kind == Kind::SloMissed)
        .collect();
    assert_eq!(missed.len(), 2, "{missed:#?}");
    for s in missed {
        assert!(
            figure(s, "error_budget_consumed") >= loopsim_core::diagnosis::SLO_CRITICAL_BUDGET,
            "{}",
            s.text
        );
        assert_eq!(s.severity, Severity::Critical, "{}", s.text);
    }
    let ok = run_file("double-traffic-sized.yaml");
    assert!(ok.slo.iter().all(|s| s.met));
    assert!(!has(&ok, Kind::SloMissed));
    assert!(has(&ok, Kind::Healthy));
}

/// The shop: a handful of lost requests, no saturated resource; the auditor's DEGRADED comes
/// with the term that weighs most in its score.
#[test]
fn shop_explains_the_auditor_score() {
    let r = run_file("shop.yaml");
    assert!(has(&r, Kind::Healthy), "{:#?}", r.diagnosis.statements);
    if r.health.status != Status::Healthy {
        let rt = find(&r, Kind::Runtime);
        assert!(rt.text.contains(r.health.status.as_str()), "{}", rt.text);
        assert!(rt.text.contains("mostly from"), "{}", rt.text);
    }
}

/// An overloaded run stopped by `max_in_flight`: the stop is the first statement.
#[test]
fn an_early_stop_comes_first() {
    let r = run_yaml(
        "version: 1\nname: early\nseed: 1\nduration: 60s\nmax_in_flight: 1000\n\
         workload:\n  - to: api\n    rate: 800/s\n\
         services:\n  api:\n    endpoints:\n      /:\n        - cpu: 5ms\n",
    );
    assert!(r.stopped.is_some());
    let first = &r.diagnosis.statements[0];
    assert_eq!(first.kind, Kind::StoppedEarly);
    assert_eq!(first.severity, Severity::Critical);
    assert!(first.text.contains("max_in_flight"), "{}", first.text);
    let exp = find(&r, Kind::Experience);
    assert!(exp.text.contains("still in flight"), "{}", exp.text);
}

/// The JSON carries it under `diagnosis`, last, with snake_case kinds.
#[test]
fn json_carries_the_diagnosis() {
    let r = run_file("circuit-breaker.yaml");
    let v = serde_json::to_value(&r).unwrap();
    let d = &v["diagnosis"];
    assert_eq!(d["scale"]["critical"], 1200.0);
    let kinds: Vec<&str> = d["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"failures"), "{kinds:?}");
    assert_eq!(kinds[0], "experience");
}

/// The order pipeline's burst backs its queue up (consumer lag ~3,500, the oldest order ~28 s)
/// and some orders are dead-lettered; the diagnosis says both, and that the dead-letter queue,
/// without a consumer, just holds them.
#[test]
fn a_queue_that_backed_up_and_dead_lettered_is_named() {
    let r = run_file("order-pipeline.yaml");
    let orders = r
        .diagnosis
        .statements
        .iter()
        .find(|s| s.kind == Kind::Backlog && s.subject.as_deref() == Some("orders"))
        .expect("a backlog statement for orders");
    assert_eq!(orders.severity, Severity::Warning);
    assert!(figure(orders, "depth_max") > 2000.0, "{orders:#?}");
    assert!(figure(orders, "oldest_age_max_s") > 10.0);
    assert!(figure(orders, "dead_lettered") > 0.0);
    assert!(orders.text.contains("dead-lettered"), "{}", orders.text);
    let dlq = r
        .diagnosis
        .statements
        .iter()
        .find(|s| s.subject.as_deref() == Some("orders-dlq"))
        .expect("the dead-letter queue");
    assert!(dlq.text.contains("no consumer"), "{}", dlq.text);
    assert!(has(&r, Kind::Backlog));
}

/// The autoscaling ramp's 60 s cold start shows as capacity trailing the decisions: the first
/// scale-up is ready 60 s (the provisioning delay) to 75 s (one more decision interval) later.
#[test]
fn a_slow_cold_start_shows_in_the_scaling_statement() {
    let r = run_file("autoscaling-ramp.yaml");
    let s = find(&r, Kind::Scaling);
    assert_eq!(s.subject.as_deref(), Some("api"));
    let lag = figure(s, "first_scale_up_ready_after_s");
    assert!((60.0..=75.0).contains(&lag), "{s:#?}");
    assert!(figure(s, "ready_max") >= 16.0);
}

/// The stampede's bottleneck is the database pool whose waiters waited up to its 1 s timeout,
/// not the busier but unhurried event loops.
#[test]
fn a_stampede_names_the_pool_its_waiters_waited_for() {
    let r = run_file("cache-stampede.yaml");
    let b = find(&r, Kind::Bottleneck);
    assert!(b.text.contains("plain-db/conns pool"), "{}", b.text);
}
