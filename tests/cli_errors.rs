//! `embedsim check` on malformed scenarios: one test per class of mistake. Each must exit
//! non-zero without a panic, and say which file, which key (path), which value and which line.
//! The full stderr is kept as an insta snapshot (temporary path replaced by `[TMP]`), so any
//! change in wording shows up in review.

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;

/// A valid scenario; each test breaks one thing in it. Lines matter: the tests check them.
const BASE: &str = r#"name = "t"

[simulation]
duration_days = 100
warmup_days = 10

[leaders.secretary]
attention_hours_per_day = 6

[departments.desk]
staff = 2

[platforms.line]
dispatch = "leader"
leader = "secretary"
review_hours = { dist = "exponential", mean = 0.25 }
arrival_rate_per_day = 5
route = ["desk"]
effort_hours = { dist = "exponential", mean = 1.0 }
"#;

/// `BASE` with `from` replaced by `to` (which must occur exactly once).
fn broken(from: &str, to: &str) -> String {
    assert_eq!(BASE.matches(from).count(), 1, "`{from}` must occur once in BASE");
    BASE.replace(from, to)
}

struct Outcome {
    /// stderr with the temporary folder replaced by `[TMP]`.
    stderr: String,
    /// The scenario's path as it appears in messages.
    shown: String,
}

/// Writes `text` to a temporary `scenario.toml`, runs `embedsim check` on it, and asserts the
/// common contract: failure exit, no panic, the file named.
fn check_fails(text: &str) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, text).unwrap();
    check_path_fails(&path, dir.path())
}

fn check_path_fails(path: &Path, tmp: &Path) -> Outcome {
    let out = cargo_bin_cmd!("embedsim").arg("check").arg(path).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "check should fail; stderr:\n{stderr}");
    assert_eq!(out.status.code(), Some(1), "a scenario error exits with 1, not a crash code");
    assert!(!stderr.contains("panicked"), "panic:\n{stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout: {}", String::from_utf8_lossy(&out.stdout));
    let shown = path.display().to_string();
    assert!(stderr.contains(&shown), "the message names the file {shown}:\n{stderr}");
    let stderr = stderr.replace(&tmp.display().to_string(), "[TMP]");
    Outcome { stderr, shown: "[TMP]/scenario.toml".into() }
}

/// Asserts that the message holds the key path, the value (if any) and the line (if any).
fn assert_names(o: &Outcome, key: &str, value: Option<&str>, line: Option<usize>) {
    let e = &o.stderr;
    assert!(e.starts_with(&format!("error: {}", o.shown)), "starts with the file:\n{e}");
    assert!(e.contains(key), "names the key `{key}`:\n{e}");
    if let Some(v) = value {
        assert!(e.contains(v), "names the value `{v}`:\n{e}");
    }
    if let Some(l) = line {
        assert!(e.contains(&format!("line {l}:")), "names line {l}:\n{e}");
    }
}

#[test]
fn unknown_key() {
    let o = check_fails(&broken("staff = 2\n", "staff = 2\nstafff = 3\n"));
    assert_names(&o, "departments.desk.stafff", Some("`stafff`"), Some(12));
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn unknown_department_in_route() {
    let o = check_fails(&broken(r#"route = ["desk"]"#, r#"route = ["desk", "roads"]"#));
    assert_names(&o, "platforms.line.route", Some("\"roads\""), Some(18));
    assert!(o.stderr.contains("known departments: desk"), "lists what is known:\n{}", o.stderr);
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn unknown_leader() {
    let o = check_fails(&broken(r#"leader = "secretary""#, r#"leader = "mayor""#));
    assert_names(&o, "platforms.line.leader", Some("\"mayor\""), Some(15));
    assert!(o.stderr.contains("known leaders: secretary"), "{}", o.stderr);
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn negative_rate() {
    let o = check_fails(&broken("arrival_rate_per_day = 5", "arrival_rate_per_day = -5"));
    assert_names(&o, "platforms.line.arrival_rate_per_day", Some("-5"), Some(17));
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn nan_rate() {
    let o = check_fails(&broken("arrival_rate_per_day = 5", "arrival_rate_per_day = nan"));
    assert_names(&o, "platforms.line.arrival_rate_per_day", Some("NaN"), Some(17));
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn negative_staff() {
    let o = check_fails(&broken("staff = 2", "staff = -3"));
    assert_names(&o, "departments.desk.staff", Some("-3"), Some(11));
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn lognormal_without_cv() {
    let o = check_fails(&broken(
        r#"effort_hours = { dist = "exponential", mean = 1.0 }"#,
        r#"effort_hours = { dist = "lognormal", mean = 1.0 }"#,
    ));
    // `cv` is absent from the file: the line is that of the deepest key that exists, `effort_hours`.
    assert_names(&o, "platforms.line.effort_hours.cv", Some("`lognormal` needs `cv`"), Some(19));
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn toml_syntax_error() {
    let o = check_fails(&broken("staff = 2", "staff = = 2"));
    // A file that does not parse has no key paths to offer; the line and the parser's complaint.
    assert!(o.stderr.contains("line 11:"), "{}", o.stderr);
    assert!(o.stderr.contains('='), "{}", o.stderr);
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn missing_staff() {
    let o = check_fails(&broken("staff = 2\n", ""));
    assert_names(&o, "departments.desk", Some("missing field `staff`"), Some(10));
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn missing_duration() {
    let o = check_fails(&broken("duration_days = 100\n", ""));
    assert_names(&o, "simulation", Some("missing field `duration_days`"), Some(3));
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn wrong_type() {
    let o = check_fails(&broken("arrival_rate_per_day = 5", r#"arrival_rate_per_day = "five""#));
    assert_names(&o, "platforms.line.arrival_rate_per_day", Some("\"five\""), Some(17));
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let o = check_path_fails(&dir.path().join("no-such.toml"), dir.path());
    assert!(
        o.stderr.contains("[TMP]/no-such.toml: no such file, and no bundled scenario of that name"),
        "{}",
        o.stderr
    );
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = broken("staff = 2", "staff = -3").replace("arrival_rate_per_day = 5", "arrival_rate_per_day = -5");
    let o = check_fails(&text);
    assert!(o.stderr.contains("2 problems"), "{}", o.stderr);
    assert_names(&o, "departments.desk.staff", Some("-3"), Some(11));
    assert_names(&o, "platforms.line.arrival_rate_per_day", Some("-5"), Some(17));
}

#[test]
fn check_describes_a_valid_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, BASE).unwrap();
    let out = cargo_bin_cmd!("embedsim").arg("check").arg(&path).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("scenario t"), "{stdout}");
    assert!(stdout.contains("platform line: 5 orders/day"), "{stdout}");
    assert!(stdout.contains("dispatch leader secretary"), "{stdout}");
    assert!(stdout.contains("is valid"), "{stdout}");
}

#[test]
fn attrition_out_of_range() {
    let o = check_fails(&broken(
        "staff = 2\n",
        "staff = 2\nstress = { build = 0.1, recover = 0.05, attrition = { per_day = 1.5, replace_days = 0 } }\n",
    ));
    assert_names(&o, "departments.desk.stress.attrition.per_day", Some("1.5"), Some(12));
    assert!(o.stderr.contains("departments.desk.stress.attrition.replace_days"), "both problems:\n{}", o.stderr);
    assert!(o.stderr.contains("from 1 to 3650"), "states the range:\n{}", o.stderr);
}

/// A value of the wrong type is told in the user's words with the key's range, the same range
/// the validator states for a value out of it, in a file and on the command line.
#[test]
fn type_errors_carry_the_range() {
    let o = check_fails(&broken("staff = 2\n", "staff = \"twelve\"\n"));
    assert_names(&o, "departments.desk.staff", Some("\"twelve\""), Some(11));
    assert!(o.stderr.contains("expected a whole number from 1 to 100000, found the text \"twelve\""), "{}", o.stderr);
    let o = check_fails(&broken("staff = 2\n", "staff = 12.5\n"));
    assert!(
        o.stderr.contains("expected a whole number from 1 to 100000, found 12.5 (not a whole number)"),
        "{}",
        o.stderr
    );
    // The range is the validator's own: the message for -3 says the same.
    let o = check_fails(&broken("staff = 2\n", "staff = -3\n"));
    assert!(o.stderr.contains("expected a whole number from 1 to 100000"), "{}", o.stderr);
    let out = cargo_bin_cmd!("embedsim")
        .args(["check", "s-town", "--set", "decisions.sanction.leader=\"big\""])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("decisions.sanction.leader: expected a number from 0 to 20, found the text \"big\""), "{err}");
    assert!(!err.contains("f64") && !err.contains("invalid type"), "{err}");
}

/// Ids that would look like another id or read as a spreadsheet formula are refused: direction
/// marks and zero-width characters, and a leading =, +, - or @.
#[test]
fn ids_that_hide_characters_or_start_a_formula_are_refused() {
    for (id, says) in [
        ("de\u{200f}sk", "invisible"),
        ("de\u{200b}sk", "invisible"),
        ("\u{feff}desk", "invisible"),
        ("=desk", "does not begin with ="),
        ("@desk", "does not begin with ="),
    ] {
        let text = BASE.replace("[departments.desk]", &format!("[departments.\"{id}\"]"));
        let o = check_fails(&text);
        assert!(o.stderr.contains(says), "{id:?}: {}", o.stderr);
    }
}
