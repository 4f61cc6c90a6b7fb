//! Per-platform figures of one replication, derived from what the run recorded.
//!
//! [`METRICS`] fixes the names and the column order every output uses.

use crate::metrics::recovery::recovery;
use crate::metrics::regime::{Regime, negative_energy};
use crate::model::world::{PlatformResult, RunOutput};
use crate::scenario::Scenario;

/// Numeric metrics per replication and platform, in column order.
pub const METRICS: &[&str] = &[
    "arrived",
    "closed",
    "mean_wait_hours",
    "mean_sojourn_hours",
    "arrived_direct",
    "arrived_citizen",
    "arrived_grid",
    "dispatched",
    "closed_on_time",
    "settled_offline",
    "dropped",
    "open",
    "open_overdue",
    "p_wait",
    "mean_dispatch_hours",
    "p90_sojourn_hours",
    "closed_in_system_share",
    "on_time_share",
    "closed_per_month",
    "leader_attention_hours",
    "attention_share",
    "operator_hours",
    "staff_hours",
    "documentation_hours",
    "coordination_hours",
    "trust_end",
    "weighted_r",
    "resolved",
    "resolution_rate",
    "satisfied",
    "satisfaction_rate",
    "gaming_gap",
    "redone",
    "redo_rate",
    "returned",
    "return_events",
    "return_rate",
    "desk_hours",
    "desk_return_share",
    "unreasonable",
    "screened",
    "above_township",
    "escalated",
    "arrived_repeat",
    "delegated",
    "persuasions",
    "burden_share",
    "hours_substantive",
    "hours_redo",
    "hours_returns",
    "hours_persuasion",
    "hours_unreasonable",
    "hours_overtime",
    "resolved_on_time",
    "own_r",
    "missed_capacity",
    "missed_authority",
    "negative_energy",
    "county_cases",
    "county_unresolved_share",
    "county_resolution_hours",
    "relay_lost",
    "recovery_days",
    "recovery_open_band",
    "recovery_on_time_band",
    "shock_peak_open",
    "arrived_sensor",
    "inquiries",
    "response_rate",
    "summons",
    "summons_late_share",
    "prevented",
];

/// One replication's figures for one platform.
#[derive(Clone, Debug)]
pub struct PlatformSummary {
    /// Platform id.
    pub platform: String,
    /// Values in the order of [`METRICS`] (NaN where undefined).
    pub values: Vec<f64>,
    /// Final regime.
    pub regime: Regime,
    /// Day the final regime began (NaN if never classified).
    pub regime_since_day: f64,
    /// Number of regime changes.
    pub regime_changes: usize,
}

impl PlatformSummary {
    /// The value of metric `name`.
    pub fn get(&self, name: &str) -> f64 {
        METRICS.iter().position(|m| *m == name).map_or(f64::NAN, |i| self.values[i])
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// Summaries of every platform of one replication, in scenario order.
pub fn summarize(sc: &Scenario, out: &RunOutput) -> Vec<PlatformSummary> {
    let counted_days = sc.simulation.duration_days - sc.simulation.warmup_days;
    let total_attention: f64 = out.platforms.iter().map(|p| p.attention_hours).sum();
    sc.platforms
        .iter()
        .zip(&out.platforms)
        .map(|(spec, r)| {
            let mut values = platform_values(r, counted_days, total_attention, sc.regimes.burden_share);
            let rec = recovery(&r.trail, &spec.shocks);
            values.extend([rec.days, rec.open_high, rec.on_time_low, rec.peak_open]);
            values.push(r.tally.by_channel[3] as f64);
            let t = &r.tally;
            values.extend([
                t.inquiries as f64,
                ratio(t.responded as f64, t.closed as f64),
                t.summons as f64,
                ratio(t.summons_late as f64, t.summons as f64),
                t.prevented as f64,
            ]);
            debug_assert_eq!(values.len(), METRICS.len());
            let changes = &r.regimes.changes;
            PlatformSummary {
                platform: spec.id.clone(),
                values,
                regime: r.regimes.current(),
                regime_since_day: changes.last().map_or(f64::NAN, |c| c.0 as f64),
                regime_changes: changes.len().saturating_sub(1),
            }
        })
        .collect()
}

fn platform_values(r: &PlatformResult, counted_days: f64, total_attention: f64, burden_flag: f64) -> Vec<f64> {
    let t = &r.tally;
    let decided = (t.closed + t.offline + t.dropped + r.overdue_end) as f64;
    // A run of no day has no last day.
    let last = |f: fn(&crate::metrics::collector::PlatformDay) -> f64| {
        if r.trail.is_empty() { f64::NAN } else { f(&r.last_day) }
    };
    let (trust, weighted_r, own_r) = (last(|d| d.trust), last(|d| d.weighted_r), last(|d| d.own_r));
    let burden_share = ratio(t.hours.burden(), t.hours.total());
    vec![
        t.arrived as f64,
        t.closed as f64,
        t.wait.mean(),
        t.sojourn.mean(),
        t.by_channel[0] as f64,
        t.by_channel[1] as f64,
        t.by_channel[2] as f64,
        t.dispatched as f64,
        t.on_time as f64,
        t.offline as f64,
        t.dropped as f64,
        r.open_end as f64,
        r.overdue_end as f64,
        ratio(t.waited as f64, t.wait.count() as f64),
        t.dispatch.mean(),
        t.sojourn_hist.quantile(0.9),
        ratio(t.closed as f64, decided),
        ratio(t.on_time as f64, t.closed as f64),
        ratio(t.closed as f64 * 30.0, counted_days),
        r.attention_hours,
        ratio(r.attention_hours, total_attention),
        r.operator_hours,
        t.hours.total(),
        t.hours.documentation,
        t.hours.coordination,
        trust,
        weighted_r,
        t.resolved as f64,
        ratio(t.resolved as f64, t.closed as f64),
        t.satisfied as f64,
        ratio(t.satisfied as f64, t.closed as f64),
        ratio(t.satisfied as f64, t.closed as f64) - ratio(t.resolved as f64, t.closed as f64),
        t.redone as f64,
        ratio(t.redone as f64, t.dispatched as f64),
        t.returned as f64,
        t.return_events as f64,
        ratio(t.returned as f64, t.dispatched as f64),
        t.desk_dispatch_hours + t.desk_redispatch_hours,
        ratio(t.desk_redispatch_hours, t.desk_dispatch_hours + t.desk_redispatch_hours),
        t.unreasonable as f64,
        t.screened as f64,
        t.above_township as f64,
        t.escalated as f64,
        t.repeats as f64,
        t.delegated as f64,
        t.persuasions as f64,
        burden_share,
        t.hours.substantive,
        t.hours.redo,
        t.hours.returns,
        t.hours.persuasion,
        t.hours.unreasonable,
        t.hours.overtime,
        t.resolved_on_time as f64,
        own_r,
        t.missed_capacity as f64,
        t.missed_authority as f64,
        if burden_share.is_nan() { f64::NAN } else { negative_energy(burden_share, burden_flag) as u8 as f64 },
        t.county_cases as f64,
        // Issues the township sees but cannot command: reported (lost in relays or taken in) and
        // not closed resolved by the end of the run.
        1.0 - ratio(t.county_resolved as f64, (t.county_cases + t.relay_lost_county) as f64),
        t.county_sojourn.mean(),
        t.relay_lost as f64,
    ]
}
