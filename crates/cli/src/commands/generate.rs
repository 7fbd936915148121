//! `generate`: validate the schema, resolve the refract generator blocks, generate each
//! client crate and persist it; print what was written and how long it took.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use refract_codegen::{Outcome, RuntimeSource};

use crate::config::{CliError, Config};

/// `println!` that ignores a closed stdout (`gen generate | head`) instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// The runtime crate of the checkout this binary was built from.
pub(crate) const RUNTIME_SOURCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../runtime");

/// Resolves the configuration from `--schema`, then [`generate`]s.
pub fn run(schema: Option<PathBuf>) -> Result<ExitCode, CliError> {
    generate(&Config::resolve(schema)?)
}

pub fn generate(config: &Config) -> Result<ExitCode, CliError> {
    let started = Instant::now();
    let (_, validated) = super::schema::load_valid(config, "nothing was generated")?;
    // A `tenantModel` that names no model fails here as in `migrate dev`: the same plan.
    refract_migrate::tenancy::plan(&validated.schema)
        .map_err(|e| CliError::Failed(format!("{e}; nothing was generated")))?;

    let runtime_path = PathBuf::from(RUNTIME_SOURCE);
    let runtime = RuntimeSource {
        path: runtime_path
            .join("Cargo.toml")
            .is_file()
            .then_some(runtime_path.as_path()),
        version: env!("CARGO_PKG_VERSION"),
    };
    let env = |name: &str| std::env::var(name).ok();
    let targets =
        refract_codegen::target::targets(&validated.schema, &config.schema_dir, runtime, &env);
    // Every runtime path is checked before anything is written: a dependency on a folder
    // with no crate would only fail later, in the user's `cargo build`.
    for target in &targets {
        if let Outcome::Generate {
            output, options, ..
        } = &target.outcome
            && let Some(message) =
                refract_codegen::target::missing_runtime(output, &options.runtime)
        {
            return Err(CliError::Failed(format!(
                "generator `{}`: {message}",
                target.generator
            )));
        }
    }
    let mut generated = 0;
    for target in &targets {
        match &target.outcome {
            Outcome::Skip { provider } => {
                say!(
                    "Skipped generator `{}`: provider `{provider}` is not refract",
                    target.generator
                );
            }
            Outcome::Invalid { message } => {
                return Err(CliError::Failed(format!(
                    "generator `{}`: {message}",
                    target.generator
                )));
            }
            Outcome::Generate {
                output,
                options,
                warnings,
            } => {
                for warning in warnings {
                    eprintln!("warning: generator `{}`: {warning}", target.generator);
                }
                let one_started = Instant::now();
                let vfs = refract_codegen::generate(&validated.schema, options);
                let persisted = vfs.persist(output).map_err(|e| {
                    CliError::Failed(format!("generator `{}`: {e}", target.generator))
                })?;
                generated += 1;
                say!(
                    "✔ Generated refract client `{}` to {} in {}ms ({} written, {} unchanged{})",
                    options.crate_name,
                    display_path(output),
                    one_started.elapsed().as_millis(),
                    persisted.written.len(),
                    persisted.unchanged.len(),
                    if persisted.removed.is_empty() {
                        String::new()
                    } else {
                        format!(", {} removed", persisted.removed.len())
                    }
                );
                for path in &persisted.written {
                    say!("  wrote   {}", path.display());
                }
                for path in &persisted.removed {
                    say!("  removed {}", path.display());
                }
            }
        }
    }
    if generated == 0 {
        say!(
            "No generator with `provider = \"{}\"` in {}: nothing to generate",
            refract_codegen::target::PROVIDER,
            config.schema_path.display()
        );
    } else {
        say!("Done in {}ms", started.elapsed().as_millis());
    }
    Ok(ExitCode::SUCCESS)
}

/// `output` relative to the working folder when it is below it.
fn display_path(output: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| output.strip_prefix(cwd).ok().map(Path::to_path_buf));
    match relative {
        Some(path) if path.as_os_str().is_empty() => ".".to_owned(),
        Some(path) => format!("./{}", path.display()),
        None => output.display().to_string(),
    }
}
