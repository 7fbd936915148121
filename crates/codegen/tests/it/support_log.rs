//! Counting the statements a piece of client code runs: every statement is a DEBUG event
//! under `refract::query`, recorded here with its SQL.
//!
//! The log is a thread's default subscriber, and tests run in parallel, each setting and
//! dropping its own. tracing caches per call site whether any subscriber wants its events;
//! a cache rebuilt by one thread while another's log is being registered can say "never",
//! and the log then sees nothing. A process-wide subscriber that answers "sometimes" for
//! `refract::query` (and records nothing) keeps that site checked at every event.

use std::sync::{Arc, Mutex, Once};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

/// The SQL of every statement run while it is the thread's subscriber.
#[derive(Clone)]
pub struct StatementLog(Arc<Mutex<Vec<String>>>);

impl Default for StatementLog {
    fn default() -> Self {
        static GLOBAL: Once = Once::new();
        GLOBAL.call_once(|| {
            // Fails only if the process already has a global subscriber: then that one
            // keeps the cache as it wants, and nothing here can do better.
            let _ = tracing::subscriber::set_global_default(QuerySitesStayLive);
        });
        tracing::callsite::rebuild_interest_cache();
        StatementLog(Arc::default())
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

impl StatementLog {
    pub fn statements(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    pub fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
}

struct Sql(String);

impl Visit for Sql {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "sql" {
            self.0 = value.to_owned();
        }
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl Subscriber for StatementLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == "refract::query"
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut sql = Sql(String::new());
        event.record(&mut sql);
        self.0.lock().unwrap().push(sql.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}
