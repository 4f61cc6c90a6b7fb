//! `embedsim keys` cannot drift from the validator: every key of the reference scenario has a
//! meaning and every meaning a key; every stated range holds at both ends and fails just outside
//! them; every stated default loads the same scenario as leaving the key out.

use embedsim::scenario::keys::{Key, MEANINGS, REFERENCE, dotted, every_key, put};
use embedsim::scenario::{ScenarioError, load_table};

fn reference() -> toml::Table {
    toml::from_str(REFERENCE).unwrap()
}

/// The problems the validator reports at `key` for `table` (a type error counts as one).
fn problems_at(table: toml::Table, key: &str) -> Vec<String> {
    match load_table(table, "keys", None) {
        Ok(_) => Vec::new(),
        Err(ScenarioError::Invalid { problems, .. }) => {
            problems.into_iter().filter(|p| p.key.as_deref() == Some(key)).map(|p| p.message).collect()
        }
        Err(e) => vec![e.to_string()],
    }
}

fn keys() -> Vec<Key> {
    every_key().into_iter().filter(|k| !k.path.is_empty()).collect()
}

#[test]
fn every_key_has_a_meaning_and_every_meaning_a_key() {
    let keys = keys();
    assert!(keys.len() > 150, "{} keys", keys.len());
    let missing: Vec<&str> = keys.iter().filter(|k| k.meaning.is_empty()).map(|k| k.pattern.as_str()).collect();
    assert!(missing.is_empty(), "keys without a meaning in src/scenario/keys.rs: {missing:?}");
    let stale: Vec<&str> = MEANINGS.iter().map(|m| m.0).filter(|p| !keys.iter().any(|k| k.pattern == *p)).collect();
    assert!(stale.is_empty(), "meanings of keys the reference scenario does not set: {stale:?}");
}

/// (low, low inclusive, high) of a range in the validator's words; None when it states none.
fn bounds(range: &str) -> Option<(f64, bool, Option<f64>)> {
    let num = |s: &str| -> Option<f64> {
        let s = s.trim().trim_end_matches(|c: char| !c.is_ascii_digit());
        match s.split_once('/') {
            Some((a, b)) => Some(a.trim().parse::<f64>().ok()? / b.trim().parse::<f64>().ok()?),
            None => s.parse().ok(),
        }
    };
    let word = |w: &str| range.split_once(w).map(|x| x.1);
    // "a number in (0, 1]"
    if let Some(rest) = word(" in ") {
        let open_lo = rest.starts_with('(');
        let (lo, hi) = rest.trim_matches(|c| "([])".contains(c)).split_once(',')?;
        assert!(rest.ends_with(']'), "an open upper end is not parsed here: {range}");
        return Some((num(lo)?, !open_lo, Some(num(hi)?)));
    }
    if let Some(rest) = word(" from ").or_else(|| word(" between ")) {
        let (lo, hi) = rest.split_once(" to ").or_else(|| rest.split_once(" and "))?;
        let lo = lo.split(" (").next()?;
        return Some((num(lo)?, true, Some(num(hi.split_whitespace().next()?)?)));
    }
    if let Some(rest) = word(">= ") {
        return Some((num(rest)?, true, None));
    }
    word("> ").and_then(|rest| Some((num(rest)?, false, None)))
}

#[test]
fn every_stated_range_holds_at_both_ends_and_fails_just_outside() {
    let table = reference();
    let mut checked = 0;
    for k in keys().iter().filter(|k| k.kind == "whole number" || k.kind == "number") {
        let Some((lo, inclusive, hi)) = bounds(&k.range) else {
            assert!(k.range.is_empty(), "{}: a range that says no bounds: {}", k.pattern, k.range);
            continue;
        };
        let key = dotted(&k.path);
        let whole = k.kind == "whole number";
        let value = |x: f64| if whole { toml::Value::Integer(x as i64) } else { toml::Value::Float(x) };
        let step = |x: f64| if whole { 1.0 } else { (x.abs() * 1e-6).max(1e-6) };
        let with = |x: f64| {
            let mut t = table.clone();
            assert!(put(&mut t, &k.path, Some(value(x))), "{key}");
            problems_at(t, &key)
        };
        // Inside: nothing the validator says at this key repeats the range (another rule, such
        // as a warm-up shorter than the run, may still speak).
        let inside_lo = if inclusive { lo } else { lo + step(lo) };
        for x in [Some(inside_lo), hi].into_iter().flatten() {
            let said = with(x);
            assert!(!said.iter().any(|m| m.contains(&k.range)), "{key} = {x} is inside `{}` but: {said:?}", k.range);
        }
        // Outside: refused.
        let below = if inclusive { lo - step(lo) } else { lo };
        assert!(!with(below).is_empty(), "{key} = {below} is outside `{}` but accepted", k.range);
        if let Some(hi) = hi {
            let above = hi + step(hi);
            assert!(!with(above).is_empty(), "{key} = {above} is outside `{}` but accepted", k.range);
        }
        checked += 1;
    }
    assert!(checked > 100, "checked {checked} ranges");
}

#[test]
fn every_stated_default_is_what_leaving_the_key_out_gives() {
    let table = reference();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for k in keys() {
        let key = dotted(&k.path);
        let mut without = table.clone();
        assert!(put(&mut without, &k.path, None), "{key}");
        match k.default {
            "required" => {
                if load_table(without, "keys", None).is_ok() {
                    wrong.push(format!("{key} is said to be required, but it loads without"));
                }
            }
            "none" | "slack" => {
                if let Err(e) = load_table(without, "keys", None) {
                    wrong.push(format!("{key} is said to be optional (default {}), but: {e}", k.default));
                }
            }
            d => {
                let value = match (d, k.kind) {
                    ("true", _) => toml::Value::Boolean(true),
                    ("false", _) => toml::Value::Boolean(false),
                    (_, "whole number") => toml::Value::Integer(d.parse().unwrap()),
                    (_, "number") => toml::Value::Float(d.parse().unwrap()),
                    _ => toml::Value::String(d.into()),
                };
                let mut with = table.clone();
                put(&mut with, &k.path, Some(value));
                match (load_table(with, "keys", None), load_table(without, "keys", None)) {
                    (Ok(a), Ok(b)) if format!("{a:?}") == format!("{b:?}") => checked += 1,
                    (Ok(_), Ok(_)) => {
                        wrong.push(format!("{key}: the stated default {d} is not what leaving it out gives"))
                    }
                    // A default that another key forbids here: both ways give the same refusal.
                    (Err(a), Err(b)) if a.to_string() == b.to_string() => {}
                    (a, b) => wrong.push(format!(
                        "{key}: with {d}: {:?}; left out: {:?}",
                        a.err().map(|e| e.to_string()),
                        b.err().map(|e| e.to_string())
                    )),
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{} stated defaults disagree with the validator:\n{}", wrong.len(), wrong.join("\n"));
    assert!(checked > 60, "checked {checked} defaults");
}

/// What a user sees: each key with its type, range and default, its meaning, and with a
/// scenario the value it sets.
#[test]
fn the_command_lists_every_key_and_a_scenarios_values() {
    let out = assert_cmd::cargo::cargo_bin_cmd!("embedsim").args(["keys", "s-town"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("departments.<id>.staff  (whole number, a whole number from 1 to 100000; default: required)"),
        "{text}"
    );
    assert!(text.contains("decisions.sanction.leader  (number, a number from 0 to 20; default: 6.5)"), "{text}");
    assert!(text.contains("here: leaders.secretary.attention_hours_per_day = 4"), "{text}");
    assert_eq!(text.lines().filter(|l| !l.starts_with(' ') && l.contains("; default: ")).count(), every_key().len());
}
