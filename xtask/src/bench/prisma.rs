//! `cargo xtask bench prisma`: refract's generated client against Prisma Client 7.10 on the
//! same database, call by call.
//!
//! The schema and the clients are those of `cargo xtask conformance client`: its
//! `schema.prisma` migrated by refract into a fresh database (refract-testdb: the server of
//! `DATABASE_URL`, else a private throwaway cluster), the committed `generated/conformance`
//! on refract's side, and on Prisma's the Prisma Client 7.10 that stage generates in the
//! oracle's folder (`../shared/oracle`). [`SEED`] gives the six operations their rows: one
//! maker with 50 gadgets of 10 parts each.
//!
//! `prisma.mjs` (beside this file) runs in one Node.js process for the whole run and times
//! each call it is asked for; this process times refract's calls. Both sides run the same
//! operation in turns: one warm-up round, then `--rounds` rounds (default 10) of `--calls`
//! sequential calls (default 100) per operation per client, the client that goes first
//! alternating from round to round, so that both see the same machine load. The table gives
//! each side's median and p90 per call over every timed call and refract's over Prisma's.
//!
//! The refract side must be an optimized build: run from a debug build (`cargo xtask`), the
//! task runs itself again through `cargo run --release`.

use std::future::Future;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::pin::Pin;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use conformance_client::{Client, Error, Models, gadget, part};
use refract_testdb::TestDb;
use serde_json::{Value, json};

const SCRIPT: &str = include_str!("prisma.mjs");

/// The bench's rows, on the conformance schema: maker 1 with gadgets 1..=50 (every column
/// set: Decimal, Float, Json, lists, a date, an enum), each with parts of ids 10(g-1)+1 ..
/// 10g, so that parts 1..=100 are the first ten gadgets' parts.
const SEED: &str = r#"
INSERT INTO "Maker" ("id", "handle", "name", "joinedAt", "nicknames", "luckyNumbers")
  VALUES (1, 'bench', 'Bench maker', '2024-01-01 00:00:00', '{}', '{}');
INSERT INTO "Gadget" ("id", "makerId", "title", "sku", "price", "weight", "stock", "specs",
    "colors", "sizes", "releasedOn", "status")
  SELECT g, 1, 'Gadget ' || g, 'SKU-' || g, g * 1.25, g / 4.0, g,
    jsonb_build_object('serial', g, 'tags', jsonb_build_array('bench', 'gadget')),
    '{red,blue}', '{1,2,3}', date '2024-01-01' + g, 'LIVE'
  FROM generate_series(1, 50) AS g;
INSERT INTO "Part" ("id", "ref", "gadgetId", "name", "qty")
  SELECT p, 'ref-' || p, (p - 1) / 10 + 1, 'Part ' || p, p % 7 + 1
  FROM generate_series(1, 500) AS p;
SELECT setval(pg_get_serial_sequence('"Maker"', 'id'), 100);
SELECT setval(pg_get_serial_sequence('"Gadget"', 'id'), 100);
SELECT setval(pg_get_serial_sequence('"Part"', 'id'), 1000);
"#;

/// One call of an operation on refract's side; its result is decoded, then dropped.
type Call<'a> = Pin<Box<dyn Future<Output = Result<(), Error>> + 'a>>;

/// One call of an operation on refract's side, its result as JSON (serde), to check
/// that both clients return the same rows.
type Shown<'a> = Pin<Box<dyn Future<Output = Result<Value, Error>> + 'a>>;

/// An operation: Prisma Client's call (JavaScript, `prisma` in scope) and the same call
/// through refract's generated client (timed, and once more shown).
struct Operation {
    name: &'static str,
    js: &'static str,
    rust: for<'a> fn(&'a Client) -> Call<'a>,
    show: for<'a> fn(&'a Client) -> Shown<'a>,
}

macro_rules! operation {
    ($name:literal, $js:literal, |$db:ident| $rust:expr) => {
        Operation {
            name: $name,
            js: $js,
            rust: {
                fn call<'a>($db: &'a Client) -> Call<'a> {
                    Box::pin(async move {
                        std::hint::black_box(($rust).await?);
                        Ok(())
                    })
                }
                call
            },
            show: {
                fn show<'a>($db: &'a Client) -> Shown<'a> {
                    Box::pin(async move {
                        let result = ($rust).await?;
                        Ok(serde_json::to_value(&result).unwrap_or(Value::Null))
                    })
                }
                show
            },
        }
    };
}

fn operations() -> Vec<Operation> {
    vec![
        operation!(
            "findUnique",
            "prisma.gadget.findUnique({ where: { id: 1 } })",
            |db| db.gadget().find_unique(gadget::id(1))
        ),
        operation!(
            "findMany, 100 rows",
            "prisma.part.findMany({ orderBy: { id: 'asc' }, take: 100 })",
            |db| db.part().find_many().order_by(part::ID.asc()).take(100)
        ),
        operation!(
            "include, 50 × 10",
            "prisma.gadget.findMany({ where: { makerId: 1 }, orderBy: { id: 'asc' }, include: { parts: { orderBy: { id: 'asc' } } } })",
            |db| db
                .gadget()
                .find_many()
                .filter(gadget::MAKER_ID.equals(1))
                .order_by(gadget::ID.asc())
                .include(gadget::PARTS.order_by(part::ID.asc()))
        ),
        operation!(
            "create",
            "prisma.part.create({ data: { name: 'bench' } })",
            |db| db.part().create(part::Create {
                name: "bench".into()
            })
        ),
        operation!(
            "update",
            "prisma.gadget.update({ where: { id: 1 }, data: { stock: { increment: 1 } } })",
            |db| db
                .gadget()
                .update(gadget::id(1), [gadget::STOCK.increment(1)])
        ),
        operation!(
            "count",
            "prisma.gadget.count({ where: { makerId: 1 } })",
            |db| db.gadget().count().filter(gadget::MAKER_ID.equals(1))
        ),
    ]
}

/// `--rounds N` (default 10) and `--calls N` (default 100).
struct Settings {
    rounds: usize,
    calls: usize,
}

fn settings(args: &[String]) -> Result<Settings> {
    let mut out = Settings {
        rounds: 10,
        calls: 100,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--rounds" => &mut out.rounds,
            "--calls" => &mut out.calls,
            other => bail!("bench prisma: unknown argument {other} (--rounds N, --calls N)"),
        };
        *slot = args
            .next()
            .and_then(|n| n.parse().ok())
            .filter(|&n: &usize| n > 0)
            .with_context(|| format!("{flag} takes a positive number"))?;
    }
    Ok(out)
}

pub fn run(args: &[String]) -> Result<bool> {
    let settings = settings(args)?;
    if cfg!(debug_assertions) {
        println!("bench prisma: running again as a release build (cargo run --release -p xtask)");
        let status = Command::new(env!("CARGO"))
            .current_dir(crate::root())
            .args(["run", "--release", "-p", "xtask", "--", "bench", "prisma"])
            .args(args)
            .status()
            .context("running cargo run --release -p xtask")?;
        return Ok(status.success());
    }
    let started = Instant::now();
    let load_before = load_average();
    let folder = crate::conformance::client::prisma_client_folder()?;
    let script = folder.join("prisma_bench.mjs");
    std::fs::write(&script, SCRIPT)?;

    let database = TestDb::try_new_blocking()
        .map_err(|e| anyhow::anyhow!("no PostgreSQL for bench prisma: {e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let operations = operations();
    let server = runtime.block_on(async {
        crate::conformance::client::migrate_and_seed(database.url(), SEED).await?;
        server_version(database.url()).await
    })?;
    let mut prisma = PrismaSide::start(&folder, database.url(), &operations)?;
    let db = Client::new(database.url())?;

    // Per operation: (Prisma's call times, refract's).
    let mut times: Vec<(Vec<Duration>, Vec<Duration>)> = vec![Default::default(); operations.len()];
    let measured = runtime.block_on(async {
        // Both sides return the same number of rows, nested rows and fields.
        for (index, operation) in operations.iter().enumerate() {
            let theirs = shape(&prisma.show(index)?);
            let ours = shape(&(operation.show)(&db).await?);
            anyhow::ensure!(
                theirs == ours,
                "{}: Prisma's result has the shape {theirs}, refract's {ours}",
                operation.name
            );
        }
        for round in 0..=settings.rounds {
            let warm_up = round == 0;
            for (index, operation) in operations.iter().enumerate() {
                let prisma_first = round % 2 == 0;
                let mut refract_times = Vec::new();
                let mut prisma_times = Vec::new();
                if prisma_first {
                    prisma_times = prisma.run(index, settings.calls)?;
                }
                for _ in 0..settings.calls {
                    let start = Instant::now();
                    (operation.rust)(&db)
                        .await
                        .with_context(|| format!("refract: {}", operation.name))?;
                    refract_times.push(start.elapsed());
                }
                if !prisma_first {
                    prisma_times = prisma.run(index, settings.calls)?;
                }
                if !warm_up {
                    times[index].0.extend(prisma_times);
                    times[index].1.extend(refract_times);
                }
            }
        }
        Ok::<_, anyhow::Error>(())
    });
    let finished = prisma.finish();
    drop(db);
    drop(database);
    measured?;
    finished?;

    println!(
        "\nrefract's generated client vs Prisma Client 7.10, same database, interleaved: \
         {} rounds × {} sequential calls per operation per client (after one warm-up round)",
        settings.rounds, settings.calls
    );
    println!(
        "| operation | Prisma median | Prisma p90 | refract median | refract p90 | refract ÷ Prisma (median) | (p90) |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (operation, (prisma_times, refract_times)) in operations.iter().zip(&mut times) {
        let (prisma_median, prisma_p90) = median_and_p90(prisma_times);
        let (refract_median, refract_p90) = median_and_p90(refract_times);
        println!(
            "| {} | {} | {} | {} | {} | {:.2}× | {:.2}× |",
            operation.name,
            micros(prisma_median),
            micros(prisma_p90),
            micros(refract_median),
            micros(refract_p90),
            refract_median.as_secs_f64() / prisma_median.as_secs_f64(),
            refract_p90.as_secs_f64() / prisma_p90.as_secs_f64(),
        );
    }
    println!(
        "\nmachine: {} CPUs ({}), load average {} before, {} after; {}; node {}; run took {:.1} s",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model(),
        load_before,
        load_average(),
        server,
        node_version(),
        started.elapsed().as_secs_f64()
    );
    Ok(true)
}

/// The Node.js process running `prisma.mjs`.
struct PrismaSide {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl PrismaSide {
    fn start(folder: &Path, url: &str, operations: &[Operation]) -> Result<PrismaSide> {
        let mut child = Command::new("node")
            .arg("prisma_bench.mjs")
            .current_dir(folder)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("running node (bench prisma needs Node.js on PATH)")?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            bail!("node's stdin and stdout are not piped");
        };
        let mut side = PrismaSide {
            child,
            stdin,
            stdout: BufReader::new(stdout),
        };
        let setup = json!({
            "url": url,
            "operations": operations
                .iter()
                .map(|op| json!({ "name": op.name, "js": op.js }))
                .collect::<Vec<_>>(),
        });
        let answer = side.ask(&setup)?;
        anyhow::ensure!(answer == "ready", "prisma_bench.mjs answered {answer:?}");
        Ok(side)
    }

    /// Sends one request line, returns the answer line.
    fn ask(&mut self, request: &serde_json::Value) -> Result<String> {
        writeln!(self.stdin, "{request}")?;
        self.stdin.flush()?;
        let mut line = String::new();
        if self.stdout.read_line(&mut line)? == 0 {
            bail!("prisma_bench.mjs exited (its error is above)");
        }
        Ok(line.trim_end().to_owned())
    }

    /// `calls` sequential calls of the operation; each call's time as Node measured it.
    fn run(&mut self, operation: usize, calls: usize) -> Result<Vec<Duration>> {
        let answer = self.ask(&json!({ "operation": operation, "calls": calls }))?;
        let nanos: Vec<u64> = serde_json::from_str(&answer)
            .with_context(|| format!("prisma_bench.mjs answered {answer:?}"))?;
        anyhow::ensure!(
            nanos.len() == calls,
            "prisma_bench.mjs timed {} calls",
            nanos.len()
        );
        Ok(nanos.into_iter().map(Duration::from_nanos).collect())
    }

    /// One call's result, as JSON.
    fn show(&mut self, operation: usize) -> Result<Value> {
        let answer = self.ask(&json!({ "operation": operation, "show": true }))?;
        serde_json::from_str(&answer)
            .with_context(|| format!("prisma_bench.mjs answered {answer:?}"))
    }

    fn finish(self) -> Result<()> {
        let PrismaSide {
            mut child, stdin, ..
        } = self;
        drop(stdin);
        let status = child.wait()?;
        anyhow::ensure!(status.success(), "prisma_bench.mjs failed: {status}");
        Ok(())
    }
}

/// What a result holds, values aside: a number stays itself (a count), an object becomes
/// its number of fields, an array the list of its elements' shapes.
fn shape(value: &Value) -> Value {
    match value {
        Value::Number(_) => value.clone(),
        Value::Object(fields) => json!({
            "fields": fields.len(),
            "lists": fields.values().filter(|v| v.is_array()).map(shape).collect::<Vec<_>>(),
        }),
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        _ => Value::Null,
    }
}

fn median_and_p90(times: &mut [Duration]) -> (Duration, Duration) {
    times.sort();
    let at = |fraction: f64| {
        let index = ((times.len() as f64 - 1.0) * fraction).round() as usize;
        times.get(index).copied().unwrap_or_default()
    };
    (at(0.5), at(0.9))
}

fn micros(duration: Duration) -> String {
    format!("{:.0} µs", duration.as_secs_f64() * 1e6)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

fn node_version() -> String {
    Command::new("node")
        .arg("--version")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default()
}

async fn server_version(url: &str) -> Result<String> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    let task = tokio::spawn(connection);
    let row = client.query_one("SHOW server_version", &[]).await?;
    let version: String = row.get(0);
    let fsync = client.query_one("SHOW fsync", &[]).await?;
    let fsync: String = fsync.get(0);
    drop(client);
    let _ = task.await;
    Ok(format!("PostgreSQL {version} (fsync={fsync})"))
}
