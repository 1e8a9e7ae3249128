//! A panic inside the wrapped future leaves tokio's budget and `task_coop`'s
//! state as they were before the poll.
#![cfg(feature = "tokio")]

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use coop_compat::{Budget, BudgetExt, ContextExt, CoopCompat};

/// Spends `units` through `poll_cooperate`, then panics.
async fn spend_then_panic(units: u32) {
    std::future::poll_fn(|cx| {
        for _ in 0..units {
            let Poll::Ready(mut coop) = cx.poll_cooperate() else {
                unreachable!("budget left")
            };
            coop.made_progress();
        }
        Poll::Ready(())
    })
    .await;
    panic!("boom");
}

#[test]
fn on_a_foreign_executor_with_a_budget() {
    let mut budget = Budget::with_units(100);
    let mut cx = Context::from_waker(Waker::noop());
    // A first poll leaves 100 - 30 = 70.
    budget.install(&mut cx, |cx| {
        for _ in 0..30 {
            let Poll::Ready(mut coop) = cx.poll_cooperate() else {
                unreachable!()
            };
            coop.made_progress();
        }
    });
    assert_eq!(budget.remaining(), 70);

    let mut wrapped = pin!(CoopCompat::wrap(spend_then_panic(40)));
    let panicked = catch_unwind(AssertUnwindSafe(|| budget.poll(wrapped.as_mut(), &mut cx)));
    assert!(panicked.is_err());
    assert_eq!(
        budget.remaining(),
        70,
        "the budget is as it was before the poll"
    );

    // Nothing is left installed on this thread, and no tokio scope is open.
    assert_eq!(cx.budget_remaining(), None);
    assert!(cx.poll_cooperate().is_ready());
    assert!(tokio::task::coop::has_budget_remaining());
    let mut probe = pin!(CoopCompat::wrap(async {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        for i in 0..200 {
            tx.send(i).unwrap();
        }
        let mut received = 0;
        while let Poll::Ready(Some(_)) =
            std::future::poll_fn(|cx| Poll::Ready(rx.poll_recv(cx))).await
        {
            received += 1;
        }
        received
    }));
    // A later wrapped poll still gets a full fresh scope of 128.
    assert_eq!(probe.as_mut().poll(&mut cx), Poll::Ready(128));
}

#[test]
fn inside_a_tokio_task() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let left = rt
        .block_on(rt.spawn(async {
            let mut wrapped = pin!(CoopCompat::wrap(spend_then_panic(0)));
            let panicked = std::future::poll_fn(|cx| {
                Poll::Ready(catch_unwind(AssertUnwindSafe(|| wrapped.as_mut().poll(cx))).is_err())
            })
            .await;
            assert!(panicked);
            // The task's budget is intact: 128 units still to take.
            std::future::poll_fn(|cx| {
                let mut taken = 0;
                while let Poll::Ready(mut coop) = cx.poll_cooperate() {
                    coop.made_progress();
                    taken += 1;
                }
                Poll::Ready(taken)
            })
            .await
        }))
        .unwrap();
    assert_eq!(left, 128);
}
