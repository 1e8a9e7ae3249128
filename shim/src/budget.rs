//! [`Budget`]: the ready-made counting provider, with tokio's semantics.
//!
//! What can go wrong: a budget that is never installed does nothing (futures
//! polled without it are unconstrained); a budget of a few units makes tasks
//! yield often, which costs a trip through the scheduler each time.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use crate::dispatch;
use crate::raw::budget_cell::OwnedCell;

/// A task budget that counts units, like tokio's: `units` per installation,
/// one unit per [`poll_cooperate`](crate::ContextExt::poll_cooperate), given
/// back if the [`Cooperation`](crate::Cooperation) is dropped without
/// progress; when none is left, `Pending` and one wake of the task.
///
/// An executor keeps one `Budget` (per task, or per worker thread: it is
/// `Send`, not `Sync`) and polls each task through [`install`](Self::install)
/// or [`poll`](Self::poll). Each installation starts again from
/// [`units`](Self::units); after it, [`remaining`](Self::remaining) tells what
/// the poll left.
///
/// # Refunds
///
/// Dropping a cooperation without progress puts the units back to what they
/// were just before it was taken, unless they are already higher: a refund
/// never takes units away. When cooperations are dropped in last-in-first-out
/// order (the usual nesting of polls) this is exactly what tokio's
/// `RestoreOnPending` does, including its rule that an outer refund also
/// undoes the units spent inside it. Out of order, tokio restores an absolute
/// value and can take units away (drop an older guard, then a younger one, and
/// the younger one's older-but-lower value wins); this budget does not.
///
/// A cooperation that outlives its installation (kept in a future's state
/// and dropped in a later poll) is detached: dropping it, or calling
/// `made_progress` on it, changes nothing, whatever is installed by then.
///
/// # Examples
///
/// A minimal executor loop giving every poll a budget:
///
/// ```
/// use std::pin::pin;
/// use std::task::{Context, Poll, Waker};
/// use task_coop::Budget;
///
/// let mut budget = Budget::new();
/// let mut task = pin!(async { 7 });
/// let mut cx = Context::from_waker(Waker::noop());
/// loop {
///     if let Poll::Ready(out) = budget.poll(task.as_mut(), &mut cx) {
///         assert_eq!(out, 7);
///         break;
///     }
/// }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub struct Budget {
    cell: OwnedCell,
    units: u8,
}

impl Budget {
    /// Units per installation given by [`Budget::new`]: 128, tokio's figure.
    ///
    /// tokio picked it by measurement: small enough that a task which always
    /// finds work still yields within tens of microseconds, large enough that
    /// ordinary tasks, which wait long before they run out, almost never
    /// yield because of it.
    pub const DEFAULT_UNITS: u8 = 128;

    /// A budget of [`DEFAULT_UNITS`](Self::DEFAULT_UNITS) per installation.
    ///
    /// Allocates its 256-byte counter once, here; installing it and every
    /// `poll_cooperate` after that allocate nothing.
    pub fn new() -> Self {
        Self::with_units(Self::DEFAULT_UNITS)
    }

    /// A budget of `units` per installation.
    ///
    /// # Panics
    ///
    /// If `units` is 0: such a budget would never let a task make progress.
    ///
    /// # Examples
    ///
    /// ```
    /// let budget = task_coop::Budget::with_units(16);
    /// assert_eq!(budget.units(), 16);
    /// assert_eq!(budget.remaining(), 16);
    /// ```
    pub fn with_units(units: u8) -> Self {
        assert!(
            units > 0,
            "a budget of 0 units would never let a task make progress; use at least 1"
        );
        Self {
            cell: OwnedCell::fresh(units),
            units,
        }
    }

    /// Units each installation starts with.
    pub fn units(&self) -> u8 {
        self.units
    }

    /// Units left: during an installation, what the poll has not spent yet;
    /// after it, what it left.
    pub fn remaining(&self) -> u8 {
        self.cell.remaining()
    }

    /// Resets the budget to [`units`](Self::units) and runs `poll` with a
    /// context that draws from it: the executor side of the proposal's
    /// `ContextBuilder::set_poll_cooperate`.
    ///
    /// If `poll` panics, the budget is put back to what it was before this
    /// call, and the panic goes on.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// use task_coop::{Budget, BudgetExt, ContextExt};
    ///
    /// let mut budget = Budget::with_units(2);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// budget.install(&mut cx, |cx| {
    ///     let progressed = cx.poll_cooperate().map(|mut coop| coop.made_progress());
    ///     assert!(progressed.is_ready());
    ///     assert_eq!(cx.budget_remaining(), Some(1));
    /// });
    /// assert_eq!(budget.remaining(), 1);
    /// ```
    pub fn install<R>(
        &mut self,
        cx: &mut Context<'_>,
        poll: impl FnOnce(&mut Context<'_>) -> R,
    ) -> R {
        self.cell.install(self.units, cx, |cell, cx| {
            dispatch::install_budget(cx, cell, poll)
        })
    }

    /// Polls `future` once under a fresh installation of this budget.
    pub fn poll<F: Future + ?Sized>(
        &mut self,
        future: Pin<&mut F>,
        cx: &mut Context<'_>,
    ) -> Poll<F::Output> {
        self.install(cx, |cx| future.poll(cx))
    }
}

impl Default for Budget {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Budget")
            .field("units", &self.units)
            .field("remaining", &self.remaining())
            .finish()
    }
}
