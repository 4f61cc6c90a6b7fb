//! A run that keeps only what its summary needs (`run --series none`, a sweep's points) gives
//! the same figures, to the bit, as one that keeps every day: the summary, the regime verdicts
//! and the figures behind them, the overload explanation and the warm-up advice on every daily
//! metric. The runs are long enough (1,000 days) that the lean run lets go of its old records
//! several times, and the scenarios cover the burden floor, shocks (recovery times), an
//! overloaded platform, and a big world.

use std::path::Path;

use embedsim::analysis::warmup::{DAILY_METRICS, advise};
use embedsim::metrics::summary::summarize;
use embedsim::model::{RunOutput, run_replication};
use embedsim::output::report::explain_overload;
use embedsim::scenario::bundled::named;
use embedsim::scenario::overrides::{load_variant_str, parse_set};
use embedsim::scenario::{DayRecords, Scenario};

fn scenario(id: &str, sets: &[&str]) -> Scenario {
    let (_, file, text) = named(Path::new(id)).unwrap();
    let overrides: Vec<_> = sets.iter().map(|s| parse_set(s).unwrap()).collect();
    load_variant_str(text, file, &overrides).unwrap()
}

fn runs(sc: &Scenario, reps: u32) -> Vec<RunOutput> {
    (0..reps).map(|r| run_replication(sc, r).unwrap()).collect()
}

/// Everything a lean run reports, as text that differs whenever a bit does.
fn reported(sc: &Scenario, outs: &[RunOutput], metric: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for out in outs {
        for (p, row) in summarize(sc, out).iter().enumerate() {
            let bits: Vec<u64> = row.values.iter().map(|v| v.to_bits()).collect();
            lines.push(format!("{} {:?} {} {:?}", row.platform, row.regime, row.regime_since_day, bits));
            let t = &out.platforms[p].regimes;
            lines.push(format!("{:?} {:?} {} {:?} {}", t.changes, t.last, t.was_embedded, t.candidate, t.peak_usage));
            lines.push(format!("{:?}", explain_overload(out, p)));
        }
    }
    lines.push(advise(sc, outs, metric).sentence());
    lines
}

#[test]
fn a_lean_run_reports_what_a_full_run_reports() {
    let cases: [(&str, &[&str]); 7] = [
        ("s-town", &["simulation.duration_days=1000"]),
        ("classroom-overload", &["simulation.duration_days=1000"]),
        // Overloaded from about day 550, after the lean run has let go of its first days.
        (
            "classroom-overload",
            &[
                "simulation.duration_days=1000",
                "platforms.voice.shocks=[{ from_day = 500, to_day = 1000, multiplier = 5.0 }]",
            ],
        ),
        ("c-district-hotline", &["simulation.duration_days=1000"]),
        // A short window: records let go of every few days.
        ("s-town", &["simulation.duration_days=400", "regimes.window_days=7", "regimes.persist_days=3"]),
        ("classroom-tipping", &["simulation.duration_days=1000"]),
        ("beijing-street", &["simulation.duration_days=500"]),
    ];
    let mut overloads = 0;
    let mut shocks = 0;
    for (id, sets) in cases {
        let full = scenario(id, sets);
        let outs = runs(&full, 2);
        shocks += full.platforms.iter().filter(|p| !p.shocks.is_empty()).count();
        for metric in DAILY_METRICS {
            let mut lean = full.clone();
            lean.simulation.day_records = DayRecords::Summary { warmup_metric: metric.to_string() };
            let lean_outs = runs(&lean, 2);
            assert!(lean_outs.iter().all(|o| o.platforms.iter().all(|p| p.days.is_empty())), "{id}: kept no days");
            let (a, b) = (reported(&full, &outs, metric), reported(&lean, &lean_outs, metric));
            for (x, y) in a.iter().zip(&b) {
                assert_eq!(x, y, "{id}, warm-up metric {metric}");
            }
            assert_eq!(a.len(), b.len());
            if *metric == "open" {
                overloads += a.iter().filter(|l| l.starts_with("Some(\"flipped")).count();
            }
        }
    }
    // The comparison has teeth only where the figures that read old days are there to compare.
    assert!(overloads > 0, "no overload explanation was compared");
    assert!(shocks > 0, "no recovery time was compared");
}

/// The comparison has teeth: 2% more demand on the platform, same seed, reports differently.
#[test]
fn the_comparison_sees_a_changed_figure() {
    let full = scenario("classroom-overload", &["simulation.duration_days=1000"]);
    let outs = runs(&full, 1);
    let mut other = full.clone();
    other.platforms[0].arrival_rate_per_day *= 1.02;
    let moved = runs(&other, 1);
    assert_ne!(reported(&full, &outs, "open"), reported(&other, &moved, "open"), "a 2% change is seen");
}

/// What both modes read instead of the whole history — the trail, the last day, the last
/// window's hours by kind and the figures of a turn to overloaded — is what the old code read
/// from the full records, to the bit (so the comparison above is not of a figure with itself).
#[test]
fn the_kept_figures_are_those_of_the_full_records() {
    let cases: [(&str, &[&str]); 3] = [
        ("s-town", &["simulation.duration_days=700", "simulation.warmup_days=10"]),
        (
            "classroom-overload",
            &[
                "simulation.duration_days=1000",
                "platforms.voice.shocks=[{ from_day = 500, to_day = 1000, multiplier = 5.0 }]",
            ],
        ),
        // A partial last day: the run ends halfway through day 400.
        ("c-district-hotline", &["simulation.duration_days=400.5"]),
    ];
    let mut late_turns = 0;
    for (id, sets) in cases {
        let sc = scenario(id, sets);
        let w = sc.regimes.window_days as usize;
        let kept = embedsim::metrics::collector::days_kept(&sc.regimes);
        for out in runs(&sc, 2) {
            for r in &out.platforms {
                let days = &r.days;
                assert_eq!(days.len(), out.town.len(), "{id}");
                let open: Vec<u32> = days.iter().map(|d| d.open as u32).collect();
                let closed: Vec<u32> = days.iter().map(|d| d.closed as u32).collect();
                let on_time: Vec<u32> = days.iter().map(|d| d.on_time as u32).collect();
                assert_eq!((&r.trail.open, &r.trail.closed, &r.trail.on_time), (&open, &closed, &on_time), "{id}");
                assert_eq!(format!("{:?}", r.last_day), format!("{:?}", days.last().unwrap()), "{id}");
                let sum = |from: usize, to: usize| {
                    let mut k = [0.0f64; 9];
                    for d in &days[from..to] {
                        for (a, b) in k.iter_mut().zip(d.kinds) {
                            *a += b;
                        }
                    }
                    k.map(f64::to_bits)
                };
                assert_eq!(
                    r.last_window_kinds.map(f64::to_bits),
                    sum(days.len().saturating_sub(w), days.len()),
                    "{id}"
                );
                if let Some(turn) = r.regimes.overload_before {
                    let flip = turn.day as usize;
                    assert_eq!(turn.kinds.map(f64::to_bits), sum(flip.saturating_sub(w), flip), "{id}");
                    assert_eq!(turn.open, days[flip.saturating_sub(1)].open, "{id}");
                    late_turns += usize::from(flip > 2 * kept);
                }
            }
        }
    }
    assert!(late_turns > 0, "a turn to overloaded after a lean run has let go of its first days");
}

/// The charts a lean run's report still draws (open orders, the on-time share) are those a full
/// run draws, day for day.
#[test]
fn a_lean_report_draws_its_charts_as_a_full_one() {
    use embedsim::output::view::run_view;
    let full = scenario("classroom-overload", &["simulation.duration_days=500"]);
    let mut lean = full.clone();
    lean.simulation.day_records = DayRecords::Summary { warmup_metric: "open".into() };
    let (a, b) = (runs(&full, 3), runs(&lean, 3));
    let rows = |sc: &Scenario, outs: &[RunOutput]| outs.iter().map(|o| summarize(sc, o)).collect::<Vec<_>>();
    let va = run_view(&full, "", &[], &a, &rows(&full, &a));
    let vb = run_view(&lean, "", &[], &b, &rows(&lean, &b));
    assert!(!va.no_daily_records && vb.no_daily_records);
    let chart = |v: &embedsim::output::view::RunView, key: &str| {
        v.charts.iter().find(|c| c.key == key).unwrap_or_else(|| panic!("no chart {key}")).clone()
    };
    let open = chart(&va, "open_orders").series.into_iter().find(|s| s.what == "open").unwrap();
    assert_eq!(format!("{open:?}"), format!("{:?}", chart(&vb, "open_orders_only").series[0]));
    assert_eq!(format!("{:?}", chart(&va, "on_time_share")), format!("{:?}", chart(&vb, "on_time_share")));
    assert_eq!(vb.charts.len(), 2, "the others need records the lean run did not keep");
    assert_eq!(format!("{:?}", va.sentences), format!("{:?}", vb.sentences));
}
