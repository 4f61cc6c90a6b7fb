//! Property tests over `--set` paths and the page's API bodies (issue 31): deep paths, odd
//! characters, huge arrays, big `copies`, bodies of any shape. Every case is refused cleanly or
//! accepted — never a panic, a stack overflow or an allocation that takes the process down — and
//! within a time bound. Budget: 20,000 cases of each kind from a fixed seed, about two minutes on 2
//! cores in CI (`EMBEDSIM_FUZZ_CASES` raises it for a longer hunt).

use std::time::{Duration, Instant};

use embedsim::scenario::bundled::BUNDLED;
use embedsim::scenario::overrides::{load_variant_str, parse_set, parse_unset};
use embedsim::serve::api::{RunRequest, prepare, sources};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

fn cases() -> u32 {
    std::env::var("EMBEDSIM_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000)
}

/// Key path parts: real keys, chosen names that exist and do not, odd and invisible text.
fn part() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("departments".to_string()),
        Just("platforms".to_string()),
        Just("townships".to_string()),
        Just("copies".to_string()),
        Just("staff".to_string()),
        Just("route".to_string()),
        Just("hotline".to_string()),
        Just("dongcheng".to_string()),
        Just("simulation".to_string()),
        Just("duration_days".to_string()),
        Just("decisions".to_string()),
        Just("take_up".to_string()),
        Just("display".to_string()),
        Just("zh".to_string()),
        "[a-z_]{1,12}",
        "\\PC{1,6}",
        Just("\u{200b}".to_string()),
        Just(String::new()),
    ]
}

/// Values: numbers at the edges, strings, arrays long and deep, inline tables, broken TOML.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("20000".to_string()),
        Just("-1".to_string()),
        Just("1e308".to_string()),
        Just("nan".to_string()),
        Just("73000".to_string()),
        Just("0.5".to_string()),
        Just("\"x\"".to_string()),
        (1usize..20_000).prop_map(|n| format!("[{}]", vec!["\"dongcheng_bureau\""; n].join(","))),
        (1usize..2_000).prop_map(|n| format!("{}1{}", "[".repeat(n), "]".repeat(n))),
        (1usize..500).prop_map(|n| format!("{}{}", "{ a = ".repeat(n), "1".to_string() + &" }".repeat(n))),
        Just("{ staff = 3 }".to_string()),
        Just("[".to_string()),
        "\\PC{0,40}",
    ]
}

/// A `--set` argument: a path of 1 to 40 parts (sometimes thousands) and a value.
fn set_arg() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => (prop::collection::vec(part(), 1..40), value()).prop_map(|(p, v)| format!("{}={v}", p.join("."))),
        1 => (100usize..30_000).prop_map(|n| format!("{}=1", vec!["a"; n].join("."))),
    ]
}

fn scenario_text(i: usize) -> (&'static str, &'static str, &'static str) {
    BUNDLED[i % BUNDLED.len()]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(20261207),
        ..ProptestConfig::default()
    })]

    /// `--set` and `--unset` on the command line's loader: a clean answer, quickly.
    #[test]
    fn any_set_is_answered_cleanly(sets in prop::collection::vec(set_arg(), 1..4), unset in part(), which in 0usize..100) {
        let (_, file, text) = scenario_text(which);
        let start = Instant::now();
        let mut overrides = Vec::new();
        for s in &sets {
            if let Ok(o) = parse_set(s) {
                overrides.push(o);
            }
        }
        if let Ok(o) = parse_unset(&unset) {
            overrides.push(o);
        }
        if let Err(e) = load_variant_str(text, file, &overrides) {
            let message = e.to_string();
            prop_assert!(message.len() < 200_000, "{} bytes of message", message.len());
        }
        prop_assert!(start.elapsed() < Duration::from_secs(20), "{:?} for {sets:?}", start.elapsed());
    }

    /// The page's API: any JSON body the server accepts is prepared (checked, estimated) or
    /// refused with a message, never a panic.
    #[test]
    fn any_page_body_is_answered_cleanly(
        sets in prop::collection::vec(set_arg(), 0..4),
        unset in prop::collection::vec(part(), 0..2),
        which in 0usize..100,
        seed in prop::option::of(any::<u64>()),
        replications in prop::option::of(0u32..40),
        control in any::<bool>(),
    ) {
        let (id, _, _) = scenario_text(which);
        let body = serde_json::json!({
            "scenario": id, "set": sets, "unset": unset, "seed": seed, "replications": replications, "control": control,
        })
        .to_string();
        let start = Instant::now();
        if let Ok(req) = serde_json::from_str::<RunRequest>(&body) {
            if let Err(e) = prepare(&req, &sources(Vec::new())) {
                prop_assert!(!e.to_string().is_empty());
            }
        }
        prop_assert!(start.elapsed() < Duration::from_secs(20), "{:?}", start.elapsed());
    }
}
