//! The validation cases of MODEL.md section 8: with every mechanism off, the simulator must
//! reproduce queueing theory. Each case is an ordinary scenario file's text, so the cases also
//! exercise the scenario contract.

use super::{ExperimentError, run_all};
use crate::metrics::stats::Welford;
use crate::metrics::summary::summarize;
use crate::scenario::{Scenario, load_str};

/// One comparison of theory with simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// Case name, e.g. `M/M/1`.
    pub case: String,
    /// What is compared, e.g. `Wq (h)`.
    pub measure: String,
    /// The theoretical value.
    pub theory: f64,
    /// Mean over replications.
    pub mean: f64,
    /// Half-width of the 95% confidence interval over replications.
    pub half_width: f64,
}

impl Check {
    /// Whether theory lies inside the interval.
    pub fn pass(&self) -> bool {
        (self.mean - self.theory).abs() <= self.half_width
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

/// Settings for a validation run.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Base seed.
    pub seed: u64,
    /// Replications per case.
    pub replications: u32,
    /// Simulated days per replication.
    pub days: u32,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { seed: 2025, replications: 30, days: 2500, threads: None }
    }
}

/// One auto-dispatched queue. A busy queue relaxes fast, so a high-volume case (M/M/3 at 30 an
/// hour) runs proportionally fewer days: `s.days` at 4 orders an hour or fewer.
fn single_queue(name: &str, per_hour: f64, staff: u32, effort: &str, s: &Settings) -> String {
    let days = ((s.days as f64 * 0.8 * 5.0 / per_hour).ceil() as u32).clamp(60, s.days);
    format!(
        "name = \"{name}\"\n[simulation]\nduration_days = {days}\nwarmup_days = 50\nseed = {seed}\nreplications = {reps}\n\
         [calendar]\nhours_per_day = 24\ndays_per_week = 7\n\
         [departments.desk]\nstaff = {staff}\n\
         [platforms.line]\ndispatch = \"auto\"\narrival_rate_per_day = {rate}\nroute = [\"desk\"]\neffort_hours = {effort}\n",
        seed = s.seed,
        reps = s.replications,
        rate = per_hour * 24.0,
    )
}

fn tandem(s: &Settings) -> String {
    format!(
        "name = \"tandem\"\n[simulation]\nduration_days = {days}\nwarmup_days = 50\nseed = {seed}\nreplications = {reps}\n\
         [calendar]\nhours_per_day = 24\ndays_per_week = 7\n\
         [leaders.secretary]\nattention_hours_per_day = 24\n\
         [departments.office]\nstaff = 3\n\
         [platforms.minhu]\ndispatch = \"leader\"\nleader = \"secretary\"\nreview_hours = {{ dist = \"exponential\", mean = 0.25 }}\n\
         arrival_rate_per_day = 48\nroute = [\"office\"]\neffort_hours = {{ dist = \"exponential\", mean = 1.0 }}\n",
        days = s.days,
        seed = s.seed,
        reps = s.replications,
    )
}

/// The cases as scenario texts with their expected values: (name, scenario, [(measure, theory)]).
pub fn cases(s: &Settings) -> Vec<(String, String, Vec<(&'static str, f64)>)> {
    let mm1_wq = pk_wait(0.8, 1.0, 1.0);
    let c3 = erlang_c(3, 30.0 / 12.0);
    let t_wait = 1.0 / (4.0 - 2.0) + erlang_c(3, 2.0) / (3.0 - 2.0);
    vec![
        (
            "M/M/1".into(),
            single_queue("mm1", 0.8, 1, "{ dist = \"exponential\", mean = 1.0 }", s),
            vec![("mean_wait_hours", mm1_wq), ("mean_sojourn_hours", mm1_wq + 1.0)],
        ),
        (
            "M/M/3".into(),
            single_queue("mm3", 30.0, 3, "{ dist = \"exponential\", mean = 0.08333333333333333 }", s),
            vec![("p_wait", c3), ("mean_wait_hours", c3 / (36.0 - 30.0))],
        ),
        (
            "M/G/1 lognormal cv 2".into(),
            single_queue("mg1-lognormal", 0.8, 1, "{ dist = \"lognormal\", mean = 1.0, cv = 2.0 }", s),
            vec![("mean_wait_hours", pk_wait(0.8, 1.0, 4.0))],
        ),
        (
            "M/D/1".into(),
            single_queue("md1", 0.8, 1, "{ dist = \"fixed\", value = 1.0 }", s),
            vec![("mean_wait_hours", pk_wait(0.8, 1.0, 0.0))],
        ),
        (
            "tandem leader -> M/M/3".into(),
            tandem(s),
            vec![("mean_wait_hours", t_wait), ("mean_sojourn_hours", t_wait + 1.0)],
        ),
    ]
}

/// Runs every case and returns the comparisons, Little's law for every queue included.
pub fn run(s: &Settings) -> Result<Vec<Check>, ExperimentError> {
    let mut checks = Vec::new();
    for (name, text, expected) in cases(s) {
        let sc: Scenario = load_str(&text, &format!("<validation {name}>")).expect("validation scenarios are valid");
        let outs = run_all(&sc, s.threads, &|| {})?;
        for (measure, theory) in expected {
            let mut w = Welford::default();
            for out in &outs {
                w.push(summarize(&sc, out)[0].get(measure));
            }
            let (mean, half_width) = w.ci95();
            checks.push(Check { case: name.clone(), measure: measure.to_string(), theory, mean, half_width });
        }
        // Little's law: the time-average length L against λW measured on the same queue. Both
        // sides are estimates, so the check is on their difference per replication.
        let queues = outs[0].queues.len();
        for q in 0..queues {
            let mut diff = Welford::default();
            let mut l = Welford::default();
            for out in &outs {
                let f = out.queues[q].little;
                l.push(f.mean_length);
                diff.push(f.mean_length - f.arrival_rate * f.mean_wait);
            }
            let (d, h) = diff.ci95();
            checks.push(Check {
                case: name.clone(),
                measure: format!("Little L - λW, {}", outs[0].queues[q].name),
                theory: 0.0,
                mean: d,
                // Edge effects (orders waiting at the end) bias the difference by O(1/T); allow
                // 0.5% of L on top of the sampling interval.
                half_width: h + 0.005 * l.mean(),
            });
        }
    }
    Ok(checks)
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
}
