//! Measures the runtime's overhead against hand-written tokio-postgres with prepared
//! statements, on one model, sequentially: `cargo run --release -p refract-runtime
//! --example overhead`. A quick local check; the project's benchmark is `cargo xtask bench`.

#[path = "../tests/client/generated.rs"]
mod generated;

use std::time::{Duration, Instant};

use generated::Models;
use generated::user::{self, *};

const ROUNDS: usize = 2000;

async fn time<F, Fut>(rounds: usize, mut body: F) -> Duration
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for i in 0..rounds / 10 {
        body(rounds + i).await;
    }
    let start = Instant::now();
    for i in 0..rounds {
        body(i).await;
    }
    start.elapsed() / rounds as u32
}

#[tokio::main]
async fn main() {
    let db = refract_testdb::TestDb::new().await;
    let raw = db.client().await;
    raw.batch_execute(generated::SCHEMA_SQL).await.unwrap();
    let client = refract_runtime::ClientConfig::from_url(db.url())
        .unwrap()
        .max_connections(4)
        .build()
        .unwrap();
    let rows: Vec<_> = (0..1000)
        .map(|i| user::data(format!("seed{i}@x"), "t", format!("s{i}")))
        .collect();
    client.user().create_many(rows).await.unwrap();
    let columns = "\"id\", \"email\", \"name\", \"role\", \"profile\", \"tags\", \"balance\", \"score\", \"visits\", \"active\", \"avatar\", \"tenant\", \"handle\", \"birthday\", \"created_at\", \"updatedAt\"";
    use refract_runtime::FromRow;

    let by_id = raw
        .prepare(&format!(
            "SELECT {columns} FROM \"User\" WHERE \"id\" = $1 LIMIT 1"
        ))
        .await
        .unwrap();
    let all = raw
        .prepare(&format!("SELECT {columns} FROM \"User\""))
        .await
        .unwrap();
    let insert = raw
        .prepare(&format!("INSERT INTO \"User\" (\"email\", \"tenant\", \"handle\", \"updatedAt\") VALUES ($1, $2, $3, $4) RETURNING {columns}"))
        .await
        .unwrap();
    let update = raw.prepare(&format!("UPDATE \"User\" SET \"score\" = \"score\" + $1, \"updatedAt\" = $2 WHERE \"id\" = $3 RETURNING {columns}")).await.unwrap();
    let count = raw.prepare("SELECT COUNT(*) FROM \"User\"").await.unwrap();

    let mut report = Vec::new();
    let hand = time(ROUNDS, |i| {
        let (raw, by_id) = (&raw, &by_id);
        async move {
            let row = raw
                .query_opt(by_id, &[&((i % 1000) as i32 + 1)])
                .await
                .unwrap();
            std::hint::black_box(row.map(|r| User::from_row(&r).unwrap()));
        }
    })
    .await;
    let ours = time(ROUNDS, |i| {
        let client = &client;
        async move {
            std::hint::black_box(
                client
                    .user()
                    .find_unique(user::id((i % 1000) as i32 + 1))
                    .await
                    .unwrap(),
            );
        }
    })
    .await;
    report.push(("find_unique by id", hand, ours));

    let hand = time(ROUNDS / 20, |_| {
        let (raw, all) = (&raw, &all);
        async move {
            let rows = raw.query(all, &[]).await.unwrap();
            std::hint::black_box(
                rows.iter()
                    .map(|r| User::from_row(r).unwrap())
                    .collect::<Vec<_>>(),
            );
        }
    })
    .await;
    let ours = time(ROUNDS / 20, |_| {
        let client = &client;
        async move {
            std::hint::black_box(client.user().find_many().await.unwrap());
        }
    })
    .await;
    report.push(("find_many 1000 rows", hand, ours));

    let hand = time(ROUNDS, |i| {
        let (raw, insert) = (&raw, &insert);
        async move {
            let now = chrono::Utc::now().naive_utc();
            let row = raw
                .query_one(insert, &[&format!("h{i}@x"), &"t", &format!("h{i}"), &now])
                .await
                .unwrap();
            std::hint::black_box(User::from_row(&row).unwrap());
        }
    })
    .await;
    let ours = time(ROUNDS, |i| {
        let client = &client;
        async move {
            std::hint::black_box(
                client
                    .user()
                    .create(format!("o{i}@x"), "t", format!("o{i}"))
                    .await
                    .unwrap(),
            );
        }
    })
    .await;
    report.push(("create", hand, ours));

    let hand = time(ROUNDS, |i| {
        let (raw, update) = (&raw, &update);
        async move {
            let now = chrono::Utc::now().naive_utc();
            let row = raw
                .query_one(update, &[&1.0f64, &now, &((i % 1000) as i32 + 1)])
                .await
                .unwrap();
            std::hint::black_box(User::from_row(&row).unwrap());
        }
    })
    .await;
    let ours = time(ROUNDS, |i| {
        let client = &client;
        async move {
            std::hint::black_box(
                client
                    .user()
                    .update(user::id((i % 1000) as i32 + 1), [SCORE.increment(1.0)])
                    .await
                    .unwrap(),
            );
        }
    })
    .await;
    report.push(("update", hand, ours));

    let hand = time(ROUNDS, |_| {
        let (raw, count) = (&raw, &count);
        async move {
            std::hint::black_box(raw.query_one(count, &[]).await.unwrap().get::<_, i64>(0));
        }
    })
    .await;
    let ours = time(ROUNDS, |_| {
        let client = &client;
        async move {
            std::hint::black_box(client.user().count().await.unwrap());
        }
    })
    .await;
    report.push(("count", hand, ours));

    println!(
        "{:<22} {:>12} {:>12} {:>7}",
        "operation", "hand-written", "refract", "ratio"
    );
    for (name, hand, ours) in report {
        println!(
            "{name:<22} {:>10.1}us {:>10.1}us {:>7.3}",
            hand.as_secs_f64() * 1e6,
            ours.as_secs_f64() * 1e6,
            ours.as_secs_f64() / hand.as_secs_f64()
        );
    }
}
