//! One run per folder, nothing lost (issue 9): `run` writes a manifest; a later run replaces
//! exactly the files an earlier one wrote, deletes those it does not write again, and refuses a
//! folder holding anything else. Temporary files of a killed run are cleaned.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;

const SCENARIO: &str = r#"
name = "small"
[simulation]
duration_days = 20
[departments.office]
staff = 2
[platforms.line]
dispatch = "auto"
arrival_rate_per_day = 3
route = ["office"]
effort_hours = { dist = "exponential", mean = 1.0 }
"#;

fn names(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

fn run(dir: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    cargo_bin_cmd!("embedsim").current_dir(dir).args(["run", "s.toml", "--quiet", "--out", "out"]).args(extra).assert()
}

const RUN: [&str; 7] =
    ["departments.csv", "manifest.toml", "queues.csv", "regimes.csv", "report.html", "summary.csv", "timeseries.csv"];

#[test]
fn a_later_run_replaces_exactly_the_earlier_runs_files() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    fs::write(p.join("s.toml"), SCENARIO).unwrap();
    run(p, &["--baseline", "line"]).success();
    let first = names(&p.join("out"));
    assert!(first.contains("baseline.csv") && first.contains("manifest.toml"), "{first:?}");
    let m: toml::Table = toml::from_str(&fs::read_to_string(p.join("out/manifest.toml")).unwrap()).unwrap();
    assert_eq!(m["complete"].as_bool(), Some(true));
    assert_eq!(m["scenario"].as_str(), Some("s.toml"));
    assert_eq!(m["seed"].as_str(), Some("1"));
    assert!(m["command"].as_str().unwrap().contains("--baseline line"), "{m:?}");
    assert_eq!(m["scenario_fnv1a"].as_str().unwrap().len(), 16);
    assert_eq!(m["files"].as_array().unwrap().len(), 7);

    // A stale temp file of a killed run of ours is cleaned; the stale baseline.csv goes.
    fs::write(p.join("out/.timeseries.csv.tmp-999999"), "half").unwrap();
    run(p, &[]).success();
    assert_eq!(names(&p.join("out")), RUN.iter().map(|s| s.to_string()).collect(), "exactly the new run's files");
    let m = fs::read_to_string(p.join("out/manifest.toml")).unwrap();
    assert!(!m.contains("baseline"), "{m}");
}

#[test]
fn a_folder_with_files_we_did_not_write_is_refused_and_left_alone() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    fs::write(p.join("s.toml"), SCENARIO).unwrap();
    run(p, &[]).success();
    fs::write(p.join("out/notes.txt"), "mine").unwrap();
    let before: Vec<(String, Vec<u8>)> =
        names(&p.join("out")).into_iter().map(|n| (n.clone(), fs::read(p.join("out").join(&n)).unwrap())).collect();
    run(p, &["--seed", "9"])
        .failure()
        .stderr(predicates::str::contains("notes.txt").and(predicates::str::contains("did not write")));
    let after: Vec<(String, Vec<u8>)> =
        names(&p.join("out")).into_iter().map(|n| (n.clone(), fs::read(p.join("out").join(&n)).unwrap())).collect();
    assert_eq!(before, after, "nothing changed");

    // A folder of someone else's files, without a manifest, is refused too.
    fs::create_dir(p.join("theirs")).unwrap();
    fs::write(p.join("theirs/summary.csv"), "x").unwrap();
    fs::write(p.join("theirs/thesis.tex"), "x").unwrap();
    cargo_bin_cmd!("embedsim")
        .current_dir(p)
        .args(["run", "s.toml", "--quiet", "--out", "theirs"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("thesis.tex"));
    assert_eq!(fs::read_to_string(p.join("theirs/summary.csv")).unwrap(), "x");
}

use predicates::prelude::*;

#[test]
fn an_output_estimated_above_2_gb_needs_large() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    fs::write(p.join("s.toml"), SCENARIO).unwrap();
    run(p, &["--replications", "1000000"])
        .failure()
        .stderr(predicates::str::contains("GB of timeseries.csv").and(predicates::str::contains("--large")));
    assert!(!p.join("out").exists(), "refused before it starts");
}

/// `--series none` writes almost nothing, but the daily records are held in memory all the same:
/// a run that would hold more than 2 GB of them says so and needs `--large` too.
#[test]
fn daily_records_held_above_2_gb_need_large_whatever_the_series() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    fs::write(p.join("s.toml"), SCENARIO).unwrap();
    run(p, &["--replications", "1000000", "--series", "none"]).failure().stderr(
        predicates::str::contains("GB of daily records in memory")
            .and(predicates::str::contains("whatever --series says"))
            .and(predicates::str::contains("--large")),
    );
    assert!(!p.join("out").exists(), "refused before it starts");
}

/// A run's manifest names the build: version, the git commit it was built from (here, a
/// repository) and the hash of the Cargo.lock it was built with; report.html shows them.
#[test]
fn the_manifest_and_the_report_name_the_build() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    assert_cmd::Command::cargo_bin("embedsim")
        .unwrap()
        .args(["run", "scenarios/classroom-steady.toml", "--replications", "2", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let manifest: toml::Table = toml::from_str(&std::fs::read_to_string(out.join("manifest.toml")).unwrap()).unwrap();
    let lock = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).unwrap();
    let lock_hash = embedsim::output::folder::fnv1a_hex(&lock);
    assert_eq!(manifest["lock_fnv1a"].as_str(), Some(lock_hash.as_str()));
    let commit = manifest["commit"].as_str().unwrap();
    assert!(commit == "unknown" || (commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit())), "{commit}");
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains(&format!("commit {commit}, Cargo.lock {lock_hash}")));
}
