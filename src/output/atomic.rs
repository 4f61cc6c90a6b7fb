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
pub fn write_atomic(path: &Path, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), WriteError> {
    let err = |source| WriteError { path: path.to_path_buf(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(err)?;
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut w = BufWriter::new(File::create(&tmp)?);
        fill(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// Formats a number for CSV: its shortest exact (round-trip) form, in exponent notation beyond
/// 1e16 or under 1e-9 in size (so 1e300 is 17 bytes, not 301 digits); empty when undefined (NaN
/// or infinite). Every finite number is written finite and parses back to the same value.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        String::new()
    } else if x != 0.0 && (x.abs() >= 1e16 || x.abs() < 1e-9) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
