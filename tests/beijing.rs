//! Beijing 接诉即办 (paper 003): the whistle, the monthly ranking, proactive work and a change of
//! leader, each against its absence on common random numbers, with a variant where its effect
//! vanishes; and the out-of-sample check against the public trajectory.
//!
//! Every effect comes from the departments' decision model (who can sanction neglect, at what
//! load) and from queues; no outcome is written in. Runs are on `scenarios/beijing-street.toml`
//! (one district, 17 streets); the whole city is `scenarios/beijing-12345.toml`.
//!
//! Replications are paired (the same seed and replication index on both sides); a finding must
//! hold in every replication of two seeds, with margins stated at each assertion. Between
//! replications the figures below vary by well under a point (about 36,000 orders a month), so
//! the margins are several times the noise.

use embedsim::experiment::run_all;
use embedsim::metrics::summary::summarize;
use embedsim::model::RunOutput;
use embedsim::scenario::overrides::{Override, apply, parse_set, parse_unset};
use embedsim::scenario::{Scenario, load_table, parse_table};

const STREET: &str = include_str!("../scenarios/beijing-street.toml");
const CITY: &str = include_str!("../scenarios/beijing-12345.toml");

/// beijing-street with `--set`/`--unset` style changes (a leading `!` unsets), 2 replications.
fn street(changes: &[&str]) -> Scenario {
    let mut table = parse_table(STREET, "beijing-street").unwrap();
    let mut all: Vec<Override> = vec![parse_set("simulation.replications=2").unwrap()];
    for c in changes {
        all.push(match c.strip_prefix('!') {
            Some(path) => parse_unset(path).unwrap(),
            None => parse_set(c).unwrap_or_else(|e| panic!("{e}")),
        });
    }
    apply(&mut table, &all).unwrap_or_else(|e| panic!("{e}"));
    load_table(table, "beijing-street", None).unwrap_or_else(|e| panic!("{e}"))
}

/// A year with the ranking in force from the start.
fn year(changes: &[&str]) -> (Scenario, Vec<RunOutput>) {
    let mut all = vec!["simulation.duration_days=360", "ranking.start_day=0"];
    all.extend_from_slice(changes);
    let sc = street(&all);
    let outs = run_all(&sc, None, &|| {}).unwrap();
    (sc, outs)
}

fn metric(sc: &Scenario, outs: &[RunOutput], name: &str) -> Vec<f64> {
    outs.iter().map(|o| summarize(sc, o)[0].get(name)).collect()
}

/// Response, resolution and satisfaction pooled over every unit and the ranking periods that
/// ended in `(from, to]`.
fn rates(out: &RunOutput, from: f64, to: f64) -> (f64, f64, f64) {
    let (mut n, mut resp, mut res, mut sat) = (0u64, 0u64, 0u64, 0u64);
    for p in out.ranking.iter().filter(|p| p.end_day > from && p.end_day <= to) {
        for u in &p.table.units {
            n += u.counts.closed;
            resp += u.counts.responded;
            res += u.counts.resolved;
            sat += u.counts.satisfied;
        }
    }
    let r = |x: u64| x as f64 / n as f64;
    (r(resp), r(res), r(sat))
}

/// Every paired difference `b − a` is above `margin`.
fn all_above(a: &[f64], b: &[f64], margin: f64) -> bool {
    a.iter().zip(b).all(|(x, y)| y - x > margin)
}

#[test]
fn the_scenarios_hold_the_public_figures() {
    let sc = street(&[]);
    assert_eq!(sc.layout.townships.len(), 17);
    assert!((sc.platforms[0].arrival_rate_per_day - 58_630.0 * 17.0 / 343.0).abs() < 1.0);
    assert_eq!(sc.platforms[0].inquiry_share, 0.585);
    let limits: Vec<f64> = sc.platforms[0].urgency.iter().map(|t| t.1).collect();
    assert_eq!(limits, [2.0, 24.0, 168.0, 360.0]);
    let city = embedsim::scenario::load_str(CITY, "beijing-12345").unwrap();
    assert_eq!(city.layout.townships.len(), 343);
    let districts: std::collections::BTreeSet<_> =
        city.layout.townships.iter().map(|t| t.district.clone().unwrap()).collect();
    assert_eq!(districts.len(), 16);
    assert!((city.platforms[0].arrival_rate_per_day * 365.0 / 21.4e6 - 1.0).abs() < 0.01);
}

#[test]
fn the_ranking_raises_resolution_and_can_open_a_gaming_gap() {
    for seed in ["2019", "7"] {
        let s = format!("simulation.seed={seed}");
        let (sc, ranked) = year(&[&s]);
        let (_, none) = year(&[&s, "!ranking"]);
        // Streets answer to the table: more care (fewer shortcuts) and fewer orders sent back.
        let (a, b) = (metric(&sc, &none, "resolution_rate"), metric(&sc, &ranked, "resolution_rate"));
        assert!(all_above(&a, &b, 0.08), "seed {seed}: resolution {a:?} → {b:?}");
        let (a, b) = (metric(&sc, &none, "satisfaction_rate"), metric(&sc, &ranked, "satisfaction_rate"));
        assert!(all_above(&a, &b, 0.06), "seed {seed}: satisfaction {a:?} → {b:?}");
        let (a, b) = (metric(&sc, &ranked, "return_rate"), metric(&sc, &none, "return_rate"));
        assert!(all_above(&a, &b, 0.15), "seed {seed}: returns {b:?} → {a:?}");
        assert!(metric(&sc, &none, "persuasions").iter().all(|&p| p == 0.0));
        assert!(metric(&sc, &ranked, "persuasions").iter().all(|&p| p > 0.0), "units near the bottom game");
    }
    // The mechanism off: a ranking without consequences changes nothing units care about.
    let (sc, none) = year(&["!ranking"]);
    let (_, toothless) = year(&["decisions.sanction.ranking=0", "decisions.sanction.ranking_bottom=0"]);
    let (a, b) = (metric(&sc, &none, "resolution_rate"), metric(&sc, &toothless, "resolution_rate"));
    assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 0.01), "toothless: {a:?} vs {b:?}");
    // Effort off (`neglect = 0`): the ranking still cuts returns, but resolution no longer
    // moves — its effect on resolution runs entirely through the assumed effort term.
    let (_, flat_none) = year(&["!ranking", "decisions.sloppiness.neglect=0"]);
    let (_, flat) = year(&["decisions.sloppiness.neglect=0"]);
    let (a, b) = (metric(&sc, &flat_none, "resolution_rate"), metric(&sc, &flat, "resolution_rate"));
    assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 0.01), "no effort term: {a:?} vs {b:?}");
    let (a, b) = (metric(&sc, &flat, "return_rate"), metric(&sc, &flat_none, "return_rate"));
    assert!(all_above(&a, &b, 0.15), "returns still fall: {b:?} → {a:?}");
    // Where persuasion pays, the ranking opens a gap between satisfaction and resolution.
    let (_, ranked) = year(&[]);
    let (_, paying) = year(&["ranking.persuasion_success=0.9", "decisions.gaming.margin=0.1"]);
    let (a, b) = (metric(&sc, &ranked, "gaming_gap"), metric(&sc, &paying, "gaming_gap"));
    assert!(all_above(&a, &b, 0.05), "gaming gap {a:?} → {b:?}");
    let (a, b) = (metric(&sc, &ranked, "resolution_rate"), metric(&sc, &paying, "resolution_rate"));
    assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 0.01), "gaming changes ratings, not resolution");
}

#[test]
fn a_ranking_is_relative() {
    // The same street, unchanged, moves in the table when the others get better: give every
    // other street more staff and street 1 falls toward the bottom.
    let staff = |own: u32, others: u32| {
        let list: Vec<String> = (1..=17).map(|i| if i == 1 { own } else { others }.to_string()).collect();
        list.join(", ")
    };
    let list = format!(
        "townships.dongcheng.list={{ \"departments.office.staff\" = [{}], \"departments.community.staff\" = [{}], \"departments.housing.staff\" = [{}] }}",
        staff(26, 40),
        staff(18, 30),
        staff(12, 20)
    );
    let changes = vec!["simulation.replications=1".to_string(), list];
    let refs: Vec<&str> = changes.iter().map(String::as_str).collect();
    let (_, base) = year(&["simulation.replications=1"]);
    let (_, others) = year(&refs);
    let mean_rank = |o: &RunOutput| {
        let ranks: Vec<f64> = o.ranking.iter().filter_map(|p| p.table.units[0].rank).map(f64::from).collect();
        ranks.iter().sum::<f64>() / ranks.len() as f64
    };
    let (before, after) = (mean_rank(&base[0]), mean_rank(&others[0]));
    // About +1 place (8.6 → 9.5) where it was about +3 before every order met the departments'
    // decision: every street now ends some orders by refusing them, which the ranking counts
    // against it, so better-staffed neighbours gain less on street 1.
    assert!(after > before + 0.5, "street 1's mean place {before:.1} → {after:.1}");
    let bottom = |o: &RunOutput| o.ranking.iter().filter(|p| p.table.units[0].bottom).count();
    assert!(bottom(&others[0]) > bottom(&base[0]));
}

#[test]
fn the_whistle_keeps_district_cases_but_buys_no_speed_when_summons_swamp_the_district() {
    let county = |sc: &Scenario, o: &[RunOutput]| {
        (metric(sc, o, "county_unresolved_share"), metric(sc, o, "county_resolution_hours"))
    };
    for seed in ["2019", "7"] {
        let s = format!("simulation.seed={seed}");
        let (sc, on) = year(&[&s]);
        let (_, off) = year(&[&s, "!whistle"]);
        let ((u_on, h_on), (u_off, h_off)) = (county(&sc, &on), county(&sc, &off));
        assert!(all_above(&u_on, &u_off, 0.05), "seed {seed}: unresolved {u_off:?} → {u_on:?}");
        // Hours to resolution at the bundled load are no longer shorter with the whistle (about
        // 30.3 h either way, +0.6 h with it): without it departments send back and end more of
        // the cases, and the harder ones leave the average; with it they keep them. The effect
        // that stays is on the cases' fate (above) and, under load, on their time (below).
        eprintln!("seed {seed}: hours {h_off:?} → {h_on:?}");
        assert!(metric(&sc, &on, "summons").iter().all(|&n| n > 10_000.0));
    }
    // More load on a district that also has its own line tasks: without the whistle it ends
    // many more of the district cases by refusing them; the summons make it keep them.
    let busy = "departments.dongcheng_bureau.staff=100";
    let (sc, on) = year(&[busy]);
    let (_, off) = year(&[busy, "!whistle"]);
    let ((u_on, h_on), (u_off, h_off)) = (county(&sc, &on), county(&sc, &off));
    eprintln!("busy: unresolved {u_off:?} → {u_on:?}, hours {h_off:?} → {h_on:?}");
    assert!(all_above(&u_on, &u_off, 0.05), "busy district: unresolved {u_off:?} → {u_on:?}");
    // A district swamped by the summoned work itself: every job is a summons, priority buys
    // nothing, and the whistle makes no case faster (it keeps more of them: 68% → 47% end
    // unresolved, and the kept ones take a little longer on average).
    let swamped = ["departments.dongcheng_bureau.staff=70", "!departments.dongcheng_bureau.line_tasks"];
    let (sc, on) = year(&swamped);
    let (_, off) = year(&[swamped[0], swamped[1], "!whistle"]);
    let ((u_on, h_on), (u_off, h_off)) = (county(&sc, &on), county(&sc, &off));
    eprintln!("swamped: unresolved {u_off:?} → {u_on:?}, hours {h_off:?} → {h_on:?}");
    assert!(h_on.iter().zip(&h_off).all(|(a, b)| *a > 0.95 * b), "swamped: {h_off:?} vs {h_on:?}");
    assert!(all_above(&u_on, &u_off, 0.05), "swamped district: unresolved {u_off:?} → {u_on:?}");
    // Summoned departments now send back what they cannot carry instead of reporting late:
    // few late reports are rebuked (under 5% where it was over 5%).
    let late = metric(&sc, &on, "summons_late_share");
    assert!(late.iter().all(|&x| x.is_finite() && x < 0.05), "late reports: {late:?}");
}

#[test]
fn proactive_work_lowers_volume_and_competes_for_hours() {
    let orders_in_last_quarter = |o: &RunOutput| o.platforms[0].days[270..360].iter().map(|d| d.arrivals).sum::<u64>();
    for seed in ["2019", "7"] {
        let s = format!("simulation.seed={seed}");
        let (sc, reactive) = year(&[&s]);
        let (_, proactive) = year(&[&s, "proactive.hours=8"]);
        for (r, p) in reactive.iter().zip(&proactive) {
            let (a, b) = (orders_in_last_quarter(r) as f64, orders_in_last_quarter(p) as f64);
            assert!(b < 0.95 * a, "seed {seed}: orders in the last quarter {a} → {b}");
        }
        assert!(metric(&sc, &proactive, "prevented").iter().all(|&n| n > 10_000.0));
        assert!(proactive.iter().all(|o| o.root_causes_done > 100));
    }
    // The investment competes with answering: root-cause hours that prevent nothing (cut = 0)
    // are hours the hotline's orders wait for.
    let heavy = ["proactive.hours=160", "proactive.categories=3"];
    let (sc, reactive) = year(&[]);
    let (_, cost_only) = year(&[heavy[0], heavy[1], "proactive.cut=0"]);
    let (a, b) = (metric(&sc, &reactive, "mean_wait_hours"), metric(&sc, &cost_only, "mean_wait_hours"));
    assert!(all_above(&a, &b, 0.4), "waits {a:?} → {b:?}");
    // The same hours spent on problems that then recur less pay for themselves.
    let (_, paying) = year(&heavy);
    let (c, d) = (metric(&sc, &cost_only, "mean_wait_hours"), metric(&sc, &paying, "mean_wait_hours"));
    assert!(all_above(&d, &c, 1.0), "waits {c:?} → {d:?}");
    assert!(metric(&sc, &cost_only, "prevented").iter().all(|&n| n == 0.0));
}

#[test]
fn a_reform_that_rests_on_a_leader_fades_unless_institutionalised() {
    let after = |o: &RunOutput| rates(o, 270.0, 360.0).1;
    for seed in ["2019", "7"] {
        let s = format!("simulation.seed={seed}");
        let (_, kept) = year(&[&s, "turnover.days=[180]", "turnover.institutionalised=true"]);
        let (_, faded) = year(&[&s, "turnover.days=[180]"]);
        let (_, never) = year(&[&s]);
        for ((k, f), n) in kept.iter().zip(&faded).zip(&never) {
            // Institutionalised: the change of leader changes nothing, to the last digit.
            assert_eq!(k.ranking, n.ranking, "seed {seed}");
            // Before the change both paths are the same run.
            assert_eq!(rates(k, 0.0, 180.0), rates(f, 0.0, 180.0));
            assert!(after(k) - after(f) > 0.05, "seed {seed}: resolution after {:.3} vs {:.3}", after(k), after(f));
            assert!(f.reform_strength_end < 0.3);
        }
    }
}

#[test]
fn every_mechanism_at_once_conserves_orders_and_little_holds() {
    let (sc, outs) = year(&[
        "simulation.replications=1",
        "proactive.hours=8",
        "turnover.days=[200]",
        "departments.dongcheng_bureau.staff=90",
        "departments.dongcheng_bureau.stress={ build = 0.05, recover = 0.02 }",
    ]);
    let out = &outs[0];
    let s = &summarize(&sc, out)[0];
    let accounted = s.get("closed") + s.get("settled_offline") + s.get("dropped") + s.get("open");
    assert_eq!(s.get("arrived"), accounted);
    assert!(s.get("inquiries") > 1.4 * s.get("arrived"), "58.5% of contacts are inquiries");
    for q in &out.queues {
        let f = q.little;
        let lw = f.arrival_rate * f.mean_wait;
        assert!((f.mean_length - f.edge_length - lw).abs() <= 1e-9 * f.mean_length.max(1.0), "{}", q.name);
    }
}

/// The out-of-sample check written into `scenarios/beijing-street.toml` before the model was
/// run against it. The verdict is asserted as docs/MODEL.md reports it, so the document cannot
/// drift from the program.
#[test]
fn the_out_of_sample_check_gives_what_the_model_document_reports() {
    for clause in [
        "calibrated: the volume and the request share only",
        "\"before\" = the two ranking periods ending on days 150 and 180",
        "\"after\"  = the last three periods (days 450 to 540",
        "before within 15 points of the 2019 figure (53% ± 15, 65% ± 15)",
        "after at least 82% (97% − 15) for both",
        "a rise of at least 10 points in both",
    ] {
        assert!(STREET.to_lowercase().contains(&clause.to_lowercase()), "the scenario states: {clause}");
    }
    let sc = street(&["simulation.replications=3"]);
    let outs = run_all(&sc, None, &|| {}).unwrap();
    let n = outs.len() as f64;
    let mean = |f: &dyn Fn(&RunOutput) -> f64| outs.iter().map(f).sum::<f64>() / n;
    let before = (mean(&|o| rates(o, 120.0, 180.0).1), mean(&|o| rates(o, 120.0, 180.0).2));
    let after = (mean(&|o| rates(o, 450.0, 540.0).1), mean(&|o| rates(o, 450.0, 540.0).2));
    // What docs/MODEL.md reports (percent, one decimal), within half a point.
    let reported = ((50.1, 49.0), (72.6, 70.0));
    for (got, want) in
        [(before.0, reported.0.0), (before.1, reported.0.1), (after.0, reported.1.0), (after.1, reported.1.1)]
    {
        assert!((got * 100.0 - want).abs() < 0.5, "got {:.1}%, the document says {want}%", got * 100.0);
    }
    // The verdict, clause by clause: since every order meets the departments' decision (and a
    // second refusal ends it), the "before" satisfaction misses its tolerance by a point, and
    // "after" stays short of 82%; the rise holds.
    let within = |x: f64, target: f64| (x - target).abs() <= 0.15;
    assert!(within(before.0, 0.53), "before: resolution inside the tolerance");
    assert!(!within(before.1, 0.65), "before: satisfaction just outside it (the miss docs/MODEL.md reports)");
    assert!(after.0 < 0.82 && after.1 < 0.82, "after: short of 82% (the miss docs/MODEL.md explains)");
    assert!(after.0 - before.0 >= 0.10 && after.1 - before.1 >= 0.10, "rise: at least 10 points");
}

/// The README's row for beijing-street quotes the program: the whistle and proactive figures
/// (3 replications of the scenario as bundled, paired).
#[test]
fn the_readme_row_is_the_programs() {
    let readme = include_str!("../README.md");
    let mean = |v: Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
    let run = |changes: &[&str]| {
        let mut all = vec!["simulation.replications=3"];
        all.extend_from_slice(changes);
        let sc = street(&all);
        let outs = run_all(&sc, None, &|| {}).unwrap();
        (mean(metric(&sc, &outs, "county_unresolved_share")), mean(metric(&sc, &outs, "closed_per_month")))
    };
    let (with, closed) = run(&[]);
    let (without, _) = run(&["!whistle"]);
    let (_, proactive) = run(&["proactive.hours=8"]);
    let whistle = format!("{:.0}% instead of {:.0}%", without * 100.0, with * 100.0);
    eprintln!("README row: {whistle}, volume {closed} -> {proactive}");
    assert!(readme.contains(&whistle), "README should say: {whistle}");
    let thousands = |x: f64| {
        let n = x.round() as u64;
        format!("{},{:03}", n / 1000, n % 1000)
    };
    let volume = format!("({} → {})", thousands(closed), thousands(proactive));
    assert!(readme.contains(&volume), "README should say: {volume}");
}
