//! The memory a run holds does not grow with the days it simulates when it keeps only what its
//! summary needs (`run --series none`, a sweep's points), but for the few bytes a platform-day
//! it states (`DayRecords::Summary`: 32 a platform-day with a warm-up metric of its own, 48 a day
//! for the township); a run that keeps every day grows by its records. Measured with a counting global allocator: the peak of
//! bytes allocated at once during one replication (its result included) at two lengths.
//!
//! One test in its own binary: the allocator counts every thread of the process.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use embedsim::metrics::collector::PlatformDay;
use embedsim::model::run_replication;
use embedsim::scenario::bundled::named;
use embedsim::scenario::overrides::{load_variant_str, parse_set};
use embedsim::scenario::{DayRecords, Scenario};

struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn scenario(id: &str, days: u32, records: DayRecords) -> Scenario {
    let (_, file, text) = named(Path::new(id)).unwrap();
    let set = parse_set(&format!("simulation.duration_days={days}")).unwrap();
    let mut sc = load_variant_str(text, file, &[set]).unwrap();
    sc.simulation.day_records = records;
    sc
}

/// Bytes held at the peak of one replication, above what was held before it.
fn peak_of(sc: &Scenario) -> usize {
    let before = NOW.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let out = run_replication(sc, 0).unwrap();
    drop(out);
    PEAK.load(Ordering::Relaxed) - before
}

#[test]
fn a_lean_run_holds_the_same_memory_however_many_days() {
    let lean = || DayRecords::Summary { warmup_metric: "staff_hours".into() };
    let (short, long) = (1_000u32, 4_000u32);
    let mut report = Vec::new();
    for id in ["s-town", "classroom-overload", "c-district-hotline"] {
        let platforms = scenario(id, short, lean()).platforms.len();
        let a = peak_of(&scenario(id, short, lean()));
        let b = peak_of(&scenario(id, long, lean()));
        let stated = (long - short) as usize * (platforms * 32 + 48);
        // The trail is made with room for the run's days; twice the stated bytes and 64 KB
        // leave room for the allocator's rounding, not for records of every day (about 200 bytes
        // a platform-day, about six times the trail's; the counterfactual below).
        let allowed = 2 * stated + 64 * 1024;
        report.push(format!("{id}: lean {short} days {a} B, {long} days {b} B, growth allowed {allowed} B"));
        assert!(b <= a + allowed, "{}", report.join("\n"));
        // The counterfactual: keeping every day grows by at least the platforms' records.
        let fa = peak_of(&scenario(id, short, DayRecords::All));
        let fb = peak_of(&scenario(id, long, DayRecords::All));
        let records = (long - short) as usize * platforms * std::mem::size_of::<PlatformDay>();
        report.push(format!("{id}: full {short} days {fa} B, {long} days {fb} B"));
        assert!(fb >= fa + records, "{}", report.join("\n"));
        assert!(b - a.min(b) < (fb - fa) / 4, "{}", report.join("\n"));
    }
    eprintln!("{}", report.join("\n"));
}
