//! The prediction written before the run (docs/prediction/beijing.toml): its inputs are frozen
//! by hash, and the run is scored clause by clause against the file, hit or miss, as
//! docs/prediction/README.md reports it.

use embedsim::experiment::run_all;
use embedsim::model::RunOutput;
use embedsim::scenario::overrides::{Override, apply, parse_set};
use embedsim::scenario::{load_table, parse_table};

const PREDICTION: &str = include_str!("../docs/prediction/beijing.toml");
const README: &str = include_str!("../docs/prediction/README.md");

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fnv1a(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ *b as u64).wrapping_mul(0x0000_0100_0000_01b3));
    format!("{h:016x}")
}

fn prediction() -> toml::Table {
    toml::from_str(PREDICTION).unwrap()
}

fn str_of<'a>(t: &'a toml::Table, key: &str) -> &'a str {
    t[key].as_str().unwrap_or_else(|| panic!("{key}: a string"))
}

fn set_entries(p: &toml::Table) -> Vec<String> {
    p["inputs"]["set"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
}

/// The scenario file and the carried-over values are the ones the prediction was written for.
#[test]
fn the_prediction_inputs_are_frozen() {
    let p = prediction();
    let inputs = p["inputs"].as_table().unwrap();
    let scenario = std::fs::read(root().join(str_of(inputs, "scenario"))).unwrap();
    assert_eq!(
        fnv1a(&scenario),
        str_of(inputs, "scenario_fnv1a"),
        "{} changed since the prediction was written: the prediction scores the scenario it names; \
         write a new prediction rather than editing this one",
        str_of(inputs, "scenario")
    );
    assert_eq!(
        fnv1a(set_entries(&p).join("\n").as_bytes()),
        str_of(inputs, "set_fnv1a"),
        "the carried-over values changed"
    );
}

/// Resolution and satisfaction pooled over every unit and the ranking periods that ended in
/// `(from, to]`.
fn rates(out: &RunOutput, from: f64, to: f64) -> (f64, f64) {
    let (mut n, mut res, mut sat) = (0u64, 0u64, 0u64);
    for period in out.ranking.iter().filter(|q| q.end_day > from && q.end_day <= to) {
        for u in &period.table.units {
            n += u.counts.closed;
            res += u.counts.resolved;
            sat += u.counts.satisfied;
        }
    }
    (res as f64 / n as f64, sat as f64 / n as f64)
}

/// Runs the prediction's scenario with `set` carried over and scores every clause: one
/// scorecard line per clause (`| what | figure | hit or miss |`).
fn scorecard(p: &toml::Table, set: &[String]) -> Vec<String> {
    let inputs = p["inputs"].as_table().unwrap();
    let text = std::fs::read_to_string(root().join(str_of(inputs, "scenario"))).unwrap();
    let mut table = parse_table(&text, "beijing-street").unwrap();
    let reps = inputs["replications"].as_integer().unwrap();
    assert_eq!(reps, 16, "the half-width's t quantile below is for 16 replications");
    let mut all: Vec<Override> = vec![parse_set(&format!("simulation.replications={reps}")).unwrap()];
    all.extend(set.iter().map(|s| parse_set(s).unwrap()));
    apply(&mut table, &all).unwrap();
    let sc = load_table(table, "beijing-street", None).unwrap();
    let outs = run_all(&sc, None, &|| {}).unwrap();
    let window = |k: &str| {
        let w = p["periods"][k].as_array().unwrap();
        (w[0].as_integer().unwrap() as f64, w[1].as_integer().unwrap() as f64)
    };
    let (b, a) = (window("before"), window("after"));
    let measure = |o: &RunOutput, m: &str| {
        let (br, bs) = rates(o, b.0, b.1);
        let (ar, as_) = rates(o, a.0, a.1);
        match m {
            "before_resolution" => br,
            "before_satisfaction" => bs,
            "after_resolution" => ar,
            "after_satisfaction" => as_,
            "rise_resolution" => ar - br,
            "rise_satisfaction" => as_ - bs,
            _ => panic!("unknown measure {m}"),
        }
    };
    let n = outs.len() as f64;
    // Mean and 95% half-width (Student t, 15 degrees of freedom: 2.131).
    let stat = |m: &str| {
        let xs: Vec<f64> = outs.iter().map(|o| measure(o, m)).collect();
        let mean = xs.iter().sum::<f64>() / n;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        (mean, 2.131 * sd / n.sqrt())
    };
    p["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let c = c.as_table().unwrap();
            let m = str_of(c, "measure");
            let (low, high) = (c["low"].as_float().unwrap(), c["high"].as_float().unwrap());
            let (mean, hw) = stat(m);
            let figure = if m.starts_with("rise") {
                format!("{:+.1} points ± {:.1}", mean * 100.0, hw * 100.0)
            } else {
                format!("{:.1}% ± {:.1}", mean * 100.0, hw * 100.0)
            };
            let verdict = if (low..=high).contains(&mean) { "hit" } else { "miss" };
            format!("| {} | {figure} | {verdict} |", str_of(c, "what"))
        })
        .collect()
}

/// Runs the predicted inputs and scores every clause; the README's scorecard must be the run's.
#[test]
fn the_prediction_is_scored_as_reported() {
    let p = prediction();
    let card = scorecard(&p, &set_entries(&p));
    eprintln!("{}", card.join("\n"));
    for line in &card {
        assert!(
            README.contains(line.as_str()),
            "the run no longer gives the scorecard docs/prediction/README.md reports:\n{line}\nThe inputs are \
             frozen, so the model changed: the prediction stands as scored on the model of 5e48523. Do not \
             rewrite its scorecard; say in the README what the changed model gives, or write a new prediction."
        );
    }
}

/// The scorer can say miss where the prediction says hit: without the values carried over from
/// C district (the model's defaults), the rise falls short of the public one by more than the
/// tolerance, so the carried-over values, not the scenario alone, make the size of the rise.
#[test]
fn without_the_carried_values_the_rise_misses() {
    let p = prediction();
    let card = scorecard(&p, &[]);
    let rise = card.iter().find(|l| l.starts_with("| resolution rises within 15 points")).unwrap();
    assert!(rise.ends_with("| miss |"), "{rise}");
}
