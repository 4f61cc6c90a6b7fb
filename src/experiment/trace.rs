//! The life of one order, told as a story: for classes and for debugging.

use crate::model::world::{SimError, TraceLine, run_traced, run_traced_from};
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
    /// No order arrived on the platform from that day on.
    #[error("no order arrives on {platform} from day {day} to the end of replication {replication}")]
    NoneAfter {
        /// The platform.
        platform: String,
        /// The day.
        day: u32,
        /// The replication.
        replication: u32,
    },
    /// The scenario has no such platform.
    #[error("unknown platform \"{0}\"")]
    NoSuchPlatform(String),
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

/// Runs replication `replication` and returns the serial number and story of the first order that
/// arrives on platform `platform` on day `day` or later.
pub fn trace_from(
    sc: &Scenario,
    replication: u32,
    platform: &str,
    day: u32,
) -> Result<(u64, Vec<TraceLine>), TraceError> {
    let p = sc
        .platforms
        .iter()
        .position(|x| x.id == platform)
        .ok_or_else(|| TraceError::NoSuchPlatform(platform.into()))?;
    let out = run_traced_from(sc, replication, p, day as f64)?;
    let serial =
        out.trace.first().and_then(|l| l.what.strip_prefix("order #")).and_then(|r| r.split(' ').next()?.parse().ok());
    match serial {
        Some(n) => Ok((n, out.trace)),
        None => Err(TraceError::NoneAfter { platform: platform.into(), day, replication }),
    }
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
