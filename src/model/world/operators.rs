//! Operators: negotiation without authority (M2) and offline settlement (M3).

use super::*;

impl World<'_> {
    pub(super) fn operator_enqueue(
        &mut self,
        p: PlatformId,
        key: OrderKey,
        task: Task,
        hours: f64,
    ) -> Result<(), PastSchedule> {
        let now = self.now();
        let op = self.platforms[p].operator.as_mut().expect("operator platforms have an operator");
        op.stat.enter(now);
        op.queue.push_back(OperatorItem { order: key, task, queued_at: now, hours });
        self.operator_start(p)
    }

    pub(super) fn operator_start(&mut self, p: PlatformId) -> Result<(), PastSchedule> {
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

    pub(super) fn operator_rng(&mut self, p: PlatformId) -> &mut SimRng {
        &mut self.platforms[p].operator.as_mut().expect("operator platforms have an operator").rng
    }

    /// The departments on an order's route decide whether to take it up from the operator;
    /// returns the first that refused, with the terms of its decision.
    fn negotiate(&mut self, p: PlatformId, key: OrderKey) -> Option<(DeptId, decision::TakeUp)> {
        let sc = self.sc;
        let h = sc.calendar.hours_per_day();
        let o = self.orders.get(key)?;
        let consequence = self.order_consequence(p, false, o.label);
        let (outside, serial) = (o.above_township, o.serial);
        let mut refusal = None;
        for i in 0..o.route.len() {
            let o = self.orders.get(key).expect("open");
            let (d, effort) = (o.route[i], o.efforts[i]);
            let load = self.departments[d].load();
            // The city's rules (a ranking, a summons) stand behind the order in negotiation too.
            let consequence = self.rules_consequence(p, d, o.route[0], o.label, consequence);
            let t = decision::take_up(&sc.decisions, consequence, effort, h, load, outside);
            let keep = chance(self.operator_rng(p), t.p_keep);
            if !keep && refusal.is_none() {
                refusal = Some((d, t));
            }
            if keep && self.trace_serial == Some(serial) {
                let why = self.explain_refusal(p, key, d, &t);
                let department = sc.departments[d].id.clone();
                self.note(serial, || TraceEvent::Weighed { department, why });
            }
        }
        refusal
    }

    pub(super) fn operator_done(&mut self, p: PlatformId) -> Result<(), PastSchedule> {
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
                self.note(serial, || TraceEvent::SettledOffline);
                self.lose(item.order, true)?;
            }
            Task::Redispatch(part) => {
                self.note(serial, || TraceEvent::OperatorRedispatches);
                self.send_part(item.order, part)?;
            }
            Task::Negotiate => {
                // Every department on the route decides for itself (decision model); the order
                // goes ahead only if all of them take it up. Each decision draws one number.
                let refusal = self.negotiate(p, item.order);
                if refusal.is_none() {
                    self.note(serial, || TraceEvent::TakenUp);
                    self.send_to_departments(item.order, false)?;
                } else if let Some(o) = self.orders.get_mut(item.order) {
                    o.attempts += 1;
                    o.stage = Stage::Refused;
                    let attempts = o.attempts;
                    if let (Some((d, t)), true) = (refusal, self.trace_serial == Some(serial)) {
                        let why = self.explain_refusal(p, item.order, d, &t);
                        let department = self.sc.departments[d].id.clone();
                        self.note(serial, || TraceEvent::Refused { department, attempt: attempts, why });
                    }
                    if attempts < spec.max_attempts {
                        let retry = self.sc.calendar.deadline(now, spec.retry_days);
                        self.at(retry, Event::OperatorRetry(item.order))?;
                    } else if chance(self.operator_rng(p), spec.offline_prob) {
                        let hours = spec.offline.sample(self.operator_rng(p));
                        self.operator_enqueue(p, item.order, Task::SettleOffline, hours)?;
                    } else {
                        self.note(serial, || TraceEvent::Dropped);
                        self.lose(item.order, false)?;
                    }
                }
            }
        }
        self.operator_start(p)
    }
}
