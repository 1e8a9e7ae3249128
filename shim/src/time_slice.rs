//! [`TimeSlice`]: the time half of a budget of "N units or a time slice,
//! whichever comes first".
//!
//! What can go wrong: a clock that goes backwards (read as a huge elapsed
//! time: the slice ends at the next check); a check interval so long that a
//! task whose operations are slow overruns its slice by up to that many
//! operations (the clock is not read on every unit, by design).

use core::fmt;

use crate::raw::budget_cell::Slice;

/// A time slice for a [`Budget`](crate::Budget) (or
/// [`with_budget_metered`], feature `std`): the installation
/// ends, `poll_cooperate` saying `Pending` as when the units run out, once
/// the slice has elapsed, even with units left.
///
/// tokio's budget counts operations, whatever each costs: 128 operations of
/// 1 ms each keep a thread for 128 ms. A time slice bounds that too.
///
/// # How often the clock is read
///
/// Not on every unit: once every [`check_every`](Self::check_every) units
/// taken (by default [`DEFAULT_CHECK_EVERY`](Self::DEFAULT_CHECK_EVERY), 16),
/// from the `check_every + 1`-th unit of an installation. A budget of 128
/// units spent to the end reads the clock 7 times (at the 17th, 33rd, ...,
/// 113th unit); a poll that takes 16 units or fewer, as most polls do, never
/// reads it. Units given back (a cooperation dropped without progress) are
/// taken again without a new read, so an installation reads the clock at
/// most `units / check_every` times.
///
/// The slice starts at the first read, not when the installation begins
/// (reading the clock there would cost every poll a read), and it is only
/// noticed at a read. So a poll can run the slice plus the time of up to
/// `2 * check_every` operations: the ones before the first read, and the
/// ones between the end of the slice and the read that notices it. Tasks
/// whose operations are slow want a smaller interval. In return every
/// installation gets at least `check_every` units (or all of them, if
/// fewer), however short the slice, so a task always makes progress.
///
/// A budget without a time slice reads no clock and does no clock work on
/// any path.
///
/// # Clocks
///
/// With `std`, [`TimeSlice::new`] measures with `std::time::Instant`
/// (nanoseconds since a process-wide epoch). Without `std`, or to control
/// time in a test, [`TimeSlice::with_clock`] takes the executor's clock as a
/// function returning monotonic ticks (differences are taken wrapping, so a
/// counter may wrap round `u64`).
///
/// # Examples
///
/// A clock a test controls: the slice ends at the first check after the
/// clock passed it, with units left.
///
/// ```
/// use std::cell::Cell;
/// use std::task::{Context, Poll, Waker};
/// use task_coop::{Budget, ContextExt, TimeSlice};
///
/// thread_local!(static NOW: Cell<u64> = const { Cell::new(0) });
/// fn now() -> u64 {
///     NOW.with(Cell::get)
/// }
///
/// let slice = TimeSlice::with_clock(100, now).check_every(4);
/// let mut budget = Budget::with_time_slice(128, slice);
/// let mut cx = Context::from_waker(Waker::noop());
/// let spent = budget.install(&mut cx, |cx| {
///     let mut spent = 0;
///     while let Poll::Ready(mut coop) = cx.poll_cooperate() {
///         coop.made_progress();
///         spent += 1;
///         if spent == 6 {
///             NOW.with(|n| n.set(100)); // the slice is over
///         }
///     }
///     spent
/// });
/// assert_eq!(spent, 8); // the slice starts at the 5th unit, ends at the 9th
/// assert_eq!(budget.metrics().slice_yields, 1);
/// ```
///
// Without `std` there is no `with_budget_metered` nor `TimeSlice::new`: the
// links go to the feature table.
#[cfg_attr(
    feature = "std",
    doc = "[`with_budget_metered`]: crate::with_budget_metered"
)]
#[cfg_attr(not(feature = "std"), doc = "[`with_budget_metered`]: crate#features")]
#[cfg_attr(feature = "std", doc = "[`TimeSlice::new`]: TimeSlice::new")]
#[cfg_attr(not(feature = "std"), doc = "[`TimeSlice::new`]: crate#features")]
#[derive(Clone, Copy)]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub struct TimeSlice {
    slice: Slice,
}

impl TimeSlice {
    /// Units taken between two clock reads by default: 16.
    ///
    /// A trade-off: reading `Instant` costs some 20 to 50 ns (by machine),
    /// so one read every 16 units adds about 1.5 to 3 ns per operation to a
    /// budget whose own check costs a few nanoseconds (the `bench_table`
    /// tool prints both, measured in one run); and a poll runs its slice plus
    /// at most 32 operations. Tasks whose operations are slow want a smaller
    /// interval.
    pub const DEFAULT_CHECK_EVERY: u8 = 16;

    /// A slice of `ticks` of `now`, a monotonic clock of the executor's
    /// choice (a hardware timer, a tick counter, a test's own clock).
    ///
    /// A slice of 0 ticks ends at the first read: the installation gets
    /// [`check_every`](Self::check_every) units.
    ///
    /// # Examples
    ///
    /// ```
    /// fn ticks() -> u64 {
    ///     0 // an executor's tick counter
    /// }
    /// let slice = task_coop::TimeSlice::with_clock(1_000, ticks);
    /// assert_eq!(slice.ticks(), 1_000);
    /// ```
    pub const fn with_clock(ticks: u64, now: fn() -> u64) -> Self {
        Self {
            slice: Slice {
                now,
                ticks,
                check_every: Self::DEFAULT_CHECK_EVERY,
            },
        }
    }

    /// A slice of `duration`, measured with [`std::time::Instant`] (in
    /// nanoseconds; durations beyond `u64::MAX` ns, about 584 years, are
    /// that).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use task_coop::{Budget, TimeSlice};
    ///
    /// // 128 units or 2 ms, whichever comes first.
    /// let budget = Budget::with_time_slice(128, TimeSlice::new(Duration::from_millis(2)));
    /// assert_eq!(budget.time_slice().map(|s| s.ticks()), Some(2_000_000));
    /// ```
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn new(duration: core::time::Duration) -> Self {
        let ticks = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        Self::with_clock(ticks, instant_nanos)
    }

    /// The same slice, with the clock read once every `units` units taken
    /// (instead of [`DEFAULT_CHECK_EVERY`](Self::DEFAULT_CHECK_EVERY)).
    ///
    /// # Panics
    ///
    /// If `units` is 0: a check before the first unit would let a slice of
    /// 0 stop the task before any progress.
    ///
    /// # Examples
    ///
    /// ```
    /// fn ticks() -> u64 {
    ///     0
    /// }
    /// let slice = task_coop::TimeSlice::with_clock(1_000, ticks).check_every(4);
    /// assert_eq!(slice.check_interval(), 4);
    /// ```
    #[must_use = "check_every returns a new TimeSlice and leaves this one unchanged"]
    pub const fn check_every(mut self, units: u8) -> Self {
        assert!(
            units > 0,
            "a time slice must be checked every 1 unit or more; use at least 1"
        );
        self.slice.check_every = units;
        self
    }

    /// The slice's length in ticks of its clock (nanoseconds for a slice
    /// made from a `Duration`, with `std`).
    ///
    /// # Examples
    ///
    /// ```
    /// fn ticks() -> u64 {
    ///     0
    /// }
    /// assert_eq!(task_coop::TimeSlice::with_clock(7, ticks).ticks(), 7);
    /// ```
    pub const fn ticks(&self) -> u64 {
        self.slice.ticks
    }

    /// Units taken between two clock reads.
    ///
    /// # Examples
    ///
    /// ```
    /// use task_coop::TimeSlice;
    /// fn ticks() -> u64 {
    ///     0
    /// }
    /// let slice = TimeSlice::with_clock(7, ticks);
    /// assert_eq!(slice.check_interval(), TimeSlice::DEFAULT_CHECK_EVERY);
    /// ```
    pub const fn check_interval(&self) -> u8 {
        self.slice.check_every
    }

    /// Reads the slice's clock: the ticks its budget compares against
    /// [`ticks`](Self::ticks). For wrappers that end a slice of their own on
    /// the same clock.
    ///
    /// # Examples
    ///
    /// ```
    /// use task_coop::TimeSlice;
    ///
    /// fn ten() -> u64 {
    ///     10
    /// }
    /// assert_eq!(TimeSlice::with_clock(5, ten).now(), 10);
    /// ```
    pub fn now(&self) -> u64 {
        (self.slice.now)()
    }

    /// What the budget's cell uses.
    pub(crate) const fn raw(self) -> Slice {
        self.slice
    }

    /// Back from what the budget's cell uses.
    pub(crate) const fn from_raw(slice: Slice) -> Self {
        Self { slice }
    }
}

/// `TimeSlice::new(duration)`.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl From<core::time::Duration> for TimeSlice {
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use task_coop::Budget;
    ///
    /// let budget = Budget::with_time_slice(128, Duration::from_micros(500));
    /// assert_eq!(budget.time_slice().map(|s| s.ticks()), Some(500_000));
    /// ```
    fn from(duration: core::time::Duration) -> Self {
        Self::new(duration)
    }
}

impl fmt::Debug for TimeSlice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimeSlice")
            .field("ticks", &self.slice.ticks)
            .field("check_every", &self.slice.check_every)
            .finish_non_exhaustive()
    }
}

/// The clock of [`TimeSlice::new`]: nanoseconds of `Instant` since the first
/// call in the process.
#[cfg(feature = "std")]
fn instant_nanos() -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;

    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let epoch = *EPOCH.get_or_init(Instant::now);
    u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
}
