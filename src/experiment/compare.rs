//! Paired comparisons of two scenarios on common random numbers.
//!
//! Replication `r` of A and of B use the same seed and replication index, so every named random
//! stream (arrivals, efforts, ...) gives both the same draws. The per-replication differences
//! B − A then carry far less noise than two independent samples, and a t interval on them is the
//! paired 95% confidence interval. Each difference also gets a paired t test; the p-values of
//! all the tests reported are adjusted together (Holm by default, or Benjamini–Hochberg), and
//! "significant" means an adjusted p-value of at most 0.05.

use std::path::Path;

use super::sweep::KEY_METRICS;
use super::{ExperimentError, run_range};
use crate::analysis::multiplicity::Adjust;
use crate::analysis::precision::{Reached, Target, extend_until};
use crate::analysis::special::t_two_sided_p;
use crate::analysis::warmup::{Warmup, WarmupAdvice, WarmupError, advise, apply};
use crate::metrics::Regime;
use crate::metrics::stats::mean_ci95;
use crate::metrics::summary::{PlatformSummary, summarize};
use crate::model::RunOutput;
use crate::output::atomic::{WriteError, num};
use crate::scenario::Scenario;
use crate::scenario::display::{Lang, Names};

/// The difference B − A of one metric on one platform.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// Platform id (present in both scenarios).
    pub platform: String,
    /// Metric name.
    pub metric: String,
    /// Replications where both values are defined.
    pub pairs: u64,
    /// Mean under A.
    pub mean_a: f64,
    /// Mean under B.
    pub mean_b: f64,
    /// Mean of the paired differences B − A.
    pub diff: f64,
    /// Paired 95% half-width (t on the differences); NaN under two pairs.
    pub half_width: f64,
    /// Two-sided p-value of the paired t test (NaN under two pairs).
    pub p_value: f64,
    /// The p-value adjusted over every test of the comparison.
    pub p_adjusted: f64,
}

impl Difference {
    /// Whether B's value is "more" than A's: larger, or for a gap (satisfaction minus
    /// resolution) wider — further from zero, whichever its sign.
    pub fn grows(&self) -> bool {
        if self.metric == "gaming_gap" { self.mean_b.abs() > self.mean_a.abs() } else { self.diff > 0.0 }
    }

    /// Whether the adjusted p-value is at most 0.05.
    pub fn significant(&self) -> bool {
        self.p_adjusted <= 0.05
    }

    /// Whether a time difference reads better in days: a wait or a stay of two days or more
    /// ("3.9 ± 0.3 days", not "94.07 ± 7.37 hours").
    fn in_days(&self) -> bool {
        matches!(self.metric.as_str(), "mean_wait_hours" | "mean_sojourn_hours") && self.diff.abs() >= 48.0
    }

    /// A plain sentence, e.g. "minhu closes 41.0 ± 3.2 more orders a month in the system under B".
    pub fn sentence(&self, names: &Names) -> String {
        let p = names.platform(&self.platform, Lang::En);
        if self.diff == 0.0 && (self.half_width == 0.0 || self.half_width.is_nan()) {
            return format!("{p}: {} is the same under A and B", self.metric);
        }
        let up = self.grows();
        let (d, h) = (self.diff.abs(), self.half_width);
        let pm = |scale: f64, digits: usize| {
            if h.is_finite() {
                format!("{:.*} ± {:.*}", digits, d * scale, digits, h * scale)
            } else {
                format!("{:.*}", digits, d * scale)
            }
        };
        let s = match SENTENCES.iter().find(|t| t.metric == self.metric) {
            Some(t) => {
                let word = if up { t.up } else { t.down };
                let (scale, digits, unit) = match self.in_days() {
                    true => (1.0 / 24.0, 1, " days"),
                    false => (t.scale, t.digits, t.unit),
                };
                format!("{p}{} {}{unit} {word}{} under B", t.subject, pm(scale, digits), t.rest)
            }
            None => format!("{p}: {} is {} {} under B", self.metric, pm(1.0, 3), if up { "higher" } else { "lower" }),
        };
        if self.significant() { s } else { format!("{s} (not distinguishable from no difference)") }
    }
}

impl Difference {
    /// The sentence in 中文, e.g. "minhu：在 B 下，每月在系统内办结的工单多 41.0 ± 3.2 件".
    pub fn sentence_zh(&self, names: &Names) -> String {
        let p = names.platform(&self.platform, Lang::Zh);
        let (name, scale, digits, unit) = match self.metric.as_str() {
            "closed_per_month" => ("每月在系统内办结的工单", 1.0, 1, " 件"),
            "closed_in_system_share" => ("在系统内办结的比例", 100.0, 1, " 个百分点"),
            "on_time_share" => ("按时办结的比例", 100.0, 1, " 个百分点"),
            "mean_wait_hours" => ("工单的平均等待时间", 1.0, 2, " 小时"),
            "mean_sojourn_hours" => ("工单从到达到办结的平均时间", 1.0, 2, " 小时"),
            "p_wait" => ("工单需要等待的概率", 100.0, 1, " 个百分点"),
            "weighted_r" => ("部门的流程再造水平 R", 1.0, 3, ""),
            "leader_attention_hours" => ("占用领导注意力的小时数", 1.0, 1, " 小时"),
            "resolution_rate" => ("已办结工单的解决率", 100.0, 1, " 个百分点"),
            "satisfaction_rate" => ("已办结工单的满意率", 100.0, 1, " 个百分点"),
            "gaming_gap" => ("满意率与解决率之差", 100.0, 1, " 个百分点"),
            "burden_share" => ("负担比例（负能）", 100.0, 1, " 个百分点"),
            other => (other, 1.0, 3, ""),
        };
        let (scale, digits, unit) = if self.in_days() { (1.0 / 24.0, 1, " 天") } else { (scale, digits, unit) };
        if self.diff == 0.0 && (self.half_width == 0.0 || self.half_width.is_nan()) {
            return format!("{p}：{name}在 A 与 B 下相同");
        }
        let amount = if self.half_width.is_finite() {
            format!("{:.*} ± {:.*}", digits, self.diff.abs() * scale, digits, self.half_width * scale)
        } else {
            format!("{:.*}", digits, self.diff.abs() * scale)
        };
        let word = match (self.metric == "gaming_gap", self.grows()) {
            (true, true) => "扩大",
            (true, false) => "缩小",
            (false, true) => "增加",
            (false, false) => "减少",
        };
        let s = format!("{p}：在 B 下，{name}{word} {amount}{unit}");
        if self.significant() { s } else { format!("{s}（与无差别无法区分）") }
    }
}

/// How a key metric's difference reads: "{platform}{subject} {amount}{unit} {up|down}{rest} under B".
struct Sentence {
    metric: &'static str,
    subject: &'static str,
    scale: f64,
    digits: usize,
    unit: &'static str,
    up: &'static str,
    down: &'static str,
    rest: &'static str,
}

const fn sentence(
    metric: &'static str,
    subject: &'static str,
    (scale, digits, unit): (f64, usize, &'static str),
    (up, down): (&'static str, &'static str),
    rest: &'static str,
) -> Sentence {
    Sentence { metric, subject, scale, digits, unit, up, down, rest }
}

const PP: (f64, usize, &str) = (100.0, 1, " percentage points");
const SENTENCES: &[Sentence] = &[
    sentence("closed_per_month", " closes", (1.0, 1, ""), ("more", "fewer"), " orders a month in the system"),
    sentence("closed_in_system_share", " closes", PP, ("more", "fewer"), " of its orders in the system"),
    sentence("on_time_share", " closes", PP, ("more", "fewer"), " of its orders on time"),
    sentence("mean_wait_hours", "'s orders wait", (1.0, 2, " hours"), ("longer", "less"), " on average"),
    sentence(
        "mean_sojourn_hours",
        "'s orders take",
        (1.0, 2, " hours"),
        ("longer", "less"),
        " from arrival to closure",
    ),
    sentence("p_wait", "'s chance that an order waits is", PP, ("higher", "lower"), ""),
    sentence("weighted_r", "'s departments are", (1.0, 3, ""), ("more", "less"), " reengineered (R)"),
    sentence("leader_attention_hours", " takes", (1.0, 1, ""), ("more", "fewer"), " hours of leaders' attention"),
    sentence("resolution_rate", " resolves", PP, ("more", "fewer"), " of its closed orders"),
    sentence("satisfaction_rate", "'s callers rate", PP, ("more", "fewer"), " of its closed orders satisfied"),
    sentence(
        "gaming_gap",
        "'s gaming gap (satisfaction minus resolution) is",
        (100.0, 1, " points"),
        ("wider", "narrower"),
        "",
    ),
    sentence("burden_share", "'s burden share (负能) is", PP, ("higher", "lower"), ""),
    sentence(
        "county_unresolved_share",
        " leaves",
        PP,
        ("more", "fewer"),
        " of the issues it sees but cannot command (county cases) unresolved",
    ),
    sentence("county_resolution_hours", "'s county cases take", (1.0, 1, " hours"), ("longer", "less"), " to resolve"),
];

/// Metrics compared only where some department is a county line department (J town).
const COUNTY_METRICS: &[&str] = &["county_unresolved_share", "county_resolution_hours"];

/// Settings of a comparison.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Replications (default: A's); with `precision`, the first batch.
    pub replications: Option<u32>,
    /// Seed for both (default: A's).
    pub seed: Option<u64>,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Multiplicity adjustment over all tests reported.
    pub adjust: Adjust,
    /// Warm-up, the same on both sides.
    pub warmup: Warmup,
    /// Daily platform metric MSER-5 reads (default `open`).
    pub warmup_metric: String,
    /// Add replications until the paired differences of these metrics reach these half-widths.
    pub precision: Vec<Target>,
    /// At most this many replications with `precision`.
    pub max_replications: u32,
}

/// A finished comparison.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// Differences, in A's platform order, then [`KEY_METRICS`] order.
    pub diffs: Vec<Difference>,
    /// Paired replications.
    pub replications: u32,
    /// Seed.
    pub seed: u64,
    /// The warm-up both sides used, and how it was chosen.
    pub warmup_days: f64,
    /// How the warm-up was chosen.
    pub warmup_note: String,
    /// Run length (days).
    pub duration_days: f64,
    /// What MSER-5 would choose on A's and on B's runs.
    pub advice: (WarmupAdvice, WarmupAdvice),
    /// With `precision`: how it ended.
    pub precision: Option<Reached>,
    /// The adjustment used.
    pub adjust: Adjust,
    /// A as run (seed, replications and warm-up set).
    pub a: Scenario,
    /// B as run.
    pub b: Scenario,
    /// A's replications.
    pub outs_a: Vec<RunOutput>,
    /// B's replications, on the same random numbers.
    pub outs_b: Vec<RunOutput>,
}

/// The paired differences of two sets of runs made on common random numbers (for the classroom
/// page): every common platform, Holm-adjusted.
pub fn differences_of_runs(a: &Scenario, b: &Scenario, outs_a: &[RunOutput], outs_b: &[RunOutput]) -> Vec<Difference> {
    differences(a, &summaries(a, outs_a), &summaries(b, outs_b), &common(a, b), Adjust::default())
}

/// What each key metric is an average of: its period and, for rates, its denominator.
pub fn basis(metric: &str) -> &'static str {
    match metric {
        "closed_per_month" => "orders closed in the system per 30 days of the counted period",
        "closed_in_system_share" => {
            "closed in the system / decided orders (closed + settled offline + dropped + open past deadline at the end)"
        }
        "on_time_share" => "closed on time / closed in the system",
        "mean_wait_hours" => "mean over orders that reached a department: arrival to the start of department work",
        "mean_sojourn_hours" => "mean over orders closed in the system: arrival to closure",
        "p_wait" => "orders that waited for a department / orders that reached one",
        "weighted_r" => "reengineering level of its departments at the end of the run, weighted by their hours on it",
        "leader_attention_hours" => "leaders' hours on its items, total over the counted period",
        "resolution_rate" => "resolved / closed in the system",
        "satisfaction_rate" => "rated satisfied / closed in the system",
        "gaming_gap" => "satisfaction rate minus resolution rate (both over closed orders)",
        "burden_share" => {
            "burden hours (documentation, redo, returns, persuasion, unreasonable, overtime) / all department hours on it"
        }
        "county_unresolved_share" => {
            "county cases not closed resolved by the end (lost in relays included) / county cases reported"
        }
        "county_resolution_hours" => "mean over county cases closed resolved: arrival to closure",
        _ => "see the summary.csv columns in README.md",
    }
}

fn summaries(sc: &Scenario, outs: &[RunOutput]) -> Vec<Vec<PlatformSummary>> {
    outs.iter().map(|o| summarize(sc, o)).collect()
}

/// The paired values (A, B) of `metric` on platform `pa` of A and `pb` of B, both defined.
fn pairs(
    sa: &[Vec<PlatformSummary>],
    sb: &[Vec<PlatformSummary>],
    pa: usize,
    pb: usize,
    metric: &str,
) -> Vec<(f64, f64)> {
    sa.iter()
        .zip(sb)
        .map(|(x, y)| (x[pa].get(metric), y[pb].get(metric)))
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
        .collect()
}

/// Platforms present in both: (index in A, index in B).
fn common(a: &Scenario, b: &Scenario) -> Vec<(usize, usize)> {
    a.platforms
        .iter()
        .enumerate()
        .filter_map(|(pa, spec)| b.platforms.iter().position(|q| q.id == spec.id).map(|pb| (pa, pb)))
        .collect()
}

/// A platform whose regime at the end of the runs differs between A and B: what a comparison
/// says first, before any figure (a platform that closes more orders while it tips into
/// overload has not improved).
#[derive(Clone, Debug, PartialEq)]
pub struct RegimeShift {
    /// Platform id.
    pub platform: String,
    /// The most common final regime under A, and in how many replications.
    pub a: (Regime, usize),
    /// The same under B.
    pub b: (Regime, usize),
    /// Replications.
    pub replications: usize,
    /// The day B's replication 0 entered its final regime, when that is B's most common one.
    pub day: Option<u32>,
}

/// The most common final regime over `outs` for platform `p` (ties: the earlier in [`Regime`]'s
/// order), and its count.
fn modal_regime(outs: &[RunOutput], p: usize) -> (Regime, usize) {
    let mut counts: Vec<(Regime, usize)> = Vec::new();
    for o in outs {
        let r = o.platforms[p].regimes.current();
        match counts.iter_mut().find(|c| c.0 == r) {
            Some(c) => c.1 += 1,
            None => counts.push((r, 1)),
        }
    }
    counts.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    counts.first().copied().unwrap_or((Regime::Unclassified, 0))
}

/// Every common platform whose most common final regime differs between A and B.
pub fn regime_shifts(a: &Scenario, b: &Scenario, outs_a: &[RunOutput], outs_b: &[RunOutput]) -> Vec<RegimeShift> {
    let mut out = Vec::new();
    for (pa, spec) in a.platforms.iter().enumerate() {
        let Some(pb) = b.platforms.iter().position(|x| x.id == spec.id) else { continue };
        let (ra, rb) = (modal_regime(outs_a, pa), modal_regime(outs_b, pb));
        if ra.0 == rb.0 {
            continue;
        }
        let day =
            outs_b.first().and_then(|o| o.platforms[pb].regimes.changes.last()).filter(|c| c.1 == rb.0).map(|c| c.0);
        out.push(RegimeShift { platform: spec.id.clone(), a: ra, b: rb, replications: outs_b.len(), day });
    }
    out
}

/// A p-value as printed: "-" when nothing was tested, "< 0.0001" rather than "0.0000".
pub fn p_text(p: f64) -> String {
    if p.is_nan() {
        "-".into()
    } else if p < 0.0001 {
        "< 0.0001".into()
    } else {
        format!("{p:.4}")
    }
}

impl RegimeShift {
    /// e.g. "under B voice ends 超载 overloaded in 3 of 4 replications (under A 嵌入 embedded),
    /// from day 326 in replication 0".
    pub fn sentence(&self, names: &Names) -> String {
        let (a, b) = (self.a.0, self.b.0);
        let day = self.day.map_or(String::new(), |d| format!(", from day {d} in replication 0"));
        format!(
            "under B {} ends {} {} in {} of {} replications (under A {} {}){day}",
            names.platform(&self.platform, Lang::En),
            b.chinese(),
            b.name(),
            self.b.1,
            self.replications,
            a.chinese(),
            a.name()
        )
    }

    /// The sentence in 中文.
    pub fn sentence_zh(&self, names: &Names) -> String {
        let (a, b) = (self.a.0, self.b.0);
        let day = self.day.map_or(String::new(), |d| format!("，第 0 次重复从第 {d} 天起"));
        format!(
            "在 B 下，{} 在 {} 次重复中有 {} 次最终为{}（A 下为{}）{day}",
            names.platform(&self.platform, Lang::Zh),
            self.replications,
            self.b.1,
            b.chinese(),
            a.chinese()
        )
    }
}

/// Paired differences of every key metric on every common platform, p-values adjusted together.
pub fn differences(
    a: &Scenario,
    sa: &[Vec<PlatformSummary>],
    sb: &[Vec<PlatformSummary>],
    common_platforms: &[(usize, usize)],
    adjust: Adjust,
) -> Vec<Difference> {
    let mut out = Vec::new();
    let county = a.departments.iter().any(|d| d.county);
    let extra: &[&str] = if county { COUNTY_METRICS } else { &[] };
    for &(pa, pb) in common_platforms {
        for metric in KEY_METRICS.iter().chain(extra) {
            let pairs = pairs(sa, sb, pa, pb, metric);
            let diffs: Vec<f64> = pairs.iter().map(|(x, y)| y - x).collect();
            let (diff, sd, half_width, n) = mean_ci95(&diffs);
            let p_value = if n < 2 {
                f64::NAN
            } else if sd == 0.0 {
                // Identical on every pair: nothing was tested, so it does not count in the
                // multiplicity family (a p of 1 would make every other test pay for it).
                if diff == 0.0 { f64::NAN } else { 0.0 }
            } else {
                t_two_sided_p(diff / (sd / (n as f64).sqrt()), (n - 1) as f64)
            };
            out.push(Difference {
                platform: a.platforms[pa].id.clone(),
                metric: metric.to_string(),
                pairs: n,
                mean_a: mean_ci95(&pairs.iter().map(|p| p.0).collect::<Vec<_>>()).0,
                mean_b: mean_ci95(&pairs.iter().map(|p| p.1).collect::<Vec<_>>()).0,
                diff,
                half_width,
                p_value,
                p_adjusted: f64::NAN,
            });
        }
    }
    let adjusted = adjust.apply(&out.iter().map(|d| d.p_value).collect::<Vec<_>>());
    for (d, p) in out.iter_mut().zip(adjusted) {
        d.p_adjusted = p;
    }
    out
}

/// Runs A and B on common random numbers, with one warm-up for both, and returns the paired
/// differences of [`KEY_METRICS`] for each platform present in both, in A's platform order.
/// `tick` is called once per finished run (of either scenario, pilots included).
pub fn compare(a: &Scenario, b: &Scenario, s: &Settings, tick: &(dyn Fn() + Sync)) -> Result<Comparison, WarmupError> {
    let mut a = a.clone();
    let mut b = b.clone();
    let seed = s.seed.unwrap_or(a.simulation.seed);
    let reps = s.replications.unwrap_or(a.simulation.replications);
    for sc in [&mut a, &mut b] {
        sc.simulation.seed = seed;
        sc.simulation.replications = reps;
    }
    let metric = if s.warmup_metric.is_empty() { "open" } else { s.warmup_metric.as_str() };
    let warmup_note = apply(&mut [&mut a, &mut b], &s.warmup, metric, s.threads, tick)?;
    let both = common(&a, &b);
    let mut outs: Vec<(RunOutput, RunOutput)> =
        run_range(&a, 0, reps, s.threads, tick)?.into_iter().zip(run_range(&b, 0, reps, s.threads, tick)?).collect();
    let precision = if s.precision.is_empty() {
        None
    } else {
        let samples = |have: &[(RunOutput, RunOutput)]| {
            // Each side summarized where it lies (no copy of the runs' daily records).
            let sa: Vec<Vec<PlatformSummary>> = have.iter().map(|p| summarize(&a, &p.0)).collect();
            let sb: Vec<Vec<PlatformSummary>> = have.iter().map(|p| summarize(&b, &p.1)).collect();
            both.iter()
                .flat_map(|&(pa, pb)| s.precision.iter().map(move |t| (pa, pb, t)))
                .map(|(pa, pb, t)| (pairs(&sa, &sb, pa, pb, &t.metric).iter().map(|(x, y)| y - x).collect(), t.clone()))
                .collect()
        };
        let mut more = |from: u32, to: u32| -> Result<Vec<(RunOutput, RunOutput)>, ExperimentError> {
            Ok(run_range(&a, from, to, s.threads, tick)?
                .into_iter()
                .zip(run_range(&b, from, to, s.threads, tick)?)
                .collect())
        };
        Some(extend_until(&mut outs, s.max_replications.max(reps), &samples, &mut more)?)
    };
    let (oa, ob): (Vec<RunOutput>, Vec<RunOutput>) = outs.into_iter().unzip();
    let diffs = differences(&a, &summaries(&a, &oa), &summaries(&b, &ob), &both, s.adjust);
    Ok(Comparison {
        diffs,
        replications: oa.len() as u32,
        seed,
        warmup_days: a.simulation.warmup_days,
        warmup_note,
        duration_days: a.simulation.duration_days,
        advice: (advise(&a, &oa, metric), advise(&b, &ob, metric)),
        precision,
        adjust: s.adjust,
        a,
        b,
        outs_a: oa,
        outs_b: ob,
    })
}

/// Writes `compare.csv`: one row per platform and metric.
pub fn write_csv(path: &Path, diffs: &[Difference]) -> Result<(), WriteError> {
    crate::output::csv::write_csv(path, |c| csv_rows(c, diffs))
}

/// The records of `compare.csv`, header first, into `c` (a file's writer, or a buffer's).
pub fn csv_rows(c: &mut csv::Writer<&mut dyn std::io::Write>, diffs: &[Difference]) -> csv::Result<()> {
    c.write_record([
        "platform",
        "metric",
        "pairs",
        "mean_a",
        "mean_b",
        "difference",
        "ci95",
        "ci_low",
        "ci_high",
        "significant",
        "p_value",
        "p_adjusted",
        "basis",
    ])?;
    for d in diffs {
        c.write_record([
            d.platform.clone(),
            d.metric.to_string(),
            d.pairs.to_string(),
            num(d.mean_a),
            num(d.mean_b),
            num(d.diff),
            num(d.half_width),
            num(d.diff - d.half_width),
            num(d.diff + d.half_width),
            d.significant().to_string(),
            num(d.p_value),
            num(d.p_adjusted),
            basis(&d.metric).to_string(),
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_print_without_false_zeros() {
        assert_eq!(p_text(f64::NAN), "-");
        assert_eq!(p_text(0.0), "< 0.0001");
        assert_eq!(p_text(0.00004), "< 0.0001");
        assert_eq!(p_text(0.0123), "0.0123");
    }

    #[test]
    fn long_waits_read_in_days_short_ones_in_hours() {
        let wait = |diff: f64| Difference { metric: "mean_wait_hours".into(), diff, mean_b: diff, ..gap(0.0, 0.0) };
        assert!(
            wait(94.07).sentence(&Names::default()).contains("3.9 ± 0.0 days longer"),
            "{}",
            wait(94.07).sentence(&Names::default())
        );
        assert!(
            wait(6.5).sentence(&Names::default()).contains("6.50 ± 0.01 hours longer"),
            "{}",
            wait(6.5).sentence(&Names::default())
        );
        assert!(
            wait(94.07).sentence_zh(&Names::default()).contains("3.9 ± 0.0 天"),
            "{}",
            wait(94.07).sentence_zh(&Names::default())
        );
    }

    fn gap(a: f64, b: f64) -> Difference {
        let (metric, platform) = ("gaming_gap".into(), "hotline".into());
        Difference {
            platform,
            metric,
            pairs: 4,
            mean_a: a,
            mean_b: b,
            diff: b - a,
            half_width: 0.01,
            p_value: 0.001,
            p_adjusted: 0.001,
        }
    }

    #[test]
    fn a_gap_widens_when_it_grows_in_size_whatever_its_sign() {
        assert!(
            gap(-0.10, -0.20).sentence(&Names::default()).contains("wider"),
            "{}",
            gap(-0.10, -0.20).sentence(&Names::default())
        );
        assert!(gap(0.10, 0.20).sentence(&Names::default()).contains("wider"));
        assert!(gap(0.20, 0.10).sentence(&Names::default()).contains("narrower"));
        assert!(gap(-0.20, -0.10).sentence(&Names::default()).contains("narrower"));
        assert!(gap(-0.20, -0.10).sentence_zh(&Names::default()).contains("缩小"));
        let closes = Difference { metric: "closed_per_month".into(), ..gap(10.0, 5.0) };
        assert!(
            closes.sentence(&Names::default()).contains("fewer")
                && closes.sentence_zh(&Names::default()).contains("减少")
        );
    }
}
