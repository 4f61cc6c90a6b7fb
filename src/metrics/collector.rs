//! What a run records as it goes: streaming totals, daily series, cohorts for the regimes.

use super::regime::{Regime, WindowFigures, classify, reads_burden};
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
    /// Refused for good before their deadline by departments filled with the platform's own
    /// orders: lost for lack of capacity.
    pub lost_capacity: u64,
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

impl PlatformDay {
    /// The day's figure named `metric` (one of [`crate::analysis::warmup::DAILY_METRICS`]; NaN
    /// for another name).
    pub fn figure(&self, metric: &str) -> f64 {
        match metric {
            "open" => self.open as f64,
            "arrivals" => self.arrivals as f64,
            "dispatched" => self.dispatched as f64,
            "closed" => self.closed as f64,
            "lost" => self.lost as f64,
            "open_overdue" => self.overdue as f64,
            "leader_attention_hours" => self.attention,
            "staff_hours" => self.hours,
            "burden_hours" => self.burden,
            "trust" => self.trust,
            _ => f64::NAN,
        }
    }
}

/// A few figures of each of a platform's days, kept whatever else a run keeps: what its
/// recovery times (open orders, closures on time) and the warm-up advice (open orders and the
/// slow series, arrivals and trust) read over the whole run. 24 bytes a day, 32 with a warm-up
/// metric of its own.
#[derive(Clone, Debug, Default)]
pub struct Trail {
    /// Open orders at each day's end.
    pub open: Vec<u32>,
    /// Closed in the system each day.
    pub closed: Vec<u32>,
    /// Of those, by their deadline.
    pub on_time: Vec<u32>,
    /// Orders that arrived each day.
    pub arrivals: Vec<u32>,
    /// Villagers' mean trust in the platform at each day's end (NaN without villages), whole:
    /// the advice of a run without daily records must be that of the same run with them.
    pub trust: Vec<f64>,
    /// A lean run's warm-up metric (when not one of the above), and its figure each day.
    pub metric: Option<(String, Vec<f64>)>,
}

impl Trail {
    /// An empty trail with room for `days` days, keeping `metric` too when it is not a column
    /// of its own.
    pub fn with_capacity(days: usize, metric: Option<&str>) -> Trail {
        let metric = metric
            .filter(|m| !matches!(*m, "open" | "closed" | "arrivals" | "trust"))
            .map(|m| (m.to_string(), Vec::with_capacity(days)));
        Trail {
            open: Vec::with_capacity(days),
            closed: Vec::with_capacity(days),
            on_time: Vec::with_capacity(days),
            arrivals: Vec::with_capacity(days),
            trust: Vec::with_capacity(days),
            metric,
        }
    }

    /// Days in the trail.
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// Whether it holds no day.
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    /// Appends a day.
    #[inline]
    pub fn push(&mut self, d: &PlatformDay) {
        self.open.push(narrow(d.open));
        self.closed.push(narrow(d.closed));
        self.on_time.push(narrow(d.on_time));
        self.arrivals.push(narrow(d.arrivals));
        self.trust.push(d.figure("trust"));
        if let Some((name, figures)) = &mut self.metric {
            figures.push(d.figure(name));
        }
    }

    /// Takes the last day again from its record.
    pub fn retake_last(&mut self, d: &PlatformDay) {
        if self.is_empty() {
            return;
        }
        for v in [&mut self.open, &mut self.closed, &mut self.on_time, &mut self.arrivals] {
            v.pop();
        }
        self.trust.pop();
        if let Some((_, figures)) = &mut self.metric {
            figures.pop();
        }
        self.push(d);
    }

    /// The daily series of `metric` if the trail holds it.
    pub fn series(&self, metric: &str) -> Option<Vec<f64>> {
        let column = |v: &[u32]| v.iter().map(|&x| x as f64).collect();
        match (metric, &self.metric) {
            ("open", _) => Some(column(&self.open)),
            ("closed", _) => Some(column(&self.closed)),
            ("arrivals", _) => Some(column(&self.arrivals)),
            ("trust", _) => Some(self.trust.clone()),
            (m, Some((name, figures))) if m == name => Some(figures.clone()),
            _ => None,
        }
    }
}

/// A day's count in 32 bits: a count beyond them (four billion orders open on one platform)
/// cannot fit in memory anyway, and is held at the greatest.
fn narrow(x: u64) -> u32 {
    u32::try_from(x).unwrap_or(u32::MAX)
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
    /// Staff present during the day (recorded before that night's attrition and pooling).
    pub staff: u32,
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
    /// The figures behind the latest verdict, as it read them: the burden share and its floor
    /// only when the verdict turned on them (NaN and the floor folded so far otherwise; see
    /// [`reads_burden`]).
    pub last: WindowFigures,
    /// A different verdict seen since this day, not yet held long enough to count.
    pub candidate: Option<(u32, Regime)>,
    /// Highest mean daily arrivals over `launch_days` consecutive days so far.
    pub peak_usage: f64,
    /// Lowest burden share of an earlier classified window (infinite before the first), over
    /// the days before those in `floor_pending`: those are folded in when a verdict next reads
    /// the floor, and only then (nothing reads it after the run).
    pub burden_floor: Option<f64>,
    /// Classified days whose burden share is still to be folded into `burden_floor`, in order.
    floor_pending: Vec<u32>,
    /// The least burden share of pending days whose records a lean run has let go
    /// ([`RegimeTrack::settle_before`]), folded into `burden_floor` when it is next read: a
    /// minimum, so folding it then gives the same bits as folding each day in order.
    floor_unfolded: Option<f64>,
    /// The day of `last`.
    last_day: Option<u32>,
    /// What the days before the latest turn to overloaded looked like, taken as it turned.
    pub overload_before: Option<OverloadBefore>,
}

/// The platform's days before its latest turn to overloaded (超负荷), taken as the regime turned
/// so that a run which keeps no daily history can still say what changed.
#[derive(Clone, Copy, Debug, Default)]
pub struct OverloadBefore {
    /// The day the regime turned.
    pub day: u32,
    /// Hours on its orders by kind (`Hours::KINDS` order) over the regime window before that day.
    pub kinds: [f64; 9],
    /// Open orders at the end of the day before.
    pub open: u64,
}

/// A platform's daily records from day `first` on: all of them in a run that keeps every day,
/// the last few in a lean one. Indexed by day of the run.
#[derive(Clone, Copy, Debug)]
pub struct Recent<'a> {
    /// The day of `days[0]`.
    pub first: usize,
    /// The records.
    pub days: &'a std::collections::VecDeque<PlatformDay>,
}

impl<'a> Recent<'a> {
    /// Day `d`'s record.
    #[inline]
    pub fn day(&self, d: usize) -> &'a PlatformDay {
        &self.days[d - self.first]
    }

    /// The records of days `from..to` (clamped to those held).
    pub fn span(&self, from: usize, to: usize) -> impl Iterator<Item = &'a PlatformDay> + use<'a> {
        debug_assert!(from >= self.first || from >= to, "a lean run let go of day {from} too early");
        let end = self.first + self.days.len();
        let (from, to) = (from.clamp(self.first, end), to.clamp(self.first, end));
        self.days.range(from - self.first..to.max(from) - self.first)
    }
}

impl RegimeTrack {
    /// The latest regime.
    pub fn current(&self) -> Regime {
        self.changes.last().map(|c| c.1).unwrap_or(Regime::Unclassified)
    }

    /// Records day `day`'s usage for the peak; call every day, before [`RegimeTrack::update`].
    pub fn track_usage(&mut self, day: u32, cohorts: &mut Cohorts, spec: &RegimeSpec) {
        let n = spec.launch_days as usize;
        let d = day as usize;
        let sum = cohorts.window(LAUNCH, (d + 1).saturating_sub(n), d + 1).arrived;
        if d + 1 >= n {
            self.peak_usage = self.peak_usage.max(sum as f64 / n as f64);
        }
    }

    /// Classifies day `day` from the platform's cohorts and daily series.
    ///
    /// The counts come from running sums over the window (exact: integers). The hours and
    /// burden hours are summed over the window's days, in day order, only when the verdict reads
    /// them; days whose burden share would lower the floor are kept and folded in, in the same
    /// order, when the floor is next read (the days' records no longer change by then).
    pub fn update(&mut self, day: u32, cohorts: &mut Cohorts, days: Recent<'_>, spec: &RegimeSpec) -> Regime {
        let w = spec.window_days as usize;
        let d = day as usize;
        let from = (d + 1).saturating_sub(w);
        let c = cohorts.window(REGIME, from, d + 1);
        let mut f = WindowFigures {
            arrived: c.arrived,
            closed: c.closed,
            on_time: c.on_time,
            decided: c.closed + c.lost + c.overdue,
            missed_capacity: c.missed_capacity,
            missed_authority: c.missed_authority,
            lost_in_time: c.lost - c.lost_late - c.lost_capacity,
            refused_capacity: c.lost_capacity,
            ..Default::default()
        };
        f.usage = f.arrived as f64 / w as f64;
        f.peak_usage = self.peak_usage;
        let before = if d >= w { days.day(d - w).open } else { 0 };
        let today = days.day(d);
        f.backlog_growth = today.open as f64 - before as f64;
        f.weighted_r = today.weighted_r;
        f.own_r = today.own_r;
        f.idling_now = self.current() == Regime::Idling;
        if reads_burden(&f, spec) {
            self.settle_floor(days, w);
            let (hours, burden) = window_hours(days, from, d);
            f.burden_share = if hours > 0.0 { burden / hours } else { 0.0 };
        } else {
            f.burden_share = f64::NAN;
        }
        f.burden_floor = self.burden_floor.unwrap_or(f64::INFINITY);
        let raw = classify(&f, spec);
        if f.decided >= spec.min_decided {
            self.floor_pending.push(day);
        }
        self.last = f;
        self.last_day = Some(day);
        if self.changes.is_empty() {
            self.changes.push((day, raw));
            if raw == Regime::Overloaded {
                self.overload_before = Some(overload_before(days, day, w));
            }
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
                if raw == Regime::Overloaded {
                    self.overload_before = Some(overload_before(days, since, w));
                }
            } else {
                self.candidate = Some((since, raw));
            }
        }
        let current = self.current();
        self.was_embedded |= current.is_embedded();
        current
    }

    /// Folds the pending days' burden shares into the floor, in day order, as
    /// [`RegimeTrack::update`] did day by day before.
    fn settle_floor(&mut self, days: Recent<'_>, w: usize) {
        if let Some(share) = self.floor_unfolded.take() {
            self.burden_floor = Some(self.burden_floor.unwrap_or(f64::INFINITY).min(share));
        }
        for &k in &self.floor_pending {
            let k = k as usize;
            let (hours, burden) = window_hours(days, (k + 1).saturating_sub(w), k);
            if hours > 0.0 {
                let share = burden / hours;
                self.burden_floor = Some(self.burden_floor.unwrap_or(f64::INFINITY).min(share));
            }
        }
        self.floor_pending.clear();
    }

    /// A lean run is about to let go of the records before day `keep_from`: the burden shares
    /// of pending days whose window reaches back before it are worked out now, from the same
    /// records summed in the same order, and kept as their least until the floor is next read.
    pub fn settle_before(&mut self, days: Recent<'_>, keep_from: usize, spec: &RegimeSpec) {
        let w = spec.window_days as usize;
        let n = self.floor_pending.iter().take_while(|&&k| (k as usize + 1).saturating_sub(w) < keep_from).count();
        for &k in &self.floor_pending[..n] {
            let k = k as usize;
            let (hours, burden) = window_hours(days, (k + 1).saturating_sub(w), k);
            if hours > 0.0 {
                let share = burden / hours;
                self.floor_unfolded = Some(self.floor_unfolded.unwrap_or(f64::INFINITY).min(share));
            }
        }
        self.floor_pending.drain(..n);
    }
}

/// The days a lean run keeps for the regime verdicts (see [`RegimeTrack::settle_before`]): the
/// window and the day before it (backlog growth), reaching back by the days a turn of regime
/// may be dated before the verdict that makes it (persistence), with a day to spare.
pub fn days_kept(spec: &RegimeSpec) -> usize {
    spec.window_days as usize + spec.persist_days as usize + 1
}

/// Hours and burden hours on a platform's orders over days `from..=to`, summed in day order.
fn window_hours(days: Recent<'_>, from: usize, to: usize) -> (f64, f64) {
    days.span(from, to + 1).fold((0.0, 0.0), |(h, b), x| (h + x.hours, b + x.burden))
}

/// Hours by kind over the `w` days before `day`, and the open orders the day before.
fn overload_before(days: Recent<'_>, day: u32, w: usize) -> OverloadBefore {
    let flip = day as usize;
    let kinds = sum_kinds(days.span(flip.saturating_sub(w), flip));
    OverloadBefore { day, kinds, open: days.day(flip.saturating_sub(1)).open }
}

/// Hours by kind summed over `days`, in day order.
pub fn sum_kinds<'a>(days: impl Iterator<Item = &'a PlatformDay>) -> [f64; 9] {
    let mut kinds = [0.0; 9];
    for d in days {
        for (a, b) in kinds.iter_mut().zip(d.kinds) {
            *a += b;
        }
    }
    kinds
}

/// The regime window's running sums in [`Cohorts`].
const REGIME: usize = 0;
/// The launch window's (peak usage).
const LAUNCH: usize = 1;

/// Sums of the cohorts of days `from..to`, kept up to date as those cohorts change.
#[derive(Clone, Copy, Debug, Default)]
struct Window {
    from: usize,
    to: usize,
    sum: Cohort,
}

/// The cohorts of the days the regime and launch windows still cover (and any later day), with
/// running sums over each window. A cohort older than both windows is never read again, so it is
/// dropped: the memory stays flat however long the run.
#[derive(Clone, Debug, Default)]
pub struct Cohorts {
    /// The day of `days[0]`.
    base: usize,
    days: std::collections::VecDeque<Cohort>,
    windows: [Window; 2],
}

impl Cohorts {
    /// Cohorts for the regime and launch windows of `spec`, with room for the days they cover
    /// from the start: the ring never grows (in a world of thousands of platforms, each growth
    /// was a copy and fresh memory).
    pub fn for_windows(spec: &RegimeSpec) -> Cohorts {
        let days = spec.window_days.max(spec.launch_days) as usize + 2;
        Cohorts { days: std::collections::VecDeque::with_capacity(days), ..Default::default() }
    }

    /// Applies `change` to day `day`'s cohort (and to the sums of the windows holding it).
    #[inline]
    pub fn update(&mut self, day: usize, change: impl Fn(&mut Cohort)) {
        if day < self.base {
            return;
        }
        let i = day - self.base;
        if i >= self.days.len() {
            self.days.resize(i + 1, Cohort::default());
        }
        change(&mut self.days[i]);
        for w in &mut self.windows {
            if w.from <= day && day < w.to {
                change(&mut w.sum);
            }
        }
    }

    fn get(&self, day: usize) -> Cohort {
        self.days.get(day - self.base).copied().unwrap_or_default()
    }

    /// The sum of the cohorts of days `from..to`; windows only move forward.
    fn window(&mut self, which: usize, from: usize, to: usize) -> Cohort {
        let mut w = self.windows[which];
        debug_assert!(from >= w.from && to >= w.to && from <= to);
        for day in w.to..to {
            w.sum.add(&self.get(day));
        }
        for day in w.from..from {
            w.sum.sub(&self.get(day));
        }
        (w.from, w.to) = (from, to);
        self.windows[which] = w;
        let keep = self.windows.iter().map(|w| w.from).min().unwrap_or(0);
        while self.base < keep {
            if self.days.pop_front().is_none() {
                self.base = keep;
                break;
            }
            self.base += 1;
        }
        w.sum
    }
}

impl Cohort {
    fn add(&mut self, o: &Cohort) {
        self.arrived += o.arrived;
        self.closed += o.closed;
        self.on_time += o.on_time;
        self.lost += o.lost;
        self.overdue += o.overdue;
        self.missed_capacity += o.missed_capacity;
        self.missed_authority += o.missed_authority;
        self.lost_late += o.lost_late;
        self.lost_capacity += o.lost_capacity;
    }

    fn sub(&mut self, o: &Cohort) {
        self.arrived -= o.arrived;
        self.closed -= o.closed;
        self.on_time -= o.on_time;
        self.lost -= o.lost;
        self.overdue -= o.overdue;
        self.missed_capacity -= o.missed_capacity;
        self.missed_authority -= o.missed_authority;
        self.lost_late -= o.lost_late;
        self.lost_capacity -= o.lost_capacity;
    }
}
