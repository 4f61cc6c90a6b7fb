//! Warm-up detection with MSER-5 (White 1997; White, Cobb & Spratt 2000).
//!
//! The series (e.g. the daily open orders, averaged over replications) is cut into batches of 5
//! and the truncation d (in batches) minimising the marginal standard error
//! MSER(d) = Σ_{i>d} (Y_i − Ȳ_d)² / (n − d)² is chosen. A minimum in the second half of the
//! series means the rule finds no settled stretch: the output still trends, or it is smooth
//! enough that the last few batches win (the rule's end effect); it cannot say which.

/// What MSER-5 chose for one series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mser {
    /// Observations (days) to discard.
    pub truncation: usize,
    /// Observations in the series.
    pub length: usize,
    /// The minimum fell in the second half of the series (or the series is too short to judge).
    pub too_short: bool,
}

/// Batch size of MSER-5.
pub const BATCH: usize = 5;

/// MSER-5 on `series` (NaNs are treated as 0). A series under 4 batches is `too_short` with
/// truncation 0.
pub fn mser5(series: &[f64]) -> Mser {
    let nb = series.len() / BATCH;
    if nb < 4 {
        return Mser { truncation: 0, length: series.len(), too_short: true };
    }
    let y: Vec<f64> = (0..nb)
        .map(|b| series[b * BATCH..(b + 1) * BATCH].iter().map(|v| if v.is_nan() { 0.0 } else { *v }).sum::<f64>())
        .map(|s| s / BATCH as f64)
        .collect();
    // Suffix sums give every MSER(d) in O(n).
    let mut s1 = vec![0.0; nb + 1];
    let mut s2 = vec![0.0; nb + 1];
    for i in (0..nb).rev() {
        s1[i] = s1[i + 1] + y[i];
        s2[i] = s2[i + 1] + y[i] * y[i];
    }
    // Keep at least 2 batches after truncation.
    let mut best = (f64::INFINITY, 0usize);
    for d in 0..nb - 1 {
        let m = (nb - d) as f64;
        let ss = (s2[d] - s1[d] * s1[d] / m).max(0.0);
        let v = ss / (m * m);
        if d == 0 || v < best.0 * (1.0 - 1e-12) {
            best = (v, d);
        }
    }
    let d = best.1;
    Mser { truncation: d * BATCH, length: series.len(), too_short: d > nb / 2 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::dist::uniform;
    use crate::engine::rng::Streams;

    /// A known transient: level 50 decaying exponentially (time constant 20 days) to 10, plus
    /// uniform noise of ±1, over 730 days. The transient is below the noise after about
    /// 20 ln(40) = 74 days; MSER-5 should cut between 40 and 150 days.
    #[test]
    fn finds_a_known_transient() {
        let mut rng = Streams::new(3, 0).stream("test/mser");
        let s: Vec<f64> =
            (0..730).map(|t| 10.0 + 40.0 * (-(t as f64) / 20.0).exp() + 2.0 * uniform(&mut rng) - 1.0).collect();
        let m = mser5(&s);
        assert!(!m.too_short);
        assert!((40..=150).contains(&m.truncation), "{m:?}");
        assert_eq!(m.truncation % BATCH, 0);
    }

    #[test]
    fn stationary_series_needs_little_warmup() {
        let mut rng = Streams::new(4, 0).stream("test/mser");
        let s: Vec<f64> = (0..500).map(|_| uniform(&mut rng)).collect();
        let m = mser5(&s);
        assert!(!m.too_short && m.truncation < 250, "{m:?}");
    }

    #[test]
    fn a_trend_is_too_short() {
        // Still climbing at the end: the minimum is near the end of the series.
        let s: Vec<f64> = (0..300).map(|t| t as f64).collect();
        assert!(mser5(&s).too_short);
        assert!(mser5(&[1.0; 12]).too_short);
    }
}
