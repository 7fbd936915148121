//! `db pull`: introspection rendered as a schema. Prisma's own introspection cases
//! (`migration-tests/introspection_simple/postgres`) give the schema Prisma writes; pulling
//! the real projects' databases gives schemas that validate, pull the same twice, and lower
//! back to the introspected database with no difference.

use refract_migrate::commands::{Config, deploy};
use refract_migrate::introspect::{Namespaces, introspect};
use refract_migrate::pull::render_pulled_schema;
use refract_migrate::{diff, lower};
use refract_testdb::TestDb;

use crate::common::corpus;

const PRISMA_PREAMBLE: &str = "generator js {\n  provider = \"prisma-client\"\n}\n\ndatasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n";

/// Cases whose expected schema relies on rules refract does not implement yet.
const NOT_YET: &[&str] = &[
    // Prisma renames models whose names clash with its client API.
    "a_table_with_reserved_name.sql",
    // Prisma comments on expression indexes.
    "index_with_expression_column.sql",
];

#[tokio::test]
async fn prisma_introspection_cases() {
    let root = corpus().join("migration-tests/introspection_simple/postgres");
    let files = refract_testdb::files_below(&root);
    assert_eq!(files.len(), 8);
    let mut failures = Vec::new();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if NOT_YET.contains(&name.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let start = text.rfind("/*").unwrap();
        let setup = &text[..start];
        let expected = text[start + 2..].trim_end().trim_end_matches("*/").trim();
        let db = TestDb::new().await;
        let client = db.client().await;
        client
            .batch_execute(setup)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let schema = introspect(&client, &Namespaces::default()).await.unwrap();
        let pulled = render_pulled_schema(&schema, PRISMA_PREAMBLE);
        if pulled.trim() != expected {
            failures.push(format!(
                "{name}\n--- expected\n{expected}\n--- pulled\n{pulled}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `unrepresentable`: objects the schema language cannot express (so pulling and migrating
/// again changes them, in Prisma too): an index with `INCLUDE`, pre-v6 implicit m-n tables
/// keyed by a unique index instead of a primary key.
async fn pull_round_trip(project: &str, unrepresentable: &[&str]) {
    let db = TestDb::new().await;
    let config = Config::new(
        db.url(),
        corpus().join("real").join(project).join("migrations"),
    );
    deploy(&config).await.unwrap();
    let client = db.client().await;
    let live = introspect(&client, &Namespaces::default()).await.unwrap();
    assert!(live.tables.len() > 10, "{project}: nothing deployed");
    let pulled = render_pulled_schema(&live, refract_migrate::pull::DEFAULT_PREAMBLE);
    let validated = refract_schema::validate_str("pulled.prisma", &pulled);
    assert!(
        validated.is_valid(),
        "{project}: pulled schema is invalid: {:?}\n{pulled}",
        validated.diagnostics
    );
    assert_eq!(
        render_pulled_schema(&live, refract_migrate::pull::DEFAULT_PREAMBLE),
        pulled
    );
    let target = lower(&validated.schema);
    let steps = diff(&live, &target);
    let script = refract_migrate::render_script(
        &steps,
        refract_migrate::step::Pair::new(&live, &target),
        &Default::default(),
    );
    let unexpected: Vec<&str> = script
        .lines()
        .filter(|l| !l.starts_with("--") && !l.trim().is_empty())
        .filter(|l| !unrepresentable.iter().any(|name| l.contains(name)))
        .collect();
    assert!(
        unexpected.is_empty(),
        "{project}: pull then diff is not empty:\n{script}"
    );
    assert_eq!(
        steps.is_empty(),
        unrepresentable.is_empty(),
        "{project}:\n{script}"
    );
}

#[tokio::test]
async fn pull_documenso() {
    pull_round_trip("documenso", &[]).await;
}
#[tokio::test]
async fn pull_umami() {
    pull_round_trip("umami", &[]).await;
}
#[tokio::test]
async fn pull_ghostfolio() {
    pull_round_trip("ghostfolio", &[]).await;
}
#[tokio::test]
async fn pull_hoppscotch() {
    pull_round_trip("hoppscotch", &[]).await;
}
#[tokio::test]
async fn pull_inbox_zero() {
    pull_round_trip("inbox-zero", &[]).await;
}
#[tokio::test]
async fn pull_langfuse() {
    pull_round_trip("langfuse", &[]).await;
}
#[tokio::test]
async fn pull_rallly() {
    pull_round_trip("rallly", &[]).await;
}
#[tokio::test]
async fn pull_trigger_dev() {
    pull_round_trip(
        "trigger-dev",
        &[
            "TaskRun_runtimeEnvironmentId_createdAt_idx",
            "_BackgroundWorkerToBackgroundWorkerFile",
            "_BackgroundWorkerToTaskQueue",
        ],
    )
    .await;
}
