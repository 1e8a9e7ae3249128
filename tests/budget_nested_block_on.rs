//! Acceptance 5, last part: a blocking executor nested inside a budgeted poll.
//!
//! The crate documents the limit ("Known limit" in its docs):
//! `futures::executor::block_on` called inside a budgeted task poll polls its
//! future on the same thread, so through the thread-local fallback that
//! future draws from the outer task's budget. Once that budget is spent every
//! poll of the nested future is told `Pending` and woken at once: the nested
//! executor spins and makes no progress, since the outer poll cannot end and
//! refill the budget. Wrapping the nested future in `unconstrained` is the
//! way round. Both are shown here deterministically: the nested future gives
//! up after a fixed number of polls instead of spinning forever.
#![cfg(feature = "std")]

mod support;

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use coop_compat::{unconstrained, Budget, BudgetExt};
use support::ReadySource;

const OUTER_UNITS: u8 = 8;
const NESTED_ITEMS: u32 = 50;
const GIVE_UP_AFTER: u32 = 1000;

/// What the nested future saw.
#[derive(Debug, Default, PartialEq, Eq)]
struct Nested {
    polls: u32,
    pending_polls: u32,
    received: u32,
    completed: bool,
}

/// A future for the nested executor: each poll tries the channel until it
/// is empty (or says `Pending`); it gives up after `GIVE_UP_AFTER` polls.
fn nested_work(mut channel: ReadySource) -> impl Future<Output = Nested> {
    let mut seen = Nested::default();
    poll_fn(move |cx| {
        seen.polls += 1;
        loop {
            match channel.poll_recv(cx) {
                Poll::Ready(Some(_)) => seen.received += 1,
                Poll::Ready(None) => {
                    seen.completed = true;
                    return Poll::Ready(std::mem::take(&mut seen));
                }
                Poll::Pending => break,
            }
        }
        seen.pending_polls += 1;
        if seen.polls == GIVE_UP_AFTER {
            // The livelock, cut short: report instead of spinning forever.
            return Poll::Ready(std::mem::take(&mut seen));
        }
        Poll::Pending
    })
}

/// Polls, under a `Budget` of `OUTER_UNITS`, a task that first spends its
/// whole budget on an always-ready channel and then blocks on `nested`.
fn outer_task_blocking_on<F: Future<Output = Nested>>(nested: F) -> (u32, Nested, u8) {
    let mut outer_channel = ReadySource::new(1000);
    let mut nested = Some(nested);
    let mut task = pin!(poll_fn(move |cx: &mut Context<'_>| {
        // Spend the outer budget: receive until the channel says Pending.
        let mut received = 0;
        while let Poll::Ready(Some(_)) = outer_channel.poll_recv(cx) {
            received += 1;
        }
        assert_eq!(cx.budget_remaining(), Some(0));
        // Then block inside the poll, as a synchronous API would.
        let nested = futures::executor::block_on(nested.take().unwrap());
        Poll::Ready((received, nested))
    }));
    let mut budget = Budget::with_units(OUTER_UNITS);
    let mut cx = Context::from_waker(Waker::noop());
    let Poll::Ready((received, nested)) = budget.poll(task.as_mut(), &mut cx) else {
        unreachable!("the task completes in one poll");
    };
    (received, nested, budget.remaining())
}

#[test]
fn nested_block_on_spins_without_progress_once_the_outer_budget_is_spent() {
    let (outer_received, nested, outer_left) =
        outer_task_blocking_on(nested_work(ReadySource::new(NESTED_ITEMS)));
    assert_eq!(outer_received, u32::from(OUTER_UNITS));
    assert_eq!(
        nested,
        Nested {
            polls: GIVE_UP_AFTER,
            pending_polls: GIVE_UP_AFTER,
            received: 0,
            completed: false,
        },
        "every nested poll was Pending and was woken again at once: no progress"
    );
    assert_eq!(outer_left, 0);
}

#[test]
fn unconstrained_is_the_way_round() {
    let (outer_received, nested, outer_left) =
        outer_task_blocking_on(unconstrained(nested_work(ReadySource::new(NESTED_ITEMS))));
    assert_eq!(outer_received, u32::from(OUTER_UNITS));
    assert_eq!(
        nested,
        Nested {
            polls: 1,
            pending_polls: 0,
            received: NESTED_ITEMS,
            completed: true,
        }
    );
    assert_eq!(
        outer_left, 0,
        "the nested work did not touch the outer budget"
    );
}
