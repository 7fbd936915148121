//! Test setup: a fresh database with the schema's tables, and a client on it (directly,
//! or through a PgBouncer in transaction mode with `pgbouncer=true`, see [`through_pgbouncer`]).

use std::cell::Cell;
use std::sync::OnceLock;

use refract_runtime::{Client, ClientConfig};
use refract_testdb::{PgBouncer, TestDb};

use runtime_tests_client::{Models, Role};

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
pub async fn seed_users(client: &Client, n: usize) -> Vec<runtime_tests_client::user::User> {
    use runtime_tests_client::user::*;
    let mut users = Vec::new();
    for i in 0..n {
        let mut create = client
            .user()
            .create(runtime_tests_client::user::Create {
                email: format!("u{i}@example.com"),
                tenant: "t".into(),
                handle: format!("u{i}"),
            })
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

/// The tables of `schema.prisma` (the client in generated/runtime_tests), as Prisma's
/// migration engine creates them.
pub const SCHEMA_SQL: &str = r#"
CREATE TYPE "Role" AS ENUM ('ADMIN', 'member');
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "role" "Role" NOT NULL DEFAULT 'member',
    "profile" JSONB,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "balance" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "score" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "visits" BIGINT NOT NULL DEFAULT 0,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "avatar" BYTEA,
    "tenant" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "birthday" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE UNIQUE INDEX "User_tenant_handle_key" ON "User"("tenant", "handle");
CREATE SCHEMA "blog";
CREATE TABLE "blog"."posts" (
    "id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "views" INTEGER NOT NULL DEFAULT 0,
    "published" BOOLEAN NOT NULL DEFAULT false,
    "author_id" INTEGER NOT NULL,
    CONSTRAINT "posts_pkey" PRIMARY KEY ("id")
);
ALTER TABLE "blog"."posts" ADD CONSTRAINT "posts_author_id_fkey"
    FOREIGN KEY ("author_id") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
"#;
