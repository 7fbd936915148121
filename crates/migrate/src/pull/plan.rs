//! What `gen db pull` decides around the pulled schema, apart from reading the database and
//! the file system: what it refuses before reading the database (a schema with views, which
//! pull does not introspect yet and would drop), which generator and datasource blocks head
//! the result, whether the result validates (refract never writes a schema it would then
//! reject), which file each text goes to (a folder's files each get their blocks back, new
//! ones go to `introspected.prisma`; a single-file pull refuses to write beside other files
//! defining models), and what to print. The CLI runs the plan: it writes the files, all or
//! none, and prints.

use std::path::{Path, PathBuf};

use refract_schema::{SourceFacts, SourceFiles, ir};

use super::{DEFAULT_PREAMBLE, Existing, NEW_FILE, Pulled, config_blocks};

/// A `gen db pull` over a loaded, valid schema.
#[derive(Debug, Clone, Copy)]
pub struct PullRequest<'a> {
    pub schema: &'a ir::Schema,
    pub facts: &'a SourceFacts,
    /// The schema file or folder given to the command.
    pub schema_path: &'a Path,
    /// Whether `schema_path` is a folder.
    pub schema_is_folder: bool,
    /// `--print`: print instead of writing.
    pub print: bool,
    /// `--force`: ignore the existing models (raw introspection).
    pub force: bool,
}

/// What to do with a pulled schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullPlan {
    /// The result does not validate: write nothing, print `stderr` (the diagnostics and the
    /// reason) and `stdout` (the schema, with `--print`), and fail.
    Invalid {
        stderr: String,
        stdout: Option<String>,
    },
    /// The database has no tables or enums (Prisma's P4001).
    Empty,
    /// `--print`: `stdout` is the schema (a folder's files each under a `// path` line);
    /// `stderr` the warnings as `//` comments, so stdout stays a schema.
    Print {
        stdout: String,
        stderr: Option<String>,
    },
    /// Write every file or none, then print [`PullPlan::written_message`].
    Write {
        files: Vec<(PathBuf, String)>,
        /// What the message names as written: the schema folder, or the one file.
        destination: PathBuf,
        models: usize,
        enums: usize,
        warnings: Option<String>,
    },
    /// Writing would be wrong (a single-file pull beside other files defining models).
    Refused(String),
}

impl PullRequest<'_> {
    /// What is refused before the database is read: writing over a schema with views, which
    /// pull does not introspect yet, unless printing or forced.
    pub fn refusal(&self) -> Option<String> {
        let views: Vec<&str> = self
            .schema
            .models
            .iter()
            .filter(|m| m.is_view())
            .map(|m| m.name.as_str())
            .collect();
        (!views.is_empty() && !self.print && !self.force).then(|| {
            format!(
                "the schema has views ({}), which `gen db pull` does not introspect yet: writing would drop them. \
                 Use `gen db pull --print` and merge by hand, or `--force` to overwrite",
                views.join(", ")
            )
        })
    }

    /// The generator and datasource blocks heading the result: the schema's as written, or
    /// Prisma's defaults when it has no datasource.
    pub fn preamble(&self) -> String {
        if self.facts.datasource_file().is_some() {
            config_blocks(self.facts)
        } else {
            DEFAULT_PREAMBLE.to_owned()
        }
    }

    /// The schema to re-introspect over.
    pub fn existing(&self) -> Existing<'_> {
        Existing {
            schema: self.schema,
            facts: Some(self.facts),
        }
    }

    /// Whether the existing models are kept (re-introspection) or ignored (`--force`).
    pub fn models_kept(&self) -> crate::commands::ExistingModels {
        if self.force {
            crate::commands::ExistingModels::Ignore
        } else {
            crate::commands::ExistingModels::Keep
        }
    }

    /// What to do with `pulled`, the result of pulling with [`Self::preamble`] over
    /// [`Self::existing`]; `show_path` writes a path as the user sees it (the `// path`
    /// lines of `--print`).
    pub fn plan(&self, pulled: Pulled, show_path: &dyn Fn(&Path) -> String) -> PullPlan {
        let Pulled {
            text,
            files: pulled_files,
            warnings,
        } = pulled;
        let validated = refract_schema::validate_str("pulled.prisma", &text);
        let errors: Vec<_> = validated.diagnostics.errors().collect();
        if !errors.is_empty() {
            // Prisma writes such schemas; refract never writes one it would then reject.
            let source = SourceFiles::single("pulled.prisma", text.clone());
            let advice = if self.print {
                "printed anyway"
            } else {
                "nothing was written; `gen db pull --print` shows it"
            };
            let stderr = format!(
                "{}error: the pulled schema does not validate (the database has names the schema cannot hold as they are, \
                 see above): {advice}\n",
                refract_schema::render::render(&source, &errors, false)
            );
            return PullPlan::Invalid {
                stderr,
                stdout: self.print.then_some(text),
            };
        }
        let models = validated.schema.models.len();
        let enums = validated.schema.enums.len();
        if models == 0 && enums == 0 {
            return PullPlan::Empty;
        }
        // A schema in several files is written back file by file, as Prisma does; new
        // models and enums go to `introspected.prisma` in the schema folder.
        let mut per_file: Vec<(PathBuf, String)> = pulled_files
            .into_iter()
            .map(|(file, text)| {
                let path = match file {
                    Some(i) => PathBuf::from(&self.facts.file_names[i]),
                    None => self.schema_path.join(NEW_FILE),
                };
                (path, text)
            })
            .collect();
        per_file.sort();
        if self.print {
            let mut stdout = String::new();
            if per_file.is_empty() {
                stdout.push_str(&text);
            }
            for (path, text) in &per_file {
                stdout.push_str(&format!("// {}\n{text}\n", show_path(path)));
            }
            return PullPlan::Print {
                stdout,
                stderr: warnings.map(|w| format!("\n{}\n", comment_lines(&w))),
            };
        }
        if !per_file.is_empty() {
            return PullPlan::Write {
                files: per_file,
                destination: self.schema_path.to_path_buf(),
                models,
                enums,
                warnings,
            };
        }
        let destination = match self.facts.datasource_file() {
            Some(file) => PathBuf::from(&self.facts.file_names[file.0 as usize]),
            None => self.schema_path.to_path_buf(),
        };
        if self.schema_is_folder {
            // Other files' models would clash with the pulled ones.
            let elsewhere: Vec<&str> = self
                .facts
                .files_with_models()
                .into_iter()
                .map(|f| self.facts.file_names[f.0 as usize].as_str())
                .filter(|name| Path::new(name) != destination)
                .collect();
            if !elsewhere.is_empty() {
                return PullPlan::Refused(format!(
                    "`gen db pull` writes one file ({}), but models are also defined in {}; \
                     move them out of the schema folder or use `gen db pull --print`",
                    destination.display(),
                    elsewhere.join(", ")
                ));
            }
        }
        PullPlan::Write {
            files: vec![(destination.clone(), text)],
            destination,
            models,
            enums,
            warnings,
        }
    }
}

impl PullPlan {
    /// What `gen db pull` prints after writing: `destination` as the user sees it, the time
    /// taken, the warnings, the next step.
    pub fn written_message(
        models: usize,
        enums: usize,
        destination: &str,
        millis: u128,
        warnings: Option<&str>,
    ) -> String {
        let mut message = format!(
            "✔ Introspected {models} model{} and {enums} enum{} and wrote them into {destination} in {millis}ms\n",
            if models == 1 { "" } else { "s" },
            if enums == 1 { "" } else { "s" },
        );
        if let Some(warnings) = warnings {
            message.push_str(&format!("\n{warnings}\n"));
        }
        message.push_str("\nRun `gen generate` to generate the client.\n");
        message
    }
}

/// Every line of `text` as a `//` comment.
fn comment_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| format!("// {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use refract_schema::{SourceFile, Validated};

    const CONFIG: &str = "generator client {\n  provider = \"refract\"\n  output   = \"./out\"\n}\n\ndatasource db {\n  provider = \"postgresql\"\n  url      = env(\"DB\")\n}\n";

    fn schema(files: &[(&str, &str)]) -> Validated {
        let validated = refract_schema::validate(&SourceFiles {
            files: files
                .iter()
                .map(|(name, text)| SourceFile::new(*name, *text))
                .collect(),
        });
        assert!(validated.is_valid(), "{:?}", validated.diagnostics);
        validated
    }

    fn request<'a>(validated: &'a Validated, path: &'a str, folder: bool) -> PullRequest<'a> {
        PullRequest {
            schema: &validated.schema,
            facts: &validated.source_facts,
            schema_path: Path::new(path),
            schema_is_folder: folder,
            print: false,
            force: false,
        }
    }

    fn pulled(text: &str) -> Pulled {
        Pulled {
            text: text.to_owned(),
            files: Vec::new(),
            warnings: None,
        }
    }

    fn shown(path: &Path) -> String {
        format!("<{}>", path.display())
    }

    #[test]
    fn writing_over_views_is_refused_unless_printing_or_forced() {
        let text = format!(
            "{}\nview Totals {{\n  id Int @unique\n}}\n",
            CONFIG.replace("output", "previewFeatures = [\"views\"]\n  output")
        );
        let validated = schema(&[("schema.prisma", &text)]);
        let request = request(&validated, "schema.prisma", false);
        let refusal = request.refusal().unwrap();
        assert!(refusal.contains("views (Totals)"), "{refusal}");
        for (print, force) in [(true, false), (false, true)] {
            let request = PullRequest {
                print,
                force,
                ..request
            };
            assert_eq!(request.refusal(), None);
        }
    }

    #[test]
    fn the_preamble_is_the_config_blocks_as_written_else_prisma_defaults() {
        let text = format!("// top\n{CONFIG}\nmodel A {{\n  id Int @id\n}}\n");
        let validated = schema(&[("schema.prisma", &text)]);
        assert_eq!(
            request(&validated, "schema.prisma", false).preamble(),
            CONFIG
        );
        let bare = schema(&[("schema.prisma", "model A {\n  id Int @id\n}\n")]);
        assert_eq!(
            request(&bare, "schema.prisma", false).preamble(),
            DEFAULT_PREAMBLE
        );
    }

    #[test]
    fn an_invalid_result_is_never_written_and_printed_only_when_asked() {
        let validated = schema(&[("schema.prisma", CONFIG)]);
        let invalid = format!("{CONFIG}\nmodel A {{\n  id Nope @id\n}}\n");
        let PullPlan::Invalid { stderr, stdout } =
            request(&validated, "schema.prisma", false).plan(pulled(&invalid), &shown)
        else {
            panic!("an invalid schema is planned for writing");
        };
        assert!(stderr.contains("nothing was written"), "{stderr}");
        assert_eq!(stdout, None);
        let printing = PullRequest {
            print: true,
            ..request(&validated, "schema.prisma", false)
        };
        let PullPlan::Invalid { stderr, stdout } = printing.plan(pulled(&invalid), &shown) else {
            panic!("not refused");
        };
        assert!(stderr.contains("printed anyway"), "{stderr}");
        assert_eq!(stdout.as_deref(), Some(invalid.as_str()));
    }

    #[test]
    fn a_database_without_tables_or_enums_is_empty() {
        let validated = schema(&[("schema.prisma", CONFIG)]);
        let plan = request(&validated, "schema.prisma", false).plan(pulled(CONFIG), &shown);
        assert_eq!(plan, PullPlan::Empty);
    }

    #[test]
    fn one_file_goes_to_the_datasource_file_unless_other_files_define_models() {
        let model = "model A {\n  id Int @id\n}\n";
        let result = format!("{CONFIG}\n{model}");
        let validated = schema(&[("dir/main.prisma", CONFIG)]);
        let plan = request(&validated, "dir", true).plan(
            Pulled {
                warnings: Some("*** WARNING ***".into()),
                ..pulled(&result)
            },
            &shown,
        );
        assert_eq!(
            plan,
            PullPlan::Write {
                files: vec![(PathBuf::from("dir/main.prisma"), result.clone())],
                destination: PathBuf::from("dir/main.prisma"),
                models: 1,
                enums: 0,
                warnings: Some("*** WARNING ***".into()),
            }
        );
        let beside = schema(&[("dir/main.prisma", CONFIG), ("dir/other.prisma", model)]);
        // A folder of two files is written back file by file (by `reintrospect`); a result of
        // one file beside another defining models would clash with it.
        let PullPlan::Refused(reason) = request(&beside, "dir", true).plan(pulled(&result), &shown)
        else {
            panic!("written beside another file's models");
        };
        assert!(reason.contains("dir/other.prisma"), "{reason}");
    }

    #[test]
    fn a_folder_is_written_file_by_file_and_new_blocks_go_to_introspected_prisma() {
        let model = "model A {\n  id Int @id\n}\n";
        let validated = schema(&[("dir/main.prisma", CONFIG), ("dir/a.prisma", model)]);
        let result = Pulled {
            text: format!("{CONFIG}\n{model}\nmodel B {{\n  id Int @id\n}}\n"),
            files: vec![
                (Some(0), CONFIG.to_owned()),
                (Some(1), model.to_owned()),
                (None, "model B {\n  id Int @id\n}\n".to_owned()),
            ],
            warnings: Some("*** WARNING ***\nkept".into()),
        };
        let PullPlan::Write {
            files,
            destination,
            models,
            ..
        } = request(&validated, "dir", true).plan(result.clone(), &shown)
        else {
            panic!("not written");
        };
        let paths: Vec<&Path> = files.iter().map(|(p, _)| p.as_path()).collect();
        assert_eq!(
            paths,
            [
                Path::new("dir/a.prisma"),
                Path::new("dir/introspected.prisma"),
                Path::new("dir/main.prisma")
            ]
        );
        assert_eq!((destination, models), (PathBuf::from("dir"), 2));
        let printing = PullRequest {
            print: true,
            ..request(&validated, "dir", true)
        };
        let PullPlan::Print { stdout, stderr } = printing.plan(result, &shown) else {
            panic!("not printed");
        };
        assert!(
            stdout.starts_with("// <dir/a.prisma>\nmodel A {"),
            "{stdout}"
        );
        assert!(stdout.contains("// <dir/introspected.prisma>\nmodel B"));
        assert_eq!(stderr.as_deref(), Some("\n// *** WARNING ***\n// kept\n"));
    }

    #[test]
    fn the_written_message_counts_models_and_enums() {
        assert_eq!(
            PullPlan::written_message(1, 2, "schema.prisma", 7, None),
            "✔ Introspected 1 model and 2 enums and wrote them into schema.prisma in 7ms\n\nRun `gen generate` to generate the client.\n"
        );
    }
}
