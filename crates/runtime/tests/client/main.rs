//! Runtime tests against real PostgreSQL (one fresh database per test, via refract-testdb),
//! through `runtime_tests_client`, the client `gen generate` writes for `schema.prisma`
//! (committed at generated/runtime_tests).

mod includes;
mod logging;
mod operations;
mod pooler;
mod reads;
mod replicas;
mod semantics;
mod support;
mod tls;
mod transactions;
mod writes;
