//! The queued-work guard: a run stops once more work waits than `simulation.max_queued_jobs`, so
//! that a scenario whose queues grow without bound (line tasks far beyond a department's staff,
//! say) fails in seconds with a message instead of filling memory.

use super::{SimError, World};
use crate::engine::time::SimTime;
use crate::scenario::Scenario;

impl World<'_> {
    /// Work waiting anywhere: department queues (order parts and line tasks), leaders' and
    /// deputies' inboxes, operators' and desks' queues. Pending events are not work: most are
    /// timers (an open order's deadline, the next arrival), and counting them stopped a platform
    /// with a month's deadlines and idle staff as "unstable". Their number is bounded all the
    /// same: deadlines by the open orders (`simulation.max_open_orders`), the rest by the world.
    pub(super) fn queued_work(&self) -> usize {
        let departments: usize = self.departments.iter().map(|d| d.queue.len()).sum();
        let leaders: usize = self.leaders.iter().chain(self.deputies.iter().flatten()).map(|l| l.inbox.len()).sum();
        let platforms: usize = self
            .platforms
            .iter()
            .map(|p| p.operator.as_ref().map_or(0, |o| o.queue.len()) + p.desk.as_ref().map_or(0, |d| d.queue.len()))
            .sum();
        departments + leaders + platforms
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
/// of the limit. Within that, the guard checks every 1,024 events, or every as many events as
/// the world has queues to scan if that is more: a check reads every department, leader and
/// platform, so a world of thousands would otherwise pay a scan of them all every 1,024 events
/// (a cost that grows with the world at a fixed load), where now it pays about one queue an event.
pub(super) fn check_interval(sc: &Scenario) -> u64 {
    let routes = sc.platforms.iter().filter_map(|p| p.route.as_ref().map(Vec::len));
    let categories = sc.categories.iter().map(|c| c.departments.len());
    let fanout = routes.chain(categories).max().unwrap_or(1) + 2;
    let queues = sc.departments.len() + 2 * sc.leaders.len() + sc.platforms.len();
    ((sc.simulation.max_queued_jobs / (4 * fanout)) as u64).clamp(1, queues.max(1024) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The M/M/3 validation scenario with `max_queued_jobs = limit` and `more` departments of
    /// its own (no work reaches them: they only make the world bigger).
    fn interval(limit: usize, more: usize) -> u64 {
        let mut text = include_str!("../../../scenarios/validation/mm3.toml")
            .replace("[simulation]\n", &format!("[simulation]\nmax_queued_jobs = {limit}\n"));
        for d in 0..more {
            text.push_str(&format!("\n[departments.extra{d}]\nstaff = 1\n"));
        }
        check_interval(&crate::scenario::load_str(&text, "mm3.toml").expect("loads"))
    }

    /// Pending deadlines are timers, not work: a platform with a month's deadlines and staff to
    /// spare runs past a guard smaller than its open orders; the same platform with one
    /// worker, whose queue does grow, is stopped.
    #[test]
    fn timers_are_not_queued_work() {
        let text = |staff: u32| {
            format!(
                "[simulation]\nduration_days = 60\nmax_queued_jobs = 1000\n[departments.office]\nstaff = {staff}\n\
                 [platforms.p]\ndispatch = \"auto\"\narrival_rate_per_day = 100\nroute = [\"office\"]\n\
                 deadline_days = 30\neffort_hours = {{ dist = \"exponential\", mean = 0.5 }}\n"
            )
        };
        let spare = crate::scenario::load_str(&text(40), "t.toml").unwrap();
        assert!(crate::model::run_replication(&spare, 0).is_ok(), "about 700 deadlines pending, a short queue");
        let short = crate::scenario::load_str(&text(1), "t.toml").unwrap();
        assert!(matches!(crate::model::run_replication(&short, 0), Err(SimError::QueuedWork { .. })));
    }

    #[test]
    fn the_guard_keeps_its_bound_and_scans_a_big_world_less_often() {
        // The overshoot bound decides first: limit / (4 x (widest route 1 + 2)).
        assert_eq!(interval(1_200, 0), 100);
        assert_eq!(interval(1_200, 3_000), 100);
        // Within it, every 1,024 events in a small world (one department, one platform) ...
        assert_eq!(interval(1_000_000, 0), 1024);
        // ... and every as many events as there are queues to scan in a big one.
        assert_eq!(interval(1_000_000, 3_000), 3_002);
    }
}
