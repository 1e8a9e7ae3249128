//! What a spawn-time wrapper keeps besides its task, chosen by a type
//! parameter so that a wrapper costs only what it is asked for:
//!
//! | `T` | what the wrapper keeps | bytes added to the task | made by |
//! |---|---|---|---|
//! | [`Untracked`] | nothing: [`Budget::DEFAULT_UNITS`](task_coop::Budget::DEFAULT_UNITS) (128) units, tokio's types reached with the `tokio` feature | 0 | [`budgeted`](crate::budgeted()), [`Budgeted::new`](crate::Budgeted::new), `CoopCompat::wrap` |
//! | [`Units`] | the units and the reach chosen at run time | 2, rounded up to the task's alignment (at most 8 for tasks aligned to 8 or less) | [`Budgeted::with_units`](crate::Budgeted::with_units), [`Budgeted::context_only`](crate::Budgeted::context_only) |
//! | [`Tracked`] | the same, a [`BudgetMetrics`] and an optional [`TimeSlice`] | about 64 | `.with_metrics()`, `.with_time_slice(..)` |
//!
//! So a million default-wrapped tasks take the memory of the same tasks
//! unwrapped (`cargo run --release -p coop-tools --bin task_memory` prints
//! both), like tokio's budget, which costs a task nothing either.
//!
//! What can go wrong: only where a type is written out. `Budgeted<F>` is
//! the default wrapper, `Budgeted<F, Units>` one with units of its own, so
//! `let task: Budgeted<_> = Budgeted::with_units(f, 32);` does not compile
//! ("expected `Budgeted<_>`, found `Budgeted<_, Units>`"). Write
//! `Budgeted<_, Units>`, or make every task with
//! `Budgeted::with_units(f, Budget::DEFAULT_UNITS)` where one collection
//! holds tasks of both kinds. Counting tokio's units (the `tokio` bridge,
//! `Tracked`) reads tokio's remaining budget after each poll, about 3 ns a
//! unit left; a time slice reads its clock every
//! [`TimeSlice::check_interval`] units.

use task_coop::{BudgetMetrics, TimeSlice};

use sealed::Sealed;

/// Which budgets a wrapper reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Context-based primitives and, with the `tokio` feature, tokio's types.
    Everything,
    /// Context-based primitives only.
    ContextOnly,
}

/// The default wrapper: keeps nothing, so it adds nothing to the task's
/// size. Each poll gets
/// [`Budget::DEFAULT_UNITS`](task_coop::Budget::DEFAULT_UNITS) units, for
/// Context-based primitives and, with the `tokio` feature, tokio's types.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Untracked;

/// A wrapper whose units (and whether tokio's types are reached) were chosen
/// at run time: see [`Budgeted::with_units`](crate::Budgeted::with_units)
/// and [`Budgeted::context_only`](crate::Budgeted::context_only). Two bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Units {
    pub(crate) units: u8,
    pub(crate) reach: Reach,
}

/// A wrapper that also keeps its task's [`BudgetMetrics`] and may end each
/// poll's budget early with a [`TimeSlice`]: see
/// [`Budgeted::with_metrics`](crate::Budgeted::with_metrics) and
/// [`Budgeted::with_time_slice`](crate::Budgeted::with_time_slice).
#[derive(Debug, Clone, Copy)]
pub struct Tracked {
    /// The units and reach, as a [`Units`] keeps them.
    pub(crate) kept: Units,
    pub(crate) metrics: BudgetMetrics,
    pub(crate) slice: Option<TimeSlice>,
}

impl Default for Tracked {
    /// The default units and reach, no metrics counted yet, no time slice.
    fn default() -> Self {
        Untracked.into_tracked()
    }
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

/// What a [`Budgeted`](crate::Budgeted) keeps besides its task:
/// [`Untracked`], [`Units`] or [`Tracked`] (see [the module
/// docs](crate::tracking)). Sealed: no other type implements it.
pub trait Settings: sealed::Sealed {}

impl Settings for Untracked {}
impl Settings for Units {}
impl Settings for Tracked {}

mod sealed {
    use super::{Reach, Tracked, Units, Untracked};
    use task_coop::{Budget, BudgetMetrics, TimeSlice};

    /// The crate's view of a [`Settings`](super::Settings).
    pub trait Sealed {
        /// Units each poll starts with.
        fn units(&self) -> u8;
        /// Whether tokio's types are reached too (with the `tokio` feature),
        /// not only Context-based primitives.
        fn reaches_tokio_types(&self) -> bool;
        /// The time slice, if any.
        fn slice(&self) -> Option<TimeSlice> {
            None
        }
        /// The metrics to count into, if kept.
        fn metrics_mut(&mut self) -> Option<&mut BudgetMetrics>;
        /// The same settings, with metrics kept (kept metrics stay).
        fn into_tracked(self) -> Tracked;
    }

    impl Sealed for Untracked {
        #[inline]
        fn units(&self) -> u8 {
            Budget::DEFAULT_UNITS
        }
        #[inline]
        fn reaches_tokio_types(&self) -> bool {
            true
        }
        #[inline]
        fn metrics_mut(&mut self) -> Option<&mut BudgetMetrics> {
            None
        }
        fn into_tracked(self) -> Tracked {
            Units {
                units: Budget::DEFAULT_UNITS,
                reach: Reach::Everything,
            }
            .into_tracked()
        }
    }

    impl Sealed for Units {
        #[inline]
        fn units(&self) -> u8 {
            self.units
        }
        #[inline]
        fn reaches_tokio_types(&self) -> bool {
            self.reach == Reach::Everything
        }
        #[inline]
        fn metrics_mut(&mut self) -> Option<&mut BudgetMetrics> {
            None
        }
        fn into_tracked(self) -> Tracked {
            Tracked {
                kept: self,
                metrics: BudgetMetrics::default(),
                slice: None,
            }
        }
    }

    impl Sealed for Tracked {
        #[inline]
        fn units(&self) -> u8 {
            self.kept.units()
        }
        #[inline]
        fn reaches_tokio_types(&self) -> bool {
            self.kept.reaches_tokio_types()
        }
        #[inline]
        fn slice(&self) -> Option<TimeSlice> {
            self.slice
        }
        #[inline]
        fn metrics_mut(&mut self) -> Option<&mut BudgetMetrics> {
            Some(&mut self.metrics)
        }
        fn into_tracked(self) -> Tracked {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_keeps_nothing_and_units_keep_two_bytes() {
        assert_eq!(core::mem::size_of::<Untracked>(), 0);
        assert_eq!(core::mem::size_of::<Units>(), 2);
    }

    #[test]
    fn tracking_keeps_the_units_and_reach_it_was_given() {
        let units = Units {
            units: 16,
            reach: Reach::ContextOnly,
        };
        let tracked = units.into_tracked();
        assert_eq!(
            (tracked.units(), tracked.reaches_tokio_types()),
            (16, false)
        );
        let default = Tracked::default();
        assert_eq!(
            (default.units(), default.reaches_tokio_types()),
            (128, true)
        );
        assert_eq!(default.metrics(), BudgetMetrics::default());
        assert!(default.time_slice().is_none());
    }
}
