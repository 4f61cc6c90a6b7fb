//! The memory estimate behind `--large` (on the command line and on the classroom page) is
//! within a factor of two of what a run really takes, measured as the peak resident memory of
//! `embedsim run` on scenarios whose peak comes from different parts (a long run's daily
//! records, many replications in flight, a big world, a long run that keeps no daily records).

#[path = "common/limited.rs"]
mod limited;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use embedsim::output::estimate_peak_bytes;
use embedsim::scenario::DayRecords;
use embedsim::scenario::bundled::named;
use embedsim::scenario::overrides::{load_variant_str, parse_set};

#[test]
fn the_estimate_is_within_two_times_the_measured_peak() {
    let out = tempfile::tempdir().unwrap();
    let cases: [(&str, u32, usize, &str, &[&str]); 4] = [
        ("s-town", 4, 1, "weekly", &["simulation.duration_days=7300"]),
        ("classroom-overload", 16, 2, "weekly", &["simulation.duration_days=7300"]),
        ("beijing-street", 2, 2, "none", &["simulation.duration_days=365"]),
        ("s-town", 4, 1, "none", &["simulation.duration_days=7300"]),
    ];
    let mut report = Vec::new();
    for (id, reps, threads, series, sets) in cases {
        let (_, file, text) = named(Path::new(id)).unwrap();
        let overrides: Vec<_> = sets.iter().map(|s| parse_set(s).unwrap()).collect();
        let mut sc = load_variant_str(text, file, &overrides).unwrap();
        if series == "none" {
            sc.simulation.day_records = DayRecords::Summary { warmup_metric: "open".into() };
        }
        let estimate = estimate_peak_bytes(&sc, reps, threads);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_embedsim"));
        cmd.args(["run", id, "--quiet", "--series", series, "--replications"])
            .arg(reps.to_string())
            .args(["--threads", &threads.to_string(), "--out"])
            .arg(out.path().join(format!("{id}-{series}")));
        for s in sets {
            cmd.args(["--set", s]);
        }
        let run = limited::run_limited(cmd, limited::FOUR_GIB, Duration::from_secs(300));
        assert_eq!(run.code, Some(0), "{id}: {}", run.stderr);
        let ratio = estimate as f64 / run.peak_bytes as f64;
        report.push(format!(
            "{id} --series {series}: estimate {:.1} MB, peak {:.1} MB, ratio {ratio:.2}",
            estimate as f64 / 1e6,
            run.peak_bytes as f64 / 1e6
        ));
        assert!((0.5..=2.0).contains(&ratio), "{}", report.join("\n"));
    }
    eprintln!("{}", report.join("\n"));
}
