//! An order's story told in words: one function per language over the same [`TraceEvent`]s.
//! The English is what `embedsim trace` prints; the Chinese is what the classroom page shows
//! after the 中文 switch.

use crate::engine::time::SimTime;
use crate::model::decision::Sanctioner;
use crate::model::leader::ItemKind;
use crate::model::order::{Cause, Channel};
use crate::model::story::{Handler, Refusal, TraceEvent};

pub use crate::scenario::display::Lang;
use crate::scenario::display::Names;

/// The event in words, in language `lang`, each entity called by its display name in `lang`
/// (its id when it has none).
pub fn tell_event(e: &TraceEvent, lang: Lang, names: &Names) -> String {
    let e = named(e, names, lang);
    match lang {
        Lang::En => en(&e),
        Lang::Zh => zh(&e),
    }
}

/// `e` with every id replaced by what `names` calls it in `lang`: the words are then the same
/// for ids and display names.
fn named(e: &TraceEvent, names: &Names, lang: Lang) -> TraceEvent {
    use TraceEvent::*;
    let dept = |d: &String| names.department(d, lang).to_string();
    let leader = |l: &String| names.leader(l, lang).to_string();
    let mut e = e.clone();
    match &mut e {
        Arrived { platform, village, category, .. } => {
            *platform = names.platform(platform, lang).to_string();
            if let Some(v) = village {
                *v = names.of("villages", v, lang).to_string();
            }
            if let Some(c) = category {
                *c = names.of("categories", c, lang).to_string();
            }
        }
        Dispatched { departments, .. } => departments.iter_mut().for_each(|d| *d = dept(d)),
        OutsideReach { department }
        | Returned { department, .. }
        | Weighed { department, .. }
        | RefusedForGood { department, .. }
        | Summoned { department, .. }
        | ReportedLate { department, .. }
        | WorkStarts { department, .. }
        | RedoFinished { department }
        | PartFinished { department }
        | AuditFailed { department, .. }
        | Refused { department, .. } => *department = dept(department),
        DeputyTakes { leader: l } | Waits { leader: l, .. } => *l = leader(l),
        Reviewed { by, .. } | SentBack { by } | SignedOff { by, .. } => by.leader = leader(&by.leader),
        _ => {}
    }
    e
}

/// A moment in words: `day 12 09:30` or `第 12 天 09:30`.
pub fn time(t: SimTime, lang: Lang) -> String {
    let s = t.to_string();
    match (lang, s.strip_prefix("day ").and_then(|r| r.split_once(' '))) {
        (Lang::Zh, Some((day, hm))) => format!("第 {day} 天 {hm}"),
        (Lang::Zh, None) => "永不".into(),
        (Lang::En, _) => s,
    }
}

fn who_en(h: &Handler) -> String {
    if h.deputy { format!("{}'s deputy", h.leader) } else { h.leader.clone() }
}

fn why_en(r: &Refusal) -> String {
    let t = &r.terms;
    format!(
        "its load was {:.2} (share of staff busy plus days of waiting work per head); neglect would \
         be sanctioned by {} (consequence {:.2}){}; the work would cost {:.2} days at that load; \
         it keeps such an order {:.0}% of the time",
        t.load,
        r.sanctioner.words(),
        t.consequence,
        if t.outside_authority { ", and the matter is outside its authority" } else { "" },
        t.cost,
        t.p_keep * 100.0
    )
}

/// The event in English, as `embedsim trace` prints it.
pub fn en(e: &TraceEvent) -> String {
    use TraceEvent::*;
    match e {
        Arrived { serial, platform, channel, village, category, deadline } => {
            let cat = category.as_ref().map_or(String::new(), |c| format!(" about {c}"));
            let from = village.as_ref().map_or(String::new(), |v| format!(" from {v}"));
            let limit = deadline.map_or(String::new(), |d| format!("; deadline {d}"));
            format!("order #{serial} arrives on {platform} via {}{from}{cat}{limit}", channel.name())
        }
        Unreasonable => "the demand is unreasonable or outside government remit (M15)".into(),
        Screened => "screened out at intake (M15): closed with an explanation, unresolved".into(),
        Dispatched { authority, departments } => {
            format!(
                "dispatched {} authority to {}",
                if *authority { "with" } else { "without" },
                departments.join(" + ")
            )
        }
        OutsideReach { department } => format!(
            "{department} is a county line department: the township's authority does not reach it (看得见的管不着)"
        ),
        Returned { department, why } => format!("{department} sends it back to its dispatcher: {}", why_en(why)),
        Weighed { department, why } => format!("{department} weighs it and keeps it: {}", why_en(why)),
        RefusedForGood { department, capacity } => format!(
            "{department} will not take it, and it has been sent back as often as allowed: nobody can make \
             the department take it, so it ends, for lack of {}",
            if *capacity { "capacity (the department is full of this platform's own orders)" } else { "authority" }
        ),
        Summoned { department, limit_hours } => {
            format!("the street blows the whistle: {department} must report within {limit_hours:.0} h (吹哨报到)")
        }
        ReportedLate { department, waited_hours, limit_hours } => format!(
            "{department} reports {waited_hours:.0} h after the whistle, past the {limit_hours:.0} h limit: it is rebuked"
        ),
        WorkStarts { department, hours } => format!("{department} starts work: {hours:.1} h of work"),
        RedoFinished { department } => format!("{department} finishes the redo"),
        PartFinished { department } => format!("{department} finishes its part"),
        SlipshodPasses => "the reply is slipshod but passes the audit: the order will close unresolved (M9)".into(),
        AuditFailed { department, load, stress, fail } => format!(
            "the reply fails the audit: {department} wrote it at load {load:.2} and stress {stress:.2}, \
             when a reply fails {:.0}% of the time; it must redo it (M9)",
            fail * 100.0,
        ),
        Escalated => "it needs authority above the township: escalated to the county (M7)".into(),
        BeyondTownship => "it needs authority above the township; the township cannot act (权小责大)".into(),
        CountyDone { resolved } => {
            format!("the county {}", if *resolved { "resolves it" } else { "does not resolve it" })
        }
        DeputyTakes { leader } => format!("{leader}'s inbox is full: the deputy takes it (M13)"),
        Waits { leader, kind } => {
            let what = match kind {
                ItemKind::Review => "review",
                ItemKind::SignOff => "sign-off",
                ItemKind::Redispatch(_) => "re-dispatch",
            };
            format!("waits in {leader}'s inbox for {what}")
        }
        Reviewed { by, hours } => format!("{} reviews it ({hours:.2} h)", who_en(by)),
        SentBack { by } => format!("{} sends it back to the department", who_en(by)),
        SignedOff { by, hours } => format!("{} signs it off ({hours:.2} h)", who_en(by)),
        Repeat => "this is a repeat complaint: the issue came back unresolved".into(),
        Closed { on_time, resolved, satisfied, persuaded } => format!(
            "closed in the system, {}, {}; the caller rates it {}{}",
            if *on_time { "on time" } else { "late" },
            if *resolved { "resolved" } else { "unresolved" },
            if *satisfied { "satisfied" } else { "dissatisfied" },
            if *persuaded { " after the unit's persuasion (M11)" } else { "" }
        ),
        WillComplain { days } => format!("the caller will complain again in about {days:.0} days (M16)"),
        DeadlinePassed { cause } => format!(
            "the deadline passes with the order still open, {}",
            match cause {
                Cause::Capacity => "its handlers busy with this platform's own orders (lack of capacity)",
                Cause::Authority => "its handlers' time going to other claims, or refused (lack of authority)",
            }
        ),
        DeskRedispatches => "the dispatch desk re-dispatches it".into(),
        SettledOffline => "the operator settles it offline, outside the system (M3)".into(),
        OperatorRedispatches => "the operator negotiates it back to the department".into(),
        TakenUp => "the operator negotiates; the departments take it up (M2)".into(),
        Refused { department, attempt, why } => {
            format!("the operator negotiates; {department} refuses (attempt {attempt}): {}", why_en(why))
        }
        Dropped => "the operator gives up: dropped".into(),
    }
}

fn who_zh(h: &Handler) -> String {
    if h.deputy { format!("{} 的副职", h.leader) } else { h.leader.clone() }
}

fn channel_zh(c: Channel) -> &'static str {
    match c {
        Channel::Direct => "平台直接受理",
        Channel::Citizen => "村民自选渠道",
        Channel::Grid => "网格员巡查上报",
        Channel::Sensor => "传感器自动上报",
    }
}

fn why_zh(r: &Refusal) -> String {
    let t = &r.terms;
    let by = match r.sanctioner {
        Sanctioner::Leader { dispatched: true, signs_off: true } => "派单并签批答复的领导",
        Sanctioner::Leader { dispatched: true, signs_off: false } => "派单的领导（她不审核答复）",
        Sanctioner::Leader { dispatched: false, .. } => "签批答复的领导",
        Sanctioner::Centre => "分级派单、指定牵头单位的指挥中心",
        Sanctioner::Assessment => "平台的考核",
        Sanctioner::Veto => "县里（一票否决的分量）",
        Sanctioner::LineTask => "县级条线部门",
        Sanctioner::Nobody => "无人",
        Sanctioner::Ranking { bottom: false } => "全市的月度排名",
        Sanctioner::Ranking { bottom: true } => "全市的月度排名（本单位上月排在末尾）",
        Sanctioner::Whistle => "街道吹哨：被召集的部门必须报到",
        Sanctioner::Proactive => "本单位的源头治理计划",
    };
    format!(
        "它的负荷是 {:.2}（在忙人员比例加人均待办天数）；怠慢它由{by}追究（后果 {:.2}）{}；按这个负荷，\
         办理要花 {:.2} 天；这样的工单它有 {:.0}% 的时候会接手",
        t.load,
        t.consequence,
        if t.outside_authority { "，且此事超出它的职权" } else { "" },
        t.cost,
        t.p_keep * 100.0
    )
}

/// The event in Chinese, as the classroom page shows it after the 中文 switch.
pub fn zh(e: &TraceEvent) -> String {
    use TraceEvent::*;
    match e {
        Arrived { serial, platform, channel, village, category, deadline } => {
            let from = village.as_ref().map_or(String::new(), |v| format!("，来自 {v}"));
            let cat = category.as_ref().map_or(String::new(), |c| format!("，事项：{c}"));
            let limit = deadline.map_or(String::new(), |d| format!("；办理期限 {}", time(d, Lang::Zh)));
            format!("工单 #{serial} 到达平台 {platform}（{}）{from}{cat}{limit}", channel_zh(*channel))
        }
        Unreasonable => "诉求不合理，或超出政府职责范围（M15）".into(),
        Screened => "受理时被甄别出来（M15）：附说明办结，未解决".into(),
        Dispatched { authority, departments } => {
            format!("{}派给 {}", if *authority { "带着领导的权威" } else { "不带领导的权威" }, departments.join(" + "))
        }
        OutsideReach { department } => {
            format!("{department} 是县级条线部门：乡镇的权威管不到它（看得见的管不着）")
        }
        Returned { department, why } => format!("{department} 把工单退回派单方：{}", why_zh(why)),
        Weighed { department, why } => format!("{department} 权衡之后接手：{}", why_zh(why)),
        RefusedForGood { department, capacity } => format!(
            "{department} 仍不接手，而工单已退回到上限：无人能让它接手，工单因{}而终止",
            if *capacity { "能力不足（该部门满是本平台自己的工单）" } else { "缺乏权威" }
        ),
        Summoned { department, limit_hours } => {
            format!("街道吹哨：{department} 须在 {limit_hours:.0} 小时内报到（吹哨报到）")
        }
        ReportedLate { department, waited_hours, limit_hours } => {
            format!("{department} 在吹哨后 {waited_hours:.0} 小时才报到，超过 {limit_hours:.0} 小时的时限：被问责")
        }
        WorkStarts { department, hours } => format!("{department} 开始办理：工作量 {hours:.1} 小时"),
        RedoFinished { department } => format!("{department} 完成返工"),
        PartFinished { department } => format!("{department} 完成它那一部分"),
        SlipshodPasses => "答复敷衍了事，却通过了审核：工单将以未解决办结（M9）".into(),
        AuditFailed { department, load, stress, fail } => format!(
            "答复未通过审核：{department} 写答复时负荷 {load:.2}、压力 {stress:.2}，\
             此时答复有 {:.0}% 的概率不合格；必须返工（M9）",
            fail * 100.0,
        ),
        Escalated => "需要乡镇以上的权限：上报到县（M7）".into(),
        BeyondTownship => "需要乡镇以上的权限；乡镇无能为力（权小责大）".into(),
        CountyDone { resolved } => if *resolved { "县里解决了它" } else { "县里没有解决它" }.into(),
        DeputyTakes { leader } => format!("{leader} 的待办已满：由副职接手（M13）"),
        Waits { leader, kind } => {
            let what = match kind {
                ItemKind::Review => "审阅",
                ItemKind::SignOff => "签批",
                ItemKind::Redispatch(_) => "重新派单",
            };
            format!("在 {leader} 的待办中等待{what}")
        }
        Reviewed { by, hours } => format!("{} 审阅了它（{hours:.2} 小时）", who_zh(by)),
        SentBack { by } => format!("{} 把它发回部门", who_zh(by)),
        SignedOff { by, hours } => format!("{} 签批了它（{hours:.2} 小时）", who_zh(by)),
        Repeat => "这是重复投诉：问题没有解决，又回来了".into(),
        Closed { on_time, resolved, satisfied, persuaded } => format!(
            "在系统内办结，{}，{}；来电人评价{}{}",
            if *on_time { "按时" } else { "超期" },
            if *resolved { "已解决" } else { "未解决" },
            if *satisfied { "满意" } else { "不满意" },
            if *persuaded { "（经单位劝说，M11）" } else { "" }
        ),
        WillComplain { days } => format!("来电人大约 {days:.0} 天后会再次投诉（M16）"),
        DeadlinePassed { cause } => format!(
            "期限已过，工单仍未办结：{}",
            match cause {
                Cause::Capacity => "经办人忙于本平台自己的工单（能力不足）",
                Cause::Authority => "经办人的时间花在别的事务上，或拒绝了它（权威不足）",
            }
        ),
        DeskRedispatches => "派单台重新派单".into(),
        SettledOffline => "操作员在系统外线下解决了它（M3）".into(),
        OperatorRedispatches => "操作员协商后把它送回部门".into(),
        TakenUp => "操作员协商；各部门接手（M2）".into(),
        Refused { department, attempt, why } => {
            format!("操作员协商；{department} 拒绝（第 {attempt} 次）：{}", why_zh(why))
        }
        Dropped => "操作员放弃：工单被搁置，不了了之".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::decision::TakeUp;

    fn every_event() -> Vec<TraceEvent> {
        use TraceEvent::*;
        let why = Refusal {
            terms: TakeUp { consequence: 0.5, cost: 2.0, load: 1.25, outside_authority: true, p_keep: 0.3 },
            sanctioner: Sanctioner::Nobody,
        };
        let by = Handler { leader: "secretary".into(), deputy: true };
        let d = || "civil_affairs".to_string();
        vec![
            Arrived {
                serial: 7,
                platform: "voice".into(),
                channel: Channel::Citizen,
                village: Some("v1".into()),
                category: Some("roads".into()),
                deadline: Some(SimTime::from_days(3.5)),
            },
            Unreasonable,
            Screened,
            Dispatched { authority: true, departments: vec![d(), "market".into()] },
            OutsideReach { department: d() },
            Summoned { department: d(), limit_hours: 48.0 },
            ReportedLate { department: d(), waited_hours: 60.0, limit_hours: 48.0 },
            Returned { department: d(), why: why.clone() },
            Weighed { department: d(), why },
            RefusedForGood { department: d(), capacity: true },
            WorkStarts { department: d(), hours: 3.0 },
            RedoFinished { department: d() },
            PartFinished { department: d() },
            SlipshodPasses,
            AuditFailed { department: d(), load: 1.0, stress: 0.5, fail: 0.2 },
            Escalated,
            BeyondTownship,
            CountyDone { resolved: false },
            DeputyTakes { leader: "secretary".into() },
            Waits { leader: "secretary".into(), kind: ItemKind::SignOff },
            Reviewed { by: by.clone(), hours: 0.25 },
            SentBack { by: by.clone() },
            SignedOff { by, hours: 0.25 },
            Repeat,
            Closed { on_time: true, resolved: false, satisfied: true, persuaded: true },
            WillComplain { days: 12.0 },
            DeadlinePassed { cause: Cause::Authority },
            DeskRedispatches,
            SettledOffline,
            OperatorRedispatches,
            TakenUp,
            Refused { department: d(), attempt: 2, why },
            Dropped,
        ]
    }

    /// Fails to compile when a variant is added without a line in [`every_event`].
    fn covered(e: &TraceEvent) {
        use TraceEvent::*;
        match e {
            Arrived { .. } | Unreasonable | Screened | Dispatched { .. } | OutsideReach { .. } | Returned { .. } => {}
            WorkStarts { .. } | RedoFinished { .. } | PartFinished { .. } | SlipshodPasses | AuditFailed { .. } => {}
            Escalated | BeyondTownship | CountyDone { .. } | DeputyTakes { .. } | Waits { .. } | Reviewed { .. } => {}
            SentBack { .. } | SignedOff { .. } | Repeat | Closed { .. } | WillComplain { .. } => {}
            DeadlinePassed { .. } | DeskRedispatches | SettledOffline | OperatorRedispatches | TakenUp => {}
            Refused { .. } | Dropped | Summoned { .. } | ReportedLate { .. } | Weighed { .. } => {}
            RefusedForGood { .. } => {}
        }
    }

    fn is_han(c: char) -> bool {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
    }

    #[test]
    fn every_event_reads_in_chinese_and_in_english() {
        let events = every_event();
        for e in &events {
            covered(e);
            let (en, zh) = (tell_event(e, Lang::En, &Names::default()), tell_event(e, Lang::Zh, &Names::default()));
            // Chinese wording of its own, not just the ids and the 成语 the English quotes.
            let han = zh.chars().filter(|&c| is_han(c)).count();
            assert!(han >= 4, "{e:?} in Chinese: {zh}");
            assert_ne!(zh, en);
            assert!(en.chars().filter(|c| c.is_ascii_alphabetic()).count() > 5, "{e:?} in English: {en}");
            assert!(!zh.contains(" the ") && !zh.contains(" it "), "English words in the Chinese: {zh}");
        }
        // No two kinds of event read the same.
        let mut zh: Vec<String> = events.iter().map(zh).collect();
        zh.sort();
        zh.dedup();
        assert_eq!(zh.len(), events.len());
    }

    #[test]
    fn with_display_names_a_chinese_story_has_no_latin_word() {
        let mut names = Names::default();
        for (key, zh) in [
            ("platforms.voice", "民声平台"),
            ("villages.v1", "一号村"),
            ("categories.roads", "道路设施"),
            ("departments.civil_affairs", "民政办"),
            ("departments.market", "市场监管所"),
            ("leaders.secretary", "党委书记"),
        ] {
            names.entities.insert(key.into(), crate::scenario::display::Display { en: None, zh: Some(zh.into()) });
        }
        for e in &every_event() {
            let zh = tell_event(e, Lang::Zh, &names);
            assert!(crate::text::latin_words(&zh).is_empty(), "{zh}: {:?}", crate::text::latin_words(&zh));
            // Without them the ids show: the check above can fail.
            if matches!(e, TraceEvent::Arrived { .. }) {
                assert!(!crate::text::latin_words(&tell_event(e, Lang::Zh, &Names::default())).is_empty());
            }
        }
    }

    #[test]
    fn the_english_is_what_trace_printed() {
        let e = TraceEvent::Arrived {
            serial: 7,
            platform: "voice".into(),
            channel: Channel::Direct,
            village: None,
            category: Some("roads".into()),
            deadline: Some(SimTime::from_days(3.5)),
        };
        assert_eq!(en(&e), "order #7 arrives on voice via direct about roads; deadline day 3 12:00");
        assert_eq!(zh(&e), "工单 #7 到达平台 voice（平台直接受理），事项：roads；办理期限 第 3 天 12:00");
        assert_eq!(time(SimTime::from_days(f64::INFINITY), Lang::Zh), "永不");
    }
}
