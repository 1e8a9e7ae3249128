//! Acceptance 2: a primitive written only against the Context budget API (the
//! always-ready source of `support`) makes its task yield after exactly N
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

mod support;

use std::future::Future;
use std::pin::Pin;

use futures::stream::{self, FuturesUnordered, StreamExt};
use support::{drain, split, Counter, Executor, PollLog};

const UNITS: [u8; 4] = [1, 7, 128, 255];

/// The executors of this test: single-threaded, no budget of their own.
const EXECUTORS: [Executor; 2] = [Executor::LocalPool, Executor::AsyncExecutorOneThread];

/// Builds a task that receives `total` items from sources that tick
/// `received`.
type Scenario = fn(total: u32, received: &Counter) -> Pin<Box<dyn Future<Output = u32> + Send>>;

/// How many items a run receives in total: enough for three full polls and a
/// partial one, and at least one item per child of the widest combinator.
fn total_items(units: u8) -> u32 {
    let units = u32::from(units);
    3 * units + units / 2 + 1 + 64
}

/// The (items received, ready) of each poll of a task that receives `total`
/// items under a budget of `units` per poll: it yields after exactly `units`
/// receives each time, and the last poll takes the rest (possibly none: the
/// final `None` needs a unit too, even though it gives it back).
fn expected_polls(total: u32, units: u8) -> Vec<(u32, bool)> {
    let units = u32::from(units);
    let mut polls = vec![(units, false); (total / units) as usize];
    polls.push((total % units, true));
    polls
}

/// Runs `scenario` on `executor` under a `Budget` of `units` per task poll
/// and checks every poll.
fn check(name: &str, scenario: Scenario, executor: Executor, units: u8) {
    let total = total_items(units);
    let log = PollLog::default();
    let task = log.meter_with_budget(units, scenario(total, log.counter()));
    let received = executor.run(task);
    let what = format!("{name} on {executor:?} with a budget of {units}");
    let polls = log.records();
    assert!(
        polls[..polls.len() - 1].iter().all(|poll| poll.wakes > 0),
        "{what}: the task was not woken again after yielding: {polls:?}"
    );
    assert_eq!(received, total, "{what}: items received");
    assert_eq!(
        polls
            .iter()
            .map(|poll| (poll.work, poll.ready))
            .collect::<Vec<_>>(),
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
    check_all("plain async code", |total, received| {
        let channel = split(total, 1, received).pop().unwrap();
        Box::pin(drain(channel))
    });
}

#[test]
fn futures_join_yields_after_exactly_n_receives() {
    check_all("futures::future::join", |total, received| {
        let mut parts = split(total, 2, received);
        let (b, a) = (parts.pop().unwrap(), parts.pop().unwrap());
        Box::pin(async move {
            let (a, b) = futures::future::join(drain(a), drain(b)).await;
            a + b
        })
    });
}

#[test]
fn tokio_join_macro_yields_after_exactly_n_receives() {
    check_all("tokio::join!", |total, received| {
        let mut parts = split(total, 3, received);
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
    check_all("futures::stream::select", |total, received| {
        let mut parts = split(total, 2, received);
        let (b, a) = (parts.pop().unwrap(), parts.pop().unwrap());
        Box::pin(async move { stream::select(a, b).count().await as u32 })
    });
}

#[test]
fn tokio_select_macro_yields_after_exactly_n_receives() {
    check_all("tokio::select! loop", |total, received| {
        let mut parts = split(total, 2, received);
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
    check_all("futures::join!", |total, received| {
        let mut parts = split(total, 2, received);
        let (b, a) = (parts.pop().unwrap(), parts.pop().unwrap());
        Box::pin(async move {
            let (a, b) = futures::join!(drain(a), drain(b));
            a + b
        })
    });
}

#[test]
fn futures_select_macro_yields_after_exactly_n_receives() {
    check_all("futures::select! loop", |total, received| {
        let mut parts = split(total, 2, received);
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
    check_all("FuturesUnordered", |total, received| {
        let mut children: FuturesUnordered<_> =
            split(total, 8, received).into_iter().map(drain).collect();
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
    check_all("buffer_unordered(4)", |total, received| {
        let parts = split(total, 16, received);
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
    check_all("join_all of 64", |total, received| {
        let children = split(total, 64, received).into_iter().map(drain);
        Box::pin(async move { futures::future::join_all(children).await.into_iter().sum() })
    });
}
