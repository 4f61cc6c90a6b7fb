//! The shipped sensitivity studies (scenarios/sensitivity/*.toml): each one loads and runs, at a
//! tiny size, and writes indices for every output it names; and every parameter's range is
//! stated with its justification, in a comment beside it. The full studies and their results are
//! in docs/studies/.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;

fn studies() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sensitivity");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no study in {}", dir.display());
    files
}

/// Every `[[parameters]]` block of every shipped study carries a comment that states and
/// justifies its range: a `#` line directly above its `path =` line (the last line of a comment
/// block, which may start right under `[[parameters]]`) or a comment on that line. The comment
/// says where the range comes from: [paper], [public], [calibrated] or [assumption].
#[test]
fn every_parameter_of_every_study_has_a_justification_comment() {
    let tags = ["[paper", "[public", "[calibrated", "[assumption"];
    let mut missing = Vec::new();
    for file in studies() {
        let text = fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let mut blocks = 0;
        for (i, line) in lines.iter().enumerate() {
            if line.trim() != "[[parameters]]" {
                continue;
            }
            blocks += 1;
            // The block's `path =` line: the first one before the next table header.
            let Some(j) = (i + 1..lines.len())
                .take_while(|&j| !lines[j].trim_start().starts_with('['))
                .find(|&j| lines[j].trim_start().starts_with("path"))
            else {
                missing.push(format!("{name}:{}: [[parameters]] without a path", i + 1));
                continue;
            };
            // The comment: on the path line, or the block of `#` lines directly above it.
            let mut comment: Vec<&str> = Vec::new();
            if let Some((_, c)) = lines[j].split_once('#') {
                comment.push(c);
            }
            let mut k = j;
            while k > 0 && lines[k - 1].trim_start().starts_with('#') {
                comment.push(lines[k - 1]);
                k -= 1;
            }
            let comment = comment.join(" ");
            let path = lines[j].split('"').nth(1).unwrap_or("?");
            if comment.trim().is_empty() {
                missing.push(format!("{name}:{}: `{path}` has no comment directly above or on its path line", j + 1));
            } else if !tags.iter().any(|t| comment.contains(t)) {
                missing.push(format!(
                    "{name}:{}: `{path}`'s comment does not say where its range comes from ({})",
                    j + 1,
                    tags.map(|t| format!("{t}]")).join(", ")
                ));
            }
        }
        assert!(blocks > 0, "{name}: no [[parameters]]");
    }
    assert!(missing.is_empty(), "parameters without a justified range:\n{}", missing.join("\n"));
}

/// The study `file` at a tiny size, written into `dir`: 2 trajectories (Morris) or 2 rows
/// (Sobol), 2 replications, 20 bootstrap resamples, a 30-day run with 10 days of warm-up, and the
/// base scenario by its absolute path. Everything else — parameters, ranges, outputs, fixed
/// changes — as shipped. (About 20 s for all of them on 2 busy cores.)
fn tiny(file: &Path, dir: &Path) -> (PathBuf, toml::Table) {
    let text = fs::read_to_string(file).unwrap();
    let mut t: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let base = file.parent().unwrap().join(t["base"].as_str().unwrap());
    assert!(base.exists(), "{}: base {} not found", file.display(), base.display());
    t.insert("base".into(), toml::Value::String(base.to_string_lossy().into_owned()));
    t.insert("samples".into(), toml::Value::Integer(2));
    t.insert("replications".into(), toml::Value::Integer(2));
    t.insert("bootstrap".into(), toml::Value::Integer(20));
    let set = t.entry("set").or_insert_with(|| toml::Value::Table(toml::Table::new())).as_table_mut().unwrap();
    set.insert("simulation.duration_days".into(), toml::Value::Integer(30));
    set.insert("simulation.warmup_days".into(), toml::Value::Integer(10));
    let out = dir.join(file.file_name().unwrap());
    fs::write(&out, toml::to_string(&t).unwrap()).unwrap();
    (out, t)
}

/// Every shipped study runs at a tiny size and writes, in indices.csv, the method's indices for
/// every parameter and the replication-noise rows for every output it names.
#[test]
fn every_study_runs_at_a_tiny_size_and_writes_indices_for_every_output() {
    let d = tempfile::tempdir().unwrap();
    for file in studies() {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let (tiny_file, t) = tiny(&file, d.path());
        let out_dir = d.path().join(format!("{name}-out"));
        let out = cargo_bin_cmd!("embedsim")
            .args(["sensitivity", &tiny_file.to_string_lossy(), "--out", &out_dir.to_string_lossy()])
            .args(["--threads", "2", "--quiet"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let csv = fs::read_to_string(out_dir.join("indices.csv")).unwrap();
        let measures: &[&str] = match t["method"].as_str().unwrap() {
            "morris" => &["mu_star", "mu", "sigma"],
            "sobol" => &["first_order", "total"],
            m => panic!("{name}: method {m}"),
        };
        let parameters: Vec<&str> =
            t["parameters"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
        let outputs = t["outputs"].as_array().unwrap();
        assert!(!outputs.is_empty(), "{name}: no outputs");
        for o in outputs {
            let o = o.as_str().unwrap();
            let rows: Vec<Vec<&str>> =
                csv.lines().map(|l| l.split(',').collect::<Vec<_>>()).filter(|f| f[0] == o).collect();
            for p in &parameters {
                for m in measures {
                    assert!(
                        rows.iter().any(|f| f[1] == *p && f[2] == *m),
                        "{name}: indices.csv has no {m} of `{p}` for output `{o}`"
                    );
                }
            }
            for m in ["variance_of_point_means", "replication_noise_share"] {
                assert!(rows.iter().any(|f| f[1].is_empty() && f[2] == m), "{name}: no {m} row for `{o}`");
            }
        }
    }
}
