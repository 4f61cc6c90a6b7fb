//! Many townships in one scenario: templates, instances, districts.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;
use embedsim::experiment::run_all;
use embedsim::metrics::summary::summarize;
use embedsim::scenario::load_str;

const KINDS: [&str; 5] = ["leaders", "departments", "platforms", "categories", "villages"];

/// `text` rewritten with its township's entities in `[templates.<tpl>]` and `n` instances of it
/// (ids from `ids`), in districts `districts`.
fn as_template(text: &str, tpl: &str, ids: &[&str], districts: &[&str]) -> String {
    let mut t: toml::Table = toml::from_str(text).unwrap();
    let mut body = toml::Table::new();
    for k in KINDS {
        if let Some(v) = t.remove(k) {
            body.insert(k.into(), v);
        }
    }
    let mut templates = toml::Table::new();
    templates.insert(tpl.into(), toml::Value::Table(body));
    t.insert("templates".into(), toml::Value::Table(templates));
    let mut townships = toml::Table::new();
    for (id, d) in ids.iter().zip(districts) {
        let mut inst = toml::Table::new();
        inst.insert("template".into(), toml::Value::String(tpl.into()));
        inst.insert("district".into(), toml::Value::String(d.to_string()));
        townships.insert(id.to_string(), toml::Value::Table(inst));
    }
    t.insert("townships".into(), toml::Value::Table(townships));
    toml::to_string(&t).unwrap()
}

fn run_files(scenario: &Path, out: &Path, threads: &str) -> BTreeMap<String, Vec<u8>> {
    Command::cargo_bin("embedsim")
        .unwrap()
        .args(["run", "--quiet", "--replications", "2", "--threads", threads])
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
    std::fs::read_dir(out)
        .unwrap()
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        // The manifest and the report hold the scenario file itself, which differs in form.
        .filter(|(n, _)| n != "manifest.toml" && n != "report.html")
        .collect()
}

#[test]
fn one_township_written_as_a_template_gives_byte_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string("scenarios/s-town.toml").unwrap();
    let templated = as_template(&original, "town", &["s"], &["z"]);
    let path = dir.path().join("s-town-template.toml");
    std::fs::write(&path, templated).unwrap();
    let a = run_files(Path::new("scenarios/s-town.toml"), &dir.path().join("a"), "2");
    let b = run_files(&path, &dir.path().join("b"), "2");
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name} differs");
    }
}

const STREETS: &str = include_str!("../scenarios/classroom-steady.toml");

#[test]
fn each_township_has_its_own_offices_villages_and_platforms() {
    let text = as_template(STREETS, "street", &["东街", "west", "north"], &["东区", "west", "west"]);
    let sc = load_str(&text, "streets").unwrap();
    assert_eq!(sc.layout.townships.len(), 3);
    assert_eq!(sc.platforms.len(), 3);
    assert!(sc.platforms.iter().any(|p| p.id == "东街/voice"));
    let outs = run_all(&sc, None, &|| {}).unwrap();
    for out in &outs {
        for (p, spec) in sc.platforms.iter().enumerate() {
            let t = &out.platforms[p].tally;
            // Conservation on every township's platform.
            let open = out.platforms[p].open_end;
            assert_eq!(t.arrived, t.closed + t.offline + t.dropped + open, "{}", spec.id);
            assert!(t.arrived > 500, "{}: {}", spec.id, t.arrived);
        }
    }
    // Each township's platform routes only to its own township's offices.
    for (p, cats) in sc.layout.platform_categories.iter().enumerate() {
        assert_eq!(cats.len(), 3, "{}: its own three categories", sc.platforms[p].id);
        for &c in cats {
            for &d in &sc.categories[c].departments {
                assert_eq!(sc.layout.department[d], sc.layout.platform[p], "{}", sc.categories[c].id);
            }
        }
    }
    // The three townships are the same town on different random numbers: similar, not equal.
    let rows: Vec<_> = outs.iter().map(|o| summarize(&sc, o)).collect();
    let arrived: Vec<f64> = (0..3).map(|p| rows[0][p].get("arrived")).collect();
    assert!(arrived[0] != arrived[1] && (arrived[0] / arrived[1] - 1.0).abs() < 0.15, "{arrived:?}");
}

#[test]
fn files_gain_township_and_district_columns_and_stay_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let text = as_template(STREETS, "street", &["东街", "west"], &["东区", "west"]);
    let path = dir.path().join("streets.toml");
    std::fs::write(&path, text).unwrap();
    let one = run_files(&path, &dir.path().join("one"), "1");
    let two = run_files(&path, &dir.path().join("two"), "2");
    assert_eq!(one, two, "byte-identical for any --threads");
    let summary = String::from_utf8(one["summary.csv"].clone()).unwrap();
    let mut lines = summary.lines();
    assert!(lines.next().unwrap().ends_with(",township,district"));
    assert!(summary.contains("东街/voice,") && summary.contains(",东街,东区"), "{summary}");
    let deps = String::from_utf8(one["departments.csv"].clone()).unwrap();
    assert!(deps.lines().next().unwrap().ends_with(",township,district"));
    assert!(deps.contains("west/stability,") && deps.contains(",west,west"));
}

#[test]
fn a_template_mistake_points_at_the_template_and_the_township() {
    let text = as_template(STREETS, "street", &["a", "b"], &["x", "x"]).replace("staff = 6", "staff = -6");
    let err = load_str(&text, "streets.toml").unwrap_err().to_string();
    assert!(err.contains("templates.street.departments."), "{err}");
    assert!(err.contains("(township a)") && err.contains("(township b)"), "{err}");
}

#[test]
fn a_template_value_of_the_wrong_type_points_at_the_template_line_and_the_township() {
    let text = as_template(STREETS, "street", &["a", "b"], &["x", "x"]).replacen("staff = 6", "staff = \"six\"", 1);
    let line = text.lines().position(|l| l.contains("staff = \"six\"")).expect("the edited line") + 1;
    let err = load_str(&text, "streets.toml").unwrap_err().to_string();
    assert!(err.contains("templates.street.departments."), "{err}");
    assert!(err.contains("(township a)"), "{err}");
    assert!(err.contains(&format!("line {line}")), "{err}");
}

/// Too many townships in all is refused before any is built: sixteen tables of 20,000 copies
/// each (320,000 townships) once ran the machine out of memory before this limit was read.
#[test]
fn too_many_copies_in_all_are_refused_before_any_is_built() {
    let city = include_str!("../scenarios/beijing-12345.toml");
    let mut table = embedsim::scenario::parse_table(city, "city").unwrap();
    let towns = table["townships"].as_table_mut().unwrap();
    let n = towns.len();
    for (_, t) in towns.iter_mut() {
        t.as_table_mut().unwrap().insert("copies".into(), toml::Value::Integer(20_000));
    }
    let start = std::time::Instant::now();
    let e = embedsim::scenario::load_table(table, "city", None).unwrap_err().to_string();
    assert!(
        e.contains(&format!("expected at most 20000 townships in all (copies counted), found {}", n * 20_000)),
        "{e}"
    );
    assert!(start.elapsed().as_secs_f64() < 1.0, "refused at once, not after building them");
}
