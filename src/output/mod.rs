//! Output: CSV files written atomically, terminal reports.

pub mod atomic;
pub mod bars;
pub mod csv;
pub mod folder;
pub mod html;
pub mod plot;
pub mod png;
pub mod report;
pub mod story;
pub mod sweep_view;
pub mod view;
pub mod words;

use std::path::Path;

use crate::metrics::summary::{PlatformSummary, summarize};
use crate::model::RunOutput;
use crate::scenario::Scenario;

pub use atomic::{WriteError, write_atomic};

/// Summaries of every replication, in replication order.
pub fn summaries(sc: &Scenario, outs: &[RunOutput]) -> Vec<Vec<PlatformSummary>> {
    outs.iter().map(|o| summarize(sc, o)).collect()
}

/// Above this estimated size, `embedsim run` asks for `--large` before it starts.
pub const LARGE_OUTPUT_BYTES: u64 = 2_000_000_000;

/// An estimate (within a factor of about two) of the bytes of `timeseries.csv` for `replications`
/// replications of `sc`; the daily series held in memory until written are of the same order.
pub fn estimate_timeseries_bytes(sc: &Scenario, replications: u32) -> u64 {
    estimate_series_bytes(sc, replications, csv::Series::All)
}

/// [`estimate_timeseries_bytes`] for the daily series the user chose.
pub fn estimate_series_bytes(sc: &Scenario, replications: u32, series: csv::Series) -> u64 {
    let days = sc.simulation.duration_days.ceil().max(0.0) as u64;
    let platform = sc.platforms.len() as u64 * 24;
    let per_day = match series {
        csv::Series::All => platform + sc.departments.len() as u64 * 5 + sc.leaders.len() as u64 * 3 + 5,
        csv::Series::Platforms => platform,
        csv::Series::Weekly => platform.div_ceil(7),
        csv::Series::None => 0,
    };
    days.saturating_mul(per_day).saturating_mul(replications as u64).saturating_mul(40)
}

/// Writes every file of `embedsim run` into `dir`: summary, timeseries, departments, queues,
/// regimes. Returns the paths written.
pub fn write_run(
    dir: &Path,
    sc: &Scenario,
    outs: &[RunOutput],
    rows: &[Vec<PlatformSummary>],
) -> Result<Vec<String>, WriteError> {
    write_run_with(dir, sc, outs, rows, csv::Series::All)
}

/// [`write_run`] with the daily series the user chose for `timeseries.csv`.
pub fn write_run_with(
    dir: &Path,
    sc: &Scenario,
    outs: &[RunOutput],
    rows: &[Vec<PlatformSummary>],
    series: csv::Series,
) -> Result<Vec<String>, WriteError> {
    let tagged: Vec<(u32, Vec<PlatformSummary>)> =
        outs.iter().map(|o| o.replication).zip(rows.iter().cloned()).collect();
    let files = ["summary.csv", "timeseries.csv", "departments.csv", "queues.csv", "regimes.csv"];
    csv::write_summary(&dir.join(files[0]), sc, &tagged)?;
    csv::write_timeseries_of(&dir.join(files[1]), sc, outs, series)?;
    csv::write_departments(&dir.join(files[2]), sc, outs)?;
    csv::write_queues(&dir.join(files[3]), sc, outs)?;
    csv::write_regimes(&dir.join(files[4]), sc, outs)?;
    Ok(files.iter().map(|f| dir.join(f).display().to_string()).collect())
}

/// Writes `report.html` into `dir`: the run drawn, with the scenario's `text` and the `changes`
/// (`--set ...`) that made it. Returns the path written.
pub fn write_report(
    dir: &Path,
    sc: &Scenario,
    text: &str,
    changes: &[String],
    outs: &[RunOutput],
    rows: &[Vec<PlatformSummary>],
) -> Result<String, WriteError> {
    let path = dir.join("report.html");
    let page = html::report(&[view::run_view(sc, text, changes, outs, rows)], &[]);
    write_atomic(&path, |w| w.write_all(page.as_bytes()))?;
    Ok(path.display().to_string())
}
