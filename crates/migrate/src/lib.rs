//! refract-migrate: the migration engine.
//!
//! Pipeline: the schema IR is *lowered* ([`lower()`]) into a target [`SqlSchema`]; a live
//! database is *introspected* ([`introspect`]) into another; [`diff()`] yields ordered
//! [`Step`]s; [`render`] turns them into SQL laid out as Prisma writes it; [`check`] classifies
//! steps as safe, warning or unexecutable (with row counts from a database when one is
//! given). [`migrations_dir`] owns the `migrations/` folder, [`history`] the
//! `_prisma_migrations` table and the advisory lock, [`apply`] runs one script in a
//! transaction, [`pull`] renders an introspected schema as `schema.prisma` text and
//! [`summary`] explains a diff. [`commands`] composes these into `migrate dev | deploy |
//! status | reset | resolve | diff` and `db push | pull`.
//!
//! Layering: `sql_schema`, `lower`, `diff`, `render`, `check::plan`/`evaluate`, `summary`,
//! `pull` and the `migrations_dir` parsing are pure and open no connection; only
//! `introspect`, `apply`, `history`, `check::count` and `commands` touch a database. Nothing
//! here parses flags, reads the environment or prompts: commands take a [`commands::Config`]
//! and return outcomes (a reset or consent that is needed) for the CLI to act on. Prisma's
//! behaviour (naming, ordering, messages, history table, checksums, lock) is the reference
//! throughout, so that a database migrated by either tool shows no drift in the other.

pub mod apply;
pub mod check;
pub mod checksum;
pub mod commands;
pub mod diff;
pub mod history;
pub mod introspect;
pub mod lint;
pub mod lower;
pub mod migrations_dir;
pub mod pull;
pub mod render;
pub mod split;
pub mod sql;
pub mod sql_schema;
pub mod step;
pub mod summary;
pub mod tenancy;

pub use check::Diagnostics;
pub use diff::diff;
pub use lower::{lower, lower_in};
pub use render::render_script;
pub use sql_schema::SqlSchema;
pub use step::Step;
