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
//! Each poll of the wrapped task installs a fresh [`Budget`] (128 units by
//! default, tokio's figure), so the cooperative primitives the task uses
//! (`poll_cooperate`, [`Coop`](crate::Coop), `CoopIo`, tokio's
//! types through the bridge) make it yield after 128 units of work in one
//! poll: the budget wakes the task and says `Pending`, the executor runs its
//! other tasks, and the next poll starts with 128 units again.
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
//! * Inside a tokio task, the task already has tokio's budget, which
//!   `poll_cooperate` uses by itself (feature `tokio`): `Budgeted` replaces it
//!   for Context-based primitives with a budget of its own, which is only
//!   useful to count units (tests do) or to choose another size.
//! * Each `Budgeted` allocates its 256-byte counter once, when it is made.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use task_coop::Budget;

/// Wraps a task so that each of its polls runs under a fresh [`Budget`] of
/// [`Budget::DEFAULT_UNITS`] (128) units.
///
/// The same as [`Budgeted::new`] and
/// [`.budgeted()`](crate::CooperativeExt::budgeted).
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

pin_project_lite::pin_project! {
    /// A task whose every poll runs under a fresh [`Budget`]: see
    /// [`budgeted`] and [the module docs](crate::budgeted).
    ///
    /// `Send` when the task is (the budget can move between threads with it),
    /// never `Sync`:
    ///
    /// ```compile_fail
    /// fn assert_sync<T: Sync>() {}
    /// assert_sync::<coop_adapters::Budgeted<std::future::Ready<()>>>();
    /// ```
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
        budget: Budget,
        #[pin]
        future: F,
    }
}

impl<F> Budgeted<F> {
    /// Wraps `future` with a budget of [`Budget::DEFAULT_UNITS`] per poll.
    ///
    /// # Examples
    ///
    /// ```
    /// let task = coop_adapters::Budgeted::new(async {});
    /// assert_eq!(task.budget().units(), 128);
    /// ```
    pub fn new(future: F) -> Self {
        Self::with_budget(future, Budget::new())
    }

    /// Wraps `future` with a budget of `units` per poll.
    ///
    /// # Panics
    ///
    /// If `units` is 0 (see [`Budget::with_units`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let task = coop_adapters::Budgeted::with_units(async {}, 32);
    /// assert_eq!(task.budget().units(), 32);
    /// ```
    pub fn with_units(future: F, units: u8) -> Self {
        Self::with_budget(future, Budget::with_units(units))
    }

    /// Wraps `future` with `budget`, which is reset to its
    /// [`units`](Budget::units) at each poll.
    ///
    /// # Examples
    ///
    /// ```
    /// use task_coop::Budget;
    ///
    /// let task = coop_adapters::Budgeted::with_budget(async {}, Budget::with_units(8));
    /// assert_eq!(task.budget().units(), 8);
    /// ```
    pub fn with_budget(future: F, budget: Budget) -> Self {
        Self { budget, future }
    }

    /// The budget: after a poll, [`Budget::remaining`] tells what it left.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::Future;
    /// use std::pin::pin;
    /// use std::task::{Context, Waker};
    /// use coop_adapters::{Budgeted, Coop};
    ///
    /// let mut task = pin!(Budgeted::new(async {
    ///     Coop::new(async {}).await; // one unit
    /// }));
    /// let _ = task.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    /// assert_eq!(task.budget().remaining(), 127);
    /// ```
    pub fn budget(&self) -> &Budget {
        &self.budget
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
        this.budget.poll(this.future, cx)
    }
}
