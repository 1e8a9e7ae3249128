//! The executor side: what a provider is, and how to install one for a poll.
//!
//! This is the stable stand-in for the proposal's
//! `ContextBuilder::set_poll_cooperate`. An executor (or a combinator that
//! wants to change the budget of what it polls) calls [`with_provider`] with
//! the `Context` it was going to poll with; the closure gets a `Context` whose
//! [`poll_cooperate`](crate::ContextExt::poll_cooperate) is answered by the
//! provider. Most executors want the ready-made [`Budget`](crate::Budget).
//!
//! What can go wrong: a provider that hands out `Ready` forever gives no
//! budget at all; one that returns `Pending` without waking the waker it was
//! given leaves the task asleep for good.

use core::task::{Context, Poll, Waker};

use crate::raw::carrier::{self, Slot};
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
    /// nested budget scope (for example tokio's) the same number of units.
    fn remaining(&self) -> Option<u32> {
        None
    }
}

/// The safe way to define what a [`Cooperation`] does, as [`std::task::Wake`]
/// is for wakers. `Rc<C>` converts into a `Cooperation` with `.into()`.
///
/// [`std::task::Wake`]: https://doc.rust-lang.org/std/task/trait.Wake.html
///
/// # Examples
///
/// A provider that counts the units spent, in safe code:
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::task::{Context, Poll, Waker};
/// use task_coop::{with_provider, ContextExt, Cooperate, Cooperation, CooperationProvider};
///
/// #[derive(Default)]
/// struct Meter {
///     spent: Cell<u32>,
/// }
///
/// impl Cooperate for Meter {
///     fn made_progress(self: Rc<Self>) {
///         self.spent.set(self.spent.get() + 1);
///     }
/// }
///
/// struct Metered(Rc<Meter>);
///
/// impl CooperationProvider for Metered {
///     fn poll_cooperate(&self, _waker: &Waker) -> Poll<Cooperation> {
///         Poll::Ready(self.0.clone().into())
///     }
/// }
///
/// let provider = Metered(Rc::default());
/// let mut cx = Context::from_waker(Waker::noop());
/// with_provider(&mut cx, &provider, |cx| {
///     let Poll::Ready(mut coop) = cx.poll_cooperate() else { unreachable!() };
///     coop.made_progress();
///     let Poll::Ready(_unused) = cx.poll_cooperate() else { unreachable!() };
/// });
/// assert_eq!(provider.0.spent.get(), 1);
/// ```
#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub trait Cooperate {
    /// The future made progress with this cooperation. Should neither panic
    /// nor wake the task (see [`CooperationVTable`](crate::CooperationVTable)).
    fn made_progress(self: alloc::rc::Rc<Self>);

    /// The cooperation was dropped without progress. Does nothing by default.
    fn no_progress(self: alloc::rc::Rc<Self>) {}
}

/// Runs `poll` with a context whose
/// [`poll_cooperate`](crate::ContextExt::poll_cooperate) is answered by
/// `provider`, and whose waker wakes the same task as `cx`'s.
///
/// The innermost installation wins; the outer one is back when this returns.
///
/// # Examples
///
/// See [`CooperationProvider`]; for a counting budget, [`Budget::install`](crate::Budget::install).
pub fn with_provider<R>(
    cx: &mut Context<'_>,
    provider: &dyn CooperationProvider,
    poll: impl FnOnce(&mut Context<'_>) -> R,
) -> R {
    carrier::install(cx, Slot::Provider(provider), poll)
}

/// Runs `poll` with `poll_cooperate` back to the no-budget default: every
/// call returns [`Cooperation::unconstrained`]. The proposal's opt-out;
/// [`unconstrained`](crate::unconstrained) is the same as a future wrapper.
///
/// # Examples
///
/// ```
/// use std::task::{Context, Poll, Waker};
/// use task_coop::{with_unconstrained, Budget, ContextExt};
///
/// let mut budget = Budget::with_units(1);
/// let mut cx = Context::from_waker(Waker::noop());
/// budget.install(&mut cx, |cx| {
///     with_unconstrained(cx, |cx| {
///         for _ in 0..1000 {
///             let Poll::Ready(mut coop) = cx.poll_cooperate() else { panic!("yielded") };
///             coop.made_progress();
///         }
///     });
/// });
/// assert_eq!(budget.remaining(), 1);
/// ```
pub fn with_unconstrained<R>(cx: &mut Context<'_>, poll: impl FnOnce(&mut Context<'_>) -> R) -> R {
    carrier::install(cx, Slot::Unconstrained, poll)
}
