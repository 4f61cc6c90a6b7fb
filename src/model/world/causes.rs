//! Why an order is left unhandled at its deadline: lack of authority or lack of capacity.
//!
//! This is what separates a floating platform from an overloaded one (docs/MODEL.md,
//! "Regimes"). An order still open at its deadline is charged to **capacity** when the handler
//! holding it spends its time on the platform's own orders (the platform's own work fills its
//! handlers' time and still falls behind), and to **authority** when it was refused or returned,
//! went above the township, or its handler's time went to competing claims (other claims on a
//! secretary's attention, other platforms' items, line tasks ranked above it).

use super::*;

/// Smoothing weight of one day in the handlers' time profiles (a time constant of a month).
pub(super) const ALPHA: f64 = 1.0 / 30.0;

impl World<'_> {
    /// Why order `o`, still open, missed its deadline.
    pub(super) fn cause_of_miss(&self, o: &Order) -> Cause {
        let p = o.platform;
        let by_share = |share: f64| {
            if share >= self.sc.regimes.capacity_share { Cause::Capacity } else { Cause::Authority }
        };
        match o.stage {
            Stage::Refused | Stage::Returned | Stage::County => Cause::Authority,
            Stage::Dispatch => match &self.sc.platforms[p].dispatch {
                Dispatch::Leader { leader, .. } => by_share(self.leader_share(*leader, p)),
                // An operator or a dispatch desk works for this platform alone.
                Dispatch::Operator(_) | Dispatch::Auto | Dispatch::Centre => Cause::Capacity,
            },
            Stage::SignOff => match &self.sc.platforms[p].sign_off {
                Some((leader, _)) => by_share(self.leader_share(*leader, p)),
                None => Cause::Capacity,
            },
            Stage::Redo => by_share(self.departments[o.route[0]].own_share(p, o.consequence, self.days_ended, ALPHA)),
            Stage::Departments => {
                // A joint order waits for its slowest part: the least committed department.
                let share = o
                    .route
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| o.parts_done & (1u64 << i) == 0)
                    .map(|(_, &d)| self.departments[d].own_share(p, o.consequence, self.days_ended, ALPHA))
                    .fold(f64::INFINITY, f64::min);
                by_share(if share.is_finite() { share } else { 1.0 })
            }
        }
    }

    /// Leader `l`'s recent own share for platform `p` (its items rank by label).
    fn leader_share(&self, l: LeaderId, p: PlatformId) -> f64 {
        let label = self.sc.platforms[p].label;
        self.leaders[l].own_share(p, |q| self.sc.platforms[q].label >= label)
    }

    /// End of day: folds the day's hours into every leader's time profile (a department's is
    /// folded when next booked or read: `Department::book_claim`, `Department::own_share`).
    pub(super) fn smooth_leader_profiles(&mut self, working: bool) {
        for (leader, spec) in self.leaders.iter_mut().zip(&self.sc.leaders) {
            let claims = if working { spec.other_claims_hours_per_day.min(spec.attention_hours_per_day) } else { 0.0 };
            leader.smooth(claims, ALPHA);
        }
    }
}
