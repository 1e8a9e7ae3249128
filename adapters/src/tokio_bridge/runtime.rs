//! Which tokio runtime a [`CoopCompat`](super::CoopCompat) poll runs in: the
//! ambient one if the thread has entered one, else the handle the user gave,
//! else a global runtime started on first use.
//!
//! The global runtime is a multi-thread runtime with IO and timers enabled,
//! whose worker threads (`coop-compat-tokio`) drive it, so that
//! `tokio::spawn`, timers and sockets work from any executor. It has as many
//! workers as the machine has cores ([`available_parallelism`], at least 1,
//! at most [`MAX_GLOBAL_WORKERS`]): the timers and sockets of foreign tasks on
//! many threads, and the tasks they spawn, are driven by as many threads as
//! tokio's own runtime would use, not by one (async-compat's global runtime,
//! a current-thread runtime on one thread, is that bottleneck). It is only
//! started if a `CoopCompat` is polled on a thread with no runtime and no
//! handle was supplied.
//!
//! What it costs, and what can go wrong:
//!
//! * its worker threads are started on first use (tokio starts them all when
//!   the runtime is built) and sleep when there is nothing to do; its
//!   blocking pool (`spawn_blocking`) starts threads on demand, named the
//!   same;
//! * it cannot be shut down: its threads live as long as the process, and
//!   tasks spawned onto it are never dropped before the process exits;
//! * every foreign poll still opens its budget scope with `Handle::block_on`
//!   of this one runtime, which touches state every thread shares (see
//!   `scope`): the multi-thread runtime spreads the driving, not that;
//! * a supplied handle whose runtime nobody drives (a current-thread runtime
//!   whose `block_on` is not running) gives tasks that never run and timers
//!   that never fire.
//!
//! [`available_parallelism`]: std::thread::available_parallelism

use std::sync::OnceLock;
use std::thread;

use tokio::runtime::{Builder, Handle, Runtime};

/// The most worker threads the global runtime starts, however many cores the
/// machine has: it drives foreign tasks' timers, sockets and spawned tasks,
/// not the foreign executors' own work.
pub(crate) const MAX_GLOBAL_WORKERS: usize = 16;

/// The global runtime's worker threads: the machine's cores, at least 1, at
/// most [`MAX_GLOBAL_WORKERS`].
fn global_workers() -> usize {
    thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_GLOBAL_WORKERS)
}

/// The process-wide fallback runtime's handle, started on first use.
///
/// # Panics
///
/// If the runtime or its threads cannot be created (the OS refused a thread
/// or an IO driver).
pub(crate) fn global() -> &'static Handle {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(global_workers())
                .enable_all()
                .thread_name("coop-compat-tokio")
                .build()
                .expect(
                    "coop-compat could not start its global tokio runtime; \
                     pass a Handle with CoopCompat::with_handle",
                )
        })
        .handle()
}
