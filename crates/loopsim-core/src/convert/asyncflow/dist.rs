//! AsyncFlow 0.1.1's random variables as native distributions, meaning what its sampler
//! draws (numpy): `exponential(mean)`; `normal(mean, variance)` with `variance` used as the
//! standard deviation and negative draws clamped to 0; `lognormal(mean, variance)` with both
//! taken as the parameters of the logarithm (μ, σ); `uniform` ignoring the mean (U(0, 1) s);
//! `poisson(mean)`, a whole number of seconds.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::model::{Distribution, RandomVariable};

/// A native distribution text and, when the meaning differs or is surprising, why (for a
/// warning).
pub struct Mapped {
    pub text: String,
    pub note: Option<String>,
}

/// A duration in seconds as a native literal: milliseconds when that is exact, else seconds.
pub fn secs(x: f64) -> String {
    if x == 0.0 {
        return "0s".into();
    }
    if x >= 1.0 {
        return format!("{x}s");
    }
    let ms = format!("{}", x * 1000.0);
    match ms.parse::<f64>() {
        Ok(v) if v / 1000.0 == x && ms.len() <= 9 => format!("{ms}ms"),
        _ => format!("{x}s"),
    }
}

/// A duration for a message: milliseconds with 3 decimals.
fn ms(x: f64) -> String {
    format!("{:.3} ms", x * 1000.0)
}

/// Standard normal density and distribution function (Abramowitz & Stegun 7.1.26 via erf is
/// not needed: libm has `erfc`).
fn phi(z: f64) -> f64 {
    libm::exp(-z * z / 2.0) / libm::sqrt(2.0 * core::f64::consts::PI)
}

fn big_phi(z: f64) -> f64 {
    0.5 * libm::erfc(-z / core::f64::consts::SQRT_2)
}

/// E[max(0, X)] for X ~ N(m, s²): the mean of AsyncFlow's clamped normal.
fn clamped_normal_mean(m: f64, s: f64) -> f64 {
    if s == 0.0 {
        return m.max(0.0);
    }
    m * big_phi(m / s) + s * phi(m / s)
}

pub fn duration(rv: &RandomVariable) -> Mapped {
    let m = rv.mean;
    match rv.distribution {
        Distribution::Exponential => Mapped {
            text: format!("{{ dist: exponential, mean: {} }}", secs(m)),
            note: None,
        },
        Distribution::Normal => {
            let sd = rv.variance.unwrap_or(m);
            if sd == 0.0 {
                return Mapped {
                    text: secs(m),
                    note: None,
                };
            }
            let below = big_phi(-m / sd);
            let note = (below > 0.001).then(|| {
                format!(
                    "normal with `variance` {sd} used as the standard deviation (as AsyncFlow 0.1.1 does): {:.1}% of its draws are negative, which AsyncFlow clamps to 0 (mean {}) and loopsim redraws (mean above {})",
                    below * 100.0,
                    ms(clamped_normal_mean(m, sd)),
                    ms(m)
                )
            });
            Mapped {
                text: format!("{{ dist: normal, mean: {}, sd: {} }}", secs(m), secs(sd)),
                note,
            }
        }
        Distribution::LogNormal => {
            let sigma = rv.variance.unwrap_or(m);
            let mean = libm::exp(m + sigma * sigma / 2.0);
            let sd = mean * libm::sqrt(libm::expm1(sigma * sigma));
            let note = Some(format!(
                "log_normal takes `mean` {m} and `variance` {sigma} as μ and σ of the logarithm (as AsyncFlow 0.1.1 does): the real mean is {} and the standard deviation {}",
                ms(mean),
                ms(sd)
            ));
            let text = if sigma == 0.0 {
                secs(mean)
            } else {
                format!(
                    "{{ dist: lognormal, mean: {}, sd: {} }}",
                    secs(mean),
                    secs(sd)
                )
            };
            Mapped { text, note }
        }
        Distribution::Uniform => Mapped {
            text: "{ dist: uniform, min: 0s, max: 1s }".into(),
            note: Some(format!(
                "uniform ignores `mean` {m} in AsyncFlow 0.1.1: it draws U(0, 1) seconds"
            )),
        },
        Distribution::Poisson => poisson(m),
    }
}

/// Poisson(mean) seconds: whole seconds, as 1000 equally likely values (the quantiles at
/// (i + ½)/1000), exact to 0.1% of probability.
fn poisson(mean: f64) -> Mapped {
    let note = Some(format!(
        "poisson (the default distribution) draws a whole number of seconds with mean {mean}: written as 1000 equally likely values (its quantiles)"
    ));
    let mut values: Vec<u64> = Vec::new();
    let (mut k, mut p, mut cdf) = (0u64, libm::exp(-mean), libm::exp(-mean));
    for i in 0..1000 {
        let q = (i as f64 + 0.5) / 1000.0;
        while cdf < q && k < 1_000_000 {
            k += 1;
            p *= mean / k as f64;
            cdf += p;
        }
        values.push(k);
    }
    if values.iter().all(|&v| v == values[0]) {
        return Mapped {
            text: secs(values[0] as f64),
            note,
        };
    }
    let list: Vec<String> = values.iter().map(|&v| secs(v as f64)).collect();
    Mapped {
        text: format!("{{ dist: empirical, values: [{}] }}", list.join(", ")),
        note,
    }
}
