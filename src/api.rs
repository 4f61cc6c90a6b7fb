//! The library's front door for programs other than the `embedsim` command (the Python package in
//! `python/` calls it): find a scenario as the command does (a file, or a bundled scenario by
//! name), load it with `--set`/`--unset` changes, run it, and have the tables `embedsim run`
//! writes as CSV text in memory — the same bytes as its files, with no file written. Also a
//! paired comparison (`compare.csv`) and the points of a design, run as a sweep runs them
//! (`runs.csv`, `points.csv`).
//!
//! The command uses the finding and loading here too ([`Source`], [`overrides`], [`message`]), so
//! that a scenario, a change and an error mean the same in both.
//!
//! Threads: every function that runs simulations runs them on a pool of worker threads of its
//! own, built for the call and joined before it returns ([`on_own_threads`]), never on rayon's
//! global pool. So no thread of ours is left in a process that forks after a call (Python's
//! `multiprocessing` forks on Linux), and a forked child builds a pool of its own in turn.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::analysis::multiplicity::Adjust;
use crate::analysis::warmup::{self, Warmup, WarmupError};
use crate::experiment::ExperimentError;
use crate::experiment::sweep::{Manifest, ParamValue};
use crate::experiment::sweep_files::RunRecord;
use crate::output::csv::Series;
use crate::scenario::overrides::{Override, OverrideError, VariantError, parse_set, parse_unset};
use crate::scenario::{self, DayRecords, Scenario};

/// Most worker threads a call may ask for (as `--threads` of the command).
pub const MAX_THREADS: usize = 1024;

/// Why a call failed. Its message, with its causes, is what the command prints
/// ([`message`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A sweep file was given where a scenario belongs.
    #[error("{} is a sweep file, not a scenario: run it with `embedsim sweep {}`", path.display(), path.display())]
    SweepFile {
        /// The path given.
        path: PathBuf,
    },
    /// No such file, and no bundled scenario of that name.
    #[error(
        "{}: no such file, and no bundled scenario of that name (bundled: {}; `embedsim scenarios` lists them)",
        path.display(),
        bundled_names()
    )]
    NoScenario {
        /// The path given.
        path: PathBuf,
    },
    /// A `--set` or `--unset` could not be read.
    #[error(transparent)]
    Override(#[from] OverrideError),
    /// The scenario, or its variant, does not load.
    #[error(transparent)]
    Scenario(#[from] VariantError),
    /// An option out of its range.
    #[error("{0}")]
    Option(String),
    /// A point of a design is not a valid scenario.
    #[error("design row {row} ({values}) is not a valid scenario")]
    Point {
        /// The row, from 0 (the data frame's position).
        row: usize,
        /// `path = value` of the row.
        values: String,
        /// Why.
        #[source]
        source: Box<Error>,
    },
    /// The worker threads could not be started.
    #[error(transparent)]
    Threads(ExperimentError),
    /// The warm-up could not be applied (too long, or its pilot runs failed).
    #[error(transparent)]
    Warmup(#[from] WarmupError),
    /// A run failed.
    #[error("running {what}")]
    Running {
        /// The scenario as given, or the design.
        what: String,
        /// Why.
        #[source]
        source: ExperimentError,
    },
    /// A comparison failed.
    #[error("running the comparison")]
    Comparing(#[source] WarmupError),
    /// Two scenarios compared have no platform in common.
    #[error("{a} and {b} have no platform in common")]
    NothingInCommon {
        /// Scenario A as given.
        a: String,
        /// Scenario B as given.
        b: String,
    },
    /// A table could not be formatted (not expected: the text is held in memory).
    #[error("cannot format {table}")]
    Table {
        /// The table.
        table: &'static str,
        /// Why.
        #[source]
        source: csv::Error,
    },
}

impl Error {
    /// Whether the inputs are at fault (the scenario, a change, an option, a design), rather
    /// than a run that failed once started.
    pub fn is_input(&self) -> bool {
        match self {
            Error::SweepFile { .. }
            | Error::NoScenario { .. }
            | Error::Override(_)
            | Error::Scenario(_)
            | Error::Option(_)
            | Error::Point { .. }
            | Error::NothingInCommon { .. } => true,
            Error::Warmup(e) | Error::Comparing(e) => matches!(e, WarmupError::TooLong { .. }),
            Error::Threads(_) | Error::Running { .. } | Error::Table { .. } => false,
        }
    }
}

/// An error and its causes as the command prints them after `error: `: the error's own line,
/// then `  caused by: ...` for each cause, one a line; control characters a message quotes from
/// a file are shown escaped.
pub fn message(err: &(dyn std::error::Error + 'static)) -> String {
    let safe = |s: String| crate::text::printable_lines(&s).into_owned();
    let mut out = safe(err.to_string());
    let mut cause = err.source();
    while let Some(c) = cause {
        out.push_str("\n  caused by: ");
        out.push_str(&safe(c.to_string()));
        cause = c.source();
    }
    out
}

fn bundled_names() -> String {
    scenario::bundled::BUNDLED.iter().map(|b| b.0).collect::<Vec<_>>().join(", ")
}

/// What a TOML file given as a scenario seems to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A scenario (it has platforms or departments).
    Scenario,
    /// A sweep file (it has a base scenario or parameters, and no platforms).
    Sweep,
}

/// Guesses the kind of file at `path`, so that a sweep given as a scenario (or a scenario given
/// as a sweep) gets a message naming the right command; `None` when it cannot tell (then the
/// loader's own message applies).
pub fn looks_like(path: &Path) -> Option<FileKind> {
    let text = std::fs::read_to_string(path).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let scenario = table.contains_key("platforms") || table.contains_key("departments");
    let sweep = table.contains_key("base") || table.contains_key("parameters");
    match (scenario, sweep) {
        (true, false) => Some(FileKind::Scenario),
        (false, true) => Some(FileKind::Sweep),
        _ => None,
    }
}

/// The bundled scenario `path` names when no such file exists (`s-town`, or
/// `scenarios/s-town.toml` outside the repository).
pub fn bundled_instead(path: &Path) -> Option<&'static (&'static str, &'static str, &'static str)> {
    if path.exists() { None } else { scenario::bundled::named(path) }
}

/// The text of the scenario given as `path`: the file's, or the bundled scenario's it names
/// (empty when the file cannot be read).
pub fn scenario_text(path: &Path) -> String {
    match bundled_instead(path) {
        Some((_, _, text)) => text.to_string(),
        None => std::fs::read_to_string(path).unwrap_or_default(),
    }
}

/// The changes `--set KEY=VALUE` (each value in TOML) and `--unset KEY` make, parsed, in the
/// order they are applied: every set, then every unset.
pub fn overrides(set: &[String], unset: &[String]) -> Result<Vec<Override>, OverrideError> {
    let mut out = Vec::with_capacity(set.len() + unset.len());
    for s in set {
        out.push(parse_set(s)?);
    }
    for u in unset {
        out.push(parse_unset(u)?);
    }
    Ok(out)
}

/// Where a scenario comes from: a file, or one built into the library.
#[derive(Clone, Debug)]
pub enum Source {
    /// A scenario file.
    File(PathBuf),
    /// A bundled scenario: (id, file as named in messages, text).
    Bundled(&'static (&'static str, &'static str, &'static str)),
}

impl Source {
    /// The scenario `path` names, as `embedsim run PATH` finds it: the file, or else the bundled
    /// scenario of that id or repository path. A sweep file, or a path that names neither, is
    /// refused with the command's message.
    pub fn find(path: &Path) -> Result<Source, Error> {
        if looks_like(path) == Some(FileKind::Sweep) {
            return Err(Error::SweepFile { path: path.to_path_buf() });
        }
        if let Some(b) = bundled_instead(path) {
            return Ok(Source::Bundled(b));
        }
        if !path.exists() {
            return Err(Error::NoScenario { path: path.to_path_buf() });
        }
        Ok(Source::File(path.to_path_buf()))
    }

    /// The scenario with `overrides` applied, validated.
    pub fn load(&self, overrides: &[Override]) -> Result<Scenario, Error> {
        Ok(match self {
            Source::Bundled((_, file, text)) => scenario::overrides::load_variant_str(text, file, overrides)?,
            Source::File(path) => scenario::overrides::load_variant(path, overrides)?,
        })
    }

    /// Its text (empty when a file cannot be read).
    pub fn text(&self) -> String {
        match self {
            Source::Bundled((_, _, text)) => text.to_string(),
            Source::File(path) => std::fs::read_to_string(path).unwrap_or_default(),
        }
    }

    /// Its name in messages: the file's path, or the bundled scenario's path in the repository.
    pub fn origin(&self) -> String {
        match self {
            Source::Bundled((_, file, _)) => file.to_string(),
            Source::File(path) => path.display().to_string(),
        }
    }
}

/// Loads the scenario `path` names ([`Source::find`]) with `overrides` applied.
pub fn load(path: &Path, overrides: &[Override]) -> Result<Scenario, Error> {
    Source::find(path)?.load(overrides)
}

/// Runs `f` on a pool of `threads` worker threads of its own (`None`: one per core) and returns
/// once every one of them has ended, so that none is left when the caller's process forks. Work
/// `f` hands to rayon (`par_iter`, `join`) runs on this pool.
pub fn on_own_threads<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> Result<T, Error> {
    let n = threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut workers = Vec::with_capacity(n);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .spawn_handler(|thread| {
            let mut b = std::thread::Builder::new();
            if let Some(name) = thread.name() {
                b = b.name(name.to_owned());
            }
            if let Some(size) = thread.stack_size() {
                b = b.stack_size(size);
            }
            workers.push(b.spawn(|| thread.run())?);
            Ok(())
        })
        .build()
        .map_err(|source| Error::Threads(ExperimentError::Threads { threads: n, source }))?;
    let out = pool.install(f);
    // Dropping the pool tells its workers to stop; joining them waits until they have.
    drop(pool);
    for w in workers {
        let _ = w.join();
    }
    Ok(out)
}

fn check_threads(threads: Option<usize>) -> Result<(), Error> {
    match threads {
        Some(n) if !(1..=MAX_THREADS).contains(&n) => {
            Err(Error::Option(format!("threads: expected a whole number from 1 to {MAX_THREADS}, found {n}")))
        }
        _ => Ok(()),
    }
}

fn warmup_metric(metric: &str) -> Result<&str, Error> {
    let metric = if metric.is_empty() { "open" } else { metric };
    warmup::check_metric(metric).map_err(Error::Option)?;
    Ok(metric)
}

/// The CSV text `fill` writes: the bytes the same records make in a file.
fn csv_text(
    table: &'static str,
    fill: impl FnOnce(&mut csv::Writer<&mut dyn Write>) -> csv::Result<()>,
) -> Result<String, Error> {
    let mut buf: Vec<u8> = Vec::new();
    {
        let mut sink: &mut dyn Write = &mut buf;
        let mut c = csv::Writer::from_writer(&mut sink as &mut dyn Write);
        fill(&mut c).map_err(|source| Error::Table { table, source })?;
        c.flush().map_err(|e| Error::Table { table, source: e.into() })?;
    }
    String::from_utf8(buf).map_err(|e| Error::Table { table, source: std::io::Error::other(e).into() })
}

/// The options of `embedsim run` that change its numbers or its tables.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Replaces `simulation.seed`.
    pub seed: Option<u64>,
    /// Replaces `simulation.replications` (at least 1).
    pub replications: Option<u32>,
    /// Worker threads (`None`: one per core). The results do not depend on it.
    pub threads: Option<usize>,
    /// The warm-up (`--warmup`): the scenario's, a number of days, or MSER-5 on a pilot.
    pub warmup: Warmup,
    /// The daily platform series MSER-5 reads (empty: `open`).
    pub warmup_metric: String,
    /// Which daily series the `timeseries` table holds (`--series`); with `None` the runs keep
    /// no daily records (the summary is the same).
    pub series: Series,
}

/// The tables of `embedsim run`, as the CSV text of its files.
#[derive(Clone, Debug)]
pub struct RunTables {
    /// `summary.csv`.
    pub summary: String,
    /// `timeseries.csv`.
    pub timeseries: String,
    /// `departments.csv`.
    pub departments: String,
    /// `queues.csv`.
    pub queues: String,
    /// `regimes.csv`.
    pub regimes: String,
    /// `ranking.csv`, for a scenario with a `[ranking]`.
    pub ranking: Option<String>,
    /// How the warm-up was chosen, in the command's words.
    pub warmup_note: String,
    /// The scenario as run (seed, replications and warm-up set).
    pub scenario: Scenario,
}

/// Runs `sc` as `embedsim run` does with `options`, and returns its tables; `what` names the
/// scenario in messages (as given). Nothing is printed or written.
pub fn run(sc: &Scenario, what: &str, options: &RunOptions) -> Result<RunTables, Error> {
    let mut sc = sc.clone();
    if let Some(s) = options.seed {
        sc.simulation.seed = s;
    }
    if let Some(r) = options.replications {
        if r < 1 {
            return Err(Error::Option("replications must be at least 1".into()));
        }
        sc.simulation.replications = r;
    }
    check_threads(options.threads)?;
    let metric = warmup_metric(&options.warmup_metric)?;
    if options.series == Series::None {
        sc.simulation.day_records = DayRecords::Summary { warmup_metric: metric.to_string() };
    }
    let (note, outs) = on_own_threads(options.threads, || -> Result<_, Error> {
        let note = warmup::apply(&mut [&mut sc], &options.warmup, metric, None, &|| {})?;
        let outs = crate::experiment::run_all(&sc, None, &|| {})
            .map_err(|source| Error::Running { what: what.to_string(), source })?;
        Ok((note, outs))
    })??;
    let rows = crate::output::summaries(&sc, &outs);
    let tagged: Vec<(u32, Vec<_>)> = outs.iter().map(|o| o.replication).zip(rows).collect();
    use crate::output::csv as files;
    Ok(RunTables {
        summary: csv_text("summary.csv", |c| files::summary_rows(c, &sc, &tagged))?,
        timeseries: csv_text("timeseries.csv", |c| files::timeseries_rows(c, &sc, &outs, options.series))?,
        departments: csv_text("departments.csv", |c| files::departments_rows(c, &sc, &outs))?,
        queues: csv_text("queues.csv", |c| files::queues_rows(c, &sc, &outs))?,
        regimes: csv_text("regimes.csv", |c| files::regimes_rows(c, &sc, &outs))?,
        ranking: match sc.ranking {
            Some(_) => Some(csv_text("ranking.csv", |c| files::ranking_rows(c, &sc, &outs))?),
            None => None,
        },
        warmup_note: note,
        scenario: sc,
    })
}

/// The options of `embedsim compare` that change its numbers.
#[derive(Clone, Debug, Default)]
pub struct CompareOptions {
    /// Replications of each side (default: A's; at least 2).
    pub replications: Option<u32>,
    /// Seed of both sides (default: A's).
    pub seed: Option<u64>,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Multiplicity adjustment over all the tests reported.
    pub adjust: Adjust,
    /// The warm-up, the same for both sides.
    pub warmup: Warmup,
    /// The daily platform series MSER-5 reads (empty: `open`).
    pub warmup_metric: String,
}

/// A comparison's tables, as CSV text.
#[derive(Clone, Debug)]
pub struct CompareTables {
    /// `compare.csv`: B − A per platform and metric, with paired 95% intervals.
    pub diffs: String,
    /// A's `summary.csv`.
    pub summary_a: String,
    /// B's `summary.csv`.
    pub summary_b: String,
    /// Paired replications.
    pub replications: u32,
    /// The seed of both.
    pub seed: u64,
    /// How the warm-up was chosen.
    pub warmup_note: String,
}

/// Compares `b` with `a` on common random numbers, as `embedsim compare` does; `what` names
/// them (as given) in messages.
pub fn compare(
    a: &Scenario,
    b: &Scenario,
    what: (&str, &str),
    options: &CompareOptions,
) -> Result<CompareTables, Error> {
    if let Some(r) = options.replications
        && r < 2
    {
        return Err(Error::Option("replications must be at least 2 for a confidence interval".into()));
    }
    check_threads(options.threads)?;
    let metric = warmup_metric(&options.warmup_metric)?;
    let settings = crate::experiment::compare::Settings {
        replications: options.replications,
        seed: options.seed,
        threads: None,
        adjust: options.adjust,
        warmup: options.warmup.clone(),
        warmup_metric: metric.to_string(),
        precision: Vec::new(),
        max_replications: 2,
    };
    let c = on_own_threads(options.threads, || crate::experiment::compare::compare(a, b, &settings, &|| {}))?
        .map_err(Error::Comparing)?;
    if c.diffs.is_empty() {
        return Err(Error::NothingInCommon { a: what.0.to_string(), b: what.1.to_string() });
    }
    let summary = |sc: &Scenario, outs: &[crate::model::RunOutput]| {
        let tagged: Vec<(u32, Vec<_>)> =
            outs.iter().map(|o| o.replication).zip(crate::output::summaries(sc, outs)).collect();
        csv_text("summary.csv", |w| crate::output::csv::summary_rows(w, sc, &tagged))
    };
    Ok(CompareTables {
        diffs: csv_text("compare.csv", |w| crate::experiment::compare::csv_rows(w, &c.diffs))?,
        summary_a: summary(&c.a, &c.outs_a)?,
        summary_b: summary(&c.b, &c.outs_b)?,
        replications: c.replications,
        seed: c.seed,
        warmup_note: c.warmup_note,
    })
}

/// The points of a design: one column per key path, one row per point, each value in TOML
/// (`2.5`, `3`, `true`, `"petition"`), as `--set PATH=VALUE` takes it.
#[derive(Clone, Debug, Default)]
pub struct Design {
    /// The key path of each column.
    pub paths: Vec<String>,
    /// Per point, its values in column order.
    pub rows: Vec<Vec<String>>,
}

/// How the points of a design are run.
#[derive(Clone, Debug, Default)]
pub struct SweepOptions {
    /// Replaces every point's `simulation.seed` (default: each point's own, the base's unless
    /// the design sets it).
    pub seed: Option<u64>,
    /// Replications of every point (default: the first point's `simulation.replications`).
    pub replications: Option<u32>,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
}

/// The tables of a design run as a sweep.
#[derive(Clone, Debug)]
pub struct SweepTables {
    /// As `runs.csv`: one row per run (point × replication) and platform.
    pub runs: String,
    /// As `points.csv`: per point and platform, the key metrics' mean, sd and 95% half-width,
    /// and the regimes' shares.
    pub points: String,
}

/// Runs every point of `design` — the scenario of `source` with `changes`, then the point's
/// values set as `--set PATH=VALUE` sets them — for the same replications, as a sweep runs its
/// points (each run keeps no daily records; a run that stops at a limit makes its point unstable
/// there). Point `p` run alone is `embedsim run SCENARIO --set ... --set PATH=VALUE ...` with the
/// same seed and replications.
pub fn sweep(
    source: &Source,
    changes: &[Override],
    design: &Design,
    options: &SweepOptions,
) -> Result<SweepTables, Error> {
    check_threads(options.threads)?;
    if design.paths.is_empty() {
        return Err(Error::Option("the design has no columns: expected one column per key path".into()));
    }
    if design.rows.is_empty() {
        return Err(Error::Option("the design has no rows: expected one row per point".into()));
    }
    if let Some(0) = options.replications {
        return Err(Error::Option("replications must be at least 1".into()));
    }
    let mut points = Vec::with_capacity(design.rows.len());
    let mut texts = Vec::with_capacity(design.rows.len());
    for (row, values) in design.rows.iter().enumerate() {
        if values.len() != design.paths.len() {
            return Err(Error::Option(format!(
                "design row {row}: expected {} values (one per column), found {}",
                design.paths.len(),
                values.len()
            )));
        }
        let described = || design.paths.iter().zip(values).map(|(p, v)| format!("{p} = {v}")).collect::<Vec<_>>();
        let point = |e: Error| Error::Point { row, values: described().join(", "), source: Box::new(e) };
        let mut all = changes.to_vec();
        let mut text = Vec::with_capacity(values.len());
        for (path, value) in design.paths.iter().zip(values) {
            let o = parse_set(&format!("{path}={value}")).map_err(|e| point(e.into()))?;
            if let Override::Set { value, .. } = &o {
                text.push(value_text(value));
            }
            all.push(o);
        }
        let mut sc = source.load(&all).map_err(point)?;
        if let Some(s) = options.seed {
            sc.simulation.seed = s;
        }
        sc.simulation.day_records = DayRecords::Summary { warmup_metric: "open".into() };
        points.push(sc);
        texts.push(text);
    }
    let replications = options.replications.unwrap_or(points[0].simulation.replications);
    let platforms: Vec<String> = points[0].platforms.iter().map(|p| p.id.clone()).collect();
    for (row, sc) in points.iter_mut().enumerate() {
        sc.simulation.replications = replications;
        if sc.platforms.iter().map(|p| &p.id).ne(platforms.iter()) {
            return Err(Error::Option(format!(
                "design row {row} has other platforms than row 0 ({}): every point must have the same",
                platforms.join(", ")
            )));
        }
    }
    let m = Manifest {
        name: "design".into(),
        fingerprint: String::new(),
        seed: points[0].simulation.seed.to_string(),
        replications,
        runs: points.len() * replications as usize,
        parameters: design.paths.clone(),
        points: texts,
        platforms,
        metrics: crate::metrics::summary::METRICS.iter().map(|s| s.to_string()).collect(),
        shard: None,
        version: crate::provenance::VERSION.into(),
        commit: crate::provenance::COMMIT.into(),
        lock_fnv1a: crate::provenance::LOCK_FNV1A.into(),
    };
    let records = on_own_threads(options.threads, || {
        use rayon::prelude::*;
        (0..m.runs)
            .into_par_iter()
            .map(|i| {
                let (p, r) = (i / replications as usize, (i % replications as usize) as u32);
                RunRecord::of_run(&points[p], &m, i, r)
            })
            .collect::<Result<Vec<_>, _>>()
    })?
    .map_err(|e| Error::Running { what: "the design's points".into(), source: e.into() })?;
    use crate::experiment::sweep_files as sw;
    let runs = csv_text("runs.csv", |c| {
        c.write_record(sw::runs_header(&m))?;
        for rec in &records {
            for r in sw::runs_records(&m, rec) {
                c.write_record(&r)?;
            }
        }
        Ok(())
    })?;
    let points = csv_text("points.csv", |c| {
        c.write_record(sw::points_header(&m))?;
        for s in sw::point_stats(&m, &records) {
            c.write_record(sw::points_record(&m, &s))?;
        }
        Ok(())
    })?;
    Ok(SweepTables { runs, points })
}

/// A value as a sweep's CSV files write a parameter's.
fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::Integer(i) => ParamValue::Int(*i).text(),
        toml::Value::Float(f) => ParamValue::Float(*f).text(),
        toml::Value::String(s) => ParamValue::Str(s.clone()).text(),
        toml::Value::Boolean(b) => ParamValue::Bool(*b).text(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(days: u32) -> Vec<Override> {
        overrides(&[format!("simulation.duration_days={days}"), "simulation.warmup_days=10".into()], &[]).unwrap()
    }

    #[test]
    fn a_bundled_scenario_is_found_by_name_and_a_missing_one_is_named() {
        let s = Source::find(Path::new("s-town")).unwrap();
        assert_eq!(s.origin(), "scenarios/s-town.toml");
        let e = Source::find(Path::new("no-such-town")).unwrap_err();
        assert!(e.is_input() && e.to_string().contains("no bundled scenario of that name"), "{e}");
    }

    #[test]
    fn a_run_gives_the_tables_on_threads_it_joins() {
        let sc = load(Path::new("s-town"), &short(30)).unwrap();
        let options = RunOptions { replications: Some(2), threads: Some(2), ..RunOptions::default() };
        let one = run(&sc, "s-town", &options).unwrap();
        assert!(one.summary.starts_with("replication,platform,arrived,closed,"), "{}", one.summary);
        assert_eq!(one.summary.lines().count(), 1 + 2 * sc.platforms.len());
        let other = run(&sc, "s-town", &RunOptions { threads: Some(1), ..options }).unwrap();
        assert_eq!(one.summary, other.summary, "the threads do not change the numbers");
        assert_eq!(one.timeseries, other.timeseries);
    }

    #[test]
    fn a_design_runs_each_point_as_its_own_run_would() {
        let source = Source::find(Path::new("s-town")).unwrap();
        let design = Design {
            paths: vec!["leaders.secretary.attention_hours_per_day".into()],
            rows: vec![vec!["1.5".into()], vec!["3".into()]],
        };
        let options = SweepOptions { replications: Some(1), threads: Some(2), ..SweepOptions::default() };
        let t = sweep(&source, &short(30), &design, &options).unwrap();
        assert!(t.runs.starts_with("run,point,replication,leaders.secretary.attention_hours_per_day,platform,"));
        let mut alone = short(30);
        alone.push(parse_set("leaders.secretary.attention_hours_per_day=3").unwrap());
        let sc = source.load(&alone).unwrap();
        let r = run(&sc, "s-town", &RunOptions { replications: Some(1), ..RunOptions::default() }).unwrap();
        // The second point's first platform: the same closed count as the run alone.
        let closed = |line: &str, at: usize| line.split(',').nth(at).unwrap().to_string();
        let point_row = t.runs.lines().find(|l| l.starts_with("1,1,0,3,")).expect("run 1 is point 1");
        let run_row = r.summary.lines().nth(1).unwrap();
        assert_eq!(closed(point_row, 6), closed(run_row, 3), "{point_row}\n{run_row}");
    }
}
