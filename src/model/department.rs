//! Departments (职能办/站所): staff working a priority queue of order parts and line tasks.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::order::OrderKey;
use super::queue_stat::QueueStat;
use crate::engine::time::SimTime;
use crate::scenario::PlatformId;

/// Priority class at a department: lower is served first (M2, M14).
///
/// Authority-bearing petition cases and veto-weight line tasks come first, then other
/// authority-bearing orders, then line tasks and routinely routed orders, and last orders an
/// operator talked the department into accepting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// A leader's petition case, or a veto-weight line task.
    Top = 0,
    /// A leader's routine order.
    Authority = 1,
    /// Line tasks and auto-routed orders.
    Routine = 2,
    /// Accepted from an operator without authority.
    Negotiated = 3,
}

/// What a job is.
#[derive(Clone, Copy, Debug)]
pub enum JobKind {
    /// One department's part of an order.
    Part {
        /// The order.
        order: OrderKey,
        /// Its platform.
        platform: PlatformId,
        /// Index of this part in the order's route.
        part: usize,
    },
    /// A line task from above.
    LineTask,
}

/// Work waiting at, or being done by, a department.
#[derive(Clone, Copy, Debug)]
pub struct Job {
    /// Priority class.
    pub rank: Rank,
    /// Deadline (`NEVER` if none): earlier first within a class.
    pub deadline: SimTime,
    /// Tie-break: first come first served.
    pub seq: u64,
    /// When it joined the queue.
    pub queued_at: SimTime,
    /// When it was created (line tasks: arrival; parts: the order's arrival).
    pub created: SimTime,
    /// What it is.
    pub kind: JobKind,
    /// Substantive effort, hours, before reengineering (drawn at arrival).
    pub effort: f64,
    /// Whether the work carries authority and a deadline (feeds reengineering, M5).
    pub pressed: bool,
    /// Counted in statistics (arrived after warm-up).
    pub counted: bool,
}

impl Job {
    fn key(&self) -> (Rank, SimTime, u64) {
        (self.rank, self.deadline, self.seq)
    }
}

impl PartialEq for Job {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Job {}
impl PartialOrd for Job {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Job {
    // Reversed for BinaryHeap (max-heap): the smallest key is served first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

/// Hours a department spent, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Hours {
    /// Substantive work on orders.
    pub substantive: f64,
    /// Coordination on joint orders (M6).
    pub coordination: f64,
    /// Record-keeping (M8).
    pub documentation: f64,
    /// Line tasks (M14).
    pub line_tasks: f64,
}

impl Hours {
    /// All hours worked.
    pub fn total(&self) -> f64 {
        self.substantive + self.coordination + self.documentation + self.line_tasks
    }

    /// Adds `other` in place.
    pub fn add(&mut self, other: &Hours) {
        self.substantive += other.substantive;
        self.coordination += other.coordination;
        self.documentation += other.documentation;
        self.line_tasks += other.line_tasks;
    }
}

/// A department during a run.
pub struct Department {
    /// Workers.
    pub staff: u32,
    /// Workers busy now.
    pub busy: u32,
    /// Waiting jobs.
    pub queue: BinaryHeap<Job>,
    /// Queue statistics (Little's law).
    pub stat: QueueStat,
    /// Reengineering level R (M5).
    pub r: f64,
    /// Hours on authority-bearing, deadline-pressed work since the last daily update.
    pub pressed_hours_today: f64,
    /// Hours worked today (for daily utilisation).
    pub hours_today: Hours,
    /// Hours worked after warm-up.
    pub hours: Hours,
    /// Line tasks finished after warm-up, and those late.
    pub line_done: u64,
    /// Line tasks finished late.
    pub line_late: u64,
}

impl Department {
    /// A department with `staff` idle workers, reengineering level `r0`, counting from `from`.
    pub fn new(staff: u32, r0: f64, from: SimTime) -> Department {
        Department {
            staff,
            busy: 0,
            queue: BinaryHeap::new(),
            stat: QueueStat::new(from),
            r: r0,
            pressed_hours_today: 0.0,
            hours_today: Hours::default(),
            hours: Hours::default(),
            line_done: 0,
            line_late: 0,
        }
    }

    /// Whether a worker is free.
    pub fn has_free_worker(&self) -> bool {
        self.busy < self.staff
    }

    /// M5: one working day's update, `dR = learn·x·(1−R) − decay·R`, with x the share of the
    /// day's staff capacity spent on pressed work (capacity, not hours worked, so that a trickle
    /// of orders cannot drive R up on its own).
    pub fn reengineer(&mut self, learn: f64, decay: f64, capacity_hours: f64) {
        let x = if capacity_hours > 0.0 { (self.pressed_hours_today / capacity_hours).min(1.0) } else { 0.0 };
        self.r = (self.r + learn * x * (1.0 - self.r) - decay * self.r).clamp(0.0, 1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(rank: Rank, deadline: f64, seq: u64) -> Job {
        Job {
            rank,
            deadline: SimTime::from_hours(deadline),
            seq,
            queued_at: SimTime::ZERO,
            created: SimTime::ZERO,
            kind: JobKind::LineTask,
            effort: 1.0,
            pressed: false,
            counted: true,
        }
    }

    #[test]
    fn serves_by_rank_then_deadline_then_arrival() {
        let mut q = BinaryHeap::new();
        q.push(job(Rank::Negotiated, 1.0, 0));
        q.push(job(Rank::Routine, 9.0, 1));
        q.push(job(Rank::Routine, 5.0, 2));
        q.push(job(Rank::Top, 99.0, 3));
        q.push(job(Rank::Routine, 5.0, 4));
        let order: Vec<u64> = std::iter::from_fn(|| q.pop().map(|j| j.seq)).collect();
        assert_eq!(order, vec![3, 2, 4, 1, 0]);
    }

    #[test]
    fn reengineering_grows_with_pressed_work_and_decays_without() {
        let mut d = Department::new(2, 0.0, SimTime::ZERO);
        for _ in 0..200 {
            d.pressed_hours_today = 8.0;
            d.reengineer(0.05, 0.01, 16.0);
        }
        let high = d.r;
        // Equilibrium of learn·x·(1−R) = decay·R with x = 0.5: R = 0.025/0.035.
        assert!((high - 0.025 / 0.035).abs() < 0.01, "{high}");
        for _ in 0..200 {
            d.pressed_hours_today = 0.0;
            d.reengineer(0.05, 0.01, 16.0);
        }
        assert!(d.r < high * 0.2);
    }
}
