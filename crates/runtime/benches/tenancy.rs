//! The tenant-scoped client (`db.for_tenant(id)`) against the unscoped one, on the root
//! schema migrated with its row-level-security policies (issue 17's target: at most 1.10×).
//!
//! Each operation runs the same way twice over one connection on a current-thread runtime:
//! `unscoped` is what an application wrote before (its own `tenantId` filter where a query
//! needs one), `scoped` is the tenant's client: the client's tenant predicate, and each
//! statement in a transaction that sets `refract.tenant_id` locally (the default), or, with
//! `session_tenant=true` (`scoped_session`), the setting kept on the connection's session and
//! set again, in the same round trip, only when the connection served someone else (the
//! interleaved runs after divan's measure that case too, by alternating two tenants).
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
const OTHER: &str = "other";

fn main() {
    divan::main();
    interleaved();
}

const ROUNDS: usize = 30;
const CALLS: usize = 100;
const OPS: &[&str] = &["find_unique", "find_many_100", "create", "include"];

/// One call of `op` for `tenant`'s rows: on a scoped client the client adds the tenant, on
/// the unscoped one the query names it where it needs to (as applications did by hand).
async fn call(db: Executor<'_>, scoped: bool, tenant: &str, op: &str, i: usize) {
    match op {
        "find_unique" => {
            let id = format!("{tenant}-u{}", i % USERS + 1);
            db.user()
                .find_unique(user::id(id))
                .exec()
                .await
                .unwrap()
                .unwrap();
        }
        "find_many_100" => {
            let query = db.user().find_many().take(USERS as i64);
            let query = match scoped {
                true => query,
                false => query.filter(user::TENANT_ID.equals(tenant)),
            };
            assert_eq!(query.exec().await.unwrap().len(), USERS);
        }
        "create" => {
            let email = format!("{tenant}-{}@i.io", next());
            let tenant_id = tenant.to_owned();
            db.user()
                .create(user::Create { email, tenant_id })
                .exec()
                .await
                .unwrap();
        }
        _ => {
            db.conversation()
                .find_unique(conversation::id(format!("{tenant}-c")))
                .include(conversation::MESSAGES)
                .exec()
                .await
                .unwrap()
                .unwrap();
        }
    }
}

/// Per-round ratios scoped / unscoped of each operation, the ways alternating round by
/// round (their order rotating) on the one connection, so all see the same moments of a
/// noisy machine; the median ratio is what BENCHMARKS.md records. Two comparisons:
/// **one tenant** (every call for tenant `bench`: the connection's session keeps it) and
/// **switching** (calls alternate between the two tenants, so every scoped call finds the
/// connection set for the other one and sets it again, in the same round trip).
fn interleaved() {
    let s = setup();
    let tenants = [TENANT, OTHER];
    // (label, pool: 0 default, 1 `session_tenant=true`, scoped, switching)
    let ways = [
        ("default: unscoped", 0, false, false),
        ("default: scoped", 0, true, false),
        ("session: unscoped, one tenant", 1, false, false),
        ("session: scoped, one tenant", 1, true, false),
        ("session: unscoped, switching", 1, false, true),
        ("session: scoped, switching", 1, true, true),
    ];
    let time = |op: &str, pool: usize, scoped: bool, switching: bool| {
        let pool = &s.pools[pool];
        let started = std::time::Instant::now();
        for i in 0..CALLS {
            let t = if switching { i % 2 } else { 0 };
            let db = match scoped {
                true => pool.scoped[t].executor(),
                false => pool.unscoped.executor(),
            };
            s.runtime.block_on(call(db, scoped, tenants[t], op, i));
        }
        started.elapsed().as_secs_f64() / CALLS as f64
    };
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!("\ninterleaved: {ROUNDS} rounds x {CALLS} calls each way, medians");
    for op in OPS {
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); ways.len()];
        for round in 0..ROUNDS {
            for k in 0..ways.len() {
                let w = (k + round) % ways.len();
                let (_, pool, scoped, switching) = ways[w];
                times[w].push(time(op, pool, scoped, switching));
            }
        }
        let ratio = |scoped: usize, unscoped: usize| {
            median(
                times[scoped]
                    .iter()
                    .zip(&times[unscoped])
                    .map(|(s, u)| s / u)
                    .collect(),
            )
        };
        let us: Vec<String> = ways
            .iter()
            .zip(&times)
            .map(|((label, ..), t)| format!("{label} {:.1} us", median(t.clone()) * 1e6))
            .collect();
        println!(
            "  {op:<14} ratio default {:.3}; session_tenant: one tenant {:.3}, switching {:.3}\n                 ({})",
            ratio(1, 0),
            ratio(3, 2),
            ratio(5, 4),
            us.join(", ")
        );
    }
}

/// A client of one connection and its two tenants' clients.
struct Pool {
    unscoped: Client,
    /// Tenant `bench`'s client, then tenant `other`'s.
    scoped: [TenantClient; 2],
}

impl Pool {
    fn new(url: &str) -> Pool {
        let unscoped = Client::new(url).unwrap();
        let scoped = [TENANT, OTHER].map(|tenant| unscoped.for_tenant(tenant).unwrap());
        Pool { unscoped, scoped }
    }
}

struct Setup {
    runtime: Runtime,
    /// The default client (each scoped statement in a transaction that sets the tenant
    /// locally), then one with `session_tenant=true`.
    pools: [Pool; 2],
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
            for tenant in [TENANT, OTHER] {
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
        let pools = [
            Pool::new(&format!("{}?connection_limit=1", db.url())),
            Pool::new(&format!("{}?connection_limit=1&session_tenant=true", db.url())),
        ];
        Setup {
            runtime,
            pools,
            user_ids: (1..=USERS).map(|i| format!("{TENANT}-u{i}")).collect(),
            _db: db,
        }
    })
}

const WAYS: &[&str] = &["unscoped", "scoped", "scoped_session"];

fn way(name: &str) -> Executor<'static> {
    let s = setup();
    match name {
        "scoped" => s.pools[0].scoped[0].executor(),
        "scoped_session" => s.pools[1].scoped[0].executor(),
        _ => s.pools[0].unscoped.executor(),
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
    let scoped = name != "unscoped";
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
