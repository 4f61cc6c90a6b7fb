//! Paired comparisons of two scenarios on common random numbers.
//!
//! Replication `r` of A and of B use the same seed and replication index, so every named random
//! stream (arrivals, efforts, ...) gives both the same draws. The per-replication differences
//! B − A then carry far less noise than two independent samples, and a t interval on them is the
//! paired 95% confidence interval.

use std::path::Path;

use super::sweep::KEY_METRICS;
use super::{ExperimentError, run_all};
use crate::metrics::stats::mean_ci95;
use crate::metrics::summary::summarize;
use crate::output::atomic::{WriteError, num};
use crate::scenario::Scenario;

/// The difference B − A of one metric on one platform.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// Platform id (present in both scenarios).
    pub platform: String,
    /// Metric name.
    pub metric: String,
    /// Replications where both values are defined.
    pub pairs: u64,
    /// Mean under A.
    pub mean_a: f64,
    /// Mean under B.
    pub mean_b: f64,
    /// Mean of the paired differences B − A.
    pub diff: f64,
    /// Paired 95% half-width (t on the differences); NaN under two pairs.
    pub half_width: f64,
}

impl Difference {
    /// Whether the interval excludes 0.
    pub fn significant(&self) -> bool {
        self.half_width.is_finite() && self.diff.abs() > self.half_width
    }

    /// A plain sentence, e.g. "minhu closes 41.0 ± 3.2 more orders a month in the system under B".
    pub fn sentence(&self) -> String {
        let p = &self.platform;
        if self.diff == 0.0 && (self.half_width == 0.0 || self.half_width.is_nan()) {
            return format!("{p}: {} is the same under A and B", self.metric);
        }
        let up = self.diff > 0.0;
        let (d, h) = (self.diff.abs(), self.half_width);
        let pm = |scale: f64, digits: usize| {
            if h.is_finite() {
                format!("{:.*} ± {:.*}", digits, d * scale, digits, h * scale)
            } else {
                format!("{:.*}", digits, d * scale)
            }
        };
        let s = match SENTENCES.iter().find(|t| t.metric == self.metric) {
            Some(t) => {
                let word = if up { t.up } else { t.down };
                format!("{p}{} {}{} {word}{} under B", t.subject, pm(t.scale, t.digits), t.unit, t.rest)
            }
            None => format!("{p}: {} is {} {} under B", self.metric, pm(1.0, 3), if up { "higher" } else { "lower" }),
        };
        if self.significant() { s } else { format!("{s} (not distinguishable from no difference)") }
    }
}

/// How a key metric's difference reads: "{platform}{subject} {amount}{unit} {up|down}{rest} under B".
struct Sentence {
    metric: &'static str,
    subject: &'static str,
    scale: f64,
    digits: usize,
    unit: &'static str,
    up: &'static str,
    down: &'static str,
    rest: &'static str,
}

const fn sentence(
    metric: &'static str,
    subject: &'static str,
    (scale, digits, unit): (f64, usize, &'static str),
    (up, down): (&'static str, &'static str),
    rest: &'static str,
) -> Sentence {
    Sentence { metric, subject, scale, digits, unit, up, down, rest }
}

const PP: (f64, usize, &str) = (100.0, 1, " percentage points");
const SENTENCES: &[Sentence] = &[
    sentence("closed_per_month", " closes", (1.0, 1, ""), ("more", "fewer"), " orders a month in the system"),
    sentence("closed_in_system_share", " closes", PP, ("more", "fewer"), " of its orders in the system"),
    sentence("on_time_share", " closes", PP, ("more", "fewer"), " of its orders on time"),
    sentence("mean_wait_hours", "'s orders wait", (1.0, 2, " hours"), ("longer", "less"), " on average"),
    sentence(
        "mean_sojourn_hours",
        "'s orders take",
        (1.0, 2, " hours"),
        ("longer", "less"),
        " from arrival to closure",
    ),
    sentence("p_wait", "'s chance that an order waits is", PP, ("higher", "lower"), ""),
    sentence("weighted_r", "'s departments are", (1.0, 3, ""), ("more", "less"), " reengineered (R)"),
    sentence("leader_attention_hours", " takes", (1.0, 1, ""), ("more", "fewer"), " hours of leaders' attention"),
    sentence("resolution_rate", " resolves", PP, ("more", "fewer"), " of its closed orders"),
    sentence("satisfaction_rate", "'s callers rate", PP, ("more", "fewer"), " of its closed orders satisfied"),
    sentence(
        "gaming_gap",
        "'s gaming gap (satisfaction minus resolution) is",
        (100.0, 1, " points"),
        ("wider", "narrower"),
        "",
    ),
    sentence("burden_share", "'s burden share (负能) is", PP, ("higher", "lower"), ""),
];

/// Settings of a comparison.
#[derive(Clone, Copy, Debug, Default)]
pub struct Settings {
    /// Replications (default: A's).
    pub replications: Option<u32>,
    /// Seed for both (default: A's).
    pub seed: Option<u64>,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
}

/// Runs A and B on common random numbers and returns the paired differences of
/// [`KEY_METRICS`] for each platform present in both, in A's platform order. `tick` is called
/// once per finished run (of either scenario).
pub fn compare(
    a: &Scenario,
    b: &Scenario,
    s: &Settings,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<Difference>, ExperimentError> {
    let mut a = a.clone();
    let mut b = b.clone();
    let seed = s.seed.unwrap_or(a.simulation.seed);
    let reps = s.replications.unwrap_or(a.simulation.replications);
    for sc in [&mut a, &mut b] {
        sc.simulation.seed = seed;
        sc.simulation.replications = reps;
    }
    let sa: Vec<_> = run_all(&a, s.threads, tick)?.iter().map(|o| summarize(&a, o)).collect();
    let sb: Vec<_> = run_all(&b, s.threads, tick)?.iter().map(|o| summarize(&b, o)).collect();
    let mut out = Vec::new();
    for (pa, spec) in a.platforms.iter().enumerate() {
        let Some(pb) = b.platforms.iter().position(|q| q.id == spec.id) else { continue };
        for metric in KEY_METRICS {
            let pairs: Vec<(f64, f64)> = sa
                .iter()
                .zip(&sb)
                .map(|(x, y)| (x[pa].get(metric), y[pb].get(metric)))
                .filter(|(x, y)| !x.is_nan() && !y.is_nan())
                .collect();
            let diffs: Vec<f64> = pairs.iter().map(|(x, y)| y - x).collect();
            let (diff, _, half_width, n) = mean_ci95(&diffs);
            let mean_a = mean_ci95(&pairs.iter().map(|p| p.0).collect::<Vec<_>>()).0;
            let mean_b = mean_ci95(&pairs.iter().map(|p| p.1).collect::<Vec<_>>()).0;
            out.push(Difference {
                platform: spec.id.clone(),
                metric: metric.to_string(),
                pairs: n,
                mean_a,
                mean_b,
                diff,
                half_width,
            });
        }
    }
    Ok(out)
}

/// Writes `compare.csv`: one row per platform and metric.
pub fn write_csv(path: &Path, diffs: &[Difference]) -> Result<(), WriteError> {
    crate::output::csv::write_csv(path, |c| {
        c.write_record([
            "platform",
            "metric",
            "pairs",
            "mean_a",
            "mean_b",
            "difference",
            "ci95",
            "ci_low",
            "ci_high",
            "significant",
        ])?;
        for d in diffs {
            c.write_record([
                d.platform.clone(),
                d.metric.to_string(),
                d.pairs.to_string(),
                num(d.mean_a),
                num(d.mean_b),
                num(d.diff),
                num(d.half_width),
                num(d.diff - d.half_width),
                num(d.diff + d.half_width),
                d.significant().to_string(),
            ])?;
        }
        Ok(())
    })
}
