//! Plain words, with units, for the key paths and metrics that label charts' axes.

/// Words for a scenario key path or a summary metric, with its unit; the key itself when no
/// wording is known.
pub fn axis(key: &str) -> String {
    both(key).map_or_else(|| key.to_string(), |(en, _)| en)
}

/// [`axis`] in Chinese.
pub fn axis_zh(key: &str) -> String {
    both(key).map_or_else(|| key.to_string(), |(_, zh)| zh)
}

/// The words for `key` in English and in Chinese, when known.
fn both(key: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = key.split('.').collect();
    let pair = |en: &str, zh: &str| Some((en.to_string(), zh.to_string()));
    match parts.as_slice() {
        ["leaders", id, "attention_hours_per_day"] => Some((
            format!("{id}'s attention for platform items (hours a working day)"),
            format!("{id} 用于平台事项的注意力（每个工作日小时数）"),
        )),
        ["leaders", id, "other_claims_hours_per_day"] => Some((
            format!("other claims on {id}'s attention (hours a working day)"),
            format!("{id} 注意力的其他占用（每个工作日小时数）"),
        )),
        ["platforms", id, "arrival_rate_per_day"] => {
            Some((format!("orders reaching {id} directly (a day)"), format!("直接到达 {id} 的工单（每天）")))
        }
        ["platforms", id, "deadline_days"] => {
            Some((format!("{id}'s handling limit (working days)"), format!("{id} 的办理时限（工作日）")))
        }
        ["platforms", id, "documentation_minutes"] => {
            Some((format!("record-keeping per step on {id} (minutes)"), format!("{id} 每个环节的留痕记录（分钟）")))
        }
        ["platforms", id, "coordination_hours"] => {
            Some((format!("coordination per extra office on {id} (hours)"), format!("{id} 每多一个部门的协调（小时）")))
        }
        ["departments", id, "staff"] => Some((format!("staff of {id} (people)"), format!("{id} 的人员（人）"))),
        ["departments", id, "line_tasks", "rate_per_day"] => {
            Some((format!("line tasks of {id} (a day)"), format!("{id} 的条线任务（每天）")))
        }
        ["villages", id, "issues_per_1000_per_day"] => {
            Some((format!("issues in {id} (per 1,000 people a day)"), format!("{id} 的问题（每千人每天）")))
        }
        ["citizens", "trust_weight"] => {
            pair("weight of trust in villagers' choice of channel", "信任在村民选择渠道中的权重")
        }
        ["citizens", "learning_rate"] => {
            pair("how fast villagers' trust learns (share a report)", "村民信任的学习速度（每次上报的比例）")
        }
        ["decisions", "take_up", "duty"] => {
            pair("departments' duty without sanction (days of work)", "无人追责时部门的责任感（工作天数）")
        }
        ["decisions", "take_up", "load_weight"] => pair("weight of load in the cost of work", "负荷在工作成本中的权重"),
        ["decisions", "take_up", "sensitivity"] => {
            pair("how sharply take-up follows its balance", "接单随权衡变化的敏感程度")
        }
        ["reengineering", "learn"] => {
            pair("speed of process reengineering (a working day)", "流程再造的速度（每个工作日）")
        }
        ["closed_per_month"] => pair("orders closed in the system (a month)", "系统内办结的工单（每月）"),
        ["closed_in_system_share"] => {
            pair("share of decided orders closed in the system", "已决工单中在系统内办结的比例")
        }
        ["on_time_share"] => pair("share of closed orders closed on time", "办结工单中按时办结的比例"),
        ["mean_wait_hours"] => pair("wait before department work (hours)", "部门办理前的等待（小时）"),
        ["mean_sojourn_hours"] => pair("time from arrival to closure (hours)", "从到达到办结的时间（小时）"),
        ["burden_share"] => pair("burden share of staff hours (负能 index)", "工时中的负担比例（负能指数）"),
        ["resolution_rate"] => pair("share of closed orders resolved", "办结工单中已解决的比例"),
        ["satisfaction_rate"] => pair("share of closed orders rated satisfied", "办结工单中评价满意的比例"),
        ["gaming_gap"] => pair("satisfaction minus resolution", "满意率减解决率"),
        ["weighted_r"] => pair("reengineering level R of its offices", "各部门的流程再造水平 R"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{axis, axis_zh};

    #[test]
    fn key_paths_read_as_words_with_units() {
        assert_eq!(
            axis("leaders.secretary.attention_hours_per_day"),
            "secretary's attention for platform items (hours a working day)"
        );
        assert_eq!(axis("departments.office.line_tasks.rate_per_day"), "line tasks of office (a day)");
        assert_eq!(axis("something.unknown"), "something.unknown");
        assert_eq!(axis_zh("departments.office.staff"), "office 的人员（人）");
        assert_eq!(axis_zh("something.unknown"), "something.unknown");
    }
}
