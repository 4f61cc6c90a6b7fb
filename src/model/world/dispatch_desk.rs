//! The dispatch desk of an auto-dispatched platform (M10: re-dispatching returned orders).

use super::*;

impl World<'_> {
    pub(super) fn desk_enqueue(&mut self, p: PlatformId, key: OrderKey, task: DeskTask) -> Result<(), PastSchedule> {
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

    pub(super) fn desk_start(&mut self, p: PlatformId) -> Result<(), PastSchedule> {
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
            self.at(done, Event::DeskDone(p, Box::new(item)))?;
        }
        Ok(())
    }

    pub(super) fn desk_done(&mut self, p: PlatformId, item: DeskItem) -> Result<(), PastSchedule> {
        self.platforms[p].desk.as_mut().expect("desk tasks need a desk").busy -= 1;
        match item.task {
            DeskTask::Dispatch => {
                // A command centre's dispatch carries authority; an ordinary desk's does not.
                let authority = matches!(self.sc.platforms[p].dispatch, Dispatch::Centre);
                self.send_to_departments(item.order, authority)?
            }
            DeskTask::Redispatch(part) => {
                let serial = self.serial_of(item.order);
                self.note(serial, || TraceEvent::DeskRedispatches);
                self.send_part(item.order, part)?;
            }
        }
        self.desk_start(p)
    }
}
