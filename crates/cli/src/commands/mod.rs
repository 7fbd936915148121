//! One module per command group; each exposes functions that take the
//! resolved [`crate::config::Config`] and return an exit code.

pub mod generate;
pub mod schema;
pub mod studio;
