//! How orders end: closure with a rating (M11), loss, repeats (M16), deadlines and trust (M4).

use super::*;

/// What an order's ending needs of its record, copied out of the slab before the order is
/// closed in place (a few fields, not the whole record).
#[derive(Clone, Copy)]
pub(super) struct Ending {
    pub serial: u64,
    pub platform: PlatformId,
    pub channel: Channel,
    pub village: Option<VillageId>,
    pub category: Option<CategoryId>,
    pub created: SimTime,
    pub deadline: SimTime,
    pub counted: bool,
    pub consequence: f64,
    /// The lead department (the route's first).
    pub lead: DeptId,
    pub work_started: Option<SimTime>,
    pub overdue: bool,
    pub county: bool,
    pub unreasonable: bool,
    pub refused_for_capacity: bool,
}

impl Ending {
    #[inline]
    fn of(o: &Order) -> Ending {
        Ending {
            serial: o.serial,
            platform: o.platform,
            channel: o.channel,
            village: o.village,
            category: o.category,
            created: o.created,
            deadline: o.deadline,
            counted: o.counted,
            consequence: o.consequence,
            lead: o.route[0],
            work_started: o.work_started,
            overdue: o.overdue,
            county: o.county,
            unreasonable: o.unreasonable,
            refused_for_capacity: o.refused_for_capacity,
        }
    }
}

impl World<'_> {
    pub(super) fn close(&mut self, key: OrderKey, resolved: bool) -> Result<(), PastSchedule> {
        let now = self.now();
        let Some(o) = self.orders.get(key).map(Ending::of) else { return Ok(()) };
        self.orders.discard(key);
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
        // Gaming follows the pressure the lead unit is under: its last score against the
        // assessment's target, or against what it took to leave the ranking's bottom band.
        let gaming = match &spec.assessment {
            Some(a) => Some((
                decision::persuasion(&sc.decisions, ps.scores[o.lead], a.target),
                a.persuasion_success,
                a.persuasion_hours,
            )),
            None => self.ranking_gaming(p, o.lead),
        };
        let (ps, days) = (&mut self.platforms[p], &mut self.days);
        if let Some((p_persuade, success, _)) = gaming {
            if !satisfied && chance(&mut ps.rating_rng, p_persuade) {
                persuade = true;
                satisfied = chance(&mut ps.rating_rng, success);
            }
        }
        let responded = o.work_started.is_some_and(|t| t <= o.deadline);
        ps.open -= 1;
        ps.cohorts.update(cday, |c| {
            c.closed += 1;
            c.on_time += on_time as u64;
            c.overdue -= o.overdue as u64;
        });
        if o.overdue {
            ps.overdue -= 1;
        }
        let today = days.at(p, day);
        today.closed += 1;
        today.on_time += on_time as u64;
        let unit = &mut ps.period[o.lead];
        unit.0 += 1;
        unit.1 += resolved as u64;
        unit.2 += satisfied as u64;
        if o.counted {
            let t = &mut ps.tally;
            t.closed += 1;
            t.on_time += on_time as u64;
            t.resolved += resolved as u64;
            t.resolved_on_time += (resolved && on_time) as u64;
            if o.county && resolved {
                t.county_resolved += 1;
                t.county_sojourn.push(now.hours() - o.created.hours());
            }
            t.satisfied += satisfied as u64;
            t.persuasions += persuade as u64;
            t.responded += responded as u64;
            let sojourn = now.hours() - o.created.hours();
            t.sojourn.push(sojourn);
            t.sojourn_hist.push(sojourn);
        }
        self.note(o.serial, || TraceEvent::Closed { on_time, resolved, satisfied, persuaded: persuade });
        self.rank_closure(&o, responded, resolved, satisfied);
        if persuade {
            if let Some((_, _, hours)) = gaming {
                let seq = self.next_seq();
                // A persuasion call is due now, at the weight the assessment gives the order.
                let job = Job {
                    consequence: o.consequence,
                    deadline: now,
                    seq,
                    queued_at: now,
                    kind: JobKind::Persuasion { platform: p },
                    effort: hours,
                    started: SimTime::ZERO,
                    started_worked: 0.0,
                    speed: 1.0,
                    pressed: false,
                    counted: o.counted,
                };
                self.department_enqueue(o.lead, job)?;
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

    pub(super) fn lose(&mut self, key: OrderKey, offline: bool) -> Result<(), PastSchedule> {
        let now = self.now();
        let Some(o) = self.orders.get(key).map(Ending::of) else { return Ok(()) };
        self.orders.discard(key);
        let cday = self.day_index(o.created);
        let day = self.day_index(now);
        let ps = &mut self.platforms[o.platform];
        ps.open -= 1;
        ps.cohorts.update(cday, |c| {
            c.lost += 1;
            c.overdue -= o.overdue as u64;
            c.lost_late += o.overdue as u64;
            c.lost_capacity += (o.refused_for_capacity && !o.overdue) as u64;
        });
        if o.overdue {
            ps.overdue -= 1;
        }
        self.days.at(o.platform, day).lost += 1;
        let ps = &mut self.platforms[o.platform];
        if o.counted {
            if offline {
                ps.tally.offline += 1;
            } else {
                ps.tally.dropped += 1;
            }
        }
        // The ranking scores every order dispatched to a unit: one that ends without a reply
        // (refused for good, dropped) counts as neither answered nor resolved nor satisfying.
        self.rank_closure(&o, false, false, false);
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
    pub(super) fn maybe_repeat(&mut self, o: &Ending) -> Result<(), PastSchedule> {
        let Some((prob, delay_days)) = self.sc.platforms[o.platform].repeat else { return Ok(()) };
        let rng = self.rare(o.platform, Rare::Repeat);
        if chance(rng, prob) {
            let delay = if delay_days > 0.0 { exp_gap(rng, 1.0 / (delay_days * HOURS_PER_DAY)) } else { 0.0 };
            self.note(o.serial, || TraceEvent::WillComplain { days: delay / 24.0 });
            self.after_hours(delay, Event::Repeat(Box::new((o.platform, o.channel, o.village, o.category))))?;
        }
        Ok(())
    }

    pub(super) fn deadline_passed(&mut self, key: OrderKey) {
        // Most deadlines find their order closed long ago.
        if !self.orders.is_open(key) {
            return;
        }
        let Some(o) = self.orders.get(key) else { return };
        let cause = self.cause_of_miss(o);
        let o = self.orders.get_mut(key).expect("open");
        o.overdue = true;
        o.missed = Some(cause);
        let o = Ending::of(o);
        let cday = self.day_index(o.created);
        let ps = &mut self.platforms[o.platform];
        ps.cohorts.update(cday, |c| {
            c.overdue += 1;
            match cause {
                Cause::Capacity => c.missed_capacity += 1,
                Cause::Authority => c.missed_authority += 1,
            }
        });
        if o.counted {
            match cause {
                Cause::Capacity => ps.tally.missed_capacity += 1,
                Cause::Authority => ps.tally.missed_authority += 1,
            }
        }
        ps.overdue += 1;
        self.note(o.serial, || TraceEvent::DeadlinePassed { cause });
        // Ignored past its deadline: the citizen's trust falls now, whatever comes later.
        self.learn(&o, 0.0);
    }

    /// M4: citizens who reported an issue update their village's trust in the platform.
    pub(super) fn learn(&mut self, o: &Ending, target: f64) {
        let (Some(c), Channel::Citizen, Some(v)) = (&self.sc.citizens, o.channel, o.village) else { return };
        if c.learning_rate > 0.0 {
            self.villages[v].learn(self.sc, o.platform, c.learning_rate, target);
        }
    }
}
