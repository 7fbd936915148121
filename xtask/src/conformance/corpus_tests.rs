//! `tests`: the crates' tests that read the corpus. They are test targets of their own
//! (`crates/{schema,migrate}/tests/corpus`, `test = false` in each Cargo.toml), so `cargo
//! test` never builds them and needs nothing beside the clone; this section runs each with
//! `cargo test -p <crate> --test corpus`, `REFRACT_CORPUS` set to the corpus, and reports
//! its passed and failed tests. A failed test's output is printed; every failed test is a
//! disagreement (none can be a known gap).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result};

use super::{Disagreement, print_table};

const SUITE: &str = "tests";
/// The packages with a `corpus` test target.
const PACKAGES: &[&str] = &["refract-schema", "refract-migrate"];

pub fn run(corpus: &Path) -> Result<Vec<Disagreement>> {
    // Test binaries run in their package's folder: a relative path would point elsewhere.
    let corpus = corpus
        .canonicalize()
        .with_context(|| format!("resolving {}", corpus.display()))?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut out = Vec::new();
    let mut rows = Vec::new();
    for package in PACKAGES {
        let started = Instant::now();
        let output = Command::new(&cargo)
            .args(["test", "--package", package, "--test", "corpus"])
            .env("REFRACT_CORPUS", &corpus)
            .current_dir(crate::root())
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .with_context(|| format!("running cargo test for {package}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let results = TestResults::read(&stdout);
        for name in &results.failed {
            out.push(Disagreement {
                suite: SUITE,
                case: format!("{package} {name}"),
                detail: "failed (its output is printed above)".into(),
            });
        }
        if !output.status.success() {
            if let Some(at) = stdout.find("\nfailures:\n") {
                println!("\n## {package}, corpus tests: failures\n{}", &stdout[at..]);
            }
            if results.failed.is_empty() {
                // No test failed, yet cargo did: the target did not build or the run broke.
                out.push(Disagreement {
                    suite: SUITE,
                    case: format!("{package} --test corpus"),
                    detail: format!("cargo test exited with {} (see above)", output.status),
                });
            }
        }
        rows.push(vec![
            (*package).to_owned(),
            results.passed.to_string(),
            results.failed.len().to_string(),
            format!("{:.1}s", started.elapsed().as_secs_f64()),
        ]);
    }
    print_table(
        "Corpus test targets (cargo test -p <crate> --test corpus)",
        &["crate", "passed", "failed", "time"],
        &rows,
    );
    Ok(out)
}

/// What libtest printed, one `test <name> ... <verdict>` line per test.
struct TestResults {
    passed: usize,
    failed: Vec<String>,
}

impl TestResults {
    fn read(stdout: &str) -> TestResults {
        let mut results = TestResults {
            passed: 0,
            failed: Vec::new(),
        };
        // The failures' output follows the verdicts and may hold anything.
        for line in stdout.lines().take_while(|line| *line != "failures:") {
            let Some((name, verdict)) = line
                .strip_prefix("test ")
                .and_then(|rest| rest.rsplit_once(" ... "))
            else {
                continue;
            };
            match verdict.trim() {
                "ok" => results.passed += 1,
                "FAILED" => results.failed.push(name.to_owned()),
                _ => {}
            }
        }
        results
    }
}

#[cfg(test)]
mod tests {
    use super::TestResults;

    #[test]
    fn libtest_lines_are_counted() {
        let stdout = "\nrunning 3 tests\ntest pull::pull_umami ... ok\ntest a::b ... FAILED\ntest c ... ok\n\nfailures:\n\n---- a::b stdout ----\ntest quoted ... ok\n\ntest result: FAILED. 2 passed; 1 failed; 0 ignored\n";
        let results = TestResults::read(stdout);
        assert_eq!(results.passed, 2);
        assert_eq!(results.failed, ["a::b"]);
    }
}
