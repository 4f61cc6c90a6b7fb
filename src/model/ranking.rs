//! The city hotline's ranking of streets and townships (接诉即办): the rules in one place.
//!
//! Source: 孙远太 and 孙冰清 (2024) on Beijing's path from 吹哨报到 to 接诉即办 to 未诉先办
//! (paper 003 in docs/MODEL.md, References), and the public description of the Beijing 12345
//! hotline: every street and township is ranked each month on **response**, **resolution** and
//! **satisfaction**, and the bottom of the table is called to account.
//!
//! A unit's score for a period is the mean of its three rates over the ranked platform's orders
//! it led that closed in the period. Units with too few closed orders are not ranked. Units are
//! sorted by score (ties by index, so the order is deterministic); the lowest
//! `ceil(bottom_share · n)` form the bottom band. A ranking is **relative**: the score a unit
//! needs to leave the band (the lowest score above it, [`Ranking::escape`]) moves with everyone
//! else's, so one unit's effort changes the others' positions and pressure.

/// One unit's counts over a period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnitCounts {
    /// Ranked orders it led that closed.
    pub closed: u64,
    /// Of those, work began within the time limit.
    pub responded: u64,
    /// Of those, resolved.
    pub resolved: u64,
    /// Of those, the caller rated "satisfied".
    pub satisfied: u64,
}

impl UnitCounts {
    /// The period's score: mean of the response, resolution and satisfaction rates.
    pub fn score(&self) -> Option<f64> {
        (self.closed > 0).then(|| (self.responded + self.resolved + self.satisfied) as f64 / (3 * self.closed) as f64)
    }
}

/// One unit in one period's table.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitRank {
    /// Its counts.
    pub counts: UnitCounts,
    /// Its score, if it closed any order.
    pub score: Option<f64>,
    /// Its place from the top (1 = best), when ranked.
    pub rank: Option<u32>,
    /// In the bottom band.
    pub bottom: bool,
}

/// One period's table.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranking {
    /// Per unit, in unit order.
    pub units: Vec<UnitRank>,
    /// The lowest score outside the bottom band: what a bottom unit had to beat (None when
    /// nobody is outside the band).
    pub escape: Option<f64>,
    /// Units ranked.
    pub ranked: usize,
}

/// Ranks units from their counts. `min_orders`: fewer closed orders, not ranked;
/// `bottom_share`: share of ranked units in the bottom band (at least one when any is ranked
/// and the share is positive).
pub fn rank(counts: &[UnitCounts], min_orders: u64, bottom_share: f64) -> Ranking {
    let mut order: Vec<(usize, f64)> = counts
        .iter()
        .enumerate()
        .filter(|(_, c)| c.closed >= min_orders)
        .filter_map(|(u, c)| c.score().map(|s| (u, s)))
        .collect();
    // Best first; equal scores by unit index.
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let n = order.len();
    let band = if bottom_share > 0.0 && n > 0 { ((bottom_share * n as f64).ceil() as usize).clamp(1, n) } else { 0 };
    let mut units: Vec<UnitRank> =
        counts.iter().map(|c| UnitRank { counts: *c, score: c.score(), rank: None, bottom: false }).collect();
    for (place, &(u, _)) in order.iter().enumerate() {
        units[u].rank = Some(place as u32 + 1);
        units[u].bottom = place >= n - band;
    }
    let escape = (band < n && band > 0).then(|| order[n - band - 1].1);
    Ranking { units, escape, ranked: n }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(closed: u64, ok: u64) -> UnitCounts {
        UnitCounts { closed, responded: ok, resolved: ok, satisfied: ok }
    }

    #[test]
    fn the_bottom_band_is_relative() {
        let r = rank(&[c(10, 9), c(10, 5), c(10, 7), c(10, 8)], 5, 0.25);
        assert_eq!(r.ranked, 4);
        assert_eq!(r.units.iter().map(|u| u.rank.unwrap()).collect::<Vec<_>>(), [1, 4, 3, 2]);
        assert!(r.units[1].bottom && !r.units[2].bottom);
        assert_eq!(r.escape, Some(0.7));
        // The same unit, unchanged, leaves the bottom when another does worse.
        let r2 = rank(&[c(10, 9), c(10, 5), c(10, 4), c(10, 8)], 5, 0.25);
        assert!(!r2.units[1].bottom && r2.units[2].bottom);
        assert_eq!(r2.escape, Some(0.5));
    }

    #[test]
    fn small_units_are_not_ranked_and_ties_are_stable() {
        let r = rank(&[c(2, 0), c(10, 5), c(10, 5)], 5, 0.1);
        assert_eq!(r.units[0].rank, None);
        assert!(!r.units[0].bottom);
        assert_eq!((r.units[1].rank, r.units[2].rank), (Some(1), Some(2)));
        assert!(r.units[2].bottom, "at least one unit is in the band");
        assert_eq!(rank(&[], 1, 0.1).escape, None);
        assert_eq!(rank(&[c(10, 5)], 1, 0.0).units[0].bottom, false);
    }

    #[test]
    fn the_score_weighs_the_three_rates_equally() {
        let u = UnitCounts { closed: 10, responded: 10, resolved: 5, satisfied: 0 };
        assert_eq!(u.score(), Some(0.5));
        assert_eq!(UnitCounts::default().score(), None);
    }
}
