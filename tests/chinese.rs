//! 中文 all the way: for every bundled scenario, the classroom page in 中文 (after a run, with an
//! order's story open), the run's report.html and its chart legends show no Latin word outside a
//! short allowed list ([`embedsim::text::latin_words`]: the program's name, units, a single
//! capital letter, mechanism numbers; key paths, files and commands are shown as code and not
//! read). An error on the page reads in Chinese. Screenshots of the page (中文) and of each
//! report (both languages) are left in target/browser-test to look at. Needs Chromium (see
//! tests/common/browser.rs).

#[path = "common/browser.rs"]
mod browser;
#[path = "common/serving.rs"]
mod serving;

use serving::serve_page;

use std::process::Command;

use embedsim::scenario::bundled::BUNDLED;
use embedsim::text::latin_words;

/// Removes every `<tag ...>...</tag>` element of `tag` from `html`.
fn without(html: &str, tag: &str) -> String {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        // `<codex` is not `<code`.
        let after = rest[i + open.len()..].chars().next();
        if !matches!(after, Some('>' | ' ' | '\n')) {
            out.push_str(&rest[..i + open.len()]);
            rest = &rest[i + open.len()..];
            continue;
        }
        out.push_str(&rest[..i]);
        match rest[i..].find(&close) {
            Some(j) => rest = &rest[i + j + close.len()..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

/// The text a person reads in a dumped DOM: no scripts, styles or code, tags stripped.
fn visible_text(dom: &str) -> String {
    let mut html = dom.to_string();
    for tag in ["head", "script", "style", "code", "pre", "textarea"] {
        html = without(&html, tag);
    }
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&nbsp;", " ")
}

/// The Latin words of `text`, each with a little of what surrounds it.
fn latin_in_context(text: &str) -> Vec<String> {
    let words = latin_words(text);
    words
        .iter()
        .take(8)
        .map(|w| {
            let at = text.find(w.as_str()).unwrap_or(0);
            let from = text[..at].char_indices().rev().nth(30).map_or(0, |(i, _)| i);
            let to = text[at..].char_indices().nth(40).map_or(text.len(), |(i, _)| at + i);
            format!("{w:?} in «{}»", text[from..to].replace('\n', " "))
        })
        .collect()
}

/// Days each scenario is run for here: enough for regimes and stories, short enough for CI.
const DAYS: u32 = 120;

#[test]
fn the_page_and_the_report_read_in_chinese_for_every_bundled_scenario() {
    let Some(chromium) = browser::chromium("the_page_and_the_report_read_in_chinese_for_every_bundled_scenario") else {
        return;
    };
    let (serving, url) = serve_page();
    let out = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (id, _, text) in BUNDLED {
        let sc = embedsim::scenario::load_str(text, id).unwrap();
        let platform = &sc.platforms[0].id;
        let day = (sc.simulation.warmup_days as u32 + 5).min(DAYS - 10);
        let extra = format!("--set simulation.duration_days={DAYS}");
        let page = format!(
            "{url}?test=1&lang=zh&scenario={id}&speed=5&reps=1&story={platform}:{day}&extra={}",
            extra.replace(' ', "%20")
        );
        let dom = browser::dump_dom(&chromium, &page, 120_000);
        let attr = |k: &str| browser::state_attr(&dom, k).unwrap_or_default();
        assert_eq!((attr("data-done").as_str(), attr("data-error").as_str()), ("1", ""), "{id}: the run finished");
        assert_eq!(attr("data-lang"), "zh");
        let story = attr("data-story");
        assert!(story.lines().count() >= 2, "{id}: an order's story is shown:\n{story}");
        let words = latin_in_context(&visible_text(&dom));
        if !words.is_empty() {
            failures.push(format!("{id}, the page: {}", words.join("; ")));
        }
        // To look at as a teacher would (kept in target/browser-test).
        browser::screenshot(&chromium, &format!("{page}&scroll=story"), &format!("page-{id}-zh.png"), 120_000);
        // The report `embedsim run` writes, in 中文.
        let folder = out.path().join(id);
        let status = Command::new(env!("CARGO_BIN_EXE_embedsim"))
            .args(["run", id, "--replications", "1", "--series", "weekly", "--set"])
            .arg(format!("simulation.duration_days={DAYS}"))
            .arg("--out")
            .arg(&folder)
            .output()
            .unwrap();
        assert!(status.status.success(), "{id}: {}", String::from_utf8_lossy(&status.stderr));
        let report = format!("file://{}?lang=zh", folder.join("report.html").display());
        let dom = browser::dump_dom(&chromium, &report, 30_000);
        assert_eq!(browser::state_attr(&dom, "data-ready").as_deref(), Some("1"), "{id}: the report was drawn");
        let legends = dom.matches("class=\"legend\"").count();
        assert!(legends >= 3, "{id}: the report's charts have legends ({legends})");
        let words = latin_in_context(&visible_text(&dom));
        if !words.is_empty() {
            failures.push(format!("{id}, report.html: {}", words.join("; ")));
        }
        for lang in ["zh", "en"] {
            let url = format!("file://{}?lang={lang}", folder.join("report.html").display());
            browser::screenshot(&chromium, &url, &format!("report-{id}-{lang}.png"), 30_000);
        }
    }
    drop(serving);
    assert!(failures.is_empty(), "Latin words in the 中文 view:\n{}", failures.join("\n"));
}

/// The check above can fail: the same page in English is full of Latin words.
#[test]
fn the_check_sees_english() {
    let Some(chromium) = browser::chromium("the_check_sees_english") else { return };
    let (serving, url) = serve_page();
    let dom = browser::dump_dom(&chromium, &format!("{url}?test=1&scenario=s-town&speed=5&reps=1&then=en"), 60_000);
    assert_eq!(browser::state_attr(&dom, "data-done").as_deref(), Some("1"));
    assert!(latin_words(&visible_text(&dom)).len() > 50);
    // And an error on the page reads in Chinese, key paths as they were typed.
    let page = format!("{url}?test=1&lang=zh&scenario=s-town&extra=--set%20departments.enforcment.staff=3");
    let dom = browser::dump_dom(&chromium, &page, 30_000);
    let error = browser::state_attr(&dom, "data-error").unwrap_or_default();
    assert!(error.starts_with("错误：") && error.contains("情景中没有部门"), "{error}");
    assert!(latin_words(&error).is_empty(), "{error}: {:?}", latin_words(&error));
    drop(serving);
}

/// Every file under `dir` (recursively) whose name ends with one of `ends`.
fn files(dir: &std::path::Path, ends: &[&str], out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, ends, out);
        } else if ends.iter().any(|x| p.to_string_lossy().ends_with(x)) {
            out.push(p);
        }
    }
}

/// One term per concept: the page's dictionary uses the glossary's term for each concept it has
/// a key for, and no avoided synonym appears in anything a user reads.
#[test]
fn one_term_per_concept_as_the_glossary_says() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let glossary = std::fs::read_to_string(root.join("docs/GLOSSARY.md")).unwrap();
    let i18n = std::fs::read_to_string(root.join("assets/page/i18n.js")).unwrap();
    let zh_block = &i18n[i18n.find("\n  zh: {").expect("a zh dictionary")..];
    let zh_of = |key: &str| {
        let at = zh_block.find(&format!("\n    {key}: \""))? + key.len() + 8;
        Some(zh_block[at..at + zh_block[at..].find("\",")?].to_string())
    };
    let mut read: Vec<std::path::PathBuf> = vec![root.join("README.md"), root.join("docs/CLASSROOM.md")];
    files(&root.join("assets/page"), &[".js", ".html"], &mut read);
    files(&root.join("src"), &[".rs"], &mut read);
    files(&root.join("scenarios"), &[".toml"], &mut read);
    let texts: Vec<(String, String)> =
        read.iter().map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap())).collect();
    let mut rows = 0;
    for line in glossary.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| concept")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let [concept, zh, key, not] = cells[..] else { panic!("a glossary row has four cells: {line}") };
        rows += 1;
        if !key.is_empty() {
            let used = zh_of(key).unwrap_or_else(|| panic!("{concept}: no key {key} in the page's zh dictionary"));
            assert!(used.contains(zh), "{concept}: the page says {used:?} for {key}, the glossary {zh:?}");
        }
        for avoided in not.split(['，', ',']).map(str::trim).filter(|w| !w.is_empty()) {
            for (path, text) in &texts {
                assert!(!text.contains(avoided), "{concept}: {path} says {avoided:?}; the glossary's term is {zh:?}");
            }
        }
    }
    assert!(rows >= 20, "the glossary has its rows ({rows})");
}
