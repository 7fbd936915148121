//! xtask: refract's automation, runnable anywhere cargo runs.
//!
//! - `cargo xtask conformance [SECTION...]`: agreement with Prisma over the
//!   corpus (`REFRACT_CORPUS`, default ../shared/corpus; missing, it fails),
//!   printed as tables; exits non-zero on any difference not listed in
//!   `xtask/known-gaps.tsv`. Sections: `psl`, `format`, `schemas`, `migrate`,
//!   `tests`, `oracle`, `codegen`, `client` (whose deliberate differences are in
//!   `src/conformance/client/deliberate.md`). `tests` runs the crates' test targets that
//!   read the corpus (`crates/{schema,migrate}/tests/corpus`), which `cargo
//!   test` leaves out: `cargo test` reads only what the repository holds.
//! - `cargo xtask bench`: the benchmarks recorded in BENCHMARKS.md; `cargo xtask
//!   bench prisma`: the generated client against Prisma Client 7.10 (reads ../shared).

mod bench;
mod conformance;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("conformance") => conformance::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <conformance [SECTION...] | bench [prisma]>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// The corpus: `REFRACT_CORPUS`, else `../shared/corpus` next to the project.
pub fn corpus() -> PathBuf {
    std::env::var_os("REFRACT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/corpus"))
}
