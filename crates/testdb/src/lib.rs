//! refract-testdb: a fresh, empty PostgreSQL database for every test.
//!
//! Owns choosing a server, creating one database per [`TestDb`] and dropping it again, and
//! [`TlsServer`], a private cluster that accepts only TLS, for tests of TLS connections
//! (and [`PlainServer`], one with TLS off, for what happens when TLS is refused).
//! Knows nothing about refract's schema, runtime or migrations (beyond the target and
//! fields of the runtime's statement events, which [`StatementLog`] reads): it hands out
//! URLs (and, for TLS, CA certificate files).
//!
//! # Which server
//! - If the environment variable `DATABASE_URL` is set (URL form,
//!   `postgresql://user@host:port/db`), databases are created on that server, named
//!   `refract_test_<pid>_<n>_<random>`. The user needs `CREATEDB`.
//! - Otherwise the first use in a process starts one private throwaway cluster
//!   (`initdb` + `pg_ctl start` through refract-localpg, binaries found through
//!   `REFRACT_PG_BINDIR`, `pg_config --bindir`, `PATH` or the usual install folders; when
//!   there are none, Debian's `postgresql` package is installed first, as root or with
//!   passwordless sudo), shared by every test in the process.
//!   It listens on `127.0.0.1` at a free port and on a unix socket inside its own temporary
//!   directory (under `REFRACT_TESTDB_DIR`, else `/dev/shm`, else the temp dir), with
//!   `fsync=off` and trust authentication. When running as root (as CI does),
//!   `initdb` and `postgres` run as the `postgres` OS user, since PostgreSQL refuses root.
//!
//! The private cluster is stopped and its directory deleted when the process exits
//! (an `atexit` hook). If the process dies without running it (SIGKILL, abort), a small
//! watchdog process, holding the read end of a pipe only this process writes to, sees
//! the pipe close and stops the cluster; clusters left behind anyway are removed by the
//! next process that starts one. A cached `initdb` template makes each new cluster a copy
//! (~0.15 s) rather than a fresh `initdb` (~1 s), which matters under nextest's one
//! process per test.
//!
//! # Use
//! ```no_run
//! # async fn demo() {
//! let db = refract_testdb::TestDb::new().await;
//! let client = db.client().await;
//! client.batch_execute("CREATE TABLE t (id INT)").await.unwrap();
//! // `db.url()` is a URL for any other client or pool.
//! # }
//! // The database is dropped (WITH (FORCE)) when `db` goes out of scope.
//! ```
//! Non-test code (xtask, benches) can use [`TestDb::new_blocking`] or [`server_url`].
//!
//! # TLS
//! [`TlsServer::start`] starts a further private cluster, always, whatever `DATABASE_URL`
//! says: `ssl = on` with a certificate for `localhost` signed by a CA made for it, and TCP
//! connections without TLS rejected. [`PlainServer::start`] starts one with TLS off, the
//! same way. Each is stopped and deleted when dropped (or, if the
//! process dies first, by its own watchdog). Each cluster in a process has a watchdog of
//! its own.
//!
//! # PgBouncer
//! [`PgBouncer::start`] runs a real PgBouncer in transaction mode in front of the test
//! server (installing Debian's `pgbouncer` package on first use when it is missing), for
//! tests of clients behind a transaction-mode pooler; stopped on drop.
//!
//! # Streaming replicas
//! [`ReplicatedServer::start`] starts a private primary and streaming replicas of it
//! (`pg_basebackup -R`, hot standbys on ports of their own), always, whatever
//! `DATABASE_URL` says, for tests of clients that read from replicas; a replica can be
//! stopped and started again mid-test, and [`ReplicatedServer::wait_for_replay`] waits
//! until the replicas have replayed the primary's writes.
//!
//! # Beside the database
//! [`StatementLog`] records the statements client code runs (the runtime's
//! `refract::query` events), for tests that count or read them; [`corpus`] is the folder
//! of Prisma's corpus that `REFRACT_CORPUS` names, for the corpus tests;
//! [`run_migration_folders`] applies a `migrations/` folder's scripts in order;
//! [`sorted_entries`] and [`files_below`] list fixture folders in a stable order;
//! [`bench`] holds what benches set up alike.

// The workspace denies unsafe code; this test-only crate makes three libc calls (geteuid,
// getpwnam, atexit) to run its throwaway cluster, each with its SAFETY note.
#![allow(unsafe_code)]

mod admin;
pub mod bench;
mod cluster;
mod corpus;
mod files;
mod pgbouncer;
mod replica;
mod statement_log;
mod tls_server;
mod url;

use std::fmt;

pub use corpus::corpus;
pub use files::{files_below, sorted_entries};
pub use pgbouncer::{PgBouncer, SERVER_POOL_SIZE as PGBOUNCER_SERVER_POOL_SIZE};
pub use replica::ReplicatedServer;
pub use statement_log::{LoggedStatement, StatementLog};
pub use tls_server::{PlainServer, TlsServer};
pub use url::with_database;

/// Everything that can go wrong while providing a test database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Finding, installing, initializing, starting or stopping the server failed
    /// (refract-localpg: no binaries and no way to install them, no `postgres` OS user, ...).
    #[error("{0}")]
    Local(#[from] refract_localpg::Error),
    /// A command (initdb, pg_ctl, ...) failed.
    #[error("{what} failed: {detail}")]
    Command { what: String, detail: String },
    /// A file-system operation failed.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// Making the throwaway certificates of a [`TlsServer`] failed.
    #[error("generating test certificates: {0}")]
    Certificate(String),
    /// Talking to the server failed.
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// The server could not be set up on first use; every later use reports this.
    #[error("the test server is unavailable: {0}")]
    ServerUnavailable(String),
    /// The background admin runtime is gone (should not happen).
    #[error("the testdb admin runtime stopped: {0}")]
    AdminGone(String),
}

/// One fresh database, dropped again when this value is dropped.
pub struct TestDb {
    name: String,
    url: String,
}

impl TestDb {
    /// Creates a fresh database. Panics with the reason if no database can be had:
    /// tests need one, and a test that cannot get one must fail loudly, never skip.
    pub async fn new() -> TestDb {
        match TestDb::try_new().await {
            Ok(db) => db,
            Err(error) => panic!("refract-testdb: cannot create a test database: {error}"),
        }
    }

    /// Creates a fresh database, reporting failure as an [`Error`].
    pub async fn try_new() -> Result<TestDb, Error> {
        let (name, url) = admin::run_async(admin::create_database()).await??;
        Ok(TestDb { name, url })
    }

    /// Synchronous [`TestDb::new`], for code that has no async runtime (or is inside one
    /// but cannot await). Panics with the reason on failure.
    pub fn new_blocking() -> TestDb {
        match TestDb::try_new_blocking() {
            Ok(db) => db,
            Err(error) => panic!("refract-testdb: cannot create a test database: {error}"),
        }
    }

    /// Synchronous [`TestDb::try_new`].
    pub fn try_new_blocking() -> Result<TestDb, Error> {
        let (name, url) = admin::run_blocking(admin::create_database(), None)??;
        Ok(TestDb { name, url })
    }

    /// A `postgresql://` URL for this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A new connection to this database, its connection task spawned on the current
    /// tokio runtime. Panics with the reason on failure.
    pub async fn client(&self) -> tokio_postgres::Client {
        match self.try_client().await {
            Ok(client) => client,
            Err(error) => panic!("refract-testdb: cannot connect to {}: {error}", self.url),
        }
    }

    /// A new connection to this database, reporting failure as an [`Error`].
    pub async fn try_client(&self) -> Result<tokio_postgres::Client, Error> {
        try_connect(&self.url).await
    }
}

impl TestDb {
    /// The tables of PostgreSQL schema `schema` in this database, sorted by name; `None`
    /// when the schema does not exist. Panics with the reason on a connection failure.
    pub async fn tables_in(&self, schema: &str) -> Option<Vec<String>> {
        let client = self.client().await;
        let exists: bool = match client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
                &[&schema],
            )
            .await
        {
            Ok(row) => row.get(0),
            Err(error) => panic!(
                "refract-testdb: cannot list schemas of {}: {error}",
                self.url
            ),
        };
        if !exists {
            return None;
        }
        match client
            .query(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
                &[&schema],
            )
            .await
        {
            Ok(rows) => Some(rows.iter().map(|row| row.get(0)).collect()),
            Err(error) => panic!("refract-testdb: cannot list tables of {}: {error}", self.url),
        }
    }
}

/// A new connection (without TLS) to `url`, any server's (a replica's, PgBouncer's, the
/// admin URL's), its connection task spawned on the current tokio runtime. Panics with the
/// reason on failure.
pub async fn connect(url: &str) -> tokio_postgres::Client {
    match try_connect(url).await {
        Ok(client) => client,
        Err(error) => panic!("refract-testdb: cannot connect to {url}: {error}"),
    }
}

async fn try_connect(url: &str) -> Result<tokio_postgres::Client, Error> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        // Ends with an error when the database is dropped under it: expected.
        let _ = connection.await;
    });
    Ok(client)
}

/// Runs the `migration.sql` of every folder under `dir`, in the folders' name order (a
/// `migrations/` folder as `migrate deploy` would apply it, without its history table).
/// Panics with the file and the error when one cannot be read or fails.
pub async fn run_migration_folders(client: &tokio_postgres::Client, dir: &std::path::Path) {
    let scripts = sorted_entries(dir)
        .into_iter()
        .map(|folder| folder.join("migration.sql"))
        .filter(|script| script.is_file());
    for script in scripts {
        let sql = match std::fs::read_to_string(&script) {
            Ok(sql) => sql,
            Err(error) => panic!("refract-testdb: cannot read {}: {error}", script.display()),
        };
        if let Err(error) = client.batch_execute(&sql).await {
            panic!("refract-testdb: {} failed: {error}", script.display());
        }
    }
}

/// The one value `sql` returns (the first column of its one row): a count or a flag that
/// a test reads back (`SELECT count(*) FROM "User"`). Panics with the statement and the
/// error when the query fails or does not return exactly one row.
pub async fn one_value<T: tokio_postgres::types::FromSqlOwned>(
    client: &tokio_postgres::Client,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> T {
    match client.query_one(sql, params).await {
        Ok(row) => row.get(0),
        Err(error) => panic!("refract-testdb: `{sql}` failed: {error}"),
    }
}

/// The first column of every row `sql` returns, in order: what a test reads back to check
/// the database (`SELECT name FROM "User" ORDER BY id`). Panics with the statement and the
/// error when the query fails.
pub async fn first_column<T: tokio_postgres::types::FromSqlOwned>(
    client: &tokio_postgres::Client,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Vec<T> {
    match client.query(sql, params).await {
        Ok(rows) => rows.iter().map(|row| row.get(0)).collect(),
        Err(error) => panic!("refract-testdb: `{sql}` failed: {error}"),
    }
}

impl fmt::Debug for TestDb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestDb").field("url", &self.url).finish()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let outcome = admin::run_blocking(
            admin::drop_database(self.name.clone()),
            Some(std::time::Duration::from_secs(60)),
        );
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(error)) | Err(error) => {
                eprintln!(
                    "refract-testdb: could not drop database {}: {error}",
                    self.name
                );
            }
        }
    }
}

/// URL of an administrative connection to the test server (its maintenance database),
/// starting the private cluster first if this process has none yet. For code that
/// manages databases itself (benches, xtask).
pub fn server_url() -> Result<String, Error> {
    admin::run_blocking(admin::server_admin_url(), None)?
}
