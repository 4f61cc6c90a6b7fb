//! Departments at work (M2, M5, M6, M8, M10, M12, M14), then audit (M9), escalation (M7) and sign-off.

use super::*;

impl World<'_> {
    pub(super) fn rank_of(&self, p: PlatformId, authority: bool, label: Label) -> Rank {
        match (&self.sc.platforms[p].dispatch, authority, label) {
            (_, true, Label::Petition) => Rank::Top,
            (_, true, Label::Routine) => Rank::Authority,
            (Dispatch::Operator(_), false, _) => Rank::Negotiated,
            _ => Rank::Routine,
        }
    }

    pub(super) fn send_to_departments(&mut self, key: OrderKey, authority: bool) -> Result<(), PastSchedule> {
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
    pub(super) fn send_part(&mut self, key: OrderKey, part: usize) -> Result<(), PastSchedule> {
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

    pub(super) fn department_enqueue(&mut self, d: DeptId, job: Job) -> Result<(), PastSchedule> {
        let now = self.now();
        let dept = &mut self.departments[d];
        dept.stat.enter(now);
        dept.queue.push(job);
        self.department_start(d)
    }

    /// The hours a job needs at department `d` now, by kind, and whether it is a return.
    pub(super) fn job_hours(&mut self, d: DeptId, job: &Job) -> (Hours, bool) {
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

    pub(super) fn department_start(&mut self, d: DeptId) -> Result<(), PastSchedule> {
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

    pub(super) fn department_done(&mut self, d: DeptId, job: Job) -> Result<(), PastSchedule> {
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

    pub(super) fn line_task(&mut self, d: DeptId) -> Result<(), PastSchedule> {
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
    pub(super) fn work_finished(&mut self, key: OrderKey) -> Result<(), PastSchedule> {
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

    pub(super) fn county_done(&mut self, key: OrderKey) -> Result<(), PastSchedule> {
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
    pub(super) fn finalize(&mut self, key: OrderKey) -> Result<(), PastSchedule> {
        let Some(o) = self.orders.get(key) else { return Ok(()) };
        let (p, hours, resolved) = (o.platform, o.sign_off_hours, resolvable(o));
        match &self.sc.platforms[p].sign_off {
            Some((leader, _)) => self.leader_enqueue(*leader, key, ItemKind::SignOff, hours),
            None => self.close(key, resolved),
        }
    }
}
