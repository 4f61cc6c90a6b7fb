//! Provenance for manifests and reports: the git commit the binary was built from (when built
//! from a repository) and a hash of Cargo.lock, so that a published result can name its build.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=Cargo.lock");
    // A new commit moves HEAD or the branch it names: rebuild so the commit stays true.
    // The branch's own ref file may not exist when the build script first runs (refs packed by
    // `git gc`), and a later commit then creates it unwatched: the reflog and the refs folder
    // change on every commit whatever the refs' storage.
    for f in [".git/HEAD", ".git/packed-refs", ".git/logs/HEAD", ".git/refs/heads"] {
        if Path::new(f).exists() {
            println!("cargo:rerun-if-changed={f}");
        }
    }
    if let Ok(head) = std::fs::read_to_string(".git/HEAD") {
        if let Some(r) = head.trim().strip_prefix("ref: ") {
            let path = format!(".git/{r}");
            if Path::new(&path).exists() {
                println!("cargo:rerun-if-changed={path}");
            }
        }
    }
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_hexdigit()))
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=EMBEDSIM_GIT_COMMIT={commit}");
    // FNV-1a, as the manifests hash scenario files.
    let lock = std::fs::read("Cargo.lock").unwrap_or_default();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in &lock {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    println!("cargo:rustc-env=EMBEDSIM_LOCK_FNV1A={h:016x}");
}
