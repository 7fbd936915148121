//! `gen format` tests, all over data this repository holds:
//! - refract's fixtures (`tests/format/*.prisma`, `tests/format/multi/*/`), as
//!   insta snapshots, each idempotent;
//! - every schema of the validation fixtures (`tests/fixtures`: valid,
//!   warnings and invalid, folder schemas formatted together) formats
//!   idempotently;
//! - a property test: formatting never panics and is idempotent.
//!
//! Prisma's own formatter cases and the corpus' schemas are the `corpus` test
//! target (`tests/corpus/format.rs`), which `cargo xtask conformance` runs.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use refract_schema::format::{format, format_files};

/// `.prisma` files under `dir`, recursively, sorted by path.
fn prisma_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            found.extend(prisma_files(&path));
        } else if path.extension().is_some_and(|e| e == "prisma") {
            found.push(path);
        }
    }
    found
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The files of a folder schema as `(path relative to the folder, text)`.
fn folder_schema(dir: &Path) -> Vec<(String, String)> {
    prisma_files(dir)
        .iter()
        .map(|path| {
            (
                path.strip_prefix(dir).unwrap().display().to_string(),
                read(path),
            )
        })
        .collect()
}

/// The validation fixtures, written to cover the schema language rather than
/// the formatter: single files and folder schemas (formatted together) are
/// fixed points after one run.
#[test]
fn fixture_schemas_format_idempotently() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut schemas: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for kind in ["valid", "warnings", "invalid"] {
        for file in prisma_files(&root.join(kind)) {
            schemas.push((
                file.display().to_string(),
                vec![(String::new(), read(&file))],
            ));
        }
    }
    let mut folders: Vec<PathBuf> = std::fs::read_dir(root.join("multifile"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    folders.sort();
    for folder in folders {
        schemas.push((folder.display().to_string(), folder_schema(&folder)));
    }
    assert!(
        schemas.len() >= 30,
        "expected the validation fixtures, found {}",
        schemas.len()
    );
    let mut failures = Vec::new();
    for (name, files) in &schemas {
        let once = format_files(files);
        let twice = format_files(&once);
        for ((file, once), (_, twice)) in once.iter().zip(&twice) {
            if once != twice {
                failures.push(format!(
                    "{name} {file}: not idempotent\n--- once\n{once}--- twice\n{twice}---"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("format/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings
}

#[test]
fn fixtures() {
    snapshot_settings().bind(|| {
        insta::glob!("format/*.prisma", |path| {
            let input = read(path);
            let formatted = format(&input);
            assert_eq!(
                format(&formatted),
                formatted,
                "{}: not idempotent",
                path.display()
            );
            insta::assert_snapshot!(formatted);
        });
    });
}

/// `tests/format/multi/<case>/`: folder schemas, formatted together.
#[test]
fn multi_file_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/format/multi");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    snapshot_settings().bind(|| {
        for case in cases {
            let formatted = format_files(&folder_schema(&case));
            assert_eq!(
                format_files(&formatted),
                formatted,
                "{}: not idempotent",
                case.display()
            );
            let rendered: String = formatted
                .iter()
                .map(|(name, text)| format!("=== {name}\n{text}"))
                .collect();
            let name = case.file_name().unwrap().to_string_lossy().to_string();
            insta::assert_snapshot!(format!("multi@{name}"), rendered);
        }
    });
}

#[test]
fn line_endings_do_not_matter() {
    let unix = "model A {\n  id Int @id // c\n\n  /* x\n  y */\n  name String\n}\n";
    assert_eq!(format(&unix.replace('\n', "\r\n")), format(unix));
    assert_eq!(format(&unix.replace('\n', "\r")), format(unix));
    assert!(!format(&unix.replace('\n', "\r\n")).contains('\r'));
}

#[test]
fn empty_input_is_one_newline() {
    assert_eq!(format(""), "\n");
    assert_eq!(format(" \n\n\t\n"), "\n");
}

/// Up to 200 nested brackets are formatted (and must not overflow a test
/// thread's stack); deeper nesting is returned unchanged.
#[test]
fn nesting_up_to_the_limit_is_formatted() {
    for (open, close) in [("[", "]"), ("f(", ")")] {
        let deep = format!(
            "model A {{\n  id    Int @default({}1{})\n}}\n",
            open.repeat(199),
            close.repeat(199)
        );
        assert!(format(&deep).starts_with("model A {\n  id Int @default("));
    }
}

#[test]
fn deep_nesting_is_returned_unchanged() {
    let deep = format!(
        "model A {{\n  id Int @default({}1{})\n}}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    assert_eq!(format(&deep), deep);
}

/// Lines of a plausible schema, shuffled and recombined: blocks, fields,
/// attributes, comments, broken lines.
fn schema_line() -> impl Strategy<Value = String> {
    let fragments = prop::sample::select(vec![
        "model A {",
        "model B {",
        "view V {",
        "type T {",
        "enum E {",
        "generator g {",
        "datasource db {",
        "}",
        "{",
        "id Int @id",
        "id Int @id @default(autoincrement())",
        "name String? @unique @map(\"n\")",
        "b B @relation(fields: [bId], references: [id])",
        "bId Int",
        "as A[]",
        "a A?",
        "self A? @relation(\"s\")",
        "@@id([a, b])",
        "@@unique([x], map: \"u\")",
        "@@index([a(sort: Desc), b], type: Hash)",
        "@@map(\"x\")",
        "VALUE @map(\"v\")",
        "OTHER",
        "provider = \"postgresql\"",
        "url = env(\"DATABASE_URL\")",
        "previewFeatures = [",
        "\"a\",",
        "]",
        "key =",
        "// comment",
        "/// doc",
        "/* block */",
        "/* multi",
        "line */",
        "x Int // trailing",
        "y Int /* trailing */",
        "garbage line !!",
        "type X = String @id",
        "weird { block",
        "f Unsupported(\"geo\")?",
        "g Int[]?",
        "h String!",
        "i: Int",
        "j [Int]",
        "k Int @default(",
        "l Int @db.VarChar(255) @id",
        "m DateTime @updatedAt @default(now())",
        "",
        "  ",
        "\t",
        "名前 String",
        "émoji Int @map(\"é\")",
        "*/",
        "model C { // c",
        "model D {}",
        "foo Bar {",
        "x Int @relation()",
        "p Post @relation(\"n\")",
        "@@index([a], map: \"i\") // c",
        "/// doc /* x */",
        "VALUE @map(\"v\") @x",
    ]);
    (
        fragments,
        prop::sample::select(vec!["", " ", "  ", "\t", "    "]),
        prop::sample::select(vec!["", " ", "  "]),
    )
        .prop_map(|(line, indent, tail)| format!("{indent}{line}{tail}"))
}

fn schema_text() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(schema_line(), 0..40),
        prop::sample::select(vec!["\n", "\r\n", "\n\n"]),
    )
        .prop_map(|(lines, newline)| lines.join(newline))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn plausible_schemas_format_idempotently(text in schema_text()) {
        let once = format(&text);
        prop_assert_eq!(format(&once), once);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let once = format(&text);
        prop_assert!(once.ends_with('\n'));
    }

    #[test]
    fn arbitrary_schema_characters_never_panic(text in "[a-zA-Z0-9_@(){}\\[\\]\"=:,.?!/* \t\r\n-]{0,300}") {
        let _ = format(&text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn plausible_folder_schemas_format_idempotently(first in schema_text(), second in schema_text()) {
        let files = vec![("a.prisma".to_string(), first), ("b.prisma".to_string(), second)];
        let once = format_files(&files);
        prop_assert_eq!(format_files(&once), once);
    }
}
