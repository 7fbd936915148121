//! Test setup: a fresh database with the schema's tables, and a client on it.

use refract_runtime::{Client, ClientConfig};
use refract_testdb::TestDb;

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
    let config = configure(ClientConfig::from_url(db.url()).unwrap());
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
