//! Helpers shared by the integration tests.

use embedsim::scenario::overrides::{apply, parse_set};
use embedsim::scenario::{Scenario, load_table, parse_table};

/// Loads scenario `text` with dotted-key overrides applied as `--set` would apply them. Values are
/// written as TOML (`"3.5"`, `"\"county\""`, `"{ prob = 0.3 }"`); missing parent tables are created.
pub fn scenario(text: &str, overrides: &[(&str, &str)]) -> Scenario {
    let mut table = parse_table(text, "test").unwrap();
    let sets: Vec<_> = overrides
        .iter()
        .map(|(path, value)| parse_set(&format!("{path}={value}")).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    apply(&mut table, &sets).unwrap_or_else(|e| panic!("{e}"));
    load_table(table, "test", None).unwrap_or_else(|e| panic!("{e}"))
}
