//! What every end-to-end test of the `gen` binary shares: running it in a folder with a
//! clean environment (no `DATABASE_URL`, no colour, no terminal on stdin) and reading what
//! it printed. Each test file is its own crate and uses part of this.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// `gen ARGS` run in `dir`.
pub fn gen_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gen"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .expect("run gen")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Both streams, for assertion messages.
pub fn both(o: &Output) -> String {
    format!("--- stdout\n{}--- stderr\n{}", stdout(o), stderr(o))
}

#[track_caller]
pub fn assert_exit(o: &Output, code: i32) {
    assert_eq!(o.status.code(), Some(code), "{}", both(o));
}
