//! `run --series`: the daily series a large run keeps.

use assert_cmd::Command;

fn timeseries(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    Command::cargo_bin("embedsim")
        .unwrap()
        .args(["run", "scenarios/classroom-steady.toml", "--quiet", "--replications", "1", "--out"])
        .arg(&out)
        .args(args)
        .assert()
        .success();
    std::fs::read_to_string(out.join("timeseries.csv")).unwrap()
}

#[test]
fn series_choose_what_timeseries_holds() {
    let all = timeseries(&[]);
    assert_eq!(all, timeseries(&["--series", "all"]), "all is the default");
    let platforms = timeseries(&["--series", "platforms"]);
    let weekly = timeseries(&["--series", "weekly"]);
    let none = timeseries(&["--series", "none"]);
    let header = all.lines().next().unwrap();
    assert_eq!(none.trim_end(), header, "none: the header alone");
    let rows =
        |t: &str| t.lines().skip(1).map(|l| l.split(',').map(String::from).collect::<Vec<_>>()).collect::<Vec<_>>();
    assert!(rows(&all).iter().any(|r| r[2] == "department"));
    assert!(rows(&platforms).iter().all(|r| r[2] == "platform"));
    // Every platform row of `all` is in `platforms`, in the same order.
    let from_all: Vec<String> =
        all.lines().skip(1).filter(|l| l.split(',').nth(2) == Some("platform")).map(String::from).collect();
    assert_eq!(from_all, platforms.lines().skip(1).map(String::from).collect::<Vec<_>>());
    let weeks = rows(&weekly);
    assert!(!weeks.is_empty() && weeks.iter().all(|r| r[2] == "platform" && r[1].parse::<u32>().unwrap() % 7 == 6));
    assert!(weekly.len() * 6 < platforms.len());
}
