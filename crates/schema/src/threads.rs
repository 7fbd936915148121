//! The few threading helpers the front end shares: how many threads the
//! machine runs at once, and running a batch of closures on scoped threads
//! with the results in order (a panic in any of them is re-raised here).

/// Threads the machine can run at once (asked once per process).
pub(crate) fn parallelism() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Runs `first` on the calling thread and each of `rest` on a thread of its
/// own; returns `first`'s result, then the others' in order.
pub(crate) fn run_on_threads<T, F>(first: impl FnOnce() -> T, rest: Vec<F>) -> Vec<T>
where
    T: Send,
    F: FnOnce() -> T + Send,
{
    std::thread::scope(|scope| {
        let helpers: Vec<_> = rest.into_iter().map(|f| scope.spawn(f)).collect();
        let mut results = Vec::with_capacity(helpers.len() + 1);
        results.push(first());
        for helper in helpers {
            match helper.join() {
                Ok(result) => results.push(result),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        results
    })
}
