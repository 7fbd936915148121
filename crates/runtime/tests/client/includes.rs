//! Include and `_count` refusals (one include per relation and level, one `_count`, as a
//! Prisma `include` object has one key per relation), `Loaded`'s JSON read back, and an
//! enum grouped by written under its Prisma name.

use refract_runtime::{Error, Loaded, With, count_all};
use runtime_tests_client::{Models, Role, post, user};

use crate::support::{seed_users, setup};

fn assert_refused<T: std::fmt::Debug>(result: Result<T, Error>, names: &str) {
    match result {
        Err(Error::InvalidQuery(message)) => {
            assert!(message.contains(names), "{message}");
        }
        other => panic!("expected InvalidQuery naming {names}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_relation_included_twice_or_count_twice_is_refused() {
    let s = setup().await;
    let users = seed_users(&s.client, 2).await;
    for title in ["a", "b"] {
        s.client
            .post()
            .create(post::Create {
                title: title.into(),
                author_id: users[0].id,
            })
            .exec()
            .await
            .unwrap();
    }

    // Two filtered includes of one relation would each read the first one's rows.
    let twice = s
        .client
        .user()
        .find_many()
        .include(user::POSTS.filter(post::TITLE.equals("a")))
        .include(user::POSTS.filter(post::TITLE.equals("b")))
        .exec()
        .await;
    assert_refused(twice, "`User.posts` is included twice");

    // The same one level down, and through find_first and find_unique.
    let nested = s
        .client
        .post()
        .find_many()
        .include(post::AUTHOR.include(user::POSTS).include(user::POSTS))
        .exec()
        .await;
    assert_refused(nested, "`User.posts` is included twice");
    let first = s
        .client
        .user()
        .find_first()
        .include(user::POSTS)
        .include(user::POSTS)
        .exec()
        .await;
    assert_refused(first, "`User.posts`");
    let unique = s
        .client
        .user()
        .find_unique(user::id(users[0].id))
        .include_count()
        .include_count_where([user::POSTS.count_where(post::TITLE.equals("a"))])
        .exec()
        .await;
    assert_refused(unique, "`_count` of `User` is included twice");

    // A write with a repeated include writes nothing.
    let created = s
        .client
        .user()
        .create(user::Create {
            email: "twice@example.com".into(),
            tenant: "t".into(),
            handle: "twice".into(),
        })
        .include(user::POSTS)
        .include(user::POSTS)
        .exec()
        .await;
    assert_refused(created, "`User.posts`");
    let updated = s
        .client
        .user()
        .update(user::id(users[1].id), [user::NAME.set("changed")])
        .include_count()
        .include_count()
        .exec()
        .await;
    assert_refused(updated, "`_count` of `User`");
    assert_eq!(s.client.user().count().exec().await.unwrap(), 2);
    let unchanged = s
        .client
        .user()
        .find_unique(user::id(users[1].id))
        .exec()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged.name, users[1].name);

    // Once each still works.
    let loaded = s
        .client
        .user()
        .find_unique(user::id(users[0].id))
        .include(user::POSTS.filter(post::TITLE.equals("b")))
        .include_count()
        .exec()
        .await
        .unwrap()
        .unwrap();
    let titles: Vec<&str> = loaded
        .get(user::POSTS)
        .iter()
        .map(|p| p.title.as_str())
        .collect();
    assert_eq!(titles, ["b"]);
    assert_eq!(loaded.counts().posts, 2);
}

#[test]
fn a_missing_optional_relation_member_is_an_error() {
    type ToolWithTenant = Loaded<client::Tool, (With<client::tool::relation::Tenant>,)>;
    let epoch = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
    let tool = ToolWithTenant::new(
        client::Tool {
            id: "t1".into(),
            name: "search".into(),
            title: "Search".into(),
            r#type: client::ToolType::KbSearch,
            input_schema: serde_json::json!({}),
            output_schema: serde_json::json!({}),
            auth_type: "none".into(),
            auth_config: serde_json::json!({}),
            tenant_id: None,
            created_at: epoch,
            updated_at: epoch,
        },
        (With(None),),
    );
    let mut json = serde_json::to_value(&tool).unwrap();
    assert_eq!(json["tenant"], serde_json::Value::Null);
    let back: ToolWithTenant = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, tool);

    // Without the member, nothing says the relation was loaded.
    json.as_object_mut().unwrap().remove("tenant");
    let error = serde_json::from_value::<ToolWithTenant>(json).unwrap_err();
    assert!(error.to_string().contains("tenant"), "{error}");
}

#[tokio::test]
async fn an_enum_group_key_and_aggregate_serialize_by_prisma_name() {
    let s = setup().await;
    seed_users(&s.client, 3).await;
    let groups = s
        .client
        .user()
        .group_by(user::ROLE)
        .aggregate(count_all())
        .order_by(user::ROLE.asc())
        .await
        .unwrap();
    assert_eq!(groups[1].key(user::ROLE), Role::Member);
    // `Member` is `member` in the database, `MEMBER` in Prisma's JSON.
    assert_eq!(
        serde_json::to_value(&groups).unwrap(),
        serde_json::json!([
            {"role": "ADMIN", "_count": {"_all": 1}},
            {"role": "MEMBER", "_count": {"_all": 2}},
        ])
    );
}
