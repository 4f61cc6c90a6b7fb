//! What the classroom page can ask for: the bundled scenarios and their controls, runs (with a
//! control run on the same random numbers), their progress, and the story of one order. Every
//! change from the page goes through `--set`/`--unset` ([`crate::scenario::overrides`]), so a
//! bad value gets the command line's message, and the settings can be printed as a command line.

use std::collections::BTreeMap;
use std::error::Error;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::experiment::compare::differences_of_runs;
use crate::experiment::trace;
use crate::metrics::Regime;
use crate::metrics::collector::{DepartmentDay, LeaderDay, PlatformDay};
use crate::model::{DayFigures, RunOutput, run_observed};
use crate::output::html::Bilingual;
use crate::output::story::{self, Lang};
use crate::output::view::{
    Chart, Daily, Drafts, RegimeStrip, RunView, Shown, drafts, platforms_drawn_side_by_side, run_facts, run_view,
    run_view_of,
};
use crate::output::{report, summaries};
use crate::scenario::Scenario;
use crate::scenario::overrides::{Override, load_variant_str, parse_set, parse_unset};

/// The scenarios built into the binary (see [`crate::scenario::bundled`]).
pub use crate::scenario::bundled::BUNDLED;

/// Most replications a page may ask for.
pub const MAX_PAGE_REPLICATIONS: u32 = 16;
/// Most runs going at once; more are refused with a message.
pub const MAX_RUNNING: usize = 4;
/// Finished runs kept for the page to collect.
pub const KEEP_JOBS: usize = 32;
/// Most memory the runs and stories going at once may take together, by
/// [`crate::output::estimate_peak_bytes`]: what one command-line run may take without `--large`.
pub const MAX_SERVER_BYTES: u64 = crate::output::LARGE_OUTPUT_BYTES;
/// Most stories of an order told at once (each holds one of the server's request workers).
pub const MAX_STORIES: usize = 2;
/// How long one run of the page may take before it is stopped.
pub const MAX_JOB_TIME: std::time::Duration = std::time::Duration::from_secs(600);

/// A message as the command line prints it: the error, then each cause on its own line.
pub fn message(e: &(dyn Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(&format!("\n  caused by: {c}"));
        cause = c.source();
    }
    s
}

/// A scenario the page can pick.
#[derive(Clone, Debug)]
pub struct Source {
    /// Its id on the page.
    pub id: String,
    /// The file, as messages and the printed command line name it.
    pub file: String,
    /// The TOML text.
    pub text: String,
}

/// The scenarios on offer: those given on the command line, then the bundled ones.
pub fn sources(extra: Vec<Source>) -> Vec<Source> {
    let mut v = extra;
    for (id, file, text) in BUNDLED {
        if !v.iter().any(|s| s.id == *id) {
            v.push(Source { id: id.to_string(), file: file.to_string(), text: text.to_string() });
        }
    }
    v
}

/// A slider, field or switch on the page, tied to one key path.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Control {
    /// The key path (`leaders.secretary.attention_hours_per_day`).
    pub key: String,
    /// Label key in the page's dictionary.
    pub label: String,
    /// What it is about (a leader, platform or department id).
    pub of: String,
    /// Unit key.
    pub unit: String,
    /// "range" or "switch".
    pub kind: &'static str,
    /// Lowest, highest, step (ranges).
    pub min: f64,
    /// Highest.
    pub max: f64,
    /// Step.
    pub step: f64,
    /// The scenario's value (switch: 1 on, 0 off).
    pub value: f64,
}

fn range(key: String, label: &str, of: &str, unit: &str, (min, max, step): (f64, f64, f64), value: f64) -> Control {
    Control { key, label: label.into(), of: of.into(), unit: unit.into(), kind: "range", min, max, step, value }
}

/// The controls a teacher varies, for a loaded scenario: leaders' attention, demand on each
/// platform, staff, audit on/off, screening of unreasonable demands.
pub fn controls(sc: &Scenario) -> Vec<Control> {
    let day = sc.calendar.hours_per_day();
    let mut v = Vec::new();
    for l in &sc.leaders {
        let label = if l.id == "secretary" { "ctl_attention" } else { "ctl_attention_of" };
        let key = format!("leaders.{}.attention_hours_per_day", l.id);
        v.push(range(key, label, &l.id, "u_hours_day", (0.0, day, 0.25), l.attention_hours_per_day));
    }
    for p in &sc.platforms {
        if p.arrival_rate_per_day > 0.0 {
            let max = (p.arrival_rate_per_day * 4.0).max(10.0).ceil();
            let step = if max > 100.0 { 1.0 } else { 0.1 };
            let key = format!("platforms.{}.arrival_rate_per_day", p.id);
            v.push(range(key, "ctl_demand", &p.id, "u_orders_day", (0.0, max, step), p.arrival_rate_per_day));
        }
    }
    for d in &sc.departments {
        let max = (d.staff as f64 * 3.0).max(10.0).ceil();
        v.push(range(
            format!("departments.{}.staff", d.id),
            "ctl_staff",
            &d.id,
            "u_people",
            (1.0, max, 1.0),
            d.staff as f64,
        ));
    }
    for p in &sc.platforms {
        if p.audit.is_some() {
            v.push(Control {
                key: format!("platforms.{}.audit", p.id),
                label: "ctl_audit".into(),
                of: p.id.clone(),
                unit: String::new(),
                kind: "switch",
                min: 0.0,
                max: 1.0,
                step: 1.0,
                value: 1.0,
            });
        }
        if p.unreasonable_share > 0.0 || p.screening_prob > 0.0 {
            let key = format!("platforms.{}.screening.prob", p.id);
            v.push(range(key, "ctl_screening", &p.id, "u_prob", (0.0, 1.0, 0.05), p.screening_prob));
        }
    }
    v
}

/// What the page sends to run.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// Scenario id.
    pub scenario: String,
    /// `KEY=VALUE` changes, as `--set` takes them.
    #[serde(default)]
    pub set: Vec<String>,
    /// Keys to remove, as `--unset` takes them.
    #[serde(default)]
    pub unset: Vec<String>,
    /// Seed [default: the scenario's].
    #[serde(default)]
    pub seed: Option<u64>,
    /// Replications [default: the scenario's, at most [`MAX_PAGE_REPLICATIONS`]].
    #[serde(default)]
    pub replications: Option<u32>,
    /// Also run the scenario unchanged, on the same random numbers.
    #[serde(default)]
    pub control: bool,
}

/// Why the page's request cannot be run.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Not a scenario on offer.
    #[error("unknown scenario \"{0}\" (see the list on the page)")]
    UnknownScenario(String),
    /// Out of range.
    #[error("replications: expected a whole number from 1 to {MAX_PAGE_REPLICATIONS} on the page, found {0}")]
    Replications(u32),
    /// Too many runs at once.
    #[error("{MAX_RUNNING} runs are going already; wait for one to finish")]
    Busy,
    /// A `--set`/`--unset` or the scenario it makes is wrong: the command line's message.
    #[error("{0}")]
    Scenario(String),
    /// Too many stories are being told at once.
    #[error("{MAX_STORIES} stories of an order are being told already; wait for one to finish")]
    Telling,
    /// The server's other work leaves too little memory for this one now.
    #[error("the server is busy with other runs (about {0:.1} GB of memory in use); wait for one to finish")]
    Full(f64),
    /// The run would take more memory than the command line allows without `--large`.
    #[error(
        "this run would take about {0:.1} GB of memory, more than `embedsim run` takes without --large; \
         lower the replications or simulation.duration_days, or run it from the command line with --large"
    )]
    TooLarge(f64),
}

/// A request made ready: the scenario A (the variant) and, for a comparison, the control B.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The variant.
    pub variant: Scenario,
    /// The scenario unchanged (with the same seed and replications), if asked for.
    pub control: Option<Scenario>,
    /// The source.
    pub source: Source,
    /// The changes, as arguments.
    pub arguments: Vec<String>,
    /// Overrides, parsed.
    pub overrides: Vec<Override>,
    /// Its memory, by [`crate::output::estimate_peak_bytes`].
    pub estimate: u64,
}

/// Checks a request exactly as the command line checks `run SCENARIO --set ... --unset ...`.
pub fn prepare(req: &RunRequest, sources: &[Source]) -> Result<Prepared, ApiError> {
    let source =
        sources.iter().find(|s| s.id == req.scenario).ok_or_else(|| ApiError::UnknownScenario(req.scenario.clone()))?;
    let scenario_err = |e: &(dyn Error + 'static)| ApiError::Scenario(message(e));
    let mut overrides = Vec::new();
    for s in &req.set {
        overrides.push(parse_set(s).map_err(|e| scenario_err(&e))?);
    }
    for u in &req.unset {
        overrides.push(parse_unset(u).map_err(|e| scenario_err(&e))?);
    }
    let mut variant = load_variant_str(&source.text, &source.file, &overrides).map_err(|e| scenario_err(&e))?;
    let mut control = if req.control {
        Some(load_variant_str(&source.text, &source.file, &[]).map_err(|e| scenario_err(&e))?)
    } else {
        None
    };
    let reps = req.replications.unwrap_or(variant.simulation.replications.min(MAX_PAGE_REPLICATIONS));
    if !(1..=MAX_PAGE_REPLICATIONS).contains(&reps) {
        return Err(ApiError::Replications(reps));
    }
    let seed = req.seed.unwrap_or(variant.simulation.seed);
    for sc in std::iter::once(&mut variant).chain(control.as_mut()) {
        sc.simulation.seed = seed;
        sc.simulation.replications = reps;
    }
    // The command line's guard, on the same estimate: every replication of both sides runs at
    // once (one thread each).
    let peak: u64 = std::iter::once(&variant)
        .chain(control.as_ref())
        .map(|sc| crate::output::estimate_peak_bytes(sc, reps, reps as usize))
        .sum();
    if peak > crate::output::LARGE_OUTPUT_BYTES {
        return Err(ApiError::TooLarge(peak as f64 / 1e9));
    }
    let arguments =
        req.set.iter().map(|s| format!("--set {s}")).chain(req.unset.iter().map(|u| format!("--unset {u}"))).collect();
    Ok(Prepared { variant, control, source: source.clone(), arguments, overrides, estimate: peak })
}

/// Quotes a shell word when it needs it.
fn shell(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@".contains(c)) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The command line and TOML lines that reproduce a prepared run from the terminal.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Settings {
    /// `embedsim run FILE --seed N --replications N --set ...`.
    pub command: String,
    /// The same changes as TOML, table by table.
    pub toml: String,
}

/// "Show me the settings".
pub fn settings(p: &Prepared) -> Settings {
    let sim = &p.variant.simulation;
    let mut words = vec!["embedsim".to_string(), "run".into(), shell(&p.source.file)];
    words.extend(["--seed".into(), sim.seed.to_string(), "--replications".into(), sim.replications.to_string()]);
    let mut tables: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for o in &p.overrides {
        match o {
            Override::Set { path, value } => {
                words.push("--set".into());
                words.push(shell(&format!("{path}={value}")));
                let (table, key) = path.rsplit_once('.').unwrap_or(("", path));
                tables.entry(table.to_string()).or_default().push(format!("{key} = {value}"));
            }
            Override::Unset { path } => {
                words.push("--unset".into());
                words.push(shell(path));
                let (table, key) = path.rsplit_once('.').unwrap_or(("", path));
                tables.entry(table.to_string()).or_default().push(format!("# delete: {key}"));
            }
        }
    }
    let mut toml = format!("[simulation]\nseed = {}\nreplications = {}\n", sim.seed, sim.replications);
    for (table, lines) in tables {
        if table.is_empty() {
            toml.push('\n');
        } else {
            toml.push_str(&format!("\n[{table}]\n"));
        }
        for l in lines {
            toml.push_str(&l);
            toml.push('\n');
        }
    }
    Settings { command: words.join(" "), toml }
}

/// What a finished run gives the page.
#[derive(Clone, Debug, Serialize)]
pub struct RunResult {
    /// The variant (what the sliders say).
    pub a: RunView,
    /// The control, unchanged, on the same random numbers.
    pub b: Option<RunView>,
    /// The differences control → variant, in sentences (significant ones).
    pub compare: Vec<Bilingual>,
    /// The table `embedsim run` prints for the variant.
    pub table: String,
    /// The settings that reproduce it.
    pub settings: Settings,
}

/// A run's state, as the page polls it.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum JobState {
    /// Going.
    Running {
        /// Simulated days finished, over all replications.
        done: u64,
        /// Days to simulate in all.
        total: u64,
    },
    /// Finished.
    Done {
        /// The result.
        result: Box<RunResult>,
    },
    /// Stopped with an error.
    Error {
        /// The command line's message.
        error: String,
        /// The same in 中文.
        error_zh: String,
    },
}

/// Most days of the charts' series sent in one answer to a poll; the page asks again for more.
pub const MAX_LIVE_DAYS: usize = 60;

/// What a poll asking for the charts' days gets besides the state: per side of the run (the
/// variant, then the control), the days after those the page has, as far as every replication
/// has gone.
#[derive(Clone, Debug, Serialize)]
pub struct Poll {
    /// The state.
    #[serde(flatten)]
    pub state: JobState,
    /// Per side (the variant, then the control): the days since the page's last poll.
    pub live: Vec<Live>,
}

/// The charts' days `from..to` of one side of a run, while it goes (or after).
#[derive(Clone, Debug, Serialize)]
pub struct Live {
    /// The run's facts (no charts, regimes, sentences or scenario text), for the page's header.
    pub facts: RunView,
    /// Days finished in every replication.
    pub ready: usize,
    /// First day sent (the days the page said it has).
    pub from: usize,
    /// One past the last day sent: at most [`MAX_LIVE_DAYS`] after `from`, at most `ready`.
    pub to: usize,
    /// Every chart the run may draw, with every series, each holding days `from..to` only.
    pub charts: Vec<Chart>,
    /// Which of them to draw, as of day `to` (once the run is over, as of its end), and which of
    /// their series (flat ones are left out, the busiest departments picked, as in the finished
    /// run's view).
    pub shown: Vec<Shown>,
    /// Per platform: the regime codes of days `from..to`, and the changes so far.
    pub regimes: Vec<RegimeStrip>,
}

/// The days of one replication done so far, as the run tells them at each day's end.
#[derive(Clone, Debug, Default)]
pub struct SoFar {
    days: usize,
    platforms: Vec<Vec<PlatformDay>>,
    regime_changes: Vec<Vec<(u32, Regime)>>,
    leaders: Vec<Vec<LeaderDay>>,
    departments: Vec<Vec<DepartmentDay>>,
}

impl SoFar {
    /// No day yet of a run of `sc`.
    pub fn new(sc: &Scenario) -> SoFar {
        SoFar {
            days: 0,
            platforms: vec![Vec::new(); sc.platforms.len()],
            regime_changes: vec![Vec::new(); sc.platforms.len()],
            leaders: vec![Vec::new(); sc.leaders.len()],
            departments: vec![Vec::new(); sc.departments.len()],
        }
    }

    /// Records day `d` as it ends (days come in order; another is ignored, as is a day of
    /// another scenario's run).
    pub fn record(&mut self, d: u32, f: &DayFigures<'_>) {
        let fits = (self.platforms.len(), self.leaders.len(), self.departments.len())
            == (f.platforms(), f.leaders(), f.departments());
        if d as usize != self.days || !fits {
            return;
        }
        for (p, days) in self.platforms.iter_mut().enumerate() {
            days.push(*f.platform(p));
            let changes = f.regime_changes(p);
            if changes.len() != self.regime_changes[p].len() {
                self.regime_changes[p] = changes.to_vec();
            }
        }
        for (i, days) in self.leaders.iter_mut().enumerate() {
            days.push(*f.leader(i));
        }
        for (i, days) in self.departments.iter_mut().enumerate() {
            days.push(*f.department(i));
        }
        self.days += 1;
    }

    /// All the days of a finished replication.
    pub fn of(out: &RunOutput) -> SoFar {
        let d = Daily::of(out);
        SoFar {
            days: out.town.len(),
            platforms: d.platforms.iter().map(|s| s.to_vec()).collect(),
            regime_changes: d.regime_changes.iter().map(|s| s.to_vec()).collect(),
            leaders: d.leaders.iter().map(|s| s.to_vec()).collect(),
            departments: d.departments.iter().map(|s| s.to_vec()).collect(),
        }
    }

    /// Days recorded.
    pub fn days(&self) -> usize {
        self.days
    }

    /// The figures, as the views take them.
    pub fn daily(&self) -> Daily<'_> {
        Daily {
            platforms: self.platforms.iter().map(Vec::as_slice).collect(),
            regime_changes: self.regime_changes.iter().map(Vec::as_slice).collect(),
            leaders: self.leaders.iter().map(Vec::as_slice).collect(),
            departments: self.departments.iter().map(Vec::as_slice).collect(),
        }
    }
}

/// One side of a page's run (the variant or the control) as its days pass.
pub struct Side {
    scenario: Scenario,
    facts: RunView,
    /// Per replication, while it goes.
    reps: Vec<Mutex<SoFar>>,
    /// Every chart and the regimes, once the run is finished (the replications' days dropped).
    drawn: Mutex<Option<Drafts>>,
}

impl Side {
    fn new(scenario: &Scenario, changes: &[String]) -> Side {
        let n = scenario.simulation.replications as usize;
        Side {
            facts: run_facts(scenario, "", changes, n),
            scenario: scenario.clone(),
            reps: (0..n).map(|_| Mutex::new(SoFar::new(scenario))).collect(),
            drawn: Mutex::new(None),
        }
    }

    /// The charts' days after `from` (at most [`MAX_LIVE_DAYS`]), as far as every replication went.
    pub fn live(&self, from: usize) -> Live {
        let slice = |d: &Drafts, ready: usize| {
            let to = ready.min(from.saturating_add(MAX_LIVE_DAYS));
            let from = from.min(to);
            // The display names come with the first days only: a city has thousands, and the
            // page polls ten times a second.
            let mut facts = self.facts.clone();
            if from > 0 {
                facts.names = Default::default();
            }
            Live {
                facts,
                ready,
                from,
                to,
                charts: d.charts.iter().map(|c| c.chart.days(from, to)).collect(),
                shown: d.shown(),
                regimes: d.regimes.iter().map(|r| r.days(from, to)).collect(),
            }
        };
        // The replications first, then the finished charts: the order [`Side::close`] keeps.
        let reps: Vec<_> = self.reps.iter().map(lock).collect();
        if let Some(d) = &*lock(&self.drawn) {
            return slice(d, d.days);
        }
        let ready = reps.iter().map(|r| r.days()).min().unwrap_or(0);
        let to = ready.min(from.saturating_add(MAX_LIVE_DAYS));
        // The charts as of day `to`: what the page will have drawn once it appends these days.
        let daily: Vec<Daily<'_>> = reps.iter().map(|r| r.daily().first(to)).collect();
        slice(&drafts(&self.scenario, &daily, &self.every_platform()), ready)
    }

    /// The live page draws every platform: what it appends day by day must stay the same series.
    fn every_platform(&self) -> Vec<usize> {
        (0..self.scenario.platforms.len()).collect()
    }

    /// A replication is finished: its days are the run's own.
    fn finished(&self, r: usize, out: &RunOutput) {
        if let Some(m) = self.reps.get(r) {
            *lock(m) = SoFar::of(out);
        }
    }

    /// The whole run is finished: keep its charts, drop the replications' days.
    fn close(&self) {
        let mut reps: Vec<_> = self.reps.iter().map(lock).collect();
        let daily: Vec<Daily<'_>> = reps.iter().map(|r| r.daily()).collect();
        let d = drafts(&self.scenario, &daily, &self.every_platform());
        *lock(&self.drawn) = Some(d);
        for r in reps.iter_mut() {
            **r = SoFar::new(&self.scenario);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Memory set aside for work under way, given back when dropped.
pub struct Reservation {
    bytes: u64,
    pool: Arc<Mutex<u64>>,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        *lock(&self.pool) -= self.bytes;
    }
}

/// One run of the page.
pub struct Job {
    /// When it is stopped if it has not finished.
    deadline: std::time::Instant,
    done: AtomicU64,
    total: u64,
    outcome: Mutex<Option<JobState>>,
    /// The variant, then the control.
    sides: Vec<Side>,
}

impl Job {
    /// Its state now.
    pub fn state(&self) -> JobState {
        match &*lock(&self.outcome) {
            Some(s) => s.clone(),
            None => JobState::Running { done: self.done.load(Ordering::Relaxed), total: self.total },
        }
    }

    /// Its state now, and each side's days after those the page has (`from`, per side).
    pub fn poll(&self, from: &[usize]) -> Poll {
        let state = self.state();
        let live = self.sides.iter().zip(from).map(|(s, &f)| s.live(f)).collect();
        Poll { state, live }
    }

    fn finished(&self) -> bool {
        lock(&self.outcome).is_some()
    }
}

/// The runs of a server.
pub struct Jobs {
    next: AtomicU64,
    jobs: Mutex<Vec<(u64, Arc<Job>)>>,
    /// Estimated bytes of the runs and stories under way.
    in_use: Arc<Mutex<u64>>,
    /// How long one run may take.
    time: std::time::Duration,
    /// Stories being told.
    stories: Arc<AtomicU64>,
}

/// A story being told, counted until dropped.
pub struct Telling(Arc<AtomicU64>);

impl Drop for Telling {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Jobs {
    /// No runs yet; each will be stopped after `time`.
    pub fn new(time: std::time::Duration) -> Jobs {
        Jobs {
            next: AtomicU64::new(0),
            jobs: Mutex::new(Vec::new()),
            in_use: Arc::new(Mutex::new(0)),
            time,
            stories: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Counts a story about to be told, or refuses past [`MAX_STORIES`].
    pub fn tell(&self) -> Result<Telling, ApiError> {
        if self.stories.fetch_add(1, Ordering::SeqCst) >= MAX_STORIES as u64 {
            self.stories.fetch_sub(1, Ordering::SeqCst);
            return Err(ApiError::Telling);
        }
        Ok(Telling(self.stories.clone()))
    }

    /// Sets `bytes` aside for work about to start, or refuses when the work under way leaves
    /// too little of [`MAX_SERVER_BYTES`].
    pub fn reserve(&self, bytes: u64) -> Result<Reservation, ApiError> {
        let mut used = lock(&self.in_use);
        if *used > 0 && *used + bytes > MAX_SERVER_BYTES {
            return Err(ApiError::Full(*used as f64 / 1e9));
        }
        *used += bytes;
        Ok(Reservation { bytes, pool: self.in_use.clone() })
    }

    /// Starts a prepared run on a thread of its own; returns its id.
    pub fn start(&self, p: Prepared) -> Result<u64, ApiError> {
        let days = p.variant.simulation.duration_days.ceil() as u64;
        let runs = p.variant.simulation.replications as u64 * if p.control.is_some() { 2 } else { 1 };
        let mut sides = vec![Side::new(&p.variant, &p.arguments)];
        if let Some(c) = &p.control {
            sides.push(Side::new(c, &[]));
        }
        let deadline = std::time::Instant::now() + self.time;
        let job =
            Arc::new(Job { deadline, done: AtomicU64::new(0), total: days * runs, outcome: Mutex::new(None), sides });
        // Memory first: a refusal must not cost a finished run the page has yet to collect.
        let reservation = self.reserve(p.estimate)?;
        let id = {
            let mut jobs = lock(&self.jobs);
            if jobs.iter().filter(|(_, j)| !j.finished()).count() >= MAX_RUNNING {
                return Err(ApiError::Busy);
            }
            while jobs.len() >= KEEP_JOBS {
                match jobs.iter().position(|(_, j)| j.finished()) {
                    Some(i) => jobs.remove(i),
                    None => return Err(ApiError::Busy),
                };
            }
            let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
            jobs.push((id, job.clone()));
            id
        };
        let time = self.time;
        let started = job.clone();
        let spawned = std::thread::Builder::new().name(format!("job-{id}")).spawn(move || {
            let _reservation = reservation;
            let state = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| execute(&p, &job, time)))
                .unwrap_or_else(|_| Err("the run stopped on an internal error".into()));
            let state = match state {
                Ok(result) => JobState::Done { result: Box::new(result) },
                Err(error) => JobState::Error { error_zh: super::zh::error_zh(&error), error },
            };
            for side in &job.sides {
                side.close();
            }
            *lock(&job.outcome) = Some(state);
        });
        if let Err(e) = spawned {
            // No thread, no run: it must not hold a place among the running ones.
            let error = format!("cannot start the run: {e}");
            *lock(&started.outcome) = Some(JobState::Error { error_zh: super::zh::error_zh(&error), error });
        }
        Ok(id)
    }

    /// A run's state, if the id is known.
    pub fn get(&self, id: u64) -> Option<JobState> {
        self.job(id).map(|j| j.state())
    }

    /// A run, if the id is known.
    pub fn job(&self, id: u64) -> Option<Arc<Job>> {
        lock(&self.jobs).iter().find(|(i, _)| *i == id).map(|(_, j)| j.clone())
    }
}

/// Runs every replication of `sc`, each on a thread of its own so that they go day by day
/// side by side (the charts draw the days that every replication has done), counting finished
/// days in `done` and keeping each replication's days in `side` as they end.
fn run_live(
    sc: &Scenario,
    done: &AtomicU64,
    side: &Side,
    deadline: std::time::Instant,
    time: std::time::Duration,
) -> Result<Vec<RunOutput>, String> {
    let run = |r: u32| {
        let mut tick = |day: u32, figures: &DayFigures<'_>| {
            if let Some(m) = side.reps.get(r as usize) {
                lock(m).record(day, figures);
            }
            done.fetch_add(1, Ordering::Relaxed);
            std::time::Instant::now() < deadline
        };
        let out = run_observed(sc, r, None, Some(&mut tick)).map_err(|e| match e {
            crate::model::SimError::Stopped { day, .. } => format!(
                "stopped on day {day}: the page gives one run at most {} s; lower the replications or \
                 simulation.duration_days, or run it with `embedsim run`",
                time.as_secs()
            ),
            e => message(&e),
        })?;
        side.finished(r as usize, &out);
        Ok(out)
    };
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..sc.simulation.replications)
            .map(|r| {
                std::thread::Builder::new()
                    .name(format!("run-{r}"))
                    .spawn_scoped(scope, move || run(r))
                    .map_err(|e| format!("cannot start a thread for replication {r}: {e}"))
            })
            .collect();
        // Every thread is joined, in replication order, whatever became of the others.
        let outs: Vec<Result<RunOutput, String>> = threads
            .into_iter()
            .map(|t| t?.join().unwrap_or_else(|_| Err("the run stopped on an internal error".into())))
            .collect();
        outs.into_iter().collect()
    })
}

fn execute(p: &Prepared, job: &Job, time: std::time::Duration) -> Result<RunResult, String> {
    // Both sides at once, so that the page's side-by-side charts grow together.
    let (outs_a, outs_b) = std::thread::scope(|scope| {
        let b = scope.spawn(|| {
            p.control.as_ref().zip(job.sides.get(1)).map(|(c, side)| run_live(c, &job.done, side, job.deadline, time))
        });
        let a = run_live(&p.variant, &job.done, &job.sides[0], job.deadline, time);
        (a, b.join().unwrap_or_else(|_| Some(Err("the run stopped on an internal error".into()))))
    });
    let outs_a = outs_a?;
    let rows_a = summaries(&p.variant, &outs_a);
    let table = report::summary_table(&p.variant, &outs_a, &rows_a);
    let (a, b, compare) = match &p.control {
        None => (run_view(&p.variant, &p.source.text, &p.arguments, &outs_a, &rows_a), None, Vec::new()),
        Some(control) => {
            let outs_b = outs_b.ok_or("the control was not run")??;
            let rows_b = summaries(control, &outs_b);
            // Side by side: the same platforms on both sides.
            let [drawn_a, drawn_b] = platforms_drawn_side_by_side((&p.variant, &outs_a), (control, &outs_b));
            let a = run_view_of(&p.variant, &p.source.text, &p.arguments, &outs_a, &rows_a, &drawn_a);
            let view = run_view_of(control, &p.source.text, &[], &outs_b, &rows_b, &drawn_b);
            // The control is A of the comparison: the sentences say what the changes did.
            // Regime changes first: more orders closed is no improvement if the platform tipped.
            let shifts = crate::experiment::compare::regime_shifts(control, &p.variant, &outs_b, &outs_a);
            let sentences = shifts
                .iter()
                .map(|s| Bilingual {
                    en: format!(
                        "{}.",
                        s.sentence(&p.variant.names)
                            .replace("under B ", "with the changes ")
                            .replace("under A", "without the changes")
                    ),
                    zh: format!(
                        "{}。",
                        s.sentence_zh(&p.variant.names).replace("在 B 下，", "改动后，").replace("A 下", "改动前")
                    ),
                })
                .chain(
                    differences_of_runs(control, &p.variant, &outs_b, &outs_a).iter().filter(|d| d.significant()).map(
                        |d| Bilingual {
                            en: format!("{}.", d.sentence(&p.variant.names).replace(" under B", " with the changes")),
                            zh: format!("{}。", d.sentence_zh(&p.variant.names).replace("在 B 下，", "改动后，")),
                        },
                    ),
                )
                .collect();
            (a, Some(view), sentences)
        }
    };
    Ok(RunResult { a, b, compare, table, settings: settings(p) })
}

/// What the page sends for the story of one order.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceRequest {
    /// The run, as it was asked for.
    pub run: RunRequest,
    /// Which replication.
    pub replication: u32,
    /// Which platform.
    pub platform: String,
    /// From which day.
    pub day: u32,
}

/// One line of the story, in both languages (the page shows the one switched on).
#[derive(Clone, Debug, Serialize)]
pub struct StoryLine {
    /// When, e.g. `day 12 09:30`.
    pub at: String,
    /// When, in Chinese: `第 12 天 09:30`.
    pub at_zh: String,
    /// Hours since the order arrived.
    pub elapsed_hours: f64,
    /// What happened, as `embedsim trace` prints it.
    pub what: String,
    /// What happened, in Chinese.
    pub what_zh: String,
}

/// The story of one order, for the page.
#[derive(Clone, Debug, Serialize)]
pub struct Story {
    /// The order's number (as `embedsim trace --order N` takes it).
    pub order: u64,
    /// The replication.
    pub replication: u32,
    /// The lines.
    pub lines: Vec<StoryLine>,
    /// Whether the order is still open when the run ends.
    pub still_open: bool,
    /// The command line that tells the same story.
    pub command: String,
}

/// Tells the story of the first order on a platform from a day on.
pub fn story(req: &TraceRequest, sources: &[Source], jobs: &Jobs) -> Result<Story, ApiError> {
    let mut run = req.run.clone();
    run.control = false;
    let p = prepare(&run, sources)?;
    // One replication is told: its share of the run's memory, set aside while it is; at most
    // MAX_STORIES at once, so that the server's workers stay free to answer the page's polls.
    let _reservation = jobs.reserve(p.estimate / p.variant.simulation.replications.max(1) as u64)?;
    let _telling = jobs.tell()?;
    if req.replication >= p.variant.simulation.replications {
        return Err(ApiError::Scenario(format!(
            "replication {} does not exist: the run has {} (numbered from 0)",
            req.replication, p.variant.simulation.replications
        )));
    }
    let stop_at = std::time::Instant::now() + jobs.time;
    let (order, lines) = trace::trace_from(&p.variant, req.replication, &req.platform, req.day, Some(stop_at))
        .map_err(|e| match e {
            trace::TraceError::Run(crate::model::SimError::Stopped { day, .. }) => ApiError::Scenario(format!(
                "stopped on day {day}: the page gives one run at most {} s; lower the replications or \
                 simulation.duration_days, or run it with `embedsim run`",
                jobs.time.as_secs()
            )),
            e => ApiError::Scenario(message(&e)),
        })?;
    let first = lines.first().map_or(0.0, |l| l.at.hours());
    let still_open = trace::still_open(&lines);
    let lines = lines
        .iter()
        .map(|l| StoryLine {
            at: story::time(l.at, Lang::En),
            at_zh: story::time(l.at, Lang::Zh),
            elapsed_hours: l.at.hours() - first,
            what: story::tell_event(&l.event, Lang::En, &p.variant.names),
            what_zh: story::tell_event(&l.event, Lang::Zh, &p.variant.names),
        })
        .collect();
    let s = settings(&p);
    let command = s.command.replacen("embedsim run", "embedsim trace", 1).replacen(
        &format!(" --replications {}", p.variant.simulation.replications),
        &format!(" --order {order} --replication {}", req.replication),
        1,
    );
    Ok(Story { order, replication: req.replication, lines, still_open, command })
}
