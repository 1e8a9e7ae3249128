//! The spawn-time wrapper with the `tokio` feature: `budgeted` and
//! `Budgeted::with_units(task, N)` give tokio's channel and a Context-based
//! primitive one budget of N units per poll, on foreign executors and inside
//! tokio tasks alike; `Budgeted::context_only` leaves tokio's types out.
#![cfg(feature = "tokio")]

mod support;

use coop_compat::{budgeted, Budgeted};
use support::{cut_every, interleave, Executor, PollLog};

/// Items drained per task: several budgets and a partial one for every size.
const TOTAL: u32 = 300;

/// Runs `interleave` of `k`:`m` under `Budgeted::with_units(_, units)` on
/// `exec`, asserts that it received `TOTAL` with a poll cut at every `units`,
/// and returns its log. `what` names the case in the messages.
fn run_with_units(exec: Executor, units: u8, (k, m): (u32, u32), what: &str) -> PollLog {
    let log = PollLog::default();
    let task = log.meter(Budgeted::with_units(
        interleave(TOTAL, k, m, log.clone()),
        units,
    ));
    assert_eq!(exec.run(task), TOTAL);
    assert_eq!(
        log.per_poll(),
        cut_every(TOTAL, units.into()),
        "work per poll, {what}"
    );
    log
}

/// On each executor of `on` (none with a budget of its own), for each budget
/// of `units` and each `k`:`m` of `mixes`: a poll cut at every `units`, and
/// one wake per forced yield, none for the last poll. `mix_name` names the
/// mix in the messages.
fn assert_cut_and_woken(
    on: &[Executor],
    units: &[u8],
    mixes: &[(u32, u32)],
    mix_name: fn(u32, u32) -> String,
) {
    for &exec in on {
        for &units in units {
            for &(k, m) in mixes {
                let what = format!("{exec:?}, {units} units, {}", mix_name(k, m));
                let log = run_with_units(exec, units, (k, m), &what);
                let mut wakes = vec![1; cut_every(TOTAL, units.into()).len()];
                *wakes.last_mut().unwrap() = 0;
                assert_eq!(log.wakes(), wakes, "wakes, {what}");
            }
        }
    }
}

#[test]
fn a_drain_of_tokio_mpsc_yields_every_n_units_on_async_executor() {
    // Only tokio receives: the README's wrapper must budget them.
    assert_cut_and_woken(
        &[
            Executor::AsyncExecutorOneThread,
            Executor::AsyncExecutorTwoThreads,
        ],
        &[16, 128],
        &[(1, 0)],
        |_, _| "tokio mpsc only".into(),
    );
}

#[test]
fn tokio_and_context_primitives_share_n_units_on_every_foreign_executor() {
    assert_cut_and_woken(
        &Executor::FOREIGN,
        &[16, 64, 128],
        &[(1, 1), (3, 1), (1, 3)],
        |k, m| format!("{k}:{m}"),
    );
}

#[test]
fn inside_tokio_tasks_the_wrapper_lowers_tokios_budget_to_n() {
    for exec in Executor::TOKIO {
        for units in [16u8, 64, 128] {
            for (k, m) in [(1, 1), (1, 0), (0, 1)] {
                run_with_units(
                    exec,
                    units,
                    (k, m),
                    &format!("{exec:?}, {units} units, {k}:{m}"),
                );
            }
        }
    }
}

#[test]
fn budgeted_is_128_units_for_both_kinds() {
    let log = PollLog::default();
    let task = budgeted(interleave(TOTAL, 1, 1, log.clone()));
    assert!(task.reaches_tokio());
    assert_eq!(Executor::LocalPool.run(log.meter(task)), TOTAL);
    assert_eq!(log.per_poll(), cut_every(TOTAL, 128));
}

#[test]
fn context_only_leaves_tokios_types_unbudgeted_on_foreign_executors() {
    for exec in Executor::FOREIGN {
        // tokio receives alone: nothing yields.
        let log = PollLog::default();
        let task = Budgeted::context_only(interleave(TOTAL, 1, 0, log.clone()), 16);
        assert!(!task.reaches_tokio());
        assert_eq!(exec.run(log.meter(task)), TOTAL);
        assert_eq!(log.per_poll(), vec![TOTAL], "{exec:?}, tokio mpsc only");

        // The Context-based source alone: 16 per poll.
        let log = PollLog::default();
        let task = Budgeted::context_only(interleave(TOTAL, 0, 1, log.clone()), 16);
        assert_eq!(exec.run(log.meter(task)), TOTAL);
        assert_eq!(
            log.per_poll(),
            cut_every(TOTAL, 16),
            "{exec:?}, Context source only"
        );
    }
}
