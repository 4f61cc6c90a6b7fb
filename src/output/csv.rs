//! The CSV files of `embedsim run`. Columns are fixed and documented in the README.

use std::io::{self, Write};
use std::path::Path;

use super::atomic::{WriteError, num, num_into, write_atomic, write_atomic_file};
use crate::metrics::summary::{METRICS, PlatformSummary};
use crate::model::RunOutput;
use crate::scenario::Scenario;

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

/// Header of `summary.csv`.
pub fn summary_header() -> Vec<String> {
    let mut h = vec!["replication".to_string(), "platform".to_string()];
    h.extend(METRICS.iter().take(4).map(|s| s.to_string()));
    h.push("regime".into());
    h.extend(METRICS.iter().skip(4).map(|s| s.to_string()));
    h.extend(["regime_since_day".to_string(), "regime_changes".to_string()]);
    h
}

/// One `summary.csv` record.
pub fn summary_record(replication: u32, s: &PlatformSummary) -> Vec<String> {
    let mut r = vec![replication.to_string(), s.platform.clone()];
    r.extend(s.values.iter().take(4).map(|v| num(*v)));
    r.push(s.regime.name().to_string());
    r.extend(s.values.iter().skip(4).map(|v| num(*v)));
    r.push(num(s.regime_since_day));
    r.push(s.regime_changes.to_string());
    r
}

/// Whether the files carry `township` and `district` columns: when the scenario has more than
/// one township (a one-township scenario gives exactly the files of the same town written
/// without a template).
fn placed(sc: &Scenario) -> bool {
    sc.layout.townships.len() > 1
}

/// Appends the township and district of an entity owned by `owner`, when the files carry them.
fn place<T: From<String>>(sc: &Scenario, owner: Option<usize>, record: &mut Vec<T>) {
    if placed(sc) {
        let (t, d) = sc.layout.names(owner);
        record.push(T::from(t.to_string()));
        record.push(T::from(d.to_string()));
    }
}

/// `summary.csv`: one row per replication and platform.
pub fn write_summary(path: &Path, sc: &Scenario, summaries: &[(u32, Vec<PlatformSummary>)]) -> Result<(), WriteError> {
    write_csv(path, |c| summary_rows(c, sc, summaries))
}

/// The records of `summary.csv`, header first, into `c` (a file's writer, or a buffer's).
pub fn summary_rows(
    c: &mut csv::Writer<&mut dyn Write>,
    sc: &Scenario,
    summaries: &[(u32, Vec<PlatformSummary>)],
) -> csv::Result<()> {
    let mut header = summary_header();
    place_header(sc, &mut header);
    c.write_record(&header)?;
    for (rep, rows) in summaries {
        for (p, s) in rows.iter().enumerate() {
            let mut r = summary_record(*rep, s);
            place(sc, sc.layout.platform.get(p).copied().flatten(), &mut r);
            c.write_record(&r)?;
        }
    }
    Ok(())
}

fn place_header(sc: &Scenario, header: &mut Vec<String>) {
    if placed(sc) {
        header.extend(["township".to_string(), "district".to_string()]);
    }
}

/// Which daily series `timeseries.csv` holds (`run --series`): all of them, the platforms' only,
/// the platforms' every seventh day, or none (the header alone) — for large runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Series {
    /// Every scope, every day.
    #[default]
    All,
    /// Platforms only, every day.
    Platforms,
    /// Platforms only, the last day of each week (days 6, 13, ...).
    Weekly,
    /// No rows.
    None,
}

/// About the most text of `timeseries.csv` one piece holds while it is formatted and written.
const PIECE_BYTES: u64 = 2_000_000;

/// `timeseries.csv`: long format, one row per replication, day, entity and metric.
pub fn write_timeseries(path: &Path, sc: &Scenario, outs: &[RunOutput]) -> Result<(), WriteError> {
    write_timeseries_of(path, sc, outs, Series::All)
}

/// `timeseries.csv` holding the chosen series.
pub fn write_timeseries_of(path: &Path, sc: &Scenario, outs: &[RunOutput], series: Series) -> Result<(), WriteError> {
    use rayon::prelude::*;
    write_atomic_file(path, |w| {
        let mut c = csv::Writer::from_writer(Vec::new());
        c.write_record(timeseries_header(sc)).map_err(csv_err)?;
        w.write_all(&c.into_inner().map_err(|e| e.into_error())?)?;
        if series == Series::None {
            return Ok(());
        }
        // Each replication's days are cut into pieces, four per thread so that a thread coming
        // late from another file still finds work. One replication's pieces are formatted in
        // parallel while the previous replication's text is written (about two replications'
        // text held at once); the pieces are written in order: the same bytes as one writer
        // going through them in turn. A run of one long replication is written in parallel too.
        // A replication of a big world is cut finer, to pieces of about `PIECE_BYTES`, so that
        // the text held at once stays about two batches of those, not the whole file.
        let per_batch = 4 * rayon::current_num_threads().max(1);
        let per_replication = super::estimate_series_bytes(sc, 1, series).div_ceil(PIECE_BYTES) as usize;
        let cuts = per_batch.max(per_replication);
        let pieces: Vec<(&RunOutput, std::ops::Range<usize>)> = outs
            .iter()
            .flat_map(|out| {
                let days = out.town.len();
                let step = days.div_ceil(cuts).max(1);
                (0..days).step_by(step).map(move |from| (out, from..(from + step).min(days)))
            })
            .collect();
        let format = |batch: &[(&RunOutput, std::ops::Range<usize>)]| -> Vec<io::Result<Vec<u8>>> {
            batch
                .par_iter()
                .map(|(out, days)| {
                    let mut buf = Vec::new();
                    {
                        let mut sink: &mut dyn Write = &mut buf;
                        let mut c = csv::Writer::from_writer(&mut sink as &mut dyn Write);
                        write_run_timeseries(&mut c, sc, out, series, days.clone()).map_err(csv_err)?;
                        c.flush()?;
                    }
                    Ok(buf)
                })
                .collect()
        };
        let put = |w: &mut std::io::BufWriter<std::fs::File>, texts: Vec<io::Result<Vec<u8>>>| -> io::Result<()> {
            for text in texts {
                w.write_all(&text?)?;
            }
            Ok(())
        };
        let mut pending = Vec::new();
        // The text written so far is handed to the disk while the rest is formatted (a thread
        // of its own, waiting on the disk, not a worker's core), so that the final sync before
        // the rename has little left to do: the file is still whole or absent, as before.
        let mut flushing: Option<std::thread::JoinHandle<io::Result<()>>> = None;
        for batch in pieces.chunks(per_batch) {
            let (written, texts) = rayon::join(|| put(w, std::mem::take(&mut pending)), || format(batch));
            written?;
            pending = texts;
            if flushing.as_ref().is_none_or(|f| f.is_finished()) {
                if let Some(f) = flushing.take() {
                    f.join().map_err(|_| io::Error::other("a sync thread panicked"))??;
                }
                w.flush()?;
                let file = w.get_ref().try_clone()?;
                flushing = Some(std::thread::spawn(move || file.sync_data()));
            }
        }
        put(w, pending)?;
        if let Some(f) = flushing {
            f.join().map_err(|_| io::Error::other("a sync thread panicked"))??;
        }
        Ok(())
    })
}

/// The header of `timeseries.csv`.
fn timeseries_header(sc: &Scenario) -> Vec<String> {
    let mut header = ["replication", "day", "scope", "id", "metric", "value"].map(String::from).to_vec();
    place_header(sc, &mut header);
    header
}

/// The records of `timeseries.csv` holding the chosen series, header first, into `c`: the same
/// bytes [`write_timeseries_of`] writes, on the calling thread (for a buffer in memory).
pub fn timeseries_rows(
    c: &mut csv::Writer<&mut dyn Write>,
    sc: &Scenario,
    outs: &[RunOutput],
    series: Series,
) -> csv::Result<()> {
    c.write_record(timeseries_header(sc))?;
    for out in outs {
        write_run_timeseries(c, sc, out, series, 0..out.town.len())?;
    }
    Ok(())
}

/// Writes CSV to `path` atomically; every field goes through the csv crate, so ids holding
/// commas, quotes or newlines are quoted.
pub fn write_csv(
    path: &Path,
    fill: impl FnOnce(&mut csv::Writer<&mut dyn Write>) -> csv::Result<()>,
) -> Result<(), WriteError> {
    write_atomic(path, |w| {
        let mut c = csv::Writer::from_writer(w);
        fill(&mut c).map_err(csv_err)?;
        c.flush()
    })
}

/// The number `timeseries.csv` writes for a regime (README, Outputs): 0 unclassified,
/// 1 transitional, 2 embedded, 3 reengineered, 4 floating, 5 idling, 6 overloaded.
pub fn regime_code(r: crate::metrics::Regime) -> u8 {
    use crate::metrics::Regime::*;
    match r {
        Unclassified => 0,
        Transitional => 1,
        Embedded => 2,
        Reengineered => 3,
        Floating => 4,
        Idling => 5,
        Overloaded => 6,
    }
}

/// One value of the daily series: a measure, or a count (written as an integer).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SeriesValue {
    /// A measure (empty in CSV, null in Parquet, when undefined).
    Real(f64),
    /// A count.
    Count(u64),
}

impl SeriesValue {
    /// As CSV writes it, appended to `out`.
    pub fn text_into(self, out: &mut String) {
        use std::fmt::Write as _;
        match self {
            SeriesValue::Real(x) => num_into(out, x),
            SeriesValue::Count(n) => {
                let _ = write!(out, "{n}");
            }
        }
    }

    /// As a number (NaN or infinite when undefined).
    pub fn number(self) -> f64 {
        match self {
            SeriesValue::Real(x) => x,
            SeriesValue::Count(n) => n as f64,
        }
    }
}

/// One row of the long-format daily series of one replication.
#[derive(Clone, Copy, Debug)]
pub struct SeriesRow<'a> {
    /// Day index.
    pub day: usize,
    /// platform, department, leader or township.
    pub scope: &'a str,
    /// The entity's id.
    pub id: &'a str,
    /// The metric.
    pub metric: &'a str,
    /// Its value.
    pub value: SeriesValue,
    /// Township and district, when the files carry them.
    pub at: Option<(&'a str, &'a str)>,
}

/// Goes through the rows of `out`'s daily series that `series` asks for on `days`, in file order:
/// the one traversal behind `timeseries.csv` and `timeseries.parquet`.
pub fn for_each_series_row<E>(
    sc: &Scenario,
    out: &RunOutput,
    series: Series,
    days: std::ops::Range<usize>,
    f: &mut dyn FnMut(SeriesRow<'_>) -> Result<(), E>,
) -> Result<(), E> {
    use SeriesValue::{Count, Real};
    if series == Series::None {
        return Ok(());
    }
    let everything = series == Series::All;
    // Decided once per run, not per department and day (that was quadratic in departments).
    let any_stress = sc.departments.iter().any(|d| d.stress.is_some());
    let attrition = any_attrition(sc);
    let trust = !sc.villages.is_empty();
    let reengineering = sc.reengineering.is_some();
    let village_rung = sc.grid.as_ref().is_some_and(|g| g.village_share.is_some());
    let points = sc.points.is_some();
    let l = &sc.layout;
    // Formatted once per run, not once per platform and day.
    let kind_names: Vec<String> = crate::model::department::Hours::KINDS.iter().map(|k| format!("hours_{k}")).collect();
    let names = |owner: Option<usize>| if placed(sc) { Some(l.names(owner)) } else { None };
    for day in days.start..days.end.min(out.town.len()) {
        if series == Series::Weekly && day % 7 != 6 {
            continue;
        }
        let mut row = |scope: &str, id: &str, metric: &str, value: SeriesValue, at: Option<(&str, &str)>| {
            f(SeriesRow { day, scope, id, metric, value, at })
        };
        for (i, (spec, p)) in sc.platforms.iter().zip(&out.platforms).enumerate() {
            let x = &p.days[day];
            let id = spec.id.as_str();
            let at = names(l.platform[i]);
            let mut metric = |metric: &str, v: f64| row("platform", id, metric, Real(v), at);
            metric("arrivals", x.arrivals as f64)?;
            metric("dispatched", x.dispatched as f64)?;
            metric("closed", x.closed as f64)?;
            metric("lost", x.lost as f64)?;
            metric("open", x.open as f64)?;
            metric("open_overdue", x.overdue as f64)?;
            metric("leader_attention_hours", x.attention)?;
            if trust {
                metric("trust", x.trust)?;
            }
            metric("weighted_r", x.weighted_r)?;
            metric("closed_on_time", x.on_time as f64)?;
            metric("staff_hours", x.hours)?;
            metric("burden_hours", x.burden)?;
            for (name, h) in kind_names.iter().zip(x.kinds) {
                metric(name, h)?;
            }
            if let Some(r) = x.regime {
                metric("regime", regime_code(r) as f64)?;
            }
        }
        if !everything {
            continue;
        }
        for (i, (spec, dep)) in sc.departments.iter().zip(&out.departments).enumerate() {
            let x = &dep.days[day];
            let at = names(l.department[i]);
            let mut metric = |metric: &str, v: f64| row("department", &spec.id, metric, Real(v), at);
            metric("queue", x.queue as f64)?;
            metric("hours", x.hours)?;
            metric("utilisation", x.utilisation)?;
            if reengineering {
                metric("r", x.r)?;
            }
            if any_stress {
                metric("stress", x.stress)?;
            }
            if attrition {
                metric("staff", x.staff as f64)?;
            }
        }
        for (i, (spec, series)) in sc.leaders.iter().zip(&out.leaders).enumerate() {
            let x = &series[day];
            let at = names(l.leader[i]);
            row("leader", &spec.id, "inbox", Count(x.inbox), at)?;
            if spec.delegate.is_some() {
                row("leader", &spec.id, "deputy_inbox", Count(x.deputy_inbox), at)?;
            }
            row("leader", &spec.id, "attention_hours", Real(x.hours), at)?;
        }
        if trust {
            let t = &out.town[day];
            let at = names(None);
            row("township", "all", "issues", Count(t.issues), at)?;
            row("township", "all", "offline", Count(t.offline), at)?;
            row("township", "all", "silent", Count(t.silent), at)?;
            row("township", "all", "grid_resolved", Count(t.grid_resolved), at)?;
            if village_rung {
                row("township", "all", "village_resolved", Count(t.village_resolved), at)?;
            }
            if points {
                row("township", "all", "volunteer_resolved", Count(t.volunteer_resolved), at)?;
            }
        }
    }
    Ok(())
}

fn write_run_timeseries(
    c: &mut csv::Writer<&mut dyn Write>,
    sc: &Scenario,
    out: &RunOutput,
    series: Series,
    days: std::ops::Range<usize>,
) -> csv::Result<()> {
    let rep = out.replication.to_string();
    // The day's number, formatted once per day.
    let mut day = (usize::MAX, String::new());
    // One buffer for every value, not a string each.
    let mut value = String::new();
    for_each_series_row(sc, out, series, days, &mut |r| {
        if day.0 != r.day {
            day = (r.day, r.day.to_string());
        }
        value.clear();
        r.value.text_into(&mut value);
        match r.at {
            None => c.write_record([rep.as_str(), day.1.as_str(), r.scope, r.id, r.metric, value.as_str()]),
            Some((t, dist)) => {
                c.write_record([rep.as_str(), day.1.as_str(), r.scope, r.id, r.metric, value.as_str(), t, dist])
            }
        }
    })
}

/// Whether any department's staff can leave under stress (M12 attrition).
fn any_attrition(sc: &Scenario) -> bool {
    sc.departments.iter().any(|d| d.stress.as_ref().is_some_and(|s| s.attrition.is_some()))
}

/// `departments.csv`: one row per replication and department, hours by kind (they add up to
/// `hours_total`), burden share, line-task lateness, final R and stress.
pub fn write_departments(path: &Path, sc: &Scenario, outs: &[RunOutput]) -> Result<(), WriteError> {
    write_csv(path, |c| departments_rows(c, sc, outs))
}

/// The records of `departments.csv`, header first, into `c`.
pub fn departments_rows(c: &mut csv::Writer<&mut dyn Write>, sc: &Scenario, outs: &[RunOutput]) -> csv::Result<()> {
    use crate::model::department::Hours;
    let mut header: Vec<String> =
        ["replication", "department", "staff", "utilisation", "hours_total"].map(String::from).to_vec();
    header.extend(Hours::KINDS.iter().map(|k| format!("hours_{k}")));
    header.extend(
        ["burden_share", "line_tasks_done", "line_tasks_late", "line_tasks_escalated", "r_end", "stress_end"]
            .map(String::from),
    );
    place_header(sc, &mut header);
    // Root-cause work is no order's: its own column, last, only where it can happen.
    let prevention = sc.proactive.is_some();
    if prevention {
        header.push("hours_prevention".into());
    }
    // Staff who left under stress: their own columns, only where they can leave.
    let attrition = any_attrition(sc);
    if attrition {
        header.extend(["staff_left", "staff_end"].map(String::from));
    }
    c.write_record(&header)?;
    for out in outs {
        for (i, (spec, d)) in sc.departments.iter().zip(&out.departments).enumerate() {
            let h = &d.hours;
            let burden = if h.total() > 0.0 { h.burden() / h.total() } else { f64::NAN };
            let mut r = vec![out.replication.to_string(), spec.id.clone(), spec.staff.to_string(), num(d.utilisation)];
            r.push(num(h.total()));
            r.extend(h.kinds().iter().map(|x| num(*x)));
            r.extend([
                num(burden),
                d.line_done.to_string(),
                d.line_late.to_string(),
                d.line_escalated.to_string(),
                num(d.r_end),
                num(d.stress_end),
            ]);
            place(sc, sc.layout.department[i], &mut r);
            if prevention {
                r.push(num(h.prevention));
            }
            if attrition {
                r.extend([d.staff_left.to_string(), d.staff_end.to_string()]);
            }
            c.write_record(&r)?;
        }
    }
    Ok(())
}

/// `queues.csv`: Little's law figures of every queue.
pub fn write_queues(path: &Path, sc: &Scenario, outs: &[RunOutput]) -> Result<(), WriteError> {
    write_csv(path, |c| queues_rows(c, sc, outs))
}

/// The records of `queues.csv`, header first, into `c`.
pub fn queues_rows(c: &mut csv::Writer<&mut dyn Write>, sc: &Scenario, outs: &[RunOutput]) -> csv::Result<()> {
    // A queue is named `<kind>/<id>`: its owner is the township of that entity.
    let mut owner = std::collections::BTreeMap::new();
    for (i, d) in sc.departments.iter().enumerate() {
        owner.insert(format!("department/{}", d.id), sc.layout.department[i]);
    }
    for (i, l) in sc.leaders.iter().enumerate() {
        owner.insert(format!("leader/{}", l.id), sc.layout.leader[i]);
        owner.insert(format!("deputy/{}", l.id), sc.layout.leader[i]);
    }
    for (i, p) in sc.platforms.iter().enumerate() {
        owner.insert(format!("operator/{}", p.id), sc.layout.platform[i]);
        owner.insert(format!("desk/{}", p.id), sc.layout.platform[i]);
    }
    let mut header = [
        "replication",
        "queue",
        "mean_length",
        "arrival_rate_per_hour",
        "mean_wait_hours",
        "lambda_w",
        "warmup_backlog_length",
    ]
    .map(String::from)
    .to_vec();
    place_header(sc, &mut header);
    c.write_record(&header)?;
    for out in outs {
        for q in &out.queues {
            let f = q.little;
            let mut r = vec![
                out.replication.to_string(),
                q.name.clone(),
                num(f.mean_length),
                num(f.arrival_rate),
                num(f.mean_wait),
                num(f.arrival_rate * f.mean_wait),
                num(f.edge_length),
            ];
            place(sc, owner.get(&q.name).copied().flatten(), &mut r);
            c.write_record(&r)?;
        }
    }
    Ok(())
}

/// `regimes.csv`: each platform's regime changes, with the figures that decided the final one.
pub fn write_regimes(path: &Path, sc: &Scenario, outs: &[RunOutput]) -> Result<(), WriteError> {
    write_csv(path, |c| regimes_rows(c, sc, outs))
}

/// The records of `regimes.csv`, header first, into `c`.
pub fn regimes_rows(c: &mut csv::Writer<&mut dyn Write>, sc: &Scenario, outs: &[RunOutput]) -> csv::Result<()> {
    let mut header = ["replication", "platform", "day", "regime"].map(String::from).to_vec();
    place_header(sc, &mut header);
    c.write_record(&header)?;
    for out in outs {
        for (i, (spec, p)) in sc.platforms.iter().zip(&out.platforms).enumerate() {
            for (day, r) in &p.regimes.changes {
                let mut rec = vec![out.replication.to_string(), spec.id.clone(), day.to_string(), r.name().into()];
                place(sc, sc.layout.platform[i], &mut rec);
                c.write_record(&rec)?;
            }
        }
    }
    Ok(())
}

/// `ranking.csv` (with `[ranking]`): every unit's counts, rates, score and place in every
/// period; `in_force` is 0 for periods that ended before the ranking came into force (scores
/// kept, no consequence).
pub fn write_ranking(path: &Path, sc: &Scenario, outs: &[RunOutput]) -> Result<(), WriteError> {
    write_csv(path, |c| ranking_rows(c, sc, outs))
}

/// The records of `ranking.csv`, header first, into `c`.
pub fn ranking_rows(c: &mut csv::Writer<&mut dyn Write>, sc: &Scenario, outs: &[RunOutput]) -> csv::Result<()> {
    let (names, _) = crate::model::world::units(sc);
    let rate = |a: u64, b: u64| if b > 0 { num(a as f64 / b as f64) } else { String::new() };
    let mut header = ["replication", "period", "end_day", "in_force", "unit"].map(String::from).to_vec();
    if placed(sc) {
        header.push("district".into());
    }
    header.extend(
        ["closed", "response_rate", "resolution_rate", "satisfaction_rate", "score", "rank", "bottom"]
            .map(String::from),
    );
    c.write_record(&header)?;
    for out in outs {
        for (k, period) in out.ranking.iter().enumerate() {
            for (u, row) in period.table.units.iter().enumerate() {
                let n = row.counts;
                let mut rec = vec![
                    out.replication.to_string(),
                    (k + 1).to_string(),
                    num(period.end_day),
                    (period.in_force as u8).to_string(),
                    names[u].clone(),
                ];
                if placed(sc) {
                    rec.push(sc.layout.townships[u].district.clone().unwrap_or_default());
                }
                rec.extend([
                    n.closed.to_string(),
                    rate(n.responded, n.closed),
                    rate(n.resolved, n.closed),
                    rate(n.satisfied, n.closed),
                    row.score.map_or(String::new(), num),
                    row.rank.map_or(String::new(), |r| r.to_string()),
                    (row.bottom as u8).to_string(),
                ]);
                c.write_record(&rec)?;
            }
        }
    }
    Ok(())
}

/// `baseline.csv`: each compared figure with and without the platform, and the paired difference.
pub fn write_baseline(path: &Path, b: &crate::experiment::baseline::Baseline) -> Result<(), WriteError> {
    write_csv(path, |c| {
        c.write_record(["platform", "measure", "with", "without", "difference", "difference_ci95"])?;
        for r in &b.rows {
            c.write_record([
                b.platform.clone(),
                r.measure.to_string(),
                num(r.with),
                num(r.without),
                num(r.difference),
                num(r.half_width),
            ])?;
        }
        Ok(())
    })
}
