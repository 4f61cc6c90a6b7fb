//! Attrition (M12): staff who leave after a stressful stretch and are replaced slowly.
//!
//! The Beijing hotline study describes units under "double pressure from above and below" as
//! passive and exhausted ("越来越忙，忙而无效"). Stress alone (M12) forgets: once the backlog
//! clears, it recovers. People who have left do not come back when the backlog clears; their
//! posts are filled a season later. That is the mechanism whose effect outlives the backlog
//! that caused it, and so what can make a township remember a crisis (docs/MODEL.md 7.8).
//!
//! At the end of each working day, for each department with `stress.attrition`:
//! 1. every vacancy whose filling day has come is filled (a new staff member, free at once);
//! 2. if the department's stress is at least `above`, each staff member present beyond the
//!    first leaves with probability `per_day` (a worker busy on a job finishes it first: the
//!    department simply starts no new job while more are busy than present); the post is filled
//!    `replace_days` calendar days later. Only the department's own people leave: workers lent
//!    to it by pooling do not, and pooling counts its own staff as the establishment less its
//!    vacancies.
//!
//! Draws come from the department's own `attrition` stream, so no other stream shifts.

use super::*;

impl World<'_> {
    /// The daily attrition step, at the end of working day `d`.
    pub(super) fn attrition_day_end(&mut self, d: u32) -> Result<(), PastSchedule> {
        let sc = self.sc;
        let today = d as f64 + 1.0;
        let counted = self.now() >= self.warmup;
        for (i, spec) in sc.departments.iter().enumerate() {
            let Some(a) = spec.stress.as_ref().and_then(|s| s.attrition.as_ref()) else { continue };
            let borrowed = self.borrowed_at(i);
            let rng = self.attrition_rngs[i].as_mut().expect("a department with attrition has its stream");
            let dept = &mut self.departments[i];
            let before = dept.vacancies.len();
            dept.vacancies.retain(|&due| due > today + 1e-9);
            let filled = (before - dept.vacancies.len()) as u32;
            dept.staff += filled;
            if dept.stress >= a.above {
                let mut leaving = 0;
                for _ in 1..dept.staff.saturating_sub(borrowed) {
                    leaving += chance(rng, a.per_day) as u32;
                }
                dept.staff -= leaving;
                dept.vacancies.extend(std::iter::repeat_n(today + a.replace_days, leaving as usize));
                if counted {
                    dept.left += leaving as u64;
                }
            }
            if filled > 0 {
                self.department_start(i)?;
            }
        }
        Ok(())
    }
}
