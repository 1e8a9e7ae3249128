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
use crate::raw::budget_cell::{Config, OwnedCell};
use crate::{BudgetMetrics, TimeSlice};

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
/// With a [time slice](Self::with_time_slice) the units are handed out in
/// segments, one clock read each, and a refund works within a segment: a
/// cooperation dropped after a later segment began puts back at most what
/// its own segment held, so the units can end lower than before it was
/// taken (the units moved out of reserve since stay where they are).
///
/// A cooperation that outlives its installation (kept in a future's state
/// and dropped in a later poll) is detached: dropping it, or calling
/// `made_progress` on it, changes nothing, whatever is installed by then,
/// metrics included.
///
/// # Beyond tokio
///
/// * A time slice ([`with_time_slice`](Self::with_time_slice)): "N units or
///   a time slice, whichever comes first"; see [`TimeSlice`] for how often
///   the clock is read.
/// * Metrics ([`metrics`](Self::metrics), [`ran_out`](Self::ran_out)):
///   polls, units spent, forced yields, yields ended by the slice. They are
///   computed when each installation ends, from the counter's state; nothing
///   is added to `poll_cooperate`, `made_progress` or dropping a cooperation.
/// * Deferred forced wakes
///   ([`set_defer_forced_wakes`](Self::set_defer_forced_wakes)): the
///   executor, rather than the task's waker, reschedules a task that ran out,
///   so it can queue it behind tasks woken by events (tokio's defer list;
///   tokio issue #3493).
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
    config: Config,
    metrics: BudgetMetrics,
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
    /// Allocates its counter (256 bytes) once, here; installing it and every
    /// `poll_cooperate` after that allocate nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// let budget = task_coop::Budget::new();
    /// assert_eq!(budget.units(), task_coop::Budget::DEFAULT_UNITS);
    /// ```
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
            config: Config {
                units,
                slice: None,
                defer_task_wake: false,
            },
            metrics: BudgetMetrics::default(),
        }
    }

    /// A budget of `units` or `slice` per installation, whichever runs out
    /// first: when the slice has elapsed, `poll_cooperate` says `Pending`
    /// (and the task is woken, or left to the executor, as when the units
    /// run out) even with units left.
    ///
    /// The clock is read once every [`TimeSlice::check_interval`] units
    /// taken, from the one after the first interval (the slice starts then),
    /// never on the other units; see [`TimeSlice`]. With `std`, `slice` can be a
    /// [`Duration`](core::time::Duration).
    ///
    /// # Panics
    ///
    /// If `units` is 0, as [`with_units`](Self::with_units).
    ///
    /// # Examples
    ///
    /// ```
    /// use task_coop::{Budget, TimeSlice};
    ///
    /// fn microseconds() -> u64 {
    ///     0 // the executor's clock
    /// }
    /// // 128 units or 1 ms, whichever comes first.
    /// let budget = Budget::with_time_slice(128, TimeSlice::with_clock(1_000, microseconds));
    /// assert_eq!(budget.units(), 128);
    /// assert_eq!(budget.time_slice().map(|s| s.ticks()), Some(1_000));
    /// ```
    ///
    /// With `std`, on `Instant`:
    ///
    /// ```
    /// # #[cfg(feature = "std")] {
    /// use std::time::Duration;
    /// use task_coop::Budget;
    ///
    /// let budget = Budget::with_time_slice(128, Duration::from_millis(1));
    /// assert_eq!(budget.time_slice().map(|s| s.ticks()), Some(1_000_000));
    /// # }
    /// ```
    pub fn with_time_slice(units: u8, slice: impl Into<TimeSlice>) -> Self {
        let mut budget = Self::with_units(units);
        budget.config.slice = Some(slice.into().raw());
        budget
    }

    /// Units each installation starts with.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(task_coop::Budget::new().units(), 128);
    /// ```
    pub fn units(&self) -> u8 {
        self.config.units
    }

    /// The time slice, if this budget has one.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(task_coop::Budget::new().time_slice().is_none());
    /// ```
    pub fn time_slice(&self) -> Option<TimeSlice> {
        self.config.slice.map(TimeSlice::from_raw)
    }

    /// Units left: during an installation, what the poll has not spent yet;
    /// after it, what it left. 0 once the time slice has ended.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(task_coop::Budget::with_units(9).remaining(), 9);
    /// ```
    pub fn remaining(&self) -> u8 {
        self.cell.remaining()
    }

    /// What this budget did since it was made (or since
    /// [`take_metrics`](Self::take_metrics)): installations, units spent,
    /// forced yields, yields ended by the time slice. See [`BudgetMetrics`]
    /// for exactly what counts.
    ///
    /// Computed when each installation ends, from the counter's state: the
    /// calls a future makes during the poll do no counting.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// use task_coop::{Budget, ContextExt};
    ///
    /// let mut budget = Budget::with_units(2);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// budget.install(&mut cx, |cx| {
    ///     drop(cx.poll_cooperate()); // no progress: the unit is given back
    ///     let _ = cx.poll_cooperate().map(|mut coop| coop.made_progress());
    /// });
    /// let metrics = budget.metrics();
    /// assert_eq!((metrics.polls, metrics.units_spent, metrics.forced_yields), (1, 1, 0));
    /// ```
    pub fn metrics(&self) -> BudgetMetrics {
        self.metrics
    }

    /// Returns the metrics and starts counting again from zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// use task_coop::{Budget, BudgetMetrics};
    ///
    /// let mut budget = Budget::new();
    /// budget.install(&mut Context::from_waker(Waker::noop()), |_| {});
    /// assert_eq!(budget.take_metrics().polls, 1);
    /// assert_eq!(budget.metrics(), BudgetMetrics::default());
    /// ```
    pub fn take_metrics(&mut self) -> BudgetMetrics {
        core::mem::take(&mut self.metrics)
    }

    /// Whether the last installation was forced to yield: `poll_cooperate`
    /// said `Pending` in it because the budget was spent (its units or its
    /// time slice). False before the first installation, and after one whose
    /// poll panicked.
    ///
    /// An executor that [defers forced wakes](Self::set_defer_forced_wakes)
    /// must requeue the task when this is true and the poll returned
    /// `Pending`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// use task_coop::{Budget, ContextExt};
    ///
    /// let mut budget = Budget::with_units(1);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// budget.install(&mut cx, |cx| {
    ///     let _ = cx.poll_cooperate().map(|mut coop| coop.made_progress());
    /// });
    /// assert!(!budget.ran_out()); // spent its unit, never told Pending
    /// budget.install(&mut cx, |cx| {
    ///     let _ = cx.poll_cooperate().map(|mut coop| coop.made_progress());
    ///     assert!(cx.poll_cooperate().is_pending());
    /// });
    /// assert!(budget.ran_out());
    /// ```
    pub fn ran_out(&self) -> bool {
        self.cell.ran_out()
    }

    /// Whether running out leaves the task to the executor instead of waking
    /// it (off by default).
    ///
    /// Off, a future told `Pending` because the budget is spent has the
    /// task's waker woken, once per installation: the task is queued with
    /// tasks woken by events (async-executor keeps one FIFO of both). On, the
    /// task's own waker (the waker of the context given to
    /// [`install`](Self::install) or [`poll`](Self::poll)) is not woken for
    /// it; after the poll, [`ran_out`](Self::ran_out) tells the executor,
    /// which requeues the task where it likes: behind the tasks woken by
    /// events, as tokio's defer list does.
    ///
    /// **The contract**: an executor that turns this on must requeue every
    /// task whose poll returned `Pending` with `ran_out()` true. Nothing else
    /// will wake it, and it is lost otherwise.
    ///
    /// Wakers other than the task's (children of a combinator that polls
    /// with wakers of its own, which reach the budget through the
    /// thread-local fallback) are still woken, or they would be lost: the
    /// combinator wakes the task through them, so such a task may also be
    /// woken in the usual way.
    ///
    /// # Examples
    ///
    /// An executor's loop with two queues, fresh wakes served first:
    ///
    /// ```
    /// use std::collections::VecDeque;
    /// use std::future::poll_fn;
    /// use std::pin::pin;
    /// use std::task::{Context, Poll, Waker};
    /// use task_coop::{Budget, ContextExt};
    ///
    /// let mut budget = Budget::with_units(128);
    /// budget.set_defer_forced_wakes(true);
    /// let mut left = 300;
    /// let mut task = pin!(poll_fn(|cx| {
    ///     while left > 0 {
    ///         let mut coop = std::task::ready!(cx.poll_cooperate());
    ///         coop.made_progress();
    ///         left -= 1;
    ///     }
    ///     Poll::Ready(())
    /// }));
    /// let mut cx = Context::from_waker(Waker::noop()); // nothing wakes this task
    /// let mut deferred = VecDeque::from([()]);
    /// let mut polls = 0;
    /// while deferred.pop_front().is_some() {
    ///     polls += 1;
    ///     if budget.poll(task.as_mut(), &mut cx).is_pending() {
    ///         assert!(budget.ran_out());
    ///         deferred.push_back(()); // requeued by the executor, not woken
    ///     }
    /// }
    /// assert_eq!(polls, 3);
    /// ```
    pub fn set_defer_forced_wakes(&mut self, defer: bool) {
        self.config.defer_task_wake = defer;
    }

    /// Whether forced wakes are deferred to the executor; see
    /// [`set_defer_forced_wakes`](Self::set_defer_forced_wakes).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!task_coop::Budget::new().defers_forced_wakes());
    /// ```
    pub fn defers_forced_wakes(&self) -> bool {
        self.config.defer_task_wake
    }

    /// Resets the budget to [`units`](Self::units) and runs `poll` with a
    /// context that draws from it: the executor side of the proposal's
    /// `ContextBuilder::set_poll_cooperate`. When `poll` returns, the
    /// [metrics](Self::metrics) and [`ran_out`](Self::ran_out) are updated.
    ///
    /// If `poll` panics, the budget is put back to what it was before this
    /// call (the installation is not counted), and the panic goes on.
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
    // Always inlined: it runs once per task poll, in the executor's loop,
    // and called out of line it paid a call frame for its six saved
    // registers (measured: 100 instructions per installation, 79 inlined).
    #[inline(always)]
    pub fn install<R>(
        &mut self,
        cx: &mut Context<'_>,
        poll: impl FnOnce(&mut Context<'_>) -> R,
    ) -> R {
        let (out, outcome) = self
            .cell
            .install(&self.config, cx.waker(), |cell, task_waker| {
                dispatch::install_budget(task_waker, cell, poll)
            });
        // `--cfg task_coop_no_metrics` exists for one measurement only: the
        // A/B in benches/README.md of what keeping the metrics costs.
        #[cfg(not(task_coop_no_metrics))]
        self.metrics.record(outcome);
        #[cfg(task_coop_no_metrics)]
        let _ = outcome;
        out
    }

    /// Polls `future` once under a fresh installation of this budget.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::pin::pin;
    /// use std::task::{Context, Waker};
    ///
    /// let mut budget = task_coop::Budget::new();
    /// let poll = budget.poll(pin!(async { 1 }), &mut Context::from_waker(Waker::noop()));
    /// assert!(poll.is_ready());
    /// ```
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
            .field("units", &self.config.units)
            .field("remaining", &self.remaining())
            .field("time_slice", &self.time_slice())
            .field("defer_forced_wakes", &self.config.defer_task_wake)
            .field("metrics", &self.metrics)
            .field("ran_out", &self.ran_out())
            .finish()
    }
}
