//! [`cooperative`]: make any future spend one unit of budget when it
//! completes, like `tokio::task::coop::cooperative`.
//!
//! What can go wrong: wrapping a future that waits for something external is
//! harmless (its `Pending` polls are refunded); wrapping one that completes
//! at once in a loop is exactly what the budget is for.

use core::future::Future;
use core::pin::Pin;
use core::task::{ready, Context, Poll};

use crate::ContextExt;

/// Makes `future` take one unit of the task's budget when it completes.
///
/// Each poll first asks for a unit; if the budget is spent it returns
/// `Pending` without polling `future` (the task was woken to run again). If
/// `future` is still pending, the unit is given back.
///
/// Streams get the same per item from `coop_adapters` (`.cooperative()` on a
/// `Stream`), since this crate has no dependencies.
///
/// # Examples
///
/// ```
/// use std::future::Future;
/// use std::pin::pin;
/// use std::task::{Context, Poll, Waker};
/// use task_coop::{cooperative, Budget};
///
/// let mut budget = Budget::with_units(1);
/// let mut cx = Context::from_waker(Waker::noop());
/// budget.install(&mut cx, |cx| {
///     assert_eq!(pin!(cooperative(async { 1 })).poll(cx), Poll::Ready(1));
///     // The one unit is spent: the next one has to wait for the next poll.
///     assert_eq!(pin!(cooperative(async { 2 })).poll(cx), Poll::Pending);
/// });
/// ```
pub fn cooperative<F: Future>(future: F) -> Cooperative<F> {
    Cooperative { future }
}

/// Future for [`cooperative`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Cooperative<F> {
    future: F,
}

impl<F> Cooperative<F> {
    /// The wrapped future.
    pub fn into_inner(self) -> F {
        self.future
    }
}

impl<F: Future> Future for Cooperative<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut coop = ready!(cx.poll_cooperate());
        // SAFETY: structural pinning of the only field, as in `Unconstrained`.
        let future = unsafe { self.map_unchecked_mut(|this| &mut this.future) };
        let out = ready!(future.poll(cx));
        coop.made_progress();
        Poll::Ready(out)
    }
}
