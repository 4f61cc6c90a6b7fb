//! The future-event list: a heap ordered by (time, insertion sequence), with FIFO lanes
//! for events that are scheduled in time order anyway (deadlines a fixed span after arrival).
//!
//! A lane holds its events in a deque; only its earliest event sits in the heap. The order in
//! which events come out is exactly the heap's (time, sequence) order either way, so a lane is a
//! saving in heap size (a city's two weeks of open deadlines are one heap entry per lane), never a
//! change of results.

use std::collections::VecDeque;

use super::quad_heap::{Keyed, QuadHeap};
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
    slot: Slot<E>,
}

/// What a heap entry stands for: an event, or the earliest event of a lane.
enum Slot<E> {
    Event(E),
    Lane(u32),
}

impl<E> Keyed for Entry<E> {
    #[inline]
    fn key(&self) -> (u64, u64) {
        (self.at, self.seq)
    }
}

/// Pending events, popped in time order and first-in-first-out among equal times.
pub struct EventQueue<E> {
    heap: QuadHeap<Entry<E>>,
    /// One event held in front of the heap: the earliest scheduled since the last one was taken
    /// from here (a later one displaces nothing and goes to the heap; an earlier one sends the
    /// held one to the heap). `pop` takes it when it is before the heap's top, by the same
    /// (time, sequence) order, so the order of events is the heap's; an event that is taken
    /// from here skips a push and a pop on the heap (the next arrival, a job's end).
    front: Option<(u64, u64, E)>,
    /// Per lane, its events in (time, sequence) order; the first is also in the heap.
    lanes: Vec<VecDeque<(u64, u64, E)>>,
    /// Events pending, in the heap and behind lane heads.
    pending: usize,
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
        EventQueue {
            heap: QuadHeap::default(),
            front: None,
            lanes: Vec::new(),
            pending: 0,
            next_seq: 0,
            now: SimTime::ZERO,
        }
    }

    /// The time of the last popped event.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at `at`. Events that never come (`SimTime::NEVER`) are not stored.
    #[inline]
    pub fn schedule(&mut self, at: SimTime, event: E) -> Result<(), PastSchedule> {
        let Some(bits) = self.admit(at)? else { return Ok(()) };
        let seq = self.next_seq;
        self.next_seq += 1;
        self.pending += 1;
        match &mut self.front {
            None => self.front = Some((bits, seq, event)),
            // Sequence numbers only grow: an event at the held one's time comes after it.
            Some(held) if bits < held.0 => {
                let (at, seq, event) = std::mem::replace(held, (bits, seq, event));
                self.heap.push(Entry { at, seq, slot: Slot::Event(event) });
            }
            Some(_) => self.heap.push(Entry { at: bits, seq, slot: Slot::Event(event) }),
        }
        Ok(())
    }

    /// Schedules `event` at `at` in lane `lane`: the same as [`EventQueue::schedule`], cheaper
    /// when a lane's events are scheduled in time order (an event earlier than the lane's last
    /// goes to the heap itself, so the order of events is right whatever the caller does).
    #[inline]
    pub fn schedule_in_lane(&mut self, lane: u32, at: SimTime, event: E) -> Result<(), PastSchedule> {
        let Some(bits) = self.admit(at)? else { return Ok(()) };
        let seq = self.next_seq;
        self.next_seq += 1;
        self.pending += 1;
        let l = lane as usize;
        if self.lanes.len() <= l {
            self.lanes.resize_with(l + 1, VecDeque::new);
        }
        let q = &mut self.lanes[l];
        match q.back() {
            None => {
                q.push_back((bits, seq, event));
                self.heap.push(Entry { at: bits, seq, slot: Slot::Lane(lane) });
            }
            Some(&(last, _, _)) if bits >= last => q.push_back((bits, seq, event)),
            Some(_) => self.heap.push(Entry { at: bits, seq, slot: Slot::Event(event) }),
        }
        Ok(())
    }

    /// Checks `at` against the clock; the bits to store, or None for an event that never comes.
    #[inline]
    fn admit(&self, at: SimTime) -> Result<Option<u64>, PastSchedule> {
        if at < self.now {
            return Err(PastSchedule { at, now: self.now });
        }
        // `at >= now >= 0` (total order: -0.0 is before 0.0 and refused above), so the bits of
        // `at` are those of a non-negative finite float and order as the times do.
        Ok(at.is_finite().then(|| at.hours().to_bits()))
    }

    /// Removes the next event and advances the clock to it.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        if let Some((at, seq, _)) = self.front {
            if self.heap.peek().is_none_or(|top| (at, seq) < (top.at, top.seq)) {
                let (at, _, event) = self.front.take().expect("held");
                self.now = SimTime::from_bits(at);
                self.pending -= 1;
                return Some((self.now, event));
            }
        }
        let e = self.heap.pop()?;
        self.now = SimTime::from_bits(e.at);
        self.pending -= 1;
        match e.slot {
            Slot::Event(event) => Some((self.now, event)),
            Slot::Lane(lane) => {
                let q = &mut self.lanes[lane as usize];
                let (_, _, event) = q.pop_front().expect("a lane in the heap has an event");
                if let Some(&(at, seq, _)) = q.front() {
                    self.heap.push(Entry { at, seq, slot: Slot::Lane(lane) });
                }
                Some((self.now, event))
            }
        }
    }

    /// The time of the next event, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        let heap = self.heap.peek().map(|e| e.at);
        let front = self.front.as_ref().map(|f| f.0);
        let at = match (heap, front) {
            (Some(h), Some(f)) => Some(h.min(f)),
            (h, f) => h.or(f),
        };
        at.map(SimTime::from_bits)
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.pending
    }

    /// Whether no events are pending.
    pub fn is_empty(&self) -> bool {
        self.pending == 0
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
        /// Lanes change nothing: events scheduled into lanes (in or out of time order, mixed
        /// with plain events, popped in between) come out exactly as from the heap alone.
        #[test]
        fn lanes_keep_the_order(ops in prop::collection::vec((0u8..4, 0u8..30, 0u8..3), 0..300)) {
            let mut plain = EventQueue::new();
            let mut laned = EventQueue::new();
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for (i, &(lane, dt, op)) in ops.iter().enumerate() {
                if op == 0 {
                    a.extend(plain.pop().map(|(t, e)| (t, e)));
                    b.extend(laned.pop().map(|(t, e)| (t, e)));
                    continue;
                }
                let at = SimTime::from_hours(plain.now().hours() + dt as f64 * 0.25);
                plain.schedule(at, i).unwrap();
                if lane == 0 {
                    laned.schedule(at, i).unwrap();
                } else {
                    laned.schedule_in_lane(lane as u32, at, i).unwrap();
                }
                prop_assert_eq!(plain.len(), laned.len());
            }
            while let Some(x) = plain.pop() {
                a.push(x);
            }
            while let Some(x) = laned.pop() {
                b.push(x);
            }
            prop_assert_eq!(a, b);
        }

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
