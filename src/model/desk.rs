//! A dispatch desk (派单员): the staff who route an auto-dispatched platform's orders and
//! re-route the ones departments return (M10).

use std::collections::VecDeque;

use super::order::OrderKey;
use super::queue_stat::QueueStat;
use crate::engine::rng::SimRng;
use crate::engine::time::SimTime;

/// What the desk does with an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeskTask {
    /// First dispatch.
    Dispatch,
    /// Re-dispatch of part `part` after a department returned it.
    Redispatch(usize),
}

/// A queued desk task.
#[derive(Clone, Copy, Debug)]
pub struct DeskItem {
    /// The order.
    pub order: OrderKey,
    /// What to do.
    pub task: DeskTask,
    /// When it was queued.
    pub queued_at: SimTime,
    /// Dispatcher hours it takes.
    pub hours: f64,
}

/// One platform's desk during a run.
pub struct Desk {
    /// Dispatchers.
    pub staff: u32,
    /// Dispatchers busy now.
    pub busy: u32,
    /// Waiting tasks.
    pub queue: VecDeque<DeskItem>,
    /// Queue statistics.
    pub stat: QueueStat,
    /// Task durations.
    pub rng: SimRng,
    /// Hours on first dispatches after warm-up.
    pub dispatch_hours: f64,
    /// Hours on re-dispatching returned orders after warm-up.
    pub redispatch_hours: f64,
}

impl Desk {
    /// An idle desk of `staff` dispatchers.
    pub fn new(staff: u32, rng: SimRng, from: SimTime) -> Desk {
        Desk {
            staff,
            busy: 0,
            queue: VecDeque::new(),
            stat: QueueStat::new(from),
            rng,
            dispatch_hours: 0.0,
            redispatch_hours: 0.0,
        }
    }
}
