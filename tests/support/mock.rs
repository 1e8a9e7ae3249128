//! A primitive's forced yields, counted on tokio-test's mock task.

use std::future::Future;

use coop_compat::Budgeted;
use tokio_test::{assert_pending, assert_ready};

use super::Counter;

/// Polls `task` as a tokio-test mock task under
/// `Budgeted::context_only(task, units)`, and checks every poll: `counter`
/// ticks `per_poll[i]` times in poll `i`; every poll but the last is a
/// forced yield (`Pending`, and the mock task was woken at once); the last
/// is `Ready`. Returns the task's output.
///
/// Call it outside any tokio runtime (a plain `#[test]`): there the mock
/// task has no budget but this one.
pub(crate) fn assert_yields<F: Future<Output: std::fmt::Debug>>(
    task: F,
    units: u8,
    counter: &Counter,
    per_poll: &[u32],
) -> F::Output {
    let mut task = tokio_test::task::spawn(Budgeted::context_only(task, units));
    let (last, yields) = per_poll.split_last().expect("at least one poll");
    for (poll, &expected) in yields.iter().enumerate() {
        let before = counter.get();
        assert_pending!(task.poll(), "poll {poll} should be a forced yield");
        assert!(
            task.is_woken(),
            "poll {poll}: a forced yield wakes the task at once"
        );
        assert_eq!(counter.get() - before, expected, "work in poll {poll}");
    }
    let before = counter.get();
    let out = assert_ready!(task.poll(), "the last poll");
    assert_eq!(counter.get() - before, *last, "work in the last poll");
    out
}
