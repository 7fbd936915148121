//! `include` costs one statement per included relation per level, whatever the number
//! of parent rows: the statement log of the same query over 1, 10 and 100 parents is the
//! same length and the same SQL.

use relations_client::runtime::Filter;
use relations_client::*;

use super::seeded;
use refract_testdb::StatementLog;

/// Adds `n` users, each with a manager, a follower and three posts of two comments (one
/// with an author) and two tags.
async fn grow(db: &Client, n: usize) {
    for i in 0..n {
        db.user()
            .create(user::Create {
                email: format!("u{i}@many"),
                name: format!("Many {i}"),
            })
            .with(
                user::POSTS.create_many((0..3).map(|p| post::CreateWithoutAuthor {
                    title: format!("p{p}"),
                })),
            )
            .with(user::MANAGER.connect(user::id(1)))
            .with(user::FOLLOWERS.connect(user::id(2)))
            .await
            .unwrap();
    }
    let posts: Vec<i32> = db
        .post()
        .find_many()
        .filter(post::AUTHOR.is(user::EMAIL.ends_with("@many")))
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    for id in posts {
        db.post()
            .update_relations(post::id(id))
            .with(post::COMMENTS.create_many([
                relations_client::WriteData::set(
                    comment::CreateWithoutPost { body: "a".into() },
                    comment::AUTHOR_ID.set(3),
                ),
                runtime::WithFields::new(comment::CreateWithoutPost { body: "b".into() }),
            ]))
            .with(post::TAGS.connect(tag::id(1)))
            .with(post::TAGS.connect(tag::id(2)))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn include_does_not_grow_with_the_number_of_parents() {
    let s = seeded().await;
    let db = &s.client;
    grow(db, 100).await;
    let log = StatementLog::default();
    let _guard = tracing::subscriber::set_default(log.clone());
    tracing::callsite::rebuild_interest_cache();
    let mut shapes = Vec::new();
    for parents in [1i64, 10, 100] {
        log.clear();
        let users = db
            .user()
            .find_many()
            .filter(user::EMAIL.ends_with("@many"))
            .order_by(user::ID.asc())
            .take(parents)
            .include(
                user::POSTS
                    .order_by(post::ID.asc())
                    .include(
                        post::COMMENTS
                            .filter(Filter::all())
                            .include(comment::AUTHOR),
                    )
                    .include(post::TAGS)
                    .include_count(),
            )
            .include(user::MANAGER)
            .include(user::FOLLOWERS.take(5))
            .include_count()
            .await
            .unwrap();
        assert_eq!(users.len() as i64, parents);
        assert!(users.iter().all(|u| {
            u.get(user::POSTS).len() == 3
                && u.get(user::POSTS)
                    .iter()
                    .all(|p| p.get(post::COMMENTS).len() == 2 && p.get(post::TAGS).len() == 2)
        }));
        let statements = log.statements();
        // users, posts, comments, comment authors, tags, managers, followers.
        assert_eq!(statements.len(), 7, "{parents} parents: {statements:#?}");
        assert!(
            users
                .iter()
                .all(|u| u.get(user::MANAGER).is_some() && u.get(user::FOLLOWERS).len() == 1)
        );
        assert!(
            statements
                .iter()
                .skip(1)
                .all(|sql| sql.contains("= ANY($1)")),
            "{statements:#?}"
        );
        shapes.push(statements);
    }
    // The same statements, whatever the number of parents: one prepared shape each (the
    // parents' own query renders `take(1)` as `LIMIT 1`, any other take as `LIMIT $2`).
    assert_eq!(shapes[0][1..], shapes[2][1..]);
    assert_eq!(shapes[1], shapes[2]);
}
