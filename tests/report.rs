//! `report.html`: written by every run, self-contained (nothing fetched), bilingual, with a font
//! that covers every Chinese character the program shows; opened in headless Chromium when
//! there is one (tests/common/browser.rs).

#[path = "common/browser.rs"]
mod browser;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The keys of one language's table in assets/page/i18n.js.
fn keys(lang: &str) -> BTreeSet<String> {
    let js = fs::read_to_string(root().join("assets/page/i18n.js")).unwrap();
    let start = js.find(&format!("\n  {lang}: {{")).unwrap_or_else(|| panic!("no {lang} table"));
    let body = &js[start..];
    let end = body.find("\n  },").unwrap();
    body[..end]
        .lines()
        .skip(2)
        .filter_map(|l| l.trim().split_once(':').map(|(k, _)| k.trim().to_string()))
        .filter(|k| !k.starts_with("//") && !k.is_empty())
        .collect()
}

#[test]
fn both_languages_have_every_label() {
    let (en, zh) = (keys("en"), keys("zh"));
    assert!(en.len() > 60, "{en:?}");
    assert_eq!(en.symmetric_difference(&zh).collect::<Vec<_>>(), Vec::<&String>::new());
    // Every key the drawing code asks for by name is in the dictionary.
    for file in ["assets/page/charts.js", "assets/page/report.html", "assets/page/app.js", "assets/page/app.html"] {
        let Ok(src) = fs::read_to_string(root().join(file)) else { continue };
        for pat in ["t(\"", "data-i18n=\""] {
            for (i, _) in src.match_indices(pat) {
                if src[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.') {
                    continue; // format("woff"), x.t("..."): not the dictionary
                }
                let key: String = src[i + pat.len()..].chars().take_while(|c| *c != '"').collect();
                assert!(en.contains(&key), "{file}: label `{key}` is not in assets/page/i18n.js");
            }
        }
    }
}

#[test]
fn the_font_covers_every_character_shown() {
    let glyphs: BTreeSet<char> = fs::read_to_string(root().join("assets/fonts/glyphs.txt")).unwrap().chars().collect();
    let mut files: Vec<_> = ["assets/page", "src/output", "src/serve", "src/experiment"]
        .iter()
        .flat_map(|d| fs::read_dir(root().join(d)).into_iter().flatten().map(|e| e.unwrap().path()))
        .collect();
    files.push(root().join("src/metrics/regime.rs"));
    // report.html's caveats come from the findings table.
    files.push(root().join("docs/findings.toml"));
    for e in fs::read_dir(root().join("scenarios")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            files.push(p);
        }
    }
    for f in files {
        let text = fs::read_to_string(&f).unwrap();
        let missing: BTreeSet<char> =
            text.chars().filter(|c| (*c as u32) > 0x7f && !c.is_whitespace() && !glyphs.contains(c)).collect();
        assert!(
            missing.is_empty(),
            "{}: {missing:?} not in the font subset: run python3 assets/fonts/make-subset.py",
            f.display()
        );
    }
    assert!(root().join("assets/fonts/OFL.txt").is_file(), "the font's licence travels with it");
}

fn run_report(dir: &Path) -> String {
    cargo_bin_cmd!("embedsim")
        .args(["run", "scenarios/classroom-overload.toml", "--quiet", "--replications", "2", "--out"])
        .arg(dir)
        .current_dir(root())
        .assert()
        .success();
    fs::read_to_string(dir.join("report.html")).unwrap()
}

#[test]
fn every_run_writes_a_self_contained_report() {
    let d = tempfile::tempdir().unwrap();
    let html = run_report(d.path());
    for outside in ["src=\"http", "href=\"http", "url(http", "@import", "src=\"//", "<link"] {
        assert!(!html.contains(outside), "report.html fetches something: {outside}");
    }
    assert!(html.contains("data:font/woff;base64,d09GR"), "the font is inline (a WOFF file starts wOFF)");
    assert!(html.contains("\"seed\":42"), "the seed is in the data");
    assert!(html.contains("\"name\":\"classroom-overload\""));
    assert!(html.contains("\"overloaded\""), "regime names are in the data");
    assert!(html.contains("mean ± 95% confidence") || html.contains("of its decided orders"), "sentences are in");
    assert!(html.contains("已决工单中"), "and in Chinese");
    assert!(html.contains("[simulation]"), "the scenario text is in");
    assert!(html.len() < 3_000_000, "small enough to mail: {} bytes", html.len());
}

#[test]
fn the_report_draws_in_a_browser_in_both_languages() {
    let Some(chromium) = browser::chromium("the_report_draws_in_a_browser_in_both_languages") else { return };
    let d = tempfile::tempdir().unwrap();
    run_report(d.path());
    let url = format!("file://{}", d.path().join("report.html").display());
    let dom = browser::dump_dom(&chromium, &url, 5000);
    let attr = |dom: &str, k: &str| browser::state_attr(dom, k).unwrap_or_else(|| panic!("no {k} in the page state"));
    assert_eq!(attr(&dom, "data-ready"), "1", "the page's script ran");
    assert!(attr(&dom, "data-regimes").contains("overloaded"), "the regime band reaches overloaded");
    assert!(attr(&dom, "data-charts").parse::<u32>().unwrap() >= 5, "charts drawn");
    assert_eq!(attr(&dom, "data-empty-charts"), "0", "every chart holds data");
    assert_eq!(attr(&dom, "data-title"), "embedsim report");
    let zh = browser::dump_dom(&chromium, &format!("{url}?lang=zh"), 5000);
    assert_eq!(attr(&zh, "data-lang"), "zh");
    assert_eq!(attr(&zh, "data-title"), "embedsim 运行报告", "labels read in 中文");
    assert!(zh.contains("超载"), "regime names in 中文");
    browser::screenshot(&chromium, &format!("{url}?lang=zh"), "report-zh.png", 5000);
    browser::screenshot(&chromium, &url, "report-en.png", 5000);
}

#[test]
fn compare_report_shows_both_sides_and_the_differences() {
    let d = tempfile::tempdir().unwrap();
    let out = cargo_bin_cmd!("embedsim")
        .args(["compare", "scenarios/classroom-steady.toml", "scenarios/classroom-overload.toml"])
        .args(["--replications", "4", "--report", "--out"])
        .arg(d.path())
        .current_dir(root())
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("regime under A: 嵌入 embedded"), "{stdout}");
    assert!(stdout.contains("under B: 超载 overloaded"), "{stdout}");
    let html = fs::read_to_string(d.path().join("report.html")).unwrap();
    assert_eq!(html.matches("\"regime_names\"").count(), 2, "two runs in the report");
    assert!(html.contains("民声平台：在 B 下，"), "differences in 中文, the platform by its 中文 name");
    assert!(html.contains("voice closes "), "differences in English");
}

/// A sweep of the classroom scenario over demand (numeric) and the platform's label (categorical),
/// with its report; returns the report's path.
fn sweep_report(dir: &Path) -> std::path::PathBuf {
    let base = root().join("scenarios/classroom-overload.toml");
    let sweep = format!(
        "name = \"demand-by-label\"\nbase = \"{}\"\nseed = 5\nreplications = 2\n\
         [[parameters]]\npath = \"platforms.voice.arrival_rate_per_day\"\nvalues = [1, 2, 6]\n\
         [[parameters]]\npath = \"platforms.voice.label\"\nvalues = [\"routine\", \"petition\"]\n",
        base.display()
    );
    fs::write(dir.join("sweep.toml"), sweep).unwrap();
    cargo_bin_cmd!("embedsim")
        .args(["sweep", "sweep.toml", "--quiet", "--report", "--out", "out"])
        .current_dir(dir)
        .assert()
        .success();
    dir.join("out/report.html")
}

#[test]
fn sweep_report_maps_the_regimes_on_a_categorical_axis_in_both_languages() {
    let d = tempfile::tempdir().unwrap();
    let path = sweep_report(d.path());
    let html = fs::read_to_string(&path).unwrap();
    for outside in ["src=\"http", "href=\"http", "url(http", "@import", "src=\"//", "<link"] {
        assert!(!html.contains(outside), "report.html fetches something: {outside}");
    }
    assert!(html.contains("\"seed\":\"5\"") && html.contains("\"version\":\""), "seed and version in the data");
    assert!(html.contains("\"categorical\":true") && html.contains("\"categorical\":false"));
    assert!(html.contains("of 6 points, the modal regime is"), "sentences in English");
    assert!(html.contains("6 个参数点中，众数状态为"), "and in Chinese");
    // The map as files too: the categorical axis names its values, in the sweep file's order.
    let svg = fs::read_to_string(d.path().join("out/regime-map-voice.svg")).unwrap();
    assert!(svg.contains("(categories)") && svg.contains("routine") && svg.contains("petition"), "{svg}");
    assert!(d.path().join("out/regime-map-voice.png").is_file());
    let Some(chromium) = browser::chromium("sweep_report_maps_the_regimes_on_a_categorical_axis_in_both_languages")
    else {
        return;
    };
    let url = format!("file://{}", path.display());
    let attr = |dom: &str, k: &str| browser::state_attr(dom, k).unwrap_or_else(|| panic!("no {k} in the page state"));
    let dom = browser::dump_dom(&chromium, &url, 5000);
    assert_eq!(attr(&dom, "data-ready"), "1", "the page's script ran");
    assert_eq!(attr(&dom, "data-maps"), "1", "one map: the scenario has one platform");
    assert_eq!(attr(&dom, "data-categorical-axes"), "1", "the label axis is drawn as categories");
    assert_eq!(attr(&dom, "data-categories"), "routine petition", "named, in the sweep file's order");
    assert!(!attr(&dom, "data-map-regimes").is_empty());
    assert!(attr(&dom, "data-sentences").contains("voice: of 6 points"), "{}", attr(&dom, "data-sentences"));
    let zh = browser::dump_dom(&chromium, &format!("{url}?lang=zh"), 5000);
    assert_eq!(attr(&dom, "data-title"), "embedsim sweep report");
    assert_eq!(attr(&zh, "data-title"), "embedsim 参数扫描报告", "labels read in 中文");
    assert!(attr(&zh, "data-sentences").contains("民声平台：6 个参数点中"), "sentences in 中文, the platform by name");
    assert!(zh.contains("各平台在每个参数点的众数状态"));
    browser::screenshot(&chromium, &format!("{url}?lang=zh"), "sweep-report-zh.png", 5000);
    browser::screenshot(&chromium, &url, "sweep-report-en.png", 5000);
}

#[test]
fn timeseries_values_are_numbers_and_hold_the_promised_series() {
    let d = tempfile::tempdir().unwrap();
    cargo_bin_cmd!("embedsim")
        .args(["run", "scenarios/classroom-overload.toml", "--quiet", "--replications", "1", "--out"])
        .arg(d.path())
        .current_dir(root())
        .assert()
        .success();
    let mut rd = csv::Reader::from_path(d.path().join("timeseries.csv")).unwrap();
    let mut metrics = BTreeSet::new();
    let mut regimes = BTreeSet::new();
    for r in rd.records() {
        let r = r.unwrap();
        if !r[5].is_empty() {
            let v: f64 = r[5].parse().unwrap_or_else(|_| panic!("not a number: {:?}", r));
            if &r[4] == "regime" {
                regimes.insert(v as u8);
            }
        }
        metrics.insert(format!("{}/{}", &r[2], &r[4]));
    }
    for m in [
        "leader/deputy_inbox",
        "platform/hours_overtime",
        "platform/hours_redo",
        "platform/hours_persuasion",
        "platform/regime",
    ] {
        assert!(metrics.contains(m), "{m} missing: {metrics:?}");
    }
    assert!(regimes.iter().all(|c| *c <= 6) && !regimes.is_empty(), "{regimes:?}");
}

/// The terminal's summary of a big world shows what its report draws, and says so.
#[test]
fn the_terminal_summary_of_many_platforms_shows_the_busiest() {
    let d = tempfile::tempdir().unwrap();
    many_platforms(d.path(), 14);
    let out = cargo_bin_cmd!("embedsim")
        .args(["run", "--out"])
        .arg(d.path().join("again"))
        .arg(d.path().join("many.toml"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with('p') && l.contains(" ± ")).collect();
    assert_eq!(rows.len(), 12, "{text}");
    assert!(rows.iter().all(|r| !r.starts_with("p01 ") && !r.starts_with("p02 ")), "{text}");
    assert!(text.contains("(the 12 of 14 platforms that took in the most orders;"), "{text}");
    assert!(text.contains(", and 2 more)"), "the warm-up advice names twelve: {text}");
}

/// A world of `n` platforms, platform `p{i}` taking in `i` orders a day (i = 1..=n).
fn many_platforms(dir: &Path, n: usize) -> String {
    let mut toml = String::from(
        "name = \"many\"\n[simulation]\nduration_days = 60\nwarmup_days = 10\nseed = 3\nreplications = 2\n\
         [calendar]\nhours_per_day = 24\ndays_per_week = 7\n[departments.desk]\nstaff = 40\n",
    );
    for i in 1..=n {
        toml += &format!(
            "[platforms.p{i:02}]\ndispatch = \"auto\"\narrival_rate_per_day = {i}.0\nroute = [\"desk\"]\n\
             effort_hours = {{ dist = \"exponential\", mean = 1.0 }}\n"
        );
    }
    let file = dir.join("many.toml");
    fs::write(&file, toml).unwrap();
    let out = dir.join("out");
    cargo_bin_cmd!("embedsim").args(["run", "--quiet", "--out"]).arg(&out).arg(&file).assert().success();
    fs::read_to_string(out.join("report.html")).unwrap()
}

/// Two runs side by side draw the same platforms: the busiest over both runs together. Here the
/// quietest platform of A is the busiest of B; each run alone would leave out different ones.
#[test]
fn a_comparison_of_many_platforms_draws_the_same_platforms_on_both_sides() {
    let d = tempfile::tempdir().unwrap();
    many_platforms(d.path(), 14);
    let out = d.path().join("cmp");
    cargo_bin_cmd!("embedsim")
        .args(["compare", "--quiet", "--report", "--set-b", "platforms.p01.arrival_rate_per_day=40.0", "--out"])
        .arg(&out)
        .arg(d.path().join("many.toml"))
        .assert()
        .success();
    let data = report_data(&fs::read_to_string(out.join("report.html")).unwrap());
    let strips = |run: &serde_json::Value| -> Vec<String> {
        run["regimes"].as_array().unwrap().iter().map(|s| s["platform"].as_str().unwrap().to_string()).collect()
    };
    let both: Vec<String> = std::iter::once("p01".to_string()).chain((4..=14).map(|i| format!("p{i:02}"))).collect();
    assert_eq!(strips(&data["runs"][0]), both, "A: p01 is drawn for B's sake, p02 and p03 are left out");
    assert_eq!(strips(&data["runs"][1]), both, "B: the same platforms");
}

/// The report's data (the JSON the page draws from).
fn report_data(html: &str) -> serde_json::Value {
    let start = html.find("<script type=\"application/json\" id=\"data\">").unwrap();
    let body = &html[start..];
    let body = &body[body.find('>').unwrap() + 1..body.find("</script>").unwrap()];
    serde_json::from_str(body).unwrap()
}

/// Past twelve platforms the report draws the twelve that took in the most orders (every figure
/// stays in summary.csv): measured, so the two quietest of fourteen are the ones left out.
#[test]
fn a_report_of_many_platforms_draws_the_busiest() {
    let d = tempfile::tempdir().unwrap();
    let run = &report_data(&many_platforms(d.path(), 14))["runs"][0];
    let strips: Vec<&str> =
        run["regimes"].as_array().unwrap().iter().map(|s| s["platform"].as_str().unwrap()).collect();
    let busiest: Vec<String> = (3..=14).map(|i| format!("p{i:02}")).collect();
    assert_eq!(strips, busiest, "the twelve busiest, in scenario order");
    assert_eq!(run["platforms_total"], 14);
    assert_eq!(run["sentences"].as_array().unwrap().len(), 12);
    let usage = run["charts"].as_array().unwrap().iter().find(|c| c["key"] == "usage").unwrap();
    let lines: Vec<&str> = usage["series"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(lines, busiest);
    let summary = fs::read_to_string(d.path().join("out/summary.csv")).unwrap();
    assert!(summary.contains(",p01,") && summary.contains(",p14,"), "summary.csv keeps every platform");
    // Twelve or fewer: every platform, and no note.
    let d = tempfile::tempdir().unwrap();
    let run = &report_data(&many_platforms(d.path(), 12))["runs"][0];
    assert_eq!(run["regimes"].as_array().unwrap().len(), 12);
    assert!(run.get("platforms_total").is_none());
}
