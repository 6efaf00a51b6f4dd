//! Sweeps (`sweep:`): the points are the scenario with the values written in, the bad sweeps
//! are refused where they are written, and the knee of an M/M/1 rate sweep sits where queueing
//! theory puts it. The CLI side (shards, merge, thread counts) is in
//! `crates/loopsim-cli/tests/cli.rs`.

use loopsim_core::diag::{Diagnostic, LineIndex};
use loopsim_core::replication;
use loopsim_core::sweep::{Capacity, KneeRule, RunFigures, Sweep};
use loopsim_core::{check, Report, Simulation};
use loopsim_tests::{run_yaml, scenario};

const MM1: &str = "version: 1
name: M/M/1 rate sweep
seed: 11
duration: 200s
warmup: 10s
workload:
  - { to: api, rate: 50/s }
services:
  api:
    endpoints:
      /: [ { cpu: { dist: exponential, mean: 10ms } } ]
sweep:
  workload[0].rate: 10/s..90/s by 20/s
";

fn sweep_of(yaml: &str) -> Sweep {
    scenario(yaml).sweep.expect("a sweep")
}

fn run(sc: loopsim_core::Scenario) -> Report {
    let mut sim = Simulation::new(sc);
    sim.run();
    sim.report()
}

/// The first error of `yaml`, as `line:col: message (hint)`.
fn error(yaml: &str) -> String {
    let checked = check(yaml);
    let d: &Diagnostic = checked
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .unwrap_or_else(|| panic!("no error in\n{yaml}"));
    let at = LineIndex::new(yaml).line_col(d.span.start);
    format!(
        "{}:{}: {} ({})",
        at.line,
        at.column,
        d.message,
        d.hint.as_deref().unwrap_or("")
    )
}

#[test]
fn a_sweep_point_is_the_single_run_with_the_value_written_in() {
    let sweep = sweep_of(MM1);
    assert_eq!(sweep.points(), 5);
    let labels: Vec<&str> = sweep.axes[0]
        .values
        .iter()
        .map(|v| v.label.as_str())
        .collect();
    assert_eq!(labels, ["10/s", "30/s", "50/s", "70/s", "90/s"]);
    let k = 3;
    let by_hand = MM1
        .replace("rate: 50/s", "rate: 70/s")
        .replace("sweep:\n  workload[0].rate: 10/s..90/s by 20/s\n", "");
    let point = run(sweep.scenario_at(MM1, k).expect("valid"));
    assert_eq!(point, run_yaml(&by_hand));
    // Another seed, the same way: replication r of a point is the plain run with that seed.
    let mut sc = sweep.scenario_at(MM1, k).unwrap();
    sc.seed = replication::seed(sc.seed, 2);
    let mut plain = scenario(&by_hand);
    plain.seed = replication::seed(plain.seed, 2);
    assert_eq!(run(sc), run(plain));
}

#[test]
fn two_parameters_make_one_curve_per_value_of_the_second() {
    let yaml = MM1.replace(
        "sweep:\n",
        "sweep:\n  services.api.endpoints./[0].cpu.mean: [\"10ms\", 5ms]\n",
    );
    // The first entry is the x axis: reorder so the rate comes first.
    let yaml = yaml.replace(
        "  services.api.endpoints./[0].cpu.mean: [\"10ms\", 5ms]\n  workload[0].rate: 10/s..90/s by 20/s\n",
        "  workload[0].rate: 10/s..90/s by 20/s\n  services.api.endpoints./[0].cpu.mean: [\"10ms\", 5ms]\n",
    );
    let sweep = sweep_of(&yaml);
    assert_eq!(sweep.points(), 10);
    assert_eq!(sweep.coords(7), [2, 1]);
    assert_eq!(
        sweep.describe(7),
        "workload[0].rate = 50/s, services.api.endpoints./[0].cpu.mean = 5ms"
    );
    let text = sweep.source_at(&yaml, 7);
    assert!(
        text.contains("rate: 50/s") && text.contains("mean: 5ms }"),
        "{text}"
    );
    // The point's own text has its sweep emptied: it is a plain scenario.
    assert_eq!(scenario(&text).sweep, None);
}

#[test]
fn bad_sweeps_are_refused_where_they_are_written() {
    let with = |sweep: &str| MM1.replace("  workload[0].rate: 10/s..90/s by 20/s\n", sweep);
    let cases = [
        ("  workload[1].rate: [1/s]\n", "13:3: `workload` has 1 item, so `[1]` is past its end"),
        ("  workload[0].rat: [1/s]\n", "13:3: no `rat` under `workload[0]` (did you mean `rate`?)"),
        ("  services.api.replicas: [1, 2]\n", "13:3: no `replicas` under `services.api`"),
        ("  services.api: [1, 2]\n", "13:3: `services.api` is a mapping: a sweep replaces one value"),
        ("  workload[0].rate: 1/s..1000000000/s by 1/s\n", "13:21: this range has 1000000000 values; a sweep runs at most 10000"),
        ("  workload[0].rate: 10/s..90ms by 20/s\n", "13:21: the range's end is in `ms` but its start in `/s`"),
        ("  workload[0].rate: fast\n", "13:21: `fast` is neither a range nor a list"),
        ("  workload[0].rate: [10/s, 20000000/s]\n", "13:28: at the sweep point workload[0].rate = 20000000/s: "),
        (
            "  workload[0].rate: 1/s..100/s by 1/s\n  services.api.endpoints./[0].cpu.mean: 1ms..101ms by 1ms\n",
            "12:1: this sweep has 10100 points; at most 10000 runs",
        ),
        (
            "  workload[0].rate: 1/s..100/s by 1/s\nreplications: 101\n",
            "12:1: this sweep asks for 10100 runs (100 points × 101 replications); at most 10000",
        ),
    ];
    for (sweep, want) in cases {
        let got = error(&with(sweep));
        assert!(got.starts_with(want), "{sweep}: got {got}\nwant {want}");
    }
}

/// The knee of an M/M/1 rate sweep against a p99 SLO, where theory puts it.
///
/// μ = 100/s. The response time of M/M/1 is exponential with rate μ − λ, so the share of
/// requests slower than T is e^{−(μ−λ)T}, and `p99 < T` holds while μ − λ ≥ ln(100)/T. With
/// T = 102.337 ms, ln(100)/T = 45.000/s: the SLO holds up to λ* = 55/s. On the grid 10..90
/// by 10 the knee is 50/s (the first miss 60/s). The margins: at 50/s the slow share is
/// e^{−5.117} = 0.60% and at 60/s e^{−4.093} = 1.67%, against the 1% objective. Each point's
/// SLI is the mean of 5 replications of ~1000 s (50 000 to 60 000 requests each); with the
/// response times' autocorrelation (M/M/1 relaxation time 1/(μ(1−√ρ)²) ≈ 0.12 s at 50/s,
/// 0.2 s at 60/s) that is about 8 000 effective samples per run, a standard error of the mean
/// SLI near 0.04% at 50/s and 0.07% at 60/s: both margins exceed 5 standard errors.
#[test]
fn the_knee_of_an_mm1_rate_sweep_is_where_theory_puts_it() {
    let yaml = "version: 1
name: M/M/1 knee
seed: 5
duration: 1000s
warmup: 20s
workload:
  - { to: api, rate: 50/s }
services:
  api:
    endpoints:
      /: [ { cpu: { dist: exponential, mean: 10ms } } ]
slo:
  - { name: fast, latency: p99 < 102.337ms }
sweep:
  workload[0].rate: 10/s..90/s by 10/s
";
    let (sweep, runs) = loopsim_tests::sweep_runs(yaml, 5);
    let cap = Capacity::of(&sweep, &runs, 0.95);
    assert_eq!(cap.rule, KneeRule::Slo);
    let curve = &cap.curves[0];
    assert_eq!(
        curve.knee.value.as_deref(),
        Some("50/s"),
        "{}",
        curve.knee.says
    );
    assert!(
        curve
            .knee
            .says
            .starts_with("knee at workload[0].rate = 50/s"),
        "{}",
        curve.knee.says
    );
    // The p99 curve itself: ln(100)/(μ − λ) at every point up to 70/s (ρ = 0.7), each mean
    // within its 99.9% interval (the 95% half-width × t(0.9995, 4)/t(0.975, 4), so seven
    // points miss together less than 1% of the time) plus the sketch's 0.4% relative error.
    let widen = replication::t_quantile(0.9995, 4.0) / replication::t_quantile(0.975, 4.0);
    for p in curve.points.iter().filter(|p| p.x <= 70.0) {
        let theory = 100f64.ln() / (100.0 - p.x);
        let (mean, hw) = (p.p99_s.mean.unwrap(), p.p99_s.half_width.unwrap());
        assert!(
            (mean - theory).abs() <= widen * hw + 0.004 * theory,
            "{}: p99 {mean} ± {hw} vs {theory}",
            p.label
        );
    }
}

/// A curve being filled in (points without runs yet) has its knee over the points run so far.
#[test]
fn a_curve_being_filled_in_skips_the_points_not_run_yet() {
    let sweep = sweep_of(MM1);
    let figures = |p99: f64| RunFigures {
        p99_s: Some(p99),
        goodput_rps: 1.0,
        throughput_rps: 1.0,
        error_rate: 0.0,
        utilisation: vec![("api".into(), Some(0.5))],
        slos: vec![],
    };
    // Points 0, 2 and 4 done (p99 1, 2 and 9: the last past 5 × the first), 1 and 3 not yet.
    let runs = vec![
        vec![figures(1.0)],
        vec![],
        vec![figures(2.0)],
        vec![],
        vec![figures(9.0)],
    ];
    let cap = Capacity::of(&sweep, &runs, 0.95);
    let curve = &cap.curves[0];
    assert_eq!(cap.rule, KneeRule::P99Factor { factor: 5.0 });
    assert_eq!(curve.points[1].runs, 0);
    assert_eq!(curve.points[1].p99_s.mean, None);
    assert_eq!(curve.knee.index, Some(2));
    assert_eq!(curve.knee.value.as_deref(), Some("50/s"));
    assert!(!curve.knee.beyond);
    assert!(
        curve.knee.says.contains("90/s has p99 9000.0 ms"),
        "{}",
        curve.knee.says
    );
}
