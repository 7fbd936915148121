//! Prisma's real migration folders (`corpus/real/*/migrations`): `deploy` applies each folder
//! unchanged to a fresh database and records every migration; `status` is then in sync;
//! introspecting twice gives the same schema and diffing it against itself gives nothing;
//! and the database matches the project's schema (`migrate diff --from-url --to-schema` is
//! empty), except for the differences listed in `tests/real_drift.txt` with their reason.

use refract_migrate::commands::{Config, deploy, status};
use refract_migrate::{check, diff, history, lower, render_script, step::Pair};
use refract_testdb::TestDb;

use crate::common::{corpus, introspect_public};

fn expected_drift(project: &str) -> String {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/real_drift.txt"))
            .unwrap();
    let mut out = String::new();
    let mut inside = false;
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("## ") {
            inside = name.trim() == project;
            continue;
        }
        if inside && !line.starts_with('#') {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.trim().to_owned()
}

async fn check_project(project: &str, extensions: &[&str]) {
    let db = TestDb::new().await;
    let client = db.client().await;
    for extension in extensions {
        client
            .batch_execute(&format!("CREATE EXTENSION IF NOT EXISTS {extension}"))
            .await
            .unwrap();
    }
    let dir = corpus().join("real").join(project);
    let config = Config::new(db.url(), dir.join("migrations"));
    let report = deploy(&config)
        .await
        .unwrap_or_else(|e| panic!("{project}: {e}"));

    let records = history::list(&client).await.unwrap();
    assert_eq!(records.len(), report.applied.len());
    assert!(records.iter().all(|r| r.is_applied() && r.logs.is_none()));
    assert!(status(&config).await.unwrap().is_in_sync());

    let first = introspect_public(&client).await;
    let second = introspect_public(&client).await;
    assert_eq!(first, second, "{project}: introspection is not stable");
    assert!(first.tables.iter().all(|t| t.name != "_prisma_migrations"));
    let steps = diff(&first, &first);
    assert!(steps.is_empty(), "{project}: diff(s, s) = {steps:#?}");

    let path = if dir.join("schema.prisma").exists() {
        dir.join("schema.prisma")
    } else {
        dir.join("schema")
    };
    let validated = refract_schema::validate(&refract_schema::load(&path).unwrap());
    assert!(
        validated.is_valid(),
        "{project}: {:?}",
        validated.diagnostics
    );
    let target = lower(&validated.schema);
    let steps = diff(&first, &target);
    let drift = if steps.is_empty() {
        String::new()
    } else {
        render_script(
            &steps,
            Pair::new(&first, &target),
            &check::Diagnostics::default(),
        )
    };
    assert_eq!(
        drift.trim(),
        expected_drift(project),
        "{project}: database vs schema"
    );
}

#[tokio::test]
async fn documenso() {
    check_project("documenso", &[]).await;
}
#[tokio::test]
async fn ghostfolio() {
    check_project("ghostfolio", &[]).await;
}
#[tokio::test]
async fn hoppscotch() {
    check_project("hoppscotch", &[]).await;
}
#[tokio::test]
async fn inbox_zero() {
    check_project("inbox-zero", &[]).await;
}
#[tokio::test]
async fn langfuse() {
    check_project("langfuse", &[]).await;
}
#[tokio::test]
async fn rallly() {
    check_project("rallly", &[]).await;
}
#[tokio::test]
async fn trigger_dev() {
    check_project("trigger-dev", &[]).await;
}
#[tokio::test]
async fn umami() {
    check_project("umami", &[]).await;
}
