//! `validate`, `format`, `init`: call the schema library, print its result, choose the exit code.
//! Also [`load_valid`], how every other command reads the schema.

use std::io::IsTerminal;
use std::process::ExitCode;

use refract_schema::{Diagnostic, SourceFiles, Validated};

use crate::config::{CliError, Config};

fn use_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

pub(crate) fn load(config: &Config) -> Result<SourceFiles, CliError> {
    refract_schema::load(&config.schema_path)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", config.schema_path.display())))
}

/// Prints warnings, then errors, all of them; returns how many errors there were.
fn print_diagnostics(files: &SourceFiles, validated: &Validated) -> usize {
    let warnings: Vec<&Diagnostic> = validated.diagnostics.warnings().collect();
    let errors: Vec<&Diagnostic> = validated.diagnostics.errors().collect();
    let color = use_color();
    if !warnings.is_empty() {
        eprint!(
            "{}",
            refract_schema::render::render(files, &warnings, color)
        );
    }
    if !errors.is_empty() {
        eprint!("{}", refract_schema::render::render(files, &errors, color));
    }
    errors.len()
}

/// "the schema has 1 error", "... 2 errors".
fn error_count(n: usize) -> String {
    format!("the schema has {n} error{}", if n == 1 { "" } else { "s" })
}

/// Reads and validates the schema for a command that needs a valid one: warnings are
/// printed; errors are printed and fail the command, with `refusal` saying what was not
/// done ("nothing was generated").
pub(crate) fn load_valid(
    config: &Config,
    refusal: &str,
) -> Result<(SourceFiles, Validated), CliError> {
    let files = load(config)?;
    let validated = refract_schema::validate(&files);
    match print_diagnostics(&files, &validated) {
        0 => Ok((files, validated)),
        n => Err(CliError::Failed(format!("{}; {refusal}", error_count(n)))),
    }
}

pub fn validate(config: &Config) -> Result<ExitCode, CliError> {
    let files = load(config)?;
    let validated = refract_schema::validate(&files);
    let errors = print_diagnostics(&files, &validated);
    if errors > 0 {
        eprintln!("error: {}", error_count(errors));
        return Ok(ExitCode::from(1));
    }
    println!("The schema at {} is valid", config.schema_path.display());
    Ok(ExitCode::SUCCESS)
}

pub fn format(config: &Config, check: bool) -> Result<ExitCode, CliError> {
    let files = load(config)?;
    let inputs: Vec<(String, String)> = files
        .files
        .iter()
        .map(|f| (f.name.clone(), f.text.clone()))
        .collect();
    let outputs = refract_schema::format::format_files(&inputs);
    let mut unformatted = Vec::new();
    for ((name, before), (_, after)) in inputs.iter().zip(&outputs) {
        if before == after {
            continue;
        }
        unformatted.push(name.clone());
        if !check {
            std::fs::write(name, after)
                .map_err(|e| CliError::Failed(format!("cannot write {name}: {e}")))?;
        }
    }
    if check {
        if unformatted.is_empty() {
            println!("All files are formatted");
            return Ok(ExitCode::SUCCESS);
        }
        for name in &unformatted {
            eprintln!("not formatted: {name}");
        }
        eprintln!("run `gen format` to fix {} file(s)", unformatted.len());
        return Ok(ExitCode::from(1));
    }
    println!(
        "Formatted {} of {} file(s)",
        unformatted.len(),
        inputs.len()
    );
    Ok(ExitCode::SUCCESS)
}

const INIT_SCHEMA: &str = r#"// This is your schema file. Learn the language: https://pris.ly/d/prisma-schema
// `gen generate` writes a typed Rust client crate to `output`.

generator client {
  provider = "refract"
  output   = "{OUTPUT}"
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
"#;

pub fn init(url: Option<&str>, output: &str) -> Result<ExitCode, CliError> {
    let schema = std::path::Path::new("schema.prisma");
    if schema.exists() {
        return Err(CliError::Failed(
            "schema.prisma already exists here; `gen init` never overwrites it".into(),
        ));
    }
    let text = INIT_SCHEMA.replace("{OUTPUT}", output);
    std::fs::write(schema, text)
        .map_err(|e| CliError::Failed(format!("cannot write schema.prisma: {e}")))?;
    let env = std::path::Path::new(".env");
    let url = url.unwrap_or("postgresql://postgres:postgres@localhost:5432/mydb?schema=public");
    let mut wrote_env = false;
    if !env.exists() {
        std::fs::write(env, format!("DATABASE_URL=\"{url}\"\n"))
            .map_err(|e| CliError::Failed(format!("cannot write .env: {e}")))?;
        wrote_env = true;
    }
    println!(
        "Created schema.prisma{}",
        if wrote_env {
            " and .env"
        } else {
            " (kept the existing .env)"
        }
    );
    println!();
    println!("Next steps:");
    println!("  1. Set DATABASE_URL in .env to your PostgreSQL database.");
    println!("  2. Add models to schema.prisma.");
    println!("  3. Run `gen migrate dev --name init` to create the tables.");
    println!("  4. Run `gen generate` to write the client crate.");
    Ok(ExitCode::SUCCESS)
}
