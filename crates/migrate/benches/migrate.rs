//! What `migrate dev`/`migrate diff` spend outside PostgreSQL's own DDL, for the largest
//! corpus schema (civitai, 302 models): introspect a live database, lower the schema, diff,
//! check and render, against an empty database (the first migration) and against a fully
//! migrated one (the no-op check every later run does). Separate rows for introspection
//! alone and for the pure steps alone show where the time goes.
//!
//! Needs PostgreSQL through refract-testdb (DATABASE_URL's server, else a private cluster).

use std::sync::{Mutex, OnceLock};

use refract_migrate::introspect::{Namespaces, introspect};
use refract_migrate::step::Pair;
use refract_migrate::{SqlSchema, check, diff, lower, render_script};
use refract_schema::ir;
use refract_testdb::TestDb;
use tokio::runtime::Runtime;
use tokio_postgres::Client;

struct State {
    runtime: Runtime,
    schema: ir::Schema,
    empty: Client,
    migrated: Client,
}

static STATE: OnceLock<State> = OnceLock::new();
/// Dropped after the benchmarks, so that their databases are dropped too.
static DATABASES: Mutex<Vec<TestDb>> = Mutex::new(Vec::new());

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // The corpus lives outside the repository: `cargo xtask bench` passes its folder.
    let corpus = std::env::var_os("REFRACT_CORPUS")
        .map(std::path::PathBuf::from)
        .expect("REFRACT_CORPUS names the corpus folder (cargo xtask bench sets it)");
    let path = corpus.join("schemas/civitai__civitai.prisma");
    let files = refract_schema::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let validated = refract_schema::validate(&files);
    assert!(validated.is_valid(), "civitai does not validate");
    let schema = validated.schema;

    let empty_db = TestDb::new_blocking();
    let migrated_db = TestDb::new_blocking();
    let (empty, migrated) = runtime.block_on(async {
        let empty = empty_db.client().await;
        let mut migrated = migrated_db.client().await;
        // civitai's `Unsupported("citext")` columns need the extension (the schema does not
        // declare it, so the empty database gets it too: both sides see the same extensions).
        for client in [&empty, &migrated] {
            client
                .batch_execute("CREATE EXTENSION IF NOT EXISTS citext")
                .await
                .expect("citext");
        }
        let target = lower(&schema);
        let from = SqlSchema::default();
        let steps = diff(&from, &target);
        let script = render_script(
            &steps,
            Pair::new(&from, &target),
            &check::Diagnostics::default(),
        );
        refract_migrate::apply::run_script(&mut migrated, "civitai", &script)
            .await
            .expect("civitai applies");
        (empty, migrated)
    });
    DATABASES
        .lock()
        .expect("databases")
        .extend([empty_db, migrated_db]);
    if STATE
        .set(State {
            runtime,
            schema,
            empty,
            migrated,
        })
        .is_err()
    {
        unreachable!("main runs once");
    }

    divan::main();

    DATABASES.lock().expect("databases").clear();
}

fn state() -> &'static State {
    STATE.get().expect("set up in main")
}

/// introspect → lower → diff → check → render, as `migrate diff --from-url --to-schema`.
fn pipeline(client: &Client) -> String {
    let state = state();
    let live = state
        .runtime
        .block_on(introspect(client, &Namespaces::default()))
        .expect("introspect");
    pure_steps(&live, &state.schema)
}

fn pure_steps(live: &SqlSchema, schema: &ir::Schema) -> String {
    let target = lower(schema);
    let steps = diff(live, &target);
    let pair = Pair::new(live, &target);
    let diagnostics = check::evaluate(&check::plan(&steps, pair), &check::Counts::default());
    render_script(&steps, pair, &diagnostics)
}

#[divan::bench(sample_count = 20)]
fn introspect_diff_render_empty_database(b: divan::Bencher) {
    let script = pipeline(&state().empty);
    assert!(script.contains("CREATE TABLE"));
    b.bench_local(|| pipeline(divan::black_box(&state().empty)));
}

#[divan::bench(sample_count = 20)]
fn introspect_diff_render_migrated_database(b: divan::Bencher) {
    let script = pipeline(&state().migrated);
    assert_eq!(
        script, "-- This is an empty migration.",
        "civitai round-trips"
    );
    b.bench_local(|| pipeline(divan::black_box(&state().migrated)));
}

#[divan::bench(sample_count = 20)]
fn introspect_only_migrated_database(b: divan::Bencher) {
    let state = state();
    b.bench_local(|| {
        state
            .runtime
            .block_on(introspect(&state.migrated, &Namespaces::default()))
            .expect("introspect")
    });
}

#[divan::bench(sample_count = 20)]
fn lower_diff_render_from_empty(b: divan::Bencher) {
    let empty = SqlSchema::default();
    b.bench_local(|| pure_steps(divan::black_box(&empty), &state().schema));
}
