//! Leaders' inboxes (M1) and deputies (M13).

use super::*;

impl World<'_> {
    pub(super) fn leader_enqueue(
        &mut self,
        l: LeaderId,
        key: OrderKey,
        kind: ItemKind,
        hours: f64,
    ) -> Result<(), PastSchedule> {
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
            self.note(serial, || TraceEvent::DeputyTakes { leader: sc.leaders[l].id.clone() });
            return self.deputy_start(l);
        }
        let leader = &mut self.leaders[l];
        leader.stat.enter(now);
        // An idle leader with an empty inbox would pop the item straight back: served at once.
        let direct = leader.inbox.is_empty() && leader.current.is_none() && leader.clock.hours_per_day() > 0.0;
        if !direct {
            leader.inbox.push(item);
        }
        self.note(serial, || TraceEvent::Waits { leader: sc.leaders[l].id.clone(), kind });
        self.leader_start_with(l, direct.then_some(item))
    }

    pub(super) fn leader_start(&mut self, l: LeaderId) -> Result<(), PastSchedule> {
        self.leader_start_with(l, None)
    }

    /// Starts the leader's next item: `first`, an item that did not need to wait, or the inbox's.
    fn leader_start_with(&mut self, l: LeaderId, first: Option<Item>) -> Result<(), PastSchedule> {
        let now = self.now();
        let leader = &mut self.leaders[l];
        let Some(done) = serve_next(leader, now, first) else { return Ok(()) };
        self.at(done, Event::LeaderDone(l))
    }

    pub(super) fn deputy_start(&mut self, l: LeaderId) -> Result<(), PastSchedule> {
        let now = self.now();
        let deputy = self.deputies[l].as_mut().expect("deputy events need a deputy");
        let Some(done) = serve_next(deputy, now, None) else { return Ok(()) };
        self.at(done, Event::DeputyDone(l))
    }

    pub(super) fn leader_done(&mut self, l: LeaderId) -> Result<(), PastSchedule> {
        let item = self.leaders[l].current.take().expect("LeaderDone with an item in hand");
        self.item_done(l, item, true)?;
        self.leader_start(l)
    }

    pub(super) fn deputy_done(&mut self, l: LeaderId) -> Result<(), PastSchedule> {
        let deputy = self.deputies[l].as_mut().expect("deputy events need a deputy");
        let item = deputy.current.take().expect("DeputyDone with an item in hand");
        self.item_done(l, item, false)?;
        self.deputy_start(l)
    }

    pub(super) fn item_done(&mut self, l: LeaderId, item: Item, authority: bool) -> Result<(), PastSchedule> {
        let sc = self.sc;
        // The handler's name is cloned only for the traced order's story.
        let who = || Handler { leader: sc.leaders[l].id.clone(), deputy: !authority };
        let serial = self.serial_of(item.order);
        match item.kind {
            ItemKind::Review => {
                self.note(serial, || TraceEvent::Reviewed { by: who(), hours: item.hours });
                self.send_to_departments(item.order, authority)
            }
            ItemKind::Redispatch(part) => {
                self.note(serial, || TraceEvent::SentBack { by: who() });
                if let Some(o) = self.orders.get_mut(item.order) {
                    o.authority |= authority;
                }
                self.send_part(item.order, part)
            }
            ItemKind::SignOff => {
                self.note(serial, || TraceEvent::SignedOff { by: who(), hours: item.hours });
                let resolved = self.orders.get(item.order).is_some_and(resolvable);
                self.close(item.order, resolved)
            }
        }
    }
}

/// Starts the next inbox item of a leader or deputy (`first`, when given, is one that did not need
/// to wait: the leader is idle and the inbox empty); returns when it will be done.
fn serve_next(leader: &mut Leader, now: SimTime, first: Option<Item>) -> Option<SimTime> {
    if leader.current.is_some() || leader.clock.hours_per_day() <= 0.0 {
        return None;
    }
    let item = match first {
        Some(item) => item,
        None => leader.inbox.pop()?,
    };
    leader.stat.leave(now, item.queued_at);
    leader.attend(item.platform, item.hours);
    leader.current = Some(item);
    Some(leader.clock.advance(now, item.hours))
}
