//! Overload and 负能 (issue 4): each mechanism alone moves its metric the right way, the C-district
//! hotline meets its calibration targets, the classroom township flips (and its control does
//! not), and staff hours by kind add up to the hours staff were busy.

use embedsim::experiment::run_all;
use embedsim::metrics::Regime;
use embedsim::metrics::summary::{PlatformSummary, summarize};
use embedsim::model::RunOutput;
use embedsim::scenario::{Scenario, parse_table};

mod common;
use common::scenario;

fn runs(sc: &Scenario) -> (Vec<RunOutput>, Vec<Vec<PlatformSummary>>) {
    let outs = run_all(sc, None, &|| {}).unwrap();
    let rows = outs.iter().map(|o| summarize(sc, o)).collect();
    (outs, rows)
}

fn mean(sc: &Scenario, metric: &str) -> f64 {
    let (_, rows) = runs(sc);
    rows.iter().map(|r| r[0].get(metric)).sum::<f64>() / rows.len() as f64
}

/// One auto-dispatched platform with a desk, two offices, every mechanism off.
const BASE: &str = r#"
name = "mechanisms"
[simulation]
duration_days = 300
warmup_days = 30
seed = 9
replications = 3
[departments.a]
staff = 6
[departments.b]
staff = 6
[categories.x]
share = 0.5
departments = ["a"]
effort_hours = { dist = "exponential", mean = 2.0 }
[categories.y]
share = 0.5
departments = ["b"]
effort_hours = { dist = "exponential", mean = 2.0 }
[platforms.p]
dispatch = "auto"
arrival_rate_per_day = 20
deadline_days = 5
desk = { staff = 2, dispatch_hours = { dist = "fixed", value = 0.1 }, redispatch_hours = { dist = "fixed", value = 0.3 } }
"#;

#[test]
fn m7_authority_above_the_township_leaves_issues_unresolved() {
    let off = scenario(BASE, &[]);
    let above = scenario(BASE, &[("categories.y.authority", "\"county\""), ("county.escalate_prob", "0.0")]);
    let escalated = scenario(
        BASE,
        &[("categories.y.authority", "\"county\""), ("county.escalate_prob", "1.0"), ("county.resolve_prob", "1.0")],
    );
    assert_eq!(mean(&off, "resolution_rate"), 1.0);
    // Half the orders need the county; none is escalated: about half unresolved, whatever the effort.
    assert!((mean(&above, "resolution_rate") - 0.5).abs() < 0.03);
    // Escalated and resolved above: resolved again, but later.
    assert_eq!(mean(&escalated, "resolution_rate"), 1.0);
    assert!(mean(&escalated, "mean_sojourn_hours") > mean(&off, "mean_sojourn_hours") + 24.0);
}

#[test]
fn m9_audit_failures_grow_with_load_and_cost_redo_hours() {
    let off = scenario(BASE, &[]);
    assert_eq!(mean(&off, "redo_rate"), 0.0);
    assert_eq!(mean(&off, "hours_redo"), 0.0);
    // Reply quality held fixed (no load or stress term): the audit fails a reply with p = 0.1;
    // an order is redone if its first reply fails (redos can fail again, which does not add
    // redone orders): about 10%.
    let fixed = [
        ("platforms.p.audit", "{ redo_effort_share = 0.5 }"),
        ("decisions.sloppiness", "{ floor = 0.1, ceiling = 0.1, load = 0.0, stress = 0.0 }"),
    ];
    let r = mean(&scenario(BASE, &fixed), "redo_rate");
    assert!((r - 0.1).abs() < 0.015, "{r}");
    assert!(mean(&scenario(BASE, &fixed), "hours_redo") > 0.0);
    // With the default decision model the failure rate follows the departments' load.
    let audit = [("platforms.p.audit", "{ redo_effort_share = 0.5 }")];
    let calm = mean(&scenario(BASE, &[audit[0], ("platforms.p.arrival_rate_per_day", "8")]), "redo_rate");
    let busy = mean(&scenario(BASE, &[audit[0], ("platforms.p.arrival_rate_per_day", "27")]), "redo_rate");
    assert!(busy > calm + 0.02, "shortcuts grow with load: {calm} -> {busy}");
    // A lenient audit catches only some shortcuts; the rest close unresolved.
    let lenient = scenario(BASE, &[fixed[1], ("platforms.p.audit", "{ catch = 0.5 }")]);
    let (redo, res) = (mean(&lenient, "redo_rate"), mean(&lenient, "resolution_rate"));
    assert!((redo - 0.05).abs() < 0.012 && (res - 0.95).abs() < 0.012, "redo {redo}, resolution {res}");
}

#[test]
fn m10_returns_follow_load_and_spare_authority_orders() {
    let off = scenario(BASE, &[]);
    assert_eq!(mean(&off, "return_rate"), 0.0);
    assert_eq!(mean(&off, "desk_return_share"), 0.0);
    let ret = |rate: &str| {
        scenario(
            BASE,
            &[("platforms.p.returns", "{ department_hours = 0.2 }"), ("platforms.p.arrival_rate_per_day", rate)],
        )
    };
    let (calm, busy) = (ret("8"), ret("24"));
    let (rc, rb) = (mean(&calm, "return_rate"), mean(&busy, "return_rate"));
    assert!(rc > 0.0 && rb > rc + 0.05, "returns rise with load: {rc} -> {rb}");
    assert!(mean(&busy, "desk_return_share") > mean(&calm, "desk_return_share"));
    assert!(mean(&busy, "hours_returns") > 0.0);
    // Orders dispatched by a leader carry its sanction: the same return right is rarely used on
    // them (not never: the decision model has no hidden rule that forbids it).
    let led = BASE.replace(
        "dispatch = \"auto\"\narrival_rate_per_day = 20\ndeadline_days = 5\ndesk = { staff = 2, dispatch_hours = { dist = \"fixed\", value = 0.1 }, redispatch_hours = { dist = \"fixed\", value = 0.3 } }",
        "dispatch = \"leader\"\nleader = \"boss\"\nreview_hours = { dist = \"fixed\", value = 0.01 }\narrival_rate_per_day = 24\ndeadline_days = 5\n[leaders.boss]\nattention_hours_per_day = 8",
    );
    let led = scenario(&led, &[("platforms.p.returns", "{ department_hours = 0.2 }")]);
    let rl = mean(&led, "return_rate");
    assert!(rl < 0.25 * rb, "authority: {rl} vs {rb} without");
}

#[test]
fn m11_gaming_follows_the_score_against_the_target() {
    let unres = [("platforms.p.unreasonable_share", "0.3")];
    let honest = scenario(BASE, &unres);
    let assess = |target: &str| {
        scenario(
            BASE,
            &[
                unres[0],
                (
                    "platforms.p.assessment",
                    &format!("{{ target = {target}, persuasion_success = 0.7, persuasion_hours = 0.5 }}"),
                ),
            ],
        )
    };
    let (pressed, comfortable) = (assess("0.95"), assess("0.5"));
    let gap_honest = mean(&honest, "gaming_gap");
    let gap = mean(&pressed, "gaming_gap");
    // Honest ratings: satisfaction tracks resolution (on time 0.95, unresolved 0.1) and sits below it.
    assert!(gap_honest < 0.0, "{gap_honest}");
    assert!(gap > 0.1, "a unit far under target persuades: {gap}");
    assert!(mean(&pressed, "hours_persuasion") > 0.0);
    assert!((mean(&pressed, "resolution_rate") - mean(&honest, "resolution_rate")).abs() < 0.02);
    // A unit comfortably above its target does not persuade at all.
    assert_eq!(mean(&comfortable, "persuasions"), 0.0);
    assert!((mean(&comfortable, "gaming_gap") - gap_honest).abs() < 0.02);
}

#[test]
fn m12_stress_slows_work_and_overtime_appears_with_backlog() {
    let busy = [("platforms.p.arrival_rate_per_day", "27")];
    let calm = scenario(BASE, &busy);
    let stressed = scenario(
        BASE,
        &[
            busy[0],
            ("departments.a.stress", "{ build = 0.2, recover = 0.02, backlog_per_staff = 1.0, slowdown = 0.5 }"),
            ("departments.a.overtime", "{ backlog_per_staff = 0.5, hours_per_day = 2 }"),
        ],
    );
    assert_eq!(mean(&calm, "hours_overtime"), 0.0);
    assert!(mean(&stressed, "hours_overtime") > 0.0);
    let (outs, _) = runs(&stressed);
    assert!(outs[0].departments[0].stress_end > 0.0);
    assert_eq!(outs[0].departments[1].stress_end, 0.0, "department b has no stress mechanism");
    // Slower work: the same orders take more staff hours.
    assert!(mean(&stressed, "staff_hours") > 1.05 * mean(&calm, "staff_hours"));
}

const LED: &str = r#"
name = "delegation"
[simulation]
duration_days = 300
warmup_days = 30
seed = 4
replications = 3
[leaders.boss]
attention_hours_per_day = 1.0
[departments.a]
staff = 8
[platforms.p]
dispatch = "leader"
leader = "boss"
review_hours = { dist = "exponential", mean = 0.2 }
arrival_rate_per_day = 6
route = ["a"]
effort_hours = { dist = "exponential", mean = 2.0 }
deadline_days = 5
"#;

#[test]
fn m13_an_overflowing_inbox_spills_to_a_deputy_and_the_platform_de_embeds() {
    // The boss needs 6 × 7/5 × 0.2 = 1.7 h a working day and has 1: the inbox grows without end.
    let alone = scenario(LED, &[]);
    let deputy =
        scenario(LED, &[("leaders.boss.delegate", "{ inbox_threshold = 10, deputy_attention_hours_per_day = 2 }")]);
    let (_, rows) = runs(&alone);
    assert!(rows.iter().all(|r| !r[0].regime.is_embedded()), "an overloaded leader alone cannot carry it");
    assert_eq!(mean(&alone, "delegated"), 0.0);
    let delegated = mean(&deputy, "delegated");
    assert!(delegated > 100.0, "{delegated}");
    // The deputy keeps orders moving, but without authority: they rank as routine work.
    assert!(mean(&deputy, "closed") > mean(&alone, "closed"));
}

#[test]
fn m14_veto_line_tasks_come_first() {
    let text = r#"
name = "veto"
[simulation]
duration_days = 300
warmup_days = 30
seed = 8
replications = 3
[departments.a]
staff = 3
line_tasks = { rate_per_day = 2.0, effort_hours = { dist = "exponential", mean = 4.0 }, deadline_days = 3 }
[platforms.p]
dispatch = "auto"
arrival_rate_per_day = 4
route = ["a"]
effort_hours = { dist = "exponential", mean = 2.0 }
deadline_days = 2
"#;
    // The platform's assessment weighs its orders like an ordinary line task (both 0.5 by
    // default); a veto task (1.5) outranks both.
    let late = |veto: &str| {
        let sc =
            scenario(text, &[("departments.a.line_tasks.veto", veto), ("platforms.p.assessment", "{ target = 0.1 }")]);
        let (outs, _) = runs(&sc);
        let (done, late): (u64, u64) =
            outs.iter().fold((0, 0), |(d, l), o| (d + o.departments[0].line_done, l + o.departments[0].line_late));
        (late as f64 / done as f64, sc)
    };
    let (plain, plain_sc) = late("false");
    let (veto, veto_sc) = late("true");
    assert!(veto < plain, "veto tasks are late less often: {veto} vs {plain}");
    assert!(mean(&veto_sc, "mean_wait_hours") > mean(&plain_sc, "mean_wait_hours"), "and crowd out platform work");
}

#[test]
fn m15_unreasonable_demands_burn_hours_unless_screened() {
    let unscreened = scenario(BASE, &[("platforms.p.unreasonable_share", "0.2")]);
    let screened =
        scenario(BASE, &[("platforms.p.unreasonable_share", "0.2"), ("platforms.p.screening", "{ prob = 1.0 }")]);
    let r = mean(&unscreened, "resolution_rate");
    assert!((r - 0.8).abs() < 0.02, "{r}");
    assert!(mean(&unscreened, "hours_unreasonable") > 0.0);
    assert_eq!(mean(&screened, "hours_unreasonable"), 0.0);
    assert!((mean(&screened, "screened") / mean(&screened, "arrived") - 0.2).abs() < 0.02);
}

#[test]
fn m16_unresolved_issues_come_back() {
    let none = scenario(BASE, &[("platforms.p.repeat", "{ prob = 0.5 }")]);
    let some = scenario(BASE, &[("platforms.p.repeat", "{ prob = 0.5 }"), ("platforms.p.unreasonable_share", "0.2")]);
    // Unreasonable demands are not repeated (the answer was final); county cases are.
    // Half the demand of the other tests: repeats double the load on department b.
    let county = scenario(
        BASE,
        &[
            ("platforms.p.repeat", "{ prob = 0.5 }"),
            ("categories.y.authority", "\"county\""),
            ("county.escalate_prob", "0.0"),
            ("platforms.p.arrival_rate_per_day", "10"),
        ],
    );
    assert_eq!(mean(&none, "arrived_repeat"), 0.0, "everything resolved: nothing comes back");
    assert_eq!(mean(&some, "arrived_repeat"), 0.0);
    let repeats = mean(&county, "arrived_repeat");
    let arrived = mean(&county, "arrived");
    // Every county case stays unresolved and returns with p = 0.5, again and again: per direct
    // county case 1 repeat on average, so repeats = direct / 2 and repeats / arrivals = 1/3.
    assert!((repeats / arrived - 1.0 / 3.0).abs() < 0.03, "{repeats} of {arrived}");
}

#[test]
fn m17_a_shock_multiplies_demand_in_its_window_only() {
    let sc = scenario(BASE, &[("platforms.p.shocks", "[{ from_day = 100, to_day = 150, multiplier = 3.0 }]")]);
    let (outs, _) = runs(&sc);
    for out in &outs {
        let count = |a: usize, b: usize| out.platforms[0].days[a..b].iter().map(|d| d.arrivals).sum::<u64>() as f64;
        let (before, during, after) = (count(50, 100), count(100, 150), count(150, 200));
        // 50 days at 20 a day: 1000 ± 32 (Poisson sd); at 60 a day: 3000 ± 55.
        assert!((before - 1000.0).abs() < 150.0 && (after - 1000.0).abs() < 150.0, "{before} {after}");
        assert!((during - 3000.0).abs() < 250.0, "{during}");
    }
}

#[test]
fn staff_hours_by_kind_add_up_to_hours_busy() {
    let sc = scenario(include_str!("../scenarios/c-district-hotline.toml"), &[("simulation.replications", "1")]);
    let (outs, _) = runs(&sc);
    for (spec, d) in sc.departments.iter().zip(&outs[0].departments) {
        let kinds: f64 = d.hours.kinds().iter().sum();
        // Kinds are booked when a job starts, busy time when it ends: jobs still running at the
        // end (at most one per worker) are the only difference.
        assert!(kinds >= d.busy_hours - 1e-6, "{}: {kinds} < {}", spec.id, d.busy_hours);
        assert!((kinds - d.busy_hours) / kinds < 0.01, "{}: kinds {kinds}, busy {}", spec.id, d.busy_hours);
        let burden = d.hours.documentation
            + d.hours.redo
            + d.hours.returns
            + d.hours.persuasion
            + d.hours.unreasonable
            + d.hours.overtime;
        assert!((d.hours.burden() - burden).abs() < 1e-9);
        assert!(d.hours.overtime > 0.0 && d.hours.documentation > 0.0, "{}: burdens present", spec.id);
    }
    // Redo and persuasion fall to an order's lead department; across the district both appear.
    let all = outs[0].departments.iter().fold(embedsim::model::department::Hours::default(), |mut h, d| {
        h.add(&d.hours);
        h
    });
    assert!(all.redo > 0.0 && all.persuasion > 0.0 && all.returns > 0.0 && all.unreasonable > 0.0);
}

#[test]
fn c_district_meets_its_calibration_targets_across_seeds() {
    for seed in [1, 2, 3] {
        let sc = scenario(
            include_str!("../scenarios/c-district-hotline.toml"),
            &[("simulation.seed", &seed.to_string()), ("simulation.replications", "2")],
        );
        let (_, rows) = runs(&sc);
        for r in &rows {
            let h = &r[0];
            let per_day = h.get("arrived") / (365.0 - 60.0);
            // [paper] 48,813 orders in 2023 H2: 265 a day.
            assert!((250.0..=280.0).contains(&per_day), "seed {seed}: {per_day} a day");
            // [paper] 5,041 of 48,813 redone: 10.33%. Tolerance ±2 points.
            assert!((h.get("redo_rate") - 0.1033).abs() < 0.02, "seed {seed}: redo {}", h.get("redo_rate"));
            // [paper] satisfaction far above resolution: at least 5 points.
            assert!(h.get("gaming_gap") > 0.05, "seed {seed}: gap {}", h.get("gaming_gap"));
            // [paper] "half of our day goes on orders departments push back": 40–60% of desk time.
            assert!((0.4..=0.6).contains(&h.get("desk_return_share")), "seed {seed}: {}", h.get("desk_return_share"));
            // 负能 at a steady load, reported beside the regime: the hotline is not overloaded.
            assert!(h.get("burden_share") >= 0.3);
            assert_eq!(h.get("negative_energy"), 1.0);
            assert!(h.regime.is_embedded(), "seed {seed}: {}", h.regime);
        }
    }
}

#[test]
fn the_classroom_township_flips_into_overload_and_its_control_does_not() {
    // Eight replications over two seeds; at most one may stop short of overload by the end of
    // the ramp (departments now send back what they cannot carry, which slows the flip), but
    // every one leaves the embedded regime during the ramp.
    let mut flipped = 0;
    for seed in [42, 43] {
        let s = seed.to_string();
        let ramp = scenario(include_str!("../scenarios/classroom-overload.toml"), &[("simulation.seed", &s)]);
        let (outs, rows) = runs(&ramp);
        for (out, r) in outs.iter().zip(&rows) {
            let changes = &out.platforms[0].regimes.changes;
            let embedded = changes.iter().position(|c| c.1.is_embedded()).expect("embedded at first");
            let left = changes.iter().position(|c| !c.1.is_embedded() && c.0 > changes[embedded].0);
            let left = left.unwrap_or_else(|| panic!("leaves the embedded regime during the ramp: {changes:?}"));
            assert!(changes[left].0 > 150, "during the ramp, not at launch: {changes:?}");
            if let Some(over) = changes.iter().position(|c| c.1 == Regime::Overloaded) {
                assert!(embedded < over, "{changes:?}");
                flipped += (r[0].regime == Regime::Overloaded) as usize;
            }
        }
        let steady = scenario(include_str!("../scenarios/classroom-steady.toml"), &[("simulation.seed", &s)]);
        let (outs, _) = runs(&steady);
        for out in &outs {
            let changes = &out.platforms[0].regimes.changes;
            assert!(changes.iter().all(|c| c.1 != Regime::Overloaded), "{changes:?}");
            assert!(out.platforms[0].regimes.current().is_embedded());
        }
    }
    assert!(flipped >= 7, "ends overloaded in {flipped} of 8 replications");
}

#[test]
fn classroom_control_differs_only_by_the_ramp() {
    let mut a = parse_table(include_str!("../scenarios/classroom-overload.toml"), "a").unwrap();
    let mut b = parse_table(include_str!("../scenarios/classroom-steady.toml"), "b").unwrap();
    for t in [&mut a, &mut b] {
        t.remove("name");
        t.remove("description");
        t.remove("description_zh");
        t.remove("display");
    }
    a["platforms"]["voice"].as_table_mut().unwrap().remove("shocks");
    assert_eq!(a, b);
}

#[test]
fn m15_a_category_outside_remit_ends_unresolved() {
    let sc = scenario(BASE, &[("categories.y.reasonable", "false")]);
    let r = mean(&sc, "resolution_rate");
    // Half the orders are category y: about half unresolved, and their hours are burden.
    assert!((r - 0.5).abs() < 0.03, "{r}");
    assert!(mean(&sc, "hours_unreasonable") > 0.3 * mean(&sc, "staff_hours"));
}

#[test]
fn m11_only_units_under_target_carry_the_penalty() {
    // Unit b leads category y, which is outside remit: its orders end unresolved and it scores
    // under target; unit a resolves everything. Backlog pressure is made negligible, so the
    // penalty is what stresses a unit.
    let stress = "{ build = 0.1, recover = 0.05, backlog_per_staff = 1000, slowdown = 0.0 }";
    let sc = scenario(
        BASE,
        &[
            ("categories.y.reasonable", "false"),
            ("platforms.p.assessment", "{ period_days = 30, target = 0.8, penalty = 0.5 }"),
            ("departments.a.stress", stress),
            ("departments.b.stress", stress),
        ],
    );
    let (outs, _) = runs(&sc);
    for out in &outs {
        let (a, b) = (out.departments[0].stress_end, out.departments[1].stress_end);
        assert!(a < 0.05, "unit a meets its target: stress {a}");
        assert!(b > 0.5, "unit b misses its target every month: stress {b}");
    }
}

/// A platform swamped by its own demand is overloaded, whether or not it was embedded before.
/// From the first day at five times its demand, classroom-steady is overloaded; at four times (the
/// case measured before every order met the departments' decision) its offices now send back
/// about a sixth of the orders and keep the rest on time, so it is mostly not — a finding, not a
/// target. The ramp of classroom-overload ends overloaded only through the classifier's
/// capacity branch (`regimes.overloaded_capacity_misses`): with that branch off it does not.
#[test]
fn a_platform_swamped_by_its_own_demand_is_overloaded() {
    let steady = include_str!("../scenarios/classroom-steady.toml");
    let swamped =
        scenario(steady, &[("platforms.voice.arrival_rate_per_day", "15.0"), ("simulation.replications", "8")]);
    let (_, rows) = runs(&swamped);
    let over = rows.iter().filter(|r| r[0].regime == Regime::Overloaded).count();
    assert!(over >= 7, "overloaded at the end in {over} of 8");
    let ramp = include_str!("../scenarios/classroom-overload.toml");
    let (mut with, mut without) = (0, 0);
    for seed in ["42", "43"] {
        let (_, rows) = runs(&scenario(ramp, &[("simulation.seed", seed)]));
        with += rows.iter().filter(|r| r[0].regime == Regime::Overloaded).count();
        let off = scenario(ramp, &[("simulation.seed", seed), ("regimes.overloaded_capacity_misses", "1.0")]);
        let (_, rows) = runs(&off);
        without += rows.iter().filter(|r| r[0].regime == Regime::Overloaded).count();
    }
    assert!(with >= 7 && without <= 1, "the ramp's end overloaded in {with} of 8, {without} without the branch");
}
