//! The platforms' daily records: the day in progress in one dense row, the days that have ended
//! in each platform's history.
//!
//! The order path adds to the record of the day in progress (arrivals, hours, closures) at every
//! step. Kept in one row over all platforms, those records stay in cache in a world of thousands
//! of platforms, where each platform's own history (a record a day, laid out for the whole run)
//! was a cold line at every step. A day's records move into the histories when the day ends; the
//! histories are only ever appended to, so their memory is touched as the days pass, not all at
//! the start. The figures are the same bits: the same operations on the same records, in the
//! same order.

use std::collections::VecDeque;

use crate::metrics::collector::{PlatformDay, Recent, Trail};
use crate::scenario::PlatformId;

/// Every platform's daily records (see the module's text).
pub(super) struct PlatformDays {
    /// The day in progress: the first not yet ended.
    open: usize,
    /// Its record, per platform.
    today: Vec<PlatformDay>,
    /// Records of day `open + 1` begun before day `open` ended (an event at the very instant the
    /// day ends, handled before the day's end is), per platform: rare, and few.
    early: Vec<(PlatformId, PlatformDay)>,
    /// The day of each history's first record: 0 unless the run is lean.
    first: usize,
    /// A lean run holds this many ended days per platform; `None`: every day.
    keep: Option<usize>,
    /// Per platform, the records of the days that have ended (from `first`), in day order.
    history: Vec<VecDeque<PlatformDay>>,
    /// Per platform, the few figures of every day that outlive the records.
    trails: Vec<Trail>,
    /// Where a write to a day a lean run has let go lands (it cannot happen: only the last
    /// ended day is written to after its end).
    gone: PlatformDay,
}

impl PlatformDays {
    /// The records of `platforms` platforms over a run of `days` days, holding every day
    /// (`keep` `None`) or at least the last `keep` (with a trail that also keeps
    /// `warmup_metric`'s figure of every day).
    pub fn new(platforms: usize, days: usize, keep: Option<usize>, warmup_metric: Option<&str>) -> PlatformDays {
        let held = keep.map_or(days, |k| (k + 1).min(days));
        PlatformDays {
            open: 0,
            today: vec![PlatformDay::default(); platforms],
            early: Vec::new(),
            first: 0,
            keep,
            history: (0..platforms).map(|_| VecDeque::with_capacity(held)).collect(),
            trails: (0..platforms).map(|_| Trail::with_capacity(days, warmup_metric)).collect(),
            gone: PlatformDay::default(),
        }
    }

    /// Platform `p`'s record of day `day`: the day in progress, the next (begun at the instant
    /// the day in progress ends), or one that has ended (an event at the run's last instant, whose
    /// day is the last one's).
    #[inline]
    pub fn at(&mut self, p: PlatformId, day: usize) -> &mut PlatformDay {
        if day == self.open {
            return &mut self.today[p];
        }
        self.off_today(p, day)
    }

    #[cold]
    fn off_today(&mut self, p: PlatformId, day: usize) -> &mut PlatformDay {
        if day < self.open {
            debug_assert!(day >= self.first, "a lean run let go of day {day} too early");
            return match day.checked_sub(self.first) {
                Some(i) => &mut self.history[p][i],
                None => &mut self.gone,
            };
        }
        debug_assert_eq!(day, self.open + 1, "records are written for the day in progress or the next");
        let i = match self.early.iter().position(|(q, _)| *q == p) {
            Some(i) => i,
            None => {
                self.early.push((p, PlatformDay::default()));
                self.early.len() - 1
            }
        };
        &mut self.early[i].1
    }

    /// Ends platform `p`'s record of the day in progress, `completed` by the caller: it joins the
    /// history, which comes back (the ended day last) for what reads the days before it. Call
    /// for every platform, then [`PlatformDays::next_day`].
    #[inline]
    pub fn end_day(&mut self, p: PlatformId, completed: impl FnOnce(&mut PlatformDay)) -> Recent<'_> {
        let mut record = std::mem::take(&mut self.today[p]);
        completed(&mut record);
        self.trails[p].push(&record);
        let history = &mut self.history[p];
        history.push_back(record);
        Recent { first: self.first, days: history }
    }

    /// Sets the regime of platform `p`'s record of the day that has just ended.
    pub fn set_regime(&mut self, p: PlatformId, regime: crate::metrics::Regime) {
        if let Some(last) = self.history[p].back_mut() {
            last.regime = Some(regime);
        }
    }

    /// Opens the next day, once every platform's record of the day in progress has ended.
    pub fn next_day(&mut self) {
        self.open += 1;
        for (p, record) in self.early.drain(..) {
            self.today[p] = record;
        }
    }

    /// In a lean run that holds more days than it must, the first day it will keep: the caller
    /// settles what reads the days before it, then calls [`PlatformDays::let_go`].
    pub fn due_to_let_go(&self) -> Option<usize> {
        let keep = self.keep?;
        (self.open - self.first > keep).then(|| self.open - keep)
    }

    /// Lets go of every platform's records before day `from`.
    pub fn let_go(&mut self, from: usize) {
        let n = from - self.first;
        for history in &mut self.history {
            history.drain(..n);
        }
        self.first = from;
    }

    /// Platform `p`'s records of the days that have ended (in a lean run, the last ones).
    pub fn history(&self, p: PlatformId) -> Recent<'_> {
        Recent { first: self.first, days: &self.history[p] }
    }

    /// Platform `p`'s record of ended day `day`.
    pub fn ended(&self, p: PlatformId, day: usize) -> &PlatformDay {
        self.history(p).day(day)
    }

    /// Each platform's results over all `days` days of the run, those of days that never ended
    /// as the run left them (the day in progress with what it counted, later ones empty): its
    /// records (none in a lean run), its trail, and the figures of its last day and of its last
    /// `window` days.
    pub fn finish(mut self, days: usize, window: usize) -> Vec<PlatformEnd> {
        let (first, open, lean) = (self.first, self.open, self.keep.is_some());
        let mut ends = Vec::with_capacity(self.history.len());
        for (p, (history, mut trail)) in self.history.into_iter().zip(self.trails).enumerate() {
            // The last ended day may have been written to after it ended (an event at the run's
            // last instant): its trail is taken again.
            if let Some(last) = history.back() {
                trail.retake_last(last);
            }
            let today = std::mem::take(&mut self.today[p]);
            // Day `d` of the run as a finished run reads it.
            let ended = open.min(days);
            let day = |d: usize| -> PlatformDay {
                if d < ended {
                    history[d - first]
                } else if d == ended {
                    today
                } else {
                    PlatformDay::default()
                }
            };
            let last = if days > 0 { day(days - 1) } else { PlatformDay::default() };
            let tail_days: Vec<PlatformDay> = (days.saturating_sub(window)..days).map(day).collect();
            let tail = crate::metrics::collector::sum_kinds(tail_days.iter());
            for d in trail.len()..days {
                trail.push(&day(d));
            }
            let mut history = if lean { Vec::new() } else { Vec::from(history) };
            if !lean {
                if history.len() < days {
                    history.push(today);
                }
                history.resize(days.max(history.len()), PlatformDay::default());
            }
            ends.push(PlatformEnd { days: history, trail, last, tail_kinds: tail });
        }
        ends
    }
}

/// One platform's daily records at the run's end ([`PlatformDays::finish`]).
pub(super) struct PlatformEnd {
    /// Every day's record (none in a lean run).
    pub days: Vec<PlatformDay>,
    /// A few figures of every day.
    pub trail: Trail,
    /// The last day's record.
    pub last: PlatformDay,
    /// Hours on its orders by kind over the last regime window.
    pub tail_kinds: [f64; 9],
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes land in the record of the day they name, whichever of the three places holds it.
    #[test]
    fn records_land_on_the_day_they_name() {
        let mut days = PlatformDays::new(2, 4, None, None);
        days.at(0, 0).arrivals += 1;
        days.at(1, 1).arrivals += 5; // at the instant day 0 ends, before its end is handled
        days.at(1, 1).arrivals += 1;
        for p in 0..2 {
            days.end_day(p, |r| r.open = 7);
        }
        days.next_day();
        days.at(1, 1).arrivals += 2;
        days.at(0, 0).closed += 1; // a day that has ended
        let all: Vec<Vec<PlatformDay>> = days.finish(4, 2).into_iter().map(|e| e.days).collect();
        assert_eq!(all[0].iter().map(|d| d.arrivals).collect::<Vec<_>>(), [1, 0, 0, 0]);
        assert_eq!(all[0][0].closed, 1);
        assert_eq!(all[1].iter().map(|d| d.arrivals).collect::<Vec<_>>(), [0, 8, 0, 0]);
        assert_eq!((all[1][0].open, all[1][1].open), (7, 0));
        assert!(all.iter().all(|h| h.len() == 4));
    }
}
