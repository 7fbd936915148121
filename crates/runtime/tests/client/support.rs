//! Test setup: a fresh database with the schema's tables, and a client on it (directly,
//! or through a PgBouncer in transaction mode with `pgbouncer=true`, see [`through_pgbouncer`]).

use std::cell::Cell;
use std::sync::OnceLock;

use refract_runtime::{Client, ClientConfig};
use refract_testdb::{PgBouncer, TestDb};

use crate::generated::{Models, Role, SCHEMA_SQL};

pub struct Setup {
    pub client: Client,
    // Dropped last: the database goes away with it.
    db: TestDb,
}

impl Setup {
    /// The URL of this test's database.
    pub fn client_url(&self) -> &str {
        self.db.url()
    }
}

pub async fn setup() -> Setup {
    setup_with(|config| config).await
}

pub async fn setup_with(configure: impl FnOnce(ClientConfig) -> ClientConfig) -> Setup {
    let db = TestDb::new().await;
    db.client().await.batch_execute(SCHEMA_SQL).await.unwrap();
    let url = if THROUGH_PGBOUNCER.get() {
        format!("{}?pgbouncer=true", pgbouncer(db.url()).url(db.name()))
    } else {
        db.url().to_owned()
    };
    let config = configure(ClientConfig::from_url(&url).unwrap());
    let client = config.build().unwrap();
    Setup { client, db }
}

/// Creates users `u0..u{n}` in tenant `t`, with varied fields for filters and ordering.
pub async fn seed_users(client: &Client, n: usize) -> Vec<crate::generated::user::User> {
    use crate::generated::user::*;
    let mut users = Vec::new();
    for i in 0..n {
        let mut create = client
            .user()
            .create(format!("u{i}@example.com"), "t", format!("u{i}"))
            .set(SCORE.set(i as f64))
            .set(VISITS.set(i as i64 * 10))
            .set(TAGS.set(if i % 2 == 0 {
                vec!["even".to_string()]
            } else {
                vec!["odd".to_string(), "x".to_string()]
            }))
            .set(ROLE.set(if i == 0 { Role::Admin } else { Role::Member }));
        if i % 3 != 0 {
            create = create.set(NAME.set(format!("Name{}", i % 4)));
        }
        users.push(create.exec().await.unwrap());
    }
    users
}

thread_local! {
    static THROUGH_PGBOUNCER: Cell<bool> = const { Cell::new(false) };
}

/// Runs `test` (a `#[tokio::test]` function, which runs on the calling thread) with every
/// client [`setup`] makes going through the process's PgBouncer, with `pgbouncer=true`.
pub fn through_pgbouncer(test: fn()) {
    THROUGH_PGBOUNCER.set(true);
    let outcome = std::panic::catch_unwind(test);
    THROUGH_PGBOUNCER.set(false);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// The process's PgBouncer (transaction mode), in front of the test server of `upstream`;
/// started on first use, stopped when the process exits.
pub fn pgbouncer(upstream: &str) -> &'static PgBouncer {
    static BOUNCER: OnceLock<PgBouncer> = OnceLock::new();
    BOUNCER.get_or_init(|| match PgBouncer::start(upstream) {
        Ok(bouncer) => bouncer,
        Err(error) => panic!("cannot start pgbouncer: {error}"),
    })
}
