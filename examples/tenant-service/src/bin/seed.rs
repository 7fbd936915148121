//! `seed`: writes the demo tenant (see `tenant_service::demo`) into the database at
//! DATABASE_URL (from the environment or `.env`). `gen db seed` runs it (the root
//! schema's generator has `seed = "cargo run --package tenant-service --bin seed"`), as
//! does `cargo db-seed`.

use std::process::ExitCode;

use tenant_service::demo::{self, Seeded};

#[tokio::main]
async fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    let result = async {
        let db = client::Client::from_env()?;
        demo::seed(&db).await
    }
    .await;
    match result {
        Ok(Seeded::Created(tenant)) => {
            println!(
                "Seeded tenant \"{}\" ({}): 2 users, 2 agents, 2 tools, a conversation, 3 documents.",
                tenant.name, tenant.id
            );
            ExitCode::SUCCESS
        }
        Ok(Seeded::AlreadyThere(tenant)) => {
            println!(
                "Tenant \"{}\" ({}) is already there; nothing written.",
                tenant.name, tenant.id
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
