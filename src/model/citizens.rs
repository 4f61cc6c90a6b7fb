//! Villages and citizens (M4): where issues arise, which channel they take, and trust.

use crate::engine::dist::uniform;
use crate::engine::rng::{SimRng, Streams};
use crate::scenario::{CitizenSpec, Scenario};

/// Where a villager takes an issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// Reports it through platform `p`.
    Platform(usize),
    /// Takes it offline to village cadres.
    Offline,
    /// Says nothing.
    Silence,
}

/// A village during a run.
pub struct Village {
    /// Trust in the platforms open to its citizens, in [0, 1], by platform (sorted): the only
    /// ones it can learn about. Any other platform keeps its initial trust, so a world of many
    /// townships does not hold a value for every village and every platform.
    trust: Vec<(usize, f64)>,
    /// When issues arise.
    pub issue_rng: SimRng,
    /// Which category each issue is.
    pub category_rng: SimRng,
    /// Channel choices.
    pub channel_rng: SimRng,
    /// Grid workers' discoveries.
    pub grid_rng: SimRng,
    /// Efforts of the orders its issues become.
    pub effort_rng: SimRng,
    /// The village cadres' own closures (the ladder's second rung).
    pub village_rng: SimRng,
    /// Volunteer stewards' fixes (`[points]`).
    pub points_rng: SimRng,
}

impl Village {
    /// Village `id` with initial trust in each of the platforms open to it (`channels`).
    pub fn new(sc: &Scenario, id: &str, channels: &[usize], streams: &Streams) -> Village {
        let mut trust: Vec<(usize, f64)> = channels.iter().map(|&p| (p, sc.platforms[p].initial_trust)).collect();
        trust.sort_by_key(|e| e.0);
        trust.dedup_by_key(|e| e.0);
        Village {
            trust,
            issue_rng: streams.named("issues", id),
            category_rng: streams.named("category/village", id),
            channel_rng: streams.named("channel", id),
            grid_rng: streams.named("grid", id),
            effort_rng: streams.named("effort/village", id),
            village_rng: streams.named("village-closure", id),
            points_rng: streams.named("points", id),
        }
    }

    /// Logit choice among the platforms open to citizens, offline, and silence.
    ///
    /// Utility of platform p is `appeal_p + trust_weight · trust_p + boost` (`boost`: the points
    /// an issue earns, `[points] report_boost`, else 0). One uniform draw per choice,
    /// whatever the number of options, keeps the stream aligned across scenario variants.
    /// `channels` are the platforms open to this village's citizens, in scenario order.
    pub fn choose(&mut self, sc: &Scenario, channels: &[usize], spec: &CitizenSpec, boost: f64) -> Choice {
        let u = uniform(&mut self.channel_rng);
        let mut weights: Vec<(Choice, f64)> = Vec::with_capacity(channels.len() + 2);
        for &i in channels {
            let p = &sc.platforms[i];
            weights.push((Choice::Platform(i), (p.appeal + spec.trust_weight * self.trust_in(sc, i) + boost).exp()));
        }
        weights.push((Choice::Offline, spec.offline_utility.exp()));
        weights.push((Choice::Silence, spec.silence_utility.exp()));
        let total: f64 = weights.iter().map(|w| w.1).sum();
        let mut acc = 0.0;
        for (c, w) in &weights {
            acc += w / total;
            if u < acc {
                return *c;
            }
        }
        Choice::Silence
    }

    /// Trust in platform `p`.
    pub fn trust_in(&self, sc: &Scenario, p: usize) -> f64 {
        super::sorted::get(&self.trust, p).copied().unwrap_or(sc.platforms[p].initial_trust)
    }

    /// Moves trust in platform `p` a step `rate` toward `target`.
    pub fn learn(&mut self, sc: &Scenario, p: usize, rate: f64, target: f64) {
        let t = super::sorted::entry(&mut self.trust, p, || sc.platforms[p].initial_trust);
        *t += rate * (target - *t);
    }
}

/// Draws an index with probability proportional to `weights` (one uniform draw).
pub fn weighted_index(rng: &mut SimRng, weights: &[f64], total: f64) -> usize {
    let u = uniform(rng) * total;
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        if u < acc {
            return i;
        }
    }
    weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
}
