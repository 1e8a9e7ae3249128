//! The crate's own cooperation vtables (but the opt-out's, which
//! `cooperation.rs` keeps): tokio-backed cooperations' and the budget's, and
//! how a budget cooperation's restore value travels in its choice of vtable.
//!
//! Why 256 budget vtables: a budget cooperation must carry the units that
//! were left before it was taken (what dropping it without progress puts
//! back). Carried in its data pointer's low bits (until 2b12e6d), the
//! pointer, and so the address that `made_progress` increments, depended on
//! the units just loaded: each operation's release waited for its take, one
//! chain of dependent loads and stores from one operation to the next
//! (measured with `op_loop`: 3.8 ns per budget operation against 2.7 ns
//! with this table, which runs more instructions). Here the data pointer is
//! the cell's, untouched, and the restore value is the vtable's index in
//! [`BUDGET_VTABLES`].
//!
//! How the fast paths in `dispatch.rs` recognise them:
//!
//! * `made_progress` by the vtable's `made_progress` function
//!   ([`is_budget_made_progress`]): all 256 share one, and calling it
//!   directly is what calling it through the vtable does.
//! * `drop` by the vtable's address ([`budget_restore`]), which also gives
//!   the restore value.
//!
//! What can go wrong: a vtable whose `drop` gives back another restore value
//! than its index (each is generated from its index, [`budget_vtable_for`]),
//! or an address test that accepts something outside the table
//! ([`budget_restore`] compares the offset with the table's size). Both are
//! tested on every entry (the tests below).

use crate::cooperation::CooperationVTable;
#[cfg(feature = "alloc")]
use crate::raw::budget_cell;

/// The vtables of budget cooperations: `BUDGET_VTABLES[r]` for a cooperation
/// taken with `r` units left. A non-generic `static`, recognised by address.
#[cfg(feature = "alloc")]
static BUDGET_VTABLES: [CooperationVTable; 256] =
    flatten(budget_vtables!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15));

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

/// The 256 budget vtables, as 16 rows of 16 (`$hi` is the row):
/// `[r / 16][r % 16]` is `budget_vtable_for::<r>()`.
#[cfg(feature = "alloc")]
macro_rules! budget_vtables {
    ($($hi:literal)*) => {
        [$(budget_vtables!(@row $hi, 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)),*]
    };
    (@row $hi:literal, $($lo:literal)*) => {
        [$(budget_vtable_for::<{ $hi * 16 + $lo }>()),*]
    };
}
#[cfg(feature = "alloc")]
use budget_vtables;

/// `rows` in one array, row after row (a flat array is indexed with one
/// multiplication).
#[cfg(feature = "alloc")]
const fn flatten(rows: [[CooperationVTable; 16]; 16]) -> [CooperationVTable; 256] {
    let mut flat = [rows[0][0]; 256];
    let mut i = 0;
    while i < flat.len() {
        flat[i] = rows[i / 16][i % 16];
        i += 1;
    }
    flat
}

/// The budget vtable for restore value `R`.
#[cfg(feature = "alloc")]
const fn budget_vtable_for<const R: u8>() -> CooperationVTable {
    CooperationVTable::new(budget_made_progress, drop_restoring::<R>)
}

/// The `made_progress` of every budget vtable: `budget_cell::made_progress`.
/// Never inlined, so that it is one function with one address, which
/// [`is_budget_made_progress`] recognises.
///
/// # Safety
///
/// As for `budget_cell::made_progress`, for the data `poll_budget` paired
/// with this vtable: what the `CooperationVTable` contract promises a
/// vtable's `made_progress`.
#[cfg(feature = "alloc")]
#[inline(never)]
unsafe fn budget_made_progress(data: *const ()) {
    // SAFETY: the caller's promise.
    unsafe { budget_cell::made_progress(data) }
}

/// Whether `vtable`'s `made_progress` is the budget's, so that calling
/// `budget_cell::made_progress` directly is what calling it through the
/// vtable would do (and inlines). One load and one compare; a vtable copied
/// out of the table by value is recognised too, and rightly: its function
/// is the same.
///
/// If the compiler gave the function two addresses (it does not promise
/// one), the test is false and the caller goes through the vtable: slower,
/// not wrong.
#[cfg(feature = "alloc")]
#[inline(always)]
pub(crate) fn is_budget_made_progress(vtable: &CooperationVTable) -> bool {
    core::ptr::fn_addr_eq(
        vtable.made_progress_fn(),
        budget_made_progress as unsafe fn(*const ()),
    )
}

/// The `drop` of the budget vtable for `R`: `budget_cell::drop_cooperation`
/// with `R` as the restore value. The fast path in `dispatch.rs` never calls
/// it (it recognises the vtable and calls `budget_cell` itself); a caller
/// that goes through the vtable does, such as a copy of this crate in
/// another dynamic library, whose `static` has another address.
///
/// # Safety
///
/// As for `budget_cell::drop_cooperation`, for the data `poll_budget` paired
/// with this vtable: what the `CooperationVTable` contract promises a
/// vtable's `drop`.
#[cfg(feature = "alloc")]
unsafe fn drop_restoring<const R: u8>(data: *const ()) {
    // SAFETY: the caller's promise; `R` is the restore value this vtable
    // was chosen for.
    unsafe { drop_out_of_line(data, R) }
}

/// `budget_cell::drop_cooperation`, once for the 256 [`drop_restoring`]s,
/// so that each of them is a jump (about 3 KiB of code for the 256 instead
/// of 13).
///
/// # Safety
///
/// As for `budget_cell::drop_cooperation`.
#[cfg(feature = "alloc")]
#[inline(never)]
unsafe fn drop_out_of_line(data: *const (), restore: u8) {
    // SAFETY: the caller's promise.
    unsafe { budget_cell::drop_cooperation(data, restore) }
}

/// The vtable of a budget cooperation whose restore value is `restore`.
#[cfg(feature = "alloc")]
#[inline(always)]
pub(crate) fn budget(restore: u8) -> &'static CooperationVTable {
    &BUDGET_VTABLES[usize::from(restore)]
}

/// The restore value of a budget cooperation's vtable, or `None` if `vtable`
/// is not one of the budget's: the inverse of [`budget`].
///
/// Only an address inside the table can be one of its elements, and
/// elements are `size_of::<CooperationVTable>()` apart, so the offset says
/// which.
#[cfg(feature = "alloc")]
#[inline(always)]
pub(crate) fn budget_restore(vtable: &'static CooperationVTable) -> Option<u8> {
    let table = &BUDGET_VTABLES;
    let offset = core::ptr::from_ref(vtable)
        .addr()
        .wrapping_sub(table.as_ptr().addr());
    if offset < core::mem::size_of_val(table) {
        // At most 255: the table has 256 elements.
        Some((offset / core::mem::size_of::<CooperationVTable>()) as u8)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use core::task::{Context, Poll, Waker};

    use super::{budget, budget_restore, BUDGET_VTABLES};
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
    fn each_restore_value_has_its_own_vtable_and_back() {
        let table = &BUDGET_VTABLES;
        for restore in 0..=u8::MAX {
            let vtable = budget(restore);
            assert!(core::ptr::eq(vtable, &table[usize::from(restore)]));
            assert_eq!(budget_restore(vtable), Some(restore));
        }
        // Other vtables of the crate.
        #[cfg(feature = "tokio")]
        assert_eq!(budget_restore(&super::TOKIO), None);
        assert_eq!(budget_restore(Cooperation::unconstrained().vtable()), None);
    }

    /// What a caller that goes through the vtable's own functions gets (a
    /// copy of the crate in another dynamic library): every table entry's
    /// `drop` gives back exactly the units its index says, and its
    /// `made_progress` none.
    #[test]
    fn every_budget_vtables_own_functions_restore_its_units() {
        for units in 1..=u8::MAX {
            with_first_cooperation(units, |cx, coop| {
                assert_eq!(budget_restore(coop.vtable()), Some(units));
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
