//! Headless Chromium for the page tests: found at /usr/bin/chromium (Debian package `chromium`),
//! or at $EMBEDSIM_CHROMIUM. Without it the tests say they were skipped and why, and pass —
//! unless EMBEDSIM_REQUIRE_BROWSER=1 (set by .ci/run), when a skip is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The browser, or `None` after printing why the test is skipped.
pub fn chromium(test: &str) -> Option<PathBuf> {
    let candidates = [std::env::var("EMBEDSIM_CHROMIUM").ok(), Some("/usr/bin/chromium".into())];
    if let Some(p) = candidates.into_iter().flatten().map(PathBuf::from).find(|p| p.is_file()) {
        return Some(p);
    }
    let why = format!(
        "{test}: browser test NOT RUN: no Chromium at /usr/bin/chromium or $EMBEDSIM_CHROMIUM (apt-get install -y chromium)"
    );
    if std::env::var("EMBEDSIM_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("{why}, and EMBEDSIM_REQUIRE_BROWSER=1");
    }
    eprintln!("{why}");
    None
}

fn base(browser: &Path, profile: &Path) -> Command {
    let mut c = Command::new(browser);
    c.args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions"])
        .arg(format!("--user-data-dir={}", profile.display()))
        // Nothing from the network: only the page under test and what it serves.
        .arg("--proxy-server=127.0.0.1:9")
        .arg("--proxy-bypass-list=127.0.0.1;localhost");
    c
}

/// The DOM after the page's scripts ran (virtual time lets timers and polling finish).
pub fn dump_dom(browser: &Path, url: &str, budget_ms: u32) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = base(browser, profile.path())
        .arg(format!("--virtual-time-budget={budget_ms}"))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("chromium runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Saves a screenshot of `url` to target/browser-test/`name` (kept as an artefact).
pub fn screenshot(browser: &Path, url: &str, name: &str, budget_ms: u32) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-test");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let profile = tempfile::tempdir().unwrap();
    let status = base(browser, profile.path())
        .arg(format!("--virtual-time-budget={budget_ms}"))
        .arg(format!("--screenshot={}", path.display()))
        .arg("--window-size=1400,2000")
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(status.status.success(), "chromium screenshot failed: {}", String::from_utf8_lossy(&status.stderr));
    assert!(path.metadata().map(|m| m.len() > 10_000).unwrap_or(false), "no screenshot at {}", path.display());
    path
}

/// The value of attribute `name` on the element with id `state` in a dumped DOM.
pub fn state_attr(dom: &str, name: &str) -> Option<String> {
    let start = dom.find("id=\"state\"")?;
    let tag_start = dom[..start].rfind('<')?;
    let tag = &dom[tag_start..tag_start + dom[tag_start..].find('>')?];
    let key = format!("{name}=\"");
    let i = tag.find(&key)? + key.len();
    let j = tag[i..].find('"')?;
    Some(tag[i..i + j].replace("&amp;", "&").replace("&quot;", "\""))
}
