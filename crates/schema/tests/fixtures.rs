//! Diagnostics for every fixture schema, as insta snapshots.
//!
//! `fixtures/valid/*.prisma` must produce no error; `fixtures/invalid/*.prisma`
//! at least one. Each invalid fixture covers one validation rule (some a few
//! at once, to show that every error is reported in one run); the verdicts
//! were checked against Prisma 7.10 (see `fixtures/README.md`).

use std::path::Path;

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
