//! `aggregate` (`_count`, `_sum`, `_avg`, `_min`, `_max`, typed per field type) over
//! filtered, ordered and paginated rows, and `group_by` by one or two fields with
//! `having`, ordering (by fields and by aggregates) and pagination; every result against
//! the same aggregate computed by SQL written here.

use chrono::{DateTime, NaiveDateTime, Utc};
use relations_client::runtime::{Filter, Having, count_all};
use relations_client::*;
use rust_decimal::Decimal;

use super::{rows, seeded};

#[tokio::test]
async fn aggregate_is_typed_and_matches_sql() {
    let s = seeded().await;
    let db = &s.client;
    // Typed by field: counts are i64, sums of Int i64, of Float f64, of Decimal Decimal;
    // averages f64 (Decimal for Decimal); min/max the field's own type.
    type Totals = (
        i64,
        i64,
        Option<i64>,
        Option<f64>,
        Option<f64>,
        Option<f64>,
        Option<Decimal>,
        Option<Decimal>,
    );
    let totals: Totals = db
        .post()
        .aggregate((
            count_all(),
            post::RATING.count(),
            post::VIEWS.sum(),
            post::VIEWS.avg(),
            post::RATING.sum(),
            post::RATING.avg(),
            post::PRICE.sum(),
            post::PRICE.avg(),
        ))
        .await
        .unwrap();
    let (count, rated, views, avg_views, sum_rating, avg_rating, sum_price, avg_price) = totals;
    let (min_at, max_title): (Option<DateTime<Utc>>, Option<String>) = db
        .post()
        .aggregate((post::CREATED_AT.min(), post::TITLE.max()))
        .await
        .unwrap();
    let expected = rows(
        db,
        r#"SELECT COUNT(*), COUNT(rating), SUM(views)::BIGINT, AVG(views)::FLOAT8, SUM(rating), AVG(rating),
             SUM(price), AVG(price), MIN("createdAt"), MAX(title) FROM "Post""#,
        |r| {
            (
                r.get::<_, i64>(0),
                r.get::<_, i64>(1),
                r.get::<_, Option<i64>>(2),
                r.get::<_, Option<f64>>(3),
                r.get::<_, Option<f64>>(4),
                r.get::<_, Option<f64>>(5),
                r.get::<_, Option<Decimal>>(6),
                r.get::<_, Option<Decimal>>(7),
                r.get::<_, Option<NaiveDateTime>>(8).map(|t| t.and_utc()),
                r.get::<_, Option<String>>(9),
            )
        },
    )
    .await;
    assert_eq!(
        (
            count, rated, views, avg_views, sum_rating, avg_rating, sum_price, avg_price, min_at,
            max_title
        ),
        expected[0]
    );
    assert_eq!(count, 8);

    // Filtered (with a relation filter), and over an ordered page of rows.
    let (n, top_views) = db
        .post()
        .aggregate((count_all(), post::VIEWS.sum()))
        .filter(post::AUTHOR.is(user::NAME.equals("Alice")))
        .await
        .unwrap();
    assert_eq!((n, top_views), (3, Some(200)));
    let page = db
        .post()
        .aggregate((post::VIEWS.sum(), post::VIEWS.min()))
        .order_by(post::VIEWS.desc())
        .skip(1)
        .take(3)
        .await
        .unwrap();
    let expected = rows(
        db,
        r#"SELECT SUM(views)::BIGINT, MIN(views) FROM (SELECT views FROM "Post" ORDER BY views DESC, id OFFSET 1 LIMIT 3) s"#,
        |r| (r.get::<_, Option<i64>>(0), r.get::<_, Option<i32>>(1)),
    )
    .await;
    assert_eq!(page, expected[0]);
    // Over no rows: counts are 0, the rest None.
    let empty = db
        .post()
        .aggregate((
            count_all(),
            post::VIEWS.sum(),
            post::RATING.avg(),
            post::TITLE.min(),
        ))
        .filter(post::VIEWS.lt(0))
        .await
        .unwrap();
    assert_eq!(empty, (0, None, None, None));
    // One aggregate alone is its value, not a tuple.
    let total: i64 = db.tag().aggregate(count_all()).await.unwrap();
    assert_eq!(total, 4);
}

#[tokio::test]
async fn group_by_with_having_ordering_and_pagination() {
    let s = seeded().await;
    let db = &s.client;
    let groups = db
        .post()
        .group_by(post::AUTHOR_ID)
        .aggregate((
            count_all(),
            post::VIEWS.sum(),
            post::RATING.avg(),
            post::CREATED_AT.max(),
        ))
        .order_by(post::AUTHOR_ID.asc())
        .await
        .unwrap();
    let expected = rows(
        db,
        r#"SELECT "authorId", COUNT(*), SUM(views)::BIGINT, AVG(rating), MAX("createdAt") FROM "Post"
           GROUP BY "authorId" ORDER BY "authorId""#,
        |r| {
            (
                r.get::<_, i32>(0),
                (
                    r.get::<_, i64>(1),
                    r.get::<_, Option<i64>>(2),
                    r.get::<_, Option<f64>>(3),
                    r.get::<_, Option<NaiveDateTime>>(4).map(|t| t.and_utc()),
                ),
            )
        },
    )
    .await;
    assert_eq!(groups, expected);

    // Two fields, one optional; a WHERE with a relation filter; HAVING on an aggregate and
    // on a grouped field; ordered by an aggregate, paginated.
    let groups = db
        .post()
        .group_by((post::PUBLISHED, post::EDITOR_ID))
        .aggregate((count_all(), post::VIEWS.max()))
        .filter(post::TAGS.some(Filter::all()))
        .having(count_all::<Post>().gte(1))
        .having(Having::or([
            Having::from(post::EDITOR_ID.is_null()),
            post::VIEWS.max().gt(100),
        ]))
        .order_by(post::VIEWS.max().desc())
        .order_by(post::EDITOR_ID.asc().nulls_first())
        .skip(1)
        .take(2)
        .await
        .unwrap();
    let expected = rows(
        db,
        r#"SELECT published, "editorId", COUNT(*), MAX(views) FROM "Post" p
           WHERE EXISTS (SELECT 1 FROM "_PostToTag" j WHERE j."A" = p.id)
           GROUP BY published, "editorId"
           HAVING COUNT(*) >= 1 AND ("editorId" IS NULL OR MAX(views) > 100)
           ORDER BY MAX(views) DESC, "editorId" ASC NULLS FIRST OFFSET 1 LIMIT 2"#,
        |r| {
            (
                (r.get::<_, bool>(0), r.get::<_, Option<i32>>(1)),
                (r.get::<_, i64>(2), r.get::<_, Option<i32>>(3)),
            )
        },
    )
    .await;
    assert_eq!(groups, expected);
    assert_eq!(groups.len(), 2);

    // group_by with no aggregate: the distinct keys.
    let authors = db
        .comment()
        .group_by(comment::AUTHOR_ID)
        .order_by(comment::AUTHOR_ID.asc().nulls_last())
        .await
        .unwrap();
    let keys: Vec<Option<i32>> = authors.into_iter().map(|(key, ())| key).collect();
    let expected = rows(
        db,
        r#"SELECT DISTINCT "authorId" FROM "Comment" ORDER BY 1 NULLS LAST"#,
        |r| r.get::<_, Option<i32>>(0),
    )
    .await;
    assert_eq!(keys, expected);
}
