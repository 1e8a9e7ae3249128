//! [`TokioBudget`]: a provider backed by tokio's own budget (feature `tokio`).
//!
//! tokio keeps the budget in its thread-local and exposes only
//! `has_budget_remaining` and `poll_proceed`. A cooperation here checks for a
//! unit when it is taken (`has_budget_remaining`, about half a nanosecond)
//! and spends it in `made_progress` (`poll_proceed` plus `made_progress` on
//! tokio's guard). So a Context-based primitive and tokio's own types draw
//! from one budget, and a cooperation dropped without progress costs nothing.
//!
//! What can go wrong: the unit is spent at `made_progress`, not when it is
//! taken, so two cooperations held at once on the last unit can both go
//! ahead (tokio's own guards would have said `Pending` to the second). When
//! the budget is spent, tokio registers the waker: inside a tokio scheduler
//! the wake is deferred until the task yields, which is why a blocking
//! executor nested in a tokio task hangs (see MIGRATION.md).

use core::task::{Context, Poll, Waker};

use tokio::task::coop;

use crate::{Cooperation, CooperationProvider, CooperationVTable};

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
        crate::raw::carrier::install(cx, crate::raw::carrier::Slot::Tokio, poll)
    }
}

impl CooperationProvider for TokioBudget {
    #[inline]
    fn poll_cooperate(&self, waker: &Waker) -> Poll<Cooperation> {
        poll_cooperate(waker)
    }
}

/// The one vtable of tokio-backed cooperations.
static TOKIO_VTABLE: CooperationVTable = CooperationVTable::new(spend_unit, do_nothing);

/// `poll_cooperate` when nothing is installed: tokio's budget, whatever it
/// is on this thread. Off tokio (no task, no `block_on`) tokio's budget is
/// unconstrained, so the cooperation never runs out; it is still a
/// tokio-backed one (`is_unconstrained()` is false), because telling "off
/// tokio" apart costs two lookups in tokio's thread-local (about 4 ns) on
/// every call, where asking tokio's budget costs half a nanosecond.
#[inline]
pub(crate) fn fallback(waker: &Waker) -> Poll<Cooperation> {
    poll_cooperate(waker)
}

#[inline]
pub(crate) fn poll_cooperate(waker: &Waker) -> Poll<Cooperation> {
    if coop::has_budget_remaining() {
        // SAFETY: the data pointer is unused; both functions are sound at any
        // time on any thread (they only call tokio's public API).
        return Poll::Ready(unsafe { Cooperation::from_raw(core::ptr::null(), &TOKIO_VTABLE) });
    }
    // Out of budget: let tokio register the waker the way its own types do
    // (deferred until the task yields when inside its scheduler).
    let mut cx = Context::from_waker(waker);
    match coop::poll_proceed(&mut cx) {
        Poll::Pending => Poll::Pending,
        // Not reached: has_budget_remaining said no. Spend nothing.
        Poll::Ready(_restore) => Poll::Ready(Cooperation::unconstrained()),
    }
}

/// Whether `vtable` is tokio's: `Cooperation` then calls [`spend_unit`]
/// directly (the same function), which lets it inline.
#[inline]
pub(crate) fn is_tokio_vtable(vtable: &'static CooperationVTable) -> bool {
    core::ptr::eq(vtable, &TOKIO_VTABLE)
}

/// `made_progress`: spend one unit of tokio's current budget.
#[inline]
pub(crate) unsafe fn spend_unit(_data: *const ()) {
    let mut cx = Context::from_waker(Waker::noop());
    if let Poll::Ready(restore) = coop::poll_proceed(&mut cx) {
        restore.made_progress();
    }
}

unsafe fn do_nothing(_data: *const ()) {}
