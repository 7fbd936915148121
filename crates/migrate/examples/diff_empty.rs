//! Prints the migration refract renders from an empty database (or from a first schema) to a
//! schema, as `prisma migrate diff --from-empty|--from-schema A --to-schema B --script` does.
//! A development aid for comparing with Prisma's output:
//! `cargo run -p refract-migrate --example diff_empty -- [FROM] TO`.

use refract_migrate::{SqlSchema, check, diff, lower, render_script, step::Pair};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (from, to) = match args.as_slice() {
        [to] => (SqlSchema::default(), load(to)),
        [from, to] => (load(from), load(to)),
        _ => {
            eprintln!("usage: diff_empty [FROM.prisma] TO.prisma");
            std::process::exit(2);
        }
    };
    let steps = diff(&from, &to);
    let schemas = Pair::new(&from, &to);
    let diagnostics = check::evaluate(&check::plan(&steps, schemas), &check::Counts::default());
    println!("{}", render_script(&steps, schemas, &diagnostics));
}

fn load(path: &str) -> SqlSchema {
    let files = match refract_schema::load(std::path::Path::new(path)) {
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
    lower(&validated.schema)
}
