//! `db pull`: an introspected [`SqlSchema`] → `schema.prisma` text, as Prisma writes it.
//!
//! Models and enums take their database names (sanitised, with `@map`/`@@map` when the name is
//! not a valid identifier); types map back to scalars with `@db.*` only where the type is not
//! the scalar's default; defaults, ids, uniques and indexes carry `map:` only when the name is
//! not Prisma's default; foreign keys become relation fields named as Prisma names them
//! (the other table's name, `other_X` for self-relations, `X_relationName` when ambiguous),
//! listed in foreign-key order; implicit many-to-many join tables (`_AToB` with `A`/`B`)
//! become list fields. Models come first (by table name), then enums. Models and enums share
//! one namespace: a new one whose name is taken (by a kept one, or another new one in another
//! database schema) is named `<database schema>_<name>` with `@@map`, and listed in the
//! warnings, as in Prisma (a new column named like a kept field is not renamed: Prisma writes
//! both, and the CLI refuses the result).
//!
//! **Re-introspection** ([`reintrospect`] over an [`Existing`] schema), as Prisma's: what
//! the database cannot know is taken from the existing schema (`previous` matches its
//! models, fields, enums and relations by database name): model, field, enum and enum value
//! names (so `@@map`/`@map` stay, even one that repeats the name), relation field names where
//! the same foreign key or join table still exists (and `@relation("Name")` when written, a
//! self-relation's default name otherwise), `@updatedAt` (on a `DateTime`), client-side
//! defaults (`cuid()`, `uuid()`, `nanoid()`, `ulid()`) where the column has no default,
//! `@ignore`/`@@ignore`, `///` comments of models, enums, enum values and scalar fields,
//! `name:` of `@@id` and `@@unique`; with `relationMode = "prisma"` (no foreign keys) the
//! relations themselves, as written, where their columns still exist. Existing models, enums
//! and indexes keep their order and new ones follow (in database order); fields and enum
//! values follow the database's order, relation fields after the scalar ones. Dropped tables
//! and columns disappear, as do `//` comments and relation fields' `///` comments. Prisma's
//! warnings list what was kept. A schema in several files is also given back file by file
//! (each model and enum in its file, new ones in a file of their own). The text is then laid
//! out by the schema crate's formatter.

mod previous;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use refract_schema::{SourceFiles, ir};

use crate::sql_schema::{
    Arity, Column, ColumnDefault, ColumnType, DefaultValue, EnumId, ForeignKey, ForeignKeyAction,
    Index, IndexAlgorithm, NativeType, SortOrder, SqlSchema, TableId,
};
use previous::Previous;

/// The default config blocks of a pulled schema without an existing one.
pub const DEFAULT_PREAMBLE: &str = "generator client {\n  provider = \"prisma-client-js\"\n}\n\ndatasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n";

/// A pulled schema, and what re-introspection took from the existing one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pulled {
    /// The schema text, formatted: one file.
    pub text: String,
    /// Over an existing schema of several files (a folder), as Prisma writes it back: every
    /// file with its own generator and datasource blocks, models and enums (in that order),
    /// formatted; `None` for the file of the new models and enums (Prisma's
    /// `introspected.prisma`), listed only when there are some. Empty otherwise.
    pub files: Vec<(Option<usize>, String)>,
    /// Prisma's `*** WARNING ***` text listing the names taken from the existing schema;
    /// `None` when there is nothing to say.
    pub warnings: Option<String>,
}

/// The schema `db pull` runs over.
#[derive(Debug, Clone, Copy)]
pub struct Existing<'a> {
    pub schema: &'a ir::Schema,
    /// Its source, for what the IR does not keep: a `@map`/`@@map` that repeats the name,
    /// which Prisma keeps.
    pub files: Option<&'a SourceFiles>,
}

/// Renders `schema` as Prisma schema text after `preamble` (the generator and datasource
/// blocks to keep), formatted: the raw introspection, ignoring any existing models.
pub fn render_pulled_schema(schema: &SqlSchema, preamble: &str) -> String {
    reintrospect(schema, preamble, None).text
}

/// Renders `schema` after `preamble`, keeping from `existing` (the schema being pulled over,
/// if any) what the database does not hold: see the module documentation.
pub fn reintrospect(schema: &SqlSchema, preamble: &str, existing: Option<Existing<'_>>) -> Pulled {
    let previous = Previous::new(
        existing.map(|e| e.schema),
        existing.and_then(|e| e.files),
        schema,
    );
    let names = Names::new(schema, &previous);
    let join_tables: Vec<TableId> = schema
        .table_ids()
        .filter(|id| is_implicit_join_table(schema, *id, &names))
        .collect();
    let relations = relation_fields(schema, &names, &previous, &join_tables);
    let multi_schema = schema.tables.iter().any(|t| t.namespace.is_some());

    // Every model, then every enum: (the existing file it is written in, its text).
    let mut blocks: Vec<(Option<usize>, String)> = Vec::new();
    let mut tables: Vec<TableId> = schema
        .table_ids()
        .filter(|id| !join_tables.contains(id))
        .collect();
    tables.sort_by_key(|&id| (previous.model_position(id).unwrap_or(u32::MAX), id));
    for id in tables {
        let mut block = String::new();
        render_model(
            &mut block,
            &Context {
                schema,
                names: &names,
                previous: &previous,
                multi_schema,
            },
            id,
            relations.get(&id).map(Vec::as_slice).unwrap_or(&[]),
        );
        blocks.push((
            previous.model(id).and_then(|m| previous.file_of(&m.name)),
            block,
        ));
    }
    let mut enums: Vec<EnumId> = schema.enum_ids().collect();
    enums.sort_by_key(|&id| (previous.enum_position(id).unwrap_or(u32::MAX), id));
    for id in enums {
        let mut block = String::new();
        render_enum(&mut block, schema, id, &names, &previous, multi_schema);
        blocks.push((
            previous.enm(id).and_then(|e| previous.file_of(&e.name)),
            block,
        ));
    }

    let mut out = String::from(preamble.trim_end());
    out.push('\n');
    for (_, block) in &blocks {
        out.push('\n');
        out.push_str(block);
    }
    let files = match existing.and_then(|e| e.files) {
        Some(files) if files.files.len() > 1 => split_into_files(files, &blocks),
        _ => Vec::new(),
    };
    Pulled {
        text: refract_schema::format::format(&out),
        files,
        warnings: warnings(schema, &names, &previous, &join_tables).render(),
    }
}

/// The generator and datasource blocks of each file as written: generators first, then
/// datasources, as Prisma writes them back ("" for a file with none).
pub fn config_blocks_per_file(files: &SourceFiles) -> Vec<String> {
    let ast = refract_schema::parse::parse_files(files, &mut refract_schema::Diagnostics::new());
    let mut generators: Vec<Vec<&str>> = vec![Vec::new(); files.files.len()];
    let mut datasources = generators.clone();
    for top in &ast.tops {
        let (list, span) = match top {
            refract_schema::ast::Top::Generator(block) => (&mut generators, block.span),
            refract_schema::ast::Top::Datasource(block) => (&mut datasources, block.span),
            _ => continue,
        };
        if let Some(blocks) = list.get_mut(span.file.0 as usize) {
            blocks.push(files.slice(span).trim_end());
        }
    }
    generators
        .into_iter()
        .zip(datasources)
        .map(|(generators, datasources)| {
            generators
                .into_iter()
                .chain(datasources)
                .map(|block| format!("{block}\n"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect()
}

/// The generator and datasource blocks of a whole schema as written: every file's
/// generators, then every file's datasources.
pub fn config_blocks(files: &SourceFiles) -> String {
    let ast = refract_schema::parse::parse_files(files, &mut refract_schema::Diagnostics::new());
    let spans = |generator: bool| {
        ast.tops.iter().filter_map(move |top| match top {
            refract_schema::ast::Top::Generator(block) if generator => Some(block.span),
            refract_schema::ast::Top::Datasource(block) if !generator => Some(block.span),
            _ => None,
        })
    };
    spans(true)
        .chain(spans(false))
        .map(|span| format!("{}\n", files.slice(span).trim_end()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The file of a schema folder that new models and enums are written to, as Prisma names it.
pub const NEW_FILE: &str = "introspected.prisma";

/// The pulled blocks written back into the existing files, as Prisma does for a schema in
/// several files: each file keeps its generator and datasource blocks as written and gets its
/// models and enums; new ones go to a file of their own.
fn split_into_files(
    files: &SourceFiles,
    blocks: &[(Option<usize>, String)],
) -> Vec<(Option<usize>, String)> {
    let mut texts: Vec<(Option<usize>, String)> = (0..files.files.len())
        .zip(config_blocks_per_file(files))
        .map(|(i, blocks)| (Some(i), blocks))
        .collect();
    // New models and enums go to `introspected.prisma`: the one already in the folder (from
    // an earlier pull) if there is one, else a new file.
    let introspected = files.files.iter().position(|f| {
        std::path::Path::new(&f.name)
            .file_name()
            .is_some_and(|name| name == NEW_FILE)
    });
    let mut new = String::new();
    for (file, block) in blocks {
        let text = match file.or(introspected) {
            Some(i) => &mut texts[i].1,
            None => &mut new,
        };
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(block);
    }
    if !new.is_empty() {
        texts.push((None, new));
    }
    let named: Vec<(String, String)> = texts
        .iter()
        .map(|(file, text)| {
            let name = file.map_or(NEW_FILE, |i| files.files[i].name.as_str());
            (name.to_owned(), text.clone())
        })
        .collect();
    refract_schema::format::format_files(&named)
        .into_iter()
        .zip(texts)
        .map(|((_, formatted), (file, _))| (file, formatted))
        .collect()
}

/// An enum's namespace (in a multi-schema database) and database name.
type EnumKey = (Option<String>, String);

/// What every model needs to render.
struct Context<'a> {
    schema: &'a SqlSchema,
    names: &'a Names,
    previous: &'a Previous<'a>,
    multi_schema: bool,
}

/// The name of every model, field, enum and enum value: the existing schema's where it has
/// one, the sanitised database name otherwise.
struct Names {
    models: BTreeMap<TableId, String>,
    /// Sanitised table names: what new relation fields are named after, as in Prisma.
    raw_models: BTreeMap<TableId, String>,
    /// Per table: column → field.
    fields: BTreeMap<TableId, BTreeMap<String, String>>,
    /// (namespace, enum database name) → enum name: two schemas may each have an enum of
    /// the same database name.
    enums: BTreeMap<EnumKey, String>,
    /// (enum, value in the database) → value name.
    values: BTreeMap<(EnumKey, String), String>,
    /// New enums and models renamed `<namespace>_<name>` because their name was taken, as
    /// Prisma's warning lists them: enums first, then models, each in database order.
    renamed: Vec<String>,
}

impl Names {
    fn new(schema: &SqlSchema, previous: &Previous<'_>) -> Names {
        let mut names = Names {
            models: BTreeMap::new(),
            raw_models: BTreeMap::new(),
            fields: BTreeMap::new(),
            enums: BTreeMap::new(),
            values: BTreeMap::new(),
            renamed: Vec::new(),
        };
        // Models and enums share one namespace of names. As in Prisma, a new model or enum
        // (not in the existing schema) whose name is taken by another one is renamed after
        // its database schema: `public_User` with `@@map("User")` next to a kept `User`
        // mapped to `users`. Kept names are never changed.
        let table_name = |id: TableId| {
            previous
                .model(id)
                .map_or_else(|| sanitize(&schema.table(id).name).0, |m| m.name.clone())
        };
        let enum_name = |id: EnumId| {
            previous
                .enm(id)
                .map_or_else(|| sanitize(&schema.enm(id).name).0, |e| e.name.clone())
        };
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for id in schema.table_ids() {
            *counts.entry(table_name(id)).or_default() += 1;
        }
        for id in schema.enum_ids() {
            *counts.entry(enum_name(id)).or_default() += 1;
        }
        let default_namespace = schema.namespaces.first().map_or("public", String::as_str);
        let mut renamed_models = Vec::new();
        let mut dedup = |name: String, kept: bool, namespace: Option<&str>, kind: &str| {
            if kept || counts.get(&name).is_none_or(|&n| n <= 1) {
                return name;
            }
            let name = format!("{}_{name}", namespace.unwrap_or(default_namespace));
            let item = format!("Type: \"{kind}\", name: \"{name}\"");
            if kind == "enum" {
                names.renamed.push(item);
            } else {
                renamed_models.push(item);
            }
            name
        };
        for id in schema.enum_ids() {
            let enm = schema.enm(id);
            let kept = previous.enm(id);
            let key = (enm.namespace.clone(), enm.name.clone());
            let name = dedup(
                enum_name(id),
                kept.is_some(),
                enm.namespace.as_deref(),
                "enum",
            );
            names.enums.insert(key.clone(), name);
            for value in &enm.values {
                let name = kept
                    .and_then(|e| e.values.iter().find(|v| &v.db_name == value))
                    .map_or_else(|| sanitize_enum_value(value).0, |v| v.name.clone());
                names.values.insert((key.clone(), value.clone()), name);
            }
        }
        for id in schema.table_ids() {
            let table = schema.table(id);
            let raw = sanitize(&table.name).0;
            let name = dedup(
                table_name(id),
                previous.model(id).is_some(),
                table.namespace.as_deref(),
                "model",
            );
            names.models.insert(id, name);
            names.raw_models.insert(id, raw);
            let fields = names.fields.entry(id).or_default();
            for column in &table.columns {
                let name = previous
                    .field(id, &column.name)
                    .map_or_else(|| sanitize(&column.name).0, |f| f.name.clone());
                fields.insert(column.name.clone(), name);
            }
        }
        names.renamed.append(&mut renamed_models);
        names
    }

    fn model(&self, table: TableId) -> &str {
        &self.models[&table]
    }

    fn field(&self, table: TableId, column: &str) -> String {
        self.fields
            .get(&table)
            .and_then(|f| f.get(column))
            .cloned()
            .unwrap_or_else(|| sanitize(column).0)
    }

    /// `a, b` for `fields: [...]`, `@@id([...])` and the like.
    fn field_list(&self, table: TableId, columns: &[String]) -> String {
        columns
            .iter()
            .map(|c| self.field(table, c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The key of the enum a column names: its namespace and name, or, where the column
    /// gives no namespace the enum has, the one enum of that name.
    fn enum_key(&self, namespace: Option<&str>, db_name: &str) -> Option<&EnumKey> {
        let exact = (namespace.map(str::to_owned), db_name.to_owned());
        if let Some((key, _)) = self.enums.get_key_value(&exact) {
            return Some(key);
        }
        let mut same_name = self.enums.keys().filter(|(_, name)| name == db_name);
        match (same_name.next(), same_name.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    }

    fn enm(&self, namespace: Option<&str>, db_name: &str) -> String {
        self.enum_key(namespace, db_name)
            .and_then(|key| self.enums.get(key))
            .cloned()
            .unwrap_or_else(|| sanitize(db_name).0)
    }

    fn value(&self, enum_: Option<(Option<&str>, &str)>, value: &str) -> String {
        enum_
            .and_then(|(namespace, name)| self.enum_key(namespace, name))
            .and_then(|key| self.values.get(&(key.clone(), value.to_owned())))
            .cloned()
            .unwrap_or_else(|| sanitize_enum_value(value).0)
    }
}

fn render_enum(
    out: &mut String,
    schema: &SqlSchema,
    id: EnumId,
    names: &Names,
    previous: &Previous<'_>,
    multi_schema: bool,
) {
    let e = schema.enm(id);
    let kept = previous.enm(id);
    push_doc(out, "", kept.and_then(|k| k.documentation.as_deref()));
    let name = names.enm(e.namespace.as_deref(), &e.name);
    let _ = writeln!(out, "enum {name} {{");
    // Values in the database's order, as in Prisma.
    for value in &e.values {
        let doc = kept
            .and_then(|k| k.values.iter().find(|v| &v.db_name == value))
            .and_then(|v| v.documentation.as_deref());
        push_doc(out, "  ", doc);
        let v = names.value(Some((e.namespace.as_deref(), &e.name)), value);
        let mapped = match kept {
            Some(k) => previous.maps(&k.name, Some(&v), &v, value),
            None => &v != value,
        };
        if mapped {
            let _ = writeln!(out, "  {v} @map({})", quote(value));
        } else {
            let _ = writeln!(out, "  {v}");
        }
    }
    let mapped = match kept {
        Some(k) => previous.maps(&k.name, None, &name, &e.name),
        None => name != e.name,
    };
    if mapped {
        let _ = writeln!(out, "\n  @@map({})", quote(&e.name));
    }
    if let (true, Some(ns)) = (multi_schema, &e.namespace) {
        let _ = writeln!(out, "  @@schema({})", quote(ns));
    }
    out.push_str("}\n");
}

/// `///` lines before an item.
fn push_doc(out: &mut String, indent: &str, doc: Option<&str>) {
    // As Prisma, which reads a comment's text without its leading blanks.
    for line in doc.into_iter().flat_map(str::lines).map(str::trim_start) {
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

fn render_model(out: &mut String, cx: &Context<'_>, id: TableId, relation_lines: &[String]) {
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
    match kept.and_then(|m| m.documentation.as_deref()) {
        Some(doc) => push_doc(out, "", Some(doc)),
        None if !has_unique_criterion => out.push_str("/// The underlying table does not contain a valid unique identifier and can therefore currently not be handled by Prisma Client.\n"),
        None => {}
    }
    let model_name = names.model(id);
    let _ = writeln!(out, "model {model_name} {{");

    let single_pk = table
        .primary_key
        .as_ref()
        .filter(|pk| pk.columns.len() == 1);
    // Fields in column order, as in Prisma, whatever the existing schema's order.
    for column in &table.columns {
        let kept_field = previous.field(id, &column.name);
        push_doc(
            out,
            "  ",
            kept_field.and_then(|f| f.documentation.as_deref()),
        );
        let mut line = String::new();
        let name = names.field(id, &column.name);
        let (scalar, native) = match &column.tpe {
            ColumnType::Enum { namespace, name } => (names.enm(namespace.as_deref(), name), None),
            _ => field_type(column),
        };
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
        let enum_name = column.enum_name();
        let database_default = column
            .default
            .as_ref()
            .and_then(|d| render_default(d, &|v| names.value(enum_name, v)));
        // Kept only where they still fit: a generated id is a single String (Prisma drops
        // them too once the column's type changed).
        let client_default = kept_field
            .filter(|_| scalar == "String" && column.arity != Arity::List)
            .and_then(|f| f.default.as_ref())
            .and_then(|d| client_side_default(&d.kind));
        if let Some(rendered) = database_default.or(client_default) {
            let _ = write!(line, " @default({rendered})");
        }
        if kept_field.is_some_and(|f| f.is_updated_at) && scalar == "DateTime" {
            line.push_str(" @updatedAt");
        }
        let mapped = match (kept, kept_field) {
            (Some(model), Some(field)) => {
                previous.maps(&model.name, Some(&field.name), &name, &column.name)
            }
            _ => name != column.name,
        };
        if mapped {
            let _ = write!(line, " @map({})", quote(&column.name));
        }
        if let Some(native) = native {
            let _ = write!(line, " @db.{native}");
        }
        if kept_field.is_some_and(|f| f.is_ignored) {
            line.push_str(" @ignore");
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
        let mut line = format!("  @@id([{}]", names.field_list(id, &pk.columns));
        if let Some(name) = kept_compound_id_name(kept, &pk.columns) {
            let _ = write!(line, ", name: {}", quote(name));
        }
        if pk.name != default_name(&table.name, &[], "_pkey") {
            let _ = write!(line, ", map: {}", quote(&pk.name));
        }
        line.push(')');
        block.push(line);
    }
    // Existing indexes keep their order; new ones follow by name.
    let mut ordered = indexes.clone();
    ordered.sort_by_key(|i| {
        kept.and_then(|m| m.indexes.iter().position(|k| k.db_name == i.name))
            .unwrap_or(usize::MAX)
    });
    for index in &ordered {
        let columns: Vec<&str> = index.column_names().collect();
        // A single-column unique is the field's `@unique` (the first by name; a second one
        // on the same column cannot be written).
        if index.is_unique() && columns.len() == 1 {
            continue;
        }
        let kind = if index.is_unique() { "unique" } else { "index" };
        let suffix = if index.is_unique() { "_key" } else { "_idx" };
        let fields: Vec<String> = index
            .columns
            .iter()
            .map(|c| {
                let mut f = names.field(id, &c.name);
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
        let client_name = kept.filter(|_| index.is_unique()).and_then(|m| {
            m.indexes
                .iter()
                .find(|i| i.db_name == index.name)
                .and_then(|i| i.name.as_deref())
        });
        if let Some(name) = client_name {
            let _ = write!(line, ", name: {}", quote(name));
        }
        if index.name != default_name(&table.name, &columns, suffix) {
            let _ = write!(line, ", map: {}", quote(&index.name));
        }
        if index.algorithm != IndexAlgorithm::BTree {
            let _ = write!(line, ", type: {}", algorithm_name(index.algorithm));
        }
        line.push(')');
        block.push(line);
    }
    let mapped = match kept {
        Some(model) => previous.maps(&model.name, None, model_name, &table.name),
        None => model_name != table.name,
    };
    if mapped {
        block.push(format!("  @@map({})", quote(&table.name)));
    }
    if !has_unique_criterion || kept.is_some_and(|m| m.is_ignored) {
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

/// The `name:` of the existing `@@id` over the same columns.
fn kept_compound_id_name<'a>(model: Option<&'a ir::Model>, columns: &[String]) -> Option<&'a str> {
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
fn client_side_default(kind: &ir::DefaultKind) -> Option<String> {
    Some(match kind {
        ir::DefaultKind::Cuid(1) => "cuid()".to_owned(),
        ir::DefaultKind::Cuid(v) => format!("cuid({v})"),
        ir::DefaultKind::Uuid(4) => "uuid()".to_owned(),
        ir::DefaultKind::Uuid(v) => format!("uuid({v})"),
        ir::DefaultKind::Nanoid(None) => "nanoid()".to_owned(),
        ir::DefaultKind::Nanoid(Some(n)) => format!("nanoid({n})"),
        ir::DefaultKind::Ulid => "ulid()".to_owned(),
        _ => return None,
    })
}

/// Prisma's re-introspection warnings, in the order it prints them.
#[derive(Default)]
struct Warnings {
    fields: Vec<String>,
    compound_ids: Vec<String>,
    models: Vec<String>,
    values: Vec<String>,
    enums: Vec<String>,
    copied_relations: Vec<String>,
    renamed: Vec<String>,
}

impl Warnings {
    fn render(&self) -> Option<String> {
        let sections = [
            (
                "These fields were enriched with `@map` information taken from the previous Prisma schema:",
                &self.fields,
            ),
            (
                "These models were enriched with custom compound id names taken from the previous Prisma schema:",
                &self.compound_ids,
            ),
            (
                "These models were enriched with `@@map` information taken from the previous Prisma schema:",
                &self.models,
            ),
            (
                "These enum values were enriched with `@map` information taken from the previous Prisma schema:",
                &self.values,
            ),
            (
                "These enums were enriched with `@@map` information taken from the previous Prisma schema:",
                &self.enums,
            ),
            (
                "Relations were copied from the previous data model due to not using foreign keys in the database. If any of the relation columns changed in the database, the relations might not be correct anymore:",
                &self.copied_relations,
            ),
            (
                "These items were renamed due to their names being duplicates in the Prisma schema:",
                &self.renamed,
            ),
        ];
        let mut out = String::from("*** WARNING ***\n");
        let mut any = false;
        for (message, items) in sections {
            if items.is_empty() {
                continue;
            }
            any = true;
            let _ = writeln!(out, "\n{message}");
            for item in items {
                let _ = writeln!(out, "  - {item}");
            }
        }
        any.then_some(out)
    }
}

/// What was taken from the existing schema where the raw introspection names differ, in
/// database order.
fn warnings(
    schema: &SqlSchema,
    names: &Names,
    previous: &Previous<'_>,
    join_tables: &[TableId],
) -> Warnings {
    let mut w = Warnings::default();
    for id in schema.table_ids().filter(|id| !join_tables.contains(id)) {
        let table = schema.table(id);
        let Some(model) = previous.model(id) else {
            continue;
        };
        for column in &table.columns {
            if let Some(field) = previous.field(id, &column.name) {
                if previous.maps(&model.name, Some(&field.name), &field.name, &column.name) {
                    w.fields.push(format!(
                        "Model: \"{}\", field: \"{}\"",
                        model.name, field.name
                    ));
                }
            }
        }
        if let Some(pk) = &table.primary_key {
            if pk.columns.len() > 1 && kept_compound_id_name(Some(model), &pk.columns).is_some() {
                w.compound_ids.push(format!("\"{}\"", model.name));
            }
        }
        if previous.maps(&model.name, None, &model.name, &table.name) {
            w.models.push(format!("\"{}\"", model.name));
        }
    }
    for id in schema.enum_ids() {
        let e = schema.enm(id);
        let Some(kept) = previous.enm(id) else {
            continue;
        };
        let kept_values = e
            .values
            .iter()
            .filter_map(|v| kept.values.iter().find(|k| &k.db_name == v));
        for value in kept_values {
            if previous.maps(&kept.name, Some(&value.name), &value.name, &value.db_name) {
                w.values.push(format!(
                    "Enum: \"{}\", value: \"{}\"",
                    kept.name, value.name
                ));
            }
        }
        if previous.maps(&kept.name, None, &kept.name, &e.name) {
            w.enums.push(format!("\"{}\"", kept.name));
        }
    }
    // By model, in the order the models are written, then by field.
    let mut copied = previous.copied_relations(schema);
    copied.sort_by_key(|c| {
        (
            previous.model_position(c.table).unwrap_or(u32::MAX),
            c.table,
            c.position,
        )
    });
    for c in copied {
        w.copied_relations
            .push(format!("\"{}\"", names.model(c.table)));
    }
    w.renamed.clone_from(&names.renamed);
    w
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

/// `enum_value` names a value of the column's enum.
fn render_default(default: &ColumnDefault, enum_value: &dyn Fn(&str) -> String) -> Option<String> {
    Some(match default {
        ColumnDefault::Sequence(_) => "autoincrement()".to_owned(),
        ColumnDefault::Now => "now()".to_owned(),
        ColumnDefault::DbGenerated(Some(expr)) => format!("dbgenerated({})", quote(expr)),
        ColumnDefault::DbGenerated(None) => return None,
        ColumnDefault::Value(value) => render_value(value, enum_value)?,
    })
}

fn render_value(value: &DefaultValue, enum_value: &dyn Fn(&str) -> String) -> Option<String> {
    Some(match value {
        DefaultValue::String(s) | DefaultValue::Json(s) | DefaultValue::DateTime(s) => quote(s),
        DefaultValue::Enum(v) => enum_value(v),
        DefaultValue::Int(i) => i.to_string(),
        DefaultValue::Float(f) => f.clone(),
        DefaultValue::Boolean(b) => b.to_string(),
        DefaultValue::Bytes(bytes) => quote(&encode_base64(bytes)),
        DefaultValue::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|v| render_value(v, enum_value))
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

/// `_Name` with exactly columns `A` and `B`, each a foreign key.
/// Whether a table is an implicit many-to-many join table as Prisma makes them: `_Name`,
/// columns `A` and `B`, each a foreign key, and `A` pointing at the model whose name sorts
/// first (with re-introspected names, as Prisma checks it). Otherwise the client would
/// read `A` and `B` the other way round; Prisma then writes the table as a model.
fn is_implicit_join_table(schema: &SqlSchema, id: TableId, names: &Names) -> bool {
    let table = schema.table(id);
    let columns: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    let end = |column: &str| {
        schema
            .table_foreign_keys(id)
            .find(|(_, fk)| fk.columns.len() == 1 && fk.columns[0] == column)
            .map(|(_, fk)| fk.referenced_table)
    };
    table.name.starts_with('_')
        && columns == ["A", "B"]
        && schema.table_foreign_keys(id).count() == 2
        && match (end("A"), end("B")) {
            (Some(a), Some(b)) => names.model(a) <= names.model(b),
            _ => false,
        }
}

/// The relation-field lines of every model, as Prisma lists them: foreign keys in
/// (table, constraint name) order, each adding its field to the referencing model and the
/// back-relation to the referenced one, then the many-to-many fields.
fn relation_fields(
    schema: &SqlSchema,
    names: &Names,
    previous: &Previous<'_>,
    join_tables: &[TableId],
) -> BTreeMap<TableId, Vec<String>> {
    let mut fields: BTreeMap<TableId, Vec<String>> = BTreeMap::new();
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
    // With `relationMode = "prisma"`, foreign keys give no relations (as in Prisma).
    let emulated = previous.emulates_relations();
    for fk in schema
        .foreign_keys
        .iter()
        .filter(|fk| !emulated && !join_tables.contains(&fk.table))
    {
        // New relations are named after the tables, as raw introspection names them.
        let referencing = &names.raw_models[&fk.table];
        let referenced = &names.raw_models[&fk.referenced_table];
        let table = schema.table(fk.table);
        let self_relation = fk.table == fk.referenced_table;
        let ambiguous = pair_count(fk.table, fk.referenced_table) > 1;
        let generated_name = if ambiguous {
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
        let (mut forward_name, mut back_name) = match &generated_name {
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
        let mut relation_name = generated_name;
        if let Some(kept) = previous.inline_relation(fk) {
            forward_name = kept.referencing.to_owned();
            if let Some(back) = kept.referenced {
                back_name = back.to_owned();
            }
            // As Prisma: an unnamed relation stays unnamed, even when a new foreign key
            // between the same models makes it ambiguous (the new one is named); a
            // self-relation is always named, by default `{Model}To{Model}`.
            relation_name = kept
                .name
                .or(self_relation.then_some(kept.effective_name))
                .map(str::to_owned);
        }
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
        args.push(format!(
            "fields: [{}]",
            names.field_list(fk.table, &fk.columns)
        ));
        args.push(format!(
            "references: [{}]",
            names.field_list(fk.referenced_table, &fk.referenced_columns)
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
        fields.entry(fk.table).or_default().push(format!(
            "  {forward_name} {}{} @relation({})",
            names.model(fk.referenced_table),
            if optional { "?" } else { "" },
            args.join(", ")
        ));
        let back_attr = relation_name
            .as_ref()
            .map(|n| format!(" @relation({})", quote(n)))
            .unwrap_or_default();
        fields.entry(fk.referenced_table).or_default().push(format!(
            "  {back_name} {}{}{back_attr}",
            names.model(fk.table),
            if one_to_one { "?" } else { "[]" }
        ));
    }
    // Relations without foreign keys (`relationMode = "prisma"`), copied as written, after
    // the others, in the existing schema's order.
    let mut copied = previous.copied_relations(schema);
    copied.sort_by_key(|c| (c.table, c.position));
    for c in copied {
        let suffix = match c.field.arity {
            ir::Arity::Required => "",
            ir::Arity::Optional => "?",
            ir::Arity::List => "[]",
        };
        let mut args = Vec::new();
        if let Some(name) = c.name {
            args.push(quote(name));
        }
        if let Some((columns, to, references)) = &c.columns {
            args.push(format!("fields: [{}]", names.field_list(c.table, columns)));
            args.push(format!(
                "references: [{}]",
                names.field_list(*to, references)
            ));
        }
        for (key, action) in [
            ("onDelete", c.field.on_delete),
            ("onUpdate", c.field.on_update),
        ] {
            if let Some(action) = action {
                args.push(format!("{key}: {}", referential_action_name(action)));
            }
        }
        if let Some(map) = c.map {
            args.push(format!("map: {}", quote(map)));
        }
        let attr = if args.is_empty() {
            String::new()
        } else {
            format!(" @relation({})", args.join(", "))
        };
        fields.entry(c.table).or_default().push(format!(
            "  {} {}{suffix}{attr}",
            c.field.name, c.related.name
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
        let (a_name, b_name) = (&names.raw_models[&a], &names.raw_models[&b]);
        let ambiguous = a == b || pair_count(a, b) > 1;
        let attr = format!(" @relation({})", quote(&relation));
        let (on_a, on_b) = if ambiguous {
            let suffix = if a == b {
                String::new()
            } else {
                format!("_{relation}")
            };
            // Prisma counts the inline self-relations too.
            if a == b && pair_count(a, b) > 1 {
                (
                    format!("{b_name}_{relation}_A"),
                    format!("{a_name}_{relation}_B"),
                )
            } else if a == b {
                (format!("{b_name}_A"), format!("{a_name}_B"))
            } else {
                (format!("{b_name}{suffix}"), format!("{a_name}{suffix}"))
            }
        } else {
            (b_name.clone(), a_name.clone())
        };
        let (on_a, on_b) = match previous.many_to_many(&schema.table(join).name) {
            Some(kept) => (
                kept.referencing.to_owned(),
                kept.referenced.map_or(on_b, str::to_owned),
            ),
            None => (on_a, on_b),
        };
        fields
            .entry(a)
            .or_default()
            .push(format!("  {on_a} {}[]{attr}", names.model(b)));
        fields
            .entry(b)
            .or_default()
            .push(format!("  {on_b} {}[]{attr}", names.model(a)));
    }
    fields
}

fn referential_action_name(action: ir::ReferentialAction) -> &'static str {
    match action {
        ir::ReferentialAction::NoAction => "NoAction",
        ir::ReferentialAction::Restrict => "Restrict",
        ir::ReferentialAction::Cascade => "Cascade",
        ir::ReferentialAction::SetNull => "SetNull",
        ir::ReferentialAction::SetDefault => "SetDefault",
    }
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
