//! Errors with Prisma's codes: a unique violation names the fields (P2002), a missing
//! record is P2025, a bad foreign key P2003; and values with quotes and `$1` are data.

use client::runtime::Error;
use client::*;
use serde_json::json;

use super::{setup, tenant};

#[tokio::test]
async fn unique_violation_names_the_fields() {
    let s = setup().await;
    let db = &s.client;
    let t = tenant(db, "t").await;
    db.user()
        .create(user::Create {
            email: "a@x.io".into(),
            tenant_id: t.id.to_owned(),
        })
        .await
        .unwrap();
    let error = db
        .user()
        .create(user::Create {
            email: "a@x.io".into(),
            tenant_id: t.id.to_owned(),
        })
        .await
        .unwrap_err();
    // The generated client passes the runtime's error on (its constraint name and message
    // are the runtime's tests' subject).
    assert_eq!(error.code(), Some("P2002"));
    assert!(
        matches!(&error, Error::UniqueViolation { fields, .. } if fields == &["email"]),
        "{error:?}"
    );
    // The same through update and create_many.
    let b = db
        .user()
        .create(user::Create {
            email: "b@x.io".into(),
            tenant_id: t.id.to_owned(),
        })
        .await
        .unwrap();
    let error = db
        .user()
        .update(user::id(&b.id), [user::EMAIL.set("a@x.io")])
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("P2002"));
    let error = db
        .tenant()
        .create_many([tenant::Create { name: "t".into() }])
        .await
        .unwrap_err();
    assert!(matches!(&error, Error::UniqueViolation { fields, .. } if fields == &["name"]));
}

#[tokio::test]
async fn missing_records_are_p2025() {
    let s = setup().await;
    let db = &s.client;
    let missing = || user::id("no-such-id");
    let error = db.user().find_unique_or_throw(missing()).await.unwrap_err();
    assert_eq!(error.code(), Some("P2025"));
    assert!(matches!(error, Error::RecordNotFound { model: "User", .. }));
    let error = db
        .user()
        .find_first_or_throw()
        .filter(user::EMAIL.equals("nobody"))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("P2025"));
    let error = db
        .user()
        .update(missing(), [user::NAME.set("x")])
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("P2025"));
    assert_eq!(
        db.user().delete(missing()).await.unwrap_err().code(),
        Some("P2025")
    );
    assert_eq!(db.user().find_unique(missing()).await.unwrap(), None);
}

#[tokio::test]
async fn foreign_key_violation_is_p2003() {
    let s = setup().await;
    let db = &s.client;
    let error = db
        .user()
        .create(user::Create {
            email: "a@x.io".into(),
            tenant_id: "no-tenant".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("P2003"), "{error}");
    assert!(
        matches!(&error, Error::ForeignKeyViolation { field: Some(field), .. } if field == "tenantId"),
        "{error:?}"
    );
}

#[tokio::test]
async fn quotes_and_placeholders_are_stored_verbatim() {
    let s = setup().await;
    let db = &s.client;
    let nasty = r#"O'Brien "$1" $2 \ -- ; DROP TABLE "User"; %_ 'x'"#;
    let t = tenant(db, nasty).await;
    assert_eq!(t.name, nasty);
    let user = db
        .user()
        .create(user::Create {
            email: format!("{nasty}@x.io"),
            tenant_id: t.id.to_owned(),
        })
        .set(user::NAME.set(nasty))
        .await
        .unwrap();
    assert_eq!(user.name.as_deref(), Some(nasty));
    let found = db
        .user()
        .find_first()
        .filter(user::NAME.equals(nasty))
        .filter(user::EMAIL.contains(r#""$1" $2 \"#))
        .await
        .unwrap();
    assert_eq!(found, Some(user));
    let agent = db
        .agent()
        .create(agent::Create {
            name: nasty.to_owned(),
            flow_json: json!({ "k": nasty, nasty: [nasty] }),
            tenant_id: t.id.to_owned(),
        })
        .await
        .unwrap();
    assert_eq!(agent.flow_json[nasty][0], nasty);
    assert_eq!(
        db.tenant().find_unique(tenant::name(nasty)).await.unwrap(),
        Some(t)
    );
    let raw: Vec<(String,)> = db
        .query_raw_as(r#"SELECT name FROM "Tenant""#, &[])
        .await
        .unwrap();
    assert_eq!(raw, vec![(nasty.to_owned(),)]);
}
