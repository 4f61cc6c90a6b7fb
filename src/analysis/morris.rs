//! Morris elementary effects for screening (Morris 1991), with the μ* of Campolongo, Cariboni &
//! Saltelli (2007) and bootstrap intervals over trajectories.
//!
//! Each of r trajectories starts at a random point of a p-level grid on the unit cube and moves
//! one factor at a time, in random order, by Δ = p / (2(p − 1)) (down when up would leave the
//! cube). The elementary effect of factor i is the change in output over the change in x_i,
//! in output units per whole range of the factor. μ* (mean |EE|) ranks importance; σ (sd of EE)
//! flags non-linearity or interaction.

use crate::engine::dist::uniform;
use crate::engine::rng::Streams;

use super::sobol::{Estimate, percentile_interval};

/// Morris trajectories on the unit cube: `r` blocks of k + 1 rows.
pub fn trajectories(r: usize, k: usize, levels: usize, seed: u64) -> Vec<Vec<f64>> {
    assert!(levels >= 2 && k >= 1);
    let mut rng = Streams::new(seed, 0).stream("sensitivity/morris");
    let p = levels as f64;
    let delta = p / (2.0 * (p - 1.0));
    let mut rows = Vec::with_capacity(r * (k + 1));
    for _ in 0..r {
        let mut x: Vec<f64> =
            (0..k).map(|_| ((uniform(&mut rng) * p) as usize).min(levels - 1) as f64 / (p - 1.0)).collect();
        let mut order: Vec<usize> = (0..k).collect();
        for i in (1..k).rev() {
            let j = ((uniform(&mut rng) * (i + 1) as f64) as usize).min(i);
            order.swap(i, j);
        }
        rows.push(x.clone());
        for &i in &order {
            x[i] = if x[i] + delta <= 1.0 + 1e-12 { x[i] + delta } else { x[i] - delta };
            x[i] = (x[i] * 1e12).round() / 1e12;
            rows.push(x.clone());
        }
    }
    rows
}

/// Screening measures of one factor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MorrisFactor {
    /// μ*, mean absolute elementary effect, with a bootstrap interval.
    pub mu_star: Estimate,
    /// μ, mean elementary effect (signed).
    pub mu: f64,
    /// σ, standard deviation of the elementary effects.
    pub sigma: f64,
}

/// Elementary effects per factor from outputs `y` at [`trajectories`] `rows`.
pub fn elementary_effects(rows: &[Vec<f64>], y: &[f64], k: usize) -> Vec<Vec<f64>> {
    let mut ee = vec![Vec::new(); k];
    for (t, block) in rows.chunks(k + 1).enumerate() {
        for s in 0..k {
            let (a, b) = (&block[s], &block[s + 1]);
            let Some(i) = (0..k).find(|&i| a[i] != b[i]) else { continue };
            let (ya, yb) = (y[t * (k + 1) + s], y[t * (k + 1) + s + 1]);
            ee[i].push((yb - ya) / (b[i] - a[i]));
        }
    }
    ee
}

/// μ*, μ and σ of every factor; μ* intervals resample trajectories (`bootstrap` times, stream
/// `sensitivity/morris-bootstrap` of `seed`).
pub fn morris(rows: &[Vec<f64>], y: &[f64], k: usize, bootstrap: usize, seed: u64, level: f64) -> Vec<MorrisFactor> {
    let ee = elementary_effects(rows, y, k);
    let mut rng = Streams::new(seed, 0).stream("sensitivity/morris-bootstrap");
    ee.iter()
        .map(|e| {
            let valid: Vec<f64> = e.iter().copied().filter(|v| !v.is_nan()).collect();
            let n = valid.len();
            let abs_mean = |idx: &mut dyn Iterator<Item = usize>| {
                let (s, c) = idx.fold((0.0, 0usize), |(s, c), i| (s + valid[i].abs(), c + 1));
                if c == 0 { f64::NAN } else { s / c as f64 }
            };
            let mu_star = abs_mean(&mut (0..n));
            let mu = if n == 0 { f64::NAN } else { valid.iter().sum::<f64>() / n as f64 };
            let sigma = if n < 2 {
                f64::NAN
            } else {
                (valid.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
            };
            let mut boots: Vec<f64> = (0..bootstrap)
                .map(|_| {
                    let draws: Vec<usize> =
                        (0..n).map(|_| ((uniform(&mut rng) * n as f64) as usize).min(n.saturating_sub(1))).collect();
                    abs_mean(&mut draws.into_iter())
                })
                .collect();
            let (low, high) = percentile_interval(&mut boots, level);
            MorrisFactor { mu_star: Estimate { value: mu_star, low, high }, mu, sigma }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_model_has_exact_effects() {
        let k = 3;
        let rows = trajectories(20, k, 4, 5);
        assert_eq!(rows.len(), 20 * 4);
        assert!(rows.iter().flatten().all(|x| (0.0..=1.0).contains(x)));
        let y: Vec<f64> = rows.iter().map(|x| 2.0 * x[0] - x[1] + 0.0 * x[2]).collect();
        let m = morris(&rows, &y, k, 100, 5, 0.95);
        assert!((m[0].mu_star.value - 2.0).abs() < 1e-9 && m[0].sigma.abs() < 1e-9);
        assert!((m[1].mu - -1.0).abs() < 1e-9 && (m[1].mu_star.value - 1.0).abs() < 1e-9);
        assert!(m[2].mu_star.value.abs() < 1e-12);
    }

    #[test]
    fn interaction_shows_in_sigma() {
        let k = 2;
        let rows = trajectories(50, k, 4, 9);
        let y: Vec<f64> = rows.iter().map(|x| x[0] * x[1]).collect();
        let m = morris(&rows, &y, k, 100, 9, 0.95);
        assert!(m[0].sigma > 0.1 && m[1].sigma > 0.1, "{m:?}");
        assert!(m[0].mu_star.low <= m[0].mu_star.value && m[0].mu_star.value <= m[0].mu_star.high);
    }
}
