//! `gen migrate dev` renames, drift and refusals end to end, with rows in the tables: the
//! rename question answered on a pseudo-terminal (`script -qec`, util-linux), the same
//! rename by `--rename`, drift absorbed by `--absorb-drift`, and the refusals without a
//! terminal, each naming the way forward (the non-destructive ones first).

use std::path::Path;
use std::process::{Command, Output, Stdio};

use refract_testdb::TestDb;

mod support;
use support::{assert_exit, both, gen_in, stderr, stdout};

const HEADER: &str =
    "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n";

fn write_schema(dir: &Path, models: &str) {
    std::fs::write(dir.join("schema.prisma"), format!("{HEADER}\n{models}")).unwrap();
}

fn user(field: &str) -> String {
    format!(
        "model User {{\n  id    Int     @id @default(autoincrement())\n  email String  @unique\n  {field} String?\n\n  @@index([{field}])\n}}\n"
    )
}

/// `gen ARGS` on a pseudo-terminal, `input` typed into it.
fn gen_on_terminal(dir: &Path, args: &[&str], input: &str) -> Output {
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_gen"))
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    let mut child = Command::new("script")
        .args(["-qec", &quoted.join(" "), "/dev/null"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run script(1) from util-linux");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

async fn names(db: &TestDb, sql: &str) -> Vec<String> {
    refract_testdb::first_column(&db.client().await, sql, &[]).await
}

#[tokio::test]
async fn renames_asked_on_a_terminal_or_given_by_flag_keep_every_row() {
    let db = TestDb::new().await;
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    write_schema(dir, &user("fullName"));
    let o = gen_in(
        dir,
        &["migrate", "dev", "--name", "init", "--url", db.url()],
    );
    assert_exit(&o, 0);
    db.client()
        .await
        .batch_execute(
            "INSERT INTO \"User\" (email, \"fullName\") SELECT 'u' || i || '@x.y', 'N' || i FROM generate_series(1, 200) AS i",
        )
        .await
        .unwrap();

    // No terminal, no answer: the drop and add needs consent; the refusal names --rename.
    write_schema(dir, &user("displayName"));
    let o = gen_in(
        dir,
        &["migrate", "dev", "--name", "rename", "--url", db.url()],
    );
    assert_exit(&o, 1);
    assert!(
        stderr(&o).contains("`--rename User.fullName=displayName`"),
        "{}",
        both(&o)
    );

    // On a terminal: asked, answered yes.
    let o = gen_on_terminal(
        dir,
        &["migrate", "dev", "--name", "rename", "--url", db.url()],
        "y\n",
    );
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains("Did you rename `User.fullName` to `User.displayName`? [y/N]"),
        "{}",
        both(&o)
    );
    assert_eq!(
        names(
            &db,
            "SELECT \"displayName\" FROM \"User\" WHERE id <= 2 ORDER BY id"
        )
        .await,
        ["N1", "N2"]
    );

    // On a terminal: the model, asked and answered yes.
    write_schema(
        dir,
        &user("displayName").replace("model User", "model Person"),
    );
    let o = gen_on_terminal(
        dir,
        &["migrate", "dev", "--name", "person", "--url", db.url()],
        "y\n",
    );
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains("Did you rename the model `User` to `Person`? [y/N]"),
        "{}",
        both(&o)
    );

    // By flag: the field, then the model.
    write_schema(dir, &user("name").replace("model User", "model Person"));
    let o = gen_in(
        dir,
        &[
            "migrate",
            "dev",
            "--name",
            "name",
            "--rename",
            "Person.displayName=name",
            "--url",
            db.url(),
        ],
    );
    assert_exit(&o, 0);
    write_schema(dir, &user("name").replace("model User", "model Member"));
    let o = gen_in(
        dir,
        &[
            "migrate",
            "dev",
            "--name",
            "member",
            "--rename",
            "Person=Member",
            "--url",
            db.url(),
        ],
    );
    assert_exit(&o, 0);
    assert_eq!(
        names(&db, "SELECT name FROM \"Member\" WHERE id <= 2 ORDER BY id").await,
        ["N1", "N2"]
    );
    let count: i64 =
        refract_testdb::one_value(&db.client().await, "SELECT COUNT(*) FROM \"Member\"", &[]).await;
    assert_eq!(count, 200);
    let o = gen_in(
        dir,
        &["migrate", "dev", "--name", "again", "--url", db.url()],
    );
    assert_exit(&o, 0);
    assert!(stdout(&o).contains("Already in sync"), "{}", both(&o));
}

#[tokio::test]
async fn drift_and_missing_names_are_refused_with_the_way_forward() {
    let db = TestDb::new().await;
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    write_schema(dir, &user("fullName"));
    assert_exit(
        &gen_in(
            dir,
            &["migrate", "dev", "--name", "init", "--url", db.url()],
        ),
        0,
    );
    db.client()
        .await
        .batch_execute(
            "INSERT INTO \"User\" (email) VALUES ('a@b.c');
             ALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER;
             UPDATE \"User\" SET age = 42;",
        )
        .await
        .unwrap();

    let o = gen_in(
        dir,
        &["migrate", "dev", "--name", "next", "--url", db.url()],
    );
    assert_exit(&o, 1);
    let err = stderr(&o);
    let absorb = err
        .find("--absorb-drift")
        .unwrap_or_else(|| panic!("{}", both(&o)));
    let reset = err
        .find("gen migrate reset")
        .unwrap_or_else(|| panic!("{}", both(&o)));
    assert!(absorb < reset, "{}", both(&o));

    write_schema(
        dir,
        &user("fullName").replace(
            "email String  @unique",
            "email String  @unique\n  age   Int?",
        ),
    );
    let o = gen_in(
        dir,
        &[
            "migrate",
            "dev",
            "--name",
            "next",
            "--absorb-drift",
            "--url",
            db.url(),
        ],
    );
    assert_exit(&o, 0);
    assert!(stdout(&o).contains("_absorbed_drift/"), "{}", both(&o));
    assert_eq!(names(&db, "SELECT age::text FROM \"User\"").await, ["42"]);

    // On a terminal: an index dropped by hand, absorbed when the answer is yes.
    db.client()
        .await
        .batch_execute("DROP INDEX \"User_fullName_idx\"")
        .await
        .unwrap();
    let o = gen_on_terminal(
        dir,
        &["migrate", "dev", "--name", "same", "--url", db.url()],
        "y\n",
    );
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains("Absorb the drift into a new migration and go on?"),
        "{}",
        both(&o)
    );
    let o = gen_in(
        dir,
        &["migrate", "dev", "--name", "again", "--url", db.url()],
    );
    assert_exit(&o, 0);
    assert!(stdout(&o).contains("Already in sync"), "{}", both(&o));
    assert_eq!(names(&db, "SELECT age::text FROM \"User\"").await, ["42"]);

    // A change and no name, without a terminal: refused, nothing written.
    write_schema(
        dir,
        &user("fullName").replace(
            "email String  @unique",
            "email String  @unique\n  age   Int?\n  bio   String?",
        ),
    );
    let o = gen_in(dir, &["migrate", "dev", "--url", db.url()]);
    assert_exit(&o, 1);
    assert!(stderr(&o).contains("--name"), "{}", both(&o));

    // A required field over NULLs: the refusal lists --create-only first, reset last.
    let o = gen_in(dir, &["migrate", "dev", "--name", "bio", "--url", db.url()]);
    assert_exit(&o, 0);
    write_schema(
        dir,
        &user("fullName").replace(
            "email String  @unique",
            "email String  @unique\n  age   Int?\n  bio   String",
        ),
    );
    let o = gen_in(
        dir,
        &["migrate", "dev", "--name", "required", "--url", db.url()],
    );
    assert_exit(&o, 1);
    let err = stderr(&o);
    let create_only = err
        .find("--create-only")
        .unwrap_or_else(|| panic!("{}", both(&o)));
    let reset = err
        .find("gen migrate reset")
        .unwrap_or_else(|| panic!("{}", both(&o)));
    assert!(create_only < reset, "{}", both(&o));
}

/// Absorbed drift is what `gen migrate deploy` runs on every other database: a column
/// dropped by hand is absorbed only with `--accept-data-loss`, and the script (a DROP
/// COLUMN, with its warning) is printed either way, never "every row is kept".
#[tokio::test]
async fn destructive_drift_needs_accept_data_loss_and_is_shown() {
    let db = TestDb::new().await;
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    write_schema(dir, &user("fullName"));
    assert_exit(
        &gen_in(
            dir,
            &["migrate", "dev", "--name", "init", "--url", db.url()],
        ),
        0,
    );
    db.client()
        .await
        .batch_execute(
            "INSERT INTO \"User\" (email, \"fullName\") VALUES ('a@b.c', 'Ann');
             ALTER TABLE \"User\" DROP COLUMN \"fullName\";",
        )
        .await
        .unwrap();
    write_schema(
        dir,
        "model User {\n  id    Int     @id @default(autoincrement())\n  email String  @unique\n}\n",
    );
    let absorb = [
        "migrate",
        "dev",
        "--name",
        "next",
        "--absorb-drift",
        "--url",
        db.url(),
    ];
    let o = gen_in(dir, &absorb);
    assert_exit(&o, 1);
    let out = stdout(&o);
    assert!(out.contains("DROP COLUMN \"fullName\""), "{}", both(&o));
    assert!(
        out.contains("You are about to drop the column `fullName`"),
        "{}",
        both(&o)
    );
    assert!(!both(&o).contains("every row is kept"), "{}", both(&o));
    assert!(
        stderr(&o).contains("--absorb-drift --accept-data-loss"),
        "{}",
        both(&o)
    );
    let folders = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir.join("migrations"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with("_absorbed_drift"))
            .collect()
    };
    assert!(folders(dir).is_empty());

    let mut accepted = absorb.to_vec();
    accepted.push("--accept-data-loss");
    let o = gen_in(dir, &accepted);
    assert_exit(&o, 0);
    let out = stdout(&o);
    assert!(out.contains("_absorbed_drift/"), "{}", both(&o));
    assert!(out.contains("DROP COLUMN \"fullName\""), "{}", both(&o));
    assert!(
        out.contains("`gen migrate deploy` will run it on every other database"),
        "{}",
        both(&o)
    );
    assert_eq!(folders(dir).len(), 1);
    assert_eq!(names(&db, "SELECT email FROM \"User\"").await, ["a@b.c"]);
}
