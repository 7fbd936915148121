//! Reads: every filter operator, ordering, pagination, cursors, distinct, select, count,
//! unique lookups, and type round trips.

use refract_runtime::{Filter, Value};

use crate::support::{seed_users, setup};
use runtime_tests_client::user::{self, *};
use runtime_tests_client::{Models, Role};

/// Handles of the users a filter returns, in id order.
async fn handles(client: &refract_runtime::Client, filter: Filter<User>) -> Vec<String> {
    let users = client
        .user()
        .find_many()
        .filter(filter)
        .order_by(ID.asc())
        .exec()
        .await
        .unwrap();
    users.into_iter().map(|u| u.handle).collect()
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
pub(crate) async fn every_filter_operator() {
    let s = setup().await;
    seed_users(&s.client, 6).await;
    let all = ["u0", "u1", "u2", "u3", "u4", "u5"];
    let now = chrono::Utc::now() + chrono::Duration::hours(1);
    // u_i: score i, visits 10i, tags even/[odd, x], role ADMIN only for u0,
    // name Name{i%4} except u0 and u3 (NULL).
    let cases: Vec<(&str, Filter<User>, Vec<&str>)> = vec![
        ("equals", EMAIL.equals("u1@example.com"), vec!["u1"]),
        (
            "not",
            EMAIL.not("u1@example.com"),
            vec!["u0", "u2", "u3", "u4", "u5"],
        ),
        ("in", SCORE.is_in([1.0, 3.0]), vec!["u1", "u3"]),
        (
            "not in",
            SCORE.not_in([1.0, 3.0]),
            vec!["u0", "u2", "u4", "u5"],
        ),
        ("in empty", SCORE.is_in(Vec::<f64>::new()), vec![]),
        (
            "not in empty",
            SCORE.not_in(Vec::<f64>::new()),
            all.to_vec(),
        ),
        ("lt", SCORE.lt(2.0), vec!["u0", "u1"]),
        ("lte", SCORE.lte(2.0), vec!["u0", "u1", "u2"]),
        ("gt", SCORE.gt(3.0), vec!["u4", "u5"]),
        ("gte", SCORE.gte(3.0), vec!["u3", "u4", "u5"]),
        ("bigint gt", VISITS.gt(30i64), vec!["u4", "u5"]),
        ("contains", NAME.contains("ame1"), vec!["u1", "u5"]),
        (
            "starts with",
            NAME.starts_with("Name"),
            vec!["u1", "u2", "u4", "u5"],
        ),
        ("ends with", NAME.ends_with("0"), vec!["u4"]),
        ("contains is case sensitive", NAME.contains("NAME"), vec![]),
        (
            "insensitive contains",
            NAME.contains("NAME").insensitive(),
            vec!["u1", "u2", "u4", "u5"],
        ),
        (
            "insensitive equals",
            NAME.equals("name1").insensitive(),
            vec!["u1", "u5"],
        ),
        (
            "insensitive starts with",
            NAME.starts_with("nAmE2").insensitive(),
            vec!["u2"],
        ),
        ("is null", NAME.is_null(), vec!["u0", "u3"]),
        (
            "is not null",
            NAME.is_not_null(),
            vec!["u1", "u2", "u4", "u5"],
        ),
        ("not excludes nulls", NAME.not("Name1"), vec!["u2", "u4"]),
        ("equals none", NAME.equals_opt(None), vec!["u0", "u3"]),
        ("enum equals", ROLE.equals(Role::Admin), vec!["u0"]),
        (
            "enum in",
            ROLE.is_in([Role::Member]),
            vec!["u1", "u2", "u3", "u4", "u5"],
        ),
        ("enum not", ROLE.not(Role::Member), vec!["u0"]),
        ("has", TAGS.has("odd"), vec!["u1", "u3", "u5"]),
        (
            "has every",
            TAGS.has_every(names(&["x", "odd"])),
            vec!["u1", "u3", "u5"],
        ),
        (
            "has every missing",
            TAGS.has_every(names(&["odd", "even"])),
            vec![],
        ),
        (
            "has some",
            TAGS.has_some(names(&["even", "zzz"])),
            vec!["u0", "u2", "u4"],
        ),
        ("is empty", TAGS.is_empty(true), vec![]),
        ("is not empty", TAGS.is_empty(false), all.to_vec()),
        (
            "list equals",
            TAGS.equals(names(&["even"])),
            vec!["u0", "u2", "u4"],
        ),
        (
            "and",
            Filter::and([SCORE.gte(1.0), SCORE.lte(3.0)]),
            vec!["u1", "u2", "u3"],
        ),
        (
            "or",
            Filter::or([
                EMAIL.equals("u0@example.com"),
                EMAIL.equals("u5@example.com"),
            ]),
            vec!["u0", "u5"],
        ),
        ("not", Filter::not([SCORE.gte(1.0)]), vec!["u0"]),
        // Prisma's NOT: every listed condition must be false.
        (
            "not: every one false",
            Filter::not([SCORE.lte(1.0), SCORE.gte(4.0)]),
            vec!["u2", "u3"],
        ),
        (
            "not of both",
            Filter::not([SCORE.gte(1.0), SCORE.lte(4.0)]),
            vec![],
        ),
        ("empty not", Filter::not([]), all.to_vec()),
        ("empty and", Filter::and([]), all.to_vec()),
        ("empty or", Filter::or([]), vec![]),
        (
            "nested",
            Filter::or([
                Filter::and([ROLE.equals(Role::Admin), NAME.is_null()]),
                SCORE.equals(5.0),
            ]),
            vec!["u0", "u5"],
        ),
        ("bool", ACTIVE.equals(true), all.to_vec()),
        ("decimal", BALANCE.gt(rust_decimal::Decimal::ZERO), vec![]),
        ("datetime", CREATED_AT.lt(now), all.to_vec()),
        ("optional datetime", BIRTHDAY.is_null(), all.to_vec()),
        ("json null", PROFILE.is_null(), all.to_vec()),
        ("bytes null", AVATAR.is_not_null(), vec![]),
        (
            "compound",
            TENANT.equals("t").and_also(HANDLE.equals("u2")),
            vec!["u2"],
        ),
    ];
    for (name, filter, expected) in cases {
        assert_eq!(
            handles(&s.client, filter).await,
            names(&expected),
            "filter: {name}"
        );
    }
}

#[tokio::test]
pub(crate) async fn like_patterns_escape_wildcards() {
    let s = setup().await;
    for (i, name) in ["50%_off", "500 off", "a\\b", "plain"].iter().enumerate() {
        s.client
            .user()
            .create(user::Create {
                email: format!("{i}@x"),
                tenant: "t".into(),
                handle: format!("h{i}"),
            })
            .set(NAME.set(*name))
            .exec()
            .await
            .unwrap();
    }
    let cases: Vec<(Filter<User>, Vec<&str>)> = vec![
        (NAME.contains("%"), vec!["h0"]),
        (NAME.contains("%_o"), vec!["h0"]),
        (NAME.contains("0_"), vec![]),
        (NAME.starts_with("50%"), vec!["h0"]),
        (NAME.contains("\\"), vec!["h2"]),
        (NAME.ends_with("off"), vec!["h0", "h1"]),
    ];
    for (filter, expected) in cases {
        let debug = format!("{filter:?}");
        assert_eq!(
            handles(&s.client, filter).await,
            names(&expected),
            "{debug}"
        );
    }
}

#[tokio::test]
pub(crate) async fn ordering_and_offset_pagination() {
    let s = setup().await;
    seed_users(&s.client, 6).await;
    let order = |users: Vec<User>| users.into_iter().map(|u| u.handle).collect::<Vec<_>>();
    let db = s.client.user();

    let by_score_desc = db.find_many().order_by(SCORE.desc()).exec().await.unwrap();
    assert_eq!(
        order(by_score_desc),
        names(&["u5", "u4", "u3", "u2", "u1", "u0"])
    );

    let nulls_first = db
        .find_many()
        .order_by(NAME.asc().nulls_first())
        .order_by(ID.asc())
        .exec()
        .await
        .unwrap();
    assert_eq!(
        order(nulls_first),
        names(&["u0", "u3", "u4", "u1", "u5", "u2"])
    );
    let nulls_last = db
        .find_many()
        .order_by(NAME.desc().nulls_last())
        .order_by(ID.asc())
        .exec()
        .await
        .unwrap();
    assert_eq!(
        order(nulls_last),
        names(&["u2", "u1", "u5", "u4", "u0", "u3"])
    );

    let page = db
        .find_many()
        .order_by(ID.asc())
        .skip(1)
        .take(2)
        .exec()
        .await
        .unwrap();
    assert_eq!(order(page), names(&["u1", "u2"]));
    let last_two = db
        .find_many()
        .order_by(ID.asc())
        .take(-2)
        .exec()
        .await
        .unwrap();
    assert_eq!(order(last_two), names(&["u4", "u5"]));
    let before_last = db
        .find_many()
        .order_by(ID.asc())
        .take(-2)
        .skip(1)
        .exec()
        .await
        .unwrap();
    assert_eq!(order(before_last), names(&["u3", "u4"]));
    // A negative take without an order uses the primary key.
    let last_by_id = db.find_many().take(-1).exec().await.unwrap();
    assert_eq!(order(last_by_id), names(&["u5"]));

    let negative_skip = db.find_many().skip(-1).exec().await.unwrap_err();
    assert!(matches!(
        negative_skip,
        refract_runtime::Error::InvalidQuery(_)
    ));
}

#[tokio::test]
pub(crate) async fn cursor_pagination() {
    let s = setup().await;
    let users = seed_users(&s.client, 6).await;
    let order = |users: Vec<User>| users.into_iter().map(|u| u.handle).collect::<Vec<_>>();
    let db = s.client.user();
    let id_of = |handle: &str| users.iter().find(|u| u.handle == handle).unwrap().id;

    let from_cursor = db
        .find_many()
        .order_by(ID.asc())
        .cursor(user::id(id_of("u2")))
        .take(2)
        .exec()
        .await
        .unwrap();
    assert_eq!(order(from_cursor), names(&["u2", "u3"]));
    let after_cursor = db
        .find_many()
        .order_by(ID.asc())
        .cursor(user::id(id_of("u2")))
        .skip(1)
        .take(2)
        .exec()
        .await
        .unwrap();
    assert_eq!(order(after_cursor), names(&["u3", "u4"]));
    let before_cursor = db
        .find_many()
        .order_by(ID.asc())
        .cursor(user::id(id_of("u2")))
        .take(-2)
        .exec()
        .await
        .unwrap();
    assert_eq!(order(before_cursor), names(&["u1", "u2"]));
    let descending = db
        .find_many()
        .order_by(SCORE.desc())
        .cursor(user::email("u3@example.com"))
        .exec()
        .await
        .unwrap();
    assert_eq!(order(descending), names(&["u3", "u2", "u1", "u0"]));
    // Nullable order column: NULLs come after the cursor, as Prisma returns them.
    let by_name = db
        .find_many()
        .order_by(NAME.asc())
        .cursor(user::id(id_of("u5")))
        .take(3)
        .exec()
        .await
        .unwrap();
    assert_eq!(order(by_name), names(&["u5", "u2", "u0"]));
    // Compound unique cursor and a missing cursor row.
    let compound = db
        .find_many()
        .order_by(ID.asc())
        .cursor(user::tenant_handle("t", "u4"))
        .exec()
        .await
        .unwrap();
    assert_eq!(order(compound), names(&["u4", "u5"]));
    let missing = db
        .find_many()
        .order_by(ID.asc())
        .cursor(user::id(-1))
        .exec()
        .await
        .unwrap();
    assert!(missing.is_empty());
}

#[tokio::test]
pub(crate) async fn distinct_keeps_the_first_row_per_value_in_order() {
    let s = setup().await;
    seed_users(&s.client, 6).await;
    let order = |users: Vec<User>| users.into_iter().map(|u| u.handle).collect::<Vec<_>>();
    let db = s.client.user();

    let per_name = db
        .find_many()
        .distinct([NAME])
        .order_by(ID.asc())
        .exec()
        .await
        .unwrap();
    assert_eq!(order(per_name), names(&["u0", "u1", "u2", "u4"]));
    let paged = db
        .find_many()
        .distinct([NAME])
        .order_by(ID.asc())
        .take(2)
        .skip(1)
        .exec()
        .await
        .unwrap();
    assert_eq!(order(paged), names(&["u1", "u2"]));
    let per_role = db
        .find_many()
        .distinct([ROLE])
        .order_by(SCORE.desc())
        .exec()
        .await
        .unwrap();
    assert_eq!(order(per_role), names(&["u5", "u0"]));
    let filtered = db
        .find_many()
        .filter(SCORE.gte(2.0))
        .distinct([ROLE])
        .exec()
        .await
        .unwrap();
    assert_eq!(order(filtered), names(&["u2"]));
}

#[tokio::test]
pub(crate) async fn select_count_and_unique_lookups() {
    let s = setup().await;
    let users = seed_users(&s.client, 6).await;
    let db = s.client.user();

    let picked: Vec<(i32, String)> = db
        .find_many()
        .select((ID, EMAIL))
        .order_by(ID.desc())
        .take(2)
        .exec()
        .await
        .unwrap();
    assert_eq!(
        picked,
        vec![
            (users[5].id, "u5@example.com".to_string()),
            (users[4].id, "u4@example.com".to_string())
        ]
    );

    assert_eq!(db.count().exec().await.unwrap(), 6);
    assert_eq!(db.count().filter(NAME.is_null()).exec().await.unwrap(), 2);
    assert_eq!(db.count().take(2).exec().await.unwrap(), 2);
    assert_eq!(db.count().skip(4).exec().await.unwrap(), 2);
    assert_eq!(db.count().distinct([NAME]).exec().await.unwrap(), 4);
    assert_eq!(
        db.count()
            .order_by(ID.asc())
            .cursor(user::id(users[3].id))
            .exec()
            .await
            .unwrap(),
        3
    );

    assert_eq!(
        db.find_unique(user::id(users[2].id)).exec().await.unwrap(),
        Some(users[2].clone())
    );
    assert_eq!(
        db.find_unique(user::email("u3@example.com")).await.unwrap(),
        Some(users[3].clone())
    );
    assert_eq!(
        db.find_unique(user::tenant_handle("t", "u4"))
            .await
            .unwrap(),
        Some(users[4].clone())
    );
    assert_eq!(
        db.find_unique(user::tenant_handle("other", "u4"))
            .await
            .unwrap(),
        None
    );
    let narrowed = user::id(users[1].id).and(ROLE.equals(Role::Admin));
    assert_eq!(db.find_unique(narrowed).await.unwrap(), None);
    let email_only: Option<(String,)> = db
        .find_unique(user::id(users[1].id))
        .select([EMAIL])
        .await
        .unwrap();
    assert_eq!(email_only, Some(("u1@example.com".to_string(),)));

    let missing = db.find_unique_or_throw(user::id(-5)).await.unwrap_err();
    assert_eq!(missing.code(), Some("P2025"));
    assert_eq!(
        db.find_unique_or_throw(user::id(users[0].id))
            .await
            .unwrap(),
        users[0]
    );

    let first = db
        .find_first()
        .filter(NAME.is_not_null())
        .order_by(SCORE.desc())
        .await
        .unwrap();
    assert_eq!(first.map(|u| u.handle), Some("u5".to_string()));
    let last = db.find_first().order_by(ID.asc()).take(-1).await.unwrap();
    assert_eq!(last.map(|u| u.handle), Some("u5".to_string()));
    let none = db
        .find_first_or_throw()
        .filter(SCORE.gt(100.0))
        .await
        .unwrap_err();
    assert_eq!(none.code(), Some("P2025"));
    assert!(none.to_string().contains("User"), "{none}");
}

#[tokio::test]
pub(crate) async fn every_type_round_trips() {
    let s = setup().await;
    let profile =
        serde_json::json!({"theme": "dark", "nested": {"list": [1, 2.5, null, "x"], "ok": true}});
    let birthday = chrono::DateTime::parse_from_rfc3339("1990-05-17T08:30:15.123Z")
        .unwrap()
        .to_utc();
    let balance: rust_decimal::Decimal = "12345.678901".parse().unwrap();
    let created = s
        .client
        .user()
        .create(user::Create {
            email: "types@example.com".into(),
            tenant: "t".into(),
            handle: "types".into(),
        })
        .set(NAME.set("Type Tester"))
        .set(ROLE.set(Role::Admin))
        .set(PROFILE.set(profile.clone()))
        .set(TAGS.set(names(&["a", "b'c", "$1"])))
        .set(BALANCE.set(balance))
        .set(SCORE.set(-0.125))
        .set(VISITS.set(i64::MAX))
        .set(ACTIVE.set(false))
        .set(AVATAR.set(vec![0u8, 1, 2, 255]))
        .set(BIRTHDAY.set(birthday))
        .exec()
        .await
        .unwrap();
    let read = s
        .client
        .user()
        .find_unique_or_throw(user::id(created.id))
        .await
        .unwrap();
    assert_eq!(read, created);
    assert_eq!(read.role, Role::Admin);
    assert_eq!(read.profile, Some(profile.clone()));
    assert_eq!(read.birthday, Some(birthday));
    assert_eq!(read.balance, balance);
    assert_eq!(read.visits, i64::MAX);
    assert_eq!(read.avatar, Some(vec![0u8, 1, 2, 255]));
    assert_eq!(read.tags, names(&["a", "b'c", "$1"]));
    // Defaults filled by the database; `@updatedAt` by the runtime.
    let defaults = s
        .client
        .user()
        .create(user::Create {
            email: "d@example.com".into(),
            tenant: "t".into(),
            handle: "d".into(),
        })
        .await
        .unwrap();
    assert_eq!(defaults.role, Role::Member);
    assert_eq!(defaults.balance, rust_decimal::Decimal::ZERO);
    assert!(defaults.active);
    assert!(
        (chrono::Utc::now() - defaults.updated_at)
            .num_seconds()
            .abs()
            < 60
    );
    // DateTime is stored as TIMESTAMP(3): UTC wall-clock time, no zone.
    let stored: Vec<(String,)> = s
        .client
        .query_raw_as(
            "SELECT to_char(birthday, 'YYYY-MM-DD HH24:MI:SS.MS') FROM \"User\" WHERE id = $1",
            &[&created.id],
        )
        .await
        .unwrap();
    assert_eq!(stored[0].0, "1990-05-17 08:30:15.123");
    // Json and enum filters bind as their database types.
    let by_json = s
        .client
        .user()
        .find_many()
        .filter(PROFILE.equals(profile))
        .await
        .unwrap();
    assert_eq!(by_json.len(), 1);
    let role_text: Vec<(String,)> = s
        .client
        .query_raw_as(
            "SELECT role::text FROM \"User\" WHERE id = $1",
            &[&created.id],
        )
        .await
        .unwrap();
    assert_eq!(role_text[0].0, "ADMIN");
    let raw_enum = Value::of(Role::Member);
    let members: Vec<(i64,)> = s
        .client
        .query_raw_as(
            "SELECT count(*) FROM \"User\" WHERE role = $1",
            &[&raw_enum],
        )
        .await
        .unwrap();
    assert_eq!(members[0].0, 1);
}
