//! Agility, measured: how long a platform takes to recover from a demand shock (M17).
//!
//! The pre-shock band comes from the [`BASELINE_DAYS`] days before the first shock window:
//! for the open backlog `b` (orders open at the end of each day) and for the on-time share `o`
//! (orders closed on time over orders closed in the system, over a trailing [`SHARE_DAYS`]-day
//! window), mean `m` and standard deviation `s` over those days. The band is
//! `b ≤ m_b + max(2 s_b, 0.1 m_b, 1)` and `o ≥ m_o − max(2 s_o, 0.1 m_o)`: a backlog below, or an
//! on-time share above, the pre-shock level counts as recovered. The recovery time is the number
//! of days from the end of the last shock window to the end of the first day from which both
//! stay inside the band for [`HOLD_DAYS`] days running; NaN when there is no shock, too little
//! history before it, or no such day before the run ends.

use crate::metrics::collector::Trail;

/// Days before the first shock that define the band.
pub const BASELINE_DAYS: usize = 60;
/// Trailing window of the daily on-time share.
pub const SHARE_DAYS: usize = 14;
/// Days both figures must stay in the band to count as recovered.
pub const HOLD_DAYS: usize = 7;
/// Fewest baseline days accepted (a shock earlier than this gives NaN).
const MIN_BASELINE: usize = 14;

/// The recovery figures of one platform in one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Recovery {
    /// Days from the end of the last shock to recovery (NaN: no shock, or never recovered).
    pub days: f64,
    /// Upper edge of the backlog band (NaN without a band).
    pub open_high: f64,
    /// Lower edge of the on-time band (NaN without a band).
    pub on_time_low: f64,
    /// Largest open backlog from the first shock's start to the end of the run.
    pub peak_open: f64,
}

impl Recovery {
    const NONE: Recovery = Recovery { days: f64::NAN, open_high: f64::NAN, on_time_low: f64::NAN, peak_open: f64::NAN };
}

/// Trailing on-time share of day `d` (NaN when nothing closed in the window).
fn on_time_share(days: &Trail, d: usize) -> f64 {
    let from = (d + 1).saturating_sub(SHARE_DAYS);
    let closed: u64 = days.closed[from..=d].iter().map(|&c| c as u64).sum();
    let on_time: u64 = days.on_time[from..=d].iter().map(|&c| c as u64).sum();
    if closed > 0 { on_time as f64 / closed as f64 } else { f64::NAN }
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0).max(1.0);
    (m, v.sqrt())
}

/// The recovery of a platform whose days are `days` from its `shocks` (from day, to day,
/// multiplier).
pub fn recovery(days: &Trail, shocks: &[(f64, f64, f64)]) -> Recovery {
    if shocks.is_empty() || days.is_empty() {
        return Recovery::NONE;
    }
    let first = shocks.iter().map(|s| s.0).fold(f64::INFINITY, f64::min);
    let last = shocks.iter().map(|s| s.1).fold(f64::NEG_INFINITY, f64::max);
    let start = (first.floor().max(0.0) as usize).min(days.len());
    let from = start.saturating_sub(BASELINE_DAYS);
    if start - from < MIN_BASELINE {
        return Recovery::NONE;
    }
    let open: Vec<f64> = days.open[from..start].iter().map(|&o| o as f64).collect();
    let shares: Vec<f64> = (from..start).map(|d| on_time_share(days, d)).filter(|x| !x.is_nan()).collect();
    let (mb, sb) = mean_sd(&open);
    let open_high = mb + (2.0 * sb).max(0.1 * mb).max(1.0);
    let on_time_low = if shares.len() >= MIN_BASELINE {
        let (mo, so) = mean_sd(&shares);
        mo - (2.0 * so).max(0.1 * mo)
    } else {
        f64::NAN
    };
    let peak_open = days.open[start..].iter().map(|&o| o as f64).fold(f64::NAN, f64::max);
    let inside = |d: usize| {
        let o = on_time_share(days, d);
        (days.open[d] as f64) <= open_high && (on_time_low.is_nan() || (!o.is_nan() && o >= on_time_low))
    };
    // Day d's figures are taken at its end, time d + 1; the first day whose end is at or after
    // the shock's end is ceil(last) − 1.
    let first_after = (last.ceil() as usize).saturating_sub(1);
    let mut run = 0;
    for d in first_after..days.len() {
        if inside(d) {
            run += 1;
            if run == HOLD_DAYS {
                let begin = d + 1 - HOLD_DAYS;
                let days_to = (begin as f64 + 1.0 - last).max(0.0);
                return Recovery { days: days_to, open_high, on_time_low, peak_open };
            }
        } else {
            run = 0;
        }
    }
    Recovery { days: f64::NAN, open_high, on_time_low, peak_open }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::collector::PlatformDay;

    fn day(open: u64, closed: u64, on_time: u64) -> PlatformDay {
        PlatformDay { open, closed, on_time, ..Default::default() }
    }

    fn recovery(days: &[PlatformDay], shocks: &[(f64, f64, f64)]) -> Recovery {
        let mut trail = Trail::default();
        days.iter().for_each(|d| trail.push(d));
        super::recovery(&trail, shocks)
    }

    #[test]
    fn no_shock_gives_nan() {
        let days = vec![day(3, 2, 2); 200];
        assert!(recovery(&days, &[]).days.is_nan());
    }

    #[test]
    fn counts_days_from_the_shock_end_to_the_band() {
        // Calm backlog 3 until day 100, a shock from 100 to 120 raises it to 30, and it drains
        // linearly to 3 by day 140.
        let mut days = Vec::new();
        for d in 0..300u64 {
            let open = match d {
                0..100 => 3,
                100..120 => 30,
                120..140 => 30 - (d - 120) * 27 / 20,
                _ => 3,
            };
            days.push(day(open, 4, 4));
        }
        let r = recovery(&days, &[(100.0, 120.0, 3.0)]);
        assert_eq!(r.open_high, 4.0);
        assert_eq!(r.peak_open, 30.0);
        // day 139 still has 30 − 19·27/20 = 5 open (integer division); day 140 has 3
        assert_eq!(r.days, 140.0 + 1.0 - 120.0, "{r:?}");
    }

    #[test]
    fn a_late_on_time_share_delays_recovery_and_never_is_nan() {
        let mut days: Vec<PlatformDay> = (0..300).map(|_| day(3, 4, 4)).collect();
        for d in days.iter_mut().take(200).skip(100) {
            d.on_time = 1;
        }
        let r = recovery(&days, &[(100.0, 120.0, 3.0)]);
        // share over the 14 days ending d is back above 0.9 once at most one bad day is in it
        assert!(r.days > 70.0 && r.days < 95.0, "{r:?}");
        let stuck: Vec<PlatformDay> = (0..300).map(|d| day(if d < 100 { 3 } else { 50 }, 4, 4)).collect();
        assert!(recovery(&stuck, &[(100.0, 120.0, 3.0)]).days.is_nan());
    }
}
