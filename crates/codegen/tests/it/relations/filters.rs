//! Relation filters (`some`, `every`, `none` on to-many; `is`, `is_not`, `is_null` on
//! to-one) on every relation kind, nested and combined with scalar filters, in reads,
//! counts, updates and deletes; ordering by a to-one relation's field (also two relations
//! deep) and by a to-many relation's count. Expected ids come from SQL written here.

use relations_client::runtime::Filter;
use relations_client::*;

use super::{ids, seeded};

/// Ids of users matching `filter`, in id order.
async fn users(db: &relations_client::Client, filter: Filter<User>) -> Vec<i32> {
    db.user()
        .find_many()
        .filter(filter)
        .order_by(user::ID.asc())
        .select::<(i32,)>(user::ID)
        .await
        .unwrap()
        .into_iter()
        .map(|(id,)| id)
        .collect()
}

async fn posts(db: &relations_client::Client, filter: Filter<Post>) -> Vec<i32> {
    db.post()
        .find_many()
        .filter(filter)
        .order_by(post::ID.asc())
        .select::<(i32,)>(post::ID)
        .await
        .unwrap()
        .into_iter()
        .map(|(id,)| id)
        .collect()
}

#[tokio::test]
async fn to_many_some_every_none() {
    let s = seeded().await;
    let db = &s.client;
    let cases: Vec<(&str, Filter<User>, &str)> = vec![
        (
            "some post with more than 100 views",
            user::POSTS.some(post::VIEWS.gt(100)),
            r#"SELECT id FROM "User" u WHERE EXISTS (SELECT 1 FROM "Post" p WHERE p."authorId" = u.id AND p.views > 100) ORDER BY id"#,
        ),
        (
            "every post published (users without posts match)",
            user::POSTS.every(post::PUBLISHED.equals(true)),
            r#"SELECT id FROM "User" u WHERE NOT EXISTS (SELECT 1 FROM "Post" p WHERE p."authorId" = u.id AND NOT p.published) ORDER BY id"#,
        ),
        (
            "every post rated above 3 (NULL ratings fail `every`)",
            user::POSTS.every(post::RATING.gt(3.0)),
            r#"SELECT id FROM "User" u WHERE NOT EXISTS (SELECT 1 FROM "Post" p WHERE p."authorId" = u.id AND (p.rating > 3) IS NOT TRUE) ORDER BY id"#,
        ),
        (
            "no draft",
            user::POSTS.none(post::PUBLISHED.equals(false)),
            r#"SELECT id FROM "User" u WHERE NOT EXISTS (SELECT 1 FROM "Post" p WHERE p."authorId" = u.id AND NOT p.published) ORDER BY id"#,
        ),
        (
            "some post at all",
            user::POSTS.some(Filter::all()),
            r#"SELECT DISTINCT "authorId" FROM "Post" ORDER BY 1"#,
        ),
        (
            "self many-to-many: followed by someone managed by Alice",
            user::FOLLOWING.some(user::MANAGER_ID.equals(1)),
            r#"SELECT DISTINCT f."B" FROM "_Follows" f JOIN "User" x ON x.id = f."A" WHERE x."managerId" = 1 ORDER BY 1"#,
        ),
        (
            "self one-to-many: a report who has reports",
            user::REPORTS.some(user::REPORTS.some(Filter::all())),
            r#"SELECT DISTINCT m.id FROM "User" m JOIN "User" r ON r."managerId" = m.id
               WHERE EXISTS (SELECT 1 FROM "User" rr WHERE rr."managerId" = r.id) ORDER BY 1"#,
        ),
        (
            "nested three levels: wrote a post tagged sql that has a comment by Carol",
            user::POSTS.some(Filter::and([
                post::TAGS.some(tag::NAME.equals("sql")),
                post::COMMENTS.some(comment::AUTHOR.is(user::NAME.equals("Carol"))),
            ])),
            r#"SELECT DISTINCT p."authorId" FROM "Post" p
               JOIN "_PostToTag" j ON j."A" = p.id JOIN "Tag" t ON t.id = j."B" AND t.name = 'sql'
               JOIN "Comment" c ON c."postId" = p.id JOIN "User" a ON a.id = c."authorId" AND a.name = 'Carol'
               ORDER BY 1"#,
        ),
        (
            "combined with scalar filters: OR, NOT",
            Filter::or([
                user::NAME.equals("Erin"),
                Filter::and([
                    user::EDITED.some(Filter::all()),
                    Filter::not([user::PROFILE.is(profile::BIO.contains("sql"))]),
                ]),
            ]),
            r#"SELECT id FROM "User" u WHERE u.name = 'Erin' OR (
                 EXISTS (SELECT 1 FROM "Post" p WHERE p."editorId" = u.id)
                 AND NOT EXISTS (SELECT 1 FROM "Profile" pr WHERE pr."userId" = u.id AND pr.bio LIKE '%sql%'))
               ORDER BY id"#,
        ),
    ];
    for (what, filter, sql) in cases {
        assert_eq!(users(db, filter).await, ids(db, sql).await, "{what}");
    }
}

#[tokio::test]
async fn to_one_is_is_not_and_null() {
    let s = seeded().await;
    let db = &s.client;
    let cases: Vec<(&str, Filter<Post>, &str)> = vec![
        (
            "author is managed by Alice",
            post::AUTHOR.is(user::MANAGER_ID.equals(1)),
            r#"SELECT p.id FROM "Post" p JOIN "User" u ON u.id = p."authorId" WHERE u."managerId" = 1 ORDER BY 1"#,
        ),
        (
            "author is not Alice",
            post::AUTHOR.is_not(user::NAME.equals("Alice")),
            r#"SELECT p.id FROM "Post" p JOIN "User" u ON u.id = p."authorId" WHERE u.name <> 'Alice' ORDER BY 1"#,
        ),
        (
            "editor is not Bob (posts without an editor match)",
            post::EDITOR.is_not(user::NAME.equals("Bob")),
            r#"SELECT p.id FROM "Post" p LEFT JOIN "User" e ON e.id = p."editorId" WHERE e.name IS DISTINCT FROM 'Bob' ORDER BY 1"#,
        ),
        (
            "no editor",
            post::EDITOR.is_null(),
            r#"SELECT id FROM "Post" WHERE "editorId" IS NULL ORDER BY 1"#,
        ),
        (
            "an editor who has a profile, two relations deep",
            post::EDITOR.is(user::PROFILE.is_not_null()),
            r#"SELECT p.id FROM "Post" p JOIN "Profile" pr ON pr."userId" = p."editorId" ORDER BY 1"#,
        ),
        (
            "scalar and relation filters together",
            Filter::and([
                post::VIEWS.gte(80),
                post::AUTHOR.is(user::EMAIL.ends_with("@x")),
            ])
            .and_also(post::TAGS.none(tag::NAME.equals("rust"))),
            r#"SELECT p.id FROM "Post" p WHERE p.views >= 80 AND NOT EXISTS (
                 SELECT 1 FROM "_PostToTag" j JOIN "Tag" t ON t.id = j."B" WHERE j."A" = p.id AND t.name = 'rust')
               ORDER BY 1"#,
        ),
    ];
    for (what, filter, sql) in cases {
        assert_eq!(posts(db, filter).await, ids(db, sql).await, "{what}");
    }
    // One-to-one from both sides and a compound key.
    assert_eq!(
        users(db, user::PASSPORT.is_null()).await,
        ids(db, r#"SELECT id FROM "User" u WHERE NOT EXISTS (SELECT 1 FROM "Passport" p WHERE p."holderId" = u.id) ORDER BY 1"#).await
    );
    let books: Vec<String> = db
        .book()
        .find_many()
        .filter(book::SHELF.is(shelf::LABEL.equals("Fiction")))
        .order_by(book::ID.asc())
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(books, ["b1", "b2"]);
    let shelves = db
        .shelf()
        .count()
        .filter(shelf::BOOKS.some(book::TITLE.contains("o")))
        .await
        .unwrap();
    let expected = ids(
        db,
        r#"SELECT COUNT(*)::INT FROM "Shelf" s WHERE EXISTS (SELECT 1 FROM "Book" b
           WHERE b."shelfRegion" = s.region AND b."shelfCode" = s.code AND b.title LIKE '%o%')"#,
    )
    .await;
    assert_eq!(shelves, i64::from(expected[0]));
}

#[tokio::test]
async fn relation_filters_in_counts_updates_and_deletes() {
    let s = seeded().await;
    let db = &s.client;
    let count = db
        .post()
        .count()
        .filter(post::COMMENTS.some(comment::AUTHOR.is_null()))
        .await
        .unwrap();
    assert_eq!(count, 1);
    let updated = db
        .post()
        .update_many(
            post::TAGS.some(tag::NAME.equals("rust")),
            [post::VIEWS.increment(1)],
        )
        .await
        .unwrap();
    assert_eq!(updated, 4);
    assert_eq!(
        ids(
            db,
            r#"SELECT views FROM "Post" WHERE id IN (1, 3, 4, 6) ORDER BY id"#
        )
        .await,
        [121, 1, 301, 211]
    );
    let deleted = db
        .comment()
        .delete_many(comment::POST.is(post::AUTHOR.is(user::NAME.equals("Bob"))))
        .await
        .unwrap();
    assert_eq!(deleted, 2);
    assert_eq!(
        ids(
            db,
            r#"SELECT COUNT(*)::INT FROM "Comment" WHERE "postId" IN (4, 8)"#
        )
        .await,
        [0]
    );
}

#[tokio::test]
async fn ordering_by_related_fields_and_counts() {
    let s = seeded().await;
    let db = &s.client;
    // By the author's name, then id.
    let by_author =
        posts_ordered(db, vec![post::AUTHOR.by(user::NAME.desc()), post::ID.asc()]).await;
    assert_eq!(
        by_author,
        ids(db, r#"SELECT p.id FROM "Post" p JOIN "User" u ON u.id = p."authorId" ORDER BY u.name DESC, p.id"#).await
    );
    // Through two relations: the editor's manager's name (NULLs last).
    let deep = posts_ordered(
        db,
        vec![
            post::EDITOR.by(user::MANAGER.by(user::NAME.asc().nulls_last())),
            post::ID.asc(),
        ],
    )
    .await;
    assert_eq!(
        deep,
        ids(
            db,
            r#"SELECT p.id FROM "Post" p LEFT JOIN "User" e ON e.id = p."editorId" LEFT JOIN "User" m ON m.id = e."managerId"
               ORDER BY m.name ASC NULLS LAST, p.id"#
        )
        .await
    );
    // By how many comments, most first; many-to-many counts too.
    let by_comments = posts_ordered(db, vec![post::COMMENTS.count_desc(), post::ID.asc()]).await;
    assert_eq!(
        by_comments,
        ids(db, r#"SELECT p.id FROM "Post" p ORDER BY (SELECT COUNT(*) FROM "Comment" c WHERE c."postId" = p.id) DESC, p.id"#).await
    );
    let tags: Vec<i32> = db
        .tag()
        .find_many()
        .order_by(tag::POSTS.count_asc())
        .order_by(tag::ID.desc())
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(
        tags,
        ids(db, r#"SELECT t.id FROM "Tag" t ORDER BY (SELECT COUNT(*) FROM "_PostToTag" j WHERE j."B" = t.id), t.id DESC"#).await
    );
    // With a relation filter, pagination and an include at once.
    let page = db
        .user()
        .find_many()
        .filter(user::POSTS.some(Filter::all()))
        .order_by(user::POSTS.count_desc())
        .order_by(user::ID.asc())
        .skip(1)
        .take(2)
        .include(user::POSTS.take(1))
        .await
        .unwrap();
    assert_eq!(page.iter().map(|u| u.id).collect::<Vec<_>>(), [2, 3]);
    // Ordering inside an include by a relation.
    let alice = db
        .user()
        .find_unique(user::id(1))
        .include(
            user::POSTS
                .order_by(post::COMMENTS.count_desc())
                .order_by(post::ID.asc()),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        alice
            .get(user::POSTS)
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
}

async fn posts_ordered(
    db: &relations_client::Client,
    order: Vec<relations_client::runtime::OrderBy<Post>>,
) -> Vec<i32> {
    let mut query = db.post().find_many();
    for term in order {
        query = query.order_by(term);
    }
    query.await.unwrap().into_iter().map(|p| p.id).collect()
}
