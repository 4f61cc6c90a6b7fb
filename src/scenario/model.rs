//! The validated scenario: types that cannot hold an invalid value.
//!
//! Entities refer to each other by index (`DeptId`, `LeaderId`, ...) into the vectors of
//! [`Scenario`]; names stay alongside for output. Maps were read as `BTreeMap`, so indices follow
//! the alphabetical order of ids, whatever order the file lists them in.

use crate::engine::dist::Dist;
use crate::engine::time::WorkClock;

/// Index of a department in [`Scenario::departments`].
pub type DeptId = usize;
/// Index of a leader in [`Scenario::leaders`].
pub type LeaderId = usize;
/// Index of a platform in [`Scenario::platforms`].
pub type PlatformId = usize;
/// Index of a category in [`Scenario::categories`].
pub type CategoryId = usize;
/// Index of a village in [`Scenario::villages`].
pub type VillageId = usize;

/// A complete, validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Short name, used for the default output folder.
    pub name: String,
    /// Free text from the file.
    pub description: Option<String>,
    /// Where it was loaded from (a path, or a note for generated scenarios).
    pub origin: String,
    /// Run length and replications.
    pub simulation: Simulation,
    /// The township's working calendar.
    pub calendar: WorkClock,
    /// Departments, by id order.
    pub departments: Vec<DepartmentSpec>,
    /// Core leaders.
    pub leaders: Vec<LeaderSpec>,
    /// Platforms.
    pub platforms: Vec<PlatformSpec>,
    /// Issue categories (empty: platforms carry their own route and effort).
    pub categories: Vec<CategorySpec>,
    /// Villages whose citizens raise issues (empty: only platforms' own arrivals).
    pub villages: Vec<VillageSpec>,
    /// Channel choice and trust (M4), present when villages are.
    pub citizens: Option<CitizenSpec>,
    /// Grid workers' patrols.
    pub grid: Option<GridSpec>,
    /// Process reengineering (M5).
    pub reengineering: Option<ReengineeringSpec>,
    /// The regime classifier's settings.
    pub regimes: RegimeSpec,
    /// Authority above the township (M7), if any category needs it.
    pub county: Option<CountySpec>,
    /// The departments' decision model (`[decisions]`; defaults when absent).
    pub decisions: DecisionSpec,
    /// Resource pooling between departments (`[pooling]`; none when absent).
    pub pooling: Option<PoolingSpec>,
    /// The points system (`[points]`; none when absent).
    pub points: Option<PointsSpec>,
    /// A ranking of units on one platform's orders (`[ranking]`; none when absent).
    pub ranking: Option<RankingSpec>,
    /// Streets summoning district departments (`[whistle]`; none when absent).
    pub whistle: Option<WhistleSpec>,
    /// Proactive work on recurring problems (`[proactive]`; none when absent).
    pub proactive: Option<ProactiveSpec>,
    /// The reforms' champion leaving (`[turnover]`; none when absent).
    pub turnover: Option<TurnoverSpec>,
    /// Which township owns what, and what each village and platform can reach.
    pub layout: Layout,
    /// Names for people, in English and 中文 (`display = { en, zh }` beside ids).
    pub names: super::display::Names,
}

/// One township (street) of a scenario with `[townships]`.
#[derive(Debug, Clone, PartialEq)]
pub struct TownshipSpec {
    /// Its id.
    pub id: String,
    /// Its district, if any.
    pub district: Option<String>,
}

/// Who belongs to which township, and what each village and platform reaches. A scenario
/// without `[townships]` is one township whose lists hold everything, in scenario order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    /// The townships (empty without `[townships]`).
    pub townships: Vec<TownshipSpec>,
    /// Owning township of each department (None: a shared unit).
    pub department: Vec<Option<usize>>,
    /// Owning township of each leader.
    pub leader: Vec<Option<usize>>,
    /// Owning township of each platform.
    pub platform: Vec<Option<usize>>,
    /// Owning township of each village.
    pub village: Vec<Option<usize>>,
    /// Categories each village's issues are drawn from: its township's and the shared ones.
    pub village_categories: Vec<Vec<CategoryId>>,
    /// Platforms open to each village's citizens: its township's and the shared ones.
    pub village_channels: Vec<Vec<PlatformId>>,
    /// Platforms each village's grid workers enter reports into.
    pub village_grid: Vec<Vec<PlatformId>>,
    /// Categories each platform's own intake is drawn from.
    pub platform_categories: Vec<Vec<CategoryId>>,
}

impl Layout {
    /// The township and district columns of an entity owned by township `t`.
    pub fn names(&self, t: Option<usize>) -> (&str, &str) {
        match t.and_then(|t| self.townships.get(t)) {
            Some(s) => (s.id.as_str(), s.district.as_deref().unwrap_or("")),
            None => ("", ""),
        }
    }
}

/// `[county]`: what happens to orders that need authority above the township (M7).
#[derive(Debug, Clone, PartialEq)]
pub struct CountySpec {
    /// Share the township escalates; the rest closes unresolved (权小责大).
    pub escalate_prob: f64,
    /// Mean calendar days in the county's queue.
    pub delay_days: f64,
    /// Share of escalated orders the county resolves.
    pub resolve_prob: f64,
}

/// `[simulation]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    /// Calendar days simulated.
    pub duration_days: f64,
    /// Orders arriving before this day are left out of statistics.
    pub warmup_days: f64,
    /// Base seed.
    pub seed: u64,
    /// Independent replications.
    pub replications: u32,
    /// A run stops with an error when more orders than this are open at once.
    pub max_open_orders: usize,
    /// A run stops with an error when more jobs than this wait at once, summed over department
    /// queues (order parts and line tasks), leaders' and deputies' inboxes, operators and desks
    /// (pending events are timers, bounded by the open orders).
    pub max_queued_jobs: usize,
    /// A run stops with an error after this many events.
    pub max_events: u64,
    /// How much of each day a run keeps in memory: chosen by the command that runs it (a plain
    /// `run --series none`, a sweep's points), never read from the file.
    pub day_records: DayRecords,
}

/// How much of each day a run keeps in memory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum DayRecords {
    /// Every record of every day: the daily series, the report's charts, the classroom page.
    #[default]
    All,
    /// What the summary, the regimes and the warm-up advice on `warmup_metric` read: the last
    /// days of the regime window, and a few figures of every platform-day (24 bytes, 32 when
    /// the warm-up metric is not one of open or closed orders, arrivals or trust) for the recovery times and the advice.
    /// A run's memory then grows with its world and its open orders, and with its days only by
    /// those bytes and the township's own day (48 bytes).
    Summary {
        /// The daily series the warm-up advice reads (see `--warmup-metric`).
        warmup_metric: String,
    },
}

/// How a platform's orders reach departments.
#[derive(Debug, Clone, PartialEq)]
pub enum Dispatch {
    /// Straight to the routed departments by a routing table.
    Auto,
    /// Through an operator without authority (M2, M3).
    Operator(OperatorSpec),
    /// A command centre grades each event and routes it at once to the level with authority,
    /// with a lead agency: its dispatch carries authority over township and county departments
    /// alike. Its staff and grading time are the platform's `desk`.
    Centre,
    /// Through a core leader's inbox, with authority (M1, M2).
    Leader { leader: LeaderId, review: Dist },
}

impl Dispatch {
    /// `auto`, `operator` or `leader`.
    pub fn name(&self) -> &'static str {
        match self {
            Dispatch::Auto => "auto",
            Dispatch::Centre => "centre",
            Dispatch::Operator(_) => "operator",
            Dispatch::Leader { .. } => "leader",
        }
    }
}

/// An operator (a middle-level cadre running a command room).
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorSpec {
    /// Working hours per working day given to the platform.
    pub hours_per_day: f64,
    /// Time to triage and negotiate one order.
    pub review: Dist,
    /// Negotiation attempts before giving up on the system.
    pub max_attempts: u32,
    /// Working days between attempts.
    pub retry_days: f64,
    /// Probability that a refused order is settled offline rather than dropped.
    pub offline_prob: f64,
    /// The operator's time to settle one order offline.
    pub offline: Dist,
}

/// A platform's political label: petition cases (信访件) outrank routine work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Label {
    /// Routine.
    Routine,
    /// A petition case.
    Petition,
}

/// A platform.
#[derive(Debug, Clone)]
pub struct PlatformSpec {
    /// Its id in the file.
    pub id: String,
    /// Dispatch mode.
    pub dispatch: Dispatch,
    /// Poisson arrivals per calendar day from the platform's own channels.
    pub arrival_rate_per_day: f64,
    /// Fixed route; `None` means the order's category decides.
    pub route: Option<Vec<DeptId>>,
    /// Fixed effort; `None` means the order's category decides.
    pub effort: Option<Dist>,
    /// Salience label.
    pub label: Label,
    /// Handling limit in working days, if any.
    pub deadline_days: Option<f64>,
    /// The leader who signs off closures, and the time it takes.
    pub sign_off: Option<(LeaderId, Dist)>,
    /// A leader named the platform's director who neither dispatches nor signs off ("only on
    /// the wall"): kept for the record, it carries no sanction (authority is earned by
    /// dispatching and following up, docs/MODEL.md 7.1).
    pub director: Option<LeaderId>,
    /// The platform's handling is appraised (a division of responsibility and a periodic
    /// appraisal) without callers' ratings: its orders carry `sanction.assessment`.
    pub appraised: bool,
    /// Record-keeping per department step (M8), hours.
    pub documentation_hours: f64,
    /// Coordination per extra department on a joint order (M6), hours.
    pub coordination_hours: f64,
    /// Whether citizens can choose this platform (needs villages).
    pub citizen_channel: bool,
    /// Baseline attractiveness in the channel choice.
    pub appeal: f64,
    /// Villages' trust at the start.
    pub initial_trust: f64,
    /// Dispatchers of an auto-dispatched platform.
    pub desk: Option<DeskSpec>,
    /// The departments' return right (M10).
    pub returns: Option<ReturnSpec>,
    /// Reply audit and redo (M9).
    pub audit: Option<AuditSpec>,
    /// How callers rate outcomes.
    pub satisfaction: SatisfactionSpec,
    /// Periodic assessment and gaming (M11).
    pub assessment: Option<AssessmentSpec>,
    /// Share of demands that are unreasonable or outside government remit (M15).
    pub unreasonable_share: f64,
    /// Share of unreasonable demands screened out at intake (M15).
    pub screening_prob: f64,
    /// Unresolved issues coming back (M16): probability and mean delay in days.
    pub repeat: Option<(f64, f64)>,
    /// Demand shocks on the platform's own intake (M17): (from day, to day, multiplier).
    pub shocks: Vec<(f64, f64, f64)>,
    /// Human relays that village and grid reports pass through before they reach the platform.
    pub relays: Option<RelaySpec>,
    /// Automatic sensor reports per calendar day (none when absent).
    pub sensors: Option<SensorSpec>,
    /// Share of contacts that are inquiries answered at the first contact: counted, no order.
    pub inquiry_share: f64,
    /// Tiered time limits by urgency: (share, limit in calendar hours); empty when absent.
    pub urgency: Vec<(f64, f64)>,
    /// Excluded from the run (baseline comparisons): its issues go offline or unreported.
    pub disabled: bool,
}

impl PlatformSpec {
    /// Multiplier on the platform's own intake rate at calendar day `day` (product of shocks).
    pub fn shock_multiplier(&self, day: f64) -> f64 {
        self.shocks.iter().filter(|(a, b, _)| (*a..*b).contains(&day)).map(|s| s.2).product()
    }

    /// Days at which the intake rate changes (shock edges), sorted.
    pub fn shock_edges(&self) -> Vec<f64> {
        let mut e: Vec<f64> = self.shocks.iter().flat_map(|(a, b, _)| [*a, *b]).collect();
        e.sort_by(f64::total_cmp);
        e.dedup();
        e
    }
}

/// Dispatchers: a pool of staff who route each order (and re-route returned ones).
#[derive(Debug, Clone)]
pub struct DeskSpec {
    /// Dispatchers.
    pub staff: u32,
    /// Time to dispatch one order.
    pub dispatch: Dist,
    /// Time to re-dispatch a returned order.
    pub redispatch: Dist,
}

/// The return right (回退权, M10).
#[derive(Debug, Clone, PartialEq)]
pub struct ReturnSpec {
    /// Department hours spent returning it.
    pub department_hours: f64,
    /// Returns allowed per order; a refusal after the last ends the order (settled offline or
    /// dropped), as on any path ([`RefusalSpec`]).
    pub max_returns: u32,
}

/// Reply audit (M9): the chance a reply falls short grows with load and stress.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditSpec {
    /// A redo takes this share of the original effort.
    pub redo_effort_share: f64,
    /// Share of slipshod replies the audit catches (it checks form: who, when, process, result);
    /// a slipshod reply it misses closes the order unresolved.
    pub catch: f64,
}

/// Callers' ratings: chance of "satisfied".
#[derive(Debug, Clone, PartialEq)]
pub struct SatisfactionSpec {
    /// Resolved on time.
    pub on_time: f64,
    /// Resolved late.
    pub late: f64,
    /// Not resolved.
    pub unresolved: f64,
}

impl Default for SatisfactionSpec {
    fn default() -> Self {
        SatisfactionSpec { on_time: 0.95, late: 0.7, unresolved: 0.1 }
    }
}

/// Periodic assessment on resolution and satisfaction (M11).
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentSpec {
    /// Days per assessment period.
    pub period_days: f64,
    /// Score (mean of resolution and satisfaction rates) below which units are penalised.
    pub target: f64,
    /// Department hours per persuasion.
    pub persuasion_hours: f64,
    /// Chance the caller then rates "satisfied".
    pub persuasion_success: f64,
    /// Stress pressure added to the platform's departments after a failed period.
    pub penalty: f64,
}

/// A department.
#[derive(Debug, Clone)]
pub struct DepartmentSpec {
    /// Its id in the file.
    pub id: String,
    /// Identical workers.
    pub staff: u32,
    /// Line tasks from above, if any.
    pub line_tasks: Option<LineTaskSpec>,
    /// Stress and burnout (M12).
    pub stress: Option<StressSpec>,
    /// Overtime when the backlog is long (M12).
    pub overtime: Option<OvertimeSpec>,
    /// A county line department (条): a township leader's dispatch carries no authority over it.
    pub county: bool,
}

/// Stress (M12): `dS = build·p·(1−S) − recover·(1−p)·S` per working day, `p` the pressure.
#[derive(Debug, Clone, PartialEq)]
pub struct StressSpec {
    /// Build-up rate.
    pub build: f64,
    /// Recovery rate (smaller than build: hysteresis, "躺平").
    pub recover: f64,
    /// Waiting jobs per staff member that count as full pressure.
    pub backlog_per_staff: f64,
    /// Work takes `1 + slowdown·S` times as long.
    pub slowdown: f64,
    /// Functional form of the slowdown.
    pub form: SlowdownForm,
    /// Staff who leave under stress and are replaced slowly (none when absent).
    pub attrition: Option<AttritionSpec>,
}

/// Attrition (M12): on a working day that ends with stress at least `above`, each staff member
/// present beyond the first leaves with probability `per_day`; the post is filled again
/// `replace_days` calendar days later. Its effect outlives the backlog that caused it.
#[derive(Debug, Clone, PartialEq)]
pub struct AttritionSpec {
    /// Probability per working day that a staff member leaves, while stress is at least `above`.
    pub per_day: f64,
    /// Stress from which staff leave.
    pub above: f64,
    /// Calendar days until a vacancy is filled.
    pub replace_days: f64,
}

/// Overtime (M12): extra hours on days after the backlog passes a level.
#[derive(Debug, Clone, PartialEq)]
pub struct OvertimeSpec {
    /// Waiting jobs per staff member that trigger overtime the next working day.
    pub backlog_per_staff: f64,
    /// Extra hours per staff member per overtime day.
    pub hours_per_day: f64,
}

/// Line tasks (条线任务, M14).
#[derive(Debug, Clone)]
pub struct LineTaskSpec {
    /// Poisson arrivals per calendar day.
    pub rate_per_day: f64,
    /// Effort per task.
    pub effort: Dist,
    /// Deadline in working days.
    pub deadline_days: Option<f64>,
    /// Veto weight (一票否决): ranked with the leader's petition cases.
    pub veto: bool,
    /// Working days past its deadline after which a line task still waiting is taken back by the
    /// county (escalated, with a rebuke that adds to the office's stress): real offices do not
    /// keep a pile of long-overdue tasks for ever. `None`: never (no deadline, or turned off).
    pub escalate_after_days: Option<f64>,
}

/// Default of `line_tasks.escalate_after_days`: a line task still untouched four working weeks
/// after its deadline goes back to the county (an assumption).
pub const LINE_TASK_ESCALATION_DAYS: f64 = 20.0;

/// Default of `stress.attrition.replace_days`: a post left vacant is filled about four months
/// later (recruiting through the civil-service quota takes a season; an assumption).
pub const ATTRITION_REPLACE_DAYS: f64 = 120.0;

/// Stress pressure a rebuke for one escalated line task adds (it halves every working day,
/// like the whistle's rebuke) (an assumption).
pub const LINE_TASK_ESCALATION_REBUKE: f64 = 0.1;

/// A core leader.
#[derive(Debug, Clone)]
pub struct LeaderSpec {
    /// Its id in the file.
    pub id: String,
    /// Working hours per working day for platform items.
    pub attention_hours_per_day: f64,
    /// Hours per working day taken by other claims (meetings, inspections).
    pub other_claims_hours_per_day: f64,
    /// Delegation to a deputy when the inbox overflows (M13).
    pub delegate: Option<DelegateSpec>,
}

/// Delegation (M13): items arriving to a full inbox go to a deputy without authority.
#[derive(Debug, Clone, PartialEq)]
pub struct DelegateSpec {
    /// Inbox length at which new items go to the deputy.
    pub inbox_threshold: u32,
    /// The deputy's hours per working day for platform items.
    pub deputy_attention_hours_per_day: f64,
}

impl LeaderSpec {
    /// Hours per working day actually left for platform items.
    pub fn effective_attention(&self) -> f64 {
        (self.attention_hours_per_day - self.other_claims_hours_per_day).max(0.0)
    }
}

/// An issue category.
#[derive(Debug, Clone)]
pub struct CategorySpec {
    /// Its id in the file.
    pub id: String,
    /// Relative weight in the issue mix.
    pub share: f64,
    /// Departments needed (more than one: a joint order).
    pub departments: Vec<DeptId>,
    /// Effort per department part.
    pub effort: Dist,
    /// Needs authority above the township (M7).
    pub above_township: bool,
    /// A reasonable demand (false: outside government remit, M15; such orders end unresolved).
    pub reasonable: bool,
    /// A shared (public) interest: what a points system that rewards only shared interests
    /// rewards (`[points] shared_only`).
    pub shared: bool,
}

/// A village or community (one grid).
#[derive(Debug, Clone)]
pub struct VillageSpec {
    /// Its id in the file.
    pub id: String,
    /// Residents.
    pub population: u32,
    /// Latent issues per 1,000 residents per calendar day.
    pub issues_per_1000_per_day: f64,
    /// Full-time grid workers.
    pub grid_workers: u32,
}

impl VillageSpec {
    /// Latent issues per calendar day.
    pub fn issue_rate_per_day(&self) -> f64 {
        self.population as f64 / 1000.0 * self.issues_per_1000_per_day
    }
}

/// Channel choice and trust (M4).
#[derive(Debug, Clone, PartialEq)]
pub struct CitizenSpec {
    /// Logit weight on trust.
    pub trust_weight: f64,
    /// Utility of taking an issue offline to village cadres.
    pub offline_utility: f64,
    /// Utility of staying silent.
    pub silence_utility: f64,
    /// How far trust moves toward an outcome's target (0: no feedback).
    pub learning_rate: f64,
    /// Target for a late closure.
    pub late_target: f64,
    /// Target when the platform's order was settled offline.
    pub offline_target: f64,
}

/// Grid workers' patrols.
#[derive(Debug, Clone, PartialEq)]
pub struct GridSpec {
    /// Chance that one grid worker's patrols find a given silent issue.
    pub discovery_prob_per_worker: f64,
    /// Mean calendar days from the issue to its discovery.
    pub discovery_delay_days: f64,
    /// Share of discovered issues the grid worker resolves on the spot.
    pub in_scope_share: f64,
    /// Of the reports a grid worker cannot fix, the share the village cadres confirm and close
    /// themselves (the ladder's second rung, paper 002); `None` when the key is absent.
    pub village_share: Option<f64>,
    /// Platforms every report is entered into (重复填报).
    pub platforms: Vec<PlatformId>,
    /// Grid worker's hours per platform entry.
    pub entry_hours: f64,
}

/// Resource pooling (`[pooling]`): at each day's end a department whose waiting jobs per own
/// staff member exceed `trigger_backlog_per_staff` borrows workers from departments at or below
/// `slack_backlog_per_staff`; each leaves its lender at once, arrives `move_delay_days` later and
/// spends its first `move_cost_hours` working hours settling in; at most `max_share` of a
/// lender's own staff is out at once; a worker goes back when its borrower's backlog per own
/// staff member is at or below `release_backlog_per_staff`.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolingSpec {
    /// Waiting jobs per own staff member above which a department asks for help.
    pub trigger_backlog_per_staff: f64,
    /// A lender's waiting jobs per own staff member may be at most this.
    pub slack_backlog_per_staff: f64,
    /// Borrowed workers go back when the borrower is at or below this.
    pub release_backlog_per_staff: f64,
    /// Days between a request and the worker's arrival.
    pub move_delay_days: f64,
    /// Working hours each moved worker spends settling in.
    pub move_cost_hours: f64,
    /// Share of a lender's own staff that may be out at once.
    pub max_share: f64,
}

/// Process reengineering (M5): `dR/dt = learn·x·(1−R) − decay·R` per working day.
#[derive(Debug, Clone, PartialEq)]
pub struct ReengineeringSpec {
    /// Learning rate.
    pub learn: f64,
    /// Decay rate.
    pub decay: f64,
    /// Share of effort removed at R = 1.
    pub effort_cut: f64,
    /// Share of coordination removed at R = 1.
    pub coordination_cut: f64,
    /// R at the start.
    pub initial: f64,
}

/// The regime classifier's window and thresholds (docs/MODEL.md section 8).
#[derive(Debug, Clone, PartialEq)]
pub struct RegimeSpec {
    /// Trailing window, days.
    pub window_days: u32,
    /// Embedded: at least this share closes in the system...
    pub embedded_closed: f64,
    /// ...and at least this share of those on time.
    pub embedded_on_time: f64,
    /// Floating: under this share closes in the system on time, failures mostly for lack of
    /// authority.
    pub floating_closed: f64,
    /// Idling: usage under this share of its early level.
    pub idling_usage: f64,
    /// Reengineered: work-weighted R at least this.
    pub reengineered_r: f64,
    /// Overloaded: under this share of decided orders closed on time, failures mostly for lack
    /// of capacity.
    pub overloaded_on_time: f64,
    /// Overloaded too (whatever else failed): at least this share of decided orders failed for
    /// lack of capacity (open at their deadline, or refused for good by departments full of the
    /// platform's own orders), and either the backlog grows over the window or capacity failures
    /// outnumber authority ones — a platform swamped by its own demand.
    pub overloaded_capacity_misses: f64,
    /// Fewer decided orders than this in the window: no verdict.
    pub min_decided: u64,
    /// A new regime counts only after holding this many consecutive days (no flapping at a
    /// threshold); its change is then dated to the day it began.
    pub persist_days: u32,
    /// The 负能 flag: burden share of its orders' hours at least this. Reported beside the
    /// regime, never used to decide it.
    pub burden_share: f64,
    /// Idling compares usage with its peak: the highest mean daily arrivals over any
    /// `launch_days` consecutive days so far.
    pub launch_days: u32,
    /// A handler counts as filled by the platform's own work when at least this share of the time
    /// it has for platforms went to the platform's own orders (capacity, not authority).
    pub capacity_share: f64,
    /// Rise of the burden share above the platform's own earlier level that, with a growing
    /// backlog, marks overload.
    pub burden_rise: f64,
}

impl Default for RegimeSpec {
    fn default() -> Self {
        RegimeSpec {
            window_days: 90,
            embedded_closed: 0.8,
            embedded_on_time: 0.7,
            floating_closed: 0.5,
            idling_usage: 0.5,
            reengineered_r: 0.5,
            overloaded_on_time: 0.5,
            overloaded_capacity_misses: 0.2,
            min_decided: 10,
            persist_days: 14,
            burden_share: 0.3,
            launch_days: 30,
            capacity_share: 0.6,
            burden_rise: 0.15,
        }
    }
}

/// How a department's stress slows its work (M12): the functional form of the slowdown factor
/// `1 + slowdown · f(S)`. The forms differ in kind, so that a finding that holds under all three
/// does not hang on one curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SlowdownForm {
    /// `f(S) = S`.
    Linear,
    /// `f(S) = S (1 + h) / (S + h)`: steep at first, then flat; equals 1 at S = 1.
    Saturating {
        /// Half-saturation level `h` > 0.
        half: f64,
    },
    /// `f(S) = 1` once S reaches the threshold, else 0.
    Threshold {
        /// The threshold in (0, 1].
        at: f64,
    },
}

/// What neglecting a claim on a department's hours costs it, by who can sanction the neglect
/// (the "consequence of neglect" of the decision model, `src/model/decision.rs`).
#[derive(Debug, Clone, PartialEq)]
pub struct SanctionSpec {
    /// A core leader's dispatch and sign-off (authority, M2).
    pub leader: f64,
    /// The platform scores units in an assessment (M11).
    pub assessment: f64,
    /// A veto-weight line task from the county (一票否决).
    pub veto: f64,
    /// An ordinary line task from the county departments (条线任务).
    pub line_task: f64,
    /// Nobody: an operator's or a deputy's dispatch, an unassessed routing.
    pub none: f64,
    /// Added for a petition case (信访件): salience.
    pub petition: f64,
    /// A ranked unit's work on the ranked platform's orders (`[ranking]`).
    pub ranking: f64,
    /// Added for a unit in the bottom band of the last ranking.
    pub ranking_bottom: f64,
    /// A district department summoned by a street's whistle (`[whistle]`): it must report.
    pub whistle: f64,
    /// Root-cause work a unit chose to do (`[proactive]`).
    pub proactive: f64,
    /// A command centre's graded dispatch with a lead agency (`dispatch = "centre"`).
    pub centre: f64,
    /// The share of a leader's sanction that rests on following the order up (signing off the
    /// reply); the rest rests on dispatching it. A leader who only dispatches carries
    /// `leader × (1 − follow_up)`, one who only signs off `leader × follow_up`, a director who
    /// does neither nothing.
    pub follow_up: f64,
}

/// Take-up: whether a department accepts an order dispatched without authority, or under a
/// return right keeps it rather than returning it.
#[derive(Debug, Clone, PartialEq)]
pub struct TakeUpSpec {
    /// Willingness to do work that nobody sanctions (public-service motivation), in days of work.
    pub duty: f64,
    /// Logistic slope: how sharply the choice follows the balance of consequence and cost.
    pub sensitivity: f64,
    /// How much the department's load raises the cost of an hour of work.
    pub load_weight: f64,
    /// Extra reason to send back an order outside the department's authority (M7).
    pub outside_authority: f64,
}

/// Refusals on every path (`[decisions.refusals]`): a department that will not take up an order
/// sends it back to whoever dispatched it; after the last refusal the order ends, settled offline
/// or dropped. A platform's own return right (`platforms.<id>.returns`) overrides the count and
/// the department's hours.
#[derive(Debug, Clone, PartialEq)]
pub struct RefusalSpec {
    /// Times an order may be sent back and dispatched again before a refusal ends it.
    pub max_returns: u32,
    /// Department hours spent sending an order back.
    pub department_hours: f64,
    /// After the last refusal, the chance the dispatcher settles the issue offline rather than
    /// dropping it (an operator's own `offline_prob` stands for its platform).
    pub offline_prob: f64,
    /// Working days before a routing table without a desk sends a refused order again.
    pub reroute_days: f64,
}

/// Reply quality under load (M9): `P(fail) = floor + (ceiling − floor)(1 − e^−(load·L + stress·S))`.
#[derive(Debug, Clone, PartialEq)]
pub struct SloppinessSpec {
    /// Failure probability of a reply by an idle, calm department.
    pub floor: f64,
    /// The most it can reach.
    pub ceiling: f64,
    /// Weight of the department's load L.
    pub load: f64,
    /// Weight of its stress S.
    pub stress: f64,
    /// Weight of indifference: `neglect · e^−C` is added to the push, C the weakest consequence
    /// behind the order's parts (effort: nobody checks, shortcuts follow). 0: off.
    pub neglect: f64,
}

/// Gaming (M11): `P(persuade) = clamp((target + margin − score) / scale, 0, 1)`, from the unit's
/// last assessment score.
#[derive(Debug, Clone, PartialEq)]
pub struct GamingSpec {
    /// How far above target a unit still feels pressure.
    pub margin: f64,
    /// Shortfall at which every dissatisfied caller is persuaded.
    pub scale: f64,
}

/// The departments' decision model (`[decisions]`): one set of rules for every department and
/// platform of the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionSpec {
    /// Consequences of neglect by sanctioning party.
    pub sanction: SanctionSpec,
    /// Take-up and returns.
    pub take_up: TakeUpSpec,
    /// What a refusal does on a platform without a return right of its own.
    pub refusals: RefusalSpec,
    /// Reply quality.
    pub sloppiness: SloppinessSpec,
    /// Persuasion under assessment.
    pub gaming: GamingSpec,
    /// Share of coordination overhead (M6) saved when a leader's authority stands behind a joint
    /// order: the departments answer to the same boss.
    pub coordination_relief: f64,
}

impl Default for DecisionSpec {
    fn default() -> Self {
        DecisionSpec {
            sanction: SanctionSpec {
                // S town's calibration (scenarios/calibration/s-town.toml) bounds it from below
                // only (about 1.6 and up meet its patterns); 6.5 is an earlier fit, inside that bound.
                leader: 6.5,
                assessment: 0.5,
                veto: 1.5,
                line_task: 0.5,
                none: 0.0,
                petition: 0.5,
                ranking: 1.0,
                ranking_bottom: 1.0,
                whistle: 1.5,
                proactive: 0.3,
                centre: 2.0,
                follow_up: 0.5,
            },
            take_up: TakeUpSpec { duty: 0.7, sensitivity: 1.5, load_weight: 4.0, outside_authority: 2.0 },
            refusals: RefusalSpec { max_returns: 1, department_hours: 0.25, offline_prob: 0.5, reroute_days: 1.0 },
            sloppiness: SloppinessSpec { floor: 0.02, ceiling: 0.6, load: 0.2, stress: 0.5, neglect: 0.0 },
            gaming: GamingSpec { margin: 0.02, scale: 0.2 },
            coordination_relief: 0.5,
        }
    }
}

/// Reports passing through human relays (grid worker → village → township office ...) before
/// they reach a platform: each step takes time and may lose the report.
#[derive(Debug, Clone, PartialEq)]
pub struct RelaySpec {
    /// Relays between the reporter and the platform.
    pub steps: u32,
    /// Mean delay of one step, calendar days (exponential).
    pub delay_days: f64,
    /// Chance that one step loses the report.
    pub loss: f64,
}

/// Sensors (smart manhole covers, hydrants, smoke detectors): events that reach the platform
/// by themselves, spread over the villages by population, bypassing citizens and relays.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorSpec {
    /// Sensor events per calendar day for the whole platform.
    pub rate_per_day: f64,
}

/// A points system (积分): reporting and volunteering earn points.
#[derive(Debug, Clone, PartialEq)]
pub struct PointsSpec {
    /// Added to the utility of every platform a villager may report to, for a rewarded issue.
    pub report_boost: f64,
    /// Share of a village's rewarded issues that volunteer stewards fix on the spot.
    pub volunteer_share: f64,
    /// Only shared interests are rewarded (`categories.<id>.shared = true`).
    pub shared_only: bool,
}

impl PointsSpec {
    /// Whether an issue of category `c` earns points.
    pub fn rewards(&self, c: &CategorySpec) -> bool {
        !self.shared_only || c.shared
    }
}

/// `[ranking]`: every unit (township or street; a department when the scenario has no
/// `[townships]`) is scored each period on the ranked platform's orders it led — response
/// (work began within the time limit), resolution and satisfaction, equally weighted — and
/// ranked against the others. The bottom band carries a heavier consequence and stress through
/// the next period. A ranking is relative: the band's edge moves with everyone's scores.
#[derive(Debug, Clone, PartialEq)]
pub struct RankingSpec {
    /// The platform whose orders are scored.
    pub platform: PlatformId,
    /// Days per ranking period.
    pub period_days: f64,
    /// Day the ranking comes into force (scores are kept before, without consequence).
    pub start_day: f64,
    /// Share of ranked units in the bottom band (at least one unit).
    pub bottom_share: f64,
    /// Units with fewer closed orders in a period are not ranked in it.
    pub min_orders: u64,
    /// Stress pressure on a bottom unit's departments through the next period.
    pub penalty: f64,
    /// Department hours per persuasion call (gaming, as in the assessment).
    pub persuasion_hours: f64,
    /// Chance the caller then rates "satisfied".
    pub persuasion_success: f64,
}

/// `[whistle]` (吹哨报到): a street's order that needs a district department (`level =
/// "county"`) summons it: the summoned department owes a report within `report_hours` and
/// neglect is sanctioned (`decisions.sanction.whistle`); a late report adds stress pressure.
#[derive(Debug, Clone, PartialEq)]
pub struct WhistleSpec {
    /// Calendar hours within which a summoned department must start its part.
    pub report_hours: f64,
    /// Stress pressure added to a department for each late report (halves every working day).
    pub penalty: f64,
}

/// `[proactive]` (未诉先办): at the end of each period every unit takes its most frequent
/// categories of the period and puts `hours` of root-cause work into each at the category's
/// lead department; each piece of work done cuts that category's later issue rate by `cut`
/// (never below `floor`), and the rate relapses toward its old level with time constant
/// `relapse_days`. The work competes with answering orders for the same staff hours.
#[derive(Debug, Clone, PartialEq)]
pub struct ProactiveSpec {
    /// Days per analysis period.
    pub period_days: f64,
    /// Categories each unit works on per period.
    pub categories: u32,
    /// Staff hours of root-cause work per category.
    pub hours: f64,
    /// Share of the category's issue rate one completed piece of work removes.
    pub cut: f64,
    /// Lowest multiplier of a category's rate.
    pub floor: f64,
    /// Time constant of relapse toward the full rate, calendar days.
    pub relapse_days: f64,
}

/// `[turnover]`: the leader who championed the reforms (the whistle, the ranking, proactive
/// work, and a named leader's dispatch authority) leaves on the given days. A reform that was
/// institutionalised keeps its force; one that was not fades after each change with time
/// constant `decay_days`.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnoverSpec {
    /// Calendar days on which the champion changes, ascending.
    pub days: Vec<f64>,
    /// Written into rules (the 2021 regulation): unaffected by the change.
    pub institutionalised: bool,
    /// Time constant of the fade, calendar days.
    pub decay_days: f64,
    /// A leader whose dispatch authority also fades.
    pub leader: Option<LeaderId>,
}

impl TurnoverSpec {
    /// The reform's strength at calendar day `day`: 1 until the first change; after a change
    /// `e^(−(day − change)/decay_days)` unless institutionalised. A later champion does not
    /// restore what the first one built.
    pub fn strength(&self, day: f64) -> f64 {
        if self.institutionalised {
            return 1.0;
        }
        match self.days.iter().find(|&&d| d <= day) {
            Some(&first) => (-(day - first) / self.decay_days).exp(),
            None => 1.0,
        }
    }
}
