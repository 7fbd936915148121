//! Generated clients compile: the client crate of every `corpus/real` schema (and of each
//! codegen fixture) passes `cargo check`. All crates are generated into one temporary
//! workspace (with this workspace's `Cargo.lock`, so dependency versions match) and checked
//! by one cargo run sharing the usual target directory, so the runtime and its dependencies
//! are built once.
//!
//! The table gives each schema's models, generated lines and lines per model.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use refract_codegen::{GenerateOptions, RuntimeDependency};

use super::{Disagreement, print_table};

const SUITE: &str = "codegen";

/// One schema's generated crate in the temporary workspace.
pub struct GeneratedCrate {
    pub case: String,
    pub folder: String,
    pub models: usize,
    pub lines: usize,
}

pub fn run(corpus: &Path) -> Result<Vec<Disagreement>> {
    let mut cases = Vec::new();
    for entry in sorted_dirs(&corpus.join("real"))? {
        let name = entry
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let folder = entry.join("schema");
        let path = if folder.is_dir() {
            folder
        } else {
            entry.join("schema.prisma")
        };
        cases.push((format!("real/{name}"), path));
    }
    // The codegen fixtures: names that do not map straight to Rust.
    let fixtures = crate::root().join("crates/codegen/tests/fixtures");
    let mut fixture_files: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .with_context(|| format!("reading {}", fixtures.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "prisma"))
        .collect();
    fixture_files.sort();
    for path in fixture_files {
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        cases.push((format!("fixture/{name}"), path));
    }
    let workspace =
        std::env::temp_dir().join(format!("refract-codegen-check-{}", std::process::id()));
    let mut out = Vec::new();
    let crates = generate_workspace(&workspace, &cases, &mut out)?;
    let (elapsed, errors) = cargo_check(&workspace)?;
    let mut rows = Vec::new();
    for generated in &crates {
        let crate_errors: Vec<&String> = errors
            .iter()
            .filter(|line| in_crate(line, &generated.folder))
            .collect();
        let verdict = if crate_errors.is_empty() {
            "ok".to_owned()
        } else {
            out.push(Disagreement {
                suite: SUITE,
                case: generated.case.clone(),
                detail: format!(
                    "cargo check: {} error(s), first: {}",
                    crate_errors.len(),
                    crate_errors[0]
                ),
            });
            format!("{} errors", crate_errors.len())
        };
        rows.push(vec![
            generated.case.clone(),
            generated.models.to_string(),
            generated.lines.to_string(),
            (generated.lines / generated.models.max(1)).to_string(),
            verdict,
        ]);
    }
    // Errors outside any generated crate (the runtime, dependencies) fail every case.
    if errors
        .iter()
        .any(|line| !crates.iter().any(|c| in_crate(line, &c.folder)))
    {
        out.push(Disagreement {
            suite: SUITE,
            case: "workspace".into(),
            detail: errors.join("\n"),
        });
    }
    print_table(
        &format!(
            "Generated clients: cargo check of {} crates together in {:.1} s",
            crates.len(),
            elapsed.as_secs_f64()
        ),
        &["schema", "models", "lines", "lines/model", "cargo check"],
        &rows,
    );
    if out.is_empty() {
        let _ = std::fs::remove_dir_all(&workspace);
    } else {
        println!("(generated crates kept in {})", workspace.display());
    }
    Ok(out)
}

/// Generates each schema's client into `workspace/<n>-<name>/` and writes the workspace
/// manifest. Schemas that do not validate become disagreements and are left out.
pub fn generate_workspace(
    workspace: &Path,
    cases: &[(String, PathBuf)],
    out: &mut Vec<Disagreement>,
) -> Result<Vec<GeneratedCrate>> {
    let _ = std::fs::remove_dir_all(workspace);
    std::fs::create_dir_all(workspace)?;
    let runtime = crate::root().join("crates/runtime");
    let mut crates = Vec::new();
    for (case, path) in cases {
        let files = refract_schema::load(path)?;
        let validated = refract_schema::validate(&files);
        if !validated.is_valid() {
            out.push(Disagreement {
                suite: SUITE,
                case: case.clone(),
                detail: "the schema does not validate".into(),
            });
            continue;
        }
        let folder = case.replace(['/', '.', '_'], "-");
        let options = GenerateOptions {
            crate_name: format!("client-{folder}"),
            runtime: RuntimeDependency::Path(runtime.to_string_lossy().into_owned()),
            standalone: false,
        };
        let vfs = refract_codegen::generate(&validated.schema, &options);
        let lines = vfs
            .files()
            .filter(|(p, _)| p.extension().is_some_and(|e| e == "rs"))
            .map(|(_, text)| text.lines().count())
            .sum();
        vfs.persist(&workspace.join(&folder))
            .map_err(|e| anyhow::anyhow!("{case}: {e}"))?;
        crates.push(GeneratedCrate {
            case: case.clone(),
            folder,
            models: validated
                .schema
                .models
                .iter()
                .filter(|m| !m.is_ignored)
                .count(),
            lines,
        });
    }
    let members: Vec<String> = crates.iter().map(|c| format!("{:?}", c.folder)).collect();
    std::fs::write(
        workspace.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )?;
    let lock = crate::root().join("Cargo.lock");
    if lock.is_file() {
        std::fs::copy(&lock, workspace.join("Cargo.lock"))?;
    }
    Ok(crates)
}

/// Runs `cargo check --workspace` in `workspace` with the usual target directory; returns
/// how long it took and its error lines.
pub fn cargo_check(workspace: &Path) -> Result<(Duration, Vec<String>)> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::root().join("target"));
    let started = Instant::now();
    let output = Command::new(env!("CARGO"))
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", &target)
        .args([
            "check",
            "--workspace",
            "--keep-going",
            "--message-format",
            "short",
        ])
        .output()
        .context("running cargo check")?;
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let errors: Vec<String> = stderr
        .lines()
        // `error:` / `error[E..]:`, not crate names like `thiserror`.
        .filter(|line| line.contains("error:") || line.contains("error["))
        .filter(|line| !line.starts_with("error: could not compile"))
        .map(str::to_owned)
        .collect();
    if !output.status.success() && errors.is_empty() {
        anyhow::bail!("cargo check failed:\n{stderr}");
    }
    Ok((elapsed, errors))
}

/// Whether a `--message-format short` line is about a file of the crate in `folder`.
fn in_crate(line: &str, folder: &str) -> bool {
    line.starts_with(&format!("{folder}/")) || line.contains(&format!("/{folder}/"))
}

fn sorted_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    Ok(entries)
}

/// `cargo xtask bench` part: the largest corpus schema's (civitai, 302 models) client:
/// generated lines per model and `cargo check` time of the crate alone (its dependencies
/// already built), with serde (the default feature) and without.
pub fn bench_check_time(corpus: &Path) -> Result<bool> {
    let schema = corpus.join("schemas/civitai__civitai.prisma");
    let workspace =
        std::env::temp_dir().join(format!("refract-codegen-bench-{}", std::process::id()));
    let mut out = Vec::new();
    let crates = generate_workspace(&workspace, &[("civitai".to_owned(), schema)], &mut out)?;
    let Some(generated) = crates.first() else {
        anyhow::bail!("civitai did not generate");
    };
    let package = format!("client-{}", generated.folder);
    let lib = workspace.join(&generated.folder).join("src/lib.rs");
    let mut timings = Vec::new();
    for features in [&[][..], &["--no-default-features"][..]] {
        let check = |timed: bool| -> Result<Duration> {
            if timed {
                // A new mtime: cargo re-checks this crate only.
                let text = std::fs::read_to_string(&lib)?;
                std::fs::write(&lib, text)?;
            }
            let started = Instant::now();
            let status = Command::new(env!("CARGO"))
                .current_dir(&workspace)
                .args(["check", "-q", "-p", &package])
                .args(features)
                .status()?;
            anyhow::ensure!(status.success(), "cargo check failed");
            Ok(started.elapsed())
        };
        check(false)?;
        let mut runs: Vec<Duration> = (0..3).map(|_| check(true)).collect::<Result<_>>()?;
        runs.sort();
        timings.push(runs[1]);
    }
    println!(
        "\ncivitai client: {} models, {} lines ({} per model); cargo check of the crate: \
         {:.1} s with serde (default), {:.1} s without (median of 3, dependencies built)",
        generated.models,
        generated.lines,
        generated.lines / generated.models.max(1),
        timings[0].as_secs_f64(),
        timings[1].as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&workspace);
    Ok(out.is_empty())
}
