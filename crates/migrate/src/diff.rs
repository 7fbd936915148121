//! `diff`: `SqlSchema` × `SqlSchema` → ordered [`Step`]s. Pure; opens no connection.
//!
//! Tables, columns and enums are matched by (namespace, name); indexes and foreign keys by
//! what they do (columns, kind, method, actions), so a change of name only becomes a rename.
//! Each rule is one function below, pushing steps; the list is then sorted, the `Step` enum's
//! order being the execution order (see [`crate::step`]). Views and extensions that disappear
//! are ignored, as Prisma does.

mod cast;
mod defaults;
mod renames;

pub use renames::{Rename, Renames, apply_renames, rename_candidates, rename_error};

use std::collections::HashSet;

use crate::lower::POLICY_PREFIX;
use crate::sql_schema::{
    Column, ColumnDefault, ColumnId, ExtensionId, ForeignKey, ForeignKeyId, Index, IndexId, Policy,
    PolicyId, SqlSchema, TableId,
};
use crate::step::{AlterEnum, AlterTable, ColumnChanges, Pair, Step, TableChange, TypeChange};

/// The steps that migrate a database from `previous` to `next`.
pub fn diff(previous: &SqlSchema, next: &SqlSchema) -> Vec<Step> {
    let db = Differ::new(Pair::new(previous, next));
    let mut steps = Vec::new();

    push_created_namespaces(&db, &mut steps);
    push_created_extensions(&db, &mut steps);
    push_created_tables(&db, &mut steps);
    push_dropped_tables(&db, &mut steps);
    push_dropped_indexes(&db, &mut steps);
    push_created_indexes(&db, &mut steps);
    push_altered_tables(&db, &mut steps);
    push_enum_steps(&db, &mut steps);
    push_row_level_security(&db, &mut steps);
    push_policy_steps(&db, &mut steps);

    steps.sort();
    move_dropped_unique_index_after_new_primary_key(&db, &mut steps);
    steps
}

/// A diff with confirmed renames: the steps, and the previous schema as it is once the
/// renames ran, which every other step names things by (render with it; check data
/// against the original previous schema, whose names the database has until the migration
/// runs: ids are the same in both).
#[derive(Debug, Clone)]
pub struct RenamedDiff {
    pub steps: Vec<Step>,
    pub renamed_previous: SqlSchema,
}

/// The steps from `previous` to `next` when `renames` were renames, not drops and adds.
/// Without renames this is [`diff`].
pub fn diff_with_renames(previous: &SqlSchema, next: &SqlSchema, renames: &Renames) -> RenamedDiff {
    let (renamed_previous, mut steps) = apply_renames(previous, renames);
    steps.extend(diff(&renamed_previous, next));
    steps.sort_by_key(|s| {
        !matches!(
            s,
            Step::RenameTable { .. }
                | Step::RenameColumn { .. }
                | Step::RenameEnum { .. }
                | Step::RenameEnumValue { .. }
                | Step::CreateSchema { .. }
                | Step::CreateExtension { .. }
        )
    });
    let renames_end = steps
        .iter()
        .position(|s| {
            !matches!(
                s,
                Step::RenameTable { .. }
                    | Step::RenameColumn { .. }
                    | Step::RenameEnum { .. }
                    | Step::RenameEnumValue { .. }
                    | Step::CreateSchema { .. }
                    | Step::CreateExtension { .. }
            )
        })
        .unwrap_or(steps.len());
    steps[..renames_end].sort();
    RenamedDiff {
        steps,
        renamed_previous,
    }
}

/// Both schemas plus the table pairing, computed once.
struct Differ<'a> {
    schemas: Pair<&'a SqlSchema>,
    table_pairs: Vec<Pair<TableId>>,
    created_tables: Vec<TableId>,
    dropped_tables: Vec<TableId>,
}

impl<'a> Differ<'a> {
    fn new(schemas: Pair<&'a SqlSchema>) -> Self {
        let mut table_pairs = Vec::new();
        let mut dropped_tables = Vec::new();
        for (i, table) in schemas.previous.tables.iter().enumerate() {
            match schemas
                .next
                .find_table(table.namespace.as_deref(), &table.name)
            {
                Some(next) => table_pairs.push(Pair::new(TableId(i as u32), next)),
                None => dropped_tables.push(TableId(i as u32)),
            }
        }
        let created_tables = schemas
            .next
            .table_ids()
            .filter(|id| {
                let t = schemas.next.table(*id);
                schemas
                    .previous
                    .find_table(t.namespace.as_deref(), &t.name)
                    .is_none()
            })
            .collect();
        Differ {
            schemas,
            table_pairs,
            created_tables,
            dropped_tables,
        }
    }

    fn column_pairs(&self, tables: Pair<TableId>) -> impl Iterator<Item = Pair<ColumnId>> + '_ {
        let prev = self.schemas.previous.table(tables.previous);
        let next = self.schemas.next.table(tables.next);
        prev.columns.iter().enumerate().filter_map(move |(i, c)| {
            next.column_position(&c.name).map(|j| {
                Pair::new(
                    ColumnId {
                        table: tables.previous,
                        index: i as u32,
                    },
                    ColumnId {
                        table: tables.next,
                        index: j as u32,
                    },
                )
            })
        })
    }

    fn columns(&self, ids: Pair<ColumnId>) -> Pair<&'a Column> {
        Pair::new(
            self.schemas.previous.column(ids.previous),
            self.schemas.next.column(ids.next),
        )
    }

    fn column_changes(&self, ids: Pair<ColumnId>) -> (ColumnChanges, Option<TypeChange>) {
        let cols = self.columns(ids);
        let type_change = cast::column_type_change(cols.previous, cols.next);
        let changes = ColumnChanges {
            arity: cols.previous.arity != cols.next.arity,
            tpe: type_change.is_some(),
            default: !defaults::defaults_match(cols.previous, cols.next),
            auto_increment: cols.previous.auto_increment != cols.next.auto_increment,
        };
        (changes, type_change)
    }

    fn indexes_match(&self, previous: &Index, next: &Index) -> bool {
        previous.kind == next.kind
            && previous.algorithm == next.algorithm
            && previous.included_columns == next.included_columns
            && previous.columns.len() == next.columns.len()
            && previous.columns.iter().zip(&next.columns).all(|(a, b)| {
                let opclass_match = match (&a.opclass, &b.opclass) {
                    (Some(x), Some(y)) => x.name == y.name,
                    (None, None) => true,
                    (None, Some(c)) | (Some(c), None) => c.is_default,
                };
                a.name == b.name
                    && a.sort.unwrap_or_default() == b.sort.unwrap_or_default()
                    && opclass_match
            })
    }

    fn foreign_keys_match(
        &self,
        tables: Pair<TableId>,
        previous: &ForeignKey,
        next: &ForeignKey,
    ) -> bool {
        let prev_ref = self.schemas.previous.table(previous.referenced_table);
        let next_ref = self.schemas.next.table(next.referenced_table);
        let prev_table = self.schemas.previous.table(tables.previous);
        let next_table = self.schemas.next.table(tables.next);
        let constrains_same_columns = previous.columns.len() == next.columns.len()
            && previous.columns.iter().zip(&next.columns).all(|(p, n)| {
                if p != n {
                    return false;
                }
                let (Some(pi), Some(ni)) =
                    (prev_table.column_position(p), next_table.column_position(n))
                else {
                    return false;
                };
                let ids = Pair::new(
                    ColumnId {
                        table: tables.previous,
                        index: pi as u32,
                    },
                    ColumnId {
                        table: tables.next,
                        index: ni as u32,
                    },
                );
                let cols = self.columns(ids);
                let type_changed = cast::column_type_change(cols.previous, cols.next).is_some();
                let arities_ok = cols.previous.arity == cols.next.arity
                    || (cols.previous.arity.is_required() && cols.next.arity.is_nullable());
                !type_changed && arities_ok
            });
        prev_ref.name == next_ref.name
            && prev_ref.namespace == next_ref.namespace
            && constrains_same_columns
            && previous.referenced_columns == next.referenced_columns
            && previous.on_delete == next.on_delete
            && previous.on_update == next.on_update
    }

    fn created_foreign_keys(&self, tables: Pair<TableId>) -> Vec<ForeignKeyId> {
        self.schemas
            .next
            .table_foreign_keys(tables.next)
            .filter(|(_, next)| {
                !self
                    .schemas
                    .previous
                    .table_foreign_keys(tables.previous)
                    .any(|(_, prev)| self.foreign_keys_match(tables, prev, next))
            })
            .map(|(id, _)| id)
            .collect()
    }

    fn dropped_foreign_keys(&self, tables: Pair<TableId>) -> Vec<ForeignKeyId> {
        self.schemas
            .previous
            .table_foreign_keys(tables.previous)
            .filter(|(_, prev)| {
                !self
                    .schemas
                    .next
                    .table_foreign_keys(tables.next)
                    .any(|(_, next)| self.foreign_keys_match(tables, prev, next))
            })
            .map(|(id, _)| id)
            .collect()
    }

    fn foreign_key_pairs(&self, tables: Pair<TableId>) -> Vec<Pair<ForeignKeyId>> {
        let mut seen = HashSet::new();
        let mut pairs = Vec::new();
        for (prev_id, prev) in self.schemas.previous.table_foreign_keys(tables.previous) {
            if let Some((next_id, _)) = self
                .schemas
                .next
                .table_foreign_keys(tables.next)
                .filter(|(id, _)| !seen.contains(id))
                .find(|(_, next)| self.foreign_keys_match(tables, prev, next))
            {
                seen.insert(next_id);
                pairs.push(Pair::new(prev_id, next_id));
            }
        }
        pairs
    }

    fn created_indexes(&self, tables: Pair<TableId>) -> Vec<IndexId> {
        self.schemas
            .next
            .table_indexes(tables.next)
            .filter(|(_, next)| {
                !self
                    .schemas
                    .previous
                    .table_indexes(tables.previous)
                    .any(|(_, prev)| self.indexes_match(prev, next))
            })
            .map(|(id, _)| id)
            .collect()
    }

    fn dropped_indexes(&self, tables: Pair<TableId>) -> Vec<IndexId> {
        self.schemas
            .previous
            .table_indexes(tables.previous)
            .filter(|(_, prev)| !prev.is_partial)
            .filter(|(_, prev)| {
                !self
                    .schemas
                    .next
                    .table_indexes(tables.next)
                    .any(|(_, next)| self.indexes_match(prev, next))
            })
            .map(|(id, _)| id)
            .collect()
    }

    /// Indexes present on both sides. An index with an identical twin is never paired, since
    /// renaming one of two look-alikes is ambiguous.
    fn index_pairs(&self, tables: Pair<TableId>) -> Vec<Pair<IndexId>> {
        let previous: Vec<_> = self
            .schemas
            .previous
            .table_indexes(tables.previous)
            .collect();
        previous
            .iter()
            .filter(|(_, left)| {
                previous
                    .iter()
                    .filter(|(_, right)| {
                        left.kind == right.kind && left.column_names().eq(right.column_names())
                    })
                    .count()
                    == 1
            })
            .filter_map(|(prev_id, prev)| {
                self.schemas
                    .next
                    .table_indexes(tables.next)
                    .find(|(_, next)| self.indexes_match(prev, next))
                    .map(|(next_id, _)| Pair::new(*prev_id, next_id))
            })
            .collect()
    }

    fn primary_key_changed(&self, tables: Pair<TableId>) -> bool {
        let prev = self.schemas.previous.table(tables.previous);
        let next = self.schemas.next.table(tables.next);
        let (Some(prev_pk), Some(next_pk)) = (&prev.primary_key, &next.primary_key) else {
            return false;
        };
        if prev_pk.columns != next_pk.columns {
            return true;
        }
        self.column_pairs(tables).any(|ids| {
            let cols = self.columns(ids);
            prev_pk.columns.contains(&cols.previous.name)
                && cast::column_type_change(cols.previous, cols.next).is_some()
        })
    }
}

fn push_created_namespaces(db: &Differ<'_>, steps: &mut Vec<Step>) {
    for namespace in &db.schemas.next.namespaces {
        if !db.schemas.previous.namespaces.contains(namespace) {
            steps.push(Step::CreateSchema {
                namespace: namespace.clone(),
            });
        }
    }
}

fn push_created_extensions(db: &Differ<'_>, steps: &mut Vec<Step>) {
    for (i, ext) in db.schemas.next.extensions.iter().enumerate() {
        if !db
            .schemas
            .previous
            .extensions
            .iter()
            .any(|e| e.name == ext.name)
        {
            steps.push(Step::CreateExtension {
                extension: ExtensionId(i as u32),
            });
        }
    }
}

fn push_created_tables(db: &Differ<'_>, steps: &mut Vec<Step>) {
    for &table in &db.created_tables {
        steps.push(Step::CreateTable { table });
        for (foreign_key, _) in db.schemas.next.table_foreign_keys(table) {
            steps.push(Step::AddForeignKey { foreign_key });
        }
        for (index, _) in db.schemas.next.table_indexes(table) {
            steps.push(Step::CreateIndex {
                table: (None, table),
                index,
            });
        }
    }
}

fn push_dropped_tables(db: &Differ<'_>, steps: &mut Vec<Step>) {
    for &table in &db.dropped_tables {
        steps.push(Step::DropTable { table });
        for (foreign_key, _) in db.schemas.previous.table_foreign_keys(table) {
            steps.push(Step::DropForeignKey { foreign_key });
        }
    }
}

fn push_dropped_indexes(db: &Differ<'_>, steps: &mut Vec<Step>) {
    for &tables in &db.table_pairs {
        for index in db.dropped_indexes(tables) {
            steps.push(Step::DropIndex { index });
        }
    }
}

fn push_created_indexes(db: &Differ<'_>, steps: &mut Vec<Step>) {
    for &tables in &db.table_pairs {
        for index in db.created_indexes(tables) {
            steps.push(Step::CreateIndex {
                table: (Some(tables.previous), tables.next),
                index,
            });
        }
        // Dropping a column drops its indexes: recreate the kept ones on recreated columns.
        let recreated: HashSet<String> = db
            .column_pairs(tables)
            .filter(|ids| db.column_changes(*ids).1 == Some(TypeChange::NotCastable))
            .map(|ids| db.columns(ids).next.name.clone())
            .collect();
        if recreated.is_empty() {
            continue;
        }
        for pair in db.index_pairs(tables) {
            let index = db.schemas.next.index_at(pair.next);
            if index.columns.iter().any(|c| recreated.contains(&c.name)) {
                steps.push(Step::CreateIndex {
                    table: (Some(tables.previous), tables.next),
                    index: pair.next,
                });
            }
        }
    }
}

fn push_altered_tables(db: &Differ<'_>, steps: &mut Vec<Step>) {
    for &tables in &db.table_pairs {
        for foreign_key in db.created_foreign_keys(tables) {
            steps.push(Step::AddForeignKey { foreign_key });
        }
        for foreign_key in db.dropped_foreign_keys(tables) {
            steps.push(Step::DropForeignKey { foreign_key });
        }
        for pair in db.foreign_key_pairs(tables) {
            push_foreign_key_rename(db, pair, steps);
        }
        for pair in db.index_pairs(tables) {
            if db.schemas.previous.index_at(pair.previous).name
                != db.schemas.next.index_at(pair.next).name
            {
                steps.push(Step::RenameIndex { index: pair });
            }
        }

        let mut changes = Vec::new();
        let prev_table = db.schemas.previous.table(tables.previous);
        let next_table = db.schemas.next.table(tables.next);
        let pk_changed = db.primary_key_changed(tables);

        if (prev_table.primary_key.is_some() && next_table.primary_key.is_none()) || pk_changed {
            changes.push(TableChange::DropPrimaryKey);
        }
        if let (Some(p), Some(n)) = (&prev_table.primary_key, &next_table.primary_key) {
            if p.name != n.name && !pk_changed {
                changes.push(TableChange::RenamePrimaryKey);
            }
        }
        push_dropped_columns(db, tables, &mut changes);
        push_added_columns(db, tables, &mut changes);
        push_altered_columns(db, tables, &mut changes);
        if (prev_table.primary_key.is_none() && next_table.primary_key.is_some()) || pk_changed {
            changes.push(TableChange::AddPrimaryKey);
        }

        if !changes.is_empty() {
            steps.push(Step::AlterTable(AlterTable { tables, changes }));
        }
    }
}

fn push_foreign_key_rename(db: &Differ<'_>, pair: Pair<ForeignKeyId>, steps: &mut Vec<Step>) {
    let prev = db.schemas.previous.foreign_key(pair.previous);
    let next = db.schemas.next.foreign_key(pair.next);
    if prev.name == next.name {
        return;
    }
    // Prisma did not always name the foreign keys of implicit many-to-many tables; renaming
    // them would make every old database drift.
    let is_implicit_m2m = |schema: &SqlSchema, table: TableId| {
        let t = schema.table(table);
        t.columns.len() == 2 && t.column("A").is_some() && t.column("B").is_some()
    };
    if is_implicit_m2m(db.schemas.previous, prev.table)
        && is_implicit_m2m(db.schemas.next, next.table)
    {
        return;
    }
    steps.push(Step::RenameForeignKey { foreign_key: pair });
}

/// Dropped and added columns come in column-name (byte) order, as Prisma's differ keeps
/// columns in a map by name.
fn push_dropped_columns(db: &Differ<'_>, tables: Pair<TableId>, changes: &mut Vec<TableChange>) {
    let next = db.schemas.next.table(tables.next);
    let previous = db.schemas.previous.table(tables.previous);
    let mut dropped: Vec<usize> = (0..previous.columns.len())
        .filter(|&i| next.column(&previous.columns[i].name).is_none())
        .collect();
    dropped.sort_by(|a, b| previous.columns[*a].name.cmp(&previous.columns[*b].name));
    for i in dropped {
        changes.push(TableChange::DropColumn {
            column: ColumnId {
                table: tables.previous,
                index: i as u32,
            },
        });
    }
}

fn push_added_columns(db: &Differ<'_>, tables: Pair<TableId>, changes: &mut Vec<TableChange>) {
    let previous = db.schemas.previous.table(tables.previous);
    let next = db.schemas.next.table(tables.next);
    let mut added: Vec<usize> = (0..next.columns.len())
        .filter(|&i| previous.column(&next.columns[i].name).is_none())
        .collect();
    added.sort_by(|a, b| next.columns[*a].name.cmp(&next.columns[*b].name));
    for i in added {
        changes.push(TableChange::AddColumn {
            column: ColumnId {
                table: tables.next,
                index: i as u32,
            },
        });
    }
}

fn push_altered_columns(db: &Differ<'_>, tables: Pair<TableId>, changes: &mut Vec<TableChange>) {
    let mut altered: Vec<TableChange> = db
        .column_pairs(tables)
        .filter_map(|columns| {
            let (column_changes, type_change) = db.column_changes(columns);
            if !column_changes.any() {
                return None;
            }
            Some(match type_change {
                Some(TypeChange::NotCastable) => TableChange::DropAndRecreateColumn {
                    columns,
                    changes: column_changes,
                },
                _ => TableChange::AlterColumn {
                    columns,
                    changes: column_changes,
                    type_change,
                },
            })
        })
        .collect();
    altered.sort_by_key(|change| match change {
        TableChange::AlterColumn { columns, .. }
        | TableChange::DropAndRecreateColumn { columns, .. } => *columns,
        _ => Pair::new(
            ColumnId {
                table: TableId(0),
                index: 0,
            },
            ColumnId {
                table: TableId(0),
                index: 0,
            },
        ),
    });
    changes.extend(altered);
}

fn push_enum_steps(db: &Differ<'_>, steps: &mut Vec<Step>) {
    let (previous, next) = (db.schemas.previous, db.schemas.next);
    for prev_id in previous.enum_ids() {
        let prev = previous.enm(prev_id);
        let Some(next_id) = next.find_enum(prev.namespace.as_deref(), &prev.name) else {
            steps.push(Step::DropEnum { enm: prev_id });
            continue;
        };
        let next_enum = next.enm(next_id);
        let created_values: Vec<String> = next_enum
            .values
            .iter()
            .filter(|v| !prev.values.contains(v))
            .cloned()
            .collect();
        let dropped_values: Vec<String> = prev
            .values
            .iter()
            .filter(|v| !next_enum.values.contains(v))
            .cloned()
            .collect();
        if created_values.is_empty() && dropped_values.is_empty() {
            continue;
        }
        let previous_usages_as_default =
            enum_usages_as_default(db, &prev.name, prev.namespace.as_deref());
        steps.push(Step::AlterEnum(AlterEnum {
            enums: Pair::new(prev_id, next_id),
            created_values,
            dropped_values,
            previous_usages_as_default,
        }));
    }
    for next_id in next.enum_ids() {
        let e = next.enm(next_id);
        if previous
            .find_enum(e.namespace.as_deref(), &e.name)
            .is_none()
        {
            steps.push(Step::CreateEnum { enm: next_id });
        }
    }
}

/// Columns of the previous schema that use the enum and have a default (which must be dropped
/// while the type is recreated), with their next-schema counterpart when it keeps one.
fn enum_usages_as_default(
    db: &Differ<'_>,
    enum_name: &str,
    namespace: Option<&str>,
) -> Vec<(ColumnId, Option<ColumnId>)> {
    let uses_enum =
        |c: &Column| c.enum_name() == Some((namespace, enum_name)) && c.default.is_some();
    let mut usages = Vec::new();
    for &table in &db.dropped_tables {
        for (i, c) in db.schemas.previous.table(table).columns.iter().enumerate() {
            if uses_enum(c) {
                usages.push((
                    ColumnId {
                        table,
                        index: i as u32,
                    },
                    None,
                ));
            }
        }
    }
    for &tables in &db.table_pairs {
        let next_table = db.schemas.next.table(tables.next);
        for (i, c) in db
            .schemas
            .previous
            .table(tables.previous)
            .columns
            .iter()
            .enumerate()
        {
            if !uses_enum(c) {
                continue;
            }
            let prev_id = ColumnId {
                table: tables.previous,
                index: i as u32,
            };
            let next_id = next_table
                .column_position(&c.name)
                .filter(|&j| uses_enum(&next_table.columns[j]))
                .map(|j| ColumnId {
                    table: tables.next,
                    index: j as u32,
                });
            usages.push((prev_id, next_id));
        }
    }
    usages
}

/// A unique index dropped from a table without a primary key, to be replaced by a primary key
/// on the same columns, must be dropped after the key exists (Prisma's partial-order fix-up).
fn move_dropped_unique_index_after_new_primary_key(db: &Differ<'_>, steps: &mut Vec<Step>) {
    let mut i = 0;
    while i < steps.len() {
        let Step::DropIndex { index } = &steps[i] else {
            i += 1;
            continue;
        };
        let idx = db.schemas.previous.index_at(*index);
        let table = db.schemas.previous.table(idx.table);
        if !idx.is_unique() || table.primary_key.is_some() {
            i += 1;
            continue;
        }
        let target = steps
            .iter()
            .enumerate()
            .skip(i + 1)
            .find_map(|(j, step)| match step {
                Step::AlterTable(alter)
                    if alter.tables.previous == idx.table
                        && alter.changes.contains(&TableChange::AddPrimaryKey)
                        && db
                            .schemas
                            .next
                            .table(alter.tables.next)
                            .primary_key
                            .as_ref()
                            .is_some_and(|pk| {
                                pk.columns.iter().map(String::as_str).eq(idx.column_names())
                            }) =>
                {
                    Some(j)
                }
                _ => None,
            });
        match target {
            Some(j) => {
                let step = steps.remove(i);
                steps.insert(j, step);
            }
            None => i += 1,
        }
    }
}

/// Row-level security switched on where the next schema has it, and off where refract's
/// policies were and no longer are (a table whose row-level security someone else manages is
/// left alone, as are tables the next schema does not secure).
fn push_row_level_security(db: &Differ<'_>, steps: &mut Vec<Step>) {
    let (previous, next) = (db.schemas.previous, db.schemas.next);
    let created = db.created_tables.iter().map(|&t| (None, t));
    let paired = db.table_pairs.iter().map(|p| (Some(p.previous), p.next));
    for (prev, table) in created.chain(paired) {
        let want = next.table(table).row_level_security;
        let have = prev
            .map(|p| previous.table(p).row_level_security)
            .unwrap_or_default();
        if want.enabled && !have.enabled {
            steps.push(Step::EnableRowLevelSecurity { table });
        }
        if want.forced && !have.forced {
            steps.push(Step::ForceRowLevelSecurity { table });
        }
        let Some(prev) = prev else { continue };
        let had_ours = previous.table_policies(prev).any(|(_, p)| is_ours(p));
        if had_ours && ((have.enabled && !want.enabled) || (have.forced && !want.forced)) {
            steps.push(Step::DisableRowLevelSecurity { table: prev });
        }
    }
}

/// refract's policies (named with [`POLICY_PREFIX`]) are created, dropped, and dropped and
/// created again when their definition differs; other policies are not refract's to change.
fn push_policy_steps(db: &Differ<'_>, steps: &mut Vec<Step>) {
    let (previous, next) = (db.schemas.previous, db.schemas.next);
    let retyped = retyped_columns(db);
    for (i, policy) in next.policies.iter().enumerate() {
        let id = PolicyId(i as u32);
        let pair = db.table_pairs.iter().find(|p| p.next == policy.table);
        let old = pair.and_then(|pair| {
            previous
                .table_policies(pair.previous)
                .find(|(_, p)| p.name == policy.name)
        });
        match old {
            None => steps.push(Step::CreatePolicy { policy: id }),
            Some((old_id, old)) => {
                let table = &next.table(policy.table).name;
                if !policies_match(old, policy) || depends_on_retyped(policy, table, &retyped) {
                    steps.push(Step::DropPolicy { policy: old_id });
                    steps.push(Step::CreatePolicy { policy: id });
                }
            }
        }
    }
    for pair in &db.table_pairs {
        for (id, policy) in previous.table_policies(pair.previous) {
            if is_ours(policy)
                && !next
                    .table_policies(pair.next)
                    .any(|(_, p)| p.name == policy.name)
            {
                steps.push(Step::DropPolicy { policy: id });
            }
        }
    }
}

fn is_ours(policy: &Policy) -> bool {
    policy.name.starts_with(POLICY_PREFIX)
}

fn policies_match(previous: &Policy, next: &Policy) -> bool {
    let expression = |a: &Option<String>, b: &Option<String>| match (a, b) {
        (Some(a), Some(b)) => normalize_policy_expression(a) == normalize_policy_expression(b),
        (None, None) => true,
        _ => false,
    };
    let roles = |r: &[String]| -> Vec<String> {
        let mut r: Vec<String> = r.to_vec();
        r.sort();
        if r.is_empty() {
            r.push("public".to_owned());
        }
        r
    };
    previous.command == next.command
        && previous.permissive == next.permissive
        && roles(&previous.roles) == roles(&next.roles)
        && expression(&previous.using, &next.using)
        && expression(&previous.with_check, &next.with_check)
}

/// (table, column) names of the next schema whose type changes: PostgreSQL refuses to change
/// the type of a column a policy reads, so such policies are dropped first and created again.
fn retyped_columns(db: &Differ<'_>) -> Vec<(String, String)> {
    let mut retyped = Vec::new();
    for &tables in &db.table_pairs {
        for ids in db.column_pairs(tables) {
            if db.column_changes(ids).0.tpe {
                let next = db.schemas.next;
                retyped.push((
                    next.table(tables.next).name.clone(),
                    db.columns(ids).next.name.clone(),
                ));
            }
        }
    }
    retyped
}

fn depends_on_retyped(policy: &Policy, table: &str, retyped: &[(String, String)]) -> bool {
    let text: String = [&policy.using, &policy.with_check]
        .into_iter()
        .flatten()
        .map(|e| normalize_policy_expression(e))
        .collect();
    retyped.iter().any(|(t, column)| {
        let mentions = |name: &str| {
            text.contains(&normalize_policy_expression(
                &crate::sql::Ident(name).to_string(),
            ))
        };
        (t == table || mentions(t)) && mentions(column)
    })
}

/// A policy expression in a form where refract's rendering and PostgreSQL's `pg_get_expr`
/// print-back compare equal: whitespace next to parentheses dropped and other runs made one
/// space, and quoted identifiers that need no quotes unquoted (PostgreSQL quotes only where
/// needed; refract always quotes). String literals are kept as they are. Parentheses, casts and
/// keywords are compared as written, so refract writes its expressions the way PostgreSQL
/// prints them (every operator parenthesised, `'...'::text`).
pub fn normalize_policy_expression(expression: &str) -> String {
    let mut tokens = String::with_capacity(expression.len());
    let mut chars = expression.chars().peekable();
    let mut pending_space = false;
    let push = |out: &mut String, text: &str, pending: &mut bool| {
        let starts_paren = text.starts_with(['(', ')']);
        let after_paren = out.ends_with(['(', ')']);
        if *pending && !out.is_empty() && !starts_paren && !after_paren {
            out.push(' ');
        }
        *pending = false;
        out.push_str(text);
    };
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => pending_space = true,
            '\'' => {
                let mut literal = String::from('\'');
                while let Some(d) = chars.next() {
                    literal.push(d);
                    if d == '\'' {
                        if chars.peek() == Some(&'\'') {
                            literal.push(chars.next().unwrap_or('\''));
                        } else {
                            break;
                        }
                    }
                }
                push(&mut tokens, &literal, &mut pending_space);
            }
            '"' => {
                let mut name = String::new();
                while let Some(d) = chars.next() {
                    if d == '"' {
                        if chars.peek() == Some(&'"') {
                            name.push(chars.next().unwrap_or('"'));
                        } else {
                            break;
                        }
                    } else {
                        name.push(d);
                    }
                }
                let plain = name
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                    && name.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$'
                    });
                if plain {
                    push(&mut tokens, &name, &mut pending_space);
                } else {
                    push(
                        &mut tokens,
                        &crate::sql::Ident(&name).to_string(),
                        &mut pending_space,
                    );
                }
            }
            c => {
                let mut buf = [0u8; 4];
                push(&mut tokens, c.encode_utf8(&mut buf), &mut pending_space);
            }
        }
    }
    tokens
}

/// Whether a column's default is a sequence that no other column of `schema` still uses.
pub(crate) fn sequence_is_unused_elsewhere(
    schema: &SqlSchema,
    sequence: &str,
    except: &Column,
) -> bool {
    !schema.tables.iter().flat_map(|t| &t.columns).any(|c| {
        !std::ptr::eq(c, except)
            && matches!(&c.default, Some(ColumnDefault::Sequence(s)) if s == sequence)
    })
}

#[cfg(test)]
mod tests {
    use super::normalize_policy_expression as normalize;

    #[test]
    fn policy_expressions_compare_as_postgresql_prints_them() {
        // As refract renders it, and as PostgreSQL 15's pg_get_expr prints it back.
        let rendered = "(EXISTS ( SELECT 1 FROM \"Conv\" p1 WHERE ((p1.\"id\" = \"Msg\".\"convoId\") AND (p1.\"tenantId\" = current_setting('refract.tenant_id'::text, true)))))";
        let printed = "(EXISTS ( SELECT 1\n   FROM \"Conv\" p1\n  WHERE ((p1.id = \"Msg\".\"convoId\") AND (p1.\"tenantId\" = current_setting('refract.tenant_id'::text, true)))))";
        assert_eq!(normalize(rendered), normalize(printed));
        // A changed operand, precedence or literal is a difference.
        assert_ne!(
            normalize(printed),
            normalize(&printed.replace("p1.id", "p1.\"ID\""))
        );
        assert_ne!(
            normalize("((a = b) OR (c IS NULL))"),
            normalize("(a = (b OR c) IS NULL)")
        );
        assert_ne!(normalize("('a b' = x)"), normalize("('a  b' = x)"));
    }
}
