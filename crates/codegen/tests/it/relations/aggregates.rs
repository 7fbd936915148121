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
    // averages f64 (Decimal for Decimal); min/max the field's own type. Each is read with
    // the handle that asked for it.
    let totals = db
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
    let count: i64 = totals.count_all();
    let rated: i64 = totals.get(post::RATING.count());
    let views: Option<i64> = totals.get(post::VIEWS.sum());
    let avg_views: Option<f64> = totals.get(post::VIEWS.avg());
    let sum_rating: Option<f64> = totals.get(post::RATING.sum());
    let avg_rating: Option<f64> = totals.get(post::RATING.avg());
    let sum_price: Option<Decimal> = totals.get(post::PRICE.sum());
    let avg_price: Option<Decimal> = totals.get(post::PRICE.avg());
    let extremes = db
        .post()
        .aggregate((post::CREATED_AT.min(), post::TITLE.max()))
        .await
        .unwrap();
    let min_at: Option<DateTime<Utc>> = extremes.get(post::CREATED_AT.min());
    let max_title: Option<String> = extremes.get(post::TITLE.max());
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
    let alices = db
        .post()
        .aggregate((count_all(), post::VIEWS.sum()))
        .filter(post::AUTHOR.is(user::NAME.equals("Alice")))
        .await
        .unwrap();
    assert_eq!(
        (alices.count_all(), alices.get(post::VIEWS.sum())),
        (3, Some(200))
    );
    // Prisma's shape: one object per aggregate function, fields by their Prisma names.
    assert_eq!(
        serde_json::to_value(&alices).unwrap(),
        serde_json::json!({"_count": {"_all": 3}, "_sum": {"views": 200}})
    );
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
    assert_eq!(
        (page.get(post::VIEWS.sum()), page.get(post::VIEWS.min())),
        expected[0]
    );
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
    assert_eq!(
        (
            empty.count_all(),
            empty.get(post::VIEWS.sum()),
            empty.get(post::RATING.avg()),
            empty.get(post::TITLE.min())
        ),
        (0, None, None, None)
    );
    // One aggregate alone.
    let total = db.tag().aggregate(count_all()).await.unwrap();
    assert_eq!(total.count_all(), 4);
    // An aggregate that was not asked for is never a made-up value.
    assert_eq!(total.try_get(tag::ID.max()), None);
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
    let got: Vec<_> = groups
        .iter()
        .map(|g| {
            (
                g.key(post::AUTHOR_ID),
                (
                    g.count_all(),
                    g.get(post::VIEWS.sum()),
                    g.get(post::RATING.avg()),
                    g.get(post::CREATED_AT.max()),
                ),
            )
        })
        .collect();
    assert_eq!(got, expected);
    // Prisma's shape: the grouped fields by name, then the aggregates.
    let first = serde_json::to_value(&groups[0]).unwrap();
    assert_eq!(first["authorId"], expected[0].0);
    assert_eq!(first["_count"]["_all"], expected[0].1.0);
    assert_eq!(
        first.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["_avg", "_count", "_max", "_sum", "authorId"]
    );

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
    let got: Vec<_> = groups
        .iter()
        .map(|g| {
            (
                (g.key(post::PUBLISHED), g.key(post::EDITOR_ID)),
                (g.count_all(), g.get(post::VIEWS.max())),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(groups.len(), 2);

    // group_by with no aggregate: the distinct keys.
    let authors = db
        .comment()
        .group_by(comment::AUTHOR_ID)
        .order_by(comment::AUTHOR_ID.asc().nulls_last())
        .await
        .unwrap();
    let keys: Vec<Option<i32>> = authors.iter().map(|g| g.key(comment::AUTHOR_ID)).collect();
    let expected = rows(
        db,
        r#"SELECT DISTINCT "authorId" FROM "Comment" ORDER BY 1 NULLS LAST"#,
        |r| r.get::<_, Option<i32>>(0),
    )
    .await;
    assert_eq!(keys, expected);
}

#[tokio::test]
#[should_panic(expected = "aggregate `_avg.views` was not requested")]
async fn reading_an_aggregate_not_asked_for_names_it() {
    let s = seeded().await;
    let counted = s.client.post().aggregate(count_all()).await.unwrap();
    let _ = counted.get(post::VIEWS.avg());
}
