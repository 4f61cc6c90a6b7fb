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
    /// Whether B's value is "more" than A's: larger, or for a gap (satisfaction minus
    /// resolution) wider — further from zero, whichever its sign.
    pub fn grows(&self) -> bool {
        if self.metric == "gaming_gap" { self.mean_b.abs() > self.mean_a.abs() } else { self.diff > 0.0 }
    }

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
        let up = self.grows();
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

impl Difference {
    /// The sentence in 中文, e.g. "minhu：在 B 下，每月在系统内办结的工单多 41.0 ± 3.2 件".
    pub fn sentence_zh(&self) -> String {
        let p = &self.platform;
        let (name, scale, digits, unit) = match self.metric.as_str() {
            "closed_per_month" => ("每月在系统内办结的工单", 1.0, 1, " 件"),
            "closed_in_system_share" => ("在系统内办结的比例", 100.0, 1, " 个百分点"),
            "on_time_share" => ("按时办结的比例", 100.0, 1, " 个百分点"),
            "mean_wait_hours" => ("工单的平均等待时间", 1.0, 2, " 小时"),
            "mean_sojourn_hours" => ("工单从到达到办结的平均时间", 1.0, 2, " 小时"),
            "p_wait" => ("工单需要等待的概率", 100.0, 1, " 个百分点"),
            "weighted_r" => ("部门的流程再造水平 R", 1.0, 3, ""),
            "leader_attention_hours" => ("占用领导注意力的小时数", 1.0, 1, " 小时"),
            "resolution_rate" => ("已办结工单的解决率", 100.0, 1, " 个百分点"),
            "satisfaction_rate" => ("已办结工单的满意率", 100.0, 1, " 个百分点"),
            "gaming_gap" => ("满意率与解决率之差", 100.0, 1, " 个百分点"),
            "burden_share" => ("负担比例（负能）", 100.0, 1, " 个百分点"),
            other => (other, 1.0, 3, ""),
        };
        if self.diff == 0.0 && (self.half_width == 0.0 || self.half_width.is_nan()) {
            return format!("{p}：{name}在 A 与 B 下相同");
        }
        let amount = if self.half_width.is_finite() {
            format!("{:.*} ± {:.*}", digits, self.diff.abs() * scale, digits, self.half_width * scale)
        } else {
            format!("{:.*}", digits, self.diff.abs() * scale)
        };
        let word = match (self.metric == "gaming_gap", self.grows()) {
            (true, true) => "扩大",
            (true, false) => "缩小",
            (false, true) => "增加",
            (false, false) => "减少",
        };
        let s = format!("{p}：在 B 下，{name}{word} {amount}{unit}");
        if self.significant() { s } else { format!("{s}（与无差别无法区分）") }
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
    Ok(compare_runs(a, b, s, tick)?.diffs)
}

/// A comparison with the runs behind it (for the report and the classroom page).
#[derive(Clone, Debug)]
pub struct Paired {
    /// A as run (seed and replications set).
    pub a: Scenario,
    /// B as run.
    pub b: Scenario,
    /// A's replications.
    pub outs_a: Vec<crate::model::RunOutput>,
    /// B's replications, on the same random numbers.
    pub outs_b: Vec<crate::model::RunOutput>,
    /// The paired differences, as [`compare`] returns them.
    pub diffs: Vec<Difference>,
}

/// [`compare`], keeping the runs.
pub fn compare_runs(
    a: &Scenario,
    b: &Scenario,
    s: &Settings,
    tick: &(dyn Fn() + Sync),
) -> Result<Paired, ExperimentError> {
    let mut a = a.clone();
    let mut b = b.clone();
    let seed = s.seed.unwrap_or(a.simulation.seed);
    let reps = s.replications.unwrap_or(a.simulation.replications);
    for sc in [&mut a, &mut b] {
        sc.simulation.seed = seed;
        sc.simulation.replications = reps;
    }
    let outs_a = run_all(&a, s.threads, tick)?;
    let outs_b = run_all(&b, s.threads, tick)?;
    let diffs = differences(&a, &b, &outs_a, &outs_b);
    Ok(Paired { a, b, outs_a, outs_b, diffs })
}

/// The paired differences B − A of [`KEY_METRICS`] on every platform present in both, from runs
/// made on common random numbers, in A's platform order.
pub fn differences(
    a: &Scenario,
    b: &Scenario,
    outs_a: &[crate::model::RunOutput],
    outs_b: &[crate::model::RunOutput],
) -> Vec<Difference> {
    let sa: Vec<_> = outs_a.iter().map(|o| summarize(a, o)).collect();
    let sb: Vec<_> = outs_b.iter().map(|o| summarize(b, o)).collect();
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
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(a: f64, b: f64) -> Difference {
        let (metric, platform) = ("gaming_gap".into(), "hotline".into());
        Difference { platform, metric, pairs: 4, mean_a: a, mean_b: b, diff: b - a, half_width: 0.01 }
    }

    #[test]
    fn a_gap_widens_when_it_grows_in_size_whatever_its_sign() {
        assert!(gap(-0.10, -0.20).sentence().contains("wider"), "{}", gap(-0.10, -0.20).sentence());
        assert!(gap(0.10, 0.20).sentence().contains("wider"));
        assert!(gap(0.20, 0.10).sentence().contains("narrower"));
        assert!(gap(-0.20, -0.10).sentence().contains("narrower"));
        assert!(gap(-0.20, -0.10).sentence_zh().contains("缩小"));
        let closes = Difference { metric: "closed_per_month".into(), ..gap(10.0, 5.0) };
        assert!(closes.sentence().contains("fewer") && closes.sentence_zh().contains("减少"));
    }
}
