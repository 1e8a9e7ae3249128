//! The carrier waker is a `Waker`, so it is `Sync`: a future can lend
//! `cx.waker()` to a scoped thread during a budgeted poll. The provider it
//! carries (a `Budget`'s non-atomic counter, or any `CooperationProvider`,
//! which need not be `Sync`) must not be reachable from that thread: there
//! `poll_cooperate` answers as if nothing were installed, while waking
//! through the lent waker still wakes the task. Under Miri this shows there
//! is no data race, with or without the crate's `std` feature (the context's
//! address, not a thread-local, tells the installing thread).
#![cfg(feature = "alloc")]

mod support;

use std::task::{Context, Poll, Waker};

use support::{spend, WakeCounter};
use task_coop::{Budget, BudgetExt, ContextExt};

#[test]
fn a_carrier_lent_to_another_thread_does_not_carry_the_budget_there() {
    let (task, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let mut budget = Budget::with_units(20);
    budget.install(&mut cx, |cx| {
        let lent: &Waker = cx.waker();
        std::thread::scope(|scope| {
            let other = scope.spawn(move || {
                let mut there = Context::from_waker(lent);
                let remaining = there.budget_remaining();
                for _ in 0..10 {
                    let Poll::Ready(mut coop) = there.poll_cooperate() else {
                        panic!("nothing is installed on this thread");
                    };
                    coop.made_progress();
                }
                lent.wake_by_ref();
                remaining
            });
            for _ in 0..10 {
                assert!(spend(cx));
            }
            assert_eq!(other.join().unwrap(), None);
        });
        assert_eq!(cx.budget_remaining(), Some(10));
    });
    assert_eq!(
        budget.remaining(),
        10,
        "only the installing thread spent units"
    );
    assert_eq!(task.wakes(), 1, "the lent carrier still wakes the task");
}
