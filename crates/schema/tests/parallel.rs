//! Work split across threads gives exactly the result of one thread.
//!
//! - Parsing a schema in pieces gives the AST of parsing it whole: over every
//!   `.prisma` file of the fixtures and over schemas generated here (a large
//!   clean one whose cuts are all trusted, one with what forces a file back to
//!   one piece), cut into many small pieces, and over random text full of the
//!   things a cut must not fall inside (block comments, unclosed blocks,
//!   keywords at column 0 inside blocks, doc comments before a cut).
//! - Resolving the models on several threads gives the IR and the
//!   diagnostics (same order) of one thread, over the same schemas.
//!
//! The same checks over every schema of Prisma's corpus are the `corpus` test
//! target (`tests/corpus/parallel.rs`), which `cargo xtask conformance` runs.

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

/// Every schema of the fixtures, sorted.
fn fixture_paths() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    prisma_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        &mut paths,
    );
    paths.sort();
    assert!(
        paths.len() >= 30,
        "only {} fixture files found",
        paths.len()
    );
    paths
}

fn read_single_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_single(path: &Path) -> SourceFiles {
    SourceFiles::single(path.display().to_string(), read_single_text(path))
}

/// A chain of `models` models written to be cut well: each opens with a doc
/// comment, uses an enum declared before it and a one-to-one relation to the
/// models on either side; views, line comments and an unknown type (its one
/// resolution error) are spread through it. No line a cut
/// distrusts, so every cut is kept.
fn generated_schema(models: usize) -> String {
    let mut text = String::from(
        "generator client {\n  provider        = \"prisma-client\"\n  previewFeatures = [\"views\"]\n}\n\ndatasource db {\n  provider = \"postgresql\"\n}\n",
    );
    for i in 0..models {
        let group = i - i % 7;
        if i % 7 == 0 {
            text.push_str(&format!(
                "\n/// The states of models {group} to {}.\nenum Status{group} {{\n  ACTIVE\n  INACTIVE @map(\"inactive\")\n\n  @@map(\"status_{group}\")\n}}\n",
                group + 6
            ));
        }
        if i % 9 == 4 {
            text.push_str(&format!(
                "\n// Read-only.\nview Summary{i} {{\n  id    Int    @unique\n  total BigInt\n}}\n"
            ));
        }
        text.push_str(&format!(
            "\n/// Model number {i}.\nmodel M{i} {{\n  id        Int      @id @default(autoincrement())\n  name      String   @db.VarChar(200)\n  createdAt DateTime @default(now())\n  status    Status{group}? // optional\n"
        ));
        if i > 0 {
            text.push_str(&format!(
                "  prevId    Int?     @unique\n  prev      M{}?     @relation(\"Chain{i}\", fields: [prevId], references: [id], onDelete: SetNull)\n",
                i - 1
            ));
        }
        if i + 1 < models {
            text.push_str(&format!(
                "  next      M{}?     @relation(\"Chain{}\")\n",
                i + 1,
                i + 1
            ));
        }
        if i == models / 2 {
            text.push_str("  owner     Usr\n");
        }
        text.push_str(&format!(
            "\n  @@index([name, createdAt(sort: Desc)])\n  @@map(\"m_{i}\")\n}}\n"
        ));
    }
    text
}

/// The generated schema with what makes a cut untrusted in its middle: a
/// block comment around a model, an unknown block and a line no rule takes.
fn generated_schema_with_untrusted_lines(models: usize) -> String {
    let text = generated_schema(models);
    let middle = text.len() / 2;
    let at = text[middle..]
        .find("\nmodel ")
        .map_or(text.len(), |i| middle + i + 1);
    format!(
        "{}/* a block comment\nmodel Hidden {{\n  id Int @id\n}}\n*/\n\nfoo Unknown {{\n  bar\n}}\n\ngarbage line !!\n\n{}",
        &text[..at],
        &text[at..]
    )
}

/// The generated schema as a folder of three files, cut at model boundaries.
fn generated_folder(models: usize) -> SourceFiles {
    let text = generated_schema(models);
    let mut files = SourceFiles::default();
    let mut rest = text.as_str();
    for (n, share) in [(0, 3), (1, 2)] {
        let from = rest.len() / share;
        let at = rest[from..]
            .find("\n/// Model number")
            .map_or(rest.len(), |i| from + i + 1);
        files.add(format!("part{n}.prisma"), rest[..at].to_owned());
        rest = &rest[at..];
    }
    files.add("part2.prisma", rest.to_owned());
    files
}

/// The schemas generated here, each with a name for failure messages.
fn generated() -> Vec<(&'static str, SourceFiles)> {
    vec![
        (
            "generated",
            SourceFiles::single("generated.prisma", generated_schema(250)),
        ),
        (
            "generated with untrusted lines",
            SourceFiles::single(
                "untrusted.prisma",
                generated_schema_with_untrusted_lines(60),
            ),
        ),
        ("generated folder", generated_folder(90)),
    ]
}

#[test]
fn generated_schema_is_large_and_valid_but_for_one_error() {
    let text = generated_schema(250);
    assert!(text.len() > 96 * 1024, "{} bytes", text.len());
    let validated = refract_schema::validate_str("generated.prisma", &text);
    let errors: Vec<String> = validated
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{d:?}"))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].contains("Usr"), "{errors:#?}");
}

#[test]
fn fixtures_and_generated_schemas_resolve_the_same_on_threads() {
    let mut schemas: Vec<(String, SourceFiles)> = fixture_paths()
        .iter()
        .map(|path| (path.display().to_string(), read_single(path)))
        .collect();
    schemas.extend(generated().into_iter().map(|(n, f)| (n.to_owned(), f)));
    for (name, files) in &schemas {
        let one = resolved(files, 1);
        for threads in [2, 3, 7] {
            assert!(
                one == resolved(files, threads),
                "{name}: resolving on {threads} threads changed the IR or the diagnostics"
            );
        }
    }
}

#[test]
fn fixtures_and_generated_schemas_parse_the_same_in_pieces() {
    let paths = fixture_paths();
    for path in &paths {
        assert_pieces_agree(&read_single(path), &path.display().to_string());
    }
    // A folder schema: pieces of several files at once.
    let mut folder = SourceFiles::default();
    for path in paths
        .iter()
        .filter(|p| p.to_string_lossy().contains("/multifile/invalid_relation/"))
    {
        folder.add(path.display().to_string(), read_single_text(path));
    }
    assert!(folder.files.len() > 1);
    assert_pieces_agree(&folder, "multifile/invalid_relation (folder)");
    for (name, files) in generated() {
        assert_pieces_agree(&files, name);
    }
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
