//! Running a sweep without losing work, in shards across machines, and merging the shards.
//!
//! While a sweep runs, each finished run is appended to `runs.partial.csv` (the journal) in
//! completion order, one write per run. `--resume` keeps the complete runs of a journal and runs
//! the rest. Final files are written atomically from the records sorted by run index, so neither
//! completion order, interruption nor sharding can change a byte of them.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::series_file::{self, SeriesJournal};
use super::sweep::{Manifest, Sweep, SweepError};
use super::sweep_files::{
    MANIFEST, REPORT, RunRecord, SHARD_FILE, Unstable, csv_line, inconsistent, io_err, read_manifest, read_records,
    runs_header, runs_records, write_final, write_manifest, write_runs_file,
};
use super::{ExperimentError, with_threads};
use crate::output::atomic::write_atomic;
use crate::scenario::{DayRecords, Scenario};

/// The journal of runs finished so far, in completion order.
pub const JOURNAL: &str = "runs.partial.csv";
/// Held while a sweep writes into its folder.
pub const LOCK: &str = "sweep.lock";

/// Whether `name` is a file a sweep or merge writes, or one the studies built on a sweep add to
/// its folder (a sensitivity study's indices, scenario discovery's box): a study resumed or
/// merged again into its folder is not refused for its own files.
pub fn is_sweep_file(name: &str) -> bool {
    let chart = name.ends_with(".svg") || name.ends_with(".png");
    [MANIFEST, JOURNAL, SHARD_FILE, LOCK, "runs.csv", "points.csv", REPORT, "indices.csv"].contains(&name)
        || ["runs.parquet", "points.parquet", "indices.parquet"].contains(&name)
        || [series_file::JOURNAL, series_file::SHARD_FILE, series_file::FINAL].contains(&name)
        || ((name.starts_with("regime-map-")
            || name.starts_with("metric-")
            || name.starts_with("indices-")
            || name.starts_with("mustar-sigma-"))
            && chart)
        || (name.starts_with("discover-") && name.ends_with(".txt"))
}

/// Refuses `dir` when it holds a file a sweep does not write, or any file at all (but a lock)
/// without a sweep's manifest: a user's own `points.csv` in a new folder is never overwritten,
/// nor one beside a `manifest.toml` of the user's (it must read as a sweep's).
fn refuse_foreign_files(dir: &Path) -> Result<(), SweepError> {
    let ours_before = dir.join(MANIFEST).is_file() && read_manifest(dir).is_ok();
    crate::output::folder::refuse_foreign(dir, &|n: &str| n == LOCK || (ours_before && is_sweep_file(n)))?;
    Ok(())
}

/// The folder's lock, removed when dropped (also when the sweep fails or is interrupted).
pub struct Lock(#[allow(dead_code)] crate::output::folder::FolderLock);

impl Lock {
    /// Takes `dir`'s lock, created new so that two sweeps cannot both hold it. A lock whose
    /// process is gone (Linux: no /proc entry) is taken over.
    pub fn take(dir: &Path) -> Result<Lock, SweepError> {
        use crate::output::folder::{FolderLock, LockError};
        FolderLock::take(dir, LOCK).map(Lock).map_err(|e| match e {
            LockError::Held { path, pid } => SweepError::Locked { path, pid },
            LockError::Io(path, e) => io_err(&path)(e),
        })
    }

    /// [`Lock::take`], creating `dir` first.
    pub fn take_creating(dir: &Path) -> Result<Lock, SweepError> {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
        Lock::take(dir)
    }
}

/// Defined with the design (which runs a slice holds), used here to run it.
pub use super::sweep::Shard;

/// How to run a sweep.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Worker threads (`None`: one per core). Results do not depend on it.
    pub threads: Option<usize>,
    /// Run only this slice.
    pub shard: Option<Shard>,
    /// Keep the complete runs of an existing journal.
    pub resume: bool,
    /// Start no more than this many runs, then stop with [`SweepError::Stopped`]: a library
    /// hook for tests of `--resume` (the command line never sets it).
    pub stop_after: Option<usize>,
    /// Once set (by a Ctrl-C handler), start no more runs and stop with [`SweepError::Stopped`].
    pub interrupted: Option<&'static std::sync::atomic::AtomicBool>,
    /// Keep every run's daily series (`weekly` or `platforms`) in `series.parquet`
    /// ([`super::series_file`]); `None`: the runs keep no daily records.
    pub series: Option<crate::output::csv::Series>,
}

/// What a sweep invocation did.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Runs this invocation is responsible for (the shard's or all).
    pub planned: usize,
    /// Of those, taken from the journal.
    pub resumed: usize,
    /// Files written.
    pub files: Vec<PathBuf>,
}

fn journal_first_line(m: &Manifest) -> String {
    format!("# embedsim sweep journal {} fingerprint {}\n", m.name, m.fingerprint)
}

/// Reads the complete runs of a journal. A run counts only with all its platform rows; a torn
/// last line (the process died mid-write) is ignored.
pub fn read_journal(path: &Path, m: &Manifest) -> Result<BTreeMap<usize, RunRecord>, SweepError> {
    let bytes = fs::read(path).map_err(|source| SweepError::Read { path: path.into(), source })?;
    let first = journal_first_line(m);
    if !bytes.starts_with(first.as_bytes()) {
        return Err(inconsistent(
            path,
            "this journal belongs to another sweep (or another version of it); delete it or use another --out",
        ));
    }
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    read_records(path, m, &bytes[first.len()..end.max(first.len())], true)
}

impl RunRecord {
    /// Run `run` of the sweep `m` describes: replication `replication` of `sc`, summarized. A run
    /// that stops at a limit makes its point unstable there (recorded as such, and the sweep goes
    /// on); any other failure is returned.
    pub fn of_run(
        sc: &Scenario,
        m: &Manifest,
        run: usize,
        replication: u32,
    ) -> Result<RunRecord, crate::model::SimError> {
        Self::of_run_kept(sc, m, run, replication).map(|(rec, _)| rec)
    }

    /// [`RunRecord::of_run`], and the run's output (none for an unstable run: it stopped).
    pub fn of_run_kept(
        sc: &Scenario,
        m: &Manifest,
        run: usize,
        replication: u32,
    ) -> Result<(RunRecord, Option<crate::model::RunOutput>), crate::model::SimError> {
        match crate::model::run_replication(sc, replication) {
            Ok(out) => {
                Ok((RunRecord { run, rows: crate::metrics::summary::summarize(sc, &out), unstable: None }, Some(out)))
            }
            Err(e) => match Unstable::from_error(&e) {
                Some(u) => Ok((RunRecord { run, rows: u.rows(m), unstable: Some(u) }, None)),
                None => Err(e),
            },
        }
    }
}

/// Runs a sweep (or one shard of it) into `dir`, journaling every finished run; `tick` is called
/// once per finished run. A whole sweep ends with the final files, a shard with `shard.csv`.
pub fn run_sweep(
    sweep: &Sweep,
    dir: &Path,
    opts: &RunOptions,
    tick: &(dyn Fn() + Sync),
) -> Result<Outcome, SweepError> {
    let mut m = sweep.manifest();
    m.shard = opts.shard.map(|s| s.to_string());
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    refuse_foreign_files(dir)?;
    let _lock = Lock::take(dir)?;
    let journal = dir.join(JOURNAL);
    let mine: Vec<usize> = (0..sweep.runs()).filter(|&i| opts.shard.is_none_or(|s| s.owns(i))).collect();

    let mut done: BTreeMap<usize, RunRecord> = BTreeMap::new();
    if journal.exists() {
        if !opts.resume {
            return Err(inconsistent(
                &journal,
                "an unfinished sweep is here; continue it with --resume, or delete the file to start over",
            ));
        }
        done = read_journal(&journal, &m)?;
        done.retain(|i, _| opts.shard.is_none_or(|s| s.owns(*i)));
    } else if opts.resume {
        // A finished folder resumed again (say, a requeued array task) reuses its results.
        let finished = dir.join(if opts.shard.is_some() { SHARD_FILE } else { "runs.csv" });
        if finished.exists()
            && read_manifest(dir).is_ok_and(|old| old.fingerprint == m.fingerprint && old.shard == m.shard)
        {
            let bytes = fs::read(&finished).map_err(|source| SweepError::Read { path: finished.clone(), source })?;
            done = read_records(&finished, &m, &bytes, true)?;
            done.retain(|i, _| opts.shard.is_none_or(|s| s.owns(*i)));
        }
    }
    // The series journal first: a finished run whose series are missing (a crash between the
    // two journals) runs again.
    let series = match opts.series {
        Some(kind) => {
            let (journal, missing) = SeriesJournal::open(dir, &m, kind, &done.keys().copied().collect())?;
            done.retain(|run, _| !missing.contains(run));
            Some(journal)
        }
        None => {
            series_file::refuse_if_started_with_series(dir)?;
            None
        }
    };
    // Rewrite the journal with only complete runs, so a torn record never precedes new ones.
    write_manifest(dir, &m)?;
    write_atomic(&journal, |w| {
        w.write_all(journal_first_line(&m).as_bytes())?;
        w.write_all(&csv_line(&runs_header(&m)))?;
        for rec in done.values() {
            for r in runs_records(&m, rec) {
                w.write_all(&csv_line(&r))?;
            }
        }
        Ok(())
    })?;
    let resumed = done.len();
    let pending: Vec<usize> = mine.iter().copied().filter(|i| !done.contains_key(i)).collect();

    let file = OpenOptions::new().append(true).open(&journal).map_err(io_err(&journal))?;
    let file = Mutex::new(file);
    let started = AtomicUsize::new(0);
    let results = with_threads(opts.threads, || {
        pending
            .par_iter()
            .map(|&i| -> Result<Option<RunRecord>, SweepError> {
                if let Some(k) = opts.stop_after
                    && started.fetch_add(1, Ordering::SeqCst) >= k
                {
                    return Ok(None);
                }
                if opts.interrupted.is_some_and(|f| f.load(Ordering::SeqCst)) {
                    return Ok(None);
                }
                let (p, r) = sweep.run_at(i);
                // A point's runs give their summaries only, and keep no daily records unless
                // their series are asked for.
                let mut sc = sweep.scenario(p)?;
                if series.is_none() {
                    sc.simulation.day_records = DayRecords::Summary { warmup_metric: "open".into() };
                }
                let sc = &sc;
                // A run that stops at a limit makes its point unstable there: recorded, and the
                // sweep goes on.
                let (rec, out) = RunRecord::of_run_kept(sc, &m, i, r).map_err(ExperimentError::from)?;
                // The series first: a run whose summary the journal holds has its series too.
                if let Some(journal) = &series {
                    journal.append(sc, out.as_ref(), i)?;
                }
                let mut block = Vec::new();
                for row in runs_records(&m, &rec) {
                    block.extend(csv_line(&row));
                }
                {
                    let mut f = file.lock().unwrap_or_else(|e| e.into_inner());
                    // One write per run: a crash tears at most the last run, which resume drops.
                    // Synced, so that a power cut loses no run the journal reported done.
                    f.write_all(&block)
                        .and_then(|_| f.flush())
                        .and_then(|_| f.sync_data())
                        .map_err(io_err(&journal))?;
                }
                tick();
                Ok(Some(rec))
            })
            .collect::<Vec<_>>()
    })?;
    drop(file);
    let mut stopped = 0;
    let mut first_err = None;
    let mut ran = 0;
    for r in results {
        match r {
            Ok(Some(rec)) => {
                ran += 1;
                done.insert(rec.run, rec);
            }
            Ok(None) => stopped += 1,
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_err {
        return Err(e);
    }
    if stopped > 0 {
        return Err(SweepError::Stopped { done: ran });
    }

    let mut files = match opts.shard {
        Some(_) => {
            let path = dir.join(SHARD_FILE);
            write_runs_file(&path, &m, &done.values().collect::<Vec<_>>())?;
            vec![dir.join(MANIFEST), path]
        }
        None => write_final(dir, &m, &done.into_values().collect::<Vec<_>>())?,
    };
    match (series, opts.shard) {
        (Some(journal), Some(_)) => files.push(journal.finish_shard(dir, &m)?),
        (Some(journal), None) => files.extend(journal.finish(dir, &m)?),
        (None, _) => {}
    }
    fs::remove_file(&journal).map_err(io_err(&journal))?;
    Ok(Outcome { planned: mine.len(), resumed, files })
}

/// Merges shard folders (or whole-sweep folders) of one sweep into `out`'s final files. Every
/// run must be present; a run found twice must be identical.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Vec<PathBuf>, SweepError> {
    let mut manifest: Option<(PathBuf, Manifest)> = None;
    let mut all: BTreeMap<usize, RunRecord> = BTreeMap::new();
    for dir in dirs {
        let m = read_manifest(dir)?;
        if let Some((first_dir, first)) = &manifest {
            let mut a = first.clone();
            let mut b = m.clone();
            a.shard = None;
            b.shard = None;
            let build = |m: &Manifest| format!("{} (commit {}, Cargo.lock {})", m.version, m.commit, m.lock_fnv1a);
            if a.fingerprint == b.fingerprint && build(&a) != build(&b) {
                // The same design run by two builds: their numbers need not agree.
                return Err(inconsistent(
                    dir,
                    format!(
                        "written by embedsim {}, but {} by embedsim {}: run every shard with the same build",
                        build(&b),
                        first_dir.display(),
                        build(&a)
                    ),
                ));
            }
            if a != b {
                return Err(inconsistent(
                    dir,
                    format!(
                        "not a shard of the same sweep as {} (fingerprint {} vs {})",
                        first_dir.display(),
                        m.fingerprint,
                        first.fingerprint
                    ),
                ));
            }
        }
        let file = [SHARD_FILE, "runs.csv"].iter().map(|f| dir.join(f)).find(|p| p.exists()).ok_or_else(|| {
            let unfinished =
                if dir.join(JOURNAL).exists() { " (the shard is unfinished: rerun it with --resume)" } else { "" };
            inconsistent(dir, format!("no {SHARD_FILE} or runs.csv{unfinished}"))
        })?;
        let bytes = fs::read(&file).map_err(|source| SweepError::Read { path: file.clone(), source })?;
        for (run, rec) in read_records(&file, &m, &bytes, false)? {
            if let Some(prev) = all.get(&run) {
                if runs_records(&m, prev) != runs_records(&m, &rec) {
                    return Err(inconsistent(&file, format!("run {run} differs from the same run in another folder")));
                }
            } else {
                all.insert(run, rec);
            }
        }
        manifest.get_or_insert((dir.clone(), m));
    }
    let Some((_, m)) = manifest else { return Err(inconsistent(out, "no folders to merge")) };
    // Everything that can be found wrong is checked before the folder is made: a failed merge
    // leaves no empty folder behind.
    let missing: Vec<usize> = (0..m.runs).filter(|i| !all.contains_key(i)).collect();
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(5).map(|i| i.to_string()).collect();
        return Err(inconsistent(
            out,
            format!(
                "{} of {} runs missing (e.g. runs {}); is a shard absent?",
                missing.len(),
                m.runs,
                shown.join(", ")
            ),
        ));
    }
    let series = series_file::plan_merge(dirs, out, &m)?;
    refuse_foreign_files(out)?;
    let existed = out.exists();
    let result = {
        let _lock = Lock::take_creating(out)?;
        write_final(out, &m, &all.into_values().collect::<Vec<_>>()).and_then(|mut files| {
            if let Some(plan) = series {
                files.push(series_file::merge(plan, out, &m)?);
            }
            Ok(files)
        })
    };
    if result.is_err() && !existed {
        // Only an empty folder goes (remove_dir refuses any other).
        let _ = fs::remove_dir(out);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_parsing() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        assert!("0/8".parse::<Shard>().is_err());
        assert!("9/8".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
        let s = Shard { index: 3, count: 4 };
        assert!(s.owns(2) && s.owns(6) && !s.owns(3));
    }
}
