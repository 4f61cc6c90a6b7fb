//! Regression tests for issue 9's reproducers: every number has a checked range (no panic, no
//! silent truncation), queued work is bounded, ids are checked.

use std::time::{Duration, Instant};

use embedsim::model::{SimError, run_replication};
use embedsim::scenario::{ScenarioError, load_str};

const BASE: &str = "name = \"t\"\n[simulation]\nduration_days = 30\n\
    [departments.desk]\nstaff = 2\n\
    [platforms.p]\ndispatch = \"auto\"\narrival_rate_per_day = 2\nroute = [\"desk\"]\n\
    effort_hours = { dist = \"exponential\", mean = 1.0 }\n";

/// Loads BASE with `from` replaced by `to`; the error text, or "" when it loads.
fn problems(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from}");
    match load_str(&BASE.replacen(from, to, 1), "t.toml") {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

fn assert_rejected(from: &str, to: &str, key: &str, range: &str) {
    let e = problems(from, to);
    assert!(e.contains(key), "{to}: names {key}:\n{e}");
    assert!(e.contains(range), "{to}: states the range {range}:\n{e}");
}

#[test]
fn base_loads() {
    assert_eq!(problems("staff = 2", "staff = 2"), "");
}

#[test]
fn huge_lognormal_cv_is_an_error_not_a_panic() {
    assert_rejected(
        "{ dist = \"exponential\", mean = 1.0 }",
        "{ dist = \"lognormal\", mean = 1.0, cv = 1e155 }",
        "platforms.p.effort_hours.cv",
        "1e9",
    );
    assert_rejected(
        "{ dist = \"exponential\", mean = 1.0 }",
        "{ dist = \"lognormal\", mean = 1.0, cv = 500 }",
        "platforms.p.effort_hours.cv",
        "to 100",
    );
}

#[test]
fn denormal_hours_are_errors() {
    assert_rejected(
        "name = \"t\"\n",
        "name = \"t\"\n[calendar]\nhours_per_day = 1e-320\n",
        "calendar.hours_per_day",
        "1e-9",
    );
    assert_rejected(
        "name = \"t\"\n",
        "name = \"t\"\n[calendar]\nhours_per_day = 0.001\n",
        "calendar.hours_per_day",
        "1/60",
    );
    let leader = "[leaders.s]\nattention_hours_per_day = 5e-324\n[platforms.p]";
    assert_rejected("[platforms.p]", leader, "leaders.s.attention_hours_per_day", "1e-9");
    let leader = "[leaders.s]\nattention_hours_per_day = 0.01\n[platforms.p]";
    assert_rejected("[platforms.p]", leader, "leaders.s.attention_hours_per_day", "1/60");
}

#[test]
fn integers_never_truncate() {
    let big = "4294967296";
    assert_rejected("staff = 2", &format!("staff = {big}"), "departments.desk.staff", "from 1 to 100000");
    let village = |pop: &str, gw: &str| {
        format!(
            "[villages.v]\npopulation = {pop}\nissues_per_1000_per_day = 0.1\ngrid_workers = {gw}\n\
             [categories.c]\nshare = 1\ndepartments = [\"desk\"]\neffort_hours = {{ dist = \"fixed\", value = 1 }}\n\
             [platforms.p]"
        )
    };
    assert_rejected("[platforms.p]", &village(big, "1"), "villages.v.population", "from 0 to 100000000");
    assert_rejected("[platforms.p]", &village("10", big), "villages.v.grid_workers", "from 0 to 1000000");
    let desk =
        format!("route = [\"desk\"]\ndesk = {{ staff = {big}, dispatch_hours = {{ dist = \"fixed\", value = 0.1 }} }}");
    assert_rejected("route = [\"desk\"]", &desk, "platforms.p.desk.staff", "from 1 to 100000");
    let op = format!(
        "dispatch = \"operator\"\noperator = {{ hours_per_day = 4, review_hours = {{ dist = \"fixed\", value = 0.1 }}, \
         accept_prob = 0.5, max_attempts = {big} }}"
    );
    assert_rejected("dispatch = \"auto\"", &op, "platforms.p.operator.max_attempts", "from 1 to 1000000000");
    assert_rejected(
        "duration_days = 30",
        "duration_days = 30\nmax_open_orders = 9223372036854775807",
        "simulation.max_open_orders",
        "to 100000000",
    );
    assert_rejected(
        "duration_days = 30",
        "duration_days = 30\nreplications = 4294967297",
        "simulation.replications",
        "to 1000000",
    );
}

#[test]
fn population_total_does_not_wrap() {
    let mut text = BASE.replace("[platforms.p]", "[categories.c]\nshare = 1\ndepartments = [\"desk\"]\neffort_hours = { dist = \"fixed\", value = 1 }\n[platforms.p]");
    for i in 0..50 {
        text.push_str(&format!("[villages.v{i}]\npopulation = 100000000\nissues_per_1000_per_day = 0\n"));
    }
    let sc = load_str(&text, "t.toml").unwrap();
    assert!(sc.describe().contains("5000000000 people"), "{}", sc.describe());
}

#[test]
fn duplicate_departments_in_a_route_are_rejected() {
    let route = format!("route = [{}]", vec!["\"desk\""; 1000].join(", "));
    assert_rejected("route = [\"desk\"]", &route, "platforms.p.route", "listed 1000 times");
}

#[test]
fn ids_with_control_characters_are_rejected_and_never_printed_raw() {
    let e = problems("[departments.desk]", "[departments.\"a\\u001b[31mb\"]\nstaff = 1\n[departments.desk]");
    assert!(e.contains("departments.a\\u{1b}[31mb"), "escaped in the key path:\n{e}");
    assert!(e.contains("control or invisible characters"), "{e}");
    assert!(!e.contains('\u{1b}'), "no raw escape code in the message");
    let e = problems("route = [\"desk\"]", "route = [\"x\\u001b[2J\"]");
    assert!(!e.contains('\u{1b}'), "no raw escape code in the message: {e:?}");
}

#[test]
fn line_tasks_beyond_capacity_stop_at_the_queued_work_limit() {
    let text = BASE.replace("duration_days = 30", "duration_days = 3650").replace(
        "staff = 2",
        "staff = 1\nline_tasks = { rate_per_day = 10000, effort_hours = { dist = \"fixed\", value = 1 } }",
    );
    let sc = load_str(&text, "t.toml").unwrap();
    assert_eq!(sc.simulation.max_queued_jobs, 1_000_000, "the default");
    let start = Instant::now();
    match run_replication(&sc, 0) {
        Err(SimError::QueuedWork { queued, limit, day, .. }) => {
            assert_eq!(limit, 1_000_000);
            assert!(queued > limit && queued < limit + limit / 4, "overshoot under a quarter: {queued}");
            assert!((90..=110).contains(&day), "about 100 days of 10,000 tasks: day {day}");
        }
        other => panic!("expected QueuedWork, got {:?}", other.map(|o| o.events)),
    }
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
    let small =
        load_str(&text.replace("duration_days = 3650", "duration_days = 3650\nmax_queued_jobs = 5000"), "t").unwrap();
    assert!(matches!(run_replication(&small, 0), Err(SimError::QueuedWork { limit: 5000, day: 0, .. })));
}

#[test]
fn errors_are_values() {
    // The library returns typed errors: a problem list with key paths.
    let e = load_str(&BASE.replace("staff = 2", "staff = -3"), "t.toml").unwrap_err();
    let ScenarioError::Invalid { problems, .. } = &e else { panic!("{e}") };
    assert_eq!(problems[0].key.as_deref(), Some("departments.desk.staff"));
    assert_eq!(problems[0].line, Some(5));
}

/// Problems are reported in time and space linear in the input (issue 31, item 2): a route
/// listing one department 10,000 times is one problem with a count; 10,000 bad departments list
/// the first few and count the rest; a 140 KB --set value is not repeated in each problem.
#[test]
fn many_problems_are_reported_once_each_and_counted() {
    let route = vec!["\"desk\""; 10_000].join(", ");
    let start = Instant::now();
    let e = problems("route = [\"desk\"]", &format!("route = [{route}]"));
    assert!(e.contains("listed 10000 times"), "{e}");
    assert!(e.len() < 1_000, "{} bytes", e.len());
    let mut many = BASE.to_string();
    for i in 0..10_000 {
        many.push_str(&format!("[departments.d{i}]\nstaff = 0\n"));
    }
    let e = load_str(&many, "many.toml").unwrap_err().to_string();
    assert!(e.contains("and 9950 more problems not listed"), "{}", &e[e.len().saturating_sub(300)..]);
    assert!(e.lines().count() < 60, "{} lines", e.lines().count());
    let value = format!("[{route}]");
    let o = embedsim::scenario::overrides::parse_set(&format!("platforms.p.route={value}")).unwrap();
    let e = embedsim::scenario::overrides::load_variant_str(BASE, "t.toml", &[o]).unwrap_err().to_string();
    assert!(e.len() < 2_000, "the value is shortened in the message: {} bytes", e.len());
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
}
