//! A real server from the machine's binaries: initdb with a password in a temporary
//! folder, start on a free loopback port, refuse a taken port, stop, start again.

use std::os::unix::fs::PermissionsExt;

use refract_localpg::{Auth, Binaries, RunAs, Settings, StopMode};

#[test]
fn a_password_server_starts_stops_and_restarts_in_its_folder() {
    let binaries = Binaries::find(
        std::env::var_os("REFRACT_PG_BINDIR")
            .as_deref()
            .map(std::path::Path::new),
    )
    .expect("PostgreSQL binaries (the test needs them)");
    let run_as = RunAs::for_this_process().expect("run-as user");
    let dir = tempfile::tempdir().expect("temp dir");
    // The `postgres` OS user (when root) must be able to enter the folder.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let root = dir.path().join("server");
    refract_localpg::create_owned_dir(&root, run_as).expect("server folder");
    let data = root.join("data");
    let password = refract_localpg::generate_password().expect("password");
    refract_localpg::initdb(&binaries, &data, &Auth::Password(password), run_as).expect("initdb");
    refract_localpg::configure(&data, &Settings::default()).expect("configure");
    let hba = std::fs::read_to_string(data.join("pg_hba.conf")).expect("pg_hba.conf");
    assert!(
        !hba.lines()
            .any(|l| !l.starts_with('#') && l.contains("trust")),
        "{hba}"
    );

    let log = root.join("postgres.log");
    let port = refract_localpg::free_port().expect("port");
    refract_localpg::start(&binaries, &data, port, &log, run_as).expect("start");
    let pid = refract_localpg::running_pid(&data).expect("running");
    assert!(!refract_localpg::port_is_free(port));

    // A second server on the same port is refused as such.
    let other = root.join("other");
    refract_localpg::initdb(&binaries, &other, &Auth::Trust, run_as).expect("initdb other");
    refract_localpg::configure(&other, &Settings::default()).expect("configure other");
    let taken = refract_localpg::start(&binaries, &other, port, &root.join("other.log"), run_as);
    assert!(
        matches!(taken, Err(refract_localpg::Error::PortTaken(p)) if p == port),
        "{taken:?}"
    );

    refract_localpg::stop(&binaries, &data, StopMode::Fast, run_as).expect("stop");
    assert_eq!(refract_localpg::running_pid(&data), None);
    assert!(!refract_localpg::process_alive(pid));
    refract_localpg::stop(&binaries, &data, StopMode::Fast, run_as).expect("stopping twice");

    refract_localpg::start(&binaries, &data, port, &log, run_as).expect("start again");
    assert!(refract_localpg::running_pid(&data).is_some());
    refract_localpg::stop(&binaries, &data, StopMode::Immediate, run_as).expect("stop again");
}

fn binaries() -> Binaries {
    Binaries::find(
        std::env::var_os("REFRACT_PG_BINDIR")
            .as_deref()
            .map(std::path::Path::new),
    )
    .expect("PostgreSQL binaries (the test needs them)")
}

/// A folder the `postgres` OS user (when root) can enter.
fn reachable_temp_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    dir
}

/// `tcp: false`: the server opens no TCP port; its only way in is the socket in its 0700
/// folder, reached through `socket_url`.
#[test]
fn a_socket_only_server_opens_no_tcp_port() {
    let binaries = binaries();
    let run_as = RunAs::for_this_process().expect("run-as user");
    let dir = reachable_temp_dir();
    let root = dir.path().join("server");
    refract_localpg::create_owned_dir(&root, run_as).expect("server folder");
    let data = root.join("data");
    refract_localpg::initdb(&binaries, &data, &Auth::Trust, run_as).expect("initdb");
    let settings = Settings {
        socket_dir: Some(root.clone()),
        tcp: false,
        ..Settings::default()
    };
    refract_localpg::configure(&data, &settings).expect("configure");
    let conf = std::fs::read_to_string(data.join("postgresql.conf")).expect("postgresql.conf");
    assert!(conf.contains("listen_addresses = ''\n"), "{conf}");

    let port = refract_localpg::free_port().expect("port");
    refract_localpg::start(&binaries, &data, port, &root.join("postgres.log"), run_as)
        .expect("start");
    assert!(refract_localpg::running_pid(&data).is_some());
    // Nothing listens on the port over TCP; the socket file is in the private folder.
    assert!(refract_localpg::port_is_free(port));
    assert!(root.join(format!(".s.PGSQL.{port}")).exists());
    let mode = std::fs::metadata(&root)
        .expect("folder")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
    let url = refract_localpg::socket_url(&root, port, "postgres");
    assert!(!url.contains("127.0.0.1"), "{url}");
    assert!(url.starts_with("postgresql://postgres@%2F"), "{url}");
    refract_localpg::stop(&binaries, &data, StopMode::Immediate, run_as).expect("stop");

    // Without a socket folder there would be no way in at all.
    let no_socket = Settings {
        tcp: false,
        ..Settings::default()
    };
    assert!(refract_localpg::configure(&data, &no_socket).is_err());
}

/// A folder without `instance.conf` but with a data folder may be a server whose
/// configuration was lost: `create` refuses it, naming it, and deletes nothing.
#[test]
fn creating_a_server_refuses_a_folder_that_holds_a_data_folder() {
    let binaries = binaries();
    let run_as = RunAs::for_this_process().expect("run-as user");
    let state = reachable_temp_dir();
    let registry = refract_localpg::instance::Registry::new(state.path());
    let dir = state.path().join("dev").join("app");
    std::fs::create_dir_all(dir.join("data")).expect("data folder");
    std::fs::write(dir.join("data").join("PG_VERSION"), "17\n").expect("PG_VERSION");
    let refused = registry
        .create("app", None, &binaries, run_as)
        .expect_err("a data folder is never deleted");
    assert!(
        refused.to_string().contains(&dir.display().to_string()),
        "{refused}"
    );
    assert!(dir.join("data").join("PG_VERSION").exists());

    // A leftover without data (a creation that failed early) is still replaced.
    std::fs::remove_file(dir.join("data").join("PG_VERSION")).expect("rm");
    let made = registry
        .create("app", None, &binaries, run_as)
        .expect("replaces an empty leftover");
    assert!(made.data().join("PG_VERSION").exists());
    registry.remove(&made, &binaries, run_as).expect("remove");
}

/// The sweep removes dead processes' folders of this user only: another user can plant a
/// folder with a matching name in a shared base such as /dev/shm.
#[test]
fn the_sweep_removes_only_our_dead_processes_folders() {
    let binaries = binaries();
    let run_as = RunAs::for_this_process().expect("run-as user");
    let base = tempfile::tempdir().expect("base");
    let mut child = std::process::Command::new("true").spawn().expect("true");
    let dead = child.id();
    child.wait().expect("wait");
    assert!(!refract_localpg::process_alive(dead));

    let ours = base.path().join(format!("refract-sweep-{dead}-1"));
    let alive = base
        .path()
        .join(format!("refract-sweep-{}-2", std::process::id()));
    let other_prefix = base.path().join(format!("refract-other-{dead}-3"));
    for dir in [&ours, &alive, &other_prefix] {
        std::fs::create_dir(dir).expect("folder");
    }
    // A symbolic link is not a folder of ours, whatever it points to.
    let target = base.path().join("target");
    std::fs::create_dir(&target).expect("target");
    let link = base.path().join(format!("refract-sweep-{dead}-4"));
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    // Another user's folder (only root can make one here).
    let root = run_as.is_some();
    let foreign = base.path().join(format!("refract-sweep-{dead}-5"));
    if root {
        std::fs::create_dir(&foreign).expect("folder");
        std::os::unix::fs::chown(&foreign, Some(65534), Some(65534)).expect("chown");
    }

    refract_localpg::sweep_stale(base.path(), &["refract-sweep-"], &binaries, run_as);
    assert!(!ours.exists(), "a dead process's folder of ours is swept");
    assert!(alive.exists());
    assert!(other_prefix.exists());
    assert!(link.symlink_metadata().is_ok() && target.exists());
    if root {
        assert!(foreign.exists(), "another user's folder is left alone");
    }
}
