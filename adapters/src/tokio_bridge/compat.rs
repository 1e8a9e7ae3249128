//! [`CoopCompat`]: one budget for tokio's types and Context-based primitives,
//! on any executor, with tokio's runtime context inside.
//!
//! How a poll gets its budget is in the `scope` module: `CoopCompat` is that
//! mechanism with tokio's full budget of 128 units and a choice of runtime.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;
use tokio::runtime::Handle;

use task_coop::BudgetMetrics;

use super::scope::{self, TOKIO_SCOPE_UNITS};
use crate::tracking::{Tracked, Untracked};

pin_project! {
    /// A future that runs with tokio's budget and runtime context on any
    /// executor: see [`CoopCompat::wrap`].
    ///
    /// [`budgeted`](crate::budgeted) does the same with the `tokio` feature
    /// (and lets you choose fewer units); `CoopCompat` also lets you choose
    /// the tokio runtime ([`with_handle`](Self::with_handle)), and is the name
    /// that users of `async_compat::Compat` look for.
    ///
    /// # What can go wrong
    ///
    /// * Opening tokio's budget scope costs about a hundred nanoseconds per
    ///   poll, more when several threads share one runtime (tokio clones its
    ///   handle and takes a mutex to seed each scope's random generator). The
    ///   global runtime has a shard per core and gives each thread its own,
    ///   so threads share it only beyond one per core; a handle given with
    ///   [`with_handle`](Self::with_handle) is shared by every thread that
    ///   polls with it. With a counting
    ///   provider installed by the foreign executor, reading back tokio's
    ///   remaining units costs about 3 ns a unit.
    /// * Inside the root future of `Runtime::block_on` wrapped in tokio's own
    ///   `unconstrained`, no runtime can be seen to be running and the scope's
    ///   `block_on` panics with tokio's "Cannot start a runtime from within a
    ///   runtime": wrap inside `unconstrained`, not around it.
    /// * On a `spawn_blocking` thread tokio reports a task id as it does in
    ///   async tasks (where opening a scope would panic), so the wrapper polls
    ///   directly and a foreign executor there gets no tokio budget; give its
    ///   tasks [`Budgeted::context_only`](crate::Budgeted::context_only).
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct CoopCompat<F, T = Untracked> {
        #[pin]
        inner: F,
        handle: Option<Handle>,
        tracking: T,
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
    ///   no budget, and `CoopCompat` adds none (see "What can go wrong" below).
    /// * On any other executor, each poll gets one tokio budget scope: 128
    ///   units, or fewer if the executor installed a `task_coop` provider with
    ///   fewer left (which is charged afterwards for what the poll spent).
    ///   The runtime is the one this thread has entered, else a global
    ///   runtime started on first use: one shard (a one-worker runtime) per
    ///   core, each thread keeping the shard it is given first (see
    ///   [`with_handle`](Self::with_handle) to choose a runtime).
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
            tracking: Untracked,
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
            tracking: Untracked,
        }
    }

    /// Keeps this task's [`BudgetMetrics`]: polls, the units of tokio's
    /// budget it spent, and its forced yields (polls that returned `Pending`
    /// with the budget spent, by tokio's types or Context-based primitives
    /// alike). Reading tokio's units after each poll costs about 3 ns a unit
    /// left.
    ///
    /// # Examples
    ///
    /// ```
    /// use coop_adapters::CoopCompat;
    ///
    /// let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    /// for i in 0..300u32 {
    ///     tx.send(i).unwrap();
    /// }
    /// let mut task = Box::pin(
    ///     CoopCompat::wrap(async move {
    ///         for _ in 0..300 {
    ///             rx.recv().await.unwrap();
    ///         }
    ///     })
    ///     .with_metrics(),
    /// );
    /// futures::executor::block_on(task.as_mut());
    /// let metrics = task.metrics();
    /// assert_eq!((metrics.polls, metrics.units_spent, metrics.forced_yields), (3, 300, 2));
    /// ```
    pub fn with_metrics(self) -> CoopCompat<F, Tracked> {
        CoopCompat {
            inner: self.inner,
            handle: self.handle,
            tracking: Tracked::default(),
        }
    }
}

impl<F> CoopCompat<F, Tracked> {
    /// What the task's polls did so far (see
    /// [`with_metrics`](CoopCompat::with_metrics)).
    pub fn metrics(&self) -> BudgetMetrics {
        self.tracking.metrics()
    }
}

impl<F, T> CoopCompat<F, T> {
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
        scope::poll_shared(
            TOKIO_SCOPE_UNITS,
            this.handle.as_ref(),
            None,
            this.inner,
            cx,
        )
    }
}

impl<F: Future> Future for CoopCompat<F, Tracked> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let track = scope::Track {
            metrics: &mut this.tracking.metrics,
            slice: None,
        };
        scope::poll_shared(
            TOKIO_SCOPE_UNITS,
            this.handle.as_ref(),
            Some(track),
            this.inner,
            cx,
        )
    }
}
