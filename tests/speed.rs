//! One simulated year of a busy district (the `year` benchmark's scenario, about 110,000
//! orders) runs to its end with the events it should have. How long it takes is measured by the
//! benchmark (`cargo bench --bench year`, docs/PERFORMANCE.md), not asserted here: a timed test
//! fails on a loaded machine and passes a slow change on a fast one.

use embedsim::model::run_replication;
use embedsim::scenario::load_str;

#[test]
fn one_busy_year_runs() {
    let sc = load_str(include_str!("../benches/district.toml"), "benches/district.toml").unwrap();
    let out = run_replication(&sc, 0).unwrap();
    let orders: u64 = out.platforms.iter().flat_map(|p| p.days.iter()).map(|d| d.arrivals).sum();
    assert!(orders > 100_000, "a busy year: {orders} orders");
    assert!(out.events > 3 * orders, "{} events", out.events);
}
