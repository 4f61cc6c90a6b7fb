//! `embedsim sensitivity`: Morris screening or Sobol indices of simulator outputs with respect
//! to scenario parameters. The design's points run as a sweep (journal, `--resume`, identical
//! bytes for any thread count), every point on the same replications (common random numbers),
//! and each output is the mean over a point's replications. Replication noise is reported
//! beside the indices: the variance of a point mean due to replications, as a share of the
//! variance of the point means the indices decompose.

use std::path::Path;

use serde::Deserialize;

use crate::experiment::shard::{RunOptions, run_sweep};
use crate::experiment::sweep::Manifest;
use crate::experiment::sweep_files::RunRecord;
use crate::metrics::Regime;
use crate::metrics::summary::METRICS;
use crate::output::atomic::{num, write_atomic};

use super::design::{AnalysisError, Bounded, Design, toml_message};
use super::discovery::read_runs;
use super::morris::{MorrisFactor, morris, trajectories};
use super::sobol::{Estimate, SobolIndices, saltelli, sobol_indices};

/// Which method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Morris elementary effects.
    Morris,
    /// Sobol indices by Saltelli sampling.
    Sobol,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSensitivity {
    name: Option<String>,
    #[allow(dead_code)]
    description: Option<String>,
    base: String,
    method: Method,
    samples: usize,
    levels: Option<usize>,
    seed: Option<u64>,
    replications: Option<u32>,
    bootstrap: Option<usize>,
    second_order: Option<toml::Spanned<toml::Value>>,
    outputs: Vec<String>,
    #[serde(default)]
    set: toml::Table,
    parameters: Vec<Bounded>,
}

/// One output: a metric of a platform, or the share of a platform's replications in a regime
/// (or in any of several: `share_floating+idling`).
#[derive(Clone, Debug, PartialEq)]
pub struct OutputSpec {
    /// As written, e.g. `minhu.share_overloaded`.
    pub name: String,
    /// Platform index.
    pub platform: usize,
    /// Metric index into [`METRICS`], or the regimes whose share is counted.
    pub what: Result<usize, Vec<Regime>>,
}

impl OutputSpec {
    /// Parses `PLATFORM.METRIC`, `PLATFORM.share_REGIME` or `PLATFORM.share_REGIME+REGIME...`.
    pub fn parse(s: &str, platforms: &[String]) -> Result<OutputSpec, String> {
        let (p, m) = s.split_once('.').ok_or_else(|| format!("output `{s}`: expected PLATFORM.METRIC"))?;
        let platform = platforms
            .iter()
            .position(|x| x == p)
            .ok_or_else(|| format!("output `{s}`: no platform `{p}` (platforms: {})", platforms.join(", ")))?;
        let what = if let Some(gs) = m.strip_prefix("share_") {
            let mut regimes = Vec::new();
            for g in gs.split('+') {
                let r = Regime::ALL.iter().find(|r| r.name() == g).ok_or_else(|| {
                    let names: Vec<&str> = Regime::ALL.iter().map(|r| r.name()).collect();
                    format!("output `{s}`: unknown regime `{g}` (regimes: {}; join several with +)", names.join(", "))
                })?;
                if regimes.contains(r) {
                    return Err(format!("output `{s}`: regime `{g}` named twice"));
                }
                regimes.push(*r);
            }
            Err(regimes)
        } else {
            Ok(METRICS.iter().position(|x| *x == m).ok_or_else(|| {
                format!("output `{s}`: unknown metric `{m}` (a column of summary.csv, or share_<regime>)")
            })?)
        };
        Ok(OutputSpec { name: s.to_string(), platform, what })
    }

    /// The output's value in one run.
    pub fn value(&self, rec: &RunRecord) -> f64 {
        let row = &rec.rows[self.platform];
        match &self.what {
            Ok(k) => row.values[*k],
            Err(gs) => gs.contains(&row.regime) as u8 as f64,
        }
    }
}

/// A sensitivity study, loaded and checked.
#[derive(Clone, Debug)]
pub struct Study {
    /// Name (default: the file's stem).
    pub name: String,
    /// Method.
    pub method: Method,
    /// Sobol: N; Morris: trajectories.
    pub samples: usize,
    /// Morris grid levels.
    pub levels: usize,
    /// Bootstrap resamples.
    pub bootstrap: usize,
    /// Sobol: also second-order indices of every pair (the BA_i rows: N(2k + 2) points).
    pub second_order: bool,
    /// Outputs analysed.
    pub outputs: Vec<OutputSpec>,
    /// Base, parameters, seed and replications.
    pub design: Design,
}

impl Study {
    /// Reads a sensitivity file (format in docs/RESEARCH.md).
    pub fn load(path: &Path) -> Result<Study, AnalysisError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| AnalysisError::Read { path: path.into(), source })?;
        let invalid = |message: String| AnalysisError::Invalid { file: file.clone(), message };
        let raw: RawSensitivity = toml::from_str(&text).map_err(|e| invalid(toml_message(&text, &e)))?;
        let design = Design::new(path, &text, &raw.base, raw.seed, raw.replications, &raw.set, raw.parameters)?;
        let levels = raw.levels.unwrap_or(4);
        if raw.samples < 2 {
            return Err(invalid(format!("samples: expected at least 2, found {}", raw.samples)));
        }
        if !(2..=20).contains(&levels) || !levels.is_multiple_of(2) {
            return Err(invalid(format!("levels: expected an even number from 2 to 20, found {levels}")));
        }
        let second_order = match &raw.second_order {
            None => false,
            Some(v) => {
                let line = text[..v.span().start.min(text.len())].matches('\n').count() + 1;
                let found = match v.get_ref() {
                    toml::Value::Boolean(b) => *b,
                    other => {
                        return Err(invalid(format!(
                            "line {line}: second_order: expected true or false, found {other}"
                        )));
                    }
                };
                if found && raw.method != Method::Sobol {
                    return Err(invalid(format!(
                        "line {line}: second_order: expected only with method = \"sobol\" (Morris has no second-order indices), found true with method = \"morris\""
                    )));
                }
                found
            }
        };
        if raw.outputs.is_empty() {
            return Err(invalid("outputs: name at least one, e.g. \"minhu.closed_per_month\"".into()));
        }
        let outputs = raw
            .outputs
            .iter()
            .map(|o| OutputSpec::parse(o, &design.platforms))
            .collect::<Result<Vec<_>, _>>()
            .map_err(invalid)?;
        Ok(Study {
            name: raw
                .name
                .or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .unwrap_or("sensitivity".into()),
            method: raw.method,
            samples: raw.samples,
            levels,
            bootstrap: raw.bootstrap.unwrap_or(500),
            second_order,
            outputs,
            design,
        })
    }

    /// The design's points on the unit cube.
    pub fn unit_points(&self) -> Vec<Vec<f64>> {
        let k = self.design.parameters.len();
        match self.method {
            Method::Sobol => saltelli(self.samples, k, self.design.seed, self.second_order),
            Method::Morris => trajectories(self.samples, k, self.levels, self.design.seed),
        }
    }
}

/// The indices of one output.
#[derive(Clone, Debug)]
pub enum Indices {
    /// Sobol first-order and total.
    Sobol(SobolIndices),
    /// Morris μ*, μ, σ.
    Morris(Vec<MorrisFactor>),
}

/// Results for one output.
#[derive(Clone, Debug)]
pub struct OutputIndices {
    /// The output.
    pub output: String,
    /// Indices per parameter.
    pub indices: Indices,
    /// Variance of the point means (what the indices decompose).
    pub variance: f64,
    /// Variance of a point mean due to replications alone (mean within-point variance / R).
    pub noise_variance: f64,
    /// Points where the output was undefined in every replication (left out as their mean).
    pub undefined_points: usize,
}

impl OutputIndices {
    /// Replication noise as a share of the variance decomposed.
    pub fn noise_share(&self) -> f64 {
        if self.variance > 0.0 { self.noise_variance / self.variance } else { f64::NAN }
    }
}

/// Point means and the mean within-point variance / R of one output.
fn point_means(records: &[RunRecord], reps: usize, o: &OutputSpec) -> (Vec<f64>, f64, usize) {
    let mut means = Vec::new();
    let mut within = Vec::new();
    let mut undefined = 0;
    for chunk in records.chunks(reps) {
        let xs: Vec<f64> = chunk.iter().map(|r| o.value(r)).filter(|v| !v.is_nan()).collect();
        if xs.is_empty() {
            undefined += 1;
            means.push(f64::NAN);
            continue;
        }
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        if xs.len() > 1 {
            let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
            within.push(v / xs.len() as f64);
        }
        means.push(m);
    }
    let noise = if within.is_empty() { f64::NAN } else { within.iter().sum::<f64>() / within.len() as f64 };
    (means, noise, undefined)
}

/// Computes the indices of every output from a finished design's records.
pub fn analyse(study: &Study, m: &Manifest, records: &[RunRecord]) -> Vec<OutputIndices> {
    let k = study.design.parameters.len();
    let reps = m.replications as usize;
    let unit = study.unit_points();
    study
        .outputs
        .iter()
        .map(|o| {
            let (mut y, noise, undefined) = point_means(records, reps, o);
            // An undefined point mean (no replication defined it) is replaced by the mean of the
            // defined ones, so the design stays balanced; the count is reported.
            let defined: Vec<f64> = y.iter().copied().filter(|v| !v.is_nan()).collect();
            let fill = if defined.is_empty() { 0.0 } else { defined.iter().sum::<f64>() / defined.len() as f64 };
            y.iter_mut().filter(|v| v.is_nan()).for_each(|v| *v = fill);
            let mean = y.iter().sum::<f64>() / y.len() as f64;
            let variance = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (y.len().max(2) - 1) as f64;
            let indices = match study.method {
                Method::Sobol => Indices::Sobol(sobol_indices(
                    &y,
                    study.samples,
                    k,
                    study.second_order,
                    study.bootstrap,
                    study.design.seed,
                    0.95,
                )),
                Method::Morris => Indices::Morris(morris(&unit, &y, k, study.bootstrap, study.design.seed, 0.95)),
            };
            OutputIndices {
                output: o.name.clone(),
                indices,
                variance,
                noise_variance: noise,
                undefined_points: undefined,
            }
        })
        .collect()
}

/// Runs the study's design into `dir` (resumable), reads it back and computes the indices.
pub fn run(
    study: &Study,
    dir: &Path,
    opts: &RunOptions,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<OutputIndices>, AnalysisError> {
    let sweep = study.design.sweep(&study.name, &study.unit_points())?;
    run_sweep(&sweep, dir, opts, tick)?;
    let (m, records) = read_runs(dir)?;
    Ok(analyse(study, &m, &records))
}

/// Whether `indices.csv` has the `parameter_2` column: only a study with second-order indices,
/// so that every other study's table keeps its six columns.
fn has_pairs(study: &Study) -> bool {
    study.method == Method::Sobol && study.second_order
}

/// The rows of `indices.csv` for one output: per parameter, then (second order) per pair, then
/// the variance rows; a seventh cell, `parameter_2`, when the study has pairs.
fn rows(study: &Study, r: &OutputIndices) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let pairs = has_pairs(study);
    let row = |p: &str, p2: &str, measure: &str, e: Estimate| {
        let mut cells =
            vec![r.output.clone(), p.to_string(), measure.to_string(), num(e.value), num(e.low), num(e.high)];
        if pairs {
            cells.push(p2.to_string());
        }
        cells
    };
    let bare = |v: f64| Estimate { value: v, low: f64::NAN, high: f64::NAN };
    let params = &study.design.parameters;
    for (i, p) in params.iter().enumerate() {
        match &r.indices {
            Indices::Sobol(s) => {
                out.push(row(&p.path, "", "first_order", s.first[i]));
                out.push(row(&p.path, "", "total", s.total[i]));
            }
            Indices::Morris(m) => {
                out.push(row(&p.path, "", "mu_star", m[i].mu_star));
                out.push(row(&p.path, "", "mu", bare(m[i].mu)));
                out.push(row(&p.path, "", "sigma", bare(m[i].sigma)));
            }
        }
    }
    if let Indices::Sobol(s) = &r.indices {
        for &((i, l), e) in &s.second {
            out.push(row(&params[i].path, &params[l].path, "second_order", e));
        }
    }
    out.push(row("", "", "variance_of_point_means", bare(r.variance)));
    out.push(row("", "", "replication_noise_variance", bare(r.noise_variance)));
    out.push(row("", "", "replication_noise_share", bare(r.noise_share())));
    out
}

/// The header of `indices.csv`.
pub fn indices_header(study: &Study) -> &'static str {
    if has_pairs(study) {
        "output,parameter,measure,value,ci95_low,ci95_high,parameter_2"
    } else {
        "output,parameter,measure,value,ci95_low,ci95_high"
    }
}

/// Writes `indices.csv`: `output, parameter, measure, value, ci95_low, ci95_high`, and
/// `parameter_2` (the pair's second parameter of a `second_order` row) when the study has
/// second-order indices.
pub fn write_indices(path: &Path, study: &Study, results: &[OutputIndices]) -> Result<(), AnalysisError> {
    write_atomic(path, |w| {
        writeln!(w, "{}", indices_header(study))?;
        for r in results {
            for row in rows(study, r) {
                writeln!(w, "{}", row.join(","))?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// The terminal table of one output.
pub fn table(study: &Study, r: &OutputIndices) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let ci = |e: &Estimate| format!("{:.3} [{:.3}, {:.3}]", e.value, e.low, e.high);
    let width = study.design.parameters.iter().map(|p| p.path.len()).max().unwrap_or(9).max(9);
    let _ = writeln!(s, "{}", r.output);
    match &r.indices {
        Indices::Sobol(x) => {
            let _ = writeln!(s, "  {:<width$}  {:>24}  {:>24}", "parameter", "first order [95% CI]", "total [95% CI]");
            for (i, p) in study.design.parameters.iter().enumerate() {
                let _ = writeln!(s, "  {:<width$}  {:>24}  {:>24}", p.path, ci(&x.first[i]), ci(&x.total[i]));
            }
            if !x.second.is_empty() {
                let params = &study.design.parameters;
                let names: Vec<String> =
                    x.second.iter().map(|((i, l), _)| format!("{} × {}", params[*i].path, params[*l].path)).collect();
                let w2 = names.iter().map(|n| n.chars().count()).max().unwrap_or(4).max(4);
                let _ = writeln!(s, "  {:<w2$}  {:>24}", "pair", "second order [95% CI]");
                for (name, (_, e)) in names.iter().zip(&x.second) {
                    let _ = writeln!(s, "  {:<w2$}  {:>24}", name, ci(e));
                }
            }
        }
        Indices::Morris(m) => {
            let _ = writeln!(s, "  {:<width$}  {:>26}  {:>10}  {:>10}", "parameter", "mu* [95% CI]", "mu", "sigma");
            for (i, p) in study.design.parameters.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "  {:<width$}  {:>26}  {:>10.3}  {:>10.3}",
                    p.path,
                    ci(&m[i].mu_star),
                    m[i].mu,
                    m[i].sigma
                );
            }
        }
    }
    let _ = writeln!(
        s,
        "  replication noise: {:.2}% of the variance of point means ({} replications per point, common random numbers){}",
        r.noise_share() * 100.0,
        study.design.replications,
        if r.undefined_points > 0 {
            format!("; {} points undefined, set to the mean", r.undefined_points)
        } else {
            String::new()
        }
    );
    s
}

/// Morris: each parameter's μ* (with its interval) and σ, for the μ*–σ chart; none for Sobol.
pub fn mu_star_sigma(r: &OutputIndices) -> Option<Vec<(Estimate, f64)>> {
    match &r.indices {
        Indices::Morris(m) => Some(m.iter().map(|f| (f.mu_star, f.sigma)).collect()),
        Indices::Sobol(_) => None,
    }
}

/// Bar series for the chart of one output: (measure name, per-parameter estimates).
pub fn bars(r: &OutputIndices) -> Vec<(String, Vec<Estimate>)> {
    match &r.indices {
        Indices::Sobol(x) => vec![("first order".into(), x.first.clone()), ("total".into(), x.total.clone())],
        Indices::Morris(m) => vec![("mu*".into(), m.iter().map(|f| f.mu_star).collect())],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A study on the bundled S town, with `extra` lines after `method`.
    fn study(method: &str, extra: &str) -> Result<Study, AnalysisError> {
        study_with(method, extra, "")
    }

    /// As [`study`], with `tail` (tables such as `[set]`) after the parameters.
    fn study_with(method: &str, extra: &str, tail: &str) -> Result<Study, AnalysisError> {
        let dir = tempfile::tempdir().unwrap();
        let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/s-town.toml");
        let text = format!(
            "base = {:?}\nmethod = \"{method}\"\n{extra}samples = 4\nreplications = 1\noutputs = [\"minhu.closed_per_month\"]\n\
             [[parameters]]\npath = \"leaders.secretary.attention_hours_per_day\"\nmin = 1.0\nmax = 6.0\n\
             [[parameters]]\npath = \"citizens.trust_weight\"\nmin = 1.0\nmax = 5.0\n\
             [[parameters]]\npath = \"decisions.take_up.duty\"\nmin = 0.3\nmax = 1.2\n{tail}",
            base.display().to_string()
        );
        let file = dir.path().join("study.toml");
        std::fs::write(&file, text).unwrap();
        Study::load(&file)
    }

    fn message(e: AnalysisError) -> String {
        e.to_string()
    }

    /// `[set]` means what it means in a sweep: a table the base lacks given whole (the callers'
    /// ratings, which a parameter path cannot create), an array as written, or a scalar at a
    /// path; a wrong kind of value is refused with the key's name.
    #[test]
    fn set_takes_whole_tables_arrays_and_scalars_as_a_sweep_does() {
        let ratings = "\"platforms.minhu.satisfaction\" = { on_time = 0.9, late = 0.6, unresolved = 0.2 }";
        let s = study_with("morris", "", &format!("[set]\n{ratings}\n")).unwrap();
        let got = crate::scenario::overrides::lookup(&s.design.base, "platforms.minhu.satisfaction.late");
        assert_eq!(got.and_then(toml::Value::as_float), Some(0.6));
        // A rating as a parameter: refused while the base has no such table, accepted once [set]
        // gives it.
        let leaf = "[[parameters]]\npath = \"platforms.minhu.satisfaction.late\"\nmin = 0.4\nmax = 0.8\n";
        let e = message(study_with("morris", "", leaf).unwrap_err());
        assert!(e.contains("platforms.minhu.satisfaction.late"), "{e}");
        let s = study_with("morris", "", &format!("{leaf}[set]\n{ratings}\n")).unwrap();
        assert_eq!(s.design.parameters.len(), 4);
        // An array as written (a demand shock), and an array where the base has a number.
        let shock = "\"platforms.minhu.shocks\" = [{ from_day = 100, to_day = 120, multiplier = 2.0 }]";
        let s = study_with("morris", "", &format!("[set]\n{shock}\n")).unwrap();
        let got = crate::scenario::overrides::lookup(&s.design.base, "platforms.minhu.shocks");
        assert_eq!(got.and_then(toml::Value::as_array).map(Vec::len), Some(1));
        let e = message(
            study_with("morris", "", "[set]\n\"leaders.secretary.attention_hours_per_day\" = [1.0, 2.0]\n")
                .unwrap_err(),
        );
        assert!(e.contains("[set] `leaders.secretary.attention_hours_per_day`: expected "), "{e}");
        assert!(e.contains("found an array"), "{e}");
        let s = study_with("morris", "", "[set]\n\"leaders.secretary.attention_hours_per_day\" = 2.5\n").unwrap();
        let got = crate::scenario::overrides::lookup(&s.design.base, "leaders.secretary.attention_hours_per_day");
        assert_eq!(got.and_then(toml::Value::as_float), Some(2.5));
        let e = message(
            study_with("morris", "", "[set]\n\"leaders.secretary.attention_hours_per_day\" = \"many\"\n").unwrap_err(),
        );
        assert!(e.contains("[set] `leaders.secretary.attention_hours_per_day`"), "{e}");
        let e = message(
            study_with("morris", "", "[set]\n\"platforms.nowhere.satisfaction\" = { late = 0.5 }\n").unwrap_err(),
        );
        assert!(e.contains("[set] `platforms.nowhere.satisfaction`: unknown key path"), "{e}");
    }

    #[test]
    fn second_order_adds_the_ba_rows() {
        let plain = study("sobol", "").unwrap();
        let both = study("sobol", "second_order = true\n").unwrap();
        assert!(!plain.second_order && both.second_order);
        let (p, b) = (plain.unit_points(), both.unit_points());
        assert_eq!((p.len(), b.len()), (4 * 5, 4 * 8));
        assert_eq!(b[..p.len()], p[..], "the first N(k + 2) points are the same");
        assert_eq!(b, both.unit_points(), "a function of the file");
        assert!(!study("sobol", "second_order = false\n").unwrap().second_order);
        assert!(!study("morris", "second_order = false\n").unwrap().second_order);
    }

    #[test]
    fn second_order_errors_name_file_key_line_and_what_was_expected() {
        let e = message(study("sobol", "second_order = \"yes\"\n").unwrap_err());
        assert!(e.contains("study.toml: line 3: second_order: expected true or false, found \"yes\""), "{e}");
        let e = message(study("sobol", "\nsecond_order = 1\n").unwrap_err());
        assert!(e.contains("line 4: second_order: expected true or false, found 1"), "{e}");
        let e = message(study("morris", "second_order = true\n").unwrap_err());
        assert!(e.contains("study.toml: line 3: second_order: expected only with method = \"sobol\""), "{e}");
        let e = message(study("sobol", "second_ordre = true\n").unwrap_err());
        assert!(e.contains("line 3") && e.contains("second_ordre"), "an unknown key is refused: {e}");
    }

    /// The second-order rows of `indices.csv` and the table's section, from made-up indices.
    #[test]
    fn second_order_rows_and_table() {
        let s = study("sobol", "second_order = true\n").unwrap();
        let e = |v: f64| Estimate { value: v, low: v - 0.1, high: v + 0.1 };
        let r = OutputIndices {
            output: "minhu.closed_per_month".into(),
            indices: Indices::Sobol(SobolIndices {
                first: vec![e(0.5), e(0.2), e(0.0)],
                total: vec![e(0.7), e(0.3), e(0.0)],
                second: vec![((0, 1), e(0.15)), ((0, 2), e(0.0)), ((1, 2), e(0.0))],
                variance: 2.0,
            }),
            variance: 2.0,
            noise_variance: 0.02,
            undefined_points: 0,
        };
        assert_eq!(indices_header(&s), "output,parameter,measure,value,ci95_low,ci95_high,parameter_2");
        let rows = rows(&s, &r);
        assert!(rows.iter().all(|r| r.len() == 7));
        let pair = rows.iter().find(|r| r[2] == "second_order").unwrap();
        assert_eq!(
            pair.join(","),
            "minhu.closed_per_month,leaders.secretary.attention_hours_per_day,second_order,0.15,0.04999999999999999,0.25,citizens.trust_weight"
        );
        assert_eq!(rows.iter().filter(|r| r[2] == "second_order").count(), 3);
        assert_eq!(rows.iter().filter(|r| r[2] == "first_order" && r[6].is_empty()).count(), 3);
        let t = table(&s, &r);
        assert!(t.contains("second order [95% CI]"), "{t}");
        assert!(t.contains("leaders.secretary.attention_hours_per_day × citizens.trust_weight"), "{t}");
        let plain = study("sobol", "").unwrap();
        assert_eq!(indices_header(&plain), "output,parameter,measure,value,ci95_low,ci95_high");
    }
}
