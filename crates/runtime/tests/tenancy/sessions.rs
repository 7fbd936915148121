//! With `session_tenant=true` (direct connections) the scoped client keeps
//! `refract.tenant_id` at session level on each pooled connection and changes it only when
//! the connection serves someone else; without it, nothing outlives a statement.
//! With one connection in the pool, every statement below meets what the one before it
//! left there: another tenant, the unscoped client (which must see no tenant's rows through
//! row-level security), a transaction, raw SQL that sets the value behind the client's back.

use client::Models;
use client::runtime::{Client, Error};
use refract_testdb::TestDb;

use super::{drop_role, ids, setup};

/// The URL parameter the session-level tests run with.
const SESSION_TENANT: &str = "&session_tenant=true";

/// The seeded database and the application role's client of one pooled connection (so each
/// statement meets what the one before it left), `params` appended to its URL.
async fn one_connection(params: &str) -> (TestDb, Client) {
    let db = TestDb::new().await;
    let app_url = setup(&db).await;
    let app = Client::new(&format!("{app_url}?connection_limit=1{params}")).unwrap();
    (db, app)
}

/// Closes the client, then drops the application role.
async fn done(db: TestDb, app: Client) {
    drop(app);
    drop_role(&db).await;
}

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
    let (db, app) = one_connection(SESSION_TENANT).await;
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

    done(db, app).await;
}

#[tokio::test]
async fn raw_sql_that_changes_the_setting_is_not_trusted_afterwards() {
    let (db, app) = one_connection(SESSION_TENANT).await;
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

    done(db, app).await;
}

#[tokio::test]
async fn by_default_no_tenant_outlives_its_statement() {
    // One connection, as a transaction pooler may hand the next client: what a scoped
    // statement set must be gone when the next statement runs there.
    let (db, app) = one_connection("").await;
    let a = app.for_tenant("A").unwrap();
    assert_eq!(agent_ids(a.agent().find_many().await), ["a1"]);
    assert_eq!(setting(a.query_raw_as(SETTING, &[]).await), "A");
    assert_eq!(setting(app.query_raw_as(SETTING, &[]).await), "");
    assert_eq!(
        agent_ids(app.agent().find_many().await),
        Vec::<String>::new()
    );
    done(db, app).await;
}

#[tokio::test]
async fn a_raw_call_dropped_while_it_runs_leaves_the_setting_unknown() {
    let (db, app) = one_connection(SESSION_TENANT).await;
    // The caller gives up; the server still runs the statement, which sets B.
    let sql = "SELECT set_config('refract.tenant_id', 'B', false), pg_sleep(0.3)";
    let gave_up = tokio::time::timeout(
        std::time::Duration::from_millis(50),
        app.execute_raw(sql, &[]),
    )
    .await;
    assert!(gave_up.is_err(), "{gave_up:?}");
    assert_eq!(
        agent_ids(app.agent().find_many().await),
        Vec::<String>::new()
    );
    done(db, app).await;
}

#[tokio::test]
async fn a_setter_that_fails_runs_nothing_behind_it() {
    let (db, app) = one_connection(SESSION_TENANT).await;
    let a = app.for_tenant("A").unwrap();
    assert_eq!(agent_ids(a.agent().find_many().await), ["a1"]);
    // The server forgets every prepared statement, the setter included. The next statement
    // (a shape not prepared yet, on a table without enum columns: tokio-postgres keeps the
    // type lookups of enums as named statements of its own) must run once, not once behind
    // a failed setter and again on the retry.
    a.execute_raw("DEALLOCATE ALL", &[]).await.unwrap();
    let created = a
        .agent()
        .create(client::agent::Create {
            name: "once".into(),
            flow_json: serde_json::json!({}),
            tenant_id: "A".into(),
        })
        .await
        .unwrap();
    assert_eq!(created.tenant_id, "A");
    let count = a
        .agent()
        .count()
        .filter(client::agent::NAME.equals("once"))
        .await
        .unwrap();
    assert_eq!(count, 1);
    done(db, app).await;
}
