//! Hand-written schemas in `tests/schemas` covering every type, default and index option:
//! the script from an empty database (snapshotted; byte-identical to Prisma 7.10's when
//! recorded), applied, leaves no drift; pulling the database back gives a schema that
//! lowers to the same database.

use std::path::PathBuf;

use refract_migrate::introspect::{Namespaces, introspect};
use refract_migrate::pull::{DEFAULT_PREAMBLE, render_pulled_schema};
use refract_migrate::{SqlSchema, check, diff, lower, render_script, step::Pair};
use refract_testdb::TestDb;

#[tokio::test]
async fn schemas_render_apply_and_pull_back() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/schemas");
    let paths = refract_testdb::sorted_entries(&dir);
    assert!(!paths.is_empty());
    for path in paths {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let validated = refract_schema::validate_str(&name, &text);
        assert!(validated.is_valid(), "{name}: {:?}", validated.diagnostics);
        let target = lower(&validated.schema);
        let empty = SqlSchema::default();
        let steps = diff(&empty, &target);
        let schemas = Pair::new(&empty, &target);
        let diagnostics = check::evaluate(&check::plan(&steps, schemas), &check::Counts::default());
        let script = render_script(&steps, schemas, &diagnostics);
        insta::assert_snapshot!(name.clone(), script);

        let db = TestDb::new().await;
        let client = db.client().await;
        client
            .batch_execute(&script)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let live = introspect(&client, &Namespaces::default()).await.unwrap();
        let drift = diff(&live, &target);
        assert!(drift.is_empty(), "{name}: drift {drift:#?}");

        let pulled = render_pulled_schema(&live, DEFAULT_PREAMBLE);
        let repulled = refract_schema::validate_str("pulled", &pulled);
        assert!(
            repulled.is_valid(),
            "{name}: {:?}\n{pulled}",
            repulled.diagnostics
        );
        let again = diff(&live, &lower(&repulled.schema));
        assert!(
            again.is_empty(),
            "{name}: pulled schema differs: {again:#?}\n{pulled}"
        );
        insta::assert_snapshot!(format!("{name}__pulled"), pulled);
    }
}
