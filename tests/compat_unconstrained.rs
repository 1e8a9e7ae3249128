//! One opt-out: the facade's `unconstrained` inside `CoopCompat` lets tokio's
//! types and Context-based primitives take 10,000 ready items each without a
//! yield, while the code around it stays budgeted; tokio's own
//! `unconstrained` turns off the Context budget of primitives that fall back
//! to tokio's budget.
#![cfg(feature = "tokio")]

mod support;

use std::task::Poll;

use coop_compat::{ContextExt, CoopCompat};
use support::{Executor, PollLog, ReadySource};

const ITEMS: u32 = 10_000;

#[test]
fn facade_unconstrained_turns_off_both_budgets_only_inside() {
    for exec in [
        Executor::LocalPool,
        Executor::AsyncExecutorOneThread,
        Executor::BlockOn,
    ] {
        let log = PollLog::default();
        let body_log = log.clone();
        exec.run(log.meter(CoopCompat::wrap(async move {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            for i in 0..ITEMS + 200 {
                tx.send(i).unwrap();
            }
            let mut source = ReadySource::new(ITEMS);
            let inner_log = body_log.clone();
            let rx = coop_compat::unconstrained(async move {
                for _ in 0..ITEMS {
                    rx.recv().await.unwrap();
                    source.recv().await.unwrap();
                    inner_log.work();
                    inner_log.work();
                }
                rx
            })
            .await;
            // Around it, still budgeted: 128 per poll.
            let mut rx = rx;
            for _ in 0..200 {
                rx.recv().await.unwrap();
                body_log.work();
            }
        })));
        assert_eq!(log.per_poll(), vec![2 * ITEMS + 128, 72], "{exec:?}");
        assert_eq!(log.wakes(), vec![1, 0], "{exec:?}");
    }
}

#[test]
fn tokio_unconstrained_turns_off_the_context_budget_on_tokio() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let taken = rt.block_on(
        rt.spawn(tokio::task::coop::unconstrained(std::future::poll_fn(
            |cx| {
                let mut taken = 0;
                while taken < ITEMS {
                    let Poll::Ready(mut coop) = cx.poll_cooperate() else {
                        return Poll::Ready(taken);
                    };
                    coop.made_progress();
                    taken += 1;
                }
                Poll::Ready(taken)
            },
        ))),
    );
    assert_eq!(taken.unwrap(), ITEMS);
}
