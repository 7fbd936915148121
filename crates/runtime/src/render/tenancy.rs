//! The tenant predicate (issue 17): what a tenant-scoped client adds to every statement on a
//! tenant-owned model, so its isolation holds even for a role that bypasses row-level
//! security. The one place it is written; the renderer calls it at every table reference of
//! a model (a statement's main table, relation subqueries, included relations, cursor rows)
//! and for the values a write puts into tenant columns and foreign keys.
//!
//! The conditions mirror the row-level-security policies `gen migrate dev` writes from the
//! same plan (`ModelMeta::tenant`): a model with its own tenant column compares it with the
//! tenant (reads also admit NULL, global rows, when the column is nullable); a model owned
//! through a parent has that parent row belong to the tenant (`EXISTS`, recursively). The
//! tenant id is one bound parameter per statement, so the text stays one shape per query.

use super::SqlWriter;
use crate::model::{Column, ModelMeta, TenantKey, TenantParent};
use crate::value::Value;

/// Whether a condition is for reading (global rows pass) or writing (only the tenant's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    Read,
    Write,
}

impl<'v> SqlWriter<'v> {
    /// Whether statements on `model` are restricted: a scoped client, a tenant-owned model.
    pub(crate) fn scopes(&self, model: &ModelMeta) -> bool {
        self.tenant.is_some() && model.tenant.is_some()
    }

    /// The tenant as a parameter, bound once per statement.
    fn tenant_param(&mut self) {
        if let Some(index) = self.tenant_placeholder {
            self.placeholder(index);
        } else if let Some(tenant) = self.tenant {
            self.bind_value(tenant);
            self.tenant_placeholder = Some(self.params.len());
        } else {
            self.push("NULL");
        }
    }

    /// ` AND <the row named qualifier belongs to the tenant>`, when [`SqlWriter::scopes`].
    pub(crate) fn and_tenant(&mut self, model: &ModelMeta, qualifier: &str, access: Access) {
        if self.scopes(model) {
            self.push(" AND ");
            self.tenant_condition(model, qualifier, access);
        }
    }

    /// `<filter> AND <tenant>` joined as a `WHERE` clause: ` WHERE ...` when there is
    /// anything to write. `filter` writes the caller's own conditions.
    pub(crate) fn where_scoped(
        &mut self,
        model: &ModelMeta,
        qualifier: &str,
        access: Access,
        filter: Option<&mut dyn FnMut(&mut SqlWriter<'v>)>,
    ) {
        let scoped = self.scopes(model);
        match filter {
            Some(filter) => {
                self.push(" WHERE ");
                if scoped {
                    self.push("(");
                    filter(self);
                    self.push(") AND ");
                    self.tenant_condition(model, qualifier, access);
                } else {
                    filter(self);
                }
            }
            None if scoped => {
                self.push(" WHERE ");
                self.tenant_condition(model, qualifier, access);
            }
            None => {}
        }
    }

    /// The condition that the row of `model` named `qualifier` belongs to the tenant.
    pub(crate) fn tenant_condition(&mut self, model: &ModelMeta, qualifier: &str, access: Access) {
        let Some(scope) = model.tenant else {
            self.push("TRUE");
            return;
        };
        match &scope.key {
            TenantKey::Column { column, nullable } => {
                let global = *nullable && access == Access::Read;
                if global {
                    self.push("(");
                }
                self.qualified_name(qualifier, column);
                self.push(" = ");
                self.tenant_param();
                if global {
                    self.push(" OR ");
                    self.qualified_name(qualifier, column);
                    self.push(" IS NULL)");
                }
            }
            // Through the parent, as the policies: only the tenant's own parents.
            TenantKey::Parent(link) => self.parent_exists(link, Access::Write, |w, n| {
                w.qualified_name(qualifier, link.columns[n]);
            }),
        }
    }

    /// `EXISTS (SELECT 1 FROM parent AS rN WHERE rN.key = <value n> ... AND <rN is the
    /// tenant's>)`; `access` Read admits global parents.
    pub(crate) fn parent_exists(
        &mut self,
        link: &TenantParent,
        access: Access,
        mut value: impl FnMut(&mut SqlWriter<'v>, usize),
    ) {
        let alias = self.next_alias();
        self.push("EXISTS (SELECT 1 FROM ");
        self.table(&link.parent.table);
        self.push(" AS ");
        self.ident(&alias);
        self.push(" WHERE ");
        for (n, reference) in link.references.iter().enumerate() {
            self.qualified_name(&alias, reference);
            self.push(" = ");
            value(self, n);
            self.push(" AND ");
        }
        self.tenant_condition(link.parent, &alias, access);
        self.push(")");
    }

    fn qualified_name(&mut self, qualifier: &str, column: &str) {
        self.ident(qualifier);
        self.push(".");
        self.ident(column);
    }

    /// Why a write setting `values` of `columns` on `model` is refused: a tenant column set to
    /// another tenant (or to NULL, a global row only the unscoped client writes).
    pub(crate) fn refuse_other_tenant<'a>(
        &self,
        model: &ModelMeta,
        values: impl IntoIterator<Item = (&'a Column, Option<&'a Value>)>,
    ) -> Option<String> {
        let (Some(scope), Some(tenant)) = (model.tenant, self.tenant) else {
            return None;
        };
        let TenantKey::Column { column, .. } = &scope.key else {
            return None;
        };
        for (c, value) in values {
            if c.name == *column && value != Some(tenant) {
                return Some(format!(
                    "`{}.{}` is the tenant key: a tenant-scoped client writes only its own tenant there (leave it out on create, it is set for you); use the unscoped client for other tenants and global rows",
                    model.name, c.field
                ));
            }
        }
        None
    }

    /// The tenant column of `model` when a create must set it (scoped, own column, not among
    /// `columns`); `Err` when the model does not expose it.
    pub(crate) fn tenant_column_to_add(
        &self,
        model: &ModelMeta,
        columns: &[&'static Column],
    ) -> Result<Option<&'static Column>, String> {
        let (Some(scope), true) = (model.tenant, self.tenant.is_some()) else {
            return Ok(None);
        };
        let TenantKey::Column { column, .. } = &scope.key else {
            return Ok(None);
        };
        if columns.iter().any(|c| c.name == *column) {
            return Ok(None);
        }
        match model.columns.iter().find(|c| c.name == *column) {
            Some(found) => Ok(Some(*found)),
            None => Err(format!(
                "`{}` has no client field for its tenant column `{column}`: a tenant-scoped client cannot create it",
                model.name
            )),
        }
    }

    /// The tenant value, for a tenant column a create adds.
    pub(crate) fn bind_tenant(&mut self) {
        self.tenant_param();
    }

    /// ` AND EXISTS (...)` for each foreign key of `model` to a tenant-owned parent that
    /// `value_of` gives a value for (not NULL): the row may point only at the tenant's
    /// parents (global ones too, except through the key that makes it tenant-owned).
    pub(crate) fn and_parent_guards(
        &mut self,
        model: &ModelMeta,
        value_of: impl Fn(&str) -> Option<&'v Value>,
    ) {
        if !self.scopes(model) {
            return;
        }
        for (link, access) in parent_links(model) {
            let values: Option<Vec<&'v Value>> = link
                .columns
                .iter()
                .map(|c| value_of(c).filter(|v| !v.is_null()))
                .collect();
            let Some(values) = values else {
                continue;
            };
            self.push(" AND ");
            self.parent_exists(link, access, |w, n| w.bind_value(values[n]));
        }
    }
}

/// The foreign keys of `model` to tenant-owned parents, with the access each needs: the key
/// that makes it tenant-owned reaches only the tenant's parents, the others global ones too.
pub(crate) fn parent_links(model: &ModelMeta) -> impl Iterator<Item = (&TenantParent, Access)> {
    let scope = model.tenant;
    let key = scope.and_then(|scope| match &scope.key {
        TenantKey::Parent(link) => Some((link, Access::Write)),
        TenantKey::Column { .. } => None,
    });
    let others = scope
        .into_iter()
        .flat_map(|scope| scope.parents.iter().map(|link| (link, Access::Read)));
    key.into_iter().chain(others)
}

/// How many parents through a single-column `link` are among `keys` (one array
/// parameter, `= ANY($1)`) and may be pointed at by the tenant: `SELECT count(*) FROM
/// parent AS rN WHERE rN.key = ANY($1) AND <tenant>`. The keys a parent table references
/// are unique, so it is the number of `keys` (distinct) that pass.
pub(crate) fn count_tenant_parents<'v>(
    link: &TenantParent,
    access: Access,
    keys: &'v Value,
    ctx: super::RenderContext<'v>,
) -> super::Statement<'v> {
    let mut w = SqlWriter::new(ctx);
    let alias = w.next_alias();
    w.push("SELECT count(*) FROM ");
    w.table(&link.parent.table);
    w.push(" AS ");
    w.ident(&alias);
    w.push(" WHERE ");
    w.qualified_name(&alias, link.references[0]);
    w.push(" = ANY(");
    w.bind_value(keys);
    w.push(") AND ");
    w.tenant_condition(link.parent, &alias, access);
    w.finish(true)
}

/// The guard of a multi-row create on a tenant-scoped client through a link of several
/// columns (one column: [`count_tenant_parents`]; a single row's guard is in its `INSERT
/// ... SELECT ... WHERE`): `SELECT 1 WHERE NOT (EXISTS (<key 1's parent may be pointed at>)
/// AND ...)` for each of `keys` (distinct values of `link`'s columns), which answers a row
/// when some row of the create names a parent the tenant may not point at.
pub(crate) fn foreign_parent_check<'v>(
    link: &TenantParent,
    access: Access,
    keys: &[Vec<&'v Value>],
    ctx: super::RenderContext<'v>,
) -> super::Statement<'v> {
    let mut w = SqlWriter::new(ctx);
    w.push("SELECT 1 WHERE NOT (");
    for (k, key) in keys.iter().enumerate() {
        if k > 0 {
            w.push(" AND ");
        }
        w.parent_exists(link, access, |w, n| w.bind_value(key[n]));
    }
    w.push(")");
    w.finish(false)
}

#[cfg(test)]
mod tests {
    use super::super::{RenderContext, SelectArgs, delete, select, update};
    use crate::model::{Column, ModelMeta, Table, TenantKey, TenantParent, TenantScope};
    use crate::query::{AssignOp, FilterNode};
    use crate::value::Value;

    static ID: Column = Column::not_null("id");
    static TENANT_ID: Column = Column::nullable("tenantId");
    static CONVO_ID: Column = Column::not_null("convoId");
    static CONVO: ModelMeta = ModelMeta {
        name: "Convo",
        table: Table::named("Convo"),
        columns: &[&ID, &TENANT_ID],
        primary_key: &[&ID],
        updated_at: &[],
        tenant: Some(&TenantScope {
            key: TenantKey::Column {
                column: "tenantId",
                nullable: true,
            },
            parents: &[],
        }),
    };
    static MESSAGE: ModelMeta = ModelMeta {
        name: "Message",
        table: Table::named("Message"),
        columns: &[&ID, &CONVO_ID],
        primary_key: &[&ID],
        updated_at: &[],
        tenant: Some(&TenantScope {
            key: TenantKey::Parent(TenantParent {
                parent: &CONVO,
                columns: &["convoId"],
                references: &["id"],
            }),
            parents: &[],
        }),
    };

    fn scoped(tenant: &Value) -> RenderContext<'_> {
        RenderContext {
            default_schema: None,
            tenant: Some(tenant),
        }
    }

    #[test]
    fn reads_admit_global_rows_writes_do_not_and_the_tenant_is_bound_once() {
        let tenant = Value::String("a".into());
        let args = SelectArgs::new();
        let read = select(&CONVO, &[&ID], &args, scoped(&tenant)).unwrap();
        assert_eq!(
            read.sql,
            r#"SELECT "id" FROM "Convo" AS "t0" WHERE ("t0"."tenantId" = $1 OR "t0"."tenantId" IS NULL)"#
        );
        assert_eq!(read.params.len(), 1);
        let filter = FilterNode::Compare {
            column: &ID,
            op: crate::query::CompareOp::Eq,
            value: Value::String("x".into()),
            insensitive: false,
        };
        let removed = delete(&CONVO, Some(&filter), None, scoped(&tenant));
        assert_eq!(
            removed.sql,
            r#"DELETE FROM "Convo" AS "t0" WHERE "id" = $1 AND "t0"."tenantId" = $2"#
        );
        // Unscoped: the statement is as it always was.
        let plain = select(&CONVO, &[&ID], &args, RenderContext::default()).unwrap();
        assert_eq!(plain.sql, r#"SELECT "id" FROM "Convo""#);
    }

    #[test]
    fn a_child_is_the_tenants_through_its_parent() {
        let tenant = Value::String("a".into());
        let args = SelectArgs::new();
        let read = select(&MESSAGE, &[&ID], &args, scoped(&tenant)).unwrap();
        assert_eq!(
            read.sql,
            r#"SELECT "id" FROM "Message" AS "t0" WHERE EXISTS (SELECT 1 FROM "Convo" AS "r1" WHERE "r1"."id" = "t0"."convoId" AND "r1"."tenantId" = $1)"#
        );
    }

    #[test]
    fn a_multi_row_create_checks_its_parents_in_one_statement_per_link() {
        let tenant = Value::String("a".into());
        let TenantKey::Parent(link) = &MESSAGE.tenant.unwrap().key else {
            unreachable!("Message is owned through Convo")
        };
        let keys = Value::Array(vec![Value::String("c1".into()), Value::String("c2".into())]);
        let count = super::count_tenant_parents(link, super::Access::Write, &keys, scoped(&tenant));
        assert_eq!(
            count.sql,
            r#"SELECT count(*) FROM "Convo" AS "r1" WHERE "r1"."id" = ANY($1) AND "r1"."tenantId" = $2"#
        );
        assert_eq!(count.params.len(), 2);
        let (c1, c2) = (Value::String("c1".into()), Value::String("c2".into()));
        let check = super::foreign_parent_check(
            link,
            super::Access::Write,
            &[vec![&c1], vec![&c2]],
            scoped(&tenant),
        );
        assert_eq!(
            check.sql,
            r#"SELECT 1 WHERE NOT (EXISTS (SELECT 1 FROM "Convo" AS "r1" WHERE "r1"."id" = $1 AND "r1"."tenantId" = $2) AND EXISTS (SELECT 1 FROM "Convo" AS "r2" WHERE "r2"."id" = $3 AND "r2"."tenantId" = $2))"#
        );
    }

    #[test]
    fn writing_another_tenant_into_the_tenant_column_is_refused() {
        let tenant = Value::String("a".into());
        let assigns = [(&TENANT_ID, AssignOp::Set, Value::String("b".into()))];
        let moved = update(&CONVO, &assigns, None, None, scoped(&tenant));
        assert!(
            moved
                .refusal
                .as_deref()
                .is_some_and(|r| r.contains("tenant key")),
            "{moved:?}"
        );
        let same = [(&TENANT_ID, AssignOp::Set, Value::String("a".into()))];
        assert!(
            update(&CONVO, &same, None, None, scoped(&tenant))
                .refusal
                .is_none()
        );
    }
}
