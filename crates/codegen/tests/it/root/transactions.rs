//! Transactions through the generated accessors: commit on `Ok`, roll back on `Err` (and
//! on a failed statement), and the same model accessors on `tx` as on the client.

use client::runtime::{Error, IsolationLevel, TransactionOptions};
use client::*;
use serde_json::json;

use super::{setup, tenant};

#[tokio::test]
async fn commit_on_ok() {
    let s = setup().await;
    let db = &s.client;
    let (t, agent) = db
        .transaction(|tx| async move {
            let t = tx
                .tenant()
                .create(tenant::Create { name: "t".into() })
                .await?;
            let agent = tx
                .agent()
                .create(agent::Create {
                    name: "a".into(),
                    flow_json: json!({}),
                    tenant_id: t.id.to_owned(),
                })
                .await?;
            // Reads inside see the transaction's own writes.
            assert_eq!(tx.agent().count().await?, 1);
            Ok::<_, Error>((t, agent))
        })
        .await
        .unwrap();
    assert_eq!(
        db.tenant().find_unique(tenant::id(&t.id)).await.unwrap(),
        Some(t)
    );
    assert_eq!(
        db.agent().find_unique(agent::id(&agent.id)).await.unwrap(),
        Some(agent)
    );
}

#[tokio::test]
async fn roll_back_on_err() {
    let s = setup().await;
    let db = &s.client;
    let existing = tenant(db, "existing").await;
    let result: Result<(), Error> = db
        .transaction(|tx| async move {
            tx.tenant()
                .create(tenant::Create { name: "new".into() })
                .await?;
            tx.tenant()
                .update(
                    tenant::id(&existing.id),
                    [tenant::PLAN.set(TenantPlan::Pro)],
                )
                .await?;
            // Fails: the name is taken. Everything above is rolled back.
            tx.tenant()
                .create(tenant::Create {
                    name: "existing".into(),
                })
                .await?;
            Ok(())
        })
        .await;
    assert_eq!(result.unwrap_err().code(), Some("P2002"));
    assert_eq!(db.tenant().count().await.unwrap(), 1);
    let after = db
        .tenant()
        .find_unique_or_throw(tenant::name("existing"))
        .await
        .unwrap();
    assert_eq!(after.plan, TenantPlan::Free);

    // An application error rolls back too.
    #[derive(Debug)]
    enum AppError {
        #[allow(dead_code)]
        Db(Error),
        Refused,
    }
    impl From<Error> for AppError {
        fn from(error: Error) -> Self {
            AppError::Db(error)
        }
    }
    let refused: Result<(), AppError> = db
        .transaction(|tx| async move {
            tx.tenant()
                .create(tenant::Create {
                    name: "temporary".into(),
                })
                .await?;
            Err(AppError::Refused)
        })
        .await;
    assert!(matches!(refused, Err(AppError::Refused)));
    assert_eq!(db.tenant().count().await.unwrap(), 1);
}

#[tokio::test]
async fn isolation_level_and_every_operation_on_tx() {
    let s = setup().await;
    let db = &s.client;
    let options = TransactionOptions::default().isolation_level(IsolationLevel::Serializable);
    let counts = db
        .transaction_with(options, |tx| async move {
            let t = tx
                .tenant()
                .create(tenant::Create { name: "t".into() })
                .await?;
            tx.tenant()
                .create_many([
                    tenant::Create { name: "u".into() },
                    tenant::Create { name: "v".into() },
                ])
                .await?;
            tx.tenant()
                .update_many(
                    tenant::NAME.not("t"),
                    [tenant::PLAN.set(TenantPlan::Enterprise)],
                )
                .await?;
            tx.tenant()
                .upsert(
                    tenant::name("w"),
                    tenant::Create { name: "w".into() },
                    [tenant::PLAN.set(TenantPlan::Pro)],
                )
                .await?;
            tx.tenant().delete(tenant::id(&t.id)).await?;
            let enterprise = tx
                .tenant()
                .count()
                .filter(tenant::PLAN.equals(TenantPlan::Enterprise))
                .await?;
            let all = tx.tenant().find_many().await?.len();
            tx.tenant().delete_many(tenant::NAME.equals("w")).await?;
            Ok::<_, Error>((enterprise, all))
        })
        .await
        .unwrap();
    assert_eq!(counts, (2, 3));
    assert_eq!(db.tenant().count().await.unwrap(), 2);
}
