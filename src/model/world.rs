//! One replication: the event loop that moves orders through the township.

use super::citizens::{Choice, Village, weighted_index};
use super::department::{Department, Hours, Job, JobKind, Rank};
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
    PlatformArrival(PlatformId),
    VillageIssue(VillageId),
    GridReport(VillageId, CategoryId),
    LineTask(DeptId),
    DeptDone(DeptId, Job),
    LeaderDone(LeaderId),
    OperatorDone(PlatformId),
    OperatorRetry(OrderKey),
    Deadline(OrderKey),
    DayEnd(u32),
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
    /// Hours after warm-up by kind.
    pub hours: Hours,
    /// Hours over capacity after warm-up.
    pub utilisation: f64,
    /// Final R.
    pub r_end: f64,
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
}

/// Runs replication `replication` of `sc` to its end.
pub fn run_replication(sc: &Scenario, replication: u32) -> Result<RunOutput, SimError> {
    let mut w = World::new(sc, replication);
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
        }
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
            let rate = self.sc.platforms[p].arrival_rate_per_day / HOURS_PER_DAY;
            if rate > 0.0 {
                let gap = exp_gap(&mut self.platforms[p].arrival_rng, rate);
                self.after_hours(gap, Event::PlatformArrival(p))?;
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
            Event::PlatformArrival(p) => {
                let rate = self.sc.platforms[p].arrival_rate_per_day / HOURS_PER_DAY;
                let gap = exp_gap(&mut self.platforms[p].arrival_rng, rate);
                self.after_hours(gap, Event::PlatformArrival(p))?;
                self.take_in(p, Channel::Direct, None, None)
            }
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
        if self.now() >= self.warmup {
            self.grid_entry_hours += g.entry_hours * g.platforms.len() as f64;
        }
        for i in 0..g.platforms.len() {
            let p = g.platforms[i];
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
        let sc = self.sc;
        let spec = &sc.platforms[p];
        let now = self.now();
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
        };
        let key = self.orders.insert(order);
        let day = self.day_index(now);
        let ps = &mut self.platforms[p];
        ps.open += 1;
        ps.cohorts[day].arrived += 1;
        ps.days[day].arrivals += 1;
        if counted {
            ps.tally.arrived += 1;
            ps.tally.by_channel[channel as usize] += 1;
        }
        self.at(deadline, Event::Deadline(key))?;
        match &spec.dispatch {
            Dispatch::Auto => self.send_to_departments(key, false),
            Dispatch::Leader { leader, .. } => self.leader_enqueue(*leader, key, ItemKind::Review, review_hours),
            Dispatch::Operator(_) => self.operator_enqueue(p, key, Task::Negotiate, negotiate_hours),
        }
    }

    // ---- departments --------------------------------------------------------------------

    fn send_to_departments(&mut self, key: OrderKey, authority: bool) -> Result<(), PastSchedule> {
        let now = self.now();
        let Some(o) = self.orders.get_mut(key) else { return Ok(()) };
        o.authority = authority;
        o.dispatched_at = Some(now);
        let (p, counted, created, deadline, label) = (o.platform, o.counted, o.created, o.deadline, o.label);
        let parts: Vec<(DeptId, f64)> = o.route.iter().copied().zip(o.efforts.iter().copied()).collect();
        let rank = match (&self.sc.platforms[p].dispatch, authority, label) {
            (_, true, Label::Petition) => Rank::Top,
            (_, true, Label::Routine) => Rank::Authority,
            (Dispatch::Operator(_), false, _) => Rank::Negotiated,
            _ => Rank::Routine,
        };
        let day = self.day_index(now);
        let ps = &mut self.platforms[p];
        ps.days[day].dispatched += 1;
        if counted {
            ps.tally.dispatched += 1;
            ps.tally.dispatch.push(now.hours() - created.hours());
        }
        let pressed = authority && deadline.is_finite();
        for (i, (d, effort)) in parts.into_iter().enumerate() {
            let seq = self.next_seq();
            let job = Job {
                rank,
                deadline,
                seq,
                queued_at: now,
                created,
                kind: JobKind::Part { order: key, platform: p, part: i },
                effort,
                pressed,
                counted,
            };
            self.department_enqueue(d, job)?;
        }
        Ok(())
    }

    fn department_enqueue(&mut self, d: DeptId, job: Job) -> Result<(), PastSchedule> {
        let now = self.now();
        let dept = &mut self.departments[d];
        dept.stat.enter(now);
        dept.queue.push(job);
        self.department_start(d)
    }

    fn department_start(&mut self, d: DeptId) -> Result<(), PastSchedule> {
        let now = self.now();
        let sc = self.sc;
        while self.departments[d].has_free_worker() {
            let Some(job) = self.departments[d].queue.pop() else { break };
            let dept = &mut self.departments[d];
            dept.stat.leave(now, job.queued_at);
            dept.busy += 1;
            let (effort_cut, coord_cut) =
                sc.reengineering.as_ref().map_or((0.0, 0.0), |r| (r.effort_cut, r.coordination_cut));
            let r = dept.r;
            let mut hours = Hours::default();
            match job.kind {
                JobKind::LineTask => hours.line_tasks = job.effort,
                JobKind::Part { order, platform, .. } => {
                    let spec = &sc.platforms[platform];
                    hours.substantive = job.effort * (1.0 - effort_cut * r);
                    let (k, authority) = self.orders.get(order).map_or((1, false), |o| (o.route.len(), o.authority));
                    // A leader's dispatch halves coordination: departments answer to the same boss.
                    let authority_factor = if authority { 0.5 } else { 1.0 };
                    hours.coordination =
                        spec.coordination_hours * (k as f64 - 1.0) * (1.0 - coord_cut * r) * authority_factor;
                    hours.documentation = spec.documentation_hours;
                }
            }
            let total = hours.total();
            let dept = &mut self.departments[d];
            dept.hours_today.add(&hours);
            if job.pressed {
                dept.pressed_hours_today += total;
            }
            if job.counted {
                dept.hours.add(&hours);
            }
            if let JobKind::Part { order, platform, .. } = job.kind {
                let ps = &mut self.platforms[platform];
                ps.hours_by_dept[d] += total;
                if job.counted {
                    ps.tally.hours.add(&hours);
                }
                let started = sc.calendar.next_working(now);
                if let Some(o) = self.orders.get_mut(order) {
                    if o.work_started.is_none() {
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
            }
            let done = sc.calendar.advance(now, total);
            self.at(done, Event::DeptDone(d, job))?;
        }
        Ok(())
    }

    fn department_done(&mut self, d: DeptId, job: Job) -> Result<(), PastSchedule> {
        let now = self.now();
        self.departments[d].busy -= 1;
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
            JobKind::Part { order, .. } => {
                let finished = match self.orders.get_mut(order) {
                    Some(o) => {
                        o.parts_left -= 1;
                        o.parts_left == 0
                    }
                    None => false,
                };
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
            created: now,
            kind: JobKind::LineTask,
            effort,
            pressed: false,
            counted: now >= self.warmup,
        };
        self.department_enqueue(d, job)
    }

    fn work_finished(&mut self, key: OrderKey) -> Result<(), PastSchedule> {
        let Some(o) = self.orders.get(key) else { return Ok(()) };
        let p = o.platform;
        let hours = o.sign_off_hours;
        match &self.sc.platforms[p].sign_off {
            Some((leader, _)) => self.leader_enqueue(*leader, key, ItemKind::SignOff, hours),
            None => {
                self.close(key);
                Ok(())
            }
        }
    }

    // ---- leaders ------------------------------------------------------------------------

    fn leader_enqueue(&mut self, l: LeaderId, key: OrderKey, kind: ItemKind, hours: f64) -> Result<(), PastSchedule> {
        let now = self.now();
        let Some(o) = self.orders.get(key) else { return Ok(()) };
        let item = Item { label: o.label, seq: 0, queued_at: now, kind, order: key, platform: o.platform, hours };
        let seq = self.next_seq();
        let leader = &mut self.leaders[l];
        leader.stat.enter(now);
        leader.inbox.push(Item { seq, ..item });
        self.leader_start(l)
    }

    fn leader_start(&mut self, l: LeaderId) -> Result<(), PastSchedule> {
        let now = self.now();
        let leader = &mut self.leaders[l];
        if leader.current.is_some() || leader.clock.hours_per_day() <= 0.0 {
            return Ok(());
        }
        let Some(item) = leader.inbox.pop() else { return Ok(()) };
        leader.stat.leave(now, item.queued_at);
        leader.hours_today[item.platform] += item.hours;
        if now >= self.warmup {
            leader.hours[item.platform] += item.hours;
        }
        leader.current = Some(item);
        let done = leader.clock.advance(now, item.hours);
        self.at(done, Event::LeaderDone(l))
    }

    fn leader_done(&mut self, l: LeaderId) -> Result<(), PastSchedule> {
        let item = self.leaders[l].current.take().expect("LeaderDone with an item in hand");
        match item.kind {
            ItemKind::Review => self.send_to_departments(item.order, true)?,
            ItemKind::SignOff => self.close(item.order),
        }
        self.leader_start(l)
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

    fn operator_done(&mut self, p: PlatformId) -> Result<(), PastSchedule> {
        let Dispatch::Operator(spec) = &self.sc.platforms[p].dispatch else {
            unreachable!("operator event on a non-operator platform")
        };
        let now = self.now();
        let op = self.platforms[p].operator.as_mut().expect("operator platforms have an operator");
        let item = op.current.take().expect("OperatorDone with a task in hand");
        match item.task {
            Task::SettleOffline => self.lose(item.order, true),
            Task::Negotiate => {
                if chance(&mut op.rng, spec.accept_prob) {
                    self.send_to_departments(item.order, false)?;
                } else if let Some(o) = self.orders.get_mut(item.order) {
                    o.attempts += 1;
                    if o.attempts < spec.max_attempts {
                        let retry = self.sc.calendar.deadline(now, spec.retry_days);
                        self.at(retry, Event::OperatorRetry(item.order))?;
                    } else if chance(&mut op.rng, spec.offline_prob) {
                        let hours = spec.offline.sample(&mut op.rng);
                        self.operator_enqueue(p, item.order, Task::SettleOffline, hours)?;
                    } else {
                        self.lose(item.order, false);
                    }
                }
            }
        }
        self.operator_start(p)
    }

    // ---- endings ------------------------------------------------------------------------

    fn close(&mut self, key: OrderKey) {
        let now = self.now();
        let Some(o) = self.orders.remove(key) else { return };
        let on_time = now <= o.deadline;
        let cday = self.day_index(o.created);
        let day = self.day_index(now);
        let ps = &mut self.platforms[o.platform];
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
        if o.counted {
            let t = &mut ps.tally;
            t.closed += 1;
            if on_time {
                t.on_time += 1;
            }
            let sojourn = now.hours() - o.created.hours();
            t.sojourn.push(sojourn);
            t.sojourn_hist.push(sojourn);
        }
        if let Some(c) = &self.sc.citizens {
            let target = if on_time { 1.0 } else { c.late_target };
            self.learn(&o, target);
        }
    }

    fn lose(&mut self, key: OrderKey, offline: bool) {
        let now = self.now();
        let Some(o) = self.orders.remove(key) else { return };
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
    }

    fn deadline_passed(&mut self, key: OrderKey) {
        let Some(o) = self.orders.get_mut(key) else { return };
        o.overdue = true;
        let o = o.clone();
        let cday = self.day_index(o.created);
        let ps = &mut self.platforms[o.platform];
        ps.cohorts[cday].overdue += 1;
        ps.overdue += 1;
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

    // ---- days ---------------------------------------------------------------------------

    fn day_end(&mut self, d: u32) -> Result<(), PastSchedule> {
        let di = d as usize;
        let sc = self.sc;
        let capacity_per_staff = if sc.calendar.is_working_day(d) { sc.calendar.hours_per_day() } else { 0.0 };
        for (i, dept) in self.departments.iter_mut().enumerate() {
            let capacity = capacity_per_staff * dept.staff as f64;
            if let Some(r) = &sc.reengineering {
                if capacity > 0.0 {
                    dept.reengineer(r.learn, r.decay, capacity);
                }
            }
            let hours = dept.hours_today.total();
            self.dept_days[i][di] = DepartmentDay {
                queue: dept.queue.len() as u64,
                hours,
                utilisation: if capacity > 0.0 { hours / capacity } else { f64::NAN },
                r: dept.r,
            };
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
                    line_done: d.line_done,
                    line_late: d.line_late,
                    days,
                }
            })
            .collect();
        for (l, spec) in self.leaders.iter_mut().zip(&self.sc.leaders) {
            queues.push(QueueResult { name: format!("leader/{}", spec.id), little: l.stat.little(end) });
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
        }
    }
}
