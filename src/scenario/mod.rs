//! Scenario files: TOML → raw serde mirror → validated [`Scenario`].

pub mod bundled;
pub mod display;
pub mod keys;
pub mod model;
pub mod overrides;
pub mod raw;
pub mod spans;
pub mod townships;
pub mod validate;

use std::fmt;
use std::path::Path;

pub use model::*;

/// Whether two scenarios are the same model: equal in everything but their name, description and origin
/// (a `compare` of the two can only find differences of 0).
pub fn same_model(a: &Scenario, b: &Scenario) -> bool {
    let mut b = b.clone();
    b.name.clone_from(&a.name);
    b.description.clone_from(&a.description);
    b.origin.clone_from(&a.origin);
    format!("{a:?}") == format!("{b:?}")
}
pub use validate::Problem;

use raw::RawScenario;

/// A problem located in a file: key path, line when known, message.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    /// Dotted key path, when known.
    pub key: Option<String>,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "{}: ", crate::text::printable(key))?;
        }
        write!(f, "{}", crate::text::printable(&self.message))
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario {file}")]
    Io {
        /// The path.
        file: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("{file}: line {}: {}", problem.line, problem.message)]
    Encoding {
        /// The path.
        file: String,
        /// Where (byte offset and line) and what.
        problem: spans::NotText,
    },
    /// TOML syntax, an unknown key, a missing key or a wrong type.
    #[error("{file}: {problem}")]
    Toml {
        /// The path.
        file: String,
        /// Where and what.
        problem: Located,
    },
    /// Values that parse but make no sense (negative staff, NaN rates, unknown departments...).
    #[error("{file}: {} problem{}:\n{}", problems.len(), if problems.len() == 1 { "" } else { "s" }, list(problems))]
    Invalid {
        /// The path.
        file: String,
        /// Every problem found.
        problems: Vec<Located>,
    },
}

fn list(problems: &[Located]) -> String {
    problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n")
}

impl ScenarioError {
    /// Every located problem (one for TOML errors).
    pub fn problems(&self) -> Vec<&Located> {
        match self {
            ScenarioError::Io { .. } | ScenarioError::Encoding { .. } => Vec::new(),
            ScenarioError::Toml { problem, .. } => vec![problem],
            ScenarioError::Invalid { problems, .. } => problems.iter().collect(),
        }
    }
}

/// Reads and validates the scenario at `path`.
pub fn load_path(path: &Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = read_text(path)?;
    load_str(&text, &file)
}

/// Reads a text file (a scenario, a sweep), saying where it is not UTF-8.
pub fn read_text(path: &Path) -> Result<String, ScenarioError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ScenarioError::Io { file: file.clone(), source })?;
    spans::decode(&bytes).map(str::to_string).map_err(|problem| ScenarioError::Encoding { file, problem })
}

/// Parses and validates scenario `text`; `origin` names it in messages.
pub fn load_str(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
    if text.contains("townships") || text.contains("templates") {
        return load_expanded(parse_table(text, origin)?, origin, Some(text));
    }
    let raw: RawScenario = toml::from_str(text).map_err(|e| toml_error(&e, text, origin))?;
    validate_raw(&raw, origin, Some(text), None)
}

/// Expands `[templates]` and `[townships]`, then validates as usual. A problem in an entity that
/// came from a template is reported at the template's key, naming the township, with its line.
fn load_expanded(mut table: toml::Table, origin: &str, text: Option<&str>) -> Result<Scenario, ScenarioError> {
    let seed = expansion_seed(&table);
    let relocate = |exp: Option<&townships::Expansion>, key: Option<String>, message: String| {
        let from = key.as_deref().and_then(|k| exp.and_then(|e| e.origin_of(k)));
        match from {
            Some((template_key, township)) => Located {
                line: text.and_then(|t| spans::line_of_path(t, &template_key)),
                key: Some(template_key),
                message: format!("{message} (township {township})"),
            },
            None => Located {
                line: text.and_then(|t| key.as_deref().and_then(|k| spans::line_of_path(t, k))),
                key,
                message,
            },
        }
    };
    // Kept to expand again should the expanded table not read: the table as written is small
    // beside what it expands to (a template and its copies), and cloning the expanded one for an
    // error path was a twentieth of loading a big world.
    let written = table.clone();
    let exp = townships::expand(&mut table, seed).map_err(|problems| ScenarioError::Invalid {
        file: origin.to_string(),
        problems: validate::collapse(problems).into_iter().map(|p| relocate(None, Some(p.key), p.message)).collect(),
    })?;
    // The usual case, a valid scenario: read the expanded table as it is. Writing it out as text
    // and parsing that again costs more than the rest of loading together for a big world (0.2 s
    // at 3,430 streets: the writer is slower than linear); the text is needed only to say where
    // a problem is, so only a table that does not read goes that way.
    let raw: RawScenario = match toml::Value::Table(table).try_into() {
        Ok(raw) => raw,
        Err(_) => {
            let mut table = written;
            // The same expansion as above (it is deterministic), which succeeded there.
            let _ = townships::expand(&mut table, seed);
            let edited = toml::to_string(&table).expect("a TOML table serialises");
            toml::from_str(&edited).map_err(|e| match toml_error(&e, &edited, origin) {
                ScenarioError::Toml { file, problem } => {
                    ScenarioError::Toml { file, problem: relocate(exp.as_ref(), problem.key, problem.message) }
                }
                other => other,
            })?
        }
    };
    validate::validate(&raw, origin, exp.as_ref()).map_err(|problems| ScenarioError::Invalid {
        file: origin.to_string(),
        problems: problems.into_iter().map(|p| relocate(exp.as_ref(), Some(p.key), p.message)).collect(),
    })
}

/// The seed the townships' expansion draws with: the scenario's, or 1 (its default).
fn expansion_seed(table: &toml::Table) -> u64 {
    table.get("simulation").and_then(|s| s.get("seed")).and_then(|v| v.as_integer()).map_or(1, |s| s.max(0) as u64)
}

/// Parses `text` into a plain TOML table (for tools that edit scenarios, like sweeps).
pub fn parse_table(text: &str, origin: &str) -> Result<toml::Table, ScenarioError> {
    toml::from_str(text).map_err(|e| toml_error(&e, text, origin))
}

/// Validates an already-parsed table; `text`, when given, is used to find lines.
pub fn load_table(table: toml::Table, origin: &str, text: Option<&str>) -> Result<Scenario, ScenarioError> {
    if table.contains_key("townships") || table.contains_key("templates") {
        return load_expanded(table, origin, text);
    }
    let raw: RawScenario = toml::Value::Table(table).try_into().map_err(|e: toml::de::Error| {
        let message = e.message().trim();
        // An unknown key from a table (a sweep's point, a study's): the nearest key too.
        let message = message
            .strip_prefix("unknown field `")
            .and_then(unknown_key_in_words)
            .unwrap_or_else(|| message.to_string());
        ScenarioError::Toml { file: origin.to_string(), problem: Located { key: None, line: None, message } }
    })?;
    validate_raw(&raw, origin, text, None)
}

fn validate_raw(
    raw: &RawScenario,
    origin: &str,
    text: Option<&str>,
    exp: Option<&townships::Expansion>,
) -> Result<Scenario, ScenarioError> {
    validate::validate(raw, origin, exp).map_err(|problems| ScenarioError::Invalid {
        file: origin.to_string(),
        problems: problems
            .into_iter()
            .map(|p| Located {
                line: text.and_then(|t| spans::line_of_path(t, &p.key)),
                key: Some(p.key),
                message: p.message,
            })
            .collect(),
    })
}

fn toml_error(e: &toml::de::Error, text: &str, origin: &str) -> ScenarioError {
    let span = e.span();
    let line = match &span {
        Some(s) => Some(spans::line_of(text, s.start)),
        // Nesting too deep for the parser comes without a position: name the deepest line.
        None if e.message().contains("recursion") => spans::deepest_line(text),
        None => None,
    };
    let key = span.and_then(|s| spans::path_at(text, s.start));
    // Without a key path the text did not parse at all: say so, not just what the parser expected.
    let message = match (&key, toml::de::DeTable::parse(text)) {
        (None, Err(_)) => format!("not valid TOML: {}", e.message().trim()),
        (Some(k), _) => type_error_in_words(e.message().trim(), k, text),
        _ => e.message().trim().to_string(),
    };
    ScenarioError::Toml { file: origin.to_string(), problem: Located { key, line, message } }
}

/// serde's "invalid type: string \"six\", expected i64" in the user's words, with the key's
/// range as the validator states it: "expected a whole number from 1 to 100000, found the text
/// \"six\"". The range is read from the validator itself (the value replaced by one below every
/// range), so this message cannot drift from what `check` accepts. Other messages pass as they are.
pub(crate) fn type_error_in_words(message: &str, key: &str, text: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        return unknown_key_in_words(rest).unwrap_or_else(|| message.to_string());
    }
    let Some(rest) = message.strip_prefix("invalid type: ") else { return message.to_string() };
    let Some((found, expected)) = rest.rsplit_once(", expected ") else { return message.to_string() };
    let whole = matches!(expected, "i64" | "i32" | "u64" | "u32" | "usize" | "u8" | "u16" | "i8" | "i16");
    let (kind, sentinel) = match expected {
        _ if whole || expected == "f64" || expected == "f32" => {
            (if whole { "a whole number" } else { "a number" }, Some(toml::Value::Integer(keys::BELOW_EVERY_RANGE)))
        }
        "a boolean" => ("true or false", None),
        "a string" => ("text in quotes", None),
        "a sequence" => ("a list [ ... ]", None),
        other => (other, None),
    };
    let found = if let Some(t) = found.strip_prefix("string ") {
        format!("the text {t}")
    } else {
        // "floating point `2.5`", "integer `3`", "boolean `true`": the value between backticks.
        let bare = found.split('`').nth(1).unwrap_or(found);
        match found.split(' ').next() {
            Some("sequence") => "a list".into(),
            Some("map") => "a table".into(),
            Some("floating") if whole => format!("{bare} (not a whole number)"),
            _ => bare.to_string(),
        }
    };
    let range = sentinel.and_then(|v| range_of(key, v, text));
    format!("expected {}, found {found}", range.as_deref().unwrap_or(kind))
}

/// serde's "unknown field `stafff`, expected one of `staff`, `level`, ..." with the nearest key
/// first: "unknown key `stafff`: did you mean `staff`? (keys here: staff, level, ...)".
fn unknown_key_in_words(rest: &str) -> Option<String> {
    let (given, list) = rest.split_once("`, expected ")?;
    let known: Vec<String> = list.split('`').skip(1).step_by(2).map(str::to_string).collect();
    let here = format!("keys here: {}; `embedsim keys` lists every key", known.join(", "));
    // A near spelling, or the start of a longer key (`attention` for `attention_hours_per_day`).
    let near = overrides::nearest(given, known.iter())
        .or_else(|| known.iter().find(|k| given.len() >= 4 && (k.starts_with(given) || given.starts_with(k.as_str()))));
    Some(match near {
        Some(n) => format!("unknown key `{given}`: did you mean `{n}`? ({here})"),
        None => format!("unknown key `{given}` ({here})"),
    })
}

/// What the validator expects at `key` ([`keys::expected_at`] on the scenario `text`).
fn range_of(key: &str, value: toml::Value, text: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(text).ok()?;
    keys::expected_at(&table, &keys::segments(key), value)
}

impl Scenario {
    /// A short, human description: what runs, for how long, through whom.
    pub fn describe(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let sim = &self.simulation;
        let _ = writeln!(s, "scenario {} ({})", self.name, crate::text::printable(&self.origin));
        if let Some(d) = &self.description {
            let _ = writeln!(s, "  {}", crate::text::printable_lines(d.trim()));
        }
        let _ = writeln!(
            s,
            "  {} days (warm-up {}), seed {}, {} replication{}; calendar {} h x {} days a week",
            sim.duration_days,
            sim.warmup_days,
            sim.seed,
            sim.replications,
            if sim.replications == 1 { "" } else { "s" },
            self.calendar.hours_per_day(),
            self.calendar.days_per_week()
        );
        for p in &self.platforms {
            let via = match &p.dispatch {
                Dispatch::Leader { leader, .. } => format!("leader {}", self.leaders[*leader].id),
                Dispatch::Operator(o) => {
                    format!("operator ({} h a day, up to {} attempts)", o.hours_per_day, o.max_attempts)
                }
                Dispatch::Auto => "auto".into(),
                Dispatch::Centre => "command centre, with authority".into(),
            };
            let route = match &p.route {
                Some(r) => r.iter().map(|&d| self.departments[d].id.as_str()).collect::<Vec<_>>().join("+"),
                None => "by category".into(),
            };
            let _ = writeln!(
                s,
                "  platform {}: {} orders/day{}, dispatch {}, route {}{}",
                p.id,
                p.arrival_rate_per_day,
                if p.citizen_channel { " + citizens" } else { "" },
                via,
                route,
                if p.sign_off.is_some() { ", signed off" } else { "" }
            );
        }
        let staff: u64 = self.departments.iter().map(|d| d.staff as u64).sum();
        let _ =
            writeln!(s, "  {} departments ({} staff), {} leaders", self.departments.len(), staff, self.leaders.len());
        if !self.villages.is_empty() {
            let pop: u64 = self.villages.iter().map(|v| v.population as u64).sum();
            let gw: u64 = self.villages.iter().map(|v| v.grid_workers as u64).sum();
            let _ = writeln!(
                s,
                "  {} villages ({} people, {} grid workers), {} categories",
                self.villages.len(),
                pop,
                gw,
                self.categories.len()
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An expanded scenario read straight from its table is the one its text gave (the route a
    /// table that does not read still takes, for its messages): every field, every float.
    #[test]
    fn expanded_table_reads_as_its_text_does() {
        let root = env!("CARGO_MANIFEST_DIR");
        for file in [
            "scenarios/beijing-12345.toml",
            "scenarios/beijing-street.toml",
            "benches/scale.toml",
            "benches/villages.toml",
        ] {
            let text = std::fs::read_to_string(format!("{root}/{file}")).unwrap();
            let direct = load_str(&text, file).unwrap();
            let mut table = parse_table(&text, file).unwrap();
            let seed = expansion_seed(&table);
            let exp = townships::expand(&mut table, seed).unwrap();
            let edited = toml::to_string(&table).unwrap();
            let raw: RawScenario = toml::from_str(&edited).unwrap();
            let by_text = validate::validate(&raw, file, exp.as_ref()).unwrap();
            assert_eq!(format!("{direct:?}"), format!("{by_text:?}"), "{file}");
        }
    }
}
