//! Simulated time and the working calendar.
//!
//! Time is measured in calendar hours since the start of the run. Citizens raise issues around the
//! clock; staff and leaders only advance work inside working windows. A [`WorkClock`] maps between
//! calendar time and cumulative working time so that a task of `e` working hours started at `t`
//! finishes exactly when `e` hours of its clock's windows have elapsed.

use std::cmp::Ordering;
use std::fmt;

/// Hours in a calendar day.
pub const HOURS_PER_DAY: f64 = 24.0;
/// Hours in a calendar week.
pub const HOURS_PER_WEEK: f64 = 168.0;

/// A point in simulated time: calendar hours since the start of the run.
///
/// Ordered with `f64::total_cmp`, so it can key a heap; constructors reject NaN.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimTime(f64);

impl SimTime {
    /// The start of the run.
    pub const ZERO: SimTime = SimTime(0.0);
    /// A time that never comes (work on a clock with no working hours).
    pub const NEVER: SimTime = SimTime(f64::INFINITY);

    /// A time `hours` after the start. Panics on NaN, which would be a bug in the caller.
    pub fn from_hours(hours: f64) -> SimTime {
        assert!(!hours.is_nan(), "SimTime cannot be NaN");
        SimTime(hours)
    }

    /// The start of calendar day `day`.
    pub fn from_days(day: f64) -> SimTime {
        SimTime::from_hours(day * HOURS_PER_DAY)
    }

    /// Hours since the start of the run.
    pub fn hours(self) -> f64 {
        self.0
    }

    /// The time whose `hours().to_bits()` is `bits` (the event queue's compact key).
    pub(crate) fn from_bits(bits: u64) -> SimTime {
        SimTime(f64::from_bits(bits))
    }

    /// Calendar day index (0-based) this time falls in.
    pub fn day(self) -> u32 {
        // A multiplication instead of a division when the quotient is clear of a whole number
        // (by far more than the multiplication's rounding): then both floors agree.
        let q = self.0 * (1.0 / HOURS_PER_DAY);
        if q > 0.0 && q < 1e6 {
            let d = q as u32;
            let f = q - d as f64;
            if f > 1e-9 && f < 1.0 - 1e-9 {
                return d;
            }
        }
        floor(self.0 / HOURS_PER_DAY).max(0.0) as u32
    }

    /// Whether this time will ever come.
    pub fn is_finite(self) -> bool {
        self.0.is_finite()
    }
}

impl Eq for SimTime {}

impl PartialOrd for SimTime {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SimTime {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl fmt::Display for SimTime {
    /// Formats as `day D HH:MM` (day counted from 0).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.0.is_finite() {
            return write!(f, "never");
        }
        let day = self.day();
        let within = self.0 - day as f64 * HOURS_PER_DAY;
        let minutes = (within * 60.0).round() as u32;
        let (h, m) = (minutes / 60, minutes % 60);
        write!(f, "day {day} {h:02}:{m:02}")
    }
}

/// `x.floor()`, exactly, without the library call `floor` is on the baseline x86-64 target
/// (no SSE4.1 rounding instruction): truncation through an integer, corrected for negatives.
#[inline]
pub fn floor(x: f64) -> f64 {
    // Beyond 2^52 every float is an integer (and NaN and the infinities fail the test).
    if x.abs() < 4_503_599_627_370_496.0 {
        let t = x as i64 as f64;
        if t == x {
            x // keeps -0.0
        } else if t > x {
            t - 1.0
        } else {
            t
        }
    } else {
        x
    }
}

/// Whether `t > 0` is clearly not just below the end of a period of `1 / per_period` hours (by
/// more than 10⁻⁹ of a period), so that `t / period` cannot round up to a whole number: then on a
/// 24 × 7 calendar `worked_before(t)` and `at_worked(t)` are `t` (weeks) and `next_working(t)`
/// is `t` (days), exactly as their exact paths give, and a multiplication tells it without a
/// division. Conservative: in doubt, false.
#[inline]
fn clear_of_period_end(t: f64, per_period: f64) -> bool {
    if t >= 1e12 || t.is_nan() {
        return false;
    }
    let q = t * per_period;
    q - (q as i64 as f64) < 1.0 - 1e-9
}

/// Working windows: `len` hours starting at hour `start` of each of the first `days_per_week`
/// days of every week.
///
/// The township's calendar is one `WorkClock`; a leader's attention is another, shorter window
/// within the same days (the first hours of each working day).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WorkClock {
    start: f64,
    len: f64,
    days_per_week: u32,
    /// Every hour of every day (24 h × 7), known from the three fields above: tested once at
    /// construction, not on every call.
    round: bool,
}

impl WorkClock {
    /// A clock of `hours_per_day` working hours on `days_per_week` days.
    ///
    /// Work starts at 08:00 when the day leaves room for it, otherwise early enough to fit
    /// (a 24-hour day starts at 00:00). Callers validate `0 <= hours_per_day <= 24` and
    /// `1 <= days_per_week <= 7` beforehand.
    pub fn new(hours_per_day: f64, days_per_week: u32) -> WorkClock {
        debug_assert!((0.0..=HOURS_PER_DAY).contains(&hours_per_day));
        debug_assert!((1..=7).contains(&days_per_week));
        WorkClock::of(8.0_f64.min(HOURS_PER_DAY - hours_per_day), hours_per_day, days_per_week)
    }

    /// A clock with the same days and start, but only `hours` of each working day
    /// (clamped to this clock's window).
    pub fn sub_window(&self, hours: f64) -> WorkClock {
        WorkClock::of(self.start, hours.clamp(0.0, self.len), self.days_per_week)
    }

    /// The clock of these windows, with its round-the-clock test worked out once.
    fn of(start: f64, len: f64, days_per_week: u32) -> WorkClock {
        let round = days_per_week == 7 && len == HOURS_PER_DAY && start == 0.0;
        WorkClock { start, len, days_per_week, round }
    }

    /// Working hours per working day.
    pub fn hours_per_day(&self) -> f64 {
        self.len
    }

    /// Working days per week.
    pub fn days_per_week(&self) -> u32 {
        self.days_per_week
    }

    /// Working hours in a full week.
    pub fn hours_per_week(&self) -> f64 {
        self.len * self.days_per_week as f64
    }

    /// Whether calendar day `day` is a working day.
    pub fn is_working_day(&self, day: u32) -> bool {
        day % 7 < self.days_per_week
    }

    /// Cumulative working hours in `[0, t)`.
    #[inline]
    pub fn worked_before(&self, t: SimTime) -> f64 {
        let h = t.hours();
        if self.round_the_clock() && h > 0.0 && clear_of_period_end(h, 1.0 / HOURS_PER_WEEK) {
            return h; // what the exact path gives, without its division
        }
        self.worked_before_exact(t)
    }

    /// [`WorkClock::worked_before`] without its fast path.
    fn worked_before_exact(&self, t: SimTime) -> f64 {
        let t = t.hours();
        if t <= 0.0 {
            return 0.0;
        }
        if self.round_the_clock() && clear_of_period_end(t, 1.0 / HOURS_PER_WEEK) {
            return t; // what the exact path below gives, without its division
        }
        let weeks = floor(t / HOURS_PER_WEEK);
        let rem = t - weeks * HOURS_PER_WEEK;
        let mut total = weeks * self.hours_per_week();
        if self.round_the_clock() && rem > 0.0 && rem.is_finite() {
            // The loop below adds 24 for each whole day before `rem` and then `rem - 24 k`: every
            // step is exact (integers, and `t - 168 w` and `rem - 24 k` are multiples of the last
            // place of `t`), so the sum is `t` itself. (`rem <= 0`, when `t / 168` rounded up to a
            // whole week, takes the loop.)
            return t;
        }
        for d in 0..self.days_per_week {
            let open = d as f64 * HOURS_PER_DAY + self.start;
            let close = open + self.len;
            if rem <= open {
                break;
            }
            total += rem.min(close) - open;
        }
        total
    }

    /// The earliest calendar time at which `worked_before` reaches `target` working hours.
    #[inline]
    fn at_worked(&self, target: f64) -> SimTime {
        if self.round_the_clock() && target > 0.0 && clear_of_period_end(target, 1.0 / HOURS_PER_WEEK) {
            return SimTime::from_hours(target); // what the exact path gives
        }
        self.at_worked_exact(target)
    }

    /// [`WorkClock::at_worked`] without its fast path.
    fn at_worked_exact(&self, target: f64) -> SimTime {
        let per_week = self.hours_per_week();
        if per_week <= 0.0 {
            return SimTime::NEVER;
        }
        if target <= 0.0 {
            return SimTime::ZERO;
        }
        if self.round_the_clock() && clear_of_period_end(target, 1.0 / HOURS_PER_WEEK) {
            return SimTime::from_hours(target); // what the exact path below gives
        }
        // A target on a week boundary belongs to the end of the earlier week, not the next start.
        let mut weeks = floor(target / per_week);
        let mut r = target - weeks * per_week;
        if self.round_the_clock() && r > 0.0 && r.is_finite() {
            // The loop below returns `168 w + 24 d + (r - 24 d)`, each step exact (integers, and
            // multiples of the last place of `target`), which is `target` itself.
            return SimTime::from_hours(target);
        }
        if r <= 0.0 {
            weeks -= 1.0;
            r += per_week;
        }
        for d in 0..self.days_per_week {
            if r <= self.len {
                let open = d as f64 * HOURS_PER_DAY + self.start;
                return SimTime::from_hours(weeks * HOURS_PER_WEEK + open + r);
            }
            r -= self.len;
        }
        // Rounding left a sliver past the last window: it ends there.
        let last_close = (self.days_per_week - 1) as f64 * HOURS_PER_DAY + self.start + self.len;
        SimTime::from_hours(weeks * HOURS_PER_WEEK + last_close)
    }

    /// Every hour of every day (24 h × 7): the calendar's fast path.
    #[inline]
    fn round_the_clock(&self) -> bool {
        self.round
    }

    /// When a task of `work` working hours, started (or queued to start) at `t`, finishes.
    ///
    /// Zero work finishes at `t`; work on a clock with no working hours never finishes.
    #[inline]
    pub fn advance(&self, t: SimTime, work: f64) -> SimTime {
        if work <= 0.0 {
            return t;
        }
        self.advance_from(t, self.worked_before(t), work)
    }

    /// [`WorkClock::advance`] given `worked = worked_before(t)`, which the caller also needs.
    #[inline]
    pub fn advance_from(&self, t: SimTime, worked: f64, work: f64) -> SimTime {
        if work <= 0.0 {
            return t;
        }
        let end = self.at_worked(worked + work);
        if end < t { t } else { end }
    }

    /// The first instant at or after `t` inside a working window (when work actually starts).
    #[inline]
    pub fn next_working(&self, t: SimTime) -> SimTime {
        // A round-the-clock day has `len` 24 > 0, so the test below for no working hours fails.
        if self.round_the_clock() && t.hours() > 0.0 && clear_of_period_end(t.hours(), 1.0 / HOURS_PER_DAY) {
            return t; // the day's window opened at or before `t` and closes after it
        }
        self.next_working_exact(t)
    }

    /// [`WorkClock::next_working`] without its fast path.
    fn next_working_exact(&self, t: SimTime) -> SimTime {
        if self.len <= 0.0 {
            return SimTime::NEVER;
        }
        if self.round_the_clock() && t.hours() > 0.0 && clear_of_period_end(t.hours(), 1.0 / HOURS_PER_DAY) {
            return t; // the day's window opened at or before `t` and closes after it
        }
        let day0 = t.day();
        if self.round_the_clock() {
            // The loop's first pass: every day works and `t` is before the day's close.
            let open = day0 as f64 * HOURS_PER_DAY + self.start;
            if t.hours() < open + self.len {
                return SimTime::from_hours(t.hours().max(open));
            }
        }
        for k in 0..8 {
            let day = day0 + k;
            if !self.is_working_day(day) {
                continue;
            }
            let open = day as f64 * HOURS_PER_DAY + self.start;
            let close = open + self.len;
            if t.hours() < close {
                return SimTime::from_hours(t.hours().max(open));
            }
        }
        SimTime::NEVER
    }

    /// The deadline `days` working days after `t`: `days` full working days of this clock.
    pub fn deadline(&self, t: SimTime, days: f64) -> SimTime {
        self.advance(t, days * self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(x: f64) -> SimTime {
        SimTime::from_hours(x)
    }

    #[test]
    fn round_the_clock_is_identity() {
        let c = WorkClock::new(24.0, 7);
        assert_eq!(c.worked_before(h(123.5)), 123.5);
        assert_eq!(c.advance(h(10.0), 2.5), h(12.5));
        assert_eq!(c.next_working(h(3.0)), h(3.0));
    }

    #[test]
    fn office_hours_skip_nights_and_weekends() {
        let c = WorkClock::new(8.0, 5);
        // Monday 08:00-16:00 is day 0.
        assert_eq!(c.worked_before(h(12.0)), 4.0);
        // Work posted at 15:00 Monday for 3 hours: 1 h Monday, 2 h Tuesday from 08:00.
        assert_eq!(c.advance(h(15.0), 3.0), h(24.0 + 10.0));
        // Friday 15:00 plus 2 h lands on Monday 09:00 of the next week.
        assert_eq!(c.advance(h(4.0 * 24.0 + 15.0), 2.0), h(7.0 * 24.0 + 9.0));
        // Saturday night: next working instant is Monday 08:00.
        assert_eq!(c.next_working(h(5.0 * 24.0 + 22.0)), h(7.0 * 24.0 + 8.0));
        // Exactly the end of a window stays there.
        assert_eq!(c.advance(h(8.0), 8.0), h(16.0));
        // Five working days from Monday 10:00 is the next Monday 10:00.
        assert_eq!(c.deadline(h(10.0), 5.0), h(168.0 + 10.0));
    }

    #[test]
    fn attention_window_is_the_start_of_the_day() {
        let c = WorkClock::new(8.0, 5).sub_window(1.5);
        assert_eq!(c.advance(h(0.0), 1.0), h(9.0));
        assert_eq!(c.advance(h(9.0), 1.0), h(24.0 + 8.5));
        let none = WorkClock::new(8.0, 5).sub_window(0.0);
        assert_eq!(none.advance(h(0.0), 1.0), SimTime::NEVER);
        assert_eq!(none.next_working(h(0.0)), SimTime::NEVER);
    }

    /// The loops the 24 × 7 fast paths replace, as they were.
    fn worked_before_loop(c: &WorkClock, t: f64) -> f64 {
        if t <= 0.0 {
            return 0.0;
        }
        let weeks = (t / HOURS_PER_WEEK).floor();
        let rem = t - weeks * HOURS_PER_WEEK;
        let mut total = weeks * c.hours_per_week();
        for d in 0..c.days_per_week {
            let open = d as f64 * HOURS_PER_DAY + c.start;
            if rem <= open {
                break;
            }
            total += rem.min(open + c.len) - open;
        }
        total
    }

    fn at_worked_loop(c: &WorkClock, target: f64) -> f64 {
        let per_week = c.hours_per_week();
        let mut weeks = (target / per_week).floor();
        let mut r = target - weeks * per_week;
        if r <= 0.0 {
            weeks -= 1.0;
            r += per_week;
        }
        for d in 0..c.days_per_week {
            if r <= c.len {
                return weeks * HOURS_PER_WEEK + (d as f64 * HOURS_PER_DAY + c.start) + r;
            }
            r -= c.len;
        }
        unreachable!()
    }

    fn next_working_loop(c: &WorkClock, t: f64) -> f64 {
        let day0 = (t / HOURS_PER_DAY).floor().max(0.0) as u32;
        for k in 0..8 {
            let day = day0 + k;
            if !c.is_working_day(day) {
                continue;
            }
            let open = day as f64 * HOURS_PER_DAY + c.start;
            if t < open + c.len {
                return t.max(open);
            }
        }
        f64::INFINITY
    }

    #[test]
    fn round_the_clock_fast_paths_are_bit_identical() {
        let c = WorkClock::new(24.0, 7);
        let mut x = 0.123_f64;
        let mut values = vec![24.0, 48.0, 168.0, 167.999_999_999_999_97, 336.0, 1e-12, 23.999_999_999_999_996];
        for week in [1.0, 2.0, 7.0, 52.0, 520.0, 5200.0, 1.0 / 7.0, 3.0 / 7.0, 1000.0 / 7.0] {
            let end: f64 = (week * 7.0_f64).round() * HOURS_PER_DAY;
            let mut below = end;
            for _ in 0..64 {
                below = f64::from_bits(below.to_bits() - 1);
                values.push(below);
            }
            values.extend([end, f64::from_bits(end.to_bits() + 1), end - 1e-7, end - 1e-6]);
        }
        for _ in 0..200_000 {
            x = (x * 7919.0 + 0.618_033_988_749_895).fract();
            values.push(x * 1e5);
            values.push((x * 1000.0).round() * 24.0 + (x - 0.5) * 1e-9);
        }
        for &t in &values {
            if t > 0.0 {
                assert_eq!(c.worked_before(h(t)).to_bits(), worked_before_loop(&c, t).to_bits(), "{t}");
                assert_eq!(c.at_worked(t).hours().to_bits(), at_worked_loop(&c, t).to_bits(), "{t}");
                assert_eq!(c.next_working(h(t)).hours().to_bits(), next_working_loop(&c, t).to_bits(), "{t}");
            }
            assert_eq!(h(t).day(), (t / HOURS_PER_DAY).floor().max(0.0) as u32, "{t}");
            assert_eq!(h(t + 0.5).day(), ((t + 0.5) / HOURS_PER_DAY).floor().max(0.0) as u32, "{t}");
            for y in [t, -t, t + 0.5, -t - 0.5] {
                assert_eq!(floor(y).to_bits(), y.floor().to_bits(), "{y}");
            }
        }
        assert_eq!(floor(-0.0).to_bits(), (-0.0f64).to_bits());
        assert!(floor(f64::NAN).is_nan());
        assert_eq!(floor(f64::INFINITY), f64::INFINITY);
    }

    #[test]
    fn display_reads_as_day_and_clock() {
        assert_eq!(h(24.0 * 3.0 + 9.5).to_string(), "day 3 09:30");
    }
}
