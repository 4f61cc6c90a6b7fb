//! What one assumed value alone decides, said beside the verdict it decides. The findings table
//! (docs/findings.toml) names, for some effects of the bundled scenarios, the assumed values each
//! of which alone — at an end of its plausible range — puts the effect across its line
//! (tests/findings.rs checks that list against the studies' ends); report.html adds that sentence
//! to the platform's sentence when it reports the scenario the finding is about.

const FINDINGS: &str = include_str!("../../docs/findings.toml");

/// A finding with a caveat, as report.html needs it.
struct Caveat {
    /// The scenario's file stem.
    scenario: String,
    platform: String,
    metric: String,
    regime: String,
    line: f64,
    /// The effect lies below its line (else above).
    below: bool,
    en: String,
    zh: String,
}

/// The findings with a caveat, read once: the table is built in, and a report reads it for
/// each platform of each scenario it draws.
fn table() -> &'static [Caveat] {
    static TABLE: std::sync::OnceLock<Vec<Caveat>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let Ok(table) = FINDINGS.parse::<toml::Table>() else { return Vec::new() };
        let Some(findings) = table.get("finding").and_then(|f| f.as_array()) else { return Vec::new() };
        findings
            .iter()
            .filter_map(|f| {
                let s = |k: &str| f.get(k).and_then(|v| v.as_str());
                let stem = std::path::Path::new(s("scenario")?).file_stem()?.to_str()?;
                let (platform, metric) = s("output")?.split_once('.')?;
                let line =
                    f.get("threshold").and_then(|t| t.as_float().or_else(|| t.as_integer().map(|i| i as f64)))?;
                let below = match s("side")? {
                    "below" => true,
                    "above" => false,
                    _ => return None,
                };
                Some(Caveat {
                    scenario: stem.to_string(),
                    platform: platform.to_string(),
                    metric: metric.to_string(),
                    regime: s("regime")?.to_string(),
                    line,
                    below,
                    en: s("alone_en")?.to_string(),
                    zh: s("alone_zh")?.to_string(),
                })
            })
            .collect()
    })
}

/// The (English, 中文) caveats for platform `platform` of the scenario named `scenario` (a
/// bundled scenario's name is its file's stem), for a run whose figures `figure(metric)` gives:
/// a caveat is said only where the platform's modal regime is the finding's (`regime`) and the
/// run's figure is on the finding's side of its line (a run whose changes lifted the platform out
/// of the verdict gets none).
pub fn caveats(
    scenario: &str,
    platform: &str,
    regime: &str,
    figure: &dyn Fn(&str) -> Option<f64>,
) -> Vec<(String, String)> {
    table()
        .iter()
        // The verdict the caveat is about: a run whose platform ended in another regime (an
        // overloaded operator, say) gets none, whatever its figure.
        .filter(|c| c.scenario == scenario && c.platform == platform && c.regime == regime)
        .filter(|c| figure(&c.metric).is_some_and(|x| if c.below { x < c.line } else { x > c.line }))
        .map(|c| (c.en.clone(), c.zh.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::caveats;

    #[test]
    fn s_towns_floating_verdict_carries_its_caveat_only_while_it_floats() {
        let floating = |_: &str| Some(0.41);
        let c = caveats("s-town", "comprehensive", "floating", &floating);
        assert_eq!(c.len(), 1);
        assert!(c[0].0.contains("decisions.take_up.duty") && c[0].1.contains("decisions.take_up.duty"));
        assert!(caveats("s-town", "comprehensive", "floating", &|_| Some(0.6)).is_empty(), "above the line: none");
        assert!(caveats("s-town", "comprehensive", "overloaded", &|_| Some(0.19)).is_empty(), "another verdict: none");
        assert!(caveats("s-town-swapped", "comprehensive", "floating", &floating).is_empty());
        assert!(
            caveats("c-district-hotline", "hotline", "embedded", &floating).is_empty(),
            "none decides C district's"
        );
    }
}
