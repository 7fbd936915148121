//! refract-runtime: the only crate a generated refract client depends on.
//!
//! Owns the connection pool ([`Client`]), transactions ([`Transaction`]), the typed query
//! vocabulary generated code builds from ([`Field`], [`Filter`], [`OrderBy`], [`Assign`],
//! [`UniqueWhere`], [`Relation`]), the operations ([`Actions`] and one builder
//! per Prisma operation, `include`, nested writes, `aggregate`, `group_by`), rendering them
//! to SQL with bound parameters, row decoding ([`FromRow`], [`Decode`], [`PgEnum`]), raw
//! SQL, and typed errors with Prisma's codes ([`Error`]).
//!
//! It knows nothing of the schema language, the parser or the IR: everything it needs about
//! a model is the [`ModelMeta`] that generated code hands it. The key design decision: the
//! operations are implemented **once, generically** (`Actions<'a, M>`, `FindMany<'a, M, R>`,
//! `Field<M, T>`...), and rendering is not generic at all, so a generated model is only
//! data (a struct, its columns, `Field` constants) and costs little to compile.
//!
//! # Two ways to hold the client
//! Both are the Rust shape of Prisma's advice to create one client per process.
//!
//! **Explicit injection**: create one [`Client`] at startup and pass clones where they are
//! needed (an axum handler gets it through `State`). Clones share one pool, so cloning per
//! request is free and never opens extra connections:
//! ```no_run
//! # async fn handler_body(client: refract_runtime::Client) {}
//! # async fn demo() -> Result<(), refract_runtime::Error> {
//! let client = refract_runtime::Client::from_env()?; // DATABASE_URL, from the env or .env
//! client.connect().await?; // optional: fail at startup, not on the first query
//! tokio::spawn(handler_body(client.clone()));
//! // with axum: Router::new().route("/users", get(list_users)).with_state(client)
//! //   async fn list_users(State(db): State<Client>) -> ... { db.user().find_many().await }
//! # Ok(()) }
//! ```
//!
//! **Process-wide singleton**: initialize once, reach it anywhere (one atomic load):
//! ```no_run
//! # fn demo() -> Result<(), refract_runtime::Error> {
//! use refract_runtime::{Client, ClientConfig, global};
//! global::init(ClientConfig::from_env()?.max_connections(10).build()?)?;
//! // ... anywhere later:
//! let db: &'static Client = global::get()?;
//! // or lazily, from DATABASE_URL on first use:
//! let db = global::get_or_init_from_env()?;
//! # Ok(()) }
//! ```
//!
//! Configuration: [`ClientConfig::from_url`] reads Prisma's URL parameters
//! (`connection_limit`, `pool_timeout`, `connect_timeout`, `socket_timeout`, `schema`,
//! `pgbouncer`, `statement_cache_size`); the setters override them. Read replicas: see
//! "Read replicas" below. Queries are logged with `tracing` at DEBUG under the target `refract::query` (SQL,
//! parameter count, duration); when that level is off, logging costs one cached check.
//!
//! # What generated code looks like
//! This is the whole of what codegen emits for `model Tag { id Int @id, label String?,
//! kind Kind }` with `enum Kind { A B }` (the full template, with every field type, compound
//! uniques and the create wrapper, is `generated/runtime_tests`, the client of
//! `tests/client/schema.prisma` that the integration tests run against):
//! ```no_run
//! use refract_runtime as rt;
//!
//! #[derive(Clone, Copy, Debug, PartialEq, Eq)]
//! pub enum Kind { A, B }
//!
//! impl rt::PgEnum for Kind {
//!     const NAME: &'static str = "Kind";
//!     const VARIANTS: &'static [Self] = &[Kind::A, Kind::B];
//!     const DB_NAMES: &'static [&'static str] = &["A", "B"];
//!     fn index(self) -> usize { self as usize }
//! }
//!
//! #[derive(Clone, Debug, PartialEq)]
//! pub struct Tag { pub id: i32, pub label: Option<String>, pub kind: Kind }
//!
//! pub mod column {
//!     use refract_runtime::Column;
//!     pub static ID: Column = Column { name: "id", field: "id", nullable: false };
//!     pub static LABEL: Column = Column { name: "label", field: "label", nullable: true };
//!     pub static KIND: Column = Column { name: "kind", field: "kind", nullable: false };
//! }
//!
//! pub static META: rt::ModelMeta = rt::ModelMeta {
//!     name: "Tag",
//!     table: rt::Table { schema: None, name: "Tag" },
//!     columns: &[&column::ID, &column::LABEL, &column::KIND], // struct field order
//!     primary_key: &[&column::ID],
//!     updated_at: &[],
//!     tenant: None,
//! };
//!
//! impl rt::FromRow for Tag {
//!     fn from_row(row: &rt::Row) -> Result<Self, rt::Error> {
//!         Ok(Tag { id: rt::decode(row, 0)?, label: rt::decode(row, 1)?, kind: rt::decode(row, 2)? })
//!     }
//! }
//! impl rt::Model for Tag {
//!     const META: &'static rt::ModelMeta = &META;
//! }
//!
//! pub const ID: rt::Field<Tag, i32> = rt::Field::new(&column::ID);
//! pub const LABEL: rt::Field<Tag, String, rt::Nullable> = rt::Field::new(&column::LABEL);
//! pub const KIND: rt::Field<Tag, Kind> = rt::Field::new(&column::KIND);
//!
//! /// One function per unique criterion (`@id`, `@unique`, `@@unique`, `@@id`).
//! pub fn id(id: i32) -> rt::UniqueWhere<Tag> { rt::UniqueWhere::new([ID.set(id)]) }
//!
//! /// A new tag's required fields (`label` is optional): what `create` takes.
//! pub struct Create { pub id: i32, pub kind: Kind }
//! impl rt::WriteData<Tag> for Create {
//!     fn into_assigns(self) -> Vec<rt::Assign<Tag>> { vec![ID.set(self.id), KIND.set(self.kind)] }
//! }
//! impl rt::CreateData<Tag> for Create {}
//!
//! /// One extension trait adds every model accessor to clients and transactions.
//! pub trait Models: rt::AsExecutor {
//!     fn tag(&self) -> rt::Actions<'_, Tag> { rt::Actions::new(self.executor()) }
//! }
//! impl<T: rt::AsExecutor + ?Sized> Models for T {}
//!
//! // Application code:
//! async fn demo(db: rt::Client) -> Result<(), rt::Error> {
//!     let tag = db.tag().create(Create { id: 1, kind: Kind::A }).await?;
//!     let found = db
//!         .tag()
//!         .find_many()
//!         .filter(rt::Filter::or([LABEL.contains("rust").insensitive(), LABEL.is_null()]))
//!         .order_by(ID.desc())
//!         .take(20)
//!         .await?;
//!     db.tag().update(id(tag.id), [LABEL.set("new")]).await?;
//!     db.transaction(|tx| async move {
//!         tx.tag().delete(id(1)).await?;
//!         tx.tag().count().filter(KIND.equals(Kind::B)).await
//!     })
//!     .await?;
//!     let _ = found;
//!     Ok(())
//! }
//! ```
//! Codegen adds: a `Create` struct per model (its required fields, named: what `create`,
//! `create_many` and `upsert` take) and `CreateWithout<Relation>` structs for nested
//! creates, each model's client-side defaults ([`defaults`]: `cuid()`, `uuid()`, `now()`,
//! read by the runtime's writes), `///` docs, and serde impls (the `serde` feature: each
//! type invokes `__serde_record!`/`__serde_pg_enum!`, whose generic half is
//! `serde_records`).
//!
//! # SQL
//! Every value is a `$n` parameter (lists bind as one array: `= ANY($1)`), every identifier
//! goes through [`quote_ident`], and statements are prepared once per connection and
//! cached by their text, which depends only on a query's shape (`statement_cache_size`
//! bounds the cache, `0` turns it off). A cached statement that a schema change
//! invalidated (`0A000 cached plan must not change result type` after `ALTER COLUMN ...
//! TYPE`) is prepared again and retried once, where that is safe; see [`Executor`]. `DateTime<Utc>` is stored
//! in `TIMESTAMP(3)` as UTC wall-clock time, enums bind as their Postgres enum type, `Json`
//! as `JSONB`, `Decimal` as `NUMERIC`, scalar lists as arrays.
//!
//! # Transaction-mode poolers
//! Behind PgBouncer in transaction mode (or Supavisor, RDS Proxy...), each transaction may
//! run on a different server connection, so a statement prepared on one is missing on the
//! next (`26000 prepared statement "s13" does not exist`). With `?pgbouncer=true` (Prisma's
//! flag) nothing outlives a transaction: every statement is sent unnamed, parsed, bound
//! and executed in one round trip; the parameter types binding needs are learnt once per
//! statement text (inside a transaction) and kept in the process, not on the server; the
//! custom types (enums...) are looked up when a connection opens, inside a transaction.
//! The runtime issues no session `SET`: `?schema=` qualifies table names. Without the flag
//! the error names it ([`Error::PreparedStatementMissing`]). Migrations need a session:
//! point them at the server directly (`directUrl`).
//!
//! # Read replicas
//! `ClientConfig::read_replicas([url, ...])`, or `DATABASE_REPLICA_URLS` (comma-separated)
//! with [`ClientConfig::from_env`]: one pool per replica beside the primary's. As with
//! `@prisma/extension-read-replicas`, the read operations (`find_unique`, `find_first`,
//! `find_many` and their `_or_throw` forms, `count`, `aggregate`, `group_by`, with their
//! includes) run on a replica when called on the client outside a transaction, the next
//! one in rotation (round robin; Prisma picks at random); writes, nested writes,
//! transactions (and every read inside one) and raw SQL (`query_raw` too: the runtime
//! cannot tell a raw read from a raw write) run on the primary. `db.primary()` forces the
//! primary for one call chain (`db.primary().user().find_many()`), `db.replica()` a
//! replica (`db.replica().query_raw(..)` for a raw read), never the primary: a write sent
//! that way fails on the replica (`25006`), and with every replica down the call fails.
//!
//! A replica that cannot be reached (connection refused or closed, server shutting down,
//! too many connections) leaves the rotation for `replica_backoff` (5 s) and the statement
//! runs again on the next replica, then on the primary, so the call does not fail; the
//! first read after the back-off tries it again. A replica whose pool is exhausted, or
//! whose query a recovery conflict cancelled, stays in rotation; the read runs elsewhere
//! the same way. SQL errors of the query and `socket_timeout` are returned, not rerun.
//!
//! Replicas lag: a read right after a write may not see it. The runtime does not hide
//! this (no read-your-writes tracking, which would pin readers to the primary after every
//! write and need a shared clock across service instances): read what you just wrote
//! through `db.primary()`, inside the write's transaction, or from the write's own return
//! value.
//!
//! # Relations
//! Generated code declares, per relation field, a [`RelationMeta`] static (how the rows
//! link: the foreign key on this side, on the other side, or an implicit many-to-many join
//! table), a zero-sized [`RelationField`] marker and a [`Relation`] handle constant
//! (`conversation::MESSAGES`). Everything else is generic code here:
//!
//! ```text
//! // GET /conversations/{id}: the conversation and its messages in order, one typed call.
//! let found: Option<Loaded<Conversation, (With<conversation::relation::Messages>,)>> = db
//!     .conversation()
//!     .find_unique(conversation::id(id))
//!     .include(conversation::MESSAGES.order_by(message::CREATED_AT.asc()))
//!     .await?;
//! // Any depth, each level with its own filter/order_by/skip/take/select, and `_count`:
//! db.user().find_many()
//!     .include(user::POSTS.filter(post::PUBLISHED.equals(true)).take(5)
//!         .include(post::COMMENTS.include(comment::AUTHOR)))
//!     .include_count()
//!     .await?;
//! // POST /conversations: the conversation and its first message, one transaction.
//! db.conversation()
//!     .create(conversation::Create { agent_id, tenant_id, state })
//!     .with(conversation::MESSAGES.create(message::CreateWithoutConvo { role: MessageRole::User, content: text }))
//!     .include(conversation::MESSAGES)
//!     .await?;
//! // Relation filters and orderings.
//! db.tenant().find_many()
//!     .filter(tenant::CONVERSATIONS.some(conversation::MESSAGES.some(message::CONTENT.contains("refund"))))
//!     .order_by(tenant::CONVERSATIONS.count_desc())
//!     .await?;
//! ```
//!
//! - **Typed results.** A model struct holds its scalar fields only; `include` makes the
//!   row a [`Loaded`] (the record plus a tuple of loaded entries, see [`Loaded`] for why
//!   this shape), read by naming the relation: `found.get(conversation::MESSAGES)` is a
//!   `&Vec<Message>`, an `Option<T>` for an optional to-one relation, a `T` for a required
//!   one; reading a relation that was not included does not compile.
//! - **Cost.** [`Include`] loads one statement per included relation per level, for all
//!   parents at once (`"convoId" = ANY($1)`, keys bound as one array); `take`/`skip` hold
//!   per parent (`ROW_NUMBER() OVER (PARTITION BY ...)`); `_count` is a `COUNT(*)`
//!   subquery in the same statement (`include_count()` counts every to-many relation,
//!   `include_count_where([user::POSTS.count_where(..)])` only matching records for some).
//!   Parents without a key cost nothing.
//! - **Filters**: `some`/`every`/`none` (to-many) and `is`/`is_not`/`is_null` (to-one) are
//!   [`Filter`]s like any other (`EXISTS` subqueries), nested and combined freely; they work
//!   in reads, counts, `update_many`, `delete_many`, aggregates and group_by.
//! - **Orderings**: `RELATION.by(field.asc())` for a to-one relation's field (up to four
//!   relations deep), `RELATION.count_desc()` for a to-many relation's count.
//! - **Nested writes** ([`NestedWrite`]): `create`, `create_many`, `connect`,
//!   `connect_or_create` in `create` and `update`; `disconnect`, `set`, `update`,
//!   `update_many`, `upsert`, `delete`, `delete_many` in `update` (the type says which);
//!   `upsert` takes both through `with_create`/`with_update`.
//!   One transaction (the caller's when on a [`Transaction`]); a record not found is
//!   P2025, a required relation that would be left without its record P2014
//!   ([`Error::RequiredRelationViolation`]), a foreign key the database refuses P2003.
//!   Referential actions (`onDelete`, `onUpdate`) are the database's.
//! - **Aggregates**: `aggregate((count_all(), AMOUNT.sum(), AMOUNT.avg()))` and
//!   `group_by(KIND).aggregate(..).having(..)`, typed per field ([`Aggregate`]); the
//!   results are named ([`Aggregates`], [`Group`]): `totals.get(AMOUNT.sum())`,
//!   `group.key(KIND)`, `group.count_all()`, serialized as Prisma returns them.

mod actions;
mod aggregate;
mod client;
mod decode;
pub mod defaults;
#[doc(hidden)]
pub mod dynamic;
mod error;
mod executor;
pub mod global;
pub mod ids;
mod include;
mod loaded;
mod model;
mod nested;
mod query;
mod relation;
mod render;
mod replica;
/// serde for generated records and enums (the generated crates' `serde` feature): what their
/// `__serde_record!`/`__serde_pg_enum!` invocations expand to call. Not an API of its own.
#[cfg(feature = "serde")]
#[doc(hidden)]
pub mod serde_records;
mod tenancy;
mod transaction;
mod value;

pub use actions::*;
pub use aggregate::{
    Aggregate, AggregateOutput, AggregateQuery, AggregateSet, AggregateValue, Aggregates,
    Averageable, ErasedValue, Group, GroupBy, GroupKey, GroupKeys, Having, Summable, ToJson,
    count_all,
};
pub use client::{Client, ClientConfig};
pub use decode::{Decode, FromRow, PgEnum, decode};
pub use error::Error;
pub use executor::{AsExecutor, BoxFuture, Executor, ReplicaRoute};
pub use include::{
    CountFilter, CountIncluded, Include, IncludeEntry, IncludeNode, Included, IntoInclude, Level,
};
pub use loaded::{
    AddLoad, At, CountKey, Counted, CountsRecord, Entry, Find, HasCount, KeyedBy, LoadList, Loaded,
    Push, With,
};
#[cfg(feature = "serde")]
pub use loaded::{DeserializeEntries, DeserializeEntry, SerializeEntries, SerializeEntry};
pub use model::{Column, Model, ModelMeta, Table, TenantKey, TenantParent, TenantScope};
pub use nested::{Creating, NestedCreate, NestedUpdate, NestedWrite, Updating};
pub use query::*;
pub use relation::{
    Arity, JOIN_A, JOIN_B, Link, Relation, RelationField, RelationMeta, Slot, ToMany, ToOne,
    ToOptional, UnlinkedRelation,
};
pub use render::{escape_like, quote_ident};
pub use tenancy::{TENANT_SETTING, TenantClient};
pub use transaction::{IsolationLevel, Transaction, TransactionOptions};
pub use value::{IntoValue, Value};

pub use tokio_postgres::Row;

/// For the serde impls generated code expands (`serde_records`).
#[cfg(feature = "serde")]
#[doc(hidden)]
pub use serde;
/// Crates whose types appear in generated code, re-exported so that a generated crate
/// needs no other dependency for them.
pub use {chrono, postgres_types, rust_decimal, serde_json, tokio_postgres};
