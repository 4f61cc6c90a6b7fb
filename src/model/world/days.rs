//! Periodic work: assessment (M11), the daily update (M5, M12, regimes), and the run's end.

use super::*;

impl World<'_> {
    /// M11: at the end of an assessment period each unit is scored on the platform's orders it
    /// led (mean of its resolution and satisfaction rates); a unit under target carries a
    /// penalty (stress pressure) through the next period, a unit at or above target sheds it.
    pub(super) fn assessment_end(&mut self, p: PlatformId) -> Result<(), PastSchedule> {
        let a = self.sc.platforms[p].assessment.as_ref().expect("assessment events need an assessment");
        let ps = &mut self.platforms[p];
        for (d, unit) in ps.period.iter_mut() {
            let (closed, resolved, satisfied) = *unit;
            if closed > 0 {
                let score = (resolved + satisfied) as f64 / (2 * closed) as f64;
                self.departments[d].penalty = if score < a.target { a.penalty } else { 0.0 };
                ps.scores[d] = Some(score);
            }
            *unit = (0, 0, 0);
        }
        self.after_hours(a.period_days * HOURS_PER_DAY, Event::AssessmentEnd(p))
    }

    // ---- days ---------------------------------------------------------------------------

    pub(super) fn day_end(&mut self, d: u32) -> Result<(), PastSchedule> {
        let di = d as usize;
        let sc = self.sc;
        let working = sc.calendar.is_working_day(d);
        let capacity_per_staff = if working { sc.calendar.hours_per_day() } else { 0.0 };
        let now = self.now();
        for (i, dept) in self.departments.iter_mut().enumerate() {
            let spec = &sc.departments[i];
            let capacity = capacity_per_staff * dept.staff as f64;
            if let Some(r) = &sc.reengineering {
                if capacity > 0.0 {
                    dept.reengineer(r.learn, r.decay, capacity);
                }
            }
            // M14: the county takes back line tasks left untouched long past their deadline.
            if let (true, Some(after)) = (working, spec.line_tasks.as_ref().and_then(|l| l.escalate_after_days)) {
                if !dept.queue.is_empty() {
                    let (taken, counted) = dept.escalate_overdue_line_tasks(now, after, &sc.calendar);
                    dept.line_escalated += counted;
                    dept.rebuke += taken as f64 * crate::scenario::LINE_TASK_ESCALATION_REBUKE;
                }
            }
            let backlog = dept.queue.len() as f64 / dept.staff as f64;
            if let Some(st) = &spec.stress {
                if working {
                    let overtime = if dept.overtime_today > 0.0 { 0.25 } else { 0.0 };
                    let pressure = backlog / st.backlog_per_staff + dept.penalty + overtime + dept.rebuke;
                    dept.update_stress(st.build, st.recover, pressure);
                }
            }
            if working {
                dept.update_load(sc.calendar.hours_per_day());
                dept.rebuke *= 0.5;
            }
            let hours = dept.hours_today.total();
            debug_assert!(!self.keep_all_days || self.dept_days[i].len() == di, "a department's days end in order");
            if !self.keep_all_days {
                self.dept_days[i].clear();
            }
            self.dept_days[i].push(DepartmentDay {
                queue: dept.queue.len() as u64,
                hours,
                utilisation: if capacity > 0.0 { hours / capacity } else { f64::NAN },
                r: dept.r,
                stress: dept.stress,
                staff: dept.staff,
            });
            // Overtime decided tonight applies to work started tomorrow (next working day).
            if working || dept.overtime_today > 0.0 {
                dept.overtime_today = match &spec.overtime {
                    Some(o) if backlog > o.backlog_per_staff => o.hours_per_day,
                    _ => 0.0,
                };
            }
            dept.hours_today = Hours::default();
            dept.pressed_hours_today.clear();
        }
        // Departments fold this day's hours into their time profiles when next booked or read.
        self.days_ended = d + 1;
        self.smooth_leader_profiles(working);
        self.proactive_relapse();
        self.pool_day_end(d)?;
        if working {
            self.attrition_day_end(d)?;
        }
        let mut attention = vec![0.0; sc.platforms.len()];
        for (i, leader) in self.leaders.iter_mut().enumerate() {
            // In platform order from +0: the sum over every platform, whose others add zeros.
            let mut today = 0.0;
            for (p, a) in &mut leader.attention {
                today += a.today;
                attention[*p] += a.today;
                a.today = 0.0;
            }
            let deputy_inbox = self.deputies[i].as_ref().map_or(0, |d| d.inbox.len() as u64);
            if !self.keep_all_days {
                self.leader_days[i].clear();
            }
            self.leader_days[i].push(LeaderDay { inbox: leader.inbox.len() as u64, hours: today, deputy_inbox });
        }
        for deputy in self.deputies.iter_mut().flatten() {
            deputy.attention.iter_mut().for_each(|(_, a)| a.today = 0.0);
        }
        let n_villages = self.villages.len();
        for (p, ps) in self.platforms.iter_mut().enumerate() {
            let weight: f64 = ps.hours_by_dept.iter().map(|x| x.1).sum();
            // Both views of R, weighted by the hours its orders took: all of it, and the part
            // that its own orders drove (which decides "reengineered").
            let (weighted_r, own_r) = if weight > 0.0 {
                let depts = &self.departments;
                let (all, own) = ps
                    .hours_by_dept
                    .iter()
                    .fold((0.0, 0.0), |(a, o), &(d, h)| (a + h * depts[d].r, o + h * depts[d].r_of(p)));
                (all / weight, own / weight)
            } else {
                (0.0, 0.0)
            };
            // Mean trust over the villages that can reach the platform: all of them for a shared
            // platform, its own township's for a township's platform.
            let (sum, n) = ps
                .trust_villages
                .iter()
                .fold((0.0, 0usize), |(s, n), &v| (s + self.villages[v].trust_in(sc, p), n + 1));
            let trust = if n_villages > 0 && n > 0 { sum / n as f64 } else { f64::NAN };
            let days = self.days.end_day(p, |day| {
                day.open = ps.open;
                day.overdue = ps.overdue;
                day.attention = attention[p];
                day.trust = trust;
                day.weighted_r = weighted_r;
                day.own_r = own_r;
            });
            ps.regimes.track_usage(d, &mut ps.cohorts, &sc.regimes);
            if d + 1 >= sc.regimes.window_days {
                let r = ps.regimes.update(d, &mut ps.cohorts, days, &sc.regimes);
                self.days.set_regime(p, r);
            }
            if di as f64 >= sc.simulation.warmup_days {
                ps.attention_hours += attention[p];
            }
        }
        self.days.next_day();
        // A lean run lets go of the records no verdict will read again.
        if let Some(from) = self.days.due_to_let_go() {
            for (p, ps) in self.platforms.iter_mut().enumerate() {
                ps.regimes.settle_before(self.days.history(p), from, &sc.regimes);
            }
            self.days.let_go(from);
        }
        if let Some(f) = self.on_day.as_mut() {
            let figures = DayFigures {
                day: di,
                platforms: &self.platforms,
                days: &self.days,
                leaders: &self.leader_days,
                departments: &self.dept_days,
            };
            if !f(d, &figures) {
                self.stopped = Some(d);
            }
        }
        if self.stop_at.is_some_and(|t| std::time::Instant::now() >= t) {
            self.stopped = Some(d);
        }
        if (d as usize) + 1 < self.town.len() {
            self.at(SimTime::from_days(d as f64 + 2.0), Event::DayEnd(d + 1))?;
        }
        Ok(())
    }

    pub(super) fn finish(mut self) -> RunOutput {
        let reform_strength_end = self.reform_strength();
        let mut open_end = vec![0u64; self.sc.platforms.len()];
        let mut overdue_end = vec![0u64; self.sc.platforms.len()];
        for o in self.orders.iter().filter(|o| o.counted) {
            open_end[o.platform] += 1;
            if o.overdue {
                overdue_end[o.platform] += 1;
            }
        }
        let end = self.end;
        // Days that never ended (the run's last, partial day) keep what they counted.
        let n_days = self.town.len();
        if self.keep_all_days {
            for days in &mut self.dept_days {
                days.resize(n_days, DepartmentDay::default());
            }
            for days in &mut self.leader_days {
                days.resize(n_days, LeaderDay::default());
            }
        } else {
            self.dept_days.iter_mut().for_each(Vec::clear);
            self.leader_days.iter_mut().for_each(Vec::clear);
        }
        let histories = self.days.finish(n_days, self.sc.regimes.window_days as usize);
        let working_hours = self.sc.calendar.worked_before(end) - self.sc.calendar.worked_before(self.warmup);
        let mut queues = Vec::new();
        let departments = self
            .departments
            .iter_mut()
            .zip(&self.sc.departments)
            .zip(self.dept_days)
            .map(|((d, spec), days)| {
                queues.push(QueueResult { name: format!("department/{}", spec.id), little: d.stat.little(end) });
                // Own staff: with pooling, lent and borrowed workers come and go.
                let capacity = working_hours * spec.staff as f64;
                DepartmentResult {
                    hours: d.hours,
                    utilisation: if capacity > 0.0 { d.hours.total() / capacity } else { f64::NAN },
                    r_end: d.r,
                    stress_end: d.stress,
                    busy_hours: d.busy_hours,
                    line_done: d.line_done,
                    line_late: d.line_late,
                    line_escalated: d.line_escalated,
                    staff_left: d.left,
                    staff_end: d.staff,
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
        // Each platform's state is read where it lies (a few of its fields), not moved whole: in a
        // world of thousands of platforms that would copy every one (7 KB each) through the cache.
        let platforms = self
            .platforms
            .iter_mut()
            .zip(&self.sc.platforms)
            .zip(histories)
            .enumerate()
            .map(|(i, ((ps, spec), days))| {
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
                    tally: std::mem::take(&mut ps.tally),
                    open_end: open_end[i],
                    overdue_end: overdue_end[i],
                    attention_hours: ps.attention_hours,
                    operator_hours,
                    days: days.days,
                    trail: days.trail,
                    last_day: days.last,
                    last_window_kinds: days.tail_kinds,
                    regimes: std::mem::take(&mut ps.regimes),
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
            pool_moves: self.pool.as_ref().map_or(0, |p| p.moves),
            pool_worker_days: self.pool.as_ref().map_or(0.0, |p| p.worker_days),
            reform_strength_end,
            ranking: self.ranking.map_or_else(Vec::new, |r| r.history),
            root_causes_done: self.proactive.as_ref().map_or(0, |p| p.done),
        }
    }
}
