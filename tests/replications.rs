//! Coverage of the replication intervals (`loopsim_core::replication`): over many small sets of
//! independent replications, the analytic mean lies inside the 95% Student t interval in a
//! fraction of sets consistent with 95% (a binomial test).
//!
//! Each replication is an M/M/1 or M/D/1 run long enough (and warmed up enough) that its mean
//! sojourn is close to normal and unbiased, which is what the t interval assumes. With `SETS`
//! = 200 sets the number that cover is Binomial(200, 0.95): mean 190, sd 3.08; accepting
//! 180..=199 rejects a true 95% coverage with probability < 0.002, and catches intervals that
//! are too narrow (a 90% interval covers 180 ± 4.2 times, rejected about half the time; an 80%
//! one always).

use loopsim_core::replication::{self, Interval};
use loopsim_tests::{run_yaml, with_seed};

const SETS: u32 = 200;
const PER_SET: u32 = 5;

/// One loop at arrival rate `lambda`, service `service` (a `cpu` step), measured after a
/// warm-up of 20 s (hundreds of relaxation times at these loads).
fn template(lambda: f64, service: &str, duration_s: u32) -> String {
    format!(
        "version: 1\nname: coverage\nseed: {{seed}}\nduration: {duration_s}s\nwarmup: 20s\n\
         workload:\n  - to: api\n    arrivals: poisson\n    rate: {lambda}/s\n\
         services:\n  api:\n    endpoints:\n      /:\n        - cpu: {service}\n"
    )
}

/// How many of `SETS` sets of `PER_SET` replications have `theory` inside their 95% interval
/// of the mean latency.
fn covered(template: &str, theory: f64) -> u32 {
    let mut covered = 0;
    for set in 0..SETS {
        let base = 1_000 + u64::from(set);
        let means: Vec<f64> = (0..PER_SET)
            .map(|i| {
                let r = run_yaml(&with_seed(template, replication::seed(base, i)));
                r.latency_s.mean.expect("a mean")
            })
            .collect();
        let interval = Interval::of(&means, 0.95).expect("an interval");
        covered += u32::from(interval.contains(theory));
    }
    covered
}

fn assert_coverage(name: &str, covered: u32) {
    eprintln!("{name}: {covered} of {SETS} intervals cover");
    assert!(
        (180..=199).contains(&covered),
        "{name}: {covered} of {SETS} 95% intervals contain the analytic mean"
    );
}

/// M/M/1 at ρ = 0.5: W = 1/(μ − λ) = 1/(100 − 50) = 20 ms; ~7,000 requests a replication.
#[test]
fn mm1_intervals_cover_the_mean_95_percent_of_the_time() {
    let yaml = template(50.0, "{ dist: exponential, mean: 10ms }", 160);
    assert_coverage("M/M/1 ρ = 0.5", covered(&yaml, 0.020));
}

/// M/D/1 at ρ = 0.5: W = D + ρD/(2(1 − ρ)) = 10 + 5 = 15 ms (Pollaczek–Khinchine).
#[test]
fn md1_intervals_cover_the_mean_95_percent_of_the_time() {
    let yaml = template(50.0, "10ms", 160);
    assert_coverage("M/D/1 ρ = 0.5", covered(&yaml, 0.015));
}
