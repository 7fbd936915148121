//! What the benches of several crates set up alike: the runtime their calls run on, one
//! at a time, and a counter that takes seeded rows (and fresh names) in turn.

use std::sync::atomic::{AtomicUsize, Ordering};

/// A current-thread tokio runtime with I/O and timers: a bench blocks on it for each call,
/// so every call runs alone on one thread. Panics when tokio cannot build one.
pub fn current_thread_runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => panic!("refract-testdb: cannot build a tokio runtime: {error}"),
    }
}

/// A process-wide counter, one more at each call: `ids[next() % ROWS]` takes the seeded
/// rows in turn, `format!("u{}@x.io", next())` makes a name no call used before.
pub fn next() -> usize {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    COUNTER.fetch_add(1, Ordering::Relaxed)
}
