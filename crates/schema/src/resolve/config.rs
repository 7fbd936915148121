//! The `datasource` and `generator` blocks → [`ir::Datasource`], [`ir::Generator`].

use std::collections::BTreeMap;

use super::args::{as_array, type_error};
use crate::ast::{ConfigBlock, Expression};
use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::ir;

/// Providers refract can target.
pub const SUPPORTED_PROVIDERS: &[&str] = &["postgresql"];
/// Providers Prisma knows that refract does not support yet.
pub const OTHER_PRISMA_PROVIDERS: &[&str] =
    &["mysql", "sqlite", "sqlserver", "mongodb", "cockroachdb"];

/// Preview features Prisma 7 knows (for PostgreSQL).
pub const PREVIEW_FEATURES: &[&str] = &[
    "fullTextSearchPostgres",
    "nativeDistinct",
    "partialIndexes",
    "postgresqlExtensions",
    "relationJoins",
    "schemaEngineDriverAdapters",
    "shardKeys",
    "strictUndefinedChecks",
    "typedSql",
    "views",
];
/// Preview features that became generally available or were removed; they
/// are accepted with a warning, since real schemas written for Prisma 4-6
/// still name them.
pub const DEPRECATED_PREVIEW_FEATURES: &[&str] = &[
    "aggregateApi",
    "atomicNumberOperations",
    "clientExtensions",
    "cockroachdb",
    "connectOrCreate",
    "createMany",
    "dataProxy",
    "deno",
    "distinct",
    "driverAdapters",
    "extendedIndexes",
    "extendedWhereUnique",
    "fieldReference",
    "filterJson",
    "filteredRelationCount",
    "fullTextIndex",
    "fullTextSearch",
    "groupBy",
    "improvedQueryRaw",
    "insensitiveFilters",
    "interactiveTransactions",
    "jsonProtocol",
    "metrics",
    "microsoftSqlServer",
    "middlewares",
    "mongoDb",
    "multiSchema",
    "namedConstraints",
    "napi",
    "nApi",
    "omitApi",
    "orderByAggregateGroup",
    "orderByNulls",
    "orderByRelation",
    "prismaSchemaFolder",
    "queryCompiler",
    "referentialActions",
    "referentialIntegrity",
    "selectRelationCount",
    "tracing",
    "transactionApi",
    "uncheckedScalarInputs",
];

pub(super) fn config_value(e: &Expression, diags: &mut Diagnostics) -> Option<ir::ConfigValue> {
    match e {
        Expression::String(s, _) => Some(ir::ConfigValue::Literal(s.clone())),
        Expression::Function(name, args, span) if name == "env" => {
            match args.items.first().map(|a| &a.value) {
                Some(Expression::String(var, _)) if args.items.len() == 1 => {
                    Some(ir::ConfigValue::Env(var.clone()))
                }
                _ => {
                    diags.error(
                        codes::DATASOURCE,
                        *span,
                        "`env()` takes exactly one string argument, the variable's name",
                    );
                    None
                }
            }
        }
        other => {
            diags.push(type_error("a string or `env(\"...\")`", other));
            None
        }
    }
}

pub(super) fn datasource(block: &ConfigBlock, diags: &mut Diagnostics) -> Option<ir::Datasource> {
    let mut provider = None;
    let mut ds = ir::Datasource {
        name: block.name.name.as_str().to_owned(),
        provider: String::new(),
        url: None,
        direct_url: None,
        shadow_database_url: None,
        relation_mode: ir::RelationMode::ForeignKeys,
        schemas: Vec::new(),
        extensions: Vec::new(),
        documentation: block.documentation.clone(),
    };
    let mut extensions_expr = None;
    for (i, prop) in block.properties.iter().enumerate() {
        if block.properties[..i]
            .iter()
            .any(|p| p.name.name == prop.name.name)
        {
            diags.error(
                codes::DATASOURCE,
                prop.name.span,
                format!(
                    "property `{}` is already defined in datasource `{}`",
                    prop.name.name, block.name.name
                ),
            );
            continue;
        }
        let Some(value) = &prop.value else {
            diags.error(
                codes::DATASOURCE,
                prop.span,
                format!(
                    "property `{}` in datasource `{}` needs a value",
                    prop.name.name, block.name.name
                ),
            );
            continue;
        };
        match prop.name.name.as_str() {
            "provider" => match value {
                Expression::String(s, span) => provider = Some((s.clone(), *span)),
                Expression::Function(name, _, span) if name == "env" => {
                    diags.error(
                        codes::DATASOURCE,
                        *span,
                        "the provider must be a literal string, not `env()`",
                    );
                }
                other => diags.push(type_error("a string", other)),
            },
            "url" => ds.url = config_value(value, diags),
            "directUrl" => ds.direct_url = config_value(value, diags),
            "shadowDatabaseUrl" => ds.shadow_database_url = config_value(value, diags),
            "relationMode" | "referentialIntegrity" => match value.as_string() {
                Some("foreignKeys") => ds.relation_mode = ir::RelationMode::ForeignKeys,
                Some("prisma") => ds.relation_mode = ir::RelationMode::Prisma,
                _ => diags.error_with_help(
                    codes::DATASOURCE,
                    value.span(),
                    "invalid relation mode",
                    "use `\"foreignKeys\"` (the default) or `\"prisma\"`",
                ),
            },
            "schemas" => {
                for item in as_array(value) {
                    match item {
                        Expression::String(s, span) => {
                            if ds.schemas.contains(s) {
                                diags.error(
                                    codes::DATASOURCE,
                                    *span,
                                    format!("schema `{s}` is listed twice"),
                                );
                            } else {
                                ds.schemas.push(s.clone());
                            }
                        }
                        other => diags.push(type_error("a string", other)),
                    }
                }
            }
            "extensions" => extensions_expr = Some(value),
            _ => diags.error(
                codes::DATASOURCE,
                prop.name.span,
                format!(
                    "unknown property `{}` in datasource `{}`",
                    prop.name.name, block.name.name
                ),
            ),
        }
    }
    for line in &block.invalid_lines {
        diags.error(
            codes::SYNTAX,
            *line,
            "this line is not a valid `key = value` property",
        );
    }
    let Some((provider, span)) = provider else {
        diags.error_with_help(
            codes::DATASOURCE,
            block.name.span,
            format!("datasource `{}` has no `provider`", block.name.name),
            "add `provider = \"postgresql\"`",
        );
        return None;
    };
    let provider = if provider == "postgres" {
        "postgresql".to_string()
    } else {
        provider
    };
    if !SUPPORTED_PROVIDERS.contains(&provider.as_str()) {
        let msg = if OTHER_PRISMA_PROVIDERS.contains(&provider.as_str()) {
            format!("the `{provider}` provider is not supported by refract yet")
        } else {
            format!("unknown datasource provider `{provider}`")
        };
        diags.error_with_help(
            codes::UNSUPPORTED_PROVIDER,
            span,
            msg,
            "refract supports `postgresql`",
        );
        return None;
    }
    ds.provider = provider;
    if let Some(e) = extensions_expr {
        ds.extensions = extensions(e, diags);
    }
    Some(ds)
}

fn extensions(value: &Expression, diags: &mut Diagnostics) -> Vec<ir::Extension> {
    let mut out = Vec::new();
    for item in as_array(value) {
        let (name, args, span) = match item {
            Expression::Constant(n, s) => (n.as_str(), None, *s),
            Expression::Function(n, a, s) => (n.as_str(), Some(a), *s),
            other => {
                diags.push(type_error("an extension name", other));
                continue;
            }
        };
        if name.contains('-') {
            diags.error_with_help(
                codes::DATASOURCE,
                span,
                "the character `-` is not allowed in extension names",
                "write `_` and give the real name with `map: \"...\"`",
            );
            continue;
        }
        let mut ext = ir::Extension {
            name: name.to_string(),
            db_name: name.to_string(),
            schema: None,
            version: None,
        };
        if let Some(args) = args {
            let mut seen: Vec<&str> = Vec::new();
            for a in &args.items {
                let Some(n) = &a.name else {
                    diags.error(
                        codes::DATASOURCE,
                        a.span,
                        "extension arguments must have a name",
                    );
                    continue;
                };
                if seen.contains(&n.name.as_str()) {
                    diags.error(
                        codes::DATASOURCE,
                        n.span,
                        format!("argument `{}` is given twice", n.name),
                    );
                    continue;
                }
                seen.push(&n.name);
                let Some(v) = a.value.as_string() else {
                    diags.push(type_error("a string", &a.value));
                    continue;
                };
                match n.name.as_str() {
                    "map" => ext.db_name = v.to_string(),
                    "schema" => ext.schema = Some(v.to_string()),
                    "version" => ext.version = Some(v.to_string()),
                    other => diags.error(
                        codes::DATASOURCE,
                        n.span,
                        format!("unknown extension argument `{other}`"),
                    ),
                }
            }
        }
        out.push(ext);
    }
    out
}

pub(super) fn generator(block: &ConfigBlock, diags: &mut Diagnostics) -> Option<ir::Generator> {
    let mut provider = None;
    let mut output = None;
    let mut preview_features = Vec::new();
    let mut config = BTreeMap::new();
    for prop in &block.properties {
        let Some(value) = &prop.value else {
            diags.push(
                Diagnostic::error(
                    codes::GENERATOR,
                    block.name.span,
                    format!(
                        "property `{}` in generator `{}` needs a value",
                        prop.name.name, block.name.name
                    ),
                )
                .with_label(prop.span, "no value after `=`"),
            );
            continue;
        };
        match prop.name.name.as_str() {
            "provider" => provider = config_value(value, diags),
            "output" => output = config_value(value, diags),
            "previewFeatures" => {
                for item in as_array(value) {
                    match item {
                        Expression::String(s, span) => {
                            preview_feature_warnings(s, *span, diags);
                            preview_features.push(s.clone());
                        }
                        other => diags.push(type_error("a string", other)),
                    }
                }
            }
            name => {
                config.insert(name.to_string(), config_expr(value));
            }
        }
    }
    for line in &block.invalid_lines {
        diags.error(
            codes::SYNTAX,
            *line,
            "this line is not a valid `key = value` property",
        );
    }
    let Some(provider) = provider else {
        diags.error_with_help(
            codes::GENERATOR,
            block.name.span,
            format!("generator `{}` has no `provider`", block.name.name),
            "add `provider = \"refract\"`",
        );
        return None;
    };
    Some(ir::Generator {
        name: block.name.name.as_str().to_owned(),
        provider,
        output,
        preview_features,
        config,
        documentation: block.documentation.clone(),
    })
}

fn preview_feature_warnings(name: &str, span: crate::source::Span, diags: &mut Diagnostics) {
    if PREVIEW_FEATURES.contains(&name) {
        return;
    }
    if name == "fullTextSearch" {
        diags.warning(
            codes::DEPRECATED_PREVIEW_FEATURE,
            span,
            "on PostgreSQL the preview feature `fullTextSearch` is called `fullTextSearchPostgres`",
        );
    } else if DEPRECATED_PREVIEW_FEATURES.contains(&name) {
        diags.push(
            Diagnostic::warning(
                codes::DEPRECATED_PREVIEW_FEATURE,
                span,
                format!("preview feature `{name}` is generally available or was removed; it has no effect"),
            )
            .with_help("remove it from `previewFeatures`"),
        );
    } else {
        diags.push(
            Diagnostic::warning(
                codes::UNKNOWN_PREVIEW_FEATURE,
                span,
                format!("unknown preview feature `{name}`"),
            )
            .with_help("it is ignored; remove it to silence this warning"),
        );
    }
}

fn config_expr(e: &Expression) -> ir::ConfigExpr {
    match e {
        Expression::String(s, _) => ir::ConfigExpr::String(s.clone()),
        Expression::Numeric(s, _) => ir::ConfigExpr::Number(s.as_str().to_owned()),
        Expression::Constant(s, _) => ir::ConfigExpr::Constant(s.as_str().to_owned()),
        Expression::Function(n, a, _) if n == "env" => ir::ConfigExpr::Env(
            a.items
                .first()
                .and_then(|x| x.value.as_string())
                .unwrap_or_default()
                .to_string(),
        ),
        Expression::Function(n, _, _) => ir::ConfigExpr::Constant(format!("{n}()")),
        Expression::Array(items, _) => {
            ir::ConfigExpr::Array(items.iter().map(config_expr).collect())
        }
    }
}
