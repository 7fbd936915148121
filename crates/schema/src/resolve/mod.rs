//! AST → IR, in ordered passes that each push diagnostics:
//!
//! 1. top-level names (duplicates, reserved and malformed names),
//! 2. `datasource` and `generator` blocks,
//! 3. enums,
//! 4. models: field types, then field attributes, then block attributes,
//! 5. relations (pairing both sides, `fields`/`references`, actions),
//! 6. database names: defaults for constraint names, collisions.
//!
//! The order matters: later passes assume earlier ones resolved names, and
//! the diagnostics come out in the order a reader fixes them.

mod args;
mod attributes;
mod config;
mod index_rules;
mod naming;
mod native_types;
mod relations;

use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::ast::{self, SchemaAst, Top};
use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::ir::{self, ModelId};
use crate::source::Span;

pub use config::{DEPRECATED_PREVIEW_FEATURES, PREVIEW_FEATURES, SUPPORTED_PROVIDERS};

/// Where the parts of each IR model came from, for later passes' messages
/// and for relation completion (`gen format`).
#[derive(Debug, Default)]
pub struct ModelSpans<'a> {
    pub ast: Option<&'a ast::Model>,
    /// AST field for each scalar field.
    pub fields: Vec<&'a ast::Field>,
    /// AST field for each relation field.
    pub relation_fields: Vec<&'a ast::Field>,
    /// The `@relation` attribute of each relation field, if any.
    pub relation_attrs: Vec<Option<&'a ast::Attribute>>,
    /// What each relation field's `@relation` says.
    pub relation_args: Vec<WrittenRelation>,
    /// The attribute each index came from (`@unique` or `@@index` ...).
    pub indexes: Vec<Span>,
    pub primary_key: Option<Span>,
    pub map_span: Option<Span>,
}

/// What `@relation(...)` says on one relation field, as written on that
/// side (the IR keeps `fields` and `references` only on the referencing side).
#[derive(Debug, Default)]
pub struct WrittenRelation {
    pub name: Option<String>,
    /// `None` when not written, or when it could not be resolved (`broken`).
    pub fields: Option<Vec<ir::FieldId>>,
    pub references: Option<Vec<ir::FieldId>>,
    /// `fields`/`references` were given but could not be resolved (already reported).
    pub broken: bool,
    pub map: Option<String>,
    pub on_delete: Option<(ir::ReferentialAction, Span)>,
    pub on_update: Option<(ir::ReferentialAction, Span)>,
}

/// The IR with what relation completion reads beside it.
pub struct Resolution<'a> {
    pub schema: ir::Schema,
    /// Per model (by [`ModelId`]), the AST parts it came from.
    pub sources: Vec<ModelSpans<'a>>,
    /// Whether the first stage (names, types, attributes and their
    /// arguments: Prisma's parser database) reported an error. Prisma
    /// completes relations only when it did not.
    pub reading_failed: bool,
}

/// Codes the first stage reports; later checks (relation pairing,
/// constraint names, native types, the datasource) report others.
const READING_CODES: &[crate::diagnostics::Code] = &[
    codes::SYNTAX,
    codes::INVALID_BLOCK,
    codes::INVALID_FIELD,
    codes::DUPLICATE_TOP,
    codes::DUPLICATE_FIELD,
    codes::DUPLICATE_ENUM_VALUE,
    codes::UNKNOWN_TYPE,
    codes::UNSUPPORTED_ARITY,
    codes::UNKNOWN_ATTRIBUTE,
    codes::DUPLICATE_ATTRIBUTE,
    codes::ATTRIBUTE_ARGUMENT,
    codes::ATTRIBUTE_MISPLACED,
    codes::MULTIPLE_IDS,
    codes::INVALID_DEFAULT,
    codes::INVALID_UPDATED_AT,
];

/// Shared state of one resolution run.
pub(crate) struct Ctx<'a> {
    pub diags: Diagnostics,
    pub schema: ir::Schema,
    pub spans: Vec<ModelSpans<'a>>,
    pub model_names: FxHashMap<&'a str, ModelId>,
    pub enum_names: FxHashMap<&'a str, ir::EnumId>,
    pub composite_types: FxHashMap<&'a str, &'a ast::Model>,
    /// The name span of each enum, by [`ir::EnumId`].
    pub enum_spans: Vec<Span>,
    pub preview_features: Vec<String>,
    /// Whether a datasource block exists at all (checks differ without one).
    pub has_datasource: bool,
    /// The datasource names a provider refract does not support.
    pub unsupported_provider: bool,
    /// A name in `@relation` or `@@index`-like arguments did not resolve
    /// (reported under a code later checks share): see [`READING_CODES`].
    pub reading_failed: bool,
    /// Errors under [`READING_CODES`] that Prisma reports only later
    /// (provider-specific ones).
    pub later_stage_errors: usize,
}

impl<'a> Ctx<'a> {
    pub fn error(&mut self, code: crate::diagnostics::Code, span: Span, msg: impl Into<String>) {
        self.diags.error(code, span, msg);
    }

    pub fn error_with_help(
        &mut self,
        code: crate::diagnostics::Code,
        span: Span,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diags.error_with_help(code, span, msg, help);
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    pub fn has_preview(&self, name: &str) -> bool {
        self.preview_features.iter().any(|f| f == name)
    }

    pub fn relation_mode(&self) -> ir::RelationMode {
        self.schema
            .datasource
            .as_ref()
            .map_or(ir::RelationMode::ForeignKeys, |d| d.relation_mode)
    }

    /// `@db.X` (or `@<datasource name>.X`): a native type attribute.
    pub fn is_native_type_attribute(&self, name: &str) -> bool {
        let prefix = self
            .schema
            .datasource
            .as_ref()
            .map_or("db", |d| d.name.as_str());
        // `name` up to its first `.` is `prefix` or `db`. Asked for every
        // field attribute, so this compares prefixes instead of searching
        // for the dot.
        let qualifies = |p: &str| {
            name.as_bytes().get(p.len()) == Some(&b'.') && name.starts_with(p) && !p.contains('.')
        };
        qualifies(prefix) || qualifies("db")
    }

    /// Schemas declared in the datasource (`schemas = [...]`).
    pub fn declared_schemas(&self) -> &[String] {
        self.schema
            .datasource
            .as_ref()
            .map_or(&[], |d| d.schemas.as_slice())
    }
}

/// Resolves a parsed schema into the IR, pushing every problem into `diags`.
pub fn resolve(ast: &SchemaAst, diags: &mut Diagnostics) -> ir::Schema {
    resolve_with_sources(ast, diags, false).schema
}

/// [`resolve`], keeping the AST parts of each model. With
/// `past_unsupported_provider`, resolution goes on for a provider refract
/// does not support (the formatter completes relations for any provider).
pub fn resolve_with_sources<'a>(
    ast: &'a SchemaAst,
    diags: &mut Diagnostics,
    past_unsupported_provider: bool,
) -> Resolution<'a> {
    let mut cx = Ctx {
        diags: Diagnostics::new(),
        schema: ir::Schema::default(),
        spans: Vec::new(),
        model_names: FxHashMap::default(),
        enum_names: FxHashMap::default(),
        composite_types: FxHashMap::default(),
        enum_spans: Vec::new(),
        preview_features: Vec::new(),
        has_datasource: false,
        unsupported_provider: false,
        reading_failed: false,
        later_stage_errors: 0,
    };
    passes(ast, &mut cx, past_unsupported_provider);
    let reading_errors = cx
        .diags
        .errors()
        .filter(|d| READING_CODES.contains(&d.code))
        .count();
    let reading_failed = cx.reading_failed || reading_errors > cx.later_stage_errors;
    diags.extend(cx.diags.into_vec());
    Resolution {
        schema: cx.schema,
        sources: cx.spans,
        reading_failed,
    }
}

/// The passes of [`resolve`], in order.
fn passes<'a>(ast: &'a SchemaAst, cx: &mut Ctx<'a>, past_unsupported_provider: bool) {
    invalid_lines(ast, cx);
    let (models, enums) = top_level_names(ast, cx);
    config_blocks(ast, cx);
    if cx.unsupported_provider && !past_unsupported_provider {
        // One clear error instead of a cascade of PostgreSQL-specific ones.
        return;
    }
    cx.schema.enums.reserve_exact(enums.len());
    cx.enum_spans.reserve_exact(enums.len());
    cx.enum_names.reserve(enums.len());
    for e in &enums {
        attributes::resolve_enum(e, cx);
    }
    // Register models first so field types can refer to any of them.
    cx.schema.models.reserve_exact(models.len());
    cx.spans.reserve_exact(models.len());
    cx.model_names.reserve(models.len());
    for m in &models {
        let id = ModelId(cx.schema.models.len() as u32);
        cx.model_names.insert(&m.name.name, id);
        cx.schema.models.push(ir::Model {
            name: m.name.name.as_str().to_owned(),
            db_name: m.name.name.as_str().to_owned(),
            schema: None,
            kind: if m.kind == ast::ModelKind::View {
                ir::ModelKind::View
            } else {
                ir::ModelKind::Table
            },
            // Most fields are scalar: sized once instead of grown field by field.
            fields: Vec::with_capacity(m.fields.len()),
            relation_fields: Vec::new(),
            field_order: Vec::with_capacity(m.fields.len()),
            primary_key: None,
            indexes: Vec::new(),
            is_ignored: false,
            documentation: m.documentation.clone(),
        });
        cx.spans.push(ModelSpans {
            ast: Some(m),
            fields: Vec::with_capacity(m.fields.len()),
            ..Default::default()
        });
    }
    for (i, m) in models.iter().enumerate() {
        attributes::resolve_model_fields(ModelId(i as u32), m, cx);
    }
    // Block attributes of models and enums, in source order (as a reader fixes them).
    // `models` and `enums` are in source order too, so walking the blocks
    // meets each of them in turn; their ids are their positions.
    let mut model_index = 0;
    let mut enum_index = 0;
    for top in &ast.tops {
        match top {
            Top::Model(m) if models.get(model_index).is_some_and(|x| std::ptr::eq(*x, m)) => {
                attributes::resolve_block_attributes(ModelId(model_index as u32), m, cx);
                model_index += 1;
            }
            Top::Enum(e) if enums.get(enum_index).is_some_and(|x| std::ptr::eq(*x, e)) => {
                attributes::resolve_enum_attributes(ir::EnumId(enum_index as u32), e, cx);
                enum_index += 1;
            }
            _ => {}
        }
    }
    naming::duplicate_table_names(cx);
    relations::resolve(cx);
    attributes::check_models(cx);
    naming::check_constraint_names(cx);
    views_need_preview_feature(ast, cx);
    canonical_index_order(&mut cx.schema);
}

/// Orders each model's indexes as `gen format` orders their attributes
/// (field-level first, then `@@unique`, `@@index`, `@@fulltext`), keeping
/// declaration order within each group, so formatting never changes the IR.
fn canonical_index_order(schema: &mut ir::Schema) {
    for m in &mut schema.models {
        m.indexes.sort_by_key(|ix| {
            let kind = match ix.kind {
                ir::IndexKind::Unique => 0,
                ir::IndexKind::Normal => 1,
                ir::IndexKind::Fulltext => 2,
            };
            (!ix.is_field_level, if ix.is_field_level { 0 } else { kind })
        });
    }
}

/// Lines the grammar could not place, at every level.
fn invalid_lines(ast: &SchemaAst, cx: &mut Ctx<'_>) {
    for top in &ast.tops {
        match top {
            Top::Invalid { span } => cx.error_with_help(
                codes::SYNTAX,
                *span,
                "this line is not a valid definition",
                "top-level blocks start with `model`, `enum`, `view`, `type`, `datasource` or `generator`",
            ),
            Top::InvalidBlock { keyword, span } => {
                let kw = keyword.name.as_str();
                let suggestion = ["model", "enum", "view", "type", "datasource", "generator"]
                    .into_iter()
                    .find(|k| edit_distance(k, kw) <= 2);
                let mut d = Diagnostic::error(
                    codes::INVALID_BLOCK,
                    Span {
                        end: keyword.span.end,
                        ..*span
                    },
                    format!("unknown block keyword `{kw}`"),
                );
                d = match suggestion {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => {
                        d.with_help("blocks start with `model`, `enum`, `view`, `type`, `datasource` or `generator`")
                    }
                };
                cx.push(d);
            }
            Top::Model(m) => {
                for l in &m.invalid_lines {
                    cx.error_with_help(
                        codes::SYNTAX,
                        *l,
                        "this line is not a valid field or attribute definition",
                        "a field is written `name Type @attributes`; a block attribute `@@name(...)`",
                    );
                }
            }
            Top::Enum(e) => {
                for l in &e.invalid_lines {
                    cx.push(Diagnostic::error(
                        codes::SYNTAX,
                        *l,
                        "this line is not a valid enum value",
                    ));
                }
            }
            _ => {}
        }
    }
}

/// Pass 1: names of top-level blocks, duplicates and malformed names.
fn top_level_names<'a>(
    ast: &'a SchemaAst,
    cx: &mut Ctx<'a>,
) -> (Vec<&'a ast::Model>, Vec<&'a ast::Enum>) {
    let mut seen: FxHashMap<&str, (&'static str, Span)> =
        FxHashMap::with_capacity_and_hasher(ast.tops.len(), FxBuildHasher);
    let mut models = Vec::new();
    let mut enums = Vec::new();
    for top in &ast.tops {
        let (kind, name): (&'static str, &ast::Ident) = match top {
            Top::Model(m) => (
                match m.kind {
                    ast::ModelKind::Model => "model",
                    ast::ModelKind::View => "view",
                    ast::ModelKind::CompositeType => "composite type",
                },
                &m.name,
            ),
            Top::Enum(e) => ("enum", &e.name),
            Top::TypeAlias(t) => {
                cx.error_with_help(
                    codes::INVALID_BLOCK,
                    t.span,
                    "type aliases are not supported",
                    "write the type and its attributes on each field instead",
                );
                continue;
            }
            _ => continue,
        };
        if name.name.is_empty() {
            continue;
        }
        if name.name.starts_with(|c: char| c.is_ascii_digit()) {
            cx.error(
                codes::INVALID_NAME,
                name.span,
                format!("the name of a {kind} must not start with a number"),
            );
        }
        if name.name.contains('-') {
            cx.error(
                codes::INVALID_NAME,
                name.span,
                format!("the name of a {kind} must not contain `-`"),
            );
        }
        if crate::ir::ScalarType::from_name(&name.name).is_some() {
            cx.error_with_help(
                codes::RESERVED_NAME,
                name.span,
                format!(
                    "`{}` is a built-in scalar type; a {kind} cannot take its name",
                    name.name
                ),
                "choose another name, and map it to the table or type you need with `@@map`",
            );
            continue;
        }
        if name.name == "PrismaClient" && kind == "model" {
            cx.error_with_help(
                codes::RESERVED_NAME,
                name.span,
                "the model name `PrismaClient` is reserved",
                "choose another name and keep the table name with `@@map(\"PrismaClient\")`",
            );
        }
        if let Some((first_kind, first_span)) = seen.get(name.name.as_str()) {
            cx.push(
                Diagnostic::error(
                    codes::DUPLICATE_TOP,
                    name.span,
                    format!(
                        "the {kind} `{}` cannot be defined because {} {first_kind} with that name already exists",
                        name.name,
                        if first_kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                            "an"
                        } else {
                            "a"
                        }
                    ),
                )
                .with_label(*first_span, "first defined here"),
            );
            continue;
        }
        seen.insert(&name.name, (kind, name.span));
        match top {
            Top::Model(m) if m.kind == ast::ModelKind::CompositeType => {
                cx.composite_types.insert(&m.name.name, m);
            }
            Top::Model(m) => models.push(m),
            Top::Enum(e) => enums.push(e),
            _ => {}
        }
    }
    (models, enums)
}

/// Pass 2: datasource and generators.
fn config_blocks<'a>(ast: &'a SchemaAst, cx: &mut Ctx<'a>) {
    let mut datasources = Vec::new();
    let mut generator_names: FxHashMap<&str, Span> = FxHashMap::default();
    for top in &ast.tops {
        match top {
            Top::Datasource(b) => datasources.push(b),
            Top::Generator(b) => {
                if let Some(first) = generator_names.get(b.name.name.as_str()) {
                    cx.push(
                        Diagnostic::error(
                            codes::DUPLICATE_TOP,
                            b.name.span,
                            format!("the generator `{}` cannot be defined because a generator with that name already exists", b.name.name),
                        )
                        .with_label(*first, "first defined here"),
                    );
                    continue;
                }
                generator_names.insert(&b.name.name, b.name.span);
                if let Some(g) = config::generator(b, &mut cx.diags) {
                    cx.preview_features
                        .extend(g.preview_features.iter().cloned());
                    cx.schema.generators.push(g);
                }
            }
            _ => {}
        }
    }
    cx.has_datasource = !datasources.is_empty();
    if let Some((first, more)) = datasources.split_first() {
        cx.schema.datasource = config::datasource(first, &mut cx.diags);
        // Nothing else reports an unsupported provider.
        cx.unsupported_provider = cx
            .diags
            .errors()
            .any(|d| d.code == codes::UNSUPPORTED_PROVIDER);
        for b in more {
            cx.push(
                Diagnostic::error(
                    codes::DATASOURCE,
                    b.name.span,
                    "only one datasource block is allowed",
                )
                .with_label(first.name.span, "the first datasource"),
            );
        }
    }
    if let Some(ds) = &cx.schema.datasource
        && !ds.extensions.is_empty()
        && !cx.has_preview("postgresqlExtensions")
    {
        let span = datasources[0]
            .properties
            .iter()
            .find(|p| p.name.name == "extensions")
            .map_or(datasources[0].span, |p| p.span);
        cx.error_with_help(
            codes::PREVIEW_FEATURE_REQUIRED,
            span,
            "the `extensions` property needs the `postgresqlExtensions` preview feature",
            "add `previewFeatures = [\"postgresqlExtensions\"]` to the generator block",
        );
    }
    // Composite types exist only on MongoDB.
    for top in &ast.tops {
        if let Top::Model(m) = top
            && m.kind == ast::ModelKind::CompositeType
            && cx.has_datasource
            && !cx.unsupported_provider
        {
            cx.error_with_help(
                codes::COMPOSITE_TYPE,
                m.name.span,
                "composite types are not supported on PostgreSQL",
                "use a model with a relation, or a `Json` field",
            );
        }
    }
}

/// Views need the `views` preview feature (checked last, as Prisma does).
fn views_need_preview_feature(ast: &SchemaAst, cx: &mut Ctx<'_>) {
    if cx.has_preview("views") {
        return;
    }
    for top in &ast.tops {
        if let Top::Model(m) = top
            && m.kind == ast::ModelKind::View
        {
            cx.error_with_help(
                codes::PREVIEW_FEATURE_REQUIRED,
                m.span,
                "view definitions need the `views` preview feature",
                "add `previewFeatures = [\"views\"]` to the generator block",
            );
        }
    }
}

/// Levenshtein distance, for "did you mean" hints.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest name within distance 2, for hints.
pub(crate) fn closest<'n>(
    name: &str,
    candidates: impl IntoIterator<Item = &'n str>,
) -> Option<&'n str> {
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `text` with its first character mapped by `case` (`char::to_lowercase`
/// or `char::to_uppercase`), for names derived from other names.
pub(crate) fn first_char_to<C: Iterator<Item = char>>(text: &str, case: fn(char) -> C) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| case(c).chain(chars).collect())
        .unwrap_or_default()
}

/// Each item in backticks, joined by `separator`: names listed in messages.
pub(crate) fn quoted<T: std::fmt::Display>(
    items: impl IntoIterator<Item = T>,
    separator: &str,
) -> String {
    let quoted: Vec<String> = items.into_iter().map(|i| format!("`{i}`")).collect();
    quoted.join(separator)
}
