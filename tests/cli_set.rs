//! `--set` / `--unset` on the command line, `compare --set-b`, and the message for keys the
//! decision model replaced.

use assert_cmd::Command;

fn embedsim() -> Command {
    Command::cargo_bin("embedsim").unwrap()
}

fn stderr(args: &[&str]) -> String {
    let out = embedsim().args(args).output().unwrap();
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn set_changes_what_check_describes() {
    let out = embedsim()
        .args(["check", "scenarios/s-town.toml", "--set", "platforms.minhu.arrival_rate_per_day=9.5"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap().contains("platform minhu: 9.5 orders/day"));
}

#[test]
fn unset_switches_a_mechanism_off() {
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str], sub: &str| {
        let out = dir.path().join(sub);
        let mut args = vec!["run", "scenarios/classroom-steady.toml", "--quiet", "--replications", "1", "--out"];
        args.push(out.to_str().unwrap());
        args.extend_from_slice(extra);
        embedsim().args(&args).assert().success();
        std::fs::read_to_string(out.join("summary.csv")).unwrap()
    };
    let with = run(&[], "with");
    let without = run(&["--unset", "platforms.voice.audit"], "without");
    let redo = |csv: &str| -> f64 {
        let mut lines = csv.lines();
        let head: Vec<&str> = lines.next().unwrap().split(',').collect();
        let row: Vec<&str> = lines.next().unwrap().split(',').collect();
        row[head.iter().position(|h| *h == "redone").unwrap()].parse().unwrap()
    };
    assert!(redo(&with) > 0.0);
    assert_eq!(redo(&without), 0.0);
}

#[test]
fn messages_name_the_key_and_the_flag() {
    insta::assert_snapshot!(
        "removed_key_from_set",
        stderr(&["check", "scenarios/s-town.toml", "--set", "platforms.comprehensive.operator.accept_prob=0.2"])
    );
    insta::assert_snapshot!(
        "unknown_key_from_set",
        stderr(&["check", "scenarios/classroom-steady.toml", "--set", "platforms.voice.bogus=1"])
    );
    insta::assert_snapshot!(
        "unquoted_string",
        stderr(&["check", "scenarios/s-town.toml", "--set", "platforms.minhu.label=petition"])
    );
    insta::assert_snapshot!(
        "unset_missing",
        stderr(&["check", "scenarios/s-town.toml", "--unset", "platforms.minhu.nothing"])
    );
}

#[test]
fn compare_a_scenario_with_its_own_variant() {
    let dir = tempfile::tempdir().unwrap();
    let out = embedsim()
        .args([
            "compare",
            "scenarios/classroom-steady.toml",
            "--set-b",
            "platforms.voice.arrival_rate_per_day=6.0",
            "--replications",
            "3",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("classroom-steady-variant"), "{text}");
    let csv = std::fs::read_to_string(dir.path().join("compare.csv")).unwrap();
    let row = csv.lines().find(|l| l.starts_with("voice,closed_per_month,")).expect("a closed_per_month row");
    let diff: f64 = row.split(',').nth(5).unwrap().parse().unwrap();
    assert!(diff > 50.0, "twice the demand closes more: {row}");
    // Without B and without --set-b there is nothing to compare.
    let msg = stderr(&["compare", "scenarios/classroom-steady.toml"]);
    assert!(msg.contains("--set-b"), "{msg}");
}

/// A misspelt name in a `--set` path would create a new department and change nothing the user
/// meant (a null effect a researcher could publish): it is refused, with the nearest name, on
/// every command that takes `--set`; a new department is added only with its whole table.
#[test]
fn a_misspelt_entity_in_a_set_path_is_refused_with_the_nearest_name() {
    let hint = "the scenario has no departments `enforcment` (did you mean `departments.enforcement.staff`?)";
    for args in [
        &["check", "scenarios/s-town.toml", "--set", "departments.enforcment.staff=3"][..],
        &["run", "scenarios/s-town.toml", "--replications", "2", "--set", "departments.enforcment.staff=3"][..],
        &["compare", "scenarios/s-town.toml", "--replications", "2", "--set-b", "departments.enforcment.staff=24"][..],
        &["compare", "scenarios/s-town.toml", "--replications", "2", "--set", "departments.enforcment.staff=24"][..],
    ] {
        let err = stderr(args);
        assert!(err.contains(hint), "{args:?}: {err}");
    }
    // Far from every name: no suggestion, still refused.
    let err = stderr(&["check", "scenarios/s-town.toml", "--set", "departments.zzzzzzzzzz.staff=3"]);
    assert!(err.contains("no departments `zzzzzzzzzz`") && !err.contains("did you mean"), "{err}");
    // A new department with its whole table is what the user means.
    let out = embedsim()
        .args(["check", "scenarios/s-town.toml", "--set", "departments.archive={ staff = 3 }"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8(out.stdout).unwrap().contains("11 departments"));
}

/// `compare` of two sides that are the same model says so: its zeros are not a finding.
#[test]
fn compare_of_identical_sides_warns() {
    let dir = tempfile::tempdir().unwrap();
    let warned = |extra: &[&str], sub: &str| {
        let out_dir = dir.path().join(sub);
        let mut args = vec!["compare", "scenarios/classroom-steady.toml", "--quiet", "--replications", "2", "--out"];
        args.push(out_dir.to_str().unwrap());
        args.extend_from_slice(extra);
        let out = embedsim().args(&args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stderr).unwrap().contains("A and B are the same scenario")
    };
    // Setting a key to the value it already has changes nothing.
    assert!(warned(&["--set-b", "departments.stability.staff=6"], "same"));
    assert!(!warned(&["--set-b", "departments.stability.staff=7"], "differs"));
}
