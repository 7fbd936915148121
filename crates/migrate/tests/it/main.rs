//! Integration tests of refract-migrate against real PostgreSQL (refract-testdb), over data
//! this repository holds (`tests/{evolution,reintrospection,schemas,migrations}`, inline
//! schemas). Tests that read Prisma's corpus live in `tests/corpus`, run by `cargo xtask
//! conformance`.

mod commands;
mod common;
mod evolution;
mod history;
mod reintrospection;
mod renames;
mod safe_under_load;
mod schemas;
mod tenancy;
mod tls;
mod truthful_history;
