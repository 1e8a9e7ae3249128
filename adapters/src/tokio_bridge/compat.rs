//! [`CoopCompat`]: one budget for tokio's types and Context-based primitives,
//! on any executor.
//!
//! Each poll of a `CoopCompat` on a foreign executor runs inside
//! `Handle::block_on` of a tokio runtime, around a future that polls the
//! wrapped future once, with the foreign executor's context, and returns.
//! That is the one way tokio's public API opens a budget scope (FACTS.md
//! lists the alternatives that lose wakeups). Inside it:
//!
//! * tokio's budget is fresh (128 units), or lowered to what the foreign
//!   executor's own `task_coop` budget has left;
//! * [`TokioBudget`] is installed, so Context-based primitives draw from the
//!   same tokio budget;
//! * the runtime context is that runtime's, so `tokio::spawn`, timers and IO
//!   work;
//! * when the budget runs out, tokio wakes the foreign waker at once (there is
//!   no tokio scheduler on this thread to defer it to).
//!
//! What can go wrong: opening the scope costs a few tens of nanoseconds per
//! poll (more when several threads share one runtime: tokio takes a mutex to
//! seed each scope's random generator); with a counting provider installed by
//! the foreign executor, reading back tokio's remaining units costs about 3 ns
//! a unit. Inside the root future of `Runtime::block_on` wrapped in tokio's
//! own `unconstrained`, `CoopCompat` cannot see that a runtime is running and
//! its `block_on` panics with tokio's "Cannot start a runtime from within a
//! runtime" (wrap inside `unconstrained`, not around it). On a
//! `spawn_blocking` thread, tokio reports a task id as it does in async tasks
//! (where opening a scope would panic), so `CoopCompat` polls directly and a
//! foreign executor there gets no tokio budget; give it a `task_coop::Budget`.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;
use task_coop::{ContextExt, TokioBudget};
use tokio::runtime::Handle;

use super::{budget_probe, runtime};

/// The budget tokio gives each scope (`Budget::initial()` in
/// `tokio/src/task/coop/mod.rs`); a test checks it.
const TOKIO_SCOPE_UNITS: u8 = 128;

pin_project! {
    /// A future that runs with tokio's budget and runtime context on any
    /// executor: see [`CoopCompat::wrap`].
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct CoopCompat<F> {
        #[pin]
        inner: F,
        handle: Option<Handle>,
    }
}

impl<F> CoopCompat<F> {
    /// Wraps `future` so that tokio's sync types and Context-based primitives
    /// inside it share one budget per poll, on any executor, and tokio's
    /// timers, IO and `tokio::spawn` work inside it.
    ///
    /// * Inside a tokio task, in the root future of tokio's `block_on`, or
    ///   nested in another `CoopCompat`, it polls `future` directly: the
    ///   budget already in force applies, never a second one. This includes
    ///   `spawn_blocking` closures, which tokio runs as tasks: there tokio has
    ///   no budget, and `CoopCompat` adds none (see the module docs).
    /// * On any other executor, each poll gets one tokio budget scope: 128
    ///   units, or fewer if the executor installed a `task_coop` provider with
    ///   fewer left (which is charged afterwards for what the poll spent).
    ///   The runtime is the one this thread has entered, else a global
    ///   runtime started on first use (see [`with_handle`](Self::with_handle)
    ///   to choose one).
    ///
    /// # Examples
    ///
    /// A tokio channel drained on `futures`' executor: without the wrapper
    /// the loop would never yield; with it, it yields every 128 receives.
    ///
    /// ```
    /// use coop_adapters::CoopCompat;
    ///
    /// let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    /// for i in 0..1000u32 {
    ///     tx.send(i).unwrap();
    /// }
    /// drop(tx);
    /// let sum = futures::executor::block_on(CoopCompat::wrap(async move {
    ///     let mut sum = 0;
    ///     while let Some(i) = rx.recv().await {
    ///         sum += i;
    ///     }
    ///     sum
    /// }));
    /// assert_eq!(sum, 499_500);
    /// ```
    pub fn wrap(future: F) -> Self {
        Self {
            inner: future,
            handle: None,
        }
    }

    /// Like [`wrap`](Self::wrap), with `handle`'s runtime for polls on
    /// threads that have not entered a runtime (instead of the global one).
    ///
    /// The runtime must be driven by someone (a multi-thread runtime, or a
    /// current-thread one inside `block_on` on some thread), or tasks spawned
    /// inside never run and timers never fire.
    ///
    /// # Examples
    ///
    /// ```
    /// use coop_adapters::CoopCompat;
    ///
    /// let rt = tokio::runtime::Builder::new_multi_thread()
    ///     .worker_threads(1)
    ///     .enable_time()
    ///     .build()
    ///     .unwrap();
    /// let out = futures::executor::block_on(CoopCompat::with_handle(
    ///     async {
    ///         tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    ///         tokio::spawn(async { 2 }).await.unwrap()
    ///     },
    ///     rt.handle().clone(),
    /// ));
    /// assert_eq!(out, 2);
    /// ```
    pub fn with_handle(future: F, handle: Handle) -> Self {
        Self {
            inner: future,
            handle: Some(handle),
        }
    }

    /// The wrapped future.
    pub fn get_ref(&self) -> &F {
        &self.inner
    }

    /// The wrapped future.
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.inner
    }

    /// The wrapped future, pinned.
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut F> {
        self.project().inner
    }

    /// Unwraps the future.
    pub fn into_inner(self) -> F {
        self.inner
    }
}

impl<F: Future> Future for CoopCompat<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        match where_polled() {
            Place::InTokioScope => this.inner.poll(cx),
            Place::Outside(ambient) => {
                let handle = ambient
                    .as_ref()
                    .or(this.handle.as_ref())
                    .unwrap_or_else(|| runtime::global());
                poll_in_scope(handle, this.inner, cx)
            }
        }
    }
}

/// Where a poll happens, as far as tokio's budget is concerned.
enum Place {
    /// Inside a tokio budget scope already (a task, `block_on`, or another
    /// `CoopCompat`): opening another would panic or hand out a second budget.
    InTokioScope,
    /// No tokio budget scope; the runtime this thread has entered, if any.
    Outside(Option<Handle>),
}

fn where_polled() -> Place {
    if tokio::task::try_id().is_some() || IN_SCOPE.with(Cell::get) {
        return Place::InTokioScope;
    }
    match Handle::try_current() {
        Err(_) => Place::Outside(None),
        // A runtime is entered but this is not a task: either the root
        // future of a `block_on` (a budget scope) or a thread that merely
        // entered a handle (a `spawn_blocking` thread, `Handle::enter`). Only
        // a budget scope's budget runs out when counted.
        Ok(handle) => match budget_probe::remaining() {
            Some(_) => Place::InTokioScope,
            None => Place::Outside(Some(handle)),
        },
    }
}

std::thread_local! {
    /// Set while a `CoopCompat` scope is open on this thread, so that a nested
    /// `CoopCompat` polls directly instead of asking tokio for a second scope.
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

/// Polls `future` once inside a tokio budget scope of `handle`'s runtime.
fn poll_in_scope<F: Future>(
    handle: &Handle,
    future: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<F::Output> {
    // A counting provider installed by the foreign executor: its remaining
    // units are this poll's budget.
    let outer = cx.budget_remaining();
    if outer == Some(0) {
        // Spent already: yield the way any budgeted operation would.
        if let Poll::Ready(_unused) = cx.poll_cooperate() {
            // The provider found a unit after all; go ahead.
        } else {
            return Poll::Pending;
        }
    }
    let scope_units = outer.map(|units| units.min(u32::from(TOKIO_SCOPE_UNITS)) as u8);

    let mut future = Some(future);
    let (poll, left) = handle.block_on(std::future::poll_fn(|_block_on_cx| {
        let _mark = ScopeMark::enter();
        if let Some(units) = scope_units {
            budget_probe::spend(TOKIO_SCOPE_UNITS - units);
        }
        let future = future
            .take()
            .expect("CoopCompat's scope polls the future once");
        let poll = TokioBudget.install(cx, |cx| future.poll(cx));
        let left = scope_units.map(|_| budget_probe::remaining().unwrap_or(0));
        Poll::Ready((poll, left))
    }));

    if let (Some(units), Some(left)) = (scope_units, left) {
        charge(cx, units.saturating_sub(left));
    }
    poll
}

/// Charges the foreign executor's provider for `units` spent in the scope.
fn charge(cx: &mut Context<'_>, units: u8) {
    for _ in 0..units {
        match cx.poll_cooperate() {
            Poll::Ready(mut coop) => coop.made_progress(),
            Poll::Pending => return,
        }
    }
}
