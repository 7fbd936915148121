//! Writes: create, create_many, update (atomic operations), update_many, upsert, delete,
//! delete_many, raw SQL, a non-default schema, and the constraint errors.

use refract_runtime::{Error, Filter};
use rust_decimal::Decimal;

use crate::support::{seed_users, setup};
use runtime_tests_client::post::{self, Post};
use runtime_tests_client::user::{self, *};
use runtime_tests_client::{Models, Role, WriteData};

#[tokio::test]
pub(crate) async fn create_and_create_many() {
    let s = setup().await;
    let db = s.client.user();
    let one = db
        .create(user::Create {
            email: "a@x".into(),
            tenant: "t".into(),
            handle: "a".into(),
        })
        .set(NAME.set("A"))
        .await
        .unwrap();
    assert_eq!(
        (one.email.as_str(), one.name.as_deref(), one.handle.as_str()),
        ("a@x", Some("A"), "a")
    );

    let rows = (0..3).map(|i| user::Create {
        email: format!("m{i}@x"),
        tenant: "t".into(),
        handle: format!("m{i}"),
    });
    assert_eq!(db.create_many(rows).await.unwrap(), 3);
    // Rows with different optional fields: missing cells take their DEFAULT.
    let with_name = user::Create {
        email: "n1@x".into(),
        tenant: "t".into(),
        handle: "n1".into(),
    }
    .set(NAME.set("Named"));
    let with_score = user::Create {
        email: "n2@x".into(),
        tenant: "t".into(),
        handle: "n2".into(),
    }
    .set(SCORE.set(9.5));
    let created = db
        .create_many([with_name, with_score])
        .and_return()
        .await
        .unwrap();
    assert_eq!(created.len(), 2);
    assert_eq!(
        (created[0].name.as_deref(), created[0].score),
        (Some("Named"), 0.0)
    );
    assert_eq!((created[1].name.as_deref(), created[1].score), (None, 9.5));

    let duplicates = [
        user::Create {
            email: "a@x".into(),
            tenant: "t".into(),
            handle: "dup".into(),
        },
        user::Create {
            email: "new@x".into(),
            tenant: "t".into(),
            handle: "new".into(),
        },
    ];
    let error = db.create_many(duplicates.clone()).await.unwrap_err();
    assert_eq!(error.code(), Some("P2002"));
    assert_eq!(
        db.create_many(duplicates).skip_duplicates().await.unwrap(),
        1
    );
    assert_eq!(db.create_many(Vec::<user::Create>::new()).await.unwrap(), 0);
    assert_eq!(db.count().await.unwrap(), 7);
}

#[tokio::test]
pub(crate) async fn create_many_beyond_the_parameter_limit_is_chunked_and_atomic() {
    let s = setup().await;
    let db = s.client.user();
    // 3 columns + @updatedAt: 8,191 rows per statement, so 20,000 rows take 3 statements.
    let rows: Vec<_> = (0..20_000)
        .map(|i| user::Create {
            email: format!("bulk{i}@x"),
            tenant: "bulk".into(),
            handle: format!("b{i}"),
        })
        .collect();
    assert_eq!(db.create_many(rows).await.unwrap(), 20_000);
    assert_eq!(
        db.count().filter(TENANT.equals("bulk")).await.unwrap(),
        20_000
    );
    // A duplicate in the last chunk rolls back the earlier chunks too.
    let mut rows: Vec<_> = (0..20_000)
        .map(|i| user::Create {
            email: format!("again{i}@x"),
            tenant: "again".into(),
            handle: format!("g{i}"),
        })
        .collect();
    rows.push(user::Create {
        email: "bulk0@x".into(),
        tenant: "again".into(),
        handle: "clash".into(),
    });
    assert_eq!(
        db.create_many(rows).await.unwrap_err().code(),
        Some("P2002")
    );
    assert_eq!(db.count().filter(TENANT.equals("again")).await.unwrap(), 0);
}

#[tokio::test]
pub(crate) async fn update_with_atomic_operations() {
    let s = setup().await;
    let users = seed_users(&s.client, 3).await;
    let db = s.client.user();
    let u1 = &users[1];

    let updated = db
        .update(
            user::id(u1.id),
            [
                SCORE.increment(2.5),
                VISITS.decrement(3i64),
                BALANCE.set(Decimal::new(10, 0)),
                NAME.set_null(),
                TAGS.push(["pushed".to_string()]),
                ROLE.set(Role::Admin),
            ],
        )
        .await
        .unwrap();
    assert_eq!(updated.score, 3.5);
    assert_eq!(updated.visits, 7);
    assert_eq!(updated.balance, Decimal::new(10, 0));
    assert_eq!(updated.name, None);
    assert_eq!(updated.tags, vec!["odd", "x", "pushed"]);
    assert_eq!(updated.role, Role::Admin);
    assert!(updated.updated_at >= u1.updated_at);

    let multiplied = db
        .update(user::id(u1.id), [BALANCE.multiply(Decimal::new(3, 0))])
        .await
        .unwrap();
    assert_eq!(multiplied.balance, Decimal::new(30, 0));
    let divided = db
        .update(user::email(u1.email.clone()), [VISITS.divide(2i64)])
        .await
        .unwrap();
    assert_eq!(divided.visits, 3);

    // No data: the record as it is. Missing record: P2025.
    let same = db
        .update(user::id(u1.id), Vec::<refract_runtime::Assign<User>>::new())
        .await
        .unwrap();
    assert_eq!(same, divided);
    let missing = db
        .update(user::id(-1), [SCORE.increment(1.0)])
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("P2025"));
    assert!(matches!(
        missing,
        Error::RecordNotFound {
            operation: "update",
            ..
        }
    ));
    let missing_noop = db
        .update(user::id(-1), Vec::<refract_runtime::Assign<User>>::new())
        .await
        .unwrap_err();
    assert_eq!(missing_noop.code(), Some("P2025"));

    let count = db
        .update_many(SCORE.lt(100.0), [ACTIVE.set(false)])
        .await
        .unwrap();
    assert_eq!(count, 3);
    let returned = db
        .update_many(HANDLE.equals("u0"), [SCORE.increment(1.0)])
        .and_return()
        .await
        .unwrap();
    assert_eq!(returned.len(), 1);
    assert_eq!(returned[0].score, 1.0);
    assert!(!returned[0].active);
    // Nothing to set: Prisma counts the matching rows.
    assert_eq!(
        db.update_many(Filter::all(), Vec::<refract_runtime::Assign<User>>::new())
            .await
            .unwrap(),
        3
    );
}

#[tokio::test]
pub(crate) async fn upsert_creates_then_updates() {
    let s = setup().await;
    let db = s.client.user();
    // Native path: the unique key's value is the one being created.
    let created = db
        .upsert(
            user::email("up@x"),
            user::Create {
                email: "up@x".into(),
                tenant: "t".into(),
                handle: "up".into(),
            },
            [VISITS.increment(1i64)],
        )
        .await
        .unwrap();
    assert_eq!(created.visits, 0);
    let updated = db
        .upsert(
            user::email("up@x"),
            user::Create {
                email: "up@x".into(),
                tenant: "t".into(),
                handle: "up".into(),
            },
            [VISITS.increment(1i64)],
        )
        .await
        .unwrap();
    assert_eq!((updated.id, updated.visits), (created.id, 1));
    // Compound key, and an empty update returning the row as it is.
    let same = db
        .upsert(
            user::tenant_handle("t", "up"),
            user::Create {
                email: "other@x".into(),
                tenant: "t".into(),
                handle: "up".into(),
            },
            Vec::<refract_runtime::Assign<User>>::new(),
        )
        .await
        .unwrap();
    assert_eq!(same.id, created.id);
    // Fallback path: the key differs from the created data.
    let fresh = db
        .upsert(
            user::id(-7),
            user::Create {
                email: "fresh@x".into(),
                tenant: "t".into(),
                handle: "fresh".into(),
            },
            [SCORE.set(1.0)],
        )
        .await
        .unwrap();
    assert_eq!(fresh.email, "fresh@x");
    let again = db
        .upsert(
            user::id(fresh.id),
            user::Create {
                email: "zzz@x".into(),
                tenant: "t".into(),
                handle: "zzz".into(),
            },
            [SCORE.set(2.0)],
        )
        .await
        .unwrap();
    assert_eq!(
        (again.id, again.score, again.email.as_str()),
        (fresh.id, 2.0, "fresh@x")
    );
    assert_eq!(db.count().await.unwrap(), 2);
}

#[tokio::test]
pub(crate) async fn delete_and_delete_many() {
    let s = setup().await;
    let users = seed_users(&s.client, 4).await;
    let db = s.client.user();
    let deleted = db.delete(user::id(users[0].id)).await.unwrap();
    assert_eq!(deleted, users[0]);
    let again = db.delete(user::id(users[0].id)).await.unwrap_err();
    assert!(matches!(
        again,
        Error::RecordNotFound {
            model: "User",
            operation: "delete"
        }
    ));
    assert_eq!(again.code(), Some("P2025"));
    assert_eq!(db.delete_many(TAGS.has("odd")).await.unwrap(), 2);
    assert_eq!(db.delete_many(Filter::all()).await.unwrap(), 1);
    assert_eq!(db.count().await.unwrap(), 0);
}

#[tokio::test]
pub(crate) async fn values_with_quotes_and_placeholders_are_stored_verbatim() {
    let s = setup().await;
    let db = s.client.user();
    let nasty = [
        "O'Brien \"quoted\"",
        "$1",
        "'; DROP TABLE \"User\"; --",
        "$1 $2 ? %s {}",
        "\\x00 back\\slash",
        "emoji 🦀 and \u{0}nul",
    ];
    for (i, text) in nasty.iter().enumerate() {
        let text = text.replace('\u{0}', "");
        let created = db
            .create(user::Create {
                email: format!("{i}@x"),
                tenant: "t".into(),
                handle: text.clone(),
            })
            .set(NAME.set(text.clone()))
            .await
            .unwrap();
        assert_eq!(created.name.as_deref(), Some(text.as_str()));
        let found = db
            .find_first_or_throw()
            .filter(NAME.equals(text.clone()))
            .await
            .unwrap();
        assert_eq!(found.handle, text);
        let like = db
            .count()
            .filter(NAME.contains(text.clone()))
            .await
            .unwrap();
        assert_eq!(like, 1, "contains {text}");
    }
    let stored: Vec<(String,)> = s
        .client
        .query_raw_as("SELECT name FROM \"User\" WHERE handle = $1", &[&"$1"])
        .await
        .unwrap();
    assert_eq!(stored[0].0, "$1");
}

#[tokio::test]
pub(crate) async fn non_default_schema_and_uuid_ids() {
    let s = setup().await;
    let author = s
        .client
        .user()
        .create(user::Create {
            email: "author@x".into(),
            tenant: "t".into(),
            handle: "author".into(),
        })
        .await
        .unwrap();
    let posts = s.client.post();
    let first = posts
        .create(post::Create {
            title: "First".into(),
            author_id: author.id,
        })
        .await
        .unwrap();
    assert_eq!(first.id.len(), 36);
    assert_eq!((first.views, first.published), (0, false));
    let found = posts.find_unique(post::id(first.id.clone())).await.unwrap();
    assert_eq!(found, Some(first.clone()));
    let upper = first.id.to_uppercase();
    assert_eq!(
        posts
            .find_unique(post::id(upper))
            .await
            .unwrap()
            .map(|p| p.id),
        Some(first.id.clone())
    );
    let viewed = posts
        .update(post::id(first.id.clone()), [post::VIEWS.increment(5)])
        .await
        .unwrap();
    assert_eq!(viewed.views, 5);
    posts
        .create(post::Create {
            title: "Second".into(),
            author_id: author.id,
        })
        .set(post::PUBLISHED.set(true))
        .await
        .unwrap();
    let published: Vec<Post> = posts
        .find_many()
        .filter(post::PUBLISHED.equals(true))
        .await
        .unwrap();
    assert_eq!(published.len(), 1);
    assert_eq!(
        posts
            .count()
            .filter(post::AUTHOR_ID.equals(author.id))
            .await
            .unwrap(),
        2
    );
    let schema: Vec<(String,)> = s
        .client
        .query_raw_as(
            "SELECT table_schema::text FROM information_schema.tables WHERE table_name = 'posts'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(schema[0].0, "blog");
    assert_eq!(posts.delete_many(Filter::all()).await.unwrap(), 2);
}

#[tokio::test]
pub(crate) async fn constraint_errors_carry_codes_and_fields() {
    let s = setup().await;
    let db = s.client.user();
    let user = db
        .create(user::Create {
            email: "taken@x".into(),
            tenant: "t".into(),
            handle: "taken".into(),
        })
        .await
        .unwrap();

    let unique = db
        .create(user::Create {
            email: "taken@x".into(),
            tenant: "t".into(),
            handle: "other".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(unique.code(), Some("P2002"));
    match &unique {
        Error::UniqueViolation {
            fields, constraint, ..
        } => {
            assert_eq!(fields, &["email"]);
            assert_eq!(constraint.as_deref(), Some("User_email_key"));
        }
        other => panic!("expected a unique violation, got {other:?}"),
    }
    assert_eq!(
        unique.to_string(),
        "unique constraint failed on the fields: (`email`)"
    );
    assert!(unique.postgres().is_some());
    assert!(std::error::Error::source(&unique).is_some());

    let compound = db
        .create(user::Create {
            email: "new@x".into(),
            tenant: "t".into(),
            handle: "taken".into(),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&compound, Error::UniqueViolation { fields, .. } if fields == &["tenant", "handle"])
    );

    let foreign = s
        .client
        .post()
        .create(post::Create {
            title: "Orphan".into(),
            author_id: -1,
        })
        .await
        .unwrap_err();
    assert_eq!(foreign.code(), Some("P2003"));
    match &foreign {
        Error::ForeignKeyViolation {
            field, constraint, ..
        } => {
            assert_eq!(field.as_deref(), Some("authorId"));
            assert_eq!(constraint.as_deref(), Some("posts_author_id_fkey"));
        }
        other => panic!("expected a foreign key violation, got {other:?}"),
    }
    s.client
        .post()
        .create(post::Create {
            title: "Kept".into(),
            author_id: user.id,
        })
        .await
        .unwrap();
    let referenced = db.delete(user::id(user.id)).await.unwrap_err();
    assert_eq!(referenced.code(), Some("P2003"));

    // A list of assignments, explicitly `Unchecked`: a missing required field gets to
    // the database, which refuses the NULL: P2011, naming the field.
    let null = db
        .create(refract_runtime::Unchecked([
            EMAIL.set("nulls@x"),
            HANDLE.set("n"),
        ]))
        .await
        .unwrap_err();
    assert_eq!(null.code(), Some("P2011"));
    assert!(
        matches!(&null, Error::NullConstraintViolation { field: Some(f), .. } if f == "tenant")
    );
}

#[tokio::test]
pub(crate) async fn raw_sql_binds_parameters() {
    let s = setup().await;
    seed_users(&s.client, 3).await;
    let changed = s
        .client
        .execute_raw(
            "UPDATE \"User\" SET score = score + $1 WHERE handle = ANY($2)",
            &[&10.0f64, &vec!["u1", "u2"]],
        )
        .await
        .unwrap();
    assert_eq!(changed, 2);
    let rows = s
        .client
        .query_raw(
            "SELECT handle, score FROM \"User\" WHERE score > $1 ORDER BY id",
            &[&5.0f64],
        )
        .await
        .unwrap();
    let got: Vec<(String, f64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(
        got,
        vec![("u1".to_string(), 11.0), ("u2".to_string(), 12.0)]
    );
    let typed: Vec<User> = s
        .client
        .query_raw_as("SELECT * FROM \"User\" WHERE handle = $1", &[&"u0"])
        .await
        .unwrap();
    assert_eq!(typed[0].handle, "u0");
    let bad = s
        .client
        .query_raw("SELECT * FROM missing_table", &[])
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Some("P2021"));
}
