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

use crate::metrics::collector::PlatformDay;
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
    /// Per platform, the records of the days that have ended, in day order.
    history: Vec<Vec<PlatformDay>>,
}

impl PlatformDays {
    /// The records of `platforms` platforms over a run of `days` days.
    pub fn new(platforms: usize, days: usize) -> PlatformDays {
        PlatformDays {
            open: 0,
            today: vec![PlatformDay::default(); platforms],
            early: Vec::new(),
            history: (0..platforms).map(|_| Vec::with_capacity(days)).collect(),
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
            return &mut self.history[p][day];
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
    pub fn end_day(&mut self, p: PlatformId, completed: impl FnOnce(&mut PlatformDay)) -> &mut [PlatformDay] {
        let mut record = std::mem::take(&mut self.today[p]);
        completed(&mut record);
        let history = &mut self.history[p];
        history.push(record);
        history
    }

    /// Opens the next day, once every platform's record of the day in progress has ended.
    pub fn next_day(&mut self) {
        self.open += 1;
        for (p, record) in self.early.drain(..) {
            self.today[p] = record;
        }
    }

    /// Platform `p`'s records of the days that have ended.
    pub fn history(&self, p: PlatformId) -> &[PlatformDay] {
        &self.history[p]
    }

    /// Each platform's records of all `days` days of the run: those of days that never ended as
    /// the run left them (the day in progress with what it counted, later ones empty).
    pub fn into_histories(mut self, days: usize) -> Vec<Vec<PlatformDay>> {
        for (p, history) in self.history.iter_mut().enumerate() {
            if history.len() < days {
                history.push(std::mem::take(&mut self.today[p]));
            }
            history.resize(days.max(history.len()), PlatformDay::default());
        }
        self.history
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes land in the record of the day they name, whichever of the three places holds it.
    #[test]
    fn records_land_on_the_day_they_name() {
        let mut days = PlatformDays::new(2, 4);
        days.at(0, 0).arrivals += 1;
        days.at(1, 1).arrivals += 5; // at the instant day 0 ends, before its end is handled
        days.at(1, 1).arrivals += 1;
        for p in 0..2 {
            days.end_day(p, |r| r.open = 7);
        }
        days.next_day();
        days.at(1, 1).arrivals += 2;
        days.at(0, 0).closed += 1; // a day that has ended
        let all = days.into_histories(4);
        assert_eq!(all[0].iter().map(|d| d.arrivals).collect::<Vec<_>>(), [1, 0, 0, 0]);
        assert_eq!(all[0][0].closed, 1);
        assert_eq!(all[1].iter().map(|d| d.arrivals).collect::<Vec<_>>(), [0, 8, 0, 0]);
        assert_eq!((all[1][0].open, all[1][1].open), (7, 0));
        assert!(all.iter().all(|h| h.len() == 4));
    }
}
