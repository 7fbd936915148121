//! The lint over its fixtures (`tests/lint/*.sql`, see the README there), one snapshot of
//! findings per fixture, plus the rules' invariants: every rule has a fixture, and pending
//! migrations see each other's new tables.

use std::path::Path;

use super::{Context, Finding, Linter, Rule, Scope, lint_script};

fn render(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "(no findings)\n".to_owned();
    }
    findings.iter().map(|f| format!("{f}\n")).collect()
}

fn fixture_findings(path: &Path) -> Vec<Finding> {
    let script = std::fs::read_to_string(path).expect("fixture");
    let schema = std::fs::read_to_string(path.with_extension("prisma"))
        .ok()
        .map(|text| {
            let validated = refract_schema::validate_str("schema.prisma", &text);
            assert!(
                !validated.diagnostics.has_errors(),
                "{}: the schema beside the fixture is invalid",
                path.display()
            );
            crate::lower(&validated.schema)
        });
    let server_version_num = script
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("-- fixture: server_version_num="))
        .and_then(|n| n.trim().parse().ok());
    let context = Context {
        schema: schema.as_ref(),
        server_version_num,
    };
    let mut linter = Linter::new(context, Scope::Pending);
    if let Ok(applied) = std::fs::read_to_string(path.with_extension("applied.sql")) {
        linter.learn(&applied);
    }
    linter.lint(&script)
}

#[test]
fn fixtures() {
    insta::glob!("../../tests/lint", "*.sql", |path| {
        if path.to_string_lossy().ends_with(".applied.sql") {
            return;
        }
        insta::assert_snapshot!(render(&fixture_findings(path)));
    });
}

/// Each rule has a fixture named after it that it reports in, and whose allow comment
/// silences it.
#[test]
fn every_rule_has_a_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint");
    for rule in Rule::ALL {
        let path = dir.join(format!("{}.sql", rule.name()));
        let findings = fixture_findings(&path);
        assert!(
            findings.iter().any(|f| f.rule == rule),
            "{rule}: no finding in its fixture"
        );
        let script = std::fs::read_to_string(&path).expect("fixture");
        assert!(
            script.contains(&format!("-- refract-lint: allow {rule}")),
            "{rule}: its fixture has no allow comment"
        );
    }
}

#[test]
fn pending_migrations_see_tables_created_before_them() {
    let first = "CREATE TABLE \"A\" (\"id\" TEXT NOT NULL);";
    let second = "CREATE INDEX \"A_id_idx\" ON \"A\"(\"id\");\nALTER TABLE \"A\" ADD COLUMN \"b\" TEXT NOT NULL;";
    let mut pending = Linter::new(Context::default(), Scope::Pending);
    assert!(pending.lint(first).is_empty());
    assert!(pending.lint(second).is_empty());

    let mut each_alone = Linter::new(Context::default(), Scope::EachAlone);
    assert!(each_alone.lint(first).is_empty());
    let rules: Vec<Rule> = each_alone.lint(second).iter().map(|f| f.rule).collect();
    assert_eq!(
        rules,
        [
            Rule::RequireConcurrentIndexCreation,
            Rule::AddingRequiredField
        ]
    );

    // An applied migration's tables are not new.
    let mut after_applied = Linter::new(Context::default(), Scope::Pending);
    after_applied.learn(first);
    assert_eq!(after_applied.lint(second).len(), 2);
}

#[test]
fn lines_are_the_statements_and_odd_sql_is_no_finding() {
    let script = "-- a comment\n\n  CREATE INDEX i ON t (x);\nDO $$ BEGIN ALTER TABLE t DROP COLUMN x; END $$;\nSELECT 'DROP TABLE t';\nALTER TABLE;\nCREATE INDEX;\n";
    let findings = lint_script(script, Context::default());
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].line, 3);
}

#[test]
fn rule_names_round_trip() {
    for rule in Rule::ALL {
        assert_eq!(Rule::from_name(rule.name()), Some(rule));
    }
}
