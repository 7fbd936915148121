//! The generated client (`generated/client`, root schema) against hand-written
//! tokio-postgres with prepared statements, in the same run, on the same database:
//! `find_unique` by id, `find_many` of 1,000 rows, `create`, `update`, `count`.
//!
//! Both sides decode into a struct with the same fields and run on one current-thread
//! tokio runtime; the hand-written side uses one connection and statements prepared up
//! front, the generated side its pool (checkout per query) and its statement cache. The
//! database is a fresh one from refract-testdb (`DATABASE_URL`, else a private cluster).
//!
//! After divan's table, the same operations run once more *interleaved* (generated, then
//! hand-written, alternating which goes first) and the ratio of their medians is printed:
//! on a busy machine, load changes between divan's separate runs; interleaving cancels it.
//!
//! `cargo bench -p refract-codegen --bench client` (part of `cargo xtask bench`).

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDateTime, Utc};
use client::runtime::{Client, ClientConfig};
use client::{Models, User, WriteData, tenant, user};
use divan::Bencher;
use postgres_types::FromSql;
use refract_testdb::bench::next;
use tokio::runtime::Runtime;
use tokio_postgres::Statement;

#[path = "../tests/it/tables.rs"]
mod tables;

fn main() {
    divan::main();
    // `REFRACT_BENCH_PAIRED=0` skips it (e.g. to profile one divan bench).
    if std::env::var_os("REFRACT_BENCH_PAIRED").is_none_or(|v| v != "0") {
        paired();
    }
}

const ROWS: usize = 1_000;

/// The hand-written side's row type: what a careful author would write by hand.
#[allow(dead_code)]
struct HandUser {
    id: String,
    email: String,
    name: Option<String>,
    role: Role,
    tenant_id: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(FromSql)]
#[postgres(name = "UserRole")]
#[allow(clippy::upper_case_acronyms)]
enum Role {
    ADMIN,
    AUTHOR,
    VIEWER,
}

impl HandUser {
    fn from_row(row: &tokio_postgres::Row) -> HandUser {
        HandUser {
            id: row.get(0),
            email: row.get(1),
            name: row.get(2),
            role: row.get(3),
            tenant_id: row.get(4),
            created_at: row.get::<_, NaiveDateTime>(5).and_utc(),
            updated_at: row.get::<_, NaiveDateTime>(6).and_utc(),
        }
    }
}

const COLUMNS: &str = r#""id", "email", "name", "role", "tenantId", "createdAt", "updatedAt""#;

struct Hand {
    client: tokio_postgres::Client,
    find_unique: Statement,
    find_many: Statement,
    create: Statement,
    update: Statement,
    count: Statement,
}

/// Connections on each side, used in turn. On a VM a loopback round trip takes one of two
/// times (about 30 µs or about 70 µs here) depending on the connection, for its whole life;
/// with one connection a side, a run compares connection luck, not the clients. Several
/// connections a side, in turn, average it out.
const CONNECTIONS: usize = 8;

struct Setup {
    runtime: Runtime,
    /// Its pool holds [`CONNECTIONS`] connections, handed out in turn (first in, first out).
    generated: Client,
    hand: Vec<Hand>,
    next_hand: std::sync::atomic::AtomicUsize,
    tenant_id: String,
    /// The tenant `create` adds its users to, so `find_many` keeps reading 1,000 rows.
    create_tenant_id: String,
    /// Ids of the 1,000 seeded users.
    ids: Vec<String>,
    // Dropped last: the database goes with it.
    _db: refract_testdb::TestDb,
}

impl Setup {
    /// The next hand-written connection, in turn.
    fn hand(&self) -> &Hand {
        let next = self
            .next_hand
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        &self.hand[next % self.hand.len()]
    }
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let runtime = refract_testdb::bench::current_thread_runtime();
        let db = refract_testdb::TestDb::new_blocking();
        let (generated, hand, tenant_id, create_tenant_id, ids) = runtime.block_on(async {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
            let files = refract_schema::load(&root.join("schema.prisma")).unwrap();
            let schema = refract_schema::validate(&files).schema;
            let script = tables::create_tables_sql(&schema);
            let raw = db.client().await;
            raw.batch_execute(&script).await.unwrap();
            let generated = ClientConfig::from_url(db.url())
                .unwrap()
                .max_connections(CONNECTIONS)
                .build()
                .unwrap();
            let tenant = generated.tenant().create(tenant::Create { name: "bench".into() }).await.unwrap();
            let create_tenant = generated.tenant().create(tenant::Create { name: "creates".into() }).await.unwrap();
            let rows = (0..ROWS).map(|i| {
                user::Create { email: format!("seed{i}@x.io"), tenant_id: tenant.id.clone() }
                    .set(user::NAME.set(format!("Seed {i}")))
            });
            let seeded = generated.user().create_many(rows).and_return().await.unwrap();
            let ids = seeded.into_iter().map(|u| u.id).collect();
            // Open the pool's connections (concurrent checkouts), then the hand-written ones.
            let opened = (0..CONNECTIONS).map(|_| generated.user().count().exec());
            for counted in futures_util::future::join_all(opened).await {
                counted.unwrap();
            }
            let mut hand = Vec::new();
            for _ in 0..CONNECTIONS {
                let client = db.client().await;
                hand.push(
                Hand {
                    find_unique: client
                        .prepare(&format!(r#"SELECT {COLUMNS} FROM "User" WHERE "id" = $1 LIMIT 1"#))
                        .await
                        .unwrap(),
                    find_many: client
                        .prepare(&format!(r#"SELECT {COLUMNS} FROM "User" WHERE "tenantId" = $1"#))
                        .await
                        .unwrap(),
                    create: client
                        .prepare(&format!(
                            r#"INSERT INTO "User" ("id", "email", "tenantId", "createdAt", "updatedAt") VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"#
                        ))
                        .await
                        .unwrap(),
                    update: client
                        .prepare(&format!(
                            r#"UPDATE "User" SET "name" = $1, "updatedAt" = $2 WHERE "id" = $3 RETURNING {COLUMNS}"#
                        ))
                        .await
                        .unwrap(),
                    count: client.prepare(r#"SELECT COUNT(*) FROM "User""#).await.unwrap(),
                    client,
                },
                );
            }
            (generated, hand, tenant.id, create_tenant.id, ids)
        });
        Setup {
            runtime,
            generated,
            hand,
            next_hand: std::sync::atomic::AtomicUsize::new(0),
            tenant_id,
            create_tenant_id,
            ids,
            _db: db,
        }
    })
}

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

mod find_unique {
    use super::*;

    #[divan::bench]
    fn generated(bencher: Bencher) {
        let s = setup();
        bencher.bench_local(|| {
            let id = &s.ids[next() % ROWS];
            let found: Option<User> = s
                .runtime
                .block_on(s.generated.user().find_unique(user::id(id)).exec())
                .unwrap();
            found.unwrap()
        });
    }

    #[divan::bench]
    fn hand_written(bencher: Bencher) {
        let s = setup();
        bencher.bench_local(|| {
            let h = s.hand();
            let id = &s.ids[next() % ROWS];
            let row = s
                .runtime
                .block_on(h.client.query_opt(&h.find_unique, &[id]))
                .unwrap();
            HandUser::from_row(&row.unwrap())
        });
    }
}

mod find_many_1000 {
    use super::*;

    #[divan::bench]
    fn generated(bencher: Bencher) {
        let s = setup();
        bencher.bench_local(|| {
            let users = s
                .runtime
                .block_on(
                    s.generated
                        .user()
                        .find_many()
                        .filter(user::TENANT_ID.equals(&s.tenant_id))
                        .exec(),
                )
                .unwrap();
            assert!(users.len() >= ROWS);
            users
        });
    }

    #[divan::bench]
    fn hand_written(bencher: Bencher) {
        let s = setup();
        bencher.bench_local(|| {
            let h = s.hand();
            let rows = s
                .runtime
                .block_on(h.client.query(&h.find_many, &[&s.tenant_id]))
                .unwrap();
            let users: Vec<HandUser> = rows.iter().map(HandUser::from_row).collect();
            assert!(users.len() >= ROWS);
            users
        });
    }
}

mod create {
    use super::*;

    #[divan::bench]
    fn generated(bencher: Bencher) {
        let s = setup();
        bencher.bench_local(|| {
            let email = format!("g{}@x.io", next());
            s.runtime
                .block_on(
                    s.generated
                        .user()
                        .create(user::Create {
                            email,
                            tenant_id: s.create_tenant_id.to_owned(),
                        })
                        .exec(),
                )
                .unwrap()
        });
    }

    #[divan::bench]
    fn hand_written(bencher: Bencher) {
        let s = setup();
        bencher.bench_local(|| {
            let h = s.hand();
            let id = client::runtime::ids::cuid();
            let email = format!("h{}@x.io", next());
            let stamp = now();
            let row = s
                .runtime
                .block_on(h.client.query_one(
                    &h.create,
                    &[&id, &email, &s.create_tenant_id, &stamp, &stamp],
                ))
                .unwrap();
            HandUser::from_row(&row)
        });
    }
}

mod update {
    use super::*;

    #[divan::bench]
    fn generated(bencher: Bencher) {
        let s = setup();
        bencher.bench_local(|| {
            let id = &s.ids[next() % ROWS];
            s.runtime
                .block_on(
                    s.generated
                        .user()
                        .update(user::id(id), [user::NAME.set("renamed")])
                        .exec(),
                )
                .unwrap()
        });
    }

    #[divan::bench]
    fn hand_written(bencher: Bencher) {
        let s = setup();
        bencher.bench_local(|| {
            let h = s.hand();
            let id = &s.ids[next() % ROWS];
            let row = s
                .runtime
                .block_on(h.client.query_one(&h.update, &[&"renamed", &now(), id]))
                .unwrap();
            HandUser::from_row(&row)
        });
    }
}

mod count {
    use super::*;

    #[divan::bench]
    fn generated(bencher: Bencher) {
        let s = setup();
        bencher.bench_local(|| {
            s.runtime
                .block_on(s.generated.user().count().exec())
                .unwrap()
        });
    }

    #[divan::bench]
    fn hand_written(bencher: Bencher) {
        let s = setup();
        bencher.bench_local(|| {
            let h = s.hand();
            let row = s
                .runtime
                .block_on(h.client.query_one(&h.count, &[]))
                .unwrap();
            row.get::<_, i64>(0)
        });
    }
}

/// Runs one operation once and returns how long it took.
type Operation = Box<dyn Fn() -> std::time::Duration>;

fn timed(work: impl Fn() + 'static) -> Operation {
    Box::new(move || {
        let started = std::time::Instant::now();
        work();
        started.elapsed()
    })
}

/// Interleaved rounds of every operation; prints medians, fastest and the ratios.
fn paired() {
    let s = setup();
    let find_unique = || &s.ids[next() % ROWS];
    let cases: Vec<(&str, usize, Operation, Operation)> = vec![
        (
            "find_unique",
            2000,
            timed(move || {
                let found = s.runtime.block_on(
                    s.generated
                        .user()
                        .find_unique(user::id(find_unique()))
                        .exec(),
                );
                assert!(found.unwrap().is_some());
            }),
            timed(move || {
                let h = s.hand();
                let row = s
                    .runtime
                    .block_on(h.client.query_opt(&h.find_unique, &[find_unique()]));
                HandUser::from_row(&row.unwrap().unwrap());
            }),
        ),
        (
            "find_many_1000",
            300,
            timed(move || {
                let query = s
                    .generated
                    .user()
                    .find_many()
                    .filter(user::TENANT_ID.equals(&s.tenant_id));
                assert_eq!(s.runtime.block_on(query.exec()).unwrap().len(), ROWS);
            }),
            timed(move || {
                let h = s.hand();
                let rows = s
                    .runtime
                    .block_on(h.client.query(&h.find_many, &[&s.tenant_id]))
                    .unwrap();
                let users: Vec<HandUser> = rows.iter().map(HandUser::from_row).collect();
                assert_eq!(users.len(), ROWS);
            }),
        ),
        (
            "create",
            2000,
            timed(move || {
                let email = format!("pg{}@x.io", next());
                let create = s.generated.user().create(user::Create {
                    email,
                    tenant_id: s.create_tenant_id.to_owned(),
                });
                s.runtime.block_on(create.exec()).unwrap();
            }),
            timed(move || {
                let h = s.hand();
                let id = client::runtime::ids::cuid();
                let email = format!("ph{}@x.io", next());
                let stamp = now();
                let params: [&(dyn tokio_postgres::types::ToSql + Sync); 5] =
                    [&id, &email, &s.create_tenant_id, &stamp, &stamp];
                let row = s.runtime.block_on(h.client.query_one(&h.create, &params));
                HandUser::from_row(&row.unwrap());
            }),
        ),
        (
            "update",
            2000,
            timed(move || {
                let update = s
                    .generated
                    .user()
                    .update(user::id(find_unique()), [user::NAME.set("renamed")]);
                s.runtime.block_on(update.exec()).unwrap();
            }),
            timed(move || {
                let h = s.hand();
                let params: [&(dyn tokio_postgres::types::ToSql + Sync); 3] =
                    [&"renamed", &now(), find_unique()];
                let row = s.runtime.block_on(h.client.query_one(&h.update, &params));
                HandUser::from_row(&row.unwrap());
            }),
        ),
        (
            "count",
            2000,
            timed(move || {
                s.runtime
                    .block_on(s.generated.user().count().exec())
                    .unwrap();
            }),
            timed(move || {
                let h = s.hand();
                let row = s.runtime.block_on(h.client.query_one(&h.count, &[]));
                row.unwrap().get::<_, i64>(0);
            }),
        ),
    ];
    println!("\ninterleaved: generated vs hand-written, ratio of medians (and of fastest)");
    println!(
        "{:<16} {:>8} {:>12} {:>12} {:>8} {:>8}",
        "operation", "rounds", "generated", "hand", "median", "fastest"
    );
    for (name, rounds, generated, hand) in cases {
        let mut generated_times = Vec::with_capacity(rounds);
        let mut hand_times = Vec::with_capacity(rounds);
        for round in 0..rounds + rounds / 10 {
            let (g, h) = if round % 2 == 0 {
                let g = generated();
                (g, hand())
            } else {
                let h = hand();
                (generated(), h)
            };
            // The first tenth warms up caches and connections.
            if round >= rounds / 10 {
                generated_times.push(g);
                hand_times.push(h);
            }
        }
        generated_times.sort();
        hand_times.sort();
        let median = |times: &[std::time::Duration]| times[times.len() / 2];
        let (gm, hm) = (median(&generated_times), median(&hand_times));
        println!(
            "{:<16} {:>8} {:>12.1?} {:>12.1?} {:>7.3}x {:>7.3}x",
            name,
            rounds,
            gm,
            hm,
            gm.as_secs_f64() / hm.as_secs_f64(),
            generated_times[0].as_secs_f64() / hand_times[0].as_secs_f64()
        );
    }
}
