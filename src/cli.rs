//! Command-line interface: argument definitions and the printing the library never does.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use embedsim::experiment::{self, validation};
use embedsim::output;
use embedsim::scenario::{self, Scenario};

/// embedsim: how digital governance platforms embed — or float — in a township.
#[derive(Parser, Debug)]
#[command(name = "embedsim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario's replications and write summary.csv, timeseries.csv and more.
    Run {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Output folder [default: runs/<scenario name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override simulation.seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Override simulation.replications.
        #[arg(long)]
        replications: Option<u32>,
        /// Worker threads [default: one per core]. Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// No progress bar, no summary table.
        #[arg(long)]
        quiet: bool,
        /// Also run without this platform (its issues go offline or unreported), on the same
        /// random numbers, and report the net empowerment; writes baseline.csv.
        #[arg(long, value_name = "PLATFORM")]
        baseline: Option<String>,
        #[command(flatten)]
        stats: crate::cli_research::StatsArgs,
    },
    /// Tell the life of one order as a story: who touched it, when, and what happened.
    Trace {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// The order's number: 1 is the first order to arrive in the run, on any platform.
        #[arg(long)]
        order: u64,
        /// Which replication.
        #[arg(long, default_value_t = 0)]
        replication: u32,
        /// Override simulation.seed.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Load and validate a scenario; describe it or say what is wrong.
    Check {
        /// The scenario file (TOML).
        scenario: PathBuf,
    },
    /// Run a parameter sweep: points x replications, runs.csv, points.csv and charts (docs/SWEEPS.md).
    Sweep {
        /// The sweep file (TOML).
        sweep: PathBuf,
        /// Output folder [default: runs/sweeps/<sweep name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads [default: one per core]. Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// No progress bar, no messages.
        #[arg(long)]
        quiet: bool,
        /// Run only slice K of N (1-based), e.g. 3/8; combine the slices with `embedsim merge`.
        #[arg(long, value_name = "K/N")]
        shard: Option<embedsim::experiment::shard::Shard>,
        /// Continue an interrupted sweep in --out, skipping finished runs.
        #[arg(long)]
        resume: bool,
    },
    /// Combine the folders of a sharded sweep into runs.csv, points.csv and charts.
    Merge {
        /// Shard output folders.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// No messages.
        #[arg(long)]
        quiet: bool,
    },
    /// Paired comparison of two scenarios on common random numbers: B − A with 95% intervals.
    Compare {
        /// Scenario A (TOML).
        a: PathBuf,
        /// Scenario B (TOML).
        b: PathBuf,
        /// Replications [default: A's].
        #[arg(long)]
        replications: Option<u32>,
        /// Seed for both [default: A's].
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads [default: one per core].
        #[arg(long)]
        threads: Option<usize>,
        /// Output folder for compare.csv [default: runs/compare/<A>-vs-<B>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// No progress bar, no table.
        #[arg(long)]
        quiet: bool,
        /// Multiplicity adjustment over all the tests reported: holm (family-wise error), bh
        /// (false discovery rate, Benjamini-Hochberg) or none.
        #[arg(long, default_value = "holm")]
        adjust: embedsim::analysis::multiplicity::Adjust,
        #[command(flatten)]
        stats: crate::cli_research::StatsArgs,
    },
    /// Global sensitivity: Morris screening or Sobol indices of outputs over bounded parameters (docs/RESEARCH.md).
    Sensitivity {
        /// The sensitivity file (TOML).
        file: PathBuf,
        #[command(flatten)]
        job: crate::cli_research::JobArgs,
    },
    /// Scenario discovery: the box of parameters where an outcome happens (PRIM) in a finished sweep.
    Discover {
        /// A finished sweep's folder (runs.csv, manifest.toml).
        dir: PathBuf,
        /// The platform.
        #[arg(long)]
        platform: String,
        /// A regime (overloaded, floating, ...) or METRIC<VALUE / METRIC>VALUE.
        #[arg(long)]
        outcome: String,
        /// Share of the box's runs peeled per step.
        #[arg(long, default_value_t = 0.05)]
        alpha: f64,
        /// Keep the densest box covering at least this share of the cases not yet covered.
        #[arg(long, default_value_t = 0.3)]
        min_coverage: f64,
        /// Look for up to this many boxes (covering: each next box among the runs left).
        #[arg(long, default_value_t = 3)]
        boxes: usize,
        /// Print nothing.
        #[arg(long)]
        quiet: bool,
    },
    /// Calibrate parameters to targets by simulated method of moments (docs/RESEARCH.md).
    Calibrate {
        /// The calibration file (TOML).
        file: PathBuf,
        #[command(flatten)]
        job: crate::cli_research::JobArgs,
    },
    /// Compare the simulator with queueing theory (MODEL.md section 8).
    Validate {
        /// Replications per case.
        #[arg(long, default_value_t = 30)]
        replications: u32,
        /// Simulated days per replication.
        #[arg(long, default_value_t = 2500)]
        days: u32,
        /// Base seed.
        #[arg(long, default_value_t = 2025)]
        seed: u64,
        /// Worker threads [default: one per core].
        #[arg(long)]
        threads: Option<usize>,
    },
}

/// Runs the chosen command.
pub fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run { scenario, out, seed, replications, threads, quiet, baseline, stats } => {
            run(&scenario, out, seed, replications, threads, quiet, baseline, &stats)
        }
        Command::Trace { scenario, order, replication, seed } => {
            let mut sc = load(&scenario)?;
            if let Some(s) = seed {
                sc.simulation.seed = s;
            }
            let lines = experiment::trace::trace(&sc, replication, order)?;
            outln!("{} — order #{order}, replication {replication}, seed {}\n", sc.name, sc.simulation.seed);
            out!("{}", experiment::trace::tell(&lines));
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { scenario } => {
            let sc = load(&scenario)?;
            out!("{}", sc.describe());
            outln!("ok: {} is valid", scenario.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Sweep { sweep, out, threads, quiet, shard, resume } => {
            crate::cli_experiments::sweep(&sweep, out, threads, quiet, shard, resume)
        }
        Command::Merge { dirs, out, quiet } => crate::cli_experiments::merge(&dirs, &out, quiet),
        Command::Compare { a, b, replications, seed, threads, out, quiet, adjust, stats } => {
            crate::cli_experiments::compare(&a, &b, replications, seed, threads, out, quiet, adjust, &stats)
        }
        Command::Sensitivity { file, job } => crate::cli_research::sensitivity(&file, &job),
        Command::Discover { dir, platform, outcome, alpha, min_coverage, boxes, quiet } => {
            crate::cli_research::discover(&dir, &platform, &outcome, alpha, min_coverage, boxes, quiet)
        }
        Command::Calibrate { file, job } => crate::cli_research::calibrate(&file, &job),
        Command::Validate { replications, days, seed, threads } => validate(replications, days, seed, threads),
    }
}

fn load(path: &Path) -> Result<Scenario> {
    Ok(scenario::load_path(path)?)
}

/// A progress bar on stderr, hidden when quiet or when stderr is not a terminal.
pub fn progress(len: u64, quiet: bool, what: &str) -> ProgressBar {
    if quiet || len < 2 || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} runs, {per_sec}, {eta} left")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

#[allow(clippy::too_many_arguments)]
fn run(
    path: &Path,
    out: Option<PathBuf>,
    seed: Option<u64>,
    reps: Option<u32>,
    threads: Option<usize>,
    quiet: bool,
    baseline: Option<String>,
    stats: &crate::cli_research::StatsArgs,
) -> Result<ExitCode> {
    let mut sc = load(path)?;
    if let Some(s) = seed {
        sc.simulation.seed = s;
    }
    if let Some(r) = reps {
        anyhow::ensure!(r >= 1, "--replications must be at least 1");
        sc.simulation.replications = r;
    }
    if let Some(0) = threads {
        anyhow::bail!("--threads must be at least 1");
    }
    stats.check()?;
    anyhow::ensure!(
        baseline.is_none() || stats.precision.is_empty(),
        "--precision cannot be combined with --baseline; fix --replications instead"
    );
    let dir = out.unwrap_or_else(|| Path::new("runs").join(&sc.name));
    let pilot = stats.warmup == Some(embedsim::analysis::warmup::Warmup::Auto);
    let runs = sc.simulation.replications as u64 * if baseline.is_some() { 2 } else { 1 } * if pilot { 2 } else { 1 };
    let bar = progress(runs, quiet, &sc.name);
    let warmup_note = crate::cli_research::apply_warmup(&mut sc, stats, threads, &bar)?;
    let context = || format!("running {}", path.display());
    let mut precision = None;
    let (outs, net) = match &baseline {
        None => {
            let (outs, reached) =
                crate::cli_research::run_precise(&sc, stats, threads, &|| bar.inc(1)).with_context(context)?;
            precision = reached;
            (outs, None)
        }
        Some(id) => {
            let (b, outs) = experiment::baseline::baseline(&sc, id, threads, &|| bar.inc(1)).with_context(context)?;
            (outs, Some(b))
        }
    };
    bar.finish_and_clear();
    let rows = output::summaries(&sc, &outs);
    let mut files = output::write_run(&dir, &sc, &outs, &rows)?;
    if let Some(b) = &net {
        let path = dir.join("baseline.csv");
        output::csv::write_baseline(&path, b)?;
        files.push(path.display().to_string());
    }
    if !quiet {
        out!("{}", output::report::summary_table(&sc, &outs, &rows));
        let advice = embedsim::analysis::warmup::advise(&sc, &outs, &stats.warmup_metric);
        outln!("\n{warmup_note}; {}", advice.sentence());
        if let Some(r) = &precision {
            outln!("{}", crate::cli_research::precision_note(stats, r));
        }
        if let Some(b) = &net {
            out!("{}", experiment::baseline::describe(b));
        }
        outln!("\nwrote {}", files.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

fn validate(replications: u32, days: u32, seed: u64, threads: Option<usize>) -> Result<ExitCode> {
    anyhow::ensure!(replications >= 2, "--replications must be at least 2 for a confidence interval");
    anyhow::ensure!(days > 50, "--days must exceed the 50-day warm-up");
    let settings = validation::Settings { seed, replications, days, threads };
    let checks = validation::run(&settings)?;
    outln!("{} replications x {} days per case, seed {}; 95% confidence intervals\n", replications, days, seed);
    outln!("{:<24} {:<44} {:>10} {:>22}  verdict", "case", "measure", "theory", "simulation");
    let mut failed = 0;
    for c in &checks {
        let verdict = if c.pass() { "ok" } else { "OUTSIDE" };
        if !c.pass() {
            failed += 1;
        }
        outln!(
            "{:<24} {:<44} {:>10.4} {:>22}  {}",
            c.case,
            c.measure,
            c.theory,
            format!("{:.4} ± {:.4}", c.mean, c.half_width),
            verdict
        );
    }
    outln!();
    if failed == 0 {
        outln!("all {} checks: theory inside the 95% interval", checks.len());
        Ok(ExitCode::SUCCESS)
    } else {
        outln!("{failed} of {} checks: theory outside the 95% interval", checks.len());
        Ok(ExitCode::FAILURE)
    }
}
