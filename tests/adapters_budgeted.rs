//! `budgeted` / `Budgeted`, the executor integration: every poll of a wrapped
//! task gets a fresh budget, so an always-ready loop yields every 128 units
//! on async-executor (smol's executor) and on futures' executors, and the
//! other tasks get their turn; without it, the loop never yields.
#![cfg(feature = "futures")]

mod support;

use std::future::Future;
use std::sync::atomic::Ordering;

use coop_compat::{budgeted, Budgeted, CooperativeExt};
use futures::stream::{self, StreamExt};
use support::{one_turn_per_128, turns_seen_by, units_left, yield_now, Executor, PollLog};

/// A task that receives 300 items from an always-ready stream, counted per
/// poll by `log`.
fn drain_300(log: &PollLog) -> impl Future<Output = ()> + Send + 'static {
    let log = log.clone();
    async move {
        let mut items = stream::iter(0..300).cooperative();
        while items.next().await.is_some() {
            log.work();
        }
    }
}

#[test]
fn every_poll_gets_128_units_on_async_executor() {
    let log = PollLog::default();
    Executor::AsyncExecutorOneThread.run(log.meter(budgeted(drain_300(&log))));
    assert_eq!(log.per_poll(), [128, 128, 44]);
}

#[test]
fn every_poll_gets_128_units_on_futures_local_pool() {
    let log = PollLog::default();
    Executor::LocalPool.run(log.meter(drain_300(&log).budgeted()));
    assert_eq!(log.per_poll(), [128, 128, 44]);
}

#[test]
fn every_poll_gets_128_units_on_futures_block_on() {
    let log = PollLog::default();
    Executor::BlockOn.run(log.meter(Budgeted::new(drain_300(&log))));
    assert_eq!(log.per_poll(), [128, 128, 44]);
}

#[test]
fn every_poll_gets_128_units_on_futures_thread_pool() {
    let log = PollLog::default();
    Executor::ThreadPool.run(log.meter(budgeted(drain_300(&log))));
    assert_eq!(log.per_poll(), [128, 128, 44]);
}

/// The size is the wrapper's choice.
#[test]
fn units_per_poll_are_configurable() {
    let log = PollLog::default();
    Executor::AsyncExecutorOneThread.run(log.meter(Budgeted::with_units(drain_300(&log), 100)));
    assert_eq!(log.per_poll(), [100, 100, 100, 0]);
}

/// Without the wrapper these executors give no budget: the loop takes all
/// 300 items in one poll.
#[test]
fn without_it_the_loop_never_yields() {
    let log = PollLog::default();
    Executor::AsyncExecutorOneThread.run(log.meter(drain_300(&log)));
    assert_eq!(log.per_poll(), [300]);
    assert_eq!(futures::executor::block_on(units_left()), None);
}

/// Each poll starts from the full budget, whatever the last one spent.
/// (`context_only`: with the `tokio` feature, `budgeted`'s units are tokio's,
/// which cannot be read.)
#[test]
fn each_poll_starts_full() {
    let seen = Executor::AsyncExecutorOneThread.run(Budgeted::context_only(
        async {
            let mut seen = Vec::new();
            for _ in 0..3 {
                async {}.cooperative().await;
                async {}.cooperative().await;
                seen.push(units_left().await.unwrap());
                yield_now().await;
            }
            seen
        },
        128,
    ));
    assert_eq!(seen, [126, 126, 126]);
}

/// Runs a budgeted task that always finds work (300 cooperative items)
/// beside a task that counts its turns, on `on`.
fn turns_seen_by_300_items(on: Executor) -> Vec<u32> {
    turns_seen_by(on, |turns| {
        budgeted(async move {
            let mut seen = Vec::new();
            let mut ones = stream::repeat(1).take(300).cooperative();
            while ones.next().await.is_some() {
                seen.push(turns.load(Ordering::Relaxed));
            }
            seen
        })
    })
}

/// On a single-threaded async-executor, a budgeted task that always finds
/// work lets another task run after each 128 units.
#[test]
fn other_tasks_run_between_polls_on_async_executor() {
    let seen = turns_seen_by_300_items(Executor::AsyncExecutorOneThread);
    assert_eq!(seen, one_turn_per_128(300));
}

/// The same on futures' `LocalPool`.
#[test]
fn other_tasks_run_between_polls_on_futures_local_pool() {
    let seen = turns_seen_by_300_items(Executor::LocalPool);
    assert_eq!(seen, one_turn_per_128(300));
}
