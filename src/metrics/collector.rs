//! What a run records as it goes: streaming totals, daily series, cohorts for the regimes.

use super::regime::{Regime, WindowFigures, classify};
use super::stats::{LogHistogram, Welford};
use crate::model::department::Hours;
use crate::scenario::RegimeSpec;

/// Run totals of one platform over orders that arrived after warm-up.
#[derive(Clone, Debug, Default)]
pub struct PlatformTally {
    /// Orders taken in.
    pub arrived: u64,
    /// By channel: direct, citizen, grid.
    pub by_channel: [u64; 4],
    /// Orders that reached departments.
    pub dispatched: u64,
    /// Closed in the system.
    pub closed: u64,
    /// Closed in the system by their deadline.
    pub on_time: u64,
    /// Settled offline, outside the system (M3).
    pub offline: u64,
    /// Dropped.
    pub dropped: u64,
    /// Arrival to the start of department work.
    pub wait: Welford,
    /// Orders that waited at all before department work started.
    pub waited: u64,
    /// Arrival to reaching departments.
    pub dispatch: Welford,
    /// Arrival to closure.
    pub sojourn: Welford,
    /// Arrival to closure, for quantiles.
    pub sojourn_hist: LogHistogram,
    /// Department hours on its orders.
    pub hours: Hours,
    /// Closed and resolved (reasonable, within authority, not screened out).
    pub resolved: u64,
    /// Closed, and the caller rated "satisfied".
    pub satisfied: u64,
    /// Orders whose reply failed the audit at least once (M9).
    pub redone: u64,
    /// Orders a department returned at least once (M10).
    pub returned: u64,
    /// Returns in all.
    pub return_events: u64,
    /// Unreasonable demands taken in (M15).
    pub unreasonable: u64,
    /// Of those, screened out at intake.
    pub screened: u64,
    /// Closed resolved and on time.
    pub resolved_on_time: u64,
    /// Escalated above the township (M7).
    pub escalated: u64,
    /// Needing authority above the township (M7).
    pub above_township: u64,
    /// Arrivals that were repeat complaints (M16).
    pub repeats: u64,
    /// Reviewed by a deputy instead of the leader (M13).
    pub delegated: u64,
    /// Persuasion attempts (M11).
    pub persuasions: u64,
    /// Orders whose route needs a county line department (the township sees, cannot command).
    pub county_cases: u64,
    /// Of those, closed resolved.
    pub county_resolved: u64,
    /// Arrival to closure of the county cases closed resolved.
    pub county_sojourn: Welford,
    /// Village and grid reports lost on their way through human relays.
    pub relay_lost: u64,
    /// Contacts that were inquiries answered at the first contact (no order).
    pub inquiries: u64,
    /// Closed orders whose work began within their time limit (response).
    pub responded: u64,
    /// District departments summoned by a street's whistle (吹哨报到), one per part.
    pub summons: u64,
    /// Of those, reported (began work) after the time limit.
    pub summons_late: u64,
    /// Issues that root-cause work prevented from arising (未诉先办).
    pub prevented: u64,
    /// Of those, reports of county cases.
    pub relay_lost_county: u64,
    /// Still open at their deadline for lack of capacity.
    pub missed_capacity: u64,
    /// Still open at their deadline for lack of authority.
    pub missed_authority: u64,
    /// Dispatch desk hours on first dispatches.
    pub desk_dispatch_hours: f64,
    /// Dispatch desk hours on returned orders.
    pub desk_redispatch_hours: f64,
}

/// Fate of the orders that arrived on one day (all days, warm-up included: regimes cover the run).
#[derive(Clone, Copy, Debug, Default)]
pub struct Cohort {
    /// Arrived.
    pub arrived: u64,
    /// Closed in the system.
    pub closed: u64,
    /// Closed on time.
    pub on_time: u64,
    /// Settled offline or dropped.
    pub lost: u64,
    /// Open and past deadline now.
    pub overdue: u64,
    /// Still open at their deadline, for lack of capacity (they may have closed late since).
    pub missed_capacity: u64,
    /// Still open at their deadline, for lack of authority.
    pub missed_authority: u64,
    /// Settled offline or dropped after their deadline had passed.
    pub lost_late: u64,
}

/// One platform's figures for one day.
#[derive(Clone, Copy, Debug, Default)]
pub struct PlatformDay {
    /// Arrivals that day.
    pub arrivals: u64,
    /// Reached departments that day.
    pub dispatched: u64,
    /// Closed in the system that day.
    pub closed: u64,
    /// Of those, closed by their deadline.
    pub on_time: u64,
    /// Settled offline or dropped that day.
    pub lost: u64,
    /// Open at the end of the day.
    pub open: u64,
    /// Open and past deadline at the end of the day.
    pub overdue: u64,
    /// Leader attention given to it that day, hours.
    pub attention: f64,
    /// Mean trust across villages at the end of the day (NaN without villages).
    pub trust: f64,
    /// Work-weighted R of the departments doing its orders.
    pub weighted_r: f64,
    /// The part of that R which its own orders drove.
    pub own_r: f64,
    /// Regime at the end of the day.
    pub regime: Option<Regime>,
    /// Department hours on its orders (jobs started that day).
    pub hours: f64,
    /// Of those, burden hours (负能).
    pub burden: f64,
    /// The same hours by kind, in the order of `Hours::KINDS`.
    pub kinds: [f64; 9],
}

/// One department's figures for one day.
#[derive(Clone, Copy, Debug, Default)]
pub struct DepartmentDay {
    /// Jobs waiting at the end of the day.
    pub queue: u64,
    /// Hours worked (jobs started that day).
    pub hours: f64,
    /// Hours over capacity (staff × working hours) on a working day.
    pub utilisation: f64,
    /// Reengineering level R.
    pub r: f64,
    /// Stress S.
    pub stress: f64,
}

/// One leader's figures for one day.
#[derive(Clone, Copy, Debug, Default)]
pub struct LeaderDay {
    /// Items waiting at the end of the day.
    pub inbox: u64,
    /// Attention hours given to platform items.
    pub hours: f64,
    /// Items waiting in the deputy's inbox at the end of the day (M13; 0 without a deputy).
    pub deputy_inbox: u64,
}

/// Township-wide figures for one day.
#[derive(Clone, Copy, Debug, Default)]
pub struct TownDay {
    /// Issues that arose in villages.
    pub issues: u64,
    /// Taken offline to village cadres.
    pub offline: u64,
    /// Left unreported.
    pub silent: u64,
    /// Resolved on the spot by grid workers.
    pub grid_resolved: u64,
    /// Confirmed and closed by village cadres (the ladder's second rung).
    pub village_resolved: u64,
    /// Fixed on the spot by volunteer stewards (`[points]`).
    pub volunteer_resolved: u64,
}

/// A platform's regime history.
#[derive(Clone, Debug, Default)]
pub struct RegimeTrack {
    /// (day, regime) each time the regime changed, first verdict included.
    pub changes: Vec<(u32, Regime)>,
    /// Whether it has ever been embedded or reengineered.
    pub was_embedded: bool,
    /// The figures behind the latest verdict.
    pub last: WindowFigures,
    /// A different verdict seen since this day, not yet held long enough to count.
    pub candidate: Option<(u32, Regime)>,
    /// Highest mean daily arrivals over `launch_days` consecutive days so far.
    pub peak_usage: f64,
    /// Lowest burden share of an earlier classified window (infinite before the first).
    pub burden_floor: Option<f64>,
}

impl RegimeTrack {
    /// The latest regime.
    pub fn current(&self) -> Regime {
        self.changes.last().map(|c| c.1).unwrap_or(Regime::Unclassified)
    }

    /// Records day `day`'s usage for the peak; call every day, before [`RegimeTrack::update`].
    pub fn track_usage(&mut self, day: u32, cohorts: &[Cohort], spec: &RegimeSpec) {
        let n = spec.launch_days as usize;
        let d = day as usize;
        if d + 1 >= n {
            let sum: u64 = cohorts[d + 1 - n..=d].iter().map(|c| c.arrived).sum();
            self.peak_usage = self.peak_usage.max(sum as f64 / n as f64);
        }
    }

    /// Classifies day `day` from the platform's cohorts and daily series.
    pub fn update(&mut self, day: u32, cohorts: &[Cohort], days: &[PlatformDay], spec: &RegimeSpec) -> Regime {
        let w = spec.window_days as usize;
        let d = day as usize;
        let from = (d + 1).saturating_sub(w);
        let mut f = WindowFigures::default();
        for c in &cohorts[from..=d] {
            f.arrived += c.arrived;
            f.closed += c.closed;
            f.on_time += c.on_time;
            let pending = c.arrived - c.closed - c.lost - c.overdue;
            f.decided += c.arrived - pending;
            f.missed_capacity += c.missed_capacity;
            f.missed_authority += c.missed_authority;
            f.lost_in_time += c.lost - c.lost_late;
        }
        f.usage = f.arrived as f64 / w as f64;
        f.peak_usage = self.peak_usage;
        let before = if d >= w { days[d - w].open } else { 0 };
        f.backlog_growth = days[d].open as f64 - before as f64;
        let (hours, burden) = days[from..=d].iter().fold((0.0, 0.0), |(h, b), x| (h + x.hours, b + x.burden));
        f.burden_share = if hours > 0.0 { burden / hours } else { 0.0 };
        f.weighted_r = days[d].weighted_r;
        f.own_r = days[d].own_r;
        f.burden_floor = self.burden_floor.unwrap_or(f64::INFINITY);
        f.idling_now = self.current() == Regime::Idling;
        let raw = classify(&f, spec);
        if f.decided >= spec.min_decided && hours > 0.0 {
            self.burden_floor = Some(f.burden_floor.min(f.burden_share));
        }
        self.last = f;
        if self.changes.is_empty() {
            self.changes.push((day, raw));
        } else if raw == self.current() {
            self.candidate = None;
        } else {
            let since = match self.candidate {
                Some((since, r)) if r == raw => since,
                _ => day,
            };
            if day + 1 - since >= spec.persist_days {
                self.changes.push((since, raw));
                self.candidate = None;
            } else {
                self.candidate = Some((since, raw));
            }
        }
        let current = self.current();
        self.was_embedded |= current.is_embedded();
        current
    }
}
