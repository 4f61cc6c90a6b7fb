//! Core leaders (书记/镇长) with limited attention (M1): one inbox for all their platforms.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::order::OrderKey;
use super::queue_stat::QueueStat;
use crate::engine::time::{SimTime, WorkClock};
use crate::scenario::{Label, PlatformId};

/// What waits in a leader's inbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    /// Review an order and dispatch it with authority.
    Review,
    /// Sign off a finished order before it closes.
    SignOff,
    /// Send part `usize` back to the department that returned it (M10).
    Redispatch(usize),
}

/// An inbox item.
#[derive(Clone, Copy, Debug)]
pub struct Item {
    /// Salience of its platform: petition cases first.
    pub label: Label,
    /// Arrival order in the inbox (age).
    pub seq: u64,
    /// When it arrived.
    pub queued_at: SimTime,
    /// Review or sign-off.
    pub kind: ItemKind,
    /// The order.
    pub order: OrderKey,
    /// Its platform.
    pub platform: PlatformId,
    /// Leader's hours it needs.
    pub hours: f64,
}

impl PartialEq for Item {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Item {
    // Max-heap: higher label first, then the older item (smaller seq).
    fn cmp(&self, other: &Self) -> Ordering {
        self.label.cmp(&other.label).then_with(|| other.seq.cmp(&self.seq))
    }
}

/// A leader during a run.
pub struct Leader {
    /// When the leader attends to platform items.
    pub clock: WorkClock,
    /// The item in hand, if any.
    pub current: Option<Item>,
    /// Waiting items.
    pub inbox: BinaryHeap<Item>,
    /// Inbox statistics (Little's law).
    pub stat: QueueStat,
    /// Attention hours spent today, per platform.
    pub hours_today: Vec<f64>,
    /// Attention hours spent after warm-up, per platform.
    pub hours: Vec<f64>,
    /// Smoothed daily attention hours per platform: whose items fill the leader's time.
    pub smoothed: Vec<f64>,
    /// Smoothed daily hours taken by other claims (meetings, inspections).
    pub claims_smoothed: f64,
}

impl Leader {
    /// A leader attending on `clock`, serving `platforms` platforms, counting from `from`.
    pub fn new(clock: WorkClock, platforms: usize, from: SimTime) -> Leader {
        Leader {
            clock,
            current: None,
            inbox: BinaryHeap::new(),
            stat: QueueStat::new(from),
            hours_today: vec![0.0; platforms],
            hours: vec![0.0; platforms],
            smoothed: vec![0.0; platforms],
            claims_smoothed: 0.0,
        }
    }

    /// End of day: folds today's hours (and `claims` hours of other claims) into the smoothed
    /// figures with weight `alpha`. Call before `hours_today` is reset.
    pub fn smooth(&mut self, claims: f64, alpha: f64) {
        for (s, h) in self.smoothed.iter_mut().zip(&self.hours_today) {
            *s += alpha * (h - *s);
        }
        self.claims_smoothed += alpha * (claims - self.claims_smoothed);
    }

    /// The share of the leader's recent time, among the claims that compete with platform `p`'s
    /// items (its own, other claims, and platforms whose items rank at least as high), that went
    /// to `p`. `outranks(q)` says whether platform `q`'s items rank at least as high as `p`'s.
    pub fn own_share(&self, p: PlatformId, outranks: impl Fn(PlatformId) -> bool) -> f64 {
        let own = self.smoothed[p];
        let other: f64 =
            self.smoothed.iter().enumerate().filter(|&(q, _)| q != p && outranks(q)).map(|(_, h)| h).sum::<f64>()
                + self.claims_smoothed;
        if own + other > 0.0 { own / (own + other) } else { 0.0 }
    }
}
