//! The city hotline (接诉即办) in the run: inquiries answered at the first contact, tiered time
//! limits, the monthly ranking of units and how units answer it (effort and gaming), and the
//! reforms' strength across a change of leader. The ranking's rules are in
//! `src/model/ranking.rs`; the decision model's in `src/model/decision.rs`.

use super::*;
use crate::model::ranking::{self as rules, Ranking, UnitCounts};

/// One period of the ranking, as the run recorded it.
#[derive(Clone, Debug, PartialEq)]
pub struct RankingPeriod {
    /// Calendar day the period ended.
    pub end_day: f64,
    /// Whether the ranking was in force (with consequences) when the period ended.
    pub in_force: bool,
    /// The table.
    pub table: Ranking,
}

/// The ranking's state during a run.
pub(super) struct RankingState {
    /// Each department's ranked unit (its township; itself without `[townships]`).
    pub unit_of_dept: Vec<Option<usize>>,
    /// This period's counts per unit.
    pub period: Vec<UnitCounts>,
    /// Units in the bottom band of the last ranking in force.
    pub bottom: Vec<bool>,
    /// Units' scores in the last ranking in force (None: not ranked).
    pub scores: Vec<Option<f64>>,
    /// What a unit had to score to stay out of the bottom band last time.
    pub escape: Option<f64>,
    /// Every period so far.
    pub history: Vec<RankingPeriod>,
}

/// The units a scenario ranks (its townships; its departments without `[townships]`), by
/// name, and each department's unit (None for a shared unit such as a district department).
pub fn units(sc: &Scenario) -> (Vec<String>, Vec<Option<usize>>) {
    if sc.layout.townships.is_empty() {
        (sc.departments.iter().map(|d| d.id.clone()).collect(), (0..sc.departments.len()).map(Some).collect())
    } else {
        (sc.layout.townships.iter().map(|t| t.id.clone()).collect(), sc.layout.department.clone())
    }
}

impl RankingState {
    pub(super) fn new(sc: &Scenario) -> Option<RankingState> {
        sc.ranking.as_ref()?;
        let (names, unit_of_dept) = units(sc);
        let n = names.len();
        Some(RankingState {
            unit_of_dept,
            period: vec![UnitCounts::default(); n],
            bottom: vec![false; n],
            scores: vec![None; n],
            escape: None,
            history: Vec::new(),
        })
    }
}

impl World<'_> {
    /// The reforms' strength now (1 without `[turnover]`).
    pub(super) fn reform_strength(&self) -> f64 {
        self.sc.turnover.as_ref().map_or(1.0, |t| t.strength(self.now().hours() / HOURS_PER_DAY))
    }

    /// Whether platform `p`'s orders are ranked now.
    fn ranked_now(&self, p: PlatformId) -> bool {
        self.sc.ranking.as_ref().is_some_and(|r| r.platform == p && self.now().hours() / HOURS_PER_DAY >= r.start_day)
    }

    /// The consequence of neglecting part of an order of platform `p` at department `d` (the
    /// order led by `lead`) once the city's rules are counted: the ranking of `d`'s unit and a
    /// street's whistle add sanctions; the strongest sanction holder decides.
    pub(super) fn rules_consequence(&self, p: PlatformId, d: DeptId, lead: DeptId, label: Label, base: f64) -> f64 {
        let sc = self.sc;
        if sc.ranking.is_none() && sc.whistle.is_none() {
            return base;
        }
        let s = self.reform_strength();
        let mut c = base;
        if let (true, Some(st)) = (self.ranked_now(p), &self.ranking) {
            if let Some(u) = st.unit_of_dept[d] {
                let who = decision::Sanctioner::Ranking { bottom: st.bottom[u] };
                c = c.max(s * decision::consequence(&sc.decisions, who, label));
            }
        }
        if self.summoned(d, lead) {
            c = c.max(s * decision::consequence(&sc.decisions, decision::Sanctioner::Whistle, label));
        }
        c
    }

    /// The city rule that stands behind part of an order of platform `p` at department `d`, if
    /// any (for the trace): a summons, or the ranking of `d`'s unit.
    pub(super) fn rules_sanctioner(&self, p: PlatformId, d: DeptId, lead: DeptId) -> Option<decision::Sanctioner> {
        if self.summoned(d, lead) {
            return Some(decision::Sanctioner::Whistle);
        }
        let st = self.ranking.as_ref().filter(|_| self.ranked_now(p))?;
        st.unit_of_dept[d].map(|u| decision::Sanctioner::Ranking { bottom: st.bottom[u] })
    }

    /// Counts an ended order of the ranked platform for its lead unit (closed, or lost).
    pub(super) fn rank_closure(
        &mut self,
        o: &super::endings::Ending,
        responded: bool,
        resolved: bool,
        satisfied: bool,
    ) {
        let Some(r) = &self.sc.ranking else { return };
        if r.platform != o.platform {
            return;
        }
        let Some(st) = self.ranking.as_mut() else { return };
        if let Some(u) = st.unit_of_dept[o.lead] {
            let c = &mut st.period[u];
            c.closed += 1;
            c.responded += responded as u64;
            c.resolved += resolved as u64;
            c.satisfied += satisfied as u64;
        }
    }

    /// Gaming under the ranking: the probability that the lead unit of an order of platform
    /// `p` persuades a dissatisfied caller, with the hours and success of a call. A unit games
    /// when its last score was near or below what it took to leave the bottom band.
    pub(super) fn ranking_gaming(&self, p: PlatformId, lead: DeptId) -> Option<(f64, f64, f64)> {
        let r = self.sc.ranking.as_ref()?;
        if !self.ranked_now(p) {
            return None;
        }
        let st = self.ranking.as_ref()?;
        let u = st.unit_of_dept[lead]?;
        let escape = st.escape?;
        let prob = decision::persuasion(&self.sc.decisions, st.scores[u], escape) * self.reform_strength();
        Some((prob, r.persuasion_success, r.persuasion_hours))
    }

    /// The end of a ranking period: rank the units, and carry the consequences (a heavier
    /// sanction and stress for the bottom band) through the next period.
    pub(super) fn ranking_end(&mut self) -> Result<(), PastSchedule> {
        let sc = self.sc;
        let r = sc.ranking.as_ref().expect("ranking events need [ranking]");
        let end_day = self.now().hours() / HOURS_PER_DAY;
        let in_force = end_day > r.start_day;
        let s = self.reform_strength();
        let st = self.ranking.as_mut().expect("ranking state");
        let table = rules::rank(&st.period, r.min_orders, r.bottom_share);
        if in_force {
            for (u, t) in table.units.iter().enumerate() {
                st.bottom[u] = t.bottom;
                st.scores[u] = t.rank.and(t.score);
            }
            st.escape = table.escape;
            for (d, unit) in st.unit_of_dept.iter().enumerate() {
                if let Some(u) = unit {
                    self.departments[d].penalty = if st.bottom[*u] { r.penalty * s } else { 0.0 };
                }
            }
        }
        st.period.iter_mut().for_each(|c| *c = UnitCounts::default());
        st.history.push(RankingPeriod { end_day, in_force, table });
        self.after_hours(r.period_days * HOURS_PER_DAY, Event::RankingEnd)
    }
}
