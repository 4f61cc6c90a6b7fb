//! Core leaders (书记/镇长) with limited attention (M1): one inbox for all their platforms.

use std::cmp::Ordering;

use super::order::OrderKey;
use super::queue_stat::QueueStat;
use super::run_heap::RunHeap;
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
    pub inbox: RunHeap<Item>,
    /// Inbox statistics (Little's law).
    pub stat: QueueStat,
    /// Per platform whose items the leader has handled (sorted by platform): attention hours
    /// spent today, and the smoothed daily hours (whose items fill the leader's time). Every
    /// other platform has had none, today or smoothed: a world of many townships does not hold
    /// a figure for every leader and every platform, nor walk them all each day.
    pub attention: Vec<(PlatformId, Attention)>,
    /// Smoothed daily hours taken by other claims (meetings, inspections).
    pub claims_smoothed: f64,
}

impl Leader {
    /// A leader attending on `clock`, counting from `from`.
    pub fn new(clock: WorkClock, from: SimTime) -> Leader {
        Leader {
            clock,
            current: None,
            inbox: RunHeap::new(),
            stat: QueueStat::new(from),
            attention: Vec::new(),
            claims_smoothed: 0.0,
        }
    }

    /// End of day: folds today's hours (and `claims` hours of other claims) into the smoothed
    /// figures with weight `alpha`. Call before `hours_today` is reset.
    pub fn smooth(&mut self, claims: f64, alpha: f64) {
        // A platform without an entry stays at 0: 0 + alpha (0 - 0).
        for (_, a) in &mut self.attention {
            a.smoothed += alpha * (a.today - a.smoothed);
        }
        self.claims_smoothed += alpha * (claims - self.claims_smoothed);
    }

    /// The share of the leader's recent time, among the claims that compete with platform `p`'s
    /// items (its own, other claims, and platforms whose items rank at least as high), that went
    /// to `p`. `outranks(q)` says whether platform `q`'s items rank at least as high as `p`'s.
    pub fn own_share(&self, p: PlatformId, outranks: impl Fn(PlatformId) -> bool) -> f64 {
        let own = super::sorted::get(&self.attention, p).map_or(0.0, |a| a.smoothed);
        // The platforms without an entry would add zeros: the sum is the same without them.
        let other: f64 =
            self.attention.iter().filter(|&&(q, _)| q != p && outranks(q)).map(|(_, a)| a.smoothed).sum::<f64>()
                + self.claims_smoothed;
        if own + other > 0.0 { own / (own + other) } else { 0.0 }
    }

    /// Books `hours` of attention to platform `p` today.
    pub fn attend(&mut self, p: PlatformId, hours: f64) {
        super::sorted::entry(&mut self.attention, p, Attention::default).today += hours;
    }
}

/// A leader's attention to one platform.
#[derive(Clone, Copy, Debug, Default)]
pub struct Attention {
    /// Hours today.
    pub today: f64,
    /// Smoothed daily hours.
    pub smoothed: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sparse attention gives, bit for bit, what a vector over every platform gave.
    #[test]
    fn sparse_attention_equals_the_dense_sums() {
        let platforms = 40;
        let mut leader = Leader::new(WorkClock::new(8.0, 5), SimTime::ZERO);
        let (mut today, mut smoothed) = (vec![0.0f64; platforms], vec![0.0f64; platforms]);
        let mut z = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = || {
            z ^= z << 13;
            z ^= z >> 7;
            z ^= z << 17;
            z
        };
        for day in 0..200 {
            for _ in 0..(next() % 6) {
                // A few platforms only, some hours exactly zero.
                let p = (next() % 7) as usize * 5 % platforms;
                let h = if next() % 4 == 0 { 0.0 } else { (next() % 1000) as f64 / 97.0 };
                leader.attend(p, h);
                today[p] += h;
            }
            let claims = if day % 7 < 5 { 1.5 } else { 0.0 };
            leader.smooth(claims, 0.1);
            for (s, h) in smoothed.iter_mut().zip(&today) {
                *s += 0.1 * (h - *s);
            }
            let dense_today: f64 = today.iter().sum();
            let mut sparse_today = 0.0;
            for (_, a) in &mut leader.attention {
                sparse_today += a.today;
                a.today = 0.0;
            }
            assert_eq!(sparse_today.to_bits(), dense_today.to_bits(), "day {day}");
            today.iter_mut().for_each(|h| *h = 0.0);
            for p in 0..platforms {
                let outranks = |q: usize| q % 3 != 0;
                let own = smoothed[p];
                let other: f64 =
                    smoothed.iter().enumerate().filter(|&(q, _)| q != p && outranks(q)).map(|(_, h)| h).sum::<f64>()
                        + leader.claims_smoothed;
                let dense = if own + other > 0.0 { own / (own + other) } else { 0.0 };
                assert_eq!(leader.own_share(p, outranks).to_bits(), dense.to_bits(), "day {day}, platform {p}");
            }
        }
    }
}
