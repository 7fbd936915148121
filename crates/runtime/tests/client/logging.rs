//! Query logging: every statement is a DEBUG event under `refract::query` with its SQL
//! and duration. (Issue 4 counts statements this way to prove `include` is not N+1.)

use refract_testdb::StatementLog;

use crate::support::setup;
use runtime_tests_client::Models;
use runtime_tests_client::user::{self, *};

#[tokio::test]
async fn every_statement_is_logged_with_sql_and_duration() {
    let s = setup().await;
    let log = StatementLog::default();
    let _guard = tracing::subscriber::set_default(log.clone());
    let created = s
        .client
        .user()
        .create(user::Create {
            email: "log@x".into(),
            tenant: "t".into(),
            handle: "log".into(),
        })
        .await
        .unwrap();
    s.client
        .user()
        .find_unique(user::id(created.id))
        .await
        .unwrap();
    s.client
        .user()
        .count()
        .filter(NAME.is_null())
        .await
        .unwrap();
    let entries = log.entries();
    assert_eq!(entries.len(), 3, "{entries:?}");
    assert!(
        entries[0]
            .sql
            .starts_with("INSERT INTO \"public\".\"User\""),
        "{}",
        entries[0].sql
    );
    assert!(
        entries[1].sql.starts_with("SELECT \"id\", \"email\""),
        "{}",
        entries[1].sql
    );
    assert_eq!(
        entries[2].sql,
        "SELECT COUNT(*) FROM \"public\".\"User\" WHERE \"name\" IS NULL"
    );
    assert!(entries.iter().all(|entry| entry.has_duration));
    // Values never appear in the SQL text.
    assert!(entries.iter().all(|entry| !entry.sql.contains("log@x")));
}
