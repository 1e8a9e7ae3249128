//! Acceptance 3: with no provider installed anywhere, the always-ready source
//! of `support` never makes its task yield (every item arrives in the
//! first poll), and `poll_cooperate` hands out the unconstrained cooperation.
#![cfg(feature = "std")]

mod support;

use std::task::{Context, Poll, Waker};

use coop_compat::{BudgetExt, ContextExt};
use futures::stream::{FuturesUnordered, StreamExt};
use support::{drain, split, Executor, PollLog, PollRecord};

/// Far more items than any budget.
const TOTAL: u32 = 10_000;

#[test]
fn without_a_provider_the_task_never_yields() {
    for executor in [Executor::LocalPool, Executor::AsyncExecutorOneThread] {
        for children in [1, 64] {
            let log = PollLog::default();
            let mut tasks: FuturesUnordered<_> = split(TOTAL, children, log.counter())
                .into_iter()
                .map(drain)
                .collect();
            let task = log.meter(async move {
                let mut received = 0;
                while let Some(n) = tasks.next().await {
                    received += n;
                }
                received
            });
            assert_eq!(executor.run(task), TOTAL, "{executor:?}");
            assert_eq!(
                log.records(),
                [PollRecord {
                    work: TOTAL,
                    spent: None,
                    wakes: 0,
                    ready: true
                }],
                "{executor:?}, {children} children: everything in one poll"
            );
        }
    }
}

#[test]
fn without_a_provider_poll_cooperate_is_unconstrained() {
    let mut cx = Context::from_waker(Waker::noop());
    assert_eq!(cx.budget_remaining(), None);
    for _ in 0..1000 {
        let Poll::Ready(mut coop) = cx.poll_cooperate() else {
            panic!("no provider, yet Pending");
        };
        // With the `tokio` feature, an empty slot falls back to tokio's own
        // budget, which outside a tokio task poll is unconstrained too but
        // is represented by a cooperation of tokio's vtable.
        if !cfg!(feature = "tokio") {
            assert!(coop.is_unconstrained(), "{coop:?}");
        }
        coop.made_progress();
    }
    assert_eq!(cx.budget_remaining(), None);
}
