//! Regression tests for issue 9's sweep, merge, command-line and file-reading reproducers: each
//! is a clear error (exit 1, no panic) that names the file, the key and the range.

#[path = "common/limited.rs"]
mod limited;

use std::fs;
use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;

const BASE: &str = r#"
name = "small"
[simulation]
duration_days = 20
seed = 1
[departments.office]
staff = 2
[platforms.line]
dispatch = "auto"
arrival_rate_per_day = 3
route = ["office"]
effort_hours = { dist = "exponential", mean = 1.0 }
"#;

const SWEEP: &str = r#"
base = "base.toml"
replications = 2
[[parameters]]
path = "departments.office.staff"
values = [1, 2]
"#;

fn dir_with(sweep: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("base.toml"), BASE).unwrap();
    fs::write(d.path().join("sweep.toml"), sweep).unwrap();
    d
}

/// Runs embedsim in `dir`; asserts exit 1 without a panic; returns stderr.
fn fails(dir: &Path, args: &[&str]) -> String {
    let out = cargo_bin_cmd!("embedsim").current_dir(dir).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert!(matches!(out.status.code(), Some(1 | 2)), "{args:?}: exit 1 (ours) or 2 (arguments): {stderr}");
    assert!(!out.status.success(), "{args:?} must fail");
    stderr
}

#[test]
fn a_range_whose_count_overflows_is_an_error_naming_the_key() {
    let sweep = "base = \"base.toml\"\n[[parameters]]\npath = \"platforms.line.arrival_rate_per_day\"\n\
                 range = { from = 0.0, to = 6.0, step = 1e-300 }\n";
    let d = dir_with(sweep);
    let e = fails(d.path(), &["sweep", "sweep.toml", "--quiet", "--out", "o"]);
    assert!(e.contains("platforms.line.arrival_rate_per_day") && e.contains("at most 100000"), "{e}");
    let sweep = "base = \"base.toml\"\n[[parameters]]\npath = \"departments.office.staff\"\n\
                 range = { from = -9223372036854775807, to = 9223372036854775807, step = 1 }\n";
    let d = dir_with(sweep);
    let e = fails(d.path(), &["sweep", "sweep.toml", "--quiet", "--out", "o"]);
    assert!(e.contains("departments.office.staff") && e.contains("at most 100000"), "{e}");
}

#[test]
fn replications_and_threads_have_upper_bounds() {
    let d = dir_with(&SWEEP.replace("replications = 2", "replications = 4294967295"));
    let e = fails(d.path(), &["sweep", "sweep.toml", "--quiet", "--out", "o"]);
    assert!(e.contains("replications") && e.contains("1 to 1000000"), "{e}");
    let d = dir_with(SWEEP);
    let e = fails(d.path(), &["sweep", "sweep.toml", "--quiet", "--out", "o", "--threads", "100000"]);
    assert!(e.contains("--threads") && e.contains("1 to 1024"), "{e}");
    let e = fails(d.path(), &["run", "base.toml", "--quiet", "--threads", "0"]);
    assert!(e.contains("1 to 1024"), "{e}");
    let e = fails(d.path(), &["run", "base.toml", "--quiet", "--replications", "4294967295"]);
    assert!(e.contains("1 to 1000000"), "{e}");
}

#[test]
fn merge_refuses_hand_edited_manifests() {
    let d = dir_with(SWEEP);
    let p = d.path();
    cargo_bin_cmd!("embedsim").current_dir(p).args(["sweep", "sweep.toml", "--quiet", "--out", "s"]).assert().success();
    let manifest = fs::read_to_string(p.join("s/manifest.toml")).unwrap();
    let edits: [(&str, String); 4] = [
        ("runs", manifest.replace("runs = 4", "runs = 3000000000")),
        ("replications", manifest.replace("replications = 2", "replications = 3")),
        ("replications", manifest.replace("replications = 2", "replications = 0")),
        ("runs", manifest.replace("[\"1\"],", "")),
    ];
    for (key, text) in edits {
        assert_ne!(text, manifest, "the edit applies");
        fs::write(p.join("s/manifest.toml"), &text).unwrap();
        let e = fails(p, &["merge", "s", "--out", "m", "--quiet"]);
        assert!(e.contains("manifest.toml") && e.contains(key) && e.contains("by hand"), "{key}: {e}");
        assert!(!p.join("m/runs.csv").exists());
    }
}

#[test]
fn errors_locate_encoding_nesting_and_a_missing_base() {
    let d = dir_with(SWEEP);
    let p = d.path();
    fs::write(p.join("bad8.toml"), b"name = \"x\"\n[simulation]\nduration_days = \"\xff\"\n").unwrap();
    let e = fails(p, &["check", "bad8.toml"]);
    assert!(e.contains("bad8.toml: line 3") && e.contains("byte offset 41") && e.contains("UTF-8"), "{e}");
    let utf16: Vec<u8> =
        [0xff, 0xfe].into_iter().chain("name = \"x\"".encode_utf16().flat_map(u16::to_le_bytes)).collect();
    fs::write(p.join("bad16.toml"), utf16).unwrap();
    let e = fails(p, &["check", "bad16.toml"]);
    assert!(e.contains("UTF-16"), "{e}");
    let deep = format!("name = \"x\"\n[simulation]\nduration_days = 10\n{} = 1\n", vec!["a"; 3000].join("."));
    fs::write(p.join("deep.toml"), deep).unwrap();
    let e = fails(p, &["check", "deep.toml"]);
    assert!(e.contains("recursion") && e.contains("line 4"), "{e}");
    fs::write(p.join("nobase.toml"), "# a sweep\n\nbase = \"missing.toml\"\n").unwrap();
    let e = fails(p, &["sweep", "nobase.toml", "--quiet", "--out", "o"]);
    assert!(e.contains("nobase.toml: line 3: base = \"missing.toml\": cannot read"), "{e}");
}

/// Point 1 (arrival rate 5000 a day into 2 staff) is unstable; point 0 is fine.
const UNSTABLE: &str = r#"
base = "base.toml"
replications = 2
[set]
"simulation.max_open_orders" = 300
[[parameters]]
path = "platforms.line.arrival_rate_per_day"
values = [3, 5000]
"#;

#[test]
fn an_unstable_point_is_recorded_as_overloaded_and_the_sweep_goes_on() {
    let d = dir_with(UNSTABLE);
    let p = d.path();
    cargo_bin_cmd!("embedsim").current_dir(p).args(["sweep", "sweep.toml", "--quiet", "--out", "u"]).assert().success();
    let mut rd = csv::Reader::from_path(p.join("u/runs.csv")).unwrap();
    let h = rd.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 4);
    for r in &rows[..2] {
        assert_eq!(&r[col("unstable_limit")], "", "point 0 is stable");
    }
    for r in &rows[2..] {
        assert_eq!(&r[col("regime")], "overloaded");
        assert_eq!(&r[col("unstable_limit")], "max_open_orders");
        assert!(r[col("unstable_count")].parse::<u64>().unwrap() > 300);
        assert!(r[col("unstable_day")].parse::<u32>().unwrap() <= 1);
    }
    let mut pts = csv::Reader::from_path(p.join("u/points.csv")).unwrap();
    let modal = pts.headers().unwrap().iter().position(|x| x == "modal_regime").unwrap();
    let point1 = pts.records().nth(1).unwrap().unwrap();
    assert_eq!(&point1[modal], "overloaded", "modal regime of point 1");
    // Resuming a finished folder reads the unstable records back.
    cargo_bin_cmd!("embedsim")
        .current_dir(p)
        .args(["sweep", "sweep.toml", "--quiet", "--out", "u", "--resume"])
        .assert()
        .success();
    // With --series, an unstable run has no series rows, and the sweep still ends whole.
    cargo_bin_cmd!("embedsim")
        .current_dir(p)
        .args(["sweep", "sweep.toml", "--quiet", "--out", "us", "--series", "weekly"])
        .assert()
        .success();
    assert!(p.join("us/series.parquet").exists() && !p.join("us/series.partial.csv").exists());
}

#[test]
fn a_locked_or_foreign_folder_is_refused_and_an_edited_number_is_detected() {
    let d = dir_with(SWEEP);
    let p = d.path();
    fs::create_dir(p.join("o")).unwrap();
    // A lock held by a live process (this test's).
    fs::write(p.join("o/sweep.lock"), std::process::id().to_string()).unwrap();
    let e = fails(p, &["sweep", "sweep.toml", "--quiet", "--out", "o"]);
    assert!(e.contains("sweep.lock") && e.contains("another sweep"), "{e}");
    // A lock left by a process that is gone is taken over.
    fs::write(p.join("o/sweep.lock"), "999999999").unwrap();
    cargo_bin_cmd!("embedsim").current_dir(p).args(["sweep", "sweep.toml", "--quiet", "--out", "o"]).assert().success();
    assert!(!p.join("o/sweep.lock").exists(), "the lock is released");

    fs::write(p.join("o/notes.txt"), "mine").unwrap();
    let e = fails(p, &["sweep", "sweep.toml", "--quiet", "--out", "o", "--resume"]);
    assert!(e.contains("notes.txt") && e.contains("did not write"), "{e}");
    fs::remove_file(p.join("o/notes.txt")).unwrap();

    // Edit one number in the middle of runs.csv: merge notices.
    let runs = fs::read_to_string(p.join("o/runs.csv")).unwrap();
    let mut lines: Vec<String> = runs.lines().map(String::from).collect();
    let fields: Vec<&str> = lines[2].split(',').collect();
    let arrived = fields[5].to_string();
    lines[2] = lines[2].replacen(&format!(",{arrived},"), &format!(",{}9,", arrived), 1);
    assert_ne!(lines.join("\n") + "\n", runs);
    fs::write(p.join("o/runs.csv"), lines.join("\n") + "\n").unwrap();
    let e = fails(p, &["merge", "o", "--out", "m", "--quiet"]);
    assert!(e.contains("record 2") && e.contains("checksum"), "{e}");
}

/// A sweep of a million points runs in bounded memory rather than being forbidden (issue 31,
/// item 4): points hold their values only and each point's scenario is made when it runs, so a
/// shard of a million-point Latin hypercube, and of a 100 x 100 x 100 grid, runs under a 4 GiB
/// address-space limit within a minute (they once aborted at 4 GiB in 10 and 24 seconds).
#[test]
fn a_million_points_run_in_bounded_memory() {
    let d = tempfile::tempdir().unwrap();
    let base = "[simulation]\nduration_days = 5\n[departments.office]\nstaff = 2\n[platforms.p]\ndispatch = \"auto\"\n\
                arrival_rate_per_day = 1\nroute = [\"office\"]\neffort_hours = { dist = \"exponential\", mean = 1 }\n";
    std::fs::write(d.path().join("base.toml"), base).unwrap();
    let lhs = "base = \"base.toml\"\nreplications = 1\nlhs_points = 1000000\n[[parameters]]\n\
               path = \"platforms.p.arrival_rate_per_day\"\nsample = { min = 0.5, max = 2 }\n";
    let grid = "base = \"base.toml\"\nreplications = 1\n\
                [[parameters]]\npath = \"platforms.p.arrival_rate_per_day\"\nrange = { from = 0.01, to = 1.0, step = 0.01 }\n\
                [[parameters]]\npath = \"departments.office.staff\"\nrange = { from = 1, to = 100, step = 1 }\n\
                [[parameters]]\npath = \"platforms.p.effort_hours.mean\"\nrange = { from = 0.01, to = 1.0, step = 0.01 }\n";
    for (name, sweep) in [("lhs", lhs), ("grid", grid)] {
        std::fs::write(d.path().join(format!("{name}.toml")), sweep).unwrap();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_embedsim"));
        cmd.current_dir(d.path()).args([
            "sweep",
            &format!("{name}.toml"),
            "--quiet",
            "--shard",
            "1/200000",
            "--out",
            name,
        ]);
        let run = limited::run_limited(cmd, limited::FOUR_GIB, std::time::Duration::from_secs(120));
        assert_eq!(run.code, Some(0), "{name}: {}", run.stderr);
        assert!(run.peak_bytes < 1 << 30, "{name}: peak {} MB", run.peak_bytes >> 20);
        assert!(d.path().join(name).join("shard.csv").exists());
    }
}
