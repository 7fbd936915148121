//! Work split across threads gives exactly the result of one thread.
//!
//! - Parsing a schema in pieces gives the AST of parsing it whole: over every
//!   `.prisma` file of the shared corpus and the fixtures, cut into many small
//!   pieces, and over generated text full of the things a cut must not fall
//!   inside (block comments, unclosed blocks, keywords at column 0 inside
//!   blocks, doc comments before a cut).
//! - Resolving the models on several threads gives the IR and the
//!   diagnostics (same order) of one thread: over the same files and Prisma's
//!   own validation cases, most of which are errors.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use refract_schema::parse::parse_files_on;
use refract_schema::resolve::resolve_on;
use refract_schema::{Diagnostics, SourceFiles};

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

fn prisma_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            prisma_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "prisma") {
            out.push(path);
        }
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

/// Every schema of the corpus (from `dirs`) and of the fixtures, sorted.
fn schema_paths(dirs: &[&str]) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../../../shared/corpus");
    assert!(
        corpus.is_dir(),
        "shared corpus not found at {}",
        corpus.display()
    );
    let mut paths = Vec::new();
    for dir in dirs {
        prisma_files(&corpus.join(dir), &mut paths);
    }
    prisma_files(&root.join("tests/fixtures"), &mut paths);
    paths.sort();
    assert!(paths.len() > 50, "only {} schema files found", paths.len());
    paths
}

fn read_single(path: &Path) -> SourceFiles {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    SourceFiles::single(path.display().to_string(), text)
}

#[test]
fn corpus_and_fixtures_resolve_the_same_on_threads() {
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
fn corpus_and_fixtures_parse_the_same_in_pieces() {
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
        let text = std::fs::read_to_string(path).unwrap_or_default();
        folder.add(path.display().to_string(), text);
    }
    assert!(folder.files.len() > 1);
    assert_pieces_agree(&folder, "rallly (folder)");
}

/// Lines and line fragments chosen to put cuts in awkward places.
fn tricky_schema() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("model A {\n"),
        Just("model B {\n"),
        Just("enum E {\n"),
        Just("view V {\n"),
        Just("type T {\n"),
        Just("type Alias = String\n"),
        Just("datasource db {\n"),
        Just("}\n"),
        Just("  id Int @id\n"),
        Just("  name String? @default(\"x\") // trailing\n"),
        Just("  ACTIVE\n"),
        Just("model String\n"),
        Just("enum A\n"),
        Just("/// documentation\n"),
        Just("// comment\n"),
        Just("/* block\n"),
        Just("*/\n"),
        Just("  a Int /* inline\n"),
        Just("foo {\n"),
        Just("foo bar {\n"),
        Just("\n"),
        Just("   \n"),
        Just("@@index([a])\n"),
        Just("garbage line (\n"),
        Just("/// Dokumentation für Ümläute, 日本語\n"),
        Just("  名前 String @default(\"€\")\n"),
    ];
    prop::collection::vec(line, 0..60).prop_map(|lines| lines.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn tricky_text_parses_the_same_in_pieces(text in tricky_schema()) {
        let files = SourceFiles::single("schema.prisma", text);
        let whole = parsed(&files, 1, usize::MAX);
        for threads in [2, 3, 8] {
            prop_assert_eq!(&whole, &parsed(&files, threads, 1));
        }
    }
}

/// A hint for a misspelt type names a model that another thread resolves.
#[test]
fn hints_name_models_resolved_on_other_threads() {
    let mut text = String::from("model Author {\n  id Int @id\n}\n");
    for i in 0..6 {
        text.push_str(&format!("\nmodel M{i} {{\n  id Int @id\n}}\n"));
    }
    text.push_str("\nmodel Post {\n  id Int @id\n  author Autor\n}\n");
    let files = SourceFiles::single("schema.prisma", text);
    let one = resolved(&files, 1);
    assert!(one.contains("did you mean `Author`?"), "{one}");
    for threads in [2, 3, 7] {
        assert_eq!(one, resolved(&files, threads), "{threads} threads");
    }
}
