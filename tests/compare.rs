//! `embedsim compare`: paired runs on common random numbers.

use std::fs;
use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

/// An M/M/c-like desk at ρ = 0.8 with one worker; the variant has two.
fn scenario(staff: u32) -> String {
    format!(
        "name = \"desk{staff}\"\n[simulation]\nduration_days = 120\nwarmup_days = 10\nseed = 3\nreplications = 6\n\
         [calendar]\nhours_per_day = 24\ndays_per_week = 7\n[departments.desk]\nstaff = {staff}\n\
         [platforms.line]\ndispatch = \"auto\"\narrival_rate_per_day = 19.2\nroute = [\"desk\"]\n\
         effort_hours = {{ dist = \"exponential\", mean = 1.0 }}\n"
    )
}

/// compare.csv rows as maps from column to value, for platform `line`.
fn rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    lines.map(|l| header.iter().cloned().zip(l.split(',').map(String::from)).collect()).collect()
}

#[test]
fn a_scenario_compared_with_itself_differs_by_exactly_zero() {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("a.toml"), scenario(1)).unwrap();
    fs::write(d.path().join("b.toml"), scenario(1)).unwrap();
    cargo_bin_cmd!("embedsim")
        .current_dir(d.path())
        .args(["compare", "a.toml", "b.toml", "--replications", "4", "--out", "o", "--quiet"])
        .assert()
        .success();
    let rows = rows(&d.path().join("o/compare.csv"));
    assert!(!rows.is_empty());
    for r in &rows {
        assert_eq!(r["platform"], "line");
        if r["pairs"] != "0" {
            assert_eq!(r["difference"], "0", "{r:?}");
            assert_eq!(r["ci95"], "0", "{r:?}");
            assert_eq!(r["significant"], "false");
        }
    }
}

#[test]
fn more_staff_cuts_waits_with_an_interval_excluding_zero() {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("a.toml"), scenario(1)).unwrap();
    fs::write(d.path().join("b.toml"), scenario(2)).unwrap();
    let out = cargo_bin_cmd!("embedsim")
        .current_dir(d.path())
        .args(["compare", "a.toml", "b.toml", "--seed", "9", "--threads", "2", "--out", "o"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("line's orders wait") && stdout.contains("hours less on average under B"), "{stdout}");
    let rows = rows(&d.path().join("o/compare.csv"));
    let wait = rows.iter().find(|r| r["metric"] == "mean_wait_hours").unwrap();
    let hi: f64 = wait["ci_high"].parse().unwrap();
    let diff: f64 = wait["difference"].parse().unwrap();
    assert!(diff < 0.0 && hi < 0.0, "{wait:?}");
    assert_eq!(wait["pairs"], "6");
    assert_eq!(wait["significant"], "true");
}

/// Both sides' daily records are held until the comparison is written: more than 2 GB of them
/// needs `--large`, and the refusal comes before any run (no folder). The same comparison with
/// few replications runs (the first test).
#[test]
fn a_comparison_holding_over_2_gb_of_daily_records_needs_large() {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("a.toml"), scenario(1)).unwrap();
    fs::write(d.path().join("b.toml"), scenario(2)).unwrap();
    cargo_bin_cmd!("embedsim")
        .current_dir(d.path())
        .args(["compare", "a.toml", "b.toml", "--replications", "1000000", "--out", "o", "--quiet"])
        .assert()
        .failure()
        .stderr(
            predicates::str::contains("GB of memory (mostly daily records held")
                .and(predicates::str::contains("--large")),
        );
    assert!(!d.path().join("o").exists(), "refused before it starts");
}

/// A comparison leads with the regime a platform ends in when it changes (a platform that tips
/// into overload has not improved, whatever it closes), gives long waits in days, and a
/// scenario compared with itself counts no test (no p of 1 in the multiplicity family).
#[test]
fn the_summary_leads_with_regime_changes_and_waits_read_in_days() {
    let d = tempfile::tempdir().unwrap();
    let pulse = "platforms.voice.shocks=[{ from_day = 120, to_day = 160, multiplier = 5.0 }]";
    let out = cargo_bin_cmd!("embedsim")
        .current_dir(d.path())
        .args(["compare", "classroom-tipping", "--set-b", pulse, "--out", "o"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    let shift = lines.iter().position(|l| l.starts_with("under B voice ends 超载 overloaded"));
    let figure = lines.iter().position(|l| l.starts_with("voice") && l.ends_with("under B."));
    assert!(shift.is_some() && figure.is_some() && shift < figure, "the regime change comes first:\n{stdout}");
    assert!(stdout.contains("days longer on average under B"), "{stdout}");
    // With itself: no p-value, no test.
    fs::write(d.path().join("a.toml"), scenario(1)).unwrap();
    cargo_bin_cmd!("embedsim")
        .current_dir(d.path())
        .args(["compare", "a.toml", "a.toml", "--replications", "4", "--out", "same", "--quiet"])
        .assert()
        .success();
    for r in rows(&d.path().join("same/compare.csv")) {
        assert!(r["p_value"] == "" || r["p_value"] == "NaN", "no test where nothing varies: {r:?}");
    }
}
