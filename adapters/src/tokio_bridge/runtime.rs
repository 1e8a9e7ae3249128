//! Which tokio runtime a [`CoopCompat`](super::CoopCompat) poll runs in: the
//! ambient one if the thread has entered one, else the handle the user gave,
//! else a global runtime started on first use.
//!
//! The global runtime is the async-compat design: a current-thread runtime
//! with IO and timers enabled, driven by a thread of its own
//! (`coop-compat-tokio`), so that `tokio::spawn`, timers and sockets work
//! from any executor. It is only started if a `CoopCompat` is polled on a
//! thread with no runtime and no handle was supplied.
//!
//! What can go wrong: a supplied handle whose runtime nobody drives (a
//! current-thread runtime whose `block_on` is not running) gives tasks that
//! never run and timers that never fire; the global runtime cannot be shut
//! down, its thread lives as long as the process.

use std::sync::OnceLock;
use std::thread;

use tokio::runtime::{Builder, Handle, Runtime};

/// The process-wide fallback runtime's handle, started on first use.
///
/// # Panics
///
/// If the runtime or its thread cannot be created (the OS refused a thread or
/// an IO driver).
pub(crate) fn global() -> &'static Handle {
    static RUNTIME: OnceLock<&'static Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let runtime: &'static Runtime = Box::leak(Box::new(
            Builder::new_current_thread()
                .enable_all()
                .thread_name("coop-compat-tokio")
                .build()
                .expect("coop-compat could not start its global tokio runtime; pass a Handle with CoopCompat::with_handle"),
        ));
        thread::Builder::new()
            .name("coop-compat-tokio".into())
            .spawn(move || runtime.block_on(std::future::pending::<()>()))
            .expect("coop-compat could not start the thread that drives its global tokio runtime");
        runtime
    })
    .handle()
}
