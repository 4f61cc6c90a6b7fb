//! The raw mirror of a scenario file: exactly what serde reads, before any validation.
//!
//! Every table denies unknown keys, so a misspelt key is an error that names it. Numbers that
//! have a sign in TOML but must not in the model (staff, replications) are read as `i64` so that
//! validation can say "must be at least 1 (got -3)" rather than a serde type error.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: Option<String>,
    pub description: Option<String>,
    /// The scenario's name for people, in English and 中文.
    pub display: Option<RawDisplay>,
    /// `description` in 中文.
    pub description_zh: Option<String>,
    pub simulation: RawSimulation,
    pub calendar: Option<RawCalendar>,
    #[serde(default)]
    pub departments: BTreeMap<String, RawDepartment>,
    #[serde(default)]
    pub leaders: BTreeMap<String, RawLeader>,
    #[serde(default)]
    pub platforms: BTreeMap<String, RawPlatform>,
    #[serde(default)]
    pub categories: BTreeMap<String, RawCategory>,
    #[serde(default)]
    pub villages: BTreeMap<String, RawVillage>,
    pub citizens: Option<RawCitizens>,
    pub grid: Option<RawGrid>,
    pub reengineering: Option<RawReengineering>,
    pub regimes: Option<RawRegimes>,
    pub county: Option<RawCounty>,
    pub decisions: Option<RawDecisions>,
    pub pooling: Option<RawPooling>,
    pub points: Option<RawPoints>,
    pub ranking: Option<RawRanking>,
    pub whistle: Option<RawWhistle>,
    pub proactive: Option<RawProactive>,
    pub turnover: Option<RawTurnover>,
}

/// `display = { en = "...", zh = "..." }`: a name for people beside an id.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDisplay {
    pub en: Option<String>,
    pub zh: Option<String>,
}

/// `[simulation]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    pub duration_days: f64,
    pub warmup_days: Option<f64>,
    pub seed: Option<i64>,
    pub replications: Option<i64>,
    pub max_open_orders: Option<i64>,
    pub max_queued_jobs: Option<i64>,
    pub max_events: Option<i64>,
}

/// `[calendar]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalendar {
    pub hours_per_day: Option<f64>,
    pub days_per_week: Option<i64>,
}

/// A distribution: `{dist = "exponential", mean}`, `{dist = "lognormal", mean, cv}`,
/// `{dist = "fixed", value}`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDist {
    pub dist: String,
    pub mean: Option<f64>,
    pub cv: Option<f64>,
    pub value: Option<f64>,
}

/// `[departments.<id>]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDepartment {
    pub staff: i64,
    /// Its name for people, in English and 中文 (the id stays what files and keys use).
    pub display: Option<RawDisplay>,
    /// "township" (default) or "county": a county line department (条).
    pub level: Option<String>,
    pub line_tasks: Option<RawLineTasks>,
    pub stress: Option<RawStress>,
    pub overtime: Option<RawOvertime>,
}

/// `departments.<id>.stress` (M12).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawStress {
    pub build: f64,
    pub recover: f64,
    pub backlog_per_staff: Option<f64>,
    pub slowdown: Option<f64>,
    /// "linear" (default), "saturating" or "threshold".
    pub form: Option<String>,
    /// Half-saturation level of the saturating form.
    pub half: Option<f64>,
    /// Threshold of the threshold form.
    pub threshold: Option<f64>,
    /// Staff who leave after a stressful stretch and are replaced slowly.
    pub attrition: Option<RawAttrition>,
}

/// `departments.<id>.stress.attrition` (M12).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAttrition {
    pub per_day: f64,
    pub above: Option<f64>,
    pub replace_days: Option<f64>,
}

/// `departments.<id>.overtime` (M12).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawOvertime {
    pub backlog_per_staff: f64,
    pub hours_per_day: f64,
}

/// `departments.<id>.line_tasks`: work from above (条线任务) competing for staff.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawLineTasks {
    pub rate_per_day: f64,
    pub effort_hours: RawDist,
    pub deadline_days: Option<f64>,
    pub veto: Option<bool>,
    pub escalate_after_days: Option<f64>,
}

/// `[leaders.<id>]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawLeader {
    pub attention_hours_per_day: f64,
    /// Its name for people, in English and 中文 (the id stays what files and keys use).
    pub display: Option<RawDisplay>,
    pub other_claims_hours_per_day: Option<f64>,
    pub delegate: Option<RawDelegate>,
}

/// `leaders.<id>.delegate` (M13).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDelegate {
    pub inbox_threshold: i64,
    pub deputy_attention_hours_per_day: f64,
}

/// `[platforms.<id>]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlatform {
    pub dispatch: String,
    /// Its name for people, in English and 中文 (the id stays what files and keys use).
    pub display: Option<RawDisplay>,
    pub arrival_rate_per_day: Option<f64>,
    pub route: Option<Vec<String>>,
    pub effort_hours: Option<RawDist>,
    pub leader: Option<String>,
    pub review_hours: Option<RawDist>,
    pub label: Option<String>,
    pub deadline_days: Option<f64>,
    pub sign_off: Option<bool>,
    pub sign_off_hours: Option<RawDist>,
    pub director: Option<String>,
    pub appraised: Option<bool>,
    pub operator: Option<RawOperator>,
    pub documentation_minutes: Option<f64>,
    pub coordination_hours: Option<f64>,
    pub citizen_channel: Option<bool>,
    pub appeal: Option<f64>,
    pub initial_trust: Option<f64>,
    pub desk: Option<RawDesk>,
    pub returns: Option<RawReturns>,
    pub audit: Option<RawAudit>,
    pub satisfaction: Option<RawSatisfaction>,
    pub assessment: Option<RawAssessment>,
    pub unreasonable_share: Option<f64>,
    pub screening: Option<RawScreening>,
    pub repeat: Option<RawRepeat>,
    #[serde(default)]
    pub shocks: Vec<RawShock>,
    pub relays: Option<RawRelays>,
    pub sensors: Option<RawSensors>,
    pub inquiry_share: Option<f64>,
    pub urgency: Option<RawUrgency>,
}

/// `platforms.<id>.desk`: dispatchers (派单员) of an auto-dispatched platform.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDesk {
    pub staff: i64,
    pub dispatch_hours: RawDist,
    pub redispatch_hours: Option<RawDist>,
}

/// `platforms.<id>.returns` (M10).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawReturns {
    /// Removed: returns follow the decision model (`[decisions.take_up]`).
    pub prob: Option<toml::Value>,
    pub department_hours: Option<f64>,
    pub max_returns: Option<i64>,
}

/// `platforms.<id>.audit` (M9).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAudit {
    /// Removed: reply quality follows the decision model (`[decisions.sloppiness]`).
    pub base_fail: Option<toml::Value>,
    /// Removed, as `base_fail`.
    pub load_fail: Option<toml::Value>,
    /// Removed, as `base_fail`.
    pub stress_fail: Option<toml::Value>,
    pub redo_effort_share: Option<f64>,
    pub catch: Option<f64>,
}

/// `platforms.<id>.satisfaction`: how callers rate outcomes.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSatisfaction {
    pub on_time: Option<f64>,
    pub late: Option<f64>,
    pub unresolved: Option<f64>,
}

/// `platforms.<id>.assessment` (M11).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAssessment {
    pub period_days: Option<f64>,
    pub target: f64,
    /// Removed: persuasion follows the decision model (`[decisions.gaming]`).
    pub persuade_prob: Option<toml::Value>,
    pub persuasion_hours: Option<f64>,
    pub persuasion_success: Option<f64>,
    pub penalty: Option<f64>,
}

/// `platforms.<id>.screening` (M15).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScreening {
    pub prob: f64,
}

/// `platforms.<id>.repeat` (M16).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRepeat {
    pub prob: f64,
    pub delay_days: Option<f64>,
}

/// One entry of `platforms.<id>.shocks` (M17).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawShock {
    pub from_day: f64,
    pub to_day: f64,
    pub multiplier: f64,
}

/// `[county]`: authority above the township (M7).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCounty {
    pub escalate_prob: f64,
    pub delay_days: Option<f64>,
    pub resolve_prob: Option<f64>,
}

/// `platforms.<id>.operator`: a cadre who dispatches without authority (M2, M3).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawOperator {
    pub hours_per_day: f64,
    pub review_hours: RawDist,
    /// Removed: departments decide whether to take an order up (`[decisions.take_up]`).
    pub accept_prob: Option<toml::Value>,
    pub max_attempts: Option<i64>,
    pub retry_days: Option<f64>,
    pub offline_prob: Option<f64>,
    pub offline_hours: Option<RawDist>,
}

/// `[categories.<id>]`: a kind of issue.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCategory {
    pub share: f64,
    /// Its name for people, in English and 中文 (the id stays what files and keys use).
    pub display: Option<RawDisplay>,
    pub departments: Vec<String>,
    pub effort_hours: RawDist,
    pub authority: Option<String>,
    pub reasonable: Option<bool>,
    pub shared: Option<bool>,
}

/// `[villages.<id>]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawVillage {
    pub population: i64,
    /// Its name for people, in English and 中文 (the id stays what files and keys use).
    pub display: Option<RawDisplay>,
    pub issues_per_1000_per_day: f64,
    pub grid_workers: Option<i64>,
}

/// `[citizens]`: channel choice and trust (M4).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCitizens {
    pub trust_weight: Option<f64>,
    pub offline_utility: Option<f64>,
    pub silence_utility: Option<f64>,
    pub learning_rate: Option<f64>,
    pub late_target: Option<f64>,
    pub offline_target: Option<f64>,
}

/// `[grid]`: grid workers' patrols.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawGrid {
    pub discovery_prob_per_worker: f64,
    pub discovery_delay_days: Option<f64>,
    pub in_scope_share: Option<f64>,
    pub village_share: Option<f64>,
    pub platforms: Vec<String>,
    pub entry_minutes: Option<f64>,
}

/// `[reengineering]`: process reengineering (M5).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawReengineering {
    pub learn: f64,
    pub decay: f64,
    pub effort_cut: Option<f64>,
    pub coordination_cut: Option<f64>,
    pub initial: Option<f64>,
}

/// `[pooling]`: staff lent between departments when a backlog builds.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPooling {
    pub trigger_backlog_per_staff: f64,
    pub slack_backlog_per_staff: Option<f64>,
    pub release_backlog_per_staff: Option<f64>,
    pub move_delay_days: Option<f64>,
    pub move_cost_hours: Option<f64>,
    pub max_share: Option<f64>,
}

/// `[regimes]`: the classifier's window and thresholds.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegimes {
    pub window_days: Option<f64>,
    pub embedded_closed: Option<f64>,
    pub embedded_on_time: Option<f64>,
    pub floating_closed: Option<f64>,
    pub idling_usage: Option<f64>,
    pub reengineered_r: Option<f64>,
    pub overloaded_on_time: Option<f64>,
    pub overloaded_capacity_misses: Option<f64>,
    pub min_decided: Option<i64>,
    pub persist_days: Option<i64>,
    pub launch_days: Option<i64>,
    pub burden_share: Option<f64>,
    pub capacity_share: Option<f64>,
    pub burden_rise: Option<f64>,
}

/// `[decisions]`: the departments' decision model.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDecisions {
    pub sanction: Option<RawSanction>,
    pub take_up: Option<RawTakeUp>,
    pub refusals: Option<RawRefusals>,
    pub sloppiness: Option<RawSloppiness>,
    pub gaming: Option<RawGaming>,
    pub coordination_relief: Option<f64>,
}

/// `[decisions.sanction]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSanction {
    pub leader: Option<f64>,
    pub assessment: Option<f64>,
    pub veto: Option<f64>,
    pub line_task: Option<f64>,
    pub none: Option<f64>,
    pub petition: Option<f64>,
    pub ranking: Option<f64>,
    pub ranking_bottom: Option<f64>,
    pub whistle: Option<f64>,
    pub proactive: Option<f64>,
    pub centre: Option<f64>,
    pub follow_up: Option<f64>,
}

/// `[decisions.take_up]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTakeUp {
    pub duty: Option<f64>,
    pub sensitivity: Option<f64>,
    pub load_weight: Option<f64>,
    pub outside_authority: Option<f64>,
}

/// `[decisions.refusals]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRefusals {
    pub max_returns: Option<i64>,
    pub department_hours: Option<f64>,
    pub offline_prob: Option<f64>,
    pub reroute_days: Option<f64>,
}

/// `[decisions.sloppiness]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSloppiness {
    pub floor: Option<f64>,
    pub ceiling: Option<f64>,
    pub load: Option<f64>,
    pub stress: Option<f64>,
    pub neglect: Option<f64>,
}

/// `[decisions.gaming]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawGaming {
    pub margin: Option<f64>,
    pub scale: Option<f64>,
}

/// `platforms.<id>.relays`: human relays before a report reaches the platform.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRelays {
    pub steps: i64,
    pub delay_days: Option<f64>,
    pub loss: Option<f64>,
}

/// `platforms.<id>.sensors`: automatic reports from smart devices (manhole covers, hydrants,
/// smoke detectors).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSensors {
    pub rate_per_day: f64,
}

/// `[points]`: a points system (积分) that rewards reporting and volunteering.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPoints {
    pub report_boost: Option<f64>,
    pub volunteer_share: Option<f64>,
    pub shared_only: Option<bool>,
}

/// `platforms.<id>.urgency`: tiered time limits by urgency (Beijing: 2 h / 24 h / 7 days / 15 days).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawUrgency {
    pub shares: Vec<f64>,
    pub limit_hours: Vec<f64>,
}

/// `[ranking]`: a monthly ranking of every unit on one platform's orders (接诉即办).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRanking {
    pub platform: String,
    pub period_days: Option<f64>,
    pub start_day: Option<f64>,
    pub bottom_share: Option<f64>,
    pub min_orders: Option<i64>,
    pub penalty: Option<f64>,
    pub persuasion_hours: Option<f64>,
    pub persuasion_success: Option<f64>,
}

/// `[whistle]`: a street summons district departments (吹哨报到).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawWhistle {
    pub report_hours: Option<f64>,
    pub penalty: Option<f64>,
}

/// `[proactive]`: units invest staff hours in recurring problems (未诉先办).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawProactive {
    pub period_days: Option<f64>,
    pub categories: Option<i64>,
    pub hours: f64,
    pub cut: Option<f64>,
    pub floor: Option<f64>,
    pub relapse_days: Option<f64>,
}

/// `[turnover]`: the leader who championed the reforms leaves.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTurnover {
    pub days: Vec<f64>,
    pub institutionalised: Option<bool>,
    pub decay_days: Option<f64>,
    pub leader: Option<String>,
}
