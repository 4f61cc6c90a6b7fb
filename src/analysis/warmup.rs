//! Warm-up from the data: MSER-5 on the daily series of a named platform metric, averaged over
//! replications (White 1997), and the sentence every run prints about it.

use crate::model::RunOutput;
use crate::model::world::PlatformResult;
use crate::scenario::Scenario;

use super::mser::{Mser, mser5};

/// Daily platform metrics MSER can read (timeseries.csv names).
pub const DAILY_METRICS: &[&str] = &[
    "open",
    "arrivals",
    "dispatched",
    "closed",
    "lost",
    "open_overdue",
    "leader_attention_hours",
    "staff_hours",
    "burden_hours",
    "trust",
];

/// The slow series every run also checks its warm-up against: a platform's use follows the
/// trust it earns, so arrivals and trust settle later than open orders do.
pub const SLOW_SERIES: &[&str] = &["arrivals", "trust"];

/// Checks a metric name for `--warmup-metric`.
pub fn check_metric(metric: &str) -> Result<(), String> {
    if DAILY_METRICS.contains(&metric) {
        Ok(())
    } else {
        Err(format!("unknown daily metric `{metric}` for MSER (one of: {})", DAILY_METRICS.join(", ")))
    }
}

/// What MSER-5 says for each platform (in scenario order) and overall.
#[derive(Clone, Debug, PartialEq)]
pub struct WarmupAdvice {
    /// The metric used.
    pub metric: String,
    /// Per platform: MSER on the replication-mean series (platforms with a constant series omitted).
    pub platforms: Vec<(String, Mser)>,
}

/// At most this many platforms are named in a sentence (a big world's report draws as many).
const NAMED: usize = 12;

/// `items` joined, the first [`NAMED`] only and a count of the rest past that.
fn named<S: AsRef<str>>(items: &[S]) -> String {
    let shown: Vec<&str> = items.iter().take(NAMED).map(AsRef::as_ref).collect();
    match items.len().saturating_sub(NAMED) {
        0 => shown.join(", "),
        rest => format!("{}, and {rest} more", shown.join(", ")),
    }
}

/// What to say of series MSER-5 finds no settled stretch in (`items`, each "`metric`
/// (platforms)"): its best truncation in the second half happens both for a series still
/// trending and for a smooth series that has settled, so the sentence does not judge which.
fn unsettled_clause(items: &[String], look: &str) -> String {
    let (its, truncations, halves) =
        if items.len() == 1 { ("its", "truncation falls", "half") } else { ("their", "truncations fall", "halves") };
    format!(
        "MSER-5 finds no settled stretch on {}: {its} best {truncations} in {its} second {halves}, which happens both for a series still trending and for a smooth series that has settled; {look}, or measure the settling over a longer run as docs/studies/settle.py does",
        items.join(", ")
    )
}

impl WarmupAdvice {
    /// "`metric` (platforms)" for the platforms whose series MSER-5 finds unsettled, if any.
    fn unsettled_item(&self) -> Option<String> {
        let short = self.too_short();
        (!short.is_empty()).then(|| format!("`{}` ({})", self.metric, named(&short)))
    }

    /// The warm-up MSER would choose: the longest of the platforms', in days.
    pub fn days(&self) -> usize {
        self.platforms.iter().map(|p| p.1.truncation).max().unwrap_or(0)
    }

    /// Platforms whose series MSER-5 finds no settled stretch in (its minimum in the second half).
    pub fn too_short(&self) -> Vec<&str> {
        self.platforms.iter().filter(|p| p.1.too_short).map(|p| p.0.as_str()).collect()
    }

    /// [`WarmupAdvice::sentence`] for a run whose warm-up `--warmup auto` chose (`chosen` days)
    /// before the replications the advice reads: a check on the choice, not a second opinion
    /// that seems to contradict it.
    pub fn check_of_auto(&self, chosen: f64, replications: usize) -> String {
        let d = self.days();
        let verdict = if d as f64 == chosen {
            format!("the same MSER-5 on all {replications} replications confirms {d} days")
        } else {
            format!(
                "on all {replications} replications MSER-5 would now choose {d} days; the results keep the {chosen} days chosen first (rerun with --warmup {d} to use it)"
            )
        };
        let mut s = verdict;
        if let Some(item) = self.unsettled_item() {
            s.push_str(&format!("\nwarning: {}", unsettled_clause(&[item], "look at the daily series in report.html")));
        }
        s
    }

    /// "MSER-5 on the daily `open` series (mean over replications) would choose 45 days (minhu
    /// 45, ...)" and a warning when MSER-5 finds no settled stretch in a series.
    pub fn sentence(&self) -> String {
        // A big world names the platforms with the longest truncations only.
        let mut by_length: Vec<&(String, Mser)> = self.platforms.iter().collect();
        if by_length.len() > NAMED {
            by_length.sort_by_key(|(_, m)| std::cmp::Reverse(m.truncation));
        }
        let per: Vec<String> = by_length.iter().map(|(p, m)| format!("{p} {}", m.truncation)).collect();
        let mut s = format!(
            "MSER-5 on the daily `{}` series (mean over replications) would choose {} days ({})",
            self.metric,
            self.days(),
            named(&per)
        );
        if let Some(item) = self.unsettled_item() {
            // `compare` writes no daily series: `run` on each side does.
            let look = "look at the daily series (timeseries.csv and report.html of `embedsim run`)";
            s.push_str(&format!("\nwarning: {}", unsettled_clause(&[item], look)));
        }
        s
    }
}

/// A platform's daily series of `metric`: from its records, or from its trail in a run that
/// kept no records (empty when the trail does not hold the metric either).
fn daily_series(r: &PlatformResult, metric: &str) -> Vec<f64> {
    if !r.days.is_empty() {
        return r.days.iter().map(|d| d.figure(metric)).collect();
    }
    r.trail.series(metric).unwrap_or_default()
}

/// MSER-5 per platform on the replication-mean daily series of `metric`.
pub fn advise(sc: &Scenario, outs: &[RunOutput], metric: &str) -> WarmupAdvice {
    let mut platforms = Vec::new();
    for (p, spec) in sc.platforms.iter().enumerate() {
        let series: Vec<Vec<f64>> = outs.iter().map(|o| daily_series(&o.platforms[p], metric)).collect();
        let len = series.iter().map(Vec::len).min().unwrap_or(0);
        let mean: Vec<f64> = (0..len).map(|d| series.iter().map(|s| s[d]).sum::<f64>() / outs.len() as f64).collect();
        // Constant (nothing to settle), or undefined (trust without villages).
        if mean.iter().all(|v| *v == mean[0]) || mean.iter().any(|v| v.is_nan()) {
            continue;
        }
        platforms.push((spec.id.clone(), mser5(&mean)));
    }
    WarmupAdvice { metric: metric.to_string(), platforms }
}

/// `advice` (MSER-5 on the run's warm-up metric, already worked out) and MSER-5 on each other
/// of [`SLOW_SERIES`] the run holds, in that order.
pub fn advise_slowest(sc: &Scenario, outs: &[RunOutput], advice: &WarmupAdvice) -> Vec<WarmupAdvice> {
    let others = SLOW_SERIES.iter().filter(|m| **m != advice.metric).map(|m| advise(sc, outs, m));
    std::iter::once(advice.clone()).chain(others).filter(|a| !a.platforms.is_empty()).collect()
}

/// Whether the run's warm-up covers the slowest series: "on the slowest daily series ... MSER-5
/// would choose 255 days (open 155, arrivals 255, trust 60): longer than the run's warm-up of 90
/// days ...". None when only one series was read.
pub fn slowest_sentence(advices: &[WarmupAdvice], warmup_days: f64) -> Option<String> {
    if advices.len() < 2 {
        return None;
    }
    let per: Vec<String> = advices.iter().map(|a| format!("{} {}", a.metric, a.days())).collect();
    // Per series: the longest truncation over the platforms whose series settled, and the
    // platforms whose series did not (one platform's trend does not hide the others').
    let settled = |a: &WarmupAdvice| a.platforms.iter().filter(|p| !p.1.too_short).map(|p| p.1.truncation).max();
    let unsettled: Vec<String> = advices.iter().filter_map(WarmupAdvice::unsettled_item).collect();
    let mut s = String::new();
    if let Some((a, days)) = advices.iter().filter_map(|a| settled(a).map(|d| (a, d))).max_by_key(|(_, d)| *d) {
        let verdict = if days as f64 > warmup_days {
            format!(
                "longer than the run's warm-up of {warmup_days} days, so the figures above still count part of the start-up (rerun with --warmup {days})"
            )
        } else {
            format!("within the run's warm-up of {warmup_days} days")
        };
        s = format!(
            "MSER-5 on the slowest daily series that settles (`{}`) would choose {days} days: {verdict}",
            a.metric
        );
    }
    if !unsettled.is_empty() {
        if !s.is_empty() {
            s.push_str("; ");
        }
        s.push_str(&unsettled_clause(&unsettled, "look at the daily series"));
    }
    Some(format!("{s} (MSER-5 days by series: {})", per.join(", ")))
}

/// How the warm-up is chosen.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Warmup {
    /// The scenario's `simulation.warmup_days` (in `compare`: the longer of the two).
    #[default]
    Scenario,
    /// A fixed number of days.
    Days(f64),
    /// MSER-5 on a pilot of the same replications (the longest over platforms and scenarios).
    Auto,
}

impl std::str::FromStr for Warmup {
    type Err = String;
    fn from_str(s: &str) -> Result<Warmup, String> {
        if s == "auto" {
            return Ok(Warmup::Auto);
        }
        match s.parse::<f64>() {
            Ok(d) if d >= 0.0 && d.is_finite() => Ok(Warmup::Days(d)),
            _ => Err(format!("expected `auto` or a number of days >= 0, found `{s}`")),
        }
    }
}

/// Why a warm-up could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum WarmupError {
    /// The pilot runs failed.
    #[error(transparent)]
    Run(#[from] crate::experiment::ExperimentError),
    /// The warm-up leaves nothing to count.
    #[error("warm-up of {days} days is not shorter than {scenario}'s run of {duration} days")]
    TooLong {
        /// Warm-up chosen.
        days: f64,
        /// Scenario name.
        scenario: String,
        /// Its duration.
        duration: f64,
    },
}

/// Sets one common warm-up on every scenario and returns a note on how it was chosen. `Auto`
/// runs each scenario's replications once as a pilot (the warm-up only changes what is counted,
/// never what happens, so the pilot's daily series are those of the final runs).
pub fn apply(
    scs: &mut [&mut Scenario],
    how: &Warmup,
    metric: &str,
    threads: Option<usize>,
    tick: &(dyn Fn() + Sync),
) -> Result<String, WarmupError> {
    let (days, note) = match how {
        Warmup::Days(d) => (*d, format!("warm-up {d} days (--warmup)")),
        Warmup::Scenario => {
            let d = scs.iter().map(|s| s.simulation.warmup_days).fold(0.0, f64::max);
            let differ = scs.iter().any(|s| s.simulation.warmup_days != d);
            let note = if differ {
                format!("warm-up {d} days: the scenarios' warm-ups differ, so both sides use the longer")
            } else {
                format!("warm-up {d} days (simulation.warmup_days)")
            };
            (d, note)
        }
        Warmup::Auto => {
            let mut d = 0usize;
            let mut n = 0;
            for sc in scs.iter() {
                let outs = crate::experiment::run_all(sc, threads, tick)?;
                d = d.max(advise(sc, &outs, metric).days());
                n = n.max(outs.len());
            }
            let note = format!(
                "warm-up {d} days chosen by MSER-5 on the daily `{metric}` series of a first {n} replications (--warmup auto)"
            );
            (d as f64, note)
        }
    };
    for sc in scs.iter_mut() {
        if days >= sc.simulation.duration_days {
            return Err(WarmupError::TooLong {
                days,
                scenario: sc.name.clone(),
                duration: sc.simulation.duration_days,
            });
        }
        sc.simulation.warmup_days = days;
    }
    Ok(note)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advice(metric: &str, truncation: usize, too_short: bool) -> WarmupAdvice {
        WarmupAdvice {
            metric: metric.into(),
            platforms: vec![("p".into(), Mser { truncation, length: 1000, too_short })],
        }
    }

    #[test]
    fn the_slowest_series_decides_and_an_unsettled_one_is_named() {
        let a = [advice("open", 100, false), advice("arrivals", 250, false), advice("trust", 990, true)];
        let s = slowest_sentence(&a, 90.0).unwrap();
        assert!(s.contains("(`arrivals`) would choose 250 days: longer than the run's warm-up of 90 days"), "{s}");
        assert!(s.contains("no settled stretch on `trust` (p)"), "{s}");
        let s = slowest_sentence(&a[..2], 300.0).unwrap();
        assert!(s.contains("within the run's warm-up of 300 days") && !s.contains("settled within"), "{s}");
        assert!(slowest_sentence(&a[..1], 90.0).is_none(), "one series: the run's own sentence says it");
    }

    #[test]
    fn a_long_list_is_cut_to_twelve_names_and_a_count() {
        let few: Vec<String> = (1..=12).map(|i| format!("p{i}")).collect();
        assert_eq!(named(&few), few.join(", "));
        let many: Vec<String> = (1..=3430).map(|i| format!("p{i}")).collect();
        assert_eq!(named(&many), format!("{}, and 3418 more", many[..12].join(", ")));
    }
}
