//! Every link in the README and the docs resolves inside the repository, and nothing points to
//! material a user who clones the repository does not have.

use std::path::{Path, PathBuf};

fn files(dir: &Path, ext: &[&str], out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().is_some_and(|x| ext.contains(&x.to_str().unwrap_or(""))) {
            out.push(p);
        }
    }
}

#[test]
fn markdown_links_resolve_inside_the_repository() {
    let mut docs = vec![PathBuf::from("README.md")];
    files(Path::new("docs"), &["md"], &mut docs);
    let mut checked = 0;
    for doc in &docs {
        let text = std::fs::read_to_string(doc).unwrap();
        for (i, _) in text.match_indices("](") {
            let rest = &text[i + 2..];
            let target = &rest[..rest.find(')').unwrap()];
            if target.starts_with("http") || target.starts_with('#') || target.starts_with("mailto:") {
                continue;
            }
            let path = target.split('#').next().unwrap();
            let resolved = doc.parent().unwrap().join(path);
            assert!(resolved.exists(), "{}: link to {target} does not resolve", doc.display());
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} links checked");
}

#[test]
fn nothing_points_outside_the_repository() {
    let mut all = vec![PathBuf::from("README.md")];
    files(Path::new("docs"), &["md"], &mut all);
    files(Path::new("scenarios"), &["toml"], &mut all);
    files(Path::new("src"), &["rs"], &mut all);
    for f in all {
        let text = std::fs::read_to_string(&f).unwrap();
        for bad in ["../shared", "shared/seeds", "DIGEST.md"] {
            assert!(!text.contains(bad), "{} mentions {bad}", f.display());
        }
    }
}
