//! The scenarios of `cargo xtask conformance client`: each one's name, its Prisma Client
//! call (JavaScript, run by runner.mjs with `prisma` and `Prisma` in scope) and the same
//! call through refract's generated client (`generated/conformance`), side by side.
//!
//! `read!` scenarios run on one shared copy of the seeded database; `write!` scenarios
//! run each on fresh copies of their own, and the tables they list are compared
//! afterwards. The Rust side's result is serialized with serde (`to_json`), whatever its
//! type, so a scenario reads no field of a result.

use std::future::Future;
use std::pin::Pin;

use conformance_client::runtime::{Filter, chrono, rust_decimal::Decimal};
use conformance_client::{Client, Error, Models, Status, Tier};
use conformance_client::{badge, gadget, label, maker, part};
use serde_json::{Value, json};

/// A scenario's refract side, started on a client.
pub type Run<'a> = Pin<Box<dyn Future<Output = Result<Value, Error>> + 'a>>;

pub struct Scenario {
    pub name: &'static str,
    /// Runs on copies of the seeded database of its own, one per client.
    pub write: bool,
    /// Tables compared between the two sides' databases after the scenario.
    pub after: &'static [&'static str],
    pub js: &'static str,
    pub rust: for<'a> fn(&'a Client) -> Run<'a>,
}

fn to_json<T: serde::Serialize>(result: Result<T, Error>) -> Result<Value, Error> {
    result.map(|value| {
        serde_json::to_value(&value).unwrap_or_else(|e| json!({ "$unserializable": e.to_string() }))
    })
}

/// A read: `read!("name", "prisma...", |db| refract expression)`.
macro_rules! read {
    ($name:literal, $js:expr, |$db:ident| $rust:expr) => {
        Scenario {
            name: $name,
            write: false,
            after: &[],
            js: $js,
            rust: {
                fn run<'a>($db: &'a Client) -> Run<'a> {
                    Box::pin(async move { to_json(($rust).await) })
                }
                run
            },
        }
    };
}

/// A write: `write!("name", ["Table", ..], "prisma...", |db| refract expression)`.
macro_rules! write {
    ($name:literal, [$($table:literal),*], $js:expr, |$db:ident| $rust:expr) => {
        Scenario {
            name: $name,
            write: true,
            after: &[$($table),*],
            js: $js,
            rust: {
                fn run<'a>($db: &'a Client) -> Run<'a> {
                    Box::pin(async move { to_json(($rust).await) })
                }
                run
            },
        }
    };
}

fn at(text: &str) -> chrono::DateTime<chrono::Utc> {
    text.parse().unwrap_or_default()
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap_or_default()
}

/// `createMany`, `updateMany` and `deleteMany` return a count; Prisma wraps it as `{ count }`.
fn batch(count: u64) -> Value {
    json!({ "count": count })
}

/// Rows read with `select` come back as tuples; Prisma's shape is an object per row.
fn objects<T: serde::Serialize>(keys: &'static [&'static str], rows: Vec<T>) -> Vec<Value> {
    rows.into_iter()
        .map(|row| match serde_json::to_value(row) {
            Ok(Value::Array(values)) => {
                Value::Object(keys.iter().map(|k| k.to_string()).zip(values).collect())
            }
            Ok(other) => other,
            Err(e) => json!({ "$unserializable": e.to_string() }),
        })
        .collect()
}

pub fn all() -> Vec<Scenario> {
    let mut all = reads();
    all.extend(relation_reads());
    all.extend(aggregates());
    all.extend(writes());
    all
}

/// Finds, counts, every scalar filter, orderings, pagination, distinct, select and omit.
#[rustfmt::skip]
fn reads() -> Vec<Scenario> {
    use maker::*;
    vec![
        read!("find_many_all", "prisma.maker.findMany({ orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().order_by(ID.asc())),
        read!("find_unique_by_id", "prisma.maker.findUnique({ where: { id: 3 } })",
            |db| db.maker().find_unique(maker::id(3))),
        read!("find_unique_by_unicode_handle", "prisma.maker.findUnique({ where: { handle: 'émile' } })",
            |db| db.maker().find_unique(maker::handle("émile"))),
        read!("find_unique_missing_is_null", "prisma.maker.findUnique({ where: { id: 999 } })",
            |db| db.maker().find_unique(maker::id(999))),
        read!("find_unique_with_extra_filter", "prisma.maker.findUnique({ where: { id: 1, tier: 'FREE' } })",
            |db| db.maker().find_unique(maker::id(1).and(TIER.equals(Tier::Free)))),
        read!("find_unique_or_throw_found", "prisma.maker.findUniqueOrThrow({ where: { handle: 'BOB' } })",
            |db| db.maker().find_unique_or_throw(maker::handle("BOB"))),
        read!("find_unique_or_throw_missing_p2025", "prisma.maker.findUniqueOrThrow({ where: { id: 999 } })",
            |db| db.maker().find_unique_or_throw(maker::id(999))),
        read!("find_unique_compound", "prisma.gadget.findUnique({ where: { makerId_title: { makerId: 3, title: 'kettle' } } })",
            |db| db.gadget().find_unique(gadget::maker_id_title(3, "kettle"))),
        read!("find_unique_compound_case_differs", "prisma.gadget.findUnique({ where: { makerId_title: { makerId: 3, title: 'KETTLE' } } })",
            |db| db.gadget().find_unique(gadget::maker_id_title(3, "KETTLE"))),
        read!("find_first_ordered", "prisma.maker.findFirst({ orderBy: { joinedAt: 'desc' } })",
            |db| db.maker().find_first().order_by(JOINED_AT.desc())),
        read!("find_first_filtered", "prisma.maker.findFirst({ where: { tier: 'PRO' }, orderBy: { id: 'desc' } })",
            |db| db.maker().find_first().filter(TIER.equals(Tier::Pro)).order_by(ID.desc())),
        read!("find_first_none", "prisma.maker.findFirst({ where: { name: 'nobody at all' } })",
            |db| db.maker().find_first().filter(NAME.equals("nobody at all"))),
        read!("find_first_skip", "prisma.maker.findFirst({ orderBy: { id: 'asc' }, skip: 2 })",
            |db| db.maker().find_first().order_by(ID.asc()).skip(2)),
        read!("find_first_or_throw_found", "prisma.maker.findFirstOrThrow({ where: { bio: null }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_first_or_throw().filter(BIO.is_null()).order_by(ID.asc())),
        read!("find_first_or_throw_missing_p2025", "prisma.maker.findFirstOrThrow({ where: { visits: { lt: -100 } } })",
            |db| db.maker().find_first_or_throw().filter(VISITS.lt(-100))),
        read!("count_all", "prisma.maker.count()", |db| db.maker().count()),
        read!("count_filtered", "prisma.maker.count({ where: { bio: { not: null } } })",
            |db| db.maker().count().filter(BIO.is_not_null())),
        read!("count_skip_take", "prisma.maker.count({ orderBy: { id: 'asc' }, skip: 2, take: 3 })",
            |db| db.maker().count().order_by(ID.asc()).skip(2).take(3)),
        // Strings.
        read!("string_equals", "prisma.maker.findMany({ where: { name: 'Ada' }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.equals("Ada")).order_by(ID.asc())),
        read!("string_equals_insensitive", "prisma.maker.findMany({ where: { name: { equals: 'ada', mode: 'insensitive' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.equals("ada").insensitive()).order_by(ID.asc())),
        read!("string_equals_insensitive_unicode", "prisma.maker.findMany({ where: { name: { equals: 'zoë ångström', mode: 'insensitive' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.equals("zoë ångström").insensitive()).order_by(ID.asc())),
        read!("string_not", "prisma.maker.findMany({ where: { name: { not: 'Ada' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.not("Ada")).order_by(ID.asc())),
        read!("string_not_insensitive", "prisma.maker.findMany({ where: { name: { not: 'ada', mode: 'insensitive' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.not("ada").insensitive()).order_by(ID.asc())),
        read!("nullable_not_skips_nulls", "prisma.maker.findMany({ where: { bio: { not: 'no gadgets' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(BIO.not("no gadgets")).order_by(ID.asc())),
        read!("string_in", "prisma.maker.findMany({ where: { name: { in: ['Ada', 'bob', 'nobody'] } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.is_in(["Ada", "bob", "nobody"])).order_by(ID.asc())),
        read!("string_in_insensitive", "prisma.maker.findMany({ where: { name: { in: ['ADA', 'BOB'], mode: 'insensitive' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.is_in(["ADA", "BOB"]).insensitive()).order_by(ID.asc())),
        read!("string_in_empty", "prisma.maker.findMany({ where: { name: { in: [] } } })",
            |db| db.maker().find_many().filter(NAME.is_in(Vec::<String>::new()))),
        read!("string_not_in", "prisma.maker.findMany({ where: { name: { notIn: ['Ada', 'bob'] } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.not_in(["Ada", "bob"])).order_by(ID.asc())),
        read!("string_not_in_insensitive", "prisma.maker.findMany({ where: { name: { notIn: ['ADA', 'BOB'], mode: 'insensitive' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.not_in(["ADA", "BOB"]).insensitive()).order_by(ID.asc())),
        read!("string_not_in_empty", "prisma.maker.count({ where: { name: { notIn: [] } } })",
            |db| db.maker().count().filter(NAME.not_in(Vec::<String>::new()))),
        read!("string_lt", "prisma.maker.findMany({ where: { name: { lt: 'M' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.lt("M")).order_by(ID.asc())),
        read!("string_lt_insensitive", "prisma.maker.findMany({ where: { name: { lt: 'm', mode: 'insensitive' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.lt("m").insensitive()).order_by(ID.asc())),
        read!("string_lte_insensitive", "prisma.maker.findMany({ where: { name: { lte: 'BOB', mode: 'insensitive' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.lte("BOB").insensitive()).order_by(ID.asc())),
        read!("string_gt_insensitive", "prisma.maker.findMany({ where: { name: { gt: 'BOB', mode: 'insensitive' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.gt("BOB").insensitive()).order_by(ID.asc())),
        read!("string_gte_insensitive", "prisma.maker.findMany({ where: { handle: { gte: 'PCT', mode: 'insensitive' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(HANDLE.gte("PCT").insensitive()).order_by(ID.asc())),
        read!("string_gte", "prisma.maker.findMany({ where: { handle: { gte: 'pct' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(HANDLE.gte("pct")).order_by(ID.asc())),
        read!("string_contains", "prisma.maker.findMany({ where: { name: { contains: 'o' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.contains("o")).order_by(ID.asc())),
        read!("string_contains_insensitive", "prisma.maker.findMany({ where: { name: { contains: 'A', mode: 'insensitive' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.contains("A").insensitive()).order_by(ID.asc())),
        read!("string_contains_unicode", "prisma.maker.findMany({ where: { bio: { contains: '日本' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(BIO.contains("日本")).order_by(ID.asc())),
        read!("string_starts_with", "prisma.maker.findMany({ where: { name: { startsWith: 'A' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.starts_with("A")).order_by(ID.asc())),
        read!("string_starts_with_insensitive", "prisma.maker.findMany({ where: { name: { startsWith: 'a', mode: 'insensitive' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.starts_with("a").insensitive()).order_by(ID.asc())),
        read!("string_ends_with", "prisma.maker.findMany({ where: { name: { endsWith: 'e' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.ends_with("e")).order_by(ID.asc())),
        read!("string_ends_with_insensitive", "prisma.maker.findMany({ where: { name: { endsWith: 'OFF', mode: 'insensitive' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.ends_with("OFF").insensitive()).order_by(ID.asc())),
        read!("contains_underscore_is_literal", "prisma.maker.findMany({ where: { handle: { contains: '_' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(HANDLE.contains("_")).order_by(ID.asc())),
        read!("contains_percent_is_literal", "prisma.gadget.findMany({ where: { title: { contains: '%' } }, orderBy: { id: 'asc' } })",
            |db| db.gadget().find_many().filter(gadget::TITLE.contains("%")).order_by(gadget::ID.asc())),
        read!("contains_backslash_is_literal", "prisma.maker.findMany({ where: { bio: { contains: '\\\\' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(BIO.contains("\\")).order_by(ID.asc())),
        read!("starts_with_percent_prefix", "prisma.maker.findMany({ where: { name: { startsWith: '50%' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NAME.starts_with("50%")).order_by(ID.asc())),
        read!("empty_string_equals", "prisma.maker.findMany({ where: { bio: '' } })",
            |db| db.maker().find_many().filter(BIO.equals(""))),
        // NULLs.
        read!("null_equals", "prisma.maker.findMany({ where: { bio: null }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(BIO.is_null()).order_by(ID.asc())),
        read!("null_not", "prisma.maker.findMany({ where: { bio: { not: null } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(BIO.is_not_null()).order_by(ID.asc())),
        read!("null_equals_opt", "prisma.maker.findMany({ where: { rating: { equals: null } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(RATING.equals_opt(None)).order_by(ID.asc())),
        // Numbers, Decimal, BigInt, DateTime, enums, Bytes.
        read!("float_gt", "prisma.maker.findMany({ where: { rating: { gt: 3 } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(RATING.gt(3.0)).order_by(ID.asc())),
        read!("float_gte", "prisma.maker.findMany({ where: { rating: { gte: 4.5 } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(RATING.gte(4.5)).order_by(ID.asc())),
        read!("float_lt", "prisma.maker.findMany({ where: { rating: { lt: 3 } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(RATING.lt(3.0)).order_by(ID.asc())),
        read!("float_lte", "prisma.maker.findMany({ where: { rating: { lte: 2.5 } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(RATING.lte(2.5)).order_by(ID.asc())),
        read!("float_in", "prisma.maker.findMany({ where: { rating: { in: [4.5, 5] } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(RATING.is_in([4.5, 5.0])).order_by(ID.asc())),
        read!("float_not_in_skips_nulls", "prisma.maker.findMany({ where: { rating: { notIn: [4.5] } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(RATING.not_in([4.5])).order_by(ID.asc())),
        read!("int_range", "prisma.gadget.findMany({ where: { stock: { gte: 1, lt: 10 } }, orderBy: { id: 'asc' } })",
            |db| db.gadget().find_many().filter(Filter::and([gadget::STOCK.gte(1), gadget::STOCK.lt(10)])).order_by(gadget::ID.asc())),
        read!("decimal_gt", "prisma.maker.findMany({ where: { balance: { gt: '1000' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(BALANCE.gt(dec("1000"))).order_by(ID.asc())),
        read!("decimal_equals", "prisma.maker.findMany({ where: { balance: 1250.5 }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(BALANCE.equals(dec("1250.5"))).order_by(ID.asc())),
        read!("decimal_lte_zero", "prisma.maker.findMany({ where: { balance: { lte: 0 } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(BALANCE.lte(dec("0"))).order_by(ID.asc())),
        read!("decimal_nullable_null", "prisma.gadget.findMany({ where: { price: null }, orderBy: { id: 'asc' } })",
            |db| db.gadget().find_many().filter(gadget::PRICE.is_null()).order_by(gadget::ID.asc())),
        read!("bigint_gt", "prisma.maker.findMany({ where: { visits: { gt: 100n } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(VISITS.gt(100)).order_by(ID.asc())),
        read!("bigint_beyond_2_53", "prisma.maker.findMany({ where: { visits: 9007199254740993n } })",
            |db| db.maker().find_many().filter(VISITS.equals(9_007_199_254_740_993_i64))),
        read!("datetime_lt", "prisma.maker.findMany({ where: { joinedAt: { lt: new Date('2021-01-01T00:00:00Z') } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(JOINED_AT.lt(at("2021-01-01T00:00:00Z"))).order_by(ID.asc())),
        read!("datetime_equals_millis", "prisma.maker.findMany({ where: { joinedAt: new Date('2021-03-04T05:06:07.891Z') }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(JOINED_AT.equals(at("2021-03-04T05:06:07.891Z"))).order_by(ID.asc())),
        read!("date_only_gte", "prisma.gadget.findMany({ where: { releasedOn: { gte: new Date('2022-01-01T00:00:00Z') } }, orderBy: { id: 'asc' } })",
            |db| db.gadget().find_many().filter(gadget::RELEASED_ON.gte(at("2022-01-01T00:00:00Z"))).order_by(gadget::ID.asc())),
        read!("enum_equals", "prisma.maker.findMany({ where: { tier: 'PRO' }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(TIER.equals(Tier::Pro)).order_by(ID.asc())),
        read!("enum_in", "prisma.maker.findMany({ where: { tier: { in: ['FREE', 'ENTERPRISE'] } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(TIER.is_in([Tier::Free, Tier::Enterprise])).order_by(ID.asc())),
        read!("enum_not", "prisma.gadget.findMany({ where: { status: { not: 'LIVE' } }, orderBy: { id: 'asc' } })",
            |db| db.gadget().find_many().filter(gadget::STATUS.not(Status::Live)).order_by(gadget::ID.asc())),
        read!("bytes_equals", "prisma.maker.findMany({ where: { avatar: Uint8Array.from([0x41]) } })",
            |db| db.maker().find_many().filter(AVATAR.equals(vec![0x41u8]))),
        // Scalar lists.
        read!("list_has", "prisma.maker.findMany({ where: { nicknames: { has: 'Ada' } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NICKNAMES.has("Ada")).order_by(ID.asc())),
        read!("list_has_every", "prisma.maker.findMany({ where: { nicknames: { hasEvery: ['Countess', 'Ada'] } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NICKNAMES.has_every(["Countess".to_string(), "Ada".to_string()])).order_by(ID.asc())),
        read!("list_has_some", "prisma.maker.findMany({ where: { nicknames: { hasSome: ['Zo', 'x_y'] } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NICKNAMES.has_some(["Zo".to_string(), "x_y".to_string()])).order_by(ID.asc())),
        read!("list_is_empty", "prisma.maker.findMany({ where: { nicknames: { isEmpty: true } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(NICKNAMES.is_empty(true)).order_by(ID.asc())),
        read!("list_is_not_empty", "prisma.maker.findMany({ where: { luckyNumbers: { isEmpty: false } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(LUCKY_NUMBERS.is_empty(false)).order_by(ID.asc())),
        read!("list_equals", "prisma.maker.findMany({ where: { luckyNumbers: { equals: [7, 13] } } })",
            |db| db.maker().find_many().filter(LUCKY_NUMBERS.equals([7, 13]))),
        read!("int_list_has", "prisma.gadget.findMany({ where: { sizes: { has: 2 } }, orderBy: { id: 'asc' } })",
            |db| db.gadget().find_many().filter(gadget::SIZES.has(2)).order_by(gadget::ID.asc())),
        // AND / OR / NOT.
        read!("and", "prisma.maker.findMany({ where: { AND: [{ tier: 'PRO' }, { rating: { gte: 4.5 } }] }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(Filter::and([TIER.equals(Tier::Pro), RATING.gte(4.5)])).order_by(ID.asc())),
        read!("implicit_and", "prisma.maker.findMany({ where: { tier: 'PRO', rating: 4.5 }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(TIER.equals(Tier::Pro).and_also(RATING.equals(4.5))).order_by(ID.asc())),
        read!("or", "prisma.maker.findMany({ where: { OR: [{ bio: null }, { name: { contains: 'off' } }] }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(Filter::or([BIO.is_null(), NAME.contains("off")])).order_by(ID.asc())),
        read!("not", "prisma.maker.findMany({ where: { NOT: [{ tier: 'FREE' }] }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(Filter::not([TIER.equals(Tier::Free)])).order_by(ID.asc())),
        read!("not_of_two_is_neither", "prisma.maker.findMany({ where: { NOT: [{ tier: 'FREE' }, { bio: null }] }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(Filter::not([TIER.equals(Tier::Free), BIO.is_null()])).order_by(ID.asc())),
        read!("not_or_nested", "prisma.maker.findMany({ where: { NOT: { OR: [{ tier: 'FREE' }, { rating: { lt: 4 } }] } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(Filter::not([Filter::or([TIER.equals(Tier::Free), RATING.lt(4.0)])])).order_by(ID.asc())),
        read!("and_empty_is_all", "prisma.maker.count({ where: { AND: [] } })",
            |db| db.maker().count().filter(Filter::and([]))),
        read!("or_empty_is_none", "prisma.maker.count({ where: { OR: [] } })",
            |db| db.maker().count().filter(Filter::or([]))),
        read!("not_empty_is_all", "prisma.maker.count({ where: { NOT: [] } })",
            |db| db.maker().count().filter(Filter::not([]))),
        // Orderings.
        read!("order_string_asc", "prisma.maker.findMany({ orderBy: [{ name: 'asc' }, { id: 'asc' }] })",
            |db| db.maker().find_many().order_by(NAME.asc()).order_by(ID.asc())),
        read!("order_string_desc", "prisma.maker.findMany({ orderBy: { handle: 'desc' } })",
            |db| db.maker().find_many().order_by(HANDLE.desc())),
        read!("order_nullable_asc", "prisma.maker.findMany({ orderBy: [{ rating: 'asc' }, { id: 'asc' }] })",
            |db| db.maker().find_many().order_by(RATING.asc()).order_by(ID.asc())),
        read!("order_nullable_desc", "prisma.maker.findMany({ orderBy: [{ rating: 'desc' }, { id: 'asc' }] })",
            |db| db.maker().find_many().order_by(RATING.desc()).order_by(ID.asc())),
        read!("order_asc_nulls_first", "prisma.maker.findMany({ orderBy: [{ rating: { sort: 'asc', nulls: 'first' } }, { id: 'asc' }] })",
            |db| db.maker().find_many().order_by(RATING.asc().nulls_first()).order_by(ID.asc())),
        read!("order_desc_nulls_last", "prisma.maker.findMany({ orderBy: [{ rating: { sort: 'desc', nulls: 'last' } }, { id: 'asc' }] })",
            |db| db.maker().find_many().order_by(RATING.desc().nulls_last()).order_by(ID.asc())),
        read!("order_several", "prisma.maker.findMany({ orderBy: [{ tier: 'asc' }, { joinedAt: 'desc' }, { id: 'asc' }] })",
            |db| db.maker().find_many().order_by(TIER.asc()).order_by(JOINED_AT.desc()).order_by(ID.asc())),
        read!("order_decimal_desc", "prisma.gadget.findMany({ orderBy: [{ price: { sort: 'desc', nulls: 'last' } }, { id: 'asc' }], select: { id: true, price: true } })",
            |db| async { db.gadget().find_many().order_by(gadget::PRICE.desc().nulls_last()).order_by(gadget::ID.asc())
                .select::<(i32, Option<Decimal>)>((gadget::ID, gadget::PRICE)).await.map(|rows| objects(&["id", "price"], rows)) }),
        // Pagination.
        read!("skip_take", "prisma.maker.findMany({ orderBy: { id: 'asc' }, skip: 2, take: 3 })",
            |db| db.maker().find_many().order_by(ID.asc()).skip(2).take(3)),
        read!("take_negative", "prisma.maker.findMany({ orderBy: { id: 'asc' }, take: -3 })",
            |db| db.maker().find_many().order_by(ID.asc()).take(-3)),
        read!("skip_take_negative", "prisma.maker.findMany({ orderBy: { name: 'asc' }, skip: 1, take: -2 })",
            |db| db.maker().find_many().order_by(NAME.asc()).skip(1).take(-2)),
        read!("take_zero", "prisma.maker.findMany({ take: 0 })",
            |db| db.maker().find_many().take(0)),
        read!("cursor", "prisma.maker.findMany({ cursor: { id: 3 }, orderBy: { id: 'asc' }, take: 2 })",
            |db| db.maker().find_many().cursor(maker::id(3)).order_by(ID.asc()).take(2)),
        read!("cursor_skip", "prisma.maker.findMany({ cursor: { id: 3 }, orderBy: { id: 'asc' }, skip: 1, take: 2 })",
            |db| db.maker().find_many().cursor(maker::id(3)).order_by(ID.asc()).skip(1).take(2)),
        read!("cursor_take_negative", "prisma.maker.findMany({ cursor: { id: 5 }, orderBy: { id: 'asc' }, take: -2 })",
            |db| db.maker().find_many().cursor(maker::id(5)).order_by(ID.asc()).take(-2)),
        read!("cursor_on_null_order_value", "prisma.maker.findMany({ cursor: { id: 2 }, orderBy: { rating: 'asc' }, take: 10 })",
            |db| db.maker().find_many().cursor(maker::id(2)).order_by(RATING.asc()).take(10)),
        read!("cursor_on_null_then_id", "prisma.maker.findMany({ cursor: { id: 2 }, orderBy: [{ bio: 'asc' }, { id: 'asc' }], take: 10 })",
            |db| db.maker().find_many().cursor(maker::id(2)).order_by(BIO.asc()).order_by(ID.asc()).take(10)),
        read!("cursor_on_null_desc", "prisma.maker.findMany({ cursor: { id: 8 }, orderBy: [{ rating: 'desc' }, { id: 'asc' }], take: 4 })",
            |db| db.maker().find_many().cursor(maker::id(8)).order_by(RATING.desc()).order_by(ID.asc()).take(4)),
        read!("cursor_on_value_before_nulls", "prisma.maker.findMany({ cursor: { id: 4 }, orderBy: [{ rating: 'asc' }, { id: 'asc' }] })",
            |db| db.maker().find_many().cursor(maker::id(4)).order_by(RATING.asc()).order_by(ID.asc())),
        read!("cursor_missing_row", "prisma.maker.findMany({ cursor: { id: 999 }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().cursor(maker::id(999)).order_by(ID.asc())),
        read!("cursor_unique_other_field", "prisma.maker.findMany({ cursor: { handle: 'pct' }, orderBy: { handle: 'asc' }, take: 3 })",
            |db| db.maker().find_many().cursor(maker::handle("pct")).order_by(HANDLE.asc()).take(3)),
        // Distinct, select, omit.
        read!("distinct", "prisma.maker.findMany({ distinct: ['tier'], orderBy: [{ tier: 'asc' }, { id: 'asc' }] })",
            |db| db.maker().find_many().distinct([TIER]).order_by(TIER.asc()).order_by(ID.asc())),
        read!("distinct_nullable_by_id", "prisma.maker.findMany({ distinct: ['rating'], orderBy: { id: 'desc' } })",
            |db| db.maker().find_many().distinct([RATING]).order_by(ID.desc())),
        read!("select_fields", "prisma.maker.findMany({ select: { id: true, handle: true, visits: true }, orderBy: { id: 'asc' } })",
            |db| async { db.maker().find_many().select::<(i32, String, i64)>((ID, HANDLE, VISITS)).order_by(ID.asc()).await
                .map(|rows| objects(&["id", "handle", "visits"], rows)) }),
        read!("select_unique", "prisma.maker.findUnique({ where: { id: 4 }, select: { avatar: true, balance: true } })",
            |db| async { db.maker().find_unique(maker::id(4)).select::<(Option<Vec<u8>>, Decimal)>((AVATAR, BALANCE)).await
                .map(|row| objects(&["avatar", "balance"], row.into_iter().collect()).pop()) }),
        read!("omit_fields", "prisma.maker.findMany({ omit: { bio: true, avatar: true }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().omit((BIO, AVATAR)).order_by(ID.asc())),
        read!("omit_unique", "prisma.gadget.findUnique({ where: { sku: 'AE-1' }, omit: { specs: true } })",
            |db| db.gadget().find_unique(gadget::sku("AE-1")).omit([gadget::SPECS])),
        read!("omit_first", "prisma.gadget.findFirst({ where: { price: null }, omit: { price: true, colors: true } })",
            |db| db.gadget().find_first().filter(gadget::PRICE.is_null()).omit((gadget::PRICE, gadget::COLORS))),
        // Json.
        read!("json_equals_object_path", "prisma.gadget.findMany({ where: { specs: { path: ['color'], equals: 'brass' } }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.path(["color"]).equals(json!("brass"))).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_path_nested_gt", "prisma.gadget.findMany({ where: { specs: { path: ['dims', 'w'], gt: 5 } }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.path(["dims", "w"]).gt(json!(5))).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_path_not", "prisma.gadget.findMany({ where: { specs: { path: ['color'], not: 'brass' } }, orderBy: { id: 'asc' }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.path(["color"]).not(json!("brass"))).order_by(gadget::ID.asc()).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_path_string_contains", "prisma.gadget.findMany({ where: { specs: { path: ['color'], string_contains: 'red' } }, orderBy: { id: 'asc' }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.path(["color"]).string_contains("red")).order_by(gadget::ID.asc()).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_path_string_starts_with", "prisma.gadget.findMany({ where: { specs: { path: ['color'], string_starts_with: 'Re' } }, orderBy: { id: 'asc' }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.path(["color"]).string_starts_with("Re")).order_by(gadget::ID.asc()).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_path_string_ends_with", "prisma.gadget.findMany({ where: { specs: { path: ['color'], string_ends_with: '_ish' } }, orderBy: { id: 'asc' }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.path(["color"]).string_ends_with("_ish")).order_by(gadget::ID.asc()).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_root_string_contains", "prisma.gadget.findMany({ where: { specs: { string_contains: 'plain' } }, orderBy: { id: 'asc' }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.string_contains("plain")).order_by(gadget::ID.asc()).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_root_array_contains", "prisma.gadget.findMany({ where: { specs: { array_contains: ['red'] } }, orderBy: { id: 'asc' }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.array_contains(json!(["red"]))).order_by(gadget::ID.asc()).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_path_array_contains", "prisma.gadget.findMany({ where: { specs: { path: ['tags'], array_contains: ['steam'] } }, orderBy: { id: 'asc' }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.path(["tags"]).array_contains(json!(["steam"]))).order_by(gadget::ID.asc()).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_deep_path_array_contains", "prisma.gadget.findMany({ where: { specs: { path: ['nested', 'deep', 'deeper'], array_contains: [{ x: 'y' }] } }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.path(["nested", "deep", "deeper"]).array_contains(json!([{"x": "y"}]))).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_root_array_starts_with", "prisma.gadget.findMany({ where: { specs: { array_starts_with: 1 } }, orderBy: { id: 'asc' }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.array_starts_with(json!(1))).order_by(gadget::ID.asc()).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_root_array_ends_with", "prisma.gadget.findMany({ where: { specs: { array_ends_with: 'blue' } }, orderBy: { id: 'asc' }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.array_ends_with(json!("blue"))).order_by(gadget::ID.asc()).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_path_array_ends_with", "prisma.gadget.findMany({ where: { specs: { path: ['tags'], array_ends_with: 'gear' } }, orderBy: { id: 'asc' }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.path(["tags"]).array_ends_with(json!("gear"))).order_by(gadget::ID.asc()).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_equals_array", "prisma.gadget.findMany({ where: { specs: { equals: [1, 2, 3] } }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.equals(json!([1, 2, 3]))).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_equals_number", "prisma.gadget.findMany({ where: { specs: { equals: 42 } }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.equals(json!(42))).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_equals_string", "prisma.gadget.findMany({ where: { specs: { equals: 'plain string' } }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.equals(json!("plain string"))).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_equals_bool", "prisma.gadget.findMany({ where: { specs: { equals: true } }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.equals(json!(true))).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_equals_object", "prisma.gadget.findMany({ where: { specs: { equals: { tags: [], color: 'red_ish' } } }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.equals(json!({"color": "red_ish", "tags": []}))).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_json_null", "prisma.gadget.findMany({ where: { specs: { equals: Prisma.JsonNull } }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.equals(Value::Null)).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_db_null", "prisma.gadget.findMany({ where: { specs: { equals: Prisma.DbNull } }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::SPECS.is_null()).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("json_values_of_every_shape", "prisma.gadget.findMany({ orderBy: { id: 'asc' }, select: { id: true, specs: true } })",
            |db| async { db.gadget().find_many().order_by(gadget::ID.asc()).select::<(i32, Option<Value>)>((gadget::ID, gadget::SPECS)).await.map(|r| objects(&["id", "specs"], r)) }),
    ]
}

/// Includes (nested, per-level arguments, `_count`), relation filters and orderings.
#[rustfmt::skip]
fn relation_reads() -> Vec<Scenario> {
    use maker::*;
    vec![
        read!("include_to_many", "prisma.maker.findMany({ include: { gadgets: { orderBy: { id: 'asc' } } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().include(GADGETS.order_by(gadget::ID.asc())).order_by(ID.asc())),
        read!("include_optional_to_one", "prisma.maker.findMany({ include: { badge: true }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().include(BADGE).order_by(ID.asc())),
        read!("include_required_to_one", "prisma.gadget.findMany({ include: { maker: true }, orderBy: { id: 'asc' } })",
            |db| db.gadget().find_many().include(gadget::MAKER).order_by(gadget::ID.asc())),
        read!("include_self_relation_both_ways", "prisma.maker.findMany({ include: { mentor: true, mentees: { orderBy: { id: 'asc' } } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().include(MENTOR).include(MENTEES.order_by(ID.asc())).order_by(ID.asc())),
        read!("include_many_to_many", "prisma.label.findMany({ include: { gadgets: { orderBy: { id: 'asc' } } }, orderBy: { id: 'asc' } })",
            |db| db.label().find_many().include(label::GADGETS.order_by(gadget::ID.asc())).order_by(label::ID.asc())),
        read!("include_optional_parent_null", "prisma.part.findMany({ include: { gadget: true }, orderBy: { id: 'asc' } })",
            |db| db.part().find_many().include(part::GADGET).order_by(part::ID.asc())),
        read!("include_filter_order_take", "prisma.maker.findMany({ include: { gadgets: { where: { stock: { gt: 0 } }, orderBy: { price: 'desc' }, take: 1 } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().include(GADGETS.filter(gadget::STOCK.gt(0)).order_by(gadget::PRICE.desc()).take(1)).order_by(ID.asc())),
        read!("include_skip", "prisma.maker.findUnique({ where: { id: 3 }, include: { gadgets: { orderBy: { id: 'asc' }, skip: 1 } } })",
            |db| db.maker().find_unique(maker::id(3)).include(GADGETS.order_by(gadget::ID.asc()).skip(1))),
        read!("include_nested", "prisma.maker.findMany({ where: { id: { in: [1, 3] } }, include: { gadgets: { orderBy: { id: 'asc' }, include: { labels: { orderBy: { name: 'asc' } }, parts: { orderBy: { id: 'asc' } } } } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(ID.is_in([1, 3])).include(GADGETS.order_by(gadget::ID.asc())
                .include(gadget::LABELS.order_by(label::NAME.asc())).include(gadget::PARTS.order_by(part::ID.asc()))).order_by(ID.asc())),
        read!("include_three_levels", "prisma.part.findFirst({ where: { id: 6 }, include: { gadget: { include: { maker: { include: { badge: true } } } } } })",
            |db| db.part().find_first().filter(part::ID.equals(6)).include(part::GADGET.include(gadget::MAKER.include(BADGE)))),
        read!("include_count", "prisma.maker.findMany({ include: { _count: true }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().include_count().order_by(ID.asc())),
        read!("include_count_where", "prisma.maker.findMany({ include: { _count: { select: { mentees: true, gadgets: { where: { status: 'LIVE' } } } } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().include_count_where([GADGETS.count_where(gadget::STATUS.equals(Status::Live))]).order_by(ID.asc())),
        read!("include_nested_count", "prisma.maker.findUnique({ where: { id: 1 }, include: { gadgets: { orderBy: { id: 'asc' }, include: { _count: true } } } })",
            |db| db.maker().find_unique(maker::id(1)).include(GADGETS.order_by(gadget::ID.asc()).include_count())),
        read!("include_on_find_unique_missing", "prisma.maker.findUnique({ where: { id: 999 }, include: { gadgets: true } })",
            |db| db.maker().find_unique(maker::id(999)).include(GADGETS)),
        // Relation filters.
        read!("relation_some", "prisma.maker.findMany({ where: { gadgets: { some: { stock: { gt: 5 } } } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(GADGETS.some(gadget::STOCK.gt(5))).order_by(ID.asc())),
        read!("relation_every_vacuous", "prisma.maker.findMany({ where: { gadgets: { every: { status: 'LIVE' } } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(GADGETS.every(gadget::STATUS.equals(Status::Live))).order_by(ID.asc())),
        read!("relation_none_empty", "prisma.maker.findMany({ where: { gadgets: { none: {} } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(GADGETS.none(Filter::all())).order_by(ID.asc())),
        read!("relation_some_empty_filter", "prisma.label.findMany({ where: { gadgets: { some: {} } }, orderBy: { id: 'asc' } })",
            |db| db.label().find_many().filter(label::GADGETS.some(Filter::all())).order_by(label::ID.asc())),
        read!("relation_is", "prisma.gadget.findMany({ where: { maker: { is: { tier: 'PRO' } } }, orderBy: { id: 'asc' } })",
            |db| db.gadget().find_many().filter(gadget::MAKER.is(TIER.equals(Tier::Pro))).order_by(gadget::ID.asc())),
        read!("relation_is_not", "prisma.gadget.findMany({ where: { maker: { isNot: { tier: 'PRO' } } }, orderBy: { id: 'asc' } })",
            |db| db.gadget().find_many().filter(gadget::MAKER.is_not(TIER.equals(Tier::Pro))).order_by(gadget::ID.asc())),
        read!("relation_optional_is_null", "prisma.maker.findMany({ where: { badge: { is: null } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(BADGE.is_null()).order_by(ID.asc())),
        read!("relation_optional_is_not_null", "prisma.maker.findMany({ where: { badge: { isNot: null } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(BADGE.is_not_null()).order_by(ID.asc())),
        read!("relation_owned_optional_null", "prisma.part.findMany({ where: { gadget: null }, orderBy: { id: 'asc' } })",
            |db| db.part().find_many().filter(part::GADGET.is_null()).order_by(part::ID.asc())),
        read!("relation_self_is", "prisma.maker.findMany({ where: { mentor: { is: { handle: 'ada' } } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(MENTOR.is(HANDLE.equals("ada"))).order_by(ID.asc())),
        read!("relation_self_is_not_includes_orphans", "prisma.maker.findMany({ where: { mentor: { isNot: { handle: 'ada' } } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(MENTOR.is_not(HANDLE.equals("ada"))).order_by(ID.asc())),
        read!("relation_nested_some", "prisma.maker.findMany({ where: { gadgets: { some: { labels: { some: { name: 'gift' } } } } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(GADGETS.some(gadget::LABELS.some(label::NAME.equals("gift")))).order_by(ID.asc())),
        read!("relation_many_to_many_none", "prisma.gadget.findMany({ where: { labels: { none: { name: { startsWith: 'k', mode: 'insensitive' } } } }, orderBy: { id: 'asc' }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::LABELS.none(label::NAME.starts_with("k").insensitive())).order_by(gadget::ID.asc()).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("relation_every_with_or", "prisma.maker.findMany({ where: { mentees: { every: { OR: [{ tier: 'PRO' }, { bio: null }] } } }, orderBy: { id: 'asc' } })",
            |db| db.maker().find_many().filter(MENTEES.every(Filter::or([TIER.equals(Tier::Pro), BIO.is_null()]))).order_by(ID.asc())),
        read!("relation_many_to_many_every", "prisma.gadget.findMany({ where: { labels: { every: { name: { not: 'gift' } } } }, orderBy: { id: 'asc' }, select: { id: true } })",
            |db| async { db.gadget().find_many().filter(gadget::LABELS.every(label::NAME.not("gift"))).order_by(gadget::ID.asc()).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("relation_filter_and_count", "prisma.maker.count({ where: { gadgets: { some: { colors: { has: 'red' } } } } })",
            |db| db.maker().count().filter(GADGETS.some(gadget::COLORS.has("red")))),
        // Orderings through relations.
        read!("order_by_relation_field", "prisma.gadget.findMany({ orderBy: [{ maker: { name: 'asc' } }, { id: 'asc' }], select: { id: true } })",
            |db| async { db.gadget().find_many().order_by(gadget::MAKER.by(NAME.asc())).order_by(gadget::ID.asc()).select::<(i32,)>([gadget::ID]).await.map(|r| objects(&["id"], r)) }),
        read!("order_by_optional_relation_field", "prisma.maker.findMany({ orderBy: [{ mentor: { handle: 'desc' } }, { id: 'asc' }], select: { id: true } })",
            |db| async { db.maker().find_many().order_by(MENTOR.by(HANDLE.desc())).order_by(ID.asc()).select::<(i32,)>([ID]).await.map(|r| objects(&["id"], r)) }),
        read!("order_by_relation_count_desc", "prisma.maker.findMany({ orderBy: [{ gadgets: { _count: 'desc' } }, { id: 'asc' }], select: { id: true } })",
            |db| async { db.maker().find_many().order_by(GADGETS.count_desc()).order_by(ID.asc()).select::<(i32,)>([ID]).await.map(|r| objects(&["id"], r)) }),
        read!("order_by_many_to_many_count", "prisma.label.findMany({ orderBy: [{ gadgets: { _count: 'asc' } }, { name: 'asc' }] })",
            |db| db.label().find_many().order_by(label::GADGETS.count_asc()).order_by(label::NAME.asc())),
    ]
}

/// `aggregate` and `groupBy`, results shaped as Prisma's.
#[rustfmt::skip]
fn aggregates() -> Vec<Scenario> {
    use conformance_client::runtime::count_all;
    use maker::*;
    vec![
        read!("aggregate_everything", "prisma.maker.aggregate({ _count: { _all: true }, _avg: { rating: true }, _sum: { balance: true, visits: true }, _min: { joinedAt: true }, _max: { name: true } })",
            |db| async { db.maker().aggregate((count_all(), RATING.avg(), BALANCE.sum(), VISITS.sum(), JOINED_AT.min(), NAME.max())).await }),
        read!("aggregate_of_nothing", "prisma.maker.aggregate({ where: { id: { lt: 0 } }, _count: { _all: true }, _avg: { rating: true }, _sum: { visits: true }, _min: { balance: true } })",
            |db| async { db.maker().aggregate((count_all(), RATING.avg(), VISITS.sum(), BALANCE.min())).filter(ID.lt(0)).await }),
        read!("aggregate_count_fields", "prisma.maker.aggregate({ _count: { _all: true, bio: true, rating: true } })",
            |db| async { db.maker().aggregate((count_all(), BIO.count(), RATING.count())).await }),
        read!("aggregate_take_ordered", "prisma.gadget.aggregate({ orderBy: { id: 'asc' }, take: 3, _sum: { stock: true }, _max: { weight: true } })",
            |db| async { db.gadget().aggregate((gadget::STOCK.sum(), gadget::WEIGHT.max())).order_by(gadget::ID.asc()).take(3).await }),
        read!("aggregate_decimal", "prisma.gadget.aggregate({ _avg: { price: true }, _sum: { price: true }, _min: { price: true }, _max: { releasedOn: true } })",
            |db| async { db.gadget().aggregate((gadget::PRICE.avg(), gadget::PRICE.sum(), gadget::PRICE.min(), gadget::RELEASED_ON.max())).await }),
        read!("aggregate_int_avg", "prisma.gadget.aggregate({ where: { status: 'LIVE' }, _avg: { stock: true, weight: true } })",
            |db| async { db.gadget().aggregate((gadget::STOCK.avg(), gadget::WEIGHT.avg())).filter(gadget::STATUS.equals(Status::Live)).await }),
        read!("group_by_enum", "prisma.maker.groupBy({ by: ['tier'], _count: { _all: true }, _avg: { rating: true }, orderBy: { tier: 'asc' } })",
            |db| async { db.maker().group_by(TIER).aggregate((count_all(), RATING.avg())).order_by(TIER.asc()).await }),
        read!("group_by_two_keys", "prisma.gadget.groupBy({ by: ['status', 'makerId'], _sum: { stock: true }, orderBy: [{ status: 'asc' }, { makerId: 'asc' }] })",
            |db| async { db.gadget().group_by((gadget::STATUS, gadget::MAKER_ID)).aggregate((gadget::STOCK.sum(),)).order_by(gadget::STATUS.asc()).order_by(gadget::MAKER_ID.asc()).await }),
        read!("group_by_having_avg", "prisma.maker.groupBy({ by: ['tier'], _avg: { rating: true }, having: { rating: { _avg: { gt: 3 } } }, orderBy: { tier: 'asc' } })",
            |db| async { db.maker().group_by(TIER).aggregate((RATING.avg(),)).having(RATING.avg().gt(3.0)).order_by(TIER.asc()).await }),
        read!("group_by_where_having_sum", "prisma.gadget.groupBy({ by: ['makerId'], where: { status: { not: 'RETIRED' } }, _sum: { stock: true }, having: { stock: { _sum: { gt: 5 } } }, orderBy: { makerId: 'asc' } })",
            |db| async { db.gadget().group_by(gadget::MAKER_ID).aggregate((gadget::STOCK.sum(),)).filter(gadget::STATUS.not(Status::Retired)).having(gadget::STOCK.sum().gt(5)).order_by(gadget::MAKER_ID.asc()).await }),
        read!("group_by_nullable_key", "prisma.maker.groupBy({ by: ['rating'], _count: { _all: true }, orderBy: { rating: { sort: 'asc', nulls: 'first' } } })",
            |db| async { db.maker().group_by(RATING).aggregate((count_all(),)).order_by(RATING.asc().nulls_first()).await }),
        read!("group_by_order_by_count", "prisma.gadget.groupBy({ by: ['makerId'], _count: { _all: true }, orderBy: [{ _count: { id: 'desc' } }, { makerId: 'asc' }], take: 3 })",
            |db| async { db.gadget().group_by(gadget::MAKER_ID).aggregate((count_all(),)).order_by(count_all::<gadget::Gadget>().desc()).order_by(gadget::MAKER_ID.asc()).take(3).await }),
        read!("group_by_skip_min_max", "prisma.gadget.groupBy({ by: ['status'], _min: { price: true }, _max: { title: true }, orderBy: { status: 'desc' }, skip: 1 })",
            |db| async { db.gadget().group_by(gadget::STATUS).aggregate((gadget::PRICE.min(), gadget::TITLE.max())).order_by(gadget::STATUS.desc()).skip(1).await }),
    ]
}

/// Writes: every write operation, nested writes, and the errors they raise.
#[rustfmt::skip]
fn writes() -> Vec<Scenario> {
    use conformance_client::runtime::Assign;
    use maker::*;
    vec![
        write!("create", ["Maker"], "prisma.maker.create({ data: { handle: 'new', name: 'Névé', joinedAt: new Date('2020-05-05T05:05:05.555Z'), nicknames: [], luckyNumbers: [] } })",
            |db| db.maker().create(maker::Create { handle: "new".into(), name: "Névé".into(), joined_at: at("2020-05-05T05:05:05.555Z") })),
        write!("create_select", ["Label"], "prisma.label.create({ data: { name: 'selected' }, select: { id: true, name: true } })",
            |db| async { db.label().create(label::Create { name: "selected".into() }).select::<(i32, String)>((label::ID, label::NAME)).await.map(|row| objects(&["id", "name"], vec![row]).pop()) }),
        write!("update_with_include", ["Gadget"], "prisma.gadget.update({ where: { id: 10 }, data: { title: 'Widget Ü' }, include: { maker: true, labels: true } })",
            |db| db.gadget().update(gadget::id(10), [gadget::TITLE.set("Widget Ü")]).include(gadget::MAKER).include(gadget::LABELS)),
        write!("delete_with_include", ["Maker"], "prisma.maker.delete({ where: { id: 8 }, include: { gadgets: true, badge: true } })",
            |db| db.maker().delete(maker::id(8)).include(GADGETS).include(BADGE)),
        write!("create_every_type", ["Maker"], "prisma.maker.create({ data: { handle: 'full', name: 'Full', bio: '50%_\\\\', tier: 'ENTERPRISE', rating: 1.5, balance: '12.3456', visits: 9007199254740995n, avatar: Uint8Array.from([1, 2, 255]), joinedAt: new Date('2020-05-05T05:05:05.555Z'), nicknames: ['a', 'B'], luckyNumbers: [3, 1], mentorId: 1 } })",
            |db| db.maker().create(maker::Create { handle: "full".into(), name: "Full".into(), joined_at: at("2020-05-05T05:05:05.555Z") }).set(BIO.set("50%_\\")).set(TIER.set(Tier::Enterprise))
                .set(RATING.set(1.5)).set(BALANCE.set(dec("12.3456"))).set(VISITS.set(9_007_199_254_740_995_i64)).set(AVATAR.set(vec![1u8, 2, 255]))
                .set(NICKNAMES.set(["a".to_string(), "B".to_string()])).set(LUCKY_NUMBERS.set([3, 1])).set(MENTOR_ID.set(1))),
        write!("create_json_shapes", ["Gadget"], "prisma.gadget.createMany({ data: [{ makerId: 2, title: 'j1', sku: 'J1', colors: [], sizes: [], specs: { a: [1, { b: null }] } }, { makerId: 2, title: 'j2', sku: 'J2', colors: [], sizes: [], specs: [] }, { makerId: 2, title: 'j3', sku: 'J3', colors: [], sizes: [], specs: 'text' }, { makerId: 2, title: 'j4', sku: 'J4', colors: [], sizes: [], specs: 1.5 }, { makerId: 2, title: 'j5', sku: 'J5', colors: [], sizes: [], specs: false }] })",
            |db| async { db.gadget().create_many([
                conformance_client::WriteData::set(gadget::Create { maker_id: 2, title: "j1".into(), sku: "J1".into() }, gadget::SPECS.set(json!({"a": [1, {"b": null}]}))),
                conformance_client::WriteData::set(gadget::Create { maker_id: 2, title: "j2".into(), sku: "J2".into() }, gadget::SPECS.set(json!([]))),
                conformance_client::WriteData::set(gadget::Create { maker_id: 2, title: "j3".into(), sku: "J3".into() }, gadget::SPECS.set(json!("text"))),
                conformance_client::WriteData::set(gadget::Create { maker_id: 2, title: "j4".into(), sku: "J4".into() }, gadget::SPECS.set(json!(1.5))),
                conformance_client::WriteData::set(gadget::Create { maker_id: 2, title: "j5".into(), sku: "J5".into() }, gadget::SPECS.set(json!(false))),
            ]).await.map(batch) }),
        write!("create_omitted_scalar_list", ["Maker"], "prisma.maker.create({ data: { handle: 'lists', name: 'Lists', joinedAt: new Date('2020-05-05T05:05:05.555Z') } })",
            |db| db.maker().create(maker::Create { handle: "lists".into(), name: "Lists".into(), joined_at: at("2020-05-05T05:05:05.555Z") })),
        write!("create_unique_violation_p2002", ["Maker"], "prisma.maker.create({ data: { handle: 'ada', name: 'again', joinedAt: new Date('2020-01-01T00:00:00Z') } })",
            |db| db.maker().create(maker::Create { handle: "ada".into(), name: "again".into(), joined_at: at("2020-01-01T00:00:00Z") })),
        write!("create_compound_unique_violation_p2002", ["Gadget"], "prisma.gadget.create({ data: { makerId: 3, title: 'Kettle', sku: 'NEW-1' } })",
            |db| db.gadget().create(gadget::Create { maker_id: 3, title: "Kettle".into(), sku: "NEW-1".into() })),
        write!("create_foreign_key_violation_p2003", ["Gadget"], "prisma.gadget.create({ data: { makerId: 999, title: 'orphan', sku: 'ORPHAN' } })",
            |db| db.gadget().create(gadget::Create { maker_id: 999, title: "orphan".into(), sku: "ORPHAN".into() })),
        write!("create_explicit_over_client_default", ["Part"], "prisma.part.create({ data: { name: 'bolt', ref: 'explicit-ref' } })",
            |db| db.part().create(part::Create { name: "bolt".into() }).set(part::REF.set("explicit-ref"))),
        write!("create_many", ["Label"], "prisma.label.createMany({ data: [{ name: 'new one' }, { name: 'new two' }] })",
            |db| async { db.label().create_many([label::Create { name: "new one".into() }, label::Create { name: "new two".into() }]).await.map(batch) }),
        write!("create_many_duplicate_p2002", ["Label"], "prisma.label.createMany({ data: [{ name: 'fresh' }, { name: 'gift' }] })",
            |db| async { db.label().create_many([label::Create { name: "fresh".into() }, label::Create { name: "gift".into() }]).await.map(batch) }),
        write!("create_many_skip_duplicates", ["Label"], "prisma.label.createMany({ data: [{ name: 'fresh' }, { name: 'gift' }], skipDuplicates: true })",
            |db| async { db.label().create_many([label::Create { name: "fresh".into() }, label::Create { name: "gift".into() }]).skip_duplicates().await.map(batch) }),
        write!("create_many_and_return", ["Label"], "prisma.label.createManyAndReturn({ data: [{ name: 'r1' }, { name: 'r2' }] })",
            |db| db.label().create_many([label::Create { name: "r1".into() }, label::Create { name: "r2".into() }]).and_return()),
        write!("create_many_explicit_over_client_default", ["Part"], "prisma.part.createManyAndReturn({ data: [{ name: 'a', ref: 'ref-a' }, { name: 'b', ref: 'ref-b' }] })",
            |db| db.part().create_many([conformance_client::WriteData::set(part::Create { name: "a".into() }, part::REF.set("ref-a")),
                conformance_client::WriteData::set(part::Create { name: "b".into() }, part::REF.set("ref-b"))]).and_return()),
        write!("update", ["Maker"], "prisma.maker.update({ where: { id: 2 }, data: { name: 'Robert', bio: 'now with bio', rating: null } })",
            |db| db.maker().update(maker::id(2), [NAME.set("Robert"), BIO.set("now with bio"), RATING.set_null()])),
        write!("update_arithmetic", ["Gadget"], "prisma.gadget.update({ where: { sku: 'K_1' }, data: { stock: { increment: 5 }, weight: { multiply: 2 } } })",
            |db| db.gadget().update(gadget::sku("K_1"), [gadget::STOCK.increment(5), gadget::WEIGHT.multiply(2.0)])),
        write!("update_decrement_divide", ["Gadget"], "prisma.gadget.update({ where: { id: 6 }, data: { stock: { decrement: 1 }, price: { divide: 2 } } })",
            |db| db.gadget().update(gadget::id(6), [gadget::STOCK.decrement(1), gadget::PRICE.divide(dec("2"))])),
        write!("update_list_push", ["Maker"], "prisma.maker.update({ where: { id: 1 }, data: { nicknames: { push: ['Lady'] }, luckyNumbers: { set: [] } } })",
            |db| db.maker().update(maker::id(1), [NICKNAMES.push(["Lady".to_string()]), LUCKY_NUMBERS.set(Vec::<i32>::new())])),
        write!("update_missing_p2025", ["Maker"], "prisma.maker.update({ where: { id: 999 }, data: { name: 'ghost' } })",
            |db| db.maker().update(maker::id(999), [NAME.set("ghost")])),
        write!("update_to_duplicate_p2002", ["Maker"], "prisma.maker.update({ where: { id: 2 }, data: { handle: 'ada' } })",
            |db| db.maker().update(maker::id(2), [HANDLE.set("ada")])),
        write!("update_many", ["Gadget"], "prisma.gadget.updateMany({ where: { status: 'DRAFT' }, data: { status: 'LIVE' } })",
            |db| async { db.gadget().update_many(gadget::STATUS.equals(Status::Draft), [gadget::STATUS.set(Status::Live)]).await.map(batch) }),
        write!("update_many_nothing_to_set_counts_matches", ["Gadget"], "prisma.gadget.updateMany({ where: { stock: 0 }, data: {} })",
            |db| async { db.gadget().update_many(gadget::STOCK.equals(0), Vec::<Assign<gadget::Gadget>>::new()).await.map(batch) }),
        write!("update_many_no_match", ["Gadget"], "prisma.gadget.updateMany({ where: { stock: { lt: 0 } }, data: { stock: 1 } })",
            |db| async { db.gadget().update_many(gadget::STOCK.lt(0), [gadget::STOCK.set(1)]).await.map(batch) }),
        write!("update_many_and_return", ["Maker"], "prisma.maker.updateManyAndReturn({ where: { tier: 'FREE' }, data: { visits: { increment: 10 } } })",
            |db| async { db.maker().update_many(TIER.equals(Tier::Free), [VISITS.increment(10)]).and_return().await
                .map(|mut rows| { rows.sort_by_key(|m| m.id); rows }) }),
        write!("upsert_creates", ["Label"], "prisma.label.upsert({ where: { name: 'brand new' }, create: { name: 'brand new' }, update: { name: 'never' } })",
            |db| db.label().upsert(label::name("brand new"), label::Create { name: "brand new".into() }, [label::NAME.set("never")])),
        write!("upsert_updates", ["Label"], "prisma.label.upsert({ where: { name: 'gift' }, create: { name: 'never' }, update: { name: 'present' } })",
            |db| db.label().upsert(label::name("gift"), label::Create { name: "never".into() }, [label::NAME.set("present")])),
        write!("upsert_explicit_over_client_default", ["Badge"], "prisma.badge.upsert({ where: { makerId: 2 }, create: { makerId: 2, code: 'explicit-code' }, update: {} })",
            |db| db.badge().upsert(badge::maker_id(2), conformance_client::WriteData::set(badge::Create { maker_id: 2 }, badge::CODE.set("explicit-code")), Vec::<Assign<badge::Badge>>::new())),
        write!("delete", ["Part"], "prisma.part.delete({ where: { ref: 'part-0005' } })",
            |db| db.part().delete(part::r#ref("part-0005"))),
        write!("delete_missing_p2025", ["Part"], "prisma.part.delete({ where: { id: 999 } })",
            |db| db.part().delete(part::id(999))),
        write!("delete_restricted_p2003", ["Maker", "Gadget"], "prisma.maker.delete({ where: { id: 1 } })",
            |db| db.maker().delete(maker::id(1))),
        write!("delete_cascades_and_sets_null", ["Maker", "Badge"], "prisma.maker.delete({ where: { id: 6 } })",
            |db| db.maker().delete(maker::id(6))),
        write!("delete_set_null_children", ["Gadget", "Part", "_GadgetToLabel"], "prisma.gadget.delete({ where: { id: 1 } })",
            |db| db.gadget().delete(gadget::id(1))),
        write!("delete_many", ["Part"], "prisma.part.deleteMany({ where: { gadgetId: null } })",
            |db| async { db.part().delete_many(part::GADGET_ID.is_null()).await.map(batch) }),
        write!("delete_many_relation_filter", ["Part"], "prisma.part.deleteMany({ where: { gadget: { is: { status: 'LIVE' } } } })",
            |db| async { db.part().delete_many(part::GADGET.is(gadget::STATUS.equals(Status::Live))).await.map(batch) }),
        // Nested writes.
        write!("nested_create_to_many", ["Maker", "Gadget"], "prisma.maker.create({ data: { handle: 'nest', name: 'Nest', joinedAt: new Date('2020-01-01T00:00:00Z'), nicknames: [], luckyNumbers: [], gadgets: { create: [{ title: 'n1', sku: 'N1', colors: [], sizes: [] }, { title: 'n2', sku: 'N2', stock: 4, colors: [], sizes: [] }] } }, include: { gadgets: { orderBy: { id: 'asc' } } } })",
            |db| db.maker().create(maker::Create { handle: "nest".into(), name: "Nest".into(), joined_at: at("2020-01-01T00:00:00Z") })
                .with(GADGETS.create(gadget::CreateWithoutMaker { title: "n1".into(), sku: "N1".into() }))
                .with(GADGETS.create(conformance_client::WriteData::set(gadget::CreateWithoutMaker { title: "n2".into(), sku: "N2".into() }, gadget::STOCK.set(4))))
                .include(GADGETS.order_by(gadget::ID.asc()))),
        write!("nested_create_explicit_over_client_default", ["Badge"], "prisma.maker.update({ where: { id: 2 }, data: { badge: { create: { code: 'nested-explicit' } } }, include: { badge: true } })",
            |db| db.maker().update_relations(maker::id(2)).with(BADGE.create(conformance_client::WriteData::set(badge::CreateWithoutMaker {}, badge::CODE.set("nested-explicit")))).include(BADGE)),
        write!("nested_create_many_explicit_over_client_default", ["Part"], "prisma.gadget.update({ where: { id: 2 }, data: { parts: { createMany: { data: [{ name: 'p1', ref: 'nested-many-1' }, { name: 'p2', ref: 'nested-many-2' }] } } }, include: { parts: { orderBy: { id: 'asc' } } } })",
            |db| db.gadget().update_relations(gadget::id(2)).with(gadget::PARTS.create_many([conformance_client::WriteData::set(part::Create { name: "p1".into() }, part::REF.set("nested-many-1")),
                conformance_client::WriteData::set(part::Create { name: "p2".into() }, part::REF.set("nested-many-2"))])).include(gadget::PARTS.order_by(part::ID.asc()))),
        write!("nested_connect", ["Gadget"], "prisma.maker.update({ where: { id: 6 }, data: { gadgets: { connect: [{ id: 4 }, { sku: 'T-9' }] } }, include: { gadgets: { orderBy: { id: 'asc' } } } })",
            |db| db.maker().update_relations(maker::id(6)).with(GADGETS.connect(gadget::id(4))).with(GADGETS.connect(gadget::sku("T-9"))).include(GADGETS.order_by(gadget::ID.asc()))),
        write!("nested_connect_missing_to_many_p2018", ["Gadget"], "prisma.maker.update({ where: { id: 6 }, data: { gadgets: { connect: { id: 999 } } } })",
            |db| db.maker().update_relations(maker::id(6)).with(GADGETS.connect(gadget::id(999)))),
        write!("nested_connect_missing_to_one_p2025", ["Gadget"], "prisma.gadget.create({ data: { title: 'x', sku: 'X', colors: [], sizes: [], maker: { connect: { id: 999 } } } })",
            |db| db.gadget().create_linked(gadget::CreateWithoutMaker { title: "x".into(), sku: "X".into() }, gadget::MAKER.connect(maker::id(999)))),
        write!("nested_connect_missing_many_to_many", ["_GadgetToLabel"], "prisma.gadget.update({ where: { id: 6 }, data: { labels: { connect: [{ id: 999 }] } } })",
            |db| db.gadget().update_relations(gadget::id(6)).with(gadget::LABELS.connect(label::id(999)))),
        write!("nested_connect_missing_to_one_inverse", ["Badge"], "prisma.maker.update({ where: { id: 2 }, data: { badge: { connect: { id: 999 } } } })",
            |db| db.maker().update_relations(maker::id(2)).with(BADGE.connect(badge::id(999)))),
        write!("nested_connect_missing_on_create_to_many_p2018", ["Maker", "Gadget"], "prisma.maker.create({ data: { handle: 'c', name: 'C', joinedAt: new Date('2020-01-01T00:00:00Z'), nicknames: [], luckyNumbers: [], gadgets: { connect: [{ id: 999 }] } } })",
            |db| db.maker().create(maker::Create { handle: "c".into(), name: "C".into(), joined_at: at("2020-01-01T00:00:00Z") }).with(GADGETS.connect(gadget::id(999)))),
        write!("nested_connect_on_create", ["Gadget"], "prisma.gadget.create({ data: { title: 'linked', sku: 'LNK', colors: [], sizes: [], maker: { connect: { handle: 'lonely' } }, labels: { connect: [{ name: 'gift' }] } }, include: { labels: true } })",
            |db| db.gadget().create_linked(gadget::CreateWithoutMaker { title: "linked".into(), sku: "LNK".into() }, gadget::MAKER.connect(maker::handle("lonely")))
                .with(gadget::LABELS.connect(label::name("gift"))).include(gadget::LABELS)),
        write!("nested_connect_or_create", ["Label", "_GadgetToLabel"], "prisma.gadget.update({ where: { id: 5 }, data: { labels: { connectOrCreate: [{ where: { name: 'gift' }, create: { name: 'gift' } }, { where: { name: 'handy' }, create: { name: 'handy' } }] } }, include: { labels: { orderBy: { name: 'asc' } } } })",
            |db| db.gadget().update_relations(gadget::id(5)).with(gadget::LABELS.connect_or_create(label::name("gift"), label::Create { name: "gift".into() }))
                .with(gadget::LABELS.connect_or_create(label::name("handy"), label::Create { name: "handy".into() })).include(gadget::LABELS.order_by(label::NAME.asc()))),
        write!("nested_disconnect_many_to_many", ["_GadgetToLabel"], "prisma.gadget.update({ where: { id: 1 }, data: { labels: { disconnect: [{ id: 4 }] } }, include: { labels: true } })",
            |db| db.gadget().update_relations(gadget::id(1)).with(gadget::LABELS.disconnect(label::id(4))).include(gadget::LABELS)),
        write!("nested_disconnect_optional_to_one", ["Part"], "prisma.part.update({ where: { id: 3 }, data: { gadget: { disconnect: true } } })",
            |db| db.part().update_relations(part::id(3)).with(part::GADGET.disconnect())),
        write!("nested_set", ["_GadgetToLabel"], "prisma.label.update({ where: { name: 'vintage' }, data: { gadgets: { set: [{ id: 3 }, { id: 9 }] } }, include: { gadgets: { orderBy: { id: 'asc' } } } })",
            |db| db.label().update_relations(label::name("vintage")).with(label::GADGETS.set([gadget::id(3), gadget::id(9)])).include(label::GADGETS.order_by(gadget::ID.asc()))),
        write!("nested_update", ["Gadget"], "prisma.maker.update({ where: { id: 3 }, data: { gadgets: { update: { where: { id: 4 }, data: { stock: 9 } } } } })",
            |db| db.maker().update_relations(maker::id(3)).with(GADGETS.update(gadget::id(4), [gadget::STOCK.set(9)]))),
        write!("nested_update_not_connected_p2025", ["Gadget"], "prisma.maker.update({ where: { id: 3 }, data: { gadgets: { update: { where: { id: 1 }, data: { stock: 9 } } } } })",
            |db| db.maker().update_relations(maker::id(3)).with(GADGETS.update(gadget::id(1), [gadget::STOCK.set(9)]))),
        write!("nested_update_to_one", ["Maker"], "prisma.gadget.update({ where: { id: 5 }, data: { maker: { update: { bio: 'via gadget' } } }, include: { maker: true } })",
            |db| db.gadget().update_relations(gadget::id(5)).with(gadget::MAKER.update([BIO.set("via gadget")])).include(gadget::MAKER)),
        write!("nested_update_many", ["Gadget"], "prisma.maker.update({ where: { id: 3 }, data: { gadgets: { updateMany: { where: { stock: 0 }, data: { stock: 1 } } } }, include: { gadgets: { orderBy: { id: 'asc' } } } })",
            |db| db.maker().update_relations(maker::id(3)).with(GADGETS.update_many(gadget::STOCK.equals(0), [gadget::STOCK.set(1)])).include(GADGETS.order_by(gadget::ID.asc()))),
        write!("nested_upsert_to_many", ["Gadget"], "prisma.maker.update({ where: { id: 6 }, data: { gadgets: { upsert: { where: { sku: 'UP-1' }, create: { title: 'up', sku: 'UP-1', colors: [], sizes: [] }, update: { stock: 50 } } } }, include: { gadgets: true } })",
            |db| db.maker().update_relations(maker::id(6)).with(GADGETS.upsert(gadget::sku("UP-1"), gadget::CreateWithoutMaker { title: "up".into(), sku: "UP-1".into() }, [gadget::STOCK.set(50)])).include(GADGETS)),
        write!("nested_upsert_to_one_explicit_over_default", ["Badge"], "prisma.maker.update({ where: { id: 5 }, data: { badge: { upsert: { create: { code: 'upsert-explicit' }, update: { code: 'never' } } } }, include: { badge: true } })",
            |db| db.maker().update_relations(maker::id(5)).with(BADGE.upsert(conformance_client::WriteData::set(badge::CreateWithoutMaker {}, badge::CODE.set("upsert-explicit")), [badge::CODE.set("never")])).include(BADGE)),
        write!("nested_delete", ["Gadget", "Part"], "prisma.gadget.update({ where: { id: 1 }, data: { parts: { delete: { id: 2 } } }, include: { parts: true } })",
            |db| db.gadget().update_relations(gadget::id(1)).with(gadget::PARTS.delete(part::id(2))).include(gadget::PARTS)),
        write!("nested_delete_not_connected_p2017", ["Part"], "prisma.gadget.update({ where: { id: 1 }, data: { parts: { delete: { id: 3 } } } })",
            |db| db.gadget().update_relations(gadget::id(1)).with(gadget::PARTS.delete(part::id(3)))),
        write!("nested_delete_to_one", ["Badge"], "prisma.maker.update({ where: { id: 4 }, data: { badge: { delete: true } }, include: { badge: true } })",
            |db| db.maker().update_relations(maker::id(4)).with(BADGE.delete()).include(BADGE)),
        write!("nested_delete_many", ["Part"], "prisma.gadget.update({ where: { id: 3 }, data: { parts: { deleteMany: { name: { startsWith: 'S' } } } }, include: { parts: true } })",
            |db| db.gadget().update_relations(gadget::id(3)).with(gadget::PARTS.delete_many(part::NAME.starts_with("S"))).include(gadget::PARTS)),
        write!("nested_create_required_one_to_one_taken_p2014", ["Badge"], "prisma.maker.update({ where: { id: 1 }, data: { badge: { create: { code: 'second' } } } })",
            |db| db.maker().update_relations(maker::id(1)).with(BADGE.create(conformance_client::WriteData::set(badge::CreateWithoutMaker {}, badge::CODE.set("second"))))),
    ]
}
