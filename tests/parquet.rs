//! `run --format parquet|both`: the summary and the daily series as Parquet, read back with the
//! same `parquet` crate, hold what their CSV files hold.

use std::fs::File;
use std::path::Path;

use assert_cmd::Command;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::RowAccessor;

fn run(out: &Path, scenario: &str, format: &str) {
    Command::cargo_bin("embedsim")
        .unwrap()
        .args(["run", scenario, "--quiet", "--replications", "2", "--format", format, "--out"])
        .arg(out)
        .assert()
        .success();
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records().map(|rec| rec.unwrap().iter().map(String::from).collect()).collect()
}

fn parquet_reader(path: &Path) -> SerializedFileReader<File> {
    SerializedFileReader::new(File::open(path).unwrap()).unwrap()
}

#[test]
fn parquet_holds_what_the_csv_holds() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    run(&out, "scenarios/s-town.toml", "both");
    let manifest = std::fs::read_to_string(out.join("manifest.toml")).unwrap();
    assert!(manifest.contains("timeseries.parquet") && manifest.contains("summary.csv"), "{manifest}");

    let csv = csv_rows(&out.join("timeseries.csv"));
    let pq = parquet_reader(&out.join("timeseries.parquet"));
    assert_eq!(pq.metadata().file_metadata().num_rows() as usize, csv.len(), "one row per CSV row");
    let rows: Vec<_> = pq.get_row_iter(None).unwrap().map(|r| r.unwrap()).collect();
    for i in [0, 1, 17, csv.len() / 2, csv.len() - 1] {
        let (c, p) = (&csv[i], &rows[i]);
        assert_eq!(p.get_int(0).unwrap().to_string(), c[0], "replication, row {i}");
        assert_eq!(p.get_int(1).unwrap().to_string(), c[1], "day, row {i}");
        assert_eq!(p.get_string(2).unwrap(), &c[2]);
        assert_eq!(p.get_string(3).unwrap(), &c[3]);
        assert_eq!(p.get_string(4).unwrap(), &c[4]);
        match p.get_double(5) {
            Ok(x) => assert_eq!(x, c[5].parse::<f64>().unwrap(), "value, row {i}"),
            Err(_) => assert_eq!(c[5], "", "null where the CSV is empty, row {i}"),
        }
    }
    // Every value, not only a sample.
    let same = rows.iter().zip(&csv).all(|(p, c)| match p.get_double(5) {
        Ok(x) => c[5].parse::<f64>() == Ok(x),
        Err(_) => c[5].is_empty(),
    });
    assert!(same, "the values equal the CSV's");

    let csv = csv_rows(&out.join("summary.csv"));
    let pq = parquet_reader(&out.join("summary.parquet"));
    let rows: Vec<_> = pq.get_row_iter(None).unwrap().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), csv.len());
    let header = csv::Reader::from_path(out.join("summary.csv")).unwrap().headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for (p, c) in rows.iter().zip(&csv) {
        assert_eq!(p.get_string(col("platform")).unwrap(), &c[col("platform")]);
        assert_eq!(p.get_string(col("regime")).unwrap(), &c[col("regime")]);
        let mean = col("mean_sojourn_hours");
        assert_eq!(p.get_double(mean).unwrap(), c[mean].parse::<f64>().unwrap());
    }
}

#[test]
fn parquet_alone_replaces_the_csv_pair() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    run(&out, "scenarios/classroom-steady.toml", "csv");
    assert!(out.join("timeseries.csv").exists());
    run(&out, "scenarios/classroom-steady.toml", "parquet");
    assert!(out.join("timeseries.parquet").exists() && out.join("summary.parquet").exists());
    assert!(
        !out.join("timeseries.csv").exists() && !out.join("summary.csv").exists(),
        "the earlier run's CSV pair goes"
    );
    assert!(out.join("departments.csv").exists() && out.join("report.html").exists());
}
