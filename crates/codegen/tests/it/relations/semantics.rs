//! Nested writes where refract used to differ from Prisma Client 7.10 (issue 14); the
//! expected results, written here, are what Prisma returned when run by hand on the same
//! data (nothing outside this repository is read): deleting a record that
//! is not connected to the parent is P2017, a to-many connect of a missing record P2018, and a field pushed after a `data()` helper
//! set it (a client-side default such as `cuid()`) keeps the pushed value in nested
//! create, create_many and upsert, as at the top level.

use relations_client::*;

use super::{ids, rows, seeded};

/// `update({ data: { posts: { delete: { id } } } })` of a post of another author, or of
/// no post at all: P2017 ("the records for relation `Authored` between the `User` and
/// `Post` models are not connected"), and nothing is deleted.
#[tokio::test]
async fn nested_delete_of_an_unconnected_record_is_p2017() {
    let s = seeded().await;
    let db = &s.client;
    for post in [4, 404] {
        let error = db
            .user()
            .update(user::id(1), [user::NAME.set("changed")])
            .with(user::POSTS.delete(post::id(post)))
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some("P2017"), "{error}");
        assert!(error.to_string().contains("`Authored`"), "{error}");
        assert!(error.to_string().contains("not connected"), "{error}");
    }
    assert_eq!(ids(db, r#"SELECT id FROM "Post" WHERE id = 4"#).await, [4]);
    assert_eq!(
        rows(db, r#"SELECT name FROM "User" WHERE id = 1"#, |r| r
            .get::<_, String>(0))
        .await,
        ["Alice"],
        "the update was rolled back"
    );
    // A connected one is deleted.
    db.user()
        .update_relations(user::id(1))
        .with(user::POSTS.delete(post::id(3)))
        .await
        .unwrap();
    assert!(
        ids(db, r#"SELECT id FROM "Post" WHERE id = 3"#)
            .await
            .is_empty()
    );
}

/// `update({ data: { posts: { connect: { id: 404 } } } })`, and the same in a create: the
/// posts hold the key of a to-many relation, and a missing one is P2018 ("the required
/// connected records were not found"), not P2025; nothing is written. A one-to-one
/// connect of a missing record stays P2025.
#[tokio::test]
async fn a_to_many_connect_of_a_missing_record_is_p2018() {
    let s = seeded().await;
    let db = &s.client;
    let on_update = db
        .user()
        .update(user::id(1), [user::NAME.set("changed")])
        .with(user::POSTS.connect(post::id(404)))
        .await
        .unwrap_err();
    assert_eq!(on_update.code(), Some("P2018"), "{on_update}");
    assert!(
        on_update
            .to_string()
            .contains("connected records were not found"),
        "{on_update}"
    );
    let on_create = db
        .user()
        .create(user::Create {
            email: "new@example.com".into(),
            name: "New".into(),
        })
        .with(user::POSTS.connect(post::id(404)))
        .await
        .unwrap_err();
    assert_eq!(on_create.code(), Some("P2018"), "{on_create}");
    assert_eq!(
        rows(
            db,
            r#"SELECT name FROM "User" WHERE id = 1 OR email = 'new@example.com'"#,
            |r| r.get::<_, String>(0)
        )
        .await,
        ["Alice"],
        "both writes were rolled back"
    );
    let one_to_one = db
        .user()
        .update_relations(user::id(1))
        .with(user::PASSPORT.connect(passport::id("missing")))
        .await
        .unwrap_err();
    assert_eq!(one_to_one.code(), Some("P2025"), "{one_to_one}");
}

fn book(title: &str, id: &str) -> runtime::WithFields<book::Create, Book> {
    relations_client::WriteData::set(
        book::Create {
            title: title.to_owned(),
        },
        book::ID.set(id),
    )
}

fn passport(number: &str, id: &str) -> runtime::WithFields<passport::Create, Passport> {
    relations_client::WriteData::set(
        passport::Create {
            number: number.to_owned(),
        },
        passport::ID.set(id),
    )
}

/// Book and passport ids default to `cuid()` in their `data()` helpers; an id pushed
/// after it wins, in every kind of create (it was PostgreSQL's 42701 "column specified
/// more than once" in nested create and upsert, and the generated id in nested
/// create_many).
#[tokio::test]
async fn an_explicit_value_overrides_a_data_helpers_default_in_nested_writes() {
    let s = seeded().await;
    let db = &s.client;
    let book_ids = || async {
        rows(db, r#"SELECT id FROM "Book" ORDER BY id"#, |r| {
            r.get::<_, String>(0)
        })
        .await
    };

    db.shelf()
        .update_relations(shelf::region_code("eu", "B2"))
        .with(shelf::BOOKS.create(book("Nested", "n1")))
        .with(shelf::BOOKS.create_many([book("Many one", "m1"), book("Many two", "m2")]))
        .with(shelf::BOOKS.upsert(
            book::id("u1"),
            book("Upserted", "u1"),
            [book::TITLE.set("x")],
        ))
        .await
        .unwrap();
    db.shelf()
        .create(shelf::Create {
            region: "us".into(),
            code: "Z9".into(),
            label: "New".into(),
        })
        .with(shelf::BOOKS.create(book("In a create", "c1")))
        .await
        .unwrap();
    db.user()
        .update_relations(user::id(5))
        .with(user::PASSPORT.create(passport("N-5", "p5")))
        .await
        .unwrap();
    db.book().create(book("Top", "t1")).await.unwrap();
    db.book()
        .create_many([book("Top many", "t2")])
        .await
        .unwrap();
    db.book()
        .upsert(
            book::id("t3"),
            book("Top upsert", "t3"),
            [book::TITLE.set("x")],
        )
        .await
        .unwrap();

    assert_eq!(
        book_ids().await,
        [
            "b1", "b2", "b3", "b4", "b5", "c1", "m1", "m2", "n1", "t1", "t2", "t3", "u1"
        ]
    );
    assert_eq!(
        rows(
            db,
            r#"SELECT id, "shelfRegion", "shelfCode" FROM "Book" WHERE id IN ('n1', 'm1', 'm2', 'u1', 'c1') ORDER BY id"#,
            |r| (
                r.get::<_, String>(0),
                r.get::<_, String>(1),
                r.get::<_, String>(2)
            )
        )
        .await,
        [
            ("c1".into(), "us".into(), "Z9".into()),
            ("m1".into(), "eu".into(), "B2".into()),
            ("m2".into(), "eu".into(), "B2".into()),
            ("n1".into(), "eu".into(), "B2".into()),
            ("u1".into(), "eu".into(), "B2".into()),
        ]
    );
    assert_eq!(
        rows(
            db,
            r#"SELECT id FROM "Passport" WHERE "holderId" = 5"#,
            |r| r.get::<_, String>(0)
        )
        .await,
        ["p5"]
    );
}

/// `findUnique({ where, omit: { email: true } })`: Prisma returns the record without the
/// key. refract returns the model's `Omitted` record, every field in one more `Option`,
/// `None` where omitted, so an omitted field cannot be mistaken for a stored value; it
/// serializes without the omitted keys.
#[tokio::test]
async fn omit_leaves_fields_out() {
    let s = seeded().await;
    let db = &s.client;
    let alice = db
        .user()
        .find_unique(user::id(1))
        .omit(user::EMAIL)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        alice,
        user::Omitted {
            id: Some(1),
            email: None,
            name: Some("Alice".into()),
            manager_id: Some(None),
        }
    );
    assert_eq!(
        serde_json::to_value(&alice).unwrap(),
        serde_json::json!({"id": 1, "name": "Alice", "managerId": null})
    );

    let bobs = db
        .user()
        .find_many()
        .filter(user::MANAGER_ID.equals(1))
        .order_by(user::ID.asc())
        .omit((user::EMAIL, user::MANAGER_ID))
        .await
        .unwrap();
    let names: Vec<_> = bobs
        .iter()
        .map(|u| (u.id, u.name.clone(), u.email.clone(), u.manager_id))
        .collect();
    assert_eq!(
        names,
        [
            (Some(2), Some("Bob".to_owned()), None, None),
            (Some(3), Some("Carol".to_owned()), None, None)
        ]
    );

    let first = db
        .post()
        .find_first()
        .filter(post::ID.equals(3))
        .omit(post::RATING)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.rating, None);
    assert_eq!(first.title.as_deref(), Some("Draft on lifetimes"));
    assert_eq!(
        first.price.flatten().map(|p| p.to_string()),
        Some("5.00".into())
    );
}
