//! refract-schema: the Prisma Schema Language front end.
//!
//! Pipeline: text → [`parse`] (pest grammar, AST with spans) → [`resolve`]
//! (names, types, attributes, relations, in ordered passes) → [`ir::Schema`],
//! with [`validate`] rules pushing into one [`Diagnostics`] list. The IR is the
//! only thing codegen, migrate and studio read.
//!
//! What this crate must not know: SQL, Rust tokens, databases, the file system
//! beyond reading schema files ([`load`]), the environment (env vars are
//! resolved by callers). User input never fails the pipeline: every pass
//! returns its value and reports problems as diagnostics.

pub mod ast;
pub mod diagnostics;
pub mod format;
pub mod parse;
pub mod source;

pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use source::{FileId, SourceFile, SourceFiles, Span};
