//! The life of one order, told as a story: for classes and for debugging.

use crate::model::world::{SimError, TraceLine, run_traced};
use crate::scenario::Scenario;

/// Why a trace cannot be told.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The run has fewer orders than the number asked for.
    #[error("order #{serial} never arrives: replication {replication} takes in {}", count(*seen))]
    NoSuchOrder {
        /// The order asked for.
        serial: u64,
        /// The replication.
        replication: u32,
        /// How many orders the run took in.
        seen: u64,
    },
    /// The run failed.
    #[error(transparent)]
    Run(#[from] SimError),
}

fn count(seen: u64) -> String {
    match seen {
        0 => "no orders at all".into(),
        1 => "1 order (number 1)".into(),
        n => format!("{n} orders (numbered 1 to {n})"),
    }
}

/// Runs replication `replication` and returns the story of order number `serial` (1-based, in
/// order of arrival across all platforms).
pub fn trace(sc: &Scenario, replication: u32, serial: u64) -> Result<Vec<TraceLine>, TraceError> {
    let out = run_traced(sc, replication, Some(serial))?;
    if serial == 0 || serial > out.orders_seen {
        return Err(TraceError::NoSuchOrder { serial, replication, seen: out.orders_seen });
    }
    Ok(out.trace)
}

/// The story as text, one line per step, with elapsed time since arrival.
pub fn tell(lines: &[TraceLine]) -> String {
    let Some(first) = lines.first() else { return String::new() };
    let mut s = String::new();
    for l in lines {
        let elapsed = l.at.hours() - first.at.hours();
        s.push_str(&format!("{:<15} +{:>7.1} h  {}\n", l.at.to_string(), elapsed, l.what));
    }
    if let Some(last) = lines.last() {
        if !last.what.starts_with("closed") && !last.what.contains("offline") && !last.what.contains("dropped") {
            s.push_str("(still open when the run ends)\n");
        }
    }
    s
}
