//! `lint`: `gen migrate lint --all` over every real migration folder of the corpus
//! (`corpus/real/*/migrations`), measured against squawk (the `squawk-cli` package on
//! PyPI, installed with pip on first use) on the rules both have.
//!
//! Both tools read the same files; squawk runs with `--assume-in-transaction` (refract runs
//! each migration in one transaction, and squawk then knows tables created earlier in the
//! same file). Findings are compared per statement (squawk's line, 0-based and pointing
//! inside the statement, is mapped to the statement holding it; refract's is the
//! statement's first line), rule by rule. Every disagreement is put in a category that
//! explains it, found by asking refract's lint itself (what it reports with no schema, or
//! for the statement alone): a disagreement no category explains fails the section, and so
//! does either tool crashing. Explained ones are printed, never failed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail};
use refract_migrate::lint::statement::{self, Action, Statement};
use refract_migrate::lint::{Context, Rule, lint_script};
use refract_migrate::split::{ScriptStatement, split_statements};

use super::{Disagreement, print_table};

const SUITE: &str = "lint";

/// The rules refract and squawk both have, under the same name.
const SHARED: [Rule; 10] = [
    Rule::AddingRequiredField,
    Rule::RequireConcurrentIndexCreation,
    Rule::AddingForeignKeyConstraint,
    Rule::ConstraintMissingNotValid,
    Rule::AddingNotNullableField,
    Rule::ChangingColumnType,
    Rule::BanDropColumn,
    Rule::BanDropTable,
    Rule::RenamingColumn,
    Rule::RenamingTable,
];

/// A statement of a project: (project, migration, statement index).
type Key = (String, String, usize);

/// One project's migrations, read once.
struct Project {
    name: String,
    dir: PathBuf,
    schema: PathBuf,
    /// Migration name → its statements.
    migrations: BTreeMap<String, Vec<ScriptStatement>>,
    scripts: BTreeMap<String, String>,
}

pub fn run(corpus: &Path) -> Result<Vec<Disagreement>> {
    let squawk = squawk()?;
    let gen_bin = gen_binary()?;
    let mut projects = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus.join("real"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("migrations").is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        projects.push(read_project(&dir)?);
    }

    let mut out = Vec::new();
    let mut refract: BTreeMap<Rule, BTreeSet<Key>> = BTreeMap::new();
    let mut squawk_found: BTreeMap<Rule, BTreeSet<Key>> = BTreeMap::new();
    let mut unparsed: BTreeSet<(String, String)> = BTreeSet::new();
    let mut per_project = Vec::new();
    for project in &projects {
        let ours = match run_gen(&gen_bin, project) {
            Ok(found) => found,
            Err(e) => {
                out.push(Disagreement {
                    suite: SUITE,
                    case: project.name.clone(),
                    detail: format!("gen migrate lint --all failed: {e:#}"),
                });
                continue;
            }
        };
        let theirs = match run_squawk(&squawk, project) {
            Ok(found) => found,
            Err(e) => {
                out.push(Disagreement {
                    suite: SUITE,
                    case: project.name.clone(),
                    detail: format!("squawk failed: {e:#}"),
                });
                continue;
            }
        };
        per_project.push(vec![
            project.name.clone(),
            project.migrations.len().to_string(),
            ours.len().to_string(),
            theirs.findings.len().to_string(),
            theirs.unparsed.len().to_string(),
        ]);
        for (key, rule) in ours {
            refract.entry(rule).or_default().insert(key);
        }
        for (key, name) in theirs.findings {
            if let Some(rule) = Rule::from_name(&name).filter(|r| SHARED.contains(r)) {
                squawk_found.entry(rule).or_default().insert(key);
            }
        }
        unparsed.extend(
            theirs
                .unparsed
                .into_iter()
                .map(|m| (project.name.clone(), m)),
        );
    }
    print_table(
        "lint: gen migrate lint --all and squawk over corpus/real/*/migrations",
        &[
            "project",
            "migrations",
            "refract findings (all rules)",
            "squawk findings (all rules)",
            "files squawk cannot parse",
        ],
        &per_project,
    );

    let by_name: HashMap<&str, &Project> = projects.iter().map(|p| (p.name.as_str(), p)).collect();
    let mut rows = Vec::new();
    let mut categories: BTreeMap<(Rule, &'static str, String), (usize, String)> = BTreeMap::new();
    for rule in SHARED {
        let empty = BTreeSet::new();
        let ours = refract.get(&rule).unwrap_or(&empty);
        let theirs = squawk_found.get(&rule).unwrap_or(&empty);
        let both = ours.intersection(theirs).count();
        let union = ours.union(theirs).count();
        let mut unexplained = 0;
        let mut row = vec![
            rule.name().to_owned(),
            ours.len().to_string(),
            theirs.len().to_string(),
            both.to_string(),
            (ours.len() - both).to_string(),
            (theirs.len() - both).to_string(),
            if union == 0 {
                "-".to_owned()
            } else {
                format!("{:.1}%", 100.0 * both as f64 / union as f64)
            },
        ];
        for (side, only) in [
            ("refract only", ours.difference(theirs)),
            ("squawk only", theirs.difference(ours)),
        ] {
            for key in only {
                let project = by_name[key.0.as_str()];
                let category = if side == "refract only" {
                    explain_refract_only(project, key, rule, &unparsed)
                } else {
                    explain_squawk_only(project, key, rule, &refract)
                };
                let example = format!(
                    "{}/{}/migration.sql:{}",
                    key.0,
                    key.1,
                    line_of(project, key)
                );
                unexplained += usize::from(category.is_none());
                let entry = categories
                    .entry((rule, side, category.unwrap_or_default()))
                    .or_insert((0, example));
                entry.0 += 1;
            }
        }
        row.push(unexplained.to_string());
        rows.push(row);
    }
    print_table(
        "lint: agreement with squawk per rule (statements; agreement = both / either)",
        &[
            "rule",
            "refract",
            "squawk",
            "both",
            "refract only",
            "squawk only",
            "agreement",
            "unexplained",
        ],
        &rows,
    );
    let mut explained = Vec::new();
    for ((rule, side, category), (count, example)) in &categories {
        if category.is_empty() {
            out.push(Disagreement {
                suite: SUITE,
                case: format!("{rule} {side}"),
                detail: format!("{count} statement(s) no category explains, e.g. {example}"),
            });
        } else {
            explained.push(vec![
                rule.name().to_owned(),
                (*side).to_owned(),
                count.to_string(),
                category.clone(),
                example.clone(),
            ]);
        }
    }
    print_table(
        "lint: disagreements with squawk, explained",
        &["rule", "side", "statements", "why", "example"],
        &explained,
    );
    Ok(out)
}

/// Why squawk reports `rule` on a statement refract does not; `None` when nothing explains it.
fn explain_squawk_only(
    project: &Project,
    key: &Key,
    rule: Rule,
    refract: &BTreeMap<Rule, BTreeSet<Key>>,
) -> Option<String> {
    let statements = &project.migrations[&key.1];
    let code = statements[key.2].code();
    let parsed = statement::parse(code);
    let reported = |rule: Rule| refract.get(&rule).is_some_and(|keys| keys.contains(key));
    let (tables, actions): (Vec<&str>, &[Action]) = match &parsed {
        Statement::AlterTable { table, actions } => (vec![table.as_str()], actions.as_slice()),
        Statement::CreateIndex { table, .. } => (vec![table.as_str()], &[]),
        Statement::DropTable { tables } => (tables.iter().map(String::as_str).collect(), &[]),
        _ => (Vec::new(), &[]),
    };
    // squawk reports a foreign key under both rules; refract under one.
    let counterpart = if rule == Rule::ConstraintMissingNotValid {
        Rule::AddingForeignKeyConstraint
    } else {
        rule
    };
    let alone_reports = |context: Context<'_>| {
        lint_script(code, context)
            .iter()
            .any(|f| (f.rule == rule || f.rule == counterpart) && f.line == 1)
    };
    // What refract reports with the statement alone, it left out for what came before it.
    if alone_reports(Context::default()) {
        let created_before = tables.iter().any(|table| {
            statements[..key.2]
                .iter()
                .any(|s| match statement::parse(s.code()) {
                    Statement::CreateTable { table: t, .. } => t == *table,
                    Statement::AlterTable { actions, .. } => actions
                        .iter()
                        .any(|a| matches!(a, Action::RenameTable { to } if to == table)),
                    _ => false,
                })
        });
        if created_before {
            return Some(
                "the table is created (temporary, or renamed from one created) earlier in the same migration: refract knows it is new"
                    .into(),
            );
        }
    }
    if rule == Rule::ConstraintMissingNotValid
        && actions.iter().any(|a| {
            matches!(
                a,
                Action::AddForeignKey {
                    not_valid: false,
                    ..
                }
            )
        })
        && reported(Rule::AddingForeignKeyConstraint)
    {
        return Some(
            "a foreign key: squawk reports it under both rules, refract under adding-foreign-key-constraint only"
                .into(),
        );
    }
    if rule == Rule::ConstraintMissingNotValid
        && actions
            .iter()
            .any(|a| matches!(a, Action::AddKey { using_index: false }))
    {
        return Some(
            "a primary key or unique constraint, which PostgreSQL cannot add `NOT VALID`: squawk reports it under this rule, refract has no rule for it"
                .into(),
        );
    }
    let script = &project.scripts[&key.1];
    let line = statements[key.2].line;
    if matches!(rule, Rule::BanDropColumn | Rule::BanDropTable)
        && lint_script(script, Context::default())
            .iter()
            .any(|f| f.rule == rule && f.line == line)
    {
        return Some(
            "no longer in the current schema: its client does not read it (squawk reports every drop)"
                .into(),
        );
    }
    if alone_reports(Context::default()) {
        if rule == Rule::ChangingColumnType {
            return Some(
                "binary-compatible change from the column's type known from earlier migrations (varchar widened or to text, numeric precision raised): no rewrite"
                    .into(),
            );
        }
        if rule == Rule::AddingNotNullableField {
            return Some("a validated `IS NOT NULL` check proves the column first".into());
        }
    }
    None
}

/// Why refract reports `rule` on a statement squawk does not; `None` when nothing explains it.
fn explain_refract_only(
    project: &Project,
    key: &Key,
    rule: Rule,
    unparsed: &BTreeSet<(String, String)>,
) -> Option<String> {
    if unparsed.contains(&(key.0.clone(), key.1.clone())) {
        return Some(
            "squawk cannot parse the file (syntax-error), so it reports nothing after the error"
                .into(),
        );
    }
    let statements = &project.migrations[&key.1];
    let parsed = statement::parse(statements[key.2].code());
    let actions = match &parsed {
        Statement::AlterTable { actions, .. } => actions.as_slice(),
        _ => &[],
    };
    if rule == Rule::ConstraintMissingNotValid
        && actions
            .iter()
            .any(|a| matches!(a, Action::ValidateConstraint { .. }))
    {
        return Some(
            "`VALIDATE CONSTRAINT` of a constraint added `NOT VALID` in the same migration: squawk reports only the check it sees added in the file"
                .into(),
        );
    }
    None
}

fn line_of(project: &Project, key: &Key) -> usize {
    project.migrations[&key.1][key.2].line
}

fn read_project(dir: &Path) -> Result<Project> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Relative to the project, where gen runs, so that it prints `migrations/...` paths.
    let schema = PathBuf::from(if dir.join("schema.prisma").is_file() {
        "schema.prisma"
    } else {
        "schema"
    });
    let mut migrations = BTreeMap::new();
    let mut scripts = BTreeMap::new();
    for migration in refract_migrate::migrations_dir::list_migrations(&dir.join("migrations"))? {
        let script = migration
            .read_script()
            .with_context(|| format!("reading {}", migration.script_path().display()))?;
        migrations.insert(migration.name.clone(), split_statements(&script));
        scripts.insert(migration.name, script);
    }
    Ok(Project {
        name,
        dir: dir.to_owned(),
        schema,
        migrations,
        scripts,
    })
}

/// The statement of `migration` holding 1-based `line`: the last one starting at or
/// before it.
fn statement_at(project: &Project, migration: &str, line: usize) -> Option<usize> {
    let statements = project.migrations.get(migration)?;
    statements.iter().rposition(|s| s.line <= line)
}

/// `gen migrate lint --all` over a project: (statement, rule) per finding.
fn run_gen(gen_bin: &Path, project: &Project) -> Result<Vec<(Key, Rule)>> {
    let output = Command::new(gen_bin)
        .current_dir(&project.dir)
        .args(["migrate", "lint", "--all", "--schema"])
        .arg(&project.schema)
        .output()
        .with_context(|| format!("running {}", gen_bin.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !matches!(output.status.code(), Some(0 | 1)) {
        bail!(
            "exit {:?}: {}{}",
            output.status.code(),
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut found = Vec::new();
    for line in stdout.lines() {
        // `migrations/<name>/migration.sql:<line>: <rule>: <message>`
        let Some(rest) = line.strip_prefix("migrations/") else {
            continue;
        };
        let Some((migration, rest)) = rest.split_once("/migration.sql:") else {
            continue;
        };
        let mut parts = rest.splitn(3, ": ");
        let (Some(number), Some(rule)) = (parts.next(), parts.next()) else {
            bail!("unexpected line from gen: {line}");
        };
        let number: usize = number.parse().with_context(|| format!("line in {line}"))?;
        let rule = Rule::from_name(rule).with_context(|| format!("rule in {line}"))?;
        let index = project
            .migrations
            .get(migration)
            .and_then(|s| s.iter().position(|s| s.line == number))
            .with_context(|| format!("no statement starts at {migration}:{number}"))?;
        found.push(((project.name.clone(), migration.to_owned(), index), rule));
    }
    Ok(found)
}

struct SquawkReport {
    /// (statement, rule name) per finding.
    findings: Vec<(Key, String)>,
    /// Migrations squawk reported a syntax error in.
    unparsed: BTreeSet<String>,
}

/// squawk over a project's migrations, in one call.
fn run_squawk(squawk: &Path, project: &Project) -> Result<SquawkReport> {
    let files: Vec<String> = project
        .migrations
        .keys()
        .map(|m| format!("migrations/{m}/migration.sql"))
        .collect();
    let output = Command::new(squawk)
        .current_dir(&project.dir)
        .args(["--reporter", "gcc", "--assume-in-transaction"])
        .args(&files)
        .output()
        .with_context(|| format!("running {}", squawk.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !matches!(output.status.code(), Some(0 | 1)) {
        bail!(
            "exit {:?}: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut report = SquawkReport {
        findings: Vec::new(),
        unparsed: BTreeSet::new(),
    };
    for line in stdout.lines() {
        // `migrations/<name>/migration.sql:<line>:<col>: <level>: <rule> <message>`
        let Some(rest) = line.strip_prefix("migrations/") else {
            continue;
        };
        let Some((migration, rest)) = rest.split_once("/migration.sql:") else {
            continue;
        };
        let mut parts = rest.splitn(4, ':');
        let (Some(number), Some(_column), Some(_level), Some(tail)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            bail!("unexpected line from squawk: {line}");
        };
        let number: usize = number.parse().with_context(|| format!("line in {line}"))?;
        let rule = tail
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        if rule == "syntax-error" {
            report.unparsed.insert(migration.to_owned());
            continue;
        }
        // squawk's lines are 0-based.
        let Some(index) = statement_at(project, migration, number + 1) else {
            continue;
        };
        report
            .findings
            .push(((project.name.clone(), migration.to_owned(), index), rule));
    }
    Ok(report)
}

/// The `squawk` binary: on `PATH`, else pip's scripts folder after `pip install squawk-cli`.
fn squawk() -> Result<PathBuf> {
    let runs = |path: &Path| {
        Command::new(path)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let on_path = PathBuf::from("squawk");
    if runs(&on_path) {
        return Ok(on_path);
    }
    let scripts = || -> Option<PathBuf> {
        let out = Command::new("python3")
            .args([
                "-c",
                "import sysconfig; print(sysconfig.get_path('scripts'))",
            ])
            .output()
            .ok()?;
        Some(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("squawk"))
    };
    if let Some(path) = scripts().filter(|p| runs(p)) {
        return Ok(path);
    }
    println!("lint: installing squawk-cli from PyPI (pip install squawk-cli)");
    let status = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "squawk-cli"])
        .status()
        .context("running python3 -m pip")?;
    anyhow::ensure!(status.success(), "pip install squawk-cli failed");
    if runs(&on_path) {
        return Ok(on_path);
    }
    scripts()
        .filter(|p| runs(p))
        .context("squawk-cli is installed but its `squawk` binary does not run")
}

/// `gen`: `REFRACT_GEN` (CI sets it to the one its test run built), else a debug build.
fn gen_binary() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("REFRACT_GEN").map(PathBuf::from)
        && path.is_file()
    {
        return Ok(path);
    }
    let root = crate::root();
    let status = Command::new(env!("CARGO"))
        .current_dir(&root)
        .args(["build", "-q", "-p", "refract-cli"])
        .status()
        .context("building gen")?;
    anyhow::ensure!(status.success(), "cargo build -p refract-cli failed");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok(target.join("debug/gen"))
}
