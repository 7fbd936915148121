//! `migrate dev --safe` on a table of 1,000,000 rows while another connection keeps inserting
//! into it: the migrations apply, no row is lost, and the longest time one insert waited is
//! measured and printed (never asserted: timings depend on the machine), next to the same
//! change applied without `--safe`. BENCHMARKS.md records the numbers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use refract_migrate::commands::{Config, DevOutcome, dev};
use refract_testdb::TestDb;

use super::renames::{HEADER, assert_in_sync, options, schema};

const ROWS: i64 = 1_000_000;

fn before() -> refract_schema::ir::Schema {
    schema(&format!(
        "{HEADER}
model Team {{
  id Int @id @default(autoincrement())
}}

model Event {{
  id     Int     @id @default(autoincrement())
  teamId Int?
  kind   String?
}}
"
    ))
}

fn after() -> refract_schema::ir::Schema {
    schema(&format!(
        "{HEADER}
model Team {{
  id     Int     @id @default(autoincrement())
  events Event[]
}}

model Event {{
  id     Int    @id @default(autoincrement())
  teamId Int?
  kind   String
  team   Team?  @relation(fields: [teamId], references: [id])

  @@index([kind])
}}
"
    ))
}

/// What the writer saw while the migration ran.
struct Writes {
    count: u64,
    longest: Duration,
    migration: Duration,
}

/// Migrates `db` (holding [`ROWS`] events) to [`after`] while a second connection inserts
/// rows one by one, and returns what the writer saw.
async fn migrate_under_writes(db: &TestDb, safe: bool) -> Writes {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new(db.url(), dir.path().join("migrations"));
    dev(&config, &before(), &options("init", 0)).await.unwrap();
    let client = db.client().await;
    client
        .batch_execute(&format!(
            "INSERT INTO \"Team\" DEFAULT VALUES;
             INSERT INTO \"Event\" (\"teamId\", kind) SELECT 1, 'k' || (i % 97) FROM generate_series(1, {ROWS}) AS i;
             ANALYZE \"Event\";"
        ))
        .await
        .unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let writer_client = db.client().await;
        tokio::spawn(async move {
            let statement = writer_client
                .prepare("INSERT INTO \"Event\" (\"teamId\", kind) VALUES (1, 'w')")
                .await
                .unwrap();
            let (mut count, mut longest) = (0u64, Duration::ZERO);
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                writer_client.execute(&statement, &[]).await.unwrap();
                longest = longest.max(started.elapsed());
                count += 1;
            }
            (count, longest)
        })
    };
    // Let the writer get going.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let mut o = options("events", 1);
    o.safe = safe;
    let outcome = dev(&config, &after(), &o).await.unwrap();
    let migration = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let (count, longest) = writer.await.unwrap();
    let DevOutcome::Created { applied, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(applied.len(), if safe { 3 } else { 1 });
    let rows: i64 = refract_testdb::one_value(&client, "SELECT COUNT(*) FROM \"Event\"", &[]).await;
    assert_eq!(
        rows,
        ROWS + count as i64,
        "every row, old and written, is kept"
    );
    assert_in_sync(&config, &after(), 2).await;
    Writes {
        count,
        longest,
        migration,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn safe_migration_on_a_million_rows_under_writes() {
    let safe_db = TestDb::new().await;
    let safe = migrate_under_writes(&safe_db, true).await;
    drop(safe_db);
    let plain_db = TestDb::new().await;
    let plain = migrate_under_writes(&plain_db, false).await;
    for (label, w) in [("--safe", &safe), ("plain", &plain)] {
        println!(
            "{label:>6}: 1,000,000 rows; migrate dev took {:.2} s; the writer inserted {} rows, \
             its longest wait for one insert {:.0} ms",
            w.migration.as_secs_f64(),
            w.count,
            w.longest.as_secs_f64() * 1000.0
        );
    }
}
