//! Enums: their values and `@map`s (pass 3), and their block attributes
//! (`@@map`, `@@schema`), read in source order with the models'.

use super::*;

/// Pass 3: an enum and its values (block attributes come with the models').
pub(in crate::resolve) fn resolve_enum<'a>(e: &'a ast::Enum, cx: &mut Ctx<'a>) {
    let id = ir::EnumId(cx.schema.enums.len() as u32);
    let mut out = ir::Enum {
        name: e.name.name.as_str().to_owned(),
        db_name: e.name.name.as_str().to_owned(),
        schema: None,
        values: Vec::new(),
        documentation: e.documentation.clone(),
    };
    if e.values.is_empty() {
        cx.error(
            codes::DUPLICATE_ENUM_VALUE,
            e.name.span,
            format!("enum `{}` has no values", e.name.name),
        );
    }
    out.values.reserve_exact(e.values.len());
    let mut names = RepeatedNames::new(e.values.len());
    for (i, v) in e.values.iter().enumerate() {
        if names.repeats(&e.values, i, |v| &v.name.name) {
            // Reported with the enum's attributes, in source order.
            continue;
        }
        let mut value = ir::EnumValue {
            name: v.name.name.as_str().to_owned(),
            db_name: v.name.name.as_str().to_owned(),
            documentation: v.documentation.clone(),
        };
        for a in &v.attributes {
            match a.name.name.as_str() {
                "map" => {
                    let missing = || "`@map` needs the database name as its argument".to_string();
                    if let Some(s) = string_argument(a, "@", "name", missing, cx) {
                        value.db_name = s;
                    }
                }
                other => unknown_attribute(cx, a, "@", other, &["map"]),
            }
        }
        out.values.push(value);
    }
    cx.schema.enums.push(out);
    cx.enum_spans.push(e.name.span);
    cx.enum_names.insert(&e.name.name, id);
}

/// Block attributes of an enum (`@@map`, `@@schema`), run in source order with the models'.
pub(in crate::resolve) fn resolve_enum_attributes(id: ir::EnumId, e: &ast::Enum, cx: &mut Ctx<'_>) {
    let mut names = RepeatedNames::new(e.values.len());
    for (k, v) in e.values.iter().enumerate() {
        if names.repeats(&e.values, k, |v| &v.name.name) {
            cx.error(
                codes::DUPLICATE_ENUM_VALUE,
                v.name.span,
                format!(
                    "value `{}` is already defined on enum `{}`",
                    v.name.name, e.name.name
                ),
            );
        }
    }
    let repeated = repeated_attributes(&e.attributes, &["map", "schema"], cx);
    for (i, a) in e.attributes.iter().enumerate() {
        if repeated.contains(&i) {
            continue;
        }
        match a.name.name.as_str() {
            "map" => {
                if let Some(name) = map_argument(a, "@@", cx) {
                    cx.schema.enums[id.0 as usize].db_name = name;
                }
            }
            "schema" => {
                let s = schema_argument(a, cx);
                cx.schema.enums[id.0 as usize].schema = s;
            }
            other => unknown_attribute(cx, a, "@@", other, &["map", "schema"]),
        }
    }
}
