//! `include` on every relation kind (one-to-many both ways, one-to-one both ways with
//! required and optional keys, many-to-many both ways, self-relations, named relations, a
//! compound key), nested four levels deep, each level with its own filter, ordering,
//! skip/take and select, `_count`, and include on writes. Every expectation is computed
//! with SQL written here.

use std::collections::BTreeMap;

use relations_client::runtime::{Client, Counted, Loaded, With};
use relations_client::*;

use super::{ids, rows, seeded};

/// `(parent, child)` pairs of a raw query, grouped by parent in query order.
async fn grouped(db: &Client, sql: &str) -> BTreeMap<i32, Vec<i32>> {
    let mut map: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
    for (parent, child) in rows(db, sql, |r| (r.get::<_, i32>(0), r.get::<_, i32>(1))).await {
        map.entry(parent).or_default().push(child);
    }
    map
}

/// The children per parent of an include result, leaving out parents without any.
fn by_parent<P, C>(
    parents: &[P],
    id: impl Fn(&P) -> i32,
    children: impl Fn(&P) -> Vec<i32>,
) -> BTreeMap<i32, Vec<i32>> {
    let _ = std::marker::PhantomData::<C>;
    parents
        .iter()
        .map(|p| (id(p), children(p)))
        .filter(|(_, c)| !c.is_empty())
        .collect()
}

#[tokio::test]
async fn one_to_many_with_per_parent_filter_order_skip_take() {
    let s = seeded().await;
    let db = &s.client;
    let users = db
        .user()
        .find_many()
        .order_by(user::ID.asc())
        .include(
            user::POSTS
                .filter(post::VIEWS.gt(10))
                .order_by(post::VIEWS.desc())
                .skip(1)
                .take(1),
        )
        .await
        .unwrap();
    let got = by_parent::<_, ()>(
        &users,
        |u| u.id,
        |u| u.get(user::POSTS).iter().map(|p| p.id).collect(),
    );
    let expected = grouped(
        db,
        r#"SELECT "authorId", id FROM (
             SELECT "authorId", id, ROW_NUMBER() OVER (PARTITION BY "authorId" ORDER BY views DESC, id) AS n
             FROM "Post" WHERE views > 10) s
           WHERE n = 2 ORDER BY "authorId""#,
    )
    .await;
    assert_eq!(got, expected);
    assert_eq!(
        got,
        BTreeMap::from([(1, vec![2]), (2, vec![8]), (3, vec![5])])
    );
    // Every parent is there, those without matching children with an empty list.
    assert_eq!(users.len(), 6);
    assert!(users[4].get(user::POSTS).is_empty());

    // A negative take: the last records of each parent, in order.
    let users = db
        .user()
        .find_many()
        .order_by(user::ID.asc())
        .include(user::POSTS.order_by(post::CREATED_AT.asc()).take(-2))
        .await
        .unwrap();
    let got = by_parent::<_, ()>(
        &users,
        |u| u.id,
        |u| u.get(user::POSTS).iter().map(|p| p.id).collect(),
    );
    let expected = grouped(
        db,
        r#"SELECT "authorId", id FROM (
             SELECT "authorId", id, "createdAt", ROW_NUMBER() OVER (PARTITION BY "authorId" ORDER BY "createdAt" DESC, id DESC) AS n
             FROM "Post") s
           WHERE n <= 2 ORDER BY "authorId", "createdAt""#,
    )
    .await;
    assert_eq!(got, expected);
}

#[tokio::test]
async fn to_one_both_ways_required_and_optional() {
    let s = seeded().await;
    let db = &s.client;
    // Owned, required (Post.author) and optional (Post.editor).
    let posts = db
        .post()
        .find_many()
        .order_by(post::ID.asc())
        .include(post::AUTHOR)
        .include(post::EDITOR)
        .await
        .unwrap();
    let expected = rows(
        db,
        r#"SELECT p.id, a.name, e.name FROM "Post" p JOIN "User" a ON a.id = p."authorId"
           LEFT JOIN "User" e ON e.id = p."editorId" ORDER BY p.id"#,
        |r| {
            (
                r.get::<_, i32>(0),
                r.get::<_, String>(1),
                r.get::<_, Option<String>>(2),
            )
        },
    )
    .await;
    let got: Vec<(i32, String, Option<String>)> = posts
        .iter()
        .map(|p| {
            (
                p.id,
                p.get(post::AUTHOR).name.clone(),
                p.get(post::EDITOR).as_ref().map(|e| e.name.clone()),
            )
        })
        .collect();
    assert_eq!(got, expected);

    // Inverse one-to-one with a required key (User.profile) and an optional one
    // (User.passport); owned optional (Passport.holder).
    let users = db
        .user()
        .find_many()
        .order_by(user::ID.asc())
        .include(user::PROFILE)
        .include(user::PASSPORT)
        .await
        .unwrap();
    let expected = rows(
        db,
        r#"SELECT u.id, pr.bio, pa.number FROM "User" u LEFT JOIN "Profile" pr ON pr."userId" = u.id
           LEFT JOIN "Passport" pa ON pa."holderId" = u.id ORDER BY u.id"#,
        |r| {
            (
                r.get::<_, i32>(0),
                r.get::<_, Option<String>>(1),
                r.get::<_, Option<String>>(2),
            )
        },
    )
    .await;
    let got: Vec<(i32, Option<String>, Option<String>)> = users
        .iter()
        .map(|u| {
            (
                u.id,
                u.get(user::PROFILE).as_ref().map(|p| p.bio.clone()),
                u.get(user::PASSPORT).as_ref().map(|p| p.number.clone()),
            )
        })
        .collect();
    assert_eq!(got, expected);

    let passports = db
        .passport()
        .find_many()
        .order_by(passport::NUMBER.asc())
        .include(passport::HOLDER)
        .await
        .unwrap();
    let holders: Vec<Option<i32>> = passports
        .iter()
        .map(|p| p.get(passport::HOLDER).as_ref().map(|h| h.id))
        .collect();
    assert_eq!(holders, [Some(1), Some(3), None]);
}

#[tokio::test]
async fn many_to_many_both_sides_and_self() {
    let s = seeded().await;
    let db = &s.client;
    let posts = db
        .post()
        .find_many()
        .order_by(post::ID.asc())
        .include(post::TAGS.order_by(tag::NAME.desc()))
        .await
        .unwrap();
    let got = by_parent::<_, ()>(
        &posts,
        |p| p.id,
        |p| p.get(post::TAGS).iter().map(|t| t.id).collect(),
    );
    let expected = grouped(
        db,
        r#"SELECT j."A", t.id FROM "_PostToTag" j JOIN "Tag" t ON t.id = j."B" ORDER BY j."A", t.name DESC"#,
    )
    .await;
    assert_eq!(got, expected);

    let tags = db
        .tag()
        .find_many()
        .order_by(tag::ID.asc())
        .include(
            tag::POSTS
                .filter(post::PUBLISHED.equals(true))
                .order_by(post::ID.asc()),
        )
        .await
        .unwrap();
    let got = by_parent::<_, ()>(
        &tags,
        |t| t.id,
        |t| t.get(tag::POSTS).iter().map(|p| p.id).collect(),
    );
    let expected = grouped(
        db,
        r#"SELECT j."B", p.id FROM "_PostToTag" j JOIN "Post" p ON p.id = j."A"
           WHERE p.published ORDER BY j."B", p.id"#,
    )
    .await;
    assert_eq!(got, expected);
    assert!(
        tags[3].get(tag::POSTS).is_empty(),
        "the unused tag has no posts"
    );

    // Self many-to-many: `followers` is side A of `_Follows`, `following` side B.
    let users = db
        .user()
        .find_many()
        .order_by(user::ID.asc())
        .include(user::FOLLOWERS.order_by(user::ID.asc()))
        .include(user::FOLLOWING.order_by(user::ID.asc()))
        .await
        .unwrap();
    let followers = by_parent::<_, ()>(
        &users,
        |u| u.id,
        |u| u.get(user::FOLLOWERS).iter().map(|f| f.id).collect(),
    );
    let following = by_parent::<_, ()>(
        &users,
        |u| u.id,
        |u| u.get(user::FOLLOWING).iter().map(|f| f.id).collect(),
    );
    assert_eq!(
        followers,
        grouped(db, r#"SELECT "A", "B" FROM "_Follows" ORDER BY 1, 2"#).await
    );
    assert_eq!(
        following,
        grouped(db, r#"SELECT "B", "A" FROM "_Follows" ORDER BY 1, 2"#).await
    );
}

#[tokio::test]
async fn self_relations_and_named_relations() {
    let s = seeded().await;
    let db = &s.client;
    let users = db
        .user()
        .find_many()
        .order_by(user::ID.asc())
        .include(user::MANAGER)
        .include(user::REPORTS.order_by(user::ID.asc()))
        .include(user::POSTS.order_by(post::ID.asc()))
        .include(user::EDITED.order_by(post::ID.asc()))
        .await
        .unwrap();
    let reports = by_parent::<_, ()>(
        &users,
        |u| u.id,
        |u| u.get(user::REPORTS).iter().map(|r| r.id).collect(),
    );
    assert_eq!(
        reports,
        grouped(
            db,
            r#"SELECT "managerId", id FROM "User" WHERE "managerId" IS NOT NULL ORDER BY 1, 2"#
        )
        .await
    );
    let managers: Vec<Option<i32>> = users
        .iter()
        .map(|u| u.get(user::MANAGER).as_ref().map(|m| m.id))
        .collect();
    let expected = rows(db, r#"SELECT "managerId" FROM "User" ORDER BY id"#, |r| {
        r.get::<_, Option<i32>>(0)
    })
    .await;
    assert_eq!(managers, expected);
    let authored = by_parent::<_, ()>(
        &users,
        |u| u.id,
        |u| u.get(user::POSTS).iter().map(|p| p.id).collect(),
    );
    let edited = by_parent::<_, ()>(
        &users,
        |u| u.id,
        |u| u.get(user::EDITED).iter().map(|p| p.id).collect(),
    );
    assert_eq!(
        authored,
        grouped(db, r#"SELECT "authorId", id FROM "Post" ORDER BY 1, 2"#).await
    );
    assert_eq!(
        edited,
        grouped(
            db,
            r#"SELECT "editorId", id FROM "Post" WHERE "editorId" IS NOT NULL ORDER BY 1, 2"#
        )
        .await
    );

    // A thread, three levels of the same self-relation.
    let threads = db
        .comment()
        .find_many()
        .filter(comment::PARENT_ID.is_null())
        .filter(comment::POST_ID.equals(1))
        .order_by(comment::ID.asc())
        .include(
            comment::REPLIES.order_by(comment::ID.asc()).include(
                comment::REPLIES
                    .order_by(comment::ID.asc())
                    .include(comment::PARENT),
            ),
        )
        .await
        .unwrap();
    /// (comment, [(reply, [(reply to the reply, its parent)])]).
    type Thread = (i32, Vec<(i32, Vec<(i32, i32)>)>);
    let shape: Vec<Thread> = threads
        .iter()
        .map(|c| {
            (
                c.id,
                c.get(comment::REPLIES)
                    .iter()
                    .map(|r| {
                        (
                            r.id,
                            r.get(comment::REPLIES)
                                .iter()
                                .map(|rr| {
                                    (rr.id, rr.get(comment::PARENT).as_ref().map_or(0, |p| p.id))
                                })
                                .collect(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        vec![(1, vec![(2, vec![(6, 2)]), (3, vec![])]), (4, vec![])]
    );
}

#[tokio::test]
async fn compound_keys_link_both_ways() {
    let s = seeded().await;
    let db = &s.client;
    let shelves = db
        .shelf()
        .find_many()
        .order_by(shelf::REGION.asc())
        .order_by(shelf::CODE.asc())
        .include(shelf::BOOKS.order_by(book::TITLE.asc()))
        .await
        .unwrap();
    let got: Vec<(String, String, Vec<String>)> = shelves
        .iter()
        .map(|s| {
            (
                s.region.clone(),
                s.code.clone(),
                s.get(shelf::BOOKS).iter().map(|b| b.id.clone()).collect(),
            )
        })
        .collect();
    let expected_books = rows(
        db,
        r#"SELECT s.region, s.code, COALESCE(array_agg(b.id ORDER BY b.title) FILTER (WHERE b.id IS NOT NULL), '{}')
           FROM "Shelf" s LEFT JOIN "Book" b ON b."shelfRegion" = s.region AND b."shelfCode" = s.code
           GROUP BY s.region, s.code ORDER BY s.region, s.code"#,
        |r| (r.get::<_, String>(0), r.get::<_, String>(1), r.get::<_, Vec<String>>(2)),
    )
    .await;
    assert_eq!(got, expected_books);

    let books = db
        .book()
        .find_many()
        .order_by(book::ID.asc())
        .include(book::SHELF)
        .await
        .unwrap();
    let labels: Vec<Option<String>> = books
        .iter()
        .map(|b| b.get(book::SHELF).as_ref().map(|s| s.label.clone()))
        .collect();
    assert_eq!(
        labels,
        rows(
            db,
            r#"SELECT s.label FROM "Book" b LEFT JOIN "Shelf" s ON s.region = b."shelfRegion" AND s.code = b."shelfCode" ORDER BY b.id"#,
            |r| r.get::<_, Option<String>>(0)
        )
        .await
    );
}

#[tokio::test]
async fn four_levels_deep_with_select_and_counts() {
    let s = seeded().await;
    let db = &s.client;
    // users → posts → comments → author → profile, plus a selected level and counts.
    let users = db
        .user()
        .find_many()
        .filter(user::ID.is_in([1, 2]))
        .order_by(user::ID.asc())
        .include(
            user::POSTS
                .order_by(post::ID.asc())
                .include_count()
                .include(
                    post::COMMENTS
                        .order_by(comment::ID.asc())
                        .include(comment::AUTHOR.include(user::PROFILE)),
                ),
        )
        .include(user::FOLLOWERS.select::<(i32, String)>((user::ID, user::NAME)))
        .include_count()
        .await
        .unwrap();
    let alice = &users[0];
    let first = &alice.get(user::POSTS)[0];
    assert_eq!(first.counts().comments, 5);
    assert_eq!(first.counts().tags, 1);
    let authors: Vec<(i32, Option<i32>, Option<String>)> = first
        .get(post::COMMENTS)
        .iter()
        .map(|c| {
            let author = c.get(comment::AUTHOR).as_ref();
            (
                c.id,
                author.map(|a| a.id),
                author.and_then(|a| a.get(user::PROFILE).as_ref().map(|p| p.bio.clone())),
            )
        })
        .collect();
    let expected = rows(
        db,
        r#"SELECT c.id, c."authorId", pr.bio FROM "Comment" c LEFT JOIN "Profile" pr ON pr."userId" = c."authorId"
           WHERE c."postId" = 1 ORDER BY c.id"#,
        |r| (r.get::<_, i32>(0), r.get::<_, Option<i32>>(1), r.get::<_, Option<String>>(2)),
    )
    .await;
    assert_eq!(authors, expected);
    assert_eq!(
        alice.get(user::FOLLOWERS),
        &vec![(2, "Bob".to_owned()), (3, "Carol".to_owned())]
    );

    // Top-level `_count` of every to-many relation, against COUNT(*) per relation.
    let counts: Vec<(i32, i64, i64, i64, i64, i64, i64)> = users
        .iter()
        .map(|u| {
            let c = u.counts();
            (
                u.id,
                c.reports,
                c.posts,
                c.edited,
                c.followers,
                c.following,
                c.comments,
            )
        })
        .collect();
    let expected = rows(
        db,
        r#"SELECT u.id,
             (SELECT COUNT(*) FROM "User" r WHERE r."managerId" = u.id),
             (SELECT COUNT(*) FROM "Post" p WHERE p."authorId" = u.id),
             (SELECT COUNT(*) FROM "Post" p WHERE p."editorId" = u.id),
             (SELECT COUNT(*) FROM "_Follows" f WHERE f."A" = u.id),
             (SELECT COUNT(*) FROM "_Follows" f WHERE f."B" = u.id),
             (SELECT COUNT(*) FROM "Comment" c WHERE c."authorId" = u.id)
           FROM "User" u WHERE u.id IN (1, 2) ORDER BY u.id"#,
        |r| {
            (
                r.get(0),
                r.get(1),
                r.get(2),
                r.get(3),
                r.get(4),
                r.get(5),
                r.get(6),
            )
        },
    )
    .await;
    assert_eq!(counts, expected);
}

#[tokio::test]
async fn single_record_reads_and_writes_include() {
    let s = seeded().await;
    let db = &s.client;
    let post = db
        .post()
        .find_unique(post::id(4))
        .include(post::TAGS.order_by(tag::ID.asc()))
        .include(post::AUTHOR)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(post.get(post::AUTHOR).name, "Bob");
    assert_eq!(
        post.get(post::TAGS)
            .iter()
            .map(|t| t.id)
            .collect::<Vec<_>>(),
        [1, 2]
    );
    let missing = db
        .post()
        .find_unique(post::id(99))
        .include(post::TAGS)
        .await
        .unwrap();
    assert!(missing.is_none());
    let first = db
        .user()
        .find_first_or_throw()
        .filter(user::NAME.starts_with("C"))
        .include(user::POSTS.order_by(post::ID.desc()).take(1))
        .await
        .unwrap();
    assert_eq!(
        first
            .get(user::POSTS)
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        [6]
    );

    // Writes return the record with what it includes.
    let created = db
        .tag()
        .create(tag::Create { name: "new".into() })
        .include(tag::POSTS)
        .include_count()
        .await
        .unwrap();
    assert!(created.get(tag::POSTS).is_empty());
    assert_eq!(created.counts().posts, 0);
    let updated = db
        .user()
        .update(user::id(5), [user::NAME.set("Erin B.")])
        .include(user::FOLLOWERS)
        .await
        .unwrap();
    assert_eq!(updated.name, "Erin B.");
    assert_eq!(
        updated
            .get(user::FOLLOWERS)
            .iter()
            .map(|f| f.id)
            .collect::<Vec<_>>(),
        [6]
    );
    let upserted = db
        .tag()
        .upsert(
            tag::name("rust"),
            tag::Create {
                name: "rust".into(),
            },
            [tag::NAME.set("rust")],
        )
        .include(tag::POSTS.order_by(post::ID.asc()))
        .await
        .unwrap();
    assert_eq!(
        upserted
            .get(tag::POSTS)
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        ids(
            db,
            r#"SELECT "A" FROM "_PostToTag" WHERE "B" = 1 ORDER BY 1"#
        )
        .await
    );
    // A deleted record comes back with the relations it had.
    let deleted = db
        .comment()
        .delete(comment::id(1))
        .include(comment::REPLIES.order_by(comment::ID.asc()))
        .await
        .unwrap();
    assert_eq!(
        deleted
            .get(comment::REPLIES)
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        [2, 3]
    );
    assert_eq!(
        ids(db, r#"SELECT id FROM "Comment" WHERE id IN (1, 2, 3, 6)"#).await,
        Vec::<i32>::new(),
        "replies cascade"
    );
}

#[tokio::test]
async fn results_serialize_like_prisma() {
    let s = seeded().await;
    let db = &s.client;
    let profile = db
        .profile()
        .find_unique(profile::id(1))
        .include(profile::USER.include_count())
        .await
        .unwrap()
        .unwrap();
    let json = serde_json::to_value(&profile).unwrap();
    assert_eq!(json["user"]["email"], "alice@x");
    assert_eq!(json["user"]["_count"]["posts"], 3);
    // One flat object per record, Prisma's members in Prisma's names.
    let members = |value: &serde_json::Value| -> Vec<String> {
        value.as_object().unwrap().keys().cloned().collect()
    };
    assert_eq!(members(&json), ["bio", "id", "user", "userId"]);
    assert_eq!(
        members(&json["user"]),
        ["_count", "email", "id", "managerId", "name"]
    );
    let plain = serde_json::to_value(profile.get(profile::USER)).unwrap();
    assert!(
        plain.get("posts").is_none(),
        "a relation not loaded is left out: {plain}"
    );
    // And reads back, whole (the type names what was loaded) or as the record alone.
    type UserWithCounts = Loaded<User, (Counted<user::Counts>,)>;
    type ProfileWithUser =
        Loaded<profile::Profile, (With<profile::relation::User, UserWithCounts>,)>;
    let back: ProfileWithUser = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, profile);
    let record: profile::Profile = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(&record, profile.record());
    // A relation the type names but the JSON lacks is an error, not a made-up value.
    let without_user = serde_json::json!({"id": 1, "bio": "b", "userId": 1});
    assert!(
        serde_json::from_value::<Loaded<profile::Profile, (With<profile::relation::User>,)>>(
            without_user
        )
        .is_err()
    );
}

#[tokio::test]
async fn counts_with_filters() {
    let s = seeded().await;
    let db = &s.client;
    let users = db
        .user()
        .find_many()
        .order_by(user::ID.asc())
        .include_count_where([
            user::POSTS.count_where(post::PUBLISHED.equals(true)),
            user::FOLLOWERS.count_where(user::NAME.starts_with("C")),
        ])
        .include(
            user::POSTS
                .include_count_where([post::COMMENTS.count_where(comment::PARENT_ID.is_null())]),
        )
        .await
        .unwrap();
    let got: Vec<(i32, i64, i64, i64)> = users
        .iter()
        .map(|u| {
            (
                u.id,
                u.counts().posts,
                u.counts().followers,
                u.counts().edited,
            )
        })
        .collect();
    let expected = rows(
        db,
        r#"SELECT u.id,
             (SELECT COUNT(*) FROM "Post" p WHERE p."authorId" = u.id AND p.published),
             (SELECT COUNT(*) FROM "_Follows" f JOIN "User" x ON x.id = f."B" WHERE f."A" = u.id AND x.name LIKE 'C%'),
             (SELECT COUNT(*) FROM "Post" p WHERE p."editorId" = u.id)
           FROM "User" u ORDER BY u.id"#,
        |r| (r.get(0), r.get(1), r.get(2), r.get(3)),
    )
    .await;
    assert_eq!(got, expected);
    let top_level_comments: Vec<(i32, i64)> = users[0]
        .get(user::POSTS)
        .iter()
        .map(|p| (p.id, p.counts().comments))
        .collect();
    let expected = rows(
        db,
        r#"SELECT p.id, (SELECT COUNT(*) FROM "Comment" c WHERE c."postId" = p.id AND c."parentId" IS NULL)
           FROM "Post" p WHERE p."authorId" = 1 ORDER BY p.id"#,
        |r| (r.get(0), r.get(1)),
    )
    .await;
    let mut got = top_level_comments;
    got.sort();
    assert_eq!(got, expected);
}
