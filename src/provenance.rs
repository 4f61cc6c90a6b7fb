//! Which build produced a result: the version, the git commit it was built from ("unknown"
//! outside a repository) and a hash of Cargo.lock (the exact dependencies), written into every
//! run's manifest and shown in its report.

/// embedsim's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The git commit the binary was built from, abbreviated; "unknown" when not built from a
/// repository.
pub const COMMIT: &str = env!("EMBEDSIM_GIT_COMMIT");
/// FNV-1a hash of the Cargo.lock the binary was built with, hexadecimal.
pub const LOCK_FNV1A: &str = env!("EMBEDSIM_LOCK_FNV1A");

/// `0.1.0 (commit 1a2b3c4d5e6f, Cargo.lock 0123456789abcdef)`.
pub fn describe() -> String {
    format!("{VERSION} (commit {COMMIT}, Cargo.lock {LOCK_FNV1A})")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_lock_hash_is_the_hash_of_the_lock_file() {
        let lock = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).unwrap();
        assert_eq!(super::LOCK_FNV1A, crate::output::folder::fnv1a_hex(&lock));
        assert!(super::COMMIT == "unknown" || super::COMMIT.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(super::describe().starts_with(super::VERSION));
    }
}
