//! Replications until the chosen precision: `--precision METRIC=HALF_WIDTH` (or `=5%`, relative
//! to the mean) adds replications, in numbered batches, until every platform's 95% half-width of
//! every named metric is within its target (sequential procedure, Law 2015 §9.4.1). The batches
//! depend only on results, never on timing, so the outcome is the same for any thread count.

use crate::experiment::ExperimentError;
use crate::metrics::stats::mean_ci95;
use crate::metrics::summary::METRICS;

/// A precision target.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// Metric (a column of summary.csv).
    pub metric: String,
    /// Target half-width (absolute, or a fraction of |mean| when `relative`).
    pub half_width: f64,
    /// Relative to the mean.
    pub relative: bool,
}

impl std::str::FromStr for Target {
    type Err = String;
    fn from_str(s: &str) -> Result<Target, String> {
        let (m, v) =
            s.split_once('=').ok_or_else(|| format!("expected METRIC=HALF_WIDTH or METRIC=P%, found `{s}`"))?;
        let m = m.trim();
        if !METRICS.contains(&m) {
            return Err(format!("unknown metric `{m}` (a column of summary.csv, e.g. closed_per_month)"));
        }
        let v = v.trim();
        let (num, relative) = match v.strip_suffix('%') {
            Some(p) => (p, true),
            None => (v, false),
        };
        let x: f64 = num.trim().parse().map_err(|_| format!("`{m}`: expected a number, found `{v}`"))?;
        if !(x > 0.0 && x.is_finite()) {
            return Err(format!("`{m}`: expected a half-width above 0, found `{v}`"));
        }
        Ok(Target { metric: m.to_string(), half_width: if relative { x / 100.0 } else { x }, relative })
    }
}

impl Target {
    /// The half-width wanted at this mean.
    pub fn wanted(&self, mean: f64) -> f64 {
        if self.relative { self.half_width * mean.abs() } else { self.half_width }
    }

    /// `closed_per_month ± 2` or `on_time_share ± 5%`.
    pub fn text(&self) -> String {
        if self.relative {
            format!("{} ± {}%", self.metric, self.half_width * 100.0)
        } else {
            format!("{} ± {}", self.metric, self.half_width)
        }
    }
}

/// Replications needed for samples `xs` to reach `t`: None when already reached; otherwise the
/// estimate n (h / wanted)², at least n + 1. Undefined samples (under 2 values) need one more.
pub fn needed(xs: &[f64], t: &Target) -> Option<usize> {
    let (mean, _, h, n) = mean_ci95(xs);
    let n = n as usize;
    if n < 2 || h.is_nan() {
        return if xs.iter().all(|x| x.is_nan()) { None } else { Some(n.max(1) + 1) };
    }
    let w = t.wanted(mean);
    if h <= w {
        return None;
    }
    if w <= 0.0 {
        return Some(usize::MAX);
    }
    Some(((n as f64 * (h / w).powi(2)).ceil() as usize).max(n + 1))
}

/// For each (platform, target): the samples so far and the target they must reach.
pub type Samples<'a, T> = dyn Fn(&[T]) -> Vec<(Vec<f64>, Target)> + 'a;

/// How a precision run ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Reached {
    /// Replications run in total.
    pub replications: u32,
    /// Whether every target was met (false: stopped at the maximum).
    pub met: bool,
}

/// Adds batches of replications to `have` (replications 0..have.len() of both sides) until
/// `samples(have)` – one sample vector per (platform, target) – all meet their targets, or `max`
/// replications. `run(from, to)` runs more replications.
pub fn extend_until<T>(
    have: &mut Vec<T>,
    max: u32,
    samples: &Samples<'_, T>,
    run: &mut dyn FnMut(u32, u32) -> Result<Vec<T>, ExperimentError>,
) -> Result<Reached, ExperimentError> {
    loop {
        let n = have.len() as u32;
        let want = samples(have).iter().filter_map(|(xs, t)| needed(xs, t)).max();
        let Some(want) = want else { return Ok(Reached { replications: n, met: true }) };
        if n >= max {
            return Ok(Reached { replications: n, met: false });
        }
        // Grow by at most doubling per batch: the estimate from few replications is rough.
        let next = (want.min(u32::MAX as usize) as u32).clamp(n + 1, (2 * n).max(n + 2)).min(max);
        let more = run(n, next)?;
        have.extend(more);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets() {
        let t: Target = "closed_per_month=2".parse().unwrap();
        assert_eq!(t, Target { metric: "closed_per_month".into(), half_width: 2.0, relative: false });
        let t: Target = "on_time_share=5%".parse().unwrap();
        assert!(t.relative && (t.half_width - 0.05).abs() < 1e-12);
        assert!("nope=1".parse::<Target>().is_err());
        assert!("closed_per_month=-1".parse::<Target>().is_err());
    }

    #[test]
    fn extends_until_reached_deterministically() {
        // Samples alternate 0, 2, 0, 2, ...: sd ≈ 1, half-width ≈ 2/√n; target 0.5 needs n ≈ 16+.
        let t: Target = "closed=0.5".parse().unwrap();
        let mut have: Vec<f64> = vec![0.0, 2.0, 0.0, 2.0];
        let r = extend_until(&mut have, 1000, &|xs: &[f64]| vec![(xs.to_vec(), t.clone())], &mut |a, b| {
            Ok((a..b).map(|i| if i % 2 == 0 { 0.0 } else { 2.0 }).collect())
        })
        .unwrap();
        assert!(r.met);
        let (_, _, h, n) = mean_ci95(&have);
        assert_eq!(n as u32, r.replications);
        assert!(h <= 0.5 && r.replications >= 16, "{r:?} {h}");
        let mut few = vec![0.0, 2.0];
        let r = extend_until(&mut few, 5, &|xs: &[f64]| vec![(xs.to_vec(), t.clone())], &mut |a, b| {
            Ok((a..b).map(|i| (i % 2) as f64 * 2.0).collect())
        })
        .unwrap();
        assert_eq!(r, Reached { replications: 5, met: false });
    }
}
