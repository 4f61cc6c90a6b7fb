//! What a person looks at: a run's daily series as chart-ready bands, the regime timeline and the
//! decisive figures in sentences (English and 中文). `report.html` and the classroom page draw
//! from the same [`RunView`], so a chart means the same thing in both.

use std::sync::Arc;

use serde::Serialize;

use super::report::{modal_regime, pm};
use crate::metrics::Regime;
use crate::metrics::collector::{DepartmentDay, LeaderDay, PlatformDay};
use crate::metrics::summary::PlatformSummary;
use crate::model::RunOutput;
use crate::scenario::Scenario;
use crate::scenario::display::Lang;

/// Trailing window, in days, of the on-time and burden shares drawn over time.
pub const SHARE_WINDOW_DAYS: usize = 30;

/// The burden kinds drawn, as indices into `Hours::KINDS` (documentation, redo, returns,
/// persuasion, unreasonable, overtime).
pub const BURDEN_KINDS: [usize; 6] = [2, 4, 5, 6, 7, 8];

/// A finished run's report draws at most this many platforms, the busiest ([`platforms_drawn`]):
/// a chart of hundreds of lines shows nothing, and a page drawing every one of thousands of
/// platforms runs to tens of megabytes. `summary.csv` and `regimes.csv` keep every platform.
pub const MAX_PLATFORMS_DRAWN: usize = 12;

/// The platforms a finished run's report draws, in scenario order: every one up to
/// [`MAX_PLATFORMS_DRAWN`], else that many with the most orders taken in after warm-up, summed
/// over the replications (ties go to the earlier platform).
pub fn platforms_drawn(outs: &[RunOutput], platforms: usize) -> Vec<usize> {
    let mut all: Vec<usize> = (0..platforms).collect();
    if platforms > MAX_PLATFORMS_DRAWN {
        all.sort_by_key(|&p| std::cmp::Reverse(arrived(outs, p)));
        all.truncate(MAX_PLATFORMS_DRAWN);
        all.sort_unstable();
    }
    all
}

/// Orders platform `p` took in after warm-up, over the replications.
fn arrived(outs: &[RunOutput], p: usize) -> u64 {
    outs.iter().map(|o| o.platforms.get(p).map_or(0, |x| x.tally.arrived)).sum()
}

/// [`platforms_drawn`] for two runs drawn side by side: the same platforms (by id) on both
/// sides, the busiest over both runs together; a side draws every platform of its own when
/// neither side has more than [`MAX_PLATFORMS_DRAWN`].
pub fn platforms_drawn_side_by_side(a: (&Scenario, &[RunOutput]), b: (&Scenario, &[RunOutput])) -> [Vec<usize>; 2] {
    let every = |sc: &Scenario| (0..sc.platforms.len()).collect::<Vec<_>>();
    if a.0.platforms.len() <= MAX_PLATFORMS_DRAWN && b.0.platforms.len() <= MAX_PLATFORMS_DRAWN {
        return [every(a.0), every(b.0)];
    }
    // Ids in the order first met (A's, then B's own), each with its orders on both sides.
    let mut ids: Vec<(&str, u64)> = Vec::new();
    for (sc, outs) in [a, b] {
        for (p, spec) in sc.platforms.iter().enumerate() {
            let n = arrived(outs, p);
            match ids.iter_mut().find(|(id, _)| *id == spec.id) {
                Some(x) => x.1 += n,
                None => ids.push((spec.id.as_str(), n)),
            }
        }
    }
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(ids[i].1));
    order.truncate(MAX_PLATFORMS_DRAWN);
    let picked: Vec<&str> = order.iter().map(|&i| ids[i].0).collect();
    let on =
        |sc: &Scenario| (0..sc.platforms.len()).filter(|&p| picked.contains(&sc.platforms[p].id.as_str())).collect();
    [on(a.0), on(b.0)]
}

/// One run (all its replications), ready to draw.
#[derive(Clone, Debug, Serialize)]
pub struct RunView {
    /// The program's version, commit and lock hash ([`crate::provenance::describe`]).
    pub version: String,
    /// The scenario's name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Where it came from.
    pub origin: String,
    /// The scenario text (TOML), when known.
    pub text: String,
    /// The changes made to it on the command line or page (`--set ...`).
    pub changes: Vec<String>,
    /// Seed.
    pub seed: u64,
    /// Replications.
    pub replications: usize,
    /// Days simulated.
    pub days: usize,
    /// Warm-up days.
    pub warmup_days: f64,
    /// Regime names, in the order of the codes in [`RegimeStrip::codes`].
    pub regime_names: Vec<&'static str>,
    /// Per platform: the regime of each replication, day by day.
    pub regimes: Vec<RegimeStrip>,
    /// The charts, in order.
    pub charts: Vec<Chart>,
    /// Per platform, the decisive figures in sentences.
    pub sentences: Vec<Sentence>,
    /// When only some platforms are drawn (regimes, charts, sentences): how many there are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platforms_total: Option<usize>,
    /// The run kept no daily records (`run --series none`): only the charts its trail draws (open
    /// orders, the on-time share), and the regime strips drawn from the dated changes.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_daily_records: bool,
    /// Demand shocks (M17), marked on every chart and strip so that a reader sees the cause.
    pub shocks: Vec<ShockWindow>,
    /// Names for people of the scenario and its entities, in English and 中文; an id without
    /// one is shown as it is.
    pub names: crate::scenario::display::Names,
}

/// A demand shock on one platform: days `from_day` to `to_day`, demand times `multiplier`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShockWindow {
    /// Platform id.
    pub platform: String,
    /// First day.
    pub from_day: f64,
    /// Day it ends.
    pub to_day: f64,
    /// Demand multiplier.
    pub multiplier: f64,
}

/// At most this many shock windows are marked (a world of many platforms would otherwise shade
/// its charts solid).
const MAX_SHOCKS_SHOWN: usize = 12;

/// One platform's regime timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegimeStrip {
    /// Platform id.
    pub platform: String,
    /// Per replication, per day: an index into [`RunView::regime_names`], or -1 before the first
    /// verdict.
    pub codes: Vec<Vec<i8>>,
    /// Per replication, the changes: (day, regime name).
    pub changes: Vec<Vec<(u32, &'static str)>>,
}

/// One chart: a title key (translated on the page), a unit key, and series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Chart {
    /// What it shows, as a key of the page's dictionary (`open_orders`, ...).
    pub key: String,
    /// For which platform, when the chart is about one.
    pub of: Option<String>,
    /// Unit key (`orders`, `share`, `hours`, ...).
    pub unit: String,
    /// Stacked areas (burden by kind) rather than lines.
    pub stacked: bool,
    /// The series.
    pub series: Vec<Series>,
    /// Series left out because they hold one value throughout: (label, what, value).
    pub constant: Vec<(String, String, Option<f64>)>,
}

/// One series: mean over replications with the lowest and highest replication as a band.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    /// An id (platform, department, leader), shown as is.
    pub name: String,
    /// What is measured, as a dictionary key (`open`, `overdue`, `redo`, ...), or empty.
    pub what: String,
    /// Dashed line.
    pub dash: bool,
    /// Mean over replications, day by day (null: undefined that day).
    pub mean: Days,
    /// Lowest replication.
    pub lo: Days,
    /// Highest replication.
    pub hi: Days,
}

/// A day's value in a chart, or none (undefined that day): an `Option<f64>` in half the room,
/// since the charts hold one per day, series and platform. Serialized as the `Option` is
/// (`null` for none).
#[derive(Clone, Copy)]
pub struct Val(f64);

impl Val {
    /// The bits of "none": a NaN whose payload no arithmetic on finite numbers gives, so that
    /// any other value (a NaN included) is kept as it is.
    const NONE_BITS: u64 = 0x7ff8_0000_dead_0001;

    /// None.
    pub const NONE: Val = Val(f64::from_bits(Val::NONE_BITS));

    /// The value, if any.
    pub fn get(self) -> Option<f64> {
        (self.0.to_bits() != Val::NONE_BITS).then_some(self.0)
    }
}

/// A series' values day by day. The mean and the band share one copy when they are the same
/// (always, with one replication), so that a large run's charts take a third of the room.
#[derive(Clone)]
pub struct Days(Arc<[Val]>);

impl Days {
    /// The same values, bit for bit: `other` shares this copy.
    fn share(&self, other: Vec<Val>) -> Days {
        let same =
            other.len() == self.0.len() && other.iter().zip(self.0.iter()).all(|(a, b)| a.0.to_bits() == b.0.to_bits());
        if same { self.clone() } else { other.into() }
    }
}

impl From<Vec<Val>> for Days {
    fn from(v: Vec<Val>) -> Days {
        Days(v.into())
    }
}

impl std::ops::Deref for Days {
    type Target = [Val];

    fn deref(&self) -> &[Val] {
        &self.0
    }
}

impl PartialEq for Days {
    fn eq(&self, other: &Days) -> bool {
        self.0[..] == other.0[..]
    }
}

impl std::fmt::Debug for Days {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Days {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0[..].serialize(s)
    }
}

impl From<Option<f64>> for Val {
    fn from(x: Option<f64>) -> Val {
        x.map_or(Val::NONE, Val)
    }
}

impl PartialEq for Val {
    fn eq(&self, other: &Val) -> bool {
        self.get() == other.get()
    }
}

impl std::fmt::Debug for Val {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

impl Serialize for Val {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(s)
    }
}

impl Series {
    /// Days `from..to` only.
    pub fn days(&self, from: usize, to: usize) -> Series {
        let cut = |v: &[Val]| Days::from(v[from.min(v.len())..to.min(v.len())].to_vec());
        Series {
            name: self.name.clone(),
            what: self.what.clone(),
            dash: self.dash,
            mean: cut(&self.mean),
            lo: cut(&self.lo),
            hi: cut(&self.hi),
        }
    }
}

impl Chart {
    /// Every series, days `from..to` only (and no constants).
    pub fn days(&self, from: usize, to: usize) -> Chart {
        Chart {
            key: self.key.clone(),
            of: self.of.clone(),
            unit: self.unit.clone(),
            stacked: self.stacked,
            series: self.series.iter().map(|s| s.days(from, to)).collect(),
            constant: Vec::new(),
        }
    }
}

impl RegimeStrip {
    /// Days `from..to` of the codes (the changes whole).
    pub fn days(&self, from: usize, to: usize) -> RegimeStrip {
        RegimeStrip {
            platform: self.platform.clone(),
            codes: self.codes.iter().map(|c| c[from.min(c.len())..to.min(c.len())].to_vec()).collect(),
            changes: self.changes.clone(),
        }
    }
}

/// The decisive figures of one platform, in both languages.
#[derive(Clone, Debug, Serialize)]
pub struct Sentence {
    /// Platform id.
    pub platform: String,
    /// Modal regime's name.
    pub regime: &'static str,
    /// English.
    pub en: String,
    /// 中文.
    pub zh: String,
}

fn round(x: f64) -> Option<f64> {
    if !x.is_finite() {
        return None;
    }
    if x == 0.0 {
        return Some(0.0);
    }
    let mag = 10f64.powi(3 - x.abs().log10().floor() as i32);
    Some((x * mag).round() / mag)
}

/// Builds a band from one daily series per replication.
fn band(name: &str, what: &str, dash: bool, per_rep: &[Vec<f64>]) -> Series {
    let n = per_rep.iter().map(Vec::len).max().unwrap_or(0);
    let (mut mean, mut lo, mut hi) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for d in 0..n {
        // The day's finite values over the replications, walked afresh for each figure rather
        // than collected: a big world's report has thousands of series a day (the same values
        // in the same order, so the same sums).
        let xs = || per_rep.iter().filter_map(|s| s.get(d).copied()).filter(|x| x.is_finite());
        let count = xs().count();
        if count == 0 {
            mean.push(Val::NONE);
            lo.push(Val::NONE);
            hi.push(Val::NONE);
            continue;
        }
        mean.push(round(xs().sum::<f64>() / count as f64).into());
        lo.push(round(xs().fold(f64::INFINITY, f64::min)).into());
        hi.push(round(xs().fold(f64::NEG_INFINITY, f64::max)).into());
    }
    let mean = Days::from(mean);
    let (lo, hi) = (mean.share(lo), mean.share(hi));
    Series { name: name.into(), what: what.into(), dash, mean, lo, hi }
}

/// Whether a series says nothing: undefined throughout, or the same value every day.
fn flat(s: &Series) -> bool {
    let mut vals = s.hi.iter().chain(s.lo.iter()).filter_map(|v| v.get());
    match vals.next() {
        None => true,
        Some(first) => vals.all(|v| (v - first).abs() < 1e-9),
    }
}

/// A trailing-window ratio of two daily series (undefined while the denominator is 0).
fn trailing_ratio(num: &[f64], den: &[f64], window: usize) -> Vec<f64> {
    let (mut sn, mut sd) = (0.0, 0.0);
    (0..num.len())
        .map(|d| {
            sn += num[d];
            sd += den[d];
            if d >= window {
                sn -= num[d - window];
                sd -= den[d - window];
            }
            if sd > 1e-9 { sn / sd } else { f64::NAN }
        })
        .collect()
}

/// A trailing mean.
fn trailing_mean(xs: &[f64], window: usize) -> Vec<f64> {
    let ones = vec![1.0; xs.len()];
    trailing_ratio(xs, &ones, window)
}

/// A 7-day trailing mean: end-of-day counts swing with the working week, which hides the trend.
fn week(xs: impl Iterator<Item = f64>) -> Vec<f64> {
    trailing_mean(&xs.collect::<Vec<_>>(), 7)
}

fn regime_code(r: Option<Regime>) -> i8 {
    r.and_then(|r| Regime::ALL.iter().position(|x| *x == r)).map_or(-1, |i| i as i8)
}

/// The daily figures of one replication, as far as they go: what the charts and the regime
/// timeline are drawn from. A finished run gives all its days ([`Daily::of`]); the classroom
/// page's run gives the days done so far, as [`crate::model::run_observed`] tells them.
#[derive(Clone, Debug, Default)]
pub struct Daily<'a> {
    /// Per platform, day by day.
    pub platforms: Vec<&'a [PlatformDay]>,
    /// Per platform, the regime changes so far: (day, regime).
    pub regime_changes: Vec<&'a [(u32, Regime)]>,
    /// Per leader, day by day.
    pub leaders: Vec<&'a [LeaderDay]>,
    /// Per department, day by day.
    pub departments: Vec<&'a [DepartmentDay]>,
}

impl<'a> Daily<'a> {
    /// All the days of a finished replication.
    pub fn of(o: &'a RunOutput) -> Daily<'a> {
        Daily {
            platforms: o.platforms.iter().map(|p| p.days.as_slice()).collect(),
            regime_changes: o.platforms.iter().map(|p| p.regimes.changes.as_slice()).collect(),
            leaders: o.leaders.iter().map(Vec::as_slice).collect(),
            departments: o.departments.iter().map(|d| d.days.as_slice()).collect(),
        }
    }

    /// The first `days` days only (and the regime changes dated in them).
    pub fn first(&self, days: usize) -> Daily<'a> {
        fn cut<T>(s: &[T], days: usize) -> &[T] {
            &s[..s.len().min(days)]
        }
        Daily {
            platforms: self.platforms.iter().map(|s| cut(s, days)).collect(),
            regime_changes: self
                .regime_changes
                .iter()
                .map(|c| cut(c, c.iter().position(|(d, _)| *d as usize >= days).unwrap_or(c.len())))
                .collect(),
            leaders: self.leaders.iter().map(|s| cut(s, days)).collect(),
            departments: self.departments.iter().map(|s| cut(s, days)).collect(),
        }
    }
}

/// Every chart a run may draw, with every series, before the flat ones are left out and the
/// busiest departments picked ([`Drafts::shown`]): the page appends to these as the days pass.
#[derive(Clone, Debug)]
pub struct Drafts {
    /// Days drawn (the longest replication).
    pub days: usize,
    /// The charts, in order.
    pub charts: Vec<Draft>,
    /// Per platform: the regime of each replication, day by day.
    pub regimes: Vec<RegimeStrip>,
}

/// One chart with all its series.
#[derive(Clone, Debug)]
pub struct Draft {
    /// The chart (every series in it).
    pub chart: Chart,
    /// Only the busiest this many series are drawn (departments), after the flat ones are left out.
    pub top: Option<usize>,
}

/// Which series of a [`Draft`] are drawn, in order, and the constant ones named beside.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Shown {
    /// Index into [`Drafts::charts`].
    pub chart: usize,
    /// Indices into its series, in the order drawn.
    pub series: Vec<usize>,
    /// Series left out because they hold one value throughout: (label, what, value).
    pub constant: Vec<(String, String, Option<f64>)>,
}

impl Draft {
    /// The series drawn and the constants named, or `None` when nothing is left to draw.
    fn shown(&self, chart: usize) -> Option<Shown> {
        let all = &self.chart.series;
        let (mut drawn, flat): (Vec<usize>, Vec<usize>) = (0..all.len()).partition(|&i| !flat(&all[i]));
        let constant = match self.top {
            // The busiest few, so that the chart is not a tangle; flat ones go without a word.
            Some(n) => {
                let avg = |i: &usize| all[*i].mean.iter().filter_map(|v| v.get()).sum::<f64>();
                drawn.sort_by(|a, b| avg(b).total_cmp(&avg(a)));
                drawn.truncate(n);
                Vec::new()
            }
            // A constant share is worth a word (on time throughout); a constant zero of a kind is not.
            None => flat
                .into_iter()
                .filter_map(|i| {
                    let s = &all[i];
                    let v = s.mean.iter().find_map(|v| v.get());
                    (!self.chart.stacked && v.is_some()).then(|| (s.name.clone(), s.what.clone(), v))
                })
                .collect(),
        };
        (!drawn.is_empty()).then_some(Shown { chart, series: drawn, constant })
    }
}

impl Drafts {
    /// The charts drawn now, and what each draws.
    pub fn shown(&self) -> Vec<Shown> {
        self.charts.iter().enumerate().filter_map(|(i, d)| d.shown(i)).collect()
    }

    /// The charts as drawn: flat series left out, the busiest departments picked.
    pub fn finished(&self) -> Vec<Chart> {
        self.shown()
            .into_iter()
            .map(|s| {
                let c = &self.charts[s.chart].chart;
                Chart {
                    key: c.key.clone(),
                    of: c.of.clone(),
                    unit: c.unit.clone(),
                    stacked: c.stacked,
                    series: s.series.iter().map(|&i| c.series[i].clone()).collect(),
                    constant: s.constant,
                }
            })
            .collect()
    }
}

/// Every chart and the regime timeline of replications' daily figures, for platforms `drawn`
/// (indices in scenario order).
pub fn drafts(sc: &Scenario, reps: &[Daily<'_>], drawn: &[usize]) -> Drafts {
    let days = reps.iter().flat_map(|o| o.platforms.iter().map(|p| p.len())).max().unwrap_or(0);
    let per_platform = |p: usize, f: &dyn Fn(&[PlatformDay]) -> Vec<f64>| -> Vec<Vec<f64>> {
        reps.iter().map(|o| f(o.platforms[p])).collect()
    };
    let mut charts = Vec::new();
    let ids: Vec<(usize, &str)> = drawn.iter().map(|&p| (p, sc.platforms[p].id.as_str())).collect();

    // Open and overdue orders.
    let mut series = Vec::new();
    for &(p, id) in &ids {
        series.push(band(id, "open", false, &per_platform(p, &|r| week(r.iter().map(|d| d.open as f64)))));
        series.push(band(id, "overdue", true, &per_platform(p, &|r| week(r.iter().map(|d| d.overdue as f64)))));
    }
    push(&mut charts, "open_orders", None, "orders", false, series);

    // On-time share of orders closed in the system, trailing window.
    let series = ids
        .iter()
        .map(|&(p, id)| {
            band(
                id,
                "",
                false,
                &per_platform(p, &|r| {
                    let on: Vec<f64> = r.iter().map(|d| d.on_time as f64).collect();
                    let closed: Vec<f64> = r.iter().map(|d| d.closed as f64).collect();
                    trailing_ratio(&on, &closed, SHARE_WINDOW_DAYS)
                }),
            )
        })
        .collect();
    push(&mut charts, "on_time_share", None, "share", false, series);

    // Burden share by kind, one stacked chart per platform.
    for &(p, id) in &ids {
        let series = BURDEN_KINDS
            .iter()
            .map(|&k| {
                band(
                    id,
                    crate::model::department::Hours::KINDS[k],
                    false,
                    &per_platform(p, &|r| {
                        let part: Vec<f64> = r.iter().map(|d| d.kinds[k]).collect();
                        let all: Vec<f64> = r.iter().map(|d| d.hours).collect();
                        trailing_ratio(&part, &all, SHARE_WINDOW_DAYS)
                    }),
                )
            })
            .collect();
        push(&mut charts, "burden_share", Some(id), "share", true, series);
    }

    // Usage (7-day mean arrivals) and trust.
    let series = ids
        .iter()
        .map(|&(p, id)| band(id, "", false, &per_platform(p, &|r| week(r.iter().map(|d| d.arrivals as f64)))))
        .collect();
    push(&mut charts, "usage", None, "orders_per_day", false, series);
    let series = ids
        .iter()
        .map(|&(p, id)| band(id, "", false, &per_platform(p, &|r| r.iter().map(|d| d.trust).collect())))
        .collect();
    push(&mut charts, "trust", None, "share", false, series);

    // Leaders' inboxes.
    let mut series = Vec::new();
    for (i, l) in sc.leaders.iter().enumerate() {
        let per: Vec<Vec<f64>> = reps.iter().map(|o| week(o.leaders[i].iter().map(|d| d.inbox as f64))).collect();
        series.push(band(&l.id, "", false, &per));
        if l.delegate.is_some() {
            let per: Vec<Vec<f64>> =
                reps.iter().map(|o| week(o.leaders[i].iter().map(|d| d.deputy_inbox as f64))).collect();
            series.push(band(&l.id, "deputy", true, &per));
        }
    }
    push(&mut charts, "leader_inbox", None, "items", false, series);

    // Departments' queues and stress: the busiest few, so that the chart is not a tangle.
    for (key, unit, f) in [
        ("dept_queue", "jobs", (|d: &DepartmentDay| d.queue as f64) as fn(&_) -> f64),
        ("dept_stress", "level", |d| d.stress),
    ] {
        let series = sc
            .departments
            .iter()
            .enumerate()
            .map(|(i, dep)| {
                let per: Vec<Vec<f64>> = reps.iter().map(|o| week(o.departments[i].iter().map(f))).collect();
                band(&dep.id, "", false, &per)
            })
            .collect();
        charts.push(Draft {
            chart: Chart { key: key.into(), of: None, unit: unit.into(), stacked: false, series, constant: Vec::new() },
            top: Some(6),
        });
    }

    let regimes = ids
        .iter()
        .map(|&(p, id)| RegimeStrip {
            platform: id.to_string(),
            codes: reps.iter().map(|o| o.platforms[p].iter().map(|d| regime_code(d.regime)).collect()).collect(),
            changes: reps.iter().map(|o| o.regime_changes[p].iter().map(|(d, r)| (*d, r.name())).collect()).collect(),
        })
        .collect();
    Drafts { days, charts, regimes }
}

/// Builds the view of a run. `text` is the scenario file's text, `changes` the `--set`/`--unset`
/// arguments that made the variant.
pub fn run_view(
    sc: &Scenario,
    text: &str,
    changes: &[String],
    outs: &[RunOutput],
    rows: &[Vec<PlatformSummary>],
) -> RunView {
    run_view_of(sc, text, changes, outs, rows, &platforms_drawn(outs, sc.platforms.len()))
}

/// [`run_view`] drawing platforms `drawn` (indices, in scenario order).
pub fn run_view_of(
    sc: &Scenario,
    text: &str,
    changes: &[String],
    outs: &[RunOutput],
    rows: &[Vec<PlatformSummary>],
    drawn: &[usize],
) -> RunView {
    let reps: Vec<Daily<'_>> = outs.iter().map(Daily::of).collect();
    let mut d = drafts(sc, &reps, drawn);
    // A run that kept no daily records draws its regime strips from the dated changes.
    let no_daily_records = outs.iter().any(|o| o.platforms.iter().any(|p| p.days.is_empty() && !p.trail.is_empty()));
    if no_daily_records {
        d.charts = trail_charts(sc, outs, drawn);
        for (strip, &p) in d.regimes.iter_mut().zip(drawn) {
            strip.codes =
                outs.iter().map(|o| codes_of_changes(&o.platforms[p].regimes.changes, o.town.len())).collect();
        }
    }
    let mut sentences = sentences(sc, outs, rows);
    if drawn.len() < sc.platforms.len() {
        sentences = drawn.iter().map(|&p| sentences[p].clone()).collect();
    }
    RunView {
        charts: d.finished(),
        regimes: d.regimes,
        days: outs.iter().map(|o| o.town.len()).max().unwrap_or(0),
        sentences,
        platforms_total: (drawn.len() < sc.platforms.len()).then_some(sc.platforms.len()),
        no_daily_records,
        ..run_facts(sc, text, changes, outs.len())
    }
}

/// The charts a run that kept no daily records can still draw, from the trail it keeps of every
/// day: open orders, and the share closed on time — drawn as a run that kept every day draws them.
fn trail_charts(sc: &Scenario, outs: &[RunOutput], drawn: &[usize]) -> Vec<Draft> {
    let mut charts = Vec::new();
    let per = |p: usize, f: &dyn Fn(&crate::metrics::collector::Trail) -> Vec<f64>| -> Vec<Vec<f64>> {
        outs.iter().map(|o| f(&o.platforms[p].trail)).collect()
    };
    let column = |v: &[u32]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
    let series = drawn
        .iter()
        .map(|&p| band(&sc.platforms[p].id, "open", false, &per(p, &|t| week(t.open.iter().map(|&x| x as f64)))))
        .collect();
    push(&mut charts, "open_orders_only", None, "orders", false, series);
    let series = drawn
        .iter()
        .map(|&p| {
            band(
                &sc.platforms[p].id,
                "",
                false,
                &per(p, &|t| trailing_ratio(&column(&t.on_time), &column(&t.closed), SHARE_WINDOW_DAYS)),
            )
        })
        .collect();
    push(&mut charts, "on_time_share", None, "share", false, series);
    charts
}

/// A regime strip of `days` days from the dated changes: each regime from the day it is dated.
fn codes_of_changes(changes: &[(u32, Regime)], days: usize) -> Vec<i8> {
    let mut codes = vec![regime_code(None); days];
    for (k, &(from, r)) in changes.iter().enumerate() {
        let to = changes.get(k + 1).map_or(days, |c| c.0 as usize).min(days);
        let from = (from as usize).min(to);
        codes[from..to].fill(regime_code(Some(r)));
    }
    codes
}

/// A view without charts, regimes or sentences: the facts of a run of `replications`
/// replications (the classroom page's header while the run goes).
pub fn run_facts(sc: &Scenario, text: &str, changes: &[String], replications: usize) -> RunView {
    RunView {
        version: crate::provenance::describe(),
        name: sc.name.clone(),
        description: sc.description.clone().unwrap_or_default(),
        origin: sc.origin.clone(),
        text: text.into(),
        changes: changes.to_vec(),
        seed: sc.simulation.seed,
        replications,
        days: sc.simulation.duration_days.ceil().max(0.0) as usize,
        warmup_days: sc.simulation.warmup_days,
        regime_names: Regime::ALL.iter().map(|r| r.name()).collect(),
        regimes: Vec::new(),
        charts: Vec::new(),
        sentences: Vec::new(),
        platforms_total: None,
        no_daily_records: false,
        shocks: sc
            .platforms
            .iter()
            .flat_map(|p| {
                p.shocks.iter().map(|&(from_day, to_day, multiplier)| ShockWindow {
                    platform: p.id.clone(),
                    from_day,
                    to_day,
                    multiplier,
                })
            })
            .take(MAX_SHOCKS_SHOWN)
            .collect(),
        names: sc.names.clone(),
    }
}

fn push(charts: &mut Vec<Draft>, key: &str, of: Option<&str>, unit: &str, stacked: bool, series: Vec<Series>) {
    let chart =
        Chart { key: key.into(), of: of.map(str::to_string), unit: unit.into(), stacked, series, constant: Vec::new() };
    charts.push(Draft { chart, top: None });
}

fn column(rows: &[Vec<PlatformSummary>], p: usize, metric: &str) -> Vec<f64> {
    rows.iter().map(|r| r[p].get(metric)).collect()
}

/// The decisive figures of each platform, in English and 中文.
pub fn sentences(sc: &Scenario, outs: &[RunOutput], rows: &[Vec<PlatformSummary>]) -> Vec<Sentence> {
    let n = rows.len();
    sc.platforms
        .iter()
        .enumerate()
        .map(|(p, spec)| {
            let regimes: Vec<Regime> = rows.iter().map(|r| r[p].regime).collect();
            let modal = modal_regime(&regimes);
            let k = regimes.iter().filter(|r| **r == modal).count();
            let closed = pm(&column(rows, p, "closed_in_system_share"), 0, 100.0);
            let on_time = pm(&column(rows, p, "on_time_share"), 0, 100.0);
            let per_month = pm(&column(rows, p, "closed_per_month"), 1, 1.0);
            let burden = pm(&column(rows, p, "burden_share"), 0, 100.0);
            let rep = regimes.iter().position(|r| *r == modal).unwrap_or(0);
            let changes = outs.get(rep).map_or(Vec::new(), |o| o.platforms[p].regimes.changes.clone());
            let shown = |f: &dyn Fn(u32, Regime) -> String| {
                let v: Vec<String> = changes.iter().map(|(d, r)| f(*d, *r)).collect();
                if v.len() > 6 {
                    format!("{} … {}", v[..2].join(", "), v[v.len() - 2..].join(", "))
                } else {
                    v.join(", ")
                }
            };
            let en = format!(
                "{id} is {zh} {name} in {k} of {n} replications. {closed}% of its decided orders closed in the \
                 system, {on_time}% of those on time; it closed {per_month} orders a month; {burden}% of the staff \
                 hours on its orders were burden. Regime changes (replication {rep}): {ch}.",
                id = sc.names.platform(&spec.id, Lang::En),
                zh = modal.chinese(),
                name = modal.name(),
                ch = shown(&|d, r| format!("day {d} {}", r.name())),
            );
            let zh = format!(
                "{id}：{n} 次重复中有 {k} 次为「{zh}」。已决工单中 {closed}% 在系统内办结，其中 {on_time}% 按时；\
                 每月办结 {per_month} 件；其工单占用的工时中 {burden}% 是负担。状态变化（第 {rep} 次重复）：{ch}。",
                id = sc.names.platform(&spec.id, Lang::Zh),
                zh = modal.chinese(),
                ch = shown(&|d, r| format!("第 {d} 天 {}", r.chinese())),
            );
            // The hotline's own figures (the lesson on 负能 asks for them): redone replies where
            // replies are audited, the gap satisfaction games where units are assessed, the
            // dispatchers' time on returns where a desk dispatches.
            let mut more_en = Vec::new();
            let mut more_zh = Vec::new();
            if spec.audit.is_some() {
                let redo = pm(&column(rows, p, "redo_rate"), 1, 100.0);
                more_en.push(format!("{redo}% of its orders were redone after the audit"));
                more_zh.push(format!("{redo}% 的工单经审核后返工"));
            }
            if spec.assessment.is_some() {
                let mut gaps = column(rows, p, "gaming_gap");
                let below = gaps.iter().sum::<f64>() < 0.0;
                if below {
                    gaps.iter_mut().for_each(|g| *g = -*g);
                }
                let gap = pm(&gaps, 0, 100.0);
                let (en, zh) = if below { ("below", "低") } else { ("above", "高") };
                more_en.push(format!("satisfaction ran {gap} points {en} resolution"));
                more_zh.push(format!("满意率比解决率{zh} {gap} 个百分点"));
            }
            if spec.desk.is_some() {
                let returns = pm(&column(rows, p, "desk_return_share"), 0, 100.0);
                more_en.push(format!("the dispatchers spent {returns}% of their time on returned orders"));
                more_zh.push(format!("派单员 {returns}% 的时间用于处理退单"));
            }
            let (en, zh) = if more_en.is_empty() {
                (en, zh)
            } else {
                (format!("{en} Also: {}.", more_en.join("; ")), format!("{zh}另外：{}。", more_zh.join("；")))
            };
            let (mut en, mut zh) = (en, zh);
            let figure = |metric: &str| {
                let xs: Vec<f64> = column(rows, p, metric).into_iter().filter(|x| x.is_finite()).collect();
                (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
            };
            for (c_en, c_zh) in super::caveats::caveats(&sc.name, &spec.id, modal.name(), &figure) {
                en = format!("{en} {c_en}");
                zh = format!("{zh}{c_zh}");
            }
            Sentence { platform: spec.id.clone(), regime: modal.name(), en, zh }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_and_flatness() {
        let s = band("a", "", false, &[vec![1.0, 2.0, f64::NAN], vec![3.0, 2.0, f64::NAN]]);
        let opt = |v: &[Val]| v.iter().map(|x| x.get()).collect::<Vec<_>>();
        assert_eq!(opt(&s.mean), vec![Some(2.0), Some(2.0), None]);
        assert_eq!(opt(&s.lo), vec![Some(1.0), Some(2.0), None]);
        assert_eq!(opt(&s.hi), vec![Some(3.0), Some(2.0), None]);
        assert_eq!(serde_json::to_string(&s.mean).unwrap(), "[2.0,2.0,null]");
        assert!(!flat(&s));
        assert!(flat(&band("b", "", false, &[vec![0.0, 0.0], vec![0.0, 0.0]])));
        assert_eq!(round(123456.0), Some(123500.0));
        assert_eq!(round(0.0012345), Some(0.001235));
    }

    #[test]
    fn trailing_windows() {
        let r = trailing_ratio(&[1.0, 0.0, 1.0, 1.0], &[1.0, 0.0, 2.0, 1.0], 2);
        assert_eq!(r[0], 1.0);
        assert_eq!(r[1], 1.0);
        assert_eq!(r[2], 0.5);
        assert!((r[3] - 2.0 / 3.0).abs() < 1e-12);
        assert!(trailing_ratio(&[0.0], &[0.0], 3)[0].is_nan());
    }
}
