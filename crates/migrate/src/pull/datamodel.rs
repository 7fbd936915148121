//! A typed Prisma datamodel for `db pull` to build and render: models, enums, their fields
//! and values, attributes and argument values. `Display` writes each item one line per
//! field, value or attribute, arguments in the order given; the schema crate's formatter
//! then aligns the columns (as Prisma renders its introspection and then reformats it).
//! Strings are quoted and escaped here, never by the builder.

use std::fmt::{self, Display, Formatter};

/// A schema: its configuration blocks as written, then models and enums.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Datamodel {
    /// The generator and datasource blocks, kept as written (blank-line separated).
    pub config: String,
    pub blocks: Vec<Block>,
}

/// A top-level block that `db pull` writes.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Model(Model),
    Enum(Enum),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// `///` lines before the block.
    pub documentation: Option<String>,
    pub name: String,
    pub fields: Vec<Field>,
    /// `@@id`, `@@unique`, `@@index`, `@@map`, `@@ignore`, `@@schema`, after a blank line.
    pub attributes: Vec<Attribute>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub documentation: Option<String>,
    pub name: String,
    /// A scalar, enum or model name, or `Unsupported("...")`.
    pub type_name: FieldType,
    pub arity: Arity,
    /// `@id`, `@default(...)`, `@relation(...)`, `@db.X`, in the order written.
    pub attributes: Vec<Attribute>,
}

/// A field's type.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    /// A scalar, enum or model name.
    Named(String),
    /// `Unsupported("the database's type")`.
    Unsupported(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    Required,
    Optional,
    List,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    pub documentation: Option<String>,
    pub name: String,
    pub values: Vec<EnumValue>,
    /// `@@map`: after a blank line.
    pub map: Option<String>,
    /// `@@schema`: on the line after the values (or after `@@map`).
    pub schema: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    pub documentation: Option<String>,
    pub name: String,
    /// `@map("...")`.
    pub map: Option<String>,
}

/// `@name` or `@name(arguments)` on a field (`@@name` in a model's block attributes).
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// `id`, `default`, `db.VarChar`, `@@`-less `index`...
    pub name: String,
    pub arguments: Vec<Argument>,
}

/// `value` or `name: value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Argument {
    pub name: Option<&'static str>,
    pub value: Value,
}

/// An argument's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string literal, quoted and escaped when rendered.
    String(String),
    /// Written as is: a number, `true`, an enum value, a field name, `Cascade`, `Desc`...
    Constant(String),
    /// `[a, b]`.
    List(Vec<Value>),
    /// `name(arguments)`: `autoincrement()`, `dbgenerated("...")`, `a(sort: Desc)`.
    Function(String, Vec<Argument>),
}

impl Attribute {
    /// An attribute without arguments: `@id`, `@@ignore`.
    pub fn bare(name: impl Into<String>) -> Attribute {
        Attribute {
            name: name.into(),
            arguments: Vec::new(),
        }
    }

    /// An attribute with arguments (an empty list renders no parentheses).
    pub fn with(name: impl Into<String>, arguments: Vec<Argument>) -> Attribute {
        Attribute {
            name: name.into(),
            arguments,
        }
    }

    /// An attribute of one unnamed argument: `@map("x")`, `@default(now())`.
    pub fn of(name: impl Into<String>, value: Value) -> Attribute {
        Attribute::with(name, vec![Argument::unnamed(value)])
    }
}

impl Argument {
    pub fn unnamed(value: Value) -> Argument {
        Argument { name: None, value }
    }

    pub fn named(name: &'static str, value: Value) -> Argument {
        Argument {
            name: Some(name),
            value,
        }
    }
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn constant(s: impl Into<String>) -> Value {
        Value::Constant(s.into())
    }

    /// `[a, b]` of names written as is.
    pub fn constants<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Value {
        Value::List(items.into_iter().map(Value::constant).collect())
    }

    /// `name()`.
    pub fn call(name: impl Into<String>) -> Value {
        Value::Function(name.into(), Vec::new())
    }
}

impl Display for Datamodel {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.config.trim_end())?;
        for block in &self.blocks {
            write!(f, "\n{block}")?;
        }
        Ok(())
    }
}

impl Display for Block {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Block::Model(model) => model.fmt(f),
            Block::Enum(enm) => enm.fmt(f),
        }
    }
}

impl Display for Model {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        documentation(f, "", self.documentation.as_deref())?;
        writeln!(f, "model {} {{", self.name)?;
        for field in &self.fields {
            field.fmt(f)?;
        }
        if !self.attributes.is_empty() {
            writeln!(f)?;
            for attribute in &self.attributes {
                writeln!(f, "  @@{attribute}")?;
            }
        }
        writeln!(f, "}}")
    }
}

impl Display for Field {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        documentation(f, "  ", self.documentation.as_deref())?;
        write!(f, "  {} {}", self.name, self.type_name)?;
        match self.arity {
            Arity::Required => {}
            Arity::Optional => f.write_str("?")?,
            Arity::List => f.write_str("[]")?,
        }
        for attribute in &self.attributes {
            write!(f, " @{attribute}")?;
        }
        writeln!(f)
    }
}

impl Display for FieldType {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            FieldType::Named(name) => f.write_str(name),
            FieldType::Unsupported(tpe) => write!(f, "Unsupported({})", Quoted(tpe)),
        }
    }
}

impl Display for Enum {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        documentation(f, "", self.documentation.as_deref())?;
        writeln!(f, "enum {} {{", self.name)?;
        for value in &self.values {
            documentation(f, "  ", value.documentation.as_deref())?;
            write!(f, "  {}", value.name)?;
            if let Some(map) = &value.map {
                write!(f, " @map({})", Quoted(map))?;
            }
            writeln!(f)?;
        }
        if let Some(map) = &self.map {
            writeln!(f, "\n  @@map({})", Quoted(map))?;
        }
        if let Some(schema) = &self.schema {
            writeln!(f, "  @@schema({})", Quoted(schema))?;
        }
        writeln!(f, "}}")
    }
}

impl Display for Attribute {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if !self.arguments.is_empty() {
            write!(f, "({})", Arguments(&self.arguments))?;
        }
        Ok(())
    }
}

/// `a, name: b`.
struct Arguments<'a>(&'a [Argument]);

impl Display for Arguments<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, argument) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            if let Some(name) = argument.name {
                write!(f, "{name}: ")?;
            }
            argument.value.fmt(f)?;
        }
        Ok(())
    }
}

impl Display for Value {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(s) => Quoted(s).fmt(f),
            Value::Constant(c) => f.write_str(c),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    item.fmt(f)?;
                }
                f.write_str("]")
            }
            Value::Function(name, arguments) => write!(f, "{name}({})", Arguments(arguments)),
        }
    }
}

/// A Prisma string literal: `"`, `\` and newlines escaped.
struct Quoted<'a>(&'a str);

impl Display for Quoted<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                c => write!(f, "{c}")?,
            }
        }
        f.write_str("\"")
    }
}

/// `///` lines before an item. As Prisma, which reads a comment's text without its leading
/// blanks.
fn documentation(f: &mut Formatter<'_>, indent: &str, doc: Option<&str>) -> fmt::Result {
    for line in doc.into_iter().flat_map(str::lines).map(str::trim_start) {
        if line.is_empty() {
            writeln!(f, "{indent}///")?;
        } else {
            writeln!(f, "{indent}/// {line}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_renders_fields_attributes_and_block_attributes_in_order() {
        let model = Model {
            documentation: Some("Users.\n  second".into()),
            name: "User".into(),
            fields: vec![
                Field {
                    documentation: None,
                    name: "id".into(),
                    type_name: FieldType::Named("Int".into()),
                    arity: Arity::Required,
                    attributes: vec![
                        Attribute::bare("id"),
                        Attribute::of("default", Value::call("autoincrement")),
                    ],
                },
                Field {
                    documentation: Some("odd".into()),
                    name: "shape".into(),
                    type_name: FieldType::Unsupported("circle".into()),
                    arity: Arity::Optional,
                    attributes: vec![Attribute::of("map", Value::string("sha\"pe"))],
                },
            ],
            attributes: vec![
                Attribute::with(
                    "index",
                    vec![
                        Argument::unnamed(Value::List(vec![Value::Function(
                            "id".into(),
                            vec![Argument::named("sort", Value::constant("Desc"))],
                        )])),
                        Argument::named("type", Value::constant("Hash")),
                    ],
                ),
                Attribute::bare("ignore"),
            ],
        };
        assert_eq!(
            model.to_string(),
            "/// Users.\n/// second\nmodel User {\n  id Int @id @default(autoincrement())\n  /// odd\n  shape Unsupported(\"circle\")? @map(\"sha\\\"pe\")\n\n  @@index([id(sort: Desc)], type: Hash)\n  @@ignore\n}\n"
        );
    }

    #[test]
    fn an_enum_renders_mapped_values_then_map_and_schema() {
        let enm = Enum {
            documentation: None,
            name: "Role".into(),
            values: vec![
                EnumValue {
                    documentation: None,
                    name: "A".into(),
                    map: Some("a".into()),
                },
                EnumValue {
                    documentation: Some("".into()),
                    name: "B".into(),
                    map: None,
                },
            ],
            map: Some("roles".into()),
            schema: Some("auth".into()),
        };
        assert_eq!(
            enm.to_string(),
            "enum Role {\n  A @map(\"a\")\n  B\n\n  @@map(\"roles\")\n  @@schema(\"auth\")\n}\n"
        );
    }

    #[test]
    fn a_datamodel_is_its_config_then_each_block_after_a_blank_line() {
        let datamodel = Datamodel {
            config: "datasource db {\n  provider = \"postgresql\"\n}\n\n".into(),
            blocks: vec![Block::Enum(Enum {
                documentation: None,
                name: "E".into(),
                values: Vec::new(),
                map: None,
                schema: None,
            })],
        };
        assert_eq!(
            datamodel.to_string(),
            "datasource db {\n  provider = \"postgresql\"\n}\n\nenum E {\n}\n"
        );
    }
}
