//! Acceptance 5: a panic inside a budgeted poll leaves the `Budget` with the
//! units it had before that poll, and the thread-local as it was: nothing
//! installed outside, and an outer installation intact inside it.
#![cfg(feature = "alloc")]

mod support;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::task::{Context, Poll, Waker};

use support::{spend, take};
use task_coop::{Budget, BudgetExt, ContextExt};

/// Installs `budget` and panics after spending `spent` units and while
/// holding one more.
fn panicking_poll(budget: &mut Budget, cx: &mut Context<'_>, spent: u8) {
    let result = catch_unwind(AssertUnwindSafe(|| {
        budget.install(cx, |cx| {
            for _ in 0..spent {
                assert!(spend(cx));
            }
            let _held = take(cx);
            panic!("a future panicked inside a budgeted poll (expected by the test)");
        })
    }));
    assert!(result.is_err());
}

/// What `poll_cooperate` says with nothing installed on this thread.
fn assert_nothing_installed(cx: &mut Context<'_>) {
    assert_eq!(cx.budget_remaining(), None);
    let Poll::Ready(coop) = cx.poll_cooperate() else {
        panic!("Pending with nothing installed");
    };
    // With the `tokio` feature an empty slot falls back to tokio's budget,
    // which has its own (unconstrained here) cooperation.
    #[cfg(not(feature = "tokio"))]
    assert!(coop.is_unconstrained());
    drop(coop);
}

#[test]
fn panic_restores_the_budget_and_leaves_nothing_installed() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(10);
    budget.install(&mut cx, |cx| {
        for _ in 0..3 {
            assert!(spend(cx));
        }
    });
    assert_eq!(budget.remaining(), 7);

    panicking_poll(&mut budget, &mut cx, 4);
    assert_eq!(
        budget.remaining(),
        7,
        "units as before the poll that panicked"
    );
    assert_nothing_installed(&mut cx);

    // The budget still works.
    budget.install(&mut cx, |cx| {
        assert_eq!(cx.budget_remaining(), Some(10));
        assert!(spend(cx));
    });
    assert_eq!(budget.remaining(), 9);
}

#[test]
fn panic_in_an_inner_installation_leaves_the_outer_one_intact() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut outer = Budget::with_units(10);
    let mut inner = Budget::with_units(5);
    outer.install(&mut cx, |cx| {
        assert!(spend(cx));
        panicking_poll(&mut inner, cx, 2);
        assert_eq!(inner.remaining(), 5);
        // Through the context's carrier.
        assert_eq!(cx.budget_remaining(), Some(9));
        // Through the thread-local, as a child polled with its own waker.
        #[cfg(feature = "std")]
        assert_eq!(
            Context::from_waker(Waker::noop()).budget_remaining(),
            Some(9)
        );
        assert!(spend(cx));
    });
    assert_eq!(outer.remaining(), 8);
    assert_nothing_installed(&mut cx);
}
