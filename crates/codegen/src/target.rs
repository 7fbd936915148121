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
//! from, by a path relative to the output folder, when that checkout exists, and the target
//! carries a warning saying so (that path breaks when the checkout moves). With no checkout
//! either, the generator is invalid: a version dependency nobody asked for would only fail
//! later, in `cargo build`, with a message that names neither setting. Resolution reads
//! no files: the caller checks that a `runtimePath` holds a crate before writing
//! ([`missing_runtime`]). Reading the environment is the caller's job: it passes a lookup
//! for `env("...")` values.

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
    /// Generate into `output` with `options`; `warnings` are for the user to read.
    Generate {
        output: PathBuf,
        options: GenerateOptions,
        warnings: Vec<String>,
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
        Ok((output, options, warnings)) => Outcome::Generate {
            output,
            options,
            warnings,
        },
        Err(message) => Outcome::Invalid { message },
    }
}

fn resolve_refract(
    generator: &ir::Generator,
    schema_dir: &Path,
    runtime: RuntimeSource<'_>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(PathBuf, GenerateOptions, Vec<String>), String> {
    let output = generator.output.as_ref().ok_or(
        "set `output`, the folder of the generated crate (e.g. `output = \"../generated/client\"`)",
    )?;
    let output = normalize(&absolute(&schema_dir.join(value(output, env)?)));
    let crate_name = match setting(generator, "crateName", env)? {
        Some(name) => name,
        None => default_crate_name(&output),
    };
    let mut warnings = Vec::new();
    let runtime = if let Some(version) = setting(generator, "runtimeVersion", env)? {
        RuntimeDependency::Version(version)
    } else if let Some(path) = setting(generator, "runtimePath", env)? {
        let path = normalize(&absolute(&schema_dir.join(path)));
        RuntimeDependency::Path(relative_path(&output, &path))
    } else if let Some(path) = runtime.path {
        let path = normalize(&absolute(path));
        warnings.push(format!(
            "neither `runtimePath` nor `runtimeVersion` is set, so the client depends on \
             refract-runtime in the checkout `gen` was built from ({}); it stops building \
             when that checkout moves. Add `runtimePath = \"{}\"` (or `runtimeVersion`) \
             to the generator block",
            path.display(),
            relative_path(&normalize(&absolute(schema_dir)), &path),
        ));
        RuntimeDependency::Path(relative_path(&output, &path))
    } else {
        return Err(format!(
            "no refract-runtime to depend on: set `runtimePath` to the `crates/runtime` \
             folder of a refract checkout (the checkout `gen` was built from is gone), or \
             `runtimeVersion = \"{}\"` to take it from crates.io once it is published there",
            runtime.version
        ));
    };
    Ok((
        output,
        GenerateOptions {
            crate_name,
            runtime,
            standalone: false,
        },
        warnings,
    ))
}

/// For a path dependency, the message to show when the folder it names holds no
/// `Cargo.toml` (a `runtimePath` with a typo, a checkout that moved); `None` when it does,
/// or for a registry dependency.
pub fn missing_runtime(output: &Path, runtime: &RuntimeDependency) -> Option<String> {
    let RuntimeDependency::Path(path) = runtime else {
        return None;
    };
    let folder = normalize(&output.join(path));
    (!folder.join("Cargo.toml").is_file()).then(|| {
        format!(
            "the runtime path {} holds no Cargo.toml: point `runtimePath` at the \
             `crates/runtime` folder of a refract checkout, or set `runtimeVersion`",
            folder.display()
        )
    })
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

    fn schema_with(settings: &str) -> ir::Schema {
        let text = format!(
            "generator client {{\n  provider = \"refract\"\n  output = \"./client\"\n{settings}}}\n\n\
             datasource db {{\n  provider = \"postgresql\"\n}}\n"
        );
        let files = refract_schema::SourceFiles::single("schema.prisma", text);
        refract_schema::validate(&files).schema
    }

    fn outcome(settings: &str, checkout: Option<&Path>) -> Outcome {
        let runtime = RuntimeSource {
            path: checkout,
            version: "0.1.0",
        };
        let schema = schema_with(settings);
        let mut targets = targets(&schema, Path::new("/app"), runtime, &|_| None);
        assert_eq!(targets.len(), 1);
        targets.remove(0).outcome
    }

    /// Where the generated crate takes refract-runtime from, for each combination of the
    /// settings and the checkout `gen` was built from.
    #[test]
    fn runtime_dependency_is_chosen_or_refused_out_loud() {
        let runtime_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../runtime");
        let runtime_dir = normalize(&absolute(&runtime_dir));
        let path_setting = format!("  runtimePath = \"{}\"\n", runtime_dir.display());

        // An explicit version: no warning, checkout or not.
        for checkout in [None, Some(runtime_dir.as_path())] {
            let Outcome::Generate {
                options, warnings, ..
            } = outcome("  runtimeVersion = \"0.2\"\n", checkout)
            else {
                panic!("runtimeVersion must generate");
            };
            assert_eq!(options.runtime, RuntimeDependency::Version("0.2".into()));
            assert!(warnings.is_empty());
        }
        // An explicit path that exists: no warning.
        let Outcome::Generate {
            options, warnings, ..
        } = outcome(&path_setting, None)
        else {
            panic!("runtimePath must generate");
        };
        assert!(matches!(options.runtime, RuntimeDependency::Path(_)));
        assert!(warnings.is_empty());
        // A path with no crate there: resolved (no file is read), and refused by the
        // caller's check, naming the setting.
        let Outcome::Generate {
            output, options, ..
        } = outcome("  runtimePath = \"/nowhere/runtime\"\n", None)
        else {
            panic!("runtimePath resolves without reading files");
        };
        let message = missing_runtime(&output, &options.runtime).expect("no crate there");
        assert!(message.contains("runtimePath"), "{message}");
        let Outcome::Generate {
            output, options, ..
        } = outcome(&path_setting, None)
        else {
            panic!("runtimePath must generate");
        };
        assert_eq!(missing_runtime(&output, &options.runtime), None);
        // Neither setting, the checkout there: generated, with a warning naming both.
        let Outcome::Generate { warnings, .. } = outcome("", Some(&runtime_dir)) else {
            panic!("the checkout fallback must generate");
        };
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("runtimePath") && warnings[0].contains("runtimeVersion"));
        // Neither setting and no checkout: refused, naming both.
        let Outcome::Invalid { message } = outcome("", None) else {
            panic!("no runtime to point at must be refused");
        };
        assert!(
            message.contains("runtimePath") && message.contains("runtimeVersion"),
            "{message}"
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
