//! `embedsim serve`: the classroom page, served on this machine.
//!
//! A small HTTP server ([tiny_http], a few worker threads) that serves the page and its assets
//! from the binary — nothing is fetched from anywhere — and a JSON API ([`api`]). It binds
//! 127.0.0.1 unless told otherwise, refuses connections from other machines unless
//! `allow_remote`, and checks every request's `Host` (a DNS-rebinding page cannot reach it) and
//! `Origin`/`Sec-Fetch-Site` (another site open in the same browser cannot drive it; and since
//! POSTs must be `application/json`, a cross-site form cannot either). A request never panics
//! the server: bad JSON, an unknown key or a value out of range get a JSON error with the
//! command line's message.

pub mod api;
pub mod zh;

use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use serde::Serialize;
use tiny_http::{Header, Method, Request, Response, Server};

use crate::output::html;
use api::{ApiError, Jobs, Source};

/// The page.
pub const APP_HTML: &str = include_str!("../../assets/page/app.html");
/// The page's own script.
pub const APP_JS: &str = include_str!("../../assets/page/app.js");

/// Largest request body read, in bytes.
pub const MAX_BODY: u64 = 256 * 1024;
/// Worker threads answering requests.
pub const WORKERS: usize = 4;

/// How to serve.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to bind (127.0.0.1 by default).
    pub bind: IpAddr,
    /// Port (0: any free port).
    pub port: u16,
    /// Accept connections from other machines: a request's Host must then be an IP address or
    /// one of `hosts`.
    pub allow_remote: bool,
    /// Host names the page may be reached by under `allow_remote` (`--host NAME`), besides IP
    /// addresses and `localhost`.
    pub hosts: Vec<String>,
    /// Scenarios given on the command line, offered first.
    pub scenarios: Vec<Source>,
    /// How long one run of the page may take before it is stopped ([`api::MAX_JOB_TIME`]).
    pub job_time: std::time::Duration,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {addr}: {message}")]
pub struct ServeError {
    /// The address.
    pub addr: SocketAddr,
    /// Why.
    pub message: String,
}

/// A running server.
pub struct Running {
    server: Arc<Server>,
    /// Where it listens.
    pub addr: SocketAddr,
    workers: Vec<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Blocks until the server stops (it does not, unless [`Running::stop`] is called elsewhere).
    pub fn wait(self) {
        for w in self.workers {
            let _ = w.join();
        }
    }

    /// Stops the workers and waits for them.
    pub fn stop(self) {
        for _ in 0..self.workers.len() {
            self.server.unblock();
        }
        self.wait();
    }
}

struct State {
    config: Config,
    sources: Vec<Source>,
    jobs: Jobs,
    port: u16,
}

/// Starts the server; requests are answered on worker threads until the process ends.
pub fn start(config: Config) -> Result<Running, ServeError> {
    let addr = SocketAddr::new(config.bind, config.port);
    let server = Server::http(addr).map_err(|e| ServeError { addr, message: e.to_string() })?;
    let addr = server.server_addr().to_ip().unwrap_or(addr);
    let server = Arc::new(server);
    let state = Arc::new(State {
        sources: api::sources(config.scenarios.clone()),
        jobs: Jobs::new(config.job_time),
        config,
        port: addr.port(),
    });
    let workers = (0..WORKERS)
        .map(|_| {
            let (server, state) = (server.clone(), state.clone());
            std::thread::spawn(move || {
                while let Ok(req) = server.recv() {
                    // A panic in one request must not take the worker with it.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handle(&state, req)));
                }
            })
        })
        .collect();
    Ok(Running { server, addr, workers })
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header names and values")
}

fn respond(req: Request, status: u16, content_type: &str, body: Vec<u8>) {
    let resp = Response::from_data(body)
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        .with_header(header("X-Frame-Options", "DENY"))
        .with_header(header("Referrer-Policy", "no-referrer"))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header(
            "Content-Security-Policy",
            "default-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; \
             connect-src 'self'; frame-ancestors 'none'",
        ));
    let _ = req.respond(resp); // the browser may have gone; nothing to do
}

fn json<T: Serialize>(req: Request, status: u16, value: &T) {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{\"error\":\"cannot encode the answer\"}".to_vec());
    respond(req, status, "application/json; charset=utf-8", body);
}

#[derive(Serialize)]
struct ErrorBody {
    error: String,
    /// The same in 中文, for the page's 中文 view.
    error_zh: String,
}

fn error(req: Request, status: u16, message: impl Into<String>) {
    let error = message.into();
    json(req, status, &ErrorBody { error_zh: zh::error_zh(&error), error });
}

fn header_value<'r>(req: &'r Request, name: &'static str) -> Option<&'r str> {
    req.headers().iter().find(|h| h.field.equiv(name)).map(|h| h.value.as_str())
}

/// Whether `host` (a Host header) names this server under `--allow-remote`: an IP address (with
/// this port or none), `localhost`, or a name in `names` (as given to `--host`, without a port).
fn host_allowed(host: &str, port: u16, names: &[String]) -> bool {
    let name = match host.rsplit_once(':') {
        // `[::1]:7878`, `10.0.0.5:7878`, `name:7878`; a bare IPv6 literal has colons of its own.
        Some((name, p))
            if !name.is_empty() && p.parse::<u16>().is_ok() && (!host.starts_with('[') || name.ends_with(']')) =>
        {
            if p.parse::<u16>() != Ok(port) {
                return false;
            }
            name
        }
        _ => host,
    };
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok()
        || bare.eq_ignore_ascii_case("localhost")
        || names.iter().any(|n| n.eq_ignore_ascii_case(bare))
}

/// Whether a request may be answered; `Err` gives the status and why not.
fn admit(state: &State, req: &Request) -> Result<(), (u16, String)> {
    let remote = req.remote_addr().map(|a| a.ip());
    if !state.config.allow_remote && !remote.is_some_and(|ip| ip.is_loopback()) {
        return Err((403, "connections from other machines are refused (embedsim serve --allow-remote)".into()));
    }
    let Some(host) = header_value(req, "Host") else { return Err((400, "no Host header".into())) };
    let port = state.port;
    let local = [format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")];
    if !state.config.allow_remote && !local.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return Err((403, format!("Host \"{host}\" refused: open the page at http://127.0.0.1:{port}/")));
    }
    // A page on another site whose name resolves to this machine (DNS rebinding) sends its own
    // name as Host: only addresses and names the teacher gave are answered.
    if state.config.allow_remote && !host_allowed(host, port, &state.config.hosts) {
        return Err((
            403,
            format!(
                "Host \"{}\" refused: open the page by this machine's IP address, or start the server \
                 with --host NAME for each name it is reached by",
                crate::text::printable(host)
            ),
        ));
    }
    if let Some(origin) = header_value(req, "Origin") {
        if !origin.eq_ignore_ascii_case(&format!("http://{host}")) {
            return Err((403, format!("requests from {origin} are refused: only this page may use the server")));
        }
    }
    if header_value(req, "Sec-Fetch-Site").is_some_and(|s| s.eq_ignore_ascii_case("cross-site")) {
        return Err((403, "cross-site requests are refused".into()));
    }
    if *req.method() == Method::Post {
        let ct = header_value(req, "Content-Type").unwrap_or("");
        if !ct.to_ascii_lowercase().starts_with("application/json") {
            return Err((415, "POST needs Content-Type: application/json".into()));
        }
    }
    Ok(())
}

fn body<T: serde::de::DeserializeOwned>(req: &mut Request) -> Result<T, String> {
    let mut text = String::new();
    req.as_reader()
        .take(MAX_BODY + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the request: {e}"))?;
    if text.len() as u64 > MAX_BODY {
        return Err(format!("request larger than {MAX_BODY} bytes"));
    }
    serde_json::from_str(&text).map_err(|e| format!("bad request: {e}"))
}

#[derive(Serialize)]
struct ScenarioInfo {
    id: String,
    file: String,
    name: String,
    description: String,
    days: f64,
    seed: u64,
    replications: u32,
    controls: Vec<api::Control>,
    /// Display names of the scenario and its entities (the sliders name them).
    names: crate::scenario::display::Names,
}

fn scenario_list(state: &State) -> Vec<Result<ScenarioInfo, String>> {
    state
        .sources
        .iter()
        .map(|s| {
            let sc =
                crate::scenario::overrides::load_variant_str(&s.text, &s.file, &[]).map_err(|e| api::message(&e))?;
            Ok(ScenarioInfo {
                id: s.id.clone(),
                file: s.file.clone(),
                name: sc.name.clone(),
                description: sc.description.clone().unwrap_or_default(),
                days: sc.simulation.duration_days,
                seed: sc.simulation.seed,
                replications: sc.simulation.replications.min(api::MAX_PAGE_REPLICATIONS),
                controls: api::controls(&sc),
                names: sc.names.clone(),
            })
        })
        .collect()
}

fn api_status(e: &ApiError) -> u16 {
    match e {
        ApiError::Busy | ApiError::Full(_) | ApiError::Telling => 429,
        ApiError::UnknownScenario(_) => 404,
        _ => 400,
    }
}

/// The days of the charts the page has, per side of the run: `?from=120,80` (the variant's, then
/// the control's). `None` without `from`: the poll asks for the state only.
fn days_had(url: &str) -> Result<Option<Vec<usize>>, String> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let Some(value) = query.split('&').find_map(|kv| kv.strip_prefix("from=")) else { return Ok(None) };
    let days: Option<Vec<usize>> = value.split(',').map(|d| d.parse().ok()).collect();
    match days {
        Some(days) if (1..=2).contains(&days.len()) => Ok(Some(days)),
        _ => Err(format!(
            "from: expected the days the page has, one or two whole numbers (from=120,80), found \"{value}\""
        )),
    }
}

fn handle(state: &State, mut req: Request) {
    if let Err((status, why)) = admit(state, &req) {
        return error(req, status, why);
    }
    let url = req.url().to_string();
    let path = url.split('?').next().unwrap_or("");
    match (req.method().clone(), path) {
        (Method::Get, "/") => respond(req, 200, "text/html; charset=utf-8", APP_HTML.as_bytes().to_vec()),
        (Method::Get, "/app.js") => respond(req, 200, "text/javascript; charset=utf-8", APP_JS.as_bytes().to_vec()),
        (Method::Get, "/charts.js") => {
            respond(req, 200, "text/javascript; charset=utf-8", html::CHARTS_JS.as_bytes().to_vec())
        }
        (Method::Get, "/i18n.js") => {
            respond(req, 200, "text/javascript; charset=utf-8", html::I18N_JS.as_bytes().to_vec())
        }
        (Method::Get, "/style.css") => {
            respond(req, 200, "text/css; charset=utf-8", html::STYLE_CSS.as_bytes().to_vec())
        }
        (Method::Get, "/font.woff") => respond(req, 200, "font/woff", html::FONT_WOFF.to_vec()),
        (Method::Get, "/api/scenarios") => {
            let list: Vec<serde_json::Value> = scenario_list(state)
                .into_iter()
                .map(|r| match r {
                    Ok(info) => serde_json::to_value(info).unwrap_or_default(),
                    Err(e) => serde_json::json!({ "error": e }),
                })
                .collect();
            json(req, 200, &list)
        }
        (Method::Post, "/api/run") => match body::<api::RunRequest>(&mut req) {
            Err(e) => error(req, 400, e),
            Ok(r) => match api::prepare(&r, &state.sources).and_then(|p| state.jobs.start(p)) {
                Ok(id) => json(req, 200, &serde_json::json!({ "job": id })),
                Err(e) => error(req, api_status(&e), e.to_string()),
            },
        },
        (Method::Get, p) if p.starts_with("/api/job/") => {
            let job = p["/api/job/".len()..].parse::<u64>().ok().and_then(|id| state.jobs.job(id));
            match (job, days_had(&url)) {
                (None, _) => error(req, 404, "no such run"),
                (Some(_), Err(e)) => error(req, 400, e),
                (Some(job), Ok(None)) => json(req, 200, &job.state()),
                (Some(job), Ok(Some(from))) => json(req, 200, &job.poll(&from)),
            }
        }
        (Method::Post, "/api/trace") => match body::<api::TraceRequest>(&mut req) {
            Err(e) => error(req, 400, e),
            Ok(t) => match api::story(&t, &state.sources, &state.jobs) {
                Ok(s) => json(req, 200, &s),
                Err(e) => error(req, api_status(&e), e.to_string()),
            },
        },
        (_, p) if p.starts_with("/api/") || p == "/" => error(req, 405, "method not allowed"),
        _ => error(req, 404, "not found"),
    }
}
