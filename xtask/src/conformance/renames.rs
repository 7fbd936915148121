//! `renames`: databases that `migrate dev` changed with renames, absorbed drift, `--safe` and
//! tenancy (row-level security and policies) show no drift to Prisma 7.10 (the oracle of
//! `oracle.rs`, ../shared/oracle).
//!
//! Each scenario migrates a fresh database with refract-migrate's `dev` (the function behind
//! `gen migrate dev`), with rows in its tables, then asks Prisma twice:
//! - `migrate diff --from-config-datasource --to-schema S --exit-code`: the live database
//!   against the schema (0 = no difference);
//! - `migrate diff --from-migrations DIR --to-config-datasource --exit-code`: the history
//!   refract wrote, replayed by Prisma in a shadow database, against the live database, which
//!   is Prisma's own drift check (a history that does not produce the database would make
//!   Prisma's `migrate dev` offer a reset).
//!
//! The row-keeping itself is asserted by `cargo test` (`crates/migrate/tests/it/renames.rs`);
//! this stage only adds Prisma's verdict, which needs the oracle, so it lives here.

use std::path::Path;

use anyhow::{Context, Result, bail};
use refract_migrate::commands::{Config, DevOptions, DevOutcome, dev};
use refract_testdb::TestDb;

use super::Disagreement;
use super::oracle::{Oracle, failure_text};

const SUITE: &str = "renames";

/// Prisma 7 reads the URL from its config: the schemas carry none.
const HEADER: &str = "datasource db {\n  provider = \"postgresql\"\n}\n";

/// One change `migrate dev` makes: the schema after it, the options, SQL run before it.
struct Change {
    schema: String,
    before: &'static str,
    renames: &'static [&'static str],
    absorb_drift: bool,
    safe: bool,
}

impl Change {
    fn to(schema: String) -> Change {
        Change {
            schema,
            before: "",
            renames: &[],
            absorb_drift: false,
            safe: false,
        }
    }
}

struct Scenario {
    name: &'static str,
    changes: Vec<Change>,
}

fn users(field: &str) -> String {
    format!(
        "{HEADER}\nmodel User {{\n  id    Int    @id @default(autoincrement())\n  email String @unique\n  {field} String\n\n  @@index([{field}])\n}}\n"
    )
}

fn blog(post: &str, status: &str, published: &str) -> String {
    format!(
        "{HEADER}\nenum {status} {{\n  DRAFT\n  {published}\n}}\n\nmodel {post} {{\n  id       Int       @id @default(autoincrement())\n  slug     String    @unique\n  status   {status}    @default(DRAFT)\n  comments Comment[]\n}}\n\nmodel Comment {{\n  id     Int    @id @default(autoincrement())\n  postId Int\n  body   String\n  post   {post}   @relation(fields: [postId], references: [id])\n\n  @@index([postId])\n}}\n"
    )
}

fn events(after: bool) -> String {
    if after {
        format!(
            "{HEADER}\nmodel Team {{\n  id     Int     @id @default(autoincrement())\n  events Event[]\n}}\n\nmodel Event {{\n  id     Int    @id @default(autoincrement())\n  teamId Int?\n  kind   String\n  team   Team?  @relation(fields: [teamId], references: [id])\n\n  @@index([kind])\n}}\n"
        )
    } else {
        format!(
            "{HEADER}\nmodel Team {{\n  id Int @id @default(autoincrement())\n}}\n\nmodel Event {{\n  id     Int     @id @default(autoincrement())\n  teamId Int?\n  kind   String?\n}}\n"
        )
    }
}

/// The reference platform schema with `tenantModel = "Tenant"` (crates/migrate's fixture),
/// without the datasource URL Prisma 7 reads from its config.
fn platform_with_tenancy() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/migrate/tests/tenancy/platform.prisma");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .replace("  url      = env(\"DATABASE_URL\")\n", "")
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "field rename",
            changes: vec![
                Change::to(users("fullName")),
                Change {
                    before: "INSERT INTO \"User\" (email, \"fullName\") SELECT 'u' || i, 'n' || i FROM generate_series(1, 100) AS i",
                    renames: &["User.fullName=displayName"],
                    ..Change::to(users("displayName"))
                },
            ],
        },
        Scenario {
            name: "model, enum and value rename",
            changes: vec![
                Change::to(blog("Post", "Status", "LIVE")),
                Change {
                    before: "INSERT INTO \"Post\" (slug, status) VALUES ('a', 'LIVE'); INSERT INTO \"Comment\" (\"postId\", body) VALUES (1, 'c')",
                    renames: &["Post=Article", "Status=State", "State.LIVE=PUBLISHED"],
                    ..Change::to(blog("Article", "State", "PUBLISHED"))
                },
            ],
        },
        Scenario {
            name: "absorbed drift",
            changes: vec![
                Change::to(users("fullName")),
                Change {
                    before: "INSERT INTO \"User\" (email, \"fullName\") VALUES ('a', 'b'); ALTER TABLE \"User\" ADD COLUMN \"nickname\" TEXT; DROP INDEX \"User_fullName_idx\"",
                    absorb_drift: true,
                    ..Change::to(format!(
                        "{HEADER}\nmodel User {{\n  id       Int     @id @default(autoincrement())\n  email    String  @unique\n  fullName String\n  nickname String?\n  age      Int?\n\n  @@index([fullName])\n}}\n"
                    ))
                },
            ],
        },
        Scenario {
            name: "--safe",
            changes: vec![
                Change::to(events(false)),
                Change {
                    before: "INSERT INTO \"Team\" DEFAULT VALUES; INSERT INTO \"Event\" (\"teamId\", kind) SELECT 1, 'k' FROM generate_series(1, 1000)",
                    safe: true,
                    ..Change::to(events(true))
                },
            ],
        },
        // Row-level security and refract's policies (issue 17) are invisible to Prisma's diff:
        // a database refract migrated with tenancy shows no drift to Prisma.
        Scenario {
            name: "tenancy (row-level security)",
            changes: vec![Change::to(platform_with_tenancy())],
        },
    ]
}

pub fn run() -> Result<Vec<Disagreement>> {
    let oracle = Oracle::set_up()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut disagreements = Vec::new();
    println!("\n## renames: Prisma's drift checks after migrate dev\n");
    for scenario in scenarios() {
        let found = runtime
            .block_on(check(&oracle, &scenario))
            .with_context(|| format!("scenario {}", scenario.name))?;
        println!(
            "{:<32} {}",
            scenario.name,
            if found.is_empty() {
                "no drift"
            } else {
                "DRIFT"
            }
        );
        disagreements.extend(found.into_iter().map(|detail| Disagreement {
            suite: SUITE,
            case: scenario.name.to_owned(),
            detail,
        }));
    }
    Ok(disagreements)
}

async fn check(oracle: &Oracle, scenario: &Scenario) -> Result<Vec<String>> {
    let db = TestDb::try_new()
        .await
        .map_err(|e| anyhow::anyhow!("no database: {e}"))?;
    let dir = std::env::temp_dir().join(format!("refract-renames-{}", db.name()));
    let migrations = dir.join("migrations");
    let config = Config::new(db.url(), &migrations);
    let client = db
        .try_client()
        .await
        .map_err(|e| anyhow::anyhow!("connecting: {e}"))?;
    let mut last_schema = String::new();
    for (i, change) in scenario.changes.iter().enumerate() {
        if !change.before.is_empty() {
            client.batch_execute(change.before).await?;
        }
        let validated = refract_schema::validate_str("schema.prisma", &change.schema);
        anyhow::ensure!(validated.is_valid(), "{:?}", validated.diagnostics);
        let mut options = DevOptions::new(format!("step{i}"));
        options.renames = change.renames.iter().map(|r| r.to_string()).collect();
        options.absorb_drift = change.absorb_drift;
        options.safe = change.safe;
        let outcome = dev(&config, &validated.schema, &options).await?;
        if !matches!(outcome, DevOutcome::Created { .. }) {
            bail!("migrate dev did not create a migration: {outcome:?}");
        }
        last_schema = change.schema.clone();
    }
    drop(client);
    let found = verdicts(oracle, db.url(), &migrations, &last_schema);
    let _ = std::fs::remove_dir_all(&dir);
    found
}

/// Prisma's two drift checks; a message for each that finds a difference.
fn verdicts(oracle: &Oracle, url: &str, migrations: &Path, schema: &str) -> Result<Vec<String>> {
    let config_schema = oracle.dir.join("prisma/schema.prisma");
    std::fs::create_dir_all(oracle.dir.join("prisma"))?;
    std::fs::write(&config_schema, schema)?;
    let schema_path = config_schema.to_string_lossy().into_owned();
    let migrations_path = migrations.to_string_lossy().into_owned();
    let mut found = Vec::new();
    for (what, args) in [
        (
            "the database against the schema",
            vec![
                "migrate",
                "diff",
                "--from-config-datasource",
                "--to-schema",
                &schema_path,
                "--exit-code",
            ],
        ),
        (
            "the history (replayed by Prisma) against the database",
            vec![
                "migrate",
                "diff",
                "--from-migrations",
                &migrations_path,
                "--to-config-datasource",
                "--exit-code",
            ],
        ),
    ] {
        let output = oracle.prisma(&args, url)?;
        match output.status.code() {
            Some(0) => {}
            Some(2) => found.push(format!(
                "Prisma finds a difference in {what}:\n{}",
                String::from_utf8_lossy(&output.stdout).trim()
            )),
            _ => bail!(
                "prisma {} failed: {}",
                args.join(" "),
                failure_text(&output)
            ),
        }
    }
    Ok(found)
}
