//! The 14 documenso before/after pairs (`migration-tests/real_world_history/documenso`): from a
//! database at `before`, refract's migration to `after` has the same effect as the
//! `migration.sql` Prisma wrote (both applied to copies of the before-database, then
//! introspected and compared), and leaves no drift against `after`.

use refract_migrate::introspect::{Namespaces, introspect};
use refract_migrate::{SqlSchema, check, diff, lower, render_script, step::Pair};
use refract_testdb::TestDb;
use tokio_postgres::Client;

use crate::common::corpus;

fn lowered(path: &std::path::Path) -> SqlSchema {
    let text = std::fs::read_to_string(path).unwrap();
    let validated = refract_schema::validate_str(&path.to_string_lossy(), &text);
    assert!(
        validated.is_valid(),
        "{}: {:?}",
        path.display(),
        validated.diagnostics
    );
    lower(&validated.schema)
}

fn script(from: &SqlSchema, to: &SqlSchema) -> String {
    let steps = diff(from, to);
    let schemas = Pair::new(from, to);
    let diagnostics = check::evaluate(&check::plan(&steps, schemas), &check::Counts::default());
    render_script(&steps, schemas, &diagnostics)
}

async fn database_at(before: &SqlSchema) -> (TestDb, Client) {
    let db = TestDb::new().await;
    let client = db.client().await;
    client
        .batch_execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        .await
        .unwrap();
    client
        .batch_execute(&script(&SqlSchema::default(), before))
        .await
        .unwrap();
    (db, client)
}

#[tokio::test]
async fn refract_migrations_match_prisma_migrations() {
    let root = corpus().join("migration-tests/real_world_history/documenso");
    let cases = refract_testdb::sorted_entries(&root);
    assert_eq!(cases.len(), 14);
    let mut failures = Vec::new();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let before = lowered(&case.join("before.prisma"));
        let after = lowered(&case.join("after.prisma"));

        let (_ours_db, ours) = database_at(&before).await;
        let live = introspect(&ours, &Namespaces::default()).await.unwrap();
        let migration = script(&live, &after);
        if let Err(e) = ours.batch_execute(&migration).await {
            failures.push(format!(
                "{name}: refract's migration fails: {e:?}\n{migration}"
            ));
            continue;
        }
        let ours_after = introspect(&ours, &Namespaces::default()).await.unwrap();
        let drift = diff(&ours_after, &after);
        if !drift.is_empty() {
            failures.push(format!(
                "{name}: drift after refract's migration: {drift:#?}"
            ));
        }

        let (_theirs_db, theirs) = database_at(&before).await;
        let prisma_sql = std::fs::read_to_string(case.join("migration.sql")).unwrap();
        theirs.batch_execute(&prisma_sql).await.unwrap();
        let theirs_after = introspect(&theirs, &Namespaces::default()).await.unwrap();
        // Same effect: nothing to migrate between the two databases (column order aside,
        // which Prisma's hand-edited scripts sometimes change).
        if !diff(&ours_after, &theirs_after).is_empty()
            || !diff(&theirs_after, &ours_after).is_empty()
        {
            failures.push(format!(
                "{name}: refract's and Prisma's migrations differ in effect:\n--- refract\n{migration}\n--- prisma\n{prisma_sql}\n--- from refract's result to Prisma's\n{}",
                script(&ours_after, &theirs_after)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
