//! `oracle`: refract's migration engine against the real Prisma 7.10 CLI, run offline
//! (../shared/oracle: Prisma's own schema engine, compiled to WebAssembly, behind a shim).
//!
//! 1. Sets the oracle up once in `$CARGO_TARGET_DIR/prisma-oracle` (default `target/`):
//!    a copy of ../shared/oracle, `npm install` there and in `shim/`. Reruns skip the install.
//! 2. For the root `schema.prisma` and every PostgreSQL schema of the corpus (`real/*` and
//!    `schemas/*`, folder schemas as folders), refract's SQL from an empty database equals
//!    `prisma migrate diff --from-empty --to-schema S --script`, statement for statement.
//!    A statement is the text up to a line ending in `;`, with the `-- Comment` lines above
//!    it; the only normalisation is the leading `CREATE SCHEMA IF NOT EXISTS "public";`,
//!    dropped when only one side has it (today both print it). A schema held twice by the
//!    corpus is sent to Prisma once. These comparisons run no SQL, so schemas needing an
//!    extension the server lacks (pgvector for formbricks) are compared as scripts only.
//!    The root schema is compared without its `tenantModel` setting (row-level security
//!    is refract's own; see [`root_schema_without_tenancy`]).
//! 3. For the root schema, both directions of drift: a database migrated by refract shows
//!    no drift to Prisma (`migrate diff --from-config-datasource --to-schema S --exit-code`
//!    exits 0), and a database migrated by Prisma's script shows none to refract.
//!
//! Prisma 7 refuses `url` in the datasource and preview features it removed (`metrics`), so
//! it reads a copy of each schema without the `url`, `directUrl` and `shadowDatabaseUrl`
//! lines and those features, and gets an existing database (which a schema-only diff needs)
//! through `DATABASE_URL`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use refract_migrate::commands::{DiffOptions, DiffSource, diff_command};
use refract_schema::ir;
use refract_testdb::TestDb;

use super::{Disagreement, print_table};

const SUITE: &str = "oracle";
/// Prisma calls in flight at once (the machine has 2 cores; each call is mostly Node start-up).
const PARALLEL_CALLS: usize = 2;
/// Prisma's first statement, which refract also renders; dropped when only one side has it.
const CREATE_PUBLIC_SCHEMA: &str = "-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS \"public\";";

/// One schema to compare: a file or a folder of files.
struct Case {
    name: String,
    path: PathBuf,
}

/// A Prisma CLI installed in a folder of its own.
pub(super) struct Oracle {
    pub(super) dir: PathBuf,
}

pub fn run(corpus: &Path) -> Result<Vec<Disagreement>> {
    let started = Instant::now();
    let oracle = Oracle::set_up()?;
    let setup_time = started.elapsed();
    let cases = cases(corpus)?;
    // The existing database a schema-only `migrate diff` needs; nothing is written to it.
    let scratch = TestDb::try_new_blocking()
        .map_err(|e| anyhow::anyhow!("no PostgreSQL for the oracle section: {e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    // Prisma's scripts, in parallel: each call is a Node process.
    let copies = cases
        .iter()
        .map(|case| oracle.schema_copy(case))
        .collect::<Result<Vec<_>>>()?;
    let prisma_started = Instant::now();
    // A schema the corpus holds twice (`real/x` and `schemas/x`) is sent to Prisma once.
    let fingerprints = copies
        .iter()
        .map(|copy| fingerprint(copy))
        .collect::<Result<Vec<_>>>()?;
    let first_of: Vec<usize> = fingerprints
        .iter()
        .map(|f| fingerprints.iter().position(|g| g == f).unwrap_or(0))
        .collect();
    let unique: Vec<usize> = (0..copies.len()).filter(|&i| first_of[i] == i).collect();
    let unique_scripts = parallel_map(&unique, |&i| {
        let output = oracle.prisma(
            &[
                "migrate",
                "diff",
                "--from-empty",
                "--to-schema",
                &copies[i].to_string_lossy(),
                "--script",
            ],
            scratch.url(),
        );
        match output {
            Ok(output) if output.status.success() => {
                Ok(String::from_utf8_lossy(&output.stdout).into_owned())
            }
            Ok(output) => Err(format!("Prisma failed: {}", failure_text(&output))),
            Err(e) => Err(format!("{e:#}")),
        }
    });
    let prisma_scripts: Vec<Result<String, String>> = first_of
        .iter()
        .map(|first| {
            unique
                .iter()
                .position(|u| u == first)
                .and_then(|k| unique_scripts.get(k).cloned())
                .unwrap_or_else(|| Err("no Prisma run".into()))
        })
        .collect();
    let prisma_time = prisma_started.elapsed();
    let mut rows = Vec::new();
    let mut out = Vec::new();
    let mut disagree = |case: String, detail: String| {
        out.push(Disagreement {
            suite: SUITE,
            case,
            detail,
        })
    };
    for (index, ((case, copy), prisma)) in cases.iter().zip(&copies).zip(prisma_scripts).enumerate()
    {
        let refract = runtime.block_on(refract_script(&case.path));
        let (refract, prisma) = match (refract, prisma) {
            (Ok(r), Ok(p)) => (r, p),
            (r, p) => {
                let mut why = Vec::new();
                if let Err(e) = r {
                    why.push(format!("refract: {e:#}"));
                }
                if let Err(e) = p {
                    why.push(e);
                }
                disagree(format!("{}: script", case.name), why.join("\n"));
                rows.push(vec![
                    case.name.clone(),
                    "-".into(),
                    "ERROR".into(),
                    "-".into(),
                ]);
                continue;
            }
        };
        let comparison = compare(&refract, &prisma);
        let equal_cell = match &comparison.difference {
            None => "yes".to_owned(),
            Some(detail) => {
                disagree(format!("{}: script", case.name), detail.clone());
                format!("NO ({} differ)", comparison.differing)
            }
        };
        let mut drift_cell = "-".to_owned();
        if case.name == "schema.prisma" {
            drift_cell = match runtime.block_on(check_drift(&oracle, case, copy, &refract, &prisma))
            {
                Ok(drift) => {
                    let mut cells = Vec::new();
                    for (direction, verdict) in [
                        ("refract->Prisma", drift.refract_db_for_prisma),
                        ("Prisma->refract", drift.prisma_db_for_refract),
                    ] {
                        match verdict {
                            None => cells.push(format!("{direction}: none")),
                            Some(detail) => {
                                disagree(format!("{}: drift {direction}", case.name), detail);
                                cells.push(format!("{direction}: DRIFT"));
                            }
                        }
                    }
                    cells.join(", ")
                }
                Err(e) => {
                    disagree(format!("{}: drift", case.name), format!("{e:#}"));
                    "ERROR".into()
                }
            };
        }
        let first = first_of[index];
        let same_as = if first == index {
            String::new()
        } else {
            format!(" (same files as {})", cases[first].name)
        };
        rows.push(vec![
            format!("{}{same_as}", case.name),
            format!("{} / {}", comparison.refract_count, comparison.prisma_count),
            equal_cell,
            drift_cell,
        ]);
    }
    drop(scratch);
    print_table(
        &format!(
            "Oracle: refract's SQL and drift against Prisma 7.10 (set-up {:.1} s, {} Prisma scripts {:.1} s, total {:.1} s)",
            setup_time.as_secs_f64(),
            unique.len(),
            prisma_time.as_secs_f64(),
            started.elapsed().as_secs_f64()
        ),
        &[
            "schema",
            "statements (refract / Prisma)",
            "equal",
            "drift checks",
        ],
        &rows,
    );
    Ok(out)
}

impl Oracle {
    /// Copies ../shared/oracle into the target folder and installs its npm packages, unless
    /// they are installed already.
    pub(super) fn set_up() -> Result<Oracle> {
        let source = crate::root().join("../shared/oracle");
        anyhow::ensure!(
            source.join("prisma7").is_file(),
            "the Prisma oracle is not at {} (see ../shared/oracle/README.md)",
            source.display()
        );
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .map(|p| {
                if p.is_absolute() {
                    p
                } else {
                    crate::root().join(p)
                }
            })
            .unwrap_or_else(|| crate::root().join("target"));
        let dir = target.join("prisma-oracle");
        copy_tree(&source, &dir)?;
        let installed = dir.join("node_modules/.bin/prisma").is_file()
            && dir
                .join("shim/node_modules/@prisma/schema-engine-wasm")
                .is_dir();
        if !installed {
            match Command::new("npm").arg("--version").output() {
                Ok(o) if o.status.success() => {}
                _ => bail!(
                    "`npm` is not available: the oracle section runs the Prisma 7.10 CLI and needs \
                     Node.js and npm on PATH (install them, or run the other sections by name)"
                ),
            }
            for folder in [dir.clone(), dir.join("shim")] {
                eprintln!("oracle: npm install in {}", folder.display());
                let output = Command::new("npm")
                    .args(["install", "--no-audit", "--no-fund"])
                    .current_dir(&folder)
                    .output()
                    .with_context(|| format!("running npm install in {}", folder.display()))?;
                if !output.status.success() {
                    bail!(
                        "npm install in {} failed: {}",
                        folder.display(),
                        failure_text(&output)
                    );
                }
            }
        }
        Ok(Oracle { dir })
    }

    /// Runs the Prisma CLI in the oracle's folder (where `prisma.config.ts` is).
    pub(super) fn prisma(&self, args: &[&str], database_url: &str) -> Result<Output> {
        Command::new(self.dir.join("prisma7"))
            .args(args)
            .current_dir(&self.dir)
            .env("DATABASE_URL", database_url)
            .output()
            .with_context(|| format!("running prisma {}", args.join(" ")))
    }

    /// A copy of the case's schema that Prisma 7 accepts: without the URL lines.
    fn schema_copy(&self, case: &Case) -> Result<PathBuf> {
        let dest = self.dir.join("cases").join(&case.name);
        if dest.exists() {
            std::fs::remove_dir_all(&dest)?;
        }
        std::fs::create_dir_all(&dest)?;
        if case.path.is_dir() {
            copy_schema_folder(&case.path, &dest)?;
            Ok(dest)
        } else {
            let file = dest.join("schema.prisma");
            copy_schema_file(&case.path, &file)?;
            Ok(file)
        }
    }
}

/// Copies a schema folder's `.prisma` files, subfolders included, without their URL lines.
fn copy_schema_folder(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let path = entry?.path();
        let dest = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_schema_folder(&path, &dest)?;
        } else if path.extension().is_some_and(|x| x == "prisma") {
            copy_schema_file(&path, &dest)?;
        }
    }
    Ok(())
}

fn copy_schema_file(from: &Path, to: &Path) -> Result<()> {
    let text =
        std::fs::read_to_string(from).with_context(|| format!("reading {}", from.display()))?;
    let kept: String = text
        .lines()
        .filter(|line| !is_url_line(line))
        .map(|line| format!("{}\n", without_removed_preview_features(line)))
        .collect();
    std::fs::write(to, kept).with_context(|| format!("writing {}", to.display()))
}
/// Preview features Prisma 7 no longer knows and rejects (P1012); none affects migrations.
const REMOVED_PREVIEW_FEATURES: &[&str] = &["metrics"];

/// A `previewFeatures = [...]` line without the features Prisma 7 removed; other lines as
/// they are.
fn without_removed_preview_features(line: &str) -> String {
    let Some((key, list)) = line.split_once('=') else {
        return line.to_owned();
    };
    if key.trim() != "previewFeatures" {
        return line.to_owned();
    }
    let (Some(open), Some(close)) = (list.find('['), list.rfind(']')) else {
        return line.to_owned();
    };
    let kept: Vec<&str> = list[open + 1..close]
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty() && !REMOVED_PREVIEW_FEATURES.contains(&f.trim_matches('"')))
        .collect();
    format!(
        "{key}={}[{}]{}",
        &list[..open],
        kept.join(", "),
        &list[close + 1..]
    )
}

/// `url`, `directUrl` or `shadowDatabaseUrl` set inside a datasource block.
fn is_url_line(line: &str) -> bool {
    let trimmed = line.trim_start();
    ["url", "directUrl", "shadowDatabaseUrl"].iter().any(|key| {
        trimmed
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    })
}

/// Copies `from` into `to` (files only where they changed), leaving `node_modules` alone.
/// The copies are writable: npm rewrites package files, and the source is read-only.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let src = entry.path();
        let dst = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            if entry.file_name() != "node_modules" {
                copy_tree(&src, &dst)?;
            }
            continue;
        }
        let content = std::fs::read(&src)?;
        if std::fs::read(&dst).is_ok_and(|existing| existing == content) {
            continue;
        }
        if dst.exists() {
            std::fs::remove_file(&dst)?;
        }
        std::fs::write(&dst, &content)?;
        let mut permissions = std::fs::metadata(&src)?.permissions();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            permissions.set_mode(permissions.mode() | 0o200);
        }
        #[cfg(not(unix))]
        permissions.set_readonly(false);
        std::fs::set_permissions(&dst, permissions)?;
    }
    Ok(())
}

/// The root schema as Prisma can express it: without the `refract` generator's
/// `tenantModel` line. Row-level security is refract's own addition (issue 17), which
/// Prisma's SQL cannot contain and Prisma's drift check ignores; the `renames` stage's
/// tenancy case checks that Prisma sees no drift on a database refract migrated with it.
fn root_schema_without_tenancy() -> Result<PathBuf> {
    let root = crate::root().join("schema.prisma");
    let text =
        std::fs::read_to_string(&root).with_context(|| format!("reading {}", root.display()))?;
    let kept: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("tenantModel"))
        .collect();
    let dir = std::env::temp_dir().join(format!("refract-oracle-root-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("schema.prisma");
    std::fs::write(&path, kept.join("\n") + "\n")
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// The root schema, then the PostgreSQL schemas of `real/` and `schemas/`, sorted.
fn cases(corpus: &Path) -> Result<Vec<Case>> {
    let mut cases = vec![Case {
        name: "schema.prisma".into(),
        path: root_schema_without_tenancy()?,
    }];
    let mut found = Vec::new();
    for entry in std::fs::read_dir(corpus.join("real"))? {
        let dir = entry?.path();
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        let path = if dir.join("schema.prisma").is_file() {
            dir.join("schema.prisma")
        } else {
            dir.join("schema")
        };
        found.push(Case {
            name: format!("real/{name}"),
            path,
        });
    }
    let schemas = corpus.join("schemas");
    for dir in [schemas.clone(), schemas.join("multifile")] {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let is_schema = if dir == schemas {
                path.extension().is_some_and(|x| x == "prisma")
            } else {
                path.is_dir()
            };
            if is_schema {
                let relative = path.strip_prefix(corpus).unwrap_or(&path);
                found.push(Case {
                    name: relative.to_string_lossy().into_owned(),
                    path,
                });
            }
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    for case in found {
        if is_postgresql(&case.path)? {
            cases.push(case);
        }
    }
    Ok(cases)
}

fn is_postgresql(path: &Path) -> Result<bool> {
    let files =
        refract_schema::load(path).with_context(|| format!("loading {}", path.display()))?;
    let validated = refract_schema::validate(&files);
    Ok(validated
        .schema
        .datasource
        .as_ref()
        .is_some_and(|d| d.provider == "postgresql"))
}

fn load_schema(path: &Path) -> Result<ir::Schema> {
    let files =
        refract_schema::load(path).with_context(|| format!("loading {}", path.display()))?;
    let validated = refract_schema::validate(&files);
    if !validated.is_valid() {
        let first = validated
            .diagnostics
            .errors()
            .next()
            .map(|d| d.message.clone())
            .unwrap_or_default();
        bail!("{} does not validate: {first}", path.display());
    }
    Ok(validated.schema)
}

/// refract's `migrate diff --from-empty --to-schema S --script`.
async fn refract_script(path: &Path) -> Result<String> {
    let schema = load_schema(path)?;
    let output = diff_command(
        &DiffSource::Empty,
        &DiffSource::Schema(Box::new(schema)),
        &DiffOptions {
            script: true,
            ..DiffOptions::default()
        },
    )
    .await?;
    Ok(output.text)
}

struct Comparison {
    refract_count: usize,
    prisma_count: usize,
    /// Statements at positions where the two scripts differ.
    differing: usize,
    difference: Option<String>,
}

/// Compares two scripts statement for statement.
fn compare(refract: &str, prisma: &str) -> Comparison {
    let mut ours = statements(refract);
    let mut theirs = statements(prisma);
    let public = |s: &[String]| s.first().is_some_and(|f| f == CREATE_PUBLIC_SCHEMA);
    if public(&ours) != public(&theirs) {
        if public(&ours) {
            ours.remove(0);
        } else {
            theirs.remove(0);
        }
    }
    let differing = ours.iter().zip(&theirs).filter(|(a, b)| a != b).count()
        + ours.len().abs_diff(theirs.len());
    let difference = (differing > 0).then(|| {
        let first = ours
            .iter()
            .zip(&theirs)
            .position(|(a, b)| a != b)
            .unwrap_or(ours.len().min(theirs.len()));
        let at = |s: &[String]| s.get(first).cloned().unwrap_or_else(|| "(none)".into());
        format!(
            "{} statement(s) from refract, {} from Prisma, {differing} differ; first at #{}:\n--- refract\n{}\n--- Prisma\n{}",
            ours.len(),
            theirs.len(),
            first + 1,
            at(&ours),
            at(&theirs)
        )
    });
    Comparison {
        refract_count: ours.len(),
        prisma_count: theirs.len(),
        differing,
        difference,
    }
}

/// A script's statements: each with the comment lines above it, up to a line ending in `;`.
fn statements(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in script.lines() {
        if current.is_empty() && line.trim().is_empty() {
            continue;
        }
        current.push(line.trim_end());
        if !line.trim_start().starts_with("--") && line.trim_end().ends_with(';') {
            out.push(current.join("\n"));
            current.clear();
        }
    }
    let rest = current.join("\n");
    if !rest.trim().is_empty() {
        out.push(rest.trim().to_owned());
    }
    out
}

/// What each side saw in the other's database: `None` for no drift, else the detail.
struct Drift {
    refract_db_for_prisma: Option<String>,
    prisma_db_for_refract: Option<String>,
}

async fn check_drift(
    oracle: &Oracle,
    case: &Case,
    copy: &Path,
    refract: &str,
    prisma: &str,
) -> Result<Drift> {
    // refract's migration applied; Prisma compares the database with the schema.
    let ours = TestDb::try_new()
        .await
        .map_err(|e| anyhow::anyhow!("no database: {e}"))?;
    let mut client = ours
        .try_client()
        .await
        .map_err(|e| anyhow::anyhow!("connecting: {e}"))?;
    refract_migrate::apply::run_script(&mut client, "refract", refract)
        .await
        .context("applying refract's script")?;
    drop(client);
    // `--from-config-datasource` also loads the schema `prisma.config.ts` names.
    let config_schema = oracle.dir.join("prisma/schema.prisma");
    std::fs::create_dir_all(oracle.dir.join("prisma"))?;
    std::fs::copy(copy, &config_schema)
        .with_context(|| format!("writing {}", config_schema.display()))?;
    let copy_text = copy.to_string_lossy();
    let verdict = oracle.prisma(
        &[
            "migrate",
            "diff",
            "--from-config-datasource",
            "--to-schema",
            &copy_text,
            "--exit-code",
        ],
        ours.url(),
    )?;
    let refract_db_for_prisma = match verdict.status.code() {
        Some(0) => None,
        Some(2) => Some(format!(
            "Prisma sees drift in a database migrated by refract:\n{}",
            String::from_utf8_lossy(&verdict.stdout).trim()
        )),
        _ => bail!("Prisma's drift check failed: {}", failure_text(&verdict)),
    };

    // Prisma's script applied; refract compares the database with the schema.
    let theirs = TestDb::try_new()
        .await
        .map_err(|e| anyhow::anyhow!("no database: {e}"))?;
    let mut client = theirs
        .try_client()
        .await
        .map_err(|e| anyhow::anyhow!("connecting: {e}"))?;
    refract_migrate::apply::run_script(&mut client, "prisma", prisma)
        .await
        .context("applying Prisma's script")?;
    drop(client);
    let diff = diff_command(
        &DiffSource::Url(theirs.url().to_owned()),
        &DiffSource::Schema(Box::new(load_schema(&case.path)?)),
        &DiffOptions {
            script: true,
            ..DiffOptions::default()
        },
    )
    .await?;
    let prisma_db_for_refract = (!diff.is_empty).then(|| {
        format!(
            "refract sees drift in a database migrated by Prisma:\n{}",
            diff.text.trim()
        )
    });
    Ok(Drift {
        refract_db_for_prisma,
        prisma_db_for_refract,
    })
}

/// Every file of a schema copy, with its path inside the copy.
fn fingerprint(copy: &Path) -> Result<Vec<(PathBuf, String)>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) -> Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else {
                let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                out.push((relative, std::fs::read_to_string(&path)?));
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    if copy.is_dir() {
        walk(copy, copy, &mut files)?;
    } else {
        files.push((PathBuf::new(), std::fs::read_to_string(copy)?));
    }
    files.sort();
    Ok(files)
}

/// Runs `job` over `items` on a few threads, keeping the order.
fn parallel_map<T: Sync, R: Send>(items: &[T], job: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL_CALLS {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = job(item);
                    if let Ok(mut slots) = results.lock() {
                        slots[i] = Some(result);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

/// The end of a failed command's output, ANSI colours and all.
pub(super) fn failure_text(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let text = format!("{}\n{}", stderr.trim(), stdout.trim());
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(12)..].join("\n");
    format!("exit {:?}\n{tail}", output.status.code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_keep_their_comments_and_blank_lines_inside() {
        let script = "-- CreateTable\nCREATE TABLE \"A\" (\n    \"id\" TEXT,\n\n    CONSTRAINT \"A_pkey\" PRIMARY KEY (\"id\")\n);\n\n-- CreateIndex\nCREATE INDEX \"i\" ON \"A\"(\"id\");\n";
        assert_eq!(
            statements(script),
            vec![
                "-- CreateTable\nCREATE TABLE \"A\" (\n    \"id\" TEXT,\n\n    CONSTRAINT \"A_pkey\" PRIMARY KEY (\"id\")\n);",
                "-- CreateIndex\nCREATE INDEX \"i\" ON \"A\"(\"id\");",
            ]
        );
    }

    #[test]
    fn create_public_schema_is_dropped_only_when_one_side_has_it() {
        let body = "-- CreateEnum\nCREATE TYPE \"E\" AS ENUM ('A');\n";
        let with = format!("{CREATE_PUBLIC_SCHEMA}\n\n{body}");
        assert!(compare(&with, body).difference.is_none());
        assert!(compare(body, &with).difference.is_none());
        let other = "-- CreateEnum\nCREATE TYPE \"E\" AS ENUM ('B');\n";
        assert_eq!(compare(&with, other).differing, 1);
    }

    #[test]
    fn removed_preview_features_are_dropped() {
        assert_eq!(
            without_removed_preview_features(r#"  previewFeatures = ["metrics", "views"]"#),
            r#"  previewFeatures = ["views"]"#
        );
        assert_eq!(
            without_removed_preview_features(r#"previewFeatures = ["metrics"] // x"#),
            r#"previewFeatures = [] // x"#
        );
        assert_eq!(
            without_removed_preview_features(r#"  provider = "prisma-client-js""#),
            r#"  provider = "prisma-client-js""#
        );
    }

    #[test]
    fn url_lines_are_recognised() {
        assert!(is_url_line("  url = env(\"DATABASE_URL\")"));
        assert!(is_url_line("  directUrl      = env(\"D\")"));
        assert!(is_url_line("shadowDatabaseUrl=env(\"S\")"));
        assert!(!is_url_line("  urls String[]"));
        assert!(!is_url_line("  provider = \"postgresql\""));
    }
}
