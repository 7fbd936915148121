//! The tenant-scoped client (`db.for_tenant(id)`) against the unscoped one, on the root
//! schema migrated with its row-level-security policies (issue 17's target: at most 1.10×).
//!
//! Each operation runs the same way twice over one connection on a current-thread runtime:
//! `unscoped` is what an application wrote before (its own `tenantId` filter where a query
//! needs one), `scoped` is the tenant's client, whose statement runs in a transaction that
//! sets `refract.tenant_id` (pipelined: one round trip) with the client's tenant predicate.
//! Both connect as the tables' owner, so the policies themselves cost nothing here: this
//! measures the client. `find_unique` by id, `find_many` of 100 rows, `create`, and
//! `include` (a conversation with its 20 messages, two statements).
//!
//! `cargo bench -p refract-runtime --bench tenancy`.

use std::path::Path;
use std::sync::OnceLock;

use client::runtime::{AsExecutor, Client, Executor, TenantClient};
use client::{Models, conversation, user};
use divan::Bencher;
use refract_testdb::bench::{current_thread_runtime, next};
use refract_testdb::{TestDb, run_migration_folders};
use tokio::runtime::Runtime;

const USERS: usize = 100;
const MESSAGES: usize = 20;
const TENANT: &str = "bench";

fn main() {
    divan::main();
    interleaved();
}

const ROUNDS: usize = 30;
const CALLS: usize = 100;

/// Per-round ratios scoped / unscoped of `find_unique` and `include`, the two ways
/// alternating round by round on the same connection settings, so both see the same
/// moments of a noisy machine; the median ratio is what BENCHMARKS.md records.
fn interleaved() {
    let s = setup();
    let id = format!("{TENANT}-c");
    let time = |db: Executor<'static>, include: bool| {
        let started = std::time::Instant::now();
        for i in 0..CALLS {
            s.runtime.block_on(async {
                if include {
                    db.conversation()
                        .find_unique(conversation::id(&id))
                        .include(conversation::MESSAGES)
                        .exec()
                        .await
                        .unwrap()
                        .unwrap();
                } else {
                    db.user()
                        .find_unique(user::id(&s.user_ids[i % USERS]))
                        .exec()
                        .await
                        .unwrap()
                        .unwrap();
                }
            });
        }
        started.elapsed().as_secs_f64() / CALLS as f64
    };
    println!("\ninterleaved: {ROUNDS} rounds x {CALLS} calls each way, median per-round ratio");
    for (label, include) in [("find_unique", false), ("include", true)] {
        let mut ratios = Vec::new();
        let mut unscoped_times = Vec::new();
        let mut scoped_times = Vec::new();
        for _ in 0..ROUNDS {
            let unscoped = time(way("unscoped"), include);
            let scoped = time(way("scoped"), include);
            unscoped_times.push(unscoped);
            scoped_times.push(scoped);
            ratios.push(scoped / unscoped);
        }
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        println!(
            "  {label:<12} unscoped {:>7.1} us  scoped {:>7.1} us  ratio {:.3}",
            median(unscoped_times) * 1e6,
            median(scoped_times) * 1e6,
            median(ratios)
        );
    }
}

struct Setup {
    runtime: Runtime,
    unscoped: Client,
    scoped: TenantClient,
    user_ids: Vec<String>,
    _db: TestDb,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let runtime = current_thread_runtime();
        let db = TestDb::new_blocking();
        runtime.block_on(async {
            let admin = db.client().await;
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
            run_migration_folders(&admin, &root).await;
            // Two tenants, so the scoped queries have rows to leave out.
            for tenant in [TENANT, "other"] {
                admin
                    .batch_execute(&format!(
                        r#"INSERT INTO "Tenant" ("id", "name", "updatedAt") VALUES ('{tenant}', '{tenant}', now());
                        INSERT INTO "User" ("id", "email", "tenantId", "updatedAt")
                          SELECT '{tenant}-u' || i, '{tenant}' || i || '@x.io', '{tenant}', now() FROM generate_series(1, {USERS}) AS i;
                        INSERT INTO "Agent" ("id", "name", "flowJson", "tenantId", "updatedAt") VALUES ('{tenant}-a', 'agent', '{{}}', '{tenant}', now());
                        INSERT INTO "Conversation" ("id", "agentId", "tenantId", "state", "updatedAt") VALUES ('{tenant}-c', '{tenant}-a', '{tenant}', '{{}}', now());
                        INSERT INTO "Message" ("id", "role", "content", "convoId")
                          SELECT '{tenant}-m' || i, 'USER', 'hello', '{tenant}-c' FROM generate_series(1, {MESSAGES}) AS i;"#
                    ))
                    .await
                    .unwrap();
            }
        });
        let unscoped = Client::new(&format!("{}?connection_limit=1", db.url())).unwrap();
        let scoped = unscoped.for_tenant(TENANT).unwrap();
        Setup {
            runtime,
            scoped,
            unscoped,
            user_ids: (1..=USERS).map(|i| format!("{TENANT}-u{i}")).collect(),
            _db: db,
        }
    })
}

const WAYS: &[&str] = &["unscoped", "scoped"];

fn way(name: &str) -> Executor<'static> {
    let s = setup();
    match name {
        "scoped" => s.scoped.executor(),
        _ => s.unscoped.executor(),
    }
}

#[divan::bench(args = WAYS)]
fn find_unique(bencher: Bencher, name: &str) {
    let s = setup();
    let db = way(name);
    bencher.bench_local(|| {
        let id = &s.user_ids[next() % USERS];
        s.runtime
            .block_on(db.user().find_unique(user::id(id)).exec())
            .unwrap()
            .unwrap()
    });
}

#[divan::bench(args = WAYS)]
fn find_many_100(bencher: Bencher, name: &str) {
    let s = setup();
    let db = way(name);
    let scoped = name == "scoped";
    bencher.bench_local(|| {
        let query = db.user().find_many().take(USERS as i64);
        // The unscoped client filters by hand, as applications did.
        let query = if scoped {
            query
        } else {
            query.filter(user::TENANT_ID.equals(TENANT))
        };
        let rows = s.runtime.block_on(query.exec()).unwrap();
        assert_eq!(rows.len(), USERS);
        rows
    });
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
                        email,
                        tenant_id: TENANT.to_owned(),
                    })
                    .exec(),
            )
            .unwrap()
    });
}

#[divan::bench(args = WAYS)]
fn include(bencher: Bencher, name: &str) {
    let s = setup();
    let db = way(name);
    let id = format!("{TENANT}-c");
    bencher.bench_local(|| {
        s.runtime
            .block_on(
                db.conversation()
                    .find_unique(conversation::id(&id))
                    .include(conversation::MESSAGES)
                    .exec(),
            )
            .unwrap()
            .unwrap()
    });
}
