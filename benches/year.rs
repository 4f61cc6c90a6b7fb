//! One simulated year of a busy district (benches/district.toml): about 300 orders a calendar
//! day, a leader-dispatched petition platform and an auto-routed hotline, seven departments,
//! deadlines, sign-off, line tasks, an 8 h x 5 day calendar.
//!
//! `cargo bench --bench year` reports the time of one replication and its throughput in events;
//! orders per second follow from the orders per run printed first.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use embedsim::model::{RunOutput, run_replication};
use embedsim::scenario::{Scenario, load_str};

fn district() -> Scenario {
    load_str(include_str!("district.toml"), "benches/district.toml").expect("the benchmark scenario is valid")
}

/// Orders that arrived over the whole run (warm-up included).
fn orders(out: &RunOutput) -> u64 {
    out.platforms.iter().flat_map(|p| p.days.iter()).map(|d| d.arrivals).sum()
}

fn year(c: &mut Criterion) {
    let sc = district();
    let start = Instant::now();
    let out = run_replication(&sc, 0).expect("the benchmark scenario is stable");
    let secs = start.elapsed().as_secs_f64();
    let (events, orders) = (out.events, orders(&out));
    println!(
        "district, one simulated year: {events} events, {orders} orders; first run {secs:.3} s \
         ({:.2e} events/s, {:.2e} orders/s)",
        events as f64 / secs,
        orders as f64 / secs
    );

    let mut group = c.benchmark_group("year");
    group.sample_size(20);
    group.throughput(Throughput::Elements(events));
    group.bench_function("district_events", |b| {
        b.iter(|| {
            let out = run_replication(black_box(&sc), 0).expect("stable");
            assert_eq!(out.events, events, "deterministic");
            out
        })
    });
    group.throughput(Throughput::Elements(orders));
    group.bench_function("district_orders", |b| b.iter(|| run_replication(black_box(&sc), 0).expect("stable")));
    group.finish();
}

criterion_group!(benches, year);
criterion_main!(benches);
