//! Acceptance 5 (the opt-out): inside `unconstrained`, `poll_cooperate`
//! always hands out the unconstrained cooperation, whatever `Budget` is
//! installed around it, and that budget is untouched; code around it stays
//! budgeted.
#![cfg(feature = "alloc")]

mod support;

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use support::{spend, take};
use task_coop::{unconstrained, Budget, BudgetExt};

#[test]
fn unconstrained_inside_a_budget() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(2);
    budget.install(&mut cx, |cx| {
        assert!(spend(cx));
        let mut free = pin!(unconstrained(poll_fn(|cx: &mut Context<'_>| {
            assert_eq!(cx.budget_remaining(), None);
            for _ in 0..1000 {
                let coop = take(cx).expect("unconstrained never says Pending");
                assert!(coop.is_unconstrained());
                drop(coop);
                assert!(spend(cx));
            }
            // A child polled with a waker of its own sees the opt-out too.
            #[cfg(feature = "std")]
            {
                let mut child = Context::from_waker(Waker::noop());
                assert!(take(&mut child).unwrap().is_unconstrained());
            }
            Poll::Ready(())
        })));
        assert!(free.as_mut().poll(cx).is_ready());
        // Around it, the budget is as it was, and still counts.
        assert_eq!(cx.budget_remaining(), Some(1));
        assert!(spend(cx));
        assert!(!spend(cx));
    });
    assert_eq!(budget.remaining(), 0);
}

#[test]
fn budget_inside_unconstrained_counts_again() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut inner = Budget::with_units(1);
    let mut future = pin!(unconstrained(poll_fn(|cx: &mut Context<'_>| {
        Poll::Ready(inner.install(cx, |cx| (spend(cx), spend(cx))))
    })));
    assert_eq!(future.as_mut().poll(&mut cx), Poll::Ready((true, false)));
}
