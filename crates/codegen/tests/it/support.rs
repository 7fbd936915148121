//! Shared helpers: the workspace root, loading a schema, generating as `gen generate` does.

use std::path::{Path, PathBuf};

use refract_codegen::{Outcome, RuntimeSource, Target, Vfs};
use refract_schema::ir;

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The validated IR of a schema file; panics with the diagnostics if it is invalid.
pub fn load_schema(path: &Path) -> ir::Schema {
    let files = refract_schema::load(path).unwrap();
    let validated = refract_schema::validate(&files);
    assert!(
        validated.is_valid(),
        "{}",
        refract_schema::render::render(
            &files,
            &validated.diagnostics.errors().collect::<Vec<_>>(),
            false
        )
    );
    validated.schema
}

/// The refract targets of `schema`, resolved as `gen generate` resolves them when run from
/// this checkout: relative to `schema_dir`, with the runtime at `runtime_dir`.
pub fn targets(schema: &ir::Schema, schema_dir: &Path, runtime_dir: &Path) -> Vec<Target> {
    let runtime = RuntimeSource {
        path: Some(runtime_dir),
        version: "0.1.0",
    };
    refract_codegen::target::targets(schema, schema_dir, runtime, &|_| None)
}

/// Every generated crate of `schema` with where it goes.
pub fn generate_all(
    schema: &ir::Schema,
    schema_dir: &Path,
    runtime_dir: &Path,
) -> Vec<(PathBuf, Vfs)> {
    targets(schema, schema_dir, runtime_dir)
        .into_iter()
        .filter_map(|target| match target.outcome {
            Outcome::Generate {
                output, options, ..
            } => Some((output, refract_codegen::generate(schema, &options))),
            Outcome::Skip { .. } => None,
            Outcome::Invalid { message } => panic!("generator {}: {message}", target.generator),
        })
        .collect()
}

/// All files of a crate as one text, for one snapshot per crate.
pub fn concatenate(vfs: &Vfs) -> String {
    let mut text = String::new();
    for (path, contents) in vfs.files() {
        text.push_str(&format!("==> {} <==\n", path.display()));
        text.push_str(contents);
        if !contents.ends_with('\n') {
            text.push('\n');
        }
        text.push('\n');
    }
    text
}

/// A fresh database with the tables of the schema at `schema_path` (created by the
/// migration engine's lower → diff → render, as `gen migrate` would), and a client on it.
pub struct Database {
    pub client: refract_runtime::Client,
    // Dropped last: the database goes away with it.
    pub _test_db: refract_testdb::TestDb,
}

pub async fn database(schema_path: &str) -> Database {
    database_with(schema_path, |config| config).await
}

pub async fn database_with(
    schema_path: &str,
    configure: impl FnOnce(refract_runtime::ClientConfig) -> refract_runtime::ClientConfig,
) -> Database {
    let schema = load_schema(&workspace_root().join(schema_path));
    let script = crate::tables::create_tables_sql(&schema);
    let test_db = refract_testdb::TestDb::new().await;
    test_db.client().await.batch_execute(&script).await.unwrap();
    let config = configure(refract_runtime::ClientConfig::from_url(test_db.url()).unwrap());
    Database {
        client: config.build().unwrap(),
        _test_db: test_db,
    }
}
