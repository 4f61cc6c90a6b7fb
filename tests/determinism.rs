//! The determinism principle (docs/MODEL.md, Design concepts): the same scenario and seed give byte-identical output, whatever the
//! thread count. The fixture (tests/fixtures/township.toml) draws from every random stream: leader,
//! operator and auto dispatch, line tasks, joint orders, sign-off, villages, grid patrols.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/township.toml");

/// Runs the fixture with `args` into a fresh folder under `root`; returns every file written.
fn run(root: &Path, tag: &str, args: &[&str]) -> BTreeMap<String, Vec<u8>> {
    run_scenario(FIXTURE, root, tag, args)
}

/// Runs `scenario` with `args` into a fresh folder under `root`; returns every file written.
fn run_scenario(scenario: &str, root: &Path, tag: &str, args: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let out: PathBuf = root.join(tag);
    let status = cargo_bin_cmd!("embedsim")
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .args(args)
        .output()
        .unwrap();
    assert!(status.status.success(), "{tag}: {}", String::from_utf8_lossy(&status.stderr));
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        files.insert(name, std::fs::read(&path).unwrap());
    }
    files
}

/// [`run_scenario`] on `threads` worker threads.
fn run_at_threads(scenario: &str, root: &Path, tag: &str, threads: usize, args: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let threads = threads.to_string();
    run_scenario(scenario, root, tag, &[&["--threads", threads.as_str()], args].concat())
}

fn assert_same(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>, what: &str) {
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "{what}: same files");
    assert!(a.contains_key("manifest.toml"), "{what}: a manifest is written");
    for (name, bytes) in a {
        // The manifest records the command line (with its --threads), so it differs by design.
        if name != "manifest.toml" {
            assert!(bytes == &b[name], "{what}: {name} differs");
        }
    }
}

fn summary_rows(files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    String::from_utf8(files["summary.csv"].clone()).unwrap().lines().map(str::to_string).collect()
}

#[test]
fn identical_across_thread_counts_and_runs() {
    let root = tempfile::tempdir().unwrap();
    let one = run(root.path(), "t1", &["--threads", "1"]);
    let two = run(root.path(), "t2", &["--threads", "2"]);
    let again = run(root.path(), "t2-again", &["--threads", "2"]);
    // Three threads cut the daily series into pieces that do not divide the replications evenly.
    let three = run(root.path(), "t3", &["--threads", "3"]);

    for f in ["summary.csv", "timeseries.csv", "departments.csv", "queues.csv", "regimes.csv"] {
        assert!(one.get(f).is_some_and(|b| !b.is_empty()), "{f} written and not empty");
    }
    assert!(one.keys().all(|k| !k.starts_with('.')), "no temporary files left: {:?}", one.keys());
    assert_same(&one, &two, "--threads 1 vs --threads 2");
    assert_same(&two, &again, "two runs with --threads 2");
    assert_same(&one, &three, "--threads 1 vs --threads 3");

    // 4 replications x 3 platforms, plus the header; every replication is its own.
    let rows = summary_rows(&one);
    assert_eq!(rows.len(), 1 + 4 * 3, "{rows:?}");
    let body = |r: &str| r.split_once(',').unwrap().1.to_string();
    assert_ne!(body(&rows[1]), body(&rows[4]), "replications 0 and 1 should differ");
}

#[test]
fn a_replication_does_not_depend_on_how_many_run() {
    // Replications 0 and 1 of a 2-replication run equal those of the 4-replication run: each
    // replication's streams come from (seed, index), not from a shared generator.
    let root = tempfile::tempdir().unwrap();
    let four = summary_rows(&run(root.path(), "four", &["--threads", "2"]));
    let two = summary_rows(&run(root.path(), "two", &["--threads", "2", "--replications", "2"]));
    assert_eq!(two.len(), 1 + 2 * 3);
    assert_eq!(two[..], four[..two.len()]);
}

#[test]
fn the_seed_matters() {
    let root = tempfile::tempdir().unwrap();
    let a = run(root.path(), "a", &["--threads", "2"]);
    let b = run(root.path(), "b", &["--threads", "2", "--seed", "43"]);
    assert!(a["summary.csv"] != b["summary.csv"], "another seed gives other numbers");
    assert!(a["timeseries.csv"] != b["timeseries.csv"]);
}

/// The overload mechanisms (desk, returns, audit, assessment, stress, overtime, county, repeats,
/// shocks, delegation) and the baseline comparison are just as deterministic.
#[test]
fn overload_scenarios_and_baselines_are_identical_across_thread_counts() {
    let root = tempfile::tempdir().unwrap();
    let scenarios = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/");
    for (file, extra) in [
        ("c-district-hotline.toml", vec!["--replications", "3"]),
        ("classroom-overload.toml", vec!["--replications", "3"]),
        ("s-town.toml", vec!["--replications", "3", "--baseline", "minhu"]),
    ] {
        let path = format!("{scenarios}{file}");
        let mut one = extra.clone();
        one.extend(["--threads", "1"]);
        let mut two = extra.clone();
        two.extend(["--threads", "2"]);
        let a = run_scenario(&path, root.path(), &format!("{file}-1"), &one);
        let b = run_scenario(&path, root.path(), &format!("{file}-2"), &two);
        assert_same(&a, &b, file);
        if extra.contains(&"--baseline") {
            assert!(a.contains_key("baseline.csv"));
        }
    }
}

#[test]
fn beijing_with_every_mechanism_is_identical_across_thread_counts() {
    // The ranking (relative: every street's score moves the others'), the whistle, proactive
    // thinning and a change of leader, over 2 replications.
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/beijing-street.toml");
    let root = tempfile::tempdir().unwrap();
    let changes = [
        "--set",
        "simulation.duration_days=120",
        "--set",
        "simulation.replications=2",
        "--set",
        "ranking.start_day=30",
        "--set",
        "proactive.hours=8",
        "--set",
        "turnover.days=[90]",
    ];
    let one = run_at_threads(scenario, root.path(), "b1", 1, &changes);
    let two = run_at_threads(scenario, root.path(), "b2", 2, &changes);
    assert!(one.get("ranking.csv").is_some_and(|b| b.len() > 1000), "ranking.csv written");
    assert_same(&one, &two, "beijing-street, --threads 1 vs 2");
}

#[test]
fn a_big_world_s_daily_series_is_written_in_pieces_the_same_for_any_thread_count() {
    // 100 streets: about 8 MB of daily series in one replication, more than one piece of text
    // (2 MB) per cut at one thread (5 pieces) and fewer at three (12): the same bytes.
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/scale.toml");
    let root = tempfile::tempdir().unwrap();
    let changes = [
        "--series",
        "all",
        "--set",
        "simulation.duration_days=60",
        "--set",
        "townships.s.copies=100",
        "--set",
        "templates.street.platforms.line.arrival_rate_per_day=30.0",
        "--set",
        "templates.street.departments.office_a.staff=6",
        "--set",
        "templates.street.departments.office_b.staff=6",
    ];
    let one = run_at_threads(scenario, root.path(), "w1", 1, &changes);
    let three = run_at_threads(scenario, root.path(), "w3", 3, &changes);
    assert!(one["timeseries.csv"].len() > 4_000_000, "several pieces' worth: {}", one["timeseries.csv"].len());
    assert_same(&one, &three, "100 streets, --threads 1 vs 3");
    // Every day once, in order, each with the same number of rows: no piece lost or repeated.
    let text = String::from_utf8(one["timeseries.csv"].clone()).unwrap();
    let mut rows_by_day: Vec<(u32, usize)> = Vec::new();
    for line in text.lines().skip(1) {
        let day: u32 = line.split(',').nth(1).unwrap().parse().unwrap();
        match rows_by_day.last_mut() {
            Some((d, n)) if *d == day => *n += 1,
            _ => rows_by_day.push((day, 1)),
        }
    }
    assert_eq!(rows_by_day.iter().map(|r| r.0).collect::<Vec<_>>(), (0..60).collect::<Vec<_>>());
    assert!(rows_by_day.iter().all(|r| r.1 == rows_by_day[0].1), "the same rows every day");
}
