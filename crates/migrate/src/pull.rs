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
//! (each model and enum in its file, new ones in a file of their own).
//!
//! The existing schema is read from the IR and the front end's [`SourceFacts`] (which
//! `@map`s and relation names are written, each block's file, the config blocks as written),
//! never from its text. The pulled schema is built as a typed [`datamodel::Datamodel`]
//! (`build`: models and enums, `relations`: relation fields, `names`: every name), rendered,
//! and laid out by the schema crate's formatter. [`plan`] holds what `gen db pull` decides
//! around it: refusals, destination files, validation of the result, what to print.

mod build;
pub mod datamodel;
mod names;
pub mod plan;
mod previous;
mod relations;
mod warnings;

use refract_schema::source_facts::ConfigBlockKind;
use refract_schema::{SourceFacts, ir};

use crate::sql_schema::{EnumId, SqlSchema, TableId};
use datamodel::{Block, Datamodel};
use names::Names;
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
    /// What its source says and the IR does not keep (a `@map`/`@@map` that repeats the
    /// name, which Prisma keeps; written relation names; the file of each block), from
    /// [`refract_schema::Validated::source_facts`].
    pub facts: Option<&'a SourceFacts>,
}

/// Renders `schema` as Prisma schema text after `preamble` (the generator and datasource
/// blocks to keep), formatted: the raw introspection, ignoring any existing models.
pub fn render_pulled_schema(schema: &SqlSchema, preamble: &str) -> String {
    reintrospect(schema, preamble, None).text
}

/// What every model needs to be built.
struct Context<'a> {
    schema: &'a SqlSchema,
    names: &'a Names,
    previous: &'a Previous<'a>,
    multi_schema: bool,
}

/// Renders `schema` after `preamble`, keeping from `existing` (the schema being pulled over,
/// if any) what the database does not hold: see the module documentation.
pub fn reintrospect(schema: &SqlSchema, preamble: &str, existing: Option<Existing<'_>>) -> Pulled {
    let facts = existing.and_then(|e| e.facts);
    let previous = Previous::new(existing.map(|e| e.schema), facts, schema);
    let names = Names::new(schema, &previous);
    let join_tables: Vec<TableId> = schema
        .table_ids()
        .filter(|id| relations::is_implicit_join_table(schema, *id, &names))
        .collect();
    let mut relation_fields = relations::relation_fields(schema, &names, &previous, &join_tables);
    let cx = Context {
        schema,
        names: &names,
        previous: &previous,
        multi_schema: schema.tables.iter().any(|t| t.namespace.is_some()),
    };

    // Every model, then every enum, each with the existing file it is written in.
    let mut files_of_blocks: Vec<Option<usize>> = Vec::new();
    let mut datamodel = Datamodel {
        config: preamble.to_owned(),
        blocks: Vec::new(),
    };
    let mut tables: Vec<TableId> = schema
        .table_ids()
        .filter(|id| !join_tables.contains(id))
        .collect();
    tables.sort_by_key(|&id| (previous.model_position(id).unwrap_or(u32::MAX), id));
    for id in tables {
        let relations = relation_fields.remove(&id).unwrap_or_default();
        datamodel
            .blocks
            .push(Block::Model(build::model_block(&cx, id, relations)));
        files_of_blocks.push(previous.model_file(id));
    }
    let mut enums: Vec<EnumId> = schema.enum_ids().collect();
    enums.sort_by_key(|&id| (previous.enum_position(id).unwrap_or(u32::MAX), id));
    for id in enums {
        datamodel.blocks.push(Block::Enum(build::enum_block(
            schema,
            id,
            &names,
            &previous,
            cx.multi_schema,
        )));
        files_of_blocks.push(previous.enum_file(id));
    }

    let files = match facts {
        Some(facts) if facts.file_names.len() > 1 => {
            split_into_files(facts, &files_of_blocks, &datamodel.blocks)
        }
        _ => Vec::new(),
    };
    Pulled {
        text: refract_schema::format::format(&datamodel.to_string()),
        files,
        warnings: warnings::warnings(schema, &names, &previous, &join_tables).render(),
    }
}

/// The generator and datasource blocks of each file as written: generators first, then
/// datasources, as Prisma writes them back ("" for a file with none).
pub fn config_blocks_per_file(facts: &SourceFacts) -> Vec<String> {
    (0..facts.file_names.len())
        .map(|file| {
            let in_file = |kind: ConfigBlockKind| {
                facts
                    .config_blocks
                    .iter()
                    .filter(move |b| b.kind == kind && b.file.0 as usize == file)
            };
            in_file(ConfigBlockKind::Generator)
                .chain(in_file(ConfigBlockKind::Datasource))
                .map(|block| format!("{}\n", block.text))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect()
}

/// The generator and datasource blocks of a whole schema as written: every file's
/// generators, then every file's datasources.
pub fn config_blocks(facts: &SourceFacts) -> String {
    let of_kind =
        |kind: ConfigBlockKind| facts.config_blocks.iter().filter(move |b| b.kind == kind);
    of_kind(ConfigBlockKind::Generator)
        .chain(of_kind(ConfigBlockKind::Datasource))
        .map(|block| format!("{}\n", block.text))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The file of a schema folder that new models and enums are written to, as Prisma names it.
pub const NEW_FILE: &str = "introspected.prisma";

/// The pulled blocks written back into the existing files, as Prisma does for a schema in
/// several files: each file keeps its generator and datasource blocks as written and gets its
/// models and enums; new ones go to a file of their own.
fn split_into_files(
    facts: &SourceFacts,
    files_of_blocks: &[Option<usize>],
    blocks: &[Block],
) -> Vec<(Option<usize>, String)> {
    let mut texts: Vec<(Option<usize>, String)> = config_blocks_per_file(facts)
        .into_iter()
        .enumerate()
        .map(|(i, blocks)| (Some(i), blocks))
        .collect();
    // New models and enums go to `introspected.prisma`: the one already in the folder (from
    // an earlier pull) if there is one, else a new file.
    let introspected = facts.file_names.iter().position(|name| {
        std::path::Path::new(name)
            .file_name()
            .is_some_and(|name| name == NEW_FILE)
    });
    let mut new = String::new();
    for (file, block) in files_of_blocks.iter().zip(blocks) {
        let text = match file.or(introspected) {
            Some(i) => &mut texts[i].1,
            None => &mut new,
        };
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&block.to_string());
    }
    if !new.is_empty() {
        texts.push((None, new));
    }
    let named: Vec<(String, String)> = texts
        .iter()
        .map(|(file, text)| {
            let name = file.map_or(NEW_FILE, |i| facts.file_names[i].as_str());
            (name.to_owned(), text.clone())
        })
        .collect();
    refract_schema::format::format_files(&named)
        .into_iter()
        .zip(texts)
        .map(|((_, formatted), (file, _))| (file, formatted))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use refract_schema::{SourceFile, SourceFiles};

    #[test]
    fn config_blocks_keep_generators_then_datasources_as_written_per_file_and_whole() {
        let validated = refract_schema::validate(&SourceFiles {
            files: vec![
                SourceFile::new(
                    "a.prisma",
                    "// top\ndatasource db {\n  provider = \"postgresql\"\n  url      = env(\"DB\")\n}\n\ngenerator client {\n  provider = \"refract\"\n  output   = \"./out\"\n}\n",
                ),
                SourceFile::new("b.prisma", "generator other {\n  provider = \"x\"\n}\n"),
                SourceFile::new("c.prisma", "model A {\n  id Int @id\n}\n"),
            ],
        });
        assert!(validated.is_valid(), "{:?}", validated.diagnostics);
        let datasource =
            "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DB\")\n}\n";
        let client = "generator client {\n  provider = \"refract\"\n  output   = \"./out\"\n}\n";
        let other = "generator other {\n  provider = \"x\"\n}\n";
        assert_eq!(
            config_blocks_per_file(&validated.source_facts),
            [
                format!("{client}\n{datasource}"),
                other.to_owned(),
                String::new()
            ]
        );
        assert_eq!(
            config_blocks(&validated.source_facts),
            format!("{client}\n{other}\n{datasource}")
        );
    }
}
