//! refract-migrate against Prisma's own data: the real projects' schemas and migration
//! folders and Prisma's engine test cases, read in place from the corpus that
//! `REFRACT_CORPUS` names (third-party files, never copied into this repository).
//!
//! Not part of `cargo test` (`test = false` in Cargo.toml): `cargo xtask conformance`
//! runs it as its `tests` section. A missing corpus fails every test here, loudly.
//! By hand: `REFRACT_CORPUS=/abs/path/to/corpus cargo test -p refract-migrate --test corpus`.

mod common;
mod corpus_schemas;
mod documenso_history;
mod pull;
mod real_history;
mod single_migration;
