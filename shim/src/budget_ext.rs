//! [`BudgetExt`]: what this crate adds to `Context` beyond the proposal.

use core::task::Context;

use crate::dispatch;

/// An extension of [`Context`] beyond the proposal: how much budget the
/// installed provider has left.
///
/// Not in the proposal, which specifies no counter (a provider need not count
/// at all), so std would have no equivalent: when porting to std, keep
/// `task-coop` for it or drop the call. The proposal's own API is
/// [`ContextExt`](crate::ContextExt).
pub trait BudgetExt: sealed::Sealed {
    /// The units the installed provider has left, if it counts them; `None`
    /// when nothing is installed, inside [`unconstrained`](crate::unconstrained),
    /// or when the provider does not say (see
    /// [`CooperationProvider::remaining`](crate::CooperationProvider::remaining)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// use task_coop::{Budget, BudgetExt};
    ///
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert_eq!(cx.budget_remaining(), None);
    /// Budget::with_units(10).install(&mut cx, |cx| assert_eq!(cx.budget_remaining(), Some(10)));
    /// ```
    fn budget_remaining(&self) -> Option<u32>;
}

impl BudgetExt for Context<'_> {
    fn budget_remaining(&self) -> Option<u32> {
        dispatch::remaining(self)
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for core::task::Context<'_> {}
}
