//! The seeded database every studio test starts from: the repository's own
//! `schema.prisma` (Tenant, User, Agent, ...), its tables created by refract-migrate from
//! the IR, and deterministic rows (three tenants, `users` users, an agent with a
//! conversation and messages).

use std::net::SocketAddr;

use refract_migrate::step::Pair;
use refract_migrate::{SqlSchema, check, diff, lower, render_script};
use refract_runtime::tokio_postgres;
use refract_schema::ir;
use refract_studio::{Access, Options, Studio};
use refract_testdb::TestDb;

/// The reference schema at the root of the repository.
pub fn reference_schema() -> ir::Schema {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema.prisma");
    let files = refract_schema::load(std::path::Path::new(path)).unwrap();
    let validated = refract_schema::validate(&files);
    assert!(validated.is_valid(), "{:?}", validated.diagnostics);
    validated.schema
}

/// Creates the schema's tables as `migrate dev` would.
pub async fn create_tables(db: &tokio_postgres::Client, schema: &ir::Schema) {
    let empty = SqlSchema::default();
    let target = lower(schema);
    let steps = diff(&empty, &target);
    let script = render_script(
        &steps,
        Pair::new(&empty, &target),
        &check::Diagnostics::default(),
    );
    db.batch_execute(&script).await.unwrap();
}

/// Tenants `t1` Acme, `t2` Globex, `t3` Initech; users `u000001`.. with email
/// `user000001@<tenant>.test`, tenant `t{1 + n % 3}`, role ADMIN when n % 10 == 0, AUTHOR
/// when n % 3 == 0, else VIEWER; no name when n % 7 == 0; an agent `a1` with conversation
/// `c1` and messages `m1`..`m3`.
pub async fn seed_rows(db: &tokio_postgres::Client, users: u32) {
    db.batch_execute(&format!(
        r#"
        INSERT INTO "Tenant" (id, name, plan, "updatedAt") VALUES
          ('t1', 'Acme', 'PRO', now()), ('t2', 'Globex', 'FREE', now()), ('t3', 'Initech', 'ENTERPRISE', now());
        INSERT INTO "User" (id, email, name, role, "tenantId", "createdAt", "updatedAt")
        SELECT 'u' || lpad(n::text, 6, '0'),
               'user' || lpad(n::text, 6, '0') || '@' || (ARRAY['acme', 'globex', 'initech'])[1 + n % 3] || '.test',
               CASE WHEN n % 7 = 0 THEN NULL ELSE 'User ' || n END,
               (CASE WHEN n % 10 = 0 THEN 'ADMIN' WHEN n % 3 = 0 THEN 'AUTHOR' ELSE 'VIEWER' END)::"UserRole",
               't' || (1 + n % 3),
               timestamp '2024-01-01' + n * interval '1 hour',
               timestamp '2024-06-01'
        FROM generate_series(1, {users}) AS n;
        INSERT INTO "Agent" (id, name, status, "flowJson", "tenantId", "updatedAt") VALUES
          ('a1', 'Support bot', 'PUBLISHED', '{{"nodes": ["start", "answer"]}}', 't1', now());
        INSERT INTO "Conversation" (id, "agentId", "tenantId", "userId", channel, state, "updatedAt") VALUES
          ('c1', 'a1', 't1', 'u000003', 'web', '{{}}', now());
        INSERT INTO "Message" (id, role, content, "convoId") VALUES
          ('m1', 'USER', 'hello', 'c1'), ('m2', 'ASSISTANT', 'hi, how can I help?', 'c1'), ('m3', 'USER', 'thanks', 'c1');
        "#
    ))
    .await
    .unwrap();
}

/// A fresh database with the reference schema's tables and `users` users.
pub async fn seeded(users: u32) -> (TestDb, tokio_postgres::Client, ir::Schema) {
    let db = TestDb::new().await;
    let client = db.client().await;
    let schema = reference_schema();
    create_tables(&client, &schema).await;
    seed_rows(&client, users).await;
    (db, client, schema)
}

pub const TOKEN: &str = "0123456789abcdef0123456789abcdef";
pub const HOST: &str = "127.0.0.1:5555";

/// The studio's router for `db`, as if listening on 127.0.0.1:5555 with [`TOKEN`].
pub fn router(db: &TestDb, schema: ir::Schema) -> axum::Router {
    let client = refract_runtime::Client::new(db.url()).unwrap();
    let addr: SocketAddr = HOST.parse().unwrap();
    refract_studio::router(schema, client, Access::new(TOKEN.into(), addr, &[]))
}

/// A studio listening on a free loopback port, served in the background until the
/// returned sender is dropped or fires. Returns its URL (token included).
pub async fn serve(db: &TestDb, schema: ir::Schema) -> (String, tokio::sync::oneshot::Sender<()>) {
    let client = refract_runtime::Client::new(db.url()).unwrap();
    let options = Options {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        token: None,
        extra_hosts: Vec::new(),
    };
    let studio = Studio::bind(schema, client, options).await.unwrap();
    let url = studio.url().to_owned();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(studio.serve(async move {
        let _ = stopped.await;
    }));
    (url, stop)
}

/// A schema with a field of every type, native types, lists, a compound id and an implicit
/// many-to-many relation, for the editors and wire forms the reference schema lacks.
pub const TYPES_SCHEMA: &str = r#"datasource db {
  provider = "postgresql"
}

enum Color {
  RED
  GREEN @map("green")
}

model Item {
  id     Int       @id @default(autoincrement())
  uid    String    @unique @default(uuid()) @db.Uuid
  active Boolean   @default(true)
  big    BigInt?
  ratio  Float?
  price  Decimal?  @db.Decimal(10, 2)
  at     DateTime? @db.Timestamptz(3)
  day    DateTime? @db.Date
  data   Json?
  blob   Bytes?
  tags   String[]
  scores Int[]
  colors Color[]
  color  Color     @default(GREEN)
  ip     String?   @db.Inet
  labels Label[]
}

model Label {
  id    Int    @id
  name  String
  items Item[]
}

model Pair {
  a    Int
  b    Int
  note String?

  @@id([a, b])
}
"#;

/// A fresh database with [`TYPES_SCHEMA`]'s tables, empty.
pub async fn typed() -> (TestDb, tokio_postgres::Client, ir::Schema) {
    let db = TestDb::new().await;
    let client = db.client().await;
    let validated = refract_schema::validate_str("schema.prisma", TYPES_SCHEMA);
    assert!(validated.is_valid(), "{:?}", validated.diagnostics);
    create_tables(&client, &validated.schema).await;
    (db, client, validated.schema)
}
