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

fn first_line(m: &Manifest) -> String {
    format!("# embedsim sweep series {}\n", m.fingerprint)
}

/// Where each run's first complete block lies in a series file: run → (offset, length).
fn index(path: &Path, m: &Manifest) -> Result<BTreeMap<usize, (u64, u64)>, SweepError> {
    let file = File::open(path).map_err(|source| SweepError::Read { path: path.into(), source })?;
    let mut reader = BufReader::new(file);
    let mut line = String::new();
    let mut offset =
        reader.read_line(&mut line).map_err(|source| SweepError::Read { path: path.into(), source })? as u64;
    if line != first_line(m) {
        return Err(SweepError::Inconsistent {
            path: path.into(),
            message: "not this sweep's series (another sweep, or not written by embedsim)".into(),
        });
    }
    let mut blocks = BTreeMap::new();
    let mut current: Option<(usize, u64, u64)> = None;
    let close = |c: Option<(usize, u64, u64)>, blocks: &mut BTreeMap<usize, (u64, u64)>| {
        if let Some((run, start, len)) = c {
            blocks.entry(run).or_insert((start, len));
        }
    };
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(|source| SweepError::Read { path: path.into(), source })? as u64;
        // The end, or a torn last line (a crash mid-write): what is whole is kept.
        if n == 0 || !line.ends_with('\n') {
            break;
        }
        let run =
            line.split(',').next().and_then(|r| r.parse::<usize>().ok()).ok_or_else(|| SweepError::Inconsistent {
                path: path.into(),
                message: format!("a line without its run: {}", line.trim_end()),
            })?;
        match &mut current {
            Some((r, _, len)) if *r == run => *len += n,
            _ => {
                close(current.take(), &mut blocks);
                current = Some((run, offset, n));
            }
        }
        offset += n;
    }
    close(current, &mut blocks);
    Ok(blocks)
}

fn read_block(file: &mut File, path: &Path, (offset, len): (u64, u64)) -> Result<Vec<u8>, SweepError> {
    let mut buf = vec![0; len as usize];
    file.seek(SeekFrom::Start(offset))
        .and_then(|_| file.read_exact(&mut buf))
        .map_err(|source| SweepError::Read { path: path.into(), source })?;
    Ok(buf)
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
    pub fn open(dir: &Path, m: &Manifest, series: Series, done: &BTreeSet<usize>) -> Result<SeriesJournal, SweepError> {
        let path = dir.join(JOURNAL);
        let source = [path.clone(), dir.join(SHARD_FILE)].into_iter().find(|p| p.exists());
        let kept: Vec<u8> = match &source {
            Some(src) => {
                let blocks = index(src, m)?;
                let mut file = File::open(src).map_err(|source| SweepError::Read { path: src.clone(), source })?;
                let mut kept = Vec::new();
                for (_, at) in blocks.iter().filter(|(run, _)| done.contains(run)) {
                    kept.extend(read_block(&mut file, src, *at)?);
                }
                kept
            }
            None => Vec::new(),
        };
        write_atomic(&path, |w| {
            w.write_all(first_line(m).as_bytes())?;
            w.write_all(&kept)
        })?;
        let file = OpenOptions::new().append(true).open(&path).map_err(io_err(&path))?;
        Ok(SeriesJournal { path, file: Mutex::new(file), series })
    }

    /// Appends run `run`'s rows, in one write.
    pub fn append(&self, sc: &Scenario, out: &RunOutput, run: usize) -> Result<(), SweepError> {
        let mut block = String::new();
        for_each_series_row(sc, out, self.series, 0..out.town.len(), &mut |r| -> Result<(), SweepError> {
            use std::fmt::Write as _;
            let _ = write!(block, "{run},{},{},{},", r.day, r.id, r.metric);
            r.value.text_into(&mut block);
            block.push('\n');
            Ok(())
        })?;
        let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
        f.write_all(block.as_bytes()).and_then(|_| f.flush()).map_err(io_err(&self.path))
    }

    /// A whole sweep's end: `series.parquet` from the journal, which then goes. A finished
    /// sweep resumed again keeps the `series.parquet` it has.
    pub fn finish(self, dir: &Path, m: &Manifest) -> Result<Option<PathBuf>, SweepError> {
        drop(self.file);
        let blocks = index(&self.path, m)?;
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
        let blocks = index(&self.path, m)?;
        let mut file = File::open(&self.path).map_err(|source| SweepError::Read { path: self.path.clone(), source })?;
        let out = dir.join(SHARD_FILE);
        let mut text = first_line(m).into_bytes();
        for at in blocks.values() {
            text.extend(read_block(&mut file, &self.path, *at)?);
        }
        write_atomic(&out, |w| w.write_all(&text))?;
        fs::remove_file(&self.path).map_err(io_err(&self.path))?;
        Ok(out)
    }
}

/// `series.parquet` of a merge: from the shards' `series.shard.csv`, when they have them (all or
/// none).
pub fn merge(dirs: &[PathBuf], out: &Path, m: &Manifest) -> Result<Option<PathBuf>, SweepError> {
    let with: Vec<&PathBuf> = dirs.iter().filter(|d| d.join(SHARD_FILE).exists()).collect();
    if with.is_empty() {
        return Ok(None);
    }
    if let Some(d) = dirs.iter().find(|d| !d.join(SHARD_FILE).exists()) {
        return Err(SweepError::Inconsistent {
            path: d.clone(),
            message: format!("no {SHARD_FILE}, where other shards have one: run every shard with the same --series"),
        });
    }
    let sources = with
        .iter()
        .map(|d| {
            let p = d.join(SHARD_FILE);
            index(&p, m).map(|b| (p, b))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let path = out.join(FINAL);
    write_final(&path, m, &sources)?;
    Ok(Some(path))
}

/// Writes `series.parquet` run by run from the blocks of `sources`; every run must be there.
fn write_final(
    path: &Path,
    m: &Manifest,
    sources: &[(PathBuf, BTreeMap<usize, (u64, u64)>)],
) -> Result<(), SweepError> {
    if let Some(run) = (0..m.runs).find(|r| !sources.iter().any(|(_, b)| b.contains_key(r))) {
        return Err(SweepError::Inconsistent {
            path: path.into(),
            message: format!("the series of run {run} is missing: resume the sweep, or run it again into a new folder"),
        });
    }
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
            let (point, rep) = ((run / reps).to_string(), (run % reps).to_string());
            let text = String::from_utf8_lossy(&block);
            for line in text.lines() {
                let f: Vec<&str> = line.splitn(5, ',').collect();
                let mut row: Vec<&str> = vec![f[0], &point, &rep];
                row.extend(m.points[run / reps].iter().map(String::as_str));
                row.extend(&f[1..]);
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
