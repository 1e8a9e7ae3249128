//! The spawn-time wrapper with the `tokio` feature: `budgeted` and
//! `Budgeted::with_units(task, N)` give tokio's channel and a Context-based
//! primitive one budget of N units per poll, on foreign executors and inside
//! tokio tasks alike; `Budgeted::context_only` leaves tokio's types out.
#![cfg(feature = "tokio")]

mod support;

use coop_compat::{budgeted, Budgeted};
use support::{Executor, PollLog, ReadySource};

/// Items drained per task: several budgets and a partial one for every size.
const TOTAL: u32 = 300;

/// Receives `TOTAL` messages, `k` from a tokio channel then `m` from a
/// Context-based source, round after round.
async fn interleave(k: u32, m: u32, log: PollLog) -> u32 {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for i in 0..TOTAL {
        tx.send(i).unwrap();
    }
    let mut source = ReadySource::new(TOTAL);
    let mut done = 0;
    while done < TOTAL {
        for _ in 0..k.min(TOTAL - done) {
            rx.recv().await.expect("a message from tokio's channel");
            log.work();
            done += 1;
        }
        for _ in 0..m.min(TOTAL - done) {
            source
                .recv()
                .await
                .expect("a message from the Context-based source");
            log.work();
            done += 1;
        }
    }
    done
}

/// Work per poll when every poll but the last is cut at `units`.
fn cut_every(units: u32) -> Vec<u32> {
    let mut polls = vec![units; (TOTAL / units) as usize];
    if TOTAL % units != 0 {
        polls.push(TOTAL % units);
    }
    polls
}

/// One wake per forced yield, none for the last poll.
fn one_wake_per_yield(units: u32) -> Vec<u32> {
    let mut wakes = vec![1; cut_every(units).len()];
    *wakes.last_mut().unwrap() = 0;
    wakes
}

#[test]
fn a_drain_of_tokio_mpsc_yields_every_n_units_on_async_executor() {
    for exec in [
        Executor::AsyncExecutorOneThread,
        Executor::AsyncExecutorTwoThreads,
    ] {
        for units in [16u8, 128] {
            let log = PollLog::default();
            // Only tokio receives: the README's wrapper must budget them.
            let task = Budgeted::with_units(interleave(1, 0, log.clone()), units);
            assert_eq!(exec.run(log.meter(task)), TOTAL);
            let what = format!("{exec:?}, {units} units, tokio mpsc only");
            assert_eq!(
                log.per_poll(),
                cut_every(units.into()),
                "work per poll, {what}"
            );
            assert_eq!(
                log.wakes(),
                one_wake_per_yield(units.into()),
                "wakes, {what}"
            );
        }
    }
}

#[test]
fn tokio_and_context_primitives_share_n_units_on_every_foreign_executor() {
    for exec in Executor::FOREIGN {
        for units in [16u8, 64, 128] {
            for (k, m) in [(1, 1), (3, 1), (1, 3)] {
                let log = PollLog::default();
                let task = Budgeted::with_units(interleave(k, m, log.clone()), units);
                assert_eq!(exec.run(log.meter(task)), TOTAL);
                let what = format!("{exec:?}, {units} units, {k}:{m}");
                assert_eq!(
                    log.per_poll(),
                    cut_every(units.into()),
                    "work per poll, {what}"
                );
                assert_eq!(
                    log.wakes(),
                    one_wake_per_yield(units.into()),
                    "wakes, {what}"
                );
            }
        }
    }
}

#[test]
fn inside_tokio_tasks_the_wrapper_lowers_tokios_budget_to_n() {
    for exec in Executor::TOKIO {
        for units in [16u8, 64, 128] {
            for (k, m) in [(1, 1), (1, 0), (0, 1)] {
                let log = PollLog::default();
                let task = log.meter(Budgeted::with_units(interleave(k, m, log.clone()), units));
                assert_eq!(exec.run(task), TOTAL);
                let what = format!("{exec:?}, {units} units, {k}:{m}");
                assert_eq!(
                    log.per_poll(),
                    cut_every(units.into()),
                    "work per poll, {what}"
                );
            }
        }
    }
}

#[test]
fn budgeted_is_128_units_for_both_kinds() {
    let log = PollLog::default();
    let task = budgeted(interleave(1, 1, log.clone()));
    assert!(task.reaches_tokio());
    assert_eq!(Executor::LocalPool.run(log.meter(task)), TOTAL);
    assert_eq!(log.per_poll(), cut_every(128));
}

#[test]
fn context_only_leaves_tokios_types_unbudgeted_on_foreign_executors() {
    for exec in [Executor::LocalPool, Executor::AsyncExecutorOneThread] {
        // tokio receives alone: nothing yields.
        let log = PollLog::default();
        let task = Budgeted::context_only(interleave(1, 0, log.clone()), 16);
        assert!(!task.reaches_tokio());
        assert_eq!(exec.run(log.meter(task)), TOTAL);
        assert_eq!(log.per_poll(), vec![TOTAL], "{exec:?}, tokio mpsc only");

        // The Context-based source alone: 16 per poll.
        let log = PollLog::default();
        let task = Budgeted::context_only(interleave(0, 1, log.clone()), 16);
        assert_eq!(exec.run(log.meter(task)), TOTAL);
        assert_eq!(
            log.per_poll(),
            cut_every(16),
            "{exec:?}, Context source only"
        );
    }
}
