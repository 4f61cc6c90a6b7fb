//! With every newer mechanism off, earlier scenarios give exactly the results they gave before.
//!
//! - `tandem_is_unchanged` and `mm3_is_unchanged`: plain queues (auto or leader dispatch, no
//!   mechanism configured). Their snapshots were taken with the code *before* the departments'
//!   decision model existed: the decision model is neutral there, to the last digit.
//! - `s_town_is_unchanged` and `swapped_is_unchanged`: retaken deliberately when the decision
//!   model replaced the operator's fixed acceptance probability (departments now decide from
//!   load and sanctions; regimes are classified by the cause of failures), and again when every
//!   order on every path came to meet the departments' take-up decision, a second refusal came
//!   to end an order, and the leader's sanction was recalibrated (scenarios/calibration/s-town.toml).
//!   They guard against unintended drift from here on.

use embedsim::metrics::summary::summarize;
use embedsim::model::run_replication;
use embedsim::output::csv::{summary_header, summary_record};
use embedsim::scenario::{load_table, parse_table};

fn summary_csv(text: &str, days: f64) -> String {
    let mut t = parse_table(text, "t").unwrap();
    t["simulation"].as_table_mut().unwrap().insert("duration_days".into(), toml::Value::Float(days));
    let sc = load_table(t, "t", None).unwrap();
    let mut lines = Vec::new();
    for rep in 0..2 {
        let out = run_replication(&sc, rep).unwrap();
        for s in summarize(&sc, &out) {
            // Only the columns that existed before the overload mechanisms.
            let rec = summary_record(rep, &s);
            let head = summary_header();
            let keep: Vec<String> = head
                .iter()
                .zip(rec)
                .filter(|(h, _)| BEFORE.contains(&h.as_str()))
                .map(|(h, v)| format!("{h}={v}"))
                .collect();
            lines.push(keep.join(" "));
        }
    }
    lines.join("\n")
}

const BEFORE: &[&str] = &[
    "replication",
    "platform",
    "arrived",
    "closed",
    "mean_wait_hours",
    "mean_sojourn_hours",
    "regime",
    "arrived_citizen",
    "arrived_grid",
    "settled_offline",
    "dropped",
    "open",
    "p90_sojourn_hours",
    "leader_attention_hours",
    "staff_hours",
    "trust_end",
    "weighted_r",
];

#[test]
fn s_town_is_unchanged() {
    insta::assert_snapshot!(summary_csv(include_str!("../scenarios/s-town.toml"), 500.0));
}

#[test]
fn swapped_is_unchanged() {
    insta::assert_snapshot!(summary_csv(include_str!("../scenarios/s-town-swapped.toml"), 500.0));
}

#[test]
fn tandem_is_unchanged() {
    insta::assert_snapshot!(summary_csv(include_str!("../scenarios/validation/tandem.toml"), 300.0));
}

#[test]
fn mm3_is_unchanged() {
    insta::assert_snapshot!(summary_csv(include_str!("../scenarios/validation/mm3.toml"), 100.0));
}
