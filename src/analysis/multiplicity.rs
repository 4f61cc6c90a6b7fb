//! Many tests at once: adjusted p-values controlling the family-wise error rate (Holm 1979) or
//! the false discovery rate (Benjamini & Hochberg 1995).

use std::fmt;
use std::str::FromStr;

/// How a family of p-values is adjusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Adjust {
    /// Holm's step-down method: family-wise error rate ≤ α under any dependence.
    #[default]
    Holm,
    /// Benjamini–Hochberg step-up: false discovery rate ≤ α (independent or positively dependent tests).
    Bh,
    /// No adjustment: each test at α on its own.
    None,
}

impl Adjust {
    /// Adjusted p-values, in the order given; NaNs stay NaN and do not count as tests.
    pub fn apply(self, p: &[f64]) -> Vec<f64> {
        match self {
            Adjust::Holm => holm(p),
            Adjust::Bh => benjamini_hochberg(p),
            Adjust::None => p.to_vec(),
        }
    }

    /// What the adjustment controls, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Adjust::Holm => "Holm-adjusted p-values: family-wise error rate 5% over all tests reported",
            Adjust::Bh => "Benjamini-Hochberg-adjusted p-values: false discovery rate 5% over all tests reported",
            Adjust::None => "unadjusted p-values: each test at 5% on its own (no multiplicity control)",
        }
    }
}

impl fmt::Display for Adjust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Adjust::Holm => "holm",
            Adjust::Bh => "bh",
            Adjust::None => "none",
        })
    }
}

impl FromStr for Adjust {
    type Err = String;
    fn from_str(s: &str) -> Result<Adjust, String> {
        match s {
            "holm" => Ok(Adjust::Holm),
            "bh" | "fdr" => Ok(Adjust::Bh),
            "none" => Ok(Adjust::None),
            _ => Err(format!("expected holm, bh or none, found `{s}`")),
        }
    }
}

/// Indices of the finite p-values, sorted by p (ties by index, so the result is deterministic).
fn order(p: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    idx
}

/// Holm's adjusted p-values: p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j)).
pub fn holm(p: &[f64]) -> Vec<f64> {
    let idx = order(p);
    let m = idx.len();
    let mut out = vec![f64::NAN; p.len()];
    let mut running: f64 = 0.0;
    for (j, &i) in idx.iter().enumerate() {
        running = running.max(((m - j) as f64 * p[i]).min(1.0));
        out[i] = running;
    }
    out
}

/// Benjamini–Hochberg adjusted p-values: p̃_(i) = min_{j ≥ i} min(1, m p_(j) / j).
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let idx = order(p);
    let m = idx.len();
    let mut out = vec![f64::NAN; p.len()];
    let mut running: f64 = 1.0;
    for (j, &i) in idx.iter().enumerate().rev() {
        running = running.min((m as f64 * p[i] / (j + 1) as f64).min(1.0));
        out[i] = running;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12)
    }

    #[test]
    fn small_worked_example() {
        let p = [0.01, 0.04, 0.03, 0.005];
        // Holm: sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 -> monotone 0.06.
        assert!(close(&holm(&p), &[0.03, 0.06, 0.06, 0.02]));
        // BH: 0.005*4/1, 0.01*4/2, 0.03*4/3, 0.04*4/4 = 0.02, 0.02, 0.04, 0.04.
        assert!(close(&benjamini_hochberg(&p), &[0.02, 0.04, 0.04, 0.02]));
    }

    #[test]
    fn benjamini_hochberg_1995_example() {
        // The 15 p-values of Benjamini & Hochberg (1995), section 3.2: at 0.05, BH rejects 4,
        // Holm (like Bonferroni there) rejects 3.
        let p = [
            0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528,
            0.7590, 1.0,
        ];
        let bh = benjamini_hochberg(&p);
        assert_eq!(bh.iter().filter(|&&q| q <= 0.05).count(), 4);
        assert_eq!(holm(&p).iter().filter(|&&q| q <= 0.05).count(), 3);
        assert_eq!(Adjust::None.apply(&p).iter().filter(|&&q| q <= 0.05).count(), 9);
    }

    #[test]
    fn nans_are_not_tests() {
        let h = holm(&[0.01, f64::NAN, 0.02]);
        assert!((h[0] - 0.02).abs() < 1e-12 && h[1].is_nan() && (h[2] - 0.02).abs() < 1e-12);
    }
}
