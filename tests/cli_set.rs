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
