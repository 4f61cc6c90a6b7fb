//! Finding where a key lives in the TOML text, so every error can name a line.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The dotted key path whose key or value contains byte `offset` (the deepest one).
pub fn path_at(text: &str, offset: usize) -> Option<String> {
    let root = DeTable::parse(text).ok()?;
    let mut path = Vec::new();
    descend(root.get_ref(), offset, &mut path);
    if path.is_empty() { None } else { Some(path.join(".")) }
}

fn descend(table: &DeTable<'_>, offset: usize, path: &mut Vec<String>) {
    for (key, value) in table.iter() {
        let in_key = key.span().contains(&offset);
        let in_value = value.span().contains(&offset);
        if in_key || in_value {
            path.push(key.get_ref().to_string());
            if in_value {
                descend_value(value, offset, path);
            }
            return;
        }
    }
    // Header tables span only their header: look for the key whose subtree holds the offset.
    for (key, value) in table.iter() {
        if let DeValue::Table(t) = value.get_ref() {
            let mut sub = Vec::new();
            descend(t, offset, &mut sub);
            if !sub.is_empty() {
                path.push(key.get_ref().to_string());
                path.extend(sub);
                return;
            }
        }
    }
}

fn descend_value(value: &Spanned<DeValue<'_>>, offset: usize, path: &mut Vec<String>) {
    match value.get_ref() {
        DeValue::Table(t) => descend(t, offset, path),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if item.span().contains(&offset) {
                    path.push(i.to_string());
                    descend_value(item, offset, path);
                    return;
                }
            }
        }
        _ => {}
    }
}

/// The line of the deepest existing key along dotted `path` (e.g. `platforms.minhu.route`).
pub fn line_of_path(text: &str, path: &str) -> Option<usize> {
    let root = DeTable::parse(text).ok()?;
    let mut table = root.get_ref();
    let mut line = None;
    for part in path.split('.') {
        let Some((key, value)) = table.get_key_value(part) else { break };
        line = Some(line_of(text, key.span().start));
        match value.get_ref() {
            DeValue::Table(t) => table = t,
            _ => break,
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "name = \"x\"\n[simulation]\nduration_days = 10\n\n[platforms.a]\nroute = [\"d\"]\neffort_hours = { dist = \"fixed\", value = 1 }\n";

    #[test]
    fn finds_paths_and_lines() {
        assert_eq!(line_of_path(DOC, "platforms.a.route"), Some(6));
        assert_eq!(line_of_path(DOC, "simulation.duration_days"), Some(3));
        assert_eq!(line_of_path(DOC, "platforms.a.effort_hours.value"), Some(7));
        // A missing key is placed at the deepest key that exists.
        assert_eq!(line_of_path(DOC, "platforms.a.effort_hours.cv"), Some(7));
        assert_eq!(line_of_path(DOC, "nothing.here"), None);
        let off = DOC.find("value").unwrap();
        assert_eq!(path_at(DOC, off).as_deref(), Some("platforms.a.effort_hours.value"));
        let off = DOC.find("[\"d\"]").unwrap() + 2;
        assert_eq!(path_at(DOC, off).as_deref(), Some("platforms.a.route.0"));
    }
}
