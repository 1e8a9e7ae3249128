//! [`unconstrained`]: the opt-out, as a future wrapper.
//!
//! What can go wrong: a task that always finds work inside `unconstrained`
//! never yields because of its budget, which is the point, and also the risk
//! the budget exists to prevent.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use crate::provider::with_unconstrained;

/// Turns off the Context budget for `future`: inside it,
/// [`poll_cooperate`](crate::ContextExt::poll_cooperate) always returns
/// [`Cooperation::unconstrained`](crate::Cooperation::unconstrained), whatever
/// the executor installed. Code around it stays budgeted.
///
/// This does not turn off tokio's own budget for tokio's types; the facade
/// crate's `coop_compat::unconstrained` (feature `tokio`) turns off both.
///
/// # Examples
///
/// ```
/// use std::pin::pin;
/// use std::task::{Context, Poll, Waker};
/// use task_coop::{unconstrained, Budget, ContextExt};
///
/// let drain = std::future::poll_fn(|cx| {
///     for _ in 0..1000 {
///         let Poll::Ready(mut coop) = cx.poll_cooperate() else { return Poll::Pending };
///         coop.made_progress();
///     }
///     Poll::Ready(())
/// });
/// let mut task = pin!(unconstrained(drain));
/// let mut budget = Budget::with_units(1);
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(budget.poll(task.as_mut(), &mut cx).is_ready());
/// ```
pub fn unconstrained<F: Future>(future: F) -> Unconstrained<F> {
    Unconstrained { future }
}

/// Future for [`unconstrained`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Unconstrained<F> {
    future: F,
}

impl<F> Unconstrained<F> {
    /// The wrapped future.
    pub fn into_inner(self) -> F {
        self.future
    }
}

impl<F: Future> Future for Unconstrained<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: structural pinning of the only field: it is never moved out
        // of a pinned `Unconstrained` (`into_inner` takes `self` by value, which
        // needs an unpinned one), and there is no `Drop` impl.
        let future = unsafe { self.map_unchecked_mut(|this| &mut this.future) };
        with_unconstrained(cx, |cx| future.poll(cx))
    }
}
