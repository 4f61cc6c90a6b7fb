//! The README's sample output is the program's real output: the numbers a newcomer reads on the
//! front page are the numbers the main command prints today.

use assert_cmd::Command;

/// The fenced block that follows the line containing `marker`.
fn block_after(text: &str, marker: &str) -> String {
    let from = text.find(marker).unwrap_or_else(|| panic!("README has no `{marker}`"));
    let rest = &text[from..];
    let open = rest.find("```\n").expect("a fenced block") + 4;
    let close = rest[open..].find("```").expect("the block ends") + open;
    rest[open..close].to_string()
}

#[test]
fn readme_sample_output_matches_the_program() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let expected = block_after(&readme, "The first command prints this");
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("embedsim")
        .unwrap()
        .args(["run", "scenarios/s-town.toml", "--out"])
        .arg(dir.path().join("s-town"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let printed = &stdout[..stdout.find("\nwrote ").expect("a list of files written")];
    assert_eq!(printed.trim_end(), expected.trim_end(), "update the README's sample output");
}

#[test]
fn readme_compare_sentences_match_the_program() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let expected = block_after(&readme, "with a paired 95% confidence interval and a sentence");
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("embedsim")
        .unwrap()
        .args(["compare", "scenarios/s-town.toml", "scenarios/s-town-swapped.toml", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    for line in expected.lines() {
        assert!(stdout.contains(line), "compare no longer prints: {line}");
    }
}

/// The README's headline figures: 16 replications and a warm-up MSER-5 accepts on open orders
/// and arrivals (255 days), as the paragraph after the sample output states them.
#[test]
fn readme_headline_figures_come_from_an_accepted_warm_up() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("embedsim")
        .unwrap()
        .args(["run", "s-town", "--replications", "16", "--warmup", "255", "--out"])
        .arg(dir.path().join("s-town"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(readme.contains("`embedsim run s-town --replications 16 --warmup 255`"));
    // The warm-up covers every series MSER-5 can judge; it cannot judge trust, a smooth series
    // (said in the README, which gives the day it settles by another measure).
    assert!(stdout.contains("would choose 255 days: within the run's warm-up of 255 days"), "{stdout}");
    assert!(stdout.contains("no settled stretch on `trust` (comprehensive, minhu)"), "{stdout}");
    let row = |p: &str| stdout.lines().find(|l| l.starts_with(p)).unwrap().to_string();
    let (comprehensive, minhu) = (row("comprehensive "), row("minhu "));
    for (line, figure, claim) in [
        (&comprehensive, "41.6 ± 0.5", "41.6% ± 0.5 of its decided orders closed"),
        (&comprehensive, "悬浮 floating 16/16 (81–100%)", "floating in 16/16 (81–100%)"),
        (&minhu, "129.2 ± 1.3", "129.2 ± 1.3 orders closed a month"),
        (&minhu, "流程再造 reengineered 16/16 (81–100%)", "reengineered in 16/16 (81–100%)"),
    ] {
        assert!(line.contains(figure), "the program: {line}");
        let folded = readme.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(folded.contains(claim), "the README should say: {claim}");
    }
}
