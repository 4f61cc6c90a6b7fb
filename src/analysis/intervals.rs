//! Confidence intervals for proportions: the Wilson score interval (Wilson 1927).
//!
//! With 4 or 10 replications a share such as 3/4 is a small binomial sample; the Wald interval
//! p ± z√(p(1−p)/n) then collapses at 0 and 1 and leaves [0, 1]. Wilson's interval inverts the
//! score test and stays inside [0, 1] with near-nominal coverage even for small n.

use super::special::normal_quantile;

/// The Wilson score interval (low, high) for `successes` out of `n` at confidence `level`
/// (e.g. 0.95). `n = 0` gives (0, 1): nothing is known.
pub fn wilson(successes: u64, n: u64, level: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z = normal_quantile(0.5 + level / 2.0);
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let lo = if successes == 0 { 0.0 } else { (centre - half).max(0.0) };
    let hi = if p >= 1.0 { 1.0 } else { (centre + half).min(1.0) };
    (lo, hi)
}

/// `k/n (lo–hi%)` with the 95% Wilson interval, e.g. `3/4 (30–95%)`.
pub fn share_text(k: u64, n: u64) -> String {
    let (lo, hi) = wilson(k, n, 0.95);
    format!("{k}/{n} ({:.0}–{:.0}%)", lo * 100.0, hi * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_known_values() {
        // Hand-computed with z = 1.959964: 3/4 -> (0.3006, 0.9544).
        let (lo, hi) = wilson(3, 4, 0.95);
        assert!((lo - 0.3006).abs() < 5e-4 && (hi - 0.9544).abs() < 5e-4, "{lo} {hi}");
        // 0/10: upper bound z²/(n + z²) = 0.2775; 10/10 mirrors it.
        let (lo, hi) = wilson(0, 10, 0.95);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.2775).abs() < 5e-4, "{hi}");
        let (lo, hi) = wilson(10, 10, 0.95);
        assert!((lo - 0.7225).abs() < 5e-4 && hi == 1.0);
        // Newcombe (1998), table I: 81/263 -> 0.2553 to 0.3662.
        let (lo, hi) = wilson(81, 263, 0.95);
        assert!((lo - 0.2553).abs() < 5e-4 && (hi - 0.3662).abs() < 5e-4, "{lo} {hi}");
        assert_eq!(share_text(3, 4), "3/4 (30–95%)");
    }
}
