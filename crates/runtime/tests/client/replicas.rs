//! Read replicas against real streaming replicas (refract-testdb's [`ReplicatedServer`]: a
//! private primary and hot standbys made with `pg_basebackup -R`).
//!
//! Which server answered is read from the answer itself: the `Probe` model is a view that
//! adds `inet_server_port()` and `pg_is_in_recovery()` to each row of a table, so every
//! read says where it ran and every write (`INSERT ... RETURNING` through the view) where
//! it was written. Includes are checked the same way with the root schema's client, its
//! `Message` table put behind a view that appends the server's port to `content`.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use refract_runtime::{Client, ClientConfig, Error, count_all};
use refract_testdb::ReplicatedServer;

use probe::{Models as _, PORT};

/// `Probe`: a view over `ProbeRow`; writes go through it to the table (PostgreSQL's
/// automatically updatable views), reads say which server ran them.
const PROBE_SQL: &str = r#"
CREATE TABLE "ProbeRow" (id SERIAL PRIMARY KEY, label TEXT NOT NULL);
CREATE VIEW "Probe" AS
    SELECT id, label, inet_server_port() AS port, pg_is_in_recovery() AS replica
    FROM "ProbeRow";
"#;

/// The model codegen would emit for `Probe` (shaped as `generated.rs`).
mod probe {
    use refract_runtime as rt;

    pub trait Models: rt::AsExecutor {
        fn probe(&self) -> rt::Actions<'_, Probe> {
            rt::Actions::new(self.executor())
        }
    }
    impl<T: rt::AsExecutor + ?Sized> Models for T {}

    #[derive(Clone, Debug, PartialEq)]
    pub struct Probe {
        pub id: i32,
        pub label: String,
        /// `inet_server_port()` of the server that answered.
        pub port: i32,
        /// `pg_is_in_recovery()` there: a replica.
        pub replica: bool,
    }

    pub mod column {
        use refract_runtime::Column;
        pub static ID: Column = Column {
            name: "id",
            field: "id",
            nullable: false,
        };
        pub static LABEL: Column = Column {
            name: "label",
            field: "label",
            nullable: false,
        };
        pub static PORT: Column = Column {
            name: "port",
            field: "port",
            nullable: false,
        };
        pub static REPLICA: Column = Column {
            name: "replica",
            field: "replica",
            nullable: false,
        };
    }

    pub static META: rt::ModelMeta = rt::ModelMeta {
        name: "Probe",
        table: rt::Table {
            schema: None,
            name: "Probe",
        },
        columns: &[&column::ID, &column::LABEL, &column::PORT, &column::REPLICA],
        primary_key: &[&column::ID],
        updated_at: &[],
        tenant: None,
    };

    impl rt::FromRow for Probe {
        fn from_row(row: &rt::Row) -> Result<Self, rt::Error> {
            Ok(Probe {
                id: rt::decode(row, 0)?,
                label: rt::decode(row, 1)?,
                port: rt::decode(row, 2)?,
                replica: rt::decode(row, 3)?,
            })
        }
    }

    impl rt::Model for Probe {
        const META: &'static rt::ModelMeta = &META;
    }

    pub const ID: rt::Field<Probe, i32> = rt::Field::new(&column::ID);
    pub const LABEL: rt::Field<Probe, String> = rt::Field::new(&column::LABEL);
    pub const PORT: rt::Field<Probe, i32> = rt::Field::new(&column::PORT);

    pub fn id(id: i32) -> rt::UniqueWhere<Probe> {
        rt::UniqueWhere::new([ID.set(id)])
    }

    /// A new probe's required field.
    pub struct Create {
        pub label: String,
    }

    impl rt::WriteData<Probe> for Create {
        fn into_assigns(self) -> Vec<rt::Assign<Probe>> {
            vec![LABEL.set(self.label)]
        }
    }
    impl rt::CreateData<Probe> for Create {}
}

/// A primary with `replicas` replicas, the probe schema on it, and a client on all of them.
async fn start(replicas: usize, backoff: Duration) -> (ReplicatedServer, Client) {
    let server = ReplicatedServer::start(replicas).expect("starting a primary and its replicas");
    let url = server.url("postgres");
    let admin = refract_testdb::connect(&url).await;
    admin.batch_execute(PROBE_SQL).await.unwrap();
    let client = ClientConfig::from_url(&url)
        .unwrap()
        .read_replicas(server.replica_urls("postgres"))
        .unwrap()
        .replica_backoff(backoff)
        .build()
        .unwrap();
    (server, client)
}

fn port(server_port: u16) -> i32 {
    i32::from(server_port)
}

#[tokio::test]
async fn reads_go_to_replicas_round_robin_and_everything_else_to_the_primary() {
    let (server, db) = start(2, Duration::from_secs(5)).await;
    let primary = port(server.port());
    let replicas: BTreeSet<i32> = server.replica_ports().into_iter().map(port).collect();

    // A write: on the primary.
    let written = db
        .probe()
        .create(probe::Create {
            label: "first".into(),
        })
        .await
        .unwrap();
    assert_eq!((written.port, written.replica), (primary, false));
    server.wait_for_replay().await.unwrap();

    // Reads outside a transaction: replicas, each in turn.
    let mut served = Vec::new();
    for _ in 0..4 {
        let rows = db.probe().find_many().await.unwrap();
        assert_eq!(rows.len(), 1);
        assert!(rows[0].replica, "{rows:?}");
        served.push(rows[0].port);
    }
    assert_eq!(served.iter().copied().collect::<BTreeSet<_>>(), replicas);
    assert_ne!(served[0], served[1], "round robin: {served:?}");
    assert_eq!(served[0], served[2], "round robin: {served:?}");

    let found = db
        .probe()
        .find_unique(probe::id(written.id))
        .await
        .unwrap()
        .unwrap();
    assert!(found.replica && replicas.contains(&found.port), "{found:?}");
    let first = db.probe().find_first().await.unwrap().unwrap();
    assert!(first.replica, "{first:?}");
    assert_eq!(db.probe().count().await.unwrap(), 1);
    let max_port = db.probe().aggregate(PORT.max()).await.unwrap();
    assert!(
        max_port
            .get(PORT.max())
            .is_some_and(|port| replicas.contains(&port))
    );
    let groups = db
        .probe()
        .group_by(PORT)
        .aggregate(count_all())
        .await
        .unwrap();
    assert_eq!(groups.len(), 1);
    assert!(replicas.contains(&groups[0].key(PORT)), "{groups:?}");

    // `primary()`: the primary, reads included.
    let rows = db.primary().probe().find_many().await.unwrap();
    assert_eq!((rows[0].port, rows[0].replica), (primary, false));
    let max_port = db.primary().probe().aggregate(PORT.max()).await.unwrap();
    assert_eq!(max_port.get(PORT.max()), Some(primary));

    // Reads inside a transaction: the primary (they see its uncommitted writes).
    let (inside, count) = db
        .transaction(|tx| async move {
            tx.probe()
                .create(probe::Create {
                    label: "second".into(),
                })
                .await?;
            let rows = tx.probe().find_many().await?;
            let count = tx.probe().count().await?;
            Ok::<_, Error>((rows, count))
        })
        .await
        .unwrap();
    assert_eq!(count, 2);
    assert!(inside.iter().all(|row| row.port == primary && !row.replica));

    // Raw SQL: the primary, unless `replica()` says otherwise (as Prisma's extension).
    let sql = "SELECT inet_server_port(), pg_is_in_recovery()";
    let raw: Vec<(i32, bool)> = db.query_raw_as(sql, &[]).await.unwrap();
    assert_eq!(raw, [(primary, false)]);
    let raw: Vec<(i32, bool)> = db.replica().query_raw_as(sql, &[]).await.unwrap();
    assert!(raw[0].1 && replicas.contains(&raw[0].0), "{raw:?}");
    let updated = db
        .execute_raw(r#"UPDATE "ProbeRow" SET label = label || '!'"#, &[])
        .await
        .unwrap();
    assert_eq!(updated, 2);

    // Other writes: the primary (a replica would refuse them, 25006).
    let changed = db
        .probe()
        .update(probe::id(written.id), [probe::LABEL.set("renamed")])
        .await
        .unwrap();
    assert_eq!((changed.port, changed.replica), (primary, false));
    let deleted = db
        .probe()
        .delete_many(probe::LABEL.equals("second!"))
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    assert_eq!(db.replica_status(), (2, 2));
}

/// Includes load on the replica their read chose: the root schema's `Message` table is put
/// behind a view whose `content` ends with the answering server's port.
#[tokio::test]
async fn includes_are_read_on_the_replica_of_their_read() {
    use client::{Models as _, conversation};

    let server = ReplicatedServer::start(1).expect("starting a primary and its replica");
    let url = server.url("postgres");
    let admin = refract_testdb::connect(&url).await;
    admin
        .batch_execute(include_str!(
            "../../../../migrations/20261125090507_init/migration.sql"
        ))
        .await
        .unwrap();
    let db = ClientConfig::from_url(&url)
        .unwrap()
        .read_replicas(server.replica_urls("postgres"))
        .unwrap()
        .build()
        .unwrap();
    // A conversation `c` with two messages, then `Message` behind its view.
    admin
        .batch_execute(
            r#"INSERT INTO "Tenant" ("id", "name", "updatedAt") VALUES ('t', 't', now());
            INSERT INTO "Agent" ("id", "name", "flowJson", "tenantId", "updatedAt") VALUES ('a', 'a', '{}', 't', now());
            INSERT INTO "Conversation" ("id", "agentId", "tenantId", "state", "updatedAt") VALUES ('c', 'a', 't', '{}', now());
            INSERT INTO "Message" ("id", "role", "content", "convoId") VALUES ('m1', 'USER', 'one', 'c'), ('m2', 'USER', 'two', 'c');
            ALTER TABLE "Message" RENAME TO "MessageRow";
            CREATE VIEW "Message" AS SELECT id, role, content || '@' || inet_server_port() AS content,
                metadata, "convoId", "createdAt" FROM "MessageRow";"#,
        )
        .await
        .unwrap();
    server.wait_for_replay().await.unwrap();

    let replica = server.replica_ports()[0];
    let found = db
        .conversation()
        .find_many()
        .include(conversation::MESSAGES)
        .await
        .unwrap();
    let contents: BTreeSet<String> = found[0]
        .get(conversation::MESSAGES)
        .iter()
        .map(|message| message.content.clone())
        .collect();
    assert_eq!(
        contents,
        BTreeSet::from([format!("one@{replica}"), format!("two@{replica}")])
    );
    let on_primary = db
        .primary()
        .conversation()
        .find_unique(conversation::id("c"))
        .include(conversation::MESSAGES)
        .await
        .unwrap()
        .unwrap();
    let primary = server.port();
    assert!(
        on_primary
            .get(conversation::MESSAGES)
            .iter()
            .all(|message| message.content.ends_with(&format!("@{primary}"))),
        "{:?}",
        on_primary.get(conversation::MESSAGES)
    );
}

const TASKS: usize = 8;
/// Most calls a task makes (the workload normally ends well before, when told to).
const MAX_CALLS_PER_TASK: usize = 2_000;

/// One task of a read-heavy workload, until `finish` is set; every call must succeed.
async fn workload(
    db: Client,
    done: Arc<AtomicUsize>,
    finish: Arc<AtomicBool>,
    task: usize,
) -> Result<(), Error> {
    for call in 0..MAX_CALLS_PER_TASK {
        if finish.load(Ordering::Relaxed) {
            break;
        }
        match call % 6 {
            0 => {
                db.probe()
                    .create(probe::Create {
                        label: format!("t{task}c{call}"),
                    })
                    .await?;
            }
            1 => {
                db.probe().count().await?;
            }
            2 => {
                db.probe().aggregate(PORT.max()).await?;
            }
            _ => {
                db.probe().find_many().take(5).await?;
            }
        }
        done.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}

/// Waits until `done` reaches `target` (bounded: at most ~20 s).
async fn wait_for_calls(done: &AtomicUsize, target: usize) {
    for _ in 0..4000 {
        if done.load(Ordering::Relaxed) >= target {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_stopped_mid_run_costs_no_failed_call() {
    // `db` keeps a failed replica out for longer than the test runs (so its state can be
    // checked after the fact); `quick` retries it after 200 ms (to see it come back).
    let (server, db) = start(2, Duration::from_secs(600)).await;
    let quick = ClientConfig::from_url(&server.url("postgres"))
        .unwrap()
        .read_replicas(server.replica_urls("postgres"))
        .unwrap()
        .replica_backoff(Duration::from_millis(200))
        .build()
        .unwrap();
    let primary = port(server.port());
    let ports: Vec<i32> = server.replica_ports().into_iter().map(port).collect();
    db.probe()
        .create(probe::Create {
            label: "seed".into(),
        })
        .await
        .unwrap();
    server.wait_for_replay().await.unwrap();

    // Replica 0 stops while the workload runs, which goes on for a while after.
    let done = Arc::new(AtomicUsize::new(0));
    let finish = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| tokio::spawn(workload(db.clone(), done.clone(), finish.clone(), task)))
        .collect();
    wait_for_calls(&done, 200).await;
    let server = Arc::new(server);
    let stopping = server.clone();
    tokio::task::spawn_blocking(move || stopping.stop_replica(0))
        .await
        .unwrap()
        .unwrap();
    let after_stop = done.load(Ordering::Relaxed);
    wait_for_calls(&done, after_stop + 300).await;
    finish.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await
            .unwrap()
            .expect("no call fails while a replica stops");
    }
    assert!(done.load(Ordering::Relaxed) >= after_stop + 300);
    // Reads after the stop took turns onto replica 0, failed there and went on elsewhere:
    // it is out of rotation.
    assert_eq!(db.replica_status(), (1, 2));

    // Reads are answered by replica 1, and `quick` (which has not met the failure yet)
    // falls back on its own.
    for client in [&db, &quick, &quick, &quick] {
        let rows = client.probe().find_many().take(1).await.unwrap();
        assert_eq!((rows[0].port, rows[0].replica), (ports[1], true));
    }

    // Both replicas down: the primary answers.
    let stopping = server.clone();
    tokio::task::spawn_blocking(move || stopping.stop_replica(1))
        .await
        .unwrap()
        .unwrap();
    for client in [&db, &db, &quick, &quick] {
        let rows = client.probe().find_many().take(1).await.unwrap();
        assert_eq!((rows[0].port, rows[0].replica), (primary, false));
    }
    assert_eq!(db.replica_status(), (0, 2));

    // Replica 0 comes back: after its back-off a read tries it again and it stays.
    let starting = server.clone();
    tokio::task::spawn_blocking(move || starting.start_replica(0))
        .await
        .unwrap()
        .unwrap();
    let mut back = false;
    for _ in 0..400 {
        let rows = quick.probe().find_many().take(1).await.unwrap();
        if rows[0].port == ports[0] {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(back, "replica 0 never came back into rotation");
}

/// `db.replica()` never reaches the primary: a write fails on the replica (25006), and
/// with every replica down the call fails with the replica's error rather than writing on
/// the primary.
#[tokio::test]
async fn writes_through_replica_never_reach_the_primary() {
    let (server, db) = start(1, Duration::from_secs(60)).await;
    server.wait_for_replay().await.unwrap();
    let insert = r#"INSERT INTO "ProbeRow" (label) VALUES ('through replica()')"#;
    let sqlstate = |error: &Error| error.postgres().and_then(|source| source.code()).cloned();

    let error = db.replica().execute_raw(insert, &[]).await.unwrap_err();
    assert_eq!(
        sqlstate(&error),
        Some(tokio_postgres::error::SqlState::READ_ONLY_SQL_TRANSACTION),
        "{error:?}"
    );
    let error = db
        .replica()
        .probe()
        .create(probe::Create {
            label: "through replica()".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        sqlstate(&error),
        Some(tokio_postgres::error::SqlState::READ_ONLY_SQL_TRANSACTION),
        "{error:?}"
    );

    let server = Arc::new(server);
    let stopping = server.clone();
    tokio::task::spawn_blocking(move || stopping.stop_replica(0))
        .await
        .unwrap()
        .unwrap();
    // The replica is down: the write fails with its connection error (and takes it out of
    // rotation); once it is out, `replica()` still tries it rather than the primary.
    for _ in 0..2 {
        let error = db.replica().execute_raw(insert, &[]).await.unwrap_err();
        assert_ne!(
            sqlstate(&error),
            Some(tokio_postgres::error::SqlState::READ_ONLY_SQL_TRANSACTION)
        );
        assert_eq!(db.replica_status(), (0, 1));
    }
    db.replica().query_raw("SELECT 1", &[]).await.unwrap_err();
    // Reads routed on their own still fall back to the primary.
    assert_eq!(db.probe().count().await.unwrap(), 0);
    let written: Vec<(i64,)> = db
        .primary()
        .query_raw_as(r#"SELECT count(*) FROM "ProbeRow""#, &[])
        .await
        .unwrap();
    assert_eq!(written, [(0,)]);
}
