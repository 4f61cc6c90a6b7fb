//! What one assumed value alone decides, said beside the verdict it decides. The findings table
//! (docs/findings.toml) names, for some effects of the bundled scenarios, the assumed values each
//! of which alone — at an end of its plausible range — puts the effect across its line
//! (tests/findings.rs checks that list against the studies' ends); report.html adds that sentence
//! to the platform's sentence when it reports the scenario the finding is about.

const FINDINGS: &str = include_str!("../../docs/findings.toml");

/// The (English, 中文) caveats for platform `platform` of the scenario named `scenario` (a
/// bundled scenario's name is its file's stem).
pub fn caveats(scenario: &str, platform: &str) -> Vec<(String, String)> {
    let Ok(table) = FINDINGS.parse::<toml::Table>() else { return Vec::new() };
    let Some(findings) = table.get("finding").and_then(|f| f.as_array()) else { return Vec::new() };
    findings
        .iter()
        .filter_map(|f| {
            let s = |k: &str| f.get(k).and_then(|v| v.as_str());
            let stem = std::path::Path::new(s("scenario")?).file_stem()?.to_str()?;
            let about = s("output")?.split_once('.')?.0;
            (stem == scenario && about == platform)
                .then(|| Some((s("alone_en")?.to_string(), s("alone_zh")?.to_string())))?
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::caveats;

    #[test]
    fn s_towns_floating_verdict_carries_its_caveat_and_other_scenarios_none() {
        let c = caveats("s-town", "comprehensive");
        assert_eq!(c.len(), 1);
        assert!(c[0].0.contains("decisions.take_up.duty") && c[0].1.contains("decisions.take_up.duty"));
        assert!(caveats("s-town-swapped", "comprehensive").is_empty());
        assert!(caveats("c-district-hotline", "hotline").is_empty(), "no value alone decides C district's");
    }
}
