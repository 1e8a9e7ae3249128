//! With the `tokio` feature, `unconstrained` turns off tokio's own budget
//! too: tokio's sync types inside it never force a yield, while the same
//! drain outside it yields after tokio's 128 units. The Context budget is off
//! inside it as well, whatever `Budget` is installed around it.
#![cfg(feature = "tokio")]

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::{Context, Poll};

use task_coop::{unconstrained, Budget, BudgetExt, ContextExt};
use tokio::sync::mpsc;

const MESSAGES: u32 = 1000;

/// A channel holding `MESSAGES` ready messages.
fn full_channel() -> mpsc::UnboundedReceiver<u32> {
    let (tx, rx) = mpsc::unbounded_channel();
    for i in 0..MESSAGES {
        tx.send(i).unwrap();
    }
    rx
}

/// Receives in one poll until the channel says `Pending` or is drained;
/// returns the count received.
fn drain_in_one_poll(rx: &mut mpsc::UnboundedReceiver<u32>, cx: &mut Context<'_>) -> Poll<u32> {
    let mut received = 0;
    while received < MESSAGES {
        match rx.poll_recv(cx) {
            Poll::Ready(Some(_)) => received += 1,
            Poll::Ready(None) => unreachable!("the sender is gone only when drained"),
            Poll::Pending => break,
        }
    }
    Poll::Ready(received)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

#[test]
fn tokio_channel_drains_in_one_poll_inside_unconstrained() {
    let (inside, outside) = runtime().block_on(async {
        let mut rx = full_channel();
        // `block_on` polls with tokio's budget of 128 units.
        let inside = pin!(unconstrained(poll_fn(|cx| drain_in_one_poll(&mut rx, cx)))).await;
        let mut rx = full_channel();
        let outside = poll_fn(|cx| drain_in_one_poll(&mut rx, cx)).await;
        (inside, outside)
    });
    assert_eq!(inside, MESSAGES, "unconstrained: never Pending");
    assert_eq!(outside, 128, "outside: tokio's budget per poll");
}

#[test]
fn context_budget_is_off_inside_unconstrained_on_tokio() {
    let (received, units) = runtime().block_on(async {
        let mut rx = full_channel();
        let mut budget = Budget::with_units(1);
        let mut free = pin!(unconstrained(poll_fn(|cx: &mut Context<'_>| {
            assert_eq!(cx.budget_remaining(), None);
            for _ in 0..MESSAGES {
                let Poll::Ready(mut coop) = cx.poll_cooperate() else {
                    panic!("unconstrained never says Pending");
                };
                assert!(coop.is_unconstrained());
                coop.made_progress();
            }
            drain_in_one_poll(&mut rx, cx)
        })));
        let received = poll_fn(|cx| budget.poll(free.as_mut(), cx)).await;
        (received, budget.remaining())
    });
    assert_eq!(received, MESSAGES);
    assert_eq!(units, 1, "the Budget around it is untouched");
}

#[test]
fn unconstrained_keeps_its_type_and_into_inner() {
    let wrapped: task_coop::Unconstrained<std::future::Ready<u8>> =
        unconstrained(std::future::ready(7));
    let mut inner = pin!(wrapped.into_inner());
    let mut cx = Context::from_waker(std::task::Waker::noop());
    assert_eq!(inner.as_mut().poll(&mut cx), Poll::Ready(7));
}
