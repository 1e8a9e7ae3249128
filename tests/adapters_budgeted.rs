//! `budgeted` / `Budgeted`, the executor integration: every poll of a wrapped
//! task gets a fresh budget, so an always-ready loop yields every 128 units
//! on async-executor (smol's executor) and on futures' executors, and the
//! other tasks get their turn; without it, the loop never yields.
#![cfg(feature = "futures")]

mod adapters_support;

use std::future::Future;
use std::sync::atomic::Ordering;

use adapters_support::{
    on_async_executor, on_futures_executor, one_turn_per_128, remaining, turns_seen_by, yield_now,
    Progress, Turns,
};
use coop_compat::{budgeted, Budgeted, CooperativeExt};
use futures::stream::{self, StreamExt};

/// A task that receives 300 items from an always-ready stream, counted per
/// poll by `progress`.
fn drain_300(progress: &Progress) -> impl Future<Output = ()> + Send + 'static {
    let counter = progress.clone();
    async move {
        let mut items = stream::iter(0..300).cooperative();
        while items.next().await.is_some() {
            counter.tick();
        }
    }
}

#[test]
fn every_poll_gets_128_units_on_async_executor() {
    let progress = Progress::default();
    let task = progress.track(budgeted(drain_300(&progress)));
    on_async_executor(task);
    assert_eq!(progress.per_poll(), [128, 128, 44]);
}

#[test]
fn every_poll_gets_128_units_on_futures_local_pool() {
    let progress = Progress::default();
    let task = progress.track(drain_300(&progress).budgeted());
    on_futures_executor(task);
    assert_eq!(progress.per_poll(), [128, 128, 44]);
}

#[test]
fn every_poll_gets_128_units_on_futures_block_on() {
    let progress = Progress::default();
    futures::executor::block_on(progress.track(Budgeted::new(drain_300(&progress))));
    assert_eq!(progress.per_poll(), [128, 128, 44]);
}

#[test]
fn every_poll_gets_128_units_on_futures_thread_pool() {
    let progress = Progress::default();
    let pool = futures::executor::ThreadPool::builder()
        .pool_size(1)
        .create()
        .unwrap();
    let (task, done) =
        futures::FutureExt::remote_handle(progress.track(budgeted(drain_300(&progress))));
    pool.spawn_ok(task);
    futures::executor::block_on(done);
    assert_eq!(progress.per_poll(), [128, 128, 44]);
}

/// The size is the wrapper's choice.
#[test]
fn units_per_poll_are_configurable() {
    let progress = Progress::default();
    on_async_executor(progress.track(Budgeted::with_units(drain_300(&progress), 100)));
    assert_eq!(progress.per_poll(), [100, 100, 100, 0]);
}

/// Without the wrapper these executors give no budget: the loop takes all
/// 300 items in one poll.
#[test]
fn without_it_the_loop_never_yields() {
    let progress = Progress::default();
    on_async_executor(progress.track(drain_300(&progress)));
    assert_eq!(progress.per_poll(), [300]);
    assert_eq!(futures::executor::block_on(remaining()), None);
}

/// Each poll starts from the full budget, whatever the last one spent.
#[test]
fn each_poll_starts_full() {
    let seen = on_async_executor(budgeted(async {
        let mut seen = Vec::new();
        for _ in 0..3 {
            async {}.cooperative().await;
            async {}.cooperative().await;
            seen.push(remaining().await.unwrap());
            yield_now().await;
        }
        seen
    }));
    assert_eq!(seen, [126, 126, 126]);
}

/// Runs a budgeted task that always finds work (300 cooperative items)
/// beside a task that counts its turns, on `on`.
fn turns_seen_by_300_items(on: Turns) -> Vec<u32> {
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
    let seen = turns_seen_by_300_items(Turns::AsyncExecutor);
    assert_eq!(seen, one_turn_per_128(300));
}

/// The same on futures' `LocalPool`.
#[test]
fn other_tasks_run_between_polls_on_futures_local_pool() {
    let seen = turns_seen_by_300_items(Turns::LocalPool);
    assert_eq!(seen, one_turn_per_128(300));
}
