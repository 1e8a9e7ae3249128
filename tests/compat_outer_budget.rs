//! A foreign executor that installs its own `task_coop::Budget` of B units:
//! inside `CoopCompat`, tokio's types and Context-based primitives together
//! yield after exactly B units, and afterwards the executor's budget shows
//! exactly the units the wrapped poll spent.
#![cfg(feature = "tokio")]

mod support;

use coop_compat::CoopCompat;
use support::{cut_every, interleave, Executor, PollLog, ReadySource};

const TOTAL: u32 = 300;

#[test]
fn wrapped_poll_gets_the_executors_remaining_units_and_is_charged_for_them() {
    for exec in Executor::FOREIGN {
        for units in [16u8, 100, 128] {
            for (k, m) in [(1, 1), (3, 1), (1, 3)] {
                // The meter installs a fresh `Budget` of `units` per poll,
                // as the executor would.
                let log = PollLog::default();
                let task = CoopCompat::wrap(interleave(TOTAL, k, m, log.clone()));
                assert_eq!(exec.run(log.meter_with_budget(units, task)), TOTAL);

                let b = u32::from(units);
                let expected = cut_every(TOTAL, b);
                let what = format!("{exec:?}, budget {units}, {k}:{m}");
                assert_eq!(log.per_poll(), expected, "work per poll, {what}");
                let expected_left: Vec<u32> = expected.iter().map(|spent| b - spent).collect();
                let left: Vec<u32> = log.spent().iter().map(|spent| b - spent).collect();
                assert_eq!(left, expected_left, "budget left after each poll, {what}");
            }
        }
    }
}

#[test]
fn work_outside_the_wrapper_in_the_same_poll_counts_too() {
    let log = PollLog::default();
    let inner_log = log.clone();
    let body = async move {
        // 10 Context-based receives outside the wrapper, then tokio receives inside.
        let mut source = ReadySource::new(10);
        for _ in 0..10 {
            source.recv().await.unwrap();
            inner_log.work();
        }
        CoopCompat::wrap(async move {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            for i in 0..100 {
                tx.send(i).unwrap();
            }
            for _ in 0..100 {
                rx.recv().await.unwrap();
                inner_log.work();
            }
        })
        .await;
    };
    Executor::LocalPool.run(log.meter_with_budget(50, body));
    assert_eq!(log.per_poll(), vec![50, 50, 10]);
    let left: Vec<u32> = log.spent().iter().map(|spent| 50 - spent).collect();
    assert_eq!(left, vec![0, 0, 40]);
}
