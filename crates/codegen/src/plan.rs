//! The naming plan: every Rust name the generated crate uses, decided once for the whole
//! schema before any code is built, so each file's builder only reads names.
//!
//! Claim order decides who keeps a plain name when two schema names convert to the same
//! Rust name; it puts schema-derived, user-facing names first and helper names last. Relation
//! fields claim their names now, though part 1 emits nothing for them, so that adding
//! relations later never renames a scalar field's items.

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use refract_schema::ir::{self, Arity, DefaultKind, FieldType, IndexKind, ScalarType};

use crate::names::{self, Scope};

/// Names of the prelude that generated code writes bare unless the schema takes them.
const PRELUDE_TYPES: &[&str] = &["String", "Option", "Vec", "Into", "Result"];

/// Method names of `Client`, `Transaction`, `Executor`, `AsExecutor` and prelude traits
/// (`Clone`, `Into`...) that a model accessor must not take.
const ACCESSOR_RESERVED: &[&str] = &[
    "executor",
    "new",
    "from_env",
    "connect",
    "config",
    "pool_status",
    "query_raw",
    "query_raw_as",
    "execute_raw",
    "transaction",
    "transaction_with",
    "atomically",
    "clone",
    "clone_from",
    "into",
    "try_into",
    "to_owned",
];

/// Root-level names claimed before any model, so no model module shadows them.
const ROOT_RESERVED: &[&str] = &["rt", "std", "core", "alloc", "serde", "refract_runtime"];

/// Paths of the std types generated code uses: bare, or absolute when a model or enum of
/// the schema has the same name.
pub struct StdPaths {
    pub string: TokenStream,
    pub option: TokenStream,
    pub vec: TokenStream,
    pub into: TokenStream,
    pub result: TokenStream,
}

impl StdPaths {
    fn new(absolute: bool) -> StdPaths {
        if absolute {
            StdPaths {
                string: quote!(::std::string::String),
                option: quote!(::std::option::Option),
                vec: quote!(::std::vec::Vec),
                into: quote!(::std::convert::Into),
                result: quote!(::std::result::Result),
            }
        } else {
            StdPaths {
                string: quote!(String),
                option: quote!(Option),
                vec: quote!(Vec),
                into: quote!(Into),
                result: quote!(Result),
            }
        }
    }
}

pub struct Plan<'s> {
    pub std: StdPaths,
    /// One per schema enum, indexed by `EnumId`.
    pub enums: Vec<EnumPlan<'s>>,
    /// Models the client exposes (not `@@ignore`d), in declaration order.
    pub models: Vec<ModelPlan<'s>>,
    pub enums_module: Ident,
    pub models_trait: Ident,
    /// Runtime items re-exported at the root, where their names are free.
    pub reexports: Vec<Ident>,
    pub runtime_module: Option<Ident>,
}

pub struct EnumPlan<'s> {
    pub enum_: &'s ir::Enum,
    pub ident: Ident,
    pub variants: Vec<(Ident, &'s ir::EnumValue)>,
}

pub struct ModelPlan<'s> {
    pub model: &'s ir::Model,
    pub module: Ident,
    pub struct_ident: Ident,
    pub accessor: Ident,
    pub meta: Ident,
    pub column_module: Ident,
    /// The struct of a new record's required fields (`Create`).
    pub create_struct: Ident,
    /// The static of the model's client-side defaults (`DEFAULTS`).
    pub defaults_static: Ident,
    /// Client-visible scalar fields, in declaration (struct) order.
    pub fields: Vec<FieldPlan<'s>>,
    pub uniques: Vec<UniquePlan>,
    /// Indexes into `fields` of the model's identifier (primary key, else the first unique
    /// on required fields).
    pub identifier: Vec<usize>,
    /// Indexes into `fields` of the `@updatedAt` fields.
    pub updated_at: Vec<usize>,
    /// Whether the client can create rows: no hidden required field lacks a default.
    pub can_create: bool,
    /// Position in `fields` of each of the IR model's scalar fields (`None`: not visible).
    pub field_positions: Vec<Option<usize>>,
    /// Relation fields the client exposes, in declaration order (one struct slot each).
    pub relations: Vec<RelationPlan<'s>>,
    /// The module of relation markers and metadata (`conversation::relation`).
    pub relation_module: Ident,
    /// `_count`, for models with to-many relations: the `Counts` struct.
    pub count: Option<CountPlan>,
    /// `CreateWithout<Relation>` structs, for each relation whose foreign key this model
    /// holds among its required fields: (index into `relations`, struct name).
    pub create_without: Vec<(usize, Ident)>,
    /// Names claimed by the first pass for the relation pass.
    pending: PendingNames,
}

struct PendingNames {
    relation_names: Vec<Option<(String, String)>>,
    counts_ident: String,
    scope: Scope,
}

pub struct CountPlan {
    pub struct_ident: Ident,
}

/// One relation field of a model, as the client exposes it.
pub struct RelationPlan<'s> {
    pub field: &'s ir::RelationField,
    pub relation: &'s ir::Relation,
    /// The struct slot (`messages`).
    pub member: Ident,
    /// The handle constant (`MESSAGES`), also the metadata static in the relation module.
    pub constant: Ident,
    /// The marker type in the relation module (`Messages`).
    pub marker: Ident,
    /// Index of the related model in [`Plan::models`].
    pub related: usize,
    pub link: LinkPlan,
}

/// How a relation's rows are linked (indexes are into the models' `fields`).
pub enum LinkPlan {
    /// This model holds the key: `fields` (this model) reference `references` (related).
    Owned {
        fields: Vec<usize>,
        references: Vec<usize>,
    },
    /// The related model holds the key: `fields` (related) reference `references` (this).
    Inverse {
        fields: Vec<usize>,
        references: Vec<usize>,
    },
    /// Implicit many-to-many through the join table.
    JoinTable {
        table: String,
        schema: Option<String>,
        /// This model's key is in column `A`.
        this_is_a: bool,
        key: usize,
        related_key: usize,
    },
}

pub struct FieldPlan<'s> {
    pub field: &'s ir::ScalarField,
    /// The struct field and argument name (`created_at`, `r#type`).
    pub member: Ident,
    /// The `Field` constant and `column` static (`CREATED_AT`).
    pub constant: Ident,
}

impl FieldPlan<'_> {
    pub fn is_list(&self) -> bool {
        self.field.arity == Arity::List
    }

    pub fn is_optional(&self) -> bool {
        self.field.arity == Arity::Optional
    }

    /// A required argument of `create`: required, no default, not set by the client.
    pub fn is_create_argument(&self) -> bool {
        self.field.arity == Arity::Required
            && self.field.default.is_none()
            && !self.field.is_updated_at
    }

    /// What the client fills in when a create does not set it, as a
    /// `rt::defaults::ClientDefault` expression: an id generator, `now()` (so that it is
    /// the same instant as `@updatedAt`), or `[]` for a list without a default (Prisma
    /// reads a list as empty, never NULL). `@updatedAt` is not here: the runtime reads it
    /// from `ModelMeta::updated_at`.
    pub fn client_default(&self) -> Option<TokenStream> {
        let variant = match self.field.default.as_ref().map(|d| &d.kind) {
            Some(DefaultKind::Uuid(7)) => quote!(UuidV7),
            Some(DefaultKind::Uuid(_)) => quote!(UuidV4),
            Some(DefaultKind::Cuid(2)) => quote!(Cuid2),
            Some(DefaultKind::Cuid(_)) => quote!(Cuid),
            Some(DefaultKind::Nanoid(size)) => {
                let size = proc_macro2::Literal::u8_unsuffixed(size.unwrap_or(21));
                quote!(Nanoid(#size))
            }
            Some(DefaultKind::Ulid) => quote!(Ulid),
            Some(DefaultKind::Now) => quote!(Now),
            None if self.is_list() => quote!(EmptyList),
            _ => return None,
        };
        Some(quote!(rt::defaults::ClientDefault::#variant))
    }
}

pub struct UniquePlan {
    pub function: Ident,
    /// Indexes into the model plan's `fields`.
    pub fields: Vec<usize>,
    /// How the schema declares it (`@id`, `@@unique([a, b])`), for the doc line.
    pub declared_as: String,
}

/// Whether a field is part of the client (not `@ignore`d, not `Unsupported`).
fn is_visible(field: &ir::ScalarField) -> bool {
    !field.is_ignored && !matches!(field.field_type, FieldType::Unsupported(_))
}

impl<'s> Plan<'s> {
    pub fn new(schema: &'s ir::Schema) -> Plan<'s> {
        let visible_models: Vec<&ir::Model> =
            schema.models.iter().filter(|m| !m.is_ignored).collect();

        // The crate root: one namespace for modules and types.
        let mut root = Scope::new();
        for reserved in ROOT_RESERVED {
            root.claim(reserved);
        }
        let struct_idents: Vec<Ident> = visible_models
            .iter()
            .map(|m| root.claim_ident(&names::upper_camel(&m.name)))
            .collect();
        let enum_idents: Vec<Ident> = schema
            .enums
            .iter()
            .map(|e| root.claim_ident(&names::upper_camel(&e.name)))
            .collect();
        let absolute_std = PRELUDE_TYPES.iter().any(|name| root.is_taken(name));
        let modules: Vec<Ident> = visible_models
            .iter()
            .map(|m| root.claim_ident(&names::snake(&m.name)))
            .collect();
        let enums_module = root.claim_ident("enums");
        let models_trait = root.claim_ident("Models");
        let runtime_module = (!root.is_taken("runtime")).then(|| root.claim_ident("runtime"));
        let mut reexports = Vec::new();
        for name in [
            // Beside the client: what application code names every day (filters, loaded
            // rows, aggregates), in the order rustfmt sorts a `use` list, so the
            // generated root stays rustfmt-clean.
            "count_all",
            "Aggregates",
            "Client",
            "ClientConfig",
            "Counted",
            "Error",
            "Filter",
            "Group",
            "Having",
            "Loaded",
            "Transaction",
            "With",
            "WriteData",
        ] {
            if !root.is_taken(name) {
                reexports.push(root.claim_ident(name));
            }
        }

        // Accessors are methods on `Client`, `Transaction` and `Executor`: their inherent
        // methods and those of prelude traits would shadow or clash with an accessor of
        // the same name (a model `Transaction`), so those names are taken first.
        let mut accessors = Scope::new();
        for taken in ACCESSOR_RESERVED {
            accessors.claim(taken);
        }

        let enums = schema
            .enums
            .iter()
            .zip(enum_idents)
            .map(|(enum_, ident)| {
                let mut variants = Scope::new();
                let variants = enum_
                    .values
                    .iter()
                    .map(|v| (variants.claim_ident(&names::upper_camel(&v.name)), v))
                    .collect();
                EnumPlan {
                    enum_,
                    ident,
                    variants,
                }
            })
            .collect();

        let mut models: Vec<ModelPlan> = visible_models
            .into_iter()
            .zip(struct_idents.into_iter().zip(modules))
            .map(|(model, (struct_ident, module))| {
                let accessor = accessors.claim_ident(&names::snake(&model.name));
                plan_model(model, struct_ident, module, accessor)
            })
            .collect();
        plan_relations(schema, &mut models);

        Plan {
            std: StdPaths::new(absolute_std),
            enums,
            models,
            enums_module,
            models_trait,
            reexports,
            runtime_module,
        }
    }

    /// The Rust type of one value of a field (the element type for lists, the inner type
    /// for optionals), as seen from a model module.
    pub fn value_type(&self, field_type: &FieldType) -> TokenStream {
        let std = &self.std;
        match field_type {
            FieldType::Scalar(scalar) => match scalar {
                ScalarType::String => std.string.clone(),
                ScalarType::Boolean => quote!(bool),
                ScalarType::Int => quote!(i32),
                ScalarType::BigInt => quote!(i64),
                ScalarType::Float => quote!(f64),
                ScalarType::Decimal => quote!(rt::rust_decimal::Decimal),
                ScalarType::DateTime => quote!(rt::chrono::DateTime<rt::chrono::Utc>),
                ScalarType::Json => quote!(rt::serde_json::Value),
                ScalarType::Bytes => {
                    let vec = &std.vec;
                    quote!(#vec<u8>)
                }
            },
            FieldType::Enum(id) => {
                let ident = &self.enums[id.0 as usize].ident;
                quote!(crate::#ident)
            }
            // Never reached: unsupported fields are not part of the client.
            FieldType::Unsupported(_) => quote!(()),
        }
    }
}

fn plan_model<'s>(
    model: &'s ir::Model,
    struct_ident: Ident,
    module: Ident,
    accessor: Ident,
) -> ModelPlan<'s> {
    let mut scope = Scope::new();
    scope.claim("rt");
    scope.claim("column");
    scope.claim(&struct_ident.to_string());
    let mut members = Scope::new();

    // Scalar and relation fields claim their member and constant names in declaration order.
    let mut scalar_names: Vec<Option<(Ident, Ident)>> = vec![None; model.fields.len()];
    let mut relation_names: Vec<Option<(String, String)>> = vec![None; model.relation_fields.len()];
    for field_ref in &model.field_order {
        match *field_ref {
            ir::FieldRef::Scalar(id) => {
                let field = model.field(id);
                let member = members.claim_ident(&names::snake(&field.name));
                let constant = scope.claim_ident(&names::screaming(&field.name));
                scalar_names[id.0 as usize] = Some((member, constant));
            }
            ir::FieldRef::Relation(index) => {
                let field = &model.relation_fields[index];
                let member = members.claim(&names::snake(&field.name));
                let constant = scope.claim(&names::screaming(&field.name));
                if let Some(slot) = relation_names.get_mut(index) {
                    *slot = Some((member, constant));
                }
            }
        }
    }
    let mut position: Vec<Option<usize>> = vec![None; model.fields.len()];
    let mut fields = Vec::new();
    for (index, (field, names)) in model.fields.iter().zip(scalar_names).enumerate() {
        let Some((member, constant)) = names else {
            continue;
        };
        if !is_visible(field) {
            continue;
        }
        position[index] = Some(fields.len());
        fields.push(FieldPlan {
            field,
            member,
            constant,
        });
    }
    let positions = |index_fields: &[ir::IndexField]| -> Option<Vec<usize>> {
        index_fields
            .iter()
            .map(|f| position.get(f.field.0 as usize).copied().flatten())
            .collect()
    };

    let mut uniques: Vec<UniquePlan> = Vec::new();
    let mut criteria: Vec<(Vec<usize>, Option<&str>, String)> = Vec::new();
    if let Some(pk) = &model.primary_key {
        if let Some(at) = positions(&pk.fields) {
            let declared = declared_as(model, &pk.fields, pk.is_field_level, "id");
            criteria.push((at, pk.name.as_deref(), declared));
        }
    }
    for index in model.indexes.iter().filter(|i| i.kind == IndexKind::Unique) {
        if let Some(at) = positions(&index.fields) {
            let declared = declared_as(model, &index.fields, index.is_field_level, "unique");
            criteria.push((at, index.name.as_deref(), declared));
        }
    }
    for (at, name, declared_as) in criteria {
        if uniques.iter().any(|u| u.fields == at) {
            continue;
        }
        let wanted = match name {
            Some(name) => names::snake(name),
            None => names::snake(
                &at.iter()
                    .map(|&i| fields[i].field.name.as_str())
                    .collect::<Vec<_>>()
                    .join("_"),
            ),
        };
        uniques.push(UniquePlan {
            function: scope.claim_ident(&wanted),
            fields: at,
            declared_as,
        });
    }
    let identifier = uniques
        .iter()
        .find(|u| {
            u.fields
                .iter()
                .all(|&i| fields[i].field.arity == Arity::Required)
        })
        .map(|u| u.fields.clone())
        .unwrap_or_default();
    let updated_at = fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.field.is_updated_at)
        .map(|(i, _)| i)
        .collect();
    let can_create = model.fields.iter().all(|f| {
        is_visible(f) || f.arity != Arity::Required || f.default.is_some() || f.is_updated_at
    });
    let meta = scope.claim_ident("META");
    let defaults_static = scope.claim_ident("DEFAULTS");
    let create_struct = scope.claim_ident("Create");
    let relation_module = scope.claim_ident("relation");
    let counts_ident = scope.claim("Counts");

    ModelPlan {
        model,
        module,
        struct_ident,
        accessor,
        meta,
        column_module: names::ident("column"),
        create_struct,
        defaults_static,
        fields,
        uniques,
        identifier,
        updated_at,
        can_create,
        field_positions: position,
        relations: Vec::new(),
        relation_module,
        count: None,
        create_without: Vec::new(),
        pending: PendingNames {
            relation_names,
            counts_ident,
            scope,
        },
    }
}

/// `@id`, `@unique`, `@@id([a, b])`, `@@unique([a, b])`.
fn declared_as(
    model: &ir::Model,
    fields: &[ir::IndexField],
    field_level: bool,
    attribute: &str,
) -> String {
    let names: Vec<&str> = fields
        .iter()
        .map(|f| model.field(f.field).name.as_str())
        .collect();
    if field_level {
        format!("`@{attribute}` on `{}`", names.join(", "))
    } else {
        format!("`@@{attribute}([{}])`", names.join(", "))
    }
}

/// The second pass: relations need every model's fields planned.
fn plan_relations<'s>(schema: &'s ir::Schema, models: &mut [ModelPlan<'s>]) {
    // Plan index of each IR model.
    let index_of: Vec<Option<usize>> = schema
        .models
        .iter()
        .map(|m| models.iter().position(|plan| std::ptr::eq(plan.model, m)))
        .collect();
    let mut planned: Vec<Vec<RelationPlan<'s>>> = Vec::with_capacity(models.len());
    for plan in models.iter() {
        let model = plan.model;
        let Some(model_id) = schema
            .models
            .iter()
            .position(|m| std::ptr::eq(m, model))
            .map(|i| ir::ModelId(i as u32))
        else {
            planned.push(Vec::new());
            continue;
        };
        let mut relations = Vec::new();
        for (index, field) in model.relation_fields.iter().enumerate() {
            let Some((member, constant)) =
                plan.pending.relation_names.get(index).cloned().flatten()
            else {
                continue;
            };
            if field.is_ignored {
                continue;
            }
            let Some(related) = index_of
                .get(field.related_model.0 as usize)
                .copied()
                .flatten()
            else {
                continue;
            };
            let relation = schema.relation(field.relation);
            let Some(referenced) = relation.referenced else {
                continue;
            };
            let this_ref = ir::RelationFieldRef {
                model: model_id,
                index,
            };
            let other_ref = if relation.referencing == this_ref {
                referenced
            } else {
                relation.referencing
            };
            let other_field = schema.relation_field(other_ref);
            if other_field.is_ignored {
                continue;
            }
            let related_plan = &models[related];
            let here = |ids: &[ir::FieldId]| -> Option<Vec<usize>> {
                ids.iter()
                    .map(|id| plan.field_positions.get(id.0 as usize).copied().flatten())
                    .collect()
            };
            let there = |ids: &[ir::FieldId]| -> Option<Vec<usize>> {
                ids.iter()
                    .map(|id| {
                        related_plan
                            .field_positions
                            .get(id.0 as usize)
                            .copied()
                            .flatten()
                    })
                    .collect()
            };
            let link = match relation.kind {
                ir::RelationKind::ManyToMany => {
                    let key = single_id(plan);
                    let related_key = single_id(related_plan);
                    let (Some(key), Some(related_key)) = (key, related_key) else {
                        continue;
                    };
                    let a_model = schema.model(relation.referencing.model);
                    LinkPlan::JoinTable {
                        table: relation.db_name.clone(),
                        schema: a_model.schema.clone(),
                        this_is_a: relation.referencing == this_ref,
                        key,
                        related_key,
                    }
                }
                _ if !field.fields.is_empty() => {
                    let (Some(fields), Some(references)) =
                        (here(&field.fields), there(&field.references))
                    else {
                        continue;
                    };
                    LinkPlan::Owned { fields, references }
                }
                _ => {
                    let (Some(fields), Some(references)) =
                        (there(&other_field.fields), here(&other_field.references))
                    else {
                        continue;
                    };
                    if fields.is_empty() {
                        continue;
                    }
                    LinkPlan::Inverse { fields, references }
                }
            };
            relations.push(RelationPlan {
                field,
                relation,
                member: names::ident(&member),
                constant: names::ident(&constant),
                marker: names::ident(&names::upper_camel(&field.name)),
                related,
                link,
            });
        }
        planned.push(relations);
    }
    for (plan, relations) in models.iter_mut().zip(planned) {
        // Type parameters and marker types: one namespace, clear of the type names the
        // model's items use unqualified.
        let mut params = Scope::new();
        for taken in PRELUDE_TYPES {
            params.claim(taken);
        }
        for taken in ["Self", "Ok", "Err", "Some", "None", "Loaded"] {
            params.claim(taken);
        }
        params.claim(&plan.struct_ident.to_string());
        params.claim(&plan.pending.counts_ident);
        let mut relations = relations;
        for relation in &mut relations {
            let name = params.claim(&names::upper_camel(&relation.field.name));
            relation.marker = names::ident(&name);
        }
        if relations.iter().any(|r| r.field.arity == Arity::List) {
            plan.count = Some(CountPlan {
                struct_ident: names::ident(&plan.pending.counts_ident),
            });
        }
        // CreateWithout<Relation> for each relation whose key fields this model holds and
        // `Create` has as fields.
        if plan.can_create {
            for (index, relation) in relations.iter().enumerate() {
                let LinkPlan::Owned { fields, .. } = &relation.link else {
                    continue;
                };
                let takes_key = fields.iter().any(|&f| {
                    plan.fields[f].is_create_argument() && plan.fields[f].client_default().is_none()
                });
                if takes_key {
                    let name = plan.pending.scope.claim_ident(&format!(
                        "CreateWithout{}",
                        names::upper_camel(&relation.field.name)
                    ));
                    plan.create_without.push((index, name));
                }
            }
        }
        plan.relations = relations;
    }
}

/// The single-field `@id` of a model, as an index into its fields.
fn single_id(plan: &ModelPlan) -> Option<usize> {
    let pk = plan.model.primary_key.as_ref()?;
    match pk.fields.as_slice() {
        [only] => plan
            .field_positions
            .get(only.field.0 as usize)
            .copied()
            .flatten(),
        _ => None,
    }
}
