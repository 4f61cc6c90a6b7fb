//! `report.html`: one self-contained file (data, script, style and a Chinese font subset inline),
//! openable offline and sendable by mail. The page draws a [`RunView`] with the same script the
//! classroom page uses.

use serde::Serialize;

use super::sweep_view::SweepView;
use super::view::RunView;

/// The page template; `__X__` placeholders are filled in by [`report`].
pub const REPORT_TEMPLATE: &str = include_str!("../../assets/page/report.html");
/// The dictionary of every label, English and 中文.
pub const I18N_JS: &str = include_str!("../../assets/page/i18n.js");
/// The chart drawing code shared by the report and the classroom page.
pub const CHARTS_JS: &str = include_str!("../../assets/page/charts.js");
/// The style sheet shared by both.
pub const STYLE_CSS: &str = include_str!("../../assets/page/style.css");
/// Noto Sans SC cut down to the characters the program shows (SIL OFL 1.1: assets/fonts/OFL.txt).
pub const FONT_WOFF: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-subset.woff");

/// A sentence in both languages (the comparison's findings).
#[derive(Clone, Debug, Serialize)]
pub struct Bilingual {
    /// English.
    pub en: String,
    /// 中文.
    pub zh: String,
}

#[derive(Serialize)]
struct Data<'a> {
    runs: &'a [RunView],
    compare: &'a [Bilingual],
    #[serde(skip_serializing_if = "Option::is_none")]
    sweep: Option<&'a SweepView>,
}

/// JSON that can sit inside a `<script>` element: `</` and `<!--` cannot close or open anything.
pub fn script_json<T: Serialize>(value: &T) -> String {
    let json = serde_json::to_string(value).expect("views serialise");
    json.replace("</", "<\\/").replace("<!--", "<\\u0021--")
}

/// Standard base64 (RFC 4648) with padding.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                s.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

fn escape_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The report page of one run (one view) or of a comparison (two views and its sentences).
pub fn report(runs: &[RunView], compare: &[Bilingual]) -> String {
    let title = format!("embedsim — {}", runs.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(" / "));
    fill(&title, &script_json(&Data { runs, compare, sweep: None }))
}

/// The report page of a sweep: its regime maps and sentences.
pub fn sweep_report(view: &SweepView) -> String {
    fill(&format!("embedsim — {}", view.name), &script_json(&Data { runs: &[], compare: &[], sweep: Some(view) }))
}

/// The template with its placeholders filled in one pass, so that nothing inserted is searched
/// again.
fn fill(title: &str, data: &str) -> String {
    let mut out = String::with_capacity(REPORT_TEMPLATE.len() + data.len() + FONT_WOFF.len() * 4 / 3 + 100_000);
    let mut rest = REPORT_TEMPLATE;
    while let Some(i) = rest.find("__") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(j) = after.find("__") else {
            out.push_str(&rest[i..]);
            rest = "";
            break;
        };
        match &after[..j] {
            "TITLE" => out.push_str(&escape_text(title)),
            "FONT" => out.push_str(&base64(FONT_WOFF)),
            "STYLE" => out.push_str(STYLE_CSS),
            "DATA" => out.push_str(data),
            "I18N" => out.push_str(I18N_JS),
            "CHARTS" => out.push_str(CHARTS_JS),
            other => {
                out.push_str("__");
                out.push_str(other);
                out.push_str("__");
            }
        }
        rest = &after[j + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn json_cannot_close_the_script() {
        let s = script_json(&"</script><!-- x");
        assert!(!s.contains("</"), "{s}");
        assert!(!s.contains("<!--"), "{s}");
        assert_eq!(serde_json::from_str::<String>(&s).unwrap(), "</script><!-- x");
    }
}
