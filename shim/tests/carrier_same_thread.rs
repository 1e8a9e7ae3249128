//! A context that an installation did not make, on the installing thread:
//! what a combinator does when it builds a `Context` of its own from the
//! waker it was given (here, the carrier waker itself) or from a waker of
//! its own. Each kind of installation (a `Budget`, another provider, the
//! opt-out) is found through the thread-local, with the same units as the
//! installation's own context; a `Pending` answer wakes that context's
//! waker, which for the carrier is the task's waker.
#![cfg(feature = "std")]

mod support;

use std::cell::Cell;
use std::task::{Context, Poll, Waker};

use support::{spend, spend_all, take, WakeCounter};
use task_coop::{
    unconstrained, with_provider, Budget, BudgetExt, ContextExt, Cooperation, CooperationProvider,
};

#[test]
fn a_budget_is_found_from_a_context_rebuilt_from_the_carrier() {
    let (task, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let mut budget = Budget::with_units(6);
    budget.install(&mut cx, |cx| {
        assert!(spend(cx));
        let carrier = cx.waker().clone();
        // A clone of the carrier is the task's own waker, so a context made
        // from it is a context the installation did not make.
        let mut rebuilt = Context::from_waker(&carrier);
        assert_eq!(rebuilt.budget_remaining(), Some(5));
        for _ in 0..5 {
            assert!(spend(&mut rebuilt), "the same units");
        }
        assert_eq!(cx.budget_remaining(), Some(0));
        assert!(!spend(cx));
        assert_eq!(task.wakes(), 1);
        // Whether a Pending through the clone wakes the task again depends
        // on the clone having the same vtable address as the original,
        // which std does not promise (under Miri it does not): not tested.
    });
    assert_eq!(budget.remaining(), 0);
    assert!(budget.ran_out());
}

#[test]
fn a_budget_wakes_a_childs_own_waker() {
    let (task, task_waker) = WakeCounter::new();
    let (child, child_waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&task_waker);
    let mut budget = Budget::with_units(3);
    budget.install(&mut cx, |cx| {
        let mut child_cx = Context::from_waker(&child_waker);
        // A refund made through the child's context goes to the same budget.
        drop(take(&mut child_cx));
        assert_eq!(cx.budget_remaining(), Some(3));
        assert_eq!(spend_all(&mut child_cx), 3);
        assert!(!spend(&mut child_cx));
        assert!(!spend(cx));
    });
    assert_eq!(
        child.wakes(),
        2,
        "every Pending wakes the child's own waker"
    );
    assert_eq!(task.wakes(), 1, "the task's waker once per installation");
}

/// Says `Pending` (waking the waker it is given) every other call.
struct EveryOther {
    calls: Cell<u32>,
}

impl CooperationProvider for EveryOther {
    fn poll_cooperate(&self, waker: &Waker) -> Poll<Cooperation> {
        let n = self.calls.get();
        self.calls.set(n + 1);
        if n % 2 == 1 {
            waker.wake_by_ref();
            Poll::Pending
        } else {
            Poll::Ready(Cooperation::unconstrained())
        }
    }

    fn remaining(&self) -> Option<u32> {
        Some(100 - self.calls.get())
    }
}

#[test]
fn another_provider_is_found_from_a_context_rebuilt_from_the_carrier() {
    let (task, waker) = WakeCounter::new();
    let (child, child_waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let provider = EveryOther {
        calls: Cell::new(0),
    };
    with_provider(&mut cx, &provider, |cx| {
        let carrier = cx.waker().clone();
        let mut rebuilt = Context::from_waker(&carrier);
        let mut child_cx = Context::from_waker(&child_waker);
        assert_eq!(rebuilt.budget_remaining(), Some(100));
        assert!(spend(&mut rebuilt)); // call 0
        assert!(!spend(cx)); // call 1: wakes the task, through the carrier
        assert!(spend(&mut child_cx)); // call 2
        assert!(!spend(&mut child_cx)); // call 3: wakes the child
        assert!(spend(cx)); // call 4
        assert!(!spend(&mut rebuilt)); // call 5: wakes the task's waker
        assert_eq!(child_cx.budget_remaining(), Some(94));
    });
    assert_eq!(provider.calls.get(), 6);
    assert_eq!(task.wakes(), 2);
    assert_eq!(child.wakes(), 1);
}

#[test]
fn the_opt_out_is_found_from_a_context_rebuilt_from_the_carrier() {
    let (task, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let mut budget = Budget::with_units(1);
    let mut inner = std::pin::pin!(unconstrained(std::future::poll_fn(|cx| {
        let carrier = cx.waker().clone();
        let mut rebuilt = Context::from_waker(&carrier);
        for _ in 0..10 {
            let Poll::Ready(coop) = rebuilt.poll_cooperate() else {
                panic!("the opt-out never says Pending");
            };
            assert!(coop.is_unconstrained());
        }
        assert_eq!(rebuilt.budget_remaining(), None);
        Poll::Ready(())
    })));
    assert!(budget.poll(inner.as_mut(), &mut cx).is_ready());
    assert_eq!(budget.remaining(), 1, "nothing was drawn from the budget");
    assert_eq!(task.wakes(), 0);
}

#[test]
fn a_context_rebuilt_from_the_carrier_itself_wakes_the_task_once() {
    let (task, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let mut budget = Budget::with_units(4);
    budget.install(&mut cx, |cx| {
        {
            // The carrier waker itself, not a clone: a context the
            // installation did not make, whose waker is the carrier.
            let mut rebuilt = Context::from_waker(cx.waker());
            assert_eq!(spend_all(&mut rebuilt), 4);
            assert!(!spend(&mut rebuilt));
        }
        assert!(!spend(cx));
    });
    assert_eq!(
        task.wakes(),
        1,
        "the carrier is unwrapped to the task's waker, woken once per installation"
    );
}
