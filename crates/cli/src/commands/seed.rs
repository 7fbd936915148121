//! `gen db seed [-- ARGS]`: runs the seed command of the `refract` generator block
//! (`seed = "cargo run --bin seed"`) in the schema's folder, with `DATABASE_URL` set to
//! the database the other commands use, as `prisma db seed` runs `migrations.seed`.
//!
//! As in Prisma 7.10 (checked with its CLI), the command is split at spaces and run
//! without a shell, arguments after `--` are appended, and neither `migrate dev` nor
//! `migrate reset` runs it: seeding is always asked for.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use refract_schema::ir::{ConfigExpr, ConfigValue};

use super::migrate::target::{self, LoadedSchema};
use crate::config::CliError;

/// The seed command the schema configures, if any: the `seed` property of the first
/// `provider = "refract"` generator block that has one.
pub fn configured_seed(schema: &LoadedSchema) -> Result<Option<String>, CliError> {
    for generator in &schema.schema.generators {
        let provider = match &generator.provider {
            ConfigValue::Literal(p) => Some(p.clone()),
            ConfigValue::Env(var) => std::env::var(var).ok(),
        };
        if provider.as_deref() != Some("refract") {
            continue;
        }
        match generator.config.get("seed") {
            None => continue,
            Some(ConfigExpr::String(command)) => return Ok(Some(command.clone())),
            Some(ConfigExpr::Env(var)) => {
                return std::env::var(var).map(Some).map_err(|_| {
                    CliError::Failed(format!(
                        "the generator's `seed` reads env(\"{var}\"), which is not set"
                    ))
                });
            }
            Some(_) => {
                return Err(CliError::Usage(format!(
                    "generator `{}`: `seed` must be a string, such as `seed = \"cargo run --bin seed\"`",
                    generator.name
                )));
            }
        }
    }
    Ok(None)
}

/// Splits a command at unescaped whitespace (`\ ` keeps a space), as Prisma does.
fn split_command(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next) if next.is_whitespace() => word.push(next),
                Some(next) => {
                    word.push('\\');
                    word.push(next);
                }
                None => word.push('\\'),
            },
            c if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// `gen db seed`.
pub fn run(
    schema: Option<PathBuf>,
    url: Option<&str>,
    extra: &[String],
) -> Result<ExitCode, CliError> {
    let loaded = target::load_schema(schema)?;
    let Some(command) = configured_seed(&loaded)? else {
        println!(
            "No seed command configured. Add one to the `refract` generator block, e.g.\n\n  \
             generator client {{\n    provider = \"refract\"\n    ...\n    seed     = \"cargo run --bin seed\"\n  }}"
        );
        return Ok(ExitCode::SUCCESS);
    };
    let mut words = split_command(&command);
    if words.is_empty() {
        return Err(CliError::Usage("the generator's `seed` is empty".into()));
    }
    words.extend(extra.iter().cloned());
    let shown = words.join(" ");
    let program = words.remove(0);
    let database_url = target::database_url(
        url,
        loaded.datasource(),
        Some(loaded.config.schema_dir.as_path()),
    )?;
    println!("Running seed command `{shown}` ...");
    let status = Command::new(&program)
        .args(&words)
        .current_dir(&loaded.config.schema_dir)
        .env("DATABASE_URL", &database_url)
        .status()
        .map_err(|e| {
            CliError::Failed(format!(
                "An error occurred while running the seed command:\ncannot run `{program}`: {e}"
            ))
        })?;
    if !status.success() {
        let code = status
            .code()
            .map_or_else(|| "a signal".to_owned(), |c| format!("exit code {c}"));
        return Err(CliError::Failed(format!(
            "An error occurred while running the seed command:\nCommand failed with {code}: {shown}"
        )));
    }
    println!("\n🌱  The seed command has been executed.");
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::split_command;

    #[test]
    fn commands_split_at_spaces_as_prisma_does() {
        assert_eq!(
            split_command("cargo run  --bin seed"),
            ["cargo", "run", "--bin", "seed"]
        );
        assert_eq!(split_command(r"./my\ seed.sh a"), ["./my seed.sh", "a"]);
        assert!(split_command("  ").is_empty());
    }
}
