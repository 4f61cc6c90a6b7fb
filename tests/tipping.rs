//! A tipping point with hysteresis (scenarios/classroom-tipping.toml).
//!
//! The named mechanism is stress-driven slowdown (M12): a backlog raises stress, stress slows
//! all work down, and stress recovers only once the backlog is gone. After a demand pulse well
//! above capacity the slowed offices cannot keep up even with the normal demand, so the
//! platform stays overloaded long after the pulse — far longer than the same backlog takes to
//! drain with the mechanism off. A pulse below the tipping point, or no pulse, leaves it
//! embedded. The finding holds under three slowdown forms that differ in kind.
//!
//! Eight replications a case; each claim allows at most one replication in eight to disagree,
//! so a single unlucky run neither fails the test nor lets a wrong model pass.

use embedsim::experiment::run_all;
use embedsim::metrics::Regime;
use embedsim::model::RunOutput;

mod common;
use common::scenario;

const TIPPING: &str = include_str!("../scenarios/classroom-tipping.toml");
const OFFICES: [&str; 3] = ["civil_affairs", "construction", "stability"];
const PULSE_END: usize = 160;

fn runs(pulse: Option<f64>, stress: &[(&str, &str)]) -> Vec<RunOutput> {
    let mut sets: Vec<(String, String)> = vec![("simulation.replications".into(), "8".into())];
    if let Some(m) = pulse {
        sets.push((
            "platforms.voice.shocks".into(),
            format!("[{{ from_day = 120, to_day = {PULSE_END}, multiplier = {m:?} }}]"),
        ));
    }
    for office in OFFICES {
        for (k, v) in stress {
            sets.push((format!("departments.{office}.stress.{k}"), v.to_string()));
        }
    }
    let refs: Vec<(&str, &str)> = sets.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    run_all(&scenario(TIPPING, &refs), None, &|| {}).unwrap()
}

/// The voice platform's regime on `day`.
fn regime_on(out: &RunOutput, day: usize) -> Regime {
    let changes = &out.platforms[0].regimes.changes;
    changes.iter().take_while(|c| c.0 as usize <= day).last().map_or(Regime::Unclassified, |c| c.1)
}

fn ever_overloaded(out: &RunOutput) -> bool {
    out.platforms[0].regimes.changes.iter().any(|c| c.1 == Regime::Overloaded)
}

fn count(outs: &[RunOutput], f: impl Fn(&RunOutput) -> bool) -> usize {
    outs.iter().filter(|o| f(o)).count()
}

/// Days after the pulse until open orders are back under twice their pre-pulse mean.
fn drain_days(out: &RunOutput) -> usize {
    let days = &out.platforms[0].days;
    let before = days[60..120].iter().map(|d| d.open as f64).sum::<f64>() / 60.0;
    days[PULSE_END..].iter().position(|d| (d.open as f64) <= 2.0 * before.max(1.0)).unwrap_or(days.len())
}

#[test]
fn a_large_pulse_tips_the_platform_and_it_stays_overloaded() {
    let clean = runs(None, &[]);
    assert_eq!(count(&clean, ever_overloaded), 0, "the same demand from a clean start stays embedded");
    assert!(clean.iter().all(|o| regime_on(o, 539).is_embedded()));

    let small = runs(Some(1.3), &[]);
    assert!(count(&small, ever_overloaded) <= 1, "a pulse below the tipping point does not tip it");

    // The mechanism off: the same pulse's backlog drains, and the platform recovers.
    let off = runs(Some(3.0), &[("slowdown", "0.0")]);
    let drain = off.iter().map(drain_days).max().unwrap();
    assert!(drain < 90, "without slowdown the backlog drains in {drain} days");
    let later = PULSE_END + (2 * drain).max(120);
    assert!(count(&off, |o| regime_on(o, later) == Regime::Overloaded) <= 1);

    // The mechanism on: still overloaded twice the drain time (and at least 120 days) after the
    // pulse, in at least seven of eight replications.
    let on = runs(Some(3.0), &[]);
    let still = count(&on, |o| regime_on(o, later) == Regime::Overloaded);
    assert!(still >= 7, "overloaded on day {later}: {still} of 8");
}

#[test]
fn the_tipping_survives_slowdown_forms_that_differ_in_kind() {
    for form in
        [&[("form", "\"saturating\""), ("half", "0.2")][..], &[("form", "\"threshold\""), ("threshold", "0.5")][..]]
    {
        let on = runs(Some(3.0), form);
        let still = count(&on, |o| regime_on(o, PULSE_END + 120) == Regime::Overloaded);
        assert!(still >= 7, "{form:?}: overloaded 120 days after the pulse in {still} of 8");
        let mut off_form = form.to_vec();
        off_form.push(("slowdown", "0.0"));
        let off = runs(Some(3.0), &off_form);
        let still_off = count(&off, |o| regime_on(o, PULSE_END + 120) == Regime::Overloaded);
        assert!(still_off <= 1, "{form:?} with the mechanism off: {still_off} of 8");
    }
}
