//! `gen`: the refract command line.
//!
//! This file only parses arguments (clap), resolves one [`config::Config`] and
//! calls a library function per command. Exit codes: 0 success, 1 the schema
//! (or database) said no, 2 usage errors.

mod commands;
mod config;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// refract: Prisma's workflow for Rust. One schema.prisma, one .env, a typed client.
#[derive(Debug, Parser)]
#[command(name = "gen", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, clap::Args)]
pub struct SchemaArg {
    /// Schema file or folder of .prisma files [default: ./schema.prisma, then ./prisma/schema.prisma, then ./prisma/schema/]
    #[arg(long, global = true, value_name = "PATH")]
    schema: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the schema and report every error and warning.
    Validate {
        #[command(flatten)]
        schema: SchemaArg,
    },
    /// Rewrite the schema in canonical layout (as `prisma format`).
    Format {
        #[command(flatten)]
        schema: SchemaArg,
        /// Do not write; exit 1 if a file is not formatted.
        #[arg(long)]
        check: bool,
    },
    /// Generate the client crate of every `provider = "refract"` generator block.
    Generate {
        #[command(flatten)]
        schema: SchemaArg,
    },
    /// Create schema.prisma and .env in the current folder.
    Init {
        /// Database URL to write to .env.
        #[arg(long)]
        url: Option<String>,
        /// Where `gen generate` writes the client crate (relative to schema.prisma).
        #[arg(long, default_value = "./generated/client")]
        output: String,
    },
    /// Browse and edit the database's rows in a browser (served on 127.0.0.1).
    Studio {
        #[command(flatten)]
        schema: SchemaArg,
        #[command(flatten)]
        args: commands::studio::StudioArgs,
    },
    /// Create, apply and inspect migrations (as `prisma migrate`).
    Migrate(commands::migrate::MigrateArgs),
    /// Push the schema to the database without migrations, pull the database into a schema, or seed it.
    Db(commands::db::DbArgs),
    /// A local PostgreSQL for development, from the PostgreSQL binaries on this machine.
    Dev(commands::dev::DevArgs),
}

/// mimalloc: parsing builds many small strings and vectors, and frees them
/// across threads; it is 30% faster than the system allocator there
/// (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result =
        match cli.command {
            Command::Validate { schema } => {
                config::Config::resolve(schema.schema).and_then(|c| commands::schema::validate(&c))
            }
            Command::Format { schema, check } => config::Config::resolve(schema.schema)
                .and_then(|c| commands::schema::format(&c, check)),
            Command::Generate { schema } => commands::generate::run(schema.schema),
            Command::Init { url, output } => commands::schema::init(url.as_deref(), &output),
            Command::Studio { schema, args } => config::Config::resolve(schema.schema)
                .and_then(|c| commands::studio::run(&c, &args)),
            Command::Migrate(args) => commands::migrate::run(args),
            Command::Db(args) => commands::db::run(args),
            Command::Dev(args) => commands::dev::run(args),
        };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
