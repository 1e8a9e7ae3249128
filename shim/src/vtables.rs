//! The crate's own cooperation vtables (but the opt-out's, which
//! `cooperation.rs` keeps): tokio-backed cooperations' and the budget's.
//!
//! Each is one `static`, recognised by its address: the fast paths in
//! `dispatch.rs` compare a cooperation's vtable with it and, when it is
//! theirs, call the provider's function directly so that it inlines. Where
//! the compiler sees which cooperation `poll_cooperate` made, it decides the
//! compare at compile time.
//!
//! A budget cooperation carries its restore value in its data pointer
//! (`raw::budget_cell`), so every budget cooperation has the same vtable.
//! From 2b12e6d to d507287 the value was a choice among 256 vtables; telling
//! them apart cost a load and a compare per operation that the compiler
//! could not decide (`benches/README.md`).
//!
//! What can go wrong: a vtable whose functions do not match its data. Each
//! vtable here is only paired with the data its own provider made
//! (`dispatch.rs`).

use crate::cooperation::CooperationVTable;
#[cfg(feature = "alloc")]
use crate::raw::budget_cell;

/// The vtable of budget cooperations: `made_progress` keeps the unit spent,
/// `drop` gives it back (to the restore value in the data pointer). A
/// non-generic `static`, recognised by address.
#[cfg(feature = "alloc")]
pub(crate) static BUDGET: CooperationVTable =
    CooperationVTable::new(budget_made_progress, budget_drop);

/// The vtable of tokio-backed cooperations: `made_progress` spends a unit of
/// tokio's budget, `drop` does nothing (the unit is only spent at
/// `made_progress`). A non-generic `static`, recognised by address.
#[cfg(feature = "tokio")]
pub(crate) static TOKIO: CooperationVTable =
    CooperationVTable::new(tokio_made_progress, crate::cooperation::do_nothing);

/// The tokio cooperation's `made_progress`: spend one unit of tokio's current
/// budget.
#[cfg(feature = "tokio")]
#[inline]
pub(crate) fn tokio_made_progress(_data: *const ()) {
    use core::task::{Context, Poll, Waker};
    let mut cx = Context::from_waker(Waker::noop());
    if let Poll::Ready(restore) = tokio::task::coop::poll_proceed(&mut cx) {
        restore.made_progress();
    }
}

/// The `made_progress` of [`BUDGET`]. The fast path in `dispatch.rs` calls
/// `budget_cell::made_progress` itself; a caller that goes through the
/// vtable calls this (a copy of the vtable by value, or a copy of this crate
/// in another dynamic library, whose `static` has another address).
///
/// # Safety
///
/// As for `budget_cell::made_progress`, for the data `poll_budget` paired
/// with this vtable: what the `CooperationVTable` contract promises a
/// vtable's `made_progress`.
#[cfg(feature = "alloc")]
unsafe fn budget_made_progress(data: *const ()) {
    // SAFETY: the caller's promise.
    unsafe { budget_cell::made_progress(data) }
}

/// The `drop` of [`BUDGET`], for the same callers as
/// [`budget_made_progress`].
///
/// # Safety
///
/// As for `budget_cell::drop_cooperation`, for the data `poll_budget`
/// paired with this vtable: what the `CooperationVTable` contract promises a
/// vtable's `drop`.
#[cfg(feature = "alloc")]
unsafe fn budget_drop(data: *const ()) {
    // SAFETY: the caller's promise.
    unsafe { budget_cell::drop_cooperation(data) }
}

#[cfg(test)]
mod tests {
    use core::task::{Context, Poll, Waker};

    use crate::{Budget, BudgetExt, ContextExt, Cooperation};

    /// Takes one cooperation from a fresh `Budget` of `units`, in an
    /// installation, and hands it with the context to `f`.
    fn with_first_cooperation(units: u8, f: impl FnOnce(&mut Context<'_>, Cooperation)) {
        let mut budget = Budget::with_units(units);
        let mut cx = Context::from_waker(Waker::noop());
        budget.install(&mut cx, |cx| {
            let Poll::Ready(coop) = cx.poll_cooperate() else {
                panic!("a fresh budget of {units} units said Pending");
            };
            f(cx, coop);
        });
    }

    #[test]
    fn every_budget_cooperation_has_the_budget_vtable() {
        for units in 1..=u8::MAX {
            with_first_cooperation(units, |_, coop| {
                assert!(core::ptr::eq(coop.vtable(), &super::BUDGET));
            });
        }
        #[cfg(feature = "tokio")]
        assert!(!core::ptr::eq(&super::TOKIO, &super::BUDGET));
        assert!(!core::ptr::eq(
            Cooperation::unconstrained().vtable(),
            &super::BUDGET
        ));
    }

    /// What a caller that goes through the vtable's own functions gets (a
    /// copy of the crate in another dynamic library): for every restore
    /// value, `drop` gives back exactly the units the cooperation took, and
    /// `made_progress` none.
    #[test]
    fn the_budget_vtables_own_functions_restore_every_value() {
        for units in 1..=u8::MAX {
            with_first_cooperation(units, |cx, coop| {
                assert_eq!(cx.budget_remaining(), Some(u32::from(units) - 1));
                coop.drop_by_vtable();
                assert_eq!(cx.budget_remaining(), Some(u32::from(units)));
            });
            with_first_cooperation(units, |cx, coop| {
                coop.made_progress_by_vtable();
                assert_eq!(cx.budget_remaining(), Some(u32::from(units) - 1));
            });
        }
    }
}
