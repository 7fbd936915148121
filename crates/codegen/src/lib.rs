//! refract-codegen: the schema IR → the files of a typed client crate.
//!
//! The pipeline reads as a list: [`target::targets`] picks the generator blocks to run,
//! [`generate`] plans every Rust name once ([`plan`]), builds each file with `quote!`,
//! prints it once with prettyplease into an in-memory [`Vfs`], and [`Vfs::persist`] writes
//! what changed. Generation cannot fail and is deterministic: the same IR and options give
//! byte-identical files.
//!
//! The key design decision: generated code is **data plus thin wrappers**. Every operation,
//! filter and ordering is implemented once, generically, in refract-runtime; a model's
//! module only declares its struct, its columns, one `Field` constant per scalar field, one
//! function per unique criterion and a `create` that takes the required fields. So the
//! generated crate has no proc macros of its own and costs little to compile per model.
//! serde's `Serialize`/`Deserialize` (behind the default `serde` feature) are not derived:
//! the generic half is written once in the runtime (`serde_records`), and each type invokes
//! its `__serde_record!` macro with its field names (`serde_code`), a fraction of what the
//! derives expand per type.
//!
//! This crate knows the IR and Rust tokens; it knows no SQL and opens no connection. It
//! reads no flags and no environment: the CLI resolves those and passes them in.
//!
//! The generated crate, per model `User` (module `user`):
//! - `user::User`, the struct (serde names as in Prisma's JSON), also at the crate root;
//! - `user::EMAIL`... `rt::Field` constants: `EMAIL.contains("a").insensitive()`,
//!   `EMAIL.asc()`, `EMAIL.set("x")`, `VISITS.increment(1)`;
//! - `user::id(..)`, `user::email(..)`, `user::tenant_handle(..)`: unique criteria;
//! - `user::Create`: a new row's required fields without a default, named (`create`,
//!   `create_many` and `upsert` take it; `.set(..)` adds the others), and
//!   `user::CreateWithoutTenant` per relation whose required key `User` holds: the same
//!   without the key fields, which only a nested create through that relation takes
//!   (`rt::NestedCreateData`, one impl per relation field);
//! - `user::DEFAULTS`: the columns the client fills when a create leaves them out
//!   (`cuid()`, `uuid()`, `now()`...; see `refract_runtime::defaults`), where it has any;
//! - `db.user()` (through the `Models` trait): `rt::Actions<'_, User>`, every operation.
//!
//! A nested create through a relation whose required key the related model holds takes
//! that model's `CreateWithout<Relation>` (the relation sets the key), checked by the
//! compiler through `rt::NestedCreateData` (the root schema's client):
//! ```
//! use client::{MessageRole, conversation, message};
//! let _ = conversation::MESSAGES.create(message::CreateWithoutConvo {
//!     role: MessageRole::User,
//!     content: "hi".into(),
//! });
//! ```
//! The full `Create`, which has the key the relation would ignore, does not compile there:
//! ```compile_fail
//! use client::{MessageRole, conversation, message};
//! let _ = conversation::MESSAGES.create(message::Create {
//!     role: MessageRole::User,
//!     content: "hi".into(),
//!     convo_id: "another conversation".into(),
//! });
//! ```
//! Nor does a `CreateWithout` struct through another relation (`Conversation` holds the
//! keys of both `agent` and `tenant`; `CreateWithoutTenant` fits `tenant::CONVERSATIONS`
//! only):
//! ```compile_fail
//! use client::{agent, conversation};
//! let _ = agent::CONVERSATIONS.create(conversation::CreateWithoutTenant {
//!     agent_id: "a".into(),
//!     state: serde_json::json!({}),
//! });
//! ```
//! ```
//! use client::{conversation, tenant};
//! let _ = tenant::CONVERSATIONS.create(conversation::CreateWithoutTenant {
//!     agent_id: "a".into(),
//!     state: serde_json::json!({}),
//! });
//! ```
//!
//! Per relation field (`User.posts`):
//! - `user::POSTS`, a `rt::Relation` handle: include it (the result becomes
//!   `rt::Loaded<User, (rt::With<user::relation::Posts>,)>`, read with
//!   `.get(user::POSTS)`), filter by it (`some`, `every`, `none`, `is`, `is_not`), order
//!   by it, write through it (`create`, `connect`...);
//! - in `user::relation`: a marker type `Posts` with its `rt::RelationField` impl, and the
//!   `RelationMeta` static `POSTS` the runtime reads (the foreign key's side and columns,
//!   or the join table).
//!
//! And for a model with to-many relations, `user::Counts` (its `_count`, one `i64` per
//! to-many relation, read with `.counts()`) and `rt::HasCount`. The struct itself holds
//! scalars only; everything that combines includes is the runtime's generic code, so a
//! model's code grows linearly with its fields and relations.

mod docs;
mod enums;
mod model;
mod names;
mod plan;
mod root;
mod serde_code;
pub mod target;
mod tenancy;
mod vfs;

use refract_schema::ir;

pub use root::MARKER;
pub use target::{Outcome, RuntimeSource, Target};
pub use vfs::{Difference, PersistError, Persisted, Vfs};

/// How to generate one crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    /// The package name in `Cargo.toml`.
    pub crate_name: String,
    pub runtime: RuntimeDependency,
    /// Adds an empty `[workspace]` to `Cargo.toml`, so the crate builds on its own even
    /// inside a folder of another workspace that does not list it.
    pub standalone: bool,
}

/// How the generated crate depends on refract-runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeDependency {
    /// `path = "..."`, relative to the generated crate's folder (or absolute).
    Path(String),
    /// `version = "..."` from the registry.
    Version(String),
}

/// The files of the client crate for `schema`.
pub fn generate(schema: &ir::Schema, options: &GenerateOptions) -> Vfs {
    let plan = plan::Plan::new(schema);
    let mut vfs = Vfs::new();
    vfs.insert("Cargo.toml", root::cargo_toml(options));
    vfs.insert("src/lib.rs", root::print(root::lib_rs(&plan)));
    if !plan.enums.is_empty() {
        let path = format!("src/{}.rs", names::file_stem(&plan.enums_module));
        vfs.insert(path, root::print(enums::enums_module(&plan)));
    }
    let tenant_fields = tenancy::tenant_fields(schema, &plan);
    for (model, tenant) in plan.models.iter().zip(&tenant_fields) {
        let path = format!("src/{}.rs", names::file_stem(&model.module));
        vfs.insert(path, root::print(model::model_module(&plan, model, tenant)));
    }
    vfs
}
