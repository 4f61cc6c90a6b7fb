//! Intake (M4, M15, M17): issues arising in villages, grid patrols, and new orders on a platform.

use super::*;

impl World<'_> {
    pub(super) fn village_issue(&mut self, v: VillageId) -> Result<(), PastSchedule> {
        let rate = self.sc.villages[v].issue_rate_per_day() / HOURS_PER_DAY;
        let gap = exp_gap(&mut self.villages[v].issue_rng, rate);
        self.after_hours(gap, Event::VillageIssue(v))?;
        let day = self.day_index(self.now());
        self.town[day].issues += 1;
        let cat = self.village_mix[v].draw(&mut self.villages[v].category_rng);
        let spec = self.sc.citizens.as_ref().expect("validated: villages have [citizens]");
        let rewarded = self.sc.points.as_ref().filter(|pt| pt.rewards(&self.sc.categories[cat]));
        let boost = rewarded.map_or(0.0, |pt| pt.report_boost);
        let choice = self.villages[v].choose(self.sc, &self.sc.layout.village_channels[v], spec, boost);
        // Volunteer stewards (积分) fix a share of the rewarded issues on the spot, before anyone
        // reports them. One draw per issue whenever [points] is present keeps the stream aligned.
        if let Some(pt) = &self.sc.points {
            let fixed = chance(&mut self.villages[v].points_rng, pt.volunteer_share);
            if fixed && rewarded.is_some() {
                self.town[day].volunteer_resolved += 1;
                return Ok(());
            }
        }
        match choice {
            Choice::Platform(p) => self.report(p, Channel::Citizen, v, cat)?,
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

    pub(super) fn grid_report(&mut self, v: VillageId, c: CategoryId) -> Result<(), PastSchedule> {
        let g = self.sc.grid.as_ref().expect("grid reports come from [grid]");
        if chance(&mut self.villages[v].grid_rng, g.in_scope_share) {
            let day = self.day_index(self.now());
            self.town[day].grid_resolved += 1;
            return Ok(());
        }
        // The ladder's second rung: the village cadres confirm and close what is theirs.
        if let Some(share) = g.village_share {
            if chance(&mut self.villages[v].village_rng, share) {
                let day = self.day_index(self.now());
                self.town[day].village_resolved += 1;
                return Ok(());
            }
        }
        let targets: Vec<PlatformId> =
            self.sc.layout.village_grid[v].iter().copied().filter(|&p| !self.sc.platforms[p].disabled).collect();
        if self.now() >= self.warmup {
            self.grid_entry_hours += g.entry_hours * targets.len() as f64;
        }
        for p in targets {
            self.report(p, Channel::Grid, v, c)?;
        }
        Ok(())
    }

    /// Schedules platform `p`'s next sensor event, if it has sensors.
    pub(super) fn schedule_sensor(&mut self, p: PlatformId) -> Result<(), PastSchedule> {
        let rate = self.sc.platforms[p].sensors.as_ref().map_or(0.0, |s| s.rate_per_day) / HOURS_PER_DAY;
        if rate > 0.0 {
            let gap = exp_gap(self.rare(p, Rare::Sensors), rate);
            self.after_hours(gap, Event::Sensor(p))?;
        }
        Ok(())
    }

    /// A sensor fires: an order straight onto platform `p`, from a village drawn by population
    /// with that village's category mix (or the platform's own mix without villages). Nobody
    /// chose a channel and no relay carries it; all draws are on the platform's sensor streams.
    pub(super) fn sensor_event(&mut self, p: PlatformId) -> Result<(), PastSchedule> {
        self.schedule_sensor(p)?;
        let (streams, spec) = (self.streams, &self.sc.platforms[p]);
        let ps = &mut self.platforms[p];
        let (ids, weights) = &ps.sensor_villages;
        let village = if ids.is_empty() {
            None
        } else {
            let total = weights.iter().sum();
            Some(ids[weighted_index(ps.rare.get(Rare::Sensors, &streams, &spec.id), weights, total)])
        };
        let mix = match village {
            Some(v) if self.village_mix[v].total > 0.0 => &self.village_mix[v],
            _ => &self.platform_mix[p],
        };
        let category =
            if mix.total > 0.0 { Some(mix.draw(ps.rare.get(Rare::Sensors, &streams, &spec.id))) } else { None };
        self.take_in(p, Channel::Sensor, village, category)
    }

    /// A village's or grid worker's report to platform `p`: straight in, or through the
    /// platform's human relays, each of which takes time and may lose it (paper 002).
    pub(super) fn report(
        &mut self,
        p: PlatformId,
        channel: Channel,
        v: VillageId,
        c: CategoryId,
    ) -> Result<(), PastSchedule> {
        let Some(relays) = &self.sc.platforms[p].relays else {
            return self.take_in(p, channel, Some(v), Some(c));
        };
        let rng = self.rare(p, Rare::Relays);
        let (mut delay, mut lost) = (0.0, false);
        for _ in 0..relays.steps {
            if relays.delay_days > 0.0 {
                delay += exp_gap(rng, 1.0 / (relays.delay_days * HOURS_PER_DAY));
            }
            lost |= chance(rng, relays.loss);
        }
        if lost {
            if self.now() >= self.warmup {
                let county = self.categories[c].county;
                let t = &mut self.platforms[p].tally;
                t.relay_lost += 1;
                t.relay_lost_county += county as u64;
            }
            return Ok(());
        }
        self.after_hours(delay, Event::Relayed(Box::new((p, channel, v, c))))
    }

    /// A new order on platform `p`.
    pub(super) fn take_in(
        &mut self,
        p: PlatformId,
        channel: Channel,
        village: Option<VillageId>,
        category: Option<CategoryId>,
    ) -> Result<(), PastSchedule> {
        self.take_in_order(p, channel, village, category).map(|_| ())
    }

    /// A new order on platform `p`; returns its key while it is still open.
    pub(super) fn take_in_order(
        &mut self,
        p: PlatformId,
        channel: Channel,
        village: Option<VillageId>,
        category: Option<CategoryId>,
    ) -> Result<Option<OrderKey>, PastSchedule> {
        let (sc, streams) = (self.sc, self.streams);
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
        // 接诉即办: most contacts are inquiries the hotline answers itself; only requests
        // become orders. Drawn only when the platform has inquiries.
        if spec.inquiry_share > 0.0 && chance(ps.rare.get(Rare::Inquiry, &streams, &spec.id), spec.inquiry_share) {
            if now >= self.warmup {
                ps.tally.inquiries += 1;
            }
            return Ok(None);
        }
        // A platform with a route of its own, or the category its issue is of.
        let source = match spec.route.as_ref().zip(spec.effort.as_ref()) {
            Some(own) => Ok(own),
            None => Err(category.unwrap_or_else(|| self.platform_mix[p].draw(&mut ps.category_rng))),
        };
        let category = match source {
            Ok(_) => category,
            Err(c) => Some(c),
        };
        // 未诉先办: root-cause work may have kept this issue from arising at all.
        if let Some(c) = category.filter(|_| self.proactive.is_some()) {
            if self.prevented(c) {
                if now >= self.warmup {
                    self.platforms[p].tally.prevented += 1;
                }
                return Ok(None);
            }
        }
        let facts = category.map(|c| &self.categories[c]);
        let (route, effort_dist, county) = match source {
            Ok((r, e)) => (Parts::from(&r[..]), e, r.iter().any(|&d| sc.departments[d].county)),
            Err(c) => {
                let f = &self.categories[c];
                (f.route.clone(), &f.effort, f.county)
            }
        };
        let ps = &mut self.platforms[p];
        // Village-raised orders draw efforts from the village's stream, so a platform's own
        // intake and citizens' choices do not shift each other's numbers.
        let effort_rng = match (channel, village) {
            (Channel::Sensor, _) => ps.rare.get(Rare::SensorEffort, &streams, &spec.id),
            (Channel::Direct, _) | (_, None) => &mut ps.effort_rng,
            (_, Some(v)) => &mut self.villages[v].effort_rng,
        };
        let efforts: Parts<f64> = Parts::from_fn(route.len(), || effort_dist.sample(effort_rng));
        let (review_hours, negotiate_hours) = match &spec.dispatch {
            Dispatch::Leader { review, .. } => (review.sample(ps.rare.get(Rare::Review, &streams, &spec.id)), 0.0),
            Dispatch::Operator(o) => (0.0, o.review.sample(ps.rare.get(Rare::Review, &streams, &spec.id))),
            Dispatch::Auto | Dispatch::Centre => (0.0, 0.0),
        };
        let sign_off_hours =
            spec.sign_off.as_ref().map_or(0.0, |(_, d)| d.sample(ps.rare.get(Rare::SignOff, &streams, &spec.id)));
        let unreasonable = facts.is_some_and(|f| !f.reasonable)
            || (spec.unreasonable_share > 0.0
                && chance(ps.rare.get(Rare::Demand, &streams, &spec.id), spec.unreasonable_share));
        let screened = unreasonable
            && spec.screening_prob > 0.0
            && chance(ps.rare.get(Rare::Demand, &streams, &spec.id), spec.screening_prob);
        let above_township = facts.is_some_and(|f| f.above_township);
        let (deadline, tier) = if spec.urgency.is_empty() {
            (spec.deadline_days.map_or(SimTime::NEVER, |d| sc.calendar.deadline(now, d)), 0)
        } else {
            // Tiered limits run on the clock, not on working days: a 2-hour limit is 2 hours.
            let ps = &mut self.platforms[p];
            let total = ps.urgency_shares.iter().sum();
            let tier = weighted_index(ps.rare.get(Rare::Urgency, &streams, &spec.id), &ps.urgency_shares, total);
            (SimTime::from_hours(now.hours() + spec.urgency[tier].1), tier)
        };
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
            consequence: 0.0,
            stage: Stage::Dispatch,
            parts_done: 0,
            missed: None,
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
            slipshod: false,
            county,
            delegated: false,
            refused_for_capacity: false,
            refused_for_good: false,
            weakest: f64::INFINITY,
        };
        let key = self.orders.insert(order);
        let day = self.day_index(now);
        let (ps, days) = (&mut self.platforms[p], &mut self.days);
        ps.open += 1;
        ps.cohorts.update(day, |c| c.arrived += 1);
        days.at(p, day).arrivals += 1;
        if counted {
            let t = &mut ps.tally;
            t.arrived += 1;
            t.by_channel[channel as usize] += 1;
            t.unreasonable += unreasonable as u64;
            t.county_cases += county as u64;
            t.above_township += above_township as u64;
        }
        let serial = self.serial;
        if self.trace_pick.is_some_and(|(pick, from)| pick == p && now >= from) {
            self.trace_serial = Some(serial);
            self.trace_pick = None;
        }
        self.note(serial, || TraceEvent::Arrived {
            serial,
            platform: spec.id.clone(),
            channel,
            village: village.map(|v| sc.villages[v].id.clone()),
            category: category.map(|c| sc.categories[c].id.clone()),
            deadline: deadline.is_finite().then_some(deadline),
        });
        if unreasonable {
            self.note(serial, || TraceEvent::Unreasonable);
        }
        // No deadline, no timer: an event at infinity would sit in the heap for the whole run.
        if deadline.is_finite() {
            // One lane per limit: deadlines a fixed span after arrival come in arrival order, so
            // they wait in a deque, not in the heap (same order of events).
            let lane = self.platforms[p].deadline_lane + tier as u32;
            self.q.schedule_in_lane(lane, deadline, Event::Deadline(key))?;
        }
        if screened {
            self.note(serial, || TraceEvent::Screened);
            self.close(key, false)?;
            if counted {
                self.platforms[p].tally.screened += 1;
            }
            return Ok(None);
        }
        match &spec.dispatch {
            Dispatch::Centre => self.desk_enqueue(p, key, DeskTask::Dispatch)?,
            Dispatch::Auto => match &spec.desk {
                Some(_) => self.desk_enqueue(p, key, DeskTask::Dispatch)?,
                None => self.send_to_departments(key, false)?,
            },
            Dispatch::Leader { leader, .. } => self.leader_enqueue(*leader, key, ItemKind::Review, review_hours)?,
            Dispatch::Operator(_) => self.operator_enqueue(p, key, Task::Negotiate, negotiate_hours)?,
        }
        Ok(self.orders.get(key).map(|_| key))
    }
}
