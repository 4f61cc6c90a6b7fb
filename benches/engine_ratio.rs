//! embedsim's engine against a minimal hand-written event loop, on the same M/M/3 queue
//! (`scenarios/validation/mm3.toml`: λ = 30/h, three servers at 12/h, utilisation 0.83), with
//! the same random numbers: both draw interarrival gaps from the stream `arrivals/line` and
//! efforts from `effort/line`, in the same order, so both must give the same waiting times (the
//! bench asserts it). The ratio of customers per second is measured in one run, so it survives a
//! noisy machine.
//!
//! `cargo bench --bench engine_ratio` (one million customers; `EMBEDSIM_BENCH_DAYS` changes the
//! run length).

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

/// The reference: a heap of (time, seq) events and a FIFO queue; returns (customers served,
/// events, mean wait in hours).
fn bare_loop(hours: f64) -> (u64, u64, f64) {
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum Kind {
        Arrival,
        Done,
    }
    let streams = Streams::new(SEED, 0);
    let mut arrivals = streams.stream("arrivals/line");
    let mut efforts = streams.stream("effort/line");
    let service = Dist::exponential(MEAN_SERVICE);
    let mut heap: BinaryHeap<Reverse<(u64, u64, Kind)>> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut push = |heap: &mut BinaryHeap<_>, t: f64, k: Kind| {
        seq += 1;
        heap.push(Reverse((t.to_bits(), seq, k)));
    };
    push(&mut heap, exp_gap(&mut arrivals, RATE_PER_HOUR), Kind::Arrival);
    let mut queue: VecDeque<(f64, f64)> = VecDeque::new(); // (arrival time, effort)
    let (mut busy, mut served, mut events, mut wait_sum) = (0u32, 0u64, 0u64, 0.0);
    while let Some(Reverse((bits, _, kind))) = heap.pop() {
        let now = f64::from_bits(bits);
        if now > hours {
            break;
        }
        events += 1;
        match kind {
            Kind::Arrival => {
                push(&mut heap, now + exp_gap(&mut arrivals, RATE_PER_HOUR), Kind::Arrival);
                queue.push_back((now, service.sample(&mut efforts)));
            }
            Kind::Done => busy -= 1,
        }
        while busy < SERVERS {
            let Some((arrived, effort)) = queue.pop_front() else { break };
            busy += 1;
            served += 1;
            wait_sum += now - arrived;
            push(&mut heap, now + effort, Kind::Done);
        }
    }
    (served, events, wait_sum / served as f64)
}

fn main() {
    let days: f64 = std::env::var("EMBEDSIM_BENCH_DAYS").ok().and_then(|d| d.parse().ok()).unwrap_or(1389.0);
    let text = include_str!("../scenarios/validation/mm3.toml")
        .replace("duration_days = 400", &format!("duration_days = {days}"))
        .replace("warmup_days = 50", "warmup_days = 0")
        .replace("replications = 10", "replications = 1");
    let sc = load_str(&text, "mm3").expect("the benchmark scenario is valid");
    let best = |f: &mut dyn FnMut()| {
        (0..5)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let mut reference = (0, 0, 0.0);
    let t_bare = best(&mut || reference = bare_loop(days * 24.0));
    let mut engine = None;
    let t_engine = best(&mut || engine = Some(run_replication(&sc, 0).expect("stable")));
    let out = engine.expect("ran");
    let row = &summarize(&sc, &out)[0];
    let (served, events, wait) = reference;
    let engine_wait = row.get("mean_wait_hours");
    assert!(
        (engine_wait - wait).abs() <= 1e-9 * wait.abs().max(1e-9),
        "the engine and the reference loop must give the same waiting times: {engine_wait} vs {wait}"
    );
    let rate = |t: f64| served as f64 / t;
    println!("M/M/3, {days} days, {served} customers, seed {SEED}; best of 5 runs each");
    println!("  reference loop: {events} events, {:.3} s, {:.2e} customers/s", t_bare, rate(t_bare));
    println!("  embedsim:       {} events, {:.3} s, {:.2e} customers/s", out.events, t_engine, rate(t_engine));
    println!("  mean wait {:.6} h in both; embedsim runs at {:.2} x the reference loop", wait, t_bare / t_engine);
}
