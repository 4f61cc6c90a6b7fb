//! `embedsim sensitivity`: Morris screening or Sobol indices of simulator outputs with respect
//! to scenario parameters. The design's points run as a sweep (journal, `--resume`, identical
//! bytes for any thread count), every point on the same replications (common random numbers),
//! and each output is the mean over a point's replications. Replication noise is reported
//! beside the indices: the variance of a point mean due to replications, as a share of the
//! variance of the point means the indices decompose.

use std::path::Path;

use serde::Deserialize;

use crate::experiment::shard::{RunOptions, run_sweep};
use crate::experiment::sweep::Manifest;
use crate::experiment::sweep_files::RunRecord;
use crate::metrics::Regime;
use crate::metrics::summary::METRICS;
use crate::output::atomic::{num, write_atomic};

use super::design::{AnalysisError, Bounded, Design, toml_message};
use super::discovery::read_runs;
use super::morris::{MorrisFactor, morris, trajectories};
use super::sobol::{Estimate, SobolIndices, saltelli, sobol_indices};

/// Which method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Morris elementary effects.
    Morris,
    /// Sobol indices by Saltelli sampling.
    Sobol,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSensitivity {
    name: Option<String>,
    #[allow(dead_code)]
    description: Option<String>,
    base: String,
    method: Method,
    samples: usize,
    levels: Option<usize>,
    seed: Option<u64>,
    replications: Option<u32>,
    bootstrap: Option<usize>,
    outputs: Vec<String>,
    #[serde(default)]
    set: toml::Table,
    parameters: Vec<Bounded>,
}

/// One output: a metric of a platform, or the share of a platform's replications in a regime.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputSpec {
    /// As written, e.g. `minhu.share_overloaded`.
    pub name: String,
    /// Platform index.
    pub platform: usize,
    /// Metric index into [`METRICS`], or the regime.
    pub what: Result<usize, Regime>,
}

impl OutputSpec {
    /// Parses `PLATFORM.METRIC` or `PLATFORM.share_REGIME`.
    pub fn parse(s: &str, platforms: &[String]) -> Result<OutputSpec, String> {
        let (p, m) = s.split_once('.').ok_or_else(|| format!("output `{s}`: expected PLATFORM.METRIC"))?;
        let platform = platforms
            .iter()
            .position(|x| x == p)
            .ok_or_else(|| format!("output `{s}`: no platform `{p}` (platforms: {})", platforms.join(", ")))?;
        let what = if let Some(g) = m.strip_prefix("share_") {
            Err(*Regime::ALL
                .iter()
                .find(|r| r.name() == g)
                .ok_or_else(|| format!("output `{s}`: unknown regime `{g}`"))?)
        } else {
            Ok(METRICS.iter().position(|x| *x == m).ok_or_else(|| {
                format!("output `{s}`: unknown metric `{m}` (a column of summary.csv, or share_<regime>)")
            })?)
        };
        Ok(OutputSpec { name: s.to_string(), platform, what })
    }

    /// The output's value in one run.
    pub fn value(&self, rec: &RunRecord) -> f64 {
        let row = &rec.rows[self.platform];
        match self.what {
            Ok(k) => row.values[k],
            Err(g) => (row.regime == g) as u8 as f64,
        }
    }
}

/// A sensitivity study, loaded and checked.
#[derive(Clone, Debug)]
pub struct Study {
    /// Name (default: the file's stem).
    pub name: String,
    /// Method.
    pub method: Method,
    /// Sobol: N; Morris: trajectories.
    pub samples: usize,
    /// Morris grid levels.
    pub levels: usize,
    /// Bootstrap resamples.
    pub bootstrap: usize,
    /// Outputs analysed.
    pub outputs: Vec<OutputSpec>,
    /// Base, parameters, seed and replications.
    pub design: Design,
}

impl Study {
    /// Reads a sensitivity file (format in docs/RESEARCH.md).
    pub fn load(path: &Path) -> Result<Study, AnalysisError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| AnalysisError::Read { path: path.into(), source })?;
        let invalid = |message: String| AnalysisError::Invalid { file: file.clone(), message };
        let raw: RawSensitivity = toml::from_str(&text).map_err(|e| invalid(toml_message(&text, &e)))?;
        let design = Design::new(path, &text, &raw.base, raw.seed, raw.replications, &raw.set, raw.parameters)?;
        let levels = raw.levels.unwrap_or(4);
        if raw.samples < 2 {
            return Err(invalid(format!("samples: expected at least 2, found {}", raw.samples)));
        }
        if !(2..=20).contains(&levels) || !levels.is_multiple_of(2) {
            return Err(invalid(format!("levels: expected an even number from 2 to 20, found {levels}")));
        }
        if raw.outputs.is_empty() {
            return Err(invalid("outputs: name at least one, e.g. \"minhu.closed_per_month\"".into()));
        }
        let outputs = raw
            .outputs
            .iter()
            .map(|o| OutputSpec::parse(o, &design.platforms))
            .collect::<Result<Vec<_>, _>>()
            .map_err(invalid)?;
        Ok(Study {
            name: raw
                .name
                .or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .unwrap_or("sensitivity".into()),
            method: raw.method,
            samples: raw.samples,
            levels,
            bootstrap: raw.bootstrap.unwrap_or(500),
            outputs,
            design,
        })
    }

    /// The design's points on the unit cube.
    pub fn unit_points(&self) -> Vec<Vec<f64>> {
        let k = self.design.parameters.len();
        match self.method {
            Method::Sobol => saltelli(self.samples, k, self.design.seed),
            Method::Morris => trajectories(self.samples, k, self.levels, self.design.seed),
        }
    }
}

/// The indices of one output.
#[derive(Clone, Debug)]
pub enum Indices {
    /// Sobol first-order and total.
    Sobol(SobolIndices),
    /// Morris μ*, μ, σ.
    Morris(Vec<MorrisFactor>),
}

/// Results for one output.
#[derive(Clone, Debug)]
pub struct OutputIndices {
    /// The output.
    pub output: String,
    /// Indices per parameter.
    pub indices: Indices,
    /// Variance of the point means (what the indices decompose).
    pub variance: f64,
    /// Variance of a point mean due to replications alone (mean within-point variance / R).
    pub noise_variance: f64,
    /// Points where the output was undefined in every replication (left out as their mean).
    pub undefined_points: usize,
}

impl OutputIndices {
    /// Replication noise as a share of the variance decomposed.
    pub fn noise_share(&self) -> f64 {
        if self.variance > 0.0 { self.noise_variance / self.variance } else { f64::NAN }
    }
}

/// Point means and the mean within-point variance / R of one output.
fn point_means(records: &[RunRecord], reps: usize, o: &OutputSpec) -> (Vec<f64>, f64, usize) {
    let mut means = Vec::new();
    let mut within = Vec::new();
    let mut undefined = 0;
    for chunk in records.chunks(reps) {
        let xs: Vec<f64> = chunk.iter().map(|r| o.value(r)).filter(|v| !v.is_nan()).collect();
        if xs.is_empty() {
            undefined += 1;
            means.push(f64::NAN);
            continue;
        }
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        if xs.len() > 1 {
            let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
            within.push(v / xs.len() as f64);
        }
        means.push(m);
    }
    let noise = if within.is_empty() { f64::NAN } else { within.iter().sum::<f64>() / within.len() as f64 };
    (means, noise, undefined)
}

/// Computes the indices of every output from a finished design's records.
pub fn analyse(study: &Study, m: &Manifest, records: &[RunRecord]) -> Vec<OutputIndices> {
    let k = study.design.parameters.len();
    let reps = m.replications as usize;
    let unit = study.unit_points();
    study
        .outputs
        .iter()
        .map(|o| {
            let (mut y, noise, undefined) = point_means(records, reps, o);
            // An undefined point mean (no replication defined it) is replaced by the mean of the
            // defined ones, so the design stays balanced; the count is reported.
            let defined: Vec<f64> = y.iter().copied().filter(|v| !v.is_nan()).collect();
            let fill = if defined.is_empty() { 0.0 } else { defined.iter().sum::<f64>() / defined.len() as f64 };
            y.iter_mut().filter(|v| v.is_nan()).for_each(|v| *v = fill);
            let mean = y.iter().sum::<f64>() / y.len() as f64;
            let variance = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (y.len().max(2) - 1) as f64;
            let indices = match study.method {
                Method::Sobol => {
                    Indices::Sobol(sobol_indices(&y, study.samples, k, study.bootstrap, study.design.seed, 0.95))
                }
                Method::Morris => Indices::Morris(morris(&unit, &y, k, study.bootstrap, study.design.seed, 0.95)),
            };
            OutputIndices {
                output: o.name.clone(),
                indices,
                variance,
                noise_variance: noise,
                undefined_points: undefined,
            }
        })
        .collect()
}

/// Runs the study's design into `dir` (resumable), reads it back and computes the indices.
pub fn run(
    study: &Study,
    dir: &Path,
    opts: &RunOptions,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<OutputIndices>, AnalysisError> {
    let sweep = study.design.sweep(&study.name, &study.unit_points())?;
    run_sweep(&sweep, dir, opts, tick)?;
    let (m, records) = read_runs(dir)?;
    Ok(analyse(study, &m, &records))
}

/// One row of `indices.csv`.
fn rows(study: &Study, r: &OutputIndices) -> Vec<[String; 6]> {
    let mut out = Vec::new();
    let row = |p: &str, measure: &str, e: Estimate| {
        [r.output.clone(), p.to_string(), measure.to_string(), num(e.value), num(e.low), num(e.high)]
    };
    let bare = |v: f64| Estimate { value: v, low: f64::NAN, high: f64::NAN };
    for (i, p) in study.design.parameters.iter().enumerate() {
        match &r.indices {
            Indices::Sobol(s) => {
                out.push(row(&p.path, "first_order", s.first[i]));
                out.push(row(&p.path, "total", s.total[i]));
            }
            Indices::Morris(m) => {
                out.push(row(&p.path, "mu_star", m[i].mu_star));
                out.push(row(&p.path, "mu", bare(m[i].mu)));
                out.push(row(&p.path, "sigma", bare(m[i].sigma)));
            }
        }
    }
    out.push(row("", "variance_of_point_means", bare(r.variance)));
    out.push(row("", "replication_noise_variance", bare(r.noise_variance)));
    out.push(row("", "replication_noise_share", bare(r.noise_share())));
    out
}

/// Writes `indices.csv`: `output, parameter, measure, value, ci95_low, ci95_high`.
pub fn write_indices(path: &Path, study: &Study, results: &[OutputIndices]) -> Result<(), AnalysisError> {
    write_atomic(path, |w| {
        writeln!(w, "output,parameter,measure,value,ci95_low,ci95_high")?;
        for r in results {
            for row in rows(study, r) {
                writeln!(w, "{}", row.join(","))?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// The terminal table of one output.
pub fn table(study: &Study, r: &OutputIndices) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let ci = |e: &Estimate| format!("{:.3} [{:.3}, {:.3}]", e.value, e.low, e.high);
    let width = study.design.parameters.iter().map(|p| p.path.len()).max().unwrap_or(9).max(9);
    let _ = writeln!(s, "{}", r.output);
    match &r.indices {
        Indices::Sobol(x) => {
            let _ = writeln!(s, "  {:<width$}  {:>24}  {:>24}", "parameter", "first order [95% CI]", "total [95% CI]");
            for (i, p) in study.design.parameters.iter().enumerate() {
                let _ = writeln!(s, "  {:<width$}  {:>24}  {:>24}", p.path, ci(&x.first[i]), ci(&x.total[i]));
            }
        }
        Indices::Morris(m) => {
            let _ = writeln!(s, "  {:<width$}  {:>26}  {:>10}  {:>10}", "parameter", "mu* [95% CI]", "mu", "sigma");
            for (i, p) in study.design.parameters.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "  {:<width$}  {:>26}  {:>10.3}  {:>10.3}",
                    p.path,
                    ci(&m[i].mu_star),
                    m[i].mu,
                    m[i].sigma
                );
            }
        }
    }
    let _ = writeln!(
        s,
        "  replication noise: {:.2}% of the variance of point means ({} replications per point, common random numbers){}",
        r.noise_share() * 100.0,
        study.design.replications,
        if r.undefined_points > 0 {
            format!("; {} points undefined, set to the mean", r.undefined_points)
        } else {
            String::new()
        }
    );
    s
}

/// Bar series for the chart of one output: (measure name, per-parameter estimates).
pub fn bars(r: &OutputIndices) -> Vec<(String, Vec<Estimate>)> {
    match &r.indices {
        Indices::Sobol(x) => vec![("first order".into(), x.first.clone()), ("total".into(), x.total.clone())],
        Indices::Morris(m) => vec![("mu*".into(), m.iter().map(|f| f.mu_star).collect())],
    }
}
