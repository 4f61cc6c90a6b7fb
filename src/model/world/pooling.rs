//! Resource pooling (`[pooling]`): workers lent between departments, line (条) and block (块)
//! alike, when a backlog builds; checked once a day, at the day's end.
//!
//! With `B_i = queue_i / staff_i⁰` (waiting jobs per own staff member):
//! 1. workers whose move has taken `move_delay_days` arrive at their borrower; each spends its
//!    first `move_cost_hours` working hours settling in (busy, doing no job);
//! 2. a borrower with `B ≤ release_backlog_per_staff` sends its arrived workers back;
//! 3. a department with `B > trigger_backlog_per_staff` asks for `⌈queue / trigger⌉` workers in
//!    all (its own, arrived and on their way counted); each comes from the department with the
//!    lowest `B ≤ slack_backlog_per_staff` that borrows nothing, keeps at least one worker, and
//!    has fewer than `⌊max_share · staff⁰⌋` out. The worker leaves its lender at once.
//!
//! No random draw is made: the rule is deterministic, so pooling shifts no stream.

use super::*;
use crate::scenario::PoolingSpec;

/// One worker on loan.
#[derive(Clone, Copy, Debug)]
pub(super) struct Loan {
    from: DeptId,
    to: DeptId,
    /// Day end (in days) from which it counts as arrived.
    due: f64,
    arrived: bool,
}

/// Pooling's state during a run.
#[derive(Clone, Debug, Default)]
pub(super) struct PoolState {
    loans: Vec<Loan>,
    /// Workers out (on their way or arrived) per lender.
    out: Vec<u32>,
    /// Moves made after warm-up.
    pub(super) moves: u64,
    /// Worker-days away from the lender after warm-up (counted at each day's end).
    pub(super) worker_days: f64,
}

impl PoolState {
    pub(super) fn new(departments: usize) -> PoolState {
        PoolState { out: vec![0; departments], ..Default::default() }
    }
}

impl World<'_> {
    fn backlog_per_own_staff(&self, d: DeptId) -> f64 {
        // Own staff: the establishment less the posts left vacant by attrition (M12).
        let own = self.sc.departments[d].staff as usize - self.departments[d].vacancies.len();
        self.departments[d].queue.len() as f64 / own.max(1) as f64
    }

    /// Workers on loan who have arrived at `d` (0 without pooling): attrition (M12) takes only
    /// a department's own people.
    pub(super) fn borrowed_at(&self, d: DeptId) -> u32 {
        self.pool.as_ref().map_or(0, |p| p.loans.iter().filter(|l| l.to == d && l.arrived).count() as u32)
    }

    /// The daily pooling step, at the end of day `d`.
    pub(super) fn pool_day_end(&mut self, d: u32) -> Result<(), PastSchedule> {
        let Some(spec) = self.sc.pooling.as_ref() else { return Ok(()) };
        let Some(mut pool) = self.pool.take() else { return Ok(()) };
        let result = self.pool_step(spec, &mut pool, d);
        self.pool = Some(pool);
        result
    }

    fn pool_step(&mut self, spec: &PoolingSpec, pool: &mut PoolState, d: u32) -> Result<(), PastSchedule> {
        let now_days = d as f64 + 1.0;
        let now = self.now();
        // 1. arrivals
        for i in 0..pool.loans.len() {
            let loan = pool.loans[i];
            if !loan.arrived && loan.due <= now_days + 1e-9 {
                pool.loans[i].arrived = true;
                let dept = &mut self.departments[loan.to];
                dept.staff += 1;
                if spec.move_cost_hours > 0.0 {
                    dept.busy += 1;
                    let ready = self.sc.calendar.advance(now, spec.move_cost_hours);
                    self.at(ready, Event::PoolSettled(loan.to))?;
                }
                self.department_start(loan.to)?;
            }
        }
        // 2. returns
        let mut i = 0;
        while i < pool.loans.len() {
            let loan = pool.loans[i];
            if loan.arrived && self.backlog_per_own_staff(loan.to) <= spec.release_backlog_per_staff {
                pool.loans.remove(i);
                self.departments[loan.to].staff -= 1;
                self.departments[loan.from].staff += 1;
                pool.out[loan.from] -= 1;
                self.department_start(loan.from)?;
            } else {
                i += 1;
            }
        }
        // 3. requests, the most backlogged first
        let n = self.departments.len();
        let mut needy: Vec<(f64, DeptId)> = (0..n)
            .map(|i| (self.backlog_per_own_staff(i), i))
            .filter(|&(b, _)| b > spec.trigger_backlog_per_staff)
            .collect();
        needy.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, to) in &needy {
            let want = (self.departments[to].queue.len() as f64 / spec.trigger_backlog_per_staff).ceil() as u64;
            let coming = pool.loans.iter().filter(|l| l.to == to && !l.arrived).count() as u64;
            let mut have = self.departments[to].staff as u64 + coming;
            while have < want {
                let lender = (0..n)
                    .filter(|&l| l != to && !needy.iter().any(|x| x.1 == l))
                    .filter(|&l| !pool.loans.iter().any(|x| x.to == l))
                    .filter(|&l| self.departments[l].staff > 1)
                    .filter(|&l| {
                        let own = self.sc.departments[l].staff as f64;
                        ((pool.out[l] + 1) as f64) <= (spec.max_share * own).floor()
                    })
                    .map(|l| (self.backlog_per_own_staff(l), l))
                    .filter(|&(b, _)| b <= spec.slack_backlog_per_staff)
                    .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                let Some((_, from)) = lender else { break };
                self.departments[from].staff -= 1;
                pool.out[from] += 1;
                pool.loans.push(Loan { from, to, due: now_days + spec.move_delay_days, arrived: false });
                if now >= self.warmup {
                    pool.moves += 1;
                }
                have += 1;
            }
        }
        // A zero delay means the worker is there tonight.
        if spec.move_delay_days == 0.0 && pool.loans.iter().any(|l| !l.arrived) {
            for i in 0..pool.loans.len() {
                let loan = pool.loans[i];
                if !loan.arrived {
                    pool.loans[i].arrived = true;
                    self.departments[loan.to].staff += 1;
                    if spec.move_cost_hours > 0.0 {
                        self.departments[loan.to].busy += 1;
                        let ready = self.sc.calendar.advance(now, spec.move_cost_hours);
                        self.at(ready, Event::PoolSettled(loan.to))?;
                    }
                    self.department_start(loan.to)?;
                }
            }
        }
        if now >= self.warmup {
            pool.worker_days += pool.loans.len() as f64;
        }
        Ok(())
    }

    /// A moved worker has settled in: free to take jobs.
    pub(super) fn pool_settled(&mut self, d: DeptId) -> Result<(), PastSchedule> {
        let dept = &mut self.departments[d];
        dept.busy = dept.busy.saturating_sub(1);
        self.department_start(d)
    }
}
