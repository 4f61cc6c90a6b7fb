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
    fs::write(p.join("out/.timeseries.csv.embedsim-tmp-999999"), "half").unwrap();
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

/// Daily records held in memory count too: a run that would hold more than 2 GB of them says so
/// and needs `--large`, and points to `--series none`, which holds a few bytes a day of each
/// platform instead; ten times as many days of that still need `--large`.
#[test]
fn daily_records_held_above_2_gb_need_large_and_series_none_holds_little() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    fs::write(p.join("s.toml"), SCENARIO).unwrap();
    run(p, &["--replications", "400000", "--series", "weekly"]).failure().stderr(
        predicates::str::contains("GB of memory (mostly daily records held")
            .and(predicates::str::contains("--series none keeps only a few bytes a day"))
            .and(predicates::str::contains("--large")),
    );
    assert!(!p.join("out").exists(), "refused before it starts");
    run(p, &["--replications", "1000000", "--series", "none", "--set", "simulation.duration_days=200"])
        .failure()
        .stderr(
            predicates::str::contains("GB of memory (a few bytes a day of each platform")
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

/// A folder another run is writing into is refused and left alone; a lock left by a process
/// that died is taken over; two runs racing into one folder never mix their files.
#[test]
fn two_runs_into_one_folder_never_mix() {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("s.toml"), SCENARIO).unwrap();
    let out = d.path().join("out");
    fs::create_dir_all(&out).unwrap();
    // This test's own process stands for a live run holding the folder.
    fs::write(out.join("run.lock"), std::process::id().to_string()).unwrap();
    run(d.path(), &[]).failure().stderr(predicates::str::contains("in use by another embedsim run"));
    assert_eq!(names(&out), BTreeSet::from(["run.lock".to_string()]), "nothing was changed");
    // A lock whose process is gone is taken over, and released at the end.
    fs::write(out.join("run.lock"), "999999999").unwrap();
    run(d.path(), &[]).success();
    assert!(!out.join("run.lock").exists());
    // A live process's temporary file is not cleaned away (this test stands for the writer).
    let live = out.join(format!(".summary.csv.embedsim-tmp-{}", std::process::id()));
    fs::write(&live, "being written").unwrap();
    run(d.path(), &[]).failure();
    assert!(live.exists(), "a live writer's temporary file is left alone");
    fs::remove_file(&live).unwrap();
    // Races: whichever wins, the folder holds one run's files, and its manifest says whose.
    for trial in 0..4 {
        let spawn = |seed: &str| {
            std::process::Command::new(env!("CARGO_BIN_EXE_embedsim"))
                .current_dir(d.path())
                .args(["run", "s.toml", "--quiet", "--out", "out", "--seed", seed, "--replications", "2"])
                .output()
        };
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| spawn("1").unwrap());
            let b = s.spawn(|| spawn("2").unwrap());
            (a.join().unwrap(), b.join().unwrap())
        });
        for o in [&a, &b] {
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(o.status.success() || err.contains("in use by another embedsim run"), "trial {trial}: {err}");
        }
        assert!(a.status.success() || b.status.success(), "trial {trial}: one of them ran");
        let manifest = fs::read_to_string(out.join("manifest.toml")).unwrap();
        assert!(manifest.contains("complete = true"), "{manifest}");
        let seed = if manifest.contains("seed = \"1\"") { "1" } else { "2" };
        // The summary is the one of the seed the manifest names.
        let alone = tempfile::tempdir().unwrap();
        fs::write(alone.path().join("s.toml"), SCENARIO).unwrap();
        cargo_bin_cmd!("embedsim")
            .current_dir(alone.path())
            .args(["run", "s.toml", "--quiet", "--out", "out", "--seed", seed, "--replications", "2"])
            .assert()
            .success();
        assert_eq!(
            fs::read(out.join("summary.csv")).unwrap(),
            fs::read(alone.path().join("out/summary.csv")).unwrap(),
            "trial {trial}: the summary is seed {seed}'s, as the manifest says"
        );
        assert!(!out.join("run.lock").exists());
    }
}

/// The user's files are never touched (issue 31, item 5): a folder without a manifest holding
/// the user's own report.html or summary.csv is refused; a manifest edited to list notes.txt does
/// not get notes.txt deleted; a file of the user's named like a temporary file (`.thesis.tmp-2024`)
/// is left alone; a new sweep folder holding the user's points.csv is refused.
#[test]
fn files_the_tool_did_not_write_are_never_overwritten_or_deleted() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    fs::write(p.join("s.toml"), SCENARIO).unwrap();
    for own in ["report.html", "summary.csv", ".thesis.tmp-2024"] {
        let out = p.join("out");
        let _ = fs::remove_dir_all(&out);
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join(own), "mine").unwrap();
        let err = String::from_utf8(run(p, &[]).failure().get_output().stderr.clone()).unwrap();
        assert!(err.contains("did not write") && err.contains(own), "{own}: {err}");
        assert_eq!(fs::read_to_string(out.join(own)).unwrap(), "mine", "{own} untouched");
    }
    // A run's folder whose manifest someone edited to list their notes.
    let _ = fs::remove_dir_all(p.join("out"));
    run(p, &[]).success();
    let manifest = p.join("out/manifest.toml");
    let text = fs::read_to_string(&manifest).unwrap().replace("files = [", "files = [\"notes.txt\", ");
    fs::write(&manifest, text).unwrap();
    fs::write(p.join("out/notes.txt"), "my notes").unwrap();
    let err = String::from_utf8(run(p, &[]).failure().get_output().stderr.clone()).unwrap();
    assert!(err.contains("notes.txt"), "{err}");
    assert_eq!(fs::read_to_string(p.join("out/notes.txt")).unwrap(), "my notes");
    // A sweep into a new folder holding the user's points.csv.
    let sweep =
        "base = \"s.toml\"\nreplications = 1\n[[parameters]]\npath = \"departments.office.staff\"\nvalues = [1, 2]\n";
    fs::write(p.join("sweep.toml"), sweep).unwrap();
    fs::create_dir_all(p.join("sw")).unwrap();
    fs::write(p.join("sw/points.csv"), "mine").unwrap();
    let sweep_refuses_points_csv = || {
        let out = cargo_bin_cmd!("embedsim")
            .current_dir(p)
            .args(["sweep", "sweep.toml", "--quiet", "--out", "sw"])
            .output()
            .unwrap();
        assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("points.csv"));
    };
    sweep_refuses_points_csv();
    assert_eq!(fs::read_to_string(p.join("sw/points.csv")).unwrap(), "mine");
    // ... also beside a manifest.toml of the user's (not a sweep's).
    fs::write(p.join("sw/manifest.toml"), "title = \"my notes\"\n").unwrap();
    sweep_refuses_points_csv();
    assert_eq!(fs::read_to_string(p.join("sw/manifest.toml")).unwrap(), "title = \"my notes\"\n");
    // A comparison into a folder holding the user's report.html.
    fs::create_dir_all(p.join("cmp")).unwrap();
    fs::write(p.join("cmp/report.html"), "mine").unwrap();
    let out = cargo_bin_cmd!("embedsim")
        .current_dir(p)
        .args(["compare", "s.toml", "--set-b", "departments.office.staff=3", "--replications", "2", "--out", "cmp"])
        .output()
        .unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("report.html"));
    assert_eq!(fs::read_to_string(p.join("cmp/report.html")).unwrap(), "mine");
}
