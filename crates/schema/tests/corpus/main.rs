//! refract-schema against Prisma's corpus, read in place from the folder `REFRACT_CORPUS`
//! names (third-party files, never copied into this repository): Prisma's formatter cases,
//! and formatting every corpus schema idempotently.
//!
//! Not part of `cargo test` (`test = false` in Cargo.toml): `cargo xtask conformance`
//! runs it as its `tests` section. A missing corpus fails every test here, loudly.
//! By hand: `REFRACT_CORPUS=/abs/path/to/corpus cargo test -p refract-schema --test corpus`.

mod format;

use std::path::{Path, PathBuf};

/// The corpus `REFRACT_CORPUS` names (refract-testdb reads it for every corpus test).
pub use refract_testdb::corpus;

/// `.prisma` files under `dir`, recursively, sorted by path.
pub fn prisma_files(dir: &Path) -> Vec<PathBuf> {
    refract_testdb::files_below(dir)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "prisma"))
        .collect()
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
