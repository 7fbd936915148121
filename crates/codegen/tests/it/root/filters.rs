//! Every filter operator the root schema's field types have, each checked against the
//! rows it must match: equals, not, in, not_in, lt/lte/gt/gte, contains/starts_with/
//! ends_with (case-sensitive and insensitive), null checks, AND/OR/NOT, enums and Json.
//! (Number operators are in `every_type`, whose schema has numbers.)

use client::runtime::{Client, Filter};
use client::user::{self, EMAIL, NAME, ROLE};
use client::*;
use serde_json::json;

use super::{setup, tenant};

/// Users `a`..`f` with varied names and roles; returns the tenant's id.
async fn seed(db: &Client) -> String {
    let t = tenant(db, "t").await;
    let rows = [
        ("a@x.io", Some("Alice"), UserRole::Admin),
        ("b@x.io", Some("alfred"), UserRole::Author),
        ("c@y.io", Some("Bob"), UserRole::Viewer),
        ("d@y.io", None, UserRole::Viewer),
        ("e@z.io", Some("ALBERT"), UserRole::Author),
        ("f@z.io", Some("it's \"$1\""), UserRole::Viewer),
    ];
    for (email, name, role) in rows {
        let mut data = client::WriteData::set(
            user::Create {
                email: email.to_owned(),
                tenant_id: t.id.to_owned(),
            },
            ROLE.set(role),
        );
        if let Some(name) = name {
            data = data.set(NAME.set(name));
        }
        db.user().create_many([data]).await.unwrap();
    }
    t.id
}

/// The emails' first letters of the users matching `filter`, in email order.
async fn matching(db: &Client, filter: Filter<User>) -> String {
    db.user()
        .find_many()
        .filter(filter)
        .order_by(EMAIL.asc())
        .await
        .unwrap()
        .iter()
        .map(|u| &u.email[..1])
        .collect()
}

#[tokio::test]
async fn scalar_operators() {
    let s = setup().await;
    let db = &s.client;
    seed(db).await;
    let cases: Vec<(&str, Filter<User>, &str)> = vec![
        ("equals", EMAIL.equals("c@y.io"), "c"),
        ("not", EMAIL.not("c@y.io"), "abdef"),
        // Like Prisma, `not` on an optional field does not match NULL.
        ("not on optional", NAME.not("Bob"), "abef"),
        ("in", EMAIL.is_in(["a@x.io", "d@y.io", "zz"]), "ad"),
        ("in empty", EMAIL.is_in(Vec::<String>::new()), ""),
        ("not_in", EMAIL.not_in(["a@x.io", "d@y.io"]), "bcef"),
        ("lt", EMAIL.lt("c@y.io"), "ab"),
        ("lte", EMAIL.lte("c@y.io"), "abc"),
        ("gt", EMAIL.gt("c@y.io"), "def"),
        ("gte", EMAIL.gte("c@y.io"), "cdef"),
        ("contains", NAME.contains("l"), "ab"),
        (
            "contains insensitive",
            NAME.contains("L").insensitive(),
            "abe",
        ),
        ("starts_with", NAME.starts_with("al"), "b"),
        (
            "starts_with insensitive",
            NAME.starts_with("al").insensitive(),
            "abe",
        ),
        ("ends_with", EMAIL.ends_with("@z.io"), "ef"),
        (
            "ends_with insensitive",
            NAME.ends_with("ERT").insensitive(),
            "e",
        ),
        ("equals insensitive", NAME.equals("bob").insensitive(), "c"),
        ("is_null", NAME.is_null(), "d"),
        ("is_not_null", NAME.is_not_null(), "abcef"),
        ("equals_opt none", NAME.equals_opt(None), "d"),
        (
            "equals_opt some",
            NAME.equals_opt(Some("Bob".to_owned())),
            "c",
        ),
        // LIKE wildcards in the text are matched literally.
        ("contains wildcard", NAME.contains("%"), ""),
        ("contains quote and $1", NAME.contains("'s \"$1"), "f"),
        ("enum equals", ROLE.equals(UserRole::Author), "be"),
        ("enum not", ROLE.not(UserRole::Viewer), "abe"),
        (
            "enum in",
            ROLE.is_in([UserRole::Admin, UserRole::Author]),
            "abe",
        ),
        ("enum not_in", ROLE.not_in([UserRole::Viewer]), "abe"),
        (
            "AND",
            Filter::and([ROLE.equals(UserRole::Viewer), NAME.is_not_null()]),
            "cf",
        ),
        ("AND empty", Filter::and([]), "abcdef"),
        (
            "OR",
            Filter::or([EMAIL.starts_with("a"), NAME.equals("Bob")]),
            "ac",
        ),
        ("OR empty", Filter::or([]), ""),
        (
            "NOT",
            Filter::not([ROLE.equals(UserRole::Viewer), EMAIL.starts_with("a")]),
            "be",
        ),
        (
            "nested",
            Filter::or([
                Filter::and([ROLE.equals(UserRole::Author), NAME.contains("a")]),
                Filter::not([NAME.is_not_null()]),
            ]),
            "bd",
        ),
        (
            "and_also",
            EMAIL
                .ends_with(".io")
                .and_also(ROLE.equals(UserRole::Admin)),
            "a",
        ),
    ];
    let mut failures = Vec::new();
    for (name, filter, expected) in cases {
        let got = matching(db, filter).await;
        if got != expected {
            failures.push(format!("{name}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Several `filter` calls combine with AND; count takes the same filters.
    let count = db
        .user()
        .count()
        .filter(ROLE.equals(UserRole::Viewer))
        .filter(NAME.is_not_null())
        .await
        .unwrap();
    assert_eq!(count, 2);
}

#[tokio::test]
async fn date_time_json_and_optional_foreign_keys() {
    let s = setup().await;
    let db = &s.client;
    let t = tenant(db, "t").await;
    let schema = json!({"type": "object", "properties": {"q": {"type": "string"}}});
    let make = |name: &str| tool::Create {
        name: name.to_owned(),
        title: "title".into(),
        r#type: ToolType::Custom,
        input_schema: schema.clone(),
        output_schema: json!({}),
        auth_type: "api_key".into(),
        auth_config: json!({"secret": name}),
    };
    let global = db
        .tool()
        .create_many([make("g")])
        .and_return()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    let owned = client::WriteData::set(make("o"), tool::TENANT_ID.set(&t.id));
    db.tool().create_many([owned]).await.unwrap();
    let created = global[0].created_at;

    let names = |tools: Vec<Tool>| tools.into_iter().map(|t| t.name).collect::<Vec<_>>();
    let by = |filter: Filter<Tool>| async move {
        names(
            db.tool()
                .find_many()
                .filter(filter)
                .order_by(tool::NAME.asc())
                .await
                .unwrap(),
        )
    };
    assert_eq!(by(tool::CREATED_AT.equals(created)).await, ["g"]);
    assert_eq!(by(tool::CREATED_AT.gt(created)).await, ["o"]);
    assert_eq!(by(tool::CREATED_AT.gte(created)).await, ["g", "o"]);
    assert_eq!(by(tool::CREATED_AT.lt(created)).await, Vec::<String>::new());
    assert_eq!(by(tool::CREATED_AT.lte(created)).await, ["g"]);
    assert_eq!(by(tool::TENANT_ID.is_null()).await, ["g"]);
    assert_eq!(by(tool::TENANT_ID.equals(&t.id)).await, ["o"]);
    assert_eq!(
        by(tool::AUTH_CONFIG.equals(json!({"secret": "o"}))).await,
        ["o"]
    );
    assert_eq!(
        by(tool::AUTH_CONFIG.not(json!({"secret": "o"}))).await,
        ["g"]
    );
    assert_eq!(
        by(tool::INPUT_SCHEMA.equals(schema.clone())).await,
        ["g", "o"]
    );
    assert_eq!(
        by(tool::TYPE.is_in([ToolType::Custom, ToolType::SlackPost])).await,
        ["g", "o"]
    );
}
