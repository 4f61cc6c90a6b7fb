//! The files of a sweep: what a run's record is (`RunRecord`), how it is written and read back
//! (`runs.csv`, a shard's `shard.csv`, the journal's rows, each row with its checksum), the
//! per-point statistics (`points.csv`), `manifest.toml`, and the charts. The design of points is
//! in [`super::sweep`]; running them, the journal and resuming in [`super::shard`]; data flows
//! design → run → these files, never back.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::sweep::{KEY_METRICS, Manifest, Shard, SweepError, fnv1a};
use crate::metrics::Regime;
use crate::metrics::stats::mean_ci95;
use crate::metrics::summary::PlatformSummary;
use crate::output::atomic::{num, write_atomic};
use crate::output::plot;
use crate::output::report::modal_regime;

/// The manifest of a sweep's folder.
pub const MANIFEST: &str = "manifest.toml";
/// A finished shard's runs.
pub const SHARD_FILE: &str = "shard.csv";
/// The sweep's report (`--report`).
pub const REPORT: &str = "report.html";

pub(super) fn inconsistent(path: &Path, message: impl Into<String>) -> SweepError {
    SweepError::Inconsistent { path: path.to_path_buf(), message: message.into() }
}

pub(super) fn io_err(path: &Path) -> impl Fn(std::io::Error) -> SweepError + '_ {
    move |source| SweepError::Write(crate::output::WriteError { path: path.to_path_buf(), source })
}

/// One run's results: every platform's summary, in scenario order.
#[derive(Clone, Debug)]
pub struct RunRecord {
    /// Run index.
    pub run: usize,
    /// Per platform.
    pub rows: Vec<PlatformSummary>,
    /// Set when the run stopped at a limit: the point is unstable there.
    pub unstable: Option<Unstable>,
}

/// A run stopped at a limit: demand outran capacity. Its platforms are recorded as overloaded
/// (undefined metrics), so maps and point summaries count it as overload.
#[derive(Clone, Debug, PartialEq)]
pub struct Unstable {
    /// The limit: `max_open_orders`, `max_queued_jobs` or `max_events`.
    pub limit: String,
    /// The day it stopped.
    pub day: u32,
    /// Open orders (or queued jobs, or events) when it stopped.
    pub count: u64,
}

impl Unstable {
    /// The record of a run that stopped at a limit, or `None` for other errors.
    pub fn from_error(e: &crate::model::SimError) -> Option<Unstable> {
        use crate::model::SimError as E;
        let (limit, day, count) = match *e {
            E::Unstable { day, open, .. } => ("max_open_orders", day, open as u64),
            E::QueuedWork { day, queued, .. } => ("max_queued_jobs", day, queued as u64),
            E::EventLimit { day, limit, .. } => ("max_events", day, limit),
            _ => return None,
        };
        Some(Unstable { limit: limit.into(), day, count })
    }

    /// The rows of an unstable run: every platform overloaded since `day`, metrics undefined.
    pub fn rows(&self, m: &Manifest) -> Vec<PlatformSummary> {
        m.platforms
            .iter()
            .map(|p| PlatformSummary {
                platform: p.clone(),
                values: vec![f64::NAN; m.metrics.len()],
                regime: Regime::Overloaded,
                regime_since_day: self.day as f64,
                regime_changes: 0,
            })
            .collect()
    }
}

/// Header of `runs.csv` (and of journals and shard files).
pub fn runs_header(m: &Manifest) -> Vec<String> {
    let mut h: Vec<String> = vec!["run".into(), "point".into(), "replication".into()];
    h.extend(m.parameters.iter().cloned());
    h.push("platform".into());
    h.extend(m.metrics.iter().cloned());
    h.extend(["regime".into(), "regime_since_day".into(), "regime_changes".into()]);
    h.extend(["unstable_limit".into(), "unstable_day".into(), "unstable_count".into()]);
    h.push("row_fnv1a".into());
    h
}

/// Checksum of a row's fields (all but the checksum itself): a number edited by hand in a
/// journal, shard or runs file is detected when it is read back.
fn row_checksum<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    let mut h = 0xcbf2_9ce4_8422_2325;
    for f in fields {
        h = fnv1a(f.as_bytes(), h);
        h = fnv1a(b"\x1f", h);
    }
    format!("{h:016x}")
}

/// Why a record was refused: its checksum does not match (edited), or another fault.
pub const EDITED: &str = "checksum mismatch: the row was changed after embedsim wrote it";

/// The `runs.csv` records of one run.
pub fn runs_records(m: &Manifest, rec: &RunRecord) -> Vec<Vec<String>> {
    let reps = m.replications as usize;
    let (point, rep) = (rec.run / reps, rec.run % reps);
    rec.rows
        .iter()
        .map(|s| {
            let mut r = vec![rec.run.to_string(), point.to_string(), rep.to_string()];
            r.extend(m.points[point].iter().cloned());
            r.push(s.platform.clone());
            r.extend(s.values.iter().map(|v| num(*v)));
            r.extend([s.regime.name().to_string(), num(s.regime_since_day), s.regime_changes.to_string()]);
            match &rec.unstable {
                Some(u) => r.extend([u.limit.clone(), u.day.to_string(), u.count.to_string()]),
                None => r.extend([String::new(), String::new(), String::new()]),
            }
            r.push(row_checksum(r.iter().map(String::as_str)));
            r
        })
        .collect()
}

/// Parses one `runs.csv` record back (numbers round-trip exactly): (run, summary, unstable).
pub fn parse_record(m: &Manifest, r: &csv::StringRecord) -> Result<(usize, PlatformSummary, Option<Unstable>), String> {
    let np = m.parameters.len();
    let nm = m.metrics.len();
    if r.len() != 3 + np + 1 + nm + 7 {
        return Err(format!("expected {} fields, found {}", 3 + np + 1 + nm + 7, r.len()));
    }
    if row_checksum(r.iter().take(r.len() - 1)) != r[r.len() - 1] {
        return Err(EDITED.into());
    }
    let int = |s: &str| s.parse::<usize>().map_err(|_| format!("expected a whole number, found `{s}`"));
    let float = |s: &str| {
        if s.is_empty() {
            Ok(f64::NAN)
        } else {
            s.parse::<f64>().map_err(|_| format!("expected a number, found `{s}`"))
        }
    };
    let run = int(&r[0])?;
    if run >= m.runs {
        return Err(format!("run {run} out of range (sweep has {} runs)", m.runs));
    }
    let platform = r[3 + np].to_string();
    let values = (0..nm).map(|k| float(&r[4 + np + k])).collect::<Result<Vec<_>, _>>()?;
    let rname = &r[4 + np + nm];
    let regime =
        Regime::ALL.iter().copied().find(|g| g.name() == rname).ok_or_else(|| format!("unknown regime `{rname}`"))?;
    let unstable = match &r[7 + np + nm] {
        "" => None,
        limit => Some(Unstable {
            limit: limit.to_string(),
            day: r[8 + np + nm].parse().map_err(|_| format!("expected a day, found `{}`", &r[8 + np + nm]))?,
            count: r[9 + np + nm].parse().map_err(|_| format!("expected a count, found `{}`", &r[9 + np + nm]))?,
        }),
    };
    Ok((
        run,
        PlatformSummary {
            platform,
            values,
            regime,
            regime_since_day: float(&r[5 + np + nm])?,
            regime_changes: int(&r[6 + np + nm])?,
        },
        unstable,
    ))
}

/// Per point and platform: key-metric statistics and regime shares.
#[derive(Clone, Debug)]
pub struct PointStats {
    /// Point index.
    pub point: usize,
    /// Platform id.
    pub platform: String,
    /// Replications.
    pub replications: usize,
    /// Per [`KEY_METRICS`] name: (mean, sd, 95% half-width), NaNs skipped.
    pub stats: Vec<(f64, f64, f64)>,
    /// Share of replications ending in each of [`Regime::ALL`].
    pub shares: Vec<f64>,
    /// The modal regime.
    pub modal: Regime,
}

/// Aggregates records (complete and sorted by run) into per-point statistics.
pub fn point_stats(m: &Manifest, records: &[RunRecord]) -> Vec<PointStats> {
    let reps = m.replications as usize;
    let idx: Vec<usize> =
        KEY_METRICS.iter().map(|k| m.metrics.iter().position(|x| x == k).unwrap_or(usize::MAX)).collect();
    let mut out = Vec::new();
    for (point, chunk) in records.chunks(reps).enumerate() {
        for (pi, platform) in m.platforms.iter().enumerate() {
            let stats = idx
                .iter()
                .map(|&k| {
                    let xs: Vec<f64> =
                        chunk.iter().map(|r| r.rows[pi].values.get(k).copied().unwrap_or(f64::NAN)).collect();
                    let (mean, sd, h, _) = mean_ci95(&xs);
                    (mean, sd, h)
                })
                .collect();
            let regimes: Vec<Regime> = chunk.iter().map(|r| r.rows[pi].regime).collect();
            let shares = Regime::ALL
                .iter()
                .map(|g| regimes.iter().filter(|r| *r == g).count() as f64 / regimes.len() as f64)
                .collect();
            out.push(PointStats {
                point,
                platform: platform.clone(),
                replications: chunk.len(),
                stats,
                shares,
                modal: modal_regime(&regimes),
            });
        }
    }
    out
}

/// Header of `points.csv`.
pub fn points_header(m: &Manifest) -> Vec<String> {
    let mut h: Vec<String> = vec!["point".into()];
    h.extend(m.parameters.iter().cloned());
    h.extend(["platform".into(), "replications".into()]);
    for k in KEY_METRICS {
        h.extend([format!("{k}_mean"), format!("{k}_sd"), format!("{k}_ci95")]);
    }
    h.extend(Regime::ALL.iter().map(|g| format!("share_{}", g.name())));
    h.push("modal_regime".into());
    for g in Regime::ALL {
        h.extend([format!("share_{}_ci95_low", g.name()), format!("share_{}_ci95_high", g.name())]);
    }
    h
}

/// One `points.csv` record.
pub fn points_record(m: &Manifest, s: &PointStats) -> Vec<String> {
    let mut r = vec![s.point.to_string()];
    r.extend(m.points[s.point].iter().cloned());
    r.extend([s.platform.clone(), s.replications.to_string()]);
    for (mean, sd, h) in &s.stats {
        r.extend([num(*mean), num(*sd), num(*h)]);
    }
    r.extend(s.shares.iter().map(|x| num(*x)));
    r.push(s.modal.name().to_string());
    // 95% Wilson score intervals of the shares (Wilson 1927).
    let n = s.replications as u64;
    for x in &s.shares {
        let (lo, hi) = crate::analysis::intervals::wilson((x * n as f64).round() as u64, n, 0.95);
        r.extend([num(lo), num(hi)]);
    }
    r
}

pub(super) fn csv_line(fields: &[String]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(fields).expect("writing to memory");
    w.into_inner().expect("writing to memory")
}

/// Parses header + records in `runs.csv` form; with `lenient`, incomplete runs are dropped
/// instead of being an error.
pub(super) fn read_records(
    path: &Path,
    m: &Manifest,
    bytes: &[u8],
    lenient: bool,
) -> Result<BTreeMap<usize, RunRecord>, SweepError> {
    let mut rd = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(bytes);
    let header: Vec<String> =
        rd.headers().map_err(|e| inconsistent(path, e.to_string()))?.iter().map(String::from).collect();
    if header != runs_header(m) {
        return Err(inconsistent(path, "columns differ from this sweep's (another sweep, or metrics changed)"));
    }
    let mut runs: BTreeMap<usize, (Vec<crate::metrics::summary::PlatformSummary>, Option<Unstable>)> = BTreeMap::new();
    let records: Vec<_> = rd.records().collect();
    let last = records.len().saturating_sub(1);
    for (i, r) in records.into_iter().enumerate() {
        let parsed = r.map_err(|e| e.to_string()).and_then(|r| parse_record(m, &r));
        match parsed {
            // Only the last line can be torn by a crash; an edited row anywhere else is an error.
            Err(e) if e == EDITED && i != last => {
                return Err(inconsistent(path, format!("record {}: {e}; delete the file to start over", i + 1)));
            }
            Ok((run, s, u)) => {
                let e = runs.entry(run).or_default();
                e.0.push(s);
                e.1 = u;
            }
            Err(e) if !lenient => return Err(inconsistent(path, format!("record {}: {e}", i + 1))),
            Err(_) => {}
        }
    }
    let np = m.platforms.len();
    let mut out = BTreeMap::new();
    for (run, (rows, unstable)) in runs {
        let names_ok = rows.len() == np && rows.iter().zip(&m.platforms).all(|(r, p)| r.platform == *p);
        if names_ok {
            out.insert(run, RunRecord { run, rows, unstable });
        } else if !lenient {
            return Err(inconsistent(
                path,
                format!("run {run} has {} rows, expected one per platform ({np})", rows.len()),
            ));
        }
    }
    Ok(out)
}

pub(super) fn write_manifest(dir: &Path, m: &Manifest) -> Result<PathBuf, SweepError> {
    let path = dir.join(MANIFEST);
    let text = toml::to_string(m).map_err(|e| inconsistent(&path, e.to_string()))?;
    write_atomic(&path, |w| w.write_all(text.as_bytes()))?;
    Ok(path)
}

/// Reads a folder's `manifest.toml`.
pub fn read_manifest(dir: &Path) -> Result<Manifest, SweepError> {
    let path = dir.join(MANIFEST);
    let text = fs::read_to_string(&path).map_err(|source| SweepError::Read { path: path.clone(), source })?;
    let m: Manifest = toml::from_str(&text).map_err(|e| inconsistent(&path, e.message().trim().to_string()))?;
    check_manifest(&m).map_err(|message| inconsistent(&path, format!("{message} (was it edited by hand?)")))?;
    Ok(m)
}

/// A manifest read back must describe a sweep this program could have written: every count in
/// range and every count consistent with the others, so that nothing later can divide by zero,
/// index out of bounds or loop for ever.
fn check_manifest(m: &Manifest) -> Result<(), String> {
    use super::sweep::{MAX_REPLICATIONS, MAX_RUNS};
    if !(1..=MAX_REPLICATIONS).contains(&(m.replications as i64)) {
        return Err(format!("replications: expected 1 to {MAX_REPLICATIONS}, found {}", m.replications));
    }
    if m.points.is_empty() || m.points.len() > 1_000_000 {
        return Err(format!("points: expected 1 to 1000000 points, found {}", m.points.len()));
    }
    if let Some(p) = m.points.iter().position(|p| p.len() != m.parameters.len()) {
        return Err(format!(
            "points: point {p} has {} values for {} parameters",
            m.points[p].len(),
            m.parameters.len()
        ));
    }
    let runs = m.points.len().saturating_mul(m.replications as usize);
    if m.runs != runs || runs > MAX_RUNS {
        return Err(format!(
            "runs: expected {} points x {} replications = {runs} (at most {MAX_RUNS}), found {}",
            m.points.len(),
            m.replications,
            m.runs
        ));
    }
    if m.platforms.is_empty() || m.metrics.is_empty() {
        return Err("platforms and metrics: expected at least one of each".into());
    }
    if let Some(s) = &m.shard {
        s.parse::<Shard>().map_err(|e| format!("shard: {e}"))?;
    }
    Ok(())
}

pub(super) fn write_runs_file(path: &Path, m: &Manifest, records: &[&RunRecord]) -> Result<(), SweepError> {
    write_atomic(path, |w| {
        w.write_all(&csv_line(&runs_header(m)))?;
        for rec in records {
            for r in runs_records(m, rec) {
                w.write_all(&csv_line(&r))?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// Writes `runs.csv`, `points.csv`, `manifest.toml` and the plots from complete records sorted by
/// run: the one place final files come from, whether a sweep ran whole, resumed, or was merged.
pub fn write_final(dir: &Path, m: &Manifest, records: &[RunRecord]) -> Result<Vec<PathBuf>, SweepError> {
    debug_assert!(records.iter().enumerate().all(|(i, r)| r.run == i));
    let mut m = m.clone();
    m.shard = None;
    let mut files = vec![write_manifest(dir, &m)?];
    let runs = dir.join("runs.csv");
    write_runs_file(&runs, &m, &records.iter().collect::<Vec<_>>())?;
    files.push(runs);
    let stats = point_stats(&m, records);
    let points = dir.join("points.csv");
    write_atomic(&points, |w| {
        w.write_all(&csv_line(&points_header(&m)))?;
        for s in &stats {
            w.write_all(&csv_line(&points_record(&m, s)))?;
        }
        Ok(())
    })?;
    files.push(points);
    files.extend(plot_sweep(dir, &m, &stats)?);
    Ok(files)
}

/// The manifest and per-point statistics of the finished sweep in `dir` (from `manifest.toml`
/// and `runs.csv`), for its report.
pub fn final_stats(dir: &Path) -> Result<(Manifest, Vec<PointStats>), SweepError> {
    let m = read_manifest(dir)?;
    let path = dir.join("runs.csv");
    let bytes = fs::read(&path).map_err(|source| SweepError::Read { path: path.clone(), source })?;
    let records: Vec<RunRecord> = read_records(&path, &m, &bytes, false)?.into_values().collect();
    if records.len() != m.runs || records.iter().enumerate().any(|(i, r)| r.run != i) {
        return Err(inconsistent(&path, format!("{} of {} runs: the sweep is not finished", records.len(), m.runs)));
    }
    let stats = point_stats(&m, &records);
    Ok((m, stats))
}

/// Regime maps when exactly two parameters vary (a categorical one drawn as named values),
/// metric lines when one numeric parameter does.
fn plot_sweep(dir: &Path, m: &Manifest, stats: &[PointStats]) -> Result<Vec<PathBuf>, SweepError> {
    let varying: Vec<usize> = (0..m.parameters.len())
        .filter(|&k| {
            let first = m.points.first().map(|p| &p[k]);
            m.points.iter().any(|p| Some(&p[k]) != first)
        })
        .collect();
    let numeric = |k: usize| -> Option<Vec<f64>> { m.points.iter().map(|p| p[k].parse::<f64>().ok()).collect() };
    let mut files = Vec::new();
    let np = m.platforms.len();
    match varying[..] {
        [a, b] => {
            let both = numeric(a).zip(numeric(b));
            // A categorical parameter (strings, switches) makes a grid of named values.
            let (xl, xc) = crate::output::sweep_view::axis_values(m, a);
            let (yl, yc) = crate::output::sweep_view::axis_values(m, b);
            let at = |labels: &[String], k: usize, p: usize| labels.iter().position(|v| *v == m.points[p][k]);
            for (pi, platform) in m.platforms.iter().enumerate() {
                let path = dir.join(format!("regime-map-{}.svg", crate::text::slug(platform)));
                let title = format!("{}: modal regime of {platform}", m.name);
                let modal = |p: usize| stats[p * np + pi].modal;
                if let Some((xs, ys)) = &both {
                    let cells: Vec<(f64, f64, crate::metrics::Regime)> =
                        (0..m.points.len()).map(|p| (xs[p], ys[p], modal(p))).collect();
                    plot::regime_map(&path, &title, &m.parameters[a], &m.parameters[b], &cells)?;
                } else {
                    let cells: Vec<(usize, usize, crate::metrics::Regime)> =
                        (0..m.points.len()).filter_map(|p| Some((at(&xl, a, p)?, at(&yl, b, p)?, modal(p)))).collect();
                    let x = plot::GridAxis { key: &m.parameters[a], labels: &xl, categorical: xc };
                    let y = plot::GridAxis { key: &m.parameters[b], labels: &yl, categorical: yc };
                    plot::regime_grid(&path, &title, x, y, &cells)?;
                }
                files.push(plot::png_path(&path));
                files.push(path);
            }
        }
        [a] => {
            let Some(xs) = numeric(a) else { return Ok(files) };
            for (ki, metric) in KEY_METRICS.iter().enumerate() {
                let series: Vec<plot::Series> = m
                    .platforms
                    .iter()
                    .enumerate()
                    .map(|(pi, platform)| {
                        let mut pts: Vec<(f64, f64, f64)> = (0..m.points.len())
                            .map(|p| {
                                let (mean, _, h) = stats[p * np + pi].stats[ki];
                                (xs[p], mean, h)
                            })
                            .collect();
                        pts.sort_by(|x, y| x.0.total_cmp(&y.0));
                        plot::Series { name: platform.clone(), points: pts }
                    })
                    .collect();
                if series.iter().all(|s| s.points.iter().all(|p| p.1.is_nan())) {
                    continue;
                }
                let path = dir.join(format!("metric-{metric}.svg"));
                let title = format!("{}: {metric}, mean and 95% CI", m.name);
                plot::metric_lines(&path, &title, &m.parameters[a], metric, &series)?;
                files.push(plot::png_path(&path));
                files.push(path);
            }
        }
        _ => {}
    }
    Ok(files)
}
