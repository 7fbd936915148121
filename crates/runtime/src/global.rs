//! The process-wide client (Prisma's "one `PrismaClient` per process" advice, the Rust way):
//! initialize once at startup, then reach it from anywhere without passing it around.
//! Hot code reads it with one atomic load; it can never create a second pool.

use std::sync::OnceLock;

use crate::client::Client;
use crate::error::Error;

static CLIENT: OnceLock<Client> = OnceLock::new();

/// Installs `client` as the global client. Fails if one is already installed.
pub fn init(client: Client) -> Result<&'static Client, Error> {
    let mut installed = false;
    let global = CLIENT.get_or_init(|| {
        installed = true;
        client
    });
    if installed {
        Ok(global)
    } else {
        Err(Error::GlobalAlreadyInitialized)
    }
}

/// The global client; fails if [`init`] (or [`get_or_init_from_env`]) has not run.
pub fn get() -> Result<&'static Client, Error> {
    CLIENT.get().ok_or(Error::GlobalNotInitialized)
}

/// The global client, created from `DATABASE_URL` (environment or `.env`) on first use,
/// with the read replicas `DATABASE_REPLICA_URLS` names, if any
/// ([`ClientConfig::from_env`](crate::ClientConfig::from_env)).
pub fn get_or_init_from_env() -> Result<&'static Client, Error> {
    if let Some(client) = CLIENT.get() {
        return Ok(client);
    }
    let client = Client::from_env()?;
    // Two threads may race here; one client wins and the other is dropped unused (a
    // client opens no connection until its first query).
    Ok(CLIENT.get_or_init(|| client))
}
