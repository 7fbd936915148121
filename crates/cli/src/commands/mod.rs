//! One module per command group; each exposes functions that take the
//! resolved [`crate::config::Config`] and return an exit code.

pub mod db;
pub mod dev;
pub mod generate;
pub mod migrate;
pub mod schema;
pub mod seed;
pub mod studio;
