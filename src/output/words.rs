//! Plain words, with units, for the key paths and metrics that label charts' axes.

/// Words for a scenario key path or a summary metric, with its unit; the key itself when no
/// wording is known.
pub fn axis(key: &str) -> String {
    let parts: Vec<&str> = key.split('.').collect();
    let known = match parts.as_slice() {
        ["leaders", id, "attention_hours_per_day"] => {
            format!("{id}'s attention for platform items (hours a working day)")
        }
        ["leaders", id, "other_claims_hours_per_day"] => {
            format!("other claims on {id}'s attention (hours a working day)")
        }
        ["platforms", id, "arrival_rate_per_day"] => format!("orders reaching {id} directly (a day)"),
        ["platforms", id, "deadline_days"] => format!("{id}'s handling limit (working days)"),
        ["platforms", id, "documentation_minutes"] => format!("record-keeping per step on {id} (minutes)"),
        ["platforms", id, "coordination_hours"] => format!("coordination per extra office on {id} (hours)"),
        ["departments", id, "staff"] => format!("staff of {id} (people)"),
        ["departments", id, "line_tasks", "rate_per_day"] => format!("line tasks of {id} (a day)"),
        ["villages", id, "issues_per_1000_per_day"] => format!("issues in {id} (per 1,000 people a day)"),
        ["citizens", "trust_weight"] => "weight of trust in villagers' choice of channel".into(),
        ["citizens", "learning_rate"] => "how fast villagers' trust learns (share a report)".into(),
        ["decisions", "take_up", "duty"] => "departments' duty without sanction (days of work)".into(),
        ["decisions", "take_up", "load_weight"] => "weight of load in the cost of work".into(),
        ["decisions", "take_up", "sensitivity"] => "how sharply take-up follows its balance".into(),
        ["reengineering", "learn"] => "speed of process reengineering (a working day)".into(),
        ["closed_per_month"] => "orders closed in the system (a month)".into(),
        ["closed_in_system_share"] => "share of decided orders closed in the system".into(),
        ["on_time_share"] => "share of closed orders closed on time".into(),
        ["mean_wait_hours"] => "wait before department work (hours)".into(),
        ["mean_sojourn_hours"] => "time from arrival to closure (hours)".into(),
        ["burden_share"] => "burden share of staff hours (负能 index)".into(),
        ["resolution_rate"] => "share of closed orders resolved".into(),
        ["satisfaction_rate"] => "share of closed orders rated satisfied".into(),
        ["gaming_gap"] => "satisfaction minus resolution".into(),
        ["weighted_r"] => "reengineering level R of its offices".into(),
        _ => return key.to_string(),
    };
    known
}

#[cfg(test)]
mod tests {
    use super::axis;

    #[test]
    fn key_paths_read_as_words_with_units() {
        assert_eq!(
            axis("leaders.secretary.attention_hours_per_day"),
            "secretary's attention for platform items (hours a working day)"
        );
        assert_eq!(axis("departments.office.line_tasks.rate_per_day"), "line tasks of office (a day)");
        assert_eq!(axis("something.unknown"), "something.unknown");
    }
}
