//! The Nelder–Mead simplex method (Nelder & Mead 1965) on the unit cube, for noisy objectives
//! made smooth by common random numbers. Points outside the cube are clamped onto it.

/// Settings of a minimisation.
#[derive(Clone, Copy, Debug)]
pub struct NmSettings {
    /// Initial simplex step along each axis (unit-cube scale).
    pub step: f64,
    /// Stop when the simplex's objective values differ by less than this...
    pub f_tol: f64,
    /// ...and its vertices by less than this (max coordinate distance to the best).
    pub x_tol: f64,
    /// Stop after this many evaluations.
    pub max_evals: usize,
}

impl Default for NmSettings {
    fn default() -> Self {
        NmSettings { step: 0.2, f_tol: 1e-6, x_tol: 1e-3, max_evals: 300 }
    }
}

/// The result of a minimisation.
#[derive(Clone, Debug)]
pub struct NmResult {
    /// The best point.
    pub x: Vec<f64>,
    /// Its objective value.
    pub f: f64,
    /// Evaluations used.
    pub evals: usize,
    /// Whether the tolerances were met (rather than the evaluation limit).
    pub converged: bool,
}

fn clamp(x: Vec<f64>) -> Vec<f64> {
    x.into_iter().map(|v| v.clamp(0.0, 1.0)).collect()
}

/// Minimises `f` over [0, 1]^k from `start`. `f` may fail; the first error stops the search.
pub fn minimise<E>(start: &[f64], s: &NmSettings, f: &mut dyn FnMut(&[f64]) -> Result<f64, E>) -> Result<NmResult, E> {
    let k = start.len();
    let mut evals = 0usize;
    let mut eval = |x: &[f64], evals: &mut usize| -> Result<f64, E> {
        *evals += 1;
        let v = f(x)?;
        Ok(if v.is_nan() { f64::INFINITY } else { v })
    };
    let x0 = clamp(start.to_vec());
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(k + 1);
    let f0 = eval(&x0, &mut evals)?;
    simplex.push((x0.clone(), f0));
    for i in 0..k {
        let mut x = x0.clone();
        // Step inward when the start sits near the upper bound.
        x[i] = if x[i] + s.step <= 1.0 { x[i] + s.step } else { x[i] - s.step };
        let x = clamp(x);
        let fx = eval(&x, &mut evals)?;
        simplex.push((x, fx));
    }
    let mut converged = false;
    while evals < s.max_evals {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[k].1);
        let spread = simplex
            .iter()
            .skip(1)
            .flat_map(|(x, _)| x.iter().zip(&simplex[0].0).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        if (worst - best).abs() <= s.f_tol * (1.0 + best.abs()) && spread <= s.x_tol {
            converged = true;
            break;
        }
        if spread <= s.x_tol * 1e-3 {
            converged = true;
            break;
        }
        let centroid: Vec<f64> = (0..k).map(|j| simplex[..k].iter().map(|v| v.0[j]).sum::<f64>() / k as f64).collect();
        let towards = |t: f64| clamp(centroid.iter().zip(&simplex[k].0).map(|(c, w)| c + t * (c - w)).collect());
        let xr = towards(1.0);
        let fr = eval(&xr, &mut evals)?;
        if fr < simplex[0].1 {
            let xe = towards(2.0);
            let fe = eval(&xe, &mut evals)?;
            simplex[k] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < simplex[k - 1].1 {
            simplex[k] = (xr, fr);
        } else {
            let (xc, fc) = if fr < simplex[k].1 {
                let xc = towards(0.5);
                let fc = eval(&xc, &mut evals)?;
                (xc, fc)
            } else {
                let xc = towards(-0.5);
                let fc = eval(&xc, &mut evals)?;
                (xc, fc)
            };
            if fc < simplex[k].1.min(fr) {
                simplex[k] = (xc, fc);
            } else {
                // Shrink towards the best.
                let b = simplex[0].0.clone();
                for v in simplex.iter_mut().skip(1) {
                    let x: Vec<f64> = v.0.iter().zip(&b).map(|(x, b)| b + 0.5 * (x - b)).collect();
                    let fx = eval(&x, &mut evals)?;
                    *v = (x, fx);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (x, f) = simplex.swap_remove(0);
    Ok(NmResult { x, f, evals, converged })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_quadratic_in_the_cube() {
        let mut f = |x: &[f64]| -> Result<f64, ()> { Ok((x[0] - 0.3).powi(2) + 4.0 * (x[1] - 0.7).powi(2)) };
        let r = minimise(&[0.9, 0.1], &NmSettings { x_tol: 1e-5, f_tol: 1e-12, ..Default::default() }, &mut f).unwrap();
        assert!(r.converged);
        assert!((r.x[0] - 0.3).abs() < 1e-3 && (r.x[1] - 0.7).abs() < 1e-3, "{r:?}");
    }

    #[test]
    fn respects_the_bounds() {
        let mut f = |x: &[f64]| -> Result<f64, ()> { Ok(-x[0]) };
        let r = minimise(&[0.5], &NmSettings::default(), &mut f).unwrap();
        assert!((r.x[0] - 1.0).abs() < 1e-9);
    }
}
