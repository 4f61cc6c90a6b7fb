//! What every command of `embedsim` shares: the scenario with the command line's changes, the
//! progress bar, Ctrl-C for long jobs. The command modules use these and nothing of each other's
//! but in one direction (`cli` → `cli_experiments` → `cli_research` → here).

use std::io::IsTerminal;
use std::path::Path;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

use embedsim::scenario::{self, Scenario};

/// Changes to a scenario given on the command line.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct Variant {
    /// Set a scenario key (dotted path as in the file; value in TOML), e.g.
    /// --set leaders.secretary.attention_hours_per_day=2.5 or --set 'platforms.minhu.label="routine"'.
    /// Repeatable; applied in order, before any --unset.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Remove a scenario key or table, e.g. --unset platforms.voice.audit to switch the audit off.
    /// Repeatable.
    #[arg(long = "unset", value_name = "KEY")]
    pub unset: Vec<String>,
}

impl Variant {
    /// The changes as command-line arguments, `--set` before `--unset`, as they are applied.
    pub fn arguments(&self) -> Vec<String> {
        let set = self.set.iter().map(|s| format!("--set {s}"));
        set.chain(self.unset.iter().map(|u| format!("--unset {u}"))).collect()
    }

    /// The overrides, parsed.
    pub fn overrides(&self) -> Result<Vec<scenario::overrides::Override>> {
        Ok(embedsim::api::overrides(&self.set, &self.unset)?)
    }
}

/// Loads a scenario with the command line's changes (a file, or a bundled scenario by name).
pub fn load(path: &Path, variant: &Variant) -> Result<Scenario> {
    let source = embedsim::api::Source::find(path)?;
    Ok(source.load(&variant.overrides()?)?)
}

pub use embedsim::api::{FileKind, looks_like, scenario_text};

/// A progress bar on stderr, hidden when quiet or when stderr is not a terminal.
pub fn progress(len: u64, quiet: bool, what: &str) -> ProgressBar {
    progress_in(len, quiet, what, "runs")
}

/// [`progress`] counting `unit` (runs, days simulated), with the time left.
pub fn progress_in(len: u64, quiet: bool, what: &str, unit: &str) -> ProgressBar {
    if quiet || len < 2 || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!("{{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit}, {{rate}}, {{eta}} left"))
            .expect("a valid template")
            // indicatif's own {per_sec} prints four decimals ("43.3283/s").
            .with_key("rate", |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&format!("{}/s", rate(s.per_sec())));
            })
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

/// A rate for the progress bar: three significant figures at most, no trailing noise.
fn rate(per_sec: f64) -> String {
    match per_sec {
        r if !r.is_finite() => "–".into(),
        r if r >= 100.0 => format!("{r:.0}"),
        r if r >= 10.0 => format!("{r:.1}"),
        r => format!("{r:.2}"),
    }
}

/// Ctrl-C for long jobs with a journal: finish the runs under way, start no more, keep the
/// journal, suggest --resume. A second Ctrl-C stops at once (the journal is still whole).
pub fn on_ctrl_c() -> &'static std::sync::atomic::AtomicBool {
    static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupted: finishing the runs under way; continue later with --resume");
    });
    &INTERRUPTED
}

#[cfg(test)]
mod tests {
    #[test]
    fn progress_rates_carry_no_trailing_noise() {
        assert_eq!(super::rate(43.3283), "43.3");
        assert_eq!(super::rate(1234.56), "1235");
        assert_eq!(super::rate(0.5), "0.50");
        assert_eq!(super::rate(f64::INFINITY), "–");
    }
}
