//! `db pull`: an introspected [`SqlSchema`] → `schema.prisma` text, as Prisma writes it.
//!
//! Models and enums take their database names (sanitised, with `@map`/`@@map` when the name is
//! not a valid identifier); types map back to scalars with `@db.*` only where the type is not
//! the scalar's default; defaults, ids, uniques and indexes carry `map:` only when the name is
//! not Prisma's default; foreign keys become relation fields named as Prisma names them
//! (the other model's name, `other_X` for self-relations, `X_relationName` when ambiguous);
//! implicit many-to-many join tables (`_AToB` with `A`/`B`) become list fields. The text is
//! then laid out by the schema crate's formatter.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::sql_schema::{
    Arity, Column, ColumnDefault, ColumnType, DefaultValue, ForeignKey, ForeignKeyAction, Index,
    IndexAlgorithm, NativeType, SortOrder, SqlSchema, TableId,
};

/// The default config blocks of a pulled schema without an existing one.
pub const DEFAULT_PREAMBLE: &str = "generator client {\n  provider = \"prisma-client-js\"\n}\n\ndatasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n";

/// Renders `schema` as Prisma schema text after `preamble` (the generator and datasource
/// blocks to keep), formatted.
pub fn render_pulled_schema(schema: &SqlSchema, preamble: &str) -> String {
    let mut out = String::from(preamble.trim_end());
    out.push('\n');
    let multi_schema = schema.tables.iter().any(|t| t.namespace.is_some());
    let model_names = model_names(schema);
    let join_tables: Vec<TableId> = schema
        .table_ids()
        .filter(|id| is_implicit_join_table(schema, *id))
        .collect();
    let relations = relation_fields(schema, &model_names, &join_tables);

    for e in &schema.enums {
        out.push('\n');
        let (name, mapped) = sanitize(&e.name);
        let _ = writeln!(out, "enum {name} {{");
        for value in &e.values {
            let (v, value_mapped) = sanitize_enum_value(value);
            if value_mapped {
                let _ = writeln!(out, "  {v} @map({})", quote(value));
            } else {
                let _ = writeln!(out, "  {v}");
            }
        }
        if mapped {
            let _ = writeln!(out, "\n  @@map({})", quote(&e.name));
        }
        if let (true, Some(ns)) = (multi_schema, &e.namespace) {
            let _ = writeln!(out, "  @@schema({})", quote(ns));
        }
        out.push_str("}\n");
    }

    for id in schema.table_ids() {
        if join_tables.contains(&id) {
            continue;
        }
        out.push('\n');
        render_model(
            &mut out,
            schema,
            id,
            &model_names,
            relations.get(&id).map(Vec::as_slice).unwrap_or(&[]),
            multi_schema,
        );
    }
    refract_schema::format::format(&out)
}

fn render_model(
    out: &mut String,
    schema: &SqlSchema,
    id: TableId,
    model_names: &BTreeMap<TableId, String>,
    relation_lines: &[String],
    multi_schema: bool,
) {
    let table = schema.table(id);
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
    if !has_unique_criterion {
        out.push_str("/// The underlying table does not contain a valid unique identifier and can therefore currently not be handled by Prisma Client.\n");
    }
    let _ = writeln!(out, "model {} {{", model_names[&id]);

    let single_pk = table
        .primary_key
        .as_ref()
        .filter(|pk| pk.columns.len() == 1);
    for column in &table.columns {
        let mut line = String::new();
        let (name, mapped) = sanitize(&column.name);
        let (scalar, native) = field_type(column);
        let suffix = match column.arity {
            Arity::Required => "",
            Arity::Nullable => "?",
            Arity::List => "[]",
        };
        let _ = write!(line, "  {name} {scalar}{suffix}");
        if let Some(pk) = single_pk.filter(|pk| pk.columns[0] == column.name) {
            line.push_str(" @id");
            if pk.name != default_name(&table.name, &[], "_pkey") {
                let _ = write!(line, "(map: {})", quote(&pk.name));
            }
        }
        // One `@unique` per column: the first single-column unique index (by name).
        let mut uniques: Vec<&&Index> = indexes
            .iter()
            .filter(|i| i.is_unique() && i.columns.len() == 1 && i.columns[0].name == column.name)
            .collect();
        uniques.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(unique) = uniques.first() {
            line.push_str(" @unique");
            if unique.name != default_name(&table.name, &[&column.name], "_key") {
                let _ = write!(line, "(map: {})", quote(&unique.name));
            }
        }
        if let Some(default) = &column.default {
            if let Some(rendered) = render_default(default) {
                let _ = write!(line, " @default({rendered})");
            }
        }
        if mapped {
            let _ = write!(line, " @map({})", quote(&column.name));
        }
        if let Some(native) = native {
            let _ = write!(line, " @db.{native}");
        }
        out.push_str(&line);
        out.push('\n');
    }
    for line in relation_lines {
        out.push_str(line);
        out.push('\n');
    }

    let mut block = Vec::new();
    if let Some(pk) = table.primary_key.as_ref().filter(|pk| pk.columns.len() > 1) {
        let mut line = format!("  @@id([{}]", field_list(&pk.columns));
        if pk.name != default_name(&table.name, &[], "_pkey") {
            let _ = write!(line, ", map: {}", quote(&pk.name));
        }
        line.push(')');
        block.push(line);
    }
    let mut seen_single_uniques = Vec::new();
    for index in &indexes {
        let columns: Vec<&str> = index.column_names().collect();
        if index.is_unique() && columns.len() == 1 {
            if seen_single_uniques.contains(&columns[0]) {
                continue;
            }
            seen_single_uniques.push(columns[0]);
            if single_column_unique_rendered(index, &indexes) {
                continue;
            }
        }
        let kind = if index.is_unique() { "unique" } else { "index" };
        let suffix = if index.is_unique() { "_key" } else { "_idx" };
        let fields: Vec<String> = index
            .columns
            .iter()
            .map(|c| {
                let mut f = sanitize(&c.name).0;
                let mut args = Vec::new();
                if c.sort == Some(SortOrder::Desc) {
                    args.push("sort: Desc".to_owned());
                }
                if let Some(opclass) = c.opclass.as_ref().filter(|o| !o.is_default) {
                    match crate::lower::opclass_prisma_name(&opclass.name) {
                        Some(name) => args.push(format!("ops: {name}")),
                        None => args.push(format!("ops: raw({})", quote(&opclass.name))),
                    }
                }
                if !args.is_empty() {
                    let _ = write!(f, "({})", args.join(", "));
                }
                f
            })
            .collect();
        let mut line = format!("  @@{kind}([{}]", fields.join(", "));
        if index.name != default_name(&table.name, &columns, suffix) {
            let _ = write!(line, ", map: {}", quote(&index.name));
        }
        if index.algorithm != IndexAlgorithm::BTree {
            let _ = write!(line, ", type: {}", algorithm_name(index.algorithm));
        }
        line.push(')');
        block.push(line);
    }
    let (_, table_mapped) = sanitize(&table.name);
    if table_mapped {
        block.push(format!("  @@map({})", quote(&table.name)));
    }
    if !has_unique_criterion {
        block.push("  @@ignore".to_owned());
    }
    if let (true, Some(ns)) = (multi_schema, &table.namespace) {
        block.push(format!("  @@schema({})", quote(ns)));
    }
    if !block.is_empty() {
        out.push('\n');
        for line in block {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out.push_str("}\n");
}

/// Whether `index` is the single-column unique rendered as the field's `@unique`.
fn single_column_unique_rendered(index: &Index, indexes: &[&Index]) -> bool {
    let column = &index.columns[0].name;
    let mut same: Vec<&&Index> = indexes
        .iter()
        .filter(|i| i.is_unique() && i.columns.len() == 1 && &i.columns[0].name == column)
        .collect();
    same.sort_by(|a, b| a.name.cmp(&b.name));
    same.first().is_some_and(|first| first.name == index.name)
}

fn algorithm_name(algorithm: IndexAlgorithm) -> &'static str {
    match algorithm {
        IndexAlgorithm::BTree => "BTree",
        IndexAlgorithm::Hash => "Hash",
        IndexAlgorithm::Gist => "Gist",
        IndexAlgorithm::Gin => "Gin",
        IndexAlgorithm::SpGist => "SpGist",
        IndexAlgorithm::Brin => "Brin",
    }
}

fn field_list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| sanitize(c).0)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Prisma's default constraint name, cut to 63 bytes before the suffix.
fn default_name(table: &str, columns: &[&str], suffix: &str) -> String {
    let mut base = table.to_owned();
    if !columns.is_empty() {
        base.push('_');
        base.push_str(&columns.join("_"));
    }
    let limit = 63 - suffix.len();
    let mut cut = base.len().min(limit);
    while !base.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{suffix}", &base[..cut])
}

/// (Prisma scalar or enum name, `@db.` attribute if not the default).
fn field_type(column: &Column) -> (String, Option<String>) {
    let native = match &column.tpe {
        ColumnType::Enum { name, .. } => return (sanitize(name).0, None),
        ColumnType::Unsupported(t) => return (format!("Unsupported({})", quote(t)), None),
        ColumnType::Native(n) => *n,
    };
    let args = |name: &str, n: Option<u32>| match n {
        Some(n) => format!("{name}({n})"),
        None => name.to_owned(),
    };
    let (scalar, db) = match native {
        NativeType::Text => ("String", None),
        NativeType::VarChar(n) => ("String", Some(args("VarChar", n))),
        NativeType::Char(n) => ("String", Some(args("Char", n))),
        NativeType::Uuid => ("String", Some("Uuid".into())),
        NativeType::Xml => ("String", Some("Xml".into())),
        NativeType::Inet => ("String", Some("Inet".into())),
        NativeType::Citext => ("String", Some("Citext".into())),
        NativeType::Bit(n) => ("String", Some(args("Bit", n))),
        NativeType::VarBit(n) => ("String", Some(args("VarBit", n))),
        NativeType::Integer => ("Int", None),
        NativeType::SmallInt => ("Int", Some("SmallInt".into())),
        NativeType::Oid => ("Int", Some("Oid".into())),
        NativeType::BigInt => ("BigInt", None),
        NativeType::DoublePrecision => ("Float", None),
        NativeType::Real => ("Float", Some("Real".into())),
        NativeType::Decimal(Some((65, 30))) => ("Decimal", None),
        NativeType::Decimal(Some((p, s))) => ("Decimal", Some(format!("Decimal({p}, {s})"))),
        NativeType::Decimal(None) => ("Decimal", Some("Decimal".into())),
        NativeType::Money => ("Decimal", Some("Money".into())),
        NativeType::Boolean => ("Boolean", None),
        NativeType::Timestamp(Some(3)) => ("DateTime", None),
        NativeType::Timestamp(n) => ("DateTime", Some(args("Timestamp", n))),
        NativeType::Timestamptz(n) => ("DateTime", Some(args("Timestamptz", n))),
        NativeType::Date => ("DateTime", Some("Date".into())),
        NativeType::Time(n) => ("DateTime", Some(args("Time", n))),
        NativeType::Timetz(n) => ("DateTime", Some(args("Timetz", n))),
        NativeType::JsonB => ("Json", None),
        NativeType::Json => ("Json", Some("Json".into())),
        NativeType::ByteA => ("Bytes", None),
    };
    (scalar.to_owned(), db)
}

fn render_default(default: &ColumnDefault) -> Option<String> {
    Some(match default {
        ColumnDefault::Sequence(_) => "autoincrement()".to_owned(),
        ColumnDefault::Now => "now()".to_owned(),
        ColumnDefault::DbGenerated(Some(expr)) => format!("dbgenerated({})", quote(expr)),
        ColumnDefault::DbGenerated(None) => return None,
        ColumnDefault::Value(value) => render_value(value)?,
    })
}

fn render_value(value: &DefaultValue) -> Option<String> {
    Some(match value {
        DefaultValue::String(s) | DefaultValue::Json(s) | DefaultValue::DateTime(s) => quote(s),
        DefaultValue::Enum(v) => sanitize_enum_value(v).0,
        DefaultValue::Int(i) => i.to_string(),
        DefaultValue::Float(f) => f.clone(),
        DefaultValue::Boolean(b) => b.to_string(),
        DefaultValue::Bytes(bytes) => quote(&encode_base64(bytes)),
        DefaultValue::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(render_value)
                .collect::<Option<Vec<_>>>()?
                .join(", ")
        ),
    })
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

/// A Prisma string literal.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A valid identifier for a database name, and whether it had to change.
fn sanitize(name: &str) -> (String, bool) {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    // As Prisma: a name starts with a letter, so leading digits and
    // underscores are dropped (`_foo` → `foo @@map("_foo")`, `1abc` → `abc`).
    let kept = out.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
    out = if kept.is_empty() {
        format!("n{out}")
    } else {
        kept.to_string()
    };
    let changed = out != name;
    (out, changed)
}

/// Enum values may start with a digit (they are identifiers), not with `_`.
fn sanitize_enum_value(name: &str) -> (String, bool) {
    let replaced: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let kept = replaced.trim_start_matches('_');
    let out = if kept.is_empty() {
        format!("n{replaced}")
    } else {
        kept.to_string()
    };
    let changed = out != name;
    (out, changed)
}

fn model_names(schema: &SqlSchema) -> BTreeMap<TableId, String> {
    schema
        .table_ids()
        .map(|id| (id, sanitize(&schema.table(id).name).0))
        .collect()
}

/// `_Name` with exactly columns `A` and `B`, each a foreign key.
fn is_implicit_join_table(schema: &SqlSchema, id: TableId) -> bool {
    let table = schema.table(id);
    let columns: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    table.name.starts_with('_')
        && columns == ["A", "B"]
        && schema.table_foreign_keys(id).count() == 2
        && ["A", "B"].iter().all(|c| {
            schema
                .table_foreign_keys(id)
                .any(|(_, fk)| fk.columns.len() == 1 && fk.columns[0] == *c)
        })
}

/// The relation-field lines of every model.
fn relation_fields(
    schema: &SqlSchema,
    model_names: &BTreeMap<TableId, String>,
    join_tables: &[TableId],
) -> BTreeMap<TableId, Vec<String>> {
    let mut fields: BTreeMap<TableId, Vec<(String, String)>> = BTreeMap::new();
    let join_ends = |join: TableId| -> (Option<TableId>, Option<TableId>) {
        let end = |column: &str| {
            schema
                .table_foreign_keys(join)
                .find(|(_, fk)| fk.columns.len() == 1 && fk.columns[0] == column)
                .map(|(_, fk)| fk.referenced_table)
        };
        (end("A"), end("B"))
    };
    // Relations (inline and many-to-many) between two models; more than one means each
    // needs a name.
    let pair_count = |a: TableId, b: TableId| {
        let inline = schema
            .foreign_keys
            .iter()
            .filter(|fk| !join_tables.contains(&fk.table))
            .filter(|fk| {
                (fk.table, fk.referenced_table) == (a, b)
                    || (fk.table, fk.referenced_table) == (b, a)
            })
            .count();
        let many = join_tables
            .iter()
            .filter(|&&j| {
                let ends = join_ends(j);
                ends == (Some(a), Some(b)) || ends == (Some(b), Some(a))
            })
            .count();
        inline + many
    };
    for fk in schema
        .foreign_keys
        .iter()
        .filter(|fk| !join_tables.contains(&fk.table))
    {
        let referencing = &model_names[&fk.table];
        let referenced = &model_names[&fk.referenced_table];
        let table = schema.table(fk.table);
        let self_relation = fk.table == fk.referenced_table;
        let ambiguous = pair_count(fk.table, fk.referenced_table) > 1;
        let relation_name = if ambiguous {
            Some(format!(
                "{}_{}To{}",
                referencing,
                fk.columns
                    .iter()
                    .map(|c| sanitize(c).0)
                    .collect::<Vec<_>>()
                    .join("_"),
                referenced
            ))
        } else if self_relation {
            Some(format!("{referencing}To{referenced}"))
        } else {
            None
        };
        let (forward_name, back_name) = match &relation_name {
            Some(name) if ambiguous && self_relation => (
                format!("{referenced}_{name}"),
                format!("other_{referencing}_{name}"),
            ),
            Some(name) if ambiguous => (
                format!("{referenced}_{name}"),
                format!("{referencing}_{name}"),
            ),
            _ if self_relation => (referenced.clone(), format!("other_{referencing}")),
            _ => (referenced.clone(), referencing.clone()),
        };
        let optional = fk.columns.iter().any(|c| {
            table
                .column(c)
                .is_some_and(|col| col.arity != Arity::Required)
        });
        let one_to_one = schema.table_indexes(fk.table).any(|(_, i)| {
            i.is_unique() && i.column_names().eq(fk.columns.iter().map(String::as_str))
        }) || table
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.columns == fk.columns);

        let mut args = Vec::new();
        if let Some(name) = &relation_name {
            args.push(quote(name));
        }
        args.push(format!("fields: [{}]", field_list(&fk.columns)));
        args.push(format!(
            "references: [{}]",
            field_list(&fk.referenced_columns)
        ));
        let (default_delete, default_update) = if optional {
            (ForeignKeyAction::SetNull, ForeignKeyAction::Cascade)
        } else {
            (ForeignKeyAction::Restrict, ForeignKeyAction::Cascade)
        };
        if fk.on_delete != default_delete {
            args.push(format!("onDelete: {}", action_name(fk.on_delete)));
        }
        if fk.on_update != default_update {
            args.push(format!("onUpdate: {}", action_name(fk.on_update)));
        }
        let cols: Vec<&str> = fk.columns.iter().map(String::as_str).collect();
        if fk.name != default_name(&table.name, &cols, "_fkey") {
            args.push(format!("map: {}", quote(&fk.name)));
        }
        fields.entry(fk.table).or_default().push((
            forward_name.clone(),
            format!(
                "  {forward_name} {referenced}{} @relation({})",
                if optional { "?" } else { "" },
                args.join(", ")
            ),
        ));
        let back_attr = relation_name
            .as_ref()
            .map(|n| format!(" @relation({})", quote(n)))
            .unwrap_or_default();
        fields.entry(fk.referenced_table).or_default().push((
            back_name.clone(),
            format!(
                "  {back_name} {referencing}{}{back_attr}",
                if one_to_one { "?" } else { "[]" }
            ),
        ));
    }
    for &join in join_tables {
        let relation = schema.table(join).name.trim_start_matches('_').to_owned();
        let target = |column: &str| -> Option<TableId> {
            schema
                .table_foreign_keys(join)
                .find(|(_, fk)| fk.columns[0] == column)
                .map(|(_, fk): (_, &ForeignKey)| fk.referenced_table)
        };
        let (Some(a), Some(b)) = (target("A"), target("B")) else {
            continue;
        };
        let (a_name, b_name) = (&model_names[&a], &model_names[&b]);
        let ambiguous = a == b || pair_count(a, b) > 1;
        let attr = format!(" @relation({})", quote(&relation));
        if ambiguous {
            let suffix = if a == b {
                String::new()
            } else {
                format!("_{relation}")
            };
            let (on_a, on_b) = if a == b {
                (format!("{b_name}_A"), format!("{a_name}_B"))
            } else {
                (format!("{b_name}{suffix}"), format!("{a_name}{suffix}"))
            };
            let (on_a, on_b) = if a == b
                && join_tables
                    .iter()
                    .filter(|&&j| is_self_join(schema, j, a))
                    .count()
                    > 1
            {
                (
                    format!("{b_name}_{relation}_A"),
                    format!("{a_name}_{relation}_B"),
                )
            } else {
                (on_a, on_b)
            };
            fields
                .entry(a)
                .or_default()
                .push((on_a.clone(), format!("  {on_a} {b_name}[]{attr}")));
            fields
                .entry(b)
                .or_default()
                .push((on_b.clone(), format!("  {on_b} {a_name}[]{attr}")));
        } else {
            fields
                .entry(a)
                .or_default()
                .push((b_name.clone(), format!("  {b_name} {b_name}[]{attr}")));
            fields
                .entry(b)
                .or_default()
                .push((a_name.clone(), format!("  {a_name} {a_name}[]{attr}")));
        }
    }
    fields
        .into_iter()
        .map(|(table, mut lines)| {
            lines.sort_by(|a, b| a.0.cmp(&b.0));
            (table, lines.into_iter().map(|(_, line)| line).collect())
        })
        .collect()
}

fn is_self_join(schema: &SqlSchema, join: TableId, model: TableId) -> bool {
    schema
        .table_foreign_keys(join)
        .all(|(_, fk)| fk.referenced_table == model)
}

fn action_name(action: ForeignKeyAction) -> &'static str {
    match action {
        ForeignKeyAction::NoAction => "NoAction",
        ForeignKeyAction::Restrict => "Restrict",
        ForeignKeyAction::Cascade => "Cascade",
        ForeignKeyAction::SetNull => "SetNull",
        ForeignKeyAction::SetDefault => "SetDefault",
    }
}
