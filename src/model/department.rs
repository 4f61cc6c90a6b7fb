//! Departments (职能办/站所): staff working a priority queue of order parts and line tasks.

use std::cmp::Ordering;

use super::order::OrderKey;
use super::queue_stat::QueueStat;
use super::run_heap::RunHeap;
use crate::engine::time::SimTime;
use crate::scenario::{PlatformId, SlowdownForm};

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
    /// Root-cause work on a recurring category (未诉先办).
    RootCause {
        /// The category worked on.
        category: crate::scenario::CategoryId,
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
            JobKind::LineTask | JobKind::RootCause { .. } => None,
        }
    }
}

/// Work waiting at, or being done by, a department.
#[derive(Clone, Copy, Debug)]
pub struct Job {
    /// Consequence of neglect (decision model): higher is served first.
    pub consequence: f64,
    /// Deadline (`NEVER` if none): earlier first among equal consequences.
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
    /// The working hours of the department's calendar before `started` (set at start; read
    /// again at the job's end).
    pub started_worked: f64,
    /// Work speed while it runs (above 1 on overtime days).
    pub speed: f64,
    /// Whether the work carries authority and a deadline (feeds reengineering, M5).
    pub pressed: bool,
    /// Counted in statistics (arrived after warm-up).
    pub counted: bool,
}

impl PartialEq for Job {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Job {}
impl PartialOrd for Job {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Job {
    // The order of the department's queue (see `JobKey`).
    fn cmp(&self, other: &Self) -> Ordering {
        JobKey::of(self, 0).cmp(&JobKey::of(other, 0))
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
    /// Root-cause work (未诉先办): not an order's, so outside [`Hours::KINDS`], which
    /// partition the hours spent on orders and line tasks; included in [`Hours::total`].
    pub prevention: f64,
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
        let orders: f64 = self.kinds().iter().sum();
        // `x + 0.0 == x`: without proactive work the total is exactly what it always was.
        orders + self.prevention
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
            prevention: self.prevention * k,
        }
    }

    /// Adds `other`, a worked part of an order (not returned, no overtime), in place: such a
    /// part has hours of four kinds only (substantive or unreasonable, coordination,
    /// documentation), and adding the others' zeros changes nothing (`x + 0.0 == x` for every
    /// sum that starts at `+0.0` and adds non-negative hours), so the result is [`Hours::add`]'s.
    #[inline]
    pub fn add_part(&mut self, other: &Hours) {
        self.substantive += other.substantive;
        self.coordination += other.coordination;
        self.documentation += other.documentation;
        self.unreasonable += other.unreasonable;
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
        self.prevention += other.prevention;
    }
}

/// Smoothed hours a department gives one kind of claim: one platform's orders (or line tasks,
/// `platform = None`) at one consequence of neglect.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClaimHours {
    /// Whose claim.
    pub platform: Option<PlatformId>,
    /// Its consequence of neglect.
    pub consequence: f64,
    /// Hours today.
    pub today: f64,
    /// Smoothed daily hours.
    pub smoothed: f64,
}

impl ClaimHours {
    /// The smoothed hours after `days` more day-ends: `smoothed += alpha·(today − smoothed)`,
    /// then the same with no hours for each further day.
    fn folded(&self, days: u32, alpha: f64) -> f64 {
        let (mut smoothed, mut today) = (self.smoothed, self.today);
        for _ in 0..days {
            smoothed += alpha * (today - smoothed);
            today = 0.0;
        }
        smoothed
    }
}

/// Waiting jobs, most pressing first (the order of [`Job`]'s `Ord`). The queue moves small keys;
/// the jobs themselves (about 100 bytes) stay put in slots that are reused.
#[derive(Clone, Debug, Default)]
pub struct JobQueue {
    keys: RunHeap<JobKey>,
    slots: Vec<Job>,
    free: Vec<u32>,
}

/// What orders a [`Job`] in the queue: consequence, deadline, arrival; and where the job is.
#[derive(Clone, Copy, Debug)]
struct JobKey {
    consequence: f64,
    deadline: SimTime,
    seq: u64,
    slot: u32,
}

impl JobKey {
    fn of(job: &Job, slot: u32) -> JobKey {
        JobKey { consequence: job.consequence, deadline: job.deadline, seq: job.seq, slot }
    }
}

impl PartialEq for JobKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for JobKey {}
impl PartialOrd for JobKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for JobKey {
    // The queue is a max-heap: the greatest job is served first — the highest consequence,
    // then the earliest deadline, then the first to arrive (sequence numbers are unique, so the
    // slot never decides).
    fn cmp(&self, other: &Self) -> Ordering {
        self.consequence
            .total_cmp(&other.consequence)
            .then_with(|| other.deadline.cmp(&self.deadline))
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl JobQueue {
    /// Adds a job.
    pub fn push(&mut self, job: Job) {
        let slot = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = job;
                i
            }
            None => {
                self.slots.push(job);
                (self.slots.len() - 1) as u32
            }
        };
        self.keys.push(JobKey::of(&job, slot));
    }

    /// Takes the most pressing job.
    pub fn pop(&mut self) -> Option<Job> {
        let key = self.keys.pop()?;
        self.free.push(key.slot);
        Some(self.slots[key.slot as usize])
    }

    /// Takes out every waiting job for which `take` holds, and returns them.
    pub fn take_where(&mut self, mut take: impl FnMut(&Job) -> bool) -> Vec<Job> {
        let (slots, free) = (&self.slots, &mut self.free);
        let mut taken = Vec::new();
        self.keys.retain(|k| {
            let job = slots[k.slot as usize];
            let out = take(&job);
            if out {
                taken.push(job);
                free.push(k.slot);
            }
            !out
        });
        taken
    }

    /// Jobs waiting.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether none wait.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// A department during a run.
pub struct Department {
    /// Workers.
    pub staff: u32,
    /// Workers busy now.
    pub busy: u32,
    /// Waiting jobs.
    pub queue: JobQueue,
    /// Effort hours of the waiting jobs (for the load the decision model sees).
    pub queued_hours: f64,
    /// Smoothed load (decision model).
    pub load: f64,
    /// Queue statistics (Little's law).
    pub stat: QueueStat,
    /// Reengineering level R (M5): `r_initial` plus the parts each platform's orders drove.
    pub r: f64,
    /// What is left of the scenario's initial R.
    pub r_initial: f64,
    /// The part of R that each platform's pressed orders drove.
    /// (platform, part of R), sorted by platform: only platforms whose pressed work reached this
    /// department (a world of many townships would otherwise hold departments × platforms).
    pub r_by_platform: Vec<(PlatformId, f64)>,
    /// Hours on authority-bearing, deadline-pressed work since the last daily update, by platform.
    /// (platform, hours), sorted by platform.
    pub pressed_hours_today: Vec<(PlatformId, f64)>,
    /// Hours worked today (for daily utilisation).
    pub hours_today: Hours,
    /// Hours worked after warm-up.
    pub hours: Hours,
    /// Line tasks finished after warm-up, and those late.
    pub line_done: u64,
    /// Line tasks finished late.
    pub line_late: u64,
    /// Line tasks the county took back, overdue and never started (M14), after warm-up.
    pub line_escalated: u64,
    /// Stress S in [0, 1] (M12).
    pub stress: f64,
    /// Posts left vacant by staff who left under stress (M12 attrition): the day each is filled.
    pub vacancies: Vec<f64>,
    /// Staff who left under stress after warm-up.
    pub left: u64,
    /// Assessment penalty pressure in force (M11).
    pub penalty: f64,
    /// Pressure from late reports to a street's whistle; halves every working day.
    pub rebuke: f64,
    /// Extra hours per staff member today (M12), 0 when not on overtime.
    pub overtime_today: f64,
    /// Hours by kind of claim, smoothed: whose work fills the department's time. Folded
    /// lazily: as of `claims_folded` day-ends, brought up to date when next booked or read.
    claims: Vec<ClaimHours>,
    /// The day-ends folded into `claims`.
    claims_folded: u32,
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
            queue: JobQueue::default(),
            queued_hours: 0.0,
            load: 0.0,
            stat: QueueStat::new(from),
            r: r0,
            r_initial: r0,
            r_by_platform: Vec::new(),
            pressed_hours_today: Vec::new(),
            hours_today: Hours::default(),
            hours: Hours::default(),
            line_done: 0,
            line_late: 0,
            line_escalated: 0,
            stress: 0.0,
            vacancies: Vec::new(),
            left: 0,
            penalty: 0.0,
            rebuke: 0.0,
            overtime_today: 0.0,
            busy_hours: 0.0,
            claims: Vec::new(),
            claims_folded: 0,
        }
    }

    /// M12: one working day's stress update with pressure `p` in [0, 1]:
    /// `dS = build·p·(1−S) − recover·(1−p)·S`; recovery is slower than build-up.
    pub fn update_stress(&mut self, build: f64, recover: f64, p: f64) {
        let p = p.clamp(0.0, 1.0);
        self.stress =
            (self.stress + build * p * (1.0 - self.stress) - recover * (1.0 - p) * self.stress).clamp(0.0, 1.0);
    }

    /// Adds a job to the queue.
    pub fn push(&mut self, job: Job) {
        self.queued_hours += job.effort;
        self.queue.push(job);
    }

    /// Takes every waiting line task whose deadline passed `after_days` working days before
    /// `now` off the queue (M14: the county takes it back); returns how many of them count.
    pub fn escalate_overdue_line_tasks(
        &mut self,
        now: SimTime,
        after_days: f64,
        calendar: &crate::engine::time::WorkClock,
    ) -> (u64, u64) {
        let taken = self.queue.take_where(|j| {
            matches!(j.kind, JobKind::LineTask)
                && j.deadline.is_finite()
                && calendar.deadline(j.deadline, after_days) <= now
        });
        self.left_queue(&taken, now);
        let counted = taken.iter().filter(|j| j.counted).count() as u64;
        (taken.len() as u64, counted)
    }

    /// Withdraws the waiting parts of order `order` (it ended while they waited: another part was
    /// refused for good); returns how many.
    pub fn withdraw_order(&mut self, order: OrderKey, now: SimTime) -> usize {
        let taken = self.queue.take_where(|j| matches!(j.kind, JobKind::Part { order: o, .. } if o == order));
        self.left_queue(&taken, now);
        taken.len()
    }

    /// Books jobs taken off the queue other than by a worker: out of the waiting hours and the
    /// queue's statistics (they left the queue, as served jobs do).
    fn left_queue(&mut self, taken: &[Job], now: SimTime) {
        for j in taken {
            self.queued_hours -= j.effort;
            self.stat.leave(now, j.queued_at);
        }
        // Sums of floats drift; an empty queue has no waiting work whatever the rounding.
        if self.queue.is_empty() || self.queued_hours < 0.0 {
            self.queued_hours = if self.queue.is_empty() { 0.0 } else { self.queued_hours.max(0.0) };
        }
    }

    /// Takes the most pressing job off the queue.
    pub fn pop(&mut self) -> Option<Job> {
        let job = self.queue.pop()?;
        // Sums of floats drift; an empty queue has no waiting work whatever the rounding.
        self.queued_hours = if self.queue.is_empty() { 0.0 } else { (self.queued_hours - job.effort).max(0.0) };
        Some(job)
    }

    /// The department's load as the decision model sees it: smoothed over recent working days.
    pub fn load(&self) -> f64 {
        self.load
    }

    /// End of a working day: folds the day's load into the smoothed load.
    pub fn update_load(&mut self, hours_per_day: f64) {
        let today = super::decision::day_load(self.hours_today.total(), self.staff, self.queued_hours, hours_per_day);
        self.load = super::decision::smooth_load(self.load, today);
    }

    /// M12: how much longer work takes at the current stress, `1 + slowdown · f(S)`.
    pub fn slowdown(&self, slowdown: f64, form: SlowdownForm) -> f64 {
        let s = self.stress.clamp(0.0, 1.0);
        let f = match form {
            SlowdownForm::Linear => s,
            SlowdownForm::Saturating { half } => s * (1.0 + half) / (s + half),
            SlowdownForm::Threshold { at } => {
                if s >= at {
                    1.0
                } else {
                    0.0
                }
            }
        };
        1.0 + slowdown * f
    }

    /// Books `hours` of a claim started today, `days_ended` day-ends into the run.
    pub fn book_claim(
        &mut self,
        platform: Option<PlatformId>,
        consequence: f64,
        hours: f64,
        days_ended: u32,
        alpha: f64,
    ) {
        self.fold_claims(days_ended, alpha);
        match self.claims.iter_mut().find(|c| c.platform == platform && c.consequence == consequence) {
            Some(c) => c.today += hours,
            None => self.claims.push(ClaimHours { platform, consequence, today: hours, smoothed: 0.0 }),
        }
    }

    /// Folds each day-end up to `days_ended` into the smoothed figures with weight `alpha`:
    /// the day's hours the first time, none after. Lazy, because in a big world a department's
    /// claims are out of cache at the day's end, and most see no new work most days; the
    /// figures are those a fold at every day's end gives (the same operations in the same order).
    fn fold_claims(&mut self, days_ended: u32, alpha: f64) {
        let days = days_ended.saturating_sub(self.claims_folded);
        if days > 0 {
            for c in &mut self.claims {
                c.smoothed = c.folded(days, alpha);
                c.today = 0.0;
            }
            self.claims_folded = days_ended;
        }
    }

    /// The share of the department's recent time, among the claims that compete with an order
    /// of platform `p` at consequence `consequence` (its own platform's, and others' at least as
    /// pressing), that went to platform `p`'s own orders, `days_ended` day-ends into the run.
    /// Low: its time goes elsewhere.
    pub fn own_share(&self, p: PlatformId, consequence: f64, days_ended: u32, alpha: f64) -> f64 {
        let days = days_ended.saturating_sub(self.claims_folded);
        let (mut own, mut other) = (0.0, 0.0);
        for c in &self.claims {
            if c.platform == Some(p) {
                own += c.folded(days, alpha);
            } else if c.consequence >= consequence {
                other += c.folded(days, alpha);
            }
        }
        if own + other > 0.0 { own / (own + other) } else { 0.0 }
    }

    /// Books pressed hours of platform `p` today (M5).
    pub fn book_pressed(&mut self, p: PlatformId, hours: f64) {
        *super::sorted::slot(&mut self.pressed_hours_today, p) += hours;
    }

    /// The part of R that platform `p`'s orders drove.
    pub fn r_of(&self, p: PlatformId) -> f64 {
        self.r_by_platform.iter().find(|x| x.0 == p).map_or(0.0, |x| x.1)
    }

    /// Whether a worker is free.
    pub fn has_free_worker(&self) -> bool {
        self.busy < self.staff
    }

    /// M5: one working day's update, `dR = learn·x·(1−R) − decay·R`, with x the share of the
    /// day's staff capacity spent on pressed work (capacity, not hours worked, so that a trickle
    /// of orders cannot drive R up on its own).
    ///
    /// The growth term is shared out among platforms by their pressed hours and each part decays
    /// at the same rate, so the parts always add up to R: a platform's own part is the
    /// reengineering *its* orders drove (what decides "reengineered").
    pub fn reengineer(&mut self, learn: f64, decay: f64, capacity_hours: f64) {
        // Sums run in platform order, as they did over dense vectors: the same floating-point
        // results (a zero term changes no sum).
        let pressed: f64 = self.pressed_hours_today.iter().map(|x| x.1).sum();
        let x = if capacity_hours > 0.0 { (pressed / capacity_hours).min(1.0) } else { 0.0 };
        let growth = learn * x * (1.0 - self.r);
        self.r_initial -= decay * self.r_initial;
        for &(p, _) in &self.pressed_hours_today {
            super::sorted::slot(&mut self.r_by_platform, p);
        }
        for (p, own) in self.r_by_platform.iter_mut() {
            let h = self.pressed_hours_today.iter().find(|x| x.0 == *p).map_or(0.0, |x| x.1);
            let share = if pressed > 0.0 { h / pressed } else { 0.0 };
            *own = (*own + growth * share - decay * *own).max(0.0);
        }
        self.r = (self.r_initial + self.r_by_platform.iter().map(|x| x.1).sum::<f64>()).clamp(0.0, 1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BinaryHeap;

    fn job(consequence: f64, deadline: f64, seq: u64) -> Job {
        Job {
            consequence,
            deadline: SimTime::from_hours(deadline),
            seq,
            queued_at: SimTime::ZERO,
            kind: JobKind::LineTask,
            effort: 1.0,
            started: SimTime::ZERO,
            started_worked: 0.0,
            speed: 1.0,
            pressed: false,
            counted: true,
        }
    }

    proptest::proptest! {
        /// Claims folded lazily, when next booked or read, hold what a fold at every day's end
        /// gives, bit for bit, across days with and without work.
        #[test]
        fn lazy_claim_folds_equal_a_fold_every_day(
            days in proptest::collection::vec(
                proptest::collection::vec((0u8..4, 0u8..2, 0.0f64..8.0, proptest::bool::ANY), 0..4),
                1..40,
            )
        ) {
            let alpha = 1.0 / 30.0;
            let (mut lazy, mut eager) = (Department::new(2, 0.0, SimTime::ZERO), Department::new(2, 0.0, SimTime::ZERO));
            for (day, work) in days.iter().enumerate() {
                let ended = day as u32;
                for &(who, level, hours, read) in work {
                    let platform = (who < 3).then_some(who as usize);
                    let consequence = if level == 0 { 0.5 } else { 1.0 };
                    if read {
                        let p = platform.unwrap_or(0);
                        proptest::prop_assert_eq!(
                            lazy.own_share(p, consequence, ended, alpha).to_bits(),
                            eager.own_share(p, consequence, ended, alpha).to_bits()
                        );
                    } else {
                        lazy.book_claim(platform, consequence, hours, ended, alpha);
                        eager.book_claim(platform, consequence, hours, ended, alpha);
                    }
                }
                // The eager department folds at every day's end; the lazy one only when used.
                eager.fold_claims(ended + 1, alpha);
            }
            let ended = days.len() as u32 + 5;
            lazy.fold_claims(ended, alpha);
            eager.fold_claims(ended, alpha);
            let bits = |d: &Department| d.claims.iter().map(|c| (c.smoothed.to_bits(), c.today.to_bits())).collect::<Vec<_>>();
            proptest::prop_assert_eq!(bits(&lazy), bits(&eager));
        }

        /// The queue gives jobs in exactly the order one heap of them gives, whatever the mix of
        /// first-come-first-served runs and more pressing jobs, pushes and pops.
        #[test]
        fn the_queue_serves_in_the_heap_s_order(
            ops in proptest::collection::vec((0u8..4, 0u8..3, 0u8..4), 1..300),
        ) {
            let (mut q, mut heap, mut seq) = (JobQueue::default(), BinaryHeap::new(), 0u64);
            for (op, consequence, deadline) in ops {
                if op == 0 {
                    let a = q.pop().map(|j| j.seq);
                    let b = heap.pop().map(|j: Job| j.seq);
                    proptest::prop_assert_eq!(a, b);
                } else {
                    // Mostly one consequence and no deadline (a plain queue), sometimes not.
                    let c = if op == 1 { consequence as f64 } else { 1.0 };
                    let d = if op == 1 { deadline as f64 * 10.0 } else { f64::INFINITY };
                    let j = job(c, d, seq);
                    seq += 1;
                    q.push(j);
                    heap.push(j);
                }
                proptest::prop_assert_eq!(q.len(), heap.len());
            }
            while let Some(j) = heap.pop() {
                proptest::prop_assert_eq!(q.pop().map(|x| x.seq), Some(j.seq));
            }
            proptest::prop_assert!(q.is_empty());
        }
    }

    #[test]
    fn serves_by_consequence_then_deadline_then_arrival() {
        let mut q = BinaryHeap::new();
        q.push(job(0.0, 1.0, 0));
        q.push(job(0.5, 9.0, 1));
        q.push(job(0.5, 5.0, 2));
        q.push(job(1.5, 99.0, 3));
        q.push(job(0.5, 5.0, 4));
        let order: Vec<u64> = std::iter::from_fn(|| q.pop().map(|j| j.seq)).collect();
        assert_eq!(order, vec![3, 2, 4, 1, 0]);
    }

    #[test]
    fn slowdown_forms_agree_at_the_ends() {
        let mut d = Department::new(1, 0.0, SimTime::ZERO);
        let forms = [SlowdownForm::Linear, SlowdownForm::Saturating { half: 0.2 }, SlowdownForm::Threshold { at: 0.5 }];
        for f in forms {
            assert_eq!(d.slowdown(0.4, f), 1.0);
        }
        d.stress = 1.0;
        for f in forms {
            assert!((d.slowdown(0.4, f) - 1.4).abs() < 1e-12);
        }
        d.stress = 0.3;
        assert!(d.slowdown(0.4, forms[1]) > d.slowdown(0.4, forms[0]));
        assert_eq!(d.slowdown(0.4, forms[2]), 1.0);
    }

    #[test]
    fn queued_hours_follow_the_queue() {
        let mut d = Department::new(1, 0.0, SimTime::ZERO);
        d.push(job(0.0, 1.0, 0));
        d.push(job(0.0, 2.0, 1));
        assert_eq!(d.queued_hours, 2.0);
        d.pop();
        assert_eq!(d.queued_hours, 1.0);
        d.pop();
        assert_eq!(d.queued_hours, 0.0);
    }

    #[test]
    fn overdue_line_tasks_go_back_to_the_county_and_the_rest_keep_their_order() {
        let calendar = crate::engine::time::WorkClock::new(8.0, 5);
        let mut d = Department::new(1, 0.0, SimTime::ZERO);
        // Line tasks due at hours 1, 2, 500; other work (a persuasion call) due at hour 1.
        let mut call = job(0.5, 1.0, 3);
        call.kind = JobKind::Persuasion { platform: 0 };
        for j in [job(0.5, 1.0, 0), job(0.5, 2.0, 1), job(0.5, 500.0, 2), call] {
            d.stat.enter(SimTime::ZERO);
            d.push(j);
        }
        // Ten working days after the first two deadlines: those two go, nothing else does.
        let now = calendar.deadline(SimTime::from_hours(2.0), 10.0);
        assert_eq!(d.escalate_overdue_line_tasks(now, 10.0, &calendar), (2, 2));
        assert_eq!(d.queue.len(), 2);
        assert_eq!(d.stat.len(), 2, "the escalated tasks left the queue's statistics too");
        assert_eq!(d.queued_hours, 2.0);
        // What is left comes out in its order: the call (earliest deadline), then the late task.
        assert_eq!(d.pop().map(|j| j.seq), Some(3));
        assert_eq!(d.pop().map(|j| j.seq), Some(2));
        assert_eq!(d.queued_hours, 0.0);
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
            d.pressed_hours_today = vec![(0, 8.0)];
            d.reengineer(0.05, 0.01, 16.0);
        }
        let high = d.r;
        // Equilibrium of learn·x·(1−R) = decay·R with x = 0.5: R = 0.025/0.035.
        assert!((high - 0.025 / 0.035).abs() < 0.01, "{high}");
        for _ in 0..200 {
            d.pressed_hours_today.clear();
            d.reengineer(0.05, 0.01, 16.0);
        }
        assert!(d.r < high * 0.2);
    }
}
