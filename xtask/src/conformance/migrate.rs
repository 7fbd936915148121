//! `migrate`: interop with the migration folders Prisma wrote for real projects
//! (`corpus/real/*/migrations`). For each project, on a fresh database (refract-testdb):
//!
//! 1. `migrate deploy` applies the folder unchanged and records every migration;
//! 2. `migrate status` then reports the history in sync;
//! 3. `migrate diff --from-url DB --to-schema SCHEMA --script` is empty, or is exactly the
//!    project's own drift recorded (and checked against Prisma 7.10) in
//!    `crates/migrate/tests/real_drift.txt`;
//! 4. `db pull` over the project's schema (re-introspection, as `gen db pull` runs it, with
//!    the project's generator and datasource blocks) yields a valid schema whose IR
//!    describes the same database as the project's IR: the same tables, columns (type,
//!    arity, database default), primary keys, indexes and uniques (names, columns, order,
//!    method), foreign keys (columns, actions), implicit many-to-many tables and enums; and
//!    keeps the project's names: model, enum, value, scalar field and relation field names
//!    with what each stands for.
//!
//! Commands are called through refract-migrate's library API (what `gen migrate` calls),
//! with the URL and migrations folder given directly.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use refract_migrate::commands::{
    Config, DiffOptions, DiffSource, ExistingModels, db_pull_over, deploy, diff_command, status,
};
use refract_migrate::migrations_dir::list_migrations;
use refract_migrate::pull::Existing;
use refract_schema::ir::{self, Arity, DefaultKind, FieldType, IndexKind, ModelKind, RelationKind};
use refract_testdb::TestDb;

use super::{Disagreement, print_table};

const SUITE: &str = "migrate";
/// The differences `db pull` is known to show per project, with their reasons.
const PULL_DIFFERENCES: &str = "xtask/migrate-pull-differences.txt";

/// What a project is known to differ in: its recorded drift, its recorded pull differences.
struct Expected {
    drift: String,
    pull: String,
}

pub fn run(corpus: &Path) -> Result<Vec<Disagreement>> {
    let drift_path = crate::root().join("crates/migrate/tests/real_drift.txt");
    let recorded = std::fs::read_to_string(&drift_path)
        .with_context(|| format!("reading {}", drift_path.display()))?;
    let pull_path = crate::root().join(PULL_DIFFERENCES);
    let recorded_pull = std::fs::read_to_string(&pull_path)
        .with_context(|| format!("reading {}", pull_path.display()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut projects: Vec<PathBuf> = std::fs::read_dir(corpus.join("real"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("migrations").is_dir())
        .collect();
    projects.sort();

    let mut rows = Vec::new();
    let mut out = Vec::new();
    for dir in &projects {
        let project = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let started = Instant::now();
        // Created and dropped outside the runtime: the harness blocks on its own.
        let db = TestDb::try_new_blocking()
            .map_err(|e| anyhow::anyhow!("no PostgreSQL for the migrate section: {e}"))?;
        let report = runtime.block_on(check_project(dir, db.url()));
        drop(db);
        let elapsed = started.elapsed();
        let report = match report {
            Ok(report) => report,
            Err(e) => {
                out.push(Disagreement {
                    suite: SUITE,
                    case: project.clone(),
                    detail: format!("{e:#}"),
                });
                rows.push(vec![
                    project,
                    "error".into(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    seconds(elapsed),
                ]);
                continue;
            }
        };
        let expected = Expected {
            drift: recorded_section(&recorded, &project),
            pull: recorded_section(&recorded_pull, &project),
        };
        rows.push(judge(&project, &report, &expected, elapsed, &mut out));
    }
    print_table(
        "Migrations: Prisma's real histories deployed by refract",
        &[
            "project",
            "migrate deploy (applied / recorded / in folder)",
            "migrate status",
            "migrate diff --from-url --to-schema",
            "db pull: IR vs project",
            "time",
        ],
        &rows,
    );
    Ok(out)
}

/// What the four steps found for one project.
struct ProjectReport {
    in_folder: usize,
    applied: usize,
    recorded: usize,
    in_sync: bool,
    /// The diff script, trimmed; empty when there is no difference.
    drift: String,
    pull: PullReport,
}

struct PullReport {
    tables: usize,
    invalid: Option<String>,
    only_in_schema: Vec<String>,
    only_in_pulled: Vec<String>,
}

async fn check_project(dir: &Path, url: &str) -> Result<ProjectReport> {
    let migrations = dir.join("migrations");
    let in_folder = list_migrations(&migrations)?.len();
    let config = Config::new(url, &migrations);
    let deployed = deploy(&config).await.context("migrate deploy")?;
    let history = status(&config).await.context("migrate status")?;
    let recorded = history.diagnosis.applied.len();

    let schema_path = if dir.join("schema.prisma").is_file() {
        dir.join("schema.prisma")
    } else {
        dir.join("schema")
    };
    let files = refract_schema::load(&schema_path)?;
    let validated = refract_schema::validate(&files);
    anyhow::ensure!(
        validated.is_valid(),
        "{} does not validate",
        schema_path.display()
    );
    let schema = validated.schema;

    let diff = diff_command(
        &DiffSource::Url(url.to_owned()),
        &DiffSource::Schema(Box::new(schema.clone())),
        &DiffOptions {
            script: true,
            ..DiffOptions::default()
        },
    )
    .await
    .context("migrate diff")?;
    let drift = if diff.is_empty {
        String::new()
    } else {
        diff.text.trim().to_owned()
    };

    let pulled_text = db_pull_over(
        &config,
        Some(Existing {
            schema: &schema,
            facts: Some(&validated.source_facts),
        }),
        &refract_migrate::pull::config_blocks(&validated.source_facts),
        ExistingModels::Keep,
    )
    .await
    .context("db pull")?
    .text;
    let pulled = refract_schema::validate_str("pulled.prisma", &pulled_text);
    let invalid = pulled
        .diagnostics
        .errors()
        .next()
        .map(|d| d.message.clone());
    let expected = &database_facts(&schema) | &name_facts(&schema);
    let actual = &database_facts(&pulled.schema) | &name_facts(&pulled.schema);
    Ok(ProjectReport {
        in_folder,
        applied: deployed.applied.len(),
        recorded,
        in_sync: history.is_in_sync(),
        drift,
        pull: PullReport {
            tables: table_count(&pulled.schema),
            invalid,
            only_in_schema: expected.difference(&actual).cloned().collect(),
            only_in_pulled: actual.difference(&expected).cloned().collect(),
        },
    })
}

/// One table row, and a disagreement per step that did not agree.
fn judge(
    project: &str,
    report: &ProjectReport,
    expected: &Expected,
    elapsed: Duration,
    out: &mut Vec<Disagreement>,
) -> Vec<String> {
    let mut disagree = |case: String, detail: String| {
        out.push(Disagreement {
            suite: SUITE,
            case,
            detail,
        })
    };

    let deploy_ok = report.applied == report.in_folder && report.recorded == report.in_folder;
    if !deploy_ok {
        disagree(
            format!("{project}/deploy"),
            format!(
                "{} migrations in the folder, {} applied, {} recorded",
                report.in_folder, report.applied, report.recorded
            ),
        );
    }
    if !report.in_sync {
        disagree(
            format!("{project}/status"),
            "not in sync after deploy".into(),
        );
    }

    let expected_drift = &expected.drift;
    let statements = report
        .drift
        .lines()
        .filter(|l| !l.starts_with("--") && !l.trim().is_empty())
        .count();
    let diff_cell = if report.drift.is_empty() && expected_drift.is_empty() {
        "empty".to_owned()
    } else if report.drift == *expected_drift {
        disagree(
            format!("{project}/diff: recorded drift"),
            format!(
                "{statements} statement(s), as recorded in crates/migrate/tests/real_drift.txt"
            ),
        );
        format!("project's own drift ({statements} statements)")
    } else {
        disagree(
            format!("{project}/diff"),
            format!(
                "differs from crates/migrate/tests/real_drift.txt:\n--- expected\n{expected_drift}\n--- refract\n{}",
                report.drift
            ),
        );
        format!("UNEXPECTED ({statements} statements)")
    };

    let pull = &report.pull;
    let pull_cell = if let Some(error) = &pull.invalid {
        disagree(
            format!("{project}/pull"),
            format!("the pulled schema is invalid: {error}"),
        );
        "invalid schema".to_owned()
    } else {
        let mut lines: Vec<String> = pull
            .only_in_schema
            .iter()
            .map(|fact| format!("only in the schema: {fact}"))
            .chain(
                pull.only_in_pulled
                    .iter()
                    .map(|fact| format!("only in the pull: {fact}")),
            )
            .collect();
        lines.sort();
        let found = lines.join("\n");
        let mut recorded: Vec<&str> = expected.pull.lines().collect();
        recorded.sort_unstable();
        if lines.is_empty() && recorded.is_empty() {
            format!("matches ({} tables)", pull.tables)
        } else if found == recorded.join("\n") {
            disagree(
                format!("{project}/pull: recorded differences"),
                format!("{} fact(s), as recorded in {PULL_DIFFERENCES}", lines.len()),
            );
            format!("{} recorded difference(s)", lines.len())
        } else {
            disagree(
                format!("{project}/pull"),
                format!(
                    "differs from {PULL_DIFFERENCES}:\n--- expected\n{}\n--- refract\n{found}",
                    recorded.join("\n")
                ),
            );
            format!("UNEXPECTED ({} difference(s))", lines.len())
        }
    };

    vec![
        project.to_owned(),
        format!(
            "{} / {} / {}{}",
            report.applied,
            report.recorded,
            report.in_folder,
            if deploy_ok { "" } else { " MISMATCH" }
        ),
        if report.in_sync {
            "in sync".into()
        } else {
            "NOT in sync".into()
        },
        diff_cell,
        pull_cell,
        seconds(elapsed),
    ]
}

/// The section of a recorded-differences file for `project`, comments dropped, trimmed.
fn recorded_section(text: &str, project: &str) -> String {
    let mut section = String::new();
    let mut inside = false;
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("## ") {
            inside = name.trim() == project;
            continue;
        }
        if inside && !line.starts_with('#') {
            section.push_str(line);
            section.push('\n');
        }
    }
    section.trim().to_owned()
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn table_count(schema: &ir::Schema) -> usize {
    schema
        .models
        .iter()
        .filter(|m| m.kind == ModelKind::Table)
        .count()
        + schema
            .relations
            .iter()
            .filter(|r| r.kind == RelationKind::ManyToMany)
            .count()
}

/// The Prisma-side names, which the database does not hold and re-introspection keeps:
/// models, enums and their values, scalar and relation fields, each with what it stands for.
fn name_facts(schema: &ir::Schema) -> BTreeSet<String> {
    let mut facts = BTreeSet::new();
    for e in &schema.enums {
        facts.insert(format!("name: enum {} = {}", e.name, e.db_name));
        for v in &e.values {
            facts.insert(format!("name: value {}.{} = {}", e.name, v.name, v.db_name));
        }
    }
    for model in schema.models.iter().filter(|m| m.kind == ModelKind::Table) {
        facts.insert(format!("name: model {} = {}", model.name, model.db_name));
        for field in &model.fields {
            facts.insert(format!(
                "name: field {}.{} = {}",
                model.name, field.name, field.db_name
            ));
        }
        for field in &model.relation_fields {
            let related = &schema.models[field.related_model.0 as usize];
            facts.insert(format!(
                "name: relation field {}.{} -> {}",
                model.name, field.name, related.name
            ));
        }
    }
    facts
}

/// What a schema says about the database, one line per fact, in database names only.
fn database_facts(schema: &ir::Schema) -> BTreeSet<String> {
    let mut facts = BTreeSet::new();
    for e in &schema.enums {
        // Order aside: values appended by `ALTER TYPE ... ADD VALUE` sit at the end in the
        // database, and neither Prisma's differ nor refract's compares the order.
        let mut values: Vec<&str> = e.values.iter().map(|v| v.db_name.as_str()).collect();
        values.sort_unstable();
        facts.insert(format!(
            "enum {}: {}",
            qualified(&e.schema, &e.db_name),
            values.join(", ")
        ));
    }
    for model in schema.models.iter().filter(|m| m.kind == ModelKind::Table) {
        let table = qualified(&model.schema, &model.db_name);
        facts.insert(format!("table {table}"));
        for field in &model.fields {
            facts.insert(format!(
                "column {table}.{}: {}{}{}",
                field.db_name,
                column_type(schema, field),
                match field.arity {
                    Arity::Required => "",
                    Arity::Optional => "?",
                    Arity::List => "[]",
                },
                database_default(field.default.as_ref().map(|d| &d.kind))
            ));
        }
        let columns = |fields: &[ir::IndexField]| -> String {
            fields
                .iter()
                .map(|f| {
                    let name = model.fields[f.field.0 as usize].db_name.as_str();
                    match f.sort {
                        Some(ir::SortOrder::Desc) => format!("{name} DESC"),
                        _ => name.to_owned(),
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        if let Some(pk) = &model.primary_key {
            facts.insert(format!(
                "primary key {table} {}({})",
                pk.db_name,
                columns(&pk.fields)
            ));
        }
        for index in &model.indexes {
            let kind = match index.kind {
                IndexKind::Unique => "unique",
                IndexKind::Normal => "index",
                IndexKind::Fulltext => "fulltext",
            };
            let method = match index.algorithm {
                None | Some(ir::IndexAlgorithm::BTree) => String::new(),
                Some(other) => format!(" using {other:?}"),
            };
            facts.insert(format!(
                "{kind} {table} {}({}){method}",
                index.db_name,
                columns(&index.fields)
            ));
        }
    }
    // `relationMode = "prisma"`: relations live in the client; the database has no foreign
    // keys (the join tables of many-to-many relations still exist).
    let emulated = schema
        .datasource
        .as_ref()
        .is_some_and(|d| d.relation_mode == ir::RelationMode::Prisma);
    for relation in &schema.relations {
        if emulated && relation.kind != RelationKind::ManyToMany {
            continue;
        }
        let side = relation.referencing;
        let model = &schema.models[side.model.0 as usize];
        let field = &model.relation_fields[side.index];
        let related = &schema.models[field.related_model.0 as usize];
        match relation.kind {
            RelationKind::ManyToMany => {
                let other = relation
                    .referenced
                    .map(|r| &schema.models[r.model.0 as usize])
                    .unwrap_or(related);
                facts.insert(format!(
                    "many-to-many table {}: A -> {}, B -> {}",
                    relation.db_name, model.db_name, other.db_name
                ));
            }
            RelationKind::OneToOne | RelationKind::OneToMany => {
                if field.fields.is_empty() {
                    continue;
                }
                let names = |m: &ir::Model, ids: &[ir::FieldId]| {
                    ids.iter()
                        .map(|id| m.fields[id.0 as usize].db_name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                facts.insert(format!(
                    "foreign key {}.{} ({}) -> {}({}) on delete {:?} on update {:?}",
                    model.db_name,
                    relation.db_name,
                    names(model, &field.fields),
                    related.db_name,
                    names(related, &field.references),
                    relation.on_delete,
                    relation.on_update
                ));
            }
        }
    }
    facts
}

fn qualified(schema: &Option<String>, name: &str) -> String {
    match schema {
        Some(ns) => format!("{ns}.{name}"),
        None => name.to_owned(),
    }
}

/// The column's type as the database sees it: the scalar with its native type unless that
/// is the scalar's default mapping.
fn column_type(schema: &ir::Schema, field: &ir::ScalarField) -> String {
    match &field.field_type {
        FieldType::Scalar(scalar) => {
            let default_native: (&str, &[&str]) = match scalar {
                ir::ScalarType::String => ("Text", &[]),
                ir::ScalarType::Boolean => ("Boolean", &[]),
                ir::ScalarType::Int => ("Integer", &[]),
                ir::ScalarType::BigInt => ("BigInt", &[]),
                ir::ScalarType::Float => ("DoublePrecision", &[]),
                ir::ScalarType::Decimal => ("Decimal", &["65", "30"]),
                ir::ScalarType::DateTime => ("Timestamp", &["3"]),
                ir::ScalarType::Json => ("JsonB", &[]),
                ir::ScalarType::Bytes => ("ByteA", &[]),
            };
            match &field.native_type {
                Some(native)
                    if !(native.name == default_native.0
                        && native
                            .args
                            .iter()
                            .map(String::as_str)
                            .eq(default_native.1.iter().copied())) =>
                {
                    format!(
                        "{} @db.{}({})",
                        scalar.name(),
                        native.name,
                        native.args.join(",")
                    )
                }
                _ => scalar.name().to_owned(),
            }
        }
        FieldType::Enum(id) => format!("enum {}", schema.enums[id.0 as usize].db_name),
        FieldType::Unsupported(text) => format!("Unsupported({text})"),
    }
}

/// The default the database holds; defaults the client fills in are not in it.
fn database_default(kind: Option<&DefaultKind>) -> &'static str {
    match kind {
        Some(DefaultKind::Value(_)) => " default value",
        Some(DefaultKind::Autoincrement) => " default autoincrement()",
        Some(DefaultKind::Now) => " default now()",
        Some(DefaultKind::DbGenerated(Some(_))) => " default dbgenerated",
        Some(DefaultKind::Sequence) => " default sequence",
        _ => "",
    }
}
