//! `--set KEY=VALUE` and `--unset KEY`: a variant of a scenario in one command, not a copied file.
//!
//! Keys are the dotted paths of the scenario file (`leaders.secretary.attention_hours_per_day`);
//! values are written in TOML (`4.5`, `true`, `"petition"`, `{ prob = 0.8 }`, `[1, 2]`). The
//! edited table is validated exactly as a file would be, so an unknown key or a bad value gets
//! the usual message, naming the key.

use std::fmt;
use std::path::Path;

use super::{Located, Scenario, ScenarioError, load_str, spans};

/// One change to a scenario table.
#[derive(Clone, Debug, PartialEq)]
pub enum Override {
    /// Set `path` to `value`, creating tables on the way.
    Set {
        /// Dotted key path.
        path: String,
        /// The new value.
        value: toml::Value,
    },
    /// Remove `path` (a key or a whole table: switch a mechanism off).
    Unset {
        /// Dotted key path.
        path: String,
    },
}

impl Override {
    /// The key path it changes.
    pub fn path(&self) -> &str {
        match self {
            Override::Set { path, .. } | Override::Unset { path } => path,
        }
    }
}

impl fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Override::Set { path, value } => write!(f, "--set {path}={value}"),
            Override::Unset { path } => write!(f, "--unset {path}"),
        }
    }
}

/// Why an override could not be read or applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OverrideError {
    /// Not of the form `KEY=VALUE`.
    #[error("--set {0}: expected KEY=VALUE, for example --set leaders.secretary.attention_hours_per_day=2.5")]
    Form(String),
    /// A key path with an empty part or characters a path cannot have.
    #[error("{arg}: `{path}` is not a key path (expected dotted keys such as platforms.minhu.deadline_days)")]
    Path {
        /// The argument.
        arg: String,
        /// The path.
        path: String,
    },
    /// The value is not TOML.
    #[error("--set {path}={text}: the value is not TOML ({message}); strings need quotes: \"petition\"")]
    Value {
        /// The path.
        path: String,
        /// The value as given.
        text: String,
        /// The parser's words.
        message: String,
    },
    /// A part of the path is a value, not a table.
    #[error("{arg}: `{prefix}` is {kind} in the scenario, not a table")]
    NotTable {
        /// The argument.
        arg: String,
        /// The path up to the value.
        prefix: String,
        /// What it is.
        kind: &'static str,
    },
    /// `--unset` of a key the scenario does not have.
    #[error("--unset {0}: the scenario has no such key")]
    Missing(String),
    /// A dotted path into a named entity (a department, a platform, ...) the scenario does not
    /// have: a misspelt name would otherwise create a new entity and change nothing the user meant.
    #[error(
        "{arg}: the scenario has no {map} `{name}`{}; a new one is added only with its whole table, for example --set '{map}.{name}={{ ... }}'",
        suggestion.as_ref().map_or(String::new(), |s| format!(" (did you mean `{s}`?)"))
    )]
    UnknownEntity {
        /// The argument.
        arg: String,
        /// The table of entities, as a path (`departments`, `templates.street.departments`).
        map: String,
        /// The name given.
        name: String,
        /// The nearest name the scenario has, as a full path with the rest of the key.
        suggestion: Option<String>,
    },
}

/// Tables whose keys are names the scenario chooses (entities), not keys of the format.
const NAMED: [&str; 7] = ["departments", "platforms", "leaders", "villages", "categories", "templates", "townships"];

/// The name in `names` nearest to `name` (edit distance at most a third of its length, and at
/// least 1), if any; ties go to the first in order.
pub fn nearest<'a>(name: &str, names: impl Iterator<Item = &'a String>) -> Option<&'a String> {
    let limit = (name.chars().count() / 3).max(1);
    names.map(|n| (distance(name, n), n)).filter(|(d, _)| *d <= limit).min_by_key(|(d, _)| *d).map(|(_, n)| n)
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = (prev + (ca != *cb) as usize).min(row[j] + 1).min(here + 1);
            prev = here;
        }
    }
    row[b.len()]
}

/// A table of changes written with quoted dotted keys or as nested tables (`[set]` of a sweep,
/// `set` of a township): every leaf as (dotted path, value), in key order.
pub fn flatten(t: &toml::Table) -> Vec<(String, toml::Value)> {
    let mut out = Vec::new();
    for (k, v) in t {
        match v {
            toml::Value::Table(sub) => out.extend(flatten(sub).into_iter().map(|(p, v)| (format!("{k}.{p}"), v))),
            _ => out.push((k.clone(), v.clone())),
        }
    }
    out
}

/// The value at dotted `path` in `table`, if every step exists (each step before the last a
/// table).
pub fn lookup<'t>(table: &'t toml::Table, path: &str) -> Option<&'t toml::Value> {
    let (last, parents) = path.rsplit_once('.').map_or((path, None), |(p, l)| (l, Some(p)));
    let mut t = table;
    for k in parents.into_iter().flat_map(|p| p.split('.')) {
        t = t.get(k)?.as_table()?;
    }
    t.get(last)
}

/// Reads `KEY=VALUE` (the value in TOML syntax).
pub fn parse_set(arg: &str) -> Result<Override, OverrideError> {
    let Some((path, text)) = arg.split_once('=') else { return Err(OverrideError::Form(arg.to_string())) };
    let path = path.trim();
    check_path(&format!("--set {arg}"), path)?;
    let text = text.trim();
    let doc: toml::Table = toml::from_str(&format!("v = {text}")).map_err(|e| OverrideError::Value {
        path: path.to_string(),
        text: text.to_string(),
        message: e.message().trim().to_string(),
    })?;
    let value = doc.get("v").cloned().ok_or_else(|| OverrideError::Form(arg.to_string()))?;
    Ok(Override::Set { path: path.to_string(), value })
}

/// Reads a `--unset` key path.
pub fn parse_unset(path: &str) -> Result<Override, OverrideError> {
    let path = path.trim();
    check_path(&format!("--unset {path}"), path)?;
    Ok(Override::Unset { path: path.to_string() })
}

/// The most parts a key path may have: the deepest key of the format has six
/// (`platforms.<id>.desk.dispatch_hours.dist` and the like); a township's `set` adds a few.
pub const MAX_PATH_PARTS: usize = 16;

fn check_path(arg: &str, path: &str) -> Result<(), OverrideError> {
    // Checked before anything is built from it: a path of thousands of parts would nest as many
    // tables, and reading them back overflows the stack (a catchable panic it is not).
    if path.split('.').count() > MAX_PATH_PARTS {
        return Err(OverrideError::Path {
            arg: crate::text::shortened(arg, 80),
            path: format!(
                "{} ({} parts; at most {MAX_PATH_PARTS})",
                crate::text::shortened(path, 60),
                path.split('.').count()
            ),
        });
    }
    let ok = !path.is_empty()
        && path.split('.').all(|k| !k.is_empty() && k.chars().all(|c| !c.is_control() && c != '=' && c != ' '));
    if ok { Ok(()) } else { Err(OverrideError::Path { arg: arg.to_string(), path: path.to_string() }) }
}

/// Applies `overrides` to `table`, in order. A dotted path through a named entity (a department,
/// a platform, ...) must name one the table has: a new entity comes only with its whole table.
pub fn apply(table: &mut toml::Table, overrides: &[Override]) -> Result<(), OverrideError> {
    apply_with(table, overrides, true)
}

/// [`apply`] without the named-entity check: for a township's own `set`, `list` and `vary`
/// tables, whose nested tables are flattened to dotted paths (so that a township may add a
/// department to its template).
pub fn apply_lenient(table: &mut toml::Table, overrides: &[Override]) -> Result<(), OverrideError> {
    apply_with(table, overrides, false)
}

fn apply_with(table: &mut toml::Table, overrides: &[Override], check: bool) -> Result<(), OverrideError> {
    for o in overrides {
        let keys: Vec<&str> = o.path().split('.').collect();
        let (last, parents) = keys.split_last().expect("checked paths are not empty");
        let mut t = &mut *table;
        // Names are checked in the scenario's own tables, not in tables this path creates nor in
        // a township's tables of changes (`set`, `list`, `vary`), whose keys are paths.
        let mut checking = check;
        for (i, k) in parents.iter().enumerate() {
            if i > 0 && matches!(keys[i - 1], "set" | "list" | "vary") {
                checking = false;
            }
            // A dotted path through a named entity must name one that exists.
            if let (Override::Set { .. }, true) = (o, checking && i > 0 && NAMED.contains(&keys[i - 1])) {
                if !t.contains_key(*k) {
                    let suggestion = nearest(k, t.keys())
                        .map(|n| [&keys[..i], &[n.as_str()][..], &keys[i + 1..]].concat().join("."));
                    return Err(OverrideError::UnknownEntity {
                        arg: o.to_string(),
                        map: keys[..i].join("."),
                        name: k.to_string(),
                        suggestion,
                    });
                }
            }
            if !t.contains_key(*k) {
                checking = false;
            }
            let entry = match o {
                Override::Set { .. } => {
                    t.entry(k.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()))
                }
                Override::Unset { path } => t.get_mut(*k).ok_or_else(|| OverrideError::Missing(path.clone()))?,
            };
            t = match entry {
                toml::Value::Table(sub) => sub,
                other => {
                    return Err(OverrideError::NotTable {
                        arg: o.to_string(),
                        prefix: keys[..=i].join("."),
                        kind: kind(other),
                    });
                }
            };
        }
        match o {
            Override::Set { value, .. } => {
                let value = match (t.get(*last), value) {
                    // Keep the file's number type: `staff = 10` takes `--set ...staff=12.0`.
                    (Some(toml::Value::Integer(_)), toml::Value::Float(f)) if f.fract() == 0.0 && f.abs() < 9e15 => {
                        toml::Value::Integer(*f as i64)
                    }
                    (Some(toml::Value::Float(_)), toml::Value::Integer(i)) => toml::Value::Float(*i as f64),
                    _ => value.clone(),
                };
                t.insert(last.to_string(), value);
            }
            Override::Unset { path } => {
                t.remove(*last).ok_or_else(|| OverrideError::Missing(path.clone()))?;
            }
        }
    }
    Ok(())
}

fn kind(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a float",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "an array",
        toml::Value::Table(_) => "a table",
    }
}

/// Why a scenario with overrides could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum VariantError {
    /// The file itself, or the variant, is invalid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// An override could not be applied.
    #[error("{file}: cannot apply the command line's changes")]
    Override {
        /// The scenario file.
        file: String,
        /// What was wrong.
        #[source]
        source: OverrideError,
    },
}

/// Loads the scenario at `path` with `overrides` applied. Problems in the file keep their lines;
/// problems at an overridden key say so.
pub fn load_variant(path: &Path, overrides: &[Override]) -> Result<Scenario, VariantError> {
    let text = super::read_text(path)?;
    load_variant_str(&text, &path.display().to_string(), overrides)
}

/// [`load_variant`] for a scenario already read: `text` is its TOML, `file` the name that
/// messages give it (the classroom page's bundled scenarios are not files on disk).
pub fn load_variant_str(text: &str, file: &str, overrides: &[Override]) -> Result<Scenario, VariantError> {
    let (text, file) = (text.to_string(), file.to_string());
    if overrides.is_empty() {
        return Ok(load_str(&text, &file)?);
    }
    let mut table = super::parse_table(&text, &file)?;
    apply(&mut table, overrides).map_err(|source| VariantError::Override { file: file.clone(), source })?;
    // A valid variant loads from the edited table directly; the text round trip below is kept
    // for the messages of one that is not (their keys and lines).
    if let Ok(sc) = super::load_table(table.clone(), &file, None) {
        return Ok(sc);
    }
    let edited = toml::to_string(&table).expect("a TOML table serialises");
    let relocate = |p: &Located| {
        let key = p.key.clone();
        let from_flag = key
            .as_deref()
            .and_then(|k| overrides.iter().find(|o| k == o.path() || k.starts_with(&format!("{}.", o.path()))));
        match from_flag {
            // The change as typed, shortened: a 140 KB value once came back in each of 10,000
            // problems.
            Some(o) => Located {
                key,
                line: None,
                message: format!("{} (from {})", p.message, crate::text::shortened(&o.to_string(), 200)),
            },
            None => Located {
                line: key.as_deref().and_then(|k| spans::line_of_path(&text, k)),
                key,
                message: p.message.clone(),
            },
        }
    };
    load_str(&edited, &file).map_err(|e| {
        VariantError::Scenario(match e {
            ScenarioError::Toml { file, problem } => ScenarioError::Toml { file, problem: relocate(&problem) },
            ScenarioError::Invalid { file, problems } => {
                ScenarioError::Invalid { file, problems: problems.iter().map(relocate).collect() }
            }
            other => other,
        })
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn names_are_checked_only_in_the_scenarios_own_tables() {
        let base: toml::Table = toml::from_str(
            "[departments.office]\nstaff = 3\n[townships.t]\ntemplate = \"street\"\nset = { \"departments.office.staff\" = 2 }\n",
        )
        .unwrap();
        let set = |path: &str| {
            let mut t = base.clone();
            apply(&mut t, &[parse_set(&format!("{path}=4")).unwrap()])
        };
        assert!(matches!(set("departments.ofice.staff"), Err(OverrideError::UnknownEntity { .. })));
        assert!(set("departments.office.staff").is_ok());
        // Inside a township's table of changes, and in a table the path itself creates.
        assert!(set("townships.t.set.departments.archive.staff").is_ok());
        assert!(set("decisions.refusals.max_returns").is_ok());
        // A new township, like any entity, only with its whole table.
        assert!(matches!(set("townships.u.copies"), Err(OverrideError::UnknownEntity { .. })));
        // The lenient form adds what it names.
        let mut t = base.clone();
        apply_lenient(&mut t, &[parse_set("departments.archive.staff=2").unwrap()]).unwrap();
        assert_eq!(t["departments"]["archive"]["staff"].as_integer(), Some(2));
    }

    #[test]
    fn the_nearest_name_is_within_a_third_of_its_length() {
        let names: Vec<String> = ["enforcement", "emergency", "economy"].map(String::from).to_vec();
        assert_eq!(super::nearest("enforcment", names.iter()).map(String::as_str), Some("enforcement"));
        assert_eq!(super::nearest("econmy", names.iter()).map(String::as_str), Some("economy"));
        assert_eq!(super::nearest("finance", names.iter()), None);
        assert_eq!(super::distance("kitten", "sitting"), 3);
        assert_eq!(super::distance("", "abc"), 3);
    }

    /// A variant read straight from its edited table is the one the edited table's text gave,
    /// for every scenario shipped (with and without townships), every field, every float.
    #[test]
    fn a_variant_reads_as_its_text_does() {
        let root = env!("CARGO_MANIFEST_DIR");
        let files = [
            "beijing-12345",
            "beijing-street",
            "s-town",
            "s-town-swapped",
            "c-district-hotline",
            "j-town",
            "j-town-fragmented",
            "wuzhen",
            "classroom-overload",
            "classroom-steady",
            "classroom-tipping",
            "validation/mm3",
            "validation/tandem",
            "validation/mg1-lognormal",
        ];
        let set = [parse_set("simulation.seed=3").unwrap()];
        for f in files {
            let file = format!("scenarios/{f}.toml");
            let text = std::fs::read_to_string(format!("{root}/{file}")).unwrap();
            let direct = load_variant_str(&text, &file, &set).unwrap();
            let mut table = super::super::parse_table(&text, &file).unwrap();
            apply(&mut table, &set).unwrap();
            let by_text = load_str(&toml::to_string(&table).unwrap(), &file).unwrap();
            assert_eq!(format!("{direct:?}"), format!("{by_text:?}"), "{file}");
        }
    }

    use super::*;

    #[test]
    fn parses_toml_values() {
        assert_eq!(parse_set("a.b=2.5").unwrap(), Override::Set { path: "a.b".into(), value: toml::Value::Float(2.5) });
        assert!(matches!(parse_set("a.b={ prob = 0.8 }").unwrap(), Override::Set { value: toml::Value::Table(_), .. }));
        assert!(matches!(parse_set("a.b").unwrap_err(), OverrideError::Form(_)));
        assert!(matches!(parse_set("a..b=1").unwrap_err(), OverrideError::Path { .. }));
        // Thousands of parts are refused before any table is built (they overflowed the stack).
        let deep = format!("{}=1", vec!["a"; 30_000].join("."));
        let e = parse_set(&deep).unwrap_err().to_string();
        assert!(e.contains("30000 parts; at most 16") && e.len() < 400, "{e}");
        assert!(matches!(parse_set("a.b=petition").unwrap_err(), OverrideError::Value { .. }));
    }

    #[test]
    fn sets_creates_and_unsets() {
        let mut t: toml::Table = toml::from_str("[d.x]\nstaff = 3\nrate = 1.0\n").unwrap();
        let o = [
            parse_set("d.x.staff=6.0").unwrap(),
            parse_set("d.x.rate=2").unwrap(),
            parse_set("d.y.stress.build=0.1").unwrap(),
            parse_unset("d.x.rate").unwrap(),
        ];
        apply(&mut t, &o[..3]).unwrap();
        assert_eq!(t["d"]["x"]["staff"], toml::Value::Integer(6));
        assert_eq!(t["d"]["x"]["rate"], toml::Value::Float(2.0));
        assert_eq!(t["d"]["y"]["stress"]["build"], toml::Value::Float(0.1));
        apply(&mut t, &o[3..]).unwrap();
        assert!(t["d"]["x"].get("rate").is_none());
        assert!(matches!(apply(&mut t, &o[3..]).unwrap_err(), OverrideError::Missing(_)));
        let err = apply(&mut t, &[parse_set("d.x.staff.more=1").unwrap()]).unwrap_err();
        assert!(matches!(err, OverrideError::NotTable { .. }), "{err}");
    }
}
