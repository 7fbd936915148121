//! Snapshots of generated crates: the root `schema.prisma` and every fixture in
//! `tests/fixtures/` (add a case by adding a `.prisma` file). Paths are resolved against a
//! fixed, fake checkout so the snapshots do not depend on where the repository lives.

use std::path::Path;

use crate::support::{concatenate, generate_all, load_schema, workspace_root};

const FAKE_ROOT: &str = "/checkout";

#[test]
fn root_schema() {
    let schema = load_schema(&workspace_root().join("schema.prisma"));
    let generated = generate_all(
        &schema,
        Path::new(FAKE_ROOT),
        &Path::new(FAKE_ROOT).join("crates/runtime"),
    );
    assert_eq!(generated.len(), 1);
    assert_eq!(generated[0].0, Path::new("/checkout/generated/client"));
    insta::assert_snapshot!("root_schema", concatenate(&generated[0].1));
}

#[test]
fn fixtures() {
    insta::glob!(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"),
        "*.prisma",
        |path| {
            let schema = load_schema(path);
            let dir = Path::new(FAKE_ROOT).join("crates/codegen/tests/fixtures");
            let generated =
                generate_all(&schema, &dir, &Path::new(FAKE_ROOT).join("crates/runtime"));
            let text: String = generated
                .iter()
                .map(|(output, vfs)| {
                    format!("# output: {}\n\n{}", output.display(), concatenate(vfs))
                })
                .collect();
            insta::assert_snapshot!(text);
        }
    );
}

#[test]
fn generation_is_deterministic() {
    let schema = load_schema(&workspace_root().join("schema.prisma"));
    let runtime = Path::new(FAKE_ROOT).join("crates/runtime");
    let first = generate_all(&schema, Path::new(FAKE_ROOT), &runtime);
    let second = generate_all(&schema, Path::new(FAKE_ROOT), &runtime);
    assert_eq!(first, second);
}
