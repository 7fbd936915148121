//! Relations: read `@relation`, pair both sides, check `fields`/`references`,
//! and fill [`ir::Relation`] with Prisma's defaults.
//!
//! Pairing follows Prisma: relation fields are grouped by the unordered pair of
//! models and the relation name (explicit, or `""` for unnamed). A group must
//! hold exactly one field on each side (two fields of one model for
//! self-relations). The side with `fields`/`references` holds the foreign key.

use rustc_hash::FxHashMap;

use super::args::{ArgReader, as_array, as_constant, as_string};
use super::{Ctx, WrittenRelation as RelationArgs, closest, first_char_to, naming, quoted};
use crate::ast::Expression;
use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::ir::{
    self, Arity, FieldId, ModelId, ReferentialAction, RelationFieldRef, RelationKind, RelationMode,
};
use crate::source::Span;

/// Every relation field's `@relation`, by model and relation field index.
type ArgsTable = [Vec<RelationArgs>];

fn args_of(table: &ArgsTable, r: RelationFieldRef) -> Option<&RelationArgs> {
    table.get(r.model.0 as usize)?.get(r.index)
}

/// The relation fields of one (model pair, relation name) group, in
/// (model, field) order.
struct Group<'n> {
    lo: ModelId,
    hi: ModelId,
    name: &'n str,
    members: Vec<RelationFieldRef>,
}

pub(super) fn resolve(cx: &mut Ctx<'_>) {
    // 1. Read every @relation attribute.
    let mut diags = Diagnostics::new();
    let table: Vec<Vec<RelationArgs>> = (0..cx.schema.models.len())
        .map(|m| {
            let model = ModelId(m as u32);
            (0..cx.schema.models[m].relation_fields.len())
                .map(|index| read_args(cx, &mut diags, RelationFieldRef { model, index }))
                .collect()
        })
        .collect();
    cx.reading_failed |= diags.has_errors();
    cx.diags.extend(diags.into_vec());
    // 2. Group by (model pair, name).
    let mut group_ids: FxHashMap<(ModelId, ModelId, &str), usize> = FxHashMap::default();
    let mut groups: Vec<Group<'_>> = Vec::new();
    for (m, model_args) in table.iter().enumerate() {
        for (index, a) in model_args.iter().enumerate() {
            let r = RelationFieldRef {
                model: ModelId(m as u32),
                index,
            };
            let target = cx.schema.relation_field(r).related_model;
            let (lo, hi) = (r.model.min(target), r.model.max(target));
            let name = a.name.as_deref().unwrap_or_default();
            let g = *group_ids.entry((lo, hi, name)).or_insert_with(|| {
                groups.push(Group {
                    lo,
                    hi,
                    name,
                    members: Vec::new(),
                });
                groups.len() - 1
            });
            groups[g].members.push(r);
        }
    }
    // Handle relations in source order of their foreign-key side, so
    // diagnostics come out in the order a reader meets them. Groups share no
    // field, so no two have the same key.
    groups.sort_unstable_by_key(|g| {
        g.members
            .iter()
            .find(|r| args_of(&table, **r).is_some_and(|a| a.fields.is_some()))
            .or(g.members.first())
            .copied()
    });
    for g in &groups {
        pair(cx, g.lo, g.hi, g.name, &g.members, &table);
    }
    drop(groups);
    drop(group_ids);
    for (spans, model_args) in cx.spans.iter_mut().zip(table) {
        spans.relation_args = model_args;
    }
}

fn field_span(cx: &Ctx<'_>, r: RelationFieldRef) -> Span {
    cx.spans[r.model.0 as usize]
        .relation_fields
        .get(r.index)
        .map(|f| f.span)
        .unwrap_or_default()
}

fn attr_span(cx: &Ctx<'_>, r: RelationFieldRef) -> Span {
    cx.spans[r.model.0 as usize]
        .relation_attrs
        .get(r.index)
        .copied()
        .flatten()
        .map_or_else(|| field_span(cx, r), |a| a.span)
}

fn read_args(cx: &Ctx<'_>, diags: &mut Diagnostics, r: RelationFieldRef) -> RelationArgs {
    let mut out = RelationArgs::default();
    let Some(Some(attr)) = cx.spans[r.model.0 as usize].relation_attrs.get(r.index) else {
        return out;
    };
    let mut reader = ArgReader::new(attr, "@", Some("name"), diags);
    out.name = reader.take("name").and_then(|e| as_string(e, diags));
    let target = cx.schema.relation_field(r).related_model;
    let lists = [
        ("fields", r.model, &mut out.fields),
        ("references", target, &mut out.references),
    ];
    for (key, model, list) in lists {
        if let Some(e) = reader.take(key) {
            *list = field_list(cx, diags, model, e, key);
            out.broken |= list.is_none();
        }
    }
    out.map = reader.take("map").and_then(|e| as_string(e, diags));
    out.on_delete = referential_action(reader.take("onDelete"), diags);
    out.on_update = referential_action(reader.take("onUpdate"), diags);
    reader.finish(diags);
    out
}

/// `onDelete: X` / `onUpdate: X`, if given and known.
fn referential_action(
    e: Option<&Expression>,
    diags: &mut Diagnostics,
) -> Option<(ReferentialAction, Span)> {
    let e = e?;
    let c = as_constant(e, diags)?;
    if let Some(action) = ReferentialAction::from_name(c) {
        return Some((action, e.span()));
    }
    let d = Diagnostic::error(
        codes::RELATION_REFERENTIAL_ACTION,
        e.span(),
        format!("unknown referential action `{c}`"),
    );
    diags.push(
        match closest(c, ReferentialAction::ALL.iter().map(|a| a.name())) {
            Some(s) => d.with_help(format!("did you mean `{s}`?")),
            None => d.with_help("use `Cascade`, `Restrict`, `NoAction`, `SetNull` or `SetDefault`"),
        },
    );
    None
}

/// Resolves `fields: [a, b]` / `references: [...]` against a model.
fn field_list(
    cx: &Ctx<'_>,
    diags: &mut Diagnostics,
    model: ModelId,
    e: &Expression,
    arg: &str,
) -> Option<Vec<FieldId>> {
    let m = cx.schema.model(model);
    let items = as_array(e);
    let mut out = Vec::with_capacity(items.len());
    let mut unknown = Vec::new();
    let mut relation = Vec::new();
    for item in items {
        match item {
            Expression::Constant(n, _) => match m.find_field(n) {
                Some((id, _)) => out.push(id),
                None if m.find_relation_field(n).is_some() => relation.push(n.clone()),
                None => unknown.push(n.clone()),
            },
            Expression::String(s, span) => {
                diags.error_with_help(
                    codes::RELATION_INVALID,
                    *span,
                    format!("expected a field name in `{arg}`, found the string `\"{s}\"`"),
                    format!("write field names without quotes: `{s}`"),
                );
                return None;
            }
            other => {
                diags.push(super::args::type_error("a field name", other));
                return None;
            }
        }
    }
    let m = cx.schema.model(model);
    if !unknown.is_empty() {
        let list = quoted(&unknown, ", ");
        let mut d = Diagnostic::error(
            codes::RELATION_INVALID,
            e.span(),
            format!(
                "`{arg}` refers to fields that do not exist in model `{}`: {list}",
                m.name
            ),
        );
        if let [one] = unknown.as_slice()
            && let Some(s) = closest(one, m.fields.iter().map(|f| f.name.as_str()))
        {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        diags.push(d);
        return None;
    }
    if !relation.is_empty() {
        let list = quoted(&relation, ", ");
        diags.push(Diagnostic::error(
            codes::RELATION_INVALID,
            e.span(),
            format!("`{arg}` must list scalar fields, but {list} are relation fields"),
        ));
        return None;
    }
    Some(out)
}

fn pair(
    cx: &mut Ctx<'_>,
    lo: ModelId,
    hi: ModelId,
    name: &str,
    fields: &[RelationFieldRef],
    args: &ArgsTable,
) {
    // Side A holds the fields of `lo` (all of them in a self-relation); they
    // come first, as members are in model order.
    let side_a_len = fields.iter().filter(|r| r.model == lo).count();
    let side_b_len = fields.len() - side_a_len;
    // Ambiguity: several fields of one model in one unnamed (or same-named) relation.
    if (lo == hi && side_a_len > 2) || (lo != hi && (side_a_len > 1 || side_b_len > 1)) {
        ambiguous_relation(cx, lo, hi, name, fields, side_a_len);
        return;
    }
    // At most one field per side (two in a self-relation), side A first.
    let (first, second) = match *fields {
        [a] => (a, None),
        [a, b] => (a, Some(b)),
        _ => return,
    };
    // A single field: its opposite is missing.
    let Some(second) = second else {
        one_sided_relation(cx, first, name, args_of(args, first), lo, hi);
        return;
    };
    let fa_arity = cx.schema.relation_field(first).arity;
    let fb_arity = cx.schema.relation_field(second).arity;
    let (aa, ab) = (args_of(args, first), args_of(args, second));
    let kind = match (fa_arity == Arity::List, fb_arity == Arity::List) {
        (true, true) => RelationKind::ManyToMany,
        (false, false) => RelationKind::OneToOne,
        _ => RelationKind::OneToMany,
    };
    let (referencing, referenced) = match kind {
        RelationKind::ManyToMany => {
            let Some(sides) = many_to_many_sides(cx, first, second, aa, ab) else {
                return;
            };
            sides
        }
        RelationKind::OneToMany => one_to_many_sides(cx, first, second, aa, ab),
        RelationKind::OneToOne => one_to_one_sides(cx, first, second, aa, ab),
    };
    if kind == RelationKind::OneToOne && fa_arity == Arity::Required && fb_arity == Arity::Required
    {
        cx.error_with_help(
            codes::RELATION_INVALID,
            field_span(cx, referenced),
            "the side of a one-to-one relation without `fields` must be optional",
            "make it optional with `?`: both records cannot be created first",
        );
    }
    let ra = args_of(args, referencing);
    finish_relation(cx, referencing, Some(referenced), name, ra, lo, hi);
}

/// Several fields of one model in one unnamed (or same-named) relation:
/// each of them is reported, and the group makes no relation.
fn ambiguous_relation(
    cx: &mut Ctx<'_>,
    lo: ModelId,
    hi: ModelId,
    name: &str,
    fields: &[RelationFieldRef],
    side_a_len: usize,
) {
    // Side A's fields if it has several (all of them in a self-relation), else side B's.
    let on_side_a = lo == hi || side_a_len > 1;
    let offenders: Vec<RelationFieldRef> = fields
        .iter()
        .filter(|r| (r.model == lo) == on_side_a)
        .copied()
        .collect();
    let names = quoted(
        offenders.iter().map(|r| &cx.schema.relation_field(*r).name),
        ", ",
    );
    let model_name = &cx.schema.model(offenders[0].model).name;
    let shared = if name.is_empty() {
        let target = cx.schema.relation_field(offenders[0]).related_model;
        format!("refer to `{}`", cx.schema.model(target).name)
    } else {
        format!("use the relation name `{name}`")
    };
    let msg = format!("ambiguous relation: fields {names} of model `{model_name}` all {shared}");
    for r in &offenders {
        cx.error_with_help(
            codes::RELATION_AMBIGUOUS,
            field_span(cx, *r),
            msg.clone(),
            "give each relation its own name: `@relation(\"Name\")` on both sides",
        );
    }
}

/// A relation field without its opposite: reported (unless either side is
/// ignored), and still recorded so later passes have a relation id.
fn one_sided_relation(
    cx: &mut Ctx<'_>,
    first: RelationFieldRef,
    name: &str,
    args: Option<&RelationArgs>,
    lo: ModelId,
    hi: ModelId,
) {
    let f = cx.schema.relation_field(first);
    let target = cx.schema.model(f.related_model);
    if !f.is_ignored && !target.is_ignored {
        let model_name = &cx.schema.model(first.model).name;
        let target_name = &target.name;
        let field = first_char_to(model_name, char::to_lowercase);
        let list = if f.arity == Arity::List { "" } else { "[]" };
        cx.diags.error_with_help(
            codes::RELATION_MISSING_OPPOSITE,
            field_span(cx, first),
            format!("relation field `{}` on model `{model_name}` has no opposite relation field on model `{target_name}`", f.name),
            format!("add a field such as `{field} {model_name}{list}` to `{target_name}` (`gen format` adds it for you)"),
        );
    }
    // Still record a one-sided relation so later passes have an id.
    finish_relation(cx, first, None, name, args, lo, hi);
}

/// Whether `@relation` gave a foreign key (or tried to).
fn has_fk(a: Option<&RelationArgs>) -> bool {
    a.is_some_and(|a| a.fields.is_some() || a.references.is_some() || a.broken)
}

/// An implicit many-to-many relation: neither side may name a foreign key,
/// no view may take part, both models need a single-field id. Returns the
/// sides in Prisma's join-table order (`A` first), or `None` when a view
/// takes part (no relation is made).
fn many_to_many_sides(
    cx: &mut Ctx<'_>,
    first: RelationFieldRef,
    second: RelationFieldRef,
    aa: Option<&RelationArgs>,
    ab: Option<&RelationArgs>,
) -> Option<(RelationFieldRef, RelationFieldRef)> {
    for (r, a) in [(first, aa), (second, ab)] {
        if has_fk(a) {
            let span = attr_span(cx, r);
            cx.error_with_help(
                codes::RELATION_INVALID,
                span,
                "implicit many-to-many relations do not take `fields` or `references`",
                "remove them; refract manages the join table",
            );
        }
    }
    for r in [first, second] {
        if cx.schema.model(r.model).is_view() {
            let span = field_span(cx, r);
            cx.push(Diagnostic::error(
                codes::VIEW,
                span,
                "implicit many-to-many relations are not supported for views",
            ));
            return None;
        }
    }
    for r in [first, second] {
        let m = cx.schema.model(r.model);
        let single_id = m
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.fields.len() == 1);
        if !single_id && m.primary_key.is_some() {
            let span = field_span(cx, r);
            let mname = m.name.clone();
            cx.error_with_help(
                codes::RELATION_INVALID,
                span,
                format!("implicit many-to-many relations need a single-field `@id` on `{mname}`"),
                "use an explicit join model instead",
            );
        }
    }
    // Side A is the model whose name sorts first (Prisma's join column `A`).
    let a_first = (
        cx.schema.model(first.model).name.as_str(),
        cx.schema.relation_field(first).name.as_str(),
    ) <= (
        cx.schema.model(second.model).name.as_str(),
        cx.schema.relation_field(second).name.as_str(),
    );
    Some(if a_first {
        (first, second)
    } else {
        (second, first)
    })
}

/// A one-to-many relation: the foreign key is on the single side, never on
/// the list side. Returns (referencing, referenced).
fn one_to_many_sides(
    cx: &mut Ctx<'_>,
    first: RelationFieldRef,
    second: RelationFieldRef,
    aa: Option<&RelationArgs>,
    ab: Option<&RelationArgs>,
) -> (RelationFieldRef, RelationFieldRef) {
    let first_is_list = cx.schema.relation_field(first).arity == Arity::List;
    let (single, list, single_args, list_args) = if first_is_list {
        (second, first, ab, aa)
    } else {
        (first, second, aa, ab)
    };
    if has_fk(list_args) {
        let span = attr_span(cx, list);
        cx.error_with_help(
            codes::RELATION_INVALID,
            span,
            "the list side of a one-to-many relation cannot define `fields` or `references`",
            "put `fields` and `references` on the other side",
        );
    }
    if !has_fk(single_args) {
        let span = field_span(cx, single);
        cx.error_with_help(
            codes::RELATION_INVALID,
            span,
            format!(
                "relation field `{}` must say which fields hold the foreign key",
                cx.schema.relation_field(single).name
            ),
            "add `@relation(fields: [...], references: [...])` (`gen format` adds it for you)",
        );
    }
    (single, list)
}

/// A one-to-one relation: exactly one side names the foreign key. Returns
/// (referencing, referenced).
fn one_to_one_sides(
    cx: &mut Ctx<'_>,
    first: RelationFieldRef,
    second: RelationFieldRef,
    aa: Option<&RelationArgs>,
    ab: Option<&RelationArgs>,
) -> (RelationFieldRef, RelationFieldRef) {
    match (has_fk(aa), has_fk(ab)) {
        (true, false) => (first, second),
        (false, true) => (second, first),
        (false, false) => {
            let span = field_span(cx, first);
            cx.error_with_help(
                codes::RELATION_INVALID,
                span,
                format!(
                    "one-to-one relation between `{}` and `{}` needs `fields` and `references` on exactly one side",
                    cx.schema.relation_field(first).name,
                    cx.schema.relation_field(second).name
                ),
                "put `@relation(fields: [...], references: [...])` on the side that stores the foreign key",
            );
            (first, second)
        }
        (true, true) => {
            let span = attr_span(cx, second);
            cx.error_with_help(
                codes::RELATION_INVALID,
                span,
                "only one side of a one-to-one relation can define `fields` and `references`",
                "remove them from one side",
            );
            (first, second)
        }
    }
}

/// Checks the foreign key side and records the relation.
fn finish_relation(
    cx: &mut Ctx<'_>,
    referencing: RelationFieldRef,
    referenced: Option<RelationFieldRef>,
    name: &str,
    args: Option<&RelationArgs>,
    lo: ModelId,
    hi: ModelId,
) {
    let rf = cx.schema.relation_field(referencing);
    let other_arity = referenced.map(|r| cx.schema.relation_field(r).arity);
    let kind = match (rf.arity, other_arity) {
        (Arity::List, Some(Arity::List)) => RelationKind::ManyToMany,
        (Arity::List, _) | (_, Some(Arity::List)) => RelationKind::OneToMany,
        _ => RelationKind::OneToOne,
    };
    let relation_name = if name.is_empty() {
        let (lo_name, hi_name) = (&cx.schema.model(lo).name, &cx.schema.model(hi).name);
        // `{a}To{b}`, allocated once (one per relation).
        [lo_name.min(hi_name).as_str(), "To", lo_name.max(hi_name)].concat()
    } else {
        name.to_string()
    };
    let related_model = rf.related_model;
    let fields = args.and_then(|a| a.fields.clone()).unwrap_or_default();
    let references = args.and_then(|a| a.references.clone()).unwrap_or_default();
    let span = attr_span(cx, referencing);
    let broken = args.is_some_and(|a| a.broken);
    if kind != RelationKind::ManyToMany && !broken {
        let one_to_one = kind == RelationKind::OneToOne && referenced.is_some();
        let fk = ForeignKey {
            relation_field: cx.schema.relation_field(referencing),
            model: cx.schema.model(referencing.model),
            target: cx.schema.model(related_model),
            fields: &fields,
            references: &references,
            span,
        };
        let written = (
            args.is_some_and(|a| a.fields.is_some()),
            args.is_some_and(|a| a.references.is_some()),
        );
        if fk_lists_are_complete(&mut cx.diags, &fk, written) {
            references_are_unique(&mut cx.diags, &fk);
            fk_types_match(&mut cx.diags, &fk);
            required_relation_has_required_fk(&mut cx.diags, &fk);
            if one_to_one {
                one_to_one_fk_is_unique(&mut cx.diags, &fk);
            }
        }
    }
    let model = cx.schema.model(referencing.model);
    // Join tables of implicit many-to-many relations cascade both ways (Prisma's DDL).
    let many_to_many = kind == RelationKind::ManyToMany;
    let referential_required = fields
        .iter()
        .any(|f| model.field(*f).arity == Arity::Required);
    let default_on_delete = match (referential_required, cx.relation_mode()) {
        (false, _) => ReferentialAction::SetNull,
        (true, RelationMode::Prisma) => ReferentialAction::NoAction,
        (true, RelationMode::ForeignKeys) => ReferentialAction::Restrict,
    };
    let on_delete = args.and_then(|a| a.on_delete).map(|(a, _)| a);
    let on_update = args.and_then(|a| a.on_update).map(|(a, _)| a);
    if let Some(a) = args {
        check_referential_actions(cx, kind, a, span, referential_required);
    }
    let (db_name, explicit) = match args.and_then(|a| a.map.clone()) {
        Some(m) => (m, true),
        None if kind == RelationKind::ManyToMany => (format!("_{relation_name}"), false),
        None => {
            let model = cx.schema.model(referencing.model);
            let cols = fields.iter().map(|f| model.field(*f).db_name.as_str());
            (
                naming::with_column_names(&model.db_name, cols, "_fkey"),
                false,
            )
        }
    };
    let id = ir::RelationId(cx.schema.relations.len() as u32);
    cx.schema.relations.push(ir::Relation {
        name: relation_name,
        kind,
        referencing,
        referenced,
        on_delete: if many_to_many {
            ReferentialAction::Cascade
        } else {
            on_delete.unwrap_or(default_on_delete)
        },
        on_update: on_update.unwrap_or(ReferentialAction::Cascade),
        db_name,
        has_explicit_db_name: explicit,
    });
    if let Some(r) = referenced {
        cx.schema.models[r.model.0 as usize].relation_fields[r.index].relation = id;
    }
    let f = &mut cx.schema.models[referencing.model.0 as usize].relation_fields[referencing.index];
    f.relation = id;
    f.fields = fields;
    f.references = references;
    f.on_delete = on_delete;
    f.on_update = on_update;
}

/// `onDelete`/`onUpdate` against the relation's kind, the relation mode and
/// the foreign key's arity (`SetNull` on required fields).
fn check_referential_actions(
    cx: &mut Ctx<'_>,
    kind: RelationKind,
    a: &RelationArgs,
    span: Span,
    referential_required: bool,
) {
    if kind == RelationKind::ManyToMany && (a.on_delete.is_some() || a.on_update.is_some()) {
        cx.error(
            codes::RELATION_REFERENTIAL_ACTION,
            span,
            "implicit many-to-many relations do not take `onDelete` or `onUpdate`",
        );
    }
    let prisma = cx.relation_mode() == RelationMode::Prisma;
    for (action, which) in [(a.on_delete, "onDelete"), (a.on_update, "onUpdate")] {
        match action {
            // Prisma's own text: emulation has no deferred check to offer.
            Some((ReferentialAction::NoAction, aspan)) if prisma => cx.error_with_help(
                codes::RELATION_REFERENTIAL_ACTION,
                aspan,
                format!(
                    "`{which}: NoAction` is not implemented for PostgreSQL with `relationMode = \"prisma\"`"
                ),
                "use `Restrict` instead (allowed: `Cascade`, `Restrict`, `SetNull`)",
            ),
            Some((ReferentialAction::SetNull, aspan)) if referential_required => {
                let msg =
                    format!("`{which}: SetNull` on a relation whose foreign-key fields are required");
                let help = "make the foreign-key fields optional, or choose another referential action";
                if prisma || !cx.has_datasource {
                    cx.error_with_help(codes::RELATION_REFERENTIAL_ACTION, aspan, msg, help);
                } else {
                    cx.push(
                        Diagnostic::warning(
                            codes::REFERENTIAL_ACTION_WARNING,
                            aspan,
                            format!("{msg} fails at run time when a row is deleted or updated"),
                        )
                        .with_help(help),
                    );
                }
            }
            _ => {}
        }
    }
    if prisma
        && let Some((_, aspan)) = a
            .on_delete
            .or(a.on_update)
            .filter(|x| x.0 == ReferentialAction::SetDefault)
    {
        cx.error(
            codes::RELATION_REFERENTIAL_ACTION,
            aspan,
            "`SetDefault` is not supported with `relationMode = \"prisma\"`",
        );
    }
}

/// The foreign key of a 1:1 or 1:n relation, as its rules read it.
struct ForeignKey<'a> {
    relation_field: &'a ir::RelationField,
    model: &'a ir::Model,
    target: &'a ir::Model,
    fields: &'a [FieldId],
    references: &'a [FieldId],
    /// The `@relation` attribute (or the field without one).
    span: Span,
}

/// Rule: `fields` and `references` are both given, equally long and not
/// empty (neither given is reported by pairing). `written` says which of
/// the two `@relation` has. The other rules run only when this one holds.
fn fk_lists_are_complete(
    diags: &mut Diagnostics,
    fk: &ForeignKey<'_>,
    written: (bool, bool),
) -> bool {
    let (has_fields, has_refs) = written;
    let (fields, references, span) = (fk.fields, fk.references, fk.span);
    if !has_fields && !has_refs {
        return false;
    }
    if has_fields != has_refs {
        let missing = if has_fields { "references" } else { "fields" };
        diags.error_with_help(
            codes::RELATION_ARITY,
            span,
            format!(
                "`@relation` has `{}` but no `{missing}`",
                if has_fields { "fields" } else { "references" }
            ),
            "give both `fields` and `references`",
        );
        return false;
    }
    if fields.len() != references.len() {
        diags.error_with_help(
            codes::RELATION_ARITY,
            span,
            format!(
                "`fields` lists {} field(s) but `references` lists {}",
                fields.len(),
                references.len()
            ),
            "list the same number of fields in both, in matching order",
        );
        return false;
    }
    if fields.is_empty() {
        diags.error(
            codes::RELATION_ARITY,
            span,
            "`fields` and `references` must not be empty",
        );
        return false;
    }
    true
}

/// Rule: `references` name a unique criterion (id or unique index) of the
/// referenced model.
fn references_are_unique(diags: &mut Diagnostics, fk: &ForeignKey<'_>) {
    let (target, references, span) = (fk.target, fk.references, fk.span);
    let is_unique = target.unique_criteria().any(|c| same_fields(c, references));
    if !is_unique {
        let names: Vec<&str> = references
            .iter()
            .map(|f| target.field(*f).name.as_str())
            .collect();
        let hint = if names.len() == 1 {
            format!(
                "add `@unique` to field `{}` of model `{}`",
                names[0], target.name
            )
        } else {
            format!(
                "add `@@unique([{}])` to model `{}`",
                names.join(", "),
                target.name
            )
        };
        diags.error_with_help(
            codes::RELATION_REFERENCES_NOT_UNIQUE,
            span,
            format!(
                "`references` must point to a unique criterion of `{}`; {} is not one",
                target.name,
                quoted(&names, ", ")
            ),
            hint,
        );
    }
}

/// Rule: each foreign-key field has the type (and native type) of the
/// field it references, and is not a list.
fn fk_types_match(diags: &mut Diagnostics, fk: &ForeignKey<'_>) {
    let (model, target, fields, references, span) =
        (fk.model, fk.target, fk.fields, fk.references, fk.span);
    for (f, t) in fields.iter().zip(references) {
        let (lf, tf) = (model.field(*f), target.field(*t));
        let same_native = lf.native_type.as_ref().map(|n| &n.name)
            == tf.native_type.as_ref().map(|n| &n.name)
            || lf.native_type.is_none()
            || tf.native_type.is_none();
        if lf.field_type != tf.field_type || !same_native {
            diags.error_with_help(
                codes::RELATION_ARITY,
                span,
                format!(
                    "type of `{}.{}` does not match the type of referenced field `{}.{}`",
                    model.name, lf.name, target.name, tf.name
                ),
                "a foreign key must have the same type as the field it references",
            );
        }
        if lf.arity == Arity::List {
            diags.error(
                codes::RELATION_INVALID,
                span,
                format!("list field `{}` cannot be part of a foreign key", lf.name),
            );
        }
    }
}

/// Rule: a required relation field has required foreign-key fields.
fn required_relation_has_required_fk(diags: &mut Diagnostics, fk: &ForeignKey<'_>) {
    let (rf, model, target, fields, span) =
        (fk.relation_field, fk.model, fk.target, fk.fields, fk.span);
    if rf.arity == Arity::Required {
        let optional: Vec<&str> = fields
            .iter()
            .map(|f| model.field(*f))
            .filter(|f| f.arity == Arity::Optional)
            .map(|f| f.name.as_str())
            .collect();
        if !optional.is_empty() {
            diags.error_with_help(
                codes::RELATION_INVALID,
                span,
                format!(
                    "relation field `{}` is required but its foreign-key field{} {} {} optional",
                    rf.name,
                    if optional.len() == 1 { "" } else { "s" },
                    quoted(&optional, ", "),
                    if optional.len() == 1 { "is" } else { "are" }
                ),
                format!(
                    "make `{}` optional (`{}?`), or make the foreign-key fields required",
                    rf.name, target.name
                ),
            );
        }
    }
}

/// Rule: the foreign key of a one-to-one relation is unique on the
/// referencing side.
fn one_to_one_fk_is_unique(diags: &mut Diagnostics, fk: &ForeignKey<'_>) {
    let (model, fields, span) = (fk.model, fk.fields, fk.span);
    let unique = model.unique_criteria().any(|c| same_fields(c, fields));
    if !unique {
        let names: Vec<&str> = fields
            .iter()
            .map(|f| model.field(*f).name.as_str())
            .collect();
        let hint = if names.len() == 1 {
            format!(
                "add `@unique` to `{}`, or make the other side a list (one-to-many)",
                names[0]
            )
        } else {
            format!(
                "add `@@unique([{}])` to `{}`, or make the other side a list (one-to-many)",
                names.join(", "),
                model.name
            )
        };
        diags.error_with_help(
            codes::RELATION_INVALID,
            span,
            "the foreign key of a one-to-one relation must be unique",
            hint,
        );
    }
}

/// Whether an index or key covers exactly `fields`, in any order (the same
/// multiset of fields). Keys are short, so counting beats sorting copies.
fn same_fields(criterion: &[ir::IndexField], fields: &[FieldId]) -> bool {
    criterion.len() == fields.len()
        && fields.iter().all(|f| {
            let in_fields = fields.iter().filter(|x| *x == f).count();
            let in_criterion = criterion.iter().filter(|x| x.field == *f).count();
            in_fields == in_criterion
        })
}
