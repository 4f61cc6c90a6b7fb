//! The queued-work guard: a run stops once more work waits than `simulation.max_queued_jobs`, so
//! that a scenario whose queues grow without bound (line tasks far beyond a department's staff,
//! say) fails in seconds with a message instead of filling memory.

use super::{SimError, World};
use crate::engine::time::SimTime;
use crate::scenario::Scenario;

impl World<'_> {
    /// Work waiting anywhere: department queues (order parts and line tasks), leaders' and
    /// deputies' inboxes, operators' and desks' queues, and pending events.
    pub(super) fn queued_work(&self) -> usize {
        let departments: usize = self.departments.iter().map(|d| d.queue.len()).sum();
        let leaders: usize = self.leaders.iter().chain(self.deputies.iter().flatten()).map(|l| l.inbox.len()).sum();
        let platforms: usize = self
            .platforms
            .iter()
            .map(|p| p.operator.as_ref().map_or(0, |o| o.queue.len()) + p.desk.as_ref().map_or(0, |d| d.queue.len()))
            .sum();
        departments + leaders + platforms + self.q.len()
    }

    /// The guard's error when queued work is over the limit at `t`.
    pub(super) fn over_queued(&self, t: SimTime) -> Option<SimError> {
        let limit = self.sc.simulation.max_queued_jobs;
        let queued = self.queued_work();
        (queued > limit).then_some(SimError::QueuedWork { replication: self.replication, day: t.day(), queued, limit })
    }
}

/// Events between two checks of the guard. One event adds at most about one job per department
/// of the widest route or category, so checking this often keeps the overshoot under a quarter
/// of the limit, while a scan of every queue costs little per event.
pub(super) fn check_interval(sc: &Scenario) -> u64 {
    let routes = sc.platforms.iter().filter_map(|p| p.route.as_ref().map(Vec::len));
    let categories = sc.categories.iter().map(|c| c.departments.len());
    let fanout = routes.chain(categories).max().unwrap_or(1) + 2;
    ((sc.simulation.max_queued_jobs / (4 * fanout)) as u64).clamp(1, 1024)
}
