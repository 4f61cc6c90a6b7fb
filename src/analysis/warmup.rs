//! Warm-up from the data: MSER-5 on the daily series of a named platform metric, averaged over
//! replications (White 1997), and the sentence every run prints about it.

use crate::metrics::collector::PlatformDay;
use crate::model::RunOutput;
use crate::scenario::Scenario;

use super::mser::{Mser, mser5};

/// Daily platform metrics MSER can read (timeseries.csv names).
pub const DAILY_METRICS: &[&str] = &[
    "open",
    "arrivals",
    "dispatched",
    "closed",
    "lost",
    "open_overdue",
    "leader_attention_hours",
    "staff_hours",
    "burden_hours",
];

fn daily(d: &PlatformDay, metric: &str) -> f64 {
    match metric {
        "open" => d.open as f64,
        "arrivals" => d.arrivals as f64,
        "dispatched" => d.dispatched as f64,
        "closed" => d.closed as f64,
        "lost" => d.lost as f64,
        "open_overdue" => d.overdue as f64,
        "leader_attention_hours" => d.attention,
        "staff_hours" => d.hours,
        "burden_hours" => d.burden,
        _ => f64::NAN,
    }
}

/// Checks a metric name for `--warmup-metric`.
pub fn check_metric(metric: &str) -> Result<(), String> {
    if DAILY_METRICS.contains(&metric) {
        Ok(())
    } else {
        Err(format!("unknown daily metric `{metric}` for MSER (one of: {})", DAILY_METRICS.join(", ")))
    }
}

/// What MSER-5 says for each platform (in scenario order) and overall.
#[derive(Clone, Debug, PartialEq)]
pub struct WarmupAdvice {
    /// The metric used.
    pub metric: String,
    /// Per platform: MSER on the replication-mean series (platforms with a constant series omitted).
    pub platforms: Vec<(String, Mser)>,
}

impl WarmupAdvice {
    /// The warm-up MSER would choose: the longest of the platforms', in days.
    pub fn days(&self) -> usize {
        self.platforms.iter().map(|p| p.1.truncation).max().unwrap_or(0)
    }

    /// Platforms whose series never settled within the run.
    pub fn too_short(&self) -> Vec<&str> {
        self.platforms.iter().filter(|p| p.1.too_short).map(|p| p.0.as_str()).collect()
    }

    /// "warm-up 90 days used; MSER-5 on daily `open` would choose 45 days (minhu 45, ...)" and a
    /// warning when a series never settled.
    pub fn sentence(&self, used: f64) -> String {
        let per: Vec<String> = self.platforms.iter().map(|(p, m)| format!("{p} {}", m.truncation)).collect();
        let mut s = format!(
            "warm-up: {used} days used; MSER-5 on the daily `{}` series (mean over replications) would choose {} days ({})",
            self.metric,
            self.days(),
            per.join(", ")
        );
        let short = self.too_short();
        if !short.is_empty() {
            s.push_str(&format!(
                "\nwarning: the run is too short for MSER-5 on {}: the best truncation falls in the second half of the series, so the output has not settled (a trend or a slow transient); lengthen simulation.duration_days or read the results as transient",
                short.join(", ")
            ));
        }
        s
    }
}

/// MSER-5 per platform on the replication-mean daily series of `metric`.
pub fn advise(sc: &Scenario, outs: &[RunOutput], metric: &str) -> WarmupAdvice {
    let mut platforms = Vec::new();
    for (p, spec) in sc.platforms.iter().enumerate() {
        let len = outs.iter().map(|o| o.platforms[p].days.len()).min().unwrap_or(0);
        let mean: Vec<f64> = (0..len)
            .map(|d| outs.iter().map(|o| daily(&o.platforms[p].days[d], metric)).sum::<f64>() / outs.len() as f64)
            .collect();
        if mean.iter().all(|v| *v == mean[0]) {
            continue;
        }
        platforms.push((spec.id.clone(), mser5(&mean)));
    }
    WarmupAdvice { metric: metric.to_string(), platforms }
}
