//! One replication: the event loop that moves orders through the township.

use super::citizens::{Choice, Village, weighted_index};
use super::department::{Department, Hours, Job, JobKind, Rank};
use super::desk::{Desk, DeskItem, DeskTask};
use super::leader::{Item, ItemKind, Leader};
use super::operator::{Operator, OperatorItem, Task};
use super::order::{Channel, Order, OrderKey, OrderSlab};
use super::queue_stat::LittleFigures;
use crate::engine::dist::{chance, exp_gap};
use crate::engine::queue::{EventQueue, PastSchedule};
use crate::engine::rng::{SimRng, Streams};
use crate::engine::time::{HOURS_PER_DAY, SimTime};
use crate::metrics::collector::*;
use crate::scenario::{CategoryId, DeptId, Dispatch, Label, LeaderId, PlatformId, Scenario, VillageId};

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

#[derive(Clone, Copy, Debug)]
enum Event {
    PlatformArrival(PlatformId, u32),
    VillageIssue(VillageId),
    GridReport(VillageId, CategoryId),
    LineTask(DeptId),
    DeptDone(DeptId, Job),
    LeaderDone(LeaderId),
    OperatorDone(PlatformId),
    OperatorRetry(OrderKey),
    Deadline(OrderKey),
    DayEnd(u32),
    DeskDone(PlatformId, DeskItem),
    DeputyDone(LeaderId),
    CountyDone(OrderKey),
    Repeat(PlatformId, Channel, Option<VillageId>, Option<CategoryId>),
    AssessmentEnd(PlatformId),
    ShockEdge(PlatformId),
}

/// One line of an order's story: when, and what happened.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceLine {
    /// When.
    pub at: SimTime,
    /// What happened, and who did it.
    pub what: String,
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
    /// Daily series (all days).
    pub days: Vec<PlatformDay>,
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
}

struct PlatformState {
    arrival_rng: SimRng,
    effort_rng: SimRng,
    category_rng: SimRng,
    review_rng: SimRng,
    sign_off_rng: SimRng,
    operator: Option<Operator>,
    tally: PlatformTally,
    cohorts: Vec<Cohort>,
    days: Vec<PlatformDay>,
    open: u64,
    overdue: u64,
    hours_by_dept: Vec<f64>,
    attention_hours: f64,
    regimes: RegimeTrack,
    desk: Option<Desk>,
    demand_rng: SimRng,
    audit_rng: SimRng,
    returns_rng: SimRng,
    rating_rng: SimRng,
    repeat_rng: SimRng,
    county_rng: SimRng,
    /// Arrival rate multiplier in force (M17).
    shock: f64,
    /// Bumped at each rate change, so that arrivals drawn at the old rate are ignored.
    arrival_generation: u32,
    /// Assessment period counters per unit (the order's lead department): closed, resolved,
    /// satisfied (M11).
    period: Vec<(u64, u64, u64)>,
}

/// The state of one replication.
struct World<'s> {
    sc: &'s Scenario,
    replication: u32,
    q: EventQueue<Event>,
    end: SimTime,
    warmup: SimTime,
    orders: OrderSlab,
    serial: u64,
    seq: u64,
    platforms: Vec<PlatformState>,
    departments: Vec<Department>,
    dept_days: Vec<Vec<DepartmentDay>>,
    line_rngs: Vec<(SimRng, SimRng)>,
    leaders: Vec<Leader>,
    leader_days: Vec<Vec<LeaderDay>>,
    villages: Vec<Village>,
    category_shares: Vec<f64>,
    category_total: f64,
    town: Vec<TownDay>,
    grid_entry_hours: f64,
    events: u64,
    deputies: Vec<Option<Leader>>,
    unserved: u64,
    trace_serial: Option<u64>,
    trace: Vec<TraceLine>,
}

/// Runs replication `replication` of `sc` to its end.
pub fn run_replication(sc: &Scenario, replication: u32) -> Result<RunOutput, SimError> {
    run_traced(sc, replication, None)
}

/// Runs replication `replication`, telling the story of the order with serial number `serial`
/// (1-based, in order of arrival) in [`RunOutput::trace`].
pub fn run_traced(sc: &Scenario, replication: u32, serial: Option<u64>) -> Result<RunOutput, SimError> {
    let mut w = World::new(sc, replication);
    w.trace_serial = serial;
    w.start().map_err(|source| SimError::Schedule { replication, source })?;
    w.run()?;
    Ok(w.finish())
}

impl<'s> World<'s> {
    fn new(sc: &'s Scenario, replication: u32) -> World<'s> {
        let streams = Streams::new(sc.simulation.seed, replication as u64);
        let warmup = SimTime::from_days(sc.simulation.warmup_days);
        let n_days = sc.simulation.duration_days.ceil() as usize;
        let r0 = sc.reengineering.as_ref().map_or(0.0, |r| r.initial);
        let platforms = sc
            .platforms
            .iter()
            .map(|p| PlatformState {
                arrival_rng: streams.stream(&format!("arrivals/{}", p.id)),
                effort_rng: streams.stream(&format!("effort/{}", p.id)),
                category_rng: streams.stream(&format!("category/{}", p.id)),
                review_rng: streams.stream(&format!("review/{}", p.id)),
                sign_off_rng: streams.stream(&format!("sign-off/{}", p.id)),
                operator: match &p.dispatch {
                    Dispatch::Operator(o) => Some(Operator::new(
                        sc.calendar.sub_window(o.hours_per_day),
                        streams.stream(&format!("operator/{}", p.id)),
                        warmup,
                    )),
                    _ => None,
                },
                tally: PlatformTally::default(),
                cohorts: vec![Cohort::default(); n_days],
                days: vec![PlatformDay::default(); n_days],
                open: 0,
                overdue: 0,
                hours_by_dept: vec![0.0; sc.departments.len()],
                attention_hours: 0.0,
                regimes: RegimeTrack::default(),
                desk: p.desk.as_ref().map(|d| Desk::new(d.staff, streams.stream(&format!("desk/{}", p.id)), warmup)),
                demand_rng: streams.stream(&format!("demand/{}", p.id)),
                audit_rng: streams.stream(&format!("audit/{}", p.id)),
                returns_rng: streams.stream(&format!("returns/{}", p.id)),
                rating_rng: streams.stream(&format!("rating/{}", p.id)),
                repeat_rng: streams.stream(&format!("repeat/{}", p.id)),
                county_rng: streams.stream(&format!("county/{}", p.id)),
                shock: p.shock_multiplier(0.0),
                arrival_generation: 0,
                period: vec![(0, 0, 0); sc.departments.len()],
            })
            .collect();
        World {
            sc,
            replication,
            q: EventQueue::new(),
            end: SimTime::from_days(sc.simulation.duration_days),
            warmup,
            orders: OrderSlab::default(),
            serial: 0,
            seq: 0,
            platforms,
            departments: sc.departments.iter().map(|d| Department::new(d.staff, r0, warmup)).collect(),
            dept_days: vec![vec![DepartmentDay::default(); n_days]; sc.departments.len()],
            line_rngs: sc
                .departments
                .iter()
                .map(|d| {
                    (
                        streams.stream(&format!("line-arrivals/{}", d.id)),
                        streams.stream(&format!("line-effort/{}", d.id)),
                    )
                })
                .collect(),
            leaders: sc
                .leaders
                .iter()
                .map(|l| Leader::new(sc.calendar.sub_window(l.effective_attention()), sc.platforms.len(), warmup))
                .collect(),
            leader_days: vec![vec![LeaderDay::default(); n_days]; sc.leaders.len()],
            villages: sc.villages.iter().map(|v| Village::new(sc, &v.id, &streams)).collect(),
            category_shares: sc.categories.iter().map(|c| c.share).collect(),
            category_total: sc.categories.iter().map(|c| c.share).sum(),
            town: vec![TownDay::default(); n_days],
            grid_entry_hours: 0.0,
            events: 0,
            deputies: sc
                .leaders
                .iter()
                .map(|l| {
                    // A deputy is a second inbox with its own attention; what makes it a deputy
                    // is that its dispatch carries no authority (see `item_done`).
                    l.delegate.as_ref().map(|d| {
                        Leader::new(sc.calendar.sub_window(d.deputy_attention_hours_per_day), sc.platforms.len(), warmup)
                    })
                })
                .collect(),
            unserved: 0,
            trace_serial: None,
            trace: Vec::new(),
        }
    }

    /// Adds a line to the traced order's story.
    fn note(&mut self, serial: u64, what: impl FnOnce() -> String) {
        if self.trace_serial == Some(serial) {
            let at = self.now();
            self.trace.push(TraceLine { at, what: what() });
        }
    }

    fn serial_of(&self, key: OrderKey) -> u64 {
        self.orders.get(key).map_or(0, |o| o.serial)
    }

    /// Draws platform `p`'s next own-intake arrival at the rate now in force.
    fn schedule_arrival(&mut self, p: PlatformId) -> Result<(), PastSchedule> {
        let rate = self.intake_rate(p);
        if rate > 0.0 {
            let gap = exp_gap(&mut self.platforms[p].arrival_rng, rate);
            let g = self.platforms[p].arrival_generation;
            self.after_hours(gap, Event::PlatformArrival(p, g))?;
        }
        Ok(())
    }

    /// Platform `p`'s own intake rate per hour now (M17 shocks included).
    fn intake_rate(&self, p: PlatformId) -> f64 {
        self.sc.platforms[p].arrival_rate_per_day / HOURS_PER_DAY * self.platforms[p].shock
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
            if let Some(a) = &self.sc.platforms[p].assessment {
                self.at(SimTime::from_days(a.period_days), Event::AssessmentEnd(p))?;
            }
        }
        for v in 0..self.sc.villages.len() {
            let rate = self.sc.villages[v].issue_rate_per_day() / HOURS_PER_DAY;
            if rate > 0.0 && self.category_total > 0.0 {
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
        Ok(())
    }

    fn run(&mut self) -> Result<(), SimError> {
        let replication = self.replication;
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
        }
        Ok(())
    }

    fn handle(&mut self, e: Event) -> Result<(), PastSchedule> {
        match e {
            Event::PlatformArrival(p, g) => {
                if g != self.platforms[p].arrival_generation {
                    return Ok(()); // superseded by a rate change (M17)
                }
                self.schedule_arrival(p)?;
                self.take_in(p, Channel::Direct, None, None)
            }
            Event::ShockEdge(p) => {
                // Poisson arrivals are memoryless: at a rate change the pending arrival is
                // dropped and the next one drawn afresh at the new rate, which is exact.
                let day = self.now().hours() / HOURS_PER_DAY;
                let after = self.sc.platforms[p].shock_multiplier(day);
                if self.platforms[p].shock != after {
                    self.platforms[p].shock = after;
                    self.platforms[p].arrival_generation += 1;
                    self.schedule_arrival(p)?;
                }
                Ok(())
            }
            Event::DeskDone(p, item) => self.desk_done(p, item),
            Event::DeputyDone(l) => self.deputy_done(l),
            Event::CountyDone(key) => self.county_done(key),
            Event::Repeat(p, channel, village, category) => {
                if let Some(o) = self.take_in_order(p, channel, village, category)? {
                    let counted = self.now() >= self.warmup;
                    if counted {
                        self.platforms[p].tally.repeats += 1;
                    }
                    let serial = self.serial_of(o);
                    self.note(serial, || "this is a repeat complaint: the issue came back unresolved".into());
                }
                Ok(())
            }
            Event::AssessmentEnd(p) => self.assessment_end(p),
            Event::VillageIssue(v) => self.village_issue(v),
            Event::GridReport(v, c) => self.grid_report(v, c),
            Event::LineTask(d) => self.line_task(d),
            Event::DeptDone(d, job) => self.department_done(d, job),
            Event::LeaderDone(l) => self.leader_done(l),
            Event::OperatorDone(p) => self.operator_done(p),
            Event::OperatorRetry(key) => {
                if let Some(o) = self.orders.get(key) {
                    let (p, hours) = (o.platform, o.negotiate_hours);
                    self.operator_enqueue(p, key, Task::Negotiate, hours)?;
                }
                Ok(())
            }
            Event::Deadline(key) => {
                self.deadline_passed(key);
                Ok(())
            }
            Event::DayEnd(d) => self.day_end(d),
        }
    }

    // ---- intake -------------------------------------------------------------------------

    fn village_issue(&mut self, v: VillageId) -> Result<(), PastSchedule> {
        let rate = self.sc.villages[v].issue_rate_per_day() / HOURS_PER_DAY;
        let gap = exp_gap(&mut self.villages[v].issue_rng, rate);
        self.after_hours(gap, Event::VillageIssue(v))?;
        let day = self.day_index(self.now());
        self.town[day].issues += 1;
        let cat = weighted_index(&mut self.villages[v].category_rng, &self.category_shares, self.category_total);
        let spec = self.sc.citizens.as_ref().expect("validated: villages have [citizens]");
        match self.villages[v].choose(self.sc, spec) {
            Choice::Platform(p) => self.take_in(p, Channel::Citizen, Some(v), Some(cat))?,
            Choice::Offline => self.town[day].offline += 1,
            Choice::Silence => {
                self.town[day].silent += 1;
                if let Some(g) = &self.sc.grid {
                    let workers = self.sc.villages[v].grid_workers as i32;
                    let p_find = 1.0 - (1.0 - g.discovery_prob_per_worker).powi(workers);
                    let rng = &mut self.villages[v].grid_rng;
                    if chance(rng, p_find) {
                        let delay = if g.discovery_delay_days > 0.0 {
                            exp_gap(rng, 1.0 / (g.discovery_delay_days * HOURS_PER_DAY))
                        } else {
                            0.0
                        };
                        self.after_hours(delay, Event::GridReport(v, cat))?;
                    }
                }
            }
        }
        Ok(())
    }

    fn grid_report(&mut self, v: VillageId, c: CategoryId) -> Result<(), PastSchedule> {
        let g = self.sc.grid.as_ref().expect("grid reports come from [grid]");
        if chance(&mut self.villages[v].grid_rng, g.in_scope_share) {
            let day = self.day_index(self.now());
            self.town[day].grid_resolved += 1;
            return Ok(());
        }
        let targets: Vec<PlatformId> =
            g.platforms.iter().copied().filter(|&p| !self.sc.platforms[p].disabled).collect();
        if self.now() >= self.warmup {
            self.grid_entry_hours += g.entry_hours * targets.len() as f64;
        }
        for p in targets {
            self.take_in(p, Channel::Grid, Some(v), Some(c))?;
        }
        Ok(())
    }

    /// A new order on platform `p`.
    fn take_in(
        &mut self,
        p: PlatformId,
        channel: Channel,
        village: Option<VillageId>,
        category: Option<CategoryId>,
    ) -> Result<(), PastSchedule> {
        self.take_in_order(p, channel, village, category).map(|_| ())
    }

    /// A new order on platform `p`; returns its key while it is still open.
    fn take_in_order(
        &mut self,
        p: PlatformId,
        channel: Channel,
        village: Option<VillageId>,
        category: Option<CategoryId>,
    ) -> Result<Option<OrderKey>, PastSchedule> {
        let sc = self.sc;
        let spec = &sc.platforms[p];
        let now = self.now();
        if spec.disabled {
            // Baseline run without this platform: the issue goes offline or unreported.
            if now >= self.warmup {
                self.unserved += 1;
            }
            return Ok(None);
        }
        let ps = &mut self.platforms[p];
        let (route, effort_dist, category) = match (&spec.route, &spec.effort) {
            (Some(r), Some(e)) => (r.clone(), e, category),
            _ => {
                let c = category.unwrap_or_else(|| {
                    weighted_index(&mut ps.category_rng, &self.category_shares, self.category_total)
                });
                (sc.categories[c].departments.clone(), &sc.categories[c].effort, Some(c))
            }
        };
        // Village-raised orders draw efforts from the village's stream, so a platform's own
        // intake and citizens' choices do not shift each other's numbers.
        let effort_rng = match (channel, village) {
            (Channel::Direct, _) | (_, None) => &mut ps.effort_rng,
            (_, Some(v)) => &mut self.villages[v].effort_rng,
        };
        let efforts: Vec<f64> = route.iter().map(|_| effort_dist.sample(effort_rng)).collect();
        let (review_hours, negotiate_hours) = match &spec.dispatch {
            Dispatch::Leader { review, .. } => (review.sample(&mut ps.review_rng), 0.0),
            Dispatch::Operator(o) => (0.0, o.review.sample(&mut ps.review_rng)),
            Dispatch::Auto => (0.0, 0.0),
        };
        let sign_off_hours = spec.sign_off.as_ref().map_or(0.0, |(_, d)| d.sample(&mut ps.sign_off_rng));
        let unreasonable = category.is_some_and(|c| !sc.categories[c].reasonable)
            || (spec.unreasonable_share > 0.0 && chance(&mut ps.demand_rng, spec.unreasonable_share));
        let screened = unreasonable && spec.screening_prob > 0.0 && chance(&mut ps.demand_rng, spec.screening_prob);
        let above_township = category.is_some_and(|c| sc.categories[c].above_township);
        let deadline = spec.deadline_days.map_or(SimTime::NEVER, |d| sc.calendar.deadline(now, d));
        let counted = now >= self.warmup;
        self.serial += 1;
        let parts = route.len() as u32;
        let order = Order {
            serial: self.serial,
            platform: p,
            channel,
            village,
            category,
            created: now,
            deadline,
            counted,
            authority: false,
            label: spec.label,
            route,
            efforts,
            review_hours,
            sign_off_hours,
            negotiate_hours,
            parts_left: parts,
            dispatched_at: None,
            work_started: None,
            attempts: 0,
            overdue: false,
            unreasonable,
            above_township,
            resolved_above: false,
            returns: 0,
            redone: false,
            delegated: false,
        };
        let key = self.orders.insert(order);
        let day = self.day_index(now);
        let ps = &mut self.platforms[p];
        ps.open += 1;
        ps.cohorts[day].arrived += 1;
        ps.days[day].arrivals += 1;
        if counted {
            let t = &mut ps.tally;
            t.arrived += 1;
            t.by_channel[channel as usize] += 1;
            t.unreasonable += unreasonable as u64;
            t.above_township += above_township as u64;
        }
        let serial = self.serial;
        self.note(serial, || {
            let cat = category.map_or(String::new(), |c| format!(" about {}", sc.categories[c].id));
            let from = village.map_or(String::new(), |v| format!(" from {}", sc.villages[v].id));
            let limit = if deadline.is_finite() { format!("; deadline {deadline}") } else { String::new() };
            format!("order #{serial} arrives on {} via {}{from}{cat}{limit}", spec.id, channel.name())
        });
        if unreasonable {
            self.note(serial, || "the demand is unreasonable or outside government remit (M15)".into());
        }
        self.at(deadline, Event::Deadline(key))?;
        if screened {
            self.note(serial, || "screened out at intake (M15): closed with an explanation, unresolved".into());
            self.close(key, false)?;
            if counted {
                self.platforms[p].tally.screened += 1;
            }
            return Ok(None);
        }
        match &spec.dispatch {
            Dispatch::Auto => match &spec.desk {
                Some(_) => self.desk_enqueue(p, key, DeskTask::Dispatch)?,
                None => self.send_to_departments(key, false)?,
            },
            Dispatch::Leader { leader, .. } => self.leader_enqueue(*leader, key, ItemKind::Review, review_hours)?,
            Dispatch::Operator(_) => self.operator_enqueue(p, key, Task::Negotiate, negotiate_hours)?,
        }
        Ok(self.orders.get(key).map(|_| key))
    }

    // ---- dispatch desk ------------------------------------------------------------------

    fn desk_enqueue(&mut self, p: PlatformId, key: OrderKey, task: DeskTask) -> Result<(), PastSchedule> {
        let now = self.now();
        let spec = self.sc.platforms[p].desk.as_ref().expect("desk tasks need a desk");
        let desk = self.platforms[p].desk.as_mut().expect("desk tasks need a desk");
        let hours = match task {
            DeskTask::Dispatch => spec.dispatch.sample(&mut desk.rng),
            DeskTask::Redispatch(_) => spec.redispatch.sample(&mut desk.rng),
        };
        desk.stat.enter(now);
        desk.queue.push_back(DeskItem { order: key, task, queued_at: now, hours });
        self.desk_start(p)
    }

    fn desk_start(&mut self, p: PlatformId) -> Result<(), PastSchedule> {
        let now = self.now();
        let counted = now >= self.warmup;
        let calendar = self.sc.calendar;
        let desk = self.platforms[p].desk.as_mut().expect("desk tasks need a desk");
        let mut started = Vec::new();
        while desk.busy < desk.staff {
            let Some(item) = desk.queue.pop_front() else { break };
            desk.stat.leave(now, item.queued_at);
            desk.busy += 1;
            if counted {
                match item.task {
                    DeskTask::Dispatch => desk.dispatch_hours += item.hours,
                    DeskTask::Redispatch(_) => desk.redispatch_hours += item.hours,
                }
            }
            started.push(item);
        }
        for item in started {
            let done = calendar.advance(now, item.hours);
            self.at(done, Event::DeskDone(p, item))?;
        }
        Ok(())
    }

    fn desk_done(&mut self, p: PlatformId, item: DeskItem) -> Result<(), PastSchedule> {
        self.platforms[p].desk.as_mut().expect("desk tasks need a desk").busy -= 1;
        match item.task {
            DeskTask::Dispatch => self.send_to_departments(item.order, false)?,
            DeskTask::Redispatch(part) => {
                let serial = self.serial_of(item.order);
                self.note(serial, || "the dispatch desk re-dispatches it".into());
                self.send_part(item.order, part)?;
            }
        }
        self.desk_start(p)
    }

    // ---- departments --------------------------------------------------------------------

    fn rank_of(&self, p: PlatformId, authority: bool, label: Label) -> Rank {
        match (&self.sc.platforms[p].dispatch, authority, label) {
            (_, true, Label::Petition) => Rank::Top,
            (_, true, Label::Routine) => Rank::Authority,
            (Dispatch::Operator(_), false, _) => Rank::Negotiated,
            _ => Rank::Routine,
        }
    }

    fn send_to_departments(&mut self, key: OrderKey, authority: bool) -> Result<(), PastSchedule> {
        let now = self.now();
        let Some(o) = self.orders.get_mut(key) else { return Ok(()) };
        o.authority = authority;
        o.dispatched_at = Some(now);
        let (p, counted, created, serial, parts) = (o.platform, o.counted, o.created, o.serial, o.route.len());
        let day = self.day_index(now);
        let ps = &mut self.platforms[p];
        ps.days[day].dispatched += 1;
        if counted {
            ps.tally.dispatched += 1;
            ps.tally.dispatch.push(now.hours() - created.hours());
        }
        if self.trace_serial == Some(serial) {
            let sc = self.sc;
            let o = self.orders.get(key).expect("open");
            let names: Vec<&str> = o.route.iter().map(|&d| sc.departments[d].id.as_str()).collect();
            let text =
                format!("dispatched {} authority to {}", if authority { "with" } else { "without" }, names.join(" + "));
            self.note(serial, || text);
        }
        for i in 0..parts {
            self.send_part(key, i)?;
        }
        Ok(())
    }

    /// Queues part `part` of an order at its department.
    fn send_part(&mut self, key: OrderKey, part: usize) -> Result<(), PastSchedule> {
        let now = self.now();
        let Some(o) = self.orders.get(key) else { return Ok(()) };
        let (p, d, effort) = (o.platform, o.route[part], o.efforts[part]);
        let job = Job {
            rank: self.rank_of(p, o.authority, o.label),
            deadline: o.deadline,
            seq: 0,
            queued_at: now,
            kind: JobKind::Part { order: key, platform: p, part },
            effort,
            started: SimTime::ZERO,
            speed: 1.0,
            pressed: o.authority && o.deadline.is_finite(),
            counted: o.counted,
        };
        let seq = self.next_seq();
        self.department_enqueue(d, Job { seq, ..job })
    }

    fn department_enqueue(&mut self, d: DeptId, job: Job) -> Result<(), PastSchedule> {
        let now = self.now();
        let dept = &mut self.departments[d];
        dept.stat.enter(now);
        dept.queue.push(job);
        self.department_start(d)
    }

    /// The hours a job needs at department `d` now, by kind, and whether it is a return.
    fn job_hours(&mut self, d: DeptId, job: &Job) -> (Hours, bool) {
        let sc = self.sc;
        let (effort_cut, coord_cut) =
            sc.reengineering.as_ref().map_or((0.0, 0.0), |r| (r.effort_cut, r.coordination_cut));
        let r = self.departments[d].r;
        let mut hours = Hours::default();
        let mut returned = false;
        match job.kind {
            JobKind::LineTask => hours.line_tasks = job.effort,
            JobKind::Return { .. } => unreachable!("a job becomes a return only when it starts"),
            JobKind::Persuasion { .. } => hours.persuasion = job.effort,
            JobKind::Redo { .. } => hours.redo = job.effort,
            JobKind::Part { order, platform, .. } => {
                let spec = &sc.platforms[platform];
                let (k, authority, unreasonable, returns) = self
                    .orders
                    .get(order)
                    .map_or((1, false, false, 0), |o| (o.route.len(), o.authority, o.unreasonable, o.returns));
                // M10: without a leader's authority a department may claim the order is not its
                // business and send it back, up to the platform's limit.
                if let Some(ret) = &spec.returns {
                    if !authority
                        && returns < ret.max_returns
                        && chance(&mut self.platforms[platform].returns_rng, ret.prob)
                    {
                        hours.returns = ret.department_hours;
                        returned = true;
                    }
                }
                if !returned {
                    let work = job.effort * (1.0 - effort_cut * r);
                    if unreasonable {
                        hours.unreasonable = work;
                    } else {
                        hours.substantive = work;
                    }
                    // A leader's dispatch halves coordination: departments answer to the same boss.
                    let authority_factor = if authority { 0.5 } else { 1.0 };
                    hours.coordination =
                        spec.coordination_hours * (k as f64 - 1.0) * (1.0 - coord_cut * r) * authority_factor;
                    hours.documentation = spec.documentation_hours;
                }
            }
        }
        // M12: stress slows all work down.
        let dept = &self.departments[d];
        if let Some(st) = &sc.departments[d].stress {
            hours = hours.scaled(1.0 + st.slowdown * dept.stress);
        }
        // M12: on an overtime day, the share of the work done beyond normal hours is overtime.
        if dept.overtime_today > 0.0 {
            let share = dept.overtime_today / (sc.calendar.hours_per_day() + dept.overtime_today);
            let total = hours.total();
            hours = hours.scaled(1.0 - share);
            hours.overtime = total * share;
        }
        (hours, returned)
    }

    fn department_start(&mut self, d: DeptId) -> Result<(), PastSchedule> {
        let now = self.now();
        let sc = self.sc;
        while self.departments[d].has_free_worker() {
            let Some(mut job) = self.departments[d].queue.pop() else { break };
            let dept = &mut self.departments[d];
            dept.stat.leave(now, job.queued_at);
            dept.busy += 1;
            let (hours, returned) = self.job_hours(d, &job);
            let total = hours.total();
            let dept = &mut self.departments[d];
            dept.hours_today.add(&hours);
            if job.pressed {
                dept.pressed_hours_today += total;
            }
            // A department's own totals count the hours worked after warm-up, whatever the
            // job's age; a platform's totals (below) count the hours its counted orders took.
            if now >= self.warmup {
                dept.hours.add(&hours);
            }
            let day = self.day_index(now);
            if let Some(platform) = job.kind.platform() {
                let ps = &mut self.platforms[platform];
                ps.hours_by_dept[d] += total;
                let today = &mut ps.days[day];
                today.hours += total;
                today.burden += hours.burden();
                for (k, h) in today.kinds.iter_mut().zip(hours.kinds()) {
                    *k += h;
                }
                if job.counted {
                    ps.tally.hours.add(&hours);
                }
            }
            if let JobKind::Part { order, platform, part } = job.kind {
                let started = sc.calendar.next_working(now);
                let ps = &mut self.platforms[platform];
                let mut serial = 0;
                if let Some(o) = self.orders.get_mut(order) {
                    serial = o.serial;
                    if o.work_started.is_none() && !returned {
                        o.work_started = Some(started);
                        if o.counted {
                            let wait = started.hours() - o.created.hours();
                            ps.tally.wait.push(wait);
                            if wait > 1e-9 {
                                ps.tally.waited += 1;
                            }
                        }
                    }
                }
                if returned {
                    job.kind = JobKind::Return { order, platform, part };
                    self.note(serial, || {
                        format!("{} claims it is not its business and returns it (M10)", sc.departments[d].id)
                    });
                } else {
                    self.note(serial, || format!("{} starts work: {:.1} h of work", sc.departments[d].id, total));
                }
            }
            let speed = 1.0 + self.departments[d].overtime_today / sc.calendar.hours_per_day();
            let done = sc.calendar.advance(now, total / speed);
            job.started = now;
            job.speed = speed;
            self.at(done, Event::DeptDone(d, job))?;
        }
        Ok(())
    }

    fn department_done(&mut self, d: DeptId, job: Job) -> Result<(), PastSchedule> {
        let now = self.now();
        let sc = self.sc;
        let dept = &mut self.departments[d];
        dept.busy -= 1;
        if job.started >= self.warmup {
            let worked = sc.calendar.worked_before(now) - sc.calendar.worked_before(job.started);
            dept.busy_hours += worked * job.speed;
        }
        match job.kind {
            JobKind::LineTask => {
                if job.counted {
                    let dept = &mut self.departments[d];
                    dept.line_done += 1;
                    if now > job.deadline {
                        dept.line_late += 1;
                    }
                }
            }
            JobKind::Persuasion { .. } => {}
            JobKind::Redo { order, .. } => {
                let serial = self.serial_of(order);
                self.note(serial, || format!("{} finishes the redo", sc.departments[d].id));
                if self.orders.get(order).is_some() {
                    self.work_finished(order)?;
                }
            }
            JobKind::Return { order, platform, part } => {
                let Some(o) = self.orders.get_mut(order) else { return self.department_start(d) };
                o.returns += 1;
                let first = o.returns == 1;
                if o.counted {
                    let t = &mut self.platforms[platform].tally;
                    t.return_events += 1;
                    t.returned += first as u64;
                }
                // The dispatcher spends time sending it again: the operator, the leader (whose
                // re-dispatch carries authority, so it cannot bounce again), or the desk.
                match &sc.platforms[platform].dispatch {
                    Dispatch::Operator(_) => {
                        let hours = self.orders.get(order).map_or(0.0, |o| o.negotiate_hours);
                        self.operator_enqueue(platform, order, Task::Redispatch(part), hours)?;
                    }
                    Dispatch::Leader { leader, .. } => {
                        let hours = self.orders.get(order).map_or(0.0, |o| o.review_hours);
                        self.leader_enqueue(*leader, order, ItemKind::Redispatch(part), hours)?;
                    }
                    Dispatch::Auto => self.desk_enqueue(platform, order, DeskTask::Redispatch(part))?,
                }
            }
            JobKind::Part { order, .. } => {
                let finished = match self.orders.get_mut(order) {
                    Some(o) => {
                        o.parts_left -= 1;
                        o.parts_left == 0
                    }
                    None => false,
                };
                let serial = self.serial_of(order);
                self.note(serial, || format!("{} finishes its part", sc.departments[d].id));
                if finished {
                    self.work_finished(order)?;
                }
            }
        }
        self.department_start(d)
    }

    fn line_task(&mut self, d: DeptId) -> Result<(), PastSchedule> {
        let lt = self.sc.departments[d].line_tasks.as_ref().expect("line task events need line_tasks");
        let gap = exp_gap(&mut self.line_rngs[d].0, lt.rate_per_day / HOURS_PER_DAY);
        self.after_hours(gap, Event::LineTask(d))?;
        let now = self.now();
        let effort = lt.effort.sample(&mut self.line_rngs[d].1);
        let seq = self.next_seq();
        let job = Job {
            rank: if lt.veto { Rank::Top } else { Rank::Routine },
            deadline: lt.deadline_days.map_or(SimTime::NEVER, |x| self.sc.calendar.deadline(now, x)),
            seq,
            queued_at: now,
            kind: JobKind::LineTask,
            effort,
            started: SimTime::ZERO,
            speed: 1.0,
            pressed: false,
            counted: now >= self.warmup,
        };
        self.department_enqueue(d, job)
    }

    /// All parts done: audit (M9), escalation (M7), then sign-off or closure.
    fn work_finished(&mut self, key: OrderKey) -> Result<(), PastSchedule> {
        let sc = self.sc;
        let Some(o) = self.orders.get(key) else { return Ok(()) };
        let (p, lead, serial) = (o.platform, o.route[0], o.serial);
        if let Some(a) = &sc.platforms[p].audit {
            let dept = &self.departments[lead];
            let load = dept.queue.len() as f64 / dept.staff as f64;
            let fail = (a.base_fail + a.load_fail * load + a.stress_fail * dept.stress).clamp(0.0, 0.95);
            if chance(&mut self.platforms[p].audit_rng, fail) {
                let o = self.orders.get_mut(key).expect("open");
                let first = !o.redone;
                o.redone = true;
                let (effort, counted, deadline, authority, label) =
                    (o.efforts[0] * a.redo_effort_share, o.counted, o.deadline, o.authority, o.label);
                if counted && first {
                    self.platforms[p].tally.redone += 1;
                }
                self.note(serial, || {
                    format!(
                        "the reply fails the audit (chance {:.0}%): {} must redo it (M9)",
                        fail * 100.0,
                        sc.departments[lead].id
                    )
                });
                let seq = self.next_seq();
                let job = Job {
                    rank: self.rank_of(p, authority, label),
                    deadline,
                    seq,
                    queued_at: self.now(),
                    kind: JobKind::Redo { order: key, platform: p },
                    effort: effort + sc.platforms[p].documentation_hours,
                    started: SimTime::ZERO,
                    speed: 1.0,
                    pressed: authority && deadline.is_finite(),
                    counted,
                };
                return self.department_enqueue(lead, job);
            }
        }
        let o = self.orders.get(key).expect("open");
        if o.above_township && !o.resolved_above {
            if let Some(county) = &sc.county {
                if chance(&mut self.platforms[p].county_rng, county.escalate_prob) {
                    let counted = o.counted;
                    if counted {
                        self.platforms[p].tally.escalated += 1;
                    }
                    self.note(serial, || "it needs authority above the township: escalated to the county (M7)".into());
                    let delay = if county.delay_days > 0.0 {
                        exp_gap(&mut self.platforms[p].county_rng, 1.0 / (county.delay_days * HOURS_PER_DAY))
                    } else {
                        0.0
                    };
                    return self.after_hours(delay, Event::CountyDone(key));
                }
                self.note(serial, || {
                    "it needs authority above the township; the township cannot act (权小责大)".into()
                });
            }
        }
        self.finalize(key)
    }

    fn county_done(&mut self, key: OrderKey) -> Result<(), PastSchedule> {
        let Some(o) = self.orders.get(key) else { return Ok(()) };
        let p = o.platform;
        let county = self.sc.county.as_ref().expect("escalations need [county]");
        let ok = chance(&mut self.platforms[p].county_rng, county.resolve_prob);
        let o = self.orders.get_mut(key).expect("open");
        o.resolved_above = ok;
        let serial = o.serial;
        self.note(serial, || format!("the county {}", if ok { "resolves it" } else { "does not resolve it" }));
        self.finalize(key)
    }

    /// Sign-off, if the platform requires it, else closure.
    fn finalize(&mut self, key: OrderKey) -> Result<(), PastSchedule> {
        let Some(o) = self.orders.get(key) else { return Ok(()) };
        let (p, hours, resolved) = (o.platform, o.sign_off_hours, resolvable(o));
        match &self.sc.platforms[p].sign_off {
            Some((leader, _)) => self.leader_enqueue(*leader, key, ItemKind::SignOff, hours),
            None => self.close(key, resolved),
        }
    }

    // ---- leaders ------------------------------------------------------------------------

    fn leader_enqueue(&mut self, l: LeaderId, key: OrderKey, kind: ItemKind, hours: f64) -> Result<(), PastSchedule> {
        let now = self.now();
        let Some(o) = self.orders.get(key) else { return Ok(()) };
        let (label, platform, serial) = (o.label, o.platform, o.serial);
        let seq = self.next_seq();
        let item = Item { label, seq, queued_at: now, kind, order: key, platform, hours };
        // M13: an overflowing inbox spills to the deputy.
        let spill = match (&self.sc.leaders[l].delegate, &mut self.deputies[l]) {
            (Some(dg), Some(deputy)) if self.leaders[l].inbox.len() >= dg.inbox_threshold as usize => {
                deputy.stat.enter(now);
                deputy.inbox.push(item);
                true
            }
            _ => false,
        };
        let sc = self.sc;
        if spill {
            if let Some(o) = self.orders.get_mut(key) {
                if kind == ItemKind::Review && !o.delegated {
                    o.delegated = true;
                    if o.counted {
                        self.platforms[platform].tally.delegated += 1;
                    }
                }
            }
            self.note(serial, || format!("{}'s inbox is full: the deputy takes it (M13)", sc.leaders[l].id));
            return self.deputy_start(l);
        }
        let leader = &mut self.leaders[l];
        leader.stat.enter(now);
        leader.inbox.push(item);
        self.note(serial, || {
            let what = match kind {
                ItemKind::Review => "review",
                ItemKind::SignOff => "sign-off",
                ItemKind::Redispatch(_) => "re-dispatch",
            };
            format!("waits in {}'s inbox for {what}", sc.leaders[l].id)
        });
        self.leader_start(l)
    }

    fn leader_start(&mut self, l: LeaderId) -> Result<(), PastSchedule> {
        let now = self.now();
        let warm = now >= self.warmup;
        let leader = &mut self.leaders[l];
        let Some(done) = serve_next(leader, now, warm) else { return Ok(()) };
        self.at(done, Event::LeaderDone(l))
    }

    fn deputy_start(&mut self, l: LeaderId) -> Result<(), PastSchedule> {
        let now = self.now();
        let warm = now >= self.warmup;
        let deputy = self.deputies[l].as_mut().expect("deputy events need a deputy");
        let Some(done) = serve_next(deputy, now, warm) else { return Ok(()) };
        self.at(done, Event::DeputyDone(l))
    }

    fn leader_done(&mut self, l: LeaderId) -> Result<(), PastSchedule> {
        let item = self.leaders[l].current.take().expect("LeaderDone with an item in hand");
        self.item_done(l, item, true)?;
        self.leader_start(l)
    }

    fn deputy_done(&mut self, l: LeaderId) -> Result<(), PastSchedule> {
        let deputy = self.deputies[l].as_mut().expect("deputy events need a deputy");
        let item = deputy.current.take().expect("DeputyDone with an item in hand");
        self.item_done(l, item, false)?;
        self.deputy_start(l)
    }

    fn item_done(&mut self, l: LeaderId, item: Item, authority: bool) -> Result<(), PastSchedule> {
        let sc = self.sc;
        let who = if authority { sc.leaders[l].id.clone() } else { format!("{}'s deputy", sc.leaders[l].id) };
        let serial = self.serial_of(item.order);
        match item.kind {
            ItemKind::Review => {
                self.note(serial, || format!("{who} reviews it ({:.2} h)", item.hours));
                self.send_to_departments(item.order, authority)
            }
            ItemKind::Redispatch(part) => {
                self.note(serial, || format!("{who} sends it back to the department"));
                if let Some(o) = self.orders.get_mut(item.order) {
                    o.authority |= authority;
                }
                self.send_part(item.order, part)
            }
            ItemKind::SignOff => {
                self.note(serial, || format!("{who} signs it off ({:.2} h)", item.hours));
                let resolved = self.orders.get(item.order).is_some_and(resolvable);
                self.close(item.order, resolved)
            }
        }
    }

    // ---- operators ----------------------------------------------------------------------

    fn operator_enqueue(&mut self, p: PlatformId, key: OrderKey, task: Task, hours: f64) -> Result<(), PastSchedule> {
        let now = self.now();
        let op = self.platforms[p].operator.as_mut().expect("operator platforms have an operator");
        op.stat.enter(now);
        op.queue.push_back(OperatorItem { order: key, task, queued_at: now, hours });
        self.operator_start(p)
    }

    fn operator_start(&mut self, p: PlatformId) -> Result<(), PastSchedule> {
        let now = self.now();
        let warm = now >= self.warmup;
        let op = self.platforms[p].operator.as_mut().expect("operator platforms have an operator");
        if op.current.is_some() || op.clock.hours_per_day() <= 0.0 {
            return Ok(());
        }
        let Some(item) = op.queue.pop_front() else { return Ok(()) };
        op.stat.leave(now, item.queued_at);
        if warm {
            op.hours += item.hours;
        }
        op.current = Some(item);
        let done = op.clock.advance(now, item.hours);
        self.at(done, Event::OperatorDone(p))
    }

    fn operator_rng(&mut self, p: PlatformId) -> &mut SimRng {
        &mut self.platforms[p].operator.as_mut().expect("operator platforms have an operator").rng
    }

    fn operator_done(&mut self, p: PlatformId) -> Result<(), PastSchedule> {
        let Dispatch::Operator(spec) = &self.sc.platforms[p].dispatch else {
            unreachable!("operator event on a non-operator platform")
        };
        let now = self.now();
        let item = self.platforms[p]
            .operator
            .as_mut()
            .and_then(|op| op.current.take())
            .expect("OperatorDone with a task in hand");
        let serial = self.serial_of(item.order);
        match item.task {
            Task::SettleOffline => {
                self.note(serial, || "the operator settles it offline, outside the system (M3)".into());
                self.lose(item.order, true)?;
            }
            Task::Redispatch(part) => {
                self.note(serial, || "the operator negotiates it back to the department".into());
                self.send_part(item.order, part)?;
            }
            Task::Negotiate => {
                if chance(self.operator_rng(p), spec.accept_prob) {
                    self.note(serial, || "the operator negotiates; the department accepts (M2)".into());
                    self.send_to_departments(item.order, false)?;
                } else if let Some(o) = self.orders.get_mut(item.order) {
                    o.attempts += 1;
                    let attempts = o.attempts;
                    self.note(serial, || {
                        format!("the operator negotiates; the department refuses (attempt {attempts})")
                    });
                    if attempts < spec.max_attempts {
                        let retry = self.sc.calendar.deadline(now, spec.retry_days);
                        self.at(retry, Event::OperatorRetry(item.order))?;
                    } else if chance(self.operator_rng(p), spec.offline_prob) {
                        let hours = spec.offline.sample(self.operator_rng(p));
                        self.operator_enqueue(p, item.order, Task::SettleOffline, hours)?;
                    } else {
                        self.note(serial, || "the operator gives up: dropped".into());
                        self.lose(item.order, false)?;
                    }
                }
            }
        }
        self.operator_start(p)
    }

    // ---- endings ------------------------------------------------------------------------

    fn close(&mut self, key: OrderKey, resolved: bool) -> Result<(), PastSchedule> {
        let now = self.now();
        let Some(o) = self.orders.remove(key) else { return Ok(()) };
        let sc = self.sc;
        let spec = &sc.platforms[o.platform];
        let on_time = now <= o.deadline;
        let cday = self.day_index(o.created);
        let day = self.day_index(now);
        let p = o.platform;
        // The caller's rating (M11): drawn for every closure from the platform's own stream.
        let sat = &spec.satisfaction;
        let ps = &mut self.platforms[p];
        let p_sat = if !resolved {
            sat.unresolved
        } else if on_time {
            sat.on_time
        } else {
            sat.late
        };
        let mut satisfied = chance(&mut ps.rating_rng, p_sat);
        let mut persuade = false;
        if let Some(a) = &spec.assessment {
            if !satisfied && chance(&mut ps.rating_rng, a.persuade_prob) {
                persuade = true;
                satisfied = chance(&mut ps.rating_rng, a.persuasion_success);
            }
        }
        ps.open -= 1;
        let c = &mut ps.cohorts[cday];
        c.closed += 1;
        if on_time {
            c.on_time += 1;
        }
        if o.overdue {
            c.overdue -= 1;
            ps.overdue -= 1;
        }
        ps.days[day].closed += 1;
        let unit = &mut ps.period[o.route[0]];
        unit.0 += 1;
        unit.1 += resolved as u64;
        unit.2 += satisfied as u64;
        if o.counted {
            let t = &mut ps.tally;
            t.closed += 1;
            t.on_time += on_time as u64;
            t.resolved += resolved as u64;
            t.resolved_on_time += (resolved && on_time) as u64;
            t.satisfied += satisfied as u64;
            t.persuasions += persuade as u64;
            let sojourn = now.hours() - o.created.hours();
            t.sojourn.push(sojourn);
            t.sojourn_hist.push(sojourn);
        }
        self.note(o.serial, || {
            format!(
                "closed in the system, {}, {}; the caller rates it {}{}",
                if on_time { "on time" } else { "late" },
                if resolved { "resolved" } else { "unresolved" },
                if satisfied { "satisfied" } else { "dissatisfied" },
                if persuade { " after the unit's persuasion (M11)" } else { "" }
            )
        });
        if persuade {
            if let Some(a) = &spec.assessment {
                let seq = self.next_seq();
                let job = Job {
                    rank: Rank::Top,
                    deadline: now,
                    seq,
                    queued_at: now,
                    kind: JobKind::Persuasion { platform: p },
                    effort: a.persuasion_hours,
                    started: SimTime::ZERO,
                    speed: 1.0,
                    pressed: false,
                    counted: o.counted,
                };
                self.department_enqueue(o.route[0], job)?;
            }
        }
        if let Some(c) = &sc.citizens {
            let target = if !resolved {
                0.0
            } else if on_time {
                1.0
            } else {
                c.late_target
            };
            self.learn(&o, target);
        }
        if !resolved && !o.unreasonable {
            self.maybe_repeat(&o)?;
        }
        Ok(())
    }

    fn lose(&mut self, key: OrderKey, offline: bool) -> Result<(), PastSchedule> {
        let now = self.now();
        let Some(o) = self.orders.remove(key) else { return Ok(()) };
        let cday = self.day_index(o.created);
        let day = self.day_index(now);
        let ps = &mut self.platforms[o.platform];
        ps.open -= 1;
        ps.cohorts[cday].lost += 1;
        if o.overdue {
            ps.cohorts[cday].overdue -= 1;
            ps.overdue -= 1;
        }
        ps.days[day].lost += 1;
        if o.counted {
            if offline {
                ps.tally.offline += 1;
            } else {
                ps.tally.dropped += 1;
            }
        }
        if let Some(c) = &self.sc.citizens {
            let target = if offline { c.offline_target } else { 0.0 };
            self.learn(&o, target);
        }
        if !offline {
            self.maybe_repeat(&o)?;
        }
        Ok(())
    }

    /// M16: an unresolved issue may come back as a new order.
    fn maybe_repeat(&mut self, o: &Order) -> Result<(), PastSchedule> {
        let Some((prob, delay_days)) = self.sc.platforms[o.platform].repeat else { return Ok(()) };
        let rng = &mut self.platforms[o.platform].repeat_rng;
        if chance(rng, prob) {
            let delay = if delay_days > 0.0 { exp_gap(rng, 1.0 / (delay_days * HOURS_PER_DAY)) } else { 0.0 };
            self.note(o.serial, || format!("the caller will complain again in about {:.0} days (M16)", delay / 24.0));
            self.after_hours(delay, Event::Repeat(o.platform, o.channel, o.village, o.category))?;
        }
        Ok(())
    }

    fn deadline_passed(&mut self, key: OrderKey) {
        let Some(o) = self.orders.get_mut(key) else { return };
        o.overdue = true;
        let o = o.clone();
        let cday = self.day_index(o.created);
        let ps = &mut self.platforms[o.platform];
        ps.cohorts[cday].overdue += 1;
        ps.overdue += 1;
        self.note(o.serial, || "the deadline passes with the order still open".into());
        // Ignored past its deadline: the citizen's trust falls now, whatever comes later.
        self.learn(&o, 0.0);
    }

    /// M4: citizens who reported an issue update their village's trust in the platform.
    fn learn(&mut self, o: &Order, target: f64) {
        let (Some(c), Channel::Citizen, Some(v)) = (&self.sc.citizens, o.channel, o.village) else { return };
        if c.learning_rate > 0.0 {
            self.villages[v].learn(o.platform, c.learning_rate, target);
        }
    }

    // ---- assessment ---------------------------------------------------------------------

    /// M11: at the end of an assessment period each unit is scored on the platform's orders it
    /// led (mean of its resolution and satisfaction rates); a unit under target carries a
    /// penalty (stress pressure) through the next period, a unit at or above target sheds it.
    fn assessment_end(&mut self, p: PlatformId) -> Result<(), PastSchedule> {
        let a = self.sc.platforms[p].assessment.as_ref().expect("assessment events need an assessment");
        let ps = &mut self.platforms[p];
        for (d, unit) in ps.period.iter_mut().enumerate() {
            let (closed, resolved, satisfied) = *unit;
            if closed > 0 {
                let score = (resolved + satisfied) as f64 / (2 * closed) as f64;
                self.departments[d].penalty = if score < a.target { a.penalty } else { 0.0 };
            }
            *unit = (0, 0, 0);
        }
        self.after_hours(a.period_days * HOURS_PER_DAY, Event::AssessmentEnd(p))
    }

    // ---- days ---------------------------------------------------------------------------

    fn day_end(&mut self, d: u32) -> Result<(), PastSchedule> {
        let di = d as usize;
        let sc = self.sc;
        let working = sc.calendar.is_working_day(d);
        let capacity_per_staff = if working { sc.calendar.hours_per_day() } else { 0.0 };
        for (i, dept) in self.departments.iter_mut().enumerate() {
            let spec = &sc.departments[i];
            let capacity = capacity_per_staff * dept.staff as f64;
            if let Some(r) = &sc.reengineering {
                if capacity > 0.0 {
                    dept.reengineer(r.learn, r.decay, capacity);
                }
            }
            let backlog = dept.queue.len() as f64 / dept.staff as f64;
            if let Some(st) = &spec.stress {
                if working {
                    let overtime = if dept.overtime_today > 0.0 { 0.25 } else { 0.0 };
                    let pressure = backlog / st.backlog_per_staff + dept.penalty + overtime;
                    dept.update_stress(st.build, st.recover, pressure);
                }
            }
            let hours = dept.hours_today.total();
            self.dept_days[i][di] = DepartmentDay {
                queue: dept.queue.len() as u64,
                hours,
                utilisation: if capacity > 0.0 { hours / capacity } else { f64::NAN },
                r: dept.r,
                stress: dept.stress,
            };
            // Overtime decided tonight applies to work started tomorrow (next working day).
            if working || dept.overtime_today > 0.0 {
                dept.overtime_today = match &spec.overtime {
                    Some(o) if backlog > o.backlog_per_staff => o.hours_per_day,
                    _ => 0.0,
                };
            }
            dept.hours_today = Hours::default();
            dept.pressed_hours_today = 0.0;
        }
        let mut attention = vec![0.0; sc.platforms.len()];
        for (i, leader) in self.leaders.iter_mut().enumerate() {
            let today: f64 = leader.hours_today.iter().sum();
            for (p, h) in leader.hours_today.iter_mut().enumerate() {
                attention[p] += *h;
                *h = 0.0;
            }
            self.leader_days[i][di] = LeaderDay { inbox: leader.inbox.len() as u64, hours: today };
        }
        for deputy in self.deputies.iter_mut().flatten() {
            deputy.hours_today.iter_mut().for_each(|h| *h = 0.0);
        }
        let n_villages = self.villages.len();
        for (p, ps) in self.platforms.iter_mut().enumerate() {
            let weight: f64 = ps.hours_by_dept.iter().sum();
            let weighted_r = if weight > 0.0 {
                ps.hours_by_dept.iter().zip(&self.departments).map(|(h, dept)| h * dept.r).sum::<f64>() / weight
            } else {
                0.0
            };
            let trust = if n_villages > 0 {
                self.villages.iter().map(|v| v.trust[p]).sum::<f64>() / n_villages as f64
            } else {
                f64::NAN
            };
            let day = &mut ps.days[di];
            day.open = ps.open;
            day.overdue = ps.overdue;
            day.attention = attention[p];
            day.trust = trust;
            day.weighted_r = weighted_r;
            ps.regimes.track_usage(d, &ps.cohorts, &sc.regimes);
            if d + 1 >= sc.regimes.window_days {
                let r = ps.regimes.update(d, &ps.cohorts, &ps.days, &sc.regimes);
                ps.days[di].regime = Some(r);
            }
            if di as f64 >= sc.simulation.warmup_days {
                ps.attention_hours += attention[p];
            }
        }
        if (d as usize) + 1 < self.town.len() {
            self.at(SimTime::from_days(d as f64 + 2.0), Event::DayEnd(d + 1))?;
        }
        Ok(())
    }

    fn finish(mut self) -> RunOutput {
        let mut open_end = vec![0u64; self.sc.platforms.len()];
        let mut overdue_end = vec![0u64; self.sc.platforms.len()];
        for o in self.orders.iter().filter(|o| o.counted) {
            open_end[o.platform] += 1;
            if o.overdue {
                overdue_end[o.platform] += 1;
            }
        }
        let end = self.end;
        let working_hours = self.sc.calendar.worked_before(end) - self.sc.calendar.worked_before(self.warmup);
        let mut queues = Vec::new();
        let departments = self
            .departments
            .iter_mut()
            .zip(&self.sc.departments)
            .zip(self.dept_days)
            .map(|((d, spec), days)| {
                queues.push(QueueResult { name: format!("department/{}", spec.id), little: d.stat.little(end) });
                let capacity = working_hours * d.staff as f64;
                DepartmentResult {
                    hours: d.hours,
                    utilisation: if capacity > 0.0 { d.hours.total() / capacity } else { f64::NAN },
                    r_end: d.r,
                    stress_end: d.stress,
                    busy_hours: d.busy_hours,
                    line_done: d.line_done,
                    line_late: d.line_late,
                    days,
                }
            })
            .collect();
        for (l, spec) in self.leaders.iter_mut().zip(&self.sc.leaders) {
            queues.push(QueueResult { name: format!("leader/{}", spec.id), little: l.stat.little(end) });
        }
        for (l, spec) in self.deputies.iter_mut().zip(&self.sc.leaders) {
            if let Some(l) = l {
                queues.push(QueueResult { name: format!("deputy/{}", spec.id), little: l.stat.little(end) });
            }
        }
        let platforms = self
            .platforms
            .into_iter()
            .zip(&self.sc.platforms)
            .enumerate()
            .map(|(i, (mut ps, spec))| {
                let operator_hours = match ps.operator.as_mut() {
                    Some(op) => {
                        queues.push(QueueResult { name: format!("operator/{}", spec.id), little: op.stat.little(end) });
                        op.hours
                    }
                    None => 0.0,
                };
                if let Some(desk) = ps.desk.as_mut() {
                    queues.push(QueueResult { name: format!("desk/{}", spec.id), little: desk.stat.little(end) });
                    ps.tally.desk_dispatch_hours = desk.dispatch_hours;
                    ps.tally.desk_redispatch_hours = desk.redispatch_hours;
                }
                PlatformResult {
                    tally: ps.tally,
                    open_end: open_end[i],
                    overdue_end: overdue_end[i],
                    attention_hours: ps.attention_hours,
                    operator_hours,
                    days: ps.days,
                    regimes: ps.regimes,
                }
            })
            .collect();
        RunOutput {
            replication: self.replication,
            platforms,
            departments,
            leaders: self.leader_days,
            town: self.town,
            queues,
            events: self.events,
            grid_entry_hours: self.grid_entry_hours,
            unserved: self.unserved,
            trace: self.trace,
            orders_seen: self.serial,
        }
    }
}

/// Whether an order, worked to the end, resolves the issue: reasonable, and within reach of
/// whoever had to act (M7, M15).
fn resolvable(o: &Order) -> bool {
    !o.unreasonable && (!o.above_township || o.resolved_above)
}

/// Starts the next inbox item of a leader or deputy; returns when it will be done.
fn serve_next(leader: &mut Leader, now: SimTime, warm: bool) -> Option<SimTime> {
    if leader.current.is_some() || leader.clock.hours_per_day() <= 0.0 {
        return None;
    }
    let item = leader.inbox.pop()?;
    leader.stat.leave(now, item.queued_at);
    leader.hours_today[item.platform] += item.hours;
    if warm {
        leader.hours[item.platform] += item.hours;
    }
    leader.current = Some(item);
    Some(leader.clock.advance(now, item.hours))
}
