//! Acceptance 3: with no provider installed anywhere, the test channel of
//! `budget_support` never makes its task yield (every item arrives in the
//! first poll), and `poll_cooperate` hands out the unconstrained cooperation.
#![cfg(feature = "std")]

mod budget_support;

use std::cell::Cell;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use budget_support::{channels, drain, Budgeted, Meter, PollLog, PollRecord, EXECUTORS};
use coop_compat::ContextExt;
use futures::stream::{FuturesUnordered, StreamExt};

/// Far more items than any budget.
const TOTAL: u32 = 10_000;

#[test]
fn without_a_provider_the_task_never_yields() {
    for executor in EXECUTORS {
        for children in [1, 64] {
            let meter = Meter::default();
            let log = PollLog::default();
            let received = Rc::new(Cell::new(0));
            let out = received.clone();
            let mut tasks: FuturesUnordered<_> = channels(TOTAL, children, &meter)
                .into_iter()
                .map(drain)
                .collect();
            let task = Budgeted::new(None, &meter, &log, async move {
                while let Some(n) = tasks.next().await {
                    out.set(out.get() + n);
                }
            });
            assert!(executor.run(task), "{executor:?}");
            assert_eq!(received.get(), TOTAL);
            assert_eq!(
                *log.borrow(),
                [PollRecord {
                    received: TOTAL,
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
