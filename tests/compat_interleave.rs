//! One budget for tokio's channel and a Context-based primitive: a task that
//! interleaves K tokio mpsc receives with M receives from a primitive that
//! knows only `task_coop`, both always ready, is forced to yield exactly when
//! K + M reaches 128 — on tokio (with or without `CoopCompat`) and, inside
//! `CoopCompat`, on every other executor, with one wake per forced yield.
#![cfg(feature = "tokio")]

mod support;

use coop_compat::CoopCompat;
use support::{interleave, Executor, PollLog};

/// Three full budgets and a partial one.
const TOTAL: u32 = 3 * 128 + 40;
const MIXES: [(u32, u32); 4] = [(1, 1), (127, 1), (1, 127), (64, 64)];

fn assert_yields_at_128(log: &PollLog, what: &str) {
    assert_eq!(
        log.per_poll(),
        vec![128, 128, 128, 40],
        "work per poll, {what}"
    );
    assert_eq!(log.wakes(), vec![1, 1, 1, 0], "wakes per poll, {what}");
}

#[test]
fn on_tokio_without_wrapper_both_kinds_share_the_task_budget() {
    for exec in Executor::TOKIO {
        for (k, m) in MIXES {
            let log = PollLog::default();
            let done = exec.run(log.meter(interleave(TOTAL, k, m, log.clone())));
            assert_eq!(done, TOTAL);
            assert_yields_at_128(&log, &format!("{exec:?}, {k}:{m}, no wrapper"));
        }
    }
}

#[test]
fn on_tokio_with_wrapper_no_second_budget() {
    for exec in Executor::TOKIO {
        for (k, m) in MIXES {
            let log = PollLog::default();
            let task = log.meter(CoopCompat::wrap(interleave(TOTAL, k, m, log.clone())));
            let done = exec.run(task);
            assert_eq!(done, TOTAL);
            assert_yields_at_128(&log, &format!("{exec:?}, {k}:{m}, CoopCompat"));
        }
    }
}

#[test]
fn on_every_foreign_executor_wrapper_gives_one_shared_budget() {
    for exec in Executor::FOREIGN {
        for (k, m) in MIXES {
            let log = PollLog::default();
            let done = exec.run(log.meter(CoopCompat::wrap(interleave(TOTAL, k, m, log.clone()))));
            assert_eq!(done, TOTAL);
            assert_yields_at_128(&log, &format!("{exec:?}, {k}:{m}, CoopCompat"));
        }
    }
}

#[test]
fn on_foreign_executors_without_wrapper_nothing_yields() {
    for exec in Executor::FOREIGN {
        for (k, m) in MIXES {
            let log = PollLog::default();
            let done = exec.run(log.meter(interleave(TOTAL, k, m, log.clone())));
            assert_eq!(done, TOTAL);
            assert_eq!(
                log.per_poll(),
                vec![TOTAL],
                "{exec:?}, {k}:{m}: today's behaviour, no yield"
            );
            assert_eq!(log.wakes(), vec![0]);
        }
    }
}
