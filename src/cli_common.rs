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
        use scenario::overrides::{parse_set, parse_unset};
        let mut out = Vec::new();
        for s in &self.set {
            out.push(parse_set(s)?);
        }
        for u in &self.unset {
            out.push(parse_unset(u)?);
        }
        Ok(out)
    }
}

/// Loads a scenario with the command line's changes.
pub fn load(path: &Path, variant: &Variant) -> Result<Scenario> {
    if looks_like(path) == Some(FileKind::Sweep) {
        anyhow::bail!(
            "{} is a sweep file, not a scenario: run it with `embedsim sweep {}`",
            path.display(),
            path.display()
        );
    }
    if let Some((_, file, text)) = bundled_instead(path) {
        return Ok(scenario::overrides::load_variant_str(text, file, &variant.overrides()?)?);
    }
    if !path.exists() {
        let names: Vec<&str> = scenario::bundled::BUNDLED.iter().map(|b| b.0).collect();
        anyhow::bail!(
            "{}: no such file, and no bundled scenario of that name (bundled: {}; `embedsim scenarios` lists them)",
            path.display(),
            names.join(", ")
        );
    }
    Ok(scenario::overrides::load_variant(path, &variant.overrides()?)?)
}

/// The bundled scenario `path` names when no such file exists (`s-town`, or
/// `scenarios/s-town.toml` outside the repository).
pub fn bundled_instead(path: &Path) -> Option<&'static (&'static str, &'static str, &'static str)> {
    if path.exists() { None } else { scenario::bundled::named(path) }
}

/// The text of the scenario given as `path`: the file's, or the bundled scenario's it names.
pub fn scenario_text(path: &Path) -> String {
    match bundled_instead(path) {
        Some((_, _, text)) => text.to_string(),
        None => std::fs::read_to_string(path).unwrap_or_default(),
    }
}

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

/// What a TOML file given on the command line seems to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A scenario (it has platforms or departments).
    Scenario,
    /// A sweep file (it has a base scenario or parameters, and no platforms).
    Sweep,
}

/// Guesses the kind of file at `path`, so that a sweep given to `run` (or a scenario given to
/// `sweep`) gets a message naming the right command; `None` when it cannot tell (then the
/// loader's own message applies).
pub fn looks_like(path: &Path) -> Option<FileKind> {
    let text = std::fs::read_to_string(path).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let scenario = table.contains_key("platforms") || table.contains_key("departments");
    let sweep = table.contains_key("base") || table.contains_key("parameters");
    match (scenario, sweep) {
        (true, false) => Some(FileKind::Scenario),
        (false, true) => Some(FileKind::Sweep),
        _ => None,
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
