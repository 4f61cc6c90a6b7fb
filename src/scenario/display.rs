//! Names for people: `display = { en = "...", zh = "..." }` beside an id. An id is what keys,
//! files and CSV cells use and never changes; a display name is what the page, the report, the
//! charts and an order's story show, in the language chosen. Without one, the id is shown.

use std::collections::BTreeMap;

use serde::Serialize;

/// A language text is shown in (`trace --lang`, the page's switch).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    #[default]
    /// English.
    En,
    /// 中文.
    Zh,
}

/// The kinds of named entity, as their scenario tables are called.
pub const KINDS: [&str; 5] = ["departments", "leaders", "platforms", "categories", "villages"];

/// One entity's name in each language, where the file gives it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Display {
    /// English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
    /// 中文.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zh: Option<String>,
}

impl Display {
    /// The name in `lang`, if the file gives one.
    pub fn get(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::En => self.en.as_deref(),
            Lang::Zh => self.zh.as_deref(),
        }
    }
}

/// Every display name of a scenario.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Names {
    /// The scenario's own name.
    pub scenario: Display,
    /// Its description in 中文 (`description_zh`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description_zh: Option<String>,
    /// `platforms.voice` → its names, for each entity that has one.
    pub entities: BTreeMap<String, Display>,
}

impl Names {
    /// What to call entity `id` of table `kind` (`"platforms"`) in `lang`: its display name, else
    /// the id.
    pub fn of<'a>(&'a self, kind: &str, id: &'a str, lang: Lang) -> &'a str {
        self.entities.get(&format!("{kind}.{id}")).and_then(|d| d.get(lang)).unwrap_or(id)
    }

    /// Department `id` in `lang`.
    pub fn department<'a>(&'a self, id: &'a str, lang: Lang) -> &'a str {
        self.of("departments", id, lang)
    }

    /// Platform `id` in `lang`.
    pub fn platform<'a>(&'a self, id: &'a str, lang: Lang) -> &'a str {
        self.of("platforms", id, lang)
    }

    /// Leader `id` in `lang`.
    pub fn leader<'a>(&'a self, id: &'a str, lang: Lang) -> &'a str {
        self.of("leaders", id, lang)
    }

    /// The scenario's name in `lang`, else `fallback` (its `name`).
    pub fn scenario<'a>(&'a self, fallback: &'a str, lang: Lang) -> &'a str {
        self.scenario.get(lang).unwrap_or(fallback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_falls_back_to_the_id() {
        let mut n = Names::default();
        n.entities.insert("platforms.voice".into(), Display { en: None, zh: Some("民情直通车".into()) });
        assert_eq!(n.platform("voice", Lang::Zh), "民情直通车");
        assert_eq!(n.platform("voice", Lang::En), "voice");
        assert_eq!(n.department("voice", Lang::Zh), "voice", "kinds do not share names");
        assert_eq!(n.platform("other", Lang::Zh), "other");
    }
}
