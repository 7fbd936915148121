//! One table or enum of the introspected [`SqlSchema`] as a typed [`datamodel`] block:
//! field types and `@db.*` attributes, defaults, ids, uniques, indexes and block attributes,
//! with what re-introspection keeps from the existing schema ([`Previous`]).

use crate::sql_schema::{
    Arity, Column, ColumnDefault, ColumnType, DefaultValue, EnumId, Index, IndexAlgorithm,
    NativeType, SortOrder, SqlSchema, TableId,
};
use refract_schema::ir;

use super::Context;
use super::datamodel::{self as dm, Argument, Attribute, Value};
use super::names::{Names, sanitize};
use super::previous::Previous;

/// An enum of the database, values in the database's order (as in Prisma).
pub(super) fn enum_block(
    schema: &SqlSchema,
    id: EnumId,
    names: &Names,
    previous: &Previous<'_>,
    multi_schema: bool,
) -> dm::Enum {
    let e = schema.enm(id);
    let kept = previous.enm(id);
    let name = names.enm(e.namespace.as_deref(), &e.name);
    let values = e
        .values
        .iter()
        .map(|value| {
            let documentation = kept
                .and_then(|k| k.values.iter().find(|v| &v.db_name == value))
                .and_then(|v| v.documentation.clone());
            let v = names.value(Some((e.namespace.as_deref(), &e.name)), value);
            let mapped = match kept {
                Some(k) => previous.maps(&k.name, Some(&v), &v, value),
                None => &v != value,
            };
            dm::EnumValue {
                documentation,
                name: v,
                map: mapped.then(|| value.clone()),
            }
        })
        .collect();
    let mapped = match kept {
        Some(k) => previous.maps(&k.name, None, &name, &e.name),
        None => name != e.name,
    };
    dm::Enum {
        documentation: kept.and_then(|k| k.documentation.clone()),
        map: mapped.then(|| e.name.clone()),
        schema: e.namespace.clone().filter(|_| multi_schema),
        name,
        values,
    }
}

/// A table of the database, its fields in column order (as in Prisma, whatever the
/// existing schema's order), then `relation_fields`, then the block attributes.
pub(super) fn model_block(
    cx: &Context<'_>,
    id: TableId,
    relation_fields: Vec<dm::Field>,
) -> dm::Model {
    let Context {
        schema,
        names,
        previous,
        multi_schema,
    } = *cx;
    let table = schema.table(id);
    let kept = previous.model(id);
    let indexes: Vec<&Index> = schema.table_indexes(id).map(|(_, i)| i).collect();
    let has_unique_criterion = table.primary_key.is_some()
        || indexes.iter().any(|i| {
            i.is_unique()
                && i.columns.iter().all(|c| {
                    table
                        .column(&c.name)
                        .is_some_and(|col| col.arity == Arity::Required)
                })
        });
    let documentation = match kept.and_then(|m| m.documentation.clone()) {
        Some(doc) => Some(doc),
        None if !has_unique_criterion => Some("The underlying table does not contain a valid unique identifier and can therefore currently not be handled by Prisma Client.".to_owned()),
        None => None,
    };
    let model_name = names.model(id);

    let mut fields: Vec<dm::Field> = table
        .columns
        .iter()
        .map(|column| scalar_field(cx, id, &indexes, column))
        .collect();
    fields.extend(relation_fields);

    let mut attributes = Vec::new();
    if let Some(pk) = table.primary_key.as_ref().filter(|pk| pk.columns.len() > 1) {
        let mut arguments = vec![Argument::unnamed(names.field_list(id, &pk.columns))];
        if let Some(name) = kept_compound_id_name(kept, &pk.columns) {
            arguments.push(Argument::named("name", Value::string(name)));
        }
        if pk.name != super::default_name(&table.name, &[], "_pkey") {
            arguments.push(Argument::named("map", Value::string(&pk.name)));
        }
        attributes.push(Attribute::with("id", arguments));
    }
    // Existing indexes keep their order; new ones follow by name.
    let mut ordered = indexes.clone();
    ordered.sort_by_key(|i| {
        kept.and_then(|m| m.indexes.iter().position(|k| k.db_name == i.name))
            .unwrap_or(usize::MAX)
    });
    for index in &ordered {
        // A single-column unique is the field's `@unique` (the first by name; a second one
        // on the same column cannot be written).
        if index.is_unique() && index.columns.len() == 1 {
            continue;
        }
        attributes.push(index_attribute(cx, id, kept, index));
    }
    let mapped = match kept {
        Some(model) => previous.maps(&model.name, None, model_name, &table.name),
        None => model_name != table.name,
    };
    if mapped {
        attributes.push(Attribute::of("map", Value::string(&table.name)));
    }
    if !has_unique_criterion || kept.is_some_and(|m| m.is_ignored) {
        attributes.push(Attribute::bare("ignore"));
    }
    if let (true, Some(ns)) = (multi_schema, &table.namespace) {
        attributes.push(Attribute::of("schema", Value::string(ns)));
    }
    dm::Model {
        documentation,
        name: model_name.to_owned(),
        fields,
        attributes,
    }
}

/// The field of one column.
fn scalar_field(cx: &Context<'_>, id: TableId, indexes: &[&Index], column: &Column) -> dm::Field {
    let Context {
        schema,
        names,
        previous,
        ..
    } = *cx;
    let table = schema.table(id);
    let kept = previous.model(id);
    let kept_field = previous.field(id, &column.name);
    let name = names.field(id, &column.name);
    let (type_name, native) = match &column.tpe {
        ColumnType::Enum { namespace, name } => (
            dm::FieldType::Named(names.enm(namespace.as_deref(), name)),
            None,
        ),
        _ => field_type(column),
    };
    let scalar = match &type_name {
        dm::FieldType::Named(name) => name.as_str(),
        dm::FieldType::Unsupported(_) => "",
    };
    let mut attributes = Vec::new();
    if let Some(pk) = table
        .primary_key
        .as_ref()
        .filter(|pk| pk.columns.len() == 1 && pk.columns[0] == column.name)
    {
        attributes.push(with_map(
            "id",
            &pk.name,
            &super::default_name(&table.name, &[], "_pkey"),
        ));
    }
    // One `@unique` per column: the first single-column unique index (by name).
    let unique = indexes
        .iter()
        .filter(|i| i.is_unique() && i.columns.len() == 1 && i.columns[0].name == column.name)
        .min_by(|a, b| a.name.cmp(&b.name));
    if let Some(unique) = unique {
        attributes.push(with_map(
            "unique",
            &unique.name,
            &super::default_name(&table.name, &[&column.name], "_key"),
        ));
    }
    let enum_name = column.enum_name();
    let database_default = column
        .default
        .as_ref()
        .and_then(|d| default_value(d, &|v| names.value(enum_name, v)));
    // Kept only where they still fit: a generated id is a single String (Prisma drops
    // them too once the column's type changed).
    let client_default = kept_field
        .filter(|_| scalar == "String" && column.arity != Arity::List)
        .and_then(|f| f.default.as_ref())
        .and_then(|d| client_side_default(&d.kind));
    if let Some(value) = database_default.or(client_default) {
        attributes.push(Attribute::of("default", value));
    }
    if kept_field.is_some_and(|f| f.is_updated_at) && scalar == "DateTime" {
        attributes.push(Attribute::bare("updatedAt"));
    }
    let mapped = match (kept, kept_field) {
        (Some(model), Some(field)) => {
            previous.maps(&model.name, Some(&field.name), &name, &column.name)
        }
        _ => name != column.name,
    };
    if mapped {
        attributes.push(Attribute::of("map", Value::string(&column.name)));
    }
    attributes.extend(native);
    if kept_field.is_some_and(|f| f.is_ignored) {
        attributes.push(Attribute::bare("ignore"));
    }
    dm::Field {
        documentation: kept_field.and_then(|f| f.documentation.clone()),
        name,
        type_name,
        arity: match column.arity {
            Arity::Required => dm::Arity::Required,
            Arity::Nullable => dm::Arity::Optional,
            Arity::List => dm::Arity::List,
        },
        attributes,
    }
}

/// `@id` or `@unique`, with `(map: ...)` when the constraint's name is not the default.
fn with_map(attribute: &str, name: &str, default: &str) -> Attribute {
    if name == default {
        Attribute::bare(attribute)
    } else {
        Attribute::with(attribute, vec![Argument::named("map", Value::string(name))])
    }
}

/// `@@index(...)` or `@@unique(...)` of several columns.
fn index_attribute(
    cx: &Context<'_>,
    id: TableId,
    kept: Option<&ir::Model>,
    index: &Index,
) -> Attribute {
    let table = cx.schema.table(id);
    let columns: Vec<&str> = index.column_names().collect();
    let (kind, suffix) = if index.is_unique() {
        ("unique", "_key")
    } else {
        ("index", "_idx")
    };
    let fields = index
        .columns
        .iter()
        .map(|c| {
            let name = cx.names.field(id, &c.name);
            let mut arguments = Vec::new();
            if c.sort == Some(SortOrder::Desc) {
                arguments.push(Argument::named("sort", Value::constant("Desc")));
            }
            if let Some(opclass) = c.opclass.as_ref().filter(|o| !o.is_default) {
                let ops = match crate::lower::opclass_prisma_name(&opclass.name) {
                    Some(name) => Value::constant(name),
                    None => Value::Function(
                        "raw".to_owned(),
                        vec![Argument::unnamed(Value::string(&opclass.name))],
                    ),
                };
                arguments.push(Argument::named("ops", ops));
            }
            if arguments.is_empty() {
                Value::Constant(name)
            } else {
                Value::Function(name, arguments)
            }
        })
        .collect();
    let mut arguments = vec![Argument::unnamed(Value::List(fields))];
    let client_name = kept.filter(|_| index.is_unique()).and_then(|m| {
        m.indexes
            .iter()
            .find(|i| i.db_name == index.name)
            .and_then(|i| i.name.as_deref())
    });
    if let Some(name) = client_name {
        arguments.push(Argument::named("name", Value::string(name)));
    }
    if index.name != super::default_name(&table.name, &columns, suffix) {
        arguments.push(Argument::named("map", Value::string(&index.name)));
    }
    if index.algorithm != IndexAlgorithm::BTree {
        arguments.push(Argument::named(
            "type",
            Value::constant(index.algorithm.name()),
        ));
    }
    Attribute::with(kind, arguments)
}

/// The `name:` of the existing `@@id` over the same columns.
pub(super) fn kept_compound_id_name<'a>(
    model: Option<&'a ir::Model>,
    columns: &[String],
) -> Option<&'a str> {
    let model = model?;
    let pk = model.primary_key.as_ref()?;
    let same = pk
        .fields
        .iter()
        .map(|f| model.field(f.field).db_name.as_str())
        .eq(columns.iter().map(String::as_str));
    pk.name.as_deref().filter(|_| same)
}

/// A default the client fills (the database holds none), as written in the schema.
fn client_side_default(kind: &ir::DefaultKind) -> Option<Value> {
    let with_argument = |name: &str, argument: String| {
        Value::Function(
            name.to_owned(),
            vec![Argument::unnamed(Value::Constant(argument))],
        )
    };
    Some(match kind {
        ir::DefaultKind::Cuid(1) => Value::call("cuid"),
        ir::DefaultKind::Cuid(v) => with_argument("cuid", v.to_string()),
        ir::DefaultKind::Uuid(4) => Value::call("uuid"),
        ir::DefaultKind::Uuid(v) => with_argument("uuid", v.to_string()),
        ir::DefaultKind::Nanoid(None) => Value::call("nanoid"),
        ir::DefaultKind::Nanoid(Some(n)) => with_argument("nanoid", n.to_string()),
        ir::DefaultKind::Ulid => Value::call("ulid"),
        _ => return None,
    })
}

/// The Prisma type of a column and its `@db.` attribute if the type is not the scalar's
/// default.
fn field_type(column: &Column) -> (dm::FieldType, Option<Attribute>) {
    let native = match &column.tpe {
        ColumnType::Enum { name, .. } => return (dm::FieldType::Named(sanitize(name)), None),
        ColumnType::Unsupported(t) => return (dm::FieldType::Unsupported(t.clone()), None),
        ColumnType::Native(n) => *n,
    };
    let db = |name: &str, arguments: &[u32]| {
        Some(Attribute::with(
            format!("db.{name}"),
            arguments
                .iter()
                .map(|n| Argument::unnamed(Value::Constant(n.to_string())))
                .collect(),
        ))
    };
    let sized = |name: &str, n: Option<u32>| db(name, n.as_slice());
    let (scalar, db) = match native {
        NativeType::Text => ("String", None),
        NativeType::VarChar(n) => ("String", sized("VarChar", n)),
        NativeType::Char(n) => ("String", sized("Char", n)),
        NativeType::Uuid => ("String", db("Uuid", &[])),
        NativeType::Xml => ("String", db("Xml", &[])),
        NativeType::Inet => ("String", db("Inet", &[])),
        NativeType::Citext => ("String", db("Citext", &[])),
        NativeType::Bit(n) => ("String", sized("Bit", n)),
        NativeType::VarBit(n) => ("String", sized("VarBit", n)),
        NativeType::Integer => ("Int", None),
        NativeType::SmallInt => ("Int", db("SmallInt", &[])),
        NativeType::Oid => ("Int", db("Oid", &[])),
        NativeType::BigInt => ("BigInt", None),
        NativeType::DoublePrecision => ("Float", None),
        NativeType::Real => ("Float", db("Real", &[])),
        NativeType::Decimal(Some((65, 30))) => ("Decimal", None),
        NativeType::Decimal(Some((p, s))) => ("Decimal", db("Decimal", &[p, s])),
        NativeType::Decimal(None) => ("Decimal", db("Decimal", &[])),
        NativeType::Money => ("Decimal", db("Money", &[])),
        NativeType::Boolean => ("Boolean", None),
        NativeType::Timestamp(Some(3)) => ("DateTime", None),
        NativeType::Timestamp(n) => ("DateTime", sized("Timestamp", n)),
        NativeType::Timestamptz(n) => ("DateTime", sized("Timestamptz", n)),
        NativeType::Date => ("DateTime", db("Date", &[])),
        NativeType::Time(n) => ("DateTime", sized("Time", n)),
        NativeType::Timetz(n) => ("DateTime", sized("Timetz", n)),
        NativeType::JsonB => ("Json", None),
        NativeType::Json => ("Json", db("Json", &[])),
        NativeType::ByteA => ("Bytes", None),
    };
    (dm::FieldType::Named(scalar.to_owned()), db)
}

/// A column's default as `@default(...)` writes it; `enum_value` names a value of the
/// column's enum. `None` for a database expression pull cannot write.
fn default_value(default: &ColumnDefault, enum_value: &dyn Fn(&str) -> String) -> Option<Value> {
    Some(match default {
        ColumnDefault::Sequence(_) => Value::call("autoincrement"),
        ColumnDefault::Now => Value::call("now"),
        ColumnDefault::DbGenerated(Some(expr)) => Value::Function(
            "dbgenerated".to_owned(),
            vec![Argument::unnamed(Value::string(expr))],
        ),
        ColumnDefault::DbGenerated(None) => return None,
        ColumnDefault::Value(value) => literal(value, enum_value),
    })
}

fn literal(value: &DefaultValue, enum_value: &dyn Fn(&str) -> String) -> Value {
    match value {
        DefaultValue::String(s) | DefaultValue::Json(s) | DefaultValue::DateTime(s) => {
            Value::string(s)
        }
        DefaultValue::Enum(v) => Value::Constant(enum_value(v)),
        DefaultValue::Int(i) => Value::Constant(i.to_string()),
        DefaultValue::Float(f) => Value::constant(f),
        DefaultValue::Boolean(b) => Value::Constant(b.to_string()),
        DefaultValue::Bytes(bytes) => Value::String(encode_base64(bytes)),
        DefaultValue::List(items) => {
            Value::List(items.iter().map(|v| literal(v, enum_value)).collect())
        }
    }
}

/// Prisma writes `Bytes` defaults in base64.
fn encode_base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let mut acc = 0u32;
        for (i, b) in chunk.iter().enumerate() {
            acc |= u32::from(*b) << (16 - 8 * i);
        }
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((acc >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
