//! ARCHITECTURE.md checked against the code, so the map cannot drift from the territory:
//! the "## Crates" table against `cargo metadata` (every normal dependency among the
//! workspace's crates is listed, nothing listed is missing, and each crate depends only on
//! crates listed above it), and the "## Environment" list against the environment reads
//! in the sources of every crate below the binaries.
//!
//! Needs nothing but the repository and cargo: no database, no corpus, no oracle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

fn architecture_md() -> String {
    let path = workspace_root().join("ARCHITECTURE.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The lines of the level-2 section whose heading starts with `heading`, up to the next
/// level-2 heading.
fn section<'a>(doc: &'a str, heading: &str) -> Vec<&'a str> {
    let mut lines = doc.lines().skip_while(|line| !line.starts_with(heading));
    assert!(
        lines.next().is_some(),
        "ARCHITECTURE.md has no section starting with `{heading}`: this test reads it, so \
         restore the heading (or change crates/cli/tests/architecture.rs with it)"
    );
    lines.take_while(|line| !line.starts_with("## ")).collect()
}

/// The text between the first pair of backticks in `text`, if any.
fn first_code_span(text: &str) -> Option<&str> {
    let start = text.find('`')? + 1;
    let len = text[start..].find('`')?;
    Some(&text[start..start + len])
}

/// The cells of a Markdown table row (`\|` inside a cell is not a separator).
fn table_cells(row: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = row.trim().trim_start_matches('|').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => cell.push(chars.next().unwrap_or('|')),
            '|' => cells.push(std::mem::take(&mut cell).trim().to_string()),
            _ => cell.push(c),
        }
    }
    if !cell.trim().is_empty() {
        cells.push(cell.trim().to_string());
    }
    cells
}

/// One workspace package as `cargo metadata` describes it.
struct Package {
    name: String,
    /// Its folder relative to the workspace root (`crates/runtime`, `xtask`).
    dir: String,
    /// Names of its normal and build dependencies (as written in its manifest, renames
    /// applied), whether in the workspace or not.
    dependencies: BTreeSet<String>,
}

fn workspace_packages(root: &Path) -> Vec<Package> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .expect("running cargo metadata");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    packages
        .iter()
        .map(|package| {
            let manifest = Path::new(package["manifest_path"].as_str().expect("manifest_path"));
            let dir = manifest.parent().expect("manifest folder");
            let dir = dir.strip_prefix(root).unwrap_or(dir);
            let dependencies = package["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .filter(|dep| dep["kind"].as_str() != Some("dev"))
                .map(|dep| {
                    dep["rename"]
                        .as_str()
                        .or(dep["name"].as_str())
                        .expect("name")
                        .to_string()
                })
                .collect();
            Package {
                name: package["name"].as_str().expect("name").to_string(),
                dir: dir.to_string_lossy().replace('\\', "/"),
                dependencies,
            }
        })
        .collect()
}

/// Folders of workspace members the "## Crates" table does not describe: the committed
/// generated clients and the example application have a section of their own.
fn described_elsewhere(dir: &str) -> bool {
    dir.starts_with("generated/") || dir.starts_with("examples/")
}

/// One row of the "## Crates" table: the crate's folder and the names in its "depends on"
/// cell (the first word of each comma-separated item, backticks removed).
struct Row {
    dir: String,
    depends_on: Vec<String>,
}

fn crate_table(doc: &str) -> Vec<Row> {
    let lines = section(doc, "## Crates");
    let mut rows = Vec::new();
    for line in lines
        .iter()
        .filter(|line| line.trim_start().starts_with('|'))
    {
        let cells = table_cells(line);
        if cells.len() < 3 || cells[0] == "crate" || cells[0].starts_with("---") {
            continue;
        }
        let dir = first_code_span(&cells[0]).unwrap_or_else(|| {
            panic!(
                "ARCHITECTURE.md, ## Crates: the row `{line}` names no crate folder in \
                 backticks in its first cell (write it as `crates/<name>`)"
            )
        });
        let depends_on = cells[cells.len() - 1]
            .split(',')
            .map(|item| {
                let item = item.trim().replace('`', "");
                item.split([' ', '(']).next().unwrap_or("").to_string()
            })
            .filter(|name| !name.is_empty())
            .collect();
        rows.push(Row {
            dir: dir.trim_end_matches('/').to_string(),
            depends_on,
        });
    }
    assert!(
        !rows.is_empty(),
        "ARCHITECTURE.md, ## Crates: no table rows found"
    );
    rows
}

#[test]
fn crate_table_matches_cargo_metadata() {
    let root = workspace_root();
    let doc = architecture_md();
    let rows = crate_table(&doc);
    let packages = workspace_packages(&root);
    let by_dir: BTreeMap<&str, &Package> = packages.iter().map(|p| (p.dir.as_str(), p)).collect();
    let by_name: BTreeMap<&str, &Package> = packages.iter().map(|p| (p.name.as_str(), p)).collect();
    // A row position per crate folder: dependencies must point to a smaller one.
    let position: BTreeMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| (row.dir.as_str(), i))
        .collect();
    // How the table may name a workspace crate: its package name, or its folder's last
    // component (`runtime` for `crates/runtime`, `test-macros`).
    let workspace_name = |word: &str| -> Option<&Package> {
        by_name.get(word).copied().or_else(|| {
            packages
                .iter()
                .find(|p| Path::new(&p.dir).file_name().is_some_and(|n| n == word))
                .filter(|p| !described_elsewhere(&p.dir))
        })
    };

    let mut problems = Vec::new();
    for package in &packages {
        if !described_elsewhere(&package.dir) && !position.contains_key(package.dir.as_str()) {
            problems.push(format!(
                "`{}` ({}) is a workspace member with no row in ARCHITECTURE.md's ## Crates \
                 table: add `| `{}` ({}) | what it owns | what it depends on |`",
                package.dir, package.name, package.dir, package.name
            ));
        }
    }
    for (index, row) in rows.iter().enumerate() {
        let Some(package) = by_dir.get(row.dir.as_str()) else {
            problems.push(format!(
                "ARCHITECTURE.md, ## Crates lists `{}`, which is no workspace member: remove \
                 the row or correct the folder",
                row.dir
            ));
            continue;
        };
        let mut listed_workspace = BTreeSet::new();
        for word in &row.depends_on {
            if let Some(dep) = workspace_name(word) {
                listed_workspace.insert(dep.name.clone());
                if !package.dependencies.contains(&dep.name) {
                    problems.push(format!(
                        "ARCHITECTURE.md, ## Crates: `{}` is listed as depending on `{word}`, \
                         but {}'s Cargo.toml has no normal dependency on {}: remove `{word}` \
                         from its \"depends on\" cell",
                        row.dir, package.name, dep.name
                    ));
                }
            } else if !package.dependencies.contains(word) {
                problems.push(format!(
                    "ARCHITECTURE.md, ## Crates: `{}` is listed as depending on `{word}`, \
                     which is neither a workspace crate nor a normal dependency in {}/Cargo.toml: \
                     remove it or correct the name",
                    row.dir, row.dir
                ));
            }
        }
        for dep_name in &package.dependencies {
            let Some(dep) = by_name.get(dep_name.as_str()) else {
                continue;
            };
            if !listed_workspace.contains(dep_name) {
                problems.push(format!(
                    "ARCHITECTURE.md, ## Crates: `{}` depends on {} (`{}`) in its Cargo.toml, \
                     but its \"depends on\" cell does not say so: add `{}` to that cell",
                    row.dir,
                    dep_name,
                    dep.dir,
                    Path::new(&dep.dir)
                        .file_name()
                        .map_or(dep_name.into(), |n| n.to_string_lossy())
                ));
            }
            match position.get(dep.dir.as_str()) {
                Some(&dep_index) if dep_index > index => problems.push(format!(
                    "ARCHITECTURE.md, ## Crates: `{}` depends on `{}`, which the table lists \
                     below it; each crate may depend only on crates listed above it: move the \
                     `{}` row above `{}` (if nothing listed between them depends on it), or \
                     remove the dependency",
                    row.dir, dep.dir, dep.dir, row.dir
                )),
                None if !described_elsewhere(&dep.dir) => {} // reported above as a missing row
                _ => {}
            }
        }
    }
    assert!(
        problems.is_empty(),
        "ARCHITECTURE.md's crate table disagrees with cargo metadata:\n- {}",
        problems.join("\n- ")
    );
}

/// Workspace members that own their process and read their environment freely: the CLI,
/// xtask and the example applications. Everything else is checked.
fn reads_environment_freely(dir: &str) -> bool {
    dir == "crates/cli" || dir == "xtask" || dir.starts_with("examples/")
}

/// The "## Environment" list: for each source file (or, for a read inside a dependency, a
/// crate folder), the variables it reads. A line reads
/// `` - `path` reads `VAR`, `OTHER`: why ``; `.env` stands for a dotenv file, `*` for every
/// variable.
fn environment_list(doc: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut listed = BTreeMap::new();
    for line in section(doc, "## Environment") {
        let Some(item) = line.strip_prefix("- `") else {
            continue;
        };
        let Some((path, rest)) = item.split_once('`') else {
            continue;
        };
        let names_part = rest.split(": ").next().unwrap_or(rest);
        let names: BTreeSet<String> = names_part
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|word| {
                *word == ".env"
                    || *word == "*"
                    || word
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            })
            .map(str::to_string)
            .collect();
        listed.insert(path.trim_end_matches('/').to_string(), names);
    }
    listed
}

/// One environment read found in a source file.
struct Read {
    line: usize,
    /// The variable's name, `.env` for a dotenv file, `*` for every variable.
    name: Result<String, String>,
}

/// The environment reads in `source`: `env::var`, `env::var_os`, `env::vars`,
/// `env::vars_os`, `env::home_dir` and dotenv crates. `env!`/`option_env!` (compile time)
/// and `env::temp_dir` (the operating system's temporary folder) are not reads of the
/// process's configuration. Importing the reading functions themselves is reported, since
/// the reads would then go unseen.
fn environment_reads(source: &str) -> Vec<Read> {
    let mut reads = Vec::new();
    let mut line_start = 0;
    for (number, line) in source.split('\n').enumerate() {
        let rest_of_file = &source[line_start..];
        line_start += line.len() + 1;
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let line_number = number + 1;
        for (pattern, takes_name) in [
            ("env::var(", true),
            ("env::var_os(", true),
            ("env::vars(", false),
            ("env::vars_os(", false),
        ] {
            for (at, _) in line.match_indices(pattern) {
                let after = rest_of_file[at + pattern.len()..].trim_start();
                let name = if !takes_name {
                    Ok("*".to_string())
                } else if let Some(literal) = after.strip_prefix('"') {
                    Ok(literal[..literal.find('"').unwrap_or(0)].to_string())
                } else {
                    Err(format!(
                        "`{}` takes a name that is not a string literal, so the list cannot \
                         name it: read it where the name is written",
                        pattern.trim_end_matches('(')
                    ))
                };
                reads.push(Read {
                    line: line_number,
                    name,
                });
            }
        }
        if line.contains("env::home_dir(") {
            reads.push(Read {
                line: line_number,
                name: Ok("HOME".to_string()),
            });
        }
        if line.contains("dotenvy::") || line.contains("dotenv::") {
            reads.push(Read {
                line: line_number,
                name: Ok(".env".to_string()),
            });
        }
        if let Some(import) = code.strip_prefix("use std::env::")
            && (import.starts_with('{')
                || import.starts_with("var")
                || import.starts_with("home_dir"))
        {
            reads.push(Read {
                line: line_number,
                name: Err(
                    "imports std::env's functions by name, which hides the reads from \
                           this test: `use std::env;` and call `env::var(..)`"
                        .to_string(),
                ),
            });
        }
    }
    reads
}

#[test]
fn only_the_listed_files_read_the_environment() {
    let root = workspace_root();
    let listed = environment_list(&architecture_md());
    let packages = workspace_packages(&root);

    let mut problems = Vec::new();
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for package in packages
        .iter()
        .filter(|p| !reads_environment_freely(&p.dir))
    {
        let src = root.join(&package.dir).join("src");
        let files = if src.is_dir() {
            refract_testdb::files_below(&src)
                .into_iter()
                .filter(|path| path.extension().is_some_and(|e| e == "rs"))
                .collect()
        } else {
            Vec::new()
        };
        for file in files {
            let source = std::fs::read_to_string(&file).unwrap_or_default();
            let relative = file
                .strip_prefix(&root)
                .unwrap_or(&file)
                .to_string_lossy()
                .replace('\\', "/");
            for read in environment_reads(&source) {
                match read.name {
                    Err(why) => problems.push(format!("{relative}:{}: {why}", read.line)),
                    Ok(name) => {
                        if !listed
                            .get(&relative)
                            .is_some_and(|names| names.contains(&name))
                        {
                            problems.push(format!(
                                "{relative}:{} reads `{name}` from the environment, and \
                                 ARCHITECTURE.md's ## Environment list does not name it for \
                                 this file. Below the CLI a crate takes its settings as \
                                 arguments: read `{name}` in crates/cli and pass it down; or, if \
                                 this crate must read it (a test harness, an application's \
                                 `Client::from_env`), add `{name}` to the line \
                                 ``- `{relative}` reads ...`` with the reason",
                                read.line
                            ));
                        }
                        found.entry(relative.clone()).or_default().insert(name);
                    }
                }
            }
        }
    }
    for (path, names) in &listed {
        let full = root.join(path);
        if full.is_dir() {
            // A read inside a dependency (refract-tls through rustls-native-certs): the
            // crate must exist and be checked here; its source holds no read to compare.
            if !packages
                .iter()
                .any(|p| &p.dir == path && !reads_environment_freely(&p.dir))
            {
                problems.push(format!(
                    "ARCHITECTURE.md's ## Environment names the folder `{path}`, which is no \
                     checked crate of the workspace: remove the line or correct the folder"
                ));
            }
            continue;
        }
        let owner = packages
            .iter()
            .find(|p| path.starts_with(&format!("{}/", p.dir)));
        if owner.is_none_or(|p| reads_environment_freely(&p.dir)) {
            problems.push(format!(
                "ARCHITECTURE.md's ## Environment names `{path}`, which is not a source file of \
                 a crate below the binaries (the CLI, xtask and examples need no line): remove \
                 the line or correct the path"
            ));
            continue;
        }
        for name in names {
            if !found.get(path).is_some_and(|read| read.contains(name)) {
                problems.push(format!(
                    "ARCHITECTURE.md's ## Environment says `{path}` reads `{name}`, and it no \
                     longer does: remove `{name}` from that line (and the line if it names \
                     nothing else)"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "environment reads disagree with ARCHITECTURE.md's ## Environment list:\n- {}",
        problems.join("\n- ")
    );
}

#[test]
fn the_scanner_sees_every_kind_of_read() {
    let source = "fn f() {\n    // std::env::var(\"COMMENTED\")\n    let a = std::env::var(\"A\");\n    let b = env::var_os(\n        \"B\",\n    );\n    let all = std::env::vars();\n    let _ = dotenvy::dotenv();\n    let c = std::env::var(name);\n    let t = std::env::temp_dir();\n    let v = env!(\"CARGO_PKG_VERSION\");\n}\nuse std::env::var_os;\n";
    let reads: Vec<(usize, Result<String, String>)> = environment_reads(source)
        .into_iter()
        .map(|r| (r.line, r.name))
        .collect();
    let names: Vec<(usize, Option<&str>)> = reads
        .iter()
        .map(|(line, name)| (*line, name.as_deref().ok()))
        .collect();
    assert_eq!(
        names,
        [
            (3, Some("A")),
            (4, Some("B")),
            (7, Some("*")),
            (8, Some(".env")),
            (9, None),
            (13, None)
        ]
    );
}
