//! Reading a finished sweep folder back, outcomes per run, and scenario discovery with PRIM:
//! "in which region of the parameters does my design break?"

use std::path::Path;

use crate::experiment::sweep::{Manifest, SweepError};
use crate::experiment::sweep_files::read_manifest;
use crate::experiment::sweep_files::{RunRecord, parse_record, runs_header};
use crate::metrics::Regime;

use super::design::AnalysisError;
use super::prim::{PrimBox, PrimSettings, covering};

/// Reads `runs.csv` and `manifest.toml` of a finished sweep (or merged shards) in `dir`.
pub fn read_runs(dir: &Path) -> Result<(Manifest, Vec<RunRecord>), AnalysisError> {
    let m = read_manifest(dir)?;
    let path = dir.join("runs.csv");
    let bad = |message: String| SweepError::Inconsistent { path: path.clone(), message };
    let bytes = std::fs::read(&path).map_err(|source| SweepError::Read { path: path.clone(), source })?;
    let mut rd = csv::ReaderBuilder::new().from_reader(&bytes[..]);
    let header: Vec<String> = rd.headers().map_err(|e| bad(e.to_string()))?.iter().map(String::from).collect();
    if header != runs_header(&m) {
        return Err(bad("columns differ from manifest.toml's (another sweep, or another version)".into()).into());
    }
    let mut records: Vec<RunRecord> = Vec::with_capacity(m.runs);
    for (i, r) in rd.records().enumerate() {
        let r = r.map_err(|e| bad(format!("line {}: {e}", i + 2)))?;
        let (run, s, unstable) = parse_record(&m, &r).map_err(|e| bad(format!("line {}: {e}", i + 2)))?;
        match records.last_mut() {
            Some(last) if last.run == run => last.rows.push(s),
            _ => records.push(RunRecord { run, rows: vec![s], unstable }),
        }
    }
    let complete = records.len() == m.runs
        && records.iter().enumerate().all(|(i, r)| r.run == i && r.rows.len() == m.platforms.len());
    if !complete {
        return Err(bad(format!("expected runs 0..{} with one row per platform, in order", m.runs)).into());
    }
    Ok((m, records))
}

/// An outcome of one run of one platform: a regime, or a threshold on a metric column.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The run ended in this regime.
    Regime(Regime),
    /// `metric < value` (below) or `metric > value` (above).
    Threshold {
        /// Column of summary.csv.
        metric: String,
        /// True for `>`.
        above: bool,
        /// The threshold.
        value: f64,
    },
}

impl Outcome {
    /// Parses `overloaded`, `floating`, ..., `on_time_share<0.5` or `burden_share>0.3`.
    pub fn parse(s: &str, metrics: &[String]) -> Result<Outcome, String> {
        let s = s.trim();
        if let Some(g) = Regime::ALL.iter().find(|g| g.name() == s) {
            return Ok(Outcome::Regime(*g));
        }
        let Some(i) = s.find(['<', '>']) else {
            let names: Vec<&str> = Regime::ALL.iter().map(|g| g.name()).collect();
            return Err(format!(
                "expected a regime ({}) or METRIC<VALUE / METRIC>VALUE, found `{s}`",
                names.join(", ")
            ));
        };
        let (metric, rest) = s.split_at(i);
        let metric = metric.trim().to_string();
        if !metrics.contains(&metric) {
            return Err(format!("unknown metric `{metric}` (columns of summary.csv, e.g. on_time_share)"));
        }
        let value: f64 = rest[1..]
            .trim()
            .parse()
            .map_err(|_| format!("expected a number after `{}`, found `{}`", &rest[..1], &rest[1..]))?;
        Ok(Outcome::Threshold { metric, above: rest.starts_with('>'), value })
    }

    /// Whether a run's row shows the outcome (an undefined metric does not).
    pub fn holds(&self, row: &crate::metrics::summary::PlatformSummary) -> bool {
        match self {
            Outcome::Regime(g) => row.regime == *g,
            Outcome::Threshold { metric, above, value } => {
                let v = row.get(metric);
                if *above { v > *value } else { v < *value }
            }
        }
    }

    /// A verb phrase: "overloads", "has on_time_share below 0.5".
    pub fn phrase(&self) -> String {
        match self {
            Outcome::Regime(g) => match g {
                Regime::Overloaded => "overloads".into(),
                Regime::Floating => "floats".into(),
                Regime::Idling => "idles".into(),
                Regime::Embedded => "embeds".into(),
                Regime::Reengineered => "reengineers".into(),
                other => format!("ends {}", other.name()),
            },
            Outcome::Threshold { metric, above, value } => {
                format!("has {metric} {} {value}", if *above { "above" } else { "below" })
            }
        }
    }
}

/// A box found in a sweep, with its parameters' names.
#[derive(Clone, Debug)]
pub struct Discovery {
    /// Parameter names (columns of the sweep), numeric ones only.
    pub parameters: Vec<String>,
    /// The boxes found, in the order covering found them.
    pub boxes: Vec<PrimBox>,
    /// The peeling trajectory of each box.
    pub paths: Vec<Vec<PrimBox>>,
    /// Runs analysed and of those, cases.
    pub runs: usize,
    /// Cases of interest.
    pub cases: usize,
}

/// Runs PRIM with covering (at most `max_boxes` boxes, each at least twice as dense in cases as
/// what it was found in, or halfway from that density to 1) over every run of `platform` in a sweep: one row per run, the case
/// being `outcome`.
pub fn discover(
    m: &Manifest,
    records: &[RunRecord],
    platform: &str,
    outcome: &Outcome,
    s: &PrimSettings,
    max_boxes: usize,
) -> Result<Discovery, String> {
    let pi = m
        .platforms
        .iter()
        .position(|p| p == platform)
        .ok_or_else(|| format!("no platform `{platform}` in this sweep (platforms: {})", m.platforms.join(", ")))?;
    let numeric: Vec<usize> =
        (0..m.parameters.len()).filter(|&k| m.points.iter().all(|p| p[k].parse::<f64>().is_ok())).collect();
    if numeric.is_empty() {
        return Err("the sweep has no numeric parameter".into());
    }
    let reps = m.replications as usize;
    let x: Vec<Vec<f64>> = records
        .iter()
        .map(|r| numeric.iter().map(|&k| m.points[r.run / reps][k].parse().unwrap_or(0.0)).collect())
        .collect();
    let y: Vec<bool> = records.iter().map(|r| outcome.holds(&r.rows[pi])).collect();
    let cases = y.iter().filter(|c| **c).count();
    if cases == 0 {
        return Err(format!("{platform} never {} in this sweep: nothing to find", outcome.phrase()));
    }
    let (boxes, paths) = covering(&x, &y, s, max_boxes, 2.0).into_iter().unzip();
    Ok(Discovery {
        parameters: numeric.iter().map(|&k| m.parameters[k].clone()).collect(),
        boxes,
        paths,
        runs: records.len(),
        cases,
    })
}

fn fmt_limit(x: f64) -> String {
    let r = (x * 1000.0).round() / 1000.0;
    format!("{r}")
}

/// "A is below 2.25 and B is above 7.5".
fn conditions(d: &Discovery, b: &PrimBox) -> String {
    let parts: Vec<String> = b
        .restricted()
        .iter()
        .map(|&j| {
            let n = &d.parameters[j];
            match (b.lo[j].is_finite(), b.hi[j].is_finite()) {
                (true, true) => format!("{n} is between {} and {}", fmt_limit(b.lo[j]), fmt_limit(b.hi[j])),
                (true, false) => format!("{n} is above {}", fmt_limit(b.lo[j])),
                _ => format!("{n} is below {}", fmt_limit(b.hi[j])),
            }
        })
        .collect();
    parts.join(" and ")
}

/// "minhu overloads when A is below 2.25 and B is above 7.5 (coverage 91%, density 87%)", one
/// clause per box joined by "or", and the coverage of all boxes together.
pub fn sentence(d: &Discovery, platform: &str, outcome: &Outcome) -> String {
    if d.boxes.is_empty() {
        return format!(
            "{platform} {} in {} of {} runs, but in no region of the parameters where it is concentrated (no box at least twice as dense in it as the sweep, or halfway to 100%)",
            outcome.phrase(),
            d.cases,
            d.runs
        );
    }
    let clauses: Vec<String> = d
        .boxes
        .iter()
        .map(|b| {
            format!(
                "{} (coverage {:.0}%, density {:.0}%, {} runs)",
                conditions(d, b),
                b.coverage * 100.0,
                b.density * 100.0,
                b.support
            )
        })
        .collect();
    let total: f64 = d.boxes.iter().map(|b| b.coverage).sum();
    format!(
        "{platform} {} when {}; {} {:.0}% of the {} runs where it {} (of {} runs)",
        outcome.phrase(),
        clauses.join(", or when "),
        if d.boxes.len() == 1 {
            "the box covers".to_string()
        } else {
            format!("together the {} boxes cover", d.boxes.len())
        },
        total * 100.0,
        d.cases,
        outcome.phrase(),
        d.runs
    )
}

/// Writes `discover-<platform>.txt` (the sentence, the box and the peeling trajectory) and, when
/// the sweep has two numeric parameters, `regime-map-<platform>-discovered.svg`: the regime map
/// with the box outlined. Returns the files written.
pub fn write(
    dir: &Path,
    m: &Manifest,
    records: &[RunRecord],
    platform: &str,
    outcome: &Outcome,
    d: &Discovery,
) -> Result<Vec<std::path::PathBuf>, AnalysisError> {
    let mut files = Vec::new();
    let txt = dir.join(format!("discover-{platform}.txt"));
    crate::output::atomic::write_atomic(&txt, |w| {
        writeln!(w, "{}", sentence(d, platform, outcome))?;
        for (k, (found, path)) in d.boxes.iter().zip(&d.paths).enumerate() {
            writeln!(w, "\nbox {} (open intervals; inf = unrestricted):", k + 1)?;
            for (j, n) in d.parameters.iter().enumerate() {
                writeln!(w, "  {n}: {} .. {}", found.lo[j], found.hi[j])?;
            }
            writeln!(w, "peeling trajectory (among the runs left): coverage, density, runs in box")?;
            for b in path {
                writeln!(w, "  {:.4}, {:.4}, {}", b.coverage, b.density, b.support)?;
            }
        }
        Ok(())
    })?;
    files.push(txt);
    if d.parameters.len() == 2 {
        let stats = crate::experiment::sweep_files::point_stats(m, records);
        let np = m.platforms.len();
        let pi = m.platforms.iter().position(|p| p == platform).unwrap_or(0);
        let xi: Vec<usize> = d.parameters.iter().filter_map(|n| m.parameters.iter().position(|p| p == n)).collect();
        let cells: Vec<(f64, f64, Regime)> = (0..m.points.len())
            .map(|p| {
                let v = |k: usize| m.points[p][xi[k]].parse::<f64>().unwrap_or(f64::NAN);
                (v(0), v(1), stats[p * np + pi].modal)
            })
            .collect();
        let outlines: Vec<[f64; 4]> = d.boxes.iter().map(|b| [b.lo[0], b.hi[0], b.lo[1], b.hi[1]]).collect();
        let svg = dir.join(format!("regime-map-{platform}-discovered.svg"));
        let title = format!("{}: where {platform} {} (PRIM boxes)", m.name, outcome.phrase());
        crate::output::plot::regime_map_with_boxes(
            &svg,
            &title,
            &d.parameters[0],
            &d.parameters[1],
            &cells,
            &outlines,
        )?;
        files.push(svg);
    }
    Ok(files)
}
