//! One replication: the event loop that moves orders through the township.

mod attrition;
mod by_unit;
mod categories;
mod causes;
mod days;
mod dispatch_desk;
mod endings;
mod guard;
mod intake;
mod leaders;
mod operators;
mod pooling;
mod proactive;
mod ranking;
mod records;
mod whistle;
mod work;

pub use ranking::{RankingPeriod, units};

use super::citizens::{Choice, Village, weighted_index};
use super::decision;
use super::department::{Department, Hours, Job, JobKind};
use super::desk::{Desk, DeskItem, DeskTask};
use super::leader::{Item, ItemKind, Leader};
use super::operator::{Operator, OperatorItem, Task};
use super::order::{Cause, Channel, Order, OrderKey, OrderSlab, Parts, Stage};
use super::queue_stat::LittleFigures;
use super::story::{Handler, Refusal, TraceEvent};
use crate::engine::dist::{chance, exp_gap};
use crate::engine::queue::{EventQueue, PastSchedule};
use crate::engine::rng::{SimRng, Streams};
use crate::engine::time::{HOURS_PER_DAY, SimTime};
use crate::metrics::Regime;
use crate::metrics::collector::*;
use crate::scenario::{CategoryId, DayRecords, DeptId, Dispatch, Label, LeaderId, PlatformId, Scenario, VillageId};
use by_unit::ByUnit;
use categories::{CategoryFacts, CategoryMix};
use records::PlatformDays;

/// Why a run stopped before its end.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimError {
    /// Open orders passed `simulation.max_open_orders`: the system cannot keep up.
    #[error(
        "replication {replication}: {open} orders open on day {day}, over the limit of {limit} \
         (simulation.max_open_orders): demand outruns capacity and the backlog grows without \
         bound; lower arrival rates, add staff or attention, or raise the limit"
    )]
    Unstable {
        /// Replication index.
        replication: u32,
        /// Day it happened.
        day: u32,
        /// Orders open.
        open: usize,
        /// The limit.
        limit: usize,
    },
    /// Queued work passed `simulation.max_queued_jobs`: queues grow without bound.
    #[error(
        "replication {replication}: {queued} jobs waiting on day {day}, over the limit of {limit} \
         (simulation.max_queued_jobs): work arrives faster than it is done and queues grow without \
         bound; lower arrival or line-task rates, add staff or attention, or raise the limit"
    )]
    QueuedWork {
        /// Replication index.
        replication: u32,
        /// Day it happened.
        day: u32,
        /// Jobs waiting.
        queued: usize,
        /// The limit.
        limit: usize,
    },
    /// More events than `simulation.max_events`.
    #[error("replication {replication}: stopped after {limit} events on day {day} (simulation.max_events)")]
    EventLimit {
        /// Replication index.
        replication: u32,
        /// Day it happened.
        day: u32,
        /// The limit.
        limit: u64,
    },
    /// The day observer asked the run to stop (the classroom page's time budget).
    #[error("replication {replication}: stopped on day {day}, as asked")]
    Stopped {
        /// Replication index.
        replication: u32,
        /// The day that had just ended.
        day: u32,
    },
    /// A mechanism scheduled into the past: a bug.
    #[error("replication {replication}: internal scheduling error")]
    Schedule {
        /// Replication index.
        replication: u32,
        /// The cause.
        #[source]
        source: PastSchedule,
    },
}

/// A pending event. Kept to 24 bytes (the heap moves every entry several times): the rare large
/// payloads (a desk item, a repeat complaint, a relayed report) travel boxed.
#[derive(Clone, Debug)]
enum Event {
    PlatformArrival(PlatformId, u32),
    VillageIssue(VillageId),
    GridReport(VillageId, CategoryId),
    LineTask(DeptId),
    /// A department's job is done; the job waits in `World::in_service` (small events: the heap
    /// moves indices, not 100-byte jobs).
    DeptDone(DeptId, u32),
    LeaderDone(LeaderId),
    OperatorDone(PlatformId),
    OperatorRetry(OrderKey),
    /// A routing table without a desk sends part `.1` of a refused order again.
    Reroute(OrderKey, u32),
    Deadline(OrderKey),
    DayEnd(u32),
    DeskDone(PlatformId, Box<DeskItem>),
    DeputyDone(LeaderId),
    CountyDone(OrderKey),
    Repeat(Box<(PlatformId, Channel, Option<VillageId>, Option<CategoryId>)>),
    AssessmentEnd(PlatformId),
    ShockEdge(PlatformId),
    Relayed(Box<(PlatformId, Channel, VillageId, CategoryId)>),
    Sensor(PlatformId),
    PoolSettled(DeptId),
    RankingEnd,
    ProactiveEnd,
}

const _: () = assert!(std::mem::size_of::<Event>() <= 24, "keep events small: box large payloads");

/// One line of an order's story: when, and what happened.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceLine {
    /// When.
    pub at: SimTime,
    /// What happened, and who did it (told in words by [`crate::output::story`]).
    pub event: TraceEvent,
}

/// Everything one platform produced in a run.
#[derive(Clone, Debug)]
pub struct PlatformResult {
    /// Run totals (after warm-up).
    pub tally: PlatformTally,
    /// Counted orders still open at the end.
    pub open_end: u64,
    /// Of those, past their deadline.
    pub overdue_end: u64,
    /// Leader attention given to it after warm-up, hours.
    pub attention_hours: f64,
    /// Its operator's hours after warm-up.
    pub operator_hours: f64,
    /// Daily series (all days; none when the run kept only what its summary needs, see
    /// [`crate::scenario::DayRecords`]).
    pub days: Vec<PlatformDay>,
    /// A few figures of every day, kept in every run.
    pub trail: Trail,
    /// The last day's record.
    pub last_day: PlatformDay,
    /// Hours on its orders by kind over the last regime window (`regimes.window_days`).
    pub last_window_kinds: [f64; 9],
    /// Regime history.
    pub regimes: RegimeTrack,
}

/// Everything one department produced in a run.
#[derive(Clone, Debug)]
pub struct DepartmentResult {
    /// Hours worked after warm-up, by kind.
    pub hours: Hours,
    /// Hours over capacity after warm-up.
    pub utilisation: f64,
    /// Final R.
    pub r_end: f64,
    /// Final stress.
    pub stress_end: f64,
    /// Staff hours busy after warm-up, measured on the clock (jobs finished by the end).
    pub busy_hours: f64,
    /// Line tasks done after warm-up, and of those late.
    pub line_done: u64,
    /// Late line tasks.
    pub line_late: u64,
    /// Line tasks the county took back, overdue and never started (after warm-up).
    pub line_escalated: u64,
    /// Staff who left under stress after warm-up (M12 attrition).
    pub staff_left: u64,
    /// Staff present at the end.
    pub staff_end: u32,
    /// Daily series.
    pub days: Vec<DepartmentDay>,
}

/// Little's law figures of one queue.
#[derive(Clone, Debug)]
pub struct QueueResult {
    /// e.g. `department/desk`, `leader/secretary`, `operator/comprehensive`.
    pub name: String,
    /// L, λ, W.
    pub little: LittleFigures,
}

/// The outcome of one replication.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// Replication index.
    pub replication: u32,
    /// Per platform, in scenario order.
    pub platforms: Vec<PlatformResult>,
    /// Per department.
    pub departments: Vec<DepartmentResult>,
    /// Per leader: daily series.
    pub leaders: Vec<Vec<LeaderDay>>,
    /// Township series.
    pub town: Vec<TownDay>,
    /// Every queue's Little figures.
    pub queues: Vec<QueueResult>,
    /// Events processed.
    pub events: u64,
    /// Grid workers' hours entering reports after warm-up.
    pub grid_entry_hours: f64,
    /// Issues that would have gone to a disabled platform (baseline runs), after warm-up.
    pub unserved: u64,
    /// The traced order's story, when a trace was asked for.
    pub trace: Vec<TraceLine>,
    /// Orders taken in over the whole run, warm-up included (the last serial number).
    pub orders_seen: u64,
    /// Pooling: workers moved after warm-up, and worker-days away from their lenders.
    pub pool_moves: u64,
    /// Worker-days away from their lenders after warm-up (pooling).
    pub pool_worker_days: f64,
    /// The ranking's periods (`[ranking]`; empty without).
    pub ranking: Vec<RankingPeriod>,
    /// Pieces of root-cause work completed after warm-up (`[proactive]`).
    pub root_causes_done: u64,
    /// The reforms' strength at the end (1 without `[turnover]`).
    pub reform_strength_end: f64,
}

/// The random streams of mechanisms a platform may not have (review, sign-off, demand, audit,
/// returns, repeats, county, relays, sensors, inquiries, urgency), each made the first time it is
/// drawn from: the same stream (seeded from the seed, the replication and its name) whenever
/// that is, so the numbers are those of a stream made at the start. A world of thousands of
/// platforms made twelve streams for each (3.8 KB) that most never drew from.
#[derive(Default)]
struct RareStreams([Option<Box<SimRng>>; Rare::COUNT]);

/// Which of a platform's [`RareStreams`].
#[derive(Clone, Copy)]
enum Rare {
    Review,
    SignOff,
    Demand,
    Audit,
    Returns,
    Repeat,
    County,
    Relays,
    Sensors,
    SensorEffort,
    Inquiry,
    Urgency,
}

impl Rare {
    /// How many there are (the last is `Urgency`).
    const COUNT: usize = Rare::Urgency as usize + 1;

    /// The stream's kind in its name (`{kind}/{platform}`).
    fn kind(self) -> &'static str {
        match self {
            Rare::Review => "review",
            Rare::SignOff => "sign-off",
            Rare::Demand => "demand",
            Rare::Audit => "audit",
            Rare::Returns => "returns",
            Rare::Repeat => "repeat",
            Rare::County => "county",
            Rare::Relays => "relays",
            Rare::Sensors => "sensors",
            Rare::SensorEffort => "sensor-effort",
            Rare::Inquiry => "inquiry",
            Rare::Urgency => "urgency",
        }
    }
}

impl RareStreams {
    /// Stream `which` of the platform `id` in replication `streams`, made if it is not yet.
    #[inline]
    fn get(&mut self, which: Rare, streams: &Streams, id: &str) -> &mut SimRng {
        let slot = &mut self.0[which as usize];
        if slot.is_none() {
            Self::make(slot, which, streams, id);
        }
        match slot {
            Some(rng) => rng,
            None => unreachable!("made above"),
        }
    }

    #[cold]
    #[inline(never)]
    fn make(slot: &mut Option<Box<SimRng>>, which: Rare, streams: &Streams, id: &str) {
        *slot = Some(Box::new(streams.named(which.kind(), id)));
    }
}

struct PlatformState {
    arrival_rng: SimRng,
    effort_rng: SimRng,
    category_rng: SimRng,
    /// The streams of the mechanisms a platform may not have, made when first drawn from.
    rare: RareStreams,
    operator: Option<Operator>,
    tally: PlatformTally,
    cohorts: Cohorts,
    open: u64,
    overdue: u64,
    /// The event queue's lane of its first deadline tier (tier `t` is `deadline_lane + t`):
    /// shared by every platform with the same limits (see [`deadline_lanes`]).
    deadline_lane: u32,
    /// (department, hours on its orders), sorted by department: only the departments it used.
    hours_by_dept: Vec<(DeptId, f64)>,
    attention_hours: f64,
    regimes: RegimeTrack,
    desk: Option<Desk>,
    rating_rng: SimRng,
    /// Villages the platform's sensors sit in, and their populations (the weights).
    sensor_villages: (Vec<VillageId>, Vec<f64>),
    /// Villages whose trust in it makes its daily mean trust: all of them for a shared
    /// platform, its own township's for a township's platform (in village order).
    trust_villages: Vec<VillageId>,
    /// Assessment period counters per unit (the order's lead department): closed, resolved,
    /// satisfied (M11).
    period: ByUnit<(u64, u64, u64)>,
    /// Each unit's last assessment score, once it has one (M11; drives gaming).
    scores: ByUnit<Option<f64>>,
    /// Shares of the urgency tiers.
    urgency_shares: Vec<f64>,
}

/// The state of one replication.
struct World<'s> {
    sc: &'s Scenario,
    replication: u32,
    /// The replication's random streams (those made when first drawn from come from here).
    streams: Streams,
    q: EventQueue<Event>,
    end: SimTime,
    warmup: SimTime,
    orders: OrderSlab,
    serial: u64,
    seq: u64,
    platforms: Vec<PlatformState>,
    /// Every platform's daily records: the day in progress, and the days that have ended.
    days: PlatformDays,
    /// Whether the departments' and leaders' records of every day are kept (otherwise the
    /// last day's only, for an observer of the run).
    keep_all_days: bool,
    departments: Vec<Department>,
    dept_days: Vec<Vec<DepartmentDay>>,
    line_rngs: Vec<(SimRng, SimRng)>,
    leaders: Vec<Leader>,
    leader_days: Vec<Vec<LeaderDay>>,
    villages: Vec<Village>,
    /// Each village's categories' shares, and their total (its township's and the shared ones).
    village_mix: Vec<CategoryMix>,
    /// The same for each platform's own intake.
    platform_mix: Vec<CategoryMix>,
    /// Each platform's own intake rate in force: a short dense list, read on every arrival,
    /// that stays in cache when the platforms' own state does not.
    intakes: Vec<Intake>,
    /// What intake reads of each category.
    categories: Vec<CategoryFacts>,
    /// Day-ends so far (the days whose hours the handlers' time profiles hold).
    days_ended: u32,
    town: Vec<TownDay>,
    grid_entry_hours: f64,
    events: u64,
    deputies: Vec<Option<Leader>>,
    unserved: u64,
    trace_serial: Option<u64>,
    trace: Vec<TraceLine>,
    /// Jobs being worked, by slot.
    in_service: JobSlab,
    /// Trace the first order that arrives on this platform at or after this time.
    trace_pick: Option<(PlatformId, SimTime)>,
    /// Told each day's index and figures as it ends (see [`run_observed`]).
    on_day: Option<&'s mut DayObserver<'s>>,
    /// The day the observer asked the run to stop on, if it did.
    stopped: Option<u32>,
    /// A moment past which the run stops as the day ends (the page's story of an order).
    stop_at: Option<std::time::Instant>,
    /// Resource pooling's state, when `[pooling]` is present.
    pool: Option<pooling::PoolState>,
    /// Each department's attrition stream (M12), for departments whose staff can leave.
    attrition_rngs: Vec<Option<SimRng>>,
    /// The ranking's state, when `[ranking]` is present.
    ranking: Option<ranking::RankingState>,
    /// Proactive work's state, when `[proactive]` is present.
    proactive: Option<proactive::ProactiveState>,
}

/// Runs replication `replication` of `sc` to its end.
pub fn run_replication(sc: &Scenario, replication: u32) -> Result<RunOutput, SimError> {
    run_traced(sc, replication, None)
}

/// Runs replication `replication`, telling the story of the order with serial number `serial`
/// (1-based, in order of arrival) in [`RunOutput::trace`].
pub fn run_traced(sc: &Scenario, replication: u32, serial: Option<u64>) -> Result<RunOutput, SimError> {
    run_observed(sc, replication, serial, None)
}

/// Runs replication `replication`, telling the story of the first order that arrives on platform
/// `platform` at or after day `from_day` (the classroom page's click on a timeline). The order's
/// serial number is the first line's; `orders_seen` tells whether one arrived at all. Past
/// `stop_at`, if given, the run ends as the day ends with [`SimError::Stopped`].
pub fn run_traced_from(
    sc: &Scenario,
    replication: u32,
    platform: PlatformId,
    from_day: f64,
    stop_at: Option<std::time::Instant>,
) -> Result<RunOutput, SimError> {
    let mut w = World::new(sc, replication);
    w.stop_at = stop_at;
    w.trace_pick = Some((platform, SimTime::from_days(from_day)));
    w.start().map_err(|source| SimError::Schedule { replication, source })?;
    w.run()?;
    Ok(w.finish())
}

/// An observer of a run, told each day's index and figures as the day ends (see [`run_observed`]).
pub type DayObserver<'s> = dyn FnMut(u32, &DayFigures<'_>) -> bool + Send + 's;

/// One day's figures, complete, as the day ends: what an observer of a run (the classroom page,
/// drawing its charts as the days pass) may read. Borrowed from the run; nothing in it can
/// change the run.
pub struct DayFigures<'a> {
    day: usize,
    platforms: &'a [PlatformState],
    days: &'a PlatformDays,
    leaders: &'a [Vec<LeaderDay>],
    departments: &'a [Vec<DepartmentDay>],
}

impl DayFigures<'_> {
    /// Number of platforms, in scenario order.
    pub fn platforms(&self) -> usize {
        self.platforms.len()
    }

    /// Platform `p`'s figures for the day (its regime included, once it has one).
    pub fn platform(&self, p: PlatformId) -> &PlatformDay {
        self.days.ended(p, self.day)
    }

    /// Platform `p`'s regime changes so far: (day, regime), first verdict included.
    pub fn regime_changes(&self, p: PlatformId) -> &[(u32, Regime)] {
        &self.platforms[p].regimes.changes
    }

    /// Number of leaders, in scenario order.
    pub fn leaders(&self) -> usize {
        self.leaders.len()
    }

    /// Leader `i`'s figures for the day.
    pub fn leader(&self, i: LeaderId) -> &LeaderDay {
        self.leaders[i].last().expect("a leader's day has ended")
    }

    /// Number of departments, in scenario order.
    pub fn departments(&self) -> usize {
        self.departments.len()
    }

    /// Department `i`'s figures for the day.
    pub fn department(&self, i: DeptId) -> &DepartmentDay {
        self.departments[i].last().expect("a department's day has ended")
    }
}

/// Runs replication `replication` as [`run_traced`] does, calling `on_day(d, figures)` as each
/// day `d` (0-based) ends, after its daily figures are recorded: the hook by which a caller (the
/// classroom page) shows progress and draws the charts as they grow. The observer reads the
/// day's figures and cannot change the run, so the results are the same with or without it; it
/// answers whether to go on, and `false` ends the run with [`SimError::Stopped`] (the page's time
/// budget).
pub fn run_observed<'s>(
    sc: &'s Scenario,
    replication: u32,
    serial: Option<u64>,
    on_day: Option<&'s mut DayObserver<'s>>,
) -> Result<RunOutput, SimError> {
    let mut w = World::new(sc, replication);
    w.trace_serial = serial;
    w.on_day = on_day;
    w.start().map_err(|source| SimError::Schedule { replication, source })?;
    w.run()?;
    Ok(w.finish())
}

impl<'s> World<'s> {
    fn new(sc: &'s Scenario, replication: u32) -> World<'s> {
        let streams = Streams::new(sc.simulation.seed, replication as u64);
        let warmup = SimTime::from_days(sc.simulation.warmup_days);
        let n_days = sc.simulation.duration_days.ceil() as usize;
        let held_days = if sc.simulation.day_records == DayRecords::All { n_days } else { 1 };
        let r0 = sc.reengineering.as_ref().map_or(0.0, |r| r.initial);
        let lanes = deadline_lanes(sc);
        let platforms = sc
            .platforms
            .iter()
            .enumerate()
            .map(|(i, p)| PlatformState {
                arrival_rng: streams.named("arrivals", &p.id),
                effort_rng: streams.named("effort", &p.id),
                category_rng: streams.named("category", &p.id),
                rare: RareStreams::default(),
                operator: match &p.dispatch {
                    Dispatch::Operator(o) => Some(Operator::new(
                        sc.calendar.sub_window(o.hours_per_day),
                        streams.named("operator", &p.id),
                        warmup,
                    )),
                    _ => None,
                },
                tally: PlatformTally::default(),
                cohorts: Cohorts::for_windows(&sc.regimes),
                open: 0,
                overdue: 0,
                deadline_lane: lanes[i],
                hours_by_dept: Vec::new(),
                attention_hours: 0.0,
                regimes: RegimeTrack::default(),
                desk: p.desk.as_ref().map(|d| Desk::new(d.staff, streams.named("desk", &p.id), warmup)),
                rating_rng: streams.named("rating", &p.id),
                sensor_villages: {
                    let owner = sc.layout.platform.get(i).copied().flatten();
                    let ids: Vec<VillageId> = (0..sc.villages.len())
                        .filter(|&v| owner.is_none() || sc.layout.village.get(v).copied().flatten() == owner)
                        .filter(|&v| sc.villages[v].population > 0)
                        .collect();
                    let w = ids.iter().map(|&v| sc.villages[v].population as f64).collect();
                    (ids, w)
                },
                trust_villages: {
                    let owner = sc.layout.platform.get(i).copied().flatten();
                    (0..sc.villages.len())
                        .filter(|&v| owner.is_none() || sc.layout.village.get(v).copied().flatten() == owner)
                        .collect()
                },
                period: ByUnit::default(),
                scores: ByUnit::default(),
                urgency_shares: p.urgency.iter().map(|t| t.0).collect(),
            })
            .collect();
        World {
            sc,
            replication,
            streams,
            q: EventQueue::new(),
            end: SimTime::from_days(sc.simulation.duration_days),
            warmup,
            orders: OrderSlab::default(),
            serial: 0,
            seq: 0,
            platforms,
            days: match &sc.simulation.day_records {
                DayRecords::All => PlatformDays::new(sc.platforms.len(), n_days, None, None),
                DayRecords::Summary { warmup_metric } => PlatformDays::new(
                    sc.platforms.len(),
                    n_days,
                    Some(crate::metrics::collector::days_kept(&sc.regimes)),
                    Some(warmup_metric),
                ),
            },
            keep_all_days: sc.simulation.day_records == DayRecords::All,
            departments: sc.departments.iter().map(|d| Department::new(d.staff, r0, warmup)).collect(),
            dept_days: (0..sc.departments.len()).map(|_| Vec::with_capacity(held_days)).collect(),
            line_rngs: sc
                .departments
                .iter()
                .map(|d| (streams.named("line-arrivals", &d.id), streams.named("line-effort", &d.id)))
                .collect(),
            leaders: sc
                .leaders
                .iter()
                .map(|l| Leader::new(sc.calendar.sub_window(l.effective_attention()), warmup))
                .collect(),
            leader_days: (0..sc.leaders.len()).map(|_| Vec::with_capacity(held_days)).collect(),
            villages: sc
                .villages
                .iter()
                .enumerate()
                .map(|(i, v)| Village::new(sc, &v.id, &sc.layout.village_channels[i], &streams))
                .collect(),
            village_mix: sc.layout.village_categories.iter().map(|c| CategoryMix::new(sc, c)).collect(),
            platform_mix: sc.layout.platform_categories.iter().map(|c| CategoryMix::new(sc, c)).collect(),
            categories: CategoryFacts::all(sc),
            days_ended: 0,
            intakes: sc
                .platforms
                .iter()
                .map(|p| Intake::new(p.arrival_rate_per_day, p.shock_multiplier(0.0)))
                .collect(),
            town: vec![TownDay::default(); n_days],
            grid_entry_hours: 0.0,
            events: 0,
            deputies: sc
                .leaders
                .iter()
                .map(|l| {
                    // A deputy is a second inbox with its own attention; what makes it a deputy
                    // is that its dispatch carries no authority (see `item_done`).
                    l.delegate
                        .as_ref()
                        .map(|d| Leader::new(sc.calendar.sub_window(d.deputy_attention_hours_per_day), warmup))
                })
                .collect(),
            unserved: 0,
            trace_serial: None,
            trace: Vec::new(),
            in_service: JobSlab::default(),
            on_day: None,
            stopped: None,
            stop_at: None,
            trace_pick: None,
            pool: sc.pooling.as_ref().map(|_| pooling::PoolState::new(sc.departments.len())),
            attrition_rngs: sc
                .departments
                .iter()
                .map(|d| {
                    let leaves = d.stress.as_ref().is_some_and(|s| s.attrition.is_some());
                    leaves.then(|| streams.named("attrition", &d.id))
                })
                .collect(),
            ranking: ranking::RankingState::new(sc),
            proactive: proactive::ProactiveState::new(sc, &streams),
        }
    }

    /// Adds a line to the traced order's story.
    fn note(&mut self, serial: u64, event: impl FnOnce() -> TraceEvent) {
        if self.trace_serial == Some(serial) {
            let at = self.now();
            self.trace.push(TraceLine { at, event: event() });
        }
    }

    /// Platform `p`'s stream `which`, made if it is not yet.
    fn rare(&mut self, p: PlatformId, which: Rare) -> &mut SimRng {
        self.platforms[p].rare.get(which, &self.streams, &self.sc.platforms[p].id)
    }

    fn serial_of(&self, key: OrderKey) -> u64 {
        self.orders.get(key).map_or(0, |o| o.serial)
    }

    /// Draws platform `p`'s next own-intake arrival at the rate now in force.
    fn schedule_arrival(&mut self, p: PlatformId) -> Result<(), PastSchedule> {
        let Intake { per_hour, generation, .. } = self.intakes[p];
        if per_hour > 0.0 {
            let gap = exp_gap(&mut self.platforms[p].arrival_rng, per_hour);
            self.after_hours(gap, Event::PlatformArrival(p, generation))?;
        }
        Ok(())
    }

    fn now(&self) -> SimTime {
        self.q.now()
    }

    fn at(&mut self, t: SimTime, e: Event) -> Result<(), PastSchedule> {
        self.q.schedule(t, e)
    }

    fn after_hours(&mut self, hours: f64, e: Event) -> Result<(), PastSchedule> {
        let t = SimTime::from_hours(self.now().hours() + hours);
        self.q.schedule(t, e)
    }

    fn day_index(&self, t: SimTime) -> usize {
        (t.day() as usize).min(self.town.len().saturating_sub(1))
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn start(&mut self) -> Result<(), PastSchedule> {
        for p in 0..self.sc.platforms.len() {
            self.schedule_arrival(p)?;
            for edge in self.sc.platforms[p].shock_edges() {
                if edge > 0.0 {
                    self.at(SimTime::from_days(edge), Event::ShockEdge(p))?;
                }
            }
            self.schedule_sensor(p)?;
            if let Some(a) = &self.sc.platforms[p].assessment {
                self.at(SimTime::from_days(a.period_days), Event::AssessmentEnd(p))?;
            }
        }
        for v in 0..self.sc.villages.len() {
            let rate = self.sc.villages[v].issue_rate_per_day() / HOURS_PER_DAY;
            if rate > 0.0 && self.village_mix[v].total > 0.0 {
                let gap = exp_gap(&mut self.villages[v].issue_rng, rate);
                self.after_hours(gap, Event::VillageIssue(v))?;
            }
        }
        for d in 0..self.sc.departments.len() {
            if let Some(lt) = &self.sc.departments[d].line_tasks {
                if lt.rate_per_day > 0.0 {
                    let gap = exp_gap(&mut self.line_rngs[d].0, lt.rate_per_day / HOURS_PER_DAY);
                    self.after_hours(gap, Event::LineTask(d))?;
                }
            }
        }
        if !self.town.is_empty() {
            self.at(SimTime::from_days(1.0), Event::DayEnd(0))?;
        }
        if let Some(r) = &self.sc.ranking {
            self.at(SimTime::from_days(r.period_days), Event::RankingEnd)?;
        }
        if let Some(a) = &self.sc.proactive {
            self.at(SimTime::from_days(a.period_days), Event::ProactiveEnd)?;
        }
        Ok(())
    }

    fn run(&mut self) -> Result<(), SimError> {
        let replication = self.replication;
        let guard_every = guard::check_interval(self.sc);
        // Counts down to the next guard check (no remainder to take per event).
        let mut until_guard = guard_every;
        while let Some((t, e)) = self.q.pop() {
            if t > self.end {
                break;
            }
            self.events += 1;
            if self.events > self.sc.simulation.max_events {
                return Err(SimError::EventLimit { replication, day: t.day(), limit: self.sc.simulation.max_events });
            }
            self.handle(e).map_err(|source| SimError::Schedule { replication, source })?;
            if self.orders.len() > self.sc.simulation.max_open_orders {
                return Err(SimError::Unstable {
                    replication,
                    day: t.day(),
                    open: self.orders.len(),
                    limit: self.sc.simulation.max_open_orders,
                });
            }
            until_guard -= 1;
            if until_guard == 0 {
                until_guard = guard_every;
                // A stop asked for as a day ended is taken here, off the per-event path: a few
                // hundred events later at most, and the run ends with an error either way.
                if let Some(day) = self.stopped {
                    return Err(SimError::Stopped { replication, day });
                }
                if let Some(err) = self.over_queued(t) {
                    return Err(err);
                }
            }
        }
        Ok(())
    }

    fn handle(&mut self, e: Event) -> Result<(), PastSchedule> {
        match e {
            Event::PlatformArrival(p, g) => {
                if g != self.intakes[p].generation {
                    return Ok(()); // superseded by a rate change (M17)
                }
                self.schedule_arrival(p)?;
                self.take_in(p, Channel::Direct, None, None)
            }
            Event::ShockEdge(p) => {
                // Poisson arrivals are memoryless: at a rate change the pending arrival is
                // dropped and the next one drawn afresh at the new rate, which is exact.
                let day = self.now().hours() / HOURS_PER_DAY;
                let spec = &self.sc.platforms[p];
                let after = spec.shock_multiplier(day);
                let intake = &mut self.intakes[p];
                if intake.shock != after {
                    *intake =
                        Intake { generation: intake.generation + 1, ..Intake::new(spec.arrival_rate_per_day, after) };
                    self.schedule_arrival(p)?;
                }
                Ok(())
            }
            Event::DeskDone(p, item) => self.desk_done(p, *item),
            Event::DeputyDone(l) => self.deputy_done(l),
            Event::CountyDone(key) => self.county_done(key),
            Event::Repeat(repeat) => {
                let (p, channel, village, category) = *repeat;
                if let Some(o) = self.take_in_order(p, channel, village, category)? {
                    let counted = self.now() >= self.warmup;
                    if counted {
                        self.platforms[p].tally.repeats += 1;
                    }
                    let serial = self.serial_of(o);
                    self.note(serial, || TraceEvent::Repeat);
                }
                Ok(())
            }
            Event::AssessmentEnd(p) => self.assessment_end(p),
            Event::Relayed(relayed) => {
                let (p, channel, v, c) = *relayed;
                self.take_in(p, channel, Some(v), Some(c))
            }
            Event::Sensor(p) => self.sensor_event(p),
            Event::VillageIssue(v) => self.village_issue(v),
            Event::GridReport(v, c) => self.grid_report(v, c),
            Event::LineTask(d) => self.line_task(d),
            Event::DeptDone(d, slot) => {
                let job = self.in_service.take(slot);
                self.department_done(d, job)
            }
            Event::LeaderDone(l) => self.leader_done(l),
            Event::OperatorDone(p) => self.operator_done(p),
            Event::OperatorRetry(key) => {
                if let Some(o) = self.orders.get(key) {
                    let (p, hours) = (o.platform, o.negotiate_hours);
                    self.operator_enqueue(p, key, Task::Negotiate, hours)?;
                }
                Ok(())
            }
            Event::Reroute(key, part) => self.send_part(key, part as usize),
            Event::Deadline(key) => {
                self.deadline_passed(key);
                Ok(())
            }
            Event::DayEnd(d) => self.day_end(d),
            Event::PoolSettled(d) => self.pool_settled(d),
            Event::RankingEnd => self.ranking_end(),
            Event::ProactiveEnd => self.proactive_end(),
        }
    }
}

/// A platform's own intake (M17: a shock multiplies its rate for a while).
#[derive(Clone, Copy)]
struct Intake {
    /// Arrivals per hour now, the shock included.
    per_hour: f64,
    /// The rate multiplier in force.
    shock: f64,
    /// Bumped at each rate change, so that arrivals drawn at the old rate are ignored.
    generation: u32,
}

impl Intake {
    fn new(per_day: f64, shock: f64) -> Intake {
        Intake { per_hour: per_day / HOURS_PER_DAY * shock, shock, generation: 0 }
    }
}

/// Jobs in service, each in a slot that is reused once the job is done.
#[derive(Default)]
struct JobSlab {
    slots: Vec<Option<Job>>,
    free: Vec<u32>,
}

impl JobSlab {
    fn put(&mut self, job: Job) -> u32 {
        match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(job);
                i
            }
            None => {
                self.slots.push(Some(job));
                (self.slots.len() - 1) as u32
            }
        }
    }

    fn take(&mut self, slot: u32) -> Job {
        self.free.push(slot);
        self.slots[slot as usize].take().expect("a job in service has a slot")
    }
}

/// Whether an order, worked to the end, resolves the issue: reasonable, and within reach of
/// whoever had to act (M7, M15).
fn resolvable(o: &Order) -> bool {
    !o.unreasonable && !o.slipshod && (!o.above_township || o.resolved_above)
}

/// Each platform's first deadline lane in the event queue. A deadline a fixed span after arrival
/// comes in arrival order, whichever platform the order is on, so platforms with the same limits
/// (the same `deadline_days`, or the same urgency tiers) share their lanes: a few busy lanes stay
/// in cache where one per platform went cold in a big world. Lanes never change the order of
/// events (the queue sends an out-of-order one to its heap), only what it costs.
fn deadline_lanes(sc: &Scenario) -> Vec<u32> {
    let mut groups: std::collections::BTreeMap<Vec<u64>, u32> = std::collections::BTreeMap::new();
    let mut next = 0u32;
    sc.platforms
        .iter()
        .map(|p| {
            // Working days and clock hours are told apart by the key's first word.
            let key: Vec<u64> = if p.urgency.is_empty() {
                vec![0, p.deadline_days.map_or(u64::MAX, f64::to_bits)]
            } else {
                std::iter::once(1).chain(p.urgency.iter().map(|t| t.1.to_bits())).collect()
            };
            let tiers = (key.len() - 1) as u32;
            *groups.entry(key).or_insert_with(|| {
                let base = next;
                next += tiers;
                base
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    /// A stream made when first drawn from is the stream of its name, and is made once: later
    /// draws go on where the earlier ones stopped.
    #[test]
    fn rare_streams_are_made_once_and_are_the_named_streams() {
        let streams = Streams::new(5, 3);
        let mut rare = RareStreams::default();
        let mut named = streams.named("audit", "minhu");
        for _ in 0..3 {
            let a: u64 = rare.get(Rare::Audit, &streams, "minhu").random();
            assert_eq!(a, named.random::<u64>());
        }
        let other: u64 = rare.get(Rare::Review, &streams, "minhu").random();
        assert_eq!(other, streams.named("review", "minhu").random::<u64>());
        let a: u64 = rare.get(Rare::Audit, &streams, "minhu").random();
        assert_eq!(a, named.random::<u64>(), "the audit stream goes on");
    }

    /// Platforms with the same limits share lanes; other limits, and working days against clock
    /// hours, get lanes of their own; a platform's tiers are consecutive lanes.
    #[test]
    fn platforms_with_the_same_limits_share_deadline_lanes() {
        // Six platforms alike but for their limits.
        let limits = [
            ("a", "deadline_days = 5"),
            ("b", "urgency = { shares = [0.5, 0.5], limit_hours = [5.0, 120.0] }"),
            ("c", "deadline_days = 5"),
            ("d", "urgency = { shares = [0.5, 0.5], limit_hours = [5.0, 120.0] }"),
            ("e", "urgency = { shares = [1.0], limit_hours = [5.0] }"),
            ("f", ""),
        ];
        let mut text = String::from(
            "name = \"lanes\"\n[simulation]\nduration_days = 10\nwarmup_days = 1\n\
             [calendar]\nhours_per_day = 8\ndays_per_week = 5\n[departments.office]\nstaff = 2\n",
        );
        for (id, limit) in limits {
            text.push_str(&format!(
                "[platforms.{id}]\ndispatch = \"auto\"\narrival_rate_per_day = 5\nroute = [\"office\"]\n\
                 effort_hours = {{ dist = \"exponential\", mean = 1.0 }}\n{limit}\n"
            ));
        }
        let sc = crate::scenario::load_str(&text, "lanes.toml").expect("valid");
        let ids: Vec<&str> = sc.platforms.iter().map(|p| p.id.as_str()).collect();
        let lanes: std::collections::BTreeMap<&str, u32> = ids.iter().copied().zip(deadline_lanes(&sc)).collect();
        assert_eq!(lanes["a"], lanes["c"], "the same deadline_days");
        assert_eq!(lanes["b"], lanes["d"], "the same tiers");
        // b's two tiers take two lanes; no other group starts inside them.
        for other in ["a", "e", "f"] {
            assert!(lanes[other] != lanes["b"] && lanes[other] != lanes["b"] + 1, "{other}: {lanes:?}");
        }
        // 5 working days is not 5 clock hours, and a platform without limits has a lane apart.
        assert_ne!(lanes["e"], lanes["a"]);
        assert_ne!(lanes["f"], lanes["a"]);
    }
}
