//! Every real project schema in `corpus/real`: the script refract renders from an empty
//! database (snapshotted; byte-identical to `prisma migrate diff --from-empty --script` of
//! Prisma 7.10 when recorded), applied to a fresh database, leaves no drift: introspecting the
//! database and diffing it against the schema gives no step.

use refract_migrate::introspect::{Namespaces, introspect};
use refract_migrate::{SqlSchema, check, diff, lower, render_script, step::Pair};
use refract_testdb::TestDb;

use crate::common::corpus;

/// formbricks needs pgvector, which the test server does not ship: only its script is checked.
const UNAVAILABLE: &str = "vector (not installed)";

async fn check_project(project: &str, needed_extensions: &[&str]) {
    let dir = corpus().join("real").join(project);
    let path = if dir.join("schema.prisma").exists() {
        dir.join("schema.prisma")
    } else {
        dir.join("schema")
    };
    let files = refract_schema::load(&path).unwrap();
    let validated = refract_schema::validate(&files);
    assert!(
        validated.is_valid(),
        "{project}: {:?}",
        validated.diagnostics
    );
    let target = lower(&validated.schema);

    let empty = SqlSchema::default();
    let steps = diff(&empty, &target);
    let schemas = Pair::new(&empty, &target);
    let diagnostics = check::evaluate(&check::plan(&steps, schemas), &check::Counts::default());
    let script = render_script(&steps, schemas, &diagnostics);
    insta::assert_snapshot!(format!("from_empty__{project}"), script);
    if needed_extensions.contains(&UNAVAILABLE) {
        return;
    }

    let db = TestDb::new().await;
    let client = db.client().await;
    // Extensions the project installs outside its schema (Prisma only creates them with the
    // postgresqlExtensions preview feature).
    for extension in needed_extensions {
        client
            .batch_execute(&format!("CREATE EXTENSION IF NOT EXISTS {extension}"))
            .await
            .unwrap();
    }
    client
        .batch_execute(&script)
        .await
        .unwrap_or_else(|e| panic!("{project}: {e:?}"));
    let live = introspect(&client, &Namespaces::default()).await.unwrap();
    let drift = diff(&live, &target);
    let drift_sql = render_script(
        &drift,
        Pair::new(&live, &target),
        &check::Diagnostics::default(),
    );
    assert!(
        drift.is_empty(),
        "{project}: drift after applying its own migration:\n{drift_sql}"
    );
}

#[tokio::test]
async fn documenso() {
    check_project("documenso", &["pg_trgm"]).await;
}
#[tokio::test]
async fn formbricks() {
    check_project("formbricks", &[UNAVAILABLE]).await;
}
#[tokio::test]
async fn ghostfolio() {
    check_project("ghostfolio", &[]).await;
}
#[tokio::test]
async fn hoppscotch() {
    check_project("hoppscotch", &[]).await;
}
#[tokio::test]
async fn inbox_zero() {
    check_project("inbox-zero", &[]).await;
}
#[tokio::test]
async fn langfuse() {
    check_project("langfuse", &[]).await;
}
#[tokio::test]
async fn rallly() {
    check_project("rallly", &["citext"]).await;
}
#[tokio::test]
async fn trigger_dev() {
    check_project("trigger-dev", &[]).await;
}
#[tokio::test]
async fn umami() {
    check_project("umami", &[]).await;
}
