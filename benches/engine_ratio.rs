//! embedsim's engine against minimal hand-written event loops, on two textbook queues with the
//! same random numbers, so that both sides must give the same waiting times (the bench asserts
//! it) and the ratio of customers per second is measured in one run (it survives a noisy
//! machine):
//!
//! - M/M/3 (`scenarios/validation/mm3.toml`: λ = 30/h, three servers at 12/h, utilisation 0.83):
//!   interarrival gaps from the stream `arrivals/line`, efforts from `effort/line`.
//! - Tandem (`scenarios/validation/tandem.toml`: λ = 2/h, a leader's review M/M/1 at mean 0.25 h,
//!   then a three-staff M/M/3 at mean 1 h): gaps from `arrivals/minhu`, then for each customer
//!   its effort from `effort/minhu` and its review time from `review/minhu`, in that order.
//!
//! `cargo bench --bench engine_ratio` (about one million customers each; `EMBEDSIM_BENCH_DAYS`
//! changes the M/M/3 run length and `EMBEDSIM_BENCH_TANDEM_DAYS` the tandem's).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Instant;

use embedsim::engine::dist::{Dist, exp_gap};
use embedsim::engine::rng::Streams;
use embedsim::metrics::summary::summarize;
use embedsim::model::run_replication;
use embedsim::scenario::load_str;

const RATE_PER_HOUR: f64 = 30.0;
const MEAN_SERVICE: f64 = 1.0 / 12.0;
const SERVERS: u32 = 3;
const SEED: u64 = 2025;

/// The reference loops' event list: a heap of (time, sequence, kind), earliest first.
struct Events<K: Ord> {
    heap: BinaryHeap<Reverse<(u64, u64, K)>>,
    seq: u64,
}

impl<K: Ord> Default for Events<K> {
    fn default() -> Self {
        Events { heap: BinaryHeap::new(), seq: 0 }
    }
}

impl<K: Ord> Events<K> {
    fn push(&mut self, t: f64, kind: K) {
        self.seq += 1;
        self.heap.push(Reverse((t.to_bits(), self.seq, kind)));
    }

    /// The next event, unless none is left at or before `hours`.
    fn pop_until(&mut self, hours: f64) -> Option<(f64, K)> {
        let Reverse((bits, _, kind)) = self.heap.pop()?;
        let now = f64::from_bits(bits);
        (now <= hours).then_some((now, kind))
    }
}

/// The M/M/3 reference: a heap of (time, seq) events and a FIFO queue; returns (customers
/// served, events, mean wait in hours).
fn mm3_loop(hours: f64) -> (u64, u64, f64) {
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum Kind {
        Arrival,
        Done,
    }
    let streams = Streams::new(SEED, 0);
    let mut arrivals = streams.stream("arrivals/line");
    let mut efforts = streams.stream("effort/line");
    let service = Dist::exponential(MEAN_SERVICE);
    let mut heap = Events::default();
    heap.push(exp_gap(&mut arrivals, RATE_PER_HOUR), Kind::Arrival);
    let mut queue: VecDeque<(f64, f64)> = VecDeque::new(); // (arrival time, effort)
    let (mut busy, mut served, mut events, mut wait_sum) = (0u32, 0u64, 0u64, 0.0);
    while let Some((now, kind)) = heap.pop_until(hours) {
        events += 1;
        match kind {
            Kind::Arrival => {
                heap.push(now + exp_gap(&mut arrivals, RATE_PER_HOUR), Kind::Arrival);
                queue.push_back((now, service.sample(&mut efforts)));
            }
            Kind::Done => busy -= 1,
        }
        while busy < SERVERS {
            let Some((arrived, effort)) = queue.pop_front() else { break };
            busy += 1;
            served += 1;
            wait_sum += now - arrived;
            heap.push(now + effort, Kind::Done);
        }
    }
    (served, events, wait_sum / served as f64)
}

/// The tandem reference: one reviewer (FIFO) feeding three servers (FIFO); the wait runs from
/// arrival to the start of service at the second station. Returns (customers whose service
/// started, events, mean wait in hours).
fn tandem_loop(hours: f64) -> (u64, u64, f64) {
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum Kind {
        Arrival,
        Reviewed,
        Done,
    }
    let streams = Streams::new(SEED, 0);
    let mut arrivals = streams.stream("arrivals/minhu");
    let mut efforts = streams.stream("effort/minhu");
    let mut reviews = streams.stream("review/minhu");
    let (service, review) = (Dist::exponential(1.0), Dist::exponential(0.25));
    let mut heap = Events::default();
    heap.push(exp_gap(&mut arrivals, 2.0), Kind::Arrival);
    // (arrival time, effort, review time) waiting for the reviewer, and the one in review.
    let mut inbox: VecDeque<(f64, f64, f64)> = VecDeque::new();
    let mut in_review: Option<(f64, f64)> = None;
    let mut queue: VecDeque<(f64, f64)> = VecDeque::new(); // (arrival time, effort)
    let (mut busy, mut served, mut events, mut wait_sum) = (0u32, 0u64, 0u64, 0.0);
    while let Some((now, kind)) = heap.pop_until(hours) {
        events += 1;
        match kind {
            Kind::Arrival => {
                heap.push(now + exp_gap(&mut arrivals, 2.0), Kind::Arrival);
                let effort = service.sample(&mut efforts);
                inbox.push_back((now, effort, review.sample(&mut reviews)));
            }
            Kind::Reviewed => queue.push_back(in_review.take().expect("one in review")),
            Kind::Done => busy -= 1,
        }
        if in_review.is_none()
            && let Some((arrived, effort, hours)) = inbox.pop_front()
        {
            in_review = Some((arrived, effort));
            heap.push(now + hours, Kind::Reviewed);
        }
        while busy < SERVERS {
            let Some((arrived, effort)) = queue.pop_front() else { break };
            busy += 1;
            served += 1;
            wait_sum += now - arrived;
            heap.push(now + effort, Kind::Done);
        }
    }
    (served, events, wait_sum / served as f64)
}

/// Runs `scenario` (one replication, no warm-up, `days` long) with the engine and `reference`
/// with the same random numbers, best of five each; asserts equal mean waits and prints the ratio.
fn compare(name: &str, scenario: &str, days: f64, reference: fn(f64) -> (u64, u64, f64)) {
    let text = scenario
        .replace("duration_days = 400", &format!("duration_days = {days}"))
        .replace("duration_days = 2500", &format!("duration_days = {days}"))
        .replace("warmup_days = 50", "warmup_days = 0")
        .replace("replications = 10", "replications = 1");
    let sc = load_str(&text, name).expect("the benchmark scenario is valid");
    let best = |f: &mut dyn FnMut()| {
        (0..5)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let mut figures = (0, 0, 0.0);
    let t_bare = best(&mut || figures = reference(days * 24.0));
    let mut engine = None;
    let t_engine = best(&mut || engine = Some(run_replication(&sc, 0).expect("stable")));
    let out = engine.expect("ran");
    let row = &summarize(&sc, &out)[0];
    let (served, events, wait) = figures;
    let engine_wait = row.get("mean_wait_hours");
    assert!(
        (engine_wait - wait).abs() <= 1e-9 * wait.abs().max(1e-9),
        "{name}: the engine and the reference loop must give the same waiting times: {engine_wait} vs {wait}"
    );
    let rate = |t: f64| served as f64 / t;
    println!("{name}, {days} days, {served} customers, seed {SEED}; best of 5 runs each");
    println!("  reference loop: {events} events, {:.3} s, {:.2e} customers/s", t_bare, rate(t_bare));
    println!("  embedsim:       {} events, {:.3} s, {:.2e} customers/s", out.events, t_engine, rate(t_engine));
    println!("  mean wait {:.6} h in both; embedsim runs at {:.2} x the reference loop", wait, t_bare / t_engine);
}

fn main() {
    let days = |var: &str, default: f64| std::env::var(var).ok().and_then(|d| d.parse().ok()).unwrap_or(default);
    compare("M/M/3", include_str!("../scenarios/validation/mm3.toml"), days("EMBEDSIM_BENCH_DAYS", 1389.0), mm3_loop);
    compare(
        "tandem",
        include_str!("../scenarios/validation/tandem.toml"),
        days("EMBEDSIM_BENCH_TANDEM_DAYS", 20834.0),
        tandem_loop,
    );
}
