//! Streaming statistics: means, quantiles from a log histogram, confidence intervals.

/// Count, mean and variance in one pass (Welford).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Welford {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Welford {
    /// Adds one observation.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// Observations.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Mean (NaN when empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }

    /// Sample standard deviation (NaN under two observations).
    pub fn sd(&self) -> f64 {
        if self.n < 2 { f64::NAN } else { (self.m2 / (self.n - 1) as f64).sqrt() }
    }

    /// Mean with a 95% Student-t confidence interval: (mean, half-width).
    pub fn ci95(&self) -> (f64, f64) {
        if self.n < 2 {
            return (self.mean(), f64::NAN);
        }
        (self.mean, t975(self.n - 1) * self.sd() / (self.n as f64).sqrt())
    }
}

/// Mean and 95% half-width of `xs` (NaNs skipped).
pub fn mean_ci95(xs: &[f64]) -> (f64, f64, f64, u64) {
    let mut w = Welford::default();
    for &x in xs.iter().filter(|x| !x.is_nan()) {
        w.push(x);
    }
    let (m, h) = w.ci95();
    (m, w.sd(), h, w.count())
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom.
pub fn t975(df: u64) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[(df - 1) as usize],
        _ => {
            // Cornish-Fisher expansion around the normal quantile; error < 1e-4 for df > 30.
            let z = 1.959_963_985_f64;
            let d = df as f64;
            z + (z.powi(3) + z) / (4.0 * d) + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
        }
    }
}

/// A log-spaced histogram of non-negative values for streaming quantiles (about 2% resolution).
#[derive(Clone, Debug, PartialEq)]
pub struct LogHistogram {
    /// Counts by bin; empty until the first value at or above `MIN_VALUE` (an empty histogram
    /// costs nothing: a world of thousands of platforms makes one for each).
    counts: Vec<u64>,
    zeros: u64,
    n: u64,
}

const BINS_PER_DECADE: f64 = 100.0;
const MIN_VALUE: f64 = 1e-4;
const DECADES: f64 = 10.0;
const BINS: usize = (BINS_PER_DECADE * DECADES) as usize + 1;

impl Default for LogHistogram {
    fn default() -> Self {
        LogHistogram { counts: Vec::new(), zeros: 0, n: 0 }
    }
}

impl LogHistogram {
    /// Adds one value.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        if x < MIN_VALUE {
            self.zeros += 1;
            return;
        }
        let i = ((x / MIN_VALUE).log10() * BINS_PER_DECADE) as usize;
        match self.counts.get_mut(i.min(BINS - 1)) {
            Some(c) => *c += 1,
            None => self.first_count(i.min(BINS - 1)),
        }
    }

    /// The first count: the bins are laid out now.
    #[cold]
    #[inline(never)]
    fn first_count(&mut self, bin: usize) {
        self.counts = vec![0; BINS];
        self.counts[bin] += 1;
    }

    /// The `q` quantile (0..=1), NaN when empty. Returns the geometric middle of the bin.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        let target = ((q * self.n as f64).ceil() as u64).max(1);
        let mut seen = self.zeros;
        if seen >= target {
            return 0.0;
        }
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= target {
                return MIN_VALUE * 10f64.powf((i as f64 + 0.5) / BINS_PER_DECADE);
            }
        }
        f64::INFINITY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welford_matches_two_pass() {
        let xs = [1.0, 4.0, 2.0, 8.0, 5.0];
        let mut w = Welford::default();
        xs.iter().for_each(|&x| w.push(x));
        assert!((w.mean() - 4.0).abs() < 1e-12);
        assert!((w.sd() - 2.738_612_787_525_83).abs() < 1e-9);
        let (_, h) = w.ci95();
        assert!((h - 2.776 * w.sd() / 5f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn t_quantile_is_continuous_at_the_table_edge() {
        assert!((t975(31) - 2.040).abs() < 0.002);
        assert!((t975(1000) - 1.962).abs() < 0.001);
    }

    /// A histogram lays out its bins at its first value at or above the smallest bin: before
    /// that (empty, or only values below it) its quantiles are what a laid-out one gives.
    #[test]
    fn a_histogram_without_bins_answers_as_one_with_them() {
        let mut laid_out = LogHistogram { counts: vec![0; BINS], zeros: 0, n: 0 };
        let mut lazy = LogHistogram::default();
        for q in [0.1, 0.5, 1.0] {
            assert!(lazy.quantile(q).is_nan() && laid_out.quantile(q).is_nan());
        }
        for x in [0.0, 1e-6, 5e-5] {
            lazy.push(x);
            laid_out.push(x);
        }
        assert!(lazy.counts.is_empty());
        for q in [0.1, 0.5, 1.0] {
            assert_eq!(lazy.quantile(q).to_bits(), laid_out.quantile(q).to_bits());
        }
        for x in [3.0, 1e9, 0.2] {
            lazy.push(x);
            laid_out.push(x);
        }
        assert_eq!(lazy, laid_out);
    }

    #[test]
    fn histogram_quantiles_within_resolution() {
        let mut h = LogHistogram::default();
        for i in 1..=1000 {
            h.push(i as f64 / 10.0);
        }
        let p90 = h.quantile(0.9);
        assert!((p90 / 90.0 - 1.0).abs() < 0.025, "{p90}");
        assert!(LogHistogram::default().quantile(0.5).is_nan());
    }
}
