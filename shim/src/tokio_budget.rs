//! [`TokioBudget`]: a provider backed by tokio's own budget (feature `tokio`).
//! How its cooperations work is in `dispatch.rs` (`poll_tokio`), with the
//! crate's other providers.
//!
//! What can go wrong: the unit is spent at `made_progress`, not when it is
//! taken, so two cooperations held at once on the last unit can both go
//! ahead (tokio's own guards would have said `Pending` to the second). When
//! the budget is spent, tokio registers the waker: inside a tokio scheduler
//! the wake is deferred until the task yields, which is why a blocking
//! executor nested in a tokio task hangs (see MIGRATION.md).

use core::task::{Context, Poll, Waker};

use crate::dispatch;
use crate::{Cooperation, CooperationProvider};

/// Answers `poll_cooperate` from tokio's budget of the current task. Outside
/// a tokio budget scope (any thread not inside a tokio task poll or
/// `block_on`) that budget is unconstrained and every call is `Ready`.
///
/// With the `tokio` feature this is also what `poll_cooperate` falls back to
/// when no provider is installed, so a Context-based primitive shares the
/// budget of the tokio task that polls it without any wrapper.
///
/// # Examples
///
/// ```
/// use std::task::Poll;
/// use task_coop::ContextExt;
///
/// let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// // `block_on` gives its future tokio's budget, like a task poll.
/// let yielded_after = runtime.block_on(std::future::poll_fn(|cx| {
///     let mut taken = 0;
///     while let Poll::Ready(mut coop) = cx.poll_cooperate() {
///         coop.made_progress();
///         taken += 1;
///     }
///     Poll::Ready(taken)
/// }));
/// assert_eq!(yielded_after, 128); // tokio's budget per poll
/// ```
#[derive(Debug, Default, Clone, Copy)]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub struct TokioBudget;

impl TokioBudget {
    /// Polls `poll` with tokio's budget installed, so that `poll_cooperate`
    /// inside draws from tokio's budget of the current task even where
    /// another provider is installed further out.
    ///
    /// The same as [`with_provider(cx, &TokioBudget, poll)`](crate::with_provider),
    /// without the dynamic call: the check is inlined into each
    /// `poll_cooperate`, as for [`Budget::install`](crate::Budget::install).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// use task_coop::{Budget, ContextExt, TokioBudget};
    ///
    /// let mut budget = Budget::with_units(1);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// budget.install(&mut cx, |cx| {
    ///     // Off tokio, tokio's budget is unconstrained: the inner
    ///     // installation wins over the Budget of 1 unit.
    ///     TokioBudget.install(cx, |cx| {
    ///         for _ in 0..10 {
    ///             let Poll::Ready(mut coop) = cx.poll_cooperate() else { panic!("yielded") };
    ///             coop.made_progress();
    ///         }
    ///     });
    /// });
    /// assert_eq!(budget.remaining(), 1);
    /// ```
    #[inline]
    pub fn install<R>(self, cx: &mut Context<'_>, poll: impl FnOnce(&mut Context<'_>) -> R) -> R {
        dispatch::install_tokio(cx, poll)
    }
}

impl CooperationProvider for TokioBudget {
    #[inline]
    fn poll_cooperate(&self, waker: &Waker) -> Poll<Cooperation> {
        dispatch::poll_tokio(waker)
    }
}
