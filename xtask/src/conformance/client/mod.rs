//! `client`: refract's generated client against Prisma Client 7.10, scenario by scenario,
//! on the same seeded PostgreSQL data.
//!
//! 1. A template database gets refract's migration of `schema.prisma` (beside this file)
//!    and `seed.sql`. Read scenarios share one copy of it; every write scenario gets two
//!    copies of its own (`CREATE DATABASE .. TEMPLATE`), one per client, so each side
//!    starts from the seeded state.
//! 2. Prisma's side: a copy of the schema with a `prisma-client-js` generator is generated
//!    in the oracle's folder (`$CARGO_TARGET_DIR/prisma-oracle/client-conformance`, regenerated
//!    when the schema changes), and `runner.mjs` runs every scenario's JavaScript in one
//!    Node.js process.
//! 3. refract's side: the committed client `generated/conformance` runs every scenario's
//!    Rust expression (scenarios.rs holds both, side by side) and serializes its result
//!    with serde.
//! 4. Both results are normalized the same way (normalize.rs) and compared; for writes, the
//!    tables a scenario names are also read back from both databases and compared.
//!
//! Differences listed in `deliberate.md` (with their reason) are expected; any other
//! difference, and a listed one that no longer differs, fails the stage. The summary line
//! is `client scenarios: N same, K deliberate, U unexpected`.

mod normalize;
mod scenarios;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use conformance_client::Client;
use refract_migrate::commands::{DiffOptions, DiffSource, diff_command};
use refract_testdb::TestDb;
use serde_json::{Value, json};

use super::Disagreement;
use super::oracle::Oracle;
use scenarios::Scenario;

const SUITE: &str = "client";
const SCHEMA: &str = include_str!("schema.prisma");
const SEED: &str = include_str!("seed.sql");
const RUNNER: &str = include_str!("runner.mjs");
const DELIBERATE: &str = include_str!("deliberate.md");

pub fn run() -> Result<Vec<Disagreement>> {
    let started = Instant::now();
    let scenarios = scenarios::all();
    let mut names = BTreeSet::new();
    for scenario in &scenarios {
        anyhow::ensure!(
            names.insert(scenario.name),
            "scenario {} twice",
            scenario.name
        );
    }
    let deliberate = deliberate_list(DELIBERATE);
    for name in deliberate.keys() {
        anyhow::ensure!(
            names.contains(name.as_str()),
            "deliberate.md lists {name}, which is no scenario"
        );
    }
    let folder = prisma_client_folder()?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let template = TestDb::try_new_blocking()
        .map_err(|e| anyhow::anyhow!("no PostgreSQL for the client section: {e}"))?;
    runtime.block_on(prepare_template(template.url()))?;
    let admin_url = refract_testdb::server_url()
        .map_err(|e| anyhow::anyhow!("no PostgreSQL for the client section: {e}"))?;

    // One read copy for both sides, two copies per write scenario.
    let read_db = format!("{}_read", template.name());
    let mut copies = vec![read_db.clone()];
    let mut side_dbs = Vec::new();
    for (index, scenario) in scenarios.iter().enumerate() {
        if scenario.write {
            let prisma = format!("{}_p{index}", template.name());
            let refract = format!("{}_r{index}", template.name());
            copies.push(prisma.clone());
            copies.push(refract.clone());
            side_dbs.push((prisma, refract));
        } else {
            side_dbs.push((read_db.clone(), read_db.clone()));
        }
    }
    let outcome = runtime.block_on(async {
        create_copies(&admin_url, template.name(), &copies).await?;
        let url = |db: &str| refract_testdb::with_database(template.url(), db);
        let prisma_started = Instant::now();
        let prisma = run_prisma(&folder, &scenarios, &side_dbs, &url)?;
        let prisma_time = prisma_started.elapsed();
        let refract_started = Instant::now();
        let refract = run_refract(&scenarios, &side_dbs, &url).await?;
        let refract_time = refract_started.elapsed();
        let tables = compare_tables(&scenarios, &side_dbs, &url).await?;
        Ok::<_, anyhow::Error>((prisma, refract, tables, prisma_time, refract_time))
    });
    runtime.block_on(drop_copies(&admin_url, &copies));
    drop(template);
    let (prisma, refract, tables, prisma_time, refract_time) = outcome?;

    let mut same = 0;
    let mut deliberate_count = 0;
    let mut out = Vec::new();
    for (index, scenario) in scenarios.iter().enumerate() {
        let missing = || json!({"error": "no result"});
        let theirs =
            normalize::normalize(prisma.get(scenario.name).cloned().unwrap_or_else(missing));
        let ours = normalize::normalize(refract[index].clone());
        let mut differences = Vec::new();
        if !normalize::same(&ours, &theirs) || is_broken(&ours) || is_broken(&theirs) {
            differences.push(format!(
                "result\n    prisma:  {}\n    refract: {}",
                normalize::sorted_text(&theirs),
                normalize::sorted_text(&ours)
            ));
        }
        for (table, theirs, ours) in &tables[index] {
            let (theirs, ours) = (
                normalize::normalize(theirs.clone()),
                normalize::normalize(ours.clone()),
            );
            if !normalize::same(&ours, &theirs) {
                differences.push(format!(
                    "table {table} afterwards\n    prisma:  {}\n    refract: {}",
                    normalize::sorted_text(&theirs),
                    normalize::sorted_text(&ours)
                ));
            }
        }
        match (differences.is_empty(), deliberate.get(scenario.name)) {
            (true, None) => same += 1,
            (false, Some(reason)) => {
                deliberate_count += 1;
                println!("deliberate  {}: {reason}", scenario.name);
            }
            (true, Some(_)) => {
                println!(
                    "STALE       {}: listed in deliberate.md but no longer differs",
                    scenario.name
                );
                out.push(Disagreement {
                    suite: SUITE,
                    case: scenario.name.to_owned(),
                    detail: "listed in xtask/src/conformance/client/deliberate.md but the two \
                             clients now agree: remove the entry"
                        .to_owned(),
                });
            }
            (false, None) => {
                let detail = format!("JS: {}\n  {}", scenario.js, differences.join("\n  "));
                println!("UNEXPECTED  {}\n  {detail}", scenario.name);
                out.push(Disagreement {
                    suite: SUITE,
                    case: scenario.name.to_owned(),
                    detail,
                });
            }
        }
    }
    println!(
        "client: {} scenarios ({} writes) in {:.1} s (Prisma {:.1} s, refract {:.1} s)",
        scenarios.len(),
        scenarios.iter().filter(|s| s.write).count(),
        started.elapsed().as_secs_f64(),
        prisma_time.as_secs_f64(),
        refract_time.as_secs_f64()
    );
    println!(
        "client scenarios: {same} same, {deliberate_count} deliberate, {} unexpected",
        out.len()
    );
    Ok(out)
}

/// An outcome that says the scenario itself is wrong (a JavaScript or harness error), never
/// a result to agree on.
fn is_broken(outcome: &Value) -> bool {
    matches!(
        outcome.get("error").and_then(Value::as_str),
        Some("unknown" | "validation" | "no result")
    )
}

/// `deliberate.md`: one line per difference, "- `name`: reason".
fn deliberate_list(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("- `")?;
            let (name, reason) = rest.split_once("`:")?;
            Some((name.to_owned(), reason.trim().to_owned()))
        })
        .collect()
}

/// The schema as Prisma 7 takes it: a `prisma-client-js` generator, no `url` line.
fn prisma_schema() -> String {
    let mut out = String::from(
        "generator client {\n  provider = \"prisma-client-js\"\n  output   = \"./prisma-client\"\n}\n",
    );
    let mut in_generator = false;
    for line in SCHEMA.lines() {
        if line.starts_with("generator ") {
            in_generator = true;
        } else if in_generator {
            in_generator = line.trim() != "}";
        } else if !line.trim_start().starts_with("url ") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The oracle's folder holding Prisma Client 7.10 generated for the schema (and the
/// runner); `cargo xtask bench prisma` runs its own script there too.
pub(crate) fn prisma_client_folder() -> Result<std::path::PathBuf> {
    let oracle = Oracle::set_up()?;
    let folder = oracle.dir.join("client-conformance");
    prisma_generate(&oracle, &folder)?;
    Ok(folder)
}

/// Generates Prisma's client for the schema, unless the one there was made from it.
fn prisma_generate(oracle: &Oracle, folder: &Path) -> Result<()> {
    std::fs::create_dir_all(folder)?;
    std::fs::write(folder.join("runner.mjs"), RUNNER)?;
    let schema = prisma_schema();
    let schema_path = folder.join("schema.prisma");
    let generated = folder.join("prisma-client/index.js").is_file()
        && std::fs::read_to_string(&schema_path).is_ok_and(|s| s == schema);
    if generated {
        return Ok(());
    }
    std::fs::write(&schema_path, &schema)?;
    let output = oracle.prisma(
        &["generate", "--schema", &schema_path.to_string_lossy()],
        "postgresql://unused@127.0.0.1/unused",
    )?;
    if !output.status.success() {
        // Written again next run.
        let _ = std::fs::remove_file(&schema_path);
        bail!(
            "prisma generate failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// Connects without TLS (the test server is local) and keeps the connection's task, so
/// that the caller can wait until the connection is really closed.
async fn connect(url: &str) -> Result<(tokio_postgres::Client, tokio::task::JoinHandle<()>)> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .with_context(|| format!("connecting to {url}"))?;
    let task = tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok((client, task))
}

/// refract's migration of the schema, then the seed; the connection is closed before
/// returning, as a template must have none.
async fn prepare_template(url: &str) -> Result<()> {
    migrate_and_seed(url, SEED).await
}

/// refract's migration of the schema, then `seed` (SQL); closes its connection.
pub(crate) async fn migrate_and_seed(url: &str, seed: &str) -> Result<()> {
    let validated = refract_schema::validate_str("schema.prisma", SCHEMA);
    anyhow::ensure!(
        validated.is_valid(),
        "client/schema.prisma does not validate: {:?}",
        validated
            .diagnostics
            .errors()
            .next()
            .map(|d| d.message.clone())
    );
    let script = diff_command(
        &DiffSource::Empty,
        &DiffSource::Schema(Box::new(validated.schema)),
        &DiffOptions {
            script: true,
            ..DiffOptions::default()
        },
    )
    .await?
    .text;
    let (client, task) = connect(url).await?;
    client
        .batch_execute(&script)
        .await
        .context("migrating the template database")?;
    client
        .batch_execute(seed)
        .await
        .context("seeding the template database")?;
    drop(client);
    let _ = task.await;
    Ok(())
}

async fn create_copies(admin_url: &str, template: &str, copies: &[String]) -> Result<()> {
    let (admin, _task) = connect(admin_url).await?;
    for copy in copies {
        let sql = format!("CREATE DATABASE \"{copy}\" TEMPLATE \"{template}\"");
        // A connection to the template that is still closing makes this fail: retry.
        let mut attempt = 0;
        loop {
            match admin.batch_execute(&sql).await {
                Ok(()) => break,
                Err(e) if attempt < 20 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    if attempt == 20 {
                        bail!("{sql}: {e}");
                    }
                }
                Err(e) => bail!("{sql}: {e}"),
            }
        }
    }
    Ok(())
}

async fn drop_copies(admin_url: &str, copies: &[String]) {
    let Ok((admin, _task)) = connect(admin_url).await else {
        return;
    };
    for copy in copies {
        let _ = admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{copy}\" WITH (FORCE)"))
            .await;
    }
}

/// Runs every scenario's JavaScript through Prisma Client; results by scenario name.
fn run_prisma(
    folder: &Path,
    scenarios: &[Scenario],
    side_dbs: &[(String, String)],
    url: &dyn Fn(&str) -> String,
) -> Result<serde_json::Map<String, Value>> {
    let list: Vec<Value> = scenarios
        .iter()
        .zip(side_dbs)
        .map(|(scenario, (prisma_db, _))| {
            json!({
                "name": scenario.name,
                "js": scenario.js,
                "url": url(prisma_db),
                "write": scenario.write,
            })
        })
        .collect();
    let input = folder.join("scenarios.json");
    let output = folder.join("results.json");
    std::fs::write(&input, serde_json::to_string(&list)?)?;
    let _ = std::fs::remove_file(&output);
    let status = Command::new("node")
        .arg("runner.mjs")
        .arg(&input)
        .arg(&output)
        .current_dir(folder)
        .output()
        .context("running node (the client section needs Node.js on PATH)")?;
    if !status.status.success() {
        bail!(
            "node runner.mjs failed: {}{}",
            String::from_utf8_lossy(&status.stdout),
            String::from_utf8_lossy(&status.stderr)
        );
    }
    let text = std::fs::read_to_string(&output)
        .with_context(|| format!("reading {}", output.display()))?;
    match serde_json::from_str(&text)? {
        Value::Object(map) => Ok(map),
        _ => bail!("{} is not a JSON object", output.display()),
    }
}

/// Runs every scenario's Rust through the generated client; one outcome per scenario.
async fn run_refract(
    scenarios: &[Scenario],
    side_dbs: &[(String, String)],
    url: &dyn Fn(&str) -> String,
) -> Result<Vec<Value>> {
    let mut shared: Option<(String, Client)> = None;
    let mut outcomes = Vec::new();
    for (scenario, (_, refract_db)) in scenarios.iter().zip(side_dbs) {
        let outcome = if scenario.write {
            let client = Client::new(&url(refract_db))?;
            (scenario.rust)(&client).await
        } else {
            if shared.as_ref().is_none_or(|(db, _)| db != refract_db) {
                shared = Some((refract_db.clone(), Client::new(&url(refract_db))?));
            }
            match &shared {
                Some((_, client)) => (scenario.rust)(client).await,
                None => unreachable!("set above"),
            }
        };
        outcomes.push(match outcome {
            Ok(value) => json!({ "ok": value }),
            Err(error) => match error.code() {
                Some(code) => json!({ "error": code }),
                None => json!({ "error": "unknown", "message": error.to_string() }),
            },
        });
    }
    Ok(outcomes)
}

/// For each write scenario, each table it names as read back from both sides' databases:
/// `(table, prisma's rows, refract's rows)`, rows as PostgreSQL's `to_jsonb`, in a stable order.
async fn compare_tables(
    scenarios: &[Scenario],
    side_dbs: &[(String, String)],
    url: &dyn Fn(&str) -> String,
) -> Result<Vec<Vec<(String, Value, Value)>>> {
    let mut all = Vec::new();
    for (scenario, (prisma_db, refract_db)) in scenarios.iter().zip(side_dbs) {
        let mut tables = Vec::new();
        if !scenario.after.is_empty() {
            let (prisma, _p) = connect(&url(prisma_db)).await?;
            let (refract, _r) = connect(&url(refract_db)).await?;
            for table in scenario.after {
                let sql = format!(
                    "SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY to_jsonb(t)::text), '[]'::jsonb)::text FROM \"{table}\" t"
                );
                tables.push((
                    table.to_string(),
                    rows_of(&prisma, &sql).await?,
                    rows_of(&refract, &sql).await?,
                ));
            }
        }
        all.push(tables);
    }
    Ok(all)
}

async fn rows_of(client: &tokio_postgres::Client, sql: &str) -> Result<Value> {
    let row = client.query_one(sql, &[]).await?;
    let text: String = row.get(0);
    Ok(serde_json::from_str(&text)?)
}
