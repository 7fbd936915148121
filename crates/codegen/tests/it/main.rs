//! refract-codegen's tests, one binary: snapshots of generated crates, the committed
//! crates being up to date, and the committed generated clients against real PostgreSQL
//! (`root`: the root `schema.prisma`; `every_type`: every field type, compound keys;
//! `relations`: every relation kind).

mod committed;
mod every_type;
mod relations;
mod root;
mod snapshots;
mod support;
mod tables;
