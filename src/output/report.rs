//! The readable summary printed after a run.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::metrics::Regime;
use crate::metrics::stats::mean_ci95;
use crate::metrics::summary::PlatformSummary;
use crate::model::RunOutput;
use crate::scenario::Scenario;

/// Mean ± 95% half-width, formatted to `digits` decimals (no ± with one replication).
pub fn pm(xs: &[f64], digits: usize, scale: f64) -> String {
    let (m, _, h, n) = mean_ci95(xs);
    if n == 0 {
        return "-".into();
    }
    if n < 2 || h.is_nan() {
        format!("{:.*}", digits, m * scale)
    } else {
        format!("{:.*} ± {:.*}", digits, m * scale, digits, h * scale)
    }
}

/// Regimes across replications, most frequent first, e.g. `嵌入 embedded 3/4`.
pub fn regime_tally(regimes: &[Regime]) -> String {
    let mut counts: BTreeMap<Regime, usize> = BTreeMap::new();
    for r in regimes {
        *counts.entry(*r).or_default() += 1;
    }
    let mut v: Vec<(Regime, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.iter()
        .map(|(r, n)| format!("{} {} {}/{}", r.chinese(), r.name(), n, regimes.len()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The modal regime (ties: the earlier in [`Regime`] order).
pub fn modal_regime(regimes: &[Regime]) -> Regime {
    let mut counts: BTreeMap<Regime, usize> = BTreeMap::new();
    for r in regimes {
        *counts.entry(*r).or_default() += 1;
    }
    counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map_or(Regime::Unclassified, |x| x.0)
}

fn column(rows: &[Vec<PlatformSummary>], p: usize, metric: &str) -> Vec<f64> {
    rows.iter().map(|r| r[p].get(metric)).collect()
}

/// The terminal summary of a run: one line per platform, then why each regime was reached.
pub fn summary_table(sc: &Scenario, outs: &[RunOutput], rows: &[Vec<PlatformSummary>]) -> String {
    let mut s = String::new();
    let sim = &sc.simulation;
    let _ = writeln!(
        s,
        "{}: {} replication{} x {} days (first {} days not counted), seed {}",
        sc.name,
        outs.len(),
        if outs.len() == 1 { "" } else { "s" },
        sim.duration_days,
        sim.warmup_days,
        sim.seed
    );
    let _ = writeln!(s, "figures: mean ± 95% confidence half-width over replications\n");
    let _ = writeln!(
        s,
        "{:<16} {:>14} {:>16} {:>14} {:>14} {:>16}  regime",
        "platform", "arrived/month", "closed/month", "in system %", "on time %", "sojourn h"
    );
    let months = (sim.duration_days - sim.warmup_days) / 30.0;
    for (p, spec) in sc.platforms.iter().enumerate() {
        let regimes: Vec<Regime> = rows.iter().map(|r| r[p].regime).collect();
        let arrived: Vec<f64> = column(rows, p, "arrived").iter().map(|x| x / months).collect();
        let _ = writeln!(
            s,
            "{:<16} {:>14} {:>16} {:>14} {:>14} {:>16}  {}",
            spec.id,
            pm(&arrived, 1, 1.0),
            pm(&column(rows, p, "closed_per_month"), 1, 1.0),
            pm(&column(rows, p, "closed_in_system_share"), 1, 100.0),
            pm(&column(rows, p, "on_time_share"), 1, 100.0),
            pm(&column(rows, p, "mean_sojourn_hours"), 1, 1.0),
            regime_tally(&regimes)
        );
    }
    let _ = writeln!(s);
    for (p, spec) in sc.platforms.iter().enumerate() {
        let regimes: Vec<Regime> = rows.iter().map(|r| r[p].regime).collect();
        let modal = modal_regime(&regimes);
        let Some(rep) = regimes.iter().position(|r| *r == modal) else { continue };
        let track = &outs[rep].platforms[p].regimes;
        let f = track.last;
        let _ = writeln!(
            s,
            "{} is {} {} (replication {}): over the last {} days {:.0}% of {} decided orders closed in the system, {:.0}% of those on time; usage {:.1}/day vs a peak of {:.1}/day; work-weighted R {:.2}",
            spec.id,
            modal.chinese(),
            modal.name(),
            rep,
            sc.regimes.window_days,
            f.closed_share() * 100.0,
            f.decided,
            f.on_time_share() * 100.0,
            f.usage,
            f.peak_usage,
            f.weighted_r
        );
        let changes: Vec<String> = track.changes.iter().map(|(d, r)| format!("day {d} {}", r.name())).collect();
        if !changes.is_empty() {
            let shown = if changes.len() > 8 {
                format!(
                    "{} ... ({} changes) ... {}",
                    changes[..3].join(", "),
                    changes.len(),
                    changes[changes.len() - 3..].join(", ")
                )
            } else {
                changes.join(", ")
            };
            let _ = writeln!(s, "  regime changes: {shown}");
        }
    }
    s
}
