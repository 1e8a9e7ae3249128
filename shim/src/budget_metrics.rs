//! [`BudgetMetrics`]: what a budget did, counted per installation.
//!
//! What can go wrong: nothing at run time. The counts are computed when an
//! installation ends, from the counter's state (units left, whether it said
//! `Pending`), so keeping them adds nothing to `poll_cooperate`,
//! `made_progress` or dropping a cooperation.

use crate::raw::budget_cell::Outcome;

/// What a budget did over its installations (one installation is one task
/// poll): read with [`Budget::metrics`](crate::Budget::metrics), or kept by
/// [`with_budget_metered`] (feature `std`) for a per-task wrapper.
///
/// Counted when each installation returns; an installation whose poll
/// panicked is not counted (its budget is put back as it was before).
///
/// # Examples
///
/// ```
/// use std::task::{Context, Poll, Waker};
/// use task_coop::{Budget, BudgetMetrics, ContextExt};
///
/// let mut budget = Budget::with_units(3);
/// let mut cx = Context::from_waker(Waker::noop());
/// for _ in 0..2 {
///     budget.install(&mut cx, |cx| {
///         while let Poll::Ready(mut coop) = cx.poll_cooperate() {
///             coop.made_progress();
///         }
///     });
/// }
/// assert_eq!(
///     budget.metrics(),
///     BudgetMetrics { polls: 2, units_spent: 6, forced_yields: 2, slice_yields: 0 }
/// );
/// ```
///
// Without `std` there is no `with_budget_metered`: the link goes to the
// feature table.
#[cfg_attr(
    feature = "std",
    doc = "[`with_budget_metered`]: crate::with_budget_metered"
)]
#[cfg_attr(not(feature = "std"), doc = "[`with_budget_metered`]: crate#features")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub struct BudgetMetrics {
    /// Installations (task polls) that returned.
    pub polls: u64,
    /// Units spent, net of refunds: for each installation, the units it
    /// started with minus those it left. A cooperation dropped without
    /// progress gave its unit back and is not counted, except once a time
    /// slice has ended: from then on units given back stay spent, so that
    /// nothing more can be taken in that installation.
    pub units_spent: u64,
    /// Forced yields: installations during which `poll_cooperate` said
    /// `Pending` because the budget was spent (its units, or its time
    /// slice). Counted once per installation, however many futures were told
    /// `Pending` in it, and whatever the poll then returned.
    pub forced_yields: u64,
    /// The forced yields whose installation's time slice ended (a subset of
    /// `forced_yields`; always 0 without a [`TimeSlice`](crate::TimeSlice)).
    /// A yield because the units ran out first is not one of them.
    pub slice_yields: u64,
}

impl BudgetMetrics {
    /// Adds one installation's outcome.
    #[inline]
    pub(crate) fn record(&mut self, outcome: Outcome) {
        self.polls += 1;
        self.units_spent += u64::from(outcome.spent());
        // Most polls are not forced to yield: the rest is out of line.
        if outcome.ran_out() {
            self.record_forced_yield(outcome.slice_ended());
        }
    }

    #[cold]
    #[inline(never)]
    fn record_forced_yield(&mut self, slice_ended: bool) {
        self.forced_yields += 1;
        self.slice_yields += u64::from(slice_ended);
    }
}
