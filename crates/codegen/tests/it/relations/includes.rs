//! `include` on every relation kind, nested, with per-level arguments.

use relations_client::runtime::NotLoaded;
use relations_client::*;

use super::{ids, seeded};

#[tokio::test]
async fn smoke() {
    let s = seeded().await;
    let db = &s.client;
    let users = db
        .user()
        .find_many()
        .order_by(user::ID.asc())
        .include(user::POSTS.order_by(post::ID.asc()).include(post::TAGS))
        .include(user::PROFILE)
        .include(user::MANAGER)
        .include_count()
        .await
        .unwrap();
    assert_eq!(users.len(), 6);
    let alice = &users[0];
    let titles: Vec<&str> = alice.posts.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Rust ownership", "SQL joins", "Draft on lifetimes"]
    );
    assert_eq!(
        alice.posts[0].tags.iter().map(|t| t.id).collect::<Vec<_>>(),
        [1]
    );
    assert_eq!(
        alice.profile.as_ref().map(|p| p.bio.as_str()),
        Some("likes rust")
    );
    assert!(alice.manager.is_none());
    assert_eq!(users[1].manager.as_ref().map(|m| m.id), Some(1));
    assert_eq!(alice._count.posts, 3);
    let _: NotLoaded = alice.passport;
    let expected = ids(db, r#"SELECT "B" FROM "_Follows" WHERE "A" = 1 ORDER BY 1"#).await;
    assert_eq!(expected, [2, 3]);
}
