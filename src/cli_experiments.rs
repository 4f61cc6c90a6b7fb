//! The experiment commands: `sweep`, `merge`, `compare`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use embedsim::experiment::compare::{self, Settings};
use embedsim::experiment::shard::{self, RunOptions};
use embedsim::experiment::sweep::Sweep;
use embedsim::experiment::sweep_files;
use embedsim::output::Format;

use embedsim::analysis::multiplicity::Adjust;
use embedsim::analysis::warmup::Warmup;

use crate::cli_common::progress;
use crate::cli_research::StatsArgs;

/// `embedsim sweep`.
pub fn sweep(
    file: &Path,
    out: Option<PathBuf>,
    opts: &RunOptions,
    quiet: bool,
    report: bool,
    format: Format,
) -> Result<ExitCode> {
    let shard = opts.shard;
    if let Some(0) = opts.threads {
        anyhow::bail!("--threads must be at least 1");
    }
    if crate::cli_common::looks_like(file) == Some(crate::cli_common::FileKind::Scenario) {
        anyhow::bail!(
            "{} is a scenario, not a sweep file: run it with `embedsim run {}` (a sweep file names its \
             scenario with base = \"...\" and lists [[parameters]]; see docs/SWEEPS.md)",
            file.display(),
            file.display()
        );
    }
    let sw = Sweep::load(file)?;
    let dir = out.unwrap_or_else(|| Path::new("runs").join("sweeps").join(embedsim::text::slug(&sw.name)));
    let mine = (0..sw.runs()).filter(|&i| shard.is_none_or(|s| s.owns(i))).count();
    if !quiet {
        let of = shard.map(|s| format!(" (shard {s}: {mine} runs)")).unwrap_or_default();
        eprintln!(
            "{}: {} points x {} replications = {} runs{of}, seed {}",
            embedsim::text::printable(&sw.name),
            sw.points.len(),
            sw.replications,
            sw.runs(),
            sw.seed
        );
    }
    let bar = progress(mine as u64, quiet, &sw.name);
    let result = shard::run_sweep(&sw, &dir, opts, &|| bar.inc(1));
    bar.finish_and_clear();
    let mut outcome = result.with_context(|| format!("sweep {} into {}", file.display(), dir.display()))?;
    if report {
        outcome.files.push(write_report(&dir, file, &sw)?);
    }
    if shard.is_none() {
        tables_as(&dir, SWEEP_TABLES, format, &mut outcome.files)?;
    }
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

/// Writes the finished sweep's `report.html` in `dir`: the regime maps and the decisive figures,
/// from its final files and the sweep file `file` (its text, its base's names).
fn write_report(dir: &Path, file: &Path, sw: &Sweep) -> Result<PathBuf> {
    use embedsim::output::sweep_view::{SweepSource, sweep_view};
    let (m, stats) = sweep_files::final_stats(dir)?;
    let source = SweepSource {
        origin: file.display().to_string(),
        text: std::fs::read_to_string(file).unwrap_or_default(),
        base: sw.first.name.clone(),
        description: sw.first.description.clone().unwrap_or_default(),
        names: sw.first.names.clone(),
    };
    let html = embedsim::output::html::sweep_report(&sweep_view(&m, &stats, source));
    let path = dir.join(sweep_files::REPORT);
    embedsim::output::write_atomic(&path, |w| w.write_all(html.as_bytes()))?;
    Ok(path)
}

/// The tables of a sweep's or a sensitivity study's folder.
pub const SWEEP_TABLES: &[&str] = &["runs", "points", "indices"];

/// A finished sweep's or study's tables in `format` (Parquet beside or instead of the CSV files,
/// `runs.csv` always kept), the files named in `files` updated.
pub fn tables_as(dir: &Path, tables: &[&str], format: Format, files: &mut Vec<PathBuf>) -> Result<()> {
    let written = embedsim::output::parquet::tables_in(dir, tables, format)?;
    files.retain(|f| f.exists());
    files.extend(written);
    Ok(())
}

/// `embedsim merge`; with `report`, the sweep file the shards ran, for `report.html`.
pub fn merge(dirs: &[PathBuf], out: &Path, quiet: bool, report: Option<&Path>, format: Format) -> Result<ExitCode> {
    anyhow::ensure!(!dirs.is_empty(), "name at least one shard folder");
    use embedsim::analysis::calibrate;
    if dirs.iter().any(|d| d.join(calibrate::SHARD_FILE).exists()) {
        anyhow::ensure!(
            format == Format::Csv,
            "--format is for a sweep's or a study's tables; a calibration's shards merge into its journal"
        );
        anyhow::ensure!(
            report.is_none(),
            "--report is for a sweep's shards; a calibration's report comes from `embedsim calibrate FILE --out {} --resume`",
            out.display()
        );
        let path = calibrate::merge_shards(dirs, out).with_context(|| format!("merging into {}", out.display()))?;
        if !quiet {
            outln!(
                "merged {} calibration shards into {}; finish with: embedsim calibrate FILE --out {} --resume",
                dirs.len(),
                path.display(),
                out.display()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    // The sweep file is read first: a wrong one is refused before anything is written.
    let sweep = match report {
        Some(file) => {
            let sw = Sweep::load(file)?;
            let m = sweep_files::read_manifest(&dirs[0]).with_context(|| format!("reading {}", dirs[0].display()))?;
            anyhow::ensure!(
                sw.fingerprint == m.fingerprint,
                "--report {}: this is not the sweep the shards ran (its fingerprint {} differs from theirs, {}): give the same sweep file, unchanged, to the same version of embedsim",
                file.display(),
                sw.fingerprint,
                m.fingerprint
            );
            Some((file, sw))
        }
        None => None,
    };
    let mut files = shard::merge(dirs, out).with_context(|| format!("merging into {}", out.display()))?;
    if let Some((file, sw)) = &sweep {
        files.push(write_report(out, file, sw)?);
    }
    tables_as(out, SWEEP_TABLES, format, &mut files)?;
    if !quiet {
        outln!(
            "merged {} folders; wrote {}",
            dirs.len(),
            files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The two sides of `embedsim compare`: each scenario file with its command-line changes.
pub struct Sides<'a> {
    /// Scenario A.
    pub a: &'a Path,
    /// Scenario B.
    pub b: &'a Path,
    /// Changes to A.
    pub variant_a: &'a crate::cli_common::Variant,
    /// Changes to B.
    pub variant_b: &'a crate::cli_common::Variant,
}

/// `embedsim compare`.
#[allow(clippy::too_many_arguments)]
pub fn compare(
    sides: Sides<'_>,
    replications: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    out: Option<PathBuf>,
    quiet: bool,
    adjust: Adjust,
    stats: &StatsArgs,
    report: bool,
    large: bool,
) -> Result<ExitCode> {
    let Sides { a, b, variant_a, variant_b } = sides;
    if let Some(0) = threads {
        anyhow::bail!("--threads must be at least 1");
    }
    if let Some(r) = replications {
        anyhow::ensure!(r >= 2, "--replications must be at least 2 for a confidence interval");
    }
    stats.check()?;
    let sa = crate::cli_common::load(a, variant_a)?;
    let mut sb = crate::cli_common::load(b, variant_b)?;
    if sa.name == sb.name && a == b {
        sb.name = format!("{}-variant", sb.name);
    }
    if embedsim::scenario::same_model(&sa, &sb) {
        // Every difference will be 0: say so before it reads as a finding.
        eprintln!(
            "warning: A and B are the same scenario (nothing differs between them but the name): every \
             difference below is 0 by construction, not a finding. Check the --set-b/--unset-b keys."
        );
    }
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
    // Both sides' runs are held until the comparison is written; with --precision, up to
    // --max-replications of each.
    let most = if stats.precision.is_empty() { reps } else { reps.max(stats.max_replications) };
    let workers = embedsim::experiment::workers(threads);
    let held = embedsim::output::estimate_peak_bytes(&sa, most, workers)
        + embedsim::output::estimate_peak_bytes(&sb, most, workers);
    anyhow::ensure!(
        large || held <= embedsim::output::LARGE_OUTPUT_BYTES,
        "{most} replications of each side would take about {:.1} GB of memory (mostly daily records held \
         until the comparison is written); pass --large to go on, or lower the replications or duration",
        held as f64 / 1e9
    );
    let pilots = if stats.warmup == Some(Warmup::Auto) { 2 } else { 1 };
    let bar = progress(2 * pilots * reps as u64, quiet, "compare");
    let result = compare::compare(&sa, &sb, &settings, &|| bar.inc(1));
    bar.finish_and_clear();
    let c = result.context("running the comparison")?;
    anyhow::ensure!(!c.diffs.is_empty(), "{} and {} have no platform in common", a.display(), b.display());
    let dir = out.unwrap_or_else(|| {
        let name = format!("{}-vs-{}", embedsim::text::slug(&sa.name), embedsim::text::slug(&sb.name));
        Path::new("runs").join("compare").join(name)
    });
    let path = dir.join("compare.csv");
    // An earlier comparison's folder holds its compare.csv (known by its header) and perhaps
    // its report.html; a folder without one holds nothing of ours (a user's report.html there
    // is refused, not overwritten).
    let earlier = std::fs::read_to_string(&path).is_ok_and(|t| t.starts_with("platform,metric,pairs,mean_a,mean_b,"));
    embedsim::output::folder::refuse_foreign(&dir, &|n: &str| earlier && (n == "compare.csv" || n == "report.html"))?;
    compare::write_csv(&path, &c.diffs)?;
    let report_path = dir.join("report.html");
    if report {
        use embedsim::output::{html, summaries, view};
        // Side by side: the same platforms on both sides.
        let [drawn_a, drawn_b] = view::platforms_drawn_side_by_side((&c.a, &c.outs_a), (&c.b, &c.outs_b));
        let view_of =
            |sc: &embedsim::scenario::Scenario, file: &Path, v: &crate::cli_common::Variant, outs, drawn: &[usize]| {
                let text = crate::cli_common::scenario_text(file);
                view::run_view_of(sc, &text, &v.arguments(), outs, &summaries(sc, outs), drawn)
            };
        let views =
            [view_of(&c.a, a, variant_a, &c.outs_a, &drawn_a), view_of(&c.b, b, variant_b, &c.outs_b, &drawn_b)];
        let shifts = compare::regime_shifts(&c.a, &c.b, &c.outs_a, &c.outs_b);
        let sentences: Vec<html::Bilingual> = shifts
            .iter()
            .map(|s| html::Bilingual {
                en: format!("{}.", s.sentence(&c.b.names)),
                zh: format!("{}。", s.sentence_zh(&c.b.names)),
            })
            .chain(c.diffs.iter().filter(|d| d.significant()).map(|d| html::Bilingual {
                en: format!("{}.", d.sentence(&c.b.names)),
                zh: format!("{}。", d.sentence_zh(&c.b.names)),
            }))
            .collect();
        embedsim::output::write_atomic(&report_path, |w| w.write_all(html::report(&views, &sentences).as_bytes()))?;
    }
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
        for (p, spec) in c.a.platforms.iter().enumerate() {
            let Some(q) = c.b.platforms.iter().position(|x| x.id == spec.id) else { continue };
            let tally = |outs: &[embedsim::model::RunOutput], i: usize| {
                let r: Vec<_> = outs.iter().map(|o| o.platforms[i].regimes.current()).collect();
                embedsim::output::report::regime_tally(&r)
            };
            outln!("{:<14} regime under A: {}; under B: {}", spec.id, tally(&c.outs_a, p), tally(&c.outs_b, q));
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
                compare::p_text(d.p_adjusted)
            );
        }
        outln!("\nwhat each figure averages:");
        for m in embedsim::experiment::sweep::KEY_METRICS {
            outln!("  {m:<24} {}", compare::basis(m));
        }
        outln!();
        // Regime changes first: more orders closed is no improvement if the platform tipped.
        for shift in compare::regime_shifts(&c.a, &c.b, &c.outs_a, &c.outs_b) {
            outln!("{}.", shift.sentence(&c.b.names));
        }
        for d in c.diffs.iter().filter(|d| d.significant()) {
            outln!("{}.", d.sentence(&c.b.names));
        }
        let also = if report { format!(", {}", report_path.display()) } else { String::new() };
        outln!("\n(* adjusted p ≤ 0.05, {}; intervals are unadjusted 95%) wrote {}{also}", c.adjust, path.display());
    }
    Ok(ExitCode::SUCCESS)
}
