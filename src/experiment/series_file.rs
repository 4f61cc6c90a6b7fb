//! A sweep's daily series, point by point (`sweep --series weekly|platforms`): every run's
//! per-platform series in one long Parquet file, `series.parquet`, with the point's parameters as
//! columns: `run, point, replication, <one column per parameter>, day, platform, metric, value`,
//! in run order, so a sweep run whole, in shards or resumed writes the same bytes.
//!
//! While the sweep runs, each finished run's rows are appended to `series.partial.csv` (one write
//! per run, before the run's summary reaches the sweep's journal), so `--resume` loses nothing: it
//! keeps the first complete block of every run the sweep's journal holds and drops the rest (a run
//! cut between the two journals runs again and its block is written again, the same). A shard
//! ends with `series.shard.csv`; `merge` reads the shards' files. The final file is written a
//! run at a time from an index of the blocks, so memory holds one run's rows, not the sweep's.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::sweep::{Manifest, SweepError};
use crate::model::RunOutput;
use crate::output::atomic::write_atomic;
use crate::output::csv::{Series, for_each_series_row};
use crate::output::parquet::{CellKind, cell_kind, write_cells};
use crate::scenario::Scenario;

/// The journal of the series while a sweep runs.
pub const JOURNAL: &str = "series.partial.csv";
/// A finished shard's series.
pub const SHARD_FILE: &str = "series.shard.csv";
/// The sweep's series.
pub const FINAL: &str = "series.parquet";

fn io_err(path: &Path) -> impl Fn(io::Error) -> SweepError + '_ {
    move |source| SweepError::Write(crate::output::WriteError { path: path.into(), source })
}

fn kind_name(series: Series) -> &'static str {
    match series {
        Series::Weekly => "weekly",
        Series::Platforms => "platforms",
        Series::All => "all",
        Series::None => "none",
    }
}

fn first_line(m: &Manifest, series: Series) -> String {
    format!("# embedsim sweep series {} {}\n", m.fingerprint, kind_name(series))
}

/// The blocks of a series file: run → (offset, length), each the first whole block of its run.
type Blocks = BTreeMap<usize, (u64, u64)>;

/// One row's fields: run, day, platform, metric, value. The platform id may hold commas; the
/// metric (a fixed name) and the value (a number) never do.
fn fields(line: &str) -> Option<(usize, &str, &str, &str, &str)> {
    let (run, rest) = line.split_once(',')?;
    let (day, rest) = rest.split_once(',')?;
    let (rest, value) = rest.rsplit_once(',')?;
    let (id, metric) = rest.rsplit_once(',')?;
    let ok = day.parse::<u32>().is_ok() && (value.is_empty() || value.parse::<f64>().is_ok());
    ok.then_some((run.parse().ok()?, day, id, metric, value))
}

/// Reads a series file's first line (this sweep's? which kind?) and where each run's first
/// whole block lies. A block ends with `run,end,rows`; a block cut short (a crash mid-write) is
/// not whole and is left out; any other line that does not read is an error naming it.
fn index(path: &Path, m: &Manifest) -> Result<(String, Blocks), SweepError> {
    let read_err = |source| SweepError::Read { path: path.into(), source };
    let file = File::open(path).map_err(read_err)?;
    let mut reader = BufReader::new(file);
    let mut line = String::new();
    let mut offset = reader.read_line(&mut line).map_err(read_err)? as u64;
    let kind = line
        .strip_prefix(&format!("# embedsim sweep series {} ", m.fingerprint))
        .map(|k| k.trim_end().to_string())
        .ok_or_else(|| SweepError::Inconsistent {
            path: path.into(),
            message: "not this sweep's series (another sweep, or not written by embedsim)".into(),
        })?;
    let mut blocks = Blocks::new();
    // The block being read: run, start, length, rows so far.
    let mut open: Option<(usize, u64, u64, usize)> = None;
    let mut number = 1;
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(read_err)? as u64;
        number += 1;
        if n == 0 || !line.ends_with('\n') {
            break;
        }
        let text = line.trim_end_matches('\n');
        let bad = || SweepError::Inconsistent {
            path: path.into(),
            message: format!("line {number}: expected run,day,platform,metric,value or run,end,rows, found `{text}`"),
        };
        let mut parts = text.splitn(3, ',');
        if let (Some(run), Some("end"), Some(rows)) = (parts.next(), parts.next(), parts.next()) {
            let (run, rows) = (run.parse::<usize>().map_err(|_| bad())?, rows.parse::<usize>().map_err(|_| bad())?);
            match open.take() {
                Some((r, start, len, count)) if r == run && count == rows => {
                    blocks.entry(run).or_insert((start, len + n));
                }
                None if rows == 0 => {
                    blocks.entry(run).or_insert((offset, n));
                }
                // A block whose rows do not add up: a torn write followed by a rerun's block.
                _ => {}
            }
        } else {
            let (run, ..) = fields(text).ok_or_else(bad)?;
            match &mut open {
                Some((r, _, len, count)) if *r == run => {
                    *len += n;
                    *count += 1;
                }
                _ => open = Some((run, offset, n, 1)),
            }
        }
        offset += n;
    }
    Ok((kind, blocks))
}

/// Refuses a series file of another kind than `series`.
fn same_kind(path: &Path, found: &str, series: Series) -> Result<(), SweepError> {
    if found == kind_name(series) {
        return Ok(());
    }
    Err(SweepError::Inconsistent {
        path: path.into(),
        message: format!("these series are `{found}`: resume with --series {found}, or run into a new folder"),
    })
}

fn read_block(file: &mut File, path: &Path, (offset, len): (u64, u64)) -> Result<Vec<u8>, SweepError> {
    let mut buf = vec![0; len as usize];
    file.seek(SeekFrom::Start(offset))
        .and_then(|_| file.read_exact(&mut buf))
        .map_err(|source| SweepError::Read { path: path.into(), source })?;
    Ok(buf)
}

/// Refuses to go on without `--series` a sweep whose folder holds series: its finished runs
/// would be written without theirs.
pub fn refuse_if_started_with_series(dir: &Path) -> Result<(), SweepError> {
    let path = dir.join(JOURNAL);
    if path.exists() {
        return Err(SweepError::Inconsistent {
            path,
            message: "this sweep was started with --series: resume it with the same --series".into(),
        });
    }
    Ok(())
}

/// The series journal of a running sweep.
pub struct SeriesJournal {
    path: PathBuf,
    file: Mutex<File>,
    series: Series,
}

impl SeriesJournal {
    /// Opens `dir`'s series journal for a sweep whose finished runs are `done`: keeps their
    /// blocks (from the journal, or from a finished shard's file resumed again) and nothing else.
    /// Returns the journal and the finished runs whose series are not there (a crash between the
    /// two journals): they must run again.
    pub fn open(
        dir: &Path,
        m: &Manifest,
        series: Series,
        done: &BTreeSet<usize>,
    ) -> Result<(SeriesJournal, BTreeSet<usize>), SweepError> {
        let path = dir.join(JOURNAL);
        let source = [path.clone(), dir.join(SHARD_FILE)].into_iter().find(|p| p.exists());
        let (kept, missing) = match &source {
            Some(src) => {
                let (kind, blocks) = index(src, m)?;
                same_kind(src, &kind, series)?;
                let mut file = File::open(src).map_err(|source| SweepError::Read { path: src.clone(), source })?;
                let mut kept = Vec::new();
                for (_, at) in blocks.iter().filter(|(run, _)| done.contains(run)) {
                    kept.extend(read_block(&mut file, src, *at)?);
                }
                (kept, done.iter().copied().filter(|r| !blocks.contains_key(r)).collect())
            }
            // A finished sweep resumed again keeps its series.parquet.
            None if dir.join(FINAL).exists() => (Vec::new(), BTreeSet::new()),
            None if !done.is_empty() => {
                return Err(SweepError::Inconsistent {
                    path: dir.into(),
                    message: "this sweep was started without --series, so its finished runs have no series: run it \
                              with --series into a new folder"
                        .into(),
                });
            }
            None => (Vec::new(), BTreeSet::new()),
        };
        write_atomic(&path, |w| {
            w.write_all(first_line(m, series).as_bytes())?;
            w.write_all(&kept)
        })?;
        let file = OpenOptions::new().append(true).open(&path).map_err(io_err(&path))?;
        Ok((SeriesJournal { path, file: Mutex::new(file), series }, missing))
    }

    /// Appends run `run`'s rows and the line that closes its block, in one synced write; a run
    /// that stopped at a limit (no output) has an empty block.
    pub fn append(&self, sc: &Scenario, out: Option<&RunOutput>, run: usize) -> Result<(), SweepError> {
        use std::fmt::Write as _;
        let mut block = String::new();
        let mut rows = 0;
        if let Some(out) = out {
            for_each_series_row(sc, out, self.series, 0..out.town.len(), &mut |r| -> Result<(), SweepError> {
                let _ = write!(block, "{run},{},{},{},", r.day, r.id, r.metric);
                r.value.text_into(&mut block);
                block.push('\n');
                rows += 1;
                Ok(())
            })?;
        }
        let _ = writeln!(block, "{run},end,{rows}");
        let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
        f.write_all(block.as_bytes()).and_then(|_| f.flush()).and_then(|_| f.sync_data()).map_err(io_err(&self.path))
    }

    /// A whole sweep's end: `series.parquet` from the journal, which then goes. A finished
    /// sweep resumed again keeps the `series.parquet` it has.
    pub fn finish(self, dir: &Path, m: &Manifest) -> Result<Option<PathBuf>, SweepError> {
        drop(self.file);
        let (_, blocks) = index(&self.path, m)?;
        let out = dir.join(FINAL);
        let result = if blocks.len() < m.runs && out.exists() {
            None
        } else {
            write_final(&out, m, &[(self.path.clone(), blocks)])?;
            Some(out)
        };
        fs::remove_file(&self.path).map_err(io_err(&self.path))?;
        Ok(result)
    }

    /// A shard's end: `series.shard.csv`, its runs' first blocks in run order.
    pub fn finish_shard(self, dir: &Path, m: &Manifest) -> Result<PathBuf, SweepError> {
        drop(self.file);
        let (_, blocks) = index(&self.path, m)?;
        let mut file = File::open(&self.path).map_err(|source| SweepError::Read { path: self.path.clone(), source })?;
        let out = dir.join(SHARD_FILE);
        let mut text = first_line(m, self.series).into_bytes();
        for at in blocks.values() {
            text.extend(read_block(&mut file, &self.path, *at)?);
        }
        write_atomic(&out, |w| w.write_all(&text))?;
        fs::remove_file(&self.path).map_err(io_err(&self.path))?;
        Ok(out)
    }
}

/// The series of a merge, checked before anything is written: the shards' `series.shard.csv`
/// (all or none, all of one kind, every run there).
pub struct MergePlan(Vec<(PathBuf, Blocks)>);

/// Plans `series.parquet` of a merge; `None` when the shards have no series.
pub fn plan_merge(dirs: &[PathBuf], out: &Path, m: &Manifest) -> Result<Option<MergePlan>, SweepError> {
    if dirs.iter().all(|d| !d.join(SHARD_FILE).exists()) {
        return Ok(None);
    }
    if let Some(d) = dirs.iter().find(|d| !d.join(SHARD_FILE).exists()) {
        return Err(SweepError::Inconsistent {
            path: d.clone(),
            message: format!("no {SHARD_FILE}, where other shards have one: run every shard with the same --series"),
        });
    }
    let mut sources = Vec::new();
    let mut first_kind: Option<String> = None;
    for d in dirs {
        let p = d.join(SHARD_FILE);
        let (kind, blocks) = index(&p, m)?;
        if let Some(k) = &first_kind
            && *k != kind
        {
            return Err(SweepError::Inconsistent {
                path: p,
                message: format!(
                    "series `{kind}` where another shard's are `{k}`: run every shard with the same --series"
                ),
            });
        }
        first_kind.get_or_insert(kind);
        sources.push((p, blocks));
    }
    check_complete(&out.join(FINAL), m, &sources)?;
    Ok(Some(MergePlan(sources)))
}

/// Writes a merge's `series.parquet` as planned.
pub fn merge(plan: MergePlan, out: &Path, m: &Manifest) -> Result<PathBuf, SweepError> {
    let path = out.join(FINAL);
    write_final(&path, m, &plan.0)?;
    Ok(path)
}

fn check_complete(path: &Path, m: &Manifest, sources: &[(PathBuf, Blocks)]) -> Result<(), SweepError> {
    match (0..m.runs).find(|r| !sources.iter().any(|(_, b)| b.contains_key(r))) {
        Some(run) => Err(SweepError::Inconsistent {
            path: path.into(),
            message: format!("the series of run {run} is missing: resume the sweep, or run it again into a new folder"),
        }),
        None => Ok(()),
    }
}

/// Writes `series.parquet` run by run from the blocks of `sources`; every run must be there.
fn write_final(
    path: &Path,
    m: &Manifest,
    sources: &[(PathBuf, BTreeMap<usize, (u64, u64)>)],
) -> Result<(), SweepError> {
    check_complete(path, m, sources)?;
    let mut columns: Vec<(String, CellKind)> =
        ["run", "point", "replication"].iter().map(|c| (c.to_string(), CellKind::Integer)).collect();
    for (j, p) in m.parameters.iter().enumerate() {
        columns.push((p.clone(), cell_kind(p, m.points.iter().map(|pt| pt[j].as_str()))));
    }
    columns.extend([
        ("day".to_string(), CellKind::Integer),
        ("platform".to_string(), CellKind::Text),
        ("metric".to_string(), CellKind::Text),
        ("value".to_string(), CellKind::Number),
    ]);
    let mut files = sources
        .iter()
        .map(|(p, _)| File::open(p).map_err(|source| SweepError::Read { path: p.clone(), source }))
        .collect::<Result<Vec<File>, _>>()?;
    let reps = m.replications as usize;
    let mut failure = None;
    let written = write_cells(path, "series", &columns, &mut |push| {
        for run in 0..m.runs {
            let (k, at) = sources
                .iter()
                .enumerate()
                .find_map(|(k, (_, b))| b.get(&run).map(|at| (k, *at)))
                .expect("checked above");
            let block = match read_block(&mut files[k], &sources[k].0, at) {
                Ok(b) => b,
                Err(e) => {
                    failure = Some(e);
                    return Err(io::Error::other("reading a series block"));
                }
            };
            let (run_text, point, rep) = (run.to_string(), (run / reps).to_string(), (run % reps).to_string());
            let text = String::from_utf8_lossy(&block);
            // The block's rows, less its last line, the one that closes it (checked by `index`).
            let lines: Vec<&str> = text.lines().collect();
            for line in &lines[..lines.len().saturating_sub(1)] {
                let Some((_, day, id, metric, value)) = fields(line) else { continue };
                let mut row: Vec<&str> = vec![&run_text, &point, &rep];
                row.extend(m.points[run / reps].iter().map(String::as_str));
                row.extend([day, id, metric, value]);
                push(&row)?;
            }
        }
        Ok(())
    });
    if let Some(e) = failure {
        return Err(e);
    }
    written.map_err(SweepError::Write)
}

#[cfg(test)]
mod tests {
    use super::fields;

    #[test]
    fn a_platform_id_may_hold_commas() {
        assert_eq!(fields("3,13,p,\"1\",arrivals,2"), Some((3, "13", "p,\"1\"", "arrivals", "2")));
        assert_eq!(fields("3,13,line,weighted_r,"), Some((3, "13", "line", "weighted_r", "")));
        assert_eq!(fields("3,x,line,open,2"), None, "a day is a whole number");
        assert_eq!(fields("3,13,line,open,two"), None, "a value is a number or empty");
        assert_eq!(fields("3,13,open"), None);
    }
}
