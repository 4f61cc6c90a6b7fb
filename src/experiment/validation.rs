//! The validation cases of docs/MODEL.md section 10: with every mechanism off, the simulator must
//! reproduce queueing theory.
//!
//! Each case is a bundled scenario file (`scenarios/validation/*.toml`, compiled in with
//! `include_str!`), so the cases also exercise the scenario contract. A run overrides the files'
//! seed, replications and duration by editing the parsed TOML table, and derives the theoretical
//! values from the *loaded* scenario's parameters (arrival rate, service distribution, staff,
//! review time) with the textbook formulas — no expected number is typed in.
//!
//! Verdicts use simultaneous intervals: with m checks in a run, each interval is a
//! (1 − 0.05/m) Student-t interval (Bonferroni), so the whole table is a 95% statement and a
//! correct simulator fails `embedsim validate` at most 5% of the time, rather than about half the
//! time as m separate 95% intervals would.

use super::{ExperimentError, run_all};
use crate::engine::dist::Dist;
use crate::metrics::stats::Welford;
use crate::metrics::summary::summarize;
use crate::model::RunOutput;
use crate::scenario::{Dispatch, Scenario, load_table, parse_table};

/// One comparison of theory with simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// Case name, e.g. `M/M/1`.
    pub case: String,
    /// What is compared, e.g. `mean_wait_hours`.
    pub measure: String,
    /// The theoretical value.
    pub theory: f64,
    /// Mean over replications.
    pub mean: f64,
    /// Half-width of the confidence interval used for the verdict (see [`Check::pass`]).
    pub half_width: f64,
    /// Standard error of `mean` (sample sd over √replications).
    pub std_error: f64,
    /// Replications behind `mean`.
    pub replications: u32,
    /// Allowance added to the interval for known O(1/T) edge effects (Little's law), else 0.
    pub slack: f64,
}

impl Check {
    /// Whether theory lies inside the interval.
    pub fn pass(&self) -> bool {
        (self.mean - self.theory).abs() <= self.half_width
    }

    /// Half-width of a two-sided interval at `confidence` (e.g. 0.95), plus the slack.
    pub fn half_width_at(&self, confidence: f64) -> f64 {
        let df = self.replications.saturating_sub(1) as f64;
        t_quantile(1.0 - (1.0 - confidence) / 2.0, df) * self.std_error + self.slack
    }
}

/// Erlang C: the probability of waiting in an M/M/c queue with offered load `a = λ/μ`.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let rho = a / c as f64;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..c {
        term *= a / k as f64;
        sum += term;
    }
    let top = term * a / c as f64 / (1.0 - rho);
    top / (sum + top)
}

/// Pollaczek–Khinchine mean wait of an M/G/1 queue.
pub fn pk_wait(lambda: f64, mean_s: f64, scv: f64) -> f64 {
    let rho = lambda * mean_s;
    lambda * (1.0 + scv) * mean_s * mean_s / (2.0 * (1.0 - rho))
}

/// One queueing station: (P(wait), mean wait in queue) for Poisson arrivals at `lambda` per hour,
/// `servers` identical servers with service `dist`. Several servers need exponential service
/// (M/M/c, Erlang C); one server takes any distribution (M/G/1, Pollaczek–Khinchine).
pub fn station(lambda: f64, dist: &Dist, servers: u32) -> (f64, f64) {
    let mean = dist.mean();
    if servers == 1 {
        (lambda * mean, pk_wait(lambda, mean, dist.scv()))
    } else {
        assert!(matches!(dist, Dist::Exponential { .. }), "theory for several servers needs exponential service");
        let c = erlang_c(servers, lambda * mean);
        (c, c / (servers as f64 / mean - lambda))
    }
}

/// The theoretical value of `measure` (`p_wait`, `mean_wait_hours`, `mean_sojourn_hours`) for a
/// validation scenario: its first platform, auto- or leader-dispatched, routed to one department.
/// A leader's review is an M/G/1 station in front of the department (a Jackson tandem when both
/// are exponential: the department still sees Poisson arrivals).
pub fn theory(sc: &Scenario, measure: &str) -> f64 {
    let p = &sc.platforms[0];
    let lambda = p.arrival_rate_per_day / 24.0;
    let effort = p.effort.as_ref().expect("validation platforms have effort_hours");
    let dept = p.route.as_ref().expect("validation platforms have a route")[0];
    let before = match &p.dispatch {
        Dispatch::Auto => 0.0,
        Dispatch::Centre => panic!("no validation case for centre dispatch"),
        Dispatch::Leader { review, .. } => station(lambda, review, 1).1 + review.mean(),
        Dispatch::Operator(_) => panic!("no queueing theory for operator dispatch"),
    };
    let (p_wait, wq) = station(lambda, effort, sc.departments[dept].staff);
    match measure {
        "p_wait" => p_wait,
        "mean_wait_hours" => before + wq,
        "mean_sojourn_hours" => before + wq + effort.mean(),
        other => panic!("no theory for {other}"),
    }
}

/// A validation case: a bundled scenario file and the measures compared with theory.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// Display name, e.g. `M/M/3`.
    pub name: &'static str,
    /// The file, relative to the repository root.
    pub file: &'static str,
    /// Its text.
    pub text: &'static str,
    /// Summary metrics compared with [`theory`].
    pub measures: &'static [&'static str],
}

/// The cases of docs/MODEL.md section 10.
pub fn cases() -> Vec<Case> {
    const WAIT_SOJOURN: &[&str] = &["mean_wait_hours", "mean_sojourn_hours"];
    vec![
        Case {
            name: "M/M/1",
            file: "scenarios/validation/mm1.toml",
            text: include_str!("../../scenarios/validation/mm1.toml"),
            measures: WAIT_SOJOURN,
        },
        Case {
            name: "M/M/3",
            file: "scenarios/validation/mm3.toml",
            text: include_str!("../../scenarios/validation/mm3.toml"),
            measures: &["p_wait", "mean_wait_hours"],
        },
        Case {
            name: "M/G/1 lognormal cv 2",
            file: "scenarios/validation/mg1-lognormal.toml",
            text: include_str!("../../scenarios/validation/mg1-lognormal.toml"),
            measures: &["mean_wait_hours"],
        },
        Case {
            name: "M/D/1",
            file: "scenarios/validation/md1.toml",
            text: include_str!("../../scenarios/validation/md1.toml"),
            measures: &["mean_wait_hours"],
        },
        Case {
            name: "tandem leader -> M/M/3",
            file: "scenarios/validation/tandem.toml",
            text: include_str!("../../scenarios/validation/tandem.toml"),
            measures: WAIT_SOJOURN,
        },
    ]
}

/// Settings for a validation run.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Base seed.
    pub seed: u64,
    /// Replications per case.
    pub replications: u32,
    /// Simulated days per replication (busy cases run fewer, see [`Case::scenario`]).
    pub days: u32,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { seed: 2025, replications: 30, days: 2500, threads: None }
    }
}

/// Days of warm-up every case discards.
pub const WARMUP_DAYS: f64 = 50.0;

impl Case {
    /// The case's scenario with seed, replications and duration from `s`. A busy queue relaxes
    /// fast, so a high-volume case (M/M/3 at 30 an hour) runs proportionally fewer days: `s.days`
    /// at 4 orders an hour or fewer, never under 60.
    pub fn scenario(&self, s: &Settings) -> Scenario {
        let origin = self.file;
        let mut table = parse_table(self.text, origin).expect("bundled validation scenarios parse");
        let per_hour: f64 = table
            .get("platforms")
            .and_then(|p| p.as_table())
            .map(|ps| {
                ps.values()
                    .filter_map(|p| p.get("arrival_rate_per_day"))
                    .filter_map(|r| r.as_float().or_else(|| r.as_integer().map(|i| i as f64)))
                    .sum::<f64>()
                    / 24.0
            })
            .unwrap_or(0.0);
        let days = ((s.days as f64 * 0.8 * 5.0 / per_hour.max(1e-9)).ceil() as u32).clamp(60, s.days.max(60));
        let sim =
            table.get_mut("simulation").and_then(|v| v.as_table_mut()).expect("validation scenarios have [simulation]");
        sim.insert("duration_days".into(), toml::Value::Float(days as f64));
        sim.insert("warmup_days".into(), toml::Value::Float(WARMUP_DAYS));
        sim.insert("seed".into(), toml::Value::Integer(s.seed.min(i64::MAX as u64) as i64));
        sim.insert("replications".into(), toml::Value::Integer(s.replications as i64));
        load_table(table, origin, Some(self.text)).expect("bundled validation scenarios are valid")
    }

    /// Runs the case; intervals are per-check 95% (see [`run`] for simultaneous ones).
    pub fn run(&self, s: &Settings) -> Result<Vec<Check>, ExperimentError> {
        let sc = self.scenario(s);
        let outs = run_all(&sc, s.threads, &|| {})?;
        Ok(self.evaluate(&sc, &outs))
    }

    /// The checks for runs `outs` of this case's scenario `sc` (per-check 95% intervals).
    pub fn evaluate(&self, sc: &Scenario, outs: &[RunOutput]) -> Vec<Check> {
        let reps = outs.len() as u32;
        let mut checks = Vec::new();
        let mut push = |measure: String, theory: f64, w: &Welford, slack: f64| {
            let (mean, _) = w.ci95();
            let std_error = w.sd() / (w.count() as f64).sqrt();
            let mut c = Check {
                case: self.name.to_string(),
                measure,
                theory,
                mean,
                half_width: 0.0,
                std_error,
                replications: reps,
                slack,
            };
            c.half_width = c.half_width_at(0.95);
            checks.push(c);
        };
        for &measure in self.measures {
            let mut w = Welford::default();
            for out in outs {
                w.push(summarize(sc, out)[0].get(measure));
            }
            push(measure.to_string(), theory(sc, measure), &w, 0.0);
        }
        // Little's law: the time-average length L against λW measured on the same queue. Both
        // sides are estimates, so the check is on their difference per replication.
        for q in 0..outs[0].queues.len() {
            let mut diff = Welford::default();
            let mut l = Welford::default();
            for out in outs {
                let f = out.queues[q].little;
                l.push(f.mean_length);
                diff.push(f.mean_length - f.arrival_rate * f.mean_wait);
            }
            // Edge effects (orders waiting at the end) bias the difference by O(1/T); allow 0.5%
            // of L on top of the sampling interval.
            push(format!("Little L - λW, {}", outs[0].queues[q].name), 0.0, &diff, 0.005 * l.mean());
        }
        checks
    }
}

/// Runs every case and returns the comparisons, Little's law for every queue included, with
/// simultaneous 95% intervals (Bonferroni over all the checks returned).
pub fn run(s: &Settings) -> Result<Vec<Check>, ExperimentError> {
    let mut checks = Vec::new();
    for case in cases() {
        checks.extend(case.run(s)?);
    }
    let confidence = 1.0 - 0.05 / checks.len() as f64;
    for c in &mut checks {
        c.half_width = c.half_width_at(confidence);
    }
    Ok(checks)
}

/// The `p` quantile of Student's t with `df` degrees of freedom (NaN when `df` < 1).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if df.is_nan() || df < 1.0 || !(0.0..1.0).contains(&p) || p == 0.0 {
        return f64::NAN;
    }
    if p < 0.5 {
        return -t_quantile(1.0 - p, df);
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    while t_cdf(hi, df) < p {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < p {
            lo = mid
        } else {
            hi = mid
        }
        if hi - lo < 1e-12 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// Student's t distribution function.
fn t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * crate::analysis::special::inc_beta(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 { 1.0 - tail } else { tail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_match_model_md() {
        assert!((erlang_c(3, 2.5) - 0.7022).abs() < 1e-4);
        assert!((erlang_c(3, 2.5) / 6.0 * 60.0 - 7.02).abs() < 0.01);
        assert!((pk_wait(0.8, 1.0, 1.0) - 4.0).abs() < 1e-12);
        assert!((pk_wait(0.8, 1.0, 4.0) - 10.0).abs() < 1e-12);
        assert!((pk_wait(0.8, 1.0, 0.0) - 2.0).abs() < 1e-12);
        assert!((erlang_c(1, 0.8) - 0.8).abs() < 1e-12);
    }

    #[test]
    fn theory_from_the_bundled_files_matches_model_md() {
        let s = Settings::default();
        let expect = [
            ("M/M/1", "mean_wait_hours", 4.0),
            ("M/M/1", "mean_sojourn_hours", 5.0),
            ("M/M/3", "p_wait", 0.7022),
            ("M/M/3", "mean_wait_hours", 7.02 / 60.0),
            ("M/G/1 lognormal cv 2", "mean_wait_hours", 10.0),
            ("M/D/1", "mean_wait_hours", 2.0),
            ("tandem leader -> M/M/3", "mean_wait_hours", 0.5 + 4.0 / 9.0),
        ];
        for (name, measure, value) in expect {
            let case = cases().into_iter().find(|c| c.name == name).unwrap();
            let got = theory(&case.scenario(&s), measure);
            assert!((got - value).abs() < 1e-4, "{name} {measure}: {got} vs {value}");
        }
    }

    #[test]
    fn overrides_reach_the_scenario() {
        let s = Settings { seed: 99, replications: 3, days: 700, threads: None };
        let cs = cases();
        let mm1 = cs[0].scenario(&s);
        assert_eq!((mm1.simulation.seed, mm1.simulation.replications, mm1.simulation.duration_days), (99, 3, 700.0));
        assert_eq!(mm1.simulation.warmup_days, WARMUP_DAYS);
        // M/M/3 at 30 an hour runs 700 x 4 / 30 days.
        assert_eq!(cs[1].scenario(&s).simulation.duration_days, (700.0f64 * 4.0 / 30.0).ceil());
    }

    #[test]
    fn t_quantiles_match_tables() {
        assert!((t_quantile(0.975, 9.0) - 2.262).abs() < 1e-3);
        assert!((t_quantile(0.975, 29.0) - 2.045).abs() < 1e-3);
        assert!((t_quantile(0.995, 9.0) - 3.250).abs() < 1e-3);
        assert!((t_quantile(0.975, 1.0) - 12.706).abs() < 1e-3);
        assert!((t_quantile(0.999, 20.0) - 3.552).abs() < 1e-3);
        assert!(t_quantile(0.975, 0.0).is_nan());
    }
}
