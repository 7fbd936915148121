//! The statements a piece of client code runs, as the runtime logs them: every statement
//! is a DEBUG event under the `tracing` target `refract::query`, with its SQL (`sql`) and
//! its duration (`duration_us`).
//!
//! The log is a thread's default subscriber, and tests run in parallel, each setting and
//! dropping its own. tracing caches per call site whether any subscriber wants its events;
//! a cache rebuilt by one thread while another's log is being registered can say "never",
//! and the log then sees nothing. A process-wide subscriber that answers "sometimes" for
//! `refract::query` (and records nothing) keeps that site checked at every event.

use std::sync::{Arc, Mutex, Once, PoisonError};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

/// The target of the runtime's statement events.
const QUERY_TARGET: &str = "refract::query";

/// One logged statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedStatement {
    /// The SQL text (values are bound parameters, never part of it).
    pub sql: String,
    /// Whether the event carried the statement's duration (`duration_us`).
    pub has_duration: bool,
}

/// Every statement run while it is the thread's subscriber
/// (`tracing::subscriber::set_default(log.clone())`).
#[derive(Clone)]
pub struct StatementLog(Arc<Mutex<Vec<LoggedStatement>>>);

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

impl StatementLog {
    /// The statements logged so far, with what each event carried.
    pub fn entries(&self) -> Vec<LoggedStatement> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The SQL of the statements logged so far.
    pub fn statements(&self) -> Vec<String> {
        self.entries().into_iter().map(|entry| entry.sql).collect()
    }

    /// Forgets what was logged so far.
    pub fn clear(&self) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// Wants no event, but keeps `refract::query` call sites asking at every event.
struct QuerySitesStayLive;

impl Subscriber for QuerySitesStayLive {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if metadata.target() == QUERY_TARGET {
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

impl Visit for LoggedStatement {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "sql" {
            value.clone_into(&mut self.sql);
        }
    }
    fn record_u64(&mut self, field: &Field, _: u64) {
        self.has_duration |= field.name() == "duration_us";
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl Subscriber for StatementLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == QUERY_TARGET
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut entry = LoggedStatement {
            sql: String::new(),
            has_duration: false,
        };
        event.record(&mut entry);
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(entry);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}
