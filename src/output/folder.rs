//! One run per folder, nothing lost: a run's folder holds a `manifest.toml` listing the files the
//! run wrote. A later run into the folder replaces exactly those files (and deletes the ones it
//! does not write again, such as an old `baseline.csv`); a folder holding anything else is
//! refused, so no file of the user's is ever overwritten or deleted.
//!
//! While files are being replaced the manifest says `complete = false` and lists both the old and
//! the new files, so that a run killed half-way leaves a folder the next run can still claim.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::atomic::{WriteError, write_atomic};

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.toml";

/// A run folder's lock, held from the claim to the finish so that two runs into one folder
/// cannot mix their files.
pub const RUN_LOCK: &str = "run.lock";

/// A lock file in a folder, created new so that only one process holds it, holding the
/// holder's process id; removed when dropped (also when the job fails or is interrupted).
pub struct FolderLock(PathBuf);

/// Why a folder's lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another live process holds it.
    Held {
        /// The lock file.
        path: PathBuf,
        /// Its holder's process id, as written.
        pid: String,
    },
    /// The file system refused.
    Io(PathBuf, std::io::Error),
}

impl FolderLock {
    /// Takes lock file `name` in `dir`. A lock whose process is gone (Linux: no /proc entry) is
    /// taken over.
    pub fn take(dir: &Path, name: &str) -> Result<FolderLock, LockError> {
        use std::io::Write;
        let path = dir.join(name);
        for _ in 0..2 {
            match fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    f.write_all(std::process::id().to_string().as_bytes())
                        .map_err(|e| LockError::Io(path.clone(), e))?;
                    return Ok(FolderLock(path));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let pid = fs::read_to_string(&path).unwrap_or_default().trim().to_string();
                    let gone = cfg!(target_os = "linux")
                        && !pid.is_empty()
                        && pid.bytes().all(|b| b.is_ascii_digit())
                        && !Path::new("/proc").join(&pid).exists();
                    if !gone {
                        return Err(LockError::Held { path, pid });
                    }
                    // Read again just before taking it over: another process taking over the same
                    // stale lock may have written its own meanwhile. (A window remains between
                    // this read and the removal; it needs two takeovers of one stale lock within
                    // microseconds.)
                    if fs::read_to_string(&path).unwrap_or_default().trim() != pid {
                        continue;
                    }
                    fs::remove_file(&path).map_err(|e| LockError::Io(path.clone(), e))?;
                }
                Err(e) => return Err(LockError::Io(path, e)),
            }
        }
        Err(LockError::Held { path, pid: "?".into() })
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Every file `embedsim run` may write. A manifest listing anything else (edited by hand, say
/// to list `notes.txt`) does not make that file the tool's: it is never deleted.
pub const RUN_FILES: &[&str] = &[
    "summary.csv",
    "timeseries.csv",
    "summary.parquet",
    "timeseries.parquet",
    "departments.csv",
    "queues.csv",
    "regimes.csv",
    "ranking.csv",
    "report.html",
    "baseline.csv",
];

/// `manifest.toml` of a run folder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunManifest {
    /// Always "run" (a sweep's manifest has other keys).
    pub kind: String,
    /// False while files are being replaced.
    pub complete: bool,
    /// embedsim's version.
    pub version: String,
    /// The git commit embedsim was built from ("unknown" outside a repository).
    #[serde(default)]
    pub commit: String,
    /// FNV-1a hash of the Cargo.lock embedsim was built with: the exact dependencies.
    #[serde(default)]
    pub lock_fnv1a: String,
    /// The command line, as typed.
    pub command: String,
    /// The scenario file.
    pub scenario: String,
    /// FNV-1a hash of the scenario file's bytes, hexadecimal.
    pub scenario_fnv1a: String,
    /// The seed (text: TOML integers are signed).
    pub seed: String,
    /// Replications.
    pub replications: u32,
    /// File names written, in the folder.
    pub files: Vec<String>,
}

/// Why a folder cannot take a run's files.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    /// Files the run did not write are there.
    #[error(
        "{} holds files embedsim did not write there: {}; nothing was changed. Choose another --out, \
         or move those files away",
        dir.display(),
        files.join(", ")
    )]
    Foreign {
        /// The folder.
        dir: PathBuf,
        /// The files in question.
        files: Vec<String>,
    },
    /// Another run is writing into the folder.
    #[error(
        "{} is in use by another embedsim run (process {pid}, lock {}); nothing was changed. Wait for it, or choose another --out (if no embedsim is running there, remove that lock file)",
        dir.display(),
        lock.display()
    )]
    InUse {
        /// The folder.
        dir: PathBuf,
        /// The lock file.
        lock: PathBuf,
        /// The holder's process id.
        pid: String,
    },
    /// The folder's manifest is not a run's.
    #[error("{}: not the manifest of an embedsim run ({message}); nothing was changed. Choose another --out", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// Reading the folder or removing a file failed.
    #[error("cannot update {}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Writing failed.
    #[error(transparent)]
    Write(#[from] WriteError),
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> FolderError + '_ {
    move |source| FolderError::Io { path: path.to_path_buf(), source }
}

/// What names a temporary file of [`write_atomic`]: `.NAME.embedsim-tmp-PID`, a name no
/// person's file has by chance (a user's `.thesis.tmp-2024` is left alone).
pub const TEMP_MARK: &str = "embedsim-tmp-";

/// Whether `name` is a temporary file of [`write_atomic`]: `.NAME.embedsim-tmp-PID`, or one
/// left by an earlier version, `.NAME.tmp-PID`, where NAME is a file a run writes (a killed old
/// run's `.summary.csv.tmp-123`; a user's `.thesis.tmp-2024` is not one).
pub fn is_our_temp(name: &str) -> bool {
    let digits = |pid: &str| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit());
    let mark = format!(".{TEMP_MARK}");
    let Some(rest) = name.strip_prefix('.') else { return false };
    if rest.rsplit_once(mark.as_str()).is_some_and(|(_, pid)| digits(pid)) {
        return true;
    }
    rest.rsplit_once(".tmp-").is_some_and(|(file, pid)| digits(pid) && (RUN_FILES.contains(&file) || file == MANIFEST))
}

/// The process id a temporary file names.
fn temp_pid(name: &str) -> &str {
    name.rsplit_once(TEMP_MARK).or_else(|| name.rsplit_once(".tmp-")).map_or("", |(_, pid)| pid)
}

/// Whether process `pid` (decimal) may still be running. Linux: its /proc entry exists; our own
/// process counts as gone (a file of ours left from a failed write). Elsewhere there is no cheap
/// check, and a process is assumed gone, as before.
fn pid_alive(pid: &str) -> bool {
    cfg!(target_os = "linux")
        && !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
        && pid != std::process::id().to_string()
        && Path::new("/proc").join(pid).exists()
}

/// Lists `dir`'s entries (none when it does not exist) after deleting temporary files left by
/// an earlier process of ours that was killed.
pub fn entries_after_cleanup(dir: &Path) -> Result<Vec<String>, FolderError> {
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(dir)(e)),
    };
    let mut names = Vec::new();
    for e in rd {
        let e = e.map_err(io(dir))?;
        let name = e.file_name().to_string_lossy().into_owned();
        // Only a temporary file whose writer is gone: a live job's (a sweep beside this run,
        // another process) is left alone and counts as an entry like any other.
        if is_our_temp(&name) && !pid_alive(temp_pid(&name)) && e.file_type().map_err(io(dir))?.is_file() {
            fs::remove_file(e.path()).map_err(io(&e.path()))?;
        } else {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Refuses `dir` when, after cleaning our temporary files, it holds an entry `ours` rejects.
pub fn refuse_foreign(dir: &Path, ours: &dyn Fn(&str) -> bool) -> Result<Vec<String>, FolderError> {
    let names = entries_after_cleanup(dir)?;
    let foreign: Vec<String> = names.iter().filter(|n| !ours(n)).cloned().collect();
    if !foreign.is_empty() {
        return Err(FolderError::Foreign { dir: dir.to_path_buf(), files: foreign });
    }
    Ok(names)
}

/// Reads `dir`'s run manifest, if any.
fn read(dir: &Path) -> Result<Option<RunManifest>, FolderError> {
    let path = dir.join(MANIFEST);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(&path)(e)),
    };
    let m: RunManifest = toml::from_str(&text)
        .map_err(|e| FolderError::Manifest { path: path.clone(), message: e.message().trim().into() })?;
    let safe = |f: &String| f != MANIFEST && Path::new(f).file_name().is_some_and(|n| n == f.as_str());
    if m.kind != "run" || !m.files.iter().all(safe) {
        return Err(FolderError::Manifest { path, message: "kind is not \"run\", or files outside the folder".into() });
    }
    Ok(Some(m))
}

/// Claims `dir` for a run that will write `files`, described by `manifest` (its `files` and
/// `complete` are set here). Refuses a folder holding anything the earlier run did not write.
/// Returns the files to delete once the new ones are written (the earlier run's others).
///
/// The folder's lock is taken first and held by the returned [`Claim`] until it is dropped
/// (after [`finish`]): a second run into the same folder meanwhile is refused, and the temporary
/// files cleaned away can only be those of a process that died.
pub fn claim(dir: &Path, manifest: &RunManifest, files: &[&str]) -> Result<Claim, FolderError> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    let lock = FolderLock::take(dir, RUN_LOCK).map_err(|e| match e {
        LockError::Held { path, pid } => FolderError::InUse { dir: dir.to_path_buf(), lock: path, pid },
        LockError::Io(path, source) => FolderError::Io { path, source },
    })?;
    let old = read(dir)?;
    // Ours: what an earlier run's manifest lists and a run writes. A folder without a manifest
    // holds nothing of ours (a user's own report.html or summary.csv there is refused).
    let names = refuse_foreign(dir, &|n: &str| {
        n == RUN_LOCK
            || match &old {
                Some(m) => n == MANIFEST || (RUN_FILES.contains(&n) && m.files.iter().any(|f| f == n)),
                None => false,
            }
    })?;
    let stale: Vec<String> =
        names.into_iter().filter(|n| n != MANIFEST && n != RUN_LOCK && !files.contains(&n.as_str())).collect();
    // In progress: old and new files listed, so that a kill now leaves a folder we can claim.
    let mut m = manifest.clone();
    m.complete = false;
    m.files = files.iter().map(|s| s.to_string()).chain(stale.iter().cloned()).collect();
    write(dir, &m)?;
    Ok(Claim { stale, _lock: lock })
}

/// A claimed run folder: the files to delete once the new ones are written, and the folder's
/// lock, released when this is dropped.
pub struct Claim {
    /// The earlier run's files this run does not write again.
    pub stale: Vec<String>,
    _lock: FolderLock,
}

/// Finishes a claimed folder: deletes `stale` files and writes the manifest, complete.
pub fn finish(dir: &Path, manifest: &RunManifest, files: &[&str], stale: &[String]) -> Result<PathBuf, FolderError> {
    for f in stale {
        let p = dir.join(f);
        match fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&p)(e)),
            _ => {}
        }
    }
    let mut m = manifest.clone();
    m.complete = true;
    m.files = files.iter().map(|s| s.to_string()).collect();
    write(dir, &m)
}

fn write(dir: &Path, m: &RunManifest) -> Result<PathBuf, FolderError> {
    let path = dir.join(MANIFEST);
    let text = toml::to_string(m).map_err(|e| FolderError::Manifest { path: path.clone(), message: e.to_string() })?;
    write_atomic(&path, |w| w.write_all(text.as_bytes()))?;
    Ok(path)
}

/// FNV-1a of `bytes`, hexadecimal: stable across releases (std's hashers are not).
pub fn fnv1a_hex(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names() {
        assert!(is_our_temp(".summary.csv.embedsim-tmp-1234"));
        assert!(!is_our_temp("summary.csv"));
        assert!(!is_our_temp(".x.embedsim-tmp-"));
        assert!(!is_our_temp(".x.embedsim-tmp-12a"));
        assert!(!is_our_temp(".thesis.tmp-2024"), "a user's file");
        assert!(is_our_temp(".summary.csv.tmp-2024"), "an earlier version's, of a file a run writes");
        assert_eq!(temp_pid(".summary.csv.tmp-2024"), "2024");
        assert_eq!(temp_pid(".summary.csv.embedsim-tmp-77"), "77");
    }
}
