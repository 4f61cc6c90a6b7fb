//! Fuzzing in the repository (issue 9), on the stable toolchain, within a bounded budget.
//!
//! - [`every_numeric_key_at_its_extremes`] walks every number of `scenarios/reference/every-key.toml`
//!   (which sets every key of the format; [`the_fixture_sets_every_key`] keeps it so) and of the
//!   bundled scenarios through extreme values;
//! - the proptest cases mutate the bundled scenarios and sweep files (byte flips, deleted and
//!   duplicated lines, numbers replaced by extreme values, truncation).
//!
//! The property is the same everywhere, in [`scenario_survives`] and [`sweep_survives`]: loading
//! never panics, and a scenario that loads runs (cut down to a few days) to its end or to a stated
//! limit, never panicking and never past the queued-work bound. To fuzz another parser (`--set`
//! values, request bodies, calibration files), give it such a function and feed it the same
//! mutations through [`mutate`].

#[path = "common/design.rs"]
mod design;

use std::fs;
use std::path::{Path, PathBuf};

use embedsim::experiment::sweep::Sweep;
use embedsim::model::{SimError, run_replication};
use embedsim::scenario::{Scenario, load_str, load_table, spans};
use proptest::prelude::*;

/// Extreme numbers, as TOML text: non-finite, huge, denormal, negative, past u32 and i64.
const EXTREMES: &[&str] = &[
    "nan",
    "inf",
    "-inf",
    "1e308",
    "-1e308",
    "5e-324",
    "1e-320",
    "1e155",
    "-1",
    "0",
    "0.0",
    "4294967296",
    "4294967295",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            toml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

/// (bundled scenarios and the every-key fixture, sweep files).
fn seeds() -> (Vec<String>, Vec<String>) {
    let mut files = Vec::new();
    toml_files(&root().join("scenarios"), &mut files);
    files.sort();
    let (sweeps, scenarios): (Vec<PathBuf>, Vec<PathBuf>) =
        files.into_iter().partition(|p| p.components().any(|c| c.as_os_str() == "sweeps"));
    let read = |p: &PathBuf| fs::read_to_string(p).unwrap();
    let mut sc: Vec<String> = scenarios.iter().map(read).collect();
    sc.push(fs::read_to_string(root().join("scenarios/reference/every-key.toml")).unwrap());
    (sc, sweeps.iter().map(read).collect())
}

/// Runs `sc` cut down to at most 20 days, one replication and small limits; asserts it ends or
/// stops at a limit, within the queued-work bound.
fn run_cut(mut sc: Scenario) {
    let s = &mut sc.simulation;
    s.duration_days = s.duration_days.min(20.0);
    s.warmup_days = s.warmup_days.min(s.duration_days / 2.0);
    s.max_events = s.max_events.min(300_000);
    s.max_open_orders = s.max_open_orders.min(20_000);
    s.max_queued_jobs = s.max_queued_jobs.min(50_000);
    let limit = s.max_queued_jobs;
    match run_replication(&sc, 0) {
        Ok(out) => {
            for d in &out.departments {
                assert!(d.days.iter().all(|x| (x.queue as usize) <= limit), "a daily queue over the bound");
            }
        }
        Err(SimError::Unstable { .. } | SimError::EventLimit { .. }) => {}
        Err(SimError::QueuedWork { queued, limit, .. }) => {
            assert!(queued <= limit + limit / 4 + 1000, "guard overshoot: {queued} > {limit}");
        }
        // Nothing asks a plain run to stop.
        Err(e @ (SimError::Schedule { .. } | SimError::Stopped { .. })) => panic!("internal error: {e}"),
    }
}

/// The property for scenario text (bytes, as a file would hold them): decoding and loading
/// never panic; what loads runs (cut down) without panicking, within the memory bound.
pub fn scenario_survives(bytes: &[u8]) {
    let Ok(text) = spans::decode(bytes) else { return };
    if let Ok(sc) = load_str(text, "fuzz.toml") {
        let _ = sc.describe();
        run_cut(sc);
    }
}

/// The property for sweep text: parsing and expanding never panic (base paths relative to
/// `scenarios/sweeps`); a sweep that loads has its first point run (cut down).
pub fn sweep_survives(bytes: &[u8]) {
    let Ok(text) = spans::decode(bytes) else { return };
    if let Ok(sw) = Sweep::from_str(text, "fuzz-sweep.toml", &root().join("scenarios/sweeps"), None) {
        assert!(sw.runs() >= 1);
        let _ = sw.manifest();
        run_cut(sw.first.clone());
    }
}

/// One mutation of a file's bytes.
#[derive(Clone, Debug)]
pub enum Mutation {
    /// Set byte `at` (modulo the length) to `to`.
    Flip { at: usize, to: u8 },
    /// Delete line `line` (modulo the line count).
    DeleteLine { line: usize },
    /// Write line `line` twice (a duplicated key or table).
    DuplicateLine { line: usize },
    /// Replace number `which` (modulo the count) by `EXTREMES[value]`.
    Number { which: usize, value: usize },
    /// Keep the first `keep` per mille of the bytes.
    Truncate { keep: u16 },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, to)| Mutation::Flip { at, to }),
        any::<usize>().prop_map(|line| Mutation::DeleteLine { line }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        (any::<usize>(), 0..EXTREMES.len()).prop_map(|(which, value)| Mutation::Number { which, value }),
        (0u16..1000).prop_map(|keep| Mutation::Truncate { keep }),
    ]
}

/// Byte ranges of the numbers in `text` (digits with sign, point and exponent).
fn numbers(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let starts =
            text[i].is_ascii_digit() && (i == 0 || !(text[i - 1].is_ascii_alphanumeric() || text[i - 1] == b'_'));
        if starts {
            let mut j = i;
            while j < text.len() && (text[j].is_ascii_alphanumeric() || matches!(text[j], b'.' | b'_' | b'+' | b'-')) {
                j += 1;
            }
            let from = if i > 0 && text[i - 1] == b'-' { i - 1 } else { i };
            out.push((from, j));
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Applies `m` to `bytes`.
pub fn mutate(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    let lines = |b: &Vec<u8>| -> Vec<Vec<u8>> { b.split_inclusive(|&c| c == b'\n').map(<[u8]>::to_vec).collect() };
    match *m {
        Mutation::Flip { at, to } => {
            let n = bytes.len();
            bytes[at % n] = to;
        }
        Mutation::DeleteLine { line } => {
            let mut ls = lines(bytes);
            let n = ls.len();
            ls.remove(line % n);
            *bytes = ls.concat();
        }
        Mutation::DuplicateLine { line } => {
            let mut ls = lines(bytes);
            let n = ls.len();
            let l = ls[line % n].clone();
            ls.insert(line % n, l);
            *bytes = ls.concat();
        }
        Mutation::Number { which, value } => {
            let ns = numbers(bytes);
            if !ns.is_empty() {
                let (a, b) = ns[which % ns.len()];
                bytes.splice(a..b, EXTREMES[value].bytes());
            }
        }
        Mutation::Truncate { keep } => {
            let n = bytes.len() * keep as usize / 1000;
            bytes.truncate(n);
        }
    }
}

/// Every numeric leaf of a table, as (dotted path, array index path) setters.
fn numeric_paths(v: &toml::Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        toml::Value::Integer(_) | toml::Value::Float(_) => out.push(path.clone()),
        toml::Value::Table(t) => {
            for (k, x) in t {
                path.push(k.clone());
                numeric_paths(x, path, out);
                path.pop();
            }
        }
        toml::Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                path.push(i.to_string());
                numeric_paths(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn set_leaf(v: &mut toml::Value, path: &[String], new: toml::Value) {
    let (first, rest) = path.split_first().unwrap();
    let next = match v {
        toml::Value::Table(t) => t.get_mut(first).unwrap(),
        toml::Value::Array(a) => &mut a[first.parse::<usize>().unwrap()],
        _ => unreachable!(),
    };
    if rest.is_empty() { *next = new } else { set_leaf(next, rest, new) }
}

#[test]
fn every_numeric_key_at_its_extremes() {
    let floats =
        [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e308, 5e-324, 1e-320, -1.0, 0.0, 4294967296.0, 9.3e18, 1e155];
    let ints = [-1, 0, 1 << 32, (1 << 32) - 1, i64::MAX, i64::MIN];
    let (scenarios, _) = seeds();
    let mut checked = 0;
    for text in &scenarios {
        let table = toml::Value::Table(toml::from_str(text).unwrap());
        let mut paths = Vec::new();
        numeric_paths(&table, &mut Vec::new(), &mut paths);
        for path in &paths {
            let values =
                floats.iter().map(|&f| toml::Value::Float(f)).chain(ints.iter().map(|&i| toml::Value::Integer(i)));
            for value in values {
                let mut t = table.clone();
                set_leaf(&mut t, path, value.clone());
                let toml::Value::Table(t) = t else { unreachable!() };
                match load_table(t, "extreme", None) {
                    Ok(sc) => run_cut(sc),
                    Err(e) => {
                        let e = e.to_string();
                        assert!(!e.is_empty(), "{}: {value}", path.join("."));
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 1500, "walked {checked} key values");
}

#[test]
fn the_fixture_sets_every_key() {
    let raw = fs::read_to_string(root().join("src/scenario/raw.rs")).unwrap();
    let fixture = fs::read_to_string(root().join("scenarios/reference/every-key.toml")).unwrap();
    let mut missing = Vec::new();
    let mut removed = false;
    for line in raw.lines() {
        // Keys the decision model replaced stay in the mirror only to say what replaces them.
        if line.trim().starts_with("/// Removed") {
            removed = true;
            continue;
        }
        let Some(rest) = line.trim().strip_prefix("pub ") else { continue };
        if std::mem::take(&mut removed) {
            continue;
        }
        let Some((name, _)) = rest.split_once(':') else { continue };
        if name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            let as_key = [format!("{name} ="), format!("[{name}"), format!(".{name}]"), format!("{name} = ")];
            if !as_key.iter().any(|k| fixture.contains(k.as_str())) {
                missing.push(name.to_string());
            }
        }
    }
    assert!(missing.is_empty(), "keys of raw.rs not set in scenarios/reference/every-key.toml: {missing:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_scenarios_never_panic(seed in any::<usize>(), ms in prop::collection::vec(mutation(), 1..4)) {
        let (scenarios, _) = seeds();
        let mut bytes = scenarios[seed % scenarios.len()].clone().into_bytes();
        for m in &ms {
            mutate(&mut bytes, m);
        }
        scenario_survives(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_sweeps_never_panic(seed in any::<usize>(), ms in prop::collection::vec(mutation(), 1..4)) {
        let (_, sweeps) = seeds();
        let mut bytes = sweeps[seed % sweeps.len()].clone().into_bytes();
        for m in &ms {
            mutate(&mut bytes, m);
        }
        sweep_survives(&bytes);
    }
}

#[test]
fn the_mutations_do_what_they_say() {
    let mut b = b"a = 1\nb = -2.5e3\n".to_vec();
    mutate(&mut b, &Mutation::Number { which: 1, value: 0 });
    assert_eq!(b, b"a = 1\nb = nan\n");
    mutate(&mut b, &Mutation::DuplicateLine { line: 0 });
    assert_eq!(b, b"a = 1\na = 1\nb = nan\n");
    mutate(&mut b, &Mutation::DeleteLine { line: 2 });
    assert_eq!(b, b"a = 1\na = 1\n");
    mutate(&mut b, &Mutation::Truncate { keep: 500 });
    assert_eq!(b, b"a = 1\n");
}

/// The property for `--set KEY=VALUE` and `--unset KEY` (as typed on a command line): parsing
/// and applying never panic; a variant that loads runs (cut down) within the memory bound.
pub fn overrides_survive(base: &str, args: &[(bool, String)]) {
    use embedsim::scenario::overrides::{apply, parse_set, parse_unset};
    let Ok(mut table) = embedsim::scenario::parse_table(base, "fuzz.toml") else { return };
    let parsed: Vec<_> =
        args.iter().filter_map(|(set, a)| if *set { parse_set(a).ok() } else { parse_unset(a).ok() }).collect();
    if apply(&mut table, &parsed).is_ok() {
        if let Ok(sc) = load_table(table, "fuzz.toml", None) {
            run_cut(sc);
        }
    }
}

/// A key path of the fixture (or a made-up one), and a value drawn from TOML's kinds and the
/// numbers that broke parsers before.
fn set_arg() -> impl Strategy<Value = (bool, String)> {
    let fixture = fs::read_to_string(root().join("scenarios/reference/every-key.toml")).unwrap();
    let table: toml::Value = toml::from_str(&fixture).unwrap();
    let mut paths = Vec::new();
    numeric_paths(&table, &mut Vec::new(), &mut paths);
    let mut keys: Vec<String> = paths.iter().map(|p| p.join(".")).collect();
    keys.extend(
        ["platforms.voice.audit", "decisions", "departments.office.stress", "no.such.key", "a..b", ""]
            .map(String::from),
    );
    let values = prop_oneof![
        Just("nan".to_string()),
        Just("-inf".to_string()),
        Just("1e308".to_string()),
        Just("5e-324".to_string()),
        Just("-1".to_string()),
        Just("4294967296".to_string()),
        Just("9223372036854775807".to_string()),
        Just("\"petition\"".to_string()),
        Just("{ prob = 0.5 }".to_string()),
        Just("[1, 2]".to_string()),
        Just("true".to_string()),
        Just("not toml".to_string()),
        any::<f64>().prop_map(|f| format!("{f:?}")),
        any::<i64>().prop_map(|i| i.to_string()),
        "\\PC{0,12}",
    ];
    (any::<bool>(), prop::sample::select(keys), values)
        .prop_map(|(set, key, value)| if set { (true, format!("{key}={value}")) } else { (false, key) })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn set_and_unset_never_panic(seed in any::<usize>(), args in prop::collection::vec(set_arg(), 1..4)) {
        let (scenarios, _) = seeds();
        overrides_survive(&scenarios[seed % scenarios.len()], &args);
    }

    #[test]
    fn any_set_argument_parses_or_says_why(arg in "\\PC{0,40}") {
        let _ = embedsim::scenario::overrides::parse_set(&arg).map_err(|e| e.to_string());
        let _ = embedsim::scenario::overrides::parse_unset(&arg).map_err(|e| e.to_string());
    }
}

/// The property for a sweep's design file: reading it and expanding the sweep never panic; a
/// design that loads gives as many points as it has rows.
pub fn design_survives(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.toml"), std::fs::read(root().join("scenarios/s-town.toml")).unwrap()).unwrap();
    std::fs::write(dir.path().join("points.csv"), bytes).unwrap();
    let sweep = "base = \"base.toml\"\nreplications = 1\ndesign = \"points.csv\"\n";
    if let Ok(sw) = Sweep::from_str(sweep, "fuzz-design.toml", dir.path(), None) {
        let rows = embedsim::experiment::design_file::read(&dir.path().join("points.csv"), "points.csv", "x").unwrap();
        assert_eq!(sw.points.len(), rows.rows.len());
    }
}

const DESIGN_SEED: &str =
    "leaders.secretary.attention_hours_per_day,departments.stability.staff,platforms.minhu.arrival_rate_per_day
1.5,2,4
2,3.7,0.5
0.25,1,12
";

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_design_files_never_panic(ms in prop::collection::vec(mutation(), 1..4)) {
        let mut bytes = DESIGN_SEED.as_bytes().to_vec();
        for m in &ms {
            mutate(&mut bytes, m);
        }
        design_survives(&bytes);
    }
}

#[test]
fn the_design_seed_loads() {
    design_survives(DESIGN_SEED.as_bytes());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.toml"), std::fs::read(root().join("scenarios/s-town.toml")).unwrap()).unwrap();
    std::fs::write(dir.path().join("points.csv"), DESIGN_SEED).unwrap();
    let sw = Sweep::from_str("base = \"base.toml\"\ndesign = \"points.csv\"\n", "d.toml", dir.path(), None).unwrap();
    assert_eq!(sw.points.len(), 3, "the seed is a valid design, so mutations start from one");
}

/// A Parquet design file damaged anywhere gives an error or its points, never a panic.
#[test]
fn damaged_parquet_designs_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.parquet");
    design::write_parquet_design(&good);
    let bytes = std::fs::read(&good).unwrap();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..200 {
        let mut b = bytes.clone();
        for _ in 0..3 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let at = (rng as usize) % b.len();
            b[at] = (rng >> 32) as u8;
        }
        let path = dir.path().join("points.parquet");
        std::fs::write(&path, &b).unwrap();
        let _ = embedsim::experiment::design_file::read(&path, "points.parquet", "x");
    }
}
