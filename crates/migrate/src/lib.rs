//! refract-migrate: the migration engine.
//!
//! Pipeline: the schema IR is *lowered* into a target [`SqlSchema`]; a live database is
//! *introspected* into another; [`diff()`] yields ordered [`Step`]s; [`render`] turns them into
//! SQL laid out as Prisma writes it; [`check`] classifies steps as safe, warning or
//! unexecutable; [`history`] owns the `migrations/` folder and the `_prisma_migrations` table,
//! and [`apply`] runs one migration script in a transaction.
//!
//! Layering: `sql_schema`, `diff`, `render`, `check::plan`/`evaluate` and `migrations_dir`
//! parsing are pure and open no connection; only `introspect`, `apply`, `history` and the
//! commands touch a database. Nothing here parses flags or reads the environment: callers pass
//! configuration structs. Prisma's behaviour (naming, ordering, messages, history table) is
//! the reference throughout, so that a database migrated by either tool shows no drift in
//! the other.

pub mod apply;
pub mod check;
pub mod checksum;
pub mod commands;
pub mod diff;
pub mod history;
pub mod introspect;
pub mod lower;
pub mod migrations_dir;
pub mod pull;
pub mod render;
pub mod split;
pub mod sql;
pub mod sql_schema;
pub mod step;
pub mod summary;

pub use check::Diagnostics;
pub use diff::diff;
pub use lower::{lower, lower_in};
pub use render::render_script;
pub use sql_schema::SqlSchema;
pub use step::Step;
