//! Renames, absorbed drift, `--safe` and the refusals of `migrate dev`, with rows in the
//! tables: a confirmed rename keeps every row and leaves no drift (the next `migrate dev` is
//! in sync, and the database diffs to nothing against the schema); drift is written down
//! without touching a row; lock-safe scripts apply and leave the same schema. Prisma's own
//! verdict on these databases is checked by `cargo xtask conformance` (stage `renames`).

use std::path::Path;

use chrono::{TimeZone, Utc};
use refract_migrate::commands::{
    Config, DevOptions, DevOutcome, DiffOptions, DiffSource, FailedMigration, MigrateError, dev,
    diff_command, resolve_rolled_back, status,
};
use refract_migrate::diff::Rename;
use refract_testdb::TestDb;

pub(crate) fn schema(text: &str) -> refract_schema::ir::Schema {
    let validated = refract_schema::validate_str("schema.prisma", text);
    assert!(validated.is_valid(), "{:?}", validated.diagnostics);
    validated.schema
}

pub(crate) const HEADER: &str =
    "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n";

pub(crate) fn options(name: &str, minute: u32) -> DevOptions {
    let mut o = DevOptions::new(name);
    o.now = Utc.with_ymd_and_hms(2026, 3, 4, 5, minute, 0).unwrap();
    o
}

fn folders(dir: &Path) -> Vec<String> {
    refract_testdb::sorted_entries(dir)
        .iter()
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|n| n != "migration_lock.toml")
        .collect()
}

/// The database diffs to nothing against the schema, and `migrate dev` finds nothing to do.
pub(crate) async fn assert_in_sync(
    config: &Config,
    schema: &refract_schema::ir::Schema,
    minute: u32,
) {
    let out = diff_command(
        &DiffSource::Url(config.url.clone()),
        &DiffSource::Schema(Box::new(schema.clone())),
        &DiffOptions {
            script: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(out.is_empty, "{}", out.text);
    let again = dev(config, schema, &options("nothing", minute))
        .await
        .unwrap();
    assert!(
        matches!(again, DevOutcome::AlreadyInSync { .. }),
        "{again:?}"
    );
    assert!(status(config).await.unwrap().is_in_sync());
}

async fn strings(client: &tokio_postgres::Client, sql: &str) -> Vec<String> {
    refract_testdb::first_column(client, sql, &[]).await
}

fn users(field: &str) -> refract_schema::ir::Schema {
    schema(&format!(
        "{HEADER}\nmodel User {{\n  id    Int    @id @default(autoincrement())\n  email String @unique\n  {field} String\n\n  @@index([{field}])\n}}\n"
    ))
}

#[tokio::test]
async fn field_rename_by_flag_keeps_rows_and_renames_its_index() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new(db.url(), dir.path().join("migrations"));
    dev(&config, &users("fullName"), &options("init", 0))
        .await
        .unwrap();
    let client = db.client().await;
    client
        .batch_execute(
            "INSERT INTO \"User\" (email, \"fullName\") SELECT 'u' || i || '@x.y', 'Name ' || i FROM generate_series(1, 500) AS i",
        )
        .await
        .unwrap();

    // Without an answer: today's drop and add, here of a required column on a table with
    // rows, which cannot run.
    let err = dev(&config, &users("displayName"), &options("rename", 1))
        .await
        .unwrap_err();
    let MigrateError::UnexecutableUnlessRenamed { renames, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(renames, &["User.fullName=displayName"]);
    assert!(
        err.to_string()
            .contains("say so, and the rows are kept: `--rename User.fullName=displayName`"),
        "{err}"
    );

    let mut renamed = options("rename", 1);
    renamed.renames = vec!["User.fullName=displayName".into()];
    let outcome = dev(&config, &users("displayName"), &renamed).await.unwrap();
    let DevOutcome::Created {
        script, warnings, ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        script,
        "-- RenameColumn\nALTER TABLE \"User\" RENAME COLUMN \"fullName\" TO \"displayName\";\n\n\
         -- RenameIndex\nALTER INDEX \"User_fullName_idx\" RENAME TO \"User_displayName_idx\";\n"
    );
    let names = strings(
        &client,
        "SELECT \"displayName\" FROM \"User\" ORDER BY id LIMIT 2",
    )
    .await;
    assert_eq!(names, ["Name 1", "Name 2"]);
    let count: i64 = refract_testdb::one_value(&client, "SELECT COUNT(*) FROM \"User\"", &[]).await;
    assert_eq!(count, 500);
    assert_in_sync(&config, &users("displayName"), 2).await;
}

#[tokio::test]
async fn field_rename_asked_and_confirmed_keeps_rows() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new(db.url(), dir.path().join("migrations"));
    dev(&config, &users("fullName"), &options("init", 0))
        .await
        .unwrap();
    let client = db.client().await;
    client
        .batch_execute("INSERT INTO \"User\" (email, \"fullName\") VALUES ('a@b.c', 'Ann')")
        .await
        .unwrap();

    let mut asking = options("rename", 1);
    asking.ask_renames = true;
    let outcome = dev(&config, &users("displayName"), &asking).await.unwrap();
    let DevOutcome::RenameQuestions { candidates, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(candidates.len(), 1);
    assert_eq!(
        candidates[0].to_string(),
        "`User.fullName` to `User.displayName`"
    );
    asking.confirmed_renames = candidates;
    let outcome = dev(&config, &users("displayName"), &asking).await.unwrap();
    assert!(matches!(outcome, DevOutcome::Created { .. }), "{outcome:?}");
    assert_eq!(
        strings(&client, "SELECT \"displayName\" FROM \"User\"").await,
        ["Ann"]
    );
    assert_in_sync(&config, &users("displayName"), 2).await;
}

fn blog(post: &str, status_enum: &str, published: &str) -> refract_schema::ir::Schema {
    schema(&format!(
        "{HEADER}
enum {status_enum} {{
  DRAFT
  {published}
}}

model {post} {{
  id       Int       @id @default(autoincrement())
  slug     String    @unique
  status   {status_enum}    @default(DRAFT)
  comments Comment[]
}}

model Comment {{
  id     Int    @id @default(autoincrement())
  postId Int
  body   String
  post   {post}   @relation(fields: [postId], references: [id])

  @@index([postId])
}}
"
    ))
}

#[tokio::test]
async fn model_enum_and_value_renames_keep_rows_and_constraint_names_follow() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new(db.url(), dir.path().join("migrations"));
    dev(
        &config,
        &blog("Post", "Status", "LIVE"),
        &options("init", 0),
    )
    .await
    .unwrap();
    let client = db.client().await;
    client
        .batch_execute(
            "INSERT INTO \"Post\" (slug, status) VALUES ('a', 'LIVE'), ('b', 'DRAFT');
             INSERT INTO \"Comment\" (\"postId\", body) SELECT 1 + i % 2, 'c' || i FROM generate_series(1, 100) AS i;",
        )
        .await
        .unwrap();

    let next = blog("Article", "State", "PUBLISHED");
    // Asked: the model and the enum, then (next round) the value.
    let mut asking = options("rename", 1);
    asking.ask_renames = true;
    let outcome = dev(&config, &next, &asking).await.unwrap();
    let DevOutcome::RenameQuestions { candidates, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        candidates.iter().map(Rename::flag).collect::<Vec<_>>(),
        ["Post=Article", "Status=State"]
    );
    asking.confirmed_renames = candidates;
    let outcome = dev(&config, &next, &asking).await.unwrap();
    let DevOutcome::RenameQuestions { candidates, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        candidates.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        ["the value `State.LIVE` to `State.PUBLISHED`"]
    );

    let mut renamed = options("rename", 1);
    renamed.renames = vec![
        "Post=Article".into(),
        "Status=State".into(),
        "State.LIVE=PUBLISHED".into(),
    ];
    let outcome = dev(&config, &next, &renamed).await.unwrap();
    let DevOutcome::Created {
        script, warnings, ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert!(warnings.is_empty(), "{warnings:?}");
    for expected in [
        "ALTER TABLE \"Post\" RENAME TO \"Article\";",
        "ALTER TYPE \"Status\" RENAME TO \"State\";",
        "ALTER TYPE \"State\" RENAME VALUE 'LIVE' TO 'PUBLISHED';",
        "ALTER TABLE \"Article\" RENAME CONSTRAINT \"Post_pkey\" TO \"Article_pkey\";",
        "ALTER INDEX \"Post_slug_key\" RENAME TO \"Article_slug_key\";",
    ] {
        assert!(script.contains(expected), "{expected} in\n{script}");
    }
    assert!(!script.contains("DROP"), "{script}");
    assert_eq!(
        strings(
            &client,
            "SELECT slug || ':' || status::text FROM \"Article\" ORDER BY id"
        )
        .await,
        ["a:PUBLISHED", "b:DRAFT"]
    );
    let comments: i64 = refract_testdb::one_value(
        &client,
        "SELECT COUNT(*) FROM \"Comment\" c JOIN \"Article\" a ON a.id = c.\"postId\"",
        &[],
    )
    .await;
    assert_eq!(comments, 100);
    assert_in_sync(&config, &next, 2).await;
}

#[tokio::test]
async fn a_rename_that_names_nothing_is_refused() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new(db.url(), dir.path().join("migrations"));
    dev(&config, &users("fullName"), &options("init", 0))
        .await
        .unwrap();
    let mut renamed = options("rename", 1);
    renamed.renames = vec!["User.nickname=displayName".into()];
    let err = dev(&config, &users("displayName"), &renamed)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, MigrateError::InvalidRename(m) if m.contains("no column `User.nickname`")),
        "{err}"
    );
    renamed.renames = vec!["Nothing=User".into()];
    let err = dev(&config, &users("displayName"), &renamed)
        .await
        .unwrap_err();
    assert!(matches!(err, MigrateError::InvalidRename(_)), "{err}");
    assert_eq!(folders(&config.migrations_dir).len(), 1);
}

#[tokio::test]
async fn drift_is_absorbed_without_losing_a_row() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new(db.url(), dir.path().join("migrations"));
    let v1 = users("fullName");
    dev(&config, &v1, &options("init", 0)).await.unwrap();
    let client = db.client().await;
    client
        .batch_execute(
            "INSERT INTO \"User\" (email, \"fullName\") SELECT 'u' || i || '@x.y', 'N' || i FROM generate_series(1, 300) AS i;
             ALTER TABLE \"User\" ADD COLUMN \"nickname\" TEXT;
             UPDATE \"User\" SET nickname = 'nick' || id;
             DROP INDEX \"User_fullName_idx\";",
        )
        .await
        .unwrap();

    // Without consent: the drift is shown, nothing changes.
    let outcome = dev(&config, &v1, &options("next", 1)).await.unwrap();
    let DevOutcome::Drift {
        summary, script, ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert!(summary.contains("[+] Added column `nickname`"), "{summary}");
    assert_eq!(
        script,
        "-- DropIndex\nDROP INDEX \"User_fullName_idx\";\n\n-- AlterTable\nALTER TABLE \"User\" ADD COLUMN     \"nickname\" TEXT;\n"
    );
    assert_eq!(folders(&config.migrations_dir).len(), 1);

    // Absorbed, then the schema change (the new field is the hand-added column).
    let v2 = schema(&format!(
        "{HEADER}\nmodel User {{\n  id       Int     @id @default(autoincrement())\n  email    String  @unique\n  fullName String\n  nickname String?\n  age      Int?\n\n  @@index([fullName])\n}}\n"
    ));
    let mut absorbing = options("add age", 1);
    absorbing.absorb_drift = true;
    let outcome = dev(&config, &v2, &absorbing).await.unwrap();
    let DevOutcome::Created {
        folder,
        script,
        absorbed,
        ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(absorbed.as_deref(), Some("20260304050100_absorbed_drift"));
    assert_eq!(folder, "20260304050101_add_age");
    assert!(
        script.contains("ADD COLUMN     \"age\" INTEGER"),
        "{script}"
    );
    assert!(
        script.contains("CREATE INDEX \"User_fullName_idx\""),
        "{script}"
    );
    assert_eq!(
        folders(&config.migrations_dir),
        [
            "20260304050000_init",
            "20260304050100_absorbed_drift",
            "20260304050101_add_age"
        ]
    );
    let kept: i64 = refract_testdb::one_value(
        &client,
        "SELECT COUNT(*) FROM \"User\" WHERE nickname = 'nick' || id",
        &[],
    )
    .await;
    assert_eq!(kept, 300);
    assert_in_sync(&config, &v2, 3).await;

    // The absorbed history replays: a fresh database deploys it to the same schema.
    let fresh = TestDb::new().await;
    refract_migrate::commands::deploy(&Config::new(fresh.url(), &config.migrations_dir))
        .await
        .unwrap();
    let out = diff_command(
        &DiffSource::Url(fresh.url().to_owned()),
        &DiffSource::Schema(Box::new(v2)),
        &DiffOptions::default(),
    )
    .await
    .unwrap();
    assert!(out.is_empty, "{}", out.text);
}

#[tokio::test]
async fn safe_writes_concurrent_indexes_and_not_valid_constraints_apart() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new(db.url(), dir.path().join("migrations"));
    let v1 = schema(&format!(
        "{HEADER}
model Team {{
  id Int @id @default(autoincrement())
}}

model Event {{
  id     Int     @id @default(autoincrement())
  teamId Int?
  kind   String?
}}
"
    ));
    let v2 = schema(&format!(
        "{HEADER}
model Team {{
  id     Int     @id @default(autoincrement())
  events Event[]
}}

model Event {{
  id     Int    @id @default(autoincrement())
  teamId Int?
  kind   String
  team   Team?  @relation(fields: [teamId], references: [id])

  @@index([kind])
}}
"
    ));
    dev(&config, &v1, &options("init", 0)).await.unwrap();
    let client = db.client().await;
    client
        .batch_execute(
            "INSERT INTO \"Team\" DEFAULT VALUES;
             INSERT INTO \"Event\" (\"teamId\", kind) SELECT 1, 'k' || (i % 7) FROM generate_series(1, 2000) AS i;",
        )
        .await
        .unwrap();
    let mut safe = options("events", 1);
    safe.safe = true;
    let outcome = dev(&config, &v2, &safe).await.unwrap();
    let DevOutcome::Created {
        folder,
        script,
        more,
        applied,
        ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(folder, "20260304050100_events");
    assert_eq!(
        script,
        "-- AddNotNullCheck\nALTER TABLE \"Event\" ADD CONSTRAINT \"Event_kind_not_null\" CHECK (\"kind\" IS NOT NULL) NOT VALID;\n\n\
         -- AddForeignKey\nALTER TABLE \"Event\" ADD CONSTRAINT \"Event_teamId_fkey\" FOREIGN KEY (\"teamId\") REFERENCES \"Team\"(\"id\") ON DELETE SET NULL ON UPDATE CASCADE NOT VALID;\n"
    );
    assert_eq!(
        more,
        [
            (
                "20260304050101_events_concurrent_indexes".to_owned(),
                "-- CreateIndex\nCREATE INDEX CONCURRENTLY \"Event_kind_idx\" ON \"Event\"(\"kind\");\n".to_owned()
            ),
            (
                "20260304050102_events_validate".to_owned(),
                "-- ValidateNotNullCheck\nALTER TABLE \"Event\" VALIDATE CONSTRAINT \"Event_kind_not_null\";\n\n\
                 -- SetNotNull\nALTER TABLE \"Event\" ALTER COLUMN \"kind\" SET NOT NULL;\n\n\
                 -- DropNotNullCheck\nALTER TABLE \"Event\" DROP CONSTRAINT \"Event_kind_not_null\";\n\n\
                 -- ValidateForeignKey\nALTER TABLE \"Event\" VALIDATE CONSTRAINT \"Event_teamId_fkey\";\n"
                    .to_owned()
            ),
        ]
    );
    assert_eq!(applied.len(), 3);
    let count: i64 =
        refract_testdb::one_value(&client, "SELECT COUNT(*) FROM \"Event\"", &[]).await;
    assert_eq!(count, 2000);
    assert_in_sync(&config, &v2, 2).await;
}

#[tokio::test]
async fn failures_and_missing_names_say_how_to_go_on() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new(db.url(), dir.path().join("migrations"));
    let v1 = users("fullName");
    dev(&config, &v1, &options("init", 0)).await.unwrap();
    let client = db.client().await;
    client
        .batch_execute("INSERT INTO \"User\" (email, \"fullName\") VALUES ('a@b.c', 'Ann')")
        .await
        .unwrap();

    // No name, and a migration to write: refused, nothing written.
    let v2 = schema(&format!(
        "{HEADER}\nmodel User {{\n  id       Int     @id @default(autoincrement())\n  email    String  @unique\n  fullName String\n  age      Int?\n\n  @@index([fullName])\n}}\n"
    ));
    let err = dev(&config, &v2, &options("", 1)).await.unwrap_err();
    assert!(matches!(err, MigrateError::NameRequired), "{err}");
    assert_eq!(folders(&config.migrations_dir).len(), 1);

    // A migration that fails in its transaction: nothing of it applied, and the outcome
    // says so, so `resolve --rolled-back` and a fix keep the row.
    let mut create_only = options("bad", 2);
    create_only.create_only = true;
    let DevOutcome::Created { folder, .. } = dev(&config, &v2, &create_only).await.unwrap() else {
        panic!()
    };
    let path = config.migrations_dir.join(&folder).join("migration.sql");
    let good = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{good}\nSELECT 1/0;\n")).unwrap();
    let err = dev(&config, &v2, &options("next", 3)).await.unwrap_err();
    assert!(matches!(err, MigrateError::Apply(_)), "{err}");
    let outcome = dev(&config, &v2, &options("next", 3)).await.unwrap();
    assert_eq!(
        outcome,
        DevOutcome::FailedMigrations {
            failed: vec![FailedMigration {
                name: folder.clone(),
                nothing_applied: true
            }]
        }
    );
    std::fs::write(&path, good).unwrap();
    resolve_rolled_back(&config, &folder).await.unwrap();
    let outcome = dev(&config, &v2, &options("next", 3)).await.unwrap();
    assert!(
        matches!(&outcome, DevOutcome::AlreadyInSync { applied } if applied == std::slice::from_ref(&folder)),
        "{outcome:?}"
    );
    assert_eq!(
        strings(&client, "SELECT \"fullName\" FROM \"User\"").await,
        ["Ann"]
    );
}

/// Absorbed drift is what `migrate deploy` runs on every other database: drift that drops a
/// column is written down only with consent, with Prisma's data-loss warning (worded for a
/// database whose rows are unknown) as a comment in the script; without consent nothing is
/// written or recorded, and the outcome lists the warnings.
#[tokio::test]
async fn destructive_drift_is_absorbed_only_with_consent() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new(db.url(), dir.path().join("migrations"));
    let v1 = schema(&format!(
        "{HEADER}\nmodel User {{\n  id    Int     @id @default(autoincrement())\n  email String  @unique\n  bio   String?\n}}\n"
    ));
    dev(&config, &v1, &options("init", 0)).await.unwrap();
    let client = db.client().await;
    client
        .batch_execute(
            "INSERT INTO \"User\" (email, bio) SELECT 'u' || i || '@x.y', 'b' FROM generate_series(1, 50) AS i;
             ALTER TABLE \"User\" DROP COLUMN \"bio\";",
        )
        .await
        .unwrap();
    let v2 = schema(&format!(
        "{HEADER}\nmodel User {{\n  id    Int     @id @default(autoincrement())\n  email String  @unique\n}}\n"
    ));
    let warning = "You are about to drop the column `bio` on the `User` table. All the data in the column will be lost.";

    // Asked to absorb, without consent: refused with the warning; nothing written.
    let mut absorbing = options("next", 1);
    absorbing.absorb_drift = true;
    let outcome = dev(&config, &v2, &absorbing).await.unwrap();
    let DevOutcome::Drift {
        script, warnings, ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(warnings, [warning]);
    assert!(script.contains("/*\n  Warnings:\n"), "{script}");
    assert!(script.contains(warning), "{script}");
    assert!(script.contains("DROP COLUMN \"bio\""), "{script}");
    assert_eq!(folders(&config.migrations_dir), ["20260304050000_init"]);

    // With the consent a terminal asks for: absorbed, warning and all, recorded as applied.
    absorbing.accept_absorbed_data_loss = true;
    let outcome = dev(&config, &v2, &absorbing).await.unwrap();
    let DevOutcome::Created {
        absorbed,
        absorbed_script,
        absorbed_warnings,
        ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(absorbed.as_deref(), Some("20260304050100_absorbed_drift"));
    assert_eq!(absorbed_warnings, [warning]);
    assert_eq!(absorbed_script, script);
    let written = std::fs::read_to_string(
        config
            .migrations_dir
            .join("20260304050100_absorbed_drift")
            .join("migration.sql"),
    )
    .unwrap();
    assert_eq!(written, script);
    let rows: i64 = refract_testdb::one_value(&client, "SELECT COUNT(*) FROM \"User\"", &[]).await;
    assert_eq!(rows, 50);
    assert_in_sync(&config, &v2, 2).await;
}

/// "Nothing of it was applied" is claimed only from the history row refract wrote when the
/// migration's one transaction rolled back, and only while the file is the one that ran.
/// An edited file, or a failed row without refract's mark (as Prisma writes them, having
/// run the statements one at a time), may have failed part way.
#[tokio::test]
async fn nothing_applied_only_when_refract_rolled_back_the_unchanged_file() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new(db.url(), dir.path().join("migrations"));
    let v1 = users("fullName");
    dev(&config, &v1, &options("init", 0)).await.unwrap();
    let v2 = schema(&format!(
        "{HEADER}\nmodel User {{\n  id       Int     @id @default(autoincrement())\n  email    String  @unique\n  fullName String\n  age      Int?\n\n  @@index([fullName])\n}}\n"
    ));
    let mut create_only = options("bad", 1);
    create_only.create_only = true;
    let DevOutcome::Created { folder, .. } = dev(&config, &v2, &create_only).await.unwrap() else {
        panic!()
    };
    let path = config.migrations_dir.join(&folder).join("migration.sql");
    let good = std::fs::read_to_string(&path).unwrap();
    let bad = format!("{good}\nSELECT 1/0;\n");
    std::fs::write(&path, &bad).unwrap();
    dev(&config, &v2, &options("next", 2)).await.unwrap_err();
    let failed = |nothing_applied| DevOutcome::FailedMigrations {
        failed: vec![FailedMigration {
            name: folder.clone(),
            nothing_applied,
        }],
    };
    assert_eq!(
        dev(&config, &v2, &options("next", 2)).await.unwrap(),
        failed(true)
    );

    // Edited since it failed: the row no longer speaks for the file.
    std::fs::write(&path, &good).unwrap();
    assert_eq!(
        dev(&config, &v2, &options("next", 2)).await.unwrap(),
        failed(false)
    );

    // A failed row as Prisma writes it (its logs, not refract's), checksum of the file.
    resolve_rolled_back(&config, &folder).await.unwrap();
    let client = db.client().await;
    client
        .execute(
            "INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at, applied_steps_count) \
             VALUES (gen_random_uuid()::text, $1, $2, 'Database error code: 22012', now(), 0)",
            &[&refract_migrate::checksum::render_checksum(&good), &folder],
        )
        .await
        .unwrap();
    assert_eq!(
        dev(&config, &v2, &options("next", 2)).await.unwrap(),
        failed(false)
    );
}
