//! Designs on a base scenario: parameters with bounds, scenarios at points of the unit cube, and
//! the sweep that runs them (so sensitivity designs get the sweep's journal, `--resume` and
//! byte-identical results for any thread count). Shared by `sensitivity` and `calibrate`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::experiment::sweep::{ParamValue, Point, SetError, Sweep, SweepError, apply_set, set_entries, set_path};
use crate::metrics::summary::METRICS;
use crate::scenario::{Scenario, ScenarioError, load_table, parse_table};

/// Why a research file could not be loaded, run or written.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// A file could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid, with the key and line where known.
    #[error("{file}: {message}")]
    Invalid {
        /// The research file.
        file: String,
        /// What is wrong, what was expected, and where.
        message: String,
    },
    /// The base scenario does not load.
    #[error("{file}: base scenario does not load")]
    Base {
        /// The research file.
        file: String,
        /// The cause.
        #[source]
        source: Box<ScenarioError>,
    },
    /// A point of the design is not a valid scenario.
    #[error("{file}: the scenario at {values} is not valid")]
    InvalidPoint {
        /// The research file.
        file: String,
        /// `path = value` pairs.
        values: String,
        /// The validation errors.
        #[source]
        source: Box<ScenarioError>,
    },
    /// Running, journaling or merging failed.
    #[error(transparent)]
    Sweep(#[from] SweepError),
    /// A batch of runs failed.
    #[error(transparent)]
    Run(#[from] crate::experiment::ExperimentError),
    /// Output could not be written.
    #[error(transparent)]
    Write(#[from] crate::output::WriteError),
    /// A chart could not be drawn.
    #[error(transparent)]
    Plot(#[from] crate::output::plot::PlotError),
    /// Stopped on purpose after a number of evaluations (tests of `--resume`).
    #[error("stopped after {done} evaluations as asked; finish with --resume")]
    Stopped {
        /// New evaluations journaled in this invocation.
        done: usize,
    },
}

/// `line N: message` for a TOML parse error of `text`.
pub fn toml_message(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(s) => {
            format!("line {}: {}", text[..s.start.min(text.len())].matches('\n').count() + 1, e.message().trim())
        }
        None => e.message().trim().to_string(),
    }
}

/// The line of the first `path = "<key>"` in `text`, for messages about a parameter.
pub fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let quoted = format!("\"{key}\"");
    text.lines().position(|l| l.contains(&quoted)).map(|i| i + 1)
}

/// A parameter with bounds, in the file's order.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Bounded {
    /// Dotted key path of the base scenario.
    pub path: String,
    /// Lower bound.
    pub min: f64,
    /// Upper bound.
    pub max: f64,
}

/// A base scenario with fixed changes and bounded parameters.
#[derive(Clone, Debug)]
pub struct Design {
    /// The research file, as given.
    pub file: String,
    /// The research file's text (for fingerprints and lines).
    pub text: String,
    /// Base scenario after `[set]`.
    pub base: toml::Table,
    /// The base scenario's text.
    pub base_text: String,
    /// The base scenario's path, for messages.
    pub base_origin: String,
    /// Seed of every run.
    pub seed: u64,
    /// Replications per point, on common random numbers across points.
    pub replications: u32,
    /// Parameters.
    pub parameters: Vec<Bounded>,
    /// Platform ids of the base.
    pub platforms: Vec<String>,
}

impl Design {
    /// Reads `base` (relative to `file`), applies `set`, checks every parameter path and bound.
    pub fn new(
        file: &Path,
        text: &str,
        base: &str,
        seed: Option<u64>,
        replications: Option<u32>,
        set: &toml::Table,
        parameters: Vec<Bounded>,
    ) -> Result<Design, AnalysisError> {
        let fname = file.display().to_string();
        let invalid = |message: String| AnalysisError::Invalid { file: fname.clone(), message };
        let base_path = file.parent().unwrap_or(Path::new(".")).join(base);
        let base_text = std::fs::read_to_string(&base_path)
            .map_err(|source| AnalysisError::Read { path: base_path.clone(), source })?;
        let base_origin = base_path.display().to_string();
        let based = |source| AnalysisError::Base { file: fname.clone(), source: Box::new(source) };
        let mut table = parse_table(&base_text, &base_origin).map_err(based)?;
        for (path, v) in set_entries(&table, set) {
            apply_set(&mut table, &path, &v).map_err(|e| invalid(format!("[set] `{path}`: {}", set_reason(e))))?;
        }
        let sc = load_table(table.clone(), &base_origin, None).map_err(based)?;
        if parameters.is_empty() {
            return Err(invalid("no [[parameters]]: name at least one key path with min and max".into()));
        }
        for p in &parameters {
            let at = line_of_key(text, &p.path).map_or(String::new(), |l| format!("line {l}: "));
            if !(p.min.is_finite() && p.max.is_finite() && p.max > p.min) {
                return Err(invalid(format!(
                    "{at}parameter `{}`: expected finite min < max, found min {} max {}",
                    p.path, p.min, p.max
                )));
            }
            let mut t = table.clone();
            set_path(&mut t, &p.path, &ParamValue::Float(p.min))
                .or_else(|_| set_path(&mut t, &p.path, &ParamValue::Int(p.min.round() as i64)))
                .map_err(|e| invalid(format!("{at}parameter `{}`: {}", p.path, set_reason(e))))?;
        }
        if parameters.iter().enumerate().any(|(i, p)| parameters[..i].iter().any(|q| q.path == p.path)) {
            return Err(invalid("a parameter path is listed twice".into()));
        }
        Ok(Design {
            file: fname,
            text: text.to_string(),
            base: table,
            base_text,
            base_origin,
            seed: seed.unwrap_or(sc.simulation.seed),
            replications: replications.unwrap_or(sc.simulation.replications),
            parameters,
            platforms: sc.platforms.iter().map(|p| p.id.clone()).collect(),
        })
    }

    /// Parameter values at unit-cube point `u` (integer keys rounded).
    pub fn values_at(&self, u: &[f64]) -> Vec<ParamValue> {
        self.parameters
            .iter()
            .zip(u)
            .map(|(p, x)| {
                let v = p.min + (p.max - p.min) * x;
                if integer_key(&self.base, &p.path) { ParamValue::Int(v.round() as i64) } else { ParamValue::Float(v) }
            })
            .collect()
    }

    /// The validated scenario at unit-cube point `u`, with the design's seed and replications.
    pub fn scenario_at(&self, u: &[f64]) -> Result<(Vec<ParamValue>, Scenario), AnalysisError> {
        let values = self.values_at(u);
        let mut t = self.base.clone();
        for (p, v) in self.parameters.iter().zip(&values) {
            set_path(&mut t, &p.path, v)
                .map_err(|e| AnalysisError::Invalid { file: self.file.clone(), message: set_reason(e) })?;
        }
        let describe = || {
            self.parameters.iter().zip(&values).map(|(p, v)| format!("{} = {}", p.path, v.text())).collect::<Vec<_>>()
        };
        let mut sc = load_table(t, &self.base_origin, None).map_err(|source| AnalysisError::InvalidPoint {
            file: self.file.clone(),
            values: describe().join(", "),
            source: Box::new(source),
        })?;
        sc.simulation.seed = self.seed;
        sc.simulation.replications = self.replications;
        Ok((values, sc))
    }

    /// A sweep running the given unit-cube points (on common random numbers), named `name`.
    pub fn sweep(&self, name: &str, points: &[Vec<f64>]) -> Result<Sweep, AnalysisError> {
        let mut first = None;
        let mut pts = Vec::with_capacity(points.len());
        for u in points {
            let (values, scenario) = self.scenario_at(u)?;
            first.get_or_insert(scenario);
            pts.push(Point { values });
        }
        let first = match first {
            Some(sc) => sc,
            None => {
                let mut sc = load_table(self.base.clone(), &self.base_origin, None).map_err(|source| {
                    AnalysisError::InvalidPoint {
                        file: self.file.clone(),
                        values: String::new(),
                        source: Box::new(source),
                    }
                })?;
                sc.simulation.seed = self.seed;
                sc.simulation.replications = self.replications;
                sc
            }
        };
        let h = [self.text.as_bytes(), b"\0", self.base_text.as_bytes(), METRICS.join(",").as_bytes()]
            .iter()
            .chain([env!("CARGO_PKG_VERSION").as_bytes(), crate::experiment::sweep::MODEL_REVISION.as_bytes()].iter())
            .fold(0xcbf2_9ce4_8422_2325u64, |h, bytes| {
                bytes.iter().fold(h, |h, b| (h ^ *b as u64).wrapping_mul(0x0000_0100_0000_01b3))
            });
        Ok(Sweep {
            name: name.to_string(),
            origin: self.file.clone(),
            seed: self.seed,
            replications: self.replications,
            parameters: self.parameters.iter().map(|p| p.path.clone()).collect(),
            points: pts,
            first,
            base: self.base.clone(),
            base_origin: self.base_origin.clone(),
            platforms: self.platforms.clone(),
            fingerprint: format!("{h:016x}"),
        })
    }
}

fn set_reason(e: SetError) -> String {
    match e {
        SetError::Unknown(r) => format!("unknown key path: {r}"),
        SetError::Type(r) => r,
    }
}

/// Whether `path` takes whole numbers: as the scenario format says where it knows the key (a
/// float key the base writes as `10` still takes 10.5), else as the base writes it.
fn integer_key(base: &toml::Table, path: &str) -> bool {
    if let Some((whole, _)) = crate::scenario::keys::takes_whole_numbers(path) {
        return whole;
    }
    crate::scenario::overrides::lookup(base, path).is_some_and(toml::Value::is_integer)
}
