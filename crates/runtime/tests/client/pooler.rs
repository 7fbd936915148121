//! Behind a real PgBouncer 1.18 in transaction mode (refract-testdb's [`PgBouncer`], far
//! fewer server connections than clients): with `pgbouncer=true` a service-like workload
//! of 200 concurrent tasks (transactions, nested writes, includes, raw queries, enums) never
//! fails; without the flag it does, and the error names the flag. The runtime's own client
//! tests run through it too.

use std::time::Duration;

use client::runtime::{Error, TransactionOptions};
use client::{Client, MessageRole, Models as _, agent, conversation, message, tenant};
use refract_testdb::{PGBOUNCER_SERVER_POOL_SIZE, TestDb};
use serde_json::json;

use crate::support::{pgbouncer, through_pgbouncer};

const TASKS: usize = 200;
const ROOT_MIGRATION: &str =
    include_str!("../../../../migrations/20261125090507_init/migration.sql");

/// A database with the root schema's tables (the reference application's), and the URL of
/// it through the process's PgBouncer.
async fn root_database() -> (TestDb, String) {
    let db = TestDb::new().await;
    db.client()
        .await
        .batch_execute(ROOT_MIGRATION)
        .await
        .unwrap();
    let url = pgbouncer(db.url()).url(db.name());
    (db, url)
}

/// One request of a tenant service: a tenant and an agent, a conversation created with its
/// first message in one nested write inside an interactive transaction, a second message,
/// the conversation read back with its messages, a raw count.
async fn request(db: Client, i: usize) -> Result<(), Error> {
    let tenant = db
        .tenant()
        .create(tenant::Create {
            name: format!("tenant {i}"),
        })
        .await?;
    let agent = db
        .agent()
        .create(agent::Create {
            name: "helper".into(),
            flow_json: json!({}),
            tenant_id: tenant.id.to_owned(),
        })
        .await?;
    // Generous: 200 tasks share a few connections on two cores; the defaults are not
    // what this test is about.
    let options = TransactionOptions::default()
        .timeout(Duration::from_secs(120))
        .max_wait(Duration::from_secs(120));
    let convo = db
        .transaction_with(options, |tx| async move {
            let created = tx
                .conversation()
                .create(conversation::Create {
                    agent_id: agent.id.to_owned(),
                    tenant_id: tenant.id.to_owned(),
                    state: json!({"step": i}),
                })
                .with(conversation::MESSAGES.create(message::CreateWithoutConvo {
                    role: MessageRole::User,
                    content: format!("hello {i}"),
                }))
                .include(conversation::MESSAGES)
                .await?;
            tx.message()
                .create(message::Create {
                    role: MessageRole::Assistant,
                    content: "hi".into(),
                    convo_id: created.id.to_owned(),
                })
                .await?;
            Ok::<_, Error>(created)
        })
        .await?;
    let found = db
        .conversation()
        .find_unique(conversation::id(&convo.id))
        .include(conversation::MESSAGES.order_by(message::CREATED_AT.asc()))
        .await?
        .ok_or(Error::RecordNotFound {
            model: "Conversation",
            operation: "read back",
        })?;
    assert_eq!(found.get(conversation::MESSAGES).len(), 2);
    assert_eq!(found.get(conversation::MESSAGES)[0].role, MessageRole::User);
    let counted: Vec<(i64,)> = db
        .query_raw_as(
            r#"SELECT count(*) FROM "Message" WHERE "convoId" = $1"#,
            &[&convo.id],
        )
        .await?;
    assert_eq!(counted[0].0, 2);
    Ok(())
}

/// Runs [`TASKS`] requests at once; the failures.
async fn concurrent_requests(db: &Client, round: usize) -> Vec<Error> {
    let tasks: Vec<_> = (0..TASKS)
        .map(|i| tokio::spawn(request(db.clone(), round * TASKS + i)))
        .collect();
    let mut failures = Vec::new();
    for task in tasks {
        if let Err(error) = task.await.expect("a request does not panic") {
            failures.push(error);
        }
    }
    failures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_requests_through_pgbouncer_with_the_flag() {
    let (_db, url) = root_database().await;
    let db = Client::new(&format!(
        "{url}?pgbouncer=true&connection_limit=40&pool_timeout=120"
    ))
    .unwrap();
    let failures = concurrent_requests(&db, 0).await;
    assert!(
        failures.is_empty(),
        "{} failed: {failures:?}",
        failures.len()
    );
    assert_eq!(db.conversation().count().await.unwrap(), TASKS as i64);
    // More clients than PgBouncer has server connections: they really were shared.
    assert!(db.pool_status().0 > PGBOUNCER_SERVER_POOL_SIZE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_flag_the_failure_names_it() {
    let (_db, url) = root_database().await;
    let db = Client::new(&format!("{url}?connection_limit=40&pool_timeout=120")).unwrap();
    // Named statements meet a server connection other than the one that prepared them as
    // soon as requests overlap; a few rounds make that certain.
    let mut failures = Vec::new();
    for round in 0..5 {
        failures.extend(concurrent_requests(&db, round).await);
        eprintln!(
            "without pgbouncer=true, round {round}: {} of {TASKS} requests failed",
            failures.len()
        );
        if !failures.is_empty() {
            break;
        }
    }
    assert!(!failures.is_empty());
    for failure in &failures {
        assert!(
            matches!(failure, Error::PreparedStatementMissing { .. }),
            "{failure:?}"
        );
        assert!(
            failure.to_string().contains("`pgbouncer=true`"),
            "{failure}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_type_created_after_connecting_is_learnt_on_a_fresh_connection() {
    let (db, url) = root_database().await;
    let client = Client::new(&format!("{url}?pgbouncer=true&connection_limit=2")).unwrap();
    client.tenant().count().await.unwrap();
    db.client()
        .await
        .batch_execute(
            r#"CREATE TYPE "Mood" AS ENUM ('calm', 'busy');
               CREATE TABLE "Note" ("id" INT PRIMARY KEY, "mood" "Mood" NOT NULL);
               INSERT INTO "Note" VALUES (1, 'busy');"#,
        )
        .await
        .unwrap();
    let rows = client
        .query_raw(r#"SELECT "mood"::text, "mood" FROM "Note""#, &[])
        .await
        .unwrap();
    let mood: String = rows[0].get(0);
    assert_eq!(mood, "busy");
    assert_eq!(rows[0].columns()[1].type_().name(), "Mood");
}

#[test]
fn the_runtime_client_tests_pass_through_pgbouncer() {
    use crate::{reads, transactions, writes};
    let tests: &[fn()] = &[
        reads::every_filter_operator,
        reads::like_patterns_escape_wildcards,
        reads::ordering_and_offset_pagination,
        reads::cursor_pagination,
        reads::distinct_keeps_the_first_row_per_value_in_order,
        reads::select_count_and_unique_lookups,
        reads::every_type_round_trips,
        writes::create_and_create_many,
        writes::create_many_beyond_the_parameter_limit_is_chunked_and_atomic,
        writes::update_with_atomic_operations,
        writes::upsert_creates_then_updates,
        writes::delete_and_delete_many,
        writes::values_with_quotes_and_placeholders_are_stored_verbatim,
        writes::non_default_schema_and_uuid_ids,
        writes::constraint_errors_carry_codes_and_fields,
        writes::raw_sql_binds_parameters,
        transactions::commit_on_ok,
        transactions::transactions_run_in_spawned_tasks,
        transactions::rollback_on_err,
        transactions::rollback_on_application_error_and_on_panic,
        transactions::isolation_level_read_only_and_timeout,
        transactions::cancelled_transaction_never_leaks_into_the_pool,
        transactions::transaction_handle_after_commit_and_executor_atomically,
        transactions::one_client_shared_by_100_tasks_stays_within_the_pool,
    ];
    for test in tests {
        through_pgbouncer(*test);
    }
}

/// `pgbouncer=true` learns a statement's parameter types between a `BEGIN` and a `COMMIT`
/// on a pooled connection. A call dropped in between (an outer timeout, a handler dropped
/// by its server) must not leave that connection in the pool inside the transaction, where
/// the next calls' writes would never be committed. The describe is held up by a lock on
/// the table, the call dropped while it waits, and a write on the pool's one connection
/// must be visible from another connection.
#[tokio::test]
async fn a_call_dropped_while_a_statement_is_described_leaves_no_transaction_open() {
    let db = TestDb::new().await;
    let admin = db.client().await;
    admin
        .batch_execute("CREATE TABLE slow (id int); CREATE TABLE mark (v int)")
        .await
        .unwrap();
    let client = refract_runtime::ClientConfig::from_url(db.url())
        .unwrap()
        .pgbouncer(true)
        .max_connections(1)
        .build()
        .unwrap();
    // The insert's parameter types are learnt now, so it later runs in one round trip,
    // with no `BEGIN`/`COMMIT` of its own.
    let insert = "INSERT INTO mark (v) VALUES ($1)";
    client.execute_raw(insert, &[&0i32]).await.unwrap();
    let pid: Vec<(i32,)> = client
        .query_raw_as("SELECT pg_backend_pid()", &[])
        .await
        .unwrap();
    let pid = pid[0].0;

    admin
        .batch_execute("BEGIN; LOCK TABLE slow IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let call = client.query_raw("SELECT id FROM slow", &[]);
    let waiting = async {
        // Until the pool's connection waits for the lock: inside the describe's `BEGIN`.
        loop {
            let waits = admin
                .query(
                    "SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted",
                    &[&pid],
                )
                .await
                .unwrap();
            if !waits.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::select! {
        result = call => panic!("the statement was described under the lock: {result:?}"),
        () = waiting => {}
    }
    // The call is dropped; the describe can go on now, but nobody will commit it.
    admin.batch_execute("ROLLBACK").await.unwrap();

    for v in 1..=3i32 {
        client.execute_raw(insert, &[&v]).await.unwrap();
        let seen = admin
            .query_one("SELECT count(*) FROM mark WHERE v = $1", &[&v])
            .await
            .unwrap()
            .get::<_, i64>(0);
        assert_eq!(
            seen, 1,
            "write {v} is not committed: its connection was left in a transaction"
        );
    }
}
