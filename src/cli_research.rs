//! The research commands (`sensitivity`, `discover`, `calibrate`) and the statistical options
//! `run` and `compare` share (`--warmup`, `--precision`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use indicatif::ProgressBar;

use embedsim::analysis::calibrate::{self, Calibration};
use embedsim::analysis::discovery::{self, Outcome};
use embedsim::analysis::precision::{Reached, Target, extend_until};
use embedsim::analysis::prim::PrimSettings;
use embedsim::analysis::sensitivity::{self, Study};
use embedsim::analysis::warmup::{self, Warmup};
use embedsim::experiment::shard::RunOptions;
use embedsim::experiment::{ExperimentError, run_range};
use embedsim::metrics::summary::summarize;
use embedsim::model::RunOutput;
use embedsim::output;
use embedsim::scenario::Scenario;

use crate::cli_common::progress;

/// Warm-up and precision options of `run` and `compare`.
#[derive(Args, Debug, Clone, Default)]
pub struct StatsArgs {
    /// Warm-up in days, or `auto` for MSER-5 on the daily series of --warmup-metric
    /// [default: the scenario's simulation.warmup_days; compare: the longer of the two].
    #[arg(long, value_name = "DAYS|auto")]
    pub warmup: Option<Warmup>,
    /// Daily platform series MSER-5 reads: open, arrivals, dispatched, closed, lost, open_overdue,
    /// leader_attention_hours, staff_hours, burden_hours.
    #[arg(long, default_value = "open", value_name = "METRIC")]
    pub warmup_metric: String,
    /// Add replications until this 95% half-width is reached on every platform, e.g.
    /// closed_per_month=2 or on_time_share=5% (relative to the mean); repeatable. In compare,
    /// half-widths of the paired differences.
    #[arg(long, value_name = "METRIC=HALF_WIDTH")]
    pub precision: Vec<Target>,
    /// With --precision: stop at this many replications.
    #[arg(long, default_value_t = 200)]
    pub max_replications: u32,
}

impl StatsArgs {
    /// Checks the options.
    pub fn check(&self) -> Result<()> {
        warmup::check_metric(&self.warmup_metric).map_err(anyhow::Error::msg)?;
        anyhow::ensure!(self.max_replications >= 2, "--max-replications must be at least 2");
        Ok(())
    }
}

/// Applies the warm-up option to `sc` (running a pilot for `auto`); returns the note to print.
pub fn apply_warmup(sc: &mut Scenario, stats: &StatsArgs, threads: Option<usize>, bar: &ProgressBar) -> Result<String> {
    let how = stats.warmup.clone().unwrap_or_default();
    Ok(warmup::apply(&mut [sc], &how, &stats.warmup_metric, threads, &|| bar.inc(1))?)
}

/// Runs `sc`'s replications, adding more until the precision targets are met.
pub fn run_precise(
    sc: &Scenario,
    stats: &StatsArgs,
    threads: Option<usize>,
    tick: &(dyn Fn() + Sync),
) -> Result<(Vec<RunOutput>, Option<Reached>), ExperimentError> {
    let mut outs = run_range(sc, 0, sc.simulation.replications, threads, tick)?;
    if stats.precision.is_empty() {
        return Ok((outs, None));
    }
    let samples = |have: &[RunOutput]| {
        let rows: Vec<_> = have.iter().map(|o| summarize(sc, o)).collect();
        (0..sc.platforms.len())
            .flat_map(|p| stats.precision.iter().map(move |t| (p, t)))
            .map(|(p, t)| (rows.iter().map(|r| r[p].get(&t.metric)).collect(), t.clone()))
            .collect()
    };
    let max = stats.max_replications.max(sc.simulation.replications);
    let reached = extend_until(&mut outs, max, &samples, &mut |a, b| run_range(sc, a, b, threads, tick))?;
    Ok((outs, Some(reached)))
}

/// "replications: 23 were needed for closed_per_month ± 2 on every platform" or the shortfall.
pub fn precision_note(stats: &StatsArgs, r: &Reached) -> String {
    let what: Vec<String> = stats.precision.iter().map(Target::text).collect();
    if r.met {
        format!(
            "precision: {} replications were needed for {} (95% half-widths) on every platform",
            r.replications,
            what.join(", ")
        )
    } else {
        format!(
            "warning: precision not reached: stopped at --max-replications {} before {} on every platform",
            r.replications,
            what.join(", ")
        )
    }
}

/// Options of the long research jobs (`sensitivity`, `calibrate`).
#[derive(Args, Debug, Clone)]
pub struct JobArgs {
    /// Output folder [default: runs/<command>/<name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads [default: one per core]. Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar, no report.
    #[arg(long)]
    pub quiet: bool,
    /// Continue an interrupted job in --out (finished runs are read back from its journal).
    #[arg(long)]
    pub resume: bool,
}

/// `embedsim sensitivity`.
pub fn sensitivity(
    file: &Path,
    job: &JobArgs,
    shard: Option<embedsim::experiment::shard::Shard>,
    format: embedsim::output::Format,
    series: Option<embedsim::output::csv::Series>,
) -> Result<ExitCode> {
    let JobArgs { out, threads, quiet, resume } = job.clone();
    anyhow::ensure!(threads != Some(0), "--threads must be at least 1");
    let study = Study::load(file)?;
    let dir = out.unwrap_or_else(|| Path::new("runs").join("sensitivity").join(&study.name));
    if let Some(s) = shard {
        return sensitivity_shard(file, &study, &dir, s, threads, quiet, resume, series);
    }
    let points = study.unit_points().len();
    let runs = points * study.design.replications as usize;
    if !quiet {
        eprintln!(
            "{}: {:?}{}, {} parameters, {} points x {} replications = {} runs, seed {}",
            study.name,
            study.method,
            if study.second_order { " with second order" } else { "" },
            study.design.parameters.len(),
            points,
            study.design.replications,
            runs,
            study.design.seed
        );
    }
    let bar = progress(runs as u64, quiet, &study.name);
    let opts = RunOptions {
        threads,
        shard: None,
        resume,
        stop_after: None,
        interrupted: Some(crate::cli_common::on_ctrl_c()),
        series,
    };
    let results = sensitivity::run(&study, &dir, &opts, &|| bar.inc(1));
    bar.finish_and_clear();
    let results = results.with_context(|| format!("sensitivity {} into {}", file.display(), dir.display()))?;
    let csv = dir.join("indices.csv");
    sensitivity::write_indices(&csv, &study, &results)?;
    let mut files = vec![csv.display().to_string()];
    let labels: Vec<String> = study.design.parameters.iter().map(|p| p.path.clone()).collect();
    for r in &results {
        let path = dir.join(format!("indices-{}.svg", r.output.replace(['.', '/'], "-")));
        let series: Vec<output::bars::BarSeries> = sensitivity::bars(r)
            .into_iter()
            .map(|(n, e)| (n, e.iter().map(|e| (e.value, e.low, e.high)).collect()))
            .collect();
        let y = match study.method {
            sensitivity::Method::Sobol => "Sobol index (95% bootstrap CI)",
            sensitivity::Method::Morris => "mu* per full range (95% bootstrap CI)",
        };
        output::bars::index_bars(&path, &format!("{}: {}", study.name, r.output), y, &labels, &series)?;
        files.push(path.display().to_string());
        if let Some(points) = sensitivity::mu_star_sigma(r) {
            let path = dir.join(format!("mustar-sigma-{}.svg", r.output.replace(['.', '/'], "-")));
            let points: Vec<_> = points.iter().map(|(m, s)| (m.value, m.low, m.high, *s)).collect();
            let title = format!("{}: {} (Morris mu* and sigma)", study.name, r.output);
            output::bars::mu_star_sigma(&path, &title, &labels, &points)?;
            files.push(path.display().to_string());
        }
    }
    let mut tables = Vec::new();
    crate::cli_experiments::tables_as(&dir, crate::cli_experiments::SWEEP_TABLES, format, &mut tables)?;
    files.retain(|f| Path::new(f).exists());
    files.extend(tables.iter().map(|f| f.display().to_string()));
    if !quiet {
        for r in &results {
            out!("{}", sensitivity::table(&study, r));
            outln!();
        }
        outln!("wrote {} (and the design's runs and points tables in {})", files.join(", "), dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `embedsim sensitivity --shard K/N`: the slice's runs of the study's sweep, into `dir` as a
/// sweep's shard (no indices: they need every run); `--resume` continues an interrupted slice.
#[allow(clippy::too_many_arguments)]
fn sensitivity_shard(
    file: &Path,
    study: &Study,
    dir: &Path,
    shard: embedsim::experiment::shard::Shard,
    threads: Option<usize>,
    quiet: bool,
    resume: bool,
    series: Option<embedsim::output::csv::Series>,
) -> Result<ExitCode> {
    let sweep = study.design.sweep(&study.name, &study.unit_points())?;
    let mine = (0..sweep.runs()).filter(|&i| shard.owns(i)).count();
    if !quiet {
        eprintln!("{}: shard {shard}: {mine} of {} runs", study.name, sweep.runs());
    }
    let bar = progress(mine as u64, quiet, &study.name);
    let opts = RunOptions {
        threads,
        shard: Some(shard),
        resume,
        stop_after: None,
        interrupted: Some(crate::cli_common::on_ctrl_c()),
        series,
    };
    let result = embedsim::experiment::shard::run_sweep(&sweep, dir, &opts, &|| bar.inc(1));
    bar.finish_and_clear();
    result.with_context(|| format!("sensitivity {} (shard {shard}) into {}", file.display(), dir.display()))?;
    if !quiet {
        outln!(
            "wrote shard {shard} in {}; when every shard is done: embedsim merge <shard dirs...> --out DIR, then embedsim sensitivity {} --out DIR --resume",
            dir.display(),
            file.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `embedsim discover`.
#[allow(clippy::too_many_arguments)]
pub fn discover(
    dir: &Path,
    platform: &str,
    outcome: &str,
    alpha: f64,
    min_coverage: f64,
    boxes: usize,
    quiet: bool,
) -> Result<ExitCode> {
    anyhow::ensure!(boxes >= 1, "--boxes must be at least 1");
    anyhow::ensure!(alpha > 0.0 && alpha < 0.5, "--alpha must be between 0 and 0.5");
    anyhow::ensure!((0.0..=1.0).contains(&min_coverage), "--min-coverage must be between 0 and 1");
    let (m, records) = discovery::read_runs(dir)?;
    let outcome = Outcome::parse(outcome, &m.metrics).map_err(|e| anyhow::anyhow!("--outcome: {e}"))?;
    let s = PrimSettings { alpha, min_coverage, ..PrimSettings::default() };
    let d = discovery::discover(&m, &records, platform, &outcome, &s, boxes).map_err(anyhow::Error::msg)?;
    let sentence = discovery::sentence(&d, platform, &outcome);
    let files = discovery::write(dir, &m, &records, platform, &outcome, &d)?;
    if !quiet {
        outln!("{sentence}");
        outln!("(peeling trajectories in discover-{platform}.txt)");
        outln!("\nwrote {}", files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

/// `embedsim calibrate`; with `shard`, only that slice of the global search.
pub fn calibrate(
    file: &Path,
    job: &JobArgs,
    shard: Option<embedsim::experiment::shard::Shard>,
    format: embedsim::output::Format,
) -> Result<ExitCode> {
    let JobArgs { out, threads, quiet, resume } = job.clone();
    anyhow::ensure!(threads != Some(0), "--threads must be at least 1");
    let c = Calibration::load(file)?;
    let dir = out.unwrap_or_else(|| Path::new("runs").join("calibrate").join(&c.name));
    let stop_after = match std::env::var("EMBEDSIM_CALIBRATE_STOP_AFTER") {
        Ok(v) => Some(v.parse::<usize>().context("EMBEDSIM_CALIBRATE_STOP_AFTER must be a whole number")?),
        Err(_) => None,
    };
    if let Some(s) = shard {
        let bar = progress((0..c.global_points).filter(|&i| s.owns(i)).count() as u64, quiet, &c.name);
        let r =
            calibrate::calibrate_shard(&c, &dir, s, threads, resume, stop_after, &|n, _| bar.set_position(n as u64));
        bar.finish_and_clear();
        let r = r.with_context(|| format!("calibrating {} (shard {s}) into {}", file.display(), dir.display()))?;
        if !quiet {
            outln!(
                "wrote shard {s} in {} ({} global points, {} of them already there); when every shard is done: embedsim merge <shard dirs...> --out DIR, then embedsim calibrate {} --out DIR --resume",
                dir.display(),
                r.planned,
                r.resumed,
                file.display()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let bar = if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::new(
            c.global_points as u64
                + c.max_evaluations as u64
                + 2 * c.design.parameters.len() as u64
                + 2
                + (c.profile_points * c.profile_evaluations * c.design.parameters.len()) as u64,
        );
        b.set_style(
            indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/~{len} evaluations, {elapsed}")
                .expect("static template")
                .progress_chars("=> "),
        );
        b
    };
    let name = c.name.clone();
    let r = calibrate::calibrate(&c, &dir, threads, resume, stop_after, &|n, best| {
        bar.set_position(n as u64);
        bar.set_message(format!("{name}: best objective {best:.3}"));
    });
    bar.finish_and_clear();
    let r = r.with_context(|| format!("calibrating {} into {}", file.display(), dir.display()))?;
    let mut files: Vec<PathBuf> = ["calibration.csv", "fit.csv", "calibration.toml"].map(|f| dir.join(f)).to_vec();
    crate::cli_experiments::tables_as(&dir, &["calibration", "fit"], format, &mut files)?;
    if !r.profile.is_empty() {
        files.push(dir.join("profile.csv"));
    }
    if !quiet {
        out!("{}", calibrate::report(&c, &r));
        if r.resumed > 0 {
            outln!("\nresumed: {} evaluations were already in the journal", r.resumed);
        }
        outln!("\nwrote {}", files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
