//! Raw mirror → validated [`Scenario`]. Every problem found is reported, each with its key path.

use std::collections::BTreeMap;

use super::display::{Display, Names};
use super::model::*;
use super::raw::*;
use crate::engine::dist::Dist;
use crate::engine::time::WorkClock;

/// One thing wrong with a scenario, at a key path.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Dotted key path, e.g. `platforms.minhu.route`.
    pub key: String,
    /// What was expected, and what was found.
    pub message: String,
}

/// Most problems listed in one message; the rest are counted. A file of 10,000 mistakes once
/// printed a megabyte and took seconds to place each on its line.
pub const MAX_PROBLEMS_LISTED: usize = 50;

/// `problems` as a person reads them: the same problem at the same key once, with how often it
/// occurred; at most [`MAX_PROBLEMS_LISTED`], then one line counting the others. Linear in the
/// number of problems.
pub fn collapse(problems: Vec<Problem>) -> Vec<Problem> {
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut out: Vec<(Problem, usize)> = Vec::new();
    for p in problems {
        match seen.get(&(p.key.clone(), p.message.clone())) {
            Some(&i) => out[i].1 += 1,
            None => {
                seen.insert((p.key.clone(), p.message.clone()), out.len());
                out.push((p, 1));
            }
        }
    }
    let total = out.len();
    let mut listed: Vec<Problem> = out
        .into_iter()
        .take(MAX_PROBLEMS_LISTED)
        .map(|(p, n)| if n == 1 { p } else { Problem { message: format!("{} ({n} times)", p.message), ..p } })
        .collect();
    if total > MAX_PROBLEMS_LISTED {
        let key = listed.last().map(|p| p.key.clone()).unwrap_or_default();
        listed.push(Problem {
            key,
            message: format!(
                "and {} more problems not listed: mend these and check again",
                total - MAX_PROBLEMS_LISTED
            ),
        });
    }
    listed
}

/// The most departments one order can need (an order records its finished parts in 64 bits).
pub const MAX_ROUTE: usize = 64;
/// Largest size of any number in a scenario.
pub const MAX_MAGNITUDE: f64 = 1e9;
/// Smallest size of a non-zero number in a scenario.
pub const MIN_MAGNITUDE: f64 = 1e-9;
/// Largest whole number of a count key, unless the key states a smaller one.
pub const MAX_COUNT: i64 = 1_000_000_000;
/// Smallest non-zero working hours per day (one minute): below it working time is too thin to
/// advance by.
pub const MIN_DAILY_HOURS: f64 = 1.0 / 60.0;
/// Largest mean (or fixed value) of a distribution, in hours (about 114 years).
pub const MAX_DIST_HOURS: f64 = 1e6;
/// Largest coefficient of variation of a log-normal distribution.
pub const MAX_CV: f64 = 100.0;
/// Longest id, in characters.
pub const MAX_ID_CHARS: usize = 200;
/// Most tiers of `platforms.<id>.urgency`.
pub const MAX_URGENCY_TIERS: usize = 20;
/// Default of `simulation.max_queued_jobs`.
pub const DEFAULT_MAX_QUEUED_JOBS: i64 = 1_000_000;

struct V {
    problems: Vec<Problem>,
}

impl V {
    fn bad(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem { key: key.into(), message: message.into() });
    }

    /// Every number must be finite and, unless 0, between [`MIN_MAGNITUDE`] and [`MAX_MAGNITUDE`]
    /// in size: beyond them sums, products and reciprocals in the model overflow or vanish.
    fn finite(&mut self, key: &str, v: f64) -> bool {
        if !v.is_finite() {
            self.bad(key, format!("expected a finite number, found {v}"));
            false
        } else if v.abs() > MAX_MAGNITUDE || (v != 0.0 && v.abs() < MIN_MAGNITUDE) {
            self.bad(
                key,
                format!("expected 0 or a number of size {MIN_MAGNITUDE:e} to {MAX_MAGNITUDE:e}, found {v:e}"),
            );
            false
        } else {
            true
        }
    }

    fn non_negative(&mut self, key: &str, v: f64) -> f64 {
        if self.finite(key, v) && v < 0.0 {
            self.bad(key, format!("expected a number >= 0, found {v}"));
        }
        v
    }

    fn positive(&mut self, key: &str, v: f64) -> f64 {
        if self.finite(key, v) && v <= 0.0 {
            self.bad(key, format!("expected a number > 0, found {v}"));
        }
        v
    }

    fn probability(&mut self, key: &str, v: f64) -> f64 {
        if self.finite(key, v) && !(0.0..=1.0).contains(&v) {
            self.bad(key, format!("expected a probability between 0 and 1, found {v}"));
        }
        v
    }

    /// A number in `[lo, hi]`; the message states the range.
    fn within(&mut self, key: &str, v: f64, lo: f64, hi: f64) -> f64 {
        if self.finite(key, v) && !(lo..=hi).contains(&v) {
            self.bad(key, format!("expected a number from {lo} to {hi}, found {v}"));
        }
        v
    }

    /// Working hours per day given to something: 0 (none) or from one minute to `max`.
    fn daily_hours(&mut self, key: &str, v: f64, max: f64) -> f64 {
        if self.finite(key, v) && v != 0.0 && !(MIN_DAILY_HOURS..=max).contains(&v) {
            self.bad(key, format!("expected 0 or a number of hours from 1/60 (one minute) to {max}, found {v}"));
        }
        v
    }

    /// A whole number from `min` to [`MAX_COUNT`].
    fn count(&mut self, key: &str, v: i64, min: i64) -> u64 {
        self.count_in(key, v, min, MAX_COUNT)
    }

    /// A whole number from `min` to `max`; out of range it is reported, never truncated.
    fn count_in(&mut self, key: &str, v: i64, min: i64, max: i64) -> u64 {
        if v < min || v > max {
            self.bad(key, format!("expected a whole number from {min} to {max}, found {v}"));
            return min.max(0) as u64;
        }
        v as u64
    }

    /// Ids name files and CSV cells and are printed: no control or direction-changing characters.
    fn id(&mut self, key: &str, id: &str) {
        if id.is_empty() || id.chars().count() > MAX_ID_CHARS {
            self.bad(
                key,
                format!("expected an id of 1 to {MAX_ID_CHARS} characters, found {} characters", id.chars().count()),
            );
        } else if let Some(c) = id.chars().find(|&c| crate::text::is_unsafe_char(c)) {
            self.bad(key, format!("expected an id without control or invisible characters, found {:?}", c));
        } else if id.starts_with(['=', '+', '-', '@']) {
            // A CSV cell beginning so is a formula to a spreadsheet.
            self.bad(key, format!("expected an id that does not begin with =, +, - or @, found \"{id}\""));
        }
    }

    /// A name for people: printed, never a file name; one line, no invisible characters.
    fn display_text(&mut self, key: &str, text: &str) -> Option<String> {
        let n = text.chars().count();
        if n == 0 || n > MAX_DISPLAY_CHARS {
            self.bad(key, format!("expected a name of 1 to {MAX_DISPLAY_CHARS} characters, found {n} characters"));
            None
        } else if let Some(c) = text.chars().find(|&c| crate::text::is_unsafe_char(c)) {
            self.bad(key, format!("expected one line without control or invisible characters, found {c:?}"));
            None
        } else {
            Some(text.to_string())
        }
    }

    /// `display = { en, zh }` at `key`.
    fn display(&mut self, key: &str, d: Option<&RawDisplay>) -> Display {
        let Some(d) = d else { return Display::default() };
        Display {
            en: d.en.as_ref().and_then(|t| self.display_text(&format!("{key}.en"), t)),
            zh: d.zh.as_ref().and_then(|t| self.display_text(&format!("{key}.zh"), t)),
        }
    }

    /// The same entry twice in a list of departments.
    fn distinct(&mut self, key: &str, names: &[String]) {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for n in names {
            *counts.entry(n.as_str()).or_default() += 1;
        }
        // Each repeated name once, in the order first listed.
        let mut told = std::collections::BTreeSet::new();
        for n in names {
            let k = counts[n.as_str()];
            if k > 1 && told.insert(n.as_str()) {
                let times = if k == 2 { "twice".to_string() } else { format!("{k} times") };
                self.bad(
                    key,
                    format!(
                        "department \"{}\" is listed {times} (each department takes its part once)",
                        crate::text::printable(n)
                    ),
                );
            }
        }
    }

    fn dist(&mut self, key: &str, raw: &RawDist) -> Dist {
        let fallback = Dist::fixed(0.0);
        let need = |v: &mut V, name: &str, x: Option<f64>| -> Option<f64> {
            match x {
                None => {
                    v.bad(format!("{key}.{name}"), format!("`{}` needs `{name}`", raw.dist));
                    None
                }
                Some(x) => Some(x),
            }
        };
        let forbid = |v: &mut V, name: &str, x: Option<f64>| {
            if x.is_some() {
                v.bad(format!("{key}.{name}"), format!("`{}` takes no `{name}`", raw.dist));
            }
        };
        // A distribution is built only from numbers that raised no problem.
        let before = self.problems.len();
        let mean = |v: &mut V, m: f64| v.within(&format!("{key}.mean"), m, MIN_MAGNITUDE, MAX_DIST_HOURS);
        match raw.dist.as_str() {
            "exponential" => {
                forbid(self, "cv", raw.cv);
                forbid(self, "value", raw.value);
                match need(self, "mean", raw.mean) {
                    Some(m) if mean(self, m) > 0.0 && self.problems.len() == before => Dist::exponential(m),
                    _ => fallback,
                }
            }
            "lognormal" => {
                forbid(self, "value", raw.value);
                let m = need(self, "mean", raw.mean);
                let cv = need(self, "cv", raw.cv);
                match (m, cv) {
                    (Some(m), Some(cv)) => {
                        mean(self, m);
                        self.within(&format!("{key}.cv"), cv, MIN_MAGNITUDE, MAX_CV);
                        if self.problems.len() == before { Dist::lognormal(m, cv) } else { fallback }
                    }
                    _ => fallback,
                }
            }
            "fixed" => {
                forbid(self, "mean", raw.mean);
                forbid(self, "cv", raw.cv);
                match need(self, "value", raw.value) {
                    Some(x) => {
                        self.within(&format!("{key}.value"), x, 0.0, MAX_DIST_HOURS);
                        if self.problems.len() == before { Dist::fixed(x) } else { fallback }
                    }
                    _ => fallback,
                }
            }
            other => {
                self.bad(
                    format!("{key}.dist"),
                    format!("expected \"exponential\", \"lognormal\" or \"fixed\", found \"{other}\""),
                );
                fallback
            }
        }
    }

    /// A route names each department once, and at most [`MAX_ROUTE`] of them.
    fn route_shape(&mut self, key: &str, route: &[String]) {
        if route.len() > MAX_ROUTE {
            self.bad(key, format!("expected at most {MAX_ROUTE} departments, found {}", route.len()));
        }
        self.distinct(key, route);
    }

    /// A key the decision model replaced: say what replaces it.
    fn removed(&mut self, key: &str, present: bool, replacement: &str) {
        if present {
            self.bad(key, format!("this key was removed: {replacement}; delete it (see docs/MODEL.md)"));
        }
    }

    fn lookup(&mut self, key: &str, name: &str, ids: &BTreeMap<String, usize>, what: &str) -> Option<usize> {
        match ids.get(name) {
            Some(&i) => Some(i),
            None => {
                // The nearest name first, then at most a dozen: a city's thousand departments once
                // came back in each of its problems.
                const SHOWN: usize = 12;
                let known: Vec<&str> = ids.keys().map(String::as_str).collect();
                let nearest = super::overrides::nearest(name, ids.keys())
                    .map_or(String::new(), |n| format!("did you mean \"{}\"? ", crate::text::printable(&n)));
                let known = if known.is_empty() {
                    format!("no {what}s are defined")
                } else if known.len() > SHOWN {
                    format!("{nearest}known {what}s: {}, and {} more", known[..SHOWN].join(", "), known.len() - SHOWN)
                } else {
                    format!("{nearest}known {what}s: {}", known.join(", "))
                };
                self.bad(key, format!("unknown {what} \"{}\" ({known})", crate::text::printable(name)));
                None
            }
        }
    }
}

fn index<T>(map: &BTreeMap<String, T>) -> BTreeMap<String, usize> {
    map.keys().enumerate().map(|(i, k)| (k.clone(), i)).collect()
}

/// Validates `raw` into a [`Scenario`], or returns every problem found.
pub fn validate(
    raw: &RawScenario,
    origin: &str,
    exp: Option<&super::townships::Expansion>,
) -> Result<Scenario, Vec<Problem>> {
    let mut v = V { problems: Vec::new() };

    // Simulation.
    let s = &raw.simulation;
    let duration_days = v.positive("simulation.duration_days", s.duration_days);
    let warmup_days = v.non_negative("simulation.warmup_days", s.warmup_days.unwrap_or(0.0));
    if warmup_days >= duration_days && duration_days.is_finite() {
        v.bad(
            "simulation.warmup_days",
            format!("expected less than duration_days ({duration_days}), found {warmup_days}"),
        );
    }
    if duration_days.is_finite() && duration_days > 365.0 * 200.0 {
        v.bad("simulation.duration_days", format!("expected at most 73000 days (200 years), found {duration_days}"));
    }
    let seed = match s.seed {
        Some(x) if x < 0 => {
            v.bad("simulation.seed", format!("expected a whole number >= 0, found {x}"));
            0
        }
        Some(x) => x as u64,
        None => 1,
    };
    let replications = v.count_in("simulation.replications", s.replications.unwrap_or(1), 1, 1_000_000);
    let max_open_orders =
        v.count_in("simulation.max_open_orders", s.max_open_orders.unwrap_or(200_000), 1, 100_000_000) as usize;
    let max_queued_jobs =
        v.count_in("simulation.max_queued_jobs", s.max_queued_jobs.unwrap_or(DEFAULT_MAX_QUEUED_JOBS), 1, 100_000_000)
            as usize;
    let max_events = v.count_in("simulation.max_events", s.max_events.unwrap_or(500_000_000), 1, 1_000_000_000_000);

    // Calendar.
    let (hpd, dpw) = match &raw.calendar {
        Some(c) => (c.hours_per_day.unwrap_or(8.0), c.days_per_week.unwrap_or(5)),
        None => (8.0, 5),
    };
    if v.finite("calendar.hours_per_day", hpd) && !(MIN_DAILY_HOURS..=24.0).contains(&hpd) {
        v.bad(
            "calendar.hours_per_day",
            format!("expected a number of hours from 1/60 (one minute) to 24, found {hpd}"),
        );
    }
    if !(1..=7).contains(&dpw) {
        v.bad("calendar.days_per_week", format!("expected a whole number from 1 to 7, found {dpw}"));
    }
    let hpd_ok = if hpd.is_finite() { hpd.clamp(MIN_DAILY_HOURS, 24.0) } else { 8.0 };
    let calendar = WorkClock::new(hpd_ok, dpw.clamp(1, 7) as u32);

    let dept_ids = index(&raw.departments);
    let leader_ids = index(&raw.leaders);
    let platform_ids = index(&raw.platforms);
    for (table, ids) in [
        ("departments", &dept_ids),
        ("leaders", &leader_ids),
        ("platforms", &platform_ids),
        ("categories", &index(&raw.categories)),
        ("villages", &index(&raw.villages)),
    ] {
        for id in ids.keys() {
            v.id(&format!("{table}.{id}"), id);
        }
    }
    // A platform names files (a sweep's regime-map-<id>.svg): two ids that make one file name
    // (`p q` and `p-q`, or `P` and `p` on a file system that ignores case) would overwrite each
    // other's map.
    let mut files: BTreeMap<String, &str> = BTreeMap::new();
    for id in platform_ids.keys() {
        let file = crate::text::slug(id).to_lowercase();
        if let Some(other) = files.insert(file.clone(), id) {
            v.bad(
                format!("platforms.{id}"),
                format!(
                    "expected an id that names its own files: \"{}\" and \"{}\" both make regime-map-{file}.svg; rename one",
                    crate::text::printable(other),
                    crate::text::printable(id)
                ),
            );
        }
    }
    if let Some(name) = &raw.name {
        v.id("name", name);
    }
    let names = display_names(&mut v, raw);

    // Departments.
    let mut departments = Vec::new();
    for (id, d) in &raw.departments {
        let k = format!("departments.{id}");
        let staff = v.count_in(&format!("{k}.staff"), d.staff, 1, 100_000) as u32;
        let stress = d.stress.as_ref().map(|st| {
            let ks = format!("{k}.stress");
            let build = v.probability(&format!("{ks}.build"), st.build);
            let recover = v.probability(&format!("{ks}.recover"), st.recover);
            StressSpec {
                build,
                recover,
                backlog_per_staff: v.positive(&format!("{ks}.backlog_per_staff"), st.backlog_per_staff.unwrap_or(5.0)),
                slowdown: v.non_negative(&format!("{ks}.slowdown"), st.slowdown.unwrap_or(0.3)),
                form: slowdown_form(&mut v, &ks, st),
                attrition: st.attrition.as_ref().map(|a| AttritionSpec {
                    per_day: v.probability(&format!("{ks}.attrition.per_day"), a.per_day),
                    above: v.within(&format!("{ks}.attrition.above"), a.above.unwrap_or(0.5), 0.0, 1.0),
                    replace_days: v.within(
                        &format!("{ks}.attrition.replace_days"),
                        a.replace_days.unwrap_or(super::model::ATTRITION_REPLACE_DAYS),
                        1.0,
                        3650.0,
                    ),
                }),
            }
        });
        let overtime = d.overtime.as_ref().map(|o| {
            let ko = format!("{k}.overtime");
            let hours = v.daily_hours(&format!("{ko}.hours_per_day"), o.hours_per_day, 24.0);
            if hours + hpd_ok > 24.0 {
                v.bad(
                    format!("{ko}.hours_per_day"),
                    format!("expected at most {} (24 minus calendar.hours_per_day), found {hours}", 24.0 - hpd_ok),
                );
            }
            OvertimeSpec {
                backlog_per_staff: v.non_negative(&format!("{ko}.backlog_per_staff"), o.backlog_per_staff),
                hours_per_day: hours,
            }
        });
        let line_tasks = d.line_tasks.as_ref().map(|lt| LineTaskSpec {
            rate_per_day: v.non_negative(&format!("{k}.line_tasks.rate_per_day"), lt.rate_per_day),
            effort: v.dist(&format!("{k}.line_tasks.effort_hours"), &lt.effort_hours),
            deadline_days: lt.deadline_days.map(|x| v.positive(&format!("{k}.line_tasks.deadline_days"), x)),
            veto: lt.veto.unwrap_or(false),
            // 0 turns escalation off; without a deadline nothing is overdue.
            escalate_after_days: match lt.escalate_after_days {
                Some(x) => {
                    let x = v.within(&format!("{k}.line_tasks.escalate_after_days"), x, 0.0, 3650.0);
                    (x > 0.0 && lt.deadline_days.is_some()).then_some(x)
                }
                None => lt.deadline_days.map(|_| super::model::LINE_TASK_ESCALATION_DAYS),
            },
        });
        let county = match d.level.as_deref() {
            None | Some("township") => false,
            Some("county") => true,
            Some(other) => {
                v.bad(format!("{k}.level"), format!("expected \"township\" or \"county\", found \"{other}\""));
                false
            }
        };
        departments.push(DepartmentSpec { id: id.clone(), staff, line_tasks, stress, overtime, county });
    }

    // Leaders.
    let mut leaders = Vec::new();
    for (id, l) in &raw.leaders {
        let k = format!("leaders.{id}");
        let a = v.daily_hours(&format!("{k}.attention_hours_per_day"), l.attention_hours_per_day, 24.0);
        if a > hpd_ok {
            v.bad(
                format!("{k}.attention_hours_per_day"),
                format!("expected at most calendar.hours_per_day ({hpd_ok}), found {a}"),
            );
        }
        let o = v.non_negative(&format!("{k}.other_claims_hours_per_day"), l.other_claims_hours_per_day.unwrap_or(0.0));
        let delegate = l.delegate.as_ref().map(|dg| {
            let kd = format!("{k}.delegate");
            let deputy =
                v.daily_hours(&format!("{kd}.deputy_attention_hours_per_day"), dg.deputy_attention_hours_per_day, 24.0);
            if deputy > hpd_ok {
                v.bad(
                    format!("{kd}.deputy_attention_hours_per_day"),
                    format!("expected at most calendar.hours_per_day ({hpd_ok}), found {deputy}"),
                );
            }
            DelegateSpec {
                inbox_threshold: v.count(&format!("{kd}.inbox_threshold"), dg.inbox_threshold, 1) as u32,
                deputy_attention_hours_per_day: deputy,
            }
        });
        leaders.push(LeaderSpec {
            id: id.clone(),
            attention_hours_per_day: a,
            other_claims_hours_per_day: o,
            delegate,
        });
    }

    // Categories.
    let mut categories = Vec::new();
    for (id, c) in &raw.categories {
        let k = format!("categories.{id}");
        let share = v.non_negative(&format!("{k}.share"), c.share);
        v.route_shape(&format!("{k}.departments"), &c.departments);
        if c.departments.is_empty() {
            v.bad(format!("{k}.departments"), "expected at least one department");
        }
        let depts = c
            .departments
            .iter()
            .filter_map(|d| v.lookup(&format!("{k}.departments"), d, &dept_ids, "department"))
            .collect();
        let effort = v.dist(&format!("{k}.effort_hours"), &c.effort_hours);
        let above_township = match c.authority.as_deref() {
            None | Some("township") => false,
            Some("county") => {
                if raw.county.is_none() {
                    v.bad(
                        format!("{k}.authority"),
                        "authority = \"county\" needs a [county] table (escalate_prob, delay_days, resolve_prob)",
                    );
                }
                true
            }
            Some(other) => {
                v.bad(format!("{k}.authority"), format!("expected \"township\" or \"county\", found \"{other}\""));
                false
            }
        };
        let reasonable = c.reasonable.unwrap_or(true);
        let shared = c.shared.unwrap_or(false);
        categories.push(CategorySpec {
            id: id.clone(),
            share,
            departments: depts,
            effort,
            above_township,
            reasonable,
            shared,
        });
    }
    if !categories.is_empty() && categories.iter().all(|c| c.share <= 0.0) {
        v.bad("categories", "expected at least one category with share > 0");
    }

    // Platforms.
    let mut platforms = Vec::new();
    for (id, p) in &raw.platforms {
        let k = format!("platforms.{id}");
        let dispatch = match p.dispatch.as_str() {
            "auto" => Dispatch::Auto,
            "centre" => {
                if p.desk.is_none() {
                    v.bad(
                        format!("{k}.desk"),
                        "dispatch = \"centre\" needs a `desk`: the centre's staff and its grading time (dispatch_hours)",
                    );
                }
                Dispatch::Centre
            }
            "leader" => {
                let leader = match &p.leader {
                    Some(l) => v.lookup(&format!("{k}.leader"), l, &leader_ids, "leader"),
                    None => {
                        v.bad(
                            format!("{k}.leader"),
                            "dispatch = \"leader\" needs `leader`, the id of a [leaders.<id>] table",
                        );
                        None
                    }
                };
                let review = match &p.review_hours {
                    Some(r) => v.dist(&format!("{k}.review_hours"), r),
                    None => {
                        v.bad(
                            format!("{k}.review_hours"),
                            "dispatch = \"leader\" needs `review_hours`, a distribution",
                        );
                        Dist::fixed(0.0)
                    }
                };
                Dispatch::Leader { leader: leader.unwrap_or(0), review }
            }
            "operator" => match &p.operator {
                Some(o) => {
                    let ko = format!("{k}.operator");
                    v.removed(
                        &format!("{ko}.accept_prob"),
                        o.accept_prob.is_some(),
                        "whether a department takes up an operator's order now follows the departments' \
                             decision model ([decisions.take_up]: its load, and who can sanction neglect)",
                    );
                    let hours = v.daily_hours(&format!("{ko}.hours_per_day"), o.hours_per_day, 24.0);
                    if hours > hpd_ok {
                        v.bad(
                            format!("{ko}.hours_per_day"),
                            format!("expected at most calendar.hours_per_day ({hpd_ok}), found {hours}"),
                        );
                    }
                    Dispatch::Operator(OperatorSpec {
                        hours_per_day: hours,
                        review: v.dist(&format!("{ko}.review_hours"), &o.review_hours),
                        max_attempts: v.count(&format!("{ko}.max_attempts"), o.max_attempts.unwrap_or(1), 1) as u32,
                        retry_days: v.non_negative(&format!("{ko}.retry_days"), o.retry_days.unwrap_or(1.0)),
                        offline_prob: v.probability(&format!("{ko}.offline_prob"), o.offline_prob.unwrap_or(0.0)),
                        offline: match &o.offline_hours {
                            Some(d) => v.dist(&format!("{ko}.offline_hours"), d),
                            None => Dist::fixed(0.0),
                        },
                    })
                }
                None => {
                    v.bad(
                        format!("{k}.operator"),
                        "dispatch = \"operator\" needs an `operator` table (hours_per_day, review_hours)",
                    );
                    Dispatch::Auto
                }
            },
            other => {
                v.bad(
                    format!("{k}.dispatch"),
                    format!("expected \"auto\", \"centre\", \"operator\" or \"leader\", found \"{other}\""),
                );
                Dispatch::Auto
            }
        };
        if !matches!(dispatch, Dispatch::Leader { .. }) && p.review_hours.is_some() {
            v.bad(format!("{k}.review_hours"), "only a leader-dispatched platform has `review_hours`");
        }
        if p.dispatch != "operator" && p.operator.is_some() {
            v.bad(format!("{k}.operator"), "only dispatch = \"operator\" takes an `operator` table");
        }
        if p.dispatch == "auto" && p.leader.is_some() && p.sign_off != Some(true) {
            v.bad(format!("{k}.leader"), "an auto-dispatched platform uses `leader` only for sign_off = true");
        }
        let rate = v.non_negative(&format!("{k}.arrival_rate_per_day"), p.arrival_rate_per_day.unwrap_or(0.0));
        let route = p.route.as_ref().map(|r| {
            if r.is_empty() {
                v.bad(format!("{k}.route"), "expected at least one department");
            }
            v.route_shape(&format!("{k}.route"), r);
            r.iter().filter_map(|d| v.lookup(&format!("{k}.route"), d, &dept_ids, "department")).collect::<Vec<_>>()
        });
        let effort = p.effort_hours.as_ref().map(|e| v.dist(&format!("{k}.effort_hours"), e));
        match (&route, &effort) {
            (Some(_), Some(_)) => {}
            (None, None) if !raw.categories.is_empty() => {}
            (Some(_), None) => v.bad(format!("{k}.effort_hours"), "`route` needs `effort_hours`, a distribution"),
            (None, Some(_)) => v.bad(format!("{k}.route"), "`effort_hours` needs `route`, a list of department ids"),
            (None, None) => v.bad(
                format!("{k}.route"),
                "missing `route` and `effort_hours` (or define [categories] to route by issue category)",
            ),
        }
        let label = match p.label.as_deref() {
            None | Some("routine") => Label::Routine,
            Some("petition") => Label::Petition,
            Some(other) => {
                v.bad(format!("{k}.label"), format!("expected \"routine\" or \"petition\", found \"{other}\""));
                Label::Routine
            }
        };
        let sign_off = if p.sign_off.unwrap_or(false) {
            let leader = match &p.leader {
                Some(l) => v.lookup(&format!("{k}.leader"), l, &leader_ids, "leader"),
                None => {
                    v.bad(format!("{k}.leader"), "sign_off = true needs `leader`");
                    None
                }
            };
            let hours = match &p.sign_off_hours {
                Some(d) => v.dist(&format!("{k}.sign_off_hours"), d),
                None => {
                    v.bad(format!("{k}.sign_off_hours"), "sign_off = true needs `sign_off_hours`, a distribution");
                    Dist::fixed(0.0)
                }
            };
            leader.map(|l| (l, hours))
        } else {
            if p.sign_off_hours.is_some() {
                v.bad(format!("{k}.sign_off_hours"), "`sign_off_hours` needs sign_off = true");
            }
            None
        };
        let desk = p.desk.as_ref().map(|d| {
            let kd = format!("{k}.desk");
            if p.dispatch != "auto" && p.dispatch != "centre" {
                v.bad(
                    kd.clone(),
                    "only dispatch = \"auto\" or \"centre\" has a dispatch desk (operators and leaders dispatch themselves)",
                );
            }
            let dispatch = v.dist(&format!("{kd}.dispatch_hours"), &d.dispatch_hours);
            DeskSpec {
                staff: v.count_in(&format!("{kd}.staff"), d.staff, 1, 100_000) as u32,
                redispatch: match &d.redispatch_hours {
                    Some(r) => v.dist(&format!("{kd}.redispatch_hours"), r),
                    None => dispatch.clone(),
                },
                dispatch,
            }
        });
        let returns = p.returns.as_ref().map(|r| {
            let kr = format!("{k}.returns");
            if (p.dispatch == "auto" || p.dispatch == "centre") && p.desk.is_none() {
                v.bad(kr.clone(), "returns on an auto-dispatched platform need a `desk` to re-dispatch them");
            }
            v.removed(
                &format!("{kr}.prob"),
                r.prob.is_some(),
                "whether a department returns an order now follows the departments' decision model \
                 ([decisions.take_up]); `returns` only grants the return right",
            );
            ReturnSpec {
                department_hours: v.non_negative(&format!("{kr}.department_hours"), r.department_hours.unwrap_or(0.25)),
                max_returns: v.count(&format!("{kr}.max_returns"), r.max_returns.unwrap_or(2), 0).min(1000) as u32,
            }
        });
        let audit = p.audit.as_ref().map(|a| {
            let ka = format!("{k}.audit");
            for (name, present) in [
                ("base_fail", a.base_fail.is_some()),
                ("load_fail", a.load_fail.is_some()),
                ("stress_fail", a.stress_fail.is_some()),
            ] {
                v.removed(
                    &format!("{ka}.{name}"),
                    present,
                    "how often replies fail the audit now follows the departments' load and stress \
                     ([decisions.sloppiness])",
                );
            }
            AuditSpec {
                redo_effort_share: v
                    .non_negative(&format!("{ka}.redo_effort_share"), a.redo_effort_share.unwrap_or(0.5)),
                catch: v.probability(&format!("{ka}.catch"), a.catch.unwrap_or(1.0)),
            }
        });
        let mut satisfaction = SatisfactionSpec::default();
        if let Some(s) = &p.satisfaction {
            let ks = format!("{k}.satisfaction");
            if let Some(x) = s.on_time {
                satisfaction.on_time = v.probability(&format!("{ks}.on_time"), x);
            }
            if let Some(x) = s.late {
                satisfaction.late = v.probability(&format!("{ks}.late"), x);
            }
            if let Some(x) = s.unresolved {
                satisfaction.unresolved = v.probability(&format!("{ks}.unresolved"), x);
            }
        }
        let assessment = p.assessment.as_ref().map(|a| {
            let ka = format!("{k}.assessment");
            v.removed(
                &format!("{ka}.persuade_prob"),
                a.persuade_prob.is_some(),
                "how often a unit persuades callers now follows its assessment score against the target \
                 ([decisions.gaming])",
            );
            AssessmentSpec {
                period_days: v.within(&format!("{ka}.period_days"), a.period_days.unwrap_or(30.0), 1.0, 100_000.0),
                target: v.probability(&format!("{ka}.target"), a.target),
                persuasion_hours: v.non_negative(&format!("{ka}.persuasion_hours"), a.persuasion_hours.unwrap_or(0.5)),
                persuasion_success: v
                    .probability(&format!("{ka}.persuasion_success"), a.persuasion_success.unwrap_or(0.5)),
                penalty: v.probability(&format!("{ka}.penalty"), a.penalty.unwrap_or(0.0)),
            }
        });
        let repeat = p.repeat.as_ref().map(|r| {
            (
                v.probability(&format!("{k}.repeat.prob"), r.prob),
                v.non_negative(&format!("{k}.repeat.delay_days"), r.delay_days.unwrap_or(7.0)),
            )
        });
        let shocks = p
            .shocks
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let ks = format!("{k}.shocks.{i}");
                let a = v.non_negative(&format!("{ks}.from_day"), s.from_day);
                let b = v.non_negative(&format!("{ks}.to_day"), s.to_day);
                if b <= a && a.is_finite() && b.is_finite() {
                    v.bad(format!("{ks}.to_day"), format!("expected a day after from_day ({a}), found {b}"));
                }
                (a, b, v.non_negative(&format!("{ks}.multiplier"), s.multiplier))
            })
            .collect();
        let director = p.director.as_ref().and_then(|l| v.lookup(&format!("{k}.director"), l, &leader_ids, "leader"));
        let citizen_channel = p.citizen_channel.unwrap_or(false);
        if citizen_channel && raw.villages.is_empty() {
            v.bad(format!("{k}.citizen_channel"), "citizen_channel = true needs [villages]");
        }
        platforms.push(PlatformSpec {
            id: id.clone(),
            dispatch,
            arrival_rate_per_day: rate,
            route,
            effort,
            label,
            deadline_days: p.deadline_days.map(|d| v.positive(&format!("{k}.deadline_days"), d)),
            sign_off,
            director,
            appraised: p.appraised.unwrap_or(false),
            documentation_hours: v
                .non_negative(&format!("{k}.documentation_minutes"), p.documentation_minutes.unwrap_or(0.0))
                / 60.0,
            coordination_hours: v.non_negative(&format!("{k}.coordination_hours"), p.coordination_hours.unwrap_or(0.0)),
            citizen_channel,
            appeal: p
                .appeal
                .map(|a| {
                    v.finite(&format!("{k}.appeal"), a);
                    a
                })
                .unwrap_or(0.0),
            initial_trust: v.probability(&format!("{k}.initial_trust"), p.initial_trust.unwrap_or(0.5)),
            desk,
            returns,
            audit,
            satisfaction,
            assessment,
            unreasonable_share: v.probability(&format!("{k}.unreasonable_share"), p.unreasonable_share.unwrap_or(0.0)),
            screening_prob: p.screening.as_ref().map_or(0.0, |s| v.probability(&format!("{k}.screening.prob"), s.prob)),
            repeat,
            shocks,
            relays: p.relays.as_ref().map(|r| {
                let kr = format!("{k}.relays");
                if !citizen_channel && raw.grid.is_none() {
                    v.bad(
                        kr.clone(),
                        "relays carry village and grid reports: the platform needs citizen_channel or [grid]",
                    );
                }
                RelaySpec {
                    steps: v.count_in(&format!("{kr}.steps"), r.steps, 0, 20) as u32,
                    delay_days: v.non_negative(&format!("{kr}.delay_days"), r.delay_days.unwrap_or(1.0)),
                    loss: v.probability(&format!("{kr}.loss"), r.loss.unwrap_or(0.0)),
                }
            }),
            sensors: p.sensors.as_ref().map(|s| SensorSpec {
                rate_per_day: v.within(&format!("{k}.sensors.rate_per_day"), s.rate_per_day, 0.0, 1e6),
            }),
            inquiry_share: v.probability(&format!("{k}.inquiry_share"), p.inquiry_share.unwrap_or(0.0)),
            urgency: p.urgency.as_ref().map_or_else(Vec::new, |u| urgency(&mut v, &k, u, p.deadline_days.is_some())),
            disabled: false,
        });
    }
    if platforms.is_empty() {
        v.bad("platforms", "expected at least one [platforms.<id>] table");
    }

    // Villages, citizens, grid.
    let mut villages = Vec::new();
    for (id, vl) in &raw.villages {
        let k = format!("villages.{id}");
        villages.push(VillageSpec {
            id: id.clone(),
            population: v.count_in(&format!("{k}.population"), vl.population, 0, 100_000_000) as u32,
            issues_per_1000_per_day: v
                .non_negative(&format!("{k}.issues_per_1000_per_day"), vl.issues_per_1000_per_day),
            grid_workers: v.count_in(&format!("{k}.grid_workers"), vl.grid_workers.unwrap_or(0), 0, 1_000_000) as u32,
        });
    }
    if !villages.is_empty() && raw.categories.is_empty() {
        v.bad("villages", "villages raise issues by category: define at least one [categories.<id>]");
    }
    let citizens = match (&raw.citizens, villages.is_empty()) {
        (Some(_), true) => {
            v.bad("citizens", "[citizens] needs [villages]");
            None
        }
        (c, false) => {
            let d = RawCitizens {
                trust_weight: None,
                offline_utility: None,
                silence_utility: None,
                learning_rate: None,
                late_target: None,
                offline_target: None,
            };
            let c = c.as_ref().unwrap_or(&d);
            Some(CitizenSpec {
                trust_weight: c.trust_weight.map(|x| v.non_negative("citizens.trust_weight", x)).unwrap_or(3.0),
                offline_utility: c
                    .offline_utility
                    .map(|x| {
                        v.finite("citizens.offline_utility", x);
                        x
                    })
                    .unwrap_or(0.0),
                silence_utility: c
                    .silence_utility
                    .map(|x| {
                        v.finite("citizens.silence_utility", x);
                        x
                    })
                    .unwrap_or(0.0),
                learning_rate: v.probability("citizens.learning_rate", c.learning_rate.unwrap_or(0.0)),
                late_target: v.probability("citizens.late_target", c.late_target.unwrap_or(0.5)),
                offline_target: v.probability("citizens.offline_target", c.offline_target.unwrap_or(0.25)),
            })
        }
        (None, true) => None,
    };
    let grid = raw.grid.as_ref().map(|g| {
        if villages.is_empty() {
            v.bad("grid", "[grid] needs [villages]");
        }
        GridSpec {
            discovery_prob_per_worker: v.probability("grid.discovery_prob_per_worker", g.discovery_prob_per_worker),
            discovery_delay_days: v.non_negative("grid.discovery_delay_days", g.discovery_delay_days.unwrap_or(3.0)),
            in_scope_share: v.probability("grid.in_scope_share", g.in_scope_share.unwrap_or(0.0)),
            village_share: g.village_share.map(|x| v.probability("grid.village_share", x)),
            // With townships a name may be each township's own platform: resolved per village below.
            platforms: if exp.is_some() {
                Vec::new()
            } else {
                g.platforms.iter().filter_map(|p| v.lookup("grid.platforms", p, &platform_ids, "platform")).collect()
            },
            entry_hours: v.non_negative("grid.entry_minutes", g.entry_minutes.unwrap_or(0.0)) / 60.0,
        }
    });
    let reengineering = raw.reengineering.as_ref().map(|r| ReengineeringSpec {
        learn: v.non_negative("reengineering.learn", r.learn),
        decay: v.non_negative("reengineering.decay", r.decay),
        effort_cut: v.probability("reengineering.effort_cut", r.effort_cut.unwrap_or(0.5)),
        coordination_cut: v.probability("reengineering.coordination_cut", r.coordination_cut.unwrap_or(0.5)),
        initial: v.probability("reengineering.initial", r.initial.unwrap_or(0.0)),
    });
    let mut regimes = RegimeSpec::default();
    if let Some(r) = &raw.regimes {
        if let Some(w) = r.window_days {
            let w = v.within("regimes.window_days", w, 1.0, 100_000.0);
            regimes.window_days = w.clamp(1.0, 100_000.0) as u32;
        }
        let mut set = |name: &str, x: Option<f64>, slot: &mut f64| {
            if let Some(x) = x {
                *slot = v.probability(&format!("regimes.{name}"), x);
            }
        };
        set("embedded_closed", r.embedded_closed, &mut regimes.embedded_closed);
        set("embedded_on_time", r.embedded_on_time, &mut regimes.embedded_on_time);
        set("floating_closed", r.floating_closed, &mut regimes.floating_closed);
        set("idling_usage", r.idling_usage, &mut regimes.idling_usage);
        set("reengineered_r", r.reengineered_r, &mut regimes.reengineered_r);
        set("overloaded_on_time", r.overloaded_on_time, &mut regimes.overloaded_on_time);
        set("overloaded_capacity_misses", r.overloaded_capacity_misses, &mut regimes.overloaded_capacity_misses);
        set("capacity_share", r.capacity_share, &mut regimes.capacity_share);
        set("burden_rise", r.burden_rise, &mut regimes.burden_rise);
        if let Some(m) = r.min_decided {
            regimes.min_decided = v.count("regimes.min_decided", m, 1);
        }
        if let Some(m) = r.launch_days {
            regimes.launch_days = v.count_in("regimes.launch_days", m, 1, 100_000) as u32;
        }
        if let Some(b) = r.burden_share {
            regimes.burden_share = v.probability("regimes.burden_share", b);
        }
        if let Some(m) = r.persist_days {
            regimes.persist_days = v.count_in("regimes.persist_days", m, 1, 100_000) as u32;
        }
    }

    let county = raw.county.as_ref().map(|c| CountySpec {
        escalate_prob: v.probability("county.escalate_prob", c.escalate_prob),
        delay_days: v.non_negative("county.delay_days", c.delay_days.unwrap_or(10.0)),
        resolve_prob: v.probability("county.resolve_prob", c.resolve_prob.unwrap_or(1.0)),
    });

    let decisions = decisions(&mut v, raw.decisions.as_ref());
    let pooling = raw.pooling.as_ref().map(|p| {
        let slack = v.within("pooling.slack_backlog_per_staff", p.slack_backlog_per_staff.unwrap_or(0.5), 0.0, 1e6);
        PoolingSpec {
            trigger_backlog_per_staff: v.within(
                "pooling.trigger_backlog_per_staff",
                p.trigger_backlog_per_staff,
                1e-6,
                1e6,
            ),
            slack_backlog_per_staff: slack,
            release_backlog_per_staff: v.within(
                "pooling.release_backlog_per_staff",
                p.release_backlog_per_staff.unwrap_or(slack),
                0.0,
                1e6,
            ),
            move_delay_days: v.within("pooling.move_delay_days", p.move_delay_days.unwrap_or(1.0), 0.0, 100_000.0),
            move_cost_hours: v.within("pooling.move_cost_hours", p.move_cost_hours.unwrap_or(0.0), 0.0, 10_000.0),
            max_share: v.probability("pooling.max_share", p.max_share.unwrap_or(0.25)),
        }
    });
    let points = raw.points.as_ref().map(|p| {
        if villages.is_empty() {
            v.bad("points", "[points] rewards villagers: it needs [villages]");
        }
        let shared_only = p.shared_only.unwrap_or(false);
        if shared_only && !categories.is_empty() && !categories.iter().any(|c| c.shared) {
            v.bad(
                "points.shared_only",
                "shared_only = true rewards only categories with shared = true, and none has it",
            );
        }
        PointsSpec {
            report_boost: v.within("points.report_boost", p.report_boost.unwrap_or(0.0), 0.0, 20.0),
            volunteer_share: v.probability("points.volunteer_share", p.volunteer_share.unwrap_or(0.0)),
            shared_only,
        }
    });
    let layout = layout(&mut v, raw, exp, &platforms, &categories, &villages, grid.as_ref(), &platform_ids);
    let ranking = raw.ranking.as_ref().and_then(|r| {
        let platform = v.lookup("ranking.platform", &r.platform, &platform_ids, "platform")?;
        if raw.platforms.values().nth(platform).is_some_and(|p| p.assessment.is_some()) {
            v.bad(
                "ranking",
                format!(
                    "platform \"{}\" has an `assessment` already: a ranking replaces it (remove one of them)",
                    crate::text::printable(&r.platform)
                ),
            );
        }
        Some(RankingSpec {
            platform,
            period_days: v.within("ranking.period_days", r.period_days.unwrap_or(30.0), 1.0, 3_650.0),
            start_day: v.within("ranking.start_day", r.start_day.unwrap_or(0.0), 0.0, 100_000.0),
            bottom_share: v.within("ranking.bottom_share", r.bottom_share.unwrap_or(0.1), 0.0, 0.5),
            min_orders: v.count_in("ranking.min_orders", r.min_orders.unwrap_or(5), 1, 1_000_000),
            penalty: v.within("ranking.penalty", r.penalty.unwrap_or(0.2), 0.0, 10.0),
            persuasion_hours: v.within("ranking.persuasion_hours", r.persuasion_hours.unwrap_or(0.5), 0.0, 1_000.0),
            persuasion_success: v.probability("ranking.persuasion_success", r.persuasion_success.unwrap_or(0.5)),
        })
    });
    let whistle = raw.whistle.as_ref().map(|w| {
        if !departments.iter().any(|d| d.county) {
            v.bad(
                "whistle",
                "the whistle summons district departments: mark at least one department level = \"county\"",
            );
        }
        WhistleSpec {
            report_hours: v.within("whistle.report_hours", w.report_hours.unwrap_or(48.0), 0.1, 100_000.0),
            penalty: v.within("whistle.penalty", w.penalty.unwrap_or(0.2), 0.0, 10.0),
        }
    });
    let proactive = raw.proactive.as_ref().map(|a| {
        if categories.is_empty() {
            v.bad("proactive", "proactive work targets recurring categories: define [categories.<id>]");
        }
        ProactiveSpec {
            period_days: v.within("proactive.period_days", a.period_days.unwrap_or(30.0), 1.0, 3_650.0),
            categories: v.count_in("proactive.categories", a.categories.unwrap_or(1), 1, 1_000) as u32,
            hours: v.within("proactive.hours", a.hours, 0.5, 100_000.0),
            cut: v.probability("proactive.cut", a.cut.unwrap_or(0.1)),
            floor: v.probability("proactive.floor", a.floor.unwrap_or(0.5)),
            relapse_days: v.within("proactive.relapse_days", a.relapse_days.unwrap_or(180.0), 1.0, 100_000.0),
        }
    });
    let turnover = raw.turnover.as_ref().map(|t| {
        let mut days = Vec::new();
        for (i, &d) in t.days.iter().enumerate() {
            let d = v.within(&format!("turnover.days[{i}]"), d, 0.0, 100_000.0);
            if days.last().is_some_and(|&last| d < last) {
                v.bad("turnover.days", "expected days in ascending order");
            }
            days.push(d);
        }
        if days.is_empty() {
            v.bad("turnover.days", "expected at least one day on which the leader changes");
        }
        TurnoverSpec {
            days,
            institutionalised: t.institutionalised.unwrap_or(false),
            decay_days: v.within("turnover.decay_days", t.decay_days.unwrap_or(90.0), 1.0, 100_000.0),
            leader: t.leader.as_ref().and_then(|l| v.lookup("turnover.leader", l, &leader_ids, "leader")),
        }
    });

    if !v.problems.is_empty() {
        return Err(collapse(v.problems));
    }
    Ok(Scenario {
        name: raw.name.clone().unwrap_or_else(|| default_name(origin)),
        description: raw.description.clone(),
        origin: origin.to_string(),
        simulation: Simulation {
            duration_days,
            warmup_days,
            seed,
            replications: replications as u32,
            max_open_orders,
            max_queued_jobs,
            max_events,
            day_records: DayRecords::default(),
        },
        calendar,
        departments,
        leaders,
        platforms,
        categories,
        villages,
        citizens,
        grid,
        reengineering,
        regimes,
        county,
        decisions,
        pooling,
        points,
        ranking,
        whistle,
        proactive,
        turnover,
        layout,
        names,
    })
}

/// Indices of a world's entities (categories, platforms) grouped by the township that owns them,
/// each group in index order; `shared` holds those no township owns.
struct ByOwner {
    shared: Vec<usize>,
    own: Vec<Vec<usize>>,
}

impl ByOwner {
    /// Groups the indices `i` of `owners` for which `keep(i)` holds.
    fn new(owners: &[Option<usize>], keep: impl Fn(usize) -> bool) -> ByOwner {
        let mut by = ByOwner { shared: Vec::new(), own: Vec::new() };
        for (i, owner) in owners.iter().enumerate().filter(|&(i, _)| keep(i)) {
            match *owner {
                None => by.shared.push(i),
                Some(t) => {
                    if by.own.len() <= t {
                        by.own.resize_with(t + 1, Vec::new);
                    }
                    by.own[t].push(i);
                }
            }
        }
        by
    }

    /// What an entity of township `t` (none: of no township) reaches, in index order: the
    /// shared ones and, for a township's, that township's own (a merge of two sorted lists).
    fn reached_from(&self, t: Option<usize>) -> Vec<usize> {
        let own: &[usize] = t.and_then(|t| self.own.get(t)).map_or(&[], Vec::as_slice);
        let (mut a, mut b) = (self.shared.iter().peekable(), own.iter().peekable());
        let mut out = Vec::with_capacity(self.shared.len() + own.len());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(&&x), Some(&&y)) if x < y => a.next(),
                (Some(_), Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, Some(_)) => b.next(),
                (None, None) => break,
            };
            out.extend(next.copied());
        }
        out
    }
}

/// Most characters of a display name or a 中文 description.
pub const MAX_DISPLAY_CHARS: usize = 200;

/// Every `display = { en, zh }` of the file, and `description_zh`.
fn display_names(v: &mut V, raw: &RawScenario) -> Names {
    let mut entities = BTreeMap::new();
    let mut add = |v: &mut V, kind: &str, id: &str, d: Option<&RawDisplay>| {
        let key = format!("{kind}.{id}");
        let d = v.display(&format!("{key}.display"), d);
        if d != Display::default() {
            entities.insert(key, d);
        }
    };
    for (id, x) in &raw.departments {
        add(v, "departments", id, x.display.as_ref());
    }
    for (id, x) in &raw.leaders {
        add(v, "leaders", id, x.display.as_ref());
    }
    for (id, x) in &raw.platforms {
        add(v, "platforms", id, x.display.as_ref());
    }
    for (id, x) in &raw.categories {
        add(v, "categories", id, x.display.as_ref());
    }
    for (id, x) in &raw.villages {
        add(v, "villages", id, x.display.as_ref());
    }
    Names {
        scenario: v.display("display", raw.display.as_ref()),
        description_zh: raw.description_zh.as_ref().and_then(|t| {
            if t.chars().count() > 2_000 {
                v.bad("description_zh", format!("expected at most 2000 characters, found {}", t.chars().count()));
                return None;
            }
            Some(t.clone())
        }),
        entities,
    }
}

/// Who owns what, and what each village and platform reaches (see [`Layout`]).
#[allow(clippy::too_many_arguments)]
fn layout(
    v: &mut V,
    raw: &RawScenario,
    exp: Option<&super::townships::Expansion>,
    platforms: &[PlatformSpec],
    categories: &[CategorySpec],
    villages: &[VillageSpec],
    grid: Option<&GridSpec>,
    platform_ids: &BTreeMap<String, usize>,
) -> Layout {
    let own = |kind: usize, id: &str| exp.and_then(|e| e.owner_of(kind, id));
    let department: Vec<Option<usize>> = raw.departments.keys().map(|id| own(1, id)).collect();
    let leader: Vec<Option<usize>> = raw.leaders.keys().map(|id| own(0, id)).collect();
    let platform: Vec<Option<usize>> = platforms.iter().map(|p| own(2, &p.id)).collect();
    let category: Vec<Option<usize>> = categories.iter().map(|c| own(3, &c.id)).collect();
    let village: Vec<Option<usize>> = villages.iter().map(|x| own(4, &x.id)).collect();
    // What a village or platform of township `t` reaches: what is shared (no owner) and what is
    // its own township's, in index order. Grouped by owner once, so that a world of thousands of
    // townships costs what it holds, not platforms × categories.
    let categories_by = ByOwner::new(&category, |_| true);
    let channels_by = ByOwner::new(&platform, |p| platforms[p].citizen_channel);
    let village_categories = village.iter().map(|&t| categories_by.reached_from(t)).collect();
    let village_channels = village.iter().map(|&t| channels_by.reached_from(t)).collect();
    let shared = &categories_by.shared;
    let platform_categories = platform
        .iter()
        .map(|&t| match t {
            Some(_) => categories_by.reached_from(t),
            None if !shared.is_empty() => shared.clone(),
            None => (0..categories.len()).collect(),
        })
        .collect();
    let village_grid = match (grid, exp, &raw.grid) {
        (Some(g), None, _) => vec![g.platforms.clone(); villages.len()],
        (Some(_), Some(e), Some(rg)) => {
            let lists: Vec<Vec<PlatformId>> = village
                .iter()
                .map(|&t| {
                    rg.platforms
                        .iter()
                        .filter_map(|name| {
                            let local = t.and_then(|t| e.townships[t].names[2].get(name));
                            platform_ids.get(local.unwrap_or(name)).copied()
                        })
                        .collect()
                })
                .collect();
            for name in &rg.platforms {
                let anywhere =
                    platform_ids.contains_key(name) || e.townships.iter().any(|t| t.names[2].contains_key(name));
                if !anywhere {
                    v.bad("grid.platforms", format!("unknown platform \"{name}\" (in no township and not shared)"));
                }
            }
            lists
        }
        _ => vec![Vec::new(); villages.len()],
    };
    let townships = exp
        .map(|e| e.townships.iter().map(|t| TownshipSpec { id: t.id.clone(), district: t.district.clone() }).collect())
        .unwrap_or_default();
    Layout {
        townships,
        department,
        leader,
        platform,
        village,
        village_categories,
        village_channels,
        village_grid,
        platform_categories,
    }
}

fn slowdown_form(v: &mut V, ks: &str, st: &RawStress) -> SlowdownForm {
    let form = match st.form.as_deref() {
        None | Some("linear") => SlowdownForm::Linear,
        Some("saturating") => {
            let h = v.positive(&format!("{ks}.half"), st.half.unwrap_or(0.2));
            SlowdownForm::Saturating { half: if h > 0.0 && h.is_finite() { h } else { 0.2 } }
        }
        Some("threshold") => {
            let at = v.probability(&format!("{ks}.threshold"), st.threshold.unwrap_or(0.5));
            if at <= 0.0 {
                v.bad(format!("{ks}.threshold"), format!("expected a level in (0, 1], found {at}"));
            }
            SlowdownForm::Threshold { at }
        }
        Some(other) => {
            v.bad(
                format!("{ks}.form"),
                format!("expected \"linear\", \"saturating\" or \"threshold\", found \"{other}\""),
            );
            SlowdownForm::Linear
        }
    };
    if st.half.is_some() && !matches!(form, SlowdownForm::Saturating { .. }) {
        v.bad(format!("{ks}.half"), "`half` goes with form = \"saturating\"");
    }
    if st.threshold.is_some() && !matches!(form, SlowdownForm::Threshold { .. }) {
        v.bad(format!("{ks}.threshold"), "`threshold` goes with form = \"threshold\"");
    }
    form
}

/// `platforms.<id>.urgency`: tiers of (share, limit in calendar hours).
fn urgency(v: &mut V, k: &str, u: &RawUrgency, has_deadline: bool) -> Vec<(f64, f64)> {
    let k = format!("{k}.urgency");
    if has_deadline {
        v.bad(format!("{k}"), "urgency sets each order's time limit: remove deadline_days, or urgency");
    }
    if u.shares.len() != u.limit_hours.len() || u.shares.is_empty() || u.shares.len() > MAX_URGENCY_TIERS {
        v.bad(
            format!("{k}.limit_hours"),
            format!(
                "expected as many limits as shares (1 to 20 tiers), found {} shares and {} limits",
                u.shares.len(),
                u.limit_hours.len()
            ),
        );
        return Vec::new();
    }
    let tiers: Vec<(f64, f64)> = u
        .shares
        .iter()
        .zip(&u.limit_hours)
        .enumerate()
        .map(|(i, (&s, &h))| {
            (
                v.within(&format!("{k}.shares[{i}]"), s, 0.0, 1e6),
                v.within(&format!("{k}.limit_hours[{i}]"), h, 0.01, 1e6),
            )
        })
        .collect();
    if tiers.iter().map(|t| t.0).sum::<f64>() <= 0.0 {
        v.bad(format!("{k}.shares"), "expected at least one share > 0");
    }
    tiers
}

/// `[decisions]`: every key optional, each with a stated range.
fn decisions(v: &mut V, raw: Option<&RawDecisions>) -> DecisionSpec {
    let mut d = DecisionSpec::default();
    let Some(raw) = raw else { return d };
    // Sanctions and duty are weights in days of work: 0 to 20 (sanctions) or 10 covers any
    // sensible reading (the calibrated leader's sanction is 6.5).
    let weight = |v: &mut V, key: &str, x: Option<f64>, slot: &mut f64, max: f64| {
        if let Some(x) = x {
            if v.finite(key, x) && !(0.0..=max).contains(&x) {
                v.bad(key, format!("expected a number from 0 to {max}, found {x}"));
            }
            *slot = x;
        }
    };
    if let Some(s) = &raw.sanction {
        let t = &mut d.sanction;
        weight(v, "decisions.sanction.leader", s.leader, &mut t.leader, 20.0);
        weight(v, "decisions.sanction.assessment", s.assessment, &mut t.assessment, 20.0);
        weight(v, "decisions.sanction.veto", s.veto, &mut t.veto, 20.0);
        weight(v, "decisions.sanction.line_task", s.line_task, &mut t.line_task, 20.0);
        weight(v, "decisions.sanction.none", s.none, &mut t.none, 20.0);
        weight(v, "decisions.sanction.petition", s.petition, &mut t.petition, 20.0);
        weight(v, "decisions.sanction.ranking", s.ranking, &mut t.ranking, 20.0);
        weight(v, "decisions.sanction.ranking_bottom", s.ranking_bottom, &mut t.ranking_bottom, 20.0);
        weight(v, "decisions.sanction.whistle", s.whistle, &mut t.whistle, 20.0);
        weight(v, "decisions.sanction.proactive", s.proactive, &mut t.proactive, 20.0);
        weight(v, "decisions.sanction.centre", s.centre, &mut t.centre, 20.0);
        if let Some(x) = s.follow_up {
            t.follow_up = v.probability("decisions.sanction.follow_up", x);
        }
    }
    if let Some(t) = &raw.take_up {
        let u = &mut d.take_up;
        weight(v, "decisions.take_up.duty", t.duty, &mut u.duty, 10.0);
        weight(v, "decisions.take_up.sensitivity", t.sensitivity, &mut u.sensitivity, 100.0);
        weight(v, "decisions.take_up.load_weight", t.load_weight, &mut u.load_weight, 100.0);
        weight(v, "decisions.take_up.outside_authority", t.outside_authority, &mut u.outside_authority, 10.0);
    }
    if let Some(r) = &raw.refusals {
        let f = &mut d.refusals;
        if let Some(x) = r.max_returns {
            f.max_returns = v.count_in("decisions.refusals.max_returns", x, 0, 1000) as u32;
        }
        if let Some(x) = r.department_hours {
            f.department_hours = v.within("decisions.refusals.department_hours", x, 0.0, 24.0);
        }
        if let Some(x) = r.offline_prob {
            f.offline_prob = v.probability("decisions.refusals.offline_prob", x);
        }
        if let Some(x) = r.reroute_days {
            f.reroute_days = v.within("decisions.refusals.reroute_days", x, 0.0, 365.0);
        }
    }
    if let Some(s) = &raw.sloppiness {
        let q = &mut d.sloppiness;
        if let Some(x) = s.floor {
            q.floor = v.probability("decisions.sloppiness.floor", x);
        }
        if let Some(x) = s.ceiling {
            q.ceiling = v.probability("decisions.sloppiness.ceiling", x);
        }
        weight(v, "decisions.sloppiness.load", s.load, &mut q.load, 100.0);
        weight(v, "decisions.sloppiness.stress", s.stress, &mut q.stress, 100.0);
        weight(v, "decisions.sloppiness.neglect", s.neglect, &mut q.neglect, 100.0);
        if q.ceiling < q.floor {
            v.bad(
                "decisions.sloppiness.ceiling",
                format!("expected at least sloppiness.floor ({}), found {}", q.floor, q.ceiling),
            );
        }
    }
    if let Some(g) = &raw.gaming {
        weight(v, "decisions.gaming.margin", g.margin, &mut d.gaming.margin, 1.0);
        if let Some(x) = g.scale {
            if v.finite("decisions.gaming.scale", x) && !(x > 0.0 && x <= 1.0) {
                v.bad("decisions.gaming.scale", format!("expected a number in (0, 1], found {x}"));
            }
            d.gaming.scale = x;
        }
    }
    if let Some(x) = raw.coordination_relief {
        d.coordination_relief = v.probability("decisions.coordination_relief", x);
    }
    d
}

fn default_name(origin: &str) -> String {
    std::path::Path::new(origin)
        .file_stem()
        .map(|s| crate::text::printable(&s.to_string_lossy()).into_owned())
        .unwrap_or_else(|| "scenario".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Grouped by owner, the lists are what filtering every index gives (the way they were
        /// first built): shared or the township's own, in index order.
        #[test]
        fn grouping_by_owner_reaches_what_filtering_does(
            owners in proptest::collection::vec(proptest::option::of(0usize..6), 0..60),
            kept in proptest::collection::vec(any::<bool>(), 60),
        ) {
            let keep = |i: usize| kept[i];
            let by = ByOwner::new(&owners, keep);
            for t in std::iter::once(None).chain((0..8).map(Some)) {
                let filtered: Vec<usize> = (0..owners.len())
                    .filter(|&i| keep(i) && (owners[i].is_none() || owners[i] == t))
                    .collect();
                prop_assert_eq!(by.reached_from(t), filtered);
            }
        }
    }
}
