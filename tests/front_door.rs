//! The front door: the Rust version the README and Cargo.toml state is the one the locked
//! dependencies need; CI runs the README's quick commands as written; every command's --help ends
//! with examples that work; a sweep file given to `run` (or a scenario to `sweep`) names the
//! right command.

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::cargo_bin_cmd;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn version(v: &str) -> Vec<u32> {
    v.split('.').map(|x| x.parse().unwrap()).collect()
}

#[test]
fn rust_version_is_the_highest_the_locked_dependencies_declare() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // This platform's crates only: a build fetches no others, so a fresh machine has no others
    // (the rust-version that matters is that of what this platform builds).
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let vv = Command::new(rustc).arg("-vV").output().unwrap();
    let vv = String::from_utf8_lossy(&vv.stdout).into_owned();
    let host = vv.lines().find_map(|l| l.strip_prefix("host: ")).expect("rustc -vV names its host").trim().to_string();
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline", "--filter-platform", &host])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut ours = None;
    let mut highest: Option<(Vec<u32>, String)> = None;
    for p in meta["packages"].as_array().unwrap() {
        let Some(v) = p["rust_version"].as_str() else { continue };
        if p["name"] == "embedsim" {
            ours = Some(v.to_string());
            continue;
        }
        if highest.as_ref().is_none_or(|(h, _)| version(v) > *h) {
            highest = Some((version(v), format!("{} {v}", p["name"].as_str().unwrap())));
        }
    }
    let (highest, who) = highest.unwrap();
    let ours = ours.expect("Cargo.toml states rust-version");
    let mut padded = version(&ours);
    padded.resize(highest.len().max(padded.len()), 0);
    let mut h = highest.clone();
    h.resize(padded.len(), 0);
    assert_eq!(padded, h, "rust-version {ours} in Cargo.toml, but {who} needs that");
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains(&format!("Rust toolchain ({ours} or newer")), "the README states {ours}");
}

/// The commands between the markers in .ci/run.
fn ci_commands() -> Vec<String> {
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    let begin = ci.find("<<'COMMANDS'\n").unwrap() + "<<'COMMANDS'\n".len();
    let end = ci[begin..].find("\nCOMMANDS\n").unwrap() + begin;
    ci[begin..end].lines().map(str::to_string).collect()
}

/// Every `cargo run` command in the README's shell blocks, continuation lines joined, comments cut.
fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let line = match line.find("  #") {
            Some(i) => line[..i].trim_end(),
            None => line.trim_end(),
        };
        pending.push_str(line.trim_start());
        if let Some(stripped) = pending.strip_suffix('\\') {
            pending = format!("{} ", stripped.trim_end());
            continue;
        }
        if pending.starts_with("cargo run") {
            out.push(pending.clone());
        }
        pending.clear();
    }
    out
}

#[test]
fn ci_runs_the_readmes_quick_commands_as_written() {
    let ci = ci_commands();
    let readme = readme_commands();
    assert!(ci.len() >= 8, "{ci:?}");
    for c in &ci {
        assert!(readme.contains(c), "CI runs `{c}`, which the README does not show: {readme:#?}");
    }
    for r in &readme {
        if r.contains(" -- serve") {
            continue; // runs until stopped: tests/serve.rs covers it
        }
        assert!(ci.contains(r), "the README shows `{r}`, which .ci/run does not run");
    }
}

#[test]
fn every_commands_help_ends_with_examples_that_run() {
    for cmd in [
        "run",
        "trace",
        "check",
        "sweep",
        "merge",
        "compare",
        "validate",
        "serve",
        "sensitivity",
        "calibrate",
        "discover",
        "keys",
    ] {
        let out = cargo_bin_cmd!("embedsim").args(["help", cmd]).output().unwrap();
        let help = String::from_utf8(out.stdout).unwrap();
        let tail = &help[help.rfind("Examples:").unwrap_or_else(|| panic!("{cmd}: no examples:\n{help}"))..];
        let examples: Vec<&str> = tail.lines().skip(1).map(str::trim).filter(|l| !l.is_empty()).collect();
        assert!((2..=3).contains(&examples.len()), "{cmd}: {examples:?}");
        for e in &examples {
            assert!(e.starts_with(&format!("embedsim {cmd}")), "{cmd}: {e}");
            // The cheap ones must work as written, from the repository's root.
            if cmd == "check" || cmd == "trace" || cmd == "keys" {
                let args: Vec<&str> = e.split_whitespace().skip(1).collect();
                let out = cargo_bin_cmd!("embedsim").args(&args).current_dir(root()).output().unwrap();
                assert!(out.status.success(), "{e}: {}", String::from_utf8_lossy(&out.stderr));
            }
        }
    }
}

#[test]
fn a_sweep_given_to_run_and_a_scenario_given_to_sweep_name_the_right_command() {
    let out = cargo_bin_cmd!("embedsim")
        .args(["run", "scenarios/sweeps/attention-vs-load.toml"])
        .current_dir(root())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "is a sweep file, not a scenario: run it with `embedsim sweep scenarios/sweeps/attention-vs-load.toml`"
        ),
        "{err}"
    );
    let out = cargo_bin_cmd!("embedsim").args(["sweep", "scenarios/s-town.toml"]).current_dir(root()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is a scenario, not a sweep file: run it with `embedsim run scenarios/s-town.toml`"), "{err}");
    let out = cargo_bin_cmd!("embedsim")
        .args(["check", "scenarios/sweeps/attention-vs-load.toml"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("embedsim sweep"));
}
