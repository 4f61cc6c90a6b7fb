//! Calibration recovers known parameters: targets are simulated at known values on seeds the fit
//! never uses, the fit starts elsewhere, and the estimates must fall within 3 reported standard
//! errors of the truth with intervals narrow enough to matter.

use std::fs;

use embedsim::analysis::calibrate::{Calibration, calibrate};
use embedsim::experiment::run_all;
use embedsim::metrics::summary::summarize;
use embedsim::scenario::load_str;

/// One desk, one worker, exponential service: an M/M/1 queue with arrival rate `rate` a day and
/// mean service `mean` hours.
fn desk(rate: f64, mean: f64, seed: u64, reps: u32) -> String {
    format!(
        "name = \"desk\"\n[simulation]\nduration_days = 300\nwarmup_days = 20\nseed = {seed}\nreplications = {reps}\n\
         [calendar]\nhours_per_day = 24\ndays_per_week = 7\n[departments.desk]\nstaff = 1\n\
         [platforms.line]\ndispatch = \"auto\"\narrival_rate_per_day = {rate:.1}\nroute = [\"desk\"]\n\
         effort_hours = {{ dist = \"exponential\", mean = {mean:.2} }}\n"
    )
}

/// Mean and standard error of `metric` over the replications of a scenario.
fn target(text: &str, metric: &str) -> (f64, f64) {
    let sc = load_str(text, "truth").unwrap();
    let xs: Vec<f64> = run_all(&sc, None, &|| {}).unwrap().iter().map(|o| summarize(&sc, o)[0].get(metric)).collect();
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let sd = (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    (m, sd / n.sqrt())
}

fn recover(rate: f64, mean: f64) {
    let d = tempfile::tempdir().unwrap();
    // Targets: the truth on seed 9001, 10 replications (never used by the fit).
    let truth = desk(rate, mean, 9001, 10);
    let mut targets = String::new();
    for metric in ["closed_per_month", "mean_wait_hours", "p_wait"] {
        let (v, se) = target(&truth, metric);
        targets += &format!("[[targets]]\noutput = \"line.{metric}\"\nvalue = {v}\nsd = {se}\n");
    }
    let (v, se) = target(&truth, "mean_sojourn_hours");
    targets += &format!("[[held_out]]\noutput = \"line.mean_sojourn_hours\"\nvalue = {v}\nsd = {se}\n");
    // The fit: seed 7, 6 replications, from a start 30-40% off.
    fs::write(d.path().join("base.toml"), desk(16.0, 1.0, 7, 6)).unwrap();
    fs::write(
        d.path().join("cal.toml"),
        format!(
            "base = \"base.toml\"\nseed = 7\nreplications = 6\nmax_evaluations = 120\n\
             [[parameters]]\npath = \"platforms.line.arrival_rate_per_day\"\nmin = 6.0\nmax = 30.0\nstart = {:.1}\n\
             [[parameters]]\npath = \"platforms.line.effort_hours.mean\"\nmin = 0.3\nmax = 2.5\nstart = {:.2}\n{targets}",
            rate * 0.7,
            mean * 1.4
        ),
    )
    .unwrap();
    let c = Calibration::load(&d.path().join("cal.toml")).unwrap();
    let r = calibrate(&c, &d.path().join("out"), None, false, None, &|_, _| {}).unwrap();
    let (lam, mu) = (&r.parameters[0], &r.parameters[1]);
    let report = embedsim::analysis::calibrate::report(&c, &r);
    assert!((lam.value - rate).abs() < 3.0 * lam.se, "arrival rate {rate}: {report}");
    assert!((mu.value - mean).abs() < 3.0 * mu.se, "service mean {mean}: {report}");
    // Narrow enough to matter: 95% intervals within ±8% (rate) and ±12% (service mean).
    assert!(1.96 * lam.se < 0.08 * rate && 1.96 * mu.se < 0.12 * mean, "{report}");
    assert!(lam.se > 0.0 && mu.se > 0.0, "{report}");
    // The held-out target is predicted within 3 standard errors.
    let held = r.fits.iter().find(|f| !f.fitted).unwrap();
    assert!(held.z().abs() < 3.0, "{report}");
    for f in ["calibration.csv", "fit.csv", "calibration.toml"] {
        assert!(d.path().join("out").join(f).exists());
    }
    assert!(!d.path().join("out/calibration.partial.csv").exists());
}

#[test]
fn recovers_a_busy_desk() {
    recover(19.2, 0.8);
}

#[test]
fn recovers_a_slow_desk() {
    recover(12.0, 1.5);
}

/// An interrupted calibration resumed from its journal writes the same files as one that ran
/// through (the hidden EMBEDSIM_CALIBRATE_STOP_AFTER stops it as if killed).
#[test]
fn resumed_calibration_is_identical() {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("base.toml"), desk(16.0, 1.0, 7, 3)).unwrap();
    fs::write(
        d.path().join("cal.toml"),
        "base = \"base.toml\"\nreplications = 3\nmax_evaluations = 30\n\
         [[parameters]]\npath = \"platforms.line.arrival_rate_per_day\"\nmin = 6.0\nmax = 30.0\n\
         [[targets]]\noutput = \"line.closed_per_month\"\nvalue = 400\nsd = 5\n",
    )
    .unwrap();
    let run = |out: &str, stop: Option<&str>, resume: bool| {
        let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("embedsim");
        cmd.current_dir(d.path()).args(["calibrate", "cal.toml", "--out", out, "--quiet"]);
        if resume {
            cmd.arg("--resume");
        }
        if let Some(n) = stop {
            cmd.env("EMBEDSIM_CALIBRATE_STOP_AFTER", n);
        }
        cmd.output().unwrap()
    };
    assert!(run("whole", None, false).status.success());
    let stopped = run("cut", Some("4"), false);
    assert!(!stopped.status.success());
    assert!(String::from_utf8_lossy(&stopped.stderr).contains("finish with --resume"));
    assert!(!run("cut", None, false).status.success(), "a journal is not overwritten without --resume");
    assert!(run("cut", None, true).status.success());
    for f in ["calibration.csv", "fit.csv", "calibration.toml"] {
        assert_eq!(
            fs::read(d.path().join("whole").join(f)).unwrap(),
            fs::read(d.path().join("cut").join(f)).unwrap(),
            "{f}"
        );
    }
}

/// A calibration with a global search, on the busy desk: `extra` goes into the file.
fn sharded_setup(d: &std::path::Path, extra: &str) {
    fs::write(d.join("base.toml"), desk(16.0, 1.0, 7, 3)).unwrap();
    fs::write(
        d.join("cal.toml"),
        format!(
            "base = \"base.toml\"\nreplications = 3\nmax_evaluations = 20\n{extra}\n\
             [[parameters]]\npath = \"platforms.line.arrival_rate_per_day\"\nmin = 6.0\nmax = 30.0\n\
             [[parameters]]\npath = \"platforms.line.effort_hours.mean\"\nmin = 0.3\nmax = 2.5\n\
             [[targets]]\noutput = \"line.closed_per_month\"\nvalue = 400\nsd = 5\n\
             [[targets]]\noutput = \"line.mean_wait_hours\"\nvalue = 1.5\nsd = 0.1\n"
        ),
    )
    .unwrap();
}

fn embedsim_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    assert_cmd::cargo::cargo_bin_cmd!("embedsim").current_dir(dir).args(args).output().unwrap()
}

fn journal_points(path: &std::path::Path) -> usize {
    fs::read_to_string(path).unwrap().lines().skip(1).count()
}

/// `calibrate --shard K/N` shares the global search: each shard evaluates its own points only,
/// `merge` joins them, and `--resume` on the merged folder runs none of them again and writes
/// the same files as one machine.
#[test]
fn a_sharded_calibration_merges_to_the_same_files() {
    let d = tempfile::tempdir().unwrap();
    let d = d.path();
    sharded_setup(d, "global_points = 6");
    assert!(embedsim_in(d, &["calibrate", "cal.toml", "--out", "whole", "--quiet"]).status.success());
    for k in 1..=3 {
        let out = embedsim_in(d, &["calibrate", "cal.toml", "--shard", &format!("{k}/3"), "--out", &format!("s{k}")]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // Two of the six global points each (i mod 3 = k − 1), and nothing else.
        assert_eq!(journal_points(&d.join(format!("s{k}/calibration.partial.csv"))), 2);
        assert!(!d.join(format!("s{k}/calibration.csv")).exists());
    }
    // A missing shard is refused, and nothing is written.
    let partial = embedsim_in(d, &["merge", "s1", "s2", "--out", "short"]);
    assert!(!partial.status.success());
    assert!(String::from_utf8_lossy(&partial.stderr).contains("shards 3/3 missing"), "{partial:?}");
    assert!(!d.join("short").exists());
    let merged = embedsim_in(d, &["merge", "s1", "s2", "s3", "--out", "merged"]);
    assert!(merged.status.success(), "{}", String::from_utf8_lossy(&merged.stderr));
    assert_eq!(journal_points(&d.join("merged/calibration.partial.csv")), 6);
    let fin = embedsim_in(d, &["calibrate", "cal.toml", "--out", "merged", "--resume"]);
    assert!(fin.status.success(), "{}", String::from_utf8_lossy(&fin.stderr));
    assert!(
        String::from_utf8_lossy(&fin.stdout).contains("resumed: 6 evaluations were already in the journal"),
        "{}",
        String::from_utf8_lossy(&fin.stdout)
    );
    for f in ["calibration.csv", "fit.csv", "calibration.toml"] {
        assert_eq!(fs::read(d.join("whole").join(f)).unwrap(), fs::read(d.join("merged").join(f)).unwrap(), "{f}");
    }
    // Its tables as Parquet, row for row.
    assert!(
        embedsim_in(d, &["calibrate", "cal.toml", "--out", "pq", "--quiet", "--format", "parquet"]).status.success()
    );
    for t in ["calibration", "fit"] {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        assert!(!d.join(format!("pq/{t}.csv")).exists());
        let r = SerializedFileReader::new(fs::File::open(d.join(format!("pq/{t}.parquet"))).unwrap()).unwrap();
        let lines = fs::read_to_string(d.join(format!("whole/{t}.csv"))).unwrap().lines().count() - 1;
        assert_eq!(r.get_row_iter(None).unwrap().count(), lines, "{t}");
    }
    // A shard of another calibration (another seed: other global points) is refused.
    sharded_setup(d, "global_points = 6\nseed = 99");
    assert!(embedsim_in(d, &["calibrate", "cal.toml", "--shard", "3/3", "--out", "other", "--quiet"]).status.success());
    let foreign = embedsim_in(d, &["merge", "s1", "s2", "other", "--out", "mixed"]);
    assert!(String::from_utf8_lossy(&foreign.stderr).contains("not a shard of the same calibration"), "{foreign:?}");
    // Without a global search there is nothing to share out.
    sharded_setup(d, "");
    let none = embedsim_in(d, &["calibrate", "cal.toml", "--shard", "1/2", "--out", "x"]);
    assert!(String::from_utf8_lossy(&none.stderr).contains("set `global_points`"), "{none:?}");
}

/// The global search changes where Nelder–Mead starts, and so what a short search finds: from
/// a start in the far corner with a budget of 12 evaluations, the fit with 16 global points
/// ends at a far lower objective than the fit without.
#[test]
fn a_global_search_finds_a_better_start() {
    let fit = |extra: &str| {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("base.toml"), desk(16.0, 1.0, 7, 3)).unwrap();
        let (v, se) = target(&desk(16.0, 1.0, 9001, 8), "closed_per_month");
        let (w, we) = target(&desk(16.0, 1.0, 9001, 8), "mean_wait_hours");
        fs::write(
            d.path().join("cal.toml"),
            format!(
                "base = \"base.toml\"\nreplications = 3\nmax_evaluations = 12\n{extra}\n\
                 [[parameters]]\npath = \"platforms.line.arrival_rate_per_day\"\nmin = 6.0\nmax = 30.0\nstart = 29.0\n\
                 [[parameters]]\npath = \"platforms.line.effort_hours.mean\"\nmin = 0.3\nmax = 2.5\nstart = 0.35\n\
                 [[targets]]\noutput = \"line.closed_per_month\"\nvalue = {v}\nsd = {se}\n\
                 [[targets]]\noutput = \"line.mean_wait_hours\"\nvalue = {w}\nsd = {we}\n"
            ),
        )
        .unwrap();
        let c = Calibration::load(&d.path().join("cal.toml")).unwrap();
        calibrate(&c, &d.path().join("out"), None, false, None, &|_, _| {}).unwrap()
    };
    let (with, without) = (fit("global_points = 16"), fit(""));
    // Measured: 33 against 1,264 (32 and 16 evaluations); a quarter leaves room for a changed model.
    assert!(
        with.objective * 4.0 < without.objective,
        "objective with the global search {} ({} evaluations), without {} ({})",
        with.objective,
        with.evaluations,
        without.objective,
        without.evaluations
    );
}

/// The profile tells a parameter the targets pin down from one they leave free. On the M/M/1
/// desk, the monthly closures and arrivals depend on the arrival rate alone: the rate is pinned,
/// the service mean (which moves neither while the desk keeps up) is free. Add the mean wait, and
/// the service mean is pinned too: the same parameter, the verdict changed by the targets.
#[test]
fn the_profile_tells_pinned_from_free() {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("base.toml"), desk(12.0, 1.0, 7, 4)).unwrap();
    let (closed, closed_se) = target(&desk(12.0, 1.0, 9001, 10), "closed_per_month");
    let (arrived, arrived_se) = target(&desk(12.0, 1.0, 9001, 10), "arrived");
    let (wait, wait_se) = target(&desk(12.0, 1.0, 9001, 10), "mean_wait_hours");
    let fit = |name: &str, with_wait: bool| {
        let mut text = format!(
            "base = \"base.toml\"\nreplications = 4\nmax_evaluations = 60\nprofile_points = 7\nprofile_evaluations = 15\n\
             [[parameters]]\npath = \"platforms.line.arrival_rate_per_day\"\nmin = 6.0\nmax = 18.0\n\
             [[parameters]]\npath = \"platforms.line.effort_hours.mean\"\nmin = 0.3\nmax = 1.3\n\
             [[targets]]\noutput = \"line.closed_per_month\"\nvalue = {closed}\nsd = {closed_se}\n\
             [[targets]]\noutput = \"line.arrived\"\nvalue = {arrived}\nsd = {arrived_se}\n"
        );
        if with_wait {
            text += &format!("[[targets]]\noutput = \"line.mean_wait_hours\"\nvalue = {wait}\nsd = {wait_se}\n");
        }
        fs::write(d.path().join(format!("{name}.toml")), text).unwrap();
        let c = Calibration::load(&d.path().join(format!("{name}.toml"))).unwrap();
        let r = calibrate(&c, &d.path().join(name), None, false, None, &|_, _| {}).unwrap();
        let report = embedsim::analysis::calibrate::report(&c, &r);
        let verdicts: Vec<String> =
            r.parameters.iter().map(|p| p.profile.as_ref().unwrap().verdict().to_string()).collect();
        (verdicts, r, report)
    };
    let (without, r, report) = fit("volume", false);
    assert_eq!(without, ["pinned", "free"], "{report}");
    // 2 parameters x 7 grid values, and the file lists every one of them.
    let profile = fs::read_to_string(d.path().join("volume/profile.csv")).unwrap();
    assert_eq!(profile.lines().count(), 1 + 14, "{profile}");
    assert!(profile.starts_with(
        "parameter,value,objective,delta_objective,platforms.line.arrival_rate_per_day,platforms.line.effort_hours.mean,\
         simulated:line.closed_per_month,simulated:line.arrived\n"
    ));
    assert!(r.overid_p.is_nan(), "as many targets as parameters: no overidentification test");
    let (with, r, report) = fit("wait", true);
    assert_eq!(with, ["pinned", "pinned"], "{report}");
    assert!(r.overid_p > 0.01, "the true model meets all three targets: {report}");
    assert!(report.contains("overidentification: least objective found"), "{report}");
    // A coarse grid interpolated on the root of the objective's rise keeps the interval's width:
    // no narrower than half the delta method's 95% interval.
    let rate = &r.parameters[0];
    let p = rate.profile.as_ref().unwrap();
    assert!(p.high - p.low > 0.5 * 2.0 * 1.96 * rate.se, "profile {p:?} against se {}: {report}", rate.se);
}

/// Every shipped calibration has more targets than free parameters (pattern-oriented: the fit
/// can fail), and every target and held-out pattern names its source.
#[test]
fn shipped_calibrations_have_more_targets_than_parameters() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/calibration");
    let mut n = 0;
    for e in fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        n += 1;
        let c = Calibration::load(&path).unwrap();
        assert!(
            c.targets.len() > c.design.parameters.len(),
            "{}: {} targets for {} parameters",
            path.display(),
            c.targets.len(),
            c.design.parameters.len()
        );
        assert!(!c.held_out.is_empty(), "{}: no held-out pattern", path.display());
        assert!(c.profile_points > 0, "{}: no profile, so no identifiability", path.display());
        let raw: toml::Table = toml::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        for key in ["targets", "held_out"] {
            for t in raw[key].as_array().unwrap() {
                assert!(t.get("source").is_some(), "{}: a {key} entry without its source: {t}", path.display());
            }
        }
    }
    assert!(n >= 2, "the calibration files are in scenarios/calibration");
}

/// S town's calibration, as docs/RESEARCH.md reports it: re-run, it writes the files committed in
/// docs/calibration/s-town (calibration.toml aside: it names the build).
#[test]
fn s_town_calibration_reproduces_its_committed_files() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let d = tempfile::tempdir().unwrap();
    let out = embedsim_in(
        root,
        &["calibrate", "scenarios/calibration/s-town.toml", "--out", d.path().to_str().unwrap(), "--quiet"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for f in ["calibration.csv", "fit.csv", "profile.csv"] {
        assert_eq!(
            fs::read_to_string(d.path().join(f)).unwrap(),
            fs::read_to_string(root.join("docs/calibration/s-town").join(f)).unwrap(),
            "{f}: re-run `embedsim calibrate scenarios/calibration/s-town.toml --out docs/calibration/s-town` \
             (and delete its calibration.toml) if the model changed, and update docs/RESEARCH.md"
        );
    }
    let fit = fs::read_to_string(d.path().join("calibration.csv")).unwrap();
    let leader = fit.lines().find(|l| l.starts_with("decisions.sanction.leader,")).unwrap();
    assert!(leader.ends_with(",bounded below"), "the leader's sanction is bounded from below only: {leader}");
}
