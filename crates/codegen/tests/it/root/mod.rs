//! The client generated from the root `schema.prisma` (committed at `generated/client`).

mod concurrency;
mod errors;
mod filters;
mod operations;
mod pagination;
mod relations;
mod transactions;
mod writes;

use client::{Models, Tenant, runtime::Client};

use crate::support::{Database, database};

pub async fn setup() -> Database {
    database("schema.prisma").await
}

pub async fn tenant(db: &Client, name: &str) -> Tenant {
    db.tenant()
        .create(client::tenant::Create {
            name: name.to_owned(),
        })
        .await
        .unwrap()
}
