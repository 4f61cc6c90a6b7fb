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
    /// Sending a part back to its dispatcher instead of working it (M10).
    Return {
        /// The order.
        order: OrderKey,
        /// Its platform.
        platform: PlatformId,
        /// Index of the returned part in the order's route.
        part: usize,
    },
    /// Redoing an order's reply that failed the audit (M9).
    Redo {
        /// The order.
        order: OrderKey,
        /// Its platform.
        platform: PlatformId,
    },
    /// Persuading a dissatisfied caller to rate "satisfied" (M11).
    Persuasion {
        /// The platform assessed.
        platform: PlatformId,
    },
}

impl JobKind {
    /// The platform whose order this job serves, if any.
    pub fn platform(&self) -> Option<PlatformId> {
        match *self {
            JobKind::Part { platform, .. }
            | JobKind::Return { platform, .. }
            | JobKind::Redo { platform, .. }
            | JobKind::Persuasion { platform } => Some(platform),
            JobKind::LineTask => None,
        }
    }
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
    /// What it is.
    pub kind: JobKind,
    /// Substantive effort, hours, before reengineering (drawn at arrival).
    pub effort: f64,
    /// When a worker took it up (set at start).
    pub started: SimTime,
    /// Work speed while it runs (above 1 on overtime days).
    pub speed: f64,
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

/// Hours a department spent, by kind. The kinds partition the hours worked: overtime is the part
/// of a job worked beyond normal hours, taken out of the job's other kinds in proportion.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Hours {
    /// Substantive work on reasonable orders.
    pub substantive: f64,
    /// Coordination on joint orders (M6).
    pub coordination: f64,
    /// Record-keeping (M8).
    pub documentation: f64,
    /// Line tasks (M14).
    pub line_tasks: f64,
    /// Redoing replies that failed the audit (M9).
    pub redo: f64,
    /// Returning orders (M10).
    pub returns: f64,
    /// Persuading callers (M11).
    pub persuasion: f64,
    /// Working unreasonable demands (M15).
    pub unreasonable: f64,
    /// Worked beyond normal hours (M12).
    pub overtime: f64,
}

impl Hours {
    /// Names of the kinds, in the order of [`Hours::kinds`].
    pub const KINDS: [&'static str; 9] = [
        "substantive",
        "coordination",
        "documentation",
        "line_tasks",
        "redo",
        "returns",
        "persuasion",
        "unreasonable",
        "overtime",
    ];

    /// The kinds' values, in the order of [`Hours::KINDS`].
    pub fn kinds(&self) -> [f64; 9] {
        [
            self.substantive,
            self.coordination,
            self.documentation,
            self.line_tasks,
            self.redo,
            self.returns,
            self.persuasion,
            self.unreasonable,
            self.overtime,
        ]
    }

    /// All hours worked.
    pub fn total(&self) -> f64 {
        self.kinds().iter().sum()
    }

    /// Hours that produce no resolution (负能): documentation, redo, returns, persuasion,
    /// unreasonable demands and overtime.
    pub fn burden(&self) -> f64 {
        self.documentation + self.redo + self.returns + self.persuasion + self.unreasonable + self.overtime
    }

    /// Every kind multiplied by `k`.
    pub fn scaled(&self, k: f64) -> Hours {
        Hours {
            substantive: self.substantive * k,
            coordination: self.coordination * k,
            documentation: self.documentation * k,
            line_tasks: self.line_tasks * k,
            redo: self.redo * k,
            returns: self.returns * k,
            persuasion: self.persuasion * k,
            unreasonable: self.unreasonable * k,
            overtime: self.overtime * k,
        }
    }

    /// Adds `other` in place.
    pub fn add(&mut self, other: &Hours) {
        self.substantive += other.substantive;
        self.coordination += other.coordination;
        self.documentation += other.documentation;
        self.line_tasks += other.line_tasks;
        self.redo += other.redo;
        self.returns += other.returns;
        self.persuasion += other.persuasion;
        self.unreasonable += other.unreasonable;
        self.overtime += other.overtime;
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
    /// Stress S in [0, 1] (M12).
    pub stress: f64,
    /// Assessment penalty pressure in force (M11).
    pub penalty: f64,
    /// Extra hours per staff member today (M12), 0 when not on overtime.
    pub overtime_today: f64,
    /// Staff hours busy after warm-up, measured on the clock from each job's start to its end
    /// (a check on the hours by kind, which are booked when a job starts).
    pub busy_hours: f64,
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
            stress: 0.0,
            penalty: 0.0,
            overtime_today: 0.0,
            busy_hours: 0.0,
        }
    }

    /// M12: one working day's stress update with pressure `p` in [0, 1]:
    /// `dS = build·p·(1−S) − recover·(1−p)·S`; recovery is slower than build-up.
    pub fn update_stress(&mut self, build: f64, recover: f64, p: f64) {
        let p = p.clamp(0.0, 1.0);
        self.stress =
            (self.stress + build * p * (1.0 - self.stress) - recover * (1.0 - p) * self.stress).clamp(0.0, 1.0);
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
            kind: JobKind::LineTask,
            effort: 1.0,
            started: SimTime::ZERO,
            speed: 1.0,
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
    fn stress_builds_fast_and_recovers_slowly() {
        let mut d = Department::new(1, 0.0, SimTime::ZERO);
        let mut up = 0;
        while d.stress < 0.5 {
            d.update_stress(0.1, 0.02, 1.0);
            up += 1;
        }
        let mut down = 0;
        while d.stress > 0.25 {
            d.update_stress(0.1, 0.02, 0.0);
            down += 1;
        }
        assert!(down > 4 * up, "hysteresis: {up} days up, {down} days down");
    }

    #[test]
    fn hours_kinds_partition_the_total() {
        let h = Hours { substantive: 1.0, documentation: 0.5, overtime: 0.25, redo: 2.0, ..Default::default() };
        assert_eq!(h.total(), 3.75);
        assert_eq!(h.burden(), 2.75);
        assert_eq!(h.scaled(2.0).total(), 7.5);
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
