//! `with_budget`: a budget for one poll on this thread's counter behaves like
//! `Budget::install`: fresh units each time, one wake when spent, nested
//! installations independent, late cooperations detached, panics contained.
#![cfg(feature = "std")]

mod support;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::task::{Context, Waker};

use support::{spend, spend_all, take, WakeCounter};
use task_coop::{with_budget, BudgetExt};

#[test]
fn each_installation_starts_with_its_units_and_wakes_once_when_spent() {
    let (wakes, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    for units in [1u8, 7, 128, 255] {
        let before = wakes.wakes();
        assert_eq!(with_budget(&mut cx, units, spend_all), u32::from(units));
        assert_eq!(wakes.wakes() - before, 1, "{units} units");
    }
}

#[test]
fn a_nested_installation_has_its_own_counter() {
    let mut cx = Context::from_waker(Waker::noop());
    with_budget(&mut cx, 10, |cx| {
        assert!(spend(cx));
        assert_eq!(with_budget(cx, 3, spend_all), 3);
        assert_eq!(cx.budget_remaining(), Some(9));
        assert_eq!(spend_all(cx), 9);
    });
    // The thread's counter is fine afterwards.
    assert_eq!(with_budget(&mut cx, 4, spend_all), 4);
}

#[test]
fn a_cooperation_kept_past_its_poll_never_touches_a_later_one() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut kept = with_budget(&mut cx, 2, |cx| take(cx).expect("a fresh budget has units"));
    let mut dropped_late =
        with_budget(&mut cx, 2, |cx| take(cx).expect("a fresh budget has units"));
    with_budget(&mut cx, 2, |cx| {
        assert!(spend(cx));
        // Neither spends nor refunds this installation's units.
        kept.made_progress();
        drop(std::mem::take(&mut dropped_late));
        assert_eq!(cx.budget_remaining(), Some(1));
    });
}

#[test]
fn a_panicking_poll_leaves_the_next_installation_fresh() {
    let mut cx = Context::from_waker(Waker::noop());
    let unwound = catch_unwind(AssertUnwindSafe(|| {
        with_budget(&mut cx, 5, |cx| {
            assert!(spend(cx));
            panic!("the task panicked");
        })
    }));
    assert!(unwound.is_err());
    assert_eq!(with_budget(&mut cx, 5, spend_all), 5);
}

#[test]
#[should_panic(expected = "a budget of 0 units would never let a task make progress")]
fn zero_units_are_refused() {
    with_budget(&mut Context::from_waker(Waker::noop()), 0, |_| ());
}
