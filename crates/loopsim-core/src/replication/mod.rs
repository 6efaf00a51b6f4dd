//! Independent replications and how sure their mean is.
//!
//! A scenario run `n` times with independent random streams gives `n` independent estimates of
//! each figure; their mean ± the half-width of a Student t interval with `n − 1` degrees of
//! freedom says how sure it is (Law, *Simulation Modeling and Analysis*, §9.4.1: the fixed-
//! sample-size procedure). The replications' seeds are derived from the scenario's seed, so the
//! same scenario and seed give the same set of replications on every host and however they are
//! spread over threads.
//!
//! The t quantile is computed, not tabulated: the regularised incomplete beta function by its
//! continued fraction (Lentz's method; Numerical Recipes §6.4) gives the t CDF, which a
//! safeguarded Newton iteration inverts. All in `libm`, so the same on every platform.

mod leaves;
mod summary;

pub use leaves::{leaves, numbers};
pub use summary::{Summary, CONFIDENCE};

/// The seed of replication `index` (from 0) of a run seeded with `seed`: replication 0 uses the
/// scenario's own seed, so one replication is the plain run; the others are SplitMix64 outputs,
/// whose streams are as independent as unrelated seeds.
pub fn seed(seed: u64, index: u32) -> u64 {
    if index == 0 {
        return seed;
    }
    let mut z = seed ^ u64::from(index).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A mean with its two-sided confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub mean: f64,
    /// Half the interval's width: the mean is `mean ± half_width` at `confidence`.
    pub half_width: f64,
    /// The replications it is made of.
    pub n: usize,
    pub confidence: f64,
}

impl Interval {
    /// The Student t interval of the mean of `values` at `confidence` (e.g. 0.95). `None` for
    /// fewer than two values or any value that is not finite (a figure absent from a
    /// replication has no interval).
    pub fn of(values: &[f64], confidence: f64) -> Option<Interval> {
        let n = values.len();
        if n < 2 || values.iter().any(|v| !v.is_finite()) || !(0.0..1.0).contains(&confidence) {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
        let t = t_quantile(0.5 + confidence / 2.0, (n - 1) as f64);
        Some(Interval {
            mean,
            half_width: t * libm::sqrt(var / n as f64),
            n,
            confidence,
        })
    }

    pub fn contains(&self, x: f64) -> bool {
        (self.mean - self.half_width..=self.mean + self.half_width).contains(&x)
    }
}

/// The `p` quantile of Student's t distribution with `df` degrees of freedom (`df` > 0,
/// 0 < p < 1).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -t_quantile(1.0 - p, df);
    }
    // Bracket [0, hi] with CDF(hi) ≥ p, then Newton steps kept inside the bracket.
    let mut lo = 0.0;
    let mut hi = 1.0;
    while t_cdf(hi, df) < p {
        lo = hi;
        hi *= 2.0;
        if hi > 1e12 {
            return hi;
        }
    }
    let mut x = 0.5 * (lo + hi);
    for _ in 0..200 {
        let f = t_cdf(x, df) - p;
        if f.abs() < 1e-15 {
            break;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let newton = x - f / t_pdf(x, df);
        x = if newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if hi - lo < 1e-14 * hi.max(1.0) {
            break;
        }
    }
    x
}

fn t_pdf(x: f64, df: f64) -> f64 {
    let ln = libm::lgamma((df + 1.0) / 2.0)
        - libm::lgamma(df / 2.0)
        - 0.5 * libm::log(df * core::f64::consts::PI)
        - (df + 1.0) / 2.0 * libm::log1p(x * x / df);
    libm::exp(ln)
}

/// P(T ≤ x) for Student's t with `df` degrees of freedom.
pub fn t_cdf(x: f64, df: f64) -> f64 {
    let tail = 0.5 * incomplete_beta(df / (df + x * x), df / 2.0, 0.5);
    if x >= 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// The regularised incomplete beta function I_x(a, b).
fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b)
        + a * libm::log(x)
        + b * libm::log1p(-x);
    let front = libm::exp(ln_front);
    // The continued fraction converges fast for x < (a + 1)/(a + b + 2); use the symmetry
    // I_x(a, b) = 1 − I_{1−x}(b, a) otherwise.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(x, a, b) / a
    } else {
        1.0 - front * beta_fraction(1.0 - x, b, a) / b
    }
}

/// The continued fraction of the incomplete beta function, by the modified Lentz method.
fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut lentz = Lentz {
        c: 1.0,
        d: 1.0 / away_from_zero(1.0 - qab * x / qap),
    };
    let mut h = lentz.d;
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        h *= lentz.step(m * (b - m) * x / ((qam + m2) * (a + m2)));
        let del = lentz.step(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)));
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// The state of the modified Lentz method (Numerical Recipes §5.2).
struct Lentz {
    c: f64,
    d: f64,
}

impl Lentz {
    /// Takes in the next partial numerator; returns the factor the fraction's value changes by.
    fn step(&mut self, aa: f64) -> f64 {
        self.d = 1.0 / away_from_zero(1.0 + aa * self.d);
        self.c = away_from_zero(1.0 + aa / self.c);
        self.d * self.c
    }
}

/// `x`, or a tiny number in place of one too close to zero to divide by.
fn away_from_zero(x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    if x.abs() < TINY {
        TINY
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two-sided 95% (0.975) and 99.9% (0.9995) critical values from the standard tables.
    #[test]
    fn t_quantiles_match_the_tables() {
        let table = [
            (1.0, 12.706, 636.62),
            (2.0, 4.303, 31.599),
            (4.0, 2.776, 8.610),
            (9.0, 2.262, 4.781),
            (19.0, 2.093, 3.883),
            (29.0, 2.045, 3.659),
            (60.0, 2.000, 3.460),
            (120.0, 1.980, 3.373),
        ];
        for (df, t95, t999) in table {
            let a = t_quantile(0.975, df);
            let b = t_quantile(0.9995, df);
            assert!((a - t95).abs() < 5e-4 * t95, "df {df}: {a} vs {t95}");
            assert!((b - t999).abs() < 5e-4 * t999, "df {df}: {b} vs {t999}");
        }
        // Large df: the normal quantile 1.959964.
        assert!((t_quantile(0.975, 1e7) - 1.959964).abs() < 1e-5);
        assert!((t_quantile(0.025, 9.0) + 2.262157).abs() < 1e-5);
        assert_eq!(t_quantile(0.5, 3.0), 0.0);
    }

    #[test]
    fn the_cdf_is_exact_where_it_has_a_closed_form() {
        // df = 1 is Cauchy: F(x) = 1/2 + atan(x)/π; df = 2: F(x) = 1/2 + x/(2√(2 + x²)).
        for x in [-3.0, -0.5, 0.0, 0.7, 2.5, 40.0] {
            let cauchy = 0.5 + libm::atan(x) / core::f64::consts::PI;
            assert!((t_cdf(x, 1.0) - cauchy).abs() < 1e-12, "{x}");
            let two = 0.5 + x / (2.0 * libm::sqrt(2.0 + x * x));
            assert!((t_cdf(x, 2.0) - two).abs() < 1e-12, "{x}");
        }
    }

    #[test]
    fn intervals_of_known_samples() {
        // Mean 3, sample sd √2.5, n = 5: half-width t(0.975, 4) × √(2.5/5) = 2.776445 × 0.707107.
        let i = Interval::of(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95).unwrap();
        assert_eq!(i.mean, 3.0);
        assert!((i.half_width - 2.776_445 * libm::sqrt(0.5)).abs() < 1e-5);
        assert!(i.contains(4.9) && !i.contains(5.0));
        assert_eq!(Interval::of(&[1.0], 0.95), None);
        assert_eq!(Interval::of(&[1.0, f64::NAN], 0.95), None);
        // Identical values: a zero-width interval.
        assert_eq!(
            Interval::of(&[2.0, 2.0, 2.0], 0.95).unwrap().half_width,
            0.0
        );
    }

    #[test]
    fn replication_seeds_are_fixed_distinct_and_start_with_the_scenarios() {
        assert_eq!(seed(42, 0), 42);
        let seeds: alloc::vec::Vec<u64> = (0..1000).map(|i| seed(42, i)).collect();
        let mut sorted = seeds.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 1000);
        // Pinned: a change here changes every replicated report.
        assert_eq!(seed(1, 1), 16_490_336_266_968_443_936);
        assert_ne!(seed(1, 1), seed(2, 1));
    }

    #[derive(serde::Serialize)]
    struct Figures {
        name: alloc::string::String,
        p99: Option<f64>,
        absent: Option<f64>,
        count: u64,
        by_name: crate::report::Named<u32>,
        list: alloc::vec::Vec<f64>,
        flag: bool,
    }

    fn figures(p99: f64, count: u64) -> Figures {
        Figures {
            name: "api".into(),
            p99: Some(p99),
            absent: None,
            count,
            by_name: crate::report::Named(alloc::vec![("a.b".into(), 3), ("c".into(), 4)]),
            list: alloc::vec![1.5, f64::NAN],
            flag: true,
        }
    }

    #[test]
    fn leaves_name_every_finite_number_by_its_path() {
        let got = leaves(&figures(0.25, 7));
        let want: alloc::vec::Vec<(alloc::string::String, f64)> = [
            ("p99", 0.25),
            ("count", 7.0),
            ("by_name.a.b", 3.0),
            ("by_name.c", 4.0),
            ("list.0", 1.5),
        ]
        .iter()
        .map(|(p, v)| ((*p).into(), *v))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_summary_has_intervals_only_for_figures_every_replication_has() {
        let mut sets: alloc::vec::Vec<_> = [(0.2, 5), (0.3, 7), (0.4, 9)]
            .iter()
            .map(|&(p, c)| leaves(&figures(p, c)))
            .collect();
        sets[1].retain(|(path, _)| path != "list.0");
        let s = Summary::from_leaves(&sets);
        assert_eq!(s.n(), 3);
        let p99 = s.get("p99").unwrap();
        assert!((p99.mean - 0.3).abs() < 1e-12);
        // sd 0.1, t(0.975, 2) = 4.302653: half-width 4.302653 × 0.1 / √3.
        assert!((p99.half_width - 4.302_653 * 0.1 / libm::sqrt(3.0)).abs() < 1e-6);
        assert_eq!(s.get("count").unwrap().mean, 7.0);
        assert!(s.get("list.0").is_none(), "missing from one replication");
        assert_eq!(s.get("by_name.c").unwrap().half_width, 0.0);
    }
}
