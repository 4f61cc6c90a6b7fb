//! `embedsim calibrate`: fit scenario parameters to target statistics by the simulated method of
//! moments (McFadden 1989; Gouriéroux & Monfort 1996) with common random numbers and Nelder–Mead.
//!
//! * Moments: each target names an output (`PLATFORM.METRIC` or `PLATFORM.share_REGIME`), a value
//!   and `sd`, the standard error of that value. The simulated moment m_i(θ) is the output's mean
//!   over R replications, always the same replications (seeds): common random numbers make
//!   m(θ) a smooth, deterministic function that a derivative-free optimiser can follow.
//! * Objective: Q(θ) = Σ_i ((m_i(θ) − t_i) / sd_i)², minimised by Nelder–Mead on the unit cube of
//!   the parameters' bounds.
//! * Uncertainty: by the delta method (sandwich), with G = ∂m/∂θ by central differences (on the
//!   same random numbers), W = diag(1/sd²) and Σ = diag(sd²) + the simulation variance of each
//!   m_i (within-point variance / R): Cov(θ̂) = (G'WG)⁻¹ G'WΣWG (G'WG)⁻¹.
//! * Held-out targets are simulated at θ̂ and reported with their z-scores; they never enter Q.
//! * Global search (optional, `global_points`): a Latin hypercube of that many points over the
//!   bounds is evaluated first, and Nelder–Mead starts from the best of it and `start`. Nelder–
//!   Mead is sequential by nature (each step needs the last); the global search is not, so it is
//!   what a cluster shares: `--shard K/N` evaluates global points i with i mod N = K − 1 into its
//!   own journal, `merge` joins the journals, and `--resume` on the merged folder finds every
//!   global point there and runs the local search on one machine: the same files as one run.
//! * Every evaluation is journaled (`calibration.partial.csv`); `--resume` replays it: the
//!   optimiser is deterministic, so it asks for the same points and finds them in the journal.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::engine::dist::uniform;
use crate::engine::rng::Streams;
use crate::experiment::run_all;
use crate::experiment::shard::Shard;
use crate::metrics::summary::summarize;
use crate::output::atomic::{num, write_atomic};

use super::design::{AnalysisError, Bounded, Design, toml_message};
use super::neldermead::{NmSettings, minimise};
use super::sensitivity::OutputSpec;
use crate::experiment::sweep_files::RunRecord;

/// The journal of evaluations.
pub const JOURNAL: &str = "calibration.partial.csv";

/// Written beside a shard's journal when the shard has evaluated all its global points: which
/// calibration, which shard; `merge` reads it.
pub const SHARD_FILE: &str = "calibration.shard";

/// The most global points a calibration may ask for (each is R replications).
pub const MAX_GLOBAL_POINTS: usize = 10_000;

/// How much lower than the estimate's objective a profile point must be for the report to call
/// the estimate a local minimum (small against the 3.84 of a profile interval).
const LOWER_BY: f64 = 0.05;

/// The most grid points of a parameter's profile.
pub const MAX_PROFILE_POINTS: usize = 101;

/// The rise of the objective that bounds a profile interval: the 95% point of chi-squared with
/// one degree of freedom (Q is a sum of squared z-scores, so Q(θ) − min Q is a likelihood-ratio
/// statistic when the targets' sd are their standard errors).
pub const PROFILE_THRESHOLD: f64 = 3.841_458_820_694_124;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParam {
    path: String,
    min: f64,
    max: f64,
    start: Option<f64>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    output: String,
    value: f64,
    sd: f64,
    #[allow(dead_code)]
    source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalibration {
    name: Option<String>,
    #[allow(dead_code)]
    description: Option<String>,
    base: String,
    seed: Option<u64>,
    replications: Option<u32>,
    max_evaluations: Option<usize>,
    global_points: Option<usize>,
    profile_points: Option<usize>,
    profile_evaluations: Option<usize>,
    #[serde(default)]
    set: toml::Table,
    parameters: Vec<RawParam>,
    targets: Vec<RawTarget>,
    #[serde(default)]
    held_out: Vec<RawTarget>,
}

/// A target statistic.
#[derive(Clone, Debug)]
pub struct Target {
    /// The output.
    pub output: OutputSpec,
    /// Target value.
    pub value: f64,
    /// Its standard error (the weight is 1/sd²).
    pub sd: f64,
}

/// A calibration, loaded and checked.
#[derive(Clone, Debug)]
pub struct Calibration {
    /// Name.
    pub name: String,
    /// Base, parameters, seed, replications.
    pub design: Design,
    /// Starting point on the unit cube.
    pub start: Vec<f64>,
    /// Fitted targets.
    pub targets: Vec<Target>,
    /// Reported, not fitted.
    pub held_out: Vec<Target>,
    /// Evaluation budget of the optimiser.
    pub max_evaluations: usize,
    /// Points of the global search before Nelder–Mead (0: none; start at `start`).
    pub global_points: usize,
    /// Grid points of each parameter's profile (0: no profile).
    pub profile_points: usize,
    /// Nelder–Mead's budget over the other parameters at each profile point.
    pub profile_evaluations: usize,
}

impl Calibration {
    /// Reads a calibration file (format in docs/RESEARCH.md).
    pub fn load(path: &Path) -> Result<Calibration, AnalysisError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| AnalysisError::Read { path: path.into(), source })?;
        let invalid = |message: String| AnalysisError::Invalid { file: file.clone(), message };
        let raw: RawCalibration = toml::from_str(&text).map_err(|e| invalid(toml_message(&text, &e)))?;
        let params: Vec<Bounded> =
            raw.parameters.iter().map(|p| Bounded { path: p.path.clone(), min: p.min, max: p.max }).collect();
        let design = Design::new(path, &text, &raw.base, raw.seed, raw.replications, &raw.set, params)?;
        if design.replications < 2 {
            return Err(invalid("replications: expected at least 2 (the uncertainty needs replication noise)".into()));
        }
        let mut start = Vec::new();
        for p in &raw.parameters {
            let s = p.start.unwrap_or((p.min + p.max) / 2.0);
            if !(p.min..=p.max).contains(&s) {
                return Err(invalid(format!("parameter `{}`: start {s} is outside [{}, {}]", p.path, p.min, p.max)));
            }
            start.push((s - p.min) / (p.max - p.min));
        }
        let targets = |v: &[RawTarget], what: &str| {
            v.iter()
                .map(|t| {
                    if !(t.sd > 0.0 && t.sd.is_finite() && t.value.is_finite()) {
                        return Err(format!("{what} `{}`: expected a finite value and sd > 0", t.output));
                    }
                    Ok(Target { output: OutputSpec::parse(&t.output, &design.platforms)?, value: t.value, sd: t.sd })
                })
                .collect::<Result<Vec<_>, String>>()
        };
        let fitted = targets(&raw.targets, "target").map_err(invalid)?;
        let held_out = targets(&raw.held_out, "held_out").map_err(invalid)?;
        let global_points = raw.global_points.unwrap_or(0);
        if global_points > MAX_GLOBAL_POINTS {
            return Err(invalid(format!(
                "global_points: expected 0 to {MAX_GLOBAL_POINTS} (each point is `replications` runs), found {global_points}"
            )));
        }
        let profile_points = raw.profile_points.unwrap_or(0);
        if profile_points != 0 && !(3..=MAX_PROFILE_POINTS).contains(&profile_points) {
            return Err(invalid(format!(
                "profile_points: expected 0 (no profile) or 3 to {MAX_PROFILE_POINTS} grid points per parameter, found {profile_points}"
            )));
        }
        let profile_evaluations = raw.profile_evaluations.unwrap_or(30);
        if !(1..=1_000).contains(&profile_evaluations) {
            return Err(invalid(format!(
                "profile_evaluations: expected 1 to 1000 (Nelder-Mead's budget at each profile point), found {profile_evaluations}"
            )));
        }
        if fitted.len() < design.parameters.len() {
            return Err(invalid(format!(
                "{} parameters but {} targets: at least as many targets as parameters are needed",
                design.parameters.len(),
                fitted.len()
            )));
        }
        Ok(Calibration {
            name: raw
                .name
                .or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .unwrap_or("calibration".into()),
            design,
            start,
            targets: fitted,
            held_out,
            max_evaluations: raw.max_evaluations.unwrap_or(150),
            global_points,
            profile_points,
            profile_evaluations,
        })
    }

    /// The global search's points on the unit cube: a Latin hypercube (each parameter's range
    /// cut into `global_points` strata, one point in each, strata paired at random) drawn from
    /// the stream `calibration/global` of the calibration's seed.
    pub fn global_design(&self) -> Vec<Vec<f64>> {
        let n = self.global_points;
        let mut rng = Streams::new(self.design.seed, 0).stream("calibration/global");
        let columns: Vec<Vec<f64>> = (0..self.design.parameters.len())
            .map(|_| {
                let mut strata: Vec<usize> = (0..n).collect();
                for i in (1..n).rev() {
                    let j = ((uniform(&mut rng) * (i + 1) as f64) as usize).min(i);
                    strata.swap(i, j);
                }
                strata.iter().map(|&s| (s as f64 + uniform(&mut rng)) / n as f64).collect()
            })
            .collect();
        (0..n).map(|i| columns.iter().map(|c| c[i]).collect()).collect()
    }

    fn outputs(&self) -> Vec<&Target> {
        self.targets.iter().chain(&self.held_out).collect()
    }

    fn fingerprint(&self) -> String {
        let h = [self.design.text.as_bytes(), self.design.base_text.as_bytes(), env!("CARGO_PKG_VERSION").as_bytes()]
            .iter()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, bytes| {
                bytes.iter().fold(h, |h, b| (h ^ *b as u64).wrapping_mul(0x0000_0100_0000_01b3))
            });
        format!("{h:016x}")
    }
}

/// Mean and variance of the mean (within-point variance / R) of every output, targets first.
#[derive(Clone, Debug, PartialEq)]
pub struct Moments {
    /// Means.
    pub mean: Vec<f64>,
    /// Simulation variance of each mean.
    pub var_of_mean: Vec<f64>,
}

/// One fitted parameter.
#[derive(Clone, Debug)]
pub struct Fitted {
    /// Key path.
    pub path: String,
    /// Estimate.
    pub value: f64,
    /// Standard error (delta method); NaN when G'WG is singular or the standard error would
    /// exceed the parameter's whole range (the targets do not fix it locally).
    pub se: f64,
    /// Start.
    pub start: f64,
    /// What the profile says of this parameter (None without a profile).
    pub profile: Option<Identified>,
}

/// What the targets say of one parameter, read off its profile: the values whose profile objective
/// is within [`PROFILE_THRESHOLD`] of the lowest objective found anywhere ([`profile_interval`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Identified {
    /// Lowest and highest such value, each interpolated to the threshold's crossing (NaN, NaN when
    /// no point is within the threshold: `unresolved`).
    pub low: f64,
    /// See `low`.
    pub high: f64,
    /// Whether `low` is the lower bound of the range, i.e. the targets do not rule out low values.
    pub open_low: bool,
    /// Whether `high` is the upper bound.
    pub open_high: bool,
}

impl Identified {
    /// `pinned`, `bounded below`, `bounded above`, `free` (not identified by the targets), or
    /// `unresolved` (no profile point within the threshold: the re-fits fell short of the best
    /// objective found, so the profile says nothing).
    pub fn verdict(&self) -> &'static str {
        if self.low.is_nan() {
            return "unresolved";
        }
        match (self.open_low, self.open_high) {
            (false, false) => "pinned",
            (true, false) => "bounded above",
            (false, true) => "bounded below",
            (true, true) => "free",
        }
    }
}

/// The profile interval from `(value, objective above the least)` points, finite, sorted by value
/// and one per value: the
/// hull of the points within [`PROFILE_THRESHOLD`], each end moved out to where the objective's
/// rise, its square root interpolated linearly to the next point outside, crosses the threshold;
/// an end at the range's own end (`grid_ends`) is open.
pub fn profile_interval(pts: &[(f64, f64)], grid_ends: (f64, f64)) -> Identified {
    let inside: Vec<usize> = (0..pts.len()).filter(|&i| pts[i].1 <= PROFILE_THRESHOLD).collect();
    let (Some(&lo), Some(&hi)) = (inside.first(), inside.last()) else {
        return Identified { low: f64::NAN, high: f64::NAN, open_low: false, open_high: false };
    };
    // Interpolated on the root of the objective's rise, which is linear in the parameter near a
    // smooth minimum (the rise itself is quadratic, and interpolating it linearly between a coarse
    // grid's points would put the crossing too near the inside point and narrow the interval).
    let root = |d: f64| d.max(0.0).sqrt();
    let cross = |inn: (f64, f64), out: (f64, f64)| {
        let (ri, ro, rt) = (root(inn.1), root(out.1), PROFILE_THRESHOLD.sqrt());
        if ro == ri { inn.0 } else { inn.0 + (out.0 - inn.0) * (rt - ri) / (ro - ri) }
    };
    let low = if lo > 0 { cross(pts[lo], pts[lo - 1]) } else { pts[lo].0 };
    let high = if hi + 1 < pts.len() { cross(pts[hi], pts[hi + 1]) } else { pts[hi].0 };
    Identified {
        low,
        high,
        open_low: lo == 0 && pts[lo].0 <= grid_ends.0,
        open_high: hi + 1 == pts.len() && pts[hi].0 >= grid_ends.1,
    }
}

/// One point of a profile: parameter `parameter` held at `at[parameter]`, the others minimised.
#[derive(Clone, Debug)]
pub struct ProfilePoint {
    /// Index of the profiled parameter.
    pub parameter: usize,
    /// The point (parameter values, not unit-cube coordinates).
    pub at: Vec<f64>,
    /// The objective there.
    pub objective: f64,
    /// The fitted targets' simulated means there, in target order.
    pub simulated: Vec<f64>,
}

/// The fit of one target or held-out target.
#[derive(Clone, Debug)]
pub struct Fit {
    /// Output name.
    pub output: String,
    /// Fitted (true) or held out.
    pub fitted: bool,
    /// Target value and sd.
    pub target: f64,
    /// Target sd.
    pub sd: f64,
    /// Simulated mean at the estimate.
    pub simulated: f64,
    /// Simulation standard error of that mean.
    pub sim_se: f64,
}

impl Fit {
    /// (simulated − target) / √(sd² + sim_se²).
    pub fn z(&self) -> f64 {
        (self.simulated - self.target) / (self.sd.powi(2) + self.sim_se.powi(2)).sqrt()
    }
}

/// The result of a calibration.
#[derive(Clone, Debug)]
pub struct Result_ {
    /// Parameters.
    pub parameters: Vec<Fitted>,
    /// Every target, fitted ones first.
    pub fits: Vec<Fit>,
    /// Objective at the estimate.
    pub objective: f64,
    /// Distinct evaluations (each R replications), including the derivative points.
    pub evaluations: usize,
    /// Of those, taken from the journal.
    pub resumed: usize,
    /// Whether Nelder–Mead met its tolerances.
    pub converged: bool,
    /// Every profile point, parameter by parameter (empty without a profile).
    pub profile: Vec<ProfilePoint>,
    /// The lowest objective found anywhere (below `objective` when the profile found a better
    /// point than the optimiser: the estimate is then a local minimum).
    pub best_objective: f64,
    /// P(χ²(q − k) ≥ objective): the overidentification test (Hansen's J), NaN when there are
    /// as many targets as parameters.
    pub overid_p: f64,
}

fn key(u: &[f64]) -> String {
    u.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(";")
}

/// The simulated moments at unit point `u`.
fn simulate(c: &Calibration, u: &[f64], threads: Option<usize>) -> Result<Moments, AnalysisError> {
    let (_, mut sc) = c.design.scenario_at(u)?;
    // Only the summaries are read: the runs keep no daily records.
    sc.simulation.day_records = crate::scenario::DayRecords::Summary { warmup_metric: "open".into() };
    let outs = run_all(&sc, threads, &|| {})?;
    let records: Vec<RunRecord> =
        outs.iter().enumerate().map(|(i, o)| RunRecord { run: i, rows: summarize(&sc, o), unstable: None }).collect();
    let (mut mean, mut var_of_mean) = (Vec::new(), Vec::new());
    for t in c.outputs() {
        let xs: Vec<f64> = records.iter().map(|r| t.output.value(r)).filter(|v| !v.is_nan()).collect();
        let n = xs.len() as f64;
        let m = if xs.is_empty() { f64::NAN } else { xs.iter().sum::<f64>() / n };
        let v = if xs.len() < 2 { f64::NAN } else { xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0) / n };
        mean.push(m);
        var_of_mean.push(v);
    }
    Ok(Moments { mean, var_of_mean })
}

fn objective(c: &Calibration, m: &Moments) -> f64 {
    c.targets.iter().zip(&m.mean).map(|(t, x)| ((x - t.value) / t.sd).powi(2)).sum()
}

/// Solves A x = b for symmetric positive definite A by Gauss–Jordan with partial pivoting;
/// None when singular.
fn invert(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .enumerate()
        .map(|(i, r)| r.iter().copied().chain((0..n).map(|j| (i == j) as u8 as f64)).collect())
        .collect();
    for col in 0..n {
        let piv = (col..n).max_by(|&x, &y| m[x][col].abs().total_cmp(&m[y][col].abs()))?;
        if m[piv][col].abs() < 1e-300 {
            return None;
        }
        m.swap(col, piv);
        let p = m[col][col];
        m[col].iter_mut().for_each(|v| *v /= p);
        for r in 0..n {
            if r != col {
                let f = m[r][col];
                let row = m[col].clone();
                m[r].iter_mut().zip(&row).for_each(|(v, c)| *v -= f * c);
            }
        }
    }
    Some(m.into_iter().map(|r| r[n..].to_vec()).collect())
}

/// Delta-method covariance of the unit-cube estimate (see the module docs).
pub fn sandwich(g: &[Vec<f64>], sd: &[f64], sim_var: &[f64]) -> Option<Vec<Vec<f64>>> {
    let (q, k) = (g.len(), g.first().map_or(0, |r| r.len()));
    let w: Vec<f64> = sd.iter().map(|s| 1.0 / (s * s)).collect();
    let sigma: Vec<f64> = sd.iter().zip(sim_var).map(|(s, v)| s * s + if v.is_nan() { 0.0 } else { *v }).collect();
    let bread: Vec<Vec<f64>> =
        (0..k).map(|a| (0..k).map(|b| (0..q).map(|i| g[i][a] * w[i] * g[i][b]).sum()).collect()).collect();
    let meat: Vec<Vec<f64>> = (0..k)
        .map(|a| (0..k).map(|b| (0..q).map(|i| g[i][a] * w[i] * sigma[i] * w[i] * g[i][b]).sum()).collect())
        .collect();
    let inv = invert(&bread)?;
    let prod = |x: &[Vec<f64>], y: &[Vec<f64>]| -> Vec<Vec<f64>> {
        (0..k).map(|a| (0..k).map(|b| (0..k).map(|j| x[a][j] * y[j][b]).sum()).collect()).collect()
    };
    Some(prod(&prod(&inv, &meat), &inv))
}

/// A journal's records: every whole line after the header (a torn last line, with no newline,
/// is dropped).
fn records(text: &str) -> impl Iterator<Item = &str> {
    let whole = if text.ends_with('\n') { text.lines().count() } else { text.lines().count().saturating_sub(1) };
    text.lines().take(whole).skip(1)
}

/// Journal: header line with the fingerprint, then `key,mean...,var...` per evaluation.
fn read_journal(path: &Path, c: &Calibration) -> Result<BTreeMap<String, Moments>, AnalysisError> {
    let text = std::fs::read_to_string(path).map_err(|source| AnalysisError::Read { path: path.into(), source })?;
    let mut lines = text.lines();
    if lines.next() != Some(&journal_header(&c.fingerprint())) {
        return Err(AnalysisError::Invalid {
            file: path.display().to_string(),
            message:
                "this journal belongs to another calibration file, base or version; delete it or use another --out"
                    .into(),
        });
    }
    let q = c.outputs().len();
    let mut out = BTreeMap::new();
    for line in records(&text) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 1 + 2 * q {
            continue;
        }
        let p = |s: &str| if s.is_empty() { Ok(f64::NAN) } else { s.parse::<f64>() };
        let (Ok(mean), Ok(var)) = (
            f[1..=q].iter().map(|s| p(s)).collect::<Result<Vec<_>, _>>(),
            f[1 + q..].iter().map(|s| p(s)).collect::<Result<Vec<_>, _>>(),
        ) else {
            continue;
        };
        out.insert(f[0].to_string(), Moments { mean, var_of_mean: var });
    }
    Ok(out)
}

/// Progress of a calibration: (evaluations so far, best objective so far).
pub type Progress<'a> = &'a (dyn Fn(usize, f64) + Sync);

fn journal_line(k: &str, m: &Moments) -> String {
    let f: Vec<String> = m.mean.iter().chain(&m.var_of_mean).map(|v| num(*v)).collect();
    format!("{k},{}\n", f.join(","))
}

fn journal_header(fingerprint: &str) -> String {
    format!("# embedsim calibration journal {fingerprint}")
}

/// The evaluations of one folder: read back from its journal, appended to it as they finish.
struct Journal<'a> {
    c: &'a Calibration,
    path: PathBuf,
    cache: BTreeMap<String, Moments>,
    file: std::fs::File,
    resumed: usize,
    threads: Option<usize>,
    stop_after: Option<usize>,
    evals: usize,
    best: f64,
    progress: Progress<'a>,
}

impl<'a> Journal<'a> {
    /// Opens `dir`'s journal: refused when one is there without `resume`; rewritten with its
    /// complete records only.
    fn open(
        c: &'a Calibration,
        dir: &Path,
        threads: Option<usize>,
        resume: bool,
        stop_after: Option<usize>,
        progress: Progress<'a>,
    ) -> Result<Journal<'a>, AnalysisError> {
        std::fs::create_dir_all(dir).map_err(|source| crate::output::WriteError { path: dir.into(), source })?;
        let path = dir.join(JOURNAL);
        let mut cache = BTreeMap::new();
        if path.exists() {
            if !resume {
                return Err(AnalysisError::Invalid {
                    file: path.display().to_string(),
                    message: "a calibration's journal is here (an unfinished calibration, or a shard's \
                              evaluations): continue with --resume, or delete the file"
                        .into(),
                });
            }
            cache = read_journal(&path, c)?;
        }
        write_atomic(&path, |w| {
            writeln!(w, "{}", journal_header(&c.fingerprint()))?;
            for (k, m) in &cache {
                w.write_all(journal_line(k, m).as_bytes())?;
            }
            Ok(())
        })?;
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|source| crate::output::WriteError { path: path.clone(), source })?;
        let resumed = cache.len();
        Ok(Journal { c, path, cache, file, resumed, threads, stop_after, evals: 0, best: f64::INFINITY, progress })
    }

    /// The moments at `u`: from the journal, or simulated and journaled.
    fn eval(&mut self, u: &[f64]) -> Result<Moments, AnalysisError> {
        let k = key(u);
        self.evals += 1;
        let m = match self.cache.get(&k) {
            Some(m) => m.clone(),
            None => {
                if self.stop_after.is_some_and(|n| self.cache.len() >= self.resumed + n) {
                    return Err(AnalysisError::Stopped { done: self.cache.len() - self.resumed });
                }
                let m = simulate(self.c, u, self.threads)?;
                self.file
                    .write_all(journal_line(&k, &m).as_bytes())
                    .and_then(|_| self.file.flush())
                    .map_err(|source| crate::output::WriteError { path: self.path.clone(), source })?;
                self.cache.insert(k, m.clone());
                m
            }
        };
        self.best = self.best.min(objective(self.c, &m));
        (self.progress)(self.evals, self.best);
        Ok(m)
    }
}

/// Runs the calibration into `dir`: journal while running, then `calibration.csv`, `fit.csv` and
/// `calibration.toml` (seeds, version, settings, results). With `stop_after`, stops with
/// [`AnalysisError::Stopped`] after that many new evaluations (tests of `--resume`).
pub fn calibrate(
    c: &Calibration,
    dir: &Path,
    threads: Option<usize>,
    resume: bool,
    stop_after: Option<usize>,
    progress: Progress,
) -> Result<Result_, AnalysisError> {
    let mut journal = Journal::open(c, dir, threads, resume, stop_after, progress)?;
    let resumed = journal.resumed;
    // The global search: Nelder–Mead starts from the best of `start` and the global points
    // (the first of equals, `start` first).
    let mut start = c.start.clone();
    if c.global_points > 0 {
        let mut best = objective(c, &journal.eval(&start)?);
        for u in c.global_design() {
            let q = objective(c, &journal.eval(&u)?);
            if q < best {
                (best, start) = (q, u);
            }
        }
    }
    let settings = NmSettings { max_evals: c.max_evaluations, ..NmSettings::default() };
    let nm = minimise(&start, &settings, &mut |u: &[f64]| journal.eval(u).map(|m| objective(c, &m)))?;
    let mut eval = |u: &[f64]| journal.eval(u);
    let at = eval(&nm.x)?;
    // Jacobian of the fitted moments by central differences on the unit cube.
    let k = c.design.parameters.len();
    let q = c.targets.len();
    let h = 0.02;
    let mut g = vec![vec![0.0; k]; q];
    for j in 0..k {
        let mut up = nm.x.clone();
        let mut down = nm.x.clone();
        up[j] = (up[j] + h).min(1.0);
        down[j] = (down[j] - h).max(0.0);
        let (mu, md) = (eval(&up)?, eval(&down)?);
        for (i, row) in g.iter_mut().enumerate() {
            row[j] = (mu.mean[i] - md.mean[i]) / (up[j] - down[j]);
        }
    }
    let sd: Vec<f64> = c.targets.iter().map(|t| t.sd).collect();
    let cov = sandwich(&g, &sd, &at.var_of_mean[..q]);
    let to_value = |j: usize, u: f64| {
        let p = &c.design.parameters[j];
        p.min + (p.max - p.min) * u
    };
    // The profile: each parameter held at each grid value, the others re-fitted (a ridge shows as
    // a flat profile where the delta method's slope says nothing).
    let mut profile = Vec::new();
    let mut best_objective = nm.f;
    if c.profile_points > 0 {
        let inner = NmSettings { max_evals: c.profile_evaluations, ..NmSettings::default() };
        for j in 0..k {
            // Each grid point's re-fit starts from the better of the estimate and the last grid
            // point's optimum: along a ridge the neighbour is the nearer start.
            let mut previous: Option<Vec<f64>> = None;
            for gi in 0..c.profile_points {
                let v = gi as f64 / (c.profile_points - 1) as f64;
                let full = |rest: &[f64]| -> Vec<f64> {
                    let mut u = rest.to_vec();
                    u.insert(j, v);
                    u
                };
                let mut others = nm.x.clone();
                others.remove(j);
                let u = if others.is_empty() {
                    full(&[])
                } else {
                    if let Some(prev) = &previous {
                        let here = objective(c, &journal.eval(&full(&others))?);
                        if objective(c, &journal.eval(&full(prev))?) < here {
                            others = prev.clone();
                        }
                    }
                    let r = minimise(&others, &inner, &mut |rest: &[f64]| {
                        journal.eval(&full(rest)).map(|m| objective(c, &m))
                    })?;
                    previous = Some(r.x.clone());
                    full(&r.x)
                };
                let m = journal.eval(&u)?;
                let f = objective(c, &m);
                best_objective = best_objective.min(f);
                let at = u.iter().enumerate().map(|(i, x)| to_value(i, *x)).collect();
                profile.push(ProfilePoint { parameter: j, at, objective: f, simulated: m.mean[..q].to_vec() });
            }
        }
    }
    let identified = |j: usize| -> Option<Identified> {
        let mut pts: Vec<(f64, f64)> =
            profile.iter().filter(|p| p.parameter == j).map(|p| (p.at[j], p.objective - best_objective)).collect();
        if pts.is_empty() {
            return None;
        }
        let grid_ends = (pts[0].0, pts[pts.len() - 1].0);
        // The estimate is a point of the profile when it is inside the threshold (outside, its
        // objective only bounds the profile there from above and could fake a crossing).
        if nm.f - best_objective <= PROFILE_THRESHOLD {
            pts.push((to_value(j, nm.x[j]), nm.f - best_objective));
        }
        pts.retain(|p| p.1.is_finite());
        pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        // One point per value, the lower objective.
        pts.dedup_by(|later, kept| later.0 == kept.0);
        Some(profile_interval(&pts, grid_ends))
    };
    let parameters = c
        .design
        .parameters
        .iter()
        .enumerate()
        .map(|(j, p)| {
            let range = p.max - p.min;
            Fitted {
                path: p.path.clone(),
                value: to_value(j, nm.x[j]),
                // A standard error wider than the whole range says the targets do not fix the
                // parameter locally (a ridge or a flat pattern target): no number, not a huge one.
                se: cov
                    .as_ref()
                    .map(|v| v[j][j].max(0.0).sqrt())
                    .filter(|se| *se <= 1.0)
                    .map_or(f64::NAN, |se| se * range),
                start: to_value(j, c.start[j]),
                profile: identified(j),
            }
        })
        .collect();
    let fits = c
        .outputs()
        .iter()
        .enumerate()
        .map(|(i, t)| Fit {
            output: t.output.name.clone(),
            fitted: i < q,
            target: t.value,
            sd: t.sd,
            simulated: at.mean[i],
            sim_se: at.var_of_mean[i].sqrt(),
        })
        .collect();
    let Journal { cache, path, file, .. } = journal;
    drop(file);
    // At the lowest objective found: the profile may have found a better point than the optimiser.
    let overid_p = if q > k { crate::analysis::special::chi2_sf(best_objective, (q - k) as f64) } else { f64::NAN };
    let result = Result_ {
        parameters,
        fits,
        objective: nm.f,
        evaluations: cache.len(),
        resumed,
        converged: nm.converged,
        profile,
        best_objective,
        overid_p,
    };
    write_results(dir, c, &result)?;
    std::fs::remove_file(&path).map_err(|source| crate::output::WriteError { path: path.clone(), source })?;
    Ok(result)
}

/// What a shard of a calibration did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardOutcome {
    /// Global points this shard owns.
    pub planned: usize,
    /// Of those, already in its journal.
    pub resumed: usize,
}

/// `calibrate --shard K/N`: evaluates the global points this shard owns (i mod N = K − 1) into
/// `dir`'s journal and marks the shard finished ([`SHARD_FILE`]). `merge` joins the shards'
/// journals; `calibrate --resume` on the merged folder then finishes the calibration.
pub fn calibrate_shard(
    c: &Calibration,
    dir: &Path,
    shard: Shard,
    threads: Option<usize>,
    resume: bool,
    stop_after: Option<usize>,
    progress: Progress,
) -> Result<ShardOutcome, AnalysisError> {
    if c.global_points == 0 {
        return Err(AnalysisError::Invalid {
            file: c.design.file.clone(),
            message: "--shard splits a calibration's global search, and this file has none: set `global_points` \
                      (e.g. 64) to evaluate that many points over the bounds first; the sequential local search \
                      runs after `embedsim merge`, with --resume"
                .into(),
        });
    }
    let mut journal = Journal::open(c, dir, threads, resume, stop_after, progress)?;
    let mine: Vec<Vec<f64>> =
        c.global_design().into_iter().enumerate().filter(|(i, _)| shard.owns(*i)).map(|(_, u)| u).collect();
    let resumed = mine.iter().filter(|u| journal.cache.contains_key(&key(u))).count();
    for u in &mine {
        journal.eval(u)?;
    }
    let marker = dir.join(SHARD_FILE);
    write_atomic(&marker, |w| {
        writeln!(w, "# embedsim calibration shard: the journal beside this file holds its global points")?;
        writeln!(w, "fingerprint = \"{}\"", c.fingerprint())?;
        writeln!(w, "shard = \"{shard}\"")?;
        writeln!(w, "global_points = {}", c.global_points)?;
        Ok(())
    })?;
    Ok(ShardOutcome { planned: mine.len(), resumed })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShardMarker {
    fingerprint: String,
    shard: String,
    global_points: usize,
}

/// Joins the journals of a calibration's shards into `out`'s journal, for `calibrate --resume`
/// there. Every shard must be present and finished; an evaluation found twice must be identical.
pub fn merge_shards(dirs: &[PathBuf], out: &Path) -> Result<PathBuf, AnalysisError> {
    let invalid = |path: &Path, message: String| AnalysisError::Invalid { file: path.display().to_string(), message };
    let mut first: Option<(PathBuf, ShardMarker, Shard)> = None;
    let mut seen = std::collections::BTreeSet::new();
    let mut lines: BTreeMap<String, String> = BTreeMap::new();
    for dir in dirs {
        let marker_path = dir.join(SHARD_FILE);
        let text = std::fs::read_to_string(&marker_path).map_err(|_| {
            let why = if dir.join(JOURNAL).exists() {
                "the shard is unfinished: rerun it with --resume"
            } else {
                "not a calibration shard's folder (`embedsim calibrate FILE --shard K/N --out DIR` writes one)"
            };
            invalid(&marker_path, format!("missing: {why}"))
        })?;
        let marker: ShardMarker = toml::from_str(&text).map_err(|e| invalid(&marker_path, toml_message(&text, &e)))?;
        let shard: Shard = marker.shard.parse().map_err(|e: String| invalid(&marker_path, format!("shard: {e}")))?;
        if let Some((first_dir, f, first_shard)) = &first {
            if (&f.fingerprint, f.global_points, first_shard.count)
                != (&marker.fingerprint, marker.global_points, shard.count)
            {
                return Err(invalid(
                    &marker_path,
                    format!(
                        "not a shard of the same calibration as {} (fingerprint {}, shard {}, vs {}, {})",
                        first_dir.display(),
                        marker.fingerprint,
                        marker.shard,
                        f.fingerprint,
                        f.shard
                    ),
                ));
            }
        }
        seen.insert(shard.index);
        let path = dir.join(JOURNAL);
        let text =
            std::fs::read_to_string(&path).map_err(|source| AnalysisError::Read { path: path.clone(), source })?;
        let header = journal_header(&marker.fingerprint);
        if text.lines().next() != Some(header.as_str()) {
            return Err(invalid(&path, format!("expected the first line `{header}`")));
        }
        for line in records(&text) {
            let Some((k, _)) = line.split_once(',') else { continue };
            match lines.get(k) {
                Some(prev) if prev != line => {
                    return Err(invalid(
                        &path,
                        format!("the evaluation at {k} differs from the same one in another folder"),
                    ));
                }
                Some(_) => {}
                None => {
                    lines.insert(k.to_string(), line.to_string());
                }
            }
        }
        first.get_or_insert((dir.clone(), marker, shard));
    }
    let Some((_, marker, Shard { count, .. })) = first else {
        return Err(invalid(out, "no folders to merge".into()));
    };
    let missing: Vec<String> = (1..=count).filter(|k| !seen.contains(k)).map(|k| format!("{k}/{count}")).collect();
    if !missing.is_empty() {
        return Err(invalid(out, format!("shards {} missing; is a folder absent?", missing.join(", "))));
    }
    let path = out.join(JOURNAL);
    if path.exists() {
        return Err(invalid(&path, "a calibration journal is already here: merge into another folder".into()));
    }
    std::fs::create_dir_all(out).map_err(|source| crate::output::WriteError { path: out.into(), source })?;
    write_atomic(&path, |w| {
        writeln!(w, "{}", journal_header(&marker.fingerprint))?;
        for line in lines.values() {
            writeln!(w, "{line}")?;
        }
        Ok(())
    })?;
    Ok(path)
}

fn write_results(dir: &Path, c: &Calibration, r: &Result_) -> Result<(), AnalysisError> {
    write_atomic(&dir.join("calibration.csv"), |w| {
        writeln!(w, "parameter,estimate,se,ci95_low,ci95_high,start,min,max,profile_low,profile_high,identified")?;
        for (p, b) in r.parameters.iter().zip(&c.design.parameters) {
            let h = 1.959_964 * p.se;
            let (lo, hi, verdict) = match &p.profile {
                Some(i) => (num(i.low), num(i.high), i.verdict()),
                None => (String::new(), String::new(), ""),
            };
            writeln!(
                w,
                "{},{},{},{},{},{},{},{},{lo},{hi},{verdict}",
                p.path,
                num(p.value),
                num(p.se),
                num(p.value - h),
                num(p.value + h),
                num(p.start),
                num(b.min),
                num(b.max)
            )?;
        }
        Ok(())
    })?;
    write_atomic(&dir.join("fit.csv"), |w| {
        writeln!(w, "output,role,target,target_sd,simulated,simulated_se,z")?;
        for f in &r.fits {
            writeln!(
                w,
                "{},{},{},{},{},{},{}",
                f.output,
                if f.fitted { "fitted" } else { "held_out" },
                num(f.target),
                num(f.sd),
                num(f.simulated),
                num(f.sim_se),
                num(f.z())
            )?;
        }
        Ok(())
    })?;
    write_atomic(&dir.join("calibration.toml"), |w| {
        writeln!(w, "# embedsim {} calibration {}", env!("CARGO_PKG_VERSION"), c.name)?;
        writeln!(w, "file = {:?}", c.design.file)?;
        writeln!(w, "base = {:?}", c.design.base_origin)?;
        writeln!(w, "embedsim_version = {:?}", env!("CARGO_PKG_VERSION"))?;
        writeln!(w, "commit = {:?}", crate::provenance::COMMIT)?;
        writeln!(w, "lock_fnv1a = {:?}", crate::provenance::LOCK_FNV1A)?;
        writeln!(w, "seed = \"{}\"", c.design.seed)?;
        writeln!(
            w,
            "replications = {}  # replications 0..{} at every evaluation (common random numbers)",
            c.design.replications, c.design.replications
        )?;
        writeln!(w, "method = \"simulated method of moments, Nelder-Mead, delta-method standard errors\"")?;
        writeln!(w, "evaluations = {}", r.evaluations)?;
        writeln!(w, "converged = {}", r.converged)?;
        writeln!(w, "objective = {}", num(r.objective))?;
        if !r.overid_p.is_nan() {
            writeln!(
                w,
                "overidentification_p = {}  # P(chi2({}) >= the least objective found): small when the targets cannot all be met",
                num(r.overid_p),
                c.targets.len() - c.design.parameters.len()
            )?;
        }
        if c.profile_points > 0 {
            writeln!(w, "profile_points = {}", c.profile_points)?;
            writeln!(w, "best_objective = {}  # the lowest objective found, profile included", num(r.best_objective))?;
        }
        for p in &r.parameters {
            writeln!(
                w,
                "\n[[parameters]]\npath = {:?}\nestimate = {}\nse = {}",
                p.path,
                num(p.value),
                if p.se.is_nan() { "nan".into() } else { num(p.se) }
            )?;
            if let Some(i) = &p.profile {
                writeln!(w, "identified = {:?}", i.verdict())?;
                if !i.low.is_nan() {
                    writeln!(w, "profile_interval = [{}, {}]", num(i.low), num(i.high))?;
                }
            }
        }
        Ok(())
    })?;
    if !r.profile.is_empty() {
        write_atomic(&dir.join("profile.csv"), |w| {
            let names: Vec<&str> = c.design.parameters.iter().map(|p| p.path.as_str()).collect();
            let targets: Vec<String> = c.targets.iter().map(|t| format!("simulated:{}", t.output.name)).collect();
            writeln!(w, "parameter,value,objective,delta_objective,{},{}", names.join(","), targets.join(","))?;
            for p in &r.profile {
                let at: Vec<String> = p.at.iter().chain(&p.simulated).map(|v| num(*v)).collect();
                writeln!(
                    w,
                    "{},{},{},{},{}",
                    names[p.parameter],
                    num(p.at[p.parameter]),
                    num(p.objective),
                    num(p.objective - r.best_objective),
                    at.join(",")
                )?;
            }
            Ok(())
        })?;
    } else if dir.join("profile.csv").exists() {
        // A folder holds one calibration's files: an earlier run's profile must not stay beside these.
        std::fs::remove_file(dir.join("profile.csv"))
            .map_err(|source| crate::output::WriteError { path: dir.join("profile.csv"), source })?;
    }
    Ok(())
}

/// The terminal report.
pub fn report(c: &Calibration, r: &Result_) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {} evaluations x {} replications (seed {}), {}; objective {:.3} over {} targets\n",
        c.name,
        r.evaluations,
        c.design.replications,
        c.design.seed,
        if r.converged { "converged" } else { "stopped at max_evaluations (not converged)" },
        r.objective,
        c.targets.len()
    );
    if !r.overid_p.is_nan() {
        let _ = writeln!(
            s,
            "overidentification: least objective found {:.2} on {} (targets minus parameters), p = {:.3}{}\n",
            r.best_objective,
            match c.targets.len() - c.design.parameters.len() {
                1 => "1 degree of freedom".to_string(),
                n => format!("{n} degrees of freedom"),
            },
            r.overid_p,
            if r.overid_p < 0.05 { ": the targets cannot all be met at once" } else { "" }
        );
    }
    if r.best_objective < r.objective - LOWER_BY {
        let _ = writeln!(
            s,
            "the profile found an objective of {:.3}, below the estimate's by more than {LOWER_BY}: the estimate is a local minimum (see profile.csv)\n",
            r.best_objective
        );
    }
    let header = format!(
        "{:<44} {:>12} {:>12} {:>26}  {}",
        "parameter",
        "estimate",
        "se",
        "95% interval",
        if c.profile_points > 0 { "profile (objective within 3.84 of its least)" } else { "" }
    );
    let _ = writeln!(s, "{}", header.trim_end());
    for p in &r.parameters {
        let prof = match &p.profile {
            Some(i) if i.low.is_nan() => "unresolved (no profile point near the least objective)".to_string(),
            Some(i) => format!("{} [{:.4}, {:.4}]", i.verdict(), i.low, i.high),
            None => String::new(),
        };
        let (se, interval) = if p.se.is_nan() {
            ("-".to_string(), "not fixed locally".to_string())
        } else {
            (format!("{:.4}", p.se), format!("[{:.4}, {:.4}]", p.value - 1.96 * p.se, p.value + 1.96 * p.se))
        };
        let line = format!("{:<44} {:>12.4} {:>12} {:>26}  {prof}", p.path, p.value, se, interval);
        let _ = writeln!(s, "{}", line.trim_end());
    }
    let _ = writeln!(
        s,
        "\n{:<36} {:>9} {:>12} {:>12} {:>22} {:>7}",
        "output", "role", "target", "± sd", "simulated ± se", "z"
    );
    for f in &r.fits {
        let _ = writeln!(
            s,
            "{:<36} {:>9} {:>12.4} {:>12.4} {:>22} {:>7.2}",
            f.output,
            if f.fitted { "fitted" } else { "held out" },
            f.target,
            f.sd,
            format!("{:.4} ± {:.4}", f.simulated, f.sim_se),
            f.z()
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::{PROFILE_THRESHOLD, profile_interval};

    #[test]
    fn a_profile_interval_interpolates_its_crossings_and_knows_open_ends() {
        // A quadratic bowl, its least at 5, the threshold crossed at 4 and 6: the grid points at 2
        // and 8 are outside, 4.5 to 5.5 inside; interpolating the root finds 4 and 6 exactly.
        let t = PROFILE_THRESHOLD;
        let q = |x: f64| t * (x - 5.0_f64).powi(2);
        let bowl: Vec<(f64, f64)> = [0.0, 2.0, 4.5, 5.0, 5.5, 8.0, 10.0].iter().map(|&x| (x, q(x))).collect();
        let i = profile_interval(&bowl, (0.0, 10.0));
        assert!((i.low - 4.0).abs() < 1e-12 && (i.high - 6.0).abs() < 1e-12, "{i:?}");
        assert_eq!(i.verdict(), "pinned");
        // Flat to the upper end: bounded below. Between (0, 3t) and (5, 0) the root falls from
        // sqrt(3t) to 0, so the crossing is at 5 - 5/sqrt(3).
        let ramp = [(0.0, 3.0 * t), (5.0, 0.0), (10.0, 0.5)];
        let i = profile_interval(&ramp, (0.0, 10.0));
        assert_eq!(i.verdict(), "bounded below");
        assert!((i.low - (5.0 - 5.0 / 3f64.sqrt())).abs() < 1e-12 && i.high == 10.0, "{i:?}");
        // Flat everywhere: free; nowhere near the least: unresolved.
        assert_eq!(profile_interval(&[(0.0, 1.0), (10.0, 1.0)], (0.0, 10.0)).verdict(), "free");
        assert_eq!(profile_interval(&[(0.0, 9.0), (10.0, 9.0)], (0.0, 10.0)).verdict(), "unresolved");
    }
}
