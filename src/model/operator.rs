//! Operators (中层干部 in a command room): dispatch without authority (M2), settle offline (M3).

use std::collections::VecDeque;

use super::order::OrderKey;
use super::queue_stat::QueueStat;
use crate::engine::rng::SimRng;
use crate::engine::time::{SimTime, WorkClock};

/// What the operator is doing with an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    /// Triage and negotiate with the department.
    Negotiate,
    /// Settle it by personal negotiation outside the system.
    SettleOffline,
    /// Push part `usize` back to the department that returned it (M10).
    Redispatch(usize),
}

/// A queued operator task.
#[derive(Clone, Copy, Debug)]
pub struct OperatorItem {
    /// The order.
    pub order: OrderKey,
    /// What to do.
    pub task: Task,
    /// When it was queued.
    pub queued_at: SimTime,
    /// Operator hours it takes.
    pub hours: f64,
}

/// One platform's operator during a run.
pub struct Operator {
    /// When the operator works on the platform.
    pub clock: WorkClock,
    /// The task in hand.
    pub current: Option<OperatorItem>,
    /// Waiting tasks, first come first served.
    pub queue: VecDeque<OperatorItem>,
    /// Queue statistics.
    pub stat: QueueStat,
    /// Acceptance and offline-settlement draws.
    pub rng: SimRng,
    /// Hours spent after warm-up.
    pub hours: f64,
}

impl Operator {
    /// An idle operator.
    pub fn new(clock: WorkClock, rng: SimRng, from: SimTime) -> Operator {
        Operator { clock, current: None, queue: VecDeque::new(), stat: QueueStat::new(from), rng, hours: 0.0 }
    }
}
