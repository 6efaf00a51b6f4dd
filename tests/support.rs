//! Shared helpers for the cross-crate tests.
//!
//! - Running a scenario written in YAML: [`scenario`], [`run_yaml`], [`run_yaml_full`].
//! - Independent replications and their confidence interval: [`replicate`], [`replications`],
//!   [`Estimate`].
//! - Exact results of queueing theory to validate against (see
//!   `/work/shared/reference/queueing-theory.md`): [`mm1`], [`erlang_c`], [`mmc`], [`pk_wq`],
//!   [`md1_wq`], [`repairman`].
//! - [`finite::non_finite_paths`]: every NaN or infinite number in a report, by path.
//! - [`Gen`]: a deterministic generator for random scenarios.
//!
//! Everything here is deterministic: a scenario and a seed fully determine a run, so a test
//! built on these helpers gives the same numbers on every machine and every run.

#[path = "finite.rs"]
pub mod finite;

use loopsim_core::diag::{LineIndex, Rendered};
use loopsim_core::series::Series;
use loopsim_core::{check, Report, Scenario, Simulation};

/// SplitMix64: a tiny deterministic generator for building random scenarios in tests.
pub struct Gen(pub u64);

impl Gen {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n ≥ 1; the modulo bias is irrelevant for picking scenario values).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn coin(&mut self) -> bool {
        self.below(2) == 0
    }

    pub fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// Adds an ingress admission `queue` (any discipline) to `parts`, half the time, when they
/// hold a concurrency limit for it to queue behind (the random-scenario generators).
pub fn admission_queue(g: &mut Gen, parts: &mut Vec<String>) {
    let limited = parts
        .iter()
        .any(|p| p.starts_with("bulkhead") || p.starts_with("concurrency"));
    if limited && g.coin() {
        parts.push(format!(
            "queue: {}",
            g.pick(&["fifo", "lifo", "priority", "codel", "adaptive_lifo"])
        ));
    }
}

// ----- running scenarios ----------------------------------------------------------------------

/// Validates `yaml`; panics with every diagnostic rendered (`file:line:col: …`) if the
/// scenario is invalid.
pub fn scenario(yaml: &str) -> Scenario {
    let checked = check(yaml);
    match checked.scenario {
        Some(sc) => sc,
        None => {
            let index = LineIndex::new(yaml);
            let rendered: Vec<String> = checked
                .diagnostics
                .iter()
                .map(|d| {
                    Rendered {
                        file: "<test>",
                        index: &index,
                        diagnostic: d,
                    }
                    .to_string()
                })
                .collect();
            panic!(
                "invalid test scenario:\n{}\n--- scenario ---\n{yaml}",
                rendered.join("\n")
            );
        }
    }
}

/// Runs `yaml` to the end and returns its report (panics with the rendered diagnostics if the
/// scenario is invalid).
pub fn run_yaml(yaml: &str) -> Report {
    run_yaml_full(yaml).0
}

/// Runs `yaml` to the end and returns its report and its time series.
pub fn run_yaml_full(yaml: &str) -> (Report, Series) {
    let mut sim = Simulation::new(scenario(yaml));
    sim.run();
    (sim.report(), sim.series().clone())
}

/// `template` with every `{seed}` replaced by `seed`.
pub fn with_seed(template: &str, seed: u64) -> String {
    assert!(
        template.contains("{seed}"),
        "the scenario template has no `{{seed}}` placeholder"
    );
    template.replace("{seed}", &seed.to_string())
}

/// Runs one replication of `template` per seed (the template's `{seed}` placeholder is
/// replaced by the seed) and returns the reports, in seed order. Panics if a run was cut short
/// by the engine's overload valve: a validation run must cover its whole duration.
pub fn replications(template: &str, seeds: impl IntoIterator<Item = u64>) -> Vec<Report> {
    seeds
        .into_iter()
        .map(|seed| {
            let report = run_yaml(&with_seed(template, seed));
            if let Some(why) = &report.stopped {
                panic!(
                    "replication {:?} seed {seed} stopped early: {}",
                    report.scenario, why.message
                );
            }
            report
        })
        .collect()
}

/// Independent replications of `template` (see [`replications`]), reduced to one
/// [`Estimate`] of the quantity `f` extracts from each report.
pub fn replicate(
    template: &str,
    seeds: impl IntoIterator<Item = u64>,
    f: impl Fn(&Report) -> f64,
) -> Estimate {
    Estimate::of(&replications(template, seeds), f)
}

// ----- confidence intervals ----------------------------------------------------------------------

/// The mean of `n` independent replication estimates and the half-width of its two-sided
/// 99.9% confidence interval from Student's t distribution with `n − 1` degrees of freedom.
///
/// Each replication is a long run whose estimate is itself an average of many (correlated)
/// observations, so replication estimates are close to normal and strictly independent
/// (different seeds give independent random streams); the t interval is then exact enough.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub half_width_999: f64,
    pub n: usize,
    /// The replication estimates themselves (for failure messages).
    pub values: Vec<f64>,
}

impl Estimate {
    /// The estimate over `values` (at least 3, all finite).
    pub fn from_values(values: Vec<f64>) -> Estimate {
        let n = values.len();
        assert!(
            n >= 3,
            "a confidence interval needs at least 3 replications, got {n}"
        );
        assert!(
            values.iter().all(|v| v.is_finite()),
            "non-finite replication value: {values:?}"
        );
        let mean = values.iter().sum::<f64>() / n as f64;
        let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
        let half_width_999 = t_999(n - 1) * (var / n as f64).sqrt();
        Estimate {
            mean,
            half_width_999,
            n,
            values,
        }
    }

    /// The estimate of `f` over `reports` (one report per replication).
    pub fn of(reports: &[Report], f: impl Fn(&Report) -> f64) -> Estimate {
        Estimate::from_values(reports.iter().map(f).collect())
    }

    pub fn low(&self) -> f64 {
        self.mean - self.half_width_999
    }

    pub fn high(&self) -> f64 {
        self.mean + self.half_width_999
    }

    /// Asserts that the analytic value `theory` lies inside the 99.9% confidence interval and
    /// that the interval is narrow: half-width ≤ `max_rel_half_width` × `theory`. The second
    /// condition is what makes the first meaningful: a wide enough interval contains anything.
    pub fn assert_matches(&self, what: &str, theory: f64, max_rel_half_width: f64) {
        self.assert_matches_with_bias(what, theory, max_rel_half_width, 0.0);
    }

    /// Like [`Estimate::assert_matches`], but the interval is first widened on each side by
    /// `known_bias_rel` × `theory`: the bound of a documented deterministic measurement error
    /// that replications cannot average out (the quantile sketch's bucket resolution).
    pub fn assert_matches_with_bias(
        &self,
        what: &str,
        theory: f64,
        max_rel_half_width: f64,
        known_bias_rel: f64,
    ) {
        let rel_hw = self.half_width_999 / theory.abs();
        let slack = known_bias_rel * theory.abs();
        let detail = format!(
            "{what}: theory {theory:.6}, simulated {:.6} ± {:.6} (99.9% CI [{:.6}, {:.6}], \
             relative half-width {:.2}%, rel. error {:+.2}%, n = {}); replications: {:?}",
            self.mean,
            self.half_width_999,
            self.low(),
            self.high(),
            100.0 * rel_hw,
            100.0 * (self.mean / theory - 1.0),
            self.n,
            self.values,
        );
        assert!(
            rel_hw <= max_rel_half_width,
            "confidence interval too wide to test anything (limit {:.1}%): {detail}",
            100.0 * max_rel_half_width
        );
        assert!(
            self.low() - slack <= theory && theory <= self.high() + slack,
            "theory outside the 99.9% confidence interval{}: {detail}",
            if slack > 0.0 {
                format!(
                    " (widened by the known bias bound {:.2}%)",
                    100.0 * known_bias_rel
                )
            } else {
                String::new()
            }
        );
        eprintln!("ok  {detail}");
    }
}

/// The 0.9995 quantile of Student's t distribution with `df` degrees of freedom (two-sided
/// 99.9% interval), for 2 ≤ df ≤ 30. Values from the standard table, checked against a
/// numerical integration of the density in this file's unit tests.
pub fn t_999(df: usize) -> f64 {
    const T: [f64; 29] = [
        31.599, 12.924, 8.610, 6.869, 5.959, 5.408, 5.041, 4.781, 4.587, 4.437, 4.318, 4.221,
        4.140, 4.073, 4.015, 3.965, 3.922, 3.883, 3.850, 3.819, 3.792, 3.768, 3.745, 3.725, 3.707,
        3.690, 3.674, 3.659, 3.646,
    ];
    assert!(
        (2..=30).contains(&df),
        "t quantile tabulated for 2..=30 degrees of freedom, not {df}"
    );
    T[df - 2]
}

// ----- queueing theory ----------------------------------------------------------------------------

/// Exact M/M/1 (FIFO) results.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mm1 {
    /// Utilisation ρ = λ/μ.
    pub rho: f64,
    /// Mean time in system W = 1/(μ − λ).
    pub w: f64,
    /// Mean wait in queue Wq = ρ/(μ − λ).
    pub wq: f64,
    /// Mean number in system L = ρ/(1 − ρ).
    pub l: f64,
    /// 99th percentile of the time in system: ln(100)/(μ − λ) (it is exponential, rate μ − λ).
    pub p99: f64,
}

/// M/M/1 with arrival rate `lambda` and service rate `mu` (both per second, λ < μ).
pub fn mm1(lambda: f64, mu: f64) -> Mm1 {
    assert!(
        0.0 < lambda && lambda < mu,
        "M/M/1 needs 0 < λ < μ (λ = {lambda}, μ = {mu})"
    );
    let rho = lambda / mu;
    Mm1 {
        rho,
        w: 1.0 / (mu - lambda),
        wq: rho / (mu - lambda),
        l: rho / (1.0 - rho),
        p99: 100f64.ln() / (mu - lambda),
    }
}

/// Erlang C: the probability that an arrival to an M/M/c queue waits, with `c` servers and
/// offered load `a` = λ/μ (a < c).
///
/// P_wait = [a^c / (c! (1 − ρ))] / [Σ_{k<c} a^k/k! + a^c / (c! (1 − ρ))], ρ = a/c. Computed
/// through the Erlang B recursion B₀ = 1, B_k = a·B_{k−1} / (k + a·B_{k−1}) and
/// C = B_c / (1 − ρ (1 − B_c)), which is algebraically the same and never overflows.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    assert!(
        c >= 1 && a > 0.0 && a < c as f64,
        "Erlang C needs 0 < a < c (a = {a}, c = {c})"
    );
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (k as f64 + a * b);
    }
    let rho = a / c as f64;
    b / (1.0 - rho * (1.0 - b))
}

/// Exact M/M/c (FIFO) results.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mmc {
    /// Per-server utilisation ρ = λ/(cμ).
    pub rho: f64,
    /// Probability of waiting (Erlang C).
    pub p_wait: f64,
    /// Mean wait in queue over all arrivals (zero waits included): P_wait/(cμ − λ).
    pub wq: f64,
    /// Mean time in system Wq + 1/μ.
    pub w: f64,
    /// 99th percentile of the wait in queue, from P(Wq > t) = P_wait·e^{−(cμ−λ)t}; `None` when
    /// P_wait ≤ 1% (the percentile is then 0).
    pub wq_p99: Option<f64>,
}

/// M/M/c with arrival rate `lambda`, service rate `mu` per server and `c` servers.
pub fn mmc(lambda: f64, mu: f64, c: u32) -> Mmc {
    let p_wait = erlang_c(c, lambda / mu);
    let drain = c as f64 * mu - lambda;
    let wq = p_wait / drain;
    Mmc {
        rho: lambda / (c as f64 * mu),
        p_wait,
        wq,
        w: wq + 1.0 / mu,
        wq_p99: (p_wait > 0.01).then(|| (p_wait / 0.01).ln() / drain),
    }
}

/// Pollaczek–Khinchine: the mean wait in queue of an M/G/1 FIFO queue with arrival rate
/// `lambda` and service time S with mean `es` and second moment `es2`:
/// Wq = λ E[S²] / (2 (1 − ρ)), ρ = λ E[S].
pub fn pk_wq(lambda: f64, es: f64, es2: f64) -> f64 {
    let rho = lambda * es;
    assert!(rho > 0.0 && rho < 1.0, "P-K needs 0 < ρ < 1 (ρ = {rho})");
    lambda * es2 / (2.0 * (1.0 - rho))
}

/// Second moment of a lognormal given by its real mean `m` and standard deviation `s`:
/// E[S²] = Var + mean² = s² + m².
pub fn lognormal_es2(m: f64, s: f64) -> f64 {
    s * s + m * m
}

/// M/D/1 mean wait in queue with arrival rate `lambda` and constant service time `d`:
/// Wq = ρ / (2μ(1 − ρ)) with μ = 1/d (P-K with E[S²] = d²).
pub fn md1_wq(lambda: f64, d: f64) -> f64 {
    let rho = lambda * d;
    assert!(rho > 0.0 && rho < 1.0, "M/D/1 needs 0 < ρ < 1 (ρ = {rho})");
    rho * d / (2.0 * (1.0 - rho))
}

/// Exact results of the closed interactive system ("machine repairman", M/M/1//N).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Repairman {
    /// Probability that the server is idle.
    pub p0: f64,
    /// Throughput X = μ (1 − P0).
    pub x: f64,
    /// Mean response time R = N/X − Z (interactive response time law).
    pub r: f64,
}

/// `n` users alternate an exponential think time of mean `z` seconds and one request to a
/// single exponential FIFO server of rate `mu`. With r = μZ:
/// P0 = 1 / Σ_{k=0}^{N} N!/(N−k)! · r^{−k}. The terms are built by the ratio
/// t_k = t_{k−1} (N − k + 1)/r, so no factorial is ever formed.
pub fn repairman(n: u32, mu: f64, z: f64) -> Repairman {
    assert!(
        n >= 1 && mu > 0.0 && z > 0.0,
        "repairman needs N ≥ 1, μ > 0, Z > 0"
    );
    let r = mu * z;
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 1..=n {
        term *= (n - k + 1) as f64 / r;
        sum += term;
    }
    let p0 = 1.0 / sum;
    let x = mu * (1.0 - p0);
    Repairman {
        p0,
        x,
        r: n as f64 / x - z,
    }
}

/// The path of a gallery scenario by file name, in whichever section directory of
/// `scenarios/` holds it (names are unique across sections).
pub fn gallery_path(file: &str) -> std::path::PathBuf {
    gallery_files()
        .into_iter()
        .find(|p| p.file_name().is_some_and(|n| n == file))
        .unwrap_or_else(|| panic!("no gallery scenario named {file}"))
}

/// Every gallery scenario file (`scenarios/<section>/*.yaml`), sorted by file name.
pub fn gallery_files() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(root)
        .expect("scenarios/")
        .filter_map(|d| d.ok().map(|d| d.path()))
        .filter(|d| d.is_dir())
        .flat_map(|d| {
            std::fs::read_dir(d)
                .expect("a section")
                .filter_map(|f| f.ok().map(|f| f.path()))
        })
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    files
}

/// Every point of `yaml`'s sweep run `replications` times, with the seeds the CLI gives them
/// (`replication::seed(point's seed, r)`): the sweep and its runs' figures, `[point][run]`.
pub fn sweep_runs(
    yaml: &str,
    replications: u32,
) -> (
    loopsim_core::sweep::Sweep,
    Vec<Vec<loopsim_core::sweep::RunFigures>>,
) {
    let sweep = scenario(yaml).sweep.expect("a sweep");
    let runs = (0..sweep.points())
        .map(|k| {
            let sc = sweep.scenario_at(yaml, k).expect("a valid point");
            (0..replications)
                .map(|r| {
                    let mut one = sc.clone();
                    one.seed = loopsim_core::replication::seed(sc.seed, r);
                    let mut sim = Simulation::new(one);
                    sim.run();
                    loopsim_core::sweep::RunFigures::of(&sim.report())
                })
                .collect()
        })
        .collect();
    (sweep, runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs()
    }

    #[test]
    fn mm1_hand_values() {
        // λ = 80, μ = 100: W = 1/20 = 50 ms, Wq = 0.8/20 = 40 ms, L = 4, p99 = ln 100 / 20.
        let m = mm1(80.0, 100.0);
        assert!(close(m.rho, 0.8, 1e-12));
        assert!(close(m.w, 0.05, 1e-12));
        assert!(close(m.wq, 0.04, 1e-12));
        assert!(close(m.l, 4.0, 1e-12));
        assert!(close(m.p99, 0.230_258_509_299_404_6, 1e-12));
        // Little's law ties them together: L = λW.
        assert!(close(m.l, 80.0 * m.w, 1e-12));
    }

    #[test]
    fn erlang_c_hand_values() {
        // One server: P_wait = ρ.
        assert!(close(erlang_c(1, 0.7), 0.7, 1e-12));
        // c = 2, a = 1: Σ = 1 + 1 = 2, a²/(2!(1 − ½)) = 1, C = 1/3.
        assert!(close(erlang_c(2, 1.0), 1.0 / 3.0, 1e-12));
        // c = 4, a = 2: Σ = 1 + 2 + 2 + 4/3 = 19/3, 16/(24 · ½) = 4/3, C = 4/23.
        assert!(close(erlang_c(4, 2.0), 4.0 / 23.0, 1e-12));
        // c = 4, a = 3.6 (ρ = 0.9), by the textbook formula directly.
        let a: f64 = 3.6;
        let tail = a.powi(4) / (24.0 * 0.1);
        let direct = tail / (1.0 + a + a * a / 2.0 + a.powi(3) / 6.0 + tail);
        assert!(close(erlang_c(4, 3.6), direct, 1e-12));
    }

    #[test]
    fn mmc_reduces_to_mm1_for_one_server() {
        let (c1, m1) = (mmc(60.0, 100.0, 1), mm1(60.0, 100.0));
        assert!(close(c1.wq, m1.wq, 1e-12));
        assert!(close(c1.w, m1.w, 1e-12));
        // c = 4, λ = 200, μ = 100: Wq = (4/23)/(400 − 200) s, W = Wq + 10 ms.
        let m = mmc(200.0, 100.0, 4);
        assert!(close(m.wq, 4.0 / 23.0 / 200.0, 1e-12));
        assert!(close(m.w, 4.0 / 23.0 / 200.0 + 0.01, 1e-12));
        assert!(close(
            m.wq_p99.unwrap(),
            (400.0f64 / 23.0).ln() / 200.0,
            1e-12
        ));
    }

    #[test]
    fn pollaczek_khinchine_hand_values() {
        // Exponential service (E[S²] = 2/μ²) gives back M/M/1: λ = 50, μ = 100: Wq = 10 ms.
        assert!(close(
            pk_wq(50.0, 0.01, 2.0 * 0.01 * 0.01),
            mm1(50.0, 100.0).wq,
            1e-12
        ));
        // M/D/1 is half of M/M/1's wait: λ = 50, D = 10 ms: Wq = 0.5/(2 · 100 · 0.5) = 5 ms.
        assert!(close(md1_wq(50.0, 0.01), 0.005, 1e-12));
        assert!(close(pk_wq(50.0, 0.01, 0.01 * 0.01), 0.005, 1e-12));
        // Lognormal mean 10 ms, sd 20 ms: E[S²] = 5e-4; λ = 30: Wq = 30·5e-4/(2·0.7).
        assert!(close(lognormal_es2(0.01, 0.02), 5e-4, 1e-12));
        assert!(close(pk_wq(30.0, 0.01, 5e-4), 0.015 / 1.4, 1e-12));
    }

    #[test]
    fn repairman_hand_values() {
        // One user: X = 1/(Z + 1/μ), R = 1/μ.
        let one = repairman(1, 100.0, 0.5);
        assert!(close(one.x, 1.0 / 0.51, 1e-12));
        assert!(close(one.r, 0.01, 1e-9));
        // N = 2, μ = 1, Z = 1 (r = 1): Σ = 1 + 2 + 2 = 5, P0 = 1/5, X = 0.8, R = 2/0.8 − 1 = 1.5.
        let two = repairman(2, 1.0, 1.0);
        assert!(close(two.p0, 0.2, 1e-12));
        assert!(close(two.x, 0.8, 1e-12));
        assert!(close(two.r, 1.5, 1e-12));
    }

    #[test]
    fn repairman_agrees_with_exact_mean_value_analysis() {
        // Exact MVA for one exponential FIFO station plus a delay (think) station:
        // R(n) = (1 + Q(n−1))/μ, X(n) = n/(R(n) + Z), Q(n) = X(n) R(n).
        let (mu, z) = (100.0, 0.5);
        let mut q = 0.0;
        for n in 1..=120u32 {
            let r = (1.0 + q) / mu;
            let x = n as f64 / (r + z);
            q = x * r;
            let rm = repairman(n, mu, z);
            assert!(close(rm.x, x, 1e-9), "N = {n}: X {} vs MVA {x}", rm.x);
            assert!(close(rm.r, r, 1e-9), "N = {n}: R {} vs MVA {r}", rm.r);
        }
    }

    /// Γ(d/2) for a positive integer d, exactly from Γ(1) = 1, Γ(½) = √π, Γ(x + 1) = xΓ(x).
    fn gamma_half(d: usize) -> f64 {
        let (mut x, mut g) = if d % 2 == 1 {
            (0.5, std::f64::consts::PI.sqrt())
        } else {
            (1.0, 1.0)
        };
        while x < d as f64 / 2.0 {
            g *= x;
            x += 1.0;
        }
        g
    }

    #[test]
    fn t_table_matches_the_t_distribution() {
        for df in 2..=30usize {
            let d = df as f64;
            let norm = gamma_half(df + 1) / ((d * std::f64::consts::PI).sqrt() * gamma_half(df));
            let pdf = |x: f64| norm * (1.0 + x * x / d).powf(-(d + 1.0) / 2.0);
            // Simpson's rule for P(0 < T < t).
            let t = t_999(df);
            let steps = 20_000;
            let h = t / steps as f64;
            let mut s = pdf(0.0) + pdf(t);
            for i in 1..steps {
                s += if i % 2 == 1 { 4.0 } else { 2.0 } * pdf(i as f64 * h);
            }
            let cdf = 0.5 + s * h / 3.0;
            // The table has 4–5 significant digits: a rounding of ±0.0005 in t moves the CDF by
            // far less than 1e-5.
            assert!((cdf - 0.9995).abs() < 1e-5, "df = {df}: P(T < {t}) = {cdf}");
        }
    }

    #[test]
    fn estimate_of_known_values() {
        // Values 1..=5: mean 3, sample variance 2.5, half-width t(4)·√(2.5/5).
        let e = Estimate::from_values(vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(e.mean, 3.0);
        assert!(close(e.half_width_999, 8.610 * 0.5f64.sqrt(), 1e-12));
        e.assert_matches("known", 3.0, 2.1);
    }

    #[test]
    #[should_panic(expected = "theory outside")]
    fn estimate_rejects_a_value_outside_the_interval() {
        Estimate::from_values(vec![1.00, 1.01, 0.99, 1.00]).assert_matches("x", 1.2, 0.5);
    }

    #[test]
    #[should_panic(expected = "too wide")]
    fn estimate_rejects_a_wide_interval() {
        Estimate::from_values(vec![0.5, 1.5, 1.0, 1.0]).assert_matches("x", 1.0, 0.03);
    }
}
