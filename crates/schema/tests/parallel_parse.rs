//! Parsing a schema in pieces (on several threads) gives exactly the AST of
//! parsing it whole: over every `.prisma` file of the shared corpus and the
//! fixtures, cut into many small pieces, and over generated text full of the
//! things a cut must not fall inside (block comments, unclosed blocks,
//! keywords at column 0 inside blocks, doc comments before a cut).

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use refract_schema::parse::parse_files_on;
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

#[test]
fn corpus_and_fixtures_parse_the_same_in_pieces() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../../../shared/corpus");
    assert!(
        corpus.is_dir(),
        "shared corpus not found at {}",
        corpus.display()
    );
    let mut paths = Vec::new();
    for dir in ["schemas", "real", "engine-test-schemas"] {
        prisma_files(&corpus.join(dir), &mut paths);
    }
    prisma_files(&root.join("tests/fixtures"), &mut paths);
    paths.sort();
    assert!(paths.len() > 50, "only {} schema files found", paths.len());
    for path in &paths {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let files = SourceFiles::single(path.display().to_string(), text);
        assert_pieces_agree(&files, &path.display().to_string());
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
