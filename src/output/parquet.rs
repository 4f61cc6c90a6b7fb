//! Parquet output for large runs (`run --format parquet|both`): the long-format daily series
//! (`timeseries.parquet`) and the summary (`summary.parquet`), with the same columns as their
//! CSV files. Strings are UTF-8, counts and measures doubles (null where the CSV is empty),
//! columns dictionary-encoded and Snappy-compressed; pandas, polars, R (arrow) and DuckDB read
//! them directly.
//!
//! Written with the low-level column writer of the `parquet` crate (Apache Arrow's Rust
//! implementation) without its Arrow layer, so that the dependency stays small.

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::Path;
use std::sync::Arc;

use parquet::basic::{Compression, ConvertedType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use super::atomic::{WriteError, write_atomic_file};
use super::csv::{Series, for_each_series_row, summary_header};
use crate::metrics::summary::PlatformSummary;
use crate::model::RunOutput;
use crate::scenario::Scenario;

/// Rows per row group: bounds the memory the columns of one group hold.
const ROW_GROUP: usize = 1 << 20;

fn pq_err(e: ParquetError) -> io::Error {
    io::Error::other(e)
}

/// One column's values, gathered for a row group.
enum Column {
    Int32(Vec<i32>),
    Int64(Vec<i64>),
    /// Values, with a definition level per row (0: null).
    Double(Vec<f64>, Vec<i16>),
    Text(Vec<ByteArray>),
    /// Text that may be missing: values, with a definition level per row (0: null).
    OptionalText(Vec<ByteArray>, Vec<i16>),
}

impl Column {
    fn field(name: &str, column: &Column) -> Type {
        let (physical, repetition, converted) = match column {
            Column::Int32(_) => (Physical::INT32, Repetition::REQUIRED, ConvertedType::NONE),
            Column::Int64(_) => (Physical::INT64, Repetition::REQUIRED, ConvertedType::NONE),
            Column::Double(..) => (Physical::DOUBLE, Repetition::OPTIONAL, ConvertedType::NONE),
            Column::Text(_) => (Physical::BYTE_ARRAY, Repetition::REQUIRED, ConvertedType::UTF8),
            Column::OptionalText(..) => (Physical::BYTE_ARRAY, Repetition::OPTIONAL, ConvertedType::UTF8),
        };
        Type::primitive_type_builder(name, physical)
            .with_repetition(repetition)
            .with_converted_type(converted)
            .build()
            .expect("a valid primitive column")
    }

    fn push_double(&mut self, x: f64) {
        if let Column::Double(values, defined) = self {
            if x.is_finite() {
                values.push(x);
                defined.push(1);
            } else {
                defined.push(0);
            }
        }
    }

    fn push_text(&mut self, s: &str) {
        match self {
            Column::Text(values) => values.push(ByteArray::from(s)),
            Column::OptionalText(_, defined) if s.is_empty() => defined.push(0),
            Column::OptionalText(values, defined) => {
                values.push(ByteArray::from(s));
                defined.push(1);
            }
            _ => {}
        }
    }

    fn clear(&mut self) {
        match self {
            Column::Int32(v) => v.clear(),
            Column::Int64(v) => v.clear(),
            Column::Double(v, d) => {
                v.clear();
                d.clear();
            }
            Column::Text(v) => v.clear(),
            Column::OptionalText(v, d) => {
                v.clear();
                d.clear();
            }
        }
    }
}

/// A Parquet file written a row group at a time from named columns.
struct Table<'w> {
    writer: SerializedFileWriter<&'w mut BufWriter<File>>,
    columns: Vec<Column>,
    rows: usize,
}

impl<'w> Table<'w> {
    fn new(w: &'w mut BufWriter<File>, name: &str, columns: Vec<(String, Column)>) -> io::Result<Table<'w>> {
        let fields = columns.iter().map(|(n, c)| Arc::new(Column::field(n, c))).collect();
        let schema = Type::group_type_builder(name).with_fields(fields).build().map_err(pq_err)?;
        let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
        let writer = SerializedFileWriter::new(w, Arc::new(schema), Arc::new(props)).map_err(pq_err)?;
        Ok(Table { writer, columns: columns.into_iter().map(|(_, c)| c).collect(), rows: 0 })
    }

    /// Counts a row whose values were pushed; writes a row group when enough are gathered.
    fn row_done(&mut self) -> io::Result<()> {
        self.rows += 1;
        if self.rows >= ROW_GROUP { self.flush() } else { Ok(()) }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let mut group = self.writer.next_row_group().map_err(pq_err)?;
        for column in &mut self.columns {
            let mut w = group.next_column().map_err(pq_err)?.expect("a writer per column");
            match column {
                Column::Int32(v) => w.typed::<Int32Type>().write_batch(v, None, None),
                Column::Int64(v) => w.typed::<Int64Type>().write_batch(v, None, None),
                Column::Double(v, d) => w.typed::<DoubleType>().write_batch(v, Some(d), None),
                Column::Text(v) => w.typed::<ByteArrayType>().write_batch(v, None, None),
                Column::OptionalText(v, d) => w.typed::<ByteArrayType>().write_batch(v, Some(d), None),
            }
            .map_err(pq_err)?;
            w.close().map_err(pq_err)?;
            column.clear();
        }
        group.close().map_err(pq_err)?;
        self.rows = 0;
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        self.flush()?;
        self.writer.close().map_err(pq_err)?;
        Ok(())
    }
}

fn text() -> Column {
    Column::Text(Vec::new())
}

fn double() -> Column {
    Column::Double(Vec::new(), Vec::new())
}

/// `timeseries.parquet`: the rows of `timeseries.csv` for the chosen series, in the same order.
pub fn write_timeseries(path: &Path, sc: &Scenario, outs: &[RunOutput], series: Series) -> Result<(), WriteError> {
    let placed = sc.layout.townships.len() > 1;
    write_atomic_file(path, |w| {
        let mut columns = vec![
            ("replication".to_string(), Column::Int32(Vec::new())),
            ("day".to_string(), Column::Int32(Vec::new())),
            ("scope".to_string(), text()),
            ("id".to_string(), text()),
            ("metric".to_string(), text()),
            ("value".to_string(), double()),
        ];
        if placed {
            columns.extend([("township".to_string(), text()), ("district".to_string(), text())]);
        }
        let mut table = Table::new(w, "timeseries", columns)?;
        for out in outs {
            let rep = out.replication as i32;
            for_each_series_row(sc, out, series, 0..out.town.len(), &mut |r| {
                let c = &mut table.columns;
                if let Column::Int32(v) = &mut c[0] {
                    v.push(rep);
                }
                if let Column::Int32(v) = &mut c[1] {
                    v.push(r.day as i32);
                }
                c[2].push_text(r.scope);
                c[3].push_text(r.id);
                c[4].push_text(r.metric);
                c[5].push_double(r.value.number());
                if let Some((t, d)) = r.at.filter(|_| placed) {
                    c[6].push_text(t);
                    c[7].push_text(d);
                }
                table.row_done()
            })?;
        }
        table.finish()
    })
}

/// `summary.parquet`: the columns of `summary.csv`, one row per replication and platform.
pub fn write_summary(path: &Path, sc: &Scenario, summaries: &[(u32, Vec<PlatformSummary>)]) -> Result<(), WriteError> {
    let placed = sc.layout.townships.len() > 1;
    write_atomic_file(path, |w| {
        let header = summary_header();
        let mut columns: Vec<(String, Column)> = header
            .iter()
            .map(|h| {
                let c = match h.as_str() {
                    "replication" => Column::Int32(Vec::new()),
                    "platform" | "regime" => text(),
                    "regime_changes" => Column::Int64(Vec::new()),
                    _ => double(),
                };
                (h.clone(), c)
            })
            .collect();
        if placed {
            columns.extend([("township".to_string(), text()), ("district".to_string(), text())]);
        }
        let mut table = Table::new(w, "summary", columns)?;
        for (rep, rows) in summaries {
            for (p, s) in rows.iter().enumerate() {
                let mut values = s.values.iter();
                for (h, c) in header.iter().zip(table.columns.iter_mut()) {
                    match (h.as_str(), c) {
                        ("replication", Column::Int32(v)) => v.push(*rep as i32),
                        ("platform", c) => c.push_text(&s.platform),
                        ("regime", c) => c.push_text(s.regime.name()),
                        ("regime_since_day", c) => c.push_double(s.regime_since_day),
                        ("regime_changes", Column::Int64(v)) => v.push(s.regime_changes as i64),
                        (_, c) => c.push_double(values.next().copied().unwrap_or(f64::NAN)),
                    }
                }
                if placed {
                    let (t, d) = sc.layout.names(sc.layout.platform.get(p).copied().flatten());
                    let n = table.columns.len();
                    table.columns[n - 2].push_text(t);
                    table.columns[n - 1].push_text(d);
                }
                table.row_done()?;
            }
        }
        table.finish()
    })
}

/// The type of a column of text cells written as Parquet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    /// 64-bit integers.
    Integer,
    /// Doubles; an empty cell null.
    Number,
    /// UTF-8 text; an empty cell null.
    Text,
}

/// Writes a table whose rows come as text cells, streamed: `fill` calls its argument once per
/// row with the row's cells in column order; row groups are written as they fill, so the table
/// never needs to be in memory whole.
pub fn write_cells(
    path: &Path,
    name: &str,
    columns: &[(String, CellKind)],
    fill: &mut dyn FnMut(&mut dyn FnMut(&[&str]) -> io::Result<()>) -> io::Result<()>,
) -> Result<(), WriteError> {
    let columns: Vec<(String, Column)> = columns
        .iter()
        .map(|(h, k)| {
            let c = match k {
                CellKind::Integer => Column::Int64(Vec::new()),
                CellKind::Number => double(),
                CellKind::Text => Column::OptionalText(Vec::new(), Vec::new()),
            };
            (h.clone(), c)
        })
        .collect();
    write_atomic_file(path, |w| {
        let mut table = Table::new(w, name, columns)?;
        fill(&mut |row: &[&str]| {
            for (cell, c) in row.iter().zip(table.columns.iter_mut()) {
                match c {
                    Column::Int64(v) => v.push(cell.parse().unwrap_or_default()),
                    Column::Double(..) => c.push_double(cell.parse().unwrap_or(f64::NAN)),
                    _ => c.push_text(cell),
                }
            }
            table.row_done()
        })?;
        table.finish()
    })
}

/// The kind of a column of cells: an integer `run`, `point`, `replication` or `day`, numbers,
/// or text (`platform`, `regime`, `unstable_limit` always).
pub fn cell_kind<'a>(name: &str, mut cells: impl Iterator<Item = &'a str> + Clone) -> CellKind {
    if matches!(name, "run" | "point" | "replication" | "day") && cells.clone().all(|c| c.parse::<i64>().is_ok()) {
        CellKind::Integer
    } else if matches!(name, "platform" | "regime" | "unstable_limit")
        || !cells.all(|c| c.is_empty() || c.parse::<f64>().is_ok())
    {
        CellKind::Text
    } else {
        CellKind::Number
    }
}

/// A CSV-shaped table (a header and rows of text cells, as a sweep's `runs.csv` and `points.csv`
/// are written) as Parquet with the same columns in the same order, typed by [`cell_kind`]: the
/// types follow from the cells, so a table and its CSV always agree.
pub fn write_text_table(path: &Path, name: &str, header: &[String], rows: &[Vec<String>]) -> Result<(), WriteError> {
    let columns: Vec<(String, CellKind)> = header
        .iter()
        .enumerate()
        .map(|(j, h)| (h.clone(), cell_kind(h, rows.iter().map(move |r| r.get(j).map_or("", String::as_str)))))
        .collect();
    write_cells(path, name, &columns, &mut |push| {
        for row in rows {
            push(&row.iter().map(String::as_str).collect::<Vec<&str>>())?;
        }
        Ok(())
    })
}

/// `table.csv` as `table.parquet` beside it (a sweep's `runs.csv`, `points.csv`, a study's
/// `indices.csv`): the same columns, less `row_fnv1a` (the CSV's guard against hand edits).
/// `platform`, `regime` and `unstable_limit` are always text.
pub fn table_from_csv(csv_path: &Path, parquet_path: &Path, name: &str) -> Result<(), WriteError> {
    let read_err = |source: io::Error| WriteError { path: csv_path.into(), source };
    let mut reader = ::csv::Reader::from_path(csv_path).map_err(|e| read_err(io::Error::other(e)))?;
    let header: Vec<String> =
        reader.headers().map_err(|e| read_err(io::Error::other(e)))?.iter().map(String::from).collect();
    let keep: Vec<usize> = (0..header.len()).filter(|&j| header[j] != "row_fnv1a").collect();
    let mut rows = Vec::new();
    for r in reader.records() {
        let r = r.map_err(|e| read_err(io::Error::other(e)))?;
        rows.push(keep.iter().map(|&j| r.get(j).unwrap_or("").to_string()).collect::<Vec<String>>());
    }
    let header: Vec<String> = keep.iter().map(|&j| header[j].clone()).collect();
    write_text_table(parquet_path, name, &header, &rows)
}

/// Writes `table.parquet` for each of `tables` found in `dir` (see [`table_from_csv`]); with
/// [`Format::Parquet`](super::Format::Parquet), the CSV files but `runs.csv` go (it stays: the
/// sweep's own record, which `merge`, `--resume`, `--report` and `discover` read). Returns the
/// files written.
pub fn tables_in(dir: &Path, tables: &[&str], format: super::Format) -> Result<Vec<std::path::PathBuf>, WriteError> {
    let mut written = Vec::new();
    if format == super::Format::Csv {
        return Ok(written);
    }
    for name in tables {
        let csv_path = dir.join(format!("{name}.csv"));
        if !csv_path.exists() {
            continue;
        }
        let parquet_path = dir.join(format!("{name}.parquet"));
        table_from_csv(&csv_path, &parquet_path, name)?;
        written.push(parquet_path);
        if format == super::Format::Parquet && *name != "runs" {
            std::fs::remove_file(&csv_path).map_err(|source| WriteError { path: csv_path.clone(), source })?;
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    #[test]
    fn a_text_table_reads_back_with_its_types() {
        let dir = tempfile_dir();
        let path = dir.join("t.parquet");
        let header: Vec<String> = ["run", "point", "rate", "regime", "wait"].map(String::from).to_vec();
        let rows: Vec<Vec<String>> = vec![
            ["0", "0", "1.5", "embedded", "2.25"].map(String::from).to_vec(),
            ["1", "0", "1.5", "floating", ""].map(String::from).to_vec(),
        ];
        write_text_table(&path, "runs", &header, &rows).unwrap();
        let reader = SerializedFileReader::new(File::open(&path).unwrap()).unwrap();
        let text: Vec<String> = reader.get_row_iter(None).unwrap().map(|r| r.unwrap().to_string()).collect();
        assert_eq!(
            text,
            [
                "{run: 0, point: 0, rate: 1.5, regime: \"embedded\", wait: 2.25}",
                "{run: 1, point: 0, rate: 1.5, regime: \"floating\", wait: null}"
            ]
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("embedsim-parquet-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
