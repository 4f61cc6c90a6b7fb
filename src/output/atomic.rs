//! Files written whole or not at all: write to a temporary file beside the target, then rename.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Why an output could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}", path.display())]
pub struct WriteError {
    /// The file.
    pub path: PathBuf,
    /// The cause.
    #[source]
    pub source: io::Error,
}

/// Writes `path` atomically with `fill`; on any error the target is left as it was.
///
/// The temporary file `.NAME.embedsim-tmp-PID` is created new (`O_EXCL`: an existing file or a planted
/// symbolic link there is never followed or written through), synced, renamed over the target,
/// and the folder is synced so that the rename itself survives a power cut.
pub fn write_atomic(path: &Path, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), WriteError> {
    write_atomic_file(path, |w| fill(w))
}

/// [`write_atomic`] handing `fill` the buffered file itself (a writer that is `Send`, as the
/// Parquet writer needs).
pub fn write_atomic_file(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> Result<(), WriteError> {
    let err = |source| WriteError { path: path.to_path_buf(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(err)?;
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}{}", crate::output::folder::TEMP_MARK, std::process::id()));
    // A leftover of an earlier process with our PID (or a planted link): remove the entry itself.
    match fs::symlink_metadata(&tmp) {
        Ok(_) => fs::remove_file(&tmp).map_err(err)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(err(e)),
    }
    let result = (|| {
        let file = fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        let mut w = BufWriter::new(file);
        fill(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        sync_dir(path.parent())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// Syncs a folder, so that a rename into it is durable (a no-op where folders cannot be opened).
fn sync_dir(dir: Option<&Path>) -> io::Result<()> {
    let dir = dir.filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    match File::open(dir) {
        Ok(f) => f.sync_all().or_else(|e| if cfg!(unix) { Err(e) } else { Ok(()) }),
        Err(_) if !cfg!(unix) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Formats a number for CSV: its shortest exact (round-trip) form, in exponent notation beyond
/// 1e16 or under 1e-9 in size (so 1e300 is 17 bytes, not 301 digits); empty when undefined (NaN
/// or infinite). Every finite number is written finite and parses back to the same value.
pub fn num(x: f64) -> String {
    let mut s = String::new();
    num_into(&mut s, x);
    s
}

/// [`num`] appended to `out`: the writers of long files reuse one buffer instead of allocating
/// a string per value.
pub fn num_into(out: &mut String, x: f64) {
    use std::fmt::Write as _;
    // Below 2^53 an integral float is an exact integer and its shortest decimal form is that
    // integer's digits, so the integer formatter writes the same text faster (counts and hours
    // on the hour are most of a daily series). Zero keeps its sign ("-0") through `{x}`.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if x != 0.0 && x.abs() < EXACT && x.trunc() == x {
        let _ = write!(out, "{}", x as i64);
    } else if !x.is_finite() {
        // Undefined: an empty cell.
    } else if x != 0.0 && (x.abs() >= 1e16 || x.abs() < 1e-9) {
        let _ = write!(out, "{x:e}");
    } else {
        let _ = write!(out, "{x}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn num_into_writes_what_display_writes() {
        let reference = |x: f64| {
            if !x.is_finite() {
                String::new()
            } else if x != 0.0 && (x.abs() >= 1e16 || x.abs() < 1e-9) {
                format!("{x:e}")
            } else {
                format!("{x}")
            }
        };
        let mut xs = vec![0.0, -0.0, 1.0, -1.0, 0.5, 1e-9, 1e-10, 1e15, 1e16, 2f64.powi(53), 2f64.powi(53) - 1.0];
        xs.extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MAX, f64::MIN_POSITIVE]);
        for k in 0..64 {
            let p = 2f64.powi(k);
            xs.extend([p, p - 1.0, p + 1.0, -p, p / 3.0, (p / 3.0).trunc(), p.next_up(), p.next_down()]);
        }
        // A deterministic spread of integral and fractional values of every magnitude.
        let mut z = 0x9E37_79B9_7F4A_7C15_u64;
        for _ in 0..200_000 {
            z ^= z << 13;
            z ^= z >> 7;
            z ^= z << 17;
            let x = f64::from_bits(z);
            xs.extend([x, x.trunc(), (z >> 11) as f64, -((z >> 20) as f64), (z % 100_000) as f64 / 8.0]);
        }
        for x in xs {
            assert_eq!(num(x), reference(x), "{x:?}");
        }
    }

    #[test]
    fn failure_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        write_atomic(&p, |w| w.write_all(b"old")).unwrap();
        let r = write_atomic(&p, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("boom"))
        });
        assert!(r.is_err());
        assert_eq!(fs::read_to_string(&p).unwrap(), "old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temp file left behind");
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_link_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        let out = dir.path().join("out");
        fs::create_dir(&out).unwrap();
        let tmp = out.join(format!(".a.csv.embedsim-tmp-{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &tmp).unwrap();
        write_atomic(&out.join("a.csv"), |w| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep", "the link's target is untouched");
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "new");
        assert!(fs::symlink_metadata(&tmp).is_err(), "no temp left");
    }

    #[test]
    fn numbers_round_trip_and_stay_finite() {
        for x in [0.0, 1.5, -2.25, 1e-5, 0.1 + 0.2, 1e15, 1e16, 1.7976931348623157e308, 5e-324, -1e300, 123456.789] {
            let s = num(x);
            assert!(!s.contains("inf") && !s.is_empty() && s.len() < 30, "{x}: {s}");
            assert_eq!(s.parse::<f64>().unwrap(), x, "{s}");
        }
        assert_eq!(num(1e300), "1e300");
        assert_eq!(num(0.25), "0.25");
        assert_eq!(num(f64::NAN), "");
        assert_eq!(num(f64::INFINITY), "");
    }
}
