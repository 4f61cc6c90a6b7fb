//! Parameter sweeps: a base scenario, parameters set by key path, replications per point.
//!
//! A sweep expands into a run list: point `p`, replication `r` is run `p * replications + r`.
//! Every output is derived from per-run records sorted by run index, so a sweep run whole, in
//! shards, or interrupted and resumed writes the same bytes. The file format is in docs/SWEEPS.md.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::engine::dist::uniform;
use crate::engine::rng::Streams;
use crate::metrics::summary::METRICS;
use crate::output::atomic::num;
use crate::scenario::overrides::{flatten, lookup};
use crate::scenario::{Scenario, ScenarioError, load_table, parse_table};

/// The metrics summarised per point in `points.csv`, compared by `embedsim compare`, and plotted.
pub const KEY_METRICS: &[&str] = &[
    "closed_per_month",
    "closed_in_system_share",
    "on_time_share",
    "mean_wait_hours",
    "mean_sojourn_hours",
    "p_wait",
    "weighted_r",
    "leader_attention_hours",
    "resolution_rate",
    "satisfaction_rate",
    "gaming_gap",
    "burden_share",
];

/// Why a sweep could not be defined, run, resumed or merged.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// A file could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The sweep file is not valid TOML or has unknown/missing keys.
    #[error("{file}: {message}")]
    Syntax {
        /// The sweep file.
        file: String,
        /// What is wrong, with the line when known.
        message: String,
    },
    /// The sweep file or its base scenario is not UTF-8 text, or cannot be read.
    #[error(transparent)]
    Text(Box<ScenarioError>),
    /// The file named by `base` cannot be read.
    #[error("{file}: line {line}: base = \"{base}\": cannot read {}", path.display())]
    BaseMissing {
        /// The sweep file.
        file: String,
        /// Line of the `base` key.
        line: usize,
        /// The value of `base`.
        base: String,
        /// The path tried (relative to the sweep file's folder).
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The base scenario itself does not load.
    #[error("{file}: base scenario does not load")]
    Base {
        /// The sweep file.
        file: String,
        /// The cause.
        #[source]
        source: Box<ScenarioError>,
    },
    /// A parameter path that does not name a settable key of the base scenario.
    #[error("{file}: unknown parameter path `{path}`: {reason}")]
    UnknownPath {
        /// The sweep file.
        file: String,
        /// The dotted key path.
        path: String,
        /// Why, e.g. ``no table `leaders.nobody` in base scenario``.
        reason: String,
    },
    /// A value of the wrong type or form for its key.
    #[error("{file}: parameter `{path}`: {message}")]
    BadValue {
        /// The sweep file.
        file: String,
        /// The dotted key path.
        path: String,
        /// What was expected and what was found.
        message: String,
    },
    /// A point's scenario fails validation.
    #[error("{file}: point {point} ({values}) is not a valid scenario")]
    InvalidPoint {
        /// The sweep file.
        file: String,
        /// Point index.
        point: usize,
        /// `path = value` pairs of the point.
        values: String,
        /// The validation errors, each naming its key.
        #[source]
        source: Box<ScenarioError>,
    },
    /// A batch of runs failed.
    #[error(transparent)]
    Run(#[from] super::ExperimentError),
    /// Output could not be written.
    #[error(transparent)]
    Write(#[from] crate::output::WriteError),
    /// Journals, shards or manifests that do not fit together.
    #[error("{}: {message}", path.display())]
    Inconsistent {
        /// The file or folder at fault.
        path: PathBuf,
        /// What does not fit.
        message: String,
    },
    /// The output folder holds files a sweep did not write, or cannot be claimed.
    #[error(transparent)]
    Folder(#[from] crate::output::folder::FolderError),
    /// Another sweep holds the folder's lock.
    #[error(
        "{}: another sweep (process {pid}) is writing into this folder; wait for it to finish, or \
         delete this lock file if no such sweep is running",
        path.display()
    )]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// The process named in it.
        pid: String,
    },
    /// The run was stopped (Ctrl-C, or the test hook) after a number of runs.
    #[error("stopped after {done} runs; every finished run is kept: finish with --resume")]
    Stopped {
        /// Runs finished and journaled in this invocation.
        done: usize,
    },
}

/// A parameter value as set in the scenario table and written in CSV columns.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamValue {
    /// A TOML integer.
    Int(i64),
    /// A TOML float.
    Float(f64),
    /// A TOML string.
    Str(String),
    /// A TOML boolean.
    Bool(bool),
}

impl ParamValue {
    fn from_toml(v: &toml::Value) -> Option<ParamValue> {
        match v {
            toml::Value::Integer(i) => Some(ParamValue::Int(*i)),
            toml::Value::Float(f) => Some(ParamValue::Float(*f)),
            toml::Value::String(s) => Some(ParamValue::Str(s.clone())),
            toml::Value::Boolean(b) => Some(ParamValue::Bool(*b)),
            _ => None,
        }
    }

    fn to_toml(&self) -> toml::Value {
        match self {
            ParamValue::Int(i) => toml::Value::Integer(*i),
            ParamValue::Float(f) => toml::Value::Float(*f),
            ParamValue::Str(s) => toml::Value::String(s.clone()),
            ParamValue::Bool(b) => toml::Value::Boolean(*b),
        }
    }

    /// The CSV form: shortest round-trip for floats.
    pub fn text(&self) -> String {
        match self {
            ParamValue::Int(i) => i.to_string(),
            ParamValue::Float(f) => num(*f),
            ParamValue::Str(s) => s.clone(),
            ParamValue::Bool(b) => b.to_string(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ParamValue::Int(_) => "an integer",
            ParamValue::Float(_) => "a float",
            ParamValue::Str(_) => "a string",
            ParamValue::Bool(_) => "a boolean",
        }
    }
}

fn toml_kind(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a float",
        toml::Value::String(_) => "a string",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a datetime",
        toml::Value::Array(_) => "an array",
        toml::Value::Table(_) => "a table",
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    name: Option<String>,
    #[allow(dead_code)]
    description: Option<String>,
    base: String,
    seed: Option<u64>,
    replications: Option<i64>,
    lhs_points: Option<i64>,
    design: Option<String>,
    #[serde(default)]
    set: toml::Table,
    #[serde(default)]
    parameters: Vec<RawParam>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParam {
    path: String,
    values: Option<Vec<toml::Value>>,
    range: Option<RawRange>,
    sample: Option<RawSample>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    from: toml::Value,
    to: toml::Value,
    step: toml::Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSample {
    min: f64,
    max: f64,
}

/// One point of a sweep: its parameter values (in [`Sweep::parameters`] order) and its scenario.
#[derive(Clone, Debug)]
pub struct Point {
    /// Values in parameter order.
    pub values: Vec<ParamValue>,
}

/// A sweep expanded into points, ready to run.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// Name (default: the sweep file's stem).
    pub name: String,
    /// The sweep file, as given.
    pub origin: String,
    /// Seed of every point's scenario and of the sampled design.
    pub seed: u64,
    /// Replications per point.
    pub replications: u32,
    /// Swept key paths: factorial ones in file order, then sampled ones.
    pub parameters: Vec<String>,
    /// Points: factorial order (first parameter slowest), sampled design index fastest. Each
    /// holds its values only; its scenario is made when it runs ([`Sweep::scenario`]), so that a
    /// million points take tens of megabytes, not gigabytes.
    pub points: Vec<Point>,
    /// The first point's scenario (its platforms, names and description stand for all).
    pub first: Scenario,
    /// The base scenario's table with the sweep's `[set]` applied, and where it came from.
    pub(crate) base: toml::Table,
    pub(crate) base_origin: String,
    /// Platform ids of the base scenario (the same at every point).
    pub platforms: Vec<String>,
    /// Identifies the sweep's inputs; journals and shards of different sweeps are never mixed.
    pub fingerprint: String,
}

/// What one parameter contributes to the design.
enum Axis {
    Values(Vec<ParamValue>),
    Sample { min: f64, max: f64 },
}

/// Changes whenever a run's outcome may change for the same inputs and version (a guard that
/// counts differently, say): part of every sweep's fingerprint, so that a journal begun before
/// is not resumed into a mix of the two.
pub const MODEL_REVISION: &str = "2026-12-07: the queued-work guard counts waiting work, not timers";

/// FNV-1a, stable across releases (std's hashers are not).
pub(crate) fn fnv1a(bytes: &[u8], mut h: u64) -> u64 {
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn syntax(file: &str, text: &str, e: &toml::de::Error) -> SweepError {
    let line = match e.span() {
        Some(s) => Some(crate::scenario::spans::line_of(text, s.start)),
        None if e.message().contains("recursion") => crate::scenario::spans::deepest_line(text),
        None => None,
    };
    let message = match line {
        Some(l) => format!("line {l}: {}", e.message().trim()),
        None => e.message().trim().to_string(),
    };
    SweepError::Syntax { file: file.to_string(), message }
}

/// The table that holds the last key of dotted `path`, and that key; every parent must exist.
fn parent_table<'t>(table: &'t mut toml::Table, path: &str) -> Result<(&'t mut toml::Table, String), SetError> {
    let keys: Vec<&str> = path.split('.').collect();
    if keys.iter().any(|k| k.is_empty()) {
        return Err(SetError::Unknown("empty key in path".into()));
    }
    let (last, parents) = keys.split_last().expect("split yields at least one key");
    let mut t = table;
    for (i, k) in parents.iter().enumerate() {
        let prefix = keys[..=i].join(".");
        if !t.contains_key(*k) {
            // A chosen name (a department, a platform, ...) must be one the base has; a table of
            // the format the base leaves out (`[decisions]`) is made, with its defaults.
            let named = i == 1 && crate::scenario::keys::NAMED.contains(&keys[0]);
            // Only tables whose absence means their defaults: an empty `[whistle]` or `audit`
            // would switch a mechanism on, and the sweep would no longer hold its base.
            let neutral = matches!(keys[0], "decisions" | "regimes");
            if named || !neutral || !crate::scenario::keys::is_format_key(path) {
                let hint = if named {
                    let names: Vec<String> = t.keys().cloned().collect();
                    match crate::scenario::overrides::nearest(k, names.iter()) {
                        Some(n) => format!("; did you mean `{}.{n}`?", keys[0]),
                        None if names.is_empty() => format!("; it has no {}", keys[0]),
                        None => format!("; it has: {}", names.join(", ")),
                    }
                } else if crate::scenario::keys::is_format_key(path) {
                    format!(
                        "; a table that switches a mechanism on is not made by a path (it would change the base): give `{}` whole in the sweep's [set]",
                        keys[..=i].join(".")
                    )
                } else {
                    match crate::scenario::keys::nearest_format_key(path) {
                        Some(n) => format!(", and `{path}` is not a key of the scenario format: did you mean `{n}`?"),
                        None => {
                            format!(", and `{path}` is not a key of the scenario format (`embedsim keys` lists them)")
                        }
                    }
                };
                return Err(SetError::Unknown(format!("no table `{prefix}` in base scenario{hint}")));
            }
            t.insert(k.to_string(), toml::Value::Table(toml::Table::new()));
        }
        t = match t.get_mut(*k) {
            Some(toml::Value::Table(sub)) => sub,
            Some(other) => {
                return Err(SetError::Unknown(format!(
                    "`{prefix}` is {} in base scenario, not a table",
                    toml_kind(other)
                )));
            }
            None => unreachable!("made above"),
        };
    }
    Ok((t, last.to_string()))
}

/// The `[set]` table as (path, value) pairs in key order: the leaves of nested tables, except
/// that a quoted dotted key whose value is a table the base scenario lacks
/// (`"platforms.hotline.satisfaction" = { on_time = 0.9, ... }`) gives that table whole — it
/// switches a mechanism on, as `--set` does, and a path leaf by leaf could not make it. Over a
/// table the base has, its keys are set one by one, as before (the others keep their values).
pub fn set_entries(base: &toml::Table, set: &toml::Table) -> Vec<(String, toml::Value)> {
    let mut out = Vec::new();
    for (k, v) in set {
        match v {
            toml::Value::Table(_) if k.contains('.') && lookup(base, k).is_none() => out.push((k.clone(), v.clone())),
            toml::Value::Table(sub) => {
                let mut one = toml::Table::new();
                one.insert(k.clone(), toml::Value::Table(sub.clone()));
                out.extend(flatten(&one));
            }
            _ => out.push((k.clone(), v.clone())),
        }
    }
    out
}

/// Applies one `[set]` entry (from [`set_entries`]) to `table`: a table given whole, an array as
/// written, or a number, string or boolean at a key path. Sweeps and research studies share it, so
/// a `[set]` means the same in both.
pub fn apply_set(table: &mut toml::Table, path: &str, value: &toml::Value) -> Result<(), SetError> {
    match value {
        toml::Value::Table(_) => set_table(table, path, value),
        toml::Value::Array(_) => set_array(table, path, value),
        _ => {
            let v = ParamValue::from_toml(value).ok_or_else(|| {
                SetError::Type(format!("expected a number, string or boolean, found {}", toml_kind(value)))
            })?;
            set_path(table, path, &v)
        }
    }
}

/// Sets `path` to a table given whole (see [`set_entries`]); its parents must exist, and the
/// scenario's validation then checks its contents.
pub fn set_table(table: &mut toml::Table, path: &str, value: &toml::Value) -> Result<(), SetError> {
    let (t, last) = parent_table(table, path)?;
    t.insert(last, value.clone());
    Ok(())
}

/// Sets `path` to an array as written (a `[set]` value such as `platforms.x.shocks`); the scenario's
/// validation then checks its contents.
fn set_array(table: &mut toml::Table, path: &str, value: &toml::Value) -> Result<(), SetError> {
    let (t, last) = parent_table(table, path)?;
    if let Some(old) = t.get(&last).filter(|v| !v.is_array()) {
        return Err(SetError::Type(format!("expected {} (as in the base scenario), found an array", toml_kind(old))));
    }
    t.insert(last, value.clone());
    Ok(())
}

/// Sets `path` in `table` to `value`, converting between integer and float to match an existing
/// value (scenario keys such as `departments.x.staff` only accept integers). A fraction where the
/// base wrote a whole number is set as it is when the key takes any number
/// (`arrival_rate_per_day = 10` in the base, 0.5 in the sweep), and refused when it takes whole
/// numbers only.
pub fn set_path(table: &mut toml::Table, path: &str, value: &ParamValue) -> Result<(), SetError> {
    let (t, last) = parent_table(table, path)?;
    let new = match (t.get(&last), value) {
        (None, v) => v.to_toml(),
        (Some(toml::Value::Integer(_)), ParamValue::Int(i)) => toml::Value::Integer(*i),
        (Some(toml::Value::Integer(_)), ParamValue::Float(f)) => {
            if f.fract() == 0.0 && f.abs() <= 9.0e15 {
                toml::Value::Integer(*f as i64)
            } else {
                match crate::scenario::keys::takes_whole_numbers(path) {
                    Some((false, _)) => toml::Value::Float(*f),
                    Some((true, range)) if !range.is_empty() => {
                        return Err(SetError::Type(format!("expected {range}, found {}", num(*f))));
                    }
                    _ => return Err(SetError::Type(format!("expected a whole number, found {}", num(*f)))),
                }
            }
        }
        (Some(toml::Value::Float(_)), ParamValue::Int(i)) => toml::Value::Float(*i as f64),
        (Some(toml::Value::Float(_)), ParamValue::Float(f)) => toml::Value::Float(*f),
        (Some(toml::Value::String(_)), ParamValue::Str(s)) => toml::Value::String(s.clone()),
        (Some(toml::Value::Boolean(_)), ParamValue::Bool(b)) => toml::Value::Boolean(*b),
        (Some(toml::Value::Table(_)), _) => {
            return Err(SetError::Unknown(format!("`{path}` is a table in base scenario; name a key inside it")));
        }
        (Some(old), v) => {
            let expected = match old {
                toml::Value::Integer(_) | toml::Value::Float(_) => "a number",
                other => toml_kind(other),
            };
            return Err(SetError::Type(format!(
                "expected {expected} (as in the base scenario), found {} `{}`",
                v.kind(),
                v.text()
            )));
        }
    };
    t.insert(last.to_string(), new);
    Ok(())
}

/// Why [`set_path`] refused.
#[derive(Debug, Clone, PartialEq)]
pub enum SetError {
    /// The path does not lead to a key of the base scenario.
    Unknown(String),
    /// The value does not fit the key's type.
    Type(String),
}

fn num_of(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Most values one `range` may expand to.
pub const MAX_RANGE_VALUES: usize = 100_000;
/// Most replications per point.
pub const MAX_REPLICATIONS: i64 = 1_000_000;
/// Most runs (points x replications) in one sweep.
pub const MAX_RUNS: usize = 10_000_000;

/// Range values by index, `from + i * step`, rounded to 10 decimals so that 0.1-steps print as
/// typed (0.3, not 0.30000000000000004); the rounding never merges distinct grid values.
fn range_values(file: &str, path: &str, r: &RawRange) -> Result<Vec<ParamValue>, SweepError> {
    let bad = |message: String| SweepError::BadValue { file: file.into(), path: path.into(), message };
    if let (toml::Value::Integer(a), toml::Value::Integer(b), toml::Value::Integer(s)) = (&r.from, &r.to, &r.step) {
        if *s <= 0 || b < a {
            return Err(bad(format!("range needs step > 0 and to >= from, found from {a} to {b} step {s}")));
        }
        // In i128: `to - from` of two i64 cannot overflow there.
        let n = (*b as i128 - *a as i128) / *s as i128 + 1;
        if n > MAX_RANGE_VALUES as i128 {
            return Err(bad(format!("range has {n} values; at most {MAX_RANGE_VALUES}")));
        }
        return Ok((0..n as i64).map(|i| ParamValue::Int(a + i * s)).collect());
    }
    let (Some(a), Some(b), Some(s)) = (num_of(&r.from), num_of(&r.to), num_of(&r.step)) else {
        return Err(bad("range from, to and step must be numbers".into()));
    };
    if s.is_nan() || s <= 0.0 || !a.is_finite() || !b.is_finite() || b < a {
        return Err(bad(format!("range needs step > 0 and to >= from, found from {a} to {b} step {s}")));
    }
    // The tolerance keeps `to` when (b - a) / s is an integer up to rounding error. The count is
    // checked as a float, before any conversion can saturate or wrap (a step of 1e-300 made it 0).
    let steps = ((b - a) / s + 1e-9).floor();
    if !(steps < MAX_RANGE_VALUES as f64) {
        return Err(bad(format!(
            "range from {a} to {b} step {s} has {} values; at most {MAX_RANGE_VALUES}",
            num(steps + 1.0)
        )));
    }
    let n = steps as u64 + 1;
    Ok((0..n)
        .map(|i| {
            let v = a + i as f64 * s;
            let r = (v * 1e10).round() / 1e10;
            ParamValue::Float(if r.is_finite() && v.abs() < 1e8 { r } else { v })
        })
        .collect())
}

/// A Latin hypercube of `n` points in `dims` dimensions on [0, 1): one point in each of the n
/// strata of every dimension, strata shuffled per dimension, position within a stratum uniform.
pub fn latin_hypercube(n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = Streams::new(seed, 0).stream("sweep/latin-hypercube");
    let mut cols: Vec<Vec<f64>> = Vec::with_capacity(dims);
    for _ in 0..dims {
        let mut perm: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = ((uniform(&mut rng) * (i + 1) as f64) as usize).min(i);
            perm.swap(i, j);
        }
        cols.push(perm.iter().map(|&s| (s as f64 + uniform(&mut rng)) / n as f64).collect());
    }
    (0..n).map(|i| cols.iter().map(|c| c[i]).collect()).collect()
}

impl Sweep {
    /// Reads a sweep file and its base scenario, expands the design and validates every point.
    pub fn load(path: &Path) -> Result<Sweep, SweepError> {
        let text = crate::scenario::read_text(path).map_err(|e| match e {
            ScenarioError::Io { source, .. } => SweepError::Read { path: path.into(), source },
            e => SweepError::Text(Box::new(e)),
        })?;
        let dir = path.parent().unwrap_or(Path::new(""));
        Sweep::from_str(
            &text,
            &path.display().to_string(),
            dir,
            path.file_stem().map(|s| s.to_string_lossy().into_owned()),
        )
    }

    /// Parses sweep `text`; `base` paths are relative to `dir`.
    pub fn from_str(text: &str, origin: &str, dir: &Path, stem: Option<String>) -> Result<Sweep, SweepError> {
        let file = origin.to_string();
        let raw: RawSweep = toml::from_str(text).map_err(|e| syntax(&file, text, &e))?;
        let base_path = dir.join(&raw.base);
        let base_text = crate::scenario::read_text(&base_path).map_err(|e| match e {
            ScenarioError::Io { source, .. } => SweepError::BaseMissing {
                file: file.clone(),
                line: crate::scenario::spans::line_of_path(text, "base").unwrap_or(1),
                base: raw.base.clone(),
                path: base_path.clone(),
                source,
            },
            e => SweepError::Base { file: file.clone(), source: Box::new(e) },
        })?;
        let base_origin = base_path.display().to_string();
        let mut base = parse_table(&base_text, &base_origin)
            .map_err(|source| SweepError::Base { file: file.clone(), source: Box::new(source) })?;
        let base_sc = load_table(base.clone(), &base_origin, Some(&base_text))
            .map_err(|source| SweepError::Base { file: file.clone(), source: Box::new(source) })?;
        let seed = raw.seed.unwrap_or(base_sc.simulation.seed);
        let replications = raw.replications.unwrap_or(base_sc.simulation.replications as i64);
        if !(1..=MAX_REPLICATIONS).contains(&replications) {
            return Err(SweepError::Syntax {
                file,
                message: format!(
                    "replications: expected a whole number from 1 to {MAX_REPLICATIONS}, found {replications}"
                ),
            });
        }
        let replications = replications as u32;

        // Fixed settings first: they are part of every point.
        let fixed = set_entries(&base, &raw.set);
        for (path, v) in &fixed {
            // A table given whole, or an array as written: the scenario's validation checks them.
            apply_set(&mut base, path, v).map_err(|e| set_error(&file, path, e))?;
        }
        let base_ok = load_table(base.clone(), &base_origin, None).map_err(|source| SweepError::InvalidPoint {
            file: file.clone(),
            point: 0,
            values: "the [set] values".into(),
            source: Box::new(source),
        })?;

        let mut factorial: Vec<(String, Vec<ParamValue>)> = Vec::new();
        let mut sampled: Vec<(String, f64, f64)> = Vec::new();
        let mut seen = BTreeSet::new();
        for p in &raw.parameters {
            if !seen.insert(p.path.clone()) || fixed.iter().any(|(k, _)| *k == p.path) {
                return Err(SweepError::BadValue {
                    file,
                    path: p.path.clone(),
                    message: "named twice (parameters and set)".into(),
                });
            }
            let axis = axis(&file, p)?;
            // Check the path and type against the base now, with the first value, so that an
            // unknown key is reported by its path rather than as an invalid point.
            match &axis {
                Axis::Values(v) => probe(&base, &base_origin, &file, &p.path, &v[0], apply)?,
                Axis::Sample { min, .. } => {
                    probe(&base, &base_origin, &file, &p.path, &ParamValue::Float(*min), apply)?
                }
            }
            match axis {
                Axis::Values(v) => factorial.push((p.path.clone(), v)),
                Axis::Sample { min, max } => sampled.push((p.path.clone(), min, max)),
            }
        }
        // A design file's points: its columns are checked as parameters are.
        let own = match &raw.design {
            Some(given) => Some(super::design_file::read(&dir.join(given), given, &file)?),
            None => None,
        };
        if let Some(d) = &own {
            if !sampled.is_empty() {
                return Err(SweepError::Syntax {
                    file,
                    message: format!(
                        "design = \"{}\" gives the sampled points: parameters with `sample` cannot be added to it",
                        raw.design.as_deref().unwrap_or_default()
                    ),
                });
            }
            for (k, path) in d.paths.iter().enumerate() {
                if !seen.insert(path.clone()) || fixed.iter().any(|(key, _)| key == path) {
                    return Err(SweepError::BadValue {
                        file: d.origin.clone(),
                        path: path.clone(),
                        message: "named twice (the design file, and the sweep's parameters or set)".into(),
                    });
                }
                probe(&base, &base_origin, &d.origin, path, &d.rows[0][k], set_sampled).map_err(|e| match e {
                    SweepError::BadValue { file, path, message } => {
                        SweepError::BadValue { file, path, message: format!("{}: {message}", d.places[0]) }
                    }
                    e => e,
                })?;
            }
        }
        let lhs_n = match (raw.lhs_points, sampled.is_empty()) {
            (Some(n), false) if (1..=1_000_000).contains(&n) => n as usize,
            (None, true) => 1,
            (Some(_), true) => {
                return Err(SweepError::Syntax {
                    file,
                    message: "lhs_points given but no parameter has `sample`".into(),
                });
            }
            _ => {
                return Err(SweepError::Syntax {
                    file,
                    message: "parameters with `sample` need lhs_points, a whole number from 1 to 1000000".into(),
                });
            }
        };
        // The inner design, crossed with the factorial part: the design file's rows, or the
        // sampled points (one empty row when neither).
        let design: Vec<Vec<ParamValue>> = match &own {
            Some(d) => d.rows.clone(),
            None => latin_hypercube(if sampled.is_empty() { 1 } else { lhs_n }, sampled.len(), seed)
                .iter()
                .map(|u| sampled.iter().zip(u).map(|((_, lo, hi), x)| ParamValue::Float(lo + (hi - lo) * x)).collect())
                .collect(),
        };
        // Saturating: a product of many long axes must not wrap to a small number.
        let total: usize =
            factorial.iter().fold(design.len(), |acc, (_, v)| acc.saturating_mul(v.len())).min(usize::MAX / 2);
        if total > 1_000_000 {
            return Err(SweepError::Syntax { file, message: format!("{total} points; at most 1000000") });
        }
        if total.saturating_mul(replications as usize) > MAX_RUNS {
            return Err(SweepError::Syntax {
                file,
                message: format!("{total} points x {replications} replications; at most {MAX_RUNS} runs"),
            });
        }

        let mut parameters: Vec<String> = factorial.iter().map(|(p, _)| p.clone()).collect();
        parameters.extend(sampled.iter().map(|(p, _, _)| p.clone()));
        parameters.extend(own.iter().flat_map(|d| d.paths.iter().cloned()));
        let mut points = Vec::with_capacity(total);
        let mut first: Option<Scenario> = None;
        let mut idx = vec![0usize; factorial.len()];
        for _ in 0..total / design.len() {
            for (row, u) in design.iter().enumerate() {
                let mut values: Vec<ParamValue> = factorial.iter().zip(&idx).map(|((_, v), &i)| v[i].clone()).collect();
                values.extend(u.iter().cloned());
                // A design file's row is named by its place in the file (a CSV file's line).
                let line = own.as_ref().map(|d| (d.origin.as_str(), d.places[row].as_str()));
                let mut t = base.clone();
                for (k, (path, v)) in parameters.iter().zip(&values).enumerate() {
                    // A listed value is set as written (a fraction for a whole-number key is
                    // refused); a sampled one, or one from a design file, is rounded where the key
                    // takes whole numbers.
                    if k < factorial.len() {
                        apply(&mut t, &file, path, v)?;
                    } else {
                        set_sampled(&mut t, &file, path, v).map_err(|e| match (e, line) {
                            (SweepError::BadValue { path, message, .. }, Some((origin, line))) => {
                                SweepError::BadValue {
                                    file: origin.into(),
                                    path,
                                    message: format!("{line}: {message}"),
                                }
                            }
                            (e, _) => e,
                        })?;
                    }
                }
                let point = points.len();
                let describe = || {
                    let values = parameters
                        .iter()
                        .zip(&values)
                        .map(|(p, v)| format!("{p} = {}", v.text()))
                        .collect::<Vec<_>>()
                        .join(", ");
                    match line {
                        Some((origin, line)) => format!("{values}; {line} of {origin}"),
                        None => values,
                    }
                };
                // Every point is checked now (a few microseconds each), so that a bad one stops the
                // sweep before the first run; its scenario is made again when it runs.
                let sc = load_table(t, &base_origin, None).map_err(|source| SweepError::InvalidPoint {
                    file: file.clone(),
                    point,
                    values: describe(),
                    source: Box::new(source),
                })?;
                if first.is_none() {
                    first = Some(sc);
                }
                // Record the value actually set (an integer key gets the rounded sample).
                let values = values.iter().zip(&parameters).map(|(v, p)| actual_value(p, v, &base)).collect();
                points.push(Point { values });
            }
            // Odometer over factorial axes, last fastest.
            for k in (0..idx.len()).rev() {
                idx[k] += 1;
                if idx[k] < factorial[k].1.len() {
                    break;
                }
                idx[k] = 0;
            }
        }

        // The name titles every chart and names the default folder: checked now, not after the
        // last point (a control character once failed the PNG at the end).
        if let Some(name) = &raw.name {
            let n = name.chars().count();
            let why = if n == 0 || n > crate::scenario::validate::MAX_ID_CHARS {
                Some(format!("expected 1 to {} characters, found {n}", crate::scenario::validate::MAX_ID_CHARS))
            } else {
                name.chars()
                    .find(|&c| crate::text::is_unsafe_char(c))
                    .map(|c| format!("expected no control or invisible characters, found {c:?}"))
            };
            if let Some(why) = why {
                return Err(SweepError::Syntax { file, message: format!("name: {why}") });
            }
        }
        let mut h = fnv1a(text.as_bytes(), 0xcbf2_9ce4_8422_2325);
        h = fnv1a(b"\0", h);
        h = fnv1a(base_text.as_bytes(), h);
        h = fnv1a(METRICS.join(",").as_bytes(), h);
        h = fnv1a(env!("CARGO_PKG_VERSION").as_bytes(), h);
        h = fnv1a(MODEL_REVISION.as_bytes(), h);
        if let Some(d) = &own {
            h = fnv1a(b"\0design\0", h);
            h = fnv1a(d.text.as_bytes(), h);
        }
        Ok(Sweep {
            name: raw.name.or(stem).unwrap_or_else(|| "sweep".into()),
            origin: file,
            seed,
            replications,
            parameters,
            platforms: base_ok.platforms.iter().map(|p| p.id.clone()).collect(),
            points,
            first: {
                let mut sc = first.unwrap_or(base_ok);
                sc.simulation.seed = seed;
                sc.simulation.replications = replications;
                sc
            },
            base,
            base_origin,
            fingerprint: format!("{h:016x}"),
        })
    }

    /// Point `point`'s scenario, seed and replications set by the sweep: the base with its
    /// values set, validated (as every point was when the sweep was read).
    pub fn scenario(&self, point: usize) -> Result<Scenario, SweepError> {
        let values = &self.points[point].values;
        let mut t = self.base.clone();
        // The values recorded are the ones set (a sampled whole number already rounded).
        for (path, v) in self.parameters.iter().zip(values) {
            apply(&mut t, &self.origin, path, v)?;
        }
        let mut sc = load_table(t, &self.base_origin, None).map_err(|source| SweepError::InvalidPoint {
            file: self.origin.clone(),
            point,
            values: self
                .parameters
                .iter()
                .zip(values)
                .map(|(p, v)| format!("{p} = {}", v.text()))
                .collect::<Vec<_>>()
                .join(", "),
            source: Box::new(source),
        })?;
        sc.simulation.seed = self.seed;
        sc.simulation.replications = self.replications;
        Ok(sc)
    }

    /// Runs in the whole sweep.
    pub fn runs(&self) -> usize {
        self.points.len() * self.replications as usize
    }

    /// (point, replication) of run `i`.
    pub fn run_at(&self, i: usize) -> (usize, u32) {
        (i / self.replications as usize, (i % self.replications as usize) as u32)
    }

    /// The description kept beside results, enough to merge shards and write final files.
    pub fn manifest(&self) -> Manifest {
        Manifest {
            name: self.name.clone(),
            fingerprint: self.fingerprint.clone(),
            seed: self.seed.to_string(),
            replications: self.replications,
            runs: self.runs(),
            parameters: self.parameters.clone(),
            points: self.points.iter().map(|p| p.values.iter().map(ParamValue::text).collect()).collect(),
            platforms: self.platforms.clone(),
            metrics: METRICS.iter().map(|s| s.to_string()).collect(),
            shard: None,
            version: crate::provenance::VERSION.into(),
            commit: crate::provenance::COMMIT.into(),
            lock_fnv1a: crate::provenance::LOCK_FNV1A.into(),
        }
    }
}

/// Checks a swept `path` against the base with one of its values, set by `set`, so that an
/// unknown key or a value of the wrong type is reported by its path rather than as an invalid
/// point.
fn probe(
    base: &toml::Table,
    base_origin: &str,
    file: &str,
    path: &str,
    value: &ParamValue,
    set: fn(&mut toml::Table, &str, &str, &ParamValue) -> Result<(), SweepError>,
) -> Result<(), SweepError> {
    let mut t = base.clone();
    set(&mut t, file, path, value)?;
    if let Err(e @ ScenarioError::Toml { .. }) = load_table(t, base_origin, None) {
        let reason = e.problems().first().map(|p| p.message.clone()).unwrap_or_default();
        // A value of the wrong type (2.5 staff) is a bad value, said with the key's range.
        if reason.starts_with("invalid type: ") {
            let text = toml::to_string(base).unwrap_or_default();
            let message = crate::scenario::type_error_in_words(&reason, path, &text);
            return Err(SweepError::BadValue { file: file.into(), path: path.into(), message });
        }
        return Err(SweepError::UnknownPath { file: file.into(), path: path.into(), reason });
    }
    Ok(())
}

fn apply(t: &mut toml::Table, file: &str, path: &str, v: &ParamValue) -> Result<(), SweepError> {
    set_path(t, path, v).map_err(|e| set_error(file, path, e))
}

fn set_error(file: &str, path: &str, e: SetError) -> SweepError {
    match e {
        SetError::Unknown(reason) => SweepError::UnknownPath { file: file.into(), path: path.into(), reason },
        SetError::Type(message) => SweepError::BadValue { file: file.into(), path: path.into(), message },
    }
}

/// Like [`apply`], but a sampled float for an integer key is rounded rather than refused.
fn set_sampled(t: &mut toml::Table, file: &str, path: &str, v: &ParamValue) -> Result<(), SweepError> {
    match apply(t, file, path, v) {
        Err(SweepError::BadValue { .. }) if matches!(v, ParamValue::Float(_)) => {
            let ParamValue::Float(f) = v else { unreachable!() };
            apply(t, file, path, &ParamValue::Int(f.round() as i64))
        }
        r => r,
    }
}

fn actual_value(path: &str, v: &ParamValue, base: &toml::Table) -> ParamValue {
    let mut cur: Option<&toml::Value> = None;
    let mut t = base;
    for k in path.split('.') {
        cur = t.get(k);
        if let Some(toml::Value::Table(sub)) = cur {
            t = sub;
        }
    }
    match (cur, v) {
        (Some(toml::Value::Integer(_)), ParamValue::Float(f))
            if !matches!(crate::scenario::keys::takes_whole_numbers(path), Some((false, _))) =>
        {
            ParamValue::Int(f.round() as i64)
        }
        _ => v.clone(),
    }
}

fn axis(file: &str, p: &RawParam) -> Result<Axis, SweepError> {
    let bad = |message: String| SweepError::BadValue { file: file.into(), path: p.path.clone(), message };
    match (&p.values, &p.range, &p.sample) {
        (Some(vs), None, None) => {
            if vs.is_empty() {
                return Err(bad("`values` is empty".into()));
            }
            let vals = vs
                .iter()
                .map(|v| {
                    ParamValue::from_toml(v).ok_or_else(|| {
                        bad(format!("expected numbers, strings or booleans in `values`, found {}", toml_kind(v)))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Axis::Values(vals))
        }
        (None, Some(r), None) => Ok(Axis::Values(range_values(file, &p.path, r)?)),
        (None, None, Some(s)) => {
            if !(s.min.is_finite() && s.max.is_finite() && s.max >= s.min) {
                return Err(bad(format!("sample needs finite min <= max, found min {} max {}", s.min, s.max)));
            }
            Ok(Axis::Sample { min: s.min, max: s.max })
        }
        _ => Err(bad("give exactly one of `values`, `range` or `sample`".into())),
    }
}

/// Everything needed to merge shards and write the final files, kept as `manifest.toml`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, Deserialize)]
pub struct Manifest {
    /// Sweep name.
    pub name: String,
    /// [`Sweep::fingerprint`].
    pub fingerprint: String,
    /// Seed (as text: TOML integers are signed).
    pub seed: String,
    /// Replications per point.
    pub replications: u32,
    /// Runs in the whole sweep.
    pub runs: usize,
    /// Swept key paths.
    pub parameters: Vec<String>,
    /// Parameter values per point, as written in CSV.
    pub points: Vec<Vec<String>>,
    /// Platform ids, in scenario order.
    pub platforms: Vec<String>,
    /// Metric columns of `runs.csv`.
    pub metrics: Vec<String>,
    /// `K/N` for a shard's folder.
    pub shard: Option<String>,
    /// The build that wrote it: version, git commit ("unknown" outside a repository) and the
    /// hash of Cargo.lock ([`crate::provenance`]), so that a published figure names its build.
    /// Empty in manifests written before they were recorded.
    #[serde(default)]
    pub version: String,
    /// The git commit.
    #[serde(default)]
    pub commit: String,
    /// FNV-1a hash of Cargo.lock.
    #[serde(default)]
    pub lock_fnv1a: String,
}

/// Slice `index` (1-based) of `count`: the runs whose index modulo `count` is `index - 1`.
/// Interleaving spreads expensive corners of the design over all shards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1-based shard number K.
    pub index: usize,
    /// Number of shards N.
    pub count: usize,
}

impl Shard {
    /// Whether run `i` belongs to this shard.
    pub fn owns(&self, i: usize) -> bool {
        i % self.count == self.index - 1
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let (k, n) = s.split_once('/').ok_or_else(|| format!("expected K/N (e.g. 2/8), found `{s}`"))?;
        let k: usize = k.trim().parse().map_err(|_| format!("expected K/N with whole numbers, found `{s}`"))?;
        let n: usize = n.trim().parse().map_err(|_| format!("expected K/N with whole numbers, found `{s}`"))?;
        if n == 0 || k == 0 || k > n {
            return Err(format!("expected 1 <= K <= N, found `{s}`"));
        }
        Ok(Shard { index: k, count: n })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_metrics_exist() {
        for k in KEY_METRICS {
            assert!(METRICS.contains(k), "{k} is not in METRICS");
        }
    }

    #[test]
    fn ranges_by_index() {
        let r = RawRange { from: toml::Value::Float(0.0), to: toml::Value::Float(1.0), step: toml::Value::Float(0.1) };
        let v = range_values("f", "p", &r).unwrap();
        assert_eq!(v.len(), 11);
        assert_eq!(v[3], ParamValue::Float(0.3));
        assert_eq!(v[10], ParamValue::Float(1.0));
        let r = RawRange { from: toml::Value::Integer(2), to: toml::Value::Integer(30), step: toml::Value::Integer(7) };
        assert_eq!(range_values("f", "p", &r).unwrap(), [2, 9, 16, 23, 30].map(ParamValue::Int).to_vec());
    }

    #[test]
    fn latin_hypercube_fills_every_stratum() {
        let d = latin_hypercube(10, 3, 7);
        for k in 0..3 {
            let mut strata: Vec<usize> = d.iter().map(|p| (p[k] * 10.0) as usize).collect();
            strata.sort();
            assert_eq!(strata, (0..10).collect::<Vec<_>>());
        }
        assert_eq!(d, latin_hypercube(10, 3, 7));
        assert_ne!(d, latin_hypercube(10, 3, 8));
    }

    #[test]
    fn a_quoted_path_gives_a_missing_table_whole_and_sets_an_existing_one_key_by_key() {
        let base: toml::Table = toml::from_str("[platforms.a]\nrate = 1\nx = 2\n").unwrap();
        let set: toml::Table = toml::from_str(
            "\"platforms.a.audit\" = { catch = 0.5 }\n\"platforms.a\" = { rate = 3 }\n[nested.b]\nc = 1\n",
        )
        .unwrap();
        let entries = set_entries(&base, &set);
        let whole = entries.iter().find(|(k, _)| k == "platforms.a.audit").expect("the missing table, whole");
        assert!(whole.1.is_table());
        assert!(entries.iter().any(|(k, v)| k == "platforms.a.rate" && v.as_integer() == Some(3)), "{entries:?}");
        assert!(!entries.iter().any(|(k, _)| k == "platforms.a"), "an existing table is not replaced");
        assert!(entries.iter().any(|(k, _)| k == "nested.b.c"), "nested tables give their leaves");
        let mut t = base.clone();
        set_table(&mut t, "platforms.a.audit", &whole.1).unwrap();
        assert_eq!(t["platforms"]["a"]["audit"]["catch"].as_float(), Some(0.5));
        assert_eq!(t["platforms"]["a"]["x"].as_integer(), Some(2));
        assert!(set_table(&mut t, "platforms.zz.audit", &whole.1).is_err(), "parents must exist");
    }

    #[test]
    fn set_path_types() {
        let mut t: toml::Table = toml::from_str("[a]\nn = 1\nx = 1.5\ns = \"q\"\n").unwrap();
        set_path(&mut t, "a.n", &ParamValue::Float(3.0)).unwrap();
        assert_eq!(t["a"]["n"], toml::Value::Integer(3));
        assert!(matches!(set_path(&mut t, "a.n", &ParamValue::Float(2.5)), Err(SetError::Type(_))));
        set_path(&mut t, "a.x", &ParamValue::Int(2)).unwrap();
        assert_eq!(t["a"]["x"], toml::Value::Float(2.0));
        assert!(matches!(set_path(&mut t, "a.x", &ParamValue::Str("z".into())), Err(SetError::Type(_))));
        set_path(&mut t, "a.new", &ParamValue::Float(0.5)).unwrap();
        assert_eq!(
            set_path(&mut t, "b.c", &ParamValue::Int(1)),
            Err(SetError::Unknown(
                "no table `b` in base scenario, and `b.c` is not a key of the scenario format (`embedsim keys` lists them)"
                    .into()
            ))
        );
    }
}
