//! The future-event list: a binary heap ordered by (time, insertion sequence).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::SimTime;

/// Scheduling an event before the current time: always a bug in a mechanism, reported as a value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("event scheduled at {at} but the clock already reads {now}")]
pub struct PastSchedule {
    /// When the event was asked for.
    pub at: SimTime,
    /// The clock when it was asked.
    pub now: SimTime,
}

/// A pending event. `at` is the bit pattern of a non-negative, finite time: for such times the
/// bits order as the times do, so the heap compares two integers (no float comparison).
struct Entry<E> {
    at: u64,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    // Reversed: BinaryHeap is a max-heap and we want the earliest (time, seq) on top.
    fn cmp(&self, other: &Self) -> Ordering {
        other.at.cmp(&self.at).then_with(|| other.seq.cmp(&self.seq))
    }
}

/// Pending events, popped in time order and first-in-first-out among equal times.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
    now: SimTime,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue with the clock at zero.
    pub fn new() -> Self {
        EventQueue { heap: BinaryHeap::new(), next_seq: 0, now: SimTime::ZERO }
    }

    /// The time of the last popped event.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at `at`. Events that never come (`SimTime::NEVER`) are not stored.
    #[inline]
    pub fn schedule(&mut self, at: SimTime, event: E) -> Result<(), PastSchedule> {
        if at < self.now {
            return Err(PastSchedule { at, now: self.now });
        }
        if !at.is_finite() {
            return Ok(());
        }
        // `at >= now >= 0` (total order: -0.0 is before 0.0 and refused above), so the bits of
        // `at` are those of a non-negative finite float and order as the times do.
        self.heap.push(Entry { at: at.hours().to_bits(), seq: self.next_seq, event });
        self.next_seq += 1;
        Ok(())
    }

    /// Removes the next event and advances the clock to it.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let e = self.heap.pop()?;
        self.now = SimTime::from_bits(e.at);
        Some((self.now, e.event))
    }

    /// The time of the next event, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| SimTime::from_bits(e.at))
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether no events are pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn past_is_an_error() {
        let mut q = EventQueue::new();
        q.schedule(SimTime::from_hours(2.0), 'a').unwrap();
        q.pop();
        let err = q.schedule(SimTime::from_hours(1.0), 'b').unwrap_err();
        assert_eq!(err.now, SimTime::from_hours(2.0));
    }

    proptest! {
        /// Popping yields exactly a stable sort by time of what was pushed.
        #[test]
        fn pops_in_time_then_insertion_order(times in prop::collection::vec(0u8..20, 0..200)) {
            let mut q = EventQueue::new();
            for (i, t) in times.iter().enumerate() {
                q.schedule(SimTime::from_hours(*t as f64 * 0.5), i).unwrap();
            }
            let mut model: Vec<(u8, usize)> = times.iter().copied().zip(0..).collect();
            model.sort_by_key(|&(t, _)| t); // stable: insertion order among equal times
            let mut popped = Vec::new();
            while let Some((_, i)) = q.pop() {
                popped.push(i);
            }
            let expected: Vec<usize> = model.into_iter().map(|(_, i)| i).collect();
            prop_assert_eq!(popped, expected);
        }

        /// Interleaving pushes (never into the past) with pops keeps the clock monotone.
        #[test]
        fn clock_never_goes_back(ops in prop::collection::vec((any::<bool>(), 0u8..10), 0..300)) {
            let mut q = EventQueue::new();
            let mut last = SimTime::ZERO;
            for (push, dt) in ops {
                if push {
                    let at = SimTime::from_hours(q.now().hours() + dt as f64);
                    q.schedule(at, ()).unwrap();
                } else if let Some((t, ())) = q.pop() {
                    prop_assert!(t >= last);
                    last = t;
                }
            }
        }
    }
}
