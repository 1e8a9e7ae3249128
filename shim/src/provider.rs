//! [`CooperationProvider`]: what answers `poll_cooperate` for the futures an
//! executor polls (installing one is in `install.rs`).
//!
//! What can go wrong: a provider that hands out `Ready` forever gives no
//! budget at all; one that returns `Pending` without waking the waker it was
//! given leaves the task asleep for good.

use core::task::{Poll, Waker};

use crate::Cooperation;

/// Something that answers [`poll_cooperate`](crate::ContextExt::poll_cooperate)
/// for the futures an executor polls: the proposal's `set_poll_cooperate`
/// function, with `&self` for its state.
///
/// It is only called on the thread that polls, during the poll (or, for
/// futures that keep a [`Cooperation`], whatever the cooperation's vtable
/// does later), so interior mutability through `Cell` is enough.
///
/// Do not answer by asking a `Context` of your own
/// (`Context::from_waker(waker).poll_cooperate()`): with the `std` feature
/// that finds this same provider through the thread-local, and recurses
/// until the stack overflows.
///
/// # Examples
///
/// A provider that lets every other request through:
///
/// ```
/// use std::cell::Cell;
/// use std::task::{Context, Poll, Waker};
/// use task_coop::{with_provider, ContextExt, Cooperation, CooperationProvider};
///
/// struct EveryOther(Cell<bool>);
///
/// impl CooperationProvider for EveryOther {
///     fn poll_cooperate(&self, waker: &Waker) -> Poll<Cooperation> {
///         if self.0.replace(!self.0.get()) {
///             waker.wake_by_ref(); // a provider that says Pending must wake
///             Poll::Pending
///         } else {
///             Poll::Ready(Cooperation::unconstrained())
///         }
///     }
/// }
///
/// let provider = EveryOther(Cell::new(false));
/// let mut cx = Context::from_waker(Waker::noop());
/// with_provider(&mut cx, &provider, |cx| {
///     assert!(cx.poll_cooperate().is_ready());
///     assert!(cx.poll_cooperate().is_pending());
///     assert!(cx.poll_cooperate().is_ready());
/// });
/// ```
pub trait CooperationProvider {
    /// Hands out one unit of budget, or returns `Pending` after arranging for
    /// `waker` to be woken (usually at once: the task should yield, not wait).
    ///
    /// `waker` is the waker of the future that asked: the executor's waker, or
    /// the waker of a combinator's child (see [the crate docs](crate#how-the-budget-travels)).
    fn poll_cooperate(&self, waker: &Waker) -> Poll<Cooperation>;

    /// The units left, if this provider counts them. Bridges use it to give a
    /// nested budget scope (for example tokio's) the same number of units;
    /// [`BudgetExt::budget_remaining`](crate::BudgetExt::budget_remaining)
    /// reports it.
    ///
    /// Not in the proposal, which specifies no counter (a provider need not
    /// count at all): an extension of this crate. `None` by default.
    fn remaining(&self) -> Option<u32> {
        None
    }
}
