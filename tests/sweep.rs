//! `embedsim sweep` and `embedsim merge`: sharded, resumed and multi-threaded sweeps write the
//! same bytes as one uninterrupted run; confidence intervals cover theory; bad parameter paths
//! are named.

use std::fs;
use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;

#[path = "common/design.rs"]
mod design;
use embedsim::experiment::shard::{RunOptions, run_sweep};
use embedsim::experiment::sweep::Sweep;
use embedsim::experiment::validation::pk_wait;

/// A small leader-dispatched platform and an auto one sharing a department: quick to run, and
/// it has a leader, an integer key (staff) and an optional key (other_claims_hours_per_day).
const BASE: &str = r#"
name = "small"
[simulation]
duration_days = 90
warmup_days = 10
seed = 1
replications = 3
[calendar]
hours_per_day = 8
days_per_week = 5
[leaders.secretary]
attention_hours_per_day = 1.0
[departments.office]
staff = 2
[platforms.minhu]
dispatch = "leader"
leader = "secretary"
review_hours = { dist = "exponential", mean = 0.1 }
arrival_rate_per_day = 5
route = ["office"]
effort_hours = { dist = "exponential", mean = 1.5 }
[platforms.line]
dispatch = "auto"
arrival_rate_per_day = 3
route = ["office"]
effort_hours = { dist = "exponential", mean = 1.0 }
"#;

const SWEEP: &str = r#"
base = "base.toml"
seed = 11
replications = 3
[[parameters]]
path = "leaders.secretary.attention_hours_per_day"
range = { from = 0.0, to = 1.0, step = 0.5 }
[[parameters]]
path = "platforms.minhu.arrival_rate_per_day"
values = [2, 6]
"#;

const FINAL_FILES: [&str; 7] = [
    "runs.csv",
    "points.csv",
    "manifest.toml",
    "regime-map-minhu.svg",
    "regime-map-line.svg",
    "regime-map-minhu.png",
    "regime-map-line.png",
];

/// The regimes' colours (Okabe–Ito, as on the page).
const REGIME_COLOURS: [[u8; 3]; 7] = [
    [0x00, 0x9E, 0x73],
    [0x00, 0x72, 0xB2],
    [0xE6, 0x9F, 0x00],
    [0xF0, 0xE4, 0x42],
    [0xD5, 0x5E, 0x00],
    [0x56, 0xB4, 0xE9],
    [0xBB, 0xBB, 0xBB],
];

/// Decodes a PNG chart; checks it is twice its SVG's size and holds one of `colours` (RGB
/// triples) and dark text.
fn assert_png_chart(png: &Path, colours: &[[u8; 3]]) {
    let bytes = fs::read(png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
    let img = resvg::tiny_skia::Pixmap::decode_png(&bytes).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
    let svg = fs::read_to_string(png.with_extension("svg")).unwrap();
    let width: u32 = svg.split("width=\"").nth(1).and_then(|w| w.split('"').next()).unwrap().parse().unwrap();
    assert_eq!(img.width(), 2 * width, "{}", png.display());
    let px: Vec<[u8; 3]> = img.pixels().iter().map(|p| [p.red(), p.green(), p.blue()]).collect();
    assert!(colours.iter().any(|c| px.contains(c)), "{} has none of {colours:?}", png.display());
    let dark = px.iter().filter(|p| p.iter().all(|&c| c < 60)).count();
    assert!(dark > 2_000, "{}: {dark} dark pixels: no text?", png.display());
}

fn setup(sweep: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("base.toml"), BASE).unwrap();
    fs::write(dir.path().join("sweep.toml"), sweep).unwrap();
    dir
}

fn sweep_cmd(dir: &Path, out: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    cargo_bin_cmd!("embedsim")
        .current_dir(dir)
        .args(["sweep", "sweep.toml", "--quiet", "--out", out])
        .args(extra)
        .assert()
}

/// `embedsim ARGS` run in `dir`.
fn embedsim_in(dir: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    cargo_bin_cmd!("embedsim").current_dir(dir).args(args).assert()
}

fn assert_same(a: &Path, b: &Path) {
    for f in FINAL_FILES {
        let x = fs::read(a.join(f)).unwrap_or_else(|e| panic!("{}: {e}", a.join(f).display()));
        let y = fs::read(b.join(f)).unwrap_or_else(|e| panic!("{}: {e}", b.join(f).display()));
        assert!(x == y, "{f} differs between {} and {}", a.display(), b.display());
    }
}

#[test]
fn shards_merged_equal_the_whole_sweep() {
    let d = setup(SWEEP);
    let p = d.path();
    sweep_cmd(p, "whole", &[]).success();
    for k in 1..=3 {
        sweep_cmd(p, &format!("shard{k}"), &["--shard", &format!("{k}/3")]).success();
        assert!(p.join(format!("shard{k}/shard.csv")).exists());
        assert!(!p.join(format!("shard{k}/runs.partial.csv")).exists(), "journal removed when a shard is done");
    }
    // A missing shard is an error naming the gap, not a silently short result.
    embedsim_in(p, &["merge", "shard1", "shard3", "--out", "merged"])
        .failure()
        .stderr(predicates::str::contains("runs missing"));
    assert!(!p.join("merged").exists(), "a failed merge leaves no folder behind");
    embedsim_in(p, &["merge", "shard3", "shard1", "shard2", "--out", "merged"]).success();
    assert_same(&p.join("whole"), &p.join("merged"));

    let runs = fs::read_to_string(p.join("whole/runs.csv")).unwrap();
    // 6 points x 3 replications x 2 platforms, plus the header; parameters before metrics.
    assert_eq!(runs.lines().count(), 1 + 6 * 3 * 2);
    assert!(runs.starts_with(
        "run,point,replication,leaders.secretary.attention_hours_per_day,platforms.minhu.arrival_rate_per_day,platform,"
    ));
    let points = fs::read_to_string(p.join("whole/points.csv")).unwrap();
    assert_eq!(points.lines().count(), 1 + 6 * 2);
    assert!(points.lines().nth(1).unwrap().starts_with("0,0,2,line,3,"), "{points}");
    let svg = fs::read_to_string(p.join("whole/regime-map-minhu.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>") && svg.contains("<text"));
    // A PNG beside each SVG, with the regimes' colours and the words.
    assert_png_chart(&p.join("whole/regime-map-minhu.png"), &REGIME_COLOURS);
}

/// Runs `sweep.toml` into `out` through the library, starting at most `k` runs and then stopping
/// as if interrupted (the test-only `stop_after` hook); returns the error's message.
fn stop_after(
    p: &Path,
    out: &str,
    k: usize,
    shard: Option<embedsim::experiment::shard::Shard>,
    resume: bool,
) -> String {
    let sw = Sweep::load(&p.join("sweep.toml")).unwrap();
    let opts = RunOptions { shard, resume, stop_after: Some(k), ..RunOptions::default() };
    match run_sweep(&sw, &p.join(out), &opts, &|| {}) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("stopping after {k} runs must be an error"),
    }
}

/// Interruption is simulated with the library's `stop_after` hook (start at most k runs, then
/// stop with an error, leaving the journal), plus a torn half-record appended to the journal as
/// if the process had died mid-write. No environment variable can do this to a user's sweep.
#[test]
fn resume_equals_uninterrupted() {
    let d = setup(SWEEP);
    let p = d.path();
    sweep_cmd(p, "whole", &["--threads", "2"]).success();
    let err = stop_after(p, "cut", 7, None, false);
    assert!(err.contains("--resume"), "{err}");
    let journal = p.join("cut/runs.partial.csv");
    let text = fs::read_to_string(&journal).unwrap();
    assert_eq!(text.lines().count(), 2 + 7 * 2, "header lines plus 7 runs of 2 platforms");
    assert!(!p.join("cut/runs.csv").exists());
    // A stray complete row (its run now has three rows: dropped and rerun) and a torn line.
    let lines: Vec<&str> = text.lines().collect();
    fs::write(&journal, format!("{text}{}\n{}", lines[2], &lines[3][..lines[3].len() / 2])).unwrap();
    // Without --resume the unfinished sweep is protected.
    sweep_cmd(p, "cut", &[]).failure().stderr(predicates::str::contains("--resume"));
    sweep_cmd(p, "cut", &["--resume", "--threads", "1"]).success();
    assert_same(&p.join("whole"), &p.join("cut"));
    assert!(!journal.exists());
    // Resuming a finished folder (a requeued job) runs nothing and rewrites the same bytes.
    let sw = Sweep::load(&p.join("sweep.toml")).unwrap();
    let opts = RunOptions { resume: true, stop_after: Some(0), ..RunOptions::default() };
    run_sweep(&sw, &p.join("cut"), &opts, &|| {}).unwrap();
    assert_same(&p.join("whole"), &p.join("cut"));

    // A shard resumes the same way.
    stop_after(p, "s1", 2, Some("1/2".parse().unwrap()), false);
    sweep_cmd(p, "s1", &["--shard", "1/2", "--resume"]).success();
    sweep_cmd(p, "s2", &["--shard", "2/2"]).success();
    embedsim_in(p, &["merge", "s1", "s2", "--out", "m"]).success();
    assert_same(&p.join("whole"), &p.join("m"));
}

#[test]
fn one_thread_equals_two() {
    let d = setup(SWEEP);
    let p = d.path();
    sweep_cmd(p, "t1", &["--threads", "1"]).success();
    sweep_cmd(p, "t2", &["--threads", "2"]).success();
    assert_same(&p.join("t1"), &p.join("t2"));
}

#[test]
fn one_parameter_gives_metric_charts_and_samples_are_reproducible() {
    let one = r#"
base = "base.toml"
replications = 2
[set]
"simulation.duration_days" = 60
[[parameters]]
path = "departments.office.staff"
values = [1, 2]
"#;
    let d = setup(one);
    let p = d.path();
    sweep_cmd(p, "one", &[]).success();
    let svg = fs::read_to_string(p.join("one/metric-mean_wait_hours.svg")).unwrap();
    assert!(svg.contains("<polygon") || svg.contains("<path"), "a CI band is drawn");
    assert_png_chart(&p.join("one/metric-mean_wait_hours.png"), &[[0x00, 0x72, 0xB2]]);

    let lhs = r#"
base = "base.toml"
replications = 1
lhs_points = 6
[[parameters]]
path = "leaders.secretary.attention_hours_per_day"
sample = { min = 0.5, max = 2.0 }
[[parameters]]
path = "departments.office.staff"
sample = { min = 1, max = 3 }
"#;
    fs::write(p.join("sweep.toml"), lhs).unwrap();
    sweep_cmd(p, "l1", &[]).success();
    sweep_cmd(p, "l2", &["--threads", "1"]).success();
    assert_eq!(fs::read(p.join("l1/points.csv")).unwrap(), fs::read(p.join("l2/points.csv")).unwrap());
    let points = fs::read_to_string(p.join("l1/points.csv")).unwrap();
    let staff: Vec<&str> = points.lines().skip(1).map(|l| l.split(',').nth(2).unwrap()).collect();
    assert!(staff.iter().all(|s| ["1", "2", "3"].contains(s)), "integer key gets rounded samples: {staff:?}");
}

fn sweep_error(param: &str) -> String {
    let d = setup(&format!("base = \"base.toml\"\nreplications = 2\n[[parameters]]\n{param}\n"));
    let out = cargo_bin_cmd!("embedsim")
        .current_dir(d.path())
        .args(["sweep", "sweep.toml", "--quiet", "--out", "o"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "{param} should fail");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn bad_parameters_are_named() {
    let e = sweep_error("path = \"leaders.nobody.attention_hours_per_day\"\nvalues = [1.0]");
    assert!(
        e.contains("unknown parameter path `leaders.nobody.attention_hours_per_day`")
            && e.contains("no table `leaders.nobody` in base scenario"),
        "{e}"
    );
    let e = sweep_error("path = \"platforms.minhu.arival_rate\"\nvalues = [1.0]");
    assert!(e.contains("unknown parameter path `platforms.minhu.arival_rate`") && e.contains("arival_rate"), "{e}");
    let e = sweep_error("path = \"platforms.minhu.arrival_rate_per_day\"\nvalues = [\"lots\"]");
    assert!(
        e.contains("platforms.minhu.arrival_rate_per_day") && e.contains("expected a number") && e.contains("string"),
        "{e}"
    );
    let e = sweep_error("path = \"departments.office.staff\"\nvalues = [1.5]");
    assert!(
        e.contains("departments.office.staff") && e.contains("expected a whole number from 1 to 100000, found 1.5"),
        "{e}"
    );
    let e = sweep_error("path = \"leaders.secretary.attention_hours_per_day\"\nvalues = [9.0]");
    assert!(e.contains("leaders.secretary.attention_hours_per_day") && e.contains("at most"), "{e}");
    let e =
        sweep_error("path = \"platforms.minhu.arrival_rate_per_day\"\nrange = { from = 1.0, to = 0.0, step = 1.0 }");
    assert!(e.contains("platforms.minhu.arrival_rate_per_day") && e.contains("range"), "{e}");

    // A valid key the base leaves out can be swept.
    let d = setup(
        "base = \"base.toml\"\nreplications = 1\n[[parameters]]\npath = \"leaders.secretary.other_claims_hours_per_day\"\nvalues = [0.0, 0.5]\n",
    );
    sweep_cmd(d.path(), "o", &[]).success();
}

/// On an M/M/1 queue at ρ = 0.5 (Wq = 1 h by Pollaczek–Khinchine), the 95% interval of
/// points.csv should cover theory in about 95% of independent sweeps. 200 sweeps with seeds
/// 1..=200 (deterministic, so the test cannot flake): binomial sd at n = 200 is
/// sqrt(0.95 · 0.05 / 200) ≈ 1.5%, so [0.88, 0.99] is about −4.5 sd / +2.6 sd, the lower side
/// wider to allow the small start-empty bias of finite runs (120-day runs: 190/200 covered).
#[test]
fn confidence_intervals_cover_theory() {
    let dir = tempfile::tempdir().unwrap();
    let base = "name = \"mm1\"\n[simulation]\nduration_days = 120\nwarmup_days = 5\nseed = 1\nreplications = 8\n\
                [calendar]\nhours_per_day = 24\ndays_per_week = 7\n[departments.desk]\nstaff = 1\n\
                [platforms.line]\ndispatch = \"auto\"\narrival_rate_per_day = 12\nroute = [\"desk\"]\n\
                effort_hours = { dist = \"exponential\", mean = 1.0 }\n";
    fs::write(dir.path().join("mm1.toml"), base).unwrap();
    let theory = pk_wait(0.5, 1.0, 1.0);
    let n = 200;
    let mut covered = 0;
    for seed in 1..=n {
        let text = format!("base = \"mm1.toml\"\nseed = {seed}\n");
        let sw = Sweep::from_str(&text, "<coverage>", dir.path(), None).unwrap();
        let out = dir.path().join(format!("s{seed}"));
        run_sweep(&sw, &out, &RunOptions { threads: Some(2), ..Default::default() }, &|| {}).unwrap();
        let points = fs::read_to_string(out.join("points.csv")).unwrap();
        let header: Vec<&str> = points.lines().next().unwrap().split(',').collect();
        let row: Vec<&str> = points.lines().nth(1).unwrap().split(',').collect();
        let col = |name: &str| row[header.iter().position(|h| *h == name).unwrap()].parse::<f64>().unwrap();
        let (m, h) = (col("mean_wait_hours_mean"), col("mean_wait_hours_ci95"));
        if (m - theory).abs() <= h {
            covered += 1;
        }
        fs::remove_dir_all(&out).unwrap();
    }
    let share = covered as f64 / n as f64;
    eprintln!("coverage {covered}/{n}");
    assert!((0.88..=0.99).contains(&share), "coverage {share} outside [0.88, 0.99]");
}

/// A `[set]` value may be an array (demand shocks); it reaches every point and changes the runs.
#[test]
fn set_accepts_arrays_such_as_shocks() {
    let plain = "base = \"base.toml\"\nreplications = 2\n[[parameters]]\npath = \"platforms.line.arrival_rate_per_day\"\nvalues = [3.0]\n";
    let shocked =
        format!("{plain}[set]\n\"platforms.line.shocks\" = [{{ from_day = 20, to_day = 90, multiplier = 3.0 }}]\n");
    let arrived = |sweep: &str| -> f64 {
        let d = setup(sweep);
        sweep_cmd(d.path(), "o", &[]).success();
        let runs = fs::read_to_string(d.path().join("o/runs.csv")).unwrap();
        let head: Vec<&str> = runs.lines().next().unwrap().split(',').collect();
        let col = head.iter().position(|h| *h == "arrived").unwrap();
        runs.lines()
            .skip(1)
            .filter(|l| l.contains(",line,"))
            .map(|l| l.split(',').nth(col).unwrap().parse::<f64>().unwrap())
            .sum()
    };
    let (a, b) = (arrived(plain), arrived(&shocked));
    // 3 a day for 80 counted days vs 3 a day for 10 days then 9 a day for 70: about 2.8 times.
    assert!(b > 2.3 * a, "{a} vs {b}");
    let d = setup(
        "base = \"base.toml\"\nreplications = 1\n[set]\n\"platforms.line.arrival_rate_per_day\" = [1, 2]\n[[parameters]]\npath = \"platforms.line.deadline_days\"\nvalues = [3.0]\n",
    );
    let out = cargo_bin_cmd!("embedsim")
        .current_dir(d.path())
        .args(["sweep", "sweep.toml", "--quiet", "--out", "o"])
        .output()
        .unwrap();
    let e = String::from_utf8(out.stderr).unwrap();
    assert!(!out.status.success() && e.contains("platforms.line.arrival_rate_per_day") && e.contains("array"), "{e}");
}

/// A sweep may set a key of a table of the format the base leaves out (`[decisions]` here): the
/// table is made with its defaults, as `--set` makes it. A path through a department the base
/// does not have, or a key that is not of the format, is refused with the nearest name.
#[test]
fn a_sweep_reaches_tables_the_base_leaves_out_but_not_names_it_lacks() {
    let sweep = |path: &str| {
        format!(
            "name = \"s\"\nbase = \"base.toml\"\nreplications = 1\n[set]\n\"simulation.duration_days\" = 60\n\
             [[parameters]]\npath = \"{path}\"\nvalues = [0.5, 0.9]\n"
        )
    };
    let d = setup(&sweep("decisions.take_up.duty"));
    assert!(!BASE.contains("[decisions"), "the base leaves [decisions] out");
    sweep_cmd(d.path(), "o", &[]).success();
    let runs = fs::read_to_string(d.path().join("o/runs.csv")).unwrap();
    assert!(runs.starts_with("run,point,replication,decisions.take_up.duty"), "{runs}");
    for (path, says) in [
        ("decisions.take_up.dutty", "did you mean `decisions.take_up.duty`?"),
        ("departments.ofice.staff", "did you mean `departments.office`?"),
    ] {
        fs::write(d.path().join("sweep.toml"), sweep(path)).unwrap();
        sweep_cmd(d.path(), "bad", &[]).failure().stderr(predicates::str::contains(says));
    }
}

/// A base that writes a float key as a whole number (`arrival_rate_per_day = 5`) takes fractions
/// from the sweep (docs/SWEEPS.md: float keys accept floats), and points.csv says the value run;
/// a whole-number key (`staff`) still refuses a fraction, with its range.
#[test]
fn an_integer_in_the_base_takes_fractions_where_the_key_is_a_float() {
    let sweep = "base = \"base.toml\"\nreplications = 1\n[[parameters]]\npath = \"platforms.minhu.arrival_rate_per_day\"\nvalues = [0.5, 5]\n";
    let dir = setup(sweep);
    sweep_cmd(dir.path(), "out", &[]).success();
    let points = fs::read_to_string(dir.path().join("out/points.csv")).unwrap();
    let values: Vec<&str> = points.lines().skip(1).map(|l| l.split(',').nth(1).unwrap()).collect();
    assert!(values.contains(&"0.5") && values.contains(&"5"), "{points}");
    let staff = "base = \"base.toml\"\n[[parameters]]\npath = \"departments.office.staff\"\nvalues = [2.5]\n";
    let dir = setup(staff);
    let err = String::from_utf8(sweep_cmd(dir.path(), "out", &[]).failure().get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("departments.office.staff") && err.contains("expected a whole number from 1 to 100000, found 2.5"),
        "{err}"
    );
    // Every listed value is checked, not only the first: 2.5 after 1 is refused, not rounded.
    let dir = setup(&staff.replace("[2.5]", "[1, 2.5]"));
    let err = String::from_utf8(sweep_cmd(dir.path(), "out", &[]).failure().get_output().stderr.clone()).unwrap();
    assert!(err.contains("found 2.5"), "{err}");
}

/// The same six points as `SWEEP`, in the same order, from a design file.
const DESIGN: &str = "leaders.secretary.attention_hours_per_day,platforms.minhu.arrival_rate_per_day
0.0,2
0.0,6
0.5,2
0.5,6
1.0,2
1.0,6
";

const DESIGN_SWEEP: &str = r#"
base = "base.toml"
seed = 11
replications = 3
design = "points-in.csv"
"#;

/// The sweep in `p`, whose design file lists `SWEEP`'s points, writes the runs and points that
/// `SWEEP` itself writes, byte for byte.
fn assert_design_runs_as_factorial(p: &Path) {
    fs::write(p.join("factorial.toml"), SWEEP).unwrap();
    sweep_cmd(p, "design", &[]).success();
    embedsim_in(p, &["sweep", "factorial.toml", "--quiet", "--out", "factorial"]).success();
    for f in ["runs.csv", "points.csv"] {
        assert_eq!(fs::read(p.join("design").join(f)).unwrap(), fs::read(p.join("factorial").join(f)).unwrap(), "{f}");
    }
}

/// A design brought from elsewhere (SALib, EMA Workbench, a spreadsheet) runs as the same sweep
/// written with `values`/`range` does, byte for byte, and shards and merges like any sweep.
#[test]
fn a_design_file_runs_the_points_it_lists() {
    let d = setup(DESIGN_SWEEP);
    let p = d.path();
    fs::write(p.join("points-in.csv"), DESIGN).unwrap();
    assert_design_runs_as_factorial(p);
    for k in 1..=2 {
        sweep_cmd(p, &format!("shard{k}"), &["--shard", &format!("{k}/2")]).success();
    }
    embedsim_in(p, &["merge", "shard1", "shard2", "--out", "merged"]).success();
    assert_same(&p.join("design"), &p.join("merged"));
    // A different design file is a different sweep, even with the same points (1.00 is 1.0):
    // its shards are not merged with these.
    fs::write(p.join("points-in.csv"), DESIGN.replace("1.0,6", "1.00,6")).unwrap();
    sweep_cmd(p, "other2", &["--shard", "2/2"]).success();
    embedsim_in(p, &["merge", "shard1", "other2", "--out", "mixed"]).failure();
}

#[test]
fn a_bad_design_file_says_which_line_and_column() {
    let err = |design: &str, sweep: &str| -> String {
        let d = setup(sweep);
        fs::write(d.path().join("points-in.csv"), design).unwrap();
        let out = sweep_cmd(d.path(), "out", &[]).failure();
        assert!(!d.path().join("out").exists(), "nothing written");
        String::from_utf8_lossy(&out.get_output().stderr).into_owned()
    };
    let e = err("leaders.secretary.attention_hours_per_dy\n1\n", DESIGN_SWEEP);
    assert!(
        e.contains("points-in.csv") && e.contains("unknown parameter path `leaders.secretary.attention_hours_per_dy`"),
        "{e}"
    );
    assert!(e.contains("did you mean `attention_hours_per_day`"), "{e}");
    let e = err("leaders.secretary.attention_hours_per_day\n1\n2\n99\n", DESIGN_SWEEP);
    assert!(e.contains("point 2") && e.contains("line 4 of") && e.contains("points-in.csv"), "{e}");
    let e = err("departments.office.staff\n2\nmany\n", DESIGN_SWEEP);
    assert!(e.contains("points-in.csv") && e.contains("line 3") && e.contains("departments.office.staff"), "{e}");
    let e = err("departments.office.staff\n\nmany\n2\n", DESIGN_SWEEP);
    assert!(
        e.contains("points-in.csv") && e.contains("line 3") && e.contains("departments.office.staff"),
        "first row, after a blank line: {e}"
    );
    let e = err("a.b,c.d\n1,2,3\n", DESIGN_SWEEP);
    assert!(e.contains("points-in.csv: line 2: expected 2 values (one per column), found 3"), "{e}");
    let e = err("leaders.secretary.attention_hours_per_day\n1\n", &DESIGN_SWEEP.replace("points-in", "nowhere"));
    assert!(e.contains("sweep.toml") && e.contains("design = \"nowhere.csv\": cannot read"), "{e}");
    let sampled = format!(
        "{DESIGN_SWEEP}lhs_points = 4\n[[parameters]]\npath = \"departments.office.staff\"\nsample = {{ min = 1, max = 3 }}\n"
    );
    let e = err(DESIGN, &sampled);
    assert!(e.contains("cannot be added to it"), "{e}");
    let twice = format!("{DESIGN_SWEEP}[set]\n\"platforms.minhu.arrival_rate_per_day\" = 3\n");
    let e = err(DESIGN, &twice);
    assert!(e.contains("named twice"), "{e}");
}

/// `merge --report SWEEP` writes the report one machine would have written; another sweep file
/// is refused before anything is written.
#[test]
fn merged_shards_write_the_same_report() {
    let d = setup(SWEEP);
    let p = d.path();
    sweep_cmd(p, "whole", &["--report"]).success();
    for k in 1..=2 {
        sweep_cmd(p, &format!("shard{k}"), &["--shard", &format!("{k}/2")]).success();
    }
    fs::write(p.join("other.toml"), SWEEP.replace("seed = 11", "seed = 12")).unwrap();
    embedsim_in(p, &["merge", "shard1", "shard2", "--out", "wrong", "--report", "other.toml"])
        .failure()
        .stderr(predicates::str::contains("not the sweep the shards ran"));
    assert!(!p.join("wrong").exists(), "refused before anything is written");
    embedsim_in(p, &["merge", "shard1", "shard2", "--out", "merged", "--report", "sweep.toml"]).success();
    assert_same(&p.join("whole"), &p.join("merged"));
    let report = |dir: &str| fs::read(p.join(dir).join("report.html")).unwrap();
    assert!(report("whole").len() > 10_000);
    assert_eq!(report("whole"), report("merged"), "report.html");
}

/// The same design as a Parquet file gives the same runs; a damaged one is an error naming it.
#[test]
fn a_parquet_design_runs_as_its_csv_does() {
    let d = setup(&DESIGN_SWEEP.replace("points-in.csv", "points-in.parquet"));
    let p = d.path();
    design::write_parquet_design(&p.join("points-in.parquet"));
    assert_design_runs_as_factorial(p);
    let mut bytes = fs::read(p.join("points-in.parquet")).unwrap();
    let n = bytes.len();
    for b in &mut bytes[n / 3..n / 2] {
        *b ^= 0x5a;
    }
    fs::write(p.join("points-in.parquet"), &bytes).unwrap();
    sweep_cmd(p, "damaged", &[]).failure().stderr(predicates::str::contains("points-in.parquet"));
    assert!(!p.join("damaged").exists());
}

/// The rows of a Parquet table as text (`{run: 0, point: 0, ...}`), for comparisons.
fn parquet_rows(path: &Path) -> Vec<String> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let reader = SerializedFileReader::new(fs::File::open(path).unwrap()).unwrap();
    reader.get_row_iter(None).unwrap().map(|r| r.unwrap().to_string()).collect()
}

/// `--format parquet|both`: a sweep's runs and points as Parquet with the CSV's columns and
/// values (less the CSV's row checksum); `parquet` keeps `runs.csv`, the sweep's record that merge
/// and discovery read, and drops `points.csv`; merged shards give the same bytes as one machine.
#[test]
fn sweep_tables_as_parquet() {
    let d = setup(SWEEP);
    let p = d.path();
    sweep_cmd(p, "both", &["--format", "both"]).success();
    let csv_text = fs::read_to_string(p.join("both/runs.csv")).unwrap();
    let mut csv = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let rows = parquet_rows(&p.join("both/runs.parquet"));
    let records: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), records.len());
    for (row, rec) in rows.iter().zip(&records) {
        // Every cell of the CSV but the checksum, by name, as the Parquet row shows it.
        for (h, cell) in header.iter().zip(rec.iter()).filter(|(h, _)| *h != "row_fnv1a") {
            let shown = if cell.is_empty() {
                "null".to_string()
            } else if h == "platform" || h == "regime" {
                format!("\"{cell}\"")
            } else {
                // Numbers as numbers: 3 and 3.0 read alike.
                let x: f64 = cell.parse().unwrap();
                let field = row.split(&format!("{h}: ")).nth(1).unwrap().split([',', '}']).next().unwrap();
                assert_eq!(field.parse::<f64>().unwrap(), x, "{h} in {row}");
                continue;
            };
            assert!(row.contains(&format!("{h}: {shown}")), "{h}: {shown} not in {row}");
        }
        assert!(!row.contains("row_fnv1a"));
    }
    assert_eq!(parquet_rows(&p.join("both/points.parquet")).len(), 6 * 2);
    assert!(p.join("both/points.csv").exists());

    sweep_cmd(p, "pq", &["--format", "parquet"]).success();
    assert!(p.join("pq/runs.csv").exists() && p.join("pq/runs.parquet").exists());
    assert!(!p.join("pq/points.csv").exists() && p.join("pq/points.parquet").exists());
    for k in 1..=2 {
        sweep_cmd(p, &format!("s{k}"), &["--shard", &format!("{k}/2")]).success();
    }
    embedsim_in(p, &["merge", "s1", "s2", "--out", "merged", "--format", "parquet"]).success();
    for f in ["runs.parquet", "points.parquet", "runs.csv"] {
        assert_eq!(fs::read(p.join("pq").join(f)).unwrap(), fs::read(p.join("merged").join(f)).unwrap(), "{f}");
    }
    // A folder with Parquet tables resumes as its own.
    sweep_cmd(p, "pq", &["--format", "parquet", "--resume"]).success();
}

/// `sweep --series weekly`: every run's weekly platform series in one long Parquet file with the
/// point's parameters as columns. Its rows are the very rows `embedsim run` writes for that point
/// and replication; a sweep interrupted and resumed, or run in shards and merged, writes the same
/// bytes; shards run without `--series` do not merge with shards run with it.
#[test]
fn a_sweep_keeps_each_points_weekly_series() {
    let d = setup(SWEEP);
    let p = d.path();
    sweep_cmd(p, "whole", &["--series", "weekly", "--threads", "2"]).success();
    let rows = parquet_rows(&p.join("whole/series.parquet"));
    // Point 5 (attention 1.0, demand 6), replication 2 = run 17: the same rows as a run of that
    // point with the sweep's seed, replication 2 of 3.
    embedsim_in(
        p,
        &[
            "run",
            "base.toml",
            "--quiet",
            "--seed",
            "11",
            "--replications",
            "3",
            "--series",
            "weekly",
            "--out",
            "one",
            "--set",
            "leaders.secretary.attention_hours_per_day=1.0",
            "--set",
            "platforms.minhu.arrival_rate_per_day=6",
        ],
    )
    .success();
    let timeseries = fs::read_to_string(p.join("one/timeseries.csv")).unwrap();
    let expected: Vec<String> = timeseries
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("2,"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            // replication,day,scope,id,metric,value
            let value =
                if f[5].is_empty() { "null".to_string() } else { format!("{:?}", f[5].parse::<f64>().unwrap()) };
            format!("day: {}, platform: \"{}\", metric: \"{}\", value: {value}", f[1], f[3], f[4])
        })
        .collect();
    let prefix = "{run: 17, point: 5, replication: 2, leaders.secretary.attention_hours_per_day: 1.0, platforms.minhu.arrival_rate_per_day: 6.0, ";
    let got: Vec<String> = rows
        .iter()
        .filter(|r| r.starts_with(prefix))
        .map(|r| r[prefix.len()..r.len() - 1].replace("E0", ".0").replace(".0.0", ".0"))
        .collect();
    assert!(!expected.is_empty());
    let norm = |v: &[String]| v.iter().map(|s| s.replace("E0", ".0").replace(".0.0", ".0")).collect::<Vec<_>>();
    assert_eq!(norm(&got), norm(&expected));
    // Every run is there, in run order.
    let runs: Vec<usize> = rows.iter().map(|r| r[6..].split(',').next().unwrap().parse().unwrap()).collect();
    assert!(runs.windows(2).all(|w| w[0] <= w[1]) && runs[0] == 0 && *runs.last().unwrap() == 17);
    assert_eq!(rows.len(), 18 * expected.len());

    // Interrupted after 7 runs and resumed: the same bytes.
    let sw = Sweep::load(&p.join("sweep.toml")).unwrap();
    let weekly = Some(embedsim::output::csv::Series::Weekly);
    let opts = RunOptions { stop_after: Some(7), series: weekly, ..RunOptions::default() };
    assert!(run_sweep(&sw, &p.join("cut"), &opts, &|| {}).is_err());
    assert!(p.join("cut/series.partial.csv").exists());
    sweep_cmd(p, "cut", &["--series", "weekly", "--resume"]).success();
    assert_eq!(fs::read(p.join("whole/series.parquet")).unwrap(), fs::read(p.join("cut/series.parquet")).unwrap());
    assert!(!p.join("cut/series.partial.csv").exists());
    // In shards, merged: the same bytes; a shard without series does not merge with one with.
    sweep_cmd(p, "s1", &["--shard", "1/2", "--series", "weekly"]).success();
    sweep_cmd(p, "s2", &["--shard", "2/2", "--series", "weekly"]).success();
    embedsim_in(p, &["merge", "s1", "s2", "--out", "m"]).success();
    assert_eq!(fs::read(p.join("whole/series.parquet")).unwrap(), fs::read(p.join("m/series.parquet")).unwrap());
    assert_same(&p.join("whole"), &p.join("m"));
    sweep_cmd(p, "plain2", &["--shard", "2/2"]).success();
    embedsim_in(p, &["merge", "s1", "plain2", "--out", "mixed"])
        .failure()
        .stderr(predicates::str::contains("the same --series"));
    assert!(!p.join("mixed").exists(), "a refused merge writes nothing");
    // Shards of two kinds do not merge either.
    sweep_cmd(p, "daily2", &["--shard", "2/2", "--series", "platforms"]).success();
    embedsim_in(p, &["merge", "s1", "daily2", "--out", "mixed"])
        .failure()
        .stderr(predicates::str::contains("the same --series"));
    // A sweep resumed with another kind, or without --series, is refused; one started without
    // --series cannot gain them on resume.
    let opts = RunOptions { stop_after: Some(3), series: weekly, ..RunOptions::default() };
    assert!(run_sweep(&sw, &p.join("cut2"), &opts, &|| {}).is_err());
    sweep_cmd(p, "cut2", &["--series", "platforms", "--resume"])
        .failure()
        .stderr(predicates::str::contains("--series weekly"));
    sweep_cmd(p, "cut2", &["--resume"]).failure().stderr(predicates::str::contains("same --series"));
    let plain = RunOptions { stop_after: Some(3), ..RunOptions::default() };
    assert!(run_sweep(&sw, &p.join("cut3"), &plain, &|| {}).is_err());
    sweep_cmd(p, "cut3", &["--series", "weekly", "--resume"])
        .failure()
        .stderr(predicates::str::contains("started without --series"));
    // A crash between the two journals: the last run's series block is cut (its closing line
    // lost) — that run runs again and the file is the same; a hand-edited line is named.
    let journal = p.join("cut2/series.partial.csv");
    let text = fs::read_to_string(&journal).unwrap();
    let cut = text.trim_end_matches('\n').rsplit_once('\n').unwrap().0.to_string() + "\n";
    fs::write(&journal, &cut).unwrap();
    sweep_cmd(p, "cut2", &["--series", "weekly", "--resume"]).success();
    assert_eq!(fs::read(p.join("whole/series.parquet")).unwrap(), fs::read(p.join("cut2/series.parquet")).unwrap());
    assert!(run_sweep(&sw, &p.join("cut4"), &opts, &|| {}).is_err());
    let journal = p.join("cut4/series.partial.csv");
    let text = fs::read_to_string(&journal).unwrap();
    fs::write(&journal, text.replacen(",arrivals,", ",arrivals,x", 1)).unwrap();
    sweep_cmd(p, "cut4", &["--series", "weekly", "--resume"])
        .failure()
        .stderr(predicates::str::contains("line 2: expected run,day,platform,metric,value"));
    // Without --series, no series file and no daily records kept.
    sweep_cmd(p, "none", &[]).success();
    assert!(!p.join("none/series.parquet").exists());
}
