//! Prints the migration refract renders from an empty database for a schema file, as
//! `prisma migrate diff --from-empty --to-schema FILE --script` does. A development aid for
//! comparing with Prisma's output: `cargo run -p refract-migrate --example diff_empty -- FILE`.

use refract_migrate::{SqlSchema, check, diff, lower, render_script, step::Pair};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: diff_empty SCHEMA.prisma");
        std::process::exit(2);
    };
    let files = match refract_schema::load(std::path::Path::new(&path)) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let validated = refract_schema::validate(&files);
    if !validated.is_valid() {
        eprintln!("{path}: invalid schema: {:?}", validated.diagnostics);
        std::process::exit(1);
    }
    let target = lower(&validated.schema);
    let empty = SqlSchema::default();
    let steps = diff(&empty, &target);
    let schemas = Pair::new(&empty, &target);
    let diagnostics = check::evaluate(&check::plan(&steps, schemas), &check::Counts::default());
    println!("{}", render_script(&steps, schemas, &diagnostics));
}
