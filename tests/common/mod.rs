//! Helpers shared by the integration tests.

use embedsim::scenario::{Scenario, load_table, parse_table};

/// Loads scenario `text` with dotted-key overrides applied to the parsed table. Values are
/// written as TOML (`"3.5"`, `"\"county\""`, `"{ prob = 0.3 }"`); missing parent tables are created.
pub fn scenario(text: &str, overrides: &[(&str, &str)]) -> Scenario {
    let mut table = parse_table(text, "test").unwrap();
    for (path, value) in overrides {
        let parts: Vec<&str> = path.split('.').collect();
        let mut t = &mut table;
        for p in &parts[..parts.len() - 1] {
            if !t.contains_key(*p) {
                t.insert(p.to_string(), toml::Value::Table(toml::Table::new()));
            }
            t = t.get_mut(*p).and_then(|v| v.as_table_mut()).unwrap_or_else(|| panic!("{p} in {path} is not a table"));
        }
        let v: toml::Table =
            toml::from_str(&format!("x = {value}")).unwrap_or_else(|e| panic!("{path} = {value}: {e}"));
        t.insert(parts[parts.len() - 1].to_string(), v["x"].clone());
    }
    load_table(table, "test", None).unwrap_or_else(|e| panic!("{e}"))
}
