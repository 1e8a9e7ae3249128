//! [`with_budget`]: a counting budget for one poll with no [`Budget`] to
//! keep, so that a per-task wrapper costs no heap per task.
//!
//! The counter is this thread's: one is allocated the first time a thread
//! installs a budget this way, and every later installation on that thread
//! resets and reuses it. Semantics are those of [`Budget::install`] (a fresh
//! `units` each time, refunds, one wake when spent, cooperations that outlive
//! the poll detached so they never touch a later installation).
//!
//! What can go wrong: nothing that changes counts, only costs. An
//! installation nested inside another on the same thread (a blocking executor
//! inside a budgeted poll) finds the counter taken and allocates one of its
//! own for that poll; so does an installation whose poll kept a cooperation
//! past its end (the counter goes with the cooperations, as with `Budget`),
//! and one made while the thread's locals are being destroyed.
//!
//! [`Budget`]: crate::Budget
//! [`Budget::install`]: crate::Budget::install

use core::cell::Cell;
use core::task::Context;

use crate::dispatch;
use crate::raw::budget_cell::OwnedCell;

std::thread_local! {
    /// This thread's counter while no installation holds it; `None` before
    /// the first use and while one is running.
    static SPARE: Cell<Option<OwnedCell>> = const { Cell::new(None) };
}

/// Runs `poll` with a context that draws from a budget of `units`, like
/// [`Budget::install`](crate::Budget::install), on this thread's shared
/// counter: nothing is allocated after the first use on a thread.
///
/// For wrappers that give each poll of a task a budget
/// (`coop_adapters::Budgeted`); an executor can keep a
/// [`Budget`](crate::Budget) per worker instead. Beyond the proposal, like
/// `Budget`: executors' side.
///
/// # Panics
///
/// If `units` is 0: such a budget would never let a task make progress.
///
/// # Examples
///
/// ```
/// use std::task::{Context, Poll, Waker};
/// use task_coop::{with_budget, BudgetExt, ContextExt};
///
/// let mut cx = Context::from_waker(Waker::noop());
/// let left = with_budget(&mut cx, 2, |cx| {
///     let Poll::Ready(mut coop) = cx.poll_cooperate() else { unreachable!() };
///     coop.made_progress();
///     cx.budget_remaining()
/// });
/// assert_eq!(left, Some(1));
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub fn with_budget<R>(
    cx: &mut Context<'_>,
    units: u8,
    poll: impl FnOnce(&mut Context<'_>) -> R,
) -> R {
    assert!(
        units > 0,
        "a budget of 0 units would never let a task make progress; use at least 1"
    );
    // Taken out for the length of the poll, so that a nested installation
    // cannot reset the counter under this one.
    let mut counter = SPARE
        .try_with(Cell::take)
        .ok()
        .flatten()
        .unwrap_or_else(|| OwnedCell::fresh(units));
    let out = counter.install(units, cx, |cell, cx| {
        dispatch::install_budget(cx, cell, poll)
    });
    // Back for the next poll. If a nested installation left its own counter
    // there meanwhile, that one is dropped. Unwinding skips this: the
    // counter is dropped instead, and the next poll allocates another.
    let _destroyed_thread_locals = SPARE.try_with(|spare| spare.set(Some(counter)));
    out
}
