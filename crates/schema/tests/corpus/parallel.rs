//! Work split across threads gives exactly the result of one thread, over
//! every `.prisma` file of the corpus: parsing in many small pieces gives the
//! AST of parsing whole (also for a folder schema, rallly's), and resolving
//! on 2, 3 and 7 threads gives the IR and the diagnostics (same order) of one
//! thread, over the schemas and Prisma's own validation cases, most of which
//! are errors.

use std::path::{Path, PathBuf};

use refract_schema::parse::parse_files_on;
use refract_schema::resolve::resolve_on;
use refract_schema::{Diagnostics, SourceFiles};

use crate::{corpus, prisma_files, read};

/// The AST and diagnostics, printed: the AST has no `PartialEq`, and its
/// `Debug` form shows every name, span and documentation string.
fn parsed(files: &SourceFiles, threads: usize, piece_bytes: usize) -> String {
    let mut diagnostics = Diagnostics::new();
    let ast = parse_files_on(files, &mut diagnostics, threads, 1, piece_bytes);
    format!("{ast:#?}\n{diagnostics:?}")
}

fn assert_pieces_agree(files: &SourceFiles, what: &str) {
    let whole = parsed(files, 1, usize::MAX);
    for (threads, piece_bytes) in [(2, 2048), (5, 300)] {
        let pieces = parsed(files, threads, piece_bytes);
        assert!(
            whole == pieces,
            "{what}: parsing in pieces ({threads} threads) changed the AST"
        );
    }
}

/// The IR and the diagnostics of resolving on `threads` threads (every
/// schema split, however small), printed.
fn resolved(files: &SourceFiles, threads: usize) -> String {
    let mut diagnostics = Diagnostics::new();
    let ast = parse_files_on(files, &mut diagnostics, 1, usize::MAX, usize::MAX);
    let schema = resolve_on(&ast, &mut diagnostics, threads, 0);
    format!("{schema:#?}\n{diagnostics:?}")
}

/// Every schema of the corpus under `dirs`, sorted.
fn schema_paths(dirs: &[&str]) -> Vec<PathBuf> {
    let corpus = corpus();
    let mut paths: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|dir| prisma_files(&corpus.join(dir)))
        .collect();
    paths.sort();
    assert!(paths.len() > 50, "only {} schema files found", paths.len());
    paths
}

fn read_single(path: &Path) -> SourceFiles {
    SourceFiles::single(path.display().to_string(), read(path))
}

#[test]
fn corpus_resolves_the_same_on_threads() {
    let paths = schema_paths(&["schemas", "real", "engine-test-schemas", "psl-tests"]);
    for path in &paths {
        let files = read_single(path);
        let one = resolved(&files, 1);
        for threads in [2, 3, 7] {
            assert!(
                one == resolved(&files, threads),
                "{}: resolving on {threads} threads changed the IR or the diagnostics",
                path.display()
            );
        }
    }
}

#[test]
fn corpus_parses_the_same_in_pieces() {
    let paths = schema_paths(&["schemas", "real", "engine-test-schemas"]);
    for path in &paths {
        assert_pieces_agree(&read_single(path), &path.display().to_string());
    }
    // A folder schema: pieces of several files at once.
    let mut folder = SourceFiles::default();
    for path in paths
        .iter()
        .filter(|p| p.to_string_lossy().contains("/real/rallly/"))
    {
        folder.add(path.display().to_string(), read(path));
    }
    assert!(folder.files.len() > 1);
    assert_pieces_agree(&folder, "rallly (folder)");
}
