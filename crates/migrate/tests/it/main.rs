//! Integration tests of refract-migrate against real PostgreSQL (refract-testdb) and Prisma's
//! own data under `../shared/corpus`, read at test time.

mod commands;
mod common;
mod corpus_schemas;
mod documenso_history;
mod evolution;
mod history;
mod pull;
mod real_history;
mod reintrospection;
mod schemas;
mod single_migration;
mod tls;
