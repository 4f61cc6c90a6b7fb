//! The page's error messages in 中文. The library's messages are English sentences built in many
//! places; the page translates the phrases they are made of (the frame, the range and type
//! messages every key shares, the key and path problems), leaving key paths, values and `--set`
//! arguments as they are, since a person types those. A message with a phrase not in the table
//! keeps it in English after a Chinese lead-in rather than showing nothing.

/// Phrases, a longer one before any it contains: (English, 中文). `{}` is not used: each phrase
/// is a fixed piece between the values the message carries.
const PHRASES: &[(&str, &str)] = &[
    ("replications: expected a whole number from 1 to ", "重复次数：应为整数，范围 1 到 "),
    ("cannot apply the command line's changes", "无法应用页面上的修改"),
    ("caused by: ", "原因："),
    (" problems:", " 个问题："),
    (" problem:", " 个问题："),
    ("the scenario has no departments ", "情景中没有部门 "),
    ("the scenario has no platforms ", "情景中没有平台 "),
    ("the scenario has no leaders ", "情景中没有领导 "),
    ("the scenario has no categories ", "情景中没有事项类别 "),
    ("the scenario has no villages ", "情景中没有村 "),
    ("the scenario has no ", "情景中没有 "),
    ("; a new one is added only with its whole table, for example ", "；新的实体只能以整张表添加，例如 "),
    (" (did you mean ", "（是不是 "),
    ("?)", "？）"),
    ("unknown key ", "没有这个键 "),
    (": did you mean ", "：是不是 "),
    ("? (keys here: ", "？（这里的键有："),
    (" lists every key)", " 列出所有键）"),
    ("(keys here: ", "（这里的键有："),
    ("expected a whole number from ", "应为整数，范围 "),
    ("expected a number from ", "应为数值，范围 "),
    ("expected a probability between 0 and 1", "应为 0 到 1 之间的概率"),
    ("expected a number > 0", "应为大于 0 的数"),
    ("expected 0 or a number of hours from 1/60 (one minute) to ", "应为 0，或 1/60（一分钟）到以下值之间的小时数："),
    ("expected at most ", "应不超过 "),
    ("expected true or false", "应为 true 或 false"),
    ("expected text in quotes", "应为带引号的文本"),
    ("expected a list [ ... ]", "应为列表 [ ... ]"),
    ("expected a whole number", "应为整数"),
    ("expected a number", "应为数值"),
    (" (not a whole number)", "（不是整数）"),
    (", found the text ", "，实际为文本 "),
    (", found a list", "，实际为列表"),
    (", found a table", "，实际为表"),
    (", found ", "，实际为 "),
    (" days (200 years)", " 天（200 年）"),
    (" (from ", "（来自 "),
    ("the value is not TOML", "这个值不是合法的 TOML"),
    ("; strings need quotes: ", "；文本需要加引号："),
    ("unclosed array, expected `]`", "数组没有闭合，缺少 `]`"),
    ("unknown scenario ", "没有这个情景 "),
    (" (see the list on the page)", "（见页面上的列表）"),
    (" on the page", "（页面上）"),
    (" runs are going already; wait for one to finish", " 个运行正在进行；请等其中一个结束"),
    ("request larger than ", "请求超过 "),
    (" bytes", " 字节"),
    ("this run would take about ", "这次运行约需 "),
    ("stopped on day ", "在第 "),
    (": the page gives one run at most ", " 天停止：页面上的一次运行最多 "),
    (
        " s; lower the replications or simulation.duration_days, or run it with `embedsim run`",
        " 秒；请减少重复次数或 `simulation.duration_days`，或用 `embedsim run` 运行",
    ),
    ("the server is busy with other runs (about ", "服务器正忙于其他运行（约占用 "),
    (" GB of memory in use); wait for one to finish", " GB 内存）；请等其中一个结束"),
    (
        " GB of memory, more than `embedsim run` takes without --large; lower the replications or simulation.duration_days, or run it from the command line with --large",
        " GB 内存，超过 `embedsim run` 不加 --large 时允许的量；请减少重复次数或 `simulation.duration_days`，或在命令行中加 --large 运行",
    ),
    // Last: the range's "from A to B" once every phrase holding " to " has been read, and the
    // list's separator.
    (" to ", " 到 "),
    ("; ", "；"),
];

/// `en` in 中文, phrase by phrase, outside backticks; what no phrase covers stays as it is,
/// after a lead-in that says part is left in English.
pub fn error_zh(en: &str) -> String {
    // What is between backticks (keys, values as typed) is never translated.
    let mut s = String::new();
    for (i, part) in en.split('`').enumerate() {
        if i > 0 {
            s.push('`');
        }
        if i % 2 == 1 {
            s.push_str(part);
            continue;
        }
        let mut t = part.to_string();
        for (from, to) in PHRASES {
            t = t.replace(from, to);
        }
        s.push_str(&t);
    }
    s = keys_as_code(&s);
    if s.ends_with(')') && s.contains('（') {
        // A parenthesis opened in Chinese closes in Chinese.
        if s.matches('（').count() > s.matches('）').count() {
            s.pop();
            s.push('）');
        }
    }
    if crate::text::latin_words(&s).is_empty() { s } else { format!("（部分未译，保留英文）{s}") }
}

/// The keys a message lists ("这里的键有：staff, level；") as code: a person types them.
fn keys_as_code(s: &str) -> String {
    const LEAD: &str = "这里的键有：";
    let Some(at) = s.find(LEAD) else { return s.to_string() };
    let start = at + LEAD.len();
    let end = s[start..].find(['；', '）']).map_or(s.len(), |e| start + e);
    let listed: Vec<String> = s[start..end].split(", ").map(|k| format!("`{k}`")).collect();
    format!("{}{}{}", &s[..start], listed.join("、"), &s[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_messages_a_page_meets_read_in_chinese() {
        for en in [
            "scenarios/s-town.toml: cannot apply the command line's changes\n  caused by: --set departments.enforcment.staff=3: the scenario has no departments `enforcment` (did you mean `departments.enforcement.staff`?); a new one is added only with its whole table, for example --set 'departments.enforcment={ ... }'",
            "scenarios/s-town.toml: 1 problem:\n  - departments.enforcement.staff: expected a whole number from 1 to 100000, found 0 (from --set departments.enforcement.staff=0)",
            "scenarios/s-town.toml: departments.enforcement.staff: expected a whole number from 1 to 100000, found the text \"x\" (from --set departments.enforcement.staff=\"x\")",
            "scenarios/s-town.toml: departments.enforcement.stafff: unknown key `stafff`: did you mean `staff`? (keys here: staff, display, level, line_tasks, stress, overtime; `embedsim keys` lists every key) (from --set departments.enforcement.stafff=2)",
            "scenarios/s-town.toml: 1 problem:\n  - simulation.duration_days: expected at most 73000 days (200 years), found 1000000000 (from --set simulation.duration_days=1000000000.0)",
            "unknown scenario \"x\" (see the list on the page)",
            "4 runs are going already; wait for one to finish",
            "replications: expected a whole number from 1 to 16 on the page, found 17",
        ] {
            let zh = error_zh(en);
            assert!(crate::text::latin_words(&zh).is_empty(), "{zh}: {:?}", crate::text::latin_words(&zh));
            assert!(!zh.starts_with("（部分未译"), "{zh}");
        }
    }

    #[test]
    fn what_no_phrase_covers_is_kept_after_a_lead_in() {
        let zh = error_zh("something nobody foresaw");
        assert!(zh.starts_with("（部分未译") && zh.ends_with("something nobody foresaw"), "{zh}");
        // The page's own range, and a value typed between backticks left as typed.
        let zh = error_zh("replications: expected a whole number from 1 to 16 on the page, found 0");
        assert!(crate::text::latin_words(&zh).is_empty() && zh.starts_with("重复次数"), "{zh}");
        assert!(error_zh("unknown key `from to`").ends_with("`from to`"));
        assert_eq!(
            crate::text::latin_words("键 `departments.x.staff` 应为整数，范围 1 到 100000"),
            Vec::<String>::new()
        );
        assert_eq!(crate::text::latin_words("staff 应为整数"), vec!["staff".to_string()]);
        assert_eq!(crate::text::latin_words("运行 failed."), vec!["failed".to_string()], "a sentence's last word");
    }
}
