//! `CoopCompat` inside `CoopCompat`, inside a tokio task, inside the root
//! future of `block_on`, and on a `spawn_blocking` thread: no panic, and never
//! a second budget. And the hazard of a blocking executor nested in a tokio
//! task, with the `block_in_place` way round it.
#![cfg(feature = "tokio")]

mod support;

use coop_compat::CoopCompat;
use support::{Executor, PollLog, ReadySource};

const TOTAL: u32 = 300;

/// Receives `TOTAL` messages from a tokio channel and a Context-based
/// source, alternately.
async fn drain(log: PollLog) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for i in 0..TOTAL {
        tx.send(i).unwrap();
    }
    let mut source = ReadySource::new(TOTAL);
    for i in 0..TOTAL {
        if i % 2 == 0 {
            rx.recv().await.unwrap();
        } else {
            source.recv().await.unwrap();
        }
        log.work();
    }
}

#[test]
fn coop_compat_inside_coop_compat_on_a_foreign_executor() {
    for exec in [Executor::LocalPool, Executor::AsyncExecutorTwoThreads] {
        let log = PollLog::default();
        let inner = CoopCompat::wrap(drain(log.clone()));
        exec.run(log.meter(CoopCompat::wrap(CoopCompat::wrap(inner))));
        assert_eq!(log.per_poll(), vec![128, 128, 44], "{exec:?}");
    }
}

#[test]
fn coop_compat_inside_a_tokio_task() {
    for exec in Executor::TOKIO {
        let log = PollLog::default();
        exec.run(log.meter(CoopCompat::wrap(CoopCompat::wrap(drain(log.clone())))));
        assert_eq!(log.per_poll(), vec![128, 128, 44], "{exec:?}");
    }
}

#[test]
fn coop_compat_in_the_root_future_of_block_on() {
    for exec in Executor::TOKIO {
        let log = PollLog::default();
        exec.tokio_runtime()
            .block_on(log.meter(CoopCompat::wrap(drain(log.clone()))));
        assert_eq!(log.per_poll(), vec![128, 128, 44], "block_on on {exec:?}");
    }
}

/// tokio runs `spawn_blocking` closures as tasks (they have a task id), and
/// its public API cannot tell them from async tasks, where opening a scope
/// would panic. So `CoopCompat` polls directly there, as inside any tokio
/// task: no panic, no second budget, and (like tokio itself on that thread)
/// no budget at all. A foreign executor running there can install a
/// `task_coop::Budget` per poll for its Context-based primitives.
#[test]
fn coop_compat_on_a_spawn_blocking_thread() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let log = PollLog::default();
    let task_log = log.clone();
    rt.block_on(rt.spawn_blocking(move || {
        futures::executor::block_on(
            task_log.meter(CoopCompat::wrap(CoopCompat::wrap(drain(task_log.clone())))),
        )
    }))
    .unwrap();
    assert_eq!(
        log.per_poll(),
        vec![TOTAL],
        "no budget scope on a blocking thread, and no panic"
    );
}

/// Documented hazard (MIGRATION.md): `futures::executor::block_on` inside a
/// tokio task hangs once the task's budget is spent, because tokio defers the
/// wake-up to the scheduler that the blocked thread is supposed to run. The
/// way round is `block_in_place`, which leaves the budget scope: the nested
/// executor then runs its future unbudgeted and completes.
#[test]
fn nested_blocking_executor_in_a_tokio_task_completes_with_block_in_place() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let received = rt
        .block_on(rt.spawn(async {
            tokio::task::block_in_place(|| {
                futures::executor::block_on(async {
                    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                    for i in 0..1000 {
                        tx.send(i).unwrap();
                    }
                    drop(tx);
                    let mut received = 0;
                    while rx.recv().await.is_some() {
                        received += 1;
                    }
                    received
                })
            })
        }))
        .unwrap();
    assert_eq!(received, 1000);
}
