//! Departments at work (M2, M5, M6, M8, M10, M12, M14), then audit (M9), escalation (M7) and sign-off.

use super::*;

impl World<'_> {
    /// What a department observes of who stands behind an order of platform `p` dispatched with
    /// or without authority.
    fn backing(&self, p: PlatformId, authority: bool) -> decision::Backing {
        let spec = &self.sc.platforms[p];
        decision::Backing {
            authority,
            centre: matches!(spec.dispatch, Dispatch::Centre),
            signed_off: spec.sign_off.is_some(),
            assessed: spec.assessment.is_some() || spec.appraised,
        }
    }

    /// Who stands behind an order of platform `p` dispatched with or without authority.
    pub(super) fn sanctioner(&self, p: PlatformId, authority: bool) -> decision::Sanctioner {
        decision::order_sanctioner(self.backing(p, authority))
    }

    /// The consequence of an order's work at department `d`, and whether the dispatcher's
    /// authority reaches `d`: a township leader's stops at the township (county line
    /// departments owe it nothing); a command centre's reaches both.
    pub(super) fn consequence_at(
        &self,
        p: PlatformId,
        d: DeptId,
        authority: bool,
        label: Label,
        consequence: f64,
    ) -> (f64, bool) {
        let reaches = !self.sc.departments[d].county || matches!(self.sc.platforms[p].dispatch, Dispatch::Centre);
        if reaches {
            return (consequence, true);
        }
        // Neither the leader's dispatch nor her sign-off reaches a county department.
        let unled = decision::Backing { signed_off: false, ..self.backing(p, false) };
        (decision::consequence(&self.sc.decisions, decision::order_sanctioner(unled), label), !authority)
    }

    /// The consequence of neglecting an order of platform `p` (decision model).
    pub(super) fn order_consequence(&self, p: PlatformId, authority: bool, label: Label) -> f64 {
        let c = decision::consequence(&self.sc.decisions, self.sanctioner(p, authority), label);
        // A leader's authority that rests on the person fades after the person leaves.
        match (&self.sc.turnover, &self.sc.platforms[p].dispatch) {
            (Some(t), Dispatch::Leader { leader, .. }) if authority && t.leader == Some(*leader) => {
                c * self.reform_strength()
            }
            _ => c,
        }
    }

    pub(super) fn send_to_departments(&mut self, key: OrderKey, authority: bool) -> Result<(), PastSchedule> {
        let now = self.now();
        let Some(o) = self.orders.get(key) else { return Ok(()) };
        let consequence = self.order_consequence(o.platform, authority, o.label);
        let o = self.orders.get_mut(key).expect("open");
        o.authority = authority;
        o.consequence = consequence;
        o.dispatched_at = Some(now);
        let (p, counted, created, serial, parts) = (o.platform, o.counted, o.created, o.serial, o.route.len());
        let day = self.day_index(now);
        let (ps, days) = (&mut self.platforms[p], &mut self.days);
        days.at(p, day).dispatched += 1;
        if counted {
            ps.tally.dispatched += 1;
            ps.tally.dispatch.push(now.hours() - created.hours());
        }
        if self.trace_serial == Some(serial) {
            let sc = self.sc;
            let o = self.orders.get(key).expect("open");
            let departments = o.route.iter().map(|&d| sc.departments[d].id.clone()).collect();
            self.note(serial, || TraceEvent::Dispatched { authority, departments });
        }
        for i in 0..parts {
            self.send_part(key, i)?;
        }
        Ok(())
    }

    /// Queues part `part` of an order at its department.
    pub(super) fn send_part(&mut self, key: OrderKey, part: usize) -> Result<(), PastSchedule> {
        let now = self.now();
        let Some(o) = self.orders.get(key) else { return Ok(()) };
        let (p, d) = (o.platform, o.route[part]);
        // A township leader's authority stops at the township: a county line department (条)
        // owes it nothing (看得见的管不着). A command centre's dispatch reaches both.
        let (consequence, reaches) = self.consequence_at(p, d, o.authority, o.label, o.consequence);
        let consequence = self.rules_consequence(p, d, o.route[0], o.label, consequence);
        // A summons is counted when the order is dispatched, not again when a part sent back
        // is dispatched anew.
        let summoned = self.summoned(d, o.route[0]) && o.dispatched_at == Some(now);
        if summoned {
            let (counted, serial) = (o.counted, o.serial);
            if counted {
                self.platforms[p].tally.summons += 1;
            }
            let sc = self.sc;
            let limit_hours = sc.whistle.as_ref().map_or(0.0, |w| w.report_hours);
            self.note(serial, || TraceEvent::Summoned { department: sc.departments[d].id.clone(), limit_hours });
        }
        let Some(o) = self.orders.get(key) else { return Ok(()) };
        let outside = o.authority && !reaches;
        if outside && self.trace_serial == Some(o.serial) {
            let (serial, department) = (o.serial, self.sc.departments[d].id.clone());
            self.note(serial, || TraceEvent::OutsideReach { department });
        }
        let o = self.orders.get_mut(key).expect("open");
        o.stage = Stage::Departments;
        o.weakest = o.weakest.min(consequence);
        let effort = o.efforts[part];
        let job = Job {
            consequence,
            deadline: o.deadline,
            seq: 0,
            queued_at: now,
            kind: JobKind::Part { order: key, platform: p, part },
            effort,
            started: SimTime::ZERO,
            started_worked: 0.0,
            speed: 1.0,
            pressed: o.authority && reaches && o.deadline.is_finite(),
            counted: o.counted,
        };
        let seq = self.next_seq();
        self.department_enqueue(d, Job { seq, ..job })
    }

    pub(super) fn department_enqueue(&mut self, d: DeptId, job: Job) -> Result<(), PastSchedule> {
        let now = self.now();
        let dept = &mut self.departments[d];
        dept.stat.enter(now);
        if dept.queue.is_empty() && dept.has_free_worker() {
            // Pushed, it would be popped straight back (the only job waiting): the same job, and
            // the queue as before (empty, with no waiting hours).
            return self.department_start_with(d, Some(job));
        }
        dept.push(job);
        self.department_start(d)
    }

    /// The hours a job needs at department `d` now, by kind, and, when the department returns it
    /// instead of working it (M10), the terms of that decision.
    ///
    /// The flag tells a worked part of an order without overtime: hours of four kinds only (see
    /// [`Hours::add_part`]).
    pub(super) fn job_hours(&mut self, d: DeptId, job: &Job) -> (Hours, Option<(decision::TakeUp, bool)>, bool) {
        let sc = self.sc;
        let (effort_cut, coord_cut) =
            sc.reengineering.as_ref().map_or((0.0, 0.0), |r| (r.effort_cut, r.coordination_cut));
        let r = self.departments[d].r;
        let mut hours = Hours::default();
        let mut decided = None;
        match job.kind {
            JobKind::LineTask => hours.line_tasks = job.effort,
            JobKind::Return { .. } => unreachable!("a job becomes a return only when it starts"),
            JobKind::Persuasion { .. } => hours.persuasion = job.effort,
            JobKind::Redo { .. } => hours.redo = job.effort,
            JobKind::RootCause { .. } => hours.prevention = job.effort,
            // A part of an order that has ended meanwhile (another part refused for good) is put
            // aside at no cost.
            JobKind::Part { order, .. } if self.orders.get(order).is_none() => {}
            JobKind::Part { order, platform, .. } => {
                let spec = &sc.platforms[platform];
                let (k, authority, unreasonable, outside) =
                    self.orders.get(order).map_or((1, false, false, false), |o| {
                        (o.route.len(), o.authority, o.unreasonable, o.above_township && !o.resolved_above)
                    });
                // One decision on every path (decision model): the department keeps the order or
                // sends it back to whoever dispatched it. An operator's order was decided in its
                // negotiation, unless a return right lets the department send it back too.
                let negotiated = matches!(spec.dispatch, Dispatch::Operator(_)) && spec.returns.is_none();
                if !negotiated && decision::decides(sc, d, platform) {
                    let load = self.departments[d].load();
                    let t = decision::take_up(
                        &sc.decisions,
                        job.consequence,
                        job.effort,
                        sc.calendar.hours_per_day(),
                        load,
                        outside,
                    );
                    let kept = chance(self.rare(platform, Rare::Returns), t.p_keep);
                    if !kept {
                        hours.returns = self.return_limit(platform).1;
                    }
                    decided = Some((t, kept));
                }
                if decided.is_none_or(|(_, kept)| kept) {
                    let work = job.effort * (1.0 - effort_cut * r);
                    if unreasonable {
                        hours.unreasonable = work;
                    } else {
                        hours.substantive = work;
                    }
                    let authority_factor = decision::coordination_factor(&sc.decisions, authority);
                    hours.coordination =
                        spec.coordination_hours * (k as f64 - 1.0) * (1.0 - coord_cut * r) * authority_factor;
                    hours.documentation = spec.documentation_hours;
                }
            }
        }
        // M12: stress slows all work down.
        let dept = &self.departments[d];
        if let Some(st) = &sc.departments[d].stress {
            hours = hours.scaled(dept.slowdown(st.slowdown, st.form));
        }
        // M12: on an overtime day, the share of the work done beyond normal hours is overtime.
        let overtime = dept.overtime_today > 0.0;
        if overtime {
            let share = dept.overtime_today / (sc.calendar.hours_per_day() + dept.overtime_today);
            let total = hours.total();
            hours = hours.scaled(1.0 - share);
            hours.overtime = total * share;
        }
        let returned = decided.is_some_and(|(_, kept)| !kept);
        let part = matches!(job.kind, JobKind::Part { .. }) && !returned && !overtime;
        (hours, decided, part)
    }

    pub(super) fn department_start(&mut self, d: DeptId) -> Result<(), PastSchedule> {
        // Nothing to start (a job's end that leaves the queue empty, about half the calls): the
        // loop below would pop nothing; return before its set-up (the clock, the day, the pop).
        let dept = &self.departments[d];
        if dept.queue.is_empty() || !dept.has_free_worker() {
            return Ok(());
        }
        self.department_start_with(d, None)
    }

    /// Starts waiting jobs while workers are free, `first` (a job that did not need to queue)
    /// before the queue's.
    fn department_start_with(&mut self, d: DeptId, first: Option<Job>) -> Result<(), PastSchedule> {
        let now = self.now();
        let warm = now >= self.warmup;
        let day = self.day_index(now);
        // `first` is only given when a worker is free (see `department_enqueue`): it starts
        // before the queue's jobs, as the loop's first pop would have taken it.
        if let Some(job) = first {
            self.start_job(d, job, now, warm, day)?;
        }
        while self.departments[d].has_free_worker() {
            let Some(job) = self.departments[d].pop() else { break };
            self.start_job(d, job, now, warm, day)?;
        }
        Ok(())
    }

    /// A worker of department `d` takes up `job` at `now` (day `day`; `warm`: after warm-up):
    /// its hours are booked and its end scheduled.
    #[inline]
    fn start_job(&mut self, d: DeptId, mut job: Job, now: SimTime, warm: bool, day: usize) -> Result<(), PastSchedule> {
        let sc = self.sc;
        let dept = &mut self.departments[d];
        dept.stat.leave(now, job.queued_at);
        dept.busy += 1;
        let (hours, decided, part) = self.job_hours(d, &job);
        let returned = decided.filter(|&(_, kept)| !kept).map(|(t, _)| t);
        // Hours are booked by kind four times below; a worked part books its four kinds only
        // (the same sums, see `Hours::add_part`).
        let add = |to: &mut Hours, h: &Hours| if part { to.add_part(h) } else { to.add(h) };
        let total = hours.total();
        let platform = job.kind.platform();
        let dept = &mut self.departments[d];
        add(&mut dept.hours_today, &hours);
        dept.book_claim(platform, job.consequence, total, self.days_ended, super::causes::ALPHA);
        if let (true, Some(p)) = (job.pressed, platform) {
            dept.book_pressed(p, total);
        }
        // A department's own totals count the hours worked after warm-up, whatever the
        // job's age; a platform's totals (below) count the hours its counted orders took.
        if warm {
            add(&mut dept.hours, &hours);
        }
        if let Some(platform) = platform {
            let (ps, days) = (&mut self.platforms[platform], &mut self.days);
            *crate::model::sorted::slot(&mut ps.hours_by_dept, d) += total;
            let today = days.at(platform, day);
            today.hours += total;
            today.burden += hours.burden();
            if part {
                // Kinds 0, 1, 2 and 7 of `Hours::KINDS`: the others are zero on a part.
                let k = &mut today.kinds;
                k[0] += hours.substantive;
                k[1] += hours.coordination;
                k[2] += hours.documentation;
                k[7] += hours.unreasonable;
            } else {
                for (k, h) in today.kinds.iter_mut().zip(hours.kinds()) {
                    *k += h;
                }
            }
            if job.counted {
                add(&mut ps.tally.hours, &hours);
            }
        }
        if let JobKind::Part { order, platform, part } = job.kind {
            let started = sc.calendar.next_working(now);
            let ps = &mut self.platforms[platform];
            let mut serial = 0;
            if let Some(o) = self.orders.get_mut(order) {
                serial = o.serial;
                if o.work_started.is_none() && returned.is_none() {
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
            if returned.is_none() && sc.whistle.is_some() {
                // A summons runs from the order's dispatch: sending it back and taking it
                // again does not restart the clock.
                let summons = self.orders.get(order).map(|o| (o.route[0], o.dispatched_at.unwrap_or(job.queued_at)));
                if let Some((_, since)) = summons.filter(|&(lead, _)| self.summoned(d, lead)) {
                    self.summons_answered(d, &job, platform, serial, since);
                }
            }
            if let Some(t) = returned {
                job.kind = JobKind::Return { order, platform, part };
                if self.trace_serial == Some(serial) {
                    let why = self.explain_refusal(platform, order, d, &t);
                    self.note(serial, || TraceEvent::Returned { department: sc.departments[d].id.clone(), why });
                }
            } else {
                if let (Some((t, _)), true) = (decided, self.trace_serial == Some(serial)) {
                    let why = self.explain_refusal(platform, order, d, &t);
                    self.note(serial, || TraceEvent::Weighed { department: sc.departments[d].id.clone(), why });
                }
                self.note(serial, || TraceEvent::WorkStarts { department: sc.departments[d].id.clone(), hours: total });
            }
        }
        let overtime = self.departments[d].overtime_today;
        // No overtime (the usual day): speed 1 and the work as it is, without two divisions
        // (the same values: 0 / h = 0 and x / 1 = x for a working day's h > 0).
        let plain = overtime == 0.0 && sc.calendar.hours_per_day() > 0.0;
        let speed = if plain { 1.0 } else { 1.0 + overtime / sc.calendar.hours_per_day() };
        // The clock's reading at the start serves the end too (the busy hours it measures).
        let started_worked = sc.calendar.worked_before(now);
        let done = sc.calendar.advance_from(now, started_worked, if plain { total } else { total / speed });
        job.started = now;
        job.started_worked = started_worked;
        job.speed = speed;
        let slot = self.in_service.put(job);
        self.at(done, Event::DeptDone(d, slot))
    }

    pub(super) fn department_done(&mut self, d: DeptId, job: Job) -> Result<(), PastSchedule> {
        let now = self.now();
        let sc = self.sc;
        let dept = &mut self.departments[d];
        dept.busy -= 1;
        if job.started >= self.warmup {
            let worked = sc.calendar.worked_before(now) - job.started_worked;
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
            JobKind::RootCause { category } => self.root_cause_done(category, job.counted),
            JobKind::Redo { order, .. } => {
                let serial = self.serial_of(order);
                self.note(serial, || TraceEvent::RedoFinished { department: sc.departments[d].id.clone() });
                if self.orders.get(order).is_some() {
                    self.work_finished(order)?;
                }
            }
            JobKind::Return { order, platform, part } => {
                let Some(o) = self.orders.get_mut(order) else { return self.department_start(d) };
                if o.refused_for_good {
                    // Another part was refused for good meanwhile: the order is ending already.
                    return self.department_start(d);
                }
                o.returns += 1;
                o.stage = Stage::Returned;
                let (first, returns, serial) = (o.returns == 1, o.returns, o.serial);
                if o.counted {
                    let t = &mut self.platforms[platform].tally;
                    t.return_events += 1;
                    t.returned += first as u64;
                }
                if returns > self.return_limit(platform).0 {
                    // The last refusal: nobody makes the department take it, so the order ends
                    // the way a failed negotiation ends: for lack of authority, unless the
                    // department is full (load at least 1) and its time goes to this platform's
                    // own orders: then for lack of capacity, as a missed deadline would be.
                    let dept = &self.departments[d];
                    // Its whole time counts here, line tasks too: a load of other work is what
                    // the order lacked the authority to displace.
                    let share = dept.own_share(platform, f64::NEG_INFINITY, self.days_ended, super::causes::ALPHA);
                    let capacity = dept.load() >= decision::FULL_LOAD && share >= sc.regimes.capacity_share;
                    self.orders.get_mut(order).expect("open").refused_for_capacity = capacity;
                    self.note(serial, || TraceEvent::RefusedForGood {
                        department: sc.departments[d].id.clone(),
                        capacity,
                    });
                    self.end_refused(platform, order)?;
                    return self.department_start(d);
                }
                // The dispatcher spends time sending it again: the operator, the leader, the desk,
                // or, for a routing table without a desk, the table after a delay.
                match &sc.platforms[platform].dispatch {
                    Dispatch::Operator(_) => {
                        let hours = self.orders.get(order).map_or(0.0, |o| o.negotiate_hours);
                        self.operator_enqueue(platform, order, Task::Redispatch(part), hours)?;
                    }
                    Dispatch::Leader { leader, .. } => {
                        let hours = self.orders.get(order).map_or(0.0, |o| o.review_hours);
                        self.leader_enqueue(*leader, order, ItemKind::Redispatch(part), hours)?;
                    }
                    Dispatch::Auto | Dispatch::Centre if sc.platforms[platform].desk.is_some() => {
                        self.desk_enqueue(platform, order, DeskTask::Redispatch(part))?
                    }
                    Dispatch::Auto | Dispatch::Centre => {
                        let at = sc.calendar.deadline(self.now(), sc.decisions.refusals.reroute_days);
                        self.at(at, Event::Reroute(order, part as u32))?;
                    }
                }
            }
            JobKind::Part { order, .. } => {
                let JobKind::Part { part, .. } = job.kind else { unreachable!() };
                let finished = match self.orders.get_mut(order) {
                    Some(o) => {
                        o.parts_done |= 1u64 << part;
                        o.parts_left -= 1;
                        o.parts_left == 0
                    }
                    None => false,
                };
                let serial = self.serial_of(order);
                self.note(serial, || TraceEvent::PartFinished { department: sc.departments[d].id.clone() });
                if finished {
                    self.work_finished(order)?;
                }
            }
        }
        self.department_start(d)
    }

    pub(super) fn line_task(&mut self, d: DeptId) -> Result<(), PastSchedule> {
        let lt = self.sc.departments[d].line_tasks.as_ref().expect("line task events need line_tasks");
        let gap = exp_gap(&mut self.line_rngs[d].0, lt.rate_per_day / HOURS_PER_DAY);
        self.after_hours(gap, Event::LineTask(d))?;
        let now = self.now();
        let effort = lt.effort.sample(&mut self.line_rngs[d].1);
        let seq = self.next_seq();
        let who = if lt.veto { decision::Sanctioner::Veto } else { decision::Sanctioner::LineTask };
        let job = Job {
            consequence: decision::consequence(&self.sc.decisions, who, Label::Routine),
            deadline: lt.deadline_days.map_or(SimTime::NEVER, |x| self.sc.calendar.deadline(now, x)),
            seq,
            queued_at: now,
            kind: JobKind::LineTask,
            effort,
            started: SimTime::ZERO,
            started_worked: 0.0,
            speed: 1.0,
            pressed: false,
            counted: now >= self.warmup,
        };
        self.department_enqueue(d, job)
    }

    /// How many times platform `p`'s orders may be sent back before a refusal ends them, and the
    /// hours sending one back costs a department: its return right, else the scenario's default.
    pub(super) fn return_limit(&self, p: PlatformId) -> (u32, f64) {
        match &self.sc.platforms[p].returns {
            Some(r) => (r.max_returns, r.department_hours),
            None => (self.sc.decisions.refusals.max_returns, self.sc.decisions.refusals.department_hours),
        }
    }

    /// An order refused for the last time ends: an operator settles it offline (its own chance,
    /// in its own time) or drops it; another dispatcher settles it offline with the scenario's
    /// chance or drops it.
    pub(super) fn end_refused(&mut self, p: PlatformId, key: OrderKey) -> Result<(), PastSchedule> {
        let serial = self.serial_of(key);
        // Its other parts still waiting elsewhere are withdrawn: nobody will work them now.
        let now = self.now();
        if let Some(o) = self.orders.get_mut(key) {
            o.refused_for_good = true;
            let route = o.route.clone();
            for &d in route.iter() {
                self.departments[d].withdraw_order(key, now);
            }
        }
        if let Dispatch::Operator(spec) = &self.sc.platforms[p].dispatch {
            if chance(self.operator_rng(p), spec.offline_prob) {
                let hours = spec.offline.sample(self.operator_rng(p));
                return self.operator_enqueue(p, key, Task::SettleOffline, hours);
            }
            self.note(serial, || TraceEvent::Dropped);
            return self.lose(key, false);
        }
        let prob = self.sc.decisions.refusals.offline_prob;
        let offline = chance(self.rare(p, Rare::Returns), prob);
        self.note(serial, || if offline { TraceEvent::SettledOffline } else { TraceEvent::Dropped });
        self.lose(key, offline)
    }

    /// Why a department refused or returned an order (for the trace).
    pub(super) fn explain_refusal(&self, p: PlatformId, key: OrderKey, d: DeptId, t: &decision::TakeUp) -> Refusal {
        let authority = self.orders.get(key).is_some_and(|o| o.authority);
        let lead = self.orders.get(key).map_or(d, |o| o.route[0]);
        let sanctioner = self.rules_sanctioner(p, d, lead).unwrap_or_else(|| self.sanctioner(p, authority));
        Refusal { terms: *t, sanctioner }
    }

    /// All parts done: audit (M9), escalation (M7), then sign-off or closure.
    pub(super) fn work_finished(&mut self, key: OrderKey) -> Result<(), PastSchedule> {
        let sc = self.sc;
        let Some(o) = self.orders.get(key) else { return Ok(()) };
        let (p, lead, serial) = (o.platform, o.route[0], o.serial);
        if let Some(a) = &sc.platforms[p].audit {
            // Reply quality follows the lead department's load and stress when it replies.
            let dept = &self.departments[lead];
            let load = dept.load();
            let weakest = self.orders.get(key).map_or(0.0, |o| o.weakest);
            let fail = decision::reply_failure(&sc.decisions, load, dept.stress, weakest);
            let rng = self.rare(p, Rare::Audit);
            let slipshod = chance(rng, fail);
            // The audit checks form; a shortcut it misses closes the order unresolved.
            let caught = slipshod && (a.catch >= 1.0 || chance(rng, a.catch));
            if slipshod && !caught {
                self.orders.get_mut(key).expect("open").slipshod = true;
                self.note(serial, || TraceEvent::SlipshodPasses);
            }
            if caught {
                let o = self.orders.get_mut(key).expect("open");
                let first = !o.redone;
                o.redone = true;
                o.stage = Stage::Redo;
                let (effort, counted, deadline, authority, label, consequence) =
                    (o.efforts[0] * a.redo_effort_share, o.counted, o.deadline, o.authority, o.label, o.consequence);
                // The redo is the lead department's: the same jurisdiction as its first part.
                let (consequence, reaches) = self.consequence_at(p, lead, authority, label, consequence);
                let consequence = self.rules_consequence(p, lead, lead, label, consequence);
                if counted && first {
                    self.platforms[p].tally.redone += 1;
                }
                let stress = self.departments[lead].stress;
                self.note(serial, || TraceEvent::AuditFailed {
                    department: sc.departments[lead].id.clone(),
                    load,
                    stress,
                    fail,
                });
                let seq = self.next_seq();
                let job = Job {
                    consequence,
                    deadline,
                    seq,
                    queued_at: self.now(),
                    kind: JobKind::Redo { order: key, platform: p },
                    effort: effort + sc.platforms[p].documentation_hours,
                    started: SimTime::ZERO,
                    started_worked: 0.0,
                    speed: 1.0,
                    pressed: authority && reaches && deadline.is_finite(),
                    counted,
                };
                return self.department_enqueue(lead, job);
            }
        }
        let o = self.orders.get(key).expect("open");
        if o.above_township && !o.resolved_above {
            let counted = o.counted;
            if let Some(county) = &sc.county {
                if chance(self.rare(p, Rare::County), county.escalate_prob) {
                    self.orders.get_mut(key).expect("open").stage = Stage::County;
                    if counted {
                        self.platforms[p].tally.escalated += 1;
                    }
                    self.note(serial, || TraceEvent::Escalated);
                    let delay = if county.delay_days > 0.0 {
                        exp_gap(self.rare(p, Rare::County), 1.0 / (county.delay_days * HOURS_PER_DAY))
                    } else {
                        0.0
                    };
                    return self.after_hours(delay, Event::CountyDone(key));
                }
                self.note(serial, || TraceEvent::BeyondTownship);
            }
        }
        self.finalize(key)
    }

    pub(super) fn county_done(&mut self, key: OrderKey) -> Result<(), PastSchedule> {
        let Some(o) = self.orders.get(key) else { return Ok(()) };
        let p = o.platform;
        let county = self.sc.county.as_ref().expect("escalations need [county]");
        let ok = chance(self.rare(p, Rare::County), county.resolve_prob);
        let o = self.orders.get_mut(key).expect("open");
        o.resolved_above = ok;
        let serial = o.serial;
        self.note(serial, || TraceEvent::CountyDone { resolved: ok });
        self.finalize(key)
    }

    /// Sign-off, if the platform requires it, else closure.
    pub(super) fn finalize(&mut self, key: OrderKey) -> Result<(), PastSchedule> {
        let Some(o) = self.orders.get(key) else { return Ok(()) };
        let (p, hours, resolved) = (o.platform, o.sign_off_hours, resolvable(o));
        match &self.sc.platforms[p].sign_off {
            Some((leader, _)) => {
                self.orders.get_mut(key).expect("open").stage = Stage::SignOff;
                self.leader_enqueue(*leader, key, ItemKind::SignOff, hours)
            }
            None => self.close(key, resolved),
        }
    }
}
