//! `introspect`: a live PostgreSQL catalog → [`SqlSchema`], in a fixed handful of queries
//! (one per kind of object, whatever the number of tables), kept in `.sql` files beside this one.
//!
//! Prisma's view of the database is reproduced: `_prisma_migrations` is left out, expression
//! indexes are skipped and partial ones read without their predicate, foreign keys to tables outside the introspected namespaces
//! are skipped, defaults are parsed into the categories the differ compares.

use std::collections::HashMap;

use tokio_postgres::{Client, Row};

use crate::sql_schema::{
    Arity, Column, ColumnDefault, ColumnType, DefaultValue, Enum, Extension, ForeignKey,
    ForeignKeyAction, Identity, Index, IndexAlgorithm, IndexColumn, IndexKind, NativeType, OpClass,
    Policy, PolicyCommand, PrimaryKey, RowLevelSecurity, Sequence, SortOrder, SqlSchema, Table,
    View,
};

const RELATIONS: &str = include_str!("introspect/relations.sql");
const COLUMNS: &str = include_str!("introspect/columns.sql");
const CONSTRAINTS: &str = include_str!("introspect/constraints.sql");
const INDEXES: &str = include_str!("introspect/indexes.sql");
const ENUMS: &str = include_str!("introspect/enums.sql");
const EXTENSIONS: &str = include_str!("introspect/extensions.sql");
const NAMESPACES: &str = include_str!("introspect/namespaces.sql");
const POLICIES: &str = include_str!("introspect/policies.sql");

/// The history table, never part of the schema.
pub const MIGRATIONS_TABLE: &str = "_prisma_migrations";

/// Which namespaces to look at and how to name things found there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Namespaces {
    /// One schema (usually `public`), names left unqualified, as in a schema without
    /// `schemas = [...]`.
    Single(String),
    /// Several schemas (multiSchema): every table and enum carries its namespace.
    Multi(Vec<String>),
}

impl Default for Namespaces {
    fn default() -> Self {
        Namespaces::Single("public".to_owned())
    }
}

impl Namespaces {
    fn names(&self) -> Vec<String> {
        match self {
            Namespaces::Single(ns) => vec![ns.clone()],
            Namespaces::Multi(list) => list.clone(),
        }
    }
    fn qualify(&self, namespace: String) -> Option<String> {
        match self {
            Namespaces::Single(_) => None,
            Namespaces::Multi(_) => Some(namespace),
        }
    }
}

/// Reads the schema of the given namespaces.
pub async fn introspect(
    client: &Client,
    namespaces: &Namespaces,
) -> Result<SqlSchema, tokio_postgres::Error> {
    let names = namespaces.names();
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&names];

    let (
        ns_rows,
        relation_rows,
        column_rows,
        constraint_rows,
        index_rows,
        enum_rows,
        ext_rows,
        policy_rows,
    ) = tokio::try_join!(
        client.query(NAMESPACES, &params),
        client.query(RELATIONS, &params),
        client.query(COLUMNS, &params),
        client.query(CONSTRAINTS, &params),
        client.query(INDEXES, &params),
        client.query(ENUMS, &params),
        client.query(EXTENSIONS, &[]),
        client.query(POLICIES, &params),
    )?;

    let mut schema = SqlSchema {
        namespaces: ns_rows.iter().map(|r| r.get::<_, String>("name")).collect(),
        ..SqlSchema::default()
    };
    for row in &enum_rows {
        schema.enums.push(Enum {
            namespace: namespaces.qualify(row.get("namespace")),
            name: row.get("name"),
            values: row.get("values"),
        });
    }
    let mut table_ids = HashMap::new();
    for row in &relation_rows {
        let namespace: String = row.get("namespace");
        let name: String = row.get("name");
        let kind: String = row.get("kind");
        match kind.as_str() {
            "r" | "p" if name != MIGRATIONS_TABLE => {
                let id = schema.push_table(Table {
                    namespace: namespaces.qualify(namespace.clone()),
                    name: name.clone(),
                    columns: Vec::new(),
                    primary_key: None,
                    row_level_security: RowLevelSecurity {
                        enabled: row.get("row_security"),
                        forced: row.get("force_row_security"),
                    },
                });
                table_ids.insert((namespace, name), id);
            }
            "v" | "m" => schema.views.push(View {
                namespace: namespaces.qualify(namespace),
                name,
            }),
            "S" => schema.sequences.push(Sequence {
                namespace: namespaces.qualify(namespace),
                name,
            }),
            _ => {}
        }
    }
    for row in &column_rows {
        let key = (
            row.get::<_, String>("namespace"),
            row.get::<_, String>("table_name"),
        );
        let Some(&table) = table_ids.get(&key) else {
            continue;
        };
        let column = column_from_row(row, namespaces);
        schema.tables[table.0 as usize].columns.push(column);
    }
    for row in &constraint_rows {
        let key = (
            row.get::<_, String>("namespace"),
            row.get::<_, String>("table_name"),
        );
        let Some(&table) = table_ids.get(&key) else {
            continue;
        };
        let kind: String = row.get("kind");
        let name: String = row.get("name");
        let columns: Vec<String> = row.get("columns");
        match kind.as_str() {
            "p" => schema.tables[table.0 as usize].primary_key = Some(PrimaryKey { name, columns }),
            "f" => {
                let referenced = (
                    row.get::<_, Option<String>>("referenced_namespace")
                        .unwrap_or_default(),
                    row.get::<_, Option<String>>("referenced_table")
                        .unwrap_or_default(),
                );
                let Some(&referenced_table) = table_ids.get(&referenced) else {
                    continue;
                };
                schema.foreign_keys.push(ForeignKey {
                    table,
                    name,
                    columns,
                    referenced_table,
                    referenced_columns: row.get("referenced_columns"),
                    on_delete: action(&row.get::<_, String>("on_delete")),
                    on_update: action(&row.get::<_, String>("on_update")),
                });
            }
            _ => {} // unique constraints come with their index below
        }
    }
    for row in &index_rows {
        let key = (
            row.get::<_, String>("namespace"),
            row.get::<_, String>("table_name"),
        );
        let Some(&table) = table_ids.get(&key) else {
            continue;
        };
        // Expression indexes are invisible to Prisma; partial ones are seen without their
        // predicate (the schema language cannot express it without a preview feature).
        if row.get::<_, bool>("is_expression") {
            continue;
        }
        let names: Vec<String> = row.get("columns");
        let descending: Vec<bool> = row.get("descending");
        let opclasses: Vec<String> = row.get("opclasses");
        let opclass_defaults: Vec<bool> = row.get("opclass_defaults");
        let columns = names
            .into_iter()
            .enumerate()
            .map(|(i, name)| IndexColumn {
                name,
                sort: descending
                    .get(i)
                    .copied()
                    .filter(|d| *d)
                    .map(|_| SortOrder::Desc),
                opclass: opclasses.get(i).map(|opclass| OpClass {
                    name: opclass.clone(),
                    is_default: opclass_defaults.get(i).copied().unwrap_or(true),
                }),
            })
            .collect();
        schema.indexes.push(Index {
            table,
            name: row.get("name"),
            kind: if row.get::<_, bool>("is_unique") {
                IndexKind::Unique
            } else {
                IndexKind::Normal
            },
            algorithm: algorithm(&row.get::<_, String>("method")),
            columns,
            included_columns: row.get("included"),
            is_partial: row.get("is_partial"),
            is_constraint: row.get("is_constraint"),
        });
    }
    for row in &ext_rows {
        schema.extensions.push(Extension {
            name: row.get("name"),
            schema: row.get("schema"),
            version: row.get("version"),
            relocatable: row.get("relocatable"),
        });
    }
    for row in &policy_rows {
        let key = (
            row.get::<_, String>("namespace"),
            row.get::<_, String>("table_name"),
        );
        let Some(&table) = table_ids.get(&key) else {
            continue;
        };
        schema.policies.push(Policy {
            table,
            name: row.get("name"),
            command: match row.get::<_, String>("command").as_str() {
                "r" => PolicyCommand::Select,
                "a" => PolicyCommand::Insert,
                "w" => PolicyCommand::Update,
                "d" => PolicyCommand::Delete,
                _ => PolicyCommand::All,
            },
            permissive: row.get("permissive"),
            roles: row.get("roles"),
            using: row.get("using_expr"),
            with_check: row.get("check_expr"),
        });
    }
    Ok(schema)
}

fn action(code: &str) -> ForeignKeyAction {
    match code {
        "r" => ForeignKeyAction::Restrict,
        "c" => ForeignKeyAction::Cascade,
        "n" => ForeignKeyAction::SetNull,
        "d" => ForeignKeyAction::SetDefault,
        _ => ForeignKeyAction::NoAction,
    }
}

fn algorithm(method: &str) -> IndexAlgorithm {
    match method {
        "hash" => IndexAlgorithm::Hash,
        "gist" => IndexAlgorithm::Gist,
        "gin" => IndexAlgorithm::Gin,
        "spgist" => IndexAlgorithm::SpGist,
        "brin" => IndexAlgorithm::Brin,
        _ => IndexAlgorithm::BTree,
    }
}

fn column_from_row(row: &Row, namespaces: &Namespaces) -> Column {
    let formatted: String = row.get("formatted_type");
    let type_name: String = row.get("type_name");
    let type_kind: String = row.get("type_kind");
    let is_array: bool = row.get("is_array");
    let not_null: bool = row.get("not_null");
    let element = formatted
        .strip_suffix("[]")
        .unwrap_or(&formatted)
        .to_owned();

    let tpe = if type_kind == "e" {
        ColumnType::Enum {
            namespace: namespaces.qualify(row.get("type_namespace")),
            name: type_name.clone(),
        }
    } else {
        match native_type(&type_name, &element) {
            Some(native) => ColumnType::Native(native),
            None => ColumnType::Unsupported(element),
        }
    };
    let arity = if is_array {
        Arity::List
    } else if not_null {
        Arity::Required
    } else {
        Arity::Nullable
    };
    let identity = match row.get::<_, String>("identity").as_str() {
        "a" => Some(Identity::Always),
        "d" => Some(Identity::ByDefault),
        _ => None,
    };
    let default = row
        .get::<_, Option<String>>("default_expr")
        .map(|expr| parse_default(&expr, &tpe, arity));
    let auto_increment = matches!(default, Some(ColumnDefault::Sequence(_))) || identity.is_some();
    Column {
        name: row.get("name"),
        tpe,
        arity,
        default,
        auto_increment,
        identity,
        prisma_level_default: false,
    }
}

/// Maps a catalog type (by `pg_type.typname`, with `format_type`'s text for modifiers) to a
/// native type; `None` for types Prisma does not support natively.
pub fn native_type(type_name: &str, formatted: &str) -> Option<NativeType> {
    let args = type_args(formatted);
    let first = args.first().copied();
    // Prisma reads the precision of time types through information_schema, which reports the
    // default (6) when none was given.
    let precision = first.or(Some(6));
    Some(match type_name {
        "int2" => NativeType::SmallInt,
        "int4" => NativeType::Integer,
        "int8" => NativeType::BigInt,
        "numeric" => NativeType::Decimal(match args.as_slice() {
            [p, s] => Some((*p, *s)),
            [p] => Some((*p, 0)),
            _ => None,
        }),
        "money" => NativeType::Money,
        "float4" => NativeType::Real,
        "float8" => NativeType::DoublePrecision,
        "varchar" => NativeType::VarChar(first),
        "bpchar" => NativeType::Char(first),
        "text" => NativeType::Text,
        "bytea" => NativeType::ByteA,
        "date" => NativeType::Date,
        "timestamp" => NativeType::Timestamp(precision),
        "timestamptz" => NativeType::Timestamptz(precision),
        "time" => NativeType::Time(precision),
        "timetz" => NativeType::Timetz(precision),
        "bool" => NativeType::Boolean,
        "bit" => NativeType::Bit(first),
        "varbit" => NativeType::VarBit(first),
        "uuid" => NativeType::Uuid,
        "xml" => NativeType::Xml,
        "json" => NativeType::Json,
        "jsonb" => NativeType::JsonB,
        "inet" => NativeType::Inet,
        "citext" => NativeType::Citext,
        "oid" => NativeType::Oid,
        _ => return None,
    })
}

/// The numbers in the first parenthesis of `character varying(255)` / `numeric(65,30)`.
fn type_args(formatted: &str) -> Vec<u32> {
    let Some(open) = formatted.find('(') else {
        return Vec::new();
    };
    let Some(close) = formatted[open..].find(')') else {
        return Vec::new();
    };
    formatted[open + 1..open + close]
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// Parses a default expression as PostgreSQL prints it (`pg_get_expr`).
pub fn parse_default(expr: &str, tpe: &ColumnType, arity: Arity) -> ColumnDefault {
    let trimmed = expr.trim();
    if let Some(sequence) = parse_nextval(trimmed) {
        return ColumnDefault::Sequence(sequence);
    }
    let lower = trimmed.to_ascii_lowercase();
    let is_datetime = matches!(
        tpe,
        ColumnType::Native(
            NativeType::Timestamp(_)
                | NativeType::Timestamptz(_)
                | NativeType::Date
                | NativeType::Time(_)
                | NativeType::Timetz(_)
        )
    );
    if is_datetime && (lower == "now()" || lower == "current_timestamp") {
        return ColumnDefault::Now;
    }
    let value = if arity.is_list() {
        parse_list(trimmed, tpe)
    } else {
        parse_scalar(trimmed, tpe)
    };
    match value {
        Some(v) => ColumnDefault::Value(v),
        None => ColumnDefault::DbGenerated(Some(trimmed.to_owned())),
    }
}

fn parse_nextval(expr: &str) -> Option<String> {
    let inner = expr.strip_prefix("nextval(")?.strip_suffix(')')?;
    let inner = inner.strip_suffix("::regclass").unwrap_or(inner);
    let name = parse_string_literal(inner)?.0;
    // `'"User_id_seq"'` or `'schema."Seq"'`: keep the last part, unquoted.
    let last = name.rsplit('.').next().unwrap_or(&name);
    Some(last.trim_matches('"').to_owned())
}

/// `'...'` at the start of `s` → (unescaped content, rest after the closing quote).
fn parse_string_literal(s: &str) -> Option<(String, &str)> {
    let s = s.strip_prefix('\'')?;
    let mut out = String::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            if let Some((_, '\'')) = chars.peek() {
                chars.next();
                out.push('\'');
            } else {
                return Some((out, &s[i + 1..]));
            }
        } else {
            out.push(c);
        }
    }
    None
}

/// Strips a trailing `::type` cast (possibly `::character varying`, `::"Role"`, `::text[]`).
fn strip_cast(s: &str) -> Option<&str> {
    let rest = s.trim();
    if rest.is_empty() {
        return Some(rest);
    }
    rest.strip_prefix("::").map(|_| rest)
}

fn parse_scalar(expr: &str, tpe: &ColumnType) -> Option<DefaultValue> {
    if let Some((text, rest)) = parse_string_literal(expr) {
        strip_cast(rest)?;
        return Some(match tpe {
            ColumnType::Enum { .. } => DefaultValue::Enum(text),
            ColumnType::Native(n) => match n {
                NativeType::Json | NativeType::JsonB => DefaultValue::Json(text),
                NativeType::Timestamp(_)
                | NativeType::Timestamptz(_)
                | NativeType::Date
                | NativeType::Time(_)
                | NativeType::Timetz(_) => DefaultValue::DateTime(text),
                NativeType::ByteA => {
                    DefaultValue::Bytes(hex::decode(text.strip_prefix("\\x")?).ok()?)
                }
                NativeType::SmallInt
                | NativeType::Integer
                | NativeType::BigInt
                | NativeType::Oid => DefaultValue::Int(text.parse().ok()?),
                NativeType::Decimal(_)
                | NativeType::Real
                | NativeType::DoublePrecision
                | NativeType::Money => {
                    text.parse::<f64>().ok()?;
                    DefaultValue::Float(text)
                }
                NativeType::Boolean => DefaultValue::Boolean(match text.as_str() {
                    "true" | "t" => true,
                    "false" | "f" => false,
                    _ => return None,
                }),
                _ => DefaultValue::String(text),
            },
            ColumnType::Unsupported(_) => return None,
        });
    }
    let bare = expr.trim_start_matches('(').trim_end_matches(')');
    match tpe {
        ColumnType::Native(NativeType::Boolean) => match bare {
            "true" => Some(DefaultValue::Boolean(true)),
            "false" => Some(DefaultValue::Boolean(false)),
            _ => None,
        },
        ColumnType::Native(
            NativeType::SmallInt | NativeType::Integer | NativeType::BigInt | NativeType::Oid,
        ) => bare.parse().ok().map(DefaultValue::Int),
        ColumnType::Native(
            NativeType::Decimal(_)
            | NativeType::Real
            | NativeType::DoublePrecision
            | NativeType::Money,
        ) => {
            let number = bare.split("::").next().unwrap_or(bare);
            number
                .parse::<f64>()
                .ok()
                .map(|_| DefaultValue::Float(number.to_owned()))
        }
        _ => None,
    }
}

fn parse_list(expr: &str, tpe: &ColumnType) -> Option<DefaultValue> {
    if let Some(inner) = expr.strip_prefix("ARRAY[") {
        let close = matching_bracket(inner)?;
        strip_cast(&inner[close + 1..])?;
        let body = inner[..close].trim();
        if body.is_empty() {
            return Some(DefaultValue::List(Vec::new()));
        }
        let mut values = Vec::new();
        for item in split_top_level(body) {
            values.push(parse_scalar(item.trim(), tpe)?);
        }
        return Some(DefaultValue::List(values));
    }
    let (text, rest) = parse_string_literal(expr)?;
    strip_cast(rest)?;
    let body = text.strip_prefix('{')?.strip_suffix('}')?;
    if body.is_empty() {
        return Some(DefaultValue::List(Vec::new()));
    }
    let mut values = Vec::new();
    for item in body.split(',') {
        let item = item.trim().trim_matches('"');
        let quoted = format!("'{}'", item.replace('\'', "''"));
        values.push(parse_scalar(&quoted, tpe)?);
    }
    Some(DefaultValue::List(values))
}

/// Position of the `]` closing an `ARRAY[` whose contents start `s`.
fn matching_bracket(s: &str) -> Option<usize> {
    let (mut depth, mut in_quote) = (0i32, false);
    for (i, c) in s.char_indices() {
        match c {
            '\'' => in_quote = !in_quote,
            '[' if !in_quote => depth += 1,
            ']' if !in_quote => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    None
}

/// Splits `a, 'b,c'::text, d` on commas outside quotes and parentheses.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut in_quote, mut start) = (0i32, false, 0);
    for (i, c) in s.char_indices() {
        match c {
            '\'' => in_quote = !in_quote,
            '(' if !in_quote => depth += 1,
            ')' if !in_quote => depth -= 1,
            ',' if !in_quote && depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text() -> ColumnType {
        ColumnType::Native(NativeType::Text)
    }

    #[test]
    fn defaults_are_parsed_into_prisma_categories() {
        assert_eq!(
            parse_default(
                "nextval('\"User_id_seq\"'::regclass)",
                &ColumnType::Native(NativeType::Integer),
                Arity::Required
            ),
            ColumnDefault::Sequence("User_id_seq".into())
        );
        assert_eq!(
            parse_default("'it''s'::text", &text(), Arity::Required),
            ColumnDefault::Value(DefaultValue::String("it's".into()))
        );
        assert_eq!(
            parse_default(
                "'[]'::jsonb",
                &ColumnType::Native(NativeType::JsonB),
                Arity::Required
            ),
            ColumnDefault::Value(DefaultValue::Json("[]".into()))
        );
        assert_eq!(
            parse_default(
                "CURRENT_TIMESTAMP",
                &ColumnType::Native(NativeType::Timestamp(Some(3))),
                Arity::Required
            ),
            ColumnDefault::Now
        );
        assert_eq!(
            parse_default(
                "'-1'::integer",
                &ColumnType::Native(NativeType::Integer),
                Arity::Required
            ),
            ColumnDefault::Value(DefaultValue::Int(-1))
        );
        assert_eq!(
            parse_default("gen_random_uuid()", &text(), Arity::Required),
            ColumnDefault::DbGenerated(Some("gen_random_uuid()".into()))
        );
        assert_eq!(
            parse_default("ARRAY['a'::text, 'b'::text]", &text(), Arity::List),
            ColumnDefault::Value(DefaultValue::List(vec![
                DefaultValue::String("a".into()),
                DefaultValue::String("b".into())
            ]))
        );
        assert_eq!(
            parse_default("ARRAY[]::text[]", &text(), Arity::List),
            ColumnDefault::Value(DefaultValue::List(vec![]))
        );
        assert_eq!(
            parse_default("'{}'::text[]", &text(), Arity::List),
            ColumnDefault::Value(DefaultValue::List(vec![]))
        );
    }

    #[test]
    fn native_types_from_catalog_names() {
        assert_eq!(
            native_type("varchar", "character varying(255)"),
            Some(NativeType::VarChar(Some(255)))
        );
        assert_eq!(
            native_type("numeric", "numeric(65,30)"),
            Some(NativeType::Decimal(Some((65, 30))))
        );
        assert_eq!(
            native_type("timestamp", "timestamp(3) without time zone"),
            Some(NativeType::Timestamp(Some(3)))
        );
        assert_eq!(
            native_type("timestamp", "timestamp without time zone"),
            Some(NativeType::Timestamp(Some(6)))
        );
        assert_eq!(native_type("tsvector", "tsvector"), None);
    }
}
