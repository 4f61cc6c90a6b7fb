//! Command-line interface: argument definitions and the printing the library never does.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::cli_common::{Variant, load, on_ctrl_c, progress, progress_in, scenario_text};
use embedsim::experiment::shard::RunOptions;
use embedsim::experiment::{self, validation};
use embedsim::output;
use embedsim::scenario;

/// embedsim: how digital governance platforms embed — or float — in a township.
#[derive(Parser, Debug)]
#[command(
    name = "embedsim",
    version,
    about,
    long_about = None,
    arg_required_else_help = true,
    after_help = "Quick start:\n  embedsim scenarios                      the bundled scenarios, a line each\n  embedsim run s-town                     run one by name, from any folder\n  embedsim compare s-town s-town-swapped  two scenarios on the same random numbers\n  embedsim serve                          the classroom page in your browser\n  embedsim <command> --help               each command's options and examples"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario's replications and write summary.csv, timeseries.csv and more.
    #[command(
        after_help = "Examples:\n  embedsim run scenarios/s-town.toml\n  embedsim run scenarios/s-town.toml --set leaders.secretary.attention_hours_per_day=1 --out runs/starved\n  embedsim run scenarios/classroom-overload.toml --seed 3 --replications 8"
    )]
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
        #[arg(long, value_parser = replications_arg)]
        replications: Option<u32>,
        /// Worker threads [default: one per core]. Results do not depend on it.
        #[arg(long, value_parser = threads_arg)]
        threads: Option<usize>,
        /// No progress bar, no summary table.
        #[arg(long)]
        quiet: bool,
        /// Also run without this platform (its issues go offline or unreported), on the same
        /// random numbers, and report the net empowerment; writes baseline.csv.
        #[arg(long, value_name = "PLATFORM")]
        baseline: Option<String>,
        /// Go on even if the output, or the daily records held in memory until it is written, is
        /// estimated above 2 GB.
        #[arg(long)]
        large: bool,
        /// Daily series in timeseries.csv: all, platforms (platforms only), weekly (platforms,
        /// every seventh day) or none (the header alone) — for large runs.
        #[arg(long, value_enum, default_value_t = output::csv::Series::All)]
        series: output::csv::Series,
        /// Format of the summary and the daily series: csv (summary.csv, timeseries.csv),
        /// parquet (summary.parquet, timeseries.parquet, for large runs) or both.
        #[arg(long, value_enum, default_value_t = output::Format::Csv)]
        format: output::Format,
        #[command(flatten)]
        variant: Variant,
        #[command(flatten)]
        stats: crate::cli_research::StatsArgs,
    },
    /// Tell the life of one order as a story: who touched it, when, and what happened.
    #[command(
        after_help = "Examples:\n  embedsim trace scenarios/s-town.toml --order 120\n  embedsim trace scenarios/classroom-overload.toml --order 1500 --lang zh --replication 2\n  embedsim trace classroom-tipping --platform voice --day 150"
    )]
    Trace {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// The order's number: 1 is the first order to arrive in the run, on any platform.
        #[arg(long, required_unless_present = "platform", conflicts_with = "platform")]
        order: Option<u64>,
        /// Instead of --order: the first order to arrive on this platform on --day or later.
        #[arg(long, requires = "day")]
        platform: Option<String>,
        /// With --platform: the day (0-based) from which to take the first order.
        #[arg(long, requires = "platform")]
        day: Option<u32>,
        /// Which replication.
        #[arg(long, default_value_t = 0)]
        replication: u32,
        /// Override simulation.seed.
        #[arg(long)]
        seed: Option<u64>,
        /// The language of the story: English or 中文.
        #[arg(long, value_enum, default_value_t = output::story::Lang::En)]
        lang: output::story::Lang,
        #[command(flatten)]
        variant: Variant,
    },
    /// List the scenarios built into the binary (run any of them by name from any folder).
    #[command(after_help = "Examples:\n  embedsim scenarios\n  embedsim run s-town\n  embedsim check wuzhen")]
    Scenarios,
    /// List every key of the scenario format: its type, its range (in the validator's words), its
    /// default and what it means; with a scenario, also the value it sets.
    #[command(after_help = "Examples:\n  embedsim keys\n  embedsim keys s-town\n  embedsim keys scenarios/j-town.toml")]
    Keys {
        /// A scenario (file or bundled name) whose values to show beside the keys.
        scenario: Option<PathBuf>,
    },
    /// Load and validate a scenario; describe it or say what is wrong.
    #[command(
        after_help = "Examples:\n  embedsim check scenarios/s-town.toml\n  embedsim check scenarios/s-town.toml --unset platforms.comprehensive.operator.offline_prob"
    )]
    Check {
        /// The scenario file (TOML).
        scenario: PathBuf,
        #[command(flatten)]
        variant: Variant,
    },
    /// Run a parameter sweep: points x replications, runs.csv, points.csv and charts (docs/SWEEPS.md).
    #[command(
        after_help = "Examples:\n  embedsim sweep scenarios/sweeps/attention-vs-load.toml --report\n  embedsim sweep scenarios/sweeps/attention-vs-load.toml --shard 1/4 --out runs/shard1\n  embedsim sweep scenarios/sweeps/attention-vs-load.toml --resume --out runs/sweeps/attention-vs-load"
    )]
    Sweep {
        /// The sweep file (TOML).
        sweep: PathBuf,
        /// Output folder [default: runs/sweeps/<sweep name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads [default: one per core]. Results do not depend on it.
        #[arg(long, value_parser = threads_arg)]
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
        /// Also write report.html: the regime maps and the decisive figures in sentences, in
        /// English and 中文, in one file that opens offline.
        #[arg(long, conflicts_with = "shard")]
        report: bool,
        /// Format of the tables: csv (runs.csv, points.csv), parquet (runs.parquet and
        /// points.parquet; runs.csv stays, the sweep's own record) or both. A shard's format is
        /// chosen at `merge`.
        #[arg(long, value_enum, default_value_t = output::Format::Csv, conflicts_with = "shard")]
        format: output::Format,
        /// Keep each run's daily series, per platform, in series.parquet with the point's
        /// parameters as columns: weekly (the last day of each week) or platforms (every day).
        #[arg(long, value_enum, default_value_t = output::csv::Series::None, value_parser = sweep_series)]
        series: output::csv::Series,
    },
    /// Combine the folders of a sharded sweep or sensitivity study into runs.csv, points.csv and
    /// charts; or a sharded calibration's journals, for `calibrate --resume`.
    #[command(
        after_help = "Examples:\n  embedsim merge runs/shard1 runs/shard2 runs/shard3 runs/shard4 --out runs/merged\n  embedsim merge runs/part-* --out runs/merged --quiet\n  embedsim merge runs/shard1 runs/shard2 --out runs/merged --report scenarios/sweeps/attention-vs-load.toml"
    )]
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
        /// Also write report.html, as `sweep --report` on one machine would: give the sweep file
        /// the shards ran (refused if it is not that sweep).
        #[arg(long, value_name = "SWEEP")]
        report: Option<PathBuf>,
        /// Format of the merged tables, as `sweep --format`.
        #[arg(long, value_enum, default_value_t = output::Format::Csv)]
        format: output::Format,
    },
    /// Paired comparison of two scenarios on common random numbers: B − A with 95% intervals.
    /// Give one scenario and --set-b/--unset-b to compare a scenario with its own variant.
    #[command(
        after_help = "Examples:\n  embedsim compare scenarios/s-town.toml scenarios/s-town-swapped.toml\n  embedsim compare scenarios/s-town.toml --set-b platforms.minhu.arrival_rate_per_day=3.0 --report\n  embedsim compare scenarios/classroom-steady.toml scenarios/classroom-overload.toml --replications 8"
    )]
    Compare {
        /// Scenario A (TOML).
        a: PathBuf,
        /// Scenario B (TOML) [default: A, changed by --set-b/--unset-b].
        b: Option<PathBuf>,
        /// Changes applied to both A and B.
        #[command(flatten)]
        both: Variant,
        /// Set a key in B only (as --set).
        #[arg(long = "set-b", value_name = "KEY=VALUE")]
        set_b: Vec<String>,
        /// Remove a key or table in B only (as --unset).
        #[arg(long = "unset-b", value_name = "KEY")]
        unset_b: Vec<String>,
        /// Replications [default: A's].
        #[arg(long, value_parser = replications_arg)]
        replications: Option<u32>,
        /// Seed for both [default: A's].
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads [default: one per core].
        #[arg(long, value_parser = threads_arg)]
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
        /// Also write report.html: both runs side by side, with the differences in sentences.
        #[arg(long)]
        report: bool,
        /// Go on even if the daily records both sides hold in memory are estimated above 2 GB.
        #[arg(long)]
        large: bool,
    },
    /// Global sensitivity: Morris screening or Sobol indices of outputs over bounded parameters (docs/RESEARCH.md).
    #[command(
        after_help = "Examples:\n  embedsim sensitivity scenarios/sensitivity/s-town-morris.toml\n  embedsim sensitivity scenarios/sensitivity/s-town-sobol.toml --shard 1/2 --out runs/sobol-1\n  embedsim sensitivity scenarios/sensitivity/s-town-sobol.toml --resume --out runs/sobol"
    )]
    Sensitivity {
        /// The sensitivity file (TOML).
        file: PathBuf,
        #[command(flatten)]
        job: crate::cli_research::JobArgs,
        /// Run only slice K of N (1-based) of the study's runs, e.g. 3/8. Combine the slices with
        /// `embedsim merge <shard dirs...> --out DIR`, then `embedsim sensitivity FILE --out DIR
        /// --resume` writes the indices from the merged runs (no run is repeated).
        #[arg(long, value_name = "K/N")]
        shard: Option<embedsim::experiment::shard::Shard>,
        /// Format of the tables: csv (runs.csv, points.csv, indices.csv), parquet (the same as
        /// .parquet; runs.csv stays, the study's own record) or both.
        #[arg(long, value_enum, default_value_t = output::Format::Csv, conflicts_with = "shard")]
        format: output::Format,
        /// Keep each run's daily series, per platform, in series.parquet with the point's
        /// parameters as columns (as `sweep --series`): weekly or platforms.
        #[arg(long, value_enum, default_value_t = output::csv::Series::None, value_parser = sweep_series)]
        series: output::csv::Series,
    },
    /// Scenario discovery: the box of parameters where an outcome happens (PRIM) in a finished sweep
    /// (for the examples, first `embedsim sweep scenarios/sweeps/attention-vs-load.toml`).
    #[command(
        after_help = "Examples:\n  embedsim discover runs/sweeps/attention-vs-load --platform minhu --outcome overloaded\n  embedsim discover runs/sweeps/attention-vs-load --platform minhu --outcome 'closed_in_system_share<0.6' --boxes 2"
    )]
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
    #[command(
        after_help = "Examples:\n  embedsim calibrate scenarios/calibration/s-town.toml\n  embedsim calibrate scenarios/calibration/c-district.toml --out runs/cal-c --threads 2\n  embedsim calibrate scenarios/calibration/c-district.toml --shard 2/4 --out runs/cal-c/2"
    )]
    Calibrate {
        /// The calibration file (TOML).
        file: PathBuf,
        #[command(flatten)]
        job: crate::cli_research::JobArgs,
        /// Evaluate only slice K of N (1-based) of the file's global search (`global_points`),
        /// e.g. 3/8. Then `embedsim merge <shard dirs...> --out DIR` and `embedsim calibrate FILE
        /// --out DIR --resume` run the local search from the merged evaluations.
        #[arg(long, value_name = "K/N")]
        shard: Option<embedsim::experiment::shard::Shard>,
        /// Format of calibration.csv and fit.csv: csv, parquet (calibration.parquet,
        /// fit.parquet instead) or both.
        #[arg(long, value_enum, default_value_t = output::Format::Csv, conflicts_with = "shard")]
        format: output::Format,
    },
    /// Serve the classroom page on this machine: pick a scenario, move sliders, run, watch.
    #[command(
        after_help = "Examples:\n  embedsim serve\n  embedsim serve my-town.toml --port 8000\n  embedsim serve --bind 0.0.0.0 --allow-remote --no-open   (a classroom network)"
    )]
    Serve {
        /// Scenario files to offer besides the bundled ones.
        scenarios: Vec<PathBuf>,
        /// Port to listen on (0: any free port).
        #[arg(long, default_value_t = 7878)]
        port: u16,
        /// Address to bind [default: 127.0.0.1]; another address needs --allow-remote.
        #[arg(long)]
        bind: Option<std::net::IpAddr>,
        /// Accept connections from other machines (a classroom network). Anyone who can reach
        /// the port can run simulations.
        #[arg(long)]
        allow_remote: bool,
        /// With --allow-remote, a host name students use to reach the page (repeat for more);
        /// without it only IP addresses are answered, so that another web site cannot reach the
        /// server through a name of its own (DNS rebinding).
        #[arg(long = "host", value_name = "NAME", requires = "allow_remote")]
        hosts: Vec<String>,
        /// Do not open the page in a browser.
        #[arg(long)]
        no_open: bool,
    },
    /// Compare the simulator with queueing theory (docs/MODEL.md section 10).
    #[command(after_help = "Examples:\n  embedsim validate\n  embedsim validate --replications 10 --days 800")]
    Validate {
        /// Replications per case.
        #[arg(long, default_value_t = 30, value_parser = replications_arg)]
        replications: u32,
        /// Simulated days per replication.
        #[arg(long, default_value_t = 2500)]
        days: u32,
        /// Base seed.
        #[arg(long, default_value_t = 2025)]
        seed: u64,
        /// Worker threads [default: one per core].
        #[arg(long, value_parser = threads_arg)]
        threads: Option<usize>,
    },
}

/// Most worker threads: more than any machine's cores, few enough that a typo cannot exhaust
/// the process's threads or memory (the library's limit, the same for the Python package).
pub const MAX_THREADS: usize = embedsim::api::MAX_THREADS;

/// `sweep --series`: per platform only (a sweep's series file has one platform column).
fn sweep_series(s: &str) -> Result<output::csv::Series, String> {
    match s {
        "weekly" => Ok(output::csv::Series::Weekly),
        "platforms" => Ok(output::csv::Series::Platforms),
        "none" => Ok(output::csv::Series::None),
        _ => Err(format!("expected weekly, platforms or none, found `{s}`")),
    }
}

/// `--threads N`: a whole number from 1 to [`MAX_THREADS`].
pub fn threads_arg(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!("expected a whole number from 1 to {MAX_THREADS}, found `{s}`")),
    }
}

/// `--replications N` of run and compare: a whole number from 1 to 1,000,000.
pub fn replications_arg(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
        _ => Err(format!("expected a whole number from 1 to 1000000, found `{s}`")),
    }
}

/// Runs the chosen command.
pub fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run {
            scenario,
            out,
            seed,
            replications,
            threads,
            quiet,
            baseline,
            large,
            series,
            format,
            variant,
            stats,
        } => {
            let args = RunArgs { out, seed, reps: replications, threads, quiet, baseline, large, series, format };
            run(&scenario, &variant, args, &stats)
        }
        Command::Trace { scenario, order, platform, day, replication, seed, lang, variant } => {
            let mut sc = load(&scenario, &variant)?;
            if let Some(s) = seed {
                sc.simulation.seed = s;
            }
            let (order, lines) = match (order, platform) {
                (Some(order), _) => (order, experiment::trace::trace(&sc, replication, order)?),
                (None, Some(p)) => experiment::trace::trace_from(&sc, replication, &p, day.unwrap_or(0), None)?,
                (None, None) => unreachable!("clap requires --order or --platform"),
            };
            let seed = sc.simulation.seed;
            match lang {
                output::story::Lang::En => {
                    outln!("{} — order #{order}, replication {replication}, seed {seed}\n", sc.name)
                }
                output::story::Lang::Zh => {
                    outln!(
                        "{} — 工单 #{order}，重复 {replication}，随机种子 {seed}\n",
                        sc.names.scenario(&sc.name, lang)
                    )
                }
            }
            out!("{}", experiment::trace::tell_in(&lines, lang, &sc.names));
            Ok(ExitCode::SUCCESS)
        }
        Command::Scenarios => list_scenarios(),
        Command::Keys { scenario } => list_keys(scenario.as_deref()),
        Command::Check { scenario, variant } => {
            let sc = load(&scenario, &variant)?;
            out!("{}", sc.describe());
            outln!("ok: {} is valid", scenario.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Sweep { sweep, out, threads, quiet, shard, resume, report, format, series } => {
            let series = (series != output::csv::Series::None).then_some(series);
            let opts = RunOptions { threads, shard, resume, stop_after: None, interrupted: Some(on_ctrl_c()), series };
            crate::cli_experiments::sweep(&sweep, out, &opts, quiet, report, format)
        }
        Command::Merge { dirs, out, quiet, report, format } => {
            crate::cli_experiments::merge(&dirs, &out, quiet, report.as_deref(), format)
        }
        Command::Compare {
            a,
            b,
            both,
            set_b,
            unset_b,
            replications,
            seed,
            threads,
            out,
            quiet,
            adjust,
            stats,
            report,
            large,
        } => {
            let mut only_b = both.clone();
            only_b.set.extend(set_b);
            only_b.unset.extend(unset_b);
            let b_given = b.is_some();
            anyhow::ensure!(
                b_given || !only_b.set.is_empty() || !only_b.unset.is_empty() || !both.set.is_empty(),
                "compare needs two scenarios, or one scenario and --set-b/--unset-b to make its variant"
            );
            let b = b.unwrap_or_else(|| a.clone());
            let sides = crate::cli_experiments::Sides { a: &a, b: &b, variant_a: &both, variant_b: &only_b };
            crate::cli_experiments::compare(
                sides,
                replications,
                seed,
                threads,
                out,
                quiet,
                adjust,
                &stats,
                report,
                large,
            )
        }
        Command::Serve { scenarios, port, bind, allow_remote, hosts, no_open } => {
            serve(scenarios, port, bind, allow_remote, hosts, no_open)
        }
        Command::Sensitivity { file, job, shard, format, series } => {
            let series = (series != output::csv::Series::None).then_some(series);
            crate::cli_research::sensitivity(&file, &job, shard, format, series)
        }
        Command::Discover { dir, platform, outcome, alpha, min_coverage, boxes, quiet } => {
            crate::cli_research::discover(&dir, &platform, &outcome, alpha, min_coverage, boxes, quiet)
        }
        Command::Calibrate { file, job, shard, format } => crate::cli_research::calibrate(&file, &job, shard, format),
        Command::Validate { replications, days, seed, threads } => validate(replications, days, seed, threads),
    }
}

/// `embedsim keys [SCENARIO]`: every key of the format, two lines each.
pub fn list_keys(scenario: Option<&Path>) -> Result<ExitCode> {
    // The scenario is checked first: its values are shown only when it is valid.
    let here = match scenario {
        Some(path) => {
            load(path, &Variant::default())?;
            let table = scenario::parse_table(&scenario_text(path), &path.display().to_string())?;
            Some(scenario::keys::keys_of(&table))
        }
        None => None,
    };
    let keys = scenario::keys::every_key();
    for k in &keys {
        let range = if k.range.is_empty() { String::new() } else { format!(", {}", k.range) };
        outln!("{}  ({}{range}; default: {})", k.pattern, k.kind, k.default);
        outln!("    {}", k.meaning);
        if let Some(h) = here.as_ref().and_then(|h| h.iter().find(|x| x.pattern == k.pattern)) {
            outln!("    here: {} = {}", scenario::keys::dotted(&h.path), h.value);
        }
    }
    outln!("\n{} keys; <id> is a name the scenario chooses, [] an item of a list of tables", keys.len());
    Ok(ExitCode::SUCCESS)
}

/// `embedsim scenarios`: the bundled scenarios, a line each.
pub fn list_scenarios() -> Result<ExitCode> {
    for (id, _, text) in scenario::bundled::BUNDLED {
        let about = scenario::bundled::description(text).unwrap_or_default();
        outln!("{id:<20} {about}");
    }
    outln!("\nrun one by name from any folder, for example: embedsim run s-town");
    Ok(ExitCode::SUCCESS)
}

/// The options of `embedsim run`.
struct RunArgs {
    out: Option<PathBuf>,
    seed: Option<u64>,
    reps: Option<u32>,
    threads: Option<usize>,
    quiet: bool,
    baseline: Option<String>,
    large: bool,
    series: output::csv::Series,
    format: output::Format,
}

fn run(path: &Path, variant: &Variant, args: RunArgs, stats: &crate::cli_research::StatsArgs) -> Result<ExitCode> {
    let RunArgs { out, seed, reps, threads, quiet, baseline, large, series, format } = args;
    let mut sc = load(path, variant)?;
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
    // No daily series asked for: each run keeps only what its summary, regimes and warm-up
    // advice read, so its memory does not grow with the days (the report has no daily charts).
    if series == output::csv::Series::None {
        sc.simulation.day_records =
            embedsim::scenario::DayRecords::Summary { warmup_metric: stats.warmup_metric.clone() };
    }
    let size = output::estimate_series_bytes(&sc, sc.simulation.replications, series);
    anyhow::ensure!(
        large || size <= output::LARGE_OUTPUT_BYTES,
        "{} replications x {} days would write about {:.1} GB of timeseries.csv (and hold as much in \
         memory until written); pass --large to go on, or lower the replications or duration",
        sc.simulation.replications,
        sc.simulation.duration_days,
        size as f64 / 1e9
    );
    let peak = output::estimate_peak_bytes(&sc, sc.simulation.replications, experiment::workers(threads));
    let held = if series == output::csv::Series::None {
        "a few bytes a day of each platform, held until the files are written"
    } else {
        "mostly daily records held until the files are written; --series none keeps only a few bytes a day"
    };
    anyhow::ensure!(
        large || peak <= output::LARGE_OUTPUT_BYTES,
        "{} replications x {} days of {}, {} and {} would take about {:.1} GB of memory ({held}); pass \
         --large to go on, or lower the replications or duration",
        sc.simulation.replications,
        sc.simulation.duration_days,
        counted(sc.platforms.len(), "platform"),
        counted(sc.departments.len(), "department"),
        counted(sc.leaders.len(), "leader"),
        peak as f64 / 1e9
    );
    // A name is text from the file: as a folder it becomes one safe component under runs/.
    let dir = out.unwrap_or_else(|| Path::new("runs").join(embedsim::text::slug(&sc.name)));
    let pilot = stats.warmup == Some(embedsim::analysis::warmup::Warmup::Auto);
    let runs = sc.simulation.replications as u64 * if baseline.is_some() { 2 } else { 1 } * if pilot { 2 } else { 1 };
    // A plain run counts simulated days, so that a large run of few replications shows its
    // progress and the time left; the others count runs.
    let by_day = baseline.is_none() && stats.precision.is_empty() && !pilot;
    let days = sc.simulation.duration_days.ceil().max(0.0) as u64;
    let bar = if by_day {
        progress_in(sc.simulation.replications as u64 * days, quiet, &sc.name, "days simulated")
    } else {
        progress(runs, quiet, &sc.name)
    };
    if !quiet && size >= output::NOTE_OUTPUT_BYTES {
        eprintln!("{}", output::size_note(&sc, sc.simulation.replications, series, format));
    }
    if !quiet && peak >= output::NOTE_HELD_BYTES {
        eprintln!("this run will take about {:.1} GB of memory ({held})", peak as f64 / 1e9);
    }
    let warmup_note = crate::cli_research::apply_warmup(&mut sc, stats, threads, &bar)?;
    let context = || format!("running {}", path.display());
    let mut precision = None;
    let (outs, net) = match &baseline {
        None if by_day => (experiment::run_all_by_day(&sc, threads, &|| bar.inc(1)).with_context(context)?, None),
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
    // One run per folder: claim it (refusing files we did not write), write, then drop the
    // earlier run's files this one did not write again (an old baseline.csv, say).
    let mut names = output::run_files(format);
    if sc.ranking.is_some() {
        names.push("ranking.csv");
    }
    names.push("report.html");
    if net.is_some() {
        names.push("baseline.csv");
    }
    let manifest = output::folder::RunManifest {
        kind: "run".into(),
        complete: false,
        version: embedsim::provenance::VERSION.into(),
        commit: embedsim::provenance::COMMIT.into(),
        lock_fnv1a: embedsim::provenance::LOCK_FNV1A.into(),
        command: std::env::args().collect::<Vec<_>>().join(" "),
        scenario: path.display().to_string(),
        scenario_fnv1a: output::folder::fnv1a_hex(scenario_text(path).as_bytes()),
        seed: sc.simulation.seed.to_string(),
        replications: sc.simulation.replications,
        files: Vec::new(),
    };
    // Held until the manifest says complete: another run into this folder meanwhile is refused.
    let claim = output::folder::claim(&dir, &manifest, &names)?;
    let text = scenario_text(path);
    // The CSV files and the report are independent: written side by side on `threads` workers.
    let (written, report) = experiment::with_threads(threads, || {
        rayon::join(
            || output::write_run_as(&dir, &sc, &outs, &rows, series, format),
            || output::write_report(&dir, &sc, &text, &variant.arguments(), &outs, &rows),
        )
    })?;
    let mut files = written?;
    files.push(report?);
    if let Some(b) = &net {
        let path = dir.join("baseline.csv");
        output::csv::write_baseline(&path, b)?;
        files.push(path.display().to_string());
    }
    let manifest_path = output::folder::finish(&dir, &manifest, &names, &claim.stale)?;
    drop(claim);
    files.push(manifest_path.display().to_string());
    if !quiet {
        out!("{}", output::report::summary_table(&sc, &outs, &rows));
        let advice = embedsim::analysis::warmup::advise(&sc, &outs, &stats.warmup_metric);
        let check = match stats.warmup {
            Some(embedsim::analysis::warmup::Warmup::Auto) => {
                advice.check_of_auto(sc.simulation.warmup_days, outs.len())
            }
            _ => advice.sentence(),
        };
        outln!("\n{warmup_note}; {check}");
        let slow = embedsim::analysis::warmup::advise_slowest(&sc, &outs, &advice);
        if let Some(s) = embedsim::analysis::warmup::slowest_sentence(&slow, sc.simulation.warmup_days) {
            outln!("{s}");
        }
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
    anyhow::ensure!(days > 50 && days <= 73_000, "--days must exceed the 50-day warm-up and be at most 73000");
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

fn serve(
    files: Vec<PathBuf>,
    port: u16,
    bind: Option<std::net::IpAddr>,
    allow_remote: bool,
    hosts: Vec<String>,
    no_open: bool,
) -> Result<ExitCode> {
    use embedsim::serve::{self, api::Source};
    let bind = bind.unwrap_or(std::net::IpAddr::from([127, 0, 0, 1]));
    anyhow::ensure!(
        allow_remote || bind.is_loopback(),
        "--bind {bind} would let other machines connect: add --allow-remote if that is what you want"
    );
    let mut scenarios = Vec::new();
    for f in &files {
        let text = scenario::read_text(f)?;
        let file = f.display().to_string();
        scenario::overrides::load_variant_str(&text, &file, &[])?;
        let id = f.file_stem().map_or(file.clone(), |s| s.to_string_lossy().into_owned());
        scenarios.push(Source { id, file, text });
    }
    let running =
        serve::start(serve::Config { bind, port, allow_remote, hosts, scenarios, job_time: serve::api::MAX_JOB_TIME })?;
    let host = if running.addr.ip().is_unspecified() { "127.0.0.1".to_string() } else { running.addr.ip().to_string() };
    let url = format!("http://{host}:{}/", running.addr.port());
    outln!("serving the classroom page at {url} (Ctrl-C to stop)");
    std::io::Write::flush(&mut std::io::stdout())?;
    if !no_open {
        open_browser(&url);
    }
    running.wait();
    Ok(ExitCode::SUCCESS)
}

/// Opens `url` in the desktop's browser, if there is one; silently does nothing otherwise.
fn open_browser(url: &str) {
    let opener: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else if cfg!(windows) {
        &["cmd", "/C", "start", ""]
    } else {
        &["xdg-open"]
    };
    let _ = std::process::Command::new(opener[0])
        .args(&opener[1..])
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

/// `n` things, in the singular for one ("1 leader", "2 leaders").
fn counted(n: usize, thing: &str) -> String {
    if n == 1 { format!("1 {thing}") } else { format!("{n} {thing}s") }
}
