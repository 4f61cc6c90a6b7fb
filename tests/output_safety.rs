//! Output files are well-formed whatever the ids, and default folders stay under `runs/`.

use std::fs;
use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;

/// A scenario whose ids hold commas and quotes (legal), with leader, village and stress so that
/// every scope of timeseries.csv appears.
fn awkward(name: &str) -> String {
    format!(
        r#"name = {name}
[simulation]
duration_days = 40
warmup_days = 5
replications = 2
[leaders."sec,retary"]
attention_hours_per_day = 2
[departments."a,b"]
staff = 2
stress = {{ build = 0.1, recover = 0.05 }}
[departments.'q"x']
staff = 1
[categories."c,1"]
share = 1
departments = ["a,b", 'q"x']
effort_hours = {{ dist = "fixed", value = 1 }}
[villages."v,1"]
population = 1000
issues_per_1000_per_day = 1
[platforms."p,\"1\""]
dispatch = "leader"
leader = "sec,retary"
review_hours = {{ dist = "fixed", value = 0.1 }}
citizen_channel = true
arrival_rate_per_day = 1
"#
    )
}

fn assert_rectangular(path: &Path) {
    let mut rd = csv::Reader::from_path(path).unwrap();
    let width = rd.headers().unwrap().len();
    let mut rows = 0;
    for r in rd.records() {
        let r = r.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(r.len(), width, "{}: ragged row {r:?}", path.display());
        rows += 1;
    }
    assert!(rows > 0, "{} has rows", path.display());
}

#[test]
fn ids_with_commas_and_quotes_give_well_formed_csv() {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("s.toml"), awkward("\"awkward\"")).unwrap();
    cargo_bin_cmd!("embedsim")
        .current_dir(d.path())
        .args(["run", "s.toml", "--quiet", "--out", "out"])
        .assert()
        .success();
    for f in ["summary.csv", "timeseries.csv", "departments.csv", "queues.csv", "regimes.csv"] {
        let p = d.path().join("out").join(f);
        if f == "regimes.csv" && fs::read_to_string(&p).unwrap().lines().count() == 1 {
            continue; // no regime change in so short a run
        }
        assert_rectangular(&p);
    }
    let mut rd = csv::Reader::from_path(d.path().join("out/timeseries.csv")).unwrap();
    let ids: std::collections::BTreeSet<String> = rd.records().map(|r| r.unwrap()[3].to_string()).collect();
    for id in ["a,b", "q\"x", "p,\"1\"", "sec,retary"] {
        assert!(ids.contains(id), "{id} round-trips: {ids:?}");
    }
}

#[test]
fn a_name_never_takes_the_default_folder_outside_runs() {
    for name in ["\"/tmp/embedsim-escape-abs\"", "\"../../escape\"", "\"..\"", "\"a/../../b\""] {
        let d = tempfile::tempdir().unwrap();
        let work = d.path().join("work");
        fs::create_dir(&work).unwrap();
        fs::write(work.join("s.toml"), awkward(name)).unwrap();
        cargo_bin_cmd!("embedsim").current_dir(&work).args(["run", "s.toml", "--quiet"]).assert().success();
        let runs: Vec<_> = fs::read_dir(work.join("runs")).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(runs.len(), 1, "{name}: one folder under runs/: {runs:?}");
        assert!(runs[0].join("summary.csv").exists(), "{name}");
        let outside: Vec<_> = fs::read_dir(d.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(outside, ["work"], "{name}: nothing written beside work/");
    }
    assert!(!Path::new("/tmp/embedsim-escape-abs").exists());
}

const TWO_PLATFORMS: &str = r#"
[simulation]
duration_days = 20
[departments.office]
staff = 2
[platforms.A]
dispatch = "auto"
arrival_rate_per_day = 1
route = ["office"]
effort_hours = { dist = "exponential", mean = 1 }
[platforms.B]
dispatch = "auto"
arrival_rate_per_day = 1
route = ["office"]
effort_hours = { dist = "exponential", mean = 1 }
"#;

/// Two platforms whose ids make one file name are refused at load, with the file they would
/// share; ids that differ in their files are not.
#[test]
fn platform_ids_that_would_share_a_file_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (a, b, clash) in [("\"p q\"", "p-q", true), ("P", "p", true), ("p", "q", false), ("\"p.q\"", "p_q", false)] {
        let text = TWO_PLATFORMS
            .replace("platforms.A]", &format!("platforms.{a}]"))
            .replace("platforms.B]", &format!("platforms.{b}]"));
        fs::write(dir.path().join("s.toml"), text).unwrap();
        let out = cargo_bin_cmd!("embedsim").arg("check").arg(dir.path().join("s.toml")).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(!out.status.success(), clash, "{a} / {b}: {err}");
        if clash {
            assert!(err.contains("both make regime-map-") && err.contains("rename one"), "{err}");
        }
    }
}

/// A name of 86 Chinese characters (258 bytes; valid, at most 200 characters) runs into its
/// default folder: the folder's name is cut to fit the file system, not refused at the end.
#[test]
fn a_long_chinese_name_makes_a_folder_the_file_system_takes() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("name = \"{}\"\n{TWO_PLATFORMS}", "镇".repeat(86));
    fs::write(dir.path().join("s.toml"), text).unwrap();
    cargo_bin_cmd!("embedsim").current_dir(dir.path()).args(["run", "s.toml", "--quiet"]).assert().success();
    let folder = fs::read_dir(dir.path().join("runs")).unwrap().next().unwrap().unwrap().file_name();
    assert!(folder.len() <= 100, "{folder:?}");
}

/// A sweep named with a control character is refused before any point runs (it once failed at
/// the end, writing the chart); so is a name longer than an id may be.
#[test]
fn a_sweep_name_is_checked_before_the_first_point() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("base.toml"), TWO_PLATFORMS).unwrap();
    for name in ["bad\\u0007name".to_string(), "x".repeat(300_000)] {
        let sweep = format!(
            "name = \"{name}\"\nbase = \"base.toml\"\n[[parameters]]\npath = \"platforms.A.arrival_rate_per_day\"\nvalues = [1, 2]\n"
        );
        fs::write(dir.path().join("sweep.toml"), sweep).unwrap();
        let start = std::time::Instant::now();
        let out = cargo_bin_cmd!("embedsim")
            .current_dir(dir.path())
            .args(["sweep", "sweep.toml", "--out", "o"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("name: expected"), "{}", &err[..err.len().min(300)]);
        assert!(!dir.path().join("o").join("runs.csv").exists(), "no point ran");
        assert!(start.elapsed().as_secs() < 20, "refused at once");
    }
}
