//! Read replicas: one pool per replica beside the primary's, the round-robin choice of a
//! replica for each read, and the health of each replica (taken out of rotation when it
//! cannot be reached, tried again after a back-off).
//!
//! Routing follows `@prisma/extension-read-replicas`: the read operations (`find_*`,
//! `count`, `aggregate`, `group_by`, and the includes they load) go to a replica when they
//! run on the client outside a transaction; writes, transactions and raw SQL go to the
//! primary; [`Client::primary`] and [`Client::replica`] force a side ([`Client::replica`]
//! never falls back to the primary: what it carries may be a write). The choice is made
//! once per operation ([`crate::Executor::for_read`]), so an operation's statements (a
//! `find_many` and its includes) all read one replica, which replays the primary's history
//! in order.
//!
//! A replica that fails to connect (connection errors, server shutdown, too many
//! connections) is marked down for the back-off period and the statement runs again on the
//! next live replica, then on the primary: a read never fails because a replica went away.
//! A replica that cannot serve one read (pool exhausted, recovery conflict) stays in
//! rotation and the read runs elsewhere the same way. The query's own errors, a
//! `socket_timeout` included, are returned as they are. Nothing runs in the background:
//! after the back-off the next read that picks the replica tries it again. Reads are safe
//! to run twice; writes never come here.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio_postgres::error::SqlState;

use crate::client::Client;
use crate::error::Error;

/// Default time a replica stays out of rotation after a failure.
pub(crate) const DEFAULT_BACKOFF: Duration = Duration::from_secs(5);

/// A client's read replicas (the primary's pool is the client's own).
pub(crate) struct Replicas {
    members: Box<[Member]>,
    /// Round-robin cursor.
    next: AtomicUsize,
    backoff: Duration,
    /// Origin of the `down_until` times.
    epoch: Instant,
}

struct Member {
    client: Client,
    /// Milliseconds after `epoch` until which this replica is out of rotation; 0: in it.
    down_until: AtomicU64,
}

impl Replicas {
    pub(crate) fn new(clients: Vec<Client>, backoff: Duration) -> Replicas {
        Replicas {
            members: clients
                .into_iter()
                .map(|client| Member {
                    client,
                    down_until: AtomicU64::new(0),
                })
                .collect(),
            next: AtomicUsize::new(0),
            backoff,
            epoch: Instant::now(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.members.len()
    }

    /// The pool of replica `index`.
    pub(crate) fn client(&self, index: usize) -> &Client {
        &self.members[index % self.members.len()].client
    }

    /// The next replica in turn, in rotation or not (for [`Client::replica`] when every
    /// replica is out of rotation: the call tries one and fails with its error).
    pub(crate) fn next_in_turn(&self) -> usize {
        self.next.fetch_add(1, Ordering::Relaxed) % self.members.len()
    }

    /// The next replica in rotation, or `None` when every replica is down.
    pub(crate) fn pick(&self) -> Option<usize> {
        let count = self.members.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..count)
            .map(|offset| start.wrapping_add(offset) % count)
            .find(|&index| self.is_up(index))
    }

    pub(crate) fn is_up(&self, index: usize) -> bool {
        let until = self.members[index % self.members.len()]
            .down_until
            .load(Ordering::Relaxed);
        until == 0 || self.now_ms() >= until
    }

    fn mark_down(&self, index: usize, error: &Error) {
        let backoff = u64::try_from(self.backoff.as_millis()).unwrap_or(u64::MAX);
        let until = self.now_ms().saturating_add(backoff).max(1);
        self.members[index % self.members.len()]
            .down_until
            .store(until, Ordering::Relaxed);
        tracing::warn!(
            target: "refract::replica",
            replica = index,
            %error,
            backoff_ms = backoff,
            "read replica out of rotation; reads fall back to the other replicas or the primary"
        );
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Replicas currently in rotation, of all.
    pub(crate) fn in_rotation(&self) -> usize {
        (0..self.members.len())
            .filter(|&index| self.is_up(index))
            .count()
    }
}

/// What a failed statement on a replica means for the read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The replica is unreachable or went away: out of rotation, run the read elsewhere.
    Down,
    /// The replica is fine but could not serve this read (its pool is exhausted, or the
    /// query was cancelled by a conflict with recovery): run it elsewhere, keep the replica.
    Busy,
    /// The query's own error (SQL, decoding): the same on any server, so it is returned.
    Query,
}

/// Sorts a replica's error into [`Failure`]s.
pub(crate) fn classify(error: &Error) -> Failure {
    match error {
        Error::Unreachable { .. }
        | Error::Connection { .. }
        | Error::Tls { .. }
        | Error::Pool(_) => Failure::Down,
        // The replica answered too slowly for this query: the same query would most likely
        // be as slow anywhere, so it is not run again (N + 1 times, each replica marked down
        // in turn); the connection is closed and the replica stays in rotation.
        Error::SocketTimeout(_) => Failure::Query,
        Error::PoolTimeout { .. } => Failure::Busy,
        _ => {
            let Some(db) = error.postgres().and_then(|source| source.as_db_error()) else {
                return Failure::Query;
            };
            let state = db.code();
            // Class 08: connection exception; 57P01-57P03: the server is shutting down,
            // crashed or not accepting connections yet; 53300: too many connections.
            if state.code().starts_with("08")
                || *state == SqlState::ADMIN_SHUTDOWN
                || *state == SqlState::CRASH_SHUTDOWN
                || *state == SqlState::CANNOT_CONNECT_NOW
                || *state == SqlState::TOO_MANY_CONNECTIONS
            {
                Failure::Down
            } else if *state == SqlState::T_R_SERIALIZATION_FAILURE
                && db.message().contains("conflict with recovery")
            {
                Failure::Busy
            } else {
                Failure::Query
            }
        }
    }
}

/// Runs `attempt` on replica `first`, then on the other replicas in rotation, then (if
/// `to_primary`) on the primary, until one answers (or fails with the query's own error).
/// Without `to_primary`, the last replica's error is returned when none answers, and
/// `first` is tried even when it is out of rotation if no replica is in it. At most one
/// attempt per replica, so the loop is bounded.
pub(crate) async fn run_with_fallback<'c, T, F, Fut>(
    primary: &'c Client,
    replicas: &'c Replicas,
    first: usize,
    to_primary: bool,
    mut attempt: F,
) -> Result<T, Error>
where
    F: FnMut(&'c Client) -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    // The chosen replica may have left the rotation since it was chosen (another call met
    // its failure first): then the next one in rotation.
    let mut next = if replicas.is_up(first) {
        Some(first)
    } else {
        replicas.pick().or((!to_primary).then_some(first))
    };
    let mut last = None;
    for _ in 0..replicas.len() {
        let Some(index) = next.take() else { break };
        match attempt(replicas.client(index)).await {
            Err(error) => {
                match classify(&error) {
                    Failure::Query => return Err(error),
                    Failure::Down => replicas.mark_down(index, &error),
                    Failure::Busy => {
                        tracing::debug!(target: "refract::replica", replica = index, %error, "read retried elsewhere");
                    }
                }
                last = Some(error);
            }
            outcome => return outcome,
        }
        next = replicas.pick().filter(|&other| other != index);
    }
    match last {
        Some(error) if !to_primary => Err(error),
        _ => attempt(primary).await,
    }
}

/// Splits `DATABASE_REPLICA_URLS`: comma-separated URLs, blanks around them ignored.
pub(crate) fn split_urls(list: &str) -> Vec<&str> {
    list.split(',')
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_replica_url_lists() {
        assert_eq!(
            split_urls(" postgresql://a/db , postgresql://b/db?connection_limit=3,"),
            ["postgresql://a/db", "postgresql://b/db?connection_limit=3"]
        );
        assert!(split_urls("  ").is_empty());
    }

    #[test]
    fn round_robin_skips_replicas_out_of_rotation() {
        let clients = (0..3)
            .map(|port| Client::new(&format!("postgresql://127.0.0.1:{}/db", 1000 + port)).unwrap())
            .collect();
        let replicas = Replicas::new(clients, Duration::from_secs(60));
        let picks: Vec<_> = (0..6).map(|_| replicas.pick()).collect();
        assert_eq!(picks, [0, 1, 2, 0, 1, 2].map(Some));
        replicas.mark_down(1, &Error::Pool("test".into()));
        assert_eq!(replicas.in_rotation(), 2);
        let picks: Vec<_> = (0..4).map(|_| replicas.pick()).collect();
        assert!(picks.iter().all(|pick| *pick != Some(1)), "{picks:?}");
        replicas.mark_down(0, &Error::Pool("test".into()));
        replicas.mark_down(2, &Error::Pool("test".into()));
        assert_eq!(replicas.pick(), None);
    }

    /// Which of `replicas` (or `None`: the primary) `client` is.
    fn which(replicas: &Replicas, client: &Client) -> Option<usize> {
        (0..replicas.len()).find(|&index| std::ptr::eq(replicas.client(index), client))
    }

    #[tokio::test]
    async fn a_read_falls_back_to_live_replicas_then_the_primary() {
        let client = |port: u16| Client::new(&format!("postgresql://127.0.0.1:{port}/db")).unwrap();
        let primary = client(999);
        let replicas = Replicas::new(
            vec![client(1000), client(1001), client(1002)],
            Duration::from_secs(60),
        );
        // Replica 0 cannot be reached: out of rotation, the read answered by the next one.
        let dead = [0];
        let attempt = |client: &Client| {
            let replica = which(&replicas, client);
            async move {
                match replica {
                    Some(index) if dead.contains(&index) => Err(Error::Pool("refused".into())),
                    other => Ok(other),
                }
            }
        };
        assert_eq!(
            run_with_fallback(&primary, &replicas, 0, true, attempt)
                .await
                .unwrap(),
            Some(1)
        );
        assert!(!replicas.is_up(0));
        // A read routed to replica 0 before it left the rotation goes to a live one.
        let answered = run_with_fallback(&primary, &replicas, 0, true, attempt)
            .await
            .unwrap();
        assert!(matches!(answered, Some(1 | 2)), "{answered:?}");

        // Every replica unreachable: the primary answers, each replica tried once.
        let all = Replicas::new(vec![client(1000), client(1001)], Duration::from_secs(60));
        let tries = std::sync::atomic::AtomicUsize::new(0);
        let answered = run_with_fallback(&primary, &all, 1, true, |client: &Client| {
            let replica = which(&all, client);
            tries.fetch_add(1, Ordering::Relaxed);
            async move {
                match replica {
                    Some(_) => Err::<Option<usize>, _>(Error::Pool("refused".into())),
                    None => Ok(None),
                }
            }
        })
        .await
        .unwrap();
        assert_eq!((answered, tries.load(Ordering::Relaxed)), (None, 3));
        assert_eq!(all.in_rotation(), 0);

        // The query's own error is returned as it is, and the replica stays.
        let error = run_with_fallback(&primary, &replicas, 1, true, |_: &Client| async {
            Err::<(), _>(Error::InvalidQuery("bad".into()))
        })
        .await
        .unwrap_err();
        assert!(matches!(error, Error::InvalidQuery(_)));
        assert!(replicas.is_up(1));
    }

    #[tokio::test]
    async fn a_socket_timeout_is_the_query_s_own_error() {
        let client = |port: u16| Client::new(&format!("postgresql://127.0.0.1:{port}/db")).unwrap();
        let primary = client(999);
        let replicas = Replicas::new(
            vec![client(1000), client(1001), client(1002)],
            Duration::from_secs(60),
        );
        let limit = Duration::from_secs(1);
        assert_eq!(classify(&Error::SocketTimeout(limit)), Failure::Query);
        // A read slower than `socket_timeout` fails once: not run again on every replica
        // and the primary, and no replica leaves the rotation.
        let tries = std::sync::atomic::AtomicUsize::new(0);
        let error = run_with_fallback(&primary, &replicas, 1, true, |_: &Client| {
            tries.fetch_add(1, Ordering::Relaxed);
            async move { Err::<(), _>(Error::SocketTimeout(limit)) }
        })
        .await
        .unwrap_err();
        assert!(matches!(error, Error::SocketTimeout(_)), "{error:?}");
        assert_eq!(tries.load(Ordering::Relaxed), 1);
        assert_eq!(replicas.in_rotation(), 3);
    }

    #[tokio::test]
    async fn the_explicit_replica_route_never_reaches_the_primary() {
        let client = |port: u16| Client::new(&format!("postgresql://127.0.0.1:{port}/db")).unwrap();
        let primary = client(999);
        let replicas = Replicas::new(vec![client(1000), client(1001)], Duration::from_secs(60));
        let attempt = |client: &Client| {
            let replica = which(&replicas, client);
            async move {
                match replica {
                    Some(_) => Err::<Option<usize>, _>(Error::Pool("refused".into())),
                    None => Ok(None),
                }
            }
        };
        // Every replica unreachable: each tried once, then the last one's error.
        let error = run_with_fallback(&primary, &replicas, 0, false, attempt)
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Pool(_)), "{error:?}");
        assert_eq!(replicas.in_rotation(), 0);
        // All out of rotation: the chosen replica is still tried, not the primary.
        let tried = std::sync::Mutex::new(Vec::new());
        let error = run_with_fallback(&primary, &replicas, 1, false, |client: &Client| {
            let replica = which(&replicas, client);
            tried.lock().unwrap().push(replica);
            attempt(client)
        })
        .await
        .unwrap_err();
        assert!(matches!(error, Error::Pool(_)), "{error:?}");
        assert_eq!(*tried.lock().unwrap(), [Some(1)]);
        // A read route, by contrast, ends on the primary.
        let answered = run_with_fallback(&primary, &replicas, 1, true, attempt)
            .await
            .unwrap();
        assert_eq!(answered, None);
    }

    #[test]
    fn sql_errors_are_the_query_s_own() {
        assert_eq!(classify(&Error::InvalidQuery("x".into())), Failure::Query);
        assert_eq!(classify(&Error::Pool("closed".into())), Failure::Down);
        assert_eq!(
            classify(&Error::PoolTimeout { timeout: None }),
            Failure::Busy
        );
    }
}
