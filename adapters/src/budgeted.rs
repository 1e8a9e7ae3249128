//! [`Budgeted`]: give every poll of a task a budget, on any executor.
//!
//! It is for executors that have no budget of their own (async-executor and
//! smol, `futures::executor`, embassy, most custom executors) and for their
//! users. Wrap each task once, where it is spawned:
//!
//! ```
//! use coop_adapters::budgeted;
//!
//! let executor = async_executor::Executor::new();
//! let task = executor.spawn(budgeted(async { 1 + 1 }));
//! assert_eq!(futures::executor::block_on(executor.run(task)), 2);
//! ```
//!
//! Each poll of the wrapped task starts with a fresh budget (128 units by
//! default, tokio's figure), so the cooperative primitives the task uses
//! (`poll_cooperate`, [`Coop`](crate::Coop), `CoopIo`) make it yield after
//! 128 units of work in one poll: the budget wakes the task and says
//! `Pending`, the executor runs its other tasks, and the next poll starts with
//! 128 units again.
//!
//! # tokio's types
//!
//! With the `tokio` feature, the same units budget tokio's own sync and IO
//! types too (its channels, locks, sockets, `JoinHandle`, ...), which read
//! tokio's thread-local budget and never look at the `Context`: on a foreign
//! executor each poll runs inside a tokio budget scope shared with
//! Context-based primitives, exactly like `CoopCompat`,
//! and inside a tokio task tokio's budget is lowered to the units asked for.
//! That costs a tokio `block_on` per poll on a foreign executor (a few tens
//! of nanoseconds, measured in the benches) and starts the global tokio
//! runtime that `CoopCompat` uses if the thread has entered none.
//! [`Budgeted::context_only`] leaves tokio's types out, for tasks that use
//! none and do not want that cost. Without the `tokio` feature every
//! `Budgeted` is context-only.
//!
//! What can go wrong:
//!
//! * Wrap the task, not a future inside it: a `Budgeted` nested in a budgeted
//!   task gives its future a budget of its own on top of the task's, which is
//!   what a budget is meant to prevent. Use [`task_coop::unconstrained`] to
//!   lift the budget for part of a task.
//! * A budget that runs out wakes the task at once; on an executor that runs
//!   woken tasks before others (a LIFO slot), the yield may give nothing to
//!   the other tasks. async-executor and `futures::executor` put the task at
//!   the back of their queue.
//! * tokio's budget holds at most 128 units: with the `tokio` feature a
//!   `Budgeted` of more units gives tokio's types and Context-based
//!   primitives 128 per poll together. On tokio, inside a tokio task, don't
//!   wrap at all unless you want fewer units: the task already has tokio's
//!   budget, which `poll_cooperate` uses by itself (feature `tokio`).
//! * A `Budgeted` costs no heap: it holds its units (and is at most 8 bytes
//!   larger than the task), and each poll borrows this thread's counter
//!   ([`task_coop::with_budget`]), allocated once per thread.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use task_coop::{with_budget, Budget};

/// Wraps a task so that each of its polls runs under a fresh budget of
/// [`Budget::DEFAULT_UNITS`] (128) units: see [`Budgeted`].
///
/// The same as [`Budgeted::new`] and
/// `.budgeted()` (`CooperativeExt`).
///
/// # Examples
///
/// On `futures::executor`:
///
/// ```
/// use coop_adapters::budgeted;
/// use futures::executor::LocalPool;
/// use futures::task::LocalSpawnExt;
///
/// let mut pool = LocalPool::new();
/// pool.spawner().spawn_local(budgeted(async { /* the task */ })).unwrap();
/// pool.run();
/// ```
pub fn budgeted<F: Future>(future: F) -> Budgeted<F> {
    Budgeted::new(future)
}

/// Which budgets a [`Budgeted`] reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Context-based primitives and, with the `tokio` feature, tokio's types.
    Everything,
    /// Context-based primitives only.
    ContextOnly,
}

pin_project_lite::pin_project! {
    /// A task whose every poll runs under a fresh budget: see [`budgeted`]
    /// and [the module docs](crate::budgeted).
    ///
    /// `Send` and `Sync` when the task is: it holds nothing but the task and
    /// its units.
    ///
    /// # Examples
    ///
    /// An always-ready loop yields after the budget's units:
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::future::Future;
    /// use std::pin::pin;
    /// use std::task::{ready, Context, Poll, Waker};
    /// use coop_adapters::Budgeted;
    /// use task_coop::ContextExt;
    ///
    /// let taken = Cell::new(0);
    /// let spin = std::future::poll_fn(|cx| -> Poll<()> {
    ///     loop {
    ///         ready!(cx.poll_cooperate()).made_progress();
    ///         taken.set(taken.get() + 1);
    ///     }
    /// });
    /// let mut task = pin!(Budgeted::with_units(spin, 10));
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(task.as_mut().poll(&mut cx).is_pending());
    /// assert_eq!(taken.get(), 10);
    /// assert!(task.as_mut().poll(&mut cx).is_pending());
    /// assert_eq!(taken.get(), 20); // 10 per poll
    /// ```
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct Budgeted<F> {
        units: u8,
        reach: Reach,
        #[pin]
        future: F,
    }
}

impl<F> Budgeted<F> {
    /// Wraps `future` with a budget of [`Budget::DEFAULT_UNITS`] per poll,
    /// for Context-based primitives and, with the `tokio` feature, tokio's
    /// types.
    ///
    /// # Examples
    ///
    /// ```
    /// let task = coop_adapters::Budgeted::new(async {});
    /// assert_eq!(task.units(), 128);
    /// ```
    pub fn new(future: F) -> Self {
        Self::with_units(future, Budget::DEFAULT_UNITS)
    }

    /// Wraps `future` with a budget of `units` per poll, for Context-based
    /// primitives and, with the `tokio` feature, tokio's types (at most 128
    /// for those: see [the module docs](mod@crate::budgeted)).
    ///
    /// # Panics
    ///
    /// If `units` is 0 (see [`Budget::with_units`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let task = coop_adapters::Budgeted::with_units(async {}, 32);
    /// assert_eq!(task.units(), 32);
    /// ```
    pub fn with_units(future: F, units: u8) -> Self {
        Self::make(future, units, Reach::Everything)
    }

    /// Wraps `future` with a budget of `units` per poll for Context-based
    /// primitives only: tokio's own types inside are not budgeted on foreign
    /// executors, even with the `tokio` feature, and each poll costs no tokio
    /// scope. For tasks that use no tokio types.
    ///
    /// # Panics
    ///
    /// If `units` is 0 (see [`Budget::with_units`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::Future;
    /// use std::pin::pin;
    /// use std::task::{Context, Poll, Waker};
    /// use coop_adapters::Budgeted;
    /// use task_coop::BudgetExt;
    ///
    /// let mut task = pin!(Budgeted::context_only(
    ///     std::future::poll_fn(|cx| Poll::Ready(cx.budget_remaining())),
    ///     16,
    /// ));
    /// let out = task.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    /// assert_eq!(out, Poll::Ready(Some(16)));
    /// ```
    pub fn context_only(future: F, units: u8) -> Self {
        Self::make(future, units, Reach::ContextOnly)
    }

    fn make(future: F, units: u8, reach: Reach) -> Self {
        assert!(
            units > 0,
            "a budget of 0 units would never let a task make progress; use at least 1"
        );
        Self {
            units,
            reach,
            future,
        }
    }

    /// Units each poll starts with.
    pub fn units(&self) -> u8 {
        self.units
    }

    /// Whether tokio's types are budgeted too: true unless made with
    /// [`context_only`](Self::context_only) or built without the `tokio`
    /// feature.
    ///
    /// # Examples
    ///
    /// ```
    /// use coop_adapters::Budgeted;
    ///
    /// assert!(!Budgeted::context_only(async {}, 128).reaches_tokio());
    /// assert_eq!(Budgeted::new(async {}).reaches_tokio(), cfg!(feature = "tokio"));
    /// ```
    pub fn reaches_tokio(&self) -> bool {
        cfg!(feature = "tokio") && self.reach == Reach::Everything
    }

    /// The wrapped future, pinned.
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut F> {
        self.project().future
    }

    /// Unwraps the task.
    ///
    /// # Examples
    ///
    /// ```
    /// let task = coop_adapters::Budgeted::new(std::future::ready(3));
    /// assert_eq!(futures::executor::block_on(task.into_inner()), 3);
    /// ```
    pub fn into_inner(self) -> F {
        self.future
    }
}

impl<F: Future> Future for Budgeted<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let units = *this.units;
        #[cfg(feature = "tokio")]
        if *this.reach == Reach::Everything {
            return crate::tokio_bridge::scope::poll_shared(units, None, this.future, cx);
        }
        let future = this.future;
        with_budget(cx, units, |cx| future.poll(cx))
    }
}
