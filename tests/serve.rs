//! `embedsim serve`: the API answers runs, bad values and unknown keys as the command line does,
//! runs concurrently, gives the same numbers as `embedsim run` with the same seed, and refuses
//! requests from other sites; the page works in headless Chromium when there is one.

#[path = "common/browser.rs"]
mod browser;
#[path = "common/http.rs"]
mod http_client;
#[path = "common/serving.rs"]
mod serving;

use serving::serve_page;

use http_client::http;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use assert_cmd::cargo::cargo_bin_cmd;
use embedsim::serve;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn server() -> serve::Running {
    server_with(serve::api::MAX_JOB_TIME)
}

/// A server whose runs may take at most `job_time`.
fn server_with(job_time: Duration) -> serve::Running {
    let config = serve::Config {
        bind: [127, 0, 0, 1].into(),
        port: 0,
        allow_remote: false,
        hosts: Vec::new(),
        scenarios: Vec::new(),
        job_time,
    };
    serve::start(config).expect("the server starts on a free port")
}

fn post(addr: SocketAddr, path: &str, body: &str) -> (u16, serde_json::Value) {
    let (status, text) = http(addr, "POST", path, &[("Content-Type", "application/json")], body);
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
}

/// Starts a run and waits for its end; returns the final state.
fn run(addr: SocketAddr, request: &str) -> serde_json::Value {
    let (status, v) = post(addr, "/api/run", request);
    assert_eq!(status, 200, "{v}");
    let job = v["job"].as_u64().unwrap();
    loop {
        let (status, text) = http(addr, "GET", &format!("/api/job/{job}"), &[], "");
        assert_eq!(status, 200, "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        match v["state"].as_str() {
            Some("running") => std::thread::sleep(Duration::from_millis(20)),
            _ => return v,
        }
    }
}

/// What `embedsim run` prints for the scenario and arguments.
fn cli_run(args: &[&str]) -> String {
    let d = tempfile::tempdir().unwrap();
    let out = cargo_bin_cmd!("embedsim")
        .arg("run")
        .args(args)
        .arg("--out")
        .arg(d.path())
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// What `embedsim run` says on stderr when it refuses, without the leading `error: `.
fn cli_error(args: &[&str]) -> String {
    let out = cargo_bin_cmd!("embedsim")
        .arg("run")
        .args(args)
        .args(["--out", "/nonexistent/never"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(!out.status.success());
    String::from_utf8(out.stderr).unwrap().trim_end().strip_prefix("error: ").unwrap().to_string()
}

#[test]
fn a_run_gives_the_numbers_embedsim_run_gives_with_the_same_seed() {
    let s = server();
    let v = run(
        s.addr,
        r#"{"scenario":"classroom-overload","seed":11,"replications":2,"set":["platforms.voice.arrival_rate_per_day=2.5"]}"#,
    );
    assert_eq!(v["state"], "done", "{v}");
    let table = v["result"]["table"].as_str().unwrap();
    let cli = cli_run(&[
        "scenarios/classroom-overload.toml",
        "--seed",
        "11",
        "--replications",
        "2",
        "--set",
        "platforms.voice.arrival_rate_per_day=2.5",
    ]);
    assert!(cli.starts_with(table), "the page's table:\n{table}\nembedsim run:\n{cli}");
    assert!(table.contains("seed 11") && table.contains("2 replications"), "{table}");
    // The settings shown on the page are the command that gives the same table.
    let command = v["result"]["settings"]["command"].as_str().unwrap();
    assert_eq!(
        command,
        "embedsim run scenarios/classroom-overload.toml --seed 11 --replications 2 --set platforms.voice.arrival_rate_per_day=2.5"
    );
    let toml = v["result"]["settings"]["toml"].as_str().unwrap();
    assert!(toml.contains("[platforms.voice]\narrival_rate_per_day = 2.5\n"), "{toml}");
    let a = &v["result"]["a"];
    assert_eq!(a["seed"], 11);
    assert_eq!(a["replications"], 2);
    assert!(a["charts"].as_array().unwrap().len() >= 5);
    assert!(v["result"]["b"].is_null(), "no control asked for");
    s.stop();
}

#[test]
fn the_charts_grow_as_the_days_pass_and_end_as_the_finished_run() {
    use serde_json::Value;
    let s = server();
    let (status, v) = post(
        s.addr,
        "/api/run",
        r#"{"scenario":"classroom-overload","seed":9,"replications":16,"control":true,"set":["simulation.duration_days=1095"]}"#,
    );
    // (The control is the scenario unchanged: a year.)
    assert_eq!(status, 200, "{v}");
    let job = v["job"].as_u64().unwrap();
    // Per side: every chart's every series, and the regime codes, appended poll by poll.
    let mut charts: [Vec<Value>; 2] = [Vec::new(), Vec::new()];
    let mut codes: [Vec<Value>; 2] = [Vec::new(), Vec::new()];
    let mut shown: [Value; 2] = [Value::Null, Value::Null];
    let mut have = [0usize; 2];
    let mut while_running = Vec::new();
    let result = loop {
        let (status, text) = http(s.addr, "GET", &format!("/api/job/{job}?from={},{}", have[0], have[1]), &[], "");
        assert_eq!(status, 200, "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        let live = v["live"].as_array().unwrap();
        assert_eq!(live.len(), 2, "the variant and the control");
        for (side, part) in live.iter().enumerate() {
            let (from, to, ready) =
                (part["from"].as_u64().unwrap(), part["to"].as_u64().unwrap(), part["ready"].as_u64().unwrap());
            assert_eq!(from as usize, have[side], "the days since the last poll");
            assert!(to >= from && to <= ready && to - from <= serve::api::MAX_LIVE_DAYS as u64, "{from} {to} {ready}");
            let n = (to - from) as usize;
            let fresh = part["charts"].as_array().unwrap();
            if charts[side].is_empty() {
                charts[side] = fresh.clone();
                codes[side] = part["regimes"].as_array().unwrap().clone();
            } else {
                for (c, chart) in fresh.iter().enumerate() {
                    for (k, series) in chart["series"].as_array().unwrap().iter().enumerate() {
                        for key in ["mean", "lo", "hi"] {
                            let days = series[key].as_array().unwrap();
                            assert_eq!(days.len(), n);
                            charts[side][c]["series"][k][key].as_array_mut().unwrap().extend(days.iter().cloned());
                        }
                    }
                }
                for (p, strip) in part["regimes"].as_array().unwrap().iter().enumerate() {
                    for (r, days) in strip["codes"].as_array().unwrap().iter().enumerate() {
                        codes[side][p]["codes"][r]
                            .as_array_mut()
                            .unwrap()
                            .extend(days.as_array().unwrap().iter().cloned());
                    }
                    codes[side][p]["changes"] = strip["changes"].clone();
                }
            }
            shown[side] = part["shown"].clone();
            have[side] = to as usize;
        }
        match v["state"].as_str() {
            Some("running") => while_running.push(have),
            Some("done") if have == [1095, 365] => break v["result"].clone(),
            Some("done") => assert!(live.iter().any(|p| p["to"] != p["from"]), "{have:?}: no more days come"),
            other => panic!("{other:?}: {v}"),
        }
    };
    // The page had days to draw before the run's end was reported, more at each poll.
    let partial: Vec<_> = while_running.iter().filter(|h| h[0] > 0 && h[0] < 1095).collect();
    assert!(partial.len() >= 2, "the charts did not grow while the run went: {while_running:?}");
    assert!(while_running.windows(2).all(|w| w[0][0] <= w[1][0] && w[0][1] <= w[1][1]));
    // In the end, the days appended are the finished run's: the charts it draws, series by
    // series, and its regime timeline.
    for (side, view) in [(0, &result["a"]), (1, &result["b"])] {
        let drawn: Vec<Value> = shown[side]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let mut c = charts[side][s["chart"].as_u64().unwrap() as usize].clone();
                let series = c["series"].as_array().unwrap().clone();
                c["series"] = s["series"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| series[k.as_u64().unwrap() as usize].clone())
                    .collect();
                c["constant"] = s["constant"].clone();
                c
            })
            .collect();
        assert_eq!(&Value::Array(drawn), &view["charts"], "side {side}: the charts appended are the finished run's");
        assert_eq!(&Value::Array(codes[side].clone()), &view["regimes"], "side {side}: the regime timeline");
    }
    // A bad `from` gets a message, not a panic.
    let (status, text) = http(s.addr, "GET", &format!("/api/job/{job}?from=x"), &[], "");
    assert!(status == 400 && text.contains("from"), "{status} {text}");
    s.stop();
}

#[test]
fn a_bad_value_and_an_unknown_key_get_the_command_lines_message() {
    let s = server();
    // The page refuses `set` with a 400 and the very message `check --set` gives.
    let refused = |set: &str| {
        let (status, v) = post(s.addr, "/api/run", &format!(r#"{{"scenario":"classroom-overload","set":["{set}"]}}"#));
        assert_eq!(status, 400, "{set}");
        let error = v["error"].as_str().unwrap().to_string();
        assert_eq!(error, cli_error(&["scenarios/classroom-overload.toml", "--set", set]));
        error
    };
    // A misspelt department is refused with the nearest name, as on the command line.
    let error = refused("departments.stabilty.staff=9");
    assert!(error.contains("did you mean `departments.stability.staff`?"), "{error}");
    refused("departments.stability.staff=-3");
    let msg = refused("leaders.secretary.attention=2");
    assert!(msg.contains("unknown key `attention`: did you mean `attention_hours_per_day`?"), "{msg}");
    let (status, v) = post(s.addr, "/api/run", r#"{"scenario":"classroom-overload","unset":["platforms.nothing"]}"#);
    assert_eq!(status, 400);
    assert_eq!(
        v["error"].as_str().unwrap(),
        cli_error(&["scenarios/classroom-overload.toml", "--unset", "platforms.nothing"])
    );
    let (status, v) = post(s.addr, "/api/run", r#"{"scenario":"classroom-overload","set":["no equals sign"]}"#);
    assert_eq!(
        (status, v["error"].as_str().unwrap().starts_with("--set no equals sign: expected KEY=VALUE")),
        (400, true),
        "{v}"
    );
    // Not JSON, a field the API does not know, a scenario that does not exist, too many replications.
    assert_eq!(post(s.addr, "/api/run", "{not json").0, 400);
    let (status, v) = post(s.addr, "/api/run", r#"{"scenario":"s-town","sets":[]}"#);
    assert!(status == 400 && v["error"].as_str().unwrap().contains("unknown field `sets`"), "{v}");
    assert_eq!(post(s.addr, "/api/run", r#"{"scenario":"atlantis"}"#).0, 404);
    let (status, v) = post(s.addr, "/api/run", r#"{"scenario":"s-town","replications":1000}"#);
    assert!(status == 400 && v["error"].as_str().unwrap().contains("from 1 to 16"), "{v}");
    assert_eq!(http(s.addr, "GET", "/api/job/999", &[], "").0, 404);
    assert_eq!(http(s.addr, "GET", "/api/job/x%00", &[], "").0, 404);
    // A run that fails in the middle says why, as the command line would.
    let v = run(
        s.addr,
        r#"{"scenario":"classroom-overload","replications":1,"set":["simulation.max_open_orders=5","platforms.voice.arrival_rate_per_day=50"]}"#,
    );
    assert_eq!(v["state"], "error", "{v}");
    assert!(v["error"].as_str().unwrap().contains("simulation.max_open_orders"), "{v}");
    // The server is still there.
    assert_eq!(http(s.addr, "GET", "/api/scenarios", &[], "").0, 200);
    s.stop();
}

/// A key path of thousands of parts (10 KB) once overflowed the worker's stack and killed the
/// server: now it is a clean 400, and the server goes on answering.
#[test]
fn a_very_deep_key_path_is_refused_and_the_server_lives() {
    let s = server();
    let deep = vec!["a"; 5_000].join(".");
    let (status, v) = post(s.addr, "/api/run", &format!(r#"{{"scenario":"s-town","set":["{deep}=1"]}}"#));
    assert_eq!(status, 400);
    assert!(v["error"].as_str().unwrap().contains("at most 16"), "{v}");
    let (status, _) = post(s.addr, "/api/run", r#"{"scenario":"classroom-steady","replications":1}"#);
    assert_eq!(status, 200, "the server still answers");
    s.stop();
}

#[test]
fn concurrent_runs_each_get_their_own_numbers() {
    let s = server();
    let addr = s.addr;
    let handles: Vec<_> = [3u64, 4, 3]
        .into_iter()
        .map(|seed| {
            std::thread::spawn(move || {
                let v = run(addr, &format!(r#"{{"scenario":"classroom-steady","seed":{seed},"replications":2}}"#));
                v["result"]["table"].as_str().unwrap().to_string()
            })
        })
        .collect();
    let tables: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(tables[0], tables[2], "the same seed, the same numbers, whatever else runs");
    assert_ne!(tables[0], tables[1], "another seed, other numbers");
    assert!(tables[1].contains("seed 4"));
    s.stop();
}

#[test]
fn the_control_runs_on_the_same_random_numbers() {
    let s = server();
    let v = run(
        s.addr,
        r#"{"scenario":"classroom-overload","seed":42,"replications":4,"control":true,"set":["platforms.voice.arrival_rate_per_day=2"]}"#,
    );
    let b = &v["result"]["b"];
    assert_eq!(b["changes"].as_array().unwrap().len(), 0, "the control is unchanged");
    assert_eq!(b["seed"], 42);
    let compare = v["result"]["compare"].as_array().unwrap();
    assert!(
        compare
            .iter()
            .any(|s| s["en"].as_str().unwrap().contains("fewer orders a month in the system with the changes")),
        "{compare:?}"
    );
    assert!(compare.iter().any(|s| s["zh"].as_str().unwrap().contains("改动后")), "{compare:?}");
    // The control's regimes: overloaded as bundled (replication 0 of the scenario's own seed; at
    // the end of the ramp one replication in eight may still be transitional); the variant stays
    // embedded.
    let last = |view: &serde_json::Value| view["sentences"][0]["regime"].as_str().unwrap().to_string();
    assert_eq!(last(b), "overloaded");
    assert_eq!(last(&v["result"]["a"]), "embedded");
    s.stop();
}

#[test]
fn the_story_of_the_order_clicked_on() {
    let s = server();
    let (status, v) = post(
        s.addr,
        "/api/trace",
        r#"{"run":{"scenario":"classroom-overload","seed":42,"replications":2},"replication":1,"platform":"voice","day":200}"#,
    );
    assert_eq!(status, 200, "{v}");
    let order = v["order"].as_u64().unwrap();
    let lines = v["lines"].as_array().unwrap();
    assert!(lines[0]["at"].as_str().unwrap().starts_with("day 20"), "{v}");
    assert!(lines[0]["what"].as_str().unwrap().contains(&format!("order #{order} arrives on voice")), "{v}");
    // Told in 中文 too, for the page's language switch.
    assert!(lines[0]["what_zh"].as_str().unwrap().contains(&format!("工单 #{order} 到达平台 民声平台")), "{v}");
    assert!(lines[0]["at_zh"].as_str().unwrap().starts_with("第 20"), "{v}");
    // The same story as `embedsim trace` tells with the command the page prints.
    let command = v["command"].as_str().unwrap();
    assert_eq!(
        command,
        format!("embedsim trace scenarios/classroom-overload.toml --seed 42 --order {order} --replication 1")
    );
    let args: Vec<&str> = command.split(' ').skip(1).collect();
    let out = cargo_bin_cmd!("embedsim").args(&args).current_dir(root()).output().unwrap();
    let cli = String::from_utf8(out.stdout).unwrap();
    for l in lines {
        assert!(cli.contains(l["what"].as_str().unwrap()), "{l} not in\n{cli}");
    }
    let (status, v) = post(
        s.addr,
        "/api/trace",
        r#"{"run":{"scenario":"classroom-overload"},"replication":0,"platform":"nowhere","day":1}"#,
    );
    assert_eq!((status, v["error"].as_str().unwrap()), (400, "unknown platform \"nowhere\" (platforms: voice)"));
    s.stop();
}

#[test]
fn other_sites_cannot_drive_it() {
    let s = server();
    let port = s.addr.port();
    let ok = [("Content-Type", "application/json")];
    let body = r#"{"scenario":"classroom-steady","replications":1}"#;
    // DNS rebinding: a foreign name for our address.
    let (status, text) = http(s.addr, "GET", "/", &[("Host", &format!("evil.example:{port}"))], "");
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("refused"), "{text}");
    // Another page open in the same browser.
    let (status, _) = http(s.addr, "POST", "/api/run", &[ok[0], ("Origin", "http://evil.example")], body);
    assert_eq!(status, 403);
    let (status, _) = http(s.addr, "POST", "/api/run", &[ok[0], ("Sec-Fetch-Site", "cross-site")], body);
    assert_eq!(status, 403);
    // A form post (no JSON content type) cannot start a run.
    let (status, _) = http(s.addr, "POST", "/api/run", &[("Content-Type", "text/plain")], body);
    assert_eq!(status, 415);
    // Our own page is welcome, under any of the local names.
    let origin = format!("http://localhost:{port}");
    let host = format!("localhost:{port}");
    let (status, text) = http(s.addr, "POST", "/api/run", &[ok[0], ("Origin", &origin), ("Host", &host)], body);
    assert_eq!(status, 200, "{text}");
    let (status, page) = http(s.addr, "GET", "/", &[], "");
    assert_eq!(status, 200);
    assert!(page.contains("<script src=\"/app.js\"></script>"));
    for asset in ["/app.js", "/charts.js", "/i18n.js", "/style.css", "/font.woff"] {
        assert_eq!(http(s.addr, "GET", asset, &[], "").0, 200, "{asset}");
    }
    assert!(!page.contains("http://") && !page.contains("https://"), "the page fetches nothing from outside");
    s.stop();
}

/// Under --allow-remote a page on another site whose name resolves to the classroom machine
/// (DNS rebinding) sends its own name as Host and Origin: refused; IP addresses and names given
/// with --host are answered.
#[test]
fn a_rebound_name_cannot_drive_a_server_open_to_the_classroom() {
    let config = serve::Config {
        bind: [127, 0, 0, 1].into(),
        port: 0,
        allow_remote: true,
        hosts: vec!["classroom.local".into()],
        scenarios: Vec::new(),
        job_time: serve::api::MAX_JOB_TIME,
    };
    let s = serve::start(config).unwrap();
    let port = s.addr.port();
    let evil = format!("evil.example:{port}");
    let evil_origin = format!("http://{evil}");
    let (status, text) = http(s.addr, "GET", "/", &[("Host", &evil), ("Origin", &evil_origin)], "");
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("--host"), "the refusal says how to allow a name: {text}");
    for host in [
        format!("127.0.0.1:{port}"),
        format!("10.1.2.3:{port}"),
        format!("[::1]:{port}"),
        format!("classroom.local:{port}"),
    ] {
        let (status, text) = http(s.addr, "GET", "/api/scenarios", &[("Host", &host)], "");
        assert_eq!(status, 200, "{host}: {text}");
    }
    let (status, _) = http(s.addr, "GET", "/", &[("Host", "127.0.0.1:1")], "");
    assert_eq!(status, 403, "another port is another server");
    s.stop();
}

/// A run past the page's time budget is stopped and says so; the server goes on answering.
#[test]
fn a_run_past_its_time_budget_is_stopped() {
    let s = server_with(Duration::from_secs(1));
    // The city's year takes tens of seconds on any machine.
    let v = run(s.addr, r#"{"scenario":"beijing-12345","replications":1}"#);
    assert_eq!(v["state"], "error", "{v}");
    let error = v["error"].as_str().unwrap();
    assert!(error.contains("stopped on day") && error.contains("at most 1 s;"), "{error}");
    assert!(v["error_zh"].as_str().is_some());
    assert_eq!(http(s.addr, "GET", "/api/scenarios", &[], "").0, 200);
    s.stop();
}

#[test]
fn it_will_not_listen_beyond_this_machine_unless_asked() {
    let out =
        cargo_bin_cmd!("embedsim").args(["serve", "--bind", "0.0.0.0", "--port", "0", "--no-open"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-remote"));
}

/// A teacher moves a slider in one scenario and picks another: every slider shows the new
/// scenario's own values, the page says the change was forgotten, and the run has no changes.
#[test]
fn picking_another_scenario_redraws_every_slider_from_it() {
    let Some(chromium) = browser::chromium("picking_another_scenario_redraws_every_slider_from_it") else { return };
    let (serving, url) = serve_page();
    let page = format!(
        "{url}?test=1&scenario=s-town&move=leaders.secretary.attention_hours_per_day:1&extra=--set%20x.y=1\
         &then_scenario=classroom-overload&speed=5"
    );
    let dom = browser::dump_dom(&chromium, &page, 60_000);
    let attr = |k: &str| browser::state_attr(&dom, k).unwrap_or_else(|| panic!("no {k} in the page state:\n{dom}"));
    assert_eq!((attr("data-done").as_str(), attr("data-error").as_str()), ("1", ""));
    assert_eq!(attr("data-changes"), "", "the run has no changes");
    assert!(attr("data-forgotten").contains("s-town"), "the page says what was forgotten: {}", attr("data-forgotten"));
    let (_, _, text) = embedsim::scenario::bundled::named(Path::new("classroom-overload")).unwrap();
    let sc = embedsim::scenario::load_str(text, "classroom-overload").unwrap();
    let controls = serve::api::controls(&sc);
    let shown: Vec<(String, String)> = attr("data-sliders")
        .split_whitespace()
        .map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())).unwrap())
        .collect();
    assert_eq!(shown.len(), controls.len(), "{shown:?}");
    for (c, (key, value)) in controls.iter().zip(&shown) {
        assert_eq!(&c.key, key);
        let v = match value.as_str() {
            "on" => 1.0,
            "off" => 0.0,
            v => v.parse::<f64>().unwrap(),
        };
        // A range input snaps to its step: within half a step of the file's value.
        assert!((v - c.value).abs() <= c.step / 2.0 + 1e-9, "{key} shows {value}, the file says {}", c.value);
    }
    drop(serving);
}

#[test]
fn the_page_runs_the_classroom_scenario_in_a_browser() {
    let Some(chromium) = browser::chromium("the_page_runs_the_classroom_scenario_in_a_browser") else { return };
    let (serving, url) = serve_page();
    let page = format!(
        "{url}?test=1&scenario=classroom-overload&move=leaders.secretary.attention_hours_per_day:3.5&speed=4\
         &story=voice:200"
    );
    let dom = browser::dump_dom(&chromium, &page, 60_000);
    let attr = |k: &str| browser::state_attr(&dom, k).unwrap_or_else(|| panic!("no {k} in the page state:\n{dom}"));
    assert_eq!(attr("data-done"), "1", "the run finished");
    assert_eq!(attr("data-error"), "");
    assert_eq!(
        attr("data-changes"),
        "leaders.secretary.attention_hours_per_day=3.5",
        "the slider moved and became a --set"
    );
    assert!(
        attr("data-regimes").contains("overloaded"),
        "the regime band reaches overloaded: {}",
        attr("data-regimes")
    );
    assert!(attr("data-charts").parse::<u32>().unwrap() >= 5);
    assert_eq!(attr("data-empty-charts"), "0", "every chart holds data");
    assert_eq!(attr("data-days-shown"), "365", "the animation reached the end");
    assert_eq!(attr("data-lang"), "zh");
    assert_eq!(attr("data-title"), "embedsim 课堂", "labels read in 中文 after the switch");
    assert_eq!(attr("data-run-label"), "运行");
    // The story of the order clicked on follows the switch: told in English, then in 中文.
    let (before, story) = (attr("data-story-before"), attr("data-story"));
    assert!(before.contains("arrives on voice") && before.contains("day 20"), "the story in English:\n{before}");
    assert!(story.contains("到达平台 民声平台") && story.contains("第 20"), "the story in 中文:\n{story}");
    assert_eq!(before.lines().count(), story.lines().count());
    assert!(!story.contains(" the ") && !story.contains("arrives"), "English left in the 中文 story:\n{story}");
    // The charts grow from the run's own days: a run long enough to be polled while it goes
    // draws days before its end is reported, more at each redraw, never beyond the days done.
    let dom =
        browser::dump_dom(&chromium, &format!("{url}?test=1&scenario=c-district-hotline&speed=4&reps=16"), 60_000);
    let attr = |k: &str| browser::state_attr(&dom, k).unwrap_or_else(|| panic!("no {k} in the page state:\n{dom}"));
    assert_eq!((attr("data-done").as_str(), attr("data-error").as_str()), ("1", ""));
    assert_eq!(attr("data-days-shown"), "365", "the animation reached the end");
    let live: Vec<(u32, u32)> = attr("data-live")
        .split_whitespace()
        .map(|e| e.split_once(':').map(|(d, p)| (d.parse().unwrap(), p.parse().unwrap())).unwrap())
        .collect();
    assert!(live.len() >= 2, "the charts did not grow while the run went: {live:?}");
    // Days drawn never go back; the points may be re-counted at equal days when the choice of
    // series changes (flat ones left out, the busiest departments picked anew).
    assert!(live.windows(2).all(|w| w[0].0 <= w[1].0), "{live:?}");
    assert!(live.last().unwrap().0 > live[0].0, "more days drawn as the run went: {live:?}");
    assert!(live.iter().all(|&(d, p)| d > 0 && d < 365 && p > 0), "days drawn while the run went, with data: {live:?}");
    // Mid-way at the slowest speed: the charts hold the days drawn so far.
    browser::screenshot(
        &chromium,
        &format!("{url}?test=1&scenario=c-district-hotline&speed=0"),
        "page-growing-en.png",
        6_000,
    );
    browser::screenshot(&chromium, &page, "page-zh.png", 60_000);
    browser::screenshot(&chromium, &format!("{page}&scroll=story"), "page-story-zh.png", 60_000);
    browser::screenshot(&chromium, &format!("{page}&control=1&then=en"), "page-compare-en.png", 60_000);
    drop(serving);
}

#[test]
fn every_scenario_in_the_folder_is_bundled() {
    let mut files: Vec<String> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| format!("scenarios/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    files.sort();
    let mut bundled: Vec<String> = serve::api::BUNDLED.iter().map(|(_, f, _)| f.to_string()).collect();
    bundled.sort();
    assert_eq!(bundled, files, "add the new scenario to serve::api::BUNDLED");
    for (id, file, text) in serve::api::BUNDLED {
        assert_eq!(*text, std::fs::read_to_string(root().join(file)).unwrap());
        assert!(file.ends_with(&format!("{id}.toml")));
    }
}
