//! The history table and apply: failures leave the database unchanged and the row marked,
//! concurrent deploys never both apply a migration, the advisory lock times out.

use std::time::Duration;

use refract_migrate::apply::{ApplyError, apply_migration};
use refract_migrate::checksum::{checksum_matches, render_checksum};
use refract_migrate::history;
use refract_testdb::TestDb;

use crate::common::introspect_public;

#[tokio::test]
async fn failed_migration_leaves_database_unchanged_and_row_marked() {
    let db = TestDb::new().await;
    let mut client = db.client().await;
    history::ensure_table(&client).await.unwrap();
    apply_migration(
        &mut client,
        "1_init",
        "CREATE TABLE \"a\" (\"id\" INTEGER NOT NULL);\n",
    )
    .await
    .unwrap();
    let before = introspect_public(&client).await;

    let script = "-- AlterTable\nALTER TABLE \"a\" ADD COLUMN \"b\" TEXT;\n\n-- CreateTable\nCREATE TABLE \"c\" (\"x\" NOSUCHTYPE);\n";
    let err = apply_migration(&mut client, "2_broken", script)
        .await
        .unwrap_err();
    match &err {
        ApplyError::Statement {
            line,
            statement,
            code,
            migration,
            ..
        } => {
            assert_eq!(*line, 5);
            assert_eq!(statement, "CREATE TABLE \"c\" (\"x\" NOSUCHTYPE)");
            assert_eq!(code, "42704");
            assert_eq!(migration, "2_broken");
        }
        other => panic!("unexpected error {other}"),
    }
    assert_eq!(
        introspect_public(&client).await,
        before,
        "the first statement was not rolled back"
    );

    let records = history::list(&client).await.unwrap();
    assert_eq!(records.len(), 2);
    assert!(records[0].is_applied());
    let failed = &records[1];
    assert_eq!(failed.migration_name, "2_broken");
    assert!(failed.is_failed());
    assert_eq!(failed.checksum, render_checksum(script));
    let logs = failed.logs.as_deref().unwrap();
    assert!(
        logs.contains("line 5") && logs.contains("NOSUCHTYPE"),
        "{logs}"
    );
}

#[tokio::test]
async fn history_table_has_prisma_columns() {
    let db = TestDb::new().await;
    let client = db.client().await;
    history::ensure_table(&client).await.unwrap();
    history::ensure_table(&client).await.unwrap();
    let rows = client
        .query(
            "SELECT column_name::text, data_type::text, is_nullable::text, character_maximum_length \
             FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position",
            &[],
        )
        .await
        .unwrap();
    let columns: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {:?}",
                r.get::<_, String>(0),
                r.get::<_, String>(1),
                r.get::<_, String>(2),
                r.get::<_, Option<i32>>(3)
            )
        })
        .collect();
    insta::assert_snapshot!(columns.join("\n"));
}

#[tokio::test]
async fn resolve_marks_are_append_only() {
    let db = TestDb::new().await;
    let client = db.client().await;
    history::ensure_table(&client).await.unwrap();
    let id = history::record_started(&client, "m1", "abc").await.unwrap();
    history::record_failed(&client, &id, "boom").await.unwrap();
    history::mark_rolled_back(&client, &id).await.unwrap();
    history::mark_applied(&client, "m1", "abc").await.unwrap();
    let records = history::list(&client).await.unwrap();
    assert_eq!(records.len(), 2);
    assert!(!records[0].is_applied() && !records[0].is_failed());
    assert!(records[1].is_applied());
    assert_eq!(records[1].finished_at, Some(records[1].started_at));
}

#[tokio::test]
async fn advisory_lock_is_exclusive_and_times_out() {
    let db = TestDb::new().await;
    let first = db.client().await;
    let second = db.client().await;
    history::acquire_lock(&first).await.unwrap();
    let err = history::acquire_lock_within(&second, Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("pg_advisory_lock(72707369)"),
        "{err}"
    );
    history::release_lock(&first).await.unwrap();
    history::acquire_lock_within(&second, Duration::from_secs(5))
        .await
        .unwrap();
    history::release_lock(&second).await.unwrap();
}

#[tokio::test]
async fn crlf_checksums_match_lf_files() {
    let lf = "CREATE TABLE a (id int);\n";
    assert!(checksum_matches(
        &render_checksum(&lf.replace('\n', "\r\n")),
        lf
    ));
}
