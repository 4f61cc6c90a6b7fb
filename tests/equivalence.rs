//! Statistical equivalence of the model with its committed past: a change of design may change
//! the outputs (another order of random draws, events fused), but not the model. The fixtures in
//! `tests/fixtures/equivalence/` are per-replication summaries of the bundled scenarios, written
//! by the model as it was before such a change (seed [`FIXTURE_SEED`]); this test runs the model
//! as it is now on *another* seed ([`TEST_SEED`]) — two independent samples, as a redesign that
//! reshuffles the random streams would give — and asks, figure by figure, two one-sided tests
//! (TOST, Schuirmann 1987) whether the means are equivalent within a stated margin: the 90%
//! Welch interval of the difference must lie inside ±margin.
//!
//! Margins (stated here, not fitted per figure): 2% of the fixture's mean for the counts and
//! rates (arrived, closed per month), 10% for mean waits, 0.02 for shares of orders
//! (on time, closed in the system, burden), 0.2 for regime shares (a replication's regime is one
//! draw of a category; a scenario on a regime's edge, like classroom-overload, gets 384
//! replications so that two independent samples of it pass). The replications per case
//! are enough that two independent samples of today's model pass every figure; a planted 2% bias
//! in one figure must fail (`a_planted_two_percent_bias_fails`), so the test has teeth.
//!
//! Rewriting the fixtures is a deliberate act of a commit that says why (the model itself
//! changed): `EMBEDSIM_WRITE_EQUIVALENCE_FIXTURES=1 cargo test --release --test equivalence`.

use std::fmt::Write as _;
use std::path::PathBuf;

use embedsim::experiment::run_all;
use embedsim::metrics::summary::summarize;
use embedsim::scenario::{DayRecords, load_path};

/// The seed the fixtures were written with.
const FIXTURE_SEED: u64 = 20_261_207;
/// The seed this test runs today's model with: independent of the fixtures' draws.
const TEST_SEED: u64 = 20_261_208;

/// Bundled scenarios and replications per sample (the whole city is the performance bench).
const CASES: &[(&str, u32)] = &[
    ("s-town", 96),
    ("s-town-swapped", 96),
    ("j-town", 96),
    ("j-town-fragmented", 96),
    ("c-district-hotline", 64),
    ("wuzhen", 384),
    ("classroom-steady", 384),
    ("classroom-overload", 384),
    ("classroom-tipping", 384),
    ("beijing-street", 48),
];

/// A figure, and its margin: relative to the fixture's mean, or absolute.
#[derive(Clone, Copy)]
enum Margin {
    Relative(f64),
    Absolute(f64),
}

const FIGURES: &[(&str, Margin)] = &[
    ("arrived", Margin::Relative(0.02)),
    ("closed_per_month", Margin::Relative(0.02)),
    ("mean_wait_hours", Margin::Relative(0.10)),
    ("on_time_share", Margin::Absolute(0.02)),
    ("closed_in_system_share", Margin::Absolute(0.02)),
    ("burden_share", Margin::Absolute(0.02)),
];

const REGIME_MARGIN: f64 = 0.2;

/// One replication's figures for one platform.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    replication: u32,
    platform: String,
    values: Vec<f64>,
    regime: String,
}

fn fixture_path(case: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/equivalence").join(format!("{case}.csv"))
}

/// Runs `case` with `reps` replications on `seed`.
fn simulate(case: &str, reps: u32, seed: u64) -> Vec<Row> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{case}.toml"));
    let mut sc = load_path(&path).unwrap();
    sc.simulation.seed = seed;
    sc.simulation.replications = reps;
    // Only summaries are read (a lean run reports the same summaries: tests/day_records.rs).
    sc.simulation.day_records = DayRecords::Summary { warmup_metric: "open".into() };
    let mut rows = Vec::new();
    for (r, out) in run_all(&sc, None, &|| {}).unwrap().iter().enumerate() {
        for s in summarize(&sc, out) {
            rows.push(Row {
                replication: r as u32,
                values: FIGURES.iter().map(|(f, _)| s.get(f)).collect(),
                platform: s.platform,
                regime: s.regime.name().to_string(),
            });
        }
    }
    rows
}

fn to_csv(rows: &[Row]) -> String {
    let mut s = String::from("replication,platform");
    for (f, _) in FIGURES {
        let _ = write!(s, ",{f}");
    }
    s += ",regime\n";
    for r in rows {
        let _ = write!(s, "{},{}", r.replication, r.platform);
        for v in &r.values {
            // Shortest round-trip form: the fixture reads back to the same bits.
            let _ = write!(s, ",{v:?}");
        }
        let _ = writeln!(s, ",{}", r.regime);
    }
    s
}

fn from_csv(text: &str) -> Vec<Row> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let expected: Vec<&str> =
        ["replication", "platform"].into_iter().chain(FIGURES.iter().map(|(f, _)| *f)).chain(["regime"]).collect();
    assert_eq!(header, expected, "the fixture's columns differ from FIGURES: rewrite the fixtures deliberately");
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Row {
                replication: f[0].parse().unwrap(),
                platform: f[1].to_string(),
                values: f[2..f.len() - 1].iter().map(|v| v.parse().unwrap()).collect(),
                regime: f[f.len() - 1].to_string(),
            }
        })
        .collect()
}

/// The one-sided 95% quantile of Student's t with `df` degrees of freedom (Cornish–Fisher
/// expansion; within 0.001 of the tables from 10 degrees of freedom on).
fn t95(df: f64) -> f64 {
    let z: f64 = 1.644_853_626_951_472_2;
    let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
    z + (z3 + z) / (4.0 * df)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df * df)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * df.powi(3))
}

/// The verdict of one figure: the 90% interval of new − old, and the margin.
#[derive(Debug)]
struct Verdict {
    what: String,
    low: f64,
    high: f64,
    margin: f64,
}

impl Verdict {
    fn equivalent(&self) -> bool {
        -self.margin < self.low && self.high < self.margin
    }
}

/// TOST on the means of `old` and `new` (Welch): NaN replications (a figure undefined in that
/// run) are left out here; `verdicts` tests the share of them as a figure of its own.
fn tost(what: String, old: &[f64], new: &[f64], margin: Margin) -> Verdict {
    let clean = |xs: &[f64]| xs.iter().copied().filter(|x| !x.is_nan()).collect::<Vec<f64>>();
    let (a, b) = (clean(old), clean(new));
    let moments = |xs: &[f64]| {
        let n = xs.len() as f64;
        let m = xs.iter().sum::<f64>() / n;
        (n, m, xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0).max(1.0))
    };
    if a.is_empty() || b.is_empty() {
        // Undefined everywhere on one side: equivalent only when undefined on both.
        let same = a.is_empty() && b.is_empty();
        return Verdict { what, low: 0.0, high: if same { 0.0 } else { f64::INFINITY }, margin: 1.0 };
    }
    let ((na, ma, va), (nb, mb, vb)) = (moments(&a), moments(&b));
    let margin = match margin {
        Margin::Relative(r) => r * ma.abs(),
        Margin::Absolute(d) => d,
    };
    let se2 = va / na + vb / nb;
    let df = if se2 > 0.0 {
        se2.powi(2) / ((va / na).powi(2) / (na - 1.0) + (vb / nb).powi(2) / (nb - 1.0))
    } else {
        f64::INFINITY
    };
    let h = if se2 > 0.0 { t95(df.max(1.0)) * se2.sqrt() } else { 0.0 };
    let d = mb - ma;
    // A constant figure on both sides (a share of exactly 1, say) is equivalent when equal.
    let margin = if margin == 0.0 && se2 == 0.0 { f64::MIN_POSITIVE } else { margin };
    Verdict { what, low: d - h, high: d + h, margin }
}

/// Every verdict of one case: each figure of each platform, and each regime's share.
fn verdicts(old: &[Row], new: &[Row]) -> Vec<Verdict> {
    let platforms: std::collections::BTreeSet<&str> = old.iter().map(|r| r.platform.as_str()).collect();
    let mut out = Vec::new();
    for p in platforms {
        let of = |rows: &[Row]| rows.iter().filter(|r| r.platform == p).cloned().collect::<Vec<Row>>();
        let (o, n) = (of(old), of(new));
        assert!(!n.is_empty(), "platform {p} is gone");
        for (i, (f, margin)) in FIGURES.iter().enumerate() {
            let col = |rows: &[Row]| rows.iter().map(|r| r.values[i]).collect::<Vec<f64>>();
            let (a, b) = (col(&o), col(&n));
            out.push(tost(format!("{p}.{f}"), &a, &b, *margin));
            // Where a figure is undefined in some replications, how often it is, as a share.
            if a.iter().chain(&b).any(|x| x.is_nan()) {
                let undefined = |xs: &[f64]| xs.iter().map(|x| x.is_nan() as u8 as f64).collect::<Vec<f64>>();
                out.push(tost(
                    format!("{p}.{f}.undefined_share"),
                    &undefined(&a),
                    &undefined(&b),
                    Margin::Absolute(REGIME_MARGIN),
                ));
            }
        }
        let regimes: std::collections::BTreeSet<&str> = o.iter().chain(&n).map(|r| r.regime.as_str()).collect();
        for g in regimes {
            let col = |rows: &[Row]| rows.iter().map(|r| (r.regime == g) as u8 as f64).collect::<Vec<f64>>();
            out.push(tost(format!("{p}.share_{g}"), &col(&o), &col(&n), Margin::Absolute(REGIME_MARGIN)));
        }
    }
    out
}

fn report(case: &str, vs: &[Verdict]) -> String {
    let mut s = String::new();
    for v in vs {
        let _ = writeln!(
            s,
            "{case} {:<44} [{:>+10.4}, {:>+10.4}] within ±{:.4}: {}",
            v.what,
            v.low,
            v.high,
            v.margin,
            if v.equivalent() { "equivalent" } else { "NOT SHOWN" }
        );
    }
    s
}

fn fixture(case: &str, reps: u32) -> Vec<Row> {
    let path = fixture_path(case);
    if std::env::var_os("EMBEDSIM_WRITE_EQUIVALENCE_FIXTURES").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        // Written aside and renamed: two tests may write the same fixture at once.
        let aside = path.with_extension(format!("{}.tmp", std::process::id() as u64 * 1000 + reps as u64));
        std::fs::write(&aside, to_csv(&simulate(case, reps, FIXTURE_SEED))).unwrap();
        std::fs::rename(&aside, &path).unwrap();
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    from_csv(&text)
}

/// Today's model, on another seed, is equivalent to the fixtures on every figure of every
/// bundled scenario but the whole city.
#[test]
fn todays_model_is_equivalent_to_the_fixtures() {
    let mut failed = String::new();
    let mut all = String::new();
    for (case, reps) in CASES {
        let old = fixture(case, *reps);
        assert_eq!(old.iter().map(|r| r.replication).max(), Some(reps - 1), "{case}: replications");
        let new = simulate(case, *reps, TEST_SEED);
        let vs = verdicts(&old, &new);
        all += &report(case, &vs);
        failed += &report(case, &vs.into_iter().filter(|v| !v.equivalent()).collect::<Vec<_>>());
    }
    if std::env::var_os("EMBEDSIM_EQUIVALENCE_REPORT").is_some() {
        eprintln!("{all}");
    }
    assert!(failed.is_empty(), "equivalence not shown:\n{failed}");
}

/// The test has teeth: today's model with one figure raised by 2% (S town's closed orders a
/// month on 民呼我为, a count whose noise is far below 2%) is not equivalent.
#[test]
fn a_planted_two_percent_bias_fails() {
    let (case, reps) = CASES[0];
    let old = fixture(case, reps);
    let mut new = simulate(case, reps, TEST_SEED);
    let i = FIGURES.iter().position(|(f, _)| *f == "closed_per_month").unwrap();
    let clean = verdicts(&old, &new);
    assert!(clean.iter().all(Verdict::equivalent), "{}", report(case, &clean));
    for r in new.iter_mut().filter(|r| r.platform == "minhu") {
        r.values[i] *= 1.02;
    }
    let biased = verdicts(&old, &new);
    let failed: Vec<&Verdict> = biased.iter().filter(|v| !v.equivalent()).collect();
    assert_eq!(failed.len(), 1, "{}", report(case, &biased));
    assert_eq!(failed[0].what, "minhu.closed_per_month");
}

#[test]
fn the_t_quantile_matches_the_tables() {
    // Student's t, one-sided 95%: 10 df 1.812, 30 df 1.697, 120 df 1.658.
    for (df, t) in [(10.0, 1.812), (30.0, 1.697), (120.0, 1.658)] {
        assert!((t95(df) - t).abs() < 0.001, "{df}: {}", t95(df));
    }
}
