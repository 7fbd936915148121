//! The client generated from `tests/fixtures/relations.prisma` (committed at
//! `generated/relations`) against PostgreSQL: include on every relation kind and depth,
//! relation filters and orderings, nested writes, aggregates and group_by, referential
//! actions, and the number of statements an include costs. Expected results come from SQL
//! written in the tests, run on the same data.

mod aggregates;
mod filters;
mod includes;
mod nested;
mod semantics;
mod statements;

use relations_client::runtime::Client;

use crate::support::{Database, database};

pub const SCHEMA: &str = "crates/codegen/tests/fixtures/relations.prisma";

/// A database with the fixture's tables and the data set below.
pub async fn seeded() -> Database {
    let db = database(SCHEMA).await;
    db._test_db
        .client()
        .await
        .batch_execute(SEED)
        .await
        .unwrap();
    db
}

/// The data set: six users in a management tree, profiles and passports (one without a
/// holder), eight posts with authors, editors, tags and threaded comments, follows, and
/// books on shelves with compound keys. Ids are explicit so tests can name rows.
const SEED: &str = r#"
INSERT INTO "User" (id, email, name, "managerId") VALUES
  (1, 'alice@x', 'Alice', NULL), (2, 'bob@x', 'Bob', 1), (3, 'carol@x', 'Carol', 1),
  (4, 'dave@x', 'Dave', 2), (5, 'erin@x', 'Erin', NULL), (6, 'frank@x', 'Frank', 4);
SELECT setval(pg_get_serial_sequence('"User"', 'id'), 6);
INSERT INTO "Profile" (id, bio, "userId") VALUES (1, 'likes rust', 1), (2, 'likes sql', 2), (3, 'likes tea', 4);
SELECT setval(pg_get_serial_sequence('"Profile"', 'id'), 3);
INSERT INTO "Passport" (id, number, "holderId") VALUES ('pa', 'N-1', 1), ('pc', 'N-3', 3), ('px', 'N-9', NULL);
INSERT INTO "Post" (id, title, published, views, rating, price, "createdAt", "authorId", "editorId") VALUES
  (1, 'Rust ownership', true, 120, 4.5, 9.99, '2024-01-01 10:00:00', 1, 2),
  (2, 'SQL joins', true, 80, 3.5, NULL, '2024-01-02 10:00:00', 1, NULL),
  (3, 'Draft on lifetimes', false, 0, NULL, 5.00, '2024-01-03 10:00:00', 1, 3),
  (4, 'Window functions', true, 300, 5.0, 19.50, '2024-01-04 10:00:00', 2, 1),
  (5, 'CSS grid', true, 45, 2.0, NULL, '2024-01-05 10:00:00', 3, NULL),
  (6, 'Async Rust', true, 210, 4.0, 12.00, '2024-01-06 10:00:00', 3, 2),
  (7, 'Unpublished notes', false, 3, NULL, NULL, '2024-01-07 10:00:00', 4, NULL),
  (8, 'Indexes', true, 99, 3.0, 7.25, '2024-01-08 10:00:00', 2, 2);
SELECT setval(pg_get_serial_sequence('"Post"', 'id'), 8);
INSERT INTO "Tag" (id, name) VALUES (1, 'rust'), (2, 'sql'), (3, 'web'), (4, 'unused');
SELECT setval(pg_get_serial_sequence('"Tag"', 'id'), 4);
INSERT INTO "_PostToTag" ("A", "B") VALUES (1, 1), (3, 1), (6, 1), (2, 2), (4, 2), (8, 2), (5, 3), (6, 3), (4, 1);
INSERT INTO "Comment" (id, body, "postId", "authorId", "parentId") VALUES
  (1, 'great post', 1, 2, NULL), (2, 'thanks!', 1, 1, 1), (3, 'agreed', 1, 3, 1),
  (4, 'what about Rc?', 1, 4, NULL), (5, 'nice joins', 2, 3, NULL), (6, 'reply deep', 1, 2, 2),
  (7, 'window magic', 4, 1, NULL), (8, 'anonymous', 4, NULL, NULL), (9, 'grid!', 5, 5, NULL);
SELECT setval(pg_get_serial_sequence('"Comment"', 'id'), 9);
INSERT INTO "_Follows" ("A", "B") VALUES (1, 2), (1, 3), (2, 1), (3, 1), (4, 1), (5, 6), (6, 5);
INSERT INTO "Shelf" (region, code, label) VALUES ('eu', 'A1', 'Fiction'), ('eu', 'B2', 'Science'), ('us', 'A1', 'History');
INSERT INTO "Book" (id, title, "shelfRegion", "shelfCode") VALUES
  ('b1', 'Dune', 'eu', 'A1'), ('b2', 'Emma', 'eu', 'A1'), ('b3', 'Cosmos', 'eu', 'B2'),
  ('b4', 'SPQR', 'us', 'A1'), ('b5', 'Loose', NULL, NULL);
"#;

/// Rows of a raw query, each column read by `read`.
pub async fn rows<T>(
    db: &Client,
    sql: &str,
    read: impl Fn(&relations_client::runtime::Row) -> T,
) -> Vec<T> {
    db.query_raw(sql, &[])
        .await
        .unwrap()
        .iter()
        .map(read)
        .collect()
}

/// The ids one raw query returns (first column, `INT`), in its order.
pub async fn ids(db: &Client, sql: &str) -> Vec<i32> {
    rows(db, sql, |row| row.get::<_, i32>(0)).await
}
