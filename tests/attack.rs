//! The classroom server under attack (issue 31): hostile requests to a live `embedsim serve`,
//! itself limited to 4 GiB of address space, each get a clean refusal within seconds, and the
//! server answers afterwards. Each request once killed it (a stack overflow, an allocation
//! abort) or held it for minutes.

#[path = "common/http.rs"]
mod http_client;
#[path = "common/limited.rs"]
mod limited;
#[path = "common/serving.rs"]
mod serving;

use serving::Serving;

/// `embedsim serve` limited to 4 GiB of address space, and its address.
fn serve_limited() -> (Serving, SocketAddr) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_embedsim"));
    cmd.args(["serve", "--port", "0", "--no-open"]);
    limited::limit(&mut cmd, limited::FOUR_GIB);
    let (serving, url) = serving::serve(cmd);
    (serving, url.trim_start_matches("http://").trim_end_matches('/').parse().unwrap())
}

/// Beijing's 16 districts, each a `[townships]` table of `beijing-12345`.
const DISTRICTS: [&str; 16] = [
    "dongcheng",
    "xicheng",
    "chaoyang",
    "haidian",
    "fengtai",
    "shijingshan",
    "mentougou",
    "fangshan",
    "tongzhou",
    "shunyi",
    "changping",
    "daxing",
    "huairou",
    "pinggu",
    "miyun",
    "yanqing",
];

use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use http_client::http;

fn post(addr: SocketAddr, path: &str, body: &str) -> (u16, String) {
    http(addr, "POST", path, &[("Content-Type", "application/json")], body)
}

/// The server is alive and answers.
fn still_answers(serving: &mut Serving, addr: SocketAddr, after: &str) {
    assert!(serving.0.try_wait().unwrap().is_none(), "the server died after {after}");
    assert_eq!(http(addr, "GET", "/api/scenarios", &[], "").0, 200, "the server answers after {after}");
}

#[test]
fn hostile_requests_are_refused_and_the_server_lives() {
    let (mut serving, addr) = serve_limited();
    let city_year_of_two_centuries =
        r#"{"scenario":"beijing-12345","replications":4,"set":["simulation.duration_days=73000"]}"#;
    let deep = format!(r#"{{"scenario":"s-town","set":["{}=1"]}}"#, vec!["a"; 5000].join("."));
    let copies: Vec<String> = DISTRICTS.iter().map(|t| format!("\"townships.{t}.copies=20000\"")).collect();
    let copies = format!(r#"{{"scenario":"beijing-12345","set":[{}]}}"#, copies.join(","));
    let route = vec!["\\\"dongcheng_bureau\\\""; 10_000].join(",");
    let route = format!(r#"{{"scenario":"beijing-street","set":["platforms.hotline.route=[{route}]"]}}"#);
    let huge = format!(r#"{{"scenario":"s-town","set":["{}"]}}"#, "x".repeat(300_000));
    let cases: [(&str, &str, &str, &str); 5] = [
        ("a key path of 5,000 parts", "/api/run", &deep, "parts"),
        ("20,000 copies of each of 16 townships", "/api/run", &copies, "at most 20000 townships"),
        ("a route listing one department 10,000 times", "/api/run", &route, "listed 10000 times"),
        ("the city for 200 years, 4 times", "/api/run", city_year_of_two_centuries, "GB of memory"),
        ("a body over the size limit", "/api/run", &huge, "larger than"),
    ];
    for (what, path, body, why) in cases {
        let start = Instant::now();
        let (got, text) = post(addr, path, body);
        assert_eq!(got, 400, "{what}: {}", &text[..text.len().min(400)]);
        assert!(text.contains(why), "{what}: {}", &text[..text.len().min(600)]);
        assert!(start.elapsed() < Duration::from_secs(20), "{what}: {:?}", start.elapsed());
        still_answers(&mut serving, addr, what);
    }
    // Four stories of an order at that length at once.
    let trace = format!(r#"{{"run":{city_year_of_two_centuries},"replication":0,"platform":"hotline","day":1}}"#);
    let answers: Vec<(u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| post(addr, "/api/trace", &trace))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (status, text) in answers {
        assert_eq!(status, 400, "{text}");
        assert!(text.contains("GB of memory"), "{text}");
    }
    still_answers(&mut serving, addr, "four long stories at once");
}

/// The same attacks on the command line, each under 4 GiB of address space and a time limit:
/// a clean refusal (exit 1 with the reason), never an abort.
#[test]
fn hostile_input_on_the_command_line_is_refused_cleanly() {
    let d = tempfile::tempdir().unwrap();
    let route = vec!["\"office\""; 10_000].join(", ");
    std::fs::write(
        d.path().join("route.toml"),
        format!(
            "[simulation]\nduration_days = 10\n[departments.office]\nstaff = 2\n[platforms.p]\ndispatch = \"auto\"\n\
             arrival_rate_per_day = 1\nroute = [{route}]\neffort_hours = {{ dist = \"exponential\", mean = 1 }}\n"
        ),
    )
    .unwrap();
    let deep = format!("{}=1", vec!["a"; 30_000].join("."));
    let mut copies = vec!["check".to_string(), "beijing-12345".to_string()];
    for t in DISTRICTS {
        copies.push("--set".into());
        copies.push(format!("townships.{t}.copies=20000"));
    }
    let out = d.path().join("out").display().to_string();
    let cases: Vec<(&str, Vec<String>, &str)> = vec![
        ("a 30,000-part key path", vec!["check".into(), "s-town".into(), "--set".into(), deep], "parts"),
        ("20,000 copies of each of 16 townships", copies, "at most 20000 townships"),
        (
            "a route listing one department 10,000 times",
            vec!["check".into(), "route.toml".into()],
            "listed 10000 times",
        ),
        (
            "the city for 200 years, 4 times",
            ["run", "beijing-12345", "--replications", "4", "--set", "simulation.duration_days=73000", "--out", &out]
                .map(String::from)
                .to_vec(),
            "--large",
        ),
    ];
    for (what, args, why) in cases {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_embedsim"));
        cmd.current_dir(d.path()).args(&args);
        let run = limited::run_limited(cmd, limited::FOUR_GIB, Duration::from_secs(60));
        assert!(!run.timed_out, "{what}: still running after a minute");
        assert_eq!(
            run.code,
            Some(1),
            "{what}: a clean refusal, not an abort: {}",
            &run.stderr[..run.stderr.len().min(500)]
        );
        assert!(run.stderr.contains(why), "{what}: {}", &run.stderr[..run.stderr.len().min(500)]);
    }
}
