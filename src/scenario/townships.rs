//! Many townships in one scenario: a township is written once as `[templates.<name>]` and
//! instantiated by `[townships.<id>]`, each instance grouped into a district, with changes per
//! instance (`set`), sizes listed per copy (`list`) or drawn from a distribution (`vary`).
//!
//! Expansion happens on the TOML table, before validation: every entity of an instance (leaders,
//! departments, platforms, categories, villages) becomes a scenario entity whose id is
//! `<township>/<local id>` — or the local id itself when the scenario has a single township, so
//! that a one-township scenario gives exactly the results of the same town written without a
//! template. Names inside a template refer to the instance's own entities first, and otherwise to
//! the scenario's shared units (the top-level tables: a county department, a city hotline).

use std::collections::BTreeMap;

use super::overrides::{Override, apply_lenient, flatten, lookup};
use super::validate::Problem;
use crate::engine::dist::Dist;
use crate::engine::rng::Streams;

/// The kinds of entity a template holds, as top-level table names.
pub const KINDS: [&str; 5] = ["leaders", "departments", "platforms", "categories", "villages"];

/// Most townships one scenario may expand to.
pub const MAX_TOWNSHIPS: usize = 20_000;

/// One township instance.
#[derive(Clone, Debug, PartialEq)]
pub struct TownshipInfo {
    /// Its id (`east_3`).
    pub id: String,
    /// Its district, if it names one.
    pub district: Option<String>,
    /// The template it was made from.
    pub template: String,
    /// Local id → scenario id, per kind (index into [`KINDS`]).
    pub names: [BTreeMap<String, String>; 5],
}

/// What expansion did: the townships, and which township owns each scenario entity.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expansion {
    /// Township instances, in the order written (copies in order).
    pub townships: Vec<TownshipInfo>,
    /// (kind index, scenario id) → township index.
    pub owner: BTreeMap<(usize, String), usize>,
}

impl Expansion {
    /// The township that owns entity `id` of kind `kind` (index into [`KINDS`]).
    pub fn owner_of(&self, kind: usize, id: &str) -> Option<usize> {
        self.owner.get(&(kind, id.to_string())).copied()
    }

    /// A message key for a scenario key path: where in the file the value came from.
    pub fn origin_of(&self, key: &str) -> Option<(String, String)> {
        let mut parts = key.splitn(3, '.');
        let (kind, id) = (parts.next()?, parts.next()?);
        let k = KINDS.iter().position(|x| *x == kind)?;
        let t = &self.townships[self.owner_of(k, id)?];
        let local = t.names[k].iter().find(|(_, flat)| flat.as_str() == id)?.0;
        let rest = parts.next().map_or(String::new(), |r| format!(".{r}"));
        Some((format!("templates.{}.{kind}.{local}{rest}", t.template), t.id.clone()))
    }
}

fn bad(problems: &mut Vec<Problem>, key: impl Into<String>, message: impl Into<String>) {
    problems.push(Problem { key: key.into(), message: message.into() });
}

/// Expands `[templates]` and `[townships]` in `table` (removing them and `[districts]`), or does
/// nothing when the scenario has no `[townships]`. `seed` draws the `vary` sizes.
pub fn expand(table: &mut toml::Table, seed: u64) -> Result<Option<Expansion>, Vec<Problem>> {
    let mut problems = Vec::new();
    let templates = take_table(table, "templates", &mut problems);
    let townships = take_table(table, "townships", &mut problems);
    let districts = take_table(table, "districts", &mut problems);
    if townships.is_empty() {
        if !templates.is_empty() {
            bad(&mut problems, "templates", "templates are used by [townships.<id>] tables; none is defined");
        }
        return if problems.is_empty() { Ok(None) } else { Err(problems) };
    }
    for (id, d) in &districts {
        match d {
            toml::Value::Table(t) => {
                for k in t.keys().filter(|k| *k != "name") {
                    bad(&mut problems, format!("districts.{id}.{k}"), "unknown key (a district takes `name`)");
                }
            }
            _ => bad(&mut problems, format!("districts.{id}"), "expected a table"),
        }
    }
    // The count is checked before any copy is made: 16 townships of 20,000 copies each once
    // built 320,000 townships before this limit was read, and ran out of memory.
    let total: u64 = townships
        .values()
        .map(|t| match t.get("copies").and_then(|v| v.as_integer()) {
            Some(n) if n >= 1 => n.min(MAX_TOWNSHIPS as i64 + 1) as u64,
            _ => 1,
        })
        .sum();
    if total > MAX_TOWNSHIPS as u64 {
        bad(
            &mut problems,
            "townships",
            format!("expected at most {MAX_TOWNSHIPS} townships in all (copies counted), found {total}"),
        );
        return Err(problems);
    }
    // The instances, copies unrolled, each with the template table it starts from.
    type Labels = (String, Option<String>);
    let mut instances: Vec<(String, String, Option<String>, toml::Table, Labels)> = Vec::new();
    for (id, t) in &townships {
        let key = format!("townships.{id}");
        let Some(t) = t.as_table() else {
            bad(&mut problems, key, "expected a table with `template`");
            continue;
        };
        for k in t.keys() {
            if !["template", "district", "copies", "set", "list", "vary", "display"].contains(&k.as_str()) {
                bad(
                    &mut problems,
                    format!("{key}.{k}"),
                    "unknown key (a township takes template, district, copies, set, list, vary, display)",
                );
            }
        }
        let Some(tpl) = t.get("template").and_then(|v| v.as_str()) else {
            bad(&mut problems, format!("{key}.template"), "expected the name of a [templates.<name>] table");
            continue;
        };
        let Some(base) = templates.get(tpl).and_then(|v| v.as_table()) else {
            let known: Vec<&str> = templates.keys().map(String::as_str).collect();
            bad(
                &mut problems,
                format!("{key}.template"),
                format!("unknown template \"{tpl}\" (known: {})", known.join(", ")),
            );
            continue;
        };
        let district = match t.get("district") {
            None => None,
            Some(toml::Value::String(d)) if districts.contains_key(d) || districts.is_empty() => Some(d.clone()),
            Some(toml::Value::String(d)) => {
                bad(&mut problems, format!("{key}.district"), format!("unknown district \"{d}\""));
                None
            }
            Some(_) => {
                bad(&mut problems, format!("{key}.district"), "expected a district id (a string)");
                None
            }
        };
        let copies = match t.get("copies") {
            None => 1,
            Some(toml::Value::Integer(n)) if (1..=MAX_TOWNSHIPS as i64).contains(n) => *n as usize,
            Some(v) => {
                bad(
                    &mut problems,
                    format!("{key}.copies"),
                    format!("expected a whole number from 1 to {MAX_TOWNSHIPS}, found {v}"),
                );
                1
            }
        };
        // What a person calls the township in 中文: its `display.zh`, else its district's `name`;
        // a copy adds its number ("东城区 3 号街道"). Its entities' display names begin with it.
        let display = |lang: &str| t.get("display").and_then(|d| d.get(lang)).and_then(|z| z.as_str());
        match t.get("display") {
            Some(toml::Value::Table(d)) => {
                for (k, v) in d {
                    if !(["en", "zh"].contains(&k.as_str()) && v.is_str()) {
                        bad(&mut problems, format!("{key}.display.{k}"), "expected en or zh, each a name (a string)");
                    }
                }
            }
            Some(_) => bad(&mut problems, format!("{key}.display"), "expected { en = \"...\", zh = \"...\" }"),
            None => {}
        }
        let own = display("zh");
        let own_en = display("en");
        let district_name =
            district.as_ref().and_then(|d| districts.get(d)).and_then(|d| d.get("name")).and_then(|n| n.as_str());
        let mut streams_rng = Streams::new(seed, 0).stream(&format!("townships/{id}"));
        for c in 0..copies {
            let inst = if t.contains_key("copies") { format!("{id}_{}", c + 1) } else { id.clone() };
            let mut body = base.clone();
            if let Some(set) = t.get("set") {
                apply_set(&mut body, set, &format!("{key}.set"), &mut problems);
            }
            if let Some(list) = t.get("list") {
                let Some(list) = list.as_table() else {
                    bad(&mut problems, format!("{key}.list"), "expected a table of key = [value per copy]");
                    continue;
                };
                for (path, values) in list {
                    match values.as_array() {
                        Some(a) if a.len() == copies => {
                            let o = Override::Set { path: path.clone(), value: a[c].clone() };
                            if let Err(e) = apply_lenient(&mut body, &[o]) {
                                bad(&mut problems, format!("{key}.list.{path}"), e.to_string());
                            }
                        }
                        _ => bad(
                            &mut problems,
                            format!("{key}.list.{path}"),
                            format!("expected an array of {copies} values, one per copy"),
                        ),
                    }
                }
            }
            if let Some(vary) = t.get("vary") {
                let Some(vary) = vary.as_table() else {
                    bad(&mut problems, format!("{key}.vary"), "expected a table of key = distribution");
                    continue;
                };
                for (path, spec) in vary {
                    let Some(dist) = dist_of(spec) else {
                        bad(
                            &mut problems,
                            format!("{key}.vary.{path}"),
                            "expected { dist = \"lognormal\", mean, cv } or { dist = \"exponential\", mean } with mean > 0",
                        );
                        continue;
                    };
                    let x = dist.sample(&mut streams_rng);
                    let integer = lookup(&body, path).is_some_and(|v| v.is_integer());
                    let value =
                        if integer { toml::Value::Integer(x.round().max(0.0) as i64) } else { toml::Value::Float(x) };
                    if let Err(e) = apply_lenient(&mut body, &[Override::Set { path: path.clone(), value }]) {
                        bad(&mut problems, format!("{key}.vary.{path}"), e.to_string());
                    }
                }
            }
            let label = match (own.or(district_name), t.contains_key("copies")) {
                (Some(name), true) => Some(format!("{name} {} 号街道", c + 1)),
                (Some(name), false) => Some(name.to_string()),
                // Without a name, the instance's id: copies must not all read the same.
                (None, _) => Some(inst.clone()),
            };
            let label_en = match own_en {
                Some(name) if t.contains_key("copies") => format!("{name} {}", c + 1),
                Some(name) => name.to_string(),
                None => inst.clone(),
            };
            instances.push((inst, tpl.to_string(), district.clone(), body, (label_en, label)));
        }
    }
    if instances.len() > MAX_TOWNSHIPS {
        bad(
            &mut problems,
            "townships",
            format!("expected at most {MAX_TOWNSHIPS} townships, found {}", instances.len()),
        );
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let single = instances.len() == 1;
    let mut exp = Expansion::default();
    for (ti, (id, tpl, district, body, label)) in instances.into_iter().enumerate() {
        let mut info = TownshipInfo { id: id.clone(), district, template: tpl.clone(), names: Default::default() };
        for (k, kind) in KINDS.iter().enumerate() {
            if let Some(t) = body.get(*kind).and_then(|v| v.as_table()) {
                for local in t.keys() {
                    let flat = if single { local.clone() } else { format!("{id}/{local}") };
                    info.names[k].insert(local.clone(), flat);
                }
            }
        }
        for key in body.keys().filter(|k| !KINDS.contains(&k.as_str())) {
            bad(
                &mut problems,
                format!("templates.{tpl}.{key}"),
                "a template holds leaders, departments, platforms, categories and villages; shared settings stay at the top level",
            );
        }
        for (k, kind) in KINDS.iter().enumerate() {
            let Some(entities) = body.get(*kind).and_then(|v| v.as_table()) else { continue };
            let target = table.entry(kind.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let Some(target) = target.as_table_mut() else {
                bad(&mut problems, *kind, "expected a table");
                continue;
            };
            for (local, v) in entities {
                let flat = info.names[k][local].clone();
                let mut v = v.clone();
                rename_references(&mut v, k, &info);
                if !single {
                    name_in_township(&mut v, &label.0, label.1.as_deref());
                }
                if target.insert(flat.clone(), v).is_some() {
                    bad(
                        &mut problems,
                        format!("{kind}.{flat}"),
                        format!("township {id} defines {flat}, which the scenario defines too"),
                    );
                }
                exp.owner.insert((k, flat), ti);
            }
        }
        exp.townships.push(info);
    }
    if problems.is_empty() { Ok(Some(exp)) } else { Err(problems) }
}

/// An instance's entity's display names say which township it belongs to: `dongcheng_3 office`,
/// `东城区 3 号街道·综合执法办`.
fn name_in_township(v: &mut toml::Value, label_en: &str, label_zh: Option<&str>) {
    let Some(d) = v.get_mut("display").and_then(|d| d.as_table_mut()) else { return };
    if let Some(toml::Value::String(en)) = d.get_mut("en") {
        *en = format!("{label_en} {en}");
    }
    if let (Some(toml::Value::String(zh)), Some(label)) = (d.get_mut("zh"), label_zh) {
        *zh = format!("{label}·{zh}");
    }
}

fn take_table(table: &mut toml::Table, key: &str, problems: &mut Vec<Problem>) -> toml::Table {
    match table.remove(key) {
        None => toml::Table::new(),
        Some(toml::Value::Table(t)) => t,
        Some(_) => {
            bad(problems, key, "expected a table");
            toml::Table::new()
        }
    }
}

fn apply_set(body: &mut toml::Table, set: &toml::Value, key: &str, problems: &mut Vec<Problem>) {
    let Some(set) = set.as_table() else {
        bad(problems, key, "expected a table of \"dotted.key\" = value");
        return;
    };
    for (path, value) in flatten(set) {
        if let Err(e) = apply_lenient(body, &[Override::Set { path: path.clone(), value }]) {
            bad(problems, format!("{key}.{path}"), e.to_string());
        }
    }
}

fn dist_of(v: &toml::Value) -> Option<Dist> {
    let t = v.as_table()?;
    let num = |k: &str| t.get(k).and_then(|x| x.as_float().or_else(|| x.as_integer().map(|i| i as f64)));
    let ok = |x: f64| x.is_finite() && x > 0.0 && x <= 1e9;
    match t.get("dist")?.as_str()? {
        "lognormal" => {
            let (m, cv) = (num("mean")?, num("cv")?);
            (ok(m) && ok(cv) && cv <= 100.0).then(|| Dist::lognormal(m, cv))
        }
        "exponential" => num("mean").filter(|m| ok(*m)).map(Dist::exponential),
        _ => None,
    }
}

/// Inside a template, names of the instance's own entities become its scenario ids; other names
/// (shared units) are left alone.
fn rename_references(v: &mut toml::Value, kind: usize, info: &TownshipInfo) {
    let Some(t) = v.as_table_mut() else { return };
    let (leaders, departments) = (&info.names[0], &info.names[1]);
    let rename = |map: &BTreeMap<String, String>, s: &mut toml::Value| {
        if let toml::Value::String(name) = s {
            if let Some(flat) = map.get(name.as_str()) {
                *name = flat.clone();
            }
        }
    };
    match KINDS[kind] {
        "platforms" => {
            if let Some(l) = t.get_mut("leader") {
                rename(leaders, l);
            }
            if let Some(toml::Value::Array(route)) = t.get_mut("route") {
                route.iter_mut().for_each(|d| rename(departments, d));
            }
        }
        "categories" => {
            if let Some(toml::Value::Array(route)) = t.get_mut("departments") {
                route.iter_mut().for_each(|d| rename(departments, d));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[simulation]
duration_days = 10
seed = 3
[departments.county_land]
staff = 2
[templates.street.departments.office]
staff = 3
[templates.street.platforms.voice]
dispatch = "auto"
route = ["office", "county_land"]
[districts.east]
name = "East"
[townships.a]
template = "street"
district = "east"
[townships.b]
template = "street"
copies = 3
list = { "departments.office.staff" = [4, 5, 6] }
vary = { "departments.office.staff" = { dist = "lognormal", mean = 10, cv = 0.5 } }
"#;

    #[test]
    fn instances_get_their_own_entities_and_share_the_rest() {
        let mut t: toml::Table = toml::from_str(TEXT).unwrap();
        let e = expand(&mut t, 3).unwrap().unwrap();
        let ids: Vec<&str> = e.townships.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["a", "b_1", "b_2", "b_3"]);
        assert_eq!(e.townships[0].district.as_deref(), Some("east"));
        let route = t["platforms"]["b_2/voice"]["route"].as_array().unwrap();
        assert_eq!(route[0].as_str(), Some("b_2/office"));
        assert_eq!(route[1].as_str(), Some("county_land"), "a shared unit keeps its name");
        assert!(t["departments"].get("county_land").is_some());
        assert_eq!(e.owner_of(1, "b_3/office"), Some(3));
        assert_eq!(e.owner_of(1, "county_land"), None);
        // vary is drawn after list, from a stream seeded by the scenario: deterministic.
        let staff: Vec<i64> =
            (1..=3).map(|i| t["departments"][&format!("b_{i}/office")]["staff"].as_integer().unwrap()).collect();
        let mut again: toml::Table = toml::from_str(TEXT).unwrap();
        expand(&mut again, 3).unwrap();
        let staff2: Vec<i64> =
            (1..=3).map(|i| again["departments"][&format!("b_{i}/office")]["staff"].as_integer().unwrap()).collect();
        assert_eq!(staff, staff2);
        assert!(staff.iter().any(|s| *s != 4 && *s != 5 && *s != 6));
        assert_eq!(
            e.origin_of("departments.b_2/office.staff"),
            Some(("templates.street.departments.office.staff".into(), "b_2".into()))
        );
    }

    #[test]
    fn a_single_township_keeps_its_local_ids() {
        let text = TEXT.split("[townships.b]").next().unwrap();
        let mut t: toml::Table = toml::from_str(text).unwrap();
        expand(&mut t, 3).unwrap().unwrap();
        assert!(t["departments"].get("office").is_some());
        assert_eq!(t["platforms"]["voice"]["route"][0].as_str(), Some("office"));
    }

    #[test]
    fn mistakes_are_named() {
        let mut t: toml::Table =
            toml::from_str("[townships.x]\ntemplate = \"nope\"\n[templates.street]\n[simulation]\nduration_days = 1\n")
                .unwrap();
        let p = expand(&mut t, 1).unwrap_err();
        assert_eq!(p[0].key, "townships.x.template");
        assert!(p[0].message.contains("unknown template"), "{}", p[0].message);
    }
}
