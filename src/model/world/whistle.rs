//! The whistle (吹哨报到) in the run: a street's order that needs a district department
//! summons it; the summoned department owes a report within a time limit, and a late report is
//! sanctioned. Source: 孙远太 and 孙冰清 (2024), paper 003 in docs/MODEL.md, References.
//!
//! Without the whistle, a district department (`level = "county"`) owes a street's order
//! nothing: it is worked behind the department's own line tasks, like any claim nobody
//! sanctions. With it, the part carries `decisions.sanction.whistle` (times the reforms'
//! strength), which the decision model turns into priority and care.

use super::*;

impl World<'_> {
    /// Whether a part at department `d` of an order led by `lead` is a summons: the whistle is
    /// on, `d` is a district department and the lead is a street's own.
    pub(super) fn summoned(&self, d: DeptId, lead: DeptId) -> bool {
        self.sc.whistle.is_some() && self.sc.departments[d].county && !self.sc.departments[lead].county
    }

    /// A summoned department starts its part (summoned at `since`): on time, or late and rebuked.
    pub(super) fn summons_answered(&mut self, d: DeptId, job: &Job, platform: PlatformId, serial: u64, since: SimTime) {
        let Some(w) = &self.sc.whistle else { return };
        let waited = self.now().hours() - since.hours();
        if waited > w.report_hours {
            self.departments[d].rebuke += w.penalty;
            if job.counted {
                self.platforms[platform].tally.summons_late += 1;
            }
            let (sc, limit_hours) = (self.sc, w.report_hours);
            self.note(serial, || TraceEvent::ReportedLate {
                department: sc.departments[d].id.clone(),
                waited_hours: waited,
                limit_hours,
            });
        }
    }
}
