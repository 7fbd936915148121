//! Diagnostics for every fixture schema, as insta snapshots.
//!
//! `fixtures/valid/*.prisma` must produce no error; `fixtures/warnings/*.prisma`
//! no error and at least one warning; `fixtures/invalid/*.prisma` at least
//! one error. Each invalid fixture covers one validation rule (some a few at
//! once, to show that every error is reported in one run); the verdicts were
//! checked against Prisma 7.10 (see `fixtures/README.md`). Every code of the
//! diagnostics table is emitted by at least one fixture.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use refract_schema::diagnostics::codes;
use refract_schema::{Diagnostic, SourceFiles, render};

fn rendered(files: &SourceFiles) -> (String, usize) {
    let validated = refract_schema::validate(files);
    let diags: Vec<&Diagnostic> = validated
        .diagnostics
        .warnings()
        .chain(validated.diagnostics.errors())
        .collect();
    let errors = validated.diagnostics.errors().count();
    let text = format!(
        "{}\n{}",
        render::render_short(files, &diags),
        render::render(files, &diags, false)
    );
    (text, errors)
}

fn relative(path: &Path) -> String {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    path.strip_prefix(&base)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn single_file_fixtures() {
    insta::glob!("fixtures/*/*.prisma", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = relative(path);
        let files = SourceFiles::single(name.clone(), text);
        let (out, errors) = rendered(&files);
        if name.starts_with("valid/") {
            assert_eq!(errors, 0, "{name} should be valid:\n{out}");
            // The IR of every valid fixture, as consumers see it.
            let ir = refract_schema::validate(&files).schema;
            insta::assert_debug_snapshot!("ir", ir);
        } else if name.starts_with("warnings/") {
            assert_eq!(errors, 0, "{name} should be valid:\n{out}");
            let warnings = refract_schema::validate(&files)
                .diagnostics
                .warnings()
                .count();
            assert!(warnings > 0, "{name} should have a warning");
        } else {
            assert!(errors > 0, "{name} should be invalid");
        }
        insta::assert_snapshot!("diagnostics", out);
    });
}

#[test]
fn multi_file_schema_names_the_right_file() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/multifile/invalid_relation");
    let mut files = refract_schema::load(&dir).unwrap();
    for f in &mut files.files {
        f.name = relative(Path::new(&f.name));
    }
    let (out, errors) = rendered(&files);
    assert!(errors >= 2);
    assert!(
        out.contains("multifile/invalid_relation/post.prisma:4:"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

/// Every `.prisma` file under `dir`, recursively.
fn prisma_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            prisma_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "prisma") {
            out.push(path);
        }
    }
}

/// The diagnostics table is a checklist: a code no fixture emits is a rule
/// nobody has seen fire. Each file is validated on its own (a folder's files
/// too: a code they emit only together is still emitted by the folder test).
#[test]
fn every_diagnostic_code_has_a_fixture() {
    let mut paths = Vec::new();
    prisma_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        &mut paths,
    );
    let mut emitted = BTreeSet::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let validated = refract_schema::validate_str(&relative(path), &text);
        emitted.extend(validated.diagnostics.iter().map(|d| d.code.id));
    }
    let missing: Vec<String> = codes::ALL
        .iter()
        .filter(|c| !emitted.contains(c.id))
        .map(|c| format!("{} {}", c.id, c.name))
        .collect();
    assert!(
        missing.is_empty(),
        "no fixture under tests/fixtures emits these codes; add one to invalid/ (errors) or warnings/ (warnings only): {missing:#?}"
    );
}

#[test]
fn diagnostic_codes_are_unique() {
    let ids: BTreeSet<&str> = codes::ALL.iter().map(|c| c.id).collect();
    let names: BTreeSet<&str> = codes::ALL.iter().map(|c| c.name).collect();
    assert_eq!(ids.len(), codes::ALL.len(), "a code id is used twice");
    assert_eq!(names.len(), codes::ALL.len(), "a code name is used twice");
}
