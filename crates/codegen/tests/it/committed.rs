//! The generated crates committed in `generated/` are exactly what `gen generate` writes
//! today: any change to codegen shows up as a diff of the generated interface in review.

use crate::support::{generate_all, load_schema, workspace_root};

/// The schemas whose clients are committed, relative to the workspace root.
const COMMITTED: &[&str] = &[
    "schema.prisma",
    "crates/codegen/tests/fixtures/every_type.prisma",
    "crates/codegen/tests/fixtures/relations.prisma",
    "crates/runtime/tests/client/schema.prisma",
    "xtask/src/conformance/client/schema.prisma",
];

#[test]
fn committed_clients_are_up_to_date() {
    let root = workspace_root();
    let runtime = root.join("crates/runtime");
    let mut stale = Vec::new();
    for schema_path in COMMITTED {
        let path = root.join(schema_path);
        let schema = load_schema(&path);
        let dir = path.parent().unwrap();
        for (output, vfs) in generate_all(&schema, dir, &runtime) {
            assert!(
                output.starts_with(root.join("generated")),
                "{}",
                output.display()
            );
            for difference in vfs.compare(&output).unwrap() {
                stale.push(format!("{}: {difference}", output.display()));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "the committed clients are stale; run `cargo gen generate` and \
         `cargo gen generate --schema crates/codegen/tests/fixtures/<fixture>.prisma` for the \
         every_type and relations fixtures and crates/runtime/tests/client/schema.prisma:\n{}",
        stale.join("\n")
    );
}
