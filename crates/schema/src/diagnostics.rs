//! Diagnostics: collected, never thrown.
//!
//! Every pass pushes [`Diagnostic`]s into one [`Diagnostics`] list; the CLI
//! renders them all at once. Each diagnostic has a stable [`Code`], a severity,
//! a lowercase message with names in backticks, a primary span, optional
//! secondary labels and an optional help line. Rendering (rustc-like, with
//! codespan-reporting) lives in [`crate::render`].

use crate::source::Span;

/// Error or warning. Warnings never make a schema invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// A stable diagnostic code: `E0xxx` for errors, `W0xxx` for warnings, with a
/// kebab-case name. Codes never change meaning once published, and a retired
/// code is never reused (W0005, `env-not-found`, was never emitted: `env()`
/// is resolved by callers).
///
/// Invariant: every code in [`codes::ALL`] is emitted by at least one fixture
/// under `tests/fixtures` (checked by `tests/fixtures.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code {
    pub id: &'static str,
    pub name: &'static str,
}

macro_rules! codes {
    ($($konst:ident = $id:literal $name:literal;)*) => {
        /// Every diagnostic code refract emits.
        pub mod codes {
            use super::Code;
            $(pub const $konst: Code = Code { id: $id, name: $name };)*
            /// All codes, for documentation and uniqueness tests.
            pub const ALL: &[Code] = &[$($konst),*];
        }
    };
}

codes! {
    SYNTAX = "E0001" "syntax";
    INVALID_BLOCK = "E0002" "invalid-block";
    INVALID_FIELD = "E0003" "invalid-field-declaration";
    DUPLICATE_TOP = "E0004" "duplicate-definition";
    DUPLICATE_FIELD = "E0005" "duplicate-field";
    DUPLICATE_ENUM_VALUE = "E0006" "duplicate-enum-value";
    RESERVED_NAME = "E0007" "reserved-name";
    INVALID_NAME = "E0008" "invalid-name";
    UNKNOWN_TYPE = "E0010" "unknown-type";
    UNSUPPORTED_ARITY = "E0011" "unsupported-arity";
    UNKNOWN_ATTRIBUTE = "E0012" "unknown-attribute";
    DUPLICATE_ATTRIBUTE = "E0013" "duplicate-attribute";
    ATTRIBUTE_ARGUMENT = "E0014" "invalid-attribute-argument";
    ATTRIBUTE_MISPLACED = "E0015" "attribute-not-allowed-here";
    MISSING_ID = "E0020" "missing-id";
    MULTIPLE_IDS = "E0021" "multiple-ids";
    INVALID_ID = "E0022" "invalid-id";
    INVALID_INDEX = "E0023" "invalid-index";
    DUPLICATE_DB_NAME = "E0024" "duplicate-database-name";
    INVALID_DEFAULT = "E0030" "invalid-default";
    INVALID_UPDATED_AT = "E0031" "invalid-updated-at";
    INVALID_NATIVE_TYPE = "E0032" "invalid-native-type";
    RELATION_MISSING_OPPOSITE = "E0040" "relation-missing-opposite";
    RELATION_AMBIGUOUS = "E0041" "relation-ambiguous";
    RELATION_ARITY = "E0042" "relation-fields-references-mismatch";
    RELATION_REFERENCES_NOT_UNIQUE = "E0043" "relation-references-not-unique";
    RELATION_INVALID = "E0044" "relation-invalid";
    RELATION_REFERENTIAL_ACTION = "E0045" "relation-referential-action";
    DATASOURCE = "E0050" "datasource";
    UNSUPPORTED_PROVIDER = "E0051" "unsupported-provider";
    GENERATOR = "E0052" "generator";
    SCHEMA_ATTRIBUTE = "E0053" "multi-schema";
    PREVIEW_FEATURE_REQUIRED = "E0054" "preview-feature-required";
    VIEW = "E0060" "view";
    COMPOSITE_TYPE = "E0061" "composite-type";
    INDEX_OPERATOR_CLASS = "E0062" "index-operator-class";
    UNKNOWN_PREVIEW_FEATURE = "W0001" "unknown-preview-feature";
    DEPRECATED_PREVIEW_FEATURE = "W0002" "deprecated-preview-feature";
    REFERENTIAL_ACTION_WARNING = "W0003" "referential-action";
    VIEW_ID = "W0004" "view-id";
    IGNORED_ARGUMENT = "W0006" "ignored-argument";
}

/// A secondary span with a note, shown under the main one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One error or warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub span: Span,
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span,
            labels: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The one list every pass pushes into.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn error(&mut self, code: Code, span: Span, message: impl Into<String>) {
        self.push(Diagnostic::error(code, span, message));
    }

    pub fn error_with_help(
        &mut self,
        code: Code,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.push(Diagnostic::error(code, span, message).with_help(help));
    }

    pub fn warning(&mut self, code: Code, span: Span, message: impl Into<String>) {
        self.push(Diagnostic::warning(code, span, message));
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.is_error())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| !d.is_error())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Errors first in source order, then warnings; stable for equal positions.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by_key(|d| (std::cmp::Reverse(d.severity), d.span.file, d.span.start));
        v
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }

    /// Appends every diagnostic of `more`, in order.
    pub fn extend(&mut self, more: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(more);
    }
}
