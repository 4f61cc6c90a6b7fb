//! The bundled scenarios run by name from any folder (the binary carries them): `embedsim
//! scenarios` lists them, `embedsim run s-town` and the `scenarios/<id>.toml` paths the page and
//! `trace` print work outside the repository, and an unknown name says what there is.

use assert_cmd::Command;

fn embedsim_in(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("embedsim").unwrap();
    c.current_dir(dir);
    c
}

#[test]
fn scenarios_run_by_name_from_any_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = embedsim_in(dir.path()).arg("scenarios").output().unwrap();
    assert!(out.status.success());
    let list = String::from_utf8(out.stdout).unwrap();
    for (id, _, _) in embedsim::scenario::bundled::BUNDLED {
        assert!(list.lines().any(|l| l.starts_with(id)), "{id} listed: {list}");
    }
    for given in ["s-town", "scenarios/s-town.toml"] {
        let run = embedsim_in(dir.path())
            .args(["run", given, "--replications", "2", "--quiet", "--series", "none", "--out", "out"])
            .output()
            .unwrap();
        assert!(run.status.success(), "{given}: {}", String::from_utf8_lossy(&run.stderr));
        let summary = std::fs::read_to_string(dir.path().join("out/summary.csv")).unwrap();
        assert!(summary.contains("minhu"));
        std::fs::remove_dir_all(dir.path().join("out")).unwrap();
    }
    let trace = embedsim_in(dir.path()).args(["trace", "classroom-overload", "--order", "5"]).output().unwrap();
    assert!(trace.status.success());
    let bad = embedsim_in(dir.path()).args(["check", "s-tow"]).output().unwrap();
    assert!(!bad.status.success());
    let err = String::from_utf8(bad.stderr).unwrap();
    assert!(err.contains("no bundled scenario of that name") && err.contains("s-town"), "{err}");
}

#[test]
fn no_arguments_print_a_quick_start() {
    let out = Command::cargo_bin("embedsim").unwrap().output().unwrap();
    let text = String::from_utf8(out.stderr).unwrap() + &String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Quick start:") && text.contains("embedsim run s-town"), "{text}");
}

/// `trace` picks an order by platform and day from the command line, as the page does, and a
/// misspelt platform is named with the nearest one.
#[test]
fn trace_picks_an_order_by_platform_and_day() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| embedsim_in(dir.path()).args(args).output().unwrap();
    let by_day = run(&["trace", "classroom-tipping", "--platform", "voice", "--day", "150"]);
    assert!(by_day.status.success(), "{}", String::from_utf8_lossy(&by_day.stderr));
    let story = String::from_utf8(by_day.stdout).unwrap();
    let first = story.lines().nth(2).unwrap_or_default();
    assert!(first.starts_with("day 150") && first.contains("arrives on voice"), "{story}");
    // The same order by its number tells the same story.
    let n: String = story.split("order #").nth(1).unwrap().chars().take_while(char::is_ascii_digit).collect();
    let by_number = run(&["trace", "classroom-tipping", "--order", &n]);
    assert_eq!(String::from_utf8(by_number.stdout).unwrap(), story);
    let bad = run(&["trace", "classroom-tipping", "--platform", "voic", "--day", "150"]);
    assert!(!bad.status.success());
    let err = String::from_utf8(bad.stderr).unwrap();
    assert!(err.contains("did you mean `voice`"), "{err}");
}
