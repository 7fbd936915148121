//! On direct connections the scoped client keeps `refract.tenant_id` at session level on
//! each pooled connection and changes it only when the connection serves someone else.
//! With one connection in the pool, every statement below meets what the one before it
//! left there: another tenant, the unscoped client (which must see no tenant's rows through
//! row-level security), a transaction, raw SQL that sets the value behind the client's back.

use client::Models;
use client::runtime::{Client, Error};
use refract_testdb::TestDb;

use super::{drop_role, ids, setup};

const SETTING: &str = "SELECT current_setting('refract.tenant_id', true)";

/// The setting's value in `rows` (`current_setting` answers NULL when it was never set).
fn setting(rows: Result<Vec<(Option<String>,)>, Error>) -> String {
    rows.unwrap()
        .into_iter()
        .next()
        .and_then(|(value,)| value)
        .unwrap_or_default()
}

fn agent_ids(agents: Result<Vec<client::agent::Agent>, Error>) -> Vec<String> {
    ids(&agents.unwrap(), |agent| &agent.id)
}

#[tokio::test]
async fn one_pooled_connection_serves_two_tenants_and_the_unscoped_client_in_turn() {
    let db = TestDb::new().await;
    let app_url = setup(&db).await;
    let app = Client::new(&format!("{app_url}?connection_limit=1")).unwrap();
    let a = app.for_tenant("A").unwrap();
    let b = app.for_tenant("B").unwrap();

    assert_eq!(agent_ids(a.agent().find_many().await), ["a1"]);
    assert_eq!(setting(a.query_raw_as(SETTING, &[]).await), "A");
    assert_eq!(agent_ids(b.agent().find_many().await), ["b1"]);
    assert_eq!(agent_ids(a.agent().find_many().await), ["a1"]);
    // The unscoped client after a tenant: the session holds no tenant any more, so the
    // policies show it no tenant-owned row.
    assert_eq!(
        agent_ids(app.agent().find_many().await),
        Vec::<String>::new()
    );
    assert_eq!(setting(app.query_raw_as(SETTING, &[]).await), "");

    // A transaction of B's on the connection A's session holds: B inside, A after.
    assert_eq!(agent_ids(a.agent().find_many().await), ["a1"]);
    let inside = b
        .transaction(|tx| async move {
            let agents = tx.agent().find_many().await?;
            let setting: Vec<(Option<String>,)> = tx.query_raw_as(SETTING, &[]).await?;
            Ok::<_, Error>((agents, setting))
        })
        .await
        .unwrap();
    assert_eq!(ids(&inside.0, |agent| &agent.id), ["b1"]);
    assert_eq!(setting(Ok(inside.1)), "B");
    assert_eq!(agent_ids(a.agent().find_many().await), ["a1"]);

    // An unscoped transaction, committed or rolled back, starts with no tenant and leaves
    // none behind.
    for commit in [true, false] {
        assert_eq!(agent_ids(a.agent().find_many().await), ["a1"]);
        let seen = app
            .transaction(|tx| async move {
                let seen = setting(tx.query_raw_as(SETTING, &[]).await);
                if commit {
                    Ok(seen)
                } else {
                    Err(Error::InvalidQuery(seen))
                }
            })
            .await;
        let seen = seen.unwrap_or_else(|error| match error {
            Error::InvalidQuery(seen) => seen,
            other => panic!("{other}"),
        });
        assert_eq!(seen, "");
        assert_eq!(
            agent_ids(app.agent().find_many().await),
            Vec::<String>::new()
        );
    }

    drop(app);
    drop_role(&db).await;
}

#[tokio::test]
async fn raw_sql_that_changes_the_setting_is_not_trusted_afterwards() {
    let db = TestDb::new().await;
    let app_url = setup(&db).await;
    let app = Client::new(&format!("{app_url}?connection_limit=1")).unwrap();
    let a = app.for_tenant("A").unwrap();
    let set_b = "SELECT set_config('refract.tenant_id', 'B', false)";

    // Through the scoped client: A's next statement sets A again.
    assert_eq!(agent_ids(a.agent().find_many().await), ["a1"]);
    a.execute_raw(set_b, &[]).await.unwrap();
    assert_eq!(agent_ids(a.agent().find_many().await), ["a1"]);

    // Through the unscoped client: its next statement resets it.
    app.execute_raw(set_b, &[]).await.unwrap();
    assert_eq!(
        agent_ids(app.agent().find_many().await),
        Vec::<String>::new()
    );

    // Inside a transaction, at session level (it outlives the commit).
    assert_eq!(agent_ids(a.agent().find_many().await), ["a1"]);
    app.transaction(|tx| async move { tx.execute_raw(set_b, &[]).await })
        .await
        .unwrap();
    assert_eq!(agent_ids(a.agent().find_many().await), ["a1"]);
    app.transaction(|tx| async move { tx.execute_raw(set_b, &[]).await })
        .await
        .unwrap();
    assert_eq!(
        agent_ids(app.agent().find_many().await),
        Vec::<String>::new()
    );

    drop(app);
    drop_role(&db).await;
}
