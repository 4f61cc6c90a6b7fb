//! J town (paper 002): the command centre against the fragmented ladder, on common random numbers.
//!
//! The outcome is the fate of the issues the township sees but cannot command (their route needs
//! a county line department): the share that ends unresolved (lost in relays, or not closed
//! resolved by the end of the run) and their time to resolution. Every effect comes from who can
//! sanction whom (the centre's dispatch binds county departments, the township secretary's does
//! not) and from where a report goes (through relays or straight in) — none is written in.

use embedsim::experiment::run_all;
use embedsim::metrics::summary::summarize;
use embedsim::scenario::Scenario;

mod common;
use common::scenario;

const CENTRE: &str = include_str!("../scenarios/j-town.toml");
const FRAGMENTED: &str = include_str!("../scenarios/j-town-fragmented.toml");

fn values(sc: &Scenario, metric: &str) -> Vec<f64> {
    run_all(sc, None, &|| {}).unwrap().iter().map(|o| summarize(sc, o)[0].get(metric)).collect()
}

/// Paired difference b − a with its 95% half-width (t for n − 1 = 7 degrees of freedom).
fn paired(a: &[f64], b: &[f64]) -> (f64, f64) {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    let n = d.len() as f64;
    let m = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, 2.365 * (var / n).sqrt())
}

fn town(text: &str, extra: &[(&str, &str)]) -> Scenario {
    let mut all = vec![("simulation.replications", "8")];
    all.extend_from_slice(extra);
    scenario(text, &all)
}

#[test]
fn the_two_towns_differ_only_in_the_platform() {
    let strip = |text: &str| {
        let mut t: toml::Table = toml::from_str(text).unwrap();
        t.remove("name");
        t.remove("description");
        t.remove("description_zh");
        t.remove("display");
        t["platforms"].as_table_mut().unwrap().remove("platform");
        t
    };
    assert_eq!(strip(CENTRE), strip(FRAGMENTED));
    let t: toml::Table = toml::from_str(CENTRE).unwrap();
    assert_eq!(t["villages"].as_table().unwrap().len(), 63);
    let workers: i64 =
        t["villages"].as_table().unwrap().values().map(|v| v["grid_workers"].as_integer().unwrap()).sum();
    assert_eq!(workers, 200);
}

#[test]
fn the_centre_resolves_more_county_cases_and_sooner_across_seeds() {
    for seed in ["2024", "7"] {
        let (c, f) = (town(CENTRE, &[("simulation.seed", seed)]), town(FRAGMENTED, &[("simulation.seed", seed)]));
        let (d, h) = paired(&values(&c, "county_unresolved_share"), &values(&f, "county_unresolved_share"));
        assert!(d - h > 0.05, "seed {seed}: fragmented leaves {d:.3} ± {h:.3} more unresolved");
        let (d, h) = paired(&values(&c, "county_resolution_hours"), &values(&f, "county_resolution_hours"));
        // About 18 h longer (26 h against 44 h). Before every order met the departments' decision
        // it was about 45 h: a county department could not end an order by refusing it, so the
        // ladder's cases dragged on instead of ending unresolved (now 48% against 15%).
        assert!(d - h > 12.0, "seed {seed}: fragmented takes {d:.1} ± {h:.1} h longer");
    }
}

#[test]
fn authority_and_relays_each_matter_alone() {
    // Authority alone: the fragmented town with the centre's single relay step still resolves
    // county cases later: the secretary cannot command the county departments.
    let relay = "{ steps = 1, delay_days = 0.2, loss = 0.01 }";
    let c = town(CENTRE, &[]);
    let f_direct = town(FRAGMENTED, &[("platforms.platform.relays", relay)]);
    let (d, h) = paired(&values(&c, "county_resolution_hours"), &values(&f_direct, "county_resolution_hours"));
    assert!(d - h > 12.0, "authority alone: {d:.1} ± {h:.1} h");
    let (d, h) = paired(&values(&c, "return_rate"), &values(&f_direct, "return_rate"));
    assert!(d - h > 0.0, "without authority the county departments send more back: {d:.3} ± {h:.3}");
    // Relays alone: the centre's town with the fragmented ladder's relays loses reports.
    let c_relays = town(CENTRE, &[("platforms.platform.relays", "{ steps = 3, delay_days = 1.0, loss = 0.05 }")]);
    let (d, h) = paired(&values(&c, "county_unresolved_share"), &values(&c_relays, "county_unresolved_share"));
    assert!(d - h > 0.05, "relays alone: {d:.3} ± {h:.3}");
}

#[test]
fn the_advantage_vanishes_when_county_departments_are_saturated_by_their_own_priorities() {
    // The boundary: the county bureaus fill their departments with veto-weight tasks (一票否决)
    // that outrank even the centre's routing. The centre's time advantage disappears, and what is
    // left of its unresolved advantage is what the relays lose.
    let mut sat: Vec<(String, String)> = vec![("decisions.sanction.veto".into(), "2.5".into())];
    for (d, r) in [("market", "8.0"), ("enforcement", "10.5"), ("environment", "6.5")] {
        sat.push((format!("departments.{d}.line_tasks.veto"), "true".into()));
        sat.push((format!("departments.{d}.line_tasks.rate_per_day"), r.into()));
    }
    let sat: Vec<(&str, &str)> = sat.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (c, f) = (town(CENTRE, &sat), town(FRAGMENTED, &sat));
    let (d, h) = paired(&values(&c, "county_resolution_hours"), &values(&f, "county_resolution_hours"));
    assert!(d - h < 0.0, "saturated: the centre is no longer faster ({d:.1} ± {h:.1} h)");
    let base = paired(
        &values(&town(CENTRE, &[]), "county_unresolved_share"),
        &values(&town(FRAGMENTED, &[]), "county_unresolved_share"),
    )
    .0;
    let (d, _) = paired(&values(&c, "county_unresolved_share"), &values(&f, "county_unresolved_share"));
    // It shrinks (0.34 -> 0.26): the centre's orders are sent back and end unresolved more
    // often in saturated departments, but the ladder's refusals and relays still lose more.
    assert!(d < 0.9 * base, "saturated: the unresolved gap shrinks ({d:.3} vs {base:.3})");
}

#[test]
fn the_finding_holds_under_moderate_changes_of_the_assumptions() {
    for extra in [
        [("platforms.platform.documentation_minutes", "10")],
        [("departments.market.staff", "5")],
        [("departments.enforcement.staff", "10")],
        [("citizens.trust_weight", "2.4")],
        [("decisions.take_up.duty", "0.9")],
        [("decisions.take_up.duty", "0.5")],
    ] {
        let (c, f) = (town(CENTRE, &extra), town(FRAGMENTED, &extra));
        let (d, h) = paired(&values(&c, "county_unresolved_share"), &values(&f, "county_unresolved_share"));
        assert!(d - h > 0.03, "{extra:?}: {d:.3} ± {h:.3}");
        let (d, h) = paired(&values(&c, "county_resolution_hours"), &values(&f, "county_resolution_hours"));
        // The centre stays faster, by an interval above zero (about 13-18 h; see the main test).
        assert!(d - h > 6.0, "{extra:?}: {d:.1} ± {h:.1} h");
    }
}

#[test]
fn orders_are_conserved_little_holds_and_runs_are_deterministic() {
    for text in [CENTRE, FRAGMENTED] {
        let sc = scenario(text, &[("simulation.replications", "2"), ("simulation.duration_days", "300")]);
        let one = embedsim::experiment::with_threads(Some(1), || run_all(&sc, None, &|| {}).unwrap()).unwrap();
        let two = embedsim::experiment::with_threads(Some(2), || run_all(&sc, None, &|| {}).unwrap()).unwrap();
        for (a, b) in one.iter().zip(&two) {
            assert_eq!(format!("{:?}", summarize(&sc, a)), format!("{:?}", summarize(&sc, b)), "{}", sc.name);
        }
        for out in &one {
            let (p, t) = (&out.platforms[0], &out.platforms[0].tally);
            assert_eq!(t.arrived, t.closed + t.offline + t.dropped + p.open_end, "{}", sc.name);
            for q in &out.queues {
                let f = q.little;
                let lw = f.arrival_rate * f.mean_wait;
                let l = f.mean_length - f.edge_length;
                assert!((l - lw).abs() <= 1e-6 * f.mean_length.max(1.0), "{}: {} L {l} vs λW {lw}", sc.name, q.name);
            }
        }
    }
}

#[test]
fn the_village_rung_closes_part_of_what_the_grid_cannot() {
    let with = town(CENTRE, &[]);
    let mut t: toml::Table = toml::from_str(CENTRE).unwrap();
    t["grid"].as_table_mut().unwrap().remove("village_share");
    let without = town(&toml::to_string(&t).unwrap(), &[]);
    let (a, b) = (values(&with, "arrived_grid"), values(&without, "arrived_grid"));
    // The same patrols find the same issues; a fifth of those the grid cannot fix stay in the village.
    let ratio = a.iter().sum::<f64>() / b.iter().sum::<f64>();
    assert!((ratio - 0.8).abs() < 0.05, "grid orders with the village rung / without: {ratio}");
}
