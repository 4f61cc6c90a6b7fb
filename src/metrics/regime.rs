//! The regimes of MODEL.md section 7, computed from measured behaviour only.
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
    /// Under half close in the system.
    Floating,
    /// Floating, and usage has fallen under half its peak.
    Idling,
    /// Was embedded; now the backlog grows while under half close on time.
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
            Regime::Overloaded => "超载/负能",
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
    /// Burden hours over all department hours on its orders (负能 index).
    pub burden_share: f64,
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
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { f64::NAN } else { a as f64 / b as f64 }
}

/// The decision tree, tested in order (documented in docs/MODEL-NOTES.md):
///
/// 1. overloaded — it was embedded earlier, and now either its backlog grew over the window by
///    more than a tenth of the window's arrivals while under `overloaded_on_time` of decided
///    orders closed on time, or the burden share of its hours reached `burden_share`;
/// 2. idling — usage under `idling_usage` × its peak usage, and (if anything was decided) under
///    `floating_closed` closed in the system;
/// 3. unclassified — fewer than `min_decided` decided orders;
/// 4. floating — under `floating_closed` closed in the system;
/// 5. reengineered / embedded — at least `embedded_closed` closed in the system and
///    `embedded_on_time` of those on time (reengineered when weighted R ≥ `reengineered_r`);
/// 6. transitional — anything else.
pub fn classify(f: &WindowFigures, spec: &RegimeSpec, was_embedded: bool) -> Regime {
    let growing = f.backlog_growth > 0.1 * f.arrived as f64 && f.backlog_growth > 0.0;
    let swamped = growing && f.decided > 0 && f.on_time_of_decided() < spec.overloaded_on_time;
    if was_embedded && (swamped || f.burden_share >= spec.burden_share) {
        return Regime::Overloaded;
    }
    let low_usage = f.peak_usage > 0.0 && f.usage < spec.idling_usage * f.peak_usage;
    let floating = f.decided > 0 && f.closed_share() < spec.floating_closed;
    if low_usage && (floating || f.decided < spec.min_decided) {
        return Regime::Idling;
    }
    if f.decided < spec.min_decided {
        return Regime::Unclassified;
    }
    if floating {
        return Regime::Floating;
    }
    if f.closed_share() >= spec.embedded_closed && f.on_time_share() >= spec.embedded_on_time {
        return if f.weighted_r >= spec.reengineered_r { Regime::Reengineered } else { Regime::Embedded };
    }
    Regime::Transitional
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
        assert_eq!(classify(&figs(100, 90, 80), &s, false), Regime::Embedded);
        let mut r = figs(100, 90, 80);
        r.weighted_r = 0.6;
        assert_eq!(classify(&r, &s, false), Regime::Reengineered);
        assert_eq!(classify(&figs(100, 30, 30), &s, false), Regime::Floating);
        let mut idle = figs(100, 30, 30);
        idle.usage = 0.3;
        assert_eq!(classify(&idle, &s, false), Regime::Idling);
        assert_eq!(classify(&figs(100, 60, 60), &s, false), Regime::Transitional);
        assert_eq!(classify(&figs(5, 5, 5), &s, false), Regime::Unclassified);
        let mut over = figs(100, 85, 40);
        over.backlog_growth = 50.0;
        assert_eq!(classify(&over, &s, true), Regime::Overloaded);
        // The same figures without an embedded past are not overload.
        assert_eq!(classify(&over, &s, false), Regime::Transitional);
        let mut burdened = figs(100, 95, 90);
        burdened.burden_share = 0.35;
        assert_eq!(classify(&burdened, &s, true), Regime::Overloaded);
        assert_eq!(classify(&burdened, &s, false), Regime::Embedded);
    }
}
