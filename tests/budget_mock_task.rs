//! A primitive written only against the Context budget API (support's
//! always-ready source), polled on tokio-test's mock task: under
//! `Budgeted::context_only(_, N)` every poll but the last is a forced yield
//! after exactly N receives that woke the task at once, for N = 1, 7, 128
//! and 255; with no budget (a mock task polled outside tokio has none), one
//! poll takes everything.
#![cfg(feature = "std")]

mod support;

use support::{assert_yields, drain, Counter, ReadySource};
use tokio_test::assert_ready_eq;

const TOTAL: u32 = 1000;

#[test]
fn yields_after_exactly_n_receives_and_wakes_the_task() {
    for units in [1u8, 7, 128, 255] {
        let n = u32::from(units);
        let received = Counter::default();
        // N per poll, then the rest and the final `None` (which needs a
        // unit, and gives it back).
        let mut per_poll = vec![n; (TOTAL / n) as usize];
        per_poll.push(TOTAL % n);
        let task = drain(ReadySource::counted(TOTAL, &received));
        assert_eq!(assert_yields(task, units, &received, &per_poll), TOTAL);
    }
}

#[test]
fn without_a_budget_one_poll_takes_everything() {
    let mut task = tokio_test::task::spawn(drain(ReadySource::new(TOTAL)));
    assert_ready_eq!(task.poll(), TOTAL);
    assert!(!task.is_woken());
}
