//! One `Client` shared by 100 concurrent tasks: every task's writes and reads succeed, and
//! the pool never opens more connections than configured.

use client::runtime::ClientConfig;
use client::*;

use crate::support::database_with;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_client_shared_by_100_tasks() {
    let s = database_with("schema.prisma", |config: ClientConfig| {
        config.max_connections(8)
    })
    .await;
    let db = s.client.clone();
    let t = db
        .tenant()
        .create(tenant::Create { name: "t".into() })
        .await
        .unwrap();
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let db = db.clone();
            let tenant_id = t.id.clone();
            tokio::spawn(async move {
                let email = format!("user{i}@x.io");
                let created = db
                    .user()
                    .create(user::Create {
                        email: email.to_owned(),
                        tenant_id: tenant_id.to_owned(),
                    })
                    .await?;
                let found = db.user().find_unique_or_throw(user::email(&email)).await?;
                assert_eq!(created, found);
                db.user()
                    .update(user::id(&created.id), [user::NAME.set(format!("n{i}"))])
                    .await?;
                db.user().count().await
            })
        })
        .collect();
    for task in tasks {
        let count = task.await.unwrap().unwrap();
        assert!((1..=100).contains(&count));
    }
    assert_eq!(db.user().count().await.unwrap(), 100);
    assert_eq!(
        db.user()
            .count()
            .filter(user::NAME.starts_with("n"))
            .await
            .unwrap(),
        100
    );
    let (size, _) = db.pool_status();
    assert!(size <= 8, "pool grew to {size} connections");
    let rows: Vec<(i64,)> = db
        .query_raw_as(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()",
            &[],
        )
        .await
        .unwrap();
    assert!(rows[0].0 <= 8, "{} connections", rows[0].0);
}
