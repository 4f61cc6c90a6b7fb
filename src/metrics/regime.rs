//! The regimes of docs/MODEL.md section 8, computed from measured behaviour only.
//!
//! The classifier sees a platform's figures over a trailing window — never its dispatch mode,
//! its leader or any other setting — so a regime is always an outcome.

use std::fmt;

use crate::scenario::RegimeSpec;

/// How a platform is faring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Regime {
    /// Too few decided orders in the window for a verdict.
    Unclassified,
    /// Neither embedded nor floating.
    Transitional,
    /// ≥ 80% close in the system, ≥ 70% of those on time.
    Embedded,
    /// Embedded, and the departments doing its work have reengineered (R ≥ 0.5).
    Reengineered,
    /// Under half close in the system on time, mostly for lack of authority: refused, settled
    /// offline, dropped, or waiting on handlers whose time goes elsewhere.
    Floating,
    /// Floating, and usage has fallen under half its peak.
    Idling,
    /// Under half close on time (or the backlog and the burden grow), mostly for lack of
    /// capacity: the platform's own orders fill its handlers' time and still fall behind.
    Overloaded,
}

impl Regime {
    /// All regimes, in column order.
    pub const ALL: [Regime; 7] = [
        Regime::Embedded,
        Regime::Reengineered,
        Regime::Floating,
        Regime::Idling,
        Regime::Overloaded,
        Regime::Transitional,
        Regime::Unclassified,
    ];

    /// Machine name, as in CSV files.
    pub fn name(self) -> &'static str {
        match self {
            Regime::Unclassified => "unclassified",
            Regime::Transitional => "transitional",
            Regime::Embedded => "embedded",
            Regime::Reengineered => "reengineered",
            Regime::Floating => "floating",
            Regime::Idling => "idling",
            Regime::Overloaded => "overloaded",
        }
    }

    /// 中文 name.
    pub fn chinese(self) -> &'static str {
        match self {
            Regime::Unclassified => "未定",
            Regime::Transitional => "过渡",
            Regime::Embedded => "嵌入",
            Regime::Reengineered => "流程再造",
            Regime::Floating => "悬浮",
            Regime::Idling => "空转",
            Regime::Overloaded => "超载",
        }
    }

    /// Whether the platform works (embedded or reengineered).
    pub fn is_embedded(self) -> bool {
        matches!(self, Regime::Embedded | Regime::Reengineered)
    }
}

impl fmt::Display for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A platform's figures over the trailing window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WindowFigures {
    /// Orders that arrived in the window.
    pub arrived: u64,
    /// Of those, orders whose fate is known: closed, settled offline, dropped, or open past
    /// their deadline. Orders still open within their deadline are pending and left out.
    pub decided: u64,
    /// Closed in the system.
    pub closed: u64,
    /// Closed in the system on time.
    pub on_time: u64,
    /// Mean arrivals per day in the window.
    pub usage: f64,
    /// Peak usage so far: the highest mean arrivals per day over `launch_days` consecutive days.
    pub peak_usage: f64,
    /// Open orders now minus open orders a window ago.
    pub backlog_growth: f64,
    /// Work-weighted reengineering level of the departments doing its orders.
    pub weighted_r: f64,
    /// The part of it that the platform's own orders drove: decides "reengineered".
    pub own_r: f64,
    /// Burden hours over all department hours on its orders in the window (负能 index); NaN when
    /// the verdict does not turn on it.
    pub burden_share: f64,
    /// The lowest burden share seen in an earlier classified window: the platform's own earlier
    /// level.
    pub burden_floor: f64,
    /// Decided orders that were still open at their deadline for lack of capacity.
    pub missed_capacity: u64,
    /// Decided orders still open at their deadline for lack of authority.
    pub missed_authority: u64,
    /// Settled offline or dropped before their deadline: refused for lack of authority.
    pub lost_in_time: u64,
    /// Refused for good before their deadline by departments filled with the platform's own
    /// orders: for lack of capacity.
    pub refused_capacity: u64,
    /// The platform is idling now: leaving idling takes usage back above `idling_usage` + 0.1 of
    /// its peak, so that usage hovering at the threshold does not flip the regime to and fro.
    pub idling_now: bool,
}

impl WindowFigures {
    /// Closed in system / decided.
    pub fn closed_share(&self) -> f64 {
        ratio(self.closed, self.decided)
    }

    /// On time / closed in system.
    pub fn on_time_share(&self) -> f64 {
        ratio(self.on_time, self.closed)
    }

    /// On time / decided.
    pub fn on_time_of_decided(&self) -> f64 {
        ratio(self.on_time, self.decided)
    }

    /// Orders left unhandled for lack of capacity.
    pub fn capacity_failures(&self) -> u64 {
        self.missed_capacity + self.refused_capacity
    }

    /// Orders left unhandled for lack of authority.
    pub fn authority_failures(&self) -> u64 {
        self.missed_authority + self.lost_in_time
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { f64::NAN } else { a as f64 / b as f64 }
}

/// The decision tree, tested in order (documented in docs/MODEL.md, "Regimes"). Every order
/// decided in the window is closed on time, or failed for one of two reasons: lack of
/// **capacity** (still open at its deadline while its handlers worked the platform's own orders)
/// or lack of **authority** (refused, settled offline or dropped, escalated, or still open at its
/// deadline while its handlers' time went to other claims).
///
/// 1. too few decided orders (`min_decided`): idling if usage fell under `idling_usage` × its
///    smoothed peak, else unclassified;
/// 2. overloaded — at least `overloaded_capacity_misses` of decided orders failed for lack of
///    capacity, and either the backlog grew over the window by more than a tenth of its arrivals
///    or capacity failures outnumber authority failures (swamped by its own demand: the excess
///    piles up or is refused); or capacity failures
///    outnumber authority failures, and either under `overloaded_on_time` of decided orders
///    closed on time, or the backlog grew while the burden share rose `burden_rise` above the
///    platform's own earlier level;
/// 3. floating (idling when usage fell under `idling_usage` × its peak) — under
///    `floating_closed` of decided orders closed in the system on time, authority failures at
///    least as many as capacity failures;
/// 4. reengineered / embedded — at least `embedded_closed` closed in the system and
///    `embedded_on_time` of those on time (reengineered when the R its own orders drove is at
///    least `reengineered_r`);
/// 5. transitional — anything else.
///
/// The burden share never decides a regime by its level: 负能 is reported beside the regime.
pub fn classify(f: &WindowFigures, spec: &RegimeSpec) -> Regime {
    let band = if f.idling_now { IDLING_EXIT_MARGIN } else { 0.0 };
    let low_usage = f.peak_usage > 0.0 && f.usage < (spec.idling_usage + band) * f.peak_usage;
    if f.decided < spec.min_decided {
        return if low_usage { Regime::Idling } else { Regime::Unclassified };
    }
    let (capacity, authority) = (f.capacity_failures(), f.authority_failures());
    let collapsed = f.on_time_of_decided() < spec.overloaded_on_time;
    let growing = backlog_growing(f);
    if swamped(f, spec) {
        return Regime::Overloaded;
    }
    let burden_up = f.burden_share - f.burden_floor >= spec.burden_rise;
    if capacity > authority && (collapsed || (growing && burden_up)) {
        return Regime::Overloaded;
    }
    if f.on_time_of_decided() < spec.floating_closed && authority >= capacity {
        return if low_usage { Regime::Idling } else { Regime::Floating };
    }
    if f.closed_share() >= spec.embedded_closed && f.on_time_share() >= spec.embedded_on_time {
        return if f.own_r >= spec.reengineered_r { Regime::Reengineered } else { Regime::Embedded };
    }
    Regime::Transitional
}

/// The backlog grew over the window by more than a tenth of its arrivals.
fn backlog_growing(f: &WindowFigures) -> bool {
    f.backlog_growth > 0.1 * f.arrived as f64 && f.backlog_growth > 0.0
}

/// Swamped by its own demand: at least `overloaded_capacity_misses` of decided orders failed for
/// lack of capacity (open at their deadline, or refused by departments filled with the
/// platform's own orders), and the excess either piles up (a growing backlog) or is shed by those
/// refusals (capacity failures outnumber authority failures).
fn swamped(f: &WindowFigures, spec: &RegimeSpec) -> bool {
    let capacity = f.capacity_failures();
    (backlog_growing(f) || capacity > f.authority_failures())
        && capacity > 0
        && capacity as f64 >= spec.overloaded_capacity_misses * f.decided as f64
}

/// Whether [`classify`]'s verdict on `f` depends on the burden share and its floor: only when
/// capacity failures outnumber authority failures, on-time closure has not collapsed and the
/// backlog grows. Lets the caller sum the window's hours only then.
pub fn reads_burden(f: &WindowFigures, spec: &RegimeSpec) -> bool {
    f.decided >= spec.min_decided
        && f.capacity_failures() > f.authority_failures()
        && !(f.on_time_of_decided() < spec.overloaded_on_time)
        && backlog_growing(f)
        && !swamped(f, spec)
}

/// How far above the idling threshold usage must climb before a platform stops idling.
pub const IDLING_EXIT_MARGIN: f64 = 0.1;

/// The 负能 flag: the burden share of a platform's hours reaches `threshold`. Reported beside
/// the regime: a platform can be in 负能 at a steady load without being overloaded.
pub fn negative_energy(burden_share: f64, threshold: f64) -> bool {
    burden_share >= threshold
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figs(decided: u64, closed: u64, on_time: u64) -> WindowFigures {
        WindowFigures { arrived: decided, decided, closed, on_time, usage: 1.0, peak_usage: 1.0, ..Default::default() }
    }

    #[test]
    fn tree_in_order() {
        let s = RegimeSpec::default();
        assert_eq!(classify(&figs(100, 90, 80), &s), Regime::Embedded);
        let mut r = figs(100, 90, 80);
        r.own_r = 0.6;
        assert_eq!(classify(&r, &s), Regime::Reengineered);
        // R that other platforms' orders drove does not make this one reengineered.
        let mut borrowed = figs(100, 90, 80);
        borrowed.weighted_r = 0.9;
        assert_eq!(classify(&borrowed, &s), Regime::Embedded);
        let mut refused = figs(100, 30, 30);
        refused.lost_in_time = 70;
        assert_eq!(classify(&refused, &s), Regime::Floating);
        refused.usage = 0.3;
        assert_eq!(classify(&refused, &s), Regime::Idling);
        assert_eq!(classify(&figs(100, 60, 60), &s), Regime::Transitional);
        assert_eq!(classify(&figs(5, 5, 5), &s), Regime::Unclassified);
    }

    #[test]
    fn the_same_failures_float_or_overload_by_their_cause() {
        let s = RegimeSpec::default();
        // 85 closed, 45 of them late: under half on time.
        let mut late = figs(100, 85, 40);
        late.missed_capacity = 50;
        late.lost_in_time = 10;
        assert_eq!(classify(&late, &s), Regime::Overloaded);
        let mut starved = figs(100, 85, 40);
        starved.missed_authority = 50;
        starved.lost_in_time = 10;
        assert_eq!(classify(&starved, &s), Regime::Floating);
    }

    #[test]
    fn growing_backlog_and_burden_overload_before_on_time_collapses() {
        let s = RegimeSpec::default();
        let mut f = figs(100, 95, 80);
        f.missed_capacity = 15;
        f.backlog_growth = 30.0;
        f.burden_share = 0.4;
        f.burden_floor = 0.1;
        assert_eq!(classify(&f, &s), Regime::Overloaded);
        // The same burden at the platform's own earlier level is 负能 at most, not overload.
        f.burden_floor = 0.35;
        assert_eq!(classify(&f, &s), Regime::Embedded);
        assert!(negative_energy(f.burden_share, s.burden_share));
    }

    #[test]
    fn a_platform_swamped_by_its_own_demand_is_overloaded_whatever_else_failed() {
        let s = RegimeSpec::default();
        // 55 closed on time; 20 open past deadline for lack of capacity, 20 refused: no more
        // capacity failures than authority ones, on-time closure not collapsed.
        let mut f = figs(100, 60, 55);
        f.missed_capacity = 20;
        f.lost_in_time = 20;
        f.backlog_growth = 30.0;
        assert_eq!(classify(&f, &s), Regime::Overloaded);
        assert!(!reads_burden(&f, &s));
        // The same failures with a steady backlog: not swamped.
        f.backlog_growth = 5.0;
        assert_ne!(classify(&f, &s), Regime::Overloaded);
        // A growing backlog with few capacity misses: not swamped either.
        f.backlog_growth = 30.0;
        f.missed_capacity = 19;
        assert_ne!(classify(&f, &s), Regime::Overloaded);
        // The key moves the line.
        let lower = RegimeSpec { overloaded_capacity_misses: 0.15, ..RegimeSpec::default() };
        assert_eq!(classify(&f, &lower), Regime::Overloaded);
        // A steady backlog whose excess departments refuse, filled with the platform's own
        // orders: the refusals are capacity failures, and the platform is swamped.
        let mut shed = figs(100, 60, 55);
        shed.missed_capacity = 10;
        shed.refused_capacity = 20;
        shed.lost_in_time = 10;
        assert_eq!(classify(&shed, &s), Regime::Overloaded);
        // The same refusals charged to authority (departments busy elsewhere): not overload.
        shed.refused_capacity = 0;
        shed.lost_in_time = 30;
        assert_ne!(classify(&shed, &s), Regime::Overloaded);
    }
}
