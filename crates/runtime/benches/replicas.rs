//! What routing reads to a replica costs: the generated root client (`generated/client`)
//! on refract-testdb's `ReplicatedServer` (a private primary and one streaming replica on
//! the same machine), four ways in the same run:
//!
//! - **primary**: a client without replicas, on the primary;
//! - **forced_primary**: a client with the replica, each read through `db.primary()`
//!   (routing decided, same server as `primary`);
//! - **replica_direct**: a client without replicas, on the replica's URL;
//! - **replica_routed**: a client with the replica, reads routed to it (same server as
//!   `replica_direct`: the difference is the routing).
//!
//! divan times single calls (`find_unique` by id, `find_many` of 100 rows) on a
//! current-thread runtime, one connection per pool, and `for_read` alone (choosing the
//! replica, no I/O). divan runs one way after the other, so a load spike from elsewhere on
//! the machine lands on one way only; after its table, an interleaved run (rounds of 200
//! `find_unique` per way, ways alternating) prints each way's median per-call time and
//! the median of the per-round ratios routed / direct.
//!
//! `cargo bench -p refract-runtime --bench replicas`.

use std::sync::OnceLock;

use client::runtime::{AsExecutor, Client, ClientConfig};
use client::{Models, user};
use divan::Bencher;
use refract_testdb::ReplicatedServer;
use tokio::runtime::Runtime;

mod support;

use support::{ROWS, Seeded};

fn main() {
    divan::main();
    interleaved();
}

struct Setup {
    runtime: Runtime,
    primary: Client,
    routed: Client,
    replica_direct: Client,
    seeded: Seeded,
    _server: ReplicatedServer,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let runtime = refract_testdb::bench::current_thread_runtime();
        let server = ReplicatedServer::start(1).unwrap();
        let one = |url: &str| format!("{url}?connection_limit=1");
        let primary_url = one(&server.url("postgres"));
        let replica_url = one(&server.replica_urls("postgres")[0]);
        let primary = Client::new(&primary_url).unwrap();
        let replica_direct = Client::new(&replica_url).unwrap();
        let routed = ClientConfig::from_url(&primary_url)
            .unwrap()
            .read_replicas([&replica_url])
            .unwrap()
            .build()
            .unwrap();
        let seeded = runtime.block_on(async {
            let admin = refract_testdb::connect(&server.url("postgres")).await;
            let seeded = support::seed(&admin, &primary).await;
            server.wait_for_replay().await.unwrap();
            seeded
        });
        Setup {
            runtime,
            primary,
            routed,
            replica_direct,
            seeded,
            _server: server,
        }
    })
}

const WAYS: &[&str] = &[
    "primary",
    "forced_primary",
    "replica_direct",
    "replica_routed",
];

/// The executor a way reads through.
fn executor(s: &'static Setup, name: &str) -> client::runtime::Executor<'static> {
    match name {
        "primary" => s.primary.executor(),
        "forced_primary" => s.routed.primary(),
        "replica_direct" => s.replica_direct.executor(),
        "replica_forced" => s.routed.replica(),
        _ => s.routed.executor(),
    }
}

#[divan::bench(args = WAYS)]
fn find_unique(bencher: Bencher, name: &str) {
    let s = setup();
    let db = executor(s, name);
    bencher.bench_local(|| s.seeded.find_unique(&s.runtime, &db));
}

#[divan::bench(args = WAYS)]
fn find_many_100(bencher: Bencher, name: &str) {
    let s = setup();
    let db = executor(s, name);
    bencher.bench_local(|| s.seeded.find_many(&s.runtime, &db));
}

/// Choosing a replica alone: the round-robin cursor and the health check.
#[divan::bench]
fn for_read(bencher: Bencher) {
    let s = setup();
    bencher.bench_local(|| divan::black_box(s.routed.executor()).for_read());
}

const ROUNDS: usize = 30;
const PER_ROUND: usize = 200;

/// Rounds of `PER_ROUND` `find_unique` calls per way, the ways alternating within each
/// round; prints medians and the median per-round ratios against the unrouted clients.
fn interleaved() {
    let s = setup();
    let mut per_call: Vec<Vec<f64>> = vec![Vec::new(); WAYS.len()];
    for round in 0..ROUNDS {
        for (way, name) in WAYS.iter().enumerate() {
            let db = executor(s, name);
            let started = std::time::Instant::now();
            s.runtime.block_on(async {
                for call in 0..PER_ROUND {
                    let id = &s.seeded.ids[(round * PER_ROUND + call) % ROWS];
                    db.user().find_unique(user::id(id)).exec().await.unwrap();
                }
            });
            per_call[way].push(started.elapsed().as_secs_f64() * 1e6 / PER_ROUND as f64);
        }
    }
    let median = |values: &mut Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    println!("\ninterleaved: {ROUNDS} rounds x {PER_ROUND} find_unique per way");
    for (name, times) in WAYS.iter().zip(&per_call) {
        println!(
            "  {name:<15} {:>7.1} us/call (median round)",
            median(&mut times.clone())
        );
    }
    let ratio = |a: usize, b: usize| {
        let mut ratios: Vec<f64> = per_call[a]
            .iter()
            .zip(&per_call[b])
            .map(|(x, y)| x / y)
            .collect();
        median(&mut ratios)
    };
    println!(
        "  replica_routed / replica_direct: {:.3} (median of per-round ratios)",
        ratio(3, 2)
    );
    println!(
        "  forced_primary / primary:        {:.3} (median of per-round ratios)",
        ratio(1, 0)
    );
}
