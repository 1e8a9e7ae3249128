//! Which tokio runtime a [`CoopCompat`](super::CoopCompat) poll runs in: the
//! ambient one if the thread has entered one, else the handle the user gave,
//! else a global runtime started on first use.
//!
//! The global runtime is a set of shards: as many runtimes as the machine
//! has cores ([`available_parallelism`], at least 1, at most
//! [`MAX_GLOBAL_WORKERS`]), each a multi-thread runtime of one worker thread
//! (`coop-compat-tokio-N`) with IO and timers enabled, which drives it, so
//! that `tokio::spawn`, timers and sockets work from any executor. A thread
//! that polls a `CoopCompat` with no runtime and no handle of its own is
//! given one shard on first use, round-robin, and keeps it. So:
//!
//! * every foreign poll opens its budget scope with `Handle::block_on` of its
//!   thread's shard: the handle it clones and the seed mutex it locks (what
//!   tokio's `block_on` does, see `scope`) are shared with the threads of the
//!   same shard only; with no more foreign threads than shards, with none;
//! * the timers, sockets and spawned tasks of foreign tasks on many threads
//!   are driven by as many threads as tokio's own runtime would use, not by
//!   one (async-compat's global runtime, a current-thread runtime on one
//!   thread, is that bottleneck).
//!
//! The shards are only started if a `CoopCompat` is polled on a thread with
//! no runtime and no handle was supplied.
//!
//! What it costs, and what can go wrong:
//!
//! * the shards' worker threads are started together on first use and sleep
//!   when there is nothing to do; their blocking pools (`spawn_blocking`)
//!   start threads on demand, named the same;
//! * they cannot be shut down: their threads live as long as the process, and
//!   tasks spawned onto them are never dropped before the process exits;
//! * a task spawned with `tokio::spawn` inside a wrapped future runs on the
//!   spawning thread's shard, on its one worker: tasks are not balanced
//!   between shards, so a thread that spawns much CPU-bound work gets one
//!   core for it (give such tasks a runtime of your own with
//!   [`CoopCompat::with_handle`](super::CoopCompat::with_handle));
//! * a task that moves between threads (a work-stealing executor) opens its
//!   scopes on the shard of whichever thread polls it; timers and sockets it
//!   made earlier stay with the shard that made them, which keeps driving
//!   them;
//! * a supplied handle whose runtime nobody drives (a current-thread runtime
//!   whose `block_on` is not running) gives tasks that never run and timers
//!   that never fire.
//!
//! [`available_parallelism`]: std::thread::available_parallelism

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::thread;

use tokio::runtime::{Builder, Handle, Runtime};

/// The most shards (each one worker thread) the global runtime starts,
/// however many cores the machine has: it drives foreign tasks' timers,
/// sockets and spawned tasks, not the foreign executors' own work.
pub(crate) const MAX_GLOBAL_WORKERS: usize = 16;

/// The global runtime's shards: the machine's cores, at least 1, at most
/// [`MAX_GLOBAL_WORKERS`].
fn global_shards() -> usize {
    thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_GLOBAL_WORKERS)
}

/// The shards, started together on first use.
///
/// # Panics
///
/// If a runtime or its thread cannot be created (the OS refused a thread or
/// an IO driver).
fn shards() -> &'static [Runtime] {
    static SHARDS: OnceLock<Box<[Runtime]>> = OnceLock::new();
    SHARDS.get_or_init(|| {
        (0..global_shards())
            .map(|shard| {
                Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .thread_name(format!("coop-compat-tokio-{shard}"))
                    .build()
                    .expect(
                        "coop-compat could not start its global tokio runtime; \
                         pass a Handle with CoopCompat::with_handle",
                    )
            })
            .collect()
    })
}

/// The next shard, round-robin over the threads that ask.
fn next_shard() -> &'static Handle {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let shards = shards();
    shards[NEXT.fetch_add(1, Ordering::Relaxed) % shards.len()].handle()
}

std::thread_local! {
    /// This thread's shard, once it has asked for one.
    static SHARD: Cell<Option<&'static Handle>> = const { Cell::new(None) };
}

/// The global runtime's handle for this thread: its shard, given on first
/// use (which starts the shards if no thread has yet).
///
/// # Panics
///
/// If the shards cannot be started (see [`shards`]).
pub(crate) fn global() -> &'static Handle {
    SHARD
        .try_with(|shard| {
            shard.get().unwrap_or_else(|| {
                let handle = next_shard();
                shard.set(Some(handle));
                handle
            })
        })
        // Polled while this thread's locals are being destroyed: any shard.
        .unwrap_or_else(|_| next_shard())
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::collections::HashSet;

    /// The shard's address: handles live in the static slice of shards.
    fn id(handle: &'static Handle) -> usize {
        std::ptr::from_ref(handle) as usize
    }

    #[test]
    fn a_thread_keeps_its_shard_and_threads_are_spread_over_all_of_them() {
        // The only test of this crate that asks for shards, so the
        // round-robin is not shared with another test's threads.
        let count = shards().len();
        assert_eq!(count, global_shards());
        assert!((1..=MAX_GLOBAL_WORKERS).contains(&count));

        let mine = id(global());
        assert_eq!(id(global()), mine, "a thread keeps its shard");

        let others: HashSet<usize> = (0..count)
            .map(|_| thread::spawn(|| id(global())).join().unwrap())
            .collect();
        assert_eq!(
            others.len(),
            count,
            "{count} consecutive threads get {count} different shards"
        );
    }

    #[test]
    fn a_shard_runs_spawned_tasks_on_its_own_worker() {
        // Not through `global`, which would take a turn of the round-robin
        // that the test above counts on.
        let handle = shards()[0].handle();
        let name = handle
            .block_on(handle.spawn(async { thread::current().name().map(str::to_owned) }))
            .unwrap()
            .unwrap();
        assert!(name.starts_with("coop-compat-tokio-"), "ran on {name}");
    }
}
