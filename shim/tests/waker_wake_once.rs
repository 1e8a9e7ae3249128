//! Acceptance 4: running out of budget wakes the task exactly once per poll,
//! however many leaves hit the empty budget in that poll; futures that reach
//! the budget through the thread-local fallback (polled by a combinator with
//! a waker of their own) have that waker woken, so none is left unscheduled.
#![cfg(feature = "alloc")]

mod support;

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::{Context, Poll};

use support::{spend, WakeCounter};
use task_coop::Budget;

/// A leaf that spends units until the budget says `Pending`, `rounds` times
/// over as many polls; it counts the units it got.
fn leaf(rounds: u32, got: &std::cell::Cell<u32>) -> impl Future<Output = ()> + '_ {
    let mut left = rounds;
    poll_fn(move |cx| {
        while spend(cx) {
            got.set(got.get() + 1);
        }
        left -= 1;
        if left == 0 {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
}

#[test]
fn two_leaves_out_of_budget_in_one_poll_wake_the_task_once() {
    let (task, waker) = WakeCounter::new();
    let (got_a, got_b) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    let mut joined = pin!(futures::future::join(leaf(3, &got_a), leaf(3, &got_b)));
    let mut budget = Budget::with_units(5);
    let mut cx = Context::from_waker(&waker);
    for poll in 1..=2 {
        assert!(budget.poll(joined.as_mut(), &mut cx).is_pending());
        // Leaf a spent the 5 units and was told Pending; leaf b was told
        // Pending at once; a also asked again after Pending: one wake.
        assert_eq!(task.wakes(), poll, "one wake per poll that ran out");
        assert_eq!((got_a.get(), got_b.get()), (5 * poll as u32, 0));
    }
    assert!(budget.poll(joined.as_mut(), &mut cx).is_ready());
    assert_eq!(task.wakes(), 3);
}

#[test]
fn asking_again_after_pending_does_not_wake_again() {
    let (task, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let mut budget = Budget::with_units(1);
    budget.install(&mut cx, |cx| {
        assert!(spend(cx));
        for _ in 0..10 {
            assert!(!spend(cx));
        }
    });
    assert_eq!(task.wakes(), 1);
    // A poll that does not run out does not wake.
    budget.install(&mut cx, |cx| assert!(spend(cx)));
    assert_eq!(task.wakes(), 1);
}

#[cfg(feature = "std")]
#[test]
fn children_with_wakers_of_their_own_are_each_woken() {
    let (task, task_waker) = WakeCounter::new();
    let (child_a, waker_a) = WakeCounter::new();
    let (child_b, waker_b) = WakeCounter::new();
    let mut cx = Context::from_waker(&task_waker);
    let mut budget = Budget::with_units(2);
    budget.install(&mut cx, |_carried| {
        // A combinator polling children with wakers of its own: the budget
        // is found through the thread-local.
        let mut a = Context::from_waker(&waker_a);
        let mut b = Context::from_waker(&waker_b);
        assert!(spend(&mut a));
        assert!(spend(&mut b));
        assert!(!spend(&mut a));
        assert!(!spend(&mut b));
        assert!(!spend(&mut b));
    });
    assert_eq!((task.wakes(), child_a.wakes(), child_b.wakes()), (0, 1, 2));
}
