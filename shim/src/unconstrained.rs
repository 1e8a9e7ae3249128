//! [`unconstrained`]: the opt-out, as a future wrapper.
//!
//! What can go wrong: a task that always finds work inside `unconstrained`
//! never yields because of its budget, which is the point, and also the risk
//! the budget exists to prevent.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use crate::dispatch;

/// Turns off every budget compiled in for `future`: inside it,
/// [`poll_cooperate`](crate::ContextExt::poll_cooperate) always returns
/// [`Cooperation::unconstrained`](crate::Cooperation::unconstrained), whatever
/// the executor installed, and with the `tokio` feature tokio's own budget is
/// off too (as in `tokio::task::coop::unconstrained`), so tokio's types inside
/// never force a yield. Code around it stays budgeted.
///
/// The same type, with the same methods, with or without the `tokio` feature.
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
    ///
    /// # Examples
    ///
    /// ```
    /// let wrapped = task_coop::unconstrained(async { 1 });
    /// let _future = wrapped.into_inner();
    /// ```
    pub fn into_inner(self) -> F {
        self.future
    }
}

impl<F: Future> Future for Unconstrained<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: structural pinning of the only field (`Pin::map_unchecked_mut`'s
        // contract): it is never moved out of a pinned `Unconstrained`
        // (`into_inner` takes `self` by value, which needs an unpinned one),
        // there is no `Drop` impl, and `Unconstrained<F>` is `Unpin` only if
        // `F` is.
        let future = unsafe { self.map_unchecked_mut(|this| &mut this.future) };
        poll_unconstrained(future, cx)
    }
}

/// Polls `future` with the Context budget off.
#[cfg(not(feature = "tokio"))]
#[inline]
fn poll_unconstrained<F: Future>(future: Pin<&mut F>, cx: &mut Context<'_>) -> Poll<F::Output> {
    dispatch::install_unconstrained(cx, |cx| future.poll(cx))
}

/// Polls `future` with tokio's budget off (tokio's `Unconstrained`, built for
/// this poll around a borrow of it), and inside that with the Context budget
/// off.
#[cfg(feature = "tokio")]
#[inline]
fn poll_unconstrained<F: Future>(mut future: Pin<&mut F>, cx: &mut Context<'_>) -> Poll<F::Output> {
    let inner = core::future::poll_fn(|cx: &mut Context<'_>| {
        dispatch::install_unconstrained(cx, |cx| future.as_mut().poll(cx))
    });
    core::pin::pin!(tokio::task::coop::unconstrained(inner)).poll(cx)
}
