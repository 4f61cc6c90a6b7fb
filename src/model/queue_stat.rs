//! Time-average length and waits of one queue, for Little's law (L = λW).
//!
//! Counting starts at the end of warm-up (`from`). Two edges would otherwise blur the law on a
//! finite run: items still waiting at the end (their waits are cut off) and items that joined
//! before warm-up and wait on after it. The first are counted in W with their wait so far
//! (right-censored); the second are reported apart as `edge_length`. Then, on every sample path,
//! `mean_length − edge_length = arrival_rate × mean_wait` exactly.

use crate::engine::time::SimTime;

/// Streaming statistics of a queue, counted from the end of warm-up.
#[derive(Clone, Debug, Default)]
pub struct QueueStat {
    len: u64,
    last: f64,
    area: f64,
    from: f64,
    /// Entries after warm-up.
    pub entered: u64,
    /// Departures (into service) of entries made after warm-up.
    pub served: u64,
    /// Sum of their waits, hours.
    pub wait_sum: f64,
    /// Entries after warm-up still waiting, and the sum of their arrival times.
    waiting_post: (u64, f64),
    /// Hours waited after warm-up by items that joined before it and have left.
    pre_drain: f64,
}

impl QueueStat {
    /// Statistics that start counting at `from`.
    pub fn new(from: SimTime) -> QueueStat {
        QueueStat { from: from.hours(), ..Default::default() }
    }

    fn advance(&mut self, t: SimTime) {
        let t = t.hours();
        let a = self.last.max(self.from);
        if t > a {
            self.area += self.len as f64 * (t - a);
        }
        self.last = t;
    }

    /// An item joins at `t`.
    pub fn enter(&mut self, t: SimTime) {
        self.advance(t);
        self.len += 1;
        if t.hours() >= self.from {
            self.entered += 1;
            self.waiting_post.0 += 1;
            self.waiting_post.1 += t.hours();
        }
    }

    /// An item that joined at `joined` leaves at `t`.
    pub fn leave(&mut self, t: SimTime, joined: SimTime) {
        self.advance(t);
        self.len = self.len.saturating_sub(1);
        if joined.hours() >= self.from {
            self.served += 1;
            self.wait_sum += t.hours() - joined.hours();
            self.waiting_post.0 -= 1;
            self.waiting_post.1 -= joined.hours();
        } else if t.hours() > self.from {
            self.pre_drain += t.hours() - self.from;
        }
    }

    /// Current length.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Closes the books at `end`.
    pub fn little(&mut self, end: SimTime) -> LittleFigures {
        self.advance(end);
        let end = end.hours();
        let span = (end - self.from).max(f64::MIN_POSITIVE);
        let (waiting, joined_sum) = self.waiting_post;
        let censored = waiting as f64 * end - joined_sum;
        let pre_waiting = self.len - waiting;
        let edge = self.pre_drain + pre_waiting as f64 * span;
        LittleFigures {
            mean_length: self.area / span,
            arrival_rate: self.entered as f64 / span,
            mean_wait: if self.entered > 0 { (self.wait_sum + censored) / self.entered as f64 } else { 0.0 },
            edge_length: edge / span,
        }
    }
}

/// The sides of Little's law for one queue.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LittleFigures {
    /// Time-average number waiting.
    pub mean_length: f64,
    /// Entries per hour.
    pub arrival_rate: f64,
    /// Mean wait, hours, of entries after warm-up (those still waiting at the end count with
    /// their wait so far).
    pub mean_wait: f64,
    /// The part of `mean_length` made of items that joined before warm-up.
    pub edge_length: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(x: f64) -> SimTime {
        SimTime::from_hours(x)
    }

    #[test]
    fn edges_are_accounted_for_exactly() {
        let mut q = QueueStat::new(h(10.0));
        q.enter(h(2.0)); // joined before warm-up, leaves after it
        q.enter(h(5.0)); // joined before warm-up, still waiting at the end
        q.enter(h(12.0)); // counted, leaves
        q.leave(h(14.0), h(2.0));
        q.enter(h(15.0)); // counted, still waiting at the end
        q.leave(h(16.0), h(12.0));
        let f = q.little(h(20.0));
        // Area over [10, 20]: item 1 for 4 h, item 2 for 10 h, item 3 for 4 h, item 4 for 5 h.
        assert!((f.mean_length - 23.0 / 10.0).abs() < 1e-12);
        assert!((f.arrival_rate - 0.2).abs() < 1e-12);
        assert!((f.mean_wait - (4.0 + 5.0) / 2.0).abs() < 1e-12);
        assert!((f.edge_length - 14.0 / 10.0).abs() < 1e-12);
        assert!((f.mean_length - f.edge_length - f.arrival_rate * f.mean_wait).abs() < 1e-12);
    }
}
