//! `gen migrate lint`, `gen migrate deploy --lint` and the lint `gen migrate dev` prints,
//! end to end: `--all` and FILE without a database, pending migrations and the deploy
//! refusal against real PostgreSQL (refract-testdb), allow comments as the way through.

use std::path::Path;

use refract_testdb::TestDb;

mod support;
use support::{assert_exit, both, gen_in, stderr, stdout};

const SCHEMA: &str = "datasource db {\n  provider = \"postgresql\"\n}\n\nmodel User {\n  id    Int    @id @default(autoincrement())\n  email String\n  age   Int?\n}\n";

const INIT: &str = "-- CreateTable\nCREATE TABLE \"User\" (\n    \"id\" SERIAL NOT NULL,\n    \"email\" TEXT NOT NULL,\n\n    CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\")\n);\n\n-- CreateIndex\nCREATE INDEX \"User_email_idx\" ON \"User\"(\"email\");\n";

/// A required column without a default (line 2) and a blocking index (line 5).
const HAZARDS: &str = "-- AlterTable\nALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER NOT NULL;\n\n-- CreateIndex\nCREATE INDEX \"User_age_idx\" ON \"User\"(\"age\");\n";

fn project(migrations: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schema.prisma"), SCHEMA).unwrap();
    for (name, script) in migrations {
        add_migration(dir.path(), name, script);
    }
    dir
}

fn add_migration(dir: &Path, name: &str, script: &str) {
    let folder = dir.join("migrations").join(name);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("migration.sql"), script).unwrap();
}

#[test]
fn all_and_file_need_no_database() {
    let project = project(&[("01_init", INIT), ("02_age", HAZARDS)]);
    let dir = project.path();

    let o = gen_in(dir, &["migrate", "lint", "--all"]);
    assert_exit(&o, 1);
    let out = stdout(&o);
    assert!(
        out.contains("migrations/02_age/migration.sql:2: adding-required-field: adding the required column `User`.`age` without a default"),
        "{}",
        both(&o)
    );
    assert!(
        out.contains("migrations/02_age/migration.sql:5: require-concurrent-index-creation:"),
        "{}",
        both(&o)
    );
    assert!(out.contains("  fix: "), "{}", both(&o));
    // The index in 01_init is on a table created just before it.
    assert!(!out.contains("01_init"), "{}", both(&o));
    assert!(
        out.contains(
            "2 lint findings in 1 migration. Silence one with `-- refract-lint: allow <rule>`"
        ),
        "{}",
        both(&o)
    );

    let o = gen_in(
        dir,
        &["migrate", "lint", "migrations/01_init/migration.sql"],
    );
    assert_exit(&o, 0);
    assert!(stdout(&o).contains("No lint findings"), "{}", both(&o));

    let o = gen_in(dir, &["migrate", "lint", "migrations/02_age/migration.sql"]);
    assert_exit(&o, 1);

    // An enum value added in a migration that runs in a transaction, on PostgreSQL 11.
    add_migration(
        dir,
        "03_enum",
        "ALTER TYPE \"Role\" ADD VALUE 'ADMIN';\nALTER TABLE \"User\" ADD COLUMN \"nick\" TEXT;\n",
    );
    let file = "migrations/03_enum/migration.sql";
    let o = gen_in(dir, &["migrate", "lint", file, "--pg-version", "11"]);
    assert_exit(&o, 1);
    assert!(
        stdout(&o).contains(":1: adding-enum-value-in-transaction:"),
        "{}",
        both(&o)
    );
    let o = gen_in(dir, &["migrate", "lint", file, "--pg-version", "16"]);
    assert_exit(&o, 0);
    // A major that is no PostgreSQL version is a usage error (it used to overflow
    // `major * 10000`).
    for major in ["429497", "8", "100"] {
        let o = gen_in(dir, &["migrate", "lint", file, "--pg-version", major]);
        assert_exit(&o, 2);
        assert!(stderr(&o).contains("--pg-version"), "{}", both(&o));
    }

    let o = gen_in(dir, &["migrate", "lint", "missing.sql"]);
    assert_exit(&o, 2);
}

#[tokio::test]
async fn pending_migrations_and_deploy_refusal() {
    let db = TestDb::new().await;
    let project = project(&[("01_init", INIT)]);
    let dir = project.path();
    let o = gen_in(dir, &["migrate", "deploy", "--lint", "--url", db.url()]);
    assert_exit(&o, 0);

    let o = gen_in(dir, &["migrate", "lint", "--url", db.url()]);
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains("No pending migration to lint"),
        "{}",
        both(&o)
    );

    add_migration(dir, "02_age", HAZARDS);
    let o = gen_in(dir, &["migrate", "lint", "--url", db.url()]);
    assert_exit(&o, 1);
    assert!(
        stdout(&o).contains("migrations/02_age/migration.sql:2: adding-required-field:"),
        "{}",
        both(&o)
    );

    let o = gen_in(dir, &["migrate", "deploy", "--lint", "--url", db.url()]);
    assert_exit(&o, 1);
    let text = both(&o);
    assert!(text.contains("nothing was applied"), "{text}");
    assert!(text.contains("-- refract-lint: allow <rule>"), "{text}");
    assert!(text.contains("without `--lint`"), "{text}");
    let applied = async |db: &TestDb| -> Vec<String> {
        let sql = "SELECT migration_name FROM _prisma_migrations ORDER BY migration_name";
        refract_testdb::first_column(&db.client().await, sql, &[]).await
    };
    assert_eq!(applied(&db).await, ["01_init"]);

    // The table is empty: the hazards are acceptable, and the comments say so.
    let allowed = HAZARDS
        .replace(
            "-- AlterTable\n",
            "-- AlterTable\n-- refract-lint: allow adding-required-field\n",
        )
        .replace(
            "-- CreateIndex\n",
            "-- refract-lint: allow require-concurrent-index-creation\n-- CreateIndex\n",
        );
    add_migration(dir, "02_age", &allowed);
    let o = gen_in(dir, &["migrate", "deploy", "--lint", "--url", db.url()]);
    assert_exit(&o, 0);
    assert_eq!(applied(&db).await, ["01_init", "02_age"]);
}

#[tokio::test]
async fn migrate_dev_prints_the_lint_of_what_it_wrote() {
    let db = TestDb::new().await;
    let project = project(&[]);
    let dir = project.path();
    let o = gen_in(
        dir,
        &["migrate", "dev", "--name", "init", "--url", db.url()],
    );
    assert_exit(&o, 0);
    assert!(!stdout(&o).contains("Lint"), "{}", both(&o));

    let schema = SCHEMA.replace("  age   Int?\n}", "  age   Int?\n\n  @@index([age])\n}");
    std::fs::write(dir.join("schema.prisma"), schema).unwrap();
    let o = gen_in(
        dir,
        &["migrate", "dev", "--name", "age_index", "--url", db.url()],
    );
    assert_exit(&o, 0);
    let out = stdout(&o);
    assert!(out.contains("Lint (`gen migrate lint`)"), "{}", both(&o));
    assert!(
        out.contains("_age_index/migration.sql:2: require-concurrent-index-creation:"),
        "{}",
        both(&o)
    );
}
