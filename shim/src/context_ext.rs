//! [`ContextExt`]: the proposal's `Context::poll_cooperate`, as an extension
//! trait until std has it.
//!
//! When nothing is installed, `poll_cooperate` is always
//! `Ready(Cooperation::unconstrained())`; with the `tokio` feature, tokio's
//! own budget answers instead, which is unconstrained off tokio. Either way a
//! primitive that uses it runs unchanged on executors that have never heard
//! of budgets.

use core::task::{Context, Poll};

use crate::raw::carrier::{self, Found};
use crate::Cooperation;

/// The proposal's additions to [`Context`].
///
/// Porting to std, if it adopts the proposal, is deleting the `use` of this
/// trait.
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

    /// The units the installed provider has left, if it counts them; `None`
    /// when nothing is installed, inside [`unconstrained`](crate::unconstrained),
    /// or when the provider does not say.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// use task_coop::{Budget, ContextExt};
    ///
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert_eq!(cx.budget_remaining(), None);
    /// Budget::with_units(10).install(&mut cx, |cx| assert_eq!(cx.budget_remaining(), Some(10)));
    /// ```
    fn budget_remaining(&self) -> Option<u32>;
}

impl ContextExt for Context<'_> {
    #[inline]
    fn poll_cooperate(&mut self) -> Poll<Cooperation> {
        match carrier::lookup(self) {
            Found::Installed(slot, waker) => slot.poll_cooperate(waker),
            Found::Nothing => nothing_installed(self),
        }
    }

    fn budget_remaining(&self) -> Option<u32> {
        match carrier::lookup(self) {
            Found::Installed(slot, _) => slot.remaining(),
            Found::Nothing => None,
        }
    }
}

/// With no provider: tokio's budget if the feature is on, else no budget.
/// Inlined: inside a tokio task this is the hot path (measured: keeping it
/// out of line cost a third more than tokio's own `poll_proceed`).
#[inline]
fn nothing_installed(_cx: &mut Context<'_>) -> Poll<Cooperation> {
    #[cfg(feature = "tokio")]
    {
        crate::tokio_budget::fallback(_cx.waker())
    }
    #[cfg(not(feature = "tokio"))]
    {
        Poll::Ready(Cooperation::unconstrained())
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for core::task::Context<'_> {}
}
