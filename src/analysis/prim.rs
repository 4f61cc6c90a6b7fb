//! The Patient Rule Induction Method (Friedman & Fisher 1999) for scenario discovery (Bryant &
//! Lempert 2010): find a box in parameter space where an outcome of interest is concentrated.
//!
//! Peeling: starting from the whole space, repeatedly remove the slice (a share `alpha` of the
//! points in the box, whole grid levels at a time) from the low or high end of one parameter that
//! leaves the highest density of cases inside, until fewer than `min_support` points remain. Of
//! the boxes passed, the densest with coverage at least `min_coverage` is kept, then pasted: a
//! side is widened again while that raises the density. Box limits lie halfway between the last
//! value kept and the first value removed.

/// A box: per parameter an open interval (lo, hi); infinite ends do not restrict.
#[derive(Clone, Debug, PartialEq)]
pub struct PrimBox {
    /// Lower limits.
    pub lo: Vec<f64>,
    /// Upper limits.
    pub hi: Vec<f64>,
    /// Share of all cases of interest that fall inside.
    pub coverage: f64,
    /// Share of points inside that are cases.
    pub density: f64,
    /// Points inside.
    pub support: usize,
}

impl PrimBox {
    /// Whether `x` is inside.
    pub fn contains(&self, x: &[f64]) -> bool {
        x.iter().zip(self.lo.iter().zip(&self.hi)).all(|(v, (l, h))| *v > *l && *v < *h)
    }

    /// Parameters the box restricts.
    pub fn restricted(&self) -> Vec<usize> {
        (0..self.lo.len()).filter(|&j| self.lo[j].is_finite() || self.hi[j].is_finite()).collect()
    }
}

/// PRIM's settings.
#[derive(Clone, Copy, Debug)]
pub struct PrimSettings {
    /// Share of the box's points peeled (or pasted) per step.
    pub alpha: f64,
    /// Stop peeling below this share of all points.
    pub min_support: f64,
    /// Keep the densest box that still covers at least this share of the cases.
    pub min_coverage: f64,
}

impl Default for PrimSettings {
    fn default() -> Self {
        PrimSettings { alpha: 0.05, min_support: 0.05, min_coverage: 0.8 }
    }
}

fn stats(x: &[Vec<f64>], y: &[bool], b: &PrimBox) -> (usize, usize) {
    let mut inside = 0;
    let mut cases = 0;
    for (xi, yi) in x.iter().zip(y) {
        if b.contains(xi) {
            inside += 1;
            cases += *yi as usize;
        }
    }
    (inside, cases)
}

fn finish(x: &[Vec<f64>], y: &[bool], mut b: PrimBox, total_cases: usize) -> PrimBox {
    let (inside, cases) = stats(x, y, &b);
    b.support = inside;
    b.density = if inside > 0 { cases as f64 / inside as f64 } else { 0.0 };
    b.coverage = if total_cases > 0 { cases as f64 / total_cases as f64 } else { 0.0 };
    b
}

/// Distinct values of parameter `j` among points inside `b`, ascending.
fn levels(x: &[Vec<f64>], b: &PrimBox, j: usize) -> Vec<f64> {
    let mut v: Vec<f64> = x.iter().filter(|p| b.contains(p)).map(|p| p[j]).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// The box after peeling `alpha` of its points (at least one level) off the low (`up = false`)
/// or high end of parameter `j`; `None` when the box has a single level there.
fn peel(x: &[Vec<f64>], b: &PrimBox, j: usize, high: bool, alpha: f64) -> Option<PrimBox> {
    let v = levels(x, b, j);
    let n = v.len();
    if n < 2 || v[0] == v[n - 1] {
        return None;
    }
    let m = ((alpha * n as f64).ceil() as usize).clamp(1, n - 1);
    let mut nb = b.clone();
    if !high {
        // Remove every point up to and including the level of the m-th lowest.
        let cut = v[m - 1];
        let next = v.iter().copied().find(|&t| t > cut)?;
        nb.lo[j] = (cut + next) / 2.0;
    } else {
        let cut = v[n - m];
        let prev = v.iter().rev().copied().find(|&t| t < cut)?;
        nb.hi[j] = (cut + prev) / 2.0;
    }
    Some(nb)
}

/// The box after widening side (`j`, `high`) to take in about `alpha` of its points again.
fn paste(x: &[Vec<f64>], b: &PrimBox, j: usize, high: bool, alpha: f64) -> Option<PrimBox> {
    let limit = if high { b.hi[j] } else { b.lo[j] };
    if !limit.is_finite() {
        return None;
    }
    // Points inside every other limit, beyond this side.
    let mut outside: Vec<f64> = x
        .iter()
        .filter(|p| {
            p.iter().enumerate().all(|(i, v)| i == j || (*v > b.lo[i] && *v < b.hi[i]))
                && if high { p[j] >= limit } else { p[j] <= limit }
        })
        .map(|p| p[j])
        .collect();
    if outside.is_empty() {
        return None;
    }
    outside.sort_by(f64::total_cmp);
    if !high {
        outside.reverse();
    }
    let inside = x.iter().filter(|p| b.contains(p)).count();
    let m = ((alpha * inside as f64).ceil() as usize).clamp(1, outside.len());
    let take = outside[m - 1];
    let next = outside.iter().copied().find(|&t| if high { t > take } else { t < take });
    let mut nb = b.clone();
    let edge = next.map_or(if high { f64::INFINITY } else { f64::NEG_INFINITY }, |t| (t + take) / 2.0);
    if high {
        nb.hi[j] = edge;
    } else {
        nb.lo[j] = edge;
    }
    Some(nb)
}

/// Peels and pastes; returns the peeling trajectory (every box passed, widest first) and the
/// chosen, pasted box. `x` rows are points, `y` marks the cases of interest.
pub fn prim(x: &[Vec<f64>], y: &[bool], s: &PrimSettings) -> (Vec<PrimBox>, PrimBox) {
    let k = x.first().map_or(0, |r| r.len());
    let total_cases = y.iter().filter(|c| **c).count();
    let whole =
        PrimBox { lo: vec![f64::NEG_INFINITY; k], hi: vec![f64::INFINITY; k], coverage: 0.0, density: 0.0, support: 0 };
    let mut current = finish(x, y, whole, total_cases);
    let min_support = (s.min_support * x.len() as f64).ceil() as usize;
    let mut path = vec![current.clone()];
    loop {
        let mut best: Option<PrimBox> = None;
        for j in 0..k {
            for high in [false, true] {
                let Some(nb) = peel(x, &current, j, high, s.alpha) else { continue };
                let nb = finish(x, y, nb, total_cases);
                if nb.support < min_support.max(1) {
                    continue;
                }
                // Ties: the peel that keeps more points, then the first parameter.
                let better = best.as_ref().is_none_or(|b| {
                    nb.density > b.density + 1e-12 || (nb.density >= b.density - 1e-12 && nb.support > b.support)
                });
                if better {
                    best = Some(nb);
                }
            }
        }
        match best {
            // The best peel is taken even when density dips: PRIM is patient.
            Some(b) => {
                current = b;
                path.push(current.clone());
            }
            None => break,
        }
    }
    let mut chosen = path
        .iter()
        .filter(|b| b.coverage >= s.min_coverage)
        .max_by(|a, b| a.density.total_cmp(&b.density).then(a.support.cmp(&b.support)))
        .cloned()
        .unwrap_or_else(|| path[0].clone());
    // Pasting.
    loop {
        let mut improved = false;
        for j in 0..k {
            for high in [false, true] {
                if let Some(nb) = paste(x, &chosen, j, high, s.alpha) {
                    let nb = finish(x, y, nb, total_cases);
                    if nb.density > chosen.density + 1e-12 {
                        chosen = nb;
                        improved = true;
                    }
                }
            }
        }
        if !improved {
            break;
        }
    }
    (path, chosen)
}

/// Smallest share of all cases a covering box must cover.
const MIN_BOX_COVERAGE: f64 = 0.05;

/// Covering (Friedman & Fisher 1999, section 6): finds a box, removes its points, and looks
/// again in the rest, up to `max_boxes` boxes. A box is kept only if its density is at least
/// `min_lift` times the share p of cases among the points it was found in, or (1 + p) / 2 when
/// that is lower (so the search stops when what remains has no concentrated region). Coverage is reported against all cases and
/// `min_coverage` applies to the cases still uncovered; a box covering under 5% of all cases
/// ends the search. Each box comes with its peeling path.
pub fn covering(
    x: &[Vec<f64>],
    y: &[bool],
    s: &PrimSettings,
    max_boxes: usize,
    min_lift: f64,
) -> Vec<(PrimBox, Vec<PrimBox>)> {
    let total_cases = y.iter().filter(|c| **c).count();
    let mut left: Vec<usize> = (0..x.len()).collect();
    let mut out = Vec::new();
    while out.len() < max_boxes {
        let xs: Vec<Vec<f64>> = left.iter().map(|&i| x[i].clone()).collect();
        let ys: Vec<bool> = left.iter().map(|&i| y[i]).collect();
        let cases = ys.iter().filter(|c| **c).count();
        if cases == 0 {
            break;
        }
        let base = cases as f64 / ys.len() as f64;
        let (path, mut b) = prim(&xs, &ys, s);
        if b.restricted().is_empty() || b.density < (min_lift * base).min((1.0 + base) / 2.0) {
            break;
        }
        let inside_cases = left.iter().filter(|&&i| y[i] && b.contains(&x[i])).count();
        b.coverage = inside_cases as f64 / total_cases as f64;
        // A box of stragglers along earlier boxes' edges is not a region.
        if b.coverage < MIN_BOX_COVERAGE {
            break;
        }
        left.retain(|&i| !b.contains(&x[i]));
        out.push((b, path));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::dist::uniform;
    use crate::engine::rng::Streams;

    /// Cases where x0 < 0.3 and x1 > 0.6 (x2 irrelevant), 3% of labels flipped, 3000 uniform
    /// points: the box must have x0's upper limit within 0.05 of 0.3, x1's lower limit within
    /// 0.05 of 0.6, leave x2 (nearly) free, and reach coverage ≥ 0.8 and density ≥ 0.85.
    #[test]
    fn recovers_a_known_box() {
        let mut rng = Streams::new(21, 0).stream("test/prim");
        let x: Vec<Vec<f64>> = (0..3000).map(|_| (0..3).map(|_| uniform(&mut rng)).collect()).collect();
        let y: Vec<bool> = x
            .iter()
            .map(|p| {
                let inside = p[0] < 0.3 && p[1] > 0.6;
                if uniform(&mut rng) < 0.03 { !inside } else { inside }
            })
            .collect();
        let (path, b) = prim(&x, &y, &PrimSettings::default());
        assert!(path.len() > 5);
        assert!((b.hi[0] - 0.3).abs() < 0.05, "{b:?}");
        assert!((b.lo[1] - 0.6).abs() < 0.05, "{b:?}");
        assert!(b.lo[0] < 0.05 && b.hi[1] > 0.95, "{b:?}");
        assert!(b.lo[2] < 0.1 && b.hi[2] > 0.9, "{b:?}");
        assert!(b.coverage >= 0.8 && b.density >= 0.85, "{b:?}");
    }

    /// Two disjoint boxes of cases: covering finds both, each within 0.05 of its edges, and
    /// stops there (what is left has no concentrated region).
    #[test]
    fn covering_finds_two_boxes() {
        let mut rng = Streams::new(8, 0).stream("test/prim");
        let x: Vec<Vec<f64>> = (0..4000).map(|_| (0..2).map(|_| uniform(&mut rng)).collect()).collect();
        let y: Vec<bool> = x.iter().map(|p| (p[0] < 0.25 && p[1] < 0.4) || (p[0] > 0.7 && p[1] > 0.6)).collect();
        let s = PrimSettings { min_coverage: 0.3, ..PrimSettings::default() };
        let boxes = covering(&x, &y, &s, 4, 2.0);
        assert_eq!(boxes.len(), 2, "{:?}", boxes.iter().map(|b| &b.0).collect::<Vec<_>>());
        let mut found: Vec<&PrimBox> = boxes.iter().map(|b| &b.0).collect();
        found.sort_by(|a, b| a.hi[0].total_cmp(&b.hi[0]));
        assert!((found[0].hi[0] - 0.25).abs() < 0.05 && (found[0].hi[1] - 0.4).abs() < 0.05, "{found:?}");
        assert!((found[1].lo[0] - 0.7).abs() < 0.05 && (found[1].lo[1] - 0.6).abs() < 0.05, "{found:?}");
        let coverage: f64 = found.iter().map(|b| b.coverage).sum();
        assert!(coverage > 0.85 && found.iter().all(|b| b.density > 0.9), "{found:?}");
    }

    #[test]
    fn grid_levels_peel_whole() {
        // A 10 x 10 grid; cases where x0 <= 2.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..10 {
            for j in 0..10 {
                x.push(vec![i as f64, j as f64]);
                y.push(i <= 2);
            }
        }
        let (_, b) = prim(&x, &y, &PrimSettings::default());
        assert_eq!(b.hi[0], 2.5);
        assert_eq!(b.density, 1.0);
        assert_eq!(b.coverage, 1.0);
        assert_eq!(b.restricted(), vec![0]);
    }
}
