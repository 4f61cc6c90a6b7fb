//! Text from files made safe to print and to use as a file name.

use std::borrow::Cow;

/// Characters that must never reach a terminal or a file name raw: control characters (escape
/// codes, newlines, NUL), and the invisible ones that reorder or break lines (bidirectional
/// overrides and isolates, line and paragraph separators).
pub fn is_unsafe_char(c: char) -> bool {
    // Controls, line and paragraph separators, direction overrides, embeddings and isolates, and
    // the invisible ones: zero-width spaces and joiners, direction marks, the word joiner family,
    // the byte-order mark. Each can make two ids look the same or text read in another order.
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200b}'..='\u{200f}'
                | '\u{061c}'
                | '\u{2060}'..='\u{2064}'
                | '\u{feff}'
        )
}

/// `s` with every unsafe character written as a Rust escape (`\u{1b}`), for terminals.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars().map(|c| if is_unsafe_char(c) { c.escape_default().to_string() } else { c.to_string() }).collect(),
    )
}

/// Like [`printable`], but keeps newlines and tabs (multi-line messages).
pub fn printable_lines(s: &str) -> Cow<'_, str> {
    let bad = |c: char| is_unsafe_char(c) && c != '\n' && c != '\t';
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(|c| if bad(c) { c.escape_default().to_string() } else { c.to_string() }).collect())
}

/// A single, safe path component made from `s`: letters (any script), digits, `-`, `_` and `.`
/// are kept, anything else (`/`, `\`, `:`, spaces, control characters) becomes `-`; leading dots
/// are dropped so that `..` and hidden names cannot result; never empty. At most
/// [`MAX_SLUG_BYTES`] bytes, so that two slugs and the tool's own prefixes and suffixes
/// (`regime-map-….svg`, `…-vs-…`) fit the 255 bytes a file name may have: 86 Chinese characters
/// are 258 bytes.
pub fn slug(s: &str) -> String {
    let mut mapped = String::new();
    for c in s.trim_start_matches('.').chars() {
        let c = if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '-' };
        if mapped.len() + c.len_utf8() > MAX_SLUG_BYTES {
            break;
        }
        mapped.push(c);
    }
    let trimmed = mapped.trim_start_matches('.');
    if trimmed.is_empty() { "unnamed".to_string() } else { trimmed.to_string() }
}

/// Longest [`slug`], in bytes.
pub const MAX_SLUG_BYTES: usize = 100;

/// Latin words of `s` outside what a person types or cites: `code spans`, key paths and
/// arguments (a token with `.`, `_`, `=`, `/`, `-` or a quote in it), numbers with units.
pub fn latin_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_code = false;
    let mut plain = String::new();
    for c in s.chars() {
        if c == '`' {
            in_code = !in_code;
            plain.push(' ');
        } else if !in_code {
            plain.push(c);
        }
    }
    for token in plain.split(|c: char| c.is_whitespace() || "，。；：（）、？！,;:()[]{}".contains(c)) {
        // A sentence's full stop does not make a word a path: "failed." is a word. (A quoted
        // value is what a person typed, and is not read.)
        let token = token.trim_end_matches('.');
        if token.is_empty() || token.contains(['.', '_', '=', '/', '-', '"', '\'', '<', '>']) {
            continue;
        }
        let mut word = String::new();
        for c in token.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_alphabetic() {
                word.push(c);
            } else {
                let single_capital = word.len() == 1 && word.chars().all(|c| c.is_ascii_uppercase());
                let mechanism = word == "M" && c.is_ascii_digit();
                if !word.is_empty() && !single_capital && !mechanism && !ALLOWED_LATIN.contains(&word.as_str()) {
                    out.push(word.clone());
                }
                word.clear();
            }
        }
    }
    out
}

/// Latin words a Chinese text may hold: the program's name, the switch to English, formats,
/// units, and values a person types. Besides these, a single capital letter (the sides A and B; S 镇, J 镇, C 区 as the
/// papers anonymise them) and a mechanism's number in the model document (M15).
pub const ALLOWED_LATIN: &[&str] = &["embedsim", "English", "TOML", "true", "false", "h", "GB", "MB", "KB"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_never_leave_their_folder() {
        for name in ["/abs/dir", "../../x", "..", ".", "", "a/../b", "C:\\x", "a\u{1b}[31mb", "\n"] {
            let s = slug(name);
            assert!(!s.is_empty() && !s.contains('/') && !s.contains('\\') && !s.starts_with('.'), "{name:?} -> {s:?}");
            let p = std::path::Path::new("runs").join(&s);
            assert_eq!(p.components().count(), 2, "{name:?} -> {s:?}");
        }
        assert_eq!(slug("s-town"), "s-town");
        assert_eq!(slug("民呼我为 v1.2"), "民呼我为-v1.2");
        // 86 Chinese characters are 258 bytes: the slug stops at 100 bytes, on a character.
        let long = slug(&"镇".repeat(86));
        assert!(long.len() <= MAX_SLUG_BYTES && long.chars().all(|c| c == '镇'), "{long}");
    }

    #[test]
    fn escapes_control_characters() {
        assert_eq!(printable("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(printable("plain"), "plain");
        assert_eq!(printable_lines("x\ny\u{7}"), "x\ny\\u{7}");
        assert!(is_unsafe_char('\u{202e}'));
    }
}

/// `s` cut to at most `max` characters, with "…" where it was cut (for echoing long input back
/// in a message without repeating all of it).
pub fn shortened(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
