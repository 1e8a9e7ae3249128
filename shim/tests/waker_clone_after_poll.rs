//! Acceptance 4: a clone of `cx.waker()` taken inside a budgeted poll (where
//! the context's waker is the carrier) is a clone of the task's own waker: it
//! stays valid after the poll returned and wakes the right task. Under Miri
//! this also shows that nothing handed out points into the carrier's frame.
#![cfg(feature = "alloc")]

mod support;

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use support::WakeCounter;
use task_coop::{
    unconstrained, with_provider, Budget, BudgetExt, Cooperation, CooperationProvider,
};

/// Polls once, under a fresh `Budget`, a future that keeps clones of its
/// context's waker (also from inside an `unconstrained` section, and after
/// spending the whole budget); returns them.
fn clones_taken_in_a_budgeted_poll(task_waker: &Waker) -> Vec<Waker> {
    let mut kept = Vec::new();
    {
        let mut future = pin!(poll_fn(|cx: &mut Context<'_>| {
            kept.push(cx.waker().clone());
            let mut inner = pin!(unconstrained(poll_fn(|cx: &mut Context<'_>| {
                Poll::Ready(cx.waker().clone())
            })));
            let Poll::Ready(clone) = inner.as_mut().poll(cx) else {
                unreachable!()
            };
            kept.push(clone);
            while support::spend(cx) {}
            kept.push(cx.waker().clone());
            Poll::<()>::Pending
        }));
        let mut budget = Budget::with_units(3);
        let _ = budget.poll(future.as_mut(), &mut Context::from_waker(task_waker));
    }
    kept
}

#[test]
fn clones_taken_in_a_budgeted_poll_wake_their_own_task_afterwards() {
    let (task_a, waker_a) = WakeCounter::new();
    let (task_b, waker_b) = WakeCounter::new();
    let kept_a = clones_taken_in_a_budgeted_poll(&waker_a);
    let kept_b = clones_taken_in_a_budgeted_poll(&waker_b);
    // Spending the budget woke each task once, during its poll.
    assert_eq!((task_a.wakes(), task_b.wakes()), (1, 1));

    // Compared by data pointer (the task's `Arc`), not `will_wake`: std's
    // `Wake` vtable is a const, and Miri gives each use of a const its own
    // address, so even a plain clone fails `will_wake` there.
    for clone in &kept_a {
        assert!(
            clone.data() == waker_a.data(),
            "a clone of the carrier is a clone of the task's waker"
        );
        assert_ne!(clone.data(), waker_b.data());
    }
    for clone in &kept_b {
        assert_eq!(clone.data(), waker_b.data());
    }

    for clone in &kept_a {
        clone.wake_by_ref();
    }
    assert_eq!((task_a.wakes(), task_b.wakes()), (1 + kept_a.len(), 1));

    for clone in kept_b {
        let again = clone.clone();
        clone.wake();
        again.wake();
    }
    assert_eq!((task_a.wakes(), task_b.wakes()), (4, 7));
}

/// A provider that hands out unconstrained units: only here to install
/// something that is not a `Budget`.
struct Unlimited;

impl CooperationProvider for Unlimited {
    fn poll_cooperate(&self, _waker: &Waker) -> Poll<Cooperation> {
        Poll::Ready(Cooperation::unconstrained())
    }
}

#[test]
fn waking_the_carrier_during_the_poll_wakes_the_task() {
    let (task, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let kept = with_provider(&mut cx, &Unlimited, |cx| {
        cx.waker().wake_by_ref();
        let mut budget = Budget::new();
        budget.install(cx, |cx| {
            assert_eq!(cx.budget_remaining(), Some(128));
            cx.waker().wake_by_ref();
            cx.waker().clone()
        })
    });
    assert_eq!(task.wakes(), 2);
    assert!(
        kept.data() == waker.data(),
        "nested installations still clone the task's own waker"
    );
    kept.wake();
    assert_eq!(task.wakes(), 3);
}
