//! `gen db pull` over a schema that already has models, end to end against real PostgreSQL:
//! re-introspection keeps what the database cannot know (`@@map`/`@map` names, renamed
//! relation fields and `@relation("Name")`, `@updatedAt`, `@default(cuid())`/`uuid()`, `///`
//! comments), adds new tables and columns, and lists what it kept as Prisma's warnings;
//! `--force` writes the raw introspection instead; a schema folder is written back file by
//! file. The expected schemas are what Prisma 7.10's `db pull` writes for the same database
//! and schema.

use std::process::Output;

use refract_testdb::TestDb;

mod support;
use support::{assert_exit, both, gen_in};

#[track_caller]
fn assert_success(o: &Output) {
    assert_exit(o, 0);
}

const DATASOURCE: &str =
    "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"APP_DATABASE_URL\")\n}\n";

const EXISTING: &str = r#"
/// People who write.
model Author {
  id        String    @id @default(cuid())
  // a line comment: Prisma drops these
  fullName  String    @map("full_name")
  updatedAt DateTime  @updatedAt @map("updated_at")
  writings  Article[] @relation("Writing")

  @@map("authors")
}

model Article {
  id       String @id @default(uuid())
  title    String
  writer   Author @relation("Writing", fields: [writerId], references: [id])
  writerId String @map("writer_id")

  @@map("articles")
}
"#;

/// What the database gains after the schema was pushed.
const CHANGES: &str = r#"
CREATE TABLE tags (id SERIAL PRIMARY KEY, article_id TEXT REFERENCES articles(id));
ALTER TABLE authors ADD COLUMN bio TEXT;
"#;

const PULLED: &str = r#"
/// People who write.
model Author {
  id        String    @id @default(cuid())
  fullName  String    @map("full_name")
  updatedAt DateTime  @updatedAt @map("updated_at")
  bio       String?
  writings  Article[] @relation("Writing")

  @@map("authors")
}

model Article {
  id       String @id @default(uuid())
  title    String
  writerId String @map("writer_id")
  writer   Author @relation("Writing", fields: [writerId], references: [id])
  tags     tags[]

  @@map("articles")
}

model tags {
  id         Int      @id @default(autoincrement())
  article_id String?
  articles   Article? @relation(fields: [article_id], references: [id], onDelete: NoAction, onUpdate: NoAction)
}
"#;

const WARNINGS: &str = r#"*** WARNING ***

These fields were enriched with `@map` information taken from the previous Prisma schema:
  - Model: "Article", field: "writerId"
  - Model: "Author", field: "fullName"
  - Model: "Author", field: "updatedAt"

These models were enriched with `@@map` information taken from the previous Prisma schema:
  - "Article"
  - "Author"
"#;

#[tokio::test]
async fn db_pull_keeps_the_existing_schema_and_adds_what_is_new() {
    let db = TestDb::new().await;
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    let schema_path = dir.join("schema.prisma");
    std::fs::write(&schema_path, format!("{DATASOURCE}{EXISTING}")).unwrap();
    assert_success(&gen_in(
        dir,
        &["db", "push", "--url", db.url(), "--skip-generate"],
    ));
    db.client().await.batch_execute(CHANGES).await.unwrap();

    // --print: the schema on stdout, the warnings as `//` lines on stderr; nothing written.
    let o = gen_in(dir, &["db", "pull", "--print", "--url", db.url()]);
    assert_success(&o);
    let expected = format!("{DATASOURCE}{PULLED}");
    assert_eq!(String::from_utf8_lossy(&o.stdout), expected);
    let commented: String = WARNINGS.split('\n').map(|l| format!("// {l}\n")).collect();
    assert_eq!(String::from_utf8_lossy(&o.stderr), format!("\n{commented}"));
    assert_eq!(
        std::fs::read_to_string(&schema_path).unwrap(),
        format!("{DATASOURCE}{EXISTING}")
    );

    // Without --print (and without --force): the file is re-introspected in place.
    let o = gen_in(dir, &["db", "pull", "--url", db.url()]);
    assert_success(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("✔ Introspected 3 models and 0 enums and wrote them into schema.prisma"),
        "{}",
        both(&o)
    );
    assert!(out.contains(WARNINGS), "{}", both(&o));
    assert_eq!(std::fs::read_to_string(&schema_path).unwrap(), expected);
    assert_success(&gen_in(dir, &["validate"]));

    // Pulling again changes nothing; the database and the schema agree.
    assert_success(&gen_in(dir, &["db", "pull", "--url", db.url()]));
    assert_eq!(std::fs::read_to_string(&schema_path).unwrap(), expected);
    let o = gen_in(
        dir,
        &[
            "migrate",
            "diff",
            "--from-url",
            db.url(),
            "--to-schema",
            "schema.prisma",
            "--exit-code",
        ],
    );
    assert_success(&o);

    // --force ignores the existing models: names as the database has them, no client-side
    // defaults, no @updatedAt, no warnings.
    let o = gen_in(
        dir,
        &["db", "pull", "--force", "--print", "--url", db.url()],
    );
    assert_success(&o);
    let raw = String::from_utf8_lossy(&o.stdout);
    assert!(raw.contains("model authors {"), "{raw}");
    assert!(raw.contains("  full_name  String\n"), "{raw}");
    assert!(raw.contains("  updated_at DateTime\n"), "{raw}");
    assert!(!raw.contains("cuid()") && !raw.contains("@map"), "{raw}");
    assert!(o.stderr.is_empty(), "{}", both(&o));
}

/// A schema in several files is written back file by file, as Prisma does: each model and
/// enum stays in its file, new ones go to `introspected.prisma` in the schema folder.
#[tokio::test]
async fn db_pull_writes_a_folder_schema_back_file_by_file() {
    let db = TestDb::new().await;
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    let folder = dir.join("schema");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("schema.prisma"), DATASOURCE).unwrap();
    std::fs::write(
        folder.join("users.prisma"),
        "model User {\n  id    Int    @id\n  posts Post[]\n  @@map(\"users\")\n}\n",
    )
    .unwrap();
    std::fs::write(
        folder.join("posts.prisma"),
        "model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n\nenum Kind {\n  A\n  B\n}\n",
    )
    .unwrap();
    let args = |more: &[&str]| {
        let mut all = vec!["db", "--schema", "schema", "--url", db.url()];
        all.splice(1..1, more.iter().copied());
        all.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let run = |more: &[&str]| {
        let owned = args(more);
        let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
        gen_in(dir, &refs)
    };
    assert_success(&run(&["push", "--skip-generate"]));
    db.client()
        .await
        .batch_execute("CREATE TABLE extra (id INT PRIMARY KEY)")
        .await
        .unwrap();

    let users = "model User {\n  id    Int    @id\n  posts Post[]\n\n  @@map(\"users\")\n}\n";
    let posts = "model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n\nenum Kind {\n  A\n  B\n}\n";
    let introspected = "model extra {\n  id Int @id\n}\n";
    let o = run(&["pull", "--print"]);
    assert_success(&o);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        format!(
            "// schema/introspected.prisma\n{introspected}\n// schema/posts.prisma\n{posts}\n\
             // schema/schema.prisma\n{DATASOURCE}\n// schema/users.prisma\n{users}\n"
        )
    );

    assert_success(&run(&["pull"]));
    let read = |name: &str| std::fs::read_to_string(folder.join(name)).unwrap();
    assert_eq!(read("users.prisma"), users);
    assert_eq!(read("posts.prisma"), posts);
    assert_eq!(read("schema.prisma"), DATASOURCE);
    assert_eq!(read("introspected.prisma"), introspected);
    assert_success(&gen_in(dir, &["validate", "--schema", "schema"]));

    // A second pull adds to `introspected.prisma`; what an earlier pull put there stays.
    db.client()
        .await
        .batch_execute("CREATE TABLE extra2 (id INT PRIMARY KEY)")
        .await
        .unwrap();
    assert_success(&run(&["pull"]));
    assert_eq!(
        read("introspected.prisma"),
        "model extra {\n  id Int @id\n}\n\nmodel extra2 {\n  id Int @id\n}\n"
    );
    assert_eq!(read("users.prisma"), users);
    assert_success(&gen_in(dir, &["validate", "--schema", "schema"]));
    let leftovers: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// What `db pull` does not write: a schema with views (not introspected yet: they would be
/// dropped), and a result that would not validate (a new column named like a kept field);
/// a new table named like a kept model is renamed, as in Prisma. Client-side defaults stay
/// only where they still fit the column.
#[tokio::test]
async fn db_pull_never_drops_views_or_writes_an_invalid_schema() {
    let db = TestDb::new().await;
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    let schema_path = dir.join("schema.prisma");
    let existing = format!(
        "{DATASOURCE}\nmodel User {{\n  id   String @id @default(cuid())\n  code String @default(nanoid())\n\n  @@map(\"users\")\n}}\n"
    );
    std::fs::write(&schema_path, &existing).unwrap();
    assert_success(&gen_in(
        dir,
        &["db", "push", "--url", db.url(), "--skip-generate"],
    ));

    // The column types changed: the kept defaults no longer fit and are dropped.
    db.client()
        .await
        .batch_execute("ALTER TABLE users ALTER COLUMN code TYPE INT[] USING '{}'")
        .await
        .unwrap();
    let o = gen_in(dir, &["db", "pull", "--print", "--url", db.url()]);
    assert_success(&o);
    let printed = String::from_utf8_lossy(&o.stdout);
    assert!(
        printed.contains("  id   String @id @default(cuid())\n"),
        "{printed}"
    );
    assert!(printed.contains("  code Int[]\n"), "{printed}");

    // A new column named like a kept field (`_code` sanitises to `code`): Prisma writes both
    // fields, which does not validate, so nothing is written.
    db.client()
        .await
        .batch_execute(r#"ALTER TABLE users ADD COLUMN "_code" INT"#)
        .await
        .unwrap();
    let o = gen_in(dir, &["db", "pull", "--url", db.url()]);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("the pulled schema does not validate")
            && stderr.contains("nothing was written"),
        "{}",
        both(&o)
    );
    assert_eq!(std::fs::read_to_string(&schema_path).unwrap(), existing);
    db.client()
        .await
        .batch_execute(r#"ALTER TABLE users DROP COLUMN "_code""#)
        .await
        .unwrap();

    // A new table named like a kept model is renamed after its schema, as Prisma does, and
    // listed in the warnings.
    db.client()
        .await
        .batch_execute(r#"CREATE TABLE "User" (id INT PRIMARY KEY)"#)
        .await
        .unwrap();
    let o = gen_in(dir, &["db", "pull", "--url", db.url()]);
    assert_success(&o);
    let pulled = std::fs::read_to_string(&schema_path).unwrap();
    assert!(
        pulled.contains(
            "  @@map(\"users\")\n}\n\nmodel public_User {\n  id Int @id\n\n  @@map(\"User\")\n}\n"
        ),
        "{pulled}"
    );
    assert!(
        String::from_utf8_lossy(&o.stdout).contains(
            "These items were renamed due to their names being duplicates in the Prisma schema:\n  - Type: \"model\", name: \"public_User\"\n"
        ),
        "{}",
        both(&o)
    );
    assert_success(&gen_in(dir, &["validate"]));
    db.client()
        .await
        .batch_execute(r#"DROP TABLE "User""#)
        .await
        .unwrap();
    std::fs::write(&schema_path, &existing).unwrap();

    // Views are kept out of harm's way: refused unless --print or --force.
    let with_view = format!(
        "generator client {{\n  provider        = \"refract\"\n  previewFeatures = [\"views\"]\n}}\n\n{}\nview UserCode {{\n  id   String @unique\n  code Int[]\n}}\n",
        std::fs::read_to_string(&schema_path).unwrap()
    );
    std::fs::write(&schema_path, &with_view).unwrap();
    let o = gen_in(dir, &["db", "pull", "--url", db.url()]);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("the schema has views (UserCode)"),
        "{}",
        both(&o)
    );
    assert_eq!(std::fs::read_to_string(&schema_path).unwrap(), with_view);
}

/// Two schemas may each hold an enum of the same database name; each keeps its own name.
#[tokio::test]
async fn db_pull_keeps_same_named_enums_of_two_schemas_apart() {
    let db = TestDb::new().await;
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    let schema = "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"APP_DATABASE_URL\")\n  schemas  = [\"a\", \"b\"]\n}\n\nmodel Thing {\n  id Int     @id\n  sa StatusA\n  sb StatusB\n\n  @@schema(\"a\")\n}\n\nenum StatusA {\n  X\n\n  @@map(\"status\")\n  @@schema(\"a\")\n}\n\nenum StatusB {\n  Y\n\n  @@map(\"status\")\n  @@schema(\"b\")\n}\n";
    std::fs::write(dir.join("schema.prisma"), schema).unwrap();
    assert_success(&gen_in(
        dir,
        &["db", "push", "--url", db.url(), "--skip-generate"],
    ));
    let o = gen_in(dir, &["db", "pull", "--url", db.url()]);
    assert_success(&o);
    let pulled = std::fs::read_to_string(dir.join("schema.prisma")).unwrap();
    for line in [
        "  sa StatusA\n",
        "  sb StatusB\n",
        "enum StatusA {\n  X\n",
        "enum StatusB {\n  Y\n",
    ] {
        assert!(pulled.contains(line), "{line:?} in\n{pulled}");
    }
    assert_success(&gen_in(dir, &["validate"]));
}

/// A join table is an implicit many-to-many only if `A` points at the model whose name
/// sorts first (with the kept names): otherwise the client would read it the other way
/// round, so it becomes a model of its own, as Prisma writes it.
#[tokio::test]
async fn db_pull_takes_a_join_table_in_the_wrong_order_as_a_model() {
    let db = TestDb::new().await;
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    db.client()
        .await
        .batch_execute(
            r#"CREATE TABLE people (id INT PRIMARY KEY);
               CREATE TABLE aaa (id INT PRIMARY KEY);
               CREATE TABLE "_PersonToZeta" ("A" INT NOT NULL REFERENCES people(id), "B" INT NOT NULL REFERENCES aaa(id));
               CREATE UNIQUE INDEX "_PersonToZeta_AB_unique" ON "_PersonToZeta"("A", "B");"#,
        )
        .await
        .unwrap();
    let schema = format!(
        "{DATASOURCE}\nmodel Person {{\n  id Int @id\n\n  @@map(\"people\")\n}}\n\nmodel Alpha {{\n  id Int @id\n\n  @@map(\"aaa\")\n}}\n"
    );
    std::fs::write(dir.join("schema.prisma"), schema).unwrap();
    let o = gen_in(dir, &["db", "pull", "--url", db.url()]);
    assert_success(&o);
    let pulled = std::fs::read_to_string(dir.join("schema.prisma")).unwrap();
    assert!(pulled.contains("@@map(\"_PersonToZeta\")"), "{pulled}");
    assert!(
        !pulled.contains("Alpha[]") && !pulled.contains("Person[]\n  @@"),
        "{pulled}"
    );
    assert_success(&gen_in(dir, &["validate"]));
}
