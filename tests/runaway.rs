//! A scenario whose demand far exceeds capacity must stop at the stated limit
//! (`simulation.max_open_orders`, default 200,000) with a clear error, quickly, writing nothing —
//! not grind on for minutes while memory grows.

use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin_cmd;
use embedsim::model::{SimError, run_replication};
use embedsim::scenario::load_str;

/// 10,000 orders a day into one worker who does 8 hours a day: open orders grow ~10,000 a day.
fn flood(extra_simulation: &str) -> String {
    format!(
        "name = \"runaway\"\n[simulation]\nduration_days = 3650\nwarmup_days = 10\n{extra_simulation}\n\
         [departments.desk]\nstaff = 1\n\
         [platforms.flood]\ndispatch = \"auto\"\narrival_rate_per_day = 10000\nroute = [\"desk\"]\n\
         effort_hours = {{ dist = \"exponential\", mean = 1.0 }}\n"
    )
}

/// Runs `embedsim run` on `text`; returns (stderr, elapsed), asserting failure and no output.
fn run_fails(text: &str) -> (String, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runaway.toml");
    std::fs::write(&path, text).unwrap();
    let out_dir = dir.path().join("out");
    let start = Instant::now();
    let out =
        cargo_bin_cmd!("embedsim").arg("run").arg(&path).arg("--out").arg(&out_dir).arg("--quiet").output().unwrap();
    let elapsed = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "exits 1; stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("simulation.max_open_orders"), "names the setting:\n{stderr}");
    assert!(!out_dir.join("summary.csv").exists(), "no results from a failed run");
    (stderr, elapsed)
}

#[test]
fn default_limit_stops_a_runaway_queue_within_seconds() {
    let (stderr, elapsed) = run_fails(&flood(""));
    assert!(stderr.contains("over the limit of 200000"), "{stderr}");
    // About 20 simulated days and 400,000 events: well under a second in release. Allow 10 s
    // for a loaded machine; minutes would mean the limit is not checked as the run goes.
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
}

#[test]
fn explicit_small_limit() {
    let (stderr, elapsed) = run_fails(&flood("max_open_orders = 500"));
    assert!(stderr.contains("500 orders open") || stderr.contains("501 orders open"), "{stderr}");
    assert!(stderr.contains("over the limit of 500 "), "{stderr}");
    assert!(stderr.contains("day 0"), "500 open orders come on the first day:\n{stderr}");
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
}

#[test]
fn the_error_is_a_value_in_the_library() {
    let sc = load_str(&flood("max_open_orders = 1000"), "<runaway>").unwrap();
    match run_replication(&sc, 3) {
        Err(SimError::Unstable { replication, open, limit, day }) => {
            assert_eq!((replication, limit), (3, 1000));
            assert!(open > limit);
            assert!(day <= 1, "day {day}");
        }
        other => panic!("expected Unstable, got {:?}", other.map(|o| o.events)),
    }
}

#[test]
fn a_stable_scenario_under_the_same_limit_runs() {
    // The limit is about open orders, not totals: 4 a day for ten years with capacity to spare
    // (70% load) passes a limit of 500 although some 14,600 orders arrive.
    let text = flood("max_open_orders = 500").replace("arrival_rate_per_day = 10000", "arrival_rate_per_day = 4");
    let sc = load_str(&text, "<stable>").unwrap();
    let out = run_replication(&sc, 0).expect("stable scenario runs to the end");
    assert!(out.platforms[0].tally.arrived > 10_000);
}
