//! Applies a migrations folder to a database with refract's `migrate deploy`: a development
//! aid for interoperability checks with Prisma's CLI.
//! `cargo run -p refract-migrate --example deploy -- URL MIGRATIONS_DIR`

use refract_migrate::commands::{Config, deploy};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, dir] = args.as_slice() else {
        eprintln!("usage: deploy URL MIGRATIONS_DIR");
        std::process::exit(2);
    };
    match deploy(&Config::new(url.clone(), dir.clone())).await {
        Ok(report) => println!("applied {} migrations", report.applied.len()),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
