//! Time-average length and waits of one queue, for Little's law (L = λW).

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
        }
    }

    /// An item that joined at `joined` leaves at `t`.
    pub fn leave(&mut self, t: SimTime, joined: SimTime) {
        self.advance(t);
        self.len = self.len.saturating_sub(1);
        if joined.hours() >= self.from {
            self.served += 1;
            self.wait_sum += t.hours() - joined.hours();
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

    /// Closes the books at `end`: (mean length L, arrival rate λ per hour, mean wait W hours).
    pub fn little(&mut self, end: SimTime) -> LittleFigures {
        self.advance(end);
        let span = (end.hours() - self.from).max(f64::MIN_POSITIVE);
        LittleFigures {
            mean_length: self.area / span,
            arrival_rate: self.entered as f64 / span,
            mean_wait: if self.served > 0 { self.wait_sum / self.served as f64 } else { 0.0 },
        }
    }
}

/// The three sides of Little's law for one queue.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LittleFigures {
    /// Time-average number waiting.
    pub mean_length: f64,
    /// Entries per hour.
    pub arrival_rate: f64,
    /// Mean wait, hours.
    pub mean_wait: f64,
}
