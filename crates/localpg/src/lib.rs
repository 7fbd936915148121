//! refract-localpg: a PostgreSQL server of one's own, from the binaries already on the
//! machine, in a data folder the caller chooses.
//!
//! Owns the mechanics every local server of refract shares: finding the server binaries
//! ([`Binaries::find`]: a caller's hint, `pg_config --bindir`, `PATH`, then the usual
//! Debian, PGDG, Homebrew and Postgres.app locations), `initdb` with trust or a password
//! ([`initdb`]), the settings that keep a server on loopback or on a private unix socket
//! ([`configure`], [`socket_url`]), starting it
//! and waiting until it accepts connections ([`start`], through `pg_ctl -w`), stopping it
//! ([`stop`]), telling whether one runs ([`running_pid`]), and running the server as the
//! `postgres` OS user when this process is root, since PostgreSQL refuses to run as root
//! ([`RunAs`]). Three users: `gen dev` (a named, persistent server with a password),
//! refract-test (an application's test server, one per test process) and refract-testdb
//! (refract's own throwaway test clusters).
//!
//! It never downloads anything by itself: without binaries, [`Error::NoBinaries`] says
//! what to install on Debian/Ubuntu, Fedora and macOS. [`apt_install`] exists for test
//! harnesses whose project asked for it (refract's own tests install Debian's packages on
//! first use, as they do for Chromium); `gen dev` never calls it. It knows no SQL and opens no connection
//! (callers bring their own client), and it reads no environment variable but `PATH`,
//! where binaries are looked for; callers pass settings such as `REFRACT_PG_BINDIR` in.
//! Unix only.

// Two libc calls (geteuid, getpwnam) decide whether the server must run as `postgres`,
// each with its SAFETY note.
#![allow(unsafe_code)]

pub mod instance;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Everything that can go wrong while running a local server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No `initdb`/`pg_ctl`/`postgres` could be found.
    #[error("{}", no_binaries_message(.looked))]
    NoBinaries {
        /// The folders that were looked in, in order.
        looked: Vec<PathBuf>,
    },
    /// Running as root, but there is no `postgres` OS user to run the server as.
    #[error(
        "running as root, and no `postgres` OS user exists to run the server as (PostgreSQL refuses to run as root): \
         create one (`useradd --system postgres`) or run as an ordinary user"
    )]
    NoPostgresUser,
    /// Running as root, the server runs as `postgres`, who cannot reach this folder.
    #[error(
        "running as root, the server runs as the `postgres` OS user, who cannot reach {}: \
         choose a state folder that user can enter (every parent folder searchable by others)",
        .0.display()
    )]
    Unreachable(PathBuf),
    /// The port is taken by another process.
    #[error("port {0} on 127.0.0.1 is already in use")]
    PortTaken(u16),
    /// A command (initdb, pg_ctl, ...) failed.
    #[error("{what} failed: {detail}")]
    Command {
        /// The command.
        what: String,
        /// Its error output, and the server log's new lines for `pg_ctl start`.
        detail: String,
    },
    /// A file-system operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done, with the path.
        what: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

fn io_error(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
    let what = what.into();
    move |source| Error::Io { what, source }
}

/// What to install, per system; printed when no binaries are found.
pub const INSTALL_HINT: &str = "\
  Debian/Ubuntu: sudo apt-get install postgresql
  Fedora:        sudo dnf install postgresql-server
  macOS:         brew install postgresql@17";

fn no_binaries_message(looked: &[PathBuf]) -> String {
    let looked = looked
        .iter()
        .map(|dir| dir.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres) found; looked in `pg_config --bindir`, PATH \
         and the usual folders ({looked}). Install them (nothing is downloaded for you):\n{INSTALL_HINT}\n\
         or point REFRACT_PG_BINDIR at the folder that holds initdb and pg_ctl"
    )
}

/// The folder holding `initdb`, `pg_ctl` and `postgres`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binaries {
    bindir: PathBuf,
}

impl Binaries {
    /// Finds the server binaries: `hint` if given (and only there), else `pg_config
    /// --bindir`, the folders on `PATH`, then the usual install locations, newest major
    /// version first.
    pub fn find(hint: Option<&Path>) -> Result<Binaries, Error> {
        let mut looked = Vec::new();
        let candidates: Vec<PathBuf> = match hint {
            Some(dir) => vec![dir.to_path_buf()],
            None => {
                let from_pg_config = Command::new("pg_config")
                    .arg("--bindir")
                    .stdin(Stdio::null())
                    .output()
                    .ok()
                    .filter(|out| out.status.success())
                    .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
                let from_path = std::env::var_os("PATH")
                    .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
                    .unwrap_or_default();
                from_pg_config
                    .into_iter()
                    .chain(from_path)
                    .chain(usual_locations())
                    .collect()
            }
        };
        for dir in candidates {
            if Binaries::complete(&dir) {
                return Ok(Binaries { bindir: dir });
            }
            if !looked.contains(&dir) {
                looked.push(dir);
            }
        }
        Err(Error::NoBinaries { looked })
    }

    /// [`Binaries::find`], and when nothing is found (and no `hint` was given), Debian's
    /// `postgresql` package installed with [`apt_install`], then found. Only for test
    /// harnesses of projects that asked for it.
    pub fn find_or_install(hint: Option<&Path>) -> Result<Binaries, Error> {
        match Binaries::find(hint) {
            Err(Error::NoBinaries { .. }) if hint.is_none() => {
                apt_install(&["postgresql"])?;
                Binaries::find(None)
            }
            found => found,
        }
    }

    /// The binaries in `bindir`, if it holds them all.
    pub fn at(bindir: &Path) -> Option<Binaries> {
        Binaries::complete(bindir).then(|| Binaries {
            bindir: bindir.to_path_buf(),
        })
    }

    fn complete(dir: &Path) -> bool {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|program| dir.join(program).is_file())
    }

    /// The folder the binaries are in.
    pub fn bindir(&self) -> &Path {
        &self.bindir
    }

    /// `postgres --version`'s answer, e.g. `postgres (PostgreSQL) 15.14`.
    pub fn version(&self) -> Option<String> {
        let out = Command::new(self.bindir.join("postgres"))
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// `program` from the binaries' folder, run as `run_as` if set, in `cwd`, no stdin.
    pub fn command(&self, program: &str, run_as: Option<RunAs>, cwd: &Path) -> Command {
        let mut command = Command::new(self.bindir.join(program));
        command.current_dir(cwd).stdin(Stdio::null());
        if let Some(user) = run_as {
            command.uid(user.uid).gid(user.gid);
        }
        command
    }
}

/// `apt-get install -y --no-install-recommends PACKAGES` (after `apt-get update` when the
/// first try fails), as root or through `sudo -n` (tests have no terminal to prompt on),
/// waiting up to five minutes for dpkg's lock (concurrent test processes).
pub fn apt_install(packages: &[&str]) -> Result<(), Error> {
    let apt = |args: &[&str]| -> Result<(), Error> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let mut command = if unsafe { libc::geteuid() } == 0 {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.args(["-n", "apt-get"]);
            sudo
        };
        let output = command
            .args(["-o", "DPkg::Lock::Timeout=300", "-q"])
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null())
            .output()
            .map_err(io_error("running apt-get"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(Error::Command {
                what: format!("apt-get {}", args.join(" ")),
                detail: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            })
        }
    };
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend_from_slice(packages);
    apt(&install).or_else(|_| apt(&["update"]).and_then(|()| apt(&install)))
}

/// Debian's `/usr/lib/postgresql/<major>/bin`, PGDG's `/usr/pgsql-<major>/bin`, Homebrew's
/// `opt/postgresql@<major>/bin` (Apple silicon and Intel prefixes) and Postgres.app, each
/// newest major first.
fn usual_locations() -> Vec<PathBuf> {
    let mut found = Vec::new();
    let versioned = |parent: &str, prefix: &str, suffix: &str| -> Vec<PathBuf> {
        let mut dirs: Vec<(u32, PathBuf)> = std::fs::read_dir(parent)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                let major = name.strip_prefix(prefix)?.parse::<f32>().ok()?;
                Some((major as u32, entry.path().join(suffix)))
            })
            .collect();
        dirs.sort_by_key(|dir| std::cmp::Reverse(dir.0));
        dirs.into_iter().map(|(_, dir)| dir).collect()
    };
    found.extend(versioned("/usr/lib/postgresql", "", "bin"));
    found.extend(versioned("/usr", "pgsql-", "bin"));
    for brew in ["/opt/homebrew/opt", "/usr/local/opt"] {
        found.extend(versioned(brew, "postgresql@", "bin"));
        found.push(Path::new(brew).join("postgresql/bin"));
    }
    found.push(PathBuf::from(
        "/Applications/Postgres.app/Contents/Versions/latest/bin",
    ));
    found
}

/// The OS user the server runs as when this process is root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunAs {
    /// User id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
}

impl RunAs {
    /// `None` for an ordinary user (the server runs as this process's user); the
    /// `postgres` OS user when this process is root.
    pub fn for_this_process() -> Result<Option<RunAs>, Error> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let euid = unsafe { libc::geteuid() };
        if euid != 0 {
            return Ok(None);
        }
        let name = c"postgres";
        // SAFETY: `name` is a valid NUL-terminated string; getpwnam returns null or a
        // pointer to a static record, read at once, before any other call could overwrite it.
        unsafe {
            let record = libc::getpwnam(name.as_ptr());
            if record.is_null() {
                return Err(Error::NoPostgresUser);
            }
            Ok(Some(RunAs {
                uid: (*record).pw_uid,
                gid: (*record).pw_gid,
            }))
        }
    }

    /// Checks that this user can enter `dir` (every folder on the way searchable by it).
    /// A conservative check of the mode bits: owner, then others (groups are not looked up).
    pub fn check_reachable(self, dir: &Path) -> Result<(), Error> {
        use std::os::unix::fs::MetadataExt;
        let mut current = PathBuf::new();
        for component in dir.components() {
            current.push(component);
            let Ok(meta) = std::fs::metadata(&current) else {
                break;
            };
            let mode = meta.mode();
            let searchable = if meta.uid() == self.uid {
                mode & 0o100 != 0
            } else if meta.gid() == self.gid {
                mode & 0o010 != 0
            } else {
                mode & 0o001 != 0
            };
            if !searchable {
                return Err(Error::Unreachable(dir.to_path_buf()));
            }
        }
        Ok(())
    }
}

/// How the server authenticates connections.
#[derive(Clone, Debug)]
pub enum Auth {
    /// Anyone who reaches the server is let in as any role: only for servers that no one
    /// else can reach (`Settings::tcp = false`, the socket in a 0700 folder), or refract's
    /// own test clusters.
    Trust,
    /// SCRAM-SHA-256 with this password for the superuser.
    Password(String),
}

/// The superuser every local server has.
pub const SUPERUSER: &str = "postgres";

/// A new password: 24 letters and digits from the OS's random source.
pub fn generate_password() -> Result<String, Error> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut password = String::with_capacity(24);
    while password.len() < 24 {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|error| Error::Io {
            what: "reading the OS's random source".into(),
            source: std::io::Error::other(error.to_string()),
        })?;
        // Rejection sampling keeps every character equally likely.
        let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
        for byte in bytes {
            if byte < limit && password.len() < 24 {
                password.push(ALPHABET[byte as usize % ALPHABET.len()] as char);
            }
        }
    }
    Ok(password)
}

/// Runs `initdb` into `data` (which must not exist, or be empty): superuser
/// [`SUPERUSER`], UTF-8, locale `C.UTF-8` where the system has it (else `C`), `auth` for
/// every connection. `data`'s parent must exist and be writable by `run_as`.
pub fn initdb(
    binaries: &Binaries,
    data: &Path,
    auth: &Auth,
    run_as: Option<RunAs>,
) -> Result<(), Error> {
    let cwd = data.parent().unwrap_or(Path::new("/"));
    let password_file = match auth {
        Auth::Trust => None,
        Auth::Password(password) => {
            let path = cwd.join(format!(".pwfile-{}", std::process::id()));
            let _ = std::fs::remove_file(&path);
            write_owned_file(&path, &format!("{password}\n"), 0o600, run_as)?;
            Some(path)
        }
    };
    let result = run_initdb(binaries, data, password_file.as_deref(), run_as, cwd);
    if let Some(path) = password_file {
        let _ = std::fs::remove_file(path);
    }
    result
}

fn run_initdb(
    binaries: &Binaries,
    data: &Path,
    password_file: Option<&Path>,
    run_as: Option<RunAs>,
    cwd: &Path,
) -> Result<(), Error> {
    let mut last_failure = String::new();
    for locale in ["C.UTF-8", "C"] {
        let mut command = binaries.command("initdb", run_as, cwd);
        command
            .arg("-D")
            .arg(data)
            .args([
                "-U",
                SUPERUSER,
                "--encoding=UTF8",
                "--no-sync",
                "--no-instructions",
            ])
            .arg(format!("--locale={locale}"));
        match password_file {
            Some(file) => {
                command
                    .arg("--auth=scram-sha-256")
                    .arg("--pwfile")
                    .arg(file);
            }
            None => {
                command.arg("--auth=trust");
            }
        }
        let output = command.output().map_err(io_error("running initdb"))?;
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

/// The settings [`configure`] writes.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Folder of the unix socket, or `None` for no socket (TCP on loopback only).
    pub socket_dir: Option<PathBuf>,
    /// `true`: TCP on `127.0.0.1` (which every local user can reach, so such a server
    /// needs [`Auth::Password`] unless its connections are otherwise checked). `false`: no
    /// TCP at all (`listen_addresses = ''`); the only way in is the unix socket in
    /// `socket_dir`, which must then be a folder only the server's OS user can enter
    /// (made by [`create_owned_dir`]: 0700), so that [`Auth::Trust`] trusts that user alone.
    pub tcp: bool,
    /// `false` turns fsync, synchronous commit and full-page writes off: fast, and fine
    /// for data nobody needs after a crash (test servers).
    pub durable: bool,
    /// `max_connections`.
    pub max_connections: u32,
    /// Lines appended as they are (other settings).
    pub extra: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            socket_dir: None,
            tcp: true,
            durable: true,
            max_connections: 100,
            extra: String::new(),
        }
    }
}

/// Appends `settings` to `data`'s `postgresql.conf`: listening on `127.0.0.1` only, or
/// (`tcp: false`) on the unix socket only.
pub fn configure(data: &Path, settings: &Settings) -> Result<(), Error> {
    let socket = settings
        .socket_dir
        .as_deref()
        .map(quote_setting)
        .unwrap_or_default();
    if !settings.tcp && settings.socket_dir.is_none() {
        return Err(Error::Io {
            what: format!("configuring {}", data.display()),
            source: std::io::Error::other("a server without TCP needs a unix socket folder"),
        });
    }
    let (comment, listen) = if settings.tcp {
        ("loopback only", "127.0.0.1")
    } else {
        ("unix socket only, in a folder only its owner can enter", "")
    };
    let mut text = format!(
        "\n# refract-localpg: {comment}\n\
         listen_addresses = '{listen}'\n\
         unix_socket_directories = '{socket}'\n\
         max_connections = {}\n\
         log_min_messages = warning\n",
        settings.max_connections
    );
    if !settings.durable {
        text.push_str(
            "fsync = off\n\
             synchronous_commit = off\n\
             full_page_writes = off\n\
             shared_buffers = 32MB\n\
             max_parallel_workers_per_gather = 0\n",
        );
    }
    text.push_str(&settings.extra);
    append_to(&data.join("postgresql.conf"), &text)
}

/// Appends `text` to the file at `path`.
pub fn append_to(path: &Path, text: &str) -> Result<(), Error> {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(io_error(format!("opening {}", path.display())))?;
    file.write_all(text.as_bytes())
        .map_err(io_error(format!("writing {}", path.display())))
}

/// Starts the server of `data` on `127.0.0.1:port`, logging to `log`, and waits until it
/// accepts connections (`pg_ctl start -w`; the server detaches from this process and its
/// terminal, so Ctrl-C reaches only the caller). [`Error::PortTaken`] when another process
/// holds the port.
pub fn start(
    binaries: &Binaries,
    data: &Path,
    port: u16,
    log: &Path,
    run_as: Option<RunAs>,
) -> Result<(), Error> {
    let cwd = data.parent().unwrap_or(Path::new("/"));
    let log_len_before = std::fs::metadata(log).map(|m| m.len()).unwrap_or(0);
    let output = binaries
        .command("pg_ctl", run_as, cwd)
        .arg("start")
        .arg("-D")
        .arg(data)
        .arg("-l")
        .arg(log)
        .args(["-w", "-t", "60", "-o"])
        .arg(format!("-p {port}"))
        // pg_ctl's own output goes to the log or is dropped; a child holding our stdout
        // open would keep a caller's pipe from closing.
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(io_error("running pg_ctl start"))?;
    if output.status.success() {
        return Ok(());
    }
    let log_text = std::fs::read(log).unwrap_or_default();
    let new_log =
        String::from_utf8_lossy(log_text.get(log_len_before as usize..).unwrap_or_default())
            .into_owned();
    if new_log.contains("could not bind") || new_log.contains("already in use") {
        return Err(Error::PortTaken(port));
    }
    Err(Error::Command {
        what: "pg_ctl start".into(),
        detail: format!("{}{new_log}", String::from_utf8_lossy(&output.stderr)),
    })
}

/// How [`stop`] ends the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopMode {
    /// Disconnect clients, write a checkpoint, exit (`-m fast`).
    Fast,
    /// Exit at once, recovery on the next start (`-m immediate`; throwaway servers).
    Immediate,
}

/// Stops the server of `data` and waits until it is gone. Stopping a server that is not
/// running is not an error.
pub fn stop(
    binaries: &Binaries,
    data: &Path,
    mode: StopMode,
    run_as: Option<RunAs>,
) -> Result<(), Error> {
    if running_pid(data).is_none() {
        return Ok(());
    }
    let cwd = data.parent().unwrap_or(Path::new("/"));
    let mode = match mode {
        StopMode::Fast => "fast",
        StopMode::Immediate => "immediate",
    };
    let output = binaries
        .command("pg_ctl", run_as, cwd)
        .arg("stop")
        .arg("-D")
        .arg(data)
        .args(["-m", mode, "-w", "-t", "60"])
        .stdout(Stdio::null())
        .output()
        .map_err(io_error("running pg_ctl stop"))?;
    if output.status.success() || running_pid(data).is_none() {
        return Ok(());
    }
    Err(Error::Command {
        what: "pg_ctl stop".into(),
        detail: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// The pid of the server running on `data`, from its `postmaster.pid`, if that process
/// is alive.
pub fn running_pid(data: &Path) -> Option<u32> {
    let text = std::fs::read_to_string(data.join("postmaster.pid")).ok()?;
    let pid = text.lines().next()?.trim().parse::<u32>().ok()?;
    process_alive(pid).then_some(pid)
}

/// Whether process `pid` is running (a zombie, dead but not yet reaped, is not).
pub fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name, which is in parentheses and may contain any
        // character, so look after the last `)`.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_none_or(|(_, rest)| !rest.trim_start().starts_with('Z')),
        // No procfs (macOS): ask the kernel whether the pid exists.
        Err(_) if !Path::new("/proc/self").exists() => Command::new("kill")
            .args(["-0", &pid.to_string()])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success()),
        Err(_) => false,
    }
}

/// A port on `127.0.0.1` that was free a moment ago (another process may still take it
/// before the server binds it; [`start`] then reports [`Error::PortTaken`]).
pub fn free_port() -> Result<u16, Error> {
    let listener =
        std::net::TcpListener::bind(("127.0.0.1", 0)).map_err(io_error("finding a free port"))?;
    Ok(listener
        .local_addr()
        .map_err(io_error("finding a free port"))?
        .port())
}

/// Whether nothing listens on `127.0.0.1:port` right now.
pub fn port_is_free(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// The URL of `database` on the server whose unix socket is in `socket_dir` (`port` names
/// the socket file, `.s.PGSQL.<port>`), as superuser [`SUPERUSER`]: the folder is
/// percent-encoded as the URL's host, which tokio-postgres (and libpq) read as a socket
/// folder.
pub fn socket_url(socket_dir: &Path, port: u16, database: &str) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut host = String::new();
    for byte in socket_dir.as_os_str().as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(byte) {
            host.push(char::from(*byte));
        } else {
            host.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("postgresql://{SUPERUSER}@{host}:{port}/{database}")
}

/// Where throwaway servers' folders go: `/dev/shm` (a tmpfs: creating a database there is
/// 5-10x faster than on disk) when it is a writable folder, else `/tmp` when the server
/// runs as another user (who must be able to reach it), else the temporary folder. Each
/// server's own folder in it is 0700 ([`create_owned_dir`]); [`sweep_stale`] clears the
/// folders of processes that died.
pub fn base_dir(run_as: Option<RunAs>) -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm
        .metadata()
        .is_ok_and(|m| m.is_dir() && !m.permissions().readonly())
    {
        return shm.to_path_buf();
    }
    if run_as.is_some() {
        PathBuf::from("/tmp")
    } else {
        std::env::temp_dir()
    }
}

/// A folder name for a throwaway server of this process: `<prefix><pid>-<nanos, hex>`, the
/// shape [`sweep_stale`] reads (short: a unix socket's path is limited to 107 bytes).
pub fn owned_folder_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{prefix}{}-{nanos:x}", std::process::id())
}

/// Removes, in `base`, the folders named `<prefix><pid>-...` (for any of `prefixes`) whose
/// process `pid` is gone (killed before it could clean up): stops the server in its `data`
/// (`pg_ctl stop -m immediate`), then deletes the folder. Only real folders (not symbolic
/// links) owned by this process's user, or by `run_as` (the server's user, to whom
/// [`create_owned_dir`] gives them), are touched: a shared base such as `/dev/shm` lets
/// anyone plant a folder with a matching name. Best effort; never fails.
pub fn sweep_stale(base: &Path, prefixes: &[&str], binaries: &Binaries, run_as: Option<RunAs>) {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    // SAFETY: geteuid has no preconditions and cannot fail.
    let euid = unsafe { libc::geteuid() };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = prefixes
            .iter()
            .find_map(|prefix| name.strip_prefix(prefix))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() || process_alive(pid) {
            continue;
        }
        let dir = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&dir) else {
            continue;
        };
        let ours = meta.uid() == euid || run_as.is_some_and(|user| meta.uid() == user.uid);
        if !meta.is_dir() || !ours {
            continue;
        }
        let _ = stop(binaries, &dir.join("data"), StopMode::Immediate, run_as);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// `path` as a quoted `postgresql.conf` string value.
pub fn quote_setting(path: &Path) -> String {
    path.to_string_lossy().replace('\'', "''")
}

/// Creates folder `path` (which must not exist), mode 0700, owned by `run_as` if set.
pub fn create_owned_dir(path: &Path, run_as: Option<RunAs>) -> Result<(), Error> {
    std::fs::create_dir(path).map_err(io_error(format!("creating {}", path.display())))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
        .map_err(io_error(format!("restricting {}", path.display())))?;
    if let Some(user) = run_as {
        std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid))
            .map_err(io_error(format!("chown of {}", path.display())))?;
    }
    Ok(())
}

/// Creates file `path` (which must not exist) with `contents` and `mode`, owned by
/// `run_as` if set.
pub fn write_owned_file(
    path: &Path,
    contents: &str,
    mode: u32,
    run_as: Option<RunAs>,
) -> Result<(), Error> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(io_error(format!("creating {}", path.display())))?;
    file.write_all(contents.as_bytes())
        .map_err(io_error(format!("writing {}", path.display())))?;
    // The umask may have narrowed the mode given at creation.
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(io_error(format!("setting the mode of {}", path.display())))?;
    if let Some(user) = run_as {
        std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid))
            .map_err(io_error(format!("chown of {}", path.display())))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_long_and_plain() {
        let a = generate_password().expect("password");
        let b = generate_password().expect("password");
        assert_eq!(a.len(), 24);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn a_hint_without_binaries_says_what_to_install() {
        let dir = tempfile::tempdir().expect("temp dir");
        let error = Binaries::find(Some(dir.path())).expect_err("no binaries there");
        let message = error.to_string();
        for needle in [
            "apt-get install postgresql",
            "dnf install postgresql-server",
            "brew install postgresql",
            "REFRACT_PG_BINDIR",
        ] {
            assert!(message.contains(needle), "{needle} missing from {message}");
        }
    }
}
