//! `gen dev [ls | start | stop | rm]`: a named local PostgreSQL for development, from the
//! PostgreSQL binaries on the machine (never downloaded), as `prisma dev` gives one.
//!
//! The mechanics (binaries, initdb, start, stop, the per-name folder with its port and
//! password) are refract-localpg's; this module resolves the name, the state folder and
//! the binaries from the flags and the environment, creates the application's and the
//! shadow database once the server runs, prints the URLs, writes them into `.env` when
//! asked, and in the foreground waits for Ctrl-C (or SIGTERM) to stop the server.
//!
//! Environment read here: `REFRACT_STATE_DIR` (the state folder itself), else
//! `XDG_STATE_HOME/refract`, else `~/.local/state/refract` (`/var/lib/refract` for root,
//! whose home the `postgres` OS user, who then runs the server, cannot enter), and
//! `REFRACT_PG_BINDIR` (where the binaries are, instead of looking for them).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use refract_localpg::instance::{Instance, Registry, name_from_folder, valid_name};
use refract_localpg::{Binaries, RunAs};

use super::migrate::console::block_on;
use crate::config::CliError;

/// `gen dev ...`
#[derive(Debug, clap::Args)]
pub struct DevArgs {
    #[command(subcommand)]
    pub command: Option<DevCommand>,
    /// The server's name [default: the project folder's name]
    #[arg(long, global = true)]
    pub name: Option<String>,
    /// Port on 127.0.0.1 (remembered for later starts) [default: the server's own, chosen at creation]
    #[arg(long, global = true)]
    pub port: Option<u16>,
    /// Start the server and return, leaving it running (`gen dev stop` stops it).
    #[arg(long, short = 'd')]
    pub detach: bool,
    /// Write DATABASE_URL and SHADOW_DATABASE_URL into the .env beside the schema.
    #[arg(long, global = true)]
    pub write_env: bool,
    /// Schema file or folder, whose folder names the server and holds .env
    #[arg(long, global = true, value_name = "PATH")]
    pub schema: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum DevCommand {
    /// List the servers, running or not.
    Ls,
    /// Start a server in the background (creating it if needed).
    Start {
        /// The server [default: the project folder's name]
        #[arg(value_name = "NAME")]
        server: Option<String>,
    },
    /// Stop a server; its data stays.
    Stop {
        /// The server [default: the project folder's name]
        #[arg(value_name = "NAME")]
        server: Option<String>,
    },
    /// Stop a server and delete it, data included.
    Rm {
        /// The server [default: the project folder's name]
        #[arg(value_name = "NAME")]
        server: Option<String>,
    },
}

/// What a dev command works with, resolved once from the flags and the environment.
struct Context {
    registry: Registry,
    run_as: Option<RunAs>,
    bindir_hint: Option<PathBuf>,
    project_dir: PathBuf,
}

impl Context {
    fn resolve(schema: Option<&Path>) -> Result<Context, CliError> {
        let run_as = RunAs::for_this_process().map_err(local)?;
        let state_dir = state_dir(run_as.is_some())?;
        Ok(Context {
            registry: Registry::new(&state_dir),
            run_as,
            bindir_hint: std::env::var_os("REFRACT_PG_BINDIR").map(PathBuf::from),
            project_dir: project_dir(schema),
        })
    }

    fn binaries(&self) -> Result<Binaries, CliError> {
        Binaries::find(self.bindir_hint.as_deref()).map_err(local)
    }

    fn name(&self, given: Option<String>) -> Result<String, CliError> {
        let name = match given {
            Some(name) => name,
            None => {
                let folder = self
                    .project_dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                name_from_folder(&folder)
            }
        };
        if !valid_name(&name) {
            return Err(CliError::Usage(format!(
                "invalid server name `{name}`: use 1 to 63 letters, digits, `-` or `_`"
            )));
        }
        Ok(name)
    }

    fn existing(&self, name: &str) -> Result<Instance, CliError> {
        self.registry.get(name).map_err(local)?.ok_or_else(|| {
            CliError::Failed(format!(
                "no server named `{name}` (`gen dev ls` lists them; `gen dev` creates one)"
            ))
        })
    }
}

pub fn run(args: DevArgs) -> Result<ExitCode, CliError> {
    let context = Context::resolve(args.schema.as_deref())?;
    match args.command {
        None => {
            let name = context.name(args.name)?;
            up(&context, &name, args.port, !args.detach, args.write_env)
        }
        Some(DevCommand::Start { server }) => {
            let name = context.name(server.or(args.name))?;
            up(&context, &name, args.port, false, args.write_env)
        }
        Some(DevCommand::Ls) => list(&context),
        Some(DevCommand::Stop { server }) => {
            let name = context.name(server.or(args.name))?;
            let instance = context.existing(&name)?;
            if instance.running_pid().is_none() {
                println!("Server \"{name}\" is not running.");
                return Ok(ExitCode::SUCCESS);
            }
            context
                .registry
                .stop(&instance, &context.binaries()?, context.run_as)
                .map_err(local)?;
            println!("Server \"{name}\" stopped; its data is kept (`gen dev start` starts it).");
            Ok(ExitCode::SUCCESS)
        }
        Some(DevCommand::Rm { server }) => {
            let name = context.name(server.or(args.name))?;
            let instance = context.existing(&name)?;
            context
                .registry
                .remove(&instance, &context.binaries()?, context.run_as)
                .map_err(local)?;
            println!("Server \"{name}\" removed, data included.");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Creates (if needed) and starts server `name`, creates its databases, prints the URLs;
/// in the foreground, waits for Ctrl-C and stops it.
fn up(
    context: &Context,
    name: &str,
    port: Option<u16>,
    foreground: bool,
    write_env: bool,
) -> Result<ExitCode, CliError> {
    let binaries = context.binaries()?;
    let registry = &context.registry;
    let (instance, created) = match registry.get(name).map_err(local)? {
        Some(instance) => (instance, false),
        None => (
            registry
                .create(name, port, &binaries, context.run_as)
                .map_err(local)?,
            true,
        ),
    };
    let already_running = instance.running_pid().is_some();
    let instance = if already_running {
        if port.is_some_and(|p| p != instance.port) {
            return Err(CliError::Failed(format!(
                "server \"{name}\" already runs on port {}; `gen dev stop {name}` first to move it",
                instance.port
            )));
        }
        instance
    } else {
        registry
            .start(&instance, port, &binaries, context.run_as)
            .map_err(|error| match error {
                refract_localpg::Error::PortTaken(port) => CliError::Failed(format!(
                    "port {port} on 127.0.0.1 is taken by another program: \
                     pass another with `gen dev --port PORT` (it is remembered)"
                )),
                other => local(other),
            })?
    };
    if let Err(error) = create_databases(&instance) {
        if !already_running {
            let _ = registry.stop(&instance, &binaries, context.run_as);
        }
        return Err(error);
    }

    // `postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)` → `PostgreSQL 15.14`.
    let version = binaries
        .version()
        .and_then(|v| {
            let number = v
                .strip_prefix("postgres (PostgreSQL) ")?
                .split(' ')
                .next()?;
            Some(format!(" (PostgreSQL {number})"))
        })
        .unwrap_or_default();
    let state = if already_running {
        "is already running"
    } else if created {
        "created and started"
    } else {
        "started"
    };
    println!(
        "Server \"{name}\"{version} {state} on 127.0.0.1:{}, data in {}\n",
        instance.port,
        instance.dir.display()
    );
    println!("DATABASE_URL=\"{}\"", instance.database_url());
    println!(
        "SHADOW_DATABASE_URL=\"{}\"\n",
        instance.shadow_database_url()
    );
    if write_env {
        let path = context.project_dir.join(".env");
        write_env_file(&path, &instance)?;
        println!("Wrote both to {}.", path.display());
    } else {
        println!("Paste these into .env (or run `gen dev --write-env`).");
    }
    println!(
        "`gen migrate dev` uses the shadow database when the datasource has \
         `shadowDatabaseUrl = env(\"SHADOW_DATABASE_URL\")`."
    );
    if !foreground || already_running {
        println!("`gen dev stop {name}` stops the server.");
        return Ok(ExitCode::SUCCESS);
    }
    block_on(until_stop_signal(|| {
        println!("Press Ctrl-C to stop the server.")
    }))??;
    println!("\nStopping server \"{name}\"...");
    registry
        .stop(&instance, &binaries, context.run_as)
        .map_err(local)?;
    println!("Stopped; its data is kept (`gen dev` starts it again).");
    Ok(ExitCode::SUCCESS)
}

/// Listens for Ctrl-C, SIGTERM and SIGHUP, then calls `announce` (the prompt inviting
/// Ctrl-C: a signal sent as soon as it is printed must find the listeners in place, or it
/// would kill the process and leave the server running), and waits for the first of them.
async fn until_stop_signal(announce: impl FnOnce()) -> Result<(), CliError> {
    use tokio::signal::unix::{SignalKind, signal};
    let listen = |kind: SignalKind, name: &str| {
        signal(kind).map_err(|e| CliError::Failed(format!("cannot listen for {name}: {e}")))
    };
    let mut interrupt = listen(SignalKind::interrupt(), "Ctrl-C")?;
    let mut terminate = listen(SignalKind::terminate(), "SIGTERM")?;
    let mut hangup = listen(SignalKind::hangup(), "SIGHUP")?;
    announce();
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
        _ = hangup.recv() => {}
    }
    Ok(())
}

fn list(context: &Context) -> Result<ExitCode, CliError> {
    let instances = context.registry.list().map_err(local)?;
    if instances.is_empty() {
        println!(
            "No servers in {} (`gen dev` creates one).",
            context.registry.root().display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let width = instances.iter().map(|i| i.name.len()).max().unwrap_or(4);
    println!("{:width$}  {:8}  {:5}  URL", "NAME", "STATUS", "PORT");
    for instance in instances {
        let status = if instance.running_pid().is_some() {
            "running"
        } else {
            "stopped"
        };
        println!(
            "{:width$}  {status:8}  {:5}  {}",
            instance.name,
            instance.port,
            instance.database_url()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Creates the application's and the shadow database when missing.
fn create_databases(instance: &Instance) -> Result<(), CliError> {
    let url = instance.url("postgres");
    let names = [instance.database.clone(), instance.shadow_database.clone()];
    block_on(async move {
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
        let connection = tokio::spawn(connection);
        for name in names {
            let exists = client
                .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
                .await?
                .is_some();
            if !exists {
                let mut sql = String::from("CREATE DATABASE ");
                refract_runtime::quote_ident(&name, &mut sql);
                client.batch_execute(&sql).await?;
            }
        }
        drop(client);
        let _ = connection.await;
        Ok::<(), tokio_postgres::Error>(())
    })?
    .map_err(|e| CliError::Failed(format!("cannot create the server's databases: {e}")))
}

/// Sets DATABASE_URL and SHADOW_DATABASE_URL in the `.env` at `path`, replacing their
/// lines and keeping every other line.
fn write_env_file(path: &Path, instance: &Instance) -> Result<(), CliError> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => {
            return Err(CliError::Failed(format!(
                "cannot read {}: {error}",
                path.display()
            )));
        }
    };
    let values = [
        ("DATABASE_URL", instance.database_url()),
        ("SHADOW_DATABASE_URL", instance.shadow_database_url()),
    ];
    let mut lines: Vec<String> = Vec::new();
    let mut written = [false; 2];
    for line in existing.lines() {
        let key = line
            .trim_start()
            .trim_start_matches("export ")
            .split('=')
            .next()
            .unwrap_or("")
            .trim();
        match values.iter().position(|(k, _)| *k == key) {
            Some(i) if !written[i] => {
                lines.push(format!("{}=\"{}\"", values[i].0, values[i].1));
                written[i] = true;
            }
            Some(_) => {}
            None => lines.push(line.to_owned()),
        }
    }
    for (i, (key, value)) in values.iter().enumerate() {
        if !written[i] {
            lines.push(format!("{key}=\"{value}\""));
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    // It holds the server's password: a new file is 0600 (an existing one keeps its mode).
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)?;
        file.write_all(text.as_bytes())
    };
    write().map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?;
    if !ignored_by_git(path) {
        eprintln!(
            "warning: {} holds the server's password and is not ignored by git: \
             add `.env` to .gitignore",
            path.display()
        );
    }
    Ok(())
}

/// Whether git ignores the file at `path`: `git check-ignore` in its folder; outside a
/// repository (or without git), whether the folder's `.gitignore` names `.env`.
fn ignored_by_git(path: &Path) -> bool {
    let dir = path.parent().unwrap_or(Path::new("."));
    let asked = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["check-ignore", "-q", "--"])
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    match asked.ok().and_then(|status| status.code()) {
        Some(0) => true,
        Some(1) => false,
        // 128: not a repository (or git is missing): read the .gitignore beside it.
        _ => std::fs::read_to_string(dir.join(".gitignore")).is_ok_and(|text| {
            text.lines()
                .map(str::trim)
                .any(|line| matches!(line, ".env" | "/.env" | ".env*" | "/.env*" | "*.env"))
        }),
    }
}

/// The state folder: `REFRACT_STATE_DIR`, else `XDG_STATE_HOME/refract`, else
/// `/var/lib/refract` for root, else `~/.local/state/refract`.
fn state_dir(root: bool) -> Result<PathBuf, CliError> {
    let set = |var: &str| std::env::var_os(var).filter(|v| !v.is_empty());
    if let Some(dir) = set("REFRACT_STATE_DIR") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = set("XDG_STATE_HOME") {
        return Ok(PathBuf::from(dir).join("refract"));
    }
    if root {
        return Ok(PathBuf::from("/var/lib/refract"));
    }
    match set("HOME") {
        Some(home) => Ok(PathBuf::from(home).join(".local/state/refract")),
        None => Err(CliError::Usage(
            "no state folder: set REFRACT_STATE_DIR, XDG_STATE_HOME or HOME".into(),
        )),
    }
}

/// The project's folder: the schema's (its parent when the schema sits in `prisma/`),
/// else the working folder.
fn project_dir(schema: Option<&Path>) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let schema = schema
        .map(Path::to_path_buf)
        .or_else(|| refract_migrate::migrations_dir::find_schema(Path::new("")));
    let Some(schema) = schema else { return cwd };
    let schema = cwd.join(schema);
    let mut dir = if schema.is_dir() {
        schema
    } else {
        schema.parent().map(Path::to_path_buf).unwrap_or(cwd)
    };
    while dir
        .file_name()
        .is_some_and(|name| name == "prisma" || name == "schema")
    {
        match dir.parent() {
            Some(parent) => dir = parent.to_path_buf(),
            None => break,
        }
    }
    dir.canonicalize().unwrap_or(dir)
}

fn local(error: refract_localpg::Error) -> CliError {
    match error {
        refract_localpg::Error::Unreachable(_) => CliError::Failed(format!(
            "{error}; set REFRACT_STATE_DIR to such a folder (the default for root is /var/lib/refract)"
        )),
        error => CliError::Failed(error.to_string()),
    }
}

/// The folder prefix of `--local-shadow`'s servers (`<prefix><pid>-<nanos>`).
const SHADOW_PREFIX: &str = "refract-shadow-";

/// The port naming the shadow server's socket file; it opens no TCP port.
const SHADOW_PORT: u16 = 5432;

/// A private server for one command's shadow database (`gen migrate dev --local-shadow`):
/// started from the same binaries as `gen dev`'s, in a 0700 folder of its own (in
/// refract-localpg's `base_dir`), trusting connections on a unix socket in that folder and
/// listening on no TCP port, so only this OS user (and root) can reach it; stopped and
/// deleted when dropped. A `gen` killed before it could drop one (Ctrl-C at a prompt) leaves
/// it running: the next `ShadowServer::start` stops and deletes such leftovers.
pub struct ShadowServer {
    root: PathBuf,
    binaries: Binaries,
    run_as: Option<RunAs>,
}

impl ShadowServer {
    /// Starts one, after sweeping the servers of `gen` processes that died.
    pub fn start() -> Result<ShadowServer, CliError> {
        let hint = std::env::var_os("REFRACT_PG_BINDIR").map(PathBuf::from);
        let binaries = Binaries::find(hint.as_deref()).map_err(local)?;
        let run_as = RunAs::for_this_process().map_err(local)?;
        let base = refract_localpg::base_dir(run_as);
        refract_localpg::sweep_stale(&base, &[SHADOW_PREFIX], &binaries, run_as);
        let root = base.join(refract_localpg::owned_folder_name(SHADOW_PREFIX));
        refract_localpg::create_owned_dir(&root, run_as).map_err(local)?;
        // From here on, dropping the server cleans up whatever was made.
        let server = ShadowServer {
            root,
            binaries,
            run_as,
        };
        let data = server.root.join("data");
        refract_localpg::initdb(
            &server.binaries,
            &data,
            &refract_localpg::Auth::Trust,
            run_as,
        )
        .and_then(|()| {
            refract_localpg::configure(
                &data,
                &refract_localpg::Settings {
                    socket_dir: Some(server.root.clone()),
                    tcp: false,
                    durable: false,
                    ..refract_localpg::Settings::default()
                },
            )
        })
        .and_then(|()| {
            refract_localpg::start(
                &server.binaries,
                &data,
                SHADOW_PORT,
                &server.root.join("postgres.log"),
                run_as,
            )
        })
        .map_err(local)?;
        Ok(server)
    }

    /// The shadow database's URL (the server's maintenance database: the server is
    /// the shadow's alone), through its unix socket.
    pub fn url(&self) -> String {
        refract_localpg::socket_url(&self.root, SHADOW_PORT, "postgres")
    }
}

impl Drop for ShadowServer {
    fn drop(&mut self) {
        let _ = refract_localpg::stop(
            &self.binaries,
            &self.root.join("data"),
            refract_localpg::StopMode::Immediate,
            self.run_as,
        );
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_env_replaces_the_two_urls_and_keeps_the_rest() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(".env");
        std::fs::write(
            &path,
            "# mine\nDATABASE_URL=\"postgresql://old\"\nPORT=3000\nDATABASE_URL=dup\n",
        )
        .expect("write");
        let instance = Instance {
            name: "x".into(),
            dir: dir.path().to_path_buf(),
            port: 5,
            password: "pw".into(),
            database: "x".into(),
            shadow_database: "x_shadow".into(),
        };
        write_env_file(&path, &instance).expect("write .env");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "# mine\nDATABASE_URL=\"postgresql://postgres:pw@127.0.0.1:5/x\"\nPORT=3000\n\
             SHADOW_DATABASE_URL=\"postgresql://postgres:pw@127.0.0.1:5/x_shadow\"\n"
        );
    }
}
