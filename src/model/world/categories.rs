//! Issue categories as the order path reads them: drawing one from a mix, and what an order of
//! that category needs. Both are laid out for a big world, where a platform's categories are
//! rarely in cache: a draw reads one list, and intake reads one small record per category
//! instead of the scenario's category, its list of departments and each department's spec.

use crate::engine::dist::Dist;
use crate::engine::rng::SimRng;
#[cfg(doc)]
use crate::model::citizens::weighted_index;
use crate::model::order::Parts;
use crate::scenario::{CategoryId, DeptId, Scenario};

/// What intake needs of one category, gathered from the scenario once per replication.
pub(super) struct CategoryFacts {
    /// The departments an order of it goes to, in route order.
    pub route: Parts<DeptId>,
    /// Effort per department part.
    pub effort: Dist,
    /// Its route includes a county line department.
    pub county: bool,
    /// Within government remit (M15).
    pub reasonable: bool,
    /// Needs authority above the township (M7).
    pub above_township: bool,
}

impl CategoryFacts {
    /// Every category of the scenario, in id order.
    pub fn all(sc: &Scenario) -> Vec<CategoryFacts> {
        sc.categories
            .iter()
            .map(|c| CategoryFacts {
                route: Parts::from(&c.departments[..]),
                effort: c.effort.clone(),
                county: c.departments.iter().any(|&d| sc.departments[d].county),
                reasonable: c.reasonable,
                above_township: c.above_township,
            })
            .collect()
    }
}

/// The categories an issue can be drawn from, with their shares.
pub(super) struct CategoryMix {
    /// Each category with the running sum of the shares up to and including it, added in the
    /// order [`weighted_index`] adds them (one list, so a draw touches one allocation).
    picks: Vec<(f64, CategoryId)>,
    /// The sum of the shares.
    pub total: f64,
    /// What a draw at the very top gives: the last category with a share, as
    /// [`weighted_index`] falls back to.
    last: CategoryId,
}

impl CategoryMix {
    /// The mix of categories `ids`, with their shares in the scenario.
    pub fn new(sc: &Scenario, ids: &[CategoryId]) -> CategoryMix {
        let shares: Vec<f64> = ids.iter().map(|&c| sc.categories[c].share).collect();
        CategoryMix::with_shares(ids, &shares)
    }

    fn with_shares(ids: &[CategoryId], shares: &[f64]) -> CategoryMix {
        let picks = shares
            .iter()
            .scan(0.0, |acc, w| {
                *acc += w;
                Some(*acc)
            })
            .zip(ids.iter().copied())
            .collect();
        let last = shares.iter().rposition(|w| *w > 0.0).unwrap_or(0);
        CategoryMix { picks, total: shares.iter().sum(), last: ids.get(last).copied().unwrap_or_default() }
    }

    /// Draws a category (one uniform draw): the index [`weighted_index`] would give, found by
    /// bisection, so that a city of thousands of categories pays log(n) per draw, not n.
    pub fn draw(&self, rng: &mut SimRng) -> CategoryId {
        let u = crate::engine::dist::uniform(rng) * self.total;
        let i = self.picks.partition_point(|&(acc, _)| u >= acc);
        self.picks.get(i).map_or(self.last, |&(_, c)| c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Streams;
    #[cfg(not(doc))]
    use crate::model::citizens::weighted_index;

    /// The bisection in [`CategoryMix::draw`] gives exactly the index the linear scan of
    /// [`weighted_index`] gives, zero shares included, so a city's draws equal a town's.
    #[test]
    fn category_draws_by_bisection_equal_the_linear_scan() {
        let streams = Streams::new(11, 0);
        let mut pick = streams.stream("shares");
        for n in [1usize, 2, 4, 5, 16, 17, 85, 1715] {
            let shares: Vec<f64> =
                (0..n).map(|i| if i % 7 == 3 { 0.0 } else { 0.05 + crate::engine::dist::uniform(&mut pick) }).collect();
            let ids: Vec<CategoryId> = (0..n).collect();
            let mix = CategoryMix::with_shares(&ids, &shares);
            let (mut a, mut b) = (streams.stream("draws"), streams.stream("draws"));
            for _ in 0..20_000 {
                assert_eq!(mix.draw(&mut a), weighted_index(&mut b, &shares, mix.total));
            }
        }
    }

    /// At the very top a draw falls back to the last category with a share, as the linear
    /// scan does, and to the first when none has one.
    #[test]
    fn a_draw_at_the_top_falls_back_to_the_last_category_with_a_share() {
        assert_eq!(CategoryMix::with_shares(&[4, 7, 9], &[0.5, 0.5, 0.0]).last, 7);
        assert_eq!(CategoryMix::with_shares(&[4, 7], &[0.0, 0.0]).last, 4);
    }
}
