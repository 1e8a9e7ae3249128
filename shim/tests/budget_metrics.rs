//! `Budget::metrics` and `Budget::ran_out`: exact counts of installations,
//! units spent (net of refunds), forced yields (once per installation) over
//! several installations; late cooperations and panicking polls change
//! nothing.
#![cfg(feature = "alloc")]

mod support;

use std::future::poll_fn;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use support::{spend, take};
use task_coop::{Budget, BudgetMetrics};

fn metrics(polls: u64, units_spent: u64, forced_yields: u64) -> BudgetMetrics {
    BudgetMetrics {
        polls,
        units_spent,
        forced_yields,
        slice_yields: 0,
    }
}

#[test]
fn metrics_count_polls_units_and_forced_yields_over_installations() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(5);
    assert_eq!(budget.metrics(), BudgetMetrics::default());
    assert!(!budget.ran_out());

    // 3 units, never told Pending.
    budget.install(&mut cx, |cx| (0..3).for_each(|_| assert!(spend(cx))));
    assert_eq!(budget.metrics(), metrics(1, 3, 0));
    assert!(!budget.ran_out());

    // All 5 units, then told Pending three times: one forced yield.
    budget.install(&mut cx, |cx| {
        (0..5).for_each(|_| assert!(spend(cx)));
        (0..3).for_each(|_| assert!(!spend(cx)));
    });
    assert_eq!(budget.metrics(), metrics(2, 8, 1));
    assert!(budget.ran_out());

    // 2 units spent, a third taken and dropped without progress (given back).
    budget.install(&mut cx, |cx| {
        (0..2).for_each(|_| assert!(spend(cx)));
        drop(take(cx).expect("units left"));
    });
    assert_eq!(budget.metrics(), metrics(3, 10, 1));
    assert!(!budget.ran_out(), "ran_out is the last installation's");

    // A poll that asks for nothing is still a poll.
    budget.install(&mut cx, |_| {});
    assert_eq!(budget.metrics(), metrics(4, 10, 1));
}

#[test]
fn an_outer_refund_undoes_the_units_spent_inside_it() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(5);
    budget.install(&mut cx, |cx| {
        let outer = take(cx).expect("units left");
        assert!(spend(cx));
        assert!(spend(cx));
        drop(outer); // back to 5, as tokio's RestoreOnPending
    });
    assert_eq!(budget.remaining(), 5);
    assert_eq!(budget.metrics(), metrics(1, 0, 0));
}

#[test]
fn a_forced_yield_counts_even_if_the_poll_then_returns_ready() {
    // A select-like future: one branch is told Pending, the task completes
    // anyway.
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(1);
    let mut task = pin!(poll_fn(|cx| {
        assert!(spend(cx));
        assert!(!spend(cx));
        Poll::Ready(())
    }));
    assert!(budget.poll(task.as_mut(), &mut cx).is_ready());
    assert!(budget.ran_out());
    assert_eq!(budget.metrics(), metrics(1, 1, 1));
}

#[cfg(feature = "std")]
#[test]
fn a_child_told_pending_through_the_thread_local_is_a_forced_yield() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(1);
    budget.install(&mut cx, |_carried| {
        let mut child = Context::from_waker(Waker::noop());
        assert!(spend(&mut child));
        assert!(!spend(&mut child));
    });
    assert!(budget.ran_out());
    assert_eq!(budget.metrics(), metrics(1, 1, 1));
}

#[test]
fn take_metrics_starts_again_from_zero() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(2);
    for _ in 0..3 {
        budget.install(&mut cx, |cx| while spend(cx) {});
    }
    assert_eq!(budget.take_metrics(), metrics(3, 6, 3));
    assert_eq!(budget.metrics(), BudgetMetrics::default());
    assert!(budget.ran_out(), "take_metrics leaves ran_out alone");
    budget.install(&mut cx, |cx| assert!(spend(cx)));
    assert_eq!(budget.metrics(), metrics(1, 1, 0));
}

#[test]
fn late_cooperations_do_not_change_a_later_installations_metrics() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(4);
    // Kept past the installation: two units taken, neither ended.
    let kept = budget.install(&mut cx, |cx| [take(cx), take(cx)]);
    assert_eq!(budget.metrics(), metrics(1, 2, 0));

    budget.install(&mut cx, |cx| {
        assert!(spend(cx));
        let [a, b] = kept;
        drop(a); // a late refund: detached, gives nothing to this installation
        b.expect("taken").made_progress();
    });
    assert_eq!(budget.remaining(), 3);
    assert_eq!(budget.metrics(), metrics(2, 3, 0));
}

#[test]
fn a_poll_that_panics_is_not_counted() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(3);
    budget.install(&mut cx, |cx| while spend(cx) {});
    assert!(budget.ran_out());
    let result = catch_unwind(AssertUnwindSafe(|| {
        budget.install(&mut cx, |cx| {
            assert!(spend(cx));
            panic!("a future panicked inside a budgeted poll (expected by the test)");
        })
    }));
    assert!(result.is_err());
    assert_eq!(budget.metrics(), metrics(1, 3, 1));
    assert!(!budget.ran_out(), "the last installation panicked");
}

#[test]
fn a_budget_of_units_alone_has_no_slice_and_no_slice_yields() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::new();
    assert!(budget.time_slice().is_none());
    let spent = budget.install(&mut cx, |cx| {
        let mut spent = 0;
        while spend(cx) {
            spent += 1;
        }
        spent
    });
    assert_eq!(spent, 128);
    assert_eq!(budget.metrics(), metrics(1, 128, 1));
}
