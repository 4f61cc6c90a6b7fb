//! What a sweep's `report.html` shows (`embedsim sweep --report`): the modal regime of every
//! platform at every point, on axes that are numeric (drawn to scale) or categorical (named
//! values, in the sweep file's order, drawn as such), and the decisive figures in sentences in
//! English and 中文.

use crate::scenario::display::{Lang, Names};
use serde::Serialize;

use super::html::Bilingual;
use crate::experiment::sweep::Manifest;
use crate::experiment::sweep_files::PointStats;
use crate::metrics::Regime;

/// One varying parameter of the sweep.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AxisView {
    /// The key path.
    pub key: String,
    /// What it is, in words with its unit.
    pub words: String,
    /// The same in Chinese.
    pub words_zh: String,
    /// Its values are names (or switches), not numbers: drawn as categories.
    pub categorical: bool,
    /// Its values: ascending when numeric, in the sweep file's order when categorical.
    pub values: Vec<String>,
}

/// One point of a platform's map.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CellView {
    /// Index into each axis's values.
    pub at: Vec<usize>,
    /// The modal regime (its name).
    pub regime: &'static str,
    /// Share of replications in that regime.
    pub share: f64,
}

/// One platform's regimes over the sweep.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MapView {
    /// Platform id.
    pub platform: String,
    /// One cell per point.
    pub cells: Vec<CellView>,
}

/// A sweep, for its report.
#[derive(Clone, Debug, Serialize)]
pub struct SweepView {
    /// The program's version.
    pub version: String,
    /// The sweep's name.
    pub name: String,
    /// The sweep file.
    pub origin: String,
    /// Its text.
    pub text: String,
    /// The base scenario's name.
    pub base: String,
    /// The base scenario's description.
    pub description: String,
    /// The seed of every point.
    pub seed: String,
    /// Replications per point.
    pub replications: u32,
    /// Points.
    pub points: usize,
    /// Runs.
    pub runs: usize,
    /// Every point is on a full grid of the varying parameters' values.
    pub grid: bool,
    /// The parameters that vary, in the sweep's order.
    pub axes: Vec<AxisView>,
    /// Parameters that take one value only: (key path, value).
    pub fixed: Vec<(String, String)>,
    /// Regime names, in the order of the legend.
    pub regime_names: Vec<&'static str>,
    /// Per platform.
    pub maps: Vec<MapView>,
    /// The decisive figures in sentences.
    pub sentences: Vec<Bilingual>,
    /// The base scenario's names for people (its platforms name the maps).
    pub names: Names,
}

/// The sweep's own description: its file, the base scenario.
#[derive(Clone, Debug, Default)]
pub struct SweepSource {
    /// The sweep file, as given.
    pub origin: String,
    /// Its text.
    pub text: String,
    /// The base scenario's name.
    pub base: String,
    /// The base scenario's description.
    pub description: String,
    /// The base scenario's names for people.
    pub names: Names,
}

/// Builds the view of a finished sweep from its manifest and per-point statistics.
pub fn sweep_view(m: &Manifest, stats: &[PointStats], source: SweepSource) -> SweepView {
    let np = m.platforms.len();
    let mut axes = Vec::new();
    let mut fixed = Vec::new();
    let mut varying = Vec::new();
    for (k, key) in m.parameters.iter().enumerate() {
        let (mut values, categorical) = axis_values(m, k);
        if values.len() < 2 {
            fixed.push((key.clone(), values.pop().unwrap_or_default()));
            continue;
        }
        varying.push(k);
        axes.push(AxisView {
            key: key.clone(),
            words: super::words::axis(key),
            words_zh: super::words::axis_zh(key),
            categorical,
            values,
        });
    }
    let at = |point: usize| -> Vec<usize> {
        varying
            .iter()
            .zip(&axes)
            .map(|(&k, a)| a.values.iter().position(|v| *v == m.points[point][k]).unwrap_or(0))
            .collect()
    };
    let cells_total: usize = axes.iter().map(|a| a.values.len()).product();
    let mut distinct: Vec<Vec<usize>> = (0..m.points.len()).map(at).collect();
    distinct.sort();
    distinct.dedup();
    let grid = !axes.is_empty() && distinct.len() == m.points.len() && cells_total == m.points.len();
    let maps: Vec<MapView> = m
        .platforms
        .iter()
        .enumerate()
        .map(|(pi, platform)| MapView {
            platform: platform.clone(),
            cells: (0..m.points.len())
                .filter_map(|p| stats.get(p * np + pi).map(|s| (p, s)))
                .map(|(p, s)| {
                    let g = Regime::ALL.iter().position(|g| *g == s.modal).unwrap_or(0);
                    CellView { at: at(p), regime: s.modal.name(), share: s.shares.get(g).copied().unwrap_or(f64::NAN) }
                })
                .collect(),
        })
        .collect();
    let shown: Vec<&'static str> = Regime::ALL
        .iter()
        .map(|g| g.name())
        .filter(|n| maps.iter().any(|m| m.cells.iter().any(|c| c.regime == *n)))
        .collect();
    let sentences = sentences(m, &axes, &maps, grid, &source.names);
    SweepView {
        version: crate::provenance::describe(),
        name: m.name.clone(),
        origin: source.origin,
        text: source.text,
        base: source.base,
        description: source.description,
        seed: m.seed.clone(),
        replications: m.replications,
        points: m.points.len(),
        runs: m.runs,
        grid,
        axes,
        fixed,
        regime_names: shown,
        maps,
        sentences,
        names: source.names,
    }
}

/// Parameter `k`'s distinct values, and whether they are categorical (not all numbers): numbers
/// ascending, categories in the order they first appear (the sweep file's order).
pub fn axis_values(m: &Manifest, k: usize) -> (Vec<String>, bool) {
    let mut values: Vec<String> = Vec::new();
    for p in &m.points {
        if !values.contains(&p[k]) {
            values.push(p[k].clone());
        }
    }
    let numbers: Option<Vec<f64>> = values.iter().map(|v| v.parse::<f64>().ok()).collect();
    match numbers {
        None => (values, true),
        Some(n) => {
            let mut pairs: Vec<(f64, String)> = n.into_iter().zip(values).collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
            (pairs.into_iter().map(|p| p.1).collect(), false)
        }
    }
}

fn regime_of(name: &str) -> Regime {
    Regime::ALL.iter().copied().find(|g| g.name() == name).unwrap_or(Regime::Unclassified)
}

/// Runs of one regime along an axis: (regime, first value, last value).
fn runs_along<'a>(seq: &[(&'a str, &'static str)]) -> Vec<(&'static str, &'a str, &'a str)> {
    let mut out: Vec<(&'static str, &str, &str)> = Vec::new();
    for &(v, r) in seq {
        match out.last_mut() {
            Some(last) if last.0 == r => last.2 = v,
            _ => out.push((r, v, v)),
        }
    }
    out
}

/// "floating up to 1, overloaded from 1.5 to 3, reengineered from 3.5" and its Chinese.
fn along_words(runs: &[(&'static str, &str, &str)], categorical: bool) -> (String, String) {
    let (mut en, mut zh) = (Vec::new(), Vec::new());
    let last = runs.len().saturating_sub(1);
    for (i, &(r, a, b)) in runs.iter().enumerate() {
        let g = regime_of(r);
        let (e, z) = if runs.len() == 1 {
            (format!("{r} throughout"), format!("始终{}", g.chinese()))
        } else if categorical || a == b {
            if a == b {
                (format!("{r} at {a}"), format!("{a} 时{}", g.chinese()))
            } else {
                (format!("{r} at {a} to {b}"), format!("{a} 至 {b} 时{}", g.chinese()))
            }
        } else if i == 0 {
            (format!("{r} up to {b}"), format!("≤ {b} 时{}", g.chinese()))
        } else if i == last {
            (format!("{r} from {a}"), format!("≥ {a} 时{}", g.chinese()))
        } else {
            (format!("{r} from {a} to {b}"), format!("{a}–{b} 时{}", g.chinese()))
        };
        en.push(e);
        zh.push(z);
    }
    (en.join(", "), zh.join("，"))
}

/// Most sentences about the rows of a two-parameter map, per platform.
const MAX_ROWS: usize = 12;

fn sentences(m: &Manifest, axes: &[AxisView], maps: &[MapView], grid: bool, names: &Names) -> Vec<Bilingual> {
    let mut out = Vec::new();
    let n = m.points.len();
    for map in maps {
        let (p_en, p_zh) = (names.platform(&map.platform, Lang::En), names.platform(&map.platform, Lang::Zh));
        let mut counts: Vec<(Regime, usize)> = Regime::ALL
            .iter()
            .map(|g| (*g, map.cells.iter().filter(|c| c.regime == g.name()).count()))
            .filter(|c| c.1 > 0)
            .collect();
        counts.sort_by_key(|c| std::cmp::Reverse(c.1));
        let en: Vec<String> = counts.iter().map(|(g, k)| format!("{} at {k}", g.name())).collect();
        let zh: Vec<String> = counts.iter().map(|(g, k)| format!("{}的有 {k} 个", g.chinese())).collect();
        out.push(Bilingual {
            en: format!("{p_en}: of {n} points, the modal regime is {}.", en.join(", ")),
            zh: format!("{p_zh}：{n} 个参数点中，众数状态为{}。", zh.join("，")),
        });
        if counts.len() < 2 || !grid {
            continue;
        }
        let a0 = &axes[0];
        match axes.len() {
            1 => {
                let seq: Vec<(&str, &'static str)> = (0..a0.values.len())
                    .filter_map(|i| map.cells.iter().find(|c| c.at[0] == i).map(|c| (a0.values[i].as_str(), c.regime)))
                    .collect();
                let (en, zh) = along_words(&runs_along(&seq), a0.categorical);
                out.push(Bilingual {
                    en: format!("Along {}, {p_en} is {en}.", a0.words),
                    zh: format!("沿{}，{p_zh} {zh}。", a0.words_zh),
                });
            }
            2 => {
                let a1 = &axes[1];
                for (j, y) in a1.values.iter().enumerate().take(MAX_ROWS) {
                    let seq: Vec<(&str, &'static str)> = (0..a0.values.len())
                        .filter_map(|i| {
                            map.cells.iter().find(|c| c.at == [i, j]).map(|c| (a0.values[i].as_str(), c.regime))
                        })
                        .collect();
                    let (en, zh) = along_words(&runs_along(&seq), a0.categorical);
                    out.push(Bilingual {
                        en: format!("{p_en} at {} = {y}: along {}, {en}.", a1.words, a0.words),
                        zh: format!("{p_zh}，{} = {y}：沿{}，{zh}。", a1.words_zh, a0.words_zh),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_a_regime_read_as_ranges() {
        let seq = [("0", "floating"), ("1", "floating"), ("2", "overloaded"), ("3", "embedded"), ("4", "embedded")];
        let (en, zh) = along_words(&runs_along(&seq), false);
        assert_eq!(en, "floating up to 1, overloaded at 2, embedded from 3");
        assert_eq!(zh, "≤ 1 时悬浮，2 时超载，≥ 3 时嵌入");
        let (en, _) = along_words(&runs_along(&[("leader", "floating"), ("auto", "embedded")]), true);
        assert_eq!(en, "floating at leader, embedded at auto");
        let (en, zh) = along_words(&runs_along(&[("1", "idling"), ("2", "idling")]), false);
        assert_eq!((en.as_str(), zh.as_str()), ("idling throughout", "始终空转"));
    }
}
