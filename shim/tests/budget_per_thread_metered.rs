//! `with_budget_metered`: the thread's counter with metrics kept by the
//! caller (a per-task wrapper) and an optional time slice; the same exact
//! counts as `Budget`, and a slice left on the shared counter never reaches
//! a later `with_budget` of units alone.
#![cfg(feature = "std")]

mod support;

use std::task::{Context, Waker};

use support::clock::{now, reads};
use support::{spend, spend_all, take};
use task_coop::{with_budget, with_budget_metered, BudgetMetrics, TimeSlice};

#[test]
fn metrics_of_two_tasks_are_kept_apart() {
    let mut cx = Context::from_waker(Waker::noop());
    let (mut a, mut b) = (BudgetMetrics::default(), BudgetMetrics::default());
    with_budget_metered(&mut cx, 4, None, &mut a, |cx| assert_eq!(spend_all(cx), 4));
    with_budget_metered(&mut cx, 4, None, &mut b, |cx| {
        assert!(spend(cx));
        drop(take(cx)); // given back
    });
    with_budget_metered(&mut cx, 4, None, &mut a, |cx| assert!(spend(cx)));
    let expected_a = BudgetMetrics {
        polls: 2,
        units_spent: 5,
        forced_yields: 1,
        slice_yields: 0,
    };
    let expected_b = BudgetMetrics {
        polls: 1,
        units_spent: 1,
        forced_yields: 0,
        slice_yields: 0,
    };
    assert_eq!((a, b), (expected_a, expected_b));
}

#[test]
fn a_time_slice_on_the_threads_counter() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut metrics = BudgetMetrics::default();
    let slice = TimeSlice::with_clock(10, now).check_every(4);
    let spent = with_budget_metered(&mut cx, 128, Some(slice), &mut metrics, |cx| {
        let mut spent = 0;
        while spend(cx) {
            spent += 1;
            support::clock::advance(1);
        }
        spent
    });
    // Started at the 5th unit (4 ticks in), over after the 14th, seen at the
    // check of the 17th.
    assert_eq!(spent, 16);
    assert_eq!(
        metrics,
        BudgetMetrics {
            polls: 1,
            units_spent: 16,
            forced_yields: 1,
            slice_yields: 1,
        }
    );

    // The same counter, next poll, units alone: no clock, all its units.
    let before = reads();
    assert_eq!(with_budget(&mut cx, 128, spend_all), 128);
    assert_eq!(reads(), before);
}

#[test]
fn a_late_cooperation_does_not_change_the_next_polls_metrics() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut metrics = BudgetMetrics::default();
    let kept = with_budget_metered(&mut cx, 3, None, &mut metrics, take);
    with_budget_metered(&mut cx, 3, None, &mut metrics, |cx| {
        assert!(spend(cx));
        drop(kept);
        assert!(spend(cx));
    });
    assert_eq!(metrics.polls, 2);
    assert_eq!(metrics.units_spent, 1 + 2);
    assert_eq!(metrics.forced_yields, 0);
}

#[test]
fn nested_inside_with_budget_each_counts_its_own() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut inner = BudgetMetrics::default();
    let outer_spent = with_budget(&mut cx, 10, |cx| {
        assert!(spend(cx));
        with_budget_metered(cx, 2, None, &mut inner, |cx| assert_eq!(spend_all(cx), 2));
        spend_all(cx)
    });
    assert_eq!(outer_spent, 9);
    assert_eq!(
        inner,
        BudgetMetrics {
            polls: 1,
            units_spent: 2,
            forced_yields: 1,
            slice_yields: 0,
        }
    );
}
