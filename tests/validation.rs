//! The simulator against queueing theory (docs/MODEL.md section 10), one test per bundled case.
//!
//! Every case runs with a fixed seed, so each test is deterministic and cannot flake. Two
//! assertions per measure, so that neither a biased nor a noisy simulator can pass:
//!
//! * accuracy: theory lies inside the 99.9% Student-t interval of the replication means (a
//!   correct simulator fails this with probability 0.001 per measure for a random seed; for the
//!   fixed seeds here it is checked to pass);
//! * precision: the 95% half-width is under 5% of the theoretical value, so a simulator whose
//!   estimates scatter widely (a broken clock, a mis-seeded stream) cannot hide behind a wide
//!   interval. Together they bound the error at about 8% in the worst case.
//!
//! Little's law is checked on every queue of every case, per replication: |L − λW| ≤ 1% of L
//! (edge effects at the end of a run are O(1/T); with thousands of days they are far below 1%).

use embedsim::experiment::run_all;
use embedsim::experiment::validation::{Case, Check, Settings, cases, theory};

fn case(name: &str) -> Case {
    cases().into_iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no case {name}"))
}

/// Runs `name` and applies the two assertions to every theoretical measure, then Little's law.
fn check_case(name: &str, s: Settings) -> Vec<Check> {
    let c = case(name);
    let sc = c.scenario(&s);
    let outs = run_all(&sc, s.threads, &|| {}).expect("validation cases run");
    assert_eq!(outs.len(), s.replications as usize);
    let checks = c.evaluate(&sc, &outs);
    let measured: Vec<&Check> = checks.iter().filter(|k| !k.measure.starts_with("Little")).collect();
    assert_eq!(measured.len(), c.measures.len(), "one check per measure");
    for k in &measured {
        assert!(k.theory > 0.0 && k.theory.is_finite(), "{name}: theory of {} is {}", k.measure, k.theory);
        let wide = k.half_width_at(0.999);
        assert!(
            (k.mean - k.theory).abs() <= wide,
            "{name} {}: simulated {:.5} vs theory {:.5}, outside the 99.9% interval ± {:.5}",
            k.measure,
            k.mean,
            k.theory,
            wide
        );
        let rel = k.half_width_at(0.95) / k.theory;
        assert!(rel < 0.05, "{name} {}: 95% half-width is {:.1}% of theory (needs < 5%)", k.measure, rel * 100.0);
    }
    // Little's law on every queue, each replication on its own.
    assert!(!outs[0].queues.is_empty());
    for out in &outs {
        for q in &out.queues {
            let f = q.little;
            assert!(f.mean_length > 0.0 && f.arrival_rate > 0.0, "{name} {}: empty queue {f:?}", q.name);
            let lw = f.arrival_rate * f.mean_wait;
            assert!(
                (f.mean_length - lw).abs() <= 0.01 * f.mean_length,
                "{name} replication {} {}: L = {:.5} but λW = {:.5}",
                out.replication,
                q.name,
                f.mean_length,
                lw
            );
        }
    }
    checks
}

fn settings(seed: u64, replications: u32, days: u32) -> Settings {
    Settings { seed, replications, days, threads: None }
}

#[test]
fn mm1_wait_and_sojourn() {
    let checks = check_case("M/M/1", settings(11, 30, 2500));
    // Theory from the file's parameters is the textbook M/M/1: W = Wq + 1/μ.
    assert!((checks[1].theory - checks[0].theory - 1.0).abs() < 1e-12);
}

#[test]
fn mm3_wait_probability_and_wait() {
    let checks = check_case("M/M/3", settings(12, 30, 2500));
    assert_eq!(checks[0].measure, "p_wait");
    // Wq = C(3, a) / (cμ − λ): the two measures are tied by the formula.
    assert!((checks[1].theory - checks[0].theory / (36.0 - 30.0)).abs() < 1e-12);
}

#[test]
fn mg1_lognormal_cv2_pollaczek_khinchine() {
    // The heavy tail needs the most data: 60 replications x 4000 days.
    check_case("M/G/1 lognormal cv 2", settings(13, 60, 4000));
}

#[test]
fn md1_pollaczek_khinchine() {
    check_case("M/D/1", settings(14, 30, 2500));
}

#[test]
fn tandem_leader_then_mm3() {
    let checks = check_case("tandem leader -> M/M/3", settings(15, 30, 2500));
    // Two queues: the leader's inbox and the department.
    let little: Vec<&str> =
        checks.iter().filter(|c| c.measure.starts_with("Little")).map(|c| c.measure.as_str()).collect();
    assert_eq!(little.len(), 2, "{little:?}");
    assert!(
        little.iter().any(|m| m.contains("leader/secretary")) && little.iter().any(|m| m.contains("department/office"))
    );
}

#[test]
fn theory_follows_the_scenario_not_typed_numbers() {
    // Doubling the server speed in the parsed M/M/1 scenario changes the theory accordingly:
    // ρ = 0.4, Wq = ρ/(μ − λ) = 0.4/1.2.
    let mut sc = case("M/M/1").scenario(&Settings::default());
    sc.platforms[0].effort = Some(embedsim::engine::dist::Dist::exponential(0.5));
    assert!((theory(&sc, "mean_wait_hours") - 0.4 * 0.5 / (1.0 - 0.4)).abs() < 1e-12);
}

#[test]
fn cli_validate_passes() {
    let out = assert_cmd::cargo::cargo_bin_cmd!("embedsim")
        .args(["validate", "--replications", "10", "--days", "800"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "validate failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("theory inside"), "{stdout}");
    assert!(!stdout.contains("OUTSIDE"), "{stdout}");
    for name in ["M/M/1", "M/M/3", "M/G/1", "M/D/1", "tandem"] {
        assert!(stdout.contains(name), "{name} missing:\n{stdout}");
    }
}
