//! One simulated year of a busy district (the `year` benchmark's scenario, about 110,000
//! orders) must take well under a second in release. The benchmark measures ~0.12 s on a
//! 2-core machine; the limit leaves room for a loaded machine while catching an accidental
//! quadratic (a linear scan of open orders per event would take minutes).

use std::time::{Duration, Instant};

use embedsim::model::run_replication;
use embedsim::scenario::load_str;

#[test]
fn one_busy_year_well_under_a_second() {
    let sc = load_str(include_str!("../benches/district.toml"), "benches/district.toml").unwrap();
    let start = Instant::now();
    let out = run_replication(&sc, 0).unwrap();
    let elapsed = start.elapsed();
    let orders: u64 = out.platforms.iter().flat_map(|p| p.days.iter()).map(|d| d.arrivals).sum();
    assert!(orders > 100_000, "a busy year: {orders} orders");
    assert!(out.events > 3 * orders, "{} events", out.events);
    // Unoptimised builds are some 10-20 times slower; the limit is for `cargo test --release`.
    let limit = if cfg!(debug_assertions) { Duration::from_secs(30) } else { Duration::from_secs(1) };
    assert!(elapsed < limit, "one simulated year took {elapsed:?}");
}
