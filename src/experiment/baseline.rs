//! Net empowerment: the scenario against the same scenario without one platform, on common
//! random numbers (docs/MODEL.md section 8, net empowerment). Without the platform its issues go offline or
//! unreported; every other stream draws the same numbers, so differences are the platform's.

use super::{ExperimentError, run_all};
use crate::metrics::stats::Welford;
use crate::model::RunOutput;
use crate::scenario::Scenario;

/// Why a baseline comparison cannot run.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// No platform of that id.
    #[error("--baseline {id}: no platform of that id (known platforms: {known})")]
    UnknownPlatform {
        /// The id asked for.
        id: String,
        /// Ids in the scenario.
        known: String,
    },
    /// A run failed.
    #[error(transparent)]
    Run(#[from] ExperimentError),
}

/// One compared figure: with the platform, without it, and the paired difference.
#[derive(Clone, Debug, PartialEq)]
pub struct BaselineRow {
    /// What is compared.
    pub measure: &'static str,
    /// Mean with the platform.
    pub with: f64,
    /// Mean without it.
    pub without: f64,
    /// Mean paired difference (with − without).
    pub difference: f64,
    /// 95% half-width of the paired difference.
    pub half_width: f64,
}

/// The comparison.
pub struct Baseline {
    /// The platform taken away.
    pub platform: String,
    /// Figures compared.
    pub rows: Vec<BaselineRow>,
}

/// Township-wide figures of one run after warm-up.
fn figures(out: &RunOutput) -> [f64; 5] {
    let resolved_on_time: u64 = out.platforms.iter().map(|p| p.tally.resolved_on_time).sum();
    let resolved: u64 = out.platforms.iter().map(|p| p.tally.resolved).sum();
    let hours: f64 = out.departments.iter().map(|d| d.hours.total()).sum();
    let burden: f64 = out.departments.iter().map(|d| d.hours.burden()).sum();
    [resolved_on_time as f64, resolved as f64, hours, burden, out.unserved as f64]
}

const MEASURES: [&str; 5] = [
    "issues resolved on time in the system",
    "issues resolved in the system",
    "staff hours",
    "burden hours (负能)",
    "issues with no platform to take them",
];

/// Runs `sc` with and without platform `id` and compares them replication by replication.
/// Returns the comparison and the runs with the platform (in replication order).
pub fn baseline(
    sc: &Scenario,
    id: &str,
    threads: Option<usize>,
    tick: &(dyn Fn() + Sync),
) -> Result<(Baseline, Vec<RunOutput>), BaselineError> {
    let Some(p) = sc.platforms.iter().position(|p| p.id == id) else {
        let known = sc.platforms.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(", ");
        return Err(BaselineError::UnknownPlatform { id: id.to_string(), known });
    };
    let mut without_sc = sc.clone();
    without_sc.platforms[p].disabled = true;
    let with = run_all(sc, threads, tick)?;
    let without = run_all(&without_sc, threads, tick)?;
    let rows = MEASURES
        .iter()
        .enumerate()
        .map(|(i, measure)| {
            let (mut a, mut b, mut d) = (Welford::default(), Welford::default(), Welford::default());
            for (x, y) in with.iter().zip(&without) {
                let (fx, fy) = (figures(x)[i], figures(y)[i]);
                a.push(fx);
                b.push(fy);
                d.push(fx - fy);
            }
            let (difference, half_width) = d.ci95();
            BaselineRow { measure, with: a.mean(), without: b.mean(), difference, half_width }
        })
        .collect();
    Ok((Baseline { platform: id.to_string(), rows }, with))
}

/// A readable table of the comparison.
pub fn describe(b: &Baseline) -> String {
    use std::fmt::Write;
    let mut s = format!(
        "\nnet empowerment of {} (with it minus without it, same random numbers; 95% CI of the paired difference)\n",
        b.platform
    );
    let _ = writeln!(s, "{:<42} {:>14} {:>14} {:>24}", "after warm-up", "with", "without", "difference");
    for r in &b.rows {
        let diff = if r.half_width.is_nan() {
            format!("{:+.1}", r.difference)
        } else {
            format!("{:+.1} ± {:.1}", r.difference, r.half_width)
        };
        let _ = writeln!(s, "{:<42} {:>14.1} {:>14.1} {:>24}", r.measure, r.with, r.without, diff);
    }
    let resolved = &b.rows[0];
    let burden = &b.rows[3];
    let _ = writeln!(
        s,
        "{} resolves {:.0} more issues on time at a cost of {:.0} more burden hours: {:.2} burden hours per extra issue resolved.",
        b.platform,
        resolved.difference,
        burden.difference,
        if resolved.difference > 0.0 { burden.difference / resolved.difference } else { f64::NAN }
    );
    s
}
