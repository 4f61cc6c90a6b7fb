//! Research tools end to end: multiplicity and warm-up in `compare`, `--precision`, sensitivity,
//! scenario discovery and calibration on small, fast scenarios.

use std::fs;
use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;

/// An M/M/c desk at λ = 0.8/h; `staff` workers, mean service 1 h.
fn desk(staff: u32, days: u32) -> String {
    format!(
        "name = \"desk{staff}\"\n[simulation]\nduration_days = {days}\nwarmup_days = 10\nseed = 3\nreplications = 4\n\
         [calendar]\nhours_per_day = 24\ndays_per_week = 7\n[departments.desk]\nstaff = {staff}\n\
         [platforms.line]\ndispatch = \"auto\"\narrival_rate_per_day = 19.2\nroute = [\"desk\"]\n\
         effort_hours = {{ dist = \"exponential\", mean = 1.0 }}\n"
    )
}

fn embedsim(dir: &Path, args: &[&str]) -> String {
    let out = cargo_bin_cmd!("embedsim").current_dir(dir).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn compare_adjusts_p_values_states_bases_and_is_thread_independent() {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("a.toml"), desk(1, 120)).unwrap();
    fs::write(d.path().join("b.toml"), desk(2, 120)).unwrap();
    let common = ["compare", "a.toml", "b.toml", "--quiet", "--precision", "mean_wait_hours=0.5", "--warmup", "auto"];
    embedsim(d.path(), &[&common[..], &["--out", "o1", "--threads", "1"]].concat());
    embedsim(d.path(), &[&common[..], &["--out", "o2", "--threads", "2"]].concat());
    let one = fs::read_to_string(d.path().join("o1/compare.csv")).unwrap();
    assert_eq!(one, fs::read_to_string(d.path().join("o2/compare.csv")).unwrap());
    assert!(one.starts_with(
        "platform,metric,pairs,mean_a,mean_b,difference,ci95,ci_low,ci_high,significant,p_value,p_adjusted,basis"
    ));
    let wait = one.lines().find(|l| l.contains(",mean_wait_hours,")).unwrap();
    let f: Vec<&str> = wait.split(',').collect();
    let (ci95, p, padj): (f64, f64, f64) = (f[6].parse().unwrap(), f[10].parse().unwrap(), f[11].parse().unwrap());
    assert!(ci95 <= 0.5, "precision reached: {wait}");
    assert!(p < 0.001 && padj >= p && padj <= 12.0 * p, "Holm adjusts upwards by at most the test count: {wait}");
    assert!(wait.contains("arrival to the start of department work"));

    let text = embedsim(d.path(), &["compare", "a.toml", "b.toml", "--out", "o3", "--adjust", "bh"]);
    assert!(text.contains("Benjamini-Hochberg"), "{text}");
    assert!(text.contains("over orders arriving in days 10–120 (110 days)"), "{text}");
    assert!(text.contains("on_time_share            closed on time / closed in the system"), "{text}");
    assert!(text.contains("MSER-5"), "{text}");
}

#[test]
fn run_precision_is_identical_for_any_thread_count() {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("a.toml"), desk(1, 150)).unwrap();
    let args = ["run", "a.toml", "--replications", "3", "--precision", "mean_wait_hours=3%"];
    let t1 = embedsim(d.path(), &[&args[..], &["--out", "o1", "--threads", "1"]].concat());
    embedsim(d.path(), &[&args[..], &["--out", "o2", "--threads", "2"]].concat());
    let s1 = fs::read_to_string(d.path().join("o1/summary.csv")).unwrap();
    assert_eq!(s1, fs::read_to_string(d.path().join("o2/summary.csv")).unwrap());
    let n = s1.lines().count() - 1;
    assert!(n > 3, "more replications were needed than the first 3");
    assert!(t1.contains(&format!("precision: {n} replications were needed")), "{t1}");
    assert!(t1.contains("(") && t1.contains("%)"), "regime share with a Wilson interval: {t1}");
}

fn sensitivity_file(method: &str, samples: u32) -> String {
    format!(
        "base = \"a.toml\"\nmethod = \"{method}\"\nsamples = {samples}\nseed = 5\nreplications = 2\nbootstrap = 200\n\
         outputs = [\"line.mean_wait_hours\", \"line.share_unclassified\"]\n\
         [[parameters]]\npath = \"platforms.line.arrival_rate_per_day\"\nmin = 12.0\nmax = 20.0\n\
         [[parameters]]\npath = \"platforms.line.deadline_days\"\nmin = 2\nmax = 20\n"
    )
}

/// A parameter the output cannot depend on (a deadline, for the mean wait) gets a total index
/// of exactly 0: on common random numbers, changing it alone changes nothing. Demand carries
/// most of the variance (first order above 0.5 with N = 32).
#[test]
fn sensitivity_separates_a_dummy_from_demand_and_ignores_threads() {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("a.toml"), desk(1, 60)).unwrap();
    fs::write(d.path().join("s.toml"), sensitivity_file("sobol", 32)).unwrap();
    fs::write(d.path().join("m.toml"), sensitivity_file("morris", 8)).unwrap();
    let text = embedsim(d.path(), &["sensitivity", "s.toml", "--out", "s1", "--threads", "1"]);
    embedsim(d.path(), &["sensitivity", "s.toml", "--out", "s2", "--threads", "2", "--quiet"]);
    let csv = fs::read_to_string(d.path().join("s1/indices.csv")).unwrap();
    assert_eq!(csv, fs::read_to_string(d.path().join("s2/indices.csv")).unwrap());
    assert!(text.contains("replication noise"), "{text}");
    let value = |csv: &str, param: &str, measure: &str| -> f64 {
        let l = csv
            .lines()
            .find(|l| l.starts_with("line.mean_wait_hours,") && l.contains(&format!(",{param},{measure},")))
            .unwrap();
        l.split(',').nth(3).unwrap().parse().unwrap()
    };
    assert_eq!(value(&csv, "platforms.line.deadline_days", "total"), 0.0);
    assert!(value(&csv, "platforms.line.deadline_days", "first_order").abs() < 0.05);
    assert!(value(&csv, "platforms.line.arrival_rate_per_day", "first_order") > 0.5, "{csv}");
    assert!(d.path().join("s1/indices-line-mean_wait_hours.svg").exists());
    let png = fs::read(d.path().join("s1/indices-line-mean_wait_hours.png")).unwrap();
    assert!(resvg::tiny_skia::Pixmap::decode_png(&png).is_ok(), "the PNG copy decodes");

    embedsim(d.path(), &["sensitivity", "m.toml", "--out", "m", "--quiet"]);
    let csv = fs::read_to_string(d.path().join("m/indices.csv")).unwrap();
    assert_eq!(value(&csv, "platforms.line.deadline_days", "mu_star"), 0.0);
    assert!(value(&csv, "platforms.line.arrival_rate_per_day", "mu_star") > 1.0, "{csv}");
    // Beside each bar chart, the mu*-sigma chart: every parameter a labelled point, the
    // reference lines named, the output in the title, no Chinese (the bar charts have none).
    for output in ["line-mean_wait_hours", "line-share_unclassified"] {
        let svg = fs::read_to_string(d.path().join(format!("m/mustar-sigma-{output}.svg"))).unwrap();
        for text in ["line.arrival_rate_per_day", "line.deadline_days", "sigma = mu*", "mu* (mean"] {
            assert!(svg.contains(text), "{output}: {text}");
        }
        assert!(svg.contains(&output.replace('-', ".")), "the output in the title");
        assert!(!svg.chars().any(|c| ('\u{3000}'..='\u{9fff}').contains(&c)), "no Chinese on the chart");
        let png = fs::read(d.path().join(format!("m/mustar-sigma-{output}.png"))).unwrap();
        assert!(resvg::tiny_skia::Pixmap::decode_png(&png).is_ok());
    }
    assert!(!d.path().join("s1/mustar-sigma-line-mean_wait_hours.svg").exists(), "Morris only");
    // A finished study's folder, its mu*-sigma charts included, is its own: resuming it
    // (a requeued job) finds nothing foreign and changes nothing.
    let before = fs::read(d.path().join("m/indices.csv")).unwrap();
    embedsim(d.path(), &["sensitivity", "m.toml", "--out", "m", "--quiet", "--resume"]);
    assert_eq!(fs::read(d.path().join("m/indices.csv")).unwrap(), before);
}

/// `second_order = true`: N(2k + 2) points (the BA_i rows after the study's own), a
/// `second_order` row per pair with its bootstrap interval and the pair's other parameter in a
/// seventh column, `parameter_2`, and a section of the summary. S1 and ST are those of the same
/// study without the key (the first N(k + 2) points are the same). In two shards, merged and
/// resumed: the same bytes; as Parquet, the same rows and columns.
#[test]
fn a_second_order_sobol_study_writes_pairs_whole_or_sharded() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    fs::write(p.join("a.toml"), desk(1, 60)).unwrap();
    let plain = sensitivity_file("sobol", 16);
    fs::write(p.join("s.toml"), &plain).unwrap();
    fs::write(p.join("s2.toml"), plain.replace("bootstrap = 200\n", "bootstrap = 200\nsecond_order = true\n")).unwrap();
    let text = embedsim(p, &["sensitivity", "s2.toml", "--out", "whole"]);
    assert!(text.contains("second order [95% CI]"), "{text}");
    assert!(text.contains("platforms.line.arrival_rate_per_day × platforms.line.deadline_days"), "{text}");
    let points = fs::read_to_string(p.join("whole/points.csv")).unwrap();
    assert_eq!(points.lines().count() - 1, 16 * (2 * 2 + 2), "N(2k + 2) points");
    let csv = fs::read_to_string(p.join("whole/indices.csv")).unwrap();
    let keys: Vec<String> = csv
        .lines()
        .filter(|l| l.starts_with("output,") || l.starts_with("line.mean_wait_hours,"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            format!("{},{},{}", f[1], f[2], f[6])
        })
        .collect();
    insta::assert_snapshot!("second_order_indices_columns", keys.join("\n"));
    for l in csv.lines().filter(|l| l.starts_with("line.mean_wait_hours,") && l.contains(",second_order,")) {
        let f: Vec<f64> = l.split(',').skip(3).take(3).map(|v| v.parse().unwrap()).collect();
        assert!(f.iter().all(|v| v.is_finite()) && f[1] <= f[0] && f[0] <= f[2], "{l}");
    }
    embedsim(p, &["sensitivity", "s.toml", "--out", "plain", "--quiet"]);
    let first_and_total = |csv: &str| -> Vec<String> {
        csv.lines()
            .filter(|l| l.contains(",first_order,") || l.contains(",total,"))
            .map(|l| l.split(',').take(6).collect::<Vec<_>>().join(","))
            .collect()
    };
    let plain_csv = fs::read_to_string(p.join("plain/indices.csv")).unwrap();
    assert_eq!(first_and_total(&csv), first_and_total(&plain_csv));
    assert!(plain_csv.starts_with("output,parameter,measure,value,ci95_low,ci95_high\n"), "six columns without pairs");

    for k in 1..=2 {
        embedsim(p, &["sensitivity", "s2.toml", "--shard", &format!("{k}/2"), "--out", &format!("part{k}"), "--quiet"]);
    }
    embedsim(p, &["merge", "part1", "part2", "--out", "merged", "--quiet"]);
    embedsim(p, &["sensitivity", "s2.toml", "--out", "merged", "--resume", "--quiet"]);
    for f in ["runs.csv", "points.csv", "indices.csv"] {
        assert_eq!(fs::read(p.join("whole").join(f)).unwrap(), fs::read(p.join("merged").join(f)).unwrap(), "{f}");
    }
    embedsim(p, &["sensitivity", "s2.toml", "--out", "merged", "--resume", "--quiet", "--format", "both"]);
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let r = SerializedFileReader::new(fs::File::open(p.join("merged/indices.parquet")).unwrap()).unwrap();
    let columns: Vec<String> =
        r.metadata().file_metadata().schema_descr().columns().iter().map(|c| c.name().to_string()).collect();
    assert_eq!(columns.last().map(String::as_str), Some("parameter_2"), "{columns:?}");
    assert_eq!(r.get_row_iter(None).unwrap().count(), csv.lines().count() - 1);

    // The key is checked: a Morris study has no second order, and the value is a boolean.
    fs::write(
        p.join("m2.toml"),
        sensitivity_file("morris", 4).replace("seed = 5\n", "seed = 5\nsecond_order = true\n"),
    )
    .unwrap();
    fs::write(p.join("s3.toml"), plain.replace("seed = 5\n", "seed = 5\nsecond_order = \"all\"\n")).unwrap();
    for (file, says) in [
        ("m2.toml", "m2.toml: line 5: second_order: expected only with method = \"sobol\""),
        ("s3.toml", "s3.toml: line 5: second_order: expected true or false, found \"all\""),
    ] {
        let out = cargo_bin_cmd!("embedsim").current_dir(p).args(["sensitivity", file, "--out", "x"]).output().unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{err}");
    }
}

/// A sensitivity study split over machines: each shard runs its slice, `merge` combines them,
/// and `sensitivity --resume` on the merged folder writes the indices without running anything
/// again — the same bytes as the study on one machine (runs, points, indices).
#[test]
fn a_sharded_sensitivity_study_merges_to_the_same_indices() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    fs::write(p.join("a.toml"), desk(1, 60)).unwrap();
    fs::write(p.join("s.toml"), sensitivity_file("sobol", 16)).unwrap();
    embedsim(p, &["sensitivity", "s.toml", "--out", "whole", "--quiet"]);
    for k in 1..=3 {
        let said = embedsim(p, &["sensitivity", "s.toml", "--shard", &format!("{k}/3"), "--out", &format!("part{k}")]);
        assert!(said.contains("embedsim merge") && said.contains("--resume"), "says what comes next: {said}");
        assert!(!p.join(format!("part{k}/indices.csv")).exists(), "a shard has no indices");
    }
    embedsim(p, &["merge", "part2", "part1", "part3", "--out", "merged", "--quiet"]);
    embedsim(p, &["sensitivity", "s.toml", "--out", "merged", "--resume", "--quiet"]);
    for f in ["runs.csv", "points.csv", "indices.csv"] {
        assert_eq!(fs::read(p.join("whole").join(f)).unwrap(), fs::read(p.join("merged").join(f)).unwrap(), "{f}");
    }
    // Resumed again (a requeued job), the folder with its indices is the study's own.
    embedsim(p, &["sensitivity", "s.toml", "--out", "merged", "--resume", "--quiet"]);
    assert_eq!(fs::read(p.join("whole/indices.csv")).unwrap(), fs::read(p.join("merged/indices.csv")).unwrap());
    // The counterfactual: a shard of another study — same file name, another seed — is refused
    // by merge.
    fs::create_dir(p.join("other")).unwrap();
    fs::write(p.join("other/a.toml"), desk(1, 60)).unwrap();
    fs::write(p.join("other/s.toml"), sensitivity_file("sobol", 16).replace("seed = 5", "seed = 6")).unwrap();
    embedsim(p, &["sensitivity", "other/s.toml", "--shard", "3/3", "--out", "other3", "--quiet"]);
    let out = cargo_bin_cmd!("embedsim")
        .current_dir(p)
        .args(["merge", "part1", "part2", "other3", "--out", "mixed"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "shards of two studies do not merge");
    // As Parquet: the indices (and the runs and points) beside or instead of their CSV files,
    // row for row; runs.csv stays, and the study resumes in its folder.
    embedsim(p, &["sensitivity", "s.toml", "--out", "pq", "--quiet", "--format", "parquet"]);
    assert!(!p.join("pq/indices.csv").exists() && !p.join("pq/points.csv").exists());
    assert!(p.join("pq/runs.csv").exists());
    let rows = |f: &str| {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let r = SerializedFileReader::new(fs::File::open(p.join("pq").join(f)).unwrap()).unwrap();
        r.get_row_iter(None).unwrap().count()
    };
    let lines = |f: &str| fs::read_to_string(p.join("whole").join(f)).unwrap().lines().count() - 1;
    for t in ["indices", "points", "runs"] {
        assert_eq!(rows(&format!("{t}.parquet")), lines(&format!("{t}.csv")), "{t}");
    }
    embedsim(p, &["sensitivity", "s.toml", "--out", "pq", "--quiet", "--resume", "--format", "parquet"]);
    // Each point's weekly series: whole, or in shards merged, the same file, and the same indices.
    embedsim(p, &["sensitivity", "s.toml", "--out", "sw", "--quiet", "--series", "weekly"]);
    for k in 1..=2 {
        embedsim(
            p,
            &[
                "sensitivity",
                "s.toml",
                "--shard",
                &format!("{k}/2"),
                "--out",
                &format!("ps{k}"),
                "--quiet",
                "--series",
                "weekly",
            ],
        );
    }
    embedsim(p, &["merge", "ps1", "ps2", "--out", "ms", "--quiet"]);
    embedsim(p, &["sensitivity", "s.toml", "--out", "ms", "--resume", "--quiet", "--series", "weekly"]);
    for f in ["series.parquet", "indices.csv"] {
        assert_eq!(fs::read(p.join("sw").join(f)).unwrap(), fs::read(p.join("ms").join(f)).unwrap(), "{f}");
    }
    assert_eq!(fs::read(p.join("sw/indices.csv")).unwrap(), fs::read(p.join("whole/indices.csv")).unwrap());
}

/// A small sweep of demand x staff: long waits happen with one worker under high demand, and
/// `discover` says so in a sentence and draws the box on the regime map.
#[test]
fn discover_finds_where_waits_are_long() {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("a.toml"), desk(1, 60)).unwrap();
    fs::write(
        d.path().join("sw.toml"),
        "base = \"a.toml\"\nreplications = 2\n\
         [[parameters]]\npath = \"platforms.line.arrival_rate_per_day\"\nvalues = [8.0, 12.0, 16.0, 20.0]\n\
         [[parameters]]\npath = \"departments.desk.staff\"\nvalues = [1, 2, 3]\n",
    )
    .unwrap();
    embedsim(d.path(), &["sweep", "sw.toml", "--out", "sw", "--quiet"]);
    let text = embedsim(d.path(), &["discover", "sw", "--platform", "line", "--outcome", "mean_wait_hours>1.5"]);
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("line has mean_wait_hours above 1.5 when "), "{first}");
    assert!(first.contains("departments.desk.staff is below 1.5"), "{first}");
    assert!(first.contains("platforms.line.arrival_rate_per_day is above 14"), "{first}");
    assert!(first.contains("density 100%"), "{first}");
    assert!(d.path().join("sw/regime-map-line-discovered.svg").exists());
    let bad = cargo_bin_cmd!("embedsim")
        .current_dir(d.path())
        .args(["discover", "sw", "--platform", "line", "--outcome", "wait>1"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown metric `wait`"));
}
