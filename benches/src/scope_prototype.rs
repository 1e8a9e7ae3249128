//! A prototype of `CoopCompat`'s per-poll budget scope that shares nothing
//! between threads but the runtime handle's reference count, measured next to
//! the real one by `thread_scaling` (issue 11). Not used by the library.
//!
//! `scope::poll_in_scope` today calls `Handle::block_on` of the shared runtime
//! (the global one, the ambient one or a supplied one) on every foreign poll.
//! That call, in tokio 1.54 (`runtime/handle.rs`, `runtime/context/runtime.rs`,
//! `runtime/context/current.rs`), takes the runtime's seed-generator mutex
//! (`seed_generator().next_seed()`) and clones the handle's `Arc` into the
//! thread's context (`set_current`), dropping it again at the end: four atomic
//! read-modify-writes on two cache lines that every thread polling through
//! that runtime writes.
//!
//! Here the scope is opened with `Handle::block_on` of a current-thread
//! runtime private to the polling thread (a thread-local, built without
//! drivers, never driven): its mutex and its reference count are touched by
//! that thread only. Inside it the shared runtime is entered with
//! `Handle::enter`, so `Handle::current()`, `tokio::spawn`, timers and IO
//! still go to the shared runtime. What remains shared per poll is that
//! `enter`: tokio's `set_current` stores a clone of the handle in the
//! thread-local context (one atomic increment, and one decrement when the
//! guard drops) and has no borrowing variant; async-compat's `Compat` pays
//! the same per poll.
//!
//! The rest follows `scope::poll_shared` for a poll outside any tokio budget
//! scope (the case the benches measure): the same thread-local checks, the
//! same `TokioBudget` installed inside, the foreign executor's provider asked
//! for its remaining units. Polls inside a tokio task or a nested scope run
//! directly, as there. Differences to review before adopting it: the
//! thread's tokio RNG is seeded from the private runtime's generator (it only
//! orders `select!` branches); and a poll during the thread's thread-local
//! destruction, once the private runtime is gone, falls back to the shared
//! runtime's `block_on` (today's path).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use coop_compat::{BudgetExt, TokioBudget};
use tokio::runtime::{Builder, Handle, Runtime};

std::thread_local! {
    /// This thread's scope runtime: only ever used for `Handle::block_on`,
    /// so its mutex and reference count are this thread's alone.
    static SCOPE_RUNTIME: Runtime = Builder::new_current_thread()
        .build()
        .expect("build a thread's scope runtime");
    /// Set while a prototype scope is open on this thread.
    static IN_SCOPE: Cell<bool> = const { Cell::new(false) };
}

/// Marks a scope as open; clears the mark on drop, on unwind too.
struct ScopeMark;

impl ScopeMark {
    fn enter() -> Self {
        IN_SCOPE.with(|s| s.set(true));
        ScopeMark
    }
}

impl Drop for ScopeMark {
    fn drop(&mut self) {
        IN_SCOPE.with(|s| s.set(false));
    }
}

/// `future` polled as `CoopCompat::with_handle(future, handle)` would be, with
/// the prototype's scope.
#[derive(Debug)]
pub struct PrivateScope<F> {
    inner: Pin<Box<F>>,
    handle: Handle,
}

impl<F: Future> PrivateScope<F> {
    /// Wraps `future`; `handle` is the shared runtime for polls on threads
    /// that have entered none.
    pub fn new(future: F, handle: Handle) -> Self {
        PrivateScope {
            inner: Box::pin(future),
            handle,
        }
    }
}

impl<F: Future> Future for PrivateScope<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        if IN_SCOPE.with(Cell::get) || tokio::task::try_id().is_some() {
            return this.inner.as_mut().poll(cx);
        }
        // As `scope::where_polled`: the ambient runtime wins (a clone of a
        // shared handle when there is one, as today).
        let ambient = Handle::try_current().ok();
        let handle = ambient.as_ref().unwrap_or(&this.handle);
        // As `scope::poll_in_scope`: the foreign provider's units (none here).
        let _outer = cx.budget_remaining();
        let mut inner = this.inner.as_mut();
        let mut scope = std::future::poll_fn(|_| {
            let _shared = handle.enter();
            let _mark = ScopeMark::enter();
            Poll::Ready(TokioBudget.install(cx, |cx| inner.as_mut().poll(cx)))
        });
        // `poll_fn` borrows `inner` and `cx` mutably: run it through a
        // reference so that the fallback below can use it too.
        let scope = &mut scope;
        match SCOPE_RUNTIME.try_with(|rt| rt.handle().block_on(&mut *scope)) {
            Ok(poll) => poll,
            // Thread-local destruction: today's path.
            Err(_) => handle.block_on(scope),
        }
    }
}
