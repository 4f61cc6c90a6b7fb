//! Output: CSV files written atomically, terminal reports.

pub mod atomic;
pub mod bars;
pub mod caveats;
pub mod csv;
pub mod folder;
pub mod html;
pub mod parquet;
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

/// From this estimated size on, `embedsim run` states the size of the daily series before it
/// starts.
pub const NOTE_OUTPUT_BYTES: u64 = 100_000_000;

/// From this estimated size of the daily records held in memory on, `embedsim run` states it
/// before it starts.
pub const NOTE_HELD_BYTES: u64 = 1_000_000_000;

/// The sentence `embedsim run` prints before a large run: how big its daily series will be, and
/// how to make them smaller.
pub fn size_note(sc: &Scenario, replications: u32, series: csv::Series, format: Format) -> String {
    let mb = estimate_series_bytes(sc, replications, series) as f64 / 1e6;
    let what = match format {
        Format::Parquet => format!("the daily series come to about {mb:.0} MB as CSV (timeseries.parquet: far less)"),
        Format::Csv | Format::Both => format!("timeseries.csv will hold about {mb:.0} MB"),
    };
    let series = match series {
        csv::Series::All => "all",
        csv::Series::Platforms => "platforms",
        csv::Series::Weekly => "weekly",
        csv::Series::None => "none",
    };
    let smaller = if format == Format::Parquet {
        "--series weekly or none"
    } else {
        "--series weekly or none, or --format parquet,"
    };
    format!(
        "{what} ({replications} replications x {} days, --series {series}), held in memory until written; \
         {smaller} make it smaller",
        sc.simulation.duration_days
    )
}

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

/// An estimate of the bytes of daily records `embedsim run` holds in memory until it writes its
/// files. A run that keeps every day (any `--series` but `none`: the report's charts are drawn
/// from them) holds every platform's, department's and leader's record of every day of every
/// replication, so a run of a big world, or of many long replications, can hold far more than
/// its files; one that keeps what its summary needs ([`crate::scenario::DayRecords::Summary`])
/// holds the township's day and each platform's trail, a few bytes a day.
pub fn estimate_held_bytes(sc: &Scenario, replications: u32) -> u64 {
    use crate::metrics::collector::{DepartmentDay, LeaderDay, PlatformDay, TownDay};
    use std::mem::size_of;
    let days = sc.simulation.duration_days.ceil().max(0.0) as u64;
    let trail = match &sc.simulation.day_records {
        crate::scenario::DayRecords::All => 12,
        crate::scenario::DayRecords::Summary { .. } => 20,
    };
    let per_day = match sc.simulation.day_records {
        crate::scenario::DayRecords::All => {
            sc.platforms.len() * (size_of::<PlatformDay>() + trail)
                + sc.departments.len() * size_of::<DepartmentDay>()
                + sc.leaders.len() * size_of::<LeaderDay>()
        }
        crate::scenario::DayRecords::Summary { .. } => sc.platforms.len() * trail,
    } + size_of::<TownDay>();
    days.saturating_mul(per_day as u64).saturating_mul(replications as u64)
}

/// An estimate of the most memory a run of `replications` replications of `sc` on `threads`
/// threads takes: the program itself, the world of each replication in flight (its entities
/// and the open orders it may hold, bounded by `simulation.max_open_orders`), the daily records
/// every replication keeps until its files are written ([`estimate_held_bytes`]), and the
/// report's charts drawn from them. One function behind `--large` on the command line and the
/// classroom page's refusal of the same runs; tests/memory.rs holds it within a factor of two of
/// the measured peak.
pub fn estimate_peak_bytes(sc: &Scenario, replications: u32, threads: usize) -> u64 {
    const PROGRAM: u64 = 12_000_000;
    // Entities: a few hundred bytes to a few KB each, with their queues' and streams' state.
    let entities = sc.platforms.len() as u64 * 6_000
        + sc.departments.len() as u64 * 3_000
        + sc.leaders.len() as u64 * 2_000
        + sc.villages.len() as u64 * 1_000
        + sc.categories.len() as u64 * 500;
    // Open orders: a world holds a few days of arrivals open (they close within days when the
    // platform works), and at most what the guard allows.
    let per_day: f64 = sc.platforms.iter().map(|p| p.arrival_rate_per_day).sum::<f64>()
        + sc.villages.iter().map(|v| v.population as f64 * v.issues_per_1000_per_day / 1000.0).sum::<f64>();
    let open = (per_day * 3.0).min(sc.simulation.max_open_orders as f64) as u64;
    let days = sc.simulation.duration_days.ceil().max(0.0) as u64;
    // A run that keeps no daily records still holds each platform's last regime windows.
    let recent = match sc.simulation.day_records {
        crate::scenario::DayRecords::All => 0,
        crate::scenario::DayRecords::Summary { .. } => {
            let kept = (crate::metrics::collector::days_kept(&sc.regimes) as u64 + 1).min(days.max(1));
            sc.platforms.len() as u64 * kept * std::mem::size_of::<crate::metrics::collector::PlatformDay>() as u64
        }
    };
    let world = entities + open * 600 + recent;
    let in_flight = (threads.max(1) as u64).min(replications.max(1) as u64);
    let drawn = sc.platforms.len().min(view::MAX_PLATFORMS_DRAWN) as u64 * 8 + 14;
    let charts = match sc.simulation.day_records {
        crate::scenario::DayRecords::All => days.saturating_mul(drawn).saturating_mul(3 * 24),
        crate::scenario::DayRecords::Summary { .. } => 0,
    };
    PROGRAM
        .saturating_add(world.saturating_mul(in_flight))
        .saturating_add(estimate_held_bytes(sc, replications))
        .saturating_add(charts)
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
    write_run_as(dir, sc, outs, rows, series, Format::Csv)
}

/// The format of a run's summary and daily series (`run --format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `summary.csv` and `timeseries.csv`.
    #[default]
    Csv,
    /// `summary.parquet` and `timeseries.parquet` instead.
    Parquet,
    /// Both.
    Both,
}

/// The files `embedsim run` writes in `format`, in the order [`write_run_as`] returns them
/// (then `report.html`, and `baseline.csv` when there is a baseline).
pub fn run_files(format: Format) -> Vec<&'static str> {
    let csv = format != Format::Parquet;
    let parquet = format != Format::Csv;
    [
        ("summary.csv", csv),
        ("timeseries.csv", csv),
        ("summary.parquet", parquet),
        ("timeseries.parquet", parquet),
        ("departments.csv", true),
        ("queues.csv", true),
        ("regimes.csv", true),
    ]
    .into_iter()
    .filter_map(|(f, on)| on.then_some(f))
    .collect()
}

/// [`write_run_with`] in `format`. Returns the paths written.
pub fn write_run_as(
    dir: &Path,
    sc: &Scenario,
    outs: &[RunOutput],
    rows: &[Vec<PlatformSummary>],
    series: csv::Series,
    format: Format,
) -> Result<Vec<String>, WriteError> {
    use rayon::prelude::*;
    let tagged: Vec<(u32, Vec<PlatformSummary>)> =
        outs.iter().map(|o| o.replication).zip(rows.iter().cloned()).collect();
    let mut files = run_files(format);
    if sc.ranking.is_some() {
        files.push("ranking.csv");
    }
    // The files are independent: written side by side on the worker threads (each atomically,
    // each the same bytes whatever the threads); the first error in file order is reported.
    let write = |name: &str| {
        let p = dir.join(name);
        match name {
            "summary.csv" => csv::write_summary(&p, sc, &tagged),
            "timeseries.csv" => csv::write_timeseries_of(&p, sc, outs, series),
            "summary.parquet" => parquet::write_summary(&p, sc, &tagged),
            "timeseries.parquet" => parquet::write_timeseries(&p, sc, outs, series),
            "departments.csv" => csv::write_departments(&p, sc, outs),
            "queues.csv" => csv::write_queues(&p, sc, outs),
            "ranking.csv" => csv::write_ranking(&p, sc, outs),
            _ => csv::write_regimes(&p, sc, outs),
        }
    };
    // The daily series first: it is the longest, and the other files fill the threads around it.
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| !files[i].starts_with("timeseries"));
    let mut results: Vec<(usize, Result<(), WriteError>)> = order.par_iter().map(|&i| (i, write(files[i]))).collect();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect::<Result<Vec<()>, _>>()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_records_held_grow_with_the_world_the_days_and_the_replications() {
        let base = crate::scenario::load_str(include_str!("../../scenarios/s-town.toml"), "s-town.toml").unwrap();
        let held = estimate_held_bytes(&base, 4);
        assert!(held > 0);
        assert_eq!(estimate_series_bytes(&base, 4, csv::Series::None), 0, "no daily series written");
        assert_eq!(estimate_held_bytes(&base, 8), 2 * held, "twice the replications");
        let mut longer = base.clone();
        longer.simulation.duration_days *= 2.0;
        assert_eq!(estimate_held_bytes(&longer, 4), 2 * held, "twice the days");
        let mut bigger = base.clone();
        bigger.platforms.extend(base.platforms.iter().cloned());
        assert!(estimate_held_bytes(&bigger, 4) > held, "more platforms");
        let mut lean = base.clone();
        lean.simulation.day_records = crate::scenario::DayRecords::Summary { warmup_metric: "open".into() };
        assert!(estimate_held_bytes(&lean, 4) * 10 < held, "a lean run holds a tenth or less");
    }
}
