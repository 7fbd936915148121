//! refract-test: `#[refract_test::test]`, a fresh PostgreSQL database for each test of an
//! application, with the project's migrations applied and a ready refract client.
//!
//! ```no_run
//! # use refract_test::Client;
//! // In an application, `db: client::Client` (the generated crate's), the same type.
//! #[refract_test::test]
//! async fn creates_a_tenant(db: Client) -> Result<(), refract_runtime::Error> {
//!     // `db.tenant().create(tenant::Create { name: "Acme".into() }).await?` with the generated client; raw SQL here.
//!     db.execute_raw("INSERT INTO \"Tenant\" (id, name) VALUES ('t', 'Acme')", &[]).await?;
//!     Ok(()) // only this test sees the row; its database is dropped now
//! }
//! ```
//!
//! The argument is `refract_runtime::Client` (the generated crate's `client::Client` is the
//! same type) or a [`TestDatabase`] (name, URL and client). The body may return `()` or a
//! `Result` whose error fails the test.
//!
//! # Where the databases are
//! On the server `DATABASE_URL` names when it is set (its user needs `CREATEDB`); else on
//! a private server this test process starts from the PostgreSQL binaries on the machine
//! (refract-localpg, as `gen dev` does; `REFRACT_PG_BINDIR` names the binaries' folder),
//! in a temporary folder, on `127.0.0.1` at a free port, and stopped when the process
//! exits. That server is throwaway: trust authentication on loopback, durability off.
//! Without binaries the test fails saying what to install; nothing is downloaded unless
//! the project sets `REFRACT_TEST_INSTALL_POSTGRES` (then Debian's `postgresql` package is
//! installed on first use, as root or with passwordless sudo).
//!
//! # What a test costs
//! The first test of a process applies the migrations to a template database with
//! refract-migrate's `deploy` (so `_prisma_migrations` records them truthfully); every
//! test then costs one `CREATE DATABASE ... TEMPLATE` and one `DROP DATABASE` (numbers in
//! BENCHMARKS.md).
//!
//! # Failing tests
//! A test that panics or returns an error keeps its database, and the harness prints its
//! name and URL so it can be inspected (drop it by hand afterwards). Databases of passing
//! tests are dropped.
//!
//! # Finding the migrations
//! `migrations = "path"` (relative to the crate's folder), else the folder beside the
//! first schema found from the crate's folder upwards, looked for as `gen` looks:
//! `schema.prisma`, `prisma/schema.prisma`, `prisma/schema/`.
//!
//! # Fixtures
//! `fixtures("a.sql", ...)` run SQL files (relative to the crate's folder) on each test's
//! database, then `seed = function` runs an `async fn(Client)`.
//!
//! # Runtime
//! Each test runs on a current-thread tokio runtime of its own, or a multi-threaded one
//! with `worker_threads = N`.

// One libc call (atexit) stops the private server when the process ends.
#![allow(unsafe_code)]

mod server;

use std::fmt::Debug;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

pub use refract_runtime::Client;
pub use refract_test_macros::test;

/// One test's database.
#[derive(Clone)]
pub struct TestDatabase {
    name: String,
    url: String,
    client: Client,
}

impl TestDatabase {
    /// The database's name (printed when a failing test keeps it).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A `postgresql://` URL of the database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A client on the database (clones share its pool).
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDatabase")
            .field("name", &self.name)
            .field("url", &self.url)
            .finish()
    }
}

/// What a test function can take as its argument.
pub trait FromDatabase {
    /// Builds the argument from the test's database.
    fn from_database(database: &TestDatabase) -> Self;
}

impl FromDatabase for Client {
    fn from_database(database: &TestDatabase) -> Self {
        database.client.clone()
    }
}

impl FromDatabase for TestDatabase {
    fn from_database(database: &TestDatabase) -> Self {
        database.clone()
    }
}

/// What a test (or seed) function can return: `()`, or a `Result` whose error fails it.
pub trait TestOutcome {
    /// `Err` with the error's debug text when the test failed.
    fn into_result(self) -> Result<(), String>;
}

impl TestOutcome for () {
    fn into_result(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: Debug> TestOutcome for Result<(), E> {
    fn into_result(self) -> Result<(), String> {
        self.map_err(|error| format!("{error:?}"))
    }
}

/// What the attribute expands to. Not a stable interface.
#[doc(hidden)]
pub mod __private {
    use super::*;

    /// A seed function, boxed by the attribute.
    pub type Seed = fn(Client) -> Pin<Box<dyn Future<Output = Result<(), String>>>>;

    /// One test's settings, from the attribute.
    pub struct Options {
        /// `module::path::name`.
        pub test: &'static str,
        /// The test crate's `CARGO_MANIFEST_DIR`.
        pub manifest_dir: &'static str,
        /// `migrations = "..."`.
        pub migrations: Option<&'static str>,
        /// `fixtures(...)`.
        pub fixtures: &'static [&'static str],
        /// `seed = ...`.
        pub seed: Option<Seed>,
        /// `worker_threads = N`: a multi-threaded runtime; else a current-thread one.
        pub worker_threads: Option<usize>,
    }

    /// A seed's return value as a result.
    pub fn outcome(value: impl TestOutcome) -> Result<(), String> {
        value.into_result()
    }

    /// Runs one test: makes its database, runs `body` on it, drops the database if the
    /// test passed and keeps it (printing its name) if not.
    pub fn run<A, F, Fut>(options: Options, body: F)
    where
        A: FromDatabase,
        F: FnOnce(A) -> Fut,
        Fut: Future,
        Fut::Output: TestOutcome,
    {
        let mut builder = match options.worker_threads {
            Some(threads) => {
                let mut builder = tokio::runtime::Builder::new_multi_thread();
                builder.worker_threads(threads.max(1));
                builder
            }
            None => tokio::runtime::Builder::new_current_thread(),
        };
        let runtime = match builder.enable_all().build() {
            Ok(runtime) => runtime,
            Err(error) => panic!("refract-test: cannot start a tokio runtime: {error}"),
        };
        let migrations = match migrations_dir(&options) {
            Ok(dir) => dir,
            Err(message) => panic!("refract-test: {message}"),
        };
        // `REFRACT_TEST_TIMING=1` prints what each passing test's database cost
        // (BENCHMARKS.md); the first test of a process includes the template's migration.
        let timing = std::env::var_os("REFRACT_TEST_TIMING").is_some();
        let creating = std::time::Instant::now();
        let database = match runtime.block_on(server::create_database(options.test, &migrations)) {
            Ok(database) => database,
            Err(message) => panic!("refract-test: cannot create the test's database: {message}"),
        };
        let created = creating.elapsed();
        let client = match Client::new(&database.url) {
            Ok(client) => client,
            Err(error) => panic!(
                "refract-test: cannot make a client for {}: {error}",
                database.url
            ),
        };
        let database = TestDatabase {
            name: database.name,
            url: database.url,
            client,
        };
        let argument = A::from_database(&database);
        let manifest_dir = PathBuf::from(options.manifest_dir);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runtime.block_on(async {
                for fixture in options.fixtures {
                    server::apply_fixture(&database.url, &manifest_dir.join(fixture)).await?;
                }
                if let Some(seed) = options.seed {
                    seed(database.client.clone())
                        .await
                        .map_err(|error| format!("the seed function failed: {error}"))?;
                }
                body(argument).await.into_result()
            })
        }));
        // The pool's connections end with the runtime, before the database is dropped.
        drop(runtime);
        let keep = |why: &str| {
            eprintln!(
                "refract-test: {} {why}; its database is kept for inspection: {} ({})\n\
                 refract-test: drop it afterwards with DROP DATABASE \"{}\"",
                options.test, database.name, database.url, database.name
            );
        };
        match outcome {
            Ok(Ok(())) => {
                let dropping = std::time::Instant::now();
                server::drop_database(&database.name);
                if timing {
                    eprintln!(
                        "refract-test timing: {}: create {:.1} ms, drop {:.1} ms",
                        options.test,
                        created.as_secs_f64() * 1000.0,
                        dropping.elapsed().as_secs_f64() * 1000.0
                    );
                }
            }
            Ok(Err(message)) => {
                keep("failed");
                panic!("{} failed: {message}", options.test);
            }
            Err(panic) => {
                keep("panicked");
                std::panic::resume_unwind(panic);
            }
        }
    }

    fn migrations_dir(options: &Options) -> Result<PathBuf, String> {
        let manifest_dir = PathBuf::from(options.manifest_dir);
        if let Some(path) = options.migrations {
            let dir = manifest_dir.join(path);
            return if dir.is_dir() {
                Ok(dir)
            } else {
                Err(format!("no migrations folder at {}", dir.display()))
            };
        }
        server::find_migrations(&manifest_dir)
    }
}
