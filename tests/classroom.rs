//! docs/CLASSROOM.md quotes the numbers the runs give today; this test runs each lesson's
//! scenario as the guide tells the class to, and checks that every quoted phrase is in the guide,
//! so that the guide cannot drift from the program.

use std::path::Path;

use embedsim::experiment::run_all;
use embedsim::metrics::stats::mean_ci95;
use embedsim::output::report::regime_tally;
use embedsim::output::summaries;
use embedsim::scenario::overrides::{load_variant, parse_set};

struct Run {
    rows: Vec<Vec<embedsim::metrics::summary::PlatformSummary>>,
    outs: Vec<embedsim::model::RunOutput>,
}

fn run(file: &str, sets: &[&str]) -> Run {
    let overrides: Vec<_> = sets.iter().map(|s| parse_set(s).unwrap()).collect();
    let sc = load_variant(&Path::new(env!("CARGO_MANIFEST_DIR")).join(file), &overrides).unwrap();
    let outs = run_all(&sc, None, &|| {}).unwrap();
    Run { rows: summaries(&sc, &outs), outs }
}

impl Run {
    fn mean(&self, p: usize, metric: &str) -> f64 {
        mean_ci95(&self.rows.iter().map(|r| r[p].get(metric)).collect::<Vec<_>>()).0
    }
    fn regimes(&self, p: usize) -> String {
        regime_tally(&self.rows.iter().map(|r| r[p].regime).collect::<Vec<_>>())
    }
    /// The first day on which replication 0 is overloaded (0: never).
    fn flip_day(&self, p: usize) -> u32 {
        let changes = &self.outs[0].platforms[p].regimes.changes;
        changes.iter().find(|c| c.1.name() == "overloaded").map_or(0, |c| c.0)
    }
    /// The first day after the flip on which replication 0 is embedded again (0: never).
    fn back_day(&self, p: usize) -> u32 {
        let flip = self.flip_day(p);
        let changes = &self.outs[0].platforms[p].regimes.changes;
        changes.iter().find(|c| c.0 > flip && c.1.is_embedded()).map_or(0, |c| c.0)
    }
    /// Replications whose platform `p` is overloaded on the run's last day.
    fn overloaded_at_end(&self, p: usize) -> usize {
        let last = |o: &embedsim::model::RunOutput| o.platforms[p].regimes.changes.last().map(|c| c.1.name());
        self.outs.iter().filter(|o| last(o) == Some("overloaded")).count()
    }
    /// Department `d`'s staff at the run's end, the mean over replications.
    fn staff_end(&self, d: usize) -> f64 {
        self.outs.iter().map(|o| o.departments[d].staff_end as f64).sum::<f64>() / self.outs.len() as f64
    }
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

#[test]
fn the_guide_quotes_what_the_runs_give_today() {
    let guide = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/CLASSROOM.md")).unwrap();
    let mut phrases = Vec::new();

    // Lesson 1: S town, and S town with a starved secretary.
    let s = run("scenarios/s-town.toml", &[]);
    phrases.push(format!("comprehensive: {}", s.regimes(0)));
    phrases.push(format!("{} of its decided orders closed in the system", pct(s.mean(0, "closed_in_system_share"))));
    phrases.push(format!("minhu: {}", s.regimes(1)));
    phrases.push(format!("{:.0} orders a month", s.mean(1, "closed_per_month")));
    let starved = run("scenarios/s-town.toml", &["leaders.secretary.attention_hours_per_day=1"]);
    phrases.push(format!("minhu with 1 hour: {}", starved.regimes(1)));
    phrases.push(format!(
        "{} of its orders closed in the system, {} of those on time",
        pct(starved.mean(1, "closed_in_system_share")),
        pct(starved.mean(1, "on_time_share"))
    ));

    // Lesson 2: the C district hotline at 265 and at 50 orders a day.
    let h = run("scenarios/c-district-hotline.toml", &[]);
    let quiet = run("scenarios/c-district-hotline.toml", &["platforms.hotline.arrival_rate_per_day=50"]);
    for (label, r) in [("at 265 a day", &h), ("at 50 a day", &quiet)] {
        phrases.push(format!(
            "{label}: {} redone, satisfaction {:.0} points above resolution, {} of the dispatchers' time on returns, {} of the hours burden, {}",
            pct(r.mean(0, "redo_rate")),
            r.mean(0, "gaming_gap") * 100.0,
            pct(r.mean(0, "desk_return_share")),
            pct(r.mean(0, "burden_share")),
            r.regimes(0)
        ));
    }

    // Lesson 3: a pulse, and a township that does not come back.
    let pulse = "platforms.voice.shocks=[{ from_day = 120, to_day = 160, multiplier = 5.0 }]";
    let small = "platforms.voice.shocks=[{ from_day = 120, to_day = 160, multiplier = 1.5 }]";
    let none = run("scenarios/classroom-tipping.toml", &[]);
    let tipped = run("scenarios/classroom-tipping.toml", &[pulse]);
    let little = run("scenarios/classroom-tipping.toml", &[small]);
    // The mechanism that remembers, off in every office.
    let off = [
        pulse,
        "departments.civil_affairs.stress.attrition.per_day=0",
        "departments.construction.stress.attrition.per_day=0",
        "departments.stability.stress.attrition.per_day=0",
    ];
    let kept = run("scenarios/classroom-tipping.toml", &off);
    phrases.push(format!("no pulse: {}, {} on time", none.regimes(0), pct(none.mean(0, "on_time_share"))));
    phrases.push(format!(
        "pulse ×5: {}, {} on time, {} of decided orders closed in the system",
        tipped.regimes(0),
        pct(tipped.mean(0, "on_time_share")),
        pct(tipped.mean(0, "closed_in_system_share"))
    ));
    phrases.push(format!(
        "flips to overloaded on day {}; on the last day {} of 4 replications are overloaded, and civil affairs has {:.1} of its 6 staff",
        tipped.flip_day(0),
        tipped.overloaded_at_end(0),
        tipped.staff_end(0)
    ));
    phrases.push(format!(
        "attrition off: {}, embedded again on day {} in replication 0",
        kept.regimes(0),
        kept.back_day(0)
    ));
    phrases.push(format!("pulse ×1.5: {}, {} on time", little.regimes(0), pct(little.mean(0, "on_time_share"))));

    // The Chinese paragraphs repeat the numbers.
    phrases.push(format!("已决工单中 {} 在系统内办结", pct(s.mean(0, "closed_in_system_share"))));
    phrases.push(format!("每月办结 {:.0} 件", s.mean(1, "closed_per_month")));
    let figures = |r: &Run| {
        let gap = format!("{:.0}", r.mean(0, "gaming_gap") * 100.0);
        [pct(r.mean(0, "redo_rate")), gap, pct(r.mean(0, "desk_return_share")), pct(r.mean(0, "burden_share"))]
    };
    let [redo, gap, returns, burden] = figures(&h);
    phrases.push(format!(
        "返工 {redo}、满意率比解决率高 {gap} 个百分点、派单员 {returns} 的时间用于退单、工时的 {burden}"
    ));
    let [redo, gap, returns, burden] = figures(&quiet);
    phrases.push(format!("分别为 {redo}、{gap}、{returns}、{burden}"));

    phrases.push(format!(
        "第 0 次重复在第 {} 天转为超载；最后一天 4 次重复中 {} 次超载，民政办平均只剩 {:.1} 人（原有 6 人）",
        tipped.flip_day(0),
        tipped.overloaded_at_end(0),
        tipped.staff_end(0)
    ));
    phrases.push(format!("关掉人员流失后，第 0 次重复在第 {} 天恢复嵌入", kept.back_day(0)));
    phrases.push(format!("4 次均为嵌入、{} 按时", pct(little.mean(0, "on_time_share"))));

    let missing: Vec<&String> = phrases.iter().filter(|p| !guide.contains(p.as_str())).collect();
    assert!(missing.is_empty(), "docs/CLASSROOM.md no longer says what the runs give; update it:\n{missing:#?}");
}
