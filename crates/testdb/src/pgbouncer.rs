//! [`PgBouncer`]: a real PgBouncer in transaction mode in front of the test server, for
//! tests of clients behind a transaction-mode pooler.
//!
//! Debian's `pgbouncer` package (1.18 on Debian 12, which has no protocol-level prepared
//! statements: the strict case) is installed on first use when missing, once per process,
//! as root or through `sudo -n`. Each [`PgBouncer`] runs its own process on a free loopback
//! port, as the `postgres` OS user when this process is root (PgBouncer refuses root),
//! with `pool_mode = transaction`, trust authentication and a small server pool, so that
//! clients really share server connections. A `sh` watchdog holding a pipe only this
//! process writes to stops it and deletes its directory when the pipe closes: on drop, or
//! when this process dies.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::Error;
use crate::cluster::{RunAs, base_dir, create_owned_dir, free_port, nanos, postgres_user};

const PORT_ATTEMPTS: usize = 10;
/// How long a started PgBouncer may take to accept connections.
const STARTUP: Duration = Duration::from_secs(20);
/// Server connections per database and user: far fewer than the clients tests open.
pub const SERVER_POOL_SIZE: usize = 8;

/// A running PgBouncer (transaction mode) in front of one PostgreSQL server; stopped and
/// its directory deleted on drop.
#[derive(Debug)]
pub struct PgBouncer {
    port: u16,
    user: String,
    password: Option<String>,
    watchdog: Option<(Child, ChildStdin)>,
    dir: PathBuf,
}

impl PgBouncer {
    /// Starts one in front of the server `upstream` (any `postgresql://` URL on it, e.g.
    /// [`TestDb::url`](crate::TestDb::url)); it serves every database of that server.
    /// Installs the `pgbouncer` package first if it is missing.
    pub fn start(upstream: &str) -> Result<PgBouncer, Error> {
        let binary = installed()?;
        let config: tokio_postgres::Config = upstream.parse()?;
        let (host, upstream_port) = upstream_address(&config)?;
        let user = config.get_user().unwrap_or("postgres").to_owned();
        let password = config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned());

        // SAFETY: geteuid has no preconditions and cannot fail.
        let run_as = if unsafe { libc::geteuid() } == 0 {
            Some(postgres_user()?)
        } else {
            None
        };
        let dir = base_dir(run_as).join(format!(
            "refract-testdb-pgbouncer-{}-{}",
            std::process::id(),
            nanos()
        ));
        create_owned_dir(&dir, run_as)?;
        let mut bouncer = PgBouncer {
            port: 0,
            user,
            password,
            watchdog: None,
            dir,
        };
        let mut last_failure = String::new();
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port()?;
            bouncer.write_config(&host, upstream_port, port, run_as)?;
            bouncer.spawn(&binary, run_as)?;
            match bouncer.wait_until_listening(port) {
                Ok(()) => {
                    bouncer.port = port;
                    return Ok(bouncer);
                }
                Err(failure) => {
                    bouncer.stop_process();
                    last_failure = failure;
                }
            }
        }
        Err(Error::Command {
            what: "starting pgbouncer".into(),
            detail: last_failure,
        })
    }

    /// The TCP port on `127.0.0.1`.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A URL of database `database` through this PgBouncer, as the upstream URL's user
    /// (who is also an admin: database `pgbouncer` is PgBouncer's console, `SHOW POOLS`).
    pub fn url(&self, database: &str) -> String {
        let credentials = match &self.password {
            Some(password) => format!("{}:{}", self.user, password),
            None => self.user.clone(),
        };
        format!(
            "postgresql://{credentials}@127.0.0.1:{}/{database}",
            self.port
        )
    }

    fn write_config(
        &self,
        server_host: &str,
        server_port: u16,
        port: u16,
        run_as: Option<RunAs>,
    ) -> Result<(), Error> {
        let upstream_password = self
            .password
            .as_deref()
            .map(|p| format!(" password={p}"))
            .unwrap_or_default();
        let ini = format!(
            "[databases]\n\
             * = host={server_host} port={server_port}{upstream_password}\n\
             [pgbouncer]\n\
             listen_addr = 127.0.0.1\n\
             listen_port = {port}\n\
             unix_socket_dir =\n\
             auth_type = trust\n\
             auth_file = {dir}/userlist.txt\n\
             admin_users = {user}\n\
             pool_mode = transaction\n\
             max_client_conn = 2000\n\
             default_pool_size = {SERVER_POOL_SIZE}\n\
             max_db_connections = {SERVER_POOL_SIZE}\n\
             server_login_retry = 1\n\
             logfile = {dir}/pgbouncer.log\n\
             pidfile = {dir}/pgbouncer.pid\n",
            dir = self.dir.display(),
            user = self.user,
        );
        let quote = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
        let userlist = format!(
            "{} {}\n",
            quote(&self.user),
            quote(self.password.as_deref().unwrap_or(""))
        );
        write_owned(&self.dir.join("pgbouncer.ini"), &ini, run_as)?;
        write_owned(&self.dir.join("userlist.txt"), &userlist, run_as)
    }

    /// Runs PgBouncer under a `sh` that kills it, and deletes the directory, when its stdin
    /// (a pipe only this process writes to) closes.
    fn spawn(&mut self, binary: &Path, run_as: Option<RunAs>) -> Result<(), Error> {
        let script = r#""$0" "$1/pgbouncer.ini" >>"$1/stderr.log" 2>&1 & pid=$!; cat >/dev/null; kill "$pid" 2>/dev/null; wait "$pid"; rm -rf "$1""#;
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(script)
            .arg(binary)
            .arg(&self.dir)
            .current_dir(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        if let Some(user) = run_as {
            command.uid(user.uid).gid(user.gid);
        }
        let mut child = command.spawn().map_err(|source| Error::Io {
            what: "spawning pgbouncer".into(),
            source,
        })?;
        let stdin = child.stdin.take().ok_or_else(|| Error::Command {
            what: "spawning pgbouncer".into(),
            detail: "no pipe to the watchdog".into(),
        })?;
        self.watchdog = Some((child, stdin));
        Ok(())
    }

    fn wait_until_listening(&mut self, port: u16) -> Result<(), String> {
        let deadline = Instant::now() + STARTUP;
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(());
            }
            let exited = match &mut self.watchdog {
                Some((child, _)) => child.try_wait().ok().flatten().is_some(),
                None => true,
            };
            // The watchdog outlives a PgBouncer that failed (its port taken): read the log.
            let failed = self.log_tail().contains("FATAL");
            if exited || failed || Instant::now() > deadline {
                return Err(format!("pgbouncer did not start: {}", self.log_tail()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log_tail(&self) -> String {
        let mut text = String::new();
        for log in ["stderr.log", "pgbouncer.log"] {
            if let Ok(mut file) = std::fs::File::open(self.dir.join(log)) {
                let _ = file.read_to_string(&mut text);
            }
        }
        let start = text.len().saturating_sub(2000);
        text[text.floor_char_boundary_compat(start)..].to_owned()
    }

    /// Closes the watchdog's pipe and waits for it (it waits for PgBouncer).
    fn stop_process(&mut self) {
        if let Some((mut child, stdin)) = self.watchdog.take() {
            drop(stdin);
            let deadline = Instant::now() + Duration::from_secs(10);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            if child.try_wait().ok().flatten().is_none() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        self.stop_process();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Host and port of the upstream server (TCP; a unix socket is not supported here).
fn upstream_address(config: &tokio_postgres::Config) -> Result<(String, u16), Error> {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        _ => {
            return Err(Error::Command {
                what: "starting pgbouncer".into(),
                detail: "the upstream URL must name a TCP host".into(),
            });
        }
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    Ok((host, port))
}

fn write_owned(path: &Path, contents: &str, run_as: Option<RunAs>) -> Result<(), Error> {
    let io = |source| Error::Io {
        what: format!("writing {}", path.display()),
        source,
    };
    let mut file = std::fs::File::create(path).map_err(io)?;
    file.write_all(contents.as_bytes()).map_err(io)?;
    if let Some(user) = run_as {
        std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid)).map_err(io)?;
    }
    Ok(())
}

/// The `pgbouncer` binary, installing Debian's package first if it is missing (once per
/// process; concurrent processes wait on dpkg's lock).
fn installed() -> Result<PathBuf, Error> {
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            if let Some(found) = find_binary() {
                return Ok(found);
            }
            install()?;
            find_binary().ok_or_else(|| "pgbouncer is still missing after installing it".into())
        })
        .clone()
        .map_err(Error::ServerUnavailable)
}

fn find_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("REFRACT_PGBOUNCER") {
        return Some(PathBuf::from(path));
    }
    let in_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .map(|dir| dir.join("pgbouncer"));
    in_path.into_iter().find(|path| path.is_file())
}

/// Debian's `pgbouncer` package (refract-localpg's `apt_install`, as for PostgreSQL
/// itself). The package's own service is not needed: each test starts its own PgBouncer.
fn install() -> Result<(), String> {
    refract_localpg::apt_install(&["pgbouncer"]).map_err(|error| error.to_string())
}

/// `str::floor_char_boundary` is unstable; this is its behaviour.
trait FloorCharBoundary {
    fn floor_char_boundary_compat(&self, index: usize) -> usize;
}

impl FloorCharBoundary for String {
    fn floor_char_boundary_compat(&self, mut index: usize) -> usize {
        while index > 0 && !self.is_char_boundary(index) {
            index -= 1;
        }
        index
    }
}
