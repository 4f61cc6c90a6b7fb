//! The CSV files of `embedsim run`. Columns are fixed and documented in the README.

use std::io::{self, Write};
use std::path::Path;

use super::atomic::{WriteError, num, write_atomic};
use crate::metrics::summary::{METRICS, PlatformSummary};
use crate::model::RunOutput;
use crate::scenario::Scenario;

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

/// Header of `summary.csv`.
pub fn summary_header() -> Vec<String> {
    let mut h = vec!["replication".to_string(), "platform".to_string()];
    h.extend(METRICS.iter().take(4).map(|s| s.to_string()));
    h.push("regime".into());
    h.extend(METRICS.iter().skip(4).map(|s| s.to_string()));
    h.extend(["regime_since_day".to_string(), "regime_changes".to_string()]);
    h
}

/// One `summary.csv` record.
pub fn summary_record(replication: u32, s: &PlatformSummary) -> Vec<String> {
    let mut r = vec![replication.to_string(), s.platform.clone()];
    r.extend(s.values.iter().take(4).map(|v| num(*v)));
    r.push(s.regime.name().to_string());
    r.extend(s.values.iter().skip(4).map(|v| num(*v)));
    r.push(num(s.regime_since_day));
    r.push(s.regime_changes.to_string());
    r
}

/// `summary.csv`: one row per replication and platform.
pub fn write_summary(path: &Path, summaries: &[(u32, Vec<PlatformSummary>)]) -> Result<(), WriteError> {
    write_csv(path, |c| {
        c.write_record(summary_header())?;
        for (rep, rows) in summaries {
            for s in rows {
                c.write_record(summary_record(*rep, s))?;
            }
        }
        Ok(())
    })
}

/// `timeseries.csv`: long format, one row per replication, day, entity and metric.
pub fn write_timeseries(path: &Path, sc: &Scenario, outs: &[RunOutput]) -> Result<(), WriteError> {
    write_csv(path, |c| {
        c.write_record(["replication", "day", "scope", "id", "metric", "value"])?;
        for out in outs {
            write_run_timeseries(c, sc, out)?;
        }
        Ok(())
    })
}

/// Writes CSV to `path` atomically; every field goes through the csv crate, so ids holding
/// commas, quotes or newlines are quoted.
pub fn write_csv(
    path: &Path,
    fill: impl FnOnce(&mut csv::Writer<&mut dyn Write>) -> csv::Result<()>,
) -> Result<(), WriteError> {
    write_atomic(path, |w| {
        let mut c = csv::Writer::from_writer(w);
        fill(&mut c).map_err(csv_err)?;
        c.flush()
    })
}

/// The number `timeseries.csv` writes for a regime (README, Outputs): 0 unclassified,
/// 1 transitional, 2 embedded, 3 reengineered, 4 floating, 5 idling, 6 overloaded.
pub fn regime_code(r: crate::metrics::Regime) -> u8 {
    use crate::metrics::Regime::*;
    match r {
        Unclassified => 0,
        Transitional => 1,
        Embedded => 2,
        Reengineered => 3,
        Floating => 4,
        Idling => 5,
        Overloaded => 6,
    }
}

fn write_run_timeseries(c: &mut csv::Writer<&mut dyn Write>, sc: &Scenario, out: &RunOutput) -> csv::Result<()> {
    let rep = out.replication.to_string();
    let days = out.town.len();
    // Decided once per run, not per department and day (that was quadratic in departments).
    let any_stress = sc.departments.iter().any(|d| d.stress.is_some());
    let trust = !sc.villages.is_empty();
    let reengineering = sc.reengineering.is_some();
    for d in 0..days {
        let day = d.to_string();
        let mut row = |scope: &str, id: &str, metric: &str, value: &str| {
            c.write_record([rep.as_str(), day.as_str(), scope, id, metric, value])
        };
        for (spec, p) in sc.platforms.iter().zip(&out.platforms) {
            let x = &p.days[d];
            let id = spec.id.as_str();
            let mut metric = |metric: &str, v: f64| row("platform", id, metric, &num(v));
            metric("arrivals", x.arrivals as f64)?;
            metric("dispatched", x.dispatched as f64)?;
            metric("closed", x.closed as f64)?;
            metric("lost", x.lost as f64)?;
            metric("open", x.open as f64)?;
            metric("open_overdue", x.overdue as f64)?;
            metric("leader_attention_hours", x.attention)?;
            if trust {
                metric("trust", x.trust)?;
            }
            metric("weighted_r", x.weighted_r)?;
            metric("closed_on_time", x.on_time as f64)?;
            metric("staff_hours", x.hours)?;
            metric("burden_hours", x.burden)?;
            for (k, name) in crate::model::department::Hours::KINDS.iter().enumerate() {
                metric(&format!("hours_{name}"), x.kinds[k])?;
            }
            if let Some(r) = x.regime {
                metric("regime", regime_code(r) as f64)?;
            }
        }
        for (spec, dep) in sc.departments.iter().zip(&out.departments) {
            let x = &dep.days[d];
            let mut metric = |metric: &str, v: f64| row("department", &spec.id, metric, &num(v));
            metric("queue", x.queue as f64)?;
            metric("hours", x.hours)?;
            metric("utilisation", x.utilisation)?;
            if reengineering {
                metric("r", x.r)?;
            }
            if any_stress {
                metric("stress", x.stress)?;
            }
        }
        for (spec, l) in sc.leaders.iter().zip(&out.leaders) {
            let x = &l[d];
            row("leader", &spec.id, "inbox", &x.inbox.to_string())?;
            if spec.delegate.is_some() {
                row("leader", &spec.id, "deputy_inbox", &x.deputy_inbox.to_string())?;
            }
            row("leader", &spec.id, "attention_hours", &num(x.hours))?;
        }
        if trust {
            let t = &out.town[d];
            row("township", "all", "issues", &t.issues.to_string())?;
            row("township", "all", "offline", &t.offline.to_string())?;
            row("township", "all", "silent", &t.silent.to_string())?;
            row("township", "all", "grid_resolved", &t.grid_resolved.to_string())?;
        }
    }
    Ok(())
}

/// `departments.csv`: one row per replication and department, hours by kind (they add up to
/// `hours_total`), burden share, line-task lateness, final R and stress.
pub fn write_departments(path: &Path, sc: &Scenario, outs: &[RunOutput]) -> Result<(), WriteError> {
    use crate::model::department::Hours;
    write_csv(path, |c| {
        let mut header: Vec<String> =
            ["replication", "department", "staff", "utilisation", "hours_total"].map(String::from).to_vec();
        header.extend(Hours::KINDS.iter().map(|k| format!("hours_{k}")));
        header.extend(["burden_share", "line_tasks_done", "line_tasks_late", "r_end", "stress_end"].map(String::from));
        c.write_record(&header)?;
        for out in outs {
            for (spec, d) in sc.departments.iter().zip(&out.departments) {
                let h = &d.hours;
                let burden = if h.total() > 0.0 { h.burden() / h.total() } else { f64::NAN };
                let mut r =
                    vec![out.replication.to_string(), spec.id.clone(), spec.staff.to_string(), num(d.utilisation)];
                r.push(num(h.total()));
                r.extend(h.kinds().iter().map(|x| num(*x)));
                r.extend([
                    num(burden),
                    d.line_done.to_string(),
                    d.line_late.to_string(),
                    num(d.r_end),
                    num(d.stress_end),
                ]);
                c.write_record(&r)?;
            }
        }
        Ok(())
    })
}

/// `queues.csv`: Little's law figures of every queue.
pub fn write_queues(path: &Path, outs: &[RunOutput]) -> Result<(), WriteError> {
    write_csv(path, |c| {
        c.write_record([
            "replication",
            "queue",
            "mean_length",
            "arrival_rate_per_hour",
            "mean_wait_hours",
            "lambda_w",
            "warmup_backlog_length",
        ])?;
        for out in outs {
            for q in &out.queues {
                let f = q.little;
                c.write_record([
                    out.replication.to_string(),
                    q.name.clone(),
                    num(f.mean_length),
                    num(f.arrival_rate),
                    num(f.mean_wait),
                    num(f.arrival_rate * f.mean_wait),
                    num(f.edge_length),
                ])?;
            }
        }
        Ok(())
    })
}

/// `regimes.csv`: each platform's regime changes, with the figures that decided the final one.
pub fn write_regimes(path: &Path, sc: &Scenario, outs: &[RunOutput]) -> Result<(), WriteError> {
    write_csv(path, |c| {
        c.write_record(["replication", "platform", "day", "regime"])?;
        for out in outs {
            for (spec, p) in sc.platforms.iter().zip(&out.platforms) {
                for (day, r) in &p.regimes.changes {
                    c.write_record([out.replication.to_string(), spec.id.clone(), day.to_string(), r.name().into()])?;
                }
            }
        }
        Ok(())
    })
}

/// `baseline.csv`: each compared figure with and without the platform, and the paired difference.
pub fn write_baseline(path: &Path, b: &crate::experiment::baseline::Baseline) -> Result<(), WriteError> {
    write_csv(path, |c| {
        c.write_record(["platform", "measure", "with", "without", "difference", "difference_ci95"])?;
        for r in &b.rows {
            c.write_record([
                b.platform.clone(),
                r.measure.to_string(),
                num(r.with),
                num(r.without),
                num(r.difference),
                num(r.half_width),
            ])?;
        }
        Ok(())
    })
}
