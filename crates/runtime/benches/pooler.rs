//! The generated root client (`generated/client`) on one database three ways, in the same
//! run: directly with cached prepared statements (the default), directly with
//! `pgbouncer=true` (unnamed statements, one round trip each: the cost of the mode alone),
//! and through a real PgBouncer in transaction mode with `pgbouncer=true`.
//!
//! divan times single calls (`find_unique` by id, `find_many` of 100 rows, `create`) on a
//! current-thread runtime, one connection each. After divan's table, a throughput run:
//! 32 tasks on a two-worker runtime, a pool of 16, each doing 100 `find_unique` +
//! `create` pairs, reported as requests per second for each way.
//!
//! `cargo bench -p refract-runtime --bench pooler`. PgBouncer is installed on first use
//! (refract-testdb's `PgBouncer`).

use std::sync::OnceLock;
use std::time::Instant;

use client::runtime::Client;
use client::{Models, user};
use divan::Bencher;
use refract_testdb::bench::next;
use refract_testdb::{PgBouncer, TestDb};
use tokio::runtime::Runtime;

mod support;

use support::{ROWS, Seeded};

fn main() {
    divan::main();
    throughput();
}

struct Setup {
    runtime: Runtime,
    direct: Client,
    unnamed: Client,
    bounced: Client,
    seeded: Seeded,
    urls: [String; 3],
    // Dropped last, PgBouncer before the database.
    _bouncer: PgBouncer,
    _db: TestDb,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let runtime = refract_testdb::bench::current_thread_runtime();
        let db = TestDb::new_blocking();
        let bouncer = PgBouncer::start(db.url()).unwrap();
        let urls = [
            db.url().to_owned(),
            format!("{}?pgbouncer=true", db.url()),
            format!("{}?pgbouncer=true", bouncer.url(db.name())),
        ];
        let one = |url: &str| Client::new(&format!("{url}{}connection_limit=1", sep(url))).unwrap();
        let (direct, unnamed, bounced) = (one(&urls[0]), one(&urls[1]), one(&urls[2]));
        let seeded = runtime.block_on(async { support::seed(&db.client().await, &direct).await });
        Setup {
            runtime,
            direct,
            unnamed,
            bounced,
            seeded,
            urls,
            _bouncer: bouncer,
            _db: db,
        }
    })
}

fn sep(url: &str) -> &'static str {
    if url.contains('?') { "&" } else { "?" }
}

fn way(name: &str) -> &'static Client {
    let s = setup();
    match name {
        "direct" => &s.direct,
        "direct_unnamed" => &s.unnamed,
        _ => &s.bounced,
    }
}

const WAYS: &[&str] = &["direct", "direct_unnamed", "pgbouncer"];

#[divan::bench(args = WAYS)]
fn find_unique(bencher: Bencher, name: &str) {
    let s = setup();
    let db = way(name);
    bencher.bench_local(|| s.seeded.find_unique(&s.runtime, db));
}

#[divan::bench(args = WAYS)]
fn find_many_100(bencher: Bencher, name: &str) {
    let s = setup();
    let db = way(name);
    bencher.bench_local(|| s.seeded.find_many(&s.runtime, db));
}

#[divan::bench(args = WAYS)]
fn create(bencher: Bencher, name: &str) {
    let s = setup();
    let db = way(name);
    bencher.bench_local(|| {
        let email = format!("{name}{}@x.io", next());
        s.runtime
            .block_on(
                db.user()
                    .create(user::Create {
                        email: email.to_owned(),
                        tenant_id: s.seeded.tenant_id.to_owned(),
                    })
                    .exec(),
            )
            .unwrap()
    });
}

const TASKS: usize = 32;
const PER_TASK: usize = 100;
const POOL: usize = 16;

/// Requests per second of `TASKS` concurrent tasks, each way, interleaved twice.
fn throughput() {
    let s = setup();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "\nthroughput: {TASKS} tasks x {PER_TASK} (find_unique + create), pool of {POOL}, \
         PgBouncer server pool of {}",
        refract_testdb::PGBOUNCER_SERVER_POOL_SIZE
    );
    let mut results = vec![Vec::new(); WAYS.len()];
    for _ in 0..2 {
        for (i, url) in s.urls.iter().enumerate() {
            let db = Client::new(&format!("{url}{}connection_limit={POOL}", sep(url))).unwrap();
            let started = Instant::now();
            runtime.block_on(async {
                let tasks: Vec<_> = (0..TASKS)
                    .map(|t| {
                        let db = db.clone();
                        let ids = s.seeded.ids.clone();
                        let tenant = s.seeded.tenant_id.clone();
                        tokio::spawn(async move {
                            for r in 0..PER_TASK {
                                let id = &ids[(t * PER_TASK + r) % ROWS];
                                db.user().find_unique(user::id(id)).exec().await.unwrap();
                                let email = format!("t{i}-{}@x.io", next());
                                db.user()
                                    .create(user::Create {
                                        email: email.to_owned(),
                                        tenant_id: tenant.to_owned(),
                                    })
                                    .exec()
                                    .await
                                    .unwrap();
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.unwrap();
                }
            });
            let requests = (TASKS * PER_TASK * 2) as f64;
            results[i].push(requests / started.elapsed().as_secs_f64());
        }
    }
    for (name, rates) in WAYS.iter().zip(&results) {
        let best = rates.iter().copied().fold(0.0, f64::max);
        println!(
            "  {name:<15} {best:>8.0} requests/s (best of {})",
            rates.len()
        );
    }
}
