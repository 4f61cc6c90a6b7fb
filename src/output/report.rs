//! The readable summary printed after a run.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::analysis::intervals::share_text;
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

/// Regimes across replications, most frequent first, with 95% Wilson intervals for the share,
/// e.g. `嵌入 embedded 3/4 (30–95%)`.
pub fn regime_tally(regimes: &[Regime]) -> String {
    let mut counts: BTreeMap<Regime, usize> = BTreeMap::new();
    for r in regimes {
        *counts.entry(*r).or_default() += 1;
    }
    let mut v: Vec<(Regime, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.iter()
        .map(|(r, n)| format!("{} {} {}", r.chinese(), r.name(), share_text(*n as u64, regimes.len() as u64)))
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
    let _ = writeln!(
        s,
        "figures: mean ± 95% confidence half-width over replications; regime shares with 95% Wilson intervals\n"
    );
    let _ = writeln!(
        s,
        "{:<16} {:>14} {:>16} {:>14} {:>14} {:>16}  regime",
        "platform", "arrived/month", "closed/month", "in system %", "on time %", "sojourn h"
    );
    let months = (sim.duration_days - sim.warmup_days) / 30.0;
    // A big world shows the platforms its report draws, the busiest; summary.csv has them all.
    let shown = super::view::platforms_drawn(outs, sc.platforms.len());
    let platforms = || shown.iter().map(|&p| (p, &sc.platforms[p]));
    for (p, spec) in platforms() {
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
    if shown.len() < sc.platforms.len() {
        let _ = writeln!(
            s,
            "(the {} of {} platforms that took in the most orders; summary.csv and regimes.csv hold every one)",
            shown.len(),
            sc.platforms.len()
        );
    }
    let _ = writeln!(s);
    for (p, spec) in platforms() {
        let regimes: Vec<Regime> = rows.iter().map(|r| r[p].regime).collect();
        let modal = modal_regime(&regimes);
        let Some(rep) = regimes.iter().position(|r| *r == modal) else { continue };
        let track = &outs[rep].platforms[p].regimes;
        let f = track.last;
        let figures = if f.decided == 0 {
            format!("no order was decided in the last {} days", sc.regimes.window_days)
        } else {
            format!(
                "over the last {} days {:.0}% of {} decided orders closed in the system, {}",
                sc.regimes.window_days,
                f.closed_share() * 100.0,
                f.decided,
                if f.closed == 0 {
                    "none on time".to_string()
                } else {
                    format!("{:.0}% of those on time", f.on_time_share() * 100.0)
                }
            )
        };
        let _ = writeln!(
            s,
            "{} is {} {} (replication {}): {figures}; usage {:.1}/day vs a peak of {:.1}/day; R its own orders drove {:.2} (its offices' R {:.2})",
            spec.id,
            modal.chinese(),
            modal.name(),
            rep,
            f.usage,
            f.peak_usage,
            f.own_r,
            f.weighted_r
        );
        let (authority, capacity) = (f.authority_failures(), f.capacity_failures());
        if authority + capacity > 0 {
            let _ = writeln!(
                s,
                "  orders that failed in that window: {authority} for lack of authority (refused, settled offline, dropped, or waiting on handlers busy elsewhere), {capacity} for lack of capacity"
            );
        }
        let burden = column(rows, p, "burden_share");
        let flagged = column(rows, p, "negative_energy").iter().filter(|x| **x == 1.0).count();
        if 2 * flagged > rows.len() {
            let _ = writeln!(
                s,
                "  负能: {} of the staff hours on its orders are burden (documentation, redo, returns, persuasion, unreasonable demands, overtime), at or above {:.0}% in {flagged} of {} replications",
                pm(&burden, 0, 100.0).replace(" ± ", "% ± ") + "%",
                sc.regimes.burden_share * 100.0,
                rows.len()
            );
        }
        if !spec.shocks.is_empty() {
            let rec = column(rows, p, "recovery_days");
            let recovered: Vec<f64> = rec.iter().copied().filter(|x| !x.is_nan()).collect();
            let end = spec.shocks.iter().map(|x| x.1).fold(f64::NEG_INFINITY, f64::max);
            let peak = pm(&column(rows, p, "shock_peak_open"), 0, 1.0);
            // "back in no days" would read as instant recovery: say that it did not come back.
            let back = if recovered.is_empty() {
                format!(
                    "were not back in their pre-shock band by the end of the run in any of {} replications",
                    rows.len()
                )
            } else {
                format!(
                    "were back in their pre-shock band in {} days, in {} of {} replications",
                    pm(&recovered, 1, 1.0),
                    recovered.len(),
                    rows.len()
                )
            };
            let _ = writeln!(
                s,
                "  agility: after the last shock (to day {end}) the backlog (peak {peak}) and on-time share {back}"
            );
        }
        if spec.sensors.is_some() || (sc.points.is_some() && spec.citizen_channel) {
            let _ = writeln!(
                s,
                "  orders by channel over the counted days: {} direct, {} from citizens, {} from the grid, {} from sensors",
                pm(&column(rows, p, "arrived_direct"), 0, 1.0),
                pm(&column(rows, p, "arrived_citizen"), 0, 1.0),
                pm(&column(rows, p, "arrived_grid"), 0, 1.0),
                pm(&column(rows, p, "arrived_sensor"), 0, 1.0),
            );
        }
        if let Some(why) = explain_overload(&outs[rep], p) {
            let _ = writeln!(s, "  {why}");
        }
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
    if sc.points.is_some() {
        let from = sim.warmup_days as usize;
        let count = |f: fn(&crate::metrics::collector::TownDay) -> u64| -> Vec<f64> {
            outs.iter().map(|o| o.town.iter().skip(from).map(f).sum::<u64>() as f64).collect()
        };
        let _ = writeln!(
            s,
            "points (积分): volunteer stewards fixed {} of the {} issues that arose in the villages over the counted days",
            pm(&count(|d| d.volunteer_resolved), 0, 1.0),
            pm(&count(|d| d.issues), 0, 1.0),
        );
    }
    s
}

/// Why a platform went into overload: the day it flipped, how backlog and burden moved between
/// the window before the flip and the last window, and the burden kinds that grew most.
pub fn explain_overload(out: &RunOutput, p: usize) -> Option<String> {
    use crate::model::department::Hours;
    let r = &out.platforms[p];
    let changes = &r.regimes.changes;
    let i = changes.iter().rposition(|c| c.1 == Regime::Overloaded)?;
    if r.regimes.current() != Regime::Overloaded {
        return None;
    }
    let flip = changes[i].0 as usize;
    let embedded_since = changes[..i].iter().rev().find(|c| c.1.is_embedded()).map(|c| c.0);
    // Taken as the regime turned, and at the run's end: what a lean run keeps of those days.
    let turn = r.regimes.overload_before.filter(|b| b.day as usize == flip)?;
    let (before, after) = (turn.kinds, r.last_window_kinds);
    let share = |k: &[f64; 9], i: usize| {
        let t: f64 = k.iter().sum();
        if t > 0.0 { k[i] / t } else { 0.0 }
    };
    let burden_idx = [2usize, 4, 5, 6, 7, 8];
    let burden = |k: &[f64; 9]| burden_idx.iter().map(|&i| share(k, i)).sum::<f64>();
    let mut grew: Vec<(f64, usize)> =
        burden_idx.iter().map(|&i| (share(&after, i) - share(&before, i), i)).filter(|g| g.0 > 0.005).collect();
    grew.sort_by(|a, b| b.0.total_cmp(&a.0));
    let grew: Vec<String> = grew
        .iter()
        .take(3)
        .map(|&(_, i)| {
            format!("{} {:.0}% → {:.0}%", Hours::KINDS[i], share(&before, i) * 100.0, share(&after, i) * 100.0)
        })
        .collect();
    let open_before = turn.open;
    let open_now = r.last_day.open;
    Some(format!(
        "flipped to {} {} on day {flip}{}: open orders {open_before} → {open_now}; burden share of its hours {:.0}% → {:.0}%{}",
        Regime::Overloaded.chinese(),
        Regime::Overloaded.name(),
        embedded_since.map_or(String::new(), |d| format!(" (embedded from day {d})")),
        burden(&before) * 100.0,
        burden(&after) * 100.0,
        if grew.is_empty() { String::new() } else { format!("; the burden that grew: {}", grew.join(", ")) }
    ))
}
