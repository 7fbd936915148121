//! Runtime tests against real PostgreSQL (one fresh database per test, via refract-testdb),
//! through `generated`, a hand-written module shaped exactly like codegen's output.

mod generated;
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
