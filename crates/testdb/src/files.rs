//! Fixture folders read in a stable order: what tests that walk cases, schemas or
//! migration folders share.

use std::path::{Path, PathBuf};

/// The paths in folder `dir` (files and folders, not recursively), sorted. Panics with the
/// folder and the error when it cannot be read.
pub fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => panic!("refract-testdb: cannot list {}: {error}", dir.display()),
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|entry| match entry {
            Ok(entry) => entry.path(),
            Err(error) => panic!("refract-testdb: cannot list {}: {error}", dir.display()),
        })
        .collect();
    paths.sort();
    paths
}

/// Every file below `dir`, at any depth, sorted by path (folders walked in
/// [`sorted_entries`]' order). Panics like [`sorted_entries`].
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for path in sorted_entries(dir) {
        if path.is_dir() {
            found.extend(files_below(&path));
        } else {
            found.push(path);
        }
    }
    found
}
