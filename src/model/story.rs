//! What happens to a traced order, as data: one [`TraceEvent`] per step of its story. The world
//! records events; [`crate::output::story`] tells them in English or in Chinese.

use super::decision::{Sanctioner, TakeUp};
use super::leader::ItemKind;
use super::order::{Cause, Channel};
use crate::engine::time::SimTime;

/// Why a department refused or returned an order: the terms of its take-up decision.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Refusal {
    /// The decision's terms (load, consequence, cost, probability of keeping it).
    pub terms: TakeUp,
    /// Who would sanction the neglect.
    pub sanctioner: Sanctioner,
}

/// Who handled a leader's item: the leader, or the leader's deputy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handler {
    /// The leader's id.
    pub leader: String,
    /// Whether the deputy (without the leader's authority) handled it.
    pub deputy: bool,
}

/// One step of an order's story. Ids are the scenario's (departments, leaders, platforms).
#[derive(Clone, Debug, PartialEq)]
pub enum TraceEvent {
    /// The order arrives.
    Arrived {
        /// Its number in the run (1-based, in order of arrival).
        serial: u64,
        /// The platform.
        platform: String,
        /// How it came.
        channel: Channel,
        /// The village it came from, if known.
        village: Option<String>,
        /// What it is about, if known.
        category: Option<String>,
        /// Its deadline, if it has one.
        deadline: Option<SimTime>,
    },
    /// The demand is unreasonable or outside government remit (M15).
    Unreasonable,
    /// Screened out at intake (M15).
    Screened,
    /// Dispatched to its departments.
    Dispatched {
        /// With a leader's authority.
        authority: bool,
        /// The departments on its route.
        departments: Vec<String>,
    },
    /// A county line department: the township's authority does not reach it.
    OutsideReach {
        /// The department.
        department: String,
    },
    /// A department returns it (M10).
    Returned {
        /// The department.
        department: String,
        /// Why.
        why: Refusal,
    },
    /// The street blows the whistle: a district department is summoned (吹哨报到).
    Summoned {
        /// The district department.
        department: String,
        /// Hours it has to report.
        limit_hours: f64,
    },
    /// A summoned department reports after its time limit and is rebuked.
    ReportedLate {
        /// The district department.
        department: String,
        /// Hours from the summons to the start of its work.
        waited_hours: f64,
        /// Its time limit.
        limit_hours: f64,
    },
    /// A department starts work on its part.
    WorkStarts {
        /// The department.
        department: String,
        /// Hours of work.
        hours: f64,
    },
    /// A department finishes the redo the audit asked for.
    RedoFinished {
        /// The department.
        department: String,
    },
    /// A department finishes its part.
    PartFinished {
        /// The department.
        department: String,
    },
    /// A slipshod reply passes the audit (M9).
    SlipshodPasses,
    /// The reply fails the audit and must be redone (M9).
    AuditFailed {
        /// The lead department.
        department: String,
        /// Its load when it wrote the reply.
        load: f64,
        /// Its stress then.
        stress: f64,
        /// The probability that a reply fails at that load and stress.
        fail: f64,
    },
    /// Escalated to the county (M7).
    Escalated,
    /// It needs authority above the township, and the township cannot act.
    BeyondTownship,
    /// The county's answer.
    CountyDone {
        /// Whether the county resolved it.
        resolved: bool,
    },
    /// A leader's inbox is full: the deputy takes it (M13).
    DeputyTakes {
        /// The leader.
        leader: String,
    },
    /// It waits in a leader's inbox.
    Waits {
        /// The leader.
        leader: String,
        /// For what.
        kind: ItemKind,
    },
    /// A leader (or deputy) reviews it.
    Reviewed {
        /// Who.
        by: Handler,
        /// Hours spent.
        hours: f64,
    },
    /// A leader (or deputy) sends it back to the department.
    SentBack {
        /// Who.
        by: Handler,
    },
    /// A leader (or deputy) signs it off.
    SignedOff {
        /// Who.
        by: Handler,
        /// Hours spent.
        hours: f64,
    },
    /// The order is a repeat complaint (M16).
    Repeat,
    /// Closed in the system.
    Closed {
        /// Before its deadline.
        on_time: bool,
        /// Resolved.
        resolved: bool,
        /// The caller is satisfied.
        satisfied: bool,
        /// After the unit's persuasion (M11).
        persuaded: bool,
    },
    /// The caller will complain again (M16).
    WillComplain {
        /// In about this many days.
        days: f64,
    },
    /// The deadline passes with the order open.
    DeadlinePassed {
        /// Why it missed.
        cause: Cause,
    },
    /// The dispatch desk re-dispatches it.
    DeskRedispatches,
    /// The operator settles it offline (M3).
    SettledOffline,
    /// The operator negotiates it back to the department.
    OperatorRedispatches,
    /// The operator negotiates, and the departments take it up (M2).
    TakenUp,
    /// The operator negotiates, and a department refuses.
    Refused {
        /// The department.
        department: String,
        /// Which attempt.
        attempt: u32,
        /// Why.
        why: Refusal,
    },
    /// The operator gives up: the order is dropped.
    Dropped,
    /// A department weighed the order when a worker picked it up, and kept it.
    Weighed {
        /// The department.
        department: String,
        /// What it weighed.
        why: Refusal,
    },
    /// A department refused the order after the last return allowed: the order ends.
    RefusedForGood {
        /// The department.
        department: String,
        /// For lack of capacity (the department was full of the platform's own orders), not of
        /// authority.
        capacity: bool,
    },
}

impl TraceEvent {
    /// Whether the order's story ends here (closed, settled offline or dropped).
    pub fn ends(&self) -> bool {
        matches!(self, TraceEvent::Closed { .. } | TraceEvent::SettledOffline | TraceEvent::Dropped)
    }

    /// The order's number, if this is its arrival.
    pub fn arrival_serial(&self) -> Option<u64> {
        match self {
            TraceEvent::Arrived { serial, .. } => Some(*serial),
            _ => None,
        }
    }
}
