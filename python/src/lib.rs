//! `embedsim._native`: the embedsim library called in-process from Python. Each function takes
//! plain values (paths, `KEY=VALUE` strings, numbers), releases the GIL while the library works
//! and returns CSV text, which the Python package (`embedsim/`) reads into pandas data frames.
//! Nothing here prints, writes a file or starts a process; simulations run on a thread pool built
//! for the call and joined before it returns (`embedsim::api::on_own_threads`), so the process
//! can fork afterwards.

use std::collections::BTreeMap;
use std::path::PathBuf;

use embedsim::analysis::multiplicity::Adjust;
use embedsim::analysis::warmup::Warmup;
use embedsim::api;
use embedsim::output::csv::Series;
use pyo3::prelude::*;

/// The library's error as the Python exception the package defines (`embedsim.ScenarioError` for
/// bad inputs, `embedsim.SimulationError` for a run that failed), its message the lines the
/// `embedsim` command prints after `error: `.
fn raise(py: Python<'_>, err: &api::Error) -> PyErr {
    let kind = if err.is_input() { "ScenarioError" } else { "SimulationError" };
    let message = api::message(err);
    match py.import("embedsim._errors").and_then(|m| m.getattr(kind)).and_then(|cls| cls.call1((message,))) {
        Ok(e) => PyErr::from_value(e),
        Err(e) => e,
    }
}

/// A Python argument out of its range, as `embedsim.ScenarioError`.
fn bad_option(message: String) -> api::Error {
    api::Error::Option(message)
}

fn series(s: &str) -> Result<Series, api::Error> {
    match s {
        "all" => Ok(Series::All),
        "platforms" => Ok(Series::Platforms),
        "weekly" => Ok(Series::Weekly),
        "none" => Ok(Series::None),
        _ => Err(bad_option(format!("series: expected all, platforms, weekly or none, found `{s}`"))),
    }
}

fn warmup(w: Option<String>) -> Result<Warmup, api::Error> {
    match w {
        None => Ok(Warmup::Scenario),
        Some(w) => w.parse::<Warmup>().map_err(|e| bad_option(format!("warmup: {e}"))),
    }
}

/// The bundled scenarios: (id, file as messages name it, description).
#[pyfunction]
fn scenarios() -> Vec<(String, String, String)> {
    embedsim::scenario::bundled::BUNDLED
        .iter()
        .map(|(id, file, text)| {
            let about = embedsim::scenario::bundled::description(text).unwrap_or_default();
            (id.to_string(), file.to_string(), about)
        })
        .collect()
}

/// Loads and validates a scenario with its changes: (name, origin, description as
/// `embedsim check` prints it, the scenario's TOML text as found).
#[pyfunction]
#[pyo3(signature = (scenario, set = Vec::new(), unset = Vec::new()))]
fn check(
    py: Python<'_>,
    scenario: PathBuf,
    set: Vec<String>,
    unset: Vec<String>,
) -> PyResult<(String, String, String, String)> {
    py.detach(|| -> Result<_, api::Error> {
        let source = api::Source::find(&scenario)?;
        let sc = source.load(&api::overrides(&set, &unset)?)?;
        Ok((sc.name.clone(), source.origin(), sc.describe(), source.text()))
    })
    .map_err(|e| raise(py, &e))
}

/// Runs a scenario as `embedsim run` does; returns its tables as CSV text by file name, and the
/// warm-up note under `warmup_note`.
#[pyfunction]
#[pyo3(signature = (
    scenario,
    set = Vec::new(),
    unset = Vec::new(),
    seed = None,
    replications = None,
    threads = None,
    warmup = None,
    warmup_metric = String::from("open"),
    series = String::from("all"),
))]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    scenario: PathBuf,
    set: Vec<String>,
    unset: Vec<String>,
    seed: Option<u64>,
    replications: Option<u32>,
    threads: Option<usize>,
    warmup: Option<String>,
    warmup_metric: String,
    series: String,
) -> PyResult<BTreeMap<&'static str, String>> {
    py.detach(|| -> Result<_, api::Error> {
        let options = api::RunOptions {
            seed,
            replications,
            threads,
            warmup: self::warmup(warmup)?,
            warmup_metric,
            series: self::series(&series)?,
        };
        let sc = api::load(&scenario, &api::overrides(&set, &unset)?)?;
        let t = api::run(&sc, &scenario.display().to_string(), &options)?;
        let mut out = BTreeMap::from([
            ("summary.csv", t.summary),
            ("timeseries.csv", t.timeseries),
            ("departments.csv", t.departments),
            ("queues.csv", t.queues),
            ("regimes.csv", t.regimes),
            ("warmup_note", t.warmup_note),
            ("name", t.scenario.name.clone()),
        ]);
        if let Some(r) = t.ranking {
            out.insert("ranking.csv", r);
        }
        Ok(out)
    })
    .map_err(|e| raise(py, &e))
}

/// Compares scenario B with scenario A on common random numbers, as `embedsim compare` does;
/// each side with its own changes (the Python package gives B the changes of both sides and then
/// its own, as `--set-b` adds to `--set`). Returns (compare.csv, A's summary.csv, B's
/// summary.csv, replications, seed, warm-up note).
#[pyfunction]
#[pyo3(signature = (
    a,
    b,
    set_a = Vec::new(),
    unset_a = Vec::new(),
    set_b = Vec::new(),
    unset_b = Vec::new(),
    replications = None,
    seed = None,
    threads = None,
    adjust = String::from("holm"),
    warmup = None,
    warmup_metric = String::from("open"),
))]
#[allow(clippy::too_many_arguments)]
fn compare(
    py: Python<'_>,
    a: PathBuf,
    b: PathBuf,
    set_a: Vec<String>,
    unset_a: Vec<String>,
    set_b: Vec<String>,
    unset_b: Vec<String>,
    replications: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    adjust: String,
    warmup: Option<String>,
    warmup_metric: String,
) -> PyResult<(String, String, String, u32, u64, String)> {
    py.detach(|| -> Result<_, api::Error> {
        let options = api::CompareOptions {
            replications,
            seed,
            threads,
            adjust: adjust.parse::<Adjust>().map_err(|e| bad_option(format!("adjust: {e}")))?,
            warmup: self::warmup(warmup)?,
            warmup_metric,
        };
        let sa = api::load(&a, &api::overrides(&set_a, &unset_a)?)?;
        let sb = api::load(&b, &api::overrides(&set_b, &unset_b)?)?;
        let what = (a.display().to_string(), b.display().to_string());
        let t = api::compare(&sa, &sb, (&what.0, &what.1), &options)?;
        Ok((t.diffs, t.summary_a, t.summary_b, t.replications, t.seed, t.warmup_note))
    })
    .map_err(|e| raise(py, &e))
}

/// Runs the points of a design over a scenario, as a sweep runs its points: `paths` name the
/// columns (key paths), `rows` hold each point's values in TOML. Returns (runs.csv, points.csv).
#[pyfunction]
#[pyo3(signature = (
    scenario,
    paths,
    rows,
    set = Vec::new(),
    unset = Vec::new(),
    seed = None,
    replications = None,
    threads = None,
))]
#[allow(clippy::too_many_arguments)]
fn sweep(
    py: Python<'_>,
    scenario: PathBuf,
    paths: Vec<String>,
    rows: Vec<Vec<String>>,
    set: Vec<String>,
    unset: Vec<String>,
    seed: Option<u64>,
    replications: Option<u32>,
    threads: Option<usize>,
) -> PyResult<(String, String)> {
    py.detach(|| -> Result<_, api::Error> {
        let source = api::Source::find(&scenario)?;
        let changes = api::overrides(&set, &unset)?;
        let design = api::Design { paths, rows };
        let options = api::SweepOptions { seed, replications, threads };
        let t = api::sweep(&source, &changes, &design, &options)?;
        Ok((t.runs, t.points))
    })
    .map_err(|e| raise(py, &e))
}

/// The native half of the `embedsim` Python package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("VERSION", embedsim::provenance::VERSION)?;
    m.add("BUILD", embedsim::provenance::describe())?;
    m.add_function(wrap_pyfunction!(scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    Ok(())
}
