//! The private throwaway cluster: find the server binaries, make a data directory (copy of
//! a cached `initdb` template, or a fresh `initdb`), start it on a free port, stop it.
//!
//! A cluster accepts either plain TCP connections ([`Tcp::Plain`], the shared test server) or
//! only TLS ones ([`Tcp::TlsOnly`], for tests of TLS connections): then `ssl = on` with the
//! given certificate, and `pg_hba.conf` rejects TCP connections without TLS.
//!
//! Every directory this module creates lives in one base directory (see `base_dir`) and is named so that a later
//! process can tell whether its owner is still alive: `refract-testdb-run-<pid>-<nanos>`
//! for a cluster, `refract-testdb-template-u<euid>-<hash>` for the template.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, PoisonError};

use crate::Error;

const RUN_PREFIX: &str = "refract-testdb-run-";
const TEMPLATE_PREFIX: &str = "refract-testdb-template-";
const DEFAULT_BINDIR: &str = "/usr/lib/postgresql/15/bin";
const PORT_ATTEMPTS: usize = 20;

/// The OS user the server runs as when this process is root.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RunAs {
    pub(crate) uid: u32,
    pub(crate) gid: u32,
}

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
    bindir: PathBuf,
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
        let bindir = find_bindir().ok_or(Error::NoBinaries)?;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let euid = unsafe { libc::geteuid() };
        let run_as = if euid == 0 {
            Some(postgres_user()?)
        } else {
            None
        };
        let base = base_dir(run_as);
        sweep_stale(&base, &bindir, run_as);

        let root = base.join(format!("{RUN_PREFIX}{}-{}", std::process::id(), nanos()));
        create_owned_dir(&root, run_as)?;
        let cluster = Cluster {
            data: root.join("data"),
            root,
            bindir,
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

    /// URL of database `database` on this cluster, over TCP.
    pub(crate) fn url(&self, database: &str) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/{database}", self.port)
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
        if self.data.join("postmaster.pid").exists() {
            let _ = self
                .command("pg_ctl")
                .arg("stop")
                .arg("-D")
                .arg(&self.data)
                .args(["-m", "immediate", "-w", "-t", "30"])
                .output();
        }
        let _ = std::fs::remove_dir_all(&self.root);
        // Only after the directory is gone: closing the pipe sets the watchdog off. A poisoned
        // lock still guards a whole list (push and retain do not panic midway).
        WATCHDOG_PIPES
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(root, _)| root != &self.root);
    }

    fn command(&self, program: &str) -> Command {
        server_command(&self.bindir, program, self.run_as, &self.root)
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
            .arg(self.bindir.join("pg_ctl"))
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
        let template = ensure_template(base, &self.bindir, self.run_as, euid, &self.root);
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
            initdb(&self.bindir, &self.data, self.run_as, &self.root)?;
        }
        self.append_config()?;
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

    fn append_config(&self) -> Result<(), Error> {
        let socket_dir = quote_setting(&self.root);
        let settings = format!(
            "\n# refract-testdb: a throwaway cluster, durability off\n\
             listen_addresses = '127.0.0.1'\n\
             unix_socket_directories = '{socket_dir}'\n\
             fsync = off\n\
             synchronous_commit = off\n\
             full_page_writes = off\n\
             max_connections = 300\n\
             shared_buffers = 32MB\n\
             max_parallel_workers_per_gather = 0\n\
             log_min_messages = warning\n"
        );
        self.append_to_postgresql_conf(&settings)
    }

    fn append_to_postgresql_conf(&self, settings: &str) -> Result<(), Error> {
        let path = self.data.join("postgresql.conf");
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|source| Error::Io {
                what: format!("opening {}", path.display()),
                source,
            })?;
        file.write_all(settings.as_bytes())
            .map_err(|source| Error::Io {
                what: format!("writing {}", path.display()),
                source,
            })
    }

    /// Writes the server's certificate and key beside the data directory, turns TLS on and
    /// replaces `pg_hba.conf` so that TCP connections without TLS are rejected (the unix
    /// socket keeps trusting, for `pg_ctl -w`).
    fn configure_tls_only(&self, certificate: &str, key: &str) -> Result<(), Error> {
        let certificate_path = self.root.join("server.crt");
        let key_path = self.root.join("server.key");
        // The server refuses a key that others can read, or that is owned by anyone but
        // itself or root.
        write_owned_file(&certificate_path, certificate, 0o644, self.run_as)?;
        write_owned_file(&key_path, key, 0o600, self.run_as)?;
        self.append_to_postgresql_conf(&format!(
            "\n# refract-testdb: TLS only over TCP\n\
             ssl = on\n\
             ssl_cert_file = '{}'\n\
             ssl_key_file = '{}'\n",
            quote_setting(&certificate_path),
            quote_setting(&key_path),
        ))?;
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
        let mut last_failure = String::new();
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port()?;
            let log_len_before = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
            let output = self
                .command("pg_ctl")
                .arg("start")
                .arg("-D")
                .arg(&self.data)
                .arg("-l")
                .arg(&log)
                .args(["-w", "-t", "60", "-o"])
                .arg(format!("-p {port}"))
                .output()
                .map_err(|source| Error::Io {
                    what: "running pg_ctl start".into(),
                    source,
                })?;
            if output.status.success() {
                self.port = port;
                return Ok(());
            }
            let log_text = std::fs::read(&log).unwrap_or_default();
            let new_log = String::from_utf8_lossy(
                log_text.get(log_len_before as usize..).unwrap_or_default(),
            );
            last_failure = format!("{}{}", String::from_utf8_lossy(&output.stderr), new_log);
            let port_taken =
                new_log.contains("could not bind") || new_log.contains("already in use");
            if !port_taken {
                break;
            }
        }
        Err(Error::Command {
            what: "pg_ctl start".into(),
            detail: last_failure,
        })
    }
}

/// `program` from `bindir`, run as `run_as` if set, in `cwd`, with no stdin.
fn server_command(bindir: &Path, program: &str, run_as: Option<RunAs>, cwd: &Path) -> Command {
    let mut command = Command::new(bindir.join(program));
    command.current_dir(cwd).stdin(Stdio::null());
    if let Some(user) = run_as {
        command.uid(user.uid).gid(user.gid);
    }
    command
}

fn initdb(bindir: &Path, data: &Path, run_as: Option<RunAs>, cwd: &Path) -> Result<(), Error> {
    let mut last_failure = String::new();
    // C.UTF-8 where the system has it (case-insensitive matching beyond ASCII), else C.
    for locale in ["C.UTF-8", "C"] {
        let output = server_command(bindir, "initdb", run_as, cwd)
            .arg("-D")
            .arg(data)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
                "--no-instructions",
            ])
            .arg(format!("--locale={locale}"))
            .output()
            .map_err(|source| Error::Io {
                what: "running initdb".into(),
                source,
            })?;
        if output.status.success() {
            return Ok(());
        }
        last_failure = String::from_utf8_lossy(&output.stderr).into_owned();
        let _ = std::fs::remove_dir_all(data);
    }
    Err(Error::Command {
        what: "initdb".into(),
        detail: last_failure,
    })
}

/// The template data directory for these binaries and this user, made once per machine:
/// `initdb` into a private directory, then renamed into place (atomic, so racing processes
/// either see a complete template or none). `None` if it cannot be had; callers then
/// run `initdb` themselves.
fn ensure_template(
    base: &Path,
    bindir: &Path,
    run_as: Option<RunAs>,
    euid: u32,
    cwd: &Path,
) -> Option<PathBuf> {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bindir.hash(&mut hasher);
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
    let made = initdb(bindir, &staging.join("data"), run_as, cwd).is_ok()
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

/// Removes clusters and template staging directories whose owning process is gone.
fn sweep_stale(base: &Path, bindir: &Path, run_as: Option<RunAs>) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let owner = name
            .strip_prefix(RUN_PREFIX)
            .or_else(|| name.strip_prefix(&format!("{TEMPLATE_PREFIX}staging-")))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        let Some(pid) = owner else { continue };
        if pid == std::process::id() || process_alive(pid) {
            continue;
        }
        let dir = entry.path();
        let data = dir.join("data");
        if data.join("postmaster.pid").exists() {
            let _ = server_command(bindir, "pg_ctl", run_as, base)
                .arg("stop")
                .arg("-D")
                .arg(&data)
                .args(["-m", "immediate", "-w", "-t", "10"])
                .output();
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Whether process `pid` is running (a zombie, dead but not yet reaped, is not).
fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name, which is in parentheses and may contain any
        // character, so look after the last `)`.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_none_or(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// `path` as a quoted `postgresql.conf` string value.
fn quote_setting(path: &Path) -> String {
    path.to_string_lossy().replace('\'', "''")
}

/// Creates `path` (which must not exist) with `contents`, `mode`, owned by `run_as` if set.
fn write_owned_file(
    path: &Path,
    contents: &str,
    mode: u32,
    run_as: Option<RunAs>,
) -> Result<(), Error> {
    use std::os::unix::fs::OpenOptionsExt;
    let io = |what: &str, source| Error::Io {
        what: format!("{what} {}", path.display()),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| io("creating", e))?;
    file.write_all(contents.as_bytes())
        .map_err(|e| io("writing", e))?;
    // The umask may have narrowed the mode given at creation.
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| io("setting the mode of", e))?;
    if let Some(user) = run_as {
        std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid))
            .map_err(|e| io("chown of", e))?;
    }
    Ok(())
}

pub(crate) fn create_owned_dir(path: &Path, run_as: Option<RunAs>) -> Result<(), Error> {
    let io = |what: &str, source| Error::Io {
        what: format!("{what} {}", path.display()),
        source,
    };
    std::fs::create_dir(path).map_err(|e| io("creating", e))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| io("restricting", e))?;
    if let Some(user) = run_as {
        std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid))
            .map_err(|e| io("chown of", e))?;
    }
    Ok(())
}

/// Where clusters live: `REFRACT_TESTDB_DIR` if set, else `/dev/shm` (tmpfs: creating a
/// database there is 5-10x faster than on disk), else the temp dir (`/tmp` when the server
/// runs as another user, who must be able to reach it).
pub(crate) fn base_dir(run_as: Option<RunAs>) -> PathBuf {
    if let Some(dir) = std::env::var_os("REFRACT_TESTDB_DIR") {
        return PathBuf::from(dir);
    }
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && !shm
            .metadata()
            .map(|m| m.permissions().readonly())
            .unwrap_or(true)
    {
        return shm.to_path_buf();
    }
    if run_as.is_some() {
        PathBuf::from("/tmp")
    } else {
        std::env::temp_dir()
    }
}

pub(crate) fn free_port() -> Result<u16, Error> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).map_err(|source| Error::Io {
        what: "finding a free port".into(),
        source,
    })?;
    let port = listener
        .local_addr()
        .map_err(|source| Error::Io {
            what: "finding a free port".into(),
            source,
        })?
        .port();
    Ok(port)
}

fn find_bindir() -> Option<PathBuf> {
    let has_server = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("REFRACT_PG_BINDIR").map(PathBuf::from) {
        return has_server(&dir).then_some(dir);
    }
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    let from_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    from_pg_config
        .into_iter()
        .chain(std::iter::once(PathBuf::from(DEFAULT_BINDIR)))
        .chain(from_path)
        .find(|dir| has_server(dir))
}

pub(crate) fn postgres_user() -> Result<RunAs, Error> {
    let name = c"postgres";
    // SAFETY: `name` is a valid NUL-terminated string; getpwnam returns null or a pointer to
    // a static record, read immediately, before any other call could overwrite it.
    unsafe {
        let record = libc::getpwnam(name.as_ptr());
        if record.is_null() {
            return Err(Error::NoPostgresUser);
        }
        Ok(RunAs {
            uid: (*record).pw_uid,
            gid: (*record).pw_gid,
        })
    }
}

pub(crate) fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}
