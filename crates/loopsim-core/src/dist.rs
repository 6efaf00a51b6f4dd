//! Duration distributions. Parameters are stored in seconds, precomputed for sampling; samples
//! are converted once to integer nanoseconds. All math goes through `libm` so that results are
//! bit-identical on every target.

use alloc::vec::Vec;

use crate::rng::Rng;
use crate::time::{from_secs_f64, Nanos};

/// A distribution of durations (seconds), ready to sample.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    Constant(f64),
    Exponential {
        mean: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    /// Normal truncated at 0 (negative draws are redrawn). Requires `mean > 0`.
    Normal {
        mean: f64,
        sd: f64,
    },
    /// Lognormal given by its real mean and standard deviation; `mu`/`sigma` are the derived
    /// log-space parameters: σ² = ln(1 + sd²/mean²), μ = ln(mean) − σ²/2.
    LogNormal {
        mean: f64,
        sd: f64,
        mu: f64,
        sigma: f64,
    },
    /// Pareto (type I) with minimum `scale` and tail index `shape`.
    Pareto {
        scale: f64,
        shape: f64,
    },
    /// Uniform choice among observed values.
    Empirical(Vec<f64>),
}

impl Dist {
    pub fn lognormal(mean: f64, sd: f64) -> Dist {
        let s2 = libm::log(1.0 + (sd * sd) / (mean * mean));
        Dist::LogNormal {
            mean,
            sd,
            mu: libm::log(mean) - s2 / 2.0,
            sigma: libm::sqrt(s2),
        }
    }

    pub fn zero() -> Dist {
        Dist::Constant(0.0)
    }

    pub fn is_zero(&self) -> bool {
        matches!(self, Dist::Constant(c) if *c == 0.0)
    }

    /// Draws one value in seconds.
    pub fn sample_secs(&self, rng: &mut Rng) -> f64 {
        match self {
            Dist::Constant(c) => *c,
            Dist::Exponential { mean } => -mean * libm::log(rng.f64_open0()),
            Dist::Uniform { min, max } => min + (max - min) * rng.f64(),
            Dist::Normal { mean, sd } => {
                // Rejection keeps the shape of the truncated normal; with mean > 0 each draw
                // is accepted with probability > 1/2, so 64 tries fail with odds < 2^-64.
                for _ in 0..64 {
                    let x = mean + sd * standard_normal(rng);
                    if x >= 0.0 {
                        return x;
                    }
                }
                0.0
            }
            Dist::LogNormal { mu, sigma, .. } => libm::exp(mu + sigma * standard_normal(rng)),
            Dist::Pareto { scale, shape } => scale / libm::pow(rng.f64_open0(), 1.0 / shape),
            Dist::Empirical(values) => values[rng.below(values.len() as u32) as usize],
        }
    }

    /// Draws one duration in nanoseconds.
    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> Nanos {
        match self {
            Dist::Constant(c) => from_secs_f64(*c),
            _ => from_secs_f64(self.sample_secs(rng)),
        }
    }

    /// The mean in seconds (infinite for a Pareto with shape ≤ 1). For a truncated normal this
    /// is the mean of the truncated distribution.
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Constant(c) => *c,
            Dist::Exponential { mean } => *mean,
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Normal { mean, sd } => {
                if *sd == 0.0 {
                    return *mean;
                }
                let a = -mean / sd;
                let pdf = libm::exp(-a * a / 2.0) / libm::sqrt(2.0 * core::f64::consts::PI);
                let tail = 0.5 * libm::erfc(a / core::f64::consts::SQRT_2);
                mean + sd * pdf / tail
            }
            Dist::LogNormal { mean, .. } => *mean,
            Dist::Pareto { scale, shape } => {
                if *shape <= 1.0 {
                    f64::INFINITY
                } else {
                    shape * scale / (shape - 1.0)
                }
            }
            Dist::Empirical(v) => v.iter().sum::<f64>() / v.len() as f64,
        }
    }
}

/// Standard normal by the Box–Muller transform (one of the pair; simple and exact).
#[inline]
pub(crate) fn standard_normal(rng: &mut Rng) -> f64 {
    let u1 = rng.f64_open0();
    let u2 = rng.f64();
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * core::f64::consts::PI * u2)
}

/// A Poisson(`mean`) count: by inversion (multiplying uniforms) below a mean of 10, else by
/// Hörmann's transformed rejection with squeeze (PTRS, "The transformed rejection method for
/// generating Poisson random variables", 1993), exact for every mean.
pub(crate) fn poisson(rng: &mut Rng, mean: f64) -> f64 {
    if mean <= 0.0 {
        return 0.0;
    }
    if mean < 10.0 {
        let limit = libm::exp(-mean);
        let (mut k, mut prod) = (0.0, rng.f64());
        while prod > limit {
            k += 1.0;
            prod *= rng.f64();
        }
        return k;
    }
    let slam = libm::sqrt(mean);
    let loglam = libm::log(mean);
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let u = rng.f64() - 0.5;
        let v = rng.f64();
        let us = 0.5 - libm::fabs(u);
        let k = libm::floor((2.0 * a / us + b) * u + mean + 0.43);
        if us >= 0.07 && v <= vr {
            return k;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        let lhs = libm::log(v) + libm::log(inv_alpha) - libm::log(a / (us * us) + b);
        if lhs <= -mean + k * loglam - libm::lgamma(k + 1.0) {
            return k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(d: &Dist, n: usize) -> (f64, f64) {
        let mut r = Rng::new(11);
        let xs: Vec<f64> = (0..n).map(|_| d.sample_secs(&mut r)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
        (m, libm::sqrt(v))
    }

    /// Poisson(μ) has mean and variance μ. Over n = 200k draws the sample mean has a standard
    /// error of √(μ/n) (≤ 0.015 here) and the sample variance ≈ μ·√(2/n) (relative 0.3%):
    /// 2% and 3% bounds are many standard errors wide, for both the inversion (μ < 10) and
    /// the PTRS (μ ≥ 10) paths.
    #[test]
    fn poisson_counts_have_mean_and_variance_mu() {
        for mu in [0.5, 3.0, 9.9, 10.0, 50.0, 1000.0] {
            let mut r = Rng::new(5);
            let n = 200_000;
            let xs: Vec<f64> = (0..n).map(|_| poisson(&mut r, mu)).collect();
            assert!(xs.iter().all(|&x| x >= 0.0 && libm::floor(x) == x));
            let m = xs.iter().sum::<f64>() / n as f64;
            let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
            assert!((m - mu).abs() < 0.02 * mu + 0.01, "mu {mu}: mean {m}");
            assert!((v - mu).abs() < 0.03 * mu + 0.01, "mu {mu}: variance {v}");
        }
    }

    #[test]
    fn lognormal_uses_real_mean_and_sd() {
        // n = 400k: sd of the sample mean = 1/sqrt(400k) = 0.0016 (relative to sd=1 of mean 3).
        let (m, sd) = moments(&Dist::lognormal(3.0, 1.0), 400_000);
        assert!((m - 3.0).abs() < 0.01, "mean {m}");
        assert!((sd - 1.0).abs() < 0.02, "sd {sd}");
    }

    #[test]
    fn exponential_mean_and_sd() {
        let (m, sd) = moments(&Dist::Exponential { mean: 0.01 }, 400_000);
        assert!((m / 0.01 - 1.0).abs() < 0.01, "mean {m}");
        assert!((sd / 0.01 - 1.0).abs() < 0.015, "sd {sd}");
    }

    #[test]
    fn truncated_normal_never_negative_and_mean_matches_formula() {
        let d = Dist::Normal {
            mean: 0.001,
            sd: 0.002,
        };
        let mut r = Rng::new(5);
        assert!((0..10_000).all(|_| d.sample_secs(&mut r) >= 0.0));
        let (m, _) = moments(&d, 400_000);
        assert!((m / d.mean() - 1.0).abs() < 0.01, "{m} vs {}", d.mean());
    }

    #[test]
    fn pareto_mean() {
        let d = Dist::Pareto {
            scale: 1.0,
            shape: 3.0,
        };
        let (m, _) = moments(&d, 400_000);
        assert!((m - 1.5).abs() < 0.01, "{m}");
    }
}
