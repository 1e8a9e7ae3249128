//! Acceptance 5: `mem::forget` of a `Cooperation` is sound. Its unit stays
//! spent (as with tokio's guard), and the `Budget` can still be installed
//! again and dropped.
#![cfg(feature = "alloc")]

mod support;

use std::mem;
use std::task::{Context, Waker};

use support::{spend, take};
use task_coop::{Budget, BudgetExt, Cooperation, CooperationVTable};

/// Forgets `coop`, returning its raw parts so that the test can give the
/// memory back at the end (for Miri's leak checker).
fn forget(coop: Cooperation) -> (*const (), &'static CooperationVTable) {
    let raw = (coop.data(), coop.vtable());
    mem::forget(coop);
    raw
}

#[test]
fn forgotten_cooperation_keeps_its_unit_spent_and_the_budget_usable() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(3);
    let mut forgotten = Vec::new();
    budget.install(&mut cx, |cx| {
        forgotten.push(forget(take(cx).unwrap()));
        assert_eq!(cx.budget_remaining(), Some(2));
        assert!(spend(cx));
    });
    assert_eq!(budget.remaining(), 1);

    // Reinstalled: a full budget, unaffected by the forgotten cooperation.
    budget.install(&mut cx, |cx| {
        assert_eq!(cx.budget_remaining(), Some(3));
        forgotten.push(forget(take(cx).unwrap()));
        assert!(spend(cx));
        assert!(spend(cx));
        assert!(!spend(cx));
    });
    assert_eq!(budget.remaining(), 0);
    budget.install(&mut cx, |cx| assert_eq!(cx.budget_remaining(), Some(3)));
    drop(budget);

    // Forgetting leaks by design. Give the memory back, as the vtable
    // contract allows at any later time, so that Miri's leak checker can
    // vouch for everything else; this also shows that a cooperation whose
    // budget is gone is sound to drop.
    for (data, vtable) in forgotten {
        // SAFETY: the parts came from a live cooperation that was
        // forgotten, so its vtable's `drop` has not run for this data yet,
        // and it runs once here, on the thread that made it.
        drop(unsafe { Cooperation::from_raw(data, vtable) });
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "forgetting leaks the budget's counter by design, and Miri reports leaks"
)]
fn forgetting_for_good_is_sound() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(255);
    for _ in 0..10 {
        budget.install(&mut cx, |cx| {
            while let Some(coop) = take(cx) {
                mem::forget(coop);
            }
        });
        assert_eq!(budget.remaining(), 0);
    }
}
