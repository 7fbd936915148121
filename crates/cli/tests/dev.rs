//! `gen dev` from the PostgreSQL binaries on the machine, with nothing else started:
//! `gen dev --detach`, `gen migrate dev --name init`, `gen db seed` and `cargo example` on
//! this repository, end to end; the foreground server stopping on Ctrl-C; the advice when
//! no binaries exist. Each test keeps its servers' state in a temporary folder
//! (`REFRACT_STATE_DIR`) and removes its server, even when it fails.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod support;
use support::{assert_exit, both, stderr, stdout};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// A state folder the server's OS user can enter (`postgres`, when the tests run as root).
fn state_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    dir
}

fn gen_command(dir: &Path, state: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gen"));
    command
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("REFRACT_STATE_DIR", state)
        .env_remove("DATABASE_URL")
        .env_remove("SHADOW_DATABASE_URL")
        .stdin(Stdio::null());
    command
}

fn gen_with(dir: &Path, state: &Path, args: &[&str], url: Option<&str>) -> Output {
    let mut command = gen_command(dir, state, args);
    if let Some(url) = url {
        command.env("DATABASE_URL", url);
    }
    command.output().expect("run gen")
}

/// Removes the named server when dropped, so that a failing test leaves no server behind.
struct Cleanup<'a> {
    state: &'a Path,
    name: String,
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let _ = gen_with(Path::new("/"), self.state, &["dev", "rm", &self.name], None);
    }
}

/// The value printed on a `KEY="value"` line.
fn printed(output: &str, key: &str) -> String {
    output
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{key}=\"")))
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or_else(|| panic!("no {key} in:\n{output}"))
        .to_owned()
}

/// `GET path` on 127.0.0.1:port with the tenant header; the whole answer, or `None`
/// while nothing listens yet.
fn http_get(port: u16, path: &str, tenant: &str) -> Option<String> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Tenant-Id: {tenant}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    Some(answer)
}

#[test]
fn dev_server_then_migrate_seed_and_the_example_end_to_end() {
    let state = state_dir();
    let root = workspace_root();
    let name = format!("e2e-{}", std::process::id());
    let _cleanup = Cleanup {
        state: state.path(),
        name: name.clone(),
    };

    let started = gen_with(
        &root,
        state.path(),
        &["dev", "--detach", "--name", &name],
        None,
    );
    assert_exit(&started, 0);
    let out = stdout(&started);
    let url = printed(&out, "DATABASE_URL");
    let shadow = printed(&out, "SHADOW_DATABASE_URL");
    assert!(url.starts_with("postgresql://postgres:"), "{out}");
    assert!(url.contains("@127.0.0.1:"), "loopback only: {out}");
    assert!(shadow.ends_with("_shadow"), "{out}");
    let data = state.path().join("dev").join(&name).join("data");
    let conf = std::fs::read_to_string(data.join("postgresql.conf")).expect("postgresql.conf");
    assert!(conf.contains("listen_addresses = '127.0.0.1'"), "{conf}");

    let listed = gen_with(&root, state.path(), &["dev", "ls"], None);
    assert_exit(&listed, 0);
    assert!(
        stdout(&listed)
            .lines()
            .any(|l| l.starts_with(&name) && l.contains("running")),
        "{}",
        both(&listed)
    );

    // The committed init migration is applied; generating is left out because the
    // committed client is checked elsewhere and this tree is shared.
    let migrated = gen_with(
        &root,
        state.path(),
        &["migrate", "dev", "--name", "init", "--skip-generate"],
        Some(&url),
    );
    assert_exit(&migrated, 0);
    assert!(
        stdout(&migrated).contains("Already in sync"),
        "{}",
        both(&migrated)
    );

    let seeded = gen_with(&root, state.path(), &["db", "seed"], Some(&url));
    assert_exit(&seeded, 0);
    let seed_out = stdout(&seeded);
    assert!(
        seed_out.contains("Running seed command `cargo run --package tenant-service --bin seed`"),
        "{}",
        both(&seeded)
    );
    assert!(
        seed_out.contains("The seed command has been executed"),
        "{}",
        both(&seeded)
    );
    let tenant = seed_out
        .lines()
        .find_map(|l| l.strip_prefix("Seeded tenant \"Demo Co\" ("))
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no tenant id in:\n{}", both(&seeded)))
        .to_owned();

    // Seeding again finds the tenant and writes nothing.
    let again = gen_with(&root, state.path(), &["db", "seed"], Some(&url));
    assert_exit(&again, 0);
    assert!(
        stdout(&again).contains("is already there"),
        "{}",
        both(&again)
    );

    // `cargo example`, as README says, on the seeded database.
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut service = Command::new(cargo)
        .current_dir(&root)
        .arg("example")
        .env("DATABASE_URL", &url)
        .env("PORT", port.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cargo example");
    let deadline = Instant::now() + Duration::from_secs(600);
    let answer = loop {
        if let Some(answer) = http_get(port, "/kb/search?q=refund", &tenant) {
            break answer;
        }
        if let Ok(Some(status)) = service.try_wait() {
            let mut err = String::new();
            if let Some(mut stderr) = service.stderr.take() {
                let _ = stderr.read_to_string(&mut err);
            }
            panic!("cargo example exited ({status}) before serving:\n{err}");
        }
        assert!(Instant::now() < deadline, "cargo example never served");
        std::thread::sleep(Duration::from_millis(200));
    };
    // `cargo run` replaces itself with the service on Unix: SIGINT stops it gracefully.
    let _ = Command::new("kill")
        .args(["-INT", &service.id().to_string()])
        .status();
    let _ = service.wait();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("Refund policy"), "{answer}");

    let stopped = gen_with(&root, state.path(), &["dev", "stop", &name], None);
    assert_exit(&stopped, 0);
    let listed = gen_with(&root, state.path(), &["dev", "ls"], None);
    assert!(
        stdout(&listed)
            .lines()
            .any(|l| l.starts_with(&name) && l.contains("stopped")),
        "{}",
        both(&listed)
    );
    assert!(!data.join("postmaster.pid").exists());
}

#[test]
fn the_foreground_server_stops_on_ctrl_c_and_keeps_its_data() {
    let state = state_dir();
    let project = tempfile::tempdir().expect("project");
    let name = format!("fg-{}", std::process::id());
    let _cleanup = Cleanup {
        state: state.path(),
        name: name.clone(),
    };
    let mut child = gen_command(project.path(), state.path(), &["dev", "--name", &name])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gen dev");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut seen = String::new();
    for line in lines.by_ref() {
        let line = line.expect("line");
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("Press Ctrl-C") {
            break;
        }
    }
    assert!(seen.contains("created and started"), "{seen}");
    let url = printed(&seen, "DATABASE_URL");
    let data = state.path().join("dev").join(&name).join("data");
    assert!(data.join("postmaster.pid").exists(), "running: {seen}");

    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().expect("wait");
    assert!(status.success(), "{status}: {seen}{}", rest.join("\n"));
    assert!(rest.iter().any(|l| l.starts_with("Stopped")), "{rest:?}");
    assert!(!data.join("postmaster.pid").exists());

    // Started again, it has the same port and password: the pasted URL still works.
    let again = gen_with(project.path(), state.path(), &["dev", "start", &name], None);
    assert_exit(&again, 0);
    assert_eq!(printed(&stdout(&again), "DATABASE_URL"), url);
    let removed = gen_with(project.path(), state.path(), &["dev", "rm", &name], None);
    assert_exit(&removed, 0);
    assert!(!state.path().join("dev").join(&name).exists());
}

#[test]
fn write_env_puts_both_urls_beside_the_schema() {
    let state = state_dir();
    let project = tempfile::tempdir().expect("project");
    std::fs::write(project.path().join("schema.prisma"), "").expect("schema");
    std::fs::write(project.path().join(".env"), "PORT=3000\n").expect(".env");
    let name = format!("env-{}", std::process::id());
    let _cleanup = Cleanup {
        state: state.path(),
        name: name.clone(),
    };
    let out = gen_with(
        project.path(),
        state.path(),
        &["dev", "--detach", "--write-env", "--name", &name],
        None,
    );
    assert_exit(&out, 0);
    let env = std::fs::read_to_string(project.path().join(".env")).expect(".env");
    let url = printed(&stdout(&out), "DATABASE_URL");
    assert_eq!(
        env,
        format!(
            "PORT=3000\nDATABASE_URL=\"{url}\"\nSHADOW_DATABASE_URL=\"{}\"\n",
            printed(&stdout(&out), "SHADOW_DATABASE_URL")
        )
    );
    // It holds the password: git must not pick it up, and an existing file keeps its mode.
    assert!(
        stderr(&out).contains("not ignored by git") && stderr(&out).contains(".gitignore"),
        "{}",
        both(&out)
    );
    let mode = |path: &Path| std::fs::metadata(path).expect(".env").permissions().mode() & 0o777;
    let env_path = project.path().join(".env");
    std::fs::set_permissions(&env_path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let again = gen_with(
        project.path(),
        state.path(),
        &["dev", "--detach", "--write-env", "--name", &name],
        None,
    );
    assert_exit(&again, 0);
    assert_eq!(mode(&env_path), 0o640);

    // A new .env is the owner's alone; an ignored one draws no warning.
    std::fs::remove_file(&env_path).expect("rm .env");
    std::fs::write(project.path().join(".gitignore"), "target\n.env\n").expect(".gitignore");
    let fresh = gen_with(
        project.path(),
        state.path(),
        &["dev", "--detach", "--write-env", "--name", &name],
        None,
    );
    assert_exit(&fresh, 0);
    assert_eq!(mode(&env_path), 0o600);
    assert!(!stderr(&fresh).contains("not ignored"), "{}", both(&fresh));
}

#[test]
fn without_binaries_it_says_what_to_install() {
    let state = state_dir();
    let empty = tempfile::tempdir().expect("empty bindir");
    let out = gen_command(empty.path(), state.path(), &["dev", "--detach"])
        .env("REFRACT_PG_BINDIR", empty.path())
        .output()
        .expect("run gen");
    assert_exit(&out, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "no PostgreSQL server binaries",
        "Debian/Ubuntu: sudo apt-get install postgresql",
        "Fedora:        sudo dnf install postgresql-server",
        "macOS:         brew install postgresql@17",
        "nothing is downloaded",
    ] {
        assert!(err.contains(needle), "{needle} missing from:\n{err}");
    }
    assert!(
        !state.path().join("dev").exists(),
        "nothing is created without binaries"
    );
}

/// A user without `CREATE DATABASE` cannot have `migrate dev`'s temporary shadow database;
/// `--local-shadow` replays the history in a private server started for the command.
#[tokio::test(flavor = "multi_thread")]
async fn migrate_dev_without_createdb_replays_in_a_local_shadow() {
    let db = refract_testdb::TestDb::new().await;
    let admin = db.client().await;
    let role = format!("no_createdb_{}", std::process::id());
    admin
        .batch_execute(&format!(
            "CREATE ROLE {role} LOGIN NOCREATEDB PASSWORD 'pw'; \
             ALTER DATABASE \"{}\" OWNER TO {role}; ALTER SCHEMA public OWNER TO {role}",
            db.name()
        ))
        .await
        .expect("role");
    let after_scheme = db
        .url()
        .split_once("://")
        .map_or(db.url(), |(_, rest)| rest);
    let host_and_db = after_scheme
        .split_once('@')
        .map_or(after_scheme, |(_, rest)| rest);
    let url = format!("postgresql://{role}:pw@{host_and_db}");

    let project = tempfile::tempdir().expect("project");
    std::fs::write(
        project.path().join("schema.prisma"),
        "datasource db {\n  provider = \"postgresql\"\n}\n\nmodel Shelf {\n  id    Int    @id\n  label String\n}\n",
    )
    .expect("schema");
    let state = state_dir();
    // What a `gen` killed at a prompt leaves: the folder of a process that is gone.
    let run_as = refract_localpg::RunAs::for_this_process().expect("run-as user");
    let shadow_base = refract_localpg::base_dir(run_as);
    let mut child = std::process::Command::new("true").spawn().expect("true");
    let dead = child.id();
    child.wait().expect("wait");
    let planted = shadow_base.join(format!("refract-shadow-{dead}-0"));
    refract_localpg::create_owned_dir(&planted, run_as).expect("planted folder");
    let dir = project.path().to_path_buf();
    let state_path = state.path().to_path_buf();
    let url_for_gen = url.clone();
    let (refused, done) = tokio::task::spawn_blocking(move || {
        let args = ["migrate", "dev", "--name", "init", "--url", &url_for_gen];
        let refused = gen_with(&dir, &state_path, &args, None);
        let mut with_flag = args.to_vec();
        with_flag.push("--local-shadow");
        let done = gen_with(&dir, &state_path, &with_flag, None);
        (refused, done)
    })
    .await
    .expect("join");
    assert_exit(&refused, 1);
    assert!(
        both(&refused).contains("P3014") && both(&refused).contains("--local-shadow"),
        "{}",
        both(&refused)
    );
    assert_exit(&done, 0);
    assert!(
        stdout(&done).contains("Your database is now in sync with your schema"),
        "{}",
        both(&done)
    );
    let migrations: Vec<_> = std::fs::read_dir(project.path().join("migrations"))
        .expect("migrations")
        .flatten()
        .filter(|e| e.path().join("migration.sql").is_file())
        .collect();
    assert_eq!(migrations.len(), 1);
    // The throwaway server is gone with the command, and so is the dead command's.
    assert!(!planted.exists(), "{} was not swept", planted.display());
    let leftovers = std::fs::read_dir(&shadow_base)
        .expect("temp dir")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("refract-shadow-")
        })
        .count();
    assert_eq!(leftovers, 0);

    drop(admin);
    let table_owner = db.client().await;
    table_owner
        .batch_execute(&format!(
            "REASSIGN OWNED BY {role} TO CURRENT_USER; DROP OWNED BY {role}; DROP ROLE {role}"
        ))
        .await
        .expect("drop role");
}

/// `gen db seed` runs the generator's `seed` in the schema's folder, split at spaces and
/// without a shell, with DATABASE_URL set and the arguments after `--` appended; a failing
/// seed fails the command; without a `seed` it says how to add one.
#[test]
fn db_seed_runs_the_generators_seed_command() {
    let project = tempfile::tempdir().expect("project");
    let dir = project.path();
    let schema = |seed: &str| {
        format!(
            "generator client {{\n  provider = \"refract\"\n  output   = \"./client\"\n{seed}}}\n\n\
             datasource db {{\n  provider = \"postgresql\"\n}}\n\nmodel A {{\n  id Int @id\n}}\n"
        )
    };
    std::fs::write(
        dir.join("seed.sh"),
        "#!/bin/sh\necho \"args: $*\" > seeded.txt\necho \"url: $DATABASE_URL\" >> seeded.txt\n",
    )
    .expect("seed.sh");
    std::fs::write(
        dir.join("schema.prisma"),
        schema("  seed     = \"sh ./seed.sh first\"\n"),
    )
    .expect("schema");
    let url = "postgresql://seeder@127.0.0.1:1/app";
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_gen"))
            .current_dir(dir)
            .args(args)
            .env("NO_COLOR", "1")
            .env("DATABASE_URL", url)
            .stdin(Stdio::null())
            .output()
            .expect("run gen")
    };
    let seeded = run(&["db", "seed", "--", "--count", "3"]);
    assert_exit(&seeded, 0);
    assert!(
        stdout(&seeded).contains("Running seed command `sh ./seed.sh first --count 3` ..."),
        "{}",
        both(&seeded)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("seeded.txt")).expect("the seed ran"),
        format!("args: first --count 3\nurl: {url}\n")
    );

    std::fs::write(
        dir.join("schema.prisma"),
        schema("  seed     = \"false\"\n"),
    )
    .expect("schema");
    let failed = run(&["db", "seed"]);
    assert_exit(&failed, 1);
    assert!(
        both(&failed).contains("An error occurred while running the seed command"),
        "{}",
        both(&failed)
    );

    std::fs::write(dir.join("schema.prisma"), schema("")).expect("schema");
    let none = run(&["db", "seed"]);
    assert_exit(&none, 0);
    assert!(
        stdout(&none).contains("No seed command configured"),
        "{}",
        both(&none)
    );
}
