//! The client generated from `tests/fixtures/every_type.prisma` (committed at
//! `generated/every_type`) against PostgreSQL: every scalar type round-trips, enums are
//! stored by their database names, client-side ids have their formats, numbers filter and
//! update atomically, lists filter and grow, compound ids and uniques find, page and fail
//! with the fields named.

use chrono::{TimeZone, Utc};
use every_type_client::runtime::{Error, Filter};
use every_type_client::sample::{self, *};
use every_type_client::{Level, Models, Sample, WriteData, membership};
use rust_decimal::Decimal;
use serde_json::json;

use crate::support::{Database, database};

const SCHEMA: &str = "crates/codegen/tests/fixtures/every_type.prisma";

async fn setup() -> Database {
    database(SCHEMA).await
}

fn amount(text: &str) -> Decimal {
    text.parse().unwrap()
}

#[tokio::test]
async fn every_type_round_trips() {
    let s = setup().await;
    let db = &s.client;
    let payload =
        json!({"nested": {"list": [1, 2.5, "three", null, true]}, "quote": "it's \"$1\""});
    let day = Utc.with_ymd_and_hms(2024, 2, 29, 0, 0, 0).unwrap();
    let created = db
        .sample()
        .create(sample::Create {
            text: "text".into(),
            big: 9_007_199_254_740_993,
            amount: amount("12345678.90"),
            payload: payload.clone(),
            mapped: "m".into(),
        })
        .set(MAYBE_TEXT.set("maybe"))
        .set(RATIO.set(0.125))
        .set(DAY.set(day))
        .set(BLOB.set(vec![0u8, 1, 254, 255]))
        .set(TAGS.set(["a", "b"].map(String::from)))
        .set(LEVEL.set(Level::Medium))
        .set(LEVELS.set([Level::High, Level::Low]))
        .await
        .unwrap();
    let expected_defaults = (true, 0, vec![1, 2]);
    assert_eq!(
        (created.flag, created.count, created.scores.clone()),
        expected_defaults
    );
    assert_eq!(created.text, "text");
    assert_eq!(created.maybe_text.as_deref(), Some("maybe"));
    assert_eq!(created.big, 9_007_199_254_740_993);
    assert_eq!(created.ratio, Some(0.125));
    assert_eq!(created.amount, amount("12345678.90"));
    assert_eq!(created.day, Some(day));
    assert_eq!(created.payload, payload);
    assert_eq!(created.blob.as_deref(), Some(&[0u8, 1, 254, 255][..]));
    assert_eq!(created.tags, ["a", "b"]);
    assert_eq!(
        (created.level, created.levels.clone()),
        (Level::Medium, vec![Level::High, Level::Low])
    );
    assert_eq!(created.mapped, "m");
    // DateTime is stored as TIMESTAMP(3): millisecond precision, UTC.
    assert_eq!(created.at.timestamp_subsec_nanos() % 1_000_000, 0);
    assert!((Utc::now() - created.touched).num_seconds().abs() < 60);

    let found = db
        .sample()
        .find_unique(sample::id(created.id))
        .await
        .unwrap();
    assert_eq!(found.as_ref(), Some(&created));

    // Optional fields read back as None, lists without a default as empty.
    let bare = db
        .sample()
        .create(sample::Create {
            text: "bare".into(),
            big: 0,
            amount: Decimal::ZERO,
            payload: json!(null),
            mapped: "m".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        (bare.maybe_text, bare.ratio, bare.day, bare.blob),
        (None, None, None, None)
    );
    assert!(bare.tags.is_empty() && bare.levels.is_empty());
    assert_eq!(bare.payload, json!(null));

    // Enums are stored by their database names (`@map`), in the Postgres enum type.
    let stored: Vec<(String, String)> = db
        .query_raw_as(
            "SELECT level::text, pg_typeof(level)::text FROM samples WHERE id = $1",
            &[&created.id],
        )
        .await
        .unwrap();
    assert_eq!(stored, vec![("medium".to_owned(), "level_kind".to_owned())]);
    assert_eq!(
        db.sample()
            .count()
            .filter(LEVEL.equals(Level::Medium))
            .await
            .unwrap(),
        1
    );
    let raw_enum: Vec<(Level,)> = db
        .query_raw_as("SELECT level FROM samples WHERE id = $1", &[&created.id])
        .await
        .unwrap();
    assert_eq!(raw_enum, vec![(Level::Medium,)]);
    assert_eq!(Level::ALL, [Level::Low, Level::Medium, Level::High]);

    // serde uses Prisma's names: field names as written, enum values by Prisma name.
    let json = serde_json::to_value(&created).unwrap();
    assert_eq!(json["maybeText"], "maybe");
    assert_eq!(json["level"], "MEDIUM");
    assert_eq!(json["mapped"], "m");
    let back: Sample = serde_json::from_value(json).unwrap();
    assert_eq!(back, created);
}

#[tokio::test]
async fn client_side_defaults_have_their_formats() {
    let s = setup().await;
    let db = &s.client;
    let rows = (0..50).map(|i| sample::Create {
        text: format!("r{i}"),
        big: i,
        amount: Decimal::ONE,
        payload: json!({}),
        mapped: "m".into(),
    });
    let samples = db.sample().create_many(rows).and_return().await.unwrap();
    let hex = |s: &str| s.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    for sample in &samples {
        assert!(
            hex(&sample.uuid4) && sample.uuid4.len() == 36,
            "{}",
            sample.uuid4
        );
        assert_eq!(&sample.uuid4[14..15], "4");
        assert_eq!(&sample.uuid7[14..15], "7");
        assert!(sample.cuid1.starts_with('c') && sample.cuid1.len() == 25);
        assert!(
            sample.cuid2.len() == 24 && sample.cuid2.starts_with(|c: char| c.is_ascii_lowercase())
        );
        assert_eq!(sample.nano.len(), 10, "nanoid(10)");
        assert_eq!(sample.ulid.len(), 26);
    }
    let mut ulids: Vec<&str> = samples.iter().map(|s| s.ulid.as_str()).collect();
    ulids.sort_unstable();
    ulids.dedup();
    assert_eq!(ulids.len(), 50);
    // A value given explicitly wins over the client default.
    let chosen = db
        .sample()
        .create(sample::Create {
            text: "x".into(),
            big: 1,
            amount: Decimal::ONE,
            payload: json!({}),
            mapped: "m".into(),
        })
        .set(ULID.set("01ARZ3NDEKTSV4RRFFQ69G5FAV"))
        .await
        .unwrap();
    assert_eq!(chosen.ulid, "01ARZ3NDEKTSV4RRFFQ69G5FAV");
    assert_eq!(
        db.sample()
            .find_unique(sample::ulid("01ARZ3NDEKTSV4RRFFQ69G5FAV"))
            .await
            .unwrap(),
        Some(chosen)
    );
}

#[tokio::test]
async fn number_filters_and_atomic_updates() {
    let s = setup().await;
    let db = &s.client;
    let rows = (1..=5).map(|i| {
        sample::Create {
            text: format!("n{i}"),
            big: i64::from(i) * 10,
            amount: amount(&format!("{i}.50")),
            payload: json!({}),
            mapped: "m".into(),
        }
        .set(COUNT.set(i))
        .set(RATIO.set(f64::from(i) / 4.0))
    });
    db.sample().create_many(rows).await.unwrap();
    let texts = |filter: Filter<Sample>| async move {
        db.sample()
            .find_many()
            .filter(filter)
            .order_by(ID.asc())
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.text)
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(texts(COUNT.equals(3)).await, "n3");
    assert_eq!(texts(COUNT.not(3)).await, "n1,n2,n4,n5");
    assert_eq!(texts(COUNT.is_in([1, 5, 9])).await, "n1,n5");
    assert_eq!(texts(COUNT.not_in([1, 5])).await, "n2,n3,n4");
    assert_eq!(texts(COUNT.lt(3)).await, "n1,n2");
    assert_eq!(texts(COUNT.lte(3)).await, "n1,n2,n3");
    assert_eq!(texts(COUNT.gt(3)).await, "n4,n5");
    assert_eq!(texts(COUNT.gte(3)).await, "n3,n4,n5");
    assert_eq!(texts(BIG.gte(40)).await, "n4,n5");
    assert_eq!(texts(RATIO.lt(0.5)).await, "n1");
    assert_eq!(texts(AMOUNT.gt(amount("3.5"))).await, "n4,n5");
    assert_eq!(texts(AMOUNT.equals(amount("2.50"))).await, "n2");
    assert_eq!(texts(FLAG.equals(true)).await, "n1,n2,n3,n4,n5");

    let id = db
        .sample()
        .find_first_or_throw()
        .filter(TEXT.equals("n2"))
        .await
        .unwrap()
        .id;
    let key = || sample::id(id);
    let updated = db
        .sample()
        .update(
            key(),
            [
                COUNT.increment(5),
                BIG.decrement(5),
                RATIO.multiply(4.0),
                AMOUNT.divide(amount("2")),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        (updated.count, updated.big, updated.ratio, updated.amount),
        (7, 15, Some(2.0), amount("1.25"))
    );
    let updated = db
        .sample()
        .update(key(), [COUNT.set(1), TAGS.push(["x".to_owned()])])
        .await
        .unwrap();
    assert_eq!(
        (updated.count, updated.tags.clone()),
        (1, vec!["x".to_owned()])
    );
    assert!(
        updated.touched
            > db.sample()
                .find_first()
                .filter(TEXT.equals("n3"))
                .await
                .unwrap()
                .unwrap()
                .touched
    );
    // update_many applies the same arithmetic to every row.
    assert_eq!(
        db.sample()
            .update_many(COUNT.gte(3), [COUNT.increment(100)])
            .await
            .unwrap(),
        3
    );
    assert_eq!(texts(COUNT.gt(100)).await, "n3,n4,n5");
}

#[tokio::test]
async fn list_filters() {
    let s = setup().await;
    let db = &s.client;
    let tagged = |text: &str, tags: &[&str]| {
        sample::Create {
            text: text.to_owned(),
            big: 0,
            amount: Decimal::ZERO,
            payload: json!({}),
            mapped: "m".into(),
        }
        .set(TAGS.set(tags.iter().map(|t| t.to_string())))
    };
    db.sample()
        .create_many([
            tagged("ab", &["a", "b"]),
            tagged("b", &["b"]),
            tagged("none", &[]),
        ])
        .await
        .unwrap();
    let texts = |filter: Filter<Sample>| async move {
        let mut texts: Vec<String> = db
            .sample()
            .find_many()
            .filter(filter)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.text)
            .collect();
        texts.sort();
        texts.join(",")
    };
    assert_eq!(texts(TAGS.has("a")).await, "ab");
    assert_eq!(
        texts(TAGS.has_every(["a", "b"].map(String::from))).await,
        "ab"
    );
    assert_eq!(
        texts(TAGS.has_some(["b", "z"].map(String::from))).await,
        "ab,b"
    );
    assert_eq!(texts(TAGS.is_empty(true)).await, "none");
    assert_eq!(texts(TAGS.equals(["b".to_owned()])).await, "b");
    assert_eq!(texts(LEVELS.is_empty(true)).await, "ab,b,none");
    assert_eq!(texts(SCORES.has(2)).await, "ab,b,none");
}

#[tokio::test]
async fn compound_ids_and_uniques() {
    let s = setup().await;
    let db = &s.client;
    for (org, user, handle) in [(1, 1, "ann"), (1, 2, "bob"), (2, 1, "ann"), (1, 3, "cat")] {
        db.membership()
            .create(membership::Create {
                org_id: org,
                user_id: user,
                handle: handle.to_owned(),
            })
            .await
            .unwrap();
    }
    // @@id([orgId, userId]) and @@unique([orgId, handle], name: "orgHandle").
    let bob = db
        .membership()
        .find_unique(membership::org_id_user_id(1, 2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bob.handle, "bob");
    assert_eq!(
        db.membership()
            .find_unique(membership::org_handle(1, "bob"))
            .await
            .unwrap(),
        Some(bob.clone())
    );
    assert_eq!(
        db.membership()
            .find_unique(membership::org_handle(3, "bob"))
            .await
            .unwrap(),
        None
    );
    let updated = db
        .membership()
        .update(membership::org_handle(1, "bob"), [membership::SEAT.set(7)])
        .await
        .unwrap();
    assert_eq!(updated.seat, Some(7));
    // A compound unique narrowed by a non-unique filter (Prisma's extended where-unique).
    let narrowed = membership::org_id_user_id(1, 2).and(membership::SEAT.equals(8));
    assert_eq!(db.membership().find_unique(narrowed).await.unwrap(), None);

    // Compound cursor.
    let page: Vec<(i32, i32)> = db
        .membership()
        .find_many()
        .order_by(membership::ORG_ID.asc())
        .order_by(membership::USER_ID.asc())
        .cursor(membership::org_id_user_id(1, 2))
        .take(2)
        .select((membership::ORG_ID, membership::USER_ID))
        .await
        .unwrap();
    assert_eq!(page, vec![(1, 2), (1, 3)]);

    // Upsert on a compound key.
    let upserted = db
        .membership()
        .upsert(
            membership::org_id_user_id(2, 2),
            membership::Create {
                org_id: 2,
                user_id: 2,
                handle: "dan".into(),
            },
            [membership::HANDLE.set("never")],
        )
        .await
        .unwrap();
    assert_eq!(upserted.handle, "dan");

    // Violations name every field of the compound constraint.
    let error = db
        .membership()
        .create(membership::Create {
            org_id: 1,
            user_id: 9,
            handle: "ann".into(),
        })
        .await
        .unwrap_err();
    match &error {
        Error::UniqueViolation { fields, .. } => assert_eq!(fields, &["orgId", "handle"]),
        other => panic!("{other:?}"),
    }
    let error = db
        .membership()
        .create(membership::Create {
            org_id: 1,
            user_id: 1,
            handle: "zed".into(),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::UniqueViolation { fields, .. } if fields == &["orgId", "userId"]),
        "{error:?}"
    );
    assert_eq!(
        db.membership()
            .delete(membership::org_id_user_id(1, 1))
            .await
            .unwrap()
            .handle,
        "ann"
    );
    assert_eq!(
        db.membership()
            .delete(membership::org_id_user_id(1, 1))
            .await
            .unwrap_err()
            .code(),
        Some("P2025")
    );
}

fn minimal(text: &str) -> sample::Create {
    sample::Create {
        text: text.to_owned(),
        big: 0,
        amount: Decimal::ZERO,
        payload: json!({}),
        mapped: "m".into(),
    }
}

/// A value set for a column with a client default (`uuid()`, `uuid(7)`, `cuid()`,
/// `cuid(2)`, `nanoid(10)`, `ulid()`, `now()`, `@updatedAt`) is the value stored, in
/// create, create_many and upsert; the columns left out get their defaults, and a new
/// record's `@updatedAt` is its `@default(now())`.
#[tokio::test]
async fn explicit_values_win_over_client_defaults() {
    let s = setup().await;
    let db = &s.client;
    let uuid = "0b6e1a4c-5f0e-4d7a-9a57-3f1c2e8d9b10";
    let at = Utc.with_ymd_and_hms(2021, 5, 6, 7, 8, 9).unwrap();
    let created = db
        .sample()
        .create(minimal("explicit"))
        .set(UUID4.set(uuid))
        .set(UUID7.set("u7"))
        .set(CUID1.set("c1"))
        .set(CUID2.set("c2"))
        .set(NANO.set("n"))
        .set(ULID.set("l"))
        .set(AT.set(at))
        .await
        .unwrap();
    assert_eq!(
        (
            created.uuid4.as_str(),
            created.uuid7.as_str(),
            created.cuid1.as_str(),
            created.cuid2.as_str(),
            created.nano.as_str(),
            created.ulid.as_str(),
        ),
        (uuid, "u7", "c1", "c2", "n", "l")
    );
    assert_eq!(created.at, at);
    assert_ne!(created.touched, at, "@updatedAt not set: stamped");

    let defaulted = db.sample().create(minimal("defaulted")).await.unwrap();
    assert_eq!(defaulted.touched, defaulted.at);
    assert_eq!(defaulted.nano.len(), 10);

    let many = db
        .sample()
        .create_many([
            minimal("many explicit")
                .set(ULID.set("many-ulid"))
                .set(UUID4.set(uuid)),
            every_type_client::runtime::WithFields::new(minimal("many defaulted")),
        ])
        .and_return()
        .await
        .unwrap();
    assert_eq!(
        (many[0].ulid.as_str(), many[0].uuid4.as_str()),
        ("many-ulid", uuid)
    );
    assert_eq!(many[1].ulid.len(), 26);
    assert!(many.iter().all(|s| s.touched == s.at));

    let upserted = db
        .sample()
        .upsert(
            sample::ulid("upserted-ulid"),
            minimal("upserted").set(ULID.set("upserted-ulid")),
            [TEXT.set("never")],
        )
        .await
        .unwrap();
    assert_eq!(
        (upserted.ulid.as_str(), upserted.text.as_str()),
        ("upserted-ulid", "upserted")
    );
    assert_eq!(upserted.touched, upserted.at);
}

/// `set` and the arithmetic operations share one update list (one type, `Assign`).
#[tokio::test]
async fn set_and_increment_in_one_update() {
    let s = setup().await;
    let db = &s.client;
    let created = db
        .sample()
        .create(minimal("before"))
        .set(COUNT.set(1))
        .await
        .unwrap();
    let updated = db
        .sample()
        .update(
            sample::id(created.id),
            [
                TEXT.set("after"),
                COUNT.increment(2),
                RATIO.set(0.5),
                TAGS.push(["t".to_owned()]),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        (
            updated.text.as_str(),
            updated.count,
            updated.ratio,
            updated.tags.clone()
        ),
        ("after", 3, Some(0.5), vec!["t".to_owned()])
    );
}

/// Create data takes values: an arithmetic operation there is refused before anything
/// is sent, in create, create_many and upsert.
#[tokio::test]
async fn create_data_refuses_update_operations() {
    let s = setup().await;
    let db = &s.client;
    let refused = db
        .sample()
        .create(minimal("x"))
        .set(COUNT.increment(1))
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, Error::InvalidQuery(message) if message.contains("increment")),
        "{refused:?}"
    );
    let refused = db
        .sample()
        .create_many([minimal("y").set(COUNT.increment(1))])
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::InvalidQuery(_)), "{refused:?}");
    let refused = db
        .sample()
        .upsert(
            sample::id(1),
            minimal("z").set(TAGS.push(["t".to_owned()])),
            [],
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::InvalidQuery(_)), "{refused:?}");
    assert_eq!(db.sample().count().await.unwrap(), 0);
}
