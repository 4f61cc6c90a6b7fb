//! Proactive governance (未诉先办) in the run: units look at what their residents raised most
//! in the last period and put staff hours into its root causes, which lowers that category's
//! later issue rate; the work competes with answering orders for the same hours.
//! Source: 孙远太 and 孙冰清 (2024), paper 003 in docs/MODEL.md, References.
//!
//! A category's rate is thinned: an issue of category `c` arises with probability `m_c`, the
//! multiplier root-cause work has brought it to (exact for a Poisson process). Each completed
//! piece of work multiplies `m_c` by `1 − cut` (never below `floor`); every day `m_c` relapses
//! toward 1 with time constant `relapse_days`.

use super::*;

/// Proactive work's state during a run.
pub(super) struct ProactiveState {
    /// Thinning draws (`proactive`).
    rng: SimRng,
    /// Orders per category this period.
    counts: Vec<u64>,
    /// Rate multiplier per category.
    pub multiplier: Vec<f64>,
    /// Each unit's categories (those its departments lead).
    unit_categories: Vec<Vec<CategoryId>>,
    /// Pieces of root-cause work completed after warm-up.
    pub done: u64,
}

impl ProactiveState {
    pub(super) fn new(sc: &Scenario, streams: &Streams) -> Option<ProactiveState> {
        sc.proactive.as_ref()?;
        let (names, unit_of_dept) = super::ranking::units(sc);
        let mut unit_categories = vec![Vec::new(); names.len()];
        for (c, cat) in sc.categories.iter().enumerate() {
            if let Some(u) = cat.departments.first().and_then(|&d| unit_of_dept[d]) {
                unit_categories[u].push(c);
            }
        }
        Some(ProactiveState {
            rng: streams.stream("proactive"),
            counts: vec![0; sc.categories.len()],
            multiplier: vec![1.0; sc.categories.len()],
            unit_categories,
            done: 0,
        })
    }
}

impl World<'_> {
    /// Whether an issue of category `c` is one that root-cause work has prevented; counts the
    /// category's orders otherwise.
    pub(super) fn prevented(&mut self, c: CategoryId) -> bool {
        let Some(st) = self.proactive.as_mut() else { return false };
        let m = st.multiplier[c];
        if m < 1.0 && !chance(&mut st.rng, m) {
            return true;
        }
        st.counts[c] += 1;
        false
    }

    /// The end of an analysis period: each unit takes on its most frequent categories.
    pub(super) fn proactive_end(&mut self) -> Result<(), PastSchedule> {
        let sc = self.sc;
        let spec = sc.proactive.as_ref().expect("proactive events need [proactive]");
        let consequence = self.reform_strength()
            * decision::consequence(&sc.decisions, decision::Sanctioner::Proactive, Label::Routine);
        let now = self.now();
        let st = self.proactive.as_mut().expect("proactive state");
        let mut work = Vec::new();
        for cats in &st.unit_categories {
            let mut top: Vec<CategoryId> = cats.iter().copied().filter(|&c| st.counts[c] > 0).collect();
            top.sort_by(|&a, &b| st.counts[b].cmp(&st.counts[a]).then(a.cmp(&b)));
            work.extend(top.into_iter().take(spec.categories as usize));
        }
        st.counts.iter_mut().for_each(|n| *n = 0);
        for c in work {
            let seq = self.next_seq();
            let job = Job {
                consequence,
                deadline: SimTime::NEVER,
                seq,
                queued_at: now,
                kind: JobKind::RootCause { category: c },
                effort: spec.hours,
                started: SimTime::ZERO,
                started_worked: 0.0,
                speed: 1.0,
                pressed: false,
                counted: now >= self.warmup,
            };
            self.department_enqueue(sc.categories[c].departments[0], job)?;
        }
        self.after_hours(spec.period_days * HOURS_PER_DAY, Event::ProactiveEnd)
    }

    /// A piece of root-cause work is done: the category arises less often from now on.
    pub(super) fn root_cause_done(&mut self, c: CategoryId, counted: bool) {
        let spec = self.sc.proactive.as_ref().expect("root-cause work needs [proactive]");
        let st = self.proactive.as_mut().expect("proactive state");
        st.multiplier[c] = (st.multiplier[c] * (1.0 - spec.cut)).max(spec.floor);
        st.done += counted as u64;
    }

    /// A day passes: prevented problems creep back.
    pub(super) fn proactive_relapse(&mut self) {
        let (Some(spec), Some(st)) = (self.sc.proactive.as_ref(), self.proactive.as_mut()) else { return };
        let k = 1.0 - (-1.0 / spec.relapse_days).exp();
        for m in st.multiplier.iter_mut().filter(|m| **m < 1.0) {
            *m += (1.0 - *m) * k;
        }
    }
}
