//! [`ReplicatedServer`]: a private primary with streaming replicas, for tests of clients
//! that read from replicas.
//!
//! Always clusters of its own, never `DATABASE_URL`'s server (a replica needs a
//! `pg_basebackup` of its primary and a replication connection to it, which a shared server
//! may not grant) nor the shared private one (stopping a replica mid-test must not touch
//! other tests). The primary is a plain private cluster (PostgreSQL's defaults already have
//! `wal_level = replica`, `max_wal_senders = 10`, and initdb's `pg_hba.conf` trusts
//! replication on loopback); each replica is `pg_basebackup -R` of it (`standby.signal`,
//! `primary_conninfo`), started on a port of its own as a hot standby.

use std::time::{Duration, Instant};

use tokio_postgres::NoTls;

use crate::Error;
use crate::cluster::{Cluster, Tcp};

/// How long [`ReplicatedServer::wait_for_replay`] and the start wait for replicas at most.
const REPLAY_WAIT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(20);

/// A private primary and its streaming replicas (hot standbys), each on its own port on
/// `127.0.0.1`, trust authentication, user `postgres`. Stopped and deleted on drop.
///
/// ```no_run
/// # async fn demo() -> Result<(), refract_testdb::Error> {
/// let server = refract_testdb::ReplicatedServer::start(2)?;
/// let primary = server.url("postgres");
/// let replicas = server.replica_urls("postgres");
/// // ... write on `primary`, then, before reading it on a replica:
/// server.wait_for_replay().await?;
/// server.stop_replica(0)?; // as if it crashed; `start_replica(0)` brings it back
/// # let _ = (primary, replicas);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ReplicatedServer {
    primary: Cluster,
    replicas: Vec<Cluster>,
}

impl ReplicatedServer {
    /// Starts a primary and `replicas` streaming replicas of it; returns when each replica
    /// accepts connections (a hot standby does once its copy is consistent). Blocks for
    /// about a second per replica.
    pub fn start(replicas: usize) -> Result<ReplicatedServer, Error> {
        let mut server = ReplicatedServer {
            primary: Cluster::start(&Tcp::Plain)?,
            replicas: Vec::new(),
        };
        // On failure `server` is dropped, which stops what started.
        for _ in 0..replicas {
            let replica = server.primary.start_standby()?;
            server.replicas.push(replica);
        }
        Ok(server)
    }

    /// URL of `database` on the primary.
    pub fn url(&self, database: &str) -> String {
        self.primary.url(database)
    }

    /// URLs of `database` on each replica, in order.
    pub fn replica_urls(&self, database: &str) -> Vec<String> {
        self.replicas
            .iter()
            .map(|replica| replica.url(database))
            .collect()
    }

    /// The primary's port (what `inet_server_port()` answers there).
    pub fn port(&self) -> u16 {
        self.primary.port()
    }

    /// Each replica's port, in order.
    pub fn replica_ports(&self) -> Vec<u16> {
        self.replicas.iter().map(Cluster::port).collect()
    }

    /// Stops replica `index` (`pg_ctl stop -m fast`: its connections are closed), keeping
    /// its files.
    pub fn stop_replica(&self, index: usize) -> Result<(), Error> {
        self.replica(index)?.halt()
    }

    /// Starts a stopped replica again on its port; it catches up from the primary.
    pub fn start_replica(&self, index: usize) -> Result<(), Error> {
        self.replica(index)?.resume()
    }

    fn replica(&self, index: usize) -> Result<&Cluster, Error> {
        self.replicas.get(index).ok_or_else(|| Error::Command {
            what: format!("replica {index}"),
            detail: format!("there are {} replicas", self.replicas.len()),
        })
    }

    /// Waits until every running replica is in recovery and has replayed the primary's
    /// WAL up to its current position (`pg_last_wal_replay_lsn() >=
    /// pg_current_wal_lsn()`): what was committed on the primary before the call can be
    /// read on every replica after it. Fails after a minute.
    pub async fn wait_for_replay(&self) -> Result<(), Error> {
        let lsn: String = query_one(&self.url("postgres"), "SELECT pg_current_wal_lsn()::text")
            .await?
            .ok_or_else(|| Error::Command {
                what: "pg_current_wal_lsn()".into(),
                detail: "no answer".into(),
            })?;
        let check = format!(
            "SELECT (pg_is_in_recovery() AND pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn)::text"
        );
        for replica in &self.replicas {
            if refract_localpg::running_pid(replica.data()).is_none() {
                continue;
            }
            let url = replica.url("postgres");
            let started = Instant::now();
            loop {
                let caught_up = query_one(&url, &check).await.ok().flatten();
                if caught_up.as_deref() == Some("true") {
                    break;
                }
                if started.elapsed() > REPLAY_WAIT {
                    return Err(Error::Command {
                        what: format!("waiting for the replica on port {}", replica.port()),
                        detail: format!("it has not replayed up to {lsn} in {REPLAY_WAIT:?}"),
                    });
                }
                tokio::time::sleep(POLL).await;
            }
        }
        Ok(())
    }
}

/// The first column of the first row of `sql` (a text), on a connection of its own.
async fn query_one(url: &str, sql: &str) -> Result<Option<String>, Error> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    let task = tokio::spawn(connection);
    let rows = client.simple_query(sql).await;
    drop(client);
    let _ = task.await;
    Ok(rows?.iter().find_map(|message| match message {
        tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
        _ => None,
    }))
}

impl Drop for ReplicatedServer {
    fn drop(&mut self) {
        for replica in &self.replicas {
            replica.stop();
        }
        self.primary.stop();
    }
}
