//! `db pull` over an existing schema (re-introspection), data-driven from
//! `tests/reintrospection/<case>/`: the case's `schema.prisma` is migrated into a fresh
//! database, `changes.sql` moves the database on, and the pulled schema with Prisma's
//! warnings is snapshotted (each snapshot checked against Prisma 7.10's `db pull --print`,
//! see the folder's README). The pulled schema must validate and lower to the database
//! with no difference.

use std::path::PathBuf;

use refract_migrate::commands::namespaces_for;
use refract_migrate::introspect::introspect;
use refract_migrate::pull::{Existing, reintrospect};
use refract_migrate::{SqlSchema, Step, check, diff, lower, render_script, step::Pair};
use refract_schema::SourceFiles;
use refract_testdb::TestDb;

/// The case's generator and datasource blocks (written first, as in every case; without a
/// `url`, which Prisma 7 reads from its config file), kept as `gen db pull` keeps them.
fn preamble(text: &str) -> &str {
    let datasource = text.find("datasource ").expect("a datasource block");
    let end = datasource + text[datasource..].find("\n}\n").expect("the block's end") + 3;
    &text[..end]
}

#[tokio::test]
async fn reintrospection_cases() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reintrospection");
    let cases: Vec<PathBuf> = refract_testdb::sorted_entries(&root)
        .into_iter()
        .filter(|p| p.is_dir())
        .collect();
    assert!(cases.len() >= 3, "cases missing in {}", root.display());
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(case.join("schema.prisma")).unwrap();
        let files = SourceFiles::single("schema.prisma", &text);
        let existing = refract_schema::validate(&files);
        assert!(existing.is_valid(), "{name}: {:?}", existing.diagnostics);

        let db = TestDb::new().await;
        let client = db.client().await;
        let namespaces = namespaces_for(Some(&existing.schema), db.url());
        let target = lower(&existing.schema);
        let empty = SqlSchema::default();
        let steps = diff(&empty, &target);
        let pair = Pair::new(&empty, &target);
        let diagnostics = check::evaluate(&check::plan(&steps, pair), &check::Counts::default());
        client
            .batch_execute(&render_script(&steps, pair, &diagnostics))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        if let Ok(changes) = std::fs::read_to_string(case.join("changes.sql")) {
            client
                .batch_execute(&changes)
                .await
                .unwrap_or_else(|e| panic!("{name}: changes.sql: {e:?}"));
        }

        let live = introspect(&client, &namespaces).await.unwrap();
        let pulled = reintrospect(
            &live,
            preamble(&text),
            Some(Existing {
                schema: &existing.schema,
                facts: Some(&existing.source_facts),
            }),
        );
        let validated = refract_schema::validate_str("pulled.prisma", &pulled.text);
        assert!(
            validated.is_valid(),
            "{name}: pulled schema is invalid: {:?}\n{}",
            validated.diagnostics,
            pulled.text
        );
        let mut again = diff(&live, &lower(&validated.schema));
        // With relationMode = "prisma" a schema declares no foreign keys, so the database's
        // stay outside it (in Prisma too).
        let emulated = existing
            .schema
            .datasource
            .as_ref()
            .is_some_and(|d| d.relation_mode == refract_schema::ir::RelationMode::Prisma);
        again.retain(|step| !(emulated && matches!(step, Step::DropForeignKey { .. })));
        assert!(
            again.is_empty(),
            "{name}: the pulled schema differs from the database: {again:#?}\n{}",
            pulled.text
        );

        // As Prisma's `db pull --print` shows it (stdout, two blank lines, then the `//`
        // lines of stderr), so that the snapshot compares with Prisma's output as it is.
        let mut shown = pulled.text.clone();
        if let Some(warnings) = &pulled.warnings {
            shown.push_str("\n\n");
            for line in warnings.split('\n') {
                shown.push_str("// ");
                shown.push_str(line);
                shown.push('\n');
            }
        }
        insta::assert_snapshot!(name.clone(), shown);

        // Prisma's own output for the same case (`prisma.txt`), but for the deliberate
        // differences.
        let mut prisma = std::fs::read_to_string(case.join("prisma.txt")).unwrap();
        for (case, theirs, ours) in DELIBERATE {
            if *case == name {
                assert!(
                    prisma.contains(theirs),
                    "{name}: {theirs:?} not in prisma.txt"
                );
                prisma = prisma.replace(theirs, ours);
            }
        }
        let trimmed = |s: &str| {
            s.trim_end()
                .lines()
                .map(str::trim_end)
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            trimmed(&shown),
            trimmed(&prisma),
            "{name}: differs from Prisma"
        );
    }
}

/// Where refract writes something else than Prisma 7.10, on purpose: (case, Prisma's line,
/// refract's line).
const DELIBERATE: &[(&str, &str, &str)] = &[
    // Prisma keeps `@updatedAt` on a column that is no longer a timestamp, writing a schema
    // its own validation rejects; refract drops it.
    (
        "kept_attributes",
        "touchedAt String  @updatedAt @map(\"touched_at\")",
        "touchedAt String  @map(\"touched_at\")",
    ),
];
