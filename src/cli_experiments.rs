//! The experiment commands: `sweep`, `merge`, `compare`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use embedsim::experiment::compare::{self, Settings};
use embedsim::experiment::shard::{self, RunOptions, Shard};
use embedsim::experiment::sweep::Sweep;
use embedsim::scenario;

use embedsim::analysis::multiplicity::Adjust;
use embedsim::analysis::warmup::Warmup;

use crate::cli::progress;
use crate::cli_research::StatsArgs;

/// Hidden, for tests of `--resume`: start at most this many runs, then stop as if interrupted.
const STOP_AFTER_ENV: &str = "EMBEDSIM_SWEEP_STOP_AFTER";

/// `embedsim sweep`.
pub fn sweep(
    file: &Path,
    out: Option<PathBuf>,
    threads: Option<usize>,
    quiet: bool,
    shard: Option<Shard>,
    resume: bool,
) -> Result<ExitCode> {
    if let Some(0) = threads {
        anyhow::bail!("--threads must be at least 1");
    }
    let sw = Sweep::load(file)?;
    let dir = out.unwrap_or_else(|| Path::new("runs").join("sweeps").join(&sw.name));
    let stop_after = match std::env::var(STOP_AFTER_ENV) {
        Ok(v) => Some(v.parse::<usize>().with_context(|| format!("{STOP_AFTER_ENV} must be a whole number"))?),
        Err(_) => None,
    };
    let opts = RunOptions { threads, shard, resume, stop_after };
    let mine = (0..sw.runs()).filter(|&i| shard.is_none_or(|s| s.owns(i))).count();
    if !quiet {
        let of = shard.map(|s| format!(" (shard {s}: {mine} runs)")).unwrap_or_default();
        eprintln!(
            "{}: {} points x {} replications = {} runs{of}, seed {}",
            sw.name,
            sw.points.len(),
            sw.replications,
            sw.runs(),
            sw.seed
        );
    }
    let bar = progress(mine as u64, quiet, &sw.name);
    let result = shard::run_sweep(&sw, &dir, &opts, &|| bar.inc(1));
    bar.finish_and_clear();
    let outcome = result.with_context(|| format!("sweep {} into {}", file.display(), dir.display()))?;
    if !quiet {
        if outcome.resumed > 0 {
            outln!("resumed: {} of {} runs were already done", outcome.resumed, outcome.planned);
        }
        outln!("wrote {}", outcome.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", "));
        if shard.is_some() {
            outln!("when every shard is done: embedsim merge <shard dirs...> --out <dir>");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `embedsim merge`.
pub fn merge(dirs: &[PathBuf], out: &Path, quiet: bool) -> Result<ExitCode> {
    anyhow::ensure!(!dirs.is_empty(), "name at least one shard folder");
    let files = shard::merge(dirs, out).with_context(|| format!("merging into {}", out.display()))?;
    if !quiet {
        outln!(
            "merged {} folders; wrote {}",
            dirs.len(),
            files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `embedsim compare`.
#[allow(clippy::too_many_arguments)]
pub fn compare(
    a: &Path,
    b: &Path,
    replications: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    out: Option<PathBuf>,
    quiet: bool,
    adjust: Adjust,
    stats: &StatsArgs,
) -> Result<ExitCode> {
    if let Some(0) = threads {
        anyhow::bail!("--threads must be at least 1");
    }
    if let Some(r) = replications {
        anyhow::ensure!(r >= 2, "--replications must be at least 2 for a confidence interval");
    }
    stats.check()?;
    let sa = scenario::load_path(a)?;
    let sb = scenario::load_path(b)?;
    let settings = Settings {
        replications,
        seed,
        threads,
        adjust,
        warmup: stats.warmup.clone().unwrap_or_default(),
        warmup_metric: stats.warmup_metric.clone(),
        precision: stats.precision.clone(),
        max_replications: stats.max_replications,
    };
    let reps = replications.unwrap_or(sa.simulation.replications);
    let pilots = if stats.warmup == Some(Warmup::Auto) { 2 } else { 1 };
    let bar = progress(2 * pilots * reps as u64, quiet, "compare");
    let result = compare::compare(&sa, &sb, &settings, &|| bar.inc(1));
    bar.finish_and_clear();
    let c = result.context("running the comparison")?;
    anyhow::ensure!(!c.diffs.is_empty(), "{} and {} have no platform in common", a.display(), b.display());
    let dir = out.unwrap_or_else(|| Path::new("runs").join("compare").join(format!("{}-vs-{}", sa.name, sb.name)));
    let path = dir.join("compare.csv");
    compare::write_csv(&path, &c.diffs)?;
    if !quiet {
        outln!(
            "A = {} ({}), B = {} ({}); {} paired replications, seed {}; B − A with paired 95% intervals",
            sa.name,
            a.display(),
            sb.name,
            b.display(),
            c.replications,
            c.seed
        );
        outln!(
            "period: every figure is over orders arriving in days {}–{} ({} days) of each replication; {}, the same for A and B; totals are per replication over that period, rates over the denominators listed below the table",
            c.warmup_days,
            c.duration_days,
            c.duration_days - c.warmup_days,
            c.warmup_note
        );
        outln!("{}", c.adjust.describe());
        outln!("on A, {}", c.advice.0.sentence());
        outln!("on B, {}", c.advice.1.sentence());
        if let Some(r) = &c.precision {
            outln!("{} (paired differences)", crate::cli_research::precision_note(stats, r));
        }
        outln!();
        outln!("{:<14} {:<24} {:>12} {:>12} {:>24} {:>10}", "platform", "metric", "A", "B", "B − A", "p (adj.)");
        for d in &c.diffs {
            outln!(
                "{:<14} {:<24} {:>12.4} {:>12.4} {:>24} {:>10}",
                d.platform,
                d.metric,
                d.mean_a,
                d.mean_b,
                format!("{:+.4} ± {:.4}{}", d.diff, d.half_width, if d.significant() { " *" } else { "" }),
                if d.p_adjusted.is_nan() { "-".to_string() } else { format!("{:.4}", d.p_adjusted) }
            );
        }
        outln!("\nwhat each figure averages:");
        for m in embedsim::experiment::sweep::KEY_METRICS {
            outln!("  {m:<24} {}", compare::basis(m));
        }
        outln!();
        for d in c.diffs.iter().filter(|d| d.significant()) {
            outln!("{}.", d.sentence());
        }
        outln!("\n(* adjusted p ≤ 0.05, {}; intervals are unadjusted 95%) wrote {}", c.adjust, path.display());
    }
    Ok(ExitCode::SUCCESS)
}
