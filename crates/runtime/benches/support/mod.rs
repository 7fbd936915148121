//! What the pooler and replicas benches share: the root schema's tables with a tenant and
//! its seeded users, and the timed reads of them (`find_unique` of a seeded user, taken in
//! turn; `find_many` of the tenant's users).

use client::{Models, User, tenant, user};
use refract_testdb::bench::next;
use tokio::runtime::Runtime;

/// How many users the tenant has.
pub const ROWS: usize = 100;

const ROOT_MIGRATION: &str =
    include_str!("../../../../migrations/20261125090507_init/migration.sql");

/// The tenant the benches read, and its users' ids.
pub struct Seeded {
    pub tenant_id: String,
    pub ids: Vec<String>,
}

/// Creates the root schema's tables through `admin`, then a tenant `bench` and `ROWS`
/// users of it through `db`.
pub async fn seed(admin: &tokio_postgres::Client, db: &impl Models) -> Seeded {
    admin.batch_execute(ROOT_MIGRATION).await.unwrap();
    let tenant = db
        .tenant()
        .create(tenant::Create {
            name: "bench".into(),
        })
        .await
        .unwrap();
    let rows = (0..ROWS).map(|i| user::Create {
        email: format!("seed{i}@x.io"),
        tenant_id: tenant.id.to_owned(),
    });
    let seeded = db.user().create_many(rows).and_return().await.unwrap();
    Seeded {
        tenant_id: tenant.id,
        ids: seeded.into_iter().map(|u| u.id).collect(),
    }
}

impl Seeded {
    /// One `find_unique` by id, of the next seeded user.
    pub fn find_unique(&self, runtime: &Runtime, db: &impl Models) -> User {
        let id = &self.ids[next() % ROWS];
        let found: Option<User> = runtime
            .block_on(db.user().find_unique(user::id(id)).exec())
            .unwrap();
        found.unwrap()
    }

    /// `find_many` of the tenant's `ROWS` users.
    pub fn find_many(&self, runtime: &Runtime, db: &impl Models) -> Vec<User> {
        runtime
            .block_on(
                db.user()
                    .find_many()
                    .filter(user::TENANT_ID.equals(&self.tenant_id))
                    .take(ROWS as i64)
                    .exec(),
            )
            .unwrap()
    }
}
