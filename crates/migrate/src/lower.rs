//! `lower`: schema IR → the target [`SqlSchema`], with Prisma's type mapping and naming.
//!
//! The IR already carries database names (`@map`/`@@map` applied, constraint names defaulted
//! and truncated); this module adds what only migrate needs: PostgreSQL types for scalars
//! (`TEXT`, `INTEGER`/`SERIAL`, `DECIMAL(65,30)`, `TIMESTAMP(3)`, `JSONB`, ...), defaults,
//! the implicit many-to-many join tables (`_AToB` with `A`/`B`, `_AB_pkey`, `_B_index`,
//! cascading foreign keys) and the order Prisma's schema calculator produces: tables in model
//! order then join tables, indexes as field `@unique`s, then `@@index`, then `@@unique`,
//! foreign keys by model then relation-field order.

use refract_schema::ir;

use crate::sql::{Ident, StringLit};
use crate::sql_schema::{
    Arity, Column, ColumnDefault, ColumnType, DefaultValue, Enum, Extension, ForeignKey,
    ForeignKeyAction, Index, IndexAlgorithm, IndexColumn, IndexKind, NativeType, OpClass, Policy,
    PolicyCommand, PrimaryKey, RowLevelSecurity, SortOrder, SqlSchema, Table, TableId, View,
};
use crate::tenancy;

const MAX_IDENTIFIER: usize = 63;

/// The SQL schema a database must have to match `schema`, whose default schema (namespace)
/// is `public`.
pub fn lower(schema: &ir::Schema) -> SqlSchema {
    lower_in(schema, "public")
}

/// As [`lower`], for a database whose default schema is `default_namespace` (the URL's
/// `?schema=`). Without multi-schema the namespace is listed (so that a diff from an empty
/// database creates it, as Prisma 7 does) but tables and enums stay unqualified.
pub fn lower_in(schema: &ir::Schema, default_namespace: &str) -> SqlSchema {
    let multi_schema = schema
        .datasource
        .as_ref()
        .is_some_and(|d| !d.schemas.is_empty());
    let qualify = |ns: &Option<String>| -> Option<String> {
        if multi_schema {
            Some(ns.clone().unwrap_or_else(|| "public".to_owned()))
        } else {
            None
        }
    };

    let mut sql = SqlSchema::default();

    for e in &schema.enums {
        sql.enums.push(Enum {
            namespace: qualify(&e.schema),
            name: e.db_name.clone(),
            values: e.values.iter().map(|v| v.db_name.clone()).collect(),
        });
    }

    // Model tables, remembering each model's table id.
    let mut model_tables: Vec<Option<TableId>> = Vec::with_capacity(schema.models.len());
    for model in &schema.models {
        if model.is_view() {
            sql.views.push(View {
                namespace: qualify(&model.schema),
                name: model.db_name.clone(),
            });
            model_tables.push(None);
            continue;
        }
        let columns = model
            .fields
            .iter()
            .map(|f| lower_field(schema, model, f, &qualify))
            .collect();
        let primary_key = model.primary_key.as_ref().map(|pk| PrimaryKey {
            name: pk.db_name.clone(),
            columns: pk
                .fields
                .iter()
                .map(|f| model.field(f.field).db_name.clone())
                .collect(),
        });
        let id = sql.push_table(Table {
            namespace: qualify(&model.schema),
            name: model.db_name.clone(),
            columns,
            primary_key,
            row_level_security: RowLevelSecurity::default(),
        });
        model_tables.push(Some(id));
    }

    // Indexes: field-level uniques, then @@index, then @@unique, as Prisma visits them.
    for (model, table) in schema.models.iter().zip(&model_tables) {
        let Some(table) = *table else { continue };
        let field_uniques = model
            .indexes
            .iter()
            .filter(|i| i.kind == ir::IndexKind::Unique && i.is_field_level);
        let normal = model
            .indexes
            .iter()
            .filter(|i| i.kind == ir::IndexKind::Normal);
        let block_uniques = model
            .indexes
            .iter()
            .filter(|i| i.kind == ir::IndexKind::Unique && !i.is_field_level);
        for index in field_uniques.chain(normal).chain(block_uniques) {
            sql.indexes.push(lower_index(model, table, index));
        }
    }

    let foreign_keys_enabled = schema
        .datasource
        .as_ref()
        .is_none_or(|d| d.relation_mode == ir::RelationMode::ForeignKeys);

    // Foreign keys of 1:1 and 1:n relations, by model then relation-field order.
    if foreign_keys_enabled {
        for (model_index, model) in schema.models.iter().enumerate() {
            let Some(table) = model_tables[model_index] else {
                continue;
            };
            for (field_index, field) in model.relation_fields.iter().enumerate() {
                let relation = schema.relation(field.relation);
                let this = ir::RelationFieldRef {
                    model: ir::ModelId(model_index as u32),
                    index: field_index,
                };
                if relation.kind == ir::RelationKind::ManyToMany
                    || relation.referencing != this
                    || field.fields.is_empty()
                {
                    continue;
                }
                let related = schema.model(field.related_model);
                let Some(referenced_table) = model_tables[field.related_model.0 as usize] else {
                    continue;
                };
                sql.foreign_keys.push(ForeignKey {
                    table,
                    name: relation.db_name.clone(),
                    columns: field
                        .fields
                        .iter()
                        .map(|f| model.field(*f).db_name.clone())
                        .collect(),
                    referenced_table,
                    referenced_columns: field
                        .references
                        .iter()
                        .map(|f| related.field(*f).db_name.clone())
                        .collect(),
                    on_delete: action(relation.on_delete),
                    on_update: action(relation.on_update),
                });
            }
        }
    }

    // Implicit many-to-many join tables, in the order Prisma finds them: by the `A` side's
    // model, then its relation field.
    let mut many_to_many: Vec<&ir::Relation> = schema
        .relations
        .iter()
        .filter(|r| r.kind == ir::RelationKind::ManyToMany)
        .collect();
    many_to_many.sort_by_key(|r| r.referencing);
    for relation in many_to_many {
        let Some(referenced) = relation.referenced else {
            continue;
        };
        let a_model_id = relation.referencing.model;
        let b_model_id = referenced.model;
        lower_join_table(
            schema,
            &mut sql,
            &model_tables,
            relation,
            (a_model_id, b_model_id),
            foreign_keys_enabled,
            &qualify,
        );
    }

    // An unknown `tenantModel` is reported by the commands (`tenancy::plan`); lowering stays
    // infallible and lowers no policies for it.
    if let Ok(Some(plan)) = tenancy::plan(schema) {
        lower_tenancy(schema, &plan, &model_tables, &mut sql);
    }

    if let Some(ds) = &schema.datasource {
        if schema.preview_features().contains(&"postgresqlExtensions") {
            for ext in &ds.extensions {
                sql.extensions.push(Extension {
                    name: ext.db_name.clone(),
                    schema: ext.schema.clone().unwrap_or_default(),
                    version: ext.version.clone().unwrap_or_default(),
                    relocatable: false,
                });
            }
        }
    }

    if multi_schema {
        let mut namespaces: Vec<String> = sql
            .tables
            .iter()
            .filter_map(|t| t.namespace.clone())
            .chain(sql.enums.iter().filter_map(|e| e.namespace.clone()))
            .collect();
        namespaces.sort();
        namespaces.dedup();
        sql.namespaces = namespaces;
    } else {
        sql.namespaces = vec![default_namespace.to_owned()];
    }
    sql
}

/// Name of the policy that isolates a tenant's rows (every command).
pub const ISOLATION_POLICY: &str = "refract_tenant_isolation";
/// Name of the policy that lets every tenant read global rows (NULL tenant column).
pub const GLOBAL_READ_POLICY: &str = "refract_tenant_global_read";
/// Policies whose names start with this are refract's; others are left alone.
pub const POLICY_PREFIX: &str = "refract_tenant_";

/// Row-level security and policies for the tenant-owned tables of `plan`.
///
/// Expressions are written in the form PostgreSQL prints back (`pg_get_expr`: every operator
/// parenthesised, `'...'::text`, the table's own columns unqualified at the top and qualified
/// by table name inside subqueries), so that diffing compares like with like.
fn lower_tenancy(
    schema: &ir::Schema,
    plan: &tenancy::TenancyPlan,
    model_tables: &[Option<TableId>],
    sql: &mut SqlSchema,
) {
    for owned in &plan.tables {
        let Some(table) = model_tables[owned.model.0 as usize] else {
            continue;
        };
        sql.tables[table.0 as usize].row_level_security = RowLevelSecurity {
            enabled: true,
            forced: true,
        };
        let isolation = scope_condition(schema, plan, owned, None, 1);
        let mut check = vec![isolation.clone()];
        for link in &owned.parents {
            let Some(parent) = plan.table(link.parent) else {
                continue;
            };
            let outer = Ident(&schema.model(owned.model).db_name).to_string();
            let exists = parent_exists(schema, plan, link, parent, &outer, 1, true);
            check.push(if link.nullable {
                let nulls: Vec<String> = link
                    .columns
                    .iter()
                    .map(|c| format!("({} IS NULL)", Ident(c)))
                    .collect();
                format!("({} OR {exists})", nulls.join(" OR "))
            } else {
                exists
            });
        }
        let with_check = if check.len() == 1 {
            isolation.clone()
        } else {
            format!("({})", check.join(" AND "))
        };
        sql.policies.push(Policy {
            table,
            name: ISOLATION_POLICY.to_owned(),
            command: PolicyCommand::All,
            permissive: true,
            roles: vec!["public".to_owned()],
            using: Some(isolation),
            with_check: Some(with_check),
        });
        if let tenancy::Scope::Column {
            column,
            nullable: true,
        } = &owned.scope
        {
            sql.policies.push(Policy {
                table,
                name: GLOBAL_READ_POLICY.to_owned(),
                command: PolicyCommand::Select,
                permissive: true,
                roles: vec!["public".to_owned()],
                // Global rows, to a session that names a tenant (unset reads NULL; a setting
                // reset after `SET LOCAL` reads '').
                using: Some(format!(
                    "(({} IS NULL) AND (current_setting({}::text, true) <> ''::text))",
                    Ident(column),
                    StringLit(tenancy::TENANT_SETTING)
                )),
                with_check: None,
            });
        }
    }
}

/// The condition that a row of `owned` (columns qualified by `outer`, or unqualified at the
/// top) belongs to the current tenant; `global_rows` also admits rows with a NULL tenant.
fn scope_condition(
    schema: &ir::Schema,
    plan: &tenancy::TenancyPlan,
    owned: &tenancy::TenantTable,
    outer: Option<&str>,
    depth: usize,
) -> String {
    scope_condition_with(schema, plan, owned, outer, depth, false)
}

fn scope_condition_with(
    schema: &ir::Schema,
    plan: &tenancy::TenancyPlan,
    owned: &tenancy::TenantTable,
    outer: Option<&str>,
    depth: usize,
    global_rows: bool,
) -> String {
    let column_ref = |c: &str| match outer {
        Some(q) => format!("{q}.{}", Ident(c)),
        None => Ident(c).to_string(),
    };
    match &owned.scope {
        tenancy::Scope::Column { column, nullable } => {
            let equals = format!(
                "({} = current_setting({}::text, true))",
                column_ref(column),
                StringLit(tenancy::TENANT_SETTING)
            );
            if *nullable && global_rows {
                format!("({equals} OR ({} IS NULL))", column_ref(column))
            } else {
                equals
            }
        }
        tenancy::Scope::Parent(link) => {
            let Some(parent) = plan.table(link.parent) else {
                return "false".to_owned();
            };
            let outer = match outer {
                Some(q) => q.to_owned(),
                None => Ident(&schema.model(owned.model).db_name).to_string(),
            };
            parent_exists(schema, plan, link, parent, &outer, depth, false)
        }
    }
}

/// `(EXISTS ( SELECT 1 FROM parent pN WHERE ((pN.key = outer.fk) AND <parent's condition>)))`.
fn parent_exists(
    schema: &ir::Schema,
    plan: &tenancy::TenancyPlan,
    link: &tenancy::ParentLink,
    parent: &tenancy::TenantTable,
    outer: &str,
    depth: usize,
    global_rows: bool,
) -> String {
    let alias = format!("p{depth}");
    let mut conditions: Vec<String> = link
        .referenced
        .iter()
        .zip(&link.columns)
        .map(|(key, fk)| format!("({alias}.{} = {outer}.{})", Ident(key), Ident(fk)))
        .collect();
    conditions.push(scope_condition_with(
        schema,
        plan,
        parent,
        Some(&alias),
        depth + 1,
        global_rows,
    ));
    format!(
        "(EXISTS ( SELECT 1 FROM {} {alias} WHERE ({})))",
        Ident(&schema.model(parent.model).db_name),
        conditions.join(" AND ")
    )
}

fn lower_join_table(
    schema: &ir::Schema,
    sql: &mut SqlSchema,
    model_tables: &[Option<TableId>],
    relation: &ir::Relation,
    (a_model_id, b_model_id): (ir::ModelId, ir::ModelId),
    foreign_keys_enabled: bool,
    qualify: &impl Fn(&Option<String>) -> Option<String>,
) {
    let a_model = schema.model(a_model_id);
    let b_model = schema.model(b_model_id);
    let (Some(a_table), Some(b_table)) = (
        model_tables[a_model_id.0 as usize],
        model_tables[b_model_id.0 as usize],
    ) else {
        return;
    };
    let id_column = |model: &ir::Model| -> Option<Column> {
        let pk = model.primary_key.as_ref()?;
        let field = model.field(pk.fields.first()?.field);
        let mut column = lower_field(schema, model, field, qualify);
        column.arity = Arity::Required;
        column.default = None;
        column.auto_increment = false;
        column.prisma_level_default = false;
        Some(column)
    };
    let (Some(mut a), Some(mut b)) = (id_column(a_model), id_column(b_model)) else {
        return;
    };
    let a_ref = a.name.clone();
    let b_ref = b.name.clone();
    a.name = "A".into();
    b.name = "B".into();
    let name = relation.db_name.clone();
    let table = sql.push_table(Table {
        namespace: qualify(&a_model.schema),
        name: name.clone(),
        columns: vec![a, b],
        primary_key: Some(PrimaryKey {
            name: truncated(&name, "_AB_pkey"),
            columns: vec!["A".into(), "B".into()],
        }),
        row_level_security: RowLevelSecurity::default(),
    });
    sql.indexes.push(Index {
        table,
        name: truncated(&name, "_B_index"),
        kind: IndexKind::Normal,
        algorithm: IndexAlgorithm::BTree,
        columns: vec![IndexColumn {
            name: "B".into(),
            sort: None,
            opclass: None,
        }],
        included_columns: Vec::new(),
        is_partial: false,
        is_constraint: false,
    });
    if foreign_keys_enabled {
        for (column, referenced_table, referenced_column) in
            [("A", a_table, a_ref), ("B", b_table, b_ref)]
        {
            sql.foreign_keys.push(ForeignKey {
                table,
                name: truncated(&name, &format!("_{column}_fkey")),
                columns: vec![column.into()],
                referenced_table,
                referenced_columns: vec![referenced_column],
                on_delete: ForeignKeyAction::Cascade,
                on_update: ForeignKeyAction::Cascade,
            });
        }
    }
}

fn truncated(base: &str, suffix: &str) -> String {
    let limit = MAX_IDENTIFIER - suffix.len();
    let mut cut = base.len().min(limit);
    while !base.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{suffix}", &base[..cut])
}

fn action(action: ir::ReferentialAction) -> ForeignKeyAction {
    match action {
        ir::ReferentialAction::Cascade => ForeignKeyAction::Cascade,
        ir::ReferentialAction::Restrict => ForeignKeyAction::Restrict,
        ir::ReferentialAction::NoAction => ForeignKeyAction::NoAction,
        ir::ReferentialAction::SetNull => ForeignKeyAction::SetNull,
        ir::ReferentialAction::SetDefault => ForeignKeyAction::SetDefault,
    }
}

fn lower_index(model: &ir::Model, table: TableId, index: &ir::Index) -> Index {
    Index {
        table,
        name: index.db_name.clone(),
        kind: if index.kind == ir::IndexKind::Unique {
            IndexKind::Unique
        } else {
            IndexKind::Normal
        },
        algorithm: index.algorithm.unwrap_or(IndexAlgorithm::BTree),
        columns: index
            .fields
            .iter()
            .map(|f| IndexColumn {
                name: model.field(f.field).db_name.clone(),
                sort: match f.sort {
                    Some(ir::SortOrder::Desc) => Some(SortOrder::Desc),
                    _ => None,
                },
                opclass: f.operator_class.as_ref().map(|o| OpClass {
                    name: match o {
                        ir::OperatorClass::Named(n) => opclass_sql_name(n),
                        ir::OperatorClass::Raw(r) => r.clone(),
                    },
                    is_default: false,
                }),
            })
            .collect(),
        included_columns: Vec::new(),
        is_partial: false,
        is_constraint: false,
    }
}

/// Operator classes Prisma names in `ops:` (PostgreSQL's built-in GiST, GIN, SP-GiST and BRIN
/// classes), as Prisma spells them.
pub const KNOWN_OPERATOR_CLASSES: &[&str] = &[
    "InetOps",
    "JsonbOps",
    "JsonbPathOps",
    "ArrayOps",
    "TextOps",
    "BitMinMaxOps",
    "VarBitMinMaxOps",
    "BpcharBloomOps",
    "BpcharMinMaxOps",
    "ByteaBloomOps",
    "ByteaMinMaxOps",
    "DateBloomOps",
    "DateMinMaxOps",
    "DateMinMaxMultiOps",
    "Float4BloomOps",
    "Float4MinMaxOps",
    "Float4MinMaxMultiOps",
    "Float8BloomOps",
    "Float8MinMaxOps",
    "Float8MinMaxMultiOps",
    "InetInclusionOps",
    "InetBloomOps",
    "InetMinMaxOps",
    "InetMinMaxMultiOps",
    "Int2BloomOps",
    "Int2MinMaxOps",
    "Int2MinMaxMultiOps",
    "Int4BloomOps",
    "Int4MinMaxOps",
    "Int4MinMaxMultiOps",
    "Int8BloomOps",
    "Int8MinMaxOps",
    "Int8MinMaxMultiOps",
    "NumericBloomOps",
    "NumericMinMaxOps",
    "NumericMinMaxMultiOps",
    "OidBloomOps",
    "OidMinMaxOps",
    "OidMinMaxMultiOps",
    "TextBloomOps",
    "TextMinMaxOps",
    "TimestampBloomOps",
    "TimestampMinMaxOps",
    "TimestampMinMaxMultiOps",
    "TimestampTzBloomOps",
    "TimestampTzMinMaxOps",
    "TimestampTzMinMaxMultiOps",
    "TimeBloomOps",
    "TimeMinMaxOps",
    "TimeMinMaxMultiOps",
    "TimeTzBloomOps",
    "TimeTzMinMaxOps",
    "TimeTzMinMaxMultiOps",
    "UuidBloomOps",
    "UuidMinMaxOps",
    "UuidMinMaxMultiOps",
];

/// `JsonbPathOps` → `jsonb_path_ops`, `TimestampTzMinMaxMultiOps` →
/// `timestamptz_minmax_multi_ops`.
pub fn opclass_sql_name(prisma_name: &str) -> String {
    let mut out = String::new();
    for (i, c) in prisma_name.char_indices() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out.replace("min_max", "minmax")
        .replace("timestamp_tz", "timestamptz")
        .replace("time_tz", "timetz")
        .replace("var_bit", "varbit")
}

/// The `ops:` name Prisma uses for a PostgreSQL operator class, if it has one.
pub fn opclass_prisma_name(sql_name: &str) -> Option<&'static str> {
    KNOWN_OPERATOR_CLASSES
        .iter()
        .find(|name| opclass_sql_name(name) == sql_name)
        .copied()
}

fn lower_field(
    schema: &ir::Schema,
    model: &ir::Model,
    field: &ir::ScalarField,
    qualify: &impl Fn(&Option<String>) -> Option<String>,
) -> Column {
    let tpe = match &field.field_type {
        ir::FieldType::Enum(id) => {
            let e = schema.enum_(*id);
            ColumnType::Enum {
                namespace: qualify(&e.schema),
                name: e.db_name.clone(),
            }
        }
        ir::FieldType::Unsupported(t) => ColumnType::Unsupported(t.clone()),
        ir::FieldType::Scalar(scalar) => ColumnType::Native(
            field
                .native_type
                .as_ref()
                .and_then(native_type)
                .unwrap_or_else(|| default_native_type(*scalar)),
        ),
    };
    let arity = match field.arity {
        ir::Arity::Required => Arity::Required,
        ir::Arity::Optional => Arity::Nullable,
        ir::Arity::List => Arity::List,
    };
    let mut column = Column {
        name: field.db_name.clone(),
        tpe,
        arity,
        default: None,
        auto_increment: false,
        identity: None,
        prisma_level_default: false,
    };
    if let Some(default) = &field.default {
        match &default.kind {
            ir::DefaultKind::Autoincrement => {
                column.auto_increment = true;
                column.default = Some(ColumnDefault::Sequence(format!(
                    "{}_{}_seq",
                    model.db_name, field.db_name
                )));
            }
            ir::DefaultKind::Now => column.default = Some(ColumnDefault::Now),
            ir::DefaultKind::DbGenerated(expr) => {
                column.default = Some(ColumnDefault::DbGenerated(expr.clone()))
            }
            ir::DefaultKind::Value(literal) => {
                column.default = lower_literal(schema, field, literal).map(ColumnDefault::Value)
            }
            kind if kind.is_client_side() => column.prisma_level_default = true,
            _ => {}
        }
    }
    column
}

fn lower_literal(
    schema: &ir::Schema,
    field: &ir::ScalarField,
    literal: &ir::Literal,
) -> Option<DefaultValue> {
    Some(match literal {
        ir::Literal::List(items) => DefaultValue::List(
            items
                .iter()
                .map(|i| lower_literal(schema, field, i))
                .collect::<Option<_>>()?,
        ),
        ir::Literal::Boolean(b) => DefaultValue::Boolean(*b),
        ir::Literal::EnumValue(name) => match &field.field_type {
            ir::FieldType::Enum(id) => DefaultValue::Enum(
                schema
                    .enum_(*id)
                    .values
                    .iter()
                    .find(|v| &v.name == name)
                    .map_or_else(|| name.clone(), |v| v.db_name.clone()),
            ),
            _ => DefaultValue::String(name.clone()),
        },
        ir::Literal::Number(n) => match &field.field_type {
            ir::FieldType::Scalar(ir::ScalarType::Int | ir::ScalarType::BigInt) => {
                DefaultValue::Int(n.parse().ok()?)
            }
            _ => DefaultValue::Float(n.clone()),
        },
        ir::Literal::String(s) => match &field.field_type {
            ir::FieldType::Scalar(ir::ScalarType::Json) => DefaultValue::Json(s.clone()),
            // Prisma parses the literal and writes it back as chrono displays it.
            ir::FieldType::Scalar(ir::ScalarType::DateTime) => DefaultValue::DateTime(
                chrono::DateTime::parse_from_rfc3339(s)
                    .map_or_else(|_| s.clone(), |dt| dt.to_string()),
            ),
            ir::FieldType::Enum(_) => DefaultValue::Enum(s.clone()),
            ir::FieldType::Scalar(ir::ScalarType::Bytes) => DefaultValue::Bytes(decode_base64(s)?),
            _ => DefaultValue::String(s.clone()),
        },
    })
}

/// Prisma writes `Bytes` defaults in base64.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    };
    let digits: Vec<u8> = text
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= value(*c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

/// Prisma's PostgreSQL type for a scalar without `@db.*`.
pub fn default_native_type(scalar: ir::ScalarType) -> NativeType {
    match scalar {
        ir::ScalarType::String => NativeType::Text,
        ir::ScalarType::Boolean => NativeType::Boolean,
        ir::ScalarType::Int => NativeType::Integer,
        ir::ScalarType::BigInt => NativeType::BigInt,
        ir::ScalarType::Float => NativeType::DoublePrecision,
        ir::ScalarType::Decimal => NativeType::Decimal(Some((65, 30))),
        ir::ScalarType::DateTime => NativeType::Timestamp(Some(3)),
        ir::ScalarType::Json => NativeType::JsonB,
        ir::ScalarType::Bytes => NativeType::ByteA,
    }
}

/// `@db.Name(args)` → a native type; `None` for names PostgreSQL does not have.
pub fn native_type(native: &ir::NativeType) -> Option<NativeType> {
    let arg = |i: usize| {
        native
            .args
            .get(i)
            .and_then(|a| a.trim().parse::<u32>().ok())
    };
    Some(match native.name.as_str() {
        "SmallInt" => NativeType::SmallInt,
        "Integer" => NativeType::Integer,
        "BigInt" => NativeType::BigInt,
        "Decimal" => NativeType::Decimal(arg(0).map(|p| (p, arg(1).unwrap_or(0)))),
        "Money" => NativeType::Money,
        "Real" => NativeType::Real,
        "DoublePrecision" => NativeType::DoublePrecision,
        "VarChar" => NativeType::VarChar(arg(0)),
        "Char" => NativeType::Char(arg(0)),
        "Text" => NativeType::Text,
        "ByteA" => NativeType::ByteA,
        "Date" => NativeType::Date,
        "Timestamp" => NativeType::Timestamp(arg(0)),
        "Timestamptz" => NativeType::Timestamptz(arg(0)),
        "Time" => NativeType::Time(arg(0)),
        "Timetz" => NativeType::Timetz(arg(0)),
        "Boolean" => NativeType::Boolean,
        "Bit" => NativeType::Bit(arg(0)),
        "VarBit" => NativeType::VarBit(arg(0)),
        "Uuid" => NativeType::Uuid,
        "Xml" => NativeType::Xml,
        "Json" => NativeType::Json,
        "JsonB" => NativeType::JsonB,
        "Inet" => NativeType::Inet,
        "Citext" => NativeType::Citext,
        "Oid" => NativeType::Oid,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opclass_names() {
        assert_eq!(opclass_sql_name("JsonbPathOps"), "jsonb_path_ops");
        assert_eq!(
            opclass_sql_name("Int4MinMaxMultiOps"),
            "int4_minmax_multi_ops"
        );
        assert_eq!(opclass_sql_name("GinTrgmOps"), "gin_trgm_ops");
        assert_eq!(
            opclass_sql_name("TimestampTzBloomOps"),
            "timestamptz_bloom_ops"
        );
        assert_eq!(opclass_sql_name("VarBitMinMaxOps"), "varbit_minmax_ops");
        assert_eq!(opclass_prisma_name("jsonb_path_ops"), Some("JsonbPathOps"));
        assert_eq!(opclass_prisma_name("gin_trgm_ops"), None);
    }

    #[test]
    fn bytes_defaults_are_base64() {
        assert_eq!(decode_base64("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64("").unwrap(), b"");
        assert_eq!(decode_base64("AQID").unwrap(), [1, 2, 3]);
        assert!(decode_base64("!!").is_none());
    }

    #[test]
    fn join_table_names_are_truncated() {
        let long = "_".repeat(70);
        assert_eq!(truncated(&long, "_AB_pkey").len(), 63);
    }
}
