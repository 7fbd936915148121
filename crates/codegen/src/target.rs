//! Which crates `gen generate` writes: one [`Target`] per `generator` block with
//! `provider = "refract"`, its `output` resolved against the schema's folder, and the
//! [`GenerateOptions`] its settings ask for. Other providers are reported as skipped.
//!
//! Settings of a refract generator block (all optional except `output`):
//! - `crateName = "my-client"`: the package name (default: the output folder's name);
//! - `runtimeVersion = "0.1"`: depend on refract-runtime from the registry at this version;
//! - `runtimePath = "../refract/crates/runtime"`: depend on it at this path (relative to
//!   the schema's folder).
//!
//! Without either runtime setting, the crate depends on the runtime checkout `gen` was built
//! from, by a path relative to the output folder, when that checkout exists; else on the
//! registry at `gen`'s own version. Reading the environment is the caller's job: it passes
//! a lookup for `env("...")` values.

use std::path::{Component, Path, PathBuf};

use refract_schema::ir::{self, ConfigExpr, ConfigValue};

use crate::{GenerateOptions, RuntimeDependency};

/// The provider name of refract's generator.
pub const PROVIDER: &str = "refract";

/// One generator block, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The generator block's name.
    pub generator: String,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Generate into `output` with `options`.
    Generate {
        output: PathBuf,
        options: GenerateOptions,
    },
    /// Another tool's generator: `provider` is what the block asks for.
    Skip { provider: String },
    /// A refract generator that cannot run: the message says why.
    Invalid { message: String },
}

/// Where the runtime crate is, for path dependencies.
#[derive(Debug, Clone, Copy)]
pub struct RuntimeSource<'a> {
    /// The runtime's source folder (absolute) if it exists on this machine.
    pub path: Option<&'a Path>,
    /// The runtime version to ask the registry for otherwise.
    pub version: &'a str,
}

/// Resolves every generator block of `schema`; `schema_dir` is the folder relative paths
/// are relative to, `env` looks up `env("...")` values.
pub fn targets(
    schema: &ir::Schema,
    schema_dir: &Path,
    runtime: RuntimeSource<'_>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<Target> {
    schema
        .generators
        .iter()
        .map(|generator| Target {
            generator: generator.name.clone(),
            outcome: resolve(generator, schema_dir, runtime, env),
        })
        .collect()
}

fn value(value: &ConfigValue, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    match value {
        ConfigValue::Literal(text) => Ok(text.clone()),
        ConfigValue::Env(name) => {
            env(name).ok_or_else(|| format!("environment variable `{name}` is not set"))
        }
    }
}

fn setting(
    generator: &ir::Generator,
    key: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<String>, String> {
    match generator.config.get(key) {
        None => Ok(None),
        Some(ConfigExpr::String(text)) => Ok(Some(text.clone())),
        Some(ConfigExpr::Env(name)) => env(name)
            .map(Some)
            .ok_or_else(|| format!("environment variable `{name}` is not set")),
        Some(_) => Err(format!("`{key}` must be a string")),
    }
}

fn resolve(
    generator: &ir::Generator,
    schema_dir: &Path,
    runtime: RuntimeSource<'_>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Outcome {
    let provider = match value(&generator.provider, env) {
        Ok(provider) => provider,
        Err(message) => return Outcome::Invalid { message },
    };
    if provider != PROVIDER {
        return Outcome::Skip { provider };
    }
    match resolve_refract(generator, schema_dir, runtime, env) {
        Ok((output, options)) => Outcome::Generate { output, options },
        Err(message) => Outcome::Invalid { message },
    }
}

fn resolve_refract(
    generator: &ir::Generator,
    schema_dir: &Path,
    runtime: RuntimeSource<'_>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(PathBuf, GenerateOptions), String> {
    let output = generator.output.as_ref().ok_or(
        "set `output`, the folder of the generated crate (e.g. `output = \"../generated/client\"`)",
    )?;
    let output = normalize(&absolute(&schema_dir.join(value(output, env)?)));
    let crate_name = match setting(generator, "crateName", env)? {
        Some(name) => name,
        None => default_crate_name(&output),
    };
    let runtime = if let Some(version) = setting(generator, "runtimeVersion", env)? {
        RuntimeDependency::Version(version)
    } else if let Some(path) = setting(generator, "runtimePath", env)? {
        let path = normalize(&absolute(&schema_dir.join(path)));
        RuntimeDependency::Path(relative_path(&output, &path))
    } else if let Some(path) = runtime.path {
        RuntimeDependency::Path(relative_path(&output, &normalize(&absolute(path))))
    } else {
        RuntimeDependency::Version(runtime.version.to_owned())
    };
    Ok((
        output,
        GenerateOptions {
            crate_name,
            runtime,
            standalone: false,
        },
    ))
}

/// The output folder's name as a package name (`generated/client` → `client`).
pub fn default_crate_name(output: &Path) -> String {
    let name: String = output
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_matches('-').to_owned();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("prisma-client{}", if name.is_empty() { "" } else { "-" }) + &name
    } else {
        name
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Removes `.` and resolves `..` lexically (the output folder may not exist yet).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `to` relative to `from` (both absolute and normalized), with `/` separators, as Cargo
/// paths are written. Falls back to `to` itself when they share no root.
pub fn relative_path(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to_components: Vec<Component> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_components)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return to.to_string_lossy().replace('\\', "/");
    }
    let mut parts: Vec<String> = vec!["..".to_owned(); from.len() - common];
    parts.extend(
        to_components[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let cases = [
            (
                "/w/main/generated/client",
                "/w/main/crates/runtime",
                "../../crates/runtime",
            ),
            (
                "/tmp/app/client",
                "/w/main/crates/runtime",
                "../../../w/main/crates/runtime",
            ),
            ("/w/a", "/w/a", "."),
        ];
        for (from, to, expected) in cases {
            assert_eq!(relative_path(Path::new(from), Path::new(to)), expected);
        }
        assert_eq!(
            normalize(Path::new("/w/main/./prisma/../generated/client")),
            PathBuf::from("/w/main/generated/client")
        );
    }

    #[test]
    fn crate_names() {
        assert_eq!(
            default_crate_name(Path::new("/a/generated/client")),
            "client"
        );
        assert_eq!(default_crate_name(Path::new("/a/My Client")), "my-client");
        assert_eq!(default_crate_name(Path::new("/a/2db")), "prisma-client-2db");
    }
}
