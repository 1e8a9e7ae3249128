//! [`ContextExt`]: the proposal's `Context::poll_cooperate`, as an extension
//! trait until std has it.
//!
//! When nothing is installed, `poll_cooperate` is always
//! `Ready(Cooperation::unconstrained())`; with the `tokio` feature, tokio's
//! own budget answers instead, which is unconstrained off tokio. Either way a
//! primitive that uses it runs unchanged on executors that have never heard
//! of budgets.

use core::task::{Context, Poll};

use crate::dispatch;
use crate::Cooperation;

/// The proposal's addition to [`Context`]: exactly its
/// `Context::poll_cooperate`, and nothing else.
///
/// Porting to std, if it adopts the proposal, is deleting the `use` of this
/// trait. The crate's extension beyond the proposal is in
/// [`BudgetExt`](crate::BudgetExt).
pub trait ContextExt: sealed::Sealed {
    /// Asks the task's budget for one unit of work.
    ///
    /// Call it first in `poll`, before doing the work: `Pending` means the
    /// task is out of budget, and the task has already been scheduled to run
    /// again (return `Pending` at once, without registering anything).
    /// `Ready(coop)` means go ahead; call
    /// [`coop.made_progress()`](Cooperation::made_progress) if work was done.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::VecDeque;
    /// use std::task::{ready, Context, Poll};
    /// use task_coop::ContextExt;
    ///
    /// /// A queue that is always ready: without a budget, a loop draining it
    /// /// would never let other tasks run.
    /// struct Queue(VecDeque<u32>);
    ///
    /// impl Queue {
    ///     fn poll_pop(&mut self, cx: &mut Context<'_>) -> Poll<Option<u32>> {
    ///         let mut coop = ready!(cx.poll_cooperate());
    ///         let item = self.0.pop_front();
    ///         if item.is_some() {
    ///             coop.made_progress();
    ///         }
    ///         Poll::Ready(item)
    ///     }
    /// }
    ///
    /// let mut queue = Queue((0..10).collect());
    /// let mut budget = task_coop::Budget::with_units(4);
    /// let mut cx = Context::from_waker(std::task::Waker::noop());
    /// let taken = budget.install(&mut cx, |cx| {
    ///     let mut taken = 0;
    ///     while let Poll::Ready(Some(_)) = queue.poll_pop(cx) {
    ///         taken += 1;
    ///     }
    ///     taken
    /// });
    /// assert_eq!(taken, 4);
    /// ```
    fn poll_cooperate(&mut self) -> Poll<Cooperation>;
}

impl ContextExt for Context<'_> {
    #[inline]
    fn poll_cooperate(&mut self) -> Poll<Cooperation> {
        dispatch::poll_cooperate(self)
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for core::task::Context<'_> {}
}
