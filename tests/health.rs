//! The runtime health scorer on simulated runs: starvation and saturation are flagged with the
//! right failure mode and an explained finding; a healthy service is not.

use loopsim_tests::run_yaml;

fn mode_types(r: &loopsim_core::Report) -> Vec<&str> {
    r.health.failure_modes.iter().map(|m| m.type_).collect()
}

#[test]
fn a_rare_long_blocking_call_is_flagged_as_starvation_with_its_cause() {
    let r = run_yaml(include_str!(
        "../scenarios/failure-modes/event-loop-starvation.yaml"
    ));
    assert!(
        mode_types(&r).contains(&"EVENT_LOOP_STARVATION"),
        "{:?}",
        mode_types(&r)
    );
    let starvation = r
        .health
        .findings
        .iter()
        .find(|f| f.text.starts_with("Event-loop starvation on api"))
        .expect("a starvation finding");
    assert!(
        starvation.text.contains("`blocking` steps of /export"),
        "{}",
        starvation.text
    );
    // The loop is mostly idle on average: the auditor sees what utilisation hides.
    assert!(r.services.get("api").unwrap().utilization.unwrap() < 0.5);
    assert_ne!(r.health.status.as_str(), "HEALTHY");
}

#[test]
fn the_same_work_offloaded_to_a_thread_pool_is_not_starvation() {
    let yaml = include_str!("../scenarios/failure-modes/event-loop-starvation.yaml")
        .replace("- blocking: 1200ms", "- offload: 1200ms");
    let r = run_yaml(&yaml);
    assert!(
        !mode_types(&r).contains(&"EVENT_LOOP_STARVATION"),
        "{:?}",
        mode_types(&r)
    );
    let lag = r.services.get("api").unwrap().loop_lag_s.max.unwrap();
    assert!(lag < 0.1, "lag max {lag}");
}

#[test]
fn a_healthy_service_is_healthy() {
    let yaml = "
version: 1
duration: 120s
warmup: 10s
workload:
  - to: api
    arrivals: poisson
    rate: 100/s
services:
  api:
    endpoints:
      /:
        - cpu: { dist: exponential, mean: 2ms }
        - io: 10ms
";
    let r = run_yaml(yaml);
    assert_eq!(
        r.health.status.as_str(),
        "HEALTHY",
        "{:?}",
        r.health.failure_modes
    );
    assert!(r.health.failure_modes.is_empty());
    assert!(r.health.findings.is_empty(), "{:?}", r.health.findings);
    assert!(r
        .health
        .timeline
        .iter()
        .all(|w| w.status.as_str() == "HEALTHY"));
    assert_eq!(
        r.health.timeline.len(),
        11,
        "eleven 10 s windows over [10 s, 120 s]"
    );
}

#[test]
fn thread_pool_saturation_is_flagged_while_it_lasts() {
    let r = run_yaml(include_str!(
        "../scenarios/failure-modes/threadpool-saturation.yaml"
    ));
    assert!(
        mode_types(&r).contains(&"THREADPOOL_SATURATION"),
        "{:?}",
        mode_types(&r)
    );
    // The overload runs from 60 s (ramp to 110/s over 10 s) to 180 s; the queue drains after.
    let bad: Vec<f64> = r
        .health
        .timeline
        .iter()
        .filter(|w| w.status.as_str() != "HEALTHY")
        .map(|w| w.start as f64 / 1e9)
        .collect();
    assert!(!bad.is_empty());
    assert!(
        bad.iter().all(|&t| (60.0..260.0).contains(&t)),
        "degraded windows at {bad:?}"
    );
    assert!(r
        .health
        .timeline
        .iter()
        .any(|w| w.start < 50_000_000_000 && w.status.as_str() == "HEALTHY"));
}

#[test]
fn an_incident_burns_the_error_budget_and_pages() {
    let r = run_yaml(include_str!("../scenarios/failure-modes/slo-burn.yaml"));
    let available = r.slo.iter().find(|s| s.name == "available").unwrap();
    assert!(!available.met);
    // 5% errors for 30 s of a 290 s window ≈ 0.52% errors against a 0.1% budget: ≈ 5× used.
    assert!(
        (3.0..8.0).contains(&available.error_budget_consumed),
        "{}",
        available.error_budget_consumed
    );
    let page = available
        .alerts
        .iter()
        .find(|a| a.severity == "page" && a.burn_rate_threshold == 14.4)
        .expect("the fast-burn page alert");
    assert_eq!(page.fired_at.len(), 1, "{:?}", page.fired_at);
    let (from, to) = page.fired_at[0];
    assert!((120.0..=122.0).contains(&from), "page fired from {from}");
    assert!((150.0..=153.0).contains(&to), "page fired until {to}");
    let fast = r.slo.iter().find(|s| s.name == "fast").unwrap();
    assert!(fast.met, "latency objective {}", fast.sli);
}

#[test]
fn a_spent_budget_blocks_the_expensive_endpoint() {
    let r = run_yaml(include_str!("../scenarios/guards/llm-budget.yaml"));
    let cost = r.cost.as_ref().expect("a cost report");
    assert!(
        cost.by_category.llm > 0.8 * cost.total,
        "llm share {}",
        cost.by_category.llm
    );
    let b = cost.budget.as_ref().expect("a budget");
    // ≈ 0.0033 per second: 80% of 1.20 at ≈ 290 s; the rest, slowed by shedding half the
    // summaries, by ≈ 450 s.
    let warn = b.warning_at_s.unwrap();
    let breach = b.breached_at_s.unwrap();
    assert!((250.0..330.0).contains(&warn), "warning at {warn}");
    assert!((400.0..500.0).contains(&breach), "breached at {breach}");
    let refused = *r.errors.get("rejected_budget").unwrap();
    // Half of 4/s from the warning to the breach, all of them after it.
    let expected = 0.5 * 4.0 * (breach - warn) + 4.0 * (600.0 - breach);
    assert!(
        (refused as f64 / expected - 1.0).abs() < 0.15,
        "refused {refused} vs ≈ {expected}"
    );
    // /search is never refused: every refusal is a /summarize request.
    assert!(r.requests.completed as f64 > 0.8 * 20.0 * 600.0 * 0.8);
}

/// The thread-pool backlog is jobs *waiting* for a thread, on one replica: a pool 7% busy that
/// never queued has none (before the fix the finding reported running jobs summed over
/// replicas, "backlog 9 jobs"), while a saturated pool reports its own queue.
#[test]
fn the_thread_pool_backlog_counts_queued_jobs_per_replica() {
    let scenario = |threads: u32, rate: u32| {
        format!(
            "version: 1\nduration: 120s\nwarmup: 10s\n\
             workload:\n  - to: api\n    rate: {rate}/s\n\
             services:\n  api:\n    replicas: 3\n    threads: {threads}\n    endpoints:\n\
             \x20     /:\n        - offload: 80ms\n"
        )
    };
    let backlog_findings = |r: &loopsim_core::Report| {
        r.health
            .findings
            .iter()
            .filter(|f| f.text.starts_with("Thread-pool backlog"))
            .count()
    };
    // 400/s × 80 ms = 32 jobs running over 3 × 40 threads (27% busy), none ever queued.
    let idle = run_yaml(&scenario(40, 400));
    assert_eq!(backlog_findings(&idle), 0, "{:?}", idle.health.findings);
    assert_eq!(idle.health.whole_run.threadpool_backlog, 0.0);
    // 3 threads per replica at 40/s each: 3.2 jobs offered per replica, the pool saturates
    // and its queue grows past 3 on a replica.
    let saturated = run_yaml(&scenario(3, 120));
    assert!(
        backlog_findings(&saturated) > 0,
        "{:?}",
        saturated.health.findings
    );
}

/// A steady LLM workload is not a spend spike at any run length (before the fix, one day of
/// 5 s ticks of ~10 requests blocked 1,673 requests at 4.5% of the budget while the same
/// over 30 days did not); a real 3× step in the rate is.
#[test]
fn budget_spikes_are_told_from_the_noise_of_a_steady_rate() {
    let scenario = |duration: &str, surge: bool| {
        let mut s = format!(
            "version: 1\nduration: {duration}\n\
             workload:\n  - name: users\n    to: assistant\n    rate: 2/s\n\
             services:\n  assistant:\n    endpoints:\n      /summarize:\n\
             \x20       - llm: {{ tokens_in: 800, tokens_out: {{ dist: uniform, min: 150, max: 350 }}, first_token: 250ms, per_token: 15ms }}\n\
             cost:\n  llm: {{ per_1k_in: 0.0005, per_1k_out: 0.0015 }}\n\
             budget:\n  limit: 100000\n  action: block\n"
        );
        if surge {
            s.push_str("faults:\n  - { at: 12h, kind: surge, target: users, factor: 3 }\n");
        }
        s
    };
    for duration in ["1d", "30d"] {
        let r = run_yaml(&scenario(duration, false));
        let b = r.cost.as_ref().unwrap().budget.as_ref().unwrap();
        assert_eq!(b.spikes, 0, "{duration}: spikes at {:?}", b.spikes_at_s);
        assert_eq!(r.errors.get("rejected_budget"), Some(&0), "{duration}");
    }
    let r = run_yaml(&scenario("1d", true));
    let b = r.cost.as_ref().unwrap().budget.as_ref().unwrap();
    assert!(b.spikes >= 1, "the 3× step is a spike");
    let first = b.spikes_at_s[0];
    assert!(
        (43_200.0..43_200.0 + 600.0).contains(&first),
        "spike first seen at {first} s"
    );
}
