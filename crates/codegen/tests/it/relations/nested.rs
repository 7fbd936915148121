//! Nested writes in `create` and `update`: create, create_many, connect,
//! connect_or_create, disconnect, set, update, update_many, upsert, delete, delete_many,
//! on one-to-many, one-to-one (both sides) and many-to-many relations, nested in one
//! another; all in one transaction (a failing part undoes the rest); the errors Prisma
//! gives (P2025 not found, P2014 required relation, P2003 foreign key); foreign keys set
//! as scalars; referential actions; create_many_and_return and update_many_and_return.

use relations_client::runtime::{Error, Filter};
use relations_client::*;

use super::{ids, rows, seeded};

/// `(table, count)` of a few tables, to check a failed write left nothing behind.
async fn counts(db: &Client) -> Vec<i64> {
    let counts = rows(
        db,
        r#"SELECT (SELECT COUNT(*) FROM "User"), (SELECT COUNT(*) FROM "Post"), (SELECT COUNT(*) FROM "Tag"),
             (SELECT COUNT(*) FROM "_PostToTag"), (SELECT COUNT(*) FROM "Comment"), (SELECT COUNT(*) FROM "Profile")"#,
        |r| (0..6).map(|i| r.get::<_, i64>(i)).collect::<Vec<i64>>(),
    )
    .await;
    counts.into_iter().next().unwrap()
}

fn code(error: &Error) -> Option<&'static str> {
    error.code()
}

#[tokio::test]
async fn create_with_nested_creates_connects_at_depth() {
    let s = seeded().await;
    let db = &s.client;
    let user = db
        .user()
        .create(user::Create {
            email: "gina@x".into(),
            name: "Gina".into(),
        })
        .with(user::PROFILE.create(profile::CreateWithoutUser {
            bio: "new here".into(),
        }))
        .with(
            user::POSTS
                .create(post::CreateWithoutAuthor {
                    title: "First".into(),
                })
                .set(post::VIEWS.set(7))
                .with(post::TAGS.create(tag::Create {
                    name: "fresh".into(),
                }))
                .with(post::TAGS.connect(tag::name("rust")))
                .with(
                    post::TAGS
                        .connect_or_create(tag::name("sql"), tag::Create { name: "sql".into() }),
                )
                .with(post::TAGS.connect_or_create(
                    tag::name("brand-new"),
                    tag::Create {
                        name: "brand-new".into(),
                    },
                ))
                .with(
                    post::COMMENTS
                        .create(comment::CreateWithoutPost {
                            body: "first!".into(),
                        })
                        .with(comment::AUTHOR.connect(user::id(1))),
                ),
        )
        .with(user::POSTS.create_many([
            post::CreateWithoutAuthor {
                title: "Second".into(),
            },
            post::CreateWithoutAuthor {
                title: "Third".into(),
            },
        ]))
        .with(user::MANAGER.connect(user::email("alice@x")))
        .with(user::FOLLOWING.connect(user::id(2)))
        .with(user::PASSPORT.connect(passport::id("px")))
        .include(
            user::POSTS
                .order_by(post::ID.asc())
                .include(post::TAGS.order_by(tag::NAME.asc())),
        )
        .include(user::PROFILE)
        .include(user::PASSPORT)
        .include(user::FOLLOWING)
        .await
        .unwrap();
    assert_eq!(user.manager_id, Some(1));
    assert_eq!(
        user.get(user::PROFILE).as_ref().map(|p| p.bio.as_str()),
        Some("new here")
    );
    assert_eq!(
        user.get(user::PASSPORT).as_ref().map(|p| p.id.as_str()),
        Some("px")
    );
    assert_eq!(
        user.get(user::FOLLOWING)
            .iter()
            .map(|f| f.id)
            .collect::<Vec<_>>(),
        [2]
    );
    let titles: Vec<&str> = user
        .get(user::POSTS)
        .iter()
        .map(|p| p.title.as_str())
        .collect();
    assert_eq!(titles, ["First", "Second", "Third"]);
    assert_eq!(user.get(user::POSTS)[0].views, 7);
    let mut tags: Vec<&str> = user.get(user::POSTS)[0]
        .get(post::TAGS)
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    tags.sort();
    assert_eq!(tags, ["brand-new", "fresh", "rust", "sql"]);
    // Against the tables themselves.
    let first = user.get(user::POSTS)[0].id;
    assert_eq!(
        rows(
            db,
            &format!(r#"SELECT c.body, c."authorId" FROM "Comment" c WHERE c."postId" = {first}"#),
            |r| (r.get::<_, String>(0), r.get::<_, Option<i32>>(1))
        )
        .await,
        [("first!".to_owned(), Some(1))]
    );
    assert_eq!(
        ids(
            db,
            r#"SELECT COUNT(*)::INT FROM "Tag" WHERE name IN ('sql', 'rust')"#
        )
        .await,
        [2],
        "connect_or_create found the existing tags"
    );
}

#[tokio::test]
async fn create_through_the_owned_side() {
    let s = seeded().await;
    let db = &s.client;
    // The key side: the related record is created or connected first.
    let post = db
        .post()
        .create_linked(
            post::CreateWithoutAuthor {
                title: "By a new author".into(),
            },
            post::AUTHOR.create(user::Create {
                email: "hal@x".into(),
                name: "Hal".into(),
            }),
        )
        .with(post::EDITOR.connect_or_create(
            user::email("bob@x"),
            user::Create {
                email: "bob@x".into(),
                name: "Bob".into(),
            },
        ))
        .include(post::AUTHOR)
        .include(post::EDITOR)
        .await
        .unwrap();
    assert_eq!(post.get(post::AUTHOR).name, "Hal");
    assert_eq!(post.author_id, post.get(post::AUTHOR).id);
    assert_eq!(post.get(post::EDITOR).as_ref().map(|e| e.id), Some(2));
    // The foreign key as a scalar still works, and so does connecting by key.
    let scalar = db
        .post()
        .create(post::Create {
            title: "Scalar key".into(),
            author_id: 3,
        })
        .await
        .unwrap();
    assert_eq!(scalar.author_id, 3);
    let profile = db
        .profile()
        .create_linked(
            profile::CreateWithoutUser {
                bio: "via connect".into(),
            },
            profile::USER.connect(user::id(5)),
        )
        .await
        .unwrap();
    assert_eq!(profile.user_id, 5);
    // A compound foreign key through connect.
    let book = db
        .book()
        .create(book::Create {
            title: "Atlas".into(),
        })
        .with(book::SHELF.connect(shelf::region_code("us", "A1")))
        .include(book::SHELF)
        .await
        .unwrap();
    assert_eq!(
        book.get(book::SHELF).as_ref().map(|s| s.label.clone()),
        Some("History".to_owned())
    );
}

#[tokio::test]
async fn update_with_every_nested_operation() {
    let s = seeded().await;
    let db = &s.client;
    // To-many (the related model holds a nullable key): disconnect, set.
    db.user()
        .update(user::id(2), [user::NAME.set("Bobby")])
        .with(user::EDITED.disconnect(post::id(1)))
        .await
        .unwrap();
    assert_eq!(
        ids(
            db,
            r#"SELECT id FROM "Post" WHERE "editorId" = 2 ORDER BY 1"#
        )
        .await,
        [6, 8]
    );
    db.user()
        .update_relations(user::id(2))
        .with(user::EDITED.set([post::id(2), post::id(8)]))
        .await
        .unwrap();
    assert_eq!(
        ids(
            db,
            r#"SELECT id FROM "Post" WHERE "editorId" = 2 ORDER BY 1"#
        )
        .await,
        [2, 8]
    );

    // Many-to-many: disconnect, set, connect, update, update_many, upsert, delete, delete_many.
    db.post()
        .update(post::id(4), [post::TITLE.set("Windows")])
        .with(post::TAGS.disconnect(tag::name("sql")))
        .with(post::TAGS.connect(tag::name("web")))
        .await
        .unwrap();
    assert_eq!(
        ids(
            db,
            r#"SELECT "B" FROM "_PostToTag" WHERE "A" = 4 ORDER BY 1"#
        )
        .await,
        [1, 3]
    );
    db.post()
        .update_relations(post::id(4))
        .with(post::TAGS.set([tag::name("unused"), tag::name("sql")]))
        .await
        .unwrap();
    assert_eq!(
        ids(
            db,
            r#"SELECT "B" FROM "_PostToTag" WHERE "A" = 4 ORDER BY 1"#
        )
        .await,
        [2, 4]
    );
    db.post()
        .update_relations(post::id(4))
        .with(post::TAGS.update(tag::name("unused"), [tag::NAME.set("used")]))
        .with(post::TAGS.upsert(
            tag::name("sql"),
            tag::Create { name: "sql".into() },
            [tag::NAME.set("SQL")],
        ))
        .with(post::TAGS.upsert(
            tag::name("go"),
            tag::Create { name: "go".into() },
            [tag::NAME.set("never")],
        ))
        .await
        .unwrap();
    assert_eq!(
        rows(db, r#"SELECT t.name FROM "_PostToTag" j JOIN "Tag" t ON t.id = j."B" WHERE j."A" = 4 ORDER BY t.id"#, |r| r.get::<_, String>(0)).await,
        ["SQL", "used", "go"]
    );
    db.post()
        .update_relations(post::id(4))
        .with(post::TAGS.update_many(tag::NAME.starts_with("u"), [tag::NAME.set("USED")]))
        .with(post::TAGS.delete(tag::name("go")))
        .await
        .unwrap();
    assert_eq!(
        ids(
            db,
            r#"SELECT COUNT(*)::INT FROM "Tag" WHERE name IN ('go', 'used')"#
        )
        .await,
        [0]
    );
    db.post()
        .update_relations(post::id(4))
        .with(post::TAGS.delete_many(Filter::all()))
        .await
        .unwrap();
    assert_eq!(
        ids(
            db,
            r#"SELECT COUNT(*)::INT FROM "_PostToTag" WHERE "A" = 4"#
        )
        .await,
        [0]
    );

    // To-many with a required key: update, update_many, upsert, delete, delete_many,
    // and an update nested in an update.
    db.user()
        .update_relations(user::id(1))
        .with(
            user::POSTS
                .update(post::id(1), [post::VIEWS.increment(5)])
                .with(
                    post::COMMENTS
                        .update_many(comment::BODY.contains("!"), [comment::BODY.set("edited")]),
                ),
        )
        .with(user::POSTS.update_many(post::PUBLISHED.equals(false), [post::PUBLISHED.set(true)]))
        .with(user::POSTS.upsert(
            post::id(2),
            post::CreateWithoutAuthor {
                title: "unused".into(),
            },
            [post::VIEWS.set(0)],
        ))
        .with(user::POSTS.upsert(
            post::id(77),
            post::CreateWithoutAuthor {
                title: "Upserted".into(),
            },
            [post::VIEWS.set(0)],
        ))
        .await
        .unwrap();
    assert_eq!(
        rows(
            db,
            r#"SELECT title, views, published FROM "Post" WHERE "authorId" = 1 ORDER BY id"#,
            |r| (
                r.get::<_, String>(0),
                r.get::<_, i32>(1),
                r.get::<_, bool>(2)
            )
        )
        .await,
        [
            ("Rust ownership".to_owned(), 125, true),
            ("SQL joins".to_owned(), 0, true),
            ("Draft on lifetimes".to_owned(), 0, true),
            ("Upserted".to_owned(), 0, false),
        ]
    );
    assert_eq!(
        ids(
            db,
            r#"SELECT id FROM "Comment" WHERE body = 'edited' ORDER BY 1"#
        )
        .await,
        [2]
    );
    db.user()
        .update_relations(user::id(1))
        .with(user::POSTS.delete(post::id(3)))
        .with(user::POSTS.delete_many(post::TITLE.equals("Upserted")))
        .await
        .unwrap();
    assert_eq!(
        ids(
            db,
            r#"SELECT id FROM "Post" WHERE "authorId" = 1 ORDER BY 1"#
        )
        .await,
        [1, 2]
    );
}

#[tokio::test]
async fn update_to_one_relations_both_ways() {
    let s = seeded().await;
    let db = &s.client;
    // Owned, optional: update the related record, upsert, disconnect, connect.
    db.post()
        .update_relations(post::id(1))
        .with(post::EDITOR.update([user::NAME.set("Bob the editor")]))
        .with(post::AUTHOR.update([user::NAME.set("Alice A.")]))
        .await
        .unwrap();
    assert_eq!(
        rows(
            db,
            r#"SELECT name FROM "User" WHERE id IN (1, 2) ORDER BY id"#,
            |r| r.get::<_, String>(0)
        )
        .await,
        ["Alice A.", "Bob the editor"]
    );
    let post = db
        .post()
        .update_relations(post::id(2))
        .with(post::EDITOR.upsert(
            user::Create {
                email: "ivy@x".into(),
                name: "Ivy".into(),
            },
            [user::NAME.set("never")],
        ))
        .include(post::EDITOR)
        .await
        .unwrap();
    assert_eq!(
        post.get(post::EDITOR).as_ref().map(|e| e.name.as_str()),
        Some("Ivy")
    );
    let post = db
        .post()
        .update_relations(post::id(2))
        .with(post::EDITOR.upsert(
            user::Create {
                email: "x@x".into(),
                name: "X".into(),
            },
            [user::NAME.set("Ivy V.")],
        ))
        .include(post::EDITOR)
        .await
        .unwrap();
    assert_eq!(
        post.get(post::EDITOR).as_ref().map(|e| e.name.as_str()),
        Some("Ivy V.")
    );
    let post = db
        .post()
        .update_relations(post::id(2))
        .with(post::EDITOR.disconnect())
        .await
        .unwrap();
    assert_eq!(post.editor_id, None);
    let post = db
        .post()
        .update_relations(post::id(2))
        .with(post::AUTHOR.connect(user::id(4)))
        .await
        .unwrap();
    assert_eq!(post.author_id, 4);

    // Inverse one-to-one: update, upsert, delete, disconnect (optional key), connect
    // replacing the current one.
    db.user()
        .update_relations(user::id(1))
        .with(user::PROFILE.update([profile::BIO.set("loves rust")]))
        .with(user::PASSPORT.disconnect())
        .await
        .unwrap();
    assert_eq!(
        ids(
            db,
            r#"SELECT COUNT(*)::INT FROM "Passport" WHERE "holderId" = 1"#
        )
        .await,
        [0]
    );
    db.user()
        .update_relations(user::id(3))
        .with(user::PROFILE.upsert(
            profile::CreateWithoutUser {
                bio: "carol's".into(),
            },
            [profile::BIO.set("never")],
        ))
        .with(user::PASSPORT.connect(passport::id("pa")))
        .await
        .unwrap();
    assert_eq!(
        rows(
            db,
            r#"SELECT id, "holderId" FROM "Passport" ORDER BY id"#,
            |r| (r.get::<_, String>(0), r.get::<_, Option<i32>>(1))
        )
        .await,
        [
            ("pa".to_owned(), Some(3)),
            ("pc".to_owned(), None),
            ("px".to_owned(), None)
        ],
        "the passport Carol had was let go (its key is optional)"
    );
    assert_eq!(
        rows(db, r#"SELECT bio FROM "Profile" WHERE "userId" = 3"#, |r| r
            .get::<_, String>(0))
        .await,
        ["carol's"]
    );
    db.user()
        .update_relations(user::id(4))
        .with(user::PROFILE.delete())
        .await
        .unwrap();
    assert_eq!(
        ids(
            db,
            r#"SELECT COUNT(*)::INT FROM "Profile" WHERE "userId" = 4"#
        )
        .await,
        [0]
    );
}

#[tokio::test]
async fn errors_are_prismas_and_roll_everything_back() {
    let s = seeded().await;
    let db = &s.client;
    let before = counts(db).await;

    // Connecting a record that does not exist: P2025, and the parent is not created.
    let error = db
        .user()
        .create(user::Create {
            email: "jo@x".into(),
            name: "Jo".into(),
        })
        .with(user::POSTS.create(post::CreateWithoutAuthor {
            title: "would be lost".into(),
        }))
        .with(post_tags_missing())
        .await;
    let error = match error {
        Ok(_) => panic!("created"),
        Err(error) => error,
    };
    assert_eq!(code(&error), Some("P2025"), "{error}");
    assert_eq!(counts(db).await, before);

    // A second profile for a user whose profile key is required: P2014.
    let error = db
        .user()
        .update(user::id(1), [user::NAME.set("changed")])
        .with(user::PROFILE.connect(profile::id(2)))
        .await
        .unwrap_err();
    assert_eq!(code(&error), Some("P2014"), "{error}");
    assert!(error.to_string().contains("ProfileToUser"), "{error}");
    assert_eq!(
        rows(db, r#"SELECT name FROM "User" WHERE id = 1"#, |r| r
            .get::<_, String>(0))
        .await,
        ["Alice"],
        "the update was rolled back"
    );
    // Disconnecting records whose key is required: P2014.
    let error = db
        .user()
        .update_relations(user::id(1))
        .with(user::POSTS.disconnect(post::id(1)))
        .await
        .unwrap_err();
    assert_eq!(code(&error), Some("P2014"), "{error}");

    // A nested update of a record that is not related: P2025.
    let error = db
        .user()
        .update_relations(user::id(1))
        .with(user::POSTS.update(post::id(4), [post::VIEWS.set(0)]))
        .await
        .unwrap_err();
    assert_eq!(code(&error), Some("P2025"), "{error}");
    assert_eq!(
        ids(db, r#"SELECT views FROM "Post" WHERE id = 4"#).await,
        [300]
    );

    // Deleting the editor of a post through the post: the editor authored posts, whose
    // key restricts deletes: P2003, and the post keeps its editor.
    let error = db
        .post()
        .update(post::id(1), [post::TITLE.set("renamed")])
        .with(post::EDITOR.delete())
        .await
        .unwrap_err();
    assert_eq!(code(&error), Some("P2003"), "{error}");
    assert_eq!(
        rows(
            db,
            r#"SELECT title, "editorId" FROM "Post" WHERE id = 1"#,
            |r| (r.get::<_, String>(0), r.get::<_, Option<i32>>(1))
        )
        .await,
        [("Rust ownership".to_owned(), Some(2))]
    );

    // In an interactive transaction, a nested write is part of it.
    let result: Result<(), Error> = db
        .transaction(|tx| async move {
            tx.user()
                .create(user::Create {
                    email: "kim@x".into(),
                    name: "Kim".into(),
                })
                .with(user::POSTS.create(post::CreateWithoutAuthor {
                    title: "in tx".into(),
                }))
                .await?;
            Err(Error::InvalidQuery("roll back".into()))
        })
        .await;
    assert!(result.is_err());
    assert_eq!(counts(db).await, before);
}

use relations_client::runtime as rt;

fn post_tags_missing() -> rt::NestedWrite<User, rt::Creating> {
    user::FOLLOWERS.connect(user::id(404))
}

#[tokio::test]
async fn referential_actions_run_in_the_database() {
    let s = seeded().await;
    let db = &s.client;
    // Restrict: a user with posts cannot go (P2003, naming the key).
    let error = db.user().delete(user::id(1)).await.unwrap_err();
    assert_eq!(code(&error), Some("P2003"), "{error}");
    // Cascade: a post's comments go with it, and its join rows.
    db.post().delete(post::id(1)).await.unwrap();
    assert_eq!(
        ids(
            db,
            r#"SELECT COUNT(*)::INT FROM "Comment" WHERE "postId" = 1"#
        )
        .await,
        [0]
    );
    assert_eq!(
        ids(
            db,
            r#"SELECT COUNT(*)::INT FROM "_PostToTag" WHERE "A" = 1"#
        )
        .await,
        [0]
    );
    // SetNull: Erin's comment stays without author, her follows go.
    db.user().delete(user::id(5)).await.unwrap();
    assert_eq!(
        rows(
            db,
            r#"SELECT "authorId" FROM "Comment" WHERE id = 9"#,
            |r| r.get::<_, Option<i32>>(0)
        )
        .await,
        [None]
    );
    assert_eq!(
        ids(
            db,
            r#"SELECT COUNT(*)::INT FROM "_Follows" WHERE 5 IN ("A", "B")"#
        )
        .await,
        [0]
    );
    // A foreign key set as a scalar to a missing record: P2003.
    let error = db
        .post()
        .create(post::Create {
            title: "orphan".into(),
            author_id: 404,
        })
        .await
        .unwrap_err();
    assert_eq!(code(&error), Some("P2003"), "{error}");
}

#[tokio::test]
async fn create_many_and_update_many_return_records() {
    let s = seeded().await;
    let db = &s.client;
    let created = db
        .tag()
        .create_many([
            tag::Create { name: "a".into() },
            tag::Create { name: "b".into() },
        ])
        .and_return()
        .await
        .unwrap();
    assert_eq!(
        created.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    let updated = db
        .post()
        .update_many(
            post::AUTHOR.is(user::NAME.equals("Carol")),
            [post::VIEWS.set(1)],
        )
        .and_return()
        .await
        .unwrap();
    let mut ids_updated: Vec<i32> = updated.iter().map(|p| p.id).collect();
    ids_updated.sort();
    assert_eq!(ids_updated, [5, 6]);
    assert!(updated.iter().all(|p| p.views == 1));
}

#[tokio::test]
async fn upsert_runs_the_nested_writes_of_the_branch_taken() {
    let s = seeded().await;
    let db = &s.client;
    // Created: the create branch's writes run.
    let created = db
        .tag()
        .upsert(
            tag::name("fresh"),
            tag::Create {
                name: "fresh".into(),
            },
            [tag::NAME.set("never")],
        )
        .with_create(tag::POSTS.connect(post::id(1)))
        .with_update(tag::POSTS.disconnect(post::id(2)))
        .include(tag::POSTS)
        .await
        .unwrap();
    assert_eq!(created.name, "fresh");
    assert_eq!(
        created
            .get(tag::POSTS)
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        [1]
    );
    // Updated: the update branch's writes run.
    let updated = db
        .tag()
        .upsert(
            tag::name("fresh"),
            tag::Create {
                name: "never".into(),
            },
            [tag::NAME.set("fresher")],
        )
        .with_create(tag::POSTS.connect(post::id(3)))
        .with_update(tag::POSTS.disconnect(post::id(1)))
        .with_update(tag::POSTS.connect(post::id(2)))
        .include(tag::POSTS)
        .await
        .unwrap();
    assert_eq!(updated.name, "fresher");
    assert_eq!(
        updated
            .get(tag::POSTS)
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        [2]
    );
    assert_eq!(
        ids(
            db,
            &format!(
                r#"SELECT "A" FROM "_PostToTag" WHERE "B" = {} ORDER BY 1"#,
                updated.id
            )
        )
        .await,
        [2]
    );
}
