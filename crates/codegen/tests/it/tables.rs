//! The SQL that creates a schema's tables on an empty database (lower → diff → render, as
//! `gen migrate` would): what the client tests and the benches start from. The benches
//! compile this file too (`#[path]`), so it uses nothing else of the tests.

use refract_schema::ir;

/// `CREATE` statements for every table, enum and index of `schema`.
pub fn create_tables_sql(schema: &ir::Schema) -> String {
    let target = refract_migrate::lower(schema);
    let empty = refract_migrate::SqlSchema::default();
    let steps = refract_migrate::diff(&empty, &target);
    refract_migrate::render_script(
        &steps,
        refract_migrate::step::Pair::new(&empty, &target),
        &refract_migrate::Diagnostics::default(),
    )
}
