//! `include` against hand-written tokio-postgres, in the same run, on the same database:
//! 100 conversations of a tenant, each with its 20 messages in order (root schema,
//! `generated/client`).
//!
//! The generated side is one typed call, `find_many().include(MESSAGES.order_by(..))`
//! (two statements: the conversations, then every message of all of them with
//! `"convoId" = ANY($1)`). The hand-written side is what a careful author would write,
//! two ways: the same two statements with a `HashMap` from conversation id to its
//! position (`hand_two_queries`), and one `LEFT JOIN` walked in order
//! (`hand_join`). Both hand versions prepare their statements up front and use one
//! connection; the generated side goes through its pool (one connection) and statement
//! cache. All decode into structs with the same fields, on one current-thread runtime.
//!
//! After divan's table, the operations run **interleaved** (alternating which goes
//! first) and the ratio of medians is printed against each hand version and the best.
//!
//! `cargo bench -p refract-codegen --bench relations` (part of `cargo xtask bench`).

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDateTime, Utc};
use client::runtime::{Client, ClientConfig, With};
use client::{Conversation, Models, conversation, message};
use divan::Bencher;
use postgres_types::FromSql;
use tokio::runtime::Runtime;
use tokio_postgres::Statement;

#[path = "../tests/it/tables.rs"]
mod tables;

fn main() {
    divan::main();
    if std::env::var_os("REFRACT_BENCH_PAIRED").is_none_or(|v| v != "0") {
        paired();
    }
}

const CONVERSATIONS: usize = 100;
const MESSAGES: usize = 20;
const TENANT: &str = "bench-tenant";

type Loaded = client::runtime::Loaded<Conversation, (With<conversation::relation::Messages>,)>;

/// The hand-written side's rows.
#[allow(dead_code)]
struct HandConversation {
    id: String,
    agent_id: String,
    tenant_id: String,
    user_id: Option<String>,
    channel: Option<String>,
    state: serde_json::Value,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    messages: Vec<HandMessage>,
}

#[allow(dead_code)]
struct HandMessage {
    id: String,
    role: Role,
    content: String,
    metadata: Option<serde_json::Value>,
    convo_id: String,
    created_at: DateTime<Utc>,
}

#[derive(FromSql)]
#[postgres(name = "MessageRole")]
#[allow(clippy::upper_case_acronyms, dead_code)]
enum Role {
    USER,
    ASSISTANT,
    TOOL,
    SYSTEM,
}

impl HandConversation {
    fn from_row(row: &tokio_postgres::Row) -> HandConversation {
        HandConversation {
            id: row.get(0),
            agent_id: row.get(1),
            tenant_id: row.get(2),
            user_id: row.get(3),
            channel: row.get(4),
            state: row.get(5),
            created_at: row.get::<_, NaiveDateTime>(6).and_utc(),
            updated_at: row.get::<_, NaiveDateTime>(7).and_utc(),
            messages: Vec::new(),
        }
    }
}

impl HandMessage {
    /// A message whose columns start at `at`.
    fn from_row(row: &tokio_postgres::Row, at: usize) -> HandMessage {
        HandMessage {
            id: row.get(at),
            role: row.get(at + 1),
            content: row.get(at + 2),
            metadata: row.get(at + 3),
            convo_id: row.get(at + 4),
            created_at: row.get::<_, NaiveDateTime>(at + 5).and_utc(),
        }
    }
}

const CONVERSATION_COLUMNS: &str =
    r#""id", "agentId", "tenantId", "userId", "channel", "state", "createdAt", "updatedAt""#;
const MESSAGE_COLUMNS: &str = r#""id", "role", "content", "metadata", "convoId", "createdAt""#;

struct Hand {
    client: tokio_postgres::Client,
    conversations: Statement,
    messages: Statement,
    join: Statement,
}

impl Hand {
    /// Two statements: the conversations, then all their messages, grouped by a map
    /// from conversation id to position.
    async fn two_queries(&self) -> Vec<HandConversation> {
        let rows = self
            .client
            .query(&self.conversations, &[&TENANT])
            .await
            .unwrap();
        let mut conversations: Vec<HandConversation> =
            rows.iter().map(HandConversation::from_row).collect();
        let ids: Vec<&str> = conversations.iter().map(|c| c.id.as_str()).collect();
        let rows = self.client.query(&self.messages, &[&ids]).await.unwrap();
        let position: HashMap<String, usize> = conversations
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        for row in &rows {
            let message = HandMessage::from_row(row, 0);
            if let Some(&i) = position.get(&message.convo_id) {
                conversations[i].messages.push(message);
            }
        }
        conversations
    }

    /// One `LEFT JOIN`, ordered by conversation then message, walked once.
    async fn join(&self) -> Vec<HandConversation> {
        let rows = self.client.query(&self.join, &[&TENANT]).await.unwrap();
        let mut conversations: Vec<HandConversation> = Vec::new();
        for row in &rows {
            let id: &str = row.get(0);
            if conversations.last().is_none_or(|c| c.id != id) {
                conversations.push(HandConversation::from_row(row));
            }
            if row.get::<_, Option<&str>>(8).is_some() {
                if let Some(last) = conversations.last_mut() {
                    last.messages.push(HandMessage::from_row(row, 8));
                }
            }
        }
        conversations
    }
}

struct Setup {
    runtime: Runtime,
    generated: Client,
    hand: Hand,
    // Dropped last: the database goes with it.
    _db: refract_testdb::TestDb,
}

const SEED: &str = r#"
INSERT INTO "Tenant" (id, name, "updatedAt") VALUES ('bench-tenant', 'bench', now()), ('other', 'other', now());
INSERT INTO "Agent" (id, name, "flowJson", "tenantId", "updatedAt") VALUES ('agent', 'helper', '{"nodes": []}', 'bench-tenant', now());
INSERT INTO "Conversation" (id, "agentId", "tenantId", channel, state, "createdAt", "updatedAt")
  SELECT 'conv' || lpad(i::text, 4, '0'), 'agent', 'bench-tenant', 'web', '{"step": 3, "vars": {"topic": "billing"}}',
         timestamp '2024-01-01' + i * interval '1 minute', now()
  FROM generate_series(1, 100) i;
INSERT INTO "Message" (id, role, content, metadata, "convoId", "createdAt")
  SELECT 'msg' || lpad(i::text, 4, '0') || '-' || lpad(j::text, 2, '0'),
         (CASE WHEN j % 2 = 1 THEN 'USER' ELSE 'ASSISTANT' END)::"MessageRole",
         'message ' || j || ' of conversation ' || i || ', about as long as a short chat turn usually is',
         CASE WHEN j % 5 = 0 THEN '{"tool": "kb_search", "hits": 3}'::jsonb END,
         'conv' || lpad(i::text, 4, '0'),
         timestamp '2024-02-01' + j * interval '1 second' + (i % 7) * interval '1 millisecond'
  FROM generate_series(1, 100) i, generate_series(1, 20) j;
ANALYZE;
"#;

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let runtime = refract_testdb::bench::current_thread_runtime();
        let db = refract_testdb::TestDb::new_blocking();
        let (generated, hand) = runtime.block_on(async {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
            let files = refract_schema::load(&root.join("schema.prisma")).unwrap();
            let schema = refract_schema::validate(&files).schema;
            let script = tables::create_tables_sql(&schema);
            let raw = db.client().await;
            raw.batch_execute(&script).await.unwrap();
            raw.batch_execute(SEED).await.unwrap();
            let generated = ClientConfig::from_url(db.url())
                .unwrap()
                .max_connections(1)
                .build()
                .unwrap();
            let hand = Hand {
                conversations: raw
                    .prepare(&format!(
                        r#"SELECT {CONVERSATION_COLUMNS} FROM "Conversation" WHERE "tenantId" = $1 ORDER BY "createdAt""#
                    ))
                    .await
                    .unwrap(),
                messages: raw
                    .prepare(&format!(
                        r#"SELECT {MESSAGE_COLUMNS} FROM "Message" WHERE "convoId" = ANY($1) ORDER BY "createdAt", "id""#
                    ))
                    .await
                    .unwrap(),
                join: raw
                    .prepare(
                        r#"SELECT c."id", c."agentId", c."tenantId", c."userId", c."channel", c."state", c."createdAt", c."updatedAt",
                                  m."id", m."role", m."content", m."metadata", m."convoId", m."createdAt"
                           FROM "Conversation" c LEFT JOIN "Message" m ON m."convoId" = c."id"
                           WHERE c."tenantId" = $1 ORDER BY c."createdAt", c."id", m."createdAt", m."id""#,
                    )
                    .await
                    .unwrap(),
                client: raw,
            };
            (generated, hand)
        });
        Setup {
            runtime,
            generated,
            hand,
            _db: db,
        }
    })
}

/// The generated client's one call.
async fn generated(db: &Client) -> Vec<Loaded> {
    db.conversation()
        .find_many()
        .filter(conversation::TENANT_ID.equals(TENANT))
        .order_by(conversation::CREATED_AT.asc())
        .include(conversation::MESSAGES.order_by(message::CREATED_AT.asc()))
        .exec()
        .await
        .unwrap()
}

fn check_generated(loaded: &[Loaded]) {
    assert_eq!(loaded.len(), CONVERSATIONS);
    assert!(
        loaded
            .iter()
            .all(|c| c.get(conversation::MESSAGES).len() == MESSAGES)
    );
}

fn check_hand(loaded: &[HandConversation]) {
    assert_eq!(loaded.len(), CONVERSATIONS);
    assert!(loaded.iter().all(|c| c.messages.len() == MESSAGES));
}

mod conversations_100_x_messages_20 {
    use super::*;

    #[divan::bench]
    fn generated_include(bencher: Bencher) {
        let s = setup();
        bencher.bench_local(|| {
            let loaded = s.runtime.block_on(super::generated(&s.generated));
            check_generated(&loaded);
            loaded
        });
    }

    #[divan::bench]
    fn hand_two_queries(bencher: Bencher) {
        let s = setup();
        bencher.bench_local(|| {
            let loaded = s.runtime.block_on(s.hand.two_queries());
            check_hand(&loaded);
            loaded
        });
    }

    #[divan::bench]
    fn hand_join(bencher: Bencher) {
        let s = setup();
        bencher.bench_local(|| {
            let loaded = s.runtime.block_on(s.hand.join());
            check_hand(&loaded);
            loaded
        });
    }
}

type Operation<'s> = Box<dyn Fn() -> Duration + 's>;

fn timed<'s>(work: impl Fn() + 's) -> Operation<'s> {
    Box::new(move || {
        let start = Instant::now();
        work();
        start.elapsed()
    })
}

/// The three versions interleaved (the order rotates every round), medians compared.
fn paired() {
    let s = setup();
    let versions: Vec<(&str, Operation)> = vec![
        (
            "generated include",
            timed(|| check_generated(&s.runtime.block_on(generated(&s.generated)))),
        ),
        (
            "hand: two queries",
            timed(|| check_hand(&s.runtime.block_on(s.hand.two_queries()))),
        ),
        (
            "hand: one join",
            timed(|| check_hand(&s.runtime.block_on(s.hand.join()))),
        ),
    ];
    let rounds = 400;
    let warm_up = rounds / 10;
    let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(rounds); versions.len()];
    for round in 0..rounds + warm_up {
        for k in 0..versions.len() {
            let index = (round + k) % versions.len();
            let elapsed = (versions[index].1)();
            if round >= warm_up {
                times[index].push(elapsed);
            }
        }
    }
    for list in &mut times {
        list.sort();
    }
    let median = |list: &[Duration]| list[list.len() / 2];
    let best_hand = median(&times[1]).min(median(&times[2]));
    println!("\ninterleaved, {rounds} rounds: {CONVERSATIONS} conversations × {MESSAGES} messages");
    println!(
        "{:<20} {:>12} {:>12} {:>14}",
        "version", "median", "fastest", "vs best hand"
    );
    for (i, (name, _)) in versions.iter().enumerate() {
        let m = median(&times[i]);
        println!(
            "{:<20} {:>12.2?} {:>12.2?} {:>13.3}x",
            name,
            m,
            times[i][0],
            m.as_secs_f64() / best_hand.as_secs_f64()
        );
    }
}
