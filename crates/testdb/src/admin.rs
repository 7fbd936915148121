//! The admin side: one background tokio runtime per process, owning the server choice and
//! one administrative connection, so that databases can be created from any runtime (or
//! none) and dropped from `Drop`, where nothing can be awaited.

use std::future::Future;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::cluster::{Cluster, Tcp};
use crate::{Error, url};

/// Where test databases are created.
enum Server {
    /// The server `DATABASE_URL` names.
    External { url: String },
    /// This process's private cluster.
    Private(Cluster),
}

impl Server {
    fn database_url(&self, database: &str) -> String {
        match self {
            Server::External { url } => url::with_database(url, database),
            Server::Private(cluster) => cluster.url(database),
        }
    }

    /// URLs to try for the admin connection: the given database, else the maintenance one.
    fn admin_urls(&self) -> Vec<String> {
        match self {
            Server::External { url } => vec![url.clone(), url::with_database(url, "postgres")],
            Server::Private(cluster) => vec![cluster.url("postgres")],
        }
    }
}

struct Admin {
    runtime: tokio::runtime::Runtime,
    connection: tokio::sync::Mutex<Option<(tokio_postgres::Client, String)>>,
}

static ADMIN: OnceLock<Result<Admin, String>> = OnceLock::new();
static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
static DATABASE_COUNTER: AtomicU64 = AtomicU64::new(0);

fn admin() -> Result<&'static Admin, Error> {
    let admin = ADMIN.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("refract-testdb-admin")
            .enable_all()
            .build()
            .map_err(|error| error.to_string())?;
        Ok(Admin {
            runtime,
            connection: tokio::sync::Mutex::new(None),
        })
    });
    admin
        .as_ref()
        .map_err(|error| Error::AdminGone(error.clone()))
}

/// Runs `future` on the admin runtime and awaits it from any executor.
pub(crate) async fn run_async<T: Send + 'static>(
    future: impl Future<Output = T> + Send + 'static,
) -> Result<T, Error> {
    admin()?
        .runtime
        .spawn(future)
        .await
        .map_err(|error| Error::AdminGone(error.to_string()))
}

/// Runs `future` on the admin runtime and blocks this thread until it is done (or
/// `timeout` passes). Safe inside another runtime: the work happens on the admin's threads.
pub(crate) fn run_blocking<T: Send + 'static>(
    future: impl Future<Output = T> + Send + 'static,
    timeout: Option<Duration>,
) -> Result<T, Error> {
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    admin()?.runtime.spawn(async move {
        let _ = sender.send(future.await);
    });
    match timeout {
        Some(timeout) => receiver
            .recv_timeout(timeout)
            .map_err(|error| Error::AdminGone(error.to_string())),
        None => receiver
            .recv()
            .map_err(|error| Error::AdminGone(error.to_string())),
    }
}

/// The server, chosen (and the private cluster started) on first use.
async fn server() -> Result<&'static Server, Error> {
    if let Some(server) = SERVER.get() {
        return server
            .as_ref()
            .map_err(|error| Error::ServerUnavailable(error.clone()));
    }
    // Starting a cluster blocks for about a second: keep it off the admin's worker thread.
    tokio::task::spawn_blocking(|| {
        SERVER
            .get_or_init(choose_server)
            .as_ref()
            .map_err(|error| Error::ServerUnavailable(error.clone()))
    })
    .await
    .map_err(|error| Error::AdminGone(error.to_string()))?
}

fn choose_server() -> Result<Server, String> {
    if let Some(url) = std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
    {
        return Ok(Server::External { url });
    }
    let cluster = Cluster::start(&Tcp::Plain).map_err(|error| error.to_string())?;
    // SAFETY: registering a plain `extern "C" fn` with no captured state.
    unsafe {
        libc::atexit(stop_private_cluster_at_exit);
    }
    Ok(Server::Private(cluster))
}

extern "C" fn stop_private_cluster_at_exit() {
    let _ = std::panic::catch_unwind(|| {
        if let Some(Ok(Server::Private(cluster))) = SERVER.get() {
            cluster.stop();
        }
    });
}

/// Runs `sql` on the admin connection, connecting (or reconnecting once) as needed.
async fn admin_execute(sql: &str) -> Result<(), Error> {
    let server = server().await?;
    let mut slot = admin()?.connection.lock().await;
    for attempt in 0..2 {
        if slot.as_ref().is_none_or(|(client, _)| client.is_closed()) {
            *slot = Some(connect_admin(server).await?);
        }
        let Some((client, _)) = slot.as_ref() else {
            continue;
        };
        match client.batch_execute(sql).await {
            Ok(()) => return Ok(()),
            Err(error) if attempt == 0 && client.is_closed() => drop(error),
            Err(error) => return Err(error.into()),
        }
    }
    Ok(())
}

async fn connect_admin(server: &Server) -> Result<(tokio_postgres::Client, String), Error> {
    let mut last_error = None;
    for url in server.admin_urls() {
        match tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
            Ok((client, connection)) => {
                tokio::spawn(async move {
                    let _ = connection.await;
                });
                return Ok((client, url));
            }
            Err(error) => last_error = Some(error),
        }
    }
    match last_error {
        Some(error) => Err(error.into()),
        None => Err(Error::ServerUnavailable("no admin URL".into())),
    }
}

fn fresh_database_name() -> String {
    use std::hash::BuildHasher;
    let counter = DATABASE_COUNTER.fetch_add(1, Ordering::Relaxed);
    // RandomState is seeded randomly per process: enough to never reuse a leftover name.
    let salt = std::collections::hash_map::RandomState::new().hash_one((
        std::process::id(),
        counter,
        std::time::SystemTime::now(),
    ));
    format!(
        "refract_test_{}_{counter}_{:08x}",
        std::process::id(),
        salt as u32
    )
}

/// Creates a fresh database; returns its name and URL.
pub(crate) async fn create_database() -> Result<(String, String), Error> {
    let server = server().await?;
    let name = fresh_database_name();
    admin_execute(&format!("CREATE DATABASE \"{name}\"")).await?;
    let url = server.database_url(&name);
    Ok((name, url))
}

/// Drops a database made by [`create_database`], closing its connections.
pub(crate) async fn drop_database(name: String) -> Result<(), Error> {
    admin_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await
}

/// The URL the admin connection uses.
pub(crate) async fn server_admin_url() -> Result<String, Error> {
    let server = server().await?;
    let mut slot = admin()?.connection.lock().await;
    if slot.as_ref().is_none_or(|(client, _)| client.is_closed()) {
        *slot = Some(connect_admin(server).await?);
    }
    match slot.as_ref() {
        Some((_, url)) => Ok(url.clone()),
        None => Err(Error::ServerUnavailable("no admin connection".into())),
    }
}
