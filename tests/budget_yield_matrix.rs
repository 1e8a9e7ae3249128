//! Acceptance 2: a primitive written only against the Context budget API (the
//! test channel of `budget_support`) makes its task yield after exactly N
//! receives under a `Budget` of N, for N = 1, 7, 128 and 255, whatever sits
//! between the task and the channel: plain async code, combinators that
//! forward the task's Context (`join`, `select`, futures' and tokio's
//! `join!` and `select!`), and combinators that poll their children with wakers of their
//! own (`FuturesUnordered`, `buffer_unordered(4)`, `join_all` of 64 futures,
//! which reach the budget through the thread-local fallback); on
//! `futures::executor::LocalPool` and on `async_executor::LocalExecutor`.
//!
//! Each task poll installs a fresh budget. The test records how many items
//! the task received in each of its polls and asserts the whole sequence:
//! `units` in every poll but the last, which returns `Ready` with the rest.
#![cfg(feature = "std")]

mod budget_support;

use std::future::Future;
use std::pin::Pin;

use budget_support::{
    channels, drain, expected_polls, Budgeted, Executor, Meter, PollLog, EXECUTORS,
};
use coop_compat::Budget;
use futures::stream::{self, FuturesUnordered, StreamExt};

const UNITS: [u8; 4] = [1, 7, 128, 255];

/// Builds a task that receives `total` items from channels counted by `meter`.
type Scenario = fn(total: u32, meter: &Meter) -> Pin<Box<dyn Future<Output = u32>>>;

/// How many items a run receives in total: enough for three full polls and a
/// partial one, and at least one item per child of the widest combinator.
fn total_items(units: u8) -> u32 {
    let units = u32::from(units);
    3 * units + units / 2 + 1 + 64
}

/// Runs `scenario` on `executor` under a `Budget` of `units` per task poll
/// and checks every poll.
fn check(name: &str, scenario: Scenario, executor: Executor, units: u8) {
    let total = total_items(units);
    let meter = Meter::default();
    let log = PollLog::default();
    let received = std::rc::Rc::new(std::cell::Cell::new(0));
    let received_in_task = received.clone();
    let body = scenario(total, &meter);
    let task = Budgeted::new(Some(Budget::with_units(units)), &meter, &log, async move {
        received_in_task.set(body.await);
    });
    let finished = executor.run(task);
    let what = format!("{name} on {executor:?} with a budget of {units}");
    assert!(
        finished,
        "{what}: the task was not woken again after yielding"
    );
    assert_eq!(received.get(), total, "{what}: items received");
    assert_eq!(
        *log.borrow(),
        expected_polls(total, units),
        "{what}: items received per task poll"
    );
}

fn check_all(name: &str, scenario: Scenario) {
    for executor in EXECUTORS {
        for units in UNITS {
            check(name, scenario, executor, units);
        }
    }
}

#[test]
fn plain_async_code_yields_after_exactly_n_receives() {
    check_all("plain async code", |total, meter| {
        let channel = channels(total, 1, meter).pop().unwrap();
        Box::pin(drain(channel))
    });
}

#[test]
fn futures_join_yields_after_exactly_n_receives() {
    check_all("futures::future::join", |total, meter| {
        let mut parts = channels(total, 2, meter);
        let (b, a) = (parts.pop().unwrap(), parts.pop().unwrap());
        Box::pin(async move {
            let (a, b) = futures::future::join(drain(a), drain(b)).await;
            a + b
        })
    });
}

#[test]
fn tokio_join_macro_yields_after_exactly_n_receives() {
    check_all("tokio::join!", |total, meter| {
        let mut parts = channels(total, 3, meter);
        let (c, b, a) = (
            parts.pop().unwrap(),
            parts.pop().unwrap(),
            parts.pop().unwrap(),
        );
        Box::pin(async move {
            let (a, b, c) = tokio::join!(drain(a), drain(b), drain(c));
            a + b + c
        })
    });
}

#[test]
fn stream_select_yields_after_exactly_n_receives() {
    check_all("futures::stream::select", |total, meter| {
        let mut parts = channels(total, 2, meter);
        let (b, a) = (parts.pop().unwrap(), parts.pop().unwrap());
        Box::pin(async move { stream::select(a, b).count().await as u32 })
    });
}

#[test]
fn tokio_select_macro_yields_after_exactly_n_receives() {
    check_all("tokio::select! loop", |total, meter| {
        let mut parts = channels(total, 2, meter);
        let (mut b, mut a) = (parts.pop().unwrap(), parts.pop().unwrap());
        Box::pin(async move {
            let mut received = 0;
            loop {
                tokio::select! {
                    Some(_) = a.recv() => received += 1,
                    Some(_) = b.recv() => received += 1,
                    else => break received,
                }
            }
        })
    });
}

#[test]
fn futures_join_macro_yields_after_exactly_n_receives() {
    check_all("futures::join!", |total, meter| {
        let mut parts = channels(total, 2, meter);
        let (b, a) = (parts.pop().unwrap(), parts.pop().unwrap());
        Box::pin(async move {
            let (a, b) = futures::join!(drain(a), drain(b));
            a + b
        })
    });
}

#[test]
fn futures_select_macro_yields_after_exactly_n_receives() {
    check_all("futures::select! loop", |total, meter| {
        let mut parts = channels(total, 2, meter);
        let (mut b, mut a) = (parts.pop().unwrap(), parts.pop().unwrap());
        Box::pin(async move {
            let mut received = 0;
            loop {
                futures::select! {
                    item = a.next() => if item.is_some() { received += 1 },
                    item = b.next() => if item.is_some() { received += 1 },
                    complete => break received,
                }
            }
        })
    });
}

#[test]
fn futures_unordered_yields_after_exactly_n_receives() {
    check_all("FuturesUnordered", |total, meter| {
        let mut children: FuturesUnordered<_> =
            channels(total, 8, meter).into_iter().map(drain).collect();
        Box::pin(async move {
            let mut received = 0;
            while let Some(n) = children.next().await {
                received += n;
            }
            received
        })
    });
}

#[test]
fn buffer_unordered_yields_after_exactly_n_receives() {
    check_all("buffer_unordered(4)", |total, meter| {
        let parts = channels(total, 16, meter);
        Box::pin(async move {
            stream::iter(parts)
                .map(drain)
                .buffer_unordered(4)
                .fold(0, |sum, n| async move { sum + n })
                .await
        })
    });
}

#[test]
fn join_all_of_64_yields_after_exactly_n_receives() {
    check_all("join_all of 64", |total, meter| {
        let children = channels(total, 64, meter).into_iter().map(drain);
        Box::pin(async move { futures::future::join_all(children).await.into_iter().sum() })
    });
}
