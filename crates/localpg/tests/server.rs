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
