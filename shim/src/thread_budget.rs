//! [`with_budget`] and [`with_budget_metered`]: a counting budget for one
//! poll with no [`Budget`] to keep, so that a per-task wrapper costs no heap
//! per task.
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
use crate::raw::budget_cell::{Config, Outcome, OwnedCell};
use crate::{BudgetMetrics, TimeSlice};

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
    let config = Config {
        units,
        slice: None,
        defer_task_wake: false,
    };
    install_on_thread_counter(cx, config, poll).0
}

/// [`with_budget`], with an optional time slice, adding what this
/// installation did to `metrics`: for a per-task wrapper that reports each
/// task's polls, units spent and forced yields (see [`BudgetMetrics`] for
/// exactly what counts), and gives it "`units` or `slice`, whichever comes
/// first" (see [`TimeSlice`] for how often the clock is read).
///
/// Like [`Budget::metrics`](crate::Budget::metrics), the counts are made
/// when the installation ends, from the counter's state; nothing is counted
/// while the poll runs. A poll that panics is not counted.
///
/// # Panics
///
/// If `units` is 0: such a budget would never let a task make progress.
///
/// # Examples
///
/// ```
/// use std::task::{Context, Poll, Waker};
/// use task_coop::{with_budget_metered, BudgetMetrics, ContextExt};
///
/// let mut metrics = BudgetMetrics::default(); // kept with the task
/// let mut cx = Context::from_waker(Waker::noop());
/// for _ in 0..2 {
///     with_budget_metered(&mut cx, 4, None, &mut metrics, |cx| {
///         while let Poll::Ready(mut coop) = cx.poll_cooperate() {
///             coop.made_progress();
///         }
///     });
/// }
/// assert_eq!(
///     metrics,
///     BudgetMetrics { polls: 2, units_spent: 8, forced_yields: 2, slice_yields: 0 }
/// );
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub fn with_budget_metered<R>(
    cx: &mut Context<'_>,
    units: u8,
    slice: Option<TimeSlice>,
    metrics: &mut BudgetMetrics,
    poll: impl FnOnce(&mut Context<'_>) -> R,
) -> R {
    let config = Config {
        units,
        slice: slice.map(TimeSlice::raw),
        defer_task_wake: false,
    };
    let (out, outcome) = install_on_thread_counter(cx, config, poll);
    metrics.record(outcome);
    out
}

/// Installs `config` on this thread's counter for one poll.
fn install_on_thread_counter<R>(
    cx: &mut Context<'_>,
    config: Config,
    poll: impl FnOnce(&mut Context<'_>) -> R,
) -> (R, Outcome) {
    assert!(
        config.units > 0,
        "a budget of 0 units would never let a task make progress; use at least 1"
    );
    // Taken out for the length of the poll, so that a nested installation
    // cannot reset the counter under this one.
    let mut counter = SPARE
        .try_with(Cell::take)
        .ok()
        .flatten()
        .unwrap_or_else(|| OwnedCell::fresh(config.units));
    let out = counter.install(&config, cx.waker(), |cell, task_waker| {
        dispatch::install_budget(task_waker, cell, poll)
    });
    // Back for the next poll. If a nested installation left its own counter
    // there meanwhile, that one is dropped. Unwinding skips this: the
    // counter is dropped instead, and the next poll allocates another.
    let _destroyed_thread_locals = SPARE.try_with(|spare| spare.set(Some(counter)));
    out
}
