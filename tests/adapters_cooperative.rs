//! The `cooperative` wrapper: a future wrapped in `cooperative` takes
//! exactly one unit of the budget when it completes; its `Pending` polls cost
//! nothing; with the budget spent it returns `Pending` without polling the
//! inner future, and the task is woken.

#![cfg(feature = "std")] // `Budget` needs an allocator; the facade's `std` turns it on.

mod support;

use std::cell::Cell;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::{Context, Poll};

use coop_compat::{cooperative, Budget, BudgetExt, ContextExt};
use support::WakeCounter;

/// A future that is `Pending` `pending_polls` times, then `Ready`; counts
/// its polls.
fn counted(pending_polls: u32, polls: &Cell<u32>) -> impl Future<Output = u32> + '_ {
    poll_fn(move |_cx| {
        polls.set(polls.get() + 1);
        if polls.get() > pending_polls {
            Poll::Ready(polls.get())
        } else {
            Poll::Pending
        }
    })
}

#[test]
fn cooperative_takes_one_unit_per_completion() {
    let (task, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let mut budget = Budget::with_units(4);
    budget.install(&mut cx, |cx| {
        for left in (2..4).rev() {
            let polls = Cell::new(0);
            assert_eq!(
                pin!(cooperative(counted(0, &polls))).poll(cx),
                Poll::Ready(1)
            );
            assert_eq!(cx.budget_remaining(), Some(left));
        }

        // Pending polls give their unit back; completion keeps one.
        let polls = Cell::new(0);
        let mut slow = pin!(cooperative(counted(2, &polls)));
        assert!(slow.as_mut().poll(cx).is_pending());
        assert!(slow.as_mut().poll(cx).is_pending());
        assert_eq!(cx.budget_remaining(), Some(2));
        assert_eq!(slow.as_mut().poll(cx), Poll::Ready(3));
        assert_eq!(cx.budget_remaining(), Some(1));

        let polls = Cell::new(0);
        assert!(pin!(cooperative(counted(0, &polls))).poll(cx).is_ready());
        assert_eq!(cx.budget_remaining(), Some(0));
        assert_eq!(task.wakes(), 0);

        // Spent: Pending without polling the inner future, and one wake.
        let polls = Cell::new(0);
        let mut starved = pin!(cooperative(counted(0, &polls)));
        assert!(starved.as_mut().poll(cx).is_pending());
        assert_eq!(polls.get(), 0);
        assert_eq!(task.wakes(), 1);
    });
    assert_eq!(budget.remaining(), 0);
}

#[test]
fn cooperative_adds_one_unit_to_what_the_inner_future_takes() {
    let mut cx = Context::from_waker(std::task::Waker::noop());
    let mut budget = Budget::with_units(10);
    let inner = poll_fn(|cx: &mut Context<'_>| {
        for _ in 0..2 {
            let Poll::Ready(mut coop) = cx.poll_cooperate() else {
                unreachable!("10 units")
            };
            coop.made_progress();
        }
        Poll::Ready(())
    });
    assert!(budget.poll(pin!(cooperative(inner)), &mut cx).is_ready());
    assert_eq!(budget.remaining(), 7);
}
