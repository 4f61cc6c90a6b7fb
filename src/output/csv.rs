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
    write_atomic(path, |w| {
        let mut c = csv::Writer::from_writer(w);
        c.write_record(summary_header()).map_err(csv_err)?;
        for (rep, rows) in summaries {
            for s in rows {
                c.write_record(summary_record(*rep, s)).map_err(csv_err)?;
            }
        }
        c.flush()
    })
}

/// `timeseries.csv`: long format, one row per replication, day, entity and metric.
pub fn write_timeseries(path: &Path, sc: &Scenario, outs: &[RunOutput]) -> Result<(), WriteError> {
    write_atomic(path, |w| {
        writeln!(w, "replication,day,scope,id,metric,value")?;
        for out in outs {
            write_run_timeseries(w, sc, out)?;
        }
        Ok(())
    })
}

fn write_run_timeseries(w: &mut dyn Write, sc: &Scenario, out: &RunOutput) -> io::Result<()> {
    let rep = out.replication;
    let days = out.town.len();
    for d in 0..days {
        for (spec, p) in sc.platforms.iter().zip(&out.platforms) {
            let x = &p.days[d];
            let mut row = |metric: &str, v: f64| writeln!(w, "{rep},{d},platform,{},{metric},{}", spec.id, num(v));
            row("arrivals", x.arrivals as f64)?;
            row("dispatched", x.dispatched as f64)?;
            row("closed", x.closed as f64)?;
            row("lost", x.lost as f64)?;
            row("open", x.open as f64)?;
            row("open_overdue", x.overdue as f64)?;
            row("leader_attention_hours", x.attention)?;
            if !sc.villages.is_empty() {
                row("trust", x.trust)?;
            }
            row("weighted_r", x.weighted_r)?;
            row("staff_hours", x.hours)?;
            row("burden_hours", x.burden)?;
            if let Some(r) = x.regime {
                writeln!(w, "{rep},{d},platform,{},regime,{}", spec.id, r.name())?;
            }
        }
        for (spec, dep) in sc.departments.iter().zip(&out.departments) {
            let x = &dep.days[d];
            let mut row = |metric: &str, v: f64| writeln!(w, "{rep},{d},department,{},{metric},{}", spec.id, num(v));
            row("queue", x.queue as f64)?;
            row("hours", x.hours)?;
            row("utilisation", x.utilisation)?;
            if sc.reengineering.is_some() {
                row("r", x.r)?;
            }
            if sc.departments.iter().any(|d| d.stress.is_some()) {
                row("stress", x.stress)?;
            }
        }
        for (spec, l) in sc.leaders.iter().zip(&out.leaders) {
            let x = &l[d];
            writeln!(w, "{rep},{d},leader,{},inbox,{}", spec.id, x.inbox)?;
            writeln!(w, "{rep},{d},leader,{},attention_hours,{}", spec.id, num(x.hours))?;
        }
        if !sc.villages.is_empty() {
            let t = &out.town[d];
            writeln!(w, "{rep},{d},township,all,issues,{}", t.issues)?;
            writeln!(w, "{rep},{d},township,all,offline,{}", t.offline)?;
            writeln!(w, "{rep},{d},township,all,silent,{}", t.silent)?;
            writeln!(w, "{rep},{d},township,all,grid_resolved,{}", t.grid_resolved)?;
        }
    }
    Ok(())
}

/// `departments.csv`: one row per replication and department, hours by kind (they add up to
/// `hours_total`), burden share, line-task lateness, final R and stress.
pub fn write_departments(path: &Path, sc: &Scenario, outs: &[RunOutput]) -> Result<(), WriteError> {
    use crate::model::department::Hours;
    write_atomic(path, |w| {
        let kinds: Vec<String> = Hours::KINDS.iter().map(|k| format!("hours_{k}")).collect();
        writeln!(
            w,
            "replication,department,staff,utilisation,hours_total,{},burden_share,line_tasks_done,line_tasks_late,r_end,stress_end",
            kinds.join(",")
        )?;
        for out in outs {
            for (spec, d) in sc.departments.iter().zip(&out.departments) {
                let h = &d.hours;
                let kinds: Vec<String> = h.kinds().iter().map(|x| num(*x)).collect();
                let burden = if h.total() > 0.0 { h.burden() / h.total() } else { f64::NAN };
                writeln!(
                    w,
                    "{},{},{},{},{},{},{},{},{},{},{}",
                    out.replication,
                    spec.id,
                    spec.staff,
                    num(d.utilisation),
                    num(h.total()),
                    kinds.join(","),
                    num(burden),
                    d.line_done,
                    d.line_late,
                    num(d.r_end),
                    num(d.stress_end)
                )?;
            }
        }
        Ok(())
    })
}

/// `queues.csv`: Little's law figures of every queue.
pub fn write_queues(path: &Path, outs: &[RunOutput]) -> Result<(), WriteError> {
    write_atomic(path, |w| {
        writeln!(
            w,
            "replication,queue,mean_length,arrival_rate_per_hour,mean_wait_hours,lambda_w,warmup_backlog_length"
        )?;
        for out in outs {
            for q in &out.queues {
                let f = q.little;
                writeln!(
                    w,
                    "{},{},{},{},{},{},{}",
                    out.replication,
                    q.name,
                    num(f.mean_length),
                    num(f.arrival_rate),
                    num(f.mean_wait),
                    num(f.arrival_rate * f.mean_wait),
                    num(f.edge_length)
                )?;
            }
        }
        Ok(())
    })
}

/// `regimes.csv`: each platform's regime changes, with the figures that decided the final one.
pub fn write_regimes(path: &Path, sc: &Scenario, outs: &[RunOutput]) -> Result<(), WriteError> {
    write_atomic(path, |w| {
        writeln!(w, "replication,platform,day,regime")?;
        for out in outs {
            for (spec, p) in sc.platforms.iter().zip(&out.platforms) {
                for (day, r) in &p.regimes.changes {
                    writeln!(w, "{},{},{},{}", out.replication, spec.id, day, r.name())?;
                }
            }
        }
        Ok(())
    })
}

/// `baseline.csv`: each compared figure with and without the platform, and the paired difference.
pub fn write_baseline(path: &Path, b: &crate::experiment::baseline::Baseline) -> Result<(), WriteError> {
    write_atomic(path, |w| {
        writeln!(w, "platform,measure,with,without,difference,difference_ci95")?;
        for r in &b.rows {
            writeln!(
                w,
                "{},\"{}\",{},{},{},{}",
                b.platform,
                r.measure,
                num(r.with),
                num(r.without),
                num(r.difference),
                num(r.half_width)
            )?;
        }
        Ok(())
    })
}
