//! Keys drawn by popularity: Zipf's law over `n` keys in O(1) per draw and O(1) memory.
//!
//! Rejection-inversion (W. Hörmann and G. Derflinger, "Rejection-inversion to generate
//! variates from monotone discrete distributions", ACM TOMACS 6(3), 1996), in the form of
//! Apache Commons RNG's `RejectionInversionZipfSampler`: invert the integral of the hat
//! function h(x) = x^−s over [1.5, n + 0.5], round to the nearest key k, accept when the
//! point lies under the bar of k (an area of exactly k^−s). The expected number of rounds is
//! below 1.1 for every exponent and size, and nothing is allocated per key.

use crate::rng::Rng;

/// Draws keys 1..=n with P(k) ∝ k^−s (uniform when s = 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Zipf {
    n: f64,
    count: u64,
    s: f64,
    h_integral_x1: f64,
    h_integral_n: f64,
    s_div: f64,
}

impl Zipf {
    /// `count ≥ 1` keys with exponent `s ≥ 0`.
    pub fn new(count: u64, s: f64) -> Self {
        let n = count.max(1) as f64;
        let mut z = Zipf {
            n,
            count: count.max(1),
            s,
            h_integral_x1: 0.0,
            h_integral_n: 0.0,
            s_div: 0.0,
        };
        if s > 0.0 {
            z.h_integral_x1 = z.h_integral(1.5) - 1.0;
            z.h_integral_n = z.h_integral(n + 0.5);
            z.s_div = 2.0 - z.h_integral_inverse(z.h_integral(2.5) - z.h(2.0));
        }
        z
    }

    /// One key, from 1 (the most popular).
    pub fn sample(&self, rng: &mut Rng) -> u64 {
        if self.s <= 0.0 || self.count == 1 {
            let k = (rng.f64() * self.n) as u64;
            return k.min(self.count - 1) + 1;
        }
        loop {
            let u = self.h_integral_n + rng.f64() * (self.h_integral_x1 - self.h_integral_n);
            let x = self.h_integral_inverse(u);
            let mut k = libm::floor(x + 0.5);
            if k < 1.0 {
                k = 1.0;
            } else if k > self.n {
                k = self.n;
            }
            if k - x <= self.s_div || u >= self.h_integral(k + 0.5) - self.h(k) {
                return k as u64;
            }
        }
    }

    /// H(x) = ∫ h, with h(x) = x^−s: ((x^(1−s)) − 1) / (1 − s), or log x at s = 1.
    fn h_integral(&self, x: f64) -> f64 {
        let log_x = libm::log(x);
        helper2((1.0 - self.s) * log_x) * log_x
    }

    fn h(&self, x: f64) -> f64 {
        libm::exp(-self.s * libm::log(x))
    }

    fn h_integral_inverse(&self, x: f64) -> f64 {
        let mut t = x * (1.0 - self.s);
        if t < -1.0 {
            // Rounding can take t just below −1 near the end of the range.
            t = -1.0;
        }
        libm::exp(helper1(t) * x)
    }
}

/// log(1 + x) / x, accurate near 0.
fn helper1(x: f64) -> f64 {
    if libm::fabs(x) > 1e-8 {
        libm::log1p(x) / x
    } else {
        1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x))
    }
}

/// (exp(x) − 1) / x, accurate near 0.
fn helper2(x: f64) -> f64 {
    if libm::fabs(x) > 1e-8 {
        libm::expm1(x) / x
    } else {
        1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_in_range_and_the_first_is_the_most_popular() {
        let mut rng = Rng::new(3);
        for &(n, s) in &[
            (1u64, 1.0),
            (2, 0.5),
            (10, 1.0),
            (1000, 1.2),
            (1_000_000_000, 0.99),
        ] {
            let z = Zipf::new(n, s);
            let mut ones = 0;
            for _ in 0..2000 {
                let k = z.sample(&mut rng);
                assert!((1..=n).contains(&k), "{k} of {n}");
                ones += u32::from(k == 1);
            }
            assert!(ones > 0);
        }
        let u = Zipf::new(5, 0.0);
        for _ in 0..100 {
            assert!((1..=5).contains(&u.sample(&mut rng)));
        }
    }
}
