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
// `gen generate` writes a typed Rust client crate to `output`; the crate depends
// on refract-runtime at `runtimePath` (a refract checkout) or, once it is
// published, at `runtimeVersion` from crates.io.

generator client {
  provider = "refract"
  output   = "{OUTPUT}"
{RUNTIME}}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
"#;

/// `gen init`: a starter `schema.prisma` and `.env` in the working folder, `.env` listed
/// in `.gitignore`; never overwrites either file.
pub fn init(url: Option<&str>, output: &str) -> Result<ExitCode, CliError> {
    let schema = std::path::Path::new("schema.prisma");
    if schema.exists() {
        return Err(CliError::Failed(
            "schema.prisma already exists here; `gen init` never overwrites it (run it in \
             your application's folder, or pass `--schema` to the other commands)"
                .into(),
        ));
    }
    let runtime = runtime_setting();
    let text = INIT_SCHEMA
        .replace("{OUTPUT}", output)
        .replace("{RUNTIME}", &runtime);
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
    let ignored = ignore_env_file(std::path::Path::new(".gitignore"))
        .map_err(|e| CliError::Failed(format!("cannot update .gitignore: {e}")))?;
    println!(
        "Created schema.prisma{}{}",
        if wrote_env {
            " and .env"
        } else {
            " (kept the existing .env)"
        },
        if ignored {
            "; added .env to .gitignore"
        } else {
            ""
        }
    );
    println!();
    println!("Next steps:");
    println!("  1. Set DATABASE_URL in .env to your PostgreSQL database.");
    println!("  2. Add models to schema.prisma.");
    println!("  3. Run `gen migrate dev --name init` to create the tables.");
    println!("  4. Run `gen generate` to write the client crate to {output}.");
    println!("  5. Depend on it in your application's Cargo.toml:");
    println!("       [dependencies]");
    println!("       client = {{ path = \"{output}\" }}");
    println!("       tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}");
    println!("     and connect with `let db = client::Client::from_env()?;`");
    if runtime.trim_start().starts_with("//") {
        println!();
        println!(
            "Before `gen generate`, set `runtimePath` in schema.prisma to the `crates/runtime` \
             folder of a refract checkout (refract-runtime is not on crates.io yet)."
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The generator's runtime line for a new schema: the runtime of the checkout `gen` was
/// built from, relative to the working folder, when it is there; else a commented
/// placeholder the next steps point at.
fn runtime_setting() -> String {
    let checkout = std::path::PathBuf::from(super::generate::RUNTIME_SOURCE);
    let cwd = std::env::current_dir().ok();
    match (checkout.join("Cargo.toml").is_file(), cwd) {
        (true, Some(cwd)) => {
            let runtime = refract_codegen::target::normalize(&checkout);
            let path = refract_codegen::target::relative_path(&cwd, &runtime);
            format!("  runtimePath = \"{path}\"\n")
        }
        _ => "  // runtimePath = \"../refract/crates/runtime\"\n".to_owned(),
    }
}

/// Adds `.env` to `.gitignore` (creating it) unless a line already ignores it: the file
/// holds the database password. Says whether it changed the file.
fn ignore_env_file(gitignore: &std::path::Path) -> std::io::Result<bool> {
    let existing = match std::fs::read_to_string(gitignore) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    if existing
        .lines()
        .map(str::trim)
        .any(|line| matches!(line, ".env" | "/.env" | ".env*" | "*.env"))
    {
        return Ok(false);
    }
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(".env\n");
    std::fs::write(gitignore, text)?;
    Ok(true)
}
