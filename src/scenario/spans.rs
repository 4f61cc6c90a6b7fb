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

/// The 1-based line where nesting is deepest: brackets and braces open so far plus the dots of
/// the line's keys, outside strings and comments. Used to place "recursion limit" errors, which
/// the parser reports without a position.
pub fn deepest_line(text: &str) -> Option<usize> {
    let mut open = 0usize;
    let mut best: Option<(usize, usize)> = None;
    for (i, line) in text.lines().enumerate() {
        let (mut dots, mut quote, mut peak) = (0usize, None::<char>, open);
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => open += 1,
                (None, ']' | '}') => open = open.saturating_sub(1),
                (None, '.') => dots += 1,
                _ => {}
            }
            peak = peak.max(open);
        }
        let depth = peak + dots;
        if best.is_none_or(|(_, d)| depth > d) {
            best = Some((i + 1, depth));
        }
    }
    best.map(|(line, _)| line)
}

/// Why bytes are not a text file we can read.
#[derive(Debug, Clone, PartialEq)]
pub struct NotText {
    /// Byte offset of the first offending byte.
    pub offset: usize,
    /// 1-based line of that byte.
    pub line: usize,
    /// What is wrong, and what to do.
    pub message: String,
}

/// Decodes a file's bytes as UTF-8 text, or says where and why not (UTF-16, a NUL byte, an
/// invalid UTF-8 sequence), with the byte offset.
pub fn decode(bytes: &[u8]) -> Result<&str, NotText> {
    let at = |offset: usize, message: String| {
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
        NotText { offset, line, message }
    };
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(at(0, "the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8".into()));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let o = e.valid_up_to();
        at(o, format!("not valid UTF-8: byte 0x{:02x} at byte offset {o}; save the file as UTF-8", bytes[o]))
    })?;
    if let Some(o) = text.find('\0') {
        return Err(at(o, format!("a NUL byte at byte offset {o} (is the file UTF-16?); save it as UTF-8")));
    }
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

#[cfg(test)]
mod tests {
    #[test]
    fn deepest_and_decoding() {
        let deep = format!("a = 1\n[{}]\nb = [[1]]\n", vec!["x"; 50].join("."));
        assert_eq!(deepest_line(&deep), Some(2));
        assert_eq!(deepest_line("a = 1\nb = [[[1]]]\nc = \"[[[[[[[\"\n"), Some(2));
        assert_eq!(decode(b"a = 1\nb = \"\xff\"").unwrap_err().offset, 11);
        assert_eq!(decode(b"a = 1\nb = \"\xff\"").unwrap_err().line, 2);
        assert!(decode(b"\xff\xfea\x00").unwrap_err().message.contains("UTF-16"));
        assert!(decode(b"a\x00=\x001").unwrap_err().message.contains("NUL"));
        assert_eq!(decode("\u{feff}a = 1".as_bytes()).unwrap(), "a = 1");
    }

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
