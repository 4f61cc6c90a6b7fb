//! Wuzhen (云享乌镇): resource pooling between line and block departments, and agility measured
//! as the recovery time after a demand shock. Paired comparisons on common random numbers (the
//! same seed and replication give both sides the same events), with paired 95% intervals.

use embedsim::experiment::run_all;
use embedsim::metrics::summary::{PlatformSummary, summarize};
use embedsim::model::world::RunOutput;
use embedsim::scenario::Scenario;

mod common;
use common::scenario;

const WUZHEN: &str = include_str!("../scenarios/wuzhen.toml");

/// The same town with fixed staff (`--unset pooling`).
fn without_pooling(overrides: &[(&str, &str)]) -> Scenario {
    let mut sc = scenario(WUZHEN, overrides);
    sc.pooling = None;
    sc
}

fn run(sc: &Scenario) -> (Vec<RunOutput>, Vec<Vec<PlatformSummary>>) {
    let outs = run_all(sc, None, &|| {}).unwrap();
    let rows = outs.iter().map(|o| summarize(sc, o)).collect();
    (outs, rows)
}

fn values(rows: &[Vec<PlatformSummary>], metric: &str) -> Vec<f64> {
    rows.iter().map(|r| r[0].get(metric)).collect()
}

/// Paired difference a − b over 8 replications: mean and 95% half-width (t with 7 df).
fn paired(a: &[f64], b: &[f64]) -> (f64, f64) {
    assert_eq!(a.len(), 8);
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    assert!(d.iter().all(|x| x.is_finite()), "every replication must recover: {a:?} {b:?}");
    let n = d.len() as f64;
    let m = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, 2.365 * (var / n).sqrt())
}

#[test]
fn pooling_recovers_faster_after_the_same_shock() {
    let pooled = scenario(WUZHEN, &[]);
    let fixed = without_pooling(&[]);
    let (outs_p, rows_p) = run(&pooled);
    let (outs_f, rows_f) = run(&fixed);
    assert!(outs_p.iter().all(|o| o.pool_moves > 0), "pooling must move staff");
    assert!(outs_f.iter().all(|o| o.pool_moves == 0 && o.pool_worker_days == 0.0));
    // common random numbers: the same events arrive on both sides
    assert_eq!(values(&rows_p, "arrived"), values(&rows_f, "arrived"));
    let (m, h) = paired(&values(&rows_f, "recovery_days"), &values(&rows_p, "recovery_days"));
    eprintln!("recovery days saved by pooling: {m:.1} ± {h:.1}");
    assert!(m - h > 0.0, "pooling recovers faster: {m} ± {h}");
    let (pk, pkh) = paired(&values(&rows_f, "shock_peak_open"), &values(&rows_p, "shock_peak_open"));
    assert!(pk - pkh > 0.0, "and the backlog peaks lower: {pk} ± {pkh}");
    for (rows, outs) in [(&rows_p, &outs_p), (&rows_f, &outs_f)] {
        for (r, o) in rows.iter().zip(outs.iter()) {
            let s = &r[0];
            let parts = s.get("closed") + s.get("settled_offline") + s.get("dropped") + s.get("open");
            assert_eq!(s.get("arrived"), parts, "conservation, replication {}", o.replication);
        }
    }
}

#[test]
fn the_advantage_vanishes_when_moving_takes_longer_than_the_crisis() {
    // Ossified mobilisation: workers arrive 60 days after they are asked for, after the 30-day
    // shock and after the town has recovered without them.
    let slow = scenario(WUZHEN, &[("pooling.move_delay_days", "60")]);
    let fixed = without_pooling(&[]);
    let (outs, rows_s) = run(&slow);
    let (_, rows_f) = run(&fixed);
    assert!(outs.iter().all(|o| o.pool_moves > 0), "staff are still asked for and moved");
    let (m, h) = paired(&values(&rows_f, "recovery_days"), &values(&rows_s, "recovery_days"));
    eprintln!("recovery days saved with a 60-day move: {m:.1} ± {h:.1}");
    assert!(m - h <= 0.0 && m < 10.0, "no significant advantage left: {m} ± {h}");
}

#[test]
fn the_advantage_vanishes_when_every_department_is_saturated() {
    // Crisis overload everywhere: the other offices are as busy as the one in trouble, so none
    // has slack to lend.
    let busy: Vec<(&str, &str)> = ["community_services", "fire_safety", "market_supervision"]
        .iter()
        .map(|d| -> (&str, &str) {
            (Box::leak(format!("departments.{d}.line_tasks.rate_per_day").into_boxed_str()), "11.5")
        })
        .collect();
    let pooled = scenario(WUZHEN, &busy);
    let fixed = without_pooling(&busy);
    let (outs, rows_p) = run(&pooled);
    let (_, rows_f) = run(&fixed);
    let moves: u64 = outs.iter().map(|o| o.pool_moves).sum();
    // A platform that never recovers is censored at the days left after the shock (220).
    let censored = |rows: &[Vec<PlatformSummary>]| -> Vec<f64> {
        values(rows, "recovery_days").iter().map(|x| if x.is_nan() { 220.0 } else { *x }).collect()
    };
    let (m, h) = paired(&censored(&rows_f), &censored(&rows_p));
    eprintln!("saturated: {moves} moves; recovery days saved: {m:.1} ± {h:.1}");
    // Worse than no advantage: before the shock the saturated offices borrow from the one with
    // slack, whose workers are away when the shock hits (crisis overload).
    assert!(moves > 0);
    assert!(m - h <= 0.0, "no significant advantage left: {m} ± {h}");
}

#[test]
fn pooling_that_never_triggers_is_neutral_and_threads_do_not_matter() {
    let idle = scenario(WUZHEN, &[("pooling.trigger_backlog_per_staff", "1000000")]);
    let fixed = without_pooling(&[]);
    let text =
        |rows: &[Vec<PlatformSummary>]| format!("{:?}", rows.iter().map(|r| r[0].values.clone()).collect::<Vec<_>>());
    assert_eq!(text(&run(&idle).1), text(&run(&fixed).1));
    let sc = scenario(WUZHEN, &[]);
    let one: Vec<_> = run_all(&sc, Some(1), &|| {}).unwrap().iter().map(|o| summarize(&sc, o)).collect();
    let two: Vec<_> = run_all(&sc, Some(2), &|| {}).unwrap().iter().map(|o| summarize(&sc, o)).collect();
    assert_eq!(text(&one), text(&two));
}

#[test]
fn no_shock_no_recovery_figure() {
    let mut calm = scenario(WUZHEN, &[]);
    calm.platforms[0].shocks.clear();
    calm.simulation.replications = 2;
    let (_, rows) = run(&calm);
    assert!(values(&rows, "recovery_days").iter().all(|x| x.is_nan()));
}
