//! Query logging: every statement is a DEBUG event under `refract::query` with its SQL
//! and duration. (Issue 4 counts statements this way to prove `include` is not N+1.)

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

use crate::support::setup;
use runtime_tests_client::Models;
use runtime_tests_client::user::{self, *};

/// Records the `sql` and `duration_us` fields of `refract::query` events.
///
/// It is the test thread's default subscriber while other tests run in parallel; tracing
/// caches per call site whether any subscriber wants its events, and a cache rebuilt by
/// another thread meanwhile can say "never". A process-wide subscriber that answers
/// "sometimes" for `refract::query` keeps those sites asking (as codegen's tests do).
#[derive(Clone)]
struct QueryLog(Arc<Mutex<Vec<(String, bool)>>>);

impl Default for QueryLog {
    fn default() -> Self {
        static GLOBAL: std::sync::Once = std::sync::Once::new();
        GLOBAL.call_once(|| {
            let _ = tracing::subscriber::set_global_default(QuerySitesStayLive);
        });
        tracing::callsite::rebuild_interest_cache();
        QueryLog(Arc::default())
    }
}

/// Wants no event, but keeps `refract::query` call sites asking at every event.
struct QuerySitesStayLive;

impl Subscriber for QuerySitesStayLive {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if metadata.target() == "refract::query" {
            Interest::sometimes()
        } else {
            Interest::never()
        }
    }
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        false
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

struct Fields {
    sql: String,
    has_duration: bool,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "sql" {
            self.sql = value.to_owned();
        }
    }
    fn record_u64(&mut self, field: &Field, _: u64) {
        self.has_duration |= field.name() == "duration_us";
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl Subscriber for QueryLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == "refract::query"
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields {
            sql: String::new(),
            has_duration: false,
        };
        event.record(&mut fields);
        self.0
            .lock()
            .unwrap()
            .push((fields.sql, fields.has_duration));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn every_statement_is_logged_with_sql_and_duration() {
    let s = setup().await;
    let log = QueryLog::default();
    let _guard = tracing::subscriber::set_default(log.clone());
    let created = s
        .client
        .user()
        .create(user::Create {
            email: "log@x".into(),
            tenant: "t".into(),
            handle: "log".into(),
        })
        .await
        .unwrap();
    s.client
        .user()
        .find_unique(user::id(created.id))
        .await
        .unwrap();
    s.client
        .user()
        .count()
        .filter(NAME.is_null())
        .await
        .unwrap();
    let entries = log.0.lock().unwrap().clone();
    assert_eq!(entries.len(), 3, "{entries:?}");
    assert!(
        entries[0].0.starts_with("INSERT INTO \"public\".\"User\""),
        "{}",
        entries[0].0
    );
    assert!(
        entries[1].0.starts_with("SELECT \"id\", \"email\""),
        "{}",
        entries[1].0
    );
    assert_eq!(
        entries[2].0,
        "SELECT COUNT(*) FROM \"public\".\"User\" WHERE \"name\" IS NULL"
    );
    assert!(entries.iter().all(|(_, has_duration)| *has_duration));
    // Values never appear in the SQL text.
    assert!(entries.iter().all(|(sql, _)| !sql.contains("log@x")));
}
