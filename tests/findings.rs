//! The findings table: every effect the project reports, what carries it, and what it becomes
//! at the ends of each carrying assumption's plausible range.
//!
//! `docs/findings.toml` names each effect, its scenario, the study that screened it and the
//! parameters that carry it; the figures come from the shipped studies (`docs/studies/*/
//! indices.csv`: mu*) and from `docs/studies/ends.csv` (`python3 docs/studies/ends.py`: the
//! effect at the scenario's values and at each end of each carrier's range, 16 replications).
//! The table in docs/MODEL.md and the short one in the README are rendered from those three
//! files; this test fails when either differs from its rendering, when a carrier is not a
//! parameter of its study, or when a figure is missing. `EMBEDSIM_WRITE_FINDINGS=1` rewrites
//! both tables.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    finding: Vec<Finding>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Finding {
    id: String,
    case: String,
    effect: String,
    scenario: String,
    study_file: String,
    study: String,
    output: String,
    unit: String,
    paper: String,
    decides: String,
    carriers: Vec<Carrier>,
    /// For a difference (A − B, paired on common random numbers): the other scenario and its study.
    #[serde(default)]
    scenario_b: Option<String>,
    #[serde(default)]
    study_file_b: Option<String>,
    /// What ends.py reads from summary.csv, when the output is a derived name (a difference).
    #[serde(default)]
    #[allow(dead_code)]
    measure: Option<String>,
    /// Settings of side A that its study varies over values that change nothing (ends.py).
    #[serde(default)]
    #[allow(dead_code)]
    set_a: Option<toml::Table>,
    /// The line the effect is read against (the floating line, the reengineering line).
    #[serde(default)]
    threshold: Option<f64>,
    /// Which side of the line the effect is (`below`, `above`): report.html adds the caveat only
    /// to a run on that side.
    #[serde(default)]
    side: Option<String>,
    /// The regime the effect is (report.html adds the caveat only to a run in it).
    #[serde(default)]
    #[allow(dead_code)]
    regime: Option<String>,
    /// The assumed carriers each of which, alone at an end of its range, puts the effect across
    /// `threshold` (checked against ends.csv).
    #[serde(default)]
    alone: Vec<String>,
    /// That, in a sentence, for report.html (English, 中文).
    #[serde(default)]
    alone_en: Option<String>,
    #[serde(default)]
    alone_zh: Option<String>,
    /// Why the effect has no steady-state figure (a transient by design); without it, ends.csv
    /// holds a `(steady state)` row: the run with its warm-up at the day the slow series settled.
    #[serde(default)]
    transient: Option<String>,
    /// Where the project states the effect: each such sentence must name what alone decides it.
    #[serde(default)]
    stated: Vec<Stated>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Stated {
    file: String,
    phrase: String,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Carrier {
    parameter: String,
    basis: String,
    /// Why a carrier below the largest mu* is listed (the review named it, a mechanism's own cost).
    #[serde(default)]
    why: Option<String>,
}

/// One row of ends.csv: mean, low, high, replications.
type Figure = (f64, f64, f64, u32);

fn load() -> Table {
    let text = fs::read_to_string(root().join("docs/findings.toml")).expect("docs/findings.toml");
    toml::from_str(&text).unwrap_or_else(|e| panic!("docs/findings.toml: {e}"))
}

/// ends.csv by (finding, parameter, end): the value set there, as written, and the figure.
fn ends() -> BTreeMap<(String, String, String), (String, Figure)> {
    let mut r = csv::Reader::from_path(root().join("docs/studies/ends.csv")).expect("docs/studies/ends.csv");
    r.records()
        .map(|rec| {
            let rec = rec.expect("a row");
            let f = |i: usize| rec[i].parse::<f64>().unwrap_or_else(|_| panic!("ends.csv: {:?}", rec));
            let key = (rec[0].to_string(), rec[1].to_string(), rec[2].to_string());
            (key, (rec[3].to_string(), (f(4), f(5), f(6), f(7) as u32)))
        })
        .collect()
}

/// Every parameter's mu* on `output` in a study's indices.csv, largest first.
fn mu_stars(study: &Path, output: &str) -> Vec<(String, f64)> {
    let mut r = csv::Reader::from_path(study.join("indices.csv")).expect("indices.csv");
    let mut all: Vec<(String, f64)> = r
        .records()
        .filter_map(Result::ok)
        .filter(|rec| &rec[0] == output && &rec[2] == "mu_star" && !rec[1].is_empty())
        .map(|rec| (rec[1].to_string(), rec[3].parse().expect("a number")))
        .collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1));
    all
}

/// The parameters a study's indices.csv covers (any output).
fn indexed_parameters(study: &Path) -> std::collections::BTreeSet<String> {
    let mut r = csv::Reader::from_path(study.join("indices.csv")).expect("indices.csv");
    r.records().filter_map(Result::ok).filter(|rec| !rec[1].is_empty()).map(|rec| rec[1].to_string()).collect()
}

/// An ordinal: 1st, 2nd, 3rd, 4th ...
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A range end as ends.py writes it (Python's `str` of the TOML number).
fn as_written(v: &toml::Value) -> String {
    match v {
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.1}"),
        toml::Value::Float(x) => format!("{x}"),
        other => panic!("a range end is a number: {other}"),
    }
}

/// The (min, max) of each parameter of a study file, as written there.
fn ranges(study_file: &Path) -> BTreeMap<String, (toml::Value, toml::Value)> {
    parameters(study_file).into_iter().map(|(path, min, max)| (path, (min, max))).collect()
}

/// A study file's parameters in order: (path, min, max) as written there.
fn parameters(study_file: &Path) -> Vec<(String, toml::Value, toml::Value)> {
    let text = fs::read_to_string(study_file).unwrap_or_else(|e| panic!("{}: {e}", study_file.display()));
    let v: toml::Value = toml::from_str(&text).expect("a study file");
    v["parameters"]
        .as_array()
        .expect("[[parameters]]")
        .iter()
        .map(|p| (p["path"].as_str().expect("path").to_string(), p["min"].clone(), p["max"].clone()))
        .collect()
}

/// A study file's parameter paths, in order.
fn study_paths(study_file: &Path) -> Vec<String> {
    parameters(study_file).into_iter().map(|(path, ..)| path).collect()
}

/// Two significant figures, as the tables print mu*.
fn sig2(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let digits = (1 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{:.*}", digits, x)
}

fn show(unit: &str, (m, lo, hi, n): Figure) -> String {
    match unit {
        "share" => format!("{:.1}% ({:.1}–{:.1})", 100.0 * m, 100.0 * lo, 100.0 * hi),
        "points" => format!("{:+.1} points ({:+.1} to {:+.1})", 100.0 * m, 100.0 * lo, 100.0 * hi),
        "regime" => format!("{}/{n} ({:.0}–{:.0}%)", (m * n as f64).round(), 100.0 * lo, 100.0 * hi),
        "number" => {
            let d = decimals(m);
            let to = if lo < 0.0 { " to " } else { "–" };
            format!("{m:.d$} ({lo:.d$}{to}{hi:.d$})")
        }
        other => panic!("unit {other}: share, points, regime or number"),
    }
}

/// Decimals for a plain number: three significant figures, at least none.
fn decimals(m: f64) -> usize {
    if m == 0.0 { 0 } else { (2 - m.abs().log10().floor() as i32).max(0) as usize }
}

/// Short figure, for the ends column.
fn show_short(unit: &str, (m, _, _, n): Figure) -> String {
    match unit {
        "share" => format!("{:.0}%", 100.0 * m),
        "points" => format!("{:+.1}", 100.0 * m),
        "regime" => format!("{}/{n}", (m * n as f64).round()),
        _ => {
            let d = decimals(m);
            format!("{m:.d$}")
        }
    }
}

fn short_name(path: &str) -> String {
    // A paired slot `A-path / B-path` keeps both sides.
    path.split(" / ")
        .map(|side| {
            let parts: Vec<&str> = side.split('.').collect();
            parts[parts.len().saturating_sub(2)..].join(".")
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

struct Rendered {
    model: String,
    readme: String,
}

fn render(table: &Table) -> Rendered {
    let ends = ends();
    let mut model = String::from(
        "| case | effect | model (16 replications, 95% interval of replication noise only; then once the launch is over) | paper | carried by: parameter (basis; Morris mu\\*, its rank among the study's parameters) — the effect at the low and high ends of its range, one at a time | what decides it |\n|---|---|---|---|---|---|\n",
    );
    let mut readme = String::from("| case | effect | model | paper | carried by |\n|---|---|---|---|---|\n");
    for f in &table.finding {
        let study = root().join(&f.study);
        let range = ranges(&root().join(&f.study_file));
        let range_b = f.study_file_b.as_ref().map(|b| ranges(&root().join(b)));
        let fig = |parameter: &str, end: &str| {
            ends.get(&(f.id.clone(), parameter.to_string(), end.to_string())).cloned().unwrap_or_else(|| {
                panic!(
                    "{}: no row ({parameter}, {end}) in docs/studies/ends.csv: run python3 docs/studies/ends.py",
                    f.id
                )
            })
        };
        let base = fig("(scenario)", "").1;
        assert_eq!(base.3, 16, "{}: 16 replications", f.id);
        assert!(base.0.is_finite(), "{}: the figure is not a number", f.id);
        // Once the launch is over: the same counted days from the day the slow series settled.
        let steady = match (&f.transient, ends.get(&(f.id.clone(), "(steady state)".into(), String::new()))) {
            (Some(why), None) => format!("; no steady state: {why}"),
            (None, Some((day, fig))) => {
                assert_eq!(fig.3, 16, "{}: 16 replications", f.id);
                if let (Some(t), Some(side)) = (f.threshold, &f.side) {
                    let sides = |x: f64| if side == "below" { x < t } else { x > t };
                    assert!(
                        sides(fig.0) == sides(base.0) || f.decides.contains("steady state"),
                        "{}: the steady-state figure is across the line ({t}) from the scenario's: `decides` must say so (\"steady state\")",
                        f.id
                    );
                }
                if day == "own" {
                    "; its own warm-up covers the settling".to_string()
                } else {
                    format!("; steady state (warm-up {day} days): {}", show(&f.unit, *fig))
                }
            }
            (Some(_), Some(_)) => panic!("{}: a transient finding has no (steady state) row in ends.csv", f.id),
            (None, None) => panic!(
                "{}: no (steady state) row in docs/studies/ends.csv: run python3 docs/studies/settle.py, then ends.py",
                f.id
            ),
        };
        let stars = mu_stars(&study, &f.output);
        // The results are the study file's: the same parameters (`A / B` for a paired slot).
        let paths_a = study_paths(&root().join(&f.study_file));
        let expected: std::collections::BTreeSet<String> = match &f.study_file_b {
            None => paths_a.into_iter().collect(),
            Some(b) => paths_a
                .into_iter()
                .zip(study_paths(&root().join(b)))
                .map(|(a, b)| if a == b { a } else { format!("{a} / {b}") })
                .collect(),
        };
        assert_eq!(indexed_parameters(&study), expected, "{}: {} holds the results of {}", f.id, f.study, f.study_file);
        // The carriers without a reason are the largest mu*, all of them down to the last listed.
        let plain: std::collections::BTreeSet<usize> = f
            .carriers
            .iter()
            .filter(|c| c.why.is_none())
            .map(|c| stars.iter().position(|(p, _)| *p == c.parameter).unwrap_or(usize::MAX))
            .collect();
        assert_eq!(
            plain,
            (0..plain.len()).collect(),
            "{}: the carriers listed without `why` must be the largest mu* of {} in order of rank, none left out ({:?})",
            f.id,
            f.output,
            stars.iter().take(plain.len() + 2).collect::<Vec<_>>()
        );
        let mut carried = Vec::new();
        let mut carried_short = Vec::new();
        for c in &f.carriers {
            assert!(
                ["paper", "calibrated", "assumed"].contains(&c.basis.as_str()),
                "{}: basis of {} is paper, calibrated or assumed",
                f.id,
                c.parameter
            );
            // A paired slot `A-path / B-path` is each side's own key.
            let (path_a, path_b) = c.parameter.split_once(" / ").unwrap_or((&c.parameter, &c.parameter));
            assert!(range.contains_key(path_a), "{}: {path_a} is not a parameter of {}", f.id, f.study_file);
            if let (Some(rb), Some(b)) = (&range_b, &f.study_file_b) {
                assert!(rb.contains_key(path_b) || path_a == path_b, "{}: {path_b} is not a parameter of {b}", f.id);
            }
            let rank = stars.iter().position(|(p, _)| *p == c.parameter).unwrap_or_else(|| {
                panic!("{}: no mu* of {} on {} in {}/indices.csv", f.id, c.parameter, f.output, f.study)
            });
            let mu = stars[rank].1;
            assert!(mu.is_finite(), "{}: mu* of {} is not a number", f.id, c.parameter);
            let ((lo, at_lo), (hi, at_hi)) = (fig(&c.parameter, "low"), fig(&c.parameter, "high"));
            // The figures are those of the study file's range as it stands, and of 16 replications.
            let end = |i: usize, side: &BTreeMap<String, (toml::Value, toml::Value)>, path: &str| {
                let (a, b) = &side[path];
                as_written(if i == 0 { a } else { b })
            };
            for (i, shown) in [(0, &lo), (1, &hi)] {
                let mut expected = end(i, &range, path_a);
                if let Some(rb) = range_b.as_ref().filter(|rb| rb.contains_key(path_b)) {
                    let other = end(i, rb, path_b);
                    if other != expected {
                        expected = format!("{expected} / {other}");
                    }
                }
                assert_eq!(
                    *shown, expected,
                    "{}: {}: ends.csv is of another range: rerun docs/studies/ends.py",
                    f.id, c.parameter
                );
            }
            for fig in [at_lo, at_hi] {
                assert_eq!(fig.3, 16, "{}: 16 replications", f.id);
                assert!(
                    fig.0.is_finite() && fig.1.is_finite() && fig.2.is_finite(),
                    "{}: a figure is not a number",
                    f.id
                );
            }
            let why = c.why.as_ref().map_or(String::new(), |w| format!(" [{w}]"));
            carried.push(format!(
                "`{}` ({}; {}, {} of {}){why} — {} at {lo}, {} at {hi}",
                c.parameter,
                c.basis,
                sig2(mu),
                ordinal(rank + 1),
                stars.len(),
                show_short(&f.unit, at_lo),
                show_short(&f.unit, at_hi),
            ));
            carried_short.push(format!("`{}` ({})", short_name(&c.parameter), c.basis));
        }
        let study_link = format!(
            "[{}]({}/README.md)",
            f.study.rsplit('/').next().unwrap_or(&f.study),
            f.study.trim_start_matches("docs/")
        );
        model.push_str(&format!(
            "| {} | {} (`{}`) | {}{} | {} | {}; study {} | {} |\n",
            f.case,
            f.effect,
            f.output,
            show(&f.unit, base),
            steady,
            f.paper,
            carried.join("; "),
            study_link,
            f.decides
        ));
        readme.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            f.case,
            f.effect,
            show(&f.unit, base),
            f.paper,
            carried_short.join(", ")
        ));
    }
    Rendered { model, readme }
}

const BEGIN: &str = "<!-- findings: begin (rendered from docs/findings.toml by tests/findings.rs) -->\n";
const END: &str = "<!-- findings: end -->";

/// The block between the markers in `file`, and the file with `block` put there instead.
fn block(file: &Path, block: &str) -> (String, String) {
    let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let start = text.find(BEGIN).unwrap_or_else(|| panic!("{}: no findings marker", file.display())) + BEGIN.len();
    let end = start + text[start..].find(END).unwrap_or_else(|| panic!("{}: no end marker", file.display()));
    let replaced = format!("{}{}{}", &text[..start], block, &text[end..]);
    (text[start..end].to_string(), replaced)
}

#[test]
fn the_tables_are_rendered_from_the_findings_and_the_studies() {
    let table = load();
    let rendered = render(&table);
    let write = std::env::var_os("EMBEDSIM_WRITE_FINDINGS").is_some();
    for (file, text) in [("docs/MODEL.md", &rendered.model), ("README.md", &rendered.readme)] {
        let path = root().join(file);
        let (now, replaced) = block(&path, text);
        if write {
            fs::write(&path, replaced).unwrap();
        } else {
            assert_eq!(
                now, *text,
                "{file}'s findings table differs from its rendering: EMBEDSIM_WRITE_FINDINGS=1 cargo test --release --test findings"
            );
        }
    }
}

#[test]
fn every_finding_has_carriers_from_its_study_and_a_case_per_seed() {
    let table = load();
    let mut ids = std::collections::BTreeSet::new();
    for f in &table.finding {
        assert!(ids.insert(&f.id), "{}: ids are unique", f.id);
        assert!(!f.carriers.is_empty(), "{}: no effect without what carries it", f.id);
        assert!(root().join(&f.scenario).exists(), "{}: {}", f.id, f.scenario);
        assert!(root().join(&f.study).join("README.md").exists(), "{}: {}/README.md", f.id, f.study);
        let study: toml::Value = toml::from_str(&fs::read_to_string(root().join(&f.study_file)).unwrap()).unwrap();
        let same_scenario = |study_file: &str, scenario: &str| {
            let study: toml::Value = toml::from_str(&fs::read_to_string(root().join(study_file)).unwrap()).unwrap();
            let base = study["base"].as_str().expect("a study has a base");
            let screened = root().join(study_file).parent().unwrap().join(base);
            assert_eq!(
                fs::canonicalize(&screened).unwrap(),
                fs::canonicalize(root().join(scenario)).unwrap(),
                "{}: {study_file} screened the finding's own scenario",
                f.id
            );
        };
        same_scenario(&f.study_file, &f.scenario);
        match (&f.scenario_b, &f.study_file_b) {
            (Some(b), Some(sb)) => same_scenario(sb, b),
            (None, None) => assert!(
                study["outputs"].as_array().unwrap().iter().any(|o| o.as_str() == Some(&f.output)),
                "{}: {} is an output of {}",
                f.id,
                f.output,
                f.study_file
            ),
            _ => panic!("{}: a difference names both scenario_b and study_file_b", f.id),
        }
        // An effect that one assumed value alone decides says so: its sentence names the value.
        if let [only] = &f.carriers[..] {
            if only.basis == "assumed" {
                assert!(f.decides.contains(&only.parameter), "{}: one assumed value decides it; say which", f.id);
            }
        }
    }
    let cases: std::collections::BTreeSet<&str> = table.finding.iter().map(|f| f.case.as_str()).collect();
    for case in ["S town", "C district", "J town", "Wuzhen", "Beijing"] {
        assert!(cases.contains(case), "the findings table has a row for {case}");
    }
}

/// The sentence of `text` that holds `phrase` (whitespace folded): from the last sentence or
/// table-cell boundary before it to the first after it.
fn sentence_with(text: &str, phrase: &str) -> Option<String> {
    let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    for paragraph in text.split("\n\n") {
        let p = fold(paragraph);
        let Some(at) = p.find(&fold(phrase)) else { continue };
        let starts = [". ", "。", "| ", "！", "？"];
        let start = starts.iter().filter_map(|b| p[..at].rfind(b).map(|i| i + b.len())).max().unwrap_or(0);
        let after = at + fold(phrase).len();
        let end = [". ", "。", " |", "！", "？"]
            .iter()
            .filter_map(|b| p[after..].find(b).map(|i| after + i + b.len()))
            .min()
            .unwrap_or(p.len());
        return Some(p[start..end].to_string());
    }
    None
}

/// An effect that one assumed value alone decides says so wherever the project states it: the
/// `alone` list is what ends.csv shows (every assumed carrier with an end across the threshold,
/// no other), each listed statement names every one of them in its own sentence, and report.html
/// has the sentence in both languages.
#[test]
fn what_one_assumed_value_decides_is_said_where_the_effect_is_stated() {
    let ends = ends();
    let mut checked = 0;
    for f in load().finding {
        let Some(line) = f.threshold else {
            assert!(f.alone.is_empty() && f.stated.is_empty(), "{}: `alone` and `stated` need a threshold", f.id);
            continue;
        };
        let at = |p: &str, end: &str| ends.get(&(f.id.clone(), p.to_string(), end.to_string())).map(|(_, fig)| fig.0);
        let base = at("(scenario)", "").unwrap_or_else(|| panic!("{}: no scenario row in ends.csv", f.id));
        let side = if base < line { "below" } else { "above" };
        assert_eq!(f.side.as_deref(), Some(side), "{}: the scenario's figure {base} is {side} the line {line}", f.id);
        let across = |x: f64| (x - line).signum() != (base - line).signum() || x == line;
        let decided: Vec<String> = f
            .carriers
            .iter()
            .filter(|c| c.basis == "assumed")
            .filter(|c| ["low", "high"].iter().filter_map(|e| at(&c.parameter, e)).any(across))
            .map(|c| c.parameter.clone())
            .collect();
        let mut listed = f.alone.clone();
        listed.sort();
        let mut shown = decided.clone();
        shown.sort();
        assert_eq!(listed, shown, "{}: `alone` should list the assumed carriers with an end across {line}", f.id);
        if decided.is_empty() {
            continue;
        }
        assert!(f.alone_en.is_some() && f.alone_zh.is_some(), "{}: alone_en and alone_zh, for report.html", f.id);
        assert!(!f.stated.is_empty(), "{}: where does the project state this effect? (`[[finding.stated]]`)", f.id);
        for st in &f.stated {
            let text = fs::read_to_string(root().join(&st.file)).unwrap_or_else(|e| panic!("{}: {e}", st.file));
            let sentence = sentence_with(&text, &st.phrase)
                .unwrap_or_else(|| panic!("{}: `{}` is no longer in {}", f.id, st.phrase, st.file));
            assert!(
                f.alone.iter().all(|k| sentence.contains(&short_name(k))),
                "{}: {} states the effect without naming every value that alone decides it ({}):\n{sentence}",
                f.id,
                st.file,
                f.alone.iter().map(|k| short_name(k)).collect::<Vec<_>>().join(", ")
            );
            checked += 1;
        }
    }
    assert!(checked >= 4, "the statements of the effects one value decides are checked");
}

#[test]
fn a_sentence_is_cut_at_its_boundaries() {
    let text = "First one. The platform\nfloats because of `a.b`. Next.\n\n| cell one | cell two. |";
    assert_eq!(sentence_with(text, "platform floats").unwrap(), "The platform floats because of `a.b`. ");
    assert_eq!(sentence_with(text, "cell two").unwrap(), "cell two. ");
    assert!(sentence_with(text, "absent").is_none());
}
