//! Migration lint: PostgreSQL lock and compatibility hazards in migration scripts, before
//! they reach a database that serves traffic.
//!
//! Pure: SQL text and a [`Context`] in, [`Finding`]s out; no connection, no file. Statements
//! come from `split`'s splitter and their shape from its lexer ([`statement`]), so comments,
//! strings and quoted names are never mistaken for keywords, and SQL the lint does not know
//! is simply not a hazard it reports. Each rule is one named function in [`rules`] with a
//! stable kebab-case name (squawk's where the rule is the same), a message, the statement's
//! 1-based line and a fix. A `-- refract-lint: allow <rule>[, <rule>...]` comment among the
//! comments above a statement silences those rules for that statement.
//!
//! A [`Linter`] reads migrations in order and remembers what a rule needs from earlier ones:
//! tables created (a table created earlier in the same migration, or in a pending migration
//! applied in the same run, is empty, so locking it hurts nobody), column types (widening a
//! `varchar` rewrites nothing), and validated `IS NOT NULL` checks (which let PostgreSQL 12+
//! `SET NOT NULL` without a scan). "Still read by the client" is the lowered current schema
//! ([`Context::schema`]): it still has the table or column.

mod rules;
pub mod statement;

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::SqlSchema;
use crate::split::{ScriptStatement, split_statements};
use statement::Statement;

/// The comment that silences rules for the statement below it.
pub const ALLOW_MARKER: &str = "refract-lint: allow";

/// A lint rule. Names are stable: they appear in allow comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    AddingRequiredField,
    RequireConcurrentIndexCreation,
    AddingForeignKeyConstraint,
    ConstraintMissingNotValid,
    AddingNotNullableField,
    ChangingColumnType,
    BanDropColumn,
    BanDropTable,
    RenamingColumn,
    RenamingTable,
    AddingEnumValueInTransaction,
}

impl Rule {
    /// Every rule, in the order findings and `--explain` list them.
    pub const ALL: [Rule; 11] = [
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
        Rule::AddingEnumValueInTransaction,
    ];

    /// The rule's stable name.
    pub fn name(self) -> &'static str {
        match self {
            Rule::AddingRequiredField => "adding-required-field",
            Rule::RequireConcurrentIndexCreation => "require-concurrent-index-creation",
            Rule::AddingForeignKeyConstraint => "adding-foreign-key-constraint",
            Rule::ConstraintMissingNotValid => "constraint-missing-not-valid",
            Rule::AddingNotNullableField => "adding-not-nullable-field",
            Rule::ChangingColumnType => "changing-column-type",
            Rule::BanDropColumn => "ban-drop-column",
            Rule::BanDropTable => "ban-drop-table",
            Rule::RenamingColumn => "renaming-column",
            Rule::RenamingTable => "renaming-table",
            Rule::AddingEnumValueInTransaction => "adding-enum-value-in-transaction",
        }
    }

    /// The rule named `name` (its stable [`Rule::name`], as `refract-lint: allow` comments
    /// and the CLI write it); `None` for a name no rule has.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.name() == name)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One hazard in one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    /// 1-based line of the statement in its script.
    pub line: usize,
    pub message: String,
    pub fix: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}\n  fix: {}",
            self.line, self.rule, self.message, self.fix
        )
    }
}

/// What the lint knows beyond the scripts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The current schema, lowered: what the client generated from it reads. Without it,
    /// every dropped table or column counts as still read.
    pub schema: Option<&'a SqlSchema>,
    /// The target server's `server_version_num`; unknown, the version-dependent rule
    /// (`adding-enum-value-in-transaction`) stays silent.
    pub server_version_num: Option<u32>,
}

/// How tables created by one linted migration count for the next linted one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The migrations are pending and run together: a table an earlier one creates is
    /// still empty when a later one alters it.
    Pending,
    /// Each migration is judged alone (`--all`): earlier ones ran long ago.
    EachAlone,
}

/// Reads migrations in order; see the module doc.
#[derive(Debug)]
pub struct Linter<'a> {
    context: Context<'a>,
    scope: Scope,
    state: State,
}

/// What rules need from earlier statements.
#[derive(Debug, Default, Clone)]
struct State {
    /// Tables created in the migrations being linted (per [`Scope`]).
    new_tables: HashSet<String>,
    /// Column types seen in `CREATE TABLE`, `ADD COLUMN` and `SET DATA TYPE`.
    column_types: HashMap<(String, String), String>,
    /// `CHECK (col IS NOT NULL) NOT VALID` constraints awaiting `VALIDATE`.
    unvalidated_checks: HashMap<String, (String, String)>,
    /// Columns a validated check proves not null.
    proven_not_null: HashSet<(String, String)>,
    /// Constraints added `NOT VALID` by the migration being linted: validating one in the
    /// same transaction holds the lock adding it took.
    not_valid_here: HashSet<String>,
}

/// What a rule sees: the context, the state before the statement, the table's status.
pub(crate) struct Cx<'s, 'a> {
    context: &'s Context<'a>,
    state: &'s State,
    /// The script runs inside a transaction (as `apply` plans it).
    in_transaction: bool,
}

impl Cx<'_, '_> {
    fn is_new(&self, table: &str) -> bool {
        self.state.new_tables.contains(table)
    }

    /// Whether the current schema's client still reads `table` (every table when there is
    /// no schema to ask).
    fn client_reads_table(&self, table: &str) -> bool {
        self.context
            .schema
            .is_none_or(|schema| schema.tables.iter().any(|t| t.name == table))
    }

    fn client_reads_column(&self, table: &str, column: &str) -> bool {
        self.context.schema.is_none_or(|schema| {
            schema
                .tables
                .iter()
                .any(|t| t.name == table && t.columns.iter().any(|c| c.name == column))
        })
    }
}

/// A hazard before it has a line.
pub(crate) struct Hazard {
    rule: Rule,
    message: String,
    fix: String,
}

impl<'a> Linter<'a> {
    /// A linter knowing nothing yet of the migrations before: feed the applied ones to
    /// [`Linter::learn`], then [`Linter::lint`] the rest in order. `scope` says whether the
    /// tables a migration creates count as new for the migrations after it.
    pub fn new(context: Context<'a>, scope: Scope) -> Self {
        Linter {
            context,
            scope,
            state: State::default(),
        }
    }

    /// Reads an applied migration without linting it (column types, checks).
    pub fn learn(&mut self, script: &str) {
        for statement in split_statements(script) {
            self.state.record(&statement::parse(statement.code()));
        }
        self.state.new_tables.clear();
    }

    /// Lints one migration, then remembers it as [`Linter::learn`] does.
    pub fn lint(&mut self, script: &str) -> Vec<Finding> {
        let statements = split_statements(script);
        // Whether it runs in a transaction is what applying it decides (one model): only a
        // script `apply::plan` runs statement by statement does not. Without a version, or
        // refused (a mix applying would not run), it is taken as in one.
        let in_transaction = self.context.server_version_num.is_none_or(|version| {
            !matches!(
                crate::apply::plan("lint", script, version),
                Ok(crate::apply::Plan::WithoutTransaction(_))
            )
        });
        if self.scope == Scope::EachAlone {
            self.state.new_tables.clear();
        }
        self.state.not_valid_here.clear();
        let mut findings = Vec::new();
        for script_statement in &statements {
            let parsed = statement::parse(script_statement.code());
            let allowed = allowed_rules(script_statement);
            let cx = Cx {
                context: &self.context,
                state: &self.state,
                in_transaction,
            };
            for hazard in rules::check(&cx, &parsed) {
                if !allowed.contains(&hazard.rule) {
                    findings.push(Finding {
                        rule: hazard.rule,
                        line: script_statement.line,
                        message: hazard.message,
                        fix: hazard.fix,
                    });
                }
            }
            self.state.record(&parsed);
        }
        if self.scope == Scope::EachAlone {
            self.state.new_tables.clear();
        }
        findings
    }
}

/// Lints one script on its own.
pub fn lint_script(script: &str, context: Context<'_>) -> Vec<Finding> {
    Linter::new(context, Scope::EachAlone).lint(script)
}

/// One migration of a folder, to lint or only to learn from.
#[derive(Debug, Clone, Copy)]
pub struct FolderEntry<'s> {
    pub name: &'s str,
    pub script: &'s str,
    /// Lint it; otherwise it is only read for what later rules need (it ran already).
    pub lint: bool,
}

/// The findings of one linted migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFindings {
    pub migration: String,
    pub findings: Vec<Finding>,
}

/// Lints the selected migrations of a folder (in its order), learning from the others.
/// Every selected migration is listed, with or without findings.
pub fn lint_folder(
    entries: &[FolderEntry<'_>],
    context: Context<'_>,
    scope: Scope,
) -> Vec<MigrationFindings> {
    let mut linter = Linter::new(context, scope);
    let mut out = Vec::new();
    for entry in entries {
        if entry.lint {
            out.push(MigrationFindings {
                migration: entry.name.to_owned(),
                findings: linter.lint(entry.script),
            });
        } else {
            linter.learn(entry.script);
        }
    }
    out
}

impl State {
    fn record(&mut self, parsed: &Statement) {
        match parsed {
            Statement::CreateTable { table, columns } => {
                self.new_tables.insert(table.clone());
                for (column, tpe) in columns {
                    self.column_types
                        .insert((table.clone(), column.clone()), tpe.clone());
                }
            }
            Statement::DropTable { tables } => {
                for table in tables {
                    self.new_tables.remove(table);
                    self.column_types.retain(|(t, _), _| t != table);
                }
            }
            Statement::AlterTable { table, actions } => {
                let mut table = table.clone();
                for action in actions {
                    self.record_action(&mut table, action);
                }
            }
            _ => {}
        }
    }

    fn record_action(&mut self, table: &mut String, action: &statement::Action) {
        use statement::Action;
        let key = |column: &str| (table.clone(), column.to_owned());
        match action {
            Action::AddColumn { column, tpe, .. } | Action::SetType { column, tpe, .. } => {
                self.column_types.insert(key(column), tpe.clone());
            }
            Action::AddForeignKey {
                name: Some(name),
                not_valid: true,
            }
            | Action::AddCheck {
                name: Some(name),
                not_valid: true,
                not_null_of: None,
            } => {
                self.not_valid_here.insert(name.clone());
            }
            Action::AddCheck {
                name,
                not_valid,
                not_null_of: Some(column),
            } => {
                if let (true, Some(name)) = (not_valid, name) {
                    self.not_valid_here.insert(name.clone());
                }
                if !not_valid {
                    self.proven_not_null.insert(key(column));
                } else if let Some(name) = name {
                    self.unvalidated_checks.insert(name.clone(), key(column));
                }
            }
            Action::ValidateConstraint { name } => {
                if let Some(proven) = self.unvalidated_checks.remove(name) {
                    self.proven_not_null.insert(proven);
                }
            }
            Action::DropColumn { column } => {
                self.column_types.remove(&key(column));
            }
            Action::RenameColumn { from, to } => {
                if let Some(tpe) = self.column_types.remove(&key(from)) {
                    self.column_types.insert(key(to), tpe);
                }
            }
            Action::RenameTable { to } => {
                if self.new_tables.remove(table.as_str()) {
                    self.new_tables.insert(to.clone());
                }
                let moved: Vec<_> = self
                    .column_types
                    .iter()
                    .filter(|((t, _), _)| t == table)
                    .map(|((_, c), tpe)| (c.clone(), tpe.clone()))
                    .collect();
                self.column_types.retain(|(t, _), _| t != table);
                for (column, tpe) in moved {
                    self.column_types.insert((to.clone(), column), tpe);
                }
                *table = to.clone();
            }
            _ => {}
        }
    }
}

/// The rules an allow comment among the statement's leading comments names.
fn allowed_rules(statement: &ScriptStatement) -> HashSet<Rule> {
    let text = &statement.text;
    let comments = &text[..text.len() - statement.code().len()];
    let mut allowed = HashSet::new();
    for line in comments.lines() {
        let Some(at) = line.find(ALLOW_MARKER) else {
            continue;
        };
        let names = line[at + ALLOW_MARKER.len()..]
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|word| !word.is_empty())
            .map_while(Rule::from_name);
        allowed.extend(names);
    }
    allowed
}

#[cfg(test)]
mod tests;
