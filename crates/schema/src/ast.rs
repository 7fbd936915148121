//! The syntax tree of one schema, with a span on every node.
//!
//! The AST is what the text says, nothing more: names are not resolved, types
//! are not checked, attributes are not interpreted. Lines the grammar could not
//! place are kept as [`Top::Invalid`] / [`BlockItem::Invalid`] so resolution
//! can report them. Comments other than `///` docs are dropped here; the
//! formatter works on the parse tree and keeps them.

use compact_str::CompactString;

use crate::source::Span;

/// All top-level items of all files of a schema, in file then source order.
#[derive(Debug, Clone, Default)]
pub struct SchemaAst {
    pub tops: Vec<Top>,
}

#[derive(Debug, Clone)]
pub enum Top {
    Model(Model),
    Enum(Enum),
    Datasource(ConfigBlock),
    Generator(ConfigBlock),
    TypeAlias(TypeAlias),
    /// A `{ ... }` block whose keyword is unknown.
    InvalidBlock {
        keyword: Ident,
        span: Span,
    },
    /// A line the grammar could not place.
    Invalid {
        span: Span,
    },
}

/// A name as written, with its span. Names up to 24 bytes (nearly all) are
/// stored inline: no allocation to build or free one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: CompactString,
    pub span: Span,
}

impl Ident {
    /// An empty name standing where the text has none (reported by
    /// resolution), spanning the item it belongs to.
    pub fn missing(span: Span) -> Ident {
        Ident {
            name: CompactString::default(),
            span,
        }
    }
}

/// What keyword opened a model-like block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    Model,
    View,
    /// `type X { ... }`: a composite type (MongoDB only).
    CompositeType,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub kind: ModelKind,
    pub name: Ident,
    pub fields: Vec<Field>,
    pub attributes: Vec<Attribute>,
    /// Lines inside the block that are neither fields nor attributes.
    pub invalid_lines: Vec<Span>,
    pub documentation: Option<String>,
    /// The keyword through the closing brace (or, when the `}` is missing,
    /// through the last line before the next block opener or the end).
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: Ident,
    /// `None` when the declaration has no type (reported by validation).
    pub field_type: Option<FieldType>,
    pub attributes: Vec<Attribute>,
    pub documentation: Option<String>,
    /// `name: Type` (Prisma 1 syntax), reported as an error.
    pub legacy_colon: Option<Span>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    Required,
    Optional,
    List,
}

/// How a type was written when it is not valid PSL (`String!`, `[String]`, `String[]?`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidArity {
    LegacyRequired,
    LegacyList,
    OptionalList,
}

#[derive(Debug, Clone)]
pub struct FieldType {
    pub name: TypeName,
    pub arity: Arity,
    pub invalid_arity: Option<InvalidArity>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum TypeName {
    Named(Ident),
    /// `Unsupported("...")`, with the string's span.
    Unsupported(String, Span),
}

impl TypeName {
    pub fn span(&self) -> Span {
        match self {
            TypeName::Named(i) => i.span,
            TypeName::Unsupported(_, s) => *s,
        }
    }
}

/// `@name(args)` or `@@name(args)`; `name` may be dotted (`db.VarChar`).
#[derive(Debug, Clone)]
pub struct Attribute {
    pub name: Ident,
    pub arguments: Arguments,
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct Arguments {
    pub items: Vec<Argument>,
    /// `name:` with no value; reported when the attribute is read.
    pub empty: Vec<Ident>,
    pub trailing_comma: Option<Span>,
    /// Span of the parentheses; `None` when the attribute has no argument list.
    pub span: Option<Span>,
}

#[derive(Debug, Clone)]
pub struct Argument {
    pub name: Option<Ident>,
    pub value: Expression,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Expression {
    /// The unescaped string value.
    String(String, Span),
    /// A number as written.
    Numeric(CompactString, Span),
    /// An identifier or dotted path used as a value: `true`, `Desc`, `Cascade`.
    Constant(CompactString, Span),
    Function(CompactString, Arguments, Span),
    Array(Vec<Expression>, Span),
}

impl Expression {
    pub fn span(&self) -> Span {
        match self {
            Expression::String(_, s)
            | Expression::Numeric(_, s)
            | Expression::Constant(_, s)
            | Expression::Function(_, _, s)
            | Expression::Array(_, s) => *s,
        }
    }

    /// How Prisma names the kind of a value in messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Expression::String(..) => "string",
            Expression::Numeric(..) => "numeric",
            Expression::Constant(..) => "constant",
            Expression::Function(..) => "functional",
            Expression::Array(..) => "array",
        }
    }

    pub fn as_string(&self) -> Option<&str> {
        match self {
            Expression::String(s, _) => Some(s),
            _ => None,
        }
    }

    pub fn as_constant(&self) -> Option<&str> {
        match self {
            Expression::Constant(s, _) => Some(s),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Enum {
    pub name: Ident,
    pub values: Vec<EnumValue>,
    pub attributes: Vec<Attribute>,
    pub invalid_lines: Vec<Span>,
    pub documentation: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct EnumValue {
    pub name: Ident,
    pub attributes: Vec<Attribute>,
    pub documentation: Option<String>,
    pub span: Span,
}

/// A `datasource` or `generator` block.
#[derive(Debug, Clone)]
pub struct ConfigBlock {
    pub name: Ident,
    pub properties: Vec<ConfigProperty>,
    pub invalid_lines: Vec<Span>,
    pub documentation: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ConfigProperty {
    pub name: Ident,
    /// `None` for `key =` with nothing after it.
    pub value: Option<Expression>,
    pub span: Span,
}

/// `type Name = Base @attrs` (legacy; rejected by validation).
#[derive(Debug, Clone)]
pub struct TypeAlias {
    pub name: Ident,
    pub span: Span,
}
