//! `cargo xtask bench`: runs every benchmark BENCHMARKS.md records.
//!
//! Micro-benchmarks are divan benches in their crates (`cargo bench`); this
//! task runs them in one go and adds whole-process timings of `gen`.
//! `cargo xtask bench prisma` runs only the comparison with Prisma Client 7.10
//! (`bench/prisma.rs`), which needs the Prisma oracle in `../shared/oracle`.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

mod prisma;

pub fn run(args: &[String]) -> Result<bool> {
    if args.first().map(String::as_str) == Some("prisma") {
        return prisma::run(&args[1..]);
    }
    let root = crate::root();
    // (crate, bench, what it measures), in the order BENCHMARKS.md lists them. The database
    // benches need PostgreSQL (refract-testdb's server or private cluster); pooler needs
    // PgBouncer, replicas a streaming replica, both started by refract-testdb.
    let benches = [
        ("refract-schema", "validate", "parse + resolve + validate"),
        (
            "refract-codegen",
            "client",
            "generated client vs hand-written tokio-postgres",
        ),
        (
            "refract-codegen",
            "relations",
            "includes vs hand-written tokio-postgres",
        ),
        (
            "refract-migrate",
            "migrate",
            "introspect + diff + render for civitai",
        ),
        (
            "refract-runtime",
            "pooler",
            "pgbouncer=true: direct vs through PgBouncer",
        ),
        (
            "refract-runtime",
            "replicas",
            "read-replica routing overhead",
        ),
    ];
    for (package, bench, what) in benches {
        println!("\n== {package} / {bench}: {what}");
        let status = Command::new(env!("CARGO"))
            .current_dir(&root)
            .args(["bench", "-p", package, "--bench", bench])
            .env("REFRACT_CORPUS", crate::corpus())
            .status()
            .context("running cargo bench")?;
        if !status.success() {
            return Ok(false);
        }
        // After the client bench: the civitai client's lines per model and `cargo check` time.
        if bench == "client" && !crate::conformance::codegen::bench_check_time(&crate::corpus())? {
            return Ok(false);
        }
    }
    // Whole process: `gen validate` on the reference schema (release build).
    let status = Command::new(env!("CARGO"))
        .current_dir(&root)
        .args(["build", "--release", "-q", "-p", "refract-cli"])
        .status()?;
    if !status.success() {
        return Ok(false);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let gen_bin = target.join("release/gen");
    let mut times: Vec<Duration> = Vec::new();
    for i in 0..25 {
        let start = Instant::now();
        let out = Command::new(&gen_bin)
            .current_dir(&root)
            .args(["validate", "--schema", "schema.prisma"])
            .output()?;
        let elapsed = start.elapsed();
        anyhow::ensure!(
            out.status.success(),
            "gen validate failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if i >= 5 {
            times.push(elapsed);
        }
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "\nwhole process: `gen validate` on schema.prisma: median {:.2} ms over {} runs (after 5 warm-up)",
        median.as_secs_f64() * 1e3,
        times.len()
    );
    Ok(true)
}
