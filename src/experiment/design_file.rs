//! A sweep's points read from a file (`design = "points.csv"` or `"points.parquet"` in the sweep
//! file): one column per key path, one row per point, so that any sampler (SALib, EMA Workbench,
//! a spreadsheet, a pandas data frame) makes the design and embedsim runs it, sharded and resumed
//! like any other sweep.

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
    /// Where each row is, as messages name it: `line 7` of a CSV file, `row 6` of a Parquet one.
    pub places: Vec<String>,
    /// Its text, for the sweep's fingerprint.
    pub text: String,
}

/// Reads the design file at `path` (named `given` in the sweep file `sweep`): Parquet when its
/// name ends in `.parquet`, CSV otherwise.
pub fn read(path: &Path, given: &str, sweep: &str) -> Result<DesignFile, SweepError> {
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet")) {
        return read_parquet(path, given, sweep);
    }
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
    // The csv reader skips blank lines without counting them: lines are counted from the byte.
    let line_of = |p: Option<&csv::Position>, or: usize| p.map_or(or, |p| line_at(&text, p.byte()));
    let header_line = line_of(header.position(), 1);
    let mut paths: Vec<String> = Vec::with_capacity(header.len());
    for (i, h) in header.iter().enumerate() {
        let h = h.trim();
        if h.is_empty() {
            return Err(bad(format!(
                "line {header_line}: column {} has no key path (each column names a key, e.g. `leaders.secretary.attention_hours_per_day`; from pandas, write with index=False)",
                i + 1
            )));
        }
        if paths.iter().any(|p| p == h) {
            return Err(bad(format!("line {header_line}: column `{h}` is named twice")));
        }
        paths.push(h.to_string());
    }
    if paths.is_empty() {
        return Err(bad(format!("line {header_line}: expected a header of key paths, found none")));
    }
    let mut rows = Vec::new();
    let mut places = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = line_of(e.position(), 0);
            bad(format!("line {line}: {}", csv_reason(&e, paths.len())))
        })?;
        let line = line_of(record.position(), rows.len() + 2);
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
        places.push(format!("line {line}"));
    }
    if rows.is_empty() {
        return Err(bad("no points: expected a row of values under the header".into()));
    }
    Ok(DesignFile { origin, paths, rows, places, text })
}

/// A Parquet design: one top-level column per key path (integers, floats, booleans or text).
fn read_parquet(path: &Path, given: &str, sweep: &str) -> Result<DesignFile, SweepError> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let origin = path.display().to_string();
    let bad = |message: String| SweepError::Syntax { file: origin.clone(), message };
    let bytes = std::fs::read(path).map_err(|source| SweepError::Syntax {
        file: sweep.to_string(),
        message: format!("design = \"{given}\": cannot read {origin}: {source}"),
    })?;
    // Its fingerprint: the bytes, as hex would double them; the length and an FNV-1a of them.
    let text = format!("parquet {} bytes, fnv1a {}", bytes.len(), crate::output::folder::fnv1a_hex(&bytes));
    // A damaged file must give an error, not take the program down: the reader is not trusted
    // never to panic on arbitrary bytes.
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || -> Result<(Vec<String>, Vec<Vec<ParamValue>>), String> {
            let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
            let reader = SerializedFileReader::new(file).map_err(|e| format!("not a readable Parquet file ({e})"))?;
            let schema = reader.metadata().file_metadata().schema_descr();
            let root = schema.root_schema();
            let mut paths = Vec::new();
            for field in root.get_fields() {
                if !field.is_primitive() {
                    return Err(format!("column `{}` is nested; expected one plain column per key path", field.name()));
                }
                if paths.iter().any(|p: &String| p == field.name().trim()) {
                    return Err(format!("column `{}` is named twice", field.name().trim()));
                }
                paths.push(field.name().trim().to_string());
            }
            if paths.is_empty() {
                return Err("no columns: expected one column per key path".into());
            }
            let mut rows = Vec::new();
            for (i, row) in
                reader.get_row_iter(None).map_err(|e| format!("not a readable Parquet file ({e})"))?.enumerate()
            {
                let row = row.map_err(|e| format!("row {}: {e}", i + 1))?;
                if rows.len() == MAX_ROWS {
                    return Err(format!("more than {MAX_ROWS} points"));
                }
                let mut values = Vec::with_capacity(paths.len());
                for (name, field) in row.get_column_iter() {
                    let at = || format!("row {}, column `{name}`", i + 1);
                    values.push(match field.clone() {
                        Field::Bool(b) => ParamValue::Bool(b),
                        Field::Byte(x) => ParamValue::Int(x as i64),
                        Field::Short(x) => ParamValue::Int(x as i64),
                        Field::Int(x) => ParamValue::Int(x as i64),
                        Field::Long(x) => ParamValue::Int(x),
                        Field::UByte(x) => ParamValue::Int(x as i64),
                        Field::UShort(x) => ParamValue::Int(x as i64),
                        Field::UInt(x) => ParamValue::Int(x as i64),
                        Field::ULong(x) => {
                            ParamValue::Int(i64::try_from(x).map_err(|_| format!("{}: {x} is too large", at()))?)
                        }
                        Field::Float(x) if x.is_finite() => ParamValue::Float(x as f64),
                        Field::Double(x) if x.is_finite() => ParamValue::Float(x),
                        Field::Str(x) if !x.trim().is_empty() => ParamValue::Str(x.trim().to_string()),
                        Field::Null | Field::Str(_) => return Err(format!("{}: expected a value, found none", at())),
                        Field::Float(x) => return Err(format!("{}: expected a finite number, found {x}", at())),
                        Field::Double(x) => return Err(format!("{}: expected a finite number, found {x}", at())),
                        other => {
                            return Err(format!(
                                "{}: expected an integer, a float, a boolean or text, found {other}",
                                at()
                            ));
                        }
                    });
                }
                rows.push(values);
            }
            Ok((paths, rows))
        },
    ));
    let (paths, rows) = match read {
        Ok(Ok(read)) => read,
        Ok(Err(message)) => return Err(bad(message)),
        Err(_) => return Err(bad("not a readable Parquet file".into())),
    };
    if rows.is_empty() {
        return Err(bad("no points: expected a row of values".into()));
    }
    let places = (1..=rows.len()).map(|i| format!("row {i}")).collect();
    Ok(DesignFile { origin, paths, rows, places, text })
}

/// The line (from 1) of the record the csv reader places at byte `at` of `text`: its place is
/// where it began reading, before the blank lines it skipped.
fn line_at(text: &str, at: u64) -> usize {
    let bytes = text.as_bytes();
    let mut at = (at as usize).min(bytes.len());
    while at < bytes.len() && matches!(bytes[at], b'\n' | b'\r') {
        at += 1;
    }
    bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1
}

/// A cell's value: a whole number, a finite number, `true`/`false` (any case), or else text.
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
    // pandas writes True/False, spreadsheets TRUE/FALSE.
    Some(match cell {
        _ if cell.eq_ignore_ascii_case("true") => ParamValue::Bool(true),
        _ if cell.eq_ignore_ascii_case("false") => ParamValue::Bool(false),
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
        assert_eq!(cell_value("False"), Some(ParamValue::Bool(false)), "as pandas writes it");
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
        assert!(write("\n\na.b,a.b\n1,2\n").contains("line 3: column `a.b` is named twice"), "blank lines counted");
        assert!(write("a.b\n1\n\n\n2,3\n").contains("line 5: expected 1 values"), "blank lines counted");
        assert!(write("a.b\n").contains("no points"));
        assert!(write("a.b,c.d\n1,\n").contains("line 2, column `c.d`: expected a value"));
    }
}
