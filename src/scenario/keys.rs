//! Every key of the scenario format, for `embedsim keys`: its type and range as the validator
//! itself states them, its default, and one line of meaning.
//!
//! The keys come from [`REFERENCE`], a scenario that sets every key once. The type and range of
//! each are not written here: they are read from the validator, by putting a value at the key
//! that no range allows and taking the validator's words for it (the same words `check` gives),
//! so they cannot drift from what the validator accepts. What is written here is the meaning and
//! the default; `tests/keys.rs` checks that every key of [`REFERENCE`] has a line here and the
//! reverse, that every stated default loads the same scenario as leaving the key out, and that
//! every stated range holds at both ends and fails just outside them.

use super::{ScenarioError, load_table};

/// A scenario that sets every key of the format once (it runs; its values mean nothing).
pub const REFERENCE: &str = include_str!("../../scenarios/reference/every-key.toml");

/// Tables whose keys are names the scenario chooses; shown as `<id>` in key patterns.
pub const NAMED: [&str; 7] =
    ["departments", "platforms", "leaders", "villages", "categories", "templates", "townships"];

/// One key: its pattern (`departments.<id>.staff`), the concrete path it was read at, what kind
/// of value it takes, its range in the validator's words, its default and its meaning.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key with chosen names as `<id>` and array items as `[]`.
    pub pattern: String,
    /// The path in the scenario it was read from (segments; array items by index).
    pub path: Vec<Segment>,
    /// "whole number", "number", "true/false", "text", "list", ...
    pub kind: &'static str,
    /// What the validator expects, e.g. "a whole number from 1 to 100000"; empty when any value
    /// of the kind is accepted.
    pub range: String,
    /// The default when the key is left out: a value, "required", or "none" (the feature is off).
    pub default: &'static str,
    /// One line of meaning.
    pub meaning: &'static str,
    /// The value the scenario read sets there, as TOML.
    pub value: String,
}

/// One step of a key's path.
#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// A table key.
    Key(String),
    /// An array item.
    Item(usize),
}

/// The keys `table` sets, in its order, one per pattern, with type and range from the validator.
/// `table` should be valid (for ranges to be read, every other key must pass).
pub fn keys_of(table: &toml::Table) -> Vec<Key> {
    let mut leaves = Vec::new();
    walk(&toml::Value::Table(table.clone()), &mut Vec::new(), &mut leaves);
    let mut out: Vec<Key> = Vec::new();
    for (path, value) in leaves {
        let pattern = pattern_of(&path);
        if out.iter().any(|k| k.pattern == pattern) {
            continue;
        }
        let (default, meaning) = meaning_of(&pattern).unwrap_or(("", ""));
        let (kind, range) = kind_and_range(table, &path, &value);
        out.push(Key { pattern, path, kind, range, default, meaning, value: value.to_string() });
    }
    out
}

/// [`keys_of`] the reference scenario, with the township keys (which live in their own tables).
pub fn every_key() -> Vec<Key> {
    let table: toml::Table = toml::from_str(REFERENCE).expect("the reference scenario parses");
    let mut keys = keys_of(&table);
    for (pattern, default, meaning) in TOWNSHIP_KEYS {
        keys.push(Key {
            pattern: pattern.to_string(),
            path: Vec::new(),
            kind: "see meaning",
            range: String::new(),
            default,
            meaning,
            value: String::new(),
        });
    }
    keys
}

fn walk(v: &toml::Value, path: &mut Vec<Segment>, out: &mut Vec<(Vec<Segment>, toml::Value)>) {
    match v {
        toml::Value::Table(t) => {
            // A distribution is one value (`{ dist = "lognormal", mean = 2, cv = 1 }`): its keys
            // are listed under it.
            for (k, x) in t {
                path.push(Segment::Key(k.clone()));
                walk(x, path, out);
                path.pop();
            }
        }
        toml::Value::Array(items) if items.iter().all(|x| x.is_table()) && !items.is_empty() => {
            for (i, x) in items.iter().enumerate() {
                path.push(Segment::Item(i));
                walk(x, path, out);
                path.pop();
            }
        }
        other => out.push((path.clone(), other.clone())),
    }
}

/// `departments.office.stress.build` → `departments.<id>.stress.build`.
pub fn pattern_of(path: &[Segment]) -> String {
    let mut s = String::new();
    let mut named = false;
    for seg in path {
        match seg {
            Segment::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                if named {
                    s.push_str("<id>");
                    named = false;
                } else {
                    named = s.is_empty() && NAMED.contains(&k.as_str());
                    s.push_str(k);
                }
            }
            Segment::Item(_) => s.push_str("[]"),
        }
    }
    s
}

/// The value at `path` replaced by `value`, or removed with `None` (false when the path is not
/// there).
pub fn put(table: &mut toml::Table, path: &[Segment], value: Option<toml::Value>) -> bool {
    match path {
        [Segment::Key(k)] => match value {
            Some(v) => table.insert(k.clone(), v).is_some(),
            None => table.remove(k).is_some(),
        },
        [Segment::Key(k), rest @ ..] => table.get_mut(k).is_some_and(|v| put_in(v, rest, value)),
        _ => false,
    }
}

fn put_in(v: &mut toml::Value, path: &[Segment], value: Option<toml::Value>) -> bool {
    match (v, path.first()) {
        (toml::Value::Table(t), Some(Segment::Key(_))) => put(t, path, value),
        (toml::Value::Array(a), Some(Segment::Item(i))) => match (a.get_mut(*i), &path[1..]) {
            (Some(item), []) => value.map(|x| *item = x).is_some(),
            (Some(item), rest) => put_in(item, rest, value),
            (None, _) => false,
        },
        _ => false,
    }
}

/// What the validator says at `path` when `probe` is put there: its whole message (a type error
/// too), or None when it accepts it.
fn said_at(table: &toml::Table, path: &[Segment], probe: toml::Value) -> Option<String> {
    let key = dotted(path);
    let mut t = table.clone();
    put(&mut t, path, Some(probe));
    match load_table(t, "keys", None) {
        Err(ScenarioError::Invalid { problems, .. }) => {
            problems.into_iter().find(|p| p.key.as_deref() == Some(key.as_str())).map(|p| p.message)
        }
        Err(ScenarioError::Toml { problem, .. }) => Some(problem.message),
        _ => None,
    }
}

/// What the validator expects at `path`, in its words ("a whole number from 1 to 100000"), read
/// by putting `probe` (a value no range allows) there. Used by `embedsim keys` and by the
/// messages for values of the wrong type, so both say what the validator does.
pub fn expected_at(table: &toml::Table, path: &[Segment], probe: toml::Value) -> Option<String> {
    let m = said_at(table, path, probe)?;
    m.strip_prefix("expected ").map(|m| m.split(", found").next().unwrap_or(m).to_string())
}

/// A value below every range of a number key (within the magnitudes the validator allows).
pub const BELOW_EVERY_RANGE: i64 = -100_000_000;

/// The kind of value `path` takes and the validator's words for its range.
fn kind_and_range(table: &toml::Table, path: &[Segment], value: &toml::Value) -> (&'static str, String) {
    match value {
        toml::Value::Integer(_) | toml::Value::Float(_) => {
            // A fraction where a whole number is expected is refused by type.
            let whole =
                said_at(table, path, toml::Value::Float(0.5)).is_some_and(|m| m.contains("i64") || m.contains("u32"));
            let kind = if whole { "whole number" } else { "number" };
            (kind, expected_at(table, path, toml::Value::Integer(BELOW_EVERY_RANGE)).unwrap_or_default())
        }
        toml::Value::Boolean(_) => ("true/false", String::new()),
        toml::Value::String(_) => {
            ("text", expected_at(table, path, toml::Value::String("\u{1}?".into())).unwrap_or_default())
        }
        toml::Value::Array(_) => ("list", String::new()),
        _ => ("table", String::new()),
    }
}

/// `a.b.c` as path segments (table keys only).
pub fn segments(key: &str) -> Vec<Segment> {
    key.split('.').map(|k| Segment::Key(k.to_string())).collect()
}

/// `departments.office.line_tasks.effort_hours.mean` as the validator names it.
pub fn dotted(path: &[Segment]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Segment::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Segment::Item(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// Whether dotted `path` takes whole numbers only (`departments.x.staff`), as the validator reads
/// it, with its range in the validator's words ("a whole number from 1 to 100000"); `None` for a
/// path that is not a number key of the format. Read once from the reference scenario.
pub fn takes_whole_numbers(path: &str) -> Option<(bool, &'static str)> {
    static KINDS: std::sync::OnceLock<Vec<(String, &'static str, String)>> = std::sync::OnceLock::new();
    let kinds = KINDS.get_or_init(|| every_key().into_iter().map(|k| (k.pattern, k.kind, k.range)).collect());
    let pattern = pattern_of(&segments(path));
    kinds.iter().find(|(p, _, _)| *p == pattern).and_then(|(_, kind, range)| match *kind {
        "whole number" => Some((true, range.as_str())),
        "number" => Some((false, range.as_str())),
        _ => None,
    })
}

/// Whether dotted `path` is a key of the scenario format (chosen names stand for any name).
pub fn is_format_key(path: &str) -> bool {
    let pattern = pattern_of(&segments(path));
    meaning_of(&pattern).is_some() || TOWNSHIP_KEYS.iter().any(|k| k.0 == pattern)
}

/// The key of the format nearest to dotted `path`, as a pattern.
pub fn nearest_format_key(path: &str) -> Option<&'static str> {
    let pattern = pattern_of(&segments(path));
    let names: Vec<String> = MEANINGS.iter().map(|m| m.0.to_string()).collect();
    let n = super::overrides::nearest(&pattern, names.iter())?;
    MEANINGS.iter().map(|m| m.0).find(|m| *m == n)
}

fn meaning_of(pattern: &str) -> Option<(&'static str, &'static str)> {
    MEANINGS.iter().find(|m| m.0 == pattern).map(|m| (m.1, m.2))
}

/// Keys of `[townships.<id>]` (many townships from templates), which the reference does not use.
const TOWNSHIP_KEYS: [(&str, &str, &str); 8] = [
    (
        "townships.<id>.template",
        "required",
        "the [templates.<id>] this township copies (its departments, platforms, ...)",
    ),
    ("townships.<id>.district", "none", "the district it belongs to (a shared level above the townships)"),
    (
        "townships.<id>.copies",
        "1",
        "how many townships of this kind (each named <id>_1, <id>_2, ...; at most 20,000 in all)",
    ),
    ("townships.<id>.display.en", "none", "its name for people in English (without: its id); a copy adds its number"),
    ("townships.<id>.display.zh", "none", "its name in 中文 (without: its district's name); a copy adds 'N 号街道'"),
    ("townships.<id>.set", "none", "changes to the template for this township, as key = value"),
    ("townships.<id>.list", "none", "per-copy values of a key, one per copy"),
    ("townships.<id>.vary", "none", "keys drawn at random per copy (from the scenario's seed)"),
];

/// (pattern, default, meaning) of every key of the reference scenario.
pub const MEANINGS: &[(&str, &str, &str)] = &[
    ("name", "none", "the scenario's name (output folders are named after it; default: the file's name)"),
    ("description", "none", "one line saying what the scenario shows"),
    ("description_zh", "none", "the description in 中文, shown on the page and in reports when 中文 is chosen"),
    ("display.en", "none", "the scenario's name for people in English (without: `name`)"),
    ("display.zh", "none", "the scenario's name for people in 中文 (without: `name`)"),
    ("simulation.duration_days", "required", "days simulated in each replication"),
    ("simulation.warmup_days", "0", "first days not counted in the figures"),
    ("simulation.seed", "1", "the seed every random stream is derived from"),
    ("simulation.replications", "1", "independent replications, each with its own streams"),
    ("simulation.max_open_orders", "200000", "stop a run whose open orders pass this (a runaway guard)"),
    ("simulation.max_queued_jobs", "1000000", "stop a run whose waiting jobs pass this (a runaway guard)"),
    ("simulation.max_events", "500000000", "stop a run after this many events (a runaway guard)"),
    ("calendar.hours_per_day", "8", "working hours a day; offices work only then"),
    ("calendar.days_per_week", "5", "working days a week"),
    (
        "leaders.<id>.display.en",
        "none",
        "its name for people in English (page, reports, charts, stories; without: the id)",
    ),
    (
        "leaders.<id>.display.zh",
        "none",
        "its name for people in 中文 (without: the id, which keys and files always use)",
    ),
    ("leaders.<id>.attention_hours_per_day", "required", "a core leader's daily hours for platform items (M1)"),
    ("leaders.<id>.other_claims_hours_per_day", "0", "meetings and inspections that take from that attention"),
    ("leaders.<id>.delegate.inbox_threshold", "required", "inbox length from which items spill to a deputy (M13)"),
    ("leaders.<id>.delegate.deputy_attention_hours_per_day", "required", "the deputy's daily hours for items (M13)"),
    (
        "departments.<id>.display.en",
        "none",
        "its name for people in English (page, reports, charts, stories; without: the id)",
    ),
    (
        "departments.<id>.display.zh",
        "none",
        "its name for people in 中文 (without: the id, which keys and files always use)",
    ),
    ("departments.<id>.staff", "required", "identical workers, each doing one job at a time"),
    ("departments.<id>.line_tasks.rate_per_day", "required", "line tasks (条线任务) arriving a day (M14)"),
    (
        "departments.<id>.line_tasks.effort_hours.dist",
        "required",
        "distribution of a line task's work: exponential, lognormal, fixed",
    ),
    ("departments.<id>.line_tasks.effort_hours.mean", "required", "mean hours of a line task's work"),
    ("departments.<id>.line_tasks.effort_hours.cv", "required", "coefficient of variation (lognormal)"),
    ("departments.<id>.line_tasks.deadline_days", "none", "working days a line task is due in"),
    ("departments.<id>.line_tasks.veto", "false", "line tasks carry one-vote veto weight (一票否决)"),
    (
        "departments.<id>.line_tasks.escalate_after_days",
        "20",
        "working days past its deadline after which the county takes a waiting line task back (0: never)",
    ),
    ("departments.<id>.stress.build", "required", "how fast stress builds under pressure (M12)"),
    ("departments.<id>.stress.recover", "required", "how fast it recovers without pressure"),
    ("departments.<id>.stress.backlog_per_staff", "5", "waiting jobs per staff member that count as full pressure"),
    ("departments.<id>.stress.slowdown", "0.3", "work takes 1 + slowdown · f(stress) times as long"),
    ("departments.<id>.stress.form", "linear", "f: linear, saturating (with half) or threshold (with threshold)"),
    ("departments.<id>.stress.half", "0.2", "half-saturation level of the saturating form"),
    ("departments.<id>.stress.threshold", "0.5", "stress from which the threshold form slows work"),
    (
        "departments.<id>.stress.attrition.per_day",
        "required",
        "chance a day that a staff member leaves while stress is high",
    ),
    ("departments.<id>.stress.attrition.above", "0.5", "stress from which staff leave"),
    ("departments.<id>.stress.attrition.replace_days", "120", "days until a post left vacant is filled"),
    ("departments.<id>.overtime.backlog_per_staff", "required", "waiting jobs per staff member that trigger overtime"),
    ("departments.<id>.overtime.hours_per_day", "required", "extra hours per staff member on an overtime day"),
    (
        "departments.<id>.level",
        "township",
        "township (块) or county (条): a township leader has no authority over a county department",
    ),
    (
        "categories.<id>.display.en",
        "none",
        "its name for people in English (page, reports, charts, stories; without: the id)",
    ),
    (
        "categories.<id>.display.zh",
        "none",
        "its name for people in 中文 (without: the id, which keys and files always use)",
    ),
    ("categories.<id>.share", "required", "relative weight of this kind of issue in the mix"),
    ("categories.<id>.departments", "required", "departments that work it (more than one: a joint order)"),
    ("categories.<id>.effort_hours.dist", "required", "distribution of each department's part"),
    ("categories.<id>.effort_hours.mean", "required", "mean hours of a part"),
    ("categories.<id>.effort_hours.value", "required", "hours of a part (fixed distribution)"),
    ("categories.<id>.authority", "township", "township, or county: escalated above the township (M7)"),
    ("categories.<id>.reasonable", "true", "false: an unreasonable demand (M15)"),
    ("categories.<id>.shared", "false", "a shared (public) interest, for [points] shared_only"),
    (
        "villages.<id>.display.en",
        "none",
        "its name for people in English (page, reports, charts, stories; without: the id)",
    ),
    (
        "villages.<id>.display.zh",
        "none",
        "its name for people in 中文 (without: the id, which keys and files always use)",
    ),
    ("villages.<id>.population", "required", "people in the village"),
    ("villages.<id>.issues_per_1000_per_day", "required", "issues arising per 1,000 people a day"),
    ("villages.<id>.grid_workers", "0", "grid workers patrolling it"),
    ("citizens.trust_weight", "3", "weight of trust in a villager's choice of channel (M4)"),
    ("citizens.offline_utility", "0", "utility of taking an issue to village cadres"),
    ("citizens.silence_utility", "0", "utility of staying silent"),
    ("citizens.learning_rate", "0", "how far trust moves toward an outcome (0: no feedback)"),
    ("citizens.late_target", "0.5", "trust target after a late closure"),
    ("citizens.offline_target", "0.25", "trust target after an order settled offline"),
    ("grid.discovery_prob_per_worker", "required", "chance a day a grid worker finds a hidden issue"),
    ("grid.discovery_delay_days", "3", "mean days until a found issue is entered"),
    ("grid.village_share", "none", "share of found issues the village solves itself (the ladder's second rung)"),
    ("grid.in_scope_share", "0", "share of found issues the grid worker resolves on the spot"),
    ("grid.platforms", "required", "platforms grid workers report to"),
    ("grid.entry_minutes", "0", "minutes a grid worker spends entering a report"),
    ("reengineering.learn", "required", "how fast pressed work rebuilds processes (M5)"),
    ("reengineering.decay", "required", "how fast rebuilt processes decay"),
    ("reengineering.effort_cut", "0.5", "share of effort removed at R = 1"),
    ("reengineering.coordination_cut", "0.5", "share of coordination removed at R = 1"),
    ("reengineering.initial", "0", "R at the start"),
    ("regimes.window_days", "90", "trailing window of the regime verdicts, days"),
    ("regimes.embedded_closed", "0.8", "embedded: at least this share of decided orders closed in the system"),
    ("regimes.embedded_on_time", "0.7", "embedded: at least this share of those on time"),
    ("regimes.floating_closed", "0.5", "floating: under this share closed in the system, for lack of authority"),
    ("regimes.idling_usage", "0.5", "idling: usage under this share of its peak"),
    ("regimes.reengineered_r", "0.5", "reengineered: offices' work-weighted R at least this"),
    ("regimes.overloaded_on_time", "0.5", "overloaded: under this share on time, for lack of capacity"),
    (
        "regimes.overloaded_capacity_misses",
        "0.2",
        "overloaded: at least this share of decided orders failed for lack of capacity",
    ),
    ("regimes.burden_share", "0.3", "负能: burden at least this share of the hours"),
    ("regimes.min_decided", "10", "fewer decided orders in the window: no verdict"),
    ("regimes.persist_days", "14", "days a new verdict must hold before the regime changes"),
    ("regimes.launch_days", "30", "days over which usage's peak is measured"),
    (
        "regimes.capacity_share",
        "0.6",
        "a failure counts as capacity when at least this share of the office's time went to this platform",
    ),
    ("regimes.burden_rise", "0.15", "负能: the burden share has risen at least this much"),
    (
        "pooling.trigger_backlog_per_staff",
        "required",
        "waiting jobs per own staff member from which a department borrows",
    ),
    ("pooling.slack_backlog_per_staff", "0.5", "a lender has at most this backlog per staff member"),
    ("pooling.release_backlog_per_staff", "slack", "a borrower sends workers back at or below this"),
    ("pooling.move_delay_days", "1", "days a lent worker takes to arrive"),
    ("pooling.move_cost_hours", "0", "working hours a moved worker spends settling in"),
    ("pooling.max_share", "0.25", "share of a lender's own staff that may be out at once"),
    ("ranking.platform", "required", "the platform whose orders rank the units (接诉即办)"),
    ("ranking.period_days", "30", "days between rankings"),
    ("ranking.start_day", "0", "day the ranking comes into force"),
    ("ranking.bottom_share", "0.1", "share of units named at the bottom"),
    ("ranking.min_orders", "5", "units with fewer orders in a period are not ranked"),
    ("ranking.penalty", "0.2", "stress pressure on a unit at the bottom"),
    ("ranking.persuasion_hours", "0.5", "department hours per persuasion call"),
    ("ranking.persuasion_success", "0.5", "chance a persuasion call turns a rating"),
    ("whistle.report_hours", "48", "hours within which a summoned district department must report (吹哨报到)"),
    ("whistle.penalty", "0.2", "stress pressure on a department that reports late"),
    ("proactive.period_days", "30", "days between reviews of the most frequent issues (未诉先办)"),
    ("proactive.categories", "1", "categories worked on at the root each period"),
    ("proactive.hours", "required", "staff hours a period on root causes"),
    ("proactive.cut", "0.1", "share of a category's rate removed per period of work"),
    ("proactive.floor", "0.5", "the rate never falls below this share of its full level"),
    ("proactive.relapse_days", "180", "time constant of relapse toward the full rate, days"),
    ("turnover.days", "required", "days on which the reform's champion leaves"),
    ("turnover.institutionalised", "false", "true: the reforms outlast the champion"),
    ("turnover.decay_days", "90", "time constant of the reforms' fading, days"),
    ("turnover.leader", "none", "the leader who championed them"),
    ("points.report_boost", "0", "added to the utility of reporting a rewarded issue"),
    ("points.volunteer_share", "0", "share of rewarded issues volunteer stewards fix"),
    ("points.shared_only", "false", "reward only shared interests"),
    (
        "decisions.sanction.leader",
        "6.5",
        "a core leader's sanction behind orders she dispatches and follows up (calibrated on S town)",
    ),
    ("decisions.sanction.assessment", "0.5", "an assessment's sanction behind a platform's orders"),
    ("decisions.sanction.veto", "1.5", "one-vote veto weight of line tasks so marked"),
    ("decisions.sanction.line_task", "0.5", "weight of an ordinary line task"),
    ("decisions.sanction.none", "0", "weight of an order nobody stands behind"),
    ("decisions.sanction.petition", "0.5", "extra weight of an order labelled a petition"),
    ("decisions.sanction.ranking", "1", "weight a public ranking adds"),
    ("decisions.sanction.ranking_bottom", "1", "extra weight for a unit at the bottom of the ranking"),
    ("decisions.sanction.whistle", "1.5", "weight of a whistle summons"),
    ("decisions.sanction.proactive", "0.3", "weight of root-cause work"),
    ("decisions.sanction.centre", "2", "a command centre's sanction behind its orders"),
    (
        "decisions.sanction.follow_up",
        "0.5",
        "share of a leader's sanction that needs her follow-up (sign-off or attention)",
    ),
    ("decisions.take_up.duty", "0.7", "the weight of doing one's job, on every order"),
    ("decisions.take_up.sensitivity", "1.5", "how sharply take-up follows consequence against cost"),
    ("decisions.take_up.load_weight", "4", "how much load raises the cost of an hour of work"),
    (
        "decisions.take_up.outside_authority",
        "2",
        "extra reason to send back an order outside the department's authority",
    ),
    (
        "decisions.refusals.max_returns",
        "1",
        "refusals before a refused order ends (where the platform sets no return limit)",
    ),
    ("decisions.refusals.department_hours", "0.25", "department hours spent sending an order back"),
    (
        "decisions.refusals.offline_prob",
        "0.5",
        "chance an order refused for good is settled offline rather than dropped",
    ),
    ("decisions.refusals.reroute_days", "1", "working days before automatic routing sends a refused order again"),
    ("decisions.sloppiness.floor", "0.02", "chance of a slipshod reply at no load"),
    ("decisions.sloppiness.ceiling", "0.6", "the highest chance of a slipshod reply"),
    ("decisions.sloppiness.load", "0.2", "how much load adds to it"),
    ("decisions.sloppiness.stress", "0.5", "how much stress adds to it"),
    ("decisions.sloppiness.neglect", "0", "how much a weak consequence adds to it"),
    ("decisions.gaming.margin", "0.02", "how far above target a unit still feels assessment pressure"),
    ("decisions.gaming.scale", "0.2", "shortfall at which every dissatisfied caller is persuaded"),
    ("decisions.coordination_relief", "0.5", "share of coordination a leader's dispatch saves"),
    ("county.escalate_prob", "required", "chance an issue above the township is escalated to the county (M7)"),
    ("county.delay_days", "10", "mean days the county takes"),
    ("county.resolve_prob", "1", "chance the county resolves it"),
    (
        "platforms.<id>.display.en",
        "none",
        "its name for people in English (page, reports, charts, stories; without: the id)",
    ),
    (
        "platforms.<id>.display.zh",
        "none",
        "its name for people in 中文 (without: the id, which keys and files always use)",
    ),
    ("platforms.<id>.dispatch", "required", "who sends orders to departments: leader, operator, auto or centre"),
    ("platforms.<id>.leader", "required", "the leader who dispatches (dispatch = leader)"),
    ("platforms.<id>.review_hours.dist", "required", "distribution of the leader's review of an order"),
    ("platforms.<id>.review_hours.mean", "required", "mean hours of review"),
    ("platforms.<id>.sign_off", "false", "the leader signs off every reply (follow-up behind her sanction)"),
    ("platforms.<id>.sign_off_hours.dist", "required", "distribution of a sign-off"),
    ("platforms.<id>.sign_off_hours.mean", "required", "mean hours of a sign-off"),
    ("platforms.<id>.label", "routine", "routine or petition (a petition carries decisions.sanction.petition)"),
    ("platforms.<id>.arrival_rate_per_day", "0", "orders arriving directly a day (Poisson)"),
    ("platforms.<id>.deadline_days", "none", "working days an order is due in"),
    ("platforms.<id>.documentation_minutes", "0", "record-keeping (留痕) minutes per order"),
    ("platforms.<id>.coordination_hours", "0", "coordination hours per extra department of a joint order (M6)"),
    ("platforms.<id>.citizen_channel", "false", "villagers may report to it directly (M4)"),
    ("platforms.<id>.appeal", "0", "a platform's pull in villagers' choice of channel"),
    ("platforms.<id>.initial_trust", "0.5", "villagers' trust at the start"),
    ("platforms.<id>.audit.redo_effort_share", "0.5", "share of the work a reply that fails the audit is redone with"),
    ("platforms.<id>.audit.catch", "1", "share of slipshod replies the audit catches"),
    ("platforms.<id>.satisfaction.on_time", "0.95", "chance a caller is satisfied with an on-time closure"),
    ("platforms.<id>.satisfaction.late", "0.7", "the same for a late closure"),
    ("platforms.<id>.satisfaction.unresolved", "0.1", "the same for an unresolved one"),
    ("platforms.<id>.assessment.period_days", "30", "days between assessments (M11)"),
    ("platforms.<id>.assessment.target", "required", "score a unit must reach"),
    ("platforms.<id>.assessment.persuasion_hours", "0.5", "department hours per persuasion call"),
    ("platforms.<id>.assessment.persuasion_success", "0.5", "chance a persuasion call turns a rating"),
    ("platforms.<id>.assessment.penalty", "0", "stress pressure on a unit under target"),
    ("platforms.<id>.unreasonable_share", "0", "share of demands that are unreasonable (M15)"),
    ("platforms.<id>.screening.prob", "required", "share of unreasonable demands screened out at intake"),
    ("platforms.<id>.repeat.prob", "required", "chance an unresolved issue comes back (M16)"),
    ("platforms.<id>.repeat.delay_days", "7", "mean days until it comes back"),
    ("platforms.<id>.shocks[].from_day", "required", "first day of a demand shock (M17)"),
    ("platforms.<id>.shocks[].to_day", "required", "day it ends"),
    ("platforms.<id>.shocks[].multiplier", "required", "demand times this during the shock"),
    ("platforms.<id>.relays.steps", "required", "human relays a village or grid report passes through"),
    ("platforms.<id>.relays.delay_days", "1", "mean days per relay"),
    ("platforms.<id>.relays.loss", "0", "chance a relay loses a report"),
    ("platforms.<id>.sensors.rate_per_day", "required", "automatic sensor reports a day"),
    ("platforms.<id>.appraised", "false", "an appraisal stands behind its orders (assessment sanction)"),
    ("platforms.<id>.route", "required", "departments its orders go to (auto, operator or centre dispatch)"),
    ("platforms.<id>.effort_hours.dist", "required", "distribution of each department's part of an order"),
    ("platforms.<id>.effort_hours.mean", "required", "mean hours of a part"),
    ("platforms.<id>.desk.staff", "required", "dispatchers at a dispatch desk"),
    ("platforms.<id>.desk.dispatch_hours.dist", "required", "distribution of a dispatch"),
    ("platforms.<id>.desk.dispatch_hours.value", "required", "hours of a dispatch"),
    ("platforms.<id>.desk.redispatch_hours.dist", "required", "distribution of sending a returned order again"),
    ("platforms.<id>.desk.redispatch_hours.value", "required", "hours of it"),
    ("platforms.<id>.returns.department_hours", "0.25", "department hours spent returning an order"),
    ("platforms.<id>.returns.max_returns", "2", "times an order may be returned before it ends"),
    ("platforms.<id>.inquiry_share", "0", "share of contacts that are inquiries answered at once (no order)"),
    ("platforms.<id>.urgency.shares", "required", "shares of orders in each urgency tier"),
    ("platforms.<id>.urgency.limit_hours", "required", "time limit of each tier, hours"),
    (
        "platforms.<id>.director",
        "none",
        "a leader named director: carries no sanction unless she dispatches or signs off",
    ),
    ("platforms.<id>.operator.hours_per_day", "required", "the operator's daily hours (M2)"),
    ("platforms.<id>.operator.review_hours.dist", "required", "distribution of the operator's review"),
    ("platforms.<id>.operator.review_hours.value", "required", "hours of review"),
    ("platforms.<id>.operator.max_attempts", "1", "negotiation attempts before giving up on the system"),
    ("platforms.<id>.operator.retry_days", "1", "working days between attempts"),
    ("platforms.<id>.operator.offline_prob", "0", "chance a failed order is settled offline (M3)"),
    ("platforms.<id>.operator.offline_hours.dist", "required", "distribution of offline settlement"),
    ("platforms.<id>.operator.offline_hours.value", "required", "hours of it"),
];
