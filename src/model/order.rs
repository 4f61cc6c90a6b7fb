//! Work orders (工单) and the slab that holds the open ones.
//!
//! Only open orders live in memory; a closed order's figures go straight into the streaming
//! metrics and its slot is reused, so memory grows with orders open, not orders ever seen.

use crate::engine::time::SimTime;
use crate::scenario::{CategoryId, Label, PlatformId, VillageId};

/// How an order reached its platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// The platform's own intake (video, app, hotline calls): `arrival_rate_per_day`.
    Direct = 0,
    /// A villager chose the platform (M4).
    Citizen = 1,
    /// A grid worker's patrol report.
    Grid = 2,
    /// A sensor's automatic report (smart manhole covers, hydrants, smoke detectors).
    Sensor = 3,
}

impl Channel {
    /// All channels, in column order.
    pub const ALL: [Channel; 4] = [Channel::Direct, Channel::Citizen, Channel::Grid, Channel::Sensor];

    /// Column-friendly name.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Direct => "direct",
            Channel::Citizen => "citizen",
            Channel::Grid => "grid",
            Channel::Sensor => "sensor",
        }
    }
}

/// Where an open order is: who holds it now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Waiting for its dispatcher (leader, operator or desk) to dispatch it.
    Dispatch,
    /// Refused by a department; the operator will try again.
    Refused,
    /// Returned by a department; waiting to be sent again.
    Returned,
    /// At the departments on its route.
    Departments,
    /// Its reply failed the audit; the lead department redoes it.
    Redo,
    /// Escalated above the township (M7).
    County,
    /// Waiting for the leader's sign-off.
    SignOff,
}

/// Why an order was left unhandled past its deadline: the distinction between floating and
/// overload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// Its handlers' time went elsewhere, or they refused it: lack of authority.
    Authority,
    /// Its handlers' time was filled by the platform's own orders: lack of capacity.
    Capacity,
}

/// A handle to an open order: slot plus generation, so stale events are recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderKey {
    slot: u32,
    generation: u32,
}

/// One open order.
#[derive(Clone, Debug)]
pub struct Order {
    /// Serial number within the run (1-based), for traces.
    pub serial: u64,
    /// The platform that took it in.
    pub platform: PlatformId,
    /// Intake channel.
    pub channel: Channel,
    /// Where the issue arose, if in a village.
    pub village: Option<VillageId>,
    /// The category, if categories are defined.
    pub category: Option<CategoryId>,
    /// When it arrived.
    pub created: SimTime,
    /// Handling limit (`NEVER` when the platform sets none).
    pub deadline: SimTime,
    /// Arrived after warm-up: counted in statistics.
    pub counted: bool,
    /// Dispatched with a core leader's authority (M2).
    pub authority: bool,
    /// Consequence of neglecting it, for the departments (decision model).
    pub consequence: f64,
    /// Who holds it now.
    pub stage: Stage,
    /// Parts finished, one bit per position in `route`.
    pub parts_done: u64,
    /// Why it was still open at its deadline, if it was.
    pub missed: Option<Cause>,
    /// Salience.
    pub label: Label,
    /// Departments that must each do a part.
    pub route: Parts<usize>,
    /// Effort of each department's part, drawn at arrival (common random numbers).
    pub efforts: Parts<f64>,
    /// Leader's review time, drawn at arrival.
    pub review_hours: f64,
    /// Leader's sign-off time, drawn at arrival.
    pub sign_off_hours: f64,
    /// Operator's negotiation time per attempt, drawn at arrival.
    pub negotiate_hours: f64,
    /// Parts not yet finished.
    pub parts_left: u32,
    /// When it reached departments.
    pub dispatched_at: Option<SimTime>,
    /// When the first department started work on it.
    pub work_started: Option<SimTime>,
    /// Operator negotiation attempts so far.
    pub attempts: u32,
    /// Past its deadline while open.
    pub overdue: bool,
    /// Unreasonable or outside government remit (M15).
    pub unreasonable: bool,
    /// Needs authority above the township (M7).
    pub above_township: bool,
    /// The county resolved it after escalation (M7).
    pub resolved_above: bool,
    /// Times a department returned it (M10).
    pub returns: u32,
    /// Its reply failed the audit at least once (M9).
    pub redone: bool,
    /// A slipshod reply slipped past the audit: it closes unresolved (M9).
    pub slipshod: bool,
    /// Its route includes a county line department: the township sees it but cannot command it.
    pub county: bool,
    /// Reviewed by a deputy without authority (M13).
    pub delegated: bool,
    /// Refused for good by a department whose time went to this platform's own orders: it
    /// ends for lack of capacity, not of authority.
    pub refused_for_capacity: bool,
    /// Refused for good: its dispatcher is ending it (a later refusal of another part changes
    /// nothing).
    pub refused_for_good: bool,
    /// The smallest consequence of neglect behind any of its parts so far (effort follows the
    /// least-watched part; infinite before dispatch).
    pub weakest: f64,
}

/// An order's per-part values (its route, its efforts): up to three inline, more on the heap, so
/// that the usual order allocates nothing. Reads as a slice.
#[derive(Clone, Debug)]
pub enum Parts<T> {
    /// Up to three values, in place.
    Inline(u8, [T; 3]),
    /// More.
    Heap(Vec<T>),
}

impl<T: Copy + Default> From<&[T]> for Parts<T> {
    #[inline]
    fn from(values: &[T]) -> Self {
        match *values {
            [a] => Parts::Inline(1, [a, T::default(), T::default()]),
            [a, b] => Parts::Inline(2, [a, b, T::default()]),
            [a, b, c] => Parts::Inline(3, [a, b, c]),
            _ => values.iter().copied().collect(),
        }
    }
}

impl<T: Copy + Default> Parts<T> {
    /// `n` values from `f`, called in order (one call per value, as a collect would).
    #[inline]
    pub fn from_fn(n: usize, mut f: impl FnMut() -> T) -> Self {
        match n {
            1 => Parts::Inline(1, [f(), T::default(), T::default()]),
            _ => (0..n).map(|_| f()).collect(),
        }
    }
}

impl<T: Copy + Default> FromIterator<T> for Parts<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut inline = [T::default(); 3];
        let mut n = 0;
        let mut iter = iter.into_iter();
        for x in iter.by_ref() {
            if n == 3 {
                let mut all = inline.to_vec();
                all.push(x);
                all.extend(iter);
                return Parts::Heap(all);
            }
            inline[n] = x;
            n += 1;
        }
        Parts::Inline(n as u8, inline)
    }
}

impl<T> std::ops::Deref for Parts<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        match self {
            Parts::Inline(n, values) => &values[..*n as usize],
            Parts::Heap(values) => values,
        }
    }
}

/// Open orders, addressable by [`OrderKey`].
#[derive(Default)]
pub struct OrderSlab {
    slots: Vec<(u32, Option<Order>)>,
    /// Each slot's current key generation: its order's while open, the next one's once closed.
    /// A dense list apart from the records, so that a timer of an order closed long ago (its
    /// deadline, say) is found stale without touching the record's cold slot.
    current: Vec<u32>,
    free: Vec<u32>,
    open: usize,
}

impl OrderSlab {
    /// Stores `order`, returning its key.
    pub fn insert(&mut self, order: Order) -> OrderKey {
        self.open += 1;
        if let Some(slot) = self.free.pop() {
            let entry = &mut self.slots[slot as usize];
            entry.0 = entry.0.wrapping_add(1);
            entry.1 = Some(order);
            OrderKey { slot, generation: entry.0 }
        } else {
            self.slots.push((0, Some(order)));
            self.current.push(0);
            OrderKey { slot: (self.slots.len() - 1) as u32, generation: 0 }
        }
    }

    /// Whether `key`'s order is still open, read without touching its record.
    pub fn is_open(&self, key: OrderKey) -> bool {
        self.current.get(key.slot as usize) == Some(&key.generation)
    }

    /// The order, if still open.
    pub fn get(&self, key: OrderKey) -> Option<&Order> {
        match self.slots.get(key.slot as usize) {
            Some((g, Some(o))) if *g == key.generation => Some(o),
            _ => None,
        }
    }

    /// The order, mutably, if still open.
    pub fn get_mut(&mut self, key: OrderKey) -> Option<&mut Order> {
        match self.slots.get_mut(key.slot as usize) {
            Some((g, Some(o))) if *g == key.generation => Some(o),
            _ => None,
        }
    }

    /// Closes the order in place (no copy of the record out of its slot); whether it was open.
    pub fn discard(&mut self, key: OrderKey) -> bool {
        match self.slots.get_mut(key.slot as usize) {
            Some((g, slot)) if *g == key.generation && slot.is_some() => {
                self.open -= 1;
                self.free.push(key.slot);
                self.current[key.slot as usize] = g.wrapping_add(1);
                *slot = None;
                true
            }
            _ => false,
        }
    }

    /// Number of open orders.
    pub fn len(&self) -> usize {
        self.open
    }

    /// Whether none are open.
    pub fn is_empty(&self) -> bool {
        self.open == 0
    }

    /// Open orders, in slot order (deterministic).
    pub fn iter(&self) -> impl Iterator<Item = &Order> {
        self.slots.iter().filter_map(|(_, o)| o.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_read_back_whatever_their_number() {
        for n in 0..7 {
            let values: Vec<usize> = (10..10 + n).collect();
            let parts = Parts::from(&values[..]);
            assert_eq!(&parts[..], &values[..]);
            assert_eq!(matches!(parts, Parts::Inline(..)), n <= 3);
            let mut next = values.iter().copied();
            let drawn = Parts::from_fn(n, || next.next().expect("n values"));
            assert_eq!(&drawn[..], &values[..]);
            assert!(next.next().is_none(), "one call per value");
        }
    }

    fn order(serial: u64) -> Order {
        Order {
            serial,
            platform: 0,
            channel: Channel::Direct,
            village: None,
            category: None,
            created: SimTime::ZERO,
            deadline: SimTime::NEVER,
            counted: true,
            authority: false,
            consequence: 0.0,
            stage: Stage::Dispatch,
            parts_done: 0,
            missed: None,
            label: crate::scenario::Label::Routine,
            route: Parts::from(&[0][..]),
            efforts: Parts::from(&[1.0][..]),
            review_hours: 0.0,
            sign_off_hours: 0.0,
            negotiate_hours: 0.0,
            parts_left: 1,
            dispatched_at: None,
            work_started: None,
            attempts: 0,
            overdue: false,
            unreasonable: false,
            above_township: false,
            resolved_above: false,
            returns: 0,
            redone: false,
            slipshod: false,
            county: false,
            delegated: false,
            refused_for_capacity: false,
            refused_for_good: false,
            weakest: f64::INFINITY,
        }
    }

    /// A key finds its order while it is open and never after, not even once its slot holds
    /// another order; `is_open` agrees with `get` throughout.
    #[test]
    fn a_closed_orders_key_stays_stale_when_its_slot_is_reused() {
        let mut slab = OrderSlab::default();
        let a = slab.insert(order(1));
        let b = slab.insert(order(2));
        let agree = |slab: &OrderSlab, k: OrderKey| assert_eq!(slab.is_open(k), slab.get(k).is_some());
        assert_eq!(slab.get(a).map(|o| o.serial), Some(1));
        agree(&slab, a);
        assert!(slab.discard(a));
        assert!(!slab.discard(a), "closed once only");
        assert!(slab.get(a).is_none() && slab.get_mut(a).is_none() && !slab.is_open(a));
        let c = slab.insert(order(3));
        assert_eq!(c.slot, a.slot, "the slot is reused");
        assert!(slab.get(a).is_none() && !slab.is_open(a), "the old key does not reach the new order");
        assert_eq!(slab.get(c).map(|o| o.serial), Some(3));
        for k in [a, b, c] {
            agree(&slab, k);
        }
        assert_eq!(slab.get_mut(b).map(|o| o.serial), Some(2));
        assert_eq!((slab.len(), slab.iter().map(|o| o.serial).collect::<Vec<_>>()), (2, vec![3, 2]));
    }
}
