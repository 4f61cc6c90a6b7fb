//! A sweep's points read from a file (`design = "points.csv"` in the sweep file): one column per
//! key path, one row per point, so that any sampler (SALib, EMA Workbench, a spreadsheet) makes
//! the design and embedsim runs it, sharded and resumed like any other sweep.

use std::path::Path;

use super::sweep::{ParamValue, SweepError};

/// Most points a design file may hold (as many as a sweep may have).
pub const MAX_ROWS: usize = 1_000_000;

/// The points of a design file.
#[derive(Clone, Debug)]
pub struct DesignFile {
    /// Its path as given in messages.
    pub origin: String,
    /// The key paths of its columns, in order.
    pub paths: Vec<String>,
    /// Per point (row, in file order), its values in column order.
    pub rows: Vec<Vec<ParamValue>>,
    /// Its text, for the sweep's fingerprint.
    pub text: String,
}

/// Reads the design file at `path` (named `given` in the sweep file `sweep`).
pub fn read(path: &Path, given: &str, sweep: &str) -> Result<DesignFile, SweepError> {
    let origin = path.display().to_string();
    let text = crate::scenario::read_text(path).map_err(|e| match e {
        crate::scenario::ScenarioError::Io { source, .. } => SweepError::Syntax {
            file: sweep.to_string(),
            message: format!("design = \"{given}\": cannot read {origin}: {source}"),
        },
        e => SweepError::Text(Box::new(e)),
    })?;
    let bad = |message: String| SweepError::Syntax { file: origin.clone(), message };
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| bad(format!("line 1: {e}")))?.clone();
    let mut paths: Vec<String> = Vec::with_capacity(header.len());
    for (i, h) in header.iter().enumerate() {
        let h = h.trim();
        if h.is_empty() {
            return Err(bad(format!(
                "line 1: column {} has no key path (each column names a key, e.g. `leaders.secretary.attention_hours_per_day`)",
                i + 1
            )));
        }
        if paths.iter().any(|p| p == h) {
            return Err(bad(format!("line 1: column `{h}` is named twice")));
        }
        paths.push(h.to_string());
    }
    if paths.is_empty() {
        return Err(bad("line 1: expected a header of key paths, found none".into()));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            bad(format!("line {line}: {}", csv_reason(&e, paths.len())))
        })?;
        let line = record.position().map_or(rows.len() as u64 + 2, |p| p.line());
        if rows.len() == MAX_ROWS {
            return Err(bad(format!("more than {MAX_ROWS} points")));
        }
        let values = record
            .iter()
            .zip(&paths)
            .map(|(cell, path)| {
                cell_value(cell)
                    .ok_or_else(|| bad(format!("line {line}, column `{path}`: expected a value, found an empty cell")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(values);
    }
    if rows.is_empty() {
        return Err(bad("no points: expected a row of values under the header".into()));
    }
    Ok(DesignFile { origin, paths, rows, text })
}

/// A cell's value: a whole number, a finite number, `true`/`false`, or else text.
fn cell_value(cell: &str) -> Option<ParamValue> {
    let cell = cell.trim();
    if cell.is_empty() {
        return None;
    }
    if let Ok(i) = cell.parse::<i64>() {
        return Some(ParamValue::Int(i));
    }
    if let Ok(f) = cell.parse::<f64>()
        && f.is_finite()
    {
        return Some(ParamValue::Float(f));
    }
    Some(match cell {
        "true" => ParamValue::Bool(true),
        "false" => ParamValue::Bool(false),
        _ => ParamValue::Str(cell.to_string()),
    })
}

fn csv_reason(e: &csv::Error, columns: usize) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { len, .. } => {
            format!("expected {columns} values (one per column), found {len}")
        }
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_take_the_type_they_read_as() {
        assert_eq!(cell_value("3"), Some(ParamValue::Int(3)));
        assert_eq!(cell_value(" 2.5 "), Some(ParamValue::Float(2.5)));
        assert_eq!(cell_value("1e-3"), Some(ParamValue::Float(0.001)));
        assert_eq!(cell_value("true"), Some(ParamValue::Bool(true)));
        assert_eq!(cell_value("leader"), Some(ParamValue::Str("leader".into())));
        assert_eq!(cell_value("inf"), Some(ParamValue::Str("inf".into())), "not a finite number: text");
        assert_eq!(cell_value(""), None);
    }

    #[test]
    fn a_bad_file_says_where() {
        let d = tempfile::tempdir().unwrap();
        let write = |text: &str| {
            let p = d.path().join("points.csv");
            std::fs::write(&p, text).unwrap();
            read(&p, "points.csv", "s.toml").unwrap_err().to_string()
        };
        assert!(write("a.b,c.d\n1,2\n3\n").contains("line 3: expected 2 values (one per column), found 1"));
        assert!(write("a.b,a.b\n1,2\n").contains("column `a.b` is named twice"));
        assert!(write("a.b,\n1,2\n").contains("column 2 has no key path"));
        assert!(write("a.b\n").contains("no points"));
        assert!(write("a.b,c.d\n1,\n").contains("line 2, column `c.d`: expected a value"));
    }
}
