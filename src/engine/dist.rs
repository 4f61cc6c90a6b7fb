//! Service-time and delay distributions, in hours.

use rand::RngExt;
use rand_distr::{Distribution, Exp, LogNormal};

use super::rng::SimRng;

/// A validated distribution of a non-negative duration.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// Exponential with the given mean.
    Exponential { mean: f64, sampler: Exp<f64> },
    /// Log-normal with the given mean and coefficient of variation.
    LogNormal { mean: f64, cv: f64, sampler: LogNormal<f64> },
    /// Always the same value.
    Fixed { value: f64 },
}

impl Dist {
    /// Exponential with `mean > 0` (callers validate).
    pub fn exponential(mean: f64) -> Dist {
        Dist::Exponential { mean, sampler: Exp::new(1.0 / mean).expect("validated mean > 0") }
    }

    /// Log-normal with `mean > 0`, `cv > 0` (callers validate).
    pub fn lognormal(mean: f64, cv: f64) -> Dist {
        Dist::LogNormal { mean, cv, sampler: LogNormal::from_mean_cv(mean, cv).expect("validated mean, cv > 0") }
    }

    /// A constant `value >= 0`.
    pub fn fixed(value: f64) -> Dist {
        Dist::Fixed { value }
    }

    /// The mean.
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Exponential { mean, .. } | Dist::LogNormal { mean, .. } => *mean,
            Dist::Fixed { value } => *value,
        }
    }

    /// The squared coefficient of variation (1 for exponential, 0 for fixed).
    pub fn scv(&self) -> f64 {
        match self {
            Dist::Exponential { .. } => 1.0,
            Dist::LogNormal { cv, .. } => cv * cv,
            Dist::Fixed { .. } => 0.0,
        }
    }

    /// One draw. Fixed draws consume no randomness.
    pub fn sample(&self, rng: &mut SimRng) -> f64 {
        match self {
            Dist::Exponential { sampler, .. } => sampler.sample(rng),
            Dist::LogNormal { sampler, .. } => sampler.sample(rng),
            Dist::Fixed { value } => *value,
        }
    }

    /// A copy scaled by `k > 0` (same shape).
    pub fn scaled(&self, k: f64) -> Dist {
        match self {
            Dist::Exponential { mean, .. } => Dist::exponential(mean * k),
            Dist::LogNormal { mean, cv, .. } => Dist::lognormal(mean * k, *cv),
            Dist::Fixed { value } => Dist::fixed(value * k),
        }
    }

    /// Short human description, e.g. `exponential(mean 0.25 h)`.
    pub fn describe(&self) -> String {
        match self {
            Dist::Exponential { mean, .. } => format!("exponential(mean {mean} h)"),
            Dist::LogNormal { mean, cv, .. } => format!("lognormal(mean {mean} h, cv {cv})"),
            Dist::Fixed { value } => format!("fixed({value} h)"),
        }
    }
}

/// Exponential inter-arrival gap for a Poisson process of `rate` per hour.
pub fn exp_gap(rng: &mut SimRng, rate: f64) -> f64 {
    // 1 - U lies in (0, 1], so the log is finite.
    let u: f64 = rng.random();
    -(1.0 - u).ln() / rate
}

/// A Bernoulli draw that consumes exactly one number whatever `p` is (keeps streams aligned).
pub fn chance(rng: &mut SimRng, p: f64) -> bool {
    let u: f64 = rng.random();
    u < p
}

/// One uniform draw in [0, 1).
pub fn uniform(rng: &mut SimRng) -> f64 {
    rng.random()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Streams;

    #[test]
    fn sample_means_match() {
        let mut rng = Streams::new(3, 0).stream("t");
        for d in [Dist::exponential(2.0), Dist::lognormal(2.0, 2.0), Dist::fixed(2.0)] {
            let n = 400_000;
            let m: f64 = (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64;
            // Standard error is at most 2*2/sqrt(4e5) ~ 0.0063; 0.05 is ~8 standard errors.
            assert!((m - 2.0).abs() < 0.05, "{d:?}: {m}");
        }
    }
}
