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
//! stops one unit past the most a tokio budget can hold (128: tokio starts
//! every budget scope at 128 and has no way to raise it) and reports
//! "unconstrained". Taking the last unit counts one forced yield in tokio's
//! runtime metrics.
//!
//! Cost: counting is O(units left), at most 129 `poll_proceed` calls. tokio
//! has no O(1) getter, so the bridge counts only where nothing else will do:
//! with metrics on (units spent per poll), under a foreign executor's counting
//! provider (to charge it), and to tell a `block_on` root future from a thread
//! that merely entered a runtime handle. Polls inside tokio tasks, in a scope
//! the bridge opened, and on threads with no runtime never count.

use std::task::{Context, Poll, Waker};

use tokio::task::coop;

/// More units than any tokio budget can hold: tokio's budgets start at 128
/// (`Budget::initial`, tokio 1.x) and only go down.
const MORE_THAN_ANY_BUDGET: u16 = 129;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_a_budget_scope_exactly_and_leaves_it_as_it_was() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            assert_eq!(
                remaining(),
                Some(128),
                "a block_on root future starts with 128"
            );
            spend(5);
            assert_eq!(remaining(), Some(123));
            assert_eq!(remaining(), Some(123), "counting gives every unit back");
            assert_eq!(spend_all(), 123);
            assert_eq!(remaining(), Some(0));
            assert!(!coop::has_budget_remaining());
        });
    }

    #[test]
    fn an_entered_handle_without_a_scope_is_unconstrained() {
        assert_eq!(remaining(), None, "no runtime on this thread");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let _entered = rt.enter();
        assert_eq!(remaining(), None, "a handle entered outside block_on");
        assert_eq!(spend_all(), 0, "nothing to end");
        assert!(coop::has_budget_remaining());
    }

    #[test]
    fn inside_unconstrained_the_budget_is_unconstrained() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(coop::unconstrained(async {
            assert_eq!(remaining(), None);
        }));
    }
}
