//! `gen format` over the corpus:
//! - Prisma's own formatter cases (`psl-tests/reformatter*`): output equals Prisma's
//!   expected text, and the expected text is a fixed point;
//! - every real-world schema of the corpus formats idempotently;
//! - so do Prisma's validation cases and the engine and migration test schemas.

use std::path::{Path, PathBuf};

use refract_schema::format::{format, format_files};

use crate::{corpus, prisma_files, read};

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

/// Reports every mismatch at once, with both texts.
fn assert_no_failures(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} failure(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

fn mismatch(what: &str, expected: &str, actual: &str) -> String {
    format!("{what}\n--- expected\n{expected}--- actual\n{actual}---")
}

#[test]
fn prisma_single_file_cases() {
    let dir = corpus().join("psl-tests/reformatter");
    let inputs: Vec<PathBuf> = prisma_files(&dir)
        .into_iter()
        .filter(|p| !p.to_string_lossy().ends_with(".reformatted.prisma"))
        .collect();
    assert_eq!(inputs.len(), 14, "Prisma's single-file formatter cases");
    let mut failures = Vec::new();
    for input in &inputs {
        let expected = read(&input.with_extension("reformatted.prisma"));
        let actual = format(&read(input));
        if actual != expected {
            failures.push(mismatch(
                &format!("{}: output differs", input.display()),
                &expected,
                &actual,
            ));
        }
        let again = format(&expected);
        if again != expected {
            failures.push(mismatch(
                &format!("{}: expected output not a fixed point", input.display()),
                &expected,
                &again,
            ));
        }
    }
    assert_no_failures(failures);
}

#[test]
fn prisma_multi_file_cases() {
    let dir = corpus().join("psl-tests/reformatter_multi_file");
    let cases: Vec<PathBuf> = refract_testdb::sorted_entries(&dir)
        .into_iter()
        .filter(|p| p.is_dir() && p.extension().is_none())
        .collect();
    assert_eq!(cases.len(), 4, "Prisma's multi-file formatter cases");
    let mut failures = Vec::new();
    for case in &cases {
        let expected_dir = case.with_extension("reformatted");
        let actual = format_files(&folder_schema(case));
        let expected = folder_schema(&expected_dir);
        assert_eq!(
            actual.len(),
            expected.len(),
            "{}: file count",
            case.display()
        );
        for ((name, actual), (expected_name, expected)) in actual.iter().zip(&expected) {
            assert_eq!(name, expected_name);
            if actual != expected {
                failures.push(mismatch(
                    &format!("{}/{name}: output differs", case.display()),
                    expected,
                    actual,
                ));
            }
        }
        let again = format_files(&expected);
        if again != expected {
            failures.push(format!(
                "{}: expected output not a fixed point",
                case.display()
            ));
        }
    }
    assert_no_failures(failures);
}

/// Every real schema: single files, and folder schemas formatted together.
#[test]
fn real_schemas_format_idempotently() {
    let corpus = corpus();
    let mut schemas: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for project in refract_testdb::sorted_entries(&corpus.join("real")) {
        let file = project.join("schema.prisma");
        let folder = project.join("schema");
        if file.is_file() {
            schemas.push((
                file.display().to_string(),
                vec![(String::new(), read(&file))],
            ));
        } else if folder.is_dir() {
            schemas.push((folder.display().to_string(), folder_schema(&folder)));
        } else {
            panic!("{}: neither schema.prisma nor schema/", project.display());
        }
    }
    let collection = corpus.join("schemas");
    for file in prisma_files(&collection)
        .into_iter()
        .filter(|p| p.parent() == Some(collection.as_path()))
    {
        schemas.push((
            file.display().to_string(),
            vec![(String::new(), read(&file))],
        ));
    }
    for folder in refract_testdb::sorted_entries(&collection.join("multifile")) {
        schemas.push((folder.display().to_string(), folder_schema(&folder)));
    }
    assert!(
        schemas.len() >= 48,
        "expected the corpus' 9 real projects, 36 schemas and 3 folders, found {}",
        schemas.len()
    );

    let mut failures = Vec::new();
    for (name, files) in &schemas {
        let once = format_files(files);
        let twice = format_files(&once);
        for ((file, once), (_, twice)) in once.iter().zip(&twice) {
            if once != twice {
                failures.push(mismatch(
                    &format!("{name} {file}: not idempotent"),
                    once,
                    twice,
                ));
            }
        }
    }
    assert_no_failures(failures);
}

/// Prisma's validation cases (many of them invalid on purpose) and the engine
/// and migration test schemas: odd input, each must be a fixed point after
/// one run.
#[test]
fn other_corpus_schemas_format_idempotently() {
    let corpus = corpus();
    let mut files = refract_testdb::files_below(&corpus.join("psl-tests/validation"));
    assert!(files.len() >= 216, "Prisma's validation cases");
    files.extend(prisma_files(&corpus.join("engine-test-schemas")));
    files.extend(prisma_files(&corpus.join("migration-tests")));
    let mut failures = Vec::new();
    for file in &files {
        let once = format(&read(file));
        let twice = format(&once);
        if once != twice {
            failures.push(mismatch(
                &format!("{}: not idempotent", file.display()),
                &once,
                &twice,
            ));
        }
    }
    assert_no_failures(failures);
}
