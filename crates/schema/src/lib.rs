//! refract-schema: the Prisma Schema Language front end.
//!
//! Pipeline: text → [`parse`] (pest grammar, AST with spans) → [`resolve`]
//! (names, types, attributes, relations, in ordered passes) → [`ir::Schema`],
//! with [`validate`] rules pushing into one [`Diagnostics`] list. The IR is the
//! only thing codegen, migrate and studio read, with one side table beside it,
//! [`SourceFacts`], for what writing a schema back (`db pull`) needs of the text.
//!
//! What this crate must not know: SQL, Rust tokens, databases, the file system
//! beyond reading schema files ([`load`]), the environment (env vars are
//! resolved by callers). User input never fails the pipeline: every pass
//! returns its value and reports problems as diagnostics.

pub mod ast;
pub mod diagnostics;
pub mod format;
pub mod ir;
mod load;
pub mod parse;
pub mod render;
pub mod resolve;
pub mod source;
pub mod source_facts;
pub mod tenancy;

pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use load::load;
pub use source::{FileId, SourceFile, SourceFiles, Span};
pub use source_facts::SourceFacts;

/// The result of reading a schema: the IR (as complete as the input allows)
/// and every diagnostic. The schema is valid when there is no error.
#[derive(Debug, Clone)]
pub struct Validated {
    pub schema: ir::Schema,
    pub diagnostics: Diagnostics,
    /// What the source says and the IR does not keep (written `@map`s, files, config
    /// blocks as written), for consumers that write the schema back.
    pub source_facts: SourceFacts,
}

impl Validated {
    pub fn is_valid(&self) -> bool {
        !self.diagnostics.has_errors()
    }
}

/// Parses, resolves and validates all files of a schema.
pub fn validate(files: &SourceFiles) -> Validated {
    let mut diagnostics = Diagnostics::new();
    let ast = parse::parse_files(files, &mut diagnostics);
    let schema = resolve::resolve(&ast, &mut diagnostics);
    let source_facts = SourceFacts::read(&ast, files, &schema);
    Validated {
        schema,
        diagnostics,
        source_facts,
    }
}

/// Convenience for one in-memory file.
pub fn validate_str(name: &str, text: &str) -> Validated {
    validate(&SourceFiles::single(name, text))
}
