//! The private throwaway cluster: find the server binaries (installing Debian's
//! `postgresql` package on first use when there are none), make a data directory (copy of
//! a cached `initdb` template, or a fresh `initdb`), start it on a free port, stop it.
//! The mechanics (binaries, initdb, settings, pg_ctl, running as `postgres` when root) are
//! refract-localpg's, shared with `gen dev` and refract-test; this module adds what only
//! throwaway test clusters need: the template cache, the watchdog, the sweep of leftovers
//! and the TLS-only configuration.
//!
//! A cluster accepts either plain TCP connections ([`Tcp::Plain`], the shared test server) or
//! only TLS ones ([`Tcp::TlsOnly`], for tests of TLS connections): then `ssl = on` with the
//! given certificate, and `pg_hba.conf` rejects TCP connections without TLS.
//!
//! Every directory this module creates lives in one base directory (see `base_dir`) and is named so that a later
//! process can tell whether its owner is still alive: `refract-testdb-run-<pid>-<nanos>`
//! for a cluster, `refract-testdb-template-u<euid>-<hash>` for the template.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, PoisonError};

use refract_localpg::{Auth, Binaries, Settings, StopMode};

use crate::Error;

pub(crate) use refract_localpg::RunAs;

const RUN_PREFIX: &str = "refract-testdb-run-";
const TEMPLATE_PREFIX: &str = "refract-testdb-template-";
const PORT_ATTEMPTS: usize = 20;

/// What a cluster accepts over TCP (on `127.0.0.1`; the unix socket always trusts, since
/// `pg_ctl -w` uses it).
#[derive(Debug)]
pub(crate) enum Tcp {
    /// Plain connections (TLS off), trust authentication.
    Plain,
    /// TLS connections only, trust authentication; the server presents `certificate` (PEM,
    /// with its private `key`, PEM). A TCP connection without TLS is rejected.
    TlsOnly { certificate: String, key: String },
}

/// A running private cluster. Nothing stops it on drop: its owner calls [`Cluster::stop`].
#[derive(Debug)]
pub(crate) struct Cluster {
    root: PathBuf,
    data: PathBuf,
    binaries: Binaries,
    port: u16,
    run_as: Option<RunAs>,
}

/// Every running cluster's watchdog pipe, with the cluster's directory: kept open until
/// [`Cluster::stop`] (or the process's end, when the kernel closes them). Closing a pipe is
/// what makes its watchdog stop its cluster, so a pipe must never be dropped while its
/// cluster should live: one per cluster, since a process may run several (the shared test
/// server and any number of TLS servers).
static WATCHDOG_PIPES: Mutex<Vec<(PathBuf, std::process::ChildStdin)>> = Mutex::new(Vec::new());

impl Cluster {
    /// Starts a new cluster owned by this process, accepting `tcp` connections.
    pub(crate) fn start(tcp: &Tcp) -> Result<Cluster, Error> {
        let binaries = binaries()?;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let euid = unsafe { libc::geteuid() };
        let run_as = RunAs::for_this_process()?;
        let base = base_dir(run_as);
        sweep_stale(&base, &binaries, run_as);

        let root = base.join(format!("{RUN_PREFIX}{}-{}", std::process::id(), nanos()));
        create_owned_dir(&root, run_as)?;
        let cluster = Cluster {
            data: root.join("data"),
            root,
            binaries,
            port: 0,
            run_as,
        };
        // The watchdog comes first, so that even a crash during startup leaves nothing behind.
        if let Err(error) = cluster.spawn_watchdog() {
            cluster.stop();
            return Err(error);
        }
        let mut cluster = cluster;
        match cluster
            .initialize(&base, euid, tcp)
            .and_then(|()| cluster.start_on_free_port())
        {
            Ok(()) => Ok(cluster),
            Err(error) => {
                cluster.stop();
                Err(error)
            }
        }
    }

    /// Starts a streaming replica of this cluster: a cluster of its own (directory,
    /// watchdog), its data a `pg_basebackup -R` of this one (which writes `standby.signal`
    /// and `primary_conninfo`), with its own socket folder, on a free port. This cluster
    /// must accept replication connections over TCP: `Tcp::Plain` clusters do (initdb's
    /// `pg_hba.conf` trusts `replication` on loopback; `wal_level = replica` and
    /// `max_wal_senders = 10` are PostgreSQL's defaults).
    pub(crate) fn start_standby(&self) -> Result<Cluster, Error> {
        let base = self.root.parent().unwrap_or(Path::new("/")).to_path_buf();
        let root = base.join(format!("{RUN_PREFIX}{}-{}", std::process::id(), nanos()));
        create_owned_dir(&root, self.run_as)?;
        let standby = Cluster {
            data: root.join("data"),
            root,
            binaries: self.binaries.clone(),
            port: 0,
            run_as: self.run_as,
        };
        if let Err(error) = standby.spawn_watchdog() {
            standby.stop();
            return Err(error);
        }
        let mut standby = standby;
        match standby
            .base_backup(self.port)
            .and_then(|()| standby.start_on_free_port())
        {
            Ok(()) => Ok(standby),
            Err(error) => {
                standby.stop();
                Err(error)
            }
        }
    }

    /// Copies the primary on `primary_port` into this cluster's (empty) data directory.
    fn base_backup(&self, primary_port: u16) -> Result<(), Error> {
        let output = self
            .binaries
            .command("pg_basebackup", self.run_as, &self.root)
            .arg("-D")
            .arg(&self.data)
            .args(["-R", "-X", "stream", "-c", "fast", "--no-sync"])
            .args(["-h", "127.0.0.1", "-p", &primary_port.to_string()])
            .args(["-U", "postgres"])
            .stdout(Stdio::null())
            .output()
            .map_err(|source| Error::Io {
                what: "running pg_basebackup".into(),
                source,
            })?;
        if !output.status.success() {
            return Err(Error::Command {
                what: "pg_basebackup".into(),
                detail: String::from_utf8_lossy(&output.stderr).into_owned(),
            });
        }
        // The copied configuration names the primary's socket folder; the standby gets its
        // own (the later setting wins).
        refract_localpg::configure(
            &self.data,
            &Settings {
                socket_dir: Some(self.root.clone()),
                tcp: true,
                durable: false,
                max_connections: 300,
                extra: "hot_standby = on\n".into(),
            },
        )?;
        Ok(())
    }

    /// Stops the server (`-m fast`: its clients are disconnected), keeping its files;
    /// [`Cluster::resume`] starts it again.
    pub(crate) fn halt(&self) -> Result<(), Error> {
        Ok(refract_localpg::stop(
            &self.binaries,
            &self.data,
            StopMode::Fast,
            self.run_as,
        )?)
    }

    /// Starts a [`Cluster::halt`]ed server again, on its port.
    pub(crate) fn resume(&self) -> Result<(), Error> {
        let log = self.root.join("postgres.log");
        Ok(refract_localpg::start(
            &self.binaries,
            &self.data,
            self.port,
            &log,
            self.run_as,
        )?)
    }

    /// URL of database `database` on this cluster, over TCP.
    pub(crate) fn url(&self, database: &str) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// The data directory.
    pub(crate) fn data(&self) -> &Path {
        &self.data
    }

    /// The TCP port on `127.0.0.1`.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The cluster's own directory (deleted by [`Cluster::stop`]). Only its owner, and root,
    /// can enter it.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// Stops the server and deletes the directory, then releases the watchdog (which finds
    /// nothing left to do). Best effort; never panics.
    pub(crate) fn stop(&self) {
        let _ = refract_localpg::stop(&self.binaries, &self.data, StopMode::Immediate, self.run_as);
        let _ = std::fs::remove_dir_all(&self.root);
        // Only after the directory is gone: closing the pipe sets the watchdog off. A poisoned
        // lock still guards a whole list (push and retain do not panic midway).
        WATCHDOG_PIPES
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(root, _)| root != &self.root);
    }

    /// A `sh` process, in its own process group (terminal signals do not reach it), that
    /// blocks reading a pipe whose only writer is this process; when this process is gone
    /// the read ends and it stops the server and removes the directory.
    fn spawn_watchdog(&self) -> Result<(), Error> {
        let script = r#"cat >/dev/null; "$0" stop -D "$1" -m immediate -w -t 30 >/dev/null 2>&1; rm -rf "$2""#;
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(script)
            .arg(self.binaries.bindir().join("pg_ctl"))
            .arg(&self.data)
            .arg(&self.root)
            .current_dir(&self.root)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        if let Some(user) = self.run_as {
            command.uid(user.uid).gid(user.gid);
        }
        let mut child = command.spawn().map_err(|source| Error::Io {
            what: "spawning the watchdog".into(),
            source,
        })?;
        if let Some(pipe) = child.stdin.take() {
            WATCHDOG_PIPES
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((self.root.clone(), pipe));
        }
        // The child is never waited for: it outlives this process by design.
        drop(child);
        Ok(())
    }

    /// Makes the data directory: a copy of the cached template, else a fresh `initdb`; then
    /// configures it for `tcp`.
    fn initialize(&self, base: &Path, euid: u32, tcp: &Tcp) -> Result<(), Error> {
        let template = ensure_template(base, &self.binaries, self.run_as, euid);
        let copied = template.is_some_and(|template| {
            self.command_raw("cp")
                .arg("-a")
                .arg(template.join("data"))
                .arg(&self.data)
                .output()
                .is_ok_and(|out| out.status.success())
        });
        if !copied {
            let _ = std::fs::remove_dir_all(&self.data);
            refract_localpg::initdb(&self.binaries, &self.data, &Auth::Trust, self.run_as)?;
        }
        // The unix socket lives in the cluster's own directory (0700), so trusting it
        // trusts only its owner; `pg_ctl -w` and the TLS-only configuration use it.
        refract_localpg::configure(
            &self.data,
            &Settings {
                socket_dir: Some(self.root.clone()),
                tcp: true,
                durable: false,
                max_connections: 300,
                extra: String::new(),
            },
        )?;
        match tcp {
            Tcp::Plain => Ok(()),
            Tcp::TlsOnly { certificate, key } => self.configure_tls_only(certificate, key),
        }
    }

    fn command_raw(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.current_dir(&self.root);
        if let Some(user) = self.run_as {
            command.uid(user.uid).gid(user.gid);
        }
        command
    }

    /// Writes the server's certificate and key beside the data directory, turns TLS on and
    /// replaces `pg_hba.conf` so that TCP connections without TLS are rejected (the unix
    /// socket keeps trusting, for `pg_ctl -w`).
    fn configure_tls_only(&self, certificate: &str, key: &str) -> Result<(), Error> {
        let certificate_path = self.root.join("server.crt");
        let key_path = self.root.join("server.key");
        // The server refuses a key that others can read, or that is owned by anyone but
        // itself or root.
        refract_localpg::write_owned_file(&certificate_path, certificate, 0o644, self.run_as)?;
        refract_localpg::write_owned_file(&key_path, key, 0o600, self.run_as)?;
        refract_localpg::append_to(
            &self.data.join("postgresql.conf"),
            &format!(
                "\n# refract-testdb: TLS only over TCP\n\
             ssl = on\n\
             ssl_cert_file = '{}'\n\
             ssl_key_file = '{}'\n",
                refract_localpg::quote_setting(&certificate_path),
                refract_localpg::quote_setting(&key_path),
            ),
        )?;
        let hba = self.data.join("pg_hba.conf");
        // Rewritten in place, so it keeps the owner and mode the copy or initdb gave it.
        std::fs::write(
            &hba,
            "# refract-testdb: TLS only over TCP; the unix socket trusts (pg_ctl -w uses it)\n\
             local all all trust\n\
             hostssl all all 127.0.0.1/32 trust\n\
             hostnossl all all 127.0.0.1/32 reject\n",
        )
        .map_err(|source| Error::Io {
            what: format!("writing {}", hba.display()),
            source,
        })
    }

    /// Starts the server, retrying with another port when the chosen one was taken between
    /// picking it and the server binding it (another process may race for it).
    fn start_on_free_port(&mut self) -> Result<(), Error> {
        let log = self.root.join("postgres.log");
        let mut last_port = 0;
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port()?;
            match refract_localpg::start(&self.binaries, &self.data, port, &log, self.run_as) {
                Ok(()) => {
                    self.port = port;
                    return Ok(());
                }
                Err(refract_localpg::Error::PortTaken(port)) => last_port = port,
                Err(error) => return Err(error.into()),
            }
        }
        Err(refract_localpg::Error::PortTaken(last_port).into())
    }
}

/// The server binaries: `REFRACT_PG_BINDIR`, else found on the machine, else Debian's
/// `postgresql` package installed on first use (once per process; concurrent processes
/// wait on dpkg's lock), so that `cargo test` works on a machine without PostgreSQL.
fn binaries() -> Result<Binaries, Error> {
    static FOUND: std::sync::OnceLock<Result<Binaries, String>> = std::sync::OnceLock::new();
    FOUND
        .get_or_init(|| {
            let hint = std::env::var_os("REFRACT_PG_BINDIR").map(PathBuf::from);
            Binaries::find_or_install(hint.as_deref()).map_err(|error| error.to_string())
        })
        .clone()
        .map_err(Error::ServerUnavailable)
}

/// The template data directory for these binaries and this user, made once per machine:
/// `initdb` into a private directory, then renamed into place (atomic, so racing processes
/// either see a complete template or none). `None` if it cannot be had; callers then
/// run `initdb` themselves.
fn ensure_template(
    base: &Path,
    binaries: &Binaries,
    run_as: Option<RunAs>,
    euid: u32,
) -> Option<PathBuf> {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    binaries.bindir().hash(&mut hasher);
    let template = base.join(format!("{TEMPLATE_PREFIX}u{euid}-{:016x}", hasher.finish()));
    if template.join("data").join("PG_VERSION").exists() {
        return Some(template);
    }
    let staging = base.join(format!(
        "{TEMPLATE_PREFIX}staging-{}-{}",
        std::process::id(),
        nanos()
    ));
    create_owned_dir(&staging, run_as).ok()?;
    let made = refract_localpg::initdb(binaries, &staging.join("data"), &Auth::Trust, run_as)
        .is_ok()
        && std::fs::rename(&staging, &template).is_ok();
    if !made {
        let _ = std::fs::remove_dir_all(&staging);
    }
    template
        .join("data")
        .join("PG_VERSION")
        .exists()
        .then_some(template)
}

/// Removes clusters and template staging directories whose owning process is gone (and
/// that are owned by this user: refract-localpg's sweep).
fn sweep_stale(base: &Path, binaries: &Binaries, run_as: Option<RunAs>) {
    let staging = format!("{TEMPLATE_PREFIX}staging-");
    refract_localpg::sweep_stale(base, &[RUN_PREFIX, &staging], binaries, run_as);
}

pub(crate) fn create_owned_dir(path: &Path, run_as: Option<RunAs>) -> Result<(), Error> {
    Ok(refract_localpg::create_owned_dir(path, run_as)?)
}

/// Where clusters live: `REFRACT_TESTDB_DIR` if set, else refract-localpg's `base_dir`
/// (`/dev/shm` when writable: creating a database there is 5-10x faster than on disk).
pub(crate) fn base_dir(run_as: Option<RunAs>) -> PathBuf {
    if let Some(dir) = std::env::var_os("REFRACT_TESTDB_DIR") {
        return PathBuf::from(dir);
    }
    refract_localpg::base_dir(run_as)
}

pub(crate) fn free_port() -> Result<u16, Error> {
    Ok(refract_localpg::free_port()?)
}

/// The `postgres` OS user (callers run as root).
pub(crate) fn postgres_user() -> Result<RunAs, Error> {
    RunAs::for_this_process()?.ok_or(Error::Local(refract_localpg::Error::NoPostgresUser))
}

pub(crate) fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}
