//! How departments decide: the whole structural-embedding hypothesis in one place.
//!
//! Sources: the core finding of 钱坤 (2025) — a platform runs when the township's core leaders
//! carry its workflow, because departments answer to whoever can sanction them — and the
//! burden mechanisms of 娄文龙 et al. (2025): returns, shortcuts under load, and gaming of the
//! assessment. See docs/MODEL.md, section "Submodels: the departments' decision model".
//!
//! A department has limited staff hours. Every claim on them carries a **consequence of
//! neglect** `C`: who will sanction neglect and how hard, as far as the department can observe it
//! ([`Backing`] → [`Sanctioner`]): a leader's sanction, *earned* by dispatching the order and by
//! signing off its reply (`sanction.follow_up` splits it; a director who does neither carries
//! nothing); a command centre; an assessment or appraisal; a veto or county line task; nobody —
//! plus salience (a petition case). The department compares it with the **cost of the work** at
//! its current **load** `L`:
//!
//! - **priority**: claims are worked in order of `C`, then deadline, then arrival;
//! - **take-up, on every path**: every order — a leader's, an operator's, a routing table's, a
//!   command centre's, a desk's, the whistle's, the hotline's — is kept with probability
//!   `σ(k · (duty + C − out − e/h · (1 + w·L)))` (`out` when the order is outside its authority),
//!   decided when the operator negotiates it, else when a worker first picks its part up. A
//!   refused part goes back to whoever dispatched it; after the last return allowed
//!   (`returns.max_returns`, else `refusals.max_returns`) a refusal ends the order, settled
//!   offline or dropped — never forced on the department. A department with nothing to weigh an
//!   order against ([`decides`]) keeps it without a decision;
//! - **reply quality** (effort): a reply fails the audit with probability
//!   `floor + (ceiling − floor)(1 − exp(−(a·L + b·S + n·e^−C)))`, S the department's stress and
//!   C the weakest consequence behind the order's parts (`n = 0` by default: effort does not
//!   follow who checks unless a scenario says so);
//! - **gaming**: a unit persuades a dissatisfied caller with probability
//!   `clamp((target + margin − score) / scale, 0, 1)`, from its last assessment score;
//! - **coordination**: a leader's authority saves `coordination_relief` of the coordination
//!   overhead of a joint order.
//!
//! With one platform, no line tasks and no return right no claim competes with another and no
//! choice is ever made: the departments are plain queues (`embedsim validate`,
//! `tests/no_drift.rs`). Where the hypothesis is tested: `tests/decisions.rs` (take the leader's
//! sanction away and the platform she carries no longer embeds).

use crate::scenario::{DecisionSpec, Label, Scenario};

/// Who can sanction the neglect of a claim on a department's hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sanctioner {
    /// A core leader who dispatched it with authority, signs off its reply, or both: her
    /// sanction is earned by what she does with the order, not by her title.
    Leader {
        /// She dispatched it with authority.
        dispatched: bool,
        /// She signs off the reply (follows it up).
        signs_off: bool,
    },
    /// A command centre that graded the event and routed it with a lead agency.
    Centre,
    /// The platform's assessment of units.
    Assessment,
    /// The county, with veto weight (一票否决).
    Veto,
    /// The county line department that set the task.
    LineTask,
    /// Nobody: an operator's or deputy's dispatch, an unassessed routing.
    Nobody,
    /// The city's ranking of units on the hotline's orders (接诉即办); `bottom` when the unit
    /// was in the bottom band of the last ranking.
    Ranking {
        /// In the bottom band.
        bottom: bool,
    },
    /// A street's whistle summoning a district department (吹哨报到).
    Whistle,
    /// The unit's own root-cause programme (未诉先办).
    Proactive,
}

impl Sanctioner {
    /// Plain words for traces.
    pub fn words(self) -> &'static str {
        match self {
            Sanctioner::Leader { dispatched: true, signs_off: true } => {
                "the leader who dispatched it and will sign off the reply"
            }
            Sanctioner::Leader { dispatched: true, signs_off: false } => {
                "the leader who dispatched it (she does not check the reply)"
            }
            Sanctioner::Leader { dispatched: false, .. } => "the leader who will sign off the reply",
            Sanctioner::Centre => "the command centre that routed it, with a lead agency",
            Sanctioner::Assessment => "the platform's assessment",
            Sanctioner::Veto => "the county, with veto weight",
            Sanctioner::LineTask => "the county line department",
            Sanctioner::Nobody => "nobody",
            Sanctioner::Ranking { bottom: false } => "the city's monthly ranking",
            Sanctioner::Ranking { bottom: true } => "the city's monthly ranking, with the unit in its bottom band",
            Sanctioner::Whistle => "the street's whistle: a summoned department must report",
            Sanctioner::Proactive => "the unit's own programme of root-cause work",
        }
    }
}

/// What a department can observe of who stands behind an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backing {
    /// Dispatched with authority (a core leader, or a command centre).
    pub authority: bool,
    /// The authority was a command centre's.
    pub centre: bool,
    /// A leader signs off the reply.
    pub signed_off: bool,
    /// The platform assesses or appraises units on its orders.
    pub assessed: bool,
}

/// Who stands behind an order, from what the department can observe: who dispatched it and with
/// what authority, whether a leader follows it up, whether the platform assesses units. A
/// director who neither dispatches nor signs off is not among them.
pub fn order_sanctioner(b: Backing) -> Sanctioner {
    if b.authority && b.centre {
        Sanctioner::Centre
    } else if b.authority || b.signed_off {
        Sanctioner::Leader { dispatched: b.authority, signs_off: b.signed_off }
    } else if b.assessed {
        Sanctioner::Assessment
    } else {
        Sanctioner::Nobody
    }
}

/// Whether department `d` has a decision to make about an order of platform `p`: it has line tasks
/// of its own, the scenario has more than one platform (whose orders may compete for it), or the
/// platform grants a return right. Without any, nothing is displaced and the order is kept without
/// a decision, so a scenario of one platform, no line tasks and no return right is a plain
/// queueing network (docs/MODEL.md, "Neutrality"). Decided from the scenario, at no cost per
/// order; a department of a many-township world that only its own platform reaches still decides.
pub fn decides(sc: &Scenario, d: usize, p: usize) -> bool {
    sc.departments[d].line_tasks.is_some() || sc.platforms.len() > 1 || sc.platforms[p].returns.is_some()
}

/// The consequence of neglecting a claim, in days of work the department would rather spend
/// than face it.
pub fn consequence(spec: &DecisionSpec, who: Sanctioner, label: Label) -> f64 {
    let s = &spec.sanction;
    let base = match who {
        Sanctioner::Leader { dispatched, signs_off } => {
            // Earned: the part resting on dispatching, and the part resting on following up.
            let share = if dispatched { 1.0 - s.follow_up } else { 0.0 } + if signs_off { s.follow_up } else { 0.0 };
            if share >= 1.0 { s.leader } else { s.leader * share }
        }
        Sanctioner::Centre => s.centre,
        Sanctioner::Assessment => s.assessment,
        Sanctioner::Veto => s.veto,
        Sanctioner::LineTask => s.line_task,
        Sanctioner::Nobody => s.none,
        Sanctioner::Ranking { bottom } => s.ranking + if bottom { s.ranking_bottom } else { 0.0 },
        Sanctioner::Whistle => s.whistle,
        Sanctioner::Proactive => s.proactive,
    };
    base + if label == Label::Petition { s.petition } else { 0.0 }
}

/// Weight of one working day in a department's smoothed load: decisions follow the pressure of
/// the last few days, not the pile that any Monday morning finds.
pub const LOAD_SMOOTHING: f64 = 0.3;

/// One working day's load of a department: the share of its capacity it worked that day plus
/// the days of work per staff member still waiting at the end of it (0 when idle, about the
/// utilisation when work keeps up, growing with a backlog).
pub fn day_load(worked_hours: f64, staff: u32, queued_hours: f64, hours_per_day: f64) -> f64 {
    if staff == 0 || hours_per_day <= 0.0 {
        return 0.0;
    }
    let capacity = staff as f64 * hours_per_day;
    worked_hours.max(0.0) / capacity + queued_hours.max(0.0) / capacity
}

/// A department at this smoothed load or above has a full day's work per head and more: a refusal
/// it makes while its time goes to the refused platform's own orders is for lack of capacity, not
/// of authority (docs/MODEL.md 8).
pub const FULL_LOAD: f64 = 1.0;

/// The smoothed load after a working day with load `today`.
pub fn smooth_load(previous: f64, today: f64) -> f64 {
    previous + LOAD_SMOOTHING * (today - previous)
}

/// The terms of one take-up decision, kept for the trace.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TakeUp {
    /// Consequence of neglect.
    pub consequence: f64,
    /// Cost of the work at the current load, days.
    pub cost: f64,
    /// The department's load.
    pub load: f64,
    /// Whether the order is outside the department's authority.
    pub outside_authority: bool,
    /// Probability of keeping it.
    pub p_keep: f64,
}

/// Take-up: the probability that a department keeps an order it could refuse or return.
pub fn take_up(
    spec: &DecisionSpec,
    consequence: f64,
    effort_hours: f64,
    hours_per_day: f64,
    load: f64,
    outside_authority: bool,
) -> TakeUp {
    let t = &spec.take_up;
    let days = if hours_per_day > 0.0 { effort_hours.max(0.0) / hours_per_day } else { 0.0 };
    let cost = days * (1.0 + t.load_weight * load);
    let out = if outside_authority { t.outside_authority } else { 0.0 };
    let x = t.sensitivity * (t.duty + consequence - out - cost);
    TakeUp { consequence, cost, load, outside_authority, p_keep: logistic(x) }
}

/// Reply quality: the probability that a reply written at load `load` and stress `stress`, with
/// `weakest` the smallest consequence of neglect behind the order's parts, fails the audit.
/// Saturating: shortcuts grow fast at first and level off below `ceiling`.
pub fn reply_failure(spec: &DecisionSpec, load: f64, stress: f64, weakest: f64) -> f64 {
    let q = &spec.sloppiness;
    // Written so that `neglect = 0` leaves the sum exactly as it was before effort existed.
    let mut push = q.load * load.max(0.0) + q.stress * stress.clamp(0.0, 1.0);
    if q.neglect > 0.0 {
        push += q.neglect * (-weakest.max(0.0)).exp();
    }
    let push = push.max(0.0);
    (q.floor + (q.ceiling - q.floor) * (1.0 - (-push).exp())).clamp(0.0, 1.0)
}

/// Gaming: the probability that a unit with last assessment score `score` (None before its first
/// assessment) persuades a dissatisfied caller to rate it "satisfied".
pub fn persuasion(spec: &DecisionSpec, score: Option<f64>, target: f64) -> f64 {
    let Some(score) = score else { return 0.0 };
    let g = &spec.gaming;
    ((target + g.margin - score) / g.scale).clamp(0.0, 1.0)
}

/// The share of a joint order's coordination overhead that remains under (or without) authority.
pub fn coordination_factor(spec: &DecisionSpec, authority: bool) -> f64 {
    if authority { 1.0 - spec.coordination_relief } else { 1.0 }
}

fn logistic(x: f64) -> f64 {
    if x.is_nan() {
        return 0.5;
    }
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> DecisionSpec {
        DecisionSpec::default()
    }

    #[test]
    fn take_up_falls_with_load_and_rises_with_sanction() {
        let s = spec();
        let idle = take_up(&s, 0.0, 4.0, 8.0, 0.0, false).p_keep;
        let busy = take_up(&s, 0.0, 4.0, 8.0, 1.0, false).p_keep;
        let swamped = take_up(&s, 0.0, 4.0, 8.0, 3.0, false).p_keep;
        assert!(idle > busy && busy > swamped, "{idle} {busy} {swamped}");
        let sanctioned = take_up(&s, 1.0, 4.0, 8.0, 1.0, false).p_keep;
        assert!(sanctioned > busy);
        let outside = take_up(&s, 0.0, 4.0, 8.0, 1.0, true).p_keep;
        assert!(outside < busy);
    }

    #[test]
    fn bigger_jobs_are_refused_more() {
        let s = spec();
        assert!(take_up(&s, 0.0, 1.0, 8.0, 0.5, false).p_keep > take_up(&s, 0.0, 8.0, 8.0, 0.5, false).p_keep);
    }

    #[test]
    fn consequence_orders_the_claims() {
        let s = spec();
        let c = |w, l| consequence(&s, w, l);
        let full = Sanctioner::Leader { dispatched: true, signs_off: true };
        assert!(c(full, Label::Petition) > c(full, Label::Routine));
        assert!(c(full, Label::Routine) > c(Sanctioner::LineTask, Label::Routine));
        assert!(c(Sanctioner::LineTask, Label::Routine) > c(Sanctioner::Nobody, Label::Routine));
        assert_eq!(c(Sanctioner::Assessment, Label::Routine), c(Sanctioner::LineTask, Label::Routine));
    }

    #[test]
    fn a_leaders_sanction_is_earned_by_dispatching_and_following_up() {
        let s = spec();
        let c = |dispatched, signs_off| consequence(&s, Sanctioner::Leader { dispatched, signs_off }, Label::Routine);
        assert_eq!(c(true, true), s.sanction.leader);
        assert!(c(true, false) < c(true, true) && c(false, true) < c(true, true));
        assert!(c(true, false) > 0.0 && c(false, true) > 0.0);
        assert_eq!(c(true, false) + c(false, true), s.sanction.leader);
        // A director on the wall (no dispatch, no sign-off) is not a sanctioner at all.
        let wall = Backing { authority: false, centre: false, signed_off: false, assessed: false };
        assert_eq!(order_sanctioner(wall), Sanctioner::Nobody);
        assert_eq!(order_sanctioner(Backing { assessed: true, ..wall }), Sanctioner::Assessment);
        assert_eq!(
            order_sanctioner(Backing { signed_off: true, ..wall }),
            Sanctioner::Leader { dispatched: false, signs_off: true }
        );
        assert_eq!(order_sanctioner(Backing { authority: true, centre: true, ..wall }), Sanctioner::Centre);
    }

    #[test]
    fn replies_get_sloppier_under_load_and_saturate() {
        let s = spec();
        let f0 = reply_failure(&s, 0.0, 0.0, 0.0);
        let f1 = reply_failure(&s, 1.0, 0.0, 0.0);
        let f2 = reply_failure(&s, 2.0, 0.5, 0.0);
        let far = reply_failure(&s, 1e6, 1.0, 0.0);
        assert_eq!(f0, s.sloppiness.floor);
        assert!(f0 < f1 && f1 < f2 && f2 < far);
        assert!((far - s.sloppiness.ceiling).abs() < 1e-12);
    }

    #[test]
    fn effort_follows_who_checks_only_when_neglect_is_on() {
        let mut s = spec();
        assert_eq!(reply_failure(&s, 0.5, 0.1, 0.0), reply_failure(&s, 0.5, 0.1, 3.0));
        s.sloppiness.neglect = 1.0;
        let unchecked = reply_failure(&s, 0.5, 0.1, 0.0);
        let ranked =
            reply_failure(&s, 0.5, 0.1, consequence(&s, Sanctioner::Ranking { bottom: false }, Label::Routine));
        let bottom = reply_failure(&s, 0.5, 0.1, consequence(&s, Sanctioner::Ranking { bottom: true }, Label::Routine));
        assert!(unchecked > ranked && ranked > bottom, "{unchecked} {ranked} {bottom}");
    }

    #[test]
    fn only_units_under_pressure_persuade() {
        let s = spec();
        assert_eq!(persuasion(&s, None, 0.9), 0.0);
        assert_eq!(persuasion(&s, Some(0.99), 0.9), 0.0);
        let near = persuasion(&s, Some(0.88), 0.9);
        let far = persuasion(&s, Some(0.7), 0.9);
        assert!(0.0 < near && near < far && far <= 1.0);
    }

    #[test]
    fn idle_department_has_no_load() {
        assert_eq!(day_load(0.0, 5, 0.0, 8.0), 0.0);
        assert_eq!(day_load(40.0, 5, 40.0, 8.0), 2.0);
        let mut l = 0.0;
        for _ in 0..50 {
            l = smooth_load(l, 2.0);
        }
        assert!((l - 2.0).abs() < 1e-6);
    }
}
