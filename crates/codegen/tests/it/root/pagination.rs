//! Ordering (any scalar, both directions, NULLs first or last, several keys), skip, take
//! (also negative), cursors and distinct.

use client::runtime::Client;
use client::user::{self, EMAIL, NAME, ROLE};
use client::*;

use super::{setup, tenant};

/// Users `a`..`f`: names `n2 n1 - n1 n3 -`, roles alternating.
async fn seed(db: &Client) {
    let t = tenant(db, "t").await;
    let names = [Some("n2"), Some("n1"), None, Some("n1"), Some("n3"), None];
    let rows = names.iter().enumerate().map(|(i, name)| {
        let letter = char::from(b'a' + i as u8);
        let role = if i % 2 == 0 {
            UserRole::Author
        } else {
            UserRole::Viewer
        };
        let mut data = client::WriteData::set(
            user::Create {
                email: format!("{letter}@x.io"),
                tenant_id: t.id.clone(),
            },
            ROLE.set(role),
        );
        if let Some(name) = name {
            data = data.set(NAME.set(*name));
        }
        data
    });
    db.user().create_many(rows).await.unwrap();
}

fn letters(users: &[User]) -> String {
    users.iter().map(|u| &u.email[..1]).collect()
}

async fn run(query: client::runtime::FindMany<'_, User>) -> String {
    letters(&query.await.unwrap())
}

#[tokio::test]
async fn order_by_skip_take() {
    let s = setup().await;
    let db = &s.client;
    seed(db).await;
    let users = db.user();
    assert_eq!(run(users.find_many().order_by(EMAIL.asc())).await, "abcdef");
    assert_eq!(
        run(users.find_many().order_by(EMAIL.desc())).await,
        "fedcba"
    );
    // PostgreSQL's default puts NULLs last ascending and first descending.
    assert_eq!(
        run(users.find_many().order_by(NAME.asc()).order_by(EMAIL.asc())).await,
        "bdaecf"
    );
    assert_eq!(
        run(users
            .find_many()
            .order_by(NAME.asc().nulls_first())
            .order_by(EMAIL.asc()))
        .await,
        "cfbdae"
    );
    assert_eq!(
        run(users
            .find_many()
            .order_by(NAME.desc().nulls_last())
            .order_by(EMAIL.asc()))
        .await,
        "eabdcf"
    );
    assert_eq!(
        run(users
            .find_many()
            .order_by(ROLE.asc())
            .order_by(EMAIL.desc()))
        .await,
        "ecafdb"
    );
    assert_eq!(
        run(users.find_many().order_by(EMAIL.asc()).skip(2)).await,
        "cdef"
    );
    assert_eq!(
        run(users.find_many().order_by(EMAIL.asc()).take(2)).await,
        "ab"
    );
    assert_eq!(
        run(users.find_many().order_by(EMAIL.asc()).skip(1).take(3)).await,
        "bcd"
    );
    // A negative take reads from the end, keeping the order.
    assert_eq!(
        run(users.find_many().order_by(EMAIL.asc()).take(-2)).await,
        "ef"
    );
    assert_eq!(
        run(users.find_many().order_by(EMAIL.asc()).skip(1).take(-2)).await,
        "de"
    );
    let last = users
        .find_first()
        .order_by(EMAIL.asc())
        .take(-1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.email, "f@x.io");
}

#[tokio::test]
async fn cursors_and_distinct() {
    let s = setup().await;
    let db = &s.client;
    seed(db).await;
    let users = db.user();
    let page = |cursor: &str, skip: i64, take: i64| {
        users
            .find_many()
            .order_by(EMAIL.asc())
            .cursor(user::email(cursor))
            .skip(skip)
            .take(take)
    };
    assert_eq!(letters(&page("c@x.io", 0, 2).await.unwrap()), "cd");
    assert_eq!(letters(&page("c@x.io", 1, 2).await.unwrap()), "de");
    assert_eq!(letters(&page("c@x.io", 0, -2).await.unwrap()), "bc");
    // Page through everything two at a time.
    let mut seen = String::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = users.find_many().order_by(EMAIL.asc()).take(2);
        let query = match &cursor {
            Some(email) => query.cursor(user::email(email)).skip(1),
            None => query,
        };
        let batch = query.await.unwrap();
        if batch.is_empty() {
            break;
        }
        seen.push_str(&letters(&batch));
        cursor = batch.last().map(|u| u.email.clone());
    }
    assert_eq!(seen, "abcdef");

    // distinct keeps the first row of each value, in the query's order.
    let distinct = users
        .find_many()
        .order_by(EMAIL.asc())
        .distinct([NAME])
        .await
        .unwrap();
    assert_eq!(letters(&distinct), "abce");
    let per_role = users
        .find_many()
        .order_by(EMAIL.desc())
        .distinct([ROLE])
        .await
        .unwrap();
    assert_eq!(letters(&per_role), "fe");
    assert_eq!(
        users
            .count()
            .filter(NAME.is_not_null())
            .skip(1)
            .take(2)
            .await
            .unwrap(),
        2
    );
}
