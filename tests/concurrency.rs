//! Concurrency inside a request and shared resources against exact results: fan-out joins
//! (order statistics of exponentials), a pool of c permits (M/M/c, Erlang C), two priorities
//! through one permit (Cobham's non-preemptive priority M/M/1), branch weights.
//!
//! Checked as in `theory.rs`: R replications with independent seeds, the analytic value inside
//! the 99.9% Student-t interval, and the interval narrower than a stated share of the value
//! (3%, 5% for tails and for the loaded cases).

use loopsim_core::Report;
use loopsim_tests::{mmc, replications, Estimate};

const R: u64 = 20;
/// The quantile sketch's bucket resolution (see `theory.rs`).
const SKETCH: f64 = 1.0 / 256.0;

fn mean(r: &Report) -> f64 {
    r.latency_s.mean.unwrap()
}

fn p99(r: &Report) -> f64 {
    r.latency_s.p99.unwrap()
}

/// A front end whose one endpoint fans out to `n` branches, each a call to a backend that
/// answers after an exponential 10 ms (no loop time, no network latency: nothing queues, so a
/// request's latency is exactly the join of n independent exponentials).
fn fan_out(n: u32, wait: &str) -> String {
    format!(
        "version: 1\nname: fan-out\nseed: {{seed}}\nduration: 410s\nwarmup: 10s\n\
         workload:\n  - to: front\n    rate: 50/s\n\
         services:\n  front:\n    endpoints:\n      /:\n\
         \x20       - parallel:\n            - call: back\n          fanout: {n}\n          wait: {wait}\n\
         \x20 back:\n    endpoints:\n      /:\n        - io: {{ dist: exponential, mean: 10ms }}\n"
    )
}

/// H_n = Σ_{i=1..n} 1/i: the mean of the largest of n unit exponentials.
fn harmonic(n: u32) -> f64 {
    (1..=n).map(|i| 1.0 / i as f64).sum()
}

#[test]
fn fan_out_waiting_for_all_is_the_maximum_of_n_exponentials() {
    let m = 0.010;
    for n in [4u32, 10] {
        let runs = replications(&fan_out(n, "all"), 1..=R);
        Estimate::of(&runs, mean).assert_matches(
            &format!("fan-out {n}, wait all: mean = m·H_n"),
            m * harmonic(n),
            0.03,
        );
        // Each call on its own is one exponential: the call site shows it, the endpoint the
        // join (the fan-out's tail).
        let site = |r: &Report| {
            r.call_sites
                .get("front/ → back/")
                .unwrap()
                .latency_s
                .mean
                .unwrap()
        };
        Estimate::of(&runs, site).assert_matches(
            &format!("fan-out {n}: per-call-site mean = m"),
            m,
            0.03,
        );
        let served = |r: &Report| r.endpoints.get("front/").unwrap().latency_s.mean.unwrap();
        Estimate::of(&runs, served).assert_matches(
            &format!("fan-out {n}: endpoint front/ time in service = m·H_n"),
            m * harmonic(n),
            0.03,
        );
        // P(max ≤ x) = (1 − e^{−x/m})^n = 0.99.
        let x = -m * (1.0 - 0.99f64.powf(1.0 / n as f64)).ln();
        Estimate::of(&runs, p99).assert_matches_with_bias(
            &format!("fan-out {n}, wait all: p99"),
            x,
            0.05,
            SKETCH,
        );
    }
}

#[test]
fn fan_out_waiting_for_any_or_k_is_an_order_statistic() {
    let m = 0.010;
    let n = 4u32;
    let any = replications(&fan_out(n, "any"), 1..=R);
    Estimate::of(&any, mean).assert_matches("fan-out 4, wait any: mean = m/n", m / n as f64, 0.03);
    // The k-th smallest of n exponentials: m · Σ_{i<k} 1/(n − i).
    let k = 2u32;
    let two = replications(&fan_out(n, &k.to_string()), 1..=R);
    let theory = m * (0..k).map(|i| 1.0 / (n - i) as f64).sum::<f64>();
    Estimate::of(&two, mean).assert_matches("fan-out 4, wait 2: mean", theory, 0.03);
}

/// c permits around an exponential hold, Poisson arrivals: M/M/c. The pool's wait is Wq
/// (Erlang C over cμ − λ), the time in system Wq + 1/μ.
#[test]
fn a_pool_of_c_permits_is_an_mmc_queue() {
    for (c, lambda) in [(4u32, 300.0), (4, 360.0), (8, 700.0)] {
        let mu = 100.0;
        let yaml = format!(
            "version: 1\nname: pool\nseed: {{seed}}\nduration: 1010s\nwarmup: 10s\n\
             workload:\n  - to: app\n    rate: {lambda}/s\n\
             services:\n  app:\n    pools:\n      db: {{ size: {c} }}\n    endpoints:\n      /:\n\
             \x20       - with: db\n          steps: [ {{ io: {{ dist: exponential, mean: 10ms }} }} ]\n"
        );
        let runs = replications(&yaml, 1..=R);
        let theory = mmc(lambda, mu, c);
        let precision: f64 = if theory.rho >= 0.85 { 0.05 } else { 0.03 };
        let pool = |r: &Report| {
            r.services
                .get("app")
                .unwrap()
                .pools
                .get("db")
                .unwrap()
                .clone()
        };
        Estimate::of(&runs, |r| pool(r).wait_s.mean.unwrap()).assert_matches(
            &format!("M/M/{c} at ρ = {:.2}: pool wait Wq", theory.rho),
            theory.wq,
            precision.max(0.04),
        );
        Estimate::of(&runs, mean).assert_matches(
            &format!("M/M/{c} at ρ = {:.2}: time in system", theory.rho),
            theory.w,
            precision,
        );
        Estimate::of(&runs, |r| pool(r).utilization.unwrap()).assert_matches(
            &format!("M/M/{c}: utilisation ρ"),
            theory.rho,
            0.03,
        );
    }
}

/// Two classes through one permit with `queue: priority`: non-preemptive priority M/M/1
/// (Cobham). With W0 = Σ λ_i E[S_i²]/2 and σ_k the load of classes at least as urgent as k,
/// the wait of class k is W0 / ((1 − σ_{k−1})(1 − σ_k)).
#[test]
fn two_priorities_through_one_permit_follow_cobham() {
    let (l_hi, l_lo, mu) = (30.0, 40.0, 100.0);
    let yaml = format!(
        "version: 1\nname: priorities\nseed: {{seed}}\nduration: 1010s\nwarmup: 10s\n\
         workload:\n  - name: paid\n    to: app\n    rate: {l_hi}/s\n    priority: 1\n\
         \x20 - name: free\n    to: app\n    rate: {l_lo}/s\n\
         services:\n  app:\n    pools:\n      one: {{ size: 1, queue: priority }}\n    endpoints:\n      /:\n\
         \x20       - with: one\n          steps: [ {{ io: {{ dist: exponential, mean: 10ms }} }} ]\n"
    );
    let runs = replications(&yaml, 1..=R);
    let w0 = (l_hi + l_lo) * (2.0 / (mu * mu)) / 2.0;
    let (s1, s2) = (l_hi / mu, (l_hi + l_lo) / mu);
    let wq_hi = w0 / (1.0 - s1);
    let wq_lo = w0 / ((1.0 - s1) * (1.0 - s2));
    let class = |name: &'static str| {
        move |r: &Report| r.workloads.get(name).unwrap().latency_s.mean.unwrap()
    };
    Estimate::of(&runs, class("paid")).assert_matches(
        "priority 1 (paid): Wq + 1/μ",
        wq_hi + 1.0 / mu,
        0.03,
    );
    Estimate::of(&runs, class("free")).assert_matches(
        "priority 0 (free): Wq + 1/μ",
        wq_lo + 1.0 / mu,
        0.04,
    );
}

/// A `branch` picks one arm by weight: with nothing queueing, the mean latency is the weighted
/// mean of the arms'.
#[test]
fn branch_weights_give_the_weighted_mean() {
    let yaml = "version: 1\nname: cache\nseed: {seed}\nduration: 510s\nwarmup: 10s\n\
         workload:\n  - to: app\n    rate: 100/s\n\
         services:\n  app:\n    endpoints:\n      /:\n\
         \x20       - branch:\n            - { weight: 0.9, steps: [ { io: 1ms } ] }\n\
         \x20           - { weight: 0.1, steps: [ { io: { dist: exponential, mean: 50ms } } ] }\n";
    let runs = replications(yaml, 1..=R);
    Estimate::of(&runs, mean).assert_matches(
        "branch 90% 1 ms / 10% 50 ms: mean",
        0.9 * 0.001 + 0.1 * 0.050,
        0.03,
    );
}

/// `wait: all` fails the step when a branch fails (unless `on_error: ignore`); the losers of
/// `wait: any` are cancelled and give their permits back: nothing leaks when nothing is in
/// flight.
#[test]
fn parallel_failures_and_cancellation_leave_nothing_behind() {
    let base = |wait: &str, on_error: &str| {
        format!(
            "version: 1\nname: p\nseed: 3\nduration: 60s\n\
             workload:\n  - to: front\n    rate: [ {{at: 0s, rate: 100/s}}, {{at: 20s, rate: 0/s}} ]\n\
             services:\n  front:\n    pools:\n      slots: {{ size: 2 }}\n    endpoints:\n      /:\n\
             \x20       - parallel:\n            - call: back\n            - [ {{ with: slots, steps: [ {{ io: 5ms }} ] }}, {{ cpu: 1ms }} ]\n\
             \x20         wait: {wait}\n{on_error}\
             \x20 back:\n    endpoints:\n      /:\n        - io: {{ dist: exponential, mean: 3ms }}\n\
             faults:\n  - {{ at: 5s, for: 5s, kind: errors, target: back, rate: 50% }}\n"
        )
    };
    let all = loopsim_tests::run_yaml(&base("all", ""));
    assert!(
        all.errors.get("error").copied().unwrap_or(0) > 100,
        "{:?}",
        all.errors
    );
    let ignore = loopsim_tests::run_yaml(&base("all", "          on_error: ignore\n"));
    assert_eq!(ignore.requests.failed, 0, "{:?}", ignore.errors);
    let any = loopsim_tests::run_yaml(&base("any", ""));
    assert_eq!(any.requests.failed, 0, "{:?}", any.errors);
    // Nothing is in flight at the end: every permit is back and no one waits.
    for wait in ["all", "any"] {
        let (r, series) = loopsim_tests::run_yaml_full(&base(wait, ""));
        assert_eq!(r.requests.in_flight, 0);
        assert!(r.stopped.is_none());
        for col in ["pool.front.slots.in_use", "pool.front.slots.waiting"] {
            let last = *series.column_by_name(col).unwrap().last().unwrap();
            assert_eq!(last, 0.0, "wait {wait}: {col} at the end");
        }
    }
}

/// Hedging after d on an exponential(m) backend with nothing queueing: the latency is
/// min(X₁, d + X₂), whose mean is m(1 − e^{−d/m}) + e^{−d/m}·m/2 and whose tail beyond d
/// falls at twice the rate: p99 = d/2 + (m/2)·ln 100 (when e^{−d/m} > 1%).
#[test]
fn a_hedged_call_takes_the_faster_copy() {
    let (m, d) = (0.010f64, 0.020f64);
    let yaml = "version: 1\nname: hedge\nseed: {seed}\nduration: 410s\nwarmup: 10s\n\
         workload:\n  - to: front\n    rate: 50/s\n\
         services:\n  front:\n    endpoints:\n      /:\n\
         \x20       - call: back\n          hedge: { after: 20ms, max: 1 }\n\
         \x20 back:\n    replicas: 2\n    endpoints:\n      /:\n        - io: { dist: exponential, mean: 10ms }\n";
    let runs = replications(yaml, 1..=R);
    let tail = (-d / m).exp();
    Estimate::of(&runs, mean).assert_matches(
        "hedge after 20 ms on exponential(10 ms): mean",
        m * (1.0 - tail) + tail * m / 2.0,
        0.03,
    );
    Estimate::of(&runs, p99).assert_matches_with_bias(
        "hedge after 20 ms on exponential(10 ms): p99",
        d / 2.0 + m / 2.0 * 100f64.ln(),
        0.05,
        SKETCH,
    );
    // A copy goes out for e^{−2} ≈ 13.5% of the calls; it wins half of those races.
    let site = |r: &Report| r.call_sites.get("front/ → back/").unwrap().clone();
    Estimate::of(&runs, |r| site(r).hedges as f64 / site(r).ok as f64).assert_matches(
        "hedges sent per call = e^{−d/m}",
        tail,
        0.03,
    );
    Estimate::of(&runs, |r| site(r).hedges_won as f64 / site(r).hedges as f64).assert_matches(
        "share of hedges that win = 1/2",
        0.5,
        0.03,
    );
}

/// A failed call with a fallback runs the fallback instead of failing the request: with 30%
/// errors (refused at once) and a 2 ms fallback, nothing fails and the mean latency is
/// 0.7 · 10 ms + 0.3 · 2 ms.
#[test]
fn a_fallback_saves_the_request_when_the_call_fails() {
    let yaml = "version: 1\nname: fallback\nseed: {seed}\nduration: 210s\nwarmup: 10s\n\
         workload:\n  - to: front\n    rate: 100/s\n\
         services:\n  front:\n    endpoints:\n      /:\n\
         \x20       - call: back\n          fallback: [ { io: 2ms } ]\n\
         \x20 back:\n    endpoints:\n      /:\n        - io: { dist: exponential, mean: 10ms }\n\
         faults:\n  - { at: 0s, kind: errors, target: back, rate: 30% }\n";
    let runs = replications(yaml, 1..=R);
    for r in &runs {
        assert_eq!(r.requests.failed, 0, "{:?}", r.errors);
    }
    let site = |r: &Report| r.call_sites.get("front/ → back/").unwrap().clone();
    Estimate::of(&runs, |r| {
        site(r).fallbacks as f64 / (site(r).ok + site(r).failed) as f64
    })
    .assert_matches("fallbacks per call = error rate", 0.3, 0.03);
    Estimate::of(&runs, mean).assert_matches(
        "mean latency with a fallback",
        0.7 * 0.010 + 0.3 * 0.002,
        0.03,
    );
}

/// c event loops on c cores behave as c independent servers: with 4 workers, 4 cores and a
/// random accept rule, each loop is an M/M/1 queue at λ/4 (the cores never make a loop wait).
#[test]
fn c_loops_on_c_cores_are_c_independent_servers() {
    let yaml = "version: 1\nname: cores\nseed: {seed}\nduration: 610s\nwarmup: 10s\n\
         workload:\n  - to: api\n    rate: 300/s\n\
         services:\n  api:\n    workers: 4\n    cores: 4\n    accept: random\n    endpoints:\n\
         \x20     /:\n        - cpu: { dist: exponential, mean: 10ms }\n";
    let runs = replications(yaml, 1..=R);
    let theory = loopsim_tests::mm1(75.0, 100.0);
    Estimate::of(&runs, mean).assert_matches("4 loops on 4 cores: M/M/1 at λ/4", theory.w, 0.03);
}

/// A FastAPI `def` endpoint: 40 threads doing 10 ms of pure-Python work each. With the GIL
/// they compute one at a time: the worker saturates at one core's rate, 100 requests/s,
/// whatever the threads; without it, 150/s go through. Two worker processes have two GILs
/// (round-robin accept: with `idle_first` every request would land on the first worker, whose
/// loop is always idle here).
#[test]
fn the_gil_makes_forty_threads_compute_at_one_cores_rate() {
    let run = |gil: bool, workers: u32| {
        loopsim_tests::run_yaml(&format!(
            "version: 1\nname: gil\nseed: 4\nduration: 60s\nmax_in_flight: 100000\n\
             workload:\n  - to: api\n    rate: 150/s\n\
             services:\n  api:\n    workers: {workers}\n    accept: round_robin\n    threads: 40\n    gil: {gil}\n    endpoints:\n\
             \x20     /:\n        - offload: {{ cpu: 10ms }}\n"
        ))
    };
    // Over 60 s at 100/s: 6,000 completions ± one in service (a deterministic server, busy
    // from the first second: no warm-up, so the backlog is counted too).
    let one = run(true, 1).throughput_rps;
    assert!((95.0..=101.0).contains(&one), "one GIL: {one} req/s");
    let free = run(false, 1).throughput_rps;
    assert!((140.0..=160.0).contains(&free), "no GIL: {free} req/s");
    let two = run(true, 2).throughput_rps;
    assert!((140.0..=160.0).contains(&two), "two processes: {two} req/s");
}

/// An ingress admission queue with priority shedding: a bulkhead of 2 around a 10 ms call
/// (room for 200/s) takes 60/s of paid (priority 1) and 160/s of free traffic, `max_queue: 50`.
/// A full queue sheds the lowest priority first, whatever the order of service: no paid
/// request is shed, the free ones absorb the overload. The order decides the wait: with
/// `queue: priority` paid requests jump the line (p99 well under 100 ms); with `queue: fifo`
/// they wait behind a full queue (median ~ 50 waiters × 5 ms ≈ 225 ms). Margins far beyond
/// the noise.
#[test]
fn an_admission_queue_sheds_the_lowest_priority_first() {
    let run = |queue: &str| {
        loopsim_tests::run_yaml(&format!(
            "version: 1\nname: admission\nseed: 8\nduration: 120s\nwarmup: 10s\n\
             workload:\n  - {{ name: paid, to: api, rate: 60/s, priority: 1 }}\n\
             \x20 - {{ name: free, to: api, rate: 160/s }}\n\
             services:\n  api:\n    ingress: {{ bulkhead: 2, queue: {queue}, max_queue: 50 }}\n\
             \x20   endpoints:\n      /: [ {{ io: {{ dist: exponential, mean: 10ms }} }} ]\n"
        ))
    };
    let shed = |r: &Report, w: &str| {
        let q = &r.workloads.get(w).unwrap().requests;
        q.failed as f64 / q.sent as f64
    };
    let latency = |r: &Report, w: &str| r.workloads.get(w).unwrap().latency_s.clone();
    let prio = run("priority");
    let fifo = run("fifo");
    for r in [&prio, &fifo] {
        assert_eq!(shed(r, "paid"), 0.0, "{:?}", r.errors);
        assert!(shed(r, "free") > 0.1);
        assert_eq!(r.errors.get("rejected_concurrency"), Some(&0));
        let q = &r.requests;
        assert_eq!(q.sent, q.completed + q.failed + q.in_flight);
    }
    let paid_p99 = latency(&prio, "paid").p99.unwrap();
    assert!(paid_p99 < 0.1, "priority: paid p99 {paid_p99}");
    let paid_p50 = latency(&fifo, "paid").p50.unwrap();
    assert!(paid_p50 > 0.15, "fifo: paid p50 {paid_p50}");
}

/// Two endpoints take two one-permit pools in opposite orders: sooner or later each holds the
/// permit the other waits for, and without a `timeout` no one ever goes on. The report says
/// so (`deadlock` and a finding); the same endpoints taking the pools in one order never
/// deadlock.
#[test]
fn pools_taken_in_opposite_orders_deadlock_and_the_report_says_so() {
    let run = |second: (&str, &str)| {
        loopsim_tests::run_yaml(&format!(
            "version: 1\nname: deadlock\nseed: 2\nduration: 20s\n\
             workload:\n  - to: api\n    rate: 40/s\n    mix: {{ /ab: 1, /other: 1 }}\n\
             services:\n  api:\n    pools:\n      a: {{ size: 1 }}\n      b: {{ size: 1 }}\n\
             \x20   endpoints:\n\
             \x20     /ab:\n        - with: a\n          steps:\n            - io: 5ms\n\
             \x20           - with: b\n              steps: [ {{ io: 5ms }} ]\n\
             \x20     /other:\n        - with: {}\n          steps:\n            - io: 5ms\n\
             \x20           - with: {}\n              steps: [ {{ io: 5ms }} ]\n",
            second.0, second.1
        ))
    };
    let crossed = run(("b", "a"));
    let d = crossed.deadlock.as_ref().expect("a deadlock");
    assert_eq!(d.pools, ["api/a", "api/b"]);
    assert!(d.requests >= 2, "{d:?}");
    assert!(crossed
        .health
        .findings
        .iter()
        .any(|f| f.text.starts_with("Deadlock: pools api/a, api/b")));
    let ordered = run(("a", "b"));
    assert_eq!(ordered.deadlock, None);
    assert!(ordered.requests.completed > 700);
}
