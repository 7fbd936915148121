//! Prisma's real migration folders (`corpus/real/*/migrations`): refract applies each folder
//! unchanged to a fresh database and records every migration; introspecting twice gives the
//! same schema, and diffing that schema against itself gives no step.

use refract_migrate::{diff, history};
use refract_testdb::TestDb;

use crate::common::{apply_folder, corpus, introspect_public};

async fn check_project(project: &str) {
    let db = TestDb::new().await;
    let mut client = db.client().await;
    let dir = corpus().join("real").join(project).join("migrations");
    let applied = apply_folder(&mut client, &dir).await;

    let records = history::list(&client).await.unwrap();
    assert_eq!(records.len(), applied);
    assert!(records.iter().all(|r| r.is_applied() && r.logs.is_none()));
    assert!(records.iter().all(|r| r.checksum.len() == 64));

    let first = introspect_public(&client).await;
    let second = introspect_public(&client).await;
    assert_eq!(first, second, "{project}: introspection is not stable");
    assert!(!first.tables.is_empty());
    assert!(first.tables.iter().all(|t| t.name != "_prisma_migrations"));
    let steps = diff(&first, &first);
    assert!(steps.is_empty(), "{project}: diff(s, s) = {steps:#?}");
}

#[tokio::test]
async fn documenso() {
    check_project("documenso").await;
}
#[tokio::test]
async fn ghostfolio() {
    check_project("ghostfolio").await;
}
#[tokio::test]
async fn hoppscotch() {
    check_project("hoppscotch").await;
}
#[tokio::test]
async fn inbox_zero() {
    check_project("inbox-zero").await;
}
#[tokio::test]
async fn langfuse() {
    check_project("langfuse").await;
}
#[tokio::test]
async fn rallly() {
    check_project("rallly").await;
}
#[tokio::test]
async fn trigger_dev() {
    check_project("trigger-dev").await;
}
#[tokio::test]
async fn umami() {
    check_project("umami").await;
}
