//! The life of one order, told as a story: for classes and for debugging.

use crate::model::world::{SimError, TraceLine, run_traced, run_traced_from};
use crate::output::story::{self, Lang};
use crate::scenario::Scenario;
use crate::scenario::display::Names;

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
    #[error("unknown platform \"{name}\" ({hint})")]
    NoSuchPlatform {
        /// The name given.
        name: String,
        /// The platforms there are, and the nearest.
        hint: String,
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

/// Runs replication `replication` and returns the serial number and story of the first order that
/// arrives on platform `platform` on day `day` or later.
pub fn trace_from(
    sc: &Scenario,
    replication: u32,
    platform: &str,
    day: u32,
    stop_at: Option<std::time::Instant>,
) -> Result<(u64, Vec<TraceLine>), TraceError> {
    let p = sc.platforms.iter().position(|x| x.id == platform).ok_or_else(|| {
        let ids: Vec<String> = sc.platforms.iter().map(|x| x.id.clone()).collect();
        let mut hint = format!("platforms: {}", ids.join(", "));
        if let Some(n) = crate::scenario::overrides::nearest(platform, ids.iter()) {
            hint.push_str(&format!("; did you mean `{n}`?"));
        }
        TraceError::NoSuchPlatform { name: platform.into(), hint }
    })?;
    let out = run_traced_from(sc, replication, p, day as f64, stop_at)?;
    match out.trace.first().and_then(|l| l.event.arrival_serial()) {
        Some(n) => Ok((n, out.trace)),
        None => Err(TraceError::NoneAfter { platform: platform.into(), day, replication }),
    }
}

/// Whether the order is still open at the end of the run: nothing in its story ends it.
pub fn still_open(lines: &[TraceLine]) -> bool {
    !lines.iter().any(|l| l.event.ends())
}

/// The story as text in `lang`, one line per step, with elapsed time since arrival; entities
/// are called by their display names in `names`.
pub fn tell_in(lines: &[TraceLine], lang: Lang, names: &Names) -> String {
    let Some(first) = lines.first() else { return String::new() };
    let mut s = String::new();
    for l in lines {
        let elapsed = l.at.hours() - first.at.hours();
        let at = story::time(l.at, lang);
        s.push_str(&format!("{at:<15} +{elapsed:>7.1} h  {}\n", story::tell_event(&l.event, lang, names)));
    }
    if still_open(lines) {
        s.push_str(match lang {
            Lang::En => "(still open when the run ends)\n",
            Lang::Zh => "（运行结束时仍未办结）\n",
        });
    }
    s
}

/// The story as text in English with ids, as `embedsim trace` prints it for a scenario without
/// display names.
pub fn tell(lines: &[TraceLine]) -> String {
    tell_in(lines, Lang::En, &Names::default())
}
