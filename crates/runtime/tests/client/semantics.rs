//! Prisma Client's semantics where refract used to differ (issue 14). The expected results
//! are written here: they are what Prisma Client 7.10 returned on the same data when run by
//! hand; the tests read nothing outside this repository.
//! Covered: cursors over nullable orderings, `mode: insensitive` on every string operator,
//! `updateMany` with nothing to set, explicit values over a `data()` helper's, one instant
//! for `updatedAt` and `createdAt` on create, LIKE patterns, and Json filters.

use refract_runtime::{Assign, Client, Filter};
use serde_json::json;

use crate::support::{seed_users, setup};
use runtime_tests_client::Models;
use runtime_tests_client::user::{self, *};

/// Ids of the users a filter returns, in id order.
async fn ids(client: &Client, filter: Filter<User>) -> Vec<i32> {
    let users = client
        .user()
        .find_many()
        .filter(filter)
        .order_by(ID.asc())
        .exec()
        .await
        .unwrap();
    users.into_iter().map(|u| u.id).collect()
}

fn ids_of(users: Vec<User>) -> Vec<i32> {
    users.into_iter().map(|u| u.id).collect()
}

/// Prisma slices the ordered rows from the cursor's position, NULLs included where the
/// ordering puts them (`cursor: {id: 2}, orderBy: {weightKg: 'asc'}` with a NULL weight
/// gives `[2, 5]`, the NULL rows from the cursor on, not every row).
#[tokio::test]
pub(crate) async fn cursor_on_a_nullable_ordering_starts_at_the_cursor_row() {
    let s = setup().await;
    let db = &s.client;
    seed_users(db, 6).await;
    // ids 1..6 = u0..u5; names: NULL, Name1, Name2, NULL, Name0, Name1. In NAME ASC (NULLs
    // last), ties by id: 5, 2, 6, 3, 1, 4.
    let page = |cursor: i32, order: Vec<refract_runtime::OrderBy<User>>, take: i64| {
        let mut query = db.user().find_many().cursor(user::id(cursor)).take(take);
        for term in order {
            query = query.order_by(term);
        }
        async move { ids_of(query.exec().await.unwrap()) }
    };
    assert_eq!(page(1, vec![NAME.asc()], 10).await, [1, 4]);
    assert_eq!(page(1, vec![NAME.asc(), ID.asc()], 10).await, [1, 4]);
    assert_eq!(page(4, vec![NAME.asc(), ID.asc()], 10).await, [4]);
    assert_eq!(page(3, vec![NAME.asc()], 10).await, [3, 1, 4]);
    assert_eq!(page(4, vec![NAME.asc(), ID.desc()], 10).await, [4, 1]);
    // DESC puts NULLs first.
    assert_eq!(page(4, vec![NAME.desc()], 10).await, [4, 3, 2, 6, 5]);
    assert_eq!(page(3, vec![NAME.desc()], 10).await, [3, 2, 6, 5]);
    assert_eq!(
        page(5, vec![NAME.asc().nulls_first()], 10).await,
        [5, 2, 6, 3]
    );
    assert_eq!(
        page(1, vec![NAME.asc().nulls_first()], 10).await,
        [1, 4, 5, 2, 6, 3]
    );
    assert_eq!(
        page(6, vec![NAME.desc().nulls_last()], 10).await,
        [6, 5, 1, 4]
    );
    // A negative take: the rows up to the cursor, in order.
    assert_eq!(page(1, vec![NAME.asc()], -10).await, [5, 2, 6, 3, 1]);
    assert_eq!(page(3, vec![NAME.asc()], -2).await, [6, 3]);
    // Skipping the cursor row.
    let after = db
        .user()
        .find_many()
        .cursor(user::id(1))
        .skip(1)
        .order_by(NAME.asc())
        .exec()
        .await
        .unwrap();
    assert_eq!(ids_of(after), [4]);
}

/// `mode: 'insensitive'` applies to every string operator (`email in
/// ['ALICE@EXAMPLE.COM', ...]` finds `alice@example.com`).
#[tokio::test]
pub(crate) async fn insensitive_applies_to_every_string_operator() {
    let s = setup().await;
    let db = &s.client;
    seed_users(db, 6).await;
    let cases: Vec<(&str, Filter<User>, Vec<i32>)> = vec![
        (
            "in",
            EMAIL
                .is_in(["U1@EXAMPLE.COM", "u2@example.com"])
                .insensitive(),
            vec![2, 3],
        ),
        (
            "not in",
            EMAIL.not_in(["U1@EXAMPLE.COM"]).insensitive(),
            vec![1, 3, 4, 5, 6],
        ),
        (
            "nullable in",
            NAME.is_in(["NAME1"]).insensitive(),
            vec![2, 6],
        ),
        ("in, sensitive", EMAIL.is_in(["U1@EXAMPLE.COM"]), vec![]),
        ("lt", EMAIL.lt("U2").insensitive(), vec![1, 2]),
        (
            "lte",
            EMAIL.lte("U2@EXAMPLE.COM").insensitive(),
            vec![1, 2, 3],
        ),
        ("gt", EMAIL.gt("U4@EXAMPLE.COM").insensitive(), vec![6]),
        ("gte", EMAIL.gte("U4").insensitive(), vec![5, 6]),
        (
            "in, inside OR",
            Filter::or([EMAIL.is_in(["U0@EXAMPLE.COM"]), NAME.equals("NAME2")]).insensitive(),
            vec![1, 3],
        ),
        (
            "empty in",
            EMAIL.is_in(Vec::<String>::new()).insensitive(),
            vec![],
        ),
    ];
    for (label, filter, expected) in cases {
        assert_eq!(ids(db, filter).await, expected, "{label}");
    }
}

/// `updateMany({ where, data: {} })` returns how many rows match (Prisma: `{count: 5}`),
/// `updateManyAndReturn` the matching rows.
#[tokio::test]
pub(crate) async fn update_many_with_nothing_to_set_counts_the_matching_rows() {
    let s = setup().await;
    let db = &s.client;
    seed_users(db, 6).await;
    let count = db
        .user()
        .update_many(NAME.is_null(), Vec::<Assign<User>>::new())
        .exec()
        .await
        .unwrap();
    assert_eq!(count, 2);
    let none = db
        .user()
        .update_many(ID.lt(0), Vec::<Assign<User>>::new())
        .exec()
        .await
        .unwrap();
    assert_eq!(none, 0);
    let returned = db
        .user()
        .update_many(NAME.is_null(), Vec::<Assign<User>>::new())
        .and_return()
        .exec()
        .await
        .unwrap();
    let mut returned = ids_of(returned);
    returned.sort();
    assert_eq!(returned, [1, 4]);
}

/// A field set again after the `Create` struct set it takes the later value, in create,
/// create_many and upsert (it was "column specified more than once", or the first value).
#[tokio::test]
pub(crate) async fn an_explicit_value_overrides_the_data_helpers() {
    let s = setup().await;
    let db = &s.client;
    let data = |n: u32| {
        runtime_tests_client::WriteData::set(
            user::Create {
                email: format!("generated{n}@x"),
                tenant: "t".into(),
                handle: format!("h{n}"),
            },
            EMAIL.set(format!("explicit{n}@x")),
        )
    };
    let created = db.user().create(data(1)).exec().await.unwrap();
    assert_eq!(created.email, "explicit1@x");
    let many = db
        .user()
        .create_many([data(2), data(3)])
        .and_return()
        .exec()
        .await
        .unwrap();
    let emails: Vec<String> = many.into_iter().map(|u| u.email).collect();
    assert_eq!(emails, ["explicit2@x", "explicit3@x"]);
    let upserted = db
        .user()
        .upsert(
            user::email("explicit4@x"),
            data(4),
            Vec::<Assign<User>>::new(),
        )
        .exec()
        .await
        .unwrap();
    assert_eq!(upserted.email, "explicit4@x");
}

/// Prisma stamps `@updatedAt` and fills `@default(now())` with one instant on create.
#[tokio::test]
pub(crate) async fn a_new_record_is_updated_when_it_is_created() {
    let s = setup().await;
    let db = &s.client;
    let created = db
        .user()
        .create(user::Create {
            email: "a@x".into(),
            tenant: "t".into(),
            handle: "a".into(),
        })
        .exec()
        .await
        .unwrap();
    assert_eq!(created.updated_at, created.created_at);
    let many = db
        .user()
        .create_many([
            user::Create {
                email: "b@x".into(),
                tenant: "t".into(),
                handle: "b".into(),
            },
            user::Create {
                email: "c@x".into(),
                tenant: "t".into(),
                handle: "c".into(),
            },
        ])
        .and_return()
        .exec()
        .await
        .unwrap();
    for user in many {
        assert_eq!(user.updated_at, user.created_at, "{}", user.email);
    }
    let upserted = db
        .user()
        .upsert(
            user::email("d@x"),
            user::Create {
                email: "d@x".into(),
                tenant: "t".into(),
                handle: "d".into(),
            },
            [NAME.set("updated")],
        )
        .exec()
        .await
        .unwrap();
    assert_eq!(upserted.updated_at, upserted.created_at);
    // An explicit value is kept.
    let explicit = chrono::DateTime::parse_from_rfc3339("2020-01-02T03:04:05.678Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let set = db
        .user()
        .create(user::Create {
            email: "e@x".into(),
            tenant: "t".into(),
            handle: "e".into(),
        })
        .set(UPDATED_AT.set(explicit))
        .exec()
        .await
        .unwrap();
    assert_eq!(set.updated_at, explicit);
}

/// `contains` matches `%`, `_` and `\` literally (a deliberate difference: Prisma 7.10
/// passes them to LIKE, so `contains: '_'` matches every row); `like`/`ilike` take a
/// pattern for those who want wildcards.
#[tokio::test]
pub(crate) async fn like_takes_a_pattern_contains_does_not() {
    let s = setup().await;
    let db = &s.client;
    seed_users(db, 6).await;
    assert_eq!(ids(db, EMAIL.contains("_")).await, Vec::<i32>::new());
    assert_eq!(ids(db, EMAIL.like("u_@%")).await, [1, 2, 3, 4, 5, 6]);
    assert_eq!(ids(db, EMAIL.like("u1%")).await, [2]);
    assert_eq!(ids(db, EMAIL.like("U1%")).await, Vec::<i32>::new());
    assert_eq!(ids(db, EMAIL.ilike("U1%")).await, [2]);
    assert_eq!(ids(db, EMAIL.like("U1%").insensitive()).await, [2]);
    assert_eq!(ids(db, NAME.like("%1")).await, [2, 6]);
}

/// Json filters, with the results Prisma Client 7.10 gives on the same values.
#[tokio::test]
pub(crate) async fn json_filters() {
    let s = setup().await;
    let db = &s.client;
    seed_users(db, 6).await;
    let profiles = [
        Some(
            json!({"name": "Alice", "tags": ["a", "b", "c"], "nested": {"k": "hello world"}, "n": 3}),
        ),
        Some(json!(["x", "y", {"z": 1}])),
        Some(json!("just a string value")),
        Some(json!({"name": "Dave", "tags": ["b"], "nested": {"k": "HELLO"}})),
        Some(json!({"name": "100%"})),
        None,
    ];
    for (i, profile) in profiles.into_iter().enumerate() {
        db.user()
            .update(user::id(i as i32 + 1), [PROFILE.set_opt(profile)])
            .exec()
            .await
            .unwrap();
    }
    let cases: Vec<(&str, Filter<User>, Vec<i32>)> = vec![
        (
            "path equals",
            PROFILE.path(["name"]).equals("Alice"),
            vec![1],
        ),
        (
            "path equals object",
            PROFILE.path(["nested"]).equals(json!({"k": "HELLO"})),
            vec![4],
        ),
        ("path not", PROFILE.path(["name"]).not("Alice"), vec![4, 5]),
        ("path gt", PROFILE.path(["n"]).gt(2), vec![1]),
        ("path lte", PROFILE.path(["n"]).lte(2), vec![]),
        (
            "array index",
            PROFILE.path(["tags", "0"]).equals("a"),
            vec![1],
        ),
        (
            "string_contains",
            PROFILE.path(["name"]).string_contains("li"),
            vec![1],
        ),
        (
            "string_contains nested",
            PROFILE.path(["nested", "k"]).string_contains("hello"),
            vec![1],
        ),
        (
            "string_contains insensitive",
            PROFILE
                .path(["nested", "k"])
                .string_contains("hello")
                .insensitive(),
            vec![1, 4],
        ),
        (
            "string_contains a wildcard, literally",
            PROFILE.path(["name"]).string_contains("%"),
            vec![5],
        ),
        (
            "root string_contains",
            PROFILE.string_contains("string"),
            vec![3],
        ),
        (
            "root string_starts_with",
            PROFILE.string_starts_with("just"),
            vec![3],
        ),
        (
            "root string_ends_with",
            PROFILE.string_ends_with("value"),
            vec![3],
        ),
        (
            "string_ends_with",
            PROFILE.path(["name"]).string_ends_with("ce"),
            vec![1],
        ),
        (
            "string_starts_with on a number",
            PROFILE.path(["n"]).string_starts_with("3"),
            vec![],
        ),
        (
            "array_contains",
            PROFILE.path(["tags"]).array_contains(json!(["b"])),
            vec![1, 4],
        ),
        (
            "array_contains a scalar",
            PROFILE.path(["tags"]).array_contains("b"),
            vec![1, 4],
        ),
        (
            "array_contains several",
            PROFILE.path(["tags"]).array_contains(json!(["c", "a"])),
            vec![1],
        ),
        (
            "root array_contains",
            PROFILE.array_contains(json!(["x"])),
            vec![2],
        ),
        (
            "root array_contains an object",
            PROFILE.array_contains(json!([{"z": 1}])),
            vec![2],
        ),
        (
            "array_contains on a string",
            PROFILE.path(["name"]).array_contains(json!(["Alice"])),
            vec![],
        ),
        (
            "array_starts_with",
            PROFILE.path(["tags"]).array_starts_with("a"),
            vec![1],
        ),
        (
            "array_starts_with an array",
            PROFILE.path(["tags"]).array_starts_with(json!(["a"])),
            vec![],
        ),
        (
            "array_ends_with",
            PROFILE.path(["tags"]).array_ends_with("c"),
            vec![1],
        ),
        (
            "root array_ends_with",
            PROFILE.array_ends_with(json!({"z": 1})),
            vec![2],
        ),
        (
            "root array_starts_with",
            PROFILE.array_starts_with("x"),
            vec![2],
        ),
    ];
    for (label, filter, expected) in cases {
        assert_eq!(ids(db, filter).await, expected, "{label}");
    }
}
