//! Reading and lowering tokio's budget with its public API only.
//!
//! tokio has no getter and no setter for its budget. What it does have:
//! `has_budget_remaining()` and `poll_proceed()`, whose guard restores the
//! budget to its value before the call when dropped without progress. So:
//!
//! * the units left are counted by taking guards until none is left, then
//!   dropping them in reverse order, which puts every unit back (O(units),
//!   about 3 ns a unit);
//! * the budget is lowered by spending units (`poll_proceed` plus
//!   `made_progress`).
//!
//! What can go wrong: counting an unconstrained budget would never end, so it
//! stops after tokio's maximum (a `u8`) and reports "unconstrained". Taking
//! the last unit counts one forced yield in tokio's runtime metrics.

use std::task::{Context, Poll, Waker};

use tokio::task::coop;

/// More units than any tokio budget can hold (it is a `u8`).
const MORE_THAN_ANY_BUDGET: u16 = 256;

/// Units left in tokio's budget on this thread, or `None` if it is
/// unconstrained (outside a tokio budget scope, or inside `unconstrained`).
/// Leaves the budget as it found it.
pub(crate) fn remaining() -> Option<u8> {
    let taken = take_until_empty(0);
    if taken >= MORE_THAN_ANY_BUDGET {
        None
    } else {
        Some(taken as u8)
    }
}

/// Takes one guard, recurses, then drops the guard: the recursion drops the
/// guards in last-in-first-out order, which restores the budget exactly.
fn take_until_empty(depth: u16) -> u16 {
    if depth >= MORE_THAN_ANY_BUDGET || !coop::has_budget_remaining() {
        return depth;
    }
    let mut cx = Context::from_waker(Waker::noop());
    match coop::poll_proceed(&mut cx) {
        Poll::Ready(_restore_on_drop) => take_until_empty(depth + 1),
        Poll::Pending => depth,
    }
}

/// Spends `units` of tokio's budget on this thread (fewer if it runs out).
pub(crate) fn spend(units: u8) {
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..units {
        match coop::poll_proceed(&mut cx) {
            Poll::Ready(restore) => restore.made_progress(),
            Poll::Pending => return,
        }
    }
}

/// Spends every unit left in tokio's budget on this thread; returns how many.
/// Nothing if it is unconstrained (there is nothing to end).
pub(crate) fn spend_all() -> u8 {
    let Some(left) = remaining() else { return 0 };
    spend(left);
    left
}
