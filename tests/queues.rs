//! Message queues and background tasks against exact results (`queues:`, `publish`, `spawn`).
//!
//! - Poisson publishes to a queue whose consumer (one replica, `concurrency: c`) processes a
//!   message in an exponential `io` time, with no network latency: the broker is an M/M/c
//!   FIFO queue, so publish → processed time is W = C(c, a)/(cμ − λ) + 1/μ (Erlang C), and
//!   Little's law L = λW holds for the time-weighted depth.
//! - `partitions: P` with a random partition per message and capacity for every partition:
//!   each partition is an M/M/1 queue at λ/P (Poisson thinning).
//! - Redelivery: each delivery fails independently with probability r (an `errors` fault),
//!   so a message is dead-lettered with probability r^m after m deliveries.
//! - `spawn`: a spawned `io` adds nothing to the request's latency; spawned `cpu` raises the
//!   loop's utilisation by λ·E[cpu].
//!
//! Replications: independent seeds, 99.9% Student-t intervals (see `support.rs`).

use loopsim_core::report::Report;
use loopsim_tests::{mm1, mmc, replications, run_yaml, Estimate};

/// Replications per check (the test profile is optimised: the file runs in about a second).
const R: u64 = 20;

fn queue<'a>(r: &'a Report, name: &str) -> &'a loopsim_core::report::QueueReport {
    r.queues.get(name).expect("the queue is reported")
}

fn sojourn(r: &Report) -> f64 {
    queue(r, "orders").publish_to_processed_s.mean.unwrap()
}

/// A publisher `api` (no work but the publish) and a consumer `worker` with exponential
/// processing of mean 10 ms (μ = 100/s).
fn pipeline(lambda: f64, queue_keys: &str, duration_s: u32) -> String {
    format!(
        "version: 1\nname: mmc-queue\nseed: {{seed}}\nduration: {duration_s}s\nwarmup: 10s\n\
         workload:\n  - to: api\n    rate: {lambda}/s\n\
         services:\n  api:\n    endpoints:\n      /order: [ {{ publish: orders }} ]\n\
         \x20 worker:\n    endpoints:\n      /process: [ {{ io: {{ dist: exponential, mean: 10ms }} }} ]\n\
         queues:\n  orders: {{ consumer: worker/process, {queue_keys} }}\n"
    )
}

/// M/M/4 at ρ = 0.75 (λ = 300/s, μ = 100/s): Erlang C P_wait = 0.5094, Wq = 5.09 ms,
/// W = 15.09 ms. Each replication measures about 300 × 150 = 45,000 messages; the
/// replication means of W have a relative spread of about 1.5%, so 20 replications give a
/// 99.9% half-width near 2% (measured 2.1%; limit 4%, 5% for L).
#[test]
fn publish_to_processed_is_the_mmc_sojourn_and_depth_obeys_little() {
    let (lambda, mu, c) = (300.0, 100.0, 4u32);
    let runs = replications(&pipeline(lambda, "concurrency: 4", 160), 1..=R);
    let theory = mmc(lambda, mu, c);
    Estimate::of(&runs, sojourn).assert_matches(
        "M/M/4 at ρ = 0.75: publish → processed time W",
        theory.w,
        0.04,
    );
    Estimate::of(&runs, |r| queue(r, "orders").depth_mean.unwrap()).assert_matches(
        "M/M/4: mean depth L = λW",
        lambda * theory.w,
        0.05,
    );
    // Little's law on each sample path: L = X · W, up to the messages in the system at the
    // window's edges (≈ L / (X · 150 s), under 0.1%) and the sketch's ≤ 0.4% bias on W.
    for r in &runs {
        let q = queue(r, "orders");
        let (l, x, w) = (q.depth_mean.unwrap(), q.processed_rps, sojourn(r));
        let rel = (l / (x * w) - 1.0).abs();
        assert!(rel < 0.01, "Little's law: L = {l}, X·W = {}", x * w);
        assert_eq!(q.rejected_queue_full + q.failed + q.dead_lettered, 0);
    }
}

/// Four partitions at λ = 200/s, a consumer with room for all of them (concurrency 8): each
/// partition receives a Poisson stream at 50/s (random assignment) and serves one message at
/// a time at μ = 100/s, an M/M/1 queue: W = 1/(μ − λ/P) = 20 ms, L = 1 per partition.
#[test]
fn each_partition_is_an_mm1_queue() {
    let (lambda, mu, p) = (200.0, 100.0, 4.0);
    let runs = replications(
        &pipeline(lambda, "concurrency: 8, partitions: 4", 160),
        1..=R,
    );
    let theory = mm1(lambda / p, mu);
    Estimate::of(&runs, sojourn).assert_matches(
        "4 partitions, M/M/1 each at ρ = 0.5: publish → processed time",
        theory.w,
        0.05,
    );
    Estimate::of(&runs, |r| {
        let parts = &queue(r, "orders").partitions;
        assert_eq!(parts.len(), 4);
        parts.iter().map(|x| x.depth_mean.unwrap()).sum::<f64>() / 4.0
    })
    .assert_matches("M/M/1 per partition: mean depth ρ/(1 − ρ)", theory.l, 0.06);
}

/// Every delivery fails with probability r = 30% (an `errors` fault on the consumer), at most
/// m = 3 deliveries: a message is dead-lettered with probability r³ = 2.7%. Over about
/// n = 20,000 resolved messages the count is binomial, sd = √(n·p·(1 − p)) ≈ 23 (4.3% of
/// 540); the check allows 4.5 sd. Redeliveries per message: r + r² = 0.39, same treatment.
#[test]
fn dead_letters_are_r_to_the_m() {
    let yaml = "version: 1\nseed: 7\nduration: 100s\n\
        workload:\n  - to: api\n    rate: 200/s\n\
        services:\n  api:\n    endpoints:\n      /order: [ { publish: orders } ]\n\
        \x20 worker:\n    endpoints:\n      /process: [ { io: 5ms } ]\n\
        queues:\n  orders: { consumer: worker/process, concurrency: 8, max_deliveries: 3, \
        redelivery_delay: 100ms, dead_letter: dlq }\n  dlq: {}\n\
        faults:\n  - { at: 0s, kind: errors, target: worker, rate: 30% }\n";
    let r = run_yaml(yaml);
    let q = queue(&r, "orders");
    let resolved = (q.processed + q.dead_lettered) as f64;
    let p = 0.3f64.powi(3);
    let sd = (resolved * p * (1.0 - p)).sqrt();
    let dead = q.dead_lettered as f64;
    assert!(
        (dead - resolved * p).abs() <= 4.5 * sd,
        "dead letters {dead} of {resolved} resolved; r³ predicts {:.1} ± {sd:.1}",
        resolved * p
    );
    assert_eq!(q.dropped, 0);
    // The dead-letter queue has no consumer: it holds every dead letter.
    assert_eq!(queue(&r, "dlq").depth_end, q.dead_lettered);
    // Redeliveries: a message is redelivered once with probability r, twice with r² (the
    // count per message has variance below its mean 0.39 + 2·0.09 … bounded by 4·0.39).
    let per = q.redeliveries as f64 / resolved;
    let expected = 0.3 + 0.09;
    let sd_r = (4.0 * expected / resolved).sqrt();
    assert!(
        (per - expected).abs() <= 4.5 * sd_r,
        "redeliveries per message {per:.4}, expected {expected} ± {sd_r:.4}"
    );
}

/// A spawned `io` of 100 ms runs beside the request, which does not wait for it: the
/// request's latency stays that of its own exponential `io` (mean 10 ms), and every spawned
/// task completes. 100/s for 60 s: 6,000 requests per run, sd of the mean 10 ms/√6000 (1.3%).
#[test]
fn a_spawned_task_does_not_add_to_the_latency() {
    let yaml = "version: 1\nseed: {seed}\nduration: 60s\n\
        workload:\n  - to: api\n    rate: 100/s\n\
        services:\n  api:\n    endpoints:\n      /:\n\
        \x20       - spawn: [ { io: 100ms } ]\n\
        \x20       - io: { dist: exponential, mean: 10ms }\n";
    let runs = replications(yaml, 1..=R);
    Estimate::of(&runs, |r| r.latency_s.mean.unwrap()).assert_matches(
        "request latency with a spawned 100 ms io",
        0.010,
        0.04,
    );
    for r in &runs {
        let s = r.spawned.get("api").unwrap();
        // Those still running at the end: about λ × 100 ms = 10.
        assert!(s.started >= s.completed && s.started - s.completed <= 40);
        assert!(s.failed.0.is_empty());
    }
}

/// Spawned `cpu: 2ms` on every request (besides its own `cpu: 1ms`) holds the loop: the
/// utilisation is λ·(1 ms + 2 ms) = 0.3 at 100/s, not λ·1 ms. Over 60 s the busy time is a
/// sum of about 6,000 constant bursts, so a replication's utilisation has a relative sd of
/// 1/√6000 ≈ 1.3%.
#[test]
fn spawned_cpu_raises_the_loop_utilisation_by_lambda_times_cpu() {
    let yaml = "version: 1\nseed: {seed}\nduration: 61s\nwarmup: 1s\n\
        workload:\n  - to: api\n    rate: 100/s\n\
        services:\n  api:\n    endpoints:\n      /:\n\
        \x20       - cpu: 1ms\n\
        \x20       - spawn: [ { cpu: 2ms } ]\n";
    let runs = replications(yaml, 1..=R);
    Estimate::of(&runs, |r| {
        r.services.get("api").unwrap().utilization.unwrap()
    })
    .assert_matches("loop utilisation λ·(1 ms + 2 ms)", 0.3, 0.03);
}

/// A queue nobody consumes grows with every publish: the messages count against
/// `max_in_flight`, and the run stops (saying which queue) instead of exhausting memory.
#[test]
fn an_unconsumed_queue_stops_the_run_at_max_in_flight() {
    let yaml = "version: 1\nduration: 100s\nmax_in_flight: 5000\n\
        workload:\n  - to: api\n    rate: 200/s\n\
        services:\n  api:\n    endpoints:\n      /: [ { publish: sink } ]\n\
        queues:\n  sink: {}\n";
    let r = run_yaml(yaml);
    let stop = r.stopped.as_ref().expect("stopped by the cap");
    assert!(stop.message.contains("queue `sink`"), "{}", stop.message);
    // 5000 messages at 200/s: about 25 s.
    assert!(
        (20.0..30.0).contains(&stop.at_s),
        "stopped at {} s",
        stop.at_s
    );
    // With a `max_length`, publishes are refused instead and the run completes.
    let bounded = run_yaml(&yaml.replace("sink: {}", "sink: { max_length: 1000 }"));
    assert!(bounded.stopped.is_none());
    let q = queue(&bounded, "sink");
    assert_eq!(q.depth_end, 1000);
    assert_eq!(q.acknowledged, 1000);
    assert_eq!(
        bounded.errors.get("queue_full"),
        Some(&q.rejected_queue_full)
    );
    assert_eq!(q.rejected_queue_full + 1000, q.published);
}

/// Every consumer replica is down from 10 s to 20 s: the broker has no capacity and delivers
/// nothing; the messages in process are lost and delivered again; after the outage the
/// backlog drains and every message is processed (none exhausts 10 deliveries).
#[test]
fn a_consumer_outage_pauses_delivery_and_the_backlog_drains_after() {
    let yaml = "version: 1\nduration: 60s\nsample_every: 1s\n\
        workload:\n  - to: api\n    rate: [ { at: 0s, rate: 100/s }, { at: 40s, rate: 0/s } ]\n\
        services:\n  api:\n    endpoints:\n      /: [ { publish: jobs } ]\n\
        \x20 worker:\n    replicas: 2\n    endpoints:\n      /: [ { io: 200ms } ]\n\
        queues:\n  jobs: { consumer: worker, concurrency: 20, max_deliveries: 10, redelivery_delay: 1s }\n\
        faults:\n  - { at: 10s, for: 10s, kind: outage, target: worker }\n";
    let (r, series) = loopsim_tests::run_yaml_full(yaml);
    let q = queue(&r, "jobs");
    assert_eq!(q.processed, q.published, "every message is processed");
    assert_eq!(q.depth_end, 0);
    assert!(
        q.failed > 0 && q.redeliveries > 0,
        "in-process messages were lost"
    );
    assert_eq!(q.dead_lettered, 0);
    // 10 s without consumers at 100/s: about 1000 messages waiting (plus the ~20 lost in
    // process, awaiting redelivery), the oldest ~10 s old.
    assert!(
        (900..=1150).contains(&q.depth_max),
        "depth max {}",
        q.depth_max
    );
    assert!(
        q.failed >= 5,
        "about 20 messages were in process at the crash"
    );
    assert!(q.oldest_age_max_s > 9.0, "oldest {}", q.oldest_age_max_s);
    let col = series.column_by_name("queue.jobs.in_process").unwrap();
    // Samples at 12..19 s fall inside the outage: nothing in process.
    assert!(col[11..19].iter().all(|&v| v == 0.0), "{:?}", &col[9..21]);
}

/// Spawned tasks outlive their requests (a 5 s `io` behind a 1 ms request) and a crash of
/// their replica loses them, counted as `lost`.
#[test]
fn spawned_tasks_outlive_their_request_and_die_with_their_replica() {
    let yaml = "version: 1\nduration: 30s\n\
        workload:\n  - to: api\n    rate: [ { at: 0s, rate: 10/s }, { at: 10s, rate: 0/s } ]\n\
        services:\n  api:\n    endpoints:\n      /: [ { cpu: 1ms }, { spawn: [ { io: 5s }, { cpu: 1ms } ] } ]\n\
        faults:\n  - { at: 12s, for: 1s, kind: outage, target: api }\n";
    let r = run_yaml(yaml);
    assert!(r.latency_s.max.unwrap() < 0.01, "the request does not wait");
    let s = r.spawned.get("api").unwrap();
    // Requests until 10 s, each spawning a 5 s task: those spawned from 7 s on are alive at
    // 12 s and lost (about 30); the others completed.
    let lost = s.failed.get("lost").copied().unwrap_or(0);
    assert!((15..=45).contains(&lost), "lost {lost}");
    assert_eq!(s.completed + lost, s.started);
}
