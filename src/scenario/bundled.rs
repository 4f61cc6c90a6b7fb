//! The scenarios built into the binary, so that `embedsim run s-town` (or the page's list) works
//! from any folder, without the repository.

use std::path::Path;

/// The scenarios built into the binary: (id, file as named in messages, text).
pub const BUNDLED: &[(&str, &str, &str)] = &[
    (
        "classroom-overload",
        "scenarios/classroom-overload.toml",
        include_str!("../../scenarios/classroom-overload.toml"),
    ),
    ("classroom-steady", "scenarios/classroom-steady.toml", include_str!("../../scenarios/classroom-steady.toml")),
    ("classroom-tipping", "scenarios/classroom-tipping.toml", include_str!("../../scenarios/classroom-tipping.toml")),
    ("s-town", "scenarios/s-town.toml", include_str!("../../scenarios/s-town.toml")),
    ("wuzhen", "scenarios/wuzhen.toml", include_str!("../../scenarios/wuzhen.toml")),
    ("s-town-swapped", "scenarios/s-town-swapped.toml", include_str!("../../scenarios/s-town-swapped.toml")),
    (
        "c-district-hotline",
        "scenarios/c-district-hotline.toml",
        include_str!("../../scenarios/c-district-hotline.toml"),
    ),
    ("j-town", "scenarios/j-town.toml", include_str!("../../scenarios/j-town.toml")),
    ("j-town-fragmented", "scenarios/j-town-fragmented.toml", include_str!("../../scenarios/j-town-fragmented.toml")),
    ("beijing-street", "scenarios/beijing-street.toml", include_str!("../../scenarios/beijing-street.toml")),
    ("beijing-12345", "scenarios/beijing-12345.toml", include_str!("../../scenarios/beijing-12345.toml")),
];

/// The bundled scenario that `path` names when no such file exists: its id (`s-town`), or its
/// path in the repository (`scenarios/s-town.toml`), so that every command the page or `trace`
/// prints runs as printed from any folder.
pub fn named(path: &Path) -> Option<&'static (&'static str, &'static str, &'static str)> {
    let given = path.to_str()?;
    BUNDLED.iter().find(|(id, file, _)| given == *id || given == *file || given == format!("{id}.toml"))
}

/// The `description` line of a bundled scenario's text, if it has one.
pub fn description(text: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(text).ok()?;
    table.get("description")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_scenario_is_found_by_its_id_and_its_path_and_loads() {
        for (id, file, text) in BUNDLED {
            assert_eq!(named(Path::new(id)).map(|b| b.0), Some(*id));
            assert_eq!(named(Path::new(file)).map(|b| b.0), Some(*id));
            assert!(description(text).is_some(), "{id} has a description");
            crate::scenario::load_str(text, file).unwrap();
        }
        assert!(named(Path::new("no-such-town")).is_none());
    }
}
