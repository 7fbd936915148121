//! Schema evolution (`tests/evolution`): a database at `base.prisma` holding one user and one
//! post is migrated to each `after.prisma`. The script, with warnings counted from the data,
//! is snapshotted; a migration with unexecutable steps must fail and change nothing; any other
//! must apply, keep the data of unaffected columns and leave no drift.

use std::path::{Path, PathBuf};

use refract_migrate::apply::apply_migration;
use refract_migrate::introspect::{Namespaces, introspect};
use refract_migrate::{SqlSchema, check, diff, history, lower, render_script, step::Pair};
use refract_testdb::TestDb;

fn evolution_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/evolution")
}

fn lowered(path: &Path) -> SqlSchema {
    let text = std::fs::read_to_string(path).unwrap();
    let validated = refract_schema::validate_str(&path.to_string_lossy(), &text);
    assert!(
        validated.is_valid(),
        "{}: {:?}",
        path.display(),
        validated.diagnostics
    );
    lower(&validated.schema)
}

const SEED: &str = r#"
INSERT INTO "User" ("email", "name", "role", "age") VALUES ('ann@example.com', 'Ann', 'USER', 30);
INSERT INTO "Post" ("id", "title", "authorId") VALUES ('p1', 'Hello', 1);
"#;

#[tokio::test]
async fn evolution_cases() {
    let base = lowered(&evolution_dir().join("base.prisma"));
    let cases: Vec<PathBuf> = refract_testdb::sorted_entries(&evolution_dir())
        .into_iter()
        .filter(|p| p.is_dir())
        .collect();
    assert!(cases.len() >= 30);

    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let after = lowered(&case.join("after.prisma"));

        let db = TestDb::new().await;
        let mut client = db.client().await;
        history::ensure_table(&client).await.unwrap();
        let empty = SqlSchema::default();
        let init = render_script(
            &diff(&empty, &base),
            Pair::new(&empty, &base),
            &Default::default(),
        );
        apply_migration(&mut client, "0_init", &init).await.unwrap();
        client.batch_execute(SEED).await.unwrap();

        let live = introspect(&client, &Namespaces::default()).await.unwrap();
        let steps = diff(&live, &after);
        let schemas = Pair::new(&live, &after);
        let plan = check::plan(&steps, schemas);
        let counts = check::count(&client, &plan).await.unwrap();
        let diagnostics = check::evaluate(&plan, &counts);
        let script = render_script(&steps, schemas, &diagnostics);
        insta::assert_snapshot!(name.clone(), script);

        let result = apply_migration(&mut client, "1_change", &script).await;
        let now = introspect(&client, &Namespaces::default()).await.unwrap();
        if !diagnostics.unexecutable.is_empty() {
            assert!(result.is_err(), "{name}: an unexecutable migration applied");
            assert_eq!(now, live, "{name}: a failed migration changed the database");
            continue;
        }
        if let Err(e) = result {
            panic!("{name}: {e}\n{script}");
        }
        let drift = diff(&now, &after);
        assert!(
            drift.is_empty(),
            "{name}: drift after migrating: {drift:#?}"
        );

        // Data in columns the change does not touch survives.
        let user_table = if after.find_table(None, "User").is_some() {
            "User"
        } else {
            continue;
        };
        let row = client
            .query_one(&format!("SELECT \"email\" FROM \"{user_table}\""), &[])
            .await
            .unwrap();
        assert_eq!(row.get::<_, String>(0), "ann@example.com", "{name}");
        // (A renamed table is dropped and created, as in Prisma: its data is not expected.)
        if let Some(post) = ["Post"]
            .into_iter()
            .find(|t| after.find_table(None, t).is_some())
        {
            let row = client
                .query_one(&format!("SELECT \"title\" FROM \"{post}\""), &[])
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(row.get::<_, String>(0), "Hello", "{name}");
        }
    }
}
