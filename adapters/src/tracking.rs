//! [`Untracked`] and [`Tracked`]: what a spawn-time wrapper keeps besides its
//! units, chosen by a type parameter so that the plain wrapper stays small.
//!
//! [`Budgeted`](crate::Budgeted) (and, with the `tokio` feature,
//! `CoopCompat`) is `Untracked` unless asked for metrics or a time slice;
//! then it is `Tracked`, which holds a [`BudgetMetrics`] and an optional
//! [`TimeSlice`] (about 56 bytes more per task).
//!
//! What can go wrong: nothing beyond the costs. Counting tokio's units (the
//! `tokio` bridge) reads tokio's remaining budget after each poll, about
//! 3 ns a unit left; a time slice reads its clock every
//! [`TimeSlice::check_interval`] units.

use task_coop::{BudgetMetrics, TimeSlice};

/// A wrapper that keeps no metrics and has no time slice: the default, which
/// adds nothing to the task's size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Untracked;

/// A wrapper that keeps its task's [`BudgetMetrics`] and may end each poll's
/// budget early with a [`TimeSlice`]: see
/// [`Budgeted::with_metrics`](crate::Budgeted::with_metrics) and
/// [`Budgeted::with_time_slice`](crate::Budgeted::with_time_slice).
#[derive(Debug, Clone, Copy, Default)]
pub struct Tracked {
    pub(crate) metrics: BudgetMetrics,
    pub(crate) slice: Option<TimeSlice>,
}

impl Tracked {
    /// What the task's polls did so far.
    pub fn metrics(&self) -> BudgetMetrics {
        self.metrics
    }

    /// The time slice, if any.
    pub fn time_slice(&self) -> Option<TimeSlice> {
        self.slice
    }
}
